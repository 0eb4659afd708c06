//! Where a command may write a file the user asked for (`--out FILE`, `--ics FILE`).
//!
//! [`OutPath::check`] resolves the path as the operating system will (the parent
//! folder's `..` and symbolic links, and a symbolic link in the last place) and refuses,
//! before anything is computed or written:
//!
//! - anything inside a `.git` folder (the repository's own files: `.git/HEAD`, the
//!   index, the refs);
//! - in a strategi workspace (the nearest folder upwards with `strategi.toml`, whichever
//!   workspace that is): `strategi.toml` itself, and anything under the folders that
//!   hold the case's records and files ([`PROTECTED_DIRS`]), and a file in the place
//!   of one of those folders;
//! - a folder, a FIFO, a device or other non-file in the place of the file;
//! - an existing file, unless `force` is given.
//!
//! [`OutPath::write`] then writes a temporary file in the same folder and moves it into
//! place, so a reader sees the old file or the new one, never half of one; without
//! `force` the move refuses to replace a file that appeared meanwhile.

use std::path::{Component, Path, PathBuf};

use super::CONFIG_FILE;

/// The folders besides the record folders that `--out` never writes into: the draft,
/// the outbox and the letter templates.
const OTHER_PROTECTED_DIRS: [&str; 3] = [super::STRATEGY_DIR, "outbox", "templates"];

/// The folders of a workspace that `--out` never writes into: every record folder
/// ([`super::RECORD_DIRS`]: the rounds, submissions, approvals with their later
/// signatures and withdrawals, the settings), then [`OTHER_PROTECTED_DIRS`]. Built from
/// the two lists, so that a new record folder is protected as soon as it is listed.
pub const PROTECTED_DIRS: [&str; super::RECORD_DIRS.len() + OTHER_PROTECTED_DIRS.len()] = {
    let records = super::RECORD_DIRS;
    let mut out = [""; super::RECORD_DIRS.len() + OTHER_PROTECTED_DIRS.len()];
    let mut i = 0;
    while i < records.len() {
        out[i] = records[i];
        i += 1;
    }
    let mut j = 0;
    while j < OTHER_PROTECTED_DIRS.len() {
        out[i + j] = OTHER_PROTECTED_DIRS[j];
        j += 1;
    }
    out
};

/// Why a file was not written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The path is one strategi or git keeps.
    #[error("Refusing to write \"{}\": {why}.", path.display())]
    Protected {
        /// The path as given.
        path: PathBuf,
        /// What it is.
        why: String,
    },
    /// A file is already there.
    #[error("\"{}\" already exists.", path.display())]
    Exists {
        /// The path as given.
        path: PathBuf,
    },
    /// Something other than a file is there.
    #[error("\"{}\" is {kind}, not a file that can be written.", path.display())]
    NotAFile {
        /// The path as given.
        path: PathBuf,
        /// What is there ("a folder", …).
        kind: &'static str,
    },
    /// The operating system refused.
    #[error("Could not {action} \"{}\".", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// The path as given.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
}

/// A checked place to write an output file; see the module documentation.
#[derive(Debug, Clone)]
pub struct OutPath {
    /// The path as given (shown in messages).
    given: PathBuf,
    /// Where the file goes: the resolved parent folder and the file name.
    resolved: PathBuf,
    force: bool,
}

