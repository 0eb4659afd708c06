//! Issue 16: `status --format html`, the picture of the case, on the shipped case.

use crate::common::TestEnv;

/// The start tags whose class begins with `class` and that carry `attr` (`data-x="y"`).
fn marks<'a>(html: &'a str, class: &str, attr: &str) -> Vec<&'a str> {
    let needle = format!("class=\"{class}");
    html.match_indices('<')
        .filter_map(|(i, _)| {
            let tag = &html[i..i + html[i..].find('>')? + 1];
            (tag.contains(&needle) && tag.contains(attr)).then_some(tag)
        })
        .collect()
}

#[test]
fn the_status_page_shows_the_case_on_a_timeline() {
    let env = TestEnv::new();
    env.run(&["demo", "demo"]).ok();
    // A milestone whose title must show as text, overdue on the page's day; then DFD
    // sends v2 on a second framlegging and FIN answers after its deadline.
    let dfd = |now: &str, args: &[&str]| {
        let mut full = vec!["--now", now, "--as", "DFD"];
        full.extend_from_slice(args);
        env.run_in("demo/dfd", &full).ok();
    };
    dfd(
        "2026-02-03",
        &[
            "milestone",
            "add",
            "lansering",
            "--title",
            "Lansering <script>x</script>",
            "--due",
            "2026-02-20",
            "--owner",
            "DIO",
        ],
    );
    dfd(
        "2026-02-03",
        &[
            "round",
            "open",
            "--version",
            "v2",
            "--to",
            "FIN,KDD,NFD",
            "--due",
            "2026-02-25",
        ],
    );
    dfd("2026-02-03", &["round", "send", "latest"]);
    dfd(
        "2026-02-27",
        &[
            "respond",
            "latest",
            "--from",
            "FIN",
            "--position",
            "no-comments",
        ],
    );
    // --out belongs to the page.
    let r = env.run_in("demo/dfd", &["status", "--out", "s.html"]);
    assert_eq!(r.code, 2, "a usage error: {}", r.stderr);
    assert!(r.stderr.contains("--format html"), "{}", r.stderr);
    env.run_in(
        "demo/dfd",
        &[
            "--now",
            "2026-02-27",
            "status",
            "--format",
            "html",
            "--out",
            "../status.html",
        ],
    )
    .ok();
    let html = std::fs::read_to_string(env.path("demo/status.html")).expect("page");
    // A valid HTML5 page (the SVG inline) in the case's language.
    let page = crate::common::html::Page::parse(&html);
    assert_eq!(page.lang(), Some("nb"));
    let timeline = page.with_class("timeline");
    assert_eq!(timeline.len(), 1, "{html}");
    assert_eq!(page.tag(timeline[0]), "svg");
    assert_eq!(
        page.elements_in(timeline[0], "circle")
            .into_iter()
            .filter(|&n| page.attr(n, "data-party") == Some("FIN"))
            .count(),
        2,
        "FIN answered both rounds, on time and late"
    );
    assert!(
        html.starts_with("<!DOCTYPE html>\n<html lang=\"nb\">"),
        "{html}"
    );
    assert!(
        html.contains("<h1>Status per 27. februar 2026</h1>"),
        "{html}"
    );
    assert!(
        html.contains("<dt>Saksnummer</dt><dd>24/3095</dd>"),
        "{html}"
    );
    assert!(html.contains("data-phase=\"approved\""), "{html}");
    // The late answer and the overdue milestone, by their elements.
    assert_eq!(
        marks(&html, "answer late", "data-party=\"FIN\"").len(),
        1,
        "{html}"
    );
    let overdue = marks(&html, "milestone overdue", "data-id=\"lansering\"");
    assert_eq!(overdue.len(), 1, "{html}");
    assert!(
        overdue[0].contains("data-due=\"2026-02-20\""),
        "{}",
        overdue[0]
    );
    // Met milestones are marked done; answers on time and missing ones are there too.
    assert_eq!(
        marks(&html, "milestone done", "data-id=\"forslag-dfd\"").len(),
        1
    );
    assert!(!marks(&html, "answer on-time", "data-party=\"FIN\"").is_empty());
    let missing = marks(&html, "answer missing", "data-party=");
    assert!(!missing.is_empty(), "{html}");
    // A missing answer sits at the party's deadline: the round's, NFD's extended one,
    // the second round's.
    let at = |party: &str, round_due: &str| {
        missing.iter().any(|m| {
            m.contains(&format!("data-party=\"{party}\""))
                && m.contains(&format!("data-date=\"{round_due}\""))
        })
    };
    assert!(at("AID", "2026-01-09"), "{missing:?}");
    assert!(at("NFD", "2026-01-16"), "{missing:?}");
    assert!(at("KDD", "2026-02-25"), "{missing:?}");
    assert_eq!(missing.len(), 14, "{missing:?}");
    // Every recipient of both rounds has a mark (16 in the first, 3 in the second).
    let per_party = marks(&html, "answer ", "data-round=");
    assert_eq!(per_party.len(), 19, "{per_party:?}");
    // The approval and the hand-in are on the versions lane; today is drawn.
    assert_eq!(marks(&html, "approval", "data-version=\"v2\"").len(), 1);
    assert_eq!(marks(&html, "submission", "data-version=\"v1\"").len(), 1);
    assert_eq!(marks(&html, "today", "data-date=\"2026-02-27\"").len(), 1);
    // Outside text is escaped; the tables name the late answer and the deadline.
    assert!(!html.contains("<script>x"), "{html}");
    assert!(html.contains("Lansering &lt;script&gt;x&lt;/script&gt;"));
    assert!(
        html.contains("<td class=\"late\">svart for sent</td>"),
        "{html}"
    );
    assert!(
        html.contains("<td class=\"overdue\">over fristen</td>"),
        "{html}"
    );
    // The text status is unchanged by all this.
    let text = env
        .run_in("demo/dfd", &["--now", "2026-02-27", "status"])
        .ok()
        .stdout;
    assert!(text.contains("Phase"), "{text}");
}
