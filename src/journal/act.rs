//! `journal set`: recording the number the organisation's archive system gave a document.

use jiff::ZonedDateTime as Zoned;

use crate::model::{Action, Config, RecordKind};
use crate::store::{Actor, CommitInfo, StoreError, Transaction};

use super::{DocNumber, Entry, Journal, NumberError, NumberRecord, Numbering, number_record_path};

/// Why a number could not be recorded.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// The number is not of the form `YY/NNNN-N`.
    #[error(transparent)]
    Form(#[from] NumberError),
    /// The case has no case number, so its documents have none either.
    #[error("The case has no case number, so its documents get no document numbers.")]
    NoCaseNumber,
    /// The number is in another case.
    #[error("{number} is not a document number of case {case}.")]
    OtherCase {
        /// The number given.
        number: DocNumber,
        /// The case's number.
        case: super::CaseNumber,
    },
    /// No entry matches the item.
    #[error("\"{item}\" is no document of the case's journal.")]
    UnknownItem {
        /// What was given.
        item: String,
    },
    /// Several entries match the item (an id prefix).
    #[error("\"{item}\" matches several documents: {}.", candidates.join(", "))]
    AmbiguousItem {
        /// What was given.
        item: String,
        /// The entries' ids.
        candidates: Vec<String>,
    },
    /// Only the case owner records numbers.
    #[error("Only the case owner ({owner}) records document numbers; you act as {by}.")]
    NotOwner {
        /// The owner.
        owner: crate::model::PartyCode,
        /// Who acted.
        by: crate::model::PartyCode,
    },
    /// The entry already has a recorded number.
    #[error("{id} already has the recorded number {number}; a recorded number never changes.")]
    AlreadyRecorded {
        /// The entry.
        id: String,
        /// Its number.
        number: DocNumber,
    },
    /// Another entry has that number recorded.
    #[error("{number} is already recorded for {other} (\"{title}\").")]
    Taken {
        /// The number.
        number: DocNumber,
        /// The entry that has it.
        other: String,
        /// Its title.
        title: String,
    },
    /// Reading or writing the workspace failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl JournalError {
    /// What to do next, when there is something to say.
    pub fn hint(&self) -> Option<String> {
        match self {
            JournalError::Form(_) => Some(
                "Give the number as the archive system shows it: case number, hyphen, document number (24/3095-74).".into(),
            ),
            JournalError::NoCaseNumber => Some(
                "Set the case number in strategi.toml: [case] number = \"24/3095\".".into(),
            ),
            JournalError::OtherCase { case, .. } => Some(format!(
                "Document numbers of this case start with {case}-; check the number, or [case] number in strategi.toml."
            )),
            JournalError::UnknownItem { .. } | JournalError::AmbiguousItem { .. } => Some(
                "Name the document by its id (or a longer prefix of it) or its current number, as `strategi journal list` shows them.".into(),
            ),
            JournalError::NotOwner { owner, .. } => {
                Some(format!("Record it acting as the owner: `strategi --as {owner} journal set …`."))
            }
            JournalError::AlreadyRecorded { .. } => None,
            JournalError::Taken { .. } => Some(
                "Check the number in the archive system; `strategi journal list` shows which document has which.".into(),
            ),
            JournalError::Store(_) => None,
        }
    }
}

/// A number recorded.
#[derive(Debug, Clone)]
pub struct NumberSet {
    /// The record written.
    pub record: NumberRecord,
    /// The entry, with its new number.
    pub entry: Entry,
    /// Entries whose assigned number moved because of it (id, old, new).
    pub moved: Vec<(String, DocNumber, DocNumber)>,
    /// The commit.
    pub commit: CommitInfo,
}

