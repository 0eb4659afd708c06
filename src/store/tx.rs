//! Transactions: the lock, atomic file writes, and one commit per command.
//!
//! The order of a commit makes an interrupted command leave the workspace as it was or
//! as it is after, never in between:
//! 1. a journal (`.git/strategi-journal`) records HEAD and the old content of every path
//!    about to be written, and is synced to disk;
//! 2. the files are written, each to a temporary file that is then renamed over the old;
//! 3. the commit object is written and HEAD moved to it (git's own atomic ref update);
//!    this is the commit point;
//! 4. the index is updated for the written paths and the journal removed.
//!
//! The next transaction to take the lock finds a left-over journal and finishes the job:
//! if HEAD still is where the journal says, the command never committed and the old
//! files are put back (and the folders made for them, now empty, removed); if HEAD
//! moved, the command committed and only the index is brought up to date.
//!
//! Once the commit point is passed nothing is reported as a failure: an index that
//! cannot be updated (someone's `git status` holds `index.lock` for longer than the
//! lock timeout) or a journal that cannot be removed is a warning
//! ([`CommitInfo::warnings`], [`Transaction::warnings`], the workspace's
//! [`super::Notices`]), and the journal stays so that the next transaction refreshes the
//! index. Before writing, a transaction waits for git's own lock files held by a
//! running program and removes the ones a killed program left ([`super::gitlocks`]).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use git2::{Oid, Repository, Signature, Tree};
use serde::{Deserialize, Serialize};

use super::gitlocks::{LockState, find_git_locks, sweep_temp_files};
use super::index_file::{PathUpdate, Spliced, update_paths};
use super::repair::{NoticeLevel, RepairKind, Repaired, temp_removed};
use super::{Identity, StoreError, Workspace, WriteLock};
use crate::model::{Action, IdSource, PartyCode, RecordId, RecordKind};
use crate::sign::{GIT_NAMESPACE, PrivateKey};

/// Who makes a change: the acting party and the person (from git config).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The party the person acts as.
    pub party: PartyCode,
    /// The person's name.
    pub name: String,
    /// The person's e-mail address.
    pub email: String,
}

/// A commit that was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitInfo {
    /// The commit id (hex).
    pub id: String,
    /// Its first line.
    pub summary: String,
    /// What could not be finished after the commit point (the change is recorded).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// An open write to the workspace. Dropping it without `commit` changes nothing.
pub struct Transaction<'a> {
    pub(super) ws: &'a Workspace,
    _lock: WriteLock,
    /// The command, as the lock file names it (again when the lock is taken again).
    command: String,
    /// Set while the lock is let go ([`Transaction::unlock`]).
    unlocked: bool,
    writes: BTreeMap<String, Vec<u8>>,
    ids: IdSource,
    committer: Option<Identity>,
    timeout: Duration,
    /// Paths whose index entries an earlier commit could not refresh.
    pub(super) pending_index: BTreeSet<String>,
    /// Whether `strategy/` waits for its index refresh too.
    pub(super) pending_strategy: bool,
    warnings: Vec<String>,
    pub(super) repaired: Vec<Repaired>,
    /// The person's key that signs every commit of the transaction, if signing applies.
    signing_key: Option<PrivateKey>,
    /// The logical clock of the next commit's records, once asked for
    /// ([`Transaction::clock`]); cleared by each commit.
    next_clock: std::cell::Cell<Option<u64>>,
}

/// Where a transaction's new ids come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IdSeed {
    /// Random ids (the normal case).
    #[default]
    Random,
    /// Reproducible ids from this seed, salted with HEAD when the transaction starts.
    Fixed(u64),
}

#[derive(Serialize, Deserialize)]
pub(super) struct Journal {
    pub(super) head: Option<String>,
    pub(super) files: Vec<JournalFile>,
    /// Paths of earlier commits whose index entries still wait to be refreshed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) index: Vec<String>,
    /// Whether the `strategy/` folder's index entries wait too (an earlier version cut).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(super) strategy: bool,
    /// Whether this commit replaces `strategy/` (a version cut): its index entries are
    /// refreshed only if the commit was made, never after a rollback (that would stage
    /// the draft the cut did not record).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(super) cut: bool,
}

/// What recovering a left-over journal could not finish: index entries to refresh.
#[derive(Default)]
pub(super) struct Leftover {
    index: BTreeSet<String>,
    strategy: bool,
}

#[derive(Serialize, Deserialize)]
pub(super) struct JournalFile {
    pub(super) path: String,
    pub(super) old: Option<Vec<u8>>,
}

