//! Deadlines: moving them off closed days, when they end, and their state.

use jiff::ZonedDateTime;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::Lang;
use super::clock::oslo;
use super::error::CalendarError;
use super::format::weekday_name;
use super::workdays::{ClosedReason, WorkCalendar, calendar_days_between};

/// The default for "due soon": within this many working days.
pub const DEFAULT_SOON_WORKING_DAYS: u32 = 5;

/// A deadline after applying domstolloven § 149 (see
/// [`WorkCalendar::adjust_deadline`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdjustedDeadline {
    /// The deadline that applies: `original`, or the next working day.
    pub date: Date,
    /// The deadline as it was set.
    pub original: Date,
    /// Why `original` was closed, if the deadline was moved.
    pub moved: Option<ClosedReason>,
}

/// A deadline that was moved off a closed day, for showing wherever the deadline is
/// shown: the day it applies (`to`), the day it was set to (`from`), and why, in
/// English in JSON (`reason`, `explanation`); [`DeadlineMove::explanation_in`] and
/// [`DeadlineMove::reason_in`] give the words in another language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadlineMove {
    /// The deadline as set (a closed day).
    pub from: Date,
    /// The deadline that applies (the next working day).
    pub to: Date,
    /// Why `from` is closed, in English: "Whit Monday", "Saturday", "extra closed day".
    pub reason: &'static str,
    /// The sentence, in English: "Moved from Monday 2026-05-25 (Whit Monday) to Tuesday
    /// 2026-05-26."
    pub explanation: String,
    #[serde(skip)]
    adjusted: AdjustedDeadline,
}

impl DeadlineMove {
    /// Why `from` is closed, in `lang`.
    pub fn reason_in(&self, lang: Lang) -> &'static str {
        self.adjusted.moved.map_or("", |r| r.label(lang))
    }

    /// The sentence in `lang` ([`AdjustedDeadline::explanation`]).
    pub fn explanation_in(&self, lang: Lang) -> String {
        self.adjusted.explanation(lang).unwrap_or_default()
    }

    /// A short note for a list, in `lang`: "moved from 2026-05-25, Whit Monday".
    pub fn note_in(&self, lang: Lang) -> String {
        self.note_with(lang, &self.from.to_string())
    }

    /// The same note with the original date in words, as a page a person reads writes
    /// dates: "flyttet fra 25. mai 2026, 2. pinsedag".
    pub fn note_in_words(&self, lang: Lang) -> String {
        self.note_with(lang, &super::format::format_date_words(self.from, lang))
    }

    fn note_with(&self, lang: Lang, from: &str) -> String {
        let moved = match lang {
            Lang::Nb | Lang::Da => "flyttet fra",
            Lang::Nn => "flytta frå",
            Lang::En => "moved from",
        };
        format!("{moved} {from}, {}", self.reason_in(lang))
    }
}

impl AdjustedDeadline {
    /// The move, for showing, when the deadline was moved.
    pub fn move_view(&self) -> Option<DeadlineMove> {
        let reason = self.moved?;
        Some(DeadlineMove {
            from: self.original,
            to: self.date,
            reason: reason.label(Lang::En),
            explanation: self.explanation(Lang::En).unwrap_or_default(),
            adjusted: *self,
        })
    }

    /// Whether the deadline was moved.
    pub fn was_moved(&self) -> bool {
        self.moved.is_some()
    }

    /// A sentence explaining the move, or `None` if it was not moved, e.g.
    /// "Moved from Saturday 2025-05-17 (Constitution Day) to Monday
    /// 2025-05-19." (en) or "Flyttet fra lørdag 2025-05-17 (Grunnlovsdagen)
    /// til mandag 2025-05-19." (nb).
    pub fn explanation(&self, lang: Lang) -> Option<String> {
        let reason = self.moved?;
        let detail = if reason.adds_to_weekday() {
            format!(" ({})", reason.label(lang))
        } else {
            String::new()
        };
        let (moved, from, to) = match lang {
            Lang::Nb | Lang::Da => ("Flyttet", "fra", "til"),
            Lang::Nn => ("Flytta", "frå", "til"),
            Lang::En => ("Moved", "from", "to"),
        };
        Some(format!(
            "{moved} {from} {} {}{detail} {to} {} {}.",
            weekday_name(self.original, lang),
            self.original,
            weekday_name(self.date, lang),
            self.date,
        ))
    }
}

