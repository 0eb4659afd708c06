//! `strategi journal list`: the case's journal (every letter, answer and internal
//! document with its document number), from `strategi::journal::load_journal`, with each
//! answer's publicity from the round's publicity decisions (`strategi::publish::decisions`).
//! `strategi journal set ITEM NUMBER`: records the number the organisation's archive
//! system gave a document (`strategi::journal::set_number`, one commit).

use clap::{Args, Subcommand};
use serde::Serialize;

use strategi::columns;
use strategi::journal::{
    Direction, DocFile, Entry, EntryKind, Journal, JournalError, Numbering, PartyRef, load_journal,
};
use strategi::model::{Config, RecordId};
use strategi::publish::decisions::{self, Publicity};
use strategi::publish::{CaseDecisions, answer_key};
use strategi::store::Workspace;

use super::ui::{paint, styles};
use super::write::Write;
use super::{CommandError, Ctx, Ui};

/// The case's journal and its document numbers.
#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// List the case's journal: its documents with their numbers.
    ///
    /// Every outgoing letter and reminder (U), every answer received, imported or registered by hand (I), and every internal document, a
    /// version handed in or an approval (N), in the journal's stable order, with its
    /// date, party, title, document number and whether that number was recorded from
    /// the archive system (`journal set`) or assigned by strategi from `[journal] start`
    /// in `[case] number` (an assigned number is provisional), and whether it is public
    /// or screened (an answer exempted from publication or published with passages
    /// removed, `publish decide`), with the legal basis. The ID column names the
    /// document for `journal set`.
    ///
    /// Example: strategi journal list --json
    List,
    /// Record the document number the archive system gave a document (24/3095-74).
    ///
    /// ITEM names the document: its id (or an unambiguous start of it,
    /// at least 3 characters; a reply's digest without `sha256:`) or its current number
    /// (24/3095-5, or just 5), as `journal list` shows them. A recorded number never
    /// changes; a number recorded for another document is refused; documents that were
    /// only assigned the number get the next free ones (shown). Only the case owner
    /// records numbers.
    ///
    /// Example: strategi journal set 5 24/3095-74
    Set(SetArgs),
}

/// Arguments of `journal set`.
#[derive(Debug, Args)]
pub struct SetArgs {
    /// The document: its id (or the start of it) or its current number.
    #[arg(value_name = "ITEM")]
    pub item: String,
    /// The document number from the archive system, YY/NNNN-N (24/3095-74).
    #[arg(value_name = "NUMBER")]
    pub number: String,
}

/// Runs a `journal` command.
pub fn run(ctx: &mut Ctx, ui: &mut Ui, cmd: &JournalCommand) -> Result<(), CommandError> {
    match cmd {
        JournalCommand::List => list(ctx, ui),
        JournalCommand::Set(a) => set(ctx, ui, a),
    }
}

/// How the library's refusals are shown: the user's to fix (exit 1), with a hint.
fn refusal(e: JournalError) -> CommandError {
    match e {
        JournalError::Store(s) => CommandError::from(s),
        other => {
            let hint = other.hint();
            let err = CommandError::user(other.to_string());
            match hint {
                Some(h) => err.hint(h),
                None => err,
            }
        }
    }
}

/// One entry as `journal list` reports it.
#[derive(Debug, Serialize)]
struct Row {
    id: String,
    kind: EntryKind,
    direction: Direction,
    date: jiff::civil::Date,
    party: PartyRef,
    title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    round: Option<RecordId>,
    /// The document number (none when the case has no case number).
    number: Option<String>,
    /// "recorded" (from the archive system) or "assigned" (by strategi, provisional).
    #[serde(skip_serializing_if = "Option::is_none")]
    numbering: Option<&'static str>,
    /// The number record, for a recorded number.
    #[serde(skip_serializing_if = "Option::is_none")]
    record: Option<RecordId>,
    /// "public" or "screened".
    publicity: strategi::journal::Publicity,
    /// For a screened answer: exempt or redacted.
    #[serde(skip_serializing_if = "Option::is_none")]
    screening: Option<&'static str>,
    /// For a screened answer: its legal basis (or bases).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    basis: Vec<String>,
    files: Vec<DocFile>,
}

