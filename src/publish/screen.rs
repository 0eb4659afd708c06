//! Screening an answer before publication: the passages that may be personal data and
//! need a human look. [`find`] flags; it never decides. Whether an answer (or a
//! passage of it) is exempted, redacted or published as it is, is a person's decision
//! under offentleglova, and a flag is only a reason to read the answer.
//!
//! What is flagged, and the rules (from the official definitions):
//!
//! - **Fødselsnummer** (national identity number): 11 digits, `DDMMYY` (the date of
//!   birth), a 3-digit individnummer and two check digits, modulus 11 with the weights
//!   `3 7 6 1 8 9 4 5 2` (the first, over the nine digits before it) and
//!   `5 4 3 2 7 6 5 4 3 2` (the second, over the ten before it): the check digit is
//!   `11 − (sum mod 11)`, 0 when the remainder is 0, and a remainder giving 10 makes the
//!   number invalid. The individnummer gives the century: 000–499 1900–1999; 500–749
//!   with a year 54–99 1854–1899; 900–999 with a year 40–99 1940–1999; 500–999 with a
//!   year 00–39 2000–2039; any other combination is not issued and is not flagged. The
//!   date must be a real date in that century (29 February only in a leap year).
//!   Sources: Skatteetaten, «Fødselsnummer» (folkeregisteret), the folkeregisterforskriften
//!   § 2-2-2 on the identity number's structure, and Brønnøysundregistrene's
//!   «Fødselsnummer» concept page.
//! - **D-nummer**: the same, for a person who is not (yet) resident, with 4 added to
//!   the first digit (day 41–71); the check digits are computed over the number as
//!   written (Skatteetaten, «D-nummer»).
//! - Not flagged: **H-numbers** (help numbers of the health services, 4 added to the
//!   month's first digit) and **synthetic** test numbers (+40/+80 on the month, NAV's
//!   and Skatteetaten's Tenor test data): they are internal numbers that do not reach a
//!   consultation answer, and accepting month+40 would flag the synthetic numbers that
//!   identify no one. Nor the numbers issued under the modernised rules announced for
//!   2032 (a relaxed first check digit): they are not yet issued.
//! - The written forms: 11 digits in one run (`01019012345`), or the date and the
//!   personnummer split by one space (`010190 12345`).
//! - **Phone numbers**: Norway's closed numbering plan (Nkom, «Nummerplan for
//!   E.164-nummer»): 8 digits, the first 2–9 (4 and 9 for mobile numbers; 0 and 1 open
//!   short codes and are never an 8-digit subscriber number). Written as one run
//!   (`22249090`), in pairs (`22 24 90 90`) or as a mobile number (`915 12 345`), with
//!   or without `+47`/`0047` before it. Not flagged: a number inside a longer run of
//!   digits or digit groups (`1 22 24 90 90`, an account or organisation number), a
//!   number joined to others by `/`, `-`, `.`, `,` or `:` (a case number `24/3095-73`,
//!   a date `01.02.2025`, a decimal), an amount (`kr`, `NOK`, `kroner`, `,-`), a
//!   section (`§`), and an 8-digit run that reads as a date (`20250131`, `25022025`).
//!   Years, section numbers and amounts such as `kr 1 500 000` have other groupings and
//!   are never an 8-digit number.
//! - **Private e-mail addresses**: an address at a consumer mail provider
//!   ([`CONSUMER_MAIL_DOMAINS`], the one list), that is a person's own address. An
//!   address at an organisation's domain (`postmottak@fin.dep.no`, any `.example`) is
//!   the organisation's and is not flagged.
//!
//! What is shown: never the whole value. A finding carries its byte range in the text
//! scanned and the value masked ([`Finding::masked`]): an identity number keeps the
//! date (`010190*****`), a phone number its country code and first two digits
//! (`+47 22 ** ** **`), an e-mail address the first letter of the name and the domain
//! (`k***@gmail.com`).

use std::ops::Range;

use serde::Serialize;

/// The consumer mail providers whose addresses are people's own: an address at one of
/// these domains (or a sub-domain of one) is flagged as a private e-mail address.
pub const CONSUMER_MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "hotmail.com",
    "hotmail.no",
    "outlook.com",
    "live.com",
    "live.no",
    "msn.com",
    "yahoo.com",
    "yahoo.no",
    "icloud.com",
    "me.com",
    "mac.com",
    "online.no",
    "aol.com",
    "protonmail.com",
    "proton.me",
    "gmx.com",
    "gmx.net",
    "mail.com",
];

