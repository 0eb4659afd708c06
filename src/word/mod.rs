//! Word (Office Open XML, `.docx`) documents: what strategi writes and what it reads back.
//!
//! Ministries read drafts in Word and answer in Word. This module holds the one
//! contract both directions share: how a section of a [`Document`] is marked in a Word
//! file, so that a comment or change made in Word can be mapped back to its section.
//!
//! # Section bookmarks
//! Every section strategi writes to a `.docx` is wrapped in a Word bookmark named by
//! [`bookmark_name`]. Word limits bookmark names to 40 characters, starting with a
//! letter, of letters, digits and `_` (names starting with `_` are hidden), so a section
//! id cannot be used as it is: the name is `S_`, the id with every character other than
//! an ASCII letter or digit replaced by `_`, cut to 29 characters, `_`, and the first
//! 8 hex digits of the SHA-256 of the id. The readable part helps a person who opens the
//! bookmark list; the digest keeps names unique. The name cannot be turned back into the
//! id: a reader maps names to ids with [`bookmark_map`] over the version that was sent.
//!
//! # Headings
//! Section headings are written as Word's heading styles (`Heading1` …) with the section
//! number ([`Document::section_numbers`]) as literal text before the title, separated by
//! one space (`3.4.1 Tiltak 6`). A reader strips a leading number from a heading only
//! when it is the number the section had, since a title may itself start with a year.
//!
//! # Front matter
//! What strategi writes about a version rather than its text (the case title, case
//! number, version, label, date and the "Utkast"/"Godkjent" marking) is on a front page
//! *before the first section bookmark*, and repeated in the page header (a header part,
//! outside the body). Everything outside the section bookmarks is strategi's, not the
//! version's text: a reader strips it. A removed section in a redline is also outside
//! every bookmark (its id is not in the later version).
//!
//! [`write`] writes a version ([`write::export_docx`]); [`redline`] writes the later of
//! two versions with the changes as tracked changes ([`redline::redline_docx`]).

pub mod import;
pub mod read;
pub mod redline;
pub mod write;

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::document::Document;

/// Longest bookmark name Word accepts.
pub const MAX_BOOKMARK_LEN: usize = 40;

/// The custom document property (`docProps/custom.xml`) the export names the version
/// in, so that the import knows a copy of another version than the round's.
pub const VERSION_PROPERTY: &str = "strategi-version";

/// The custom document property the export names the case number in.
pub const CASE_PROPERTY: &str = "strategi-case";

/// The Word bookmark name for the section with this id; see the module documentation.
pub fn bookmark_name(section_id: &str) -> String {
    let readable: String = section_id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .take(29)
        .collect();
    let digest = Sha256::digest(section_id.as_bytes());
    let hex: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
    format!("S_{readable}_{hex}")
}

/// Bookmark names of every section of `doc`, mapped to the section ids.
pub fn bookmark_map(doc: &Document) -> HashMap<String, String> {
    doc.sections
        .iter()
        .map(|s| (bookmark_name(&s.id), s.id.clone()))
        .collect()
}

/// The section number written before a heading's title, if `heading` starts with one
/// (`"3.4.1 Tiltak 6"` → `Some(("3.4.1", "Tiltak 6"))`).
pub fn split_heading_number(heading: &str) -> Option<(&str, &str)> {
    let heading = heading.trim_start();
    let end = heading
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(heading.len());
    let number = &heading[..end];
    let rest = &heading[end..];
    let starts_with_digit = number.starts_with(|c: char| c.is_ascii_digit());
    if !starts_with_digit || !rest.starts_with(char::is_whitespace) {
        return None;
    }
    Some((number.trim_end_matches('.'), rest.trim_start()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bookmark_names_are_valid_word_names() {
        for id in [
            "mal",
            "tiltak-6",
            "æøå-seksjon",
            "a.b:c_d",
            &"x".repeat(100),
            "1-innledning",
        ] {
            let name = bookmark_name(id);
            assert!(name.len() <= MAX_BOOKMARK_LEN, "{name}");
            assert!(name.starts_with("S_"), "{name}");
            assert!(
                name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                "{name}"
            );
        }
        assert_eq!(bookmark_name("tiltak-6"), bookmark_name("tiltak-6"));
        assert_ne!(bookmark_name("a-b"), bookmark_name("a_b"));
        assert!(bookmark_name("tiltak-6").starts_with("S_tiltak_6_"));
    }

    #[test]
    fn bookmark_map_finds_every_section() {
        let doc = Document::from_text("a.md", "# Tittel\n\n## Mål {#mal}\n\nTekst.\n\n## Tiltak\n");
        let map = bookmark_map(&doc);
        assert_eq!(map.len(), doc.sections.len());
        assert_eq!(
            map.get(&bookmark_name("mal")).map(String::as_str),
            Some("mal")
        );
    }

    #[test]
    fn heading_numbers_are_split_off() {
        assert_eq!(
            split_heading_number("3.4.1 Tiltak 6"),
            Some(("3.4.1", "Tiltak 6"))
        );
        assert_eq!(split_heading_number("2. Mål"), Some(("2", "Mål")));
        assert_eq!(
            split_heading_number("2025 var et år"),
            Some(("2025", "var et år"))
        );
        assert_eq!(split_heading_number("Tiltak 6"), None);
        assert_eq!(split_heading_number("3.4.1"), None);
        assert_eq!(split_heading_number(".5 x"), None);
    }
}
