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
//! - `signatures/<stamp>-<id>.toml`: the approver signs an unsigned approval later
//!   (`approve V --sign KEY` when V is approved unsigned), making the tag `approved/vN`.
//! - `withdrawals/<stamp>-<id>.toml`: the approver withdraws an approval, with a reason
//!   (`approve V --withdraw REASON`); V is then not approved and may be approved again.
//!   A signed tag of the withdrawn approval stays as history; the next approval's tag
//!   is `approved/vN-2` ([`approved_tag_name_after`]).
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
mod later;
mod phase;
mod records;
pub mod rules;
pub mod standing;
#[cfg(test)]
mod tests;
pub mod verify;

use jiff::Timestamp;

use crate::consultation::{RoundComments, RoundState, load_comments};
use crate::model::{Config, PartyCode, RecordId, VersionName};
use crate::sign::{PublicKey, SignError};
use crate::store::{Records, StoreError, Workspace};

pub use acts::{
    ApprovalError, ApprovalRequest, Approved, KeyChange, SubmissionRequest, Submitted, Timing,
    approve, change_key, submit,
};
pub use keys::{
    ForeignKey, KeyProvenance, PartyKeys, RemovedKey, key_provenance, party_keys_by_history,
    workspace_key_provenance,
};
pub use later::{WithdrawalMade, WithdrawalRequest, withdraw};
pub use phase::{Phase, phase, phase_from, submissions_that_count};
pub use records::{
    APPROVALS_DIR, ApprovalRecord, Parsed, SIGNATURES_DIR, SUBMISSIONS_DIR, SignatureRecord,
    SubmissionRecord, WITHDRAWALS_DIR, WithdrawalRecord, approval_path, approved_tag_name,
    approved_tag_name_after, load_approvals, load_each, load_submissions, signature_path,
    submission_path, withdrawal_path,
};
pub use rules::{LaterAct, Outstanding, Refusal, Signing};

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

/// The approval records folded: those in force, those withdrawn, those ignored, those
/// unreadable.
#[derive(Debug, Default)]
pub struct ApprovalFold {
    /// The approvals that count and are in force, with their files, oldest first. An
    /// approval signed later carries the signature's tag and key here.
    pub approvals: Vec<(String, ApprovalRecord)>,
    /// The approvals that counted until they were withdrawn, oldest first.
    pub withdrawn: Vec<Withdrawn>,
    /// The later signatures that count, with their files.
    pub signatures: Vec<(String, SignatureRecord)>,
    /// The approvals that break a rule ([`rules::approval_counts`]), oldest first.
    pub ignored: Vec<Ignored>,
    /// Later signatures and withdrawals that break a rule, with their files.
    pub ignored_acts: Vec<IgnoredAct>,
    /// Files that do not parse, with the error (file, line and column).
    pub unreadable: Vec<(String, StoreError)>,
}

impl ApprovalFold {
    /// The latest approval in force.
    pub fn latest(&self) -> Option<&ApprovalRecord> {
        self.approvals.last().map(|(_, a)| a)
    }

    /// The later signature of the approval `id`, if one counts.
    pub fn signature_of(&self, id: &RecordId) -> Option<&(String, SignatureRecord)> {
        self.signatures.iter().find(|(_, s)| &s.approval == id)
    }

    /// How many approvals of `version` were withdrawn.
    pub fn withdrawn_of(&self, version: VersionName) -> usize {
        self.withdrawn
            .iter()
            .filter(|w| w.record.version == version)
            .count()
    }
}

/// An approval that counted and was withdrawn.
#[derive(Debug, Clone)]
pub struct Withdrawn {
    /// The approval's file.
    pub path: String,
    /// The approval (with its later signature's tag and key, if signed later).
    pub record: ApprovalRecord,
    /// The withdrawal's file.
    pub withdrawal_path: String,
    /// The withdrawal.
    pub withdrawal: WithdrawalRecord,
}

/// A later signature or withdrawal that does not count, and the rule it breaks.
#[derive(Debug, Clone)]
pub struct IgnoredAct {
    /// The record's file.
    pub path: String,
    /// The rule it breaks.
    pub refusal: Refusal,
}

/// The records that act on approvals later (signatures, withdrawals), parsed.
#[derive(Debug, Default)]
pub struct LaterActs {
    /// `signatures/`.
    pub signatures: Parsed<SignatureRecord>,
    /// `withdrawals/`.
    pub withdrawals: Parsed<WithdrawalRecord>,
}

impl LaterActs {
    /// Reads `signatures/` and `withdrawals/`, each file parsed on its own.
    pub fn load(ws: &Workspace) -> Result<LaterActs, StoreError> {
        Ok(LaterActs {
            signatures: load_each(ws, SIGNATURES_DIR)?,
            withdrawals: load_each(ws, WITHDRAWALS_DIR)?,
        })
    }
}

/// Rounds folded with their comments: what the consultation rule looks at.
pub type Consulted<'a> = [(&'a RoundState, &'a RoundComments)];

enum Event {
    Approval(String, ApprovalRecord),
    Signature(String, SignatureRecord),
    Withdrawal(String, WithdrawalRecord),
}

