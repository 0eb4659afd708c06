//! Word in (issue 15): Word files made by real tools (LibreOffice, python-docx, pandoc)
//! imported into anchored comments and suggestions; the round trip; hostile files.

use std::path::{Path, PathBuf};

use crate::common::office;
use crate::common::{Run, TestEnv};

const V1: &str = "# KI-strategi {#ki}\n\n## Mål {#mal}\n\nVi skal bruke kunstig intelligens på en ansvarlig måte i hele\ndepartementsfellesskapet.\n\nAlle ansatte skal få grunnopplæring innen 1. juni 2026.\n\n## Tiltak {#tiltak}\n\nDIO etablerer en felles plattform for språkmodeller.\n\nPlattformen skal være tilgjengelig innen utgangen av 2026 for alle ansatte.\n\n## Økonomi {#okonomi}\n\nTiltakene finansieres innenfor gjeldende rammer.\n";

/// A workspace with a round on v1 of [`V1`] sent to FIN, KDD, HOD and KD.
fn round(env: &TestEnv) -> String {
    env.round_to_four(V1)
}

/// What a comment imported from Word should be.
#[derive(Debug, Clone, PartialEq)]
pub struct Expected<'a> {
    /// "comment", "insertion", "replacement", …
    pub kind: &'a str,
    pub section: Option<&'a str>,
    pub quote: Option<&'a str>,
    pub proposal: Option<&'a str>,
    /// A part of the comment's text.
    pub text: &'a str,
    pub author: Option<&'a str>,
}

/// Imports `docx` into the latest round as FIN's reply and returns the import's JSON.
pub fn import_docx(env: &TestEnv, docx: &Path) -> serde_json::Value {
    let file = docx.to_str().expect("utf-8 path");
    env.run_in(
        "ws",
        &[
            "--json", "comment", "import", "latest", file, "--from", "FIN",
        ],
    )
    .ok()
    .json()
}

/// The comments of the round made from Word, as JSON.
pub fn word_comments(env: &TestEnv) -> Vec<serde_json::Value> {
    env.run_in("ws", &["--json", "comment", "list"])
        .ok()
        .json()
        .as_array()
        .expect("array")
        .iter()
        .filter(|c| c.get("word").is_some())
        .cloned()
        .collect()
}

