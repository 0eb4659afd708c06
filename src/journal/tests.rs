//! The journal's numbering: order, recorded numbers, the number forms, two clones.

use super::*;

fn config(number: Option<&str>, start: Option<u32>) -> Config {
    let mut text =
        String::from("[case]\ntitle = \"KI-strategi\"\nowner = \"DIO\"\napprover = \"DFD\"\n");
    if let Some(n) = number {
        text.push_str(&format!("number = \"{n}\"\n"));
    }
    text.push_str("\n[[party]]\ncode = \"FIN\"\nname = \"Finansdepartementet\"\nemail = \"postmottak@fin.example\"\n");
    if let Some(s) = start {
        text.push_str(&format!("\n[journal]\nstart = {s}\n"));
    }
    crate::store::parse_config(std::path::Path::new("strategi.toml"), &text).expect("config")
}

fn entry(id: &str, clock: u64, minute: i64) -> Entry {
    let at: Timestamp = "2025-11-03T09:00:00Z".parse().expect("ts");
    let at = at + jiff::SignedDuration::from_mins(minute);
    Entry {
        id: id.into(),
        kind: EntryKind::Letter,
        direction: Direction::Outgoing,
        date: day(at),
        at,
        clock: Some(clock),
        party: PartyRef {
            code: "FIN".parse().expect("code"),
            name: "Finansdepartementet".into(),
        },
        title: format!("letter {id}"),
        round: None,
        number: None,
        numbering: None,
        files: Vec::new(),
        publicity: Publicity::Public,
    }
}

fn record(id: &str, item: &str, number: &str, by: &str, clock: u64) -> (String, NumberRecord) {
    (
        format!("journal/{id}.toml"),
        NumberRecord {
            id: id.parse().expect("id"),
            item: item.into(),
            number: number.parse().expect("number"),
            by: by.parse().expect("code"),
            at: "2025-11-04T09:00:00Z".parse().expect("ts"),
            clock: Some(clock),
        },
    )
}