impl WorkCalendar {
    /// Applies domstolloven § 149: a deadline that falls on a Saturday,
    /// Sunday, public holiday or extra closed day moves to the next working
    /// day. The reason is kept so the user can be told why.
    ///
    /// # Errors
    ///
    /// [`CalendarError::DateOutOfRange`] at the end of representable dates.
    pub fn adjust_deadline(&self, date: Date) -> Result<AdjustedDeadline, CalendarError> {
        Ok(AdjustedDeadline {
            date: self.working_day_on_or_after(date)?,
            original: date,
            moved: self.closed_reason(date),
        })
    }
}

/// The last second of the deadline day: 23:59:59 Europe/Oslo on `date`,
/// with the offset in force that evening (+01:00 in winter, +02:00 in
/// summer, also on the days the clocks change). Pass the adjusted date
/// ([`AdjustedDeadline::date`]).
///
/// # Errors
///
/// [`CalendarError::DateOutOfRange`] at the end of representable dates.
pub fn deadline_end(date: Date) -> Result<ZonedDateTime, CalendarError> {
    date.at(23, 59, 59, 0)
        .to_zoned_datetime(oslo())
        .map_err(|_| CalendarError::DateOutOfRange { start: date })
}

/// The state of an obligation's deadline.
///
/// Serialized in snake_case: `"done"`, `"upcoming"`, `"due_soon"`,
/// `"due_today"`, `"overdue"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineStatus {
    /// The obligation is fulfilled.
    Done,
    /// Due later than the "soon" threshold.
    Upcoming,
    /// Due within the "soon" threshold of working days, but not today.
    DueSoon,
    /// Due today.
    DueToday,
    /// The deadline has passed.
    Overdue,
}

impl DeadlineStatus {
    /// A short lowercase label, e.g. "due soon" (en), "snart frist" (nb).
    pub fn label(self, lang: Lang) -> &'static str {
        use DeadlineStatus as S;
        match lang {
            Lang::Nb => match self {
                S::Done => "ferdig",
                S::Upcoming => "kommende",
                S::DueSoon => "snart frist",
                S::DueToday => "frist i dag",
                S::Overdue => "over fristen",
            },
            Lang::Nn => match self {
                S::Done => "ferdig",
                S::Upcoming => "kommande",
                S::DueSoon => "snart frist",
                S::DueToday => "frist i dag",
                S::Overdue => "over fristen",
            },
            Lang::En => match self {
                S::Done => "done",
                S::Upcoming => "upcoming",
                S::DueSoon => "due soon",
                S::DueToday => "due today",
                S::Overdue => "overdue",
            },
            Lang::Da => match self {
                S::Done => "færdig",
                S::Upcoming => "kommende",
                S::DueSoon => "snart frist",
                S::DueToday => "frist i dag",
                S::Overdue => "overskredet",
            },
        }
    }
}

/// The result of [`assess`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    /// The state of the deadline.
    pub status: DeadlineStatus,
    /// Calendar days from today to the deadline; negative when late.
    pub calendar_days_left: i64,
    /// Working days after today up to and including the deadline; negative
    /// when late (see [`WorkCalendar::working_days_between`]).
    pub working_days_left: i32,
}

impl Assessment {
    /// A short phrase for lists, e.g. "due in 1 working day", "due today",
    /// "1 working day overdue" (en); "frist om 1 arbeidsdag" (nb). Falls back
    /// to calendar days when no working day lies in between (a deadline on
    /// a weekend).
    pub fn summary(&self, lang: Lang) -> String {
        let working = i64::from(self.working_days_left).abs();
        let (n, unit_working) = if working > 0 {
            (working, true)
        } else {
            (self.calendar_days_left.abs(), false)
        };
        let unit = unit_words(lang, unit_working, n == 1);
        match (self.status, lang) {
            (DeadlineStatus::Done | DeadlineStatus::DueToday, _) => {
                self.status.label(lang).to_string()
            }
            (DeadlineStatus::Overdue, Lang::En) => format!("{n} {unit} overdue"),
            (DeadlineStatus::Overdue, _) => format!("{n} {unit} over fristen"),
            (_, Lang::En) => format!("due in {n} {unit}"),
            (_, _) => format!("frist om {n} {unit}"),
        }
    }
}

