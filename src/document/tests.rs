use super::*;

fn doc(text: &str) -> Document {
    Document::from_text("01-innledning.md", text)
}

fn ids(d: &Document) -> Vec<&str> {
    d.sections.iter().map(|s| s.id.as_str()).collect()
}

#[test]
fn slugs_fold_norwegian_and_accented_letters() {
    assert_eq!(slugify("Mål og ambisjoner"), "mal-og-ambisjoner");
    assert_eq!(
        slugify("Ærlig talt: grønn økonomi!"),
        "aerlig-talt-gronn-okonomi"
    );
    assert_eq!(slugify("2.1 Café"), "2-1-cafe");
    assert_eq!(slugify("???"), "section");
    assert_eq!(slugify("ÆRLIG, GRØNN ÅPENHET"), "aerlig-gronn-apenhet");
    assert_eq!(
        slugify("Café für Übung à la Ström"),
        "cafe-fur-ubung-a-la-strom"
    );
    assert_eq!(
        slugify("Sámi: Čoahkkin đ ŋ š ŧ ž"),
        "sami-coahkkin-d-n-s-t-z"
    );
    assert_eq!(slugify("Cafe\u{301} 2.1 -- (x)"), "cafe-2-1-x");
    assert_eq!(slugify("  --Hei__på//deg!!  "), "hei-pa-deg");
    assert_eq!(slugify("Straße"), "strasse");
    assert_eq!(slugify(""), "section");
    assert_eq!(slugify("!!! ???"), "section");
    assert_eq!(slugify("Ελληνικά"), "ελληνικά");
}

#[test]
fn atx_headings_levels_and_closing_hashes() {
    let d = doc("# En\n## To ##\n###### Seks\n####### sju\n#fem\n    # kode\n   ### Tre #\n");
    let got: Vec<(&str, u8, usize)> = d
        .sections
        .iter()
        .map(|s| (s.title.as_str(), s.level, s.line))
        .collect();
    assert_eq!(
        got,
        [("En", 1, 1), ("To", 2, 2), ("Seks", 6, 3), ("Tre", 3, 7)]
    );
    // Non-headings are body text of the section before.
    assert_eq!(d.sections[2].paragraphs.len(), 1);
    assert_eq!(
        d.sections[2].paragraphs[0].text,
        "####### sju\n#fem\n    # kode"
    );
    assert_eq!(d.sections[2].paragraphs[0].line, 4);
}

#[test]
fn explicit_ids_in_attribute_blocks() {
    let d = doc(
        "## Mål og ambisjoner {#mal}\n## Tiltak {#tiltak .unnumbered lang=nb}\n## Økonomi ## {#okonomi-2025}\n## Hjem {#hjem} ##\n## Å {#år_2030:del.1}\n",
    );
    assert_eq!(
        ids(&d),
        ["mal", "tiltak", "okonomi-2025", "hjem", "år_2030:del.1"]
    );
    let titles: Vec<&str> = d.sections.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(
        titles,
        ["Mål og ambisjoner", "Tiltak", "Økonomi", "Hjem", "Å"]
    );
    assert!(d.warnings.is_empty());
}

#[test]
fn invalid_attribute_block_stays_in_title_with_warning() {
    let d = doc("## Mål {#m/l}\n");
    assert_eq!(d.sections[0].title, "Mål {#m/l}");
    assert_eq!(d.sections[0].id, "mal-m-l");
    assert_eq!(d.warnings.len(), 1);
    assert_eq!(d.warnings[0].line, 1);
    // Braces that are not attributes are just text, without warning.
    let d = doc("## Mengder {a, b}\n");
    assert_eq!(d.sections[0].title, "Mengder {a, b}");
    assert!(d.warnings.is_empty());
}

#[test]
fn duplicate_ids_are_made_unique_in_order() {
    let d = doc("# Tiltak\n# Tiltak\n# Tiltak\n# Tiltak-2\n");
    assert_eq!(ids(&d), ["tiltak", "tiltak-2", "tiltak-3", "tiltak-2-2"]);
    assert!(d.warnings.is_empty(), "automatic ids do not warn");
}

#[test]
fn duplicate_explicit_id_warns_and_explicit_ids_win_over_slugs() {
    let d = doc("# Mål\n# Første {#mal}\n# Andre {#mal}\n");
    assert_eq!(ids(&d), ["mal-2", "mal", "mal-3"]);
    assert_eq!(d.warnings.len(), 1);
    assert_eq!(d.warnings[0].line, 3);
    assert!(
        d.warnings[0].message.contains("\"mal\""),
        "{}",
        d.warnings[0].message
    );
    assert!(
        d.warnings[0].message.contains("01-innledning.md:2"),
        "{}",
        d.warnings[0].message
    );
}

