//! Line-based Markdown scanner: finds headings, then cuts sections and paragraphs.
//!
//! No regular expressions and no Markdown AST: one pass over the lines of each file
//! classifies them, a second pass cuts the text. Both are linear in the input.

use std::collections::{HashMap, HashSet};

use super::slug::slugify;
use super::tokens::is_blank;
use super::{DocWarning, Document, Paragraph, Section, SourceFile};

/// A blank line that ends a paragraph.
const BLANK: u8 = 1;
/// A line inside a fenced block, comment or front matter: blank lines do not split.
const NOSPLIT: u8 = 2;
/// A new paragraph starts at this line even without a blank line before it.
const BREAK: u8 = 4;

/// Line starts of a text (a line ends before its `\n` or `\r\n`).
struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Self {
        const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
        const NEWLINES: u64 = 0x0A0A_0A0A_0A0A_0A0A;
        let b = text.as_bytes();
        let mut starts = Vec::with_capacity(b.len() / 48 + 1);
        if b.is_empty() {
            return Lines { text, starts };
        }
        starts.push(0);
        // Eight bytes at a time: the high bit of each byte of `m` is set exactly where
        // the byte is `\n`.
        let mut chunks = b.chunks_exact(8);
        let mut base = 0;
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            let x = u64::from_le_bytes(w) ^ NEWLINES;
            let mut m = !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7);
            while m != 0 {
                starts.push(base + (m.trailing_zeros() / 8) as usize + 1);
                m &= m - 1;
            }
            base += 8;
        }
        for (k, &x) in chunks.remainder().iter().enumerate() {
            if x == b'\n' {
                starts.push(base + k + 1);
            }
        }
        if starts.last() == Some(&b.len()) {
            starts.pop();
        }
        Lines { text, starts }
    }

    fn len(&self) -> usize {
        self.starts.len()
    }

    /// Byte offset where line `i` starts (the text length past the last line).
    fn start(&self, i: usize) -> usize {
        self.starts.get(i).copied().unwrap_or(self.text.len())
    }

    /// Byte offset where the content of line `i` ends.
    fn end(&self, i: usize) -> usize {
        let start = self.start(i);
        let b = self.text.as_bytes();
        let mut e = self.start(i + 1);
        if e > start && b.get(e - 1) == Some(&b'\n') {
            e -= 1;
        }
        if e > start && b.get(e - 1) == Some(&b'\r') {
            e -= 1;
        }
        e
    }

    fn line(&self, i: usize) -> &'t str {
        self.text
            .get(self.start(i)..self.end(i))
            .unwrap_or_default()
    }
}

#[derive(Debug)]
struct Heading {
    /// First line of the heading (0-based).
    start: usize,
    /// One past the last line of the heading (the underline for setext).
    end: usize,
    level: u8,
    title: String,
    explicit_id: Option<String>,
    /// Whether the heading ended with a valid attribute block (`{#id}`, `{.class}`).
    attrs: bool,
}

struct Scanned<'t> {
    lines: Lines<'t>,
    flags: Vec<u8>,
    headings: Vec<Heading>,
}

/// A section before its id is made unique.
struct Proto {
    file: usize,
    /// Line range of the whole section (0-based, end exclusive).
    start: usize,
    end: usize,
    /// First body line.
    body: usize,
    level: u8,
    title: String,
    explicit_id: Option<String>,
    base_id: String,
}

pub(super) fn parse_one(name: &str, text: &str, markdown: bool) -> Document {
    // Avoids copying the text into a SourceFile.
    parse_inner(&[(name, text)], markdown)
}

pub(super) fn parse(files: &[SourceFile], markdown: bool) -> Document {
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|f| (f.name.as_str(), f.text.as_str()))
        .collect();
    parse_inner(&refs, markdown)
}

