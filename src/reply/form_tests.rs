use super::*;
use crate::mail::{FormContext, FormSection, Lang, Renderer};

fn context() -> FormContext {
    FormContext {
        case_title: "Strategi for kunstig intelligens i departementsfellesskapet".into(),
        round_id: "r7k3q9xm".into(),
        round_title: "Høring av utkast til strategi".into(),
        party_code: "FIN".into(),
        party_name: "Finansdepartementet".into(),
        version_name: "v1".into(),
        version_label: "Utkast til departementshøring".into(),
        due_date_words: "mandag 1. desember 2025".into(),
        reply_address: "strategi@dfd.dep.example".into(),
        subject_token: "[strategi r7k3q9xm/FIN]".into(),
        sections: vec![
            FormSection {
                id: "innledning".into(),
                number: "1".into(),
                title: "Innledning".into(),
            },
            FormSection {
                id: "mal".into(),
                number: "2".into(),
                title: "Mål og ambisjoner".into(),
            },
            FormSection {
                id: "tiltak-2".into(),
                number: "2.1".into(),
                title: "Tiltak: data på tvers".into(),
            },
        ],
        word_attached: true,
    }
}

fn render(lang: Lang) -> String {
    static FORMS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    let forms = FORMS.get_or_init(|| {
        let r = Renderer::new(None).expect("built-in templates");
        Lang::ALL
            .iter()
            .map(|&l| r.render_form(l, &context()).expect("renders"))
            .collect()
    });
    let i = Lang::ALL.iter().position(|&l| l == lang).expect("language");
    forms[i].clone()
}

/// (quote, comment, proposal) keys as the form in `lang` writes them.
fn keys(lang: Lang) -> (&'static str, &'static str, &'static str) {
    match lang {
        Lang::Nb | Lang::Nn => ("Sitat", "Merknad", "Forslag til endring"),
        Lang::En => ("Quote", "Comment", "Proposed change"),
        Lang::Da => ("Citat", "Bemærkning", "Forslag til ændring"),
    }
}

fn comments_box(lang: Lang) -> &'static str {
    match lang {
        Lang::Nb | Lang::Nn => "[ ] merknader (comments)",
        Lang::En => "[ ] comments",
        Lang::Da => "[ ] bemærkninger (comments)",
    }
}

/// Fills in a rendered form: ticks `comments`, writes a general comment, a full block
/// for `mal` and a proposal-only block for `tiltak-2`.
fn fill(form: &str, lang: Lang) -> String {
    let (quote, comment, proposal) = keys(lang);
    let form = form.replacen(
        comments_box(lang),
        &comments_box(lang).replace("[ ]", "[x]"),
        1,
    );
    let mut out = String::new();
    let mut block = 0; // 1 = general, 2 = mal, 3 = tiltak-2
    let mut section = String::new();
    for line in form.lines() {
        if line.starts_with("===") {
            block += 1;
            section.clear();
        }
        if let Some((k, v)) = line.split_once(':')
            && matches!(k, "Seksjon" | "Section" | "Afsnit")
        {
            section = v.split_whitespace().next().unwrap_or_default().to_string();
        }
        let key = line.strip_suffix(':').unwrap_or("");
        let filled = match (block, section.as_str(), key) {
            (1, _, k) if k == comment => format!("{comment}: Generelt bra.\nMen kort."),
            (_, "mal", k) if k == quote => format!("{quote}: Vi skal bruke\n  kunstig intelligens"),
            (_, "mal", k) if k == comment => {
                format!("{comment}:\nFor vagt.\n\nSi hvordan, æøå.")
            }
            (_, "mal", k) if k == proposal => format!("{proposal}: Vi skal bruke KI i 2030."),
            (_, "tiltak-2", k) if k == proposal => format!("{proposal}: Stryk tiltaket."),
            _ => line.to_string(),
        };
        out.push_str(&filled);
        out.push('\n');
    }
    out
}