/// The result of `journal list`.
#[derive(Debug, Serialize)]
struct Listed {
    /// The case number, when it is one.
    case: Option<String>,
    /// The first number strategi assigns (`[journal] start`).
    start: u32,
    entries: Vec<Row>,
    /// Number records that were ignored, and why.
    findings: Vec<strategi::journal::JournalFinding>,
}

/// Each round's publicity decisions (the rounds with an answer in the journal), their
/// ignored decisions warned about.
fn screened(
    ws: &Workspace,
    config: &Config,
    journal: &Journal,
    ui: &mut Ui,
) -> Result<CaseDecisions, CommandError> {
    let mut rounds: Vec<&RecordId> = journal
        .entries
        .iter()
        .filter(|e| answer_key(e).is_some())
        .filter_map(|e| e.round.as_ref())
        .collect();
    rounds.sort();
    rounds.dedup();
    let decided = CaseDecisions::load(ws, config, rounds)?;
    for f in decided.findings() {
        ui.warn(format!(
            "{}: {} (ignored; run `strategi verify`)",
            f.path, f.message
        ));
    }
    Ok(decided)
}

fn row(e: &Entry, decided: &CaseDecisions) -> Row {
    let (publicity, screening, basis) = match decided.of_entry(e) {
        Publicity::Public => (strategi::journal::Publicity::Public, None, Vec::new()),
        Publicity::Exempt { basis } => (
            strategi::journal::Publicity::Screened,
            Some("exempt"),
            vec![basis],
        ),
        Publicity::Redacted { redactions } => (
            strategi::journal::Publicity::Screened,
            Some("redacted"),
            decisions::bases(&redactions),
        ),
    };
    let (numbering, record) = match &e.numbering {
        Some(Numbering::Recorded { record }) => (Some("recorded"), Some(record.clone())),
        Some(Numbering::Assigned) => (Some("assigned"), None),
        None => (None, None),
    };
    Row {
        id: e.id.clone(),
        kind: e.kind,
        direction: e.direction,
        date: e.date,
        party: e.party.clone(),
        title: e.title.clone(),
        round: e.round.clone(),
        number: e.number.map(|n| n.to_string()),
        numbering,
        record,
        publicity,
        screening,
        basis,
        files: e.files.clone(),
    }
}

/// An id as the table shows it: a reply's digest shortened (still a unique start for
/// `journal set` in any realistic case; the JSON has it whole).
fn short_id(id: &str) -> String {
    match id.strip_prefix("sha256:") {
        Some(d) => format!("sha256:{}", d.get(..12).unwrap_or(d)),
        None => id.to_string(),
    }
}

fn list(ctx: &mut Ctx, ui: &mut Ui) -> Result<(), CommandError> {
    let ws = ctx.workspace()?;
    let config = ws.config()?;
    let journal = load_journal(&ws, &config, ctx.clock.today())?;
    for f in &journal.findings {
        ui.warn(format!(
            "{}: {} (ignored; run `strategi verify`)",
            f.path, f.message
        ));
    }
    let decided = screened(&ws, &config, &journal, ui)?;
    let listed = Listed {
        case: journal.case.map(|c| c.to_string()),
        start: config.journal.start.max(1),
        entries: journal.entries.iter().map(|e| row(e, &decided)).collect(),
        findings: journal.findings.clone(),
    };
    ui.emit(&listed, |w| {
        match &listed.case {
            Some(c) => writeln!(
                w,
                "{} {c}: {}",
                paint(styles::BOLD, "Journal of case"),
                config.case.title
            )?,
            None => writeln!(
                w,
                "{} {} (no case number: set [case] number in strategi.toml to number the documents)",
                paint(styles::BOLD, "Journal of"),
                config.case.title
            )?,
        }
        if listed.entries.is_empty() {
            writeln!(
                w,
                "No documents yet: letters sent, answers received, versions handed in and approvals appear here."
            )?;
            return Ok(());
        }
        let number_w = columns::column_width(
            listed
                .entries
                .iter()
                .map(|r| r.number.clone().unwrap_or_else(|| "-".into()))
                .chain(["Number".to_string()]),
            20,
        );
        let party_w = columns::column_width(
            listed
                .entries
                .iter()
                .map(|r| r.party.code.as_str())
                .chain(["Party"]),
            12,
        );
        let title_w = columns::column_width(
            listed
                .entries
                .iter()
                .map(|r| r.title.as_str())
                .chain(["Title"]),
            50,
        );
        writeln!(
            w,
            "{}",
            paint(
                styles::DIM,
                format!(
                    "{}  {:8}  {:10}  I/U/N  {}  {}  {:9}  Id",
                    columns::pad("Number", number_w),
                    "By",
                    "Date",
                    columns::pad("Party", party_w),
                    columns::pad("Title", title_w),
                    "Publicity"
                )
            )
        )?;
        for r in &listed.entries {
            writeln!(
                w,
                "{}  {:8}  {}  {:5}  {}  {}  {:9}  {}",
                columns::pad(r.number.as_deref().unwrap_or("-"), number_w),
                r.numbering.unwrap_or("-"),
                r.date,
                r.direction.letter(),
                columns::pad(r.party.code.as_str(), party_w),
                columns::fit(&r.title, title_w),
                match r.publicity {
                    strategi::journal::Publicity::Public => "public",
                    strategi::journal::Publicity::Screened => "screened",
                },
                short_id(&r.id)
            )?;
        }
        let screened: Vec<&Row> = listed
            .entries
            .iter()
            .filter(|r| r.screening.is_some())
            .collect();
        if !screened.is_empty() {
            writeln!(w)?;
            for r in screened {
                writeln!(
                    w,
                    "Screened {} ({}): {}, {}",
                    r.number.as_deref().unwrap_or(&r.id),
                    r.party.name,
                    r.screening.unwrap_or_default(),
                    r.basis.join("; ")
                )?;
            }
        }
        Ok(())
    })
}

