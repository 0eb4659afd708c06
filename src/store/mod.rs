//! The workspace on disk: the only code that knows about git.
//!
//! A workspace is a git repository whose root holds `strategi.toml`. Reads go to the
//! working tree (so a person's uncommitted edits to the draft are seen) or to the
//! objects of a version's tag. Every write goes through a [`Transaction`]: it takes the
//! workspace lock, writes files atomically, and ends in exactly one commit whose message
//! carries `Strategi-*` trailers, so that `git log` is the audit trail.

mod cache;
mod clock;
mod config_file;
pub mod crash;
mod gitlocks;
mod history;
mod identity;
mod index_file;
mod lock;
mod output;
mod pack;
mod packed_refs;
mod proven;
mod records;
mod repair;
mod settings;
mod signed_tag;
mod sync;
#[cfg(test)]
mod test_support;
mod toml_merge;
mod treemerge;
mod tx;
mod versions;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use git2::{Repository, RepositoryInitOptions};

pub use crate::input::{
    InputError, limits, read_bounded, read_bounded_into, read_bounded_text, size_text,
};
pub use cache::CACHE_ENV as READ_CACHE_ENV;
pub use clock::{CLOCK_TRAILER, clock_in_message, clock_of, clock_trailer, merge_clock};
pub use config_file::{
    CONFIG_FILE, CREDENTIAL_IN_CONFIG, ConfigEditor, check_policy_parties, credential_in_config,
    parse_config, parse_config_before_settings, parse_config_reporting_credentials,
    smtp_url_has_password,
};
pub use gitlocks::{BLIND_STALE_AGE, GitLockFile, LockState, STALE_AGE, TEMP_FILE_AGE};
pub use history::{
    ChangeKind, ClockMismatch, CredentialChange, KeyChange, PolicyChange, PolicySetting,
    PolicyVerdict, RECORD_DIRS, RecordChange, RecordCommit, RecordHistory, is_record_path,
    key_material, party_keys_in, signed_commits_of,
};
pub use identity::Identity;
pub use lock::{LockHolder, WriteLock};
pub use output::{OutPath, OutputError, PROTECTED_DIRS};
pub use proven::{CLOCK_CACHE_FILE, ProvenClocks, proven_clock};
pub use records::{ReadCacheOff, RecordFile, Records, line_col, parse_record};
pub use repair::{Notice, NoticeLevel, Notices, RepairKind, RepairReport, Repaired};
pub use settings::{
    MilestoneDone, PartyChange, PartyKey, SETTINGS_DIR, SettingFact, SettingFinding, SettingKind,
    SettingRecord, SettingsFold, fold_settings, setting_path,
};
pub use signed_tag::{SignedTag, SignedTagError, VerifiedTag};
pub use sync::{
    BadRemoteConfig, Cloned, LastSync, MergeKind, Moved, OpenConflict, RemoteStatus, Renumbered,
    SyncError, SyncOutcome, SystemGit, clone_case, outbox_keeps_theirs,
};
pub use toml_merge::{
    KeyConflict, TomlMerge, TomlMergeError, merge_toml, set_toml_key, toml_keys, toml_literal,
    toml_value_at,
};
pub use tx::{Actor, CommitInfo, IdSeed, Transaction, atomic_write, write_atomically};
pub use versions::{StoredFile, UntaggedVersion};

use crate::model::{Config, VersionName};

/// Runs `f` with libgit2's check of every object it reads against the object's id
/// turned off, as git itself reads (only `git fsck` rehashes). For reads of many
/// objects whose ids are only compared (the history walk of the proven clocks, a
/// listing of tags): a damaged object still fails zlib's checksum or its parse, and
/// `verify` reads with the check on. Nested calls keep it off until the outermost ends.
pub fn without_object_hash_checks<T>(f: impl FnOnce() -> T) -> T {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static DEPTH: AtomicUsize = AtomicUsize::new(0);
    struct Restore;
    impl Drop for Restore {
        fn drop(&mut self) {
            if DEPTH.fetch_sub(1, Ordering::SeqCst) == 1 {
                git2::opts::strict_hash_verification(true);
            }
        }
    }
    if DEPTH.fetch_add(1, Ordering::SeqCst) == 0 {
        git2::opts::strict_hash_verification(false);
    }
    let _restore = Restore;
    f()
}

/// The folder that holds the draft.
pub const STRATEGY_DIR: &str = "strategy";
/// The folder that holds consultation rounds.
pub const CONSULTATIONS_DIR: &str = "consultations";

