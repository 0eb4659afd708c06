//! `strategi milestone add|done|list`: dated obligations of the case.

use clap::{Args, Subcommand};
use strategi::calendar::{
    DEFAULT_SOON_WORKING_DAYS, obligations, parse_date, parse_relative_due, work_calendar,
};
use strategi::model::{Milestone, MilestoneId, PartyCode};
use strategi::store::{MilestoneDone, SettingFact};

use super::deadlines::write_table;
use super::parse;
use super::ui::{paint, styles};
use super::{CommandError, Ctx, Ui};

/// Dated obligations of the case, such as the proposal due at the approver.
#[derive(Debug, Subcommand)]
pub enum MilestoneCommand {
    /// Add a milestone.
    ///
    /// Example: strategi milestone add forslag-dfd --title "Forslag til DFD" --due 2025-12-01 --owner DIO
    Add(AddArgs),
    /// Mark a milestone as done (today, or on --date).
    Done(DoneArgs),
    /// List the milestones with the days left.
    List,
}

/// Arguments of `milestone add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// Id: lower-case letters, digits and hyphens, e.g. forslag-dfd.
    #[arg(value_parser = parse::milestone)]
    pub id: MilestoneId,
    /// What is due, in words.
    #[arg(long)]
    pub title: String,
    /// Due date (YYYY-MM-DD or DD.MM.YYYY), or relative to another milestone:
    /// "10 working days before forslag-dfd".
    #[arg(long)]
    pub due: String,
    /// Code of the party that owns the obligation.
    #[arg(long, value_parser = parse::party)]
    pub owner: Option<PartyCode>,
}

/// Arguments of `milestone done`.
#[derive(Debug, Args)]
pub struct DoneArgs {
    /// The milestone's id.
    #[arg(value_parser = parse::milestone)]
    pub id: MilestoneId,
    /// The day it was done (default: today by the clock).
    #[arg(long, value_parser = parse::date)]
    pub date: Option<jiff::civil::Date>,
}

/// Runs a `milestone` command.
pub fn run(ctx: &mut Ctx, ui: &mut Ui, cmd: &MilestoneCommand) -> Result<(), CommandError> {
    match cmd {
        MilestoneCommand::Add(a) => add(ctx, ui, a),
        MilestoneCommand::Done(a) => done(ctx, ui, a),
        MilestoneCommand::List => list(ctx, ui),
    }
}

