//! The acts of a consultation, one function each: open a round, extend a deadline,
//! close a round, record a position, register a comment, decide a comment.
//!
//! Each act takes the open [`Transaction`] (which also supplies new ids), who acts
//! ([`Acting`]: the case, the party and person, the time) and the act's own arguments;
//! it checks the rules ([`super::rules`]) against the state read under the
//! transaction's lock, builds the record, writes it into the transaction and commits
//! with a message that says what happened and the typed [`Action`] trailer. It returns
//! what was made, for the caller to show. Nothing here prints or reads the environment.
//! (git-bug's `bug.Close(b, author, unixTime, …)` is the model: the library builds and
//! validates the operation; the command gathers the arguments and prints the outcome.)

use jiff::civil::Date;
use jiff::{Timestamp, ZonedDateTime};
use serde::Serialize;

use crate::calendar::{ConsultationKind, WindowCheck, work_calendar};
use crate::document::Document;
use crate::document::anchor::{AnchorError, anchor};
use crate::model::{
    Action, Config, Lang, PartyCode, Position, RecordKind, Version, one_line, plain_text,
};
use crate::store::{Actor, CommitInfo, StoreError, Transaction};

use super::comments::{
    CommentFile, CommentRecord, CommentState, Decision, DecisionRecord, comment_file_path,
    decision_path,
};
use super::round::{Fact, FactBody, RoundDef, RoundState, fact_path, received_problem, round_path};
use super::rules::{self, Recipients, Refusal};

/// Who acts, and when.
#[derive(Debug, Clone, Copy)]
pub struct Acting<'a> {
    /// The case.
    pub config: &'a Config,
    /// The acting party and the person.
    pub actor: &'a Actor,
    /// The time of the act.
    pub now: &'a ZonedDateTime,
}

impl Acting<'_> {
    fn party(&self) -> &PartyCode {
        &self.actor.party
    }
}

/// Why an act was not done. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ActError {
    /// A rule of the consultation says no.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// An argument cannot be used (the message says which and why).
    #[error("{0}")]
    Invalid(String),
    /// A section or quote of the version was not found.
    #[error(transparent)]
    Anchor(#[from] AnchorError),
    /// Reading or writing the workspace failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<crate::model::IdError> for ActError {
    fn from(e: crate::model::IdError) -> Self {
        ActError::Invalid(e.0)
    }
}

/// Queues one fact about a round, by the acting party at the act's time.
pub(crate) fn queue_fact(
    tx: &mut Transaction<'_>,
    who: &Acting<'_>,
    round: &RoundDef,
    body: FactBody,
) -> Result<Fact, StoreError> {
    let fact = Fact {
        id: tx.new_id(RecordKind::Fact),
        at: who.now.timestamp(),
        clock: Some(tx.clock()?),
        by: who.party().clone(),
        body,
    };
    tx.write_record(&fact_path(&round.id, &fact), &fact)?;
    Ok(fact)
}

/// A round as asked for by `open_round`.
#[derive(Debug, Clone)]
pub struct OpenRound {
    /// The version sent.
    pub version: Version,
    /// Framlegging, høring or innspill.
    pub kind: ConsultationKind,
    /// To whom.
    pub to: Recipients,
    /// The deadline for answers.
    pub due: Date,
    /// Who sends it (default: the acting party).
    pub sender: Option<PartyCode>,
    /// A title (default: "Framlegging av v1 «label»").
    pub title: Option<String>,
    /// Why a deadline shorter than the rule is acceptable.
    pub reason: Option<String>,
    /// An open høring: anyone may answer (only a høring may be open).
    pub open: bool,
}

/// A round that was opened.
#[derive(Debug, Clone, Serialize)]
pub struct Opened {
    /// The round, folded.
    pub round: RoundState,
    /// The deadline's check: the moved deadline and the holiday periods it spans.
    pub window: WindowCheck,
    /// The commit.
    pub commit: CommitInfo,
}

