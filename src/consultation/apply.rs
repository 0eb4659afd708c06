//! Suggestions become text: an accepted comment's proposal put into the draft.
//!
//! [`apply_suggestion`] replaces the comment's quote in `strategy/` by its proposal, in
//! one commit that names the comment in its subject (`Strategi-Action: comment-apply`),
//! through the store's transaction. The quote must be found
//! exactly once in the draft's Markdown files (words separated by any whitespace, so a
//! passage wrapped over lines is found); otherwise nothing is written and the refusal
//! says where the text went, from [`crate::document::anchor::relocate`] against the
//! draft: moved to another section, changed (with the passage as it reads now), or gone.
//! The file the passage is in must have no uncommitted changes (the whole file is
//! written and committed, so they would be swept into the apply commit); the refusal
//! names it and says to commit or stash them. The comment must have a proposal and a
//! quote, and its current decision must be `accepted` (or `partly`, whose note says what
//! was taken in).
//!
//! A tracked move from Word (`CommentRecord::moved_to`) is two edits in that one commit:
//! the quote (the moved text) replaced by its proposal where it was, and the words where
//! it goes by theirs. Each must be found exactly once, and the two places must not
//! overlap; a refusal names the place that is not found. An empty proposal also takes
//! the spaces before the passage along (or after it at a line's start).

use serde::Serialize;

use crate::document::anchor::{Anchor, Landing, relocate};
use crate::document::{Document, SourceFile};
use crate::model::{Action, RecordId};
use crate::store::{CommitInfo, STRATEGY_DIR, StoredFile, Transaction, Workspace};

use super::actions::{ActError, Acting};
use super::comments::{CommentState, Decision};
use super::round::RoundState;
use super::rules;

/// What [`apply_suggestion`] did.
#[derive(Debug, Clone, Serialize)]
pub struct Applied {
    /// The comment applied.
    pub comment: RecordId,
    /// The draft file changed (below `strategy/`).
    pub file: String,
    /// 1-based line where the passage started.
    pub line: usize,
    /// The text replaced.
    pub quote: String,
    /// The text put in its place.
    pub proposal: String,
    /// For a move: the second edit, where the text was put in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moved_to: Option<AppliedPlace>,
    /// The commit.
    pub commit: CommitInfo,
}

/// The second edit of an applied move.
#[derive(Debug, Clone, Serialize)]
pub struct AppliedPlace {
    /// The draft file changed (below `strategy/`).
    pub file: String,
    /// 1-based line where the passage started (before the commit).
    pub line: usize,
    /// The text replaced.
    pub quote: String,
    /// The text put in its place.
    pub proposal: String,
}

/// Where a suggestion's quote is in the draft: the one place, checked before anything is
/// written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// The file's index in the draft files given.
    pub file: usize,
    /// Byte range of the passage in it.
    pub start: usize,
    /// End of the passage.
    pub end: usize,
}

/// Where a suggestion goes in the draft: the place of its quote, and for a tracked move
/// the place where the text goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The quote's place.
    pub at: Placement,
    /// For a move: the place of the words where the text goes.
    pub moved_to: Option<Placement>,
}

