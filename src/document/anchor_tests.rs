use super::*;

const V1: &str = "# Strategi

## Mål og ambisjoner {#mal}

Regjeringen vil at forvaltningen skal bruke kunstig intelligens på en
ansvarlig måte innen 2030. Dette krever felles **infrastruktur** og
tydelige [retningslinjer](https://example.org/r).

- Første tiltak er en felles plattform.
- Andre tiltak er kompetanse i alle departementer.

## Tiltak {#tiltak}

Departementene skal dele data på tvers når det er lovlig og trygt.
Dette er et viktig tiltak. Dette er et viktig tiltak for alle.

## Økonomi {#okonomi}

Tiltakene dekkes innenfor gjeldende budsjettrammer.
";

fn doc(text: &str) -> Document {
    Document::from_text("strategi.md", text)
}

#[test]
fn plain_text_reads_markdown_as_a_reader_sees_it() {
    assert_eq!(plain_text("a  b\n\tc"), "a b c");
    assert_eq!(
        plain_text("felles **infrastruktur** og _data_"),
        "felles infrastruktur og data"
    );
    assert_eq!(
        plain_text("se [retningslinjer](https://x.org/a_(b)) nå"),
        "se retningslinjer nå"
    );
    assert_eq!(
        plain_text("se [lenke][ref] og ![bilde](a.png)"),
        "se lenke og bilde"
    );
    assert_eq!(plain_text("- en\n- to\n1. tre"), "en to tre");
    assert_eq!(plain_text("> sitert\n> tekst"), "sitert tekst");
    assert_eq!(plain_text("| a | b |"), "a b");
    assert_eq!(
        plain_text("«Sitat» og “det” – ‘her’…"),
        "\"Sitat\" og \"det\" - 'her'..."
    );
    assert_eq!(plain_text("a -- b --- c"), "a - b - c");
    assert_eq!(plain_text("kunst\u{AD}ig"), "kunstig");
    // A number that is not a list marker stays.
    assert_eq!(plain_text("innen\n2030. Det"), "innen 2030. Det");
    assert_eq!(plain_text(""), "");
}

#[test]
fn anchoring_records_context_at_word_boundaries() {
    let d = doc(V1);
    let a = anchor(
        &d,
        "mal",
        "bruke kunstig\n   intelligens på en ansvarlig måte",
    )
    .expect("found");
    assert_eq!(a.occurrences, 1);
    assert_eq!(a.quote, "bruke kunstig intelligens på en ansvarlig måte");
    assert_eq!(a.occurrences, 1);
    assert_eq!(a.before, "Regjeringen vil at forvaltningen skal");
    assert!(a.before.chars().count() <= CONTEXT_CHARS);
    assert_eq!(a.after, "innen 2030. Dette krever felles");
    let text = section_text(d.section("mal").expect("mal"));
    let at: String = text.chars().skip(a.offset).take(5).collect();
    assert_eq!(at, "bruke");
    // Markdown marks and list markers do not matter.
    let a = anchor(
        &d,
        "mal",
        "felles infrastruktur og tydelige retningslinjer. Første tiltak",
    )
    .expect("found");
    assert_eq!(a.after, "er en felles plattform. Andre tiltak er");
    // Context never starts or ends inside a word.
    for quote in [
        "tydelige retningslinjer",
        "ansvarlig måte",
        "plattform",
        "Andre tiltak er",
    ] {
        let a = anchor(&d, "mal", quote).expect("found");
        assert!(
            a.before.chars().count() <= CONTEXT_CHARS && a.after.chars().count() <= CONTEXT_CHARS
        );
        assert!(
            a.before.is_empty() || format!(" {text}").contains(&format!(" {}", a.before)),
            "{a:?}"
        );
        assert!(
            a.after.is_empty() || format!("{text} ").contains(&format!("{} ", a.after)),
            "{a:?}"
        );
    }
    // At the start of the section the context before is empty.
    let a = anchor(&d, "okonomi", "Tiltakene dekkes").expect("found");
    assert_eq!((a.before.as_str(), a.offset), ("", 0));
    assert_eq!(a.after, "innenfor gjeldende budsjettrammer.");
}

#[test]
fn an_ambiguous_quote_takes_the_first_and_counts() {
    let d = doc(V1);
    let a = anchor(&d, "tiltak", "Dette er et viktig tiltak").expect("found");
    assert_eq!(a.occurrences, 2);
    assert_eq!(a.after, ". Dette er et viktig tiltak for alle.");
}

#[test]
fn anchoring_errors() {
    let d = doc(V1);
    assert_eq!(
        anchor(&d, "nope", "x"),
        Err(AnchorError::UnknownSection {
            section: "nope".into()
        })
    );
    assert_eq!(anchor(&d, "mal", " ** \n"), Err(AnchorError::EmptyQuote));
    let e = anchor(
        &d,
        "mal",
        "forvaltningen skal bruke kunstig intelligens på en forsvarlig måte",
    )
    .expect_err("not there");
    match &e {
        AnchorError::QuoteNotFound {
            section, closest, ..
        } => {
            assert_eq!(section, "mal");
            assert_eq!(
                closest.as_deref(),
                Some("forvaltningen skal bruke kunstig intelligens på en ansvarlig måte")
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("closest passage"), "{e}");
    let e = anchor(&d, "mal", "helt andre ord her").expect_err("not there");
    assert!(
        matches!(e, AnchorError::QuoteNotFound { closest: None, .. }),
        "{e:?}"
    );
}

#[test]
fn exact_after_rewrapping() {
    let a = anchor(
        &doc(V1),
        "mal",
        "kunstig intelligens på en ansvarlig måte innen 2030",
    )
    .expect("a");
    let v2 = V1.replace(
        "Regjeringen vil at forvaltningen skal bruke kunstig intelligens på en\nansvarlig måte innen 2030.",
        "Ny innledende setning.\n\nRegjeringen vil at\nforvaltningen skal bruke kunstig\nintelligens   på en ansvarlig\n  måte innen 2030.",
    );
    assert_ne!(v2, V1);
    let later = doc(&v2);
    match relocate("mal", &a, &later) {
        Landing::Exact { section, offset } => {
            assert_eq!(section, "mal");
            let text = Relocator::new(&later)
                .section_text("mal")
                .expect("mal")
                .to_string();
            let at: String = text.chars().skip(offset).take(7).collect();
            assert_eq!(at, "kunstig");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn exact_prefers_the_occurrence_with_matching_context() {
    let text = "## A {#a}\n\nFørst kommer innledningen. Vi skal dele data. Så kommer midten. Vi skal dele data. Til slutt kommer avslutningen.\n";
    let d = doc(text);
    let a = anchor(&d, "a", "Vi skal dele data").expect("a");
    assert_eq!(a.occurrences, 2);
    // Anchor the second occurrence by hand (as if chosen by its context).
    let second = Anchor {
        before: "Så kommer midten.".into(),
        after: "Til slutt kommer avslutningen.".into(),
        offset: 60,
        ..a.clone()
    };
    let later = doc(&text.replace(
        "Først kommer innledningen.",
        "Først kommer en mye lengre innledning enn før.",
    ));
    let r = Relocator::new(&later);
    let sec = r.section_text("a").expect("a").to_string();
    let second_at = sec
        .rfind("Vi skal")
        .map(|b| sec[..b].chars().count())
        .expect("there");
    let first_at = sec
        .find("Vi skal")
        .map(|b| sec[..b].chars().count())
        .expect("there");
    assert_eq!(
        r.relocate("a", &second),
        Landing::Exact {
            section: "a".into(),
            offset: second_at
        }
    );
    assert_eq!(
        r.relocate("a", &a),
        Landing::Exact {
            section: "a".into(),
            offset: first_at
        }
    );
}

#[test]
fn moved_to_another_section() {
    let a = anchor(
        &doc(V1),
        "tiltak",
        "dele data på tvers når det er lovlig og trygt",
    )
    .expect("a");
    let v2 = V1
        .replace(
            "Departementene skal dele data på tvers når det er lovlig og trygt.\n",
            "",
        )
        .replace(
            "Tiltakene dekkes",
            "Departementene skal dele data på tvers når det er lovlig og trygt. Tiltakene dekkes",
        );
    match relocate("tiltak", &a, &doc(&v2)) {
        Landing::Moved {
            from, to, also_in, ..
        } => {
            assert_eq!((from.as_str(), to.as_str()), ("tiltak", "okonomi"));
            assert!(also_in.is_empty());
        }
        other => panic!("{other:?}"),
    }
    // A renamed section (new id, same text) is a move too.
    let renamed = V1.replace("## Tiltak {#tiltak}", "## Våre tiltak {#vare-tiltak}");
    assert!(matches!(
        relocate("tiltak", &a, &doc(&renamed)),
        Landing::Moved { ref to, .. } if to == "vare-tiltak"
    ));
}

#[test]
fn moved_to_two_sections_picks_by_context_and_says_so() {
    let a = anchor(
        &doc(V1),
        "okonomi",
        "dekkes innenfor gjeldende budsjettrammer",
    )
    .expect("a");
    let v2 = "## Mål {#mal}\n\nNoe helt annet. Kostnadene dekkes innenfor gjeldende budsjettrammer, sier vi.\n\n## Penger {#penger}\n\nTiltakene dekkes innenfor gjeldende budsjettrammer.\n";
    match relocate("okonomi", &a, &doc(v2)) {
        Landing::Moved {
            from,
            to,
            also_in,
            offset,
        } => {
            assert_eq!(from, "okonomi");
            assert_eq!(
                to, "penger",
                "the context (start of section, then '.') decides"
            );
            assert_eq!(also_in, vec!["mal".to_string()]);
            assert_eq!(offset, "Tiltakene ".chars().count());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_quote_in_two_sections_stays_exact_in_its_own() {
    let text =
        "## A {#a}\n\nFelles plattform for alle.\n\n## B {#b}\n\nFelles plattform for alle.\n";
    let a = anchor(&doc(text), "b", "Felles plattform for alle").expect("a");
    assert_eq!(
        relocate("b", &a, &doc(text)),
        Landing::Exact {
            section: "b".into(),
            offset: 0
        }
    );
}

#[test]
fn changed_in_the_same_section() {
    let a = anchor(
        &doc(V1),
        "tiltak",
        "Departementene skal dele data på tvers når det er lovlig og trygt",
    )
    .expect("a");
    let v2 = V1.replace(
        "Departementene skal dele data på tvers når det er lovlig og trygt.",
        "Departementene skal dele sine data på tvers når det er lovlig, trygt og nyttig.",
    );
    match relocate("tiltak", &a, &doc(&v2)) {
        Landing::Changed {
            section,
            new_text,
            similarity,
            offset,
        } => {
            assert_eq!(section, "tiltak");
            assert_eq!(
                new_text,
                "Departementene skal dele sine data på tvers når det er lovlig, trygt"
            );
            assert!(
                (CHANGED_THRESHOLD..1.0).contains(&similarity),
                "{similarity}"
            );
            assert_eq!(offset, 0);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn changed_and_moved_lands_in_the_other_section() {
    let a = anchor(
        &doc(V1),
        "okonomi",
        "Tiltakene dekkes innenfor gjeldende budsjettrammer",
    )
    .expect("a");
    let v2 = "## Mål {#mal}\n\nLang tekst om mål. Tiltakene dekkes i hovedsak innenfor gjeldende budsjettrammer. Mer tekst.\n\n## Økonomi {#okonomi}\n\nHer står noe annet nå.\n";
    match relocate("okonomi", &a, &doc(v2)) {
        Landing::Changed {
            section, new_text, ..
        } => {
            assert_eq!(section, "mal");
            assert_eq!(
                new_text,
                "Tiltakene dekkes i hovedsak innenfor gjeldende budsjettrammer."
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn orphaned_when_nothing_is_alike() {
    let a = anchor(&doc(V1), "tiltak", "Departementene skal dele data på tvers").expect("a");
    let v2 = "## Tiltak {#tiltak}\n\nVi satser på opplæring og nye stillinger.\n\n## Annet\n\nHelt andre ting.\n";
    assert_eq!(relocate("tiltak", &a, &doc(v2)), Landing::Orphaned);
    // Short quotes are never matched by similarity.
    let a = anchor(&doc(V1), "okonomi", "gjeldende budsjettrammer").expect("a");
    let v2 = V1.replace("gjeldende budsjettrammer", "gjeldende rammer");
    assert_eq!(relocate("okonomi", &a, &doc(&v2)), Landing::Orphaned);
    // An empty document.
    assert_eq!(
        relocate("okonomi", &a, &Document::default()),
        Landing::Orphaned
    );
}

#[test]
fn anchors_and_landings_serialize() {
    let a = anchor(&doc(V1), "mal", "felles infrastruktur").expect("a");
    let json = serde_json::to_string(&a).expect("json");
    let back: Anchor = serde_json::from_str(&json).expect("back");
    assert_eq!(back, a);
    // `occurrences` is optional in stored anchors.
    let old = r#"{"quote":"x","before":"","after":"","offset":0}"#;
    assert_eq!(
        serde_json::from_str::<Anchor>(old)
            .expect("old")
            .occurrences,
        1
    );
    let l = Landing::Moved {
        from: "a".into(),
        to: "b".into(),
        offset: 3,
        also_in: vec![],
    };
    let json = serde_json::to_value(&l).expect("json");
    assert_eq!(json["landing"], "moved");
}

/// A large generated document: `sections` sections of `words` words each, from a
/// small vocabulary so that words repeat a lot, with unique numbered words mixed in.
fn big_document(sections: usize, words: usize) -> String {
    const VOCAB: [&str; 24] = [
        "og",
        "i",
        "det",
        "som",
        "en",
        "på",
        "departementet",
        "skal",
        "data",
        "kunstig",
        "intelligens",
        "tiltak",
        "for",
        "med",
        "til",
        "av",
        "forvaltningen",
        "strategi",
        "om",
        "at",
        "har",
        "ikke",
        "vil",
        "bruk",
    ];
    let mut out = String::new();
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    for s in 0..sections {
        out.push_str(&format!("## Seksjon {s} {{#s{s}}}\n\n"));
        for w in 0..words {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            if w % 7 == 3 {
                out.push_str(&format!("ord{}", seed % 100_000));
            } else {
                out.push_str(VOCAB[(seed % VOCAB.len() as u64) as usize]);
            }
            out.push(if w % 12 == 11 { '\n' } else { ' ' });
            if w % 60 == 59 {
                out.push('\n');
            }
        }
        out.push_str("\n\n");
    }
    out
}

fn many_anchors(d: &Document, r: &Relocator, count: usize) -> Vec<(String, Anchor)> {
    let mut anchors = Vec::with_capacity(count);
    let n = d.sections.len();
    for k in 0..count {
        let s = &d.sections[(k * 7919) % n];
        let text = r.section_text(&s.id).expect("section");
        let words: Vec<&str> = text.split(' ').collect();
        let len = 4 + k % 8;
        let start = (k * 31) % words.len().saturating_sub(len).max(1);
        let quote = words[start..(start + len).min(words.len())].join(" ");
        anchors.push((s.id.clone(), anchor(d, &s.id, &quote).expect("anchors")));
    }
    anchors
}

#[test]
fn many_exact_anchors_are_fast() {
    // 30,000 words and 2,000 anchors here; see `relocation_at_full_size` for the
    // 150,000 words and 10,000 anchors (run it with --release --ignored).
    let d = doc(&big_document(100, 300));
    let r = Relocator::new(&d);
    let anchors = many_anchors(&d, &r, 2_000);
    let started = Instant::now();
    for (s, a) in &anchors {
        assert!(matches!(r.relocate(s, a), Landing::Exact { .. }), "{a:?}");
    }
    // Generous even for a debug build on a busy machine.
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[test]
#[ignore = "large; run with --release -- --ignored"]
fn relocation_at_full_size() {
    let d = doc(&big_document(500, 300));
    assert!(d.word_count() >= 150_000, "{}", d.word_count());
    let started = Instant::now();
    let r = Relocator::new(&d);
    let built = started.elapsed();
    let anchors = many_anchors(&d, &r, 10_000);
    let started = Instant::now();
    for (s, a) in &anchors {
        assert!(matches!(r.relocate(s, a), Landing::Exact { .. }));
    }
    let exact = started.elapsed();
    // The same anchors against a version whose section ids all changed: every anchor
    // is found elsewhere (moved), through the whole-document index.
    let renamed = doc(&big_document(500, 300).replace("{#s", "{#t"));
    let r2 = Relocator::new(&renamed);
    let started = Instant::now();
    for (s, a) in &anchors {
        assert!(matches!(r2.relocate(s, a), Landing::Moved { .. }));
    }
    let moved = started.elapsed();
    // And against a version with renamed sections and one frequent word replaced:
    // quotes holding it need the similarity search through the whole document.
    let changed = doc(&big_document(500, 300)
        .replace("{#s", "{#t")
        .replace(" skal ", " må "));
    let r3 = Relocator::new(&changed);
    let started = Instant::now();
    let mut fuzzy = 0;
    for (s, a) in anchors.iter().take(1_000) {
        match r3.relocate(s, a) {
            Landing::Changed { .. } | Landing::Orphaned => fuzzy += 1,
            Landing::Moved { .. } => {}
            other => panic!("{other:?}"),
        }
    }
    let slow = started.elapsed();
    eprintln!(
        "index {built:?}, 10,000 exact {exact:?}, 10,000 moved {moved:?}, 1,000 with {fuzzy} by similarity {slow:?}"
    );
    assert!(exact < Duration::from_secs(2), "{exact:?}");
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn arbitrary_quotes_and_documents(
            text in "(\\PC|[#*_\\[\\]()>|\n -]){0,400}",
            quote in "(\\PC|[*_\\[\\]()> -]){0,60}",
        ) {
            let d = doc(&text);
            let _ = plain_text(&text);
            for s in &d.sections {
                if let Ok(a) = anchor(&d, &s.id, &quote) {
                    let _ = relocate(&s.id, &a, &d);
                    let _ = relocate(&s.id, &a, &doc(&text.replace('a', "b")));
                }
            }
            let a = Anchor {
                quote: quote.clone(),
                before: String::new(),
                after: String::new(),
                offset: usize::MAX,
                occurrences: 0,
            };
            let _ = relocate("x", &a, &d);
        }
    }
}
