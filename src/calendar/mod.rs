//! Dates, deadlines and working days for strategi, following Norwegian rules.
//!
//! This module is self-contained: it never prints, never reads environment
//! variables and never looks at the system clock, except in
//! [`Clock::system`]. Every other function takes the current time as an
//! argument (see [`Clock`]). All local times are in Europe/Oslo.
//!
//! Main parts:
//!
//! * [`holidays`] / [`holiday_on`]: Norwegian public holidays (1900–2200).
//! * [`WorkCalendar`]: working days, closed days and deadline adjustment
//!   (domstolloven § 149, see [`WorkCalendar::adjust_deadline`]).
//! * [`assess`]: the state of an obligation's deadline ([`DeadlineStatus`]).
//! * [`ConsultationKind`] and [`check_window`]: consultation windows under
//!   Utredningsinstruksen.
//! * [`parse_date`], [`parse_now`], [`format_date_words`]: input and output.
//! * [`write_ics`]: an iCalendar (RFC 5545) export of deadlines.

mod clock;
mod deadline;
mod error;
mod format;
mod holidays;
mod ics;
mod parse;
mod rules;
mod workdays;

pub use clock::{Clock, oslo};
pub use deadline::{
    AdjustedDeadline, Assessment, DEFAULT_SOON_WORKING_DAYS, DeadlineMove, DeadlineStatus, assess,
    deadline_end,
};
pub use error::CalendarError;
pub use format::{format_date_long, format_date_words, month_name, weekday_name};
pub use holidays::{
    FIRST_SUPPORTED_YEAR, Holiday, HolidayKind, LAST_SUPPORTED_YEAR, easter_sunday, holiday_on,
    holidays,
};
pub use ics::{IcsEvent, obligation_uid, stable_uid, summary as ics_summary, write_ics};
pub use parse::{parse_date, parse_now};
pub use rules::{
    ConsultationKind, HolidayPeriod, HolidayPeriodKind, TooShort, WindowCheck, check_window,
    holiday_periods,
};
pub use workdays::{ClosedReason, WorkCalendar, calendar_days_between};

pub use crate::model::Lang;

mod obligations;
pub use obligations::{
    DueItem, Obligation, ObligationKind, next_deadlines, obligations, parse_relative_due,
    work_calendar,
};
