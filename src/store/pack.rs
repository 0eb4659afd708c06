//! Writing a commit's many new objects as one pack, streamed.
//!
//! A large commit (a bulk import: thousands of messages, records and attachments) writes
//! its blobs and trees as one pack instead of a loose file per object. The pack is made
//! here rather than by libgit2's packbuilder, which needs every object in an object
//! database first (a mempack: a copy of every file's bytes in memory) and then searches
//! deltas between them (most of the time of a large import, for a pack that is written
//! once and repacked by `git gc` anyway). Here:
//!
//! 1. each file's blob id is computed from the bytes already queued (no copy);
//! 2. the trees are serialised from HEAD's tree and the new entries, in git's order;
//! 3. the objects, each deflated on its own (no deltas), are streamed into libgit2's
//!    indexer (`Odb::packwriter`), which writes the `.pack` and its `.idx` under
//!    `objects/pack/` and checks every object and the pack's SHA-1 trailer.
//!
//! Nothing is visible until the indexer renames the `.idx` into place, last, so an
//! interrupted write leaves at most an unreferenced temporary pack, as it would leave
//! unreferenced loose objects.

use std::collections::{BTreeMap, HashSet};
use std::io::Write;

use flate2::Compression;
use flate2::write::ZlibEncoder;
use git2::{ObjectType, Oid, Repository, Tree};
use sha1::{Digest, Sha1};

use super::StoreError;

/// A folder of the new tree: its new entries by name.
#[derive(Default)]
struct Folder {
    entries: BTreeMap<String, Entry>,
}

/// A new entry of a folder.
enum Entry {
    /// A file, by its blob.
    Blob(Oid),
    /// A tree written before (the strategy folder of a version cut).
    Tree(Oid),
    /// A folder with new entries, on what the base has there.
    Folder(Folder),
}

impl Folder {
    fn insert(&mut self, path: &[&str], blob: Oid) {
        match path {
            [] => {}
            [name] => {
                self.entries.insert((*name).to_string(), Entry::Blob(blob));
            }
            [dir, rest @ ..] => {
                let entry = self
                    .entries
                    .entry((*dir).to_string())
                    .or_insert_with(|| Entry::Folder(Folder::default()));
                if !matches!(entry, Entry::Folder(_)) {
                    *entry = Entry::Folder(Folder::default());
                }
                if let Entry::Folder(f) = entry {
                    f.insert(rest, blob);
                }
            }
        }
    }
}

/// Writes the blobs of `writes` and the tree built from them on `base` (and
/// `strategy_tree` as `strategy/`) as one pack into `repo`'s object database; returns
/// the new tree and each path's blob.
pub(super) fn write_packed(
    repo: &Repository,
    writes: &BTreeMap<String, Vec<u8>>,
    base: Option<Oid>,
    strategy_tree: Option<Oid>,
    strategy_dir: &str,
) -> Result<(Oid, BTreeMap<String, Oid>), StoreError> {
    let mut root = Folder::default();
    let mut blobs = BTreeMap::new();
    let mut objects: Vec<(ObjectType, &[u8])> = Vec::new();
    let mut seen = HashSet::new();
    for (path, bytes) in writes {
        let oid = Oid::hash_object(ObjectType::Blob, bytes)
            .map_err(StoreError::git(format!("store \"{path}\"")))?;
        if seen.insert(oid) {
            objects.push((ObjectType::Blob, bytes));
        }
        root.insert(path.split('/').collect::<Vec<_>>().as_slice(), oid);
        blobs.insert(path.clone(), oid);
    }
    if let Some(tree) = strategy_tree {
        root.entries
            .insert(strategy_dir.to_string(), Entry::Tree(tree));
    }
    let base_tree = base
        .map(|t| repo.find_tree(t))
        .transpose()
        .map_err(StoreError::git("read the tree of HEAD"))?;
    let mut trees: Vec<(Oid, Vec<u8>)> = Vec::new();
    let tree = serialise_tree(repo, base_tree.as_ref(), &root, &mut trees)?;
    for (oid, bytes) in &trees {
        if seen.insert(*oid) {
            objects.push((ObjectType::Tree, bytes));
        }
    }
    let odb = repo
        .odb()
        .map_err(StoreError::git("open the object database"))?;
    let pack_dir = repo.path().join("objects/pack");
    stream_pack(&odb, &objects).map_err(|e| match e {
        PackError::Io(source) => StoreError::Io {
            action: "write",
            path: pack_dir,
            source,
        },
        PackError::Git(source) => StoreError::Git {
            action: "write the pack and its index".to_string(),
            source,
        },
    })?;
    Ok((tree, blobs))
}

