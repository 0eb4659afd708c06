//! Norwegian public holidays ("helligdager og offentlige høytidsdager").

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::Lang;
use super::error::CalendarError;
use super::workdays::calendar_days_between;

/// The first year for which [`holidays`] and [`easter_sunday`] answer.
pub const FIRST_SUPPORTED_YEAR: i16 = 1900;
/// The last year for which [`holidays`] and [`easter_sunday`] answer.
pub const LAST_SUPPORTED_YEAR: i16 = 2200;

/// A Norwegian public holiday.
///
/// Serialized in snake_case, for example `"constitution_day"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HolidayKind {
    /// 1 January.
    NewYearsDay,
    /// The Thursday before Easter (Easter Sunday − 3 days).
    MaundyThursday,
    /// The Friday before Easter (Easter Sunday − 2 days).
    GoodFriday,
    /// Easter Sunday.
    EasterSunday,
    /// Easter Sunday + 1 day.
    EasterMonday,
    /// 1 May (public holiday by law since 1947).
    LabourDay,
    /// 17 May (public holiday by law since 1947).
    ConstitutionDay,
    /// Easter Sunday + 39 days.
    AscensionDay,
    /// Easter Sunday + 49 days.
    WhitSunday,
    /// Easter Sunday + 50 days.
    WhitMonday,
    /// 25 December.
    ChristmasDay,
    /// 26 December.
    BoxingDay,
}

impl HolidayKind {
    /// All holidays in calendar order.
    pub const ALL: [HolidayKind; 12] = [
        HolidayKind::NewYearsDay,
        HolidayKind::MaundyThursday,
        HolidayKind::GoodFriday,
        HolidayKind::EasterSunday,
        HolidayKind::EasterMonday,
        HolidayKind::LabourDay,
        HolidayKind::ConstitutionDay,
        HolidayKind::AscensionDay,
        HolidayKind::WhitSunday,
        HolidayKind::WhitMonday,
        HolidayKind::ChristmasDay,
        HolidayKind::BoxingDay,
    ];

    /// The holiday's name in the given language, capitalized, for example
    /// "Grunnlovsdagen" (nb) or "Constitution Day" (en).
    pub fn name(self, lang: Lang) -> &'static str {
        use HolidayKind as H;
        match lang {
            Lang::Nb => match self {
                H::NewYearsDay => "Første nyttårsdag",
                H::MaundyThursday => "Skjærtorsdag",
                H::GoodFriday => "Langfredag",
                H::EasterSunday => "Første påskedag",
                H::EasterMonday => "Andre påskedag",
                H::LabourDay => "Arbeidernes dag",
                H::ConstitutionDay => "Grunnlovsdagen",
                H::AscensionDay => "Kristi himmelfartsdag",
                H::WhitSunday => "Første pinsedag",
                H::WhitMonday => "Andre pinsedag",
                H::ChristmasDay => "Første juledag",
                H::BoxingDay => "Andre juledag",
            },
            Lang::Nn => match self {
                H::NewYearsDay => "Første nyttårsdag",
                H::MaundyThursday => "Skjærtorsdag",
                H::GoodFriday => "Langfredag",
                H::EasterSunday => "Første påskedag",
                H::EasterMonday => "Andre påskedag",
                H::LabourDay => "Arbeidarane sin dag",
                H::ConstitutionDay => "Grunnlovsdagen",
                H::AscensionDay => "Kristi himmelfartsdag",
                H::WhitSunday => "Første pinsedag",
                H::WhitMonday => "Andre pinsedag",
                H::ChristmasDay => "Første juledag",
                H::BoxingDay => "Andre juledag",
            },
            Lang::En => match self {
                H::NewYearsDay => "New Year's Day",
                H::MaundyThursday => "Maundy Thursday",
                H::GoodFriday => "Good Friday",
                H::EasterSunday => "Easter Sunday",
                H::EasterMonday => "Easter Monday",
                H::LabourDay => "Labour Day",
                H::ConstitutionDay => "Constitution Day",
                H::AscensionDay => "Ascension Day",
                H::WhitSunday => "Whit Sunday",
                H::WhitMonday => "Whit Monday",
                H::ChristmasDay => "Christmas Day",
                H::BoxingDay => "Boxing Day",
            },
            Lang::Da => match self {
                H::NewYearsDay => "Nytårsdag",
                H::MaundyThursday => "Skærtorsdag",
                H::GoodFriday => "Langfredag",
                H::EasterSunday => "Påskedag",
                H::EasterMonday => "2. påskedag",
                H::LabourDay => "Arbejdernes kampdag",
                H::ConstitutionDay => "Grundlovsdag",
                H::AscensionDay => "Kristi himmelfartsdag",
                H::WhitSunday => "Pinsedag",
                H::WhitMonday => "2. pinsedag",
                H::ChristmasDay => "Juledag",
                H::BoxingDay => "2. juledag",
            },
        }
    }

    /// Days after Easter Sunday for movable holidays; `None` for fixed ones.
    fn easter_offset(self) -> Option<i64> {
        match self {
            HolidayKind::MaundyThursday => Some(-3),
            HolidayKind::GoodFriday => Some(-2),
            HolidayKind::EasterSunday => Some(0),
            HolidayKind::EasterMonday => Some(1),
            HolidayKind::AscensionDay => Some(39),
            HolidayKind::WhitSunday => Some(49),
            HolidayKind::WhitMonday => Some(50),
            _ => None,
        }
    }

    /// Month and day for fixed holidays; `None` for movable ones.
    fn fixed_date(self) -> Option<(i8, i8)> {
        match self {
            HolidayKind::NewYearsDay => Some((1, 1)),
            HolidayKind::LabourDay => Some((5, 1)),
            HolidayKind::ConstitutionDay => Some((5, 17)),
            HolidayKind::ChristmasDay => Some((12, 25)),
            HolidayKind::BoxingDay => Some((12, 26)),
            _ => None,
        }
    }
}

