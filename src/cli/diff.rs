//! `strategi diff`: what changed between two versions, section by section, word by word.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use strategi::diff::{
    DiffOptions, DiffPage, DocumentDiff, PageSide, diff_documents, old_document, render_html,
    render_json, render_markdown, render_stat, render_text, write_json,
};
use strategi::document::{Document, SourceFile};
use strategi::store::{OutPath, limits, read_bounded_into};

use strategi::calendar::format_date_long;
use strategi::consultation::letters::{version_front_matter, word_date};
use strategi::model::Lang;
use strategi::word::redline::{Attribution, redline_docx};
use strategi::word::write::FrontMatter;

use super::export::{Destination, Exported};
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
    /// Write the output to this file instead of stdout (atomically; never into the
    /// workspace's records, strategy/ or .git).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Replace the --out file if it exists.
    #[arg(long, requires = "out")]
    pub force: bool,
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
    /// A Word document (redline): the later version with the changes as tracked
    /// changes by the owner party, dated with the later version. Needs --out, or a
    /// stdout that is not a terminal.
    Docx,
}

/// Runs `diff`.
pub fn run(ctx: &mut Ctx, ui: &mut Ui, args: &DiffArgs) -> Result<(), CommandError> {
    let out = args
        .out
        .as_ref()
        .map(|p| OutPath::check(&ctx.start_dir().join(p), args.force))
        .transpose()?;
    let opts = DiffOptions {
        section: args.section.clone(),
        // People read these formats: show the unchanged text around the changes too.
        full_text: matches!(args.format, DiffFormat::Html | DiffFormat::Markdown) && !args.stat,
        ..DiffOptions::default()
    };
    // A reproducible run gives the same output on a busy machine as on a quiet one.
    let opts = if ctx.reproducible() {
        DiffOptions {
            deadline: None,
            ..opts
        }
    } else {
        opts
    };
    if args.format == DiffFormat::Docx {
        return redline(ctx, ui, args, &opts);
    }
    let (old, new, page) = match &args.files {
        Some(files) => {
            let [a, b] = files.as_slice() else {
                return Err(CommandError::usage(
                    "--files takes two files: the old and the new.",
                ));
            };
            // glibc serves big allocations with fresh mmaps and unmaps them on free, so
            // their pages fault in anew each time. Freeing one big untouched block first
            // raises its mmap threshold, so the file buffers below come from the heap and
            // their pages are reused by the diff (measured: about a third of the time on
            // 150,000-word files).
            drop(Vec::<u8>::with_capacity(8 << 20));
            let old = read_file(ctx, a, Vec::new())?;
            let b_name = b.display().to_string();
            let old_doc = old_document(&old, &b_name);
            // Read the new file into the old file's buffer.
            let new = read_file(ctx, b, old.text.into_bytes())?;
            let new_doc = Document::from_text_without_markdown(&b_name, &new.text);
            let page = DiffPage {
                title: format!("{} → {}", a.display(), b_name),
                from: PageSide {
                    name: a.display().to_string(),
                    ..PageSide::default()
                },
                to: PageSide {
                    name: b_name,
                    ..PageSide::default()
                },
                ..DiffPage::default()
            };
            (old_doc, new_doc, page)
        }
        None => {
            let ws = ctx.workspace()?;
            let (from, to) = match (&args.from, &args.to) {
                (Some(f), Some(t)) => (f.clone(), t.clone()),
                (Some(f), None) => (f.clone(), "draft".to_string()),
                (None, _) => ("latest".to_string(), "draft".to_string()),
            };
            let (old, _) = side(&ws, &from)?;
            let (new, _) = side(&ws, &to)?;
            let page = if args.format == DiffFormat::Html && !args.stat {
                let config = ws.config()?;
                let page_side = |spec: &str| -> Result<PageSide, CommandError> {
                    // The page names versions without their marking: no phase needed.
                    let front = front_matter(ctx, &ws, &config, spec, false)?;
                    Ok(PageSide {
                        name: front.version,
                        label: front.label,
                        date: front.date,
                    })
                };
                DiffPage {
                    title: config.case.title.clone(),
                    case_number: config.case.number.clone(),
                    from: page_side(&from)?,
                    to: page_side(&to)?,
                    lang: config.case.lang,
                }
            } else {
                DiffPage::default()
            };
            (old, new, page)
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
    let json = ui.is_json() || (args.format == DiffFormat::Json && !args.stat);
    let result = match &out {
        None if json => ui.stream_raw(|w| write_json(&diff, w)),
        None => ui.print_raw(&render(ui, args, &diff, &page)),
        Some(out) => {
            let output = render(ui, args, &diff, &page);
            out.write(output.as_bytes())?;
            let path = out.path();
            ui.note(format!("Wrote the diff to \"{}\".", path.display()));
            let summary = serde_json::json!({ "out": path, "summary": diff.summary });
            ui.emit(&summary, |_| Ok(()))
        }
    };
    // The process ends after this command: skip freeing large documents and the diff.
    std::mem::forget((old, new, diff));
    result
}

/// Reads a file given on the command line into `buf`, as UTF-8 (at most
/// [`limits::MARKDOWN`] bytes, a regular file).
fn read_file(ctx: &Ctx, p: &PathBuf, mut buf: Vec<u8>) -> Result<SourceFile, CommandError> {
    let path = ctx.start_dir().join(p);
    read_bounded_into(&path, limits::MARKDOWN, "Markdown file", &mut buf)?;
    let text = String::from_utf8(buf).map_err(|e| {
        CommandError::user(format!(
            "\"{}\" is not UTF-8 text: invalid byte at offset {}.",
            p.display(),
            e.utf8_error().valid_up_to()
        ))
        .hint("Save the file as UTF-8.")
    })?;
    Ok(SourceFile::new(p.display().to_string(), text))
}

fn render(ui: &Ui, args: &DiffArgs, diff: &DocumentDiff, page: &DiffPage) -> String {
    if ui.is_json() {
        return render_json(diff);
    }
    if args.stat {
        return render_stat(diff);
    }
    match args.format {
        DiffFormat::Text => render_text(diff, ui.colors_stdout() && args.out.is_none()),
        DiffFormat::Json => render_json(diff),
        DiffFormat::Html => render_html(diff, page),
        DiffFormat::Markdown => render_markdown(diff),
        // Written by `redline`, never rendered as text.
        DiffFormat::Docx => render_json(diff),
    }
}

/// One side of a diff: a version, or the draft in the working tree.
fn side(ws: &strategi::store::Workspace, spec: &str) -> Result<(Document, String), CommandError> {
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

/// `diff FROM TO --format docx`: the redline as a Word document.
fn redline(
    ctx: &mut Ctx,
    ui: &mut Ui,
    args: &DiffArgs,
    opts: &DiffOptions,
) -> Result<(), CommandError> {
    if args.files.is_some() {
        return Err(CommandError::usage(
            "--format docx compares versions of the workspace, not --files.",
        ));
    }
    if args.stat || args.section.is_some() {
        return Err(CommandError::usage(
            "--format docx writes the whole document: it takes neither --stat nor --section.",
        ));
    }
    let ws = ctx.workspace()?;
    let (from, to) = match (&args.from, &args.to) {
        (Some(f), Some(t)) => (f.clone(), t.clone()),
        (Some(f), None) => (f.clone(), "draft".to_string()),
        (None, _) => ("latest".to_string(), "draft".to_string()),
    };
    let (old, old_name) = side(&ws, &from)?;
    let (new, _) = side(&ws, &to)?;
    let dest = Destination::check(ctx, ui, args.out.as_ref(), args.force, "the redline")?;
    let config = ws.config()?;
    let mut front = front_matter(ctx, &ws, &config, &to, true)?;
    front.changes_from = Some(old_name);
    let author = config
        .party(&config.case.owner)
        .map_or_else(|| config.case.owner.to_string(), |p| p.name.clone());
    let by = Attribution {
        author,
        date: front.timestamp.clone(),
    };
    let diff = diff_documents(&old, &new, opts);
    let written = redline_docx(&old, &new, &diff, &front, &by)?;
    let report = Exported {
        path: None,
        format: "docx",
        bytes: 0,
        sections: written.sections,
        version: front.version.clone(),
        changes_from: front.changes_from.clone(),
    };
    dest.write(ui, &written.bytes, report)
}

/// What the redline's front page and the HTML page's letterhead say about one side:
/// a version's name, label and date (and, with `marking`, whether it is approved, which
/// folds the case's phase), or for the draft "arbeidsutkast" and today.
fn front_matter(
    ctx: &Ctx,
    ws: &strategi::store::Workspace,
    config: &strategi::model::Config,
    spec: &str,
    marking: bool,
) -> Result<FrontMatter, CommandError> {
    Ok(if spec == "draft" {
        let now = ctx.clock.now();
        let lang = config.case.lang;
        FrontMatter {
            case_title: config.case.title.clone(),
            case_number: config.case.number.clone(),
            version: "draft".to_string(),
            label: match lang {
                Lang::Nb | Lang::Nn => "arbeidsutkast",
                Lang::En => "working draft",
                Lang::Da => "arbejdsudkast",
            }
            .to_string(),
            date: format_date_long(ctx.clock.today(), lang),
            timestamp: word_date(now.timestamp()),
            approved: false,
            lang,
            changes_from: None,
        }
    } else {
        let v = super::version::resolve(ws, spec)?;
        let approved = marking && super::export::is_approved(ctx, ws, config, &v)?;
        version_front_matter(config, &v, approved)
    })
}