fn add(ctx: &mut Ctx, ui: &mut Ui, args: &AddArgs) -> Result<(), CommandError> {
    let id = args.id.clone();
    let title = args.title.trim();
    if title.is_empty() || title.chars().any(char::is_control) {
        return Err(CommandError::user(
            "The milestone's title must be one line of text.",
        ));
    }
    let relative = parse_relative_due(&args.due);
    let due = match &relative {
        Some(_) => None,
        None => Some(parse_date(&args.due).map_err(|e| {
            CommandError::user(e.to_string()).hint(
                "A due date can also be relative: --due \"10 working days before forslag-dfd\".",
            )
        })?),
    };
    let owner = args.owner.clone();
    let ws = ctx.workspace()?;
    let mut tx = ctx.begin(&ws, &format!("strategi milestone add {id}"))?;
    let config = ws.config()?;
    if config.milestone(&id).is_some() {
        return Err(
            CommandError::user(format!("There is already a milestone \"{id}\"."))
                .hint("Milestone ids are unique; see them with `strategi milestone list`."),
        );
    }
    if let Some(o) = owner.as_ref().filter(|o| !config.knows_party(o)) {
        return Err(
            CommandError::user(format!("\"{o}\" is not a party of this case.")).hint(format!(
                "Add it first with `strategi party add {o} --name NAME --email ADDRESS`."
            )),
        );
    }
    let (due, basis) = match (due, relative) {
        (Some(d), _) => (d, String::new()),
        (None, Some((n, base))) => {
            let base_id: MilestoneId = base.parse()?;
            let Some(b) = config.milestone(&base_id) else {
                return Err(CommandError::user(format!(
                    "There is no milestone \"{base_id}\" to count from."
                ))
                .hint("See the milestones with `strategi milestone list`."));
            };
            let d = work_calendar(&config).add_working_days(b.due, n)?;
            (
                d,
                format!(
                    "Due {} working days {} {} ({}).",
                    n.abs(),
                    if n < 0 { "before" } else { "after" },
                    base_id,
                    b.due
                ),
            )
        }
        (None, None) => {
            return Err(CommandError::internal(
                "a due date was neither absolute nor relative",
            ));
        }
    };
    let actor = ctx.actor(&ws, &config)?;
    let milestone = Milestone {
        id,
        title: title.to_string(),
        due,
        owner,
        done: None,
    };
    let now = ctx.clock.now();
    tx.write_setting(
        &actor.party,
        now.timestamp(),
        SettingFact::MilestoneAdd(milestone.clone()),
    )?;
    let commit = tx.commit(
        &format!(
            "Add milestone {}: {} due {}",
            milestone.id, milestone.title, milestone.due
        ),
        &basis,
        strategi::model::Action::MilestoneAdd,
        &actor,
        &now,
    )?;
    ui.emit(
        &serde_json::json!({ "milestone": milestone, "commit": commit }),
        |w| {
            writeln!(
                w,
                "Added milestone {} \"{}\", due {}.",
                paint(styles::BOLD, &milestone.id),
                milestone.title,
                milestone.due
            )
        },
    )
}

fn done(ctx: &mut Ctx, ui: &mut Ui, args: &DoneArgs) -> Result<(), CommandError> {
    let id = args.id.clone();
    let on = args.date.unwrap_or_else(|| ctx.clock.today());
    let ws = ctx.workspace()?;
    let mut tx = ctx.begin(&ws, &format!("strategi milestone done {id}"))?;
    let config = ws.config()?;
    let Some(m) = config.milestone(&id) else {
        return Err(
            CommandError::user(format!("There is no milestone \"{id}\"."))
                .hint("See the milestones with `strategi milestone list`."),
        );
    };
    if let Some(d) = m.done {
        return Err(CommandError::user(format!(
            "Milestone \"{id}\" was already marked done on {d}."
        )));
    }
    let on_time = on <= m.due;
    let actor = ctx.actor(&ws, &config)?;
    let now = ctx.clock.now();
    tx.write_setting(
        &actor.party,
        now.timestamp(),
        SettingFact::MilestoneDone(MilestoneDone { id: id.clone(), on }),
    )?;
    let commit = tx.commit(
        &format!(
            "Complete milestone {id} on {on} ({})",
            if on_time { "on time" } else { "late" }
        ),
        &format!("Due {}.", m.due),
        strategi::model::Action::MilestoneDone,
        &actor,
        &now,
    )?;
    ui.emit(&serde_json::json!({ "id": id, "done": on, "due": m.due, "on_time": on_time, "commit": commit }), |w| {
        let verdict = if on_time { paint(styles::GOOD, "on time") } else { paint(styles::BAD, "late") };
        writeln!(w, "Marked {} done on {on} ({verdict}; due {}).", paint(styles::BOLD, &id), m.due)
    })
}

fn list(ctx: &mut Ctx, ui: &mut Ui) -> Result<(), CommandError> {
    let ws = ctx.workspace()?;
    let config = ws.config()?;
    let rows = obligations(
        &config,
        Vec::new(),
        ctx.clock.today(),
        DEFAULT_SOON_WORKING_DAYS,
    )?;
    ui.emit(&rows, |w| {
        if rows.is_empty() {
            writeln!(w, "No milestones yet. Add one with `strategi milestone add ID --title TITLE --due YYYY-MM-DD`.")?;
        }
        write_table(w, &rows)
    })
}
