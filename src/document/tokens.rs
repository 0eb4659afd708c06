//! Whitespace normalisation and word tokenization of Markdown blocks.
//!
//! A block (a paragraph as [`Paragraph::text`](super::Paragraph::text) holds it) is read
//! as a sequence of *runs* of non-whitespace characters separated by whitespace.
//! Every whitespace run is normalised to a [`Sep`]:
//!
//! - [`Sep::Space`] for ordinary whitespace, whatever its length and whether it holds a
//!   line break. So re-wrapping a paragraph (other line breaks, extra spaces,
//!   indentation of continuation lines, tabs, non-breaking spaces) is not a change.
//! - [`Sep::Newline`] for a *structural* line break, one that Markdown gives meaning to:
//!   the break before a bullet item (`-`, `*`, `+`), before an ordered item (`1.`,
//!   `2)`, …, where the number is 1 or the block already holds a list item), before a
//!   table row (`|`), and every line break inside a fenced code block. A correct
//!   re-wrap never creates or removes these, and keeping them keeps lists and tables
//!   readable in the diff.
//!
//! The *normalised text* of a block is its runs joined by their separators (`""`,
//! `" "` or `"\n"`), without leading or trailing whitespace. Diff offsets are byte
//! offsets into this text.
//!
//! Runs are split further into [`Token`]s: a *word* is a maximal run of letters and
//! digits (Unicode-aware, so `æøå`, `é`, `ß` and combining accents stay inside words),
//! and every other character (punctuation, symbols, Markdown syntax) is a token of its
//! own. `"Mål, 2030."` is `Mål` `,` `2030` `.`.

use super::slug::is_combining_mark;

/// The normalised whitespace before a run or token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sep {
    /// No whitespace: the first run of a block, or a token glued to the previous one.
    None,
    /// Ordinary whitespace, rendered as one space.
    Space,
    /// A structural line break (list item, table row, code line), rendered as `\n`.
    Newline,
}

impl Sep {
    /// The normalised text of the separator: `""`, `" "` or `"\n"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Sep::None => "",
            Sep::Space => " ",
            Sep::Newline => "\n",
        }
    }
}

/// Whether a token is a word or a single punctuation/symbol character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// A maximal run of letters, digits and combining marks.
    Word,
    /// One character that is neither a letter, a digit nor whitespace.
    Punct,
}

/// One token of a block, borrowed from the text it was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Token<'a> {
    /// Word or punctuation.
    pub kind: TokenKind,
    /// The normalised whitespace before the token ([`Sep::None`] for the first token).
    pub sep: Sep,
    /// The token text.
    pub text: &'a str,
    /// Byte offset of `text` in the string that was tokenized.
    pub offset: usize,
}

/// True for characters that belong inside words: Unicode letters and digits, and
/// combining marks.
#[inline]
pub fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    if ('\u{C0}'..='\u{FF}').contains(&c) {
        // Latin-1 letters (æ ø å é ü …), except the two signs × and ÷.
        return c != '×' && c != '÷';
    }
    c.is_alphanumeric() || is_combining_mark(c)
}

/// Byte classes for the scanners: other, ASCII whitespace, `\n`, or a lead byte that
/// may start a multi-byte whitespace character.
const OTHER: u8 = 0;
const WS: u8 = 1;
const NL: u8 = 2;
const MAYBE_WS: u8 = 3;

static CLASS: [u8; 256] = {
    let mut t = [OTHER; 256];
    t[b'\t' as usize] = WS;
    t[b'\n' as usize] = NL;
    t[0x0B] = WS;
    t[0x0C] = WS;
    t[b'\r' as usize] = WS;
    t[b' ' as usize] = WS;
    t[0xC2] = MAYBE_WS;
    t[0xE1] = MAYBE_WS;
    t[0xE2] = MAYBE_WS;
    t[0xE3] = MAYBE_WS;
    t
};

