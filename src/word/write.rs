//! Writing a version as a Word document (`.docx`) with docx-rs.
//!
//! The document is: a front page (case title, case number, version and label, date and
//! the marking "Utkast"/"Godkjent" in the case's language), which ends with a page break
//! and lies *before* the first section bookmark; a page header repeating the title,
//! version and marking; then every section of the version, each wrapped in its section
//! bookmark ([`super::bookmark_name`]): the heading as `Heading1`…`Heading6` with the
//! section number as literal text, then the section's paragraphs rendered from their
//! Markdown with pulldown-cmark (emphasis, code, strikethrough, links, bullet and
//! numbered lists, tables, block quotes, code blocks). Raw HTML is shown as text, as in
//! the HTML copy, and links keep only targets [`is_safe_url`] accepts; a link to `#id`
//! of a section becomes a link to its bookmark.
//!
//! Each block of a section ([`crate::document::Paragraph`]) is rendered on its own, so
//! that the redline ([`super::redline`]) can mark exactly the blocks the diff names; the
//! two share [`Writer`].

use std::io::Cursor;
use std::ops::Range;

use docx_rs::{
    AbstractNumbering, AlignmentType, BreakType, Delete, Docx, Header, Hyperlink, HyperlinkType,
    IndentLevel, Insert, Level, LevelJc, LevelOverride, LevelText, LineSpacing, NumberFormat,
    Numbering, NumberingId, Paragraph, Run, RunFonts, SpecialIndentType, Start, Style, StyleType,
    Table, TableCell, TableRow,
};
use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};

use crate::document::Document;
use crate::document::html::is_safe_url;
use crate::model::Lang;

use super::bookmark_name;

/// What the front page and the page header say about the version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontMatter {
    /// The case's title (`[case] title`).
    pub case_title: String,
    /// The case number (saksnummer), if the case has one.
    pub case_number: Option<String>,
    /// The version's name (`v3`).
    pub version: String,
    /// The version's label.
    pub label: String,
    /// The version's date in words, in the case's language.
    pub date: String,
    /// When the version was cut, as Word's dates are written (`2026-12-02T10:00:00Z`):
    /// the document's creation date.
    pub timestamp: String,
    /// Whether the version is approved (then "Godkjent", else "Utkast").
    pub approved: bool,
    /// The case's language.
    pub lang: Lang,
    /// For a redline: the earlier version the changes are from (shown on the front
    /// page as "Endringer fra v1").
    pub changes_from: Option<String>,
}

impl FrontMatter {
    /// The marking of the document: "Utkast" until approved, then "Godkjent"
    /// (in the case's language).
    pub fn marking(&self) -> &'static str {
        crate::document::html::marking(self.lang, self.approved)
    }

    fn changes_from_words(&self) -> &'static str {
        match self.lang {
            Lang::Nb => "Endringer fra",
            Lang::Nn => "Endringar frå",
            Lang::En => "Changes from",
            Lang::Da => "Ændringer fra",
        }
    }

    fn words(&self) -> (&'static str, &'static str, &'static str) {
        match self.lang {
            Lang::Nb | Lang::Nn => ("Saksnummer", "Versjon", "Dato"),
            Lang::En => ("Case number", "Version", "Date"),
            Lang::Da => ("Sagsnummer", "Version", "Dato"),
        }
    }
}

/// A failure to write a Word document.
#[derive(Debug, thiserror::Error)]
pub enum WordError {
    /// The zip archive could not be written.
    #[error("could not write the Word document's zip archive")]
    Pack {
        /// The zip writer's error.
        #[source]
        source: zip::result::ZipError,
    },
}

/// A version written as a `.docx`.
#[derive(Debug, Clone)]
pub struct Written {
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// Sections written (each with its bookmark).
    pub sections: usize,
}

/// Writes `doc` as a Word document; see the module documentation.
pub fn export_docx(doc: &Document, front: &FrontMatter) -> Result<Written, WordError> {
    let mut w = Writer::new(front, None);
    let numbers = doc.section_numbers();
    for (i, s) in doc.sections.iter().enumerate() {
        w.begin_section(&s.id);
        if s.level > 0 {
            let number = numbers.get(i).map_or("", String::as_str);
            w.heading(
                s.level,
                &[(heading_text(number, &s.title), Mark::None)],
                Mark::None,
            );
        }
        for p in &s.paragraphs {
            w.blocks(&p.text, Mark::None);
        }
        w.end_section();
    }
    let sections = w.sections;
    Ok(Written {
        bytes: w.finish()?,
        sections,
    })
}

/// The text of a heading: its number, one space, its title (the title alone without a
/// number).
pub(crate) fn heading_text(number: &str, title: &str) -> String {
    if number.is_empty() {
        title.to_string()
    } else {
        format!("{number} {title}")
    }
}

/// Whether text is shown as it is, inserted or deleted (a tracked change).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mark {
    /// Plain text.
    None,
    /// A tracked insertion.
    Ins,
    /// A tracked deletion.
    Del,
}

/// Who made the tracked changes, and when (Word's date form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Change {
    pub author: String,
    pub date: String,
}

/// The width of the text on an A4 page with docx-rs's margins, in twips.
const TEXT_WIDTH: usize = 8504;

