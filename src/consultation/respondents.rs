//! Respondents: who answered an open høring without being on its list.
//!
//! A round of kind høring may be open ([`super::RoundDef::open`]): besides its
//! recipients, anyone may answer. An answer from a sender who is no recipient is
//! registered as a *respondent*, by a `respondent` fact in the round's `facts/` (its
//! name, its organisation when one is given, its address), written with the answer
//! itself (the comments and the `response` fact carry the respondent's id where a
//! listed party's code would be).
//!
//! The id is derived from the address alone ([`normalise_address`], then
//! [`respondent_id`]): `R` and eleven letters or digits of the SHA-256 of the
//! normalised address, so two clones that register the same sender mint the same id,
//! and the same sender answering twice is one respondent. Its later answer supersedes
//! the earlier position (the history is kept, as for a party); the name and the
//! organisation are those of the latest registration in the fold's order (logical
//! clock, then time, then the fact's id), so every clone agrees.
//!
//! A respondent without an organisation is a private person: its answer may hold
//! personal data, and [`RespondentState::private`] marks it for the screening before
//! publication (`publish check` shows it). Deadlines, reminders and letters apply to
//! the listed parties only; a respondent's answer is late when it was given after the
//! round's own deadline, for the record.

use jiff::Timestamp;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::model::{PartyCode, Position};

use super::round::PositionRecord;

/// The letters of a respondent id after its `R`: digits and upper-case letters without
/// the ones easily misread (I, L, O, U).
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// An address as respondents are told apart by: trimmed, without angle brackets or a
/// `mailto:` prefix, in lower case. `None` when it is no address (no `@`, an empty local
/// part or domain, white space or a control character inside).
pub fn normalise_address(address: &str) -> Option<String> {
    let mut a = address.trim();
    a = a.strip_prefix('<').unwrap_or(a);
    a = a.strip_suffix('>').unwrap_or(a);
    let a = a.trim();
    let a = match a.get(..7) {
        Some(p) if p.eq_ignore_ascii_case("mailto:") => &a[7..],
        _ => a,
    };
    let lower = a.to_lowercase();
    if lower.matches('@').count() != 1 {
        return None;
    }
    let (local, domain) = lower.split_once('@')?;
    let bad = |s: &str| {
        s.is_empty()
            || s.chars()
                .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ','))
    };
    if bad(local) || bad(domain) {
        return None;
    }
    let domain = domain.trim_end_matches('.');
    if domain.is_empty() {
        return None;
    }
    Some(format!("{local}@{domain}"))
}

/// The respondent id of a normalised address: `R` and eleven letters or digits of its
/// SHA-256 (55 bits), a valid party code that no clone needs to coordinate.
pub fn respondent_id(normalised: &str) -> PartyCode {
    let hash = Sha256::digest(normalised.as_bytes());
    let mut bits: u64 = 0;
    for b in hash.iter().take(8) {
        bits = (bits << 8) | u64::from(*b);
    }
    let mut id = String::with_capacity(12);
    id.push('R');
    for i in 0..11 {
        let idx = (bits >> (59 - 5 * i)) & 31;
        id.push(char::from(ALPHABET[idx as usize]));
    }
    PartyCode::from_id(id)
}

/// Who a respondent says it is, as an answer gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Respondent {
    /// The id ([`respondent_id`] of the address).
    pub id: PartyCode,
    /// The name (the sender's display name, or the address when it has none).
    pub name: String,
    /// The organisation, when one is given; none for a private person.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    /// The normalised address.
    pub address: String,
}

impl Respondent {
    /// The respondent of an answer from `address` (shown as `name`, which may be
    /// empty), for `organisation` if given. `None` when `address` is no address.
    pub fn from_sender(
        name: &str,
        address: &str,
        organisation: Option<&str>,
    ) -> Option<Respondent> {
        let address = normalise_address(address)?;
        let clean = |s: &str| {
            s.chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        };
        let name = Some(clean(name))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| address.clone());
        Some(Respondent {
            id: respondent_id(&address),
            name,
            organisation: organisation.map(clean).filter(|o| !o.is_empty()),
            address,
        })
    }

    /// The name as lists show it: "Name (Organisation)", or the name alone.
    pub fn shown(&self) -> String {
        match &self.organisation {
            Some(o) => format!("{} ({o})", self.name),
            None => self.name.clone(),
        }
    }
}