impl OutPath {
    /// Checks `path` (absolute, or relative to the current folder) as a place to write
    /// a new file; with `force` an existing ordinary file may be replaced.
    pub fn check(path: &Path, force: bool) -> Result<OutPath, OutputError> {
        let io = |action: &'static str| {
            let path = path.to_path_buf();
            move |source| OutputError::Io {
                action,
                path,
                source,
            }
        };
        let protected = |why: String| OutputError::Protected {
            path: path.to_path_buf(),
            why,
        };
        let absolute = std::path::absolute(path).map_err(io("find"))?;
        let Some(Component::Normal(name)) = absolute.components().next_back() else {
            return Err(protected("it names a folder, not a file".into()));
        };
        if path.as_os_str().to_string_lossy().ends_with(['/', '\\']) {
            return Err(protected("it names a folder, not a file".into()));
        }
        let parent = absolute.parent().unwrap_or(Path::new("/"));
        let resolved = resolve_dir(parent)
            .map_err(io("find the folder of"))?
            .join(name);
        refuse_protected(&resolved).map_err(protected)?;
        match std::fs::symlink_metadata(&resolved) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io("look at")(e)),
            Ok(meta) => {
                let target = if meta.file_type().is_symlink() {
                    // Where the link leads counts too (a link to strategi.toml).
                    match resolved.canonicalize() {
                        Ok(t) => {
                            refuse_protected(&t).map_err(protected)?;
                            std::fs::metadata(&t).ok()
                        }
                        Err(_) => None,
                    }
                } else {
                    Some(meta)
                };
                if let Some(m) = &target
                    && !m.is_file()
                {
                    return Err(OutputError::NotAFile {
                        path: path.to_path_buf(),
                        kind: kind_of(m),
                    });
                }
                if !force {
                    return Err(OutputError::Exists {
                        path: path.to_path_buf(),
                    });
                }
            }
        }
        Ok(OutPath {
            given: path.to_path_buf(),
            resolved,
            force,
        })
    }

    /// The path as given.
    pub fn path(&self) -> &Path {
        &self.given
    }

    /// Writes `bytes` atomically (a temporary file in the same folder, synced, then
    /// moved into place). Without `force`, a file that appeared since the check is not
    /// replaced.
    pub fn write(&self, bytes: &[u8]) -> Result<(), OutputError> {
        use std::io::Write as _;
        let io = |action: &'static str| {
            let path = self.given.clone();
            move |source| OutputError::Io {
                action,
                path,
                source,
            }
        };
        let dir = self.resolved.parent().unwrap_or(Path::new("/"));
        std::fs::create_dir_all(dir).map_err(io("create the folder of"))?;
        let name = self
            .resolved
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
        let written = (|| -> std::io::Result<()> {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(io("write")(e));
        }
        let placed = if self.force {
            std::fs::rename(&tmp, &self.resolved)
        } else {
            // A hard link never replaces a file; where the file system has none, the
            // check made before has to do.
            match std::fs::hard_link(&tmp, &self.resolved) {
                Ok(()) => std::fs::remove_file(&tmp),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let _ = std::fs::remove_file(&tmp);
                    return Err(OutputError::Exists {
                        path: self.given.clone(),
                    });
                }
                Err(_) => std::fs::rename(&tmp, &self.resolved),
            }
        };
        if let Err(e) = placed {
            let _ = std::fs::remove_file(&tmp);
            return Err(io("write")(e));
        }
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

/// The folder `dir` with `..` and symbolic links resolved: the longest part that exists
/// is resolved by the operating system; the rest (folders [`OutPath::write`] will
/// create) may only name folders, not go up.
fn resolve_dir(dir: &Path) -> std::io::Result<PathBuf> {
    let mut existing = dir.to_path_buf();
    let mut rest: Vec<std::ffi::OsString> = Vec::new();
    loop {
        match existing.canonicalize() {
            Ok(real) => {
                let mut out = real;
                for part in rest.iter().rev() {
                    out.push(part);
                }
                return Ok(out);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                match existing.components().next_back() {
                    Some(Component::Normal(n)) => rest.push(n.to_os_string()),
                    _ => {
                        return Err(std::io::Error::new(
                            std::io::ErrorKind::NotFound,
                            "the path goes up (\"..\") from a folder that does not exist",
                        ));
                    }
                }
                if !existing.pop() {
                    return Err(e);
                }
            }
            Err(e) => return Err(e),
        }
    }
}

/// Why `path` (resolved) may not be written, if it may not.
fn refuse_protected(path: &Path) -> Result<(), String> {
    if path.components().any(|c| c.as_os_str() == ".git") {
        return Err("it is inside a .git folder, which belongs to git".into());
    }
    let parent = path.parent().unwrap_or(Path::new("/"));
    let Some(root) = parent.ancestors().find(|d| d.join(CONFIG_FILE).is_file()) else {
        return Ok(());
    };
    let Ok(rel) = path.strip_prefix(root) else {
        return Ok(());
    };
    let shown = root.display();
    if rel == Path::new(CONFIG_FILE) {
        return Err(format!(
            "it is the configuration of the workspace at \"{shown}\""
        ));
    }
    if let Some(Component::Normal(first)) = rel.components().next()
        && let Some(dir) = PROTECTED_DIRS.iter().find(|d| first == **d)
    {
        return Err(if rel.components().count() > 1 {
            format!(
                "it is under {dir}/ of the workspace at \"{shown}\", which holds the case's own files"
            )
        } else {
            format!(
                "it is the place of the folder {dir}/ of the workspace at \"{shown}\", which holds the case's own files"
            )
        });
    }
    Ok(())
}

fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    if meta.is_dir() {
        "a folder"
    } else {
        "a special file (a device, FIFO or socket)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::write(root.join(CONFIG_FILE), "[case]\n").expect("config");
        for d in PROTECTED_DIRS.iter().chain([&".git"]) {
            std::fs::create_dir_all(root.join(d)).expect("dir");
        }
        std::fs::write(root.join(".git/HEAD"), "ref: refs/heads/main\n").expect("head");
        dir
    }

    #[test]
    fn the_protected_folders_are_the_workspaces() {
        assert!(PROTECTED_DIRS.contains(&crate::store::STRATEGY_DIR));
        assert!(PROTECTED_DIRS.contains(&crate::store::CONSULTATIONS_DIR));
        assert!(PROTECTED_DIRS.contains(&crate::mail::OUTBOX_DIR));
        assert!(PROTECTED_DIRS.contains(&crate::approval::SUBMISSIONS_DIR));
        assert!(PROTECTED_DIRS.contains(&crate::approval::APPROVALS_DIR));
        for d in crate::store::RECORD_DIRS {
            assert!(PROTECTED_DIRS.contains(&d), "{d} is a record folder");
        }
        assert!(PROTECTED_DIRS.contains(&"templates"));
        assert!(PROTECTED_DIRS.iter().all(|d| !d.is_empty()));
    }

    #[test]
    fn refuses_the_workspaces_own_files_even_through_dots_and_links() {
        let ws = workspace();
        let root = ws.path();
        std::fs::create_dir_all(root.join("rapporter")).expect("dir");
        std::fs::remove_dir(root.join("templates")).expect("no templates yet");
        for rel in [
            "strategi.toml",
            ".git/HEAD",
            ".git/new-file",
            "strategy/01.md",
            "strategy/new/deep.md",
            "consultations/r1/round.toml",
            "outbox/x.eml",
            "submissions/a.toml",
            "approvals/a.toml",
            "templates/letter.hbs",
            "strategy/../strategi.toml",
            "rapporter/../outbox/x.eml",
            "submissions",
            "templates",
        ] {
            let err = OutPath::check(&root.join(rel), true).expect_err(rel);
            assert!(matches!(err, OutputError::Protected { .. }), "{rel}: {err}");
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(root.join("strategy"), root.join("lenke")).expect("link");
            let err = OutPath::check(&root.join("lenke/01.md"), true).expect_err("via a link");
            assert!(err.to_string().contains("strategy/"), "{err}");
            std::os::unix::fs::symlink(root.join(CONFIG_FILE), root.join("cfg")).expect("link");
            let err = OutPath::check(&root.join("cfg"), true).expect_err("a link to the config");
            assert!(err.to_string().contains("configuration"), "{err}");
        }
        let err = OutPath::check(&root.join("rapporter"), true).expect_err("a folder");
        assert!(matches!(err, OutputError::NotAFile { .. }), "{err}");
        let err = OutPath::check(&root.join("x/"), true).expect_err("a folder name");
        assert!(matches!(err, OutputError::Protected { .. }), "{err}");
        // Up from a folder that does not exist: refused, as the system would.
        OutPath::check(&root.join("nowhere/../strategi.toml"), true).expect_err("nowhere");
        // Outside any workspace, and in its root, an ordinary new file is fine.
        OutPath::check(&root.join("notat.html"), false).expect("root");
    }

    #[test]
    fn writes_a_new_file_and_replaces_one_only_with_force() {
        let ws = workspace();
        let root = ws.path();
        let out = OutPath::check(&root.join("rapporter/notat.html"), false).expect("fresh");
        out.write(b"one").expect("write");
        assert_eq!(
            std::fs::read(root.join("rapporter/notat.html")).expect("read"),
            b"one"
        );
        let err = OutPath::check(&root.join("rapporter/notat.html"), false).expect_err("exists");
        assert!(matches!(err, OutputError::Exists { .. }), "{err}");
        // A file that appears between the check and the write is not replaced.
        let late = OutPath::check(&root.join("late.txt"), false).expect("fresh");
        std::fs::write(root.join("late.txt"), b"theirs").expect("write");
        assert!(matches!(
            late.write(b"ours"),
            Err(OutputError::Exists { .. })
        ));
        assert_eq!(
            std::fs::read(root.join("late.txt")).expect("read"),
            b"theirs"
        );
        let out = OutPath::check(&root.join("rapporter/notat.html"), true).expect("force");
        out.write(b"two").expect("write");
        assert_eq!(
            std::fs::read(root.join("rapporter/notat.html")).expect("read"),
            b"two"
        );
        let left: Vec<_> = std::fs::read_dir(root.join("rapporter"))
            .expect("dir")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(left.len(), 1, "temporary files left: {left:?}");
    }
}
