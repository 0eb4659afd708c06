//! Standalone HTML page of a diff, in the case's language.
//!
//! The page is for a person outside the secretariat (DFD reading what changed): a
//! letterhead with the case, its number and both versions with their labels and dates,
//! a legend, the changed sections with links, and per section its changed paragraphs
//! with `<del>` and `<ins>`. A paragraph that is a Markdown table is rendered as a
//! table and a block quote as a quote, with the changes inside their cells and lines,
//! so a reader sees the document rather than its source.

use std::fmt::Write as _;

use super::render::piece;
use super::{DocumentDiff, OpKind, ParagraphDiff, ParagraphStatus, SectionDiff, SectionStatus};
use crate::document::html::{case_page_start, meta_row};
use crate::model::Lang;

const CSS: &str = "
body{font:16px/1.5 Georgia,'Times New Roman',serif;max-width:46em;margin:2em auto;padding:0 1em;color:#111}
header{border-bottom:2px solid #333;margin-bottom:1.5em;padding-bottom:.5em}
.case{font:.9em sans-serif;color:#444;margin:0}
h1{font-size:1.6em;margin:.2em 0}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.1em 1em;margin:.5em 0;font:.9em sans-serif}
dl.meta dt{font-weight:bold}dl.meta dd{margin:0}
.summary{color:#444;margin:.5em 0;font:.9em sans-serif}
.legend{font:.85em sans-serif;color:#333;margin:.5em 0}
.legend span{margin-right:1em}
nav{border:1px solid #ccc;padding:.5em 1em;margin:1em 0 2em}
nav h2{font-size:1.1em;margin:.3em 0}
nav ol{margin:.3em 0;padding-left:0;list-style:none}
section{margin:2em 0;border-top:1px solid #ddd;padding-top:.5em}
h2.h{font-size:1.25em;margin:.3em 0}
.id{font:.8em monospace;color:#666}
.badge{font:bold .7em sans-serif;text-transform:uppercase;padding:.1em .4em;border:1px solid;border-radius:3px;vertical-align:middle}
.changed .badge,.badge.changed{color:#8a5a00}
.added .badge,.badge.added{color:#0a6b0a}
.removed .badge,.badge.removed{color:#a00}
.moved .badge,.badge.moved,.renamed .badge,.badge.renamed{color:#0b5394}
.notes{color:#555;font-style:italic;margin:.2em 0}
.loc{font:.75em sans-serif;color:#777;margin-top:1em}
p.t{white-space:pre-wrap;margin:.2em 0}
blockquote{margin:.3em 0 .3em 1em;padding-left:.8em;border-left:3px solid #bbb;color:#333}
table{border-collapse:collapse;margin:.4em 0;font-size:.95em}
th,td{border:1px solid #bbb;padding:.2em .5em;text-align:left;vertical-align:top}
thead th{background:#f0f0f0}
ins{background:#d7f5d7;color:#064;text-decoration:underline}
del{background:#fbd9d9;color:#900;text-decoration:line-through}
.para.inserted>.t,.para.inserted>blockquote,.para.inserted>table{border-left:3px solid #2a2;padding-left:.5em}
.para.deleted>.t,.para.deleted>blockquote,.para.deleted>table{border-left:3px solid #c22;padding-left:.5em}
@page{size:A4;margin:20mm 18mm 22mm}
@page{@bottom-center{content:counter(page) ' / ' counter(pages)}}
@media print{body{margin:0;max-width:none;font-size:11pt}nav{break-after:page}
h2{break-after:avoid}section{break-inside:avoid-page}thead{display:table-header-group}
tr{break-inside:avoid}a{color:inherit;text-decoration:none}
ins,del{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
";

pub(crate) use crate::document::html::escape as escape_html;

/// One side of a diff as the page names it: `v1`, its label and its date in words.
#[derive(Debug, Clone, Default)]
pub struct PageSide {
    /// The version's name (`v1`), `draft`, or a file's name.
    pub name: String,
    /// The version's label; empty for none.
    pub label: String,
    /// The version's date in words, in the page's language; empty for none.
    pub date: String,
}

/// What the page says around the diff: the case, its number, both sides, the language.
#[derive(Debug, Clone, Default)]
pub struct DiffPage {
    /// The case's title (or, for two files, their names).
    pub title: String,
    /// The case number (saksnummer), if any.
    pub case_number: Option<String>,
    /// The earlier side.
    pub from: PageSide,
    /// The later side.
    pub to: PageSide,
    /// The language of the page's words and of its `lang` attribute.
    pub lang: Lang,
}

/// The page's words in one language.
struct Words {
    changes: &'static str,
    from: &'static str,
    to: &'static str,
    case_number: &'static str,
    changed_sections: &'static str,
    no_changes: &'static str,
    legend: &'static str,
    inserted_text: &'static str,
    deleted_text: &'static str,
    /// Section statuses: changed, added, removed, moved, renamed.
    status: [&'static str; 5],
    /// Paragraph statuses: changed, inserted, deleted.
    para: [&'static str; 3],
    line: &'static str,
    old_line: &'static str,
    words_added: &'static str,
    words_removed: &'static str,
    budget: &'static str,
    preamble: &'static str,
    moved: &'static str,
    renamed_from: &'static str,
    id_was: &'static str,
    level: &'static str,
}

impl Words {
    fn of(lang: Lang) -> Words {
        match lang {
            Lang::Nb => Words {
                changes: "Endringer fra {from} til {to}",
                from: "Fra",
                to: "Til",
                case_number: "Saksnummer",
                changed_sections: "Endrede seksjoner",
                no_changes: "Ingen endringer.",
                legend: "Tegnforklaring",
                inserted_text: "satt inn",
                deleted_text: "strøket",
                status: ["endret", "ny", "fjernet", "flyttet", "nytt navn"],
                para: ["endret", "satt inn", "strøket"],
                line: "linje",
                old_line: "gammel linje",
                words_added: "ord satt inn",
                words_removed: "ord strøket",
                budget: "tidsgrensen ble nådd: noen avsnitt vises erstattet i sin helhet",
                preamble: "innledning i {file}",
                moved: "flyttet",
                renamed_from: "het «{old}»",
                id_was: "id var #{old}",
                level: "nivå {a} → {b}",
            },
            Lang::Nn => Words {
                changes: "Endringar frå {from} til {to}",
                from: "Frå",
                to: "Til",
                case_number: "Saksnummer",
                changed_sections: "Endra seksjonar",
                no_changes: "Ingen endringar.",
                legend: "Teiknforklaring",
                inserted_text: "sett inn",
                deleted_text: "stroke",
                status: ["endra", "ny", "fjerna", "flytta", "nytt namn"],
                para: ["endra", "sett inn", "stroke"],
                line: "linje",
                old_line: "gamal linje",
                words_added: "innsette ord",
                words_removed: "strokne ord",
                budget: "tidsgrensa vart nådd: nokre avsnitt er viste som heilt bytte ut",
                preamble: "innleiing i {file}",
                moved: "flytta",
                renamed_from: "heitte «{old}»",
                id_was: "id var #{old}",
                level: "nivå {a} → {b}",
            },
            Lang::En => Words {
                changes: "Changes from {from} to {to}",
                from: "From",
                to: "To",
                case_number: "Case number",
                changed_sections: "Changed sections",
                no_changes: "No changes.",
                legend: "Legend",
                inserted_text: "inserted",
                deleted_text: "deleted",
                status: ["changed", "added", "removed", "moved", "renamed"],
                para: ["changed", "inserted", "deleted"],
                line: "line",
                old_line: "old line",
                words_added: "words added",
                words_removed: "words removed",
                budget: "time budget reached: some paragraphs are shown replaced whole",
                preamble: "preamble of {file}",
                moved: "moved",
                renamed_from: "renamed from “{old}”",
                id_was: "id was #{old}",
                level: "level {a} → {b}",
            },
            Lang::Da => Words {
                changes: "Ændringer fra {from} til {to}",
                from: "Fra",
                to: "Til",
                case_number: "Sagsnummer",
                changed_sections: "Ændrede afsnit",
                no_changes: "Ingen ændringer.",
                legend: "Signaturforklaring",
                inserted_text: "indsat",
                deleted_text: "slettet",
                status: ["ændret", "ny", "fjernet", "flyttet", "omdøbt"],
                para: ["ændret", "indsat", "slettet"],
                line: "linje",
                old_line: "gammel linje",
                words_added: "ord indsat",
                words_removed: "ord slettet",
                budget: "tidsgrænsen blev nået: nogle afsnit vises erstattet i deres helhed",
                preamble: "indledning i {file}",
                moved: "flyttet",
                renamed_from: "hed «{old}»",
                id_was: "id var #{old}",
                level: "niveau {a} → {b}",
            },
        }
    }

    fn status(&self, s: SectionStatus) -> &'static str {
        match s {
            SectionStatus::Changed | SectionStatus::Unchanged => self.status[0],
            SectionStatus::Added => self.status[1],
            SectionStatus::Removed => self.status[2],
            SectionStatus::Moved => self.status[3],
            SectionStatus::Renamed => self.status[4],
        }
    }

    fn title(&self, s: &SectionDiff) -> String {
        if s.new_level.or(s.old_level).unwrap_or(0) == 0 {
            let file = s
                .new_file
                .as_deref()
                .or(s.old_file.as_deref())
                .unwrap_or("");
            return format!("({})", self.preamble.replace("{file}", file));
        }
        s.new_title
            .as_deref()
            .or(s.old_title.as_deref())
            .unwrap_or("")
            .to_string()
    }

    /// Notes for a section header: moved, its old title, old id, level change.
    fn notes(&self, s: &SectionDiff) -> Vec<String> {
        let mut v = Vec::new();
        if s.moved && s.status != SectionStatus::Moved {
            v.push(self.moved.to_string());
        }
        if s.renamed
            && let Some(old) = &s.old_title
        {
            v.push(self.renamed_from.replace("{old}", old));
        }
        if let Some(old_id) = &s.old_id {
            v.push(self.id_was.replace("{old}", old_id));
        }
        if s.level_changed
            && let (Some(a), Some(b)) = (s.old_level, s.new_level)
        {
            v.push(
                self.level
                    .replace("{a}", &a.to_string())
                    .replace("{b}", &b.to_string()),
            );
        }
        v
    }

    /// "Endret: 2 · Ny: 1 · …": counts as label and number, so no plural forms.
    fn summary(&self, d: &DocumentDiff) -> String {
        let s = &d.summary;
        let counts = [
            (self.status[0], s.changed),
            (self.status[1], s.added),
            (self.status[2], s.removed),
            (self.status[3], s.moved),
            (self.status[4], s.renamed),
            (self.words_added, s.words_added),
            (self.words_removed, s.words_removed),
        ];
        let mut line = counts
            .iter()
            .map(|(label, n)| format!("{}: {n}", crate::model::capitalized(label)))
            .collect::<Vec<_>>()
            .join(" · ");
        if s.deadline_reached {
            let _ = write!(line, " ({})", self.budget);
        }
        line
    }
}

/// A standalone HTML page (inline CSS, A4 print CSS) for people to read and print; see
/// the module documentation. Every piece of text from the documents and the case is
/// HTML-escaped.
pub fn render_html(diff: &DocumentDiff, page: &DiffPage) -> String {
    let e = escape_html;
    let w = Words::of(page.lang);
    let heading = w
        .changes
        .replace("{from}", &page.from.name)
        .replace("{to}", &page.to.name);
    let mut out = case_page_start(page.lang, &page.title, &heading, CSS);
    if let Some(n) = &page.case_number {
        meta_row(&mut out, w.case_number, n);
    }
    for (word, side) in [(w.from, &page.from), (w.to, &page.to)] {
        let described: Vec<&str> = [side.name.as_str(), side.label.as_str(), side.date.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
        meta_row(&mut out, word, &described.join(" – "));
    }
    let _ = write!(
        out,
        "</dl>\n<p class=\"summary\">{}</p>\n<p class=\"legend\">{}: <span><ins>{}</ins></span><span><del>{}</del></span></p>\n</header>\n",
        e(&w.summary(diff)),
        w.legend,
        w.inserted_text,
        w.deleted_text,
    );
    let shown: Vec<_> = diff
        .sections
        .iter()
        .filter(|s| s.status != SectionStatus::Unchanged)
        .collect();
    if shown.is_empty() {
        let _ = write!(
            out,
            "<main>\n<p>{}</p>\n</main>\n</body>\n</html>\n",
            w.no_changes
        );
        return out;
    }
    let _ = write!(out, "<nav>\n<h2>{}</h2>\n<ol>\n", w.changed_sections);
    for s in &shown {
        let _ = writeln!(
            out,
            "<li><a href=\"#s-{}\"><span class=\"badge {}\">{}</span> {}{}</a></li>",
            e(&s.id),
            s.status.as_str(),
            w.status(s.status),
            e(&prefix_number(&s.number)),
            e(&w.title(s)),
        );
    }
    out.push_str("</ol>\n</nav>\n<main>\n");
    for s in &shown {
        let _ = writeln!(
            out,
            "<section class=\"{}\" id=\"s-{}\">\n<h2 class=\"h\"><span class=\"badge\">{}</span> {}{} <span class=\"id\">#{}</span></h2>",
            s.status.as_str(),
            e(&s.id),
            w.status(s.status),
            e(&prefix_number(&s.number)),
            e(&w.title(s)),
            e(&s.id),
        );
        let n = w.notes(s);
        if !n.is_empty() {
            let _ = writeln!(out, "<p class=\"notes\">{}</p>", e(&n.join("; ")));
        }
        for p in &s.paragraphs {
            if p.status == ParagraphStatus::Equal && p.ops.is_empty() {
                continue;
            }
            paragraph(&mut out, &w, p);
        }
        out.push_str("</section>\n");
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// One paragraph: where it is, then its text as a table, a quote or plain text.
fn paragraph(out: &mut String, w: &Words, p: &ParagraphDiff) {
    let (idx, line, kind, word) = match p.status {
        ParagraphStatus::Deleted => (p.old_index, p.old_line, "deleted", w.para[2]),
        ParagraphStatus::Inserted => (p.new_index, p.new_line, "inserted", w.para[1]),
        ParagraphStatus::Changed => (p.new_index, p.new_line, "changed", w.para[0]),
        ParagraphStatus::Equal => (p.new_index, p.new_line, "equal", ""),
    };
    let _ = write!(out, "<div class=\"para {kind}\">");
    if p.status != ParagraphStatus::Equal {
        let _ = write!(
            out,
            "<div class=\"loc\">¶ {} · {word} · {} {}</div>",
            idx.map_or(0, |i| i + 1),
            if p.status == ParagraphStatus::Deleted {
                w.old_line
            } else {
                w.line
            },
            line.unwrap_or(0)
        );
    }
    let segs = segments(p);
    // The side the reader sees decides the shape: the old text of a deleted
    // paragraph, the new text of any other.
    let side: String = segs
        .iter()
        .filter(|s| match p.status {
            ParagraphStatus::Deleted => s.mark != Mark::Ins,
            _ => s.mark != Mark::Del,
        })
        .map(|s| s.text)
        .collect();
    if is_table(&side) {
        table(out, &segs);
    } else if side.starts_with('>') {
        out.push_str("<blockquote><p class=\"t\">");
        inline(out, &unquoted(&segs));
        out.push_str("</p></blockquote>");
    } else {
        out.push_str("<p class=\"t\">");
        inline(out, &segs);
        out.push_str("</p>");
    }
    out.push_str("</div>\n");
}

/// Whether a piece of text is unchanged, deleted or inserted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    Same,
    Del,
    Ins,
}

/// A run of a paragraph's text with one mark.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seg<'a> {
    mark: Mark,
    text: &'a str,
}

/// The paragraph's word ops as marked runs, whitespace both sides share outside the
/// marks (as the text renderer shows them).
fn segments(p: &ParagraphDiff) -> Vec<Seg<'_>> {
    let mut segs = Vec::with_capacity(p.ops.len() * 2);
    for op in &p.ops {
        match op.kind {
            OpKind::Equal => segs.push(Seg {
                mark: Mark::Same,
                text: op.new_text.as_str(),
            }),
            _ => {
                let pc = piece(op);
                for (mark, text) in [
                    (Mark::Same, pc.lead),
                    (Mark::Del, pc.old),
                    (Mark::Ins, pc.new),
                    (Mark::Same, pc.trail),
                ] {
                    if !text.is_empty() {
                        segs.push(Seg { mark, text });
                    }
                }
            }
        }
    }
    segs
}

/// Writes marked runs as escaped text in `<del>` and `<ins>`.
fn inline(out: &mut String, segs: &[Seg<'_>]) {
    for s in segs {
        let t = escape_html(s.text);
        match s.mark {
            Mark::Same => out.push_str(&t),
            Mark::Del => {
                let _ = write!(out, "<del>{t}</del>");
            }
            Mark::Ins => {
                let _ = write!(out, "<ins>{t}</ins>");
            }
        }
    }
}

/// A Markdown table: two or more lines, each starting with `|` (diff text keeps a
/// table's line breaks; see [`crate::document::tokens`]).
fn is_table(text: &str) -> bool {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines.len() >= 2 && lines.iter().all(|l| l.starts_with('|'))
}

/// Splits marked runs at every `sep` that is not escaped with a backslash, keeping
/// each piece's mark.
fn split<'a>(segs: &[Seg<'a>], sep: char) -> Vec<Vec<Seg<'a>>> {
    let mut parts = Vec::new();
    let mut part = Vec::new();
    for s in segs {
        let mut start = 0;
        let mut escaped = false;
        for (i, c) in s.text.char_indices() {
            if c == sep && !escaped {
                if i > start {
                    part.push(Seg {
                        mark: s.mark,
                        text: &s.text[start..i],
                    });
                }
                parts.push(std::mem::take(&mut part));
                start = i + c.len_utf8();
            }
            escaped = c == '\\' && !escaped;
        }
        if start < s.text.len() {
            part.push(Seg {
                mark: s.mark,
                text: &s.text[start..],
            });
        }
    }
    parts.push(part);
    parts
}

/// The text of runs, without marks.
fn plain(segs: &[Seg<'_>]) -> String {
    segs.iter().map(|s| s.text).collect()
}

/// Trims whitespace from both ends of a run list (a table cell).
fn trimmed<'a>(mut segs: Vec<Seg<'a>>) -> Vec<Seg<'a>> {
    if let Some(first) = segs.first_mut() {
        first.text = first.text.trim_start();
    }
    if let Some(last) = segs.last_mut() {
        last.text = last.text.trim_end();
    }
    segs.retain(|s| !s.text.is_empty());
    segs
}

/// A Markdown table as an HTML table: the first row is the header, the delimiter row
/// (`|---|:--:|`) is left out, and the changes stay inside their cells. A row the
/// change deleted or inserted whole is in `<del>` or `<ins>` cell by cell.
fn table(out: &mut String, segs: &[Seg<'_>]) {
    out.push_str("<table>");
    let mut header = true;
    for row in split(segs, '\n') {
        let text = plain(&row);
        let body = text.trim();
        if body.is_empty() {
            continue;
        }
        if body.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ')) && body.contains('-') {
            continue;
        }
        let mut cells = split(&row, '|');
        // The pipes at the row's ends open and close it: drop what is outside them.
        if cells.first().is_some_and(|c| plain(c).trim().is_empty()) {
            cells.remove(0);
        }
        if cells.last().is_some_and(|c| plain(c).trim().is_empty()) {
            cells.pop();
        }
        let tag = if header { "th" } else { "td" };
        if header {
            out.push_str("<thead>");
        }
        out.push_str("<tr>");
        for cell in cells {
            let _ = write!(out, "<{tag}>");
            inline(out, &trimmed(cell));
            let _ = write!(out, "</{tag}>");
        }
        out.push_str("</tr>");
        if header {
            out.push_str("</thead><tbody>");
            header = false;
        }
    }
    if !header {
        out.push_str("</tbody>");
    }
    out.push_str("</table>");
}

/// A block quote's runs without its `>` markers: the one that opens it and those that
/// began its lines, which the diff text joins with spaces (` > `). A `>` with a space
/// before and after inside a quoted line reads as a marker too, a known limit.
fn unquoted<'a>(segs: &[Seg<'a>]) -> Vec<Seg<'a>> {
    let mut out: Vec<Seg<'a>> = Vec::with_capacity(segs.len());
    let mut at_start = true;
    for s in segs {
        let mut rest = s.text;
        if at_start {
            rest = rest.trim_start_matches(['>', ' ']);
            at_start = rest.is_empty();
        }
        while let Some(i) = quote_marker(rest) {
            if i > 0 {
                out.push(Seg {
                    mark: s.mark,
                    text: &rest[..i],
                });
            }
            rest = rest[i..].trim_start_matches(['>', ' ']);
            if !rest.is_empty() {
                out.push(Seg {
                    mark: s.mark,
                    text: " ",
                });
            }
        }
        if !rest.is_empty() {
            out.push(Seg {
                mark: s.mark,
                text: rest,
            });
        }
    }
    out
}

/// The byte index of the space before a joined line's `>` marker: ` >` followed by the
/// end, a space or another `>`.
fn quote_marker(t: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(j) = t[from..].find(" >") {
        let i = from + j;
        let after = &t[i + 2..];
        if after.is_empty() || after.starts_with([' ', '>']) {
            return Some(i);
        }
        from = i + 2;
    }
    None
}

fn prefix_number(n: &str) -> String {
    if n.is_empty() {
        String::new()
    } else {
        format!("{n} ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(mark: Mark, text: &str) -> Seg<'_> {
        Seg { mark, text }
    }

    #[test]
    fn split_keeps_marks_and_escaped_pipes() {
        let segs = [
            seg(Mark::Same, "| a \\| b | c"),
            seg(Mark::Del, "x | y"),
            seg(Mark::Ins, "z"),
        ];
        let parts = split(&segs, '|');
        let texts: Vec<String> = parts.iter().map(|p| plain(p)).collect();
        assert_eq!(texts, ["", " a \\| b ", " cx ", " yz"]);
        assert_eq!(parts[2][1], seg(Mark::Del, "x "));
        assert_eq!(parts[3][1], seg(Mark::Ins, "z"));
    }

    #[test]
    fn tables_need_every_line_to_be_a_row() {
        assert!(is_table("| a | b |\n|---|---|\n| 1 | 2 |"));
        assert!(!is_table("| a | b |"));
        assert!(!is_table("| a |\ntekst"));
        assert!(!is_table("a | b\nc | d"));
    }

    #[test]
    fn quote_markers_are_dropped_where_lines_began() {
        let segs = [
            seg(Mark::Same, "> Sitat fra >"),
            seg(Mark::Ins, " den nye"),
            seg(Mark::Same, " rapporten. > > Nivå to, a >b."),
        ];
        let text: String = unquoted(&segs).iter().map(|s| s.text).collect();
        assert_eq!(text, "Sitat fra den nye rapporten. Nivå to, a >b.");
    }
}
