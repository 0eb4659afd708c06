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
//! Only the case's approver may approve, once per version; it is refused while a round
//! on the version is open with unanswered recipients or a comment on it is undecided,
//! unless `--reason` says why (recorded). With `[approval] require_signature = true` a
//! signature by one of the approver's keys is required. The tag is made before the
//! commit and removed again if the commit fails, so a refusal or failure changes nothing.

use std::path::PathBuf;

use clap::Args;

use strategi::approval::{ApprovalRecord, approval_path, approved_tag_name, load_approvals};
use strategi::calendar::{format_date_words, work_calendar};
use strategi::consultation::{load_comments, load_rounds};
use strategi::model::{Config, Lang, Version};
use strategi::sign::PrivateKey;
use strategi::store::Workspace;

use super::round::one_line;
use super::ui::{paint, styles};
use super::{CommandError, Ctx, Ui};

/// Approve a version (as the case's approver), bound to its exact text; with --sign,
/// also create the SSH-signed tag approved/vN that `git verify-tag` checks.
///
/// Example: strategi --as DFD approve v2 --sign ~/.ssh/dfd_approval_ed25519
#[derive(Debug, Args)]
pub struct ApproveArgs {
    /// The version: v3, 3, "latest", or the start of its label.
    #[arg(value_name = "VERSION")]
    pub version: String,
    /// Sign with this private key file (OpenSSH ed25519, no passphrase); it is read,
    /// never copied into the workspace.
    #[arg(long, value_name = "KEY")]
    pub sign: Option<PathBuf>,
    /// A note (recorded).
    #[arg(long)]
    pub note: Option<String>,
    /// Why the version is approved although a round on it is open or comments on it
    /// are undecided (recorded).
    #[arg(long)]
    pub reason: Option<String>,
}

/// What still stands in the way of approving a version: open rounds with the parties
/// that have not answered, and undecided comments.
pub(super) struct Outstanding {
    /// `round id: PARTY, PARTY` for each open round on the version with unanswered parties.
    pub open_rounds: Vec<String>,
    /// Ids of comments on rounds of the version without a decision.
    pub undecided: Vec<String>,
}

