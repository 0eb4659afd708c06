//! `strategi report R --format markdown|html|csv [--out F]`: the comment-response matrix
//! of a round (the høringsnotat's core), in the case's language.
//!
//! The report has two parts: the positions (who answered what, who had no comments, who
//! did not answer) and the matrix (every comment, ordered by the section it is about in
//! document order, general comments first, with quote, comment, proposal, decision and
//! reasoning). Everything that came from outside (names, quotes, comments) is escaped
//! for the format: HTML entities in HTML and Markdown (so `<script>` shows as text in
//! any Markdown viewer), `|` in Markdown tables, RFC 4180 quoting in CSV, and cells
//! that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`) are prefixed with `'`.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;

use strategi::calendar::format_date_words;
use strategi::consultation::{CommentState, PartyState, RoundState};
use strategi::document::html::escape;
use strategi::model::{Config, Lang};

use super::comment::{all_comments, round_document};
use super::{CommandError, Ctx, Ui};

/// Write the comment-response matrix of a round: positions per party, then every
/// comment by section with its decision and reasoning. In the case's language (bokmål,
/// nynorsk or English).
///
/// Example: strategi report latest --format html --out hoeringsnotat.html
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The round's id (or the start of it, or "latest").
    pub round: String,
    /// markdown, html or csv.
    #[arg(long, default_value = "markdown")]
    pub format: String,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Markdown,
    Html,
    Csv,
}

/// The report's words in one language.
struct Labels {
    title: &'static str,
    round: &'static str,
    version: &'static str,
    due: &'static str,
    positions: &'static str,
    party: &'static str,
    position: &'static str,
    answered: &'static str,
    comments: &'static str,
    no_answer: &'static str,
    summary: &'static str,
    matrix: &'static str,
    general: &'static str,
    quote: &'static str,
    comment: &'static str,
    proposal: &'static str,
    decision: &'static str,
    reasoning: &'static str,
    open: &'static str,
    none: &'static str,
}

fn labels(lang: Lang) -> Labels {
    match lang {
        Lang::En => Labels {
            title: "Consultation report",
            round: "Round",
            version: "Version",
            due: "Deadline",
            positions: "Positions",
            party: "Party",
            position: "Position",
            answered: "Answered",
            comments: "Comments",
            no_answer: "no answer",
            summary: "{answered} of {total} answered; {none} with no comments; not answered: {missing}.",
            matrix: "Comments and decisions",
            general: "General comments",
            quote: "Quote",
            comment: "Comment",
            proposal: "Proposed change",
            decision: "Decision",
            reasoning: "Reasoning",
            open: "not decided",
            none: "none",
        },
        Lang::Nn => Labels {
            title: "Høyringsnotat",
            round: "Runde",
            version: "Versjon",
            due: "Frist",
            positions: "Standpunkt",
            party: "Part",
            position: "Standpunkt",
            answered: "Svart",
            comments: "Merknader",
            no_answer: "ikkje svart",
            summary: "{answered} av {total} har svart; {none} utan merknader; ikkje svart: {missing}.",
            matrix: "Merknader og vurderingar",
            general: "Generelle merknader",
            quote: "Sitat",
            comment: "Merknad",
            proposal: "Forslag til endring",
            decision: "Vurdering",
            reasoning: "Grunngiving",
            open: "ikkje vurdert",
            none: "ingen",
        },
        Lang::Nb | Lang::Da => Labels {
            title: "Høringsnotat",
            round: "Runde",
            version: "Versjon",
            due: "Frist",
            positions: "Standpunkter",
            party: "Part",
            position: "Standpunkt",
            answered: "Svart",
            comments: "Merknader",
            no_answer: "ikke svart",
            summary: "{answered} av {total} har svart; {none} uten merknader; ikke svart: {missing}.",
            matrix: "Merknader og vurderinger",
            general: "Generelle merknader",
            quote: "Sitat",
            comment: "Merknad",
            proposal: "Forslag til endring",
            decision: "Vurdering",
            reasoning: "Begrunnelse",
            open: "ikke vurdert",
            none: "ingen",
        },
    }
}