impl Event {
    /// The order of the fold: by logical clock and time ([`crate::model::sort_facts`]);
    /// at the same clock and time (two commands in one second), an approval that a
    /// later act names first, then signatures, then withdrawals, then other approvals
    /// (so that approving again right after a withdrawal counts).
    fn key<'a>(&'a self, named: &[&RecordId]) -> (u8, &'a RecordId) {
        match self {
            Event::Approval(_, a) => (if named.contains(&&a.id) { 0 } else { 3 }, &a.id),
            Event::Signature(_, s) => (1, &s.id),
            Event::Withdrawal(_, w) => (2, &w.id),
        }
    }

    /// The logical clock and time of the record.
    fn when(&self) -> (Option<u64>, Timestamp) {
        match self {
            Event::Approval(_, a) => (a.clock, a.at),
            Event::Signature(_, s) => (s.clock, s.at),
            Event::Withdrawal(_, w) => (w.clock, w.at),
        }
    }
}

/// Folds parsed approval records (see [`load_each`]) and the later acts on them
/// ([`LaterActs`]) in time order: an approval counts when [`rules::approval_counts`]
/// allows it given the ones in force before it and the consultation (`rounds`, with
/// their comments) as it stood when it was made; a later signature counts when
/// [`rules::may_act_on_approval`], [`rules::approval_in_force`] and
/// [`rules::may_sign_later`] allow it, and then the approval carries its tag and key; a
/// withdrawal counts when the first two and [`rules::withdrawal_reason`] allow it, and
/// then the approval is no longer in force. The same rules the acts refuse by. Any
/// other record is ignored and kept with its refusal.
pub fn fold_approvals(
    parsed: Parsed<ApprovalRecord>,
    later: LaterActs,
    config: &Config,
    rounds: &Consulted<'_>,
) -> ApprovalFold {
    let mut out = ApprovalFold::default();
    let mut events = Vec::new();
    for (path, r) in parsed {
        match r {
            Ok(a) => events.push(Event::Approval(path, a)),
            Err(e) => out.unreadable.push((path, e)),
        }
    }
    for (path, r) in later.signatures {
        match r {
            Ok(s) => events.push(Event::Signature(path, s)),
            Err(e) => out.unreadable.push((path, e)),
        }
    }
    for (path, r) in later.withdrawals {
        match r {
            Ok(w) => events.push(Event::Withdrawal(path, w)),
            Err(e) => out.unreadable.push((path, e)),
        }
    }
    let named: Vec<RecordId> = events
        .iter()
        .filter_map(|e| match e {
            Event::Signature(_, s) => Some(s.approval.clone()),
            Event::Withdrawal(_, w) => Some(w.approval.clone()),
            Event::Approval(..) => None,
        })
        .collect();
    let named: Vec<&RecordId> = named.iter().collect();
    crate::model::sort_facts(&mut events, Event::when, |a, b| {
        a.key(&named).cmp(&b.key(&named))
    });
    for event in events {
        match event {
            Event::Approval(path, record) => {
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
            Event::Signature(path, sig) => {
                let found =
                    rules::may_act_on_approval(config, &sig.by, sig.version, LaterAct::Sign)
                        .and_then(|()| {
                            in_force_index(
                                &out.approvals,
                                sig.version,
                                &sig.approval,
                                LaterAct::Sign,
                            )
                        })
                        .and_then(|i| {
                            let a = &out.approvals[i].1;
                            rules::may_sign_later(a)?;
                            if a.commit != sig.commit || a.tree != sig.tree {
                                return Err(Refusal::NotApproved {
                                    version: sig.version,
                                    act: LaterAct::Sign,
                                });
                            }
                            Ok(i)
                        });
                match found {
                    Ok(i) => {
                        let a = &mut out.approvals[i].1;
                        a.signed_tag = Some(sig.signed_tag.clone());
                        a.key_fingerprint = Some(sig.key_fingerprint.clone());
                        out.signatures.push((path, sig));
                    }
                    Err(refusal) => out.ignored_acts.push(IgnoredAct { path, refusal }),
                }
            }
            Event::Withdrawal(path, w) => {
                let found =
                    rules::may_act_on_approval(config, &w.by, w.version, LaterAct::Withdraw)
                        .and_then(|()| {
                            in_force_index(
                                &out.approvals,
                                w.version,
                                &w.approval,
                                LaterAct::Withdraw,
                            )
                        })
                        .and_then(|i| rules::withdrawal_reason(w.version, &w.reason).map(|()| i));
                match found {
                    Ok(i) => {
                        let (approval_path, record) = out.approvals.remove(i);
                        out.withdrawn.push(Withdrawn {
                            path: approval_path,
                            record,
                            withdrawal_path: path,
                            withdrawal: w,
                        });
                    }
                    Err(refusal) => out.ignored_acts.push(IgnoredAct { path, refusal }),
                }
            }
        }
    }
    out
}

/// The index in `approvals` of the approval in force that a later act names.
fn in_force_index(
    approvals: &[(String, ApprovalRecord)],
    version: VersionName,
    id: &RecordId,
    act: LaterAct,
) -> Result<usize, Refusal> {
    let (_, found) = rules::approval_in_force(
        approvals.iter().map(|(p, a)| (p.as_str(), a)),
        version,
        Some(id),
        act,
    )?;
    approvals
        .iter()
        .position(|(_, a)| a.id == found.id)
        .ok_or(Refusal::NotApproved { version, act })
}

/// Reads the approvals and the later acts on them and folds them ([`fold_approvals`]).
pub fn load_approval_fold(
    ws: &Workspace,
    config: &Config,
    rounds: &Consulted<'_>,
) -> Result<ApprovalFold, StoreError> {
    Ok(fold_approvals(
        load_each(ws, APPROVALS_DIR)?,
        LaterActs::load(ws)?,
        config,
        rounds,
    ))
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
