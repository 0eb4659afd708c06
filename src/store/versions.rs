//! Versions as annotated tags `v1`, `v2`, … on commits that snapshot `strategy/`.
//!
//! A tag's message is the label, then trailers; `Strategi-Tree` names the `strategy/`
//! tree the version is, so listing versions reads one object per version.

use std::path::Path;

use git2::{ObjectType, Oid};

use super::packed_refs::PackedRefsLock;
use super::tx::{Actor, Transaction, message_with_trailers};
use super::{STRATEGY_DIR, StoreError, Workspace};
use crate::document::{Document, SourceFile};
use crate::model::{Version, VersionName};

/// How long `version cut` waits for another program's `packed-refs.lock`.
const PACKED_REFS_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// A file of the draft: its name inside `strategy/` and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    /// Path inside `strategy/`, `/`-separated.
    pub path: String,
    /// Content.
    pub bytes: Vec<u8>,
}

impl Workspace {
    /// The names of all version tags, in version order.
    ///
    /// Read from the ref names alone (the `refs/tags` folder and `packed-refs`), without
    /// opening any tag: `status` and `version cut` need only the count and the latest.
    pub fn version_names(&self) -> Result<Vec<VersionName>, StoreError> {
        let git_dir = self.repo.path();
        let mut names: Vec<VersionName> = Vec::new();
        let tags_dir = git_dir.join("refs").join("tags");
        match std::fs::read_dir(&tags_dir) {
            Ok(entries) => {
                for e in entries {
                    let e = e.map_err(StoreError::io("read the folder", &tags_dir))?;
                    if let Some(v) = e.file_name().to_str().and_then(version_tag_number) {
                        names.push(v);
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(StoreError::io("read the folder", &tags_dir)(e)),
        }
        let packed = git_dir.join("packed-refs");
        match crate::input::read_bounded_text(
            &packed,
            crate::input::limits::PACKED_REFS,
            "git's packed-refs file",
        ) {
            Ok(text) => names.extend(
                text.lines()
                    .filter_map(|l| l.split_once(' ').map(|(_, r)| r))
                    .filter_map(|r| r.strip_prefix("refs/tags/"))
                    .filter_map(version_tag_number),
            ),
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e.into()),
        }
        names.sort();
        names.dedup();
        Ok(names)
    }

    /// The latest version's name, if any.
    pub fn latest_version_name(&self) -> Result<Option<VersionName>, StoreError> {
        Ok(self.version_names()?.pop())
    }

    /// All versions, oldest first. One pass over the tag refs (`packed-refs` and any
    /// loose tags, each ref's target read with its name), then one read per tag.
    pub fn versions(&self) -> Result<Vec<Version>, StoreError> {
        let mut found: Vec<(VersionName, Oid)> = Vec::new();
        let refs = self
            .repo
            .references_glob("refs/tags/v*")
            .map_err(StoreError::git("list tags"))?;
        for r in refs {
            let r = r.map_err(StoreError::git("list tags"))?;
            let Some(v) = r
                .name()
                .ok()
                .and_then(|n| n.strip_prefix("refs/tags/"))
                .and_then(version_tag_number)
            else {
                continue;
            };
            let oid = match r.target() {
                Some(oid) => oid,
                // A symbolic tag (made by hand): what it resolves to, as `git tag` shows.
                None => r.resolve().ok().and_then(|t| t.target()).ok_or_else(|| {
                    StoreError::ForeignTag {
                        tag: v.tag(),
                        why: "it is a symbolic reference to nothing".to_string(),
                    }
                })?,
            };
            found.push((v, oid));
        }
        found.sort();
        found
            .into_iter()
            .map(|(n, oid)| self.version_from_tag(n, oid))
            .collect()
    }

    /// Refuses an act naming `name` while the version is not published: in a workspace
    /// with a shared remote, its tag is not the remote's as of the last fetch
    /// (`refs/strategi/remotes/R/tags/`, what sync counts as published). A sync may
    /// still renumber such a version, and a record naming it would stop that sync.
    pub fn check_published(&self, name: VersionName) -> Result<(), StoreError> {
        let Some(remote) = self.shared_remote()? else {
            return Ok(());
        };
        let tag = name.tag();
        let Ok(ours) = self.repo.refname_to_id(&format!("refs/tags/{tag}")) else {
            return Ok(());
        };
        let theirs = self
            .repo
            .refname_to_id(&format!("refs/strategi/remotes/{remote}/tags/{tag}"))
            .ok();
        if theirs == Some(ours) {
            Ok(())
        } else {
            Err(StoreError::NotPublished {
                version: name,
                remote,
            })
        }
    }

    /// One version, read from its tag.
    pub fn version(&self, name: VersionName) -> Result<Version, StoreError> {
        let tag_name = name.tag();
        let reference = match self.repo.find_reference(&format!("refs/tags/{tag_name}")) {
            Ok(r) => r,
            Err(e) if e.code() == git2::ErrorCode::NotFound => {
                return Err(StoreError::UnknownVersion {
                    name: tag_name,
                    latest: self.latest_version_name()?,
                });
            }
            Err(e) => return Err(StoreError::git(format!("read the tag \"{tag_name}\""))(e)),
        };
        let foreign = |why: &str| StoreError::ForeignTag {
            tag: tag_name.clone(),
            why: why.to_string(),
        };
        let target = reference
            .target()
            .ok_or_else(|| foreign("it is a symbolic reference"))?;
        self.version_from_tag(name, target)
    }

    fn version_from_tag(&self, name: VersionName, target: Oid) -> Result<Version, StoreError> {
        let tag_name = name.tag();
        let foreign = |why: &str| StoreError::ForeignTag {
            tag: tag_name.clone(),
            why: why.to_string(),
        };
        let tag = self.repo.find_tag(target).map_err(|_| {
            foreign("it is a lightweight tag, without the label and trailers strategi writes")
        })?;
        if tag.target_type() != Some(ObjectType::Commit) {
            return Err(foreign("it does not point at a commit"));
        }
        let message = tag.message().ok().flatten().unwrap_or_default();
        let label = message
            .split("\n\n")
            .next()
            .unwrap_or_default()
            .trim()
            .to_string();
        let trailer = |key: &str| {
            message
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .map(|v| v.trim().to_string())
        };
        let tree = match trailer("Strategi-Tree:") {
            Some(t) => t,
            None => self
                .strategy_tree_of(tag.target_id())?
                .map(|o| o.to_string())
                .unwrap_or_default(),
        };
        let (created, author) = match tag.tagger() {
            Some(s) => (
                jiff::Timestamp::from_second(s.when().seconds()).unwrap_or_default(),
                format!(
                    "{} <{}>",
                    s.name().unwrap_or_default(),
                    s.email().unwrap_or_default()
                ),
            ),
            None => (jiff::Timestamp::default(), String::new()),
        };
        Ok(Version {
            name,
            label,
            commit: tag.target_id().to_string(),
            tree,
            created,
            author,
            party: trailer("Strategi-Party:").and_then(|p| p.parse().ok()),
        })
    }

    /// The id of the `strategy/` tree in a commit, if it has one.
    pub fn strategy_tree_of(&self, commit: Oid) -> Result<Option<Oid>, StoreError> {
        let c = self
            .repo
            .find_commit(commit)
            .map_err(StoreError::git(format!("read commit {commit}")))?;
        let tree = c
            .tree()
            .map_err(StoreError::git(format!("read the tree of {commit}")))?;
        Ok(tree
            .get_name(STRATEGY_DIR)
            .filter(|e| e.kind() == Some(ObjectType::Tree))
            .map(|e| e.id()))
    }

    /// The id of the `strategy/` tree in the commit with this hex id; `None` when the
    /// commit has none, an error when there is no such commit.
    pub fn strategy_tree_of_hex(&self, commit: &str) -> Result<Option<String>, StoreError> {
        let oid = Oid::from_str(commit)
            .map_err(StoreError::git(format!("read the commit id \"{commit}\"")))?;
        Ok(self.strategy_tree_of(oid)?.map(|o| o.to_string()))
    }

    /// Refuses a draft whose Markdown files have no heading at all
    /// ([`StoreError::NoSection`]); an empty draft is [`StoreError::EmptyDraft`]'s.
    pub fn check_sections(&self) -> Result<(), StoreError> {
        let files = self.draft_files()?;
        if files.is_empty() {
            return Ok(());
        }
        let sources: Vec<SourceFile> = files
            .iter()
            .map(|f| SourceFile {
                name: f.path.clone(),
                text: String::from_utf8_lossy(&f.bytes).into_owned(),
            })
            .collect();
        let doc = Document::parse(&sources);
        if doc.sections.iter().all(|s| s.level == 0) {
            return Err(StoreError::NoSection { files: files.len() });
        }
        Ok(())
    }

    /// The draft's Markdown files in the working tree, by name.
    pub fn draft_files(&self) -> Result<Vec<StoredFile>, StoreError> {
        let dir = self.root.join(STRATEGY_DIR);
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(StoreError::io("read the folder", &dir)(e)),
        };
        let mut files = Vec::new();
        for entry in entries {
            let entry = entry.map_err(StoreError::io("read the folder", &dir))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if !is_markdown(&name) || !path.is_file() {
                continue;
            }
            let bytes = super::read_bounded(&path, super::limits::MARKDOWN, "Markdown file")?;
            files.push(StoredFile { path: name, bytes });
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(files)
    }

    /// Whether the file `rel` (a path in the workspace, such as `strategy/01-utkast.md`)
    /// in the working tree is byte for byte the one HEAD holds: no uncommitted edit that
    /// a command rewriting the file would sweep into its commit. A file HEAD does not
    /// hold is not committed.
    pub fn file_is_committed(&self, rel: &str) -> Result<bool, StoreError> {
        let Some(head) = self.head_commit()? else {
            return Ok(false);
        };
        let tree = head
            .tree()
            .map_err(StoreError::git("read the tree of HEAD"))?;
        let Ok(entry) = tree.get_path(Path::new(rel)) else {
            return Ok(false);
        };
        // Compared by blob id, as `changed_files` does: neither copy is read into memory.
        let path = self.root.join(rel);
        match git2::Oid::hash_file(git2::ObjectType::Blob, &path) {
            Ok(id) => Ok(id == entry.id()),
            Err(_) if !path.exists() => Ok(false),
            Err(e) => Err(StoreError::git("read")(e)),
        }
    }

    /// The Markdown files in subfolders of `strategy/` (such as `strategy/old/notes.md`),
    /// as paths below `strategy/`, sorted. They are committed with a version but are not
    /// part of its text: only the Markdown files directly in `strategy/` are.
    pub fn draft_files_left_out(&self) -> Result<Vec<String>, StoreError> {
        fn walk(dir: &Path, rel: &str, out: &mut Vec<String>) -> Result<(), StoreError> {
            let entries = match std::fs::read_dir(dir) {
                Ok(e) => e,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
                Err(e) => return Err(StoreError::io("read the folder", dir)(e)),
            };
            for entry in entries {
                let entry = entry.map_err(StoreError::io("read the folder", dir))?;
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') {
                    continue;
                }
                let path = entry.path();
                let ft = entry.file_type().map_err(StoreError::io("read", &path))?;
                let here = if rel.is_empty() {
                    name.clone()
                } else {
                    format!("{rel}/{name}")
                };
                if ft.is_dir() {
                    walk(&path, &here, out)?;
                } else if ft.is_file() && !rel.is_empty() && is_markdown(&name) {
                    out.push(here);
                }
            }
            Ok(())
        }
        let mut out = Vec::new();
        walk(&self.root.join(STRATEGY_DIR), "", &mut out)?;
        out.sort();
        Ok(out)
    }

    /// The Markdown files of a version, by name.
    pub fn version_files(&self, version: &Version) -> Result<Vec<StoredFile>, StoreError> {
        let oid = Oid::from_str(&version.tree).map_err(StoreError::git(format!(
            "read the tree id recorded for {}",
            version.name
        )))?;
        let tree = self.repo.find_tree(oid).map_err(StoreError::git(format!(
            "read the draft of {}",
            version.name
        )))?;
        let mut files = Vec::new();
        for entry in tree.iter() {
            let Ok(name) = entry.name() else { continue };
            if entry.kind() != Some(ObjectType::Blob) || !is_markdown(name) {
                continue;
            }
            let blob = super::bounded_blob(
                &self.repo,
                entry.id(),
                &format!("strategy/{name}"),
                &version.commit,
                crate::input::limits::MARKDOWN,
                "a Markdown file",
            )?;
            files.push(StoredFile {
                path: name.to_string(),
                bytes: blob.content().to_vec(),
            });
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(files)
    }

    /// Builds a tree of everything under `strategy/` in the working tree (files only,
    /// recursively; names starting with `.` are left out). `None` when there is no
    /// Markdown file.
    fn draft_tree(&self) -> Result<Option<Oid>, StoreError> {
        fn walk(
            repo: &git2::Repository,
            dir: &Path,
            md: &mut usize,
        ) -> Result<Option<Oid>, StoreError> {
            let mut tb = repo
                .treebuilder(None)
                .map_err(StoreError::git("start a tree"))?;
            let mut entries: Vec<_> = std::fs::read_dir(dir)
                .map_err(StoreError::io("read the folder", dir))?
                .collect::<Result<_, _>>()
                .map_err(StoreError::io("read the folder", dir))?;
            entries.sort_by_key(|e| e.file_name());
            for e in entries {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') {
                    continue;
                }
                let path = e.path();
                let ft = e.file_type().map_err(StoreError::io("read", &path))?;
                if ft.is_dir() {
                    if let Some(sub) = walk(repo, &path, md)? {
                        tb.insert(&name, sub, 0o040000)
                            .map_err(StoreError::git(format!("add \"{name}\" to a tree")))?;
                    }
                } else if ft.is_file() {
                    let bytes =
                        super::read_bounded(&path, super::limits::DRAFT_FILE, "file of the draft")?;
                    let blob = repo
                        .blob(&bytes)
                        .map_err(StoreError::git(format!("store \"{name}\"")))?;
                    if is_markdown(&name) && dir.file_name().is_some_and(|d| d == STRATEGY_DIR) {
                        *md += 1;
                    }
                    tb.insert(&name, blob, 0o100644)
                        .map_err(StoreError::git(format!("add \"{name}\" to a tree")))?;
                }
            }
            if tb.is_empty() {
                return Ok(None);
            }
            tb.write()
                .map(Some)
                .map_err(StoreError::git("write a tree"))
        }
        let dir = self.root.join(STRATEGY_DIR);
        if !dir.is_dir() {
            return Ok(None);
        }
        let mut md = 0;
        let tree = walk(&self.repo, &dir, &mut md)?;
        Ok(tree.filter(|_| md > 0))
    }
}

/// `v12` → 12; anything else (`v012`, `v1.2`, `release`) is not a version tag.
fn version_tag_number(name: &str) -> Option<VersionName> {
    let d = name.strip_prefix('v')?;
    if d.is_empty() || d.starts_with('0') || !d.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    d.parse().ok().map(VersionName)
}

fn is_markdown(name: &str) -> bool {
    !name.starts_with('.') && (name.ends_with(".md") || name.ends_with(".markdown"))
}

impl Transaction<'_> {
    /// Cuts the next version: commits the working tree's `strategy/` (and nothing else
    /// of the working tree) and tags the commit `vN` with the label.
    pub fn cut_version(
        mut self,
        label: &str,
        actor: &Actor,
        when: &jiff::ZonedDateTime,
    ) -> Result<Version, StoreError> {
        let ws = self.ws;
        // Before the tree is built, which writes objects: a refusal leaves `.git` as it was.
        ws.check_sections()?;
        // git's lock on `packed-refs`, where the tag goes: taken before anything is
        // written, so a lock another program holds refuses the cut with nothing changed.
        let packed = PackedRefsLock::acquire(ws.repo.path(), &ws.root, PACKED_REFS_WAIT)?;
        let tree = ws.draft_tree()?.ok_or(StoreError::EmptyDraft)?;
        let latest = ws.latest_version_name()?;
        if let Some(last) = latest {
            let v = ws.version(last)?;
            if v.tree == tree.to_string() {
                return Err(StoreError::NoChange { last });
            }
        }
        let name = VersionName(latest.map_or(1, |v| v.0 + 1));
        let summary = format!("Cut version {name}: {label}");
        let message = message_with_trailers(
            &summary,
            "",
            crate::model::Action::VersionCut,
            actor,
            &[("Version", name.to_string())],
        );
        let (_, commit) = self.commit_with(&message, actor, when, Some(tree))?;
        let tag_message = message_with_trailers(
            label,
            "",
            crate::model::Action::VersionCut,
            actor,
            &[("Tree", tree.to_string())],
        );
        let sig = Workspace::signature(actor, when)?;
        let object = ws
            .repo
            .find_object(commit, Some(ObjectType::Commit))
            .map_err(StoreError::git("read the new commit"))?;
        // The tag object without a loose ref; the ref goes into `packed-refs`.
        let tag = ws
            .repo
            .tag_annotation_create(&name.tag(), &object, &sig, &tag_message)
            .map_err(StoreError::git(format!("create the tag \"{name}\"")))?;
        packed.add_tag(
            &ws.repo,
            &format!("refs/tags/{}", name.tag()),
            tag,
            &format!("strategi: cut {name}"),
        )?;
        super::crash::reach(super::crash::AFTER_TAG);
        ws.version(name)
    }
}

