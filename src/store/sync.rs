//! `sync`: fetch, merge and push the workspace with a shared git remote, and `clone`.
//!
//! Transport is the system `git` (`git fetch`, `git push`, `git clone`), so every URL
//! and credential helper the person's own git handles works (ssh, https, file, git://);
//! each run is bounded by a timeout. The merge is strategi's own, made with git2 under
//! the workspace lock, as one commit with two parents (`Strategi-Action: sync`):
//!
//! - records are write-once files with unique names: the union of both sides;
//! - `strategi.toml` changed on both sides merges key by key ([`super::toml_merge`]); a
//!   key changed differently on both keeps the remote's value and is recorded in the
//!   merge commit as a `Strategi-Conflict:` trailer (both values in its body), which
//!   `status` and `verify` report until a later commit carries `Strategi-Settled: KEY`;
//! - an `outbox/*.toml` state file changed on both sides keeps the state that ranks
//!   higher: sent > uncertain > failed > sending > queued (a letter that may have gone
//!   out is never made deliverable again; a permanent refusal outranks a queue), ties by
//!   more attempts, then the later attempt, then the larger text;
//! - anything else that git cannot merge (the draft, `strategy/`) stops the sync before
//!   anything is pushed: the local branch and working tree stay as they were and the
//!   remote's text is at `REMOTE/BRANCH`.
//!
//! Remote tags are fetched into `refs/strategi/remotes/REMOTE/tags/` (never over local
//! tags). A local `vN` that is not the remote's `vN` was cut here and never published:
//! it is renumbered (a new tag after the highest number either side has, on the same
//! commit, with `Strategi-Renumbered-From: vN`) before anything is pushed, unless a
//! record made here already names it (then the sync is refused). A published version
//! never changes its name. A rejected push (someone pushed meanwhile) fetches and merges
//! again, a bounded number of times.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use git2::{ObjectType, Oid, Repository};
use serde::{Deserialize, Serialize};

use super::toml_merge::{KeyConflict, merge_toml};
use super::treemerge::{Entry, changed_files, merge_trees};
use super::tx::{
    Journal, JournalFile, message_with_trailers, old_content, signed_commit, write_renamed,
};
use super::{Actor, CONFIG_FILE, StoreError, Transaction, Workspace, atomic_write};
use crate::model::{Action, VersionName};

/// Where the last sync's outcome is kept (not committed).
const LAST_SYNC_FILE: &str = "strategi-sync.json";

/// What can go wrong in `sync` and `clone`.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The workspace's repository has no such remote.
    #[error("The workspace has no git remote named \"{remote}\".")]
    NoRemote {
        /// The name asked for.
        remote: String,
    },
    /// The workspace is on no branch (a detached HEAD) or on one without commits.
    #[error(
        "The workspace is not on a branch with commits (HEAD is detached or unborn); sync merges a branch."
    )]
    NoBranch,
    /// `git` could not be started.
    #[error("strategi runs git to {what}, but could not start it.")]
    NoGit {
        /// What git was to do.
        what: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// `git` ran and failed.
    #[error("git could not {what} (exit {code}).")]
    GitFailed {
        /// What git was to do.
        what: String,
        /// Its exit code (-1 when killed).
        code: i32,
        /// The last lines git wrote on stderr.
        said: String,
    },
    /// `git` did not finish in time and was stopped.
    #[error(
        "git did not {what} within {seconds} s and was stopped; nothing was changed by the part that did not finish."
    )]
    Timeout {
        /// What git was to do.
        what: String,
        /// The timeout.
        seconds: u64,
    },
    /// Files the merge would change have uncommitted changes.
    #[error("The sync would change files that have uncommitted changes here: {}.", paths.join(", "))]
    Dirty {
        /// The files.
        paths: Vec<String>,
    },
    /// Both sides changed the same lines of the draft (or of another file git cannot merge).
    #[error("Both sides changed the same part of {}; the sync stopped before pushing and changed nothing here (the remote's text is at {remote_ref}).", paths.join(", "))]
    TextConflict {
        /// The conflicting files.
        paths: Vec<String>,
        /// The remote-tracking branch that holds the remote's side (`origin/main`).
        remote_ref: String,
    },
    /// Both sides changed the same lines of draft files only: everything else is merged,
    /// the merge is left in progress (MERGE_HEAD) with those files holding both texts
    /// between git's conflict markers.
    #[error("Both sides changed the same part of {}; the sync stopped before pushing. Everything else is merged here (records, strategi.toml, outbox); the file(s) named hold both texts between git's conflict markers (<<<<<<< yours, >>>>>>> {remote_ref}), and the merge waits for you.", paths.join(", "))]
    DraftConflict {
        /// The conflicting draft files.
        paths: Vec<String>,
        /// The remote-tracking branch that holds the remote's side (`origin/main`).
        remote_ref: String,
    },
    /// A merge a sync left for the draft is not finished yet.
    #[error(
        "The merge of the draft that the last sync left is not finished (git's MERGE_HEAD is set)."
    )]
    MergeInProgress,
    /// A `strategi.toml` of one side is not TOML, so it cannot be merged key by key.
    #[error("strategi.toml cannot be merged: {0}.")]
    BadConfig(#[from] super::toml_merge::TomlMergeError),
    /// The remote's `strategi.toml` (changed there since the common commit) is not TOML.
    #[error("{0}")]
    BadRemoteConfig(Box<BadRemoteConfig>),
    /// A local version that must be renumbered is named by records made here.
    #[error("The version {name} was cut here and the remote has another {name}; it would be renumbered, but records made here name it: {}.", records.join(", "))]
    VersionInUse {
        /// The version.
        name: VersionName,
        /// The remote-tracking branch (`origin/main`).
        remote_ref: String,
        /// The records naming it.
        records: Vec<String>,
    },
    /// The remote has another approval tag of the same name.
    #[error(
        "The remote's tag {tag} is not the one here: two approvals of one version. Nothing was pushed."
    )]
    TagClash {
        /// The tag.
        tag: String,
    },
    /// The remote's branch shares no history with this one: another case.
    #[error(
        "{remote_ref} shares no history with this workspace: it holds another case (or this one was made with `strategi init` instead of `strategi clone`). Nothing was changed."
    )]
    Unrelated {
        /// The remote-tracking branch.
        remote_ref: String,
    },
    /// The push was still rejected after the retries.
    #[error("The remote kept refusing the push ({attempts} attempts): {said}")]
    Rejected {
        /// How many pushes were tried.
        attempts: u32,
        /// What git said about the refs.
        said: String,
    },
    /// What was cloned is not a strategi case.
    #[error(
        "\"{url}\" holds no strategi case (no {CONFIG_FILE} at the top of its default branch); the clone was removed again."
    )]
    NotACase {
        /// The URL.
        url: String,
    },
    /// The folder to clone into exists and is not empty.
    #[error("\"{}\" exists and is not empty; clone makes a new folder.", path.display())]
    TargetExists {
        /// The folder.
        path: PathBuf,
    },
    /// A store operation failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A remote `strategi.toml` that is not TOML, and where it came from.
#[derive(Debug)]
pub struct BadRemoteConfig {
    /// The remote-tracking branch (`origin/main`).
    pub remote_ref: String,
    /// The parser's message.
    pub message: String,
    /// Line and column (from 1), when the parser names them.
    pub place: Option<(usize, usize)>,
    /// The short id of the remote commit that made this text.
    pub commit: String,
    /// That commit's author.
    pub author: String,
    /// That commit's summary line.
    pub summary: String,
}

impl std::fmt::Display for BadRemoteConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = self
            .place
            .map(|(l, c)| format!(" at line {l}, column {c}"))
            .unwrap_or_default();
        write!(
            f,
            "The remote's strategi.toml ({}) is not valid TOML{at}: {}. It came with commit {} by {}: \"{}\". The sync stopped before merging; nothing was written here.",
            self.remote_ref, self.message, self.commit, self.author, self.summary
        )
    }
}