fn expected_blocks(form: &str) -> Vec<FormBlock> {
    let line_of = |needle: &str, nth: usize| {
        form.lines()
            .enumerate()
            .filter(|(_, l)| l.starts_with(needle))
            .nth(nth)
            .map(|(i, _)| i + 1)
            .expect("line")
    };
    vec![
        FormBlock {
            section: None,
            quote: String::new(),
            comment: "Generelt bra.\nMen kort.".into(),
            proposal: String::new(),
            line: line_of("===", 0),
        },
        FormBlock {
            section: Some("mal".into()),
            quote: "Vi skal bruke\n  kunstig intelligens".into(),
            comment: "For vagt.\n\nSi hvordan, æøå.".into(),
            proposal: "Vi skal bruke KI i 2030.".into(),
            line: line_of("===", 2),
        },
        FormBlock {
            section: Some("tiltak-2".into()),
            quote: String::new(),
            comment: String::new(),
            proposal: "Stryk tiltaket.".into(),
            line: line_of("===", 3),
        },
    ]
}

#[test]
fn untouched_forms_parse_to_headers_only() {
    for lang in Lang::ALL {
        let form = render(lang);
        let parsed = parse_form(&form).unwrap_or_else(|e| panic!("{lang:?}: {e}\n{form}"));
        assert_eq!(parsed.round.as_deref(), Some("r7k3q9xm"), "{lang:?}");
        assert_eq!(parsed.party.as_deref(), Some("FIN"));
        assert_eq!(parsed.version.as_deref(), Some("v1"));
        assert_eq!(parsed.position, None);
        assert!(parsed.blocks.is_empty(), "{lang:?}: {:?}", parsed.blocks);
        assert!(looks_like_form(&form));
    }
}

#[test]
fn filled_forms_parse_back_in_every_language() {
    for lang in Lang::ALL {
        let form = fill(&render(lang), lang);
        let parsed = parse_form(&form).unwrap_or_else(|e| panic!("{lang:?}: {e}\n{form}"));
        assert_eq!(parsed.position, Some(Position::Comments), "{lang:?}");
        assert_eq!(parsed.round.as_deref(), Some("r7k3q9xm"));
        assert_eq!(parsed.blocks, expected_blocks(&form), "{lang:?}\n{form}");
    }
}

#[test]
fn every_position_box_can_be_ticked() {
    for lang in Lang::ALL {
        let form = render(lang);
        let position_line = form
            .lines()
            .find(|l| l.contains("[ ]"))
            .expect("position line");
        let boxes = position_line.matches("[ ]").count();
        assert_eq!(boxes, 4);
        for (k, expected) in Position::ALL.into_iter().enumerate() {
            // Tick the k-th box.
            let mut ticked = String::new();
            let mut rest = position_line;
            for i in 0..=k {
                let at = rest.find("[ ]").expect("box");
                ticked.push_str(&rest[..at]);
                ticked.push_str(if i == k { "[X]" } else { "[ ]" });
                rest = &rest[at + 3..];
            }
            ticked.push_str(rest);
            let text = form.replace(position_line, &ticked);
            let parsed = parse_form(&text).unwrap_or_else(|e| panic!("{lang:?} {k}: {e}"));
            assert_eq!(parsed.position, Some(expected), "{lang:?}: {ticked}");
        }
    }
}

#[test]
fn quoted_and_crlf_forms_parse_the_same() {
    for lang in Lang::ALL {
        let form = fill(&render(lang), lang);
        let plain = parse_form(&form).expect("plain");
        let quoted: String = form
            .lines()
            .map(|l| {
                if l.is_empty() {
                    ">\n".to_string()
                } else {
                    format!("> {l}\n")
                }
            })
            .collect();
        assert_eq!(parse_form(&quoted).expect("quoted"), plain, "{lang:?}");
        let twice: String = form.lines().map(|l| format!(">> {l}\r\n")).collect();
        assert_eq!(parse_form(&twice).expect("twice quoted"), plain);
        let crlf = format!("\u{feff}{}", form.replace('\n', "\r\n"));
        assert_eq!(parse_form(&crlf).expect("crlf"), plain);
        assert!(looks_like_form(&quoted));
    }
}

const SMALL: &str = "Runde: r7k3q9xm
Part: fin (Finansdepartementet)
Versjon: v2
Standpunkt: [ ] ingen merknader (no-comments)  [ ] merknader (comments)  [x] forbehold (reservation)  [ ] uenig (disagree)

=== Merknad ===
Seksjon: mal   (Mål og ambisjoner)
Sitat:
Merknad: Ja.
Forslag til endring:
";

