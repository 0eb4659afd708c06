//! Rebuilding the new document from the old one and a diff (used to test diffs).

use thiserror::Error;

use super::{DocumentDiff, OpKind, ParagraphDiff, ParagraphStatus, SectionDiff};
use crate::document::{Document, normalize};

/// A section reduced to what a diff must preserve: id, title, level and the normalised
/// text of each paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutlineSection {
    /// Section id.
    pub id: String,
    /// Title with normalised whitespace.
    pub title: String,
    /// Heading level (0 for a preamble).
    pub level: u8,
    /// Normalised paragraph texts.
    pub paragraphs: Vec<String>,
}

/// Why a diff could not be applied to a document.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ApplyError {
    /// The diff was limited with `--section` and does not describe the whole document.
    #[error("The diff is limited to section \"{0}\", so it cannot rebuild the whole document.")]
    Filtered(String),
    /// The diff does not list the new sections as 0, 1, 2, ….
    #[error("The diff's new sections are not numbered 0 to {0} without gaps.")]
    Order(usize),
    /// The diff refers to an old section that the document does not have.
    #[error("The diff refers to old section {index}, but the old document has {len} sections.")]
    NoOldSection {
        /// Index in the diff.
        index: usize,
        /// Sections in the old document.
        len: usize,
    },
    /// A section of the diff does not fit the old document.
    #[error("Section \"{id}\": {detail}")]
    Section {
        /// Section id.
        id: String,
        /// What does not fit.
        detail: String,
    },
}

/// The outline of a document: every section with normalised title and paragraphs.
pub fn outline(doc: &Document) -> Vec<OutlineSection> {
    doc.sections
        .iter()
        .map(|s| OutlineSection {
            id: s.id.clone(),
            title: normalize(&s.title),
            level: s.level,
            paragraphs: s.paragraphs.iter().map(|p| normalize(&p.text)).collect(),
        })
        .collect()
}

/// Applies a diff to the old document it was made from and returns the outline of the
/// new document. Unchanged text is taken from `old`, and every op is checked against
/// it, so `apply(old, diff) == outline(new)` shows that the diff is complete and exact.
pub fn apply(old: &Document, diff: &DocumentDiff) -> Result<Vec<OutlineSection>, ApplyError> {
    if let Some(f) = &diff.section_filter {
        return Err(ApplyError::Filtered(f.clone()));
    }
    let mut news: Vec<&SectionDiff> = diff
        .sections
        .iter()
        .filter(|s| s.new_index.is_some())
        .collect();
    news.sort_by_key(|s| s.new_index);
    let mut seen_old = vec![false; old.sections.len()];
    let mut out = Vec::with_capacity(news.len());
    for (k, sd) in news.into_iter().enumerate() {
        if sd.new_index != Some(k) {
            return Err(ApplyError::Order(k));
        }
        let err = |detail: String| ApplyError::Section {
            id: sd.id.clone(),
            detail,
        };
        let title = sd
            .new_title
            .as_deref()
            .map(normalize)
            .ok_or_else(|| err("no new title".into()))?;
        let level = sd.new_level.ok_or_else(|| err("no new level".into()))?;
        let paragraphs = match sd.old_index {
            None => {
                let mut v = Vec::with_capacity(sd.paragraphs.len());
                for p in &sd.paragraphs {
                    if p.status != ParagraphStatus::Inserted {
                        return Err(err(
                            "an added section has a paragraph that is not inserted".into()
                        ));
                    }
                    v.push(p.ops.iter().map(|o| o.new_text.as_str()).collect());
                }
                v
            }
            Some(oi) => {
                let os = old.sections.get(oi).ok_or(ApplyError::NoOldSection {
                    index: oi,
                    len: old.sections.len(),
                })?;
                let old_id = sd.old_id.as_deref().unwrap_or(&sd.id);
                if os.id != old_id {
                    return Err(err(format!(
                        "old section {oi} has id \"{}\", not \"{old_id}\"",
                        os.id
                    )));
                }
                if std::mem::replace(&mut seen_old[oi], true) {
                    return Err(err(format!("old section {oi} is used twice")));
                }
                let old_norm: Vec<String> =
                    os.paragraphs.iter().map(|p| normalize(&p.text)).collect();
                if sd.content_changed {
                    rebuild(&old_norm, &sd.paragraphs).map_err(err)?
                } else {
                    if sd
                        .paragraphs
                        .iter()
                        .any(|p| p.status != ParagraphStatus::Equal)
                    {
                        return Err(err("an unchanged section has changed paragraphs".into()));
                    }
                    old_norm
                }
            }
        };
        out.push(OutlineSection {
            id: sd.id.clone(),
            title,
            level,
            paragraphs,
        });
    }
    for sd in &diff.sections {
        if sd.new_index.is_none()
            && let Some(oi) = sd.old_index
            && let Some(seen) = seen_old.get_mut(oi)
        {
            *seen = true;
        }
    }
    if let Some(i) = seen_old.iter().position(|s| !s) {
        return Err(ApplyError::Section {
            id: old
                .sections
                .get(i)
                .map(|s| s.id.clone())
                .unwrap_or_default(),
            detail: "this old section is missing from the diff".into(),
        });
    }
    Ok(out)
}

