//! The case's policy and the settling of `strategi.toml` conflicts: `policy show`,
//! `policy set`, `config conflicts` and `config settle`.
//!
//! The policy is what the guard of history protects ([`PolicySetting`]): `[case]
//! owner`, `[case] approver`, `[approval] require_signature` and `require_signed_commits`.
//! Only the case owner as history stands ([`crate::store::RecordHistory::owner`]) may
//! change it, acting as the owner, and where the policy requires the owner's commits
//! to be signed, a change that loosens it must be signed with one of the owner's own
//! keys: exactly what `verify` accepts as a legitimate change, so `policy-changed`
//! stays silent for these commits and still fires for a plain-git edit.
//!
//! A key that both sides of a sync changed differently ([`OpenConflict`]) is settled
//! by a commit with `Strategi-Settled: KEY`; `settle` writes the chosen value with
//! toml_edit (the rest of the file as it was), checks the resulting configuration
//! (the file parsed and the settings folded over it) before anything is written, and
//! commits. A guarded key is settled by the owner only, by the same rule as
//! `policy set`; any party may settle the others.

use jiff::ZonedDateTime as Zoned;
use serde::Serialize;

use crate::approval::key_provenance;
use crate::model::{Action, Config, PartyCode, SignedCommits};
use crate::store::{
    Actor, CONFIG_FILE, CommitInfo, OpenConflict, PolicyChange, PolicySetting, Transaction,
    Workspace, set_toml_key, toml_keys, toml_literal, toml_value_at,
};

use super::CaseError;

/// The key (as a conflict names it) of a policy setting in `strategi.toml`.
pub fn setting_key(setting: PolicySetting) -> &'static str {
    match setting {
        PolicySetting::Owner => "case.owner",
        PolicySetting::Approver => "case.approver",
        PolicySetting::RequireSignedCommits => "approval.require_signed_commits",
        PolicySetting::RequireSignature => "approval.require_signature",
    }
}

/// The name `policy set` takes for a setting: `owner`, `approver`,
/// `require-signature`, `require-signed-commits`.
pub fn setting_name(setting: PolicySetting) -> &'static str {
    match setting {
        PolicySetting::Owner => "owner",
        PolicySetting::Approver => "approver",
        PolicySetting::RequireSignedCommits => "require-signed-commits",
        PolicySetting::RequireSignature => "require-signature",
    }
}

/// The setting a name stands for: its `policy set` name (underscores for hyphens
/// accepted) or its key in `strategi.toml` (`case.owner`).
pub fn setting_named(name: &str) -> Option<PolicySetting> {
    let n = name.trim().replace('_', "-");
    PolicySetting::ALL
        .into_iter()
        .find(|s| setting_name(*s) == n || setting_key(*s).replace('_', "-") == n)
}

/// The guarded setting a `strategi.toml` key is, if it is one.
pub fn guarded_setting(key: &str) -> Option<PolicySetting> {
    PolicySetting::ALL
        .into_iter()
        .find(|s| setting_key(*s) == key.trim())
}

/// The value `policy set SETTING VALUE` means, as TOML: a party code for the owner and
/// the approver; `true` or `false` for `require-signature`; `true`, `false` or a
/// comma-separated list of party codes for `require-signed-commits`.
pub fn policy_value(setting: PolicySetting, value: &str) -> Result<toml::Value, CaseError> {
    let v = value.trim();
    let bad = |expected: &str| CaseError::BadPolicyValue {
        setting: setting_name(setting),
        value: value.to_string(),
        expected: expected.to_string(),
    };
    let flag = match v.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" => Some(true),
        "false" | "no" | "off" => Some(false),
        _ => None,
    };
    match setting {
        PolicySetting::Owner | PolicySetting::Approver => {
            let code: PartyCode = v.parse().map_err(|_| bad("a party code, such as DFD"))?;
            Ok(toml::Value::String(code.to_string()))
        }
        PolicySetting::RequireSignature => flag
            .map(toml::Value::Boolean)
            .ok_or_else(|| bad("true or false")),
        PolicySetting::RequireSignedCommits => match flag {
            Some(f) => Ok(toml::Value::Boolean(f)),
            None => {
                let mut codes = Vec::new();
                for c in v.split(',').map(str::trim).filter(|c| !c.is_empty()) {
                    let code: PartyCode = c.parse().map_err(|_| {
                        bad("true, false or party codes separated by commas, such as DIO,DFD")
                    })?;
                    if !codes.contains(&code) {
                        codes.push(code);
                    }
                }
                if codes.is_empty() {
                    return Err(bad(
                        "true, false or party codes separated by commas, such as DIO,DFD",
                    ));
                }
                Ok(toml::Value::Array(
                    codes
                        .into_iter()
                        .map(|c| toml::Value::String(c.to_string()))
                        .collect(),
                ))
            }
        },
    }
}