/// What can go wrong in the store. Each variant names the file or object concerned.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No `strategi.toml` was found here or in any parent folder.
    #[error("\"{}\" is not inside a strategi workspace (no {CONFIG_FILE} here or in any parent folder).", start.display())]
    NotAWorkspace {
        /// Where the search started.
        start: PathBuf,
    },
    /// `init` was asked to create a workspace where one already is.
    #[error("\"{}\" is already a strategi workspace; nothing was changed.", path.display())]
    AlreadyAWorkspace {
        /// The existing workspace root.
        path: PathBuf,
    },
    /// A file the tool reads is malformed.
    #[error("{}:{line}:{column}: {message}", path.display())]
    BadFile {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong, and how to fix it.
        message: String,
    },
    /// A file could not be read or written.
    #[error("Could not {action} \"{}\".", path.display())]
    Io {
        /// What was being done ("read", "write", "create folder", …).
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A record could not be written as TOML (a bug: records are plain types).
    #[error("Could not write the record \"{path}\" as TOML.")]
    Encode {
        /// The record's path in the workspace.
        path: String,
        /// The encoder's error.
        source: toml::ser::Error,
    },
    /// A file in git's history is larger than its kind may be: refused from its size,
    /// before it is read.
    #[error(
        "\"{path}\" in commit {commit} is {}, more than the {} {} may be; strategi does not read it.",
        crate::input::size_text(*size), crate::input::size_text(*limit), what
    )]
    BlobTooLarge {
        /// The file's path in the commit's tree.
        path: String,
        /// The commit (abbreviated id) whose tree holds it.
        commit: String,
        /// What it is read as ("record", "configuration file", …), with its article.
        what: &'static str,
        /// Its size in bytes, as git records it.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// A git operation failed.
    #[error("Git could not {action}.")]
    Git {
        /// What was being done.
        action: String,
        /// libgit2's error.
        source: git2::Error,
    },
    /// Git has no name and e-mail for the person running the command.
    #[error(
        "Git does not know who you are, and every change strategi records names the person who made it."
    )]
    NoIdentity,
    /// Git named the person in a way that is not `Name <e-mail>`.
    #[error(
        "Git names the person running the command \"{ident}\", which is not a name and an e-mail address."
    )]
    BadIdentity {
        /// What git said.
        ident: String,
    },
    /// A write dated before the latest commit: history only moves forward.
    #[error(
        "The change would be dated {when}, before the latest commit of the workspace ({head}, made {head_time}); strategi's history only moves forward."
    )]
    Backdated {
        /// When the change would be dated.
        when: jiff::Timestamp,
        /// The latest commit (short hex).
        head: String,
        /// When it was made.
        head_time: jiff::Timestamp,
    },
    /// Another process holds the workspace lock.
    #[error(
        "The workspace is busy: {holder} has been changing it, and it was still busy after {waited_ms} ms."
    )]
    Locked {
        /// Who holds the lock, as far as we can tell.
        holder: LockHolder,
        /// How long we waited.
        waited_ms: u64,
    },
    /// One of git's own lock files is in the way: held by a running program, or left
    /// by one that was killed when strategi cannot tell for sure.
    #[error("{}", git_lock_message(path, holder.as_deref(), *waited_ms))]
    GitLocked {
        /// The lock file, relative to the workspace (`.git/index.lock`).
        path: String,
        /// The program holding it ("process 4711 (git)"), when one is known to.
        holder: Option<String>,
        /// How long we waited.
        waited_ms: u64,
    },
    /// A version name that does not exist.
    #[error("There is no version \"{name}\"{}.", known_versions(*.latest))]
    UnknownVersion {
        /// The name asked for.
        name: String,
        /// The latest version, if any.
        latest: Option<VersionName>,
    },
    /// A version cut here that the shared remote does not have yet (its tag is not in the
    /// remote's tags as of the last fetch): another clone may have cut the same number.
    #[error(
        "{version} is not published yet: run `strategi sync` first (another clone may have cut a {version} too)."
    )]
    NotPublished {
        /// The version.
        version: VersionName,
        /// The shared remote.
        remote: String,
    },
    /// A version tag that strategi did not write (not annotated, or not a commit).
    #[error("The tag \"{tag}\" is not a strategi version: {why}")]
    ForeignTag {
        /// The tag.
        tag: String,
        /// What is wrong with it.
        why: String,
    },
    /// Signing a commit with the person's SSH key failed.
    #[error("Could not sign the commit with the SSH key {fingerprint}.")]
    CommitSigning {
        /// The key's fingerprint (`SHA256:…`).
        fingerprint: String,
        /// Why.
        source: crate::sign::SignError,
    },
    /// `version cut` with nothing in `strategy/`.
    #[error("There is nothing to version: \"{STRATEGY_DIR}/\" holds no Markdown files.")]
    EmptyDraft,
    /// `version cut` of a draft in which no Markdown file has a heading: a version
    /// without a section cannot be commented on, compared or approved section by
    /// section.
    #[error(
        "The draft has no section: none of the {files} Markdown file(s) in {STRATEGY_DIR}/ has a heading."
    )]
    NoSection {
        /// How many Markdown files the draft has.
        files: usize,
    },
    /// `version cut` with no change since the last version.
    #[error(
        "Nothing has changed in \"{STRATEGY_DIR}/\" since {last}; a new version would be identical."
    )]
    NoChange {
        /// The latest version.
        last: VersionName,
    },
}

