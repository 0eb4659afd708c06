//! `strategi outbox list|flush`: the e-mails written, and their delivery.

use clap::{Args, Subcommand};

use strategi::mail::{DeliveryState, OUTBOX_DIR, Outbox};

use super::letters;
use super::ui::{paint, styles};
use super::{CommandError, Ctx, Ui};

/// The outbox: every e-mail strategi wrote, as .eml files in outbox/, with its state
/// (queued, sent, failed).
#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// List the messages and where each stands.
    List(ListArgs),
    /// Deliver every queued message (new, or after a temporary error) through the
    /// transport set in strategi.toml. A message the server accepted is never sent again.
    Flush,
}

/// Filters of `outbox list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only messages in this state: queued, sent or failed.
    #[arg(long)]
    pub state: Option<String>,
    /// Only messages of this round (id or start of it).
    #[arg(long)]
    pub round: Option<String>,
}

/// Runs an `outbox` command.
pub fn run(ctx: &mut Ctx, ui: &mut Ui, cmd: &OutboxCommand) -> Result<(), CommandError> {
    match cmd {
        OutboxCommand::List(a) => list(ctx, ui, a),
        OutboxCommand::Flush => flush(ctx, ui),
    }
}

fn list(ctx: &mut Ctx, ui: &mut Ui, args: &ListArgs) -> Result<(), CommandError> {
    let state = args
        .state
        .as_deref()
        .map(|s| match s.trim() {
            "queued" => Ok(DeliveryState::Queued),
            "sent" => Ok(DeliveryState::Sent),
            "failed" => Ok(DeliveryState::Failed),
            other => Err(CommandError::usage(format!(
                "\"{other}\" is not a state; use queued, sent or failed."
            ))),
        })
        .transpose()?;
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
                DeliveryState::Sent => paint(styles::GOOD, "sent  "),
                DeliveryState::Failed => paint(styles::BAD, "failed"),
            };
            writeln!(
                w,
                "{word}  {}  {:12} {:5} {:12} {}",
                s.created.strftime("%Y-%m-%d %H:%M"),
                s.round,
                s.party,
                s.kind,
                s.to.join(", ")
            )?;
            if let Some(r) = &s.server_response {
                writeln!(w, "        {} attempt(s); last answer: {r}", s.attempts)?;
            }
        }
        Ok(())
    })
}

fn flush(ctx: &mut Ctx, ui: &mut Ui) -> Result<(), CommandError> {
    let ws = ctx.workspace()?;
    let mut tx = ctx.begin(&ws, "strategi outbox flush")?;
    let config = ws.config()?;
    let Some(mailer) = letters::mailer(&config)? else {
        return Err(CommandError::user(
            "[mail] transport is \"outbox\", so there is nothing to deliver through: messages stay in outbox/ for sending by hand.",
        )
        .hint("Set transport = \"smtp\" (with smtp_url and password_env) or \"sendmail\" under [mail] in strategi.toml."));
    };
    let actor = ctx.actor(&ws, &config)?;
    let delivered = letters::deliver(&mut tx, Some(mailer.as_ref()), &actor, &ctx.clock.now())?;
    drop(tx);
    let outbox_dir = Outbox::in_workspace(&ws).dir().to_path_buf();
    ui.emit(&serde_json::json!({ "delivery": delivered }), |w| {
        letters::write_deliveries(w, &delivered, &config, &outbox_dir)
    })?;
    letters::check_delivered(&delivered)
}
