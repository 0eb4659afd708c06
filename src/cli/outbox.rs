//! `strategi outbox list|flush|mark-sent`: the e-mails written, and their delivery.

use clap::{Args, Subcommand};

use strategi::mail::{DeliveryState, OUTBOX_DIR, Outbox, OutboxState};

use strategi::consultation::letters::Selection;

use super::letters;
use super::parse;
use super::ui::{paint, styles};
use super::{CommandError, Ctx, Ui};

/// The outbox: every e-mail strategi wrote, as .eml files in outbox/, with its state
/// (queued, sending, sent, failed, uncertain).
#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// List the messages and where each stands.
    List(ListArgs),
    /// Deliver every queued message (new, or after a temporary error) through the
    /// transport set in strategi.toml, naming the round of each. A message the server
    /// accepted is never sent again. A queued letter whose deadline has passed since it
    /// was written, or whose round was closed, is held back unless --stale is given.
    ///
    /// A message whose outcome is unknown is "uncertain": the whole message was sent
    /// but the connection broke or timed out before the server answered, or strategi
    /// was stopped while sending it. The server may have it, so it is not sent again
    /// unless --resend-uncertain is given; record one that arrived with `outbox
    /// mark-sent`. The SMTP client waits [mail] timeout_seconds (default 60) for each
    /// answer. The workspace lock is held only to choose the messages and to record
    /// each outcome, not while talking to the server.
    ///
    /// Only the letters of rounds this party sends are delivered; the others are left
    /// queued for the sender's clone. When the workspace has a git remote, the letters
    /// are first claimed there (committed as "sending" and pushed), so that each is
    /// delivered once however many clones flush; letters another clone claimed or sent
    /// are skipped.
    Flush(FlushArgs),
    /// Record messages as sent by hand (for example from your own mail client, with the
    /// default transport "outbox"): each becomes sent, with a note, who and when, in
    /// one commit. This also settles an uncertain message that is known to have arrived.
    ///
    /// Example: strategi --as DFD outbox mark-sent r7k3q9x2mf.FIN --note "sent from the registry"
    MarkSent(MarkSentArgs),
    /// Take over letters another clone claimed and never recorded as delivered, because
    /// that clone is gone (its machine lost, say). Each becomes uncertain (it may have
    /// gone out), with the old claim kept, in one commit that is synced to the remote at
    /// once. Then deliver them here with `outbox flush --resend-uncertain`, or record
    /// those that arrived with `outbox mark-sent`. If the other clone did send a letter
    /// and its record arrives later, sent wins; its old claim never does.
    ///
    /// A claim younger than 30 minutes is refused (its clone may still be delivering)
    /// unless --force.
    ///
    /// Example: strategi --as DFD outbox release r7k3q9x2mf.FIN --note "Karis PC er borte"
    Release(ReleaseArgs),
}

/// Arguments of `outbox release`.
#[derive(Debug, Args)]
pub struct ReleaseArgs {
    /// The messages: entry names as `outbox list` shows them, or Message-IDs (or the
    /// unambiguous start of either).
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,
    /// Why (recorded; default "its clone is gone").
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// Release a claim younger than 30 minutes: the letter may then be delivered twice.
    #[arg(long)]
    pub force: bool,
}

/// Options of `outbox flush`.
#[derive(Debug, Args)]
pub struct FlushArgs {
    /// Deliver also letters that are out of date (their deadline has passed since they
    /// were written, or their round was closed).
    #[arg(long)]
    pub stale: bool,
    /// Send uncertain messages again too (the server may already have them, so a
    /// recipient may get two copies; each copy has the same Message-ID). Says which.
    #[arg(long)]
    pub resend_uncertain: bool,
    /// Deliver without first claiming the letters on the remote (a warning says so).
    /// When the workspace has a git remote, a delivery normally commits and pushes the
    /// letters as "sending" before any goes, so that no other clone delivers them too,
    /// and refuses when the remote cannot be reached. Use this only when no other clone
    /// can deliver the same letters.
    #[arg(long)]
    pub no_claim: bool,
}