/// A commit that cuts a version (`Strategi-Action: version-cut`, `Strategi-Version: vN`)
/// whose tag is missing or on another commit: a `version cut` killed between its commit
/// and its tag.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UntaggedVersion {
    /// The version the commit says it cuts.
    pub name: VersionName,
    /// The commit (hex).
    pub commit: String,
    /// The commit the tag `vN` is on instead, if it exists.
    pub tag_on: Option<String>,
}

impl UntaggedVersion {
    /// What is wrong, in a sentence.
    pub fn describe(&self) -> String {
        let c = self.commit.get(..12).unwrap_or(&self.commit);
        match &self.tag_on {
            None => format!(
                "The commit {c} cuts {}, but there is no tag {} (the cut was interrupted before its tag was made).",
                self.name,
                self.name.tag()
            ),
            Some(other) => format!(
                "The commit {c} says it cuts {}, but the tag {} is on commit {}.",
                self.name,
                self.name.tag(),
                other.get(..12).unwrap_or(other)
            ),
        }
    }
}

/// The value of the trailer `key` (such as `Strategi-Version:`) in a message.
fn trailer<'m>(message: &'m str, key: &str) -> Option<&'m str> {
    message
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix(key))
        .map(str::trim)
}

/// The version a commit cuts, from its trailers.
fn cut_by(message: &str) -> Option<VersionName> {
    if trailer(message, "Strategi-Action:")? != crate::model::Action::VersionCut.to_string() {
        return None;
    }
    version_tag_number(trailer(message, "Strategi-Version:")?)
}

