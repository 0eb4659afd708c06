//! The case's own settings, as acts: parties and milestones (records in `settings/`),
//! the policy (`[case] owner`, `approver`, the signature policies) and the settling of
//! `strategi.toml` keys that a sync left in conflict.
//!
//! Each act takes the open transaction, who acts and its arguments, checks its rules
//! against the configuration read under the lock, writes and commits once, and returns
//! a typed outcome; a refusal is a [`CaseError`] with a [`CaseError::hint`]. The CLI
//! only parses, calls and prints.

pub mod acts;
pub mod policy;

use jiff::civil::Date;

use crate::model::{MilestoneId, PartyCode};

pub use acts::{
    Due, MilestoneAdded, MilestoneCompleted, MilestoneRequest, PartyAdded, PartyChangeRequest,
    PartyChanged, add_milestone, add_party, change_party, complete_milestone,
};
pub use policy::{
    ConflictView, Policy, PolicySet, SettleChoice, Settled, conflicts, policy, set_policy, settle,
};

/// Why an act on the case's settings was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    /// A party's name that is not one line of text.
    #[error("The party's name must be one line of text.")]
    PartyName,
    /// `party add` of a code already listed.
    #[error("There is already a party \"{code}\" ({name}).")]
    PartyExists {
        /// The code.
        code: PartyCode,
        /// The listed party's name.
        name: String,
    },
    /// A code that is not a listed party.
    #[error("\"{code}\" is not a listed party.")]
    NoParty {
        /// The code.
        code: PartyCode,
    },
    /// `party change` with the values the party already has.
    #[error("{code} already has that name, address and language; nothing to change.")]
    NothingToChange {
        /// The party.
        code: PartyCode,
    },
    /// A milestone's title that is not one line of text.
    #[error("The milestone's title must be one line of text.")]
    MilestoneTitle,
    /// `milestone add` of an id already listed.
    #[error("There is already a milestone \"{id}\".")]
    MilestoneExists {
        /// The id.
        id: MilestoneId,
    },
    /// A milestone owner that is not a party of the case.
    #[error("\"{code}\" is not a party of this case.")]
    UnknownOwner {
        /// The code.
        code: PartyCode,
    },
    /// A relative due date counted from a milestone that is not listed.
    #[error("There is no milestone \"{id}\" to count from.")]
    NoBaseMilestone {
        /// The id.
        id: MilestoneId,
    },
    /// A milestone that is not listed.
    #[error("There is no milestone \"{id}\".")]
    NoMilestone {
        /// The id.
        id: MilestoneId,
    },
    /// `milestone done` of one done already.
    #[error("Milestone \"{id}\" was already marked done on {on}.")]
    MilestoneDone {
        /// The id.
        id: MilestoneId,
        /// When it was done.
        on: Date,
    },
    /// A policy change (or the settling of a guarded key) by another party than the
    /// owner.
    #[error("Only the case owner {owner} may {what}; this command acts as {party}.")]
    NotOwner {
        /// Who acted.
        party: PartyCode,
        /// The owner as history stands.
        owner: PartyCode,
        /// What was asked, in words.
        what: String,
    },
    /// The policy requires the owner's commits signed and the command would not sign.
    #[error(
        "The case requires {owner}'s commits to be signed ([approval] require_signed_commits), and this command would not sign its commit."
    )]
    Unsigned {
        /// The owner.
        owner: PartyCode,
    },
    /// A loosening signed with a key that is not one of the owner's own.
    #[error(
        "The case requires {owner}'s commits to be signed, and a change that loosens the policy counts only when signed with one of {owner}'s own keys; the key git signs with ({fingerprint}) is not one."
    )]
    NotOwnKey {
        /// The owner.
        owner: PartyCode,
        /// The key the commit would be signed with.
        fingerprint: String,
        /// Whether the owner has keys of its own at all.
        has_keys: bool,
    },
    /// `policy set` to the value the setting has.
    #[error("The {setting} is {value} already; nothing to change.")]
    PolicyUnchanged {
        /// The setting.
        setting: &'static str,
        /// Its value.
        value: String,
    },
    /// A new owner or approver under which records already made would no longer hold.
    #[error("Setting the {setting} to {value} would make {count} record(s) made before invalid, judged as `strategi verify` would: {}{}; nothing was changed.", first.join("; "), if *count > first.len() { format!("; and {} more", count - first.len()) } else { String::new() })]
    PolicyVoids {
        /// The setting.
        setting: &'static str,
        /// The new value.
        value: String,
        /// How many records.
        count: usize,
        /// The first few ("PATH: why").
        first: Vec<String>,
    },
    /// A `policy set` value that is not one the setting takes.
    #[error("\"{value}\" is not a value of {setting}: it takes {expected}.")]
    BadPolicyValue {
        /// The setting.
        setting: &'static str,
        /// The value given.
        value: String,
        /// What it takes.
        expected: String,
    },
    /// A key `strategi.toml` does not have and no conflict names.
    #[error("strategi.toml has no key \"{key}\", and no conflict names it.")]
    UnknownKey {
        /// The key.
        key: String,
        /// The keys in conflict.
        open: Vec<String>,
    },
    /// A key whose place in `strategi.toml` the edit cannot reach (inside an inline
    /// table).
    #[error(
        "strategi.toml's \"{key}\" cannot be written in place (it sits in an inline table, {{ … }})."
    )]
    CannotEdit {
        /// The key.
        key: String,
    },
    /// A key that is not in conflict.
    #[error("\"{key}\" is not in conflict: no sync left it to settle.")]
    NotInConflict {
        /// The key.
        key: String,
        /// The keys in conflict.
        open: Vec<String>,
    },
    /// The value would make `strategi.toml` (with the settings folded over it) invalid.
    #[error(
        "{value} cannot be the value of \"{key}\": strategi.toml would not be valid with it. Nothing was written."
    )]
    BadValue {
        /// The key.
        key: String,
        /// The value, as TOML.
        value: String,
        /// What reading the result said.
        source: Box<crate::store::StoreError>,
    },
    /// `strategi.toml` has edits that are not committed.
    #[error(
        "strategi.toml has changes that are not committed; this command writes the file and would commit them with its own."
    )]
    ConfigUncommitted,
    /// A store operation failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// A working-day count failed.
    #[error(transparent)]
    Calendar(#[from] crate::calendar::CalendarError),
    /// A party's keys could not be read.
    #[error(transparent)]
    Sign(#[from] crate::sign::SignError),
}

fn open_list(open: &[String]) -> String {
    if open.is_empty() {
        "No key is in conflict now (`strategi config conflicts` lists them).".to_string()
    } else {
        format!(
            "Keys in conflict now: {}; see both values with `strategi config conflicts`.",
            open.join(", ")
        )
    }
}

impl CaseError {
    /// One hint for the person, where there is one.
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            CaseError::PartyExists { .. } => {
                "Party codes are unique; see them with `strategi party list`.".to_string()
            }
            CaseError::NoParty { code } => format!(
                "Add it with `strategi party add {code} --name NAME --email ADDRESS`."
            ),
            CaseError::MilestoneExists { .. } => {
                "Milestone ids are unique; see them with `strategi milestone list`.".to_string()
            }
            CaseError::UnknownOwner { code } => format!(
                "Add it first with `strategi party add {code} --name NAME --email ADDRESS`."
            ),
            CaseError::NoBaseMilestone { .. } | CaseError::NoMilestone { .. } => {
                "See the milestones with `strategi milestone list`.".to_string()
            }
            CaseError::NotOwner { owner, .. } => format!(
                "Ask {owner} to do it (`strategi --as {owner} …` in {owner}'s workspace). Who owns and approves the case and what must be signed is the owner's to decide. Nothing was changed."
            ),
            CaseError::Unsigned { owner } => format!(
                "Sign with {owner}'s key: `git config gpg.format ssh`, `git config user.signingKey KEYFILE` and `git config commit.gpgSign true`. Nothing was changed."
            ),
            CaseError::NotOwnKey { owner, has_keys, .. } => {
                if *has_keys {
                    format!(
                        "Point `git config user.signingKey` at one of {owner}'s keys (`strategi --json party list` shows them). Nothing was changed."
                    )
                } else {
                    format!(
                        "{owner} has no key of its own yet: add it first with `strategi --as {owner} party key {owner} --add-file KEY.pub`. Nothing was changed."
                    )
                }
            }
            CaseError::PolicyUnchanged { .. } => {
                "See the policy with `strategi policy show`.".to_string()
            }
            CaseError::PolicyVoids { setting, value, .. } => format!(
                "The records were made under the {setting} as it stood and are judged by the {setting} now, so leave it as it is; to change it anyway, `strategi policy set {setting} {} --force` (verify will then report those records).",
                value.trim_matches('"')
            ),
            CaseError::BadPolicyValue { .. } => {
                "Example: `strategi policy set require-signature true`.".to_string()
            }
            CaseError::UnknownKey { open, .. } | CaseError::NotInConflict { open, .. } => {
                open_list(open)
            }
            CaseError::BadValue { .. } => "Give a value of the key's type as TOML: text in quotes (\"…\"), true or false, a number, or a list ([\"DIO\", \"DFD\"]); `--keep` keeps the value strategi.toml has now. Nothing was written.".to_string(),
            CaseError::CannotEdit { key } => format!(
                "Write the value in strategi.toml by hand and commit it; to settle a conflict, end the commit message with the line `Strategi-Settled: {key}`. Nothing was changed."
            ),
            CaseError::ConfigUncommitted => "Commit the edit (`git commit strategi.toml`) or undo it (`git checkout strategi.toml`), then run the command again. Nothing was changed.".to_string(),
            CaseError::PartyName
            | CaseError::NothingToChange { .. }
            | CaseError::MilestoneTitle
            | CaseError::MilestoneDone { .. }
            | CaseError::Store(_)
            | CaseError::Calendar(_)
            | CaseError::Sign(_) => return None,
        })
    }
}
