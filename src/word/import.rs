//! What a Word reply says, in strategi's terms: anchored comments and suggestions on
//! the version that was sent.
//!
//! [`comments_of`] takes a [`Docx`] (as [`super::read`] read it) and the [`Document`] of
//! the version the round sent, and returns one [`WordComment`] per
//!
//! - **Word comment** (replies in its thread kept with it): the quote is the text of
//!   its range (which may span paragraphs; a range that runs into the next section is
//!   cut at the end of its own); a comment on a point (no range, or an empty one)
//!   quotes the sentence it is in;
//! - **tracked change**: touching insertions and deletions are one suggestion (a
//!   replacement); the quote is the text replaced, widened to whole words, and for an
//!   insertion to the words around it, and further by a word either side until it
//!   occurs once in its section (so that `comment apply` finds one place); the
//!   proposal is the same passage with the change made. A tracked move is one
//!   suggestion when its halves pair ([`pair_moves`]: by move range name, else by the
//!   same text): the quote is the moved text where it was (widened likewise), the
//!   proposal that passage without it, and [`WordComment::moved_to`] the passage where
//!   it goes (the words around the place, widened likewise) and that passage with the
//!   text in; both halves in one paragraph are one replacement of the passage between
//!   them. A half that does not pair is a deletion or insertion of its own, saying so;
//! - **untracked edit**: each section's text before the tracked changes is compared
//!   with the section as sent, word by word (`diff::diff_words`), and each changed
//!   passage is a suggestion, quoted and widened as above. A document identical to the
//!   version sent yields nothing.
//!
//! The section of a paragraph comes from the section bookmarks strategi writes
//! ([`super::bookmark_map`]); text outside them (the front matter) belongs to no
//! section. A heading paragraph belongs to its bookmark's section (or the section its
//! text names). A quote is anchored in a section's body text only, so a comment or a
//! tracked change in a heading keeps its section, has no anchor, and carries the
//! heading's words (without the section number) in its text, with a warning; such a
//! suggestion cannot be applied by `comment apply`. A table cell is its own paragraph
//! for quotes: a point comment's sentence and a change's widening stay inside the cell,
//! so that the quote is found word for word in the Markdown row. A document without those bookmarks (a ministry's own copy, pandoc's output)
//! is mapped by its headings: a heading whose text is a section's title (with or
//! without the section number before it) starts that section. A quote is anchored in
//! its section with [`anchor::anchor`]; when the section is unknown or the quote is not
//! there, it is looked for in every section, and taken where it is found in exactly
//! one. A quote found nowhere (or in several sections) is kept in the comment's text
//! and reported in a warning, never guessed.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::diff::{OpKind, diff_words};
use crate::document::Document;
use crate::document::anchor::{self, Anchor, plain_text, section_text};

use super::read::{Change, ChangeKind, Docx, Pos};
use super::{bookmark_map, split_heading_number};

/// What a comment made from Word came from, kept with the comment record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WordOrigin {
    /// The Word file (the attachment's stored name, or the file given).
    pub file: String,
    /// The name the file was given as, when it is stored under another
    /// (a Word file given on its own is stored as `reply.docx`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A comment, a tracked change, or an edit found by comparison.
    pub kind: WordKind,
    /// The Word author (`w:author`), if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// The Word date, as written in the file (ISO 8601), if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// The author's initials, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initials: Option<String>,
    /// Replies in the comment's thread, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replies: Vec<WordReply>,
}

/// A reply in a Word comment's thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WordReply {
    /// Its author.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Its date, as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Its text.
    pub text: String,
}

/// What kind of Word markup a comment came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WordKind {
    /// A Word comment.
    Comment,
    /// A tracked insertion.
    Insertion,
    /// A tracked deletion.
    Deletion,
    /// A tracked deletion and insertion at one place.
    Replacement,
    /// Text moved away from here (tracked move).
    MoveFrom,
    /// Text moved to here (tracked move).
    MoveTo,
    /// A tracked move, both halves paired: deleted where it was, put in where it goes.
    Move,
    /// An edit made without track changes, found by comparing with the version sent.
    Edit,
}

impl WordKind {
    /// The machine key, as stored.
    pub fn key(self) -> &'static str {
        match self {
            WordKind::Comment => "comment",
            WordKind::Insertion => "insertion",
            WordKind::Deletion => "deletion",
            WordKind::Replacement => "replacement",
            WordKind::MoveFrom => "move-from",
            WordKind::MoveTo => "move-to",
            WordKind::Move => "move",
            WordKind::Edit => "edit",
        }
    }
}

/// One comment or suggestion from a Word file, before it gets an id and a party.
#[derive(Debug, Clone, PartialEq)]
pub struct WordComment {
    /// The section, when known.
    pub section: Option<String>,
    /// The quote, anchored in the section.
    pub anchor: Option<Anchor>,
    /// The comment's text (for a suggestion, the change in words: `«old» → «new»`).
    pub text: String,
    /// For a suggestion, the new wording of the quoted passage.
    pub proposal: Option<String>,
    /// Where it came from in Word.
    pub origin: WordOrigin,
    /// For a tracked move: where the text goes.
    pub moved_to: Option<MoveTarget>,
}