/// Length of the multi-byte whitespace character at `pos` (U+0085, U+00A0, U+1680,
/// U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000: exactly the non-ASCII
/// characters for which `char::is_whitespace` holds), or 0.
#[inline]
fn multibyte_ws(b: &[u8], pos: usize) -> usize {
    match (b.get(pos), b.get(pos + 1), b.get(pos + 2)) {
        (Some(0xC2), Some(0x85 | 0xA0), _) => 2,
        (Some(0xE1), Some(0x9A), Some(0x80)) => 3,
        (Some(0xE2), Some(0x80), Some(0x80..=0x8A | 0xA8 | 0xA9 | 0xAF)) => 3,
        (Some(0xE2), Some(0x81), Some(0x9F)) => 3,
        (Some(0xE3), Some(0x80), Some(0x80)) => 3,
        _ => 0,
    }
}

/// Returns (whitespace length, is newline) at `pos`; length 0 if not whitespace.
#[inline(always)]
fn ws_len(b: &[u8], pos: usize) -> (usize, bool) {
    match CLASS[usize::from(b[pos])] {
        OTHER => (0, false),
        WS => (1, false),
        NL => (1, true),
        _ => (multibyte_ws(b, pos), false),
    }
}

/// True if the whole string is whitespace (empty included).
pub fn is_blank(text: &str) -> bool {
    let b = text.as_bytes();
    let mut pos = 0;
    while pos < b.len() {
        match ws_len(b, pos) {
            (0, _) => return false,
            (n, _) => pos += n,
        }
    }
    true
}

fn is_bullet(run: &str) -> bool {
    matches!(run, "-" | "*" | "+")
}

/// `Some(n)` if the run is an ordered-list marker like `3.` or `12)`.
fn ordered_marker(run: &str) -> Option<u32> {
    let digits = run.strip_suffix(['.', ')'])?;
    if digits.is_empty() || digits.len() > 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn is_fence_start(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with("```") || t.starts_with("~~~")
}

/// Iterator over the whitespace-separated runs of a block with their normalised
/// separators. See the module documentation for the rules.
#[derive(Debug, Clone)]
pub struct Runs<'a> {
    text: &'a str,
    pos: usize,
    first: bool,
    code: bool,
    list_seen: bool,
}

impl<'a> Runs<'a> {
    /// Starts reading `block`.
    pub fn new(block: &'a str) -> Self {
        Runs {
            text: block,
            pos: 0,
            first: true,
            code: is_fence_start(block),
            list_seen: false,
        }
    }
}

impl<'a> Iterator for Runs<'a> {
    /// (separator before the run, byte offset of the run, run text)
    type Item = (Sep, usize, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let text = self.text;
        let b = text.as_bytes();
        let len = b.len();
        let mut saw_newline = false;
        let mut pos = self.pos;
        while pos < len {
            match ws_len(b, pos) {
                (0, _) => break,
                (n, nl) => {
                    saw_newline |= nl;
                    pos += n;
                }
            }
        }
        if pos >= len {
            self.pos = len;
            return None;
        }
        let start = pos;
        // Bytes that are not whitespace (including every byte of a multi-byte letter)
        // are skipped one by one: a run can only end where whitespace starts, which is
        // always a character boundary.
        while pos < len {
            let c = CLASS[usize::from(b[pos])];
            if c == OTHER || (c == MAYBE_WS && multibyte_ws(b, pos) == 0) {
                pos += 1;
            } else {
                break;
            }
        }
        self.pos = pos;
        let Some(run) = text.get(start..pos) else {
            self.pos = len;
            return None;
        };
        let sep = if self.first {
            if is_bullet(run) || ordered_marker(run).is_some() {
                self.list_seen = true;
            }
            Sep::None
        } else if !saw_newline {
            Sep::Space
        } else if self.code || is_bullet(run) || run.starts_with('|') {
            // Only a marker at a structural line start (or the block start) opens a
            // list; this keeps normalisation idempotent.
            self.list_seen |= is_bullet(run);
            Sep::Newline
        } else if ordered_marker(run).is_some_and(|n| n == 1 || self.list_seen) {
            self.list_seen = true;
            Sep::Newline
        } else {
            Sep::Space
        };
        self.first = false;
        Some((sep, start, run))
    }
}

/// The normalised text of a block (see the module documentation).
pub fn normalize(block: &str) -> String {
    let mut out = String::with_capacity(block.len());
    normalize_into(block, &mut out);
    out
}

