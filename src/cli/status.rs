//! `strategi status`: where the case stands.
//!
//! The phase is the library's (`strategi::approval::phase`, a typed `Phase`); this
//! command puts it in words and shows it with the case, versions, rounds and deadlines.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde::Serialize;

use strategi::approval::{PartyKeys, Phase, load_approval_fold, party_keys_by_history, phase_from};
use strategi::calendar::{DeadlineMove, work_calendar};
use strategi::consultation::{RoundState, load_rounds};
use strategi::model::{Case, Lang, RecordId, Version, VersionName};

use strategi::calendar::{DEFAULT_SOON_WORKING_DAYS, Obligation, next_deadlines, oslo};
use strategi::report::{Dashboard, Event, dashboard_html};
use strategi::store::OutPath;

use super::deadlines::{case_obligations, write_table};
use super::ui::{paint, styles};
use super::{CommandError, Ctx, Ui};

/// Show where the case stands: its phase (drafting, submitted, in consultation,
/// revising, approved, approval not valid, approval void), the case, its versions and
/// its milestones.
///
/// With --format html: one page to open, print or send (a head of department, the
/// approver): the phase, a timeline of milestones, versions, hand-ins, approvals and
/// rounds with each party's answer (on time, late, missing), the next deadlines and
/// the open comments per section, in the case's language.
///
/// Example: strategi status --format html --out status.html
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = StatusFormat::Text)]
    pub format: StatusFormat,
    /// Write the page to this file (atomically; never into the workspace's records,
    /// strategy/ or .git) instead of stdout. Only with --format html.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Replace the --out file if it exists.
    #[arg(long, requires = "out")]
    pub force: bool,
}

/// Output formats of `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusFormat {
    /// Lines for a terminal (or JSON with --json).
    Text,
    /// One standalone HTML page with a timeline (SVG).
    Html,
}

/// The phase as shown: its name, what it concerns, and one sentence.
#[derive(Debug, Clone, Serialize)]
pub(super) struct PhaseView {
    /// `drafting`, `submitted`, `in-consultation`, `revising`, `approved`,
    /// `approval-invalid`, `approval-void`.
    pub name: &'static str,
    /// The version concerned (submitted, in consultation, approved), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<VersionName>,
    /// The day of the event that set the phase (submission, round opened, approval).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<jiff::civil::Date>,
    /// The open round, in consultation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub round: Option<RecordId>,
    /// The phase in one sentence.
    pub summary: String,
    /// How a terminal shows it.
    #[serde(skip)]
    style: anstyle::Style,
}

impl PhaseView {
    /// The phase as shown, with the rounds (for the deadline that applies).
    fn of(p: &Phase, rounds: &[RoundState]) -> PhaseView {
        PhaseView {
            name: p.name(),
            version: p.version(),
            date: p.date(),
            round: p.round().cloned(),
            summary: summary(p, rounds),
            style: match p {
                Phase::Approved { .. } => styles::GOOD,
                Phase::ApprovalVoid { .. } | Phase::ApprovalInvalid { .. } => styles::BAD,
                _ => styles::BOLD,
            },
        }
    }
}

/// The phase in one sentence. The deadline shown is the one that applies (moved off a
/// closed day, with why).
fn summary(p: &Phase, rounds: &[RoundState]) -> String {
    match p {
        Phase::Drafting => "drafting: nothing handed in yet".to_string(),
        Phase::Submitted { version, to, date } => {
            format!("submitted: {version} handed to {to} on {date}")
        }
        Phase::InConsultation {
            round,
            version,
            waiting,
            recipients,
            due,
            ..
        } => {
            let state = rounds.iter().find(|r| &r.def.id == round);
            let due = match state.and_then(|r| r.due_moved.as_ref()) {
                Some(m) => format!("{} ({})", m.to, m.note_in(Lang::En)),
                None => due.to_string(),
            };
            format!(
                "in consultation: round {round} on {version}, {waiting} of {recipients} still to answer, due {due}"
            )
        }
        Phase::Revising => {
            "revising: every round is closed or answered; not yet approved".to_string()
        }
        Phase::Approved { version, by, date } => {
            format!("approved: {version} by {by} on {date}")
        }
        Phase::ApprovalInvalid { version, date, why } => format!(
            "APPROVAL NOT VALID: the approval of {version} on {date} does not stand: {why} (run `strategi verify`)"
        ),
        Phase::ApprovalVoid { version, date } => format!(
            "APPROVAL VOID: {version} was approved on {date}, but its text has changed since (run `strategi verify`)"
        ),
    }
}

