//! A party's formal position on a round: what the `respond` command records and the
//! response form's ticked box says.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The party's position on the version, from the ticked box of the `Position` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Position {
    /// `no-comments`: the party has no comments.
    NoComments,
    /// `comments`: the party has comments.
    Comments,
    /// `reservation`: the party agrees with a reservation.
    Reservation,
    /// `disagree`: the party disagrees.
    Disagree,
}

impl Position {
    /// All positions, in the order of the form.
    pub const ALL: [Position; 4] = [
        Position::NoComments,
        Position::Comments,
        Position::Reservation,
        Position::Disagree,
    ];

    /// The machine key written in parentheses on the form: `no-comments`, `comments`,
    /// `reservation` or `disagree`.
    pub fn key(self) -> &'static str {
        match self {
            Position::NoComments => "no-comments",
            Position::Comments => "comments",
            Position::Reservation => "reservation",
            Position::Disagree => "disagree",
        }
    }

    /// The position with this key (any case; spaces and `_` count as `-`).
    pub fn from_key(key: &str) -> Option<Position> {
        let k: String = key
            .split_whitespace()
            .collect::<Vec<_>>()
            .join("-")
            .replace('_', "-")
            .to_lowercase();
        Position::ALL.into_iter().find(|p| p.key() == k)
    }

    /// The position in words, in bokmål (for reports) or English.
    pub fn words(self, lang: crate::model::Lang) -> &'static str {
        use crate::model::Lang;
        match (self, lang) {
            (Position::NoComments, Lang::Nb | Lang::Da) => "ingen merknader",
            (Position::NoComments, Lang::Nn) => "ingen merknader",
            (Position::NoComments, Lang::En) => "no comments",
            (Position::Comments, Lang::Nb | Lang::Nn | Lang::Da) => "merknader",
            (Position::Comments, Lang::En) => "comments",
            (Position::Reservation, Lang::Nb | Lang::Nn | Lang::Da) => "forbehold",
            (Position::Reservation, Lang::En) => "reservation",
            (Position::Disagree, Lang::Nb | Lang::Da) => "uenig",
            (Position::Disagree, Lang::Nn) => "usamd",
            (Position::Disagree, Lang::En) => "disagree",
        }
    }
}

impl std::str::FromStr for Position {
    type Err = String;
    fn from_str(s: &str) -> Result<Position, String> {
        Position::from_key(s).ok_or_else(|| {
            format!(
                "\"{s}\" is not a position; use no-comments, comments, reservation or disagree."
            )
        })
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}