/// Whether changing `setting` from `old` to `new` (as TOML, `None` when not set)
/// loosens the policy, as history judges it ([`PolicyChange::loosens`]).
pub fn loosens(setting: PolicySetting, old: Option<&str>, new: Option<&str>) -> bool {
    PolicyChange {
        setting,
        old: old.map(str::to_string),
        new: new.map(str::to_string),
        commit: 0,
    }
    .loosens()
}

/// The rule of a policy change: `actor` acts as the owner as history stands (the
/// file's `[case] owner` where history has none), and where the policy (as history
/// stands, or as the file says) requires the owner's commits to be signed, the
/// transaction signs; a change that loosens the policy then must be signed with one of
/// the owner's own keys, or `verify` would not count it as the owner's. Returns the
/// owner.
pub fn may_change_policy(
    tx: &Transaction<'_>,
    actor: &Actor,
    config: &Config,
    what: &str,
    loosening: bool,
) -> Result<PartyCode, CaseError> {
    let ws = tx.workspace();
    let history = ws.key_history()?;
    let owner = history
        .owner()
        .and_then(|o| o.parse::<PartyCode>().ok())
        .unwrap_or_else(|| config.case.owner.clone());
    if actor.party != owner {
        return Err(CaseError::NotOwner {
            party: actor.party.clone(),
            owner,
            what: what.to_string(),
        });
    }
    let required = history
        .signed_commits_at(usize::MAX)
        .requires(owner.as_str())
        || config.approval.signed_commits.requires(owner.as_str());
    if !required {
        return Ok(owner);
    }
    let Some(key) = tx.signing_key() else {
        return Err(CaseError::Unsigned { owner });
    };
    if loosening {
        let own = key_provenance(config, &history)?.own_keys(config, &owner)?;
        if !own.contains(&key.public_key()) {
            return Err(CaseError::NotOwnKey {
                owner,
                fingerprint: key.fingerprint(),
                has_keys: !own.is_empty(),
            });
        }
    }
    Ok(owner)
}

/// `require_signed_commits` as `policy show` gives it: `true`/`false`, or the codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum SignedCommitsView {
    /// Every party (`true`) or none (`false`).
    Flag(bool),
    /// These parties.
    Parties(Vec<PartyCode>),
}

impl From<&SignedCommits> for SignedCommitsView {
    fn from(s: &SignedCommits) -> Self {
        match s {
            SignedCommits::Off => SignedCommitsView::Flag(false),
            SignedCommits::All => SignedCommitsView::Flag(true),
            SignedCommits::Parties(p) => SignedCommitsView::Parties(p.clone()),
        }
    }
}

/// A change of the policy that history does not count (made behind the owner's back).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ForeignPolicyChange {
    /// The setting, by its `policy set` name.
    pub setting: &'static str,
    /// The value before, as TOML.
    pub old: Option<String>,
    /// The value after, as TOML.
    pub new: Option<String>,
    /// The commit.
    pub commit: String,
}

