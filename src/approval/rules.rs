//! The rules of submission and approval, in one copy.
//!
//! Each rule is a function that says yes (`Ok`) or why not (a [`Refusal`]). The acts
//! ([`super::submit`], [`super::approve`]) call them to refuse a request before anything
//! is written; the fold of the approval records ([`super::fold_approvals`]) calls the
//! same functions on every stored approval, so an approval written by hand cannot bypass
//! them: it is ignored and reported as a finding (by `strategi verify`), never counted
//! (by the case's phase).
//!
//! The rules:
//! - only the case's approver approves ([`may_approve`]);
//! - a version is approved once ([`once_per_version`]);
//! - not while consultation on the version is outstanding (a round on it open with
//!   parties that have not answered, or a comment on it without a decision), unless a
//!   reason is given and recorded ([`consultation_settled`]);
//! - the signature policy: with `[approval] require_signature = true` an approval is
//!   signed; a signed approval is signed with one of the approver's own keys, never
//!   with a key that is not listed for the approver or that another party added
//!   ([`signature`], [`super::keys`]);
//! - a party's signing keys are added by that party, acting as it ([`may_add_key`]);
//! - only the approver signs an unsigned approval later or withdraws an approval
//!   ([`may_act_on_approval`]), only one in force ([`approval_in_force`]), a signed one
//!   is not signed again ([`may_sign_later`]), a withdrawal says why
//!   ([`withdrawal_reason`]); a withdrawn approval no longer counts for
//!   [`once_per_version`], so the version may be approved again;
//! - a version is handed to a party of the case other than the one handing it in
//!   ([`may_hand_to`]), and a milestone it completes exists and is not done yet
//!   ([`may_submit`]).

use jiff::Timestamp;
use jiff::civil::Date;

use crate::model::{Config, MilestoneId, PartyCode, RecordId, VersionName};
use crate::sign::PublicKey;

use super::ApprovalRecord;
use super::keys::ForeignKey;

