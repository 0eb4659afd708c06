//! `strategi comment import R FILE...`: e-mail replies and response forms into a round.
//!
//! The command reads the files and prints what became of each; what a reply becomes,
//! and the rules, are in `strategi::consultation::import`.

use strategi::consultation::import::{FileResult, ImportOptions, ReplyFile, import_with};
use strategi::store::{limits, read_bounded, size_text};

use super::comment::{ImportArgs, round_document};
use super::ui::{paint, styles};
use super::write::Write;
use super::{CommandError, Ctx, Ui};

/// Runs `comment import`.
pub fn run(ctx: &mut Ctx, ui: &mut Ui, args: &ImportArgs) -> Result<(), CommandError> {
    let ws = ctx.workspace()?;
    let mut write = Write::begin(ctx, &ws, "strategi comment import")?;
    let state = super::round::load(ctx, &ws, &write.config, &args.round)?;
    let doc = round_document(&ws, &state)?;
    let files = read_files(ctx.start_dir(), &args.files, limits::IMPORT_TOTAL);
    let (tx, who) = write.act();
    // A counter on stderr while the files are read, on a terminal only.
    let progress = super::progress::Progress::on_stderr();
    let tell = |n: usize, total: usize, name: &str| {
        if total > 1 {
            progress.show(n, Some(total), "Importing file", name);
        }
    };
    let options = ImportOptions {
        from: args.from.as_ref(),
        skip_bad: args.skip_bad,
        received: args.received.map(|r| r.at(who.now)),
        on_file: Some(&tell),
    };
    let done = import_with(tx, &who, &state, &doc, files, options);
    progress.clear();
    let done = done?;
    drop(write);
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

/// Reads the files to import (relative to `start`), each bounded by
/// [`limits::EMAIL`]. Every file is read before anything is written, so the batch as a
/// whole is bounded too: a file that takes the total over `total_limit` bytes is
/// refused (and not kept in memory), and so are the ones after it that do.
fn read_files(
    start: &std::path::Path,
    paths: &[std::path::PathBuf],
    total_limit: u64,
) -> Vec<ReplyFile> {
    let mut total: u64 = 0;
    paths
        .iter()
        .map(|path| {
            let bytes = read_bounded(&start.join(path), limits::EMAIL, "e-mail or form")
                .map_err(|e| e.reason())
                .and_then(|bytes| {
                    let after = total.saturating_add(bytes.len() as u64);
                    if after > total_limit {
                        return Err(format!(
                            "with the files before it, this is more than the {} one import may read; import it in another command.",
                            size_text(total_limit)
                        ));
                    }
                    total = after;
                    Ok(bytes)
                });
            ReplyFile {
                name: path.display().to_string(),
                bytes,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_batch_as_a_whole_is_bounded() {
        let dir = tempfile::tempdir().expect("tempdir");
        for (name, size) in [("a.eml", 600), ("b.eml", 600), ("c.eml", 300)] {
            std::fs::write(dir.path().join(name), vec![b'x'; size]).expect("write");
        }
        let paths: Vec<std::path::PathBuf> =
            ["a.eml", "b.eml", "c.eml"].iter().map(Into::into).collect();
        let files = read_files(dir.path(), &paths, 1000);
        assert_eq!(files[0].bytes.as_ref().map(Vec::len), Ok(600));
        let refused = files[1].bytes.as_ref().expect_err("over the total");
        assert!(
            refused.contains("more than the 1000 bytes one import may read"),
            "{refused}"
        );
        // What was refused does not count: the next file still fits.
        assert_eq!(files[2].bytes.as_ref().map(Vec::len), Ok(300));
    }
}
