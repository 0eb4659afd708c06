//! `strategi approve V [--sign KEY]`: the approver approves one version, bound to its
//! exact text.
//!
//! The approval is a record, `approvals/<stamp>-<id>.toml`, naming the version, its
//! commit and its `strategy/` tree, so `strategi verify` can later prove the approved
//! text is unchanged even if the `vN` tag is moved. With `--sign KEY` (a private key
//! file, read and never copied into the workspace) strategi also creates the annotated
//! tag `approved/vN` on the version's commit, SSH-signed exactly as `git tag -s` does
//! with `gpg.format = ssh` (namespace `git`), so anyone can check it with stock
//! `git verify-tag` and the file from `strategi keys allowed-signers`. Without `--sign`
//! no tag is made: an unsigned tag would prove nothing the record does not.
//!
//! Later acts on an approval, each a new record (the approval's file is never edited):
//! `approve V --sign KEY` when V is approved unsigned signs that approval
//! (`signatures/…toml`, and the tag `approved/vN`); `approve V --withdraw REASON`
//! withdraws it (`withdrawals/…toml`): V is then not approved and may be approved
//! again, and its signed tag, if any, stays as history (the next approval's tag is
//! `approved/vN-2`).
//!
//! The rules (only the case's approver, once per version, not while consultation on the
//! version is outstanding unless `--reason` says why, the signature policy) and the act
//! itself are the library's (`strategi::approval::rules`, `strategi::approval::approve`);
//! this command parses the arguments, reads the key file, calls the act and renders the
//! outcome.

use std::path::PathBuf;

use clap::Args;

use strategi::approval::{ApprovalRequest, Signing, WithdrawalRequest, approve, withdraw};
use strategi::calendar::format_date_words;
use strategi::model::Lang;
use strategi::sign::PrivateKey;

use super::round::one_line;
use super::ui::{paint, styles};
use super::{CommandError, Ctx, Ui};

/// Approve a version (as the case's approver), bound to its exact text; with --sign,
/// also create the SSH-signed tag approved/vN that `git verify-tag` checks.
///
/// A version approved unsigned is signed later with the same command and --sign
/// (recorded as a new record). --withdraw REASON withdraws the approval: the version is
/// no longer approved and may be approved again; a signed tag stays as history, and
/// the next approval's tag is approved/vN-2.
///
/// Example: strategi --as DFD approve v2 --sign ~/.ssh/dfd_approval_ed25519
///
/// Example: strategi --as DFD approve v2 --withdraw "Signed by mistake before the final read"
#[derive(Debug, Args)]
pub struct ApproveArgs {
    /// The version: v3, 3, "latest", or the start of its label.
    #[arg(value_name = "VERSION")]
    pub version: String,
    /// Sign with this private key file (OpenSSH ed25519, no passphrase); it is read,
    /// never copied into the workspace. When the version is approved unsigned already,
    /// this signs that approval.
    #[arg(long, value_name = "KEY")]
    pub sign: Option<PathBuf>,
    /// Withdraw the version's approval, saying why (recorded; required).
    #[arg(long, value_name = "REASON", conflicts_with_all = ["sign", "note", "reason"])]
    pub withdraw: Option<String>,
    /// A note (recorded).
    #[arg(long)]
    pub note: Option<String>,
    /// Why the version is approved although a round on it is open or comments on it
    /// are undecided (recorded).
    #[arg(long)]
    pub reason: Option<String>,
}

