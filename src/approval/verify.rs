//! The check of the whole workspace, as gitoxide's `verify_integrity`: a library call
//! returning an outcome ([`Verification`]) that the command formats.
//!
//! Unlike the acts, which stop at the first bad file, [`verify`] reads every file on its
//! own and collects *findings*: parse errors (with file, line and column), references
//! that do not resolve, version tags whose commit no longer holds the tree in their
//! `Strategi-Tree` trailer, approvals whose version no longer has the approved commit
//! and tree (a moved or rewritten `vN` tag), signed approval tags that are missing, do
//! not verify, or are signed by a key not listed for the approver, and records that
//! break a rule: the folds' findings (consultation facts, comments and decisions made
//! by a party that could not make them) and the approvals [`super::fold_approvals`]
//! ignores, by the same rules the `approve` command refuses by.
//!
//! It also checks the order and the history of the records: records dated before what
//! they follow (a decision before its comment, a round before its version, an answer
//! before the round, an approval or submission before its version), every record file a
//! later commit modified or deleted, and every commit that added records without
//! strategi's trailers, each named with the commit and its author (from
//! [`Workspace::record_history`], one walk of the history).
//!
//! The same walk shows who added each party's signing keys ([`super::keys`]): a key
//! listed for a party that the party did not add itself (acting as it), a key removed
//! by another party, and every approval signed by such a key are reported. With a trust
//! anchor from outside the workspace ([`verify_with_anchor`], an allowed-signers file),
//! every signed approval is also checked against it.

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;
use serde::Serialize;

use crate::calendar::work_calendar;
use crate::consultation::rules as rules_c;
use crate::consultation::{
    CommentFile, DecisionRecord, Fact, FactBody, ImportRecord, RoundDef, RoundState, decision_path,
    load_round,
};
use crate::model::{Config, RecordId, Version, VersionName};
use crate::sign::{AllowedSigners, GIT_NAMESPACE, PublicKey};
use crate::store::{
    CONFIG_FILE, CONSULTATIONS_DIR, ChangeKind, RecordCommit, RecordHistory, StoreError, Workspace,
    parse_record,
};

use super::{
    APPROVALS_DIR, ApprovalRecord, LaterActs, SIGNATURES_DIR, SUBMISSIONS_DIR, SignatureRecord,
    SubmissionRecord, WITHDRAWALS_DIR, fold_approvals, key_provenance, load_each, party_keys,
    round_comments, rules,
};

/// What kind of problem a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// A file that does not parse (the message has line and column), or a key in the
    /// configuration that does not read.
    BadFile,
    /// A file that should be there is not (a round's definition, an import record).
    MissingFile,
    /// A version tag that is not strategi's, or whose commit no longer holds its tree.
    BadVersion,
    /// A record names a version that does not exist.
    UnknownVersion,
    /// A record's version no longer has the commit and tree the record names.
    TextChanged,
    /// An approval record whose commit and tree do not belong together (edited).
    EditedRecord,
    /// A record names a party that is not a party of the case.
    UnknownParty,
    /// A record that breaks a rule, ignored by its fold.
    Ignored,
    /// A signed approval tag that is missing, does not verify, or does not match its
    /// record.
    Signature,
    /// A record dated before what it follows: a decision before its comment, a round
    /// opened before its version was cut, an answer before the round was opened, an
    /// approval or submission of a version before the version existed.
    OutOfOrder,
    /// A record file that a commit after the one that wrote it modified or deleted
    /// (records are written once), named with that commit and its author.
    RecordChanged,
    /// A commit that added record files without strategi's `Strategi-Action` trailer:
    /// not written by strategi.
    ForeignCommit,
    /// A party's signing key that history shows was added (or removed) in a commit not
    /// acting as that party: by another party, by plain git, or not committed at all;
    /// named with the key's fingerprint, the commit, its author and the acting party.
    ForeignKey,
    /// An approval signed with a key that is not the approver's own ([`ForeignKey`]).
    ///
    /// [`ForeignKey`]: FindingKind::ForeignKey
    ForeignKeyApproval,
    /// A signed approval whose key is not allowed for the approver by the trust anchor
    /// given to `verify --allowed-signers FILE`.
    NotAnchored,
    /// A commit that cuts a version whose tag is missing (a `version cut` interrupted
    /// between its commit and its tag) or is on another commit.
    UntaggedVersion,
    /// A signed approval tag (`approved/vN`) that no approval record names (an
    /// `approve` interrupted between its tag and its record).
    OrphanTag,
    /// A one-line field of a record (a round's title, a reason, a note) with a line
    /// break or another control character in it: edited by hand, since the commands
    /// refuse such text.
    ControlCharacter,
    /// A password in `[mail] smtp_url` of `strategi.toml`: in the file as it is, or in
    /// a commit that put it into history (named with the commit).
    Credential,
    /// Where the case requires signed commits (`[approval] require_signed_commits`), a
    /// commit that touches records acting as a party and is not signed by one of that
    /// party's own keys: unsigned, a signature that does not hold, or signed by a key of
    /// another party or an unknown one; named with the commit, its author and the
    /// acting party.
    CommitSignature,
    /// A key of `strategi.toml` that both sides of a `sync` changed differently: the
    /// merge kept the remote's value and recorded the conflict (`Strategi-Conflict:`),
    /// which stays open until settled (`Strategi-Settled: KEY` in a later commit).
    ConfigConflict,
    /// A change to `[case] owner`, `[case] approver` or a signature policy
    /// (`[approval] require_signed_commits`, `require_signature`) that loosens it and
    /// was not made by a strategi commit acting as the case owner (by plain git or
    /// acting as another party); named with the commit, its author and the old and
    /// new value. History leaves such a change out of the policy as it stood.
    PolicyChanged,
    /// A record whose logical clock (`clock`) is not the `Strategi-Clock` trailer of the
    /// strategi commit that added it (strategi gives every record of a commit the
    /// commit's clock): written or edited by hand to sort before or after other facts.
    RecordClock,
    /// A commit whose `Strategi-Clock` trailer is not one more than its parent's clock
    /// (for a merge: the highest of its parents'), as strategi writes it: a forged clock
    /// (the clocks that follow it are taken from it).
    CommitClock,
}

/// One problem found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// What kind of problem.
    pub kind: FindingKind,
    /// The file (or ref) concerned, relative to the workspace.
    pub path: String,
    /// The commit concerned, where there is one (hex).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub hint: String,
}

/// The outcome of [`verify`]: the findings, and how many of each thing were checked.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Verification {
    /// Every problem found, in the order found.
    pub findings: Vec<Finding>,
    /// How many of each were checked: "configuration", "versions", "rounds",
    /// "submissions", "approvals", "signatures".
    pub checked: BTreeMap<&'static str, usize>,
    /// What is not a problem but should be said plainly, such as the commits whose
    /// authorship rests only on the git host's access control (unsigned commits that
    /// touch records, where the case does not require signed commits).
    pub notes: Vec<String>,
}

impl Verification {
    /// Whether nothing was found.
    pub fn is_ok(&self) -> bool {
        self.findings.is_empty()
    }

