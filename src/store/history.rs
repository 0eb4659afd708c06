//! What history shows was done to the record files: per commit that touched them, which
//! files it added, modified or deleted, with its author and its `Strategi-*` trailers.
//!
//! Records are written once, so the facts here are what `verify` needs for tamper
//! evidence: a record modified or deleted by a later commit, and a commit that touched
//! records without strategi's trailers. The walk is one revwalk from HEAD, oldest first;
//! for each commit only the record folders whose trees differ from the parent's are
//! diffed, so a history of thousands of commits that mostly touch other files (the
//! draft, the outbox, `strategi.toml`) costs little more than reading the commits.

use std::collections::HashMap;

use git2::{Oid, Sort, Tree};
use serde::Serialize;

use super::{CONFIG_FILE, CONSULTATIONS_DIR, StoreError, Workspace};
use crate::model::{Action, PartyCode, SignedCommits};

/// The folders whose files are records, written once and never changed: consultation
/// rounds (with their facts, comments, decisions and imported messages), submissions,
/// approvals, later signatures of approvals and withdrawals, and the settings that
/// change during a case (`settings/`: parties, milestones, keys). The outbox (`outbox/`) is not among them: its state files are updated
/// in place by design.
pub const RECORD_DIRS: [&str; 7] = [
    CONSULTATIONS_DIR,
    "submissions",
    "approvals",
    "signatures",
    "withdrawals",
    super::settings::SETTINGS_DIR,
    // `journal::JOURNAL_DIR`: the document numbers recorded by `journal set`.
    "journal",
];

/// A commit that touched record files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordCommit {
    /// The commit id (hex).
    pub id: String,
    /// Its author, `Name <e-mail>`.
    pub author: String,
    /// When it was made (the committer's time).
    pub time: jiff::Timestamp,
    /// Its first line.
    pub summary: String,
    /// Its `Strategi-Action` trailer, if it has one that names an action.
    pub action: Option<Action>,
    /// Its `Strategi-Party` trailer, if any.
    pub party: Option<String>,
}

impl RecordCommit {
    /// The first twelve digits of the id.
    pub fn short_id(&self) -> &str {
        self.id.get(..12).unwrap_or(&self.id)
    }
}

/// What a commit did to a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// The file was created.
    Added,
    /// The file's content (or mode) was changed.
    Modified,
    /// The file was removed.
    Deleted,
}

/// One file changed by one commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordChange {
    /// The file, relative to the workspace root, `/`-separated.
    pub path: String,
    /// What happened to it.
    pub kind: ChangeKind,
    /// The commit, as an index into [`RecordHistory::commits`].
    pub commit: usize,
}

/// One party's signing key added to or removed from `strategi.toml` by one commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyChange {
    /// The party whose `keys` changed (its `code` in `[[party]]`).
    pub party: String,
    /// The key, `type base64` (the comment left out: it is not part of the key).
    pub key: String,
    /// [`ChangeKind::Added`] or [`ChangeKind::Deleted`] (a key edited in place is one of
    /// each).
    pub kind: ChangeKind,
    /// The commit, as an index into [`RecordHistory::commits`].
    pub commit: usize,
}

/// A setting of `strategi.toml` that decides who may do what and what is checked, and
/// so must not change behind the case owner's back (a [`PolicyChange`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PolicySetting {
    /// `[case] owner`.
    Owner,
    /// `[case] approver`.
    Approver,
    /// `[approval] require_signed_commits`.
    RequireSignedCommits,
    /// `[approval] require_signature`.
    RequireSignature,
}

impl PolicySetting {
    /// Every setting, in the order they are compared.
    pub const ALL: [PolicySetting; 4] = [
        PolicySetting::Owner,
        PolicySetting::Approver,
        PolicySetting::RequireSignedCommits,
        PolicySetting::RequireSignature,
    ];

    /// How the setting is written in `strategi.toml`: `[case] owner`.
    pub fn name(self) -> &'static str {
        match self {
            PolicySetting::Owner => "[case] owner",
            PolicySetting::Approver => "[case] approver",
            PolicySetting::RequireSignedCommits => "[approval] require_signed_commits",
            PolicySetting::RequireSignature => "[approval] require_signature",
        }
    }

    fn table_key(self) -> (&'static str, &'static str) {
        match self {
            PolicySetting::Owner => ("case", "owner"),
            PolicySetting::Approver => ("case", "approver"),
            PolicySetting::RequireSignedCommits => ("approval", "require_signed_commits"),
            PolicySetting::RequireSignature => ("approval", "require_signature"),
        }
    }
}

/// One [`PolicySetting`] changed in `strategi.toml` by one commit (the commit that
/// created the file sets them all from nothing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyChange {
    /// Which setting.
    pub setting: PolicySetting,
    /// Its value before (as written in TOML; `None` when it was not set).
    pub old: Option<String>,
    /// Its value after (`None` when it was removed).
    pub new: Option<String>,
    /// The commit, as an index into [`RecordHistory::commits`].
    pub commit: usize,
}

impl PolicyChange {
    /// Whether the change gives anyone more room than before: a new owner or approver,
    /// a party's commits no longer required to be signed, or approvals no longer
    /// required to be signed. Turning a requirement on only asks more of the parties,
    /// so it cannot make a forgery pass.
    pub fn loosens(&self) -> bool {
        match self.setting {
            PolicySetting::Owner | PolicySetting::Approver => true,
            PolicySetting::RequireSignature => {
                self.old.as_deref() == Some("true") && self.new.as_deref() != Some("true")
            }
            PolicySetting::RequireSignedCommits => {
                let (old, new) = (
                    signed_commits_of(self.old.as_deref()),
                    signed_commits_of(self.new.as_deref()),
                );
                match (&old, &new) {
                    (SignedCommits::Off, _) | (_, SignedCommits::All) => false,
                    (SignedCommits::All, _) => true,
                    (SignedCommits::Parties(a), SignedCommits::Parties(b)) => {
                        a.iter().any(|p| !b.contains(p))
                    }
                    (SignedCommits::Parties(a), SignedCommits::Off) => !a.is_empty(),
                }
            }
        }
    }
}

