//! Properties: for generated documents and edits, `apply(FROM, diff) == TO`; re-wrapping
//! is no change; nothing panics on arbitrary input.

use proptest::prelude::*;
use proptest::sample::Index;

use super::*;
use crate::document::tokens::{normalize_runs, scan_normalized};
use crate::document::{Document, normalize, tokenize};

/// The fast normaliser and tokenizer agree with the general ones.
fn check_fast_paths(text: &str) -> Result<(), TestCaseError> {
    let n = normalize(text);
    let mut slow = String::new();
    normalize_runs(text, &mut slow);
    prop_assert_eq!(&n, &slow);
    prop_assert_eq!(normalize(&n), n.clone());
    let mut fast = Vec::new();
    scan_normalized(&n, |kind, sep, t| fast.push((kind, sep, t)));
    let general: Vec<_> = tokenize(&n)
        .iter()
        .map(|t| (t.kind, t.sep, t.text))
        .collect();
    prop_assert_eq!(fast, general);
    let words = tokenize(text)
        .iter()
        .filter(|t| t.kind == crate::document::TokenKind::Word)
        .count();
    prop_assert_eq!(crate::document::count_words(text), words);
    Ok(())
}

const WORDS: &[&str] = &[
    "mål",
    "ambisjon",
    "regjeringen",
    "skal",
    "styrke",
    "økonomi",
    "være",
    "på",
    "og",
    "i",
    "kompetanse",
    "digital",
    "forvaltning",
    "ærlig",
    "blåbær",
    "tiltak",
    "2030",
    "første",
    "Å",
    "café",
    "naïve",
    "sektor",
    "kommune",
    "næringsliv",
    "samfunn",
];
const PUNCT: &[&str] = &[",", ".", ":", ";", "!", "?", ")", "»", "…"];

#[derive(Debug, Clone)]
struct Sec {
    title: Vec<String>,
    explicit: Option<String>,
    level: u8,
    paras: Vec<Vec<String>>,
}

#[derive(Debug, Clone)]
struct Model {
    preamble: Vec<Vec<String>>,
    secs: Vec<Sec>,
}

fn word() -> impl Strategy<Value = String> {
    (
        0..WORDS.len(),
        proptest::option::weighted(0.2, 0..PUNCT.len()),
    )
        .prop_map(|(w, p)| format!("{}{}", WORDS[w], p.map_or("", |i| PUNCT[i])))
}

fn para() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(word(), 1..20)
}

fn title() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec((0..WORDS.len()).prop_map(|i| WORDS[i].to_string()), 1..4)
}

fn sec() -> impl Strategy<Value = Sec> {
    (
        title(),
        proptest::option::weighted(0.3, "[a-z]{2,5}"),
        1u8..=3,
        prop::collection::vec(para(), 0..5),
    )
        .prop_map(|(title, explicit, level, paras)| Sec {
            title,
            explicit,
            level,
            paras,
        })
}

fn model() -> impl Strategy<Value = Model> {
    (
        prop::collection::vec(para(), 0..2),
        prop::collection::vec(sec(), 1..7),
    )
        .prop_map(|(preamble, secs)| Model { preamble, secs })
}

fn wrap(words: &[String], width: usize, out: &mut String) {
    let mut line = 0;
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            if line + 1 + w.chars().count() > width {
                out.push('\n');
                line = 0;
            } else {
                out.push(' ');
                line += 1;
            }
        }
        out.push_str(w);
        line += w.chars().count();
    }
    out.push_str("\n\n");
}

fn render(m: &Model, width: usize) -> String {
    let mut out = String::new();
    for p in &m.preamble {
        wrap(p, width, &mut out);
    }
    for s in &m.secs {
        out.push_str(&"#".repeat(usize::from(s.level)));
        out.push(' ');
        out.push_str(&s.title.join(" "));
        if let Some(id) = &s.explicit {
            out.push_str(&format!(" {{#{id}}}"));
        }
        out.push_str("\n\n");
        for p in &s.paras {
            wrap(p, width, &mut out);
        }
    }
    out
}

