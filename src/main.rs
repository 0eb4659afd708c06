//! The `strategi` binary: the command layer (`cli`) over the `strategi` library.
//!
//! The CLI is a module of the binary, not of the library, so the compiler keeps the
//! library free of printing, exiting and reading the environment.

#![forbid(unsafe_code)]

mod cli;

fn main() {
    std::process::exit(cli::run(std::env::args_os()));
}
