//! Settings that change during a case, as records: `settings/<time>-<id>.toml`.
//!
//! Parties (added, changed), milestones (added, done) and signing keys (added, removed)
//! are facts written once, like every other record, so two clones that both add a party
//! or a key merge without touching the same file. What stays in `strategi.toml` is
//! edited rarely (the case, mail, calendar, the approval policy) and so are the
//! parties, milestones and keys an older or hand-made workspace lists there: they keep
//! working. The configuration every command uses ([`Workspace::config`]) is
//! `strategi.toml` with the settings folded over it in the order of the facts
//! ([`crate::model::sort_facts`]: logical clock, time, id), so every clone that holds the
//! same records has the same configuration.
//!
//! The fold's rules (one copy, [`fold_settings`]); a fact it cannot apply is ignored and
//! reported as a [`SettingFinding`] (`verify` lists them):
//! - `party-add`: a code already listed (in `strategi.toml` or by an earlier fact) is
//!   ignored: the first fact in order wins. Keys come as `key-add` facts, not in it.
//! - `party-change`: changes the fields it names of a listed party.
//! - `milestone-add`: an id already listed is ignored; the owner must be a party.
//! - `milestone-done`: the first in order sets the day; a later one for a milestone
//!   already done changes nothing.
//! - `key-add`: adds an OpenSSH key line to a listed party (a key it already has is
//!   no change); whether the key is the party's own is history's to say
//!   (`approval::keys`: the commit that added the record must act as the party).
//! - `key-remove`: removes the key (by its material, the comment aside); a key the
//!   party does not have is no change.

use std::path::Path;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::{CONFIG_FILE, StoreError, Transaction, Workspace, key_material};
use crate::model::{
    Config, EmailAddress, Lang, Milestone, MilestoneId, Party, PartyCode, RecordId, RecordKind,
};

/// The folder of setting records.
pub const SETTINGS_DIR: &str = "settings";

/// What a setting record says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SettingKind {
    /// A party joins the case (`[party]`).
    PartyAdd,
    /// A party's name, address or language changes (`[change]`).
    PartyChange,
    /// A milestone is added (`[milestone]`).
    MilestoneAdd,
    /// A milestone is done (`[done]`).
    MilestoneDone,
    /// A signing key is added to a party (`[key]`).
    KeyAdd,
    /// A signing key is removed from a party (`[key]`).
    KeyRemove,
}

impl SettingKind {
    /// The kind as the record names it.
    pub fn as_str(self) -> &'static str {
        match self {
            SettingKind::PartyAdd => "party-add",
            SettingKind::PartyChange => "party-change",
            SettingKind::MilestoneAdd => "milestone-add",
            SettingKind::MilestoneDone => "milestone-done",
            SettingKind::KeyAdd => "key-add",
            SettingKind::KeyRemove => "key-remove",
        }
    }

    /// The table the record of this kind must have.
    fn table(self) -> &'static str {
        match self {
            SettingKind::PartyAdd => "party",
            SettingKind::PartyChange => "change",
            SettingKind::MilestoneAdd => "milestone",
            SettingKind::MilestoneDone => "done",
            SettingKind::KeyAdd | SettingKind::KeyRemove => "key",
        }
    }
}

/// The fields of a party that a `party-change` sets (the others stay).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartyChange {
    /// The party.
    pub code: PartyCode,
    /// Its new full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its new address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<EmailAddress>,
    /// Its new language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<Lang>,
}

/// A milestone done on a day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MilestoneDone {
    /// The milestone.
    pub id: MilestoneId,
    /// The day it was done.
    pub on: Date,
}

/// A signing key of a party (added or removed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartyKey {
    /// The party.
    pub party: PartyCode,
    /// The OpenSSH public key line.
    pub key: String,
}

