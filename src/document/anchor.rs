//! Pinning a quote to a section, and finding it again in a later version.
//!
//! # Plain text
//!
//! Quotes are matched against a section's *plain text* ([`section_text`]): its
//! paragraphs (not the heading) each read through [`plain_text`] and joined by one
//! space. [`plain_text`] makes a quote copied from the Word or PDF version of the draft,
//! or typed by hand, comparable with the Markdown source:
//!
//! - every run of whitespace (line breaks included) is one space, so re-wrapping a
//!   paragraph changes nothing; the text is trimmed;
//! - list markers (`-`, `*`, `+`, `1.`, `2)` …) where Markdown reads them as markers (see
//!   [`crate::document::tokens`]), and runs made only of `>` (block quote markers), are
//!   left out; `|` (table cells) counts as whitespace;
//! - emphasis and code marks `*`, `_`, `` ` ``, `~` are left out, and so are `[` and `]`;
//!   a link target right after `]` (`](url)`, `][ref]`) is left out with them, so
//!   `[the text](https://…)` reads `the text`;
//! - typographic variants are folded: curly and angle quotes (`“ ” „ « »`) become `"`,
//!   curly apostrophes `'`, dashes and the minus sign `-` (a run of dashes one `-`), `…`
//!   becomes `...`; soft hyphens and zero-width characters are left out.
//!
//! Letter case is kept. An [`Anchor`] stores the quote in plain text, and its `offset`
//! counts characters (not bytes) in the section's plain text.
//!
//! # Anchoring
//!
//! [`anchor`] finds the quote in the named section. Found: the anchor records up to
//! [`CONTEXT_CHARS`] characters of text before and after it, cut at word boundaries.
//! Found several times: the first occurrence is taken and
//! [`Anchor::occurrences`] says how many there are (not an error). Not found:
//! [`AnchorError::QuoteNotFound`] with the section's passage most like the quote (by
//! word similarity, see below) when it reaches [`CLOSEST_MIN`], so the caller can ask
//! "did you mean …".
//!
//! # Relocating
//!
//! [`Relocator::relocate`] (or [`relocate`] for one anchor) lands an anchor in a later
//! version by these rules, in this order, never guessing beyond them:
//!
//! 1. **Exact**: the quote occurs in the section with the anchor's id. With several
//!    occurrences, the one whose surrounding text is most like the anchor's `before`
//!    and `after` wins (then the one nearest the old offset, then the first).
//! 2. **Moved**: the quote occurs only in other sections (the passage moved, or the
//!    section was renamed and got a new id, or the old section is gone). The
//!    occurrence with the most similar surroundings wins, as above; every other
//!    section where it occurs is listed in `also_in`, so the caller can show that the
//!    choice was not the only one.
//! 3. **Changed**: no exact occurrence, but a passage whose word similarity with the
//!    quote is at least [`CHANGED_THRESHOLD`]: the best passage in the anchor's own
//!    section when one reaches the threshold there, otherwise the best in the rest of
//!    the document. Only quotes of at least [`MIN_FUZZY_WORDS`] words are matched this
//!    way (with fewer, one common word would be a "match").
//! 4. **Orphaned**: none of these.
//!
//! *Word similarity* compares the lower-cased words (runs of letters and digits;
//! punctuation is ignored) of the quote with those of a passage: `2·M / (q + p)`, where
//! `M` is the number of words in their longest common subsequence, `q` the quote's and
//! `p` the passage's word count. A passage is chosen to maximise it: it starts and
//! ends at a common word.
//!
//! # Speed
//!
//! [`Relocator::new`] reads the document once: the plain text of every section, an
//! index of its whitespace-separated runs and an index of its words. An exact lookup of
//! a quote of three or more runs goes through the run index (shorter quotes are
//! searched for in the text), so relocating thousands of anchors that still fit is
//! fast. The similarity search runs only when there is no exact occurrence: first
//! within the section, then in the whole document, where only passages that share
//! enough of the quote's rarer words (found through the word index) are compared.

use std::collections::HashMap;
use std::ops::Range;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use similar::{Algorithm, DiffOp, capture_diff_slices_deadline};

use crate::document::tokens::{Runs, Sep, is_word_char};
use crate::document::{Document, Section};

