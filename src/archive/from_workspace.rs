//! From a strategi workspace to an archive [`super::Package`].
//!
//! The journal ([`crate::journal::load_journal`]) is the one enumeration of the case's
//! documents: every entry becomes a registration with its number, date, party and
//! title, and its files are read from the entry's own file sources (a workspace file,
//! or a version's Markdown in the tree the submission names). Screening comes from the
//! rounds' publicity decisions ([`crate::publish::decisions`]); the change log from the
//! folds' kept history (a party's earlier positions, a comment's superseded decisions).
//! Nothing here reads the clock: the period ends at the approval or at the `as_of` date
//! the caller gives, so the same records give the same package.

use jiff::civil::Date;

use super::{CaseFile, Change, Document, File, Kind, Package, Registration, Screening, Variant};
use crate::consultation::{RoundComments, RoundState};
use crate::journal::{Direction, EntryKind, FileRole, FileSource, Journal};
use crate::model::Config;
use crate::publish::decisions::{CaseDecisions, Publicity, bases};
use crate::store::{StoreError, Workspace};

/// Why a package cannot be made from the workspace.
#[derive(Debug, thiserror::Error)]
pub enum FromWorkspaceError {
    /// The case has no case number (`[case] number`).
    #[error("the case has no case number: the archive files it under one")]
    NoCaseNumber,
    /// An entry has no document number.
    #[error("journal entry {0} has no document number")]
    NoNumber(String),
    /// Nothing is journaled up to the date.
    #[error("the journal has no entries up to {0}")]
    Empty(Date),
    /// A document's file could not be read.
    #[error("could not read {path} (journal entry {entry}): {why}")]
    Read {
        /// The file.
        path: String,
        /// The entry.
        entry: String,
        /// Why.
        why: String,
    },
    /// The records could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The package of the case in `ws`: the journal's entries up to `closed` (the approval's
/// day, or the snapshot's `--as-of`), the case file closed as of that day.
pub fn package(
    ws: &Workspace,
    config: &Config,
    journal: &Journal,
    rounds: &[RoundState],
    comments: &[RoundComments],
    closed: Date,
) -> Result<Package, FromWorkspaceError> {
    let case_no = journal.case.ok_or(FromWorkspaceError::NoCaseNumber)?;
    let entries: Vec<_> = journal
        .entries
        .iter()
        .filter(|e| e.date <= closed)
        .collect();
    let opened = entries
        .iter()
        .map(|e| e.date)
        .min()
        .ok_or(FromWorkspaceError::Empty(closed))?;
    // Publicity decisions: exempt gives its basis, redacted the redactions' bases.
    let decided = CaseDecisions::load(ws, config, rounds.iter().map(|r| &r.def.id))?;
    let screening = |e: &crate::journal::Entry| match decided.of_entry(e) {
        Publicity::Public => None,
        Publicity::Exempt { basis } => Some(Screening { basis, whole: true }),
        Publicity::Redacted { redactions } => Some(Screening {
            basis: bases(&redactions).join("; "),
            whole: false,
        }),
    };
    let mut registrations = Vec::with_capacity(entries.len());
    for e in &entries {
        let number = e
            .number
            .ok_or_else(|| FromWorkspaceError::NoNumber(e.id.clone()))?;
        registrations.push(Registration {
            id: e.id.clone(),
            kind: match e.direction {
                Direction::Incoming => Kind::Incoming,
                Direction::Outgoing => Kind::Outgoing,
                Direction::Internal => Kind::Internal,
            },
            date: e.date,
            title: e.title.clone(),
            public_title: None,
            parties: vec![e.party.name.clone()],
            screening: screening(e),
            number: u64::from(number.document),
            documents: vec![document(ws, config.case.lang, e)?],
        });
    }
    let kept: Vec<&str> = registrations.iter().map(|r| r.id.as_str()).collect();
    let changes = changes(config.case.lang, journal, rounds, comments, closed)
        .into_iter()
        .filter(|c| kept.contains(&c.registration.as_str()))
        .collect();
    let owner = &config.case.owner;
    Ok(Package {
        creator_id: owner.to_string(),
        creator_name: config.party_name(owner),
        case: CaseFile {
            id: format!("{}/{}", case_no.year, case_no.sequence),
            year: 2000 + i32::from(case_no.year),
            sequence: u64::from(case_no.sequence),
            title: config.case.title.clone(),
            series_title: format!("{} {owner}", series_word(config.case.lang)),
            opened,
            closed,
            unit: owner.to_string(),
            responsible: config.party_name(owner),
        },
        registrations,
        changes,
    })
}

/// One entry's document: the archival copy first (UTF-8 text: the title, then each
/// file's readable content, [`super::copy::file_text`]: an e-mail decoded, a Word file's
/// text with its comments and tracked changes, a version's Markdown), the originals
/// beside it.
fn document(
    ws: &Workspace,
    lang: crate::model::Lang,
    e: &crate::journal::Entry,
) -> Result<Document, FromWorkspaceError> {
    let read_err = |path: &str, why: String| FromWorkspaceError::Read {
        path: path.to_string(),
        entry: e.id.clone(),
        why,
    };
    let mut originals = Vec::new();
    let mut text = format!("# {}\n", e.title);
    for f in e.files.iter().filter(|f| f.role != FileRole::Record) {
        match &f.source {
            FileSource::Workspace => {
                let bytes = std::fs::read(ws.root().join(&f.path))
                    .map_err(|err| read_err(&f.path, err.to_string()))?;
                let name = f.path.rsplit('/').next().unwrap_or(&f.path).to_string();
                text.push('\n');
                if f.role == FileRole::Attachment {
                    text.push_str(&format!("## {name}\n\n"));
                }
                text.push_str(&super::copy::file_text(lang, &name, &bytes));
                originals.push(File {
                    name,
                    bytes,
                    variant: Variant::Original,
                });
            }
            FileSource::Version { tree, .. } => {
                let version = ws
                    .version_names()?
                    .into_iter()
                    .filter_map(|n| ws.version(n).ok())
                    .find(|v| &v.tree == tree)
                    .ok_or_else(|| read_err(&f.path, format!("no version has tree {tree}")))?;
                text.push('\n');
                for sf in ws.version_files(&version)? {
                    let s = String::from_utf8_lossy(&sf.bytes);
                    text.push_str(&s);
                    if !s.ends_with('\n') {
                        text.push('\n');
                    }
                }
            }
        }
    }
    let mut files = vec![File {
        name: "dokument.md".into(),
        bytes: text.into_bytes(),
        variant: Variant::Archival,
    }];
    files.extend(originals);
    Ok(Document {
        title: e.title.clone(),
        files,
    })
}

/// What the series (arkivdel) of case files is called in the case's language.
fn series_word(lang: crate::model::Lang) -> &'static str {
    use crate::model::Lang;
    match lang {
        Lang::Nb | Lang::Nn => "Sakarkiv",
        Lang::En => "Case files",
        Lang::Da => "Sagsarkiv",
    }
}

