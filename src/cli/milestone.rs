//! `strategi milestone add|done|list`: dated obligations of the case.

use clap::{Args, Subcommand};
use jiff::civil::Date;
use serde::Serialize;

use crate::calendar::parse_date;
use crate::model::{Milestone, MilestoneId, PartyCode};
use crate::store::{CONFIG_FILE, ConfigEditor};

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
    pub id: String,
    /// What is due, in words.
    #[arg(long)]
    pub title: String,
    /// Due date, YYYY-MM-DD.
    #[arg(long)]
    pub due: String,
    /// Code of the party that owns the obligation.
    #[arg(long)]
    pub owner: Option<String>,
}

/// Arguments of `milestone done`.
#[derive(Debug, Args)]
pub struct DoneArgs {
    /// The milestone's id.
    pub id: String,
    /// The day it was done (default: today by the clock).
    #[arg(long)]
    pub date: Option<String>,
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
    let id: MilestoneId = args.id.parse()?;
    let title = args.title.trim();
    if title.is_empty() || title.chars().any(char::is_control) {
        return Err(CommandError::user(
            "The milestone's title must be one line of text.",
        ));
    }
    let due = parse_date(&args.due)?;
    let owner: Option<PartyCode> = args.owner.as_deref().map(str::parse).transpose()?;
    let ws = ctx.workspace()?;
    let mut tx = ctx.begin(&ws, &format!("strategi milestone add {id}"))?;
    let text = ws.config_text()?;
    let config = ws.config()?;
    if config.milestone(&id).is_some() {
        return Err(
            CommandError::user(format!("There is already a milestone \"{id}\"."))
                .hint("Milestone ids are unique; see them with `strategi milestone list`."),
        );
    }
    if let Some(o) = &owner {
        if !config.knows_party(o) {
            return Err(
                CommandError::user(format!("\"{o}\" is not a party of this case.")).hint(format!(
                    "Add it first with `strategi party add {o} --name NAME --email ADDRESS`."
                )),
            );
        }
    }
    let actor = ctx.actor(&ws, &config)?;
    let milestone = Milestone {
        id,
        title: title.to_string(),
        due,
        owner,
        done: None,
    };
    let mut editor = ConfigEditor::new(&ws.config_path(), &text)?;
    editor.add_milestone(&milestone);
    let (new_text, _) = editor.finish()?;
    tx.write(CONFIG_FILE, new_text);
    let commit = tx.commit(
        &format!(
            "Add milestone {}: {} due {}",
            milestone.id, milestone.title, milestone.due
        ),
        "",
        "milestone-add",
        &actor,
        &ctx.clock.now(),
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
    let id: MilestoneId = args.id.parse()?;
    let on = match &args.date {
        Some(d) => parse_date(d)?,
        None => ctx.clock.today(),
    };
    let ws = ctx.workspace()?;
    let mut tx = ctx.begin(&ws, &format!("strategi milestone done {id}"))?;
    let text = ws.config_text()?;
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
    let mut editor = ConfigEditor::new(&ws.config_path(), &text)?;
    editor.mark_milestone_done(&id, on);
    let (new_text, _) = editor.finish()?;
    tx.write(CONFIG_FILE, new_text);
    let commit = tx.commit(
        &format!(
            "Complete milestone {id} on {on} ({})",
            if on_time { "on time" } else { "late" }
        ),
        &format!("Due {}.", m.due),
        "milestone-done",
        &actor,
        &ctx.clock.now(),
    )?;
    ui.emit(&serde_json::json!({ "id": id, "done": on, "due": m.due, "on_time": on_time, "commit": commit }), |w| {
        let verdict = if on_time { paint(styles::GOOD, "on time") } else { paint(styles::BAD, "late") };
        writeln!(w, "Marked {} done on {on} ({verdict}; due {}).", paint(styles::BOLD, &id), m.due)
    })
}

/// A milestone with where it stands today.
#[derive(Debug, Serialize)]
pub struct MilestoneRow {
    /// The milestone.
    #[serde(flatten)]
    pub milestone: Milestone,
    /// done, upcoming, due-today or overdue.
    pub state: &'static str,
    /// Calendar days from today to the due date (negative when late).
    pub days_left: i32,
}

/// The milestones of a case with their state on `today`, in due-date order.
pub fn rows(milestones: &[Milestone], today: Date) -> Vec<MilestoneRow> {
    let mut rows: Vec<MilestoneRow> = milestones
        .iter()
        .map(|m| {
            let days_left = (m.due - today).get_days();
            let state = if m.done.is_some() {
                "done"
            } else if days_left < 0 {
                "overdue"
            } else if days_left == 0 {
                "due-today"
            } else {
                "upcoming"
            };
            MilestoneRow {
                milestone: m.clone(),
                state,
                days_left,
            }
        })
        .collect();
    rows.sort_by_key(|r| r.milestone.due);
    rows
}

/// Writes milestone rows as text.
pub fn write_rows(w: &mut dyn std::io::Write, rows: &[MilestoneRow]) -> std::io::Result<()> {
    let width = rows
        .iter()
        .map(|r| r.milestone.id.as_str().len())
        .max()
        .unwrap_or(0);
    for r in rows {
        let m = &r.milestone;
        let when = match (r.state, m.done) {
            (_, Some(d)) => paint(styles::GOOD, format!("done {d}")),
            ("overdue", _) => paint(styles::BAD, format!("overdue by {} days", -r.days_left)),
            ("due-today", _) => paint(styles::WARN, "due today"),
            _ => format!("{} days left", r.days_left),
        };
        let owner = m
            .owner
            .as_ref()
            .map(|o| format!("  ({o})"))
            .unwrap_or_default();
        writeln!(
            w,
            "{}  {}  {}  {when}{owner}",
            paint(styles::BOLD, format!("{:width$}", m.id.as_str())),
            m.due,
            m.title
        )?;
    }
    Ok(())
}

fn list(ctx: &mut Ctx, ui: &mut Ui) -> Result<(), CommandError> {
    let ws = ctx.workspace()?;
    let config = ws.config()?;
    let rows = rows(&config.milestones, ctx.clock.today());
    ui.emit(&rows, |w| {
        if rows.is_empty() {
            writeln!(w, "No milestones yet. Add one with `strategi milestone add ID --title TITLE --due YYYY-MM-DD`.")?;
        }
        write_rows(w, &rows)
    })
}
