//! Publication of a consultation's answers: [`screen`] flags the passages of an answer
//! that need a human look before it is published; a person decides ([`decisions`]:
//! public, exempt, or passages redacted, recorded as round facts); [`bundle`] renders
//! the public bundle as a ministry publishes it.

pub mod bundle;
pub mod decisions;
pub mod screen;

pub use decisions::{
    AnswerDecision, CaseDecisions, Decision, Decisions, Publicity, answer_key, decisions, redact,
};