impl Workspace {
    fn untagged(&self, commit: &git2::Commit<'_>) -> Result<Option<UntaggedVersion>, StoreError> {
        let Some(name) = commit.message().ok().and_then(cut_by) else {
            return Ok(None);
        };
        let tag_on = match self
            .repo
            .find_reference(&format!("refs/tags/{}", name.tag()))
        {
            Ok(r) => match r.peel_to_commit() {
                Ok(c) if c.id() == commit.id() => return Ok(None),
                // Renumbered by `sync` (the remote published another vN): the commit
                // has a version tag under its new name.
                Ok(_) if self.renumbered_tag_on(commit.id(), name) => return Ok(None),
                Ok(c) => Some(c.id().to_string()),
                Err(_) => Some(String::new()),
            },
            Err(e) if e.code() == git2::ErrorCode::NotFound => None,
            Err(e) => return Err(StoreError::git(format!("read the tag \"{name}\""))(e)),
        };
        Ok(Some(UntaggedVersion {
            name,
            commit: commit.id().to_string(),
            tag_on,
        }))
    }

    /// Whether a version tag on `commit` says it was renumbered from `from`
    /// (`Strategi-Renumbered-From:`, written by `sync`).
    fn renumbered_tag_on(&self, commit: Oid, from: VersionName) -> bool {
        let Ok(names) = self.version_names() else {
            return false;
        };
        names.into_iter().any(|v| {
            self.repo
                .find_reference(&format!("refs/tags/{}", v.tag()))
                .ok()
                .and_then(|r| r.peel_to_tag().ok())
                .is_some_and(|t| {
                    t.target_id() == commit
                        && trailer(
                            t.message().ok().flatten().unwrap_or_default(),
                            "Strategi-Renumbered-From:",
                        ) == Some(from.tag().as_str())
                })
        })
    }