fn git_lock_message(path: &str, holder: Option<&str>, waited_ms: u64) -> String {
    match holder {
        Some(h) => format!(
            "Git's lock file \"{path}\" is held by {h}, and it was still held after {waited_ms} ms."
        ),
        None => format!(
            "Git's lock file \"{path}\" is in the way: no program seems to hold it, but strategi cannot be sure it was left by a program that was killed."
        ),
    }
}

fn known_versions(latest: Option<VersionName>) -> String {
    match latest {
        None => " (no version has been cut yet)".to_string(),
        Some(v) => format!(" (versions run from v1 to {v})"),
    }
}

impl StoreError {
    /// Whether this is git refusing because one of its lock files exists (a lock that
    /// appeared while the command ran).
    pub fn is_git_lock_conflict(&self) -> bool {
        matches!(self, StoreError::Git { source, .. } if source.code() == git2::ErrorCode::Locked)
    }

    pub(crate) fn git(action: impl Into<String>) -> impl FnOnce(git2::Error) -> StoreError {
        let action = action.into();
        move |source| StoreError::Git { action, source }
    }

    pub(crate) fn io(
        action: &'static str,
        path: &Path,
    ) -> impl FnOnce(std::io::Error) -> StoreError {
        let path = path.to_path_buf();
        move |source| StoreError::Io {
            action,
            path,
            source,
        }
    }
}

/// An open workspace.
pub struct Workspace {
    root: PathBuf,
    repo: Repository,
    notices: Notices,
    /// The proven clocks as last computed ([`ProvenClocks`]), for the HEAD they name.
    clocks: std::sync::Mutex<Option<std::sync::Arc<ProvenClocks>>>,
    /// Whether reads use the read cache ([`cache`]; off while `verify` runs).
    read_cache: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for Workspace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workspace")
            .field("root", &self.root)
            .finish()
    }
}

impl Workspace {
    /// Finds the workspace that contains `start`: the nearest folder upwards with a
    /// `strategi.toml`, which must also be the root of a git repository.
    pub fn discover(start: &Path) -> Result<Workspace, StoreError> {
        let start_abs = std::path::absolute(start).map_err(StoreError::io("find", start))?;
        let mut dir = Some(start_abs.as_path());
        while let Some(d) = dir {
            if d.join(CONFIG_FILE).is_file() {
                return Workspace::open(d);
            }
            dir = d.parent();
        }
        Err(StoreError::NotAWorkspace { start: start_abs })
    }

