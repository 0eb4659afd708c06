//! Reading an e-mail reply (`.eml`) from a party.
//!
//! [`parse_message`] reads the message with `mail-parser` (which decodes RFC 2047
//! headers, quoted-printable and base64 bodies and the usual charsets: UTF-8,
//! ISO-8859-1, Windows-1252 and more) into an [`Incoming`]. `mail-parser` is lenient by
//! design; a reply we file as a party's answer must not be a guess, so these messages
//! are refused first, each with an [`IncomingError`] that says why:
//!
//! - **Not an e-mail**: empty input, or a first line that is not a header field
//!   `Name: value` (a blank first line, a PDF, a text file). One leading mbox
//!   separator line `From …` (without colon) is allowed and skipped.
//! - **Bad headers**: a line in the header section (before the first blank line) that
//!   is neither `Name: value` (the name printable ASCII without `:`, optionally
//!   followed by spaces before the colon) nor a folded continuation starting with a
//!   space or tab. The error names the 1-based line.
//! - **Broken multipart**: a `multipart/*` part without a `boundary` parameter, or
//!   whose boundary never opens a part (`--boundary` at the start of a line) or is
//!   never closed (`--boundary--` at the start of a line), such as a message cut off
//!   in transfer. Checked on the raw bytes for every multipart of the message itself
//!   (not inside attached messages).
//! - **No sender**: no `From` header, or one without an address.
//!
//! Not checked: the contents of base64 or quoted-printable bodies (decoding errors are
//! decoded leniently), the syntax of header values, dates (an unreadable `Date` is
//! `None`).
//!
//! What an [`Incoming`] holds:
//! - Message-IDs in angle brackets, `<local@domain>`, as the outbox writes them;
//! - `text`: the message's text body parts, decoded to UTF-8 with `\n` line ends,
//!   joined by a blank line; an HTML body is turned into text when there is no plain
//!   one;
//! - `attachments`: every other part except multipart containers, in message order: a
//!   part with a file name is always an attachment, even when shown inline. Text
//!   attachments are given as UTF-8 (decoded from their charset); other attachments as
//!   their decoded bytes; an attached message as its raw bytes. Each gets a safe
//!   [`safe_file_name`], made unique within the message (`name-2.txt`, …); a part
//!   without a name is called `attachment-<n>` with an extension from its type.
//!
//! [`subject_token`] and [`message_id_parts`] find the round and party in a reply's
//! subject or in the Message-IDs it refers to; [`message_digest`] names a message by
//! its content, for importing the same file twice without effect.

use std::collections::BTreeSet;

use mail_parser::{HeaderValue, MessageParser, MimeHeaders, PartType};
use sha2::{Digest, Sha256};

use crate::mail::Mailbox;

/// A parsed reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    /// The Message-ID, in angle brackets, if the message has one.
    pub message_id: Option<String>,
    /// The ids in `In-Reply-To`, in angle brackets.
    pub in_reply_to: Vec<String>,
    /// The ids in `References`, in angle brackets, oldest first.
    pub references: Vec<String>,
    /// The sender (the first address of `From`; the name is empty when there is none).
    pub from: Mailbox,
    /// The recipients in `To` (decoded; those without an address left out). Not
    /// checked for control characters (nothing matches on them): a reader that shows
    /// them cleans them.
    pub to: Vec<Mailbox>,
    /// The subject, decoded; empty when there is none.
    pub subject: String,
    /// The `Date` header in RFC 3339 with its original offset, when it can be read.
    pub date: Option<String>,
    /// The text body; see the module documentation.
    pub text: String,
    /// The attachments; see the module documentation.
    pub attachments: Vec<IncomingAttachment>,
    /// [`message_digest`] of the bytes given.
    pub digest: String,
}

impl Incoming {
    /// The `Date` header as a point in time, when it can be read: when the sender says
    /// the message was sent (not checked against any clock; see
    /// `consultation::import` for how far it is trusted).
    pub fn sent_at(&self) -> Option<jiff::Timestamp> {
        self.date.as_deref()?.parse().ok()
    }
}

/// A file attached to a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingAttachment {
    /// A safe file name: one path component, unique within the message; see
    /// [`safe_file_name`].
    pub file_name: String,
    /// The file name as the message gives it, if it gives one.
    pub original_name: Option<String>,
    /// The MIME type, lower case, without parameters, e.g. `application/pdf`.
    pub content_type: String,
    /// The content (UTF-8 for text attachments).
    pub bytes: Vec<u8>,
}

