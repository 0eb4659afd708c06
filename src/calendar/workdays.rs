//! Working days: weekends, public holidays and extra closed days.

use std::collections::BTreeSet;

use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};

use super::Lang;
use super::error::CalendarError;
use super::format::weekday_name_of;
use super::holidays::{HolidayKind, holiday_on};

/// Why a day is not a working day.
///
/// When several reasons apply, the most specific one is reported: a public
/// holiday first, then an extra closed day, then the weekend. So Saturday
/// 2025-05-17 is `Holiday(ConstitutionDay)`.
///
/// JSON: `{"kind":"saturday"}`, `{"kind":"holiday","holiday":"constitution_day"}`,
/// `{"kind":"extra"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "holiday", rename_all = "snake_case")]
pub enum ClosedReason {
    /// A Saturday that is not a holiday or extra closed day.
    Saturday,
    /// A Sunday that is not a holiday or extra closed day.
    Sunday,
    /// A public holiday.
    Holiday(HolidayKind),
    /// A day closed by the workspace's own configuration (for example
    /// Christmas Eve).
    Extra,
}

impl ClosedReason {
    /// A short label: the weekday for weekends, the holiday's name, or
    /// "extra closed day" (translated). In lowercase, except for holiday
    /// names and English weekdays.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            ClosedReason::Saturday => weekday_name_of(Weekday::Saturday, lang),
            ClosedReason::Sunday => weekday_name_of(Weekday::Sunday, lang),
            ClosedReason::Holiday(kind) => kind.name(lang),
            ClosedReason::Extra => match lang {
                Lang::Nb | Lang::Nn => "ekstra fridag",
                Lang::En => "extra closed day",
                Lang::Da => "ekstra lukkedag",
            },
        }
    }

    /// Whether the label says more than the weekday name does (true for
    /// holidays and extra closed days), so a UI can write
    /// "Saturday 2025-05-17 (Constitution Day)" but just "Saturday 2025-05-24".
    pub fn adds_to_weekday(self) -> bool {
        matches!(self, ClosedReason::Holiday(_) | ClosedReason::Extra)
    }
}

/// Signed number of calendar days from `from` to `to` (negative when `to`
/// is earlier). 2025-11-28 → 2025-12-01 is 3.
pub fn calendar_days_between(from: Date, to: Date) -> i64 {
    from.duration_until(to).as_secs().div_euclid(86_400)
}

/// Which days are working days: Monday–Friday except Norwegian public
/// holidays and the workspace's extra closed days.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkCalendar {
    /// Extra closed days configured for the workspace, for example
    /// Christmas Eve or New Year's Eve.
    #[serde(default)]
    pub extra_closed: BTreeSet<Date>,
}

impl WorkCalendar {
    /// A calendar with only weekends and public holidays closed.
    pub fn new() -> Self {
        Self::default()
    }

    /// A calendar that also closes the given days.
    pub fn with_extra_closed<I: IntoIterator<Item = Date>>(dates: I) -> Self {
        Self {
            extra_closed: dates.into_iter().collect(),
        }
    }

    /// Why `date` is closed, or `None` if it is a working day.
    pub fn closed_reason(&self, date: Date) -> Option<ClosedReason> {
        if let Some(kind) = holiday_on(date) {
            return Some(ClosedReason::Holiday(kind));
        }
        if self.extra_closed.contains(&date) {
            return Some(ClosedReason::Extra);
        }
        match date.weekday() {
            Weekday::Saturday => Some(ClosedReason::Saturday),
            Weekday::Sunday => Some(ClosedReason::Sunday),
            _ => None,
        }
    }

    /// Whether `date` is a working day.
    pub fn is_working_day(&self, date: Date) -> bool {
        self.closed_reason(date).is_none()
    }

    /// `date` itself if it is a working day, otherwise the next working day.
    ///
    /// # Errors
    ///
    /// [`CalendarError::DateOutOfRange`] at the end of representable dates.
    pub fn working_day_on_or_after(&self, date: Date) -> Result<Date, CalendarError> {
        let mut d = date;
        while !self.is_working_day(d) {
            d = d
                .tomorrow()
                .map_err(|_| CalendarError::DateOutOfRange { start: date })?;
        }
        Ok(d)
    }