/// Words right before a number that make it an amount or a section, not a phone number.
const NOT_PHONE_BEFORE: &[&str] = &["kr", "nok", "kroner", "§", "§§", "beløp"];
/// Words right after a number that make it an amount.
const NOT_PHONE_AFTER: &[&str] = &["kr", "nok", "kroner", ",-", ",–"];

/// What a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A Norwegian national identity number (fødselsnummer).
    IdentityNumber,
    /// A D-number (the identity number of a person not resident).
    DNumber,
    /// A Norwegian phone number.
    Phone,
    /// An e-mail address at a consumer mail provider.
    PrivateEmail,
}

impl Kind {
    /// The kind's key, as in JSON.
    pub fn key(self) -> &'static str {
        match self {
            Kind::IdentityNumber => "identity-number",
            Kind::DNumber => "d-number",
            Kind::Phone => "phone",
            Kind::PrivateEmail => "private-email",
        }
    }

    /// The kind in words, for a terminal.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::IdentityNumber => "national identity number",
            Kind::DNumber => "D-number",
            Kind::Phone => "phone number",
            Kind::PrivateEmail => "private e-mail address",
        }
    }
}

/// One passage that needs a human look.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// What it looks like.
    pub kind: Kind,
    /// Where it is in the text scanned (bytes).
    pub range: Range<usize>,
    /// The value masked for display; the value itself is never shown.
    pub masked: String,
}

/// The passages of `text` that need a human look, in order of position. Pure: the same
/// text gives the same findings.
pub fn find(text: &str) -> Vec<Finding> {
    let mut out = numbers(text);
    out.extend(emails(text));
    out.sort_by_key(|f| (f.range.start, f.range.end));
    out
}

/// Whether `number` (11 digits, no separators) is a valid fødselsnummer or D-number,
/// and which.
pub fn identity_kind(number: &str) -> Option<Kind> {
    let d: Vec<u32> = number
        .chars()
        .map(|c| c.to_digit(10))
        .collect::<Option<_>>()?;
    if d.len() != 11 || !check_digits_hold(&d) {
        return None;
    }
    let (mut day, month, year) = (d[0] * 10 + d[1], d[2] * 10 + d[3], d[4] * 10 + d[5]);
    let kind = if day > 40 {
        day -= 40;
        Kind::DNumber
    } else {
        Kind::IdentityNumber
    };
    let individ = d[6] * 100 + d[7] * 10 + d[8];
    let century = match (individ, year) {
        (0..=499, _) => 1900,
        (500..=749, 54..) => 1800,
        (900..=999, 40..) => 1900,
        (500..=999, ..40) => 2000,
        _ => return None,
    };
    real_date(century + year, month, day).then_some(kind)
}

/// The two modulus-11 check digits of an identity number (digits 10 and 11).
fn check_digits_hold(d: &[u32]) -> bool {
    const W1: [u32; 9] = [3, 7, 6, 1, 8, 9, 4, 5, 2];
    const W2: [u32; 10] = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
    let check = |weights: &[u32]| -> Option<u32> {
        let sum: u32 = weights.iter().zip(d).map(|(w, x)| w * x).sum();
        match 11 - sum % 11 {
            11 => Some(0),
            10 => None,
            k => Some(k),
        }
    };
    check(&W1) == Some(d[9]) && check(&W2) == Some(d[10])
}

fn real_date(year: u32, month: u32, day: u32) -> bool {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// One run of digit groups joined by single spaces: `+47 22 24 90 90`, `010190 12345`.
struct Chunk {
    start: usize,
    end: usize,
    /// Each group's byte range (a `+` belongs to the first group).
    groups: Vec<Range<usize>>,
}

fn is_space(c: char) -> bool {
    c == ' ' || c == '\u{a0}' || c == '\u{202f}'
}

/// The runs of digit groups in `text`, each maximal: a group followed by one space and
/// another group belongs to the same chunk, so a number inside a longer run is never
/// seen on its own.
fn chunks(text: &str) -> Vec<Chunk> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let plus = b[i] == b'+' && b.get(i + 1).is_some_and(u8::is_ascii_digit);
        if !(b[i].is_ascii_digit() || plus) {
            i += 1;
            continue;
        }
        let start = i;
        let mut groups = Vec::new();
        let mut j = if plus { i + 1 } else { i };
        loop {
            let g = if groups.is_empty() { start } else { j };
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            groups.push(g..j);
            // One space (a no-break space too) and a digit: the next group.
            let rest = &text[j..];
            let mut it = rest.char_indices();
            match (it.next(), it.next()) {
                (Some((_, s)), Some((k, c))) if is_space(s) && c.is_ascii_digit() => j += k,
                _ => break,
            }
        }
        out.push(Chunk {
            start,
            end: j,
            groups,
        });
        i = j;
    }
    out
}