/// One setting fact, `settings/<stamp>-<id>.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingRecord {
    /// The record's id (`e…`).
    pub id: RecordId,
    /// What it says.
    pub kind: SettingKind,
    /// The acting party.
    pub by: PartyCode,
    /// When it was recorded.
    pub at: Timestamp,
    /// Its logical clock (see [`crate::model::sort_facts`]); absent in hand-made records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<u64>,
    /// `party-add`: the party.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<Party>,
    /// `party-change`: what changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<PartyChange>,
    /// `milestone-add`: the milestone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub milestone: Option<Milestone>,
    /// `milestone-done`: which, and when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done: Option<MilestoneDone>,
    /// `key-add`, `key-remove`: the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<PartyKey>,
}

/// What a setting fact says, as the act that writes it gives it.
#[derive(Debug, Clone, PartialEq)]
pub enum SettingFact {
    /// A party joins (without keys: they are facts of their own).
    PartyAdd(Party),
    /// A party's fields change.
    PartyChange(PartyChange),
    /// A milestone is added (not done yet).
    MilestoneAdd(Milestone),
    /// A milestone is done.
    MilestoneDone(MilestoneDone),
    /// A key is added.
    KeyAdd(PartyKey),
    /// A key is removed.
    KeyRemove(PartyKey),
}

impl SettingRecord {
    /// The record of `fact` with its id, acting party, time and clock.
    pub fn new(
        id: RecordId,
        by: PartyCode,
        at: Timestamp,
        clock: Option<u64>,
        fact: SettingFact,
    ) -> SettingRecord {
        let mut r = SettingRecord {
            id,
            kind: SettingKind::PartyAdd,
            by,
            at,
            clock,
            party: None,
            change: None,
            milestone: None,
            done: None,
            key: None,
        };
        match fact {
            SettingFact::PartyAdd(p) => r.party = Some(p),
            SettingFact::PartyChange(c) => {
                r.kind = SettingKind::PartyChange;
                r.change = Some(c);
            }
            SettingFact::MilestoneAdd(m) => {
                r.kind = SettingKind::MilestoneAdd;
                r.milestone = Some(m);
            }
            SettingFact::MilestoneDone(d) => {
                r.kind = SettingKind::MilestoneDone;
                r.done = Some(d);
            }
            SettingFact::KeyAdd(k) => {
                r.kind = SettingKind::KeyAdd;
                r.key = Some(k);
            }
            SettingFact::KeyRemove(k) => {
                r.kind = SettingKind::KeyRemove;
                r.key = Some(k);
            }
        }
        r
    }

    /// What the record says, if it has exactly the table its kind asks for.
    pub fn fact(&self) -> Result<SettingFact, String> {
        let present = [
            ("party", self.party.is_some()),
            ("change", self.change.is_some()),
            ("milestone", self.milestone.is_some()),
            ("done", self.done.is_some()),
            ("key", self.key.is_some()),
        ];
        let want = self.kind.table();
        let extra: Vec<&str> = present
            .iter()
            .filter(|(t, p)| *p && *t != want)
            .map(|(t, _)| *t)
            .collect();
        if !extra.is_empty() {
            return Err(format!(
                "a {} record has [{}], which belongs to another kind of setting",
                self.kind.as_str(),
                extra.join("], [")
            ));
        }
        let missing = || format!("a {} record needs a [{want}] table", self.kind.as_str());
        Ok(match self.kind {
            SettingKind::PartyAdd => SettingFact::PartyAdd(self.party.clone().ok_or_else(missing)?),
            SettingKind::PartyChange => {
                SettingFact::PartyChange(self.change.clone().ok_or_else(missing)?)
            }
            SettingKind::MilestoneAdd => {
                SettingFact::MilestoneAdd(self.milestone.clone().ok_or_else(missing)?)
            }
            SettingKind::MilestoneDone => {
                SettingFact::MilestoneDone(self.done.clone().ok_or_else(missing)?)
            }
            SettingKind::KeyAdd => SettingFact::KeyAdd(self.key.clone().ok_or_else(missing)?),
            SettingKind::KeyRemove => SettingFact::KeyRemove(self.key.clone().ok_or_else(missing)?),
        })
    }
}

/// Where a setting record is written: `settings/<UTC stamp>-<id>.toml`.
pub fn setting_path(r: &SettingRecord) -> String {
    let stamp = r.at.strftime("%Y%m%dT%H%M%SZ");
    format!("{SETTINGS_DIR}/{stamp}-{}.toml", r.id)
}