#[test]
fn a_small_form() {
    let parsed = parse_form(SMALL).expect("parses");
    assert_eq!(parsed.party.as_deref(), Some("FIN"));
    assert_eq!(parsed.version.as_deref(), Some("v2"));
    assert_eq!(parsed.position, Some(Position::Reservation));
    assert_eq!(parsed.blocks.len(), 1);
    assert_eq!(parsed.blocks[0].line, 6);
    assert_eq!(parsed.blocks[0].comment, "Ja.");
}

#[test]
fn wrapped_lines_are_continued() {
    let text = "Runde: r7k3q9xm
Standpunkt: [ ] ingen merknader (no-comments)  [ ] merknader
(comments)  [ ] forbehold (reservation)
  [x] uenig (disagree)

=== Merknad ===
Seksjon: tiltak-2   (Tiltak: data på
tvers)
Merknad: Nei.
";
    let parsed = parse_form(text).expect("parses");
    assert_eq!(parsed.position, Some(Position::Disagree));
    assert_eq!(parsed.blocks[0].section.as_deref(), Some("tiltak-2"));
    assert_eq!(parsed.blocks[0].comment, "Nei.");
}

#[test]
fn comment_lines_and_keys_in_any_case() {
    let text = "# instructions
ROUND : r7k3q9xm
=== x ===
  section:   mal
# ignored, even here
COMMENT: first
second  line
PROPOSED   CHANGE: new
";
    let parsed = parse_form(text).expect("parses");
    assert_eq!(parsed.blocks[0].section.as_deref(), Some("mal"));
    assert_eq!(parsed.blocks[0].comment, "first\nsecond  line");
    assert_eq!(parsed.blocks[0].proposal, "new");
}

#[test]
fn a_block_without_section_is_general_and_may_quote() {
    let text = "Round: r1\n=== General ===\nSection:\nQuote: something\nComment: why\n";
    let parsed = parse_form(text).expect("parses");
    assert_eq!(parsed.blocks[0].section, None);
    assert_eq!(parsed.blocks[0].quote, "something");
}

fn err(text: &str) -> FormError {
    match parse_form(text) {
        Ok(f) => panic!("expected an error, got {f:?}"),
        Err(e) => e,
    }
}

