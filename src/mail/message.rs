//! One outgoing message, built into RFC 5322 bytes with lettre's builder.
//!
//! Header safety: lettre encodes non-ASCII display names and subjects per RFC 2047 and
//! would encode a bare line break rather than let it start a new header line, but we do
//! not lean on that: a line break or other control character in a display name, the
//! subject, an attachment's file name or an extra header is refused with
//! [`MailError::HeaderInjection`] before lettre sees it. Message-IDs are checked
//! against RFC 5322's `msg-id` (without the obsolete forms).

use std::str::FromStr;
use std::time::SystemTime;

use lettre::Message;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{MultiPart, SinglePart};

use super::MailError;
use super::render::is_line_breaking;

/// A display name and an address, such as `Finansdepartementet <postmottak@fin.dep.example>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    /// The display name; empty for none. Non-ASCII is fine (it is encoded).
    pub name: String,
    /// The address, `local@domain`.
    pub address: String,
}

impl Mailbox {
    /// A mailbox from a display name (may be empty) and an address.
    pub fn new(name: impl Into<String>, address: impl Into<String>) -> Mailbox {
        Mailbox {
            name: name.into(),
            address: address.into(),
        }
    }

    fn to_lettre(
        &self,
        role: &str,
        recipient: &str,
    ) -> Result<lettre::message::Mailbox, MailError> {
        check_one_line(&format!("display name of the {role}"), &self.name)?;
        let address = lettre::Address::from_str(self.address.trim()).map_err(|e| {
            MailError::InvalidMessage {
                recipient: recipient.to_string(),
                message: format!(
                    "the {role}'s address {:?} is not a valid e-mail address ({e}).",
                    self.address
                ),
            }
        })?;
        let name = self.name.trim();
        Ok(lettre::message::Mailbox::new(
            (!name.is_empty()).then(|| name.to_string()),
            address,
        ))
    }
}

/// A file attached to a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The file name the recipient sees, e.g. "Utkast v1.docx". Non-ASCII is fine.
    pub filename: String,
    /// The MIME type, e.g. "application/pdf" or "text/plain; charset=utf-8".
    pub content_type: String,
    /// The content.
    pub bytes: Vec<u8>,
}

/// A message ready to be turned into an `.eml`.
#[derive(Debug, Clone, PartialEq)]
pub struct OutgoingMail {
    /// The sender.
    pub from: Mailbox,
    /// Where replies go, if not to the sender.
    pub reply_to: Option<Mailbox>,
    /// The recipient.
    pub to: Mailbox,
    /// The subject: one line.
    pub subject: String,
    /// The plain-text body (UTF-8).
    pub body_text: String,
    /// Files attached after the body, in this order.
    pub attachments: Vec<Attachment>,
    /// The Message-ID, with its angle brackets: `<local@domain>`; see [`message_id`].
    pub message_id: String,
    /// The Message-ID this message answers or follows up, if any (also sent as References).
    pub in_reply_to: Option<String>,
    /// The Date header.
    pub date: jiff::Timestamp,
    /// More headers, such as `("X-Strategi-Round", "r7k3q9x2mf")`. Names that the
    /// message sets itself (From, To, Subject, Content-Type, …) are refused.
    pub extra_headers: Vec<(String, String)>,
}

/// Headers that `to_eml` writes itself, or that would change where the message goes.
const RESERVED_HEADERS: [&str; 16] = [
    "from",
    "sender",
    "reply-to",
    "to",
    "cc",
    "bcc",
    "subject",
    "date",
    "message-id",
    "in-reply-to",
    "references",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "content-disposition",
    "return-path",
];

impl OutgoingMail {
    /// The envelope sender: the From address.
    pub fn envelope_from(&self) -> String {
        self.from.address.trim().to_string()
    }

    /// The envelope recipients: the To address.
    pub fn envelope_to(&self) -> Vec<String> {
        vec![self.to.address.trim().to_string()]
    }

