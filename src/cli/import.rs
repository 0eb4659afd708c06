//! `strategi comment import R FILE...`: e-mail replies and response forms into a round.
//!
//! The command reads the files and prints what became of each; what a reply becomes,
//! and the rules, are in `strategi::consultation::import`.

use strategi::consultation::actions::Acting;
use strategi::consultation::import::{FileResult, ReplyFile, import_replies};
use strategi::store::{limits, read_bounded};

use super::comment::{ImportArgs, round_document};
use super::ui::{paint, styles};
use super::{CommandError, Ctx, Ui};

/// Runs `comment import`.
pub fn run(ctx: &mut Ctx, ui: &mut Ui, args: &ImportArgs) -> Result<(), CommandError> {
    let ws = ctx.workspace()?;
    let mut tx = ctx.begin(&ws, "strategi comment import")?;
    let config = ws.config()?;
    let state = super::round::load(ctx, &ws, &config, &args.round)?;
    let actor = ctx.actor(&ws, &config)?;
    let now = ctx.clock.now();
    let who = Acting {
        config: &config,
        actor: &actor,
        now: &now,
    };
    let doc = round_document(&ws, &state)?;
    let files = args
        .files
        .iter()
        .map(|path| ReplyFile {
            name: path.display().to_string(),
            bytes: read_bounded(&ctx.start_dir().join(path), limits::EMAIL, "e-mail or form")
                .map_err(|e| e.to_string()),
        })
        .collect();
    let done = import_replies(
        &mut tx,
        &who,
        &state,
        &doc,
        files,
        args.from.as_ref(),
        args.skip_bad,
    )?;
    drop(tx);
    let write = done.written();
    ui.emit(&done, |w| {
        for o in &done.files {
            let head = match o.result {
                FileResult::Imported if write => paint(styles::GOOD, "imported "),
                FileResult::Imported => paint(styles::DIM, "not imported"),
                FileResult::Duplicate => paint(styles::DIM, "duplicate"),
                FileResult::Refused => paint(styles::BAD, "REFUSED  "),
            };
            match o.result {
                FileResult::Imported => writeln!(
                    w,
                    "{head} {}: {} (by {}), {} comment(s){}",
                    o.file,
                    o.party.as_ref().map_or("?", |p| p.as_str()),
                    o.matched_by.as_deref().unwrap_or("?"),
                    o.comments,
                    o.position
                        .map(|p| format!(", position {}", p.key()))
                        .unwrap_or_default()
                )?,
                _ => writeln!(
                    w,
                    "{head} {}: {}",
                    o.file,
                    o.reason.as_deref().unwrap_or("")
                )?,
            }
            for warning in &o.warnings {
                writeln!(w, "          {}", paint(styles::WARN, warning))?;
            }
        }
        Ok(())
    })?;
    let refused = done.refused();
    if refused > 0 {
        let err = CommandError::user(format!(
            "{refused} of {} file(s) refused.",
            done.files.len()
        ));
        return Err(if write {
            err.hint("The other files were imported (--skip-bad); correct the refused ones and import them again.")
        } else {
            err.hint("Nothing was imported. Correct or leave out the refused files, or import the good ones anyway with --skip-bad.")
        });
    }
    Ok(())
}