/// One public holiday in a given year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Holiday {
    /// The day of the holiday.
    pub date: Date,
    /// Which holiday it is.
    pub kind: HolidayKind,
}

fn check_year(year: i16) -> Result<(), CalendarError> {
    if (FIRST_SUPPORTED_YEAR..=LAST_SUPPORTED_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(CalendarError::UnsupportedYear {
            year: i32::from(year),
        })
    }
}

/// Easter Sunday by the Anonymous Gregorian (Meeus/Jones/Butcher)
/// algorithm, for any year a [`Date`] can hold. `None` only if the result is
/// not a representable date (never for years jiff supports).
pub(super) fn easter_unchecked(year: i16) -> Option<Date> {
    let y = i32::from(year);
    let a = y.rem_euclid(19);
    let b = y.div_euclid(100);
    let c = y.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let n = h + l - 7 * m + 114;
    let month = i8::try_from(n.div_euclid(31)).ok()?;
    let day = i8::try_from(n.rem_euclid(31) + 1).ok()?;
    Date::new(year, month, day).ok()
}

/// Easter Sunday of `year` (Gregorian calendar).
///
/// # Errors
///
/// [`CalendarError::UnsupportedYear`] outside 1900–2200.
pub fn easter_sunday(year: i16) -> Result<Date, CalendarError> {
    check_year(year)?;
    easter_unchecked(year).ok_or(CalendarError::UnsupportedYear {
        year: i32::from(year),
    })
}

/// All holidays of a year for any year a [`Date`] can hold, in date order.
pub(super) fn holidays_unchecked(year: i16) -> Vec<Holiday> {
    let easter = easter_unchecked(year);
    let mut out: Vec<Holiday> = HolidayKind::ALL
        .iter()
        .filter_map(|&kind| {
            let date = match (kind.fixed_date(), kind.easter_offset()) {
                (Some((m, d)), _) => Date::new(year, m, d).ok()?,
                (None, Some(offset)) => easter?
                    .checked_add(jiff::Span::new().try_days(offset).ok()?)
                    .ok()?,
                (None, None) => return None,
            };
            Some(Holiday { date, kind })
        })
        .collect();
    out.sort();
    out
}

