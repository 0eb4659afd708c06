//! The archive: a Noark 5 (v5.5) transfer package ("arkivuttrekk") for one case.
//!
//! [`Package`] is the archive's own input model (the case file, its registrations with
//! their documents and files, and the superseded values for the change log); [`write`]
//! turns it into the package's files (`arkivstruktur.xml`, `endringslogg.xml`,
//! `loependeJournal.xml`, `offentligJournal.xml`, `arkivuttrekk.xml`, the shipped
//! schemas and the documents under `dokumenter/`), and [`verify`] checks a package on
//! disk. [`from_workspace`] builds a [`Package`] from a strategi workspace. Nothing here
//! reads the clock: every date comes from the model, so an export is byte-identical when
//! repeated.

pub mod copy;
pub mod from_workspace;
mod uuid;
pub mod verify;
mod write;
mod xml;

use jiff::civil::Date;

pub use verify::{Problem, verify};
pub use write::write;

/// The official 5.5.0 schemas a package ships (name, bytes), vendored unchanged in
/// `schemas/noark5/` (see its README for provenance).
pub const SCHEMAS: [(&str, &[u8]); 6] = [
    (
        "arkivstruktur.xsd",
        include_bytes!("../../schemas/noark5/arkivstruktur.xsd"),
    ),
    (
        "metadatakatalog.xsd",
        include_bytes!("../../schemas/noark5/metadatakatalog.xsd"),
    ),
    (
        "endringslogg.xsd",
        include_bytes!("../../schemas/noark5/endringslogg.xsd"),
    ),
    (
        "loependeJournal.xsd",
        include_bytes!("../../schemas/noark5/loependeJournal.xsd"),
    ),
    (
        "offentligJournal.xsd",
        include_bytes!("../../schemas/noark5/offentligJournal.xsd"),
    ),
    (
        "addml.xsd",
        include_bytes!("../../schemas/noark5/addml.xsd"),
    ),
];

/// One case as the archive receives it.
#[derive(Debug, Clone)]
pub struct Package {
    /// The organisation that created the records (arkivskaper): its code and name.
    pub creator_id: String,
    /// The organisation's name.
    pub creator_name: String,
    /// The case file.
    pub case: CaseFile,
    /// The registrations (journal entries), in journal order.
    pub registrations: Vec<Registration>,
    /// Superseded values (decisions and positions replaced by later ones).
    pub changes: Vec<Change>,
}

/// The case file (saksmappe), closed for the export.
#[derive(Debug, Clone)]
pub struct CaseFile {
    /// strategi's id of the case (the seed of every systemID).
    pub id: String,
    /// The case number's year (24 in "24/3095") as a full year.
    pub year: i32,
    /// The case number's sequence (3095 in "24/3095").
    pub sequence: u64,
    /// The case's title.
    pub title: String,
    /// The series (arkivdel) the case file lies in.
    pub series_title: String,
    /// The date the case was opened.
    pub opened: Date,
    /// The date the case file is closed as of (approval, or `--as-of`).
    pub closed: Date,
    /// The administrative unit responsible.
    pub unit: String,
    /// The person or role responsible.
    pub responsible: String,
}

/// The kind of a registration (journalposttype).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Incoming (an answer): I.
    Incoming,
    /// Outgoing (a letter): U.
    Outgoing,
    /// Internal (a version, the matrix, the approval): N.
    Internal,
}

impl Kind {
    /// The Noark code.
    pub fn code(self) -> &'static str {
        match self {
            Kind::Incoming => "I",
            Kind::Outgoing => "U",
            Kind::Internal => "N",
        }
    }
}

/// One registration (journalpost).
#[derive(Debug, Clone)]
pub struct Registration {
    /// strategi's record id (unique in the case).
    pub id: String,
    /// Incoming, outgoing or internal.
    pub kind: Kind,
    /// The journal date.
    pub date: Date,
    /// The full title.
    pub title: String,
    /// The title for the public journal (names removed), when it differs.
    pub public_title: Option<String>,
    /// The correspondence parties (sender of an answer, recipients of a letter).
    pub parties: Vec<String>,
    /// Screening with its legal basis, when the entry is not public.
    pub screening: Option<Screening>,
    /// The document number in the case (73 in "24/3095-73").
    pub number: u64,
    /// The documents.
    pub documents: Vec<Document>,
}

/// A screening decision.
#[derive(Debug, Clone)]
pub struct Screening {
    /// The legal basis ("offentleglova § 13 jf. …").
    pub basis: String,
    /// Whether the whole document is screened (an exempted answer), or only parts of
    /// it (passages redacted).
    pub whole: bool,
}

/// One document of a registration.
#[derive(Debug, Clone)]
pub struct Document {
    /// The title.
    pub title: String,
    /// Its files: the archival format first, originals beside.
    pub files: Vec<File>,
}

/// One file of a document.
#[derive(Debug, Clone)]
pub struct File {
    /// The file name (its extension tells the format).
    pub name: String,
    /// The contents.
    pub bytes: Vec<u8>,
    /// Archival format or the original as received.
    pub variant: Variant,
}

/// Which variant of a document a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// The archival format (UTF-8 text, PDF/A).
    Archival,
    /// The original as received or made.
    Original,
}

/// A superseded value (endringslogg).
#[derive(Debug, Clone)]
pub struct Change {
    /// The record id of the registration it belongs to.
    pub registration: String,
    /// What changed (the metadata name, e.g. "beskrivelse").
    pub field: String,
    /// The value before.
    pub before: String,
    /// The value after.
    pub after: String,
    /// When.
    pub date: Date,
    /// By whom.
    pub by: String,
}

/// The systemID of a record id in `case`.
pub fn system_id(case: &str, record: &str) -> String {
    uuid::v5(&format!("strategi:{case}:{record}"))
}

#[cfg(test)]
mod tests;
