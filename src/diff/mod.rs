//! Section-aware, word-level diff of two [`Document`]s.
//!
//! # How it works
//! 1. **Sections are matched by id.** Old sections whose id is gone are then paired
//!    with new sections whose id is new when their paragraphs are mostly the same (a
//!    heading renamed without an explicit `{#id}` changes its slug); such a pair is
//!    `renamed` and carries [`SectionDiff::old_id`]. The rest are `added`/`removed`.
//! 2. **Moves.** A matched section is `moved` when its parent heading changed or when
//!    it left the longest run of siblings that kept their order.
//! 3. **Paragraphs** are compared by their normalised text (whitespace collapsed, see
//!    [`crate::document::tokens`]), so re-wrapping is not a change. The paragraphs of
//!    a section are aligned with `similar`'s patience diff over hashes of the normalised
//!    texts; runs of replaced paragraphs are paired by word overlap.
//! 4. **Words**: only paired paragraphs are diffed word by word (Myers over tokens,
//!    with a deadline). When the time budget ([`DiffOptions::deadline`]) is used up, a
//!    paragraph is shown as replaced whole and [`DiffSummary::deadline_reached`] is set.
//!
//! # Word operations and offsets
//! A changed paragraph is a list of [`WordOp`]s that *tile* both normalised texts:
//! concatenating every op's `old_text` gives the old paragraph's normalised text, and
//! every op's `new_text` the new one. `old_offset`/`new_offset` are byte offsets of the
//! op's text in those normalised texts (whitespace runs collapsed to one space, or to a
//! line break where the break is structural; see [`crate::document::tokens`]).
//! Whitespace between two tokens belongs to the op of the token after it, so an op's
//! text may start with one separator (`" b"`); text inserted or deleted at the very
//! start of a paragraph carries the separator after it instead (`"new "`). `equal` ops
//! have the same `old_text` and `new_text`. Renderers show a leading or trailing
//! separator outside the change markers.
//!
//! Common leading and trailing text of two paragraphs is cut off (at whitespace)
//! before tokenizing; only the middle goes through Myers.
//!
//! # Output shape
//! [`DocumentDiff::sections`] lists every section (unchanged ones too, without
//! paragraphs) in reading order: new document order, with each removed section placed
//! after the section that preceded it in the old document. It serialises with serde to
//! a stable JSON shape (snake_case names; every field always present, `null` when not
//! applicable).

mod apply;
mod engine;
mod html;
mod json;
mod render;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

use std::time::Duration;

use serde::Serialize;

use crate::document::{Document, SourceFile};

pub use apply::{ApplyError, OutlineSection, apply, outline};
pub use engine::{diff_documents, diff_words};
pub use html::{DiffPage, PageSide, render_html};
pub use render::{render_json, render_markdown, render_stat, render_text, write_json};

/// Version of the JSON shape; raised when a field changes meaning or disappears.
pub const FORMAT_VERSION: u32 = 1;

/// What to diff and how long to try.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffOptions {
    /// Only report the section with this id (old or new id).
    pub section: Option<String>,
    /// Total time budget for word-level refinement. `None` means no limit. The default
    /// is 300 ms; one paragraph may use a quarter of it. Paragraphs not refined in time
    /// are shown as replaced whole. A word diff of at most 2000 tokens, once
    /// started, is not cut short (it takes well under a millisecond).
    pub deadline: Option<Duration>,
    /// Also carry the text of unchanged paragraphs and sections (one `equal` op each),
    /// so that renderers can show context or a whole annotated document. Off by
    /// default: the diff then holds only what changed.
    pub full_text: bool,
}

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions {
            section: None,
            deadline: Some(Duration::from_millis(300)),
            full_text: false,
        }
    }
}

/// The result of [`diff_documents`]: plain data, serialisable with serde.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentDiff {
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// The `--section` filter used, if any. A filtered diff cannot be [`apply`]-ed.
    pub section_filter: Option<String>,
    /// Whether [`DiffOptions::full_text`] was on.
    pub full_text: bool,
    /// Counts over the reported sections.
    pub summary: DiffSummary,
    /// One entry per section, in reading order (see the module documentation).
    pub sections: Vec<SectionDiff>,
    /// Parse warnings of both documents.
    pub warnings: Vec<DiffWarning>,
}

impl DocumentDiff {
    /// True if any reported section is not `unchanged`.
    pub fn has_changes(&self) -> bool {
        self.sections
            .iter()
            .any(|s| s.status != SectionStatus::Unchanged)
    }
}

/// Counts over the reported sections.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DiffSummary {
    /// Sections in the old document.
    pub sections_old: usize,
    /// Sections in the new document.
    pub sections_new: usize,
    /// Reported sections with status `unchanged`.
    pub unchanged: usize,
    /// … with status `changed`.
    pub changed: usize,
    /// … with status `added`.
    pub added: usize,
    /// … with status `removed`.
    pub removed: usize,
    /// … with status `moved`.
    pub moved: usize,
    /// … with status `renamed`.
    pub renamed: usize,
    /// Words added in all reported sections.
    pub words_added: usize,
    /// Words removed in all reported sections.
    pub words_removed: usize,
    /// Paragraphs with status `changed`.
    pub paragraphs_changed: usize,
    /// Paragraphs with status `inserted`.
    pub paragraphs_inserted: usize,
    /// Paragraphs with status `deleted`.
    pub paragraphs_deleted: usize,
    /// True if the time budget ran out and some paragraphs are shown replaced whole.
    pub deadline_reached: bool,
}

