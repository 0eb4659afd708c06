//! `strategi remind R [--dry-run]`: reminders to the parties that have not answered.
//!
//! Whom a reminder goes to, the letters, their facts and their delivery are the
//! library's (`strategi::consultation::letters::{remind_targets, remind, deliver}`);
//! this command gathers the arguments and prints the outcome.

use clap::Args;

use strategi::consultation::letters::{parties_count, remind_targets};

use super::letters;
use super::parse;
use super::round::load;
use super::ui::{paint, styles};
use super::{CommandError, Ctx, Ui};

/// Send a reminder, in its language, to each recipient of a round whose letter went out
/// and who has not given its position. Each reminder is recorded per party. With
/// --dry-run, only print who would get one.
///
/// Example: strategi --as DFD remind latest --dry-run
#[derive(Debug, Args)]
pub struct RemindArgs {
    /// The round's id (or the start of it, or "latest").
    pub round: String,
    /// Print who would be reminded; write and send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Only these parties (codes separated by commas).
    #[arg(long, value_name = "CODES", value_parser = parse::parties)]
    pub party: Option<parse::PartyList>,
}

/// Runs `remind`.
pub fn run(ctx: &mut Ctx, ui: &mut Ui, args: &RemindArgs) -> Result<(), CommandError> {
    let only = args.party.clone().map(|l| l.0);
    let ws = ctx.workspace()?;
    if args.dry_run {
        let config = ws.config()?;
        let state = load(ctx, &ws, &config, &args.round)?;
        check_only(&config, &state, only.as_deref())?;
        let targets = remind_targets(&state, only.as_deref());
        let (due, unsent) = (targets.due, targets.not_sent);
        let list: Vec<_> = due
            .iter()
            .map(|p| {
                serde_json::json!({
                    "party": p.party,
                    "name": config.party_name(&p.party),
                    "lang": config.party(&p.party).map(|x| x.lang),
                    "due": p.effective_due,
                    "due_moved": p.due_moved,
                    "status": p.status,
                    "reminders": p.reminders.len(),
                })
            })
            .collect();
        return ui.emit(
            &serde_json::json!({ "round": state.def.id, "dry_run": true, "would_remind": list,
                "not_sent": unsent.iter().map(|p| &p.party).collect::<Vec<_>>() }),
            |w| {
                if due.is_empty() {
                    writeln!(w, "Nobody would be reminded in round {}: every recipient has answered or has not had its letter.", state.def.id)?;
                } else {
                    writeln!(w, "Would remind {} in round {} (nothing is sent with --dry-run):", parties_count(due.len()), paint(styles::BOLD, &state.def.id))?;
                }
                for p in &due {
                    let moved = p
                        .due_moved
                        .as_ref()
                        .map(|m| format!(" ({})", m.note_in(strategi::model::Lang::En)))
                        .unwrap_or_default();
                    writeln!(
                        w,
                        "  {:5} {}  ({}, due {}{moved}, {} earlier reminder(s))",
                        p.party.as_str(),
                        config.party_name(&p.party),
                        config.party(&p.party).map_or("nb", |x| x.lang.code()),
                        p.effective_due,
                        p.reminders.len()
                    )?;
                }
                if !unsent.is_empty() {
                    writeln!(w, "Not sent yet (use `strategi round send {}` first): {}", state.def.id, unsent.iter().map(|p| p.party.as_str()).collect::<Vec<_>>().join(", "))?;
                }
                Ok(())
            },
        );
    }
    let mut run = letters::RoundLetters::begin(ctx, &ws, &args.round, "strategi remind")?;
    check_only(&run.config, &run.state, only.as_deref())?;
    let done = strategi::consultation::letters::remind(
        &mut run.tx,
        &run.config,
        &run.state,
        &run.actor,
        &run.now,
        only.as_deref(),
    )?;
    let sent = run.deliver(Some(&done.issued))?;
    let (config, state, delivered, outbox_dir) =
        (sent.config, sent.state, sent.delivery, sent.outbox_dir);
    let planned = &done.issued.letters;
    let reminded: Vec<_> = planned
        .iter()
        .map(|l| serde_json::json!({ "party": l.party.code, "lang": l.party.lang, "to": l.mail.to.address, "message_id": l.mail.message_id }))
        .collect();
    ui.emit(
        &letters::with_fields(
            serde_json::json!({ "round": state.def.id, "reminded": reminded, "not_sent": done.not_sent, "commit": done.issued.commit }),
            letters::json_fields(&delivered),
        ),
        |w| {
            writeln!(w, "Wrote {} reminder(s) in round {} to the outbox:", planned.len(), paint(styles::BOLD, &state.def.id))?;
            for l in planned {
                writeln!(w, "  {:5} {:2}  {}", l.party.code.as_str(), l.party.lang.code(), l.mail.to.address)?;
            }
            letters::write_deliveries(w, &delivered, &config, &outbox_dir)
        },
    )?;
    letters::check_delivered(&delivered)
}

/// `--party` names parties of the case that are recipients of the round: an unknown
/// code or one the round was not sent to is refused, naming the closest codes.
fn check_only(
    config: &strategi::model::Config,
    state: &strategi::consultation::RoundState,
    only: Option<&[strategi::model::PartyCode]>,
) -> Result<(), CommandError> {
    let Some(only) = only else { return Ok(()) };
    for p in only {
        strategi::consultation::rules::party_of_case(config, p)?;
    }
    strategi::consultation::rules::among_recipients(&state.def, only)?;
    Ok(())
}
