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
/// An answer comes after the round's letter to the party (`strategi round send R`; a
/// letter sent by hand is recorded with `strategi outbox mark-sent`), not before.
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
    /// When the party gave it, for a letter or form registered later: the date it is
    /// dated (YYYY-MM-DD, or a time YYYY-MM-DDTHH:MM Oslo time). Answers received after
    /// the party's deadline are marked late. Default: now.
    #[arg(long, value_name = "DATE|DATETIME", value_parser = parse::received)]
    pub received: Option<parse::Received>,
}

/// Runs `respond`.
pub fn run(ctx: &mut Ctx, ui: &mut Ui, args: &RespondArgs) -> Result<(), CommandError> {
    let ws = ctx.workspace()?;
    let mut write = Write::begin(ctx, &ws, "strategi respond")?;
    let state = load(ctx, &ws, &write.config, &args.round)?;
    let (tx, who) = write.act();
    let received = args.received.map(|r| r.at(who.now));
    let done = actions::respond(
        tx,
        &who,
        &state,
        &args.from,
        args.position,
        args.note.as_deref(),
        received,
    )?;
    let late = state
        .parties
        .iter()
        .find(|p| p.party == args.from)
        .filter(|p| {
            strategi::consultation::is_late(
                received.unwrap_or(who.now.timestamp()),
                p.effective_due,
            )
        })
        .map(|p| p.effective_due);
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
            Some(p) if p != position => write!(w, " (was: {}).", p.words(Lang::En))?,
            Some(_) => write!(w, " (unchanged; recorded again).")?,
            None => write!(w, ".")?,
        }
        if let Some(due) = late {
            write!(
                w,
                " {}",
                paint(
                    styles::WARN,
                    format!("Late: received after the deadline {due}.")
                )
            )?;
        }
        writeln!(w)
    })
}
