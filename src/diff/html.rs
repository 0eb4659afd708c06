//! Standalone HTML page of a diff.

use std::fmt::Write as _;

use super::render::{display_title, notes, piece, summary_line};
use super::{DocumentDiff, OpKind, ParagraphStatus, SectionStatus};

const CSS: &str = "
body{font:16px/1.5 Georgia,'Times New Roman',serif;max-width:46em;margin:2em auto;padding:0 1em;color:#111}
h1{font-size:1.6em;margin-bottom:.2em}
.summary{color:#444;margin-top:0}
nav{border:1px solid #ccc;padding:.5em 1em;margin:1em 0 2em}
nav h2{font-size:1.1em;margin:.3em 0}
nav ol{margin:.3em 0;padding-left:1.5em}
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
ins{background:#d7f5d7;color:#064;text-decoration:underline}
del{background:#fbd9d9;color:#900;text-decoration:line-through}
.para.inserted p.t{border-left:3px solid #2a2;padding-left:.5em}
.para.deleted p.t{border-left:3px solid #c22;padding-left:.5em}
@media print{body{margin:0;max-width:none;font-size:11pt}nav{page-break-after:always}
section{page-break-inside:avoid}a{color:inherit;text-decoration:none}
ins,del{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
";

pub(crate) use crate::document::html::escape as escape_html;

/// A standalone HTML page (inline CSS, print-friendly) for people to read and print:
/// a table of contents of the sections that are not unchanged, linking to each, and
/// per section its changed paragraphs with `<del>` and `<ins>`. Every piece of text
/// from the documents is HTML-escaped.
pub fn render_html(diff: &DocumentDiff, title: &str) -> String {
    let e = escape_html;
    let mut out = String::with_capacity(4096);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"nb\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<header>\n<h1>{}</h1>\n<p class=\"summary\">{}</p>\n</header>\n",
        e(title),
        e(title),
        e(&summary_line(diff))
    );
    let shown: Vec<_> = diff
        .sections
        .iter()
        .filter(|s| s.status != SectionStatus::Unchanged)
        .collect();
    if shown.is_empty() {
        out.push_str("<main>\n<p>No changes.</p>\n</main>\n</body>\n</html>\n");
        return out;
    }
    out.push_str("<nav>\n<h2>Changed sections</h2>\n<ol>\n");
    for s in &shown {
        let _ = writeln!(
            out,
            "<li><a href=\"#s-{}\"><span class=\"badge {st}\">{st}</span> {}{}</a></li>",
            e(&s.id),
            e(&prefix_number(&s.number)),
            e(&display_title(s)),
            st = s.status.as_str()
        );
    }
    out.push_str("</ol>\n</nav>\n<main>\n");
    for s in &shown {
        let _ = writeln!(
            out,
            "<section class=\"{st}\" id=\"s-{}\">\n<h2 class=\"h\"><span class=\"badge\">{st}</span> {}{} <span class=\"id\">#{}</span></h2>",
            e(&s.id),
            e(&prefix_number(&s.number)),
            e(&display_title(s)),
            e(&s.id),
            st = s.status.as_str()
        );
        let n = notes(s);
        if !n.is_empty() {
            let _ = writeln!(out, "<p class=\"notes\">{}</p>", e(&n.join("; ")));
        }
        for p in &s.paragraphs {
            if p.status == ParagraphStatus::Equal && p.ops.is_empty() {
                continue;
            }
            let (idx, line, kind) = match p.status {
                ParagraphStatus::Deleted => (p.old_index, p.old_line, "deleted"),
                ParagraphStatus::Inserted => (p.new_index, p.new_line, "inserted"),
                ParagraphStatus::Changed => (p.new_index, p.new_line, "changed"),
                ParagraphStatus::Equal => (p.new_index, p.new_line, "equal"),
            };
            let _ = write!(out, "<div class=\"para {kind}\">");
            if p.status != ParagraphStatus::Equal {
                let _ = write!(
                    out,
                    "<div class=\"loc\">¶ {} · {kind} · {}line {}</div>",
                    idx.map_or(0, |i| i + 1),
                    if p.status == ParagraphStatus::Deleted {
                        "old "
                    } else {
                        ""
                    },
                    line.unwrap_or(0)
                );
            }
            out.push_str("<p class=\"t\">");
            for op in &p.ops {
                match op.kind {
                    OpKind::Equal => out.push_str(&e(&op.new_text)),
                    _ => {
                        let pc = piece(op);
                        out.push_str(&e(pc.lead));
                        if !pc.old.is_empty() {
                            let _ = write!(out, "<del>{}</del>", e(pc.old));
                        }
                        if !pc.new.is_empty() {
                            let _ = write!(out, "<ins>{}</ins>", e(pc.new));
                        }
                        out.push_str(&e(pc.trail));
                    }
                }
            }
            out.push_str("</p></div>\n");
        }
        out.push_str("</section>\n");
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn prefix_number(n: &str) -> String {
    if n.is_empty() {
        String::new()
    } else {
        format!("{n} ")
    }
}