/// The policy as `policy show` gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Policy {
    /// `[case] owner`.
    pub owner: PartyCode,
    /// `[case] approver`.
    pub approver: PartyCode,
    /// `[approval] require_signature`.
    pub require_signature: bool,
    /// `[approval] require_signed_commits`.
    pub require_signed_commits: SignedCommitsView,
    /// The owner as history stands, when it is not the file's (the file's was changed
    /// behind the owner's back).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_by_history: Option<String>,
    /// Loosening changes history does not count (`verify` reports them as
    /// `policy-changed`).
    pub not_counted: Vec<ForeignPolicyChange>,
}

/// The case's policy: the configuration's values and what history says of them.
pub fn policy(ws: &Workspace) -> Result<Policy, CaseError> {
    let config = ws.config()?;
    let history = ws.key_history()?;
    let owner_by_history = history
        .owner()
        .filter(|o| o.as_str() != config.case.owner.as_str());
    let not_counted = history
        .policy_verdicts()
        .into_iter()
        .filter(|v| v.foreign)
        .map(|v| ForeignPolicyChange {
            setting: setting_name(v.change.setting),
            old: v.change.old.clone(),
            new: v.change.new.clone(),
            commit: history
                .commits
                .get(v.change.commit)
                .map(|c| c.id.clone())
                .unwrap_or_default(),
        })
        .collect();
    Ok(Policy {
        owner: config.case.owner.clone(),
        approver: config.case.approver.clone(),
        require_signature: config.approval.require_signature,
        require_signed_commits: (&config.approval.signed_commits).into(),
        owner_by_history,
        not_counted,
    })
}

/// A policy setting changed.
#[derive(Debug, Clone, Serialize)]
pub struct PolicySet {
    /// The setting, by its `policy set` name.
    pub setting: &'static str,
    /// Its value before, as TOML (`None` when it was not set).
    pub old: Option<String>,
    /// Its value now, as TOML.
    pub new: String,
    /// Whether the change loosens the policy (else it tightens it or names another
    /// owner or approver).
    pub loosens: bool,
    /// With `--force`: the records made before that no longer hold under the new owner
    /// or approver ("PATH: why").
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub voided: Vec<String>,
    /// The commit.
    pub commit: CommitInfo,
}

/// `policy set`: the owner sets one policy setting in `strategi.toml` (toml_edit, the
/// rest of the file as it was), checked by [`may_change_policy`] and by folding the
/// resulting configuration before anything is written.
pub fn set_policy(
    mut tx: Transaction<'_>,
    actor: &Actor,
    now: &Zoned,
    setting: PolicySetting,
    value: &toml::Value,
    force: bool,
) -> Result<PolicySet, CaseError> {
    let ws = tx.workspace();
    let config = ws.config()?;
    let key = setting_key(setting);
    let text = ws.config_text()?;
    let old = toml_value_at(&text, key);
    let new = toml_literal(value);
    if old.as_deref() == Some(new.as_str()) {
        return Err(CaseError::PolicyUnchanged {
            setting: setting_name(setting),
            value: new,
        });
    }
    if let toml::Value::String(code) = value
        && let Ok(code) = code.parse::<PartyCode>()
        && !config.knows_party(&code)
    {
        return Err(CaseError::NoParty { code });
    }
    let loosening = loosens(setting, old.as_deref(), Some(&new));
    may_change_policy(&tx, actor, &config, setting.name(), loosening)?;
    if !ws.config_is_committed()? {
        return Err(CaseError::ConfigUncommitted);
    }
    let edited = set_toml_key(&text, key, value).ok_or(CaseError::CannotEdit {
        key: key.to_string(),
    })?;
    let fold = ws.settings_with(&edited).map_err(|e| CaseError::BadValue {
        key: key.to_string(),
        value: new.clone(),
        source: Box::new(e),
    })?;
    // A new owner or approver judges the records already made as verify would: those
    // that held before and would not now are refused unless forced.
    let mut voided = Vec::new();
    if matches!(setting, PolicySetting::Owner | PolicySetting::Approver) {
        let today = now.date();
        let line = |f: &crate::approval::verify::Finding| format!("{}: {}", f.path, f.message);
        let before: std::collections::BTreeSet<String> =
            crate::approval::verify::record_findings_with(ws, today, &config)?
                .iter()
                .map(line)
                .collect();
        voided = crate::approval::verify::record_findings_with(ws, today, &fold.config)?
            .iter()
            .map(line)
            .filter(|l| !before.contains(l))
            .collect();
        if !voided.is_empty() && !force {
            return Err(CaseError::PolicyVoids {
                setting: setting_name(setting),
                value: new,
                count: voided.len(),
                first: voided.into_iter().take(3).collect(),
            });
        }
    }
    tx.write(CONFIG_FILE, edited);
    let was = old.clone().unwrap_or_else(|| "not set".to_string());
    let commit = tx.commit(
        &format!("Set {} to {new}", setting.name()),
        &format!(
            "Was {was}. The owner {} {} the policy.",
            actor.party,
            if loosening { "loosened" } else { "tightened" }
        ),
        Action::PolicySet,
        actor,
        now,
    )?;
    Ok(PolicySet {
        setting: setting_name(setting),
        old,
        new,
        loosens: loosening,
        voided,
        commit,
    })
}

