//! The archival copy of a document: its readable content as UTF-8 text.
//!
//! Pure functions over the stored bytes, reusing the readers strategi already has (no
//! new parser): an e-mail through [`crate::reply::email::parse_message`] (its decoded
//! `From`, `To`, `Date` and `Subject` and its decoded text body), a Word file through
//! [`crate::word::read::read_docx`] (the text after its tracked changes, then its
//! comments and its tracked changes listed). The originals are kept beside the copy
//! with their own checksums, so a copy only has to be readable, not byte-faithful.
//! What the copy says in words of its own follows the case's language.

use crate::model::Lang;
use crate::reply::email::parse_message;
use crate::word::read::{ChangeKind, Docx, read_docx};

/// The copy's own words in one language.
struct Words {
    comments: &'static str,
    changes: &'static str,
    inserted: &'static str,
    deleted: &'static str,
    moved_from: &'static str,
    moved_to: &'static str,
    on: &'static str,
    unreadable: &'static str,
    kept: &'static str,
    bytes: &'static str,
}

fn words(lang: Lang) -> Words {
    match lang {
        Lang::Nb => Words {
            comments: "Kommentarer",
            changes: "Sporede endringer",
            inserted: "Satt inn",
            deleted: "Slettet",
            moved_from: "Flyttet herfra",
            moved_to: "Flyttet hit",
            on: "til",
            unreadable: "kunne ikke leses som tekst",
            kept: "bevart som original",
            bytes: "byte",
        },
        Lang::Nn => Words {
            comments: "Kommentarar",
            changes: "Spora endringar",
            inserted: "Sett inn",
            deleted: "Sletta",
            moved_from: "Flytta herifrå",
            moved_to: "Flytta hit",
            on: "til",
            unreadable: "kunne ikkje lesast som tekst",
            kept: "teken vare på som original",
            bytes: "byte",
        },
        Lang::En => Words {
            comments: "Comments",
            changes: "Tracked changes",
            inserted: "Inserted",
            deleted: "Deleted",
            moved_from: "Moved from here",
            moved_to: "Moved here",
            on: "on",
            unreadable: "could not be read as text",
            kept: "kept as the original",
            bytes: "bytes",
        },
        Lang::Da => Words {
            comments: "Kommentarer",
            changes: "Registrerede ændringer",
            inserted: "Indsat",
            deleted: "Slettet",
            moved_from: "Flyttet herfra",
            moved_to: "Flyttet hertil",
            on: "til",
            unreadable: "kunne ikke læses som tekst",
            kept: "bevaret som original",
            bytes: "bytes",
        },
    }
}

/// One line of a header or list: control characters (a decoded header may hold them)
/// become spaces, so each value stays on its line.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

fn mailbox(m: &crate::mail::Mailbox) -> String {
    if m.name.is_empty() {
        clean(&m.address)
    } else {
        format!("{} <{}>", clean(&m.name), clean(&m.address))
    }
}

/// The text of one file for the archival copy, by its name and bytes: an e-mail's
/// decoded headers and body, a Word file's text with its comments and tracked
/// changes, a UTF-8 file as it is; for anything else (or a file its reader refuses) a
/// line naming it, its size and that it is kept as the original.
pub fn file_text(lang: Lang, name: &str, bytes: &[u8]) -> String {
    let w = words(lang);
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    let text = match ext.as_deref() {
        Some("eml") => email_text(bytes),
        Some("docx") => read_docx(name, bytes).ok().map(|d| word_text(lang, &d)),
        _ => std::str::from_utf8(bytes).ok().map(str::to_string),
    };
    match text {
        Some(mut t) => {
            if !t.ends_with('\n') {
                t.push('\n');
            }
            t
        }
        None => {
            let why = if matches!(ext.as_deref(), Some("eml" | "docx")) {
                format!("{}; ", w.unreadable)
            } else {
                String::new()
            };
            format!("[{name}: {} {}, {why}{}]\n", bytes.len(), w.bytes, w.kept)
        }
    }
}

/// An e-mail's decoded `From`, `To`, `Date` and `Subject` and its decoded text body;
/// `None` when the message cannot be read.
pub fn email_text(bytes: &[u8]) -> Option<String> {
    let m = parse_message(bytes).ok()?;
    let mut out = format!("From: {}\n", mailbox(&m.from));
    if !m.to.is_empty() {
        let to: Vec<String> = m.to.iter().map(mailbox).collect();
        out.push_str(&format!("To: {}\n", to.join(", ")));
    }
    if let Some(d) = &m.date {
        out.push_str(&format!("Date: {}\n", clean(d)));
    }
    out.push_str(&format!("Subject: {}\n\n", clean(&m.subject)));
    out.push_str(m.text.trim_end());
    out.push('\n');
    Some(out)
}

