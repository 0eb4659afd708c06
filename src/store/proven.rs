//! Proven clocks: the logical clock a record is folded by is the clock of the commit
//! that added it, as the history proves it, never the `clock = N` written in the record
//! nor the commit's own `Strategi-Clock` trailer.
//!
//! A clone writes both, so a party could write a record (and a trailer) with a huge or
//! backdated clock to sort its fact last or first in every fold. The history cannot be
//! forged that way: a commit's *proven* clock is one more than the highest proven clock
//! of its parents when it is a strategi commit with the trailer and one parent (what
//! strategi writes), else the highest of its parents' (a merge, a plain-git commit, an
//! older strategi's commit; 0 at a root). On an honest history the two are equal, so
//! nothing changes; after a forged trailer every later commit keeps its honest offset
//! from the proven value, and both clones, holding the same commits, fold alike.
//! `verify` reports the forgeries themselves (`commit-clock`, `record-clock`).
//!
//! [`ProvenClocks`] maps each record path to the proven clock of the first commit (in
//! history order, the lowest clock) that added it: a later edit of the file does not
//! move it. A record the history does not hold (not committed yet) takes HEAD's proven
//! clock plus one, what its commit will get. The map is kept in `.git/strategi-clocks`
//! (never committed; written by writes only, under the workspace lock) with the commit
//! it was computed at, and brought up to date by walking only the commits since. The
//! file is a log: each save appends the commits and records it walked and a line naming
//! the new head, so a write costs what it adds, not the history's size; a file that does
//! not end with a head line, or whose head is not an ancestor of HEAD, is rebuilt.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use git2::{Oid, Repository, Sort, Tree};

use super::history::{RECORD_DIRS, is_record_path};
use super::{StoreError, clock_in_message, treemerge};

/// The cache file in the git directory.
pub const CLOCK_CACHE_FILE: &str = "strategi-clocks";

const CACHE_HEADER: &str = "strategi-clocks 2";

/// The arrays of tables in a record file whose tables are facts with a clock of their
/// own (a comments file's `[[comment]]`s).
pub const CLOCKED_ARRAYS: [&str; 1] = ["comment"];

/// The proven clock of a commit from its parents' (the highest of them, 0 without
/// parents), their number and whether the commit carries a `Strategi-Clock` trailer.
pub fn proven_clock(has_trailer: bool, parents: usize, parents_max: u64) -> u64 {
    if has_trailer && parents <= 1 {
        parents_max.saturating_add(1)
    } else {
        parents_max
    }
}

/// The proven clocks of a history: per commit and per record path (see the module).
#[derive(Debug, Clone, Default)]
pub struct ProvenClocks {
    head: Option<Oid>,
    head_clock: u64,
    commits: HashMap<Oid, u64>,
    records: HashMap<String, u64>,
    /// What these clocks add to the cache file they were loaded from: the file as it
    /// was (its head and length) and the lines walked since, for an append.
    since_file: Option<SinceFile>,
}

/// The clocks walked since a cache file was read (see [`ProvenClocks::save`]).
#[derive(Debug, Clone)]
struct SinceFile {
    head: Oid,
    head_clock: u64,
    len: u64,
    commits: Vec<(Oid, u64)>,
    records: Vec<(String, u64)>,
}

impl PartialEq for ProvenClocks {
    /// Equal clocks: the same head, commits and records, however they were computed.
    fn eq(&self, other: &Self) -> bool {
        self.head == other.head
            && self.head_clock == other.head_clock
            && self.commits == other.commits
            && self.records == other.records
    }
}

impl Eq for ProvenClocks {}

impl ProvenClocks {
    /// The commit these clocks are computed at (`None`: no commit yet).
    pub fn head(&self) -> Option<Oid> {
        self.head
    }

    /// HEAD's proven clock.
    pub fn head_clock(&self) -> u64 {
        self.head_clock
    }

    /// The proven clock of a commit of the history.
    pub fn commit(&self, id: Oid) -> Option<u64> {
        self.commits.get(&id).copied()
    }

    /// The clock the record at `path` is folded by: the proven clock of the commit that
    /// added it, or HEAD's plus one for a record the history does not hold.
    pub fn record(&self, path: &str) -> u64 {
        self.records
            .get(path)
            .copied()
            .unwrap_or_else(|| self.head_clock.saturating_add(1))
    }