const BOLD: u8 = 1;
const ITALIC: u8 = 2;
const STRIKE: u8 = 4;
const CODE: u8 = 8;

/// Where a link leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Link {
    /// A web or mail address.
    External(String),
    /// A bookmark in the document.
    Anchor(String),
}

/// A piece of inline text with its formatting and where it came from in the block's
/// Markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Span {
    pub text: String,
    pub style: u8,
    pub link: Option<Link>,
    /// A line break (the text is empty).
    pub brk: bool,
    /// Byte range of the Markdown the text came from.
    pub range: Range<usize>,
}

impl Span {
    /// The part of this span's text that came from `want` (bytes of the Markdown), if
    /// any. A span whose text is its source exactly is cut at the byte offsets; any other
    /// (an escape, an entity, a code span with its backticks) is taken whole when its
    /// source starts inside `want`.
    pub fn part(&self, want: &Range<usize>) -> Option<Span> {
        let start = self.range.start.max(want.start);
        let end = self.range.end.min(want.end);
        if self.brk || self.text.len() != self.range.len() {
            return (want.contains(&self.range.start)
                || (self.range.is_empty() && self.range.start == want.start))
                .then(|| self.clone());
        }
        if start >= end {
            return None;
        }
        let (a, b) = (start - self.range.start, end - self.range.start);
        let text = self.text.get(a..b)?;
        Some(Span {
            text: text.to_string(),
            range: start..end,
            ..self.clone()
        })
    }
}

/// The paragraph style of a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PStyle {
    Normal,
    Quote,
    Code,
    ListItem,
    Rule,
}

/// One block of rendered Markdown: a paragraph or a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Block {
    Para {
        style: PStyle,
        /// Numbering instance and level, for a list item's first paragraph.
        num: Option<(usize, usize)>,
        /// List depth (indentation) for list paragraphs.
        depth: usize,
        spans: Vec<Span>,
    },
    Table {
        /// Rows: whether it is the header row, and each cell's spans.
        rows: Vec<(bool, Vec<Vec<Span>>)>,
    },
}

/// A table being built: its rows (header or not, cells), the current row's cells, and
/// whether the head is being read.
type TableInProgress = (Vec<(bool, Vec<Vec<Span>>)>, Vec<Vec<Span>>, bool);

/// A list being rendered: its numbering instance.
struct ListCtx {
    num: usize,
    /// Whether the current item has had its first paragraph.
    item_started: bool,
}

