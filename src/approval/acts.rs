//! The acts: one function per thing a person does, as git-bug's `bug.Close(b, author,
//! unixTime, …)`. Each takes the open transaction, the actor and the time, checks the
//! [`super::rules`], builds the record (with an id from the transaction), writes it,
//! and commits once with its [`Action`]; the command only gathers arguments and renders
//! the typed outcome. A refusal changes nothing.

use jiff::ZonedDateTime as Zoned;
use jiff::civil::Date;

use crate::calendar::{CalendarError, calendar_days_between, work_calendar};
use crate::consultation::load_rounds;
use crate::model::{Action, Config, MilestoneId, Party, PartyCode, RecordKind, Version};
use crate::sign::{PrivateKey, PublicKey, SignError};
use crate::store::{
    Actor, CommitInfo, MilestoneDone, PartyKey, SettingFact, SettingRecord, SignedTagError,
    StoreError, Transaction,
};

use super::rules::{self, Refusal, Signing};
use super::{
    APPROVALS_DIR, ApprovalRecord, LaterActs, SignatureRecord, SubmissionRecord, approval_path,
    approved_tag_name_after, fold_approvals, key_provenance, load_each, outstanding,
    round_comments, submission_path,
};

/// What can stop a submission or an approval.
#[derive(Debug, thiserror::Error)]
pub enum ApprovalError {
    /// A rule says no.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// Reading or writing the workspace failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A key in the configuration cannot be read.
    #[error(transparent)]
    Key(#[from] SignError),
    /// The signed tag could not be made.
    #[error(transparent)]
    Tag(#[from] SignedTagError),
    /// A milestone's deadline cannot be moved off closed days.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

/// Whether a signing key comes or goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyChange {
    /// The key is added to the party's keys.
    Add,
    /// The key is removed from the party's keys.
    Remove,
}

/// `strategi party key`: `key` added to or removed from `party`'s signing keys, as a
/// write-once settings record in one commit. Keys belong to their party
/// ([`rules::may_add_key`]): only the party itself changes them, acting as it.
pub fn change_key(
    mut tx: Transaction<'_>,
    actor: &Actor,
    now: &Zoned,
    party: &Party,
    key: &PublicKey,
    change: KeyChange,
) -> Result<(SettingRecord, CommitInfo), ApprovalError> {
    rules::may_add_key(&actor.party, &party.code)?;
    let line = key.to_string();
    let fact = PartyKey {
        party: party.code.clone(),
        key: line.clone(),
    };
    let (fact, summary) = match change {
        KeyChange::Add => (
            SettingFact::KeyAdd(fact),
            format!("Add signing key {} for {}", key.fingerprint(), party.code),
        ),
        KeyChange::Remove => (
            SettingFact::KeyRemove(fact),
            format!(
                "Remove signing key {} from {}",
                key.fingerprint(),
                party.code
            ),
        ),
    };
    let record = tx.write_setting(&actor.party, now.timestamp(), fact)?;
    let body = format!("{} ({}): {line}", party.name, party.code);
    let commit = tx.commit(&summary, &body, Action::PartyKey, actor, now)?;
    Ok((record, commit))
}

/// A hand-in, as asked.
#[derive(Debug, Clone)]
pub struct SubmissionRequest<'a> {
    /// The version handed in.
    pub version: &'a Version,
    /// To whom.
    pub to: PartyCode,
    /// A note (one line), if any.
    pub note: Option<String>,
    /// The milestone the hand-in completes (marked done today), if any.
    pub milestone: Option<MilestoneId>,
}

/// How a hand-in stands against the milestone it completes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timing {
    /// The milestone.
    pub milestone: MilestoneId,
    /// Its deadline, moved off weekends and holidays.
    pub due: Date,
    /// Calendar days from the hand-in to the deadline: positive is early, 0 the
    /// deadline day, negative late.
    pub days_before: i64,
}

/// A hand-in made.
#[derive(Debug, Clone)]
pub struct Submitted {
    /// The record written.
    pub record: SubmissionRecord,
    /// The commit that recorded it.
    pub commit: CommitInfo,
    /// Against the milestone, when one was completed.
    pub timing: Option<Timing>,
}