/// The Norwegian public holidays of `year`, in date order: New Year's Day,
/// Maundy Thursday, Good Friday, Easter Sunday, Easter Monday, 1 May,
/// 17 May, Ascension Day, Whit Sunday, Whit Monday, Christmas Day and
/// Boxing Day.
///
/// The current rules are applied to every year (1 and 17 May have been
/// public holidays by law only since 1947). Sundays are closed anyway, so
/// Easter Sunday and Whit Sunday change no working-day counts.
///
/// # Errors
///
/// [`CalendarError::UnsupportedYear`] outside 1900–2200.
pub fn holidays(year: i16) -> Result<Vec<Holiday>, CalendarError> {
    check_year(year)?;
    Ok(holidays_unchecked(year))
}

/// The public holiday falling on `date`, if any.
///
/// Works for every date (the rules of [`holidays`] are applied to any year),
/// so working-day arithmetic never fails because of the year.
pub fn holiday_on(date: Date) -> Option<HolidayKind> {
    let fixed = HolidayKind::ALL
        .iter()
        .copied()
        .find(|k| k.fixed_date() == Some((date.month(), date.day())));
    if fixed.is_some() {
        return fixed;
    }
    // Movable holidays fall between 19 March and 14 June.
    if !(3..=6).contains(&date.month()) {
        return None;
    }
    let easter = easter_unchecked(date.year())?;
    let offset = calendar_days_between(easter, date);
    HolidayKind::ALL
        .iter()
        .copied()
        .find(|k| k.easter_offset() == Some(offset))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    /// Easter Sunday 2000–2050 as (year, month, day), generated with
    /// Python's `dateutil.easter.easter(y)` (python-dateutil 2.9.0), an
    /// independent implementation; not computed with this module.
    const EASTER_2000_2050: [(i16, i8, i8); 51] = [
        (2000, 4, 23),
        (2001, 4, 15),
        (2002, 3, 31),
        (2003, 4, 20),
        (2004, 4, 11),
        (2005, 3, 27),
        (2006, 4, 16),
        (2007, 4, 8),
        (2008, 3, 23),
        (2009, 4, 12),
        (2010, 4, 4),
        (2011, 4, 24),
        (2012, 4, 8),
        (2013, 3, 31),
        (2014, 4, 20),
        (2015, 4, 5),
        (2016, 3, 27),
        (2017, 4, 16),
        (2018, 4, 1),
        (2019, 4, 21),
        (2020, 4, 12),
        (2021, 4, 4),
        (2022, 4, 17),
        (2023, 4, 9),
        (2024, 3, 31),
        (2025, 4, 20),
        (2026, 4, 5),
        (2027, 3, 28),
        (2028, 4, 16),
        (2029, 4, 1),
        (2030, 4, 21),
        (2031, 4, 13),
        (2032, 3, 28),
        (2033, 4, 17),
        (2034, 4, 9),
        (2035, 3, 25),
        (2036, 4, 13),
        (2037, 4, 5),
        (2038, 4, 25),
        (2039, 4, 10),
        (2040, 4, 1),
        (2041, 4, 21),
        (2042, 4, 6),
        (2043, 3, 29),
        (2044, 4, 17),
        (2045, 4, 9),
        (2046, 3, 25),
        (2047, 4, 14),
        (2048, 4, 5),
        (2049, 4, 18),
        (2050, 4, 10),
    ];

    #[test]
    fn easter_matches_dateutil_table_2000_2050() {
        for (y, m, d) in EASTER_2000_2050 {
            assert_eq!(easter_sunday(y), Ok(date(y, m, d)), "Easter {y}");
        }
    }

    #[test]
    fn easter_extremes_of_supported_range() {
        // Well-known values: 1900-04-15, 2200-04-06; also the earliest and
        // latest possible Easter dates in the range.
        assert_eq!(easter_sunday(1900), Ok(date(1900, 4, 15)));
        assert_eq!(easter_sunday(2200), Ok(date(2200, 4, 6)));
        assert_eq!(easter_sunday(2008), Ok(date(2008, 3, 23)));
        assert_eq!(easter_sunday(1943), Ok(date(1943, 4, 25)));
        for y in FIRST_SUPPORTED_YEAR..=LAST_SUPPORTED_YEAR {
            let e = easter_sunday(y).expect("supported year");
            assert_eq!(e.weekday(), jiff::civil::Weekday::Sunday, "{y}");
            assert!(e >= date(y, 3, 22) && e <= date(y, 4, 25), "{y}: {e}");
        }
    }

    #[test]
    fn years_outside_range_are_refused() {
        assert_eq!(
            holidays(1899),
            Err(CalendarError::UnsupportedYear { year: 1899 })
        );
        let msg = easter_sunday(2201).expect_err("2201").to_string();
        assert!(
            msg.contains("2201") && msg.contains("1900 to 2200"),
            "{msg}"
        );
    }

    #[test]
    fn holidays_2025_exact() {
        use HolidayKind as H;
        let expected = vec![
            (date(2025, 1, 1), H::NewYearsDay),
            (date(2025, 4, 17), H::MaundyThursday),
            (date(2025, 4, 18), H::GoodFriday),
            (date(2025, 4, 20), H::EasterSunday),
            (date(2025, 4, 21), H::EasterMonday),
            (date(2025, 5, 1), H::LabourDay),
            (date(2025, 5, 17), H::ConstitutionDay),
            (date(2025, 5, 29), H::AscensionDay),
            (date(2025, 6, 8), H::WhitSunday),
            (date(2025, 6, 9), H::WhitMonday),
            (date(2025, 12, 25), H::ChristmasDay),
            (date(2025, 12, 26), H::BoxingDay),
        ];
        let got: Vec<(Date, HolidayKind)> = holidays(2025)
            .expect("2025")
            .into_iter()
            .map(|h| (h.date, h.kind))
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn holidays_2026_and_2024_movable() {
        use HolidayKind as H;
        let pick = |y: i16| -> Vec<Date> {
            holidays(y)
                .expect("supported")
                .into_iter()
                .filter(|h| h.kind.easter_offset().is_some())
                .map(|h| h.date)
                .collect()
        };
        // 2026: Easter 5 April.
        assert_eq!(
            pick(2026),
            vec![
                date(2026, 4, 2),
                date(2026, 4, 3),
                date(2026, 4, 5),
                date(2026, 4, 6),
                date(2026, 5, 14),
                date(2026, 5, 24),
                date(2026, 5, 25),
            ]
        );
        // 2024: Easter 31 March, so Maundy Thursday is 28 March and
        // Ascension Day 9 May.
        assert_eq!(pick(2024)[0], date(2024, 3, 28));
        assert_eq!(holiday_on(date(2024, 5, 9)), Some(H::AscensionDay));
        assert_eq!(holiday_on(date(2024, 5, 20)), Some(H::WhitMonday));
        // 2038 has the latest possible Easter (25 April): Whit Monday 14 June.
        assert_eq!(holiday_on(date(2038, 6, 14)), Some(H::WhitMonday));
    }

    #[test]
    fn holiday_on_agrees_with_holidays_every_day() {
        for y in [1900_i16, 1999, 2025, 2038, 2200] {
            let list = holidays(y).expect("supported");
            let mut d = date(y, 1, 1);
            while d.year() == y {
                let expected = list.iter().find(|h| h.date == d).map(|h| h.kind);
                assert_eq!(holiday_on(d), expected, "{d}");
                d = d.tomorrow().expect("in range");
            }
        }
    }

    #[test]
    fn names_in_all_languages() {
        assert_eq!(
            HolidayKind::ConstitutionDay.name(Lang::Nb),
            "Grunnlovsdagen"
        );
        assert_eq!(
            HolidayKind::ConstitutionDay.name(Lang::En),
            "Constitution Day"
        );
        assert_eq!(HolidayKind::MaundyThursday.name(Lang::Nn), "Skjærtorsdag");
        assert_eq!(HolidayKind::WhitMonday.name(Lang::Da), "2. pinsedag");
        for k in HolidayKind::ALL {
            for l in Lang::ALL {
                assert!(!k.name(l).is_empty());
            }
        }
        let json = serde_json::to_string(&HolidayKind::NewYearsDay).expect("json");
        assert_eq!(json, "\"new_years_day\"");
    }
}
