//! Helpers for the store's unit tests.

use git2::{Oid, Repository};

/// Commits `files` (path, text) with `parents` and `message`, signed by `sig`, without
/// moving any reference. The tree is `base` (a parent's tree, say) with the files put
/// over it, or the files alone without one.
pub(super) fn commit_files(
    repo: &Repository,
    base: Option<&git2::Tree<'_>>,
    files: &[(&str, &str)],
    parents: &[Oid],
    message: &str,
    sig: &git2::Signature<'_>,
) -> Oid {
    let parents: Vec<git2::Commit<'_>> = parents
        .iter()
        .map(|p| repo.find_commit(*p).expect("parent"))
        .collect();
    let mut index = git2::Index::new().expect("index");
    if let Some(tree) = base {
        index.read_tree(tree).expect("read the base tree");
    }
    for (path, text) in files {
        let blob = repo.blob(text.as_bytes()).expect("blob");
        let entry = git2::IndexEntry {
            ctime: git2::IndexTime::new(0, 0),
            mtime: git2::IndexTime::new(0, 0),
            dev: 0,
            ino: 0,
            mode: 0o100644,
            uid: 0,
            gid: 0,
            file_size: 0,
            id: blob,
            flags: 0,
            flags_extended: 0,
            path: path.as_bytes().to_vec(),
        };
        index.add(&entry).expect("add");
    }
    let tree = repo
        .find_tree(index.write_tree_to(repo).expect("tree"))
        .expect("tree");
    let refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
    repo.commit(None, sig, sig, message, &tree, &refs)
        .expect("commit")
}