/// Finds what is outstanding on `version` as of today.
pub(super) fn outstanding(
    ctx: &Ctx,
    ws: &Workspace,
    config: &Config,
    version: &Version,
) -> Result<Outstanding, CommandError> {
    let rounds = load_rounds(ws, config, ctx.clock.today(), &work_calendar(config))?;
    let mut out = Outstanding {
        open_rounds: Vec::new(),
        undecided: Vec::new(),
    };
    for r in rounds.iter().filter(|r| r.def.version == version.name) {
        let waiting: Vec<&str> = r
            .parties
            .iter()
            .filter(|p| p.position.is_none())
            .map(|p| p.party.as_str())
            .collect();
        if r.closed.is_none() && !waiting.is_empty() {
            out.open_rounds
                .push(format!("{}: {}", r.def.id, waiting.join(", ")));
        }
        let comments = load_comments(&ws.records(), r, config)?;
        out.undecided.extend(
            comments
                .comments
                .iter()
                .filter(|c| c.decision.is_none())
                .map(|c| c.record.id.to_string()),
        );
    }
    Ok(out)
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
    let ws = ctx.workspace()?;
    let mut tx = ctx.begin(&ws, "strategi approve")?;
    let config = ws.config()?;
    let actor = ctx.actor(&ws, &config)?;
    let approver = config.case.approver.clone();
    if actor.party != approver {
        return Err(CommandError::user(format!(
            "Only the case's approver, {approver} ({}), may approve a version; you act as {}.",
            config.party_name(&approver),
            actor.party
        ))
        .hint(format!(
            "If you approve for {approver}, act as it: `strategi --as {approver} approve {}` (or set STRATEGI_AS={approver}).",
            args.version
        )));
    }
    let version = super::version::resolve(&ws, &args.version)?;
    if let Some((path, earlier)) = load_approvals(&ws)?
        .into_iter()
        .find(|(_, a)| a.version == version.name)
    {
        return Err(CommandError::user(format!(
            "{} was already approved by {} on {} ({path}).",
            version.name,
            earlier.by,
            earlier
                .at
                .to_zoned_datetime(strategi::calendar::oslo())
                .date()
        ))
        .hint("A version is approved once; cut a new version for a changed text."));
    }
    let tag_name = approved_tag_name(version.name);
    let o = outstanding(ctx, &ws, &config, &version)?;
    if reason.is_none() && !o.open_rounds.is_empty() {
        return Err(CommandError::user(format!(
            "A round on {} is still open and not everyone has answered.",
            version.name
        ))
        .cause(format!("Waiting for: {}", o.open_rounds.join("; ")))
        .hint("Close the round with `strategi round close ROUND` once the answers are in, or approve anyway with --reason \"...\" (recorded)."));
    }
    if reason.is_none() && !o.undecided.is_empty() {
        return Err(CommandError::user(format!(
            "{} comment(s) on {} have no decision yet.",
            o.undecided.len(),
            version.name
        ))
        .cause(format!("Undecided: {}", o.undecided.join(", ")))
        .hint("Answer each with `strategi comment resolve C --decision ...`, or approve anyway with --reason \"...\" (recorded)."));
    }
    let key = match &args.sign {
        None if config.approval.require_signature => {
            return Err(CommandError::user(
                "This case requires approvals to be signed ([approval] require_signature = true in strategi.toml).",
            )
            .hint(format!(
                "Sign with --sign KEY, a private key whose public half is listed for {approver} (`strategi party key {approver} --add-file KEY.pub`)."
            )));
        }
        None => None,
        Some(path) => Some(PrivateKey::from_file(&ctx.start_dir().join(path))?),
    };
    if let Some(k) = &key {
        let allowed = super::keys::party_keys(&config, &approver)?;
        if !allowed.contains(&k.public_key()) {
            if config.approval.require_signature {
                return Err(CommandError::user(format!(
                    "The key {} is not one of {approver}'s signing keys.",
                    k.fingerprint()
                ))
                .hint(format!(
                    "Sign with a key listed for {approver}, or add this one first: `strategi party key {approver} --add-file KEY.pub`."
                )));
            }
            ui.warn(format!(
                "The key {} is not one of {approver}'s signing keys; `strategi verify` will report the signature until it is added with `strategi party key {approver} --add-file KEY.pub`.",
                k.fingerprint()
            ));
        }
        if ws.tag_exists(&tag_name)? {
            return Err(CommandError::user(format!(
                "The tag \"{tag_name}\" already exists, but no approval of {} is recorded.",
                version.name
            ))
            .hint(format!("Look at it with `git show {tag_name}`; remove it with `git tag -d {tag_name}` if it is stray.")));
        }
    }
    let now = ctx.clock.now();
    let today = ctx.clock.today();
    let mut record = ApprovalRecord {
        id: tx.new_id(strategi::model::RecordKind::Approval),
        version: version.name,
        commit: version.commit.clone(),
        tree: version.tree.clone(),
        by: actor.party.clone(),
        at: now.timestamp(),
        note,
        reason,
        signed_tag: None,
        key_fingerprint: None,
    };
    let mut made_tag = None;
    if let Some(k) = &key {
        let message = format!(
            "Approved {}: {}\n\nVersion: {}\nLabel: {}\nCommit: {}\nTree: {}\nApprover: {} ({})\nApproved-By: {} <{}>\nDate: {today}\n",
            version.name,
            version.label,
            version.name,
            version.label,
            version.commit,
            version.tree,
            approver,
            config.party_name(&approver),
            actor.name,
            actor.email
        );
        let tag = ws.create_signed_tag_at(&tag_name, &version.commit, &message, &actor, &now, k)?;
        record.signed_tag = Some(tag_name.clone());
        record.key_fingerprint = Some(k.fingerprint());
        made_tag = Some(tag.id);
    }
    let text = toml::to_string(&record)
        .map_err(|e| CommandError::internal(format!("Could not write the approval: {e}")))?;
    tx.write(&approval_path(&record), text);
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
    let commit = match tx.commit(
        &format!("Approve {}: {}", version.name, version.label),
        &body,
        strategi::model::Action::Approve,
        &actor,
        &now,
    ) {
        Ok(c) => c,
        Err(e) => {
            if let Some(id) = &made_tag {
                let _ = ws.remove_tag_if(&tag_name, id);
            }
            return Err(e.into());
        }
    };
    ui.emit(
        &serde_json::json!({ "approval": record, "commit": commit }),
        |w| {
            writeln!(
                w,
                "{} approved {} \"{}\" on {}.",
                paint(styles::BOLD, &record.by),
                paint(styles::BOLD, record.version),
                version.label,
                format_date_words(today, Lang::En)
            )?;
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
            Ok(())
        },
    )
}