impl Workspace {
    /// Starts a transaction: takes the workspace lock (waiting up to `timeout` for
    /// another process to finish) and repairs what an interrupted command left.
    ///
    /// New record ids come from `seed`: random, or reproducible from a fixed seed salted
    /// with the HEAD commit, so each command of a reproducible run gets its own ids.
    pub fn begin(
        &self,
        command: &str,
        timeout: Duration,
        seed: IdSeed,
    ) -> Result<Transaction<'_>, StoreError> {
        let lock = WriteLock::acquire(&self.repo.path().join("strategi.lock"), command, timeout)?;
        let (leftover, repaired) = self.after_lock(timeout)?;
        let ids = match seed {
            IdSeed::Random => IdSource::random(),
            IdSeed::Fixed(seed) => {
                IdSource::seeded(seed, self.head_id()?.unwrap_or_default().as_bytes())
            }
        };
        Ok(Transaction {
            ws: self,
            _lock: lock,
            command: command.to_string(),
            unlocked: false,
            writes: BTreeMap::new(),
            ids,
            committer: None,
            timeout,
            pending_index: leftover.index,
            pending_strategy: leftover.strategy,
            warnings: Vec::new(),
            repaired,
            signing_key: None,
            next_clock: std::cell::Cell::new(None),
        })
    }

    /// What `begin` does once it holds the lock (and [`Transaction::relock`] again):
    /// git's stale lock files, a left-over journal, a version commit's missing tag.
    fn after_lock(&self, timeout: Duration) -> Result<(Leftover, Vec<Repaired>), StoreError> {
        let mut repaired = self.clear_git_locks(timeout)?;
        let (leftover, more) = self.recover(timeout)?;
        repaired.extend(more);
        repaired.extend(self.complete_head_version()?);
        for r in &repaired {
            self.notices.push(NoticeLevel::Note, r.message.clone());
        }
        Ok((leftover, repaired))
    }

    /// Waits for git's lock files held by a running program (up to `timeout`) and
    /// removes the stale ones a killed program left. Refuses, naming the file, when a
    /// lock is still held after the wait or cannot be told stale.
    pub(super) fn clear_git_locks(&self, timeout: Duration) -> Result<Vec<Repaired>, StoreError> {
        let started = Instant::now();
        let mut pause = Duration::from_millis(20);
        let mut done = Vec::new();
        loop {
            let locks = find_git_locks(self.repo.path(), &self.root);
            let mut blocking = None;
            for l in locks {
                match &l.state {
                    LockState::Stale => match std::fs::remove_file(&l.path) {
                        Ok(()) => done.push(Repaired {
                            kind: RepairKind::StaleGitLock,
                            path: l.shown.clone(),
                            message: format!(
                                "Removed git's lock file \"{}\", left by a program that was killed ({} s old, held by no running program).",
                                l.shown,
                                l.age.as_secs()
                            ),
                        }),
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => return Err(StoreError::io("remove", &l.path)(e)),
                    },
                    _ => blocking = Some(l),
                }
            }
            let Some(l) = blocking else {
                return Ok(done);
            };
            if started.elapsed() >= timeout {
                let holder = match l.state {
                    LockState::Live { pid, program } => Some(match (pid, program) {
                        (Some(pid), Some(p)) if !p.is_empty() => format!("process {pid} ({p})"),
                        (Some(pid), _) => format!("process {pid}"),
                        _ => "a running program".to_string(),
                    }),
                    _ => None,
                };
                return Err(StoreError::GitLocked {
                    path: l.shown,
                    holder,
                    waited_ms: started.elapsed().as_millis() as u64,
                });
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(200));
        }
    }

    pub(super) fn journal_path(&self) -> PathBuf {
        self.repo.path().join("strategi-journal")
    }

    pub(super) fn head_commit(&self) -> Result<Option<git2::Commit<'_>>, StoreError> {
        match self.repo.head() {
            Ok(r) => r
                .peel_to_commit()
                .map(Some)
                .map_err(StoreError::git("read the commit HEAD points at")),
            Err(e)
                if e.code() == git2::ErrorCode::UnbornBranch
                    || e.code() == git2::ErrorCode::NotFound =>
            {
                Ok(None)
            }
            Err(e) => Err(StoreError::git("read HEAD")(e)),
        }
    }

    /// The latest commit of the workspace (HEAD) as its short id and the time it was
    /// made; `None` before the first commit.
    pub fn latest_commit_time(&self) -> Result<Option<(String, jiff::Timestamp)>, StoreError> {
        Ok(self.head_commit()?.map(|c| {
            let id = c.id().to_string();
            let short = id.get(..12).unwrap_or(&id).to_string();
            let at = jiff::Timestamp::from_second(c.time().seconds()).unwrap_or_default();
            (short, at)
        }))
    }

    /// Refuses a change dated `when` if that is before the latest commit: history only
    /// moves forward (a change at the same second is fine). Reading and planning with a
    /// clock in the past do not come here.
    pub fn check_forward(&self, when: &jiff::ZonedDateTime) -> Result<(), StoreError> {
        match self.latest_commit_time()? {
            Some((head, head_time)) if when.timestamp().as_second() < head_time.as_second() => {
                Err(StoreError::Backdated {
                    when: when.timestamp(),
                    head,
                    head_time,
                })
            }
            _ => Ok(()),
        }
    }

    fn head_id(&self) -> Result<Option<String>, StoreError> {
        Ok(self.head_commit()?.map(|c| c.id().to_string()))
    }

    /// Finishes what a left-over journal says (see the module's description). An index
    /// that cannot be refreshed now is left to the next transaction: the journal is
    /// rewritten to say only that, and the paths are returned.
    pub(super) fn recover(&self, wait: Duration) -> Result<(Leftover, Vec<Repaired>), StoreError> {
        let jpath = self.journal_path();
        let mut done: Vec<Repaired> = sweep_temp_files(self.repo.path(), &self.root)
            .into_iter()
            .map(temp_removed)
            .collect();
        super::cache::sweep(&self.repo.path().join(super::cache::CACHE_DIR));
        let text =
            match crate::input::read_bounded(&jpath, crate::input::limits::JOURNAL, "journal") {
                Ok(t) => t,
                Err(e) if e.is_not_found() => {
                    return Ok((Leftover::default(), done));
                }
                Err(e) => return Err(StoreError::io("read", &jpath)(e.into())),
            };
        let mut leftover = Leftover::default();
        // A journal that cannot be parsed was cut short while being written, before any
        // file was touched: nothing to undo.
        if let Ok(journal) = serde_json::from_slice::<Journal>(&text) {
            let mut index: BTreeSet<String> = journal.index.iter().cloned().collect();
            let mut strategy = journal.strategy;
            let head = self.head_id()?;
            // The temporary files of the interrupted writes first, so that the folders
            // they were in can be seen to be empty.
            let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
            for f in &journal.files {
                if let Some(d) = self.root.join(&f.path).parent() {
                    dirs.insert(d.to_path_buf());
                }
            }
            for d in dirs {
                done.extend(
                    sweep_temp_files(&d, &self.root)
                        .into_iter()
                        .map(temp_removed),
                );
            }
            if head == journal.head {
                let mut removed = Vec::new();
                for f in &journal.files {
                    let path = self.root.join(&f.path);
                    match &f.old {
                        Some(bytes) => atomic_write(&path, bytes)?,
                        None => match std::fs::remove_file(&path) {
                            Ok(()) => removed.push(f.path.as_str()),
                            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                                removed.push(f.path.as_str());
                            }
                            Err(e) => return Err(StoreError::io("remove", &path)(e)),
                        },
                    }
                }
                // Deepest first, so that a folder's emptied sub-folders go before it.
                removed.sort_by_key(|p| std::cmp::Reverse(p.matches('/').count()));
                for p in removed {
                    done.extend(self.remove_empty_parents(p));
                }
                if !journal.files.is_empty() {
                    done.push(Repaired {
                        kind: RepairKind::Journal,
                        path: ".git/strategi-journal".to_string(),
                        message: format!(
                            "Undid a command that was interrupted before it committed ({} file(s) put back as they were).",
                            journal.files.len()
                        ),
                    });
                }
            } else {
                strategy |= journal.cut;
                index.extend(journal.files.iter().map(|f| f.path.clone()));
                done.push(Repaired {
                    kind: RepairKind::Journal,
                    path: ".git/strategi-journal".to_string(),
                    message: "Finished a command that was interrupted after it committed (git's index refreshed).".to_string(),
                });
            }
            if !index.is_empty() || strategy {
                let paths: Vec<&str> = index.iter().map(String::as_str).collect();
                if let Err(e) = self.update_index(&paths, strategy, wait) {
                    // Only the index is left: say so in the journal, for the next one.
                    let rest = Journal {
                        head,
                        files: Vec::new(),
                        index: index.iter().cloned().collect(),
                        strategy,
                        cut: false,
                    };
                    let bytes = serde_json::to_vec(&rest).map_err(|e| StoreError::Io {
                        action: "write",
                        path: jpath.clone(),
                        source: std::io::Error::other(e),
                    })?;
                    atomic_write(&jpath, &bytes)?;
                    self.notices.push(
                        NoticeLevel::Warning,
                        format!("Git's index could not be refreshed yet ({e}); the next strategi command refreshes it."),
                    );
                    leftover.index = index;
                    leftover.strategy = strategy;
                    return Ok((leftover, done));
                }
            }
        }
        std::fs::remove_file(&jpath).map_err(StoreError::io("remove", &jpath))?;
        Ok((leftover, done))
    }

    /// Removes the folders above `rel` that are empty now, up to (not including) the
    /// top-level folder (`consultations/`): folders a rolled-back command made.
    pub(super) fn remove_empty_parents(&self, rel: &str) -> Vec<Repaired> {
        let mut done = Vec::new();
        let parts: Vec<&str> = rel.split('/').collect();
        // parts[..n] for n from len-1 down to 2: never the root or a top-level folder.
        for n in (2..parts.len()).rev() {
            let dir_rel = parts[..n].join("/");
            let dir = self.root.join(&dir_rel);
            if std::fs::remove_dir(&dir).is_err() {
                break;
            }
            done.push(Repaired {
                kind: RepairKind::EmptyFolder,
                path: dir_rel.clone(),
                message: format!("Removed the empty folder \"{dir_rel}/\" left by a command that was rolled back."),
            });
        }
        done
    }

    /// Refreshes the index entries of `paths` (and of `strategy/`), waiting up to
    /// `wait` while another program holds `index.lock`.
    pub(super) fn update_index(
        &self,
        paths: &[&str],
        strategy_dir: bool,
        wait: Duration,
    ) -> Result<(), StoreError> {
        self.update_index_known(paths, &BTreeMap::new(), strategy_dir, wait)
    }

    /// [`Workspace::update_index`] where the blob of some paths is known (the commit
    /// just wrote it): their entries are made from that id and the file's metadata,
    /// without reading and hashing the file again.
    pub(super) fn update_index_known(
        &self,
        paths: &[&str],
        known: &BTreeMap<String, Oid>,
        strategy_dir: bool,
        wait: Duration,
    ) -> Result<(), StoreError> {
        let started = Instant::now();
        let mut pause = Duration::from_millis(10);
        loop {
            match self.try_update_index(paths, known, strategy_dir) {
                Err(StoreError::Git { source, .. })
                    if source.code() == git2::ErrorCode::Locked && started.elapsed() < wait =>
                {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(100));
                }
                other => return other,
            }
        }
    }

    fn try_update_index(
        &self,
        paths: &[&str],
        known: &BTreeMap<String, Oid>,
        strategy_dir: bool,
    ) -> Result<(), StoreError> {
        // Every path's blob known (or its file gone): the entries are put into the
        // index file in place (`store::index_file`), without libgit2 decoding and
        // re-encoding every entry of the case.
        if !strategy_dir {
            let root = &self.root;
            let updates: Option<Vec<PathUpdate<'_>>> = paths
                .iter()
                .map(|p| match known.get(*p) {
                    Some(oid) => Some(PathUpdate {
                        path: p,
                        blob: Some(*oid),
                    }),
                    None if !root.join(p).exists() => Some(PathUpdate {
                        path: p,
                        blob: None,
                    }),
                    None => None,
                })
                .collect();
            if let Some(updates) = updates
                && update_paths(self.repo.path(), root, &updates, self.index_skip_hash())?
                    == Spliced::Done
            {
                return Ok(());
            }
        }
        let mut index = self
            .repo
            .index()
            .map_err(StoreError::git("open the index"))?;
        // What another program wrote meanwhile is kept.
        index
            .read(false)
            .map_err(StoreError::git("read the index"))?;
        for p in paths {
            let known_entry = known
                .get(*p)
                .and_then(|oid| index_entry(&self.root.join(p), p, *oid));
            if let Some(entry) = known_entry {
                index
                    .add(&entry)
                    .map_err(StoreError::git(format!("add \"{p}\" to the index")))?;
            } else if self.root.join(p).is_file() {
                index
                    .add_path(Path::new(p))
                    .map_err(StoreError::git(format!("add \"{p}\" to the index")))?;
            } else {
                let _ = index.remove_path(Path::new(p));
            }
        }
        if strategy_dir {
            let spec = [super::STRATEGY_DIR];
            index
                .add_all(spec.iter(), git2::IndexAddOption::DEFAULT, None)
                .map_err(StoreError::git("add the draft to the index"))?;
            index
                .update_all(spec.iter(), None)
                .map_err(StoreError::git("update the draft in the index"))?;
        }
        index.write().map_err(StoreError::git("write the index"))
    }

    /// Whether the repository asks for git's null index trailer (`index.skipHash`,
    /// which `feature.manyFiles` turns on unless set), as git decides it.
    fn index_skip_hash(&self) -> bool {
        let Ok(config) = self.repo.config() else {
            return false;
        };
        config
            .get_bool("index.skipHash")
            .ok()
            .or_else(|| config.get_bool("feature.manyFiles").ok())
            .unwrap_or(false)
    }

    pub(super) fn signature(
        actor: &Actor,
        when: &jiff::ZonedDateTime,
    ) -> Result<Signature<'static>, StoreError> {
        Workspace::signature_of(&actor.name, &actor.email, when)
    }

    pub(super) fn signature_of(
        name: &str,
        email: &str,
        when: &jiff::ZonedDateTime,
    ) -> Result<Signature<'static>, StoreError> {
        let offset_min = when.offset().seconds() / 60;
        let time = git2::Time::new(when.timestamp().as_second(), offset_min);
        Signature::new(name, email, &time).map_err(StoreError::git(format!(
            "use \"{name} <{email}>\" as the author of a commit"
        )))
    }
}