fn parse_inner(files: &[(&str, &str)], keep_markdown: bool) -> Document {
    let mut warnings = Vec::new();
    let mut scanned = Vec::with_capacity(files.len());
    let mut protos = Vec::new();
    for (fi, (name, text)) in files.iter().enumerate() {
        let sc = scan(text, name, &mut warnings);
        let first_heading = sc.headings.first().map_or(sc.lines.len(), |h| h.start);
        if (0..first_heading).any(|i| !is_blank(sc.lines.line(i))) {
            protos.push(Proto {
                file: fi,
                start: 0,
                end: first_heading,
                body: 0,
                level: 0,
                title: String::new(),
                explicit_id: None,
                base_id: format!("{}-preamble", slugify(file_stem(name))),
            });
        }
        for (hi, h) in sc.headings.iter().enumerate() {
            let end = sc.headings.get(hi + 1).map_or(sc.lines.len(), |n| n.start);
            protos.push(Proto {
                file: fi,
                start: h.start,
                end,
                body: h.end,
                level: h.level,
                title: h.title.clone(),
                explicit_id: h.explicit_id.clone(),
                base_id: slugify(&h.title),
            });
        }
        scanned.push(sc);
    }

    let ids = assign_ids(&protos, files, &mut warnings);
    let mut sections = Vec::with_capacity(protos.len());
    for (p, id) in protos.into_iter().zip(ids) {
        let (name, text) = files[p.file];
        let sc = &scanned[p.file];
        let from = sc.lines.start(p.start);
        let to = sc.lines.start(p.end);
        sections.push(Section {
            id,
            title: p.title,
            level: p.level,
            file: name.to_string(),
            line: p.start + 1,
            markdown: if keep_markdown {
                text.get(from..to).unwrap_or_default().to_string()
            } else {
                String::new()
            },
            paragraphs: paragraphs(text, sc, p.body, p.end),
        });
    }
    Document { sections, warnings }
}

/// `text` with the attribute block (`{#id}`, `{.class}`, …) taken off every heading
/// that ends with one: such an ATX heading is written again as `#`s, a space and its
/// title; such a setext heading as its title on one line above its underline. Every
/// other line is kept byte for byte, line endings included.
pub(super) fn strip_heading_attrs(text: &str) -> String {
    let mut warnings = Vec::new();
    let sc = scan(text, "", &mut warnings);
    let mut out = String::with_capacity(text.len());
    let mut next = 0; // first line not yet copied
    for h in sc.headings.iter().filter(|h| h.attrs) {
        let atx = h.end == h.start + 1;
        if !atx && h.title.is_empty() {
            continue;
        }
        out.push_str(
            text.get(sc.lines.start(next)..sc.lines.start(h.start))
                .unwrap_or_default(),
        );
        let last = if atx { h.start } else { h.end - 2 };
        let ending = text
            .get(sc.lines.end(last)..sc.lines.start(last + 1))
            .unwrap_or_default();
        if atx {
            out.push_str(&"#".repeat(usize::from(h.level)));
            if !h.title.is_empty() {
                out.push(' ');
                out.push_str(&h.title);
            }
        } else {
            out.push_str(&h.title);
        }
        out.push_str(ending);
        next = if atx { h.end } else { h.end - 1 };
    }
    out.push_str(text.get(sc.lines.start(next)..).unwrap_or_default());
    out
}

fn file_stem(name: &str) -> &str {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    match base.rfind('.') {
        Some(i) if i > 0 => &base[..i],
        _ => base,
    }
}