impl SyncError {
    /// One hint for the person.
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            SyncError::NoRemote { remote } => format!(
                "Add it with `git remote add {remote} URL` (any URL git handles: ssh, https, file, git://), or name another remote: `strategi sync NAME`."
            ),
            SyncError::NoBranch => "Check out the case's branch (`git switch main`).".to_string(),
            SyncError::NoGit { .. } => "Install git (https://git-scm.com) and make sure `git` is on the PATH.".to_string(),
            SyncError::GitFailed { what, .. } if what.starts_with("clone") => "Check the URL and that you can reach it with your own git (`git ls-remote URL`); nothing was made here.".to_string(),
            SyncError::GitFailed { .. } => "Check the remote's URL (`git remote -v`) and that you can reach it (`git fetch` there); run `strategi sync` again when it works. Nothing is lost: what is here stays here.".to_string(),
            SyncError::Timeout { .. } => "Run `strategi sync` again; a rerun completes what this one did not. STRATEGI_GIT_TIMEOUT_SECS sets the limit.".to_string(),
            SyncError::Dirty { .. } => "Cut a version of the draft (`strategi version cut`) or put the changes aside (`git stash`), then sync again.".to_string(),
            SyncError::TextConflict { remote_ref, .. } => format!(
                "Merge by hand: `git merge {remote_ref}`, edit the files named above until both texts are right, `git add strategy && git commit`, then `strategi sync` again. Your text is on your branch, theirs at {remote_ref}."
            ),
            SyncError::DraftConflict { .. } => "Edit the files named above until both texts are right (remove the lines <<<<<<<, ======= and >>>>>>>), then `git add strategy && git commit --no-edit`, then `strategi sync` again. To give the merge up instead: `git merge --abort`.".to_string(),
            SyncError::MergeInProgress => "Finish it: edit the draft files `git status` names (remove the conflict markers), `git add strategy && git commit --no-edit`, then `strategi sync` again; or give it up with `git merge --abort`.".to_string(),
            SyncError::BadConfig(_) => "Fix strategi.toml on the side named, commit it, and sync again.".to_string(),
            SyncError::BadRemoteConfig(bad) => {
                let BadRemoteConfig { remote_ref, commit, place, .. } = bad.as_ref();
                let at = place.map(|(l, _)| format!(" at line {l}")).unwrap_or_default();
                format!(
                    "The other side fixes strategi.toml{at} (they see the change with `git show {commit} -- strategi.toml`), commits and pushes; then run `strategi sync` again. Or settle it here: `git merge --no-commit {remote_ref}`, fix strategi.toml{at}, `git add strategi.toml && git commit --no-edit`, then `strategi sync` pushes the fix."
                )
            }
            SyncError::VersionInUse { name, remote_ref, .. } => format!(
                "The remote published another {name}, and records here name yours, so it cannot be renumbered. To get out: `git log --oneline {remote_ref}..HEAD -- RECORD` shows the commit that made each record named above; undo it with `git revert COMMIT` (newest first), run `strategi sync` (your {name} gets the next free number), then make those records again on the new number (`strategi version list`)."
            ),
            SyncError::TagClash { .. } => "Compare both with `git show TAG` and `git show refs/strategi/remotes/REMOTE/tags/TAG`; settle with the other organisation which approval stands.".to_string(),
            SyncError::Unrelated { .. } => "To join the case on the remote, clone it (`strategi clone URL DIR`) and carry over what you wrote here; to share this case, use a new, empty remote.".to_string(),
            SyncError::Rejected { .. } => "Someone keeps pushing at the same time; run `strategi sync` again in a moment.".to_string(),
            SyncError::NotACase { .. } => "Check the URL; the case's repository has strategi.toml at its top.".to_string(),
            SyncError::TargetExists { .. } => "Name a new folder: `strategi clone URL DIR`.".to_string(),
            SyncError::Store(_) => return None,
        })
    }

    /// Whether the cause lies outside the person's request (git missing).
    pub fn is_environment(&self) -> bool {
        matches!(self, SyncError::NoGit { .. })
    }
}

/// Fetches `branch` of `remote` into `refs/remotes/REMOTE/BRANCH` and the remote's tags
/// into `refs/strategi/remotes/REMOTE/tags/` (never over a local tag). An empty remote
/// (no branch yet) fetches only its tags.
fn fetch(git: &SystemGit, root: &Path, remote: &str, branch: &str) -> Result<(), SyncError> {
    let tracking = format!("+refs/heads/{branch}:refs/remotes/{remote}/{branch}");
    let tags = format!("+refs/tags/*:{}*", remote_tags_prefix(remote));
    let what = format!("fetch from \"{remote}\"");
    let base = ["fetch", "--no-tags", "--no-write-fetch-head", remote];
    let mut all: Vec<&str> = base.to_vec();
    all.extend([tracking.as_str(), tags.as_str()]);
    match git.check(root, &all, &what) {
        Err(SyncError::GitFailed { said, .. }) if said.contains("couldn't find remote ref") => {
            let mut only_tags: Vec<&str> = base.to_vec();
            only_tags.push(tags.as_str());
            git.check(root, &only_tags, &what).map(|_| ())
        }
        other => other.map(|_| ()),
    }
}

/// Runs the system `git` with a time limit.
#[derive(Debug, Clone)]
pub struct SystemGit {
    /// How long one git command may take.
    pub timeout: Duration,
}

struct GitOutput {
    code: i32,
    stdout: String,
    stderr: String,
}

impl SystemGit {
    fn run(&self, dir: &Path, args: &[&str], what: &str) -> Result<GitOutput, SyncError> {
        let mut cmd = Command::new("git");
        cmd.arg("-C")
            .arg(dir)
            .args(args)
            .env("LC_ALL", "C")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(|source| SyncError::NoGit {
            what: what.to_string(),
            source,
        })?;
        let mut out = child.stdout.take();
        let mut err = child.stderr.take();
        let t_out = std::thread::spawn(move || {
            let mut s = String::new();
            if let Some(o) = out.as_mut() {
                let _ = o.read_to_string(&mut s);
            }
            s
        });
        let t_err = std::thread::spawn(move || {
            let mut s = String::new();
            if let Some(e) = err.as_mut() {
                let _ = e.read_to_string(&mut s);
            }
            s
        });
        let started = Instant::now();
        let mut pause = Duration::from_millis(1);
        let status = loop {
            match child.try_wait() {
                Ok(Some(s)) => break s,
                Ok(None) if started.elapsed() >= self.timeout => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(SyncError::Timeout {
                        what: what.to_string(),
                        seconds: self.timeout.as_secs(),
                    });
                }
                Ok(None) => {
                    // Short pauses first: most git runs here take tens of milliseconds.
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(20));
                }
                Err(source) => {
                    return Err(SyncError::NoGit {
                        what: what.to_string(),
                        source,
                    });
                }
            }
        };
        let stdout = t_out.join().unwrap_or_default();
        let stderr = t_err.join().unwrap_or_default();
        Ok(GitOutput {
            code: status.code().unwrap_or(-1),
            stdout,
            stderr,
        })
    }

    fn check(&self, dir: &Path, args: &[&str], what: &str) -> Result<GitOutput, SyncError> {
        let o = self.run(dir, args, what)?;
        if o.code != 0 {
            return Err(SyncError::GitFailed {
                what: what.to_string(),
                code: o.code,
                said: last_lines(&o.stderr),
            });
        }
        Ok(o)
    }
}

fn last_lines(text: &str) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let start = lines.len().saturating_sub(4);
    lines[start..].join("\n")
}

/// Counts of what moved, by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Moved {
    /// Commits.
    pub commits: usize,
    /// Files by kind (`round`, `fact`, `comments`, `decision`, `letter`, `draft`, …).
    pub records: BTreeMap<String, usize>,
    /// Version tags.
    pub versions: Vec<String>,
    /// Approval tags.
    pub approvals: Vec<String>,
}

impl Moved {
    /// Whether nothing moved.
    pub fn is_empty(&self) -> bool {
        self.commits == 0
            && self.records.is_empty()
            && self.versions.is_empty()
            && self.approvals.is_empty()
    }
}

/// A local version renumbered because the remote published another one of its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Renumbered {
    /// The name it had.
    pub from: String,
    /// The name it has now.
    pub to: String,
    /// Its commit (unchanged).
    pub commit: String,
}