fn unit_words(lang: Lang, working: bool, singular: bool) -> &'static str {
    match (lang, working, singular) {
        (Lang::En, true, true) => "working day",
        (Lang::En, true, false) => "working days",
        (Lang::En, false, true) => "day",
        (Lang::En, false, false) => "days",
        (Lang::Nb, true, true) | (Lang::Nn, true, true) => "arbeidsdag",
        (Lang::Nb, true, false) => "arbeidsdager",
        (Lang::Nn, true, false) => "arbeidsdagar",
        (Lang::Nb | Lang::Nn | Lang::Da, false, true) => "dag",
        (Lang::Nb, false, false) => "dager",
        (Lang::Nn, false, false) => "dagar",
        (Lang::Da, true, true) => "arbejdsdag",
        (Lang::Da, true, false) => "arbejdsdage",
        (Lang::Da, false, false) => "dage",
    }
}

/// Assesses an obligation due on `due` (already adjusted with
/// [`WorkCalendar::adjust_deadline`] if § 149 applies), as seen on `today`.
///
/// * `done` → [`DeadlineStatus::Done`] (the day counts are still filled in);
/// * `today > due` → [`DeadlineStatus::Overdue`];
/// * `today == due` → [`DeadlineStatus::DueToday`];
/// * at most `soon` working days left → [`DeadlineStatus::DueSoon`]
///   (use [`DEFAULT_SOON_WORKING_DAYS`] unless configured);
/// * otherwise [`DeadlineStatus::Upcoming`].
pub fn assess(due: Date, done: bool, today: Date, soon: u32, cal: &WorkCalendar) -> Assessment {
    let calendar_days_left = calendar_days_between(today, due);
    let working_days_left = cal.working_days_between(today, due);
    let soon = i64::from(soon);
    let status = if done {
        DeadlineStatus::Done
    } else if today > due {
        DeadlineStatus::Overdue
    } else if today == due {
        DeadlineStatus::DueToday
    } else if i64::from(working_days_left) <= soon {
        DeadlineStatus::DueSoon
    } else {
        DeadlineStatus::Upcoming
    };
    Assessment {
        status,
        calendar_days_left,
        working_days_left,
    }
}

#[cfg(test)]
mod tests {
    use super::super::HolidayKind;
    use super::*;
    use jiff::civil::date;

    #[test]
    fn reference_case_due_soon_then_overdue() {
        let cal = WorkCalendar::new();
        let due = date(2025, 12, 1);
        let a = assess(
            due,
            false,
            date(2025, 11, 28),
            DEFAULT_SOON_WORKING_DAYS,
            &cal,
        );
        assert_eq!(
            a,
            Assessment {
                status: DeadlineStatus::DueSoon,
                calendar_days_left: 3,
                working_days_left: 1
            }
        );
        assert_eq!(a.summary(Lang::En), "due in 1 working day");
        assert_eq!(a.summary(Lang::Nb), "frist om 1 arbeidsdag");
        let late = assess(
            due,
            false,
            date(2025, 12, 2),
            DEFAULT_SOON_WORKING_DAYS,
            &cal,
        );
        assert_eq!(late.status, DeadlineStatus::Overdue);
        assert_eq!(late.working_days_left, -1);
        assert_eq!(late.calendar_days_left, -1);
        assert_eq!(late.summary(Lang::En), "1 working day overdue");
        let json = serde_json::to_string(&late).expect("json");
        assert_eq!(
            json,
            r#"{"status":"overdue","calendar_days_left":-1,"working_days_left":-1}"#
        );
    }

    #[test]
    fn other_statuses() {
        let cal = WorkCalendar::new();
        let due = date(2025, 12, 1);
        let today = assess(due, false, due, 5, &cal);
        assert_eq!(today.status, DeadlineStatus::DueToday);
        assert_eq!(today.summary(Lang::En), "due today");
        let far = assess(due, false, date(2025, 11, 3), 5, &cal);
        assert_eq!(far.status, DeadlineStatus::Upcoming);
        assert_eq!(far.working_days_left, 20);
        let done = assess(due, true, date(2025, 12, 5), 5, &cal);
        assert_eq!(done.status, DeadlineStatus::Done);
        assert_eq!(done.working_days_left, -4);
        // Exactly at the threshold counts as soon; one more does not.
        assert_eq!(
            assess(due, false, date(2025, 11, 24), 5, &cal).status,
            DeadlineStatus::DueSoon
        );
        assert_eq!(
            assess(due, false, date(2025, 11, 21), 5, &cal).status,
            DeadlineStatus::Upcoming
        );
        assert_eq!(
            serde_json::to_string(&DeadlineStatus::DueSoon).expect("json"),
            "\"due_soon\""
        );
    }

