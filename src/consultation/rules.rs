//! The rules of a consultation, in one copy.
//!
//! Each rule is a function that says yes (`Ok`) or why not (a [`Refusal`]). The actions
//! ([`super::actions`]) call them to refuse a request before anything is written, and
//! the folds ([`super::RoundState::fold`], [`super::load_comments`]) call the same
//! functions on every stored record, so a record written by hand cannot bypass a rule:
//! it is ignored and reported as a finding (the idea of git-bug's `Apply`, which ignores
//! an operation its author may not make).
//!
//! Who may do what:
//! - open a round: its sender or the case owner, and the sender must be a party;
//! - send, remind, extend, close (steer) a round: its sender or the case owner;
//! - answer for a party (a position or comments): the party itself, the round's sender
//!   or the case owner, and only for a recipient of the round;
//! - decide a comment: the round's sender or the case owner;
//! - nothing but decisions once a round is closed;
//! - no answer before the party's letter ([`answer_after_letter`]).

use jiff::Timestamp;
use jiff::civil::Date;

use crate::calendar::{ConsultationKind, WindowCheck, WorkCalendar, check_window};
use crate::model::{Config, PartyCode, RecordId};

use super::{RoundDef, RoundState};

/// Why a rule says no. The message is a full sentence; [`Refusal::hint`] says what to
/// do instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Only the round's sender or the case owner may change a round.
    #[error(
        "{by} may not change round {round}: only its sender {sender} or the case owner {owner} may."
    )]
    MayNotSteer {
        /// Who tried.
        by: PartyCode,
        /// The round.
        round: RecordId,
        /// Its sender.
        sender: PartyCode,
        /// The case owner.
        owner: PartyCode,
    },
    /// Only the sender itself or the case owner may open a round for a sender.
    #[error(
        "{by} may not open a round sent by {sender}: only {sender} itself or the case owner {owner} may."
    )]
    MayNotOpen {
        /// Who tried.
        by: PartyCode,
        /// The sender named.
        sender: PartyCode,
        /// The case owner.
        owner: PartyCode,
    },
    /// The sender is not a party of the case.
    #[error("The sender \"{sender}\" is not a party of this case.")]
    UnknownSender {
        /// The sender named.
        sender: PartyCode,
        /// The parties of the case, for the closest codes.
        known: Vec<PartyCode>,
    },
    /// A recipient named is not a listed party.
    #[error("\"{party}\" is not a listed party, so there is no address to send to.")]
    UnknownRecipient {
        /// The code named.
        party: PartyCode,
        /// The listed parties, for the closest codes.
        known: Vec<PartyCode>,
    },
    /// `--to all` names nobody.
    #[error("\"all\" names no party: the case has no parties besides the sender and the owner.")]
    NobodyInAll,
    /// No recipient named.
    #[error("--to names no party.")]
    NoRecipients,
    /// The round's sender is named among its recipients: it would consult itself.
    #[error("{party} sends this round, so it cannot also be one of its recipients.")]
    SenderIsRecipient {
        /// The sender, named in `--to`.
        party: PartyCode,
        /// The other recipients named.
        others: Vec<PartyCode>,
    },
    /// The case's owner (the drafter) is named among a round's recipients: it would be
    /// consulted on its own draft.
    #[error(
        "{owner} is the case's owner, which drafts the text, so it cannot be a recipient of a round on it."
    )]
    OwnerIsRecipient {
        /// The owner, named in `--to`.
        owner: PartyCode,
        /// The other recipients named.
        others: Vec<PartyCode>,
        /// Whom `--to all` would name, for a suggestion when no other is named.
        all: Vec<PartyCode>,
    },
    /// The deadline is shorter than the rule for the kind, and no reason was given.
    #[error(
        "A {kind} round needs at least {minimum_days} days for answers, but {today} to {due} is {actual_days} days."
    )]
    DeadlineTooShort {
        /// The kind's code.
        kind: &'static str,
        /// The rule's minimum.
        minimum_days: u32,
        /// The window given.
        actual_days: i64,
        /// The day the round opens.
        today: Date,
        /// The deadline given.
        due: Date,
        /// The first deadline the rule allows.
        earliest: Date,
    },
    /// A party named in a filter or `--party` is not a party of the case.
    #[error("{party} is not a party of this case.")]
    NotAParty {
        /// The code named.
        party: PartyCode,
        /// The case's parties.
        known: Vec<PartyCode>,
    },
    /// The party is not a recipient of the round.
    #[error("{party} is not a recipient of round {round}.")]
    NotRecipient {
        /// The party.
        party: PartyCode,
        /// The round.
        round: RecordId,
        /// The round's recipients.
        recipients: Vec<PartyCode>,
    },
    /// Someone answered for a party it may not answer for.
    #[error(
        "{by} may not answer for {party}: only {party} itself, the round's sender {sender} or the case owner {owner} may."
    )]
    MayNotAnswerFor {
        /// Who tried.
        by: PartyCode,
        /// For whom.
        party: PartyCode,
        /// The round's sender.
        sender: PartyCode,
        /// The case owner.
        owner: PartyCode,
    },
    /// Someone decided a comment who may not.
    #[error(
        "{by} may not decide comments of round {round}: only its sender {sender} or the case owner {owner} may."
    )]
    MayNotDecide {
        /// Who tried.
        by: PartyCode,
        /// The round.
        round: RecordId,
        /// Its sender.
        sender: PartyCode,
        /// The case owner.
        owner: PartyCode,
    },
    /// The round is closed to changes.
    #[error("Round {round} is closed.")]
    Closed {
        /// The round.
        round: RecordId,
    },
    /// The deadline cannot be used at all (before the round opens, say).
    #[error(transparent)]
    Window(#[from] crate::calendar::CalendarError),
    /// Only a høring may be open to answers from anyone.
    #[error("Only a høring can be open to answers from anyone; this round is a {kind}.")]
    OnlyHoyringOpen {
        /// The kind asked for, in words.
        kind: String,
    },
    /// The round is closed to answers.
    #[error("Round {round} is closed; no more answers are recorded.")]
    ClosedToAnswers {
        /// The round.
        round: RecordId,
    },
    /// No letter of the round went to the party yet (none queued or sent), so there is
    /// nothing it can answer.
    #[error(
        "Round {round}'s letter to {party} has not been sent yet, so there is no answer from {party} to record."
    )]
    NoLetterYet {
        /// The round.
        round: RecordId,
        /// The party.
        party: PartyCode,
    },
    /// The answer is dated before the round's letter to the party.
    #[error(
        "The answer from {party} is dated {given}, before round {round}'s letter to {party} ({letter})."
    )]
    BeforeLetter {
        /// The round.
        round: RecordId,
        /// The party.
        party: PartyCode,
        /// The answer's date, as shown.
        given: String,
        /// When the letter was issued, as shown.
        letter: String,
    },
}

