//! The public bundle of a round, as a ministry publishes it: an index page listing
//! every answer, one page per public answer (party, date, position, comments) with its
//! original documents in a folder beside it, and exempted answers listed without any
//! content (party, date, legal basis). Pure: the caller gathers the answers (their
//! texts and stored originals) and the publicity decisions, and writes the files.
//!
//! Redactions are applied to every derived copy: the pages, and the originals that are
//! text. An original that cannot be redacted safely (a Word file, a PDF, an e-mail whose
//! raw bytes may hold the passage encoded) of an answer with a redaction is left out;
//! for an e-mail its decoded text is published redacted instead, and the page names
//! what was left out ("redigert versjon utelatt"). As a last guard, [`bundle`] drops any
//! file that still holds a redacted passage and reports it.

use std::fmt::Write as _;

use jiff::civil::Date;
use serde::Serialize;

use crate::calendar::format_date_words;
use crate::consultation::Redaction;
use crate::document::html::{case_page_start, escape, meta_row};
use crate::model::Lang;

use super::decisions::{Publicity, REDACTED, bases, redact};

/// One answer as the bundle shows it.
#[derive(Debug, Clone)]
pub struct BundleAnswer {
    /// Its key (`consultations/<round>/inbox/<digest>`, `comment/<id>`, `position/<id>`).
    pub key: String,
    /// The party's name.
    pub party_name: String,
    /// The party's code.
    pub party: String,
    /// The day it was given.
    pub date: Option<Date>,
    /// The party's position, in the case's words, when the answer gave one.
    pub position: Option<String>,
    /// The position's note.
    pub note: Option<String>,
    /// The comments.
    pub comments: Vec<BundleComment>,
    /// The stored originals.
    pub originals: Vec<Original>,
    /// The decision in force.
    pub publicity: Publicity,
}

/// A comment of an answer.
#[derive(Debug, Clone, Default)]
pub struct BundleComment {
    /// The section it is about.
    pub section: Option<String>,
    /// The passage of the draft it quotes.
    pub quote: Option<String>,
    /// The comment.
    pub text: String,
    /// A proposed wording.
    pub proposal: Option<String>,
}

/// One stored original of an answer.
#[derive(Debug, Clone)]
pub struct Original {
    /// Its file name (no folders).
    pub name: String,
    /// Its content.
    pub body: OriginalBody,
}

/// What an original is, for redaction.
#[derive(Debug, Clone)]
pub enum OriginalBody {
    /// UTF-8 text, redacted in place.
    Text(String),
    /// An e-mail message: its raw bytes, and its decoded text (subject, sender, body)
    /// published redacted in place of the raw message when the answer has a redaction.
    Email {
        /// The stored message.
        raw: Vec<u8>,
        /// Its decoded text.
        text: String,
    },
    /// Anything else (Word, PDF, images): copied as it is, or left out.
    Binary(Vec<u8>),
}

/// A public journal entry, for the journal page: the journal (`journal list`) hands
/// its public entries to [`bundle`]; with none the bundle has no journal page.
#[derive(Debug, Clone)]
pub struct JournalEntry {
    /// The document's date.
    pub date: Date,
    /// I (incoming), U (outgoing) or N (internal).
    pub direction: String,
    /// The party.
    pub party: String,
    /// The title as published (screened).
    pub title: String,
    /// The document number (`24/3095-74`), when it has one.
    pub number: Option<String>,
}

pub use super::decisions::answer_key;

/// "Skjermet" in the language: what the public journal shows for a screened name.
pub fn screened_word(lang: Lang) -> &'static str {
    match lang {
        Lang::Nb => "Skjermet",
        Lang::Nn => "Skjerma",
        Lang::En => "Screened",
        Lang::Da => "Skærmet",
    }
}

