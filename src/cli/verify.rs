//! `strategi verify`: checks the whole workspace and reports every problem with what to
//! do about it.
//!
//! The check is the library's (`strategi::approval::verify::verify`), returning the
//! findings and the counts of what was checked; this command only formats them. Exit 0
//! when there is nothing to report, 1 otherwise; with `--json` the one value is
//! `{"ok": bool, "findings": [{"kind", "path", "commit"?, "message", "hint"}],
//! "checked": {...}, "notes": [...]}`; a note (such as the commits whose authorship
//! rests only on the git host's access control) is not a problem and is printed as
//! `Note: …` before the result.

use clap::Args;

use strategi::approval::verify::verify_with_anchor;
use strategi::sign::AllowedSigners;

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
/// And keys: a party's signing key counts only when history shows the party added it
/// itself; every other key, and every approval signed by one, is reported. With
/// --allowed-signers FILE, every signed approval is also checked against that trust
/// anchor from outside the workspace (e.g. the approver's published key).
///
/// And commits: where the case requires signed commits ([approval]
/// require_signed_commits in strategi.toml), every commit that touches records acting
/// as such a party must be SSH-signed with one of that party's own keys; otherwise a
/// note names the commits whose authorship rests only on the git host's access control.
///
/// Example: strategi verify --allowed-signers ~/dfd_published_allowed_signers
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// An allowed-signers file (ssh-keygen's format) from outside the workspace: each
    /// signed approval must be signed by a key it allows for the approver (principal
    /// CODE@strategi, namespace git).
    #[arg(long, value_name = "FILE")]
    pub allowed_signers: Option<std::path::PathBuf>,
}

/// Runs `verify`.
pub fn run(ctx: &mut Ctx, ui: &mut Ui, args: &VerifyArgs) -> Result<(), CommandError> {
    let anchor = args
        .allowed_signers
        .as_ref()
        .map(|f| -> Result<AllowedSigners, CommandError> {
            let text = strategi::store::read_bounded_text(
                &ctx.start_dir().join(f),
                strategi::store::limits::KEY,
                "allowed-signers file",
            )?;
            let anchor = AllowedSigners::parse(&text)?;
            if anchor.is_empty() {
                return Err(CommandError::user(format!(
                    "The allowed-signers file \"{}\" has no ssh-ed25519 key that can be checked.",
                    f.display()
                ))
                .hint("Give a file with lines `DFD@strategi ssh-ed25519 AAAA…`, as `strategi keys allowed-signers` writes."));
            }
            Ok(anchor)
        })
        .transpose()?;
    let ws = ctx.workspace()?;
    let r = verify_with_anchor(&ws, ctx.clock.today(), anchor.as_ref())?;
    let ok = r.is_ok();
    let checked: Vec<String> = r
        .checked
        .iter()
        .map(|(what, n)| match what.strip_suffix('s') {
            // The counted things are named in the plural ("rounds", "later acts").
            Some(one) if *n == 1 => format!("1 {one}"),
            _ => format!("{n} {what}"),
        })
        .collect();
    ui.emit(
        &serde_json::json!({ "ok": ok, "findings": r.findings, "checked": r.checked, "notes": r.notes }),
        |w| {
            for n in &r.notes {
                writeln!(w, "{} {n}", paint(styles::DIM, "Note:"))?;
            }
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
