//! A redline: the later version as a Word document with the changes from the earlier
//! one as tracked changes (`w:ins`/`w:del`), as a ministry expects when it asks what
//! changed.
//!
//! The changes are the section-aware diff's ([`crate::diff`]): sections matched by id,
//! paragraphs aligned, words diffed inside changed paragraphs. The document is written
//! by the exporter's [`Writer`] (same front page, styles and section bookmarks), so that
//! accepting every change gives the later version's document and rejecting every change
//! the earlier one's text:
//! - an added section is inserted whole (heading and paragraphs, paragraph marks too);
//!   a removed one is deleted whole, at the place the diff gives it, outside every
//!   section bookmark (its id is not in the later version);
//! - a changed heading (title or number) is the old text deleted and the new inserted;
//! - an inserted or deleted paragraph is inserted or deleted whole;
//! - a changed paragraph that is one paragraph of text on both sides is marked word by
//!   word: the diff's word operations tile the paragraphs' normalised Markdown, and each
//!   operation takes the rendered text (with its emphasis and links) that came from its
//!   part of the Markdown. Any other changed block (a list, a table, a code block) is
//!   the old block deleted and the new one inserted.
//!
//! - a moved section (changed or not) is inserted whole at its new place (inside its bookmark) and
//!   deleted whole at its old place (after the section that preceded it in the earlier
//!   version, outside every bookmark), so rejecting every change gives the earlier order.
//!   Word's own move marks (`w:moveFrom`/`w:moveTo`) are not written: readers that do
//!   not know them (pandoc) would lose the text.

use crate::diff::{DocumentDiff, OpKind, ParagraphStatus, SectionStatus};
use crate::document::{Document, Section, normalize};

use super::write::heading_text;
use super::write::{Block, Change, FrontMatter, Mark, PStyle, Span, WordError, Writer, Written};

/// Who the changes are attributed to, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribution {
    /// The author of the tracked changes (the owner party's name).
    pub author: String,
    /// Their date as Word writes it (`2026-12-02T10:00:00Z`): the later version's date.
    pub date: String,
}

