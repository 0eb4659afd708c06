//! The case's journal: every case document with its document number.
//!
//! Every letter the case sends (U: a round's letter to a party, a reminder), every
//! answer it receives (I: an imported e-mail, form or Word file; a position registered
//! by hand) and every internal document (N: a version handed in, an approval) is an
//! [`Entry`]. [`load_journal`] reads them from the workspace's records and folds the
//! recorded numbers over them ([`Journal::fold`], a pure function):
//!
//! - the entries are put in the journal's stable order, the order of facts
//!   ([`crate::model::sort_facts`]: logical clock, time, id), which every clone computes
//!   the same way from the same records;
//! - a number recorded by `journal set` (a [`NumberRecord`] in `journal/`) is the
//!   entry's number and never changes: a second number for the same entry, a number
//!   already recorded for another entry, a number of another case or a record by anyone
//!   but the case owner is ignored and reported in [`Journal::findings`];
//! - every other entry is assigned the next free number in that order, from
//!   `[journal] start`, skipping the recorded ones. An assigned number is provisional:
//!   it follows from the records, so two clones that merge agree on it, but a fact
//!   merged in earlier in the order moves the later ones.
//!
//! Each entry's [`Entry::id`] is derived from its record (the fact's, submission's or
//! approval's record id, or `sha256:` and the digest of an imported message), so code
//! that needs stable identifiers (the Noark 5 export's UUIDs) derives them from it.

mod act;
mod number;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::approval::{load_approvals, load_submissions};
use crate::calendar::{oslo, work_calendar};
use crate::consultation::{Fact, FactBody, ImportRecord, RoundState, inbox_dir, load_round};
use crate::mail::Outbox;
use crate::model::{Config, Lang, PartyCode, RecordId, sort_facts};
use crate::store::{CONSULTATIONS_DIR, StoreError, Workspace};

pub use act::{JournalError, NumberSet, resolve_item, set_number};
pub use number::{CaseNumber, DocNumber, NumberError};

/// The folder of the recorded document numbers.
pub const JOURNAL_DIR: &str = "journal";

/// Which way a document went: incoming (I), outgoing (U) or internal (N), as Noark 5
/// names a registry entry's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Direction {
    /// An incoming document (`I`): an answer.
    #[serde(rename = "I")]
    Incoming,
    /// An outgoing document (`U`): a letter.
    #[serde(rename = "U")]
    Outgoing,
    /// An internal document (`N`): a version handed in, an approval.
    #[serde(rename = "N")]
    Internal,
}

impl Direction {
    /// The letter: `I`, `U` or `N`.
    pub fn letter(self) -> &'static str {
        match self {
            Direction::Incoming => "I",
            Direction::Outgoing => "U",
            Direction::Internal => "N",
        }
    }
}

/// What kind of record an entry comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    /// A round's letter to a party (its first `sent` fact).
    Letter,
    /// A reminder to a party (a `reminded` fact).
    Reminder,
    /// An imported reply: an e-mail, a response form or a Word file (`inbox/`).
    Reply,
    /// A position registered by hand (a `response` fact without a source message).
    Response,
    /// A version handed in (`submissions/`).
    Submission,
    /// An approval (`approvals/`).
    Approval,
}

/// Whether an entry may be published: public unless a publicity decision screens it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Publicity {
    /// Public (the default).
    #[default]
    Public,
    /// Screened (exempt from public access, or published with redactions).
    Screened,
}

/// A party of an entry: its code and its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartyRef {
    /// The party's code, `FIN`.
    pub code: PartyCode,
    /// Its name, or the code when it is not listed.
    pub name: String,
}

/// Where a document's bytes are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "in", rename_all = "kebab-case")]
pub enum FileSource {
    /// A file of the workspace at [`DocFile::path`] (committed; read it from the working
    /// tree or from HEAD's tree at that path).
    Workspace,
    /// The version's text: the Markdown files under [`DocFile::path`] (`strategy`) in
    /// the tree of `commit` (`Workspace::version_files` reads them).
    Version {
        /// The commit the version's tag pointed at (hex).
        commit: String,
        /// The `strategy/` tree (hex).
        tree: String,
    },
}

/// What a file is to its document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileRole {
    /// The document itself: the rendered letter, the original reply, the version's text.
    Main,
    /// An attachment of a reply, kept as it came.
    Attachment,
    /// What strategi recorded about the document (an import's or approval's record).
    Record,
}