/// The full commit or tag message: summary, optional body, then the trailers.
pub(super) fn message_with_trailers(
    summary: &str,
    body: &str,
    action: Action,
    actor: &Actor,
    extra: &[(&str, String)],
) -> String {
    let mut m = String::new();
    m.push_str(summary.trim());
    m.push_str("\n\n");
    if !body.trim().is_empty() {
        m.push_str(body.trim());
        m.push_str("\n\n");
    }
    m.push_str(&format!("Strategi-Action: {action}\n"));
    m.push_str(&format!("Strategi-Party: {}\n", actor.party));
    m.push_str(&format!(
        "Strategi-Actor: {} <{}>\n",
        actor.name, actor.email
    ));
    for (k, v) in extra {
        m.push_str(&format!("Strategi-{k}: {v}\n"));
    }
    m
}

impl<'a> Transaction<'a> {
    /// Queues a file to be written (path relative to the workspace root, `/`-separated).
    pub fn write(&mut self, rel: &str, bytes: impl Into<Vec<u8>>) {
        self.writes.insert(rel.to_string(), bytes.into());
    }

    /// The workspace this transaction writes to (borrowed for as long as the
    /// transaction's own borrow, so it outlives a `commit`).
    pub fn workspace(&self) -> &'a Workspace {
        self.ws
    }

    /// Queues a record, serialised as TOML, to be written at `rel`: the one place
    /// where records become text.
    pub fn write_record<T: Serialize>(&mut self, rel: &str, record: &T) -> Result<(), StoreError> {
        let text = toml::to_string(record).map_err(|source| StoreError::Encode {
            path: rel.to_string(),
            source,
        })?;
        self.write(rel, text);
        Ok(())
    }

    /// Refuses the transaction's change if `when` is before the latest commit of the
    /// workspace (see [`Workspace::check_forward`]). Every commit checks this; a command
    /// checks it at its start too, before it does anything it cannot undo (such as
    /// delivering mail or creating a tag).
    pub fn check_forward(&self, when: &jiff::ZonedDateTime) -> Result<(), StoreError> {
        self.ws.check_forward(when)
    }

    /// Sets the committer of the transaction's commits, as git names it apart from the
    /// author (`git var GIT_COMMITTER_IDENT`: `GIT_COMMITTER_NAME`/`GIT_COMMITTER_EMAIL`,
    /// else the same config as the author). Without it the committer is the actor's
    /// person. Tags name the actor's person as their tagger: they say who acted.
    pub fn set_committer(&mut self, committer: Identity) {
        self.committer = Some(committer);
    }

    /// Signs every later commit of this transaction with `key`, as `git commit -S` with
    /// `gpg.format = ssh` does (an armored `sshsig`, namespace `git`, in the commit's
    /// `gpgsig` header), so `git verify-commit` checks it against an allowed-signers
    /// file. Which key, and whether signing applies, the command decides (git's
    /// `user.signingKey` and `commit.gpgSign`, the case's signed-commits policy).
    pub fn set_signing_key(&mut self, key: PrivateKey) {
        self.signing_key = Some(key);
    }

    /// The key this transaction's commits are signed with, if any.
    pub fn signing_key(&self) -> Option<&PrivateKey> {
        self.signing_key.as_ref()
    }

    /// The signature of the committer at `when`: the one set, else the actor's.
    pub(super) fn committer_signature(
        &self,
        actor: &Actor,
        when: &jiff::ZonedDateTime,
    ) -> Result<Signature<'static>, StoreError> {
        match &self.committer {
            Some(c) => Workspace::signature_of(&c.name, &c.email, when),
            None => Workspace::signature(actor, when),
        }
    }

    /// The logical clock of the records of the next commit: one more than HEAD's
    /// clock (the `Strategi-Clock` trailer, see [`super::clock_of`]), the same for every
    /// record of that commit; the commit carries it as its own trailer. Every new record
    /// stores it as `clock`, and the folds order facts by it before their time.
    pub fn clock(&self) -> Result<u64, StoreError> {
        if let Some(n) = self.next_clock.get() {
            return Ok(n);
        }
        let n = self.ws.head_clock()?.saturating_add(1);
        self.next_clock.set(Some(n));
        Ok(n)
    }

    /// A new record id of a kind, from the transaction's id source.
    pub fn new_id(&mut self, kind: RecordKind) -> RecordId {
        self.ids.next_id(kind)
    }

    /// The transaction's id source, for other random choices (such as Message-IDs).
    pub fn ids(&mut self) -> &mut IdSource {
        &mut self.ids
    }

    /// Writes the queued files and records them in one commit.
    pub fn commit(
        self,
        summary: &str,
        body: &str,
        action: Action,
        actor: &Actor,
        when: &jiff::ZonedDateTime,
    ) -> Result<CommitInfo, StoreError> {
        let mut tx = self;
        tx.commit_and_continue(summary, body, action, actor, when)
    }

    /// Like [`Transaction::commit`], with more trailers after strategi's own
    /// (`("Settled", KEY)` writes `Strategi-Settled: KEY`).
    pub fn commit_with_trailers(
        self,
        summary: &str,
        body: &str,
        action: Action,
        actor: &Actor,
        when: &jiff::ZonedDateTime,
        extra: &[(&str, String)],
    ) -> Result<CommitInfo, StoreError> {
        let mut tx = self;
        let message = message_with_trailers(summary, body, action, actor, extra);
        tx.commit_with(&message, actor, when, None)
            .map(|(info, _)| info)
    }

    /// Like [`Transaction::commit`], but keeps the lock: the transaction stays open for
    /// a next step (a command that commits what it will do, acts, then commits what
    /// happened, such as queueing letters and then recording their delivery).
    pub fn commit_and_continue(
        &mut self,
        summary: &str,
        body: &str,
        action: Action,
        actor: &Actor,
        when: &jiff::ZonedDateTime,
    ) -> Result<CommitInfo, StoreError> {
        let message = message_with_trailers(summary, body, action, actor, &[]);
        self.commit_with(&message, actor, when, None)
            .map(|(info, _)| info)
    }

    /// What this transaction's commits could not finish after their commit point (the
    /// changes are recorded; the next transaction finishes the rest).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// What starting this transaction repaired: stale git lock files removed, a left-over
    /// journal finished, a version's missing tag made, temporary files removed.
    pub fn repaired(&self) -> &[Repaired] {
        &self.repaired
    }

    /// The lock timeout this transaction was started with.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Lets go of the workspace lock while the command waits for something slow (a mail
    /// server), so that other commands can write meanwhile. What the transaction read
    /// before may be out of date afterwards. Queued files stay queued; the next
    /// [`Transaction::relock`] or commit takes the lock again first.
    pub fn unlock(&mut self) {
        if !self.unlocked {
            self._lock.release();
            self.unlocked = true;
        }
    }

    /// Takes the lock again after [`Transaction::unlock`] (waiting up to the
    /// transaction's timeout) and, as `begin` does, finishes what a command interrupted
    /// meanwhile left. Does nothing while the lock is held.
    pub fn relock(&mut self) -> Result<(), StoreError> {
        if !self.unlocked {
            return Ok(());
        }
        self._lock.retake(&self.command, self.timeout)?;
        self.unlocked = false;
        let (leftover, repaired) = self.ws.after_lock(self.timeout)?;
        self.pending_index.extend(leftover.index);
        self.pending_strategy |= leftover.strategy;
        self.repaired.extend(repaired);
        Ok(())
    }

    /// Whether files are queued for the next commit.
    pub fn is_empty(&self) -> bool {
        self.writes.is_empty()
    }

    /// Commits the queued files; with `strategy_tree`, also replaces the `strategy/`
    /// folder in the commit by that tree. Returns the commit info and its id.
    pub(super) fn commit_with(
        &mut self,
        message: &str,
        actor: &Actor,
        when: &jiff::ZonedDateTime,
        strategy_tree: Option<Oid>,
    ) -> Result<(CommitInfo, Oid), StoreError> {
        self.relock()?;
        let ws = self.ws;
        let repo = &ws.repo;
        // Before anything is written: a commit dated before HEAD is refused.
        ws.check_forward(when)?;
        let head = ws.head_commit()?;
        // The logical clock: above HEAD's, and at least the one the records were given.
        let head_clock = match &head {
            Some(c) => super::clock_of(repo, c)?,
            None => 0,
        };
        let clock = head_clock
            .saturating_add(1)
            .max(self.next_clock.get().unwrap_or(0));
        let message = &with_clock(message, clock);
        let base_tree = head
            .as_ref()
            .map(|c| c.tree())
            .transpose()
            .map_err(StoreError::git("read the tree of HEAD"))?;

        // Build the new tree from HEAD's tree and the queued writes: loose objects for
        // a few files, one pack for many.
        let (tree_id, blobs) = if self.writes.len() >= PACK_FROM {
            write_packed(
                ws,
                &self.writes,
                base_tree.as_ref().map(|t| t.id()),
                strategy_tree,
            )?
        } else {
            write_objects(
                repo,
                base_tree.as_ref(),
                &self.writes,
                strategy_tree,
                &mut Vec::new(),
            )?
        };
        let tree = repo
            .find_tree(tree_id)
            .map_err(StoreError::git("read the new tree"))?;

        // 1. Journal.
        let journal = Journal {
            index: self.pending_index.iter().cloned().collect(),
            strategy: self.pending_strategy,
            cut: strategy_tree.is_some(),
            head: head.as_ref().map(|c| c.id().to_string()),
            files: self
                .writes
                .keys()
                .map(|p| {
                    Ok(JournalFile {
                        path: p.clone(),
                        old: old_content(&ws.root, p)?,
                    })
                })
                .collect::<Result<_, StoreError>>()?,
        };
        let jpath = ws.journal_path();
        let jbytes = serde_json::to_vec(&journal).map_err(|e| StoreError::Io {
            action: "write",
            path: jpath.clone(),
            source: std::io::Error::other(e),
        })?;
        atomic_write(&jpath, &jbytes)?;
        super::crash::reach(super::crash::JOURNAL);

        // 2. Files, 3. commit: on failure, undo the files.
        let result = (|| -> Result<Oid, StoreError> {
            // A file that replaces another is synced before its rename, so the rename
            // never exposes a torn file in place of a good one. A new file is only
            // renamed into place: a crash removes it again (the journal says it did
            // not exist), and once committed its content is in git. This saves one
            // disk flush per file, which is what a large import costs.
            for (file, (path, bytes)) in journal.files.iter().zip(&self.writes) {
                let target = ws.root.join(path);
                if file.old.is_some() {
                    atomic_write(&target, bytes)?;
                } else {
                    write_renamed(&target, bytes, false)
                        .map_err(StoreError::io("write", &target))?;
                }
            }
            super::crash::reach(super::crash::FILES);
            let author = Workspace::signature(actor, when)?;
            let committer = self.committer_signature(actor, when)?;
            let parents: Vec<&git2::Commit<'_>> = head.iter().collect();
            // A ref lock (`HEAD.lock`, `refs/heads/main.lock`) held by a person's git
            // for a moment is waited for, as long as the workspace lock is.
            let started = Instant::now();
            loop {
                let made = match &self.signing_key {
                    None => {
                        repo.commit(Some("HEAD"), &author, &committer, message, &tree, &parents)
                    }
                    Some(key) => {
                        signed_commit(repo, &author, &committer, message, &tree, &parents, key)?
                    }
                };
                match made {
                    Err(e)
                        if e.code() == git2::ErrorCode::Locked
                            && started.elapsed() < self.timeout =>
                    {
                        std::thread::sleep(Duration::from_millis(50));
                    }
                    other => return other.map_err(StoreError::git("record the commit")),
                }
            }
        })();
        let oid = match result {
            Ok(oid) => oid,
            Err(e) => {
                ws.recover(self.timeout)?;
                return Err(e);
            }
        };

        // The commit point is passed: from here on nothing is a failure.
        super::crash::reach(super::crash::AFTER_COMMIT);
        // 4. Index and journal.
        let mut index: BTreeSet<String> = std::mem::take(&mut self.pending_index);
        index.extend(self.writes.keys().cloned());
        let strategy = strategy_tree.is_some() || self.pending_strategy;
        let paths: Vec<&str> = index.iter().map(String::as_str).collect();
        let mut warnings = Vec::new();
        let short = oid.to_string().get(..12).unwrap_or_default().to_string();
        match ws.update_index_known(&paths, &blobs, strategy, self.timeout) {
            Ok(()) => {
                self.pending_strategy = false;
                super::crash::reach(super::crash::AFTER_INDEX);
                match std::fs::remove_file(&jpath) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => warnings.push(format!(
                        "The change is recorded (commit {short}), but the journal \"{}\" could not be removed ({e}); the next strategi command removes it.",
                        jpath.display()
                    )),
                }
            }
            Err(e) => {
                // The journal stays: the next transaction refreshes the index.
                let cause = std::error::Error::source(&e)
                    .map(|c| format!(": {c}"))
                    .unwrap_or_default();
                warnings.push(format!(
                    "The change is recorded (commit {short}), but git's index could not be updated ({e}{cause}); `git status` may show the files as changed until the next strategi command refreshes it. Do not run the command again."
                ));
                self.pending_index = index;
                self.pending_strategy = strategy;
            }
        }
        // The proven clocks at the new commit, for the next command (best effort).
        ws.save_proven_clocks();
        self.writes.clear();
        self.next_clock.set(None);
        for w in &warnings {
            ws.notices.push(NoticeLevel::Warning, w.clone());
        }
        self.warnings.extend(warnings.iter().cloned());
        let summary = message.lines().next().unwrap_or_default().to_string();
        Ok((
            CommitInfo {
                id: oid.to_string(),
                summary,
                warnings,
            },
            oid,
        ))
    }
}

