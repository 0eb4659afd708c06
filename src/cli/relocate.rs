//! `comment list --on V`: where each comment's quoted passage lands in a later version.

use strategi::consultation::CommentState;
use strategi::document::anchor::{Landing, Relocator};
use strategi::store::Workspace;

use super::CommandError;

/// The document of a version spec (`v2`, a label prefix, `latest`) or `draft`.
fn document_of(ws: &Workspace, spec: &str) -> Result<strategi::document::Document, CommandError> {
    if spec == "draft" {
        return super::version::document(ws.draft_files()?, "the draft");
    }
    let v = super::version::resolve(ws, spec)?;
    super::version::document(ws.version_files(&v)?, &v.name.to_string())
}

/// For each comment, in order: where its anchor lands in `spec`; `None` for comments
/// without a quoted passage. A comment on a section without a quote lands where the
/// section is (exact if the section is still there, orphaned if not).
pub fn landings(
    ws: &Workspace,
    spec: &str,
    comments: &[CommentState],
) -> Result<Vec<Option<Landing>>, CommandError> {
    let doc = document_of(ws, spec)?;
    let relocator = Relocator::new(&doc);
    Ok(comments
        .iter()
        .map(|c| {
            let section = c.record.section.as_ref()?;
            Some(match &c.record.anchor {
                Some(anchor) => relocator.relocate(section, anchor),
                None if doc.section(section).is_some() => Landing::Exact {
                    section: section.clone(),
                    offset: 0,
                },
                None => Landing::Orphaned,
            })
        })
        .collect())
}

/// One line saying where a comment landed.
pub fn describe(landing: &Landing) -> String {
    match landing {
        Landing::Exact { section, .. } => format!("→ exact: still in {section}"),
        Landing::Moved {
            from, to, also_in, ..
        } => {
            let also = if also_in.is_empty() {
                String::new()
            } else {
                format!(" (also in {})", also_in.join(", "))
            };
            format!("→ moved: from {from} to {to}{also}")
        }
        Landing::Changed {
            section,
            new_text,
            similarity,
            ..
        } => format!(
            "→ changed in {section} ({:.0} % alike), now: \"{}\"",
            similarity * 100.0,
            super::comment::excerpt(new_text, 80)
        ),
        Landing::Orphaned => "→ orphaned: the passage is gone".to_string(),
    }
}