/// Why a message is refused; see the module documentation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IncomingError {
    /// The input is empty.
    #[error("The file is empty, so it is not an e-mail message.")]
    Empty,
    /// The first line is not a header field.
    #[error(
        "This is not an e-mail message: it should start with header lines such as \"From: …\", but line 1 is {text:?}. Save the message from the mail program as an .eml file (\"Save as\") and try again."
    )]
    NotAnEmail {
        /// The first line (shortened).
        text: String,
    },
    /// A header line that is neither a field nor a continuation.
    #[error(
        "The message's headers are broken: line {line} ({text:?}) is neither \"Name: value\" nor the continuation of the header above it (a line starting with a space). The file may be damaged or not an e-mail; save the message again from the mail program."
    )]
    BadHeader {
        /// 1-based line in the file.
        line: usize,
        /// The line (shortened).
        text: String,
    },
    /// A multipart that is not properly delimited.
    #[error(
        "The message is incomplete or damaged: its {content_type} part {problem}. Save the message again from the mail program, or ask the sender to send it again."
    )]
    BrokenMultipart {
        /// The part's content type, e.g. `multipart/mixed`.
        content_type: String,
        /// What is wrong, e.g. `is never closed (no line "--abc--")`.
        problem: String,
    },
    /// A header holds a control character: a NUL, a line break inside an encoded word,
    /// an escape. Tabs are allowed (and become spaces in the subject).
    #[error(
        "The message's headers hold a control character ({code}) in {header}{}: such a header cannot be filed as written. Ask the sender to send the message again, or record the reply by hand with `strategi comment add`.",
        line.map(|l| format!(" at line {l}")).unwrap_or_default()
    )]
    ControlCharacter {
        /// The header's name as written (`Subject`), or what was decoded from it.
        header: String,
        /// 1-based line in the file, when the raw line holds it.
        line: Option<usize>,
        /// The character, as `U+0000`.
        code: String,
    },
    /// The message has no sender address.
    #[error(
        "The message has no sender: it lacks a From header with an address, so it cannot be filed as anyone's answer."
    )]
    MissingFrom,
    /// mail-parser could not read the message at all.
    #[error("The message cannot be read as an e-mail message.")]
    Unreadable,
}

