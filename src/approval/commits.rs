//! Signed commits: whether the commits that touched records were signed by the acting
//! party's own key.
//!
//! With `[approval] require_signed_commits` the case wants more than the git host's
//! word for who made a commit: each commit that touches records and acts as party P
//! (its `Strategi-Party` trailer) must carry an SSH signature (namespace `git`, in the
//! `gpgsig` header, as `git commit -S` writes it with `gpg.format = ssh`) by one of P's
//! own keys as history stood at that commit: the keys P added itself, acting as P
//! ([`super::keys`]), and had not removed. Without the policy the same check says which
//! commits are unsigned: their authorship rests only on the git host's access control.

use git2::Oid;

use crate::model::SignedCommits;
use crate::sign::{PublicKey, SignError};
use crate::store::{
    ChangeKind, RecordCommit, RecordHistory, SignedTagError, StoreError, Workspace,
};

/// What a commit's signature shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureState {
    /// Signed by one of the acting party's own keys.
    Signed {
        /// The key's fingerprint.
        fingerprint: String,
    },
    /// No signature.
    Unsigned,
    /// Signed with OpenPGP or X.509, which strategi does not check.
    NotSsh {
        /// The signature format found.
        format: &'static str,
    },
    /// An SSH signature that does not hold (the commit was changed after signing, or
    /// the signature is damaged or for another namespace).
    Bad {
        /// Why.
        why: String,
    },
    /// A good signature by a key that is not one of the acting party's own.
    OtherKey {
        /// The key's fingerprint.
        fingerprint: String,
        /// Whose it is, in words ("a key of FIN", "a key no party has").
        whose: String,
    },
    /// The commit acts as no party (no `Strategi-Party` trailer), so no party's keys
    /// can vouch for it.
    NoParty,
}

impl SignatureState {
    /// Whether the signature vouches for the commit.
    pub fn holds(&self) -> bool {
        matches!(self, SignatureState::Signed { .. })
    }

    /// Why it does not, in words (empty when it holds).
    pub fn why(&self, party: &str) -> String {
        match self {
            SignatureState::Signed { .. } => String::new(),
            SignatureState::Unsigned => "it is not signed".to_string(),
            SignatureState::NotSsh { format } => {
                format!("it is signed with {format}, not with an SSH key")
            }
            SignatureState::Bad { why } => format!("its signature does not hold ({why})"),
            SignatureState::OtherKey { fingerprint, whose } => {
                format!("it is signed with {fingerprint}, {whose}, not one of {party}'s own keys")
            }
            SignatureState::NoParty => {
                "it acts as no party (no Strategi-Party trailer), so no party's key can vouch for it"
                    .to_string()
            }
        }
    }
}

/// One commit that touched records, and what its signature shows.
#[derive(Debug, Clone)]
pub struct CommitSignature {
    /// The commit.
    pub commit: RecordCommit,
    /// Its index in [`RecordHistory::commits`].
    pub index: usize,
    /// Whether the case requires the acting party's commits to be signed.
    pub required: bool,
    /// What its signature shows.
    pub state: SignatureState,
}

impl CommitSignature {
    /// The acting party (`Strategi-Party`), or "no party".
    pub fn acting(&self) -> &str {
        self.commit.party.as_deref().unwrap_or("no party")
    }

    /// The commit, its author, the acting party and why its signature does not vouch
    /// for it, as one sentence.
    pub fn describe(&self) -> String {
        format!(
            "Commit {} (\"{}\") by {} acting as {} touches records, and {}.",
            self.commit.short_id(),
            self.commit.summary,
            self.commit.author,
            self.acting(),
            self.state.why(self.acting())
        )
    }
}

/// Whether a commit acted as `party` (made by strategi, `Strategi-Party: party`).
fn acts_as(commit: &RecordCommit, party: &str) -> bool {
    commit.action.is_some() && commit.party.as_deref() == Some(party)
}

