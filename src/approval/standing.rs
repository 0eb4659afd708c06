//! Whether an approval that the fold counts also stands the checks `verify` makes of
//! it, so that `status` never shows a version as approved while `verify` finds its
//! approval broken.
//!
//! The fold ([`super::fold_approvals`]) applies the rules to the record as it is; what
//! history says about it needs a walk of history. This one is limited to the
//! `approvals/` folder, the folders of the rounds on every version up to and including
//! the approved one and the
//! parties' keys ([`Workspace::approval_history`]), so that
//! `status` stays fast on a long history. An approval does not stand when:
//! - its record was changed after it was written, or was not written by strategi (the
//!   commit that added it has no `Strategi-Action` trailer), or is not committed;
//! - it names a signed tag that is missing, does not verify against the approver's own
//!   keys (the keys history shows the approver added itself: a replaced or foreign key
//!   does not count), or tags another commit than the record names;
//! - the case requires the approver's commits to be signed, and the commit that added
//!   the record is not signed by one of the approver's own keys;
//! - a record of a round on the approved version or an earlier one (the consultation it
//!   rests on) was
//!   changed after it was written, added by a commit strategi did not make, or, under
//!   the policy, committed without the acting party's signature.

use crate::model::Config;
use crate::store::{ChangeKind, RecordHistory, StoreError, Workspace};

use super::commits::commit_signature;
use super::{ApprovalRecord, key_provenance};

/// Why the approval in the file `path` does not stand, or `None` when it does.
/// `rounds` are the ids of the rounds on the approved version and every earlier one: the consultation it
/// rests on, whose records must not have been changed either, nor (under the policy)
/// committed without the acting party's signature.
pub fn approval_problem(
    ws: &Workspace,
    config: &Config,
    path: &str,
    record: &ApprovalRecord,
    rounds: &[String],
) -> Result<Option<String>, StoreError> {
    let history = ws.approval_history(rounds)?;
    if let Some(why) = approval_problem_in(ws, config, &history, path, record)? {
        return Ok(Some(why));
    }
    consultation_problem(ws, &history)
}

/// What is wrong with the consultation records in `history` other than the approvals:
/// a record changed after it was written, one added by a commit strategi did not make,
/// or, where the policy requires it, one committed without the acting party's
/// signature.
fn consultation_problem(
    ws: &Workspace,
    history: &RecordHistory,
) -> Result<Option<String>, StoreError> {
    let mut checked: Vec<usize> = Vec::new();
    for change in history
        .changes
        .iter()
        .filter(|c| !c.path.starts_with("approvals/"))
    {
        let Some(commit) = history.commit_of(change) else {
            continue;
        };
        let (who, path) = (&commit.author, &change.path);
        let id = commit.short_id();
        if change.kind != ChangeKind::Added {
            return Ok(Some(format!(
                "the consultation it rests on was changed: {path} was {} by commit {id} by {who} after it was written",
                if change.kind == ChangeKind::Deleted {
                    "deleted"
                } else {
                    "modified"
                }
            )));
        }
        if commit.action.is_none() {
            return Ok(Some(format!(
                "the consultation it rests on has {path}, added by commit {id} by {who}, which strategi did not make"
            )));
        }
        let Some(party) = commit.party.as_deref() else {
            continue;
        };
        if !history.signed_commits_at(change.commit).requires(party)
            || checked.contains(&change.commit)
        {
            continue;
        }
        checked.push(change.commit);
        let state = commit_signature(ws, history, change.commit, Some(party))?;
        if !state.holds() {
            return Ok(Some(format!(
                "the consultation it rests on has {path} from commit {id} by {who} acting as {party}, and {}",
                state.why(party)
            )));
        }
    }
    Ok(None)
}

/// [`approval_problem`] with the history already walked (any scope that includes the
/// `approvals/` folder and the keys).
pub fn approval_problem_in(
    ws: &Workspace,
    config: &Config,
    history: &RecordHistory,
    path: &str,
    record: &ApprovalRecord,
) -> Result<Option<String>, StoreError> {
    let changes: Vec<_> = history.changes.iter().filter(|c| c.path == path).collect();
    let added = changes
        .iter()
        .rev()
        .find(|c| c.kind == ChangeKind::Added)
        .copied();
    let Some(added) = added else {
        return Ok(Some(format!(
            "its record {path} is in no commit, so nothing shows that strategi recorded it"
        )));
    };
    let Some(commit) = history.commit_of(added) else {
        return Ok(None);
    };
    if let Some(later) = changes
        .iter()
        .find(|c| c.commit > added.commit || c.kind == ChangeKind::Modified)
        && let Some(by) = history.commit_of(later)
    {
        return Ok(Some(format!(
            "its record {path} was changed by commit {} by {} after it was written",
            by.short_id(),
            by.author
        )));
    }
    if commit.action.is_none() {
        return Ok(Some(format!(
            "its record {path} was added by commit {} by {}, which strategi did not make (no Strategi-Action trailer)",
            commit.short_id(),
            commit.author
        )));
    }
    if let Some(why) = policy_problem(history) {
        return Ok(Some(why));
    }
    let approver = record.by.as_str();
    if let Some(tag) = &record.signed_tag {
        let own = match key_provenance(config, history) {
            Ok(p) => p.own_keys(config, &record.by).unwrap_or_default(),
            Err(_) => Vec::new(),
        };
        match ws.verify_signed_tag(tag, &own) {
            Err(e) => {
                return Ok(Some(format!(
                    "its signed tag {tag} does not hold against {approver}'s own keys: {e}"
                )));
            }
            Ok(v) if v.tag.target != record.commit => {
                return Ok(Some(format!(
                    "its signed tag {tag} is on commit {}, not on the approved commit {}",
                    v.tag.target.get(..12).unwrap_or(&v.tag.target),
                    record.commit.get(..12).unwrap_or(&record.commit)
                )));
            }
            Ok(_) => {}
        }
    }
    if history.signed_commits_at(added.commit).requires(approver) {
        let state = commit_signature(ws, history, added.commit, Some(approver))?;
        if !state.holds() {
            return Ok(Some(format!(
                "the commit {} that recorded it is not signed by {approver}: {}",
                commit.short_id(),
                state.why(approver)
            )));
        }
    }
    Ok(None)
}

/// The first change to the owner, the approver or a signature policy that history shows
/// was made behind the owner's back ([`RecordHistory::policy_verdicts`]): the approver
/// the approval counts by, or the checks it passed, may not be the case's.
fn policy_problem(history: &RecordHistory) -> Option<String> {
    let v = history.policy_verdicts().into_iter().find(|v| v.foreign)?;
    let commit = history.commits.get(v.change.commit)?;
    Some(format!(
        "{} was changed from {} to {} by commit {} by {}, {}",
        v.change.setting.name(),
        v.change.old.as_deref().unwrap_or("nothing"),
        v.change.new.as_deref().unwrap_or("nothing"),
        commit.short_id(),
        commit.author,
        match (&commit.action, &commit.party, &v.owner) {
            (None, _, _) => "which strategi did not make".to_string(),
            (Some(_), Some(p), Some(o)) => format!("acting as {p}, not as the owner {o}"),
            (Some(_), _, Some(o)) => format!("not acting as the owner {o}"),
            (Some(_), _, None) => "not by init".to_string(),
        }
    ))
}
