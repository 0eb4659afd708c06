//! `strategi deadlines`: every dated obligation, with working days left.

use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use strategi::calendar::{
    DEFAULT_SOON_WORKING_DAYS, DeadlineStatus, DueItem, IcsEvent, Obligation, ObligationKind,
    format_date_long, ics_summary, obligation_uid, obligations, write_ics,
};
use strategi::columns;
use strategi::model::{Config, Lang};

use strategi::store::OutPath;

use super::ui::{paint, styles};
use super::{CommandError, Ctx, Ui};

/// Show every dated obligation of the case in date order: state, calendar and working
/// days left (or late), and who owns it. Deadlines on a weekend or public holiday move
/// to the next working day, and the list says so.
#[derive(Debug, Args)]
pub struct DeadlinesArgs {
    /// Also write the deadlines as an iCalendar file (one all-day event each, with an
    /// alarm; re-exporting updates the events instead of duplicating them).
    /// Never into the workspace's records, strategy/ or .git.
    #[arg(long, value_name = "FILE")]
    pub ics: Option<PathBuf>,
    /// How many working days ahead count as "due soon".
    #[arg(long, default_value_t = DEFAULT_SOON_WORKING_DAYS, value_name = "N")]
    pub soon: u32,
    /// Days before each deadline that the calendar alarm goes off.
    #[arg(long, default_value_t = 3, value_name = "DAYS")]
    pub alarm: u32,
    /// Replace the --ics file if it exists (re-exporting to the same file).
    #[arg(long, requires = "ics")]
    pub force: bool,
}

#[derive(Serialize)]
struct Deadlines {
    today: jiff::civil::Date,
    obligations: Vec<Obligation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ics: Option<PathBuf>,
}

/// Runs `deadlines`.
pub fn run(ctx: &mut Ctx, ui: &mut Ui, args: &DeadlinesArgs) -> Result<(), CommandError> {
    let out = args
        .ics
        .as_ref()
        .map(|p| OutPath::check(&ctx.start_dir().join(p), args.force))
        .transpose()?;
    let ws = ctx.workspace()?;
    let config = ws.config()?;
    let today = ctx.clock.today();
    let rounds = strategi::consultation::load_rounds(
        &ws,
        &config,
        today,
        &strategi::calendar::work_calendar(&config),
    )?;
    let items = case_obligations(&config, &rounds, today, args.soon)?;
    let ics = match &out {
        None => None,
        Some(out) => {
            let text = ics_text(&config, &items, ctx, args.alarm);
            out.write(text.as_bytes())?;
            let path = out.path().to_path_buf();
            ui.note(format!(
                "Wrote {} events to \"{}\".",
                items.len(),
                path.display()
            ));
            Some(path)
        }
    };
    let result = Deadlines {
        today,
        obligations: items,
        ics,
    };
    ui.emit(&result, |w| {
        writeln!(
            w,
            "{} (today: {})",
            paint(styles::BOLD, &config.case.title),
            format_date_long(today, Lang::En)
        )?;
        if result.obligations.is_empty() {
            writeln!(
                w,
                "No dated obligations yet. Add one with `strategi milestone add`."
            )?;
        }
        write_table(w, &result.obligations)
    })
}

/// Every obligation of the case: milestones, the rounds' deadlines, and extended party
/// deadlines.
pub fn case_obligations(
    config: &Config,
    rounds: &[strategi::consultation::RoundState],
    today: jiff::civil::Date,
    soon: u32,
) -> Result<Vec<Obligation>, CommandError> {
    let mut extra = Vec::new();
    for r in rounds {
        let done = r
            .closed
            .map(|t| t.to_zoned_datetime(strategi::calendar::oslo()).date());
        extra.push(DueItem {
            kind: ObligationKind::Round,
            id: r.def.id.to_string(),
            title: r
                .def
                .kind
                .answers_title(config.case.lang, r.def.version, false),
            owner: Some(r.def.sender.clone()),
            due: r.def.due,
            done,
        });
        for p in r.parties.iter().filter(|p| p.extended) {
            extra.push(DueItem {
                kind: ObligationKind::PartyDue,
                id: format!("{}/{}", r.def.id, p.party),
                title: r
                    .def
                    .kind
                    .answers_title(config.case.lang, r.def.version, true),
                owner: Some(p.party.clone()),
                due: p.due,
                done,
            });
        }
    }
    Ok(obligations(config, extra, today, soon)?)
}