/// `message` with the `Strategi-Clock` trailer appended, unless it names a clock.
fn with_clock(message: &str, clock: u64) -> String {
    if super::clock_in_message(message).is_some() {
        return message.to_string();
    }
    let mut m = message.trim_end().to_string();
    // Trailers follow a blank line; a message without a trailer block gets one.
    let last = m.rsplit("\n\n").next().unwrap_or_default();
    let in_trailers = m.contains("\n\n") && last.lines().all(|l| l.starts_with("Strategi-"));
    m.push_str(if in_trailers { "\n" } else { "\n\n" });
    m.push_str(&super::clock_trailer(clock));
    m
}

/// Writes the commit signed with `key` (see [`Transaction::set_signing_key`]) and moves
/// HEAD's branch to it, as `repo.commit(Some("HEAD"), …)` does for an unsigned one: the
/// outer `Err` is a signing failure, the inner result git's (a locked ref is retried by
/// the caller).
pub(super) fn signed_commit(
    repo: &Repository,
    author: &Signature<'_>,
    committer: &Signature<'_>,
    message: &str,
    tree: &Tree<'_>,
    parents: &[&git2::Commit<'_>],
    key: &PrivateKey,
) -> Result<Result<Oid, git2::Error>, StoreError> {
    let buffer = match repo.commit_create_buffer(author, committer, message, tree, parents) {
        Ok(b) => b,
        Err(e) => return Ok(Err(e)),
    };
    let content = buffer
        .as_str()
        .map_err(StoreError::git("sign the commit"))?;
    let signature =
        crate::sign::sign(key, GIT_NAMESPACE, content.as_bytes()).map_err(|source| {
            StoreError::CommitSigning {
                fingerprint: key.fingerprint(),
                source,
            }
        })?;
    // libgit2 indents the header's continuation lines; git's own header has no blank
    // continuation line, so the signature's final newline goes.
    let oid = match repo.commit_signed(content, signature.trim_end_matches('\n'), None) {
        Ok(oid) => oid,
        Err(e) => return Ok(Err(e)),
    };
    let summary = message.lines().next().unwrap_or_default();
    let reflog = format!("commit: {summary}");
    let head = match repo.find_reference("HEAD") {
        Ok(h) => h,
        Err(e) => return Ok(Err(e)),
    };
    let branch = head
        .symbolic_target()
        .ok()
        .flatten()
        .map_or_else(|| "HEAD".to_string(), str::to_string);
    let moved = match parents.first() {
        Some(old) => repo.reference_matching(&branch, oid, true, old.id(), &reflog),
        None => repo.reference(&branch, oid, false, &reflog),
    };
    Ok(moved.map(|_| oid))
}

/// The content of `rel` before a commit replaces it, for the journal (`None` when it
/// does not exist), read with the size limit of its kind: a file grown out of all
/// proportion (or a folder or FIFO in its place) refuses the commit before anything is
/// written, naming the file.
pub(super) fn old_content(root: &Path, rel: &str) -> Result<Option<Vec<u8>>, StoreError> {
    use crate::input::limits;
    let (limit, what) = if rel == super::CONFIG_FILE {
        (limits::CONFIG, "configuration")
    } else if let Some(name) = rel.strip_prefix("outbox/") {
        if name.ends_with(".eml") {
            (limits::LETTER, "letter")
        } else {
            (limits::OUTBOX_STATE, "outbox state file")
        }
    } else if rel.contains("/inbox/") {
        (limits::EMAIL, "imported message")
    } else {
        (limits::RECORD, "record")
    };
    match crate::input::read_bounded(&root.join(rel), limit, what) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The index entry of the file at `path` (`rel` in the workspace) whose blob is `oid`,
/// from the file's metadata (one `stat`, no read): what `git add` would record for a
/// file it had just hashed. `None` when the file is not a regular file, or on a
/// platform without the metadata git keeps (the caller then adds the path the slow way).
fn index_entry(path: &Path, rel: &str, oid: Oid) -> Option<git2::IndexEntry> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::symlink_metadata(path).ok()?;
        if !meta.is_file() {
            return None;
        }
        // The tree records every file as 0o100644; so does the index.
        let mode = 0o100644;
        // Git's index keeps 32-bit fields; it truncates the same way.
        Some(git2::IndexEntry {
            ctime: git2::IndexTime::new(meta.ctime() as i32, meta.ctime_nsec() as u32),
            mtime: git2::IndexTime::new(meta.mtime() as i32, meta.mtime_nsec() as u32),
            dev: meta.dev() as u32,
            ino: meta.ino() as u32,
            mode,
            uid: meta.uid(),
            gid: meta.gid(),
            file_size: meta.len() as u32,
            id: oid,
            flags: rel.len().min(0xfff) as u16,
            flags_extended: 0,
            path: rel.as_bytes().to_vec(),
        })
    }
    #[cfg(not(unix))]
    {
        let _ = (path, rel, oid);
        None
    }
}

