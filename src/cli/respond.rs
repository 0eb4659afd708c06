//! `strategi respond R --from P --position …`: a party's formal position on a round.

use clap::Args;

use strategi::consultation::actions;
use strategi::model::{Lang, PartyCode, Position};

use super::parse;
use super::round::load;
use super::ui::{paint, styles};
use super::write::Write;
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
    #[arg(long, value_parser = parse::party)]
    pub from: PartyCode,
    /// no-comments, comments, reservation or disagree.
    #[arg(long, value_parser = parse::position)]
    pub position: Position,
    /// A note, e.g. what the reservation is about.
    #[arg(long, value_parser = parse::one_line("note"))]
    pub note: Option<String>,
}

/// Runs `respond`.
pub fn run(ctx: &mut Ctx, ui: &mut Ui, args: &RespondArgs) -> Result<(), CommandError> {
    let ws = ctx.workspace()?;
    let mut write = Write::begin(ctx, &ws, "strategi respond")?;
    let state = load(ctx, &ws, &write.config, &args.round)?;
    let (tx, who) = write.act();
    let done = actions::respond(
        tx,
        &who,
        &state,
        &args.from,
        args.position,
        args.note.as_deref(),
    )?;
    let position = args.position;
    ui.emit(&done, |w| {
        write!(
            w,
            "Recorded {}'s position in round {}: {}",
            paint(styles::BOLD, &args.from),
            state.def.id,
            position.words(Lang::En)
        )?;
        match done.previous {
            Some(p) if p != position => writeln!(w, " (was: {}).", p.words(Lang::En)),
            Some(_) => writeln!(w, " (unchanged; recorded again)."),
            None => writeln!(w, "."),
        }
    })
}