    fn add(
        &mut self,
        kind: FindingKind,
        path: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.findings.push(Finding {
            kind,
            path: path.into(),
            commit: None,
            message: message.into(),
            hint: hint.into(),
        });
    }

    fn add_at(
        &mut self,
        kind: FindingKind,
        path: impl Into<String>,
        commit: &str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.add(kind, path, message, hint);
        if let Some(f) = self.findings.last_mut() {
            f.commit = Some(commit.to_string());
        }
    }

    fn count(&mut self, what: &'static str) {
        *self.checked.entry(what).or_default() += 1;
    }

    /// Records a parse error of `path` (the message carries line and column).
    fn bad_file(&mut self, path: &str, e: &StoreError) {
        let hint = match e {
            StoreError::BadFile { .. } => format!(
                "Correct the file at the line shown, or restore what strategi wrote with `git checkout -- {path}`."
            ),
            _ => "Check that the file can be read.".to_string(),
        };
        self.add(FindingKind::BadFile, path, e.to_string(), hint);
    }
}

const RESTORE: &str =
    "Restore the file from history (`git log -- PATH`), or remove it with a commit that says why.";

/// Checks the whole workspace as of `today` (the day the rounds are folded for): the
/// configuration, every version tag, every round with its facts, comments, decisions
/// and imports, every submission and approval, and every signed approval tag. Reads the
/// configuration itself, so that a bad `strategi.toml` is a finding, not an error.
/// Errors are only what stops the check itself (a folder that cannot be listed).
pub fn verify(ws: &Workspace, today: Date) -> Result<Verification, StoreError> {
    verify_with_anchor(ws, today, None)
}

/// What verify finds in the records (versions, rounds with their facts, submissions,
/// approvals) judged with `config` instead of the workspace's own: what a change of the
/// policy to `config` would make of the records already there.
pub fn record_findings_with(
    ws: &Workspace,
    today: Date,
    config: &Config,
) -> Result<Vec<Finding>, StoreError> {
    // The records themselves, never the read cache.
    let _no_cache = ws.without_read_cache();
    let mut r = Verification::default();
    let versions = check_versions(ws, &mut r)?;
    let rounds = check_rounds(ws, Some(config), today, &versions, &mut r)?;
    check_submissions(ws, Some(config), &versions, &mut r)?;
    check_approvals(ws, Some(config), &versions, &rounds, &mut r)?;
    Ok(r.findings)
}

/// [`verify`], and with `anchor` (an allowed-signers file from outside the workspace,
/// such as the approver's published key) every signed approval checked against it too:
/// a tag whose signature is not by a key the anchor allows for the approver
/// (`CODE@strategi`, namespace `git`) is a [`FindingKind::NotAnchored`].
pub fn verify_with_anchor(
    ws: &Workspace,
    today: Date,
    anchor: Option<&AllowedSigners>,
) -> Result<Verification, StoreError> {
    // The records themselves, never the read cache.
    let _no_cache = ws.without_read_cache();
    let mut r = Verification::default();
    // Read here, not with `ws.config()`, which refuses a password in smtp_url: verify
    // reports it and checks the rest.
    let parsed = ws.config_text().and_then(|text| {
        crate::store::parse_config_before_settings(std::path::Path::new(CONFIG_FILE), &text)
            .map(|(c, credential)| (c, credential, text))
    });
    let config = match parsed {
        Ok((c, credential, text)) => {
            r.count("configuration");
            if let Some(e) = credential {
                r.add(FindingKind::Credential, CONFIG_FILE, e.to_string(), ROTATE);
            }
            // The settings of `settings/` folded over it, as every command sees them.
            match ws.fold_settings_over(c.clone()) {
                Ok(fold) => {
                    r.checked
                        .insert("settings", fold.applied + fold.findings.len());
                    for f in fold.findings {
                        r.add(
                            FindingKind::Ignored,
                            &f.path,
                            format!("This setting is ignored: {}.", f.message),
                            "Settings are records written once: write the setting again with the command that makes it (`party add`, `party key`, `milestone add`, `milestone done`); leave this file as it is.",
                        );
                    }
                    match crate::store::check_policy_parties(
                        std::path::Path::new(CONFIG_FILE),
                        &text,
                        &fold.config,
                    ) {
                        Ok(()) => Some(fold.config),
                        Err(e) => {
                            r.bad_file(CONFIG_FILE, &e);
                            None
                        }
                    }
                }
                Err(e) => {
                    r.bad_file(crate::store::SETTINGS_DIR, &e);
                    Some(c)
                }
            }
        }
        Err(e) => {
            r.bad_file(CONFIG_FILE, &e);
            None
        }
    };
    let versions = check_versions(ws, &mut r)?;
    let rounds = check_rounds(ws, config.as_ref(), today, &versions, &mut r)?;
    check_submissions(ws, config.as_ref(), &versions, &mut r)?;
    check_approvals(ws, config.as_ref(), &versions, &rounds, &mut r)?;
    let history = ws.record_history()?;
    check_history(ws, &history, &mut r)?;
    check_credentials(&history, &mut r);
    check_clocks(&history, &mut r);
    check_one_line_fields(ws, &mut r)?;
    if let Some(config) = &config {
        check_key_provenance(ws, config, &history, &mut r)?;
        check_commit_signatures(ws, &history, &mut r)?;
        check_policy_changes(ws, &history, &mut r)?;
        if let Some(anchor) = anchor {
            check_anchor(ws, config, anchor, &mut r)?;
        }
    }
    check_interrupted(ws, &mut r)?;
    Ok(r)
}

/// The clocks history shows that strategi would not have written
/// ([`crate::store::ClockMismatch`]).
fn check_clocks(history: &RecordHistory, r: &mut Verification) {
    for m in &history.clocks {
        let Some(commit) = history.commits.get(m.commit) else {
            continue;
        };
        let by = format!(
            "commit {} by {} (\"{}\")",
            commit.short_id(),
            commit.author,
            commit.summary
        );
        match (&m.path, m.expected) {
            (Some(path), expected) => r.add_at(
                FindingKind::RecordClock,
                path,
                &commit.id,
                match (m.found, expected) {
                    (None, e) => format!(
                        "The record has no logical clock (`clock = N`) but {by} that added it carries Strategi-Clock {}; strategi writes both, so this one was written or edited by hand (a record without a clock is ordered by its date, which its author chose).",
                        e.map_or_else(|| "?".to_string(), |e| e.to_string())
                    ),
                    (Some(found), Some(e)) => format!(
                        "The record's logical clock is {} but {by} that added it carries Strategi-Clock {e}; strategi gives a record its commit's clock, so this one was written or edited by hand (to sort before or after other facts).",
                        found
                    ),
                    (Some(found), None) => format!(
                        "The record carries the logical clock {} but {by} that added it has no Strategi-Clock trailer; strategi writes both, so this one was written or edited by hand.",
                        found
                    ),
                },
                format!("Find out who made the commit and why (`git show {}`); a record is ordered by its clock, so a forged one sorts where its author wanted. If it is not genuine, remove it with a commit that says why and record the fact again with strategi.", commit.short_id()),
            ),
            (None, Some(e)) => r.add_at(
                FindingKind::CommitClock,
                history
                    .changes
                    .iter()
                    .find(|c| c.commit == m.commit)
                    .map_or_else(|| format!("commit {}", commit.short_id()), |c| c.path.clone()),
                &commit.id,
                format!(
                    "{by} carries Strategi-Clock {} where strategi writes {e} (one more than its parent's clock; a merge: the highest of its parents'): the clock was forged or the commit copied onto another history.",
                    m.found.unwrap_or_default()
                ),
                format!("Find out who made the commit and why (`git show {}`); the facts after it are ordered from its clock. Records it wrote with that clock are listed as record-clock findings.", commit.short_id()),
            ),
            (None, None) => {}
        }
    }
}