/// From this many queued files on, a commit writes its blobs and trees as one pack
/// (git's own `transfer.unpackLimit` default is 100): thousands of loose objects cost a
/// file each, which is most of what a large import spends.
pub const PACK_FROM: usize = 100;

/// Writes the blobs of `writes` and the tree built from them on `base` into one pack
/// under `.git/objects/pack` (with its index), streamed from the queued bytes (see
/// [`super::pack`]); returns the tree and each path's blob.
fn write_packed(
    ws: &Workspace,
    writes: &BTreeMap<String, Vec<u8>>,
    base: Option<Oid>,
    strategy_tree: Option<Oid>,
) -> Result<(Oid, BTreeMap<String, Oid>), StoreError> {
    super::pack::write_packed(&ws.repo, writes, base, strategy_tree, super::STRATEGY_DIR)
}

/// Writes the blobs of `writes` and the tree built from them on `base` (and
/// `strategy_tree` as `strategy/`) into `repo`'s object database; returns the tree and
/// each path's blob.
fn write_objects(
    repo: &Repository,
    base: Option<&Tree<'_>>,
    writes: &BTreeMap<String, Vec<u8>>,
    strategy_tree: Option<Oid>,
    trees: &mut Vec<Oid>,
) -> Result<(Oid, BTreeMap<String, Oid>), StoreError> {
    let mut nested = Node::default();
    let mut blobs = BTreeMap::new();
    for (path, bytes) in writes {
        let blob = repo
            .blob(bytes)
            .map_err(StoreError::git(format!("store \"{path}\"")))?;
        nested.insert(path.split('/').collect::<Vec<_>>().as_slice(), blob);
        blobs.insert(path.clone(), blob);
    }
    if let Some(tree) = strategy_tree {
        nested
            .children
            .insert(super::STRATEGY_DIR.to_string(), Node::tree(tree));
    }
    let tree = build_tree(repo, base, &nested, trees)?;
    Ok((tree, blobs))
}

