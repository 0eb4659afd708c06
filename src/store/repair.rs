//! What a transaction repaired or could not finish, and `strategi repair`: everything a
//! killed command can leave behind, cleaned up in one go.
//!
//! Every transaction already repairs what is cheap to find when it starts (stale git
//! lock files, a left-over journal, the folders and temporary files of a rolled-back
//! command, the missing tag of a version cut at HEAD). [`Transaction::repair`] also
//! looks through the whole history for version commits without their tag, removes the
//! signed approval tags no approval record names (an `approve` killed after its tag),
//! and sweeps the record folders for empty folders and temporary files.

use std::path::Path;
use std::sync::{Arc, Mutex};

use serde::Serialize;

use super::gitlocks::sweep_temp_files;
use super::{RECORD_DIRS, STRATEGY_DIR, StoreError, Transaction, Workspace};

/// How much a notice matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NoticeLevel {
    /// Something was repaired; nothing to do.
    Note,
    /// Something could not be finished (the change itself is recorded).
    Warning,
}

/// A notice for the person running the command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    /// How much it matters.
    pub level: NoticeLevel,
    /// What to say.
    pub text: String,
}

/// A shared list of notices: the workspace's transactions add to it, the command shows
/// them when it ends (cloning shares the list).
#[derive(Debug, Clone, Default)]
pub struct Notices(Arc<Mutex<Vec<Notice>>>);

impl Notices {
    /// Adds a notice.
    pub fn push(&self, level: NoticeLevel, text: String) {
        if let Ok(mut v) = self.0.lock() {
            v.push(Notice { level, text });
        }
    }

    /// Takes the notices so far, oldest first.
    pub fn take(&self) -> Vec<Notice> {
        self.0
            .lock()
            .map(|mut v| std::mem::take(&mut *v))
            .unwrap_or_default()
    }
}

/// What kind of thing was repaired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RepairKind {
    /// A git lock file left by a killed program.
    StaleGitLock,
    /// A git lock file held by a running program (never removed).
    LiveGitLock,
    /// A left-over journal finished (rolled back, or the index refreshed).
    Journal,
    /// A version commit's missing tag made.
    VersionTag,
    /// A signed approval tag that no approval record names.
    OrphanTag,
    /// An empty folder.
    EmptyFolder,
    /// A temporary file of a killed command.
    TempFile,
    /// Git's index refreshed for what an earlier commit could not.
    Index,
    /// Delivery states a killed command wrote to `outbox/` and did not commit, committed.
    DeliveryState,
}

/// One thing repaired, or found and left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Repaired {
    /// What kind of thing.
    pub kind: RepairKind,
    /// The file, folder or ref concerned, relative to the workspace.
    pub path: String,
    /// What was done, or why it was left.
    pub message: String,
}

/// The outcome of [`Transaction::repair`].
#[derive(Debug, Clone, Default, Serialize)]
pub struct RepairReport {
    /// What was repaired.
    pub done: Vec<Repaired>,
    /// What was found but left alone, with why and what to do.
    pub left: Vec<Repaired>,
}

impl Transaction<'_> {
    /// Repairs everything a killed command can leave (see the module's description).
    /// `orphan_tags` are the signed approval tags that no approval record names, as the
    /// caller found them under this transaction's lock, each with whether it is one
    /// strategi makes (only those are removed; the others are reported).
    pub fn repair(&mut self, orphan_tags: &[(String, bool)]) -> Result<RepairReport, StoreError> {
        let ws = self.ws;
        let mut report = RepairReport {
            done: self.repaired().to_vec(),
            left: Vec::new(),
        };
        // The index an earlier commit could not refresh.
        if !self.pending_index.is_empty() || self.pending_strategy {
            let paths: Vec<String> = self.pending_index.iter().cloned().collect();
            let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
            match ws.update_index(&refs, self.pending_strategy, self.timeout()) {
                Ok(()) => {
                    self.pending_index.clear();
                    self.pending_strategy = false;
                    let _ = std::fs::remove_file(ws.repo.path().join("strategi-journal"));
                    report.done.push(Repaired {
                        kind: RepairKind::Index,
                        path: ".git/index".to_string(),
                        message: "Refreshed git's index for what an earlier command could not."
                            .to_string(),
                    });
                }
                Err(e) => report.left.push(Repaired {
                    kind: RepairKind::Index,
                    path: ".git/index".to_string(),
                    message: format!(
                        "Git's index could not be refreshed ({e}); run `strategi repair` again when no git program is running."
                    ),
                }),
            }
        }
        // Version commits without their tag, anywhere in history.
        for u in ws.untagged_versions()? {
            if u.tag_on.is_none() {
                match ws.complete_version_tag(&u) {
                    Ok(r) => report.done.push(r),
                    Err(e) => report.left.push(Repaired {
                        kind: RepairKind::VersionTag,
                        path: format!("refs/tags/{}", u.name.tag()),
                        message: format!(
                            "The commit {} cuts {} but has no tag, and the tag could not be made: {e}",
                            short(&u.commit),
                            u.name
                        ),
                    }),
                }
            } else {
                report.left.push(Repaired {
                    kind: RepairKind::VersionTag,
                    path: format!("refs/tags/{}", u.name.tag()),
                    message: u.describe(),
                });
            }
        }
        // Signed approval tags that no record names.
        for (tag, ours) in orphan_tags {
            let path = format!("refs/tags/{tag}");
            if !*ours {
                report.left.push(Repaired {
                    kind: RepairKind::OrphanTag,
                    path,
                    message: format!(
                        "The tag {tag} is named by no approval record and was not made by strategi; look at it with `git show {tag}` and remove it with `git tag -d {tag}` if it is stray."
                    ),
                });
                continue;
            }
            match ws.remove_orphan_tag(tag) {
                Ok(r) => report.done.push(r),
                Err(e) => report.left.push(Repaired {
                    kind: RepairKind::OrphanTag,
                    path,
                    message: format!("The orphan tag {tag} could not be removed: {e}"),
                }),
            }
        }
        // Empty folders and temporary files in the workspace's own folders.
        sweep_temp_files(&ws.root, &ws.root)
            .into_iter()
            .chain(sweep_temp_files(ws.repo.path(), &ws.root))
            .for_each(|p| report.done.push(temp_removed(p)));
        for top in RECORD_DIRS
            .iter()
            .copied()
            .chain([STRATEGY_DIR, "outbox", "templates"])
        {
            let dir = ws.root.join(top);
            if dir.is_dir() {
                sweep_dir(ws, &dir, 0, &mut report);
            }
        }
        Ok(report)
    }
}