/// Runs `approve`.
pub fn run(ctx: &mut Ctx, ui: &mut Ui, args: &ApproveArgs) -> Result<(), CommandError> {
    let note = args
        .note
        .as_deref()
        .map(|n| one_line(n, "note"))
        .transpose()?;
    let reason = args
        .reason
        .as_deref()
        .map(|n| one_line(n, "reason"))
        .transpose()?;
    let withdrawal = args
        .withdraw
        .as_deref()
        .map(|n| one_line(n, "withdrawal reason"))
        .transpose()?;
    let ws = ctx.workspace()?;
    let (tx, config) = ctx.begin_with_config(&ws, "strategi approve")?;
    let actor = ctx.actor(&ws, &config)?;
    let version = super::version::resolve(&ws, &args.version)?;
    if let Some(reason) = withdrawal {
        let now = ctx.clock.now();
        let made = withdraw(
            tx,
            &actor,
            &now,
            &config,
            WithdrawalRequest {
                version: &version,
                reason: &reason,
            },
        )?;
        let tag = made.approval.signed_tag.clone();
        return ui.emit(
            &serde_json::json!({
                "withdrawal": made.record,
                "approval": made.approval,
                "approval_path": made.approval_path,
                "commit": made.commit,
                "signed_tag_kept": tag,
            }),
            |w| {
                writeln!(
                    w,
                    "{} withdrew the approval of {} \"{}\" on {}.",
                    paint(styles::BOLD, &made.record.by),
                    paint(styles::BOLD, made.record.version),
                    version.label,
                    format_date_words(now.date(), Lang::En)
                )?;
                writeln!(w, "Reason recorded: {}", made.record.reason)?;
                if let Some(t) = &tag {
                    writeln!(
                        w,
                        "The signed tag {t} stays as history; it no longer makes {} approved.",
                        made.record.version
                    )?;
                }
                writeln!(
                    w,
                    "{} is no longer approved; approve it again with `strategi approve {}`.",
                    made.record.version, made.record.version
                )?;
                Ok(())
            },
        );
    }
    let key = args
        .sign
        .as_ref()
        .map(|path| PrivateKey::from_file(&ctx.start_dir().join(path)))
        .transpose()?;
    let now = ctx.clock.now();
    let approved = approve(
        tx,
        &actor,
        &now,
        &config,
        ApprovalRequest {
            version: &version,
            key: key.as_ref(),
            note: note.as_deref(),
            reason: reason.as_deref(),
        },
    )?;
    let record = &approved.record;
    let approver = &config.case.approver;
    ui.emit(
        &serde_json::json!({
            "approval": record,
            "commit": approved.commit,
            "signed": approved.signing == Signing::ByApprover,
            "approver_keys": approved.approver_keys,
            "signed_later": approved.signed_later,
        }),
        |w| {
            if let Some(s) = &approved.signed_later {
                writeln!(
                    w,
                    "{} signed the approval of {} \"{}\" (approved {}) on {}.",
                    paint(styles::BOLD, &s.by),
                    paint(styles::BOLD, s.version),
                    version.label,
                    format_date_words(
                        record.at.to_zoned_datetime(strategi::calendar::oslo()).date(),
                        Lang::En
                    ),
                    format_date_words(now.date(), Lang::En)
                )?;
            } else {
            writeln!(
                w,
                "{} approved {} \"{}\" on {}.",
                paint(styles::BOLD, &record.by),
                paint(styles::BOLD, record.version),
                version.label,
                format_date_words(now.date(), Lang::En)
            )?;
            }
            match (&record.signed_tag, &record.key_fingerprint) {
                (Some(t), Some(f)) => writeln!(
                    w,
                    "Signed tag {t} (key {f}); check it with `git verify-tag {t}` and the file from `strategi keys allowed-signers`."
                )?,
                _ => writeln!(w, "Not signed (no --sign KEY given); no tag was made.")?,
            }
            if let Some(r) = &record.reason {
                writeln!(w, "Reason recorded: {r}")?;
            }
            if approved.approver_keys.is_empty() {
                writeln!(w, "{approver} has no signing keys of its own.")?;
            } else {
                writeln!(
                    w,
                    "{approver}'s signing keys (confirm them with {approver} out of band): {}",
                    approved.approver_keys.join(", ")
                )?;
            }
            Ok(())
        },
    )
}