#[derive(Debug, Clone)]
enum Edit {
    ReplaceWord(Index, Index, Index, String),
    InsertWord(Index, Index, Index, String),
    DeleteWord(Index, Index, Index),
    InsertPara(Index, Index, Vec<String>),
    DeletePara(Index, Index),
    MovePara(Index, Index, Index, Index),
    Rename(Index, Vec<String>),
    MoveSec(Index, Index),
    InsertSec(Index, Sec),
    DeleteSec(Index),
    Level(Index, u8),
}

fn edit() -> impl Strategy<Value = Edit> {
    let i = any::<Index>;
    prop_oneof![
        3 => (i(), i(), i(), word()).prop_map(|(a, b, c, w)| Edit::ReplaceWord(a, b, c, w)),
        2 => (i(), i(), i(), word()).prop_map(|(a, b, c, w)| Edit::InsertWord(a, b, c, w)),
        2 => (i(), i(), i()).prop_map(|(a, b, c)| Edit::DeleteWord(a, b, c)),
        1 => (i(), i(), para()).prop_map(|(a, b, p)| Edit::InsertPara(a, b, p)),
        1 => (i(), i()).prop_map(|(a, b)| Edit::DeletePara(a, b)),
        1 => (i(), i(), i(), i()).prop_map(|(a, b, c, d)| Edit::MovePara(a, b, c, d)),
        1 => (i(), title()).prop_map(|(a, t)| Edit::Rename(a, t)),
        1 => (i(), i()).prop_map(|(a, b)| Edit::MoveSec(a, b)),
        1 => (i(), sec()).prop_map(|(a, s)| Edit::InsertSec(a, s)),
        1 => i().prop_map(Edit::DeleteSec),
        1 => (i(), 1u8..=3).prop_map(|(a, l)| Edit::Level(a, l)),
    ]
}

fn apply_edit(m: &mut Model, e: &Edit) {
    let n = m.secs.len();
    match e {
        Edit::ReplaceWord(s, p, w, new) | Edit::InsertWord(s, p, w, new) => {
            if n == 0 {
                return;
            }
            let sec = &mut m.secs[s.index(n)];
            if sec.paras.is_empty() {
                return;
            }
            let len = sec.paras.len();
            let para = &mut sec.paras[p.index(len)];
            let k = w.index(para.len());
            if matches!(e, Edit::ReplaceWord(..)) {
                para[k] = new.clone();
            } else {
                para.insert(k, new.clone());
            }
        }
        Edit::DeleteWord(s, p, w) => {
            if n == 0 || m.secs[s.index(n)].paras.is_empty() {
                return;
            }
            let sec = &mut m.secs[s.index(n)];
            let len = sec.paras.len();
            let para = &mut sec.paras[p.index(len)];
            if para.len() > 1 {
                let k = w.index(para.len());
                para.remove(k);
            }
        }
        Edit::InsertPara(s, p, new) => {
            if n > 0 {
                let sec = &mut m.secs[s.index(n)];
                let k = p.index(sec.paras.len() + 1);
                sec.paras.insert(k, new.clone());
            }
        }
        Edit::DeletePara(s, p) => {
            if n > 0 && !m.secs[s.index(n)].paras.is_empty() {
                let sec = &mut m.secs[s.index(n)];
                let k = p.index(sec.paras.len());
                sec.paras.remove(k);
            }
        }
        Edit::MovePara(s1, p1, s2, p2) => {
            if n == 0 || m.secs[s1.index(n)].paras.is_empty() {
                return;
            }
            let a = s1.index(n);
            let k = p1.index(m.secs[a].paras.len());
            let para = m.secs[a].paras.remove(k);
            let b = s2.index(n);
            let k2 = p2.index(m.secs[b].paras.len() + 1);
            m.secs[b].paras.insert(k2, para);
        }
        Edit::Rename(s, t) => {
            if n > 0 {
                m.secs[s.index(n)].title = t.clone();
            }
        }
        Edit::MoveSec(a, b) => {
            if n > 1 {
                let s = m.secs.remove(a.index(n));
                m.secs.insert(b.index(n), s);
            }
        }
        Edit::InsertSec(a, s) => m.secs.insert(a.index(n + 1), s.clone()),
        Edit::DeleteSec(a) => {
            if n > 1 {
                m.secs.remove(a.index(n));
            }
        }
        Edit::Level(a, l) => {
            if n > 0 {
                m.secs[a.index(n)].level = *l;
            }
        }
    }
}

