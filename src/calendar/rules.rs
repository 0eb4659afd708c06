//! Consultation rules from Utredningsinstruksen: minimum windows and
//! holiday periods.

use std::fmt;
use std::str::FromStr;

use jiff::Span;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::Lang;
use super::deadline::AdjustedDeadline;
use super::error::CalendarError;
use super::format::weekday_name;
use super::holidays::easter_unchecked;
use super::workdays::{WorkCalendar, calendar_days_between};

/// The kind of a consultation round.
///
/// Serialized as `"framlegging"`, `"hoyring"` or `"innspill"`; when reading,
/// `"foreleggelse"`, `"høring"`, `"horing"` and `"høyring"` are accepted too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConsultationKind {
    /// Review by other ministries (foreleggelse): at least three weeks.
    #[serde(alias = "foreleggelse", alias = "forelegging")]
    Framlegging,
    /// Public consultation (høring): at least six weeks, normally three
    /// months.
    #[serde(alias = "høring", alias = "horing", alias = "høyring")]
    Hoyring,
    /// A request for input: no minimum window.
    #[serde(alias = "innspel")]
    Innspill,
}

impl ConsultationKind {
    /// All kinds.
    pub const ALL: [ConsultationKind; 3] = [
        ConsultationKind::Framlegging,
        ConsultationKind::Hoyring,
        ConsultationKind::Innspill,
    ];

    /// The stable code used in files and JSON: "framlegging", "hoyring",
    /// "innspill".
    pub fn code(self) -> &'static str {
        match self {
            ConsultationKind::Framlegging => "framlegging",
            ConsultationKind::Hoyring => "hoyring",
            ConsultationKind::Innspill => "innspill",
        }
    }

    /// The kind's name in the given language (lowercase), e.g. "høring"
    /// (nb), "høyring" (nn), "public consultation" (en).
    pub fn name(self, lang: Lang) -> &'static str {
        use ConsultationKind as K;
        match (lang, self) {
            (Lang::Nb, K::Framlegging) => "foreleggelse",
            (Lang::Nb, K::Hoyring) => "høring",
            (Lang::Nb, K::Innspill) => "innspill",
            (Lang::Nn, K::Framlegging) => "framlegging",
            (Lang::Nn, K::Hoyring) => "høyring",
            (Lang::Nn, K::Innspill) => "innspel",
            (Lang::En, K::Framlegging) => "interministerial review",
            (Lang::En, K::Hoyring) => "public consultation",
            (Lang::En, K::Innspill) => "request for input",
            (Lang::Da, K::Framlegging) => "forelæggelse",
            (Lang::Da, K::Hoyring) => "høring",
            (Lang::Da, K::Innspill) => "indspil",
        }
    }

    /// A round's obligation, short and in `lang`: "Svar på foreleggelse v1"; with
    /// `extended`, a party's own, extended deadline: "… (forlenget frist)". The party is
    /// the obligation's owner, which calendars and tables show before it ("Frist FIN:
    /// Svar på foreleggelse v1"), so it is not part of the title.
    pub fn answers_title(self, lang: Lang, version: impl fmt::Display, extended: bool) -> String {
        let answers = match lang {
            Lang::En => "Answers to",
            Lang::Nb | Lang::Nn | Lang::Da => "Svar på",
        };
        let mut title = format!("{answers} {} {version}", self.name(lang));
        if extended {
            let note = match lang {
                Lang::Nb => "forlenget frist",
                Lang::Nn => "forlengd frist",
                Lang::En => "extended",
                Lang::Da => "forlænget frist",
            };
            title.push_str(&format!(" ({note})"));
        }
        title
    }

    /// The shortest allowed window in calendar days from opening to
    /// deadline: 21 (three weeks) for framlegging, 42 (six weeks) for
    /// høring, none for innspill.
    pub fn minimum_window(self) -> Option<u32> {
        match self {
            ConsultationKind::Framlegging => Some(21),
            ConsultationKind::Hoyring => Some(42),
            ConsultationKind::Innspill => None,
        }
    }

    /// The normal window: three weeks for framlegging, three months for
    /// høring, none for innspill.
    pub fn normal_window(self) -> Option<Span> {
        match self {
            ConsultationKind::Framlegging => Some(Span::new().weeks(3)),
            ConsultationKind::Hoyring => Some(Span::new().months(3)),
            ConsultationKind::Innspill => None,
        }
    }

    /// The deadline given by the normal window when opening on `opened`
    /// (before any § 149 adjustment); `None` for innspill or past the end of
    /// representable dates. Høring from 2025-11-30 gives 2026-02-28.
    pub fn normal_due(self, opened: Date) -> Option<Date> {
        opened.checked_add(self.normal_window()?).ok()
    }
}