/// Renders one block of Markdown into [`Block`]s; list numbering instances are taken
/// from `next_num` (each list gets its own, so numbered lists restart) and recorded in
/// `lists` as (instance, ordered, start).
pub(crate) fn render_blocks(
    markdown: &str,
    next_num: &mut usize,
    lists: &mut Vec<(usize, bool, u64)>,
) -> Vec<Block> {
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_HEADING_ATTRIBUTES,
    )
    .into_offset_iter();
    let mut blocks = Vec::new();
    let mut spans: Vec<Span> = Vec::new();
    let mut style = 0u8;
    let mut links: Vec<Option<Link>> = Vec::new();
    let mut list_stack: Vec<ListCtx> = Vec::new();
    let mut quote = 0usize;
    let mut code = false;
    let mut rule_pending = false;
    // A table being built: rows, the current row's cells, whether in the head.
    let mut table: Option<TableInProgress> = None;

    let flush = |spans: &mut Vec<Span>,
                 blocks: &mut Vec<Block>,
                 list_stack: &mut Vec<ListCtx>,
                 quote: usize,
                 code: bool| {
        if spans.is_empty() {
            return;
        }
        let depth = list_stack.len();
        let (pstyle, num) = if code {
            (PStyle::Code, None)
        } else if let Some(l) = list_stack.last_mut() {
            let num = (!l.item_started).then_some((l.num, depth.saturating_sub(1).min(8)));
            l.item_started = true;
            (PStyle::ListItem, num)
        } else if quote > 0 {
            (PStyle::Quote, None)
        } else {
            (PStyle::Normal, None)
        };
        blocks.push(Block::Para {
            style: pstyle,
            num,
            depth,
            spans: std::mem::take(spans),
        });
    };

    for (event, range) in parser {
        let link = links.iter().rev().find_map(Clone::clone);
        let push = |text: CowStr<'_>, style: u8, spans: &mut Vec<Span>| {
            spans.push(Span {
                text: text.into_string(),
                style,
                link: link.clone(),
                brk: false,
                range: range.clone(),
            });
        };
        let cell = table.as_mut().and_then(|t| t.1.last_mut());
        match event {
            Event::Text(t) if code => {
                // A code block: one paragraph, its lines joined by line breaks.
                let mut offset = range.start;
                for (i, line) in t.split('\n').enumerate() {
                    if i > 0 {
                        spans.push(Span {
                            text: String::new(),
                            style: CODE,
                            link: None,
                            brk: true,
                            range: offset..offset,
                        });
                        offset += 1;
                    }
                    if !line.is_empty() {
                        spans.push(Span {
                            text: line.to_string(),
                            style: CODE,
                            link: None,
                            brk: false,
                            range: offset..offset + line.len(),
                        });
                    }
                    offset += line.len();
                }
                // The final line break of a code block is no line of its own.
                if spans.last().is_some_and(|s| s.brk) {
                    spans.pop();
                }
            }
            Event::Text(t) | Event::Html(t) | Event::InlineHtml(t) => match cell {
                Some(cell) => push(t, style, cell),
                None => push(t, style, &mut spans),
            },
            Event::Code(t) => match cell {
                Some(cell) => push(t, style | CODE, cell),
                None => push(t, style | CODE, &mut spans),
            },
            Event::SoftBreak => match cell {
                Some(cell) => push(" ".into(), style, cell),
                None => push(" ".into(), style, &mut spans),
            },
            Event::HardBreak => {
                let target = match cell {
                    Some(cell) => cell,
                    None => &mut spans,
                };
                target.push(Span {
                    text: String::new(),
                    style,
                    link: None,
                    brk: true,
                    range: range.clone(),
                });
            }
            Event::Rule => {
                flush(&mut spans, &mut blocks, &mut list_stack, quote, code);
                rule_pending = true;
            }
            Event::TaskListMarker(done) => {
                push(if done { "☒ " } else { "☐ " }.into(), style, &mut spans);
            }
            Event::FootnoteReference(t) => push(t, style, &mut spans),
            Event::InlineMath(t) | Event::DisplayMath(t) => push(t, style, &mut spans),
            Event::Start(tag) => match tag {
                Tag::Paragraph | Tag::Heading { .. } | Tag::HtmlBlock => {
                    flush(&mut spans, &mut blocks, &mut list_stack, quote, code);
                    if matches!(tag, Tag::Heading { .. }) {
                        style |= BOLD;
                    }
                }
                Tag::BlockQuote(_) => {
                    flush(&mut spans, &mut blocks, &mut list_stack, quote, code);
                    quote += 1;
                }
                Tag::CodeBlock(_) => {
                    flush(&mut spans, &mut blocks, &mut list_stack, quote, code);
                    code = true;
                }
                Tag::List(start) => {
                    flush(&mut spans, &mut blocks, &mut list_stack, quote, code);
                    *next_num += 1;
                    lists.push((*next_num, start.is_some(), start.unwrap_or(1)));
                    list_stack.push(ListCtx {
                        num: *next_num,
                        item_started: false,
                    });
                }
                Tag::Item => {
                    flush(&mut spans, &mut blocks, &mut list_stack, quote, code);
                    if let Some(l) = list_stack.last_mut() {
                        l.item_started = false;
                    }
                }
                Tag::Emphasis => style |= ITALIC,
                Tag::Strong => style |= BOLD,
                Tag::Strikethrough => style |= STRIKE,
                Tag::Link {
                    link_type,
                    dest_url,
                    ..
                } => {
                    let target = if let Some(id) = dest_url.strip_prefix('#') {
                        Some(Link::Anchor(bookmark_name(id)))
                    } else if link_type == LinkType::Email && !dest_url.contains(':') {
                        Some(Link::External(format!("mailto:{dest_url}")))
                    } else if is_safe_url(&dest_url) {
                        Some(Link::External(dest_url.trim().to_string()))
                    } else {
                        None
                    };
                    links.push(target);
                }
                Tag::Image { .. } => links.push(None),
                Tag::Table(_) => {
                    flush(&mut spans, &mut blocks, &mut list_stack, quote, code);
                    table = Some((Vec::new(), Vec::new(), false));
                }
                Tag::TableHead => {
                    if let Some(t) = table.as_mut() {
                        t.2 = true;
                    }
                }
                Tag::TableRow => {
                    if let Some(t) = table.as_mut() {
                        t.1.clear();
                    }
                }
                Tag::TableCell => {
                    if let Some(t) = table.as_mut() {
                        t.1.push(Vec::new());
                    }
                }
                _ => {}
            },
            Event::End(tag) => match tag {
                TagEnd::Paragraph | TagEnd::HtmlBlock => {
                    flush(&mut spans, &mut blocks, &mut list_stack, quote, code);
                }
                TagEnd::Heading(_) => {
                    flush(&mut spans, &mut blocks, &mut list_stack, quote, code);
                    style &= !BOLD;
                }
                TagEnd::BlockQuote(_) => {
                    flush(&mut spans, &mut blocks, &mut list_stack, quote, code);
                    quote = quote.saturating_sub(1);
                }
                TagEnd::CodeBlock => {
                    flush(&mut spans, &mut blocks, &mut list_stack, quote, code);
                    code = false;
                }
                TagEnd::List(_) => {
                    flush(&mut spans, &mut blocks, &mut list_stack, quote, code);
                    list_stack.pop();
                }
                TagEnd::Item => flush(&mut spans, &mut blocks, &mut list_stack, quote, code),
                TagEnd::Emphasis => style &= !ITALIC,
                TagEnd::Strong => style &= !BOLD,
                TagEnd::Strikethrough => style &= !STRIKE,
                TagEnd::Link | TagEnd::Image => {
                    links.pop();
                }
                TagEnd::TableHead => {
                    if let Some(t) = table.as_mut() {
                        let cells = std::mem::take(&mut t.1);
                        t.0.push((true, cells));
                        t.2 = false;
                    }
                }
                TagEnd::TableRow => {
                    if let Some(t) = table.as_mut() {
                        let cells = std::mem::take(&mut t.1);
                        let head = t.2;
                        t.0.push((head, cells));
                    }
                }
                TagEnd::Table => {
                    if let Some((rows, _, _)) = table.take() {
                        blocks.push(Block::Table { rows });
                    }
                }
                _ => {}
            },
        }
        if rule_pending {
            rule_pending = false;
            blocks.push(Block::Para {
                style: PStyle::Rule,
                num: None,
                depth: 0,
                spans: vec![Span {
                    text: "* * *".into(),
                    style: 0,
                    link: None,
                    brk: false,
                    range: range.clone(),
                }],
            });
        }
    }
    flush(&mut spans, &mut blocks, &mut list_stack, quote, code);
    blocks
}

