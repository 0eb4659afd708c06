//! Progress of long work (delivering letters, importing many files) as one counter line
//! on stderr, rewritten in place, and only when stderr is a terminal: piped, redirected
//! or under a test, stderr stays exactly as without it. The line is cleared when the
//! work ends, so what the command prints afterwards starts on a clean line.

use std::cell::Cell;
use std::io::{IsTerminal, Write};

use strategi::columns;
use strategi::mail::{DeliveryError, DeliveryReceipt, Mailer};

/// Return to the start of the line and clear it (ANSI, as every terminal takes it).
const CLEAR_LINE: &str = "\r\x1b[K";

/// The counter line of one piece of work.
pub struct Progress {
    on: bool,
    columns: usize,
    shown: Cell<bool>,
}

impl Progress {
    /// A counter on stderr if it is a terminal (and not a `dumb` one, which cannot
    /// clear a line); otherwise one that shows nothing.
    pub fn on_stderr() -> Progress {
        let on =
            std::io::stderr().is_terminal() && std::env::var_os("TERM").is_none_or(|t| t != "dumb");
        // COLUMNS when the shell exports it; else the classic 80.
        let columns = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<usize>().ok())
            .filter(|c| *c >= 20)
            .unwrap_or(80);
        Progress {
            on,
            columns,
            shown: Cell::new(false),
        }
    }

    /// Shows `what n of total: detail` (or `what n: detail` without a total).
    pub fn show(&self, n: usize, total: Option<usize>, what: &str, detail: &str) {
        if !self.on {
            return;
        }
        let text = line(n, total, what, detail, self.columns);
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "{CLEAR_LINE}{text}");
        let _ = err.flush();
        self.shown.set(true);
    }

    /// Clears the line, if one is shown.
    pub fn clear(&self) {
        if self.shown.replace(false) {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "{CLEAR_LINE}");
            let _ = err.flush();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.clear();
    }
}

/// The counter line, cut to one column less than the terminal so that it never wraps
/// (a wrapped line could not be rewritten in place).
fn line(n: usize, total: Option<usize>, what: &str, detail: &str, columns: usize) -> String {
    let count = match total {
        Some(t) => format!("{what} {n} of {t}"),
        None => format!("{what} {n}"),
    };
    let text = if detail.is_empty() {
        format!("{count}…")
    } else {
        format!("{count}: {detail}…")
    };
    columns::cut(&text, columns.saturating_sub(1)).into_owned()
}

/// A [`Mailer`] that counts the letters it hands on, showing each on the counter.
pub struct CountingMailer<'a> {
    inner: &'a dyn Mailer,
    progress: &'a Progress,
    sent: Cell<usize>,
}

impl<'a> CountingMailer<'a> {
    /// Counts what goes through `inner` on `progress`.
    pub fn new(inner: &'a dyn Mailer, progress: &'a Progress) -> CountingMailer<'a> {
        CountingMailer {
            inner,
            progress,
            sent: Cell::new(0),
        }
    }
}

impl Mailer for CountingMailer<'_> {
    fn deliver(
        &self,
        envelope_from: &str,
        to: &[String],
        eml: &[u8],
    ) -> Result<DeliveryReceipt, DeliveryError> {
        let n = self.sent.get() + 1;
        self.sent.set(n);
        self.progress
            .show(n, None, "Sending letter", &to.join(", "));
        self.inner.deliver(envelope_from, to, eml)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_counts_and_never_wraps() {
        assert_eq!(
            line(3, Some(40), "Importing file", "svar-fin.eml", 80),
            "Importing file 3 of 40: svar-fin.eml…"
        );
        assert_eq!(
            line(2, None, "Sending letter", "postmottak@fin.example", 80),
            "Sending letter 2: postmottak@fin.example…"
        );
        let long = line(
            1,
            Some(2),
            "Importing file",
            &"svar-æøå-日本".repeat(20),
            40,
        );
        assert_eq!(columns::width(&long), 39, "{long}");
        assert!(long.ends_with('…'));
    }
}
