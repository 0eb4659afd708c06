//! Renderers for people and programs: text, `--stat`, CriticMarkup and JSON.
//! All are pure functions from a [`DocumentDiff`] to a `String`.

use std::fmt::Write as _;

use super::{
    DocumentDiff, OpKind, ParagraphDiff, ParagraphStatus, SectionDiff, SectionStatus, WordOp,
};
use crate::document::slugify;

/// A change op's texts split for display: whitespace at either end that both sides
/// share is shown outside the change markers.
pub(super) struct Piece<'a> {
    pub lead: &'a str,
    pub old: &'a str,
    pub new: &'a str,
    pub trail: &'a str,
}

fn ws_prefix(s: &str) -> &str {
    &s[..s.len() - s.trim_start().len()]
}

fn ws_suffix(s: &str) -> &str {
    &s[s.trim_end().len()..]
}

pub(super) fn piece(op: &WordOp) -> Piece<'_> {
    let (o, n) = (op.old_text.as_str(), op.new_text.as_str());
    let lead = match op.kind {
        OpKind::Delete => ws_prefix(o),
        OpKind::Insert => ws_prefix(n),
        _ if ws_prefix(o) == ws_prefix(n) => ws_prefix(o),
        _ => "",
    };
    let (o, n) = (
        o.strip_prefix(lead).unwrap_or(o),
        n.strip_prefix(lead).unwrap_or(n),
    );
    let trail = match op.kind {
        OpKind::Delete => ws_suffix(o),
        OpKind::Insert => ws_suffix(n),
        _ if ws_suffix(o) == ws_suffix(n) => ws_suffix(o),
        _ => "",
    };
    let (o, n) = (
        o.strip_suffix(trail).unwrap_or(o),
        n.strip_suffix(trail).unwrap_or(n),
    );
    Piece {
        lead,
        old: o,
        new: n,
        trail,
    }
}

/// Title of a section for headers: new title, old title, or the preamble's file.
pub(super) fn display_title(s: &SectionDiff) -> String {
    let level = s.new_level.or(s.old_level).unwrap_or(0);
    let title = s
        .new_title
        .as_deref()
        .or(s.old_title.as_deref())
        .unwrap_or("");
    if level == 0 {
        let file = s
            .new_file
            .as_deref()
            .or(s.old_file.as_deref())
            .unwrap_or("");
        format!("(preamble of {file})")
    } else {
        title.to_string()
    }
}

/// Notes like `moved, renamed from "Mål"` for a section header.
pub(super) fn notes(s: &SectionDiff) -> Vec<String> {
    let mut v = Vec::new();
    if s.moved && s.status != SectionStatus::Moved {
        v.push("moved".to_string());
    }
    if s.renamed
        && let Some(old) = &s.old_title
    {
        v.push(format!("renamed from \"{old}\""));
    }
    if let Some(old_id) = &s.old_id {
        v.push(format!("id was #{old_id}"));
    }
    if s.level_changed
        && let (Some(a), Some(b)) = (s.old_level, s.new_level)
    {
        v.push(format!("level {a} → {b}"));
    }
    v
}

fn symbol(s: SectionStatus) -> char {
    match s {
        SectionStatus::Unchanged => '=',
        SectionStatus::Changed => '~',
        SectionStatus::Added => '+',
        SectionStatus::Removed => '-',
        SectionStatus::Moved => '>',
        SectionStatus::Renamed => '*',
    }
}