/// The signed-commits policy a `require_signed_commits` value (as TOML) stands for;
/// a value that is not `true` or a list of party codes is no requirement.
pub fn signed_commits_of(value: Option<&str>) -> SignedCommits {
    let Some(value) = value else {
        return SignedCommits::Off;
    };
    match format!("v = {value}")
        .parse::<toml::Table>()
        .ok()
        .and_then(|t| t.get("v").cloned())
    {
        Some(toml::Value::Boolean(true)) => SignedCommits::All,
        Some(toml::Value::Array(list)) => SignedCommits::Parties(
            list.iter()
                .filter_map(toml::Value::as_str)
                .filter_map(|c| c.parse::<PartyCode>().ok())
                .collect(),
        ),
        _ => SignedCommits::Off,
    }
}

/// A [`PolicyChange`] as history judges it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyVerdict<'h> {
    /// The change.
    pub change: &'h PolicyChange,
    /// The case owner before the commit (as strategi commits acting as the owner set
    /// it), if any.
    pub owner: Option<String>,
    /// Whether the change loosens the policy without being a strategi commit acting as
    /// that owner (or, for the commit that created the file, `init`): reported by
    /// `verify`, and left out of the policy as it stood.
    pub foreign: bool,
}

/// A commit whose `strategi.toml` holds a password in `[mail] smtp_url` that none of
/// its parents' versions held: the commit that put a secret into history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CredentialChange {
    /// The line of `smtp_url` in that commit's `strategi.toml` (1-based).
    pub line: usize,
    /// The commit, as an index into [`RecordHistory::commits`].
    pub commit: usize,
}

/// A logical clock in history that is not what strategi writes ([`super::clock`]): a
/// commit's `Strategi-Clock` trailer that is not one more than its parent's clock (the
/// highest of its parents' for a merge), or a record whose `clock` is not the trailer of
/// the commit that added it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClockMismatch {
    /// The commit, as an index into [`RecordHistory::commits`].
    pub commit: usize,
    /// The record, for a record's clock; `None` for the commit's own trailer.
    pub path: Option<String>,
    /// The clock found (the trailer, or the record's `clock`); `None`: a record without
    /// `clock` added by a commit that carries a `Strategi-Clock` trailer.
    pub found: Option<u64>,
    /// The clock strategi would have written there: for a commit, its parents' clock
    /// plus one (a merge: the highest of its parents'); for a record, its commit's
    /// trailer (`None`: the commit carries no `Strategi-Clock`).
    pub expected: Option<u64>,
}

/// Every change to the record files in the history of HEAD, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RecordHistory {
    /// The commits that touched record files or the parties' keys, oldest first.
    pub commits: Vec<RecordCommit>,
    /// The changes, in the order of the commits.
    pub changes: Vec<RecordChange>,
    /// The changes to the parties' signing keys in `strategi.toml`, in the order of the
    /// commits.
    pub key_changes: Vec<KeyChange>,
    /// The commits that put a password into `[mail] smtp_url` of `strategi.toml`, in
    /// the order of the commits.
    pub credentials: Vec<CredentialChange>,
    /// The changes to the owner, the approver and the signature policies in
    /// `strategi.toml` ([`PolicySetting`]), in the order of the commits.
    pub policy_changes: Vec<PolicyChange>,
    /// The clocks that are not what strategi writes (only in
    /// [`Workspace::record_history`]), in the order of the commits.
    pub clocks: Vec<ClockMismatch>,
    /// How many commits were walked in all.
    pub walked: usize,
}

impl RecordHistory {
    /// The commit of a change.
    pub fn commit_of(&self, change: &RecordChange) -> Option<&RecordCommit> {
        self.commits.get(change.commit)
    }

    /// The commit of a key change.
    pub fn commit_of_key(&self, change: &KeyChange) -> Option<&RecordCommit> {
        self.commits.get(change.commit)
    }

    /// Every policy change, judged in the order of the commits: a change is foreign
    /// when it loosens the policy ([`PolicyChange::loosens`]) and its commit is not a
    /// strategi commit (with a `Strategi-Action` trailer) acting as the owner that
    /// history showed before it; the commit that first sets the owner must be `init`'s.
    /// A foreign change does not move the owner.
    pub fn policy_verdicts(&self) -> Vec<PolicyVerdict<'_>> {
        let mut owner: Option<String> = None;
        let mut out = Vec::with_capacity(self.policy_changes.len());
        let mut i = 0;
        while i < self.policy_changes.len() {
            let index = self.policy_changes[i].commit;
            let commit = self.commits.get(index);
            let by_owner = commit.is_some_and(|c| {
                c.action.is_some()
                    && match &owner {
                        Some(o) => c.party.as_deref() == Some(o.as_str()),
                        None => c.action == Some(Action::Init),
                    }
            });
            let before = owner.clone();
            while i < self.policy_changes.len() && self.policy_changes[i].commit == index {
                let change = &self.policy_changes[i];
                let foreign = !by_owner && change.loosens();
                if change.setting == PolicySetting::Owner && !foreign {
                    owner = change.new.as_ref().map(|v| unquote(v));
                }
                out.push(PolicyVerdict {
                    change,
                    owner: before.clone(),
                    foreign,
                });
                i += 1;
            }
        }
        out
    }

    /// The case owner as history stands: set by `init` and moved only by changes that
    /// were not foreign ([`RecordHistory::policy_verdicts`]); `None` without history.
    pub fn owner(&self) -> Option<String> {
        let mut owner = None;
        for v in self.policy_verdicts() {
            if v.change.setting == PolicySetting::Owner && !v.foreign {
                owner = v.change.new.as_ref().map(|o| unquote(o));
            }
        }
        owner
    }

    /// The signed-commits policy as it stood at the commit `index` (after it): set by
    /// the changes up to it that were not foreign ([`RecordHistory::policy_verdicts`]),
    /// so a commit made before the policy was turned on is not judged by it, and a
    /// policy removed behind the owner's back still holds.
    pub fn signed_commits_at(&self, index: usize) -> SignedCommits {
        let mut policy = SignedCommits::Off;
        for v in self.policy_verdicts() {
            if v.change.commit > index {
                break;
            }
            if v.change.setting == PolicySetting::RequireSignedCommits && !v.foreign {
                policy = signed_commits_of(v.change.new.as_deref());
            }
        }
        policy
    }
}