    /// The proven clocks at `head` (`None`: no commit yet; see [`ProvenClocks::at_head`]),
    /// starting from `known` when it is at an ancestor of `head`: only the commits since
    /// are walked. Otherwise (no cache, history rewritten) the whole history is.
    pub fn update(
        repo: &Repository,
        head: Option<Oid>,
        known: Option<ProvenClocks>,
    ) -> Result<ProvenClocks, StoreError> {
        let Some(head) = head else {
            return Ok(ProvenClocks::default());
        };
        if let Some(k) = &known
            && k.head == Some(head)
        {
            return Ok(known.unwrap_or_default());
        }
        let base = known.filter(|k| {
            k.head.is_some_and(|old| {
                k.commits.contains_key(&old) && repo.graph_descendant_of(head, old).unwrap_or(false)
            })
        });
        super::without_object_hash_checks(|| {
            if let Some(base) = base {
                let old = base.head;
                if let Some(done) = walk(repo, head, old, base)? {
                    return Ok(done);
                }
            }
            // A parent the cache should hold is missing: start again from the root.
            walk(repo, head, None, ProvenClocks::default())?.ok_or_else(|| {
                StoreError::git(format!("compute the clocks of the history of {head}"))(
                    git2::Error::from_str("a commit's parent was not walked before it"),
                )
            })
        })
    }

    /// The proven clocks at the repository's HEAD.
    pub fn at_head(repo: &Repository, known: Option<ProvenClocks>) -> Result<Self, StoreError> {
        let head = match repo.head() {
            Ok(r) => Some(
                r.peel_to_commit()
                    .map_err(StoreError::git("read the commit HEAD points at"))?
                    .id(),
            ),
            Err(e)
                if e.code() == git2::ErrorCode::UnbornBranch
                    || e.code() == git2::ErrorCode::NotFound =>
            {
                None
            }
            Err(e) => return Err(StoreError::git("read HEAD")(e)),
        };
        ProvenClocks::update(repo, head, known)
    }

    /// The cache's text: a header, then `c OID N` per commit and `r N PATH` per record,
    /// then `h OID N`, the commit it is at. Later saves append the lines of what they
    /// walked and a new `h` line (see [`ProvenClocks::save`]). `None` when a path cannot
    /// be written on one line.
    pub fn to_text(&self) -> Option<String> {
        let head = self.head?;
        let mut out = format!("{CACHE_HEADER}\n");
        let mut commits: Vec<_> = self.commits.iter().collect();
        commits.sort();
        for (oid, n) in commits {
            let _ = writeln!(out, "c {oid} {n}");
        }
        let mut records: Vec<_> = self.records.iter().collect();
        records.sort();
        for (path, n) in records {
            if path.contains(['\n', '\r']) {
                return None;
            }
            let _ = writeln!(out, "r {n} {path}");
        }
        let _ = writeln!(out, "h {head} {}", self.head_clock);
        Some(out)
    }

    /// Reads a cache's text; `None` for anything that is not one, or that does not end
    /// with the line of the commit it is at (an append cut short): it is rebuilt.
    pub fn from_text(text: &str) -> Option<ProvenClocks> {
        let mut lines = text.lines();
        if lines.next()? != CACHE_HEADER || !text.ends_with('\n') {
            return None;
        }
        let mut out = ProvenClocks::default();
        let mut last_is_head = false;
        for line in lines {
            last_is_head = false;
            if let Some(rest) = line.strip_prefix("c ") {
                let (oid, n) = rest.split_once(' ')?;
                out.commits
                    .insert(Oid::from_str(oid).ok()?, n.parse().ok()?);
            } else if let Some(rest) = line.strip_prefix("r ") {
                let (n, path) = rest.split_once(' ')?;
                let n: u64 = n.parse().ok()?;
                out.records
                    .entry(path.to_string())
                    .and_modify(|c| *c = (*c).min(n))
                    .or_insert(n);
            } else if let Some(rest) = line.strip_prefix("h ") {
                let (oid, n) = rest.split_once(' ')?;
                out.head = Some(Oid::from_str(oid).ok()?);
                out.head_clock = n.parse().ok()?;
                last_is_head = true;
            } else {
                return None;
            }
        }
        let head = out.head?;
        (last_is_head && out.commits.get(&head) == Some(&out.head_clock)).then_some(out)
    }