/// Where a moved passage goes (a tracked move whose two halves were paired): the
/// passage at the new place as the version sent has it, and as it reads with the moved
/// text put in. The comment's own quote and proposal delete the text where it was;
/// `comment apply` makes both edits in one commit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoveTarget {
    /// The section it goes to, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    /// The words around where it goes, anchored in that section.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor: Option<Anchor>,
    /// Those words with the moved text put in.
    pub proposal: String,
}

/// The comments and suggestions of a Word file, and what was noticed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WordComments {
    /// In the order: comments, tracked changes, untracked edits.
    pub comments: Vec<WordComment>,
    /// Quotes not anchored, and the like.
    pub warnings: Vec<String>,
}

/// A section's text as Word has it: paragraphs joined by a space.
#[derive(Debug, Default)]
struct SecText {
    old: String,
    new: String,
}

/// Where each paragraph is: its section (index into the document) and its start in
/// the section's joined old and new texts.
#[derive(Debug, Clone, Copy, Default)]
struct Placed {
    section: Option<usize>,
    body: bool,
    old_base: usize,
    new_base: usize,
}

/// See the module documentation. `file` names the Word file in the origin and in
/// warnings.
pub fn comments_of(docx: &Docx, sent: &Document, file: &str) -> WordComments {
    comments_with(docx, sent, file, true)
}

/// [`comments_of`], comparing the untracked edits only when `edits` (not for a copy of
/// another version than the one sent, where every difference would read as an edit).
pub fn comments_with(docx: &Docx, sent: &Document, file: &str, edits: bool) -> WordComments {
    let places = place_paragraphs(docx, sent);
    let mut texts: Vec<SecText> = sent.sections.iter().map(|_| SecText::default()).collect();
    let mut placed = places.clone();
    for (i, p) in docx.paragraphs.iter().enumerate() {
        let Some(s) = places[i].section.filter(|_| places[i].body) else {
            continue;
        };
        let t = &mut texts[s];
        if !t.old.is_empty() || !t.new.is_empty() {
            t.old.push(' ');
            t.new.push(' ');
        }
        placed[i].old_base = t.old.len();
        placed[i].new_base = t.new.len();
        t.old.push_str(&p.old);
        t.new.push_str(&p.new);
    }
    let mut out = WordComments::default();
    let cx = Cx {
        sent,
        numbers: sent.section_numbers(),
        docx,
        placed: &placed,
        texts: &texts,
        file,
    };
    cx.comments(&mut out);
    cx.changes(&mut out);
    if edits {
        cx.edits(&mut out);
    }
    out
}

fn place_paragraphs(docx: &Docx, sent: &Document) -> Vec<Placed> {
    let map = bookmark_map(sent);
    let index_of = |id: &str| sent.sections.iter().position(|s| s.id == id);
    let with_bookmarks = docx
        .paragraphs
        .iter()
        .any(|p| p.bookmarks.iter().any(|b| map.contains_key(b)));
    let numbers = sent.section_numbers();
    if with_bookmarks {
        return docx
            .paragraphs
            .iter()
            .map(|p| {
                let mut section = p
                    .bookmarks
                    .iter()
                    .rev()
                    .find_map(|b| map.get(b))
                    .and_then(|id| index_of(id));
                // A heading belongs to its bookmark's section, or else to the section
                // its text names.
                if section.is_none() && p.heading.is_some() {
                    section = heading_section(sent, &numbers, &p.old, 0);
                }
                Placed {
                    section,
                    body: p.heading.is_none(),
                    ..Placed::default()
                }
            })
            .collect();
    }
    let preamble = sent.sections.first().filter(|s| s.level == 0).map(|_| 0);
    let mut current = preamble;
    let mut next = 0usize;
    docx.paragraphs
        .iter()
        .map(|p| {
            if p.heading.is_some() {
                current = heading_section(sent, &numbers, &p.old, next);
                if let Some(i) = current {
                    next = i + 1;
                }
                return Placed {
                    section: current,
                    body: false,
                    ..Placed::default()
                };
            }
            Placed {
                section: current,
                body: true,
                ..Placed::default()
            }
        })
        .collect()
}

/// The section a heading's text names: its title, with or without its number; the
/// first such section at or after `from`, else any.
fn heading_section(sent: &Document, numbers: &[String], text: &str, from: usize) -> Option<usize> {
    let norm = |s: &str| plain_text(s).to_lowercase();
    let whole = norm(text);
    let split = split_heading_number(text).map(|(n, t)| (n.to_string(), norm(t)));
    let matches = |i: usize| {
        let s = &sent.sections[i];
        if s.level == 0 {
            return false;
        }
        let title = norm(&s.title);
        title == whole
            || split
                .as_ref()
                .is_some_and(|(n, t)| *t == title && numbers.get(i).is_some_and(|m| m == n))
    };
    (from..sent.sections.len())
        .chain(0..from.min(sent.sections.len()))
        .find(|&i| matches(i))
}

struct Cx<'a> {
    sent: &'a Document,
    numbers: Vec<String>,
    docx: &'a Docx,
    placed: &'a [Placed],
    texts: &'a [SecText],
    file: &'a str,
}

/// A passage: a section and a byte range of its joined old text.
#[derive(Debug, Clone, Copy)]
struct Span {
    section: Option<usize>,
    start: usize,
    end: usize,
}

