//! `strategi status`: where the case stands.

use clap::Args;
use serde::Serialize;

use crate::model::{Case, Version};

use crate::calendar::{DEFAULT_SOON_WORKING_DAYS, Obligation};

use super::deadlines::{case_obligations, write_table};
use super::ui::{paint, styles};
use super::{CommandError, Ctx, Ui};

/// Show where the case stands: the case, its versions and its milestones.
#[derive(Debug, Args)]
pub struct StatusArgs {}

#[derive(Serialize)]
struct Status {
    case: Case,
    today: jiff::civil::Date,
    parties: usize,
    versions: usize,
    latest_version: Option<Version>,
    /// The next three open deadlines, and every overdue one.
    deadlines: Vec<Obligation>,
    /// Every round, with its answers and comments counted.
    rounds: Vec<RoundSummary>,
}

/// A round in the status: how many answered, how many comments are still open.
#[derive(Serialize)]
struct RoundSummary {
    id: crate::model::RecordId,
    title: String,
    version: crate::model::VersionName,
    open: bool,
    due: jiff::civil::Date,
    #[serde(flatten)]
    counts: super::round::Counts,
    comments: usize,
    open_comments: usize,
}

/// Runs `status`.
pub fn run(ctx: &mut Ctx, ui: &mut Ui, _args: &StatusArgs) -> Result<(), CommandError> {
    let ws = ctx.workspace()?;
    let config = ws.config()?;
    let names = ws.version_names()?;
    let latest_version = names.last().map(|n| ws.version(*n)).transpose()?;
    let today = ctx.clock.today();
    let mut rounds = Vec::new();
    for (r, c) in super::comment::all_comments(ctx, &ws, &config, None)? {
        rounds.push(RoundSummary {
            counts: super::round::counts(&r),
            comments: c.comments.len(),
            open_comments: c.comments.iter().filter(|c| c.decision.is_none()).count(),
            open: r.closed.is_none(),
            due: r.def.due,
            id: r.def.id,
            title: r.def.title,
            version: r.def.version,
        });
    }
    let status = Status {
        rounds,
        today,
        parties: config.parties.len(),
        versions: names.len(),
        latest_version,
        deadlines: next_deadlines(case_obligations(
            &ws,
            &config,
            today,
            DEFAULT_SOON_WORKING_DAYS,
        )?),
        case: config.case.clone(),
    };
    ui.emit(&status, |w| {
        let c = &status.case;
        writeln!(w, "{}", paint(styles::BOLD, &c.title))?;
        if let Some(n) = &c.number {
            writeln!(w, "Case      {n}")?;
        }
        writeln!(w, "Owner     {} ({})", c.owner, config.party_name(&c.owner))?;
        writeln!(
            w,
            "Approver  {} ({})",
            c.approver,
            config.party_name(&c.approver)
        )?;
        writeln!(w, "Parties   {}", status.parties)?;
        match &status.latest_version {
            None => writeln!(w, "Versions  none yet")?,
            Some(v) => writeln!(
                w,
                "Versions  {} (latest {} \"{}\", {})",
                status.versions,
                v.name,
                v.label,
                v.created.to_zoned_datetime(crate::calendar::oslo()).date()
            )?,
        }
        writeln!(w, "Today     {}", status.today)?;
        if !status.rounds.is_empty() {
            writeln!(w)?;
            writeln!(w, "{}", paint(styles::BOLD, "Rounds"))?;
            for r in &status.rounds {
                writeln!(
                    w,
                    "  {}  {}  {}  answered {}/{} ({} no comments, {} overdue)  comments {} ({} open)  due {}",
                    r.id,
                    if r.open { "open  " } else { "closed" },
                    r.version,
                    r.counts.answered,
                    r.counts.recipients,
                    r.counts.no_comments,
                    r.counts.overdue,
                    r.comments,
                    r.open_comments,
                    r.due
                )?;
            }
        }
        if !status.deadlines.is_empty() {
            writeln!(w)?;
            writeln!(w, "{}", paint(styles::BOLD, "Next deadlines"))?;
            write_table(w, &status.deadlines)?;
        }
        Ok(())
    })
}

/// Every overdue obligation, then the next three open ones.
fn next_deadlines(all: Vec<Obligation>) -> Vec<Obligation> {
    let (overdue, rest): (Vec<_>, Vec<_>) = all
        .into_iter()
        .filter(|o| !o.is_done())
        .partition(Obligation::is_overdue);
    overdue
        .into_iter()
        .chain(rest.into_iter().take(3))
        .collect()
}