/// A TOML string value without its quotes (other values as they are).
fn unquote(value: &str) -> String {
    match format!("v = {value}").parse::<toml::Table>() {
        Ok(t) => match t.get("v") {
            Some(toml::Value::String(s)) => s.clone(),
            _ => value.to_string(),
        },
        Err(_) => value.to_string(),
    }
}

/// What a history walk looks at.
#[derive(Clone)]
enum Scope {
    /// Record folders, keys and credentials (`verify`).
    Everything,
    /// The parties' keys in `strategi.toml` only.
    KeysOnly,
    /// These record folders (`approvals`, `consultations/<round>`) and the keys.
    Folders(Vec<String>),
}

impl Workspace {
    /// Walks the history of HEAD once and returns every change to files under the
    /// record folders ([`RECORD_DIRS`]), and every signing key added to or removed from
    /// a party in `strategi.toml` ([`KeyChange`]). A merge commit is charged only with
    /// what it itself introduced: a file that matches one of its parents came from that
    /// parent.
    pub fn record_history(&self) -> Result<RecordHistory, StoreError> {
        self.walk_history(Scope::Everything)
    }

    /// Like [`Workspace::record_history`], but only the signing keys' changes (and the
    /// commits that made them): no record folder is compared, so reads that only need
    /// the keys' provenance (`status`, `approve`) stay cheap on a long history.
    pub fn key_history(&self) -> Result<RecordHistory, StoreError> {
        self.walk_history(Scope::KeysOnly)
    }

    /// Like [`Workspace::record_history`], but only the approval folders (`approvals/`,
    /// `signatures/`, `withdrawals/`) and the signing keys: what `status` needs to tell
    /// whether the latest approval stands (its record unchanged since it was written,
    /// its key the approver's own, its commit signed), without diffing the consultation
    /// folders of every commit.
    ///
    /// `rounds` are round folders (ids) under `consultations/` to walk as well: the
    /// consultation an approval rests on.
    pub fn approval_history(&self, rounds: &[String]) -> Result<RecordHistory, StoreError> {
        let mut dirs = vec![
            "approvals".to_string(),
            "signatures".to_string(),
            "withdrawals".to_string(),
        ];
        dirs.extend(rounds.iter().map(|r| format!("{CONSULTATIONS_DIR}/{r}")));
        self.walk_history(Scope::Folders(dirs))
    }

    fn walk_history(&self, scope: Scope) -> Result<RecordHistory, StoreError> {
        let mut out = RecordHistory::default();
        if self.head_commit()?.is_none() {
            return Ok(out);
        }
        let repo = &self.repo;
        let mut walk = repo
            .revwalk()
            .map_err(StoreError::git("walk the history"))?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)
            .map_err(StoreError::git("walk the history"))?;
        walk.push_head()
            .map_err(StoreError::git("walk the history from HEAD"))?;
        // Each walked commit's logical clock (oldest first, so parents come first).
        let mut clocks: HashMap<Oid, u64> = HashMap::new();
        for oid in walk {
            let oid = oid.map_err(StoreError::git("walk the history"))?;
            out.walked += 1;
            let commit = repo
                .find_commit(oid)
                .map_err(StoreError::git(format!("read commit {oid}")))?;
            let tree = commit
                .tree()
                .map_err(StoreError::git(format!("read the tree of commit {oid}")))?;
            let parents: Vec<Tree<'_>> = commit
                .parents()
                .map(|p| p.tree())
                .collect::<Result<_, _>>()
                .map_err(StoreError::git(format!("read the parents of commit {oid}")))?;
            let mut changes = Vec::new();
            let dirs: Vec<&str> = match &scope {
                Scope::Everything => RECORD_DIRS.to_vec(),
                Scope::KeysOnly => Vec::new(),
                Scope::Folders(dirs) => dirs.iter().map(String::as_str).collect(),
            };
            for dir in dirs {
                let new = subtree(repo, &tree, dir)?;
                let old = match parents.first() {
                    Some(p) => subtree(repo, p, dir)?,
                    None => None,
                };
                if new.as_ref().map(Tree::id) == old.as_ref().map(Tree::id) {
                    continue;
                }
                let diff = repo
                    .diff_tree_to_tree(old.as_ref(), new.as_ref(), None)
                    .map_err(StoreError::git(format!(
                        "compare \"{dir}\" in commit {oid}"
                    )))?;
                for delta in diff.deltas() {
                    let kind = match delta.status() {
                        git2::Delta::Added => ChangeKind::Added,
                        git2::Delta::Deleted => ChangeKind::Deleted,
                        git2::Delta::Unmodified => continue,
                        _ => ChangeKind::Modified,
                    };
                    let file = match kind {
                        ChangeKind::Deleted => delta.old_file(),
                        _ => delta.new_file(),
                    };
                    let Some(rel) = file.path().and_then(|p| p.to_str()) else {
                        continue;
                    };
                    let path = format!("{dir}/{}", rel.replace('\\', "/"));
                    if !is_record_path(&path) {
                        continue;
                    }
                    // In a merge, a file as one of the other parents has it came from
                    // that parent, not from the merge.
                    let new_id = entry_id(&tree, &path);
                    if parents.iter().skip(1).any(|p| entry_id(p, &path) == new_id) {
                        continue;
                    }
                    changes.push((path, kind));
                }
            }
            let mut clock_issues = Vec::new();
            if matches!(scope, Scope::Everything) {
                clock_issues = clock_mismatches(repo, &commit, &tree, &changes, &mut clocks)?;
            }
            let hex = oid.to_string();
            // strategi.toml as this commit and its parents have it, read once.
            let config = config_versions(repo, &hex, &tree, &parents)?;
            let mut keys = config.as_ref().map(key_changes).unwrap_or_default();
            keys.extend(setting_key_changes(repo, &hex, &tree, &parents)?);
            let policy = config.as_ref().map(policy_changes).unwrap_or_default();
            let credential = match scope {
                Scope::Everything => config.as_ref().and_then(credential_change),
                Scope::KeysOnly | Scope::Folders(_) => None,
            };
            if changes.is_empty()
                && keys.is_empty()
                && credential.is_none()
                && policy.is_empty()
                && clock_issues.is_empty()
            {
                continue;
            }
            let index = out.commits.len();
            out.commits.push(record_commit(&commit));
            out.changes
                .extend(changes.into_iter().map(|(path, kind)| RecordChange {
                    path,
                    kind,
                    commit: index,
                }));
            out.key_changes
                .extend(keys.into_iter().map(|(party, key, kind)| KeyChange {
                    party,
                    key,
                    kind,
                    commit: index,
                }));
            out.policy_changes
                .extend(policy.into_iter().map(|(setting, old, new)| PolicyChange {
                    setting,
                    old,
                    new,
                    commit: index,
                }));
            out.credentials
                .extend(credential.map(|line| CredentialChange {
                    line,
                    commit: index,
                }));
            out.clocks
                .extend(
                    clock_issues
                        .into_iter()
                        .map(|(path, found, expected)| ClockMismatch {
                            commit: index,
                            path,
                            found,
                            expected,
                        }),
                );
        }
        Ok(out)
    }
}

