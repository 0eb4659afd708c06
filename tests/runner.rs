//! The one integration-test binary (one link step keeps build time down).

mod approval;
mod comments;
mod common;
mod crash;
mod dates;
mod deadlines;
mod delivery;
mod determinism;
mod diff;
mod forgery;
mod foundation;
mod guards;
mod help;
mod keys;
mod mail;
mod recovery;
mod rendered;
mod rounds;
mod secrets;
mod send;
mod sending;
mod settings;
mod sync;
mod trust;
mod word_in;
