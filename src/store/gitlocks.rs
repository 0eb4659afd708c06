//! Git's own lock files (`index.lock`, `HEAD.lock`, `refs/heads/main.lock`, …), and the
//! temporary files strategi's atomic writes leave when killed.
//!
//! Git takes a lock by creating `NAME.lock` next to the file and renaming it over the
//! file when done; a process killed in between leaves the lock file behind and every
//! later write fails. strategi holds its own workspace lock while it writes, so a git
//! lock file it finds was made by something else: a person's `git`, an editor, or a
//! strategi command that was killed. A lock is *live* while a running process has the
//! file open (on Linux: a scan of `/proc/*/fd`) or a `git` process runs in the
//! repository (a `git commit` running its hooks keeps `index.lock` closed but taken);
//! a live lock is waited for and never removed. A lock that no process holds and that
//! is a few seconds old is *stale* and may be removed. Where the processes cannot be
//! seen, only a lock older than [`BLIND_STALE_AGE`] counts as stale.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// How old a lock file that no process holds must be before it counts as stale (git
/// closes a ref's lock file for the moment between writing it and renaming it).
pub const STALE_AGE: Duration = Duration::from_secs(3);

/// How old a lock file must be to count as stale where the processes that hold files
/// open cannot be seen.
pub const BLIND_STALE_AGE: Duration = Duration::from_secs(10 * 60);

/// How old a temporary file of a running process must be before it is removed anyway
/// (process ids are reused).
pub const TEMP_FILE_AGE: Duration = Duration::from_secs(15 * 60);

/// Who holds a git lock file, as far as can be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockState {
    /// A running process has the file open, or a git process runs in the repository.
    Live {
        /// The process, if known.
        pid: Option<u32>,
        /// Its program name, if known.
        program: Option<String>,
    },
    /// No process holds it and it is old enough: left by a killed process.
    Stale,
    /// No process holds it, but it is too young to tell (a git may be between steps),
    /// or processes cannot be seen and it is not old enough to be sure.
    Unsure,
}

/// A git lock file found in the repository.
#[derive(Debug, Clone)]
pub struct GitLockFile {
    /// Its full path.
    pub path: PathBuf,
    /// Its path relative to the workspace root (`.git/index.lock`).
    pub shown: String,
    /// How old it is.
    pub age: Duration,
    /// Whether it is live or stale.
    pub state: LockState,
}

/// The lock files git may leave in `git_dir`: `index.lock`, `HEAD.lock`,
/// `packed-refs.lock`, `config.lock` and any `*.lock` under `refs/`.
pub fn find_git_locks(git_dir: &Path, root: &Path) -> Vec<GitLockFile> {
    let mut paths = Vec::new();
    for name in ["index.lock", "HEAD.lock", "packed-refs.lock", "config.lock"] {
        let p = git_dir.join(name);
        if p.is_file() {
            paths.push(p);
        }
    }
    walk_locks(&git_dir.join("refs"), &mut paths, 0);
    if paths.is_empty() {
        return Vec::new();
    }
    let procs = ProcessView::scan(root, git_dir);
    paths
        .into_iter()
        .map(|path| {
            let age = age_of(&path);
            let state = procs.state_of(&path, age);
            let shown = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            GitLockFile {
                path,
                shown,
                age,
                state,
            }
        })
        .collect()
}

fn walk_locks(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    if depth > 8 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let Ok(ft) = e.file_type() else { continue };
        let path = e.path();
        if ft.is_dir() {
            walk_locks(&path, out, depth + 1);
        } else if ft.is_file() && e.file_name().to_string_lossy().ends_with(".lock") {
            out.push(path);
        }
    }
}

/// How long ago a file was last modified (zero if it cannot be told).
pub fn age_of(path: &Path) -> Duration {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| SystemTime::now().duration_since(t).ok())
        .unwrap_or_default()
}

/// What the running processes hold, from `/proc` (Linux). `None` where `/proc` cannot
/// be read.
struct ProcessView {
    visible: bool,
    /// (pid, program, open file paths, cwd)
    procs: Vec<(u32, String, Vec<PathBuf>, Option<PathBuf>)>,
    root: PathBuf,
    git_dir: PathBuf,
}