/// The queued writes as a tree of names; a node is a blob, a ready tree, or a folder.
#[derive(Default)]
struct Node {
    blob: Option<Oid>,
    tree: Option<Oid>,
    children: BTreeMap<String, Node>,
}

impl Node {
    fn tree(oid: Oid) -> Node {
        Node {
            tree: Some(oid),
            ..Node::default()
        }
    }

    fn insert(&mut self, path: &[&str], blob: Oid) {
        match path {
            [] => {}
            [name] => {
                self.children.entry((*name).to_string()).or_default().blob = Some(blob);
            }
            [dir, rest @ ..] => self
                .children
                .entry((*dir).to_string())
                .or_default()
                .insert(rest, blob),
        }
    }
}

/// Writes the tree of `node` on `base`; every tree written is added to `written`.
fn build_tree(
    repo: &Repository,
    base: Option<&Tree<'_>>,
    node: &Node,
    written: &mut Vec<Oid>,
) -> Result<Oid, StoreError> {
    let mut tb = repo
        .treebuilder(base)
        .map_err(StoreError::git("start a tree"))?;
    for (name, child) in &node.children {
        if let Some(blob) = child.blob {
            tb.insert(name, blob, 0o100644)
                .map_err(StoreError::git(format!("add \"{name}\" to a tree")))?;
        } else if let Some(tree) = child.tree {
            tb.insert(name, tree, 0o040000)
                .map_err(StoreError::git(format!("add \"{name}\" to a tree")))?;
        } else {
            let sub = base
                .and_then(|t| t.get_name(name))
                .filter(|e| e.kind() == Some(git2::ObjectType::Tree))
                .map(|e| repo.find_tree(e.id()))
                .transpose()
                .map_err(StoreError::git(format!("read the folder \"{name}\"")))?;
            let oid = build_tree(repo, sub.as_ref(), child, written)?;
            tb.insert(name, oid, 0o040000)
                .map_err(StoreError::git(format!("add \"{name}\" to a tree")))?;
        }
    }
    let oid = tb.write().map_err(StoreError::git("write a tree"))?;
    written.push(oid);
    Ok(oid)
}