    /// The cache in the git directory `git_dir`, if it reads; it remembers the file's
    /// length and head, so that [`ProvenClocks::save`] can append what is walked since.
    pub fn load(git_dir: &Path) -> Option<ProvenClocks> {
        let text = std::fs::read_to_string(git_dir.join(CLOCK_CACHE_FILE)).ok()?;
        let mut out = ProvenClocks::from_text(&text)?;
        out.since_file = Some(SinceFile {
            head: out.head?,
            head_clock: out.head_clock,
            len: u64::try_from(text.len()).ok()?,
            commits: Vec::new(),
            records: Vec::new(),
        });
        Some(out)
    }

    /// The head of the cache file in `git_dir`, from its last line alone.
    pub fn saved_head(git_dir: &Path) -> Option<Oid> {
        let (_, line) = last_line(&git_dir.join(CLOCK_CACHE_FILE))?;
        let rest = line.strip_prefix("h ")?;
        Oid::from_str(rest.split_once(' ')?.0).ok()
    }

    /// Writes the cache, best effort (a cache that cannot be written is only computed
    /// again next time). When the file still ends where these clocks were loaded from,
    /// only the lines walked since are appended, so a write costs what it adds and not
    /// the size of the history; otherwise (no file, another head, rebuilt clocks) the
    /// whole text is written to a temporary file renamed over it. Writes save the
    /// clocks under the workspace lock, so no two saves run at once.
    pub fn save(&self, git_dir: &Path) {
        let target = git_dir.join(CLOCK_CACHE_FILE);
        if let (Some(head), Some(since)) = (self.head, &self.since_file)
            && let Some(tail) = self.tail_text(head, since)
            && last_line(&target).is_some_and(|(len, line)| {
                len == since.len && line == format!("h {} {}", since.head, since.head_clock)
            })
            && let Ok(mut file) = std::fs::OpenOptions::new().append(true).open(&target)
        {
            use std::io::Write as _;
            if file.write_all(tail.as_bytes()).is_ok() {
                return;
            }
            // A short append does not end with a head line: the next load rebuilds.
        }
        let Some(text) = self.to_text() else {
            return;
        };
        let tmp = git_dir.join(format!("{CLOCK_CACHE_FILE}.new-{}", std::process::id()));
        if std::fs::write(&tmp, text).is_ok() && std::fs::rename(&tmp, &target).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }

    /// The lines to append to a cache file at `since` for these clocks at `head`.
    fn tail_text(&self, head: Oid, since: &SinceFile) -> Option<String> {
        let mut out = String::new();
        for (oid, n) in &since.commits {
            let _ = writeln!(out, "c {oid} {n}");
        }
        for (path, n) in &since.records {
            if path.contains(['\n', '\r']) {
                return None;
            }
            let _ = writeln!(out, "r {n} {path}");
        }
        let _ = writeln!(out, "h {head} {}", self.head_clock);
        Some(out)
    }
}

/// The length of the file at `path` and its last line (without the newline it must
/// end with), read from its last bytes only.
fn last_line(path: &Path) -> Option<(u64, String)> {
    use std::io::{Read as _, Seek as _, SeekFrom};
    let mut file = std::fs::File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    let tail = len.min(256);
    file.seek(SeekFrom::Start(len - tail)).ok()?;
    let mut bytes = Vec::with_capacity(256);
    file.read_to_end(&mut bytes).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    let body = text.strip_suffix('\n')?;
    let line = body.rsplit_once('\n').map_or(body, |(_, l)| l);
    // A line cut at the window's start is no whole line.
    (body.contains('\n') || tail == len).then(|| (len, line.to_string()))
}

impl super::Workspace {
    /// The proven clocks at HEAD ([`ProvenClocks`]): kept for this process while HEAD
    /// stays, else brought up to date from the last computed (here or in the cache file
    /// `.git/strategi-clocks`), walking only the commits since.
    pub fn proven_clocks(&self) -> Result<std::sync::Arc<ProvenClocks>, StoreError> {
        let head = self.head_commit()?.map(|c| c.id());
        let mut memo = self
            .clocks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(m) = memo.as_ref()
            && m.head == head
        {
            return Ok(m.clone());
        }
        let known = match memo.take() {
            Some(m) => Some(std::sync::Arc::try_unwrap(m).unwrap_or_else(|m| (*m).clone())),
            None => ProvenClocks::load(self.repo.path()),
        };
        let clocks = std::sync::Arc::new(ProvenClocks::update(&self.repo, head, known)?);
        *memo = Some(clocks.clone());
        Ok(clocks)
    }

