//! Round definitions, facts, and the fold into state.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::calendar::{ConsultationKind, WorkCalendar};
pub use crate::model::Position;
use crate::model::{Config, PartyCode, RecordId, VersionName};
use crate::store::{CONSULTATIONS_DIR, StoreError, Workspace, parse_record};

use super::rules::{self, Refusal};

/// A round's definition, `consultations/<id>/round.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoundDef {
    /// The round's id.
    pub id: RecordId,
    /// Framlegging, høring or innspill.
    pub kind: ConsultationKind,
    /// A title for letters and lists.
    pub title: String,
    /// The version sent.
    pub version: VersionName,
    /// Who sends it (DFD sends the framlegging in the reference case).
    pub sender: PartyCode,
    /// Who it goes to.
    pub recipients: Vec<PartyCode>,
    /// The day it was opened.
    pub opened: Date,
    /// The deadline for answers, as given (it may move off a closed day).
    pub due: Date,
    /// Why a deadline shorter than the rule for the kind was accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The party that opened it.
    pub opened_by: PartyCode,
    /// When.
    pub at: Timestamp,
}

/// A fact about a round: written once, never edited. (Unknown fields are not denied
/// here: serde cannot combine that with the flattened body.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fact {
    /// The fact's id.
    pub id: RecordId,
    /// When it was recorded.
    pub at: Timestamp,
    /// The acting party.
    pub by: PartyCode,
    /// What happened.
    #[serde(flatten)]
    pub body: FactBody,
}

/// What a fact says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum FactBody {
    /// A party's deadline was extended.
    Extension {
        /// Whose deadline.
        party: PartyCode,
        /// The new deadline.
        due: Date,
        /// Why, if said.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// The round's letter was issued to a party: rendered and queued in the outbox
    /// (delivery is recorded in the outbox entry of the same Message-ID).
    Sent {
        /// To whom.
        party: PartyCode,
        /// The letter's Message-ID, which ties replies and the outbox entry to it.
        message_id: String,
    },
    /// A reminder was issued to a party that had not answered.
    Reminded {
        /// To whom.
        party: PartyCode,
        /// The reminder's Message-ID.
        message_id: String,
    },
    /// A party's formal position on the round. A later one supersedes an earlier one.
    Response {
        /// Whose position.
        party: PartyCode,
        /// The position.
        position: Position,
        /// A note, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
        /// The message it came from (`<message-id>`), when imported from e-mail.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        source: Option<String>,
    },
    /// The round was closed: no more answers are expected.
    Closed {
        /// A note, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
}

/// Where `round.toml` of a round lives.
pub fn round_path(id: &RecordId) -> String {
    format!("{CONSULTATIONS_DIR}/{id}/round.toml")
}

/// Where a fact file lives: named by time, then id, so a listing is in time order.
pub fn fact_path(round: &RecordId, fact: &Fact) -> String {
    let stamp = fact.at.strftime("%Y%m%dT%H%M%SZ");
    format!("{CONSULTATIONS_DIR}/{round}/facts/{stamp}-{}.toml", fact.id)
}

/// How a party stands in a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PartyStatus {
    /// The letter has not gone out.
    NotSent,
    /// The letter went out; waiting for an answer, deadline not passed.
    Sent,
    /// Reminded at least once; still no answer, deadline not passed.
    Reminded,
    /// The party gave its position.
    Answered,
    /// The deadline passed with no answer.
    Overdue,
}

impl PartyStatus {
    /// The status in English words, as lists show it.
    pub fn words(self) -> &'static str {
        match self {
            PartyStatus::NotSent => "not sent",
            PartyStatus::Sent => "sent",
            PartyStatus::Reminded => "reminded",
            PartyStatus::Answered => "answered",
            PartyStatus::Overdue => "OVERDUE",
        }
    }
}

/// One recipient's state.
#[derive(Debug, Clone, Serialize)]
pub struct PartyState {
    /// The party.
    pub party: PartyCode,
    /// Its deadline (the round's, or an extension's).
    pub due: Date,
    /// Whether the deadline was extended.
    pub extended: bool,
    /// Where it stands on the day the state was folded.
    pub status: PartyStatus,
    /// When the round's letter was issued, and its Message-ID (the latest, if the
    /// letter was sent again after a failed delivery).
    pub sent: Option<Issued>,
    /// Reminders issued, oldest first.
    pub reminders: Vec<Issued>,
    /// The current position and when it was given; earlier ones are in `history`.
    pub position: Option<Position>,
    /// When the current position was recorded.
    pub answered: Option<Timestamp>,
    /// Every position recorded, oldest first.
    pub history: Vec<PositionRecord>,
}

