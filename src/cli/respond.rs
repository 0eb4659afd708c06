//! `strategi respond R --from P --position …`: a party's formal position on a round.

use clap::Args;

use strategi::consultation::{FactBody, Position};
use strategi::model::PartyCode;

use super::round::{load, queue_fact};
use super::ui::{paint, styles};
use super::{CommandError, Ctx, Ui};

/// Record a party's formal position on a round: no-comments, comments, reservation or
/// disagree. A later position supersedes an earlier one; both are kept. The party
/// itself, the round's sender or the case owner (registering it) may record it.
///
/// Example: strategi respond latest --from FIN --position no-comments
#[derive(Debug, Args)]
pub struct RespondArgs {
    /// The round's id (or the start of it, or "latest").
    pub round: String,
    /// The party whose position it is.
    #[arg(long)]
    pub from: String,
    /// no-comments, comments, reservation or disagree.
    #[arg(long)]
    pub position: String,
    /// A note, e.g. what the reservation is about.
    #[arg(long)]
    pub note: Option<String>,
}

/// Runs `respond`.
pub fn run(ctx: &mut Ctx, ui: &mut Ui, args: &RespondArgs) -> Result<(), CommandError> {
    let party: PartyCode = args.from.parse()?;
    let position: Position = args.position.parse().map_err(CommandError::usage)?;
    let note = args
        .note
        .as_deref()
        .map(|n| super::round::one_line(n, "note"))
        .transpose()?;
    let ws = ctx.workspace()?;
    let mut tx = ctx.begin(&ws, "strategi respond")?;
    let config = ws.config()?;
    let state = load(ctx, &ws, &config, &args.round)?;
    let actor = ctx.actor(&ws, &config)?;
    check_may_answer(&state, &config, &actor.party, &party)?;
    let previous = state
        .parties
        .iter()
        .find(|p| p.party == party)
        .and_then(|p| p.position);
    let fact = queue_fact(
        ctx,
        &mut tx,
        &actor,
        &state.def.id,
        FactBody::Response {
            party: party.clone(),
            position,
            note,
            source: None,
        },
    )?;
    let commit = tx.commit(
        &format!("{party} answers round {}: {}", state.def.id, position.key()),
        &previous
            .map(|p| format!("Supersedes the earlier position: {}.", p.key()))
            .unwrap_or_default(),
        strategi::model::Action::Respond,
        &actor,
        &ctx.clock.now(),
    )?;
    ui.emit(
        &serde_json::json!({ "fact": fact, "previous": previous, "commit": commit }),
        |w| {
            write!(
                w,
                "Recorded {}'s position in round {}: {}",
                paint(styles::BOLD, &party),
                state.def.id,
                position.words(strategi::model::Lang::En)
            )?;
            match previous {
                Some(p) if p != position => {
                    writeln!(w, " (was: {}).", p.words(strategi::model::Lang::En))
                }
                Some(_) => writeln!(w, " (unchanged; recorded again)."),
                None => writeln!(w, "."),
            }
        },
    )
}

/// Checks that `actor` may record an answer (position or comments) for `party` in the
/// round: the party itself, the round's sender, or the case owner; and that `party` is
/// a recipient and the round open.
pub(super) fn check_may_answer(
    state: &strategi::consultation::RoundState,
    config: &strategi::model::Config,
    actor: &PartyCode,
    party: &PartyCode,
) -> Result<(), CommandError> {
    if !state.parties.iter().any(|p| &p.party == party) {
        return Err(CommandError::user(format!(
            "{party} is not a recipient of round {}.",
            state.def.id
        ))
        .hint(format!(
            "The recipients are {}.",
            state
                .parties
                .iter()
                .map(|p| p.party.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    if actor != party && actor != &state.def.sender && actor != &config.case.owner {
        return Err(CommandError::user(format!(
            "{actor} may not answer for {party}: only {party} itself, the round's sender {} or the case owner {} may.",
            state.def.sender, config.case.owner
        ))
        .hint(format!("Act as {party} with `--as {party}`, or register the answer as {}.", config.case.owner)));
    }
    if state.closed.is_some() {
        return Err(CommandError::user(format!(
            "Round {} is closed; no more answers are recorded.",
            state.def.id
        )));
    }
    Ok(())
}