/// Appends the normalised text of `block` to `out`.
pub fn normalize_into(block: &str, out: &mut String) {
    let mark = out.len();
    if !is_fence_start(block) && normalize_lines(block, out) {
        return;
    }
    out.truncate(mark);
    normalize_runs(block, out);
}

/// The general normaliser: run by run.
pub(crate) fn normalize_runs(block: &str, out: &mut String) {
    // Stretches of runs separated by single spaces are already normalised and are
    // copied in one piece.
    let mut stretch: Option<(usize, usize)> = None;
    for (sep, start, run) in Runs::new(block) {
        let end = start + run.len();
        if let Some((s, e)) = stretch {
            if sep == Sep::Space && start == e + 1 && block.as_bytes().get(e) == Some(&b' ') {
                stretch = Some((s, end));
                continue;
            }
            out.push_str(block.get(s..e).unwrap_or_default());
        }
        out.push_str(sep.as_str());
        stretch = Some((start, end));
    }
    if let Some((s, e)) = stretch {
        out.push_str(block.get(s..e).unwrap_or_default());
    }
}

/// The fast normaliser for the common case: a block whose only whitespace (after
/// trimming) is single spaces and line breaks between non-whitespace is copied with
/// each line break turned into its separator. Returns false, writing nothing, when the
/// block needs the general normaliser; gives exactly the result of [`normalize_runs`]
/// when it returns true.
fn normalize_lines(block: &str, out: &mut String) -> bool {
    let t = block.trim_ascii();
    if !is_simple(t.as_bytes()) {
        return false;
    }
    let first_run = |s: &str| -> usize { s.find([' ', '\n']).unwrap_or(s.len()) };
    let mut list_seen = {
        let run = &t[..first_run(t)];
        is_bullet(run) || ordered_marker(run).is_some()
    };
    let mut start = 0;
    while let Some(p) = t.get(start..).and_then(|s| s.find('\n')) {
        let nl = start + p;
        out.push_str(t.get(start..nl).unwrap_or_default());
        let next = t.get(nl + 1..).unwrap_or_default();
        let run = &next[..first_run(next)];
        if is_bullet(run) || run.starts_with('|') {
            list_seen |= is_bullet(run);
            out.push('\n');
        } else if ordered_marker(run).is_some_and(|n| n == 1 || list_seen) {
            list_seen = true;
            out.push('\n');
        } else {
            out.push(' ');
        }
        start = nl + 1;
    }
    out.push_str(t.get(start..).unwrap_or_default());
    true
}

/// True if the (trimmed) text has no whitespace other than single spaces and single
/// line breaks between non-whitespace characters.
fn is_simple(t: &[u8]) -> bool {
    let Some(&last) = t.last() else { return true };
    // Branch-free folds, so that the compiler can vectorise them.
    let flags = t.iter().zip(&t[1..]).fold(0u8, |acc, (&a, &b)| {
        let a_ws = (a == b' ') | (a == b'\n');
        let b_ws = (b == b' ') | (b == b'\n');
        let control = (a < 0x20) & (a != b'\n');
        let lead = (a == 0xC2) | ((0xE1..=0xE3).contains(&a));
        acc | u8::from((a_ws & b_ws) | control) | (u8::from(lead) << 1)
    });
    if flags & 1 != 0 || last < 0x20 {
        return false;
    }
    // Lead bytes of multi-byte whitespace also start « » – and the like: look closer.
    !(flags & 2 != 0 && (0..t.len()).any(|i| multibyte_ws(t, i) > 0))
}