const ROTATE: &str = "Remove the password from smtp_url (keep only the user name, smtps://user@host) and name the environment variable that holds it with password_env = \"NAME\" under [mail]. The password is in git's history and in every copy of the workspace: have it changed (rotated) at the mail server; removing it from the file does not remove it from history.";

/// How many commit ids a note lists before it says "and N more".
const NOTE_COMMITS: usize = 8;

/// Signed commits ([`super::commits`]): where the case requires them, every commit
/// that touches records acting as such a party must be signed by one of its own keys;
/// the unsigned commits it does not require are named in a note.
fn check_commit_signatures(
    ws: &Workspace,
    history: &RecordHistory,
    r: &mut Verification,
) -> Result<(), StoreError> {
    let signatures = super::commits::record_commit_signatures(ws, history)?;
    let mut unvouched = Vec::new();
    for s in &signatures {
        if s.state.holds() {
            r.count("commit signatures");
            continue;
        }
        if !s.required {
            unvouched.push(s.commit.short_id().to_string());
            continue;
        }
        r.count("commit signatures");
        let p = s.acting();
        let hint = match &s.state {
            super::commits::SignatureState::OtherKey { .. } => format!(
                "Only a key {p} added itself vouches for {p}'s commits (`strategi --as {p} party key {p} --add-file KEY.pub`). Find out who made the commit (`git show --show-signature {}`); a record committed under another's key is not {p}'s.",
                s.commit.short_id()
            ),
            _ => format!(
                "This case requires signed commits ([approval] require_signed_commits). Find out who made the commit (`git show --show-signature {}`); strategi signs every commit when git names the person's key (`git config gpg.format ssh`, `git config user.signingKey FILE`).",
                s.commit.short_id()
            ),
        };
        let path = history
            .changes
            .iter()
            .find(|c| c.commit == s.index)
            .map(|c| c.path.clone())
            .unwrap_or_default();
        r.add_at(
            FindingKind::CommitSignature,
            path,
            &s.commit.id,
            s.describe(),
            hint,
        );
    }
    if !unvouched.is_empty() {
        let n = unvouched.len();
        let mut list = unvouched
            .iter()
            .take(NOTE_COMMITS)
            .cloned()
            .collect::<Vec<_>>()
            .join(" ");
        if n > NOTE_COMMITS {
            list.push_str(&format!(" and {} more", n - NOTE_COMMITS));
        }
        let commits = if n == 1 {
            "commit that touches records is"
        } else {
            "commits that touch records are"
        };
        r.notes.push(format!(
            "{n} {commits} not signed by the acting party's own key; who made them rests on the git host's access control: {list}. Require signed commits with `require_signed_commits = true` under [approval] in {CONFIG_FILE}."
        ));
    }
    Ok(())
}

/// Every change to the owner, the approver or a signature policy that history shows was
/// made behind the owner's back ([`RecordHistory::policy_verdicts`]).
///
/// A loosening the owner made, where the policy as it stood before required the owner's
/// commits to be signed, must be signed by one of the owner's own keys: else copied
/// trailers would be enough to undo the policy.
fn check_policy_changes(
    ws: &Workspace,
    history: &RecordHistory,
    r: &mut Verification,
) -> Result<(), StoreError> {
    for v in history.policy_verdicts() {
        let Some(commit) = history.commits.get(v.change.commit) else {
            continue;
        };
        if !v.foreign {
            let index = v.change.commit;
            let Some(owner) = v.owner.as_deref() else {
                continue;
            };
            let before = match index.checked_sub(1) {
                Some(i) => history.signed_commits_at(i),
                None => crate::model::SignedCommits::Off,
            };
            if !v.change.loosens() || !before.requires(owner) {
                continue;
            }
            let state = super::commits::commit_signature(ws, history, index, Some(owner))?;
            if state.holds() {
                continue;
            }
            r.add_at(
                FindingKind::PolicyChanged,
                CONFIG_FILE,
                &commit.id,
                format!(
                    "{} was changed from {} to {} by commit {} by {} acting as the case owner {owner}, and {}",
                    v.change.setting.name(),
                    v.change.old.as_deref().unwrap_or("nothing"),
                    v.change.new.as_deref().unwrap_or("nothing"),
                    commit.short_id(),
                    commit.author,
                    state.why(owner)
                ),
                format!(
                    "The case requires {owner}'s commits to be signed: find out who made the commit (`git show --show-signature {}`). If it was not {owner}, restore the setting in {CONFIG_FILE} as it was and commit.",
                    commit.short_id()
                ),
            );
            continue;
        }
        let setting = v.change.setting.name();
        let how = match (&commit.action, &commit.party) {
            (None, _) => "with plain git (no Strategi-Action trailer)".to_string(),
            (Some(_), Some(p)) => format!("acting as {p}"),
            (Some(_), None) => "acting as no party".to_string(),
        };
        let owner = match &v.owner {
            Some(o) => format!("the case owner {o}"),
            None => "init".to_string(),
        };
        r.add_at(
            FindingKind::PolicyChanged,
            CONFIG_FILE,
            &commit.id,
            format!(
                "{setting} was changed from {} to {} by commit {} by {} {how}, not by {owner}; history keeps the setting as {owner} left it.",
                v.change.old.as_deref().unwrap_or("nothing"),
                v.change.new.as_deref().unwrap_or("nothing"),
                commit.short_id(),
                commit.author,
            ),
            format!(
                "Find out who made the commit (`git show {}`). If it was not meant, restore {setting} in {CONFIG_FILE} as it was and commit; who owns and approves the case and what must be signed is the owner's to decide.",
                commit.short_id()
            ),
        );
    }
    Ok(())
}

/// Every commit that put a password into `[mail] smtp_url` (from the one walk).
fn check_credentials(history: &RecordHistory, r: &mut Verification) {
    for c in &history.credentials {
        let Some(commit) = history.commits.get(c.commit) else {
            continue;
        };
        r.add_at(
            FindingKind::Credential,
            CONFIG_FILE,
            &commit.id,
            format!(
                "Commit {} by {} (\"{}\") put a password into [mail] smtp_url ({CONFIG_FILE}, line {}).",
                commit.short_id(),
                commit.author,
                commit.summary,
                c.line
            ),
            ROTATE,
        );
    }
}

/// The one-line fields of each kind of record (the ones the acts check with
/// [`crate::model::one_line`]), by folder: a round's definition, its facts (an
/// extension's reason, a position's or a closing's note), submissions and approvals.
const ONE_LINE_FIELDS: [(&str, &[&str]); 6] = [
    ("round.toml", &["title", "reason"]),
    ("facts", &["reason", "note"]),
    (SUBMISSIONS_DIR, &["note"]),
    (APPROVALS_DIR, &["note", "reason"]),
    (SIGNATURES_DIR, &["note"]),
    (WITHDRAWALS_DIR, &["reason"]),
];