/// The identity numbers and phone numbers of `text`.
fn numbers(text: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    for c in chunks(text) {
        if !free_before(text, c.start) || !free_after(text, c.end) {
            continue;
        }
        // Identity numbers: a group of 11 digits, or 6 and 5; several may stand in a
        // row (a list), and the check digits keep a chance run from passing.
        let mut found = false;
        if !text[c.start..].starts_with('+') {
            let mut k = 0;
            while k < c.groups.len() {
                let g = &c.groups[k];
                let range = match c.groups.get(k + 1) {
                    _ if g.len() == 11 => g.clone(),
                    Some(next) if g.len() == 6 && next.len() == 5 => g.start..next.end,
                    _ => {
                        k += 1;
                        continue;
                    }
                };
                k += if range.end == g.end { 1 } else { 2 };
                let digits: String = text[range.clone()]
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect();
                if let Some(kind) = identity_kind(&digits) {
                    found = true;
                    out.push(Finding {
                        kind,
                        masked: mask_after(&text[range.clone()], 6),
                        range,
                    });
                }
            }
        }
        if !found && let Some(f) = phone(text, &c) {
            out.push(f);
        }
    }
    out
}

/// A chunk that is a Norwegian phone number.
fn phone(text: &str, c: &Chunk) -> Option<Finding> {
    let whole = &text[c.start..c.end];
    // The country code: a group of its own (`+47`, `0047`) or run together with the
    // number (`+4722249090`).
    let mut groups: Vec<&str> = c.groups.iter().map(|g| &text[g.clone()]).collect();
    // Where the national number starts, in `whole`.
    let mut national_start = 0;
    match groups[0] {
        "+47" | "0047" => {
            groups.remove(0);
            national_start = c.groups.get(1)?.start - c.start;
        }
        g if g.starts_with('+') => {
            groups[0] = g.strip_prefix("+47")?;
            national_start = 3;
        }
        g if g.len() > 8 && g.starts_with("0047") => {
            groups[0] = &g[4..];
            national_start = 4;
        }
        _ => {}
    }
    let lens: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    if !matches!(lens.as_slice(), [8] | [2, 2, 2, 2] | [3, 2, 3]) {
        return None;
    }
    let national: String = groups.concat();
    let first = national.as_bytes()[0];
    if !(b'2'..=b'9').contains(&first) {
        return None;
    }
    if lens == [8] && reads_as_date(&national) {
        return None;
    }
    if word_before(text, c.start).is_some_and(|w| NOT_PHONE_BEFORE.contains(&w.as_str()))
        || word_after(text, c.end).is_some_and(|w| NOT_PHONE_AFTER.contains(&w.as_str()))
    {
        return None;
    }
    // Keep the country code and the first two digits of the number.
    Some(Finding {
        kind: Kind::Phone,
        range: c.start..c.end,
        masked: mask_digits_from(whole, national_start + 2),
    })
}

/// Whether 8 digits read as a date, `YYYYMMDD` or `DDMMYYYY`, in 1900–2099.
fn reads_as_date(d: &str) -> bool {
    let n = |r: Range<usize>| d[r].parse::<u32>().unwrap_or(0);
    let ymd = (1900..=2099).contains(&n(0..4)) && real_date(n(0..4), n(4..6), n(6..8));
    let dmy = (1900..=2099).contains(&n(4..8)) && real_date(n(4..8), n(2..4), n(0..2));
    ymd || dmy
}

