//! Submissions and approvals: the records that bind a hand-in and an approval to the
//! exact text of a version, the rules about them, the acts that make them, their fold,
//! the check of the whole workspace, and the case's phase.
//!
//! Both are records in the sense of the rest of the workspace: small TOML files written
//! once, named by their UTC time and id so that two clones merge without conflicts:
//!
//! - `submissions/<stamp>-<id>.toml`: the drafter hands version V to a party (normally
//!   the approver), optionally completing a milestone, with whether that was on time.
//! - `approvals/<stamp>-<id>.toml`: the approver approves version V.
//!
//! Each names the version *and* the commit and `strategy/` tree it had when the record
//! was made, so a later check ([`verify::verify`]) can prove the text is still the one
//! that was handed in or approved, even if someone moves the `vN` tag. A signed approval
//! also names the SSH-signed tag `approved/vN` (see [`approved_tag_name`]) and the
//! fingerprint of the key that signed it; the tag is what anyone can check with stock
//! `git verify-tag`, the record is what strategi lists and cross-checks.
//!
//! The pieces:
//! - [`rules`]: every rule in one copy, each a function returning a [`Refusal`];
//! - [`submit`] and [`approve`]: the acts, one function each, taking the transaction,
//!   the actor and the time, validating with the rules, writing the record (and the
//!   signed tag) and committing;
//! - [`fold_approvals`]: the stored approvals that count, with the others ignored and
//!   kept with the rule they break ([`rules::approval_counts`]: by the approver, once
//!   per version, consultation settled or a reason given as of the approval's time,
//!   signed where the case requires it), the rules the act refuses by;
//! - [`verify`]: every record, reference, version tree and signature checked, with the
//!   folds' ignored records, as typed findings the command formats;
//! - [`phase`]: where the case stands ([`Phase`]), derived from the approvals that
//!   count, the rounds and the submissions.
//!
//! Nothing here prints or reads the clock: the time comes in as an argument.

mod acts;
pub mod commits;
pub mod keys;
mod phase;
mod records;
pub mod rules;
pub mod standing;
#[cfg(test)]
mod tests;
pub mod verify;

use jiff::Timestamp;

use crate::consultation::{RoundComments, RoundState, load_comments};
use crate::model::{Config, PartyCode, VersionName};
use crate::sign::{PublicKey, SignError};
use crate::store::{Records, StoreError};

pub use acts::{
    ApprovalError, ApprovalRequest, Approved, SubmissionRequest, Submitted, Timing, approve, submit,
};
pub use keys::{
    ForeignKey, KeyProvenance, PartyKeys, RemovedKey, key_provenance, party_keys_by_history,
    workspace_key_provenance,
};
pub use phase::{Phase, phase};
pub use records::{
    APPROVALS_DIR, ApprovalRecord, Parsed, SUBMISSIONS_DIR, SubmissionRecord, approval_path,
    approved_tag_name, load_approvals, load_each, load_submissions, submission_path,
};
pub use rules::{Outstanding, Refusal, Signing};

/// A party's signing keys from the configuration (checked when it was read).
pub fn party_keys(config: &Config, code: &PartyCode) -> Result<Vec<PublicKey>, SignError> {
    config
        .party(code)
        .map(|p| p.keys.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|k| PublicKey::from_openssh(k))
        .collect()
}

/// A stored approval that does not count, and the rule it breaks.
#[derive(Debug, Clone)]
pub struct Ignored {
    /// The record's file.
    pub path: String,
    /// The record.
    pub record: ApprovalRecord,
    /// The rule it breaks.
    pub refusal: Refusal,
}

/// The approval records folded: those that count, those ignored, those unreadable.
#[derive(Debug, Default)]
pub struct ApprovalFold {
    /// The approvals that count, with their files, oldest first.
    pub approvals: Vec<(String, ApprovalRecord)>,
    /// The approvals that break a rule ([`rules::approval_counts`]), oldest first.
    pub ignored: Vec<Ignored>,
    /// Files that do not parse, with the error (file, line and column).
    pub unreadable: Vec<(String, StoreError)>,
}

