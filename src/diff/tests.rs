use std::time::Duration;

use super::*;
use crate::document::Document;

fn d(text: &str) -> Document {
    Document::from_text("strategi.md", text)
}

fn opts() -> DiffOptions {
    DiffOptions {
        deadline: None,
        ..DiffOptions::default()
    }
}

fn run(a: &str, b: &str) -> (Document, Document, DocumentDiff) {
    let (x, y) = (d(a), d(b));
    let diff = diff_documents(&x, &y, &opts());
    let rebuilt = apply(&x, &diff).expect("diff applies");
    assert_eq!(rebuilt, outline(&y), "apply(FROM, diff) == TO");
    (x, y, diff)
}

fn status_of<'a>(diff: &'a DocumentDiff, id: &str) -> &'a SectionDiff {
    diff.sections
        .iter()
        .find(|s| s.id == id)
        .expect("section in diff")
}

const BASE: &str = "# Strategi {#strategi}\n\n## Mål {#mal}\n\nVi skal styrke kompetansen.\n\n## Tiltak {#tiltak}\n\nFørste tiltak.\n\nAndre tiltak.\n\n## Økonomi {#okonomi}\n\nKostnader.\n";

#[test]
fn unchanged_document_has_no_changes() {
    let (_, _, diff) = run(BASE, BASE);
    assert!(!diff.has_changes());
    assert!(
        diff.sections
            .iter()
            .all(|s| s.status == SectionStatus::Unchanged && s.paragraphs.is_empty())
    );
    assert_eq!(diff.summary.unchanged, 4);
    assert_eq!(render_text(&diff, false), "No changes.\n");
}

#[test]
fn changed_section_has_word_ops() {
    let b = BASE.replace(
        "Vi skal styrke kompetansen.",
        "Vi skal forsterke kompetansen betydelig.",
    );
    let (_, _, diff) = run(BASE, &b);
    let s = status_of(&diff, "mal");
    assert_eq!(s.status, SectionStatus::Changed);
    assert!(s.content_changed && !s.moved && !s.renamed);
    assert_eq!((s.words_added, s.words_removed), (2, 1));
    let p = &s.paragraphs[0];
    assert_eq!(p.status, ParagraphStatus::Changed);
    let kinds: Vec<(OpKind, &str, &str)> = p
        .ops
        .iter()
        .map(|o| (o.kind, o.old_text.as_str(), o.new_text.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            (OpKind::Equal, "Vi skal", "Vi skal"),
            (OpKind::Replace, " styrke", " forsterke"),
            (OpKind::Equal, " kompetansen", " kompetansen"),
            (OpKind::Insert, "", " betydelig"),
            (OpKind::Equal, ".", "."),
        ]
    );
    assert_eq!((p.ops[3].old_offset, p.ops[3].new_offset), (26, 29));
    assert_eq!(status_of(&diff, "tiltak").status, SectionStatus::Unchanged);
    assert_eq!(
        render_text(&diff, false),
        "~ changed  1 Mål (#mal)\n  ¶ 1 changed (line 5)\n    Vi skal [-styrke-]{+forsterke+} kompetansen {+betydelig+}.\n1 changed, 0 added, 0 removed, 0 moved, 0 renamed; 2 words added, 1 words removed\n"
    );
}

#[test]
fn added_and_removed_sections() {
    let b = BASE.replace(
        "## Økonomi {#okonomi}\n\nKostnader.\n",
        "## Risiko\n\nNy risiko her.\n",
    );
    let (_, _, diff) = run(BASE, &b);
    let added = status_of(&diff, "risiko");
    assert_eq!(added.status, SectionStatus::Added);
    assert_eq!(added.words_added, 3);
    assert_eq!(added.paragraphs[0].status, ParagraphStatus::Inserted);
    let removed = status_of(&diff, "okonomi");
    assert_eq!(removed.status, SectionStatus::Removed);
    assert_eq!((removed.old_index, removed.new_index), (Some(3), None));
    assert_eq!(removed.paragraphs[0].ops[0].old_text, "Kostnader.");
    // Reading order: the removed section comes after its old predecessor.
    let order: Vec<&str> = diff.sections.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(order, ["strategi", "mal", "tiltak", "okonomi", "risiko"]);
}