/// The report's content, independent of format.
struct Report<'a> {
    config: &'a Config,
    round: &'a RoundState,
    lang: Lang,
    /// (section id, section title, comments), in document order; general first.
    groups: Vec<(Option<String>, String, Vec<&'a CommentState>)>,
    comments: &'a [CommentState],
}

/// Runs `report`.
pub fn run(ctx: &mut Ctx, ui: &mut Ui, args: &ReportArgs) -> Result<(), CommandError> {
    let format = match args.format.trim() {
        "markdown" | "md" => Format::Markdown,
        "html" => Format::Html,
        "csv" => Format::Csv,
        other => {
            return Err(CommandError::usage(format!(
                "\"{other}\" is not a report format; use markdown, html or csv."
            )));
        }
    };
    let ws = ctx.workspace()?;
    let config = ws.config()?;
    let mut rounds = all_comments(ctx, &ws, &config, Some(&args.round))?;
    let Some((round, comments)) = rounds.pop() else {
        return Err(CommandError::internal(
            "The round vanished while reading it.",
        ));
    };
    for f in &comments.findings {
        ui.warn(format!(
            "{}: {} (left out; run `strategi verify`)",
            f.path, f.message
        ));
    }
    let doc = round_document(&ws, &round)?;
    let lang = config.case.lang;
    let l = labels(lang);
    let mut groups: Vec<(Option<String>, String, Vec<&CommentState>)> = Vec::new();
    let general: Vec<&CommentState> = comments
        .comments
        .iter()
        .filter(|c| c.record.section.is_none())
        .collect();
    if !general.is_empty() {
        groups.push((None, l.general.to_string(), general));
    }
    let numbers = doc.section_numbers();
    for (i, s) in doc.sections.iter().enumerate() {
        let here: Vec<&CommentState> = comments
            .comments
            .iter()
            .filter(|c| c.record.section.as_deref() == Some(s.id.as_str()))
            .collect();
        if !here.is_empty() {
            let number = numbers.get(i).filter(|n| !n.is_empty());
            let title = match number {
                Some(n) => format!("{n} {}", s.title),
                None => s.title.clone(),
            };
            groups.push((Some(s.id.clone()), title, here));
        }
    }
    // Comments on sections the version does not have (a hand-made record) still show.
    let orphans: Vec<&CommentState> = comments
        .comments
        .iter()
        .filter(|c| {
            c.record
                .section
                .as_ref()
                .is_some_and(|s| doc.section(s).is_none())
        })
        .collect();
    for c in orphans {
        let id = c.record.section.clone().unwrap_or_default();
        match groups
            .iter_mut()
            .find(|g| g.0.as_deref() == Some(id.as_str()))
        {
            Some(g) => g.2.push(c),
            None => groups.push((Some(id.clone()), id, vec![c])),
        }
    }
    let report = Report {
        config: &config,
        round: &round,
        lang,
        groups,
        comments: &comments.comments,
    };
    let text = match format {
        Format::Markdown => markdown(&report),
        Format::Html => html(&report),
        Format::Csv => csv(&report),
    };
    match &args.out {
        Some(path) => {
            let path = ctx.start_dir().join(path);
            strategi::store::atomic_write(&path, text.as_bytes())?;
            ui.emit(
                &serde_json::json!({ "round": round.def.id, "format": args.format, "out": path, "comments": comments.comments.len() }),
                |w| writeln!(w, "Wrote the report of round {} ({} comments) to {}.", round.def.id, comments.comments.len(), path.display()),
            )
        }
        None if ui.is_json() => ui.emit(
            &serde_json::json!({ "round": round.def.id, "format": args.format, "report": text }),
            |_| Ok(()),
        ),
        None => ui.print_raw(&text),
    }
}

fn position_of(r: &Report<'_>, p: &PartyState) -> String {
    match p.position {
        Some(pos) => pos.words(r.lang).to_string(),
        None => labels(r.lang).no_answer.to_string(),
    }
}

fn count_comments(r: &Report<'_>, p: &PartyState) -> usize {
    r.comments
        .iter()
        .filter(|c| c.record.party == p.party)
        .count()
}