    /// Every commit in HEAD's history that cuts a version whose tag is missing or on
    /// another commit, newest first.
    pub fn untagged_versions(&self) -> Result<Vec<UntaggedVersion>, StoreError> {
        let Some(head) = self.head_commit()? else {
            return Ok(Vec::new());
        };
        let mut walk = self
            .repo
            .revwalk()
            .map_err(StoreError::git("walk the history"))?;
        walk.push(head.id())
            .map_err(StoreError::git("walk the history"))?;
        let mut out = Vec::new();
        for oid in walk {
            let oid = oid.map_err(StoreError::git("walk the history"))?;
            let c = self
                .repo
                .find_commit(oid)
                .map_err(StoreError::git(format!("read commit {oid}")))?;
            if let Some(u) = self.untagged(&c)? {
                out.push(u);
            }
        }
        Ok(out)
    }

    /// Makes the missing tag of a version commit, as the interrupted cut would have:
    /// the label from the commit's summary, the tree and the actor from its trailers,
    /// the commit's author and time as the tagger.
    pub(super) fn complete_version_tag(
        &self,
        u: &UntaggedVersion,
    ) -> Result<super::Repaired, StoreError> {
        let oid = Oid::from_str(&u.commit).map_err(StoreError::git(format!(
            "read the commit id \"{}\"",
            u.commit
        )))?;
        let commit = self
            .repo
            .find_commit(oid)
            .map_err(StoreError::git(format!("read commit {oid}")))?;
        let message = commit.message().unwrap_or_default();
        let tree = self
            .strategy_tree_of(oid)?
            .ok_or_else(|| StoreError::ForeignTag {
                tag: u.name.tag(),
                why: format!("its commit {oid} holds no {STRATEGY_DIR}/ folder"),
            })?;
        let summary = message.lines().next().unwrap_or_default();
        let prefix = format!("Cut version {}: ", u.name);
        let label = summary.strip_prefix(&prefix).unwrap_or(summary).trim();
        let mut tag_message = format!(
            "{label}\n\nStrategi-Action: {}\n",
            crate::model::Action::VersionCut
        );
        for key in ["Party", "Actor"] {
            if let Some(v) = trailer(message, &format!("Strategi-{key}:")) {
                tag_message.push_str(&format!("Strategi-{key}: {v}\n"));
            }
        }
        tag_message.push_str(&format!("Strategi-Tree: {tree}\n"));
        let object = self
            .repo
            .find_object(oid, Some(ObjectType::Commit))
            .map_err(StoreError::git("read the version's commit"))?;
        self.repo
            .tag(
                &u.name.tag(),
                &object,
                &commit.author(),
                &tag_message,
                false,
            )
            .map_err(StoreError::git(format!("create the tag \"{}\"", u.name)))?;
        super::crash::reach(super::crash::AFTER_TAG);
        Ok(super::Repaired {
            kind: super::RepairKind::VersionTag,
            path: format!("refs/tags/{}", u.name.tag()),
            message: format!(
                "Made the tag {} on commit {}, which a version cut that was interrupted left without it.",
                u.name,
                u.commit.get(..12).unwrap_or(&u.commit)
            ),
        })
    }