impl Cx<'_> {
    fn origin(&self, kind: WordKind, author: &Option<String>, date: &Option<String>) -> WordOrigin {
        WordOrigin {
            file: self.file.to_string(),
            name: None,
            kind,
            author: author.clone(),
            date: date.clone(),
            initials: None,
            replies: Vec::new(),
        }
    }

    /// A position in its section's joined old text; `None` outside the body of a section.
    fn at(&self, pos: Pos) -> Option<(usize, usize)> {
        // A mark after the last paragraph, or before a paragraph: the start of the next
        // body paragraph, or the end of the previous one.
        let para = pos.para.min(self.placed.len().checked_sub(1)?);
        let placed = self.placed.get(para)?;
        let s = placed.section?;
        if !placed.body {
            return None;
        }
        let len = self.docx.paragraphs.get(para).map_or(0, |p| p.old.len());
        let offset = if pos.para >= self.placed.len() {
            len
        } else {
            pos.old.min(len)
        };
        Some((s, placed.old_base + offset))
    }

    /// The section of the heading paragraph `pos` is in, if it is in one.
    fn heading_at(&self, pos: Pos) -> Option<usize> {
        let para = pos.para.min(self.placed.len().checked_sub(1)?);
        let placed = self.placed.get(para)?;
        if placed.body {
            return None;
        }
        placed.section
    }

    /// Where the title of heading paragraph `para` (of section `s`) starts in its old
    /// text: after the section number, when it is the number section `s` has.
    fn title_start(&self, s: usize, para: usize) -> usize {
        let old = self
            .docx
            .paragraphs
            .get(para)
            .map_or("", |p| p.old.as_str());
        match split_heading_number(old) {
            Some((n, title)) if self.numbers.get(s).is_some_and(|m| m == n) => {
                old.len() - title.len()
            }
            _ => 0,
        }
    }

    /// The bounds in section `s`'s joined old text of the table cell `pos` is in, or
    /// the whole text: a quote in a cell is placed and widened inside the cell, as the
    /// Markdown row has a `|` between cells.
    fn bounds(&self, s: usize, pos: Pos, end: Pos) -> (usize, usize) {
        let whole = (0, self.texts[s].old.len());
        let para = pos.para.min(self.placed.len().saturating_sub(1));
        let end_para = end.para.min(self.placed.len().saturating_sub(1));
        match (self.docx.paragraphs.get(para), self.placed.get(para)) {
            (Some(p), Some(placed))
                if p.cell && para == end_para && placed.body && placed.section == Some(s) =>
            {
                (placed.old_base, placed.old_base + p.old.len())
            }
            _ => whole,
        }
    }

    /// A comment or suggestion on the heading of section `s`. The anchor module
    /// anchors quotes in a section's body text only (not its heading), so it keeps its
    /// section, has no anchor, and carries its quote (the heading's words, without the
    /// section number) in its text; a suggestion there cannot be applied by
    /// `comment apply`, and a warning says so.
    fn on_heading(
        &self,
        s: usize,
        quote: &str,
        text: String,
        proposal: Option<String>,
        origin: WordOrigin,
        warnings: &mut Vec<String>,
    ) -> WordComment {
        let id = &self.sent.sections[s].id;
        let what = match origin.kind {
            WordKind::Comment => "a Word comment",
            _ => "a change",
        };
        warnings.push(format!(
            "{}: {what} on the heading of section {id} ({}) is kept with section {id} in the comment's text, not anchored (quotes are anchored in a section's body text).",
            self.file,
            short(quote),
        ));
        WordComment {
            section: Some(id.clone()),
            anchor: None,
            text: format!("«{}»\n\n{text}", quote.trim()),
            proposal,
            origin,
            moved_to: None,
        }
    }

    /// The old text from `a` to `b` over the paragraphs, wherever they are.
    fn raw_text(&self, a: Pos, b: Pos) -> String {
        let paras = &self.docx.paragraphs;
        let mut out = String::new();
        for i in a.para..=b.para.min(paras.len().saturating_sub(1)) {
            let Some(p) = paras.get(i) else { break };
            let from = if i == a.para {
                a.old.min(p.old.len())
            } else {
                0
            };
            let to = if i == b.para {
                b.old.min(p.old.len())
            } else {
                p.old.len()
            };
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(p.old.get(from..to.max(from)).unwrap_or_default());
        }
        out.trim().to_string()
    }

    fn comments(&self, out: &mut WordComments) {
        let docx = self.docx;
        for c in docx.comments.iter().filter(|c| c.parent.is_none()) {
            let mut origin = self.origin(WordKind::Comment, &c.author, &c.date);
            origin.initials = c.initials.clone();
            origin.replies = thread_of(docx, &c.id);
            let text = if c.text.trim().is_empty() {
                "(empty Word comment)".to_string()
            } else {
                c.text.clone()
            };
            let first = c.start.or(c.reference);
            if let Some(p) = first
                && let Some(s) = self.heading_at(p)
            {
                // On a heading: the heading's words in the range (all of them for a
                // point), without the section number.
                let para = p.para.min(self.placed.len() - 1);
                let old = docx.paragraphs[para].old.as_str();
                let title = self.title_start(s, para);
                let last = c.end.or(c.reference).unwrap_or(p);
                let a = p.old.clamp(title, old.len());
                let b = if last.para == p.para {
                    last.old.clamp(a, old.len())
                } else {
                    old.len()
                };
                let (a, b) = widen(old, a, b, 0);
                let (a, b) = (a.max(title), b.max(title));
                let quote = match old[a..b].trim() {
                    "" => old[title..].trim(),
                    q => q,
                };
                out.comments
                    .push(self.on_heading(s, quote, text, None, origin, &mut out.warnings));
                continue;
            }
            let start = c.start.or(c.reference).and_then(|p| self.at(p));
            let end = c.end.or(c.reference).and_then(|p| self.at(p));
            let span = match (start, end) {
                (Some((s, a)), Some((t, b))) if s == t && b >= a => Span {
                    section: Some(s),
                    start: a,
                    end: b,
                },
                (Some((s, a)), _) => Span {
                    section: Some(s),
                    start: a,
                    end: self.texts[s].old.len(),
                },
                _ => Span {
                    section: None,
                    start: 0,
                    end: 0,
                },
            };
            let quote = match span.section {
                Some(s) => {
                    let text = &self.texts[s].old;
                    let (a, b) = if text[span.start..span.end].trim().is_empty() {
                        // In a table cell: the sentence within the cell.
                        let p = c.start.or(c.reference).unwrap_or_default();
                        let (lo, hi) = self.bounds(s, p, p);
                        let (a, b) = sentence_around(&text[lo..hi], span.start.clamp(lo, hi) - lo);
                        (a + lo, b + lo)
                    } else {
                        (span.start, span.end)
                    };
                    text[a..b].trim().to_string()
                }
                // Outside the sections: the range's own text, looked for everywhere.
                None => match (c.start.or(c.reference), c.end.or(c.reference)) {
                    (Some(a), Some(b)) => self.raw_text(a, b),
                    _ => String::new(),
                },
            };
            out.comments.push(self.anchored(
                span.section,
                &quote,
                text,
                None,
                origin,
                &mut out.warnings,
            ));
        }
    }

    fn changes(&self, out: &mut WordComments) {
        let changes = &self.docx.changes;
        let moves = pair_moves(self.docx);
        let mut half_of: HashMap<usize, usize> = HashMap::new();
        for (h, half) in moves.halves.iter().enumerate() {
            for &c in &half.changes {
                half_of.insert(c, h);
            }
        }
        let mut done = vec![false; moves.halves.len()];
        let mut i = 0;
        while i < changes.len() {
            if let Some(&h) = half_of.get(&i) {
                i += 1;
                if std::mem::replace(&mut done[h], true) {
                    continue;
                }
                let c = match moves.partner(h) {
                    Some(other) => {
                        done[other] = true;
                        let (f, t) = if moves.halves[h].from {
                            (h, other)
                        } else {
                            (other, h)
                        };
                        self.move_comment(&moves.halves[f], &moves.halves[t], &mut out.warnings)
                    }
                    None => self.lone_half(&moves.halves[h], &mut out.warnings),
                };
                out.comments.push(c);
                continue;
            }
            let first = &changes[i];
            let mut j = i + 1;
            // Touching insertions and deletions (in one paragraph, by one author) are one
            // replacement; moves are paired apart (`pair_moves`).
            while let Some(next) = changes.get(j) {
                let prev = &changes[j - 1];
                if matches!(next.kind, ChangeKind::MoveFrom | ChangeKind::MoveTo)
                    || next.start.para != prev.end.para
                    || next.start.old != prev.end.old
                    || next.author != first.author
                {
                    break;
                }
                j += 1;
            }
            let group: Vec<&Change> = changes[i..j].iter().collect();
            i = j;
            let removed = group.iter().any(|c| c.kind.is_removal());
            let added = group.iter().any(|c| !c.kind.is_removal());
            let kind = match (removed, added) {
                (true, true) => WordKind::Replacement,
                (true, false) => WordKind::Deletion,
                _ => WordKind::Insertion,
            };
            let new_text = joined(&group, false);
            let origin = self.origin(kind, &first.author, &first.date);
            let (start, end) = (group[0].start, group[group.len() - 1].end);
            let c = self.change_at(start, end, &group, &new_text, origin, &mut out.warnings);
            out.comments.push(c);
        }
    }

    /// The suggestion of a change (or group of changes) from `start` to `end` whose
    /// new text is `new_text`.
    fn change_at(
        &self,
        start: Pos,
        end: Pos,
        group: &[&Change],
        new_text: &str,
        origin: WordOrigin,
        warnings: &mut Vec<String>,
    ) -> WordComment {
        if let Some(s) = self.heading_at(start)
            && start.para == end.para
        {
            // In a heading: a suggestion on the heading's words (see `on_heading`).
            let para = start.para.min(self.placed.len() - 1);
            let old = self.docx.paragraphs[para].old.as_str();
            let title = self.title_start(s, para);
            let a = start.old.min(old.len());
            let b = end.old.clamp(a, old.len());
            let (a2, b2) = widen(old, a, b, 0);
            let (a2, b2) = (a2.max(title).min(a), b2.max(b));
            let quote = old[a2..b2].trim();
            let proposal = collapse(&format!("{}{new_text}{}", &old[a2..a], &old[b..b2]));
            let words = change_words(&old[a..b], new_text);
            return self.on_heading(s, quote, words, Some(proposal), origin, warnings);
        }
        let (Some((s, a)), Some((t, b))) = (self.at(start), self.at(end)) else {
            // A change outside the sections (the front matter), or over a heading
            // and what follows it.
            let old = joined(group, true);
            return self.anchored(
                None,
                &old,
                change_words(&old, new_text),
                Some(new_text.trim().to_string()),
                origin,
                warnings,
            );
        };
        let b = if s == t {
            b.max(a)
        } else {
            self.texts[s].old.len()
        };
        self.suggestion(
            s,
            &self.texts[s].old,
            (a, b),
            self.bounds(s, start, end),
            new_text,
            origin,
            warnings,
        )
    }

    /// One suggestion for a tracked move whose halves were paired: the moved text
    /// deleted where it was (the comment's quote and proposal) and put in where it goes
    /// ([`WordComment::moved_to`]). When both halves are in one paragraph with no other
    /// change between them, it is one replacement of the passage from the first to the
    /// last, since the two places would overlap.
    fn move_comment(
        &self,
        from: &MoveHalf,
        to: &MoveHalf,
        warnings: &mut Vec<String>,
    ) -> WordComment {
        let changes = &self.docx.changes;
        let f: Vec<&Change> = from.changes.iter().map(|&i| &changes[i]).collect();
        let t: Vec<&Change> = to.changes.iter().map(|&i| &changes[i]).collect();
        let first = f[0];
        let origin = || self.origin(WordKind::Move, &first.author, &first.date);
        let moved = collapse(&joined(&f, true));
        let para = first.start.para;
        let lo = from.changes[0].min(to.changes[0]);
        let hi = from.changes[from.changes.len() - 1].max(to.changes[to.changes.len() - 1]);
        let one_paragraph = f
            .iter()
            .chain(&t)
            .all(|c| c.start.para == para && c.end.para == para)
            && (lo..=hi).all(|i| from.changes.contains(&i) || to.changes.contains(&i));
        if one_paragraph && let Some(p) = self.docx.paragraphs.get(para) {
            let all = || f.iter().chain(&t);
            let start = Pos {
                para,
                old: all().map(|c| c.start.old).min().unwrap_or(0),
                new: all().map(|c| c.start.new).min().unwrap_or(0),
            };
            let end = Pos {
                para,
                old: all().map(|c| c.end.old).max().unwrap_or(0),
                new: all().map(|c| c.end.new).max().unwrap_or(0),
            };
            let new_text = p.new.get(start.new..end.new).unwrap_or_default();
            let group: Vec<&Change> = all().copied().collect();
            return self.change_at(start, end, &group, new_text, origin(), warnings);
        }
        let away = self.change_at(f[0].start, f[f.len() - 1].end, &f, "", origin(), warnings);
        let arrival = joined(&t, false);
        let here = self.change_at(
            t[0].start,
            t[t.len() - 1].end,
            &t,
            &arrival,
            origin(),
            warnings,
        );
        let mut text = format!(
            "«{moved}» ⇢ {}«{}»",
            here.section
                .as_ref()
                .map(|s| format!("{s}: "))
                .unwrap_or_default(),
            here.proposal.as_deref().unwrap_or_default()
        );
        if away.anchor.is_none() {
            text = format!("{}\n\n{text}", away.text);
        }
        if here.anchor.is_none() {
            text = format!("{text}\n\n{}", here.text);
        }
        WordComment {
            section: away.section,
            anchor: away.anchor,
            text,
            proposal: away.proposal,
            origin: away.origin,
            moved_to: Some(MoveTarget {
                section: here.section,
                anchor: here.anchor,
                proposal: here.proposal.unwrap_or_default(),
            }),
        }
    }

    /// A half of a tracked move whose other half was not found: the removal or the
    /// insertion at its own place, saying so in its text.
    fn lone_half(&self, half: &MoveHalf, warnings: &mut Vec<String>) -> WordComment {
        let changes = &self.docx.changes;
        let group: Vec<&Change> = half.changes.iter().map(|&i| &changes[i]).collect();
        let first = group[0];
        let kind = if half.from {
            WordKind::MoveFrom
        } else {
            WordKind::MoveTo
        };
        let new_text = joined(&group, false);
        let origin = self.origin(kind, &first.author, &first.date);
        let (start, end) = (first.start, group[group.len() - 1].end);
        let mut c = self.change_at(start, end, &group, &new_text, origin, warnings);
        let (what, other) = if half.from {
            ("moved away from here", "where it was moved to")
        } else {
            ("moved here", "where it was moved from")
        };
        c.text = format!(
            "{}\n\n(A tracked move in Word: this text was {what}, but {other} was not found, so this suggestion is only this half of the move.)",
            c.text
        );
        warnings.push(format!(
            "{}: a tracked move ({}) has no matching other half (no move range name shared, and no other half with the same text); it is imported as a {} only.",
            self.file,
            short(&joined(&group, half.from)),
            if half.from { "deletion" } else { "insertion" }
        ));
        c
    }

    fn edits(&self, out: &mut WordComments) {
        for (s, section) in self.sent.sections.iter().enumerate() {
            let in_word = self.placed.iter().any(|p| p.section == Some(s));
            if !in_word {
                continue;
            }
            let sent = section_text_as_in_word(section);
            let word = plain_text(&self.texts[s].old);
            if sent == word {
                continue;
            }
            for op in diff_words(&sent, &word) {
                if op.kind == OpKind::Equal {
                    continue;
                }
                let a = op.old_offset;
                let b = a + op.old_text.len();
                let origin = self.origin(WordKind::Edit, &None, &None);
                let whole = (0, sent.len());
                let c = self.suggestion(
                    s,
                    &sent,
                    (a, b),
                    whole,
                    &op.new_text,
                    origin,
                    &mut out.warnings,
                );
                out.comments.push(c);
            }
        }
    }

    /// A suggestion replacing `text[a..b]` (of section `s`) by `new`: widened to whole
    /// words, and word by word until the quote is found once in the section as sent,
    /// never past `lo..hi` (a table cell, or the whole text).
    #[allow(clippy::too_many_arguments)]
    fn suggestion(
        &self,
        s: usize,
        text: &str,
        (a, b): (usize, usize),
        (lo, hi): (usize, usize),
        new: &str,
        origin: WordOrigin,
        warnings: &mut Vec<String>,
    ) -> WordComment {
        let id = &self.sent.sections[s].id;
        // Whitespace both sides share at the edges is no part of the change.
        let (mut a, mut b, mut new) = (a, b, new);
        let lead = common_ws(text[a..b].chars(), new.chars());
        a += lead;
        new = &new[lead..];
        let trail = common_ws(text[a..b].chars().rev(), new.chars().rev());
        b -= trail;
        new = &new[..new.len() - trail];
        // A deleted word takes the space before it along ("alle ansatte." → "alle."),
        // but not moved text: its quote is the text moved, as it was (`comment apply`
        // tidies the space it leaves).
        if new.is_empty()
            && origin.kind != WordKind::Move
            && a > lo
            && text[..a].ends_with(|c: char| c.is_ascii_whitespace())
        {
            a = text[..a].trim_end().len();
        }
        let mut best = None;
        for k in 0..=8 {
            let (a2, b2) = widen(&text[lo..hi], a.clamp(lo, hi) - lo, b.clamp(lo, hi) - lo, k);
            let (a2, b2) = ((a2 + lo).min(a), (b2 + lo).max(b));
            let quote = text[a2..b2].trim();
            let whole = a2 <= lo && b2 >= hi;
            if quote.chars().any(char::is_alphanumeric) {
                let proposal = format!("{}{new}{}", &text[a2..a], &text[b..b2]);
                let candidate = (quote.to_string(), collapse(&proposal));
                match anchor::anchor(self.sent, id, quote) {
                    // The anchor reads a quote as plain text, where a leading "1." or
                    // "2026." is a list marker: such a quote is widened until the
                    // anchor keeps every word of it.
                    Ok(found) if !faithful(&found, quote) => {}
                    Ok(found) if found.occurrences == 1 => {
                        best = Some(candidate);
                        break;
                    }
                    Ok(_) => best = Some(candidate),
                    Err(anchor::AnchorError::EmptyQuote) => {}
                    Err(_) => {
                        best.get_or_insert(candidate);
                        break;
                    }
                }
            }
            if whole {
                break;
            }
        }
        let (quote, proposal) =
            best.unwrap_or_else(|| (text[a..b].trim().to_string(), collapse(new)));
        let old_words = collapse(&text[a..b]);
        let words = change_words(&old_words, new);
        self.anchored(Some(s), &quote, words, Some(proposal), origin, warnings)
    }

    /// The comment, with its quote anchored in section `s` or, failing that, in the one
    /// section that has it.
    fn anchored(
        &self,
        s: Option<usize>,
        quote: &str,
        text: String,
        proposal: Option<String>,
        origin: WordOrigin,
        warnings: &mut Vec<String>,
    ) -> WordComment {
        let mut comment = WordComment {
            section: s.map(|s| self.sent.sections[s].id.clone()),
            anchor: None,
            text,
            proposal,
            origin,
            moved_to: None,
        };
        if quote.trim().is_empty() {
            return comment;
        }
        if let Some(s) = s
            && let Ok(a) = anchor::anchor(self.sent, &self.sent.sections[s].id, quote)
        {
            comment.anchor = Some(a);
            return comment;
        }
        let found: Vec<(String, Anchor)> = self
            .sent
            .sections
            .iter()
            .filter_map(|sec| {
                Some((
                    sec.id.clone(),
                    anchor::anchor(self.sent, &sec.id, quote).ok()?,
                ))
            })
            .collect();
        if let [(id, a)] = found.as_slice() {
            comment.section = Some(id.clone());
            comment.anchor = Some(a.clone());
            return comment;
        }
        let what = match comment.origin.kind {
            WordKind::Comment => "a Word comment",
            _ => "a change",
        };
        // A range in one of our section bookmarks (or under a known heading) keeps its
        // section even when its text was edited in Word without tracking.
        let kept = match &comment.section {
            Some(id) => format!("kept with section {id}"),
            None => "kept".to_string(),
        };
        warnings.push(format!(
            "{}: the text of {what} ({}) is {} of the version sent; it is {kept} in the comment's text, not anchored.",
            self.file,
            short(quote),
            if found.is_empty() { "not in any section" } else { "in several sections" }
        ));
        comment.text = format!("«{}»\n\n{}", quote.trim(), comment.text);
        comment
    }
}