/// A letter issued to a party.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issued {
    /// When.
    pub at: Timestamp,
    /// Its Message-ID.
    pub message_id: String,
}

/// One recorded position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PositionRecord {
    /// The position.
    pub position: Position,
    /// The note, if any.
    pub note: Option<String>,
    /// Who recorded it.
    pub by: PartyCode,
    /// When.
    pub at: Timestamp,
    /// The message it came from, if imported.
    pub source: Option<String>,
}

/// A fact that was not applied, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The fact's file.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// A round's current state, folded from its definition and facts.
#[derive(Debug, Clone, Serialize)]
pub struct RoundState {
    /// The definition.
    #[serde(flatten)]
    pub def: RoundDef,
    /// When it was closed, if it was.
    pub closed: Option<Timestamp>,
    /// Per recipient.
    pub parties: Vec<PartyState>,
    /// Facts that were ignored.
    pub findings: Vec<Finding>,
}

impl RoundState {
    /// Folds a definition and its facts (with their paths) into state as of `today`.
    ///
    /// Permission rule: extensions and closing are made by the round's sender or the
    /// case's owner; a fact by anyone else is ignored and reported.
    pub fn fold(
        def: RoundDef,
        mut facts: Vec<(String, Fact)>,
        config: &Config,
        today: Date,
        cal: &WorkCalendar,
    ) -> RoundState {
        facts.sort_by(|a, b| a.1.at.cmp(&b.1.at).then_with(|| a.1.id.cmp(&b.1.id)));
        let mut parties: Vec<PartyState> = def
            .recipients
            .iter()
            .map(|p| PartyState {
                party: p.clone(),
                due: def.due,
                extended: false,
                status: PartyStatus::NotSent,
                sent: None,
                reminders: Vec::new(),
                position: None,
                answered: None,
                history: Vec::new(),
            })
            .collect();
        let mut closed: Option<Timestamp> = None;
        let mut findings = Vec::new();
        let may_steer = |by: &PartyCode| rules::may_steer(config, &def, by).is_ok();
        for (path, fact) in facts {
            match &fact.body {
                FactBody::Extension { party, due, .. } => {
                    if !may_steer(&fact.by) {
                        findings.push(Finding {
                            path,
                            message: format!("{} extended a deadline, but only {} (the sender) or {} (the owner) may.", fact.by, def.sender, config.case.owner),
                        });
                        continue;
                    }
                    match parties.iter_mut().find(|p| &p.party == party) {
                        Some(p) => {
                            p.due = *due;
                            p.extended = true;
                        }
                        None => findings.push(Finding {
                            path,
                            message: format!(
                                "The extension is for {party}, who is not a recipient of the round."
                            ),
                        }),
                    }
                }
                FactBody::Sent { party, message_id } | FactBody::Reminded { party, message_id } => {
                    let what = if matches!(fact.body, FactBody::Sent { .. }) {
                        "sent the round's letter"
                    } else {
                        "sent a reminder"
                    };
                    if !may_steer(&fact.by) {
                        findings.push(Finding {
                            path,
                            message: format!(
                                "{} {what}, but only {} (the sender) or {} (the owner) may.",
                                fact.by, def.sender, config.case.owner
                            ),
                        });
                        continue;
                    }
                    let Some(p) = parties.iter_mut().find(|p| &p.party == party) else {
                        findings.push(Finding {
                            path,
                            message: format!(
                                "A letter went to {party}, who is not a recipient of the round."
                            ),
                        });
                        continue;
                    };
                    let issued = Issued {
                        at: fact.at,
                        message_id: message_id.clone(),
                    };
                    if matches!(fact.body, FactBody::Sent { .. }) {
                        p.sent = Some(issued);
                    } else {
                        p.reminders.push(issued);
                    }
                }
                FactBody::Response {
                    party,
                    position,
                    note,
                    source,
                } => {
                    match rules::may_record_for(config, &def, &fact.by, party) {
                        Ok(()) => {}
                        Err(Refusal::NotRecipient { .. }) => {
                            findings.push(Finding {
                                path,
                                message: format!(
                                    "The position is for {party}, who is not a recipient of the round."
                                ),
                            });
                            continue;
                        }
                        Err(_) => {
                            findings.push(Finding {
                                path,
                                message: format!("{} recorded a position for {party}, but only {party} itself, {} (the sender) or {} (the owner) may.", fact.by, def.sender, config.case.owner),
                            });
                            continue;
                        }
                    }
                    if let Some(at) = closed {
                        findings.push(Finding {
                            path,
                            message: format!(
                                "{} recorded a position for {party} after the round was closed ({}); a closed round takes no more answers.",
                                fact.by,
                                at.strftime("%Y-%m-%d %H:%M UTC")
                            ),
                        });
                        continue;
                    }
                    let Some(p) = parties.iter_mut().find(|p| &p.party == party) else {
                        continue;
                    };
                    p.position = Some(*position);
                    p.answered = Some(fact.at);
                    p.history.push(PositionRecord {
                        position: *position,
                        note: note.clone(),
                        by: fact.by.clone(),
                        at: fact.at,
                        source: source.clone(),
                    });
                }
                FactBody::Closed { .. } => {
                    if may_steer(&fact.by) {
                        closed.get_or_insert(fact.at);
                    } else {
                        findings.push(Finding {
                            path,
                            message: format!(
                                "{} closed the round, but only {} or {} may.",
                                fact.by, def.sender, config.case.owner
                            ),
                        });
                    }
                }
            }
        }
        // A party that answered has answered; otherwise one whose (moved) deadline has
        // passed is overdue, whether or not its letter went out, so that no deadline
        // passes unseen.
        for p in &mut parties {
            let due = cal.adjust_deadline(p.due).map(|a| a.date).unwrap_or(p.due);
            p.status = if p.position.is_some() {
                PartyStatus::Answered
            } else if today > due {
                PartyStatus::Overdue
            } else if !p.reminders.is_empty() {
                PartyStatus::Reminded
            } else if p.sent.is_some() {
                PartyStatus::Sent
            } else {
                PartyStatus::NotSent
            };
        }
        RoundState {
            def,
            closed,
            parties,
            findings,
        }
    }
}