/// Least word similarity for [`Landing::Changed`].
pub const CHANGED_THRESHOLD: f64 = 0.6;
/// Least word similarity for the closest passage offered by
/// [`AnchorError::QuoteNotFound`].
pub const CLOSEST_MIN: f64 = 0.5;
/// Fewest words a quote needs to be matched by similarity when relocating.
pub const MIN_FUZZY_WORDS: usize = 3;
/// Characters of context recorded before and after a quote (fewer after cutting at a
/// word boundary).
pub const CONTEXT_CHARS: usize = 40;

/// How many candidate passages are compared in detail, per section and per document.
const CANDIDATES: usize = 6;
/// Words more frequent than this (and than 1 % of the document) are not used to find
/// candidate passages in the whole document.
const COMMON_WORD: usize = 1000;
/// Cap on the word positions gathered to find candidate passages in the document.
const MAX_HITS: usize = 200_000;
/// Time allowed for one detailed comparison.
const DIFF_BUDGET: Duration = Duration::from_millis(100);

/// Where a quote sits in a section of one version: the one anchor type, stored as it is
/// in a comment record (`[comment.anchor]`; the section is the comment's own `section`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Anchor {
    /// The quote, in plain text (see the module documentation).
    pub quote: String,
    /// Up to [`CONTEXT_CHARS`] characters of plain text before the quote, cut at a word
    /// boundary (empty at the start of the section).
    #[serde(default)]
    pub before: String,
    /// Up to [`CONTEXT_CHARS`] characters of plain text after the quote, cut at a word
    /// boundary (empty at the end of the section).
    #[serde(default)]
    pub after: String,
    /// Character offset of the quote in the section's plain text.
    pub offset: usize,
    /// How many times the quote occurs in the section (the anchor is at the first).
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub occurrences: usize,
}

fn one() -> usize {
    1
}

fn is_one(n: &usize) -> bool {
    *n == 1
}

/// Why a quote could not be anchored.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnchorError {
    /// The document has no section with that id.
    #[error("The document has no section \"{section}\".")]
    UnknownSection {
        /// The id asked for.
        section: String,
    },
    /// The quote has no text (after reading it as plain text).
    #[error("The quote is empty, so there is nothing to look for.")]
    EmptyQuote,
    /// The quote is not in the section.
    #[error("The quote {quote:?} is not in section \"{section}\"{}.", closest.as_ref().map(|c| format!("; the closest passage there is {c:?}")).unwrap_or_default())]
    QuoteNotFound {
        /// The section id.
        section: String,
        /// The quote in plain text.
        quote: String,
        /// The section's passage most like the quote, if any reaches [`CLOSEST_MIN`].
        closest: Option<String>,
    },
}

/// Where an anchor landed in a later version; see the module documentation for the
/// rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "landing", rename_all = "kebab-case")]
pub enum Landing {
    /// The quote is still in the anchor's section.
    Exact {
        /// The section id (the anchor's).
        section: String,
        /// Character offset of the quote in the section's plain text.
        offset: usize,
    },
    /// The quote is no longer in the anchor's section, but in another one.
    Moved {
        /// The anchor's section id.
        from: String,
        /// The section it is in now.
        to: String,
        /// Character offset of the quote in `to`'s plain text.
        offset: usize,
        /// Other sections where the quote occurs too, in document order.
        also_in: Vec<String>,
    },
    /// The quote is not there word for word, but a passage like it is.
    Changed {
        /// The section of the passage (the anchor's own when the passage is there).
        section: String,
        /// The passage, in plain text.
        new_text: String,
        /// Word similarity of quote and passage, at least [`CHANGED_THRESHOLD`].
        similarity: f64,
        /// Character offset of the passage in the section's plain text.
        offset: usize,
    },
    /// Nothing in the later version is like the quote.
    Orphaned,
}

/// The plain text of a Markdown block or of a quote; see the module documentation.
pub fn plain_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut first = true;
    for (sep, _, run) in Runs::new(text) {
        let structural = first || sep == Sep::Newline;
        first = false;
        // A space is due before the run (none is written at the start).
        let mut space = true;
        if structural && is_list_marker(run) {
            continue;
        }
        if run.chars().all(|c| c == '>') {
            continue;
        }
        push_run(run, &mut out, &mut space);
    }
    out
}