/// The plain text of a section as a Word copy of it reads: [`section_text`] without
/// the delimiter rows of Markdown tables (`|---|:--:|`), which a Word table has no text
/// for. Quotes taken from it are found in the section as sent all the same, since only
/// whole rule lines are left out.
fn section_text_as_in_word(section: &crate::document::Section) -> String {
    if !section
        .paragraphs
        .iter()
        .any(|p| p.text.lines().any(is_table_rule))
    {
        return section_text(section);
    }
    let mut out = String::new();
    for p in &section.paragraphs {
        let kept: Vec<&str> = p.text.lines().filter(|l| !is_table_rule(l)).collect();
        let t = plain_text(&kept.join("\n"));
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

/// Whether `line` is a Markdown table's delimiter row: only `|`, `-`, `:` and spaces,
/// with a `|` and a `-`.
fn is_table_rule(line: &str) -> bool {
    let t = line.trim();
    t.contains('|')
        && t.contains('-')
        && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ' | '\t'))
}

/// Bytes of the whitespace both sequences start with (the same characters).
fn common_ws(a: impl Iterator<Item = char>, b: impl Iterator<Item = char>) -> usize {
    a.zip(b)
        .take_while(|(x, y)| x == y && x.is_whitespace())
        .map(|(x, _)| x.len_utf8())
        .sum()
}

/// Whether the anchor kept every word of the quote (see [`Cx::suggestion`]).
fn faithful(found: &Anchor, quote: &str) -> bool {
    found.quote.split_whitespace().count() == quote.split_whitespace().count()
}

/// One half of a tracked move: the changes (indices into [`Docx::changes`]) of one
/// move-from or move-to range, in body order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveHalf {
    /// Whether it is where the text was moved from (`w:moveFrom`).
    pub from: bool,
    /// Its changes.
    pub changes: Vec<usize>,
    /// The move range's `w:name`, if it has one.
    pub name: Option<String>,
}

/// The halves of a document's tracked moves and how they pair.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Moves {
    /// Every half, in body order of its first change.
    pub halves: Vec<MoveHalf>,
    /// Pairs of halves (move-from, move-to), as indices into `halves`.
    pub pairs: Vec<(usize, usize)>,
}