/// Every one-line field of a record that holds a line break or another control
/// character. Records that do not parse as TOML are reported elsewhere.
fn check_one_line_fields(ws: &Workspace, r: &mut Verification) -> Result<(), StoreError> {
    let mut files = Vec::new();
    for folder in ws.list_folders(CONSULTATIONS_DIR)? {
        let base = format!("{CONSULTATIONS_DIR}/{folder}");
        if let Some(f) = ws.read_record(&format!("{base}/round.toml"))? {
            files.push((f, ONE_LINE_FIELDS[0].1));
        }
        for f in ws.read_records(&format!("{base}/facts"))? {
            files.push((f, ONE_LINE_FIELDS[1].1));
        }
    }
    for (dir, fields) in &ONE_LINE_FIELDS[2..] {
        for f in ws.read_records(dir)? {
            files.push((f, *fields));
        }
    }
    for (f, fields) in files {
        let Ok(table) = f.text()?.parse::<toml::Table>() else {
            continue;
        };
        for field in fields {
            let Some(value) = table.get(*field).and_then(toml::Value::as_str) else {
                continue;
            };
            let Some(c) = value.trim().chars().find(|c| c.is_control()) else {
                continue;
            };
            let what = match c {
                '\n' | '\r' => "a line break",
                '\t' => "a tab",
                _ => "a control character",
            };
            r.add(
                FindingKind::ControlCharacter,
                &f.path,
                format!(
                    "The field \"{field}\" of {} holds {what} (U+{:04X}); strategi writes it on one line, so the record was edited by hand.",
                    f.path, c as u32
                ),
                format!(
                    "Restore what strategi wrote with `git log -p -- {}` and `git checkout COMMIT -- {}`; a hand-edited record is not what was recorded.",
                    f.path, f.path
                ),
            );
        }
    }
    Ok(())
}

/// What a command killed half-way leaves: a version commit without its tag, a signed
/// approval tag without its record.
fn check_interrupted(ws: &Workspace, r: &mut Verification) -> Result<(), StoreError> {
    for u in ws.untagged_versions()? {
        let hint = if u.tag_on.is_none() {
            "Run `strategi repair` (or any command that writes), which makes the missing tag from the commit.".to_string()
        } else {
            format!(
                "Two commits claim {}; the tag says which one the version is. Look at both with `git show`, and cut a new version if the other one's text is the one meant.",
                u.name
            )
        };
        r.add_at(
            FindingKind::UntaggedVersion,
            format!("refs/tags/{}", u.name.tag()),
            &u.commit,
            u.describe(),
            hint,
        );
    }
    for c in ws.open_config_conflicts()? {
        r.add_at(
            FindingKind::ConfigConflict,
            crate::store::CONFIG_FILE,
            &c.commit,
            format!(
                "Both sides of a sync changed \"{}\" differently; the merge kept the remote's value {} over {}.",
                c.key,
                c.remote.as_deref().unwrap_or("(not set)"),
                c.local.as_deref().unwrap_or("(not set)")
            ),
            format!(
                "Settle it: `strategi config settle {} --keep` keeps the value strategi.toml has now, `--value VALUE` writes another (`strategi config conflicts` shows both; the owner settles [case] owner and approver and the signature policies). By hand: a commit whose message ends with the line `Strategi-Settled: {}`.",
                c.key, c.key
            ),
        );
    }
    for (tag, ours) in orphan_approval_tags(ws)? {
        let hint = if ours {
            "The next write (`strategi approve`, any other write, or `strategi repair`) removes the tag; then the version can be approved again."
                .to_string()
        } else {
            format!(
                "Look at it with `git show {tag}`; remove it with `git tag -d {tag}` if it is stray."
            )
        };
        r.add(
            FindingKind::OrphanTag,
            format!("refs/tags/{tag}"),
            format!("The signed tag {tag} is named by no approval record (an approval interrupted before it was recorded)."),
            hint,
        );
    }
    Ok(())
}

/// The signed approval tags (`approved/vN`) that no approval record names, each with
/// whether its message is one `approve` writes (so that `strategi repair` may remove
/// it). A record that does not parse but mentions the tag counts as naming it.
pub fn orphan_approval_tags(ws: &Workspace) -> Result<Vec<(String, bool)>, StoreError> {
    let tags = ws.tags_under("approved/")?;
    if tags.is_empty() {
        return Ok(Vec::new());
    }
    let mut named: Vec<String> = Vec::new();
    let mut unparsed: Vec<String> = Vec::new();
    for f in ws.read_records(APPROVALS_DIR)? {
        match parse_record::<ApprovalRecord>(&f.path, &f.text()?) {
            Ok(a) => named.extend(a.signed_tag),
            Err(_) => unparsed.push(f.text()?.into_owned()),
        }
    }
    for f in ws.read_records(SIGNATURES_DIR)? {
        match parse_record::<SignatureRecord>(&f.path, &f.text()?) {
            Ok(s) => named.push(s.signed_tag),
            Err(_) => unparsed.push(f.text()?.into_owned()),
        }
    }
    let mut out = Vec::new();
    for tag in tags {
        if named.contains(&tag) || unparsed.iter().any(|t| t.contains(&format!("\"{tag}\""))) {
            continue;
        }
        // `approved/v2`, or `approved/v2-2` for an approval after a withdrawal.
        let Some(version) = tag
            .strip_prefix("approved/")
            .and_then(|v| v.split('-').next())
        else {
            continue;
        };
        let ours = ws.tag_message(&tag)?.is_some_and(|m| {
            m.starts_with(&format!("Approved {version}: ")) && m.contains("\nApproved-By: ")
        });
        out.push((tag, ours));
    }
    Ok(out)
}