impl Refusal {
    /// What the person can do instead: the next command to run, if there is one.
    pub fn hint(&self) -> Option<String> {
        match self {
            Refusal::MayNotSteer { sender, .. } => {
                Some(format!("Act as the sender with `--as {sender}`."))
            }
            Refusal::MayNotOpen { sender, .. } => {
                Some(format!("Act as the sender with `--as {sender}`."))
            }
            Refusal::UnknownSender { sender, known } => Some(format!(
                "{}The case's parties are {}; a new one is added with `strategi party add {sender} --name NAME --email ADDRESS`.",
                did_you_mean(sender, known),
                codes(known)
            )),
            Refusal::UnknownRecipient { party, known } => Some(format!(
                "{}The listed parties are {}; a new one is added with `strategi party add {party} --name NAME --email ADDRESS`.",
                did_you_mean(party, known),
                codes(known)
            )),
            Refusal::NobodyInAll => Some("Add the parties with `strategi party add`.".into()),
            Refusal::NoRecipients => Some("Give codes such as --to FIN,KDD or --to all.".into()),
            Refusal::SenderIsRecipient { party, others } => Some(if others.is_empty() {
                format!(
                    "Leave {party} out of --to, or send the round as another party with --sender; --to all leaves the sender out."
                )
            } else {
                let others: Vec<String> = others.iter().map(ToString::to_string).collect();
                format!(
                    "Leave {party} out: --to {}, or --to all, which leaves the sender out.",
                    others.join(",")
                )
            }),
            Refusal::OwnerIsRecipient { owner, others, all } => Some({
                let join = |l: &[PartyCode]| {
                    l.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
                };
                if others.is_empty() {
                    format!(
                        "Leave {owner} out of --to: the parties to consult are --to {} (--to all leaves the owner out).",
                        join(all)
                    )
                } else {
                    format!(
                        "Leave {owner} out: --to {}, or --to all, which leaves the owner out.",
                        join(others)
                    )
                }
            }),
            Refusal::DeadlineTooShort { earliest, .. } => Some(format!(
                "Give a deadline on or after {earliest}, or say why a shorter one is agreed with --reason \"...\"."
            )),
            Refusal::NotAParty { party, known } => Some(format!(
                "{}The case's parties are {}; `strategi party list` shows them.",
                did_you_mean(party, known),
                codes(known)
            )),
            Refusal::NotRecipient {
                party, recipients, ..
            } => Some(format!(
                "{}The recipients are {}.",
                did_you_mean(party, recipients),
                codes(recipients)
            )),
            Refusal::MayNotAnswerFor { party, owner, .. } => Some(format!(
                "Act as {party} with `--as {party}`, or register the answer as {owner}."
            )),
            Refusal::MayNotDecide { owner, .. } => {
                Some(format!("Act as the owner with `--as {owner}`."))
            }
            Refusal::NoLetterYet { round, .. } => Some(format!(
                "Send the round first: `strategi round send {round}`. With the outbox transport the letters are queued; a letter sent by hand is recorded with `strategi outbox mark-sent ID --note \"...\"`."
            )),
            Refusal::BeforeLetter { .. } => Some(
                "Give the date the party's answer is dated, on or after its letter: --received DATE (an e-mail's Date header counts for an import)."
                    .into(),
            ),
            Refusal::OnlyHoyringOpen { .. } => Some(
                "Open a public høring with `--kind hoyring --open`, or leave out --open for a round to the listed parties only."
                    .into(),
            ),
            Refusal::Closed { .. } | Refusal::ClosedToAnswers { .. } | Refusal::Window(_) => None,
        }
    }