/// The superseded values (in the case's language): a party's earlier positions (on the entry of the answer that
/// replaced them) and a comment's superseded decisions (on its reply's entry).
fn changes(
    lang: crate::model::Lang,
    journal: &Journal,
    rounds: &[RoundState],
    comments: &[RoundComments],
    closed: Date,
) -> Vec<Change> {
    let day = |t: jiff::Timestamp| t.to_zoned_datetime(crate::calendar::oslo()).date();
    let entry_of = |source: Option<&String>, round, party: &crate::model::PartyCode, at| {
        let digest = source.and_then(|s| s.rsplit('/').next().map(str::to_string));
        journal
            .entries
            .iter()
            .find(|e| match &digest {
                Some(d) => e.id == format!("sha256:{d}"),
                None => {
                    e.kind == EntryKind::Response
                        && e.round.as_ref() == Some(round)
                        && &e.party.code == party
                        && e.at == at
                }
            })
            .map(|e| e.id.clone())
    };
    let mut out = Vec::new();
    for round in rounds {
        for p in &round.parties {
            for w in p.history.windows(2) {
                let (before, after) = (&w[0], &w[1]);
                if day(after.at) > closed {
                    continue;
                }
                if let Some(id) = entry_of(after.source.as_ref(), &round.def.id, &p.party, after.at)
                {
                    out.push(Change {
                        registration: id,
                        field: "beskrivelse".into(),
                        before: before.position.words(lang).to_string(),
                        after: after.position.words(lang).to_string(),
                        date: day(after.at),
                        by: after.by.to_string(),
                    });
                }
            }
        }
    }
    for rc in comments {
        for c in &rc.comments {
            let Some(current) = &c.decision else { continue };
            let Some(source) = &c.record.source else {
                continue;
            };
            let Some(digest) = source.rsplit('/').next() else {
                continue;
            };
            let id = format!("sha256:{digest}");
            if !journal.entries.iter().any(|e| e.id == id) {
                continue;
            }
            let mut chain: Vec<_> = c.superseded.iter().collect();
            chain.push(current);
            for w in chain.windows(2) {
                if day(w[1].at) > closed {
                    continue;
                }
                out.push(Change {
                    registration: id.clone(),
                    field: "merknad".into(),
                    before: format!("{} {}", c.record.id, w[0].decision.words(lang)),
                    after: format!("{} {}", c.record.id, w[1].decision.words(lang)),
                    date: day(w[1].at),
                    by: w[1].by.to_string(),
                });
            }
        }
    }
    out
}