/// Reads a reply; see the module documentation for what is refused.
///
/// Never panics, whatever the input.
pub fn parse_message(bytes: &[u8]) -> Result<Incoming, IncomingError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(IncomingError::Empty);
    }
    let skip = check_headers(bytes)?;
    let raw = bytes.get(skip..).unwrap_or_default();
    let msg = MessageParser::default()
        .parse(raw)
        .ok_or(IncomingError::Unreadable)?;
    check_multiparts(&msg, raw)?;

    let from = msg
        .from()
        .and_then(|a| a.iter().find(|addr| addr.address.is_some()))
        .and_then(|addr| {
            let address = addr.address.as_deref()?.trim().to_string();
            (!address.is_empty()).then(|| {
                Mailbox::new(
                    addr.name.as_deref().unwrap_or_default().trim().to_string(),
                    address,
                )
            })
        })
        .ok_or(IncomingError::MissingFrom)?;
    let to: Vec<Mailbox> = msg
        .to()
        .map(|a| {
            a.iter()
                .filter_map(|addr| {
                    let address = addr.address.as_deref()?.trim().to_string();
                    (!address.is_empty()).then(|| {
                        Mailbox::new(
                            addr.name.as_deref().unwrap_or_default().trim().to_string(),
                            address,
                        )
                    })
                })
                .collect()
        })
        .unwrap_or_default();

    let date = msg.date().and_then(|d| {
        let s = d.to_rfc3339();
        s.parse::<jiff::Timestamp>().ok().map(|_| s)
    });

    // Parts with a file name are attachments, even when mail-parser counts them as
    // inline body parts.
    let mut attachment_ids: BTreeSet<u32> = msg.attachments.iter().copied().collect();
    for &id in msg.text_body.iter().chain(msg.html_body.iter()) {
        if id != 0
            && msg
                .parts
                .get(id as usize)
                .is_some_and(|p| p.attachment_name().is_some())
        {
            attachment_ids.insert(id);
        }
    }

    let mut texts: Vec<String> = Vec::new();
    for &id in &msg.text_body {
        if attachment_ids.contains(&id) {
            continue;
        }
        let Some(part) = msg.parts.get(id as usize) else {
            continue;
        };
        let text = match &part.body {
            PartType::Text(t) => t.to_string(),
            PartType::Html(h) => mail_parser::decoders::html::html_to_text(h),
            _ => continue,
        };
        texts.push(text.replace("\r\n", "\n").replace('\r', "\n"));
    }
    let text = texts.join("\n\n");

    let mut attachments: Vec<IncomingAttachment> = Vec::new();
    let mut used: BTreeSet<String> = BTreeSet::new();
    for (n, id) in attachment_ids.iter().enumerate() {
        let Some(part) = msg.parts.get(*id as usize) else {
            continue;
        };
        let (bytes, is_text) = match &part.body {
            PartType::Text(t) | PartType::Html(t) => (t.as_bytes().to_vec(), true),
            PartType::Binary(b) | PartType::InlineBinary(b) => (b.to_vec(), false),
            PartType::Message(m) => (m.raw_message.to_vec(), false),
            PartType::Multipart(_) => continue,
        };
        let content_type = part
            .content_type()
            .map(|ct| match ct.subtype() {
                Some(sub) => format!("{}/{}", ct.ctype(), sub),
                None => ct.ctype().to_string(),
            })
            .map(|s| s.trim().to_ascii_lowercase())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| {
                match &part.body {
                    PartType::Message(_) => "message/rfc822",
                    _ if is_text => "text/plain",
                    _ => "application/octet-stream",
                }
                .to_string()
            });
        let original_name = part
            .attachment_name()
            .map(str::to_string)
            .filter(|s| !s.trim().is_empty());
        let base = match &original_name {
            Some(name) => safe_file_name(name),
            None => format!("attachment-{}{}", n + 1, extension_for(&content_type)),
        };
        let file_name = unique_name(&base, &mut used);
        attachments.push(IncomingAttachment {
            file_name,
            original_name,
            content_type,
            bytes,
        });
    }

    let subject = msg.subject().unwrap_or_default();
    let message_id = msg.message_id().map(bracketed);
    let in_reply_to = id_list(msg.in_reply_to());
    let references = id_list(msg.references());
    check_decoded("Subject", subject)?;
    check_decoded("From", &from.name)?;
    check_decoded("From", &from.address)?;
    for id in message_id.iter() {
        check_decoded("Message-ID", id)?;
    }
    for id in &in_reply_to {
        check_decoded("In-Reply-To", id)?;
    }
    for id in &references {
        check_decoded("References", id)?;
    }
    Ok(Incoming {
        message_id,
        in_reply_to,
        references,
        from,
        to,
        subject: subject.replace('\t', " ").trim().to_string(),
        date,
        text,
        attachments,
        digest: message_digest(bytes),
    })
}

/// Checks the header section line by line (see the module documentation) and returns
/// the number of bytes to skip before the message (a leading mbox `From ` line).
fn check_headers(bytes: &[u8]) -> Result<usize, IncomingError> {
    let mut skip = 0;
    let mut pos = 0;
    let mut line_no = 0;
    let mut seen_field = false;
    let mut last_name = String::new();
    while pos < bytes.len() {
        let nl = bytes
            .get(pos..)
            .and_then(|s| s.iter().position(|&b| b == b'\n'))
            .map_or(bytes.len(), |p| pos + p);
        let mut line = bytes.get(pos..nl).unwrap_or_default();
        if let Some(l) = line.strip_suffix(b"\r") {
            line = l;
        }
        line_no += 1;
        let next = nl + 1;
        if line.is_empty() {
            if !seen_field {
                return Err(IncomingError::NotAnEmail {
                    text: String::new(),
                });
            }
            return Ok(skip);
        }
        if line_no == 1 && line.starts_with(b"From ") {
            skip = next.min(bytes.len());
            pos = next;
            continue;
        }
        let shown = || shorten(&String::from_utf8_lossy(line));
        if seen_field || is_field_line(line) {
            if let Some(&b) = line.iter().find(|&&b| is_control_byte(b)) {
                return Err(IncomingError::ControlCharacter {
                    header: header_name(line, &last_name),
                    line: Some(line_no),
                    code: format!("U+{:04X}", b),
                });
            }
            if line[0] != b' ' && line[0] != b'\t' {
                last_name = header_name(line, &last_name);
            }
        }
        if line[0] == b' ' || line[0] == b'\t' {
            if !seen_field {
                return Err(IncomingError::NotAnEmail { text: shown() });
            }
        } else if is_field_line(line) {
            seen_field = true;
        } else if !seen_field {
            return Err(IncomingError::NotAnEmail { text: shown() });
        } else {
            return Err(IncomingError::BadHeader {
                line: line_no,
                text: shown(),
            });
        }
        pos = next;
    }
    if seen_field {
        Ok(skip)
    } else {
        Err(IncomingError::NotAnEmail {
            text: String::new(),
        })
    }
}