/// How the two branches came together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MergeKind {
    /// Nothing came in.
    UpToDate,
    /// Only the remote had new commits.
    FastForward,
    /// Both had: a merge commit.
    Merge,
}

/// What a sync did.
#[derive(Debug, Clone, Serialize)]
pub struct SyncOutcome {
    /// The remote.
    pub remote: String,
    /// Its URL.
    pub url: String,
    /// The branch.
    pub branch: String,
    /// How the last round of fetch and merge ended.
    pub merge: MergeKind,
    /// The merge commit, if one was made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merge_commit: Option<String>,
    /// What came in.
    pub incoming: Moved,
    /// What went out.
    pub outgoing: Moved,
    /// Local versions renumbered.
    pub renumbered: Vec<Renumbered>,
    /// Keys of `strategi.toml` changed differently on both sides.
    pub conflicts: Vec<KeyConflict>,
    /// How many times fetch and merge ran (more than one when a push was rejected).
    pub attempts: u32,
    /// Whether anything was pushed.
    pub pushed: bool,
    /// HEAD after the sync.
    pub head: String,
}

/// The last sync, as `status` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastSync {
    /// The remote.
    pub remote: String,
    /// When it ran (the command's clock).
    pub at: jiff::Timestamp,
    /// HEAD after it.
    pub head: String,
}

/// The remote as `status` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemoteStatus {
    /// Its name.
    pub name: String,
    /// Its URL.
    pub url: String,
    /// The branch compared.
    pub branch: String,
    /// Commits here the remote did not have at the last fetch.
    pub not_pushed: usize,
    /// Commits the remote had at the last fetch that are not here.
    pub not_pulled: usize,
    /// Whether the remote branch was ever fetched.
    pub fetched: bool,
    /// The last sync, if one ran.
    pub last_sync: Option<LastSync>,
}

/// A `strategi.toml` conflict recorded by a sync and not settled since.
///
/// Both values are read from the merge commit's parents (the first is the side that
/// merged, the second the remote's), so a merge recorded before the values were shown
/// reads the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenConflict {
    /// The key.
    pub key: String,
    /// The merge commit that recorded it.
    pub commit: String,
    /// The party the merge acted as (its `Strategi-Party`), if it names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged_by: Option<String>,
    /// The value on the side that merged (not kept), as TOML; `None` when that side
    /// had removed the key.
    pub local: Option<String>,
    /// The remote's value (kept by the merge), as TOML; `None` when the remote had
    /// removed the key.
    pub remote: Option<String>,
}

fn state_rank(text: &str) -> (u8, u64, String) {
    let table: Option<toml::Table> = text.parse().ok();
    let get = |k: &str| table.as_ref().and_then(|t| t.get(k)).cloned();
    let rank = match get("state").as_ref().and_then(toml::Value::as_str) {
        Some("sent") => 5,
        Some("uncertain") => 4,
        Some("failed") => 3,
        Some("sending") => 2,
        Some("queued") => 1,
        _ => 0,
    };
    let attempts = get("attempts")
        .as_ref()
        .and_then(toml::Value::as_integer)
        .unwrap_or(0)
        .max(0) as u64;
    let last = get("last_attempt")
        .map(|v| v.to_string())
        .unwrap_or_default();
    (rank, attempts, last)
}

/// Which of two versions of an outbox state file a merge keeps (see the module's
/// description): `true` for `theirs`.
///
/// Two different `sending` states are two claims on one letter (see
/// `consultation::letters::deliver`): the remote's, published first, is kept, so a
/// claim once pushed is never taken over by a later one.
pub fn outbox_keeps_theirs(ours: &str, theirs: &str) -> bool {
    let (o, t) = (state_rank(ours), state_rank(theirs));
    if o.0 == 2 && t.0 == 2 && ours != theirs {
        return true;
    }
    (t, theirs) > (o, ours)
}

/// The kind a path counts as in a sync's summary.
fn kind_of(path: &str) -> Option<&'static str> {
    let parts: Vec<&str> = path.split('/').collect();
    Some(match parts.as_slice() {
        [f] if *f == CONFIG_FILE => "configuration",
        ["strategy", ..] => "draft",
        ["outbox", f] if f.ends_with(".eml") => "letter",
        ["outbox", _] => return None,
        ["consultations", _, "round.toml"] => "round",
        ["consultations", _, "facts", _] => "fact",
        ["consultations", _, "comments", _] => "comment",
        ["consultations", _, "decisions", _] => "decision",
        ["consultations", _, "inbox", _, "import.toml"] => "reply",
        ["consultations", ..] => return None,
        ["submissions", _] => "submission",
        ["approvals", _] => "approval",
        ["signatures", _] => "signature",
        ["withdrawals", _] => "withdrawal",
        ["settings", _] => "setting",
        _ => return None,
    })
}

fn count_changes(
    repo: &Repository,
    old: Option<Oid>,
    new: Oid,
) -> Result<BTreeMap<String, usize>, StoreError> {
    let mut out = BTreeMap::new();
    if old == Some(new) {
        return Ok(out);
    }
    let tree_of = |c: Oid| {
        repo.find_commit(c)
            .and_then(|c| c.tree())
            .map_err(StoreError::git(format!("read the tree of {c}")))
    };
    let old_tree = old.map(tree_of).transpose()?;
    let new_tree = tree_of(new)?;
    // Only the folders that differ are read (`treemerge::changed_files`).
    for change in changed_files(repo, old_tree.as_ref(), Some(&new_tree))? {
        if change.new.is_none() {
            continue;
        }
        let Some(kind) = kind_of(&change.path) else {
            continue;
        };
        // Records are counted when added; the draft and the configuration when changed.
        if change.old.is_some() && !matches!(kind, "draft" | "configuration") {
            continue;
        }
        *out.entry(kind.to_string()).or_default() += 1;
    }
    Ok(out)
}

fn is_version_tag(name: &str) -> Option<VersionName> {
    let n = name.strip_prefix('v')?;
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) || n.starts_with('0') {
        return None;
    }
    n.parse().ok().map(VersionName)
}

fn shared_tag(name: &str) -> bool {
    is_version_tag(name).is_some() || name.starts_with("approved/")
}

/// The tags (`v*`, `approved/*`) under a ref prefix, by name, to the object they name.
fn tags_under(repo: &Repository, prefix: &str) -> Result<BTreeMap<String, Oid>, StoreError> {
    let mut out = BTreeMap::new();
    let refs = repo
        .references_glob(&format!("{prefix}*"))
        .map_err(StoreError::git("list tags"))?;
    for r in refs {
        let r = r.map_err(StoreError::git("list tags"))?;
        let (Ok(name), Some(target)) = (r.name(), r.target()) else {
            continue;
        };
        let Some(short) = name.strip_prefix(prefix) else {
            continue;
        };
        if shared_tag(short) {
            out.insert(short.to_string(), target);
        }
    }
    Ok(out)
}

fn remote_tags_prefix(remote: &str) -> String {
    format!("refs/strategi/remotes/{remote}/tags/")
}

fn peel(repo: &Repository, oid: Oid) -> Option<Oid> {
    repo.find_object(oid, None)
        .ok()
        .and_then(|o| o.peel_to_commit().ok())
        .map(|c| c.id())
}

impl Workspace {
    /// The branch HEAD is on, if any.
    fn branch_name(&self) -> Option<String> {
        let head = self.repo.find_reference("HEAD").ok()?;
        head.symbolic_target()
            .ok()
            .flatten()
            .and_then(|t| t.strip_prefix("refs/heads/"))
            .map(str::to_string)
    }

    fn remote_url(&self, remote: &str) -> Result<String, SyncError> {
        match self.repo.find_remote(remote) {
            Ok(r) => Ok(r.url().unwrap_or_default().to_string()),
            Err(_) => Err(SyncError::NoRemote {
                remote: remote.to_string(),
            }),
        }
    }

    fn last_sync_path(&self) -> PathBuf {
        self.repo.path().join(LAST_SYNC_FILE)
    }