/// Tokenizes text that is already normalised (its only whitespace is single `' '` and
/// `'\n'` separators, as [`normalize`] writes it), calling `f(kind, sep, text)` for
/// every token; same tokens as [`tokenize`] on such text, but faster.
pub(crate) fn scan_normalized<'a>(text: &'a str, mut f: impl FnMut(TokenKind, Sep, &'a str)) {
    let b = text.as_bytes();
    let mut sep = Sep::None;
    let mut i = 0;
    while i < b.len() {
        let x = b[i];
        if x == b' ' {
            sep = Sep::Space;
            i += 1;
            continue;
        }
        if x == b'\n' {
            sep = Sep::Newline;
            i += 1;
            continue;
        }
        let (word, clen) = char_at(text, i);
        if word {
            let start = i;
            i += clen;
            while i < b.len() {
                if b[i].is_ascii_alphanumeric() {
                    i += 1;
                    continue;
                }
                let (w, l) = char_at(text, i);
                if !w {
                    break;
                }
                i += l;
            }
            f(TokenKind::Word, sep, text.get(start..i).unwrap_or_default());
        } else {
            f(
                TokenKind::Punct,
                sep,
                text.get(i..i + clen).unwrap_or_default(),
            );
            i += clen;
        }
        sep = Sep::None;
    }
}

/// (is a word character, byte length) of the character at byte `i` (a char boundary).
#[inline(always)]
fn char_at(text: &str, i: usize) -> (bool, usize) {
    let b = text.as_bytes();
    let x = b[i];
    if x < 0x80 {
        return (x.is_ascii_alphanumeric(), 1);
    }
    if x == 0xC3 {
        // U+00C0..U+00FF: Latin-1 letters (æ ø å é …), except × (C3 97) and ÷ (C3 B7).
        return (!matches!(b.get(i + 1), Some(0x97 | 0xB7)), 2);
    }
    match text.get(i..).and_then(|s| s.chars().next()) {
        Some(c) => (is_word_char(c), c.len_utf8()),
        None => (false, 1),
    }
}

/// Splits a block into word and punctuation tokens (see the module documentation).
///
/// ```text
/// "Mål, (2030)."  →  Mål  ,  (  2030  )  .
/// ```
pub fn tokenize(block: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    tokenize_into(block, &mut out);
    out
}

/// Like [`tokenize`], appending to a vector that can be reused.
pub fn tokenize_into<'a>(block: &'a str, out: &mut Vec<Token<'a>>) {
    for (sep, start, run) in Runs::new(block) {
        split_run(run, start, sep, out);
    }
}

fn split_run<'a>(run: &'a str, base: usize, sep: Sep, out: &mut Vec<Token<'a>>) {
    let mut sep = sep;
    let mut word_start: Option<usize> = None;
    for (i, c) in run.char_indices() {
        if is_word_char(c) {
            if word_start.is_none() {
                word_start = Some(i);
            }
            continue;
        }
        if let Some(ws) = word_start.take() {
            out.push(Token {
                kind: TokenKind::Word,
                sep,
                text: &run[ws..i],
                offset: base + ws,
            });
            sep = Sep::None;
        }
        let end = i + c.len_utf8();
        out.push(Token {
            kind: TokenKind::Punct,
            sep,
            text: &run[i..end],
            offset: base + i,
        });
        sep = Sep::None;
    }
    if let Some(ws) = word_start {
        out.push(Token {
            kind: TokenKind::Word,
            sep,
            text: &run[ws..],
            offset: base + ws,
        });
    }
}

/// Number of words (runs of letters and digits) in a text; punctuation, Markdown
/// syntax and whitespace are not counted.
pub fn count_words(text: &str) -> usize {
    let b = text.as_bytes();
    // Fast path for text whose only non-ASCII characters are Latin-1 letters (C3 xx,
    // without × and ÷): continuation bytes then always belong to a letter, and word
    // starts can be counted byte by byte without branches.
    let simple = !b.iter().fold(false, |acc, &c| {
        acc | (c == 0xC2) | (c >= 0xC4) | (c == 0x97) | (c == 0xB7)
    });
    if simple {
        let is_word = |c: u8| c.is_ascii_alphanumeric() | (c >= 0x80);
        let first = usize::from(b.first().is_some_and(|&c| is_word(c)));
        return first
            + b.windows(2).fold(0usize, |n, w| {
                n + usize::from(is_word(w[1]) & !is_word(w[0]))
            });
    }
    let mut count = 0;
    let mut in_word = false;
    let mut i = 0;
    while i < b.len() {
        let (word, clen) = char_at(text, i);
        if word && !in_word {
            count += 1;
        }
        in_word = word;
        i += clen;
    }
    count
}
