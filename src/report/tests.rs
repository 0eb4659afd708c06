//! Renderer tests on a hand-made matrix: escaping, CSV quoting and formula prefixes,
//! labels per language.

use super::render::{csv_field, md_cell};
use super::*;
use crate::model::Lang;

fn matrix(lang: Lang) -> Matrix {
    let labels = Labels::of(lang);
    Matrix {
        lang,
        labels,
        round: "r1234567".into(),
        title: format!("{}: KI <strategi>", labels.title),
        facts: vec![(labels.round.into(), "Framlegging (r1234567)".into())],
        summary: "1 of 1 answered; 0 with no comments; not answered: none.".into(),
        positions: vec![PositionRow {
            party: "FIN".into(),
            name: "Finans | departementet".into(),
            position: "comments".into(),
            answered: "2025-12-15".into(),
            late: false,
            comments: 1,
        }],
        groups: vec![Group {
            section: Some("mal".into()),
            title: "2 Mål".into(),
            rows: vec![Row {
                id: "c7654321".into(),
                party: "FIN".into(),
                party_name: "Finans | departementet".into(),
                position_key: "comments".into(),
                quote: "<script>alert(1)</script>".into(),
                text: "=HYPERLINK(\"x\")\nsecond line".into(),
                proposal: "-1 krone, sier \"vi\"".into(),
                decided: false,
                decision: labels.open.into(),
                decision_key: String::new(),
                reasoning: String::new(),
                decided_by: String::new(),
                decided_at: String::new(),
                due: "2026-05-26".into(),
                due_moved: "moved from 2026-05-25, Whit Monday".into(),
            }],
        }],
    }
}

#[test]
fn csv_fields_are_quoted_and_formulas_neutralised() {
    assert_eq!(csv_field("plain"), "plain");
    assert_eq!(csv_field("a, b"), "\"a, b\"");
    assert_eq!(csv_field("a; b"), "\"a; b\"");
    assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
    assert_eq!(csv_field("-1"), "'-1");
    assert_eq!(csv_field("+1"), "'+1");
    assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
    assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
}

#[test]
fn markdown_cells_cannot_break_the_table_or_inject_html() {
    assert_eq!(md_cell("a | b"), "a \\| b");
    assert_eq!(
        md_cell("<script>x</script>"),
        "&lt;script&gt;x&lt;/script&gt;"
    );
    assert_eq!(md_cell("one\ntwo"), "one<br>two");
    assert_eq!(md_cell("one\r\ntwo"), "one<br>two");
}

