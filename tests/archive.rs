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
