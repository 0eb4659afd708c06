//! `strategi archive verify DIR`: checks a Noark 5 transfer package (see
//! `strategi::archive::verify`) and names every problem with its file and element.

use clap::{Args, Subcommand};

use super::ui::{paint, styles};
use super::{CommandError, Ctx, Ui};

/// The case's Noark 5 (v5.5) transfer package.
#[derive(Debug, Subcommand)]
pub enum ArchiveCommand {
    Verify(VerifyArgs),
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