fn check_roundtrip(a: &Document, b: &Document) -> Result<DocumentDiff, TestCaseError> {
    let diff = diff_documents(
        a,
        b,
        &DiffOptions {
            deadline: None,
            ..DiffOptions::default()
        },
    );
    let rebuilt = apply(a, &diff).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&rebuilt, &outline(b));
    // With no time at all, paragraphs are replaced whole, and the diff is still exact.
    let rushed = diff_documents(
        a,
        b,
        &DiffOptions {
            deadline: Some(std::time::Duration::ZERO),
            ..DiffOptions::default()
        },
    );
    let rebuilt = apply(a, &rushed).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&rebuilt, &outline(b));
    // Full text mode carries every paragraph and applies too.
    let full = diff_documents(
        a,
        b,
        &DiffOptions {
            deadline: None,
            full_text: true,
            ..DiffOptions::default()
        },
    );
    let rebuilt = apply(a, &full).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&rebuilt, &outline(b));
    Ok(diff)
}

fn render_all(diff: &DocumentDiff) {
    let _ = render_text(diff, true);
    let _ = render_text(diff, false);
    let _ = render_stat(diff);
    let _ = render_markdown(diff);
    let _ = render_html(diff, &super::DiffPage::default());
    let json = render_json(diff);
    let serde = serde_json::to_string(diff)
        .map(|s| s + "\n")
        .unwrap_or_default();
    assert_eq!(json, serde, "the JSON writer matches serde_json");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn apply_rebuilds_the_new_document(
        m in model(),
        edits in prop::collection::vec(edit(), 0..6),
        w1 in 20usize..100,
        w2 in 20usize..100,
    ) {
        let mut m2 = m.clone();
        for e in &edits {
            apply_edit(&mut m2, e);
        }
        let text = render(&m, w1);
        check_fast_paths(&text)?;
        let a = Document::from_text("strategi.md", &text);
        let b = Document::from_text("strategi.md", &render(&m2, w2));
        let diff = check_roundtrip(&a, &b)?;
        if edits.is_empty() {
            prop_assert!(!diff.has_changes(), "re-wrapping is no change:\n{}", render_text(&diff, false));
        }
        render_all(&diff);
    }

    #[test]
    fn markdown_like_noise_never_panics_and_still_applies(
        a in "([#=~`{}\\-*+|>. \t\r\nabcæøå1«×é–\u{301}\u{a0}\u{2003}\u{b}]|#mål|\\{#x\\}|```|---|\n\n|\n- |\n1\\. |  ){0,80}",
        b in "([#=~`{}\\-*+|>. \t\r\nabcæøå1«×é–\u{301}\u{a0}\u{2003}\u{b}]|#mål|\\{#x\\}|```|---|\n\n|\n- |\n1\\. |  ){0,80}",
    ) {
        check_fast_paths(&a)?;
        let (x, y) = (Document::from_text("a.md", &a), Document::from_text("a.md", &b));
        let _ = x.word_count() + y.word_count();
        let _ = x.section_numbers();
        let diff = check_roundtrip(&x, &y)?;
        render_all(&diff);
        let back = check_roundtrip(&y, &x)?;
        render_all(&back);
    }

    #[test]
    fn arbitrary_strings_never_panic(a in any::<String>(), b in any::<String>()) {
        let (x, y) = (Document::from_text("a.md", &a), Document::from_text("b.md", &b));
        let diff = check_roundtrip(&x, &y)?;
        render_all(&diff);
        check_fast_paths(&a)?;
    }
}