/// Why a rule of submission or approval says no. The message is a full sentence;
/// [`Refusal::hint`] says what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Someone other than the case's approver approves.
    #[error(
        "Only the case's approver, {approver} ({approver_name}), may approve a version; you act as {by}."
    )]
    NotApprover {
        /// Who tried.
        by: PartyCode,
        /// The case's approver.
        approver: PartyCode,
        /// The approver's name.
        approver_name: String,
        /// The version concerned.
        version: VersionName,
    },
    /// The version is approved already.
    #[error("{version} was already approved by {by} on {on} ({path}).")]
    AlreadyApproved {
        /// The version.
        version: VersionName,
        /// Who approved it.
        by: PartyCode,
        /// The day it was approved (Europe/Oslo).
        on: Date,
        /// The earlier approval's file.
        path: String,
    },
    /// A round on the version is open and not every recipient has answered.
    #[error("A round on {version} is still open and not everyone has answered.")]
    OpenRounds {
        /// The version.
        version: VersionName,
        /// `round id: PARTY, PARTY` for each such round.
        waiting: Vec<String>,
    },
    /// Comments from rounds on earlier versions have no decision.
    #[error(
        "{} comment(s) from rounds on earlier versions than {version} have no decision yet.",
        .undecided.len()
    )]
    EarlierUndecidedComments {
        /// The version to approve.
        version: VersionName,
        /// The comments without a decision, with the version of each one's round.
        undecided: Vec<(VersionName, RecordId)>,
    },
    /// Comments on the version have no decision.
    #[error("{} comment(s) on {version} have no decision yet.", .undecided.len())]
    UndecidedComments {
        /// The version.
        version: VersionName,
        /// The comments without a decision.
        undecided: Vec<RecordId>,
    },
    /// The case requires signed approvals and none was signed.
    #[error(
        "This case requires approvals to be signed ([approval] require_signature = true in strategi.toml)."
    )]
    SignatureRequired {
        /// The case's approver.
        approver: PartyCode,
        /// The version concerned.
        version: VersionName,
    },
    /// The key is not one of the approver's.
    #[error("The key {fingerprint} is not one of {approver}'s signing keys.")]
    KeyNotListed {
        /// The key's fingerprint.
        fingerprint: String,
        /// The case's approver.
        approver: PartyCode,
    },
    /// The key is listed for the approver, but another party put it there (or a commit
    /// strategi did not make, or none).
    #[error(
        "The key {fingerprint} is listed for {approver}, but {approver} did not add it: {origin}"
    )]
    ForeignKey {
        /// The key's fingerprint.
        fingerprint: String,
        /// The case's approver.
        approver: PartyCode,
        /// Where the key came from (the commit, its author, the acting party).
        origin: String,
    },
    /// A key added to a party by someone acting as another party.
    #[error("Only {party} adds signing keys to {party}; you act as {by}.")]
    KeyOfAnotherParty {
        /// The party whose keys would change.
        party: PartyCode,
        /// Who tried.
        by: PartyCode,
    },
    /// The signed tag of the approval exists already, but no approval is recorded.
    #[error("The tag \"{tag}\" already exists, but no approval of {version} is recorded.")]
    StrayTag {
        /// The tag.
        tag: String,
        /// The version.
        version: VersionName,
    },
    /// A hand-in to someone who is not a party of the case.
    #[error("\"{to}\" is not a party of this case.")]
    UnknownParty {
        /// The party named.
        to: PartyCode,
        /// The case's approver (the usual recipient).
        approver: PartyCode,
    },
    /// A party hands a version to itself.
    #[error("{to} cannot hand a version to itself.")]
    ToItself {
        /// The party.
        to: PartyCode,
        /// The case's approver.
        approver: PartyCode,
        /// The case's owner (the drafter).
        owner: PartyCode,
    },
    /// A milestone that does not exist.
    #[error("There is no milestone \"{milestone}\".")]
    UnknownMilestone {
        /// The milestone named.
        milestone: MilestoneId,
    },
    /// A milestone that is done already.
    #[error("Milestone \"{milestone}\" was already marked done on {done}.")]
    MilestoneDone {
        /// The milestone.
        milestone: MilestoneId,
        /// When it was marked done.
        done: Date,
    },
    /// Someone other than the case's approver signs or withdraws an approval.
    #[error(
        "Only the case's approver, {approver} ({approver_name}), may {} an approval; you act as {by}.",
        .act.verb()
    )]
    NotApproverOf {
        /// Who tried.
        by: PartyCode,
        /// The case's approver.
        approver: PartyCode,
        /// The approver's name.
        approver_name: String,
        /// The version concerned.
        version: VersionName,
        /// What was tried.
        act: LaterAct,
    },
    /// There is no approval in force of the version to sign or withdraw.
    #[error("{version} has no approval in force to {}.", .act.verb())]
    NotApproved {
        /// The version.
        version: VersionName,
        /// What was tried.
        act: LaterAct,
    },
    /// The approval is signed already.
    #[error("The approval of {version} is already signed (tag {tag}).")]
    AlreadySigned {
        /// The version.
        version: VersionName,
        /// Its signed tag.
        tag: String,
    },
    /// A withdrawal without a reason.
    #[error("Withdrawing the approval of {version} needs a reason (recorded).")]
    WithdrawalReasonMissing {
        /// The version.
        version: VersionName,
    },
    /// `--reason` given when signing an existing approval later.
    #[error(
        "{version} is already approved; signing the approval later records no reason (--reason is for approving while consultation is outstanding)."
    )]
    ReasonWhenSigning {
        /// The version.
        version: VersionName,
    },
}

/// What is done later to an approval that exists: signing it, withdrawing it. Each is a
/// new record; the approval's file is never edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaterAct {
    /// Signing an unsigned approval (`signatures/`).
    Sign,
    /// Withdrawing an approval (`withdrawals/`).
    Withdraw,
}

impl LaterAct {
    /// The verb: `sign`, `withdraw`.
    pub fn verb(self) -> &'static str {
        match self {
            LaterAct::Sign => "sign",
            LaterAct::Withdraw => "withdraw",
        }
    }

    /// The command that does it, for `version`.
    fn command(self, approver: &PartyCode, version: VersionName) -> String {
        match self {
            LaterAct::Sign => format!("strategi --as {approver} approve {version} --sign KEY"),
            LaterAct::Withdraw => {
                format!("strategi --as {approver} approve {version} --withdraw \"REASON\"")
            }
        }
    }
}