/// Keys belong to their party ([`super::keys`]): every key listed for a party that
/// history does not show the party added itself, every key of a party removed by
/// another, and every approval signed by such a key.
fn check_key_provenance(
    ws: &Workspace,
    config: &Config,
    history: &RecordHistory,
    r: &mut Verification,
) -> Result<(), StoreError> {
    let provenance = match key_provenance(config, history) {
        Ok(p) => p,
        // A key that does not read is reported by check_approvals.
        Err(_) => return Ok(()),
    };
    for f in &provenance.foreign {
        let hint = format!(
            "A signing key is {p}'s only when {p} adds it (`strategi --as {p} party key {p} --add-file KEY.pub`). Find out who added this one (`git log -p -- {CONFIG_FILE}`); remove it with a commit that says why, and have {p} add its key.",
            p = f.party
        );
        let message = f.describe();
        match &f.commit {
            Some(c) => r.add_at(FindingKind::ForeignKey, CONFIG_FILE, &c.id, message, hint),
            None => r.add(FindingKind::ForeignKey, CONFIG_FILE, message, hint),
        }
    }
    for k in &provenance.removed {
        let c = &k.commit;
        let acting = c
            .party
            .as_deref()
            .filter(|_| c.action.is_some())
            .unwrap_or("no party (strategi did not make the commit)");
        r.add_at(
            FindingKind::ForeignKey,
            CONFIG_FILE,
            &c.id,
            format!(
                "A signing key of {} ({}) was removed by commit {} by {} acting as {}, not as {}.",
                k.party,
                PublicKey::from_openssh(&k.key)
                    .map(|p| p.fingerprint())
                    .unwrap_or_else(|_| short(&k.key).to_string()),
                c.short_id(),
                c.author,
                acting,
                k.party
            ),
            format!(
                "Only {} changes its keys; find out who removed it and why (`git show {}`).",
                k.party,
                c.short_id()
            ),
        );
    }
    let approver = &config.case.approver;
    let foreign: Vec<&super::ForeignKey> = provenance.foreign_of(approver).collect();
    if foreign.is_empty() {
        return Ok(());
    }
    let foreign_keys: Vec<PublicKey> = foreign.iter().map(|f| f.key.clone()).collect();
    for (path, a) in signed_records(ws)? {
        // The key that signed the tag, if it is a foreign one; else the key the record
        // names.
        let by_tag = a.signed_tag.as_ref().and_then(|tag| {
            let t = ws.signed_tag(tag).ok()?;
            crate::sign::verify(
                &t.signature,
                GIT_NAMESPACE,
                t.payload.as_bytes(),
                &foreign_keys,
            )
            .ok()
            .map(|k| k.fingerprint())
        });
        let fingerprint = by_tag.or_else(|| {
            a.key_fingerprint
                .clone()
                .filter(|fp| foreign.iter().any(|f| &f.fingerprint == fp))
        });
        let Some(fp) = fingerprint else { continue };
        let Some(f) = foreign.iter().find(|f| f.fingerprint == fp) else {
            continue;
        };
        r.add(
            FindingKind::ForeignKeyApproval,
            &path,
            format!(
                "The approval of {} is signed with the key {fp}, which is not {approver}'s own: {}",
                a.version,
                f.describe()
            ),
            format!("The approval does not show that {approver} approved. Remove it (and its tag) with a commit that says why; {approver} approves again with one of its own keys."),
        );
    }
    Ok(())
}

/// The records that name a signed tag and the key that signed it: the approvals, and
/// the later signatures (as the approval they sign would read with it). Files that do
/// not parse are reported elsewhere.
fn signed_records(ws: &Workspace) -> Result<Vec<(String, ApprovalRecord)>, StoreError> {
    let mut out = Vec::new();
    let mut approvals = Vec::new();
    for (path, rec) in load_each::<ApprovalRecord>(ws, APPROVALS_DIR)? {
        if let Ok(a) = rec {
            approvals.push(a.clone());
            out.push((path, a));
        }
    }
    for (path, rec) in load_each::<SignatureRecord>(ws, SIGNATURES_DIR)? {
        let Ok(s) = rec else { continue };
        let Some(mut a) = approvals.iter().find(|a| a.id == s.approval).cloned() else {
            continue;
        };
        a.signed_tag = Some(s.signed_tag);
        a.key_fingerprint = Some(s.key_fingerprint);
        out.push((path, a));
    }
    Ok(out)
}

/// Every signed approval checked against a trust anchor from outside the workspace.
fn check_anchor(
    ws: &Workspace,
    config: &Config,
    anchor: &AllowedSigners,
    r: &mut Verification,
) -> Result<(), StoreError> {
    let approver = &config.case.approver;
    let principal = format!("{approver}@strategi");
    let allowed = anchor.keys_for(&principal, GIT_NAMESPACE);
    for (path, a) in signed_records(ws)? {
        let Some(tag) = &a.signed_tag else { continue };
        r.count("anchored signatures");
        if let Err(e) = ws.verify_signed_tag(tag, &allowed) {
            r.add(
                FindingKind::NotAnchored,
                &path,
                format!(
                    "The signed approval of {} (tag {tag}) is not allowed by the allowed-signers file for {principal}: {e}",
                    a.version
                ),
                format!("Confirm {approver}'s key with {approver} out of band; the approval was not signed with a key the file allows for {principal}."),
            );
        }
    }
    Ok(())
}

/// Tamper evidence from history: every record file a later commit modified or deleted,
/// and every commit that added records without strategi's trailers. A commit with
/// copied trailers that modifies a record is still reported: the modification is the
/// offence, not the missing trailer.
fn check_history(
    ws: &Workspace,
    history: &RecordHistory,
    r: &mut Verification,
) -> Result<(), StoreError> {
    for (path, kind) in ws.uncommitted_record_changes()? {
        let (what, hint) = match kind {
            ChangeKind::Deleted => (
                "deleted",
                format!("Restore it with `git checkout HEAD -- {path}`."),
            ),
            _ => (
                "changed",
                format!(
                    "Records are written once: see the change with `git diff HEAD -- {path}`, and undo it with `git checkout HEAD -- {path}`; a correction is a new record made with strategi."
                ),
            ),
        };
        r.add(
            FindingKind::RecordChanged,
            &path,
            format!("The record was {what} in the working tree after strategi committed it (not committed)."),
            hint,
        );
    }
    *r.checked.entry("commits").or_default() += history.walked;
    let mut written: HashMap<&str, &RecordCommit> = HashMap::new();
    for change in &history.changes {
        let Some(commit) = history.commit_of(change) else {
            continue;
        };
        let path = change.path.as_str();
        let by = format!(
            "commit {} by {} ({}, \"{}\")",
            commit.short_id(),
            commit.author,
            commit.time,
            commit.summary
        );
        let foreign = if commit.action.is_none() {
            ", a commit strategi did not make (it has no Strategi-Action trailer)"
        } else {
            ""
        };
        let first = written.get(path).map(|w| {
            format!(
                " It was written by commit {} by {}.",
                w.short_id(),
                w.author
            )
        });
        match change.kind {
            ChangeKind::Added => {
                if commit.action.is_none() {
                    r.add_at(
                        FindingKind::ForeignCommit,
                        path,
                        &commit.id,
                        format!("The record was added by {by}{foreign}."),
                        format!("Find out who made the commit and why (`git show {}`); if the record is not genuine, remove it with a commit that says why, and record the fact with strategi.", commit.short_id()),
                    );
                }
                written.entry(path).or_insert(commit);
            }
            ChangeKind::Modified => r.add_at(
                FindingKind::RecordChanged,
                path,
                &commit.id,
                format!(
                    "The record was modified by {by}{foreign}; records are written once.{}",
                    first.unwrap_or_default()
                ),
                format!("A changed record may be a forgery: find out who changed it and why (`git show {} -- {path}`). The text as first written is in `git log --diff-filter=A -- {path}`; a correction is a new record made with strategi, never an edit.", commit.short_id()),
            ),
            ChangeKind::Deleted => r.add_at(
                FindingKind::RecordChanged,
                path,
                &commit.id,
                format!(
                    "The record was deleted by {by}{foreign}; records are written once.{}",
                    first.unwrap_or_default()
                ),
                format!("Find out who removed it and why (`git show {} -- {path}`); restore it with `git checkout {}^ -- {path}` and commit, if it was removed by mistake.", commit.short_id(), commit.short_id()),
            ),
        }
    }
    Ok(())
}

