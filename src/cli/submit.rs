//! `strategi submit V --to P`: the drafter hands a version to a party (normally the
//! approver).
//!
//! The hand-in is a record, `submissions/<stamp>-<id>.toml`, naming the version with its
//! commit and `strategy/` tree, so what was handed in stays provable even if a tag is
//! moved later. With `--milestone` the milestone is marked done in the same commit, and
//! the record says whether that was on time against the milestone's deadline as moved
//! off weekends and holidays (domstolloven § 149), as `deadlines` shows it.

use clap::Args;

use strategi::approval::{SubmissionRecord, submission_path};
use strategi::calendar::{calendar_days_between, format_date_words, work_calendar};
use strategi::model::{Lang, MilestoneId, PartyCode};
use strategi::store::{CONFIG_FILE, ConfigEditor};

use super::round::one_line;
use super::ui::{paint, styles};
use super::{CommandError, Ctx, Ui};

/// Hand a version to a party (normally the approver), recorded with its exact text;
/// with --milestone, mark that milestone done and record whether it was on time.
///
/// Example: strategi submit v1 --to DFD --milestone forslag-dfd
#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// The version: v3, 3, "latest", or the start of its label.
    #[arg(value_name = "VERSION")]
    pub version: String,
    /// The party it is handed to (normally the approver).
    #[arg(long, value_name = "PARTY")]
    pub to: String,
    /// A note (recorded).
    #[arg(long)]
    pub note: Option<String>,
    /// The milestone this hand-in completes (marked done today).
    #[arg(long, value_name = "ID")]
    pub milestone: Option<String>,
}

/// Runs `submit`.
pub fn run(ctx: &mut Ctx, ui: &mut Ui, args: &SubmitArgs) -> Result<(), CommandError> {
    let to: PartyCode = args.to.parse()?;
    let milestone: Option<MilestoneId> = args.milestone.as_deref().map(str::parse).transpose()?;
    let note = args
        .note
        .as_deref()
        .map(|n| one_line(n, "note"))
        .transpose()?;
    let ws = ctx.workspace()?;
    let mut tx = ctx.begin(&ws, "strategi submit")?;
    let text = ws.config_text()?;
    let config = ws.config()?;
    let actor = ctx.actor(&ws, &config)?;
    let version = super::version::resolve(&ws, &args.version)?;
    if !config.knows_party(&to) {
        return Err(
            CommandError::user(format!("\"{to}\" is not a party of this case.")).hint(format!(
                "The approver is {}; see the parties with `strategi party list`.",
                config.case.approver
            )),
        );
    }
    if to == actor.party {
        return Err(
            CommandError::user(format!("{to} cannot hand a version to itself.")).hint(format!(
                "Hand it to the approver with --to {}, or act as the drafter with --as {}.",
                config.case.approver, config.case.owner
            )),
        );
    }
    let today = ctx.clock.today();
    let mut timing = None;
    if let Some(id) = &milestone {
        let Some(m) = config.milestone(id) else {
            return Err(
                CommandError::user(format!("There is no milestone \"{id}\"."))
                    .hint("See the milestones with `strategi milestone list`."),
            );
        };
        if let Some(d) = m.done {
            return Err(CommandError::user(format!(
                "Milestone \"{id}\" was already marked done on {d}."
            ))
            .hint("Submit without --milestone to record a later hand-in."));
        }
        let deadline = work_calendar(&config).adjust_deadline(m.due)?;
        timing = Some((m.clone(), deadline.date));
        let mut editor = ConfigEditor::new(&ws.config_path(), &text)?;
        editor.mark_milestone_done(id, today);
        let (new_text, _) = editor.finish()?;
        tx.write(CONFIG_FILE, new_text);
    }
    let record = SubmissionRecord {
        id: tx.new_id(strategi::model::RecordKind::Submission),
        version: version.name,
        commit: version.commit.clone(),
        tree: version.tree.clone(),
        to: to.clone(),
        by: actor.party.clone(),
        at: ctx.clock.now().timestamp(),
        note,
        milestone: milestone.clone(),
        on_time: timing.as_ref().map(|(_, due)| today <= *due),
    };
    let body = toml::to_string(&record)
        .map_err(|e| CommandError::internal(format!("Could not write the submission: {e}")))?;
    tx.write(&submission_path(&record), body);
    let when = match &timing {
        None => String::new(),
        Some((m, due)) => {
            let days = calendar_days_between(today, *due);
            let rel = match days {
                0 => "on the deadline day".to_string(),
                1 => "1 day before the deadline".to_string(),
                -1 => "1 day after the deadline".to_string(),
                d if d > 0 => format!("{d} days before the deadline"),
                d => format!("{} days after the deadline", -d),
            };
            format!(", {rel} ({}, {})", m.id, format_date_words(*due, Lang::En))
        }
    };
    let commit = tx.commit(
        &format!("Submit {} to {to}", version.name),
        &format!(
            "\"{}\", commit {}, tree {}.{}",
            version.label,
            version.commit,
            version.tree,
            record
                .milestone
                .as_ref()
                .map(|m| format!(
                    "\nCompletes milestone {m} ({}).",
                    if record.on_time == Some(true) {
                        "on time"
                    } else {
                        "late"
                    }
                ))
                .unwrap_or_default()
        ),
        strategi::model::Action::Submit,
        &actor,
        &ctx.clock.now(),
    )?;
    ui.emit(
        &serde_json::json!({ "submission": record, "commit": commit }),
        |w| {
            let sentence = format!(
                "Submitted {} to {} on {today}{when}.",
                paint(styles::BOLD, record.version),
                record.to
            );
            match record.on_time {
                Some(false) => writeln!(w, "{}", paint(styles::BAD, sentence)),
                _ => writeln!(w, "{sentence}"),
            }
        },
    )
}