/// The public journal of one round: its letters, reminders and answers from the
/// case's journal, with their dates, I/U, parties, titles and document numbers. An
/// exempted answer shows "Skjermet" and its legal basis as its title, and no party
/// name unless the party is one of the case's listed parties (an organisation): a
/// respondent's or private person's name is screened too. A redacted answer's title
/// and party are screened when a redacted passage occurs in them.
pub fn public_journal(
    config: &crate::model::Config,
    journal: &crate::journal::Journal,
    round: &crate::model::RecordId,
    round_title: &str,
    decided: &super::Decisions,
) -> Vec<JournalEntry> {
    let lang = config.case.lang;
    let screened = screened_word(lang);
    journal
        .entries
        .iter()
        .filter(|e| e.round.as_ref() == Some(round))
        .map(|e| {
            let publicity = decided.of_entry(e);
            let listed = config.party(&e.party.code).is_some();
            let (party, title) = match &publicity {
                Publicity::Public => (e.party.name.clone(), e.title.clone()),
                Publicity::Exempt { basis } => (
                    if listed {
                        e.party.name.clone()
                    } else {
                        screened.to_string()
                    },
                    format!("{round_title}: {screened} ({basis})"),
                ),
                Publicity::Redacted { redactions } => {
                    let hit = |t: &str| redactions.iter().any(|r| t.contains(&r.text));
                    let party = if hit(&e.party.name) || !listed && hit(&e.title) {
                        screened.to_string()
                    } else {
                        e.party.name.clone()
                    };
                    let title = if hit(&e.title) {
                        format!("{round_title}: {screened}")
                    } else {
                        e.title.clone()
                    };
                    (party, title)
                }
            };
            JournalEntry {
                date: e.date,
                direction: e.direction.letter().to_string(),
                party,
                title,
                number: e.number.map(|n| n.to_string()),
            }
        })
        .collect()
}

/// The case and round a bundle is for.
#[derive(Debug, Clone)]
pub struct BundleHead {
    /// The case's language.
    pub lang: Lang,
    /// The case's title.
    pub case_title: String,
    /// The case's number, when it has one.
    pub case_number: Option<String>,
    /// The round's id.
    pub round: String,
    /// The round's title.
    pub round_title: String,
}

