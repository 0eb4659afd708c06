//! The records: their types, where they live, and reading them back.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::model::{MilestoneId, PartyCode, RecordId, VersionName};
use crate::store::{StoreError, Workspace};

/// The folder of submission records.
pub const SUBMISSIONS_DIR: &str = "submissions";
/// The folder of approval records.
pub const APPROVALS_DIR: &str = "approvals";
/// The folder of later signatures of approvals.
pub const SIGNATURES_DIR: &str = "signatures";
/// The folder of withdrawals of approvals.
pub const WITHDRAWALS_DIR: &str = "withdrawals";

/// A version handed to a party, `submissions/<stamp>-<id>.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmissionRecord {
    /// The record's id (`s…`).
    pub id: RecordId,
    /// The version handed in.
    pub version: VersionName,
    /// The commit the version's tag pointed at (hex).
    pub commit: String,
    /// The version's `strategy/` tree (hex).
    pub tree: String,
    /// To whom.
    pub to: PartyCode,
    /// The acting party that handed it in.
    pub by: PartyCode,
    /// When.
    pub at: Timestamp,
    /// Its logical clock (Lamport; see `model::sort_facts`): absent in older records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<u64>,
    /// A note, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The milestone this hand-in completes, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub milestone: Option<MilestoneId>,
    /// Whether it was on time against the milestone's (moved) deadline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_time: Option<bool>,
}

/// A version approved, `approvals/<stamp>-<id>.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalRecord {
    /// The record's id (`a…`).
    pub id: RecordId,
    /// The version approved.
    pub version: VersionName,
    /// The commit approved (hex).
    pub commit: String,
    /// The `strategy/` tree approved (hex).
    pub tree: String,
    /// The approving party.
    pub by: PartyCode,
    /// When.
    pub at: Timestamp,
    /// Its logical clock (Lamport; see `model::sort_facts`): absent in older records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<u64>,
    /// A note, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Why the approval was given although rounds were open or comments undecided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The signed tag (`approved/vN`), when the approval was signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_tag: Option<String>,
    /// The fingerprint (`SHA256:…`) of the key that signed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_fingerprint: Option<String>,
}

/// An unsigned approval signed later by the approver,
/// `signatures/<stamp>-<id>.toml`: a new record, the approval's file is never edited.
/// From it on the approval counts as signed with this tag and key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureRecord {
    /// The record's id (`g…`).
    pub id: RecordId,
    /// The approval signed (`a…`).
    pub approval: RecordId,
    /// Its version.
    pub version: VersionName,
    /// The commit approved (hex), as the approval names it.
    pub commit: String,
    /// The `strategy/` tree approved (hex), as the approval names it.
    pub tree: String,
    /// The signing party (the approver).
    pub by: PartyCode,
    /// When.
    pub at: Timestamp,
    /// Its logical clock (Lamport; see `model::sort_facts`): absent in older records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<u64>,
    /// The signed tag made (`approved/vN`).
    pub signed_tag: String,
    /// The fingerprint (`SHA256:…`) of the key that signed it.
    pub key_fingerprint: String,
    /// A note, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// An approval withdrawn by the approver, `withdrawals/<stamp>-<id>.toml`: from then on
/// the version is not approved (its signed tag, if any, stays as history) and may be
/// approved again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WithdrawalRecord {
    /// The record's id (`w…`).
    pub id: RecordId,
    /// The approval withdrawn (`a…`).
    pub approval: RecordId,
    /// Its version.
    pub version: VersionName,
    /// The withdrawing party (the approver).
    pub by: PartyCode,
    /// When.
    pub at: Timestamp,
    /// Its logical clock (Lamport; see `model::sort_facts`): absent in older records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<u64>,
    /// Why (required).
    pub reason: String,
}

/// The name of the signed tag of an approval of `version`: `approved/v2`.
pub fn approved_tag_name(version: VersionName) -> String {
    format!("approved/{}", version.tag())
}

/// The name of the signed tag of the approval of `version` made after `withdrawn`
/// earlier approvals of it were withdrawn: `approved/v2` for the first, then
/// `approved/v2-2`, `approved/v2-3`, … (a withdrawn approval's tag stays as history).
pub fn approved_tag_name_after(version: VersionName, withdrawn: usize) -> String {
    match withdrawn {
        0 => approved_tag_name(version),
        n => format!("approved/{}-{}", version.tag(), n + 1),
    }
}

/// Where a later signature record lives.
pub fn signature_path(s: &SignatureRecord) -> String {
    format!(
        "{SIGNATURES_DIR}/{}-{}.toml",
        s.at.strftime("%Y%m%dT%H%M%SZ"),
        s.id
    )
}

/// Where a withdrawal record lives.
pub fn withdrawal_path(w: &WithdrawalRecord) -> String {
    format!(
        "{WITHDRAWALS_DIR}/{}-{}.toml",
        w.at.strftime("%Y%m%dT%H%M%SZ"),
        w.id
    )
}

/// Where a submission record lives.
pub fn submission_path(s: &SubmissionRecord) -> String {
    format!(
        "{SUBMISSIONS_DIR}/{}-{}.toml",
        s.at.strftime("%Y%m%dT%H%M%SZ"),
        s.id
    )
}

/// Where an approval record lives.
pub fn approval_path(a: &ApprovalRecord) -> String {
    format!(
        "{APPROVALS_DIR}/{}-{}.toml",
        a.at.strftime("%Y%m%dT%H%M%SZ"),
        a.id
    )
}

/// Record files with what parsing each gave: its path and the record or the error.
pub type Parsed<T> = Vec<(String, Result<T, StoreError>)>;

/// Every record in `dir`, each parsed on its own: a bad file is returned as its error
/// (with file, line and column) and does not hide the others.
pub fn load_each<T: serde::de::DeserializeOwned>(
    ws: &Workspace,
    dir: &str,
) -> Result<Parsed<T>, StoreError> {
    Ok(ws
        .read_records(dir)?
        .into_iter()
        .map(|f| {
            let parsed = f.parse();
            (f.path, parsed)
        })
        .collect())
}

/// The submissions, oldest first; the first bad file is an error.
pub fn load_submissions(ws: &Workspace) -> Result<Vec<SubmissionRecord>, StoreError> {
    let mut out = load_each::<SubmissionRecord>(ws, SUBMISSIONS_DIR)?
        .into_iter()
        .map(|(_, r)| r)
        .collect::<Result<Vec<_>, _>>()?;
    crate::model::sort_facts(&mut out, |r| (r.clock, r.at), |a, b| a.id.cmp(&b.id));
    Ok(out)
}

/// The approvals with their paths, oldest first; the first bad file is an error.
pub fn load_approvals(ws: &Workspace) -> Result<Vec<(String, ApprovalRecord)>, StoreError> {
    let mut out = Vec::new();
    for (path, r) in load_each::<ApprovalRecord>(ws, APPROVALS_DIR)? {
        out.push((path, r?));
    }
    crate::model::sort_facts(
        &mut out,
        |(_, r)| (r.clock, r.at),
        |a, b| a.1.id.cmp(&b.1.id),
    );
    Ok(out)
}