/// Each version tag read on its own; its commit must still hold the tree its trailer names.
fn check_versions(
    ws: &Workspace,
    r: &mut Verification,
) -> Result<HashMap<VersionName, Version>, StoreError> {
    let mut out = HashMap::new();
    for name in ws.version_names()? {
        let path = format!("refs/tags/{}", name.tag());
        let v = match ws.version(name) {
            Ok(v) => v,
            Err(e) => {
                r.add(FindingKind::BadVersion, &path, e.to_string(), "Tags named v1, v2, … are strategi's versions; restore the tag strategi made (see `git reflog` or a clone), or rename the foreign tag.");
                continue;
            }
        };
        r.count("versions");
        match ws.strategy_tree_of_hex(&v.commit) {
            Ok(Some(t)) if t == v.tree => {}
            Ok(found) => r.add_at(
                FindingKind::BadVersion,
                &path,
                &v.commit,
                format!(
                    "{} says its text is tree {}, but its commit {} holds {}.",
                    name,
                    v.tree,
                    short(&v.commit),
                    found.as_deref().map_or("no strategy/ folder".to_string(), |t| format!("tree {t}"))
                ),
                format!("The tag was moved or rewritten; put it back on the commit that has that tree (`git tag -f -a {name} COMMIT`), or cut a new version for the changed text."),
            ),
            Err(e) => r.add_at(FindingKind::BadVersion, &path, &v.commit, e.to_string(), "The tag points at a commit that cannot be read; restore it from a clone."),
        }
        out.insert(name, v);
    }
    Ok(out)
}

/// A round folded with its comments, for the approvals' consultation rule.
type Consulted = Vec<(RoundState, crate::consultation::RoundComments)>;

fn check_rounds(
    ws: &Workspace,
    config: Option<&Config>,
    today: Date,
    versions: &HashMap<VersionName, Version>,
    r: &mut Verification,
) -> Result<Consulted, StoreError> {
    let mut consulted = Vec::new();
    let records = ws.records()?;
    for folder in ws.list_folders(CONSULTATIONS_DIR)? {
        let base = format!("{CONSULTATIONS_DIR}/{folder}");
        let Ok(id) = folder.parse::<RecordId>() else {
            continue;
        };
        let mut parsed = true;
        let round_toml = format!("{base}/round.toml");
        let def: Option<RoundDef> = match ws.read_record(&round_toml)? {
            None => {
                r.add(
                    FindingKind::MissingFile,
                    &round_toml,
                    "The round's definition is missing.",
                    RESTORE,
                );
                parsed = false;
                None
            }
            Some(f) => match parse_record::<RoundDef>(&f.path, &f.text()?) {
                Ok(d) => Some(d),
                Err(e) => {
                    r.bad_file(&f.path, &e);
                    parsed = false;
                    None
                }
            },
        };
        r.count("rounds");
        let mut each = |rel: &str,
                        check: &mut dyn FnMut(&str, &str) -> Result<(), StoreError>|
         -> Result<bool, StoreError> {
            let mut ok = true;
            for f in ws.read_records(&format!("{base}/{rel}"))? {
                if let Err(e) = check(&f.path, &f.text()?) {
                    r.bad_file(&f.path, &e);
                    ok = false;
                }
            }
            Ok(ok)
        };
        let mut comment_versions: Vec<(String, VersionName)> = Vec::new();
        let mut imports: Vec<(String, ImportRecord)> = Vec::new();
        parsed &= each("facts", &mut |p, t| parse_record::<Fact>(p, t).map(|_| ()))?;
        let comments_ok = each("comments", &mut |p, t| {
            let file = parse_record::<CommentFile>(p, t)?;
            comment_versions.extend(file.comment.iter().map(|c| (p.to_string(), c.version)));
            Ok(())
        })?;
        let decisions_ok = each("decisions", &mut |p, t| {
            parse_record::<DecisionRecord>(p, t).map(|_| ())
        })?;
        for digest in ws.list_folders(&format!("{base}/inbox"))? {
            let path = format!("{base}/inbox/{digest}/import.toml");
            match ws.read_record(&path)? {
                Some(f) => match parse_record::<ImportRecord>(&f.path, &f.text()?) {
                    Ok(rec) => {
                        if let Some(d) = &def
                            && (rec.at < d.at
                                || rec
                                    .received
                                    .is_some_and(|t| rules_c::answered_before(t, true, d.at)))
                        {
                            r.add(
                                FindingKind::OutOfOrder,
                                &f.path,
                                format!(
                                    "The import of {}'s message is dated {}, before round {} was opened ({}).",
                                    rec.party,
                                    rec.received.unwrap_or(rec.at),
                                    d.id,
                                    d.at
                                ),
                                OUT_OF_ORDER,
                            );
                        } else {
                            imports.push((f.path.clone(), rec));
                        }
                    }
                    Err(e) => r.bad_file(&f.path, &e),
                },
                None => r.add(FindingKind::MissingFile, &path, "An imported message has no import.toml.", "Import the message again with `strategi comment import`, or remove its folder."),
            }
        }
        for (path, v) in comment_versions {
            if !versions.contains_key(&v) {
                r.add(
                    FindingKind::UnknownVersion,
                    path,
                    format!("A comment is on {v}, which does not exist."),
                    "Restore the version's tag, or correct the comment's version.",
                );
            }
        }
        let (Some(def), Some(config)) = (def, config) else {
            continue;
        };
        if !versions.contains_key(&def.version) {
            r.add(
                FindingKind::UnknownVersion,
                &round_toml,
                format!(
                    "Round {} is on {}, which does not exist.",
                    def.id, def.version
                ),
                "Restore the version's tag (from a clone or `git reflog`).",
            );
        }
        let cal = work_calendar(config);
        // The round folded with its facts when they all parse; otherwise its definition
        // alone, so its comments can still be checked.
        let mut round_facts = Vec::new();
        let state = if parsed {
            match load_round(ws, &id) {
                Ok((def, facts)) => {
                    round_facts = facts.clone();
                    let state = RoundState::fold(def, facts, config, today, &cal);
                    for f in &state.findings {
                        r.add(FindingKind::Ignored, &f.path, &f.message, "The record was ignored. Remove it with a commit that says why, or have the party that may make it record it again.");
                    }
                    state
                }
                Err(e) => {
                    r.bad_file(&round_toml, &e);
                    RoundState::fold(def, Vec::new(), config, today, &cal)
                }
            }
        } else {
            RoundState::fold(def, Vec::new(), config, today, &cal)
        };
        check_round_order(r, &round_toml, &state, &round_facts, versions);
        for (path, rec) in &imports {
            check_after_letter(
                r,
                path,
                &state,
                &format!("The import of {}'s message", rec.party),
                &rec.party,
                (rec.at, rec.received),
            );
        }
        if comments_ok && decisions_ok {
            match round_comments(&records, &state, config) {
                Ok(c) => {
                    for f in &c.findings {
                        r.add(FindingKind::Ignored, &f.path, &f.message, "The record was ignored. Remove it with a commit that says why, or record it again as a party that may.");
                    }
                    check_comment_order(r, &state, &c, versions);
                    if parsed {
                        consulted.push((state, c));
                    }
                }
                Err(e) => r.bad_file(&base, &e),
            }
        }
    }
    Ok(consulted)
}

