//! `strategi version cut|list|show`: immutable versions of the draft.

use clap::{Args, Subcommand};
use serde::Serialize;

use strategi::document::{Document, SourceFile};
use strategi::model::{Version, VersionName};
use strategi::store::{StoreError, StoredFile, Workspace};

use super::ui::{paint, styles};
use super::{CommandError, Ctx, Ui};

/// Immutable versions (v1, v2, …) of the draft in strategy/.
#[derive(Debug, Subcommand)]
pub enum VersionCommand {
    /// Cut a new version of everything in strategy/ (only those files are committed).
    ///
    /// Example: strategi version cut --label "Utkast til arbeidsgruppen"
    Cut(CutArgs),
    /// List the versions.
    List,
    /// Show a version: its sections, or one section's text.
    Show(ShowArgs),
    /// Export a version as a document people read: Word (.docx), HTML or Markdown.
    ///
    /// The Word document has a front page (case, case number, version and label, date,
    /// "Utkast" until the version is approved), the headings as Word headings numbered
    /// as the diff numbers them, and a bookmark per section, so that comments made in
    /// Word map back to their sections. HTML and Markdown are the copies letters attach.
    ///
    /// Example: strategi version export v3 --out strategi-v3.docx
    Export(super::export::ExportArgs),
}

/// Arguments of `version cut`.
#[derive(Debug, Args)]
pub struct CutArgs {
    /// What this version is, in words (one line).
    #[arg(long)]
    pub label: String,
}

/// Arguments of `version show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The version: v3, 3, "latest", or the start of its label.
    #[arg(value_name = "VERSION")]
    pub name: String,
    /// Print only the section with this id.
    #[arg(long, value_name = "ID")]
    pub section: Option<String>,
}

/// Runs a `version` command.
pub fn run(ctx: &mut Ctx, ui: &mut Ui, cmd: &VersionCommand) -> Result<(), CommandError> {
    match cmd {
        VersionCommand::Cut(a) => cut(ctx, ui, a),
        VersionCommand::List => list(ctx, ui),
        VersionCommand::Show(a) => show(ctx, ui, a),
        VersionCommand::Export(a) => super::export::run(ctx, ui, a),
    }
}