/// Writes the redline of `diff` (made from `old` to `new` with
/// [`crate::diff::diff_documents`], without a section filter); `front` describes the
/// later version.
pub fn redline_docx(
    old: &Document,
    new: &Document,
    diff: &DocumentDiff,
    front: &FrontMatter,
    by: &Attribution,
) -> Result<Written, WordError> {
    let mut w = Writer::new(
        front,
        Some(Change {
            author: by.author.clone(),
            date: by.date.clone(),
        }),
    );
    let old_numbers = old.section_numbers();
    let new_numbers = new.section_numbers();
    let number = |numbers: &[String], i: usize| numbers.get(i).cloned().unwrap_or_default();
    // A moved section is inserted whole at its new place and deleted whole at its old
    // one, so that rejecting every change gives the earlier order: the deleted copy is
    // written after the section that came before it in the earlier version.
    let moved: std::collections::HashSet<usize> = diff
        .sections
        .iter()
        .filter(|sd| (sd.status == SectionStatus::Moved || sd.moved) && sd.new_index.is_some())
        .filter_map(|sd| sd.old_index)
        .collect();
    let deleted_moves_from = |w: &mut Writer, mut k: usize| {
        while moved.contains(&k) {
            if let Some(o) = old.sections.get(k) {
                w.outside_section();
                whole_section(w, o, &number(&old_numbers, k), Mark::Del);
            }
            k += 1;
        }
    };
    deleted_moves_from(&mut w, 0);
    // The earlier index of the section written last that stayed in place: the deleted
    // copies of what moved away from after it come next.
    let mut after: Option<usize> = None;
    for sd in &diff.sections {
        let old_s = sd.old_index.and_then(|i| old.sections.get(i));
        let new_s = sd.new_index.and_then(|i| new.sections.get(i));
        let is_move =
            (sd.status == SectionStatus::Moved || sd.moved) && new_s.is_some() && old_s.is_some();
        if let Some(k) = after.take() {
            deleted_moves_from(&mut w, k + 1);
        }
        if !is_move {
            after = sd.old_index;
        }
        match (old_s, new_s) {
            (Some(_), Some(n)) if is_move => {
                w.begin_section(&n.id);
                let num = number(&new_numbers, sd.new_index.unwrap_or_default());
                whole_section(&mut w, n, &num, Mark::Ins);
            }
            (Some(o), None) => {
                // Removed: deleted whole, outside every bookmark.
                w.outside_section();
                let num = number(&old_numbers, sd.old_index.unwrap_or_default());
                whole_section(&mut w, o, &num, Mark::Del);
            }
            (None, Some(n)) => {
                w.begin_section(&n.id);
                let num = number(&new_numbers, sd.new_index.unwrap_or_default());
                whole_section(&mut w, n, &num, Mark::Ins);
            }
            (Some(o), Some(n)) => {
                w.begin_section(&n.id);
                let old_num = number(&old_numbers, sd.old_index.unwrap_or_default());
                let new_num = number(&new_numbers, sd.new_index.unwrap_or_default());
                if n.level > 0 || o.level > 0 {
                    let pieces = heading_pieces(&old_num, &o.title, &new_num, &n.title);
                    w.heading(n.level.max(1), &pieces, Mark::None);
                }
                if sd.status == SectionStatus::Added || sd.paragraphs.is_empty() {
                    for p in &n.paragraphs {
                        w.blocks(&p.text, Mark::None);
                    }
                    continue;
                }
                for pd in &sd.paragraphs {
                    let op = pd.old_index.and_then(|i| o.paragraphs.get(i));
                    let np = pd.new_index.and_then(|i| n.paragraphs.get(i));
                    match (pd.status, op, np) {
                        (ParagraphStatus::Equal, _, Some(np)) => w.blocks(&np.text, Mark::None),
                        (ParagraphStatus::Inserted, _, Some(np)) => w.blocks(&np.text, Mark::Ins),
                        (ParagraphStatus::Deleted, Some(op), _) => w.blocks(&op.text, Mark::Del),
                        (ParagraphStatus::Changed, Some(op), Some(np)) => {
                            changed_paragraph(&mut w, &op.text, &np.text, pd);
                        }
                        // A paragraph the diff names on a side it does not have: show
                        // what there is.
                        (_, Some(op), None) => w.blocks(&op.text, Mark::Del),
                        (_, None, Some(np)) => w.blocks(&np.text, Mark::Ins),
                        (_, _, None) => {}
                    }
                }
            }
            (None, None) => {}
        }
    }
    if let Some(k) = after {
        deleted_moves_from(&mut w, k + 1);
    }
    let sections = w.sections;
    Ok(Written {
        bytes: w.finish()?,
        sections,
    })
}

/// A section inserted or deleted whole.
fn whole_section(w: &mut Writer, s: &Section, number: &str, mark: Mark) {
    if s.level > 0 {
        w.heading(s.level, &[(heading_text(number, &s.title), mark)], mark);
    }
    for p in &s.paragraphs {
        w.blocks(&p.text, mark);
    }
}

/// The pieces of a heading whose number or title may have changed.
fn heading_pieces(
    old_num: &str,
    old_title: &str,
    new_num: &str,
    new_title: &str,
) -> Vec<(String, Mark)> {
    if old_num == new_num && old_title == new_title {
        return vec![(heading_text(new_num, new_title), Mark::None)];
    }
    if old_num == new_num && !new_num.is_empty() {
        return vec![
            (format!("{new_num} "), Mark::None),
            (old_title.to_string(), Mark::Del),
            (new_title.to_string(), Mark::Ins),
        ];
    }
    if old_title == new_title && !old_num.is_empty() && !new_num.is_empty() {
        return vec![
            (old_num.to_string(), Mark::Del),
            (new_num.to_string(), Mark::Ins),
            (format!(" {new_title}"), Mark::None),
        ];
    }
    vec![
        (heading_text(old_num, old_title), Mark::Del),
        (heading_text(new_num, new_title), Mark::Ins),
    ]
}