/// A setting fact the fold did not apply, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SettingFinding {
    /// The record's file.
    pub path: String,
    /// What was wrong with it.
    pub message: String,
}

/// The configuration with the settings folded over it.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingsFold {
    /// The configuration the commands use.
    pub config: Config,
    /// How many facts were applied.
    pub applied: usize,
    /// The facts that were not.
    pub findings: Vec<SettingFinding>,
}

/// Folds setting records (with their paths) over the configuration of `strategi.toml`,
/// in the order of the facts (see the module's documentation for the rules).
pub fn fold_settings(base: Config, records: &[(String, SettingRecord)]) -> SettingsFold {
    let mut config = base;
    let mut findings = Vec::new();
    let mut applied = 0;
    let mut ordered: Vec<&(String, SettingRecord)> = records.iter().collect();
    crate::model::sort_facts(
        &mut ordered,
        |(_, r)| (r.clock, r.at),
        |a, b| a.1.id.cmp(&b.1.id).then(a.0.cmp(&b.0)),
    );
    for (path, record) in ordered {
        match apply(&mut config, record) {
            Ok(()) => applied += 1,
            Err(message) => findings.push(SettingFinding {
                path: path.clone(),
                message,
            }),
        }
    }
    SettingsFold {
        config,
        applied,
        findings,
    }
}

fn apply(config: &mut Config, record: &SettingRecord) -> Result<(), String> {
    match record.fact()? {
        SettingFact::PartyAdd(mut party) => {
            if let Some(p) = config.party(&party.code) {
                return Err(format!(
                    "party {} is already listed ({}); the first fact in order counts",
                    p.code, p.name
                ));
            }
            let name_ok = crate::model::one_line(&party.name, "party's name").is_ok();
            if !name_ok {
                return Err(format!(
                    "the name of party {} is not one line of text",
                    party.code
                ));
            }
            if !party.keys.is_empty() {
                return Err(format!(
                    "party {} comes with keys; keys are added by key-add records",
                    party.code
                ));
            }
            party.keys.clear();
            config.parties.push(party);
        }
        SettingFact::PartyChange(change) => {
            let Some(p) = config.parties.iter_mut().find(|p| p.code == change.code) else {
                return Err(format!("party {} is not listed", change.code));
            };
            if let Some(name) = &change.name {
                if crate::model::one_line(name, "party's name").is_err() {
                    return Err(format!(
                        "the new name of party {} is not one line of text",
                        change.code
                    ));
                }
                p.name = name.clone();
            }
            if let Some(email) = &change.email {
                p.email = email.clone();
            }
            if let Some(lang) = change.lang {
                p.lang = lang;
            }
        }
        SettingFact::MilestoneAdd(m) => {
            if config.milestone(&m.id).is_some() {
                return Err(format!(
                    "milestone {} is already listed; the first fact in order counts",
                    m.id
                ));
            }
            if m.done.is_some() {
                return Err(format!(
                    "milestone {} is added as done; done comes as a milestone-done record",
                    m.id
                ));
            }
            if let Some(o) = m.owner.as_ref().filter(|o| !config.knows_party(o)) {
                return Err(format!(
                    "milestone {} is owned by {o}, which is not a party of the case",
                    m.id
                ));
            }
            config.milestones.push(m);
        }
        SettingFact::MilestoneDone(d) => {
            let Some(m) = config.milestones.iter_mut().find(|m| m.id == d.id) else {
                return Err(format!("milestone {} is not listed", d.id));
            };
            if m.done.is_none() {
                m.done = Some(d.on);
            }
        }
        SettingFact::KeyAdd(k) => {
            if let Err(e) = crate::sign::PublicKey::from_openssh(k.key.trim()) {
                return Err(format!("the key for {} does not read: {e}", k.party));
            }
            let Some(p) = config.parties.iter_mut().find(|p| p.code == k.party) else {
                return Err(format!("party {} is not listed", k.party));
            };
            let material = key_material(&k.key);
            if !p.keys.iter().any(|x| key_material(x) == material) {
                p.keys.push(k.key.trim().to_string());
            }
        }
        SettingFact::KeyRemove(k) => {
            let Some(p) = config.parties.iter_mut().find(|p| p.code == k.party) else {
                return Err(format!("party {} is not listed", k.party));
            };
            let material = key_material(&k.key);
            p.keys.retain(|x| key_material(x) != material);
        }
    }
    Ok(())
}