/// Whether what comes before `at` leaves a number standing on its own: not a letter or
/// digit (`ABC12345678`), not `/`, `-`, `_` or `§` joined to it, and not `.`, `,` or
/// `:` after a digit (`2025.22249090`).
fn free_before(text: &str, at: usize) -> bool {
    let mut rev = text[..at].chars().rev();
    match rev.next() {
        None => true,
        Some(c) if c.is_alphanumeric() || "/-_§–".contains(c) => false,
        Some('.' | ',' | ':') => !rev.next().is_some_and(|c| c.is_ascii_digit()),
        Some(_) => true,
    }
}

/// Whether what comes after `at` leaves a number standing on its own: not a letter or
/// digit, not `/`, `-` or `_` joined to it, and not `.`, `,` or `:` before a digit
/// (`22249090.5`, `24/3095-73`).
fn free_after(text: &str, at: usize) -> bool {
    let mut it = text[at..].chars();
    match it.next() {
        None => true,
        Some(c) if c.is_alphanumeric() || "/-_–".contains(c) => false,
        Some('.' | ',' | ':') => !it.next().is_some_and(|c| c.is_ascii_digit()),
        Some(_) => true,
    }
}

/// The word before `at` (after any spaces), lower case, without a closing `.` or `:`.
fn word_before(text: &str, at: usize) -> Option<String> {
    let before = text[..at].trim_end_matches(is_space);
    let w = before
        .rsplit(|c: char| c.is_whitespace() || c == '(')
        .next()?
        .trim_end_matches(['.', ':']);
    (!w.is_empty()).then(|| w.to_lowercase())
}

/// The word after `at` (after any spaces), lower case, without a closing `.`, `,`, `;`
/// or `)`; an amount's mark `,-` right after the number is a word of its own.
fn word_after(text: &str, at: usize) -> Option<String> {
    let rest = &text[at..];
    for mark in [",-", ",–"] {
        if rest.starts_with(mark) {
            return Some(mark.to_string());
        }
    }
    let w = rest
        .trim_start_matches(is_space)
        .split(|c: char| c.is_whitespace() || c == ')')
        .next()?
        .trim_end_matches(['.', ',', ';']);
    (!w.is_empty()).then(|| w.to_lowercase())
}

/// `s` with every digit after the first `keep` characters replaced by `*`.
fn mask_after(s: &str, keep_digits: usize) -> String {
    let mut seen = 0;
    s.chars()
        .map(|c| {
            if c.is_ascii_digit() {
                seen += 1;
                if seen > keep_digits {
                    return '*';
                }
            }
            c
        })
        .collect()
}

/// `s` with every digit from byte `keep` on replaced by `*`.
fn mask_digits_from(s: &str, keep: usize) -> String {
    s.char_indices()
        .map(|(i, c)| {
            if i >= keep && c.is_ascii_digit() {
                '*'
            } else {
                c
            }
        })
        .collect()
}

/// The e-mail addresses of `text` at a consumer provider.
fn emails(text: &str) -> Vec<Finding> {
    let local_char = |c: char| c.is_ascii_alphanumeric() || "._%+-'".contains(c);
    let domain_char = |c: char| c.is_ascii_alphanumeric() || c == '.' || c == '-';
    let mut out = Vec::new();
    for (at, _) in text.match_indices('@') {
        let start = text[..at]
            .char_indices()
            .rev()
            .take_while(|&(_, c)| local_char(c))
            .last()
            .map_or(at, |(i, _)| i);
        let local = text[start..at].trim_start_matches(['.', '\'']);
        let start = at - local.len();
        let rest = &text[at + 1..];
        let len = rest.find(|c: char| !domain_char(c)).unwrap_or(rest.len());
        let domain = rest[..len].trim_end_matches(['.', '-']);
        if local.is_empty() || domain.is_empty() {
            continue;
        }
        let lower = domain.to_ascii_lowercase();
        let private = CONSUMER_MAIL_DOMAINS
            .iter()
            .any(|d| lower == *d || lower.ends_with(&format!(".{d}")));
        if !private {
            continue;
        }
        let first = local.chars().next().unwrap_or('*');
        out.push(Finding {
            kind: Kind::PrivateEmail,
            range: start..at + 1 + domain.len(),
            masked: format!("{first}***@{domain}"),
        });
    }
    out
}

/// The 1-based line of byte `offset` in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset.min(text.len()))
        .unwrap_or("")
        .matches('\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests;