/// One file of a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocFile {
    /// The path in the workspace (or, for a version, the folder in its tree).
    pub path: String,
    /// What the file is to the document.
    pub role: FileRole,
    /// How to read its bytes.
    pub source: FileSource,
}

/// How an entry got its number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "by", rename_all = "kebab-case")]
pub enum Numbering {
    /// Recorded with `journal set` (the archive system's number; never changes).
    Recorded {
        /// The number record's id.
        record: RecordId,
    },
    /// Assigned by strategi in the journal's order.
    Assigned,
}

/// One case document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    /// A stable id derived from the record: the fact's, submission's or approval's
    /// record id (`f…`, `s…`, `a…`), or `sha256:<digest>` for an imported message.
    pub id: String,
    /// What record it comes from.
    pub kind: EntryKind,
    /// I, U or N.
    pub direction: Direction,
    /// The document's date (Europe/Oslo): the letter's, the answer's own, the hand-in's.
    pub date: Date,
    /// When it was recorded (or, for an answer, given, when its own date is known).
    pub at: Timestamp,
    /// The record's logical clock, when it has one.
    #[serde(skip)]
    pub clock: Option<u64>,
    /// The sender (I) or recipient (U), or the party an internal document concerns.
    pub party: PartyRef,
    /// The title, in the case's language.
    pub title: String,
    /// The round it belongs to.
    pub round: Option<RecordId>,
    /// Its document number, when the case has a number.
    pub number: Option<DocNumber>,
    /// How the number came about.
    pub numbering: Option<Numbering>,
    /// The files that make up the document.
    pub files: Vec<DocFile>,
    /// Public or screened.
    pub publicity: Publicity,
}

/// A document number recorded by `journal set`: `journal/<stamp>-<id>.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumberRecord {
    /// The record's id (`j…`).
    pub id: RecordId,
    /// The entry it numbers ([`Entry::id`]).
    pub item: String,
    /// The number.
    pub number: DocNumber,
    /// The acting party.
    pub by: PartyCode,
    /// When.
    pub at: Timestamp,
    /// Its logical clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<u64>,
}

/// Where a number record lives.
pub fn number_record_path(r: &NumberRecord) -> String {
    format!(
        "{JOURNAL_DIR}/{}-{}.toml",
        r.at.strftime("%Y%m%dT%H%M%SZ"),
        r.id
    )
}

/// A number record that was not applied, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalFinding {
    /// The record's file.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// The case's journal: its entries in stable order, numbered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Journal {
    /// The case number (`[case] number`), when it is one.
    pub case: Option<CaseNumber>,
    /// The entries, in the journal's stable order.
    pub entries: Vec<Entry>,
    /// Number records that were ignored.
    pub findings: Vec<JournalFinding>,
}