const OUT_OF_ORDER: &str = "strategi never writes records in this order (time only moves forward): the record was written or edited by hand. Remove it with a commit that says why, and record the fact again with strategi.";

/// A round cannot be on a version cut after it was opened, and nothing can happen in it
/// before it was opened; an answer is judged by its own date where it has one
/// (`received`), and cannot come before the round's letter to its party.
fn check_round_order(
    r: &mut Verification,
    round_toml: &str,
    state: &RoundState,
    facts: &[(String, Fact)],
    versions: &HashMap<VersionName, Version>,
) {
    let def = &state.def;
    if let Some(v) = versions.get(&def.version)
        && def.at < v.created
    {
        r.add(
            FindingKind::OutOfOrder,
            round_toml,
            format!(
                "Round {} was opened {} on {}, but {} was only cut {}.",
                def.id, def.at, def.version, def.version, v.created
            ),
            OUT_OF_ORDER,
        );
    }
    for (path, fact) in facts {
        let (before, when) = match &fact.body {
            FactBody::Response {
                received: Some(t), ..
            } => (
                fact.at < def.at || rules_c::answered_before(*t, true, def.at),
                *t,
            ),
            _ => (fact.at < def.at, fact.at),
        };
        if before {
            let what = match &fact.body {
                FactBody::Response { party, .. } => format!("{party}'s answer"),
                FactBody::Sent { party, .. } => format!("The letter to {party}"),
                FactBody::Reminded { party, .. } => format!("The reminder to {party}"),
                FactBody::Extension { party, .. } => {
                    format!("The extension of {party}'s deadline")
                }
                FactBody::Respondent { respondent, .. } => {
                    format!("The registration of the respondent {respondent}")
                }
                FactBody::Closed { .. } => "The closing".to_string(),
                FactBody::Publicity { answer, .. } => {
                    format!("The publicity decision on {answer}")
                }
            };
            r.add(
                FindingKind::OutOfOrder,
                path,
                format!(
                    "{what} is dated {when}, before round {} was opened ({}).",
                    def.id, def.at
                ),
                OUT_OF_ORDER,
            );
        } else if let FactBody::Response {
            party, received, ..
        } = &fact.body
        {
            check_after_letter(
                r,
                path,
                state,
                &format!("{party}'s answer"),
                party,
                (fact.at, *received),
            );
        }
    }
}

/// An answer (`what`, from `party`, recorded at `at` and dated `received` where known)
/// cannot come before the round's letter to its party, nor without one
/// ([`rules_c::answer_after_letter`], the rule the acts refuse by).
fn check_after_letter(
    r: &mut Verification,
    path: &str,
    state: &RoundState,
    what: &str,
    party: &crate::model::PartyCode,
    (at, received): (jiff::Timestamp, Option<jiff::Timestamp>),
) {
    // A respondent of an open høring had no letter to answer.
    if state.respondent(party).is_some() {
        return;
    }
    let refusal = rules_c::answer_after_letter(state, party, at, false)
        .and_then(|()| match received {
            Some(t) => rules_c::answer_after_letter(state, party, t, true),
            None => Ok(()),
        })
        .err();
    let message = match refusal {
        None => return,
        Some(rules_c::Refusal::NoLetterYet { round, party }) => format!(
            "{what} is recorded, but round {round} never issued its letter to {party}: an answer cannot come before the letter."
        ),
        Some(rules_c::Refusal::BeforeLetter {
            round,
            party,
            given,
            letter,
        }) => {
            format!("{what} is dated {given}, before round {round}'s letter to {party} ({letter}).")
        }
        Some(other) => other.to_string(),
    };
    r.add(FindingKind::OutOfOrder, path, message, OUT_OF_ORDER);
}

/// A comment cannot come before its round was opened, its version was cut or its
/// party's letter (judged by its own date where it has one, `received`); a decision
/// cannot come before its comment.
fn check_comment_order(
    r: &mut Verification,
    state: &RoundState,
    comments: &crate::consultation::RoundComments,
    versions: &HashMap<VersionName, Version>,
) {
    let def = &state.def;
    let before = |rec: &crate::consultation::CommentRecord, t: jiff::Timestamp| {
        rec.at < t
            || rec
                .received
                .is_some_and(|g| rules_c::answered_before(g, true, t))
    };
    for c in &comments.comments {
        let rec = &c.record;
        let mut in_order = true;
        if before(rec, def.at) {
            in_order = false;
            r.add(
                FindingKind::OutOfOrder,
                &c.path,
                format!(
                    "Comment {} from {} is dated {}, before round {} was opened ({}).",
                    rec.id,
                    rec.party,
                    rec.given(),
                    def.id,
                    def.at
                ),
                OUT_OF_ORDER,
            );
        }
        if let Some(v) = versions.get(&rec.version)
            && before(rec, v.created)
        {
            in_order = false;
            r.add(
                FindingKind::OutOfOrder,
                &c.path,
                format!(
                    "Comment {} is on {}, but is dated {}, before {} was cut ({}).",
                    rec.id,
                    rec.version,
                    rec.given(),
                    rec.version,
                    v.created
                ),
                OUT_OF_ORDER,
            );
        }
        if in_order {
            check_after_letter(
                r,
                &c.path,
                state,
                &format!("Comment {} from {}", rec.id, rec.party),
                &rec.party,
                (rec.at, rec.received),
            );
        }
        let decisions: Vec<&DecisionRecord> = c.decision.iter().chain(&c.superseded).collect();
        for d in &decisions {
            // A decision that replaces another cannot be older than it.
            if let Some(prev) = d
                .supersedes
                .as_ref()
                .and_then(|p| decisions.iter().find(|x| &x.id == p))
                && d.at < prev.at
            {
                r.add(
                    FindingKind::OutOfOrder,
                    decision_path(&def.id, d),
                    format!(
                        "Decision {} replaces decision {} but is dated {}, before it ({}).",
                        d.id, prev.id, d.at, prev.at
                    ),
                    OUT_OF_ORDER,
                );
            }
            if d.at < rec.at {
                r.add(
                    FindingKind::OutOfOrder,
                    decision_path(&def.id, d),
                    format!(
                        "Decision {} on comment {} is dated {}, before the comment was made ({}).",
                        d.id, rec.id, d.at, rec.at
                    ),
                    OUT_OF_ORDER,
                );
            }
        }
    }
}

/// A record of a version (an approval, a submission) cannot be older than the version.
fn check_version_order(
    r: &mut Verification,
    path: &str,
    what: &str,
    versions: &HashMap<VersionName, Version>,
    version: VersionName,
    at: jiff::Timestamp,
) {
    if let Some(v) = versions.get(&version)
        && at < v.created
    {
        r.add(
            FindingKind::OutOfOrder,
            path,
            format!(
                "The {what} of {version} is dated {at}, before {version} was cut ({}).",
                v.created
            ),
            OUT_OF_ORDER,
        );
    }
}

