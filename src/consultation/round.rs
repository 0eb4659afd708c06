//! Round definitions, facts, and the fold into state.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::calendar::{ConsultationKind, DeadlineMove, WorkCalendar};
pub use crate::model::Position;
use crate::model::{Config, PartyCode, RecordId, VersionName, sort_facts};
use crate::store::{CONSULTATIONS_DIR, StoreError, Workspace};

use super::respondents::{Respondent, RespondentState};
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
    /// Its logical clock (Lamport; see `model::sort_facts`): absent in older records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<u64>,
    /// An open høring: besides the recipients, anyone may answer, and an unlisted
    /// sender becomes a respondent (see [`super::respondents`]). Only a høring may be
    /// open; absent (false) in older records and in every other round.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub open: bool,
}

/// A fact about a round: written once, never edited. (Unknown fields are not denied
/// here: serde cannot combine that with the flattened body.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fact {
    /// The fact's id.
    pub id: RecordId,
    /// When it was recorded.
    pub at: Timestamp,
    /// Its logical clock (Lamport; see `model::sort_facts`): absent in older records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<u64>,
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
        /// When the party answered, when known: the `Date` of its e-mail, or the day
        /// given with `--received` for a letter or form registered by hand. `at` stays
        /// the time of recording; without `received` it is also the answer's date.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        received: Option<Timestamp>,
    },
    /// A publicity decision on one answer of the round (`strategi publish decide`):
    /// public (neither field), the whole answer exempt (`exempt`, its legal basis), or
    /// passages to remove (`redact`). A later decision on the same answer supersedes an
    /// earlier one; `publish::decisions` folds them. Ignored by the round's fold.
    Publicity {
        /// The answer: `consultations/<round>/inbox/<digest>` for an imported reply,
        /// `comment/<id>` or `position/<id>` for one registered by hand.
        answer: String,
        /// The legal basis when the whole answer is exempt from publication.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        exempt: Option<String>,
        /// The passages removed before publication, each with its legal basis.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        redact: Vec<Redaction>,
    },
    /// Someone who is no recipient answered an open høring: who it is. Written with
    /// each of its answers; the latest registration gives the name and organisation.
    Respondent {
        /// The respondent's id, derived from the address (see `respondents`).
        respondent: PartyCode,
        /// The name.
        name: String,
        /// The organisation, when given; none for a private person.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        organisation: Option<String>,
        /// The normalised address.
        address: String,
    },
    /// The round was closed: no more answers are expected.
    Closed {
        /// A note, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
}

/// A passage of an answer removed before publication, with its legal basis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Redaction {
    /// The passage, exactly as it stands in the answer.
    pub text: String,
    /// The legal basis ("offentleglova § 13 første ledd, jf. forvaltningsloven § 13").
    pub basis: String,
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
    /// Its deadline (the round's, or an extension's), as set.
    pub due: Date,
    /// The deadline that applies: `due`, moved to the next working day when it falls
    /// on a closed day. Answers received after this day (23:59:59 Oslo time) are late.
    pub effective_due: Date,
    /// Why `due` was moved to `effective_due`, when it was (a weekend, a holiday).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_moved: Option<DeadlineMove>,
    /// Whether the deadline was extended.
    pub extended: bool,
    /// Where it stands on the day the state was folded.
    pub status: PartyStatus,
    /// When the round's letter was issued, and its Message-ID (the latest, if the
    /// letter was sent again after a failed delivery).
    pub sent: Option<Issued>,
    /// When the round's first letter to the party was issued (queued or sent): an
    /// answer cannot come before it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_sent: Option<Timestamp>,
    /// Reminders issued, oldest first.
    pub reminders: Vec<Issued>,
    /// The current position and when it was given; earlier ones are in `history`.
    pub position: Option<Position>,
    /// When the current position was recorded.
    pub answered: Option<Timestamp>,
    /// When the current position was given by the party: the reply's own date when it
    /// is known, else the time it was recorded.
    pub received: Option<Timestamp>,
    /// Whether the current position was received after the party's effective deadline.
    pub late: bool,
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
    /// The reply's own date, when known (else `at` is the answer's date).
    pub received: Option<Timestamp>,
    /// Whether it was received after the party's effective deadline.
    pub late: bool,
}