/// The key a setting record's text adds or removes, as (party, `type base64`, added?),
/// read leniently (history reads old and hand-made files): nothing for another kind or
/// a text that does not parse.
pub(super) fn key_fact_in(text: &str) -> Option<(String, String, bool)> {
    let r: SettingRecord = toml::from_str(text).ok()?;
    let added = match r.kind {
        SettingKind::KeyAdd => true,
        SettingKind::KeyRemove => false,
        _ => return None,
    };
    let k = r.key?;
    let material = key_material(&k.key);
    (!material.is_empty()).then(|| (k.party.to_string(), material, added))
}

impl Workspace {
    /// `strategi.toml` alone, validated, without the settings folded over it: what
    /// the file itself says (a three-way merge of it, the credential check).
    /// The party codes of `[approval] require_signed_commits` are checked only with
    /// the settings folded in ([`Workspace::settings`]).
    pub fn base_config(&self) -> Result<Config, StoreError> {
        self.base_config_of(&self.config_text()?)
    }

    fn base_config_of(&self, text: &str) -> Result<Config, StoreError> {
        let (config, credential) =
            super::config_file::parse_config_before_settings(Path::new(CONFIG_FILE), text)?;
        match credential {
            Some(e) => Err(e),
            None => Ok(config),
        }
    }

    /// The setting records of the working tree, with their paths, in file order. A
    /// record that does not read is an error naming the file.
    pub fn setting_records(&self) -> Result<Vec<(String, SettingRecord)>, StoreError> {
        self.read_records(SETTINGS_DIR)?
            .into_iter()
            .map(|f| {
                let r: SettingRecord = f.parse()?;
                Ok((f.path, r))
            })
            .collect()
    }

    /// `base` (the configuration of `strategi.toml`) with this workspace's setting
    /// records folded over it.
    pub fn fold_settings_over(&self, base: Config) -> Result<SettingsFold, StoreError> {
        Ok(fold_settings(base, &self.setting_records()?))
    }

    /// [`Workspace::settings`], but a setting record that does not read is left out
    /// and returned as a warning instead of failing: for `sync`, which must still run
    /// so that the commit removing such a record (perhaps pushed by the other side)
    /// can travel.
    pub fn settings_skipping_unreadable(
        &self,
    ) -> Result<(SettingsFold, Vec<StoreError>), StoreError> {
        let text = self.config_text()?;
        let base = self.base_config_of(&text)?;
        let mut records = Vec::new();
        let mut skipped = Vec::new();
        for f in self.read_records(SETTINGS_DIR)? {
            match f.parse::<SettingRecord>() {
                Ok(r) => records.push((f.path, r)),
                Err(e) => skipped.push(e),
            }
        }
        let fold = fold_settings(base, &records);
        super::check_policy_parties(Path::new(CONFIG_FILE), &text, &fold.config)?;
        Ok((fold, skipped))
    }

    /// The configuration with its findings: `strategi.toml` and `settings/`.
    pub fn settings(&self) -> Result<SettingsFold, StoreError> {
        self.settings_with(&self.config_text()?)
    }

    /// [`Workspace::settings`] as they would be with `text` as `strategi.toml`: how an
    /// act that edits the file checks the result before writing it (an error names
    /// `strategi.toml` and the place in `text`).
    pub fn settings_with(&self, text: &str) -> Result<SettingsFold, StoreError> {
        let fold = self.fold_settings_over(self.base_config_of(text)?)?;
        super::check_policy_parties(Path::new(CONFIG_FILE), text, &fold.config)?;
        Ok(fold)
    }

