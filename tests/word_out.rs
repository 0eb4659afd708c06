//! What strategi writes in Word (issue 15): `version export --format docx|html|md`, the
//! redline `diff FROM TO --format docx`, and letters with the version attached as .docx,
//! checked with real LibreOffice (headless) and pandoc.

use std::io::Read;
use std::path::Path;

use mail_parser::{MessageParser, MimeHeaders};

use crate::common::TestEnv;
use crate::common::office::{lo_changes, pandoc, soffice_convert};
use crate::common::smtp::eml_files;

const V1: &str = "# KI-strategi\n\n\
## Innledning {#innledning}\n\n\
Staten skal ta i bruk **kunstig intelligens** på en *ansvarlig* måte. Se \
[regjeringen](https://www.regjeringen.no/) og [målene](#mal).\n\n\
> Et sitat fra utredningen.\n\n\
## Mål {#mal}\n\n\
Vi skal lære av erfaringene fra andre land.\n\n\
1. Første mål\n2. Andre mål\n\n\
- punkt en\n- punkt to\n\n\
| Tiltak | Ansvar |\n|---|---|\n| Opplæring | DFD |\n\n\
### Delmål {#delmal}\n\n\
Kode: `strategi diff`.\n\n\
## Gammelt kapittel {#gammelt}\n\n\
Dette kapitlet går ut.\n";

fn v2() -> String {
    V1.replace(
        "på en *ansvarlig* måte",
        "på en *trygg og ansvarlig* måte i hele forvaltningen",
    )
    .replace("> Et sitat fra utredningen.\n\n", "")
    .replace("- punkt to", "- punkt tre")
    .replace("### Delmål {#delmal}", "### Delmål for 2027 {#delmal}")
    .replace(
        "## Gammelt kapittel {#gammelt}\n\nDette kapitlet går ut.\n",
        "## Nytt kapittel {#nytt}\n\nHelt ny tekst her.\n",
    )
}

/// A workspace "ws" with DIO (owner), DFD, FIN and KDD, and v1 of [`V1`].
fn case(env: &TestEnv) {
    env.workspace("ws");
    env.add_party(
        "ws",
        "DIO",
        "Digitaliseringsdirektoratet",
        "postmottak@dio.example",
        "nb",
    );
    env.add_party(
        "ws",
        "DFD",
        "Digitaliserings- og forvaltningsdepartementet",
        "postmottak@dfd.example",
        "nb",
    );
    std::fs::write(env.path("ws/strategy/01-utkast.md"), V1).expect("draft");
    env.run_in("ws", &["version", "cut", "--label", "Første utkast"])
        .ok();
}

fn zip_entry(file: &Path, name: &str) -> String {
    let bytes = std::fs::read(file).expect("read docx");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip archive");
    let mut text = String::new();
    zip.by_name(name)
        .unwrap_or_else(|e| panic!("{name} in {}: {e}", file.display()))
        .read_to_string(&mut text)
        .expect("UTF-8 part");
    text
}

/// pandoc's reading of a .docx as `to` (extra arguments first).
fn pandoc_read(file: &Path, to: &str, extra: &[&str]) -> String {
    let out = file.with_extension(format!("{to}{}.txt", extra.len()));
    let mut args: Vec<&str> = extra.to_vec();
    let (file_s, out_s) = (file.display().to_string(), out.display().to_string());
    args.extend(["-f", "docx", "-t", to, "--wrap=none", &file_s, "-o", &out_s]);
    pandoc(&args);
    std::fs::read_to_string(&out).expect("pandoc output")
}

/// The body of a document as pandoc's plain text: everything after the front page's
/// marking, whitespace collapsed, without the lines that are only a list marker (pandoc
/// keeps the number or bullet of a list item whose text and paragraph mark were
/// deleted).
/// The body of a document as LibreOffice saves it as text: the lines after the front
/// page's marking (which differs between the versions), blank lines left out, and lines
/// that are only a list bullet: a list inserted just before a table leaves its last
/// paragraph mark behind when LibreOffice rejects it (a paragraph cannot merge into a
/// table), as pandoc keeps an empty item (see [`body_text`]).
fn lo_body(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let start = lines
        .iter()
        .position(|l| matches!(*l, "UTKAST" | "GODKJENT"))
        .unwrap_or_else(|| panic!("no marking in {text}"));
    lines[start + 1..]
        .iter()
        .filter(|l| !l.is_empty() && **l != "•")
        .map(|l| l.to_string())
        .collect()
}

