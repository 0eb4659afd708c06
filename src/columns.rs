//! Text in terminal columns: how wide a string shows, and how to cut it with an
//! ellipsis or pad it to a column by that width, never by bytes or `char`s.
//!
//! A terminal shows `æ`, `ø` and `å` in one column each (two bytes in UTF-8), an `e`
//! with a combining acute accent (`e\u{301}`, two `char`s) in one, and a CJK character or
//! most emoji in two. `format!("{:<24}")` and `chars().take(n)` count `char`s, so a table
//! with such names goes out of line, and a cut can fall between a letter and its accent.
//! Here the unit is the grapheme cluster (what a reader sees as one character, UAX #29,
//! `unicode-segmentation`) with its width in columns (UAX #11, `unicode-width`): a cut
//! never splits one, and a wide one that does not fit is left out whole and its column
//! padded. Every table the command layer prints cuts and pads through this module.

use std::borrow::Cow;

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// The ellipsis that marks a cut (one column).
pub const ELLIPSIS: char = '…';

/// The columns `s` takes on a terminal.
pub fn width(s: &str) -> usize {
    s.graphemes(true).map(grapheme_width).sum()
}

/// The columns of one grapheme cluster. A cluster is at most two columns wide: an emoji
/// ZWJ sequence (👩‍💻) or a flag (🇳🇴) shows as one wide character, not as the sum of
/// its parts.
fn grapheme_width(g: &str) -> usize {
    g.width().min(2)
}

/// `s` cut to at most `columns` columns: unchanged when it fits, otherwise as many whole
/// grapheme clusters as fit before an ellipsis (`…`), so the result with the ellipsis
/// is at most `columns` wide.
pub fn cut(s: &str, columns: usize) -> Cow<'_, str> {
    if width(s) <= columns {
        return Cow::Borrowed(s);
    }
    if columns == 0 {
        return Cow::Borrowed("");
    }
    let room = columns - 1;
    let mut used = 0;
    let mut end = 0;
    for (i, g) in s.grapheme_indices(true) {
        let w = grapheme_width(g);
        if used + w > room {
            break;
        }
        used += w;
        end = i + g.len();
    }
    // No space before the ellipsis: "Digitaliserings…", not "Digitaliserings …".
    let kept = s[..end].trim_end();
    let mut out = String::with_capacity(kept.len() + ELLIPSIS.len_utf8());
    out.push_str(kept);
    out.push(ELLIPSIS);
    Cow::Owned(out)
}

/// `s` padded with spaces to `columns` columns (left-aligned); unchanged when it is
/// already as wide or wider. For values that must stay whole (ids, codes).
pub fn pad(s: &str, columns: usize) -> String {
    let w = width(s);
    let mut out = String::with_capacity(s.len() + columns.saturating_sub(w));
    out.push_str(s);
    out.extend(std::iter::repeat_n(' ', columns.saturating_sub(w)));
    out
}

/// `s` in a column of exactly `columns` columns: cut with an ellipsis when it is wider
/// ([`cut`]), padded with spaces when it is narrower ([`pad`]).
pub fn fit(s: &str, columns: usize) -> String {
    pad(&cut(s, columns), columns)
}