impl PositionRecord {
    /// When the party gave it: the reply's own date, else the time of recording.
    pub fn given(&self) -> Timestamp {
        self.received.unwrap_or(self.at)
    }
}

/// Whether an answer given at `received` is late for the deadline day `effective_due`
/// (already moved off closed days): the day ends at 23:59:59 Europe/Oslo.
pub fn is_late(received: Timestamp, effective_due: Date) -> bool {
    match crate::calendar::deadline_end(effective_due) {
        Ok(end) => received > end.timestamp(),
        Err(_) => received.to_zoned_datetime(crate::calendar::oslo()).date() > effective_due,
    }
}

/// Why `received` cannot be an answer's date in the round `def`, recorded at `now`:
/// it lies after the time of recording, or on a day before the round was opened.
/// `None` when it can be.
pub fn received_problem(def: &RoundDef, received: Timestamp, now: Timestamp) -> Option<String> {
    let oslo = crate::calendar::oslo();
    let shown = |t: Timestamp| {
        t.to_zoned_datetime(oslo.clone())
            .strftime("%Y-%m-%d %H:%M %:z")
            .to_string()
    };
    if received > now {
        return Some(format!(
            "{} is later than the time of recording ({}); an answer cannot be received in the future",
            shown(received),
            shown(now)
        ));
    }
    let day = received.to_zoned_datetime(oslo.clone()).date();
    if day < def.opened {
        return Some(format!(
            "{} is before round {} was opened ({}); an answer cannot come before the round",
            shown(received),
            def.id,
            def.opened
        ));
    }
    None
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
    /// The round's deadline that applies: its `due`, moved to the next working day when
    /// it falls on a closed day (a party's own, extended, deadline is in `parties`).
    pub effective_due: Date,
    /// Why the round's `due` was moved to `effective_due`, when it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_moved: Option<DeadlineMove>,
    /// Per recipient.
    pub parties: Vec<PartyState>,
    /// Who answered an open høring without being a recipient, in the order first
    /// registered (see [`super::respondents`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub respondents: Vec<RespondentState>,
    /// Facts that were ignored.
    pub findings: Vec<Finding>,
}