impl ApprovalFold {
    /// The latest approval that counts.
    pub fn latest(&self) -> Option<&ApprovalRecord> {
        self.approvals.last().map(|(_, a)| a)
    }
}

/// Rounds folded with their comments: what the consultation rule looks at.
pub type Consulted<'a> = [(&'a RoundState, &'a RoundComments)];

/// Folds parsed approval records (see [`load_each`]) in time order: an approval counts
/// when [`rules::approval_counts`] allows it given the ones before it and the
/// consultation (`rounds`, with their comments) as it stood when it was made: the same
/// rules the [`approve`] act refuses by. Any other is ignored and kept with its refusal.
pub fn fold_approvals(
    parsed: Parsed<ApprovalRecord>,
    config: &Config,
    rounds: &Consulted<'_>,
) -> ApprovalFold {
    let mut out = ApprovalFold::default();
    let mut records = Vec::new();
    for (path, r) in parsed {
        match r {
            Ok(a) => records.push((path, a)),
            Err(e) => out.unreadable.push((path, e)),
        }
    }
    records.sort_by(|a, b| a.1.at.cmp(&b.1.at).then_with(|| a.1.id.cmp(&b.1.id)));
    for (path, record) in records {
        let counted = out.approvals.iter().map(|(p, a)| (p.as_str(), a));
        let open = outstanding(rounds, record.version, Some(record.at));
        match rules::approval_counts(config, &record, counted, &open) {
            Ok(()) => out.approvals.push((path, record)),
            Err(refusal) => out.ignored.push(Ignored {
                path,
                record,
                refusal,
            }),
        }
    }
    out
}

/// A round's comments folded with their decisions. The one place this module calls
/// [`load_comments`].
pub fn round_comments(
    records: &Records,
    round: &RoundState,
    config: &Config,
) -> Result<RoundComments, StoreError> {
    load_comments(records, round, config)
}

/// What is outstanding on `version` in these rounds (with their comments): each round on
/// it that is open with unanswered recipients, each comment on it without a decision,
/// and (for a new approval, `as_of` `None`) each comment from a round on an earlier
/// version without a decision. With `as_of`, as things stood at that moment (for a
/// stored approval): answers, closes and decisions made later do not count, comments
/// made later are not there yet; comments on earlier versions are not counted there, so
/// that approvals recorded before that rule existed keep counting.
pub fn outstanding(
    rounds: &Consulted<'_>,
    version: VersionName,
    as_of: Option<Timestamp>,
) -> Outstanding {
    let mut out = Outstanding::default();
    if as_of.is_none() {
        for (r, comments) in rounds.iter().filter(|(r, _)| r.def.version < version) {
            out.earlier_undecided.extend(
                comments
                    .comments
                    .iter()
                    .filter(|c| c.decision.is_none() && c.superseded.is_empty())
                    .map(|c| (r.def.version, c.record.id.clone())),
            );
        }
    }
    for (r, comments) in rounds
        .iter()
        .filter(|(r, _)| r.def.version == version && rules::at_or_before(r.def.at, as_of))
    {
        let closed = r.closed.is_some_and(|t| rules::at_or_before(t, as_of));
        let waiting: Vec<&str> = r
            .parties
            .iter()
            .filter(|p| !p.history.iter().any(|h| rules::at_or_before(h.at, as_of)))
            .map(|p| p.party.as_str())
            .collect();
        if !closed && !waiting.is_empty() {
            out.open_rounds
                .push(format!("{}: {}", r.def.id, waiting.join(", ")));
        }
        out.undecided.extend(
            comments
                .comments
                .iter()
                .filter(|c| rules::at_or_before(c.record.at, as_of))
                .filter(|c| {
                    // The decision that counts at `as_of`: any made by then.
                    let decided_by =
                        |d: &crate::consultation::DecisionRecord| rules::at_or_before(d.at, as_of);
                    !(c.decision.as_ref().is_some_and(decided_by)
                        || c.superseded.iter().any(decided_by))
                })
                .map(|c| c.record.id.clone()),
        );
    }
    out
}
