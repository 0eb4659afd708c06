//! Issue 4: deadlines, working days, calendars.

use crate::common::TestEnv;

#[test]
fn reference_milestone_in_working_days() {
    let env = TestEnv::new();
    env.workspace("ws");
    let d = env
        .run_in("ws", &["--json", "--now", "2025-11-28", "deadlines"])
        .ok()
        .json();
    let m = &d["obligations"][0];
    assert_eq!(m["id"], "forslag-dfd");
    assert_eq!(m["due"]["date"], "2025-12-01");
    assert_eq!(m["assessment"]["status"], "due_soon");
    assert_eq!(m["assessment"]["working_days_left"], 1);
    assert_eq!(m["assessment"]["calendar_days_left"], 3);
    let text = env
        .run_in("ws", &["--now", "2025-11-28", "deadlines"])
        .ok()
        .stdout;
    assert!(
        text.contains("due soon: 1 working day (3 days) left"),
        "{text}"
    );

    let d = env
        .run_in("ws", &["--json", "--now", "2025-12-02", "deadlines"])
        .ok()
        .json();
    assert_eq!(d["obligations"][0]["assessment"]["status"], "overdue");
    assert_eq!(d["obligations"][0]["assessment"]["working_days_left"], -1);
    let text = env
        .run_in("ws", &["--now", "2025-12-02", "status"])
        .ok()
        .stdout;
    assert!(text.contains("OVERDUE by 1 working day (1 day)"), "{text}");

    env.run_in(
        "ws",
        &["--now", "2025-11-28", "milestone", "done", "forslag-dfd"],
    )
    .ok();
    let d = env
        .run_in("ws", &["--json", "--now", "2025-12-02", "deadlines"])
        .ok()
        .json();
    assert_eq!(d["obligations"][0]["assessment"]["status"], "done");
}

#[test]
fn relative_milestones_and_moved_deadlines() {
    let env = TestEnv::new();
    env.workspace("ws");
    env.run_in(
        "ws",
        &[
            "milestone",
            "add",
            "sirkulering",
            "--title",
            "Sirkulering",
            "--due",
            "10 working days before forslag-dfd",
        ],
    )
    .ok();
    // Ten working days before Monday 1 December 2025 is Monday 17 November.
    let d = env.run_in("ws", &["--json", "deadlines"]).ok().json();
    assert_eq!(d["obligations"][0]["id"], "sirkulering");
    assert_eq!(d["obligations"][0]["due"]["date"], "2025-11-17");
    let body = env.git("ws", &["log", "-1", "--format=%b"]).ok().stdout;
    assert!(
        body.contains("Due 10 working days before forslag-dfd (2025-12-01)."),
        "{body}"
    );

    // Constitution Day 2026 is a Sunday: the deadline moves to Monday and says why.
    env.run_in(
        "ws",
        &[
            "milestone",
            "add",
            "grunnlov",
            "--title",
            "X",
            "--due",
            "17.05.2026",
        ],
    )
    .ok();
    let d = env.run_in("ws", &["--json", "deadlines"]).ok().json();
    let last = &d["obligations"][2];
    assert_eq!(last["due"]["original"], "2026-05-17");
    assert_eq!(last["due"]["date"], "2026-05-18");
    let text = env.run_in("ws", &["deadlines"]).ok().stdout;
    assert!(text.contains("Moved from Sunday 2026-05-17"), "{text}");
}

#[test]
fn bad_dates_name_the_accepted_forms() {
    let env = TestEnv::new();
    env.workspace("ws");
    for bad in ["2025-02-30", "tomorrow", "1/12"] {
        let r = env.assert_refused_unchanged(
            "ws",
            &["milestone", "add", "x", "--title", "X", "--due", bad],
        );
        assert!(r.stderr.contains(&format!("\"{bad}\"")), "{}", r.stderr);
        assert!(r.stderr.contains("YYYY-MM-DD"), "{}", r.stderr);
    }
    let r = env.assert_refused_unchanged(
        "ws",
        &[
            "milestone",
            "add",
            "x",
            "--title",
            "X",
            "--due",
            "3 working days before nope",
        ],
    );
    assert!(r.stderr.contains("no milestone \"nope\""), "{}", r.stderr);
}

#[test]
fn ics_export_parses_and_keeps_uids() {
    let env = TestEnv::new();
    env.workspace("ws");
    env.run_in(
        "ws",
        &[
            "milestone",
            "add",
            "innspill",
            "--title",
            "Innspill; frist, «viktig»",
            "--due",
            "2025-11-14",
        ],
    )
    .ok();
    env.run_in("ws", &["deadlines", "--ics", "frister.ics"])
        .ok();
    let first = std::fs::read_to_string(env.path("ws/frister.ics")).expect("ics");
    let unfolded = icalendar::parser::unfold(&first);
    let cal = icalendar::parser::read_calendar(&unfolded).expect("parses as iCalendar");
    let events: Vec<_> = cal
        .components
        .iter()
        .filter(|c| c.name == "VEVENT")
        .collect();
    assert_eq!(events.len(), 2);
    let summary = events[0]
        .find_prop("SUMMARY")
        .map(|p| p.val.to_string())
        .expect("summary");
    // Short: what (and who, when someone owns it), not the case title, which goes in
    // the description.
    assert_eq!(summary, "Innspill; frist, «viktig»");
    let description = events[0]
        .find_prop("DESCRIPTION")
        .map(|p| p.val.to_string())
        .expect("description");
    assert!(description.contains("KI-strategi"), "{description}");
    assert!(
        events
            .iter()
            .all(|e| e.components.iter().any(|a| a.name == "VALARM"))
    );
    // A done milestone: marked done, CONFIRMED, no alarm; the others keep theirs.
    env.run_in("ws", &["milestone", "done", "innspill"]).ok();
    env.run_in("ws", &["deadlines", "--ics", "done.ics"]).ok();
    let done = std::fs::read_to_string(env.path("ws/done.ics")).expect("ics");
    let unfolded_done = icalendar::parser::unfold(&done);
    let cal_done = icalendar::parser::read_calendar(&unfolded_done).expect("parses");
    let mut saw_done = false;
    for e in cal_done.components.iter().filter(|c| c.name == "VEVENT") {
        let summary = e.find_prop("SUMMARY").map(|p| p.val.to_string());
        let alarm = e.components.iter().any(|a| a.name == "VALARM");
        let status = e.find_prop("STATUS").map(|p| p.val.to_string());
        if summary.as_deref() == Some("[Utført] Innspill; frist, «viktig»") {
            saw_done = true;
            assert!(!alarm, "a done item carries no alarm");
            assert_eq!(status.as_deref(), Some("CONFIRMED"));
        } else {
            assert!(alarm, "{summary:?} is not done and keeps its alarm");
            assert_eq!(status, None);
        }
    }
    assert!(saw_done, "{done}");
    // The file exists: replacing it takes --force (issue 13).
    env.assert_refused_unchanged(
        "ws",
        &["--now", "2025-11-20", "deadlines", "--ics", "frister.ics"],
    );
    // Re-export on another day: same UIDs, so calendars update instead of duplicating.
    env.run_in(
        "ws",
        &[
            "--now",
            "2025-11-20",
            "deadlines",
            "--ics",
            "frister.ics",
            "--force",
        ],
    )
    .ok();
    let second = std::fs::read_to_string(env.path("ws/frister.ics")).expect("ics");
    let uids = |t: &str| {
        t.lines()
            .filter(|l| l.starts_with("UID:"))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(uids(&first), uids(&second));
    assert_ne!(first, second, "DTSTAMP follows the clock");
}
