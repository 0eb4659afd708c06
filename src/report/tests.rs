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
        title: format!("{}: KI <strategi>", labels.title_hoyring),
        date: jiff::civil::date(2025, 12, 2),
        author: "Digitaliserings- og <forvaltnings>departementet".into(),
        facts: vec![
            (labels.case_number.into(), "24/3095".into()),
            (labels.round.into(), "Framlegging (r1234567)".into()),
        ],
        summary: "1 of 1 answered; 0 with no comments; not answered: none.".into(),
        positions: vec![PositionRow {
            party: "FIN".into(),
            name: "Finans | departementet".into(),
            position: "comments".into(),
            answered: "2025-12-15".into(),
            late: false,
            comments: 1,
        }],
        respondents: Vec::new(),
        legend: vec![
            ("tatt til følge".into(), "Teksten er endret <helt>.".into()),
            (labels.open.into(), labels.open_meaning.into()),
        ],
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
        md.starts_with("# Summary of consultation responses: KI &lt;strategi&gt;\n\n- **Case number:** 24/3095\n"),
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
        page.contains("<title>Oppsummering av høringsinnspill: KI &lt;strategi&gt;</title>"),
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
    assert!(
        page.contains("<dt>Saksnummer</dt><dd>24/3095</dd>"),
        "{page}"
    );
    assert!(
        page.contains("<dt>tatt til følge</dt><dd>Teksten er endret &lt;helt&gt;.</dd>"),
        "{page}"
    );
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
    assert_eq!(Labels::of(Lang::Da), Labels::of(Lang::Nb));
    assert_eq!(Labels::of(Lang::Nn).reasoning, "Grunngiving");
    assert_eq!(Labels::of(Lang::Nb).reasoning, "Begrunnelse");
    assert_eq!(Labels::of(Lang::Nb).name, "Navn");
    assert_eq!(Labels::of(Lang::Nn).name, "Namn");
    assert_eq!(Labels::of(Lang::En).name, "Name");
    let md = markdown(&matrix(Lang::Nn));
    assert!(md.contains("\n## Standpunkt\n"), "{md}");
    assert!(md.contains("\n## Merknader og vurderingar\n"), "{md}");
    assert!(
        md.contains("| Part | Namn | Standpunkt | Svart | Merknader |"),
        "{md}"
    );
    assert!(md.contains("**Forklaring til vurderingane:**"), "{md}");
    assert!(
        md.contains(
            "| # | Part | Sitat | Merknad | Forslag til endring | Vurdering | Grunngiving |"
        ),
        "{md}"
    );
}

/// The title names a summary of the answers by the round's kind, never the
/// "høringsnotat" (the paper sent out), in each language.
#[test]
fn the_title_is_a_summary_of_answers_by_the_rounds_kind() {
    use crate::calendar::ConsultationKind as K;
    let title = |lang, kind| Labels::of(lang).title(kind);
    assert_eq!(
        title(Lang::Nb, K::Framlegging),
        "Oppsummering av innspill til foreleggelse"
    );
    assert_eq!(
        title(Lang::Nb, K::Hoyring),
        "Oppsummering av høringsinnspill"
    );
    assert_eq!(title(Lang::Nb, K::Innspill), "Oppsummering av innspill");
    assert_eq!(
        title(Lang::Nn, K::Framlegging),
        "Oppsummering av innspel til framlegging"
    );
    assert_eq!(
        title(Lang::Nn, K::Hoyring),
        "Oppsummering av høyringsinnspel"
    );
    assert_eq!(title(Lang::Nn, K::Innspill), "Oppsummering av innspel");
    assert_eq!(
        title(Lang::En, K::Hoyring),
        "Summary of consultation responses"
    );
    assert_eq!(
        title(Lang::En, K::Framlegging),
        "Summary of responses to the interministerial review"
    );
    for lang in [Lang::Nb, Lang::Nn, Lang::En, Lang::Da] {
        for kind in K::ALL {
            let t = title(lang, kind).to_lowercase();
            assert!(!t.contains("notat") && !t.contains("report"), "{t}");
        }
    }
}

/// The legend explains every decision term the matrix can show, in each language,
/// with the same words the decision column uses.
#[test]
fn every_decision_term_has_a_meaning_in_each_language() {
    use crate::consultation::Decision;
    for lang in [Lang::Nb, Lang::Nn, Lang::En] {
        let mut seen = std::collections::BTreeSet::new();
        for d in Decision::ALL {
            let meaning = decision_meaning(d, lang);
            assert!(meaning.ends_with('.'), "{meaning}");
            assert!(seen.insert(meaning), "two decisions share {meaning:?}");
        }
    }
    assert_eq!(
        decision_meaning(Decision::Rejected, Lang::Nn),
        "Teksten er ikkje endra; grunngivinga seier kvifor."
    );
}

