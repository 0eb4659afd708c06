//! The acts on an approval that exists: signing an unsigned one later, withdrawing
//! one. Each writes a new record (`signatures/`, `withdrawals/`); the approval's file
//! is never edited (records are written once). The rules are [`super::rules`]'s, the
//! same ones [`super::fold_approvals`] applies to stored records.

use jiff::ZonedDateTime as Zoned;

use crate::calendar::work_calendar;
use crate::consultation::load_rounds;
use crate::model::{Action, Config, RecordKind, Version};
use crate::sign::{PrivateKey, PublicKey};
use crate::store::{Actor, CommitInfo, Transaction, Workspace};

use super::acts::{ApprovalError, Approved, approval_tag_message};
use super::rules::{self, LaterAct, Refusal};
use super::{
    ApprovalFold, ApprovalRecord, SignatureRecord, WithdrawalRecord, approved_tag_name_after,
    key_provenance, load_approval_fold, round_comments, signature_path, withdrawal_path,
};

/// The approval fold as of now, with every round (and its comments) for the
/// consultation rule.
pub(super) fn fold_now(
    ws: &Workspace,
    config: &Config,
    now: &Zoned,
    upto: Option<crate::model::VersionName>,
) -> Result<ApprovalFold, ApprovalError> {
    let records = ws.records()?;
    let mut rounds = Vec::new();
    for r in load_rounds(ws, config, now.date(), &work_calendar(config))? {
        if upto.is_none_or(|v| r.def.version <= v) {
            let comments = round_comments(&records, &r, config)?;
            rounds.push((r, comments));
        }
    }
    let consulted: Vec<_> = rounds.iter().map(|(r, c)| (r, c)).collect();
    Ok(load_approval_fold(ws, config, &consulted)?)
}

/// What [`sign_later`] signs, and with what.
pub(super) struct SignLater<'a> {
    /// The approvals folded as of now.
    pub fold: &'a ApprovalFold,
    /// The version.
    pub version: &'a Version,
    /// Its approval in force, unsigned.
    pub existing: &'a ApprovalRecord,
    /// The key.
    pub key: &'a PrivateKey,
    /// A note, if any.
    pub note: Option<&'a str>,
}

/// `approve V --sign KEY` when V is approved unsigned: the approver signs the existing
/// approval (`existing`, at `path`) with one of its own keys, by the same signature
/// rules as `approve --sign` ([`rules::signature`]). Writes a [`SignatureRecord`] and
/// makes the signed tag on the approved commit; from then on the approval counts as
/// signed. The tag is made before the commit and removed again if the commit fails.
pub(super) fn sign_later(
    mut tx: Transaction<'_>,
    actor: &Actor,
    now: &Zoned,
    config: &Config,
    req: SignLater<'_>,
) -> Result<Approved, ApprovalError> {
    let SignLater {
        fold,
        version,
        existing,
        key,
        note,
    } = req;
    let ws = tx.workspace();
    rules::may_act_on_approval(config, &actor.party, version.name, LaterAct::Sign)?;
    rules::may_sign_later(existing)?;
    let approver = &config.case.approver;
    let provenance = key_provenance(config, &ws.key_history()?)?;
    let approver_keys = provenance.own_keys(config, approver)?;
    let public = key.public_key();
    let signing = rules::signature(
        config,
        version.name,
        Some(&public),
        &approver_keys,
        &provenance.foreign_of(approver).collect::<Vec<_>>(),
    )?;
    let tag_name = approved_tag_name_after(version.name, fold.withdrawn_of(version.name));
    if ws.tag_exists(&tag_name)? {
        return Err(Refusal::StrayTag {
            tag: tag_name,
            version: version.name,
        }
        .into());
    }
    let record = SignatureRecord {
        id: tx.new_id(RecordKind::Signature),
        approval: existing.id.clone(),
        version: existing.version,
        commit: existing.commit.clone(),
        tree: existing.tree.clone(),
        by: actor.party.clone(),
        at: now.timestamp(),
        clock: Some(tx.clock()?),
        signed_tag: tag_name.clone(),
        key_fingerprint: key.fingerprint(),
        note: note.map(str::to_string),
    };
    // Queued before the tag is made, so that a record that cannot be written stops the
    // act before anything exists outside the transaction.
    tx.write_record(&signature_path(&record), &record)?;
    let message = approval_tag_message(
        config,
        actor,
        now,
        version,
        &existing.commit,
        &existing.tree,
    );
    let tag = ws.create_signed_tag_at(&tag_name, &existing.commit, &message, actor, now, key)?;
    let body = format!(
        "Approval {} of {} (approved {}), commit {}, tree {}.\nSigned tag {tag_name} by key {}.",
        existing.id,
        version.name,
        existing.at,
        existing.commit,
        existing.tree,
        record.key_fingerprint
    );
    match tx.commit(
        &format!("Sign the approval of {}: {}", version.name, version.label),
        &body,
        Action::ApproveSign,
        actor,
        now,
    ) {
        Ok(commit) => {
            let mut approval = existing.clone();
            approval.signed_tag = Some(tag_name);
            approval.key_fingerprint = Some(record.key_fingerprint.clone());
            Ok(Approved {
                record: approval,
                commit,
                signing,
                approver_keys: approver_keys.iter().map(PublicKey::fingerprint).collect(),
                signed_later: Some(record),
            })
        }
        Err(e) => {
            // Best effort: the commit's error is the one to report.
            let _ = ws.remove_tag_if(&tag_name, &tag.id);
            Err(e.into())
        }
    }
}