    #[test]
    fn adjust_constitution_day_saturday() {
        let cal = WorkCalendar::new();
        let a = cal.adjust_deadline(date(2025, 5, 17)).expect("in range");
        assert_eq!(a.date, date(2025, 5, 19));
        assert_eq!(a.original, date(2025, 5, 17));
        assert_eq!(
            a.moved,
            Some(ClosedReason::Holiday(HolidayKind::ConstitutionDay))
        );
        assert_eq!(
            a.explanation(Lang::En).as_deref(),
            Some("Moved from Saturday 2025-05-17 (Constitution Day) to Monday 2025-05-19.")
        );
        assert_eq!(
            a.explanation(Lang::Nb).as_deref(),
            Some("Flyttet fra lørdag 2025-05-17 (Grunnlovsdagen) til mandag 2025-05-19.")
        );
    }

    #[test]
    fn adjust_christmas_and_extra_days() {
        let cal = WorkCalendar::new();
        let a = cal.adjust_deadline(date(2025, 12, 25)).expect("in range");
        assert_eq!(a.date, date(2025, 12, 29));
        assert_eq!(
            a.moved,
            Some(ClosedReason::Holiday(HolidayKind::ChristmasDay))
        );
        // A working day stays.
        let same = cal.adjust_deadline(date(2025, 12, 23)).expect("in range");
        assert_eq!(same.date, date(2025, 12, 23));
        assert!(!same.was_moved());
        assert_eq!(same.explanation(Lang::En), None);
        // Plain weekend: no parenthesis.
        let weekend = cal.adjust_deadline(date(2025, 5, 24)).expect("in range");
        assert_eq!(
            weekend.explanation(Lang::En).as_deref(),
            Some("Moved from Saturday 2025-05-24 to Monday 2025-05-26.")
        );
        // Extra closed days: 24 Dec moves past Christmas, and 29 Dec closed
        // moves 25 Dec on to 30 Dec.
        let x = WorkCalendar::with_extra_closed([date(2025, 12, 24), date(2025, 12, 29)]);
        let eve = x.adjust_deadline(date(2025, 12, 24)).expect("in range");
        assert_eq!(eve.date, date(2025, 12, 30));
        assert_eq!(eve.moved, Some(ClosedReason::Extra));
        assert_eq!(
            eve.explanation(Lang::En).as_deref(),
            Some("Moved from Wednesday 2025-12-24 (extra closed day) to Tuesday 2025-12-30.")
        );
        assert_eq!(
            x.adjust_deadline(date(2025, 12, 25)).expect("ok").date,
            date(2025, 12, 30)
        );
    }

    #[test]
    fn deadline_end_across_dst() {
        // Spring forward 2025-03-30 02:00 -> 03:00: evening is +02:00.
        let spring = deadline_end(date(2025, 3, 30)).expect("valid");
        assert_eq!(spring.to_string(), "2025-03-30T23:59:59+02:00[Europe/Oslo]");
        // Fall back 2025-10-26 03:00 -> 02:00: evening is +01:00.
        let fall = deadline_end(date(2025, 10, 26)).expect("valid");
        assert_eq!(fall.to_string(), "2025-10-26T23:59:59+01:00[Europe/Oslo]");
        assert_eq!(
            fall.timestamp().to_string(),
            "2025-10-26T22:59:59Z",
            "UTC instant"
        );
        // The days before have the other offset.
        assert_eq!(
            deadline_end(date(2025, 3, 29))
                .expect("valid")
                .offset()
                .seconds(),
            3600
        );
        assert_eq!(
            deadline_end(date(2025, 10, 25))
                .expect("valid")
                .offset()
                .seconds(),
            7200
        );
    }
}