/// The plain text of a section: its paragraphs' plain texts joined by a space.
pub fn section_text(section: &Section) -> String {
    let mut out = String::new();
    for p in &section.paragraphs {
        let t = plain_text(&p.text);
        if t.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&t);
    }
    out
}

fn is_list_marker(run: &str) -> bool {
    if matches!(run, "-" | "*" | "+") {
        return true;
    }
    let Some(digits) = run.strip_suffix(['.', ')']) else {
        return false;
    };
    !digits.is_empty() && digits.len() <= 9 && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Appends one whitespace-free run, with the inline rules of [`plain_text`]. `space`
/// says that a space is due before the next character written.
fn push_run(run: &str, out: &mut String, space: &mut bool) {
    let push = |c: char, out: &mut String, space: &mut bool| {
        if *space {
            if !out.is_empty() {
                out.push(' ');
            }
            *space = false;
        } else if c == '-' && out.ends_with('-') {
            return;
        }
        out.push(c);
    };
    let b = run.as_bytes();
    let mut i = 0;
    while let Some(c) = run.get(i..).and_then(|s| s.chars().next()) {
        let len = c.len_utf8();
        match c {
            '*' | '_' | '`' | '~' | '[' | '\u{AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}'
            | '\u{2060}' | '\u{FEFF}' => {}
            '!' if b.get(i + 1) == Some(&b'[') => {}
            ']' => {
                // `](target)` or `][ref]`: skip the target when it closes in this run.
                let rest = run.get(i + 1..).unwrap_or_default();
                let skip = match rest.chars().next() {
                    Some('(') => closing(rest, '(', ')'),
                    Some('[') => rest.find(']').map(|p| p + 1),
                    _ => None,
                };
                if let Some(n) = skip {
                    i += 1 + n;
                    continue;
                }
            }
            '|' => *space = true,
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' => {
                push('\'', out, space);
            }
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{00AB}' | '\u{00BB}'
            | '\u{2033}' => push('"', out, space),
            '\u{2010}'..='\u{2015}' | '\u{2212}' => push('-', out, space),
            '\u{2026}' => {
                for _ in 0..3 {
                    push('.', out, space);
                }
            }
            c => push(c, out, space),
        }
        i += len;
    }
}

/// Length of `s` (which starts with `open`) up to and including the matching `close`.
fn closing(s: &str, open: char, close: char) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        if c == open {
            depth += 1;
        } else if c == close {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return Some(i + c.len_utf8());
            }
        }
    }
    None
}

/// Whitespace runs to one space, trimmed.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Pins `quote` to the section `section_id` of `doc`; see the module documentation.
pub fn anchor(doc: &Document, section_id: &str, quote: &str) -> Result<Anchor, AnchorError> {
    let section = doc
        .section(section_id)
        .ok_or_else(|| AnchorError::UnknownSection {
            section: section_id.to_string(),
        })?;
    let q = plain_text(quote);
    if q.is_empty() {
        return Err(AnchorError::EmptyQuote);
    }
    let index = Relocator::from_sections(std::iter::once(section));
    let Some(span) = index.sections.first() else {
        return Err(AnchorError::UnknownSection {
            section: section_id.to_string(),
        });
    };
    let range = span.start..span.end;
    let found = index.find_exact(&q, range.clone());
    let Some(&pos) = found.first() else {
        let qids = index.quote_ids(&q);
        let closest = index
            .fuzzy_in_section(0, &qids)
            .filter(|m| m.similarity >= CLOSEST_MIN)
            .map(|m| index.passage(0, &m).0);
        return Err(AnchorError::QuoteNotFound {
            section: section_id.to_string(),
            quote: q,
            closest,
        });
    };
    let text = index.text.get(range).unwrap_or_default();
    let local = pos - span.start;
    Ok(Anchor {
        before: context_before(text, local),
        after: context_after(text, local + q.len()),
        offset: char_offset(text, local),
        occurrences: found.len(),
        quote: q,
    })
}

/// Lands one anchor in `later`. To land many anchors in the same version, build a
/// [`Relocator`] once and call [`Relocator::relocate`] for each.
pub fn relocate(section: &str, anchor: &Anchor, later: &Document) -> Landing {
    Relocator::new(later).relocate(section, anchor)
}

