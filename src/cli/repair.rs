//! `strategi repair`: cleans up what killed commands left, and says what it did.

use clap::Args;

use strategi::approval::verify::orphan_approval_tags;
use strategi::store::NoticeLevel;

use super::ui::{paint, styles};
use super::{CommandError, Ctx, Ui};

/// Clean up what interrupted commands left: git lock files that no running program
/// holds, a half-finished command (undone, or finished when it had committed), the
/// missing tag of a version commit, a signed approval tag without its approval record,
/// empty folders and temporary files. A lock file a running program holds is never
/// removed. Exit 0 when nothing is left to repair, 1 otherwise.
///
/// Every command that writes already does the cheap part of this when it starts;
/// `verify` reports what is left.
///
/// Example: strategi repair
#[derive(Debug, Args)]
pub struct RepairArgs {}

/// Runs `repair`.
pub fn run(ctx: &mut Ctx, ui: &mut Ui, _args: &RepairArgs) -> Result<(), CommandError> {
    let ws = ctx.workspace()?;
    let mut tx = ctx.begin(&ws, "strategi repair")?;
    // Read under the lock, so that no approval can be made between reading and removing.
    let orphans = orphan_approval_tags(&ws)?;
    let report = tx.repair(&orphans)?;
    drop(tx);
    // What starting the transaction repaired is in the report: shown once.
    let warnings: Vec<String> = ctx
        .notices()
        .take()
        .into_iter()
        .filter(|n| n.level == NoticeLevel::Warning)
        .map(|n| n.text)
        .collect();
    for w in &warnings {
        ui.warn(w);
    }
    let ok = report.left.is_empty();
    ui.emit(
        &serde_json::json!({ "ok": ok, "done": report.done, "left": report.left }),
        |w| {
            for d in &report.done {
                writeln!(w, "{} {}", paint(styles::GOOD, "Repaired:"), d.message)?;
            }
            for l in &report.left {
                writeln!(
                    w,
                    "{} {}",
                    paint(styles::BAD, format!("{}:", l.path)),
                    l.message
                )?;
            }
            if report.done.is_empty() && ok {
                writeln!(w, "Nothing to repair.")?;
            }
            Ok(())
        },
    )?;
    if ok {
        Ok(())
    } else {
        Err(CommandError::user(format!(
            "repair left {} thing(s) it could not repair.",
            report.left.len()
        ))
        .reported())
    }
}