/// The tree of `folder` on `base`, serialised as git does; every tree made (its id
/// and bytes) is added to `out`, children before their parent.
fn serialise_tree(
    repo: &Repository,
    base: Option<&Tree<'_>>,
    folder: &Folder,
    out: &mut Vec<(Oid, Vec<u8>)>,
) -> Result<Oid, StoreError> {
    // Every entry: name, mode, id; the base's first, replaced by the new ones.
    let mut entries: BTreeMap<Vec<u8>, (Vec<u8>, i32, Oid)> = BTreeMap::new();
    let key = |name: &[u8], mode: i32| {
        // Git sorts a tree's entries by name, a folder's as if it ended in '/'.
        let mut k = name.to_vec();
        if mode == 0o040000 {
            k.push(b'/');
        }
        k
    };
    let mut replaced: HashSet<&[u8]> = HashSet::new();
    for name in folder.entries.keys() {
        replaced.insert(name.as_bytes());
    }
    if let Some(base) = base {
        for e in base.iter() {
            if replaced.contains(e.name_bytes()) {
                continue;
            }
            let mode = e.filemode();
            entries.insert(
                key(e.name_bytes(), mode),
                (e.name_bytes().to_vec(), mode, e.id()),
            );
        }
    }
    for (name, entry) in &folder.entries {
        let (mode, oid) = match entry {
            Entry::Blob(oid) => (0o100644, *oid),
            Entry::Tree(oid) => (0o040000, *oid),
            Entry::Folder(sub) => {
                let sub_base = base
                    .and_then(|t| t.get_name(name))
                    .filter(|e| e.kind() == Some(ObjectType::Tree))
                    .map(|e| repo.find_tree(e.id()))
                    .transpose()
                    .map_err(StoreError::git(format!("read the folder \"{name}\"")))?;
                (0o040000, serialise_tree(repo, sub_base.as_ref(), sub, out)?)
            }
        };
        entries.insert(
            key(name.as_bytes(), mode),
            (name.as_bytes().to_vec(), mode, oid),
        );
    }
    let mut bytes = Vec::with_capacity(entries.len() * 48);
    for (name, mode, oid) in entries.values() {
        bytes.extend_from_slice(format!("{mode:o} ").as_bytes());
        bytes.extend_from_slice(name);
        bytes.push(0);
        bytes.extend_from_slice(oid.as_bytes());
    }
    let oid =
        Oid::hash_object(ObjectType::Tree, &bytes).map_err(StoreError::git("write a tree"))?;
    out.push((oid, bytes));
    Ok(oid)
}

enum PackError {
    Io(std::io::Error),
    Git(git2::Error),
}

impl From<std::io::Error> for PackError {
    fn from(e: std::io::Error) -> Self {
        PackError::Io(e)
    }
}

