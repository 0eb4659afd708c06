//! The matrix as Markdown, HTML and CSV: pure functions of a [`Matrix`], every cell of
//! outside text escaped for the format.

use std::fmt::Write as _;

use crate::document::html::escape;

use super::Matrix;

/// Escapes outside text for a Markdown table cell: HTML entities, `|`, line breaks.
pub(super) fn md_cell(text: &str) -> String {
    escape(text)
        .replace('|', "\\|")
        .replace("\r\n", "<br>")
        .replace('\n', "<br>")
}

/// A Markdown table row; every cell escaped.
fn md_row<S: AsRef<str>>(cells: &[S]) -> String {
    let cells: Vec<String> = cells.iter().map(|c| md_cell(c.as_ref())).collect();
    format!("| {} |\n", cells.join(" | "))
}

/// The matrix as a Markdown document (GitHub tables): the facts, the positions, the
/// legend of decision terms, then one table per section, all with the same columns.
pub fn markdown(m: &Matrix) -> String {
    let l = &m.labels;
    let mut out = format!("# {}\n\n", md_cell(&m.title));
    for (k, v) in &m.facts {
        let _ = writeln!(out, "- **{k}:** {}", md_cell(v));
    }
    let _ = write!(out, "\n## {}\n\n{}\n\n", l.positions, md_cell(&m.summary));
    let _ = write!(
        out,
        "| {} | {} | {} | {} | {} |\n|---|---|---|---|---:|\n",
        l.party, l.name, l.position, l.answered, l.comments
    );
    for p in &m.positions {
        out.push_str(&md_row(&p.cells()));
    }
    if !m.respondents.is_empty() {
        let _ = write!(
            out,
            "\n### {}\n\n| {} | {} | {} | {} | {} |\n|---|---|---|---|---:|\n",
            super::matrix::respondents_heading(m.lang),
            l.party,
            l.name,
            l.position,
            l.answered,
            l.comments
        );
        for p in &m.respondents {
            out.push_str(&md_row(&p.cells()));
        }
    }
    let _ = write!(out, "\n## {}\n\n**{}:**\n\n", l.matrix, l.legend);
    for (term, meaning) in &m.legend {
        let _ = writeln!(out, "- *{}*: {}", md_cell(term), md_cell(meaning));
    }
    for g in &m.groups {
        let _ = write!(out, "\n### {}\n\n", md_cell(&g.title));
        out.push_str(&md_row(&l.matrix_header()));
        out.push_str("|---|---|---|---|---|---|---|\n");
        for r in &g.rows {
            out.push_str(&md_row(&r.cells()));
        }
    }
    out
}

/// Escapes outside text for HTML, line breaks shown.
fn html_text(text: &str) -> String {
    escape(text).replace('\n', "<br>\n")
}

/// An HTML table row of `tag` (`th` or `td`) cells; every cell escaped.
fn html_row<S: AsRef<str>>(tag: &str, cells: &[S]) -> String {
    let cells: String = cells
        .iter()
        .map(|c| format!("<{tag}>{}</{tag}>", html_text(c.as_ref())))
        .collect();
    format!("<tr>{cells}</tr>\n")
}

/// A `<colgroup>` of fixed widths (percent of the table), so that every part of a table
/// keeps the same columns whatever its text.
fn colgroup(widths: &[u8]) -> String {
    let cols: String = widths
        .iter()
        .map(|w| format!("<col style=\"width:{w}%\">"))
        .collect();
    format!("<colgroup>{cols}</colgroup>\n")
}

/// The widths of the matrix's columns (id, party, quote, comment, proposal, decision,
/// reasoning), in percent.
const MATRIX_WIDTHS: [u8; 7] = [8, 6, 15, 24, 16, 10, 21];

/// The widths of the positions table's columns (party, name, position, answered,
/// comments), in percent.
const POSITION_WIDTHS: [u8; 5] = [8, 40, 17, 25, 10];

/// The page's style: A4 landscape with margins, one fixed table layout, header rows
/// repeated on every printed page, rows not split across pages.
const STYLE: &str = "\
@page{size:A4 landscape;margin:15mm 12mm}\n\
body{font-family:Arial,Helvetica,sans-serif;margin:2em;line-height:1.4;color:#1a1a1a;font-size:11pt}\n\
h1{margin-top:.2em}\n\
dl.facts{display:grid;grid-template-columns:max-content auto;gap:.1em 1em}\n\
dl.facts dt{font-weight:bold} dl.facts dd{margin:0}\n\
dl.legend dt{font-style:italic;float:left;clear:left;min-width:12em}\n\
dl.legend dd{margin:0 0 0 13em}\n\
table{border-collapse:collapse;width:100%;table-layout:fixed;margin-bottom:1.5em}\n\
thead{display:table-header-group}\n\
th,td{border:1px solid #999;padding:.3em .5em;vertical-align:top;text-align:left;overflow-wrap:anywhere}\n\
thead th{background:#eee} tbody th{background:#f6f6f6}\n\
.num{text-align:right} .open{color:#a00} q{font-style:italic}\n\
tr{break-inside:avoid;page-break-inside:avoid}\n\
h2,h3{break-after:avoid;page-break-after:avoid}\n\
@media print{body{margin:0;font-size:9.5pt}}\n";