/// A respondent's state in a round, folded from its registrations and answers.
#[derive(Debug, Clone, Serialize)]
pub struct RespondentState {
    /// Who (as last registered).
    #[serde(flatten)]
    pub respondent: Respondent,
    /// A private person (no organisation given): marked for the screening before
    /// publication, as the answer may hold personal data.
    pub private: bool,
    /// The current position; earlier ones are in `history`.
    pub position: Option<Position>,
    /// When the current position was recorded.
    pub answered: Option<Timestamp>,
    /// When the current position was given (the reply's own date when known).
    pub received: Option<Timestamp>,
    /// Whether the current position was given after the round's deadline.
    pub late: bool,
    /// Every position recorded, oldest first.
    pub history: Vec<PositionRecord>,
}

impl RespondentState {
    /// A respondent registered, with no answer folded yet.
    pub fn new(respondent: Respondent) -> RespondentState {
        RespondentState {
            private: respondent.organisation.is_none(),
            respondent,
            position: None,
            answered: None,
            received: None,
            late: false,
            history: Vec::new(),
        }
    }

    /// Takes a later registration of the same respondent: its name and organisation.
    pub fn register_again(&mut self, respondent: Respondent) {
        self.private = respondent.organisation.is_none();
        self.respondent = respondent;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_normalise_to_one_form() {
        assert_eq!(
            normalise_address("  <Ola.Nordmann@Example.NO> ").as_deref(),
            Some("ola.nordmann@example.no")
        );
        assert_eq!(
            normalise_address("mailto:kari@natur.example.").as_deref(),
            Some("kari@natur.example")
        );
        assert_eq!(normalise_address("no address"), None);
        assert_eq!(normalise_address("@example.no"), None);
        assert_eq!(normalise_address("ola@"), None);
        assert_eq!(normalise_address("ola nordmann@example.no"), None);
        assert_eq!(normalise_address("a@b@c.example"), None);
        assert_eq!(normalise_address(""), None);
        // A multi-byte character where a `mailto:` prefix would end is no panic.
        assert_eq!(
            normalise_address("aaaaaaå@example.no").as_deref(),
            Some("aaaaaaå@example.no")
        );
        assert_eq!(normalise_address("mailtoå").as_deref(), None);
    }

    #[test]
    fn the_id_depends_on_the_normalised_address_only() {
        let a = respondent_id(&normalise_address("Ola@Example.no").expect("address"));
        let b = respondent_id(&normalise_address("<ola@example.NO>").expect("address"));
        let c = respondent_id(&normalise_address("kari@example.no").expect("address"));
        assert_eq!(a, b);
        assert_ne!(a, c);
        let s = a.as_str();
        assert_eq!(s.len(), 12);
        assert!(s.starts_with('R'));
        // A valid party code, read back unchanged.
        assert_eq!(s.parse::<PartyCode>().expect("code"), a);
        // Stable across versions and machines: the same address, the same id.
        assert_eq!(respondent_id("ola@example.no"), a);
    }

    #[test]
    fn a_respondent_without_organisation_is_a_private_person() {
        let r = Respondent::from_sender("", "Ola@Example.no", None).expect("respondent");
        assert_eq!(r.name, "ola@example.no");
        assert!(RespondentState::new(r).private);
        let org = Respondent::from_sender(
            "Kari\tNormann",
            "kari@natur.example",
            Some(" Naturvernforbundet "),
        )
        .expect("respondent");
        assert_eq!(org.name, "Kari Normann");
        assert_eq!(org.shown(), "Kari Normann (Naturvernforbundet)");
        assert!(!RespondentState::new(org).private);
        assert_eq!(Respondent::from_sender("X", "nobody", None), None);
    }
}
