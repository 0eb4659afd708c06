//! Answer dates (issue 12): the date a party answered is its reply's own date (the
//! e-mail's `Date`, or `--received`), kept beside the time of recording; answers after
//! the party's effective deadline are marked late in `round show`, `status`, the report
//! and `--json`.

use crate::common::TestEnv;

const V1: &str = "# KI-strategi {#ki}\n\n## Mål {#mal}\n\nVi skal bruke kunstig intelligens på en ansvarlig måte.\n";

/// A workspace with FIN, KDD, HOD and KD, v1, and a round from DFD to the four opened
/// on 2025-11-03, due Friday 2025-11-28; returns the round id.
fn round(env: &TestEnv) -> String {
    env.round_to_four(V1)
}

/// Writes an e-mail from `party` in round `round` with the `Date` header `date` (none
/// when `None`) and returns its path relative to the workspace.
fn mail(env: &TestEnv, name: &str, round: &str, party: &str, date: Option<&str>) -> String {
    let date = date.map(|d| format!("Date: {d}\n")).unwrap_or_default();
    let text = format!(
        "From: Kari Nordmann <postmottak@{lower}.example>\n\
         To: Strategisekretariatet <strategi@dfd.example>\n\
         Subject: Re: Framlegging [strategi {round}/{party}]\n\
         {date}Message-ID: <{name}@{lower}.example>\n\
         MIME-Version: 1.0\n\
         Content-Type: text/plain; charset=\"utf-8\"\n\
         \n\
         {party} har ingen merknader.\n",
        lower = party.to_lowercase()
    );
    let dest = env.path(&format!("mail/{name}.eml"));
    std::fs::create_dir_all(dest.parent().expect("parent")).expect("mail dir");
    std::fs::write(&dest, text).expect("write mail");
    format!("../mail/{name}.eml")
}

fn party<'a>(show: &'a serde_json::Value, code: &str) -> &'a serde_json::Value {
    show["parties"]
        .as_array()
        .expect("parties")
        .iter()
        .find(|p| p["party"] == code)
        .expect("party")
}