#[test]
fn moved_section() {
    let b = "# Strategi {#strategi}\n\n## Økonomi {#okonomi}\n\nKostnader.\n\n## Mål {#mal}\n\nVi skal styrke kompetansen.\n\n## Tiltak {#tiltak}\n\nFørste tiltak.\n\nAndre tiltak.\n";
    let (_, _, diff) = run(BASE, b);
    assert_eq!(status_of(&diff, "okonomi").status, SectionStatus::Moved);
    assert_eq!(status_of(&diff, "mal").status, SectionStatus::Unchanged);
    assert_eq!(status_of(&diff, "tiltak").status, SectionStatus::Unchanged);
    assert_eq!(diff.summary.moved, 1);
}

#[test]
fn moving_a_subsection_to_another_parent_is_a_move() {
    let a = "# A\n## A1\nx\n## A2\ny\n# B\n## B1\nz\n";
    let b = "# A\n## A1\nx\n# B\n## A2\ny\n## B1\nz\n";
    let (_, _, diff) = run(a, b);
    let moved: Vec<&str> = diff
        .sections
        .iter()
        .filter(|s| s.moved)
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(moved, ["a2"]);
}

#[test]
fn renamed_section_with_explicit_id() {
    let b = BASE.replace("## Mål {#mal}", "## Mål og ambisjoner {#mal}");
    let (_, _, diff) = run(BASE, &b);
    let s = status_of(&diff, "mal");
    assert_eq!(s.status, SectionStatus::Renamed);
    assert!(s.renamed && !s.content_changed && s.old_id.is_none());
    assert_eq!(s.old_title.as_deref(), Some("Mål"));
    assert!(
        render_text(&diff, false)
            .contains("* renamed  1 Mål og ambisjoner (#mal) [renamed from \"Mål\"]")
    );
}

#[test]
fn renamed_heading_without_explicit_id_is_paired_by_content() {
    let a = "# Innledning\n\nEtt.\n\nTo.\n\n# Slutt\n\nTre.\n";
    let b = "# Bakgrunn\n\nEtt.\n\nTo.\n\n# Slutt\n\nTre.\n";
    let (_, _, diff) = run(a, b);
    let s = status_of(&diff, "bakgrunn");
    assert_eq!(s.status, SectionStatus::Renamed);
    assert_eq!(s.old_id.as_deref(), Some("innledning"));
    assert_eq!(diff.sections.len(), 2);
}

#[test]
fn moved_renamed_and_changed_at_once() {
    let b = "# Strategi {#strategi}\n\n## Økonomi og finans {#okonomi}\n\nKostnader og inntekter.\n\n## Mål {#mal}\n\nVi skal styrke kompetansen.\n\n## Tiltak {#tiltak}\n\nFørste tiltak.\n\nAndre tiltak.\n";
    let (_, _, diff) = run(BASE, b);
    let s = status_of(&diff, "okonomi");
    assert_eq!(s.status, SectionStatus::Changed);
    assert!(s.moved && s.renamed && s.content_changed && !s.level_changed);
    let json = render_json(&diff);
    assert!(json.contains(
        "\"status\":\"changed\",\"moved\":true,\"renamed\":true,\"content_changed\":true"
    ));
}

#[test]
fn level_change_is_a_change() {
    let b = BASE.replace("## Tiltak {#tiltak}", "### Tiltak {#tiltak}");
    let (_, _, diff) = run(BASE, &b);
    let s = status_of(&diff, "tiltak");
    assert_eq!(s.status, SectionStatus::Changed);
    assert!(s.level_changed && !s.content_changed);
}

#[test]
fn rewrapped_document_has_no_changes() {
    let a = "# Mål\n\nRegjeringen vil styrke digital kompetanse i hele offentlig sektor, og sørge for at\nalle ansatte får opplæring innen 2030.\n\nKort avsnitt.\n";
    let b = "# Mål\n\nRegjeringen vil styrke digital\nkompetanse i hele offentlig sektor,\n   og sørge for at alle ansatte\tfår\nopplæring  innen 2030.   \n\n\n\nKort\navsnitt.\n";
    let (_, _, diff) = run(a, b);
    assert!(!diff.has_changes(), "{}", render_text(&diff, false));
    assert!(diff.sections.iter().all(|s| s.paragraphs.is_empty()));
}