impl fmt::Display for ConsultationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for ConsultationKind {
    type Err = CalendarError;

    /// Case-insensitive; accepts the codes and the aliases "foreleggelse",
    /// "forelegging", "høring", "horing", "høyring" and "innspel".
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "framlegging" | "foreleggelse" | "forelegging" => Ok(ConsultationKind::Framlegging),
            "hoyring" | "høyring" | "høring" | "horing" => Ok(ConsultationKind::Hoyring),
            "innspill" | "innspel" => Ok(ConsultationKind::Innspill),
            _ => Err(CalendarError::UnknownConsultationKind {
                input: s.to_string(),
            }),
        }
    }
}

/// A holiday period in which a consultation window should be longer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HolidayPeriodKind {
    /// Maundy Thursday to Easter Monday.
    Easter,
    /// 1–31 July (the common summer holiday).
    July,
    /// 24 December to 1 January.
    Christmas,
}

impl HolidayPeriodKind {
    /// The period's name, e.g. "the Christmas holidays" (en), "julen" (nb).
    pub fn name(self, lang: Lang) -> &'static str {
        use HolidayPeriodKind as P;
        match (lang, self) {
            (Lang::Nb, P::Easter) => "påsken",
            (Lang::Nb | Lang::Nn, P::July) => "juli (fellesferien)",
            (Lang::Nb, P::Christmas) => "julen",
            (Lang::Nn, P::Easter) => "påska",
            (Lang::Nn, P::Christmas) => "jula",
            (Lang::En, P::Easter) => "the Easter holidays",
            (Lang::En, P::July) => "July (summer holidays)",
            (Lang::En, P::Christmas) => "the Christmas holidays",
            (Lang::Da, P::Easter) => "påsken",
            (Lang::Da, P::July) => "juli (sommerferien)",
            (Lang::Da, P::Christmas) => "julen",
        }
    }
}

/// One concrete holiday period, first and last day included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct HolidayPeriod {
    /// Which period.
    pub kind: HolidayPeriodKind,
    /// First day.
    pub start: Date,
    /// Last day.
    pub end: Date,
}

impl HolidayPeriod {
    /// Whether the period shares at least one day with `from..=to`.
    pub fn overlaps(&self, from: Date, to: Date) -> bool {
        self.start <= to && self.end >= from
    }
}

/// The holiday periods starting in `year`: Easter (Maundy Thursday to Easter
/// Monday), July, and Christmas (24 December to 1 January of the next year),
/// in that order.
pub fn holiday_periods(year: i16) -> Vec<HolidayPeriod> {
    let easter = easter_unchecked(year).and_then(|e| {
        Some(HolidayPeriod {
            kind: HolidayPeriodKind::Easter,
            start: e.checked_sub(Span::new().days(3)).ok()?,
            end: e.tomorrow().ok()?,
        })
    });
    let july = Date::new(year, 7, 1).ok().and_then(|start| {
        Some(HolidayPeriod {
            kind: HolidayPeriodKind::July,
            start,
            end: Date::new(year, 7, 31).ok()?,
        })
    });
    let christmas = Date::new(year, 12, 24).ok().and_then(|start| {
        Some(HolidayPeriod {
            kind: HolidayPeriodKind::Christmas,
            start,
            end: Date::new(year.checked_add(1)?, 1, 1).ok()?,
        })
    });
    [easter, july, christmas].into_iter().flatten().collect()
}

