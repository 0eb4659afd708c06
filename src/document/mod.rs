//! Markdown strategy documents split into sections with stable ids.
//!
//! A [`Document`] is read from one or more Markdown files (`strategy/*.md`, taken in the
//! order given). Each heading starts a [`Section`] that runs to the next heading of any
//! level or the end of its file; text before the first heading of a file is a
//! *preamble* section (level 0, id `<file-stem>-preamble`), left out when blank.
//!
//! # Headings
//! - ATX headings: 0–3 spaces, 1–6 `#`, then a space, tab or end of line; optional
//!   closing `#`s are removed.
//! - Setext headings: a paragraph (one or more lines) underlined by `===` (level 1) or
//!   `---` (level 2). A paragraph that starts with a list item, a block quote, a table
//!   row or an indented code line is never a setext heading.
//! - Lines inside fenced code blocks (```` ``` ```` or `~~~`), multi-line HTML comments
//!   and YAML front matter (a `---` … `---`/`...` block on the first line of a file) are
//!   never headings.
//!
//! # Ids
//! A heading may end with a Pandoc/kramdown attribute block, `## Mål {#mal}` or
//! `## Mål {#mal .unnumbered lang=nb}`, before or after closing `#`s. The first `#id`
//! in it is the section id, used exactly as written. Explicit ids may contain Unicode
//! letters and digits and `-`, `_`, `.`, `:`; an attribute block with anything else is
//! left in the title (with a warning). Without an explicit id the id is
//! [`slugify`] of the title.
//!
//! Ids are unique in a document: explicit ids are reserved first (by their first
//! occurrence), then every heading gets its id in document order, and an id that is
//! taken gets `-2`, `-3`, … (the first free one). A repeated explicit id is reported in
//! [`Document::warnings`]. Ids made unique this way shift when a heading with the same
//! title is inserted before them, so documents should give such headings explicit ids.
//!
//! # Paragraphs and words
//! A section's body is split into [`Paragraph`]s at blank lines. Fenced code blocks,
//! HTML comments and front matter stay one paragraph each, blank lines included, and
//! thematic breaks (`***`) are paragraphs of their own. Words and whitespace
//! normalisation are described in [`tokens`].

pub mod anchor;
pub mod html;
mod parse;
mod slug;
pub mod tokens;

#[cfg(test)]
mod tests;

pub use slug::{edit_distance, slugify};
pub use tokens::{Sep, Token, TokenKind, count_words, normalize, tokenize};

/// One Markdown file of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// File name as shown to people, like `"01-innledning.md"`.
    pub name: String,
    /// The file's text.
    pub text: String,
}

impl SourceFile {
    /// A source file from a name and its text.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        SourceFile {
            name: name.into(),
            text: text.into(),
        }
    }
}

/// A parsed document: its sections in reading order, and what looked wrong.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Document {
    /// All sections of all files, in file order and then line order.
    pub sections: Vec<Section>,
    /// Problems found while parsing (duplicate explicit ids, unclosed code fences, …).
    pub warnings: Vec<DocWarning>,
}

/// A heading and the body up to the next heading, or a file's preamble.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Stable, document-unique id (explicit `{#id}` or the slug of the title).
    pub id: String,
    /// Heading text without `#`s, underline and `{#id}` attribute block; setext headings
    /// over several lines are joined with single spaces. Empty for a preamble.
    pub title: String,
    /// Heading level 1..=6, or 0 for a preamble.
    pub level: u8,
    /// Name of the [`SourceFile`] the section is in.
    pub file: String,
    /// 1-based line of the heading (first line of a setext heading; 1 for a preamble).
    pub line: usize,
    /// The raw Markdown of the section: heading line(s) and body up to the next heading
    /// or the end of the file, exactly as in the file (so the sections of a file
    /// concatenate back to the file, apart from a blank preamble).
    pub markdown: String,
    /// The body blocks, separated by blank lines (the heading is not included).
    pub paragraphs: Vec<Paragraph>,
}

/// One block of a section body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    /// The raw text of the block (its lines joined by their original line breaks,
    /// without the final one).
    pub text: String,
    /// 1-based line of the block's first line in its file.
    pub line: usize,
}

/// Something in the Markdown that the author probably wants to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocWarning {
    /// Name of the file.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// A full sentence saying what is wrong.
    pub message: String,
}

/// The Markdown of a file as people read it: the attribute blocks (`{#id}`) taken off
/// its headings, everything else unchanged. Ids are strategi's bookkeeping; in a copy
/// sent out or shown on a git host they would read as stray markup.
pub fn without_heading_ids(text: &str) -> String {
    parse::strip_heading_attrs(text)
}

impl Document {
    /// Parses the files, in the order given (the caller sorts them by name).
    ///
    /// Never fails and never panics: anything that is not a heading is body text.
    pub fn parse(files: &[SourceFile]) -> Document {
        parse::parse(files, true)
    }

    /// Parses a single file; see [`Document::parse`].
    pub fn from_text(name: &str, text: &str) -> Document {
        parse::parse_one(name, text, true)
    }

    /// Like [`Document::parse`], but leaves every [`Section::markdown`] empty. For
    /// callers that only need ids, titles and paragraphs, such as the diff: on a large
    /// document, copying the raw Markdown costs more than diffing it.
    pub fn parse_without_markdown(files: &[SourceFile]) -> Document {
        parse::parse(files, false)
    }

    /// Parses a single file without [`Section::markdown`]; see
    /// [`Document::parse_without_markdown`].
    pub fn from_text_without_markdown(name: &str, text: &str) -> Document {
        parse::parse_one(name, text, false)
    }

    /// The section with this id.
    pub fn section(&self, id: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.id == id)
    }

    /// Number of words (see [`count_words`]) in all headings and paragraphs.
    pub fn word_count(&self) -> usize {
        self.sections
            .iter()
            .map(|s| {
                count_words(&s.title)
                    + s.paragraphs
                        .iter()
                        .map(|p| count_words(&p.text))
                        .sum::<usize>()
            })
            .sum()
    }

    /// Outline numbers like `"2.1"` for every section (same order as
    /// [`Document::sections`]).
    ///
    /// Numbers count headings per level, starting at the smallest level used. When
    /// the smallest level is used by a single heading that comes first (a document
    /// title), that heading gets `""` and numbering starts one level deeper.
    /// Preambles get `""`. Skipped levels show as `0` (`1.0.1`).
    pub fn section_numbers(&self) -> Vec<String> {
        let levels: Vec<u8> = self
            .sections
            .iter()
            .map(|s| s.level)
            .filter(|&l| l > 0)
            .collect();
        let Some(&min) = levels.iter().min() else {
            return vec![String::new(); self.sections.len()];
        };
        let first_heading = self.sections.iter().position(|s| s.level > 0);
        let title_only = levels.iter().filter(|&&l| l == min).count() == 1
            && first_heading.is_some_and(|i| self.sections[i].level == min)
            && levels.len() > 1;
        let base = if title_only { min + 1 } else { min };
        let mut counters = [0usize; 7];
        self.sections
            .iter()
            .map(|s| {
                if s.level == 0 || s.level < base {
                    return String::new();
                }
                let depth = usize::from(s.level.min(6));
                counters[depth] += 1;
                for c in counters.iter_mut().skip(depth + 1) {
                    *c = 0;
                }
                let parts: Vec<String> = counters[usize::from(base)..=depth]
                    .iter()
                    .map(|c| c.to_string())
                    .collect();
                parts.join(".")
            })
            .collect()
    }
}
