//! Tree diffs and the three-way merge of trees that read only what differs.
//!
//! libgit2's `diff_tree_to_tree` and `merge_trees` iterate every entry of the trees they
//! are given, and a merge through an index writes every tree again: with 100,000 records
//! a sync would cost in proportion to the history's size. Here a subtree whose id is the
//! same on both sides is skipped without being read, so a diff or a merge costs in
//! proportion to the folders that changed (and the size of each), as `git` itself does.

use std::collections::{BTreeMap, BTreeSet};

use git2::{Oid, Repository, Tree};

use super::StoreError;

const TREE_MODE: i32 = 0o040000;

/// One entry of a tree: its object and mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Entry {
    /// The object.
    pub id: Oid,
    /// Its git file mode (`0o100644`, `0o040000`, …).
    pub mode: i32,
}

impl Entry {
    fn is_tree(&self) -> bool {
        self.mode == TREE_MODE
    }
}

/// A file that differs between two trees (never a folder: a folder's files are listed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FileChange {
    /// The path, `/`-separated.
    pub path: String,
    /// The file in the old tree (`None`: added).
    pub old: Option<Entry>,
    /// The file in the new tree (`None`: deleted).
    pub new: Option<Entry>,
}

fn entries(tree: Option<&Tree<'_>>) -> BTreeMap<String, Entry> {
    let mut out = BTreeMap::new();
    if let Some(t) = tree {
        for e in t.iter() {
            let name = String::from_utf8_lossy(e.name_bytes()).into_owned();
            out.insert(
                name,
                Entry {
                    id: e.id(),
                    mode: e.filemode(),
                },
            );
        }
    }
    out
}

fn read_tree<'r>(repo: &'r Repository, e: Option<Entry>) -> Result<Option<Tree<'r>>, StoreError> {
    match e {
        Some(e) if e.is_tree() => repo
            .find_tree(e.id)
            .map(Some)
            .map_err(StoreError::git(format!("read the tree {}", e.id))),
        _ => Ok(None),
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}/{name}")
    }
}

/// The files that differ between `old` and `new` (`None`: an empty tree), in path
/// order; subtrees with the same id on both sides are not read.
pub(super) fn changed_files(
    repo: &Repository,
    old: Option<&Tree<'_>>,
    new: Option<&Tree<'_>>,
) -> Result<Vec<FileChange>, StoreError> {
    let mut out = Vec::new();
    diff_level(repo, old, new, "", &mut out)?;
    Ok(out)
}

fn diff_level(
    repo: &Repository,
    old: Option<&Tree<'_>>,
    new: Option<&Tree<'_>>,
    prefix: &str,
    out: &mut Vec<FileChange>,
) -> Result<(), StoreError> {
    if let (Some(a), Some(b)) = (old, new)
        && a.id() == b.id()
    {
        return Ok(());
    }
    let (a, b) = (entries(old), entries(new));
    let names: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    for name in names {
        let (o, n) = (a.get(name).copied(), b.get(name).copied());
        if o == n {
            continue;
        }
        let path = join(prefix, name);
        let (o_tree, n_tree) = (read_tree(repo, o)?, read_tree(repo, n)?);
        if o_tree.is_some() || n_tree.is_some() {
            diff_level(repo, o_tree.as_ref(), n_tree.as_ref(), &path, out)?;
        }
        let o_file = o.filter(|e| !e.is_tree());
        let n_file = n.filter(|e| !e.is_tree());
        if o_file.is_some() || n_file.is_some() {
            out.push(FileChange {
                path,
                old: o_file,
                new: n_file,
            });
        }
    }
    Ok(())
}

/// What the caller decides for a file both sides changed differently (`base`, `ours`,
/// `theirs`; `None` where a side has no file there, an [`Entry`] with the tree mode where
/// it has a folder): the entry to keep (`None`: no file), or an error.
pub(super) type Resolve<'a> = dyn FnMut(&str, Option<Entry>, Option<Entry>, Option<Entry>) -> Result<Option<Entry>, StoreError>
    + 'a;