impl Moves {
    /// The half paired with half `h`, if any.
    pub fn partner(&self, h: usize) -> Option<usize> {
        self.pairs.iter().find_map(|&(f, t)| match h {
            _ if h == f => Some(t),
            _ if h == t => Some(f),
            _ => None,
        })
    }
}

/// The tracked moves of `docx`, halves paired: first by the name of their move range
/// (`w:moveFromRangeStart`/`w:moveToRangeStart`, which Word writes), then, for halves
/// without a name or whose name has no other half, by their text: a move-from and a
/// move-to of the same text (whitespace aside) pair when neither has another
/// candidate of that text. Anything else stays unpaired. Without names, consecutive
/// move changes of one kind and author that touch (in one paragraph, or from the end of
/// one to the start of the next) are one half.
pub fn pair_moves(docx: &Docx) -> Moves {
    let changes = &docx.changes;
    let mut moves = Moves::default();
    let len = |para: usize, from: bool| {
        docx.paragraphs
            .get(para)
            .map_or(0, |p| if from { p.old.len() } else { p.new.len() })
    };
    for (i, c) in changes.iter().enumerate() {
        let from = match c.kind {
            ChangeKind::MoveFrom => true,
            ChangeKind::MoveTo => false,
            _ => continue,
        };
        let off = |p: Pos| if from { p.old } else { p.new };
        let joins = match &c.name {
            Some(n) => moves
                .halves
                .iter()
                .rposition(|h| h.from == from && h.name.as_ref() == Some(n)),
            None => moves
                .halves
                .iter()
                .rposition(|h| h.from == from)
                .filter(|&h| {
                    let half = &moves.halves[h];
                    let prev = &changes[half.changes[half.changes.len() - 1]];
                    half.name.is_none()
                        && prev.author == c.author
                        && ((c.start.para == prev.end.para && off(c.start) == off(prev.end))
                            || (c.start.para == prev.end.para + 1
                                && off(c.start) == 0
                                && off(prev.end) == len(prev.end.para, from)))
                }),
        };
        match joins {
            Some(h) => moves.halves[h].changes.push(i),
            None => moves.halves.push(MoveHalf {
                from,
                changes: vec![i],
                name: c.name.clone(),
            }),
        }
    }
    let halves = &moves.halves;
    let mut paired = vec![false; halves.len()];
    for (f, half) in halves.iter().enumerate().filter(|(_, h)| h.from) {
        let Some(name) = &half.name else { continue };
        if let Some(t) = (0..halves.len())
            .find(|&t| !paired[t] && !halves[t].from && halves[t].name.as_ref() == Some(name))
        {
            paired[f] = true;
            paired[t] = true;
            moves.pairs.push((f, t));
        }
    }
    let text = |h: &MoveHalf| {
        let group: Vec<&Change> = h.changes.iter().map(|&i| &changes[i]).collect();
        collapse(&joined(&group, h.from))
    };
    let texts: Vec<String> = halves.iter().map(text).collect();
    let open = |paired: &[bool], from: bool, t: &str| -> Vec<usize> {
        (0..halves.len())
            .filter(|&k| !paired[k] && halves[k].from == from && texts[k] == t)
            .collect()
    };
    for f in 0..halves.len() {
        if paired[f] || !halves[f].from || texts[f].is_empty() {
            continue;
        }
        if let ([t], [_]) = (
            open(&paired, false, &texts[f]).as_slice(),
            open(&paired, true, &texts[f]).as_slice(),
        ) {
            let t = *t;
            paired[f] = true;
            paired[t] = true;
            moves.pairs.push((f, t));
        }
    }
    moves.pairs.sort_unstable();
    moves
}