/// A writer that hashes what passes through it (the pack's SHA-1 trailer).
struct Hashing<W> {
    inner: W,
    sha: Sha1,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.sha.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// The type-and-size header of an object in a pack: the type in bits 4-6 of the first
/// byte, the size in its low 4 bits and then 7 bits a byte, low bits first.
fn object_header(kind: ObjectType, size: usize) -> Vec<u8> {
    let kind: u8 = match kind {
        ObjectType::Commit => 1,
        ObjectType::Tree => 2,
        ObjectType::Blob => 3,
        _ => 4,
    };
    let mut out = Vec::with_capacity(10);
    let mut size = size as u64;
    let mut byte = (kind << 4) | (size & 0x0f) as u8;
    size >>= 4;
    while size > 0 {
        out.push(byte | 0x80);
        byte = (size & 0x7f) as u8;
        size >>= 7;
    }
    out.push(byte);
    out
}

/// Streams `objects` as a version-2 pack into the object database's indexer.
fn stream_pack(odb: &git2::Odb<'_>, objects: &[(ObjectType, &[u8])]) -> Result<(), PackError> {
    let count = u32::try_from(objects.len())
        .map_err(|_| PackError::Io(std::io::Error::other("too many objects for one pack")))?;
    let writer = odb.packwriter().map_err(PackError::Git)?;
    let mut out = Hashing {
        inner: std::io::BufWriter::with_capacity(256 * 1024, writer),
        sha: Sha1::new(),
    };
    out.write_all(b"PACK")?;
    out.write_all(&2u32.to_be_bytes())?;
    out.write_all(&count.to_be_bytes())?;
    let mut deflate = ZlibEncoder::new(Vec::new(), Compression::fast());
    let mut spare = Vec::new();
    for (kind, data) in objects {
        deflate.write_all(data)?;
        let mut z = deflate.reset(spare)?;
        out.write_all(&object_header(*kind, data.len()))?;
        out.write_all(&z)?;
        z.clear();
        spare = z;
    }
    let trailer = out.sha.finalize();
    let mut inner = out.inner;
    inner.write_all(&trailer)?;
    let mut writer = inner
        .into_inner()
        .map_err(|e| PackError::Io(e.into_error()))?;
    writer.commit().map_err(PackError::Git)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_headers_carry_type_and_size() {
        assert_eq!(object_header(ObjectType::Blob, 5), vec![0x35]);
        assert_eq!(object_header(ObjectType::Blob, 16), vec![0xb0, 0x01]);
        assert_eq!(object_header(ObjectType::Tree, 300), vec![0xac, 0x12]);
    }

    #[test]
    fn trees_and_blobs_are_what_libgit2_writes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = Repository::init(dir.path()).expect("init");
        // A base tree with a file, a folder and names that sort differently as folders.
        let mut writes = BTreeMap::new();
        writes.insert("a.txt".to_string(), b"one\n".to_vec());
        writes.insert("a/b.txt".to_string(), b"two\n".to_vec());
        writes.insert("a-b/c".to_string(), Vec::new());
        let (base, _) = write_packed(&repo, &writes, None, None, "strategy").expect("base");
        let mut more = BTreeMap::new();
        more.insert("a/b.txt".to_string(), b"changed\n".to_vec());
        more.insert("a/new/deep.toml".to_string(), b"x = 1\n".to_vec());
        more.insert("z".to_string(), b"z\n".to_vec());
        let strategy = repo.find_tree(base).expect("tree").id();
        let (tree, blobs) =
            write_packed(&repo, &more, Some(base), Some(strategy), "strategy").expect("write");
        // The same through libgit2's own tree builder and blob writer.
        let blob = |b: &[u8]| repo.blob(b).expect("blob");
        let a_new = {
            let mut t = repo.treebuilder(None).expect("tb");
            t.insert("deep.toml", blob(b"x = 1\n"), 0o100644)
                .expect("insert");
            t.write().expect("write")
        };
        let a = {
            let mut t = repo.treebuilder(None).expect("tb");
            t.insert("b.txt", blob(b"changed\n"), 0o100644)
                .expect("insert");
            t.insert("new", a_new, 0o040000).expect("insert");
            t.write().expect("write")
        };
        let base_tree = repo.find_tree(base).expect("base");
        let mut t = repo.treebuilder(Some(&base_tree)).expect("tb");
        t.insert("a", a, 0o040000).expect("insert");
        t.insert("z", blob(b"z\n"), 0o100644).expect("insert");
        t.insert("strategy", strategy, 0o040000).expect("insert");
        assert_eq!(tree, t.write().expect("write"));
        assert_eq!(blobs["a/b.txt"], blob(b"changed\n"));
        // Everything can be read back from the pack.
        let read = repo.find_tree(tree).expect("read the packed tree");
        assert_eq!(read.len(), 5);
        assert!(
            std::fs::read_dir(dir.path().join(".git/objects/pack"))
                .expect("pack dir")
                .any(|e| e
                    .expect("entry")
                    .path()
                    .extension()
                    .is_some_and(|x| x == "idx"))
        );
    }
}