/// `party`'s own keys as history stood at the commit `at` (an index into
/// [`RecordHistory::commits`], that commit included): the keys added in a commit acting
/// as `party`, less those removed since.
pub fn own_keys_at(history: &RecordHistory, party: &str, at: usize) -> Vec<PublicKey> {
    let mut keys: Vec<&str> = Vec::new();
    for c in history
        .key_changes
        .iter()
        .filter(|c| c.commit <= at && c.party == party)
    {
        match c.kind {
            ChangeKind::Added => {
                let own = history.commit_of_key(c).is_some_and(|k| acts_as(k, party));
                if own && !keys.contains(&c.key.as_str()) {
                    keys.push(&c.key);
                } else if !own {
                    // A key re-added by someone else is not the party's any more.
                    keys.retain(|k| *k != c.key);
                }
            }
            ChangeKind::Deleted => keys.retain(|k| *k != c.key),
            ChangeKind::Modified => {}
        }
    }
    keys.iter()
        .filter_map(|k| PublicKey::from_openssh(k).ok())
        .collect()
}

/// Whose key `fingerprint` is, by history, in words, for a commit (`at`) acting as
/// `party` that it signed.
fn whose(history: &RecordHistory, fingerprint: &str, party: &str, at: usize) -> String {
    let mut found: Option<String> = None;
    for c in history
        .key_changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Added)
    {
        let Ok(key) = PublicKey::from_openssh(&c.key) else {
            continue;
        };
        if key.fingerprint() != fingerprint {
            continue;
        }
        let own = history
            .commit_of_key(c)
            .is_some_and(|k| acts_as(k, &c.party));
        if own && c.party == party && c.commit > at {
            return format!("a key {party} added only after this commit");
        }
        found = Some(if own {
            format!("a key of {}", c.party)
        } else {
            format!(
                "a key listed for {} that {} did not add itself",
                c.party, c.party
            )
        });
    }
    found.unwrap_or_else(|| "a key no party of the case has".to_string())
}

/// What the signature of the commit `index` of `history` shows, checked against the
/// acting party's own keys at that commit.
pub fn commit_signature(
    ws: &Workspace,
    history: &RecordHistory,
    index: usize,
    party: Option<&str>,
) -> Result<SignatureState, StoreError> {
    let Some(commit) = history.commits.get(index) else {
        return Ok(SignatureState::Unsigned);
    };
    let oid = Oid::from_str(&commit.id).map_err(StoreError::git(format!(
        "read the commit id \"{}\"",
        commit.id
    )))?;
    let allowed = match party {
        Some(p) => own_keys_at(history, p, index),
        None => Vec::new(),
    };
    Ok(match ws.verify_signed_commit(oid, &allowed) {
        Ok(k) if party.is_some() => SignatureState::Signed {
            fingerprint: k.fingerprint(),
        },
        Ok(_) => SignatureState::NoParty,
        Err(SignedTagError::Unsigned { .. }) => SignatureState::Unsigned,
        Err(SignedTagError::NotSsh { format, .. }) => SignatureState::NotSsh { format },
        Err(SignedTagError::Verification {
            source: SignError::KeyNotAllowed { fingerprint },
            ..
        }) => {
            if party.is_none() {
                SignatureState::NoParty
            } else {
                SignatureState::OtherKey {
                    whose: whose(history, &fingerprint, party.unwrap_or_default(), index),
                    fingerprint,
                }
            }
        }
        Err(SignedTagError::Verification { source, .. }) => SignatureState::Bad {
            why: source.to_string(),
        },
        Err(SignedTagError::Store(e)) => return Err(e),
        Err(other) => SignatureState::Bad {
            why: other.to_string(),
        },
    })
}