    /// The remote a workspace shares its case through: `origin` if there is one, else
    /// the first; `None` without remotes.
    pub fn shared_remote(&self) -> Result<Option<String>, StoreError> {
        let names = self
            .repo
            .remotes()
            .map_err(StoreError::git("list the remotes"))?;
        let names: Vec<String> = names
            .iter()
            .flatten()
            .flatten()
            .map(str::to_string)
            .collect();
        Ok(names
            .iter()
            .find(|n| *n == "origin")
            .or_else(|| names.first())
            .cloned())
    }

    /// The remote `status` shows ([`Workspace::shared_remote`]); `None` without remotes.
    pub fn remote_status(&self) -> Result<Option<RemoteStatus>, StoreError> {
        let Some(name) = self.shared_remote()? else {
            return Ok(None);
        };
        let url = self.remote_url(&name).unwrap_or_default();
        let branch = self.branch_name().unwrap_or_else(|| "main".to_string());
        let last_sync = std::fs::read(self.last_sync_path())
            .ok()
            .and_then(|b| serde_json::from_slice::<Vec<LastSync>>(&b).ok())
            .and_then(|all| all.into_iter().find(|s| s.remote == name));
        let head = self.head_commit()?.map(|c| c.id());
        let remote_head = self
            .repo
            .refname_to_id(&format!("refs/remotes/{name}/{branch}"))
            .ok();
        let (not_pushed, not_pulled) = match (head, remote_head) {
            (Some(h), Some(r)) => self
                .repo
                .graph_ahead_behind(h, r)
                .map_err(StoreError::git("compare with the remote"))?,
            (Some(h), None) => (count_commits(&self.repo, h)?, 0),
            _ => (0, 0),
        };
        Ok(Some(RemoteStatus {
            name,
            url,
            branch,
            not_pushed,
            not_pulled,
            fetched: remote_head.is_some(),
            last_sync,
        }))
    }

    /// The `strategi.toml` conflicts that syncs recorded (`Strategi-Conflict:` in a sync
    /// merge commit) and no later commit settled (`Strategi-Settled: KEY`). Walks HEAD's history newest first (topological order), so a settlement
    /// counts for the conflicts recorded before it.
    pub fn open_config_conflicts(&self) -> Result<Vec<OpenConflict>, StoreError> {
        let Some(head) = self.head_commit()? else {
            return Ok(Vec::new());
        };
        let mut walk = self
            .repo
            .revwalk()
            .map_err(StoreError::git("walk the history"))?;
        walk.push(head.id())
            .map_err(StoreError::git("walk the history"))?;
        walk.set_sorting(git2::Sort::TOPOLOGICAL)
            .map_err(StoreError::git("walk the history"))?;
        let mut settled: BTreeSet<String> = BTreeSet::new();
        let mut open = Vec::new();
        for oid in walk {
            let oid = oid.map_err(StoreError::git("walk the history"))?;
            let c = self
                .repo
                .find_commit(oid)
                .map_err(StoreError::git(format!("read commit {oid}")))?;
            let msg = c.message().unwrap_or_default();
            for line in msg.lines() {
                if let Some(k) = line.strip_prefix("Strategi-Settled:") {
                    settled.insert(k.trim().to_string());
                }
            }
            if msg
                .lines()
                .any(|l| l.trim() == format!("Strategi-Action: {}", Action::Sync))
            {
                let mut sides: Option<[Option<String>; 2]> = None;
                for line in msg.lines() {
                    if let Some(k) = line.strip_prefix("Strategi-Conflict:") {
                        let k = k.trim().to_string();
                        if !settled.contains(&k) {
                            let [ours, theirs] = sides.get_or_insert_with(|| {
                                [0, 1].map(|i| {
                                    c.parent(i)
                                        .ok()
                                        .and_then(|p| blob_text(&self.repo, &p, CONFIG_FILE))
                                })
                            });
                            let value = |t: &Option<String>| {
                                t.as_deref()
                                    .and_then(|t| super::toml_merge::toml_value_at(t, &k))
                            };
                            open.push(OpenConflict {
                                local: value(ours),
                                remote: value(theirs),
                                merged_by: msg.lines().find_map(|l| {
                                    l.strip_prefix("Strategi-Party:")
                                        .map(|p| p.trim().to_string())
                                }),
                                key: k,
                                commit: oid.to_string(),
                            });
                        }
                    }
                }
            }
        }
        open.reverse();
        Ok(open)
    }
}

fn count_commits(repo: &Repository, head: Oid) -> Result<usize, StoreError> {
    let mut walk = repo
        .revwalk()
        .map_err(StoreError::git("walk the history"))?;
    walk.push(head)
        .map_err(StoreError::git("walk the history"))?;
    Ok(walk.count())
}

/// The result of merging the remote's branch into HEAD.
struct Merged {
    kind: MergeKind,
    commit: Option<Oid>,
    conflicts: Vec<KeyConflict>,
}

/// The id of `strategi.toml` in a tree, if it has one.
fn config_id(tree: &git2::Tree<'_>) -> Option<Oid> {
    tree.get_path(Path::new(CONFIG_FILE)).ok().map(|e| e.id())
}

/// Refuses a merge that would take in a `strategi.toml` the remote changed (since the
/// common commit `base`, and differently from ours) into text that is not TOML: names
/// the line and column and the remote commit that made that text.
fn check_remote_config(
    repo: &Repository,
    base: Oid,
    our_tree: &git2::Tree<'_>,
    theirs: &git2::Commit<'_>,
    remote_ref: &str,
) -> Result<(), SyncError> {
    let their_tree = theirs.tree().map_err(StoreError::git("read a tree"))?;
    let Some(their_id) = config_id(&their_tree) else {
        return Ok(());
    };
    let base_id = repo
        .find_commit(base)
        .ok()
        .and_then(|c| c.tree().ok())
        .and_then(|t| config_id(&t));
    if base_id == Some(their_id) || config_id(our_tree) == Some(their_id) {
        return Ok(());
    }
    let Some(text) = blob_text(repo, theirs, CONFIG_FILE) else {
        // Too large or not UTF-8: the merge itself names it.
        return Ok(());
    };
    let Some((message, place)) = super::toml_merge::toml_error_at(&text) else {
        return Ok(());
    };
    // The commit that made this text: back along first parents while the parent holds
    // the same blob (bounded, and never past the common commit).
    let mut maker = theirs.clone();
    for _ in 0..100_000 {
        if maker.id() == base {
            break;
        }
        let Ok(parent) = maker.parent(0) else { break };
        let same = parent.tree().ok().and_then(|t| config_id(&t)) == Some(their_id);
        if !same {
            break;
        }
        maker = parent;
    }
    let short = maker
        .as_object()
        .short_id()
        .ok()
        .and_then(|b| b.as_str().ok().map(str::to_string))
        .unwrap_or_else(|| maker.id().to_string().chars().take(7).collect());
    Err(SyncError::BadRemoteConfig(Box::new(BadRemoteConfig {
        remote_ref: remote_ref.to_string(),
        message,
        place,
        commit: short,
        author: maker.author().name().unwrap_or("?").to_string(),
        summary: String::from_utf8_lossy(maker.message_bytes())
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .to_string(),
    })))
}

/// The text of `path` in `commit`'s tree, if it is there, is UTF-8 and within the
/// config limit ([`super::bounded_blob`]).
fn blob_text(repo: &Repository, commit: &git2::Commit<'_>, path: &str) -> Option<String> {
    let e = commit.tree().ok()?.get_path(Path::new(path)).ok()?;
    let id = commit.id().to_string();
    let b = super::bounded_blob(
        repo,
        e.id(),
        path,
        &id,
        crate::input::limits::CONFIG,
        "configuration",
    )
    .ok()?;
    String::from_utf8(b.content().to_vec()).ok()
}