#[test]
fn punctuation_is_tokenized_separately() {
    let (_, _, diff) = run(
        "# A\n\nMål, tiltak og økonomi.\n",
        "# A\n\nMål; tiltak og økonomi!\n",
    );
    let p = &status_of(&diff, "a").paragraphs[0];
    let changes: Vec<(&str, &str)> = p
        .ops
        .iter()
        .filter(|o| o.kind != OpKind::Equal)
        .map(|o| (o.old_text.as_str(), o.new_text.as_str()))
        .collect();
    assert_eq!(changes, [(",", ";"), (".", "!")]);
    assert_eq!(status_of(&diff, "a").words_added, 0);
}

#[test]
fn insert_and_delete_at_paragraph_start() {
    let (_, _, diff) = run("# A\n\nen to tre\n", "# A\n\nnull en to tre\n");
    let ops = &status_of(&diff, "a").paragraphs[0].ops;
    assert_eq!(
        (ops[0].kind, ops[0].new_text.as_str()),
        (OpKind::Insert, "null ")
    );
    assert_eq!(
        render_markdown(&diff).lines().nth(2),
        Some("{++null++} en to tre")
    );
    let (_, _, diff) = run("# A\n\nen to tre\n", "# A\n\nto tre\n");
    let ops = &status_of(&diff, "a").paragraphs[0].ops;
    assert_eq!(
        (ops[0].kind, ops[0].old_text.as_str()),
        (OpKind::Delete, "en ")
    );
}

#[test]
fn paragraph_insert_delete_and_rewrite() {
    let a = "# A\n\nFørste avsnitt om mål.\n\nAndre avsnitt om tiltak.\n\nTredje avsnitt.\n";
    let b = "# A\n\nFørste avsnitt om mål.\n\nHelt nytt innhold uten likhet.\n\nTredje avsnitt.\n\nFjerde.\n";
    let (_, _, diff) = run(a, b);
    let st: Vec<ParagraphStatus> = status_of(&diff, "a")
        .paragraphs
        .iter()
        .map(|p| p.status)
        .collect();
    use ParagraphStatus::*;
    assert_eq!(st, [Equal, Changed, Equal, Inserted]);
    // A rewrite with nothing in common is one replace op, not a word salad.
    assert_eq!(status_of(&diff, "a").paragraphs[1].ops.len(), 1);
}

#[test]
fn critic_markup_rendering() {
    let b = BASE
        .replace(
            "Vi skal styrke kompetansen.",
            "Vi skal forsterke kompetansen.",
        )
        .replace("Andre tiltak.\n", "Andre tiltak.\n\nTredje tiltak.\n")
        .replace("Første tiltak.\n\n", "");
    let (_, _, diff) = run(BASE, &b);
    let md = render_markdown(&diff);
    assert!(
        md.contains("## Mål\n\nVi skal {~~styrke~>forsterke~~} kompetansen.\n"),
        "{md}"
    );
    assert!(md.contains("{--Første tiltak.--}"), "{md}");
    assert!(md.contains("{++Tredje tiltak.++}"), "{md}");
    assert!(md.contains("{>>1 unchanged paragraph(s)<<}"), "{md}");
}

#[test]
fn html_escapes_everything_and_has_toc() {
    let a = "# A <b>&\n\nTekst.\n";
    let b = "# A <b>&\n\nTekst <script>alert('x')</script> \"q\".\n";
    let (_, _, diff) = run(a, b);
    let page = DiffPage {
        title: "Diff <v1> & v2".to_string(),
        ..DiffPage::default()
    };
    let html = render_html(&diff, &page);
    assert!(!html.contains("<script>"));
    assert!(!html.contains("<b>"));
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(html.contains("<title>Diff &lt;v1&gt; &amp; v2: "), "{html}");
    assert!(html.contains("<ins>"));
    assert!(html.contains("<a href=\"#s-a-b\">"));
    assert!(html.contains("id=\"s-a-b\""));
    assert!(html.starts_with("<!DOCTYPE html>"));
}

#[test]
fn text_colour_and_control_characters() {
    let (_, _, diff) = run(
        "# A\n\nen to tre fire fem\n",
        "# A\n\nen to seks\u{1b}[2J fire fem\n",
    );
    let plain = render_text(&diff, false);
    assert!(!plain.contains('\u{1b}'));
    assert!(
        plain.contains("en to [-tre-]{+seks\u{fffd}[2J+} fire"),
        "{plain}"
    );
    let color = render_text(&diff, true);
    assert!(color.contains("\u{1b}[31;9m[-tre-]\u{1b}[0m"), "{color}");
    assert!(color.contains("\u{1b}[32;4m{+"), "{color}");
}

