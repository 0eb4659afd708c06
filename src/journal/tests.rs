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
