//! `strategi milestone add|done|list`: dated obligations of the case.

use clap::{Args, Subcommand};
use strategi::calendar::{DEFAULT_SOON_WORKING_DAYS, obligations, parse_date, parse_relative_due};
use strategi::case::{Due, MilestoneRequest};
use strategi::model::{MilestoneId, PartyCode};

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
    let due = match parse_relative_due(&args.due) {
        Some((days, base)) => Due::Relative {
            days,
            from: base.parse()?,
        },
        None => Due::On(parse_date(&args.due).map_err(|e| {
            CommandError::user(e.to_string()).hint(
                "A due date can also be relative: --due \"10 working days before forslag-dfd\".",
            )
        })?),
    };
    let ws = ctx.workspace()?;
    let (tx, config) =
        ctx.begin_with_config(&ws, &format!("strategi milestone add {}", args.id))?;
    let actor = ctx.actor(&ws, &config)?;
    let added = strategi::case::add_milestone(
        tx,
        &actor,
        &ctx.clock.now(),
        &config,
        MilestoneRequest {
            id: args.id.clone(),
            title: args.title.clone(),
            due,
            owner: args.owner.clone(),
        },
    )?;
    let milestone = &added.milestone;
    ui.emit(
        &serde_json::json!({ "milestone": milestone, "commit": added.commit }),
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
    let on = args.date.unwrap_or_else(|| ctx.clock.today());
    let ws = ctx.workspace()?;
    let (tx, config) =
        ctx.begin_with_config(&ws, &format!("strategi milestone done {}", args.id))?;
    let actor = ctx.actor(&ws, &config)?;
    let d =
        strategi::case::complete_milestone(tx, &actor, &ctx.clock.now(), &config, &args.id, on)?;
    let (id, on_time) = (&d.id, d.on_time);
    ui.emit(&serde_json::json!({ "id": id, "done": d.on, "due": d.due, "on_time": on_time, "commit": d.commit }), |w| {
        let verdict = if on_time { paint(styles::GOOD, "on time") } else { paint(styles::BAD, "late") };
        writeln!(w, "Marked {} done on {} ({verdict}; due {}).", paint(styles::BOLD, id), d.on, d.due)
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