    /// The date `n` working days after `date` ("15 working days from
    /// 3 November": counting starts the day after). A negative `n` counts
    /// backwards ("10 working days before 2025-12-01"). `n == 0` returns
    /// `date` unchanged, even if it is closed.
    ///
    /// # Errors
    ///
    /// [`CalendarError::DateOutOfRange`] if the count runs past the dates
    /// that can be represented.
    pub fn add_working_days(&self, date: Date, n: i32) -> Result<Date, CalendarError> {
        let forward = n >= 0;
        let mut remaining = n.unsigned_abs();
        let mut d = date;
        while remaining > 0 {
            let next = if forward { d.tomorrow() } else { d.yesterday() };
            d = next.map_err(|_| CalendarError::DateOutOfRange { start: date })?;
            if self.is_working_day(d) {
                remaining -= 1;
            }
        }
        Ok(d)
    }

    /// Signed number of working days after `from` up to and including `to`.
    ///
    /// From Friday 2025-11-28 to Monday 2025-12-01 is 1 ("due in 1 working
    /// day"); from 2025-12-02 to 2025-12-01 is -1; equal dates give 0.
    pub fn working_days_between(&self, from: Date, to: Date) -> i32 {
        let (lo, hi, sign) = if to >= from {
            (from, to, 1)
        } else {
            (to, from, -1)
        };
        let mut count: i32 = 0;
        let mut d = lo;
        while d < hi {
            match d.tomorrow() {
                Ok(next) => d = next,
                Err(_) => break,
            }
            if self.is_working_day(d) {
                count = count.saturating_add(1);
            }
        }
        sign * count
    }

