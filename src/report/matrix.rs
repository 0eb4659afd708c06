//! The comment-response matrix as a view model: every cell as plain text.

use jiff::civil::Date;

use crate::calendar::{ConsultationKind, format_date_words};
use crate::consultation::{CommentState, Decision, PartyState, Position, RoundState};
use crate::document::Document;
use crate::model::{Config, Lang};

/// The report's words in one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Labels {
    /// The report's title for a framlegging ("Oppsummering av innspill til
    /// foreleggelse"); see [`Labels::title`].
    pub title_framlegging: &'static str,
    /// The report's title for a høring ("Oppsummering av høringsinnspill").
    pub title_hoyring: &'static str,
    /// The report's title for a request for input ("Oppsummering av innspill").
    pub title_innspill: &'static str,
    /// "Case number" (saksnummer).
    pub case_number: &'static str,
    /// "Date" (of the report).
    pub date: &'static str,
    /// "Prepared by" (the round's sender).
    pub author: &'static str,
    /// The party-name column.
    pub name: &'static str,
    /// The section column of the spreadsheet ("Punkt").
    pub section: &'static str,
    /// The spreadsheet's sheet name (at most 31 characters, none of `[]:*?/\`).
    pub sheet: &'static str,
    /// The heading of the legend of decision terms.
    pub legend: &'static str,
    /// What "not decided" means, for the legend.
    pub open_meaning: &'static str,
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
                title_framlegging: "Summary of responses to the interministerial review",
                title_hoyring: "Summary of consultation responses",
                title_innspill: "Summary of input received",
                case_number: "Case number",
                date: "Date",
                author: "Prepared by",
                name: "Name",
                section: "Section",
                sheet: "Comments",
                legend: "Key to the decisions",
                open_meaning: "The comment has not been considered yet.",
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
                title_framlegging: "Oppsummering av innspel til framlegging",
                title_hoyring: "Oppsummering av høyringsinnspel",
                title_innspill: "Oppsummering av innspel",
                case_number: "Saksnummer",
                date: "Dato",
                author: "Utarbeidd av",
                name: "Namn",
                section: "Punkt",
                sheet: "Merknader",
                legend: "Forklaring til vurderingane",
                open_meaning: "Merknaden er enno ikkje vurdert.",
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
                title_framlegging: "Oppsummering av innspill til foreleggelse",
                title_hoyring: "Oppsummering av høringsinnspill",
                title_innspill: "Oppsummering av innspill",
                case_number: "Saksnummer",
                date: "Dato",
                author: "Utarbeidet av",
                name: "Navn",
                section: "Punkt",
                sheet: "Merknader",
                legend: "Forklaring til vurderingene",
                open_meaning: "Merknaden er ennå ikke vurdert.",
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

    /// The report's title for a round of `kind`: a summary of the answers (not
    /// "høringsnotat", which is the paper sent out).
    pub fn title(&self, kind: ConsultationKind) -> &'static str {
        match kind {
            ConsultationKind::Framlegging => self.title_framlegging,
            ConsultationKind::Hoyring => self.title_hoyring,
            ConsultationKind::Innspill => self.title_innspill,
        }
    }

    /// The spreadsheet's column headings: section, id, party, name, quote, comment,
    /// proposal, decision, reasoning.
    pub fn sheet_header(&self) -> [&'static str; 9] {
        [
            self.section,
            "#",
            self.party,
            self.name,
            self.quote,
            self.comment,
            self.proposal,
            self.decision,
            self.reasoning,
        ]
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
    /// The labelled title: the summary's name for the round's kind ("Oppsummering av
    /// høringsinnspill"), ": " and the case's title.
    pub title: String,
    /// The day the report was made (the clock's today).
    pub date: Date,
    /// The name of the party that prepared it (the round's sender).
    pub author: String,
    /// The facts under the title: (label, value) for case number (when the case has
    /// one), date, author, round, version and deadline; every date in words.
    pub facts: Vec<(String, String)>,
    /// One sentence: how many answered, how many had no comments, who did not answer.
    pub summary: String,
    /// One row per recipient, in the round's order.
    pub positions: Vec<PositionRow>,
    /// In an open høring: one row per respondent (an unlisted sender), in the order
    /// first registered; shown apart from the listed parties. The name is "Name
    /// (Organisation)", and a private person is marked.
    pub respondents: Vec<PositionRow>,
    /// What each decision term means: (term, meaning), every decision and "not
    /// decided".
    pub legend: Vec<(String, String)>,
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
    /// The day (Oslo time, in words) it answered, by the reply's own date, or empty; a
    /// late answer is marked ("24 December 2025 (late, due 22 December 2025)").
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
    /// titles), dated `today`.
    pub fn build(
        config: &Config,
        round: &RoundState,
        comments: &[CommentState],
        document: &Document,
        today: Date,
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
                answered: answered_cell(lang, &labels, p),
                late: p.position.is_some() && p.late,
                comments: comments
                    .iter()
                    .filter(|c| c.record.party == p.party)
                    .count(),
            })
            .collect();
        let respondents = round
            .respondents
            .iter()
            .map(|r| PositionRow {
                party: r.respondent.id.to_string(),
                name: if r.private {
                    format!("{} ({})", r.respondent.shown(), private_mark(lang))
                } else {
                    r.respondent.shown()
                },
                position: match r.position {
                    Some(pos) => pos.words(lang).to_string(),
                    None => labels.no_answer.to_string(),
                },
                answered: r
                    .received
                    .filter(|_| r.position.is_some())
                    .map(|t| {
                        let day = format_date_words(
                            t.to_zoned_datetime(crate::calendar::oslo()).date(),
                            lang,
                        );
                        if r.late {
                            format!(
                                "{day} ({})",
                                labels.late.replace(
                                    "{due}",
                                    &format_date_words(round.effective_due, lang)
                                )
                            )
                        } else {
                            day
                        }
                    })
                    .unwrap_or_default(),
                late: r.position.is_some() && r.late,
                comments: comments
                    .iter()
                    .filter(|c| c.record.party == r.respondent.id)
                    .count(),
            })
            .collect();
        let row = |c: &CommentState| row(config, round, lang, &labels, c);
        let author = config.party_name(&d.sender);
        let mut facts = Vec::new();
        if let Some(n) = config.case.number.as_ref().filter(|n| !n.trim().is_empty()) {
            facts.push((labels.case_number.to_string(), n.trim().to_string()));
        }
        facts.extend([
            (labels.date.to_string(), format_date_words(today, lang)),
            (
                labels.author.to_string(),
                if author == d.sender.as_str() {
                    author.clone()
                } else {
                    format!("{author} ({})", d.sender)
                },
            ),
            (labels.round.to_string(), format!("{} ({})", d.title, d.id)),
            (labels.version.to_string(), d.version.to_string()),
            (
                labels.due.to_string(),
                match &round.due_moved {
                    Some(m) => format!(
                        "{} ({})",
                        format_date_words(round.effective_due, lang),
                        m.note_in_words(lang)
                    ),
                    None => format_date_words(round.effective_due, lang),
                },
            ),
        ]);
        let mut legend: Vec<(String, String)> = Decision::ALL
            .iter()
            .map(|&dec| {
                (
                    dec.words(lang).to_string(),
                    decision_meaning(dec, lang).to_string(),
                )
            })
            .collect();
        legend.push((labels.open.to_string(), labels.open_meaning.to_string()));
        Matrix {
            lang,
            labels,
            round: d.id.to_string(),
            title: format!("{}: {}", labels.title(d.kind), config.case.title),
            date: today,
            author,
            facts,
            summary: summary(&labels, &round.parties),
            positions,
            respondents,
            legend,
            groups: groups(&labels, comments, document, row),
        }
    }
}