#[test]
fn fenced_code_is_never_a_heading_and_stays_one_paragraph() {
    let text =
        "# A\n\n```rust\n# not a heading\n\nstill code\n```\n\n~~~~\n## nope\n~~~\n~~~~\n\n# B\n";
    let d = doc(text);
    assert_eq!(ids(&d), ["a", "b"]);
    let p: Vec<&str> = d.sections[0]
        .paragraphs
        .iter()
        .map(|p| p.text.as_str())
        .collect();
    assert_eq!(
        p,
        [
            "```rust\n# not a heading\n\nstill code\n```",
            "~~~~\n## nope\n~~~\n~~~~"
        ]
    );
    assert_eq!(d.sections[0].paragraphs[1].line, 9);
}

#[test]
fn unclosed_fence_warns() {
    let d = doc("# A\n```\n# hidden\n");
    assert_eq!(ids(&d), ["a"]);
    assert_eq!(d.warnings.len(), 1);
    assert_eq!(d.warnings[0].line, 2);
}

#[test]
fn setext_headings() {
    let d = doc(
        "Tittel\n======\n\nUnder\n---\ntekst\n\n---\n\nTo linjer\nav tittel\n-----\n- punkt\n---\n",
    );
    let got: Vec<(&str, u8, usize)> = d
        .sections
        .iter()
        .map(|s| (s.title.as_str(), s.level, s.line))
        .collect();
    assert_eq!(
        got,
        [
            ("Tittel", 1, 1),
            ("Under", 2, 4),
            ("To linjer av tittel", 2, 10)
        ]
    );
    // `---` after a blank line is a thematic break; after a list item too.
    let p: Vec<&str> = d.sections[1]
        .paragraphs
        .iter()
        .map(|p| p.text.as_str())
        .collect();
    assert_eq!(p, ["tekst", "---"]);
    let p: Vec<&str> = d.sections[2]
        .paragraphs
        .iter()
        .map(|p| p.text.as_str())
        .collect();
    assert_eq!(p, ["- punkt", "---"]);
}

#[test]
fn setext_with_explicit_id() {
    let d = doc("Mål {#mal}\n===\n");
    assert_eq!(ids(&d), ["mal"]);
    assert_eq!(d.sections[0].title, "Mål");
}

#[test]
fn preamble_section_and_blank_preamble() {
    let d = doc("Innledning uten overskrift.\n\n# Første\ntekst\n");
    assert_eq!(ids(&d), ["01-innledning-preamble", "forste"]);
    assert_eq!(d.sections[0].level, 0);
    assert_eq!(d.sections[0].title, "");
    assert_eq!(
        d.sections[0].paragraphs[0].text,
        "Innledning uten overskrift."
    );
    let d = doc("\n  \n# Første\n");
    assert_eq!(ids(&d), ["forste"]);
    let d = doc("bare tekst\n");
    assert_eq!(ids(&d), ["01-innledning-preamble"]);
}

#[test]
fn sections_cover_the_file_and_paragraphs_have_lines() {
    let text = "# A\n\nførste avsnitt\nmed to linjer\n\n\nandre\n## B\ntredje\n";
    let d = doc(text);
    let joined: String = d.sections.iter().map(|s| s.markdown.as_str()).collect();
    assert_eq!(joined, text);
    let a = &d.sections[0];
    assert_eq!(
        a.markdown,
        "# A\n\nførste avsnitt\nmed to linjer\n\n\nandre\n"
    );
    let p: Vec<(&str, usize)> = a
        .paragraphs
        .iter()
        .map(|p| (p.text.as_str(), p.line))
        .collect();
    assert_eq!(p, [("første avsnitt\nmed to linjer", 3), ("andre", 7)]);
    assert_eq!(d.sections[1].line, 8);
    assert_eq!(d.sections[1].file, "01-innledning.md");
}

#[test]
fn crlf_front_matter_and_comments() {
    let d = doc(
        "---\r\ntitle: x\r\n\r\n# nei\r\n---\r\n# Ja\r\n<!--\r\n# skjult\r\n\r\n-->\r\nslutt\r\n",
    );
    assert_eq!(ids(&d), ["01-innledning-preamble", "ja"]);
    assert_eq!(d.sections[0].paragraphs.len(), 1);
    assert_eq!(d.sections[1].title, "Ja");
    let p: Vec<&str> = d.sections[1]
        .paragraphs
        .iter()
        .map(|p| p.text.as_str())
        .collect();
    assert_eq!(p, ["<!--\r\n# skjult\r\n\r\n-->", "slutt"]);
}