    /// Writes the proven clocks at HEAD to `.git/strategi-clocks` (best effort). Only
    /// a write does (after its commit, `sync` after it moved the branch): a read or a
    /// refused command leaves every byte of the repository as it was.
    pub fn save_proven_clocks(&self) {
        if let Ok(clocks) = self.proven_clocks()
            && clocks.head.is_some()
            && ProvenClocks::saved_head(self.repo.path()) != clocks.head
        {
            clocks.save(self.repo.path());
        }
    }
}

/// Walks the commits reachable from `head` and not from `from` (oldest first), adding
/// their clocks and the records they added to `clocks`. `None` when a parent outside the
/// walk is not in `clocks` (a cache that does not hold what it should).
fn walk(
    repo: &Repository,
    head: Oid,
    from: Option<Oid>,
    mut clocks: ProvenClocks,
) -> Result<Option<ProvenClocks>, StoreError> {
    let mut revwalk = repo
        .revwalk()
        .map_err(StoreError::git("walk the history"))?;
    revwalk
        .set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)
        .map_err(StoreError::git("walk the history"))?;
    revwalk
        .push(head)
        .map_err(StoreError::git("walk the history from HEAD"))?;
    if let Some(from) = from {
        revwalk
            .hide(from)
            .map_err(StoreError::git("walk the history"))?;
    }
    for oid in revwalk {
        let oid = oid.map_err(StoreError::git("walk the history"))?;
        let commit = repo
            .find_commit(oid)
            .map_err(StoreError::git(format!("read commit {oid}")))?;
        let mut parents_max = 0;
        for p in commit.parent_ids() {
            let Some(n) = clocks.commits.get(&p) else {
                return Ok(None);
            };
            parents_max = parents_max.max(*n);
        }
        let trailer = clock_in_message(&String::from_utf8_lossy(commit.message_bytes()));
        let n = proven_clock(trailer.is_some(), commit.parent_count(), parents_max);
        clocks.commits.insert(oid, n);
        if let Some(since) = clocks.since_file.as_mut() {
            since.commits.push((oid, n));
        }
        let tree = commit
            .tree()
            .map_err(StoreError::git(format!("read the tree of commit {oid}")))?;
        let parents: Vec<Tree<'_>> = commit
            .parents()
            .map(|p| p.tree())
            .collect::<Result<_, _>>()
            .map_err(StoreError::git(format!("read the parents of commit {oid}")))?;
        for path in added_records(repo, &tree, &parents)? {
            let clock = clocks.records.entry(path.clone()).or_insert(n);
            if *clock < n {
                continue;
            }
            *clock = n;
            if let Some(since) = clocks.since_file.as_mut() {
                since.records.push((path, n));
            }
        }
    }
    clocks.head = Some(head);
    clocks.head_clock = clocks.commits.get(&head).copied().unwrap_or(0);
    Ok(Some(clocks))
}

/// The record files a commit with `tree` added against its first parent (all of them
/// at a root), leaving out those another parent of a merge has as they are (they came
/// from that parent). Only the record folders that changed are read, and each once per
/// parent: what another parent has as they are is what a diff against it does not name.
fn added_records(
    repo: &Repository,
    tree: &Tree<'_>,
    parents: &[Tree<'_>],
) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::new();
    for dir in RECORD_DIRS {
        let new = subtree(repo, tree, dir)?;
        let old = match parents.first() {
            Some(p) => subtree(repo, p, dir)?,
            None => None,
        };
        if new.as_ref().map(Tree::id) == old.as_ref().map(Tree::id) || new.is_none() {
            continue;
        }
        let mut added: Vec<String> = treemerge::changed_files(repo, old.as_ref(), new.as_ref())?
            .into_iter()
            .filter(|c| c.old.is_none() && c.new.is_some())
            .map(|c| format!("{dir}/{}", c.path))
            .filter(|path| is_record_path(path))
            .collect();
        for other in parents.iter().skip(1) {
            if added.is_empty() {
                break;
            }
            let theirs = subtree(repo, other, dir)?;
            if theirs.as_ref().map(Tree::id) == new.as_ref().map(Tree::id) {
                added.clear();
                break;
            }
            // The files that differ from this parent's (or that it lacks); an added
            // file not among them is this parent's as it is.
            let differs: std::collections::HashSet<String> =
                treemerge::changed_files(repo, theirs.as_ref(), new.as_ref())?
                    .into_iter()
                    .filter(|c| c.new.is_some())
                    .map(|c| format!("{dir}/{}", c.path))
                    .collect();
            added.retain(|path| differs.contains(path));
        }
        out.extend(added);
    }
    Ok(out)
}

