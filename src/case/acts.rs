//! The acts on the case's settings records: `party add`, `party change`, `milestone
//! add` and `milestone done`. Each checks its rules against the configuration folded
//! under the lock, writes one `settings/` record and commits once.

use jiff::ZonedDateTime as Zoned;
use jiff::civil::Date;
use serde::Serialize;

use crate::calendar::work_calendar;
use crate::model::{Action, Config, EmailAddress, Lang, Milestone, MilestoneId, Party, PartyCode};
use crate::store::{
    Actor, CommitInfo, MilestoneDone, PartyChange, SettingFact, SettingRecord, Transaction,
};

use super::CaseError;

/// A name or title: one line of text, trimmed; `None` when it is empty or holds a line
/// break or another control character.
pub fn one_line(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty() && !t.chars().any(char::is_control)).then(|| t.to_string())
}

/// A party added.
#[derive(Debug, Clone, Serialize)]
pub struct PartyAdded {
    /// The party.
    pub party: Party,
    /// The record written.
    #[serde(skip)]
    pub record: SettingRecord,
    /// The commit.
    pub commit: CommitInfo,
}

/// `party add`: a new party (its code not yet one of the case's listed parties).
pub fn add_party(
    mut tx: Transaction<'_>,
    actor: &Actor,
    now: &Zoned,
    config: &Config,
    party: Party,
) -> Result<PartyAdded, CaseError> {
    let name = one_line(&party.name).ok_or(CaseError::PartyName)?;
    let party = Party { name, ..party };
    if let Some(existing) = config.party(&party.code) {
        return Err(CaseError::PartyExists {
            code: existing.code.clone(),
            name: existing.name.clone(),
        });
    }
    let record = tx.write_setting(
        &actor.party,
        now.timestamp(),
        SettingFact::PartyAdd(party.clone()),
    )?;
    let commit = tx.commit(
        &format!("Add party {} ({})", party.code, party.name),
        &format!("E-mail {}, language {}.", party.email, party.lang),
        Action::PartyAdd,
        actor,
        now,
    )?;
    Ok(PartyAdded {
        party,
        record,
        commit,
    })
}

/// What `party change` asks: the fields to set (`None` leaves one as it is).
#[derive(Debug, Clone, Default)]
pub struct PartyChangeRequest {
    /// A new full name.
    pub name: Option<String>,
    /// A new address.
    pub email: Option<EmailAddress>,
    /// A new language.
    pub lang: Option<Lang>,
}

/// A party changed.
#[derive(Debug, Clone)]
pub struct PartyChanged {
    /// The change recorded (only the fields that differ).
    pub change: PartyChange,
    /// What changed, in words: `name "…", e-mail …, language nn`.
    pub said: String,
    /// The record written.
    pub record: SettingRecord,
    /// The commit.
    pub commit: CommitInfo,
}

/// `party change`: new values for a listed party's name, address or language; a value
/// equal to the one it has is no change, and a request without any change is refused.
pub fn change_party(
    mut tx: Transaction<'_>,
    actor: &Actor,
    now: &Zoned,
    config: &Config,
    code: &PartyCode,
    req: PartyChangeRequest,
) -> Result<PartyChanged, CaseError> {
    let name = match &req.name {
        Some(n) => Some(one_line(n).ok_or(CaseError::PartyName)?),
        None => None,
    };
    let Some(party) = config.party(code) else {
        return Err(CaseError::NoParty { code: code.clone() });
    };
    let change = PartyChange {
        code: code.clone(),
        name: name.filter(|n| n != &party.name),
        email: req.email.filter(|e| e != &party.email),
        lang: req.lang.filter(|l| l != &party.lang),
    };
    if change.name.is_none() && change.email.is_none() && change.lang.is_none() {
        return Err(CaseError::NothingToChange { code: code.clone() });
    }
    let mut said = Vec::new();
    if let Some(n) = &change.name {
        said.push(format!("name \"{n}\""));
    }
    if let Some(e) = &change.email {
        said.push(format!("e-mail {e}"));
    }
    if let Some(l) = &change.lang {
        said.push(format!("language {l}"));
    }
    let said = said.join(", ");
    let record = tx.write_setting(
        &actor.party,
        now.timestamp(),
        SettingFact::PartyChange(change.clone()),
    )?;
    let commit = tx.commit(
        &format!("Change party {code}: {said}"),
        &format!(
            "Was {} <{}>, language {}.",
            party.name, party.email, party.lang
        ),
        Action::PartyChange,
        actor,
        now,
    )?;
    Ok(PartyChanged {
        change,
        said,
        record,
        commit,
    })
}