/// Checks that `comment` can be applied to the draft `files`: it has a quote and a
/// proposal, and the quote occurs exactly once (for a move, the moved text where it was
/// and the words where it goes, each exactly once, apart). `accepted` says whether its
/// decision must already be accepted (not when the decision is made in the same
/// command).
pub fn plan(
    ws: &Workspace,
    comment: &CommentState,
    files: &[StoredFile],
    accepted: bool,
) -> Result<Plan, ActError> {
    let r = &comment.record;
    let (Some(anchor), Some(proposal)) = (&r.anchor, &r.proposal) else {
        return Err(ActError::Invalid(format!(
            "Comment {} has {}, so there is nothing to put into the draft; edit strategy/ by hand.",
            r.id,
            if r.anchor.is_none() {
                "no quoted passage"
            } else {
                "no proposed wording"
            }
        )));
    };
    if accepted {
        let decision = comment.decision.as_ref().map(|d| d.decision);
        if !matches!(decision, Some(Decision::Accepted | Decision::Partly)) {
            return Err(ActError::Invalid(format!(
                "Comment {} is {}; only an accepted suggestion is applied: `strategi comment resolve {} --decision accepted --apply`.",
                r.id,
                decision.map_or("not decided yet".to_string(), |d| format!(
                    "decided {}",
                    d.key()
                )),
                r.id
            )));
        }
    }
    let found = places_of(&anchor.quote, files);
    let Some(target) = &r.moved_to else {
        // Applied already: the proposed wording is in the draft once and the quote is
        // not (a replacement), or the quote is only inside the proposed wording (an
        // insertion's proposal contains its quote; applying it again would insert the
        // words twice).
        let proposed = places_of(proposal, files);
        if let Some(p) = applied_at(&found, &proposed) {
            return Err(already(r, files, p));
        }
        let what = format!("The quote of comment {} («{}»)", r.id, anchor.quote);
        let at = one_place(ws, files, found, &what, r.section.as_deref(), anchor)?;
        return Ok(Plan { at, moved_to: None });
    };
    // A move: the moved text where it was, and the words where it goes.
    let Some(to_anchor) = &target.anchor else {
        return Err(ActError::Invalid(format!(
            "Comment {} moves «{}», but where it goes was not found in the version sent (see the comment's text), so there is no place to put it; edit strategy/ by hand.",
            r.id, anchor.quote
        )));
    };
    // Applied already: the words where it goes read as proposed, once, and the moved
    // text is only there.
    let proposed = places_of(&target.proposal, files);
    if let Some(p) = applied_at(&found, &proposed).filter(|_| proposed.len() == 1) {
        return Err(already(r, files, p));
    }
    let what = format!(
        "The moved text of comment {} («{}»), where it was,",
        r.id, anchor.quote
    );
    let at = one_place(ws, files, found, &what, r.section.as_deref(), anchor)?;
    let what = format!(
        "The place comment {} moves the text to («{}»{})",
        r.id,
        to_anchor.quote,
        target
            .section
            .as_ref()
            .map(|s| format!(", in section {s}"))
            .unwrap_or_default()
    );
    let found = places_of(&to_anchor.quote, files);
    let to = one_place(
        ws,
        files,
        found,
        &what,
        target.section.as_deref(),
        to_anchor,
    )?;
    if at.file == to.file && at.start < to.end && to.start < at.end {
        let f = &files[at.file];
        return Err(ActError::Invalid(format!(
            "Comment {} moves «{}» to a place that overlaps where it was ({STRATEGY_DIR}/{}:{}), so the two edits cannot both be made word for word; edit the draft by hand.",
            r.id,
            anchor.quote,
            f.path,
            line_of(&f.bytes, at.start)
        )));
    }
    Ok(Plan {
        at,
        moved_to: Some(to),
    })
}

/// Where the suggestion is applied already (see [`plan`]): the place of the proposed
/// wording, when the quote is not in the draft but the proposal is, once, or every
/// place of the quote is inside the proposal.
fn applied_at<'a>(found: &[Placement], proposed: &'a [Placement]) -> Option<&'a Placement> {
    let inside = |q: &Placement| {
        proposed
            .iter()
            .any(|p| p.file == q.file && p.start <= q.start && q.end <= p.end)
    };
    let applied = match found {
        [] => proposed.len() == 1,
        some => !proposed.is_empty() && some.iter().all(inside),
    };
    applied.then(|| &proposed[0])
}

/// The refusal of a suggestion applied already, whose proposed wording is at `p`.
fn already(r: &super::comments::CommentRecord, files: &[StoredFile], p: &Placement) -> ActError {
    let f = &files[p.file];
    let place = format!("{STRATEGY_DIR}/{}:{}", f.path, line_of(&f.bytes, p.start));
    ActError::Invalid(format!(
        "The draft already has the wording comment {} proposes, at {place}: it looks applied already (`git log --grep \"Apply comment {}\"` shows when). Nothing was changed.",
        r.id, r.id
    ))
}

/// The one place of a passage (`what` names it in the refusals), in a file without
/// uncommitted changes.
fn one_place(
    ws: &Workspace,
    files: &[StoredFile],
    found: Vec<Placement>,
    what: &str,
    section: Option<&str>,
    anchor: &Anchor,
) -> Result<Placement, ActError> {
    match found.as_slice() {
        [one] => {
            committed(ws, &files[one.file])?;
            Ok(one.clone())
        }
        [] => Err(ActError::Invalid(format!(
            "{what} is no longer in strategy/ word for word: {}. Edit the draft by hand, then record it.",
            where_it_went(section, anchor, files)
        ))),
        many => {
            let places: Vec<String> = many
                .iter()
                .map(|p| {
                    let f = &files[p.file];
                    format!("{STRATEGY_DIR}/{}:{}", f.path, line_of(&f.bytes, p.start))
                })
                .collect();
            Err(ActError::Invalid(format!(
                "{what} occurs {} times in strategy/ ({}), so where to apply it is not clear; edit the draft by hand.",
                many.len(),
                places.join(", ")
            )))
        }
    }
}