impl Refusal {
    /// What the person can do instead: the next command to run.
    pub fn hint(&self) -> String {
        match self {
            Refusal::NotApprover {
                approver, version, ..
            } => format!(
                "If you approve for {approver}, act as it: `strategi --as {approver} approve {version}` (or set STRATEGI_AS={approver})."
            ),
            Refusal::AlreadyApproved { version, .. } => format!(
                "A version is approved once; cut a new version for a changed text. An unsigned approval is signed with `strategi approve {version} --sign KEY`; an approval is taken back with `strategi approve {version} --withdraw \"REASON\"`."
            ),
            Refusal::OpenRounds { .. } => "Close the round with `strategi round close ROUND` once the answers are in, or approve anyway with --reason \"...\" (recorded).".into(),
            Refusal::UndecidedComments { .. } => "Answer each with `strategi comment resolve C --decision ...`, or approve anyway with --reason \"...\" (recorded).".into(),
            Refusal::EarlierUndecidedComments { .. } => "Answer each with `strategi comment resolve C --decision ...` (a comment the new version settles can be decided `accepted` or `rejected` with a note), or approve anyway with --reason \"...\" (recorded).".into(),
            Refusal::SignatureRequired { approver, .. } => format!(
                "Sign with --sign KEY, a private key whose public half is listed for {approver} (`strategi --as {approver} party key {approver} --add-file KEY.pub`)."
            ),
            Refusal::KeyNotListed { approver, .. } => format!(
                "Sign with one of {approver}'s own keys, or have {approver} add this one first: `strategi --as {approver} party key {approver} --add-file KEY.pub`."
            ),
            Refusal::ForeignKey { approver, .. } => format!(
                "A signing key is {approver}'s only when {approver} adds it: `strategi --as {approver} party key {approver} --add-file KEY.pub`. Find out who added this one (`git log -p -- strategi.toml`), and sign with one of {approver}'s own keys."
            ),
            Refusal::KeyOfAnotherParty { party, .. } => format!(
                "A party's keys are its own: if you add the key for {party}, act as it: `strategi --as {party} party key {party} --add-file KEY.pub`."
            ),
            Refusal::StrayTag { tag, .. } => format!(
                "Look at it with `git show {tag}`; remove it with `git tag -d {tag}` if it is stray."
            ),
            Refusal::UnknownParty { approver, .. } => format!(
                "The approver is {approver}; see the parties with `strategi party list`."
            ),
            Refusal::ToItself {
                approver, owner, ..
            } => format!(
                "Hand it to the approver with --to {approver}, or act as the drafter with --as {owner}."
            ),
            Refusal::UnknownMilestone { .. } => {
                "See the milestones with `strategi milestone list`.".into()
            }
            Refusal::MilestoneDone { .. } => {
                "Submit without --milestone to record a later hand-in.".into()
            }
            Refusal::NotApproverOf {
                approver,
                version,
                act,
                ..
            } => format!(
                "If you act for {approver}, act as it: `{}` (or set STRATEGI_AS={approver}).",
                act.command(approver, *version)
            ),
            Refusal::NotApproved { version, act } => match act {
                LaterAct::Sign => format!(
                    "Approve it signed with `strategi approve {version} --sign KEY`; `strategi status` shows what is approved."
                ),
                LaterAct::Withdraw => format!(
                    "Only an approval in force can be withdrawn; `strategi status` shows what is approved (an approval of {version} may have been withdrawn already)."
                ),
            },
            Refusal::AlreadySigned { version, .. } => format!(
                "A signed approval stays as it is; to take it back, withdraw it: `strategi approve {version} --withdraw \"REASON\"`."
            ),
            Refusal::WithdrawalReasonMissing { version } => format!(
                "Say why: `strategi approve {version} --withdraw \"REASON\"`."
            ),
            Refusal::ReasonWhenSigning { .. } => {
                "Leave out --reason; --note records a note with the signature.".into()
            }
        }
    }