#[test]
fn stat_lists_words_per_section() {
    let b = BASE.replace("Kostnader.", "Kostnader og inntekter.");
    let (_, _, diff) = run(BASE, &b);
    assert_eq!(
        render_stat(&diff),
        "~ 3 Økonomi (#okonomi) | changed  +2 -0\n1 changed, 0 added, 0 removed, 0 moved, 0 renamed; 2 words added, 0 words removed\n"
    );
}

#[test]
fn section_filter_limits_output() {
    let b = BASE
        .replace("Kostnader.", "Kostnader og inntekter.")
        .replace("Første", "1.");
    let (x, y) = (d(BASE), d(&b));
    let o = DiffOptions {
        section: Some("okonomi".into()),
        ..opts()
    };
    let diff = diff_documents(&x, &y, &o);
    assert_eq!(diff.sections.len(), 1);
    assert_eq!(diff.summary.changed, 1);
    assert!(matches!(apply(&x, &diff), Err(ApplyError::Filtered(_))));
    let o = DiffOptions {
        section: Some("finnes-ikke".into()),
        ..opts()
    };
    assert!(diff_documents(&x, &y, &o).sections.is_empty());
}

#[test]
fn zero_deadline_replaces_paragraphs_whole_and_still_applies() {
    let b = BASE.replace(
        "Vi skal styrke kompetansen.",
        "Vi skal forsterke kompetansen.",
    );
    let (x, y) = (d(BASE), d(&b));
    let o = DiffOptions {
        deadline: Some(Duration::ZERO),
        ..DiffOptions::default()
    };
    let diff = diff_documents(&x, &y, &o);
    assert!(diff.summary.deadline_reached);
    let p = &status_of(&diff, "mal").paragraphs[0];
    assert_eq!(p.ops.len(), 1);
    assert_eq!(p.ops[0].kind, OpKind::Replace);
    assert_eq!(apply(&x, &diff).expect("applies"), outline(&y));
}

#[test]
fn full_text_carries_unchanged_paragraphs() {
    let (x, y) = (d(BASE), d(BASE));
    let o = DiffOptions {
        full_text: true,
        ..opts()
    };
    let diff = diff_documents(&x, &y, &o);
    assert_eq!(status_of(&diff, "tiltak").paragraphs.len(), 2);
    assert_eq!(apply(&x, &diff).expect("applies"), outline(&y));
    let md = render_markdown(&diff);
    assert!(
        md.starts_with("# Strategi\n\n## Mål\n\nVi skal styrke kompetansen.\n"),
        "{md}"
    );
}

#[test]
fn two_plain_files_share_preamble_ids() {
    let a = SourceFile::new("v1/strategi.md", "Forord.\n\n# A\n");
    let b = SourceFile::new("v2/utkast.md", "Forord, endret.\n\n# A\n");
    let diff = diff_files(&a, &b, &opts());
    let s = &diff.sections[0];
    assert_eq!(s.status, SectionStatus::Changed);
    assert_eq!(s.old_file.as_deref(), Some("v1/strategi.md"));
    assert_eq!(s.new_file.as_deref(), Some("v2/utkast.md"));
}

#[test]
fn json_shape_is_stable() {
    let (_, _, diff) = run(BASE, &BASE.replace("Kostnader.", "Utgifter."));
    let v: serde_json::Value = serde_json::from_str(&render_json(&diff)).expect("valid JSON");
    let keys = |v: &serde_json::Value| -> Vec<String> {
        v.as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    };
    let json = render_json(&diff);
    assert!(json.starts_with(
        "{\"format_version\":1,\"section_filter\":null,\"full_text\":false,\"summary\":{"
    ));
    assert_eq!(
        keys(&v),
        [
            "format_version",
            "full_text",
            "section_filter",
            "sections",
            "summary",
            "warnings"
        ]
    );
    let s = &v["sections"][3];
    assert_eq!(s["id"], "okonomi");
    assert_eq!(s["paragraphs"][0]["ops"][0]["kind"], "replace");
    assert_eq!(
        keys(&s["paragraphs"][0]["ops"][0]),
        ["kind", "new_offset", "new_text", "old_offset", "old_text"]
    );
}