impl Transaction<'_> {
    /// Undoes what an `approve --sign` killed between its signed tag and its record
    /// left: removes each of `orphan_tags` (as the caller found them under this
    /// transaction's lock: tags `approved/vN` that no approval record names, each with
    /// whether strategi made it) that strategi made, so the version can be approved
    /// again. Under the workspace lock no approval is in progress, so such a tag can
    /// only be a killed command's. Each removal is a `Note:` and among
    /// [`Transaction::repaired`]; a tag strategi did not make is left (for `verify`
    /// and `repair` to report).
    pub fn undo_orphan_tags(
        &mut self,
        orphan_tags: &[(String, bool)],
    ) -> Result<Vec<Repaired>, StoreError> {
        let mut done = Vec::new();
        for (tag, _) in orphan_tags.iter().filter(|(_, ours)| *ours) {
            let r = self.ws.remove_orphan_tag(tag)?;
            self.add_repaired(r.clone());
            done.push(r);
        }
        Ok(done)
    }

    /// Notes something this transaction repaired for a layer above the store (such as
    /// delivery states a killed command left): shown as a `Note:` and listed among
    /// [`Transaction::repaired`].
    pub fn add_repaired(&mut self, r: Repaired) {
        self.ws.notices.push(NoticeLevel::Note, r.message.clone());
        self.repaired.push(r);
    }
}

impl Workspace {
    fn remove_orphan_tag(&self, tag: &str) -> Result<Repaired, StoreError> {
        let path = format!("refs/tags/{tag}");
        self.repo
            .find_reference(&path)
            .and_then(|mut r| r.delete())
            .map_err(StoreError::git(format!("remove the orphan tag \"{tag}\"")))?;
        Ok(Repaired {
            kind: RepairKind::OrphanTag,
            path,
            message: format!(
                "Removed the signed tag {tag}, which an approval that was interrupted before it was recorded left; the version can be approved again."
            ),
        })
    }
}

/// Removes temporary files and empty folders under `dir` (not `dir` itself when it is a
/// top-level folder); returns whether `dir` is now empty.
fn sweep_dir(ws: &Workspace, dir: &Path, depth: usize, report: &mut RepairReport) -> bool {
    for p in sweep_temp_files(dir, &ws.root) {
        report.done.push(temp_removed(p));
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    let mut empty = true;
    for e in entries.flatten() {
        let path = e.path();
        if e.file_type().is_ok_and(|t| t.is_dir()) && depth < 16 {
            if sweep_dir(ws, &path, depth + 1, report) && std::fs::remove_dir(&path).is_ok() {
                let rel = rel_of(ws, &path);
                report.done.push(Repaired {
                    kind: RepairKind::EmptyFolder,
                    message: format!(
                        "Removed the empty folder \"{rel}/\" (an empty folder is no record; git does not track it)."
                    ),
                    path: rel,
                });
            } else {
                empty = false;
            }
        } else {
            empty = false;
        }
    }
    empty
}

fn rel_of(ws: &Workspace, path: &Path) -> String {
    path.strip_prefix(&ws.root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// What removing a killed command's temporary file is reported as.
pub(super) fn temp_removed(path: String) -> Repaired {
    Repaired {
        kind: RepairKind::TempFile,
        message: format!(
            "Removed the temporary file \"{path}\" left by a command that was killed."
        ),
        path,
    }
}

fn short(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

impl Workspace {
    /// The names of the tags under `refs/tags/{prefix}` (e.g. `approved/`), sorted.
    pub fn tags_under(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let mut out = Vec::new();
        let refs = self
            .repo
            .references_glob(&format!("refs/tags/{prefix}*"))
            .map_err(StoreError::git("list tags"))?;
        for r in refs.flatten() {
            if let Some(name) = r.name().ok().and_then(|n| n.strip_prefix("refs/tags/")) {
                out.push(name.to_string());
            }
        }
        out.sort();
        Ok(out)
    }

    /// The message of the annotated tag `name`, if it is one.
    pub fn tag_message(&self, name: &str) -> Result<Option<String>, StoreError> {
        let r = match self.repo.find_reference(&format!("refs/tags/{name}")) {
            Ok(r) => r,
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(StoreError::git(format!("read the tag \"{name}\""))(e)),
        };
        Ok(r.peel_to_tag()
            .ok()
            .and_then(|t| t.message().ok().flatten().map(str::to_string)))
    }
}