/// One paragraph of plain text (or a quote) on its own, as rendered.
fn single_paragraph(blocks: &[Block]) -> Option<&Block> {
    match blocks {
        [
            b @ Block::Para {
                style: PStyle::Normal | PStyle::Quote,
                ..
            },
        ] => Some(b),
        _ => None,
    }
}

fn spans_of(b: &Block) -> &[Span] {
    match b {
        Block::Para { spans, .. } => spans,
        Block::Table { .. } => &[],
    }
}

/// A changed paragraph: word by word when it is one paragraph of text on both sides,
/// else the old block deleted and the new one inserted.
fn changed_paragraph(w: &mut Writer, old: &str, new: &str, pd: &crate::diff::ParagraphDiff) {
    let old_norm = normalize(old);
    let new_norm = normalize(new);
    let tiles = pd
        .ops
        .iter()
        .map(|o| o.new_text.as_str())
        .collect::<String>()
        == new_norm
        && pd
            .ops
            .iter()
            .map(|o| o.old_text.as_str())
            .collect::<String>()
            == old_norm;
    let old_blocks = w.render(&old_norm);
    let new_blocks = w.render(&new_norm);
    let pair = single_paragraph(&old_blocks).zip(single_paragraph(&new_blocks));
    let (Some((ob, nb)), true) = (pair, tiles) else {
        for b in &old_blocks {
            w.block(b, Mark::Del);
        }
        for b in &new_blocks {
            w.block(b, Mark::Ins);
        }
        return;
    };
    let pieces = word_pieces(spans_of(ob), spans_of(nb), pd);
    w.para(nb, &pieces, Mark::None);
}

