//! Temporary stand-in for the calendar module (being written separately).
#![allow(missing_docs)]

use jiff::ZonedDateTime;
use jiff::civil::Date;
use jiff::tz::TimeZone;

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct CalendarError(String);

#[derive(Debug, Clone)]
pub struct Clock(Option<ZonedDateTime>);

impl Clock {
    pub fn fixed(z: ZonedDateTime) -> Self {
        Clock(Some(z))
    }
    pub fn system() -> Self {
        Clock(None)
    }
    pub fn now(&self) -> ZonedDateTime {
        match &self.0 {
            Some(z) => z.clone(),
            None => ZonedDateTime::now().with_time_zone(oslo()),
        }
    }
    pub fn today(&self) -> Date {
        self.now().date()
    }
}

pub fn oslo() -> TimeZone {
    TimeZone::get("Europe/Oslo").unwrap_or(TimeZone::UTC)
}

pub fn parse_date(s: &str) -> Result<Date, CalendarError> {
    s.parse::<Date>().map_err(|e| CalendarError(format!("\"{s}\" is not a date: {e}. Use YYYY-MM-DD.")))
}

pub fn parse_now(s: &str) -> Result<ZonedDateTime, CalendarError> {
    let d = parse_date(s)?;
    d.at(12, 0, 0, 0).to_zoned_datetime(oslo()).map_err(|e| CalendarError(e.to_string()))
}
