//! The workspace's logical clock: the `Strategi-Clock: N` trailer every strategi commit
//! carries (a Lamport clock).
//!
//! A transaction's records carry `clock = N` with N one more than HEAD's clock, and its
//! commit carries the trailer with the highest clock it wrote. A merge commit (made by
//! `sync`) carries the highest clock of its parents ([`merge_clock`],
//! [`clock_trailer`]). A commit without the trailer (plain git, an older strategi) counts
//! as the highest clock of its parents, found by walking back until commits with the
//! trailer are reached; for a line of commits that is its first-parent ancestor's
//! clock, and a history without any trailer has clock 0.

use std::collections::HashMap;

use git2::{Commit, Oid, Repository};

use super::{StoreError, Workspace};

/// The trailer's key.
pub const CLOCK_TRAILER: &str = "Strategi-Clock";

/// The trailer line for clock `n` (with its newline), as commit messages end with it.
pub fn clock_trailer(n: u64) -> String {
    format!("{CLOCK_TRAILER}: {n}\n")
}

/// The clock a commit message names in its trailer, if it names one (the last one
/// wins, as with git's trailers).
pub fn clock_in_message(message: &str) -> Option<u64> {
    let key = format!("{CLOCK_TRAILER}:");
    message
        .lines()
        .rev()
        .filter_map(|l| l.strip_prefix(&key))
        .find_map(|v| v.trim().parse().ok())
}

/// The logical clock of a commit: its trailer, else the highest clock of its parents
/// (recursively; 0 at a root without one). One walk, each commit read once.
pub fn clock_of(repo: &Repository, commit: &Commit<'_>) -> Result<u64, StoreError> {
    if let Some(n) = clock_in_message(&String::from_utf8_lossy(commit.message_bytes())) {
        return Ok(n);
    }
    // Iterative post-order walk over the commits without a trailer.
    let mut known: HashMap<Oid, u64> = HashMap::new();
    let mut stack: Vec<(Oid, bool)> = vec![(commit.id(), false)];
    while let Some((oid, expanded)) = stack.pop() {
        if known.contains_key(&oid) {
            continue;
        }
        let c = repo
            .find_commit(oid)
            .map_err(StoreError::git(format!("read commit {oid}")))?;
        if let Some(n) = clock_in_message(&String::from_utf8_lossy(c.message_bytes())) {
            known.insert(oid, n);
            continue;
        }
        if expanded {
            let n = c
                .parent_ids()
                .map(|p| known.get(&p).copied().unwrap_or(0))
                .max()
                .unwrap_or(0);
            known.insert(oid, n);
        } else {
            stack.push((oid, true));
            for p in c.parent_ids() {
                if !known.contains_key(&p) {
                    stack.push((p, false));
                }
            }
        }
    }
    Ok(known.get(&commit.id()).copied().unwrap_or(0))
}

/// The clock of a merge of `parents`: the highest of theirs (a merge adds no fact).
pub fn merge_clock(repo: &Repository, parents: &[&Commit<'_>]) -> Result<u64, StoreError> {
    let mut n = 0;
    for p in parents {
        n = n.max(clock_of(repo, p)?);
    }
    Ok(n)
}

impl Workspace {
    /// HEAD's logical clock (0 in a workspace without commits).
    pub fn head_clock(&self) -> Result<u64, StoreError> {
        match self.head_commit()? {
            None => Ok(0),
            Some(c) => clock_of(&self.repo, &c),
        }
    }

    /// The logical clock of the commit `id` (hex, or any revision git understands).
    pub fn clock_of(&self, id: &str) -> Result<u64, StoreError> {
        let commit = self
            .repo
            .revparse_single(id)
            .and_then(|o| o.peel_to_commit())
            .map_err(StoreError::git(format!("find the commit \"{id}\"")))?;
        clock_of(&self.repo, &commit)
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

    fn commit(repo: &Repository, message: &str, parents: &[Oid]) -> Oid {
        let sig = git2::Signature::new("T", "t@example.org", &git2::Time::new(1, 0)).expect("sig");
        let tree = repo
            .find_tree(repo.treebuilder(None).expect("tb").write().expect("tree"))
            .expect("tree");
        let parents: Vec<Commit<'_>> = parents
            .iter()
            .map(|p| repo.find_commit(*p).expect("parent"))
            .collect();
        let refs: Vec<&Commit<'_>> = parents.iter().collect();
        repo.commit(None, &sig, &sig, message, &tree, &refs)
            .expect("commit")
    }

    fn clock(repo: &Repository, oid: Oid) -> u64 {
        clock_of(repo, &repo.find_commit(oid).expect("commit")).expect("clock")
    }

    #[test]
    fn trailer_is_read_last_one_wins() {
        assert_eq!(clock_in_message("x\n\nStrategi-Clock: 7\n"), Some(7));
        assert_eq!(
            clock_in_message("x\n\nStrategi-Clock: 7\nStrategi-Clock: 9\n"),
            Some(9)
        );
        assert_eq!(clock_in_message("x\n\nStrategi-Clock: seven\n"), None);
        assert_eq!(clock_in_message("plain"), None);
    }

    #[test]
    fn commits_without_trailer_take_their_parents_clock() {
        let (_d, repo) = repo();
        let root = commit(&repo, "root, plain git", &[]);
        assert_eq!(clock(&repo, root), 0);
        let a = commit(&repo, "a\n\nStrategi-Clock: 3\n", &[root]);
        let plain = commit(&repo, "edited by hand", &[a]);
        assert_eq!(clock(&repo, plain), 3);
        let b = commit(&repo, "b\n\nStrategi-Clock: 8\n", &[root]);
        // A plain git merge: the highest of its parents.
        let merge = commit(&repo, "Merge", &[plain, b]);
        assert_eq!(clock(&repo, merge), 8);
        let pa = repo.find_commit(plain).expect("c");
        let pb = repo.find_commit(b).expect("c");
        assert_eq!(merge_clock(&repo, &[&pa, &pb]).expect("clock"), 8);
        let c = commit(&repo, "c\n\nStrategi-Clock: 2\n", &[merge]);
        assert_eq!(clock(&repo, c), 2, "a commit's own trailer wins");
    }
}