/// The text of `group`'s removals (`removal`) or insertions, a space between changes
/// in different paragraphs.
fn joined(group: &[&Change], removal: bool) -> String {
    let mut out = String::new();
    let mut last_para = None;
    for c in group.iter().filter(|c| c.kind.is_removal() == removal) {
        if last_para.is_some_and(|p| p != c.start.para) {
            out.push(' ');
        }
        out.push_str(&c.text);
        last_para = Some(c.end.para);
    }
    out
}

/// The replies to comment `id`, in the order of comments.xml.
fn thread_of(docx: &Docx, id: &str) -> Vec<WordReply> {
    let mut ids = vec![id.to_string()];
    let mut out = Vec::new();
    // Replies to replies belong to the same thread; comments.xml lists them after
    // what they answer.
    for c in &docx.comments {
        if let Some(p) = &c.parent
            && ids.contains(p)
        {
            ids.push(c.id.clone());
            out.push(WordReply {
                author: c.author.clone(),
                date: c.date.clone(),
                text: c.text.clone(),
            });
        }
    }
    out
}

/// A change in words that need no language: `«old» → «new»`, `−«old»`, `+«new»`.
fn change_words(old: &str, new: &str) -> String {
    let (old, new) = (collapse(old), collapse(new));
    match (old.is_empty(), new.is_empty()) {
        (false, false) => format!("«{old}» → «{new}»"),
        (false, true) => format!("−«{old}»"),
        _ => format!("+«{new}»"),
    }
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A quote for a message: at most 60 columns of text, then an ellipsis.
fn short(s: &str) -> String {
    format!("«{}»", crate::columns::cut(&collapse(s), 61))
}

/// `a..b` widened to whole words, then by `k` words either side.
fn widen(text: &str, a: usize, b: usize, k: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    let ws = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_whitespace);
    let (mut a, mut b) = (a.min(text.len()), b.min(text.len()));
    // A point at the start of a word (an insertion): the word before it too.
    if a == b && a > 0 && ws(a - 1) {
        while a > 0 && ws(a - 1) {
            a -= 1;
        }
    }
    while a > 0 && !ws(a - 1) {
        a -= 1;
    }
    while b < text.len() && !ws(b) {
        b += 1;
    }
    for _ in 0..k {
        while a > 0 && ws(a - 1) {
            a -= 1;
        }
        while a > 0 && !ws(a - 1) {
            a -= 1;
        }
        while b < text.len() && ws(b) {
            b += 1;
        }
        while b < text.len() && !ws(b) {
            b += 1;
        }
    }
    // Only ASCII whitespace was stepped over, so both are char boundaries.
    (a, b)
}