/// The version of a record must exist and still have the commit and tree recorded.
fn check_bound(
    r: &mut Verification,
    path: &str,
    what: &str,
    versions: &HashMap<VersionName, Version>,
    version: VersionName,
    commit: &str,
    tree: &str,
) {
    match versions.get(&version) {
        None => r.add(
            FindingKind::UnknownVersion,
            path,
            format!("The {what} is of {version}, which does not exist."),
            "Restore the version's tag (from a clone or `git reflog`).",
        ),
        Some(v) if v.commit != commit || v.tree != tree => r.add_at(
            FindingKind::TextChanged,
            path,
            commit,
            format!(
                "The {what} is of {version} at commit {} (tree {}), but {version} is now commit {} (tree {}): the text is no longer the one {}.",
                short(commit),
                short(tree),
                short(&v.commit),
                short(&v.tree),
                if what == "approval" { "approved" } else { "handed in" }
            ),
            format!("Put the tag back with `git tag -f -a {version} {commit}` if it was moved by mistake; a changed text needs a new version and a new {what}."),
        ),
        Some(_) => {}
    }
}

fn check_submissions(
    ws: &Workspace,
    config: Option<&Config>,
    versions: &HashMap<VersionName, Version>,
    r: &mut Verification,
) -> Result<(), StoreError> {
    for (path, rec) in load_each::<SubmissionRecord>(ws, SUBMISSIONS_DIR)? {
        let s = match rec {
            Ok(s) => s,
            Err(e) => {
                r.bad_file(&path, &e);
                continue;
            }
        };
        r.count("submissions");
        check_bound(
            r,
            &path,
            "submission",
            versions,
            s.version,
            &s.commit,
            &s.tree,
        );
        check_version_order(r, &path, "submission", versions, s.version, s.at);
        if let Some(c) = config {
            if !c.knows_party(&s.by) {
                r.add(FindingKind::UnknownParty, &path, format!("The submission names {}, which is not a party of the case.", s.by), "Add the party with `strategi party add`, or remove the record with a commit that says why.");
            }
            // The rule the command refuses by, on the stored record.
            if let Err(refusal) = rules::may_hand_to(c, &s.by, &s.to) {
                let kind = match refusal {
                    rules::Refusal::UnknownParty { .. } => FindingKind::UnknownParty,
                    _ => FindingKind::Ignored,
                };
                r.add(kind, &path, refusal.as_finding(), refusal.finding_hint());
            }
        }
    }
    Ok(())
}

fn check_approvals(
    ws: &Workspace,
    config: Option<&Config>,
    versions: &HashMap<VersionName, Version>,
    consulted: &Consulted,
    r: &mut Verification,
) -> Result<(), StoreError> {
    let parsed = load_each::<ApprovalRecord>(ws, APPROVALS_DIR)?;
    let Some(config) = config else {
        // Without the configuration no rule can be applied; the records are still
        // parsed and bound to their text.
        for (path, rec) in parsed {
            match rec {
                Ok(a) => {
                    r.count("approvals");
                    check_approval_text(ws, r, &path, versions, &a);
                }
                Err(e) => r.bad_file(&path, &e),
            }
        }
        return Ok(());
    };
    let rounds: Vec<_> = consulted.iter().map(|(r, c)| (r, c)).collect();
    let fold = fold_approvals(parsed, LaterActs::load(ws)?, config, &rounds);
    for (path, e) in &fold.unreadable {
        r.bad_file(path, e);
    }
    for ignored in &fold.ignored_acts {
        r.count("later acts");
        r.add(
            FindingKind::Ignored,
            &ignored.path,
            ignored.refusal.as_finding(),
            ignored.refusal.finding_hint(),
        );
    }
    for (path, s) in &fold.signatures {
        r.count("later acts");
        check_version_order(r, path, "signature", versions, s.version, s.at);
    }
    for w in &fold.withdrawn {
        r.count("later acts");
        check_version_order(
            r,
            &w.withdrawal_path,
            "withdrawal",
            versions,
            w.withdrawal.version,
            w.withdrawal.at,
        );
    }
    for ignored in &fold.ignored {
        r.count("approvals");
        r.add(
            FindingKind::Ignored,
            &ignored.path,
            ignored.refusal.as_finding(),
            ignored.refusal.finding_hint(),
        );
    }
    let approver = &config.case.approver;
    // A withdrawn approval is checked as history: its text and its tag must still be
    // what was recorded, though it no longer makes the version approved.
    let checked = fold
        .approvals
        .iter()
        .map(|(p, a)| (p, a))
        .chain(fold.withdrawn.iter().map(|w| (&w.path, &w.record)));
    for (path, a) in checked {
        r.count("approvals");
        check_approval_text(ws, r, path, versions, a);
        let Some(tag) = &a.signed_tag else {
            continue;
        };
        // A signature made later is its own record: findings about it name that file.
        let path = fold.signature_of(&a.id).map_or(path, |(p, _)| p);
        let keys = match party_keys(config, approver) {
            Ok(k) => k,
            Err(e) => {
                r.add(
                    FindingKind::BadFile,
                    CONFIG_FILE,
                    e.to_string(),
                    "Correct the key in strategi.toml.",
                );
                continue;
            }
        };
        let tag_path = format!("refs/tags/{tag}");
        match ws.verify_signed_tag(tag, &keys) {
            Ok(v) => {
                r.count("signatures");
                if v.tag.target != a.commit {
                    r.add_at(FindingKind::Signature, &tag_path, &v.tag.target, format!("The signed tag {tag} is on commit {}, but the approval is of commit {}.", short(&v.tag.target), short(&a.commit)), "The tag does not vouch for the approved text; remove the stray tag.");
                }
                if let Some(fp) = &a.key_fingerprint
                    && fp != &v.signer.fingerprint()
                {
                    r.add(FindingKind::Signature, path, format!("The approval says it was signed by {fp}, but the tag is signed by {}.", v.signer.fingerprint()), "The record or the tag was changed; restore them from history.");
                }
            }
            Err(e) => r.add(
                FindingKind::Signature,
                &tag_path,
                e.to_string(),
                format!("The signature must be made by one of {approver}'s keys (`strategi --as {approver} party key {approver} --add-file KEY.pub` lists a key; check with `git verify-tag {tag}` and `strategi keys allowed-signers`)."),
            ),
        }
    }
    Ok(())
}

/// An approval's version must still have its text, and its commit must hold its tree.
fn check_approval_text(
    ws: &Workspace,
    r: &mut Verification,
    path: &str,
    versions: &HashMap<VersionName, Version>,
    a: &ApprovalRecord,
) {
    check_bound(r, path, "approval", versions, a.version, &a.commit, &a.tree);
    check_version_order(r, path, "approval", versions, a.version, a.at);
    match ws.strategy_tree_of_hex(&a.commit) {
        Ok(Some(t)) if t == a.tree => {}
        Ok(_) => r.add_at(FindingKind::EditedRecord, path, &a.commit, format!("The approval names commit {} and tree {}, but that commit does not hold that tree.", short(&a.commit), short(&a.tree)), "The record was edited; restore it from history."),
        Err(e) => r.add_at(FindingKind::EditedRecord, path, &a.commit, format!("The approved commit cannot be read: {e}"), "Fetch the history from a clone that has it."),
    }
}

fn short(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}