/// Loads one round's definition and facts.
pub fn load_round(
    ws: &Workspace,
    id: &RecordId,
) -> Result<(RoundDef, Vec<(String, Fact)>), StoreError> {
    let path = round_path(id);
    let Some(file) = ws.read_record(&path)? else {
        return Err(StoreError::BadFile {
            path: path.into(),
            line: 1,
            column: 1,
            message: "The round's definition is missing.".into(),
        });
    };
    let def: RoundDef = parse_record(&file.path, &file.text)?;
    if &def.id != id {
        return Err(StoreError::BadFile {
            path: file.path.into(),
            line: 1,
            column: 1,
            message: format!(
                "The file says it is round \"{}\", but it lies in the folder of round \"{id}\".",
                def.id
            ),
        });
    }
    let mut facts = Vec::new();
    for f in ws.read_records(&format!("{CONSULTATIONS_DIR}/{id}/facts"))? {
        let fact: Fact = parse_record(&f.path, &f.text)?;
        facts.push((f.path, fact));
    }
    Ok((def, facts))
}

/// Loads every round, folded as of `today`, in the order they were opened.
pub fn load_rounds(
    ws: &Workspace,
    config: &Config,
    today: Date,
    cal: &WorkCalendar,
) -> Result<Vec<RoundState>, StoreError> {
    let mut rounds = Vec::new();
    for name in ws.list_folders(CONSULTATIONS_DIR)? {
        let Ok(id) = name.parse::<RecordId>() else {
            continue;
        };
        let (def, facts) = load_round(ws, &id)?;
        rounds.push(RoundState::fold(def, facts, config, today, cal));
    }
    rounds.sort_by(|a, b| {
        a.def
            .at
            .cmp(&b.def.at)
            .then_with(|| a.def.id.cmp(&b.def.id))
    });
    Ok(rounds)
}

/// Finds a round by id or unambiguous id prefix. `Err` holds the candidates (none, or
/// several).
pub fn resolve_round(
    ws: &Workspace,
    prefix: &str,
) -> Result<Result<RecordId, Vec<String>>, StoreError> {
    let ids: Vec<String> = ws
        .list_folders(CONSULTATIONS_DIR)?
        .into_iter()
        .filter(|n| n.parse::<RecordId>().is_ok())
        .collect();
    let matches: Vec<String> = ids
        .iter()
        .filter(|n| n.starts_with(prefix) && !prefix.is_empty())
        .cloned()
        .collect();
    Ok(match matches.as_slice() {
        [one] => one.parse::<RecordId>().map_err(|_| matches.clone()),
        [] => Err(Vec::new()),
        _ => Err(matches),
    })
}