/// Opens a round: checks who may open it for the sender, the recipients and the
/// deadline rule for the kind, writes `round.toml` and commits.
pub fn open_round(
    tx: &mut Transaction<'_>,
    who: &Acting<'_>,
    req: OpenRound,
) -> Result<Opened, ActError> {
    let config = who.config;
    tx.workspace().check_published(req.version.name)?;
    let sender = req.sender.unwrap_or_else(|| who.party().clone());
    rules::may_open(config, who.party(), &sender)?;
    if req.open && req.kind != ConsultationKind::Hoyring {
        return Err(Refusal::OnlyHoyringOpen {
            kind: req.kind.name(Lang::En).to_string(),
        }
        .into());
    }
    let to = rules::recipients(config, &req.to, &sender)?;
    let today = who.now.date();
    let cal = work_calendar(config);
    let reason = req
        .reason
        .as_deref()
        .map(|r| one_line(r, "reason"))
        .transpose()?;
    let window = rules::deadline(req.kind, today, req.due, &cal, reason.as_deref())?;
    let title = match &req.title {
        Some(t) => one_line(t, "title")?,
        None => format!(
            "{} av {} «{}»",
            crate::model::capitalized(req.kind.name(Lang::Nb)),
            req.version.name,
            req.version.label
        ),
    };
    let def = RoundDef {
        id: tx.new_id(RecordKind::Round),
        kind: req.kind,
        title,
        version: req.version.name,
        sender,
        recipients: to,
        opened: today,
        due: req.due,
        reason,
        opened_by: who.party().clone(),
        at: who.now.timestamp(),
        clock: Some(tx.clock()?),
        open: req.open,
    };
    tx.write_record(&round_path(&def.id), &def)?;
    let mut body = format!(
        "{} to {} parties, due {}.",
        def.version,
        def.recipients.len(),
        def.due
    );
    if let Some(r) = &def.reason {
        body.push_str(&format!("\nShort deadline accepted: {r}"));
    }
    let commit = tx.commit_and_continue(
        &format!(
            "Open {} round {} on {}: {}",
            req.kind.code(),
            def.id,
            def.version,
            def.title
        ),
        &body,
        Action::RoundOpen,
        who.actor,
        who.now,
    )?;
    let round = RoundState::fold(def, Vec::new(), config, today, &cal);
    Ok(Opened {
        round,
        window,
        commit,
    })
}

/// A fact that was recorded.
#[derive(Debug, Clone, Serialize)]
pub struct Recorded {
    /// The fact.
    pub fact: Fact,
    /// The commit.
    pub commit: CommitInfo,
}

/// An extension that was granted.
#[derive(Debug, Clone, Serialize)]
pub struct Extended {
    /// The fact and its commit.
    #[serde(flatten)]
    pub recorded: Recorded,
    /// The deadline before.
    #[serde(skip)]
    pub previous_due: Date,
}

/// Gives `party` a later deadline in the round.
pub fn extend(
    tx: &mut Transaction<'_>,
    who: &Acting<'_>,
    round: &RoundState,
    party: &PartyCode,
    due: Date,
    reason: Option<&str>,
) -> Result<Extended, ActError> {
    rules::may_change(who.config, round, who.party())?;
    let Some(current) = round.parties.iter().find(|p| &p.party == party) else {
        return Err(Refusal::NotRecipient {
            party: party.clone(),
            round: round.def.id.clone(),
            recipients: round.def.recipients.clone(),
        }
        .into());
    };
    if due <= current.due {
        return Err(ActError::Invalid(format!(
            "{party}'s deadline is already {}; an extension must be later.",
            current.due
        )));
    }
    let reason = reason.map(|r| one_line(r, "reason")).transpose()?;
    let fact = queue_fact(
        tx,
        who,
        &round.def,
        FactBody::Extension {
            party: party.clone(),
            due,
            reason,
        },
    )?;
    let commit = tx.commit_and_continue(
        &format!(
            "Extend {party}'s deadline in round {} to {due}",
            round.def.id
        ),
        "",
        Action::RoundExtend,
        who.actor,
        who.now,
    )?;
    Ok(Extended {
        recorded: Recorded { fact, commit },
        previous_due: current.due,
    })
}