/// The overall status of a section. A section can be moved, renamed and changed at
/// once: `status` then names the strongest (`changed` > `renamed` > `moved`), and the
/// flags in [`SectionDiff`] tell all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionStatus {
    /// Same id, title, level, place and paragraphs (up to whitespace).
    Unchanged,
    /// Paragraphs or heading level differ.
    Changed,
    /// Only in the new document.
    Added,
    /// Only in the old document.
    Removed,
    /// Same content, new place (other parent heading or other order among siblings).
    Moved,
    /// Same content, new title.
    Renamed,
}

impl SectionStatus {
    /// The lower-case name used in JSON and by the renderers.
    pub fn as_str(self) -> &'static str {
        match self {
            SectionStatus::Unchanged => "unchanged",
            SectionStatus::Changed => "changed",
            SectionStatus::Added => "added",
            SectionStatus::Removed => "removed",
            SectionStatus::Moved => "moved",
            SectionStatus::Renamed => "renamed",
        }
    }
}

/// How one section differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SectionDiff {
    /// The section id: the new id, or the old one for a removed section.
    pub id: String,
    /// The old id when it differs from `id` (a renamed heading whose slug changed).
    pub old_id: Option<String>,
    /// The strongest change, see [`SectionStatus`].
    pub status: SectionStatus,
    /// The section is in another place (parent heading or sibling order).
    pub moved: bool,
    /// The title changed.
    pub renamed: bool,
    /// At least one paragraph changed, was inserted or was deleted.
    pub content_changed: bool,
    /// The heading level changed.
    pub level_changed: bool,
    /// Outline number like `"2.1"` (in the new document; in the old one if removed).
    pub number: String,
    /// Title in the old document.
    pub old_title: Option<String>,
    /// Title in the new document.
    pub new_title: Option<String>,
    /// Heading level in the old document (0 for a preamble).
    pub old_level: Option<u8>,
    /// Heading level in the new document.
    pub new_level: Option<u8>,
    /// Index in the old [`Document::sections`].
    pub old_index: Option<usize>,
    /// Index in the new [`Document::sections`].
    pub new_index: Option<usize>,
    /// File of the old section.
    pub old_file: Option<String>,
    /// File of the new section.
    pub new_file: Option<String>,
    /// 1-based heading line in the old file.
    pub old_line: Option<usize>,
    /// 1-based heading line in the new file.
    pub new_line: Option<usize>,
    /// Words in inserted text.
    pub words_added: usize,
    /// Words in deleted text.
    pub words_removed: usize,
    /// Paragraph by paragraph, for sections whose content changed, were added or were
    /// removed (and for all sections with [`DiffOptions::full_text`]). Empty otherwise.
    pub paragraphs: Vec<ParagraphDiff>,
}

/// How one paragraph differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ParagraphStatus {
    /// Same normalised text. Has no ops unless [`DiffOptions::full_text`].
    Equal,
    /// Word-level changes, in `ops`.
    Changed,
    /// Only in the new section: one `insert` op.
    Inserted,
    /// Only in the old section: one `delete` op.
    Deleted,
}

/// One paragraph of a section diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParagraphDiff {
    /// What happened to the paragraph.
    pub status: ParagraphStatus,
    /// Index in the old section's [`Section::paragraphs`](crate::document::Section::paragraphs).
    pub old_index: Option<usize>,
    /// Index in the new section's paragraphs.
    pub new_index: Option<usize>,
    /// 1-based line in the old file.
    pub old_line: Option<usize>,
    /// 1-based line in the new file.
    pub new_line: Option<usize>,
    /// Word operations tiling both normalised texts (see the module documentation).
    pub ops: Vec<WordOp>,
}

/// The kind of a [`WordOp`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OpKind {
    /// Text in both.
    Equal,
    /// Text only in the old paragraph.
    Delete,
    /// Text only in the new paragraph.
    Insert,
    /// Old text replaced by new text.
    Replace,
}

/// One word-level operation inside a paragraph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WordOp {
    /// What the op does.
    pub kind: OpKind,
    /// Old text (empty for `insert`).
    pub old_text: String,
    /// New text (empty for `delete`).
    pub new_text: String,
    /// Byte offset of `old_text` in the old paragraph's normalised text.
    pub old_offset: usize,
    /// Byte offset of `new_text` in the new paragraph's normalised text.
    pub new_offset: usize,
}

/// Which side of the diff a warning comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The old document (FROM).
    Old,
    /// The new document (TO).
    New,
}

/// A parse warning of one of the two documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffWarning {
    /// Which document.
    pub side: Side,
    /// File name.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// The message.
    pub message: String,
}

/// Parses the old version of a single file for a diff against a new version named
/// `new_name`: it is parsed under the new name, so that preamble ids match, and its
/// sections then get the old file's name back. Like all the parsing helpers here it
/// leaves [`Section::markdown`](crate::document::Section::markdown) empty, as the diff
/// does not use it ([`Document::from_text_without_markdown`]).
pub fn old_document(old: &SourceFile, new_name: &str) -> Document {
    let mut doc = Document::from_text_without_markdown(new_name, &old.text);
    for s in &mut doc.sections {
        s.file.clone_from(&old.name);
    }
    for w in &mut doc.warnings {
        w.file.clone_from(&old.name);
    }
    doc
}

/// Parses two single files as the old and new version of one document (see
/// [`old_document`]).
pub fn documents_from_files(old: &SourceFile, new: &SourceFile) -> (Document, Document) {
    (
        old_document(old, &new.name),
        Document::from_text_without_markdown(&new.name, &new.text),
    )
}

/// Diffs two single Markdown files (the "two plain files" case).
pub fn diff_files(old: &SourceFile, new: &SourceFile, opts: &DiffOptions) -> DocumentDiff {
    let (a, b) = documents_from_files(old, new);
    diff_documents(&a, &b, opts)
}