#[test]
fn two_positions_are_refused() {
    let text = SMALL.replace("[ ] uenig", "[x] uenig");
    let e = err(&text);
    assert!(
        matches!(
            e,
            FormError::SeveralPositions {
                line: 4,
                first: Position::Reservation,
                second: Position::Disagree
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().starts_with("line 4: "), "{e}");
}

#[test]
fn a_misspelt_key_gets_a_suggestion() {
    let text = SMALL.replace("Merknad: Ja.", "Merknadd: Ja.");
    let e = err(&text);
    assert_eq!(
        e,
        FormError::UnknownKey {
            line: 9,
            key: "Merknadd".into(),
            suggestion: "Merknad".into()
        }
    );
    assert!(e.to_string().contains("did you mean \"Merknad:\""), "{e}");
    let e = err(&SMALL.replace("Forslag til endring:", "Forslag til endringer:"));
    assert!(
        matches!(&e, FormError::UnknownKey { line: 10, suggestion, .. } if suggestion == "Forslag til endring"),
        "{e:?}"
    );
    let e = err(&SMALL.replace("Runde:", "Rune:"));
    assert!(
        matches!(&e, FormError::UnknownKey { line: 1, suggestion, .. } if suggestion == "Runde"),
        "{e:?}"
    );
    // An English form gets English suggestions.
    let e = err("Round: r1\n=== x ===\nSection: a\nComent: hm\n");
    assert!(
        matches!(&e, FormError::UnknownKey { line: 4, suggestion, .. } if suggestion == "Comment"),
        "{e:?}"
    );
}

#[test]
fn ordinary_text_with_colons_continues_a_field() {
    let text = SMALL.replace(
        "Merknad: Ja.",
        "Merknad: Ja.\nMerk: dette er viktig.\nKl. 10:30 i morgen.",
    );
    let parsed = parse_form(&text).expect("parses");
    assert_eq!(
        parsed.blocks[0].comment,
        "Ja.\nMerk: dette er viktig.\nKl. 10:30 i morgen."
    );
}

#[test]
fn a_quote_without_comment_is_refused() {
    let text = SMALL
        .replace("Sitat:", "Sitat: Vi skal")
        .replace("Merknad: Ja.", "Merknad:");
    let e = err(&text);
    assert!(
        matches!(&e, FormError::QuoteWithoutComment { line: 6, comment } if comment == "Merknad"),
        "{e:?}"
    );
    // With a proposal instead of a comment it is fine.
    let text = text.replace("Forslag til endring:", "Forslag til endring: Vi bør");
    let parsed = parse_form(&text).expect("parses");
    assert_eq!(parsed.blocks[0].quote, "Vi skal");
    assert_eq!(parsed.blocks[0].comment, "");
}

#[test]
fn text_outside_a_field_is_refused() {
    let text = SMALL.replace("Sitat:\n", "Her er merknaden vår.\nSitat:\n");
    let e = err(&text);
    assert!(
        matches!(e, FormError::TextOutsideField { line: 8, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("\"Merknad:\""), "{e}");
    let text = SMALL.replace("=== Merknad ===", "=== Merknad === Vi er uenige.");
    let e = err(&text);
    assert!(
        matches!(e, FormError::TextOutsideField { line: 6, .. }),
        "{e:?}"
    );
    // Titles are free, and any number of `=` closes them.
    let text = SMALL.replace("=== Merknad ===", "===== Merknad til mål =====");
    assert_eq!(parse_form(&text).expect("parses").blocks.len(), 1);
}

#[test]
fn misplaced_and_duplicate_keys_are_refused() {
    let e = err(&format!("{SMALL}Standpunkt: [x] uenig (disagree)\n"));
    assert!(
        matches!(e, FormError::MisplacedKey { line: 11, .. }),
        "{e:?}"
    );
    let e = err("Runde: r1\nMerknad: hei\n=== x ===\n");
    assert!(
        matches!(e, FormError::MisplacedKey { line: 2, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("=== Merknad ==="), "{e}");
    let e = err(&format!("{SMALL}Merknad: to ganger\n"));
    assert!(
        matches!(
            e,
            FormError::DuplicateKey {
                line: 11,
                first_line: 9,
                ..
            }
        ),
        "{e:?}"
    );
    let e = err("Runde: r1\nRunde: r2\n=== x ===\n");
    assert!(
        matches!(
            e,
            FormError::DuplicateKey {
                line: 2,
                first_line: 1,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn header_mistakes_are_refused() {
    let e = err("Hei!\nRunde: r1\n=== x ===\n");
    assert!(
        matches!(e, FormError::UnexpectedText { line: 1, .. }),
        "{e:?}"
    );
    let e = err("Runde: r1\nStandpunkt: uenig\n=== x ===\n");
    assert!(
        matches!(e, FormError::PositionWithoutBox { line: 2, .. }),
        "{e:?}"
    );
    let e = err("Runde: r1\nStandpunkt: [x] kanskje\n=== x ===\n");
    assert!(
        matches!(e, FormError::UnknownPosition { line: 2, .. }),
        "{e:?}"
    );
    let e = err("Dette er bare et brev.\nMed hilsen");
    assert!(matches!(e, FormError::NotAForm { line: 1, .. }), "{e:?}");
    assert!(matches!(err(""), FormError::NotAForm { .. }));
    assert!(matches!(
        err("# only comments\n"),
        FormError::NotAForm { .. }
    ));
}

#[test]
fn an_unticked_position_is_none() {
    let parsed = parse_form("Runde: r1\nStandpunkt: [ ] a (comments) []\n").expect("parses");
    assert_eq!(parsed.position, None);
    let parsed = parse_form("Runde: r1\nStandpunkt:\n").expect("parses");
    assert_eq!(parsed.position, None);
}

#[test]
fn looks_like_form_needs_round_and_marker() {
    assert!(looks_like_form("Round: r1\n=== a ==="));
    assert!(looks_like_form("Hei\n\n> Runde: r1\n> === a ==="));
    assert!(!looks_like_form("Round: r1\nno marker"));
    assert!(!looks_like_form("=== a ===\nComment: x"));
    assert!(!looks_like_form(""));
}

#[test]
fn a_form_in_a_mail_body_is_found() {
    let form = fill(&render(Lang::Nb), Lang::Nb);
    let expected = parse_form(&form).expect("form");
    let body =
        format!("Hei,\n\nher er svaret vårt.\n\n{form}\n-- \nKari Nordmann\nFinansdepartementet\n");
    let found = find_form(&body).expect("found").expect("parses");
    assert_eq!(found.position, expected.position);
    assert_eq!(found.blocks.len(), 3);
    // Line numbers are the body's: the body has four lines before the form.
    for (a, b) in found.blocks.iter().zip(&expected.blocks) {
        assert_eq!(a.line, b.line + 4);
        assert_eq!(a.comment, b.comment);
    }
    // A reply quoting the original message below the form.
    let body = format!(
        "{form}\nDen 3. nov. 2025 skrev DFD <strategi@dfd.dep.example>:\n> Vi ber om merknader.\n>\n> Hilsen DFD\n"
    );
    let found = find_form(&body).expect("found").expect("parses");
    assert_eq!(found.blocks, expected.blocks);
    // The form itself quoted, with the party's text above and below.
    let quoted: String = form.lines().map(|l| format!("> {l}\n")).collect();
    let body = format!("Se skjemaet under.\n\n{quoted}\nMvh Kari\n");
    let found = find_form(&body).expect("found").expect("parses");
    assert_eq!(found.blocks.len(), 3);
    assert_eq!(found.blocks[2].proposal, "Stryk tiltaket.");
    assert!(find_form("Hei, vi har ingen merknader.\n").is_none());
}

#[test]
fn position_keys() {
    for p in Position::ALL {
        assert_eq!(Position::from_key(p.key()), Some(p));
    }
    assert_eq!(
        Position::from_key(" No Comments "),
        Some(Position::NoComments)
    );
    assert_eq!(Position::from_key("maybe"), None);
    let json = serde_json::to_string(&Position::NoComments).expect("json");
    assert_eq!(json, "\"no-comments\"");
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    fn mutate(base: &str, ops: &[(usize, u8, char)]) -> String {
        let mut chars: Vec<char> = base.chars().collect();
        for &(pos, op, c) in ops {
            if chars.is_empty() {
                chars.push(c);
                continue;
            }
            let p = pos % chars.len();
            match op % 3 {
                0 => {
                    chars.remove(p);
                }
                1 => chars.insert(p, c),
                _ => chars[p] = c,
            }
        }
        chars.into_iter().collect()
    }

    fn interesting_char() -> impl Strategy<Value = char> {
        prop_oneof![
            Just('['),
            Just(']'),
            Just('('),
            Just(')'),
            Just(':'),
            Just('='),
            Just('#'),
            Just('>'),
            Just('\n'),
            Just('\r'),
            Just(' '),
            Just('x'),
            Just('å'),
            Just('\u{feff}'),
            any::<char>(),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn mutated_forms(ops in prop::collection::vec((any::<usize>(), any::<u8>(), interesting_char()), 0..40), lang in 0usize..4) {
            let lang = Lang::ALL[lang];
            let form = fill(&render(lang), lang);
            let text = mutate(&form, &ops);
            let _ = parse_form(&text);
            let _ = find_form(&text);
            let _ = looks_like_form(&text);
        }

        #[test]
        fn arbitrary_text(text in "(\\PC|[\\[\\]():=#> \n\r\t]){0,300}") {
            let _ = parse_form(&text);
            let _ = find_form(&text);
        }

        #[test]
        fn arbitrary_lines(lines in prop::collection::vec(prop_oneof![
            Just("=== x ===".to_string()),
            Just("Runde: r1".to_string()),
            Just("Standpunkt: [x] a (comments) [x".to_string()),
            Just("Merknad: (".to_string()),
            Just("Seksjon: a (b".to_string()),
            Just("> Sitat: q".to_string()),
            Just(">".to_string()),
            Just("".to_string()),
            Just("#".to_string()),
            Just("Merknadd:".to_string()),
            "\\PC{0,20}",
        ], 0..30)) {
            let text = lines.join("\n");
            let _ = parse_form(&text);
            let _ = find_form(&text);
        }
    }
}