impl Transaction<'_> {
    /// Runs `sync` with `remote`: fetch, merge, push, with up to `retries` more rounds
    /// when the push is rejected. The transaction holds the workspace lock throughout;
    /// `actor` and `when` make the merge commit.
    pub fn sync(
        &mut self,
        git: &SystemGit,
        remote: &str,
        actor: &Actor,
        when: &jiff::ZonedDateTime,
        retries: u32,
    ) -> Result<SyncOutcome, SyncError> {
        let ws = self.ws;
        let repo = &ws.repo;
        let url = ws.remote_url(remote)?;
        let branch = ws.branch_name().ok_or(SyncError::NoBranch)?;
        let start_head = ws
            .head_commit()?
            .map(|c| c.id())
            .ok_or(SyncError::NoBranch)?;
        if repo.path().join("MERGE_HEAD").exists() {
            return Err(SyncError::MergeInProgress);
        }
        let tracking = format!("refs/remotes/{remote}/{branch}");
        let tag_prefix = remote_tags_prefix(remote);
        let mut outcome = SyncOutcome {
            remote: remote.to_string(),
            url,
            branch: branch.clone(),
            merge: MergeKind::UpToDate,
            merge_commit: None,
            incoming: Moved::default(),
            outgoing: Moved::default(),
            renumbered: Vec::new(),
            conflicts: Vec::new(),
            attempts: 0,
            pushed: false,
            head: String::new(),
        };
        let mut tags_in: BTreeSet<String> = BTreeSet::new();
        loop {
            outcome.attempts += 1;
            // 1. Fetch, into refs of our own: never over a local tag.
            fetch(git, &ws.root, remote, &branch)?;
            let remote_head = repo.refname_to_id(&tracking).ok();
            let remote_tags = tags_under(repo, &tag_prefix)?;
            let local_tags = tags_under(repo, "refs/tags/")?;

            // 2. Plan the tags before anything changes.
            let mut renumber: Vec<(String, Oid)> = Vec::new();
            for (name, theirs) in &remote_tags {
                match local_tags.get(name) {
                    Some(ours) if ours != theirs => {
                        if is_version_tag(name).is_some() {
                            renumber.push((name.clone(), *ours));
                        } else {
                            return Err(SyncError::TagClash { tag: name.clone() });
                        }
                    }
                    _ => {}
                }
            }
            for (name, tag) in &renumber {
                let Some(commit) = peel(repo, *tag) else {
                    continue;
                };
                let records = records_naming(repo, commit, remote_head, name)?;
                if !records.is_empty() {
                    return Err(SyncError::VersionInUse {
                        name: is_version_tag(name).unwrap_or(VersionName(0)),
                        remote_ref: format!("{remote}/{branch}"),
                        records,
                    });
                }
            }

            // 3. Merge.
            let head_before = ws
                .head_commit()?
                .map(|c| c.id())
                .ok_or(SyncError::NoBranch)?;
            let merged = match remote_head {
                None => Merged {
                    kind: MergeKind::UpToDate,
                    commit: None,
                    conflicts: Vec::new(),
                },
                Some(r) => self.merge_remote(remote, &branch, r, actor, when)?,
            };
            if merged.kind != MergeKind::UpToDate {
                outcome.merge = merged.kind;
            }
            if let Some(c) = merged.commit {
                outcome.merge_commit = Some(c.to_string());
            }
            outcome.conflicts.extend(merged.conflicts);

            // 4. Tags: the remote's come in; a local version the remote has under its
            // name (another text) gets the next free number.
            let mut highest = local_tags
                .keys()
                .chain(remote_tags.keys())
                .filter_map(|n| is_version_tag(n))
                .map(|v| v.0)
                .max()
                .unwrap_or(0);
            for (name, tag) in &renumber {
                highest += 1;
                let to = VersionName(highest);
                let commit = peel(repo, *tag).unwrap_or(*tag);
                renumber_tag(repo, name, *tag, &to.tag())?;
                outcome.renumbered.push(Renumbered {
                    from: name.clone(),
                    to: to.tag(),
                    commit: commit.to_string(),
                });
            }
            for (name, theirs) in &remote_tags {
                let local = format!("refs/tags/{name}");
                if repo.refname_to_id(&local).ok() != Some(*theirs) {
                    repo.reference(&local, *theirs, true, "strategi sync: the remote's tag")
                        .map_err(StoreError::git(format!("make the tag {name}")))?;
                    tags_in.insert(name.clone());
                }
            }
            let head_now = ws
                .head_commit()?
                .map(|c| c.id())
                .ok_or(SyncError::NoBranch)?;
            if head_now != head_before {
                outcome.incoming.commits += repo
                    .graph_ahead_behind(head_now, head_before)
                    .map_err(StoreError::git("count the commits that came in"))?
                    .0
                    .saturating_sub(usize::from(merged.commit.is_some()));
            }
            let counted = count_changes(repo, Some(head_before), head_now)?;
            for (k, n) in counted {
                *outcome.incoming.records.entry(k).or_default() += n;
            }

            // 5. Push what the remote lacks.
            let local_tags = tags_under(repo, "refs/tags/")?;
            let tags_out: Vec<String> = local_tags
                .iter()
                .filter(|(n, oid)| remote_tags.get(*n) != Some(oid))
                .map(|(n, _)| n.clone())
                .collect();
            let branch_out = remote_head != Some(head_now);
            if !branch_out && tags_out.is_empty() {
                break;
            }
            let mut args: Vec<String> = vec![
                "push".into(),
                "--porcelain".into(),
                "--atomic".into(),
                remote.into(),
            ];
            if branch_out {
                args.push(format!("refs/heads/{branch}:refs/heads/{branch}"));
            }
            for t in &tags_out {
                args.push(format!("refs/tags/{t}:refs/tags/{t}"));
            }
            let argv: Vec<&str> = args.iter().map(String::as_str).collect();
            let pushed = git.run(&ws.root, &argv, &format!("push to \"{remote}\""))?;
            if pushed.code == 0 {
                if branch_out {
                    outcome.outgoing.commits = match remote_head {
                        Some(r) => {
                            repo.graph_ahead_behind(head_now, r)
                                .map_err(StoreError::git("count the commits that went out"))?
                                .0
                        }
                        None => count_commits(repo, head_now)?,
                    };
                    let out = count_changes(repo, remote_head, head_now)?;
                    for (k, n) in out {
                        *outcome.outgoing.records.entry(k).or_default() += n;
                    }
                    let _ = repo.reference(&tracking, head_now, true, "strategi sync: pushed");
                }
                for t in &tags_out {
                    if let Ok(oid) = repo.refname_to_id(&format!("refs/tags/{t}")) {
                        let _ = repo.reference(
                            &format!("{tag_prefix}{t}"),
                            oid,
                            true,
                            "strategi sync: pushed",
                        );
                    }
                    if t.starts_with("approved/") {
                        outcome.outgoing.approvals.push(t.clone());
                    } else {
                        outcome.outgoing.versions.push(t.clone());
                    }
                }
                outcome.pushed = true;
                break;
            }
            // Rejected: retried only if the remote moved meanwhile (someone pushed);
            // anything else is reported with git's words.
            let said = last_lines(&format!("{}\n{}", pushed.stdout, pushed.stderr));
            // (A remote that cannot be reached now is reported as the push's failure.)
            let moved = fetch(git, &ws.root, remote, &branch).is_ok()
                && (repo.refname_to_id(&tracking).ok() != remote_head
                    || tags_under(repo, &tag_prefix)? != remote_tags);
            if !moved {
                return Err(SyncError::GitFailed {
                    what: format!("push to \"{remote}\""),
                    code: pushed.code,
                    said,
                });
            }
            if outcome.attempts > retries {
                return Err(SyncError::Rejected {
                    attempts: outcome.attempts,
                    said,
                });
            }
        }
        for t in tags_in {
            if t.starts_with("approved/") {
                outcome.incoming.approvals.push(t);
            } else {
                outcome.incoming.versions.push(t);
            }
        }
        let head = ws.head_commit()?.map(|c| c.id()).unwrap_or(start_head);
        outcome.head = head.to_string();
        // The last sync, for `status` (not committed; a failure to note it loses nothing).
        let mut all: Vec<LastSync> = std::fs::read(ws.last_sync_path())
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        all.retain(|s| s.remote != remote);
        all.push(LastSync {
            remote: remote.to_string(),
            at: when.timestamp(),
            head: outcome.head.clone(),
        });
        if let Ok(bytes) = serde_json::to_vec_pretty(&all) {
            let _ = atomic_write(&ws.last_sync_path(), &bytes);
        }
        Ok(outcome)
    }

    /// Merges the commit `theirs` (the remote's branch) into HEAD: nothing when HEAD has
    /// it, a fast-forward when HEAD is behind, else strategi's merge commit.
    fn merge_remote(
        &mut self,
        remote: &str,
        branch: &str,
        theirs: Oid,
        actor: &Actor,
        when: &jiff::ZonedDateTime,
    ) -> Result<Merged, SyncError> {
        let ws = self.ws;
        let repo = &ws.repo;
        let ours = ws
            .head_commit()?
            .map(|c| c.id())
            .ok_or(SyncError::NoBranch)?;
        let none = Merged {
            kind: MergeKind::UpToDate,
            commit: None,
            conflicts: Vec::new(),
        };
        if ours == theirs
            || repo
                .graph_descendant_of(ours, theirs)
                .map_err(StoreError::git("compare with the remote"))?
        {
            return Ok(none);
        }
        let find = |o: Oid| {
            repo.find_commit(o)
                .map_err(StoreError::git(format!("read commit {o}")))
        };
        let our_commit = find(ours)?;
        let their_commit = find(theirs)?;
        let our_tree = our_commit.tree().map_err(StoreError::git("read a tree"))?;
        let their_tree = their_commit
            .tree()
            .map_err(StoreError::git("read a tree"))?;
        let Some(base) = repo.merge_base(ours, theirs).ok() else {
            return Err(SyncError::Unrelated {
                remote_ref: format!("{remote}/{branch}"),
            });
        };
        check_remote_config(
            repo,
            base,
            &our_tree,
            &their_commit,
            &format!("{remote}/{branch}"),
        )?;
        if base == ours {
            self.move_to(&our_tree, &their_tree, Target::FastForward(theirs))?;
            return Ok(Merged {
                kind: MergeKind::FastForward,
                commit: None,
                conflicts: Vec::new(),
            });
        }
        let base_tree = find(base)?
            .tree()
            .map_err(StoreError::git("read the merge base's tree"))?;
        // The merge reads only the folders both sides changed (`treemerge`); files both
        // changed differently are merged here: strategi.toml key by key, an outbox
        // state by its rank, anything else (the draft) as git merges text.
        let mut stuck: Vec<String> = Vec::new();
        // Draft files git cannot merge: their three sides, for the index's conflict stages.
        let mut drafts: Vec<DraftSides> = Vec::new();
        let their_label = format!("{remote}/{branch}");
        let mut conflicts = Vec::new();
        let mut bad_config = None;
        let text_of = |e: Option<Entry>| -> Option<Vec<u8>> {
            e.filter(|e| e.mode != 0o040000)
                .and_then(|e| repo.find_blob(e.id).ok())
                .map(|b| b.content().to_vec())
        };
        let as_text = |b: Option<Vec<u8>>| b.and_then(|b| String::from_utf8(b).ok());
        let store = |path: &str, bytes: &[u8], mode: i32| -> Result<Option<Entry>, StoreError> {
            let id = repo
                .blob(bytes)
                .map_err(StoreError::git(format!("store \"{path}\"")))?;
            Ok(Some(Entry { id, mode }))
        };
        let mut resolve = |path: &str,
                           b: Option<Entry>,
                           o: Option<Entry>,
                           t: Option<Entry>|
         -> Result<Option<Entry>, StoreError> {
            let file_mode = |e: Option<Entry>| e.map_or(0o100644, |e| e.mode);
            if path == CONFIG_FILE {
                let (Some(ours_cfg), Some(theirs_cfg)) = (as_text(text_of(o)), as_text(text_of(t)))
                else {
                    stuck.push(path.to_string());
                    return Ok(o);
                };
                let base_cfg = as_text(text_of(b));
                match merge_toml(base_cfg.as_deref(), &ours_cfg, &theirs_cfg) {
                    Ok(m) => {
                        conflicts.extend(m.conflicts);
                        return store(path, m.text.as_bytes(), file_mode(o));
                    }
                    Err(e) => {
                        bad_config = Some(e);
                        return Ok(o);
                    }
                }
            }
            if path.starts_with("outbox/") && path.ends_with(".toml") {
                return Ok(match (as_text(text_of(o)), as_text(text_of(t))) {
                    (Some(ours_text), Some(theirs_text)) => {
                        if outbox_keeps_theirs(&ours_text, &theirs_text) {
                            t
                        } else {
                            o
                        }
                    }
                    (Some(_), None) => o,
                    (None, Some(_)) => t,
                    (None, None) => o,
                });
            }
            // Anything else both sides changed: git's text merge, or it is stuck.
            let (Some(ours_bytes), Some(theirs_bytes)) = (text_of(o), text_of(t)) else {
                stuck.push(path.to_string());
                return Ok(o);
            };
            let base_bytes = text_of(b).unwrap_or_default();
            fn input<'b>(bytes: &'b [u8], path: &str) -> git2::MergeFileInput<'b> {
                let mut i = git2::MergeFileInput::new();
                i.content(bytes).path(path);
                i
            }
            let (bi, oi, ti) = (
                input(&base_bytes, path),
                input(&ours_bytes, path),
                input(&theirs_bytes, path),
            );
            let merged = git2::merge_file(&bi, &oi, &ti, None)
                .map_err(StoreError::git(format!("merge \"{path}\"")))?;
            if !merged.is_automergeable() {
                stuck.push(path.to_string());
                if path.starts_with("strategy/") {
                    // Both texts between git's markers, should the merge be left in progress.
                    let marked = git2::merge_file(
                        &input(&base_bytes, path),
                        &input(&ours_bytes, path),
                        &input(&theirs_bytes, path),
                        Some(
                            git2::MergeFileOptions::new()
                                .our_label("yours")
                                .their_label(&their_label)
                                .ancestor_label("base"),
                        ),
                    )
                    .map_err(StoreError::git(format!("merge \"{path}\"")))?;
                    drafts.push((path.to_string(), b, o, t));
                    return store(path, marked.content(), file_mode(o));
                }
                return Ok(o);
            }
            store(path, merged.content(), file_mode(o))
        };
        let tree_id = merge_trees(repo, Some(&base_tree), &our_tree, &their_tree, &mut resolve)?;
        if let Some(e) = bad_config {
            return Err(e.into());
        }
        let remote_ref = format!("{remote}/{branch}");
        if !stuck.is_empty() && stuck.len() == drafts.len() {
            // Only draft files: the merge is left in progress, all else merged.
            let tree = repo
                .find_tree(tree_id)
                .map_err(StoreError::git("read the merged tree"))?;
            let message = self.merge_message(remote, branch, ours, theirs, &conflicts, actor)?;
            self.move_to(&our_tree, &tree, Target::InProgress { message, theirs })?;
            mark_conflicts(repo, &drafts)?;
            return Err(SyncError::DraftConflict {
                paths: stuck,
                remote_ref,
            });
        }
        if !stuck.is_empty() {
            return Err(SyncError::TextConflict {
                paths: stuck,
                remote_ref: format!("{remote}/{branch}"),
            });
        }
        let tree = repo
            .find_tree(tree_id)
            .map_err(StoreError::git("read the merged tree"))?;
        let message = self.merge_message(remote, branch, ours, theirs, &conflicts, actor)?;
        let commit = self.move_to(
            &our_tree,
            &tree,
            Target::Merge {
                message,
                actor,
                when,
                theirs,
            },
        )?;
        Ok(Merged {
            kind: MergeKind::Merge,
            commit,
            conflicts,
        })
    }

    /// The message of strategi's merge commit of `ours` and `theirs`.
    fn merge_message(
        &self,
        remote: &str,
        branch: &str,
        ours: Oid,
        theirs: Oid,
        conflicts: &[KeyConflict],
        actor: &Actor,
    ) -> Result<String, StoreError> {
        let repo = &self.ws.repo;
        let mut body = format!(
            "Merged {remote}/{branch} ({}) into {branch}.",
            &theirs.to_string()[..12]
        );
        if !conflicts.is_empty() {
            body.push_str(
                "\n\nBoth sides changed these keys of strategi.toml differently; the remote's value was kept:",
            );
            for c in conflicts {
                body.push_str(&format!("\n- {c}"));
            }
        }
        let mut extra: Vec<(&str, String)> = vec![("Remote", remote.to_string())];
        let clock = {
            let find = |oid: Oid| {
                repo.find_commit(oid)
                    .map_err(StoreError::git(format!("read commit {oid}")))
            };
            super::merge_clock(repo, &[&find(ours)?, &find(theirs)?])?
        };
        if clock > 0 {
            extra.push(("Clock", clock.to_string()));
        }
        for c in conflicts {
            extra.push(("Conflict", c.key.clone()));
        }
        Ok(message_with_trailers(
            &format!("Sync with {remote}"),
            &body,
            Action::Sync,
            actor,
            &extra,
        ))
    }

    /// Moves the branch from `from` (HEAD's tree) to `to` and brings the working tree
    /// along, as a transaction's commit does: a journal first (so an interruption puts
    /// the old files back), then the files, then the ref (the commit point), then the
    /// index. Files with uncommitted changes that would be touched refuse the move.
    fn move_to(
        &mut self,
        from: &git2::Tree<'_>,
        to: &git2::Tree<'_>,
        target: Target<'_>,
    ) -> Result<Option<Oid>, SyncError> {
        let ws = self.ws;
        let repo = &ws.repo;
        let head = ws.head_commit()?.ok_or(SyncError::NoBranch)?;
        let mut changes: Vec<(String, Option<Vec<u8>>)> = Vec::new();
        let mut dirty = Vec::new();
        // The blob each moved file gets: its index entry needs no hashing.
        let mut known: BTreeMap<String, Oid> = BTreeMap::new();
        let content = |e: Option<Entry>| -> Result<Option<Vec<u8>>, StoreError> {
            e.map(|e| {
                repo.find_blob(e.id)
                    .map(|b| b.content().to_vec())
                    .map_err(StoreError::git(format!("read the file {}", e.id)))
            })
            .transpose()
        };
        for change in changed_files(repo, Some(from), Some(to))? {
            let path = change.path;
            let on_disk = std::fs::read(ws.root.join(&path)).ok();
            let committed = content(change.old)?;
            let wanted = content(change.new)?;
            if on_disk != committed && on_disk != wanted {
                dirty.push(path.clone());
            }
            if let Some(e) = change.new {
                known.insert(path.clone(), e.id);
            }
            changes.push((path, wanted));
        }
        if !dirty.is_empty() {
            return Err(SyncError::Dirty { paths: dirty });
        }
        // 1. Journal.
        let jpath = ws.journal_path();
        let journal = Journal {
            head: Some(head.id().to_string()),
            files: changes
                .iter()
                .map(|(p, _)| {
                    Ok(JournalFile {
                        path: p.clone(),
                        old: old_content(&ws.root, p)?,
                    })
                })
                .collect::<Result<_, StoreError>>()?,
            index: self.pending_index.iter().cloned().collect(),
            strategy: self.pending_strategy,
            cut: false,
        };
        let jbytes = serde_json::to_vec(&journal).map_err(|e| StoreError::Io {
            action: "write",
            path: jpath.clone(),
            source: std::io::Error::other(e),
        })?;
        atomic_write(&jpath, &jbytes)?;
        let timeout = self.timeout();
        let result = (|| -> Result<Option<Oid>, StoreError> {
            // 2. Files.
            for ((path, wanted), file) in changes.iter().zip(&journal.files) {
                let target = ws.root.join(path);
                match wanted {
                    Some(bytes) if file.old.is_some() => atomic_write(&target, bytes)?,
                    Some(bytes) => {
                        if let Some(dir) = target.parent() {
                            std::fs::create_dir_all(dir)
                                .map_err(StoreError::io("create the folder", dir))?;
                        }
                        write_renamed(&target, bytes, false)
                            .map_err(StoreError::io("write", &target))?;
                    }
                    None => match std::fs::remove_file(&target) {
                        Ok(()) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => return Err(StoreError::io("remove", &target)(e)),
                    },
                }
            }
            // 3. The ref.
            let branch = repo
                .find_reference("HEAD")
                .ok()
                .and_then(|h| h.symbolic_target().ok().flatten().map(str::to_string))
                .unwrap_or_else(|| "HEAD".to_string());
            match &target {
                Target::FastForward(oid) => {
                    repo.reference_matching(
                        &branch,
                        *oid,
                        true,
                        head.id(),
                        "strategi sync: fast-forward",
                    )
                    .map_err(StoreError::git("move the branch to the remote's commit"))?;
                    Ok(None)
                }
                Target::InProgress { message, theirs } => {
                    // git's own state of a merge in progress: `git commit` finishes it.
                    let git_dir = repo.path();
                    atomic_write(
                        &git_dir.join("MERGE_HEAD"),
                        format!("{theirs}\n").as_bytes(),
                    )?;
                    atomic_write(&git_dir.join("MERGE_MSG"), message.as_bytes())?;
                    atomic_write(&git_dir.join("MERGE_MODE"), b"no-ff")?;
                    Ok(None)
                }
                Target::Merge {
                    message,
                    actor,
                    when,
                    theirs,
                } => {
                    ws.check_forward(when)?;
                    let author = Workspace::signature(actor, when)?;
                    let committer = self.committer_signature(actor, when)?;
                    let their_commit = repo
                        .find_commit(*theirs)
                        .map_err(StoreError::git("read the remote's commit"))?;
                    let parents = [&head, &their_commit];
                    let made = match self.signing_key() {
                        None => {
                            repo.commit(Some("HEAD"), &author, &committer, message, to, &parents)
                        }
                        Some(key) => {
                            signed_commit(repo, &author, &committer, message, to, &parents, key)?
                        }
                    };
                    made.map(Some)
                        .map_err(StoreError::git("record the merge commit"))
                }
            }
        })();
        let made = match result {
            Ok(m) => m,
            Err(e) => {
                ws.recover(timeout)?;
                return Err(e.into());
            }
        };
        // 4. Index and journal (past the commit point: a failure is a warning).
        let mut paths: BTreeSet<String> = std::mem::take(&mut self.pending_index);
        paths.extend(changes.into_iter().map(|(p, _)| p));
        let list: Vec<&str> = paths.iter().map(String::as_str).collect();
        match ws.update_index_known(&list, &known, self.pending_strategy, timeout) {
            Ok(()) => {
                self.pending_strategy = false;
                let _ = std::fs::remove_file(&jpath);
            }
            Err(e) => {
                ws.notices.push(
                    super::NoticeLevel::Warning,
                    format!("The sync is recorded, but git's index could not be updated ({e}); the next strategi command refreshes it."),
                );
                self.pending_index = paths;
            }
        }
        Ok(made)
    }
}