    /// Opens the workspace whose root is `root`.
    pub fn open(root: &Path) -> Result<Workspace, StoreError> {
        let repo = Repository::open(root).map_err(StoreError::git(format!(
            "open the repository at \"{}\" (the folder has a {CONFIG_FILE} but is not the root of a git repository)",
            root.display()
        )))?;
        let root = repo
            .workdir()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| root.to_path_buf());
        Ok(Workspace {
            root,
            repo,
            notices: Notices::default(),
            clocks: Default::default(),
            read_cache: std::sync::atomic::AtomicBool::new(true),
        })
    }

    /// Whether the repository has a commit (HEAD is born).
    pub fn has_commits(&self) -> Result<bool, StoreError> {
        Ok(self.head_commit()?.is_some())
    }

    /// Whether this folder is what an `init` killed before its first commit left (see
    /// [`Workspace::is_interrupted_init`]): no workspace yet.
    pub fn is_unfinished_init(&self) -> bool {
        matches!(self.repo.head(), Err(e) if e.code() == git2::ErrorCode::UnbornBranch)
            && self.repo.path().join("strategi-journal").exists()
    }

    /// Whether `dir` holds what an `init` killed before its first commit left: the root
    /// of a repository with no commit yet (HEAD unborn) and strategi's journal of the
    /// first commit. Such a folder is not a workspace yet: `init` undoes the journal's
    /// files (as every transaction does when it starts) and creates it again.
    pub fn is_interrupted_init(dir: &Path) -> bool {
        let Ok(repo) = Repository::open(dir) else {
            return false;
        };
        repo.workdir().is_some_and(|w| same_dir(w, dir))
            && matches!(repo.head(), Err(e) if e.code() == git2::ErrorCode::UnbornBranch)
            && repo.path().join("strategi-journal").exists()
    }

    /// Creates a git repository at `dir` (or uses the one there) ready for a first
    /// commit. Refuses when `dir` already holds a workspace (a folder an interrupted `init`
    /// left is not one: [`Workspace::is_interrupted_init`]). `identity`, when given, is
    /// written to the repository's own git config as `user.name`/`user.email`.
    pub fn create(dir: &Path, identity: Option<(&str, &str)>) -> Result<Workspace, StoreError> {
        if dir.join(CONFIG_FILE).exists() && !Workspace::is_interrupted_init(dir) {
            return Err(StoreError::AlreadyAWorkspace {
                path: dir.to_path_buf(),
            });
        }
        std::fs::create_dir_all(dir).map_err(StoreError::io("create folder", dir))?;
        let repo = match Repository::open(dir) {
            Ok(r) if r.workdir().is_some_and(|w| same_dir(w, dir)) => r,
            _ => {
                let mut opts = RepositoryInitOptions::new();
                opts.initial_head("main");
                Repository::init_opts(dir, &opts).map_err(StoreError::git(format!(
                    "create a repository in \"{}\"",
                    dir.display()
                )))?
            }
        };
        if let Some((name, email)) = identity {
            let mut cfg = repo
                .config()
                .map_err(StoreError::git("open the repository's config"))?;
            cfg.set_str("user.name", name)
                .map_err(StoreError::git("set user.name"))?;
            cfg.set_str("user.email", email)
                .map_err(StoreError::git("set user.email"))?;
        }
        let root = repo
            .workdir()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| dir.to_path_buf());
        Ok(Workspace {
            root,
            repo,
            notices: Notices::default(),
            clocks: Default::default(),
            read_cache: std::sync::atomic::AtomicBool::new(true),
        })
    }

    /// The files under the folder `dir` whose content differs from HEAD (changed or new),
    /// as paths relative to the root, `/`-separated, sorted (files git ignores are not
    /// listed). The folder's files are compared with HEAD's tree by their git hash, so
    /// git's index (an entry for every record of the case) is not read: the cost is the
    /// folder's, not the workspace's.
    pub fn changed_files(&self, dir: &str) -> Result<Vec<String>, StoreError> {
        let committed: HashMap<String, git2::Oid> = match self.head_commit()? {
            None => HashMap::new(),
            Some(c) => {
                let tree = c.tree().map_err(StoreError::git("read the tree of HEAD"))?;
                let sub = match tree.get_path(Path::new(dir)) {
                    Ok(e) if e.kind() == Some(git2::ObjectType::Tree) => Some(
                        self.repo
                            .find_tree(e.id())
                            .map_err(StoreError::git(format!("read the folder \"{dir}\"")))?,
                    ),
                    _ => None,
                };
                let mut files = HashMap::new();
                if let Some(sub) = sub {
                    sub.walk(git2::TreeWalkMode::PreOrder, |parent, e| {
                        if e.kind() == Some(git2::ObjectType::Blob) {
                            let name = String::from_utf8_lossy(e.name_bytes());
                            files.insert(format!("{dir}/{parent}{name}"), e.id());
                        }
                        git2::TreeWalkResult::Ok
                    })
                    .map_err(StoreError::git(format!("read the folder \"{dir}\"")))?;
                }
                files
            }
        };
        let mut out = Vec::new();
        let mut pending = vec![self.root.join(dir)];
        while let Some(folder) = pending.pop() {
            let entries = match std::fs::read_dir(&folder) {
                Ok(e) => e,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(StoreError::io("read the folder", &folder)(e)),
            };
            for entry in entries {
                let entry = entry.map_err(StoreError::io("read the folder", &folder))?;
                let path = entry.path();
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                let Ok(rel) = path.strip_prefix(&self.root) else {
                    continue;
                };
                let rel_text = rel.to_string_lossy().replace('\\', "/");
                if rel_text.starts_with(".git/")
                    || self.repo.status_should_ignore(rel).unwrap_or(false)
                {
                    continue;
                }
                if kind.is_dir() {
                    pending.push(path);
                } else if kind.is_file() {
                    let same = committed.get(&rel_text).is_some_and(|id| {
                        git2::Oid::hash_file(git2::ObjectType::Blob, &path).ok() == Some(*id)
                    });
                    if !same {
                        out.push(rel_text);
                    }
                }
            }
        }
        out.sort();
        Ok(out)
    }

    /// Sends this workspace's notices (what a transaction repaired, or could not finish
    /// after its commit point) to `notices`, shared with the caller, which shows them.
    pub fn with_notices(mut self, notices: Notices) -> Workspace {
        self.notices = notices;
        self
    }

    /// The notices of this workspace's transactions so far (a shared handle).
    pub fn notices(&self) -> Notices {
        self.notices.clone()
    }

    /// The workspace's root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The repository's git folder (`.git`), for files that belong to this machine and
    /// are never committed (locks; the outbox's delivery markers).
    pub fn git_dir(&self) -> &Path {
        self.repo.path()
    }

    /// Path of `strategi.toml`.
    pub fn config_path(&self) -> PathBuf {
        self.root.join(CONFIG_FILE)
    }

    /// Reads the text of `strategi.toml`.
    pub fn config_text(&self) -> Result<String, StoreError> {
        config_file::read_config_text(&self.config_path())
    }

    /// The case's configuration: `strategi.toml`, read and validated, with the setting
    /// records of `settings/` folded over it ([`Workspace::settings`]).
    pub fn config(&self) -> Result<Config, StoreError> {
        Ok(self.settings()?.config)
    }
}