fn numbers(j: &Journal) -> Vec<(String, String)> {
    j.entries
        .iter()
        .map(|e| {
            (
                e.id.clone(),
                e.number.map(|n| n.to_string()).unwrap_or_default(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn numbers_parse_and_format() {
    let n: DocNumber = "24/3095-74".parse().expect("valid");
    assert_eq!(
        n.case,
        CaseNumber {
            year: 24,
            sequence: 3095
        }
    );
    assert_eq!(n.document, 74);
    assert_eq!(n.to_string(), "24/3095-74");
    assert_eq!(
        " 05/12-1 ".parse::<DocNumber>().expect("valid").to_string(),
        "05/12-1"
    );
    for bad in [
        "",
        "24/3095",
        "2024/3095-74",
        "24-3095-74",
        "24/3095-",
        "24/-74",
        "24/3095-0",
        "24/3095-7a",
        "ab/3095-74",
        "24/3095-+7",
        "24/3095-74-1",
        "4/3095-74",
    ] {
        let e = bad.parse::<DocNumber>().expect_err(bad);
        assert!(e.to_string().contains("YY/NNNN-N"), "{e}");
    }
    assert!("24/3095".parse::<CaseNumber>().is_ok());
    assert!("24/0".parse::<CaseNumber>().is_err());
}

#[test]
fn numbers_follow_the_order_of_facts_from_the_start() {
    let c = config(Some("24/3095"), Some(74));
    // Given out of order: the fold sorts by clock, then time, then id.
    let j = Journal::fold(
        &c,
        vec![entry("f3", 3, 0), entry("f1", 1, 5), entry("f2", 1, 5)],
        Vec::new(),
    );
    assert_eq!(
        numbers(&j),
        pairs(&[
            ("f1", "24/3095-74"),
            ("f2", "24/3095-75"),
            ("f3", "24/3095-76")
        ])
    );
    assert!(
        j.entries
            .iter()
            .all(|e| e.numbering == Some(Numbering::Assigned))
    );
    assert_eq!(j.next_numbers(&c, 2)[1].to_string(), "24/3095-78");
}

#[test]
fn without_a_start_numbers_begin_at_one_and_without_a_case_there_are_none() {
    let j = Journal::fold(
        &config(Some("24/3095"), None),
        vec![entry("f1", 1, 0)],
        Vec::new(),
    );
    assert_eq!(numbers(&j), pairs(&[("f1", "24/3095-1")]));
    let j = Journal::fold(&config(None, Some(5)), vec![entry("f1", 1, 0)], Vec::new());
    assert_eq!(numbers(&j), pairs(&[("f1", "")]));
    assert!(j.findings.is_empty());
    let j = Journal::fold(
        &config(Some("3095"), None),
        vec![entry("f1", 1, 0)],
        Vec::new(),
    );
    assert_eq!(j.findings.len(), 1, "{:?}", j.findings);
}

#[test]
fn recorded_numbers_override_and_the_rest_skip_them() {
    let c = config(Some("24/3095"), Some(74));
    let entries = vec![entry("f1", 1, 0), entry("f2", 2, 0), entry("f3", 3, 0)];
    let j = Journal::fold(
        &c,
        entries.clone(),
        vec![record("j0000001", "f2", "24/3095-74", "DIO", 4)],
    );
    assert_eq!(
        numbers(&j),
        pairs(&[
            ("f1", "24/3095-75"),
            ("f2", "24/3095-74"),
            ("f3", "24/3095-76")
        ])
    );
    assert!(matches!(
        j.entries[1].numbering,
        Some(Numbering::Recorded { .. })
    ));
    assert!(j.findings.is_empty());
}

#[test]
fn a_recorded_number_never_changes_and_bad_records_are_reported() {
    let c = config(Some("24/3095"), Some(74));
    let entries = vec![entry("f1", 1, 0), entry("f2", 2, 0)];
    let j = Journal::fold(
        &c,
        entries,
        vec![
            record("j0000001", "f1", "24/3095-80", "DIO", 3),
            // Later for the same entry: ignored.
            record("j0000002", "f1", "24/3095-81", "DIO", 4),
            // The same number for another: ignored.
            record("j0000003", "f2", "24/3095-80", "DIO", 5),
            // Not the owner, another case, no such entry: ignored.
            record("j0000004", "f2", "24/3095-90", "FIN", 6),
            record("j0000005", "f2", "24/9999-91", "DIO", 7),
            record("j0000006", "f9", "24/3095-92", "DIO", 8),
        ],
    );
    assert_eq!(
        numbers(&j),
        pairs(&[("f1", "24/3095-80"), ("f2", "24/3095-74")])
    );
    assert_eq!(j.findings.len(), 5, "{:#?}", j.findings);
    assert!(j.findings[0].message.contains("never changes"));
    assert!(j.findings[2].message.contains("case owner"));
}

#[test]
fn two_clones_fold_the_same_records_to_the_same_numbers() {
    let c = config(Some("24/3095"), Some(74));
    // Both clones saw f1 (clock 1); each then wrote a fact at clock 2 and one records
    // a number. After the merge each clone holds the union, listed in its own order.
    let mine = vec![entry("f1", 1, 0), entry("fb", 2, 10), entry("fa", 2, 10)];
    let theirs = vec![entry("fa", 2, 10), entry("f1", 1, 0), entry("fb", 2, 10)];
    let rec = vec![record("j0000001", "fb", "24/3095-74", "DIO", 3)];
    let a = Journal::fold(&c, mine, rec.clone());
    let b = Journal::fold(&c, theirs, rec);
    assert_eq!(a, b);
    assert_eq!(
        numbers(&a),
        pairs(&[
            ("f1", "24/3095-75"),
            ("fa", "24/3095-76"),
            ("fb", "24/3095-74")
        ])
    );
}

#[test]
fn items_are_found_by_id_prefix_or_number() {
    let c = config(Some("24/3095"), Some(74));
    let mut reply = entry("sha256:abcdef0123", 2, 0);
    reply.kind = EntryKind::Reply;
    let j = Journal::fold(&c, vec![entry("f1abc", 1, 0), reply], Vec::new());
    assert_eq!(resolve_item(&j, "f1abc").expect("id").id, "f1abc");
    assert_eq!(
        resolve_item(&j, "abcd").expect("digest").id,
        "sha256:abcdef0123"
    );
    assert_eq!(
        resolve_item(&j, "24/3095-75").expect("number").id,
        "sha256:abcdef0123"
    );
    assert_eq!(resolve_item(&j, "74").expect("short number").id, "f1abc");
    assert!(matches!(
        resolve_item(&j, "zzz"),
        Err(JournalError::UnknownItem { .. })
    ));
}

/// Replies are ordered by the commit that added their import record (the proven
/// clock), not by the `at` the importer wrote in it, which a clone can forge; each
/// shows the date its record gives.
#[test]
fn replies_follow_the_proven_clock_of_their_commit_not_their_written_time() {
    use crate::consultation::{ImportRecord, RoundDef, round_path};
    use crate::model::{Action, VersionName};
    use crate::store::{Actor, IdSeed};
    let dir = tempfile::tempdir().expect("tempdir");
    let ws = Workspace::create(&dir.path().join("ws"), Some(("Kari Nordmann", "kari@x.no")))
        .expect("create");
    let actor = Actor {
        party: "DIO".parse().expect("party"),
        name: "Kari Nordmann".into(),
        email: "kari@x.no".into(),
    };
    let at = |day: i8| {
        jiff::civil::date(2025, 11, day)
            .at(12, 0, 0, 0)
            .to_zoned_datetime(oslo())
            .expect("time")
    };
    let commit = |day: i8, files: Vec<(String, String)>| {
        let mut tx = ws
            .begin("test", std::time::Duration::from_secs(5), IdSeed::Fixed(7))
            .expect("begin");
        for (path, text) in files {
            tx.write(&path, text);
        }
        tx.commit("Test", "", Action::Init, &actor, &at(day))
            .expect("commit");
    };
    let round: RecordId = "r1234567".parse().expect("id");
    let def = RoundDef {
        id: round.clone(),
        kind: crate::calendar::ConsultationKind::Framlegging,
        title: "Framlegging av v1".into(),
        version: VersionName(1),
        sender: "DIO".parse().expect("code"),
        recipients: vec!["FIN".parse().expect("code"), "KDD".parse().expect("code")],
        opened: jiff::civil::date(2025, 11, 3),
        due: jiff::civil::date(2025, 12, 22),
        reason: None,
        opened_by: "DIO".parse().expect("code"),
        at: "2025-11-03T09:00:00Z".parse().expect("ts"),
        clock: None,
        open: false,
    };
    let config_text = "[case]\ntitle = \"KI-strategi\"\nowner = \"DIO\"\napprover = \"DIO\"\nnumber = \"24/3095\"\n\n[[party]]\ncode = \"DIO\"\nname = \"Digitaliseringsdirektoratet\"\nemail = \"post@dio.example\"\n\n[[party]]\ncode = \"FIN\"\nname = \"Finansdepartementet\"\nemail = \"postmottak@fin.example\"\n\n[[party]]\ncode = \"KDD\"\nname = \"Kommunal- og distriktsdepartementet\"\nemail = \"postmottak@kdd.example\"\n";
    commit(
        3,
        vec![
            ("strategi.toml".into(), config_text.into()),
            (
                round_path(&round),
                toml::to_string(&def).expect("round toml"),
            ),
        ],
    );
    let import = |digest: &str, party: &str, written: &str| {
        let rec = ImportRecord {
            digest: digest.into(),
            message_id: None,
            from: format!("post@{}.example", party.to_lowercase()),
            subject: "Svar".into(),
            party: party.parse().expect("code"),
            matched_by: "--from".into(),
            position: None,
            comments: Vec::new(),
            attachments: Vec::new(),
            by: "DIO".parse().expect("code"),
            at: written.parse().expect("ts"),
            received: None,
            word_files: Vec::new(),
            word_name: None,
        };
        (
            format!("{}/import.toml", inbox_dir(&round, digest)),
            toml::to_string(&rec).expect("import toml"),
        )
    };
    let (fin, kdd) = ("a".repeat(64), "b".repeat(64));
    // FIN's reply is committed first; KDD's later, its `at` written weeks earlier.
    commit(20, vec![import(&fin, "FIN", "2025-11-20T11:00:00Z")]);
    commit(21, vec![import(&kdd, "KDD", "2025-11-04T11:00:00Z")]);
    let config = ws.config().expect("config");
    let j = load_journal(&ws, &config, jiff::civil::date(2025, 11, 25)).expect("journal");
    let replies: Vec<(&str, String, String)> = j
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Reply)
        .map(|e| {
            (
                e.party.code.as_str(),
                e.date.to_string(),
                e.number.map(|n| n.to_string()).unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        replies,
        [
            ("FIN", "2025-11-20".to_string(), "24/3095-1".to_string()),
            ("KDD", "2025-11-04".to_string(), "24/3095-2".to_string()),
        ]
    );
}
