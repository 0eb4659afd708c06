//! A fast writer for the JSON form of a [`DocumentDiff`].
//!
//! It writes exactly what `serde_json::to_string` writes for the derived `Serialize`
//! implementations (the tests check this), but copies strings that need no escapes in
//! one piece, which matters for large diffs: most of the output is document text.

use std::io::{self, Write};

/// Where the JSON goes: a `String` or an `io::Write`.
pub(super) trait Out {
    /// Appends text.
    fn put(&mut self, s: &str) -> io::Result<()>;
}

impl Out for String {
    fn put(&mut self, s: &str) -> io::Result<()> {
        self.push_str(s);
        Ok(())
    }
}

/// An `io::Write` as an [`Out`].
pub(super) struct Io<W>(pub W);

impl<W: Write> Out for Io<W> {
    fn put(&mut self, s: &str) -> io::Result<()> {
        self.0.write_all(s.as_bytes())
    }
}

fn num<O: Out>(w: &mut O, mut n: usize) -> io::Result<()> {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    w.put(std::str::from_utf8(&buf[i..]).unwrap_or("0"))
}

fn boolean<O: Out>(w: &mut O, b: bool) -> io::Result<()> {
    w.put(if b { "true" } else { "false" })
}

use super::{
    DiffSummary, DiffWarning, DocumentDiff, OpKind, ParagraphDiff, ParagraphStatus, SectionDiff,
    Side, WordOp,
};

/// Writes `diff` as compact JSON (no trailing newline).
pub(super) fn write_diff<O: Out>(w: &mut O, d: &DocumentDiff) -> io::Result<()> {
    w.put("{\"format_version\":")?;
    num(w, d.format_version as usize)?;
    w.put(",\"section_filter\":")?;
    opt_str(w, d.section_filter.as_deref())?;
    w.put(",\"full_text\":")?;
    boolean(w, d.full_text)?;
    w.put(",\"summary\":")?;
    summary(w, &d.summary)?;
    w.put(",\"sections\":[")?;
    for (k, s) in d.sections.iter().enumerate() {
        if k > 0 {
            w.put(",")?;
        }
        section(w, s)?;
    }
    w.put("],\"warnings\":[")?;
    for (k, x) in d.warnings.iter().enumerate() {
        if k > 0 {
            w.put(",")?;
        }
        warning(w, x)?;
    }
    w.put("]}")
}

fn summary<O: Out>(w: &mut O, s: &DiffSummary) -> io::Result<()> {
    let fields = [
        ("{\"sections_old\":", s.sections_old),
        (",\"sections_new\":", s.sections_new),
        (",\"unchanged\":", s.unchanged),
        (",\"changed\":", s.changed),
        (",\"added\":", s.added),
        (",\"removed\":", s.removed),
        (",\"moved\":", s.moved),
        (",\"renamed\":", s.renamed),
        (",\"words_added\":", s.words_added),
        (",\"words_removed\":", s.words_removed),
        (",\"paragraphs_changed\":", s.paragraphs_changed),
        (",\"paragraphs_inserted\":", s.paragraphs_inserted),
        (",\"paragraphs_deleted\":", s.paragraphs_deleted),
    ];
    for (name, n) in fields {
        w.put(name)?;
        num(w, n)?;
    }
    w.put(",\"deadline_reached\":")?;
    boolean(w, s.deadline_reached)?;
    w.put("}")
}

fn section<O: Out>(w: &mut O, s: &SectionDiff) -> io::Result<()> {
    w.put("{\"id\":")?;
    string(w, &s.id)?;
    w.put(",\"old_id\":")?;
    opt_str(w, s.old_id.as_deref())?;
    w.put(",\"status\":\"")?;
    w.put(s.status.as_str())?;
    w.put("\",\"moved\":")?;
    boolean(w, s.moved)?;
    w.put(",\"renamed\":")?;
    boolean(w, s.renamed)?;
    w.put(",\"content_changed\":")?;
    boolean(w, s.content_changed)?;
    w.put(",\"level_changed\":")?;
    boolean(w, s.level_changed)?;
    w.put(",\"number\":")?;
    string(w, &s.number)?;
    w.put(",\"old_title\":")?;
    opt_str(w, s.old_title.as_deref())?;
    w.put(",\"new_title\":")?;
    opt_str(w, s.new_title.as_deref())?;
    w.put(",\"old_level\":")?;
    opt_num(w, s.old_level.map(usize::from))?;
    w.put(",\"new_level\":")?;
    opt_num(w, s.new_level.map(usize::from))?;
    w.put(",\"old_index\":")?;
    opt_num(w, s.old_index)?;
    w.put(",\"new_index\":")?;
    opt_num(w, s.new_index)?;
    w.put(",\"old_file\":")?;
    opt_str(w, s.old_file.as_deref())?;
    w.put(",\"new_file\":")?;
    opt_str(w, s.new_file.as_deref())?;
    w.put(",\"old_line\":")?;
    opt_num(w, s.old_line)?;
    w.put(",\"new_line\":")?;
    opt_num(w, s.new_line)?;
    w.put(",\"words_added\":")?;
    num(w, s.words_added)?;
    w.put(",\"words_removed\":")?;
    num(w, s.words_removed)?;
    w.put(",\"paragraphs\":[")?;
    for (k, p) in s.paragraphs.iter().enumerate() {
        if k > 0 {
            w.put(",")?;
        }
        paragraph(w, p)?;
    }
    w.put("]}")
}