/// One file of the bundle.
#[derive(Debug, Clone)]
pub struct BundleFile {
    /// Its path in the bundle (`/`-separated).
    pub path: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// An original that was not published, and why.
#[derive(Debug, Clone, Serialize)]
pub struct LeftOut {
    /// The answer.
    pub answer: String,
    /// The original's name.
    pub file: String,
    /// Why.
    pub why: String,
}

/// The bundle.
#[derive(Debug, Clone)]
pub struct Bundle {
    /// Its files, `index.html` first.
    pub files: Vec<BundleFile>,
    /// The originals left out.
    pub left_out: Vec<LeftOut>,
}

struct Words {
    answers: &'static str,
    party: &'static str,
    /// The journal's party column: the sender of an answer, the recipient of a letter.
    journal_party: &'static str,
    date: &'static str,
    publicity: &'static str,
    public: &'static str,
    redacted: &'static str,
    exempt: &'static str,
    position: &'static str,
    note: &'static str,
    comments: &'static str,
    section: &'static str,
    general: &'static str,
    quote: &'static str,
    proposal: &'static str,
    originals: &'static str,
    left_out_binary: &'static str,
    left_out_email: &'static str,
    case_number: &'static str,
    round: &'static str,
    none: &'static str,
    journal: &'static str,
    direction: &'static str,
    title: &'static str,
    number: &'static str,
    back: &'static str,
    redaction_note: &'static str,
}

impl Words {
    fn of(lang: Lang) -> Words {
        match lang {
            Lang::Nb | Lang::Da => Words {
                answers: "Høringssvar",
                party: "Avsender",
                journal_party: "Avsender/mottaker",
                date: "Dato",
                publicity: "Offentlighet",
                public: "Offentlig",
                redacted: "Delvis unntatt offentlighet",
                exempt: "Unntatt offentlighet",
                position: "Standpunkt",
                note: "Merknad",
                comments: "Innspill",
                section: "Punkt",
                general: "Generelt",
                quote: "Sitert tekst",
                proposal: "Forslag til ny tekst",
                originals: "Originaldokumenter",
                left_out_binary: "redigert versjon utelatt: filen kan ikke sladdes trygt",
                left_out_email: "redigert versjon utelatt: e-posten er publisert som sladdet tekst",
                case_number: "Saksnummer",
                round: "Høringsrunde",
                none: "Ingen svar er mottatt.",
                journal: "Offentlig journal",
                direction: "I/U/N",
                title: "Tittel",
                number: "Dokumentnummer",
                back: "Tilbake til oversikten",
                redaction_note: "Sladdet tekst er merket […]",
            },
            Lang::Nn => Words {
                answers: "Høyringssvar",
                party: "Avsendar",
                journal_party: "Avsendar/mottakar",
                date: "Dato",
                publicity: "Offentlegheit",
                public: "Offentleg",
                redacted: "Delvis unnateke offentlegheit",
                exempt: "Unnateke offentlegheit",
                position: "Standpunkt",
                note: "Merknad",
                comments: "Innspel",
                section: "Punkt",
                general: "Generelt",
                quote: "Sitert tekst",
                proposal: "Forslag til ny tekst",
                originals: "Originaldokument",
                left_out_binary: "redigert versjon utelaten: fila kan ikkje sladdast trygt",
                left_out_email: "redigert versjon utelaten: e-posten er publisert som sladda tekst",
                case_number: "Saksnummer",
                round: "Høyringsrunde",
                none: "Ingen svar er mottekne.",
                journal: "Offentleg journal",
                direction: "I/U/N",
                title: "Tittel",
                number: "Dokumentnummer",
                back: "Tilbake til oversikta",
                redaction_note: "Sladda tekst er merkt […]",
            },
            Lang::En => Words {
                answers: "Consultation responses",
                party: "From",
                journal_party: "Sender/recipient",
                date: "Date",
                publicity: "Publicity",
                public: "Public",
                redacted: "Partly exempt from public access",
                exempt: "Exempt from public access",
                position: "Position",
                note: "Note",
                comments: "Comments",
                section: "Section",
                general: "General",
                quote: "Quoted text",
                proposal: "Proposed wording",
                originals: "Original documents",
                left_out_binary: "redacted version left out: the file cannot be redacted safely",
                left_out_email: "redacted version left out: the e-mail is published as redacted text",
                case_number: "Case number",
                round: "Consultation round",
                none: "No responses have been received.",
                journal: "Public journal",
                direction: "I/O/N",
                title: "Title",
                number: "Document number",
                back: "Back to the list",
                redaction_note: "Redacted text is marked […]",
            },
        }
    }

