//! Output: data on stdout, talk on stderr.
//!
//! With `--json` a command prints exactly one JSON value on stdout (an error too, as
//! `{"error": …}`); otherwise text. Styling is written as ANSI codes and stripped by
//! `anstream` when colour is off (`--color never`, `NO_COLOR`, not a terminal).

use std::io::{self, Write};

use anstream::{AutoStream, ColorChoice};
use anstyle::{AnsiColor, Effects, Style};
use serde::Serialize;

use super::{ColorWhen, CommandError};

/// Styles used across commands.
pub mod styles {
    use super::*;
    /// Headings and names.
    pub const BOLD: Style = Style::new().effects(Effects::BOLD);
    /// Done, added.
    pub const GOOD: Style = AnsiColor::Green.on_default();
    /// Attention: due soon, changed.
    pub const WARN: Style = AnsiColor::Yellow.on_default();
    /// Overdue, removed, errors.
    pub const BAD: Style = AnsiColor::Red.on_default().effects(Effects::BOLD);
    /// Secondary text: ids, dates.
    pub const DIM: Style = Style::new().effects(Effects::DIMMED);
}

/// Wraps `text` in `style`.
pub fn paint(style: Style, text: impl std::fmt::Display) -> String {
    format!("{}{text}{}", style.render(), style.render_reset())
}

/// The terminal, or whatever stdout and stderr are.
pub struct Ui {
    out: AutoStream<io::Stdout>,
    err: AutoStream<io::Stderr>,
    json: bool,
    silent: bool,
}

impl Ui {
    /// A UI with the given colour choice; `json` selects JSON output.
    pub fn new(color: ColorWhen, json: bool) -> Ui {
        let choice = match color {
            ColorWhen::Auto => ColorChoice::Auto,
            ColorWhen::Always => ColorChoice::Always,
            ColorWhen::Never => ColorChoice::Never,
        };
        Ui {
            out: AutoStream::new(io::stdout(), choice),
            err: AutoStream::new(io::stderr(), choice),
            json,
            silent: false,
        }
    }

    /// A UI that prints nothing but warnings and errors (used by the demo under `--json`).
    pub fn silenced(&self, color: ColorWhen) -> Ui {
        let mut ui = Ui::new(color, false);
        ui.silent = true;
        ui
    }

    /// Whether JSON output was asked for.
    pub fn is_json(&self) -> bool {
        self.json
    }

    /// Whether stdout gets colour.
    pub fn colors_stdout(&self) -> bool {
        !matches!(self.out.current_choice(), ColorChoice::Never)
    }

    /// Prints a command's result: `value` as JSON with `--json`, else the text `text`
    /// writes.
    pub fn emit<T: Serialize>(
        &mut self,
        value: &T,
        text: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> Result<(), CommandError> {
        if self.silent {
            return Ok(());
        }
        if self.json {
            // Into one buffer, then one write: stdout is line-buffered, and a large
            // value written line by line costs a system call per line.
            let mut buf = serde_json::to_vec_pretty(value)
                .map_err(|e| CommandError::internal(format!("Could not write JSON: {e}")))?;
            buf.push(b'\n');
            let mut lock = io::stdout().lock();
            lock.write_all(&buf)?;
            lock.flush()?;
        } else {
            // Render into one buffer and write it at once: one system call, not one a line.
            let mut buf = Vec::new();
            text(&mut buf)?;
            self.out.write_all(&buf)?;
            self.out.flush()?;
        }
        Ok(())
    }

    /// Prints text that is already in its final form (a JSON document, an HTML page) on
    /// stdout as it is.
    pub fn print_raw(&mut self, text: &str) -> Result<(), CommandError> {
        if self.silent {
            return Ok(());
        }
        self.out.write_all(text.as_bytes())?;
        if !text.ends_with('\n') {
            self.out.write_all(b"\n")?;
        }
        self.out.flush()?;
        Ok(())
    }

    /// Writes bytes (a binary file such as a .docx) to stdout exactly as they are,
    /// bypassing the styling stream.
    pub fn write_bytes(&mut self, bytes: &[u8]) -> Result<(), CommandError> {
        if self.silent {
            return Ok(());
        }
        let mut out = io::stdout().lock();
        out.write_all(bytes)?;
        out.flush()?;
        Ok(())
    }

    /// Streams output that needs no styling (a JSON document) straight to stdout through
    /// a buffer, without building it in memory first.
    pub fn stream_raw(
        &mut self,
        write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> Result<(), CommandError> {
        if self.silent {
            return Ok(());
        }
        let mut out = io::BufWriter::with_capacity(1 << 16, io::stdout().lock());
        write(&mut out)?;
        out.write_all(b"\n")?;
        out.flush()?;
        Ok(())
    }

    /// A progress or informational line on stderr (not shown with `--json`).
    pub fn note(&mut self, message: impl std::fmt::Display) {
        if !self.json && !self.silent {
            let _ = writeln!(self.err, "{message}");
        }
    }

    /// A warning on stderr (shown with `--json` too: stderr is never parsed).
    pub fn warn(&mut self, message: impl std::fmt::Display) {
        let _ = writeln!(self.err, "{} {message}", paint(styles::WARN, "Warning:"));
    }

    /// Reports an error: `Error:`, `Caused by:`, `Hint:` on stderr, and with `--json`
    /// also `{"error": …}` on stdout.
    pub fn error(&mut self, e: &CommandError) {
        if self.json && !e.is_reported() {
            let mut lock = io::stdout().lock();
            let _ = serde_json::to_writer_pretty(&mut lock, &serde_json::json!({ "error": e }));
            let _ = writeln!(lock);
        }
        let _ = writeln!(self.err, "{} {}", paint(styles::BAD, "Error:"), e.message);
        for c in &e.causes {
            let _ = writeln!(self.err, "Caused by: {c}");
        }
        for h in &e.hints {
            let _ = writeln!(self.err, "{} {h}", paint(styles::BOLD, "Hint:"));
        }
    }
}
