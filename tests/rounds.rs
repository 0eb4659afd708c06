//! Rounds: deadline rules per kind (issue 4), definitions and facts (issue 5, first part).

use crate::common::TestEnv;

#[test]
fn short_deadlines_need_a_reason_and_keep_it() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    // 3 November + 20 days: one day short of three weeks.
    let r = env.assert_refused_unchanged(
        "ws",
        &[
            "--as",
            "DFD",
            "round",
            "open",
            "--version",
            "v1",
            "--to",
            "all",
            "--due",
            "2025-11-23",
        ],
    );
    assert!(r.stderr.contains("needs at least 21 days"), "{}", r.stderr);
    assert!(r.stderr.contains("on or after 2025-11-24"), "{}", r.stderr);
    // A høring needs six weeks.
    let r = env.assert_refused_unchanged(
        "ws",
        &[
            "round",
            "open",
            "--version",
            "v1",
            "--to",
            "FIN",
            "--due",
            "2025-12-14",
            "--kind",
            "høring",
        ],
    );
    assert!(r.stderr.contains("needs at least 42 days"), "{}", r.stderr);
    // Three weeks is enough; the deadline on a Monday stays.
    let ok = env
        .run_in(
            "ws",
            &[
                "--json",
                "--as",
                "DFD",
                "round",
                "open",
                "--version",
                "v1",
                "--to",
                "all",
                "--due",
                "2025-11-24",
            ],
        )
        .ok()
        .json();
    assert_eq!(ok["round"]["sender"], "DFD");
    assert_eq!(ok["round"]["recipients"], serde_json::json!(["FIN", "KDD"]));
    // A short deadline with a reason is accepted and the reason recorded.
    let short = env
        .run_in(
            "ws",
            &[
                "--json",
                "round",
                "open",
                "--version",
                "v1",
                "--to",
                "FIN",
                "--due",
                "2025-11-14",
                "--reason",
                "Avtalt med FIN",
            ],
        )
        .ok()
        .json();
    let id = short["round"]["id"].as_str().expect("id").to_string();
    let def = std::fs::read_to_string(env.path(&format!("ws/consultations/{id}/round.toml")))
        .expect("round.toml");
    assert!(def.contains("reason = \"Avtalt med FIN\""), "{def}");
    let body = env.git("ws", &["log", "-1", "--format=%B"]).ok().stdout;
    assert!(
        body.contains("Short deadline accepted: Avtalt med FIN"),
        "{body}"
    );
    assert!(body.contains("Strategi-Action: round-open"), "{body}");
}

#[test]
fn holiday_windows_warn() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    let r = env
        .run_in(
            "ws",
            &[
                "--now",
                "2025-12-03",
                "round",
                "open",
                "--version",
                "v1",
                "--to",
                "FIN",
                "--due",
                "2026-01-09",
            ],
        )
        .ok();
    assert!(
        r.stderr
            .contains("Warning: The window 2025-12-03 to 2026-01-09 spans the Christmas holidays"),
        "{}",
        r.stderr
    );
}