/// A conflict to settle, as `config conflicts` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct ConflictView {
    /// The conflict: key, merge commit, both values.
    #[serde(flatten)]
    pub conflict: OpenConflict,
    /// The value in `strategi.toml` now, as TOML (`None` when the key is not set).
    pub current: Option<String>,
    /// Whether only the owner may settle it (a guarded policy setting).
    pub owner_only: bool,
    /// The command that keeps the current value.
    pub settle: String,
}

/// Every open conflict with the value `strategi.toml` has now.
pub fn conflicts(ws: &Workspace) -> Result<Vec<ConflictView>, CaseError> {
    let text = ws.config_text()?;
    Ok(ws
        .open_config_conflicts()?
        .into_iter()
        .map(|c| ConflictView {
            current: toml_value_at(&text, &c.key),
            owner_only: guarded_setting(&c.key).is_some(),
            settle: format!("strategi config settle {} --keep", c.key),
            conflict: c,
        })
        .collect())
}

/// How a conflict is settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettleChoice {
    /// The value `strategi.toml` has now (the remote's, unless changed since).
    Keep,
    /// This value: TOML (`"text"`, `true`, `["DIO"]`), or else taken as text.
    Value(String),
}

/// A conflict settled.
#[derive(Debug, Clone, Serialize)]
pub struct Settled {
    /// The key.
    pub key: String,
    /// Its value now, as TOML (`None` when not set).
    pub value: Option<String>,
    /// Its value before, as TOML.
    pub was: Option<String>,
    /// Whether `strategi.toml` changed.
    pub changed: bool,
    /// The conflicts this settles (one key may have been in conflict in several syncs).
    pub settles: Vec<OpenConflict>,
    /// The commit.
    pub commit: CommitInfo,
}

/// A value as `config settle --value` reads it: TOML, else text.
pub fn value_of(text: &str) -> toml::Value {
    format!("v = {text}")
        .parse::<toml::Table>()
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(text.to_string()))
}