fn rebuild(old_norm: &[String], paras: &[ParagraphDiff]) -> Result<Vec<String>, String> {
    let mut next_old = 0;
    let mut out = Vec::with_capacity(paras.len());
    let mut take_old = |idx: Option<usize>| -> Result<&String, String> {
        if idx != Some(next_old) {
            return Err(format!(
                "paragraph {idx:?} is out of order, expected {next_old}"
            ));
        }
        next_old += 1;
        old_norm
            .get(next_old - 1)
            .ok_or_else(|| format!("no old paragraph {}", next_old - 1))
    };
    for p in paras {
        match p.status {
            ParagraphStatus::Equal => out.push(take_old(p.old_index)?.clone()),
            ParagraphStatus::Inserted => {
                out.push(p.ops.iter().map(|o| o.new_text.as_str()).collect())
            }
            ParagraphStatus::Deleted => {
                let text = take_old(p.old_index)?;
                let joined: String = p.ops.iter().map(|o| o.old_text.as_str()).collect();
                if *text != joined {
                    return Err(format!(
                        "deleted paragraph {:?} does not match the old text",
                        p.old_index
                    ));
                }
            }
            ParagraphStatus::Changed => {
                let text = take_old(p.old_index)?;
                out.push(apply_ops(text, p)?);
            }
        }
    }
    if next_old != old_norm.len() {
        return Err(format!(
            "only {next_old} of {} old paragraphs are accounted for",
            old_norm.len()
        ));
    }
    Ok(out)
}

fn apply_ops(old: &str, p: &ParagraphDiff) -> Result<String, String> {
    let mut new = String::with_capacity(old.len());
    let mut pos = 0;
    for op in &p.ops {
        if op.old_offset != pos || op.new_offset != new.len() {
            return Err(format!(
                "op offsets of paragraph {:?} do not tile the text",
                p.old_index
            ));
        }
        let end = pos + op.old_text.len();
        let from_old = old.get(pos..end).ok_or("op runs past the old paragraph")?;
        if from_old != op.old_text {
            return Err(format!(
                "op text of paragraph {:?} does not match the old text",
                p.old_index
            ));
        }
        match op.kind {
            OpKind::Equal => {
                if op.old_text != op.new_text {
                    return Err("an equal op has different old and new text".into());
                }
                new.push_str(from_old);
            }
            OpKind::Delete if !op.new_text.is_empty() => {
                return Err("a delete op has new text".into());
            }
            OpKind::Insert if !op.old_text.is_empty() => {
                return Err("an insert op has old text".into());
            }
            _ => new.push_str(&op.new_text),
        }
        pos = end;
    }
    if pos != old.len() {
        return Err(format!(
            "ops of paragraph {:?} stop before the end of the old text",
            p.old_index
        ));
    }
    Ok(new)
}