/// The marked pieces of a changed paragraph, from the diff's word operations over the
/// normalised Markdown and the spans rendered from each side.
fn word_pieces(old: &[Span], new: &[Span], pd: &crate::diff::ParagraphDiff) -> Vec<(Span, Mark)> {
    let take =
        |spans: &[Span], range: std::ops::Range<usize>, mark: Mark, out: &mut Vec<(Span, Mark)>| {
            if range.is_empty() {
                return;
            }
            for s in spans {
                if s.range.start >= range.end && !s.range.is_empty() {
                    break;
                }
                if let Some(part) = s.part(&range) {
                    out.push((part, mark));
                }
            }
        };
    let mut out = Vec::new();
    for op in &pd.ops {
        let old_range = op.old_offset..op.old_offset + op.old_text.len();
        let new_range = op.new_offset..op.new_offset + op.new_text.len();
        match op.kind {
            OpKind::Equal => take(new, new_range, Mark::None, &mut out),
            OpKind::Insert => take(new, new_range, Mark::Ins, &mut out),
            OpKind::Delete => take(old, old_range, Mark::Del, &mut out),
            OpKind::Replace => {
                take(old, old_range, Mark::Del, &mut out);
                take(new, new_range, Mark::Ins, &mut out);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Read};

    use super::*;
    use crate::diff::{DiffOptions, diff_documents};
    use crate::model::Lang;

    fn front() -> FrontMatter {
        FrontMatter {
            case_title: "Strategi".into(),
            case_number: None,
            version: "v2".into(),
            label: "Andre utkast".into(),
            date: "i dag".into(),
            timestamp: "2026-12-02T10:00:00Z".into(),
            approved: false,
            lang: Lang::Nb,
            changes_from: Some("v1".into()),
        }
    }

    fn redline(old: &str, new: &str) -> String {
        let o = Document::from_text("a.md", old);
        let n = Document::from_text("a.md", new);
        let d = diff_documents(
            &o,
            &n,
            &DiffOptions {
                deadline: None,
                ..DiffOptions::default()
            },
        );
        let by = Attribution {
            author: "Digitaliseringsdepartementet".into(),
            date: "2026-12-02T10:00:00Z".into(),
        };
        let w = redline_docx(&o, &n, &d, &front(), &by).expect("test data");
        let mut zip = zip::ZipArchive::new(Cursor::new(w.bytes)).expect("test data");
        let mut xml = String::new();
        zip.by_name("word/document.xml")
            .expect("test data")
            .read_to_string(&mut xml)
            .expect("test data");
        xml
    }

    /// The text of the runs inside `<w:ins>` or `<w:del>` elements.
    fn marked(xml: &str, tag: &str, text_tag: &str) -> Vec<String> {
        let open = format!("<{tag} ");
        let close = format!("</{tag}>");
        let mut out = Vec::new();
        let mut rest = xml;
        while let Some(i) = rest.find(&open) {
            let after = &rest[i..];
            let Some(end) = after.find(&close) else { break };
            let inner = &after[..end];
            let t: String = inner
                .split(&format!("<{text_tag}"))
                .skip(1)
                .filter_map(|p| {
                    p.split_once('>')
                        .map(|(_, r)| r.split('<').next().unwrap_or(""))
                })
                .collect();
            if !t.is_empty() {
                out.push(t);
            }
            rest = &after[end..];
        }
        out
    }

    #[test]
    fn changed_words_are_tracked_with_author_and_date() {
        let xml = redline(
            "# T\n\n## Mål\n\nVi skal styrke **digital** kompetanse i staten.\n",
            "# T\n\n## Mål\n\nVi skal styrke **digital** kompetanse i hele forvaltningen.\n",
        );
        assert!(
            xml.contains("w:author=\"Digitaliseringsdepartementet\""),
            "{xml}"
        );
        assert!(xml.contains("w:date=\"2026-12-02T10:00:00Z\""));
        let ins = marked(&xml, "w:ins", "w:t");
        let del = marked(&xml, "w:del", "w:delText");
        assert_eq!(ins.concat().trim(), "hele forvaltningen");
        assert_eq!(del.concat().trim(), "staten");
        // The unchanged bold word stays bold and unmarked.
        assert!(xml.contains("digital"));
    }

    #[test]
    fn added_and_removed_sections_are_whole_and_only_kept_ones_have_bookmarks() {
        let xml = redline(
            "# T\n\n## Mål {#mal}\n\nEn.\n\n## Gammel {#gammel}\n\nBort.\n",
            "# T\n\n## Mål {#mal}\n\nEn.\n\n## Ny {#ny}\n\nHer.\n",
        );
        assert!(xml.contains(&super::super::bookmark_name("ny")));
        assert!(!xml.contains(&super::super::bookmark_name("gammel")));
        let ins = marked(&xml, "w:ins", "w:t").concat();
        let del = marked(&xml, "w:del", "w:delText").concat();
        assert!(ins.contains("2 Ny") && ins.contains("Her."), "{ins}");
        assert!(del.contains("2 Gammel") && del.contains("Bort."), "{del}");
    }

    #[test]
    fn a_changed_list_is_replaced_whole() {
        let xml = redline(
            "# T\n\n## A\n\n- en\n- to\n",
            "# T\n\n## A\n\n- en\n- tre\n",
        );
        let del = marked(&xml, "w:del", "w:delText").concat();
        let ins = marked(&xml, "w:ins", "w:t").concat();
        assert_eq!(del, "ento");
        assert_eq!(ins, "entre");
    }

    #[test]
    fn heading_changes_are_marked() {
        assert_eq!(
            heading_pieces("2", "Mål", "2", "Mål og tiltak"),
            vec![
                ("2 ".to_string(), Mark::None),
                ("Mål".to_string(), Mark::Del),
                ("Mål og tiltak".to_string(), Mark::Ins)
            ]
        );
        assert_eq!(
            heading_pieces("2", "Mål", "3", "Mål"),
            vec![
                ("2".to_string(), Mark::Del),
                ("3".to_string(), Mark::Ins),
                (" Mål".to_string(), Mark::None)
            ]
        );
        assert_eq!(heading_pieces("1", "A", "1", "A").len(), 1);
    }
}
