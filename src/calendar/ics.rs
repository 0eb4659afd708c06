//! iCalendar (RFC 5545) export of deadlines as all-day events.

use jiff::ZonedDateTime;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::model::{Config, Lang};

/// One all-day event (typically a deadline) for [`write_ics`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IcsEvent {
    /// A globally unique, stable identifier, so that re-importing updates
    /// the event instead of duplicating it; see [`stable_uid`].
    pub uid: String,
    /// The day of the event.
    pub date: Date,
    /// The title shown in calendars.
    pub summary: String,
    /// Longer text; omitted from the file when empty.
    pub description: String,
    /// Days before the event that a reminder fires (0 = at the start of
    /// the day); `None` for no alarm (a done item).
    pub alarm_days_before: Option<u32>,
    /// The item is done: written `STATUS:CONFIRMED` with no alarm. RFC 5545
    /// allows only TENTATIVE, CONFIRMED and CANCELLED on a VEVENT
    /// (COMPLETED is a VTODO status, and a VTODO is shown in a task list,
    /// not on the day, by Outlook and Google Calendar, or dropped), so the
    /// caller marks a done item in its summary ("[Utført] …") too, which is
    /// what every calendar client shows.
    pub done: bool,
}

/// A calendar summary, short and leading with what and who: "Frist FIN: Svar på
/// foreleggelse v1", led by "[Utført]" ("[Done]") when the item is done.
pub fn summary(lang: Lang, owner: Option<&str>, title: &str, done: bool) -> String {
    let due = match lang {
        Lang::En => "Due",
        Lang::Nb | Lang::Nn | Lang::Da => "Frist",
    };
    let summary = match owner {
        Some(owner) => format!("{due} {owner}: {title}"),
        None => title.to_string(),
    };
    if done {
        let mark = match lang {
            Lang::En => "[Done]",
            Lang::Nb | Lang::Nn => "[Utført]",
            Lang::Da => "[Udført]",
        };
        format!("{mark} {summary}")
    } else {
        summary
    }
}

/// The UID of one of a case's obligations (`kind` as `deadlines --json` names it,
/// `id` its id), the same in `deadlines --ics` and in a round letter's calendar
/// attachment, so importing both updates one event. Keyed by the case number (else its
/// title) under the owner's mail domain.
pub fn obligation_uid(config: &Config, kind: &str, id: &str) -> String {
    let case_key = config
        .case
        .number
        .clone()
        .unwrap_or_else(|| config.case.title.clone());
    let domain = config
        .party(&config.case.owner)
        .and_then(|p| {
            p.email
                .as_str()
                .rsplit_once('@')
                .map(|(_, d)| d.to_string())
        })
        .unwrap_or_else(|| "strategi.invalid".to_string());
    stable_uid(&[&case_key, kind, id], &domain)
}

/// Builds a stable UID `"<32 hex digits>@<domain>"` from deterministic
/// inputs (for example workspace id, obligation id, consultation round),
/// using 128-bit FNV-1a. Each part is hashed with its length first, so
/// `["ab", "c"]` and `["a", "bc"]` differ. The result never changes between
/// runs, machines or versions of Rust.
pub fn stable_uid(parts: &[&str], domain: &str) -> String {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    let mut hash = OFFSET;
    let mut feed = |bytes: &[u8]| {
        for &b in bytes {
            hash ^= u128::from(b);
            hash = hash.wrapping_mul(PRIME);
        }
    };
    for part in parts {
        feed(&(part.len() as u64).to_le_bytes());
        feed(part.as_bytes());
    }
    format!("{hash:032x}@{domain}")
}

/// Escapes a TEXT value (RFC 5545 § 3.3.11): backslash, semicolon, comma
/// and newlines (`\r\n`, `\n` or `\r` become `\n`); other control
/// characters except tab are dropped, since TEXT may not contain them.
fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `line` folded at 75 octets (RFC 5545 § 3.1), never inside a
/// UTF-8 character, followed by CRLF.
fn push_line(out: &mut String, line: &str) {
    const LIMIT: usize = 75;
    let mut used = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if used + len > LIMIT {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += len;
    }
    out.push_str("\r\n");
}

fn date_value(date: Date) -> String {
    format!("{:04}{:02}{:02}", date.year(), date.month(), date.day())
}

fn utc_stamp(at: &ZonedDateTime) -> String {
    let utc = at.with_time_zone(TimeZone::UTC);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        utc.year(),
        utc.month(),
        utc.day(),
        utc.hour(),
        utc.minute(),
        utc.second()
    )
}

