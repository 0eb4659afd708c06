//! `strategi archive export` (issue 17): the demo's approved case as a Noark 5 transfer
//! package, validated with xmllint against both schema sets in `schemas/noark5/` (5.5.0
//! and the validator's built-in older copies; scripts/shell-tools.sh installs xmllint
//! when it is missing, the test never skips), checked with `archive verify`, exported
//! twice byte for byte, and broken on purpose.

use std::path::Path;
use std::process::Command;

use crate::common::TestEnv;

/// The demo, run once into `demo` of a fresh temp dir (its clones: demo/dfd, demo/dio).
fn demo() -> TestEnv {
    crate::terminal::ensure_tools();
    let env = TestEnv::new();
    let out = env
        .strategi_cmd(&["demo", "demo"])
        .output()
        .expect("run strategi demo");
    assert!(
        out.status.success(),
        "demo failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    env
}

/// Every XML file of the package against both schema sets.
fn validate(dir: &Path) {
    let schemas = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/noark5");
    for (xml, xsd) in [
        ("arkivstruktur.xml", "arkivstruktur.xsd"),
        ("endringslogg.xml", "endringslogg.xsd"),
        ("loependeJournal.xml", "loependeJournal.xsd"),
        ("offentligJournal.xml", "offentligJournal.xsd"),
        ("arkivuttrekk.xml", "addml.xsd"),
    ] {
        for set in [schemas.clone(), schemas.join("arkade-builtin")] {
            // The built-in set has no ADDML schema of its own: the 5.5.0 one serves.
            let schema = if set.join(xsd).exists() {
                set.join(xsd)
            } else {
                schemas.join(xsd)
            };
            let out = Command::new("xmllint")
                .arg("--noout")
                .arg("--schema")
                .arg(&schema)
                .arg(dir.join(xml))
                .output()
                .expect("run xmllint");
            assert!(
                out.status.success(),
                "{xml} against {}:\n{}",
                schema.display(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

#[test]
fn the_demo_case_exports_validates_verifies_and_repeats_byte_for_byte() {
    let env = demo();
    let run = env
        .run_in(
            "demo/dfd",
            &["archive", "export", "--out", "../uttrekk", "--json"],
        )
        .ok();
    let j = run.json();
    assert_eq!(j["ok"], true, "{j}");
    assert_eq!(j["snapshot"], false, "{j}");
    assert!(j["registrations"]["I"].as_u64().unwrap_or(0) > 0, "{j}");
    assert!(j["registrations"]["U"].as_u64().unwrap_or(0) > 0, "{j}");
    assert!(j["registrations"]["N"].as_u64().unwrap_or(0) > 0, "{j}");
    let dir = env.path("demo/uttrekk");
    validate(&dir);
    env.run(&["archive", "verify", "demo/uttrekk"]).ok();
    // The other clone gives the same package, byte for byte.
    env.run_in("demo/dio", &["archive", "export", "--out", "../uttrekk2"])
        .ok();
    assert_eq!(env.snapshot("demo/uttrekk"), env.snapshot("demo/uttrekk2"));
    // A second export over the first (--force) is byte-identical too.
    let before = env.snapshot("demo/uttrekk");
    env.run_in(
        "demo/dfd",
        &["archive", "export", "--out", "../uttrekk", "--force"],
    )
    .ok();
    assert_eq!(before, env.snapshot("demo/uttrekk"));
    // Without --force a non-empty folder is refused.
    let r = env
        .run_in("demo/dfd", &["archive", "export", "--out", "../uttrekk"])
        .refused();
    assert!(r.stderr.contains("is not empty"), "{}", r.stderr);
    assert_eq!(before, env.snapshot("demo/uttrekk"));
}

#[test]
fn verify_names_a_changed_a_removed_document_and_an_edited_checksum() {
    let env = demo();
    env.run_in("demo/dfd", &["archive", "export", "--out", "../u"])
        .ok();
    let dir = env.path("demo/u");
    let docs = dir.join("dokumenter");
    let mut names: Vec<_> = std::fs::read_dir(&docs)
        .expect("dokumenter")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let first = format!("dokumenter/{}", names[0]);
    let second = format!("dokumenter/{}", names[1]);
    // One byte changed.
    let path = dir.join(&first);
    let mut bytes = std::fs::read(&path).expect("read");
    bytes[0] ^= 1;
    std::fs::write(&path, &bytes).expect("write");
    let r = env.run(&["archive", "verify", "demo/u"]).refused();
    assert!(r.stdout.contains(&first), "{}", r.stdout);
    bytes[0] ^= 1;
    std::fs::write(&path, &bytes).expect("write");
    env.run(&["archive", "verify", "demo/u"]).ok();
    // One document removed.
    let gone = std::fs::read(dir.join(&second)).expect("read");
    std::fs::remove_file(dir.join(&second)).expect("rm");
    let r = env.run(&["archive", "verify", "demo/u"]).refused();
    assert!(r.stdout.contains(&second), "{}", r.stdout);
    std::fs::write(dir.join(&second), gone).expect("write");
    // A checksum edited in arkivuttrekk.xml.
    let addml = dir.join("arkivuttrekk.xml");
    let text = std::fs::read_to_string(&addml).expect("read");
    let sum = sha256(&std::fs::read(&path).expect("read"));
    assert!(
        text.contains(&sum),
        "the checksum of {first} is in arkivuttrekk.xml"
    );
    std::fs::write(&addml, text.replacen(&sum, &"0".repeat(64), 1)).expect("write");
    let r = env
        .run(&["archive", "verify", "demo/u", "--json"])
        .refused();
    assert!(r.stdout.contains(&first), "{}", r.stdout);
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn an_open_case_is_refused_and_as_of_exports_a_snapshot() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    // Nothing approved: refused, nothing written.
    let r = env.assert_refused_unchanged("ws", &["archive", "export", "--out", "../out"]);
    assert!(r.stderr.contains("--as-of"), "{}", r.stderr);
    assert!(!env.path("out").exists());
    // An --out inside the workspace's records is refused.
    env.assert_refused_unchanged(
        "ws",
        &[
            "archive",
            "export",
            "--out",
            ".git/x",
            "--as-of",
            "2030-01-01",
        ],
    );
    assert!(!env.path("ws/.git/x").exists());
    // A snapshot of the demo before its approval: the entries up to the day, the case
    // file closed as of it.
    let env = demo();
    let j = env
        .run_in(
            "demo/dfd",
            &[
                "archive",
                "export",
                "--out",
                "../snap",
                "--as-of",
                "2025-12-13",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(j["snapshot"], true, "{j}");
    assert_eq!(j["closed"], "2025-12-13", "{j}");
    assert_eq!(
        j["registrations"]["N"], 1,
        "the approval is after the day: {j}"
    );
    let dir = env.path("demo/snap");
    validate(&dir);
    let journal = std::fs::read_to_string(dir.join("loependeJournal.xml")).expect("read");
    assert!(!journal.contains("2026-02-02"), "{journal}");
    env.run(&["archive", "verify", "demo/snap"]).ok();
}

// ---- a richer case: a Word answer, screened answers, superseded decisions ----

const V1: &str = "# KI-strategi {#ki}\n\n## Mål {#mal}\n\nVi skal bruke kunstig intelligens på en ansvarlig måte i hele\ndepartementsfellesskapet.\n\nAlle ansatte skal få grunnopplæring innen 1. juni 2026.\n\n## Tiltak {#tiltak}\n\nDIO etablerer en felles plattform for språkmodeller.\n\nPlattformen skal være tilgjengelig innen utgangen av 2026 for alle ansatte.\n\n## Økonomi {#okonomi}\n\nTiltakene finansieres innenfor gjeldende rammer.\n";

/// An e-mail answer from `party` to round `id`.
fn reply(env: &TestEnv, id: &str, party: &str, n: u32, body: &str) {
    let lower = party.to_lowercase();
    let eml = format!(
        "From: Saksbehandler <post@{lower}.example>\r\n\
         To: postmottak@dfd.example\r\n\
         Subject: Svar [strategi {id}/{party}]\r\n\
         Date: Mon, 2{n} Nov 2025 14:03:12 +0100\r\n\
         Message-ID: <{n}@{lower}.example>\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: quoted-printable\r\n\
         \r\n\
         {body}\r\n"
    );
    let file = format!("reply-{n}.eml");
    std::fs::write(env.path(&file), eml).expect("write reply");
    env.run_in(
        "ws",
        &[
            "--now",
            &format!("2025-11-2{n}"),
            "comment",
            "import",
            id,
            &format!("../{file}"),
        ],
    )
    .ok();
}

#[test]
fn a_case_with_word_screened_and_superseded_answers_exports_validates_and_repeats() {
    crate::terminal::ensure_tools();
    let env = TestEnv::new();
    let id = env.round_to_four(V1);
    // The case number, by hand.
    let path = env.path("ws/strategi.toml");
    let text: String = std::fs::read_to_string(&path)
        .expect("config")
        .lines()
        .filter(|l| !l.starts_with("number ="))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(
        &path,
        text.replacen("[case]\n", "[case]\nnumber = \"24/3095\"\n", 1),
    )
    .expect("write config");
    env.git("ws", &["commit", "-qam", "Case number"]).ok();
    // FIN answers in Word (python-docx): one comment on "kunstig intelligens".
    let docx = env.path("fin.docx");
    crate::common::office::python(
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
d.add_paragraph("DIO etablerer en felles plattform for språkmodeller.")
d.add_paragraph("Plattformen skal være tilgjengelig innen utgangen av 2026 for alle ansatte.")
d.add_heading("Økonomi", 2)
d.add_paragraph("Tiltakene finansieres innenfor gjeldende rammer.")
d.add_comment([r], text="Definer begrepet.", author="Per Hansen", initials="PH")
d.save(sys.argv[1])
"#,
        &[docx.to_str().expect("path")],
    );
    crate::word_in::import_docx(&env, &docx);
    // HOD's answer is exempted, KDD's has a passage redacted.
    reply(
        &env,
        &id,
        "HOD",
        1,
        "HOD st=C3=B8tter m=C3=A5let. Saksbehandler Per Privatsen er syk.",
    );
    reply(
        &env,
        &id,
        "KDD",
        2,
        "KDD ber om mer om =C3=B8konomi. Kontakt Kari Kontakt p=C3=A5 telefon.",
    );
    // KD first registered by hand with no comments, then answers with a comment.
    env.run_in(
        "ws",
        &[
            "--now",
            "2025-11-22",
            "respond",
            &id,
            "--from",
            "KD",
            "--position",
            "no-comments",
        ],
    )
    .ok();
    reply(
        &env,
        &id,
        "KD",
        4,
        "KD vil likevel ha plattformen tidligere.",
    );
    let list = env.run_in("ws", &["--json", "comment", "list"]).ok().json();
    let answers = list.as_array().expect("comments");
    let of = |party: &str| {
        answers
            .iter()
            .find(|c| c["party"] == party)
            .unwrap_or_else(|| panic!("a comment of {party}: {list:#}"))
    };
    let source = |party: &str| of(party)["source"].as_str().expect("source").to_string();
    let (hod, kdd) = (source("HOD"), source("KDD"));
    let fin = of("FIN")["id"].as_str().expect("id").to_string();
    // FIN's comment decided, then decided again: the first decision is superseded.
    for (day, decision, note) in [
        ("2025-11-26", "accepted", None),
        (
            "2025-11-27",
            "rejected",
            Some("Begrepet er definert i punkt 2."),
        ),
    ] {
        let mut args = vec![
            "--now",
            day,
            "comment",
            "resolve",
            &fin,
            "--decision",
            decision,
        ];
        if let Some(n) = note {
            args.extend(["--note", n]);
        }
        env.run_in("ws", &args).ok();
    }
    env.run_in(
        "ws",
        &[
            "--now",
            "2025-11-28",
            "publish",
            "decide",
            &hod,
            "--exempt",
            "offentleglova § 13 første ledd",
        ],
    )
    .ok();
    env.run_in(
        "ws",
        &[
            "--now",
            "2025-11-28",
            "publish",
            "decide",
            &kdd,
            "--redact",
            "Kari Kontakt",
            "--basis",
            "offentleglova § 13 første ledd",
        ],
    )
    .ok();
    // The export (a snapshot: the case is not approved) and its checks.
    let j = env
        .run_in(
            "ws",
            &[
                "--now",
                "2025-12-01",
                "archive",
                "export",
                "--out",
                "../uttrekk",
                "--as-of",
                "2025-11-30",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(j["ok"], true, "{j}");
    let dir = env.path("uttrekk");
    validate(&dir);
    env.run(&["archive", "verify", "uttrekk"]).ok();
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).expect(name);
    let structure = read("arkivstruktur.xml");
    let changes = read("endringslogg.xml");
    let public = read("offentligJournal.xml");
    // The Word answer is kept as its original beside its archival copy.
    let docs: Vec<String> = std::fs::read_dir(dir.join("dokumenter"))
        .expect("dokumenter")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        docs.iter().any(|d| d.ends_with("original.docx")),
        "{docs:?}"
    );
    // The archival copies are the readable content: the Word answer's text with its
    // comment, an e-mail's decoded headers and body (not its quoted-printable bytes).
    let copies: String = docs
        .iter()
        .filter(|d| d.ends_with("-arkiv.md"))
        .map(|d| read(&format!("dokumenter/{d}")))
        .collect();
    for want in [
        "Plattformen skal være tilgjengelig",
        "Per Hansen",
        "«kunstig intelligens»: Definer begrepet.",
        "From: Saksbehandler <post@kdd.example>\nTo: postmottak@dfd.example\n",
        "Subject: Svar [strategi",
        "KDD ber om mer om økonomi.",
    ] {
        assert!(copies.contains(want), "{want}: {copies}");
    }
    assert!(!copies.contains("=C3=B8"), "{copies}");
    // The superseded decision and position are in the change log.
    assert!(
        changes.contains(&format!(
            "<tidligereVerdi>{fin} tatt til følge</tidligereVerdi>"
        )),
        "{changes}"
    );
    assert!(
        changes.contains("<tidligereVerdi>ingen merknader</tidligereVerdi>"),
        "{changes}"
    );
    // Both screened answers carry skjerming with the basis; the public journal shows
    // their screened titles, never the exempted answer's content.
    assert_eq!(structure.matches("<skjerming>").count(), 2, "{structure}");
    // The exempted answer is screened whole, the redacted one in part.
    for (what, n) in [
        ("<skjermingDokument>Hele dokumentet</skjermingDokument>", 1),
        (
            "<skjermingDokument>Deler av dokumentet</skjermingDokument>",
            1,
        ),
    ] {
        assert_eq!(structure.matches(what).count(), n, "{what}: {structure}");
    }
    assert!(
        structure.contains("offentleglova § 13 første ledd"),
        "{structure}"
    );
    assert!(public.contains("*****"), "{public}");
    for secret in ["Per Privatsen", "Kari Kontakt"] {
        assert!(!public.contains(secret), "{secret}: {public}");
    }
    // A second export is byte for byte the first.
    env.run_in(
        "ws",
        &[
            "--now",
            "2025-12-02",
            "archive",
            "export",
            "--out",
            "../uttrekk2",
            "--as-of",
            "2025-11-30",
        ],
    )
    .ok();
    assert_eq!(env.snapshot("uttrekk"), env.snapshot("uttrekk2"));
}