/// Arguments of `outbox mark-sent`.
#[derive(Debug, Args)]
pub struct MarkSentArgs {
    /// The messages: entry names as `outbox list` shows them, or Message-IDs (or the
    /// unambiguous start of either).
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,
    /// A note (recorded; default "sent by hand").
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
}

/// Filters of `outbox list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only messages in this state: queued, sending, sent, failed or uncertain.
    #[arg(long, value_parser = parse::delivery_state)]
    pub state: Option<DeliveryState>,
    /// Only messages of this round (id or start of it).
    #[arg(long)]
    pub round: Option<String>,
}

/// Runs an `outbox` command.
pub fn run(ctx: &mut Ctx, ui: &mut Ui, cmd: &OutboxCommand) -> Result<(), CommandError> {
    match cmd {
        OutboxCommand::List(a) => list(ctx, ui, a),
        OutboxCommand::Flush(a) => flush(ctx, ui, a),
        OutboxCommand::MarkSent(a) => mark_sent(ctx, ui, a),
        OutboxCommand::Release(a) => release(ctx, ui, a),
    }
}

fn list(ctx: &mut Ctx, ui: &mut Ui, args: &ListArgs) -> Result<(), CommandError> {
    let state = args.state;
    let ws = ctx.workspace()?;
    let round = args
        .round
        .as_deref()
        .map(|r| super::round::find(&ws, r))
        .transpose()?
        .map(|r| r.to_string());
    let entries: Vec<_> = Outbox::in_workspace(&ws)
        .list()?
        .into_iter()
        .filter(|e| state.is_none_or(|s| e.state.state == s))
        .filter(|e| round.as_ref().is_none_or(|r| &e.state.round == r))
        .collect();
    let json: Vec<_> = entries
        .iter()
        .map(|e| {
            serde_json::json!({
                "entry": format!("{OUTBOX_DIR}/{}.eml", e.name),
                "state": e.state,
            })
        })
        .collect();
    ui.emit(&json, |w| {
        if entries.is_empty() {
            writeln!(
                w,
                "The outbox is empty{}.",
                if state.is_some() || round.is_some() {
                    " for that filter"
                } else {
                    ""
                }
            )?;
        }
        for e in &entries {
            let s = &e.state;
            let word = match s.state {
                DeliveryState::Queued => paint(styles::WARN, "queued"),
                DeliveryState::Sent if s.by_hand.is_some() => paint(styles::GOOD, "sent (by hand)"),
                DeliveryState::Sent => paint(styles::GOOD, "sent  "),
                DeliveryState::Failed => paint(styles::BAD, "failed"),
                DeliveryState::Sending => paint(styles::WARN, "sending"),
                DeliveryState::Uncertain => paint(styles::WARN, "uncertain"),
            };
            writeln!(
                w,
                "{word}  {}  {}  {:12} {:5} {:12} {}",
                e.name,
                s.created.strftime("%Y-%m-%d %H:%M"),
                s.round,
                s.party,
                s.kind,
                s.to.join(", ")
            )?;
            if let Some(h) = &s.by_hand {
                writeln!(
                    w,
                    "        {}: recorded by {} for {} at {}",
                    h.note,
                    h.person,
                    h.by,
                    h.at.strftime("%Y-%m-%d %H:%M UTC")
                )?;
            } else if let Some(r) = &s.server_response {
                writeln!(w, "        {} attempt(s); last answer: {r}", s.attempts)?;
            }
        }
        Ok(())
    })
}