/// Applies the comment's proposal to the draft in one commit; see the module
/// documentation. `accepted` as for [`plan`].
pub fn apply_suggestion(
    tx: &mut Transaction<'_>,
    who: &Acting<'_>,
    round: &RoundState,
    comment: &CommentState,
    accepted: bool,
) -> Result<Applied, ActError> {
    rules::may_decide(who.config, &round.def, &who.actor.party)?;
    let files = tx.workspace().draft_files()?;
    let plan = plan(tx.workspace(), comment, &files, accepted)?;
    let r = &comment.record;
    let (Some(anchor), Some(proposal)) = (&r.anchor, &r.proposal) else {
        return Err(ActError::Invalid(format!(
            "Comment {} has no suggestion.",
            r.id
        )));
    };
    // The edits: (place, quote, proposal), the quote's first.
    let mut edits: Vec<(&Placement, &str, &str)> = vec![(&plan.at, &anchor.quote, proposal)];
    if let (Some(to), Some(target)) = (&plan.moved_to, &r.moved_to)
        && let Some(a) = &target.anchor
    {
        edits.push((to, &a.quote, &target.proposal));
    }
    let line = |p: &Placement| line_of(&files[p.file].bytes, p.start);
    let path = |p: &Placement| format!("{STRATEGY_DIR}/{}", files[p.file].path);
    let mut touched: Vec<usize> = edits.iter().map(|(p, ..)| p.file).collect();
    touched.sort_unstable();
    touched.dedup();
    for &file in &touched {
        let f = &files[file];
        let mut text = String::from_utf8_lossy(&f.bytes).into_owned();
        // From the back, so that the places before stay where they were.
        let mut here: Vec<&(&Placement, &str, &str)> =
            edits.iter().filter(|(p, ..)| p.file == file).collect();
        here.sort_by_key(|(p, ..)| std::cmp::Reverse(p.start));
        for (p, _, new) in here {
            let (start, end) = match new.is_empty() {
                true => deletion_range(&text, p.start, p.end),
                false => (p.start, p.end),
            };
            text.replace_range(start..end, new);
        }
        tx.write(&format!("{STRATEGY_DIR}/{}", f.path), text.into_bytes());
    }
    let files_changed: Vec<String> = touched
        .iter()
        .map(|&i| format!("{STRATEGY_DIR}/{}", files[i].path))
        .collect();
    let body = match edits.as_slice() {
        [(p, q, new)] => format!(
            "«{q}» → «{new}» at line {}, as comment {} proposed.",
            line(p),
            r.id
        ),
        _ => edits
            .iter()
            .enumerate()
            .map(|(k, (p, q, new))| {
                format!(
                    "{} «{q}» → «{new}» at {}:{}",
                    if k == 0 { "Moved away:" } else { "Moved in:" },
                    path(p),
                    line(p)
                )
            })
            .chain([format!("as comment {} proposed (a tracked move).", r.id)])
            .collect::<Vec<_>>()
            .join("\n"),
    };
    let commit = tx.commit_and_continue(
        &format!(
            "Apply comment {} ({}) to {}",
            r.id,
            r.party,
            files_changed.join(" and ")
        ),
        &body,
        Action::CommentApply,
        who.actor,
        who.now,
    )?;
    Ok(Applied {
        comment: r.id.clone(),
        file: path(&plan.at),
        line: line(&plan.at),
        quote: anchor.quote.clone(),
        proposal: proposal.clone(),
        moved_to: edits.get(1).map(|(p, q, new)| AppliedPlace {
            file: path(p),
            line: line(p),
            quote: q.to_string(),
            proposal: new.to_string(),
        }),
        commit,
    })
}

/// The range to remove when the passage `start..end` of `text` is deleted (an empty
/// proposal, as a move leaves where the text was): with the spaces before it when a
/// space or the line's end follows, else with the spaces after it, so that no double or
/// trailing space is left. Line breaks and a line's indentation are kept.
fn deletion_range(text: &str, start: usize, end: usize) -> (usize, usize) {
    let blank = [' ', '\t'];
    let before = start - text[..start].trim_end_matches(blank).len();
    let after = text[end..].len() - text[end..].trim_start_matches(blank).len();
    let from = start - before;
    let line_start = from == 0 || text[..from].ends_with('\n');
    let line_end = end + after == text.len() || text[end + after..].starts_with(['\n', '\r']);
    if before > 0 && !line_start && (after > 0 || line_end) {
        (from, end)
    } else if after > 0 && (line_start || before == 0) && !line_end {
        (start, end + after)
    } else {
        (start, end)
    }
}