/// A document read once for relocating many anchors; see the module documentation.
#[derive(Debug, Clone)]
pub struct Relocator {
    /// Every section's plain text, each followed by `\n` (which plain text never holds,
    /// so no match crosses sections).
    text: String,
    sections: Vec<Span>,
    by_id: HashMap<String, usize>,
    /// Hash of a whitespace-separated run → byte offsets where it starts, ascending.
    runs: HashMap<u64, Vec<usize>>,
    /// Every word of `text`, in order.
    words: Vec<Word>,
    /// Word id → indices into `words`, ascending.
    postings: Vec<Vec<usize>>,
    /// Lower-cased word → id.
    vocab: HashMap<String, u32>,
}

#[derive(Debug, Clone)]
struct Span {
    id: String,
    /// Byte range of the section's plain text in `Relocator::text`.
    start: usize,
    end: usize,
    /// Range of its words in `Relocator::words`.
    words: Range<usize>,
}

#[derive(Debug, Clone, Copy)]
struct Word {
    id: u32,
    start: usize,
    end: usize,
}

/// A passage found by similarity: global word indices of its first and last word.
#[derive(Debug, Clone, Copy)]
struct Fuzzy {
    similarity: f64,
    first: usize,
    last: usize,
}

/// Word id for quote words that are not in the document.
const UNKNOWN: u32 = u32::MAX;

impl Relocator {
    /// Reads `doc`: the plain text of every section and the indexes.
    pub fn new(doc: &Document) -> Relocator {
        Relocator::from_sections(doc.sections.iter())
    }