/// Imports `docx` as FIN's reply and asserts that exactly `expected` comments and
/// suggestions came of it (in any order). Reusable for any .docx of the round's version
/// (the export's round trip).
pub fn assert_imports_exactly(env: &TestEnv, docx: &Path, expected: &[Expected<'_>]) {
    let before = word_comments(env).len();
    let j = import_docx(env, docx);
    assert_eq!(j["files"][0]["result"], "imported", "{j}");
    let all = word_comments(env);
    let got = &all[before..];
    let shown: Vec<String> = got
        .iter()
        .map(|c| {
            format!(
                "{} {} {:?} {:?} {:?}",
                c["word"]["kind"], c["section"], c["anchor"]["quote"], c["proposal"], c["text"]
            )
        })
        .collect();
    assert_eq!(
        got.len(),
        expected.len(),
        "got {shown:#?}\nwarnings {}",
        j["files"][0]["warnings"]
    );
    for e in expected {
        let found = got.iter().any(|c| {
            c["word"]["kind"] == e.kind
                && c["section"].as_str() == e.section
                && c["anchor"]["quote"].as_str() == e.quote
                && c["proposal"].as_str() == e.proposal
                && c["text"].as_str().is_some_and(|t| t.contains(e.text))
                && c["word"]["author"].as_str() == e.author
                && c["party"] == "FIN"
        });
        assert!(found, "expected {e:?}\ngot {shown:#?}");
    }
}

/// A copy of `docx` with one Word comment (on the paragraph about the platform) and one
/// tracked insertion (after "1. juni 2026."), added with python-docx (the insertion
/// through its XML layer, as python-docx has no API for tracked changes).
pub fn add_comment_and_change(docx: &Path, out: &Path) {
    office::python(
        r#"
import sys, docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
d = docx.Document(sys.argv[1])
platform = next(p for p in d.paragraphs if "felles plattform" in p.text)
course = next(p for p in d.paragraphs if "grunnopplæring" in p.text)
d.add_comment(platform.runs, text="Hvem skal drifte plattformen?", author="Ola Nordmann", initials="ON")
ins = OxmlElement("w:ins")
ins.set(qn("w:id"), "9001")
ins.set(qn("w:author"), "Kari Nordmann")
ins.set(qn("w:date"), "2025-11-20T10:00:00Z")
r = OxmlElement("w:r")
t = OxmlElement("w:t")
t.set(qn("xml:space"), "preserve")
t.text = " Det gjelder også ledere."
r.append(t)
ins.append(r)
course._p.append(ins)
d.save(sys.argv[2])
"#,
        &[docx.to_str().expect("path"), out.to_str().expect("path")],
    );
}

/// What [`add_comment_and_change`] adds, as imported.
pub const ADDED: [Expected<'static>; 2] = [
    Expected {
        kind: "comment",
        section: Some("tiltak"),
        quote: Some("DIO etablerer en felles plattform for språkmodeller."),
        proposal: None,
        text: "Hvem skal drifte plattformen?",
        author: Some("Ola Nordmann"),
    },
    Expected {
        kind: "insertion",
        section: Some("mal"),
        // "2026." alone would read as a list marker: widened to the word before.
        quote: Some("juni 2026."),
        proposal: Some("juni 2026. Det gjelder også ledere."),
        text: "+«Det gjelder også ledere.»",
        author: Some("Kari Nordmann"),
    },
];

fn work(env: &TestEnv) -> PathBuf {
    let dir = env.path("word");
    std::fs::create_dir_all(&dir).expect("word dir");
    dir
}

#[test]
fn libreoffice_comments_and_tracked_changes_import_anchored() {
    let env = TestEnv::new();
    round(&env);
    let dir = work(&env);
    let fodt = dir.join("svar.fodt");
    std::fs::write(&fodt, LO_FODT).expect("fodt");
    let docx = office::soffice_convert(&dir, &fodt, "docx", &dir.join("out"));
    assert_imports_exactly(
        &env,
        &docx,
        &[
            Expected {
                kind: "comment",
                section: Some("mal"),
                quote: Some("kunstig intelligens på en ansvarlig måte"),
                proposal: None,
                text: "Hva betyr ansvarlig her?",
                author: Some("Ola Nordmann"),
            },
            Expected {
                kind: "replacement",
                section: Some("mal"),
                quote: Some("innen 1. juni 2026."),
                proposal: Some("innen 1. mars 2026."),
                text: "«1. juni» → «1. mars»",
                author: Some("Kari Nordmann"),
            },
        ],
    );
    // The Word date is kept as metadata; the file is stored in the round's inbox.
    let c = word_comments(&env)
        .into_iter()
        .find(|c| c["word"]["kind"] == "comment")
        .expect("comment");
    assert_eq!(c["word"]["date"], "2025-11-21T09:30:00Z");
    assert_eq!(c["word"]["file"], "reply.docx");
    // The same file again: nothing new.
    let again = import_docx(&env, &docx);
    assert_eq!(again["files"][0]["result"], "duplicate", "{again}");
    assert_eq!(word_comments(&env).len(), 2);
}

#[test]
fn python_docx_comments_and_pandoc_changes_import_anchored() {
    let env = TestEnv::new();
    round(&env);
    let dir = work(&env);
    // python-docx: a document of its own (no strategi bookmarks), mapped by headings.
    let made = dir.join("python.docx");
    office::python(
        r#"
import sys, docx
d = docx.Document()
d.add_heading("KI-strategi", 1)
d.add_heading("Mål", 2)
p = d.add_paragraph("Vi skal bruke ")
r = p.add_run("kunstig intelligens")
p.add_run(" på en ansvarlig måte i hele departementsfellesskapet.")
d.add_paragraph("Alle ansatte skal få grunnopplæring innen 1. juni 2026.")
d.add_heading("Tiltak", 2)
q = d.add_paragraph("DIO etablerer en felles plattform for språkmodeller.")
d.add_paragraph("Plattformen skal være tilgjengelig innen utgangen av 2026 for alle ansatte.")
d.add_heading("Økonomi", 2)
d.add_paragraph("Tiltakene finansieres innenfor gjeldende rammer.")
c = d.add_comment([r], text="Definer begrepet.", author="Per Hansen", initials="PH")
c.add_paragraph("Se også NOU 2025:1.")
d.save(sys.argv[1])
"#,
        &[made.to_str().expect("path")],
    );
    assert_imports_exactly(
        &env,
        &made,
        &[Expected {
            kind: "comment",
            section: Some("mal"),
            quote: Some("kunstig intelligens"),
            proposal: None,
            text: "Definer begrepet.\nSe også NOU 2025:1.",
            author: Some("Per Hansen"),
        }],
    );
    let c = &word_comments(&env)[0];
    assert_eq!(c["word"]["initials"], "PH");

    // pandoc: insertions, deletions and a comment from Markdown spans.
    let md = dir.join("pandoc.md");
    std::fs::write(&md, PANDOC_MD).expect("md");
    let out = dir.join("pandoc.docx");
    office::pandoc(&[
        md.to_str().expect("path"),
        "-o",
        out.to_str().expect("path"),
    ]);
    assert_imports_exactly(
        &env,
        &out,
        &[
            Expected {
                kind: "comment",
                section: Some("tiltak"),
                quote: Some("felles plattform"),
                proposal: None,
                text: "Hvilken plattform?",
                author: Some("Siri Berg"),
            },
            Expected {
                kind: "deletion",
                section: Some("tiltak"),
                quote: Some("alle ansatte."),
                proposal: Some("alle."),
                text: "−«ansatte»",
                author: Some("Siri Berg"),
            },
            Expected {
                kind: "insertion",
                section: Some("okonomi"),
                quote: Some("innenfor"),
                proposal: Some("innenfor de"),
                text: "+«de»",
                author: Some("Siri Berg"),
            },
        ],
    );
}

#[test]
fn round_trip_through_pandoc_and_libreoffice() {
    let env = TestEnv::new();
    round(&env);
    let dir = work(&env);
    // The round's version, as Markdown, to Word by pandoc, then opened and saved again
    // by LibreOffice: nothing to import.
    let md = dir.join("v1.md");
    std::fs::write(&md, V1).expect("md");
    let made = dir.join("v1.docx");
    office::pandoc(&[
        md.to_str().expect("path"),
        "-o",
        made.to_str().expect("path"),
    ]);
    let saved = office::soffice_convert(&dir, &made, "docx", &dir.join("lo"));
    let j = import_docx(&env, &saved);
    assert_eq!(j["files"][0]["comments"], 0, "{j}");
    assert!(word_comments(&env).is_empty());
    // One comment and one tracked change added: exactly those.
    let edited = dir.join("v1-edited.docx");
    add_comment_and_change(&saved, &edited);
    assert_imports_exactly(&env, &edited, &ADDED);
    // Edited without track changes: the changed passage is a suggestion.
    let untracked = dir.join("v1-untracked.docx");
    office::python(
        r#"
import sys, docx
d = docx.Document(sys.argv[1])
p = next(p for p in d.paragraphs if "felles plattform" in p.text)
for r in p.runs:
    r.text = r.text.replace("felles", "nasjonal")
d.save(sys.argv[2])
"#,
        &[
            saved.to_str().expect("path"),
            untracked.to_str().expect("path"),
        ],
    );
    assert_imports_exactly(
        &env,
        &untracked,
        &[Expected {
            kind: "edit",
            section: Some("tiltak"),
            quote: Some("felles"),
            proposal: Some("nasjonal"),
            text: "«felles» → «nasjonal»",
            author: None,
        }],
    );
}

#[test]
fn round_trip_through_our_export_and_libreoffice() {
    let env = TestEnv::new();
    round(&env);
    let dir = work(&env);
    // The round's version as strategi exports it (front page, numbered headings, section
    // bookmarks): imported as it is, and after LibreOffice opened and saved it, nothing.
    let exported = dir.join("v1-export.docx");
    env.run_in(
        "ws",
        &[
            "version",
            "export",
            "v1",
            "--format",
            "docx",
            "--out",
            exported.to_str().expect("path"),
        ],
    )
    .ok();
    let j = import_docx(&env, &exported);
    assert_eq!(j["files"][0]["comments"], 0, "{j}");
    let saved = office::soffice_convert(&dir, &exported, "docx", &dir.join("lo"));
    let j = import_docx(&env, &saved);
    assert_eq!(j["files"][0]["comments"], 0, "{j}");
    assert!(word_comments(&env).is_empty());
    // A comment and a tracked change added to LibreOffice's copy: exactly those.
    let edited = dir.join("v1-export-edited.docx");
    add_comment_and_change(&saved, &edited);
    assert_imports_exactly(&env, &edited, &ADDED);
}

#[test]
fn a_version_with_lists_tables_and_links_round_trips_to_nothing() {
    let env = TestEnv::new();
    env.round_to_four(
        "# Plan {#plan}\n\n## Mål {#mal}\n\nVi skal *bruke* **KI** trygt, se [veilederen](https://example.org/ki).\n\n\
         - Opplæring for alle\n- Felles plattform\n\n1. Først\n2. Så\n\n> Et sitat.\n\n\
         ## Indikatorer {#indikatorer}\n\n| Mål | Indikator | 2030 |\n|---|:---:|--:|\n\
         | Kompetanse | Andel ansatte | 90 % |\n| Plattform | Antall brukere | Alle |\n",
    );
    let dir = work(&env);
    let exported = dir.join("plan.docx");
    env.run_in(
        "ws",
        &[
            "version",
            "export",
            "v1",
            "--out",
            exported.to_str().expect("path"),
        ],
    )
    .ok();
    let saved = office::soffice_convert(&dir, &exported, "docx", &dir.join("lo"));
    for file in [&exported, &saved] {
        let j = import_docx(&env, file);
        assert_eq!(j["files"][0]["comments"], 0, "{}: {j}", file.display());
    }
    assert!(word_comments(&env).is_empty());
}

#[test]
fn hostile_and_wrong_files_are_refused_and_nothing_is_written() {
    let env = TestEnv::new();
    round(&env);
    let dir = work(&env);
    office::python(HOSTILE_PY, &[dir.to_str().expect("path")]);
    let refuse = |name: &str, says: &[&str]| -> Run {
        let file = dir.join(name);
        let r = env.assert_refused_unchanged(
            "ws",
            &[
                "comment",
                "import",
                "latest",
                file.to_str().expect("path"),
                "--from",
                "FIN",
            ],
        );
        for s in says {
            assert!(r.stdout.contains(s), "{name}: {s:?} not in\n{}", r.stdout);
        }
        r
    };
    refuse(
        "bomb.docx",
        &[
            "bomb.docx: word/document.xml expands to more than",
            "zip bomb",
        ],
    );
    refuse(
        "laughs.docx",
        &["laughs.docx: word/document.xml line 2: a DOCTYPE"],
    );
    refuse("entity.docx", &["word/comments.xml line 1", "&ext;"]);
    refuse(
        "truncated.docx",
        &["truncated.docx is not a readable .docx file"],
    );
    refuse("encrypted.docx", &["encrypted (password-protected)"]);
    refuse(
        "notes.odt",
        &[
            "is an OpenDocument file",
            "save it as \"Word 2007-365 (.docx)\"",
        ],
    );
    // A real .doc, written by LibreOffice, renamed .docx.
    let fodt = dir.join("doc.fodt");
    std::fs::write(&fodt, LO_FODT).expect("fodt");
    let doc = office::soffice_convert(&dir, &fodt, "doc", &dir.join("out"));
    std::fs::copy(&doc, dir.join("renamed.docx")).expect("copy");
    refuse(
        "renamed.docx",
        &["renamed.docx is a binary Word document (.doc)"],
    );
    // And as an attachment of an e-mail: the message is refused, naming the attachment.
    let eml = dir.join("reply.eml");
    std::fs::write(
        &eml,
        mail_with_attachment("svar.doc", &std::fs::read(&doc).expect("doc")),
    )
    .expect("eml");
    refuse(
        "reply.eml",
        &["the attachment svar.doc is a binary Word document (.doc)"],
    );
}

#[test]
fn files_named_docx_are_refused_as_word_files_and_the_name_given_is_kept() {
    let mut env = TestEnv::new();
    round(&env);
    let dir = work(&env);
    let refuse = |name: &str, bytes: &[u8]| -> String {
        let file = dir.join(name);
        std::fs::write(&file, bytes).expect("file");
        env.assert_refused_unchanged(
            "ws",
            &[
                "comment",
                "import",
                "latest",
                file.to_str().expect("path"),
                "--from",
                "FIN",
            ],
        )
        .stdout
    };
    // Not an e-mail: a Word file that is none, with one piece of advice.
    let out = refuse("empty.docx", b"");
    assert!(
        out.contains("empty.docx is empty (0 bytes), so it is not a Word document"),
        "{out}"
    );
    assert!(!out.contains("e-mail"), "{out}");
    assert_eq!(out.matches("Word document (.docx)").count(), 1, "{out}");
    let out = refuse("pdf.docx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n");
    assert!(
        out.contains("pdf.docx is not a Word document (not a zip archive): it is a PDF file"),
        "{out}"
    );
    assert!(!out.contains("e-mail"), "{out}");
    assert_eq!(
        out.matches("ask the sender").count() + out.matches("Ask the sender").count(),
        1,
        "{out}"
    );
    let out = refuse("broken.DOCX", b"PK\x03\x04 and then nothing");
    assert!(
        out.contains("broken.DOCX is not a readable .docx file"),
        "{out}"
    );
    assert!(!out.contains("Ask the sender"), "{out}");

    // A Word file given on its own, after the deadline: the warnings and `comment show`
    // name it as given (it is stored as reply.docx).
    env.now = "2025-12-05T10:00".to_string();
    let exported = dir.join("export.docx");
    env.run_in(
        "ws",
        &[
            "version",
            "export",
            "v1",
            "--format",
            "docx",
            "--out",
            exported.to_str().expect("path"),
        ],
    )
    .ok();
    let plain = dir.join("plain.docx");
    std::fs::copy(&exported, &plain).expect("copy");
    let j = import_docx(&env, &plain);
    let warnings = j["files"][0]["warnings"].to_string();
    assert!(
        warnings.contains("plain.docx has no comments"),
        "{warnings}"
    );
    assert!(
        warnings.contains("the Word file has no date of its own"),
        "{warnings}"
    );
    assert!(
        !warnings.contains("reply.docx") && !warnings.contains("the form"),
        "{warnings}"
    );
    let py = dir.join("py.docx");
    add_comment_and_change(&exported, &py);
    let j = import_docx(&env, &py);
    assert_eq!(j["files"][0]["result"], "imported", "{j}");
    let c = &word_comments(&env)[0];
    assert_eq!(c["word"]["file"], "reply.docx");
    assert_eq!(c["word"]["name"], "py.docx");
    let id = c["id"].as_str().expect("id");
    let show = env.run_in("ws", &["comment", "show", id]).ok().stdout;
    assert!(
        show.contains(" in py.docx (stored as reply.docx)"),
        "{show}"
    );
    let folder = j["files"][0]["folder"].as_str().expect("folder");
    let record =
        std::fs::read_to_string(env.path(&format!("ws/{folder}/import.toml"))).expect("record");
    assert!(record.contains("word_name = \"py.docx\""), "{record}");
}

#[test]
fn a_copy_of_another_version_makes_no_edit_suggestions() {
    let env = TestEnv::new();
    round(&env);
    let dir = work(&env);
    let v1 = dir.join("v1.docx");
    let out = v1.to_str().expect("path");
    env.run_in(
        "ws",
        &["version", "export", "v1", "--format", "docx", "--out", out],
    )
    .ok();
    // v2 differs from v1 in many words; a round on v2 gets our copy of v1 back.
    let v2 = V1
        .replace("ansvarlig", "trygg og ansvarlig")
        .replace("1. juni 2026", "1. september 2026")
        .replace("felles plattform", "sikker felles plattform");
    std::fs::write(env.path("ws/strategy/01-utkast.md"), v2).expect("draft");
    env.run_in("ws", &["version", "cut", "--label", "Utkast 2"])
        .ok();
    env.run_in(
        "ws",
        &[
            "--as",
            "DFD",
            "round",
            "open",
            "--version",
            "v2",
            "--to",
            "FIN",
            "--due",
            "2025-11-28",
        ],
    )
    .ok();
    let rounds = env.run_in("ws", &["--json", "round", "list"]).ok().json();
    let id = rounds
        .as_array()
        .expect("rounds")
        .iter()
        .find(|r| r["version"] == "v2")
        .and_then(|r| r["id"].as_str())
        .unwrap_or_else(|| panic!("no round on v2: {rounds}"))
        .to_string();
    env.run_in("ws", &["--as", "DFD", "round", "send", &id])
        .ok();
    let svar = dir.join("svar.docx");
    add_comment_and_change(&v1, &svar);
    let import = |file: &Path| -> serde_json::Value {
        env.run_in(
            "ws",
            &[
                "--json",
                "comment",
                "import",
                &id,
                file.to_str().expect("path"),
                "--from",
                "FIN",
            ],
        )
        .ok()
        .json()
    };
    let j = import(&svar);
    let warnings = j["files"][0]["warnings"].to_string();
    assert!(
        warnings.contains(
            "svar.docx is a copy of v1; the round sent v2: its untracked edits are not compared"
        ),
        "{warnings}"
    );
    let all = word_comments(&env);
    assert!(
        !all.is_empty(),
        "the comment and the tracked change are imported"
    );
    assert!(all.iter().all(|c| c["word"]["kind"] != "edit"), "{all:#?}");
    assert!(
        all.iter().any(|c| c["word"]["kind"] == "comment"),
        "{all:#?}"
    );
    // LibreOffice keeps the property when it saves the file.
    let saved = office::soffice_convert(&dir, &v1, "docx", &dir.join("lo"));
    let j = import(&saved);
    let warnings = j["files"][0]["warnings"].to_string();
    assert!(
        warnings.contains("is a copy of v1; the round sent v2"),
        "{warnings}"
    );
    assert!(
        word_comments(&env)
            .iter()
            .all(|c| c["word"]["kind"] != "edit")
    );
    // A copy of v2 itself is compared as before: no warning.
    let v2_docx = dir.join("v2.docx");
    let out = v2_docx.to_str().expect("path");
    env.run_in(
        "ws",
        &["version", "export", "v2", "--format", "docx", "--out", out],
    )
    .ok();
    let j = import(&v2_docx);
    assert!(
        !j["files"][0]["warnings"]
            .to_string()
            .contains("is a copy of"),
        "{j}"
    );
}

#[test]
fn a_covering_mail_with_a_word_file_gives_only_the_word_comments() {
    let env = TestEnv::new();
    round(&env);
    let dir = work(&env);
    let fodt = dir.join("svar.fodt");
    std::fs::write(&fodt, LO_FODT).expect("fodt");
    let docx = office::soffice_convert(&dir, &fodt, "docx", &dir.join("out"));
    let eml = dir.join("reply.eml");
    std::fs::write(
        &eml,
        mail_with_attachment("Merknader FIN.docx", &std::fs::read(&docx).expect("docx")),
    )
    .expect("eml");
    let j = env
        .run_in(
            "ws",
            &[
                "--json",
                "comment",
                "import",
                "latest",
                eml.to_str().expect("path"),
            ],
        )
        .ok()
        .json();
    assert_eq!(j["files"][0]["party"], "FIN", "{j}");
    let all = env.run_in("ws", &["--json", "comment", "list"]).ok().json();
    let all = all.as_array().expect("array");
    assert_eq!(all.len(), 2, "{all:#?}");
    assert!(
        all.iter()
            .all(|c| c["word"]["file"] == "attachments/Merknader FIN.docx"),
        "{all:#?}"
    );
    // The same Word file in a second message, with words of FIN's own beside it: the
    // words are a comment, the Word file's comments are not made twice.
    let again = dir.join("again.eml");
    std::fs::write(
        &again,
        mail_with(
            "Merknader FIN.docx",
            &std::fs::read(&docx).expect("docx"),
            "svar-2@fin.example",
            "Hei,\r\n\r\nI tillegg til vedlegget: kapittel 4 mangler en omtale av budsjett.\r\n\r\nMvh\r\nKari Hansen",
        ),
    )
    .expect("eml");
    let j = env
        .run_in(
            "ws",
            &[
                "--json",
                "comment",
                "import",
                "latest",
                again.to_str().expect("path"),
            ],
        )
        .ok()
        .json();
    assert_eq!(j["files"][0]["result"], "imported", "{j}");
    assert!(
        j["files"][0]["warnings"]
            .to_string()
            .contains("sent before"),
        "{j}"
    );
    let all = env.run_in("ws", &["--json", "comment", "list"]).ok().json();
    let all = all.as_array().expect("array");
    assert_eq!(all.len(), 3, "{all:#?}");
    assert!(
        all.iter().any(|c| c["word"].is_null()
            && c["text"]
                .as_str()
                .is_some_and(|t| t.contains("kapittel 4 mangler en omtale av budsjett"))),
        "{all:#?}"
    );
}

/// An e-mail from FIN with a greeting, a covering note, a sign-off and one attachment.
fn mail_with_attachment(name: &str, bytes: &[u8]) -> Vec<u8> {
    mail_with(
        name,
        bytes,
        "svar-1@fin.example",
        "Hei alle,\r\n\r\nVedlagt følger våre merknader.\r\n\r\nMed vennleg helsing\r\nKari Hansen\r\nFinansdepartementet",
    )
}

/// An e-mail from FIN with this Message-ID, body text and one attachment.
fn mail_with(name: &str, bytes: &[u8], message_id: &str, body: &str) -> Vec<u8> {
    let b64 = base64(bytes);
    let mut lines = String::new();
    for chunk in b64.as_bytes().chunks(76) {
        lines.push_str(std::str::from_utf8(chunk).expect("ascii"));
        lines.push_str("\r\n");
    }
    format!(
        "From: Kari Hansen <postmottak@fin.example>\r\nTo: postmottak@dfd.example\r\nSubject: Svar fra FIN\r\nMessage-ID: <{message_id}>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n\r\n--b1\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{lines}--b1--\r\n"
    )
    .into_bytes()
}

fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A flat ODT with a comment (office:annotation) on a range and a tracked replacement
/// (text:tracked-changes), for LibreOffice to save as .docx.
const LO_FODT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
<office:body><office:text>
<text:tracked-changes text:track-changes="true">
<text:changed-region text:id="ct1"><text:deletion><office:change-info><dc:creator>Kari Nordmann</dc:creator><dc:date>2025-11-20T10:00:00</dc:date></office:change-info><text:p>1. juni</text:p></text:deletion></text:changed-region>
<text:changed-region text:id="ct2"><text:insertion><office:change-info><dc:creator>Kari Nordmann</dc:creator><dc:date>2025-11-20T10:00:00</dc:date></office:change-info></text:insertion></text:changed-region>
</text:tracked-changes>
<text:h text:style-name="Heading_20_1" text:outline-level="1">KI-strategi</text:h>
<text:h text:style-name="Heading_20_2" text:outline-level="2">Mål</text:h>
<text:p>Vi skal bruke <office:annotation office:name="a1"><dc:creator>Ola Nordmann</dc:creator><dc:date>2025-11-21T09:30:00</dc:date><text:p>Hva betyr ansvarlig her?</text:p></office:annotation>kunstig intelligens på en ansvarlig måte<office:annotation-end office:name="a1"/> i hele departementsfellesskapet.</text:p>
<text:p>Alle ansatte skal få grunnopplæring innen <text:change text:change-id="ct1"/><text:change-start text:change-id="ct2"/>1. mars<text:change-end text:change-id="ct2"/> 2026.</text:p>
<text:h text:style-name="Heading_20_2" text:outline-level="2">Tiltak</text:h>
<text:p>DIO etablerer en felles plattform for språkmodeller.</text:p>
<text:p>Plattformen skal være tilgjengelig innen utgangen av 2026 for alle ansatte.</text:p>
<text:h text:style-name="Heading_20_2" text:outline-level="2">Økonomi</text:h>
<text:p>Tiltakene finansieres innenfor gjeldende rammer.</text:p>
</office:text></office:body></office:document>
"#;

/// The version with pandoc's change and comment spans.
const PANDOC_MD: &str = r#"# KI-strategi

## Mål

Vi skal bruke kunstig intelligens på en ansvarlig måte i hele departementsfellesskapet.

Alle ansatte skal få grunnopplæring innen 1. juni 2026.

## Tiltak

DIO etablerer en [Hvilken plattform?]{.comment-start id="1" author="Siri Berg" date="2025-11-22T08:00:00Z"}felles plattform[]{.comment-end id="1"} for språkmodeller.

Plattformen skal være tilgjengelig innen utgangen av 2026 for alle [ansatte]{.deletion author="Siri Berg" date="2025-11-22T08:00:00Z"}.

## Økonomi

Tiltakene finansieres innenfor [de]{.insertion author="Siri Berg" date="2025-11-22T08:00:00Z"} gjeldende rammer.
"#;

/// Writes the hostile files into the folder given: a zip bomb, a billion-laughs part, an
/// undeclared entity, a truncated zip, an encrypted package and an .odt.
const HOSTILE_PY: &str = r#"
import sys, os, zipfile, io
d = sys.argv[1]
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
def docx(path, parts):
    with zipfile.ZipFile(os.path.join(d, path), "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts:
            z.writestr(name, data)
body = '<?xml version="1.0"?><w:document %s><w:body><w:p><w:r><w:t>Hei</w:t></w:r></w:p></w:body></w:document>' % W
# 80 MB of spaces inflated from a file of about 80 KB.
with zipfile.ZipFile(os.path.join(d, "bomb.docx"), "w", zipfile.ZIP_DEFLATED) as z:
    with z.open("word/document.xml", "w") as f:
        f.write(body[:-len("</w:document>")].encode())
        chunk = b" " * (1 << 20)
        for _ in range(80):
            f.write(chunk)
laughs = '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>\n<w:document %s><w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>' % W
docx("laughs.docx", [("word/document.xml", laughs)])
docx("entity.docx", [("word/document.xml", body), ("word/comments.xml", '<w:comments %s><w:comment w:id="0"><w:p><w:r><w:t>&ext;</w:t></w:r></w:p></w:comment></w:comments>' % W)])
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("word/document.xml", body * 50)
data = buf.getvalue()
open(os.path.join(d, "truncated.docx"), "wb").write(data[: len(data) // 2])
# An OLE compound file holding an EncryptedPackage stream, as Word writes a
# password-protected .docx: header, then a directory sector with the stream names.
ole = bytearray(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
for name in ["Root Entry", "EncryptionInfo", "EncryptedPackage"]:
    entry = name.encode("utf-16-le").ljust(64, b"\0") + bytes([len(name) * 2 + 2, 0]) + b"\0" * 62
    ole += entry
open(os.path.join(d, "encrypted.docx"), "wb").write(bytes(ole))
with zipfile.ZipFile(os.path.join(d, "notes.odt"), "w") as z:
    z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
    z.writestr("content.xml", "<office:document-content/>")
"#;

#[test]
fn an_accepted_suggestion_is_applied_to_the_draft_in_one_commit() {
    let env = TestEnv::new();
    round(&env);
    let dir = work(&env);
    let md = dir.join("svar.md");
    std::fs::write(&md, PANDOC_MD).expect("md");
    let docx = dir.join("svar.docx");
    office::pandoc(&[
        md.to_str().expect("path"),
        "-o",
        docx.to_str().expect("path"),
    ]);
    import_docx(&env, &docx);
    let all = word_comments(&env);
    let id = |kind: &str| {
        all.iter()
            .find(|c| c["word"]["kind"] == kind)
            .and_then(|c| c["id"].as_str())
            .expect("comment")
            .to_string()
    };
    let (comment, deletion, insertion) = (id("comment"), id("deletion"), id("insertion"));
    // A comment without a proposal, and a suggestion not yet accepted: refused.
    let r = env.assert_refused_unchanged("ws", &["comment", "apply", &comment]);
    assert!(r.stderr.contains("no proposed wording"), "{}", r.stderr);
    let r = env.assert_refused_unchanged("ws", &["comment", "apply", &deletion]);
    assert!(r.stderr.contains("not decided yet"), "{}", r.stderr);
    // Accepted and applied in the same command: the decision, then the text.
    env.run_in(
        "ws",
        &[
            "comment",
            "resolve",
            &deletion,
            "--decision",
            "accepted",
            "--apply",
        ],
    )
    .ok();
    let draft = std::fs::read_to_string(env.path("ws/strategy/01-utkast.md")).expect("draft");
    assert!(draft.contains("utgangen av 2026 for alle.\n"), "{draft}");
    let log = env.git("ws", &["log", "-2", "--format=%s%n%b"]).ok().stdout;
    assert!(
        log.starts_with(&format!(
            "Apply comment {deletion} (FIN) to strategy/01-utkast.md"
        )),
        "{log}"
    );
    assert!(log.contains("Strategi-Action: comment-apply"), "{log}");
    assert!(log.contains(&format!("Decide comment {deletion}")), "{log}");
    assert_eq!(env.git("ws", &["status", "--porcelain"]).ok().stdout, "");
    // Applied once; a second time the quote is gone and the proposed wording is there,
    // and the refusal says so.
    let r = env.assert_refused_unchanged("ws", &["comment", "apply", &deletion]);
    assert!(
        r.stderr.contains("it looks applied already"),
        "{}",
        r.stderr
    );
    // A quote gone from the draft (edited by hand) is refused saying where it went.
    let path = env.path("ws/strategy/01-utkast.md");
    let draft = std::fs::read_to_string(&path).expect("draft");
    let edited = draft.replacen("for alle.", "for hver.", 1);
    assert_ne!(edited, draft, "the deletion was applied");
    std::fs::write(&path, &edited).expect("draft");
    env.git("ws", &["commit", "-qam", "Hand edit"]).ok();
    let r = env.assert_refused_unchanged("ws", &["comment", "apply", &deletion]);
    assert!(
        r.stderr.contains("is no longer in strategy/ word for word"),
        "{}",
        r.stderr
    );
    // A quote found twice is refused naming both places.
    env.run_in(
        "ws",
        &["comment", "resolve", &insertion, "--decision", "accepted"],
    )
    .ok();
    let path = env.path("ws/strategy/01-utkast.md");
    let draft = std::fs::read_to_string(&path).expect("draft");
    std::fs::write(
        &path,
        format!(
            "{draft}
Også innenfor rammen.
"
        ),
    )
    .expect("draft");
    let r = env.assert_refused_unchanged("ws", &["comment", "apply", &insertion]);
    assert!(
        r.stderr.contains(
            "occurs 2 times in strategy/ (strategy/01-utkast.md:18, strategy/01-utkast.md:20)"
        ),
        "{}",
        r.stderr
    );
    // An uncommitted edit elsewhere in the file would be swept into the apply commit:
    // refused naming the file, the edit left as it is.
    let edited = format!("{draft}\nEt nytt avsnitt som ikke er lagret.\n");
    std::fs::write(&path, &edited).expect("draft");
    let r = env.assert_refused_unchanged("ws", &["comment", "apply", &insertion]);
    assert!(
        r.stderr
            .contains("strategy/01-utkast.md has uncommitted changes")
            && r.stderr.contains("stash"),
        "{}",
        r.stderr
    );
    assert_eq!(std::fs::read_to_string(&path).expect("draft"), edited);
    // As it was: applied by `comment apply`.
    std::fs::write(&path, &draft).expect("draft");
    env.run_in("ws", &["comment", "apply", &insertion]).ok();
    let draft = std::fs::read_to_string(&path).expect("draft");
    assert!(draft.contains("innenfor de gjeldende rammer."), "{draft}");
    // An insertion's proposal contains its quote: applying it again would insert the
    // words twice, so it is refused as applied already.
    let r = env.assert_refused_unchanged("ws", &["comment", "apply", &insertion]);
    assert!(
        r.stderr.contains("it looks applied already"),
        "{}",
        r.stderr
    );
}

/// Exports the round's v1 as strategi does (numbered headings, section bookmarks).
fn export_v1(env: &TestEnv, out: &Path) {
    env.run_in(
        "ws",
        &[
            "version",
            "export",
            "v1",
            "--format",
            "docx",
            "--out",
            out.to_str().expect("path"),
        ],
    )
    .ok();
}

#[test]
fn a_comment_and_a_tracked_change_on_headings_keep_their_sections() {
    let env = TestEnv::new();
    round(&env);
    let dir = work(&env);
    let exported = dir.join("v1.docx");
    export_v1(&env, &exported);
    let edited = dir.join("v1-headings.docx");
    office::python(
        r#"
import sys, docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
d = docx.Document(sys.argv[1])
tiltak = next(p for p in d.paragraphs if p.text.split(" ")[-1] == "Tiltak")
okonomi = next(p for p in d.paragraphs if p.text.split(" ")[-1] == "Økonomi")
assert tiltak.text[0].isdigit() and okonomi.text[0].isdigit(), (tiltak.text, okonomi.text)
d.add_comment(tiltak.runs, text="Bør hete Tiltak og virkemidler.", author="Ola Nordmann")
ins = OxmlElement("w:ins")
ins.set(qn("w:id"), "9002")
ins.set(qn("w:author"), "Kari Nordmann")
r = OxmlElement("w:r")
t = OxmlElement("w:t")
t.set(qn("xml:space"), "preserve")
t.text = " og gevinster"
r.append(t)
ins.append(r)
okonomi._p.append(ins)
d.save(sys.argv[2])
"#,
        &[
            exported.to_str().expect("path"),
            edited.to_str().expect("path"),
        ],
    );
    // Kept with the heading's section; the anchor module anchors body text only, so the
    // quote (the title, without its number) is in the text.
    assert_imports_exactly(
        &env,
        &edited,
        &[
            Expected {
                kind: "comment",
                section: Some("tiltak"),
                quote: None,
                proposal: None,
                text: "«Tiltak»\n\nBør hete Tiltak og virkemidler.",
                author: Some("Ola Nordmann"),
            },
            Expected {
                kind: "insertion",
                section: Some("okonomi"),
                quote: None,
                proposal: Some("Økonomi og gevinster"),
                text: "«Økonomi»\n\n+«og gevinster»",
                author: Some("Kari Nordmann"),
            },
        ],
    );
}

#[test]
fn a_tracked_change_in_a_table_cell_is_quoted_in_the_cell_and_applies() {
    let env = TestEnv::new();
    env.round_to_four(
        "# Plan {#plan}\n\n## Indikatorer {#indikatorer}\n\nAndel brukere skal øke.\n\n\
         | Mål | Indikator |\n|---|---|\n| KI-kompetanse | Andel ansatte som har tatt kurs |\n\
         | Plattform | Antall brukere |\n",
    );
    let dir = work(&env);
    let exported = dir.join("v1.docx");
    export_v1(&env, &exported);
    let edited = dir.join("v1-cell.docx");
    office::python(
        r#"
import sys, docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
d = docx.Document(sys.argv[1])
cell = next(p for t in d.tables for row in t.rows for c in row.cells for p in c.paragraphs
            if p.text.startswith("Andel ansatte"))
run = cell.runs[0]
assert run.text.startswith("Andel ")
run.text = run.text[len("Andel"):]
def change(tag, id, text, text_tag):
    e = OxmlElement(tag)
    e.set(qn("w:id"), id)
    e.set(qn("w:author"), "Kari Nordmann")
    r = OxmlElement("w:r")
    t = OxmlElement(text_tag)
    t.set(qn("xml:space"), "preserve")
    t.text = text
    r.append(t)
    e.append(r)
    return e
run._r.addprevious(change("w:del", "9003", "Andel", "w:delText"))
run._r.addprevious(change("w:ins", "9004", "ANDEL", "w:t"))
d.save(sys.argv[2])
"#,
        &[
            exported.to_str().expect("path"),
            edited.to_str().expect("path"),
        ],
    );
    // "Andel" alone is in the section twice: widened inside the cell, not across it.
    assert_imports_exactly(
        &env,
        &edited,
        &[Expected {
            kind: "replacement",
            section: Some("indikatorer"),
            quote: Some("Andel ansatte"),
            proposal: Some("ANDEL ansatte"),
            text: "«Andel» → «ANDEL»",
            author: Some("Kari Nordmann"),
        }],
    );
    let id = word_comments(&env)[0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    env.run_in(
        "ws",
        &[
            "comment",
            "resolve",
            &id,
            "--decision",
            "accepted",
            "--apply",
        ],
    )
    .ok();
    let draft = std::fs::read_to_string(env.path("ws/strategy/01-utkast.md")).expect("draft");
    assert!(
        draft.contains("| KI-kompetanse | ANDEL ansatte som har tatt kurs |"),
        "{draft}"
    );
    assert!(draft.contains("Andel brukere skal øke."), "{draft}");
}

/// `word/document.xml` of a .docx file.
fn document_xml(docx: &Path) -> String {
    use std::io::Read;
    let file = std::fs::File::open(docx).expect("open docx");
    let mut zip = zip::ZipArchive::new(file).expect("a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("word/document.xml")
        .read_to_string(&mut xml)
        .expect("read");
    xml
}

#[test]
fn a_tracked_move_from_libreoffice_is_one_suggestion_applied_in_one_commit() {
    let env = TestEnv::new();
    round(&env);
    let dir = work(&env);
    let exported = dir.join("v1.docx");
    export_v1(&env, &exported);
    // Kari moves the sentence on training from Mål to the end of the paragraph on the
    // platform in Tiltak, with track changes on: LibreOffice saves it as a tracked move
    // (w:moveFrom, w:moveTo, no move range names).
    let moved = dir.join("flyttet.docx");
    let sentence = "Alle ansatte skal få grunnopplæring innen 1. juni 2026.";
    let platform = "DIO etablerer en felles plattform for språkmodeller.";
    office::lo_move(&dir, &exported, sentence, platform, "Kari Nordmann", &moved);
    let xml = document_xml(&moved);
    assert!(
        xml.contains("<w:moveFrom ") && xml.contains("<w:moveTo "),
        "LibreOffice wrote no tracked move:\n{xml}"
    );
    assert_imports_exactly(
        &env,
        &moved,
        &[Expected {
            kind: "move",
            section: Some("mal"),
            quote: Some(sentence),
            proposal: Some(""),
            text: "⇢ tiltak: «språkmodeller. Alle ansatte skal få grunnopplæring innen 1. juni 2026.»",
            author: Some("Kari Nordmann"),
        }],
    );
    let c = word_comments(&env).pop().expect("the move");
    let id = c["id"].as_str().expect("id").to_string();
    assert_eq!(c["moved_to"]["section"], "tiltak", "{c}");
    assert_eq!(c["moved_to"]["anchor"]["quote"], "språkmodeller.", "{c}");
    assert_eq!(
        c["moved_to"]["proposal"],
        format!("språkmodeller. {sentence}"),
        "{c}"
    );
    env.run_in("ws", &["comment", "resolve", &id, "--decision", "accepted"])
        .ok();
    // Either place changed by hand: refused, saying which, nothing written.
    let path = env.path("ws/strategy/01-utkast.md");
    let draft = std::fs::read_to_string(&path).expect("draft");
    for (from, to, which) in [
        (
            "for språkmodeller.",
            "for KI-modeller.",
            format!(
                "The place comment {id} moves the text to («språkmodeller.», in section tiltak) is no longer in strategy/ word for word"
            ),
        ),
        (
            "innen 1. juni 2026.",
            "innen 1. mai 2026.",
            format!(
                "The moved text of comment {id} («{sentence}»), where it was, is no longer in strategy/ word for word"
            ),
        ),
    ] {
        std::fs::write(&path, draft.replacen(from, to, 1)).expect("draft");
        env.git("ws", &["commit", "-qam", "Hand edit"]).ok();
        let r = env.assert_refused_unchanged("ws", &["comment", "apply", &id]);
        assert!(r.stderr.contains(&which), "{}", r.stderr);
        std::fs::write(&path, &draft).expect("draft");
        env.git("ws", &["commit", "-qam", "Undo the hand edit"])
            .ok();
    }
    // Applied: deleted where it was and put in where it goes, in one commit.
    let count = || {
        env.git("ws", &["rev-list", "--count", "HEAD"])
            .ok()
            .stdout
            .trim()
            .parse::<usize>()
            .expect("count")
    };
    let before = count();
    let r = env.run_in("ws", &["comment", "apply", &id]).ok();
    assert!(r.stdout.contains("a move, in one commit"), "{}", r.stdout);
    assert_eq!(count(), before + 1);
    let after = std::fs::read_to_string(&path).expect("draft");
    assert_eq!(after.matches("grunnopplæring").count(), 1, "{after}");
    assert!(
        after.contains(&format!("{platform} {sentence}\n")),
        "{after}"
    );
    let log = env.git("ws", &["log", "-1", "--format=%s%n%b"]).ok().stdout;
    assert!(
        log.starts_with(&format!(
            "Apply comment {id} (FIN) to strategy/01-utkast.md\n"
        )),
        "{log}"
    );
    assert!(
        log.contains("Moved away:") && log.contains("Moved in:"),
        "{log}"
    );
    assert!(log.contains("Strategi-Action: comment-apply"), "{log}");
    assert_eq!(env.git("ws", &["status", "--porcelain"]).ok().stdout, "");
    // Once: a second time it is applied already.
    let r = env.assert_refused_unchanged("ws", &["comment", "apply", &id]);
    assert!(
        r.stderr.contains("it looks applied already"),
        "{}",
        r.stderr
    );
}
