//! The comment-response matrix as a view model: every cell as plain text.

use crate::calendar::format_date_words;
use crate::consultation::{CommentState, PartyState, Position, RoundState};
use crate::document::Document;
use crate::model::{Config, Lang};

/// The report's words in one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Labels {
    /// The report's title ("Høringsnotat").
    pub title: &'static str,
    /// "Round".
    pub round: &'static str,
    /// "Version".
    pub version: &'static str,
    /// "Deadline".
    pub due: &'static str,
    /// The heading of the positions part.
    pub positions: &'static str,
    /// The party column.
    pub party: &'static str,
    /// The position column.
    pub position: &'static str,
    /// The column of the day a party answered.
    pub answered: &'static str,
    /// The column of the number of comments.
    pub comments: &'static str,
    /// The position of a party that did not answer.
    pub no_answer: &'static str,
    /// The summary sentence, with `{answered}`, `{total}`, `{none}` and `{missing}`.
    pub summary: &'static str,
    /// The heading of the matrix part.
    pub matrix: &'static str,
    /// The title of the group of comments on no section.
    pub general: &'static str,
    /// The quote column.
    pub quote: &'static str,
    /// The comment column.
    pub comment: &'static str,
    /// The proposed-change column.
    pub proposal: &'static str,
    /// The decision column.
    pub decision: &'static str,
    /// The reasoning column.
    pub reasoning: &'static str,
    /// The decision of a comment not yet decided.
    pub open: &'static str,
    /// What the summary says when every party answered.
    pub none: &'static str,
    /// The mark after the day of a late answer, with `{due}` (the effective deadline).
    pub late: &'static str,
}

impl Labels {
    /// The words in `lang` (Danish uses bokmål).
    pub fn of(lang: Lang) -> Labels {
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
                late: "late, due {due}",
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
                late: "for seint, frist {due}",
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
                late: "for sent, frist {due}",
            },
        }
    }

    /// The matrix's column headings: id, party, quote, comment, proposal, decision,
    /// reasoning.
    pub fn matrix_header(&self) -> [&'static str; 7] {
        [
            "#",
            self.party,
            self.quote,
            self.comment,
            self.proposal,
            self.decision,
            self.reasoning,
        ]
    }
}

/// The comment-response matrix of a round, every cell as plain (unescaped) text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix {
    /// The language of the words.
    pub lang: Lang,
    /// The words.
    pub labels: Labels,
    /// The round's id.
    pub round: String,
    /// The labelled title: "Høringsnotat: " and the case's title.
    pub title: String,
    /// The facts under the title: (label, value) for round, version and deadline.
    pub facts: Vec<(String, String)>,
    /// One sentence: how many answered, how many had no comments, who did not answer.
    pub summary: String,
    /// One row per recipient, in the round's order.
    pub positions: Vec<PositionRow>,
    /// The comments by section: general first, then in document order, then comments
    /// on sections the version does not have.
    pub groups: Vec<Group>,
}

/// A recipient's row in the positions table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PositionRow {
    /// The party's code.
    pub party: String,
    /// Its name.
    pub name: String,
    /// Its position in words, or "no answer".
    pub position: String,
    /// The day (Oslo time, `YYYY-MM-DD`) it answered, by the reply's own date, or
    /// empty; a late answer is marked ("2025-12-24 (late, due 2025-12-22)").
    pub answered: String,
    /// Whether the answer came after the party's effective deadline.
    pub late: bool,
    /// How many comments it gave.
    pub comments: usize,
}

impl PositionRow {
    /// The row's cells: party, name, position, answered, comments.
    pub fn cells(&self) -> [String; 5] {
        [
            self.party.clone(),
            self.name.clone(),
            self.position.clone(),
            self.answered.clone(),
            self.comments.to_string(),
        ]
    }
}

/// The comments on one section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The section's id, `None` for general comments.
    pub section: Option<String>,
    /// Its number and title ("2.1 Mål"), or the general comments' label, or the id
    /// of a section the version does not have.
    pub title: String,
    /// The comments, in the order recorded.
    pub rows: Vec<Row>,
}

/// One comment's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The comment's id.
    pub id: String,
    /// The party's code.
    pub party: String,
    /// The party's name.
    pub party_name: String,
    /// The party's current position as its key (`comments`, `no-comments`, …), or
    /// empty.
    pub position_key: String,
    /// The quoted passage, or empty.
    pub quote: String,
    /// The comment.
    pub text: String,
    /// The proposed change, or empty.
    pub proposal: String,
    /// Whether the comment has a decision.
    pub decided: bool,
    /// The decision in words, or "not decided".
    pub decision: String,
    /// The decision as its key, or empty.
    pub decision_key: String,
    /// The decision's reasoning, or empty.
    pub reasoning: String,
    /// Who decided, or empty.
    pub decided_by: String,
    /// The day (UTC, `YYYY-MM-DD`) it was decided, or empty.
    pub decided_at: String,
    /// The party's deadline that applies (`YYYY-MM-DD`), or empty when the party is
    /// not a recipient.
    pub due: String,
    /// Why the party's deadline was moved to `due` ("moved from 2026-05-25, Whit
    /// Monday", in the report's language), or empty.
    pub due_moved: String,
}

impl Row {
    /// The matrix's cells: id, party, quote, comment, proposal, decision, reasoning.
    pub fn cells(&self) -> [String; 7] {
        [
            self.id.clone(),
            self.party.clone(),
            self.quote.clone(),
            self.text.clone(),
            self.proposal.clone(),
            self.decision.clone(),
            self.reasoning.clone(),
        ]
    }
}

