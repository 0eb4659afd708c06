//! Git's index (`.git/index`) updated for a few paths without decoding the rest.
//!
//! libgit2 reads an index whole (an allocated entry per file, a hash map, a sort), checks
//! its SHA-1 (the collision-detecting one, slow) and writes it whole again: at 100,000
//! records that was 88 % of a sync's instructions. [`update_paths`] does what
//! `git update-index --index-info` does for the paths a command changed, whose blobs it
//! knows: under git's `index.lock` (taken with `O_EXCL`, renamed over the index when
//! done, removed on any failure), it copies every other entry byte for byte, puts the
//! new entries in their sorted place, invalidates the cache tree (`TREE`) along the
//! changed paths only, drops the extensions that describe the old file (`EOIE`,
//! `IEOT` offsets; `UNTR`, `FSMN` caches, which git rebuilds), and ends with the SHA-1
//! of what it wrote (hardware SHA-1 where the CPU has it), or git's null trailer when
//! the repository asks for `index.skipHash`. The old file's trailer is not checked on
//! read, as git checks it only in `git fsck`. What stays proportional to the case is a
//! copy of the file's bytes and one SHA-1 over them, which is what the file format asks
//! for.
//!
//! Git's racy-clean rule is kept: an entry this rewrite copies whose file was modified
//! in the same second as the old index was written (so a stat check cannot tell) is
//! compared with the file and, when they differ, smudged (size 0) so git looks at its
//! content, as git and libgit2 do when they write an index.
//!
//! Anything this does not handle (index version 4's compressed paths, a split or
//! sparse index or another required extension, a damaged file, no index yet) returns
//! [`Spliced::Unsupported`] with the lock released, and the caller updates the index
//! through libgit2 as before.

use std::collections::BTreeSet;
use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use git2::Oid;
use sha1::{Digest, Sha1};

use super::StoreError;

/// What [`update_paths`] did.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Spliced {
    /// The index is written with the new entries.
    Done,
    /// Nothing was written; the index is one this module does not rewrite.
    Unsupported,
}

/// One path to set in the index: its blob, or `None` to remove it.
pub(super) struct PathUpdate<'a> {
    pub path: &'a str,
    pub blob: Option<Oid>,
}

const HASH: usize = 20;
const HEADER: usize = 12;
/// Fixed part of an entry: ten 32-bit stat fields, the object id and the flags.
const FIXED: usize = 40 + HASH + 2;