/// Writes `bytes` to `path` atomically: a synced temporary file in the same folder,
/// renamed over the target, then the folder synced (best effort: not every platform can
/// open a folder). Creates missing parent folders.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    write_atomically(path, bytes).map_err(StoreError::io("write", path))
}

/// [`atomic_write`] with the plain I/O error, for modules with their own error type.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_renamed(path, bytes, true)
}

/// Writes a temporary file in the same folder and renames it over `path`; with `sync`,
/// the file is flushed to disk before the rename and the folder after it.
pub(super) fn write_renamed(path: &Path, bytes: &[u8], sync: bool) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        if sync {
            f.sync_all()?;
        }
        std::fs::rename(&tmp, path)
    };
    write().inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })?;
    if sync && let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor() -> Actor {
        Actor {
            party: "DIO".parse().expect("code"),
            name: "Kari Nordmann".into(),
            email: "kari@dio.example".into(),
        }
    }

    fn packs(ws: &Workspace) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = std::fs::read_dir(ws.repo.path().join("objects/pack"))
            .map(|rd| rd.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        out.sort();
        out
    }

    fn loose_objects(ws: &Workspace) -> usize {
        std::fs::read_dir(ws.repo.path().join("objects"))
            .expect("objects")
            .flatten()
            .filter(|e| e.file_name().len() == 2)
            .map(|e| std::fs::read_dir(e.path()).map_or(0, |d| d.count()))
            .sum()
    }

    #[test]
    fn many_files_are_one_pack_with_index_entries_from_their_blobs() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ws = Workspace::create(&dir.path().join("ws"), None).expect("create");
        let when: jiff::ZonedDateTime = "2025-12-03T10:00:00+01:00[Europe/Oslo]"
            .parse()
            .expect("time");
        let mut tx = ws
            .begin("test", Duration::from_secs(1), IdSeed::Fixed(1))
            .expect("begin");
        for i in 0..PACK_FROM + 50 {
            tx.write(
                &format!("consultations/r1/inbox/d{i:03}/message.eml"),
                format!("From: a@b.example\n\nmessage {i}\n"),
            );
        }
        let loose_before = loose_objects(&ws);
        let info = tx
            .commit("Import", "", Action::CommentImport, &actor(), &when)
            .expect("commit");
        // One pack and its index; only the commit itself is a loose object.
        let names: Vec<String> = packs(&ws)
            .iter()
            .filter_map(|p| p.extension().map(|e| e.to_string_lossy().into_owned()))
            .collect();
        assert!(names.contains(&"pack".to_string()), "{names:?}");
        assert!(names.contains(&"idx".to_string()), "{names:?}");
        assert_eq!(loose_objects(&ws), loose_before + 1);
        // The commit reads back, every file is in it, and the index matches the work
        // tree without git hashing anything again (status clean).
        let head = ws.head_commit().expect("head").expect("a commit");
        assert_eq!(head.id().to_string(), info.id);
        let tree = head.tree().expect("tree");
        let entry = tree
            .get_path(Path::new("consultations/r1/inbox/d007/message.eml"))
            .expect("entry");
        let blob = ws.repo.find_blob(entry.id()).expect("blob");
        assert_eq!(blob.content(), b"From: a@b.example\n\nmessage 7\n");
        let index = ws.repo.index().expect("index");
        let e = index
            .get_path(Path::new("consultations/r1/inbox/d007/message.eml"), 0)
            .expect("index entry");
        assert_eq!(e.id, entry.id());
        let statuses = ws.repo.statuses(None).expect("status");
        let dirty: Vec<String> = statuses
            .iter()
            .filter_map(|s| s.path().ok().map(str::to_string))
            .collect();
        assert!(dirty.is_empty(), "git status is clean: {dirty:?}");
    }

    #[test]
    fn a_few_files_stay_loose_objects() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ws = Workspace::create(&dir.path().join("ws"), None).expect("create");
        let when: jiff::ZonedDateTime = "2025-12-03T10:00:00+01:00[Europe/Oslo]"
            .parse()
            .expect("time");
        let mut tx = ws
            .begin("test", Duration::from_secs(1), IdSeed::Fixed(1))
            .expect("begin");
        tx.write("consultations/r1/round.toml", "id = \"r1\"\n");
        let before = packs(&ws);
        tx.commit("One", "", Action::CommentImport, &actor(), &when)
            .expect("commit");
        assert_eq!(packs(&ws), before);
    }
}
