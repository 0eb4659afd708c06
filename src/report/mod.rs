//! Reports: view models built from the records, and pure renderers for them.
//!
//! [`dashboard_html`] is the picture of the whole case (`status --format html`): its
//! phase, a timeline in SVG, the next deadlines, the answers and the open comments.
//!
//! The report of a round is the comment-response matrix, [`Matrix`]: the summary of the
//! answers ("Oppsummering av høringsinnspill", titled by the round's kind,
//! [`Labels::title`]), with case number, date and author, the positions (who answered
//! what, who had no comments, who did not
//! answer) and every comment, grouped by the section it is about in document order
//! (general comments first, comments on sections the version does not have last), with
//! quote, comment, proposal, decision and reasoning. [`Matrix::build`] turns a folded
//! round, its comments, the case and the round's document into plain strings in the
//! case's language ([`Labels`]: bokmål, nynorsk or English), every date in words, and a
//! legend of the decision terms; [`markdown`], [`html`], [`csv`] and [`xlsx()`] only lay
//! those strings out, as the diff renderers in [`crate::diff`] do.
//!
//! Everything that came from outside (names, quotes, comments) is escaped for the
//! format by the renderers: HTML entities in HTML and Markdown (so `<script>` shows as
//! text in any Markdown viewer), `|` and line breaks in Markdown tables, RFC 4180
//! quoting in CSV, and a CSV cell that a spreadsheet would run as a formula (`=`, `+`,
//! `-`, `@`) is prefixed with `'`. The .xlsx writes every cell as a string, never a
//! formula.

mod dashboard;
mod matrix;
mod render;
mod xlsx;

#[cfg(test)]
mod tests;

pub use dashboard::{Answer, Dashboard, Event, dashboard_html};
#[cfg(test)]
use matrix::answered_cell;
pub use matrix::{
    Group, Labels, Matrix, PositionRow, Row, decision_meaning, private_mark, respondents_heading,
};
pub use render::{CSV_BOM, CsvSeparator, csv, html, markdown};
pub use xlsx::{MAX_CELL_CHARS, XlsxError, xlsx};
