//! `strategi archive verify DIR`: checks a Noark 5 transfer package (see
//! `strategi::archive::verify`) and names every problem with its file and element.

use clap::{Args, Subcommand};

use super::ui::{paint, styles};
use super::{CommandError, Ctx, Ui};

/// The case's Noark 5 (v5.5) transfer package.
#[derive(Debug, Subcommand)]
pub enum ArchiveCommand {
    Export(ExportArgs),
    Verify(VerifyArgs),
}

/// Write the case's Noark 5 (v5.5) transfer package into a folder.
///
/// The package: arkivstruktur.xml (the case as a
/// closed saksmappe, a journalpost per journal entry with its parties, documents and
/// SHA-256 checksums), endringslogg.xml (superseded positions and comment decisions),
/// loependeJournal.xml, offentligJournal.xml (screened titles), arkivuttrekk.xml
/// (ADDML: every file and its checksum), the schemas and the documents (a Markdown
/// archival copy, the originals beside it). The package is checked with `archive verify`
/// before success is reported. An open case (not approved, or a round still open) is
/// refused unless --as-of DATE is given: the snapshot then takes the journal entries up
/// to that date and marks the case file closed as of that date. The folder is written
/// beside DIR and renamed into place; a non-empty DIR is refused unless --force.
///
/// Example: strategi archive export --out uttrekk/
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The folder to write the package into (new or empty).
    #[arg(long, value_name = "DIR")]
    pub out: std::path::PathBuf,
    /// Export a snapshot of an open case: entries up to DATE, the case file closed as of
    /// DATE.
    #[arg(long, value_name = "DATE", value_parser = super::parse::date)]
    pub as_of: Option<jiff::civil::Date>,
    /// Replace a non-empty DIR.
    #[arg(long)]
    pub force: bool,
}

/// Check a transfer package: every file's size and SHA-256 against arkivuttrekk.xml, no
/// file undocumented, the shipped schemas identical to the official Noark 5 v5.5.0 ones,
/// the journal counts against arkivstruktur.xml, every referenced document file present
/// with its checksum, unique systemIDs, journal dates within the period. Exit 0 when
/// sound, 1 when anything is wrong.
///
/// Example: strategi archive verify uttrekk/
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The package folder.
    #[arg(value_name = "DIR")]
    pub dir: std::path::PathBuf,
}

/// Runs `archive …`.
pub fn run(ctx: &mut Ctx, ui: &mut Ui, c: &ArchiveCommand) -> Result<(), CommandError> {
    match c {
        ArchiveCommand::Export(a) => export(ctx, ui, a),
        ArchiveCommand::Verify(a) => {
            let dir = ctx.start_dir().join(&a.dir);
            if !dir.is_dir() {
                return Err(CommandError::user(format!(
                    "\"{}\" is not a folder.",
                    a.dir.display()
                ))
                .hint("Give the folder `strategi archive export --out DIR` wrote."));
            }
            let problems = strategi::archive::verify(&dir);
            let ok = problems.is_empty();
            ui.emit(
                &serde_json::json!({ "ok": ok, "problems": problems }),
                |w| {
                    for p in &problems {
                        writeln!(
                            w,
                            "{} {}: {}",
                            paint(styles::BAD, format!("{}:", p.file)),
                            p.element,
                            p.message
                        )?;
                    }
                    if ok {
                        writeln!(
                            w,
                            "{} The package is sound.",
                            paint(styles::GOOD, "All good.")
                        )
                    } else {
                        Ok(())
                    }
                },
            )?;
            if ok {
                Ok(())
            } else {
                Err(CommandError::user(format!(
                    "archive verify found {} problem(s) in the package.",
                    problems.len()
                ))
                .reported())
            }
        }
    }
}

