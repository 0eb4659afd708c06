//! The `strategi` binary: everything happens in `strategi::cli`.

fn main() {
    std::process::exit(strategi::cli::run(std::env::args_os()));
}