/// Where [`Transaction::move_to`] moves the branch.
enum Target<'a> {
    /// To the remote's commit.
    FastForward(Oid),
    /// To a new merge commit of HEAD and `theirs` with the given tree.
    Merge {
        message: String,
        actor: &'a Actor,
        when: &'a jiff::ZonedDateTime,
        theirs: Oid,
    },
    /// Nowhere: the files and the index get the merged tree and git's MERGE_HEAD is set,
    /// so that `git commit` makes the merge commit once the draft is settled by hand.
    InProgress { message: String, theirs: Oid },
}

/// A conflicting draft file: its path and its base, our and their entries.
type DraftSides = (String, Option<Entry>, Option<Entry>, Option<Entry>);

/// Puts the three sides of each conflicting draft file into git's index as conflict
/// stages (base, ours, theirs), so `git status` names them and `git commit` waits for
/// `git add`.
fn mark_conflicts(repo: &Repository, drafts: &[DraftSides]) -> Result<(), StoreError> {
    let mut index = repo.index().map_err(StoreError::git("open the index"))?;
    index
        .read(false)
        .map_err(StoreError::git("read the index"))?;
    let entry = |path: &str, e: Option<Entry>, stage: u16| {
        e.map(|e| git2::IndexEntry {
            ctime: git2::IndexTime::new(0, 0),
            mtime: git2::IndexTime::new(0, 0),
            dev: 0,
            ino: 0,
            mode: e.mode as u32,
            uid: 0,
            gid: 0,
            file_size: 0,
            id: e.id,
            flags: stage << 12,
            flags_extended: 0,
            path: path.as_bytes().to_vec(),
        })
    };
    for (path, b, o, t) in drafts {
        let _ = index.remove_path(Path::new(path));
        for e in [entry(path, *b, 1), entry(path, *o, 2), entry(path, *t, 3)]
            .into_iter()
            .flatten()
        {
            index
                .add(&e)
                .map_err(StoreError::git(format!("mark \"{path}\" as in conflict")))?;
        }
    }
    index.write().map_err(StoreError::git("write the index"))
}