fn export(ctx: &mut Ctx, ui: &mut Ui, a: &ExportArgs) -> Result<(), CommandError> {
    use strategi::approval::{Phase, load_approval_fold, phase_from};
    use strategi::archive::from_workspace::{FromWorkspaceError, package};
    let dir = ctx.start_dir().join(&a.out);
    let ws = ctx.workspace()?;
    let config = ws.config()?;
    let today = ctx.clock.today();
    let rounds = strategi::consultation::load_rounds(
        &ws,
        &config,
        today,
        &strategi::calendar::work_calendar(&config),
    )?;
    let comments = super::comment::comments_of(&ws, &config, &rounds)?;
    let consulted: Vec<_> = rounds.iter().zip(&comments).collect();
    let approvals = load_approval_fold(&ws, &config, &consulted)?;
    let phase = phase_from(&ws, &config, &rounds, &approvals)?;
    let open_round = rounds.iter().find(|r| r.closed.is_none());
    let closed = match (&phase, a.as_of) {
        (_, Some(d)) => d,
        (Phase::Approved { date, .. }, None) if open_round.is_none() => *date,
        (Phase::Approved { .. }, None) => {
            return Err(CommandError::user(format!(
                "The case is approved, but round {} is still open.",
                open_round.map(|r| r.def.id.to_string()).unwrap_or_default()
            ))
            .hint("Close the round first, or give --as-of DATE to export a snapshot."));
        }
        (p, None) => {
            return Err(CommandError::user(format!(
                "The case is open (phase: {}); the archive takes a closed case.",
                p.name()
            ))
            .hint("Approve the case first, or give --as-of DATE to export a snapshot up to that date."));
        }
    };
    let journal = strategi::journal::load_journal(&ws, &config, today)?;
    let pkg = package(&ws, &config, &journal, &rounds, &comments, closed).map_err(|e| {
        let hint = match &e {
            FromWorkspaceError::NoCaseNumber => {
                "Set the case number with `strategi config set case.number 24/3095`."
            }
            FromWorkspaceError::Empty(_) => "Give a later --as-of date.",
            _ => "Run `strategi verify` to check the records.",
        };
        CommandError::user(format!("Cannot export the archive package: {e}.")).hint(hint)
    })?;
    let files: Vec<strategi::publish::bundle::BundleFile> = strategi::archive::write(&pkg)
        .into_iter()
        .map(|(path, bytes)| strategi::publish::bundle::BundleFile { path, bytes })
        .collect();
    super::publish::write_dir(&dir, a.force, &files)?;
    let problems = strategi::archive::verify(&dir);
    let count =
        |k: strategi::archive::Kind| pkg.registrations.iter().filter(|r| r.kind == k).count();
    let (i, u, n) = (
        count(strategi::archive::Kind::Incoming),
        count(strategi::archive::Kind::Outgoing),
        count(strategi::archive::Kind::Internal),
    );
    let bytes: usize = files.iter().map(|f| f.bytes.len()).sum();
    let shown = a.out.display().to_string();
    ui.emit(
        &serde_json::json!({
            "out": shown,
            "closed": closed.to_string(),
            "snapshot": a.as_of.is_some(),
            "files": files.len(),
            "bytes": bytes,
            "registrations": { "I": i, "U": u, "N": n },
            "changes": pkg.changes.len(),
            "ok": problems.is_empty(),
            "problems": problems,
        }),
        |w| {
            writeln!(
                w,
                "Wrote {shown}: {} files, {bytes} bytes; {} registrations (I {i}, U {u}, N {n}), {} changes; case file closed as of {closed}{}.",
                files.len(),
                pkg.registrations.len(),
                pkg.changes.len(),
                if a.as_of.is_some() { " (snapshot)" } else { "" }
            )?;
            for p in &problems {
                writeln!(w, "{} {}: {}", paint(styles::BAD, format!("{}:", p.file)), p.element, p.message)?;
            }
            Ok(())
        },
    )?;
    if problems.is_empty() {
        Ok(())
    } else {
        Err(CommandError::user(format!(
            "The written package failed archive verify with {} problem(s).",
            problems.len()
        ))
        .reported())
    }
}
