//! `strategi diff`: what changed between two versions, section by section, word by word.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::diff::{
    DiffOptions, DocumentDiff, diff_documents, documents_from_files, render_html, render_json,
    render_markdown, render_stat, render_text,
};
use crate::document::{Document, SourceFile};

use super::{CommandError, Ctx, Ui};

/// Show what changed between two versions: per section (unchanged, changed, added,
/// removed, moved, renamed) and, inside changed paragraphs, word by word. Re-wrapped
/// lines are not changes.
///
/// FROM and TO are versions (v3, or the start of a label) or "draft" (the working
/// tree). Default: the latest version against the draft.
///
/// Examples: strategi diff; strategi diff v1 v2 --format html --out endringer.html;
/// strategi diff --files gammel.md ny.md
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The older side (a version or "draft").
    pub from: Option<String>,
    /// The newer side (a version or "draft"; default: draft).
    pub to: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Only count words added and removed per section.
    #[arg(long)]
    pub stat: bool,
    /// Only this section.
    #[arg(long, value_name = "ID")]
    pub section: Option<String>,
    /// Compare two Markdown files instead (no workspace needed).
    #[arg(long, num_args = 2, value_names = ["OLD", "NEW"], conflicts_with_all = ["from", "to"])]
    pub files: Option<Vec<PathBuf>>,
    /// Write the output to this file instead of stdout (atomically).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Output formats of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Readable text: `[-old-]{+new+}`, coloured on a terminal.
    Text,
    /// A stable JSON structure.
    Json,
    /// A standalone HTML page to open and print.
    Html,
    /// Markdown with CriticMarkup.
    Markdown,
}

/// Runs `diff`.
pub fn run(ctx: &mut Ctx, ui: &mut Ui, args: &DiffArgs) -> Result<(), CommandError> {
    let opts = DiffOptions {
        section: args.section.clone(),
        ..DiffOptions::default()
    };
    let (old, new, title) = match &args.files {
        Some(files) => {
            let [a, b] = files.as_slice() else {
                return Err(CommandError::usage(
                    "--files takes two files: the old and the new.",
                ));
            };
            let read = |p: &PathBuf| -> Result<SourceFile, CommandError> {
                let path = ctx.start_dir().join(p);
                let bytes = std::fs::read(&path).map_err(|e| {
                    CommandError::user(format!("Could not read \"{}\": {e}", p.display()))
                })?;
                let text = String::from_utf8(bytes).map_err(|e| {
                    CommandError::user(format!(
                        "\"{}\" is not UTF-8 text: invalid byte at offset {}.",
                        p.display(),
                        e.utf8_error().valid_up_to()
                    ))
                    .hint("Save the file as UTF-8.")
                })?;
                Ok(SourceFile::new(p.display().to_string(), text))
            };
            let (a, b) = (read(a)?, read(b)?);
            let (old, new) = documents_from_files(&a, &b);
            (old, new, format!("{} → {}", a.name, b.name))
        }
        None => {
            let ws = ctx.workspace()?;
            let (from, to) = match (&args.from, &args.to) {
                (Some(f), Some(t)) => (f.clone(), t.clone()),
                (Some(f), None) => (f.clone(), "draft".to_string()),
                (None, _) => ("latest".to_string(), "draft".to_string()),
            };
            let (old, old_name) = side(&ws, &from)?;
            let (new, new_name) = side(&ws, &to)?;
            let title = format!("{}: {old_name} → {new_name}", ws.config()?.case.title);
            (old, new, title)
        }
    };
    if let Some(id) = args
        .section
        .as_ref()
        .filter(|id| old.section(id).is_none() && new.section(id).is_none())
    {
        return Err(super::version::unknown_section(&new, id, "Neither side"));
    }
    let diff = diff_documents(&old, &new, &opts);
    let output = render(ui, args, &diff, &title);
    match &args.out {
        Some(path) => {
            let path = ctx.start_dir().join(path);
            crate::store::atomic_write(&path, output.as_bytes())?;
            ui.note(format!("Wrote the diff to \"{}\".", path.display()));
            let summary = serde_json::json!({ "out": path, "summary": diff.summary });
            ui.emit(&summary, |_| Ok(()))
        }
        None => ui.print_raw(&output),
    }
}

fn render(ui: &Ui, args: &DiffArgs, diff: &DocumentDiff, title: &str) -> String {
    if ui.is_json() {
        return render_json(diff);
    }
    if args.stat {
        return render_stat(diff);
    }
    match args.format {
        DiffFormat::Text => render_text(diff, ui.colors_stdout() && args.out.is_none()),
        DiffFormat::Json => render_json(diff),
        DiffFormat::Html => render_html(diff, title),
        DiffFormat::Markdown => render_markdown(diff),
    }
}

/// One side of a diff: a version, or the draft in the working tree.
fn side(ws: &crate::store::Workspace, spec: &str) -> Result<(Document, String), CommandError> {
    if spec == "draft" {
        return Ok((
            super::version::document(ws.draft_files()?, "the draft")?,
            "draft".to_string(),
        ));
    }
    let v = super::version::resolve(ws, spec)?;
    let doc = super::version::document(ws.version_files(&v)?, &v.name.to_string())?;
    Ok((doc, v.name.to_string()))
}
