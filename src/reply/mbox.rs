//! Splitting an mbox file (a mailbox as Thunderbird, Outlook and `mutt` export it) into
//! its messages.
//!
//! An mbox is messages one after another, each begun by a separator line that starts
//! with `From ` (`From - Mon Dec 15 10:00:00 2025`, `From sender@example Mon …`). A
//! body line that starts with `From ` was quoted as `>From ` when the message was
//! written; mboxrd quotes `>From ` again as `>>From `, mboxo does not. This reads both
//! the mboxrd way (one `>` taken off every `>…>From ` line), which is what an mboxo
//! export needs too except for a body line that itself started with `>From `.
//!
//! Each message is given back with its number (from 1), the lines and byte offset it
//! takes in the file, and its Message-ID if its header has one, so that a message that
//! cannot be imported can be named to the person who has the file open.

/// One message of an mbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MboxMessage {
    /// Its number in the file, from 1.
    pub number: usize,
    /// The line of its `From ` separator (from 1).
    pub first_line: usize,
    /// Its last line (the blank line before the next separator not counted).
    pub last_line: usize,
    /// The byte offset of its separator line.
    pub offset: usize,
    /// Its `Message-ID` header, without the angle brackets, if it has one.
    pub message_id: Option<String>,
    /// The message itself: the separator line left out, `>From ` lines unquoted.
    pub bytes: Vec<u8>,
}

/// Whether `bytes` is an mbox rather than one message: it starts with a `From `
/// separator line (a message starts with a header, `From:` with a colon).
pub fn is_mbox(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    bytes.starts_with(b"From ")
}

/// Whether `line` (with its line ending) is a separator: `From ` at the start of a line
/// that follows a blank line or the start of the file.
fn is_separator(line: &[u8]) -> bool {
    line.starts_with(b"From ")
}

/// The messages of an mbox, in order. Text before the first separator (there should be
/// none) is not a message and is skipped; a separator with nothing after it is a
/// message with no bytes (which the import refuses, naming it).
pub fn split_mbox(bytes: &[u8]) -> Vec<MboxMessage> {
    let bom = if bytes.starts_with(b"\xef\xbb\xbf") {
        3
    } else {
        0
    };
    let mut out: Vec<MboxMessage> = Vec::new();
    let mut current: Option<MboxMessage> = None;
    // Whether the line before was blank (a separator only follows one, or the start).
    let mut after_blank = true;
    let mut offset = bom;
    let mut line_no = 0;
    for line in bytes[bom..].split_inclusive(|b| *b == b'\n') {
        line_no += 1;
        let start = offset;
        offset += line.len();
        if after_blank && is_separator(line) {
            if let Some(m) = current.take() {
                out.push(finish(m));
            }
            current = Some(MboxMessage {
                number: out.len() + 1,
                first_line: line_no,
                last_line: line_no,
                offset: start,
                message_id: None,
                bytes: Vec::new(),
            });
            after_blank = false;
            continue;
        }
        let content = line
            .strip_suffix(b"\n")
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .unwrap_or(line);
        after_blank = content.is_empty();
        let Some(m) = current.as_mut() else {
            continue;
        };
        m.last_line = line_no;
        // mboxrd: ">From ", ">>From ", …: one quoting ">" taken off.
        let quoted = line.iter().take_while(|b| **b == b'>').count();
        if quoted > 0 && line[quoted..].starts_with(b"From ") {
            m.bytes.extend_from_slice(&line[1..]);
        } else {
            m.bytes.extend_from_slice(line);
        }
    }
    if let Some(m) = current.take() {
        out.push(finish(m));
    }
    out
}

/// A message once all its lines are in: the blank line that ends it in the mbox (before
/// the next separator) taken off, its last line and Message-ID found.
fn finish(mut m: MboxMessage) -> MboxMessage {
    if m.bytes.ends_with(b"\r\n\r\n") {
        m.bytes.truncate(m.bytes.len() - 2);
        m.last_line = m.last_line.saturating_sub(1).max(m.first_line);
    } else if m.bytes.ends_with(b"\n\n") {
        m.bytes.truncate(m.bytes.len() - 1);
        m.last_line = m.last_line.saturating_sub(1).max(m.first_line);
    }
    if m.bytes.iter().all(u8::is_ascii_whitespace) {
        m.bytes.clear();
        m.last_line = m.first_line;
    }
    m.message_id = header_message_id(&m.bytes);
    m
}

/// The `Message-ID` of a message's header (read leniently: the message may be broken),
/// without its angle brackets.
fn header_message_id(bytes: &[u8]) -> Option<String> {
    for line in bytes.split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            break;
        }
        let text = String::from_utf8_lossy(line);
        let Some((name, value)) = text.split_once(':') else {
            continue;
        };
        if name.trim().eq_ignore_ascii_case("message-id") {
            let id = value
                .trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .chars()
                .filter(|c| !c.is_control())
                .take(200)
                .collect::<String>();
            return Some(id).filter(|i| !i.is_empty());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO: &str = "From - Mon Dec 15 10:00:00 2025\nFrom: A <a@x.example>\nMessage-ID: <one@x.example>\nSubject: one\n\nFirst body.\n>From here on it is quoted.\n>>From twice.\n\nFrom b@y.example Mon Dec 15 11:00:00 2025\nFrom: B <b@y.example>\nSubject: two\n\nSecond body.\n";

    #[test]
    fn splits_at_separators_and_unquotes_from_lines() {
        assert!(is_mbox(TWO.as_bytes()));
        assert!(!is_mbox(b"From: A <a@x.example>\n\nbody\n"));
        let m = split_mbox(TWO.as_bytes());
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].number, 1);
        assert_eq!((m[0].first_line, m[0].last_line), (1, 8));
        assert_eq!(m[0].offset, 0);
        assert_eq!(m[0].message_id.as_deref(), Some("one@x.example"));
        assert_eq!(
            String::from_utf8_lossy(&m[0].bytes),
            "From: A <a@x.example>\nMessage-ID: <one@x.example>\nSubject: one\n\nFirst body.\nFrom here on it is quoted.\n>From twice.\n"
        );
        assert_eq!((m[1].first_line, m[1].last_line), (10, 14));
        assert_eq!(&TWO[m[1].offset..m[1].offset + 5], "From ");
        assert_eq!(m[1].message_id, None);
        assert!(m[1].bytes.starts_with(b"From: B"));
    }

    #[test]
    fn a_from_line_inside_a_paragraph_is_no_separator_and_crlf_is_kept() {
        let text = "From - x\r\nFrom: A <a@x.example>\r\n\r\nline\r\nFrom the start\r\n\r\nFrom - y\r\nFrom: B <b@x.example>\r\n\r\nb\r\n";
        let m = split_mbox(text.as_bytes());
        assert_eq!(m.len(), 2, "{m:?}");
        assert_eq!(
            String::from_utf8_lossy(&m[0].bytes),
            "From: A <a@x.example>\r\n\r\nline\r\nFrom the start\r\n"
        );
    }

    #[test]
    fn empty_and_garbage_give_no_messages_and_an_empty_message_is_kept() {
        assert!(split_mbox(b"").is_empty());
        assert!(split_mbox(b"not a mailbox\n").is_empty());
        let m = split_mbox(b"From - a\n\nFrom - b\nFrom: x@y\n\nz\n");
        assert_eq!(m.len(), 2);
        assert!(m[0].bytes.is_empty(), "{:?}", m[0]);
        assert_eq!((m[0].first_line, m[0].last_line), (1, 1));
        assert_eq!((m[1].first_line, m[1].offset), (3, 10));
    }
}
