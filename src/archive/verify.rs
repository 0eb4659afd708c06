//! Checks a transfer package on disk: every file against `arkivuttrekk.xml` (size and
//! SHA-256), no file undocumented, the shipped schemas identical to the official ones,
//! the journal counts against `arkivstruktur.xml`, every referenced document file there
//! with its checksum, unique systemIDs, journal dates within the period.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use quick_xml::events::Event;
use serde::Serialize;

use super::SCHEMAS;
use super::write::sha256_hex;

/// One problem, named by file and element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The file (relative to the package folder).
    pub file: String,
    /// The element (or the part of the file) concerned.
    pub element: String,
    /// What is wrong.
    pub message: String,
}

fn problem(file: &str, element: &str, message: impl Into<String>) -> Problem {
    Problem {
        file: file.to_string(),
        element: element.to_string(),
        message: message.into(),
    }
}

/// The leaves of an XML document: (path of element names, each `name@attr` when it has a
/// `name` attribute, joined by `/`; text).
fn leaves(bytes: &[u8]) -> Result<Vec<(String, String)>, String> {
    let mut r = quick_xml::Reader::from_reader(bytes);
    let mut path: Vec<String> = Vec::new();
    let mut out = Vec::new();
    let mut text = String::new();
    loop {
        match r.read_event() {
            Ok(Event::Start(e)) => {
                let mut seg = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                for a in e.attributes().flatten() {
                    if a.key.as_ref() == b"name" {
                        seg.push('@');
                        seg.push_str(&String::from_utf8_lossy(&a.value));
                    }
                }
                path.push(seg);
                text.clear();
            }
            Ok(Event::Text(t)) => {
                let s = t.xml10_content().map_err(|e| e.to_string())?;
                text.push_str(&s);
            }
            Ok(Event::GeneralRef(g)) => {
                let name = String::from_utf8_lossy(g.as_ref()).into_owned();
                text.push_str(match name.as_str() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "",
                });
            }
            Ok(Event::End(_)) => {
                out.push((path.join("/"), std::mem::take(&mut text)));
                path.pop();
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                return Err(format!(
                    "not well-formed XML at byte {}: {e}",
                    r.buffer_position()
                ));
            }
        }
    }
    Ok(out)
}

struct Entry {
    name: String,
    size: Option<String>,
    checksum: Option<String>,
}