#[test]
fn extensions_show_in_round_and_deadlines() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    let open = env
        .run_in(
            "ws",
            &[
                "--json",
                "--as",
                "DFD",
                "round",
                "open",
                "--version",
                "v1",
                "--to",
                "FIN,KDD",
                "--due",
                "2025-11-24",
            ],
        )
        .ok()
        .json();
    let id = open["round"]["id"].as_str().expect("id").to_string();
    let prefix = &id[..3];
    // Only the sender or the owner may extend.
    let r = env.assert_refused_unchanged(
        "ws",
        &[
            "--as",
            "FIN",
            "round",
            "extend",
            prefix,
            "--party",
            "FIN",
            "--due",
            "2025-12-01",
        ],
    );
    assert!(
        r.stderr
            .contains("only its sender DFD or the case owner DIO"),
        "{}",
        r.stderr
    );
    env.run_in(
        "ws",
        &[
            "--as",
            "DFD",
            "round",
            "extend",
            prefix,
            "--party",
            "FIN",
            "--due",
            "2025-12-01",
        ],
    )
    .ok();
    let r = env.assert_refused_unchanged(
        "ws",
        &[
            "--as",
            "DFD",
            "round",
            "extend",
            prefix,
            "--party",
            "FIN",
            "--due",
            "2025-11-30",
        ],
    );
    assert!(r.stderr.contains("must be later"), "{}", r.stderr);
    let show = env
        .run_in(
            "ws",
            &["--json", "--now", "2025-11-26", "round", "show", prefix],
        )
        .ok()
        .json();
    assert_eq!(show["parties"][0]["party"], "FIN");
    assert_eq!(show["parties"][0]["due"], "2025-12-01");
    assert_eq!(show["parties"][0]["extended"], true);
    assert_eq!(show["parties"][1]["status"], "overdue");
    let d = env
        .run_in("ws", &["--json", "--now", "2025-11-26", "deadlines"])
        .ok()
        .json();
    let ids: Vec<&str> = d["obligations"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|o| o["id"].as_str())
        .collect();
    assert!(ids.contains(&id.as_str()));
    assert!(ids.contains(&format!("{id}/FIN").as_str()));
    // Titles are short and in the case's language; the party is the owner, not repeated.
    let title = |want: &str| {
        d["obligations"]
            .as_array()
            .expect("array")
            .iter()
            .find(|o| o["id"] == want)
            .and_then(|o| o["title"].as_str())
            .map(str::to_string)
    };
    assert_eq!(title(&id).as_deref(), Some("Svar på foreleggelse v1"));
    assert_eq!(
        title(&format!("{id}/FIN")).as_deref(),
        Some("Svar på foreleggelse v1 (forlenget frist)")
    );
    env.run_in(
        "ws",
        &["--now", "2025-11-26", "deadlines", "--ics", "f.ics"],
    )
    .ok();
    let ics = std::fs::read_to_string(env.path("ws/f.ics")).expect("ics");
    assert!(
        ics.contains("SUMMARY:Frist FIN: Svar på foreleggelse v1 (forlenget frist)"),
        "{ics}"
    );

    // A fact added by hand by a party that may not make it is ignored, and said so.
    let forged = "id = \"fzzzzzzz\"\nat = \"2025-11-20T10:00:00Z\"\nby = \"KDD\"\ntype = \"extension\"\nparty = \"KDD\"\ndue = \"2026-03-01\"\n";
    std::fs::write(
        env.path(&format!(
            "ws/consultations/{id}/facts/20251120T100000Z-fzzzzzzz.toml"
        )),
        forged,
    )
    .expect("write");
    let r = env
        .run_in(
            "ws",
            &["--json", "--now", "2025-11-26", "round", "show", &id],
        )
        .ok();
    assert_eq!(r.json()["parties"][1]["due"], "2025-11-24");
    assert!(
        r.stderr
            .contains("KDD extended a deadline, but only DFD (the sender) or DIO (the owner) may."),
        "{}",
        r.stderr
    );

    // A broken fact file is named with its line.
    std::fs::write(
        env.path(&format!(
            "ws/consultations/{id}/facts/20251121T100000Z-fyyyyyyy.toml"
        )),
        "id = \"fyyyyyyy\"\nat = 12\n",
    )
    .expect("write");
    let r = env.run_in("ws", &["round", "show", &id]).refused();
    assert!(
        r.stderr.contains("20251121T100000Z-fyyyyyyy.toml:2:6"),
        "{}",
        r.stderr
    );
    // Nothing is written while a record is broken.
    env.assert_refused_unchanged("ws", &["round", "close", prefix]);
}

#[test]
fn a_round_sent_to_its_own_sender_is_refused() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    let r = env.assert_refused_unchanged(
        "ws",
        &[
            "--as",
            "DFD",
            "round",
            "open",
            "--version",
            "v1",
            "--to",
            "FIN,DFD",
            "--due",
            "2025-12-31",
        ],
    );
    assert!(
        r.stderr
            .contains("DFD sends this round, so it cannot also be one of its recipients"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--to FIN"), "{}", r.stderr);
    // --sender names the sender: the same rule.
    let r = env.assert_refused_unchanged(
        "ws",
        &[
            "round",
            "open",
            "--version",
            "v1",
            "--sender",
            "FIN",
            "--to",
            "FIN",
            "--due",
            "2025-12-31",
        ],
    );
    assert!(r.stderr.contains("FIN sends this round"), "{}", r.stderr);
    // The case's owner drafts the text: not a recipient either, with the others named.
    let r = env.assert_refused_unchanged(
        "ws",
        &[
            "--as",
            "DFD",
            "round",
            "open",
            "--version",
            "v1",
            "--to",
            "DIO,FIN",
            "--due",
            "2025-12-31",
        ],
    );
    assert!(r.stderr.contains("DIO is the case's owner"), "{}", r.stderr);
    assert!(r.stderr.contains("Leave DIO out: --to FIN"), "{}", r.stderr);
    let r = env.assert_refused_unchanged(
        "ws",
        &[
            "--as",
            "DFD",
            "round",
            "open",
            "--version",
            "v1",
            "--to",
            "DIO",
            "--due",
            "2025-12-31",
        ],
    );
    assert!(r.stderr.contains("--to FIN,KDD"), "{}", r.stderr);
    // Without the sender, the round opens.
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
            "FIN",
            "--due",
            "2025-12-31",
        ],
    )
    .ok();
}