/// Closes the round: no more answers are expected.
pub fn close(
    tx: &mut Transaction<'_>,
    who: &Acting<'_>,
    round: &RoundState,
    note: Option<&str>,
) -> Result<Recorded, ActError> {
    rules::may_change(who.config, round, who.party())?;
    let note = note.map(|n| one_line(n, "note")).transpose()?;
    let fact = queue_fact(tx, who, &round.def, FactBody::Closed { note })?;
    let commit = tx.commit_and_continue(
        &format!("Close round {}", round.def.id),
        "",
        Action::RoundClose,
        who.actor,
        who.now,
    )?;
    Ok(Recorded { fact, commit })
}

/// A position that was recorded.
#[derive(Debug, Clone, Serialize)]
pub struct Responded {
    /// The fact.
    pub fact: Fact,
    /// The party's position before, if any.
    pub previous: Option<Position>,
    /// The commit.
    pub commit: CommitInfo,
}

/// Records `party`'s formal position on the round (a later one supersedes).
/// `received` is when the party gave it (the date of its letter or form), when that is
/// not the time of the act; it may not lie after the act's time nor before the day the
/// round was opened.
pub fn respond(
    tx: &mut Transaction<'_>,
    who: &Acting<'_>,
    round: &RoundState,
    party: &PartyCode,
    position: Position,
    note: Option<&str>,
    received: Option<Timestamp>,
) -> Result<Responded, ActError> {
    rules::may_answer(who.config, round, who.party(), party)?;
    let note = note.map(|n| one_line(n, "note")).transpose()?;
    check_received(who, round, received)?;
    rules::answer_after_letter(
        round,
        party,
        received.unwrap_or(who.now.timestamp()),
        received.is_some(),
    )?;
    let previous = round
        .parties
        .iter()
        .find(|p| &p.party == party)
        .and_then(|p| p.position);
    let fact = queue_fact(
        tx,
        who,
        &round.def,
        FactBody::Response {
            party: party.clone(),
            position,
            note,
            source: None,
            received,
        },
    )?;
    let commit = tx.commit_and_continue(
        &format!("{party} answers round {}: {}", round.def.id, position.key()),
        &[
            previous.map(|p| format!("Supersedes the earlier position: {}.", p.key())),
            received.map(|r| format!("Received {}.", shown_time(r))),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("\n"),
        Action::Respond,
        who.actor,
        who.now,
    )?;
    Ok(Responded {
        fact,
        previous,
        commit,
    })
}

/// A comment as given to `add_comment`.
#[derive(Debug, Clone)]
pub struct NewComment {
    /// Whose comment it is.
    pub party: PartyCode,
    /// The section it is about; none for a general comment.
    pub section: Option<String>,
    /// The passage quoted (needs a section).
    pub quote: Option<String>,
    /// The comment.
    pub text: String,
    /// A proposed wording.
    pub proposal: Option<String>,
    /// When the party gave it, if not at the time of the act (see [`respond`]).
    pub received: Option<Timestamp>,
}

/// A time as commit messages show it: Oslo time with its offset.
fn shown_time(t: Timestamp) -> String {
    t.to_zoned_datetime(crate::calendar::oslo())
        .strftime("%Y-%m-%d %H:%M %:z")
        .to_string()
}

/// Refuses a `received` time after the act or before the round was opened.
fn check_received(
    who: &Acting<'_>,
    round: &RoundState,
    received: Option<Timestamp>,
) -> Result<(), ActError> {
    match received.and_then(|r| received_problem(&round.def, r, who.now.timestamp())) {
        Some(problem) => Err(ActError::Invalid(format!(
            "The date received, {problem}. Give the date the party's letter or form is dated (--received DATE or DATETIME)."
        ))),
        None => Ok(()),
    }
}

/// A comment that was registered.
#[derive(Debug, Clone, Serialize)]
pub struct Commented {
    /// The comment.
    pub comment: CommentRecord,
    /// The commit.
    pub commit: CommitInfo,
}

/// Registers one comment, anchored to a section and quote of the round's version
/// (`doc`): the section must exist and the quote occur in it.
pub fn add_comment(
    tx: &mut Transaction<'_>,
    who: &Acting<'_>,
    round: &RoundState,
    doc: &Document,
    req: NewComment,
) -> Result<Commented, ActError> {
    rules::may_answer(who.config, round, who.party(), &req.party)?;
    let text = plain_text(&req.text, "comment")?;
    check_received(who, round, req.received)?;
    rules::answer_after_letter(
        round,
        &req.party,
        req.received.unwrap_or(who.now.timestamp()),
        req.received.is_some(),
    )?;
    let proposal = req
        .proposal
        .as_deref()
        .map(|p| plain_text(p, "proposal"))
        .transpose()?;
    if req.quote.is_some() && req.section.is_none() {
        return Err(ActError::Invalid(
            "A quote needs the section it is in: give --section too.".into(),
        ));
    }
    if let Some(s) = &req.section
        && doc.section(s).is_none()
    {
        return Err(AnchorError::UnknownSection { section: s.clone() }.into());
    }
    let anchor = match (&req.section, &req.quote) {
        (Some(s), Some(q)) => Some(anchor(doc, s, &plain_text(q, "quote")?)?),
        _ => None,
    };
    let record = CommentRecord {
        id: tx.new_id(RecordKind::Comment),
        party: req.party.clone(),
        by: who.party().clone(),
        at: who.now.timestamp(),
        clock: Some(tx.clock()?),
        version: round.def.version,
        section: req.section,
        anchor,
        text,
        proposal,
        source: None,
        received: req.received,
        word: None,
        moved_to: None,
    };
    let file = CommentFile {
        comment: vec![record.clone()],
    };
    tx.write_record(&comment_file_path(&round.def.id, &record), &file)?;
    let commit = tx.commit_and_continue(
        &format!(
            "Comment {} from {} on round {}{}",
            record.id,
            req.party,
            round.def.id,
            record
                .section
                .as_deref()
                .map(|s| format!(", section {s}"))
                .unwrap_or_default()
        ),
        &record
            .received
            .map(|r| format!("Received {}.", shown_time(r)))
            .unwrap_or_default(),
        Action::CommentAdd,
        who.actor,
        who.now,
    )?;
    Ok(Commented {
        comment: record,
        commit,
    })
}

/// A decision that was recorded.
#[derive(Debug, Clone, Serialize)]
pub struct Decided {
    /// The decision.
    pub decision: DecisionRecord,
    /// The decision it supersedes, if any.
    pub previous: Option<DecisionRecord>,
    /// The commit.
    pub commit: CommitInfo,
}

/// Decides a comment of the round (a later decision supersedes the current one, which
/// stays as history). `partly` and `rejected` need their reasons in `note`.
pub fn decide(
    tx: &mut Transaction<'_>,
    who: &Acting<'_>,
    round: &RoundState,
    comment: &CommentState,
    decision: Decision,
    note: Option<&str>,
) -> Result<Decided, ActError> {
    rules::may_decide(who.config, &round.def, who.party())?;
    let note = note.map(|n| plain_text(n, "note")).transpose()?;
    if decision.needs_note() && note.is_none() {
        return Err(ActError::Invalid(format!(
            "A \"{}\" decision needs its reasons: add --note \"…\".",
            decision.key()
        )));
    }
    let record = DecisionRecord {
        id: tx.new_id(RecordKind::Decision),
        comment: comment.record.id.clone(),
        decision,
        note,
        by: who.party().clone(),
        at: who.now.timestamp(),
        clock: Some(tx.clock()?),
        supersedes: comment.decision.as_ref().map(|d| d.id.clone()),
    };
    tx.write_record(&decision_path(&round.def.id, &record), &record)?;
    let commit = tx.commit_and_continue(
        &format!(
            "Decide comment {} ({}): {}",
            comment.record.id,
            comment.record.party,
            decision.key()
        ),
        &comment
            .decision
            .as_ref()
            .map(|d| {
                format!(
                    "Supersedes the decision {} of {}.",
                    d.decision.key(),
                    d.at.strftime("%Y-%m-%d")
                )
            })
            .unwrap_or_default(),
        Action::CommentResolve,
        who.actor,
        who.now,
    )?;
    Ok(Decided {
        decision: record,
        previous: comment.decision.clone(),
        commit,
    })
}