#[test]
fn same_length_same_ends_different_middle_is_a_change() {
    let head = "Dette er en lang innledning som er lik i begge versjonene av avsnittet";
    let tail = "og dette er en lang avslutning som også er lik i begge versjonene.";
    let a = format!("# A\n\n{head} alfa {tail}\n");
    let b = format!("# A\n\n{head} omega {tail}\n");
    let (_, _, diff) = run(&a, &b);
    let p = &status_of(&diff, "a").paragraphs[0];
    let changes: Vec<(&str, &str)> = p
        .ops
        .iter()
        .filter(|o| o.kind != OpKind::Equal)
        .map(|o| (o.old_text.as_str(), o.new_text.as_str()))
        .collect();
    assert_eq!(changes, [(" alfa", " omega")]);
}

#[test]
fn diff_does_not_need_section_markdown() {
    let (a, b) = (BASE, BASE.replace("Kostnader.", "Utgifter."));
    let lean = (
        Document::from_text_without_markdown("s.md", a),
        Document::from_text_without_markdown("s.md", &b),
    );
    assert!(lean.0.sections.iter().all(|s| s.markdown.is_empty()));
    let full = (d(a), d(&b));
    assert_eq!(
        lean.0
            .sections
            .iter()
            .map(|s| &s.paragraphs)
            .collect::<Vec<_>>(),
        full.0
            .sections
            .iter()
            .map(|s| &s.paragraphs)
            .collect::<Vec<_>>()
    );
    let x = diff_documents(&lean.0, &lean.1, &opts());
    let y = diff_documents(&full.0, &full.1, &opts());
    assert_eq!(
        render_json(&x),
        render_json(&y).replace("strategi.md", "s.md")
    );
}

fn big_document(paragraphs: usize, seed: u64) -> String {
    const WORDS: &[&str] = &[
        "mål",
        "tiltak",
        "økonomi",
        "forvaltning",
        "kompetanse",
        "digital",
        "og",
        "i",
        "på",
        "skal",
        "være",
        "blåbær",
        "ærlig",
        "sektor",
        "kommune",
        "samfunn",
        "2030",
        "første",
    ];
    let mut x = seed;
    let mut next = move || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 33) as usize
    };
    let mut out = String::from("# Strategi\n\n");
    for p in 0..paragraphs {
        if p % 12 == 0 {
            out.push_str(&format!("## Kapittel {p}\n\n"));
        }
        for w in 0..60 {
            out.push_str(WORDS[next() % WORDS.len()]);
            out.push_str(if w % 12 == 11 { ".\n" } else { " " });
        }
        out.push_str("\n\n");
    }
    out
}

#[test]
fn large_documents_round_trip() {
    let a = big_document(1200, 1);
    let mut b = String::with_capacity(a.len());
    for (k, para) in a.split("\n\n").enumerate() {
        let para = match k % 97 {
            5 => para.replacen("mål", "visjon", 1),
            17 => continue,
            31 => para.replace('\n', " "),
            _ => para.to_string(),
        };
        b.push_str(&para);
        b.push_str("\n\n");
    }
    let (_, _, diff) = run(&a, &b);
    assert!(diff.summary.paragraphs_deleted > 5);
    assert!(diff.summary.paragraphs_changed > 5);
    assert!(!diff.summary.deadline_reached);
}

#[test]
fn huge_unlike_paragraphs_finish_within_the_budget() {
    // Two different 40,000-word paragraphs over the same small vocabulary: the worst
    // case for a word diff.
    let a = big_document(700, 7).replace("\n\n", " ").replace("## ", "");
    let b = big_document(700, 8).replace("\n\n", " ").replace("## ", "");
    let (x, y) = (d(&format!("# A\n\n{a}\n")), d(&format!("# A\n\n{b}\n")));
    let o = DiffOptions {
        deadline: Some(Duration::from_millis(100)),
        ..DiffOptions::default()
    };
    let started = std::time::Instant::now();
    let diff = diff_documents(&x, &y, &o);
    // Generous: debug builds and a busy machine.
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(apply(&x, &diff).expect("applies"), outline(&y));
}