#[derive(Serialize)]
struct Status {
    phase: PhaseView,
    case: Case,
    today: jiff::civil::Date,
    parties: usize,
    versions: usize,
    latest_version: Option<Version>,
    /// The next three open deadlines, and every overdue one.
    deadlines: Vec<Obligation>,
    /// Every round, with its answers and comments counted.
    rounds: Vec<RoundSummary>,
    /// The approver's signing keys by history (fingerprints), to confirm out of band.
    approver_keys: PartyKeys,
    /// Approvals withdrawn by the approver, oldest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    withdrawn: Vec<WithdrawnView>,
    /// Setting records the configuration's fold ignored (a party or milestone added
    /// twice, as by two clones at once): conflicts to settle.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    settings_ignored: Vec<strategi::store::SettingFinding>,
    /// The git remote (`origin`, else the first): what is not pushed or pulled as of
    /// the last fetch, and the last sync. Absent without a remote.
    #[serde(skip_serializing_if = "Option::is_none")]
    remote: Option<strategi::store::RemoteStatus>,
    /// Keys of strategi.toml a sync found changed differently on both sides, unsettled.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    config_conflicts: Vec<strategi::store::OpenConflict>,
}

/// A withdrawn approval in the status.
#[derive(Serialize)]
struct WithdrawnView {
    version: VersionName,
    approved: jiff::Timestamp,
    withdrawn: jiff::Timestamp,
    by: strategi::model::PartyCode,
    reason: String,
    /// Its signed tag, kept as history.
    #[serde(skip_serializing_if = "Option::is_none")]
    signed_tag: Option<String>,
}

/// A round in the status: how many answered, how many comments are still open.
#[derive(Serialize)]
struct RoundSummary {
    id: strategi::model::RecordId,
    title: String,
    version: strategi::model::VersionName,
    open: bool,
    /// The deadline that applies (moved off a closed day).
    due: jiff::civil::Date,
    /// Why it was moved, when it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    due_moved: Option<DeadlineMove>,
    #[serde(flatten)]
    counts: super::round::Counts,
    comments: usize,
    open_comments: usize,
    /// In an open høring: of `comments`, how many are the respondents'.
    #[serde(skip_serializing_if = "Option::is_none")]
    respondent_comments: Option<usize>,
}