/// Records added in `commit`'s history since the remote's branch (all, without one)
/// that name `version` (a line `version = "vN"`).
fn records_naming(
    repo: &Repository,
    commit: Oid,
    remote_head: Option<Oid>,
    version: &str,
) -> Result<Vec<String>, StoreError> {
    let head = repo.head().ok().and_then(|h| h.target()).unwrap_or(commit);
    let base = remote_head.and_then(|r| repo.merge_base(head, r).ok());
    let tree_of = |o: Oid| {
        repo.find_commit(o)
            .and_then(|c| c.tree())
            .map_err(StoreError::git("read a tree"))
    };
    let old = base.map(tree_of).transpose()?;
    let new = tree_of(head)?;
    let wanted = format!("version = \"{version}\"");
    let mut out = Vec::new();
    for change in changed_files(repo, old.as_ref(), Some(&new))? {
        let (None, Some(file)) = (change.old, change.new) else {
            continue;
        };
        if !super::is_record_path(&change.path) {
            continue;
        }
        let Ok(blob) = repo.find_blob(file.id) else {
            continue;
        };
        let text = String::from_utf8_lossy(blob.content());
        if text.lines().any(|l| l.trim() == wanted) {
            out.push(change.path);
        }
    }
    Ok(out)
}

/// Gives the local version tag `from` (object `tag`) the name `to`: a new annotated tag
/// on the same commit with the same tagger and message plus
/// `Strategi-Renumbered-From: FROM`; the old name is left for the remote's tag.
fn renumber_tag(repo: &Repository, from: &str, tag: Oid, to: &str) -> Result<(), StoreError> {
    let obj = repo
        .find_object(tag, None)
        .map_err(StoreError::git(format!("read the tag {from}")))?;
    let target = obj
        .peel(ObjectType::Commit)
        .map_err(StoreError::git(format!("read the commit of {from}")))?;
    match obj.as_tag() {
        Some(t) => {
            let tagger = t
                .tagger()
                .map(|s| s.to_owned())
                .or_else(|| repo.signature().ok())
                .ok_or(StoreError::NoIdentity)?;
            let mut message = t
                .message()
                .ok()
                .flatten()
                .unwrap_or_default()
                .trim_end()
                .to_string();
            message.push_str(&format!("\nStrategi-Renumbered-From: {from}\n"));
            repo.tag(to, &target, &tagger, &message, false)
                .map_err(StoreError::git(format!("make the tag {to}")))?;
        }
        None => {
            repo.reference(
                &format!("refs/tags/{to}"),
                target.id(),
                false,
                "strategi sync: renumbered",
            )
            .map_err(StoreError::git(format!("make the tag {to}")))?;
        }
    }
    Ok(())
}