impl Journal {
    /// Folds the recorded numbers over the entries (any order; they are sorted here)
    /// and assigns the rest, as the module documentation says.
    pub fn fold(
        config: &Config,
        mut entries: Vec<Entry>,
        mut records: Vec<(String, NumberRecord)>,
    ) -> Journal {
        sort_facts(&mut entries, |e| (e.clock, e.at), |a, b| a.id.cmp(&b.id));
        sort_facts(
            &mut records,
            |(_, r)| (r.clock, r.at),
            |a, b| a.1.id.cmp(&b.1.id),
        );
        let mut findings = Vec::new();
        let case = match config.case.number.as_deref() {
            None => None,
            Some(text) => match text.parse::<CaseNumber>() {
                Ok(c) => Some(c),
                Err(e) => {
                    findings.push(JournalFinding {
                        path: crate::store::CONFIG_FILE.to_string(),
                        message: format!(
                            "[case] number: {e} Documents get no numbers until it is one."
                        ),
                    });
                    None
                }
            },
        };
        let Some(case) = case else {
            return Journal {
                case: None,
                entries,
                findings,
            };
        };
        let index: BTreeMap<String, usize> = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.clone(), i))
            .collect();
        let mut taken: BTreeSet<u32> = BTreeSet::new();
        for (path, r) in &records {
            let problem = if r.by != config.case.owner {
                Some(format!(
                    "Number {} for {} was recorded by {}; only the case owner ({}) records document numbers.",
                    r.number, r.item, r.by, config.case.owner
                ))
            } else if r.number.case != case {
                Some(format!(
                    "Number {} for {} is not in case {case}.",
                    r.number, r.item
                ))
            } else if taken.contains(&r.number.document) {
                Some(format!(
                    "Number {} is recorded for {} but was already recorded for another document.",
                    r.number, r.item
                ))
            } else {
                match index.get(&r.item) {
                    None => Some(format!(
                        "Number {} is recorded for {}, which is no document of the case.",
                        r.number, r.item
                    )),
                    Some(&i) if entries[i].number.is_some() => Some(format!(
                        "Number {} for {} came after its number {}; a recorded number never changes.",
                        r.number,
                        r.item,
                        entries[i].number.map(|n| n.to_string()).unwrap_or_default()
                    )),
                    Some(&i) => {
                        entries[i].number = Some(r.number);
                        entries[i].numbering = Some(Numbering::Recorded {
                            record: r.id.clone(),
                        });
                        taken.insert(r.number.document);
                        None
                    }
                }
            };
            if let Some(message) = problem {
                findings.push(JournalFinding {
                    path: path.clone(),
                    message,
                });
            }
        }
        let mut next = config.journal.start.max(1);
        for e in entries.iter_mut().filter(|e| e.number.is_none()) {
            while taken.contains(&next) {
                next += 1;
            }
            e.number = Some(DocNumber {
                case,
                document: next,
            });
            e.numbering = Some(Numbering::Assigned);
            next += 1;
        }
        Journal {
            case: Some(case),
            entries,
            findings,
        }
    }

    /// The entry with this id.
    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// The entry that carries this number.
    pub fn by_number(&self, number: DocNumber) -> Option<&Entry> {
        self.entries.iter().find(|e| e.number == Some(number))
    }

    /// The number the next document would be assigned (after every entry so far):
    /// what a letter about to be issued will carry, unless a fact merged in from
    /// another clone comes before it.
    pub fn next_numbers(&self, config: &Config, count: usize) -> Vec<DocNumber> {
        let Some(case) = self.case else {
            return Vec::new();
        };
        let taken: BTreeSet<u32> = self
            .entries
            .iter()
            .filter_map(|e| e.number.map(|n| n.document))
            .collect();
        let mut next = config.journal.start.max(1);
        if let Some(last) = self
            .entries
            .iter()
            .filter(|e| e.numbering == Some(Numbering::Assigned))
            .filter_map(|e| e.number)
            .map(|n| n.document)
            .max()
        {
            next = next.max(last + 1);
        }
        let mut out = Vec::with_capacity(count);
        while out.len() < count {
            if !taken.contains(&next) {
                out.push(DocNumber {
                    case,
                    document: next,
                });
            }
            next += 1;
        }
        out
    }
}

/// Reads the recorded numbers (`journal/`).
pub fn load_number_records(ws: &Workspace) -> Result<Vec<(String, NumberRecord)>, StoreError> {
    ws.read_records(JOURNAL_DIR)?
        .into_iter()
        // With the clock history proves (not the file's own), as every fold reads.
        .map(|f| f.parse::<NumberRecord>().map(|r| (f.path, r)))
        .collect()
}

