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

use serde::Serialize;

use crate::document::anchor::{Landing, relocate};
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
    /// The commit.
    pub commit: CommitInfo,
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

/// Checks that `comment` can be applied to the draft `files`: it has a quote and a
/// proposal, and the quote occurs exactly once. `accepted` says whether its decision
/// must already be accepted (not when the decision is made in the same command).
pub fn plan(
    ws: &Workspace,
    comment: &CommentState,
    files: &[StoredFile],
    accepted: bool,
) -> Result<Placement, ActError> {
    let r = &comment.record;
    let (Some(anchor), Some(_)) = (&r.anchor, &r.proposal) else {
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
    // Applied already: the proposed wording is in the draft once and the quote is not
    // (a replacement), or the quote is only inside the proposed wording (an insertion's
    // proposal contains its quote; applying it again would insert the words twice).
    let proposed = r
        .proposal
        .as_deref()
        .map_or_else(Vec::new, |p| places_of(p, files));
    let inside = |q: &Placement| {
        proposed
            .iter()
            .any(|p| p.file == q.file && p.start <= q.start && q.end <= p.end)
    };
    let applied = match found.as_slice() {
        [] => proposed.len() == 1,
        some => !proposed.is_empty() && some.iter().all(inside),
    };
    match found.as_slice() {
        _ if applied => {
            let p = &proposed[0];
            let f = &files[p.file];
            let place = format!("{STRATEGY_DIR}/{}:{}", f.path, line_of(&f.bytes, p.start));
            Err(ActError::Invalid(format!(
                "The draft already has the wording comment {} proposes, at {place}: it looks applied already (`git log --grep \"Apply comment {}\"` shows when). Nothing was changed.",
                r.id, r.id
            )))
        }
        [one] => {
            committed(ws, &files[one.file])?;
            Ok(one.clone())
        }
        [] => Err(ActError::Invalid(format!(
            "The quote of comment {} («{}») is no longer in strategy/ word for word: {}. Edit the draft by hand, then record it.",
            r.id,
            anchor.quote,
            where_it_went(comment, files)
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
                "The quote of comment {} («{}») occurs {} times in strategy/ ({}), so where to apply it is not clear; edit the draft by hand.",
                r.id,
                anchor.quote,
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
    let at = plan(tx.workspace(), comment, &files, accepted)?;
    let r = &comment.record;
    let (Some(anchor), Some(proposal)) = (&r.anchor, &r.proposal) else {
        return Err(ActError::Invalid(format!(
            "Comment {} has no suggestion.",
            r.id
        )));
    };
    let f = &files[at.file];
    let text = String::from_utf8_lossy(&f.bytes);
    let mut new = String::with_capacity(text.len() + proposal.len());
    new.push_str(&text[..at.start]);
    new.push_str(proposal);
    new.push_str(&text[at.end..]);
    let line = line_of(&f.bytes, at.start);
    tx.write(&format!("{STRATEGY_DIR}/{}", f.path), new.into_bytes());
    let commit = tx.commit_and_continue(
        &format!(
            "Apply comment {} ({}) to {STRATEGY_DIR}/{}",
            r.id, r.party, f.path
        ),
        &format!(
            "«{}» → «{}» at line {line}, as comment {} proposed.",
            anchor.quote, proposal, r.id
        ),
        Action::CommentApply,
        who.actor,
        who.now,
    )?;
    Ok(Applied {
        comment: r.id.clone(),
        file: format!("{STRATEGY_DIR}/{}", f.path),
        line,
        quote: anchor.quote.clone(),
        proposal: proposal.clone(),
        commit,
    })
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

/// Where the comment's passage is in the draft now, in words.
fn where_it_went(comment: &CommentState, files: &[StoredFile]) -> String {
    let (Some(anchor), Some(section)) = (&comment.record.anchor, &comment.record.section) else {
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
}