/// One table for the whole matrix: fixed column widths, the header in a <thead> that
/// repeats on each printed page, a body per section with its title spanning every
/// column; A4 landscape; the name column has a header.
#[test]
fn html_has_one_table_layout_with_repeated_headers_on_a4_landscape() {
    let mut m = matrix(Lang::Nb);
    let mut second = m.groups[0].clone();
    second.section = Some("tiltak".into());
    second.title = "3 Tiltak".into();
    m.groups.push(second);
    let page = html(&m);
    assert!(page.contains("@page{size:A4 landscape;"), "{page}");
    assert!(page.contains("thead{display:table-header-group}"), "{page}");
    assert!(page.contains("table-layout:fixed"), "{page}");
    assert_eq!(
        page.matches("<table class=\"matrix\">").count(),
        1,
        "{page}"
    );
    assert_eq!(
        page.matches("<thead>").count(),
        2,
        "positions and matrix: {page}"
    );
    assert_eq!(
        page.matches("<tr><th>#</th><th>Part</th><th>Sitat</th>")
            .count(),
        1,
        "{page}"
    );
    assert!(
        page.contains("<colgroup><col style=\"width:8%\"><col style=\"width:6%\">"),
        "{page}"
    );
    assert!(
        page.contains("<tbody>\n<tr><th colspan=\"7\" scope=\"colgroup\">2 Mål</th></tr>"),
        "{page}"
    );
    assert!(
        page.contains("<tbody>\n<tr><th colspan=\"7\" scope=\"colgroup\">3 Tiltak</th></tr>"),
        "{page}"
    );
    assert!(
        page.contains("<tr><th>Part</th><th>Navn</th><th>Standpunkt</th>"),
        "{page}"
    );
    for (open, close) in [
        ("<table", "</table>"),
        ("<tbody>", "</tbody>"),
        ("<thead>", "</thead>"),
    ] {
        assert_eq!(
            page.matches(open).count(),
            page.matches(close).count(),
            "{open}"
        );
    }
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
    let cell = |lang, late| answered_cell(lang, &Labels::of(lang), &state(late));
    assert_eq!(
        cell(Lang::En, true),
        "24 December 2025 (late, due 22 December 2025)"
    );
    assert_eq!(
        cell(Lang::Nb, true),
        "24. desember 2025 (for sent, frist 22. desember 2025)"
    );
    assert_eq!(
        cell(Lang::Nn, true),
        "24. desember 2025 (for seint, frist 22. desember 2025)"
    );
    assert_eq!(cell(Lang::Nb, false), "24. desember 2025");
    let mut none = state(false);
    none.position = None;
    assert_eq!(answered_cell(Lang::En, &Labels::of(Lang::En), &none), "");
}

/// The workbook read back: one sheet named in the case's language, the header row of
/// localized column names, one row per comment with its decision and reasoning, every
/// cell text (a comment that looks like a formula stays text).
#[test]
fn xlsx_reads_back_one_row_per_comment_with_decision_and_reasoning() {
    use calamine::{Data, Reader, Xlsx};
    let mut m = matrix(Lang::Nb);
    let mut decided = m.groups[0].rows[0].clone();
    decided.id = "c1111111".into();
    decided.decided = true;
    decided.decision = "delvis tatt til følge".into();
    decided.reasoning = "Et kostnadsanslag er lagt inn.".into();
    m.groups.push(Group {
        section: None,
        title: "Generelle merknader".into(),
        rows: vec![decided],
    });
    let bytes = xlsx(&m).expect("xlsx");
    assert_eq!(
        bytes,
        xlsx(&m).expect("again"),
        "the same matrix, the same bytes"
    );
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("opens");
    assert_eq!(book.sheet_names(), vec!["Merknader".to_string()]);
    let range = book.worksheet_range("Merknader").expect("sheet");
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(
        rows[0],
        [
            "Punkt",
            "#",
            "Part",
            "Navn",
            "Sitat",
            "Merknad",
            "Forslag til endring",
            "Vurdering",
            "Begrunnelse"
        ]
    );
    assert_eq!(rows.len(), 3, "header and one row per comment: {rows:?}");
    assert_eq!(rows[1][0], "2 Mål");
    assert_eq!(rows[1][1], "c7654321");
    assert_eq!(rows[1][4], "<script>alert(1)</script>");
    assert_eq!(rows[1][5], "=HYPERLINK(\"x\")\nsecond line");
    assert_eq!(rows[1][7], "ikke vurdert");
    assert_eq!(rows[1][8], "");
    assert_eq!(
        rows[2][..],
        [
            "Generelle merknader",
            "c1111111",
            "FIN",
            "Finans | departementet",
            "<script>alert(1)</script>",
            "=HYPERLINK(\"x\")\nsecond line",
            "-1 krone, sier \"vi\"",
            "delvis tatt til følge",
            "Et kostnadsanslag er lagt inn."
        ]
    );
    assert!(
        range
            .used_cells()
            .all(|(_, _, c)| matches!(c, Data::String(_) | Data::Empty)),
        "every cell is text"
    );
    let en = xlsx(&matrix(Lang::En)).expect("xlsx");
    let book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(en)).expect("opens");
    assert_eq!(book.sheet_names(), vec!["Comments".to_string()]);
}

/// A cell longer than Excel holds is refused with the comment and the column named,
/// not cut or written broken.
#[test]
fn xlsx_refuses_a_cell_longer_than_excel_holds() {
    let mut m = matrix(Lang::Nb);
    m.groups[0].rows[0].text = "x".repeat(MAX_CELL_CHARS + 1);
    match xlsx(&m) {
        Err(XlsxError::TooLong {
            comment,
            column,
            chars,
        }) => {
            assert_eq!(comment, "c7654321");
            assert_eq!(column, "Merknad");
            assert_eq!(chars, MAX_CELL_CHARS + 1);
        }
        other => panic!("expected TooLong, got {other:?}"),
    }
    m.groups[0].rows[0].text = "x".repeat(MAX_CELL_CHARS);
    assert!(xlsx(&m).is_ok());
}