/// The case's journal, from the workspace's records as of `today`.
pub fn load_journal(ws: &Workspace, config: &Config, today: Date) -> Result<Journal, StoreError> {
    let cal = work_calendar(config);
    let mut entries = Vec::new();
    // Each round's facts read once: folded for its state, and listed for its letters.
    for name in ws.list_folders(CONSULTATIONS_DIR)? {
        let Ok(id) = name.parse::<RecordId>() else {
            continue;
        };
        let (def, facts) = load_round(ws, &id)?;
        let round = RoundState::fold(def, facts.clone(), config, today, &cal);
        let imports = load_clocked_imports(ws, &id)?;
        entries.extend(round_entries(ws, config, &round, &facts, &imports)?);
    }
    let lang = config.case.lang;
    for s in load_submissions(ws)? {
        entries.push(Entry {
            id: s.id.to_string(),
            kind: EntryKind::Submission,
            direction: Direction::Internal,
            date: day(s.at),
            at: s.at,
            clock: s.clock,
            party: party(config, &s.to),
            title: words(lang).submission(&s.version.to_string(), &config.party_name(&s.to)),
            round: None,
            number: None,
            numbering: None,
            files: vec![DocFile {
                path: "strategy".into(),
                role: FileRole::Main,
                source: FileSource::Version {
                    commit: s.commit.clone(),
                    tree: s.tree.clone(),
                },
            }],
            publicity: Publicity::Public,
        });
    }
    for (path, a) in load_approvals(ws)? {
        entries.push(Entry {
            id: a.id.to_string(),
            kind: EntryKind::Approval,
            direction: Direction::Internal,
            date: day(a.at),
            at: a.at,
            clock: a.clock,
            party: party(config, &a.by),
            title: words(lang).approval(&a.version.to_string()),
            round: None,
            number: None,
            numbering: None,
            files: vec![
                DocFile {
                    path,
                    role: FileRole::Record,
                    source: FileSource::Workspace,
                },
                DocFile {
                    path: "strategy".into(),
                    role: FileRole::Main,
                    source: FileSource::Version {
                        commit: a.commit.clone(),
                        tree: a.tree.clone(),
                    },
                },
            ],
            publicity: Publicity::Public,
        });
    }
    Ok(Journal::fold(config, entries, load_number_records(ws)?))
}

fn day(t: Timestamp) -> Date {
    t.to_zoned_datetime(oslo()).date()
}

fn party(config: &Config, code: &PartyCode) -> PartyRef {
    PartyRef {
        code: code.clone(),
        name: config.party_name(code),
    }
}

fn outbox_file(message_id: &str) -> DocFile {
    DocFile {
        path: Outbox::workspace_path(&format!("{}.eml", Outbox::entry_name_of(message_id))),
        role: FileRole::Main,
        source: FileSource::Workspace,
    }
}

/// A round's import records (`inbox/<digest>/import.toml`) by digest, each with the
/// clock history proves for it (the commit that added it), not the `at` the importer
/// wrote: that clock is what orders the replies in the journal.
fn load_clocked_imports(
    ws: &Workspace,
    round: &RecordId,
) -> Result<BTreeMap<String, (Option<u64>, ImportRecord)>, StoreError> {
    let mut out = BTreeMap::new();
    for digest in ws.list_folders(&format!("{CONSULTATIONS_DIR}/{round}/inbox"))? {
        let path = format!("{}/import.toml", inbox_dir(round, &digest));
        if let Some(f) = ws.read_record(&path)? {
            let rec: ImportRecord = f.parse()?;
            out.insert(digest, (f.clock, rec));
        }
    }
    Ok(out)
}

