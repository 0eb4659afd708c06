//! strategi: carries a government strategy document from first draft to formal
//! approval.
//!
//! The library knows the domain and never prints, exits or reads the environment; the
//! `strategi` binary (`cli`) talks to people. Dependencies point one way:
//! `cli → (consultation, approval, mail, report, diff, calendar) → document, store → model`.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod approval;
pub mod calendar;
pub mod consultation;
pub mod diff;
pub mod document;
pub mod mail;
pub mod model;
pub mod reply;
pub mod report;
pub mod sign;
pub mod store;
