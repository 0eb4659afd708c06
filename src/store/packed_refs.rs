//! Tags kept in git's `packed-refs`, written under git's lock protocol.
//!
//! `version cut` makes its tag object without a loose ref and adds the ref to
//! `packed-refs` instead, so listing a thousand versions reads one file, not a thousand.
//! The protocol is git's own: create `packed-refs.lock` exclusively (another process
//! holding it makes the cut wait, then refuse), write the whole new file into it,
//! fsync, rename it over `packed-refs`. The file is written the way `git pack-refs`
//! writes it: the header `# pack-refs with: peeled fully-peeled sorted `, one
//! `<id> <refname>` line per ref in byte order, and a `^<id>` line after every ref
//! that peels to another object (an annotated or signed tag). Loose tags found under
//! `refs/tags/` (fetched by sync, made by `repair`, or by a person's `git tag`) are
//! folded in, and their loose files removed when they still hold the value packed.
//! Every other line of an existing `packed-refs` (branches, remote refs) is kept.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use git2::{ObjectType, Oid, Repository};

use super::StoreError;

/// The header git writes (note the space before the newline).
pub(super) const HEADER: &str = "# pack-refs with: peeled fully-peeled sorted \n";

/// One ref of `packed-refs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PackedRef {
    /// The full ref name (`refs/tags/v3`).
    pub name: String,
    /// The id it points at (hex).
    pub id: String,
    /// What it peels to, when it is an annotated tag (hex).
    pub peeled: Option<String>,
}

/// A parsed `packed-refs`: its refs and whether its peeled lines can be trusted for
/// every ref (`fully-peeled`) or only for tags (`peeled`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct PackedRefs {
    pub refs: Vec<PackedRef>,
    pub fully_peeled: bool,
    pub tags_peeled: bool,
}