impl Matrix {
    /// The matrix of `round` in the case's language, from its `comments` (folded with
    /// their decisions) and the round's `document` (for section order, numbers and
    /// titles).
    pub fn build(
        config: &Config,
        round: &RoundState,
        comments: &[CommentState],
        document: &Document,
    ) -> Matrix {
        let lang = config.case.lang;
        let labels = Labels::of(lang);
        let d = &round.def;
        let positions = round
            .parties
            .iter()
            .map(|p| PositionRow {
                party: p.party.to_string(),
                name: config.party_name(&p.party),
                position: match p.position {
                    Some(pos) => pos.words(lang).to_string(),
                    None => labels.no_answer.to_string(),
                },
                answered: answered_cell(&labels, p),
                late: p.position.is_some() && p.late,
                comments: comments
                    .iter()
                    .filter(|c| c.record.party == p.party)
                    .count(),
            })
            .collect();
        let row = |c: &CommentState| row(config, round, lang, &labels, c);
        Matrix {
            lang,
            labels,
            round: d.id.to_string(),
            title: format!("{}: {}", labels.title, config.case.title),
            facts: vec![
                (labels.round.to_string(), format!("{} ({})", d.title, d.id)),
                (labels.version.to_string(), d.version.to_string()),
                (
                    labels.due.to_string(),
                    match &round.due_moved {
                        Some(m) => format!(
                            "{} ({})",
                            format_date_words(round.effective_due, lang),
                            m.note_in(lang)
                        ),
                        None => format_date_words(round.effective_due, lang),
                    },
                ),
            ],
            summary: summary(&labels, &round.parties),
            positions,
            groups: groups(&labels, comments, document, row),
        }
    }
}

/// The day a party answered (Oslo time), a late answer marked.
pub(super) fn answered_cell(l: &Labels, p: &PartyState) -> String {
    let Some(t) = p.received.filter(|_| p.position.is_some()) else {
        return String::new();
    };
    let day = t
        .to_zoned_datetime(crate::calendar::oslo())
        .date()
        .to_string();
    if p.late {
        format!(
            "{day} ({})",
            l.late.replace("{due}", &p.effective_due.to_string())
        )
    } else {
        day
    }
}

/// The summary sentence.
fn summary(l: &Labels, parties: &[PartyState]) -> String {
    let answered = parties.iter().filter(|p| p.position.is_some()).count();
    let none = parties
        .iter()
        .filter(|p| p.position == Some(Position::NoComments))
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

/// One comment's row.
fn row(config: &Config, round: &RoundState, lang: Lang, l: &Labels, c: &CommentState) -> Row {
    let r = &c.record;
    let party = round.parties.iter().find(|p| p.party == r.party);
    let (decision, reasoning) = match &c.decision {
        Some(d) => (
            d.decision.words(lang).to_string(),
            d.note.clone().unwrap_or_default(),
        ),
        None => (l.open.to_string(), String::new()),
    };
    Row {
        id: r.id.to_string(),
        party: r.party.to_string(),
        party_name: config.party_name(&r.party),
        position_key: round
            .parties
            .iter()
            .find(|p| p.party == r.party)
            .and_then(|p| p.position)
            .map(|p| p.key().to_string())
            .unwrap_or_default(),
        quote: r
            .anchor
            .as_ref()
            .map(|a| a.quote.clone())
            .unwrap_or_default(),
        text: r.text.clone(),
        proposal: r.proposal.clone().unwrap_or_default(),
        decided: c.decision.is_some(),
        decision,
        decision_key: c
            .decision
            .as_ref()
            .map(|d| d.decision.key().to_string())
            .unwrap_or_default(),
        reasoning,
        decided_by: c
            .decision
            .as_ref()
            .map(|d| d.by.to_string())
            .unwrap_or_default(),
        decided_at: c
            .decision
            .as_ref()
            .map(|d| d.at.strftime("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        due: party
            .map(|p| p.effective_due.to_string())
            .unwrap_or_default(),
        due_moved: party
            .and_then(|p| p.due_moved.as_ref())
            .map(|m| m.note_in(lang))
            .unwrap_or_default(),
    }
}

/// The comments by section: general first, then in document order, then comments on
/// sections the document does not have (a hand-made record), which still show.
fn groups(
    l: &Labels,
    comments: &[CommentState],
    doc: &Document,
    row: impl Fn(&CommentState) -> Row,
) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    let general: Vec<Row> = comments
        .iter()
        .filter(|c| c.record.section.is_none())
        .map(&row)
        .collect();
    if !general.is_empty() {
        groups.push(Group {
            section: None,
            title: l.general.to_string(),
            rows: general,
        });
    }
    let numbers = doc.section_numbers();
    for (i, s) in doc.sections.iter().enumerate() {
        let here: Vec<Row> = comments
            .iter()
            .filter(|c| c.record.section.as_deref() == Some(s.id.as_str()))
            .map(&row)
            .collect();
        if !here.is_empty() {
            let title = match numbers.get(i).filter(|n| !n.is_empty()) {
                Some(n) => format!("{n} {}", s.title),
                None => s.title.clone(),
            };
            groups.push(Group {
                section: Some(s.id.clone()),
                title,
                rows: here,
            });
        }
    }
    for c in comments {
        let Some(id) = c
            .record
            .section
            .as_ref()
            .filter(|s| doc.section(s).is_none())
        else {
            continue;
        };
        match groups
            .iter_mut()
            .find(|g| g.section.as_deref() == Some(id.as_str()))
        {
            Some(g) => g.rows.push(row(c)),
            None => groups.push(Group {
                section: Some(id.clone()),
                title: id.clone(),
                rows: vec![row(c)],
            }),
        }
    }
    groups
}