    /// The message as RFC 5322 bytes (CRLF line ends): a text/plain UTF-8 body, inside a
    /// multipart/mixed with the attachments when there are any.
    pub fn to_eml(&self) -> Result<Vec<u8>, MailError> {
        let rcpt = self.to.address.as_str();
        let invalid = |message: String| MailError::InvalidMessage {
            recipient: rcpt.to_string(),
            message,
        };
        check_one_line("subject", &self.subject)?;
        if !is_msg_id(&self.message_id) {
            return Err(invalid(format!(
                "the Message-ID {:?} is not of the form <local@domain> in printable ASCII without spaces.",
                self.message_id
            )));
        }
        let date = SystemTime::try_from(self.date).map_err(|e| {
            invalid(format!(
                "the date {} cannot be written in a Date header ({e}).",
                self.date
            ))
        })?;
        let mut b = Message::builder()
            .from(self.from.to_lettre("sender", rcpt)?)
            .to(self.to.to_lettre("recipient", rcpt)?)
            .subject(self.subject.trim())
            .date(date)
            .message_id(Some(self.message_id.clone()));
        if let Some(rt) = &self.reply_to {
            b = b.reply_to(rt.to_lettre("reply-to mailbox", rcpt)?);
        }
        if let Some(irt) = &self.in_reply_to {
            if !is_msg_id(irt) {
                return Err(invalid(format!(
                    "the In-Reply-To id {irt:?} is not of the form <local@domain> in printable ASCII without spaces."
                )));
            }
            b = b.in_reply_to(irt.clone()).references(irt.clone());
        }
        for (name, value) in &self.extra_headers {
            let ok_name = !name.is_empty()
                && name.bytes().all(|c| (33..=126).contains(&c) && c != b':')
                && !RESERVED_HEADERS.contains(&name.to_ascii_lowercase().as_str());
            if !ok_name {
                return Err(invalid(format!(
                    "{name:?} cannot be used as an extra header name (printable ASCII without a colon, and not one of the headers the message sets itself)."
                )));
            }
            check_one_line(&format!("value of the header {name}"), value)?;
            let hname = HeaderName::new_from_ascii(name.clone())
                .map_err(|_| invalid(format!("{name:?} is not a valid header name.")))?;
            b = b.raw_header(HeaderValue::new(hname, value.clone()));
        }

        let text = SinglePart::plain(self.body_text.clone());
        if self.attachments.is_empty() {
            let message = b.singlepart(text).map_err(|e| invalid(format!("{e}.")))?;
            return Ok(message.formatted());
        }
        let mut parts = vec![text];
        for a in &self.attachments {
            check_one_line("attachment's file name", &a.filename)?;
            if a.filename.trim().is_empty() {
                return Err(invalid("an attachment has no file name.".to_string()));
            }
            let ct = ContentType::parse(&a.content_type).map_err(|e| {
                invalid(format!(
                    "the attachment \"{}\" has the content type {:?}, which is not a valid MIME type ({e}).",
                    a.filename, a.content_type
                ))
            })?;
            parts.push(
                lettre::message::Attachment::new(a.filename.trim().to_string())
                    .body(a.bytes.clone(), ct),
            );
        }
        // The MIME boundary is derived from the Message-ID, so that the same message
        // always gives the same bytes; a boundary that happens to occur in the content
        // is replaced by the next candidate.
        let seed = fnv1a(self.message_id.as_bytes());
        for attempt in 0u64..16 {
            let boundary = format!("strategi-{:016x}-{attempt}", seed);
            let mixed = parts.iter().fold(
                MultiPart::mixed().boundary(boundary.clone()).build(),
                |m, p| m.singlepart(p.clone()),
            );
            let bytes = b
                .clone()
                .multipart(mixed)
                .map_err(|e| invalid(format!("{e}.")))?
                .formatted();
            let marker = format!("--{boundary}");
            let uses = String::from_utf8_lossy(&bytes)
                .lines()
                .filter(|l| l.starts_with(&marker))
                .count();
            if uses == parts.len() + 1 {
                return Ok(bytes);
            }
        }
        // Sixteen collisions cannot happen by chance; take lettre's random boundary.
        let mixed = parts
            .into_iter()
            .fold(MultiPart::mixed().build(), |m, p| m.singlepart(p));
        let message = b.multipart(mixed).map_err(|e| invalid(format!("{e}.")))?;
        Ok(message.formatted())
    }
}

/// 64-bit FNV-1a: a stable, dependency-free hash for the MIME boundary.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Refuses a value that holds a line break or other control character.
fn check_one_line(field: &str, value: &str) -> Result<(), MailError> {
    if value.chars().any(is_line_breaking) {
        return Err(MailError::HeaderInjection {
            field: field.to_string(),
            value: value.to_string(),
        });
    }
    Ok(())
}

/// The subject token that ties a reply to its round and party: `[strategi ROUND/PARTY]`.
///
/// Every letter's subject carries it (the templates must put `{{subject_token}}` in the
/// Subject line), and the response form repeats it; the importer reads it back from a
/// reply's subject ([`subject_token`], just below).
pub fn subject_token_for(round: &str, party: &str) -> String {
    format!("[strategi {round}/{party}]")
}

/// The round id and party code of the subject token `[strategi <round>/<PARTY>]`,
/// anywhere in the subject (after `Re:`, `SV:`, `VS:`, `Fwd:` and the like).
///
/// `strategi` may be in any case and followed by any whitespace; the round id is 1 to
/// 32 ASCII letters or digits (returned in lower case, as a possibly shortened round
/// id), the party code 2 to 12 letters or digits starting with a letter (returned in
/// upper case). `None` when there is no token, or when the subject holds tokens for
/// different rounds or parties (a reply cannot answer two).
pub fn subject_token(subject: &str) -> Option<(String, String)> {
    let mut found: Option<(String, String)> = None;
    let mut rest = subject;
    while let Some(open) = rest.find('[') {
        let after = rest.get(open + 1..).unwrap_or_default();
        rest = after;
        let Some(close) = after.find(']') else {
            break;
        };
        let inner = after.get(..close).unwrap_or_default().trim();
        let Some(token) = read_token(inner) else {
            continue;
        };
        match &found {
            Some(f) if *f != token => return None,
            _ => found = Some(token),
        }
    }
    found
}