#[test]
fn a_reply_sent_on_time_and_imported_late_is_on_time_one_dated_late_is_late() {
    let mut env = TestEnv::new();
    let id = round(&env);
    let on_time = mail(
        &env,
        "fin",
        &id,
        "FIN",
        Some("Thu, 27 Nov 2025 16:00:00 +0100"),
    );
    // 00:30 Oslo time on the day after the deadline: late.
    let late = mail(
        &env,
        "kdd",
        &id,
        "KDD",
        Some("Sat, 29 Nov 2025 00:30:00 +0100"),
    );
    // A Date after the import cannot be: it is set aside, the import time counts.
    let future = mail(
        &env,
        "hod",
        &id,
        "HOD",
        Some("Wed, 24 Dec 2025 09:00:00 +0100"),
    );
    // Before the round was opened: set aside too, and --received is used instead.
    let early = mail(
        &env,
        "kd",
        &id,
        "KD",
        Some("Sat, 01 Nov 2025 09:00:00 +0100"),
    );
    env.now = "2025-12-05T10:00".to_string();
    let run = env
        .run_in(
            "ws",
            &["comment", "import", "latest", &on_time, &late, &future],
        )
        .ok();
    assert!(
        run.stdout
            .contains("its Date header (2025-12-24T09:00:00+01:00) is not trusted"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("the time of the import is used instead"),
        "{}",
        run.stdout
    );
    let run = env
        .run_in(
            "ws",
            &[
                "comment",
                "import",
                "latest",
                &early,
                "--received",
                "2025-11-20",
            ],
        )
        .ok();
    assert!(
        run.stdout.contains("before round")
            && run
                .stdout
                .contains("the date given with --received is used instead"),
        "{}",
        run.stdout
    );

    // The import record keeps both times.
    let import = std::fs::read_dir(env.path(&format!("ws/consultations/{id}/inbox")))
        .expect("inbox")
        .flatten()
        .map(|e| std::fs::read_to_string(e.path().join("import.toml")).expect("import.toml"))
        .find(|t| t.contains("party = \"FIN\""))
        .expect("FIN's import");
    assert!(
        import.contains("at = \"2025-12-05T09:00:00Z\"")
            && import.contains("received = \"2025-11-27T15:00:00Z\""),
        "{import}"
    );

    let show = env
        .run_in("ws", &["--json", "round", "show", "latest"])
        .ok()
        .json();
    let fin = party(&show, "FIN");
    assert_eq!(fin["late"], false, "{fin}");
    assert_eq!(fin["received"], "2025-11-27T15:00:00Z");
    assert_eq!(fin["answered"], "2025-12-05T09:00:00Z");
    assert_eq!(fin["effective_due"], "2025-11-28");
    assert_eq!(party(&show, "KDD")["late"], true);
    assert_eq!(party(&show, "KDD")["received"], "2025-11-28T23:30:00Z");
    assert_eq!(party(&show, "HOD")["late"], true);
    assert_eq!(party(&show, "HOD")["received"], "2025-12-05T09:00:00Z");
    assert_eq!(party(&show, "KD")["late"], false);
    assert_eq!(party(&show, "KD")["received"], "2025-11-20T11:00:00Z");
    assert_eq!(show["counts"]["late"], 2);

    let text = env.run_in("ws", &["round", "show", "latest"]).ok().stdout;
    assert!(text.contains("answered 2025-11-27: no comments"), "{text}");
    assert!(
        text.contains("answered 2025-11-29 (late, due 2025-11-28): no comments"),
        "{text}"
    );
    assert!(
        text.contains("Answers   4 of 4 (4 with no comments, 2 late)"),
        "{text}"
    );

    let status = env.run_in("ws", &["status"]).ok().stdout;
    assert!(
        status.contains("(4 no comments, 2 late, 0 overdue)"),
        "{status}"
    );
    let status = env.run_in("ws", &["--json", "status"]).ok().json();
    assert_eq!(status["rounds"][0]["late"], 2);

    // The report (the case is in bokmål) marks the late answers in the positions.
    let report = env.run_in("ws", &["report", "latest"]).ok().stdout;
    assert!(
        report.contains("| 29. november 2025 (for sent, frist 28. november 2025) |"),
        "{report}"
    );
    assert!(report.contains("| 27. november 2025 |"), "{report}");
}

#[test]
fn a_message_without_a_date_imported_late_is_late_unless_received_is_given() {
    let mut env = TestEnv::new();
    let id = round(&env);
    let fin = mail(&env, "fin", &id, "FIN", None);
    let kdd = mail(&env, "kdd", &id, "KDD", None);
    env.now = "2025-12-05T10:00".to_string();
    let run = env
        .run_in("ws", &["comment", "import", "latest", &fin])
        .ok();
    assert!(
        run.stdout.contains("has no date of its own") && run.stdout.contains("is marked late"),
        "{}",
        run.stdout
    );
    env.run_in(
        "ws",
        &[
            "comment",
            "import",
            "latest",
            &kdd,
            "--received",
            "2025-11-28T23:59",
        ],
    )
    .ok();
    let show = env
        .run_in("ws", &["--json", "round", "show", "latest"])
        .ok()
        .json();
    assert_eq!(party(&show, "FIN")["late"], true);
    assert_eq!(party(&show, "KDD")["late"], false);
    assert_eq!(party(&show, "KDD")["received"], "2025-11-28T22:59:00Z");
    // Comments made from the message carry the date too (here none: "ingen merknader").

    // A --received in the future is refused, nothing written.
    let hod = mail(&env, "hod", &id, "HOD", None);
    let run = env.assert_refused_unchanged(
        "ws",
        &[
            "comment",
            "import",
            "latest",
            &hod,
            "--received",
            "2025-12-06",
        ],
    );
    assert!(
        run.stderr.contains("later than the time of recording"),
        "{}",
        run.stderr
    );
}

#[test]
fn respond_and_comment_add_take_the_date_received() {
    let mut env = TestEnv::new();
    round(&env);
    env.now = "2025-12-05T10:00".to_string();
    // A letter dated on the deadline day, registered a week later: on time.
    let run = env
        .run_in(
            "ws",
            &[
                "respond",
                "latest",
                "--from",
                "FIN",
                "--position",
                "no-comments",
                "--received",
                "28.11.2025",
            ],
        )
        .ok();
    assert!(!run.stdout.contains("Late"), "{}", run.stdout);
    // Registered now without a date: late, and said so.
    let run = env
        .run_in(
            "ws",
            &[
                "respond",
                "latest",
                "--from",
                "KDD",
                "--position",
                "comments",
            ],
        )
        .ok();
    assert!(
        run.stdout
            .contains("Late: received after the deadline 2025-11-28."),
        "{}",
        run.stdout
    );
    // Today, as a date only, is not in the future.
    env.run_in(
        "ws",
        &[
            "respond",
            "latest",
            "--from",
            "HOD",
            "--position",
            "comments",
            "--received",
            "2025-12-05",
        ],
    )
    .ok();
    let run = env
        .run_in(
            "ws",
            &[
                "--json",
                "comment",
                "add",
                "latest",
                "--from",
                "KD",
                "--text",
                "Vi støtter målet.",
                "--received",
                "2025-11-27T14:00",
            ],
        )
        .ok()
        .json();
    assert_eq!(run["comment"]["received"], "2025-11-27T13:00:00Z", "{run}");
    assert_eq!(run["comment"]["at"], "2025-12-05T09:00:00Z", "{run}");

    let show = env
        .run_in("ws", &["--json", "round", "show", "latest"])
        .ok()
        .json();
    assert_eq!(party(&show, "FIN")["late"], false);
    assert_eq!(party(&show, "FIN")["received"], "2025-11-28T11:00:00Z");
    assert_eq!(
        party(&show, "FIN")["history"][0]["received"],
        "2025-11-28T11:00:00Z"
    );
    assert_eq!(party(&show, "KDD")["late"], true);
    assert_eq!(party(&show, "HOD")["late"], true);
    assert_eq!(party(&show, "HOD")["received"], "2025-12-05T09:00:00Z");

    // In the future, before the round, or not a date: refused, nothing written.
    for (value, says) in [
        ("2025-12-06", "later than the time of recording"),
        ("2025-12-05T10:01", "later than the time of recording"),
        ("2025-11-02", "before round"),
        ("yesterday", "--received"),
    ] {
        let run = env.assert_refused_unchanged(
            "ws",
            &[
                "respond",
                "latest",
                "--from",
                "KD",
                "--position",
                "no-comments",
                "--received",
                value,
            ],
        );
        assert!(run.stderr.contains(says), "{value}: {}", run.stderr);
    }
    let run = env.assert_refused_unchanged(
        "ws",
        &[
            "comment",
            "add",
            "latest",
            "--from",
            "KD",
            "--text",
            "Sent.",
            "--received",
            "2025-12-24",
        ],
    );
    assert!(
        run.stderr.contains("later than the time of recording"),
        "{}",
        run.stderr
    );
}

#[test]
fn comment_list_and_show_mark_a_comment_given_after_the_deadline_as_late() {
    let mut env = TestEnv::new();
    round(&env);
    env.now = "2025-12-05T10:00".to_string();
    let on_time = env
        .run_in(
            "ws",
            &[
                "--json",
                "comment",
                "add",
                "latest",
                "--from",
                "FIN",
                "--text",
                "Dato på brevet er fristen.",
                "--received",
                "2025-11-28T15:00",
            ],
        )
        .ok()
        .json();
    let late = env
        .run_in(
            "ws",
            &[
                "--json",
                "comment",
                "add",
                "latest",
                "--from",
                "KDD",
                "--text",
                "Registrert uten dato, etter fristen.",
            ],
        )
        .ok()
        .json();
    let (on_time, late) = (
        on_time["comment"]["id"].as_str().expect("id").to_string(),
        late["comment"]["id"].as_str().expect("id").to_string(),
    );
    let list = env.run_in("ws", &["--json", "comment", "list"]).ok().json();
    let of = |id: &str| {
        list.as_array()
            .expect("list")
            .iter()
            .find(|c| c["id"] == id)
            .cloned()
            .expect("comment")
    };
    assert_eq!(of(&on_time)["late"], false, "{list}");
    assert_eq!(of(&on_time)["effective_due"], "2025-11-28");
    assert_eq!(of(&late)["late"], true, "{list}");
    let text = env.run_in("ws", &["comment", "list"]).ok().stdout;
    let line = |id: &str| {
        text.lines()
            .find(|l| l.starts_with(id))
            .unwrap_or_default()
            .to_string()
    };
    assert!(line(&late).ends_with("(late, due 2025-11-28)"), "{text}");
    assert!(!line(&on_time).contains("late"), "{text}");
    let show = env
        .run_in("ws", &["--json", "comment", "show", &late])
        .ok()
        .json();
    assert_eq!(show["late"], true, "{show}");
    let show = env.run_in("ws", &["comment", "show", &late]).ok().stdout;
    assert!(
        show.contains("Late      given after KDD's deadline 2025-11-28"),
        "{show}"
    );
    let show = env.run_in("ws", &["comment", "show", &on_time]).ok().stdout;
    assert!(show.contains("Given     2025-11-28 14:00 UTC"), "{show}");
    assert!(!show.contains("Late"), "{show}");
}

/// A deadline on Whit Monday (25 May 2026) applies on Tuesday 26 May, and everywhere
/// the deadline is shown it is the Tuesday, with the reason: `round list`, `round show`,
/// `status`, the report (Markdown, HTML, CSV), the reminder, and their `--json`.
#[test]
fn a_deadline_moved_off_whit_monday_is_shown_everywhere_with_its_reason() {
    let mut env = TestEnv::new();
    env.workspace_with_version("ws");
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
            "2026-05-25",
        ],
    )
    .ok();
    let id = env.run_in("ws", &["--json", "round", "list"]).json()[0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    env.run_in("ws", &["--as", "DFD", "round", "send", &id])
        .ok();
    env.now = "2026-05-20".to_string();
    env.run_in(
        "ws",
        &[
            "comment",
            "add",
            &id,
            "--from",
            "FIN",
            "--text",
            "Vi har en merknad.",
        ],
    )
    .ok();

    let list = env.run_in("ws", &["--json", "round", "list"]).ok().json();
    assert_eq!(list[0]["due"], "2026-05-25", "as set: {list}");
    assert_eq!(list[0]["effective_due"], "2026-05-26");
    assert_eq!(list[0]["due_moved"]["reason"], "Whit Monday");
    assert_eq!(list[0]["due_moved"]["from"], "2026-05-25");
    assert_eq!(list[0]["due_moved"]["to"], "2026-05-26");
    assert_eq!(list[0]["parties"][0]["effective_due"], "2026-05-26");
    assert_eq!(list[0]["parties"][0]["due_moved"]["reason"], "Whit Monday");
    let text = env.run_in("ws", &["round", "list"]).ok().stdout;
    assert!(
        text.contains("due 2026-05-26 (moved from 2026-05-25, Whit Monday)"),
        "{text}"
    );
    let show = env.run_in("ws", &["round", "show", &id]).ok().stdout;
    assert!(show.contains("Due       Tuesday 26 May 2026"), "{show}");
    assert!(
        show.contains("Moved from Monday 2026-05-25 (Whit Monday) to Tuesday 2026-05-26."),
        "{show}"
    );
    let shown = env
        .run_in("ws", &["--json", "round", "show", &id])
        .ok()
        .json();
    assert_eq!(shown["due_moved"]["reason"], "Whit Monday", "{shown}");

    let status = env.run_in("ws", &["--json", "status"]).ok().json();
    assert_eq!(status["rounds"][0]["due"], "2026-05-26", "{status}");
    assert_eq!(status["rounds"][0]["due_moved"]["reason"], "Whit Monday");
    assert!(
        status["phase"]["summary"]
            .as_str()
            .unwrap_or_default()
            .contains("due 2026-05-26 (moved from 2026-05-25, Whit Monday)"),
        "{status}"
    );

    // The report, in the case's language (bokmål).
    let md = env
        .run_in("ws", &["report", &id, "--format", "markdown"])
        .ok()
        .stdout;
    assert!(
        md.contains("26. mai 2026 (flyttet fra 25. mai 2026, Andre pinsedag)"),
        "{md}"
    );
    let html = env
        .run_in("ws", &["report", &id, "--format", "html"])
        .ok()
        .stdout;
    assert!(
        html.contains("flyttet fra 25. mai 2026, Andre pinsedag"),
        "{html}"
    );
    let csv = env
        .run_in("ws", &["report", &id, "--format", "csv"])
        .ok()
        .stdout;
    assert!(
        csv.contains(",2026-05-26,\"flyttet fra 2026-05-25, Andre pinsedag\"\r\n"),
        "{csv}"
    );

    // The reminder to KDD (nynorsk) names the Tuesday and why.
    let dry = env
        .run_in("ws", &["--json", "--as", "DFD", "remind", &id, "--dry-run"])
        .ok()
        .json();
    assert_eq!(dry["would_remind"][0]["due"], "2026-05-26", "{dry}");
    assert_eq!(dry["would_remind"][0]["due_moved"]["reason"], "Whit Monday");
    let dry = env
        .run_in("ws", &["--as", "DFD", "remind", &id, "--dry-run"])
        .ok()
        .stdout;
    assert!(
        dry.contains("due 2026-05-26 (moved from 2026-05-25, Whit Monday)"),
        "{dry}"
    );
    env.run_in("ws", &["--as", "DFD", "remind", &id]).ok();
    let outbox = strategi::mail::Outbox::new(env.path("ws/outbox"));
    let reminder = outbox
        .list()
        .expect("outbox")
        .into_iter()
        .find(|e| e.state.kind == "reminder" && e.state.party == "KDD")
        .expect("a reminder to KDD");
    let bytes = std::fs::read(&reminder.eml_path).expect("eml");
    let msg = mail_parser::MessageParser::default()
        .parse(&bytes)
        .expect("parse");
    let body = msg.body_text(0).expect("body").into_owned();
    assert!(
        body.contains("Flytta frå måndag 2026-05-25 (Andre pinsedag) til tysdag 2026-05-26."),
        "{body}"
    );
    assert!(body.contains("Svarfrist:  tysdag 26. mai 2026"), "{body}");
}