/// Finds a version by name (`v3`, `3`), `latest`, or an unambiguous label prefix.
pub(super) fn resolve(ws: &Workspace, spec: &str) -> Result<Version, CommandError> {
    if spec == "latest" {
        return match ws.latest_version_name()? {
            Some(v) => Ok(ws.version(v)?),
            None => Err(CommandError::user("No version has been cut yet.")
                .hint("Cut the first with `strategi version cut --label LABEL`.")),
        };
    }
    if let Ok(name) = spec.parse::<VersionName>() {
        return Ok(ws.version(name)?);
    }
    let needle = spec.to_lowercase();
    let matches: Vec<Version> = ws
        .versions()?
        .into_iter()
        .filter(|v| v.label.to_lowercase().starts_with(&needle))
        .collect();
    match matches.len() {
        1 => Ok(matches
            .into_iter()
            .next()
            .ok_or_else(|| CommandError::internal("lost a match"))?),
        0 => Err(StoreError::UnknownVersion {
            name: spec.to_string(),
            latest: ws.latest_version_name()?,
        }
        .into()),
        _ => Err(CommandError::user(format!(
            "\"{spec}\" matches the labels of several versions: {}.",
            matches
                .iter()
                .map(|v| format!("{} \"{}\"", v.name, v.label))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .hint("Name the version, e.g. v2.")),
    }
}

/// Parses stored draft files into a document; a file that is not UTF-8 is an error
/// naming it.
pub(super) fn document(files: Vec<StoredFile>, origin: &str) -> Result<Document, CommandError> {
    Ok(Document::parse(&sources(files, origin)?))
}

/// Stored draft files as source files; a file that is not UTF-8 is an error naming it.
pub(super) fn sources(
    files: Vec<StoredFile>,
    origin: &str,
) -> Result<Vec<SourceFile>, CommandError> {
    let mut sources = Vec::with_capacity(files.len());
    for f in files {
        let text = String::from_utf8(f.bytes).map_err(|e| {
            CommandError::user(format!(
                "\"strategy/{}\" ({origin}) is not UTF-8 text: invalid byte at offset {}.",
                f.path,
                e.utf8_error().valid_up_to()
            ))
            .hint("Save the file as UTF-8 in your editor.")
        })?;
        sources.push(SourceFile { name: f.path, text });
    }
    Ok(sources)
}

#[derive(Serialize)]
struct Cut {
    version: Version,
    files: usize,
    sections: usize,
    words: usize,
}

fn cut(ctx: &mut Ctx, ui: &mut Ui, args: &CutArgs) -> Result<(), CommandError> {
    let label = args.label.trim();
    if label.is_empty() || label.chars().any(char::is_control) {
        return Err(CommandError::user("The label must be one line of text.")
            .hint("Give it as --label \"Utkast til arbeidsgruppen\"."));
    }
    let ws = ctx.workspace()?;
    let (tx, config) = ctx.begin_with_config(&ws, "strategi version cut")?;
    let actor = ctx.actor(&ws, &config)?;
    let files = ws.draft_files()?;
    let file_count = files.len();
    let doc = document(files, "the draft")?;
    // A draft without a section is refused by the cut itself (StoreError::NoSection).
    let left_out = ws.draft_files_left_out()?;
    let version = tx.cut_version(label, &actor, &ctx.clock.now())?;
    if !left_out.is_empty() {
        let list: Vec<String> = left_out.iter().map(|f| format!("strategy/{f}")).collect();
        ui.warn(format!(
            "{} not part of {}: only Markdown files directly in strategy/ make up the text, so {} left out of it (kept in the commit). Move {} up into strategy/ to include {}, or out of strategy/.",
            list.join(", "),
            version.name,
            if list.len() == 1 { "it is" } else { "they are" },
            if list.len() == 1 { "it" } else { "them" },
            if list.len() == 1 { "it" } else { "them" },
        ));
    }
    for w in &doc.warnings {
        ui.warn(format!("strategy/{}:{}: {}", w.file, w.line, w.message));
    }
    let result = Cut {
        version,
        files: file_count,
        sections: doc.sections.len(),
        words: doc.word_count(),
    };
    ui.emit(&result, |w| {
        writeln!(
            w,
            "Cut {} \"{}\": {} files, {} sections, {} words.",
            paint(styles::BOLD, result.version.name),
            result.version.label,
            result.files,
            result.sections,
            result.words
        )
    })
}

fn list(ctx: &mut Ctx, ui: &mut Ui) -> Result<(), CommandError> {
    let ws = ctx.workspace()?;
    // A listing reads every tag object once; libgit2 would hash each again to check
    // its id. This process only reads (the CLI is one thread), `verify` reads with
    // the check on, and the zlib checksum still catches a damaged object here.
    let versions = strategi::store::without_object_hash_checks(|| ws.versions())?;
    let oslo = strategi::calendar::oslo();
    ui.emit(&versions, |w| {
        if versions.is_empty() {
            writeln!(
                w,
                "No versions yet. Cut the first with `strategi version cut --label LABEL`."
            )?;
        }
        for v in &versions {
            let date = v.created.to_zoned_datetime(oslo.clone()).date();
            let party = v
                .party
                .as_ref()
                .map(|p| format!(" ({p})"))
                .unwrap_or_default();
            writeln!(
                w,
                "{}  {}  {}  {}",
                paint(styles::BOLD, format!("{:>4}", v.name.to_string())),
                date,
                v.label,
                paint(styles::DIM, format!("{}{party}", v.author))
            )?;
        }
        Ok(())
    })
}

#[derive(Serialize)]
struct SectionRow {
    id: String,
    title: String,
    level: u8,
    file: String,
    line: usize,
    words: usize,
}

fn show(ctx: &mut Ctx, ui: &mut Ui, args: &ShowArgs) -> Result<(), CommandError> {
    let ws = ctx.workspace()?;
    let version = resolve(&ws, &args.name)?;
    let doc = document(ws.version_files(&version)?, &version.name.to_string())?;
    if let Some(id) = &args.section {
        let Some(section) = doc.section(id) else {
            return Err(unknown_section(&doc, id, &version.name.to_string()));
        };
        let value = serde_json::json!({
            "version": version.name,
            "id": section.id,
            "title": section.title,
            "file": section.file,
            "line": section.line,
            "markdown": section.markdown,
        });
        return ui.emit(&value, |w| write!(w, "{}", section.markdown));
    }
    let sections: Vec<SectionRow> = doc
        .sections
        .iter()
        .map(|s| SectionRow {
            id: s.id.clone(),
            title: s.title.clone(),
            level: s.level,
            file: s.file.clone(),
            line: s.line,
            words: s.markdown.split_whitespace().count(),
        })
        .collect();
    let value = serde_json::json!({ "version": version, "sections": sections });
    ui.emit(&value, |w| {
        writeln!(
            w,
            "{} \"{}\"  {}  {}",
            paint(styles::BOLD, version.name),
            version.label,
            version
                .created
                .to_zoned_datetime(strategi::calendar::oslo())
                .date(),
            paint(styles::DIM, &version.commit[..12.min(version.commit.len())])
        )?;
        for s in &sections {
            let indent = "  ".repeat(usize::from(s.level.saturating_sub(1)));
            writeln!(
                w,
                "{indent}{}  {}",
                s.title,
                paint(styles::DIM, format!("#{}  {} words", s.id, s.words))
            )?;
        }
        Ok(())
    })
}

/// The error for a section id that is not in the document, suggesting close ids.
pub(super) fn unknown_section(doc: &Document, id: &str, origin: &str) -> CommandError {
    let needle = id.to_lowercase();
    let mut close: Vec<&str> = doc
        .sections
        .iter()
        .map(|s| s.id.as_str())
        .filter(|s| {
            s.contains(&needle)
                || needle.contains(*s)
                || strategi::document::edit_distance(s, &needle) <= 2
        })
        .collect();
    close.truncate(5);
    let err = CommandError::user(format!("{origin} has no section \"{id}\"."));
    if close.is_empty() {
        err.hint(format!(
            "List the sections with `strategi version show {origin}`."
        ))
    } else {
        err.hint(format!(
            "Did you mean {}?",
            close
                .iter()
                .map(|c| format!("\"{c}\""))
                .collect::<Vec<_>>()
                .join(" or ")
        ))
    }
}
