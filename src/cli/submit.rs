//! `strategi submit V --to P`: the drafter hands a version to a party (normally the
//! approver).
//!
//! The hand-in is a record, `submissions/<stamp>-<id>.toml`, naming the version with its
//! commit and `strategy/` tree, so what was handed in stays provable even if a tag is
//! moved later. With `--milestone` the milestone is marked done in the same commit, and
//! the record says whether that was on time against the milestone's deadline as moved
//! off weekends and holidays (domstolloven § 149), as `deadlines` shows it.
//!
//! The rules and the act are the library's (`strategi::approval::rules::may_submit`,
//! `strategi::approval::submit`); this command parses, calls and renders.

use clap::Args;

use strategi::approval::{SubmissionRequest, submit};
use strategi::calendar::format_date_words;
use strategi::model::{Lang, MilestoneId, PartyCode};

use super::parse;
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
    #[arg(long, value_name = "PARTY", value_parser = parse::party)]
    pub to: PartyCode,
    /// A note (recorded).
    #[arg(long, value_parser = parse::one_line("note"))]
    pub note: Option<String>,
    /// The milestone this hand-in completes (marked done today).
    #[arg(long, value_name = "ID", value_parser = parse::milestone)]
    pub milestone: Option<MilestoneId>,
}

/// Runs `submit`.
pub fn run(ctx: &mut Ctx, ui: &mut Ui, args: &SubmitArgs) -> Result<(), CommandError> {
    let (to, milestone, note) = (args.to.clone(), args.milestone.clone(), args.note.clone());
    let ws = ctx.workspace()?;
    let (tx, config) = ctx.begin_with_config(&ws, "strategi submit")?;
    let actor = ctx.actor(&ws, &config)?;
    let version = super::version::resolve(&ws, &args.version)?;
    let now = ctx.clock.now();
    let today = now.date();
    let submitted = submit(
        tx,
        &actor,
        &now,
        &config,
        SubmissionRequest {
            version: &version,
            to,
            note,
            milestone,
        },
    )?;
    let when = match &submitted.timing {
        None => String::new(),
        Some(t) => {
            let rel = match t.days_before {
                0 => "on the deadline day".to_string(),
                1 => "1 day before the deadline".to_string(),
                -1 => "1 day after the deadline".to_string(),
                d if d > 0 => format!("{d} days before the deadline"),
                d => format!("{} days after the deadline", -d),
            };
            format!(
                ", {rel} ({}, {})",
                t.milestone,
                format_date_words(t.due, Lang::En)
            )
        }
    };
    let record = &submitted.record;
    ui.emit(
        &serde_json::json!({ "submission": record, "commit": submitted.commit }),
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
