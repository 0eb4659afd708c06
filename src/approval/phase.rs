//! Where the case stands, derived from the records: drafting, submitted, in
//! consultation, revising, approved, approval invalid (the approval does not stand
//! what `verify` checks of it: [`super::standing`]), or approval void (the approved
//! text changed).
//!
//! The approvals are read through [`super::fold_approvals`], so an approval that breaks
//! a rule (by a non-approver, a second one of a version, made while consultation was
//! outstanding without a reason, unsigned where signatures are required) never makes
//! the case approved; a submission that breaks [`super::rules::may_hand_to`] is not a
//! hand-in; a withdrawn approval is not in force, so the version is not approved.
//! Unreadable records are skipped here;
//! [`super::verify::verify`] reports them.

use jiff::civil::Date;

use crate::consultation::{RoundComments, RoundState};
use crate::model::{Config, PartyCode, RecordId, VersionName};
use crate::store::{StoreError, Workspace};

use super::{
    ApprovalFold, SUBMISSIONS_DIR, SubmissionRecord, load_approval_fold, load_each, rules,
};

/// The hand-ins the phase counts, in file order: readable records by a party that may
/// hand the version to its addressee ([`rules::may_hand_to`]); `verify` reports the
/// others. The status page shows the same ones.
pub fn submissions_that_count(
    ws: &Workspace,
    config: &Config,
) -> Result<Vec<SubmissionRecord>, StoreError> {
    Ok(load_each::<SubmissionRecord>(ws, SUBMISSIONS_DIR)?
        .into_iter()
        .filter_map(|(_, r)| r.ok())
        .filter(|s| rules::may_hand_to(config, &s.by, &s.to).is_ok())
        .collect())
}

/// The phase of the case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Nothing handed in, no round opened.
    Drafting,
    /// A version was handed in, and no round was opened since.
    Submitted {
        /// The version.
        version: VersionName,
        /// To whom.
        to: PartyCode,
        /// The day (Europe/Oslo).
        date: Date,
    },
    /// A round is open with recipients still to answer (the latest such round).
    InConsultation {
        /// The round.
        round: RecordId,
        /// Its version.
        version: VersionName,
        /// The day it was opened.
        date: Date,
        /// Recipients still to answer.
        waiting: usize,
        /// All recipients.
        recipients: usize,
        /// The deadline for answers, as given.
        due: Date,
    },
    /// Every round is closed or answered; not approved yet.
    Revising,
    /// Approved, and the version still has the approved text.
    Approved {
        /// The version.
        version: VersionName,
        /// By whom (the approver).
        by: PartyCode,
        /// The day (Europe/Oslo).
        date: Date,
    },
    /// An approval counts by the rules, but does not stand what `verify` checks of it:
    /// its record was changed or not written by strategi, its signature is not by the
    /// approver's own key, or its commit is not signed where the case requires it
    /// ([`super::standing`]).
    ApprovalInvalid {
        /// The version.
        version: VersionName,
        /// The day it was approved (Europe/Oslo).
        date: Date,
        /// Why it does not stand.
        why: String,
    },
    /// Approved, but the version's tag no longer has the approved commit and tree.
    ApprovalVoid {
        /// The version.
        version: VersionName,
        /// The day it was approved (Europe/Oslo).
        date: Date,
    },
}

