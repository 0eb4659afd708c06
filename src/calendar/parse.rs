//! Reading dates and "now" times typed by people.

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{AmbiguousOffset, Offset};
use jiff::{Timestamp, ZonedDateTime};

use super::clock::oslo;
use super::error::CalendarError;
use super::holidays::{FIRST_SUPPORTED_YEAR, LAST_SUPPORTED_YEAR};

/// Why a date could not be read; turned into a [`CalendarError`] by the
/// public functions.
enum DateProblem {
    Empty,
    Unreadable(String),
    NotReal(String),
}

impl DateProblem {
    fn into_date_error(self, input: &str) -> CalendarError {
        match self {
            DateProblem::Empty => CalendarError::EmptyDate,
            DateProblem::Unreadable(problem) => CalendarError::UnreadableDate {
                input: input.to_string(),
                problem,
            },
            DateProblem::NotReal(problem) => CalendarError::NotARealDate {
                input: input.to_string(),
                problem,
            },
        }
    }

    fn into_text(self) -> String {
        match self {
            DateProblem::Empty => "no date was given".to_string(),
            DateProblem::Unreadable(p) | DateProblem::NotReal(p) => p,
        }
    }
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Builds a date from digit strings, explaining what is wrong if needed.
fn build(year: &str, month: &str, day: &str) -> Result<Date, DateProblem> {
    let number = |s: &str| {
        s.parse::<i16>()
            .map_err(|_| DateProblem::Unreadable(format!("\"{s}\" is not a number")))
    };
    let (y, m, d) = (number(year)?, number(month)?, number(day)?);
    if !(FIRST_SUPPORTED_YEAR..=LAST_SUPPORTED_YEAR).contains(&y) {
        return Err(DateProblem::Unreadable(format!(
            "the year {year} is outside the years strategi supports ({FIRST_SUPPORTED_YEAR} to {LAST_SUPPORTED_YEAR})"
        )));
    }
    if !(1..=12).contains(&m) {
        return Err(DateProblem::NotReal(format!(
            "there is no month {month}; months go from 1 to 12"
        )));
    }
    if d == 0 {
        return Err(DateProblem::NotReal(
            "there is no day 0; days start at 1".to_string(),
        ));
    }
    let month_i8 =
        i8::try_from(m).map_err(|_| DateProblem::NotReal(format!("there is no month {month}")))?;
    let first = Date::new(y, month_i8, 1)
        .map_err(|_| DateProblem::NotReal(format!("month {month} of {year} does not exist")))?;
    let days = first.days_in_month();
    if d > i16::from(days) {
        let name = super::month_name(first, crate::model::Lang::En);
        return Err(DateProblem::NotReal(format!("{name} {y} has {days} days")));
    }
    let day_i8 =
        i8::try_from(d).map_err(|_| DateProblem::NotReal(format!("there is no day {day}")))?;
    Date::new(y, month_i8, day_i8)
        .map_err(|_| DateProblem::NotReal("no such day exists".to_string()))
}

fn read_date(text: &str) -> Result<Date, DateProblem> {
    let s = text.trim();
    if s.is_empty() {
        return Err(DateProblem::Empty);
    }
    let dashed: Vec<&str> = s.split('-').collect();
    if let [y, m, d] = dashed.as_slice()
        && dashed.iter().all(|p| all_digits(p))
    {
        return match (y.len(), m.len(), d.len()) {
            (4, 2, 2) => build(y, m, d),
            _ => Err(DateProblem::Unreadable(
                "in YYYY-MM-DD the year has four digits and the month and day two each (2025-01-05, not 2025-1-5)".to_string(),
            )),
        };
    }
    if s.contains('.') {
        let dotted: Vec<&str> = s.split('.').collect();
        if let [d, m, y] = dotted.as_slice()
            && dotted.iter().all(|p| all_digits(p))
        {
            let day_month_ok = (1..=2).contains(&d.len()) && (1..=2).contains(&m.len());
            return match (day_month_ok, y.len()) {
                (true, 4) => build(y, m, d),
                (true, 2) => Err(DateProblem::Unreadable(format!(
                    "the year must have four digits (write {d}.{m}.20{y}, not {s})"
                ))),
                _ => Err(DateProblem::Unreadable(
                    "in DD.MM.YYYY the day and month have one or two digits and the year four"
                        .to_string(),
                )),
            };
        }
        let short: Vec<&str> = s.trim_end_matches('.').split('.').collect();
        if short.len() == 2 && short.iter().all(|p| all_digits(p)) {
            return Err(DateProblem::Unreadable("the year is missing".to_string()));
        }
    }
    if s.contains('/') {
        return Err(DateProblem::Unreadable(format!(
            "dates with slashes are not accepted, because {s} can be read with the day or the month first"
        )));
    }
    if s.chars().any(char::is_alphabetic) {
        return Err(DateProblem::Unreadable(
            "words are not accepted; write the date in digits".to_string(),
        ));
    }
    Err(DateProblem::Unreadable(
        "it does not match any of the accepted forms".to_string(),
    ))
}

/// Reads a date written as `YYYY-MM-DD` (2025-12-01) or the Norwegian
/// `DD.MM.YYYY` / `D.M.YYYY` (01.12.2025, 1.12.2025). Surrounding spaces are
/// ignored. Years must be within 1900–2200.
///
/// # Errors
///
/// [`CalendarError::EmptyDate`], [`CalendarError::UnreadableDate`] (wrong
/// shape, e.g. "tomorrow" or "1/12") or [`CalendarError::NotARealDate`]
/// (e.g. "2025-02-30": "February 2025 has 28 days"); each message quotes the
/// input and lists the accepted forms.
pub fn parse_date(input: &str) -> Result<Date, CalendarError> {
    read_date(input).map_err(|p| p.into_date_error(input))
}

fn format_offset(offset: Offset) -> String {
    let secs = offset.seconds();
    let sign = if secs < 0 { '-' } else { '+' };
    let abs = secs.unsigned_abs();
    format!("{sign}{:02}:{:02}", abs / 3600, (abs % 3600) / 60)
}

/// Reads `HH:MM` or `HH:MM:SS` (24-hour clock).
fn read_time(text: &str) -> Option<Time> {
    let parts: Vec<&str> = text.split(':').collect();
    if !(2..=3).contains(&parts.len()) || !parts.iter().all(|p| p.len() == 2 && all_digits(p)) {
        return None;
    }
    let mut nums = parts.iter().map(|p| p.parse::<i8>().ok());
    let hour = nums.next().flatten()?;
    let minute = nums.next().flatten()?;
    let second = nums.next().flatten().unwrap_or(0);
    Time::new(hour, minute, second, 0).ok()
}

/// Reads a value for "now", as given to a `--now` flag or in
/// `STRATEGI_NOW` (the caller reads the environment, not this module).
///
/// Accepted forms:
///
/// * a date (`2025-12-01` or `1.12.2025`): **12:00 Oslo time** that day.
///   Noon is chosen because it is the same calendar day in UTC and in Oslo
///   and never falls in a daylight saving gap, so "today" is unambiguous;
/// * an Oslo local time `YYYY-MM-DDTHH:MM` or `YYYY-MM-DDTHH:MM:SS` (a space
///   may replace the `T`). A time skipped or repeated by a daylight saving
///   change is refused, with a hint to add the offset;
/// * RFC 3339 with an offset or `Z`, e.g. `2025-12-01T09:30:00+01:00`.
///
/// The result is always in Europe/Oslo.
///
/// # Errors
///
/// [`CalendarError::InvalidNow`], quoting the input and the accepted forms.
pub fn parse_now(input: &str) -> Result<ZonedDateTime, CalendarError> {
    let invalid = |problem: String| CalendarError::InvalidNow {
        input: input.to_string(),
        problem,
    };
    let s = input.trim();
    if s.is_empty() {
        return Err(invalid("it is empty".to_string()));
    }
    // The date and time are separated by `T` or a space right after a digit
    // (so words like "tomorrow" are reported as words, not as a bad time).
    let split = s.char_indices().find_map(|(i, c)| {
        let after_digit = s[..i].ends_with(|p: char| p.is_ascii_digit());
        (matches!(c, 'T' | 't' | ' ') && after_digit).then_some(i)
    });
    let Some(split) = split else {
        let date = read_date(s).map_err(|p| invalid(p.into_text()))?;
        return date
            .at(12, 0, 0, 0)
            .to_zoned_datetime(oslo())
            .map_err(|_| invalid("the date is out of range".to_string()));
    };
    let date_part = &s[..split];
    let rest = s[split + 1..].trim();
    let date = read_date(date_part).map_err(|p| invalid(p.into_text()))?;
    if rest.contains(['Z', 'z', '+', '-', '[']) {
        let ts: Timestamp = s.parse().map_err(|_| {
            invalid(
                "the time or offset could not be read (RFC 3339 looks like 2025-12-01T09:30:00+01:00)"
                    .to_string(),
            )
        })?;
        return Ok(ts.to_zoned_datetime(oslo()));
    }
    let time = read_time(rest).ok_or_else(|| {
        invalid(format!(
            "\"{rest}\" is not a time; write HH:MM or HH:MM:SS on a 24-hour clock, for example 09:30"
        ))
    })?;
    let local = DateTime::from_parts(date, time);
    let ambiguous = oslo().to_ambiguous_zoned_datetime(local);
    match ambiguous.offset() {
        AmbiguousOffset::Unambiguous { .. } => ambiguous
            .unambiguous()
            .map_err(|_| invalid("the time is out of range".to_string())),
        AmbiguousOffset::Gap { .. } => Err(invalid(format!(
            "{local} does not exist in Oslo, because the clocks jump forward an hour that night; use a time after the change"
        ))),
        AmbiguousOffset::Fold { before, after } => Err(invalid(format!(
            "{local} happens twice in Oslo, because the clocks go back an hour that night; add the offset to say which, {}{} (summer time) or {}{} (winter time)",
            local,
            format_offset(before),
            local,
            format_offset(after)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn accepted_date_forms() {
        assert_eq!(parse_date("2025-12-01"), Ok(date(2025, 12, 1)));
        assert_eq!(parse_date(" 2025-12-01 "), Ok(date(2025, 12, 1)));
        assert_eq!(parse_date("1.12.2025"), Ok(date(2025, 12, 1)));
        assert_eq!(parse_date("01.12.2025"), Ok(date(2025, 12, 1)));
        assert_eq!(parse_date("29.2.2024"), Ok(date(2024, 2, 29)));
    }

    fn message(input: &str) -> String {
        parse_date(input).expect_err(input).to_string()
    }

    fn assert_names_forms(msg: &str) {
        assert!(msg.contains("YYYY-MM-DD"), "{msg}");
        assert!(msg.contains("2025-12-01"), "{msg}");
        assert!(msg.contains("DD.MM.YYYY"), "{msg}");
    }

    #[test]
    fn impossible_date_says_why() {
        let msg = message("2025-02-30");
        assert!(
            msg.starts_with("\"2025-02-30\" is not a real date"),
            "{msg}"
        );
        assert!(msg.contains("February 2025 has 28 days"), "{msg}");
        assert_names_forms(&msg);
        assert!(message("30.02.2024").contains("February 2024 has 29 days"));
        assert!(message("2025-13-01").contains("there is no month 13"));
        assert!(message("2025-04-00").contains("no day 0"));
        assert!(message("31.4.2025").contains("April 2025 has 30 days"));
    }

    #[test]
    fn words_slashes_and_empty() {
        let msg = message("tomorrow");
        assert!(
            msg.starts_with("\"tomorrow\" is not a date strategi can read"),
            "{msg}"
        );
        assert!(msg.contains("words are not accepted"), "{msg}");
        assert_names_forms(&msg);
        let msg = message("1/12");
        assert!(msg.starts_with("\"1/12\""), "{msg}");
        assert!(msg.contains("slashes"), "{msg}");
        assert_names_forms(&msg);
        let msg = message("");
        assert!(msg.starts_with("No date was given."), "{msg}");
        assert_names_forms(&msg);
        assert_eq!(parse_date("   "), Err(CalendarError::EmptyDate));
    }

    #[test]
    fn near_misses_get_hints() {
        assert!(message("2025-1-5").contains("not 2025-1-5"));
        assert!(message("1.12.25").contains("write 1.12.2025"));
        assert!(message("1.12").contains("the year is missing"));
        assert!(message("1.12.").contains("the year is missing"));
        assert!(message("0025-01-01").contains("1900 to 2200"));
        assert!(message("2025-12-01x").contains("\"2025-12-01x\""));
        assert!(message("12345").contains("accepted forms"));
    }

    #[test]
    fn now_from_date_is_noon_oslo() {
        let z = parse_now("2025-11-28").expect("date");
        assert_eq!(z.to_string(), "2025-11-28T12:00:00+01:00[Europe/Oslo]");
        let z = parse_now("1.7.2025").expect("date");
        assert_eq!(z.to_string(), "2025-07-01T12:00:00+02:00[Europe/Oslo]");
    }

    #[test]
    fn now_local_and_rfc3339() {
        let z = parse_now("2025-12-01T09:30").expect("local");
        assert_eq!(z.to_string(), "2025-12-01T09:30:00+01:00[Europe/Oslo]");
        let z = parse_now("2025-06-01 09:30:15").expect("local with space");
        assert_eq!(z.to_string(), "2025-06-01T09:30:15+02:00[Europe/Oslo]");
        let z = parse_now("2025-11-30T23:30:00Z").expect("utc");
        assert_eq!(z.to_string(), "2025-12-01T00:30:00+01:00[Europe/Oslo]");
        let z = parse_now("2025-12-01T09:30:00-05:00").expect("offset");
        assert_eq!(z.to_string(), "2025-12-01T15:30:00+01:00[Europe/Oslo]");
    }

    #[test]
    fn now_errors() {
        for bad in [
            "",
            "now",
            "2025-12-01T25:00",
            "2025-12-01T9:30",
            "2025-02-30T10:00",
        ] {
            let err = parse_now(bad).expect_err(bad);
            let msg = err.to_string();
            assert!(msg.starts_with(&format!("\"{bad}\"")), "{msg}");
            assert!(msg.contains("12:00 Oslo time"), "{msg}");
            assert!(msg.contains("+01:00"), "{msg}");
        }
        let gap = parse_now("2025-03-30T02:30").expect_err("gap").to_string();
        assert!(gap.contains("does not exist in Oslo"), "{gap}");
        let fold = parse_now("2025-10-26T02:30").expect_err("fold").to_string();
        assert!(fold.contains("2025-10-26T02:30:00+02:00"), "{fold}");
        assert!(fold.contains("2025-10-26T02:30:00+01:00"), "{fold}");
        // With the offset, the repeated hour is fine.
        let z = parse_now("2025-10-26T02:30:00+01:00").expect("explicit");
        assert_eq!(z.offset().seconds(), 3600);
    }
}
