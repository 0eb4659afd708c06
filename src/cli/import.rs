//! `strategi comment import R FILE...`: e-mail replies and response forms into a round.
//!
//! The command reads the files and prints what became of each; what a reply becomes,
//! and the rules, are in `strategi::consultation::import`.

use strategi::consultation::import::{FileResult, ImportOptions, ReplyFile, import_with};
use strategi::reply::mbox::is_mbox;
use strategi::store::{limits, read_bounded, size_text};

use super::comment::{ImportArgs, round_document};
use super::ui::{paint, styles};
use super::write::Write;
use super::{CommandError, Ctx, Ui};

/// Up to this many files, every file is listed; above it, the refused ones and those
/// with a warning (and the counts).
const LIST_EVERY_FILE: usize = 100;

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
    // A large batch lists what needs attention (refused files, warnings) one by one
    // and counts the rest; `--json` always has every file.
    let every = done.files.len() <= LIST_EVERY_FILE;
    ui.emit(&done, |w| {
        for o in &done.files {
            if !every && o.result != FileResult::Refused && o.warnings.is_empty() {
                continue;
            }
            let head = match o.result {
                FileResult::Imported if write => paint(styles::GOOD, "imported "),
                FileResult::Imported => paint(styles::DIM, "not imported"),
                FileResult::Duplicate => paint(styles::DIM, "duplicate"),
                FileResult::Refused => paint(styles::BAD, "REFUSED  "),
            };
            let file = match &o.mbox {
                Some(place) => format!("{} ({place})", o.file),
                None => o.file.clone(),
            };
            match o.result {
                FileResult::Imported => writeln!(
                    w,
                    "{head} {file}: {} (by {}), {} comment(s){}",
                    o.party.as_ref().map_or("?", |p| p.as_str()),
                    o.matched_by.as_deref().unwrap_or("?"),
                    o.comments,
                    o.position
                        .map(|p| format!(", position {}", p.key()))
                        .unwrap_or_default()
                )?,
                _ => writeln!(w, "{head} {file}: {}", o.reason.as_deref().unwrap_or(""))?,
            }
            for warning in &o.warnings {
                writeln!(w, "          {}", paint(styles::WARN, warning))?;
            }
        }
        if done.files.len() > 1 {
            let s = &done.summary;
            writeln!(
                w,
                "{} file(s): {} {}, {} already imported, {} refused.",
                done.files.len(),
                s.imported,
                if write || s.imported == 0 {
                    "imported"
                } else {
                    "not imported"
                },
                s.duplicate,
                s.refused
            )?;
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

/// Reads the files to import (relative to `start`): a folder stands for the files
/// directly in it (by name; hidden files and sub-folders left out), and an mbox for its
/// messages. Each file or message is bounded by [`limits::EMAIL`], an mbox by what is
/// left of the batch's total. Every file is read before anything is written, so the
/// batch as a whole is bounded too: a file that takes the total over `total_limit`
/// bytes is refused (and not kept in memory), and so are the ones after it that do.
fn read_files(
    start: &std::path::Path,
    paths: &[std::path::PathBuf],
    total_limit: u64,
) -> Vec<ReplyFile> {
    let mut total: u64 = 0;
    let mut out = Vec::new();
    for path in paths {
        let full = start.join(path);
        if full.is_dir() {
            match folder_files(&full) {
                Ok(names) if names.is_empty() => out.push(ReplyFile::file(
                    path.display().to_string(),
                    Err("the folder holds no file to import (hidden files and sub-folders are left out).".into()),
                )),
                Ok(names) => {
                    for name in names {
                        read_one(&full.join(&name), &path.join(&name), &mut total, total_limit, &mut out);
                    }
                }
                Err(e) => out.push(ReplyFile::file(
                    path.display().to_string(),
                    Err(format!("the folder cannot be listed ({e}).")),
                )),
            }
        } else {
            read_one(&full, path, &mut total, total_limit, &mut out);
        }
    }
    out
}

/// Whether the file starts as an mbox does (a `From ` separator line); a file that
/// cannot be read is none (reading it again says why).
fn starts_like_mbox(path: &std::path::Path) -> bool {
    use std::io::Read;
    // A FIFO or a device is never opened here (a FIFO would block): reading it
    // refuses it with the reason.
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return false;
    }
    let mut head = [0u8; 8];
    let Ok(mut f) = std::fs::File::open(path) else {
        return false;
    };
    let mut n = 0;
    while n < head.len() {
        match f.read(&mut head[n..]) {
            Ok(0) | Err(_) => break,
            Ok(k) => n += k,
        }
    }
    is_mbox(&head[..n])
}

/// The names of the files directly in `dir`, sorted; hidden ones left out.
fn folder_files(dir: &std::path::Path) -> std::io::Result<Vec<std::ffi::OsString>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        if entry
            .file_type()
            .is_ok_and(|t| t.is_file() || t.is_symlink())
        {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// Reads one file (`full`, shown as `shown`) into `out`: an mbox as its messages.
fn read_one(
    full: &std::path::Path,
    shown: &std::path::Path,
    total: &mut u64,
    total_limit: u64,
    out: &mut Vec<ReplyFile>,
) {
    let name = shown.display().to_string();
    let over = || {
        format!(
            "with the files before it, this is more than the {} one import may read; import it in another command.",
            size_text(total_limit)
        )
    };
    // An mbox may be as large as what is left of the batch; anything else is one message.
    let mbox = starts_like_mbox(full);
    let left = total_limit.saturating_sub(*total);
    let limit = if mbox { left } else { limits::EMAIL };
    let what = if mbox { "mbox" } else { "e-mail or form" };
    let bytes = match read_bounded(full, limit, what) {
        Ok(b) => b,
        Err(e) => {
            let too_large = matches!(e, strategi::input::InputError::TooLarge { .. });
            let reason = if mbox && too_large && *total > 0 {
                over()
            } else {
                e.reason()
            };
            out.push(ReplyFile::file(name, Err(reason)));
            return;
        }
    };
    let after = total.saturating_add(bytes.len() as u64);
    if after > total_limit {
        out.push(ReplyFile::file(name, Err(over())));
        return;
    }
    *total = after;
    if is_mbox(&bytes) {
        out.extend(ReplyFile::mbox_messages(&name, &bytes, limits::EMAIL));
    } else {
        out.push(ReplyFile::file(name, Ok(bytes)));
    }
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