impl RoundState {
    /// The respondent with the id `id`, when the round has one.
    pub fn respondent(&self, id: &PartyCode) -> Option<&RespondentState> {
        self.respondents.iter().find(|r| &r.respondent.id == id)
    }

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
        sort_facts(
            &mut facts,
            |(_, f)| (f.clock, f.at),
            |a, b| a.1.id.cmp(&b.1.id),
        );
        let mut parties: Vec<PartyState> = def
            .recipients
            .iter()
            .map(|p| PartyState {
                party: p.clone(),
                due: def.due,
                effective_due: def.due,
                due_moved: None,
                extended: false,
                status: PartyStatus::NotSent,
                sent: None,
                first_sent: None,
                reminders: Vec::new(),
                position: None,
                answered: None,
                received: None,
                late: false,
                history: Vec::new(),
            })
            .collect();
        let mut closed: Option<Timestamp> = None;
        let mut findings = Vec::new();
        let may_steer = |by: &PartyCode| rules::may_steer(config, &def, by).is_ok();
        // A position recorded after the round was closed, for a party or a respondent.
        let after_close = |path: String, by: &PartyCode, party: &PartyCode, at: Timestamp| {
            Finding {
                path,
                message: format!(
                    "{by} recorded a position for {party} after the round was closed ({}); a closed round takes no more answers.",
                    at.strftime("%Y-%m-%d %H:%M UTC")
                ),
            }
        };
        // Respondents first (an answer and its registration are written together, so
        // their order among the facts must not matter).
        let mut respondents: Vec<RespondentState> = Vec::new();
        for (path, fact) in &facts {
            let FactBody::Respondent {
                respondent,
                name,
                organisation,
                address,
            } = &fact.body
            else {
                continue;
            };
            let problem = if !def.open {
                Some("registers a respondent, but the round is not an open høring; only its recipients answer.".to_string())
            } else if !may_steer(&fact.by) {
                Some(format!(
                    "{} registered a respondent, but only {} (the sender) or {} (the owner) may.",
                    fact.by, def.sender, config.case.owner
                ))
            } else if def.recipients.contains(respondent) {
                Some(format!(
                    "registers {respondent} as a respondent, but it is a recipient of the round."
                ))
            } else if super::respondents::normalise_address(address)
                .map(|a| super::respondents::respondent_id(&a))
                .as_ref()
                != Some(respondent)
            {
                Some(format!(
                    "registers {respondent} for the address \"{address}\", whose id is another; the id is made from the address."
                ))
            } else {
                config
                    .parties
                    .iter()
                    .find(|p| {
                        super::respondents::normalise_address(&p.email.to_string())
                            == super::respondents::normalise_address(address)
                    })
                    .map(|p| format!(
                        "registers the address \"{address}\" of the party {} as a respondent; a listed party answers as itself.",
                        p.code
                    ))
            };
            if let Some(problem) = problem {
                findings.push(Finding {
                    path: path.clone(),
                    message: format!("The fact {problem}"),
                });
                continue;
            }
            let who = Respondent {
                id: respondent.clone(),
                name: name.clone(),
                organisation: organisation.clone(),
                address: address.clone(),
            };
            match respondents
                .iter_mut()
                .find(|r| &r.respondent.id == respondent)
            {
                Some(r) => r.register_again(who),
                None => respondents.push(RespondentState::new(who)),
            }
        }
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
                        p.first_sent.get_or_insert(fact.at);
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
                    received,
                } => {
                    if let Some(r) = respondents.iter_mut().find(|r| &r.respondent.id == party) {
                        if !may_steer(&fact.by) {
                            findings.push(Finding {
                                path,
                                message: format!("{} recorded a position for the respondent {party}, but only {} (the sender) or {} (the owner) may.", fact.by, def.sender, config.case.owner),
                            });
                            continue;
                        }
                        if let Some(at) = closed {
                            findings.push(after_close(path, &fact.by, party, at));
                            continue;
                        }
                        r.position = Some(*position);
                        r.answered = Some(fact.at);
                        r.history.push(PositionRecord {
                            position: *position,
                            note: note.clone(),
                            by: fact.by.clone(),
                            at: fact.at,
                            source: source.clone(),
                            received: *received,
                            late: false,
                        });
                        continue;
                    }
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
                        findings.push(after_close(path, &fact.by, party, at));
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
                        received: *received,
                        late: false,
                    });
                }
                // Publication decisions are folded by `publish::decisions`.
                FactBody::Publicity { .. } => {}
                FactBody::Respondent { .. } => {}
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
        // Lateness is judged against the final deadline (an extension granted after a
        // late answer still counts), by the reply's own date.
        for p in &mut parties {
            let adjusted = cal.adjust_deadline(p.due).ok();
            let due = adjusted.map_or(p.due, |a| a.date);
            p.effective_due = due;
            p.due_moved = adjusted.and_then(|a| a.move_view());
            for r in &mut p.history {
                r.late = is_late(r.given(), due);
            }
            if let Some(current) = p.history.last() {
                p.received = Some(current.given());
                p.late = current.late;
            }
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
        let adjusted = cal.adjust_deadline(def.due).ok();
        let effective_due = adjusted.map_or(def.due, |a| a.date);
        for r in &mut respondents {
            for h in &mut r.history {
                h.late = is_late(h.given(), effective_due);
            }
            if let Some(current) = r.history.last() {
                r.received = Some(current.given());
                r.late = current.late;
            }
        }
        RoundState {
            effective_due,
            due_moved: adjusted.and_then(|a| a.move_view()),
            def,
            closed,
            parties,
            respondents,
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
    let def: RoundDef = file.parse()?;
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
        let fact: Fact = f.parse()?;
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
    sort_facts(
        &mut rounds,
        |r| (r.def.clock, r.def.at),
        |a, b| a.def.id.cmp(&b.def.id),
    );
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

/// The round ids closest to `spec` when it names none: ids whose beginning of the same
/// length is one slip away (a letter changed, added, left out or two swapped), two for
/// references of more than six letters; the closest first.
pub fn closest_round_ids(ws: &Workspace, spec: &str) -> Result<Vec<String>, StoreError> {
    let ids: Vec<String> = ws
        .list_folders(CONSULTATIONS_DIR)?
        .into_iter()
        .filter(|n| n.parse::<RecordId>().is_ok())
        .collect();
    Ok(closest_ids(spec, &ids))
}

/// [`closest_round_ids`] over a list of ids (a rule, without the store).
pub fn closest_ids(spec: &str, ids: &[String]) -> Vec<String> {
    let wanted = spec.trim().to_lowercase();
    let n = wanted.chars().count();
    if n == 0 {
        return Vec::new();
    }
    let allowed = if n > 6 { 2 } else { 1 };
    let mut scored: Vec<(usize, &String)> = ids
        .iter()
        .filter_map(|id| {
            let id_l = id.to_lowercase();
            // Compare with the id's beginning of the same length, give or take a letter.
            let d = (n.saturating_sub(1)..=n + 1)
                .map(|len| {
                    let head: String = id_l.chars().take(len).collect();
                    let mut a: Vec<char> = head.chars().collect();
                    let mut b: Vec<char> = wanted.chars().collect();
                    a.sort_unstable();
                    b.sort_unstable();
                    if a == b && head != wanted {
                        1
                    } else {
                        crate::document::edit_distance(&wanted, &head)
                    }
                })
                .min()
                .unwrap_or(usize::MAX);
            (d <= allowed).then_some((d, id))
        })
        .collect();
    scored.sort();
    let best = scored.first().map(|(d, _)| *d);
    scored
        .into_iter()
        .filter(|(d, _)| Some(*d) == best)
        .map(|(_, id)| id.clone())
        .take(5)
        .collect()
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;
    use crate::consultation::fixtures::{code, config, round_def as def};

    fn fact(n: u32, at: &str, by: &str, body: FactBody) -> (String, Fact) {
        let id = format!("fdate{n:03}");
        (
            format!("consultations/rabcdefg/facts/{id}.toml"),
            Fact {
                id: id.parse().expect("id"),
                at: at.parse().expect("t"),
                clock: None,
                by: code(by),
                body,
            },
        )
    }

    /// `party`'s answer recorded at `at`, given at `received` (if known).
    fn answer(n: u32, party: &str, at: &str, received: Option<&str>) -> (String, Fact) {
        fact(
            n,
            at,
            "DFD",
            FactBody::Response {
                party: code(party),
                position: Position::NoComments,
                note: None,
                source: None,
                received: received.map(|r| r.parse().expect("t")),
            },
        )
    }

    fn fold(def: RoundDef, facts: Vec<(String, Fact)>) -> RoundState {
        RoundState::fold(
            def,
            facts,
            &config(),
            date(2026, 2, 1),
            &WorkCalendar::default(),
        )
    }

    fn party<'a>(s: &'a RoundState, code: &str) -> &'a PartyState {
        s.parties
            .iter()
            .find(|p| p.party.as_str() == code)
            .expect("party")
    }

    #[test]
    fn the_deadline_day_ends_at_23_59_59_oslo_time() {
        // Tuesday 23 December 2025, winter time (+01:00).
        let d = def(date(2025, 12, 2), date(2025, 12, 23));
        let s = fold(
            d,
            vec![
                answer(1, "FIN", "2025-12-23T22:59:59Z", None),
                answer(2, "KDD", "2025-12-23T23:00:00Z", None),
            ],
        );
        assert!(!party(&s, "FIN").late, "23:59:59 Oslo is on time");
        assert!(party(&s, "KDD").late, "00:00 the next day in Oslo is late");
        assert_eq!(party(&s, "KDD").effective_due, date(2025, 12, 23));
        assert_eq!(
            party(&s, "KDD").received,
            Some("2025-12-23T23:00:00Z".parse().expect("t"))
        );
    }

    #[test]
    fn a_deadline_on_whit_monday_moves_to_tuesday_in_summer_time() {
        // Whit Monday 9 June 2025 is closed; the deadline is Tuesday 10 June, +02:00.
        let d = def(date(2025, 5, 12), date(2025, 6, 9));
        let s = fold(
            d,
            vec![
                answer(1, "FIN", "2025-06-10T21:59:59Z", None),
                answer(2, "KDD", "2025-06-10T22:00:00Z", None),
            ],
        );
        assert_eq!(party(&s, "FIN").effective_due, date(2025, 6, 10));
        assert_eq!(party(&s, "FIN").due, date(2025, 6, 9));
        assert!(!party(&s, "FIN").late);
        assert!(party(&s, "KDD").late);
    }

    #[test]
    fn an_extension_counts_even_when_granted_after_the_answer() {
        let d = def(date(2025, 12, 2), date(2025, 12, 23));
        let extension = fact(
            3,
            "2026-01-06T08:00:00Z",
            "DFD",
            FactBody::Extension {
                party: code("FIN"),
                due: date(2026, 1, 9),
                reason: None,
            },
        );
        let s = fold(
            d,
            vec![
                answer(1, "FIN", "2026-01-05T10:00:00Z", None),
                answer(2, "KDD", "2026-01-05T10:00:00Z", None),
                extension,
            ],
        );
        assert!(party(&s, "FIN").extended);
        assert_eq!(party(&s, "FIN").effective_due, date(2026, 1, 9));
        assert!(!party(&s, "FIN").late, "within the extension");
        assert!(party(&s, "KDD").late, "KDD had no extension");
    }

    #[test]
    fn the_replys_own_date_decides_not_the_time_of_recording() {
        let d = def(date(2025, 12, 2), date(2025, 12, 23));
        let s = fold(
            d,
            vec![
                // Sent on 22 December, recorded on 5 January: on time.
                answer(
                    1,
                    "FIN",
                    "2026-01-05T10:00:00Z",
                    Some("2025-12-22T15:00:00Z"),
                ),
                // Recorded on time, but dated after the deadline: late.
                answer(
                    2,
                    "KDD",
                    "2025-12-20T10:00:00Z",
                    Some("2025-12-24T09:00:00Z"),
                ),
            ],
        );
        let fin = party(&s, "FIN");
        assert!(!fin.late);
        assert_eq!(
            fin.received,
            Some("2025-12-22T15:00:00Z".parse().expect("t"))
        );
        assert_eq!(
            fin.answered,
            Some("2026-01-05T10:00:00Z".parse().expect("t"))
        );
        assert!(party(&s, "KDD").late);
        assert!(party(&s, "KDD").history[0].late);
    }

    #[test]
    fn a_later_position_given_late_makes_the_answer_late() {
        let d = def(date(2025, 12, 2), date(2025, 12, 23));
        let s = fold(
            d,
            vec![
                answer(1, "FIN", "2025-12-20T10:00:00Z", None),
                answer(2, "FIN", "2026-01-05T10:00:00Z", None),
            ],
        );
        let fin = party(&s, "FIN");
        assert!(!fin.history[0].late);
        assert!(fin.history[1].late);
        assert!(fin.late, "the position in force came after the deadline");
    }

    #[test]
    fn received_may_not_be_in_the_future_nor_before_the_round() {
        let d = def(date(2025, 12, 2), date(2025, 12, 23));
        let now: Timestamp = "2025-12-10T12:00:00Z".parse().expect("t");
        let at = |s: &str| s.parse::<Timestamp>().expect("t");
        assert_eq!(received_problem(&d, at("2025-12-10T12:00:00Z"), now), None);
        // The opening day counts, at any hour.
        assert_eq!(received_problem(&d, at("2025-12-02T07:00:00Z"), now), None);
        let future = received_problem(&d, at("2025-12-10T12:00:01Z"), now).expect("future");
        assert!(
            future.contains("later than the time of recording"),
            "{future}"
        );
        let early = received_problem(&d, at("2025-12-01T22:59:59Z"), now).expect("early");
        assert!(
            early.contains("before round rabcdefg was opened (2025-12-02)"),
            "{early}"
        );
    }

    fn registration(n: u32, at: &str, address: &str, org: Option<&str>) -> (String, Fact) {
        let r = super::super::respondents::Respondent::from_sender("Ola", address, org)
            .expect("respondent");
        fact(
            n,
            at,
            "DFD",
            FactBody::Respondent {
                respondent: r.id,
                name: r.name,
                organisation: r.organisation,
                address: r.address,
            },
        )
    }

    fn respondent_answer(n: u32, at: &str, address: &str, position: Position) -> (String, Fact) {
        let id = super::super::respondents::respondent_id(address);
        fact(
            n,
            at,
            "DFD",
            FactBody::Response {
                party: id,
                position,
                note: None,
                source: None,
                received: None,
            },
        )
    }

    fn open_hoyring() -> RoundDef {
        let mut d = def(date(2025, 12, 2), date(2026, 1, 23));
        d.kind = ConsultationKind::Hoyring;
        d.open = true;
        d
    }

    #[test]
    fn the_same_sender_twice_is_one_respondent_with_the_later_position() {
        let facts = vec![
            registration(1, "2026-01-05T10:00:00Z", "ola@example.no", None),
            respondent_answer(
                2,
                "2026-01-05T10:00:00Z",
                "ola@example.no",
                Position::Comments,
            ),
            registration(3, "2026-01-06T10:00:00Z", "Ola@Example.NO", Some("Lag")),
            respondent_answer(
                4,
                "2026-01-06T10:00:00Z",
                "ola@example.no",
                Position::Disagree,
            ),
            registration(5, "2026-01-07T10:00:00Z", "kari@example.no", None),
        ];
        let s = fold(open_hoyring(), facts.clone());
        assert!(s.findings.is_empty(), "{:?}", s.findings);
        assert_eq!(s.respondents.len(), 2);
        let ola = &s.respondents[0];
        assert_eq!(ola.respondent.address, "ola@example.no");
        assert_eq!(ola.position, Some(Position::Disagree));
        assert_eq!(ola.history.len(), 2, "the earlier position is kept");
        assert_eq!(ola.respondent.organisation.as_deref(), Some("Lag"));
        assert!(!ola.private, "the later registration gives an organisation");
        assert!(s.respondents[1].private);
        assert_eq!(s.respondents[1].position, None);
        // Listed parties are untouched.
        assert!(s.parties.iter().all(|p| p.position.is_none()));
        // The same facts in another order fold to the same state.
        let mut reversed = facts;
        reversed.reverse();
        let r = fold(open_hoyring(), reversed);
        assert_eq!(
            serde_json::to_value(&r.respondents).expect("json"),
            serde_json::to_value(&s.respondents).expect("json")
        );
    }

    #[test]
    fn a_respondent_in_a_listed_round_or_with_a_forged_id_is_ignored() {
        let facts = vec![
            registration(1, "2026-01-05T10:00:00Z", "ola@example.no", None),
            respondent_answer(
                2,
                "2026-01-05T10:00:00Z",
                "ola@example.no",
                Position::Comments,
            ),
        ];
        let s = fold(def(date(2025, 12, 2), date(2026, 1, 23)), facts);
        assert!(s.respondents.is_empty());
        assert_eq!(s.findings.len(), 2, "{:?}", s.findings);
        assert!(s.findings[0].message.contains("not an open høring"));
        // An id that is not the address's.
        let forged = fact(
            3,
            "2026-01-05T10:00:00Z",
            "DFD",
            FactBody::Respondent {
                respondent: code("RAAAAAAAAAAA"),
                name: "X".into(),
                organisation: None,
                address: "ola@example.no".into(),
            },
        );
        let s = fold(open_hoyring(), vec![forged]);
        assert!(s.respondents.is_empty());
        assert!(
            s.findings[0]
                .message
                .contains("the id is made from the address")
        );
        // A registration by someone who may not steer the round.
        let mut by_fin = registration(4, "2026-01-05T10:00:00Z", "ola@example.no", None);
        by_fin.1.by = code("FIN");
        let s = fold(open_hoyring(), vec![by_fin]);
        assert!(s.respondents.is_empty());
    }

    #[test]
    fn old_responses_parse_and_new_ones_without_received_serialise_as_before() {
        let old = "id = \"fdate001\"\nat = \"2025-12-20T10:00:00Z\"\nby = \"FIN\"\ntype = \"response\"\nparty = \"FIN\"\nposition = \"no-comments\"\n";
        let fact: Fact = toml::from_str(old).expect("old record");
        assert!(matches!(
            fact.body,
            FactBody::Response { received: None, .. }
        ));
        assert_eq!(toml::to_string(&fact).expect("toml"), old);
    }
}