fn flush(ctx: &mut Ctx, ui: &mut Ui, args: &FlushArgs) -> Result<(), CommandError> {
    let ws = ctx.workspace()?;
    let (mut tx, config) = ctx.begin_with_config(&ws, "strategi outbox flush")?;
    let Some(mailer) = letters::mailer(&config)? else {
        return Err(CommandError::user(
            "[mail] transport is \"outbox\", so there is nothing to deliver through: messages stay in outbox/ for sending by hand.",
        )
        .hint("Set transport = \"smtp\" (with smtp_url and password_env) or \"sendmail\" under [mail] in strategi.toml, or record letters you sent yourself with `strategi outbox mark-sent ID…`."));
    };
    let actor = ctx.actor(&ws, &config)?;
    let delivered = letters::deliver(
        &mut tx,
        &config,
        Some(mailer.as_ref()),
        &actor,
        &ctx.clock.now(),
        &Selection::all(args.stale, args.resend_uncertain),
        &letters::claiming(args.no_claim),
    )?;
    drop(tx);
    let outbox_dir = Outbox::in_workspace(&ws).dir().to_path_buf();
    ui.emit(
        &serde_json::Value::Object(letters::json_fields(&delivered)),
        |w| letters::write_deliveries(w, &delivered, &config, &outbox_dir),
    )?;
    letters::check_delivered(&delivered)
}

fn mark_sent(ctx: &mut Ctx, ui: &mut Ui, args: &MarkSentArgs) -> Result<(), CommandError> {
    let ws = ctx.workspace()?;
    let (mut tx, config) = ctx.begin_with_config(&ws, "strategi outbox mark-sent")?;
    let actor = ctx.actor(&ws, &config)?;
    let now = ctx.clock.now();
    let done = strategi::consultation::letters::mark_sent(
        &mut tx,
        &config,
        &actor,
        &now,
        &args.ids,
        args.note.as_deref(),
    )?;
    drop(tx);
    let json = entries_json(&done.entries);
    ui.emit(
        &serde_json::json!({ "marked_sent": json, "commit": done.commit }),
        |w| {
            writeln!(
                w,
                "Recorded {} message(s) as sent by hand:",
                done.entries.len()
            )?;
            write_entries(w, &done.entries, |s| s.to.join(", "))
        },
    )
}

fn release(ctx: &mut Ctx, ui: &mut Ui, args: &ReleaseArgs) -> Result<(), CommandError> {
    let ws = ctx.workspace()?;
    let (mut tx, config) = ctx.begin_with_config(&ws, "strategi outbox release")?;
    let actor = ctx.actor(&ws, &config)?;
    let now = ctx.clock.now();
    let done = strategi::consultation::letters::release(
        &mut tx,
        &config,
        &actor,
        &now,
        &args.ids,
        args.note.as_deref(),
        args.force,
        Some(&letters::claiming(false)),
    )?;
    drop(tx);
    let json = entries_json(&done.entries);
    ui.emit(
        &serde_json::json!({ "released": json, "commit": done.commit, "pushed": done.pushed }),
        |w| {
            writeln!(
                w,
                "Released {} message(s) from another clone's claim; each is now uncertain:",
                done.entries.len()
            )?;
            write_entries(w, &done.entries, |s| {
                s.released
                    .as_ref()
                    .map_or_else(String::new, |r| r.claimed_by.clone())
            })?;
            writeln!(
                w,
                "Deliver them with `strategi outbox flush --resend-uncertain`, or record those that arrived with `strategi outbox mark-sent ID…`."
            )
        },
    )
}

/// The entries a command rewrote, as `--json` lists them.
fn entries_json(entries: &[(String, OutboxState)]) -> Vec<serde_json::Value> {
    entries
        .iter()
        .map(|(name, state)| {
            serde_json::json!({
                "entry": format!("{OUTBOX_DIR}/{name}.eml"),
                "state": state,
            })
        })
        .collect()
}

/// One line per rewritten entry: round, party, kind, `what` of its state, and its name.
fn write_entries(
    w: &mut dyn std::io::Write,
    entries: &[(String, OutboxState)],
    what: impl Fn(&OutboxState) -> String,
) -> std::io::Result<()> {
    for (name, s) in entries {
        writeln!(
            w,
            "  round {} {:5} {:12} {}  {}",
            s.round,
            s.party,
            s.kind,
            what(s),
            paint(styles::DIM, name)
        )?;
    }
    Ok(())
}
