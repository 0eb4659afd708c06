//! Consultation rounds: a fixed version sent to parties with a deadline, and every later
//! fact about it.
//!
//! A round lives in `consultations/<id>/`: `round.toml` is its definition, written once;
//! every later fact (an extension, the close, and with later capabilities: sent,
//! reminded, response, comment, decision) is a new file in `facts/`. The current state
//! is a fold over the facts in time order ([`RoundState::fold`]). Permissions are
//! checked in the fold, so a fact added by hand by a party that may not make it is
//! ignored and reported, never obeyed.

pub mod actions;
pub mod apply;
mod comments;
#[cfg(test)]
mod fixtures;
pub mod import;
pub mod letters;
pub mod respondents;
mod round;
pub mod rules;

pub use comments::{
    CommentFile, CommentRecord, CommentState, Decision, DecisionRecord, ImportRecord,
    RoundComments, comment_file_path, decision_path, inbox_dir, load_all_comments, load_comments,
    load_imports,
};
pub use respondents::{Respondent, RespondentState};
pub use round::{
    Fact, FactBody, Finding, Issued, PartyState, PartyStatus, Position, PositionRecord, Redaction,
    RoundDef, RoundState, closest_round_ids, fact_path, is_late, load_round, load_rounds,
    received_problem, resolve_round, round_path,
};
pub use rules::{Recipients, Refusal};