/// Finds the entry `item` names: its id (`sha256:` may be left out for a reply), an
/// unambiguous prefix of it (at least 3 characters), its current document number
/// (`24/3095-74`) or that number's last part (`74`).
pub fn resolve_item<'j>(journal: &'j Journal, item: &str) -> Result<&'j Entry, JournalError> {
    let item = item.trim();
    if let Some(e) = journal.entry(item) {
        return Ok(e);
    }
    if let Ok(n) = item.parse::<DocNumber>()
        && let Some(e) = journal.by_number(n)
    {
        return Ok(e);
    }
    if let (Ok(doc), Some(case)) = (item.parse::<u32>(), journal.case)
        && let Some(e) = journal.by_number(DocNumber {
            case,
            document: doc,
        })
    {
        return Ok(e);
    }
    if item.len() >= 3 {
        let found: Vec<&Entry> = journal
            .entries
            .iter()
            .filter(|e| {
                e.id.starts_with(item)
                    || e.id
                        .strip_prefix("sha256:")
                        .is_some_and(|d| d.starts_with(item))
            })
            .collect();
        match found.as_slice() {
            [one] => return Ok(one),
            [] => {}
            many => {
                return Err(JournalError::AmbiguousItem {
                    item: item.to_string(),
                    candidates: many.iter().map(|e| e.id.clone()).collect(),
                });
            }
        }
    }
    Err(JournalError::UnknownItem {
        item: item.to_string(),
    })
}

/// `journal set ITEM NUMBER`: records `number` as the document number of the entry
/// `item` names, checking the rules the fold applies ([`Journal::fold`]): the case
/// owner acts, the number is in the case, the entry has no recorded number yet and no
/// other entry has this one recorded. An entry that was only *assigned* the number
/// gets the next free one (reported in [`NumberSet::moved`]).
pub fn set_number(
    mut tx: Transaction<'_>,
    actor: &Actor,
    now: &Zoned,
    config: &Config,
    journal: &Journal,
    item: &str,
    number: &str,
) -> Result<NumberSet, JournalError> {
    let number: DocNumber = number.trim().parse()?;
    let case = journal.case.ok_or(JournalError::NoCaseNumber)?;
    if number.case != case {
        return Err(JournalError::OtherCase { number, case });
    }
    if actor.party != config.case.owner {
        return Err(JournalError::NotOwner {
            owner: config.case.owner.clone(),
            by: actor.party.clone(),
        });
    }
    let entry = resolve_item(journal, item)?;
    if let (Some(Numbering::Recorded { .. }), Some(n)) = (&entry.numbering, entry.number) {
        return Err(JournalError::AlreadyRecorded {
            id: entry.id.clone(),
            number: n,
        });
    }
    if let Some(other) = journal.by_number(number).filter(|o| o.id != entry.id)
        && matches!(other.numbering, Some(Numbering::Recorded { .. }))
    {
        return Err(JournalError::Taken {
            number,
            other: other.id.clone(),
            title: other.title.clone(),
        });
    }
    let record = NumberRecord {
        id: tx.new_id(RecordKind::Journal),
        item: entry.id.clone(),
        number,
        by: actor.party.clone(),
        at: now.timestamp(),
        clock: Some(tx.clock()?),
    };
    tx.write_record(&number_record_path(&record), &record)?;
    let commit = tx.commit(
        &format!("Record document number {number} for {}", entry.title),
        &format!("Document {} ({}).", entry.id, entry.direction.letter()),
        Action::JournalSet,
        actor,
        now,
    )?;
    let mut records: Vec<(String, NumberRecord)> = journal
        .entries
        .iter()
        .filter_map(|e| match (&e.numbering, e.number) {
            (Some(Numbering::Recorded { record }), Some(n)) => Some((
                String::new(),
                NumberRecord {
                    id: record.clone(),
                    item: e.id.clone(),
                    number: n,
                    by: config.case.owner.clone(),
                    at: e.at,
                    clock: None,
                },
            )),
            _ => None,
        })
        .collect();
    records.push((number_record_path(&record), record.clone()));
    let after = Journal::fold(
        config,
        journal.entries.iter().map(unnumbered).collect(),
        records,
    );
    let moved = journal
        .entries
        .iter()
        .filter(|e| e.id != entry.id)
        .filter_map(|e| {
            let new = after.entry(&e.id)?.number?;
            let old = e.number?;
            (old != new).then(|| (e.id.clone(), old, new))
        })
        .collect();
    let entry = after
        .entry(&entry.id)
        .cloned()
        .unwrap_or_else(|| entry.clone());
    Ok(NumberSet {
        record,
        entry,
        moved,
        commit,
    })
}

fn unnumbered(e: &Entry) -> Entry {
    Entry {
        number: None,
        numbering: None,
        ..e.clone()
    }
}