/// Writes obligations as an aligned table; overdue items stand out.
pub fn write_table(w: &mut dyn std::io::Write, items: &[Obligation]) -> std::io::Result<()> {
    let id_w = columns::column_width(items.iter().map(|o| o.id.as_str()), usize::MAX);
    let title_w = columns::column_width(items.iter().map(|o| o.title.as_str()), 48);
    for o in items {
        let a = &o.assessment;
        let state = match a.status {
            DeadlineStatus::Done => paint(
                styles::GOOD,
                format!("done {}", o.done.map(|d| d.to_string()).unwrap_or_default()),
            ),
            DeadlineStatus::Overdue => paint(
                styles::BAD,
                format!(
                    "OVERDUE by {}",
                    days(-a.working_days_left, -a.calendar_days_left)
                ),
            ),
            DeadlineStatus::DueToday => paint(styles::WARN, "due today"),
            DeadlineStatus::DueSoon => paint(
                styles::WARN,
                format!(
                    "due soon: {} left",
                    days(a.working_days_left, a.calendar_days_left)
                ),
            ),
            DeadlineStatus::Upcoming => {
                format!("{} left", days(a.working_days_left, a.calendar_days_left))
            }
        };
        let title = columns::fit(&o.title, title_w);
        let owner = o
            .owner
            .as_ref()
            .map(|p| format!("  {p}"))
            .unwrap_or_default();
        writeln!(
            w,
            "  {}  {}  {title}  {state}{}",
            o.due.date,
            paint(styles::BOLD, columns::pad(&o.id, id_w)),
            paint(styles::DIM, owner)
        )?;
        if let Some(why) = o.due.explanation(Lang::En) {
            writeln!(w, "  {}  {}", " ".repeat(10), paint(styles::DIM, why))?;
        }
    }
    Ok(())
}

fn ics_text(config: &Config, items: &[Obligation], ctx: &Ctx, alarm: u32) -> String {
    let events: Vec<IcsEvent> = items
        .iter()
        .map(|o| {
            let kind = serde_json::to_value(o.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let mut description = format!("{} ({})", o.title, o.id);
            if let Some(owner) = &o.owner {
                description.push_str(&format!(
                    "\nAnsvarlig: {} ({})",
                    config.party_name(owner),
                    owner
                ));
            }
            if let Some(why) = o.due.explanation(config.case.lang) {
                description.push('\n');
                description.push_str(&why);
            }
            // Short, leading with what and who ("Frist FIN: svar på framlegging
            // v1"); the case title goes in the description.
            description.push('\n');
            description.push_str(&config.case.title);
            let summary = ics_summary(
                config.case.lang,
                o.owner.as_ref().map(|p| p.as_str()),
                &o.title,
                o.is_done(),
            );
            IcsEvent {
                uid: obligation_uid(config, &kind, &o.id),
                date: o.due.date,
                summary,
                description,
                alarm_days_before: (!o.is_done()).then_some(alarm),
                done: o.is_done(),
            }
        })
        .collect();
    write_ics(&config.case.title, &events, &ctx.clock.now())
}

/// "1 working day (3 days)", "4 working days (6 days)".
fn days(working: i32, calendar: i64) -> String {
    let w = if working == 1 {
        "working day"
    } else {
        "working days"
    };
    let c = if calendar == 1 { "day" } else { "days" };
    format!("{working} {w} ({calendar} {c})")
}