    /// The rule behind the refusal, when it comes from outside the tool.
    pub fn basis(&self) -> Option<&'static str> {
        match self {
            Refusal::DeadlineTooShort { .. } => Some(
                "Utredningsinstruksen: framlegging at least three weeks, høring at least six weeks, unless agreed otherwise.",
            ),
            _ => None,
        }
    }
}

/// Whom a round goes to, as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipients {
    /// Every party but the sender and the owner.
    All,
    /// These parties, in this order (duplicates are dropped).
    Parties(Vec<PartyCode>),
}

impl std::str::FromStr for Recipients {
    type Err = crate::model::IdError;
    fn from_str(s: &str) -> Result<Recipients, crate::model::IdError> {
        if s.trim().eq_ignore_ascii_case("all") {
            return Ok(Recipients::All);
        }
        let mut out: Vec<PartyCode> = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let code: PartyCode = part.parse()?;
            if !out.contains(&code) {
                out.push(code);
            }
        }
        Ok(Recipients::Parties(out))
    }
}

/// Who may open a round with `sender`: the sender itself or the case owner; the sender
/// must be a party of the case.
pub fn may_open(config: &Config, by: &PartyCode, sender: &PartyCode) -> Result<(), Refusal> {
    if !config.knows_party(sender) {
        return Err(Refusal::UnknownSender {
            sender: sender.clone(),
            known: case_codes(config),
        });
    }
    if by != sender && by != &config.case.owner {
        return Err(Refusal::MayNotOpen {
            by: by.clone(),
            sender: sender.clone(),
            owner: config.case.owner.clone(),
        });
    }
    Ok(())
}

/// The known codes closest to `code`: one letter changed, added or left out, two letters
/// swapped, or a code that begins with it (two changes for codes longer than four
/// letters); the closest first, empty when none is close.
pub fn closest(code: &PartyCode, known: &[PartyCode]) -> Vec<PartyCode> {
    let wanted = code.as_str().to_uppercase();
    let mut scored: Vec<(usize, &PartyCode)> = known
        .iter()
        .map(|k| {
            let have = k.as_str().to_uppercase();
            let mut sorted_have: Vec<char> = have.chars().collect();
            let mut sorted_wanted: Vec<char> = wanted.chars().collect();
            sorted_have.sort_unstable();
            sorted_wanted.sort_unstable();
            // Letters swapped ("HDO" for HOD) and a code cut short count as one slip.
            let d = if sorted_have == sorted_wanted || have.starts_with(&wanted) {
                1
            } else {
                crate::document::edit_distance(&wanted, &have)
            };
            (d, k)
        })
        .filter(|(d, _)| *d <= if wanted.chars().count() <= 4 { 1 } else { 2 })
        .collect();
    scored.sort_by_key(|(d, k)| (*d, k.as_str().to_string()));
    let best = scored.first().map(|(d, _)| *d);
    scored
        .into_iter()
        .filter(|(d, _)| Some(*d) == best)
        .map(|(_, k)| k.clone())
        .collect()
}

/// "Did you mean KDD? " for the codes closest to `code`, or nothing.
pub fn did_you_mean(code: &PartyCode, known: &[PartyCode]) -> String {
    let near = closest(code, known);
    if near.is_empty() {
        String::new()
    } else {
        let near: Vec<&str> = near.iter().map(PartyCode::as_str).collect();
        format!("Did you mean {}? ", near.join(" or "))
    }
}

/// Every code of the case: the listed parties, the owner and the approver, once each
/// (for the closest codes to an unknown one).
pub fn case_codes(config: &Config) -> Vec<PartyCode> {
    let mut known: Vec<PartyCode> = config.parties.iter().map(|p| p.code.clone()).collect();
    for c in [&config.case.owner, &config.case.approver] {
        if !known.contains(c) {
            known.push(c.clone());
        }
    }
    known
}