    /// Completes the version cut at HEAD if its tag is missing (the next command after
    /// a cut killed between commit and tag). A tag that exists elsewhere is left for
    /// `verify` to report.
    pub(super) fn complete_head_version(&self) -> Result<Option<super::Repaired>, StoreError> {
        let Some(head) = self.head_commit()? else {
            return Ok(None);
        };
        match self.untagged(&head)? {
            Some(u) if u.tag_on.is_none() => self.complete_version_tag(&u).map(Some),
            _ => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crate::model::Action;
    use crate::store::{Actor, IdSeed, StoreError, Workspace};

    #[test]
    fn a_draft_without_a_section_is_not_cut() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ws = Workspace::create(&dir.path().join("ws"), Some(("Kari Nordmann", "kari@x.no")))
            .expect("create");
        let actor = Actor {
            party: "DIO".parse().expect("party"),
            name: "Kari Nordmann".into(),
            email: "kari@x.no".into(),
        };
        let when = jiff::civil::date(2025, 11, 3)
            .at(12, 0, 0, 0)
            .to_zoned_datetime(crate::calendar::oslo())
            .expect("time");
        let begin = || {
            ws.begin("test", Duration::from_secs(5), IdSeed::Fixed(7))
                .expect("begin")
        };
        let mut tx = begin();
        tx.write("strategy/01-utkast.md", "Bare tekst, ingen overskrift.\n");
        tx.commit("Draft", "", Action::Init, &actor, &when)
            .expect("commit");
        match begin().cut_version("Utkast", &actor, &when) {
            Err(e @ StoreError::NoSection { files: 1 }) => assert_eq!(
                e.to_string(),
                "The draft has no section: none of the 1 Markdown file(s) in strategy/ has a heading."
            ),
            other => panic!("not refused: {other:?}"),
        }
        assert!(ws.version_names().expect("versions").is_empty());
        let mut tx = begin();
        tx.write("strategy/01-utkast.md", "# Mål\n\nTekst.\n");
        tx.commit("Draft", "", Action::Init, &actor, &when)
            .expect("commit");
        let v = begin().cut_version("Utkast", &actor, &when).expect("cut");
        assert_eq!(v.name.to_string(), "v1");
    }
}