/// What `clone` made.
#[derive(Debug, Clone, Serialize)]
pub struct Cloned {
    /// The new workspace's folder.
    pub path: PathBuf,
    /// The URL.
    pub url: String,
    /// The branch checked out.
    pub branch: String,
    /// The versions it holds.
    pub versions: Vec<String>,
}

/// Clones the case at `url` into `dir` with the system git and checks that it is a
/// strategi case (else the new folder is removed again). Needs no identity.
pub fn clone_case(git: &SystemGit, url: &str, dir: &Path) -> Result<Cloned, SyncError> {
    let existed = dir.exists();
    if existed
        && std::fs::read_dir(dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        return Err(SyncError::TargetExists {
            path: dir.to_path_buf(),
        });
    }
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let cleanup = || {
        if existed {
            if let Ok(entries) = std::fs::read_dir(dir) {
                for e in entries.flatten() {
                    let p = e.path();
                    let _ = if p.is_dir() {
                        std::fs::remove_dir_all(&p)
                    } else {
                        std::fs::remove_file(&p)
                    };
                }
            }
        } else {
            let _ = std::fs::remove_dir_all(dir);
        }
    };
    let dir_s = dir.to_string_lossy().into_owned();
    if let Err(e) = git.check(
        parent,
        &["clone", "--", url, &dir_s],
        &format!("clone \"{url}\""),
    ) {
        cleanup();
        return Err(e);
    }
    let ws = match Workspace::open(dir) {
        Ok(ws) if dir.join(CONFIG_FILE).is_file() => ws,
        _ => {
            cleanup();
            return Err(SyncError::NotACase {
                url: url.to_string(),
            });
        }
    };
    // The remote's tags as of the clone: what is published.
    let prefix = remote_tags_prefix("origin");
    for (name, oid) in tags_under(&ws.repo, "refs/tags/")? {
        ws.repo
            .reference(&format!("{prefix}{name}"), oid, true, "strategi clone")
            .map_err(StoreError::git(format!("note the remote's tag {name}")))?;
    }
    let versions = ws.version_names()?.iter().map(|v| v.tag()).collect();
    Ok(Cloned {
        path: ws.root.clone(),
        url: url.to_string(),
        branch: ws.branch_name().unwrap_or_default(),
        versions,
    })
}

#[cfg(test)]
mod tests {
    use super::{kind_of, outbox_keeps_theirs};

    fn state(s: &str, attempts: u32) -> String {
        format!("state = \"{s}\"\nkind = \"round-letter\"\nattempts = {attempts}\n")
    }

    #[test]
    fn a_claim_on_the_remote_is_never_taken_over() {
        let mine = format!("{}claim = \"aaaa.1.1\"\n", state("sending", 1));
        let theirs = format!("{}claim = \"bbbb.2.2\"\n", state("sending", 1));
        // Whichever text is larger, the remote's claim stays.
        assert!(outbox_keeps_theirs(&mine, &theirs));
        assert!(outbox_keeps_theirs(&theirs, &mine));
        assert!(!outbox_keeps_theirs(&mine, &mine));
        // A claim still outranks a queued letter, and a sent one outranks a claim.
        assert!(!outbox_keeps_theirs(&mine, &state("queued", 3)));
        assert!(outbox_keeps_theirs(&mine, &state("sent", 1)));
    }

    #[test]
    fn outbox_states_merge_by_rank() {
        let order = ["queued", "sending", "failed", "uncertain", "sent"];
        for (i, low) in order.iter().enumerate() {
            for high in &order[i + 1..] {
                assert!(
                    outbox_keeps_theirs(&state(low, 1), &state(high, 1)),
                    "{high} over {low}"
                );
                assert!(
                    !outbox_keeps_theirs(&state(high, 1), &state(low, 1)),
                    "{high} over {low}"
                );
            }
        }
        // Same state: more attempts wins; the rule is symmetric.
        assert!(outbox_keeps_theirs(
            &state("queued", 1),
            &state("queued", 2)
        ));
        assert!(!outbox_keeps_theirs(
            &state("queued", 2),
            &state("queued", 1)
        ));
    }

    #[test]
    fn paths_count_by_kind() {
        assert_eq!(kind_of("consultations/r1/facts/x.toml"), Some("fact"));
        assert_eq!(kind_of("consultations/r1/round.toml"), Some("round"));
        assert_eq!(kind_of("outbox/a.eml"), Some("letter"));
        assert_eq!(kind_of("outbox/a.toml"), None);
        assert_eq!(kind_of("strategy/01.md"), Some("draft"));
        assert_eq!(kind_of("approvals/x.toml"), Some("approval"));
    }
}