/// The entries of one round: letters, reminders, imported replies, positions by hand.
fn round_entries(
    ws: &Workspace,
    config: &Config,
    round: &RoundState,
    facts: &[(String, Fact)],
    imports: &BTreeMap<String, (Option<u64>, ImportRecord)>,
) -> Result<Vec<Entry>, StoreError> {
    let def = &round.def;
    let w = words(config.case.lang);
    let mut out = Vec::new();
    let mut lettered: BTreeSet<PartyCode> = BTreeSet::new();
    for (_, f) in facts {
        let base = |kind, direction, code: &PartyCode, title: String| Entry {
            id: f.id.to_string(),
            kind,
            direction,
            date: day(f.at),
            at: f.at,
            clock: f.clock,
            party: party(config, code),
            title,
            round: Some(def.id.clone()),
            number: None,
            numbering: None,
            files: Vec::new(),
            publicity: Publicity::Public,
        };
        match &f.body {
            FactBody::Sent { party: p, .. } if lettered.contains(p) => {}
            FactBody::Sent {
                party: p,
                message_id,
            } => {
                lettered.insert(p.clone());
                // The letter's file: the latest sending's (a letter sent again after a
                // failed delivery is the same document).
                let latest = round
                    .parties
                    .iter()
                    .find(|s| &s.party == p)
                    .and_then(|s| s.sent.as_ref())
                    .map_or(message_id.as_str(), |s| s.message_id.as_str());
                let mut e = base(
                    EntryKind::Letter,
                    Direction::Outgoing,
                    p,
                    w.letter(&def.title, &config.party_name(p)),
                );
                e.files.push(outbox_file(latest));
                out.push(e);
            }
            FactBody::Reminded {
                party: p,
                message_id,
            } => {
                let mut e = base(
                    EntryKind::Reminder,
                    Direction::Outgoing,
                    p,
                    w.reminder(&def.title, &config.party_name(p)),
                );
                e.files.push(outbox_file(message_id));
                out.push(e);
            }
            FactBody::Response {
                party: p,
                source: None,
                received,
                ..
            } => {
                let mut e = base(
                    EntryKind::Response,
                    Direction::Incoming,
                    p,
                    w.answer(&def.title, &config.party_name(p)),
                );
                if let Some(r) = received {
                    e.date = day(*r);
                }
                out.push(e);
            }
            _ => {}
        }
    }
    for (digest, (clock, rec)) in imports {
        let dir = inbox_dir(&def.id, digest);
        let mut files = Vec::new();
        for name in ["message.eml", "form.txt", "reply.docx"] {
            let path = format!("{dir}/{name}");
            if ws.root().join(&path).is_file() {
                files.push(DocFile {
                    path,
                    role: FileRole::Main,
                    source: FileSource::Workspace,
                });
            }
        }
        for a in &rec.attachments {
            files.push(DocFile {
                path: format!("{dir}/attachments/{a}"),
                role: FileRole::Attachment,
                source: FileSource::Workspace,
            });
        }
        files.push(DocFile {
            path: format!("{dir}/import.toml"),
            role: FileRole::Record,
            source: FileSource::Workspace,
        });
        out.push(Entry {
            id: format!("sha256:{digest}"),
            kind: EntryKind::Reply,
            direction: Direction::Incoming,
            date: day(rec.received.unwrap_or(rec.at)),
            at: rec.at,
            // Ordered by the clock of the commit that added the record (the `at` the
            // importer wrote only breaks a tie): the date shown stays the answer's.
            clock: *clock,
            party: party(config, &rec.party),
            title: w.answer(&def.title, &config.party_name(&rec.party)),
            round: Some(def.id.clone()),
            number: None,
            numbering: None,
            files,
            publicity: Publicity::Public,
        });
    }
    Ok(out)
}

/// The journal's titles in one language.
#[derive(Debug, Clone, Copy)]
pub struct Words {
    letter: &'static str,
    reminder: &'static str,
    answer: &'static str,
    submission: &'static str,
    approval: &'static str,
    /// "Vår ref" in the language.
    pub our_ref: &'static str,
    /// The sentence that asks an answer to cite the reference.
    pub cite_ref: &'static str,
}

impl Words {
    fn letter(&self, round: &str, party: &str) -> String {
        format!("{round}: {} {party}", self.letter)
    }
    fn reminder(&self, round: &str, party: &str) -> String {
        format!("{round}: {} {party}", self.reminder)
    }
    fn answer(&self, round: &str, party: &str) -> String {
        format!("{round}: {} {party}", self.answer)
    }
    fn submission(&self, version: &str, party: &str) -> String {
        format!("{version} {} {party}", self.submission)
    }
    fn approval(&self, version: &str) -> String {
        format!("{} {version}", self.approval)
    }
}

/// The journal's words in `lang`.
pub fn words(lang: Lang) -> Words {
    match lang {
        Lang::Nb => Words {
            letter: "brev til",
            reminder: "påminnelse til",
            answer: "svar fra",
            submission: "levert til",
            approval: "Godkjenning av",
            our_ref: "Vår ref",
            cite_ref: "Oppgi vår referanse i svaret.",
        },
        Lang::Nn => Words {
            letter: "brev til",
            reminder: "påminning til",
            answer: "svar frå",
            submission: "levert til",
            approval: "Godkjenning av",
            our_ref: "Vår ref",
            cite_ref: "Oppgi referansen vår i svaret.",
        },
        Lang::En => Words {
            letter: "letter to",
            reminder: "reminder to",
            answer: "answer from",
            submission: "handed in to",
            approval: "Approval of",
            our_ref: "Our ref",
            cite_ref: "Please quote our reference in your answer.",
        },
        Lang::Da => Words {
            letter: "brev til",
            reminder: "påmindelse til",
            answer: "svar fra",
            submission: "afleveret til",
            approval: "Godkendelse af",
            our_ref: "Vores ref",
            cite_ref: "Angiv venligst vores reference i svaret.",
        },
    }
}