/// Every commit in `history` that touched records (added, changed or removed a record
/// file other than a setting's), with what its signature shows and whether the policy
/// as it stood at that commit ([`RecordHistory::signed_commits_at`]) requires it to be
/// signed by the acting party's own key. Oldest first.
pub fn record_commit_signatures(
    ws: &Workspace,
    history: &RecordHistory,
) -> Result<Vec<CommitSignature>, StoreError> {
    // Setting records (`settings/`) are guarded as `strategi.toml`'s parties and keys
    // were: by history (the acting party of the commit that added a key), not by the
    // signed-commits policy, whose keys they set up in the first place.
    let settings = format!("{}/", crate::store::SETTINGS_DIR);
    let mut touched: Vec<usize> = history
        .changes
        .iter()
        .filter(|c| !c.path.starts_with(&settings))
        .map(|c| c.commit)
        .collect();
    touched.dedup();
    let mut out = Vec::with_capacity(touched.len());
    for index in touched {
        let Some(commit) = history.commits.get(index) else {
            continue;
        };
        // The policy as it stood at the commit, not as it is now: a commit made before
        // the policy was turned on is not judged by it, and one removed behind the
        // owner's back still holds (verify reports that removal).
        let policy: SignedCommits = history.signed_commits_at(index);
        let party = commit.party.as_deref();
        let required = match party {
            Some(p) => policy.requires(p),
            // A commit acting as nobody is required to be signed when every party is.
            None => policy == SignedCommits::All,
        };
        let state = commit_signature(ws, history, index, party)?;
        out.push(CommitSignature {
            commit: commit.clone(),
            index,
            required,
            state,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Action;
    use crate::sign::PrivateKey;
    use crate::store::KeyChange;

    fn commit(party: &str, strategi: bool) -> RecordCommit {
        RecordCommit {
            id: "0".repeat(40),
            author: "Kari Nordmann <kari@x.example>".to_string(),
            time: jiff::Timestamp::UNIX_EPOCH,
            summary: "change".to_string(),
            action: strategi.then_some(Action::PartyKey),
            party: Some(party.to_string()),
        }
    }

    fn material(seed: u8) -> String {
        PrivateKey::from_seed(&[seed; 32], "k")
            .expect("key")
            .public_key()
            .to_openssh_without_comment()
    }

    fn change(party: &str, seed: u8, kind: ChangeKind, commit: usize) -> KeyChange {
        KeyChange {
            party: party.to_string(),
            key: material(seed),
            kind,
            commit,
        }
    }

    /// A party's keys at a commit: its own additions up to that commit, less removals;
    /// a key another party or plain git added never counts, and a key added later does
    /// not vouch for an earlier commit.
    #[test]
    fn own_keys_follow_history_commit_by_commit() {
        let history = RecordHistory {
            commits: vec![
                commit("DFD", true),  // 0: DFD adds key 1
                commit("DIO", true),  // 1: DIO adds key 2 to DFD
                commit("DFD", false), // 2: plain git, copied trailer, adds key 3
                commit("DFD", true),  // 3: DFD adds key 4, removes key 1
            ],
            key_changes: vec![
                change("DFD", 1, ChangeKind::Added, 0),
                change("DFD", 2, ChangeKind::Added, 1),
                change("DFD", 3, ChangeKind::Added, 2),
                change("DFD", 4, ChangeKind::Added, 3),
                change("DFD", 1, ChangeKind::Deleted, 3),
            ],
            ..RecordHistory::default()
        };
        let at = |i| {
            own_keys_at(&history, "DFD", i)
                .iter()
                .map(PublicKey::to_openssh_without_comment)
                .collect::<Vec<_>>()
        };
        assert_eq!(at(0), vec![material(1)]);
        assert_eq!(at(2), vec![material(1)]);
        assert_eq!(at(3), vec![material(4)]);
        assert!(own_keys_at(&history, "DIO", 3).is_empty());
        let fp = |seed| {
            PublicKey::from_openssh(&material(seed))
                .expect("k")
                .fingerprint()
        };
        assert_eq!(whose(&history, &fp(4), "FIN", 3), "a key of DFD");
        assert_eq!(
            whose(&history, &fp(4), "DFD", 1),
            "a key DFD added only after this commit"
        );
        assert!(whose(&history, &fp(2), "DFD", 3).contains("that DFD did not add itself"));
        assert_eq!(
            whose(&history, &fp(9), "DFD", 3),
            "a key no party of the case has"
        );
    }
}
