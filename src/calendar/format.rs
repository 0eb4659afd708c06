//! Writing dates in words, in Norwegian, English and Danish.

use jiff::civil::{Date, Weekday};

use super::Lang;

/// The weekday name of a [`Weekday`]; lowercase except in English.
pub(super) fn weekday_name_of(weekday: Weekday, lang: Lang) -> &'static str {
    use Weekday as W;
    match lang {
        Lang::Nb | Lang::Da => match weekday {
            W::Monday => "mandag",
            W::Tuesday => "tirsdag",
            W::Wednesday => "onsdag",
            W::Thursday => "torsdag",
            W::Friday => "fredag",
            W::Saturday => "lørdag",
            W::Sunday => "søndag",
        },
        Lang::Nn => match weekday {
            W::Monday => "måndag",
            W::Tuesday => "tysdag",
            W::Wednesday => "onsdag",
            W::Thursday => "torsdag",
            W::Friday => "fredag",
            W::Saturday => "laurdag",
            W::Sunday => "sundag",
        },
        Lang::En => match weekday {
            W::Monday => "Monday",
            W::Tuesday => "Tuesday",
            W::Wednesday => "Wednesday",
            W::Thursday => "Thursday",
            W::Friday => "Friday",
            W::Saturday => "Saturday",
            W::Sunday => "Sunday",
        },
    }
}

/// The weekday of `date` in words: "mandag" (nb, da), "måndag" (nn),
/// "Monday" (en). Norwegian and Danish weekday names are lowercase.
pub fn weekday_name(date: Date, lang: Lang) -> &'static str {
    weekday_name_of(date.weekday(), lang)
}

/// The month of `date` in words: "desember" (nb, nn), "december" (da),
/// "December" (en).
pub fn month_name(date: Date, lang: Lang) -> &'static str {
    const NO: [&str; 12] = [
        "januar",
        "februar",
        "mars",
        "april",
        "mai",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "desember",
    ];
    const DA: [&str; 12] = [
        "januar",
        "februar",
        "marts",
        "april",
        "maj",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "december",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let table = match lang {
        Lang::Nb | Lang::Nn => &NO,
        Lang::Da => &DA,
        Lang::En => &EN,
    };
    let index = usize::try_from(date.month() - 1).unwrap_or_default();
    table.get(index).copied().unwrap_or_default()
}

/// `date` in words without the weekday: "1. desember 2025" (nb, nn),
/// "1 December 2025" (en), "1. december 2025" (da).
pub fn format_date_words(date: Date, lang: Lang) -> String {
    let month = month_name(date, lang);
    match lang {
        Lang::En => format!("{} {} {}", date.day(), month, date.year()),
        Lang::Nb | Lang::Nn | Lang::Da => format!("{}. {} {}", date.day(), month, date.year()),
    }
}

/// `date` in words with the weekday: "mandag 1. desember 2025" (nb),
/// "måndag 1. desember 2025" (nn), "Monday 1 December 2025" (en),
/// "mandag 1. december 2025" (da).
pub fn format_date_long(date: Date, lang: Lang) -> String {
    format!(
        "{} {}",
        weekday_name(date, lang),
        format_date_words(date, lang)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn words_in_each_language() {
        let d = date(2025, 12, 1);
        assert_eq!(format_date_words(d, Lang::Nb), "1. desember 2025");
        assert_eq!(format_date_words(d, Lang::Nn), "1. desember 2025");
        assert_eq!(format_date_words(d, Lang::En), "1 December 2025");
        assert_eq!(format_date_words(d, Lang::Da), "1. december 2025");
        assert_eq!(format_date_long(d, Lang::Nb), "mandag 1. desember 2025");
        assert_eq!(format_date_long(d, Lang::Nn), "måndag 1. desember 2025");
        assert_eq!(format_date_long(d, Lang::En), "Monday 1 December 2025");
        assert_eq!(format_date_long(d, Lang::Da), "mandag 1. december 2025");
        let may = date(2025, 5, 17);
        assert_eq!(format_date_long(may, Lang::Nn), "laurdag 17. mai 2025");
        assert_eq!(format_date_long(may, Lang::Da), "lørdag 17. maj 2025");
        assert_eq!(weekday_name(date(2025, 3, 4), Lang::Nn), "tysdag");
        assert_eq!(month_name(date(2025, 3, 4), Lang::Da), "marts");
    }
}
