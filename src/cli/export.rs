//! `strategi version export`: a version as a document people read (Word, HTML,
//! Markdown), and the shared rule for where such a file goes (`--out`, or stdout when it
//! is not a terminal).

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde::Serialize;

use strategi::approval::{Phase, phase};
use strategi::calendar::work_calendar;
use strategi::consultation::letters::{version_front_matter, version_letterhead, version_markdown};
use strategi::consultation::load_rounds;
use strategi::document::Document;
use strategi::document::html::version_page;
use strategi::model::{Config, Version};
use strategi::store::{OutPath, Workspace};
use strategi::word::write::export_docx;

use super::{CommandError, Ctx, Ui};

/// Arguments of `version export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The version: v3, 3, "latest", or the start of its label.
    #[arg(value_name = "VERSION")]
    pub name: String,
    /// What to write: a Word document (front page, numbered headings, a bookmark per
    /// section, "Utkast" until approved), the HTML page (letterhead, contents, numbered
    /// sections, print-ready on A4) or the Markdown copy (without `{#id}` markers) that
    /// letters attach.
    #[arg(long, value_enum, default_value_t = ExportFormat::Docx)]
    pub format: ExportFormat,
    /// Write to this file (atomically; never into the workspace's records, strategy/ or
    /// .git). Without it the document goes to stdout, which must not be a terminal.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Replace the --out file if it exists.
    #[arg(long, requires = "out")]
    pub force: bool,
}

/// Formats of `version export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// A Word document (.docx).
    Docx,
    /// A standalone HTML page, print-ready.
    Html,
    /// Markdown, the version's files in one.
    Md,
}

/// What `--json` reports of a written document.
#[derive(Serialize)]
pub(super) struct Exported {
    /// Where it went (`null` for stdout).
    pub path: Option<PathBuf>,
    /// The format.
    pub format: &'static str,
    /// Bytes written.
    pub bytes: usize,
    /// Sections in it.
    pub sections: usize,
    /// The version.
    pub version: String,
    /// For a redline: the earlier version whose changes it marks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changes_from: Option<String>,
}

/// Where an exported document goes: a checked `--out` file, or stdout.
pub(super) enum Destination {
    File(OutPath),
    Stdout,
}

impl Destination {
    /// Checks where the output goes before anything is computed: `--out` as
    /// [`OutPath::check`] does, else stdout, which must not be a terminal (a binary file
    /// there helps no one) and cannot take `--json` as well.
    pub fn check(
        ctx: &Ctx,
        ui: &Ui,
        out: Option<&PathBuf>,
        force: bool,
        what: &str,
    ) -> Result<Destination, CommandError> {
        if let Some(p) = out {
            return Ok(Destination::File(OutPath::check(
                &ctx.start_dir().join(p),
                force,
            )?));
        }
        if ui.is_json() {
            return Err(CommandError::user(format!(
                "With --json, {what} needs --out: stdout carries the JSON report."
            ))
            .hint("Add --out FILE."));
        }
        if std::io::stdout().is_terminal() {
            return Err(
                CommandError::user(format!("Not writing {what} to a terminal."))
                    .hint("Give --out FILE, or send stdout to a file or a program (> FILE)."),
            );
        }
        Ok(Destination::Stdout)
    }

    /// Writes `bytes` and reports it (`--json`: path, bytes, sections).
    pub fn write(
        self,
        ui: &mut Ui,
        bytes: &[u8],
        mut report: Exported,
    ) -> Result<(), CommandError> {
        report.bytes = bytes.len();
        match self {
            Destination::Stdout => ui.write_bytes(bytes),
            Destination::File(out) => {
                out.write(bytes)?;
                let path = out.path().to_path_buf();
                report.path = Some(path.clone());
                ui.emit(&report, |w| {
                    let what = match &report.changes_from {
                        Some(from) => format!(
                            "the {} redline of {} (changes since {from})",
                            report.format, report.version
                        ),
                        None => format!("{} of {}", report.format, report.version),
                    };
                    writeln!(
                        w,
                        "Wrote {what} to \"{}\" ({} bytes, {} sections).",
                        path.display(),
                        report.bytes,
                        report.sections
                    )
                })
            }
        }
    }
}

/// Whether `version` is the approved version, as `status` judges it.
pub(super) fn is_approved(
    ctx: &Ctx,
    ws: &Workspace,
    config: &Config,
    version: &Version,
) -> Result<bool, CommandError> {
    let rounds = load_rounds(ws, config, ctx.clock.today(), &work_calendar(config))?;
    let comments = super::comment::comments_of(ws, config, &rounds)?;
    Ok(matches!(
        phase(ws, config, &rounds, &comments)?,
        Phase::Approved { version: v, .. } if v == version.name
    ))
}

/// Runs `version export`.
pub fn run(ctx: &mut Ctx, ui: &mut Ui, args: &ExportArgs) -> Result<(), CommandError> {
    let ws = ctx.workspace()?;
    let version = super::version::resolve(&ws, &args.name)?;
    let dest = Destination::check(ctx, ui, args.out.as_ref(), args.force, "the document")?;
    let config = ws.config()?;
    let sources = super::version::sources(ws.version_files(&version)?, &version.name.to_string())?;
    let doc = Document::parse(&sources);
    let (bytes, format) = match args.format {
        ExportFormat::Docx => {
            let approved = is_approved(ctx, &ws, &config, &version)?;
            let front = version_front_matter(&config, &version, approved);
            (export_docx(&doc, &front)?.bytes, "docx")
        }
        ExportFormat::Html => {
            let approved = is_approved(ctx, &ws, &config, &version)?;
            let head = version_letterhead(&config, &version, approved);
            (version_page(&head, &sources).into_bytes(), "html")
        }
        ExportFormat::Md => (version_markdown(&sources).into_bytes(), "md"),
    };
    let report = Exported {
        path: None,
        format,
        bytes: 0,
        sections: doc.sections.len(),
        version: version.name.to_string(),
        changes_from: None,
    };
    dest.write(ui, &bytes, report)
}