/// Checks the package in `dir`. An empty list: the package is sound.
pub fn verify(dir: &Path) -> Vec<Problem> {
    let mut problems = Vec::new();
    let read = |name: &str| std::fs::read(dir.join(name));
    let Ok(addml) = read("arkivuttrekk.xml") else {
        return vec![problem("arkivuttrekk.xml", "addml", "the file is missing")];
    };
    let entries = match leaves(&addml) {
        Ok(l) => {
            let mut entries: Vec<Entry> = Vec::new();
            for (path, text) in l {
                if path.ends_with("property@file/properties/property@name/value") {
                    entries.push(Entry {
                        name: text,
                        size: None,
                        checksum: None,
                    });
                } else if path.ends_with("property@file/properties/property@size/value") {
                    if let Some(e) = entries.last_mut() {
                        e.size = Some(text);
                    }
                } else if path.ends_with("property@checksum/properties/property@value/value")
                    && let Some(e) = entries.last_mut()
                {
                    e.checksum = Some(text);
                }
            }
            entries
        }
        Err(e) => return vec![problem("arkivuttrekk.xml", "addml", e)],
    };
    let mut documented = BTreeSet::new();
    for e in &entries {
        let el = format!("property \"file\" of {}", e.name);
        if e.name.contains("..") || e.name.starts_with('/') {
            problems.push(problem(
                "arkivuttrekk.xml",
                &el,
                "the file name leaves the package",
            ));
            continue;
        }
        if !documented.insert(e.name.clone()) {
            continue;
        }
        let Ok(bytes) = read(&e.name) else {
            problems.push(problem(
                &e.name,
                "file",
                "documented in arkivuttrekk.xml but missing",
            ));
            continue;
        };
        if let Some(s) = &e.size
            && s != &bytes.len().to_string()
        {
            problems.push(problem(
                &e.name,
                "size",
                format!("is {} bytes, arkivuttrekk.xml says {s}", bytes.len()),
            ));
        }
        match &e.checksum {
            Some(c) if c.eq_ignore_ascii_case(&sha256_hex(&bytes)) => {}
            Some(c) => problems.push(problem(
                &e.name,
                "checksum",
                format!(
                    "SHA-256 is {}, arkivuttrekk.xml says {c}",
                    sha256_hex(&bytes)
                ),
            )),
            None => problems.push(problem("arkivuttrekk.xml", &el, "no checksum")),
        }
    }
    for f in files_under(dir, dir) {
        if f != "arkivuttrekk.xml" && !documented.contains(&f) {
            problems.push(problem(&f, "file", "not documented in arkivuttrekk.xml"));
        }
    }
    for (name, official) in SCHEMAS {
        match read(name) {
            Ok(b) if b == official => {}
            Ok(_) => problems.push(problem(
                name,
                "xs:schema",
                "differs from the official Noark 5 v5.5.0 schema",
            )),
            Err(_) => problems.push(problem(name, "xs:schema", "the shipped schema is missing")),
        }
    }
    // arkivstruktur: ids, document references, journal counts, dates.
    let Ok(arkiv) = read("arkivstruktur.xml") else {
        problems.push(problem("arkivstruktur.xml", "arkiv", "the file is missing"));
        return problems;
    };
    let arkiv = match leaves(&arkiv) {
        Ok(l) => l,
        Err(e) => {
            problems.push(problem("arkivstruktur.xml", "arkiv", e));
            return problems;
        }
    };
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    let mut registrations = 0;
    let mut last_ref: Option<String> = None;
    let mut dates = Vec::new();
    for (path, text) in &arkiv {
        if path.ends_with("/systemID") || path == "arkiv/systemID" {
            *ids.entry(text.clone()).or_default() += 1;
        }
        if path.ends_with("/registrering") {
            registrations += 1;
        }
        if path.ends_with("registrering/journaldato") {
            dates.push(("arkivstruktur.xml", text.clone()));
        }
        if path.ends_with("dokumentobjekt/referanseDokumentfil") {
            last_ref = Some(text.clone());
            if read(text).is_err() {
                problems.push(problem(
                    "arkivstruktur.xml",
                    &format!("dokumentobjekt/referanseDokumentfil {text}"),
                    "the referenced document file is missing",
                ));
            }
        }
        if path.ends_with("dokumentobjekt/sjekksum")
            && let Some(f) = last_ref.take()
            && let Ok(b) = read(&f)
            && !text.eq_ignore_ascii_case(&sha256_hex(&b))
        {
            problems.push(problem(
                &f,
                "checksum",
                format!("SHA-256 differs from dokumentobjekt/sjekksum {text} in arkivstruktur.xml"),
            ));
        }
    }
    for (id, n) in &ids {
        if *n > 1 {
            problems.push(problem(
                "arkivstruktur.xml",
                &format!("systemID {id}"),
                format!("used {n} times"),
            ));
        }
    }
    for journal in ["loependeJournal.xml", "offentligJournal.xml"] {
        let Ok(b) = read(journal) else {
            problems.push(problem(journal, "journalhode", "the file is missing"));
            continue;
        };
        let l = match leaves(&b) {
            Ok(l) => l,
            Err(e) => {
                problems.push(problem(journal, "journalhode", e));
                continue;
            }
        };
        let get = |suffix: &str| {
            l.iter()
                .find(|(p, _)| p.ends_with(suffix))
                .map(|(_, t)| t.clone())
        };
        let count = l
            .iter()
            .filter(|(p, _)| p.ends_with("/journalregistrering"))
            .count();
        let said = get("journalhode/antallJournalposter").unwrap_or_default();
        if said != count.to_string() {
            problems.push(problem(
                journal,
                "journalhode/antallJournalposter",
                format!("says {said}, the journal has {count}"),
            ));
        }
        if count != registrations {
            problems.push(problem(
                journal,
                "journalregistrering",
                format!("{count} entries, arkivstruktur.xml has {registrations} registrations"),
            ));
        }
        for (p, t) in &l {
            if p.ends_with("journalpost/systemID") && !ids.contains_key(t) {
                problems.push(problem(
                    journal,
                    &format!("journalpost/systemID {t}"),
                    "not in arkivstruktur.xml",
                ));
            }
            if p.ends_with("journalpost/journaldato") {
                dates.push((journal, t.clone()));
            }
        }
        let (Some(start), Some(end)) = (get("journalStartDato"), get("journalSluttDato")) else {
            problems.push(problem(
                journal,
                "journalhode",
                "no journalStartDato or journalSluttDato",
            ));
            continue;
        };
        if journal == "loependeJournal.xml" {
            for (f, d) in &dates {
                if d.as_str() < start.as_str() || d.as_str() > end.as_str() {
                    problems.push(problem(
                        f,
                        &format!("journaldato {d}"),
                        format!("outside the period {start} – {end}"),
                    ));
                }
            }
        }
    }
    problems
}

fn files_under(root: &Path, dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            out.extend(files_under(root, &p));
        } else if let Ok(rel) = p.strip_prefix(root) {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    out
}