    fn status(&self, p: &Publicity) -> String {
        match p {
            Publicity::Public => self.public.to_string(),
            Publicity::Exempt { basis } => format!("{}, {basis}", self.exempt),
            Publicity::Redacted { redactions } => {
                format!("{}, {}", self.redacted, bases(redactions).join("; "))
            }
        }
    }
}

const CSS: &str = "
body{font:16px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:64em;margin:1.5em auto;padding:0 1em;color:#111}
header{border-bottom:2px solid #333;padding-bottom:.5em;margin-bottom:1em}
.case{margin:0;color:#444;font-size:.9em}
h1{font-size:1.5em;margin:.2em 0}
h2{font-size:1.15em;margin:1.5em 0 .4em}
h3{font-size:1em;margin:1em 0 .3em}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.1em 1em;margin:.4em 0;font-size:.9em}
dl.meta dt{font-weight:600}dl.meta dd{margin:0}
table{border-collapse:collapse;width:100%;font-size:.9em;margin:.3em 0}
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}
thead th{background:#f0f0f0}
blockquote{border-left:3px solid #ccc;margin-left:0;padding-left:1em;color:#444}
.text{white-space:pre-wrap}
.exempt{color:#555}
@media print{body{margin:0;max-width:none;font-size:10pt}thead{display:table-header-group}tr{break-inside:avoid}}
";

/// The file name stem of the `n`th answer (from 1): `svar-01-fin`.
fn stem(n: usize, party: &str) -> String {
    let code: String = party
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    format!("svar-{n:02}-{code}")
}

/// A file name safe to write: its last component, without control characters,
/// slashes or a leading dot.
fn safe_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let s: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '/' | '\\' | ':'))
        .collect();
    let s = s.trim_start_matches('.').to_string();
    let s = if s.is_empty() { "fil".to_string() } else { s };
    // An original of any other kind is published as text (`x.html.txt`), so that a
    // sender's page or script is never served beside the ministry's pages.
    let ext = s.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some(e) if PUBLISHED_AS_IS.contains(&e) => s,
        _ => format!("{s}.txt"),
    }
}

/// The kinds of original published under their own name: text, office documents, PDF,
/// e-mail and images that a browser shows without running them.
const PUBLISHED_AS_IS: [&str; 16] = [
    "txt", "pdf", "docx", "doc", "odt", "rtf", "xlsx", "xls", "ods", "csv", "eml", "png", "jpg",
    "jpeg", "gif", "tif",
];

fn date_words(d: Option<Date>, lang: Lang) -> String {
    d.map(|d| format_date_words(d, lang)).unwrap_or_default()
}

/// Renders the bundle. `answers` in the order listed; exempted answers get no page and
/// none of their originals; a redacted answer's texts are redacted everywhere.
/// `journal`: the public journal entries (none: no journal page).
pub fn bundle(head: &BundleHead, answers: &[BundleAnswer], journal: &[JournalEntry]) -> Bundle {
    let w = Words::of(head.lang);
    let mut files = Vec::new();
    let mut left_out = Vec::new();
    let mut rows = String::new();
    for (i, a) in answers.iter().enumerate() {
        let stem = stem(i + 1, &a.party);
        let party = format!("{} ({})", a.party_name, a.party);
        let date = date_words(a.date, head.lang);
        let status = w.status(&a.publicity);
        if let Publicity::Exempt { .. } = a.publicity {
            let _ = writeln!(
                rows,
                "<tr class=\"exempt\"><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&party),
                escape(&date),
                escape(&status)
            );
            continue;
        }
        let _ = writeln!(
            rows,
            "<tr><td><a href=\"{stem}.html\">{}</a></td><td>{}</td><td>{}</td></tr>",
            escape(&party),
            escape(&date),
            escape(&status)
        );
        let red = a.publicity.redactions();
        let mut linked = Vec::new();
        let mut notes = Vec::new();
        for o in &a.originals {
            // A redacted answer's originals are named without the passages, too.
            let name = if red.is_empty() {
                safe_name(&o.name)
            } else {
                safe_name(&redact(&o.name, red))
            };
            let path = format!("{stem}/{name}");
            match (&o.body, red.is_empty()) {
                (OriginalBody::Text(t), _) => {
                    files.push(BundleFile {
                        path,
                        bytes: redact(t, red).into_bytes(),
                    });
                    linked.push(name);
                }
                (OriginalBody::Email { raw, .. }, true) | (OriginalBody::Binary(raw), true) => {
                    files.push(BundleFile {
                        path,
                        bytes: raw.clone(),
                    });
                    linked.push(name);
                }
                (OriginalBody::Email { text, .. }, false) => {
                    let txt = format!("{name}.txt");
                    files.push(BundleFile {
                        path: format!("{stem}/{txt}"),
                        bytes: redact(text, red).into_bytes(),
                    });
                    linked.push(txt);
                    notes.push((name.clone(), w.left_out_email));
                    left_out.push(LeftOut {
                        answer: a.key.clone(),
                        file: o.name.clone(),
                        why: "an e-mail's raw bytes may hold a redacted passage encoded; its decoded text is published redacted instead".into(),
                    });
                }
                (OriginalBody::Binary(_), false) => {
                    notes.push((name.clone(), w.left_out_binary));
                    left_out.push(LeftOut {
                        answer: a.key.clone(),
                        file: o.name.clone(),
                        why: "a binary file (Word, PDF, …) cannot be redacted safely".into(),
                    });
                }
            }
        }
        files.push(BundleFile {
            path: format!("{stem}.html"),
            bytes: answer_page(head, &w, a, &stem, &linked, &notes).into_bytes(),
        });
    }
    let mut index = case_page_start(
        head.lang,
        &head.case_title,
        &format!("{}: {}", w.answers, head.round_title),
        CSS,
    );
    if let Some(n) = &head.case_number {
        meta_row(&mut index, w.case_number, n);
    }
    meta_row(&mut index, w.round, &head.round);
    index.push_str("</dl>\n</header>\n<main>\n");
    if answers.is_empty() {
        let _ = writeln!(index, "<p>{}</p>", escape(w.none));
    } else {
        let _ = writeln!(
            index,
            "<table>\n<thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>\n{rows}</tbody>\n</table>",
            w.party, w.date, w.publicity
        );
    }
    if !journal.is_empty() {
        let _ = writeln!(index, "<p><a href=\"journal.html\">{}</a></p>", w.journal);
        files.push(BundleFile {
            path: "journal.html".into(),
            bytes: journal_page(head, &w, journal).into_bytes(),
        });
    }
    index.push_str("</main>\n</body>\n</html>\n");
    files.insert(
        0,
        BundleFile {
            path: "index.html".into(),
            bytes: index.into_bytes(),
        },
    );
    // The last guard: no file of a redacted answer (nor the index) may hold one of its
    // passages, raw or escaped (an exempted answer has no file at all).
    let guarded: Vec<(String, &[Redaction])> = answers
        .iter()
        .enumerate()
        .filter(|(_, a)| !a.publicity.redactions().is_empty())
        .map(|(i, a)| (stem(i + 1, &a.party), a.publicity.redactions()))
        .collect();
    files.retain(|f| {
        let hit = guarded.iter().any(|(stem, red)| {
            let mine = f.path == "index.html"
                || f.path == format!("{stem}.html")
                || f.path.starts_with(&format!("{stem}/"));
            mine && red.iter().any(|r| {
                f.path.contains(r.text.as_str())
                    || contains(&f.bytes, r.text.as_bytes())
                    || contains(&f.bytes, escape(&r.text).as_bytes())
            })
        });
        if hit {
            left_out.push(LeftOut {
                answer: String::new(),
                file: f.path.clone(),
                why: "it still held a redacted passage after redaction".into(),
            });
        }
        !hit
    });
    Bundle { files, left_out }
}

/// Whether `hay` contains `needle` (an empty needle never).
pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

fn answer_page(
    head: &BundleHead,
    w: &Words,
    a: &BundleAnswer,
    stem: &str,
    linked: &[String],
    notes: &[(String, &str)],
) -> String {
    let red = a.publicity.redactions();
    let r = |t: &str| escape(&redact(t, red));
    let mut out = case_page_start(
        head.lang,
        &head.case_title,
        &format!("{}: {} ({})", w.answers, a.party_name, a.party),
        CSS,
    );
    meta_row(&mut out, w.round, &head.round_title);
    meta_row(
        &mut out,
        w.party,
        &format!("{} ({})", a.party_name, a.party),
    );
    if a.date.is_some() {
        meta_row(&mut out, w.date, &date_words(a.date, head.lang));
    }
    if let Some(p) = &a.position {
        meta_row(&mut out, w.position, p);
    }
    meta_row(&mut out, w.publicity, &w.status(&a.publicity));
    out.push_str("</dl>\n</header>\n<main>\n");
    if !red.is_empty() {
        let _ = writeln!(out, "<p>{} ({REDACTED}).</p>", escape(w.redaction_note));
    }
    if let Some(n) = &a.note {
        let _ = writeln!(out, "<h2>{}</h2>\n<p class=\"text\">{}</p>", w.note, r(n));
    }
    if !a.comments.is_empty() {
        let _ = writeln!(out, "<h2>{}</h2>", w.comments);
        for c in &a.comments {
            let section = c.section.as_deref().unwrap_or(w.general);
            let _ = writeln!(
                out,
                "<section class=\"comment\">\n<h3>{}: {}</h3>",
                w.section,
                escape(section)
            );
            if let Some(q) = &c.quote {
                let _ = writeln!(
                    out,
                    "<p>{}:</p>\n<blockquote>{}</blockquote>",
                    w.quote,
                    r(q)
                );
            }
            let _ = writeln!(out, "<p class=\"text\">{}</p>", r(&c.text));
            if let Some(p) = &c.proposal {
                let _ = writeln!(
                    out,
                    "<p>{}:</p>\n<blockquote>{}</blockquote>",
                    w.proposal,
                    r(p)
                );
            }
            out.push_str("</section>\n");
        }
    }
    if !linked.is_empty() || !notes.is_empty() {
        let _ = writeln!(out, "<h2>{}</h2>\n<ul>", w.originals);
        for name in linked {
            let _ = writeln!(
                out,
                "<li><a href=\"{}/{}\">{}</a></li>",
                escape(stem),
                escape(&url_path(name)),
                escape(name)
            );
        }
        for (name, why) in notes {
            let _ = writeln!(out, "<li>{}: {}</li>", escape(name), escape(why));
        }
        out.push_str("</ul>\n");
    }
    let _ = writeln!(out, "<p><a href=\"index.html\">{}</a></p>", w.back);
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// A file name as a relative URL: bytes outside a safe set percent-encoded.
fn url_path(name: &str) -> String {
    let mut out = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn journal_page(head: &BundleHead, w: &Words, entries: &[JournalEntry]) -> String {
    let mut out = case_page_start(head.lang, &head.case_title, w.journal, CSS);
    if let Some(n) = &head.case_number {
        meta_row(&mut out, w.case_number, n);
    }
    out.push_str("</dl>\n</header>\n<main>\n");
    let _ = writeln!(
        out,
        "<table>\n<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>",
        w.date, w.direction, w.journal_party, w.title, w.number
    );
    for e in entries {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&format_date_words(e.date, head.lang)),
            // The column's letters in the language's own (English: I/O/N).
            escape(match (head.lang, e.direction.as_str()) {
                (Lang::En, "U") => "O",
                (_, d) => d,
            }),
            escape(&e.party),
            escape(&e.title),
            escape(e.number.as_deref().unwrap_or(""))
        );
    }
    out.push_str("</tbody>\n</table>\n</main>\n</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head() -> BundleHead {
        BundleHead {
            lang: Lang::Nb,
            case_title: "KI-strategi".into(),
            case_number: Some("24/3095".into()),
            round: "rabcdefg".into(),
            round_title: "Høring av v1".into(),
        }
    }

    fn answer(party: &str, publicity: Publicity) -> BundleAnswer {
        BundleAnswer {
            key: format!("comment/{party}"),
            party_name: format!("{party}-departementet"),
            party: party.into(),
            date: Some(jiff::civil::date(2025, 11, 24)),
            position: Some("Har merknader".into()),
            note: Some("Kari Nordmann svarer.".into()),
            comments: vec![BundleComment {
                section: Some("mal".into()),
                quote: Some("innen 2026".into()),
                text: "Ring Kari Nordmann på 22 24 90 90 & <spør>.".into(),
                proposal: None,
            }],
            originals: vec![
                Original {
                    name: "form.txt".into(),
                    body: OriginalBody::Text("Kontakt: Kari Nordmann".into()),
                },
                Original {
                    name: "reply.docx".into(),
                    body: OriginalBody::Binary(b"PK\x03\x04Kari Nordmann".to_vec()),
                },
                Original {
                    name: "message.eml".into(),
                    body: OriginalBody::Email {
                        raw: b"Subject: x\r\n\r\nKari=20Nordmann".to_vec(),
                        text: "Kari Nordmann".into(),
                    },
                },
            ],
            publicity,
        }
    }

    fn find(b: &Bundle, path: &str) -> String {
        let f = b.files.iter().find(|f| f.path == path).expect(path);
        String::from_utf8(f.bytes.clone()).expect("utf8")
    }

    #[test]
    fn an_exempt_answer_has_no_file_and_a_redacted_one_no_passage() {
        let red = Publicity::Redacted {
            redactions: vec![Redaction {
                text: "Kari Nordmann".into(),
                basis: "offentleglova § 13".into(),
            }],
        };
        let exempt = Publicity::Exempt {
            basis: "offentleglova § 24".into(),
        };
        let b = bundle(
            &head(),
            &[
                answer("FIN", red),
                answer("KDD", exempt),
                answer("HOD", Publicity::Public),
            ],
            &[],
        );
        let paths: Vec<&str> = b.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "index.html",
                "svar-01-fin/form.txt",
                "svar-01-fin/message.eml.txt",
                "svar-01-fin.html",
                "svar-03-hod/form.txt",
                "svar-03-hod/reply.docx",
                "svar-03-hod/message.eml",
                "svar-03-hod.html",
            ]
        );
        for f in b
            .files
            .iter()
            .filter(|f| f.path.starts_with("svar-01") || f.path == "index.html")
        {
            assert!(!contains(&f.bytes, b"Kari Nordmann"), "{}", f.path);
        }
        let page = find(&b, "svar-01-fin.html");
        assert!(
            page.contains("Ring […] på 22 24 90 90 &amp; &lt;spør&gt;."),
            "{page}"
        );
        assert!(
            page.contains("reply.docx: redigert versjon utelatt"),
            "{page}"
        );
        let index = find(&b, "index.html");
        assert!(
            index.contains("Unntatt offentlighet, offentleglova § 24"),
            "{index}"
        );
        assert!(!index.contains("svar-02"), "{index}");
        assert_eq!(b.left_out.len(), 2, "{:?}", b.left_out);
        // The public answer is published as it is.
        assert!(find(&b, "svar-03-hod.html").contains("Kari Nordmann"));
    }

    #[test]
    fn the_last_guard_drops_a_file_that_still_holds_a_passage() {
        // A passage with a character escape would survive in the page if only the
        // unescaped text were redacted; the guard checks both forms.
        let mut a = answer(
            "FIN",
            Publicity::Redacted {
                redactions: vec![Redaction {
                    text: "Kari".into(),
                    basis: "b".into(),
                }],
            },
        );
        a.originals = vec![Original {
            name: "x.txt".into(),
            body: OriginalBody::Text("Kari".into()),
        }];
        let b = bundle(&head(), &[a], &[]);
        assert!(b.files.iter().all(|f| !contains(&f.bytes, b"Kari")));
    }

    #[test]
    fn a_journal_page_is_written_only_with_entries() {
        let e = JournalEntry {
            date: jiff::civil::date(2025, 11, 24),
            direction: "I".into(),
            party: "FIN".into(),
            title: "Høringssvar".into(),
            number: Some("24/3095-74".into()),
        };
        let b = bundle(&head(), &[], std::slice::from_ref(&e));
        let page = find(&b, "journal.html");
        assert!(page.contains("24/3095-74"));
        // The party is the sender of an answer and the recipient of a letter.
        assert!(page.contains("<th>Avsender/mottaker</th>"), "{page}");
        let letter = JournalEntry {
            direction: "U".into(),
            ..e.clone()
        };
        for (lang, header, row) in [
            (Lang::Nn, "<th>Avsendar/mottakar</th>", "<td>U</td>"),
            (Lang::En, "<th>Sender/recipient</th>", "<td>O</td>"),
        ] {
            let head = BundleHead { lang, ..head() };
            let b = bundle(&head, &[], std::slice::from_ref(&letter));
            let page = find(&b, "journal.html");
            assert!(page.contains(header) && page.contains(row), "{page}");
        }
        assert!(find(&b, "index.html").contains("Ingen svar"));
        assert!(bundle(&head(), &[], &[]).files.len() == 1);
    }
}