/// Replaces control characters (other than line breaks and tabs) so that text from a
/// document cannot drive the terminal.
fn clean(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        s.chars()
            .map(|c| {
                if c.is_control() && c != '\n' && c != '\t' {
                    '\u{FFFD}'
                } else {
                    c
                }
            })
            .collect()
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// One-line summary of a diff.
pub(super) fn summary_line(d: &DocumentDiff) -> String {
    let s = &d.summary;
    let mut line = format!(
        "{} changed, {} added, {} removed, {} moved, {} renamed; {} words added, {} words removed",
        s.changed, s.added, s.removed, s.moved, s.renamed, s.words_added, s.words_removed
    );
    if s.deadline_reached {
        line.push_str(" (time budget reached: some paragraphs are shown replaced whole)");
    }
    line
}

const RESET: &str = "\x1b[0m";
const DEL: &str = "\x1b[31;9m";
const INS: &str = "\x1b[32;4m";
const BOLD: &str = "\x1b[1m";

/// Plain-text diff for terminals and logs.
///
/// Only sections that are not unchanged are shown, each with a header like
/// `~ changed  2.1 Mål og ambisjoner (#mal)`, then its changed paragraphs with
/// deletions as `[-old-]` and insertions as `{+new+}`. With `color`, deletions are also
/// red and struck through and insertions green and underlined (ANSI escapes), so the
/// output reads the same with or without colour.
pub fn render_text(diff: &DocumentDiff, color: bool) -> String {
    let mut out = String::new();
    if !diff.has_changes() {
        out.push_str("No changes.\n");
        return out;
    }
    let (del_on, ins_on, bold, reset) = if color {
        (DEL, INS, BOLD, RESET)
    } else {
        ("", "", "", "")
    };
    for s in diff
        .sections
        .iter()
        .filter(|s| s.status != SectionStatus::Unchanged)
    {
        let number = if s.number.is_empty() {
            String::new()
        } else {
            format!("{} ", s.number)
        };
        let _ = write!(
            out,
            "{bold}{} {:<8} {number}{} (#{}){reset}",
            symbol(s.status),
            s.status.as_str(),
            clean(&display_title(s)),
            clean(&s.id)
        );
        let notes = notes(s);
        if !notes.is_empty() {
            let _ = write!(out, " [{}]", clean(&notes.join(", ")));
        }
        out.push('\n');
        for p in s
            .paragraphs
            .iter()
            .filter(|p| p.status != ParagraphStatus::Equal)
        {
            let (idx, line) = match p.status {
                ParagraphStatus::Deleted => (p.old_index, p.old_line),
                _ => (p.new_index, p.new_line),
            };
            let _ = writeln!(
                out,
                "  ¶ {} {} ({}line {})",
                idx.map_or(0, |i| i + 1),
                match p.status {
                    ParagraphStatus::Inserted => "inserted",
                    ParagraphStatus::Deleted => "deleted",
                    _ => "changed",
                },
                if p.status == ParagraphStatus::Deleted {
                    "old "
                } else {
                    ""
                },
                line.unwrap_or(0)
            );
            let mut body = String::new();
            for op in &p.ops {
                if op.kind == OpKind::Equal {
                    body.push_str(&clean(&op.new_text));
                    continue;
                }
                let pc = piece(op);
                body.push_str(pc.lead);
                if !pc.old.is_empty() {
                    let _ = write!(body, "{del_on}[-{}-]{reset}", clean(pc.old));
                }
                if !pc.new.is_empty() {
                    let _ = write!(body, "{ins_on}{{+{}+}}{reset}", clean(pc.new));
                }
                body.push_str(pc.trail);
            }
            out.push_str("    ");
            out.push_str(&body.replace('\n', "\n    "));
            out.push('\n');
        }
    }
    out.push_str(&summary_line(diff));
    out.push('\n');
    out
}

/// `--stat`: one line per section that is not unchanged, with words added and
/// removed, then the summary.
pub fn render_stat(diff: &DocumentDiff) -> String {
    let rows: Vec<(String, &SectionDiff)> = diff
        .sections
        .iter()
        .filter(|s| s.status != SectionStatus::Unchanged)
        .map(|s| {
            let number = if s.number.is_empty() {
                String::new()
            } else {
                format!("{} ", s.number)
            };
            (
                clean(&format!("{number}{} (#{})", display_title(s), s.id)).into_owned(),
                s,
            )
        })
        .collect();
    if rows.is_empty() {
        return "No changes.\n".to_string();
    }
    // Padded by display width (a title in another script lines up too); a label wider
    // than the column stays whole, as it ends with the section's id.
    let width = crate::columns::column_width(rows.iter().map(|(l, _)| l.as_str()), 60);
    let mut out = String::new();
    for (label, s) in &rows {
        let _ = writeln!(
            out,
            "{} {} | {:<8} +{} -{}",
            symbol(s.status),
            crate::columns::pad(label, width),
            s.status.as_str(),
            s.words_added,
            s.words_removed
        );
    }
    out.push_str(&summary_line(diff));
    out.push('\n');
    out
}

/// The diff as compact JSON (one line and a final newline). The shape is the serde
/// form of [`DocumentDiff`] (the output equals `serde_json::to_string`); it changes only
/// with [`super::FORMAT_VERSION`].
pub fn render_json(diff: &DocumentDiff) -> String {
    let text: usize = diff
        .sections
        .iter()
        .flat_map(|s| &s.paragraphs)
        .flat_map(|p| &p.ops)
        .map(|o| o.old_text.len() + o.new_text.len() + 96)
        .sum();
    let mut buf = String::with_capacity(text + 400 * diff.sections.len() + 1024);
    // Writing to a String cannot fail.
    let _ = super::json::write_diff(&mut buf, diff);
    buf.push('\n');
    buf
}

/// Writes the JSON of [`render_json`] to a writer (a locked, buffered stdout, say)
/// without building the whole string first.
pub fn write_json<W: std::io::Write>(diff: &DocumentDiff, mut out: W) -> std::io::Result<()> {
    let mut io = super::json::Io(&mut out);
    super::json::write_diff(&mut io, diff)?;
    out.write_all(b"\n")
}

fn critic_ops(out: &mut String, ops: &[WordOp]) {
    for op in ops {
        if op.kind == OpKind::Equal {
            out.push_str(&op.new_text);
            continue;
        }
        let pc = piece(op);
        out.push_str(pc.lead);
        match (pc.old.is_empty(), pc.new.is_empty()) {
            (true, true) => {}
            (false, true) => {
                let _ = write!(out, "{{--{}--}}", pc.old);
            }
            (true, false) => {
                let _ = write!(out, "{{++{}++}}", pc.new);
            }
            (false, false) => {
                let _ = write!(out, "{{~~{}~>{}~~}}", pc.old, pc.new);
            }
        }
        out.push_str(pc.trail);
    }
}

fn critic_paragraph(out: &mut String, p: &ParagraphDiff) {
    match p.status {
        ParagraphStatus::Inserted => {
            let text: String = p.ops.iter().map(|o| o.new_text.as_str()).collect();
            let _ = write!(out, "{{++{text}++}}");
        }
        ParagraphStatus::Deleted => {
            let text: String = p.ops.iter().map(|o| o.old_text.as_str()).collect();
            let _ = write!(out, "{{--{text}--}}");
        }
        _ => critic_ops(out, &p.ops),
    }
}

/// The diff as Markdown with CriticMarkup: `{++inserted++}`, `{--deleted--}`,
/// `{~~old~>new~~}` and `{>>comments<<}`.
///
/// Sections that are not unchanged are written with their headings; runs of paragraphs
/// the diff has no text for are noted as comments. With
/// [`DiffOptions::full_text`](super::DiffOptions::full_text) every section and paragraph
/// is written, which gives the whole new document with the changes marked.
/// CriticMarkup has no escapes, so text that itself contains `{++`, `--}` and the like
/// is written as it is.
pub fn render_markdown(diff: &DocumentDiff) -> String {
    let mut out = String::new();
    for s in &diff.sections {
        if s.status == SectionStatus::Unchanged && s.paragraphs.is_empty() && !diff.full_text {
            continue;
        }
        let level = s.new_level.or(s.old_level).unwrap_or(0);
        let old_title = s.old_title.as_deref().unwrap_or("");
        let new_title = s.new_title.as_deref().unwrap_or("");
        let mut note = Vec::new();
        if s.moved {
            note.push("moved".to_string());
        }
        if s.level_changed
            && let (Some(a), Some(b)) = (s.old_level, s.new_level)
        {
            note.push(format!("level {a} → {b}"));
        }
        if level > 0 {
            out.push_str(&"#".repeat(usize::from(level.min(6))));
            out.push(' ');
            let title = match s.status {
                SectionStatus::Added => format!("{{++{new_title}++}}"),
                SectionStatus::Removed => format!("{{--{old_title}--}}"),
                _ if s.renamed => format!("{{~~{old_title}~>{new_title}~~}}"),
                _ => new_title.to_string(),
            };
            out.push_str(&title);
            let plain = if s.status == SectionStatus::Removed {
                old_title
            } else {
                new_title
            };
            if slugify(plain) != s.id {
                let _ = write!(out, " {{#{}}}", s.id);
            }
            out.push('\n');
        } else if s.status != SectionStatus::Unchanged {
            note.push(format!("{} {}", s.status.as_str(), display_title(s)));
        }
        if !note.is_empty() {
            let _ = writeln!(out, "{{>>{}<<}}", note.join("; "));
        }
        if level > 0 || !note.is_empty() {
            out.push('\n');
        }
        let mut omitted = 0;
        for p in &s.paragraphs {
            if p.status == ParagraphStatus::Equal && p.ops.is_empty() {
                omitted += 1;
                continue;
            }
            if omitted > 0 {
                let _ = writeln!(out, "{{>>{omitted} unchanged paragraph(s)<<}}\n");
                omitted = 0;
            }
            critic_paragraph(&mut out, p);
            out.push_str("\n\n");
        }
        if omitted > 0 {
            let _ = writeln!(out, "{{>>{omitted} unchanged paragraph(s)<<}}\n");
        }
    }
    if out.is_empty() {
        out.push_str("{>>No changes.<<}\n");
    }
    out
}