/// The abstract numberings of lists (docx-rs keeps 1 for its own default).
const BULLET_ABSTRACT: usize = 10;
const DECIMAL_ABSTRACT: usize = 11;
/// List numbering instances count up from here (above docx-rs's default instance 1).
const FIRST_NUM: usize = 10;

/// Builds the Word document: styles, numbering, the front page and header, and the
/// body, section by section.
pub(crate) struct Writer {
    docx: Docx,
    change: Option<Change>,
    next_bookmark: usize,
    /// The bookmark of the section being written, until a paragraph takes its start.
    pending_start: Option<(usize, String)>,
    open: Option<usize>,
    next_num: usize,
    lists: Vec<(usize, bool, u64)>,
    pub sections: usize,
}

impl Writer {
    /// A writer with the styles and the front matter written; `change` is who and when
    /// for tracked changes (the redline).
    pub fn new(front: &FrontMatter, change: Option<Change>) -> Writer {
        let mut docx = Docx::new()
            .created_at(&front.timestamp)
            .updated_at(&front.timestamp)
            // Which version this is a copy of, for the import (DOCXIN).
            .custom_property(super::VERSION_PROPERTY, &front.version)
            .default_fonts(RunFonts::new().ascii("Calibri").hi_ansi("Calibri"))
            .default_size(22)
            .add_style(
                Style::new("Normal", StyleType::Paragraph)
                    .name("Normal")
                    .q_format(true)
                    // 6 pt after a paragraph, lines at 1.15, as Word's own Normal.
                    .line_spacing(LineSpacing::new().after(120).line(276)),
            )
            .add_style(
                Style::new("Title", StyleType::Paragraph)
                    .name("Title")
                    .based_on("Normal")
                    .size(48)
                    .bold(),
            )
            .add_style(
                Style::new("Quote", StyleType::Paragraph)
                    .name("Quote")
                    .based_on("Normal")
                    .italic()
                    .indent(Some(720), None, Some(720), None),
            )
            .add_style(
                Style::new("SourceCode", StyleType::Paragraph)
                    .name("Source Code")
                    .based_on("Normal")
                    .fonts(RunFonts::new().ascii("Courier New").hi_ansi("Courier New"))
                    .size(20),
            )
            .add_style(
                Style::new("ListParagraph", StyleType::Paragraph)
                    .name("List Paragraph")
                    .based_on("Normal")
                    .line_spacing(LineSpacing::new().after(40).line(276)),
            )
            .add_style(
                Style::new("VerbatimChar", StyleType::Character)
                    .name("Verbatim Char")
                    .fonts(RunFonts::new().ascii("Courier New").hi_ansi("Courier New")),
            )
            .add_style(
                Style::new("Hyperlink", StyleType::Character)
                    .name("Hyperlink")
                    .color("0563C1")
                    .underline("single"),
            );
        for level in 1..=6usize {
            docx = docx.add_style(
                Style::new(format!("Heading{level}"), StyleType::Paragraph)
                    .name(format!("heading {level}"))
                    .based_on("Normal")
                    .next("Normal")
                    .q_format(true)
                    .bold()
                    .size([32, 28, 26, 24, 22, 22][level - 1])
                    .line_spacing(LineSpacing::new().before(240).after(80))
                    .outline_lvl(level - 1),
            );
        }
        if let Some(case) = &front.case_number {
            docx = docx.custom_property(super::CASE_PROPERTY, case);
        }
        let marking = front.marking();
        let header_line = format!("{} – {} – {marking}", front.case_title, front.version);
        docx = docx.header(
            Header::new().add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Right)
                    .add_run(Run::new().add_text(header_line).size(18)),
            ),
        );
        // The front page: before the first section bookmark, so a reader of the file
        // knows it is no part of the text.
        let (number_word, version_word, date_word) = front.words();
        docx = docx.add_paragraph(
            Paragraph::new()
                .style("Title")
                .add_run(Run::new().add_text(front.case_title.clone())),
        );
        if let Some(n) = &front.case_number {
            docx = docx.add_paragraph(
                Paragraph::new().add_run(Run::new().add_text(format!("{number_word}: {n}"))),
            );
        }
        docx = docx
            .add_paragraph(Paragraph::new().add_run(Run::new().add_text(format!(
                "{version_word}: {} – {}",
                front.version, front.label
            ))))
            .add_paragraph(
                Paragraph::new()
                    .add_run(Run::new().add_text(format!("{date_word}: {}", front.date))),
            );
        if let Some(from) = &front.changes_from {
            docx = docx
                .add_paragraph(Paragraph::new().add_run(
                    Run::new().add_text(format!("{} {from}", front.changes_from_words())),
                ));
        }
        docx = docx.add_paragraph(
            Paragraph::new()
                .add_run(Run::new().add_text(marking.to_uppercase()).bold().size(32))
                .add_run(Run::new().add_break(BreakType::Page)),
        );
        Writer {
            docx,
            change,
            next_bookmark: 0,
            pending_start: None,
            open: None,
            next_num: FIRST_NUM - 1,
            lists: Vec::new(),
            sections: 0,
        }
    }

    /// Starts the section with this id: its bookmark starts in its first paragraph.
    pub fn begin_section(&mut self, id: &str) {
        self.end_section();
        let n = self.next_bookmark;
        self.next_bookmark += 1;
        self.pending_start = Some((n, bookmark_name(id)));
        self.open = Some(n);
        self.sections += 1;
    }

    /// Ends the open section's bookmark, if any.
    pub fn end_section(&mut self) {
        if let Some((n, name)) = self.pending_start.take() {
            self.docx = std::mem::take(&mut self.docx).add_bookmark_start(n, name);
        }
        if let Some(n) = self.open.take() {
            self.docx = std::mem::take(&mut self.docx).add_bookmark_end(n);
        }
    }

    /// Writes a block of text outside any section bookmark (a removed section in the
    /// redline).
    pub fn outside_section(&mut self) {
        self.end_section();
    }

    /// A new paragraph, carrying the pending bookmark start.
    fn paragraph(&mut self) -> Paragraph {
        let p = Paragraph::new();
        match self.pending_start.take() {
            Some((n, name)) => p.add_bookmark_start(n, name),
            None => p,
        }
    }

    /// Writes a heading of `level` from marked pieces of text; `mark` is its paragraph
    /// mark's change.
    pub fn heading(&mut self, level: u8, pieces: &[(String, Mark)], mark: Mark) {
        let level = level.clamp(1, 6);
        let mut p = self
            .paragraph()
            .style(&format!("Heading{level}"))
            .keep_next(true);
        for (text, m) in pieces {
            let span = Span {
                text: text.clone(),
                style: 0,
                link: None,
                brk: false,
                range: 0..0,
            };
            p = self.add_span(p, &span, *m);
        }
        p = self.mark_paragraph(p, mark);
        self.docx = std::mem::take(&mut self.docx).add_paragraph(p);
    }

    /// Renders a block of Markdown, every piece of it marked `mark`.
    pub fn blocks(&mut self, markdown: &str, mark: Mark) {
        let blocks = self.render(markdown);
        for b in &blocks {
            self.block(b, mark);
        }
    }

    /// Renders Markdown into blocks with this writer's list numbering.
    pub fn render(&mut self, markdown: &str) -> Vec<Block> {
        render_blocks(markdown, &mut self.next_num, &mut self.lists)
    }

    /// Writes one block, every piece of it marked `mark`.
    pub fn block(&mut self, block: &Block, mark: Mark) {
        match block {
            Block::Para { spans, .. } => {
                let marked: Vec<(Span, Mark)> = spans.iter().map(|s| (s.clone(), mark)).collect();
                self.para(block, &marked, mark);
            }
            Block::Table { rows } => {
                let mut table_rows = Vec::with_capacity(rows.len());
                for (head, cells) in rows {
                    let mut tcells = Vec::with_capacity(cells.len());
                    for spans in cells {
                        let mut p = Paragraph::new();
                        for s in spans {
                            let mut s = s.clone();
                            if *head {
                                s.style |= BOLD;
                            }
                            p = self.add_span(p, &s, mark);
                        }
                        p = self.mark_paragraph(p, mark);
                        tcells.push(TableCell::new().add_paragraph(p));
                    }
                    let mut row = TableRow::new(tcells);
                    if let Some(c) = &self.change {
                        match mark {
                            Mark::Ins => {
                                row = row.insert(
                                    Insert::new_with_empty()
                                        .author(c.author.clone())
                                        .date(c.date.clone()),
                                );
                            }
                            Mark::Del => {
                                row = row.delete(
                                    Delete::new().author(c.author.clone()).date(c.date.clone()),
                                );
                            }
                            Mark::None => {}
                        }
                    }
                    table_rows.push(row);
                }
                if let Some((n, name)) = self.pending_start.take() {
                    self.docx = std::mem::take(&mut self.docx).add_bookmark_start(n, name);
                }
                // Word and pandoc want the grid: equal columns over the text width.
                let columns = rows.iter().map(|(_, c)| c.len()).max().unwrap_or(1).max(1);
                let grid = vec![TEXT_WIDTH / columns; columns];
                self.docx =
                    std::mem::take(&mut self.docx).add_table(Table::new(table_rows).set_grid(grid));
            }
        }
    }

    /// Writes a paragraph block with its pieces marked one by one; `mark` is the
    /// paragraph mark's change.
    pub fn para(&mut self, block: &Block, pieces: &[(Span, Mark)], mark: Mark) {
        let Block::Para {
            style, num, depth, ..
        } = block
        else {
            return;
        };
        let mut p = self.paragraph();
        p = match style {
            PStyle::Normal => p,
            PStyle::Quote => p.style("Quote"),
            PStyle::Code => p.style("SourceCode"),
            PStyle::Rule => p.align(AlignmentType::Center),
            PStyle::ListItem => {
                let p = p.style("ListParagraph");
                match num {
                    Some((n, level)) => p.numbering(NumberingId::new(*n), IndentLevel::new(*level)),
                    None => p.indent(
                        Some(i32::try_from(*depth).unwrap_or(8) * 720),
                        None,
                        None,
                        None,
                    ),
                }
            }
        };
        for (s, m) in pieces {
            p = self.add_span(p, s, *m);
        }
        p = self.mark_paragraph(p, mark);
        self.docx = std::mem::take(&mut self.docx).add_paragraph(p);
    }

    fn mark_paragraph(&self, p: Paragraph, mark: Mark) -> Paragraph {
        match (&self.change, mark) {
            (Some(c), Mark::Ins) => p.insert(c.author.clone(), c.date.clone()),
            (Some(c), Mark::Del) => p.delete(c.author.clone(), c.date.clone()),
            _ => p,
        }
    }

    fn add_span(&self, p: Paragraph, s: &Span, mark: Mark) -> Paragraph {
        let deleted = mark == Mark::Del && self.change.is_some();
        let mut run = Run::new();
        if s.brk {
            run = run.add_break(BreakType::TextWrapping);
        } else if deleted {
            run = run.add_delete_text(s.text.clone());
        } else {
            run = run.add_text(s.text.clone());
        }
        if s.style & BOLD != 0 {
            run = run.bold();
        }
        if s.style & ITALIC != 0 {
            run = run.italic();
        }
        if s.style & STRIKE != 0 {
            run = run.strike();
        }
        if s.style & CODE != 0 {
            run = run.style("VerbatimChar");
        }
        if s.link.is_some() {
            run = run.style("Hyperlink");
        }
        let wrap_ins = |run: Run| -> Option<Insert> {
            match (&self.change, mark) {
                (Some(c), Mark::Ins) => Some(
                    Insert::new(run)
                        .author(c.author.clone())
                        .date(c.date.clone()),
                ),
                _ => None,
            }
        };
        let wrap_del = |run: Run| -> Option<Delete> {
            match (&self.change, mark) {
                (Some(c), Mark::Del) => Some(
                    Delete::new()
                        .add_run(run)
                        .author(c.author.clone())
                        .date(c.date.clone()),
                ),
                _ => None,
            }
        };
        match &s.link {
            Some(link) => {
                let mut h = match link {
                    Link::External(url) => Hyperlink::new(url.clone(), HyperlinkType::External),
                    Link::Anchor(name) => Hyperlink::new(name.clone(), HyperlinkType::Anchor),
                };
                h = match mark {
                    Mark::Ins if self.change.is_some() => match wrap_ins(run) {
                        Some(i) => h.add_insert(i),
                        None => h,
                    },
                    Mark::Del if self.change.is_some() => match wrap_del(run) {
                        Some(d) => h.add_delete(d),
                        None => h,
                    },
                    _ => h.add_run(run),
                };
                p.add_hyperlink(h)
            }
            None => match mark {
                Mark::Ins if self.change.is_some() => match wrap_ins(run) {
                    Some(i) => p.add_insert(i),
                    None => p,
                },
                Mark::Del if self.change.is_some() => match wrap_del(run) {
                    Some(d) => p.add_delete(d),
                    None => p,
                },
                _ => p.add_run(run),
            },
        }
    }

    /// Adds the list numberings and packs the document.
    pub fn finish(mut self) -> Result<Vec<u8>, WordError> {
        self.end_section();
        let bullets = ["•", "◦", "▪"];
        let mut bullet = AbstractNumbering::new(BULLET_ABSTRACT);
        let mut decimal = AbstractNumbering::new(DECIMAL_ABSTRACT);
        for level in 0..9usize {
            let indent = i32::try_from(level + 1).unwrap_or(9) * 720;
            bullet = bullet.add_level(
                Level::new(
                    level,
                    Start::new(1),
                    NumberFormat::new("bullet"),
                    LevelText::new(bullets[level % 3]),
                    LevelJc::new("left"),
                )
                .indent(
                    Some(indent),
                    Some(SpecialIndentType::Hanging(360)),
                    None,
                    None,
                ),
            );
            decimal = decimal.add_level(
                Level::new(
                    level,
                    Start::new(1),
                    NumberFormat::new(if level % 3 == 1 {
                        "lowerLetter"
                    } else {
                        "decimal"
                    }),
                    LevelText::new(format!("%{}.", level + 1)),
                    LevelJc::new("left"),
                )
                .indent(
                    Some(indent),
                    Some(SpecialIndentType::Hanging(360)),
                    None,
                    None,
                ),
            );
        }
        let mut docx = self
            .docx
            .add_abstract_numbering(bullet)
            .add_abstract_numbering(decimal);
        for (num, ordered, start) in std::mem::take(&mut self.lists) {
            let abstract_id = if ordered {
                DECIMAL_ABSTRACT
            } else {
                BULLET_ABSTRACT
            };
            let mut n = Numbering::new(num, abstract_id);
            if ordered {
                for level in 0..9 {
                    let s = if level == 0 {
                        usize::try_from(start).unwrap_or(1)
                    } else {
                        1
                    };
                    n = n.add_override(LevelOverride::new(level).start(s));
                }
            }
            docx = docx.add_numbering(n);
        }
        let mut out = Cursor::new(Vec::new());
        docx.pack(&mut out)
            .map_err(|source| WordError::Pack { source })?;
        deflate(&out.into_inner()).map_err(|source| WordError::Pack { source })
    }
}