#[cfg(test)]
mod record_tests {
    use crate::consultation::comments::{CommentFile, ImportRecord};

    #[test]
    fn comment_and_import_records_without_received_read_and_write_as_before() {
        let comment = "[[comment]]\nid = \"cabcdefg\"\nparty = \"FIN\"\nby = \"DFD\"\nat = \"2025-12-05T09:00:00Z\"\nversion = \"v1\"\ntext = \"Enig.\"\n";
        let file: CommentFile = toml::from_str(comment).expect("old comment");
        assert_eq!(file.comment[0].received, None);
        assert_eq!(toml::to_string(&file).expect("toml"), comment);
        let import = "digest = \"ab\"\nfrom = \"a@b.example\"\nsubject = \"Re\"\nparty = \"FIN\"\nmatched_by = \"--from\"\ncomments = []\nattachments = []\nby = \"DFD\"\nat = \"2025-12-05T09:00:00Z\"\n";
        let mut record: ImportRecord = toml::from_str(import).expect("old import");
        assert_eq!(toml::to_string(&record).expect("toml"), import);
        record.received = Some("2025-11-27T15:00:00Z".parse().expect("t"));
        let text = toml::to_string(&record).expect("toml");
        assert!(
            text.ends_with("received = \"2025-11-27T15:00:00Z\"\n"),
            "{text}"
        );
    }

    #[test]
    fn a_near_miss_round_reference_names_the_closest_ids() {
        let ids = vec!["k3xq9m".to_string(), "p7wz2a".to_string()];
        assert_eq!(
            crate::consultation::round::closest_ids("k3xp9", &ids),
            vec!["k3xq9m".to_string()]
        );
        assert_eq!(
            crate::consultation::round::closest_ids("3kx", &ids),
            vec!["k3xq9m".to_string()]
        );
        assert_eq!(
            crate::consultation::round::closest_ids("p7wz2aa", &ids),
            vec!["p7wz2a".to_string()]
        );
        assert!(crate::consultation::round::closest_ids("zzzz", &ids).is_empty());
        assert!(crate::consultation::round::closest_ids("", &ids).is_empty());
    }
}