fn subtree<'r>(
    repo: &'r Repository,
    tree: &Tree<'_>,
    dir: &str,
) -> Result<Option<Tree<'r>>, StoreError> {
    match tree.get_path(Path::new(dir)) {
        Ok(e) if e.kind() == Some(git2::ObjectType::Tree) => repo
            .find_tree(e.id())
            .map(Some)
            .map_err(StoreError::git(format!("read the folder \"{dir}\""))),
        _ => Ok(None),
    }
}

/// Sets every clock of a parsed record to `n`: its own `clock` (added when missing) and
/// that of each table in its [`CLOCKED_ARRAYS`]. A file of such tables (a comments
/// file) has no clock of its own and gets none: its type has no such field, and the
/// typed parse would refuse it and fall back to the clocks as written.
pub fn set_clocks(table: &mut toml::Table, n: u64) {
    let value = toml::Value::Integer(i64::try_from(n).unwrap_or(i64::MAX));
    let holds_facts = CLOCKED_ARRAYS.iter().any(|name| table.contains_key(*name));
    if !holds_facts || table.contains_key("clock") {
        table.insert("clock".to_string(), value.clone());
    }
    for name in CLOCKED_ARRAYS {
        if let Some(toml::Value::Array(items)) = table.get_mut(name) {
            for item in items {
                if let toml::Value::Table(t) = item {
                    t.insert("clock".to_string(), value.clone());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> (tempfile::TempDir, Repository) {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = Repository::init(dir.path()).expect("init");
        (dir, repo)
    }

    /// A commit of `files` over `parents`' first tree (files given as (path, text)).
    fn commit(repo: &Repository, message: &str, parents: &[Oid], files: &[(&str, &str)]) -> Oid {
        let sig = git2::Signature::new("T", "t@example.org", &git2::Time::new(1, 0)).expect("sig");
        let base = parents
            .first()
            .map(|p| repo.find_commit(*p).and_then(|c| c.tree()).expect("tree"));
        super::super::test_support::commit_files(repo, base.as_ref(), files, parents, message, &sig)
    }

    const R1: &str = "settings/20250101T000000Z-s0000001.toml";
    const R2: &str = "settings/20250102T000000Z-s0000002.toml";
    const R3: &str = "settings/20250103T000000Z-s0000003.toml";

    #[test]
    fn the_clock_rule() {
        assert_eq!(proven_clock(true, 0, 0), 1);
        assert_eq!(proven_clock(true, 1, 4), 5);
        assert_eq!(proven_clock(true, 2, 4), 4, "a merge adds no fact");
        assert_eq!(
            proven_clock(false, 1, 4),
            4,
            "plain git counts as its parent"
        );
        assert_eq!(proven_clock(true, 1, u64::MAX), u64::MAX);
    }

    #[test]
    fn a_forged_trailer_gets_the_clock_history_proves() {
        let (_d, repo) = repo();
        let a = commit(
            &repo,
            "a\n\nStrategi-Clock: 1\n",
            &[],
            &[(R1, "clock = 1\n")],
        );
        // Forged: the trailer and the record claim 1,000,000.
        let b = commit(
            &repo,
            "b\n\nStrategi-Clock: 1000000\n",
            &[a],
            &[(R2, "clock = 1000000\n")],
        );
        // An honest commit after it (its trailer is the forged one plus one).
        let c = commit(
            &repo,
            "c\n\nStrategi-Clock: 1000001\n",
            &[b],
            &[(R3, "clock = 1000001\n"), ("strategy/a.md", "x")],
        );
        let p = ProvenClocks::update(&repo, Some(c), None).expect("clocks");
        assert_eq!(p.commit(a), Some(1));
        assert_eq!(p.commit(b), Some(2));
        assert_eq!(p.commit(c), Some(3));
        assert_eq!(p.head_clock(), 3);
        assert_eq!((p.record(R1), p.record(R2), p.record(R3)), (1, 2, 3));
        assert_eq!(p.record("settings/not-committed.toml"), 4);
    }

    #[test]
    fn merges_and_plain_commits_add_no_clock_and_records_keep_the_side_they_came_from() {
        let (_d, repo) = repo();
        let root = commit(&repo, "plain root", &[], &[("strategi.toml", "")]);
        let a = commit(&repo, "a\n\nStrategi-Clock: 1\n", &[root], &[(R1, "")]);
        let b1 = commit(&repo, "b1\n\nStrategi-Clock: 1\n", &[root], &[]);
        let b2 = commit(&repo, "b2\n\nStrategi-Clock: 2\n", &[b1], &[(R2, "")]);
        // A merge with a as first parent: R2 came from b2's side.
        let m = commit(&repo, "merge\n\nStrategi-Clock: 2\n", &[a, b2], &[(R2, "")]);
        let plain = commit(&repo, "plain", &[m], &[(R3, "clock = 99\n")]);
        let p = ProvenClocks::update(&repo, Some(plain), None).expect("clocks");
        assert_eq!(p.commit(root), Some(0));
        assert_eq!(p.commit(m), Some(2));
        assert_eq!(p.commit(plain), Some(2));
        assert_eq!((p.record(R1), p.record(R2), p.record(R3)), (1, 2, 2));
    }

    #[test]
    fn updates_walk_only_what_is_new_and_equal_a_walk_from_the_root() {
        let (dir, repo) = repo();
        let a = commit(&repo, "a\n\nStrategi-Clock: 1\n", &[], &[(R1, "")]);
        let first = ProvenClocks::update(&repo, Some(a), None).expect("clocks");
        first.save(repo.path());
        let b = commit(&repo, "b\n\nStrategi-Clock: 2\n", &[a], &[(R2, "")]);
        let loaded = ProvenClocks::load(repo.path()).expect("cache reads");
        assert_eq!(loaded, first);
        let updated = ProvenClocks::update(&repo, Some(b), Some(loaded)).expect("clocks");
        let fresh = ProvenClocks::update(&repo, Some(b), None).expect("clocks");
        assert_eq!(updated, fresh);
        // A cache of another history (not an ancestor) is not used.
        let other = commit(&repo, "o\n\nStrategi-Clock: 1\n", &[], &[(R3, "")]);
        let o = ProvenClocks::update(&repo, Some(other), None).expect("clocks");
        let back = ProvenClocks::update(&repo, Some(b), Some(o)).expect("clocks");
        assert_eq!(back, fresh);
        // A damaged cache does not read.
        std::fs::write(dir.path().join(".git").join(CLOCK_CACHE_FILE), "junk").expect("write");
        assert_eq!(ProvenClocks::load(repo.path()), None);
        assert_eq!(
            ProvenClocks::from_text(&fresh.to_text().expect("text")),
            Some(fresh)
        );
    }

    fn cache_text(repo: &Repository) -> String {
        std::fs::read_to_string(repo.path().join(CLOCK_CACHE_FILE)).expect("cache file")
    }

    /// A save after a walk from the file appends what was walked, and the file then
    /// reads as the clocks a walk from the root gives.
    #[test]
    fn a_save_appends_what_was_walked_since_the_file() {
        let (_dir, repo) = repo();
        let a = commit(&repo, "a\n\nStrategi-Clock: 1\n", &[], &[(R1, "")]);
        ProvenClocks::update(&repo, Some(a), None)
            .expect("clocks")
            .save(repo.path());
        let before = cache_text(&repo);
        let b = commit(&repo, "b\n\nStrategi-Clock: 2\n", &[a], &[(R2, "")]);
        let c = commit(&repo, "c\n\nStrategi-Clock: 3\n", &[b], &[(R3, "")]);
        let loaded = ProvenClocks::load(repo.path()).expect("cache reads");
        let updated = ProvenClocks::update(&repo, Some(c), Some(loaded)).expect("clocks");
        updated.save(repo.path());
        let after = cache_text(&repo);
        let added = after
            .strip_prefix(before.as_str())
            .expect("appended, not rewritten");
        assert_eq!(
            added.lines().count(),
            5,
            "two commits, two records, a head:\n{added}"
        );
        assert!(added.ends_with(&format!("h {c} 3\n")), "{added}");
        let fresh = ProvenClocks::update(&repo, Some(c), None).expect("clocks");
        assert_eq!(ProvenClocks::load(repo.path()), Some(fresh.clone()));
        assert_eq!(ProvenClocks::saved_head(repo.path()), Some(c));
        // Nothing walked: the same head line again, no rewrite.
        let same = ProvenClocks::load(repo.path()).expect("reads");
        same.save(repo.path());
        assert_eq!(ProvenClocks::load(repo.path()), Some(fresh));
    }

    /// A file that moved on since the clocks were loaded (another process saved), or
    /// whose last append was cut short, is not appended to: it is written whole, or
    /// rebuilt on the next load.
    #[test]
    fn a_file_that_changed_or_was_cut_short_is_rewritten_or_rebuilt() {
        let (_dir, repo) = repo();
        let a = commit(&repo, "a\n\nStrategi-Clock: 1\n", &[], &[(R1, "")]);
        ProvenClocks::update(&repo, Some(a), None)
            .expect("clocks")
            .save(repo.path());
        let b = commit(&repo, "b\n\nStrategi-Clock: 2\n", &[a], &[(R2, "")]);
        let loaded = ProvenClocks::load(repo.path()).expect("reads");
        let at_b = ProvenClocks::update(&repo, Some(b), Some(loaded.clone())).expect("clocks");
        // Another process saved the clocks at b meanwhile.
        at_b.save(repo.path());
        let c = commit(&repo, "c\n\nStrategi-Clock: 3\n", &[b], &[(R3, "")]);
        let at_c = ProvenClocks::update(&repo, Some(c), Some(loaded)).expect("clocks");
        at_c.save(repo.path());
        let text = cache_text(&repo);
        assert_eq!(text, at_c.to_text().expect("text"), "written whole");
        assert_eq!(ProvenClocks::load(repo.path()), Some(at_c.clone()));
        // An append cut short: no head line at the end, so the file does not read.
        let cut = format!("{text}c {c} 3\nr 3 settings/x");
        std::fs::write(repo.path().join(CLOCK_CACHE_FILE), &cut).expect("write");
        assert_eq!(ProvenClocks::load(repo.path()), None);
        assert_eq!(ProvenClocks::saved_head(repo.path()), None);
        // A head line with no commit line for it is no cache either.
        let forged = format!("{text}h {a} 9\n");
        std::fs::write(repo.path().join(CLOCK_CACHE_FILE), forged).expect("write");
        assert_eq!(ProvenClocks::load(repo.path()), None);
        // The old format is rebuilt, not misread.
        let v1 = text.replace(CACHE_HEADER, "strategi-clocks 1");
        std::fs::write(repo.path().join(CLOCK_CACHE_FILE), v1).expect("write");
        assert_eq!(ProvenClocks::load(repo.path()), None);
    }

    /// A merge's records that came as they are from its second parent keep that side's
    /// clock; one changed in the merge itself is the merge's.
    #[test]
    fn a_merge_adds_only_what_neither_side_had_as_it_is() {
        let (_dir, repo) = repo();
        let a = commit(&repo, "a\n\nStrategi-Clock: 1\n", &[], &[(R1, "")]);
        let ours = commit(&repo, "o\n\nStrategi-Clock: 2\n", &[a], &[(R2, "ours")]);
        let theirs = commit(&repo, "t\n\nStrategi-Clock: 2\n", &[a], &[(R3, "theirs")]);
        let merged = commit(
            &repo,
            "m\n\nStrategi-Clock: 3\n",
            &[ours, theirs],
            &[
                (R3, "theirs"),
                ("settings/20250104T000000Z-s0000004.toml", "new"),
            ],
        );
        let clocks = ProvenClocks::update(&repo, Some(merged), None).expect("clocks");
        assert_eq!(clocks.record(R2), 2);
        assert_eq!(clocks.record(R3), 2, "from the second parent as it is");
        assert_eq!(
            clocks.record("settings/20250104T000000Z-s0000004.toml"),
            2,
            "a merge adds no clock: what it adds gets the highest parent's"
        );
    }

    #[test]
    fn set_clocks_sets_the_record_and_its_comments() {
        let mut t: toml::Table =
            "clock = 9\n[[comment]]\nid = \"c1\"\nclock = 9\n[[comment]]\nid = \"c2\"\n"
                .parse()
                .expect("toml");
        set_clocks(&mut t, 3);
        assert_eq!(t["clock"].as_integer(), Some(3));
        let comments = t["comment"].as_array().expect("array");
        assert!(comments.iter().all(|c| c["clock"].as_integer() == Some(3)));
    }
}