/// `strategi submit`: `actor` hands a version to a party ([`rules::may_submit`]); with a
/// milestone, that milestone is marked done in `strategi.toml` in the same commit and
/// the record says whether the hand-in was on time against its deadline as moved off
/// weekends and holidays (domstolloven § 149).
pub fn submit(
    mut tx: Transaction<'_>,
    actor: &Actor,
    now: &Zoned,
    config: &Config,
    req: SubmissionRequest<'_>,
) -> Result<Submitted, ApprovalError> {
    tx.workspace().check_published(req.version.name)?;
    rules::may_submit(config, &actor.party, &req.to, req.milestone.as_ref())?;
    let today = now.date();
    let mut timing = None;
    if let Some(m) = req.milestone.as_ref().and_then(|id| config.milestone(id)) {
        let due = work_calendar(config).adjust_deadline(m.due)?.date;
        timing = Some(Timing {
            milestone: m.id.clone(),
            due,
            days_before: calendar_days_between(today, due),
        });
        // A milestone that another hand-in already completed keeps its day.
        if m.done.is_none() {
            tx.write_setting(
                &actor.party,
                now.timestamp(),
                SettingFact::MilestoneDone(MilestoneDone {
                    id: m.id.clone(),
                    on: today,
                }),
            )?;
        }
    }
    let version = req.version;
    let record = SubmissionRecord {
        id: tx.new_id(RecordKind::Submission),
        version: version.name,
        commit: version.commit.clone(),
        tree: version.tree.clone(),
        to: req.to,
        by: actor.party.clone(),
        at: now.timestamp(),
        clock: Some(tx.clock()?),
        note: req.note,
        milestone: req.milestone,
        on_time: timing.as_ref().map(|t| t.days_before >= 0),
    };
    tx.write_record(&submission_path(&record), &record)?;
    let mut body = format!(
        "\"{}\", commit {}, tree {}.",
        version.label, version.commit, version.tree
    );
    if let Some(m) = &record.milestone {
        body.push_str(&format!(
            "\nCompletes milestone {m} ({}).",
            if record.on_time == Some(true) {
                "on time"
            } else {
                "late"
            }
        ));
    }
    let commit = tx.commit(
        &format!("Submit {} to {}", version.name, record.to),
        &body,
        Action::Submit,
        actor,
        now,
    )?;
    Ok(Submitted {
        record,
        commit,
        timing,
    })
}

/// An approval, as asked.
#[derive(Debug, Clone, Copy)]
pub struct ApprovalRequest<'a> {
    /// The version approved.
    pub version: &'a Version,
    /// The key to sign with, if any (read by the caller; never stored).
    pub key: Option<&'a PrivateKey>,
    /// A note (one line), if any.
    pub note: Option<&'a str>,
    /// Why the version is approved although consultation on it is outstanding.
    pub reason: Option<&'a str>,
}

/// An approval made.
#[derive(Debug, Clone)]
pub struct Approved {
    /// The record written.
    pub record: ApprovalRecord,
    /// The commit that recorded it.
    pub commit: CommitInfo,
    /// How it was signed.
    pub signing: Signing,
    /// The fingerprints (`SHA256:…`) of the approver's own signing keys, to confirm out
    /// of band.
    pub approver_keys: Vec<String>,
    /// When the version was approved unsigned already and this signed that approval
    /// later: the signature record written (`record` is then the approval as it now
    /// counts, with the tag and key).
    pub signed_later: Option<SignatureRecord>,
}

/// The message of the signed tag `approved/vN` of an approval of `version` at `commit`
/// and `tree` (the ones the approval names).
pub(super) fn approval_tag_message(
    config: &Config,
    actor: &Actor,
    now: &Zoned,
    version: &Version,
    commit: &str,
    tree: &str,
) -> String {
    let approver = &config.case.approver;
    format!(
        "Approved {}: {}\n\nVersion: {}\nLabel: {}\nCommit: {}\nTree: {}\nApprover: {} ({})\nApproved-By: {} <{}>\nDate: {}\n",
        version.name,
        version.label,
        version.name,
        version.label,
        commit,
        tree,
        approver,
        config.party_name(approver),
        actor.name,
        actor.email,
        now.date(),
    )
}