#[test]
fn markdown_escapes_every_outside_cell() {
    let md = markdown(&matrix(Lang::En));
    assert!(
        md.starts_with("# Consultation report: KI &lt;strategi&gt;\n\n"),
        "{md}"
    );
    assert!(
        md.contains("| FIN | Finans \\| departementet | comments | 2025-12-15 | 1 |\n"),
        "{md}"
    );
    assert!(md.contains("\n### 2 Mål\n\n| # | Party | Quote | Comment | Proposed change | Decision | Reasoning |\n|---|---|---|---|---|---|---|\n"), "{md}");
    assert!(md.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{md}");
    assert!(
        md.contains("=HYPERLINK(&quot;x&quot;)<br>second line"),
        "{md}"
    );
    assert!(!md.contains("<script>"), "{md}");
}

#[test]
fn html_escapes_and_marks_open_decisions() {
    let page = html(&matrix(Lang::Nb));
    assert!(
        page.starts_with("<!DOCTYPE html>\n<html lang=\"nb\">\n"),
        "{page}"
    );
    assert!(
        page.contains("<title>Høringsnotat: KI &lt;strategi&gt;</title>"),
        "{page}"
    );
    assert!(!page.contains("<script>"), "{page}");
    assert!(
        page.contains("<td><q>&lt;script&gt;alert(1)&lt;/script&gt;</q></td>"),
        "{page}"
    );
    assert!(
        page.contains("=HYPERLINK(&quot;x&quot;)<br>\nsecond line"),
        "{page}"
    );
    assert!(
        page.contains("<td class=\"open\">ikke vurdert</td>"),
        "{page}"
    );
    assert!(page.ends_with("</table>\n</body>\n</html>\n"), "{page}");
}

#[test]
fn csv_has_one_crlf_line_per_comment_with_formulas_prefixed() {
    let text = csv(&matrix(Lang::En), CsvSeparator::Comma);
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(lines.len(), 3, "{text:?}");
    assert!(
        lines[0].starts_with("\u{feff}round,comment,section,"),
        "{text:?}"
    );
    assert_eq!(
        lines[1],
        "r1234567,c7654321,mal,2 Mål,FIN,Finans | departementet,comments,<script>alert(1)</script>,\"'=HYPERLINK(\"\"x\"\")\nsecond line\",\"'-1 krone, sier \"\"vi\"\"\",,,,,2026-05-26,\"moved from 2026-05-25, Whit Monday\""
    );
    assert!(
        lines[0].ends_with(",decided_by,decided_at,party_due,party_due_moved"),
        "{text:?}"
    );
    assert_eq!(lines[2], "");
}

#[test]
fn excel_csv_starts_with_a_bom_and_separates_by_semicolon_with_the_same_quoting() {
    let text = csv(&matrix(Lang::Nb), CsvSeparator::Semicolon);
    assert!(text.starts_with('\u{feff}'), "{text:?}");
    assert_eq!(text.matches('\u{feff}').count(), 1, "{text:?}");
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').split("\r\n").collect();
    assert_eq!(lines.len(), 3, "{text:?}");
    assert!(
        lines[0].starts_with("round;comment;section;section_title;"),
        "{text:?}"
    );
    assert!(!lines[0].contains(','), "{text:?}");
    // A field with a comma needs no quotes under `;`, but is quoted all the same (the
    // quoting is the same for both separators); formulas stay neutralised.
    assert_eq!(
        lines[1],
        "r1234567;c7654321;mal;2 Mål;FIN;Finans | departementet;comments;<script>alert(1)</script>;\"'=HYPERLINK(\"\"x\"\")\nsecond line\";\"'-1 krone, sier \"\"vi\"\"\";;;;;2026-05-26;\"moved from 2026-05-25, Whit Monday\""
    );
}

#[test]
fn labels_follow_the_language() {
    assert_eq!(Labels::of(Lang::Nb).title, "Høringsnotat");
    assert_eq!(Labels::of(Lang::Nn).title, "Høyringsnotat");
    assert_eq!(Labels::of(Lang::En).title, "Consultation report");
    assert_eq!(Labels::of(Lang::Da), Labels::of(Lang::Nb));
    assert_eq!(Labels::of(Lang::Nn).reasoning, "Grunngiving");
    assert_eq!(Labels::of(Lang::Nb).reasoning, "Begrunnelse");
    let md = markdown(&matrix(Lang::Nn));
    assert!(md.contains("\n## Standpunkt\n"), "{md}");
    assert!(md.contains("\n## Merknader og vurderingar\n"), "{md}");
    assert!(
        md.contains(
            "| # | Part | Sitat | Merknad | Forslag til endring | Vurdering | Grunngiving |"
        ),
        "{md}"
    );
}

#[test]
fn a_late_answer_is_marked_in_each_language_by_the_replys_own_oslo_day() {
    use crate::consultation::{PartyState, PartyStatus};
    use jiff::civil::date;
    let state = |late: bool| PartyState {
        party: "FIN".parse().expect("code"),
        due: date(2025, 12, 20),
        effective_due: date(2025, 12, 22),
        due_moved: None,
        extended: false,
        status: PartyStatus::Answered,
        sent: None,
        first_sent: None,
        reminders: Vec::new(),
        position: Some(crate::consultation::Position::NoComments),
        answered: Some("2026-01-05T10:00:00Z".parse().expect("t")),
        // 00:30 on 24 December in Oslo, 23:30 on the 23rd in UTC.
        received: Some("2025-12-23T23:30:00Z".parse().expect("t")),
        late,
        history: Vec::new(),
    };
    let cell = |lang, late| answered_cell(&Labels::of(lang), &state(late));
    assert_eq!(cell(Lang::En, true), "2025-12-24 (late, due 2025-12-22)");
    assert_eq!(
        cell(Lang::Nb, true),
        "2025-12-24 (for sent, frist 2025-12-22)"
    );
    assert_eq!(
        cell(Lang::Nn, true),
        "2025-12-24 (for seint, frist 2025-12-22)"
    );
    assert_eq!(cell(Lang::Nb, false), "2025-12-24");
    let mut none = state(false);
    none.position = None;
    assert_eq!(answered_cell(&Labels::of(Lang::En), &none), "");
}