/// Looks up the blob `id` (the file `path` in `commit`'s tree) after checking its size
/// against `limit` from git's object header, so that an oversized file in history is
/// refused without being read into memory.
pub(crate) fn bounded_blob<'r>(
    repo: &'r git2::Repository,
    id: git2::Oid,
    path: &str,
    commit: &str,
    limit: u64,
    what: &'static str,
) -> Result<git2::Blob<'r>, StoreError> {
    let short = commit.chars().take(12).collect::<String>();
    let (size, _) = repo
        .odb()
        .and_then(|odb| odb.read_header(id))
        .map_err(StoreError::git(format!(
            "read \"{path}\" of commit {short}"
        )))?;
    let size = size as u64;
    if size > limit {
        return Err(StoreError::BlobTooLarge {
            path: path.to_string(),
            commit: short,
            what,
            size,
            limit,
        });
    }
    repo.find_blob(id).map_err(StoreError::git(format!(
        "read \"{path}\" of commit {short}"
    )))
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}
impl From<crate::input::InputError> for StoreError {
    /// A file of the workspace that is too large or not a file is a bad file (it names
    /// the file); an operating-system error stays one.
    fn from(e: crate::input::InputError) -> StoreError {
        match e {
            crate::input::InputError::Io { path, source, .. } => StoreError::Io {
                action: "read",
                path,
                source,
            },
            other => StoreError::BadFile {
                path: other.path().to_path_buf(),
                line: 1,
                column: 1,
                message: other.reason(),
            },
        }
    }
}

#[cfg(test)]
mod bounded_blob_tests {
    use super::*;

    #[test]
    fn a_blob_from_history_larger_than_its_limit_is_refused_from_its_size() {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = git2::Repository::init(dir.path()).expect("init");
        let id = repo.blob(&[b'x'; 100]).expect("blob");
        let commit = "0123456789abcdef0123456789abcdef01234567";
        let e = bounded_blob(&repo, id, "settings/big.toml", commit, 99, "a record")
            .expect_err("too large");
        let text = e.to_string();
        assert!(
            matches!(
                e,
                StoreError::BlobTooLarge {
                    size: 100,
                    limit: 99,
                    ..
                }
            ),
            "{text}"
        );
        assert!(
            text.contains("\"settings/big.toml\" in commit 0123456789ab"),
            "{text}"
        );
        assert!(text.contains("a record may be"), "{text}");
        let blob = bounded_blob(&repo, id, "settings/big.toml", commit, 100, "a record")
            .expect("at the limit");
        assert_eq!(blob.content().len(), 100);
    }
}
