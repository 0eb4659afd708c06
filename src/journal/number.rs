//! Case numbers (`24/3095`) and document numbers (`24/3095-74`): parsing and formatting.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A case number in the archive (saksnummer): two digits of the year, a slash and the
/// sequence number in that year, `24/3095`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CaseNumber {
    /// The year's last two digits (`24`).
    pub year: u8,
    /// The case's sequence number in the year (`3095`).
    pub sequence: u32,
}

/// A document number in a case (dokumentnummer): the case number, a hyphen and the
/// document's number in the case, `24/3095-74`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocNumber {
    /// The case.
    pub case: CaseNumber,
    /// The document's number in the case (`74`), from 1.
    pub document: u32,
}

/// Why a text is not a case or document number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{text}\" is not a {what}: write it as {form}, e.g. {example}.")]
pub struct NumberError {
    /// The text given.
    pub text: String,
    /// "case number" or "document number".
    pub what: &'static str,
    /// The form, `YY/NNNN` or `YY/NNNN-N`.
    pub form: &'static str,
    /// An example.
    pub example: &'static str,
}

fn digits(s: &str, max: usize) -> Option<u32> {
    if s.is_empty() || s.len() > max || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

impl FromStr for CaseNumber {
    type Err = NumberError;
    fn from_str(s: &str) -> Result<CaseNumber, NumberError> {
        let bad = || NumberError {
            text: s.to_string(),
            what: "case number",
            form: "YY/NNNN",
            example: "24/3095",
        };
        let (year, seq) = s.trim().split_once('/').ok_or_else(bad)?;
        if year.len() != 2 {
            return Err(bad());
        }
        let year = digits(year, 2).ok_or_else(bad)?;
        let sequence = digits(seq, 9).filter(|n| *n > 0).ok_or_else(bad)?;
        Ok(CaseNumber {
            year: u8::try_from(year).map_err(|_| bad())?,
            sequence,
        })
    }
}

impl FromStr for DocNumber {
    type Err = NumberError;
    fn from_str(s: &str) -> Result<DocNumber, NumberError> {
        let bad = || NumberError {
            text: s.to_string(),
            what: "document number",
            form: "YY/NNNN-N",
            example: "24/3095-74",
        };
        let (case, doc) = s.trim().rsplit_once('-').ok_or_else(bad)?;
        let case: CaseNumber = case.parse().map_err(|_| bad())?;
        let document = digits(doc, 9).filter(|n| *n > 0).ok_or_else(bad)?;
        Ok(DocNumber { case, document })
    }
}

impl fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}/{}", self.year, self.sequence)
    }
}

impl fmt::Display for DocNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.case, self.document)
    }
}

macro_rules! as_string {
    ($t:ty) => {
        impl Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$t, D::Error> {
                let text = String::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
as_string!(CaseNumber);
as_string!(DocNumber);
