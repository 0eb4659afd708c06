//! The current time, always passed in: [`Clock`].

use jiff::ZonedDateTime;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use super::error::CalendarError;
use super::parse::parse_now;

/// The Europe/Oslo time zone.
///
/// jiff is built with its bundled time zone database, so this works even
/// where `/usr/share/zoneinfo` is missing. Should the lookup still fail, the
/// current Norwegian rule (CET/CEST, EU transitions) is used instead.
pub fn oslo() -> TimeZone {
    TimeZone::get("Europe/Oslo")
        .or_else(|_| TimeZone::posix("CET-1CEST,M3.5.0,M10.5.0/3"))
        .unwrap_or_else(|_| TimeZone::fixed(jiff::tz::offset(1)))
}

/// Where "now" comes from. Nothing else in the calendar module reads the
/// system clock: commands take a `Clock` (or a date derived from it), and
/// tests use [`Clock::fixed`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clock {
    fixed: Option<ZonedDateTime>,
}

impl Clock {
    /// A clock that always answers `now` (converted to Europe/Oslo).
    pub fn fixed(now: ZonedDateTime) -> Clock {
        Clock {
            fixed: Some(now.with_time_zone(oslo())),
        }
    }

    /// The real clock of the machine. This is the only place in the module
    /// that reads the system time.
    pub fn system() -> Clock {
        Clock { fixed: None }
    }

    /// A clock for a `--now` flag or `STRATEGI_NOW` value read by the caller:
    /// `None` or a blank value gives [`Clock::system`], anything else is read
    /// with [`parse_now`] and gives a fixed clock.
    ///
    /// # Errors
    ///
    /// [`CalendarError::InvalidNow`] if the value cannot be read.
    pub fn from_override(value: Option<&str>) -> Result<Clock, CalendarError> {
        match value.map(str::trim) {
            None | Some("") => Ok(Clock::system()),
            Some(text) => parse_now(text).map(Clock::fixed),
        }
    }

    /// Whether this clock is fixed (not the system clock).
    pub fn is_fixed(&self) -> bool {
        self.fixed.is_some()
    }

    /// The current moment in Europe/Oslo.
    pub fn now(&self) -> ZonedDateTime {
        match &self.fixed {
            Some(now) => now.clone(),
            None => jiff::Timestamp::now().to_zoned_datetime(oslo()),
        }
    }

    /// Today's date in Europe/Oslo.
    pub fn today(&self) -> Date {
        self.now().date()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn fixed_clock_is_in_oslo() {
        // 23:30 UTC on 30 Nov is already 1 Dec in Oslo (UTC+1).
        let utc = date(2025, 11, 30)
            .at(23, 30, 0, 0)
            .to_zoned_datetime(TimeZone::UTC)
            .expect("valid");
        let clock = Clock::fixed(utc);
        assert!(clock.is_fixed());
        assert_eq!(clock.today(), date(2025, 12, 1));
        assert_eq!(clock.now().time_zone().iana_name(), Some("Europe/Oslo"));
        assert_eq!(clock.now().hour(), 0);
    }

    #[test]
    fn override_values() {
        assert!(!Clock::from_override(None).expect("system").is_fixed());
        assert!(!Clock::from_override(Some("  ")).expect("system").is_fixed());
        let c = Clock::from_override(Some("2025-11-28")).expect("date");
        assert_eq!(c.today(), date(2025, 11, 28));
        assert_eq!(c.now().hour(), 12);
        assert!(Clock::from_override(Some("yesterday")).is_err());
    }

    #[test]
    fn oslo_is_named() {
        assert_eq!(oslo().iana_name(), Some("Europe/Oslo"));
    }
}