/// The same zip archive with every entry deflated: docx-rs stores its parts
/// uncompressed, which makes a long version's file (and every letter carrying it) about
/// ten times larger than Word's own. Entries keep their order and names, and the
/// archive's fixed dates (1980-01-01), so the output stays reproducible.
fn deflate(stored: &[u8]) -> Result<Vec<u8>, zip::result::ZipError> {
    use zip::write::SimpleFileOptions;
    let mut archive = zip::ZipArchive::new(Cursor::new(stored))?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(stored.len() / 4)));
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i)?;
        let name = entry.name().to_string();
        if entry.is_dir() {
            out.add_directory(name, options)?;
            continue;
        }
        out.start_file(name.as_str(), options)?;
        if name == "docProps/custom.xml" {
            let mut xml = String::new();
            std::io::Read::read_to_string(&mut entry, &mut xml)?;
            std::io::Write::write_all(&mut out, sorted_custom_properties(&xml).as_bytes())?;
        } else {
            std::io::copy(&mut entry, &mut out)?;
        }
    }
    Ok(out.finish()?.into_inner())
}

/// docx-rs keeps custom properties in a `HashMap`, so their order (and `pid`s) change
/// from one run to the next: sorted by name and numbered again from 2 (as the format
/// asks), the same document gives the same bytes every time.
fn sorted_custom_properties(xml: &str) -> String {
    let (Some(first), Some(end)) = (xml.find("<property "), xml.rfind("</property>")) else {
        return xml.to_string();
    };
    let end = end + "</property>".len();
    let mut props: Vec<&str> = xml[first..end].split_inclusive("</property>").collect();
    let name_of = |p: &str| {
        p.split_once("name=\"")
            .and_then(|(_, r)| r.split_once('"'))
            .map(|(n, _)| n.to_string())
            .unwrap_or_default()
    };
    props.sort_by_key(|p| name_of(p));
    let mut out = String::with_capacity(xml.len());
    out.push_str(&xml[..first]);
    for (i, p) in props.iter().enumerate() {
        let renumbered = match p
            .split_once("pid=\"")
            .and_then(|(a, r)| r.split_once('"').map(|(_, rest)| (a, rest)))
        {
            Some((before, after)) => format!("{before}pid=\"{}\"{after}", i + 2),
            None => p.to_string(),
        };
        out.push_str(&renumbered);
    }
    out.push_str(&xml[end..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(md: &str) -> Vec<Block> {
        let mut n = 0;
        let mut lists = Vec::new();
        render_blocks(md, &mut n, &mut lists)
    }

    fn texts(b: &Block) -> String {
        match b {
            Block::Para { spans, .. } => spans.iter().map(|s| s.text.as_str()).collect(),
            Block::Table { rows } => rows
                .iter()
                .map(|(_, cells)| {
                    cells
                        .iter()
                        .map(|c| c.iter().map(|s| s.text.as_str()).collect::<String>())
                        .collect::<Vec<_>>()
                        .join("|")
                })
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    #[test]
    fn inline_markdown_becomes_styled_spans() {
        let b = blocks("Tekst med **fet**, *kursiv*, `kode` og [lenke](https://example.org).");
        assert_eq!(b.len(), 1);
        let Block::Para { spans, style, .. } = &b[0] else {
            panic!("{b:?}")
        };
        assert_eq!(*style, PStyle::Normal);
        let find = |t: &str| {
            spans
                .iter()
                .find(|s| s.text == t)
                .cloned()
                .expect("test data")
        };
        assert_eq!(find("fet").style, BOLD);
        assert_eq!(find("kursiv").style, ITALIC);
        assert_eq!(find("kode").style, CODE);
        assert_eq!(
            find("lenke").link,
            Some(Link::External("https://example.org".into()))
        );
        assert_eq!(texts(&b[0]), "Tekst med fet, kursiv, kode og lenke.");
    }

    #[test]
    fn unsafe_links_are_text_and_section_links_are_bookmarks() {
        let b = blocks("[a](javascript:alert(1)) [b](#mal)");
        let Block::Para { spans, .. } = &b[0] else {
            panic!()
        };
        assert_eq!(spans[0].link, None);
        assert_eq!(spans[2].link, Some(Link::Anchor(bookmark_name("mal"))));
    }

    #[test]
    fn lists_get_their_own_numbering_and_tables_their_cells() {
        let mut n = 0;
        let mut lists = Vec::new();
        let b = render_blocks("3. tre\n4. fire\n   - under\n", &mut n, &mut lists);
        assert_eq!(lists, vec![(1, true, 3), (2, false, 1)]);
        let nums: Vec<_> = b
            .iter()
            .map(|b| match b {
                Block::Para { num, .. } => *num,
                Block::Table { .. } => None,
            })
            .collect();
        assert_eq!(nums, vec![Some((1, 0)), Some((1, 0)), Some((2, 1))]);
        let t = blocks("| a | b |\n|---|---|\n| 1 | **2** |\n");
        assert_eq!(t.len(), 1);
        assert_eq!(texts(&t[0]), "a|b\n1|2");
        let Block::Table { rows } = &t[0] else {
            panic!()
        };
        assert!(rows[0].0 && !rows[1].0);
    }

    #[test]
    fn quotes_and_code_blocks_have_their_styles() {
        let b = blocks("> sitat\n");
        assert!(matches!(
            &b[0],
            Block::Para {
                style: PStyle::Quote,
                ..
            }
        ));
        let b = blocks("```\nlinje 1\nlinje 2\n```");
        let Block::Para { style, spans, .. } = &b[0] else {
            panic!()
        };
        assert_eq!(*style, PStyle::Code);
        assert_eq!(spans.iter().filter(|s| s.brk).count(), 1, "{spans:?}");
    }

    #[test]
    fn span_parts_follow_source_offsets() {
        let b = blocks("a **fet** tekst");
        let Block::Para { spans, .. } = &b[0] else {
            panic!()
        };
        // "fet" is bytes 4..7 of the Markdown.
        let fet = spans.iter().find(|s| s.text == "fet").expect("test data");
        assert_eq!(fet.range, 4..7);
        assert_eq!(fet.part(&(5..20)).map(|s| s.text), Some("et".into()));
        assert_eq!(fet.part(&(0..4)), None);
    }

    #[test]
    fn the_marking_follows_approval_and_language() {
        let mut f = FrontMatter {
            case_title: "T".into(),
            case_number: None,
            version: "v1".into(),
            label: "l".into(),
            date: "d".into(),
            timestamp: "2026-01-01T00:00:00Z".into(),
            approved: false,
            lang: Lang::Nb,
            changes_from: None,
        };
        assert_eq!(f.marking(), "Utkast");
        f.approved = true;
        assert_eq!(f.marking(), "Godkjent");
        f.lang = Lang::Nn;
        assert_eq!(f.marking(), "Godkjend");
        f.lang = Lang::En;
        assert_eq!(f.marking(), "Approved");
    }

    #[test]
    fn export_writes_bookmarks_headings_and_front_page_before_them() {
        let doc = Document::from_text(
            "a.md",
            "# Strategi\n\n## Mål {#mal}\n\nVi skal **lykkes**.\n\n- en\n- to\n\n## Tiltak\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        );
        let front = FrontMatter {
            case_title: "Strategi for KI".into(),
            case_number: Some("24/3095".into()),
            version: "v2".into(),
            label: "Til høring".into(),
            date: "onsdag 2. desember 2026".into(),
            timestamp: "2026-12-02T10:00:00Z".into(),
            approved: false,
            lang: Lang::Nb,
            changes_from: None,
        };
        let w = export_docx(&doc, &front).expect("test data");
        assert_eq!(w.sections, 3);
        let mut zip = zip::ZipArchive::new(Cursor::new(w.bytes)).expect("test data");
        let mut xml = String::new();
        std::io::Read::read_to_string(
            &mut zip.by_name("word/document.xml").expect("test data"),
            &mut xml,
        )
        .expect("test data");
        let first_bookmark = xml.find("w:bookmarkStart").expect("test data");
        for front_text in ["Strategi for KI", "Saksnummer: 24/3095", "UTKAST"] {
            let at = xml
                .find(front_text)
                .unwrap_or_else(|| panic!("{front_text}"));
            assert!(at < first_bookmark, "{front_text} after the first bookmark");
        }
        assert!(xml.contains(&bookmark_name("mal")));
        assert!(xml.contains("1 Mål"), "{xml}");
        assert!(xml.contains("2 Tiltak"));
        assert!(xml.contains("Heading2"));
        assert!(xml.contains("<w:tbl>"));
        assert!(xml.contains("w:numId"));
        assert_eq!(xml.matches("w:bookmarkStart").count(), 3);
        assert_eq!(xml.matches("w:bookmarkEnd").count(), 3);
        let mut styles = String::new();
        std::io::Read::read_to_string(
            &mut zip.by_name("word/styles.xml").expect("test data"),
            &mut styles,
        )
        .expect("test data");
        assert!(styles.contains("heading 2"));
        assert!(zip.by_name("[Content_Types].xml").is_ok());
        assert_eq!(
            zip.by_name("word/document.xml")
                .expect("test data")
                .compression(),
            zip::CompressionMethod::Deflated
        );
    }
}

#[cfg(test)]
mod custom_property_tests {
    use super::sorted_custom_properties;

    #[test]
    fn custom_properties_come_out_in_one_order() {
        let head = r#"<Properties xmlns="x">"#;
        let a = r#"<property fmtid="{F}" pid="2" name="strategi-version"><vt:lpwstr>v1</vt:lpwstr></property>"#;
        let b = r#"<property fmtid="{F}" pid="3" name="strategi-case"><vt:lpwstr>24/3095</vt:lpwstr></property>"#;
        let one = sorted_custom_properties(&format!("{head}{a}{b}</Properties>"));
        let other = sorted_custom_properties(&format!("{head}{b}{a}</Properties>"));
        assert_eq!(one, other);
        assert!(
            one.find("strategi-case").expect("case")
                < one.find("strategi-version").expect("version")
        );
        assert!(one.contains(r#"pid="2" name="strategi-case""#), "{one}");
        assert!(one.contains(r#"pid="3" name="strategi-version""#), "{one}");
    }
}