/// A withdrawal, as asked.
#[derive(Debug, Clone, Copy)]
pub struct WithdrawalRequest<'a> {
    /// The version whose approval is withdrawn.
    pub version: &'a Version,
    /// Why (one line, required).
    pub reason: &'a str,
}

/// A withdrawal made.
#[derive(Debug, Clone)]
pub struct WithdrawalMade {
    /// The record written.
    pub record: WithdrawalRecord,
    /// The approval withdrawn (with its signed tag, which stays as history).
    pub approval: ApprovalRecord,
    /// The approval's file.
    pub approval_path: String,
    /// The commit that recorded it.
    pub commit: CommitInfo,
}

/// `strategi approve V --withdraw REASON`: the approver withdraws the approval of V in
/// force ([`rules::may_act_on_approval`], [`rules::approval_in_force`],
/// [`rules::withdrawal_reason`]). Writes a [`WithdrawalRecord`]; the approval's file
/// and its signed tag stay (as history), but V is no longer approved and may be
/// approved again (the next signed tag is `approved/vN-2`).
pub fn withdraw(
    mut tx: Transaction<'_>,
    actor: &Actor,
    now: &Zoned,
    config: &Config,
    req: WithdrawalRequest<'_>,
) -> Result<WithdrawalMade, ApprovalError> {
    let version = req.version;
    rules::may_act_on_approval(config, &actor.party, version.name, LaterAct::Withdraw)?;
    rules::withdrawal_reason(version.name, req.reason)?;
    let fold = fold_now(tx.workspace(), config, now, None)?;
    let (path, approval) = rules::approval_in_force(
        fold.approvals.iter().map(|(p, a)| (p.as_str(), a)),
        version.name,
        None,
        LaterAct::Withdraw,
    )?;
    let (path, approval) = (path.to_string(), approval.clone());
    let record = WithdrawalRecord {
        id: tx.new_id(RecordKind::Withdrawal),
        approval: approval.id.clone(),
        version: version.name,
        by: actor.party.clone(),
        at: now.timestamp(),
        clock: Some(tx.clock()?),
        reason: req.reason.trim().to_string(),
    };
    tx.write_record(&withdrawal_path(&record), &record)?;
    let mut body = format!(
        "Approval {} of {} ({path}) withdrawn: {}",
        approval.id, version.name, record.reason
    );
    if let Some(t) = &approval.signed_tag {
        body.push_str(&format!(
            "\nThe signed tag {t} stays as history; it no longer makes {} approved.",
            version.name
        ));
    }
    let commit = tx.commit(
        &format!(
            "Withdraw the approval of {}: {}",
            version.name, version.label
        ),
        &body,
        Action::ApproveWithdraw,
        actor,
        now,
    )?;
    Ok(WithdrawalMade {
        record,
        approval,
        approval_path: path,
        commit,
    })
}
