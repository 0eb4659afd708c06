//! The error type of the calendar module.

use jiff::civil::Date;

/// How dates may be written; appended to date parsing errors.
pub(super) const ACCEPTED_DATE_FORMS: &str = "Use YYYY-MM-DD, for example 2025-12-01, or DD.MM.YYYY, for example 01.12.2025 (1.12.2025 also works).";

/// How a "now" time may be written; appended to [`CalendarError::InvalidNow`].
pub(super) const ACCEPTED_NOW_FORMS: &str = "Use a date (YYYY-MM-DD or DD.MM.YYYY, meaning 12:00 Oslo time that day), an Oslo local time such as 2025-12-01T09:30 or 2025-12-01T09:30:15, or a time with an offset such as 2025-12-01T09:30:00+01:00 or 2025-12-01T08:30:00Z.";

/// Everything that can go wrong in the calendar module.
///
/// Each message is a complete sentence meant for the person using strategi:
/// it quotes the input that was not accepted, says why, and shows what to
/// write instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// An empty string was given where a date was expected.
    #[error("No date was given. {}", ACCEPTED_DATE_FORMS)]
    EmptyDate,

    /// The text does not have the shape of a date.
    #[error(
        "\"{input}\" is not a date strategi can read: {problem}. {}",
        ACCEPTED_DATE_FORMS
    )]
    UnreadableDate {
        /// The text as given.
        input: String,
        /// Why it could not be read, as a sentence fragment.
        problem: String,
    },

    /// The text has the shape of a date, but no such day exists.
    #[error("\"{input}\" is not a real date: {problem}. {}", ACCEPTED_DATE_FORMS)]
    NotARealDate {
        /// The text as given.
        input: String,
        /// What is wrong with it, for example "February 2025 has 28 days".
        problem: String,
    },

    /// A year outside the supported range (1900–2200).
    #[error(
        "The year {year} is outside the years strategi supports (1900 to 2200). Check the date for a typo."
    )]
    UnsupportedYear {
        /// The year that was given.
        year: i32,
    },

    /// A value for "now" (for example from `--now`) could not be read.
    #[error(
        "\"{input}\" is not a time strategi can use as \"now\": {problem}. {}",
        ACCEPTED_NOW_FORMS
    )]
    InvalidNow {
        /// The text as given.
        input: String,
        /// Why it could not be used, as a sentence fragment.
        problem: String,
    },

    /// A calculation ran past the dates that can be represented.
    #[error(
        "Counting from {start} goes beyond the dates strategi can represent. Check the date and the number of days."
    )]
    DateOutOfRange {
        /// The date the calculation started from.
        start: Date,
    },

    /// A consultation's deadline lies before its opening date.
    #[error(
        "The deadline {due} is before the opening date {opened}. Set a deadline on or after {opened}, or correct the opening date."
    )]
    DueBeforeOpened {
        /// The opening date.
        opened: Date,
        /// The deadline that was given.
        due: Date,
    },

    /// An unknown language code.
    #[error(
        "\"{input}\" is not a language strategi knows. Use nb (bokmål), nn (nynorsk), en (English) or da (Danish)."
    )]
    UnknownLanguage {
        /// The text as given.
        input: String,
    },

    /// An unknown consultation kind.
    #[error(
        "\"{input}\" is not a kind of consultation strategi knows. Use framlegging (also written foreleggelse: review by other ministries), hoyring (also written høring or horing: public consultation) or innspill (request for input)."
    )]
    UnknownConsultationKind {
        /// The text as given.
        input: String,
    },
}