    /// Whether `strategi.toml` in the working tree is the one HEAD holds (no
    /// uncommitted edit that a command writing the file would sweep into its commit).
    pub fn config_is_committed(&self) -> Result<bool, StoreError> {
        self.file_is_committed(CONFIG_FILE)
    }
}

impl Transaction<'_> {
    /// Queues a setting record: a new id, the transaction's logical clock, the acting
    /// party and the time. Returns the record (its path is [`setting_path`]).
    pub fn write_setting(
        &mut self,
        by: &PartyCode,
        at: Timestamp,
        fact: SettingFact,
    ) -> Result<SettingRecord, StoreError> {
        let id = self.new_id(RecordKind::Setting);
        let clock = self.clock()?;
        let record = SettingRecord::new(id, by.clone(), at, Some(clock), fact);
        self.write_record(&setting_path(&record), &record)?;
        Ok(record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ApprovalSettings, Case, MailSettings};

    fn base() -> Config {
        Config {
            case: Case {
                title: "T".into(),
                number: None,
                owner: "DIO".parse().expect("code"),
                approver: "DFD".parse().expect("code"),
                lang: Lang::Nb,
            },
            parties: vec![],
            milestones: vec![],
            mail: MailSettings::default(),
            closed_days: vec![],
            approval: ApprovalSettings::default(),
            journal: Default::default(),
        }
    }

    fn party(code: &str, name: &str) -> Party {
        Party {
            code: code.parse().expect("code"),
            name: name.into(),
            email: format!("post@{}.example", code.to_lowercase())
                .parse()
                .expect("email"),
            lang: Lang::Nb,
            keys: vec![],
        }
    }

    fn rec(n: u32, clock: Option<u64>, at: &str, fact: SettingFact) -> (String, SettingRecord) {
        let id: RecordId = format!("e{n:07}").parse().expect("id");
        let r = SettingRecord::new(
            id,
            "DIO".parse().expect("code"),
            at.parse().expect("time"),
            clock,
            fact,
        );
        (setting_path(&r), r)
    }

    const KEY: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl dfd";

    #[test]
    fn the_logical_clock_orders_facts_not_the_machines_time() {
        // Clone B's clock runs an hour behind, but B saw A's party-add (clock 2) and
        // changed the name (clock 3): the change applies after the add.
        let records = vec![
            rec(
                2,
                Some(3),
                "2025-03-01T09:00:00Z",
                SettingFact::PartyChange(PartyChange {
                    code: "FIN".parse().expect("code"),
                    name: Some("Finansdepartementet".into()),
                    email: None,
                    lang: None,
                }),
            ),
            rec(
                1,
                Some(2),
                "2025-03-01T10:00:00Z",
                SettingFact::PartyAdd(party("FIN", "Fin")),
            ),
        ];
        let fold = fold_settings(base(), &records);
        assert!(fold.findings.is_empty(), "{:?}", fold.findings);
        assert_eq!(fold.config.parties[0].name, "Finansdepartementet");
        // By time alone the change would have come first and been refused.
        let timeless: Vec<_> = records
            .into_iter()
            .map(|(p, mut r)| {
                r.clock = None;
                (p, r)
            })
            .collect();
        let fold = fold_settings(base(), &timeless);
        assert_eq!(fold.findings.len(), 1, "{:?}", fold.findings);
        assert_eq!(fold.config.parties[0].name, "Fin");
    }

    #[test]
    fn concurrent_adds_of_one_party_keep_the_first_in_order_whatever_the_file_order() {
        let a = rec(
            5,
            Some(4),
            "2025-03-01T10:00:00Z",
            SettingFact::PartyAdd(party("FIN", "A")),
        );
        let b = rec(
            3,
            Some(4),
            "2025-03-01T10:00:00Z",
            SettingFact::PartyAdd(party("FIN", "B")),
        );
        let one = fold_settings(base(), &[a.clone(), b.clone()]);
        let two = fold_settings(base(), &[b, a]);
        assert_eq!(one, two);
        // Same clock and time: the lower id wins.
        assert_eq!(one.config.parties[0].name, "B");
        assert_eq!(one.findings.len(), 1);
    }

    #[test]
    fn milestones_and_keys_fold() {
        let m = Milestone {
            id: "forslag".parse().expect("id"),
            title: "Forslag".into(),
            due: "2025-12-01".parse().expect("date"),
            owner: Some("DIO".parse().expect("code")),
            done: None,
        };
        let key = PartyKey {
            party: "DFD".parse().expect("code"),
            key: KEY.into(),
        };
        let records = vec![
            rec(
                1,
                Some(1),
                "2025-03-01T10:00:00Z",
                SettingFact::PartyAdd(party("DFD", "D")),
            ),
            rec(
                2,
                Some(2),
                "2025-03-01T10:00:00Z",
                SettingFact::MilestoneAdd(m),
            ),
            rec(
                3,
                Some(3),
                "2025-03-01T10:00:00Z",
                SettingFact::MilestoneDone(MilestoneDone {
                    id: "forslag".parse().expect("id"),
                    on: "2025-11-28".parse().expect("date"),
                }),
            ),
            rec(
                4,
                Some(4),
                "2025-03-01T10:00:00Z",
                SettingFact::MilestoneDone(MilestoneDone {
                    id: "forslag".parse().expect("id"),
                    on: "2025-11-30".parse().expect("date"),
                }),
            ),
            rec(
                5,
                Some(5),
                "2025-03-01T10:00:00Z",
                SettingFact::KeyAdd(key.clone()),
            ),
            rec(
                6,
                Some(6),
                "2025-03-01T10:00:00Z",
                SettingFact::KeyAdd(key.clone()),
            ),
        ];
        let fold = fold_settings(base(), &records);
        assert!(fold.findings.is_empty(), "{:?}", fold.findings);
        assert_eq!(
            fold.config.milestones[0].done,
            Some("2025-11-28".parse().expect("date"))
        );
        assert_eq!(fold.config.parties[0].keys, vec![KEY.to_string()]);
        let mut more = records;
        more.push(rec(
            7,
            Some(7),
            "2025-03-01T10:00:00Z",
            SettingFact::KeyRemove(key),
        ));
        let fold = fold_settings(base(), &more);
        assert!(fold.config.parties[0].keys.is_empty());
    }

    #[test]
    fn facts_that_cannot_apply_are_findings() {
        let records = vec![
            rec(
                1,
                Some(1),
                "2025-03-01T10:00:00Z",
                SettingFact::KeyAdd(PartyKey {
                    party: "FIN".parse().expect("code"),
                    key: KEY.into(),
                }),
            ),
            rec(
                2,
                Some(2),
                "2025-03-01T10:00:00Z",
                SettingFact::MilestoneDone(MilestoneDone {
                    id: "nope".parse().expect("id"),
                    on: "2025-11-28".parse().expect("date"),
                }),
            ),
        ];
        let fold = fold_settings(base(), &records);
        assert_eq!(fold.applied, 0);
        assert_eq!(fold.findings.len(), 2);
        assert!(fold.findings[0].message.contains("FIN is not listed"));
    }

    #[test]
    fn a_record_reads_back_and_names_its_key() {
        let (_, r) = rec(
            1,
            Some(9),
            "2025-03-01T10:00:00Z",
            SettingFact::KeyAdd(PartyKey {
                party: "DFD".parse().expect("code"),
                key: KEY.into(),
            }),
        );
        let text = toml::to_string(&r).expect("toml");
        assert!(text.contains("kind = \"key-add\""), "{text}");
        assert!(text.contains("clock = 9"), "{text}");
        let back: SettingRecord = toml::from_str(&text).expect("parse");
        assert_eq!(back, r);
        let (party, key, added) = key_fact_in(&text).expect("key fact");
        assert_eq!(party, "DFD");
        assert_eq!(key, key_material(KEY));
        assert!(added);
        // A record with the wrong table for its kind is refused by the fold.
        let mut odd = back;
        odd.party = Some(party_with_code("DFD"));
        assert!(odd.fact().is_err());
    }

    fn party_with_code(code: &str) -> Party {
        party(code, "X")
    }
}