/// Refuses a draft file with uncommitted changes: `apply` rewrites the whole file and
/// commits it, so those edits would be swept into the apply commit under the comment's
/// name.
fn committed(ws: &Workspace, f: &StoredFile) -> Result<(), ActError> {
    let rel = format!("{STRATEGY_DIR}/{}", f.path);
    if ws.file_is_committed(&rel)? {
        return Ok(());
    }
    Err(ActError::Invalid(format!(
        "{rel} has uncommitted changes, and applying the suggestion would commit them with it. Commit them (`git commit {rel}`) or stash them (`git stash`) first, then apply again. Nothing was changed."
    )))
}

/// Where `passage` occurs word for word in the draft.
fn places_of(passage: &str, files: &[StoredFile]) -> Vec<Placement> {
    let words: Vec<&str> = passage.split_whitespace().collect();
    let mut out = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let text = String::from_utf8_lossy(&f.bytes);
        for (start, end) in find_words(&text, &words) {
            out.push(Placement {
                file: i,
                start,
                end,
            });
        }
    }
    out
}

/// Where a passage (`anchor` in `section`) is in the draft now, in words.
fn where_it_went(section: Option<&str>, anchor: &Anchor, files: &[StoredFile]) -> String {
    let Some(section) = section else {
        return "it has no section".into();
    };
    let sources: Vec<SourceFile> = files
        .iter()
        .map(|f| SourceFile::new(f.path.clone(), String::from_utf8_lossy(&f.bytes)))
        .collect();
    let draft = Document::parse(&sources);
    match relocate(section, anchor, &draft) {
        Landing::Exact { section, .. } => format!(
            "it is in section {section} as plain text, but not in the Markdown as written (it is split by markup)"
        ),
        Landing::Moved { to, .. } => {
            format!("it moved to section {to}, but not word for word in the Markdown")
        }
        Landing::Changed {
            section, new_text, ..
        } => format!("the passage in section {section} now reads «{new_text}»"),
        Landing::Orphaned => "nothing like it is in the draft any more".into(),
    }
}

/// Byte ranges where `words` occur in `text`, separated by any whitespace, starting and
/// ending at word boundaries.
fn find_words(text: &str, words: &[&str]) -> Vec<(usize, usize)> {
    let Some(first) = words.first() else {
        return Vec::new();
    };
    let boundary_before = |i: usize| {
        text[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric())
    };
    let mut out = Vec::new();
    for (start, _) in text.match_indices(first) {
        if !boundary_before(start) {
            continue;
        }
        let mut at = start + first.len();
        let mut ok = true;
        for w in &words[1..] {
            let rest = &text[at..];
            let trimmed = rest.trim_start();
            if trimmed.len() == rest.len() || !trimmed.starts_with(w) {
                ok = false;
                break;
            }
            at += rest.len() - trimmed.len() + w.len();
        }
        let boundary_after = text[at..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric());
        if ok && boundary_after {
            out.push((start, at));
        }
    }
    out
}

fn line_of(bytes: &[u8], at: usize) -> usize {
    bytes[..at.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_found_across_line_breaks_and_at_word_boundaries() {
        let t = "Vi skal bruke kunstig intelligens i hele\ndepartementsfellesskapet. Hele.";
        assert_eq!(
            find_words(t, &["i", "hele", "departementsfellesskapet."]).len(),
            1
        );
        assert_eq!(find_words(t, &["hele"]).len(), 1);
        assert_eq!(find_words(t, &["ele"]).len(), 0);
        assert_eq!(find_words("a b a b", &["a", "b"]), vec![(0, 3), (4, 7)]);
    }

    #[test]
    fn a_deletion_leaves_no_double_or_trailing_space() {
        let cut = |t: &str, q: &str| {
            let start = t.find(q).expect("in text");
            let (a, b) = deletion_range(t, start, start + q.len());
            format!("{}{}", &t[..a], &t[b..])
        };
        assert_eq!(cut("A. B. C.\n", "B."), "A. C.\n");
        assert_eq!(cut("A. B.\nC.\n", "B."), "A.\nC.\n");
        assert_eq!(cut("A.\nB. C.\n", "B."), "A.\nC.\n");
        assert_eq!(cut("- B. C.\n", "B."), "- C.\n");
        assert_eq!(cut("  B.\n", "B."), "  \n");
        assert_eq!(cut("AB.C", "B."), "AC");
    }
}