impl Workspace {
    /// The committed records whose file in the working tree (or the index) no longer is
    /// what HEAD holds: modified or deleted by hand and not committed, sorted by path.
    /// New files that are not committed yet are not listed.
    pub fn uncommitted_record_changes(&self) -> Result<Vec<(String, ChangeKind)>, StoreError> {
        let mut opts = git2::StatusOptions::new();
        for dir in RECORD_DIRS {
            opts.pathspec(format!("{dir}/"));
        }
        opts.include_untracked(false).include_ignored(false);
        let statuses = self
            .repo
            .statuses(Some(&mut opts))
            .map_err(StoreError::git("read the state of the record folders"))?;
        let deleted = git2::Status::WT_DELETED | git2::Status::INDEX_DELETED;
        let modified = git2::Status::WT_MODIFIED
            | git2::Status::INDEX_MODIFIED
            | git2::Status::WT_TYPECHANGE
            | git2::Status::INDEX_TYPECHANGE
            | git2::Status::WT_RENAMED
            | git2::Status::INDEX_RENAMED;
        let mut out: Vec<(String, ChangeKind)> = statuses
            .iter()
            .filter_map(|e| {
                let path = e.path().ok()?.to_string();
                if !is_record_path(&path) {
                    return None;
                }
                let st = e.status();
                if st.intersects(deleted) {
                    Some((path, ChangeKind::Deleted))
                } else if st.intersects(modified) {
                    Some((path, ChangeKind::Modified))
                } else {
                    None
                }
            })
            .collect();
        out.sort();
        Ok(out)
    }
}

/// Whether a file under the record folders is a record: everything in `submissions/`
/// and `approvals/`, and everything in a round's folder under `consultations/` (not
/// the explanatory `consultations/README.md` that `init` writes beside them).
pub fn is_record_path(path: &str) -> bool {
    match path.split_once('/') {
        Some((CONSULTATIONS_DIR, rest)) => rest.contains('/'),
        Some((dir, _)) => RECORD_DIRS.contains(&dir),
        None => false,
    }
}

/// The versions of `strategi.toml` a commit (with `tree`) and its parents have, read
/// once for the history's checks of it (keys, policy, credentials): `None` when the file
/// is as one of its parents has it (in a merge, it came from that parent).
struct ConfigVersions {
    /// The commit's text (`None`: the file is not in the commit).
    after: Option<String>,
    /// Each parent's text, in parent order.
    before: Vec<Option<String>>,
}