/// A byte that may not stand in a header line: C0 controls other than tab, and DEL.
/// (The line's own CR LF is removed before.)
fn is_control_byte(b: u8) -> bool {
    (b < 0x20 && b != b'\t') || b == 0x7f
}

/// The name of the header a line belongs to: its own for a field line, else the one
/// above (`previous`).
fn header_name(line: &[u8], previous: &str) -> String {
    if line.first().is_some_and(|&b| b == b' ' || b == b'\t') || !is_field_line(line) {
        return if previous.is_empty() {
            "a header".to_string()
        } else {
            previous.to_string()
        };
    }
    let colon = line.iter().position(|&b| b == b':').unwrap_or(line.len());
    let name = String::from_utf8_lossy(line.get(..colon).unwrap_or_default());
    format!("the {} header", name.trim())
}

/// Refuses a decoded header value (an RFC 2047 encoded word can carry any character)
/// with a control character other than tab.
fn check_decoded(header: &str, value: &str) -> Result<(), IncomingError> {
    match value.chars().find(|c| c.is_control() && *c != '\t') {
        Some(c) => Err(IncomingError::ControlCharacter {
            header: format!("the {header} header (once decoded)"),
            line: None,
            code: format!("U+{:04X}", u32::from(c)),
        }),
        None => Ok(()),
    }
}

/// `Name: value`: a name of printable ASCII without `:`, optional spaces or tabs, a
/// colon.
fn is_field_line(line: &[u8]) -> bool {
    let Some(colon) = line.iter().position(|&b| b == b':') else {
        return false;
    };
    let name = line.get(..colon).unwrap_or_default();
    let name_end = name
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(0, |p| p + 1);
    name_end > 0
        && name
            .get(..name_end)
            .unwrap_or_default()
            .iter()
            .all(|&b| (33..=126).contains(&b))
}

/// Refuses a multipart of the message whose boundary is missing, never opened or never
/// closed in the raw bytes.
fn check_multiparts(msg: &mail_parser::Message<'_>, raw: &[u8]) -> Result<(), IncomingError> {
    for part in &msg.parts {
        let Some(ct) = part.content_type() else {
            continue;
        };
        if !ct.ctype().eq_ignore_ascii_case("multipart") {
            continue;
        }
        let content_type = format!(
            "multipart/{}",
            ct.subtype().unwrap_or("mixed").to_ascii_lowercase()
        );
        let Some(boundary) = ct.attribute("boundary").filter(|b| !b.is_empty()) else {
            return Err(IncomingError::BrokenMultipart {
                content_type,
                problem: "has no boundary parameter, so its parts cannot be told apart".to_string(),
            });
        };
        let delimiter = [b"--".as_slice(), boundary.as_bytes()].concat();
        let mut opened = false;
        let mut closed = false;
        for line in raw.split(|&b| b == b'\n') {
            let Some(rest) = line.strip_prefix(delimiter.as_slice()) else {
                continue;
            };
            let (is_close, rest) = match rest.strip_prefix(b"--") {
                Some(r) => (true, r),
                None => (false, rest),
            };
            if rest.iter().all(|b| b.is_ascii_whitespace()) {
                if is_close {
                    closed = true;
                } else {
                    opened = true;
                }
            }
        }
        if !opened {
            return Err(IncomingError::BrokenMultipart {
                content_type,
                problem: format!("never starts a part (no line \"--{boundary}\")"),
            });
        }
        if !closed {
            return Err(IncomingError::BrokenMultipart {
                content_type,
                problem: format!(
                    "is never closed (no line \"--{boundary}--\"); the message was probably cut off"
                ),
            });
        }
    }
    Ok(())
}

fn bracketed(id: &str) -> String {
    let id = id.trim();
    if id.starts_with('<') && id.ends_with('>') {
        id.to_string()
    } else {
        format!("<{}>", id.trim_start_matches('<').trim_end_matches('>'))
    }
}

