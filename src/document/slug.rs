//! Heading slugs: the ids of headings that carry no explicit `{#id}`.

/// Turns a heading title into an id.
///
/// The rules, in order:
/// - Norwegian letters are spelled out the way Norwegian URLs do it: `æ`→`ae`,
///   `ø`→`o`, `å`→`a` (also upper case). Other Latin letters with accents or strokes
///   (Latin-1 and Latin Extended-A: `é`, `ä`, `ö`, `ü`, `ß`, Sámi `č đ ŋ š ŧ ž`, …) are
///   folded to their base letters; combining accents are dropped.
/// - Everything is lower-cased. Letters and digits of other scripts are kept as they
///   are (lower-cased), so an id may contain non-ASCII letters from non-Latin scripts.
/// - Every other run of characters (spaces, punctuation, Markdown syntax, `_`)
///   becomes a single `-`; leading and trailing hyphens are trimmed.
/// - An empty result becomes `"section"`.
///
/// ```text
/// "Mål og ambisjoner"           → "mal-og-ambisjoner"
/// "Ærlig talt: grønn økonomi!"  → "aerlig-talt-gronn-okonomi"
/// "2.1 Café"                    → "2-1-cafe"
/// "???"                         → "section"
/// ```
///
/// (Examples as plain text, so that the module's doc tests do not depend on the crate
/// name; the unit tests check them.)
pub fn slugify(title: &str) -> String {
    let mut out = String::with_capacity(title.len() + 2);
    let mut pending_hyphen = false;
    for c in title.chars() {
        if is_combining_mark(c) {
            continue;
        }
        if let Some(folded) = fold_latin(c) {
            push_word_part(&mut out, &mut pending_hyphen, folded.chars());
        } else if c.is_alphanumeric() {
            push_word_part(&mut out, &mut pending_hyphen, c.to_lowercase());
        } else {
            pending_hyphen = true;
        }
    }
    if out.is_empty() {
        out.push_str("section");
    }
    out
}

fn push_word_part(out: &mut String, pending_hyphen: &mut bool, chars: impl Iterator<Item = char>) {
    for c in chars {
        if !c.is_alphanumeric() {
            continue;
        }
        if *pending_hyphen && !out.is_empty() {
            out.push('-');
        }
        *pending_hyphen = false;
        out.push(c);
    }
}

/// True for characters in the common combining-mark blocks (a decomposed `é` is
/// `e` + U+0301). Used by the slugs and by the word tokenizer, which keeps marks
/// inside words.
pub(crate) fn is_combining_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}')
}

/// Lower-case ASCII spelling of a Latin letter, for Latin-1 and Latin Extended-A.
fn fold_latin(c: char) -> Option<&'static str> {
    let s = match c {
        'A'..='Z' | 'a'..='z' | '0'..='9' => return None,
        'Æ' | 'æ' => "ae",
        'Ø' | 'ø' => "o",
        'Å' | 'å' => "a",
        'À'..='Ä' | 'à'..='ä' => "a",
        'Ç' | 'ç' => "c",
        'È'..='Ë' | 'è'..='ë' => "e",
        'Ì'..='Ï' | 'ì'..='ï' => "i",
        'Ð' | 'ð' => "d",
        'Ñ' | 'ñ' => "n",
        'Ò'..='Ö' | 'ò'..='ö' => "o",
        'Ù'..='Ü' | 'ù'..='ü' => "u",
        'Ý' | 'ý' | 'ÿ' => "y",
        'Þ' | 'þ' => "th",
        'ß' => "ss",
        '\u{100}'..='\u{105}' => "a",
        '\u{106}'..='\u{10D}' => "c",
        '\u{10E}'..='\u{111}' => "d",
        '\u{112}'..='\u{11B}' => "e",
        '\u{11C}'..='\u{123}' => "g",
        '\u{124}'..='\u{127}' => "h",
        '\u{128}'..='\u{131}' => "i",
        '\u{132}'..='\u{133}' => "ij",
        '\u{134}'..='\u{135}' => "j",
        '\u{136}'..='\u{138}' => "k",
        '\u{139}'..='\u{142}' => "l",
        '\u{143}'..='\u{14B}' => "n",
        '\u{14C}'..='\u{151}' => "o",
        '\u{152}'..='\u{153}' => "oe",
        '\u{154}'..='\u{159}' => "r",
        '\u{15A}'..='\u{161}' => "s",
        '\u{162}'..='\u{167}' => "t",
        '\u{168}'..='\u{173}' => "u",
        '\u{174}'..='\u{175}' => "w",
        '\u{176}'..='\u{178}' => "y",
        '\u{179}'..='\u{17E}' => "z",
        '\u{17F}' => "s",
        '\u{1EE}'..='\u{1EF}' => "z",
        _ => return None,
    };
    Some(s)
}

/// Levenshtein distance over characters: how many single-character insertions,
/// deletions or substitutions turn `a` into `b` (for "did you mean" suggestions).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