    /// Signed number of calendar days from `from` to `to`; the same as the
    /// free function [`calendar_days_between`].
    pub fn calendar_days_between(&self, from: Date, to: Date) -> i64 {
        calendar_days_between(from, to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn cal() -> WorkCalendar {
        WorkCalendar::new()
    }

    #[test]
    fn closed_reasons() {
        let c = cal();
        assert_eq!(
            c.closed_reason(date(2025, 11, 29)),
            Some(ClosedReason::Saturday)
        );
        assert_eq!(
            c.closed_reason(date(2025, 11, 30)),
            Some(ClosedReason::Sunday)
        );
        assert_eq!(c.closed_reason(date(2025, 12, 1)), None);
        assert_eq!(
            c.closed_reason(date(2025, 5, 17)),
            Some(ClosedReason::Holiday(HolidayKind::ConstitutionDay))
        );
        let x = WorkCalendar::with_extra_closed([date(2025, 12, 24)]);
        assert_eq!(
            x.closed_reason(date(2025, 12, 24)),
            Some(ClosedReason::Extra)
        );
        assert!(c.is_working_day(date(2025, 12, 24)));
        assert!(!x.is_working_day(date(2025, 12, 24)));
    }

    #[test]
    fn reference_case_counts() {
        let c = cal();
        assert_eq!(
            c.working_days_between(date(2025, 11, 28), date(2025, 12, 1)),
            1
        );
        assert_eq!(
            c.working_days_between(date(2025, 12, 2), date(2025, 12, 1)),
            -1
        );
        assert_eq!(
            c.working_days_between(date(2025, 12, 1), date(2025, 12, 1)),
            0
        );
        assert_eq!(
            c.calendar_days_between(date(2025, 11, 28), date(2025, 12, 1)),
            3
        );
        assert_eq!(
            calendar_days_between(date(2025, 12, 2), date(2025, 12, 1)),
            -1
        );
    }

    #[test]
    fn add_working_days_across_christmas() {
        let c = cal();
        // Fri 19 Dec 2025 + 5: Mon 22, Tue 23, Wed 24, (25, 26 holidays,
        // 27-28 weekend) Mon 29, Tue 30.
        assert_eq!(
            c.add_working_days(date(2025, 12, 19), 5),
            Ok(date(2025, 12, 30))
        );
        // With Christmas Eve and New Year's Eve closed: 22, 23, 29, 30, 2 Jan.
        let x = WorkCalendar::with_extra_closed([date(2025, 12, 24), date(2025, 12, 31)]);
        assert_eq!(
            x.add_working_days(date(2025, 12, 19), 5),
            Ok(date(2026, 1, 2))
        );
        assert_eq!(
            c.working_days_between(date(2025, 12, 19), date(2025, 12, 30)),
            5
        );
        assert_eq!(
            x.working_days_between(date(2025, 12, 19), date(2026, 1, 2)),
            5
        );
    }

    #[test]
    fn add_working_days_across_easter() {
        let c = cal();
        // Wed 16 Apr 2025 + 1: Thu 17 (Maundy), Fri 18 (Good Friday),
        // weekend, Mon 21 (Easter Monday) closed -> Tue 22.
        assert_eq!(
            c.add_working_days(date(2025, 4, 16), 1),
            Ok(date(2025, 4, 22))
        );
        assert_eq!(
            c.add_working_days(date(2025, 4, 22), -1),
            Ok(date(2025, 4, 16))
        );
        assert_eq!(
            c.working_days_between(date(2025, 4, 11), date(2025, 4, 25)),
            7
        );
    }

    #[test]
    fn add_working_days_across_may_holidays() {
        let c = cal();
        // 2026: 1 May Friday, 14 May Ascension (Thu), 17 May Sunday,
        // 25 May Whit Monday.
        assert_eq!(
            c.add_working_days(date(2026, 4, 30), 1),
            Ok(date(2026, 5, 4))
        );
        assert_eq!(
            c.add_working_days(date(2026, 5, 13), 1),
            Ok(date(2026, 5, 15))
        );
        assert_eq!(
            c.add_working_days(date(2026, 5, 22), 1),
            Ok(date(2026, 5, 26))
        );
        // 2025: 17 May Saturday (no weekday lost), Ascension Thu 29 May,
        // Whit Monday 9 June. 16 May + 10 working days:
        // 19,20,21,22,23,26,27,28,30 May, 2 June.
        assert_eq!(
            c.add_working_days(date(2025, 5, 16), 10),
            Ok(date(2025, 6, 2))
        );
        // 2027: 17 May is a Monday.
        assert_eq!(
            c.add_working_days(date(2027, 5, 14), 1),
            Ok(date(2027, 5, 18))
        );
        // 5 June 2025 + 3: Fri 6, (Mon 9 Whit Monday) Tue 10, Wed 11.
        assert_eq!(
            c.add_working_days(date(2025, 6, 5), 3),
            Ok(date(2025, 6, 11))
        );
    }

    #[test]
    fn backwards_and_zero() {
        let c = cal();
        // 10 working days before Mon 2025-12-01: 28,27,26,25,24,21,20,19,18,17 Nov.
        assert_eq!(
            c.add_working_days(date(2025, 12, 1), -10),
            Ok(date(2025, 11, 17))
        );
        // 15 working days from Mon 3 Nov 2025.
        assert_eq!(
            c.add_working_days(date(2025, 11, 3), 15),
            Ok(date(2025, 11, 24))
        );
        assert_eq!(
            c.add_working_days(date(2025, 11, 29), 0),
            Ok(date(2025, 11, 29))
        );
        // Round trip over a year boundary.
        let start = date(2025, 12, 15);
        for n in [-40, -7, -1, 1, 7, 40] {
            let end = c.add_working_days(start, n).expect("in range");
            assert_eq!(c.working_days_between(start, end), n, "n={n}");
        }
    }

    #[test]
    fn out_of_range_is_an_error() {
        let c = cal();
        let err = c
            .add_working_days(date(9999, 12, 30), 5)
            .expect_err("past the end");
        assert_eq!(
            err,
            CalendarError::DateOutOfRange {
                start: date(9999, 12, 30)
            }
        );
    }

    #[test]
    fn serde_shapes() {
        let r = ClosedReason::Holiday(HolidayKind::ConstitutionDay);
        assert_eq!(
            serde_json::to_string(&r).expect("json"),
            r#"{"kind":"holiday","holiday":"constitution_day"}"#
        );
        assert_eq!(
            serde_json::to_string(&ClosedReason::Saturday).expect("json"),
            r#"{"kind":"saturday"}"#
        );
        let c: WorkCalendar =
            serde_json::from_str(r#"{"extra_closed":["2025-12-24"]}"#).expect("json");
        assert!(c.extra_closed.contains(&date(2025, 12, 24)));
        let empty: WorkCalendar = serde_json::from_str("{}").expect("json");
        assert!(empty.extra_closed.is_empty());
    }
}