/// Writes an iCalendar file (RFC 5545) with one all-day VEVENT per event:
/// `DTSTART;VALUE=DATE` on the day and `DTEND;VALUE=DATE` the day after,
/// the caller's UID, `DTSTAMP` = `dtstamp` in UTC, escaped SUMMARY and
/// DESCRIPTION, and a display alarm `TRIGGER:-P{n}D` unless the event is
/// done (then `STATUS:CONFIRMED` and no alarm). The calendar is
/// named `cal_name` (`X-WR-CALNAME` and RFC 7986 `NAME`). Lines end with
/// CRLF and are folded at 75 octets.
///
/// Pass a fixed `dtstamp` (from the caller's [`super::Clock`]) to get
/// byte-identical output for identical input.
pub fn write_ics(cal_name: &str, events: &[IcsEvent], dtstamp: &ZonedDateTime) -> String {
    let mut out = String::new();
    let stamp = utc_stamp(dtstamp);
    let name = escape_text(cal_name);
    push_line(&mut out, "BEGIN:VCALENDAR");
    push_line(&mut out, "VERSION:2.0");
    push_line(&mut out, "PRODID:-//strategi//strategi//NB");
    push_line(&mut out, "CALSCALE:GREGORIAN");
    push_line(&mut out, "METHOD:PUBLISH");
    push_line(&mut out, &format!("NAME:{name}"));
    push_line(&mut out, &format!("X-WR-CALNAME:{name}"));
    for event in events {
        let summary = escape_text(&event.summary);
        push_line(&mut out, "BEGIN:VEVENT");
        push_line(&mut out, &format!("UID:{}", escape_text(&event.uid)));
        push_line(&mut out, &format!("DTSTAMP:{stamp}"));
        push_line(
            &mut out,
            &format!("DTSTART;VALUE=DATE:{}", date_value(event.date)),
        );
        // Without DTEND an all-day event still lasts one day (RFC 5545
        // § 3.6.1); that only matters on the very last representable date.
        if let Ok(next) = event.date.tomorrow() {
            push_line(&mut out, &format!("DTEND;VALUE=DATE:{}", date_value(next)));
        }
        push_line(&mut out, &format!("SUMMARY:{summary}"));
        if !event.description.is_empty() {
            push_line(
                &mut out,
                &format!("DESCRIPTION:{}", escape_text(&event.description)),
            );
        }
        push_line(&mut out, "TRANSP:TRANSPARENT");
        if event.done {
            push_line(&mut out, "STATUS:CONFIRMED");
        }
        if let (Some(days), false) = (event.alarm_days_before, event.done) {
            push_line(&mut out, "BEGIN:VALARM");
            push_line(&mut out, "ACTION:DISPLAY");
            push_line(&mut out, &format!("DESCRIPTION:{summary}"));
            push_line(&mut out, &format!("TRIGGER:-P{days}D"));
            push_line(&mut out, "END:VALARM");
        }
        push_line(&mut out, "END:VEVENT");
    }
    push_line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use icalendar::parser::{Component, read_calendar, unfold};
    use jiff::civil::date;

    fn stamp() -> ZonedDateTime {
        date(2025, 11, 28)
            .at(12, 0, 0, 0)
            .to_zoned_datetime(super::super::oslo())
            .expect("valid")
    }

    fn prop<'a>(c: &'a Component<'a>, name: &str) -> &'a str {
        c.find_prop(name)
            .map(|p| p.val.as_str())
            .unwrap_or_else(|| panic!("missing {name}"))
    }

    fn events() -> Vec<IcsEvent> {
        vec![
            IcsEvent {
                uid: stable_uid(&["ws1", "obligation-7"], "strategi.invalid"),
                date: date(2025, 12, 1),
                summary: "Høringsfrist: æøå, ; \\ and\nnewline".to_string(),
                description: "Line one\r\nLine two; with, specials \\".to_string(),
                alarm_days_before: Some(3),
                done: false,
            },
            IcsEvent {
                uid: stable_uid(&["ws1", "obligation-8"], "strategi.invalid"),
                date: date(2025, 12, 31),
                // Long enough to fold several times, with multibyte letters
                // placed so that naive byte folding would split them.
                summary: format!("Frist {}", "æøåÆØÅ€".repeat(20)),
                description: String::new(),
                alarm_days_before: Some(0),
                done: true,
            },
        ]
    }

    #[test]
    fn parses_with_standard_parser_one_event_per_item() {
        let text = write_ics("Strategi, frister", &events(), &stamp());
        let unfolded = unfold(&text);
        let cal = read_calendar(&unfolded).expect("valid iCalendar");
        assert_eq!(prop_of(&cal.properties, "VERSION"), "2.0");
        assert_eq!(
            prop_of(&cal.properties, "PRODID"),
            "-//strategi//strategi//NB"
        );
        assert_eq!(prop_of(&cal.properties, "CALSCALE"), "GREGORIAN");
        assert_eq!(
            prop_of(&cal.properties, "X-WR-CALNAME"),
            "Strategi, frister"
        );
        let vevents: Vec<&Component> = cal
            .components
            .iter()
            .filter(|c| c.name == "VEVENT")
            .collect();
        assert_eq!(vevents.len(), 2);
        let first = vevents[0];
        assert_eq!(
            prop(first, "SUMMARY"),
            "Høringsfrist: æøå, ; \\ and\nnewline"
        );
        assert_eq!(
            prop(first, "DESCRIPTION"),
            "Line one\nLine two; with, specials \\"
        );
        assert_eq!(prop(first, "DTSTART"), "20251201");
        assert_eq!(prop(first, "DTEND"), "20251202");
        assert_eq!(prop(first, "DTSTAMP"), "20251128T110000Z");
        let dtstart = first.find_prop("DTSTART").expect("DTSTART");
        assert!(
            dtstart
                .params
                .iter()
                .any(|p| p.key == "VALUE" && p.val.as_ref().is_some_and(|v| *v == "DATE"))
        );
        assert_eq!(
            prop(first, "UID"),
            stable_uid(&["ws1", "obligation-7"], "strategi.invalid")
        );
        let alarm = first
            .components
            .iter()
            .find(|c| c.name == "VALARM")
            .expect("alarm");
        assert_eq!(prop(alarm, "ACTION"), "DISPLAY");
        assert_eq!(prop(alarm, "TRIGGER"), "-P3D");
        let second = vevents[1];
        assert_eq!(prop(second, "SUMMARY"), events()[1].summary);
        assert_eq!(prop(second, "DTEND"), "20260101");
        assert!(second.find_prop("DESCRIPTION").is_none());
        // Per event: the open one has its alarm and no status; the done one is
        // CONFIRMED and has no alarm, though an alarm was asked for.
        assert!(first.find_prop("STATUS").is_none());
        assert_eq!(prop(second, "STATUS"), "CONFIRMED");
        assert!(
            !second.components.iter().any(|c| c.name == "VALARM"),
            "a done item carries no alarm"
        );
    }

    fn prop_of<'a>(props: &'a [icalendar::parser::Property<'a>], name: &str) -> &'a str {
        props
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.val.as_str())
            .unwrap_or_else(|| panic!("missing {name}"))
    }

    #[test]
    fn crlf_and_folding_keep_multibyte_characters() {
        let text = write_ics("Frister", &events(), &stamp());
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        // Every line break is CRLF.
        assert_eq!(text.matches('\n').count(), text.matches("\r\n").count());
        let bytes = text.as_bytes();
        let mut folded_short = false;
        for raw in bytes.split(|&b| b == b'\n') {
            let line = raw.strip_suffix(b"\r").unwrap_or(raw);
            assert!(line.len() <= 75, "line of {} octets", line.len());
            let s = std::str::from_utf8(line).expect("each physical line is valid UTF-8");
            if s.starts_with(' ') && line.len() < 74 {
                // A continuation line cut short because the next character
                // would not fit.
                folded_short = true;
            }
        }
        assert!(text.contains("\r\n "), "long lines are folded");
        assert!(folded_short || text.contains("\r\n æ") || text.contains("\r\n ø"));
        // Unfolding restores the exact logical line.
        let unfolded = unfold(&text);
        let expected = format!("SUMMARY:{}\r\n", events()[1].summary);
        assert!(unfolded.contains(&expected), "{unfolded}");
    }

    #[test]
    fn escaping_rules() {
        assert_eq!(escape_text("a\\b;c,d\ne"), "a\\\\b\\;c\\,d\\ne");
        assert_eq!(escape_text("x\r\ny\rz"), "x\\ny\\nz");
        assert_eq!(escape_text("bell\u{7}tab\t"), "belltab\t");
        assert_eq!(escape_text("colon: fine"), "colon: fine");
    }

    #[test]
    fn folding_boundaries() {
        let mut out = String::new();
        push_line(&mut out, &"a".repeat(75));
        assert_eq!(out, format!("{}\r\n", "a".repeat(75)));
        let mut out = String::new();
        // 74 ASCII octets, then a 2-octet character: it must move whole.
        push_line(&mut out, &format!("{}æb", "a".repeat(74)));
        assert_eq!(out, format!("{}\r\n æb\r\n", "a".repeat(74)));
    }

    #[test]
    fn stable_uid_is_deterministic_and_separates_parts() {
        let a = stable_uid(&["ws", "obligation-1"], "strategi.invalid");
        assert_eq!(a, stable_uid(&["ws", "obligation-1"], "strategi.invalid"));
        assert_ne!(a, stable_uid(&["ws", "obligation-2"], "strategi.invalid"));
        assert_ne!(stable_uid(&["ab", "c"], "d"), stable_uid(&["a", "bc"], "d"));
        assert!(a.ends_with("@strategi.invalid"));
        assert_eq!(a.len(), 32 + 1 + "strategi.invalid".len());
        // FNV-1a 128 of no input is the offset basis.
        assert_eq!(stable_uid(&[], "x"), "6c62272e07bb014262b821756295c58d@x");
    }

    #[test]
    fn output_is_byte_identical_for_same_input() {
        let a = write_ics("Frister", &events(), &stamp());
        let b = write_ics("Frister", &events(), &stamp());
        assert_eq!(a, b);
    }
}