/// A Word file's text after its tracked changes (headings marked with `#`), then its
/// comments (author, date, the text they are on, their text) and its tracked changes
/// (kind, author, date, text).
pub fn word_text(lang: Lang, d: &Docx) -> String {
    let w = words(lang);
    let mut out = String::new();
    for p in &d.paragraphs {
        if let Some(level) = p.heading {
            out.push_str(&"#".repeat(usize::from(level.clamp(1, 6))));
            out.push(' ');
        }
        out.push_str(p.new.trim_end());
        out.push_str("\n\n");
    }
    let who = |author: &Option<String>, date: &Option<String>| {
        let mut s = author.as_deref().map(clean).unwrap_or_default();
        if let Some(d) = date {
            if !s.is_empty() {
                s.push_str(", ");
            }
            s.push_str(&clean(d));
        }
        s
    };
    if !d.comments.is_empty() {
        out.push_str(&format!("## {}\n\n", w.comments));
        for c in &d.comments {
            let quote = match (c.start, c.end) {
                (Some(s), Some(e)) if s.para == e.para => d
                    .paragraphs
                    .get(s.para)
                    .and_then(|p| p.old.get(s.old..e.old))
                    .map(clean)
                    .filter(|q| !q.is_empty()),
                _ => None,
            };
            let mut line = format!("- {}", who(&c.author, &c.date));
            if let Some(q) = quote {
                line.push_str(&format!(" {} «{q}»", w.on));
            }
            line.push_str(&format!(": {}\n", c.text.trim().replace('\n', "\n  ")));
            out.push_str(&line);
        }
        out.push('\n');
    }
    if !d.changes.is_empty() {
        out.push_str(&format!("## {}\n\n", w.changes));
        for c in &d.changes {
            let kind = match c.kind {
                ChangeKind::Insert => w.inserted,
                ChangeKind::Delete => w.deleted,
                ChangeKind::MoveFrom => w.moved_from,
                ChangeKind::MoveTo => w.moved_to,
            };
            let by = who(&c.author, &c.date);
            let by = if by.is_empty() {
                String::new()
            } else {
                format!(" ({by})")
            };
            out.push_str(&format!("- {kind}{by}: «{}»\n", clean(&c.text)));
        }
        out.push('\n');
    }
    out.trim_end().to_string() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::word::read::{Change, Comment, Para, Pos};

    #[test]
    fn an_email_copy_has_its_decoded_headers_and_body() {
        let eml = "From: =?utf-8?q?Kari_S=C3=B8rensen?= <kari@fin.example>\r\n\
                   To: Postmottak <postmottak@dfd.example>, post@dio.example\r\n\
                   Subject: =?utf-8?q?Svar_p=C3=A5_h=C3=B8ring?=\r\n\
                   Date: Mon, 24 Nov 2025 14:03:12 +0100\r\n\
                   Message-ID: <1@fin.example>\r\n\
                   MIME-Version: 1.0\r\n\
                   Content-Type: text/plain; charset=utf-8\r\n\
                   Content-Transfer-Encoding: quoted-printable\r\n\
                   \r\n\
                   FIN st=C3=B8tter m=C3=A5let.\r\n";
        let t = file_text(Lang::Nb, "message.eml", eml.as_bytes());
        assert_eq!(
            t,
            "From: Kari Sørensen <kari@fin.example>\n\
             To: Postmottak <postmottak@dfd.example>, post@dio.example\n\
             Date: 2025-11-24T14:03:12+01:00\n\
             Subject: Svar på høring\n\n\
             FIN støtter målet.\n"
        );
        // A message its reader refuses is named, not copied raw.
        let t = file_text(Lang::Nn, "message.eml", b"");
        assert_eq!(
            t,
            "[message.eml: 0 byte, kunne ikkje lesast som tekst; teken vare på som original]\n"
        );
    }

    #[test]
    fn a_word_copy_has_its_text_comments_and_tracked_changes_in_the_case_language() {
        let para = |heading, old: &str, new: &str| Para {
            heading,
            old: old.into(),
            new: new.into(),
            ..Para::default()
        };
        let at = |para, old| Pos {
            para,
            old,
            new: old,
        };
        let d = Docx {
            paragraphs: vec![
                para(Some(2), "Mål", "Mål"),
                para(None, "Vi skal lære.", "Vi skal lære raskt."),
            ],
            comments: vec![Comment {
                id: "0".into(),
                author: Some("Per Hansen".into()),
                date: Some("2025-11-24T10:00:00Z".into()),
                text: "Definer.\nSe NOU.".into(),
                start: Some(at(1, 8)),
                end: Some(at(1, 13)),
                ..Comment::default()
            }],
            changes: vec![Change {
                kind: ChangeKind::Insert,
                id: "1".into(),
                author: Some("Per Hansen".into()),
                date: None,
                start: at(1, 13),
                end: at(1, 13),
                text: " raskt".into(),
                name: None,
            }],
            properties: Vec::new(),
        };
        assert_eq!(
            word_text(Lang::Nb, &d),
            "## Mål\n\nVi skal lære raskt.\n\n## Kommentarer\n\n\
             - Per Hansen, 2025-11-24T10:00:00Z til «lære»: Definer.\n  Se NOU.\n\n\
             ## Sporede endringer\n\n- Satt inn (Per Hansen): «raskt»\n"
        );
        assert!(word_text(Lang::En, &d).contains("## Tracked changes\n\n- Inserted"));
        assert!(word_text(Lang::Nn, &d).contains("## Kommentarar"));
        // Not a Word file after all: named with its size.
        assert_eq!(
            file_text(Lang::En, "reply.docx", b"PK\x03\x04broken"),
            "[reply.docx: 10 bytes, could not be read as text; kept as the original]\n"
        );
        assert_eq!(
            file_text(Lang::Nb, "brev.pdf", b"%PDF-1.4\xff"),
            "[brev.pdf: 9 byte, bevart som original]\n"
        );
    }
}
