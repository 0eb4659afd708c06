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
//! - nothing but decisions once a round is closed.

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
    },
    /// A recipient named is not a listed party.
    #[error("\"{party}\" is not a listed party, so there is no address to send to.")]
    UnknownRecipient {
        /// The code named.
        party: PartyCode,
    },
    /// `--to all` names nobody.
    #[error("\"all\" names no party: the case has no parties besides the sender and the owner.")]
    NobodyInAll,
    /// No recipient named.
    #[error("--to names no party.")]
    NoRecipients,
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
    /// The round is closed to answers.
    #[error("Round {round} is closed; no more answers are recorded.")]
    ClosedToAnswers {
        /// The round.
        round: RecordId,
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
            Refusal::UnknownSender { .. } => Some(
                "See the parties with `strategi party list`, or add one with `strategi party add`."
                    .into(),
            ),
            Refusal::UnknownRecipient { party } => Some(format!(
                "Add it with `strategi party add {party} --name NAME --email ADDRESS`."
            )),
            Refusal::NobodyInAll => Some("Add the parties with `strategi party add`.".into()),
            Refusal::NoRecipients => Some("Give codes such as --to FIN,KDD or --to all.".into()),
            Refusal::DeadlineTooShort { earliest, .. } => Some(format!(
                "Give a deadline on or after {earliest}, or say why a shorter one is agreed with --reason \"...\"."
            )),
            Refusal::NotRecipient { recipients, .. } => Some(format!(
                "The recipients are {}.",
                recipients
                    .iter()
                    .map(PartyCode::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            Refusal::MayNotAnswerFor { party, owner, .. } => Some(format!(
                "Act as {party} with `--as {party}`, or register the answer as {owner}."
            )),
            Refusal::MayNotDecide { owner, .. } => {
                Some(format!("Act as the owner with `--as {owner}`."))
            }
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
            if let Some(unknown) = list.iter().find(|c| config.party(c).is_none()) {
                return Err(Refusal::UnknownRecipient {
                    party: unknown.clone(),
                });
            }
            if list.is_empty() {
                return Err(Refusal::NoRecipients);
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
