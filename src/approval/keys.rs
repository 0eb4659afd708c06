//! Keys belong to their party: a party's signing key counts only when history shows it
//! was introduced by that party, acting as it.
//!
//! `strategi.toml` is edited in place, so the file alone cannot say who put a key
//! there. History can: [`Workspace::record_history`] lists, per commit, the keys it
//! added to and removed from each party with the commit's author and its
//! `Strategi-Party` trailer. A key of party P is P's own when the commit that last
//! added it was made by strategi (it has a `Strategi-Action` trailer) acting as P. Any
//! other key of P is *foreign*: added in a commit acting as another party, in a commit
//! strategi did not make (plain git), or not committed at all. `approve` refuses to
//! sign with a foreign key ([`super::rules::signature`]) and `verify` reports each one,
//! every approval signed by one, and every key of P removed by another party.
//!
//! [`Workspace::record_history`]: crate::store::Workspace::record_history

use crate::model::{Config, PartyCode};
use crate::sign::{PublicKey, SignError};
use crate::store::{ChangeKind, RecordCommit, RecordHistory, Workspace, key_material};

/// A key listed for a party that the party did not introduce itself.
#[derive(Debug, Clone)]
pub struct ForeignKey {
    /// The party it is listed for.
    pub party: PartyCode,
    /// The key.
    pub key: PublicKey,
    /// Its fingerprint (`SHA256:…`).
    pub fingerprint: String,
    /// The commit that added it last; `None` when no commit did (the key is only in
    /// the working tree's `strategi.toml`).
    pub commit: Option<RecordCommit>,
}

impl ForeignKey {
    /// Who the commit acted as, in words: the `Strategi-Party` trailer, or that it has
    /// none.
    pub fn acting(&self) -> String {
        match &self.commit {
            None => "nobody (the key is not committed)".to_string(),
            Some(c) if c.action.is_none() => match &c.party {
                Some(p) => format!("{p} (copied trailer; strategi did not make the commit)"),
                None => "no party (strategi did not make the commit)".to_string(),
            },
            Some(c) => c.party.clone().unwrap_or_else(|| "no party".to_string()),
        }
    }

    /// The key, the commit, its author and the acting party, as one sentence.
    pub fn describe(&self) -> String {
        match &self.commit {
            None => format!(
                "The key {} listed for {} is in strategi.toml but in no commit, so nothing shows that {} introduced it.",
                self.fingerprint, self.party, self.party
            ),
            Some(c) => format!(
                "The key {} listed for {} was added by commit {} by {} acting as {}, not as {}.",
                self.fingerprint,
                self.party,
                c.short_id(),
                c.author,
                self.acting(),
                self.party
            ),
        }
    }
}

/// A key of a party removed in a commit acting as another party.
#[derive(Debug, Clone)]
pub struct RemovedKey {
    /// The party it was listed for.
    pub party: String,
    /// The key, `type base64`.
    pub key: String,
    /// The commit that removed it.
    pub commit: RecordCommit,
}

/// Where the parties' keys came from.
#[derive(Debug, Clone, Default)]
pub struct KeyProvenance {
    /// Every key listed in the configuration that its party did not introduce.
    pub foreign: Vec<ForeignKey>,
    /// Every key removed from a party in a commit not acting as that party.
    pub removed: Vec<RemovedKey>,
}

impl KeyProvenance {
    /// The foreign key `key` of `party`, if it is one.
    pub fn foreign_key(&self, party: &PartyCode, key: &PublicKey) -> Option<&ForeignKey> {
        self.foreign
            .iter()
            .find(|f| &f.party == party && &f.key == key)
    }

    /// `party`'s keys from the configuration that are its own (introduced by it).
    pub fn own_keys(
        &self,
        config: &Config,
        party: &PartyCode,
    ) -> Result<Vec<PublicKey>, SignError> {
        Ok(super::party_keys(config, party)?
            .into_iter()
            .filter(|k| self.foreign_key(party, k).is_none())
            .collect())
    }

    /// The foreign keys of `party`.
    pub fn foreign_of<'a>(&'a self, party: &'a PartyCode) -> impl Iterator<Item = &'a ForeignKey> {
        self.foreign.iter().filter(move |f| &f.party == party)
    }
}

/// Whether a commit acted as `party`: made by strategi (a `Strategi-Action` trailer)
/// with `Strategi-Party: party`.
fn acts_as(commit: &RecordCommit, party: &str) -> bool {
    commit.action.is_some() && commit.party.as_deref() == Some(party)
}

/// Where each party's keys in `config` came from, by `history` (see the module's
/// documentation). A key that does not read is an error (as in [`super::party_keys`]).
pub fn key_provenance(
    config: &Config,
    history: &RecordHistory,
) -> Result<KeyProvenance, SignError> {
    let mut out = KeyProvenance::default();
    for party in &config.parties {
        for key in super::party_keys(config, &party.code)? {
            let material = key_material(&key.to_openssh_without_comment());
            let added = history.key_changes.iter().rev().find(|c| {
                c.kind == ChangeKind::Added && c.party == party.code.as_str() && c.key == material
            });
            let commit = added.and_then(|c| history.commit_of_key(c)).cloned();
            if commit
                .as_ref()
                .is_some_and(|c| acts_as(c, party.code.as_str()))
            {
                continue;
            }
            out.foreign.push(ForeignKey {
                party: party.code.clone(),
                fingerprint: key.fingerprint(),
                key,
                commit,
            });
        }
    }
    for change in &history.key_changes {
        if change.kind != ChangeKind::Deleted {
            continue;
        }
        let Some(commit) = history.commit_of_key(change) else {
            continue;
        };
        if !acts_as(commit, &change.party) {
            out.removed.push(RemovedKey {
                party: change.party.clone(),
                key: change.key.clone(),
                commit: commit.clone(),
            });
        }
    }
    Ok(out)
}

/// A party's signing keys as history shows them: the fingerprints of its own keys and
/// the foreign ones, for a person to confirm out of band (`status`, `approve`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct PartyKeys {
    /// The party.
    pub party: PartyCode,
    /// The fingerprints (`SHA256:…`) of the keys it added itself.
    pub own: Vec<String>,
    /// The fingerprints of the keys listed for it that another party added.
    pub foreign: Vec<String>,
}

/// Where the parties' keys came from in this workspace: [`key_provenance`] over one
/// walk of its history.
pub fn workspace_key_provenance(
    ws: &Workspace,
    config: &Config,
) -> Result<KeyProvenance, super::ApprovalError> {
    Ok(key_provenance(config, &ws.key_history()?)?)
}

/// `party`'s keys by history ([`key_provenance`] over one walk of it).
pub fn party_keys_by_history(
    ws: &Workspace,
    config: &Config,
    party: &PartyCode,
) -> Result<PartyKeys, super::ApprovalError> {
    let provenance = workspace_key_provenance(ws, config)?;
    Ok(PartyKeys {
        party: party.clone(),
        own: provenance
            .own_keys(config, party)?
            .iter()
            .map(PublicKey::fingerprint)
            .collect(),
        foreign: provenance
            .foreign_of(party)
            .map(|f| f.fingerprint.clone())
            .collect(),
    })
}
