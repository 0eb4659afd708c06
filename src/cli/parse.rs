//! Value parsers: arguments are parsed once, at the edge, into typed values (ripgrep's
//! low-level → high-level args). A value that does not parse is reported with the same
//! sentence the library gives, and with the exit code of the mistake: a bad date, party
//! code or kind is a refused request (exit 1), a word that is not one of a flag's
//! choices is wrong usage (exit 2).

use jiff::civil::Date;
use strategi::calendar::{ConsultationKind, parse_date};
use strategi::consultation::{Decision, Recipients};
use strategi::model::{PartyCode, Position};

use super::{CommandError, ErrorKind};

/// A value clap could not parse, carrying the message and exit code it should give.
#[derive(Debug)]
pub struct ValueError {
    /// Whose mistake: a refused request or wrong usage.
    pub kind: ErrorKind,
    /// The sentence to show.
    pub message: String,
}

impl std::fmt::Display for ValueError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ValueError {}

impl From<&ValueError> for CommandError {
    fn from(e: &ValueError) -> CommandError {
        match e.kind {
            ErrorKind::Usage => CommandError::usage(e.message.clone()),
            _ => CommandError::user(e.message.clone()),
        }
    }
}

fn refused(e: impl std::fmt::Display) -> ValueError {
    ValueError {
        kind: ErrorKind::User,
        message: e.to_string(),
    }
}

fn usage(e: impl std::fmt::Display) -> ValueError {
    ValueError {
        kind: ErrorKind::Usage,
        message: e.to_string(),
    }
}

/// A date: `YYYY-MM-DD` or `DD.MM.YYYY`.
pub fn date(s: &str) -> Result<Date, ValueError> {
    parse_date(s).map_err(refused)
}

/// A party code such as `FIN`.
pub fn party(s: &str) -> Result<PartyCode, ValueError> {
    s.parse().map_err(refused)
}

/// A consultation kind: framlegging, hoyring, innspill (and their aliases).
pub fn kind(s: &str) -> Result<ConsultationKind, ValueError> {
    s.parse().map_err(refused)
}

/// Recipients: `all`, or party codes separated by commas.
pub fn recipients(s: &str) -> Result<Recipients, ValueError> {
    s.parse().map_err(refused)
}

/// A formal position: no-comments, comments, reservation, disagree.
pub fn position(s: &str) -> Result<Position, ValueError> {
    s.parse().map_err(usage)
}

/// A decision: accepted, partly, rejected, noted.
pub fn decision(s: &str) -> Result<Decision, ValueError> {
    s.parse().map_err(usage)
}

/// One line of text (a title, a reason, a note).
pub fn one_line(what: &'static str) -> impl Fn(&str) -> Result<String, ValueError> + Clone {
    move |s| strategi::model::one_line(s, what).map_err(refused)
}

/// Free text (a comment, a proposal, a quote).
pub fn text(what: &'static str) -> impl Fn(&str) -> Result<String, ValueError> + Clone {
    move |s| strategi::model::plain_text(s, what).map_err(refused)
}

/// An e-mail address such as postmottak@fin.example.
pub fn email(s: &str) -> Result<strategi::model::EmailAddress, ValueError> {
    s.parse().map_err(refused)
}

/// A language: nb, nn, en or da.
pub fn lang(s: &str) -> Result<strategi::model::Lang, ValueError> {
    s.parse().map_err(refused)
}

/// When a party's answer was received, as given to `--received`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    /// A day (`2025-12-20` or `20.12.2025`).
    Day(Date),
    /// A point in time (Oslo local time, or RFC 3339 with an offset).
    At(jiff::Timestamp),
}

impl Received {
    /// The point in time: a day is 12:00 Oslo time (as for `--now`), or `now` when that
    /// is the same day and earlier.
    pub fn at(self, now: &jiff::ZonedDateTime) -> jiff::Timestamp {
        match self {
            Received::At(t) => t,
            Received::Day(d) => {
                let noon = d
                    .at(12, 0, 0, 0)
                    .to_zoned_datetime(strategi::calendar::oslo())
                    .map(|z| z.timestamp())
                    .unwrap_or_else(|_| now.timestamp());
                if d == now.date() && noon > now.timestamp() {
                    now.timestamp()
                } else {
                    noon
                }
            }
        }
    }
}

/// `--received`: a date (`YYYY-MM-DD`, `DD.MM.YYYY`) or a date and time (Oslo time
/// `YYYY-MM-DDTHH:MM`, or RFC 3339 with an offset).
pub fn received(s: &str) -> Result<Received, ValueError> {
    if let Ok(d) = parse_date(s) {
        return Ok(Received::Day(d));
    }
    strategi::calendar::parse_now(s)
        .map(|z| Received::At(z.timestamp()))
        .map_err(|e| refused(format!("--received: {e}")))
}

/// A milestone id such as forslag-dfd.
pub fn milestone(s: &str) -> Result<strategi::model::MilestoneId, ValueError> {
    s.parse().map_err(refused)
}

/// Party codes given as one value, separated by commas (`FIN,KDD`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyList(pub Vec<PartyCode>);

/// Party codes separated by commas (`FIN,KDD`), each checked.
pub fn parties(s: &str) -> Result<PartyList, ValueError> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| p.parse().map_err(refused))
        .collect::<Result<Vec<_>, _>>()
        .map(PartyList)
}

/// An outbox state: queued, sent or failed.
pub fn delivery_state(s: &str) -> Result<strategi::mail::DeliveryState, ValueError> {
    use strategi::mail::DeliveryState;
    match s.trim() {
        "queued" => Ok(DeliveryState::Queued),
        "sent" => Ok(DeliveryState::Sent),
        "failed" => Ok(DeliveryState::Failed),
        "sending" => Ok(DeliveryState::Sending),
        "uncertain" => Ok(DeliveryState::Uncertain),
        other => Err(usage(format!(
            "\"{other}\" is not a state; use queued, sending, sent, failed or uncertain."
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_values_keep_the_library_sentence_and_the_exit_code_of_the_mistake() {
        let e = date("2025-02-30").expect_err("no such day");
        assert_eq!(e.kind, ErrorKind::User);
        assert!(e.message.contains("YYYY-MM-DD"), "{}", e.message);
        let e = party("F").expect_err("too short");
        assert!(
            e.message.contains("not a valid party code"),
            "{}",
            e.message
        );
        let e = position("maybe").expect_err("no such position");
        assert_eq!(e.kind, ErrorKind::Usage);
        assert_eq!(CommandError::from(&e).exit_code(), 2);
        assert_eq!(recipients("all").expect("all"), Recipients::All);
        assert!(one_line("reason")("a\nb").is_err());
        assert_eq!(text("comment")(" Ja.\r\nNei. ").expect("text"), "Ja.\nNei.");
    }
}