fn id_list(v: &HeaderValue<'_>) -> Vec<String> {
    let ids: Vec<String> = match v {
        HeaderValue::Text(t) => vec![t.to_string()],
        HeaderValue::TextList(l) => l.iter().map(|t| t.to_string()).collect(),
        _ => Vec::new(),
    };
    ids.iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| bracketed(s))
        .collect()
}

fn extension_for(content_type: &str) -> &'static str {
    match content_type {
        "text/plain" => ".txt",
        "text/html" => ".html",
        "message/rfc822" => ".eml",
        "application/pdf" => ".pdf",
        "image/png" => ".png",
        "image/jpeg" => ".jpg",
        "image/gif" => ".gif",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => ".docx",
        _ => ".bin",
    }
}

/// `base`, or `base` with `-2`, `-3`, … before its extension, whichever is not yet in
/// `used` (compared without case); the result is added to `used`.
fn unique_name(base: &str, used: &mut BTreeSet<String>) -> String {
    let (stem, ext) = split_extension(base);
    let mut name = base.to_string();
    let mut k = 2;
    while used.contains(&name.to_lowercase()) {
        name = format!("{stem}-{k}{ext}");
        k += 1;
    }
    used.insert(name.to_lowercase());
    name
}

/// (stem, extension with its dot): `("a.b", ".docx")`; no extension for a name without
/// a dot, with a leading dot only, or with an extension over 16 bytes.
fn split_extension(name: &str) -> (&str, &str) {
    match name.rfind('.') {
        Some(p) if p > 0 && name.len() - p <= 17 => (&name[..p], &name[p..]),
        _ => (name, ""),
    }
}

/// The longest file name [`safe_file_name`] returns, in bytes.
pub const MAX_FILE_NAME: usize = 100;

/// A safe single path component from an attachment's file name:
///
/// - only what follows the last `/` or `\` is kept (`../../etc/passwd` → `passwd`,
///   `C:\x\y.docx` → `y.docx`);
/// - control characters (NUL, line breaks, tabs, …), the characters `< > : " | ? *`
///   and invisible direction marks (which can disguise an extension) become `_`;
///   other whitespace becomes a space;
/// - spaces are trimmed, trailing dots removed, and a leading dot becomes `_` (so never
///   `.`, `..` or a hidden file);
/// - a Windows device name (`CON`, `PRN`, `AUX`, `NUL`, `COM0`–`COM9`, `LPT0`–`LPT9`,
///   with any extension, any case) gets a leading `_`;
/// - at most [`MAX_FILE_NAME`] bytes, cut at a character boundary, keeping an
///   extension of up to 16 bytes;
/// - never empty: `attachment` when nothing is left.
pub fn safe_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let mut s: String = base
        .chars()
        .map(|c| {
            if c.is_control()
                || matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*')
                || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
            {
                '_'
            } else if c.is_whitespace() {
                ' '
            } else {
                c
            }
        })
        .collect();
    s = tidy_ends(&s);
    if s.starts_with('.') {
        s.replace_range(..1, "_");
    }
    if is_device_name(&s) {
        s.insert(0, '_');
    }
    if s.len() > MAX_FILE_NAME {
        let (stem, ext) = split_extension(&s);
        let keep = MAX_FILE_NAME.saturating_sub(ext.len());
        let stem = cut(stem, keep);
        s = tidy_ends(&format!("{}{ext}", stem.trim_end_matches([' ', '.'])));
        if s.len() > MAX_FILE_NAME {
            s = tidy_ends(cut(&s, MAX_FILE_NAME));
        }
    }
    if s.is_empty() {
        return "attachment".to_string();
    }
    s
}

/// Trims spaces at both ends and dots at the end.
fn tidy_ends(s: &str) -> String {
    s.trim_matches(' ').trim_end_matches(['.', ' ']).to_string()
}