/// Codes separated by commas.
fn codes(list: &[PartyCode]) -> String {
    if list.is_empty() {
        return "none".into();
    }
    list.iter()
        .map(PartyCode::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A party named in a filter or `--party` (`comment list --party`) must be a party of
/// the case: an unknown code is refused, naming the closest known codes, instead of
/// quietly matching nothing.
pub fn party_of_case(config: &Config, party: &PartyCode) -> Result<(), Refusal> {
    if config.party(party).is_some() || party == &config.case.owner {
        return Ok(());
    }
    let mut known: Vec<PartyCode> = config.parties.iter().map(|p| p.code.clone()).collect();
    if !known.contains(&config.case.owner) {
        known.push(config.case.owner.clone());
    }
    Err(Refusal::NotAParty {
        party: party.clone(),
        known,
    })
}

/// Parties named with `--party` for a round (`remind --party`) must be its recipients:
/// the first that is not is refused, naming the closest recipients.
pub fn among_recipients(def: &RoundDef, parties: &[PartyCode]) -> Result<(), Refusal> {
    match parties.iter().find(|p| !def.recipients.contains(p)) {
        Some(p) => Err(Refusal::NotRecipient {
            party: p.clone(),
            round: def.id.clone(),
            recipients: def.recipients.clone(),
        }),
        None => Ok(()),
    }
}

/// The recipients a round goes to: `all` is every party but the sender and the owner;
/// named parties must be listed (they need an address).
pub fn recipients(
    config: &Config,
    to: &Recipients,
    sender: &PartyCode,
) -> Result<Vec<PartyCode>, Refusal> {
    match to {
        Recipients::All => {
            let all: Vec<PartyCode> = config
                .parties
                .iter()
                .map(|p| p.code.clone())
                .filter(|c| c != sender && c != &config.case.owner)
                .collect();
            if all.is_empty() {
                return Err(Refusal::NobodyInAll);
            }
            Ok(all)
        }
        Recipients::Parties(list) => {
            if list.is_empty() {
                return Err(Refusal::NoRecipients);
            }
            if list.contains(sender) {
                return Err(Refusal::SenderIsRecipient {
                    party: sender.clone(),
                    others: list.iter().filter(|c| *c != sender).cloned().collect(),
                });
            }
            let owner = &config.case.owner;
            if list.contains(owner) {
                return Err(Refusal::OwnerIsRecipient {
                    owner: owner.clone(),
                    others: list.iter().filter(|c| *c != owner).cloned().collect(),
                    all: recipients(config, &Recipients::All, sender).unwrap_or_default(),
                });
            }
            if let Some(unknown) = list.iter().find(|c| config.party(c).is_none()) {
                return Err(Refusal::UnknownRecipient {
                    party: unknown.clone(),
                    known: config.parties.iter().map(|p| p.code.clone()).collect(),
                });
            }
            Ok(list.clone())
        }
    }
}

/// The deadline rule per kind (Utredningsinstruksen): a window shorter than the kind's
/// minimum is refused unless a reason is given. Returns the window's check (the moved
/// deadline, holiday periods it spans) for the caller to show.
pub fn deadline(
    kind: ConsultationKind,
    today: Date,
    due: Date,
    cal: &WorkCalendar,
    reason: Option<&str>,
) -> Result<WindowCheck, Refusal> {
    let check = check_window(today, due, kind, cal)?;
    match (&check.too_short, reason) {
        (Some(short), None) => Err(Refusal::DeadlineTooShort {
            kind: kind.code(),
            minimum_days: short.minimum_days,
            actual_days: short.actual_days,
            today,
            due,
            earliest: short.earliest_allowed,
        }),
        _ => Ok(check),
    }
}

/// Whether `by` may steer (send, remind, extend, close) the round: its sender or the
/// case owner.
pub fn may_steer(config: &Config, def: &RoundDef, by: &PartyCode) -> Result<(), Refusal> {
    if by == &def.sender || by == &config.case.owner {
        Ok(())
    } else {
        Err(Refusal::MayNotSteer {
            by: by.clone(),
            round: def.id.clone(),
            sender: def.sender.clone(),
            owner: config.case.owner.clone(),
        })
    }
}

/// Whether `by` may change the round now: [`may_steer`], and the round is open.
pub fn may_change(config: &Config, round: &RoundState, by: &PartyCode) -> Result<(), Refusal> {
    may_steer(config, &round.def, by)?;
    if round.closed.is_some() {
        return Err(Refusal::Closed {
            round: round.def.id.clone(),
        });
    }
    Ok(())
}

/// Whether `by` may record something for `party` in the round (the permission part of
/// answering): `party` is a recipient, and `by` is the party itself, the sender or the
/// owner.
pub fn may_record_for(
    config: &Config,
    def: &RoundDef,
    by: &PartyCode,
    party: &PartyCode,
) -> Result<(), Refusal> {
    if !def.recipients.contains(party) {
        return Err(Refusal::NotRecipient {
            party: party.clone(),
            round: def.id.clone(),
            recipients: def.recipients.clone(),
        });
    }
    if by != party && by != &def.sender && by != &config.case.owner {
        return Err(Refusal::MayNotAnswerFor {
            by: by.clone(),
            party: party.clone(),
            sender: def.sender.clone(),
            owner: config.case.owner.clone(),
        });
    }
    Ok(())
}

/// Whether `by` may record an answer of `party` in `round`: a respondent of an open
/// høring (an unlisted sender, see [`super::respondents`]) answers through the round's
/// sender or the case owner, who register what arrived; anyone else is checked by
/// [`may_record_for`].
pub fn may_record_in(
    config: &Config,
    round: &RoundState,
    by: &PartyCode,
    party: &PartyCode,
) -> Result<(), Refusal> {
    if round.def.open && round.respondent(party).is_some() && !round.def.recipients.contains(party)
    {
        return may_record_respondent(config, &round.def, by);
    }
    may_record_for(config, &round.def, by, party)
}

/// Whether `by` may register a respondent's answer in the round `def`: the round is an
/// open høring, and `by` is its sender or the case owner (a respondent is no party of
/// the case and cannot act itself).
pub fn may_record_respondent(
    config: &Config,
    def: &RoundDef,
    by: &PartyCode,
) -> Result<(), Refusal> {
    may_steer(config, def, by)
}

/// Whether `by` may answer for `party` now: [`may_record_for`], and the round is open.
pub fn may_answer(
    config: &Config,
    round: &RoundState,
    by: &PartyCode,
    party: &PartyCode,
) -> Result<(), Refusal> {
    may_record_for(config, &round.def, by, party)?;
    if round.closed.is_some() {
        return Err(Refusal::ClosedToAnswers {
            round: round.def.id.clone(),
        });
    }
    Ok(())
}

/// Whether an answer from `party` given at `given` can be recorded: the round's letter
/// to the party exists (was queued or sent: a `sent` fact), and the answer is not
/// dated before it. With `own_date` (the reply's own date, which may carry no hour),
/// the days (Europe/Oslo) are compared; else the times.
pub fn answer_after_letter(
    round: &RoundState,
    party: &PartyCode,
    given: Timestamp,
    own_date: bool,
) -> Result<(), Refusal> {
    let letter = round
        .parties
        .iter()
        .find(|p| &p.party == party)
        .and_then(|p| p.first_sent);
    let Some(letter) = letter else {
        return Err(Refusal::NoLetterYet {
            round: round.def.id.clone(),
            party: party.clone(),
        });
    };
    if answered_before(given, own_date, letter) {
        let oslo = crate::calendar::oslo();
        let shown = |t: Timestamp| {
            t.to_zoned_datetime(oslo.clone())
                .strftime("%Y-%m-%d %H:%M %:z")
                .to_string()
        };
        return Err(Refusal::BeforeLetter {
            round: round.def.id.clone(),
            party: party.clone(),
            given: shown(given),
            letter: shown(letter),
        });
    }
    Ok(())
}

/// Whether an answer given at `given` comes before `event`: by the day (Europe/Oslo)
/// when `given` is the reply's own date (a letter's date has no hour one can go by), by
/// the time otherwise (the time of recording). The one comparison the acts and
/// `verify` use for an answer's causality.
pub fn answered_before(given: Timestamp, own_date: bool, event: Timestamp) -> bool {
    if own_date {
        let oslo = crate::calendar::oslo();
        given.to_zoned_datetime(oslo.clone()).date() < event.to_zoned_datetime(oslo).date()
    } else {
        given < event
    }
}

/// Whether `by` may decide the round's comments: its sender or the case owner (also
/// after the round closed: answering comments is what follows a round).
pub fn may_decide(config: &Config, def: &RoundDef, by: &PartyCode) -> Result<(), Refusal> {
    if by == &def.sender || by == &config.case.owner {
        Ok(())
    } else {
        Err(Refusal::MayNotDecide {
            by: by.clone(),
            round: def.id.clone(),
            sender: def.sender.clone(),
            owner: config.case.owner.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;
    use crate::calendar::WorkCalendar;
    use crate::consultation::fixtures::{code, config, round_def};
    use crate::consultation::{Fact, FactBody, Position, RoundState};
    use crate::model::{EmailAddress, Party};

    fn def() -> RoundDef {
        round_def(date(2025, 12, 2), date(2025, 12, 23))
    }

    fn fact(id: &str, at: &str, by: &str, body: FactBody) -> (String, Fact) {
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

    fn fold(facts: Vec<(String, Fact)>) -> RoundState {
        RoundState::fold(
            def(),
            facts,
            &config(),
            date(2025, 12, 10),
            &WorkCalendar::default(),
        )
    }

    fn closed() -> (String, Fact) {
        fact(
            "fcxzzzz1",
            "2025-12-05T12:00:00Z",
            "DFD",
            FactBody::Closed { note: None },
        )
    }

    fn response(id: &str, at: &str, by: &str, party: &str) -> (String, Fact) {
        fact(
            id,
            at,
            by,
            FactBody::Response {
                party: code(party),
                position: Position::NoComments,
                note: None,
                source: None,
                received: None,
            },
        )
    }

    #[test]
    fn only_the_sender_or_owner_opens_a_round_for_a_sender() {
        let c = config();
        assert_eq!(may_open(&c, &code("DFD"), &code("DFD")), Ok(()));
        assert_eq!(may_open(&c, &code("DIO"), &code("DFD")), Ok(()));
        assert!(matches!(
            may_open(&c, &code("FIN"), &code("DFD")),
            Err(Refusal::MayNotOpen { .. })
        ));
        assert!(matches!(
            may_open(&c, &code("DIO"), &code("NOPE")),
            Err(Refusal::UnknownSender { .. })
        ));
    }

    #[test]
    fn all_is_every_party_but_sender_and_owner_and_named_parties_must_be_listed() {
        let c = config();
        assert_eq!(
            recipients(&c, &Recipients::All, &code("DFD")),
            Ok(vec![code("FIN"), code("KDD")])
        );
        let to: Recipients = "fin, KDD,FIN".parse().expect("to");
        assert_eq!(
            recipients(&c, &to, &code("DFD")),
            Ok(vec![code("FIN"), code("KDD")])
        );
        let e = recipients(&c, &"FIN,UD".parse().expect("to"), &code("DFD"));
        assert!(
            matches!(e, Err(Refusal::UnknownRecipient { ref party, .. }) if party == &code("UD"))
        );
        assert_eq!(
            recipients(&c, &Recipients::Parties(vec![]), &code("DFD")),
            Err(Refusal::NoRecipients)
        );
        let mut lonely = c.clone();
        lonely.parties.retain(|p| p.code == code("DFD"));
        assert_eq!(
            recipients(&lonely, &Recipients::All, &code("DFD")),
            Err(Refusal::NobodyInAll)
        );
        assert!("F".parse::<Recipients>().is_err());
    }

    #[test]
    fn unknown_codes_are_refused_with_the_closest_known_ones() {
        let c = config();
        let known = [code("DFD"), code("FIN"), code("KDD")];
        assert_eq!(closest(&code("KD"), &known), vec![code("KDD")]);
        assert_eq!(closest(&code("FIM"), &known), vec![code("FIN")]);
        assert!(closest(&code("XYZW"), &known).is_empty());
        assert_eq!(party_of_case(&c, &code("FIN")), Ok(()));
        let e = party_of_case(&c, &code("FNI")).expect_err("unknown");
        assert!(matches!(e, Refusal::NotAParty { .. }));
        let hint = e.hint().expect("hint");
        assert!(hint.starts_with("Did you mean FIN?"), "{hint}");
        assert!(hint.contains("DFD, FIN, KDD"), "{hint}");
        // A near-miss recipient or sender names the listed code before `party add`.
        let e = recipients(&c, &"FNI".parse().expect("to"), &code("DFD")).expect_err("unknown");
        let hint = e.hint().expect("hint");
        assert!(hint.starts_with("Did you mean FIN?"), "{hint}");
        assert!(hint.find("FIN?") < hint.find("party add"), "{hint}");
        let e = may_open(&c, &code("DFD"), &code("KDF")).expect_err("unknown sender");
        let hint = e.hint().expect("hint");
        assert!(hint.starts_with("Did you mean KDD?"), "{hint}");
    }

    #[test]
    fn a_round_sent_to_its_own_sender_is_refused() {
        let c = config();
        let e = recipients(&c, &"FIN,DFD".parse().expect("to"), &code("DFD"));
        assert_eq!(
            e,
            Err(Refusal::SenderIsRecipient {
                party: code("DFD"),
                others: vec![code("FIN")],
            })
        );
        let hint = e.expect_err("refused").hint().expect("hint");
        assert!(hint.contains("--to FIN"), "{hint}");
        let e = recipients(&c, &"DFD".parse().expect("to"), &code("DFD"));
        assert!(
            matches!(e, Err(Refusal::SenderIsRecipient { ref others, .. }) if others.is_empty())
        );
        // Another sender may send to DFD.
        assert_eq!(
            recipients(&c, &"DFD".parse().expect("to"), &code("FIN")),
            Ok(vec![code("DFD")])
        );
    }

    #[test]
    fn an_answer_comes_after_the_partys_letter() {
        let t = |s: &str| -> Timestamp { s.parse().expect("t") };
        let unsent = fold(Vec::new());
        assert!(matches!(
            answer_after_letter(&unsent, &code("FIN"), t("2025-12-04T10:00:00Z"), false),
            Err(Refusal::NoLetterYet { .. })
        ));
        let e = answer_after_letter(&unsent, &code("FIN"), t("2025-12-04T10:00:00Z"), false)
            .expect_err("refused");
        assert!(
            e.hint()
                .expect("hint")
                .contains("strategi round send rabcdefg")
        );
        let sent = |id: &str, at: &str| {
            fact(
                id,
                at,
                "DFD",
                FactBody::Sent {
                    party: code("FIN"),
                    message_id: format!("<{id}@x>"),
                },
            )
        };
        // Sent at 14:00 on 3 December, sent again on the 5th: the first letter counts.
        let s = fold(vec![
            sent("fsent001", "2025-12-03T13:00:00Z"),
            sent("fsent002", "2025-12-05T13:00:00Z"),
        ]);
        let fin = code("FIN");
        assert!(answer_after_letter(&s, &fin, t("2025-12-04T10:00:00Z"), false).is_ok());
        // Recorded before the letter, to the second: refused.
        assert!(matches!(
            answer_after_letter(&s, &fin, t("2025-12-03T12:59:59Z"), false),
            Err(Refusal::BeforeLetter { .. })
        ));
        // Its own date, on the letter's day (even at an earlier hour): fine; the day
        // before: refused.
        assert!(answer_after_letter(&s, &fin, t("2025-12-03T08:00:00Z"), true).is_ok());
        let e =
            answer_after_letter(&s, &fin, t("2025-12-02T12:00:00Z"), true).expect_err("refused");
        assert!(
            e.to_string()
                .contains("before round rabcdefg's letter to FIN"),
            "{e}"
        );
        // Another party has no letter yet.
        assert!(matches!(
            answer_after_letter(&s, &code("KDD"), t("2025-12-04T10:00:00Z"), false),
            Err(Refusal::NoLetterYet { .. })
        ));
        // Oslo days: 23:30 UTC on the 2nd is the 3rd in Oslo.
        assert!(!answered_before(
            t("2025-12-02T23:30:00Z"),
            true,
            t("2025-12-03T13:00:00Z")
        ));
    }

    #[test]
    fn a_round_is_not_sent_to_the_case_owner() {
        // The owner need not be a listed party to be refused as a recipient.
        let c = config();
        let owner = c.case.owner.clone();
        let sender = c
            .parties
            .iter()
            .map(|p| p.code.clone())
            .find(|p| p != &owner)
            .expect("another party");
        let to: Recipients = format!("{owner}").parse().expect("to");
        let e = recipients(&c, &to, &sender).expect_err("refused");
        assert!(
            matches!(&e, Refusal::OwnerIsRecipient { owner: o, others, all } if o == &owner && others.is_empty() && !all.is_empty() && !all.contains(&owner)),
            "{e:?}"
        );
        let hint = e.hint().expect("hint");
        assert!(
            hint.contains("--to ") && hint.contains(&format!("Leave {owner} out")),
            "{hint}"
        );
        let others: Vec<PartyCode> = recipients(&c, &Recipients::All, &sender).expect("all");
        let mixed: Recipients = format!(
            "{owner},{}",
            others
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(",")
        )
        .parse()
        .expect("to");
        let e = recipients(&c, &mixed, &sender).expect_err("refused");
        let hint = e.hint().expect("hint");
        assert!(
            hint.contains(&format!(
                "--to {}",
                others
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            )),
            "{hint}"
        );
    }

    #[test]
    fn a_deadline_shorter_than_the_kind_needs_a_reason() {
        let cal = WorkCalendar::default();
        let opened = date(2025, 12, 2);
        let short = deadline(
            ConsultationKind::Framlegging,
            opened,
            date(2025, 12, 12),
            &cal,
            None,
        );
        match short {
            Err(Refusal::DeadlineTooShort {
                minimum_days,
                earliest,
                ..
            }) => {
                assert_eq!(minimum_days, 21);
                assert_eq!(earliest, date(2025, 12, 23));
            }
            other => panic!("{other:?}"),
        }
        let basis = short.err().and_then(|e| e.basis());
        assert!(basis.is_some_and(|b| b.contains("Utredningsinstruksen")));
        assert!(
            deadline(
                ConsultationKind::Framlegging,
                opened,
                date(2025, 12, 12),
                &cal,
                Some("Avtalt med departementene")
            )
            .is_ok()
        );
        assert!(
            deadline(
                ConsultationKind::Framlegging,
                opened,
                date(2025, 12, 23),
                &cal,
                None
            )
            .is_ok()
        );
        assert!(
            deadline(
                ConsultationKind::Hoyring,
                opened,
                date(2025, 12, 23),
                &cal,
                None
            )
            .is_err()
        );
    }

    #[test]
    fn only_the_sender_or_owner_steers_and_nobody_changes_a_closed_round() {
        let c = config();
        let d = def();
        assert_eq!(may_steer(&c, &d, &code("DFD")), Ok(()));
        assert_eq!(may_steer(&c, &d, &code("DIO")), Ok(()));
        let e = may_steer(&c, &d, &code("FIN")).expect_err("FIN");
        assert_eq!(
            e.to_string(),
            "FIN may not change round rabcdefg: only its sender DFD or the case owner DIO may."
        );
        assert_eq!(
            e.hint().as_deref(),
            Some("Act as the sender with `--as DFD`.")
        );
        let open = fold(vec![]);
        assert_eq!(may_change(&c, &open, &code("DFD")), Ok(()));
        let shut = fold(vec![closed()]);
        assert!(matches!(
            may_change(&c, &shut, &code("DFD")),
            Err(Refusal::Closed { .. })
        ));
    }

    #[test]
    fn answers_come_from_the_party_itself_the_sender_or_the_owner_for_a_recipient() {
        let c = config();
        let open = fold(vec![]);
        for by in ["FIN", "DFD", "DIO"] {
            assert_eq!(
                may_answer(&c, &open, &code(by), &code("FIN")),
                Ok(()),
                "{by}"
            );
        }
        let e = may_answer(&c, &open, &code("KDD"), &code("FIN")).expect_err("KDD");
        assert!(
            e.to_string().starts_with("KDD may not answer for FIN"),
            "{e}"
        );
        let e = may_answer(&c, &open, &code("DFD"), &code("UD")).expect_err("UD");
        assert_eq!(e.to_string(), "UD is not a recipient of round rabcdefg.");
        assert_eq!(e.hint().as_deref(), Some("The recipients are FIN, KDD."));
        let shut = fold(vec![closed()]);
        assert_eq!(
            may_answer(&c, &shut, &code("FIN"), &code("FIN")),
            Err(Refusal::ClosedToAnswers {
                round: "rabcdefg".parse().expect("id")
            })
        );
        // Recording for a party (the permission alone) does not depend on the close.
        assert_eq!(
            may_record_for(&c, &shut.def, &code("FIN"), &code("FIN")),
            Ok(())
        );
    }

    #[test]
    fn only_the_sender_or_owner_decides_also_after_the_close() {
        let c = config();
        let d = def();
        assert_eq!(may_decide(&c, &d, &code("DFD")), Ok(()));
        assert_eq!(may_decide(&c, &d, &code("DIO")), Ok(()));
        assert!(matches!(
            may_decide(&c, &d, &code("FIN")),
            Err(Refusal::MayNotDecide { .. })
        ));
    }

    // The same rules in the fold: facts written by hand that the commands would refuse
    // are ignored and reported.

    #[test]
    fn the_fold_ignores_steering_by_a_party_that_may_not_steer() {
        let state = fold(vec![
            fact(
                "fext0001",
                "2025-12-03T10:00:00Z",
                "KDD",
                FactBody::Extension {
                    party: code("KDD"),
                    due: date(2026, 1, 30),
                    reason: None,
                },
            ),
            fact(
                "fcxzzzz2",
                "2025-12-03T11:00:00Z",
                "FIN",
                FactBody::Closed { note: None },
            ),
        ]);
        assert!(state.closed.is_none());
        assert!(state.parties.iter().all(|p| !p.extended));
        assert_eq!(state.findings.len(), 2, "{:?}", state.findings);
        assert!(
            state.findings[0]
                .message
                .contains("KDD extended a deadline")
        );
    }

    #[test]
    fn the_fold_ignores_answers_for_others_for_non_recipients_and_after_the_close() {
        let state = fold(vec![
            response("fresp001", "2025-12-03T10:00:00Z", "KDD", "FIN"),
            response("fresp002", "2025-12-03T10:00:01Z", "DFD", "UD"),
            response("fresp003", "2025-12-04T10:00:00Z", "FIN", "FIN"),
            closed(),
            response("fresp004", "2025-12-06T10:00:00Z", "KDD", "KDD"),
        ]);
        let fin = state
            .parties
            .iter()
            .find(|p| p.party == code("FIN"))
            .expect("FIN");
        assert_eq!(fin.history.len(), 1, "only FIN's own answer counts");
        let kdd = state
            .parties
            .iter()
            .find(|p| p.party == code("KDD"))
            .expect("KDD");
        assert!(kdd.position.is_none(), "KDD answered after the close");
        let messages: Vec<&str> = state.findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(messages[0].contains("KDD recorded a position for FIN"));
        assert!(messages[1].contains("UD, who is not a recipient"));
        assert!(messages[2].contains("after the round was closed"));
    }

    #[test]
    fn the_fold_orders_facts_by_their_logical_clock_not_the_machines_time() {
        let clocked = |(path, mut f): (String, Fact), clock: u64| {
            f.clock = Some(clock);
            (path, f)
        };
        // KDD's answer was recorded after its clone saw the close (clock 6), on a
        // machine whose clock is a day behind: it comes after the close.
        let late = fold(vec![
            clocked(closed(), 5),
            clocked(
                response("fresp005", "2025-12-04T10:00:00Z", "KDD", "KDD"),
                6,
            ),
        ]);
        let kdd = |s: &RoundState| {
            s.parties
                .iter()
                .find(|p| p.party == code("KDD"))
                .expect("KDD")
                .position
        };
        assert!(kdd(&late).is_none(), "answered after the close");
        assert_eq!(late.findings.len(), 1, "{:?}", late.findings);
        // FIN's answer was recorded before its clone saw the close (clock 4), on a
        // machine a day ahead: it comes before the close and counts.
        let early = fold(vec![
            clocked(closed(), 5),
            clocked(
                response("fresp006", "2025-12-06T10:00:00Z", "KDD", "KDD"),
                4,
            ),
        ]);
        assert_eq!(kdd(&early), Some(Position::NoComments));
        assert!(early.findings.is_empty(), "{:?}", early.findings);
    }

    #[test]
    fn a_party_added_to_the_case_can_be_named_as_recipient() {
        let p = Party {
            code: code("UD"),
            name: "Utenriksdepartementet".into(),
            email: "postmottak@ud.example".parse::<EmailAddress>().expect("e"),
            lang: crate::model::Lang::En,
            keys: Vec::new(),
        };
        let mut c = config();
        c.parties.push(p);
        assert_eq!(
            recipients(&c, &"UD".parse().expect("to"), &code("DFD")),
            Ok(vec![code("UD")])
        );
    }
}