/// Runs `status`.
pub fn run(ctx: &mut Ctx, ui: &mut Ui, args: &StatusArgs) -> Result<(), CommandError> {
    if args.out.is_some() && args.format != StatusFormat::Html {
        return Err(CommandError::usage(
            "--out writes the page of --format html; add --format html.",
        ));
    }
    let out = args
        .out
        .as_ref()
        .map(|p| OutPath::check(&ctx.start_dir().join(p), args.force))
        .transpose()?;
    let ws = ctx.workspace()?;
    let settings = ws.settings()?;
    let config = settings.config;
    let names = ws.version_names()?;
    let latest_version = names.last().map(|n| ws.version(*n)).transpose()?;
    let today = ctx.clock.today();
    // Rounds are read once and serve the phase, the deadlines and the counts.
    let states = load_rounds(&ws, &config, today, &work_calendar(&config))?;
    let comments = super::comment::comments_of(&ws, &config, &states)?;
    let consulted: Vec<_> = states.iter().zip(&comments).collect();
    // Folded once: the phase, the withdrawn approvals and the page's approvals.
    let approvals = load_approval_fold(&ws, &config, &consulted)?;
    let the_phase = phase_from(&ws, &config, &states, &approvals)?;
    let obligations = case_obligations(&config, &states, today, DEFAULT_SOON_WORKING_DAYS)?;
    if args.format == StatusFormat::Html {
        let day = |t: jiff::Timestamp| t.to_zoned_datetime(oslo()).date();
        let mut versions = Vec::with_capacity(names.len());
        for n in &names {
            let v = ws.version(*n)?;
            versions.push(Event {
                what: v.name.to_string(),
                date: day(v.created),
                note: v.label.clone(),
            });
        }
        let document = match &latest_version {
            Some(v) => Some(super::version::document(
                ws.version_files(v)?,
                &v.name.to_string(),
            )?),
            None => None,
        };
        let page = dashboard_html(&Dashboard {
            config: &config,
            today,
            phase: &the_phase,
            obligations: &obligations,
            rounds: &states,
            comments: &comments,
            document: document.as_ref(),
            versions,
            submissions: strategi::approval::submissions_that_count(&ws, &config)?
                .into_iter()
                .map(|s| Event {
                    what: s.version.to_string(),
                    date: day(s.at),
                    note: s.to.to_string(),
                })
                .collect(),
            approvals: approvals
                .approvals
                .iter()
                .map(|(_, a)| Event {
                    what: a.version.to_string(),
                    date: day(a.at),
                    note: a.by.to_string(),
                })
                .collect(),
        });
        return match &out {
            Some(out) => {
                out.write(page.as_bytes())?;
                let path = out.path();
                ui.emit(
                    &serde_json::json!({ "format": "html", "out": path, "phase": the_phase.name() }),
                    |w| writeln!(w, "Wrote the status page to {}.", path.display()),
                )
            }
            None => ui.print_raw(&page),
        };
    }
    let rounds = states
        .iter()
        .zip(&comments)
        .map(|(r, c)| RoundSummary {
            counts: super::round::counts(r),
            comments: c.comments.len(),
            open_comments: c.comments.iter().filter(|c| c.decision.is_none()).count(),
            respondent_comments: r.def.open.then(|| {
                c.comments
                    .iter()
                    .filter(|c| r.respondent(&c.record.party).is_some())
                    .count()
            }),
            open: r.closed.is_none(),
            due: r.effective_due,
            due_moved: r.due_moved.clone(),
            id: r.def.id.clone(),
            title: r.def.title.clone(),
            version: r.def.version,
        })
        .collect();
    let status = Status {
        rounds,
        phase: PhaseView::of(&the_phase, &states),
        today,
        parties: config.parties.len(),
        versions: names.len(),
        latest_version,
        deadlines: next_deadlines(obligations),
        approver_keys: party_keys_by_history(&ws, &config, &config.case.approver)?,
        withdrawn: {
            approvals
                .withdrawn
                .into_iter()
                .map(|w| WithdrawnView {
                    version: w.record.version,
                    approved: w.record.at,
                    withdrawn: w.withdrawal.at,
                    by: w.withdrawal.by,
                    reason: w.withdrawal.reason,
                    signed_tag: w.record.signed_tag,
                })
                .collect()
        },
        case: config.case.clone(),
        settings_ignored: settings.findings,
        remote: ws.remote_status()?,
        config_conflicts: ws.open_config_conflicts()?,
    };
    ui.emit(&status, |w| {
        let c = &status.case;
        writeln!(w, "{}", paint(styles::BOLD, &c.title))?;
        writeln!(
            w,
            "Phase     {}",
            paint(status.phase.style, &status.phase.summary)
        )?;
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
        if status.approver_keys.own.is_empty() {
            writeln!(w, "Keys      {} has no signing keys of its own", c.approver)?;
        } else {
            writeln!(
                w,
                "Keys      {} (confirm with {} out of band)",
                status.approver_keys.own.join(", "),
                c.approver
            )?;
        }
        for f in &status.approver_keys.foreign {
            writeln!(
                w,
                "          {} listed for {} but not added by it (see `strategi verify`)",
                paint(styles::BAD, f),
                c.approver
            )?;
        }
        writeln!(w, "Parties   {}", status.parties)?;
        for f in &status.settings_ignored {
            writeln!(
                w,
                "          {} ignored: {} (see `strategi verify`)",
                paint(styles::BAD, &f.path),
                f.message
            )?;
        }
        match &status.latest_version {
            None => writeln!(w, "Versions  none yet")?,
            Some(v) => writeln!(
                w,
                "Versions  {} (latest {} \"{}\", {})",
                status.versions,
                v.name,
                v.label,
                v.created.to_zoned_datetime(strategi::calendar::oslo()).date()
            )?,
        }
        for x in &status.withdrawn {
            writeln!(
                w,
                "Withdrawn {}'s approval, by {} on {}: {}{}",
                x.version,
                x.by,
                x.withdrawn.to_zoned_datetime(strategi::calendar::oslo()).date(),
                x.reason,
                x.signed_tag
                    .as_deref()
                    .map(|t| format!(" (signed tag {t} kept as history)"))
                    .unwrap_or_default()
            )?;
        }
        writeln!(w, "Today     {}", status.today)?;
        if let Some(r) = &status.remote {
            let last = match &r.last_sync {
                Some(s) => format!("last sync {}", s.at),
                None => "never synced".to_string(),
            };
            if r.fetched {
                writeln!(
                    w,
                    "Remote    {} ({}): {} commit(s) not pushed, {} not pulled (as of the last fetch), {last}",
                    r.name, r.url, r.not_pushed, r.not_pulled
                )?;
            } else {
                writeln!(w, "Remote    {} ({}): never fetched, {last}", r.name, r.url)?;
            }
        }
        for c in &status.config_conflicts {
            writeln!(
                w,
                "{} strategi.toml \"{}\" was changed differently on both sides (sync {}); settle it: `strategi config settle {} --keep` or `--value VALUE` (both values: `strategi config conflicts`)",
                paint(styles::BAD, "Conflict "),
                c.key,
                c.commit.get(..12).unwrap_or(&c.commit),
                c.key
            )?;
        }
        if !status.rounds.is_empty() {
            writeln!(w)?;
            writeln!(w, "{}", paint(styles::BOLD, "Rounds"))?;
            for r in &status.rounds {
                writeln!(
                    w,
                    "  {}  {}  {}  answered {}/{} ({} no comments, {}{} overdue)  comments {} ({} open)  due {}",
                    r.id,
                    if r.open { "open  " } else { "closed" },
                    r.version,
                    r.counts.answered,
                    r.counts.recipients,
                    r.counts.no_comments,
                    if r.counts.late > 0 {
                        format!("{} late, ", r.counts.late)
                    } else {
                        String::new()
                    },
                    r.counts.overdue,
                    r.comments,
                    r.open_comments,
                    match &r.due_moved {
                        Some(m) => format!("{} ({})", r.due, m.note_in(Lang::En)),
                        None => r.due.to_string(),
                    }
                )?;
                if let Some(n) = r.counts.respondents {
                    writeln!(
                        w,
                        "      {}: {n} ({} private persons), comments {}",
                        strategi::report::respondents_heading(Lang::En),
                        r.counts.private_respondents.unwrap_or(0),
                        r.respondent_comments.unwrap_or(0)
                    )?;
                }
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