/// The longest prefix of `s` of at most `max` bytes that ends at a character boundary.
fn cut(s: &str, max: usize) -> &str {
    let mut end = max.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn is_device_name(name: &str) -> bool {
    let stem = name
        .split('.')
        .next()
        .unwrap_or_default()
        .trim_end()
        .to_ascii_uppercase();
    match stem.as_str() {
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$" => true,
        s => {
            let b = s.as_bytes();
            (s.starts_with("COM") || s.starts_with("LPT"))
                && (b.len() == 4 && b[3].is_ascii_digit()
                    || matches!(s.get(3..), Some("¹" | "²" | "³")))
        }
    }
}

fn shorten(line: &str) -> String {
    crate::columns::cut(line.trim_end(), 60).into_owned()
}

pub use crate::mail::subject_token;

fn is_party_code(s: &str) -> bool {
    (2..=12).contains(&s.len())
        && s.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The round id and party code of a Message-ID made by [`crate::mail::message_id`],
/// `<round.party.unique@domain>` (angle brackets optional), for matching `In-Reply-To`
/// and `References`.
///
/// The part before `@` must have exactly three dot-separated parts; the round id must
/// be lower-case ASCII letters and digits starting with a letter, the party code 2 to
/// 12 upper-case letters and digits starting with a letter. Other ids give `None`. The
/// domain is not checked: the caller compares the round with the rounds it knows.
pub fn message_id_parts(id: &str) -> Option<(String, String)> {
    let t = id.trim();
    let inner = t.strip_prefix('<').unwrap_or(t);
    let inner = inner.strip_suffix('>').unwrap_or(inner);
    let (left, domain) = inner.rsplit_once('@')?;
    if domain.is_empty() {
        return None;
    }
    let mut parts = left.split('.');
    let (round, party, unique) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || unique.is_empty() {
        return None;
    }
    let round_ok = round.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && round
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    let party_ok = is_party_code(party) && !party.bytes().any(|b| b.is_ascii_lowercase());
    (round_ok && party_ok).then(|| (round.to_string(), party.to_string()))
}

/// The SHA-256 of the bytes as given, in lower-case hex (64 characters): the same file
/// always gives the same digest, so importing it again can be recognised. (The same
/// message saved by two mail programs may differ in its bytes, and then in its
/// digest.)
pub fn message_digest(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in hash.iter() {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 15)]));
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

#[cfg(test)]
#[path = "email_tests.rs"]
mod tests;

/// Lines that open a letter ("Hei", "Hei alle", "Hei Kari,", "Dear colleagues"): a line
/// of at most four words whose first word (or two) is one of these.
const GREETINGS: [&str; 10] = [
    "hei", "hallo", "heisann", "god dag", "goddag", "dear", "hi", "hello", "kjære", "kære",
];

/// Lines that close a letter; what follows is the sender's name and title.
const SIGN_OFFS: [&str; 22] = [
    "med vennlig hilsen",
    "med vennleg helsing",
    "med venleg helsing",
    "med venlig hilsen",
    "med helsing",
    "med hilsen",
    "vennlig hilsen",
    "vennleg helsing",
    "venleg helsing",
    "venlig hilsen",
    "beste hilsen",
    "beste helsing",
    "hilsen",
    "helsing",
    "mvh",
    "vh",
    "best regards",
    "kind regards",
    "regards",
    "best wishes",
    "sincerely",
    "yours sincerely",
];

fn words_of(line: &str) -> String {
    line.to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a line is a greeting ("Hei,", "Hei alle", "Dear Kari").
pub fn is_greeting(line: &str) -> bool {
    let w = words_of(line);
    let n = w.split_whitespace().count();
    n > 0
        && n <= 4
        && GREETINGS
            .iter()
            .any(|g| w == *g || w.starts_with(&format!("{g} ")))
        && !line.trim_end().ends_with(['.', '?'])
}

/// Whether a line is a sign-off ("Med hilsen", "Mvh Kari", "Best regards,").
pub fn is_sign_off(line: &str) -> bool {
    let w = words_of(line);
    SIGN_OFFS.iter().any(|s| {
        w == *s
            || (w.starts_with(&format!("{s} "))
                && w.split_whitespace().count() <= s.split_whitespace().count() + 3)
    })
}

/// A reply's own words without the greeting before them and the sign-off (with the
/// name lines after it): "Hei,\n\nVi støtter målet.\n\nMed hilsen\nKari" → "Vi støtter
/// målet.". Blank edges are trimmed.
pub fn without_greeting_and_sign_off(text: &str) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    // The greeting: the first non-empty line.
    if let Some(first) = lines.iter().position(|l| !l.trim().is_empty())
        && is_greeting(lines[first])
    {
        lines.drain(..=first);
    }
    if let Some(at) = lines.iter().position(|l| is_sign_off(l)) {
        lines.truncate(at);
    }
    lines.join("\n").trim().to_string()
}