fn paragraph<O: Out>(w: &mut O, p: &ParagraphDiff) -> io::Result<()> {
    let status = match p.status {
        ParagraphStatus::Equal => "equal",
        ParagraphStatus::Changed => "changed",
        ParagraphStatus::Inserted => "inserted",
        ParagraphStatus::Deleted => "deleted",
    };
    w.put("{\"status\":\"")?;
    w.put(status)?;
    w.put("\",\"old_index\":")?;
    opt_num(w, p.old_index)?;
    w.put(",\"new_index\":")?;
    opt_num(w, p.new_index)?;
    w.put(",\"old_line\":")?;
    opt_num(w, p.old_line)?;
    w.put(",\"new_line\":")?;
    opt_num(w, p.new_line)?;
    w.put(",\"ops\":[")?;
    for (k, op) in p.ops.iter().enumerate() {
        if k > 0 {
            w.put(",")?;
        }
        word_op(w, op)?;
    }
    w.put("]}")
}

fn word_op<O: Out>(w: &mut O, op: &WordOp) -> io::Result<()> {
    let kind = match op.kind {
        OpKind::Equal => "equal",
        OpKind::Delete => "delete",
        OpKind::Insert => "insert",
        OpKind::Replace => "replace",
    };
    w.put("{\"kind\":\"")?;
    w.put(kind)?;
    w.put("\",\"old_text\":")?;
    string(w, &op.old_text)?;
    w.put(",\"new_text\":")?;
    string(w, &op.new_text)?;
    w.put(",\"old_offset\":")?;
    num(w, op.old_offset)?;
    w.put(",\"new_offset\":")?;
    num(w, op.new_offset)?;
    w.put("}")
}

fn warning<O: Out>(w: &mut O, x: &DiffWarning) -> io::Result<()> {
    let side = match x.side {
        Side::Old => "old",
        Side::New => "new",
    };
    w.put("{\"side\":\"")?;
    w.put(side)?;
    w.put("\",\"file\":")?;
    string(w, &x.file)?;
    w.put(",\"line\":")?;
    num(w, x.line)?;
    w.put(",\"message\":")?;
    string(w, &x.message)?;
    w.put("}")
}

fn opt_str<O: Out>(w: &mut O, s: Option<&str>) -> io::Result<()> {
    match s {
        Some(s) => string(w, s),
        None => w.put("null"),
    }
}

fn opt_num<O: Out>(w: &mut O, n: Option<usize>) -> io::Result<()> {
    match n {
        Some(n) => num(w, n),
        None => w.put("null"),
    }
}

/// A JSON string, escaped as serde_json does.
fn string<O: Out>(w: &mut O, s: &str) -> io::Result<()> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let b = s.as_bytes();
    w.put("\"")?;
    // Most strings need no escapes: check with a branch-free (vectorisable) pass.
    let plain = !b.iter().fold(false, |acc, &c| {
        acc | (c < 0x20) | (c == b'"') | (c == b'\\')
    });
    if plain {
        w.put(s)?;
        return w.put("\"");
    }
    let mut start = 0;
    for (i, &c) in b.iter().enumerate() {
        let esc = match c {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0C => "\\f",
            0x00..=0x1F => "",
            _ => continue,
        };
        // `i` is an ASCII byte, so a character boundary.
        w.put(s.get(start..i).unwrap_or_default())?;
        if esc.is_empty() {
            let hex = [
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(c >> 4)],
                HEX[usize::from(c & 15)],
            ];
            w.put(std::str::from_utf8(&hex).unwrap_or_default())?;
        } else {
            w.put(esc)?;
        }
        start = i + 1;
    }
    w.put(s.get(start..).unwrap_or_default())?;
    w.put("\"")
}