/// One entry whose assigned number moved.
#[derive(Debug, Serialize)]
struct Moved {
    id: String,
    title: String,
    from: String,
    to: String,
}

/// The result of `journal set`.
#[derive(Debug, Serialize)]
struct Set {
    /// The number record written (`j…`).
    record: RecordId,
    /// Its file.
    path: String,
    /// The document.
    id: String,
    title: String,
    direction: Direction,
    /// The number recorded.
    number: String,
    /// Its number before (assigned), when it had one.
    previous: Option<String>,
    /// Documents whose assigned number moved.
    moved: Vec<Moved>,
    commit: strategi::store::CommitInfo,
}

fn set(ctx: &mut Ctx, ui: &mut Ui, args: &SetArgs) -> Result<(), CommandError> {
    let ws = ctx.workspace()?;
    // The lock first: the journal read after it sees every earlier writer's records.
    let Write {
        tx,
        config,
        actor,
        now,
    } = Write::begin(ctx, &ws, "strategi journal set")?;
    let journal = load_journal(&ws, &config, ctx.clock.today())?;
    let previous = strategi::journal::resolve_item(&journal, &args.item)
        .ok()
        .and_then(|e| e.number);
    let done = strategi::journal::set_number(
        tx,
        &actor,
        &now,
        &config,
        &journal,
        &args.item,
        &args.number,
    )
    .map_err(refusal)?;
    let title = |id: &str| {
        journal
            .entry(id)
            .map(|e| e.title.clone())
            .unwrap_or_default()
    };
    let result = Set {
        record: done.record.id.clone(),
        path: strategi::journal::number_record_path(&done.record),
        id: done.entry.id.clone(),
        title: done.entry.title.clone(),
        direction: done.entry.direction,
        number: done.record.number.to_string(),
        previous: previous.map(|n| n.to_string()),
        moved: done
            .moved
            .iter()
            .map(|(id, from, to)| Moved {
                id: id.clone(),
                title: title(id),
                from: from.to_string(),
                to: to.to_string(),
            })
            .collect(),
        commit: done.commit.clone(),
    };
    ui.emit(&result, |w| {
        writeln!(
            w,
            "Recorded {} for {} ({}, {}){}.",
            paint(styles::BOLD, &result.number),
            result.title,
            result.direction.letter(),
            short_id(&result.id),
            match &result.previous {
                Some(p) if *p != result.number => format!("; it was assigned {p}"),
                _ => String::new(),
            }
        )?;
        if !result.moved.is_empty() {
            writeln!(w, "Assigned numbers that moved:")?;
            for m in &result.moved {
                writeln!(w, "  {} -> {}  {}", m.from, m.to, m.title)?;
            }
        }
        Ok(())
    })
}