/// Whether a reply's text (greeting and sign-off removed) only covers an attachment
/// ("Vedlagt følger våre merknader.", "Se vedlegg.", "Please find our comments
/// attached."): every sentence names the attachment and has no word outside the small
/// vocabulary of covering notes. Anything else ("I tillegg til vedlegget: kapittel 4
/// mangler en omtale av budsjett.") is the party's own words and stays a comment: when
/// in doubt, keep.
pub fn only_covers_attachment(text: &str) -> bool {
    const NAMES_IT: [&str; 9] = [
        "vedlagt",
        "vedlegg",
        "vedlegget",
        "vedlagde",
        "vedlagte",
        "attached",
        "attachment",
        "enclosed",
        "vedhæftet",
    ];
    const COVERING: [&str; 61] = [
        "følger",
        "fylgjer",
        "hermed",
        "herved",
        "her",
        "med",
        "er",
        "i",
        "som",
        "på",
        "se",
        "sjå",
        "til",
        "fra",
        "frå",
        "og",
        "vår",
        "våre",
        "vårt",
        "vores",
        "våres",
        "merknader",
        "merknadene",
        "merknad",
        "kommentarer",
        "kommentarane",
        "innspill",
        "innspel",
        "høringssvar",
        "høyringssvar",
        "svar",
        "svaret",
        "uttalelse",
        "fråsegn",
        "word",
        "dokument",
        "dokumentet",
        "fil",
        "filen",
        "fila",
        "docx",
        "sendes",
        "oversendes",
        "please",
        "find",
        "our",
        "comments",
        "response",
        "the",
        "is",
        "are",
        "as",
        "in",
        "with",
        "a",
        "file",
        "document",
        "here",
        "herewith",
        "bemærkninger",
        "fremgår",
    ];
    let mut sentences = 0;
    for sentence in text.split(['.', '!', '?', ':', ';', '\n']) {
        let w = words_of(sentence);
        if w.is_empty() {
            continue;
        }
        sentences += 1;
        let words: Vec<&str> = w.split_whitespace().collect();
        let names_it = words.iter().any(|x| NAMES_IT.contains(x));
        let only_covering = words.iter().all(|x| {
            NAMES_IT.contains(x)
                || COVERING.contains(x)
                || x.ends_with("departementet")
                || x.ends_with("departementets")
        });
        if !(names_it && only_covering && words.len() <= 16) {
            return false;
        }
    }
    sentences > 0
}

#[cfg(test)]
mod greeting_tests {
    use super::*;

    #[test]
    fn greetings_and_sign_offs_are_not_the_reply() {
        for (body, want) in [
            (
                "Hei,\n\nVi støtter målet.\n\nMed hilsen\nKari Nordmann\nFinansdepartementet",
                "Vi støtter målet.",
            ),
            (
                "Hei alle\n\nFristen er kort.\n\nMed vennleg helsing\nOla",
                "Fristen er kort.",
            ),
            (
                "Vi støtter målet.\n\nVennlig hilsen\nKari",
                "Vi støtter målet.",
            ),
            (
                "Dear colleagues,\n\nFine.\n\nBest regards,\nJane Doe",
                "Fine.",
            ),
            ("Hello\nOk.\nKind regards\nJ", "Ok."),
            ("Heia Norge er et mål.", "Heia Norge er et mål."),
            (
                "Hei, vi mener kapittel 2 bør strykes.",
                "Hei, vi mener kapittel 2 bør strykes.",
            ),
            ("Mvh Kari", ""),
            ("Hei\n\nMed hilsen\nKari", ""),
        ] {
            assert_eq!(without_greeting_and_sign_off(body), want, "{body:?}");
        }
        assert!(only_covers_attachment(
            "Vedlagt følger våre merknader i Word."
        ));
        assert!(only_covers_attachment("Please find our comments attached."));
        assert!(only_covers_attachment(
            "Vedlagt følger Finansdepartementets merknader.\n\nSe vedlegget."
        ));
        // The party's own words beside the attachment are a comment.
        assert!(!only_covers_attachment(
            "I tillegg til vedlegget: kapittel 4 mangler en omtale av budsjett."
        ));
        assert!(!only_covers_attachment(
            "Vedlagt følger våre merknader. Vi savner budsjettet."
        ));
        assert!(!only_covers_attachment(
            "Vi mener målet er for lavt, se også vedlegg."
                .repeat(3)
                .as_str()
        ));
    }
}