#[test]
fn multiple_files_keep_order_and_unique_ids() {
    let d = Document::parse(&[
        SourceFile::new("01-a.md", "# Innledning\ntekst\n"),
        SourceFile::new("02-b.md", "forord\n# Innledning\n"),
    ]);
    assert_eq!(ids(&d), ["innledning", "02-b-preamble", "innledning-2"]);
    assert_eq!(d.sections[2].file, "02-b.md");
    assert_eq!(d.sections[2].line, 2);
    assert_eq!(d.section("innledning-2").map(|s| s.line), Some(2));
    assert!(d.section("nope").is_none());
}

#[test]
fn word_count_counts_words_not_punctuation() {
    let d = doc("# Mål 2030\n\nDette er – kort sagt – «en» test, ikke sant?\n\n- a\n- b\n");
    assert_eq!(d.word_count(), 2 + 8 + 2);
}

#[test]
fn tokenizer_splits_punctuation_and_keeps_norwegian_words() {
    let toks = tokenize("Mål, (blåbær-syltetøy)! 2.1 naïve e\u{301}");
    let t: Vec<(&str, TokenKind, Sep)> = toks.iter().map(|t| (t.text, t.kind, t.sep)).collect();
    use Sep::{None as N, Space as S};
    use TokenKind::{Punct as P, Word as W};
    assert_eq!(
        t,
        [
            ("Mål", W, N),
            (",", P, N),
            ("(", P, S),
            ("blåbær", W, N),
            ("-", P, N),
            ("syltetøy", W, N),
            (")", P, N),
            ("!", P, N),
            ("2", W, S),
            (".", P, N),
            ("1", W, N),
            ("naïve", W, S),
            ("e\u{301}", W, S),
        ]
    );
    assert_eq!(toks[3].offset, 7);
    let t: Vec<&str> = tokenize("Mål, (2030).").iter().map(|t| t.text).collect();
    assert_eq!(t, ["Mål", ",", "(", "2030", ")", "."]);
}

#[test]
fn normalize_ignores_rewrapping_but_keeps_list_structure() {
    assert_eq!(normalize("  a  b\n\tc\u{a0}d \n"), "a b c d");
    assert_eq!(
        normalize("Tekst:\n- a\n  fortsatt\n- b"),
        "Tekst:\n- a fortsatt\n- b"
    );
    assert_eq!(normalize("1. a\n2. b"), "1. a\n2. b");
    assert_eq!(normalize("i år\n2024. Det"), "i år 2024. Det");
    assert_eq!(normalize("| a |\n| b |"), "| a |\n| b |");
    assert_eq!(normalize("```\nx   y\n  z\n```"), "```\nx y\nz\n```");
    for s in [
        "Tekst:\n- a\n  fortsatt\n- b",
        "i år\n2024. Det\n1. x\n2. y",
        "```\nx\n```",
    ] {
        assert_eq!(normalize(&normalize(s)), normalize(s));
    }
}

#[test]
fn section_numbers_skip_a_single_title() {
    let d = doc("# Strategi\n## A\n### A1\n### A2\n## B\n#### dyp\n");
    assert_eq!(d.section_numbers(), ["", "1", "1.1", "1.2", "2", "2.0.1"]);
    let d = doc("pre\n# A\n# B\n## B1\n");
    assert_eq!(d.section_numbers(), ["", "1", "2", "2.1"]);
}

#[test]
fn heading_ids_are_taken_off_and_nothing_else_changes() {
    let text = "# Mål {#mal}\r\n\r\nTekst {#ikke-overskrift}.\n\n## Tiltak ## {#tiltak .x}\n\
Lang\ntittel {#lang}\n----\n\n```\n# Kode {#kode}\n```\n\n### Ugyldig {#a b}\n> # Sitat {#s}\n";
    let out = without_heading_ids(text);
    assert_eq!(
        out,
        "# Mål\r\n\r\nTekst {#ikke-overskrift}.\n\n## Tiltak\nLang tittel\n----\n\n```\n# Kode {#kode}\n```\n\n### Ugyldig {#a b}\n> # Sitat {#s}\n"
    );
    // The titles are the same as before; only the explicit ids are gone.
    let before = Document::from_text("a.md", text);
    let after = Document::from_text("a.md", &out);
    let titles = |d: &Document| {
        d.sections
            .iter()
            .map(|s| s.title.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(titles(&before), titles(&after));
    assert_eq!(
        without_heading_ids("Ingen overskrift\n"),
        "Ingen overskrift\n"
    );
    assert_eq!(without_heading_ids(""), "");
}