    fn from_sections<'a>(sections: impl Iterator<Item = &'a Section>) -> Relocator {
        let mut r = Relocator {
            text: String::new(),
            sections: Vec::new(),
            by_id: HashMap::new(),
            runs: HashMap::new(),
            words: Vec::new(),
            postings: Vec::new(),
            vocab: HashMap::new(),
        };
        for s in sections {
            let start = r.text.len();
            r.text.push_str(&section_text(s));
            let end = r.text.len();
            r.text.push('\n');
            let first_word = r.words.len();
            r.index_words(start, end);
            r.by_id.entry(s.id.clone()).or_insert(r.sections.len());
            r.sections.push(Span {
                id: s.id.clone(),
                start,
                end,
                words: first_word..r.words.len(),
            });
        }
        r.index_runs();
        r
    }

    fn index_words(&mut self, start: usize, end: usize) {
        let Some(text) = self.text.get(start..end) else {
            return;
        };
        let mut word_start: Option<usize> = None;
        let mut found = Vec::new();
        for (i, c) in text
            .char_indices()
            .chain(std::iter::once((text.len(), ' ')))
        {
            if is_word_char(c) {
                word_start.get_or_insert(i);
            } else if let Some(ws) = word_start.take() {
                found.push((ws, i));
            }
        }
        for (ws, we) in found {
            let lower = text.get(ws..we).unwrap_or_default().to_lowercase();
            let next = u32::try_from(self.vocab.len()).unwrap_or(UNKNOWN - 1);
            let id = *self.vocab.entry(lower).or_insert(next);
            let idx = id as usize;
            if self.postings.len() <= idx {
                self.postings.resize_with(idx + 1, Vec::new);
            }
            self.postings[idx].push(self.words.len());
            self.words.push(Word {
                id,
                start: start + ws,
                end: start + we,
            });
        }
    }

    fn index_runs(&mut self) {
        let b = self.text.as_bytes();
        let mut run_start: Option<usize> = None;
        for i in 0..=b.len() {
            let sep = i == b.len() || b[i] == b' ' || b[i] == b'\n';
            if !sep {
                run_start.get_or_insert(i);
            } else if let Some(s) = run_start.take() {
                self.runs.entry(fnv(&b[s..i])).or_default().push(s);
            }
        }
    }

    /// The plain text of the section with this id, as offsets count it.
    pub fn section_text(&self, id: &str) -> Option<&str> {
        let s = self.sections.get(*self.by_id.get(id)?)?;
        self.text.get(s.start..s.end)
    }

    /// Lands `anchor`, pinned in section `section` of an earlier version, in this
    /// document; see the module documentation for the rules.
    pub fn relocate(&self, section: &str, anchor: &Anchor) -> Landing {
        let q = collapse(&anchor.quote);
        let own = self.by_id.get(section).copied();
        if q.is_empty() {
            return match own {
                Some(_) => Landing::Exact {
                    section: section.to_string(),
                    offset: 0,
                },
                None => Landing::Orphaned,
            };
        }
        if let Some(i) = own
            && let Some(span) = self.sections.get(i)
        {
            let found = self.find_exact(&q, span.start..span.end);
            if let Some((_, offset)) = self.best_by_context(anchor, &q, &found) {
                return Landing::Exact {
                    section: span.id.clone(),
                    offset,
                };
            }
        }
        let found = self.find_exact(&q, 0..self.text.len());
        if let Some((sec, offset)) = self.best_by_context(anchor, &q, &found) {
            let to = self
                .sections
                .get(sec)
                .map(|s| s.id.clone())
                .unwrap_or_default();
            let mut also_in: Vec<String> = Vec::new();
            for &p in &found {
                if let Some(s) = self.section_at(p)
                    && s != sec
                    && let Some(span) = self.sections.get(s)
                    && !also_in.contains(&span.id)
                {
                    also_in.push(span.id.clone());
                }
            }
            return Landing::Moved {
                from: section.to_string(),
                to,
                offset,
                also_in,
            };
        }
        let qids = self.quote_ids(&q);
        if qids.len() < MIN_FUZZY_WORDS {
            return Landing::Orphaned;
        }
        let own_match = own.and_then(|i| {
            self.fuzzy_in_section(i, &qids)
                .filter(|m| m.similarity >= CHANGED_THRESHOLD)
                .map(|m| (i, m))
        });
        let found = own_match.or_else(|| {
            self.fuzzy_in_document(&qids, own)
                .filter(|(_, m)| m.similarity >= CHANGED_THRESHOLD)
        });
        match found {
            Some((sec, m)) => {
                let (new_text, offset) = self.passage(sec, &m);
                Landing::Changed {
                    section: self
                        .sections
                        .get(sec)
                        .map(|s| s.id.clone())
                        .unwrap_or_default(),
                    new_text,
                    similarity: m.similarity,
                    offset,
                }
            }
            None => Landing::Orphaned,
        }
    }

    /// Index of the section holding byte `pos` of `text`.
    fn section_at(&self, pos: usize) -> Option<usize> {
        let i = self.sections.partition_point(|s| s.start <= pos);
        i.checked_sub(1).filter(|&i| self.sections[i].end >= pos)
    }

    /// Index of the section holding word `w`.
    fn section_of_word(&self, w: usize) -> Option<usize> {
        let i = self.sections.partition_point(|s| s.words.start <= w);
        i.checked_sub(1)
            .filter(|&i| self.sections[i].words.contains(&w))
    }

    /// Byte offsets in `text` of the non-overlapping occurrences of `q` (plain text, no
    /// line breaks) that lie within `range`, ascending.
    fn find_exact(&self, q: &str, range: Range<usize>) -> Vec<usize> {
        let mut out = Vec::new();
        if q.is_empty() || q.contains('\n') {
            return out;
        }
        let runs: Vec<(usize, &str)> = {
            let mut v = Vec::new();
            let mut off = 0;
            for r in q.split(' ') {
                v.push((off, r));
                off += r.len() + 1;
            }
            v
        };
        if runs.len() < 3 {
            let Some(hay) = self.text.get(range.clone()) else {
                return out;
            };
            out.extend(hay.match_indices(q).map(|(p, _)| p + range.start));
            return out;
        }
        // The inner runs of a match are whole runs of the text: look up the rarest.
        let mut best: Option<(usize, &[usize])> = None;
        for &(off, r) in &runs[1..runs.len() - 1] {
            let list = self
                .runs
                .get(&fnv(r.as_bytes()))
                .map_or(&[][..], Vec::as_slice);
            if best.is_none_or(|(_, b)| list.len() < b.len()) {
                best = Some((off, list));
            }
        }
        let Some((off, list)) = best else {
            return out;
        };
        let from = list.partition_point(|&p| p < range.start + off);
        let mut last_end = 0;
        for &p in &list[from..] {
            let Some(start) = p.checked_sub(off) else {
                continue;
            };
            let end = start + q.len();
            if end > range.end {
                break;
            }
            if start >= last_end && self.text.get(start..end) == Some(q) {
                out.push(start);
                last_end = end;
            }
        }
        out
    }

    /// Of the occurrences `found` (byte offsets in `text`), the one whose surroundings
    /// are most like the anchor's: (section index, character offset in the section).
    fn best_by_context(&self, anchor: &Anchor, q: &str, found: &[usize]) -> Option<(usize, usize)> {
        let mut best: Option<(f64, usize, usize, usize)> = None; // score, distance, sec, offset
        for &p in found {
            let Some(sec) = self.section_at(p) else {
                continue;
            };
            let span = &self.sections[sec];
            let text = self.text.get(span.start..span.end).unwrap_or_default();
            let local = p - span.start;
            let offset = char_offset(text, local);
            let score = if found.len() == 1 {
                0.0
            } else {
                char_similarity(&anchor.before, &context_before(text, local))
                    + char_similarity(&anchor.after, &context_after(text, local + q.len()))
            };
            let distance = offset.abs_diff(anchor.offset);
            let better = match best {
                None => true,
                Some((s, d, _, _)) => {
                    score > s + 1e-9 || ((score - s).abs() <= 1e-9 && distance < d)
                }
            };
            if better {
                best = Some((score, distance, sec, offset));
            }
        }
        best.map(|(_, _, sec, offset)| (sec, offset))
    }

    /// The quote's words as ids ([`UNKNOWN`] for words the document lacks).
    fn quote_ids(&self, q: &str) -> Vec<u32> {
        let mut out = Vec::new();
        let mut word = String::new();
        for c in q.chars().chain(std::iter::once(' ')) {
            if is_word_char(c) {
                word.push(c);
            } else if !word.is_empty() {
                out.push(
                    self.vocab
                        .get(&word.to_lowercase())
                        .copied()
                        .unwrap_or(UNKNOWN),
                );
                word.clear();
            }
        }
        out
    }

    /// The best passage of section `sec` for the quote `qids`.
    fn fuzzy_in_section(&self, sec: usize, qids: &[u32]) -> Option<Fuzzy> {
        let span = self.sections.get(sec)?;
        let words = span.words.clone();
        let n = qids.len();
        if n == 0 || words.is_empty() {
            return None;
        }
        if words.len() <= 3 * n {
            return self.refine(qids, words);
        }
        // Slide a window of the quote's length and count the quote words in it.
        let win = n;
        let mut need: HashMap<u32, usize> = HashMap::new();
        for &id in qids.iter().filter(|&&id| id != UNKNOWN) {
            *need.entry(id).or_default() += 1;
        }
        let mut have: HashMap<u32, usize> = HashMap::new();
        let mut overlap = 0usize;
        let mut scores: Vec<(usize, usize)> = Vec::new(); // (overlap, start)
        for w in words.clone() {
            let id = self.words[w].id;
            if let Some(&k) = need.get(&id) {
                let h = have.entry(id).or_default();
                if *h < k {
                    overlap += 1;
                }
                *h += 1;
            }
            if w + 1 >= words.start + win {
                let start = w + 1 - win;
                scores.push((overlap, start));
                let out_id = self.words[start].id;
                if let Some(&k) = need.get(&out_id)
                    && let Some(h) = have.get_mut(&out_id)
                {
                    if *h <= k {
                        overlap = overlap.saturating_sub(1);
                    }
                    *h = h.saturating_sub(1);
                }
            }
        }
        let starts = top_candidates(scores, win);
        self.refine_candidates(qids, &starts, &words)
    }

    /// The best passage outside section `skip` for the quote `qids`: (section, passage).
    fn fuzzy_in_document(&self, qids: &[u32], skip: Option<usize>) -> Option<(usize, Fuzzy)> {
        let n = qids.len();
        let mut distinct: Vec<u32> = qids.iter().copied().filter(|&id| id != UNKNOWN).collect();
        distinct.sort_unstable();
        distinct.dedup();
        distinct.sort_by_key(|&id| self.postings.get(id as usize).map_or(0, Vec::len));
        let common = COMMON_WORD.max(self.words.len() / 100);
        let mut hits: Vec<usize> = Vec::new();
        for (k, &id) in distinct.iter().enumerate() {
            let list = self
                .postings
                .get(id as usize)
                .map_or(&[][..], Vec::as_slice);
            if k > 0 && (list.len() > common || hits.len() + list.len() > MAX_HITS) {
                break;
            }
            hits.extend_from_slice(list);
        }
        hits.retain(|&w| self.section_of_word(w).is_some_and(|s| Some(s) != skip));
        if hits.is_empty() {
            return None;
        }
        hits.sort_unstable();
        // Count the hits in a window of the quote's length starting at each hit.
        let mut scores = Vec::with_capacity(hits.len());
        let mut j = 0;
        for i in 0..hits.len() {
            j = j.max(i);
            while j < hits.len() && hits[j] < hits[i] + n {
                j += 1;
            }
            scores.push((j - i, hits[i]));
        }
        let starts = top_candidates(scores, n);
        let mut best: Option<(usize, Fuzzy)> = None;
        for s in starts {
            let Some(sec) = self.section_of_word(s) else {
                continue;
            };
            let words = self.sections[sec].words.clone();
            if let Some(m) = self.refine_candidates(qids, &[s], &words)
                && best.is_none_or(|(_, b)| m.similarity > b.similarity)
            {
                best = Some((sec, m));
            }
        }
        best
    }

    /// Refines candidate window starts (global word indices) within `words`.
    fn refine_candidates(
        &self,
        qids: &[u32],
        starts: &[usize],
        words: &Range<usize>,
    ) -> Option<Fuzzy> {
        let n = qids.len();
        let mut best: Option<Fuzzy> = None;
        for &s in starts {
            let from = s.saturating_sub(n / 2 + 1).max(words.start);
            let to = (s + n + n / 2 + 1).min(words.end);
            if from >= to {
                continue;
            }
            if let Some(m) = self.refine(qids, from..to)
                && best.is_none_or(|b| m.similarity > b.similarity)
            {
                best = Some(m);
            }
        }
        best
    }

    /// The passage of `region` (global word indices) most like the quote: the span
    /// between two common words with the highest word similarity.
    ///
    /// The common words come from a diff, which picks one of the longest common
    /// subsequences; where several exist, the diff of the reversed sequences may pick
    /// a tighter one, so both are tried.
    fn refine(&self, qids: &[u32], region: Range<usize>) -> Option<Fuzzy> {
        let ids: Vec<u32> = self
            .words
            .get(region.clone())?
            .iter()
            .map(|w| w.id)
            .collect();
        let forward = best_span(&common_words(qids, &ids), qids.len());
        let q_rev: Vec<u32> = qids.iter().rev().copied().collect();
        let ids_rev: Vec<u32> = ids.iter().rev().copied().collect();
        let last = ids.len().saturating_sub(1);
        let mut reversed: Vec<usize> = common_words(&q_rev, &ids_rev)
            .into_iter()
            .map(|i| last - i)
            .collect();
        reversed.reverse();
        let backward = best_span(&reversed, qids.len());
        let (sim, first, last) = match (forward, backward) {
            (Some(f), Some(b)) => {
                if b.0 > f.0 + 1e-12 {
                    b
                } else {
                    f
                }
            }
            (f, b) => f.or(b)?,
        };
        Some(Fuzzy {
            similarity: sim,
            first: region.start + first,
            last: region.start + last,
        })
    }

    /// The plain text of a passage (extended over punctuation glued to its ends) and
    /// its character offset in section `sec`.
    fn passage(&self, sec: usize, m: &Fuzzy) -> (String, usize) {
        let Some(span) = self.sections.get(sec) else {
            return (String::new(), 0);
        };
        let text = self.text.get(span.start..span.end).unwrap_or_default();
        let (Some(first), Some(last)) = (self.words.get(m.first), self.words.get(m.last)) else {
            return (String::new(), 0);
        };
        let mut start = first.start.saturating_sub(span.start);
        let mut end = last.end.saturating_sub(span.start).min(text.len());
        while let Some(c) = text.get(..start).and_then(|s| s.chars().next_back()) {
            if c == ' ' {
                break;
            }
            start -= c.len_utf8();
        }
        while let Some(c) = text.get(end..).and_then(|s| s.chars().next()) {
            if c == ' ' {
                break;
            }
            end += c.len_utf8();
        }
        (
            text.get(start..end).unwrap_or_default().to_string(),
            char_offset(text, start),
        )
    }
}