/// Sets `updates` in the index of the repository at `git_dir` whose working tree is
/// `root` (the entry's stat data from the file; a path whose file is missing is
/// removed). `skip_hash`: write git's null trailer instead of the SHA-1
/// (`index.skipHash`). Someone else's `index.lock` is `ErrorCode::Locked`.
pub(super) fn update_paths(
    git_dir: &Path,
    root: &Path,
    updates: &[PathUpdate<'_>],
    skip_hash: bool,
) -> Result<Spliced, StoreError> {
    let index_path = git_dir.join("index");
    let Ok(meta) = std::fs::metadata(&index_path) else {
        return Ok(Spliced::Unsupported);
    };
    let lock = IndexLock::take(git_dir)?;
    // Read under the lock: what another program wrote before is kept.
    let data = std::fs::read(&index_path).map_err(StoreError::io("read", &index_path))?;
    let stamp = file_mtime(&meta);
    let mut news: Vec<(&[u8], Option<Vec<u8>>)> = Vec::with_capacity(updates.len());
    for u in updates {
        let entry = match u.blob {
            Some(oid) => match entry_bytes(&root.join(u.path), u.path, oid) {
                Some(e) => Some(e),
                // Not a regular file (or no stat data): let libgit2 decide.
                None if root.join(u.path).exists() => return Ok(Spliced::Unsupported),
                None => None,
            },
            None => None,
        };
        news.push((u.path.as_bytes(), entry));
    }
    news.sort_by(|a, b| a.0.cmp(b.0));
    news.dedup_by(|a, b| a.0 == b.0);
    let Some(out) = splice(&data, &news, stamp, root, skip_hash) else {
        return Ok(Spliced::Unsupported);
    };
    lock.commit(&out, &index_path)?;
    Ok(Spliced::Done)
}

/// `.git/index.lock`, created exclusively (git's protocol), removed unless committed.
struct IndexLock {
    path: PathBuf,
    file: Option<std::fs::File>,
}

impl IndexLock {
    fn take(git_dir: &Path) -> Result<IndexLock, StoreError> {
        let path = git_dir.join("index.lock");
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(file) => Ok(IndexLock {
                path,
                file: Some(file),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(StoreError::Git {
                action: "lock the index".to_string(),
                source: git2::Error::new(
                    git2::ErrorCode::Locked,
                    git2::ErrorClass::Index,
                    format!("the index is locked: \"{}\" exists", path.display()),
                ),
            }),
            Err(e) => Err(StoreError::io("create", &path)(e)),
        }
    }

    fn commit(mut self, bytes: &[u8], target: &Path) -> Result<(), StoreError> {
        let mut file = self.file.take().ok_or_else(|| StoreError::Io {
            action: "write",
            path: self.path.clone(),
            source: std::io::Error::other("the lock file is already closed"),
        })?;
        file.write_all(bytes)
            .map_err(StoreError::io("write", &self.path))?;
        drop(file);
        std::fs::rename(&self.path, target).map_err(StoreError::io("replace", target))?;
        self.path = PathBuf::new();
        Ok(())
    }
}

impl Drop for IndexLock {
    fn drop(&mut self) {
        self.file = None;
        if !self.path.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(unix)]
fn file_mtime(meta: &std::fs::Metadata) -> (u32, u32) {
    use std::os::unix::fs::MetadataExt;
    (meta.mtime() as u32, meta.mtime_nsec() as u32)
}

#[cfg(not(unix))]
fn file_mtime(_meta: &std::fs::Metadata) -> (u32, u32) {
    (u32::MAX, 0)
}

/// The entry (index version 2 layout, stage 0) of the file at `path` (`rel` in the
/// workspace) with blob `oid`, from one `stat`: what `git add` records. `None`: not a
/// regular file, or a platform without git's stat fields.
fn entry_bytes(path: &Path, rel: &str, oid: Oid) -> Option<Vec<u8>> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::symlink_metadata(path).ok()?;
        if !meta.is_file() {
            return None;
        }
        let name = rel.as_bytes();
        let len = (FIXED + name.len() + 8) & !7;
        let mut e = Vec::with_capacity(len);
        // Git's index keeps 32-bit fields and truncates the same way.
        for v in [
            meta.ctime() as u32,
            meta.ctime_nsec() as u32,
            meta.mtime() as u32,
            meta.mtime_nsec() as u32,
            meta.dev() as u32,
            meta.ino() as u32,
            // The tree records every file as 0o100644; so does the index.
            0o100644,
            meta.uid(),
            meta.gid(),
            meta.len() as u32,
        ] {
            e.extend_from_slice(&v.to_be_bytes());
        }
        e.extend_from_slice(oid.as_bytes());
        e.extend_from_slice(&(name.len().min(0xfff) as u16).to_be_bytes());
        e.extend_from_slice(name);
        e.resize(len, 0);
        Some(e)
    }
    #[cfg(not(unix))]
    {
        let _ = (path, rel, oid);
        None
    }
}

fn be32(data: &[u8], at: usize) -> Option<u32> {
    let b = data.get(at..at + 4)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

fn be16(data: &[u8], at: usize) -> Option<u16> {
    let b = data.get(at..at + 2)?;
    Some(u16::from_be_bytes([b[0], b[1]]))
}

/// The new index: `data` with `news` (sorted by path, unique) put in, or `None` when
/// `data` is not an index this module rewrites.
fn splice(
    data: &[u8],
    news: &[(&[u8], Option<Vec<u8>>)],
    stamp: (u32, u32),
    root: &Path,
    skip_hash: bool,
) -> Option<Vec<u8>> {
    if data.len() < HEADER + HASH || &data[..4] != b"DIRC" {
        return None;
    }
    let version = be32(data, 4)?;
    if version != 2 && version != 3 {
        return None;
    }
    let count = be32(data, 8)? as usize;
    let body_end = data.len() - HASH;
    // The old trailer is not checked, as git does not check it when it reads an index
    // (only `git fsck` does): the structure is checked entry by entry below, and the
    // file written ends with the SHA-1 of what it holds.
    let mut out =
        Vec::with_capacity(data.len() + news.iter().map(|n| 8 + FIXED + n.0.len()).sum::<usize>());
    out.extend_from_slice(&data[..HEADER]);
    let mut written: u32 = 0;
    let mut next = 0;
    let mut pos = HEADER;
    let emit = |out: &mut Vec<u8>, bytes: &[u8], written: &mut u32| {
        out.extend_from_slice(bytes);
        *written += 1;
    };
    for _ in 0..count {
        if pos + FIXED > body_end {
            return None;
        }
        let flags = be16(data, pos + 60)?;
        let extended = flags & 0x4000 != 0;
        if extended && version < 3 {
            return None;
        }
        let name_at = pos + FIXED + if extended { 2 } else { 0 };
        let mut name_len = usize::from(flags & 0xfff);
        if name_len == 0xfff {
            name_len = data.get(name_at..body_end)?.iter().position(|b| *b == 0)?;
        }
        let name = data.get(name_at..name_at + name_len)?;
        let end = pos + ((name_at - pos + name_len + 8) & !7);
        if end > body_end {
            return None;
        }
        while next < news.len() && news[next].0 < name {
            if let Some(e) = &news[next].1 {
                emit(&mut out, e, &mut written);
            }
            next += 1;
        }
        if next < news.len() && news[next].0 == name {
            // Replaced (every stage of it): the new entry goes in once a later name
            // comes, or at the end.
            pos = end;
            continue;
        }
        let start = out.len();
        emit(&mut out, &data[pos..end], &mut written);
        if (flags >> 12) & 3 == 0 && racily_clean(&data[pos..end], name, stamp, root) {
            // Size 0: git compares the content next time.
            out[start + 36..start + 40].copy_from_slice(&[0; 4]);
        }
        pos = end;
    }
    for n in &news[next..] {
        if let Some(e) = &n.1 {
            emit(&mut out, e, &mut written);
        }
    }
    out[8..12].copy_from_slice(&written.to_be_bytes());
    // Extensions: four-byte signature, 32-bit size, data.
    let dirs = changed_dirs(news);
    while pos < body_end {
        let sig = data.get(pos..pos + 4)?;
        let size = be32(data, pos + 4)? as usize;
        let ext = data.get(pos + 8..(pos + 8).checked_add(size)?)?;
        if pos + 8 + size > body_end {
            return None;
        }
        if !sig[0].is_ascii_uppercase() {
            // A required extension (split index `link`, sparse `sdir`, …).
            return None;
        }
        match sig {
            b"TREE" => {
                let mut tree = Vec::with_capacity(ext.len());
                let mut at = 0;
                let mut prefix = Vec::new();
                invalidate_tree(ext, &mut at, &mut prefix, true, &dirs, &mut tree)?;
                if at != ext.len() {
                    return None;
                }
                out.extend_from_slice(b"TREE");
                out.extend_from_slice(&u32::try_from(tree.len()).ok()?.to_be_bytes());
                out.extend_from_slice(&tree);
            }
            b"REUC" => out.extend_from_slice(&data[pos..pos + 8 + size]),
            // Offsets into the old file, or caches git rebuilds: dropped.
            _ => {}
        }
        pos += 8 + size;
    }
    if skip_hash {
        out.extend_from_slice(&[0; HASH]);
    } else {
        let sum = Sha1::digest(&out);
        out.extend_from_slice(&sum);
    }
    Some(out)
}

/// Whether the copied entry `entry` (of `name`) is racily clean against the old
/// index's time `stamp` and its file no longer has the entry's content.
fn racily_clean(entry: &[u8], name: &[u8], stamp: (u32, u32), root: &Path) -> bool {
    let (Some(sec), Some(nsec), Some(size)) = (be32(entry, 8), be32(entry, 12), be32(entry, 36))
    else {
        return false;
    };
    if (sec, nsec) < stamp || size == 0 {
        return false;
    }
    let Ok(rel) = std::str::from_utf8(name) else {
        return true;
    };
    let path = root.join(rel);
    let Some(oid) = entry
        .get(40..40 + HASH)
        .and_then(|b| Oid::from_bytes(b).ok())
    else {
        return true;
    };
    match Oid::hash_file(git2::ObjectType::Blob, &path) {
        Ok(now) => now != oid,
        // Gone or unreadable: git sees that from the stat itself.
        Err(_) => false,
    }
}

/// Every folder that holds a changed path, with the root as "": the cache-tree
/// nodes that no longer hold.
fn changed_dirs(news: &[(&[u8], Option<Vec<u8>>)]) -> BTreeSet<Vec<u8>> {
    let mut dirs = BTreeSet::new();
    dirs.insert(Vec::new());
    for (path, _) in news {
        for (i, b) in path.iter().enumerate() {
            if *b == b'/' {
                dirs.insert(path[..i].to_vec());
            }
        }
    }
    dirs
}

/// Copies one cache-tree node at `*at` of `ext` (and its subtrees) to `out`, marking
/// it invalid (entry count -1, no object id) when its folder is in `dirs`. `prefix` is
/// the node's folder ("" at the root).
fn invalidate_tree(
    ext: &[u8],
    at: &mut usize,
    prefix: &mut Vec<u8>,
    root: bool,
    dirs: &BTreeSet<Vec<u8>>,
    out: &mut Vec<u8>,
) -> Option<()> {
    let rest = ext.get(*at..)?;
    let nul = rest.iter().position(|b| *b == 0)?;
    let component = &rest[..nul];
    let after = &rest[nul + 1..];
    let nl = after.iter().position(|b| *b == b'\n')?;
    let numbers = std::str::from_utf8(&after[..nl]).ok()?;
    let (entries, subtrees) = numbers.split_once(' ')?;
    let entries: i64 = entries.parse().ok()?;
    let subtrees: usize = subtrees.parse().ok()?;
    let mut used = nul + 1 + nl + 1;
    let old_len = prefix.len();
    if !root {
        if !prefix.is_empty() {
            prefix.push(b'/');
        }
        prefix.extend_from_slice(component);
    }
    let invalid = entries < 0 || dirs.contains(prefix.as_slice());
    out.extend_from_slice(component);
    out.push(0);
    if invalid {
        out.extend_from_slice(format!("-1 {subtrees}\n").as_bytes());
    } else {
        out.extend_from_slice(&after[..nl + 1]);
    }
    if entries >= 0 {
        let id = rest.get(used..used + HASH)?;
        if !invalid {
            out.extend_from_slice(id);
        }
        used += HASH;
    }
    *at += used;
    for _ in 0..subtrees {
        invalidate_tree(ext, at, prefix, false, dirs, out)?;
    }
    prefix.truncate(old_len);
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) -> String {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", dir)
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// A repository whose index git wrote (with a cache tree), files in two folders.
    fn repo() -> (tempfile::TempDir, git2::Repository) {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        git(root, &["init", "-q"]);
        git(root, &["config", "user.name", "T"]);
        git(root, &["config", "user.email", "t@example.org"]);
        for p in ["a/1.toml", "a/2.toml", "b/c/3.toml", "z.toml"] {
            let path = root.join(p);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
            std::fs::write(&path, p).expect("write");
        }
        git(root, &["add", "-A"]);
        git(root, &["commit", "-qm", "base"]);
        // Writes the cache tree into the index.
        git(root, &["read-tree", "HEAD"]);
        git(root, &["update-index", "--refresh"]);
        let repo = git2::Repository::open(root).expect("open");
        (dir, repo)
    }

    fn write_and_hash(root: &Path, rel: &str, text: &str) -> Oid {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
        std::fs::write(&path, text).expect("write");
        let repo = git2::Repository::open(root).expect("open");
        repo.blob(text.as_bytes()).expect("blob")
    }

    #[test]
    fn new_changed_and_removed_paths_leave_git_status_clean_and_fsck_happy() {
        let (dir, repo) = repo();
        let root = dir.path();
        let new = write_and_hash(root, "a/15.toml", "new");
        let changed = write_and_hash(root, "b/c/3.toml", "changed");
        let deep = write_and_hash(root, "b/d/e/4.toml", "deep");
        std::fs::remove_file(root.join("z.toml")).expect("rm");
        let updates = [
            PathUpdate {
                path: "b/c/3.toml",
                blob: Some(changed),
            },
            PathUpdate {
                path: "a/15.toml",
                blob: Some(new),
            },
            PathUpdate {
                path: "z.toml",
                blob: None,
            },
            PathUpdate {
                path: "b/d/e/4.toml",
                blob: Some(deep),
            },
        ];
        let done = update_paths(repo.path(), root, &updates, false).expect("update");
        assert_eq!(done, Spliced::Done);
        assert!(!repo.path().join("index.lock").exists());
        // git reads it (checksum, order, cache tree), and sees the files as staged.
        git(root, &["add", "-A", "--dry-run"]);
        let staged = git(root, &["diff", "--cached", "--name-status"]);
        assert_eq!(
            staged, "A\ta/15.toml\nM\tb/c/3.toml\nA\tb/d/e/4.toml\nD\tz.toml\n",
            "staged"
        );
        assert_eq!(git(root, &["diff", "--name-only"]), "", "nothing unstaged");
        // Committed with git, whose tree comes from the (invalidated) cache tree: the
        // tree must be the files as they are.
        git(root, &["commit", "-qm", "next"]);
        assert_eq!(
            git(root, &["status", "--porcelain", "--untracked-files=all"]),
            ""
        );
        git(root, &["fsck", "--no-progress"]);
        let listed = git(root, &["ls-tree", "-r", "--name-only", "HEAD"]);
        assert_eq!(
            listed,
            "a/1.toml\na/15.toml\na/2.toml\nb/c/3.toml\nb/d/e/4.toml\n"
        );
        // libgit2 reads it too.
        let mut index = repo.index().expect("index");
        index.read(true).expect("read");
        assert_eq!(index.len(), 5);
    }

    #[test]
    fn someone_elses_index_lock_is_refused_as_locked_and_left_alone() {
        let (dir, repo) = repo();
        let lock = repo.path().join("index.lock");
        std::fs::write(&lock, "theirs").expect("lock");
        let oid = write_and_hash(dir.path(), "a/9.toml", "x");
        let before = std::fs::read(repo.path().join("index")).expect("index");
        let err = update_paths(
            repo.path(),
            dir.path(),
            &[PathUpdate {
                path: "a/9.toml",
                blob: Some(oid),
            }],
            false,
        )
        .expect_err("locked");
        assert!(
            matches!(&err, StoreError::Git { source, .. } if source.code() == git2::ErrorCode::Locked),
            "{err}"
        );
        assert_eq!(std::fs::read(&lock).expect("lock"), b"theirs");
        assert_eq!(
            std::fs::read(repo.path().join("index")).expect("index"),
            before
        );
    }

    #[test]
    fn skip_hash_writes_the_null_trailer_git_and_libgit2_accept() {
        let (dir, repo) = repo();
        let oid = write_and_hash(dir.path(), "a/9.toml", "x");
        let up = [PathUpdate {
            path: "a/9.toml",
            blob: Some(oid),
        }];
        assert_eq!(
            update_paths(repo.path(), dir.path(), &up, true).expect("update"),
            Spliced::Done
        );
        let data = std::fs::read(repo.path().join("index")).expect("index");
        assert!(data[data.len() - HASH..].iter().all(|b| *b == 0));
        git(dir.path(), &["status", "--porcelain"]);
        let mut index = repo.index().expect("index");
        index.read(true).expect("libgit2 reads a null trailer");
        // A second update reads it (no checksum to check) and writes a real one.
        assert_eq!(
            update_paths(repo.path(), dir.path(), &up, false).expect("update"),
            Spliced::Done
        );
        let data = std::fs::read(repo.path().join("index")).expect("index");
        assert_eq!(
            &data[data.len() - HASH..],
            Sha1::digest(&data[..data.len() - HASH]).as_slice()
        );
    }

    #[test]
    fn a_damaged_trailer_is_not_checked_on_read_and_written_anew() {
        let (dir, repo) = repo();
        let oid = write_and_hash(dir.path(), "a/9.toml", "x");
        let up = [PathUpdate {
            path: "a/9.toml",
            blob: Some(oid),
        }];
        let path = repo.path().join("index");
        let mut data = std::fs::read(&path).expect("index");
        let last = data.len() - 1;
        data[last] ^= 1;
        std::fs::write(&path, &data).expect("damage");
        assert_eq!(
            update_paths(repo.path(), dir.path(), &up, false).expect("update"),
            Spliced::Done
        );
        let data = std::fs::read(&path).expect("index");
        assert_eq!(
            &data[data.len() - HASH..],
            Sha1::digest(&data[..data.len() - HASH]).as_slice()
        );
        let mut index = repo.index().expect("index");
        index.read(true).expect("libgit2 checks the new trailer");
        assert!(index.get_path(Path::new("a/9.toml"), 0).is_some());
        git(dir.path(), &["status", "--porcelain"]);
    }

    #[test]
    fn an_index_this_does_not_rewrite_is_left_to_libgit2() {
        let (dir, repo) = repo();
        let oid = write_and_hash(dir.path(), "a/9.toml", "x");
        let up = [PathUpdate {
            path: "a/9.toml",
            blob: Some(oid),
        }];
        // Version 4 (compressed paths).
        git(dir.path(), &["update-index", "--index-version", "4"]);
        assert_eq!(
            update_paths(repo.path(), dir.path(), &up, false).expect("v4"),
            Spliced::Unsupported
        );
        assert!(
            !repo.path().join("index.lock").exists(),
            "the lock is released"
        );
        // A damaged structure: an entry count beyond the entries there are.
        git(dir.path(), &["update-index", "--index-version", "2"]);
        let path = repo.path().join("index");
        let mut data = std::fs::read(&path).expect("index");
        data[8..12].copy_from_slice(&u32::MAX.to_be_bytes());
        std::fs::write(&path, &data).expect("damage");
        assert_eq!(
            update_paths(repo.path(), dir.path(), &up, false).expect("damaged"),
            Spliced::Unsupported
        );
        assert_eq!(std::fs::read(&path).expect("index"), data, "left as it was");
        // No index at all.
        std::fs::remove_file(&path).expect("rm");
        assert_eq!(
            update_paths(repo.path(), dir.path(), &up, false).expect("none"),
            Spliced::Unsupported
        );
    }

    #[test]
    fn a_racily_clean_entry_that_changed_is_smudged() {
        let (dir, repo) = repo();
        let root = dir.path();
        // The file changes after git indexed it but within the index's own second:
        // the entry's time is the index's (racy), and the file keeps size and mtime.
        let path = root.join("a/1.toml");
        let file_time = std::fs::metadata(&path)
            .expect("meta")
            .modified()
            .expect("mtime");
        let index = std::fs::File::options()
            .write(true)
            .open(repo.path().join("index"))
            .expect("open");
        index
            .set_modified(file_time)
            .expect("set the index's mtime");
        drop(index);
        std::fs::write(&path, "A/1.TOML").expect("same size");
        let f = std::fs::File::options()
            .write(true)
            .open(&path)
            .expect("open");
        f.set_modified(file_time).expect("set mtime");
        drop(f);
        let oid = write_and_hash(root, "a/9.toml", "x");
        let up = [PathUpdate {
            path: "a/9.toml",
            blob: Some(oid),
        }];
        assert_eq!(
            update_paths(repo.path(), root, &up, false).expect("update"),
            Spliced::Done
        );
        // Smudged (size 0), so git compares the content; git still sees the change.
        let mut index = repo.index().expect("index");
        index.read(true).expect("read");
        let e = index.get_path(Path::new("a/1.toml"), 0).expect("entry");
        assert_eq!(e.file_size, 0);
        let untouched = index.get_path(Path::new("a/2.toml"), 0).expect("entry");
        assert_ne!(untouched.file_size, 0, "a clean entry keeps its size");
        let status = git(root, &["status", "--porcelain"]);
        assert!(status.contains(" M a/1.toml"), "{status}");
    }
}
