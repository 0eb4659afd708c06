//! A picture of the case: one HTML page (`status --format html`) for a head of
//! department or the approver. Where the case stands (its phase in a sentence), a
//! timeline (inline SVG) of milestones, versions, hand-ins, approvals and rounds with each
//! party's answer (on time, late, missing, waiting), the next deadlines, the answers per
//! round and the open comments per section.
//!
//! Pure: the caller folds the case ([`Dashboard`] borrows its parts) and this module only
//! lays out and writes. Every text from the case is escaped. The SVG's marks carry
//! classes and `data-*` attributes naming what they show (`class="answer late"
//! data-party="NFD"`), so the page can be checked by its elements, not its pixels. It
//! scales to a phone's width (`viewBox`, `width:100%`) and prints on A4.

use std::fmt::Write as _;

use jiff::civil::Date;

use crate::approval::Phase;
use crate::calendar::{
    DeadlineStatus, Obligation, ObligationKind, format_date_words, month_name, oslo,
};
use crate::consultation::{PartyState, PartyStatus, RoundComments, RoundState};
use crate::document::Document;
use crate::document::html::{case_page_start, escape, meta_row};
use crate::model::{Config, Lang};

/// One dated event on the timeline's versions lane: a version cut, a hand-in, an approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// What: the version's name (`v2`).
    pub what: String,
    /// The day (Europe/Oslo).
    pub date: Date,
    /// More words: the version's label, to whom it was handed.
    pub note: String,
}

/// Everything the page shows, borrowed from the folded case.
#[derive(Debug)]
pub struct Dashboard<'a> {
    /// The configuration (case, parties, language).
    pub config: &'a Config,
    /// The day the page describes.
    pub today: Date,
    /// Where the case stands.
    pub phase: &'a Phase,
    /// Every obligation (milestones, rounds' and parties' deadlines), assessed on `today`.
    pub obligations: &'a [Obligation],
    /// Every round, folded on `today`.
    pub rounds: &'a [RoundState],
    /// The comments of each round, in the order of `rounds`.
    pub comments: &'a [RoundComments],
    /// The latest version's document (for section numbers and titles), if any.
    pub document: Option<&'a Document>,
    /// Versions cut, oldest first.
    pub versions: Vec<Event>,
    /// Hand-ins (submissions), oldest first.
    pub submissions: Vec<Event>,
    /// Approvals in force, oldest first.
    pub approvals: Vec<Event>,
}

/// How a party stands in a round, as the timeline marks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Answered by its deadline, on this day.
    OnTime(Date),
    /// Answered after its deadline, on this day.
    Late(Date),
    /// The deadline (this day) passed with no answer.
    Missing(Date),
    /// Not answered yet; the deadline (this day) has not passed.
    Waiting(Date),
    /// The letter has not gone out.
    NotSent,
}

impl Answer {
    /// How a party stands: by its current position's date and lateness, else its status.
    pub fn of(p: &PartyState) -> Answer {
        let day = |t: jiff::Timestamp| t.to_zoned_datetime(oslo()).date();
        match p.status {
            PartyStatus::Answered => {
                let given = p.received.or(p.answered).map_or(p.effective_due, day);
                if p.late {
                    Answer::Late(given)
                } else {
                    Answer::OnTime(given)
                }
            }
            PartyStatus::Overdue => Answer::Missing(p.effective_due),
            PartyStatus::NotSent => Answer::NotSent,
            PartyStatus::Sent | PartyStatus::Reminded => Answer::Waiting(p.effective_due),
        }
    }

    /// The class of its mark: `on-time`, `late`, `missing`, `waiting`, `not-sent`.
    pub fn class(self) -> &'static str {
        match self {
            Answer::OnTime(_) => "on-time",
            Answer::Late(_) => "late",
            Answer::Missing(_) => "missing",
            Answer::Waiting(_) => "waiting",
            Answer::NotSent => "not-sent",
        }
    }

    fn date(self) -> Option<Date> {
        match self {
            Answer::OnTime(d) | Answer::Late(d) | Answer::Missing(d) | Answer::Waiting(d) => {
                Some(d)
            }
            Answer::NotSent => None,
        }
    }
}