fn assign_ids(
    protos: &[Proto],
    files: &[(&str, &str)],
    warnings: &mut Vec<DocWarning>,
) -> Vec<String> {
    // Explicit ids are reserved by their first occurrence, so an automatic id never
    // takes an id that an author wrote down.
    let mut reserved: HashMap<&str, usize> = HashMap::new();
    for (i, p) in protos.iter().enumerate() {
        if let Some(id) = &p.explicit_id {
            reserved.entry(id.as_str()).or_insert(i);
        }
    }
    let mut used: HashSet<String> = HashSet::with_capacity(protos.len());
    let mut next_suffix: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::with_capacity(protos.len());
    for (i, p) in protos.iter().enumerate() {
        let (base, explicit) = match &p.explicit_id {
            Some(id) => (id.as_str(), true),
            None => (p.base_id.as_str(), false),
        };
        let free = if explicit {
            reserved.get(base) == Some(&i)
        } else {
            !used.contains(base) && !reserved.contains_key(base)
        };
        let id = if free {
            base.to_string()
        } else {
            let mut n = next_suffix.get(base).copied().unwrap_or(2);
            let id = loop {
                let cand = format!("{base}-{n}");
                n += 1;
                if !used.contains(&cand) && !reserved.contains_key(cand.as_str()) {
                    break cand;
                }
            };
            next_suffix.insert(base.to_string(), n);
            if explicit {
                let first = reserved.get(base).and_then(|&j| protos.get(j));
                let at = first
                    .map(|f| format!(" at {}:{}", files[f.file].0, f.start + 1))
                    .unwrap_or_default();
                warnings.push(DocWarning {
                    file: files[p.file].0.to_string(),
                    line: p.start + 1,
                    message: format!(
                        "Heading id \"{base}\" is already used{at}; this heading gets the id \"{id}\"."
                    ),
                });
            }
            id
        };
        used.insert(id.clone());
        out.push(id);
    }
    out
}

fn paragraphs(text: &str, sc: &Scanned, from: usize, to: usize) -> Vec<Paragraph> {
    let mut out = Vec::new();
    let mut cur: Option<(usize, usize)> = None;
    let flush = |cur: &mut Option<(usize, usize)>, out: &mut Vec<Paragraph>| {
        if let Some((first, last)) = cur.take() {
            let a = sc.lines.start(first);
            let b = sc.lines.end(last);
            out.push(Paragraph {
                text: text.get(a..b).unwrap_or_default().to_string(),
                line: first + 1,
            });
        }
    };
    for j in from..to.min(sc.lines.len()) {
        let f = sc.flags[j];
        if f & BLANK != 0 {
            flush(&mut cur, &mut out);
            continue;
        }
        if f & BREAK != 0 {
            flush(&mut cur, &mut out);
        }
        cur = match cur {
            Some((first, _)) => Some((first, j)),
            None => Some((j, j)),
        };
    }
    flush(&mut cur, &mut out);
    out
}

/// (indentation in columns, byte length of the indentation)
fn indentation(line: &str) -> (usize, usize) {
    let mut cols = 0;
    for (i, b) in line.bytes().enumerate() {
        match b {
            b' ' => cols += 1,
            b'\t' => cols += 4 - cols % 4,
            _ => return (cols, i),
        }
    }
    (cols, line.len())
}

/// `Some((fence char, length))` for an opening code fence.
fn fence_open(rest: &str) -> Option<(u8, usize)> {
    let ch = *rest.as_bytes().first()?;
    if ch != b'`' && ch != b'~' {
        return None;
    }
    let n = rest.bytes().take_while(|&b| b == ch).count();
    if n < 3 || (ch == b'`' && rest[n..].contains('`')) {
        return None;
    }
    Some((ch, n))
}

fn is_fence_close(line: &str, ch: u8, len: usize) -> bool {
    let (cols, bytes) = indentation(line);
    if cols > 3 {
        return false;
    }
    let rest = &line[bytes..];
    let n = rest.bytes().take_while(|&b| b == ch).count();
    n >= len && is_blank(&rest[n..])
}

fn atx_level(rest: &str) -> Option<(u8, &str)> {
    let n = rest.bytes().take_while(|&b| b == b'#').count();
    if n == 0 || n > 6 {
        return None;
    }
    let after = &rest[n..];
    if after.is_empty() || after.starts_with([' ', '\t']) {
        Some((n as u8, after))
    } else {
        None
    }
}

fn setext_level(rest: &str) -> Option<u8> {
    let t = rest.trim_end();
    let ch = *t.as_bytes().first()?;
    if (ch == b'=' || ch == b'-') && t.bytes().all(|b| b == ch) {
        Some(if ch == b'=' { 1 } else { 2 })
    } else {
        None
    }
}