/// `config settle`: settles the open conflict of `key` (see the module's description).
pub fn settle(
    mut tx: Transaction<'_>,
    actor: &Actor,
    now: &Zoned,
    key: &str,
    choice: SettleChoice,
) -> Result<Settled, CaseError> {
    let ws = tx.workspace();
    let key = key.trim();
    let open = ws.open_config_conflicts()?;
    let settles: Vec<OpenConflict> = open.iter().filter(|c| c.key == key).cloned().collect();
    let text = ws.config_text()?;
    if settles.is_empty() {
        let listed = open.iter().map(|c| c.key.clone()).collect();
        return Err(if toml_keys(&text).iter().any(|k| k == key) {
            CaseError::NotInConflict {
                key: key.to_string(),
                open: listed,
            }
        } else {
            CaseError::UnknownKey {
                key: key.to_string(),
                open: listed,
            }
        });
    }
    let config = ws.config()?;
    let was = toml_value_at(&text, key);
    let (edited, value) = match &choice {
        SettleChoice::Keep => (text.clone(), was.clone()),
        SettleChoice::Value(v) => {
            let value = value_of(v);
            let edited = set_toml_key(&text, key, &value).ok_or(CaseError::CannotEdit {
                key: key.to_string(),
            })?;
            (edited, Some(toml_literal(&value)))
        }
    };
    if let Some(setting) = guarded_setting(key) {
        let loosening = value != was && loosens(setting, was.as_deref(), value.as_deref());
        may_change_policy(
            &tx,
            actor,
            &config,
            &format!("settle {}", setting.name()),
            loosening,
        )?;
    }
    let changed = edited != text;
    if changed {
        if !ws.config_is_committed()? {
            return Err(CaseError::ConfigUncommitted);
        }
        ws.settings_with(&edited).map_err(|e| CaseError::BadValue {
            key: key.to_string(),
            value: value.clone().unwrap_or_default(),
            source: Box::new(e),
        })?;
        tx.write(CONFIG_FILE, edited);
    }
    let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "(removed)".to_string());
    let mut body = String::new();
    for c in &settles {
        body.push_str(&format!(
            "Sync {} kept the remote's {} over {}{}.\n",
            c.commit.get(..12).unwrap_or(&c.commit),
            show(&c.remote),
            show(&c.local),
            c.merged_by
                .as_ref()
                .map(|p| format!(" (merged acting as {p})"))
                .unwrap_or_default()
        ));
    }
    let commit = tx.commit_with_trailers(
        &format!("Settle {key} in strategi.toml: {}", show(&value)),
        &body,
        Action::ConfigSettle,
        actor,
        now,
        &[("Settled", key.to_string())],
    )?;
    Ok(Settled {
        key: key.to_string(),
        value,
        was,
        changed,
        settles,
        commit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_named_as_the_command_and_the_file_name_them() {
        assert_eq!(setting_named("owner"), Some(PolicySetting::Owner));
        assert_eq!(
            setting_named("require_signed_commits"),
            Some(PolicySetting::RequireSignedCommits)
        );
        assert_eq!(
            setting_named("approval.require_signature"),
            Some(PolicySetting::RequireSignature)
        );
        assert_eq!(setting_named("title"), None);
        assert_eq!(
            guarded_setting("case.approver"),
            Some(PolicySetting::Approver)
        );
        assert_eq!(guarded_setting("case.title"), None);
    }

    #[test]
    fn policy_values_are_typed_by_their_setting() {
        use PolicySetting::*;
        assert_eq!(
            policy_value(Owner, "DFD").ok(),
            Some(toml::Value::String("DFD".into()))
        );
        assert!(policy_value(Owner, "not a code").is_err());
        assert_eq!(
            policy_value(RequireSignature, "false").ok(),
            Some(toml::Value::Boolean(false))
        );
        assert!(policy_value(RequireSignature, "maybe").is_err());
        assert_eq!(
            policy_value(RequireSignedCommits, "DIO, DFD,DIO")
                .ok()
                .map(|v| toml_literal(&v)),
            Some("[\"DIO\", \"DFD\"]".to_string())
        );
        assert!(policy_value(RequireSignedCommits, ",").is_err());
    }

    #[test]
    fn loosening_is_judged_as_history_judges_it() {
        use PolicySetting::*;
        assert!(loosens(RequireSignature, Some("true"), Some("false")));
        assert!(!loosens(RequireSignature, Some("false"), Some("true")));
        assert!(loosens(
            RequireSignedCommits,
            Some("true"),
            Some("[\"DFD\"]")
        ));
        assert!(!loosens(RequireSignedCommits, None, Some("true")));
        assert!(loosens(Owner, Some("\"DIO\""), Some("\"DFD\"")));
    }

    #[test]
    fn settle_values_are_toml_or_else_text() {
        assert_eq!(value_of("true"), toml::Value::Boolean(true));
        assert_eq!(value_of("\"KI\""), toml::Value::String("KI".into()));
        assert_eq!(
            value_of("KI-strategi 2026"),
            toml::Value::String("KI-strategi 2026".into())
        );
        assert_eq!(value_of("42"), toml::Value::Integer(42));
    }
}