/// A window shorter than the kind's minimum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TooShort {
    /// The minimum window in calendar days.
    pub minimum_days: u32,
    /// The window as set, in calendar days.
    pub actual_days: i64,
    /// The earliest deadline that satisfies the minimum.
    pub earliest_allowed: Date,
}

/// The result of [`check_window`]. Problems are warnings for the user; the
/// structured fields let a UI show them in its own words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowCheck {
    /// The kind of consultation checked.
    pub kind: ConsultationKind,
    /// The opening date.
    pub opened: Date,
    /// The deadline as set.
    pub due: Date,
    /// Set when the window is shorter than the kind's minimum.
    pub too_short: Option<TooShort>,
    /// Holiday periods the window overlaps, in date order.
    pub spans: Vec<HolidayPeriod>,
    /// Set for a høring shorter than the normal three months (allowed, but
    /// Utredningsinstruksen asks for a reason).
    pub shorter_than_normal: bool,
    /// The deadline after domstolloven § 149 (moved off closed days).
    pub deadline: AdjustedDeadline,
}

impl WindowCheck {
    /// Whether the window meets the kind's minimum.
    pub fn is_ok(&self) -> bool {
        self.too_short.is_none()
    }

    /// Warnings in English, one sentence each (empty when all is well):
    /// a too short window, overlapped holiday periods, a høring below the
    /// normal three months, and a deadline moved off a closed day.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        let kind_name = format!(
            "{} ({})",
            self.kind.name(Lang::En),
            self.kind.name(Lang::Nb)
        );
        if let Some(t) = &self.too_short {
            out.push(format!(
                "A {kind_name} must be open for at least {} days ({} weeks), but {} to {} is only {} days. Move the deadline to {} or later.",
                t.minimum_days,
                t.minimum_days / 7,
                self.opened,
                self.due,
                t.actual_days,
                t.earliest_allowed
            ));
        }
        for p in &self.spans {
            out.push(format!(
                "The window {} to {} overlaps {} ({} to {}); consider a longer deadline so that those consulted get enough working time.",
                self.opened,
                self.due,
                p.kind.name(Lang::En),
                p.start,
                p.end
            ));
        }
        if self.shorter_than_normal && self.too_short.is_none() {
            out.push(format!(
                "A {kind_name} normally lasts three months; {} to {} is shorter, so the reason should be stated in the consultation letter.",
                self.opened, self.due
            ));
        }
        if let Some(reason) = self.deadline.moved {
            let detail = if reason.adds_to_weekday() {
                format!(" ({})", reason.label(Lang::En))
            } else {
                String::new()
            };
            out.push(format!(
                "The deadline falls on {} {}{detail}, which is not a working day; it moves to {} {}.",
                weekday_name(self.deadline.original, Lang::En),
                self.deadline.original,
                weekday_name(self.deadline.date, Lang::En),
                self.deadline.date
            ));
        }
        out
    }
}