/// The matrix as a standalone HTML page, printable on A4 landscape: the summary's title
/// for the round's kind, the facts (case number, date, author, round, version,
/// deadline), the positions, the legend of decision terms, and one table of every
/// comment (a body per section, the same columns throughout, the header repeated on
/// each printed page); undecided comments marked.
pub fn html(m: &Matrix) -> String {
    let l = &m.labels;
    let title = escape(&m.title);
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{title}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<h1>{title}</h1>\n<dl class=\"facts\">\n",
        m.lang.code(),
    );
    for (k, v) in &m.facts {
        let _ = writeln!(out, "<dt>{k}</dt><dd>{}</dd>", escape(v));
    }
    let _ = write!(
        out,
        "</dl>\n<h2>{}</h2>\n<p>{}</p>\n<table class=\"positions\">\n{}<thead>\n",
        l.positions,
        escape(&m.summary),
        colgroup(&POSITION_WIDTHS)
    );
    out.push_str(&html_row(
        "th",
        &[l.party, l.name, l.position, l.answered, l.comments],
    ));
    out.push_str("</thead>\n<tbody>\n");
    for p in &m.positions {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
            html_text(&p.party),
            html_text(&p.name),
            html_text(&p.position),
            html_text(&p.answered),
            p.comments
        );
    }
    if !m.respondents.is_empty() {
        let _ = write!(
            out,
            "</tbody>\n</table>\n<h3>{}</h3>\n<table class=\"positions respondents\">\n{}<thead>\n",
            super::matrix::respondents_heading(m.lang),
            colgroup(&POSITION_WIDTHS)
        );
        out.push_str(&html_row(
            "th",
            &[l.party, l.name, l.position, l.answered, l.comments],
        ));
        out.push_str("</thead>\n<tbody>\n");
        for p in &m.respondents {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
                html_text(&p.party),
                html_text(&p.name),
                html_text(&p.position),
                html_text(&p.answered),
                p.comments
            );
        }
    }
    let _ = write!(
        out,
        "</tbody>\n</table>\n<h2>{}</h2>\n<p><strong>{}:</strong></p>\n<dl class=\"legend\">\n",
        l.matrix, l.legend
    );
    for (term, meaning) in &m.legend {
        let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", escape(term), escape(meaning));
    }
    out.push_str("</dl>\n");
    if m.groups.is_empty() {
        out.push_str("</body>\n</html>\n");
        return out;
    }
    let header = l.matrix_header();
    let _ = write!(
        out,
        "<table class=\"matrix\">\n{}<thead>\n",
        colgroup(&MATRIX_WIDTHS)
    );
    out.push_str(&html_row("th", &header));
    out.push_str("</thead>\n");
    for g in &m.groups {
        let _ = writeln!(
            out,
            "<tbody>\n<tr><th colspan=\"{}\" scope=\"colgroup\">{}</th></tr>",
            header.len(),
            escape(&g.title)
        );
        for r in &g.rows {
            // The quote in <q>, an undecided comment's decision marked.
            let quote = if r.quote.is_empty() {
                String::new()
            } else {
                format!("<q>{}</q>", html_text(&r.quote))
            };
            let class = if r.decided { "" } else { " class=\"open\"" };
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{quote}</td><td>{}</td><td>{}</td><td{class}>{}</td><td>{}</td></tr>",
                html_text(&r.id),
                html_text(&r.party),
                html_text(&r.text),
                html_text(&r.proposal),
                html_text(&r.decision),
                html_text(&r.reasoning)
            );
        }
        out.push_str("</tbody>\n");
    }
    out.push_str("</table>\n</body>\n</html>\n");
    out
}

/// One CSV field: quoted when needed (RFC 4180); a leading `=`, `+`, `-` or `@` is
/// prefixed with `'` so that a spreadsheet shows it rather than running it.
pub(super) fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r', ';']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// The field separator of [`csv`]: `,` (RFC 4180) or `;`, the separator Excel expects
/// where the decimal mark is a comma (Norwegian, Danish, most of Europe).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CsvSeparator {
    /// `,`, RFC 4180's own.
    #[default]
    Comma,
    /// `;`, for a spreadsheet with a Norwegian (or other comma-decimal) locale.
    Semicolon,
}

impl CsvSeparator {
    fn as_str(self) -> &'static str {
        match self {
            Self::Comma => ",",
            Self::Semicolon => ";",
        }
    }
}

/// The UTF-8 byte order mark that starts [`csv`]'s text, so that Excel reads the file as
/// UTF-8 rather than the locale's code page (æ, ø, å otherwise come out as mojibake).
pub const CSV_BOM: char = '\u{feff}';

/// The matrix as CSV: a UTF-8 BOM, then CRLF line ends, one line per comment, keys rather
/// than words for positions and decisions, fields separated by `sep` (and quoted when they
/// contain either separator, so the same quoting serves both).
pub fn csv(m: &Matrix, sep: CsvSeparator) -> String {
    let sep = sep.as_str();
    let header = [
        "round",
        "comment",
        "section",
        "section_title",
        "party",
        "party_name",
        "position",
        "quote",
        "comment_text",
        "proposal",
        "decision",
        "reasoning",
        "decided_by",
        "decided_at",
        "party_due",
        "party_due_moved",
    ];
    let mut out = String::new();
    out.push(CSV_BOM);
    out.push_str(&header.join(sep));
    out.push_str("\r\n");
    for g in &m.groups {
        for r in &g.rows {
            let fields = [
                m.round.as_str(),
                &r.id,
                g.section.as_deref().unwrap_or_default(),
                &g.title,
                &r.party,
                &r.party_name,
                &r.position_key,
                &r.quote,
                &r.text,
                &r.proposal,
                &r.decision_key,
                &r.reasoning,
                &r.decided_by,
                &r.decided_at,
                &r.due,
                &r.due_moved,
            ];
            let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
            out.push_str(&line.join(sep));
            out.push_str("\r\n");
        }
    }
    out
}