/// When a new milestone is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Due {
    /// On a day.
    On(Date),
    /// A number of working days after (positive) or before (negative) another
    /// milestone's due date.
    Relative {
        /// Working days; negative is before.
        days: i32,
        /// The milestone counted from.
        from: MilestoneId,
    },
}

/// What `milestone add` asks.
#[derive(Debug, Clone)]
pub struct MilestoneRequest {
    /// Its id.
    pub id: MilestoneId,
    /// What is due, in words.
    pub title: String,
    /// When.
    pub due: Due,
    /// The party that owns the obligation, if any.
    pub owner: Option<PartyCode>,
}

/// A milestone added.
#[derive(Debug, Clone)]
pub struct MilestoneAdded {
    /// The milestone (its due date resolved).
    pub milestone: Milestone,
    /// The record written.
    pub record: SettingRecord,
    /// The commit.
    pub commit: CommitInfo,
}

/// `milestone add`: a new milestone (a new id; an owner that is a party of the case;
/// a relative date counted in working days from a listed milestone).
pub fn add_milestone(
    mut tx: Transaction<'_>,
    actor: &Actor,
    now: &Zoned,
    config: &Config,
    req: MilestoneRequest,
) -> Result<MilestoneAdded, CaseError> {
    let title = one_line(&req.title).ok_or(CaseError::MilestoneTitle)?;
    let id = req.id;
    if config.milestone(&id).is_some() {
        return Err(CaseError::MilestoneExists { id });
    }
    if let Some(o) = req.owner.as_ref().filter(|o| !config.knows_party(o)) {
        return Err(CaseError::UnknownOwner { code: o.clone() });
    }
    let (due, basis) = match req.due {
        Due::On(d) => (d, String::new()),
        Due::Relative { days, from } => {
            let Some(b) = config.milestone(&from) else {
                return Err(CaseError::NoBaseMilestone { id: from });
            };
            let d = work_calendar(config).add_working_days(b.due, days)?;
            (
                d,
                format!(
                    "Due {} working days {} {} ({}).",
                    days.abs(),
                    if days < 0 { "before" } else { "after" },
                    from,
                    b.due
                ),
            )
        }
    };
    let milestone = Milestone {
        id,
        title,
        due,
        owner: req.owner,
        done: None,
    };
    let record = tx.write_setting(
        &actor.party,
        now.timestamp(),
        SettingFact::MilestoneAdd(milestone.clone()),
    )?;
    let commit = tx.commit(
        &format!(
            "Add milestone {}: {} due {}",
            milestone.id, milestone.title, milestone.due
        ),
        &basis,
        Action::MilestoneAdd,
        actor,
        now,
    )?;
    Ok(MilestoneAdded {
        milestone,
        record,
        commit,
    })
}

/// A milestone marked done.
#[derive(Debug, Clone)]
pub struct MilestoneCompleted {
    /// The milestone.
    pub id: MilestoneId,
    /// The day it was done.
    pub on: Date,
    /// Its due date.
    pub due: Date,
    /// Whether on or before the due date.
    pub on_time: bool,
    /// The record written.
    pub record: SettingRecord,
    /// The commit.
    pub commit: CommitInfo,
}

/// `milestone done`: a listed milestone not yet done, done on `on`.
pub fn complete_milestone(
    mut tx: Transaction<'_>,
    actor: &Actor,
    now: &Zoned,
    config: &Config,
    id: &MilestoneId,
    on: Date,
) -> Result<MilestoneCompleted, CaseError> {
    let Some(m) = config.milestone(id) else {
        return Err(CaseError::NoMilestone { id: id.clone() });
    };
    if let Some(d) = m.done {
        return Err(CaseError::MilestoneDone {
            id: id.clone(),
            on: d,
        });
    }
    let on_time = on <= m.due;
    let record = tx.write_setting(
        &actor.party,
        now.timestamp(),
        SettingFact::MilestoneDone(MilestoneDone { id: id.clone(), on }),
    )?;
    let commit = tx.commit(
        &format!(
            "Complete milestone {id} on {on} ({})",
            if on_time { "on time" } else { "late" }
        ),
        &format!("Due {}.", m.due),
        Action::MilestoneDone,
        actor,
        now,
    )?;
    Ok(MilestoneCompleted {
        id: id.clone(),
        on,
        due: m.due,
        on_time,
        record,
        commit,
    })
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn names_are_one_trimmed_line() {
        assert_eq!(one_line("  Fin  ").as_deref(), Some("Fin"));
        assert_eq!(one_line(""), None);
        assert_eq!(one_line("  "), None);
        assert_eq!(one_line("a\nb"), None);
        assert_eq!(one_line("a\u{7}b"), None);
    }
}
