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
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

/// Returns (is_whitespace, byte length, is_newline) of the character at `pos`.
#[inline]
fn ws_at(text: &str, pos: usize) -> (bool, usize, bool) {
    let b = text.as_bytes()[pos];
    if b < 0x80 {
        (matches!(b, b'\t'..=b'\r' | b' '), 1, b == b'\n')
    } else {
        match text[pos..].chars().next() {
            Some(c) => (c.is_whitespace(), c.len_utf8(), false),
            None => (false, 1, false),
        }
    }
}

/// True if the whole string is whitespace (empty included).
pub fn is_blank(text: &str) -> bool {
    if text.is_ascii() {
        text.bytes().all(|b| matches!(b, b'\t'..=b'\r' | b' '))
    } else {
        text.chars().all(char::is_whitespace)
    }
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
        let len = text.len();
        let mut saw_newline = false;
        while self.pos < len {
            let (ws, clen, nl) = ws_at(text, self.pos);
            if !ws {
                break;
            }
            saw_newline |= nl;
            self.pos += clen;
        }
        if self.pos >= len {
            return None;
        }
        let start = self.pos;
        while self.pos < len {
            let (ws, clen, _) = ws_at(text, self.pos);
            if ws {
                break;
            }
            self.pos += clen;
        }
        let run = &text[start..self.pos];
        let is_marker = is_bullet(run) || ordered_marker(run).is_some();
        let sep = if self.first {
            Sep::None
        } else if saw_newline
            && (self.code
                || is_bullet(run)
                || run.starts_with('|')
                || ordered_marker(run).is_some_and(|n| n == 1 || self.list_seen))
        {
            Sep::Newline
        } else {
            Sep::Space
        };
        // Only a marker at a structural line start (or the block start) opens a list;
        // this keeps normalisation idempotent.
        self.list_seen |= is_marker && sep != Sep::Space;
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
    for (sep, _, run) in Runs::new(block) {
        out.push_str(sep.as_str());
        out.push_str(run);
    }
}

/// Splits a block into word and punctuation tokens (see the module documentation).
///
/// ```
/// use strategi::document::{tokenize, TokenKind};
/// let t: Vec<&str> = tokenize("Mål, (2030).").iter().map(|t| t.text).collect();
/// assert_eq!(t, ["Mål", ",", "(", "2030", ")", "."]);
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
    let mut count = 0;
    let mut in_word = false;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (word, clen) = if b < 0x80 {
            (b.is_ascii_alphanumeric(), 1)
        } else {
            match text[i..].chars().next() {
                Some(c) => (is_word_char(c), c.len_utf8()),
                None => (false, 1),
            }
        };
        if word && !in_word {
            count += 1;
        }
        in_word = word;
        i += clen;
    }
    count
}
