//! `strategi report R --format markdown|html|csv|xlsx [--excel] [--out F]`: the
//! comment-response matrix of a round (the summary of its answers), in the case's
//! language.
//!
//! Only the command: parses the arguments, loads the round and its comments, builds the
//! view model ([`strategi::report::Matrix`]) and writes one of its renderings to the
//! file or standard output. The matrix, its words per language and the escaping of
//! outside text are the library's (`strategi::report`). The .xlsx is binary: like
//! `version export`, it goes to `--out` or to a stdout that is not a terminal.

use std::path::PathBuf;

use clap::Args;

use strategi::report::{self, CsvSeparator, Matrix};
use strategi::store::OutPath;

use super::comment::{all_comments, round_document};
use super::export::Destination;
use super::{CommandError, Ctx, Ui};

/// Write the comment-response matrix of a round, the summary of its answers ("Oppsummering
/// av høringsinnspill", or "… innspill til foreleggelse" for a framlegging): case number,
/// date and author, positions per party, a key to the decision terms, then every comment
/// by section with its decision and reasoning. In the case's language (bokmål, nynorsk or
/// English). The HTML page prints on A4 landscape.
///
/// Example: strategi report latest --format xlsx --out oppsummering.xlsx
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The round's id (or the start of it, or "latest").
    pub round: String,
    /// markdown, html, csv (UTF-8 with a byte order mark, so that Excel reads æøå) or
    /// xlsx (an Excel workbook, one row per comment, filters on the header row; needs
    /// --out or a stdout that is not a terminal).
    #[arg(long, default_value = "markdown")]
    pub format: String,
    /// With --format csv: separate fields by ";" instead of ",", as Excel expects with a
    /// Norwegian locale (double-clicking the file then opens it in columns).
    #[arg(long)]
    pub excel: bool,
    /// Write to this file instead of standard output (never into the workspace's
    /// records, strategy/ or .git).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Replace the --out file if it exists.
    #[arg(long, requires = "out")]
    pub force: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Markdown,
    Html,
    Csv,
    Xlsx,
}

/// Runs `report`.
pub fn run(ctx: &mut Ctx, ui: &mut Ui, args: &ReportArgs) -> Result<(), CommandError> {
    let format = match args.format.trim() {
        "markdown" | "md" => Format::Markdown,
        "html" => Format::Html,
        "csv" => Format::Csv,
        "xlsx" => Format::Xlsx,
        other => {
            return Err(CommandError::usage(format!(
                "\"{other}\" is not a report format; use markdown, html, csv or xlsx."
            )));
        }
    };
    if args.excel && format != Format::Csv {
        return Err(CommandError::usage(
            "--excel only applies to --format csv; add --format csv or leave out --excel.",
        ));
    }
    let out = if format == Format::Xlsx {
        match Destination::check(ctx, ui, args.out.as_ref(), args.force, "the spreadsheet")? {
            Destination::File(out) => Some(out),
            Destination::Stdout => None,
        }
    } else {
        args.out
            .as_ref()
            .map(|p| OutPath::check(&ctx.start_dir().join(p), args.force))
            .transpose()?
    };
    let ws = ctx.workspace()?;
    let config = ws.config()?;
    let mut rounds = all_comments(ctx, &ws, &config, Some(&args.round))?;
    let Some((round, comments)) = rounds.pop() else {
        return Err(CommandError::internal(
            "The round vanished while reading it.",
        ));
    };
    for f in &comments.findings {
        ui.warn(format!(
            "{}: {} (left out; run `strategi verify`)",
            f.path, f.message
        ));
    }
    let doc = round_document(&ws, &round)?;
    let matrix = Matrix::build(&config, &round, &comments.comments, &doc, ctx.clock.today());
    let text = match format {
        Format::Markdown => report::markdown(&matrix),
        Format::Html => report::html(&matrix),
        Format::Csv => report::csv(
            &matrix,
            if args.excel {
                CsvSeparator::Semicolon
            } else {
                CsvSeparator::Comma
            },
        ),
        Format::Xlsx => {
            let bytes = report::xlsx(&matrix).map_err(|e| match e {
                report::XlsxError::TooLong { .. } => CommandError::user(e.to_string()).hint(
                    "Shorten the comment's text (strategi comment show ID), or use --format csv.",
                ),
                report::XlsxError::Writer(_) => CommandError::internal(e.to_string()),
            })?;
            return match &out {
                Some(out) => {
                    out.write(&bytes)?;
                    written(
                        ui,
                        &round.def.id.to_string(),
                        args,
                        out.path(),
                        comments.comments.len(),
                    )
                }
                None => ui.write_bytes(&bytes),
            };
        }
    };
    match &out {
        Some(out) => {
            out.write(text.as_bytes())?;
            written(
                ui,
                &round.def.id.to_string(),
                args,
                out.path(),
                comments.comments.len(),
            )
        }
        None if ui.is_json() => ui.emit(
            &serde_json::json!({ "round": round.def.id, "format": args.format, "report": text }),
            |_| Ok(()),
        ),
        None => ui.print_raw(&text),
    }
}

/// Reports a report written to `path`.
fn written(
    ui: &mut Ui,
    round: &str,
    args: &ReportArgs,
    path: &std::path::Path,
    comments: usize,
) -> Result<(), CommandError> {
    ui.emit(
        &serde_json::json!({ "round": round, "format": args.format, "out": path, "comments": comments }),
        |w| writeln!(w, "Wrote the report of round {round} ({comments} comments) to {}.", path.display()),
    )
}