    /// What stands in the way, in detail, when there is more than the message says:
    /// the parties still to answer, the undecided comments.
    pub fn cause(&self) -> Option<String> {
        match self {
            Refusal::OpenRounds { waiting, .. } => {
                Some(format!("Waiting for: {}", waiting.join("; ")))
            }
            Refusal::EarlierUndecidedComments { undecided, .. } => Some(format!(
                "Undecided: {}",
                undecided
                    .iter()
                    .map(|(v, c)| format!("{c} (on {v})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            Refusal::UndecidedComments { undecided, .. } => Some(format!(
                "Undecided: {}",
                undecided
                    .iter()
                    .map(RecordId::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            _ => None,
        }
    }

    /// The refusal said about a stored record that breaks the rule (a finding of the
    /// fold): what is wrong with the record.
    pub fn as_finding(&self) -> String {
        match self {
            Refusal::NotApprover { by, approver, .. } => format!(
                "The approval is by {by}, but only the case's approver, {approver}, may approve."
            ),
            Refusal::AlreadyApproved { version, path, .. } => {
                format!("{version} is approved a second time (first in {path}).")
            }
            Refusal::OpenRounds {
                version, waiting, ..
            } => format!(
                "{version} was approved while a round on it was open and not everyone had answered ({}), and the approval gives no reason.",
                waiting.join("; ")
            ),
            Refusal::UndecidedComments { version, undecided } => format!(
                "{version} was approved while {} comment(s) on it had no decision, and the approval gives no reason.",
                undecided.len()
            ),
            Refusal::SignatureRequired { version, .. } => format!(
                "The approval of {version} is not signed, but the case requires signed approvals."
            ),
            Refusal::UnknownParty { to, .. } => {
                format!("The submission names {to}, which is not a party of the case.")
            }
            Refusal::ToItself { to, .. } => {
                format!(
                    "The submission is by {to} to {to}: a party cannot hand a version to itself."
                )
            }
            Refusal::NotApproverOf {
                by, approver, act, ..
            } => format!(
                "The record would {} an approval, but it is by {by}, and only the case's approver, {approver}, may.",
                act.verb()
            ),
            Refusal::NotApproved { version, act } => format!(
                "The record would {} an approval of {version} that is not in force at its time (missing, ignored, withdrawn, of another version, or dated later).",
                act.verb()
            ),
            Refusal::AlreadySigned { version, tag } => format!(
                "The record signs the approval of {version} again, but it was already signed (tag {tag})."
            ),
            Refusal::WithdrawalReasonMissing { version } => {
                format!("The withdrawal of the approval of {version} gives no reason.")
            }
            other => other.to_string(),
        }
    }

    /// What to do about a stored record that breaks the rule.
    pub fn finding_hint(&self) -> String {
        match self {
            Refusal::NotApprover {
                approver, version, ..
            } => format!(
                "Remove the record with a commit that says why; {approver} approves with `strategi --as {approver} approve {version}`."
            ),
            Refusal::AlreadyApproved { .. } => {
                "A version is approved once; remove the later record with a commit that says why.".into()
            }
            Refusal::SignatureRequired { approver, .. } => {
                format!("{approver} approves again with --sign KEY after this record is removed.")
            }
            Refusal::UnknownParty { .. } | Refusal::ToItself { .. } => "Add the party with `strategi party add`, or remove the record with a commit that says why.".into(),
            Refusal::NotApproverOf {
                approver,
                version,
                act,
                ..
            } => format!(
                "The record was ignored. Remove it with a commit that says why; only the approver acts on its approvals: `{}`.",
                act.command(approver, *version)
            ),
            Refusal::NotApproved { .. }
            | Refusal::AlreadySigned { .. }
            | Refusal::WithdrawalReasonMissing { .. } => {
                "The record was ignored. Remove it with a commit that says why, and act again with strategi if it was meant.".into()
            }
            Refusal::OpenRounds { .. } | Refusal::UndecidedComments { .. } => "The approval was ignored. Remove it with a commit that says why; the approver approves again once the consultation is settled, or with --reason \"...\".".into(),
            other => other.hint(),
        }
    }
}

/// Whether `by` may approve `version`: only the case's approver may.
pub fn may_approve(config: &Config, by: &PartyCode, version: VersionName) -> Result<(), Refusal> {
    let approver = &config.case.approver;
    if by == approver {
        Ok(())
    } else {
        Err(Refusal::NotApprover {
            by: by.clone(),
            approver: approver.clone(),
            approver_name: config.party_name(approver),
            version,
        })
    }
}

/// Whether `version` may be approved given the approvals that count already (with their
/// files): a version is approved once.
pub fn once_per_version<'a>(
    approved: impl IntoIterator<Item = (&'a str, &'a ApprovalRecord)>,
    version: VersionName,
) -> Result<(), Refusal> {
    match approved.into_iter().find(|(_, a)| a.version == version) {
        None => Ok(()),
        Some((path, earlier)) => Err(Refusal::AlreadyApproved {
            version,
            by: earlier.by.clone(),
            on: earlier.at.to_zoned_datetime(crate::calendar::oslo()).date(),
            path: path.to_string(),
        }),
    }
}

/// What stands in the way of approving a version: open rounds on it with the parties
/// that have not answered, and comments on it without a decision.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outstanding {
    /// `round id: PARTY, PARTY` for each open round on the version with unanswered
    /// parties.
    pub open_rounds: Vec<String>,
    /// Comments on rounds of the version without a decision.
    pub undecided: Vec<RecordId>,
    /// Comments on rounds of earlier versions without a decision, with the version each
    /// round was on: what was said about v1 is still unanswered when v2 is approved.
    pub earlier_undecided: Vec<(VersionName, RecordId)>,
}

impl Outstanding {
    /// Whether nothing is outstanding.
    pub fn is_empty(&self) -> bool {
        self.open_rounds.is_empty()
            && self.undecided.is_empty()
            && self.earlier_undecided.is_empty()
    }
}

/// Whether `version` may be approved with this much outstanding: only when nothing is,
/// or a reason is given (and recorded).
pub fn consultation_settled(
    version: VersionName,
    outstanding: &Outstanding,
    reason: Option<&str>,
) -> Result<(), Refusal> {
    if reason.is_some_and(|r| !r.trim().is_empty()) {
        return Ok(());
    }
    if !outstanding.open_rounds.is_empty() {
        return Err(Refusal::OpenRounds {
            version,
            waiting: outstanding.open_rounds.clone(),
        });
    }
    if !outstanding.undecided.is_empty() {
        return Err(Refusal::UndecidedComments {
            version,
            undecided: outstanding.undecided.clone(),
        });
    }
    if !outstanding.earlier_undecided.is_empty() {
        return Err(Refusal::EarlierUndecidedComments {
            version,
            undecided: outstanding.earlier_undecided.clone(),
        });
    }
    Ok(())
}

/// How an approval is signed, as far as the signature policy is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signing {
    /// Not signed (allowed: the case does not require signatures).
    Unsigned,
    /// Signed with one of the approver's own keys.
    ByApprover,
}

/// The signature policy: with `[approval] require_signature = true`, an approval must be
/// signed (`key` is the signing key, if any). A signed approval is signed with one of
/// `approver_keys` (the approver's own keys, [`super::KeyProvenance::own_keys`]): a key
/// in `foreign` (listed for the approver but added by another party) or not listed at
/// all is refused, whether or not signatures are required.
pub fn signature(
    config: &Config,
    version: VersionName,
    key: Option<&PublicKey>,
    approver_keys: &[PublicKey],
    foreign: &[&ForeignKey],
) -> Result<Signing, Refusal> {
    let required = config.approval.require_signature;
    let approver = &config.case.approver;
    match key {
        None if required => Err(Refusal::SignatureRequired {
            approver: approver.clone(),
            version,
        }),
        None => Ok(Signing::Unsigned),
        Some(k) => {
            if let Some(f) = foreign.iter().find(|f| &f.key == k) {
                return Err(Refusal::ForeignKey {
                    fingerprint: f.fingerprint.clone(),
                    approver: approver.clone(),
                    origin: f.describe(),
                });
            }
            if approver_keys.contains(k) {
                Ok(Signing::ByApprover)
            } else {
                Err(Refusal::KeyNotListed {
                    fingerprint: k.fingerprint(),
                    approver: approver.clone(),
                })
            }
        }
    }
}

/// Whether `by` may add a signing key to `party`: only the party itself may, acting
/// as it.
pub fn may_add_key(by: &PartyCode, party: &PartyCode) -> Result<(), Refusal> {
    if by == party {
        Ok(())
    } else {
        Err(Refusal::KeyOfAnotherParty {
            party: party.clone(),
            by: by.clone(),
        })
    }
}

/// Whether `by` may hand a version to `to`, completing `milestone` if given:
/// [`may_hand_to`]; the milestone exists and is not done yet.
pub fn may_submit(
    config: &Config,
    by: &PartyCode,
    to: &PartyCode,
    milestone: Option<&MilestoneId>,
) -> Result<(), Refusal> {
    may_hand_to(config, by, to)?;
    if let Some(id) = milestone {
        let Some(m) = config.milestone(id) else {
            return Err(Refusal::UnknownMilestone {
                milestone: id.clone(),
            });
        };
        if let Some(done) = m.done {
            return Err(Refusal::MilestoneDone {
                milestone: id.clone(),
                done,
            });
        }
    }
    Ok(())
}

/// Whether `by` may hand a version to `to`: `to` is a party of the case other than
/// `by`. (The part of [`may_submit`] that a stored submission must still satisfy.)
pub fn may_hand_to(config: &Config, by: &PartyCode, to: &PartyCode) -> Result<(), Refusal> {
    if !config.knows_party(to) {
        return Err(Refusal::UnknownParty {
            to: to.clone(),
            approver: config.case.approver.clone(),
        });
    }
    if to == by {
        return Err(Refusal::ToItself {
            to: to.clone(),
            approver: config.case.approver.clone(),
            owner: config.case.owner.clone(),
        });
    }
    Ok(())
}

/// Whether a stored approval counts when folded, given the approvals that count
/// already and what was outstanding on its version when it was made:
/// [`may_approve`], [`once_per_version`], [`consultation_settled`] (with the record's
/// reason), and, where the case requires signatures, that it names a signed tag
/// (whether the tag's signature holds is for `strategi verify` to check against the
/// repository).
pub fn approval_counts<'a>(
    config: &Config,
    record: &ApprovalRecord,
    approved: impl IntoIterator<Item = (&'a str, &'a ApprovalRecord)>,
    outstanding: &Outstanding,
) -> Result<(), Refusal> {
    may_approve(config, &record.by, record.version)?;
    once_per_version(approved, record.version)?;
    consultation_settled(record.version, outstanding, record.reason.as_deref())?;
    if config.approval.require_signature && record.signed_tag.is_none() {
        return Err(Refusal::SignatureRequired {
            approver: config.case.approver.clone(),
            version: record.version,
        });
    }
    Ok(())
}

/// Whether `by` may sign or withdraw an approval of `version`: only the case's
/// approver may.
pub fn may_act_on_approval(
    config: &Config,
    by: &PartyCode,
    version: VersionName,
    act: LaterAct,
) -> Result<(), Refusal> {
    let approver = &config.case.approver;
    if by == approver {
        Ok(())
    } else {
        Err(Refusal::NotApproverOf {
            by: by.clone(),
            approver: approver.clone(),
            approver_name: config.party_name(approver),
            version,
            act,
        })
    }
}

/// The approval in force (among `in_force`, with their files) that a later act on
/// `version` names: `approval`, when given (a stored record names it), else the one of
/// `version`. None in force is [`Refusal::NotApproved`].
pub fn approval_in_force<'a>(
    in_force: impl IntoIterator<Item = (&'a str, &'a ApprovalRecord)>,
    version: VersionName,
    approval: Option<&RecordId>,
    act: LaterAct,
) -> Result<(&'a str, &'a ApprovalRecord), Refusal> {
    in_force
        .into_iter()
        .find(|(_, a)| a.version == version && approval.is_none_or(|id| &a.id == id))
        .ok_or(Refusal::NotApproved { version, act })
}

/// Whether `approval` may be signed later: only while it is unsigned.
pub fn may_sign_later(approval: &ApprovalRecord) -> Result<(), Refusal> {
    match &approval.signed_tag {
        None => Ok(()),
        Some(tag) => Err(Refusal::AlreadySigned {
            version: approval.version,
            tag: tag.clone(),
        }),
    }
}

/// A withdrawal says why.
pub fn withdrawal_reason(version: VersionName, reason: &str) -> Result<(), Refusal> {
    if reason.trim().is_empty() {
        Err(Refusal::WithdrawalReasonMissing { version })
    } else {
        Ok(())
    }
}

/// Whether something happened at or before `as_of` (always, without `as_of`).
pub(super) fn at_or_before(at: Timestamp, as_of: Option<Timestamp>) -> bool {
    as_of.is_none_or(|t| at <= t)
}