fn is_thematic_break(rest: &str) -> bool {
    let Some(&ch) = rest.as_bytes().first() else {
        return false;
    };
    if !matches!(ch, b'-' | b'*' | b'_') {
        return false;
    }
    let mut n = 0;
    for b in rest.bytes() {
        if b == ch {
            n += 1;
        } else if b != b' ' && b != b'\t' && b != b'\r' {
            return false;
        }
    }
    n >= 3
}

/// A line that starts a list item or block quote (these interrupt a paragraph and make
/// the following underline a thematic break rather than a setext heading).
fn starts_block(rest: &str) -> bool {
    match rest.as_bytes().first() {
        Some(b'>') => return true,
        Some(b'-' | b'*' | b'+' | b'0'..=b'9') => {}
        _ => return false,
    }
    let first = rest.split([' ', '\t']).next().unwrap_or("");
    let spaced = rest.len() == first.len() || rest[first.len()..].starts_with([' ', '\t']);
    if !spaced {
        return false;
    }
    if matches!(first, "-" | "*" | "+") {
        return true;
    }
    match first.strip_suffix(['.', ')']) {
        Some(d) => !d.is_empty() && d.len() <= 9 && d.bytes().all(|b| b.is_ascii_digit()),
        None => false,
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))
}

/// Parses a trailing `{...}` attribute block. Returns the text before it and the id.
fn trailing_attr(t: &str) -> Option<(&str, Option<String>)> {
    let inner_end = t.strip_suffix('}')?;
    let open = inner_end.rfind('{')?;
    let inner = &inner_end[open + 1..];
    let mut id = None;
    let mut any = false;
    for tok in attr_tokens(inner) {
        any = true;
        if let Some(rest) = tok.strip_prefix('#') {
            if !valid_id(rest) {
                return None;
            }
            if id.is_none() {
                id = Some(rest.to_string());
            }
        } else if let Some(class) = tok.strip_prefix('.') {
            if class.is_empty() {
                return None;
            }
        } else if tok == "-" {
        } else if let Some(eq) = tok.find('=') {
            if eq == 0 {
                return None;
            }
        } else {
            return None;
        }
    }
    if !any {
        return None;
    }
    Some((&t[..open], id))
}

/// Whitespace-separated tokens, keeping quoted values (`title="a b"`) together.
fn attr_tokens(inner: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut quote: Option<char> = None;
    for (i, c) in inner.char_indices() {
        match quote {
            Some(q) => {
                if c == q {
                    quote = None;
                }
            }
            None => {
                if c.is_whitespace() {
                    if let Some(s) = start.take() {
                        out.push(&inner[s..i]);
                    }
                } else {
                    if start.is_none() {
                        start = Some(i);
                    }
                    if c == '"' || c == '\'' {
                        quote = Some(c);
                    }
                }
            }
        }
    }
    if let Some(s) = start {
        out.push(&inner[s..]);
    }
    out
}

fn strip_closing_hashes(t: &str) -> &str {
    if t.bytes().all(|b| b == b'#') {
        return "";
    }
    let s = t.trim_end_matches('#');
    if s.len() < t.len() && s.ends_with([' ', '\t']) {
        s.trim_end()
    } else {
        t
    }
}

/// Title and explicit id of a heading; pushes a warning for a malformed attribute block.
fn split_title(
    raw: &str,
    atx: bool,
    file: &str,
    line: usize,
    warnings: &mut Vec<DocWarning>,
) -> (String, Option<String>, bool) {
    let mut t = raw.trim();
    let mut id = None;
    let mut found = false;
    if let Some((before, attr_id)) = trailing_attr(t) {
        t = before.trim_end();
        id = attr_id;
        found = true;
    }
    if atx {
        t = strip_closing_hashes(t);
        if !found && let Some((before, attr_id)) = trailing_attr(t) {
            t = before.trim_end();
            id = attr_id;
            found = true;
        }
    }
    if !found && t.ends_with('}') && t.contains("{#") {
        warnings.push(DocWarning {
            file: file.to_string(),
            line,
            message: format!(
                "The attribute block at the end of heading \"{t}\" is not valid (ids may hold letters, digits, '-', '_', '.' and ':'), so it is kept as title text."
            ),
        });
    }
    (t.to_string(), id, found)
}