/// Checks a consultation window from `opened` to `due` against
/// Utredningsinstruksen: the minimum window for `kind` (21 days for
/// framlegging, 42 for høring, none for innspill), the holiday periods it
/// overlaps (Easter, July, Christmas), whether a høring is shorter than the
/// normal three months, and where the deadline lands after § 149.
///
/// # Errors
///
/// [`CalendarError::DueBeforeOpened`] when `due < opened`;
/// [`CalendarError::DateOutOfRange`] at the end of representable dates.
pub fn check_window(
    opened: Date,
    due: Date,
    kind: ConsultationKind,
    cal: &WorkCalendar,
) -> Result<WindowCheck, CalendarError> {
    if due < opened {
        return Err(CalendarError::DueBeforeOpened { opened, due });
    }
    let actual_days = calendar_days_between(opened, due);
    let too_short = match kind.minimum_window() {
        Some(minimum_days) if actual_days < i64::from(minimum_days) => Some(TooShort {
            minimum_days,
            actual_days,
            earliest_allowed: opened
                .checked_add(Span::new().days(minimum_days))
                .map_err(|_| CalendarError::DateOutOfRange { start: opened })?,
        }),
        _ => None,
    };
    let mut spans = Vec::new();
    let first_year = opened.year().saturating_sub(1);
    for year in first_year..=due.year() {
        spans.extend(
            holiday_periods(year)
                .into_iter()
                .filter(|p| p.overlaps(opened, due)),
        );
    }
    let shorter_than_normal = kind == ConsultationKind::Hoyring
        && kind.normal_due(opened).is_some_and(|normal| due < normal);
    Ok(WindowCheck {
        kind,
        opened,
        due,
        too_short,
        spans,
        shorter_than_normal,
        deadline: cal.adjust_deadline(due)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn days_after(d: Date, n: i64) -> Date {
        d.checked_add(Span::new().days(n)).expect("in range")
    }

    #[test]
    fn kinds_parse_and_serialize() {
        use ConsultationKind as K;
        for (text, kind) in [
            ("framlegging", K::Framlegging),
            ("Foreleggelse", K::Framlegging),
            ("hoyring", K::Hoyring),
            ("høring", K::Hoyring),
            ("HØRING", K::Hoyring),
            ("horing", K::Hoyring),
            ("innspill", K::Innspill),
        ] {
            assert_eq!(text.parse::<K>(), Ok(kind), "{text}");
        }
        let msg = "survey".parse::<K>().expect_err("unknown").to_string();
        assert!(msg.starts_with("\"survey\""), "{msg}");
        assert!(
            msg.contains("framlegging") && msg.contains("høring"),
            "{msg}"
        );
        assert_eq!(
            serde_json::to_string(&K::Hoyring).expect("json"),
            "\"hoyring\""
        );
        let k: K = serde_json::from_str("\"høring\"").expect("alias");
        assert_eq!(k, K::Hoyring);
        assert_eq!(K::Framlegging.minimum_window(), Some(21));
        assert_eq!(K::Hoyring.minimum_window(), Some(42));
        assert_eq!(K::Innspill.minimum_window(), None);
        assert_eq!(
            K::Hoyring.normal_due(date(2025, 11, 30)),
            Some(date(2026, 2, 28))
        );
        assert_eq!(
            K::Framlegging.normal_due(date(2025, 11, 3)),
            Some(date(2025, 11, 24))
        );
        assert_eq!(K::Innspill.normal_due(date(2025, 11, 3)), None);
    }

    #[test]
    fn framlegging_20_days_refused_21_ok() {
        let cal = WorkCalendar::new();
        let opened = date(2025, 9, 1);
        let short = check_window(
            opened,
            days_after(opened, 20),
            ConsultationKind::Framlegging,
            &cal,
        )
        .expect("valid window");
        assert!(!short.is_ok());
        assert_eq!(
            short.too_short,
            Some(TooShort {
                minimum_days: 21,
                actual_days: 20,
                earliest_allowed: date(2025, 9, 22),
            })
        );
        let warning = &short.warnings()[0];
        assert!(warning.contains("at least 21 days (3 weeks)"), "{warning}");
        assert!(
            warning.contains("Move the deadline to 2025-09-22 or later"),
            "{warning}"
        );
        let ok = check_window(
            opened,
            days_after(opened, 21),
            ConsultationKind::Framlegging,
            &cal,
        )
        .expect("valid window");
        assert!(ok.is_ok());
        assert!(ok.spans.is_empty());
        assert!(ok.warnings().is_empty(), "{:?}", ok.warnings());
    }

    #[test]
    fn hoyring_41_days_too_short() {
        let cal = WorkCalendar::new();
        let opened = date(2025, 9, 1);
        let c = check_window(
            opened,
            days_after(opened, 41),
            ConsultationKind::Hoyring,
            &cal,
        )
        .expect("valid window");
        let t = c.too_short.expect("too short");
        assert_eq!((t.minimum_days, t.actual_days), (42, 41));
        assert_eq!(t.earliest_allowed, date(2025, 10, 13));
        let ok = check_window(
            opened,
            days_after(opened, 42),
            ConsultationKind::Hoyring,
            &cal,
        )
        .expect("valid window");
        assert!(ok.is_ok());
        assert!(ok.shorter_than_normal);
        assert!(ok.warnings()[0].contains("normally lasts three months"));
        let normal = check_window(opened, date(2025, 12, 1), ConsultationKind::Hoyring, &cal)
            .expect("valid window");
        assert!(!normal.shorter_than_normal);
        // Innspill has no minimum.
        let quick = check_window(opened, opened, ConsultationKind::Innspill, &cal).expect("ok");
        assert!(quick.is_ok());
    }

    #[test]
    fn window_spanning_christmas() {
        let cal = WorkCalendar::new();
        let c = check_window(
            date(2025, 12, 1),
            date(2026, 1, 5),
            ConsultationKind::Framlegging,
            &cal,
        )
        .expect("valid window");
        assert!(c.is_ok());
        assert_eq!(
            c.spans,
            vec![HolidayPeriod {
                kind: HolidayPeriodKind::Christmas,
                start: date(2025, 12, 24),
                end: date(2026, 1, 1),
            }]
        );
        let w = c.warnings();
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].contains("the Christmas holidays (2025-12-24 to 2026-01-01)"),
            "{}",
            w[0]
        );
        assert!(w[0].contains("longer deadline"));
    }

    #[test]
    fn easter_and_july_spans_and_moved_deadline() {
        let cal = WorkCalendar::new();
        // 2026: Easter period 2 to 6 April; the deadline 2026-07-04 is a
        // Saturday.
        let c = check_window(
            date(2026, 3, 20),
            date(2026, 7, 4),
            ConsultationKind::Hoyring,
            &cal,
        )
        .expect("valid window");
        let kinds: Vec<HolidayPeriodKind> = c.spans.iter().map(|p| p.kind).collect();
        assert_eq!(
            kinds,
            vec![HolidayPeriodKind::Easter, HolidayPeriodKind::July]
        );
        assert_eq!(c.spans[0].start, date(2026, 4, 2));
        assert_eq!(c.spans[0].end, date(2026, 4, 6));
        assert_eq!(c.deadline.date, date(2026, 7, 6));
        let w = c.warnings();
        assert!(
            w.iter()
                .any(|s| s.contains("falls on Saturday 2026-07-04")
                    && s.contains("Monday 2026-07-06")),
            "{w:?}"
        );
        // A window touching only 1 January still overlaps Christmas.
        let jan = check_window(
            date(2026, 1, 1),
            date(2026, 2, 1),
            ConsultationKind::Innspill,
            &cal,
        )
        .expect("ok");
        assert_eq!(jan.spans.len(), 1);
        assert_eq!(jan.spans[0].start, date(2025, 12, 24));
    }

    #[test]
    fn due_before_opened_is_an_error() {
        let cal = WorkCalendar::new();
        let err = check_window(
            date(2025, 12, 1),
            date(2025, 11, 30),
            ConsultationKind::Hoyring,
            &cal,
        )
        .expect_err("backwards");
        assert_eq!(
            err.to_string(),
            "The deadline 2025-11-30 is before the opening date 2025-12-01. Set a deadline on or after 2025-12-01, or correct the opening date."
        );
    }
}