/// The page's words in one language.
struct Words {
    status_of: &'static str,
    case_number: &'static str,
    owner: &'static str,
    approver: &'static str,
    timeline: &'static str,
    milestones: &'static str,
    versions: &'static str,
    today: &'static str,
    next: &'static str,
    what: &'static str,
    none_due: &'static str,
    answers: &'static str,
    party: &'static str,
    state: &'static str,
    date: &'static str,
    due: &'static str,
    open_comments: &'static str,
    section: &'static str,
    open: &'static str,
    all: &'static str,
    general: &'static str,
    no_open: &'static str,
    /// A hand-in's tooltip: "oversendt til {to}".
    submitted_to: &'static str,
    /// The legend's word for a hand-in.
    submission: &'static str,
    /// An approval's tooltip: "godkjent av {by}".
    approved: &'static str,
    /// The legend's word for an approval.
    approval: &'static str,
    /// on time, late, missing, waiting, not sent.
    answer: [&'static str; 5],
    /// Phases: drafting, submitted, in consultation, revising, approved, invalid, void.
    phase: [&'static str; 7],
    legend: &'static str,
    milestone_done: &'static str,
    milestone_open: &'static str,
    milestone_overdue: &'static str,
    round_bar: &'static str,
}

impl Words {
    fn of(lang: Lang) -> Words {
        match lang {
            Lang::Nb => Words {
                status_of: "Status per {date}",
                case_number: "Saksnummer",
                owner: "Ansvarlig",
                approver: "Godkjenner",
                timeline: "Tidslinje",
                milestones: "Milepæler",
                versions: "Versjoner",
                today: "I dag",
                next: "Neste frister",
                what: "Gjelder",
                none_due: "Ingen åpne frister.",
                answers: "Svar",
                party: "Part",
                state: "Status",
                date: "Dato",
                due: "Frist",
                open_comments: "Åpne merknader per seksjon",
                section: "Seksjon",
                open: "Åpne",
                all: "I alt",
                general: "Generelle merknader",
                no_open: "Ingen åpne merknader.",
                submitted_to: "oversendt til {to}",
                submission: "oversendt",
                approved: "godkjent av {by}",
                approval: "godkjent",
                answer: [
                    "svart i tide",
                    "svart for sent",
                    "mangler svar",
                    "venter på svar",
                    "ikke sendt",
                ],
                phase: [
                    "Under arbeid: ingenting er oversendt ennå.",
                    "Oversendt: {version} til {to} {date}.",
                    "Til uttalelse: {version}, {waiting} av {recipients} har ikke svart, frist {due}.",
                    "Under revisjon: alle runder er lukket eller besvart; ikke godkjent ennå.",
                    "Godkjent: {version} av {by} {date}.",
                    "Godkjenningen av {version} {date} gjelder ikke: {why}. Kjør `strategi verify`.",
                    "Godkjenningen av {version} {date} er ugyldig: teksten er endret etterpå. Kjør `strategi verify`.",
                ],
                legend: "Tegnforklaring",
                milestone_done: "milepæl nådd",
                milestone_open: "milepæl",
                milestone_overdue: "milepæl over fristen",
                round_bar: "runde (åpnet til lukket eller i dag), strek ved fristen",
            },
            Lang::Nn => Words {
                status_of: "Status per {date}",
                case_number: "Saksnummer",
                owner: "Ansvarleg",
                approver: "Godkjennar",
                timeline: "Tidsline",
                milestones: "Milepålar",
                versions: "Versjonar",
                today: "I dag",
                next: "Neste fristar",
                what: "Gjeld",
                none_due: "Ingen opne fristar.",
                answers: "Svar",
                party: "Part",
                state: "Status",
                date: "Dato",
                due: "Frist",
                open_comments: "Opne merknader per seksjon",
                section: "Seksjon",
                open: "Opne",
                all: "I alt",
                general: "Generelle merknader",
                no_open: "Ingen opne merknader.",
                submitted_to: "oversendt til {to}",
                submission: "oversendt",
                approved: "godkjend av {by}",
                approval: "godkjend",
                answer: [
                    "svart i tide",
                    "svart for seint",
                    "manglar svar",
                    "ventar på svar",
                    "ikkje sendt",
                ],
                phase: [
                    "Under arbeid: ingenting er oversendt enno.",
                    "Oversendt: {version} til {to} {date}.",
                    "Til fråsegn: {version}, {waiting} av {recipients} har ikkje svart, frist {due}.",
                    "Under revisjon: alle rundane er lukka eller svara på; ikkje godkjend enno.",
                    "Godkjend: {version} av {by} {date}.",
                    "Godkjenninga av {version} {date} gjeld ikkje: {why}. Køyr `strategi verify`.",
                    "Godkjenninga av {version} {date} er ugyldig: teksten er endra etterpå. Køyr `strategi verify`.",
                ],
                legend: "Teiknforklaring",
                milestone_done: "milepåle nådd",
                milestone_open: "milepåle",
                milestone_overdue: "milepåle over fristen",
                round_bar: "runde (opna til lukka eller i dag), strek ved fristen",
            },
            Lang::En => Words {
                status_of: "Status on {date}",
                case_number: "Case number",
                owner: "Owner",
                approver: "Approver",
                timeline: "Timeline",
                milestones: "Milestones",
                versions: "Versions",
                today: "Today",
                next: "Next deadlines",
                what: "What",
                none_due: "No open deadlines.",
                answers: "Answers",
                party: "Party",
                state: "Status",
                date: "Date",
                due: "Due",
                open_comments: "Open comments per section",
                section: "Section",
                open: "Open",
                all: "All",
                general: "General comments",
                no_open: "No open comments.",
                submitted_to: "handed to {to}",
                submission: "handed in",
                approved: "approved by {by}",
                approval: "approved",
                answer: [
                    "answered on time",
                    "answered late",
                    "no answer",
                    "waiting",
                    "not sent",
                ],
                phase: [
                    "Drafting: nothing handed in yet.",
                    "Submitted: {version} handed to {to} on {date}.",
                    "In consultation: {version}, {waiting} of {recipients} yet to answer, due {due}.",
                    "Revising: every round is closed or answered; not yet approved.",
                    "Approved: {version} by {by} on {date}.",
                    "The approval of {version} on {date} does not stand: {why}. Run `strategi verify`.",
                    "The approval of {version} on {date} is void: the text changed since. Run `strategi verify`.",
                ],
                legend: "Legend",
                milestone_done: "milestone reached",
                milestone_open: "milestone",
                milestone_overdue: "milestone overdue",
                round_bar: "round (opened to closed or today), line at the deadline",
            },
            Lang::Da => Words {
                status_of: "Status pr. {date}",
                case_number: "Sagsnummer",
                owner: "Ansvarlig",
                approver: "Godkender",
                timeline: "Tidslinje",
                milestones: "Milepæle",
                versions: "Versioner",
                today: "I dag",
                next: "Næste frister",
                what: "Vedrører",
                none_due: "Ingen åbne frister.",
                answers: "Svar",
                party: "Part",
                state: "Status",
                date: "Dato",
                due: "Frist",
                open_comments: "Åbne bemærkninger pr. afsnit",
                section: "Afsnit",
                open: "Åbne",
                all: "I alt",
                general: "Generelle bemærkninger",
                no_open: "Ingen åbne bemærkninger.",
                submitted_to: "sendt til {to}",
                submission: "sendt",
                approved: "godkendt af {by}",
                approval: "godkendt",
                answer: [
                    "svaret til tiden",
                    "svaret for sent",
                    "mangler svar",
                    "venter på svar",
                    "ikke sendt",
                ],
                phase: [
                    "Under udarbejdelse: intet er sendt endnu.",
                    "Sendt: {version} til {to} {date}.",
                    "I høring: {version}, {waiting} af {recipients} mangler at svare, frist {due}.",
                    "Under revision: alle runder er lukket eller besvaret; endnu ikke godkendt.",
                    "Godkendt: {version} af {by} {date}.",
                    "Godkendelsen af {version} {date} gælder ikke: {why}. Kør `strategi verify`.",
                    "Godkendelsen af {version} {date} er ugyldig: teksten er ændret siden. Kør `strategi verify`.",
                ],
                legend: "Signaturforklaring",
                milestone_done: "milepæl nået",
                milestone_open: "milepæl",
                milestone_overdue: "milepæl overskredet",
                round_bar: "runde (åbnet til lukket eller i dag), streg ved fristen",
            },
        }
    }

    fn answer(&self, a: Answer) -> &'static str {
        match a {
            Answer::OnTime(_) => self.answer[0],
            Answer::Late(_) => self.answer[1],
            Answer::Missing(_) => self.answer[2],
            Answer::Waiting(_) => self.answer[3],
            Answer::NotSent => self.answer[4],
        }
    }

    /// The phase in one sentence, dates in words; a round's deadline is the one that
    /// applies (moved off a closed day), as the timeline and the tables show it.
    fn phase(&self, p: &Phase, lang: Lang, rounds: &[RoundState]) -> String {
        let d = |date: &Date| format_date_words(*date, lang);
        match p {
            Phase::Drafting => self.phase[0].to_string(),
            Phase::Submitted { version, to, date } => self.phase[1]
                .replace("{version}", &version.to_string())
                .replace("{to}", to.as_str())
                .replace("{date}", &d(date)),
            Phase::InConsultation {
                round,
                version,
                waiting,
                recipients,
                due,
                ..
            } => {
                let due = rounds
                    .iter()
                    .find(|r| &r.def.id == round)
                    .map_or(*due, |r| r.effective_due);
                self.phase[2]
                    .replace("{version}", &version.to_string())
                    .replace("{waiting}", &waiting.to_string())
                    .replace("{recipients}", &recipients.to_string())
                    .replace("{due}", &d(&due))
            }
            Phase::Revising => self.phase[3].to_string(),
            Phase::Approved { version, by, date } => self.phase[4]
                .replace("{version}", &version.to_string())
                .replace("{by}", by.as_str())
                .replace("{date}", &d(date)),
            Phase::ApprovalInvalid { version, date, why } => self.phase[5]
                .replace("{version}", &version.to_string())
                .replace("{date}", &d(date))
                .replace("{why}", why.trim_end_matches('.')),
            Phase::ApprovalVoid { version, date } => self.phase[6]
                .replace("{version}", &version.to_string())
                .replace("{date}", &d(date)),
        }
    }
}

const CSS: &str = "
body{font:16px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:64em;margin:1.5em auto;padding:0 1em;color:#111}
header{border-bottom:2px solid #333;padding-bottom:.5em;margin-bottom:1em}
.case{margin:0;color:#444;font-size:.9em}
h1{font-size:1.5em;margin:.2em 0}
h2{font-size:1.15em;margin:1.5em 0 .4em;break-after:avoid}
h3{font-size:1em;margin:1em 0 .3em;break-after:avoid}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.1em 1em;margin:.4em 0;font-size:.9em}
dl.meta dt{font-weight:600}dl.meta dd{margin:0}
.phase{font-size:1.05em;font-weight:600;margin:.6em 0}
.phase.bad{color:#a00}
figure{margin:0}
svg.timeline{width:100%;min-width:860px;height:auto;display:block;border:1px solid #ddd;background:#fff}
svg text{font:11px system-ui,sans-serif;fill:#222}
svg .grid{stroke:#e6e6e6}
svg .lane-label{font-weight:600}
svg .party-label{fill:#444}
svg .today{stroke:#c00;stroke-width:1.5;stroke-dasharray:4 3}
svg .today-label{fill:#c00}
svg .milestone{stroke:#333;stroke-width:1}
svg .milestone.done{fill:#2a8a2a}
svg .milestone.upcoming,svg .milestone.due-soon,svg .milestone.due-today{fill:#fff}
svg .milestone.overdue{fill:#c00}
svg .round{fill:#cfe0f5;stroke:#5b86b8}
svg .round.closed{fill:#e3e3e3;stroke:#999}
svg .round-due,svg .party-due{stroke:#1d3f6b;stroke-width:2}
svg .version{fill:#1d3f6b}
svg .submission{fill:#8a5a00}
svg .approval{fill:#2a8a2a;stroke:#145214}
svg .answer.on-time{fill:#2a8a2a}
svg .answer.late{fill:#e08a00}
svg .answer.missing{stroke:#c00;stroke-width:2.5;fill:none}
svg .answer.waiting{fill:#fff;stroke:#666;stroke-width:1.5}
ul.legend{list-style:none;padding:0;margin:.5em 0;display:flex;flex-wrap:wrap;gap:.3em 1.2em;font-size:.85em}
ul.legend svg{width:14px;height:14px;vertical-align:-2px;margin-right:.3em}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.9em;margin:.3em 0}
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}
thead th{background:#f0f0f0}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.late{color:#8a5a00}.missing,.overdue{color:#a00;font-weight:600}
@page{size:A4;margin:15mm}
@page{@bottom-center{content:counter(page) ' / ' counter(pages)}}
@media print{body{margin:0;max-width:none;font-size:10pt}thead{display:table-header-group}tr,figure{break-inside:avoid}
svg *{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
";

/// The SVG's geometry: the plot's left edge and width in user units, lane height.
const WIDTH: f64 = 960.0;
const PLOT_X: f64 = 190.0;
const PLOT_W: f64 = WIDTH - PLOT_X - 20.0;
const AXIS_H: f64 = 26.0;
const LANE_H: f64 = 20.0;

/// Maps days to x.
struct Scale {
    start: Date,
    days: f64,
}

impl Scale {
    fn x(&self, d: Date) -> f64 {
        let n = (d - self.start).get_days() as f64;
        PLOT_X + n / self.days * PLOT_W
    }
}

/// The page.
pub fn dashboard_html(d: &Dashboard<'_>) -> String {
    let lang = d.config.case.lang;
    let w = Words::of(lang);
    let case = &d.config.case;
    let e = escape;
    let heading = w
        .status_of
        .replace("{date}", &format_date_words(d.today, lang));
    let mut out = case_page_start(lang, &case.title, &heading, CSS);
    if let Some(n) = &case.number {
        meta_row(&mut out, w.case_number, n);
    }
    for (word, code) in [(w.owner, &case.owner), (w.approver, &case.approver)] {
        meta_row(
            &mut out,
            word,
            &format!("{} ({})", d.config.party_name(code), code),
        );
    }
    let bad = matches!(
        d.phase,
        Phase::ApprovalInvalid { .. } | Phase::ApprovalVoid { .. }
    );
    let _ = write!(
        out,
        "</dl>\n<p class=\"phase{}\" data-phase=\"{}\">{}</p>\n</header>\n<main>\n",
        if bad { " bad" } else { "" },
        d.phase.name(),
        e(&w.phase(d.phase, lang, d.rounds))
    );
    let _ = writeln!(out, "<h2>{}</h2>\n<figure>", w.timeline);
    timeline(&mut out, d, &w, lang);
    legend(&mut out, &w);
    out.push_str("</figure>\n");
    deadlines(&mut out, d, &w, lang);
    answers(&mut out, d, &w, lang);
    open_comments(&mut out, d, &w);
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// The first and last day the timeline must show.
fn span(d: &Dashboard<'_>) -> (Date, Date) {
    let mut dates = vec![d.today];
    for o in d.obligations {
        dates.push(o.due.date);
        dates.extend(o.done);
    }
    for r in d.rounds {
        dates.push(r.def.opened);
        dates.push(r.effective_due);
        dates.extend(r.closed.map(|t| t.to_zoned_datetime(oslo()).date()));
        dates.extend(r.parties.iter().filter_map(|p| Answer::of(p).date()));
    }
    for ev in d.versions.iter().chain(&d.submissions).chain(&d.approvals) {
        dates.push(ev.date);
    }
    let first = dates.iter().min().copied().unwrap_or(d.today);
    let last = dates.iter().max().copied().unwrap_or(d.today);
    let pad = jiff::Span::new().days(3);
    (
        first.checked_sub(pad).unwrap_or(first),
        last.checked_add(pad).unwrap_or(last),
    )
}

/// The timeline: months along the top, today as a dashed line, then a lane for the
/// milestones, one for versions, hand-ins and approvals, and per round a lane for the
/// round and one per party.
fn timeline(out: &mut String, d: &Dashboard<'_>, w: &Words, lang: Lang) {
    let e = escape;
    let (start, end) = span(d);
    let scale = Scale {
        start,
        days: ((end - start).get_days() as f64).max(1.0),
    };
    let lanes = 2 + d.rounds.iter().map(|r| 1 + r.parties.len()).sum::<usize>();
    let height = AXIS_H + LANE_H * lanes as f64 + 8.0;
    let _ = writeln!(
        out,
        "<div class=\"scroll\"><svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-label=\"{}\">",
        w.timeline
    );
    // Months: a grid line and the month's name at each first day.
    let mut month = start.first_of_month();
    while month <= end {
        // A month's name needs room before the right edge.
        if month >= start && scale.x(month) < WIDTH - 60.0 {
            let x = scale.x(month);
            let _ = writeln!(
                out,
                "<line class=\"grid\" x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{height:.1}\"/><text x=\"{:.1}\" y=\"14\">{} {}</text>",
                AXIS_H - 6.0,
                x + 3.0,
                e(month_name(month, lang)),
                month.year()
            );
        }
        match month.checked_add(jiff::Span::new().months(1)) {
            Ok(next) => month = next,
            Err(_) => break,
        }
    }
    let lane_y = |i: usize| AXIS_H + LANE_H * i as f64 + LANE_H / 2.0;
    let label = |out: &mut String, i: usize, text: &str, class: &str| {
        let _ = writeln!(
            out,
            "<text class=\"{class}\" x=\"6\" y=\"{:.1}\">{}</text>",
            lane_y(i) + 4.0,
            e(&crate::columns::cut(text, 30))
        );
    };
    // Milestones: a diamond at the deadline, filled by how it stands.
    label(out, 0, w.milestones, "lane-label");
    for o in d
        .obligations
        .iter()
        .filter(|o| o.kind == ObligationKind::Milestone)
    {
        let (x, y) = (scale.x(o.due.date), lane_y(0));
        let status = status_class(o.assessment.status);
        let _ = writeln!(
            out,
            "<polygon class=\"milestone {status}\" data-id=\"{}\" data-due=\"{}\" points=\"{:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1}\"><title>{}: {} ({})</title></polygon>",
            e(&o.id),
            o.due.date,
            x,
            y - 6.0,
            x + 6.0,
            y,
            x,
            y + 6.0,
            x - 6.0,
            y,
            e(&o.title),
            format_date_words(o.due.date, lang),
            o.assessment.status.label(lang)
        );
    }
    // Versions (dots), hand-ins (triangles) and approvals (squares).
    label(out, 1, w.versions, "lane-label");
    let y = lane_y(1);
    for v in &d.versions {
        let x = scale.x(v.date);
        let _ = writeln!(
            out,
            "<circle class=\"version\" data-version=\"{}\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4\"><title>{} {}: {}</title></circle><text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            e(&v.what),
            e(&v.what),
            e(&v.note),
            format_date_words(v.date, lang),
            x + 5.0,
            y - 3.0,
            e(&v.what)
        );
    }
    for s in &d.submissions {
        let x = scale.x(s.date);
        let _ = writeln!(
            out,
            "<polygon class=\"submission\" data-version=\"{}\" points=\"{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}\"><title>{} {}: {}</title></polygon>",
            e(&s.what),
            x,
            y - 6.0,
            x + 6.0,
            y + 5.0,
            x - 6.0,
            y + 5.0,
            e(&s.what),
            e(&w.submitted_to.replace("{to}", &s.note)),
            format_date_words(s.date, lang)
        );
    }
    for a in &d.approvals {
        let x = scale.x(a.date);
        let _ = writeln!(
            out,
            "<rect class=\"approval\" data-version=\"{}\" x=\"{:.1}\" y=\"{:.1}\" width=\"10\" height=\"10\"><title>{} {}: {}</title></rect>",
            e(&a.what),
            x - 5.0,
            y - 5.0,
            e(&a.what),
            e(&w.approved.replace("{by}", &a.note)),
            format_date_words(a.date, lang)
        );
    }
    // Rounds: a bar from opened to closed (or today), the deadline as a line; then
    // each party's answer.
    let mut i = 2;
    for r in d.rounds {
        let y = lane_y(i);
        let closed = r.closed.map(|t| t.to_zoned_datetime(oslo()).date());
        let until = closed.unwrap_or(d.today).max(r.def.opened);
        let (x1, x2) = (scale.x(r.def.opened), scale.x(until));
        let _ = writeln!(
            out,
            "<rect class=\"round {}\" data-round=\"{}\" x=\"{x1:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"10\"><title>{}: {} – {}</title></rect>",
            if closed.is_some() { "closed" } else { "open" },
            e(r.def.id.as_str()),
            y - 5.0,
            (x2 - x1).max(2.0),
            e(&r.def.title),
            format_date_words(r.def.opened, lang),
            format_date_words(until, lang)
        );
        let xd = scale.x(r.effective_due);
        let _ = writeln!(
            out,
            "<line class=\"round-due\" data-round=\"{}\" x1=\"{xd:.1}\" y1=\"{:.1}\" x2=\"{xd:.1}\" y2=\"{:.1}\"><title>{}: {}</title></line>",
            e(r.def.id.as_str()),
            y - 8.0,
            y + 8.0,
            w.due,
            format_date_words(r.effective_due, lang)
        );
        label(
            out,
            i,
            &format!(
                "{} {}",
                crate::model::capitalized(r.def.kind.name(lang)),
                r.def.version
            ),
            "lane-label",
        );
        i += 1;
        for p in &r.parties {
            let y = lane_y(i);
            label(out, i, &format!("  {}", p.party), "party-label");
            let a = Answer::of(p);
            let what = format!(
                "{} ({}): {}",
                d.config.party_name(&p.party),
                p.party,
                w.answer(a)
            );
            if p.extended {
                let xd = scale.x(p.effective_due);
                let _ = writeln!(
                    out,
                    "<line class=\"party-due\" data-party=\"{}\" x1=\"{xd:.1}\" y1=\"{:.1}\" x2=\"{xd:.1}\" y2=\"{:.1}\"/>",
                    e(p.party.as_str()),
                    y - 6.0,
                    y + 6.0
                );
            }
            let attrs = format!(
                "class=\"answer {}\" data-round=\"{}\" data-party=\"{}\"",
                a.class(),
                e(r.def.id.as_str()),
                e(p.party.as_str())
            );
            match a {
                Answer::OnTime(day) | Answer::Late(day) | Answer::Waiting(day) => {
                    let _ = writeln!(
                        out,
                        "<circle {attrs} data-date=\"{day}\" cx=\"{:.1}\" cy=\"{y:.1}\" r=\"5\"><title>{}, {}</title></circle>",
                        scale.x(day),
                        e(&what),
                        format_date_words(day, lang)
                    );
                }
                Answer::Missing(day) => {
                    let x = scale.x(day);
                    let _ = writeln!(
                        out,
                        "<path {attrs} data-date=\"{day}\" d=\"M{:.1},{:.1}L{:.1},{:.1}M{:.1},{:.1}L{:.1},{:.1}\"><title>{}, {} {}</title></path>",
                        x - 5.0,
                        y - 5.0,
                        x + 5.0,
                        y + 5.0,
                        x - 5.0,
                        y + 5.0,
                        x + 5.0,
                        y - 5.0,
                        e(&what),
                        w.due.to_lowercase(),
                        format_date_words(day, lang)
                    );
                }
                Answer::NotSent => {}
            }
            i += 1;
        }
    }
    let xt = scale.x(d.today);
    let _ = writeln!(
        out,
        "<line class=\"today\" data-date=\"{}\" x1=\"{xt:.1}\" y1=\"{:.1}\" x2=\"{xt:.1}\" y2=\"{height:.1}\"/><text class=\"today-label\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
        d.today,
        AXIS_H - 4.0,
        xt + 3.0,
        AXIS_H - 1.0,
        w.today
    );
    out.push_str("</svg></div>\n");
}

/// The class of a milestone's mark.
fn status_class(s: DeadlineStatus) -> &'static str {
    match s {
        DeadlineStatus::Done => "done",
        DeadlineStatus::Upcoming => "upcoming",
        DeadlineStatus::DueSoon => "due-soon",
        DeadlineStatus::DueToday => "due-today",
        DeadlineStatus::Overdue => "overdue",
    }
}

/// The marks explained, each with a small copy of its shape.
fn legend(out: &mut String, w: &Words) {
    let item = |out: &mut String, shape: &str, text: &str| {
        let _ = writeln!(
            out,
            "<li><svg viewBox=\"-7 -7 14 14\" aria-hidden=\"true\">{shape}</svg>{text}</li>"
        );
    };
    let _ = writeln!(out, "<ul class=\"legend\" aria-label=\"{}\">", w.legend);
    let diamond = |class: &str| {
        format!("<polygon class=\"milestone {class}\" points=\"0,-6 6,0 0,6 -6,0\"/>")
    };
    item(out, &diamond("done"), w.milestone_done);
    item(out, &diamond("upcoming"), w.milestone_open);
    item(out, &diamond("overdue"), w.milestone_overdue);
    item(
        out,
        "<rect class=\"round\" x=\"-7\" y=\"-4\" width=\"14\" height=\"8\"/><line class=\"round-due\" x1=\"4\" y1=\"-7\" x2=\"4\" y2=\"7\"/>",
        w.round_bar,
    );
    item(out, "<circle class=\"version\" r=\"4\"/>", w.versions);
    item(
        out,
        "<polygon class=\"submission\" points=\"0,-6 6,5 -6,5\"/>",
        w.submission,
    );
    item(
        out,
        "<rect class=\"approval\" x=\"-5\" y=\"-5\" width=\"10\" height=\"10\"/>",
        w.approval,
    );
    for (class, text) in [
        ("on-time", w.answer[0]),
        ("late", w.answer[1]),
        ("waiting", w.answer[3]),
    ] {
        item(
            out,
            &format!("<circle class=\"answer {class}\" r=\"5\"/>"),
            text,
        );
    }
    item(
        out,
        "<path class=\"answer missing\" d=\"M-5,-5L5,5M-5,5L5,-5\"/>",
        w.answer[2],
    );
    out.push_str("</ul>\n");
}

/// The next deadlines: every overdue one, then the next three.
fn deadlines(out: &mut String, d: &Dashboard<'_>, w: &Words, lang: Lang) {
    let e = escape;
    let _ = writeln!(out, "<h2>{}</h2>", w.next);
    let next = crate::calendar::next_deadlines(d.obligations.to_vec());
    if next.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", w.none_due);
        return;
    }
    let _ = writeln!(
        out,
        "<div class=\"scroll\"><table class=\"deadlines\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        w.due, w.what, w.owner, w.state
    );
    for o in &next {
        let status = o.assessment.status;
        let _ = writeln!(
            out,
            "<tr data-id=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td></tr>",
            e(&o.id),
            format_date_words(o.due.date, lang),
            e(&o.title),
            o.owner.as_ref().map(|p| e(p.as_str())).unwrap_or_default(),
            status_class(status),
            status.label(lang)
        );
    }
    out.push_str("</tbody></table></div>\n");
}

/// Per round, each party's answer.
fn answers(out: &mut String, d: &Dashboard<'_>, w: &Words, lang: Lang) {
    let e = escape;
    if d.rounds.is_empty() {
        return;
    }
    let _ = writeln!(out, "<h2>{}</h2>", w.answers);
    for r in d.rounds {
        let _ = writeln!(
            out,
            "<h3>{} ({}, {} {})</h3>\n<div class=\"scroll\"><table class=\"answers\" data-round=\"{}\"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            e(&r.def.title),
            e(&r.def.version.to_string()),
            w.due.to_lowercase(),
            format_date_words(r.effective_due, lang),
            e(r.def.id.as_str()),
            w.party,
            w.state,
            w.date
        );
        for p in &r.parties {
            let a = Answer::of(p);
            let _ = writeln!(
                out,
                "<tr data-party=\"{}\"><td>{} ({})</td><td class=\"{}\">{}</td><td>{}</td></tr>",
                e(p.party.as_str()),
                e(&d.config.party_name(&p.party)),
                e(p.party.as_str()),
                a.class(),
                w.answer(a),
                a.date()
                    .map(|d| format_date_words(d, lang))
                    .unwrap_or_default()
            );
        }
        out.push_str("</tbody></table></div>\n");
    }
}

/// Comments without a decision, counted per section of the latest version (in its
/// order; sections only older versions have come after, general comments last).
fn open_comments(out: &mut String, d: &Dashboard<'_>, w: &Words) {
    let e = escape;
    let _ = writeln!(out, "<h2>{}</h2>", w.open_comments);
    // (section id or None) -> (open, all)
    let mut counts: Vec<(Option<&str>, usize, usize)> = Vec::new();
    for c in d.comments.iter().flat_map(|rc| &rc.comments) {
        let key = c.record.section.as_deref();
        let open = usize::from(c.decision.is_none());
        match counts.iter_mut().find(|(k, ..)| *k == key) {
            Some(entry) => {
                entry.1 += open;
                entry.2 += 1;
            }
            None => counts.push((key, open, 1)),
        }
    }
    if counts.iter().all(|(_, open, _)| *open == 0) {
        let _ = writeln!(out, "<p>{}</p>", w.no_open);
        return;
    }
    let numbers = d
        .document
        .map(Document::section_numbers)
        .unwrap_or_default();
    let place = |id: Option<&str>| -> (usize, String) {
        let Some(id) = id else {
            return (usize::MAX, w.general.to_string());
        };
        let found = d
            .document
            .and_then(|doc| doc.sections.iter().position(|s| s.id == id));
        match (found, d.document) {
            (Some(i), Some(doc)) => {
                let n = numbers.get(i).map(String::as_str).unwrap_or("");
                let title = &doc.sections[i].title;
                (
                    i,
                    if n.is_empty() {
                        title.clone()
                    } else {
                        format!("{n} {title}")
                    },
                )
            }
            _ => (usize::MAX - 1, format!("#{id}")),
        }
    };
    let mut rows: Vec<(usize, String, Option<&str>, usize, usize)> = counts
        .into_iter()
        .map(|(id, open, all)| {
            let (order, name) = place(id);
            (order, name, id, open, all)
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    let _ = writeln!(
        out,
        "<div class=\"scroll\"><table class=\"open-comments\"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        w.section, w.open, w.all
    );
    for (_, name, id, open, all) in rows {
        let _ = writeln!(
            out,
            "<tr data-section=\"{}\"><td>{}</td><td class=\"n\">{open}</td><td class=\"n\">{all}</td></tr>",
            e(id.unwrap_or("")),
            e(&name)
        );
    }
    out.push_str("</tbody></table></div>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_cut_with_an_ellipsis() {
        assert_eq!(crate::columns::cut("Framlegging v1", 30), "Framlegging v1");
        assert_eq!(crate::columns::cut("æøåæøå", 4), "æøå…");
    }

    #[test]
    fn every_phase_has_words_in_every_language() {
        let d = jiff::civil::date(2025, 12, 1);
        let v: crate::model::VersionName = "v1".parse().expect("v1");
        let p: crate::model::PartyCode = "DFD".parse().expect("DFD");
        let phases = [
            Phase::Drafting,
            Phase::Submitted {
                version: v,
                to: p.clone(),
                date: d,
            },
            Phase::Revising,
            Phase::Approved {
                version: v,
                by: p,
                date: d,
            },
            Phase::ApprovalVoid {
                version: v,
                date: d,
            },
            Phase::InConsultation {
                round: "rabcdefg".parse().expect("id"),
                version: v,
                date: d,
                waiting: 3,
                recipients: 16,
                due: d,
            },
            Phase::ApprovalInvalid {
                version: v,
                date: d,
                why: "the record was changed.".to_string(),
            },
        ];
        for lang in Lang::ALL {
            let w = Words::of(lang);
            for ph in &phases {
                let s = w.phase(ph, lang, &[]);
                assert!(!s.contains('{'), "{lang:?}: {s}");
            }
        }
        assert_eq!(
            Words::of(Lang::Nn).phase(&phases[1], Lang::Nn, &[]),
            "Oversendt: v1 til DFD 1. desember 2025."
        );
    }
}
