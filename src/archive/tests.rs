use std::path::Path;

use jiff::civil::date;

use super::*;

pub(crate) fn sample() -> Package {
    let file = |name: &str, text: &str, variant| File {
        name: name.into(),
        bytes: text.as_bytes().to_vec(),
        variant,
    };
    Package {
        creator_id: "DFD".into(),
        creator_name: "Digitaliserings- og forvaltningsdepartementet".into(),
        case: CaseFile {
            id: "case-1".into(),
            year: 2024,
            sequence: 3095,
            title: "Nasjonal strategi <& test>".into(),
            series_title: "Sakarkiv DFD".into(),
            opened: date(2026, 1, 5),
            closed: date(2026, 3, 2),
            unit: "DFD".into(),
            responsible: "DFD".into(),
        },
        registrations: vec![
            Registration {
                id: "letter/r1".into(),
                kind: Kind::Outgoing,
                date: date(2026, 1, 6),
                title: "Høringsbrev".into(),
                public_title: None,
                parties: vec!["KS".into(), "Ola Nordmann".into()],
                screening: None,
                number: 73,
                documents: vec![Document {
                    title: "Høringsbrev".into(),
                    files: vec![file("brev.txt", "Vår ref 24/3095-73", Variant::Archival)],
                }],
            },
            Registration {
                id: "reply/r1/ola".into(),
                kind: Kind::Incoming,
                date: date(2026, 2, 1),
                title: "Svar fra Ola Nordmann".into(),
                public_title: None,
                parties: vec!["Ola Nordmann".into()],
                screening: Some(Screening {
                    basis: "offentleglova § 13 jf. forvaltningsloven § 13".into(),
                    whole: true,
                }),
                number: 74,
                documents: vec![Document {
                    title: "Svar".into(),
                    files: vec![
                        file("svar.txt", "Mitt svar", Variant::Archival),
                        file("svar.eml", "From: ola\n\nMitt svar", Variant::Original),
                    ],
                }],
            },
        ],
        changes: vec![Change {
            registration: "reply/r1/ola".into(),
            field: "beskrivelse".into(),
            before: "Avslått".into(),
            after: "Tatt til følge".into(),
            date: date(2026, 2, 10),
            by: "DFD".into(),
        }],
    }
}

pub(crate) fn write_to(dir: &Path, p: &Package) {
    for (name, bytes) in write(p) {
        let path = dir.join(&name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("folder");
        }
        std::fs::write(path, bytes).expect("write");
    }
}

#[test]
fn a_written_package_validates_against_both_schema_sets_and_verifies() {
    // The test set-up installs xmllint (Debian libxml2-utils) when it is missing.
    let setup = std::process::Command::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/shell-tools.sh"))
        .status()
        .expect("run scripts/shell-tools.sh");
    assert!(
        setup.success(),
        "scripts/shell-tools.sh could not install xmllint"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    write_to(dir.path(), &sample());
    let schemas = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/noark5");
    for (xml, xsd) in [
        ("arkivstruktur.xml", "arkivstruktur.xsd"),
        ("endringslogg.xml", "endringslogg.xsd"),
        ("loependeJournal.xml", "loependeJournal.xsd"),
        ("offentligJournal.xml", "offentligJournal.xsd"),
        ("arkivuttrekk.xml", "addml.xsd"),
    ] {
        for set in [schemas.clone(), schemas.join("arkade-builtin")] {
            let schema = if set.join(xsd).exists() {
                set.join(xsd)
            } else {
                schemas.join(xsd)
            };
            let out = std::process::Command::new("xmllint")
                .arg("--noout")
                .arg("--schema")
                .arg(&schema)
                .arg(dir.path().join(xml))
                .output()
                .expect("xmllint");
            assert!(
                out.status.success(),
                "{xml} against {}: {}",
                schema.display(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    assert_eq!(verify(dir.path()), vec![]);
    let public = std::fs::read_to_string(dir.path().join("offentligJournal.xml")).expect("read");
    assert!(!public.contains("Svar fra Ola Nordmann"), "{public}");
    assert!(public.contains("Svar fra *****"), "{public}");
}

#[test]
fn writing_twice_gives_identical_files() {
    assert_eq!(write(&sample()), write(&sample()));
}

#[test]
fn verify_names_the_changed_removed_and_edited_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_to(dir.path(), &sample());
    let doc = dir.path().join("dokumenter/74-1-arkiv.txt");
    std::fs::write(&doc, "Mitt svaR").expect("write");
    let p = verify(dir.path());
    assert!(
        p.iter()
            .any(|p| p.file == "dokumenter/74-1-arkiv.txt" && p.element == "checksum"),
        "{p:?}"
    );
    std::fs::remove_file(&doc).expect("rm");
    let p = verify(dir.path());
    assert!(
        p.iter()
            .any(|p| p.file == "dokumenter/74-1-arkiv.txt" && p.message.contains("missing")),
        "{p:?}"
    );
}

#[test]
fn verify_names_a_checksum_edited_in_arkivuttrekk() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_to(dir.path(), &sample());
    let path = dir.path().join("arkivuttrekk.xml");
    let text = std::fs::read_to_string(&path).expect("read");
    let sum = super::write::sha256_hex(b"Mitt svar");
    std::fs::write(&path, text.replace(&sum, &"0".repeat(64))).expect("write");
    let p = verify(dir.path());
    assert!(
        p.iter()
            .any(|p| p.file == "dokumenter/74-1-arkiv.txt" && p.element == "checksum"),
        "{p:?}"
    );
}