impl Phase {
    /// The phase's name: `drafting`, `submitted`, `in-consultation`, `revising`,
    /// `approved`, `approval-invalid`, `approval-void`.
    pub fn name(&self) -> &'static str {
        match self {
            Phase::Drafting => "drafting",
            Phase::Submitted { .. } => "submitted",
            Phase::InConsultation { .. } => "in-consultation",
            Phase::Revising => "revising",
            Phase::Approved { .. } => "approved",
            Phase::ApprovalInvalid { .. } => "approval-invalid",
            Phase::ApprovalVoid { .. } => "approval-void",
        }
    }

    /// The version concerned, if any.
    pub fn version(&self) -> Option<VersionName> {
        match self {
            Phase::Submitted { version, .. }
            | Phase::InConsultation { version, .. }
            | Phase::Approved { version, .. }
            | Phase::ApprovalInvalid { version, .. }
            | Phase::ApprovalVoid { version, .. } => Some(*version),
            Phase::Drafting | Phase::Revising => None,
        }
    }

    /// The day of the event that set the phase (submission, round opened, approval).
    pub fn date(&self) -> Option<Date> {
        match self {
            Phase::Submitted { date, .. }
            | Phase::InConsultation { date, .. }
            | Phase::Approved { date, .. }
            | Phase::ApprovalInvalid { date, .. }
            | Phase::ApprovalVoid { date, .. } => Some(*date),
            Phase::Drafting | Phase::Revising => None,
        }
    }

    /// The open round, in consultation.
    pub fn round(&self) -> Option<&RecordId> {
        match self {
            Phase::InConsultation { round, .. } => Some(round),
            _ => None,
        }
    }
}

/// Derives the phase from the approvals that count, the rounds (folded, in the order
/// they were opened, each with its comments in `comments`, in the same order) and the
/// submissions that keep the rules.
pub fn phase(
    ws: &Workspace,
    config: &Config,
    rounds: &[RoundState],
    comments: &[RoundComments],
) -> Result<Phase, StoreError> {
    let consulted: Vec<_> = rounds.iter().zip(comments).collect();
    let approvals = load_approval_fold(ws, config, &consulted)?;
    phase_from(ws, config, rounds, &approvals)
}

/// [`phase`] from approvals the caller has folded already ([`load_approval_fold`] over
/// the same rounds and comments), for a command that shows the fold too.
pub fn phase_from(
    ws: &Workspace,
    config: &Config,
    rounds: &[RoundState],
    approvals: &ApprovalFold,
) -> Result<Phase, StoreError> {
    let day = |t: jiff::Timestamp| t.to_zoned_datetime(crate::calendar::oslo()).date();
    if let Some((path, a)) = approvals.approvals.last() {
        let holds = ws
            .version(a.version)
            .is_ok_and(|v| v.commit == a.commit && v.tree == a.tree);
        let date = day(a.at);
        if holds
            && let Some(why) = super::standing::approval_problem(
                ws,
                config,
                path,
                a,
                &rounds
                    .iter()
                    // Every round up to the approved version: the consultation the
                    // approval rests on includes rounds on earlier versions (the set
                    // whose undecided comments stand in its way, see `acts`).
                    .filter(|r| r.def.version <= a.version)
                    .map(|r| r.def.id.to_string())
                    .collect::<Vec<_>>(),
            )?
        {
            return Ok(Phase::ApprovalInvalid {
                version: a.version,
                date,
                why,
            });
        }
        return Ok(if holds {
            Phase::Approved {
                version: a.version,
                by: a.by.clone(),
                date,
            }
        } else {
            Phase::ApprovalVoid {
                version: a.version,
                date,
            }
        });
    }
    if let Some(r) = rounds
        .iter()
        .rev()
        .find(|r| r.closed.is_none() && r.parties.iter().any(|p| p.position.is_none()))
    {
        return Ok(Phase::InConsultation {
            round: r.def.id.clone(),
            version: r.def.version,
            date: r.def.opened,
            waiting: r.parties.iter().filter(|p| p.position.is_none()).count(),
            recipients: r.parties.len(),
            due: r.def.due,
        });
    }
    let submission = submissions_that_count(ws, config)?
        .into_iter()
        .max_by(|a, b| a.at.cmp(&b.at));
    if let Some(s) = &submission
        && !rounds.iter().any(|r| r.def.at >= s.at)
    {
        return Ok(Phase::Submitted {
            version: s.version,
            to: s.to.clone(),
            date: day(s.at),
        });
    }
    if submission.is_some() || !rounds.is_empty() {
        return Ok(Phase::Revising);
    }
    Ok(Phase::Drafting)
}