fn read_token(inner: &str) -> Option<(String, String)> {
    let head = inner.get(..8)?;
    if !head.eq_ignore_ascii_case("strategi") {
        return None;
    }
    let rest = inner.get(8..)?;
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let (round, party) = rest.trim().split_once('/')?;
    let (round, party) = (round.trim(), party.trim());
    let round_ok =
        (1..=32).contains(&round.len()) && round.bytes().all(|b| b.is_ascii_alphanumeric());
    if !round_ok || party.parse::<crate::model::PartyCode>().is_err() {
        return None;
    }
    Some((round.to_ascii_lowercase(), party.to_ascii_uppercase()))
}

/// A Message-ID for a letter: `<round.party.unique@domain>`.
///
/// `unique` must make the id unique (the caller supplies it, e.g. a random string or a
/// time stamp with a counter). Characters that a Message-ID cannot hold are replaced by
/// `-`; an empty part becomes `x`. The result always passes [`OutgoingMail::to_eml`]'s
/// check.
pub fn message_id(round: &str, party: &str, domain: &str, unique: &str) -> String {
    let left = [round, party, unique]
        .iter()
        .map(|p| atom(p, is_atext))
        .collect::<Vec<_>>()
        .join(".");
    let right = domain
        .split('.')
        .map(|label| atom(label, |c| c.is_ascii_alphanumeric() || c == '-'))
        .filter(|l| l != "x")
        .collect::<Vec<_>>()
        .join(".");
    let right = if right.is_empty() {
        "strategi.invalid".to_string()
    } else {
        right
    };
    format!("<{left}@{right}>")
}

/// `part` with every character that fails `ok` (and every dot) replaced by `-`, or `x`
/// if that leaves nothing.
fn atom(part: &str, ok: fn(char) -> bool) -> String {
    let s: String = part
        .trim()
        .chars()
        .map(|c| if ok(c) && c != '.' { c } else { '-' })
        .collect();
    if s.is_empty() { "x".to_string() } else { s }
}

/// RFC 5322 `atext`.
fn is_atext(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c)
}

/// `<dot-atom-text@dot-atom-text>` (or a `[...]` literal on the right).
fn is_msg_id(id: &str) -> bool {
    let Some(inner) = id.strip_prefix('<').and_then(|s| s.strip_suffix('>')) else {
        return false;
    };
    let Some((left, right)) = inner.split_once('@') else {
        return false;
    };
    let dot_atom = |s: &str| {
        !s.is_empty()
            && s.split('.')
                .all(|a| !a.is_empty() && a.chars().all(is_atext))
    };
    let literal = |s: &str| {
        s.strip_prefix('[')
            .and_then(|s| s.strip_suffix(']'))
            .is_some_and(|d| {
                !d.is_empty()
                    && d.bytes()
                        .all(|c| (33..=126).contains(&c) && !b"[]\\".contains(&c))
            })
    };
    dot_atom(left) && (dot_atom(right) || literal(right))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_tokens_are_read_back_by_the_importer() {
        let token = subject_token_for("r7k3q9xm", "FIN");
        assert_eq!(token, "[strategi r7k3q9xm/FIN]");
        let subject = format!("Framlegging: Strategi {token}");
        assert_eq!(
            subject_token(&subject),
            Some(("r7k3q9xm".to_string(), "FIN".to_string()))
        );
    }

    #[test]
    fn message_ids_are_valid() {
        let id = message_id("r7k3q9x2mf", "FIN", "dfd.dep.example", "20251103T100000-1");
        assert_eq!(id, "<r7k3q9x2mf.FIN.20251103T100000-1@dfd.dep.example>");
        assert!(is_msg_id(&id));
        let odd = message_id("r 1", "æ.ø", "", "a@b>c");
        assert!(is_msg_id(&odd), "{odd}");
        assert!(is_msg_id(&message_id("", "", "..", "")));
    }

    #[test]
    fn msg_id_check() {
        assert!(is_msg_id("<a.b@c.d>"));
        assert!(is_msg_id("<a@[127.0.0.1]>"));
        for bad in [
            "a@b",
            "<a@b",
            "<@b>",
            "<a@>",
            "<a b@c>",
            "<a..b@c>",
            "<a@b\r\nX: y>",
            "<a@[]>",
        ] {
            assert!(!is_msg_id(bad), "{bad}");
        }
    }
}