fn summary(r: &Report<'_>) -> String {
    let l = labels(r.lang);
    let parties = &r.round.parties;
    let answered = parties.iter().filter(|p| p.position.is_some()).count();
    let none = parties
        .iter()
        .filter(|p| p.position == Some(strategi::consultation::Position::NoComments))
        .count();
    let missing: Vec<&str> = parties
        .iter()
        .filter(|p| p.position.is_none())
        .map(|p| p.party.as_str())
        .collect();
    l.summary
        .replace("{answered}", &answered.to_string())
        .replace("{total}", &parties.len().to_string())
        .replace("{none}", &none.to_string())
        .replace(
            "{missing}",
            &if missing.is_empty() {
                l.none.to_string()
            } else {
                missing.join(", ")
            },
        )
}

fn heading(r: &Report<'_>) -> (String, Vec<(String, String)>) {
    let l = labels(r.lang);
    let d = &r.round.def;
    (
        format!("{}: {}", l.title, r.config.case.title),
        vec![
            (l.round.to_string(), format!("{} ({})", d.title, d.id)),
            (l.version.to_string(), d.version.to_string()),
            (l.due.to_string(), format_date_words(d.due, r.lang)),
        ],
    )
}

fn decision_cells(r: &Report<'_>, c: &CommentState) -> (String, String) {
    match &c.decision {
        Some(d) => (
            d.decision.words(r.lang).to_string(),
            d.note.clone().unwrap_or_default(),
        ),
        None => (labels(r.lang).open.to_string(), String::new()),
    }
}

/// Escapes outside text for a Markdown table cell: HTML entities, `|`, line breaks.
fn md_cell(text: &str) -> String {
    escape(text)
        .replace('|', "\\|")
        .replace("\r\n", "<br>")
        .replace('\n', "<br>")
}