fn body_text(plain: &str) -> String {
    let start = plain
        .find("UTKAST")
        .map(|i| i + "UTKAST".len())
        .unwrap_or_else(|| panic!("no marking in {plain}"));
    plain[start..]
        .lines()
        .filter(|l| {
            let t = l.trim();
            !(t == "-"
                || (t.ends_with('.') && t[..t.len() - 1].chars().all(|c| c.is_ascii_digit())))
        })
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn export_is_a_word_document_libreoffice_and_pandoc_read() {
    let env = TestEnv::new();
    case(&env);
    let out = env.path("v1.docx");
    let run = env
        .run_in(
            "ws",
            &[
                "--json",
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
    let json = run.json();
    let bytes = std::fs::metadata(&out).expect("written").len();
    assert_eq!(json["bytes"], bytes, "{json}");
    assert_eq!(json["sections"], 5, "{json}");
    assert_eq!(json["path"], out.to_str().expect("path"));

    // Valid OOXML as far as we can check: the parts and their content types.
    let types = zip_entry(&out, "[Content_Types].xml");
    assert!(
        types.contains("wordprocessingml.document.main+xml"),
        "{types}"
    );
    let xml = zip_entry(&out, "word/document.xml");
    for id in ["ki-strategi", "innledning", "mal", "delmal", "gammelt"] {
        let name = strategi::word::bookmark_name(id);
        assert_eq!(
            xml.matches(&format!("w:name=\"{name}\"")).count(),
            1,
            "{id}"
        );
    }
    let first_bookmark = xml.find("w:bookmarkStart").expect("bookmarks");
    for front in [
        "Saksnummer: 24/3095",
        "Versjon: v1 – Første utkast",
        "UTKAST",
    ] {
        let at = xml.find(front).unwrap_or_else(|| panic!("{front} missing"));
        assert!(
            at < first_bookmark,
            "{front} is not before the first section"
        );
    }
    let header = zip_entry(&out, "word/header1.xml");
    assert!(header.contains("KI-strategi – v1 – Utkast"), "{header}");

    // pandoc reads it back: heading styles with their numbers, the paragraphs with
    // their emphasis, the list, the table, the links (the one to a section bookmark
    // resolved to its heading).
    let md = pandoc_read(&out, "markdown", &[]);
    for want in [
        "## 1 Innledning",
        "## 2 Mål",
        "### 2.1 Delmål",
        "## 3 Gammelt kapittel",
        "**kunstig intelligens**",
        "*ansvarlig*",
        "[regjeringen](https://www.regjeringen.no/)",
        "> Et sitat fra utredningen.",
        "1.  Første mål",
        "-   punkt en",
        "`strategi diff`",
        "Opplæring",
    ] {
        assert!(md.contains(want), "{want:?} not in\n{md}");
    }
    assert!(md.contains("[målene](#"), "{md}");

    // LibreOffice opens it: to PDF and to text.
    let work = env.path("lo");
    let pdf = soffice_convert(&work, &out, "pdf", &work.join("pdf"));
    assert!(std::fs::read(&pdf).expect("pdf").starts_with(b"%PDF"));
    let txt = soffice_convert(&work, &out, "txt:Text (encoded):UTF8", &work.join("txt"));
    let text = std::fs::read_to_string(txt).expect("text");
    for want in [
        "1 Innledning",
        "2.1 Delmål",
        "Vi skal lære av erfaringene fra andre land.",
        "Dette kapitlet går ut.",
    ] {
        assert!(text.contains(want), "{want:?} not in\n{text}");
    }
}

#[test]
fn html_and_markdown_copies_and_docx_go_to_a_pipe() {
    let env = TestEnv::new();
    case(&env);
    let md = env
        .run_in("ws", &["version", "export", "v1", "--format", "md"])
        .ok();
    // The Markdown copy is the draft without its `{#id}` markers.
    let plain: String = V1
        .lines()
        .map(|l| match (l.starts_with('#'), l.find(" {#")) {
            (true, Some(at)) => format!("{}\n", &l[..at]),
            _ => format!("{l}\n"),
        })
        .collect();
    assert!(
        plain.contains("## Mål\n") && !plain.contains("{#"),
        "{plain}"
    );
    assert_eq!(md.stdout, plain);
    let html = env
        .run_in("ws", &["version", "export", "v1", "--format", "html"])
        .ok();
    assert!(
        html.stdout.starts_with("<!DOCTYPE html>"),
        "{}",
        html.stdout
    );
    assert!(
        html.stdout
            .contains("<h2 id=\"mal\"><span class=\"secnum\">2</span> Mål</h2>"),
        "{}",
        html.stdout
    );
    // Without --format: Word, to stdout when it is not a terminal (here a pipe).
    let out = env
        .strategi_cmd(&["-C", "ws", "version", "export", "latest"])
        .output()
        .expect("run");
    assert!(out.status.success());
    assert!(out.stdout.starts_with(b"PK\x03\x04"));
    let file = env.path("piped.docx");
    std::fs::write(&file, &out.stdout).expect("write");
    assert!(zip_entry(&file, "word/document.xml").contains("1 Innledning"));
}

#[test]
fn bad_exports_are_refused_with_nothing_written() {
    let env = TestEnv::new();
    case(&env);
    let run =
        env.assert_refused_unchanged("ws", &["version", "export", "v7", "--out", "../x.docx"]);
    assert!(run.stderr.contains("v7"), "{}", run.stderr);
    assert!(!env.path("x.docx").exists());
    // Not a workspace file: the draft folder is never written to.
    let run = env.assert_refused_unchanged(
        "ws",
        &["version", "export", "v1", "--out", "strategy/v1.docx"],
    );
    assert!(run.stderr.contains("strategy/v1.docx"), "{}", run.stderr);
    // A place that cannot be written: its folder is a file.
    std::fs::write(env.path("fil"), "en fil").expect("write");
    let run = env.assert_refused_unchanged(
        "ws",
        &["version", "export", "v1", "--out", "../fil/v1.docx"],
    );
    assert!(run.stderr.contains("fil/v1.docx"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(env.path("fil")).expect("read"),
        "en fil"
    );
    // An existing file is kept unless --force.
    std::fs::write(env.path("v1.docx"), "før").expect("write");
    env.assert_refused_unchanged("ws", &["version", "export", "v1", "--out", "../v1.docx"]);
    assert_eq!(
        std::fs::read_to_string(env.path("v1.docx")).expect("read"),
        "før"
    );
    // --json needs --out: stdout carries the report.
    let run = env.assert_refused_unchanged("ws", &["--json", "version", "export", "v1"]);
    assert!(run.stderr.contains("--out"), "{}", run.stderr);
    // Stdout on a terminal (script(1) gives the command one) gets no binary file.
    let bin = env!("CARGO_BIN_EXE_strategi");
    let ws = env.path("ws");
    let line = format!("{bin} -C {} version export v1", ws.display());
    let before = env.snapshot("ws");
    let out = std::process::Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .env("HOME", &env.home)
        .env("GIT_CONFIG_GLOBAL", env.home.join(".gitconfig"))
        .env("STRATEGI_NOW", &env.now)
        .env("NO_COLOR", "1")
        .output()
        .expect("run script");
    let shown = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    assert!(
        shown.contains("Not writing the document to a terminal"),
        "{shown}"
    );
    assert!(shown.contains("--out FILE"), "{shown}");
    assert_eq!(before, env.snapshot("ws"));
    // A format that is not one of the choices is wrong usage (exit 2), as for diff.
    let before = env.snapshot("ws");
    let run = env.run_in("ws", &["version", "export", "v1", "--format", "pdf"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(before, env.snapshot("ws"));
}

#[test]
fn the_redline_accepted_is_the_later_version_and_rejected_the_earlier() {
    let env = TestEnv::new();
    case(&env);
    std::fs::write(env.path("ws/strategy/01-utkast.md"), v2()).expect("draft");
    let mut cut = env.strategi_cmd(&["-C", "ws", "version", "cut", "--label", "Andre utkast"]);
    cut.env("STRATEGI_NOW", "2025-11-10T14:30:00+01:00");
    assert!(cut.output().expect("cut").status.success());

    let (red, v1, v2) = (
        env.path("red.docx"),
        env.path("v1.docx"),
        env.path("v2.docx"),
    );
    for (args, out) in [
        (vec!["diff", "v1", "v2", "--format", "docx"], &red),
        (vec!["version", "export", "v1"], &v1),
        (vec!["version", "export", "v2"], &v2),
    ] {
        let mut args = args.clone();
        let o = out.to_str().expect("path");
        args.extend(["--out", o]);
        env.run_in("ws", &args).ok();
    }
    let xml = zip_entry(&red, "word/document.xml");
    assert!(xml.contains("<w:ins "), "no insertion");
    assert!(xml.contains("<w:del "), "no deletion");
    assert!(xml.contains("w:author=\"Digitaliseringsdirektoratet\""));
    assert!(
        xml.contains("w:date=\"2025-11-10T13:30:00Z\""),
        "the later version's date"
    );
    // Word level: inside a changed paragraph only the new words are inserted.
    let inserted: String = xml
        .split("<w:ins ")
        .skip(1)
        .filter_map(|p| p.split("</w:ins>").next())
        .flat_map(|p| p.split("<w:t").skip(1))
        .filter_map(|t| t.split_once('>').and_then(|(_, r)| r.split('<').next()))
        .collect();
    assert!(inserted.contains("trygg og"), "{inserted}");
    assert!(inserted.contains("hele forvaltningen"), "{inserted}");
    assert!(!inserted.contains("Staten"), "{inserted}");

    let accepted = body_text(&pandoc_read(&red, "plain", &["--track-changes=accept"]));
    let rejected = body_text(&pandoc_read(&red, "plain", &["--track-changes=reject"]));
    assert_eq!(accepted, body_text(&pandoc_read(&v2, "plain", &[])));
    assert_eq!(rejected, body_text(&pandoc_read(&v1, "plain", &[])));
    assert!(accepted.contains("Helt ny tekst her.") && !accepted.contains("går ut"));
    assert!(rejected.contains("Dette kapitlet går ut.") && !rejected.contains("Helt ny"));

    // LibreOffice, accepting every change, reads the later version; rejecting every
    // change, the earlier one (tables, lists and quotes included).
    let lo = env.path("lo-changes");
    std::fs::create_dir_all(&lo).expect("lo dir");
    let lo_text = |file: &Path| {
        let txt = soffice_convert(&lo, file, "txt:Text (encoded):UTF8", &lo.join("txt"));
        lo_body(&std::fs::read_to_string(txt).expect("text"))
    };
    assert_eq!(lo_body(&lo_changes(&lo, &red, true)), lo_text(&v2));
    assert_eq!(lo_body(&lo_changes(&lo, &red, false)), lo_text(&v1));

    // LibreOffice opens it.
    let work = env.path("lo");
    let txt = soffice_convert(&work, &red, "txt:Text (encoded):UTF8", &work.join("txt"));
    let text = std::fs::read_to_string(txt).expect("text");
    assert!(text.contains("Helt ny tekst her."), "{text}");

    // A redline needs the whole document: no --section, no --files.
    let run = env.run_in(
        "ws",
        &[
            "diff",
            "v1",
            "v2",
            "--format",
            "docx",
            "--section",
            "mal",
            "--out",
            "../r2.docx",
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!env.path("r2.docx").exists());
}

/// Opens a round on v1 to FIN (nb) and KDD (nn), sent by DFD to the outbox.
fn send_round(env: &TestEnv) {
    env.run_in(
        "ws",
        &[
            "--as",
            "DFD",
            "round",
            "open",
            "--version",
            "v1",
            "--to",
            "FIN,KDD",
            "--due",
            "2025-11-28",
        ],
    )
    .ok();
    env.run_in("ws", &["--as", "DFD", "round", "send", "latest"])
        .ok();
}

/// An attachment: file name, media type, bytes.
type Part = (String, String, Vec<u8>);

/// The round letters in the outbox, parsed: (body text, attachments in order).
fn letters(env: &TestEnv) -> Vec<(String, Vec<Part>)> {
    eml_files(&env.path("ws/outbox"))
        .iter()
        .map(|p| {
            let raw = std::fs::read(p).expect("eml");
            let msg = MessageParser::default().parse(&raw).expect("a message");
            let body = msg.body_text(0).expect("text body").into_owned();
            let parts = msg
                .attachments()
                .map(|a| {
                    (
                        a.attachment_name().unwrap_or_default().to_string(),
                        a.content_type()
                            .map(|c| format!("{}/{}", c.ctype(), c.subtype().unwrap_or_default()))
                            .unwrap_or_default(),
                        a.contents().to_vec(),
                    )
                })
                .collect();
            (body, parts)
        })
        .collect()
}

#[test]
fn letters_attach_the_version_as_word_and_invite_comments_in_it() {
    let env = TestEnv::new();
    case(&env);
    send_round(&env);
    let letters = letters(&env);
    assert_eq!(letters.len(), 2);
    let mut said = Vec::new();
    for (body, parts) in &letters {
        let names: Vec<&str> = parts.iter().map(|p| p.0.as_str()).collect();
        assert_eq!(
            names[..3],
            ["strategi-v1.docx", "strategi-v1.md", "strategi-v1.html"]
        );
        let (_, ctype, docx) = &parts[0];
        assert_eq!(
            ctype,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
        let form = String::from_utf8(parts[3].2.clone()).expect("form");
        if body.contains("direkte i det vedlagte Word-dokumentet") {
            assert!(
                form.contains("direkte i det vedlagte\n#   Word-dokumentet"),
                "{form}"
            );
            said.push("nb");
            // The attached document opens in LibreOffice.
            let file = env.path("vedlegg.docx");
            std::fs::write(&file, docx).expect("write");
            let work = env.path("lo");
            let txt = soffice_convert(&work, &file, "txt:Text (encoded):UTF8", &work.join("t"));
            let text = std::fs::read_to_string(txt).expect("text");
            assert!(text.contains("2 Mål") && text.contains("UTKAST"), "{text}");
        }
        if body.contains("direkte i det vedlagde Word-dokumentet") {
            assert!(
                form.contains("direkte i det vedlagde\n#   Word-dokumentet"),
                "{form}"
            );
            said.push("nn");
        }
        assert!(!body.contains("Legg ved et Word-dokument"), "{body}");
    }
    said.sort_unstable();
    assert_eq!(said, ["nb", "nn"]);
}

#[test]
fn mail_attach_chooses_the_copies_and_a_bad_value_names_file_and_key() {
    let env = TestEnv::new();
    case(&env);
    let config = env.path("ws/strategi.toml");
    let text = std::fs::read_to_string(&config).expect("config");
    let with_mail = |attach: &str| {
        if text.contains("[mail]") {
            text.replace("[mail]", &format!("[mail]\nattach = {attach}"))
        } else {
            format!("{text}\n[mail]\nattach = {attach}\n")
        }
    };
    std::fs::write(&config, with_mail("[\"docx\", \"pdf\"]")).expect("write");
    env.git("ws", &["commit", "-qam", "attach"]).ok();
    let run = env.assert_refused_unchanged("ws", &["status"]);
    assert!(run.stderr.contains("strategi.toml:"), "{}", run.stderr);
    assert!(
        run.stderr.contains("[mail] attach: \"pdf\""),
        "{}",
        run.stderr
    );

    std::fs::write(&config, with_mail("[\"html\"]")).expect("write");
    env.git("ws", &["commit", "-qam", "attach html"]).ok();
    send_round(&env);
    for (body, parts) in letters(&env) {
        let names: Vec<&str> = parts.iter().map(|p| p.0.as_str()).collect();
        // The chosen copy, the form and the party's deadline (.ics).
        assert_eq!(names.len(), 3, "{names:?}");
        assert_eq!(names[0], "strategi-v1.html");
        assert!(names[2].ends_with(".ics"), "{names:?}");
        assert!(!body.contains("vedlagte Word-dokumentet"), "{body}");
        assert!(!body.contains("vedlagde Word-dokumentet"), "{body}");
    }
}

#[test]
fn the_marking_is_utkast_until_the_version_is_approved() {
    let env = TestEnv::new();
    case(&env);
    let out = env.path("v1.docx");
    let o = out.to_str().expect("path");
    env.run_in("ws", &["version", "export", "v1", "--out", o])
        .ok();
    assert!(zip_entry(&out, "word/document.xml").contains(">UTKAST<"));
    env.run_in("ws", &["--as", "DFD", "approve", "v1"]).ok();
    env.run_in("ws", &["version", "export", "v1", "--out", o, "--force"])
        .ok();
    let xml = zip_entry(&out, "word/document.xml");
    assert!(
        xml.contains(">GODKJENT<") && !xml.contains("UTKAST"),
        "{xml}"
    );
    assert!(zip_entry(&out, "word/header1.xml").contains("v1 – Godkjent"));
}

#[test]
fn a_moved_section_is_deleted_at_its_old_place_in_the_redline() {
    let env = TestEnv::new();
    case(&env);
    let versions = [
        "# Plan\n\n## Alfa {#alfa}\n\nFørste del.\n\n## Beta {#beta}\n\nAndre del.\n\n## Gamma {#gamma}\n\nTredje del.\n",
        "# Plan\n\n## Beta {#beta}\n\nAndre del.\n\n## Gamma {#gamma}\n\nTredje del.\n\n## Alfa {#alfa}\n\nFørste del.\n",
    ];
    for (i, text) in versions.iter().enumerate() {
        std::fs::write(env.path("ws/strategy/01-utkast.md"), text).expect("draft");
        let mut cut = env.strategi_cmd(&["-C", "ws", "version", "cut", "--label", "Flyttet"]);
        cut.env("STRATEGI_NOW", format!("2025-11-1{}T14:30:00+01:00", i + 1));
        assert!(cut.output().expect("cut").status.success());
    }
    let (red, a, b) = (env.path("red.docx"), env.path("a.docx"), env.path("b.docx"));
    for (args, out) in [
        (vec!["diff", "v2", "v3", "--format", "docx"], &red),
        (vec!["version", "export", "v2"], &a),
        (vec!["version", "export", "v3"], &b),
    ] {
        let mut args = args.clone();
        args.extend(["--out", out.to_str().expect("path")]);
        env.run_in("ws", &args).ok();
    }
    let accepted = body_text(&pandoc_read(&red, "plain", &["--track-changes=accept"]));
    let rejected = body_text(&pandoc_read(&red, "plain", &["--track-changes=reject"]));
    assert_eq!(accepted, body_text(&pandoc_read(&b, "plain", &[])));
    assert_eq!(rejected, body_text(&pandoc_read(&a, "plain", &[])));
    assert!(rejected.find("Første del").expect("alfa") < rejected.find("Andre del").expect("beta"));
    let lo = env.path("lo-changes");
    std::fs::create_dir_all(&lo).expect("lo dir");
    let rejected = lo_body(&lo_changes(&lo, &red, false));
    let alfa = rejected
        .iter()
        .position(|l| l == "Første del.")
        .expect("alfa");
    let beta = rejected
        .iter()
        .position(|l| l == "Andre del.")
        .expect("beta");
    assert!(alfa < beta, "{rejected:?}");
    assert!(
        accepted.find("Første del").expect("alfa") > accepted.find("Tredje del").expect("gamma")
    );
}