/// `strategi approve`: the approver approves a version, bound to its commit and
/// `strategy/` tree. The rules: [`rules::may_approve`], [`rules::once_per_version`]
/// (against the approvals that count, [`fold_approvals`]),
/// [`rules::consultation_settled`] (as of `now`) and [`rules::signature`] (with the
/// approver's own keys by history, [`key_provenance`]). With a key,
/// the annotated tag `approved/vN` is made on the version's commit, SSH-signed as
/// `git tag -s` does; it is made before the commit and removed again if the commit
/// fails, so a refusal or failure changes nothing.
pub fn approve(
    mut tx: Transaction<'_>,
    actor: &Actor,
    now: &Zoned,
    config: &Config,
    req: ApprovalRequest<'_>,
) -> Result<Approved, ApprovalError> {
    let ws = tx.workspace();
    let version = req.version;
    ws.check_published(version.name)?;
    rules::may_approve(config, &actor.party, version.name)?;
    let records = ws.records()?;
    let mut rounds = Vec::new();
    // Rounds on earlier versions too: their undecided comments stand in the way as well.
    for r in load_rounds(ws, config, now.date(), &work_calendar(config))? {
        if r.def.version <= version.name {
            let comments = round_comments(&records, &r, config)?;
            rounds.push((r, comments));
        }
    }
    let consulted: Vec<_> = rounds.iter().map(|(r, c)| (r, c)).collect();
    let approvals = fold_approvals(
        load_each(ws, APPROVALS_DIR)?,
        LaterActs::load(ws)?,
        config,
        &consulted,
    );
    // Approved unsigned already: `--sign` signs that approval (a new record).
    if let Some(k) = req.key
        && let Some((_, existing)) = approvals
            .approvals
            .iter()
            .find(|(_, a)| a.version == version.name && a.signed_tag.is_none())
    {
        if req.reason.is_some() {
            return Err(Refusal::ReasonWhenSigning {
                version: version.name,
            }
            .into());
        }
        let existing = existing.clone();
        return super::later::sign_later(
            tx,
            actor,
            now,
            config,
            super::later::SignLater {
                fold: &approvals,
                version,
                existing: &existing,
                key: k,
                note: req.note,
            },
        );
    }
    rules::once_per_version(
        approvals.approvals.iter().map(|(p, a)| (p.as_str(), a)),
        version.name,
    )?;
    rules::consultation_settled(
        version.name,
        &outstanding(&consulted, version.name, None),
        req.reason,
    )?;
    let approver = &config.case.approver;
    // Keys belong to their party: only the keys history shows the approver added
    // count.
    let provenance = key_provenance(config, &ws.key_history()?)?;
    let approver_keys = provenance.own_keys(config, approver)?;
    let signing = rules::signature(
        config,
        version.name,
        req.key.map(PrivateKey::public_key).as_ref(),
        &approver_keys,
        &provenance.foreign_of(approver).collect::<Vec<_>>(),
    )?;
    let tag_name = approved_tag_name_after(version.name, approvals.withdrawn_of(version.name));
    // A signed tag an approval killed before its record left is undone first (with a
    // note), so the version can be approved now.
    if ws.tag_exists(&tag_name)? {
        let orphans = super::verify::orphan_approval_tags(ws)?;
        let this: Vec<_> = orphans
            .into_iter()
            .filter(|(t, _)| *t == tag_name)
            .collect();
        tx.undo_orphan_tags(&this)?;
    }
    if req.key.is_some() && ws.tag_exists(&tag_name)? {
        return Err(Refusal::StrayTag {
            tag: tag_name,
            version: version.name,
        }
        .into());
    }
    let mut record = ApprovalRecord {
        id: tx.new_id(RecordKind::Approval),
        version: version.name,
        commit: version.commit.clone(),
        tree: version.tree.clone(),
        by: actor.party.clone(),
        at: now.timestamp(),
        clock: Some(tx.clock()?),
        note: req.note.map(str::to_string),
        reason: req.reason.map(str::to_string),
        signed_tag: None,
        key_fingerprint: None,
    };
    // Queued before the tag is made, so that a record that cannot be written stops
    // the act before anything exists outside the transaction.
    tx.write_record(&approval_path(&record), &record)?;
    let mut made_tag = None;
    if let Some(k) = req.key {
        let message =
            approval_tag_message(config, actor, now, version, &version.commit, &version.tree);
        let tag = ws.create_signed_tag_at(&tag_name, &version.commit, &message, actor, now, k)?;
        record.signed_tag = Some(tag_name.clone());
        record.key_fingerprint = Some(k.fingerprint());
        made_tag = Some(tag.id);
    }
    // Queued again when signed: the record now names the tag and the key.
    if made_tag.is_some() {
        tx.write_record(&approval_path(&record), &record)?;
    }
    let mut body = format!(
        "\"{}\", commit {}, tree {}.",
        version.label, version.commit, version.tree
    );
    if let (Some(t), Some(f)) = (&record.signed_tag, &record.key_fingerprint) {
        body.push_str(&format!("\nSigned tag {t} by key {f}."));
    }
    if let Some(r) = &record.reason {
        body.push_str(&format!(
            "\nApproved although consultation is outstanding: {r}"
        ));
    }
    match tx.commit(
        &format!("Approve {}: {}", version.name, version.label),
        &body,
        Action::Approve,
        actor,
        now,
    ) {
        Ok(commit) => Ok(Approved {
            record,
            commit,
            signing,
            approver_keys: approver_keys.iter().map(PublicKey::fingerprint).collect(),
            signed_later: None,
        }),
        Err(e) => {
            if let Some(id) = &made_tag {
                // Best effort: the commit's error is the one to report.
                let _ = ws.remove_tag_if(&tag_name, id);
            }
            Err(e.into())
        }
    }
}