impl ProcessView {
    fn scan(root: &Path, git_dir: &Path) -> ProcessView {
        let mut view = ProcessView {
            visible: false,
            procs: Vec::new(),
            root: canonical(root),
            git_dir: canonical(git_dir),
        };
        let own = std::process::id();
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return view;
        };
        // Our own process must be readable, or nothing can be told.
        if !Path::new(&format!("/proc/{own}/fd")).is_dir() {
            return view;
        }
        view.visible = true;
        for e in entries.flatten() {
            let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
                continue;
            };
            if pid == own {
                continue;
            }
            let base = e.path();
            let program = std::fs::read_to_string(base.join("comm"))
                .map(|s| s.trim().to_string())
                .unwrap_or_default();
            let mut files = Vec::new();
            if let Ok(fds) = std::fs::read_dir(base.join("fd")) {
                for fd in fds.flatten() {
                    if let Ok(target) = std::fs::read_link(fd.path()) {
                        files.push(target);
                    }
                }
            }
            let cwd = std::fs::read_link(base.join("cwd")).ok();
            view.procs.push((pid, program, files, cwd));
        }
        view
    }

    fn state_of(&self, lock: &Path, age: Duration) -> LockState {
        if !self.visible {
            return if age >= BLIND_STALE_AGE {
                LockState::Stale
            } else {
                LockState::Unsure
            };
        }
        let lock_c = canonical(lock);
        for (pid, program, files, _) in &self.procs {
            if files.iter().any(|f| f == lock || *f == lock_c) {
                return LockState::Live {
                    pid: Some(*pid),
                    program: Some(program.clone()),
                };
            }
        }
        // A git running in the repository may hold a lock it has closed for a while
        // (`git commit` runs its hooks with `index.lock` taken).
        for (pid, program, _, cwd) in &self.procs {
            if program == "git"
                && cwd
                    .as_ref()
                    .is_some_and(|c| c.starts_with(&self.root) || c.starts_with(&self.git_dir))
            {
                return LockState::Live {
                    pid: Some(*pid),
                    program: Some(program.clone()),
                };
            }
        }
        if age >= STALE_AGE {
            LockState::Stale
        } else {
            LockState::Unsure
        }
    }
}

fn canonical(p: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| p.to_path_buf())
}

/// Whether a process with this id runs; `None` where that cannot be told.
pub fn process_runs(pid: u32) -> Option<bool> {
    let own = std::process::id();
    if !Path::new(&format!("/proc/{own}")).is_dir() {
        return None;
    }
    Some(Path::new(&format!("/proc/{pid}")).is_dir())
}

/// The process id in the name of a temporary file strategi writes (`.NAME.tmp-PID`).
pub fn temp_file_pid(name: &str) -> Option<u32> {
    if !name.starts_with('.') {
        return None;
    }
    let (_, pid) = name.rsplit_once(".tmp-")?;
    pid.parse().ok()
}

/// Whether a temporary file may be removed: its process no longer runs, or it is older
/// than [`TEMP_FILE_AGE`] (or, where processes cannot be seen, than that age).
pub fn temp_file_is_stale(path: &Path, pid: u32) -> bool {
    if pid == std::process::id() {
        return false;
    }
    match process_runs(pid) {
        Some(false) => true,
        _ => age_of(path) >= TEMP_FILE_AGE,
    }
}

/// Removes the stale temporary files directly in `dir`; returns those removed
/// (relative to `root`).
pub fn sweep_temp_files(dir: &Path, root: &Path) -> Vec<String> {
    let mut removed = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return removed;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = temp_file_pid(&name) else {
            continue;
        };
        let path = e.path();
        if e.file_type().is_ok_and(|t| t.is_file())
            && temp_file_is_stale(&path, pid)
            && std::fs::remove_file(&path).is_ok()
        {
            removed.push(
                path.strip_prefix(root)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .replace('\\', "/"),
            );
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_file_names() {
        assert_eq!(temp_file_pid(".round.toml.tmp-123"), Some(123));
        assert_eq!(temp_file_pid("round.toml.tmp-123"), None);
        assert_eq!(temp_file_pid(".round.toml.tmp-x"), None);
    }

    #[test]
    fn an_unheld_old_lock_is_stale_and_a_held_one_is_live() {
        let dir = tempfile::tempdir().expect("tempdir");
        let git = dir.path().join(".git");
        std::fs::create_dir_all(git.join("refs/heads")).expect("dirs");
        let lock = git.join("refs/heads/main.lock");
        std::fs::write(&lock, "x").expect("lock");
        let old = SystemTime::now() - Duration::from_secs(60);
        std::fs::File::options()
            .write(true)
            .open(&lock)
            .and_then(|f| f.set_modified(old))
            .expect("mtime");
        let found = find_git_locks(&git, dir.path());
        assert_eq!(found.len(), 1);
        if process_runs(1).is_some() {
            assert_eq!(found[0].state, LockState::Stale, "{found:?}");
        }
        assert_eq!(found[0].shown, ".git/refs/heads/main.lock");
    }
}