fn is_hex_id(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Parses `packed-refs`; `None` when a line is not in git's format (then the file is
/// left alone and the tag is written as a loose ref).
pub(super) fn parse(text: &str) -> Option<PackedRefs> {
    let mut out = PackedRefs::default();
    for (i, line) in text.lines().enumerate() {
        if let Some(traits) = line.strip_prefix("# pack-refs with:") {
            if i == 0 {
                let t: Vec<&str> = traits.split_whitespace().collect();
                out.fully_peeled = t.contains(&"fully-peeled");
                out.tags_peeled = out.fully_peeled || t.contains(&"peeled");
            }
            continue;
        }
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        if let Some(p) = line.strip_prefix('^') {
            let last = out.refs.last_mut()?;
            if !is_hex_id(p) || last.peeled.is_some() {
                return None;
            }
            last.peeled = Some(p.to_string());
            continue;
        }
        let (id, name) = line.split_once(' ')?;
        if !is_hex_id(id) || !name.starts_with("refs/") || name.contains(char::is_whitespace) {
            return None;
        }
        out.refs.push(PackedRef {
            name: name.to_string(),
            id: id.to_string(),
            peeled: None,
        });
    }
    Some(out)
}

/// The file's text as git writes it: header, refs in byte order, peeled lines.
pub(super) fn render(refs: &[PackedRef]) -> String {
    let mut sorted: Vec<&PackedRef> = refs.iter().collect();
    sorted.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    let mut s = String::with_capacity(HEADER.len() + refs.len() * 100);
    s.push_str(HEADER);
    for r in sorted {
        s.push_str(&r.id);
        s.push(' ');
        s.push_str(&r.name);
        s.push('\n');
        if let Some(p) = &r.peeled {
            s.push('^');
            s.push_str(p);
            s.push('\n');
        }
    }
    s
}

/// What `id` peels to when it is a tag (the first object that is not a tag).
fn peel(repo: &Repository, id: &str) -> Option<String> {
    let oid = Oid::from_str(id).ok()?;
    let odb = repo.odb().ok()?;
    let (_, kind) = odb.read_header(oid).ok()?;
    if kind != ObjectType::Tag {
        return None;
    }
    let obj = repo.find_object(oid, Some(ObjectType::Tag)).ok()?;
    let target = obj.peel(ObjectType::Any).ok()?;
    Some(target.id().to_string())
}

/// The loose refs under `refs/tags/` (recursively): full name, id, the file.
fn loose_tags(git_dir: &Path) -> Vec<(String, String, PathBuf)> {
    fn walk(dir: &Path, prefix: &str, depth: usize, out: &mut Vec<(String, String, PathBuf)>) {
        if depth > 8 {
            return;
        }
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let Ok(ft) = e.file_type() else { continue };
            let Some(name) = e.file_name().to_str().map(str::to_string) else {
                continue;
            };
            let path = e.path();
            let full = format!("{prefix}/{name}");
            if ft.is_dir() {
                walk(&path, &full, depth + 1, out);
            } else if ft.is_file() && !name.ends_with(".lock") && !name.starts_with('.') {
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                let id = text.trim_end();
                if is_hex_id(id) {
                    out.push((full, id.to_string(), path));
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(&git_dir.join("refs").join("tags"), "refs/tags", 0, &mut out);
    out
}

/// `packed-refs.lock`, held: removed on drop unless renamed over `packed-refs`.
pub(super) struct PackedRefsLock {
    lock: PathBuf,
    target: PathBuf,
    file: Option<std::fs::File>,
}

impl PackedRefsLock {
    /// Takes the lock, waiting up to `timeout` for another process to let go of it.
    pub(super) fn acquire(
        git_dir: &Path,
        root: &Path,
        timeout: Duration,
    ) -> Result<Self, StoreError> {
        let lock = git_dir.join("packed-refs.lock");
        let target = git_dir.join("packed-refs");
        let started = Instant::now();
        let mut pause = Duration::from_millis(10);
        loop {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&lock)
            {
                Ok(file) => {
                    return Ok(PackedRefsLock {
                        lock,
                        target,
                        file: Some(file),
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    if started.elapsed() >= timeout {
                        let shown = lock
                            .strip_prefix(root)
                            .unwrap_or(&lock)
                            .to_string_lossy()
                            .replace('\\', "/");
                        return Err(StoreError::GitLocked {
                            path: shown,
                            holder: None,
                            waited_ms: started.elapsed().as_millis() as u64,
                        });
                    }
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(200));
                }
                Err(e) => return Err(StoreError::io("create", &lock)(e)),
            }
        }
    }

    /// Adds `name` → `tag` to `packed-refs` with the loose tags folded in, and renames
    /// the lock over the file. When the existing file is not in git's format the ref
    /// is made loose instead and the file is left as it was.
    pub(super) fn add_tag(
        mut self,
        repo: &Repository,
        name: &str,
        tag: Oid,
        message: &str,
    ) -> Result<(), StoreError> {
        let existing = match crate::input::read_bounded_text(
            &self.target,
            crate::input::limits::PACKED_REFS,
            "git's packed-refs file",
        ) {
            Ok(text) => parse(&text),
            Err(e) if e.is_not_found() => Some(PackedRefs::default()),
            Err(e) => return Err(e.into()),
        };
        let Some(mut packed) = existing else {
            drop(self);
            repo.reference(name, tag, false, message)
                .map_err(StoreError::git(format!("create the tag \"{name}\"")))?;
            return Ok(());
        };
        if !packed.fully_peeled {
            let tags_ok = packed.tags_peeled;
            for r in &mut packed.refs {
                if r.peeled.is_none() && !(tags_ok && r.name.starts_with("refs/tags/")) {
                    r.peeled = peel(repo, &r.id);
                }
            }
        }
        let loose = loose_tags(repo.path());
        for (full, id, _) in &loose {
            packed.refs.retain(|r| &r.name != full);
            packed.refs.push(PackedRef {
                name: full.clone(),
                id: id.clone(),
                peeled: peel(repo, id),
            });
        }
        packed.refs.retain(|r| r.name != name);
        let peeled = repo
            .find_object(tag, Some(ObjectType::Tag))
            .and_then(|o| o.peel(ObjectType::Any))
            .map(|o| o.id().to_string())
            .ok();
        packed.refs.push(PackedRef {
            name: name.to_string(),
            id: tag.to_string(),
            peeled,
        });
        let text = render(&packed.refs);
        let Some(mut file) = self.file.take() else {
            return Err(StoreError::io("write", &self.lock)(std::io::Error::other(
                "the lock file was closed",
            )));
        };
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(StoreError::io("write", &self.lock))?;
        drop(file);
        std::fs::rename(&self.lock, &self.target).map_err(StoreError::io("rename", &self.lock))?;
        // Renamed: nothing left to remove on drop.
        self.lock = PathBuf::new();
        // The loose files now packed go, unless something changed them meanwhile (a
        // loose ref wins over a packed one, so one left behind is harmless).
        for (_, id, path) in loose {
            if std::fs::read_to_string(&path).is_ok_and(|t| t.trim_end() == id) {
                let _ = std::fs::remove_file(&path);
            }
        }
        Ok(())
    }
}

impl Drop for PackedRefsLock {
    fn drop(&mut self) {
        self.file.take();
        if !self.lock.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.lock);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "1111111111111111111111111111111111111111";
    const B: &str = "2222222222222222222222222222222222222222";
    const C: &str = "3333333333333333333333333333333333333333";

    #[test]
    fn parses_and_renders_git_format() {
        let text =
            format!("{HEADER}{A} refs/heads/main\n{B} refs/tags/v1\n^{C}\n{A} refs/tags/v10\n");
        let p = parse(&text).expect("parse");
        assert!(p.fully_peeled && p.tags_peeled);
        assert_eq!(p.refs.len(), 3);
        assert_eq!(p.refs[1].peeled.as_deref(), Some(C));
        assert_eq!(render(&p.refs), text);
    }

    #[test]
    fn renders_in_byte_order() {
        let refs = vec![
            PackedRef {
                name: "refs/tags/v2".into(),
                id: A.into(),
                peeled: None,
            },
            PackedRef {
                name: "refs/tags/v10".into(),
                id: B.into(),
                peeled: Some(C.into()),
            },
        ];
        assert_eq!(
            render(&refs),
            format!("{HEADER}{B} refs/tags/v10\n^{C}\n{A} refs/tags/v2\n")
        );
    }

    #[test]
    fn old_headers_and_bad_lines() {
        let p = parse(&format!("# pack-refs with: peeled \n{A} refs/tags/v1\n")).expect("p");
        assert!(p.tags_peeled && !p.fully_peeled);
        let p = parse(&format!("{A} refs/tags/v1\n")).expect("p");
        assert!(!p.tags_peeled);
        assert_eq!(parse("garbage\n"), None);
        assert_eq!(parse(&format!("^{A}\n")), None);
        assert_eq!(parse(&format!("{A} refs/tags/v1\n^{B}\n^{C}\n")), None);
        assert_eq!(parse("1234 refs/tags/v1\n"), None);
    }

    #[test]
    fn a_held_lock_is_waited_for_then_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let held = PackedRefsLock::acquire(dir.path(), dir.path(), Duration::ZERO).expect("lock");
        match PackedRefsLock::acquire(dir.path(), dir.path(), Duration::from_millis(50)) {
            Err(StoreError::GitLocked { path, .. }) => assert_eq!(path, "packed-refs.lock"),
            other => panic!("not refused: {:?}", other.err()),
        }
        drop(held);
        assert!(!dir.path().join("packed-refs.lock").exists());
        PackedRefsLock::acquire(dir.path(), dir.path(), Duration::ZERO).expect("free again");
    }
}