fn config_versions(
    repo: &git2::Repository,
    commit: &str,
    tree: &Tree<'_>,
    parents: &[Tree<'_>],
) -> Result<Option<ConfigVersions>, StoreError> {
    let new = entry_id(tree, CONFIG_FILE);
    if parents.iter().any(|p| entry_id(p, CONFIG_FILE) == new) {
        return Ok(None);
    }
    let text_at = |id: Option<Oid>| -> Result<Option<String>, StoreError> {
        let Some(id) = id else { return Ok(None) };
        let blob = super::bounded_blob(
            repo,
            id,
            CONFIG_FILE,
            commit,
            crate::input::limits::CONFIG,
            "a configuration file",
        )?;
        Ok(Some(String::from_utf8_lossy(blob.content()).into_owned()))
    };
    let after = text_at(new)?;
    let mut before = Vec::new();
    for p in parents {
        before.push(text_at(entry_id(p, CONFIG_FILE))?);
    }
    Ok(Some(ConfigVersions { after, before }))
}

/// The keys a commit added to and removed from the parties in `strategi.toml`:
/// added when no parent had it, removed when every parent had it.
fn key_changes(config: &ConfigVersions) -> Vec<(String, String, ChangeKind)> {
    let keys_at = |t: &Option<String>| t.as_deref().map(party_keys_in).unwrap_or_default();
    let after = keys_at(&config.after);
    let mut before: Vec<_> = config.before.iter().map(keys_at).collect();
    if before.is_empty() {
        before.push(Vec::new());
    }
    let mut out = Vec::new();
    // Added: in no parent (in a merge, a key one side had came from that side).
    for (party, key) in &after {
        let pair = (party.clone(), key.clone());
        if !before.iter().any(|b| b.contains(&pair)) {
            out.push((party.clone(), key.clone(), ChangeKind::Added));
        }
    }
    // Removed: in every parent (in a merge, a side that had removed it already did).
    if let Some((first, rest)) = before.split_first() {
        for pair in first {
            if !after.contains(pair) && rest.iter().all(|b| b.contains(pair)) {
                out.push((pair.0.clone(), pair.1.clone(), ChangeKind::Deleted));
            }
        }
    }
    out
}

/// The keys a commit (with `tree`) added to or removed from parties by the setting
/// records it added (`key-add`, `key-remove` in `settings/`): a record that one of the
/// other parents of a merge has came from that parent.
fn setting_key_changes(
    repo: &git2::Repository,
    commit: &str,
    tree: &Tree<'_>,
    parents: &[Tree<'_>],
) -> Result<Vec<(String, String, ChangeKind)>, StoreError> {
    let dir = super::settings::SETTINGS_DIR;
    let new = subtree(repo, tree, dir)?;
    let old = match parents.first() {
        Some(p) => subtree(repo, p, dir)?,
        None => None,
    };
    if new.as_ref().map(Tree::id) == old.as_ref().map(Tree::id) {
        return Ok(Vec::new());
    }
    let diff = repo
        .diff_tree_to_tree(old.as_ref(), new.as_ref(), None)
        .map_err(StoreError::git(format!("compare \"{dir}\"")))?;
    let mut out = Vec::new();
    for delta in diff.deltas() {
        if delta.status() != git2::Delta::Added {
            continue;
        }
        let file = delta.new_file();
        let Some(rel) = file.path().and_then(|p| p.to_str()) else {
            continue;
        };
        let path = format!("{dir}/{}", rel.replace('\\', "/"));
        let id = file.id();
        if parents
            .iter()
            .skip(1)
            .any(|p| entry_id(p, &path) == Some(id))
        {
            continue;
        }
        let blob = super::bounded_blob(
            repo,
            id,
            &path,
            commit,
            crate::input::limits::RECORD,
            "a record",
        )?;
        let text = String::from_utf8_lossy(blob.content());
        if let Some((party, key, added)) = super::settings::key_fact_in(&text) {
            let kind = if added {
                ChangeKind::Added
            } else {
                ChangeKind::Deleted
            };
            out.push((party, key, kind));
        }
    }
    Ok(out)
}

/// A setting with its old and new value.
type SettingChange = (PolicySetting, Option<String>, Option<String>);

/// The [`PolicySetting`]s a commit changed in `strategi.toml`, as (setting, old, new)
/// against its first parent; a value that one of its parents has came from that parent
/// (a merge is charged only with what it introduced).
fn policy_changes(config: &ConfigVersions) -> Vec<SettingChange> {
    let doc_at = |t: &Option<String>| t.as_deref().and_then(|t| t.parse::<toml::Table>().ok());
    let Some(after) = doc_at(&config.after) else {
        // Removed, or a version that does not parse: nothing to compare (verify
        // reports a broken file as it is).
        return Vec::new();
    };
    let before: Vec<_> = config.before.iter().map(doc_at).collect();
    let mut out = Vec::new();
    for setting in PolicySetting::ALL {
        let value = policy_value(Some(&after), setting);
        if before
            .iter()
            .skip(1)
            .any(|b| policy_value(b.as_ref(), setting) == value)
        {
            continue;
        }
        let old = policy_value(before.first().and_then(Option::as_ref), setting);
        if old != value {
            out.push((setting, old, value));
        }
    }
    out
}

/// A setting's value in a parsed `strategi.toml`, as TOML text.
fn policy_value(doc: Option<&toml::Table>, setting: PolicySetting) -> Option<String> {
    let (table, key) = setting.table_key();
    doc?.get(table)?.get(key).map(|v| v.to_string())
}

/// The line of `[mail] smtp_url` if the commit changed `strategi.toml` into a version
/// with a password in it that no parent's version had (the same line).
fn credential_change(config: &ConfigVersions) -> Option<usize> {
    // The text of the smtp_url line holding a password, and its line number.
    let credential_at = |t: &Option<String>| -> Option<(usize, String)> {
        let text = t.as_deref()?;
        super::credential_in_config(text).map(|(line, _)| {
            let at = text.lines().nth(line - 1).unwrap_or_default().trim();
            (line, at.to_string())
        })
    };
    let (line, at) = credential_at(&config.after)?;
    if config
        .before
        .iter()
        .any(|b| credential_at(b).is_some_and(|(_, old)| old == at))
    {
        return None;
    }
    Some(line)
}

/// The signing keys of each `[[party]]` in a `strategi.toml` text, as (code, `type
/// base64`), read leniently: a text that does not parse (an old or broken version of
/// the file) has none, and entries without a code or with odd values are skipped.
pub fn party_keys_in(text: &str) -> Vec<(String, String)> {
    let Ok(doc) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let parties = doc.get("party").and_then(toml::Value::as_array);
    for p in parties.into_iter().flatten() {
        let Some(code) = p.get("code").and_then(toml::Value::as_str) else {
            continue;
        };
        let keys = p.get("keys").and_then(toml::Value::as_array);
        for k in keys.into_iter().flatten().filter_map(toml::Value::as_str) {
            let bare = key_material(k);
            if !bare.is_empty() && !out.contains(&(code.to_string(), bare.clone())) {
                out.push((code.to_string(), bare));
            }
        }
    }
    out
}

/// A public key line without its comment: `type base64`.
pub fn key_material(line: &str) -> String {
    line.split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The tree of the folder `dir` in `tree`, if it has one.
fn subtree<'r>(
    repo: &'r git2::Repository,
    tree: &Tree<'_>,
    dir: &str,
) -> Result<Option<Tree<'r>>, StoreError> {
    match tree.get_path(std::path::Path::new(dir)).ok() {
        Some(e) if e.kind() == Some(git2::ObjectType::Tree) => repo
            .find_tree(e.id())
            .map(Some)
            .map_err(StoreError::git(format!("read the folder \"{dir}\""))),
        _ => Ok(None),
    }
}

/// (record or `None` for the commit, found, expected): see [`ClockMismatch`].
type ClockIssue = (Option<String>, Option<u64>, Option<u64>);

/// A commit's clocks against the rule strategi writes by ([`super::clock`]): its
/// `Strategi-Clock` trailer is its parent's clock plus one (a merge's: the highest of its
/// parents'), and each record it added with a `clock` carries the trailer's value. A
/// commit without the trailer counts as the highest of its parents (plain git, older
/// strategi) and is not judged, nor are its records without a clock; a record without a
/// clock added by a commit with the trailer is reported (strategi writes both). Notes the commit's
/// clock in `clocks` for its children. Returns (record or `None` for the commit, found,
/// expected).
fn clock_mismatches(
    repo: &git2::Repository,
    commit: &git2::Commit<'_>,
    tree: &Tree<'_>,
    changes: &[(String, ChangeKind)],
    clocks: &mut HashMap<Oid, u64>,
) -> Result<Vec<ClockIssue>, StoreError> {
    let mut parents_clock = 0;
    for p in commit.parents() {
        let n = match clocks.get(&p.id()) {
            Some(n) => *n,
            None => super::clock_of(repo, &p)?,
        };
        parents_clock = parents_clock.max(n);
    }
    let message = String::from_utf8_lossy(commit.message_bytes());
    let trailer = super::clock_in_message(&message);
    clocks.insert(commit.id(), trailer.unwrap_or(parents_clock));
    let mut out = Vec::new();
    if let Some(found) = trailer {
        let expected = if commit.parent_count() > 1 {
            parents_clock
        } else {
            parents_clock.saturating_add(1)
        };
        if found != expected {
            out.push((None, Some(found), Some(expected)));
        }
    }
    // Plain-git commits that add records are reported as foreign already.
    let strategi = trailer.is_some() || message.lines().any(|l| l.starts_with("Strategi-Action:"));
    if !strategi {
        return Ok(out);
    }
    for (path, kind) in changes {
        if *kind != ChangeKind::Added || !path.ends_with(".toml") {
            continue;
        }
        let Some(blob) = entry_id(tree, path).and_then(|id| repo.find_blob(id).ok()) else {
            continue;
        };
        let Ok(table) = std::str::from_utf8(blob.content())
            .unwrap_or_default()
            .parse::<toml::Table>()
        else {
            continue;
        };
        let mut found = Vec::new();
        clocks_in(&table, &mut found);
        // An import's own record (`inbox/<digest>/import.toml`) carries no clock: the
        // answer and comments it made do.
        let carries_clock = !path.ends_with("/import.toml");
        if found.is_empty() && trailer.is_some() && carries_clock && table.contains_key("at") {
            out.push((Some(path.clone()), None, trailer));
        }
        for n in found {
            if Some(n) != trailer {
                out.push((Some(path.clone()), Some(n), trailer));
                break;
            }
        }
    }
    Ok(out)
}

/// The `clock` values of a record: its own, and those of the tables in its arrays (the
/// `[[comment]]`s of a comments file).
fn clocks_in(table: &toml::Table, out: &mut Vec<u64>) {
    if let Some(n) = table.get("clock").and_then(toml::Value::as_integer) {
        out.push(n.max(0) as u64);
    }
    for v in table.values() {
        if let toml::Value::Array(items) = v {
            for item in items {
                if let toml::Value::Table(t) = item {
                    clocks_in(t, out);
                }
            }
        }
    }
}

/// The object at `path` in `tree`, if any.
fn entry_id(tree: &Tree<'_>, path: &str) -> Option<Oid> {
    tree.get_path(std::path::Path::new(path))
        .ok()
        .map(|e| e.id())
}

fn record_commit(commit: &git2::Commit<'_>) -> RecordCommit {
    let message = String::from_utf8_lossy(commit.message_bytes()).into_owned();
    let mut action = None;
    let mut party = None;
    if let Ok(trailers) = git2::message_trailers_strs(&message) {
        for (key, value) in trailers.iter() {
            match key {
                "Strategi-Action" if action.is_none() => action = value.trim().parse().ok(),
                "Strategi-Party" if party.is_none() => party = Some(value.trim().to_string()),
                _ => {}
            }
        }
    }
    let author = commit.author();
    RecordCommit {
        id: commit.id().to_string(),
        author: format!(
            "{} <{}>",
            String::from_utf8_lossy(author.name_bytes()),
            String::from_utf8_lossy(author.email_bytes())
        ),
        time: jiff::Timestamp::from_second(commit.time().seconds()).unwrap_or_default(),
        summary: message.lines().next().unwrap_or_default().to_string(),
        action,
        party,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes a commit of `files` (path, content) with `parents`; moves HEAD to it.
    fn commit(ws: &Workspace, files: &[(&str, &str)], parents: &[Oid], message: &str) -> Oid {
        let sig = git2::Signature::new(
            "Kari Nordmann",
            "kari@x.example",
            &git2::Time::new(1_700_000_000, 60),
        )
        .expect("sig");
        let id =
            super::super::test_support::commit_files(&ws.repo, None, files, parents, message, &sig);
        ws.repo
            .reference("refs/heads/main", id, true, "test")
            .expect("move main");
        id
    }

    #[test]
    fn records_are_the_files_of_rounds_submissions_and_approvals() {
        assert!(is_record_path("consultations/r1/round.toml"));
        assert!(is_record_path("consultations/r1/inbox/ab/message.eml"));
        assert!(is_record_path("approvals/x.toml"));
        assert!(is_record_path("submissions/x.toml"));
        assert!(!is_record_path("consultations/README.md"));
        assert!(!is_record_path("outbox/x.toml"));
        assert!(!is_record_path("strategi.toml"));
    }

    const TRAILERS: &str = "Record\n\nStrategi-Action: comment-add\nStrategi-Party: FIN\n";

    #[test]
    fn changes_per_commit_with_merges_charged_only_with_their_own() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ws = Workspace::create(&dir.path().join("ws"), None).expect("create");
        assert_eq!(
            ws.record_history().expect("history"),
            RecordHistory::default()
        );
        let a = ("consultations/r1/a.toml", "a = 1\n");
        let b = ("consultations/r1/b.toml", "b = 1\n");
        let c = ("approvals/c.toml", "c = 1\n");
        let draft = ("strategy/01.md", "# Tekst\n");
        let root = commit(&ws, &[a, draft], &[], TRAILERS);
        let side = commit(&ws, &[a, b, draft], &[root], "Plain git\n");
        let main = commit(&ws, &[a, c, draft], &[root], TRAILERS);
        // The merge takes both sides as they are, and changes a.
        let a2 = ("consultations/r1/a.toml", "a = 2\n");
        let merge = commit(&ws, &[a2, b, c, draft], &[main, side], "Merge\n");
        // A commit that only touches the draft is walked but not listed.
        let last = commit(
            &ws,
            &[a2, b, c, ("strategy/01.md", "# Ny\n")],
            &[merge],
            "Draft\n",
        );
        // b deleted.
        let del = commit(
            &ws,
            &[a2, c, ("strategy/01.md", "# Ny\n")],
            &[last],
            TRAILERS,
        );

        let h = ws.record_history().expect("history");
        assert_eq!(h.walked, 6);
        let seen: Vec<(String, ChangeKind, String)> = h
            .changes
            .iter()
            .map(|ch| {
                (
                    ch.path.clone(),
                    ch.kind,
                    h.commit_of(ch).expect("commit").id.clone(),
                )
            })
            .collect();
        let mut expected = vec![
            (a.0.to_string(), ChangeKind::Added, root.to_string()),
            (b.0.to_string(), ChangeKind::Added, side.to_string()),
            (c.0.to_string(), ChangeKind::Added, main.to_string()),
            (a.0.to_string(), ChangeKind::Modified, merge.to_string()),
            (b.0.to_string(), ChangeKind::Deleted, del.to_string()),
        ];
        // side and main are siblings: either may be walked first.
        let mut got = seen.clone();
        got.sort();
        expected.sort();
        assert_eq!(got, expected, "{seen:?}");
        let by_id = |id: Oid| {
            h.commits
                .iter()
                .find(|c| c.id == id.to_string())
                .expect("listed")
        };
        assert_eq!(by_id(root).action, Some(Action::CommentAdd));
        assert_eq!(by_id(root).party.as_deref(), Some("FIN"));
        assert_eq!(by_id(side).action, None);
        assert_eq!(by_id(merge).author, "Kari Nordmann <kari@x.example>");
        assert_eq!(by_id(merge).summary, "Merge");
        assert!(h.commits.iter().all(|c| c.id != last.to_string()));
    }

    #[test]
    fn keys_added_and_removed_per_party_in_the_same_walk() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ws = Workspace::create(&dir.path().join("ws"), None).expect("create");
        let config = |dfd: &str| {
            format!("[[party]]\ncode = \"DIO\"\n\n[[party]]\ncode = \"DFD\"\nkeys = [{dfd}]\n")
        };
        let a = "\"ssh-ed25519 AAAA1 one\"";
        let b = "\"ssh-ed25519 AAAA2 two\"";
        let first = config("");
        let root = commit(&ws, &[("strategi.toml", &first)], &[], TRAILERS);
        let with_a = config(a);
        let add = commit(&ws, &[("strategi.toml", &with_a)], &[root], TRAILERS);
        // Only the comment changes: no key change (the commit is walked, not listed).
        let renamed = config("\"ssh-ed25519 AAAA1 renamed\"");
        let comment = commit(&ws, &[("strategi.toml", &renamed)], &[add], "Plain\n");
        let with_b = config(b);
        let swap = commit(&ws, &[("strategi.toml", &with_b)], &[comment], "Swap\n");
        let h = ws.record_history().expect("history");
        assert_eq!(h.walked, 4);
        let seen: Vec<(String, String, ChangeKind, String)> = h
            .key_changes
            .iter()
            .map(|c| {
                (
                    c.party.clone(),
                    c.key.clone(),
                    c.kind,
                    h.commit_of_key(c).expect("commit").id.clone(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                (
                    "DFD".into(),
                    "ssh-ed25519 AAAA1".into(),
                    ChangeKind::Added,
                    add.to_string()
                ),
                (
                    "DFD".into(),
                    "ssh-ed25519 AAAA2".into(),
                    ChangeKind::Added,
                    swap.to_string()
                ),
                (
                    "DFD".into(),
                    "ssh-ed25519 AAAA1".into(),
                    ChangeKind::Deleted,
                    swap.to_string()
                ),
            ]
        );
        assert!(h.changes.is_empty());
        assert!(party_keys_in("not toml [").is_empty());

        // Two sides each add a key; the merge takes both and is charged with neither.
        let c = "\"ssh-ed25519 AAAA3 three\"";
        let side_text = config(&format!("{b}, {c}"));
        let side = commit(&ws, &[("strategi.toml", &side_text)], &[swap], TRAILERS);
        let main_text = config(&format!("{a}, {b}"));
        let main = commit(&ws, &[("strategi.toml", &main_text)], &[swap], TRAILERS);
        let both = config(&format!("{a}, {b}, {c}"));
        let merge = commit(&ws, &[("strategi.toml", &both)], &[main, side], "Merge\n");
        let h = ws.record_history().expect("history");
        assert!(
            h.key_changes
                .iter()
                .all(|k| h.commit_of_key(k).expect("commit").id != merge.to_string()),
            "{:?}",
            h.key_changes
        );
        assert_eq!(h.key_changes.len(), 5, "{:?}", h.key_changes);
    }

    #[test]
    fn policy_changes_are_judged_by_who_made_them_and_fold_commit_by_commit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ws = Workspace::create(&dir.path().join("ws"), None).expect("create");
        let config = |approver: &str, policy: &str| {
            format!("[case]\nowner = \"DIO\"\napprover = \"{approver}\"\n{policy}")
        };
        let init = "Init\n\nStrategi-Action: init\nStrategi-Party: DIO\n";
        let as_dio = "Set\n\nStrategi-Action: party-add\nStrategi-Party: DIO\n";
        let as_fin = "Set\n\nStrategi-Action: party-add\nStrategi-Party: FIN\n";
        let on = "[approval]\nrequire_signed_commits = [\"DFD\", \"FIN\"]\n";
        let fin_only = "[approval]\nrequire_signed_commits = [\"FIN\"]\n";
        let root = commit(&ws, &[("strategi.toml", &config("DFD", ""))], &[], init);
        // Tightening by plain git counts; loosening by another party does not; the
        // owner may loosen.
        let tighten = commit(
            &ws,
            &[("strategi.toml", &config("DFD", on))],
            &[root],
            "Plain\n",
        );
        let loosen = commit(
            &ws,
            &[("strategi.toml", &config("DFD", fin_only))],
            &[tighten],
            as_fin,
        );
        let approver = commit(
            &ws,
            &[("strategi.toml", &config("FIN", fin_only))],
            &[loosen],
            "Plain\n",
        );
        let owner = commit(
            &ws,
            &[("strategi.toml", &config("FIN", ""))],
            &[approver],
            as_dio,
        );
        let h = ws.record_history().expect("history");
        let index = |id: Oid| {
            h.commits
                .iter()
                .position(|c| c.id == id.to_string())
                .expect("listed")
        };
        type Seen<'a> = (PolicySetting, Option<&'a str>, Option<&'a str>, bool, usize);
        let seen: Vec<Seen<'_>> = h
            .policy_verdicts()
            .iter()
            .map(|v| {
                (
                    v.change.setting,
                    v.change.old.as_deref(),
                    v.change.new.as_deref(),
                    v.foreign,
                    v.change.commit,
                )
            })
            .collect();
        let (dfd_fin, fin) = (Some("[\"DFD\", \"FIN\"]"), Some("[\"FIN\"]"));
        assert_eq!(
            seen,
            vec![
                (
                    PolicySetting::Owner,
                    None,
                    Some("\"DIO\""),
                    false,
                    index(root)
                ),
                (
                    PolicySetting::Approver,
                    None,
                    Some("\"DFD\""),
                    false,
                    index(root)
                ),
                (
                    PolicySetting::RequireSignedCommits,
                    None,
                    dfd_fin,
                    false,
                    index(tighten)
                ),
                (
                    PolicySetting::RequireSignedCommits,
                    dfd_fin,
                    fin,
                    true,
                    index(loosen)
                ),
                (
                    PolicySetting::Approver,
                    Some("\"DFD\""),
                    Some("\"FIN\""),
                    true,
                    index(approver)
                ),
                (
                    PolicySetting::RequireSignedCommits,
                    fin,
                    None,
                    false,
                    index(owner)
                ),
            ]
        );
        let dfd = |i| h.signed_commits_at(i).requires("DFD");
        assert!(!dfd(index(root)), "not before it was turned on");
        assert!(dfd(index(tighten)));
        assert!(dfd(index(loosen)), "FIN's loosening does not count");
        assert!(!dfd(index(owner)), "the owner turned it off");
        assert_eq!(signed_commits_of(Some("true")), SignedCommits::All);
        assert_eq!(signed_commits_of(Some("false")), SignedCommits::Off);
    }

    #[test]
    fn the_owner_moves_only_by_changes_that_count() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ws = Workspace::create(&dir.path().join("ws"), None).expect("create");
        let config = |owner: &str| format!("[case]\nowner = \"{owner}\"\napprover = \"DFD\"\n");
        let init = "Init\n\nStrategi-Action: init\nStrategi-Party: DIO\n";
        let as_dio = "Set\n\nStrategi-Action: policy-set\nStrategi-Party: DIO\n";
        assert_eq!(ws.record_history().expect("history").owner(), None);
        let root = commit(&ws, &[("strategi.toml", &config("DIO"))], &[], init);
        assert_eq!(
            ws.key_history().expect("history").owner().as_deref(),
            Some("DIO")
        );
        // By plain git: not counted.
        let plain = commit(
            &ws,
            &[("strategi.toml", &config("FIN"))],
            &[root],
            "Plain\n",
        );
        assert_eq!(
            ws.key_history().expect("history").owner().as_deref(),
            Some("DIO")
        );
        // Acting as the owner as history stands (DIO, not the file's FIN): counted.
        commit(&ws, &[("strategi.toml", &config("KDD"))], &[plain], as_dio);
        assert_eq!(
            ws.key_history().expect("history").owner().as_deref(),
            Some("KDD")
        );
    }
}