/// The three-way merge of `ours` and `theirs` with `base`, folder by folder: a side
/// that left an entry as `base` has it takes the other side's; folders both changed are
/// merged entry by entry; a file (or a file against a folder) both changed differently
/// goes to `resolve`. Only the folders both sides changed are read and written. Returns
/// the merged tree.
pub(super) fn merge_trees(
    repo: &Repository,
    base: Option<&Tree<'_>>,
    ours: &Tree<'_>,
    theirs: &Tree<'_>,
    resolve: &mut Resolve<'_>,
) -> Result<Oid, StoreError> {
    match merge_level(repo, base, Some(ours), Some(theirs), "", resolve)? {
        Some(id) => Ok(id),
        None => repo
            .treebuilder(None)
            .and_then(|b| b.write())
            .map_err(StoreError::git("write the merged tree")),
    }
}

fn merge_level(
    repo: &Repository,
    base: Option<&Tree<'_>>,
    ours: Option<&Tree<'_>>,
    theirs: Option<&Tree<'_>>,
    prefix: &str,
    resolve: &mut Resolve<'_>,
) -> Result<Option<Oid>, StoreError> {
    let id = |t: Option<&Tree<'_>>| t.map(Tree::id);
    if id(ours) == id(theirs) || id(base) == id(theirs) {
        return Ok(id(ours));
    }
    if id(base) == id(ours) {
        return Ok(id(theirs));
    }
    let (b, o, t) = (entries(base), entries(ours), entries(theirs));
    let names: BTreeSet<&String> = b.keys().chain(o.keys()).chain(t.keys()).collect();
    let mut builder = repo
        .treebuilder(ours)
        .map_err(StoreError::git("merge a folder"))?;
    for name in names {
        let (be, oe, te) = (
            b.get(name).copied(),
            o.get(name).copied(),
            t.get(name).copied(),
        );
        if oe == te || be == te {
            continue;
        }
        let path = join(prefix, name);
        let merged = if be == oe {
            te
        } else if oe.is_some_and(|e| e.is_tree()) && te.is_some_and(|e| e.is_tree()) {
            let (bt, ot, tt) = (
                read_tree(repo, be)?,
                read_tree(repo, oe)?,
                read_tree(repo, te)?,
            );
            merge_level(repo, bt.as_ref(), ot.as_ref(), tt.as_ref(), &path, resolve)?.map(|id| {
                Entry {
                    id,
                    mode: TREE_MODE,
                }
            })
        } else {
            resolve(&path, be, oe, te)?
        };
        match merged {
            Some(e) => builder
                .insert(name.as_str(), e.id, e.mode)
                .map(|_| ())
                .map_err(StoreError::git(format!("merge \"{path}\"")))?,
            None => {
                if builder
                    .get(name.as_str())
                    .map_err(StoreError::git(format!("merge \"{path}\"")))?
                    .is_some()
                {
                    builder
                        .remove(name.as_str())
                        .map_err(StoreError::git(format!("merge \"{path}\"")))?;
                }
            }
        }
    }
    if builder.is_empty() {
        return Ok(None);
    }
    builder
        .write()
        .map(Some)
        .map_err(StoreError::git("write a merged folder"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> (tempfile::TempDir, Repository) {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = Repository::init(dir.path()).expect("init");
        (dir, repo)
    }

    /// A tree of `files` (path, content).
    fn tree<'r>(repo: &'r Repository, files: &[(&str, &str)]) -> Tree<'r> {
        let mut index = git2::Index::new().expect("index");
        for (path, content) in files {
            let id = repo.blob(content.as_bytes()).expect("blob");
            let entry = git2::IndexEntry {
                ctime: git2::IndexTime::new(0, 0),
                mtime: git2::IndexTime::new(0, 0),
                dev: 0,
                ino: 0,
                mode: 0o100644,
                uid: 0,
                gid: 0,
                file_size: content.len() as u32,
                id,
                flags: path.len() as u16,
                flags_extended: 0,
                path: path.as_bytes().to_vec(),
            };
            index.add(&entry).expect("add");
        }
        let id = index.write_tree_to(repo).expect("write");
        repo.find_tree(id).expect("tree")
    }

    fn files(repo: &Repository, id: Oid) -> Vec<(String, String)> {
        let t = repo.find_tree(id).expect("tree");
        changed_files(repo, None, Some(&t))
            .expect("diff")
            .into_iter()
            .map(|c| {
                let blob = repo.find_blob(c.new.expect("file").id).expect("blob");
                (c.path, String::from_utf8_lossy(blob.content()).into_owned())
            })
            .collect()
    }

    #[test]
    fn a_diff_lists_the_files_that_differ_as_libgit2_does() {
        let (_d, repo) = repo();
        let a = tree(
            &repo,
            &[
                ("x/1", "a"),
                ("x/2", "b"),
                ("y/z/3", "c"),
                ("top", "t"),
                ("f", "file"),
            ],
        );
        let b = tree(
            &repo,
            &[
                ("x/1", "a"),
                ("x/2", "B"),
                ("y/z/4", "d"),
                ("top", "t"),
                ("f/in", "now a folder"),
            ],
        );
        let ours: Vec<(String, bool, bool)> = changed_files(&repo, Some(&a), Some(&b))
            .expect("diff")
            .into_iter()
            .map(|c| (c.path, c.old.is_some(), c.new.is_some()))
            .collect();
        let mut theirs: Vec<(String, bool, bool)> = repo
            .diff_tree_to_tree(Some(&a), Some(&b), None)
            .expect("diff")
            .deltas()
            .map(|d| {
                let path = d
                    .new_file()
                    .path()
                    .or(d.old_file().path())
                    .and_then(|p| p.to_str())
                    .expect("path")
                    .to_string();
                (
                    path,
                    d.status() != git2::Delta::Added,
                    d.status() != git2::Delta::Deleted,
                )
            })
            .collect();
        theirs.sort();
        let mut sorted = ours.clone();
        sorted.sort();
        assert_eq!(sorted, theirs);
        assert!(
            changed_files(&repo, Some(&a), Some(&a))
                .expect("diff")
                .is_empty()
        );
    }

    #[test]
    fn a_merge_takes_each_sides_changes_and_asks_about_files_both_changed() {
        let (_d, repo) = repo();
        let base = tree(
            &repo,
            &[
                ("r/a", "1"),
                ("r/b", "2"),
                ("keep/k", "k"),
                ("both", "base"),
                ("gone", "g"),
            ],
        );
        let ours = tree(
            &repo,
            &[
                ("r/a", "1"),
                ("r/b", "2"),
                ("r/ours", "o"),
                ("keep/k", "k"),
                ("both", "ours"),
            ],
        );
        let theirs = tree(
            &repo,
            &[
                ("r/a", "1"),
                ("r/b", "2"),
                ("r/theirs", "t"),
                ("keep/k", "k"),
                ("both", "theirs"),
                ("gone", "g"),
                ("new/n", "n"),
            ],
        );
        let mut asked = Vec::new();
        let merged = merge_trees(&repo, Some(&base), &ours, &theirs, &mut |p, b, o, t| {
            asked.push(p.to_string());
            assert!(b.is_some() && o.is_some() && t.is_some());
            Ok(t)
        })
        .expect("merge");
        assert_eq!(asked, ["both"]);
        assert_eq!(
            files(&repo, merged),
            [
                ("both", "theirs"),
                ("keep/k", "k"),
                ("new/n", "n"),
                ("r/a", "1"),
                ("r/b", "2"),
                ("r/ours", "o"),
                ("r/theirs", "t"),
            ]
            .map(|(a, b)| (a.to_string(), b.to_string()))
        );
        // A side that changed nothing: the other side's tree, as it is.
        let same = merge_trees(
            &repo,
            Some(&base),
            &base,
            &theirs,
            &mut |_, _, _, _| unreachable!(),
        )
        .expect("merge");
        assert_eq!(same, theirs.id());
    }
}
