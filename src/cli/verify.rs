//! `strategi verify`: checks the whole workspace and reports every problem with what to
//! do about it.
//!
//! The check is the library's (`strategi::approval::verify::verify`), returning the
//! findings and the counts of what was checked; this command only formats them. Exit 0
//! when there is nothing to report, 1 otherwise; with `--json` the one value is
//! `{"ok": bool, "findings": [{"kind", "path", "commit"?, "message", "hint"}],
//! "checked": {...}}`.

use clap::Args;

use strategi::approval::verify::verify;

use super::ui::{paint, styles};
use super::{CommandError, Ctx, Ui};

/// Check the whole workspace: every file parses, references resolve, versions and
/// approvals still match their text, signatures hold, and no record was made by a
/// party that may not make it. Exit 0 when clean, 1 when anything is wrong.
///
/// It also checks time and history: no record dated before what it follows (a decision
/// before its comment, an answer before its round, an approval before its version), no
/// record changed or removed by a later commit, none added by a commit strategi did not
/// make; each is named with the commit and its author.
///
/// Example: strategi verify
#[derive(Debug, Args)]
pub struct VerifyArgs {}

/// Runs `verify`.
pub fn run(ctx: &mut Ctx, ui: &mut Ui, _args: &VerifyArgs) -> Result<(), CommandError> {
    let ws = ctx.workspace()?;
    let r = verify(&ws, ctx.clock.today())?;
    let ok = r.is_ok();
    let checked: Vec<String> = r
        .checked
        .iter()
        .map(|(what, n)| format!("{n} {what}"))
        .collect();
    ui.emit(
        &serde_json::json!({ "ok": ok, "findings": r.findings, "checked": r.checked }),
        |w| {
            for f in &r.findings {
                writeln!(
                    w,
                    "{} {}",
                    paint(styles::BAD, format!("{}:", f.path)),
                    f.message
                )?;
                writeln!(w, "  {} {}", paint(styles::DIM, "→"), f.hint)?;
            }
            if ok {
                writeln!(
                    w,
                    "{} Checked {}.",
                    paint(styles::GOOD, "All good."),
                    checked.join(", ")
                )
            } else {
                writeln!(w, "Checked {}.", checked.join(", "))
            }
        },
    )?;
    if ok {
        Ok(())
    } else {
        Err(CommandError::user(format!(
            "verify found {} problem(s) in the workspace.",
            r.findings.len()
        ))
        .reported())
    }
}