/// Indices in `ids` of the words a diff with `qids` finds in common, ascending.
fn common_words(qids: &[u32], ids: &[u32]) -> Vec<usize> {
    let deadline = Instant::now() + DIFF_BUDGET;
    let ops = capture_diff_slices_deadline(Algorithm::Myers, qids, ids, Some(deadline));
    let mut matched = Vec::new();
    for op in ops {
        if let DiffOp::Equal { new_index, len, .. } = op {
            matched.extend(new_index..new_index + len);
        }
    }
    matched
}

/// Of the spans between two common words (`matched`, ascending), the one with the
/// highest word similarity to a quote of `n` words: (similarity, first, last).
fn best_span(matched: &[usize], n: usize) -> Option<(f64, usize, usize)> {
    // Every pair of ends is tried; a very long quote only tries the full span and
    // the spans that drop common words at one end (still linear).
    let pairs = matched.len().saturating_mul(matched.len());
    let mut best: Option<(f64, usize, usize)> = None;
    let mut consider = |i: usize, j: usize| {
        let m = (j - i + 1) as f64;
        let span = (matched[j] - matched[i] + 1) as f64;
        let sim = 2.0 * m / (n as f64 + span);
        if best.is_none_or(|b| sim > b.0) {
            best = Some((sim, matched[i], matched[j]));
        }
    };
    let k = matched.len();
    if pairs <= 1_000_000 {
        for i in 0..k {
            for j in i..k {
                consider(i, j);
            }
        }
    } else if k > 0 {
        for i in 0..k {
            consider(i, k - 1);
            consider(0, i);
        }
    }
    best
}