/// The heading of the respondents' part: those who answered an open høring without
/// being listed.
pub fn respondents_heading(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "Other respondents",
        Lang::Nn => "Andre høyringsinstansar",
        Lang::Da => "Andre høringsparter",
        _ => "Andre høringsinstanser",
    }
}

/// The mark of a private person's answer, screened before publication.
pub fn private_mark(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "private person",
        Lang::Nn => "privatperson",
        Lang::Da => "privatperson",
        _ => "privatperson",
    }
}

/// What a decision term means, for the report's legend.
pub fn decision_meaning(decision: Decision, lang: Lang) -> &'static str {
    match (decision, lang) {
        (Decision::Accepted, Lang::En) => "The text is changed as the comment asks.",
        (Decision::Partly, Lang::En) => {
            "The text is changed in part; the reasoning says what is and what is not."
        }
        (Decision::Rejected, Lang::En) => "The text is not changed; the reasoning says why.",
        (Decision::Noted, Lang::En) => {
            "The comment is noted; it asks for no change, and none is made."
        }
        (Decision::Accepted, Lang::Nn) => "Teksten er endra slik merknaden ber om.",
        (Decision::Partly, Lang::Nn) => {
            "Teksten er endra delvis; grunngivinga seier kva som er endra og kva som ikkje er det."
        }
        (Decision::Rejected, Lang::Nn) => "Teksten er ikkje endra; grunngivinga seier kvifor.",
        (Decision::Noted, Lang::Nn) => {
            "Merknaden er notert; han ber ikkje om endring, og teksten er ikkje endra."
        }
        (Decision::Accepted, _) => "Teksten er endret slik merknaden ber om.",
        (Decision::Partly, _) => {
            "Teksten er endret delvis; begrunnelsen sier hva som er endret og hva som ikke er det."
        }
        (Decision::Rejected, _) => "Teksten er ikke endret; begrunnelsen sier hvorfor.",
        (Decision::Noted, _) => {
            "Merknaden er notert; den ber ikke om endring, og teksten er ikke endret."
        }
    }
}

/// The day a party answered (Oslo time, in words), a late answer marked.
pub(super) fn answered_cell(lang: Lang, l: &Labels, p: &PartyState) -> String {
    let Some(t) = p.received.filter(|_| p.position.is_some()) else {
        return String::new();
    };
    let day = format_date_words(t.to_zoned_datetime(crate::calendar::oslo()).date(), lang);
    if p.late {
        format!(
            "{day} ({})",
            l.late
                .replace("{due}", &format_date_words(p.effective_due, lang))
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
        party_name: match round.respondent(&r.party) {
            Some(who) => who.respondent.shown(),
            None => config.party_name(&r.party),
        },
        position_key: round
            .parties
            .iter()
            .find(|p| p.party == r.party)
            .and_then(|p| p.position)
            .or_else(|| round.respondent(&r.party).and_then(|who| who.position))
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
