//! Validated identifiers: party codes, milestone ids, version names, e-mail addresses.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Why a piece of text is not a valid identifier. The message is a full sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct IdError(pub String);

/// A party's short code, as used in the government: `FIN`, `KDD`, `DIO`.
///
/// Two to twelve characters, ASCII letters and digits, starting with a letter; stored in
/// upper case (`fin` is accepted and becomes `FIN`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PartyCode(String);

impl PartyCode {
    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A code made by the tool itself (a respondent's id), already in the code's form.
    pub(crate) fn from_id(code: String) -> PartyCode {
        PartyCode(code)
    }
}

impl FromStr for PartyCode {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        let t = s.trim();
        let ok = (2..=12).contains(&t.len())
            && t.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && t.chars().all(|c| c.is_ascii_alphanumeric());
        if ok {
            Ok(PartyCode(t.to_ascii_uppercase()))
        } else {
            Err(IdError(format!(
                "\"{s}\" is not a valid party code: use 2 to 12 letters or digits starting with a letter, such as FIN or KDD."
            )))
        }
    }
}

impl TryFrom<String> for PartyCode {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        s.parse()
    }
}

impl From<PartyCode> for String {
    fn from(c: PartyCode) -> String {
        c.0
    }
}

impl fmt::Display for PartyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A milestone's id: lower-case letters, digits and hyphens, such as `forslag-dfd`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MilestoneId(String);

impl MilestoneId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for MilestoneId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        let ok = (1..=64).contains(&s.len())
            && s.chars()
                .next()
                .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            && !s.ends_with('-')
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if ok {
            Ok(MilestoneId(s.to_string()))
        } else {
            Err(IdError(format!(
                "\"{s}\" is not a valid milestone id: use lower-case letters, digits and hyphens, such as forslag-dfd."
            )))
        }
    }
}

impl TryFrom<String> for MilestoneId {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        s.parse()
    }
}

impl From<MilestoneId> for String {
    fn from(c: MilestoneId) -> String {
        c.0
    }
}

impl fmt::Display for MilestoneId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A version's name: `v1`, `v2`, … The number is assigned in order when a version is cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VersionName(pub u32);

impl VersionName {
    /// The tag name, `v3`.
    pub fn tag(&self) -> String {
        format!("v{}", self.0)
    }
}

impl FromStr for VersionName {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        let digits = s
            .strip_prefix('v')
            .or_else(|| s.strip_prefix('V'))
            .unwrap_or(s);
        match digits.parse::<u32>() {
            Ok(n) if n > 0 && !digits.starts_with('0') && !digits.starts_with('+') => {
                Ok(VersionName(n))
            }
            _ => Err(IdError(format!(
                "\"{s}\" is not a version name: versions are called v1, v2, v3 and so on."
            ))),
        }
    }
}

impl fmt::Display for VersionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}", self.0)
    }
}

impl Serialize for VersionName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for VersionName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A syntactically valid e-mail address (`local@domain.tld`), without display name.
///
/// The check is deliberately the practical one (RFC 5321 shape, no comments, no quoted
/// local parts, no control characters or spaces) so that an address that passes can be
/// put in a mail header as it is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for EmailAddress {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        let bad = |why: &str| {
            Err(IdError(format!(
                "\"{s}\" is not a valid e-mail address: {why}. Write it as name@domain.example."
            )))
        };
        let Some((local, domain)) = s.rsplit_once('@') else {
            return bad("it has no @");
        };
        if local.is_empty() || local.len() > 64 {
            return bad("the part before @ is empty or too long");
        }
        let local_ok = local.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || "!#$%&'*+-/=?^_`{|}~.".contains(c)
                || (!c.is_ascii() && !c.is_control())
        }) && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..");
        if !local_ok {
            return bad("the part before @ has characters an address cannot have");
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2 {
            return bad("the domain after @ needs a dot, as in dep.example");
        }
        let labels_ok = labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
        if !labels_ok || domain.len() > 253 {
            return bad("the domain after @ is not a valid host name");
        }
        Ok(EmailAddress(s.to_string()))
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        s.parse()
    }
}

impl From<EmailAddress> for String {
    fn from(c: EmailAddress) -> String {
        c.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The id of a record (a round, a comment, a fact): a one-letter kind and seven
/// base-32 characters, such as `r7k3q9xm`. Random, so two clerks on two machines never
/// mint the same id; any unambiguous prefix is accepted where an id is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RecordId(String);

const BASE32: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

impl RecordId {
    /// A new id of the given kind (`'r'` round, `'c'` comment, `'f'` fact) from random
    /// bits supplied by the caller.
    pub fn new(kind: char, random: u64) -> RecordId {
        let mut s = String::with_capacity(8);
        s.push(kind);
        for i in 0..7 {
            s.push(char::from(BASE32[((random >> (i * 5)) & 31) as usize]));
        }
        RecordId(s)
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for RecordId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        let ok = s.len() == 8
            && s.as_bytes()[0].is_ascii_lowercase()
            && s.bytes().skip(1).all(|b| BASE32.contains(&b));
        if ok {
            Ok(RecordId(s.to_string()))
        } else {
            Err(IdError(format!(
                "\"{s}\" is not a record id: ids look like r7k3q9xm."
            )))
        }
    }
}

impl TryFrom<String> for RecordId {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        s.parse()
    }
}

impl From<RecordId> for String {
    fn from(c: RecordId) -> String {
        c.0
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn record_ids() {
        let id = RecordId::new('r', 0x1234_5678_9abc);
        assert_eq!(id.as_str().len(), 8);
        assert_eq!(id.as_str().parse::<RecordId>(), Ok(id.clone()));
        assert_ne!(RecordId::new('r', 1), RecordId::new('r', 2));
        assert!("r7k3q9xi".parse::<RecordId>().is_err());
        assert!("r7k3".parse::<RecordId>().is_err());
    }

    use super::*;

    #[test]
    fn party_codes() {
        assert_eq!("fin".parse::<PartyCode>().map(|c| c.0), Ok("FIN".into()));
        assert!("F".parse::<PartyCode>().is_err());
        assert!("1FIN".parse::<PartyCode>().is_err());
        assert!("FI N".parse::<PartyCode>().is_err());
        assert!("FINÆ".parse::<PartyCode>().is_err());
    }

    #[test]
    fn milestone_ids() {
        assert!("forslag-dfd".parse::<MilestoneId>().is_ok());
        assert!("Forslag".parse::<MilestoneId>().is_err());
        assert!("a-".parse::<MilestoneId>().is_err());
        assert!("".parse::<MilestoneId>().is_err());
    }

    #[test]
    fn version_names() {
        assert_eq!("v3".parse::<VersionName>(), Ok(VersionName(3)));
        assert_eq!("3".parse::<VersionName>(), Ok(VersionName(3)));
        assert!("v0".parse::<VersionName>().is_err());
        assert!("v03".parse::<VersionName>().is_err());
        assert!("v+3".parse::<VersionName>().is_err());
        assert!("vx".parse::<VersionName>().is_err());
    }

    #[test]
    fn emails() {
        assert!("postmottak@fin.example".parse::<EmailAddress>().is_ok());
        assert!(
            "kari.nordmann+ai@dep.example"
                .parse::<EmailAddress>()
                .is_ok()
        );
        for bad in [
            "fin.example",
            "@fin.example",
            "a@b",
            "a b@fin.example",
            "a@fin..example",
            "a@fin.example\r\nBcc: x@y.example",
            "a@-fin.example",
            ".a@fin.example",
        ] {
            assert!(bad.parse::<EmailAddress>().is_err(), "{bad}");
        }
    }
}
