//! strategi: carries a government strategy document from first draft to formal
//! approval.
//!
//! The library knows the domain and never prints, exits or reads the environment; the
//! `strategi` binary (its `cli` module, outside this crate) talks to people: it parses
//! arguments, calls one function here and renders the typed outcome. Dependencies point
//! one way (ARCHITECTURE.md has the table):
//!
//! ```text
//! case          → approval, calendar, store, sign, model
//! approval      → consultation, calendar, store, sign, model
//! report        → consultation, calendar, diff, document, model
//! consultation  → word, reply, mail, calendar, document, store, model
//! reply         → mail, document, model
//! mail          → store, model
//! store         → sign, input, model   (the only user of git2)
//! sign          → input
//! word          → diff, document, input
//! diff          → document
//! calendar      → model
//! input, document, model, columns, publish → nothing of ours
//! ```
//!
//! The rules of a consultation and of an approval are written once, in
//! [`consultation::rules`] and [`approval::rules`], and used both by the acts (which
//! refuse before writing) and by the folds (which ignore and report a hand-written
//! record that breaks them).

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod approval;
pub mod archive;
pub mod calendar;
pub mod case;
pub mod columns;
pub mod consultation;
pub mod diff;
pub mod document;
pub mod input;
pub mod journal;
pub mod mail;
pub mod model;
pub mod publish;
pub mod reply;
pub mod report;
pub mod sign;
pub mod store;
pub mod word;