/// The positions table's cells for one party, as plain text.
fn position_row(r: &Report<'_>, p: &PartyState) -> [String; 5] {
    [
        p.party.to_string(),
        r.config.party_name(&p.party),
        position_of(r, p),
        p.answered
            .map(|t| t.strftime("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        count_comments(r, p).to_string(),
    ]
}

/// The matrix's cells for one comment, as plain text: id, party, quote, comment,
/// proposal, decision, reasoning.
fn matrix_row(r: &Report<'_>, c: &CommentState) -> [String; 7] {
    let (decision, note) = decision_cells(r, c);
    [
        c.record.id.to_string(),
        c.record.party.to_string(),
        c.record
            .anchor
            .as_ref()
            .map(|a| a.quote.clone())
            .unwrap_or_default(),
        c.record.text.clone(),
        c.record.proposal.clone().unwrap_or_default(),
        decision,
        note,
    ]
}

fn matrix_header(l: &Labels) -> [&'static str; 7] {
    [
        "#",
        l.party,
        l.quote,
        l.comment,
        l.proposal,
        l.decision,
        l.reasoning,
    ]
}

/// A Markdown table row; every cell escaped.
fn md_row<S: AsRef<str>>(cells: &[S]) -> String {
    let cells: Vec<String> = cells.iter().map(|c| md_cell(c.as_ref())).collect();
    format!("| {} |\n", cells.join(" | "))
}

fn markdown(r: &Report<'_>) -> String {
    let l = labels(r.lang);
    let (title, facts) = heading(r);
    let mut out = format!("# {}\n\n", md_cell(&title));
    for (k, v) in facts {
        let _ = writeln!(out, "- **{k}:** {}", md_cell(&v));
    }
    let _ = write!(out, "\n## {}\n\n{}\n\n", l.positions, md_cell(&summary(r)));
    let _ = write!(
        out,
        "| {} | | {} | {} | {} |\n|---|---|---|---|---:|\n",
        l.party, l.position, l.answered, l.comments
    );
    for p in &r.round.parties {
        out.push_str(&md_row(&position_row(r, p)));
    }
    let _ = write!(out, "\n## {}\n", l.matrix);
    for (_, title, comments) in &r.groups {
        let _ = write!(out, "\n### {}\n\n", md_cell(title));
        out.push_str(&md_row(&matrix_header(&l)));
        out.push_str("|---|---|---|---|---|---|---|\n");
        for c in comments {
            out.push_str(&md_row(&matrix_row(r, c)));
        }
    }
    out
}

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

fn html(r: &Report<'_>) -> String {
    let l = labels(r.lang);
    let (title, facts) = heading(r);
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n\
body{{font-family:Arial,Helvetica,sans-serif;margin:2em;line-height:1.4;color:#1a1a1a}}\n\
table{{border-collapse:collapse;width:100%;margin-bottom:1.5em}}\n\
th,td{{border:1px solid #999;padding:.3em .5em;vertical-align:top;text-align:left}}\n\
th{{background:#eee}} .open{{color:#a00}} q{{font-style:italic}}\n\
@media print{{body{{margin:0}} tr{{page-break-inside:avoid}}}}\n</style>\n</head>\n<body>\n<h1>{}</h1>\n<dl>\n",
        r.lang.code(),
        escape(&title),
        escape(&title)
    );
    for (k, v) in facts {
        let _ = writeln!(out, "<dt>{k}</dt><dd>{}</dd>", escape(&v));
    }
    let _ = write!(
        out,
        "</dl>\n<h2>{}</h2>\n<p>{}</p>\n<table>\n",
        l.positions,
        escape(&summary(r))
    );
    out.push_str(&html_row(
        "th",
        &[l.party, "", l.position, l.answered, l.comments],
    ));
    for p in &r.round.parties {
        out.push_str(&html_row("td", &position_row(r, p)));
    }
    let _ = write!(out, "</table>\n<h2>{}</h2>\n", l.matrix);
    for (_, title, comments) in &r.groups {
        let _ = write!(out, "<h3>{}</h3>\n<table>\n", escape(title));
        out.push_str(&html_row("th", &matrix_header(&l)));
        for c in comments {
            // The quote in <q>, an undecided comment's decision marked.
            let [id, party, quote, text, proposal, decision, note] = matrix_row(r, c);
            let quote = if quote.is_empty() {
                String::new()
            } else {
                format!("<q>{}</q>", html_text(&quote))
            };
            let class = if c.decision.is_none() {
                " class=\"open\""
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{quote}</td><td>{}</td><td>{}</td><td{class}>{}</td><td>{}</td></tr>",
                html_text(&id),
                html_text(&party),
                html_text(&text),
                html_text(&proposal),
                html_text(&decision),
                html_text(&note)
            );
        }
        out.push_str("</table>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// One CSV field: quoted when needed (RFC 4180); a leading `=`, `+`, `-` or `@` is
/// prefixed with `'` so that a spreadsheet shows it rather than running it.
fn csv_field(text: &str) -> String {
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

fn csv(r: &Report<'_>) -> String {
    let mut out = String::from(
        "round,comment,section,section_title,party,party_name,position,quote,comment_text,proposal,decision,reasoning,decided_by,decided_at\r\n",
    );
    for (section, title, comments) in &r.groups {
        for c in comments {
            let party = r.round.parties.iter().find(|p| p.party == c.record.party);
            let fields = [
                r.round.def.id.to_string(),
                c.record.id.to_string(),
                section.clone().unwrap_or_default(),
                title.clone(),
                c.record.party.to_string(),
                r.config.party_name(&c.record.party),
                party
                    .and_then(|p| p.position)
                    .map(|p| p.key().to_string())
                    .unwrap_or_default(),
                c.record
                    .anchor
                    .as_ref()
                    .map(|a| a.quote.clone())
                    .unwrap_or_default(),
                c.record.text.clone(),
                c.record.proposal.clone().unwrap_or_default(),
                c.decision
                    .as_ref()
                    .map(|d| d.decision.key().to_string())
                    .unwrap_or_default(),
                c.decision
                    .as_ref()
                    .and_then(|d| d.note.clone())
                    .unwrap_or_default(),
                c.decision
                    .as_ref()
                    .map(|d| d.by.to_string())
                    .unwrap_or_default(),
                c.decision
                    .as_ref()
                    .map(|d| d.at.strftime("%Y-%m-%d").to_string())
                    .unwrap_or_default(),
            ];
            let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
            out.push_str(&line.join(","));
            out.push_str("\r\n");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_neutralised() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-1"), "'-1");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn markdown_cells_cannot_break_the_table_or_inject_html() {
        assert_eq!(md_cell("a | b"), "a \\| b");
        assert_eq!(
            md_cell("<script>x</script>"),
            "&lt;script&gt;x&lt;/script&gt;"
        );
        assert_eq!(md_cell("one\ntwo"), "one<br>two");
    }
}