/// The widest of `items` in columns, at most `max`: the width of a table's column.
pub fn column_width(items: impl IntoIterator<Item = impl AsRef<str>>, max: usize) -> usize {
    items
        .into_iter()
        .map(|s| width(s.as_ref()))
        .max()
        .unwrap_or(0)
        .min(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn width_counts_columns_not_bytes_or_chars() {
        assert_eq!(width(""), 0);
        assert_eq!(width("DFD"), 3);
        // Norwegian letters: two bytes each, one column each.
        assert_eq!("Blåøyd ærfugl".len(), 16);
        assert_eq!(width("Blåøyd ærfugl"), 13);
        // A combining acute accent adds no column: "é" written as e + U+0301.
        let combining = "Kafe\u{301}en";
        assert_eq!(combining.chars().count(), 7);
        assert_eq!(width(combining), 6);
        // Sámi with a combining caron (č as c + U+030C).
        assert_eq!(width("Sa\u{301}pmi c\u{30c}"), 7);
        // CJK and emoji: two columns each.
        assert_eq!(width("日本語"), 6);
        assert_eq!(width("ok 👍"), 5);
        // One emoji made of several (ZWJ sequence, flag): one wide character.
        assert_eq!(width("👩\u{200d}💻"), 2);
        assert_eq!(width("🇳🇴"), 2);
    }

    #[test]
    fn cut_keeps_text_that_fits() {
        assert!(matches!(cut("Finansdepartementet", 19), Cow::Borrowed(_)));
        assert_eq!(cut("Finansdepartementet", 30), "Finansdepartementet");
        assert_eq!(cut("", 0), "");
        assert_eq!(cut("abc", 0), "");
    }

    #[test]
    fn cut_ends_with_an_ellipsis_within_the_width() {
        assert_eq!(cut("Finansdepartementet", 10), "Finansdep…");
        assert_eq!(width(&cut("Finansdepartementet", 10)), 10);
        assert_eq!(
            cut("Kommunal- og distriktsdepartementet", 12),
            "Kommunal- o…"
        );
        // No space left dangling before the ellipsis.
        assert_eq!(cut("Kommunal- og distriktsdepartementet", 10), "Kommunal-…");
        assert_eq!(cut("Frist for svar", 7), "Frist…");
        assert_eq!(cut("ab", 1), "…");
    }

    #[test]
    fn cut_counts_norwegian_letters_as_one_column() {
        let s = "Nærings- og fiskeridepartementet";
        let c = cut(s, 12);
        assert_eq!(c, "Nærings- og…");
        assert_eq!(width(&c), 12);
        assert_eq!(cut("Øvre Åsen gård", 8), "Øvre Ås…");
    }

    #[test]
    fn cut_never_splits_a_letter_from_its_accent() {
        // "Kafe\u{301}en" cut to five columns keeps e + accent together.
        let c = cut("Kafe\u{301}en og bar", 6);
        assert_eq!(c, "Kafe\u{301}e…");
        assert_eq!(width(&c), 6);
        let c = cut("Kafe\u{301}en og bar", 5);
        assert_eq!(c, "Kafe\u{301}…");
        // The accent did not end up alone at the start of nothing.
        assert!(c.ends_with("e\u{301}…"), "{c:?}");
    }

    #[test]
    fn cut_leaves_out_a_wide_character_that_does_not_fit() {
        // Three wide characters are six columns; five columns hold two and the ellipsis.
        assert_eq!(cut("日本語です", 5), "日本…");
        // Four columns: one wide (2) + ellipsis (1) = 3; the next would make 5.
        let c = cut("日本語です", 4);
        assert_eq!(c, "日…");
        assert_eq!(width(&c), 3);
        assert_eq!(cut("👩\u{200d}💻👩\u{200d}💻 team", 4), "👩\u{200d}💻…");
        assert_eq!(cut("👍👍👍", 2), "…");
    }

    #[test]
    fn pad_and_fit_make_columns_line_up() {
        assert_eq!(pad("FIN", 5), "FIN  ");
        assert_eq!(pad("Blåøyd", 8), "Blåøyd  ");
        assert_eq!(pad("日本", 6), "日本  ");
        // Wider than the column: whole, not cut.
        assert_eq!(pad("strategi", 3), "strategi");
        for s in [
            "Nærings- og fiskeridepartementet",
            "Kafe\u{301}en",
            "日本語です",
            "👩\u{200d}💻 team",
            "x",
            "",
        ] {
            for columns in 0..12 {
                let f = fit(s, columns);
                assert_eq!(width(&f), columns, "fit({s:?}, {columns}) = {f:?}");
            }
        }
        // A wide character left out at the cut leaves its column as a space.
        assert_eq!(fit("日本語です", 4), "日… ");
        assert_eq!(fit("Kafe\u{301}", 6), "Kafe\u{301}  ");
    }

    #[test]
    fn column_width_is_the_widest_item_capped() {
        assert_eq!(column_width(["FIN", "Blåøyd", "日本"], 40), 6);
        assert_eq!(column_width(["Nærings- og fiskeridepartementet"], 20), 20);
        assert_eq!(column_width(std::iter::empty::<&str>(), 20), 0);
    }
}