/// The best window starts by score, at most [`CANDIDATES`], no two within half a window
/// of each other; windows without any common word are left out.
fn top_candidates(mut scores: Vec<(usize, usize)>, win: usize) -> Vec<usize> {
    scores.retain(|&(s, _)| s > 0);
    scores.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let gap = (win / 2).max(1);
    let mut out: Vec<usize> = Vec::new();
    for (_, start) in scores {
        if out.iter().all(|&o| o.abs_diff(start) >= gap) {
            out.push(start);
            if out.len() == CANDIDATES {
                break;
            }
        }
    }
    out
}

/// Character similarity of two short texts (1.0 for two empty ones).
fn char_similarity(a: &str, b: &str) -> f64 {
    f64::from(similar::TextDiff::from_chars(a, b).ratio())
}

/// Characters in `text[..byte]`.
fn char_offset(text: &str, byte: usize) -> usize {
    text.get(..byte).map_or(0, |s| s.chars().count())
}

/// Up to [`CONTEXT_CHARS`] characters before byte `pos`, cut at a word boundary.
fn context_before(text: &str, pos: usize) -> String {
    let head = text.get(..pos).unwrap_or_default();
    let mut start = head
        .char_indices()
        .rev()
        .nth(CONTEXT_CHARS - 1)
        .map_or(0, |(i, _)| i);
    let cut_in_word = start > 0
        && !head.get(..start).unwrap_or_default().ends_with(' ')
        && !head.get(start..).unwrap_or_default().starts_with(' ');
    if cut_in_word && let Some(sp) = head.get(start..).and_then(|s| s.find(' ')) {
        start += sp + 1;
    }
    head.get(start..).unwrap_or_default().trim().to_string()
}

/// Up to [`CONTEXT_CHARS`] characters after byte `end`, cut at a word boundary.
fn context_after(text: &str, end: usize) -> String {
    let tail = text.get(end..).unwrap_or_default();
    let mut stop = tail
        .char_indices()
        .nth(CONTEXT_CHARS)
        .map_or(tail.len(), |(i, _)| i);
    let cut_in_word = stop < tail.len()
        && !tail.get(stop..).unwrap_or_default().starts_with(' ')
        && !tail.get(..stop).unwrap_or_default().ends_with(' ');
    if cut_in_word && let Some(sp) = tail.get(..stop).and_then(|s| s.rfind(' ')) {
        stop = sp;
    }
    tail.get(..stop).unwrap_or_default().trim().to_string()
}

/// 64-bit FNV-1a, for the run index (hits are always confirmed by comparing text).
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
#[path = "anchor_tests.rs"]
mod tests;