#[test]
fn unknown_party_codes_in_filters_and_party_are_refused_with_suggestions() {
    let env = TestEnv::new();
    let id = env.round_to_four("# Utkast\n\n## Mål\n\nTekst.\n");
    // comment list --party: a code that is no party of the case.
    let r = env.assert_refused_unchanged("ws", &["comment", "list", "--party", "FNI"]);
    assert!(
        r.stderr.contains("FNI is not a party of this case"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("Did you mean FIN?"), "{}", r.stderr);
    let r = env.assert_refused_unchanged("ws", &["comment", "list", "--party", "XYZ"]);
    assert!(r.stderr.contains("XYZ is not a party"), "{}", r.stderr);
    assert!(!r.stderr.contains("Did you mean"), "{}", r.stderr);
    // A known party filters as before.
    env.run_in("ws", &["comment", "list", "--party", "FIN"])
        .ok();
    // remind --party: unknown, and a party that is not a recipient of the round.
    for dry in [true, false] {
        let mut args = vec!["--as", "DFD", "remind", &id, "--party", "KDD,HDO"];
        if dry {
            args.push("--dry-run");
        }
        let r = env.assert_refused_unchanged("ws", &args);
        assert!(r.stderr.contains("HDO is not a party"), "{}", r.stderr);
        assert!(r.stderr.contains("Did you mean HOD?"), "{}", r.stderr);
    }
    let r = env.assert_refused_unchanged(
        "ws",
        &["--as", "DFD", "remind", &id, "--party", "DFD", "--dry-run"],
    );
    assert!(
        r.stderr.contains("DFD is not a recipient of round"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("The recipients are FIN, KDD, HOD, KD"),
        "{}",
        r.stderr
    );
    // round extend --party: not a recipient, with the closest recipients.
    let r = env.assert_refused_unchanged(
        "ws",
        &[
            "--as",
            "DFD",
            "round",
            "extend",
            &id,
            "--party",
            "KDF",
            "--due",
            "2025-12-05",
        ],
    );
    assert!(r.stderr.contains("KDF is not a recipient"), "{}", r.stderr);
    assert!(r.stderr.contains("Did you mean KD or KDD?"), "{}", r.stderr);
}

#[test]
fn near_miss_codes_sections_and_round_ids_name_the_closest_ones() {
    let env = TestEnv::new();
    let id = env.round_to_four("# Utkast\n\n## Mål\n\nTekst.\n");
    // round open --to: the listed code first, `party add` only after it.
    let r = env.assert_refused_unchanged(
        "ws",
        &[
            "--as",
            "DFD",
            "round",
            "open",
            "--version",
            "v1",
            "--to",
            "FNI",
            "--due",
            "2025-12-31",
        ],
    );
    assert!(
        r.stderr.contains("\"FNI\" is not a listed party"),
        "{}",
        r.stderr
    );
    let mean = r.stderr.find("Did you mean FIN?").expect(&r.stderr);
    let add = r.stderr.find("party add").expect(&r.stderr);
    assert!(mean < add, "{}", r.stderr);
    // --as on a write and on a read: refused with the closest codes.
    for args in [
        &["--as", "FNI", "round", "close", &id][..],
        &["--as", "DOI", "status"],
        &["--as", "DOI", "--json", "round", "list"],
    ] {
        let r = env.assert_refused_unchanged("ws", args);
        assert!(
            r.stderr.contains("which is not a party of this case"),
            "{args:?}: {}",
            r.stderr
        );
        assert!(
            r.stderr.contains("Did you mean FIN?") || r.stderr.contains("Did you mean DIO?"),
            "{args:?}: {}",
            r.stderr
        );
    }
    env.run_in("ws", &["--as", "FIN", "status"]).ok();
    // comment list --section: an unknown id, with the round's version's closest ids.
    let r = env.assert_refused_unchanged("ws", &["comment", "list", "--section", "mall"]);
    assert!(
        r.stderr.contains("v1 has no section \"mall\""),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("Did you mean \"mal\"?"), "{}", r.stderr);
    env.run_in("ws", &["comment", "list", "--section", "mal"])
        .ok();
    // A near-miss round id (one letter wrong) names the round.
    let last = id.chars().last().expect("id");
    let wrong = format!(
        "{}{}",
        &id[..id.len() - 1],
        if last == 'x' { 'y' } else { 'x' }
    );
    for args in [
        &["round", "show", &wrong][..],
        &["comment", "list", "--round", &wrong],
    ] {
        let r = env.assert_refused_unchanged("ws", args);
        assert!(
            r.stderr.contains(&format!("There is no round \"{wrong}\"")),
            "{}",
            r.stderr
        );
        assert!(
            r.stderr.contains(&format!("Did you mean {id}?")),
            "{}",
            r.stderr
        );
    }
    let r = env.assert_refused_unchanged("ws", &["round", "show", "zzzzzzzz"]);
    assert!(!r.stderr.contains("Did you mean"), "{}", r.stderr);
}