/// The sentence around byte `at`: from after the previous `.`, `!` or `?` followed by
/// a space, through the next one.
fn sentence_around(text: &str, at: usize) -> (usize, usize) {
    let at = (0..=at.min(text.len()))
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    let before = &text[..at];
    let start = before
        .char_indices()
        .rfind(|&(i, c)| {
            matches!(c, '.' | '!' | '?') && before[i + 1..].starts_with(char::is_whitespace)
        })
        .map_or(0, |(i, _)| i + 1);
    let after = &text[at..];
    let end = after
        .char_indices()
        .find(|&(i, c)| {
            matches!(c, '.' | '!' | '?')
                && (after[i + 1..].is_empty() || after[i + 1..].starts_with(char::is_whitespace))
        })
        .map_or(text.len(), |(i, _)| at + i + 1);
    (start, end)
}

#[cfg(test)]
#[path = "import_tests.rs"]
mod tests;

#[cfg(test)]
mod table_rule_tests {
    use super::*;
    use crate::document::Document;

    #[test]
    fn table_rules_are_no_text_in_word() {
        assert!(is_table_rule("|---|:--:|"));
        assert!(is_table_rule(" --- | --- "));
        assert!(!is_table_rule("| a | b |"));
        assert!(!is_table_rule("---"));
        let doc = Document::from_text("a.md", "# T\n\n| Mål | Frist |\n|---|---|\n| A | 2026 |\n");
        let text = section_text_as_in_word(&doc.sections[0]);
        assert!(!text.contains('-'), "{text}");
        assert!(text.contains("Mål") && text.contains("2026"), "{text}");
    }
}