fn scan<'t>(text: &'t str, name: &str, warnings: &mut Vec<DocWarning>) -> Scanned<'t> {
    let lines = Lines::new(text);
    let n = lines.len();
    let mut flags = vec![0u8; n];
    let mut headings = Vec::new();
    let line_text = |i: usize| lines.line(i);

    let mut i = 0;
    // YAML front matter: `---` on the first line, closed by `---` or `...`.
    if n > 1 && line_text(0).trim_end() == "---" {
        let close = (1..n).find(|&j| matches!(line_text(j).trim_end(), "---" | "..."));
        if let Some(close) = close {
            for f in &mut flags[..=close] {
                *f |= NOSPLIT;
            }
            if close + 1 < n {
                flags[close + 1] |= BREAK;
            }
            i = close + 1;
        }
    }

    let mut fence: Option<(u8, usize, usize)> = None;
    let mut in_comment = false;
    // Current paragraph: (first line, may it become a setext heading?)
    let mut para: Option<(usize, bool)> = None;
    while i < n {
        let l = line_text(i);
        let this = i;
        i += 1;
        if let Some((ch, len, _)) = fence {
            flags[this] |= NOSPLIT;
            if is_fence_close(l, ch, len) {
                fence = None;
                if this + 1 < n {
                    flags[this + 1] |= BREAK;
                }
            }
            continue;
        }
        if in_comment {
            flags[this] |= NOSPLIT;
            if l.contains("-->") {
                in_comment = false;
                if this + 1 < n {
                    flags[this + 1] |= BREAK;
                }
            }
            continue;
        }
        if is_blank(l) {
            flags[this] |= BLANK;
            para = None;
            continue;
        }
        let (cols, ind_bytes) = indentation(l);
        if cols >= 4 {
            if para.is_none() {
                para = Some((this, false));
            }
            continue;
        }
        let rest = &l[ind_bytes..];
        if let Some((ch, len)) = fence_open(rest) {
            fence = Some((ch, len, this));
            flags[this] |= BREAK | NOSPLIT;
            para = None;
            continue;
        }
        if let Some((level, raw)) = atx_level(rest) {
            let (title, explicit_id, attrs) = split_title(raw, true, name, this + 1, warnings);
            headings.push(Heading {
                start: this,
                end: this + 1,
                level,
                title,
                explicit_id,
                attrs,
            });
            para = None;
            continue;
        }
        if let Some((start, true)) = para
            && let Some(level) = setext_level(rest)
        {
            let joined: Vec<&str> = (start..this).map(|j| line_text(j).trim()).collect();
            let raw = joined.join(" ");
            let (title, explicit_id, attrs) = split_title(&raw, false, name, start + 1, warnings);
            headings.push(Heading {
                start,
                end: this + 1,
                level,
                title,
                explicit_id,
                attrs,
            });
            para = None;
            continue;
        }
        if is_thematic_break(rest) {
            flags[this] |= BREAK;
            if this + 1 < n {
                flags[this + 1] |= BREAK;
            }
            para = None;
            continue;
        }
        if let Some(after) = rest.strip_prefix("<!--")
            && !after.contains("-->")
        {
            in_comment = true;
            flags[this] |= BREAK | NOSPLIT;
            para = None;
            continue;
        }
        let interrupts = starts_block(rest);
        if para.is_none() || interrupts {
            para = Some((this, !interrupts && !rest.starts_with('|')));
        }
    }
    if let Some((_, _, open)) = fence {
        warnings.push(DocWarning {
            file: name.to_string(),
            line: open + 1,
            message: "This code fence is never closed, so the rest of the file is read as code and its headings are ignored.".to_string(),
        });
    }
    Scanned {
        lines,
        flags,
        headings,
    }
}
