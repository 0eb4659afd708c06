//! `strategi comment add|import|list|show|resolve`: comments on a round, anchored to the
//! text, each answered with a decision.

use clap::{Args, Subcommand};
use serde::Serialize;

use strategi::calendar::work_calendar;
use strategi::columns;
use strategi::consultation::actions::{self, ActError, NewComment};
use strategi::consultation::apply;
use strategi::consultation::{
    CommentState, Decision, RoundState, load_all_comments, load_rounds, rules,
};
use strategi::document::anchor::AnchorError;
use strategi::model::{Config, PartyCode};
use strategi::store::Workspace;

use super::parse;
use super::ui::{paint, styles};
use super::write::Write;
use super::{CommandError, Ctx, Ui};

/// Comments: register them, import them from e-mail, list them, answer each one.
#[derive(Debug, Subcommand)]
pub enum CommentCommand {
    /// Register one comment from a party, anchored to a section and a quoted passage of
    /// the round's version. A quote that does not occur in the section is refused with
    /// the closest passage suggested; without --section the comment is general. Like
    /// every answer it comes after the round's letter to the party (`round send`).
    ///
    /// Example: strategi comment add latest --from FIN --section mal --quote "innen 2030"
    /// --text "Fristen er for kort." --proposal "innen 2032"
    Add(AddArgs),
    /// Import e-mail replies (.eml), filled-in response forms (.txt) and Word files
    /// (.docx) into a round. Each Word comment (in an attachment or a .docx given with
    /// --from) becomes an anchored comment, each tracked change or edit a suggestion;
    /// .doc, .odt and encrypted files are refused asking for .docx. The party comes from the subject token [strategi ROUND/PARTY], In-Reply-To, or
    /// the sender's address (or --from). The message and its attachments are kept in the
    /// round's folder; importing the same message again changes nothing. A reply from a
    /// party whose letter was not sent yet, or dated before it, is refused.
    ///
    /// A folder stands for the files directly in it, and an mbox file (a mailbox as
    /// Thunderbird or Outlook exports it) for its messages: thousands of answers are
    /// one command and one commit, with a counter on a terminal and a count by outcome
    /// (imported, already imported, refused). Every refused file is listed with its
    /// reason (a message of an mbox by its number, lines, byte offset and Message-ID);
    /// one refused file means nothing is imported, unless --skip-bad.
    ///
    /// Example: strategi comment import latest svar/ Innboks.mbox --skip-bad
    Import(ImportArgs),
    /// List comments (all rounds, or filtered), with their decisions. --on V shows where
    /// each quoted passage lands in a later version: exact, moved, changed or orphaned.
    List(ListArgs),
    /// Show one comment, its anchor and its decisions.
    Show(ShowArgs),
    /// Decide a comment: accepted, partly, rejected or noted. A later decision
    /// supersedes the earlier one (kept as history). partly and rejected need --note.
    /// With --apply an accepted suggestion is also put into the draft (see `comment
    /// apply`); if it cannot be, nothing is written.
    Resolve(ResolveArgs),
    /// Put an accepted suggestion into the draft: its quote, found exactly once in
    /// strategy/ (across line breaks), is replaced by its proposal, in one commit that
    /// names the comment. A tracked move from Word is both edits in that one commit:
    /// the text deleted where it was and put in where it goes. A quote no longer
    /// there, or there twice (for a move: either place), is refused with where the
    /// text went; nothing is written.
    ///
    /// Example: strategi comment apply c3k9q2
    Apply(ApplyArgs),
}

/// Arguments of `comment apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The comment's id (or the start of it).
    pub comment: String,
}

/// Arguments of `comment add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// The round's id (or the start of it, or "latest").
    pub round: String,
    /// The party whose comment it is.
    #[arg(long, value_parser = parse::party)]
    pub from: PartyCode,
    /// The section's id (see `strategi version show V`); none for a general comment.
    #[arg(long)]
    pub section: Option<String>,
    /// The passage commented on, as it stands in the section.
    #[arg(long, requires = "section", value_parser = parse::text("quote"))]
    pub quote: Option<String>,
    /// The comment.
    #[arg(long, value_parser = parse::text("comment"))]
    pub text: String,
    /// A proposed wording.
    #[arg(long, value_parser = parse::text("proposal"))]
    pub proposal: Option<String>,
    /// When the party gave it, for a letter registered later: the date it is dated
    /// (YYYY-MM-DD, or a time YYYY-MM-DDTHH:MM Oslo time). Default: now.
    #[arg(long, value_name = "DATE|DATETIME", value_parser = parse::received)]
    pub received: Option<parse::Received>,
}

/// Arguments of `comment import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The round's id (or the start of it, or "latest").
    pub round: String,
    /// The files: e-mails (.eml), mbox files, response forms (.txt) or Word files
    /// (.docx), or folders of them.
    #[arg(required = true)]
    pub files: Vec<std::path::PathBuf>,
    /// The party the files are from, when it cannot be found in them.
    #[arg(long, value_parser = parse::party)]
    pub from: Option<PartyCode>,
    /// Import the good files even when others are refused (by default one refused
    /// file means nothing is imported).
    #[arg(long)]
    pub skip_bad: bool,
    /// When the files were received, for those without a date of their own (a bare
    /// form, or a message without a usable Date header): YYYY-MM-DD, or a time
    /// YYYY-MM-DDTHH:MM Oslo time. A message's own Date is kept. Default: now.
    #[arg(long, value_name = "DATE|DATETIME", value_parser = parse::received)]
    pub received: Option<parse::Received>,
}

/// Filters of `comment list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this round (id, start of it, or "latest").
    #[arg(long)]
    pub round: Option<String>,
    /// Only this party's comments.
    #[arg(long, value_parser = parse::party)]
    pub party: Option<PartyCode>,
    /// Only comments on this section.
    #[arg(long)]
    pub section: Option<String>,
    /// Only comments without a decision.
    #[arg(long, conflicts_with = "decided")]
    pub open: bool,
    /// Only decided comments.
    #[arg(long)]
    pub decided: bool,
    /// Show where each anchor lands in this later version (or "draft").
    #[arg(long, value_name = "V")]
    pub on: Option<String>,
}

/// Arguments of `comment show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The comment's id (or the start of it).
    pub comment: String,
}

/// Arguments of `comment resolve`.
#[derive(Debug, Args)]
pub struct ResolveArgs {
    /// The comment's id (or the start of it).
    pub comment: String,
    /// accepted, partly, rejected or noted.
    #[arg(long, value_parser = parse::decision)]
    pub decision: Decision,
    /// The reasoning (required for partly and rejected).
    #[arg(long, value_parser = parse::text("note"))]
    pub note: Option<String>,
    /// Also put the suggestion into the draft (accepted or partly only), as `comment
    /// apply` does.
    #[arg(long)]
    pub apply: bool,
}

/// Runs a `comment` command.
pub fn run(ctx: &mut Ctx, ui: &mut Ui, cmd: &CommentCommand) -> Result<(), CommandError> {
    match cmd {
        CommentCommand::Add(a) => add(ctx, ui, a),
        CommentCommand::Import(a) => super::import::run(ctx, ui, a),
        CommentCommand::List(a) => list(ctx, ui, a),
        CommentCommand::Show(a) => show(ctx, ui, a),
        CommentCommand::Resolve(a) => resolve(ctx, ui, a),
        CommentCommand::Apply(a) => apply(ctx, ui, a),
    }
}

/// Runs `comment apply`.
fn apply(ctx: &mut Ctx, ui: &mut Ui, args: &ApplyArgs) -> Result<(), CommandError> {
    let ws = ctx.workspace()?;
    let mut write = Write::begin(ctx, &ws, "strategi comment apply")?;
    let (round, c) = find_comment(ctx, &ws, &write.config, &args.comment)?;
    let (tx, who) = write.act();
    let done = apply::apply_suggestion(tx, &who, &round, &c, true)?;
    ui.emit(&done, |w| writeln!(w, "{}", applied_line(&done)))
}

fn applied_line(a: &apply::Applied) -> String {
    let moved = a
        .moved_to
        .as_ref()
        .map(|m| {
            format!(
                ", and at {}:{}: «{}» → «{}» (a move, in one commit)",
                m.file, m.line, m.quote, m.proposal
            )
        })
        .unwrap_or_default();
    format!(
        "Applied comment {} to {}:{}: «{}» → «{}»{moved}.",
        paint(styles::BOLD, &a.comment),
        a.file,
        a.line,
        a.quote,
        a.proposal
    )
}

/// The round's version as a document.
pub(super) fn round_document(
    ws: &Workspace,
    state: &RoundState,
) -> Result<strategi::document::Document, CommandError> {
    let version = ws.version(state.def.version)?;
    super::version::document(ws.version_files(&version)?, &version.name.to_string())
}

/// The refusal of an act, with the section suggestions and the closest passage that
/// only the document can give.
fn act_error(e: ActError, doc: &strategi::document::Document, version: &str) -> CommandError {
    match e {
        ActError::Anchor(AnchorError::UnknownSection { section }) => {
            super::version::unknown_section(doc, &section, version)
        }
        ActError::Anchor(AnchorError::QuoteNotFound {
            section,
            quote,
            closest,
        }) => {
            let err = CommandError::user(format!(
                "The quote \"{quote}\" does not occur in section \"{section}\" of {version}."
            ));
            match closest {
                Some(c) => err.hint(format!("The closest passage there is: \"{c}\". Quote the text exactly as it stands (line breaks and spacing do not matter).")),
                None => err.hint(format!("See the section with `strategi version show {version} --section {section}`.")),
            }
        }
        other => other.into(),
    }
}

fn add(ctx: &mut Ctx, ui: &mut Ui, args: &AddArgs) -> Result<(), CommandError> {
    let ws = ctx.workspace()?;
    let mut write = Write::begin(ctx, &ws, "strategi comment add")?;
    let state = super::round::load(ctx, &ws, &write.config, &args.round)?;
    // Refused before the version is read, as the act would refuse it.
    rules::may_answer(&write.config, &state, &write.actor.party, &args.from)?;
    let doc = round_document(&ws, &state)?;
    let (tx, who) = write.act();
    let done = actions::add_comment(
        tx,
        &who,
        &state,
        &doc,
        NewComment {
            party: args.from.clone(),
            section: args.section.clone(),
            quote: args.quote.clone(),
            text: args.text.clone(),
            proposal: args.proposal.clone(),
            received: args.received.map(|r| r.at(who.now)),
        },
    )
    .map_err(|e| act_error(e, &doc, &state.def.version.to_string()))?;
    let record = &done.comment;
    ui.emit(&done, |w| {
        writeln!(
            w,
            "Registered comment {} from {} on {}.",
            paint(styles::BOLD, &record.id),
            record.party,
            record
                .section
                .as_deref()
                .map_or("the whole text".to_string(), |s| format!("section {s}"))
        )
    })
}

/// Every round with its comments, optionally only one round.
pub(super) fn all_comments(
    ctx: &Ctx,
    ws: &Workspace,
    config: &Config,
    round: Option<&str>,
) -> Result<Vec<(RoundState, strategi::consultation::RoundComments)>, CommandError> {
    let today = ctx.clock.today();
    let cal = work_calendar(config);
    let rounds = match round {
        Some(spec) => vec![super::round::load(ctx, ws, config, spec)?],
        None => load_rounds(ws, config, today, &cal)?,
    };
    let comments = comments_of(ws, config, &rounds)?;
    Ok(rounds.into_iter().zip(comments).collect())
}

/// The comments of each round, in the order of `rounds`.
pub(super) fn comments_of(
    ws: &Workspace,
    config: &Config,
    rounds: &[RoundState],
) -> Result<Vec<strategi::consultation::RoundComments>, CommandError> {
    Ok(load_all_comments(&ws.records()?, rounds, config)?)
}

/// Finds a comment by id or id prefix, in every round.
fn find_comment(
    ctx: &Ctx,
    ws: &Workspace,
    config: &Config,
    spec: &str,
) -> Result<(RoundState, CommentState), CommandError> {
    let spec = spec.trim();
    let mut found = Vec::new();
    for (round, comments) in all_comments(ctx, ws, config, None)? {
        for c in comments.comments {
            if !spec.is_empty() && c.record.id.as_str().starts_with(spec) {
                found.push((round.clone(), c));
            }
        }
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(
            CommandError::user(format!("There is no comment \"{spec}\"."))
                .hint("See the comments with `strategi comment list`."),
        ),
        _ => Err(CommandError::user(format!(
            "\"{spec}\" could be any of the comments {}.",
            found
                .iter()
                .map(|(_, c)| c.record.id.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .hint("Give more of the id.")),
    }
}

/// A `--section` filter must name a section of a listed round's version: an unknown id
/// is refused with the closest section ids of the (latest) round's version, instead of
/// quietly matching nothing. Without rounds there is nothing to list or check.
fn known_section(
    ws: &Workspace,
    rounds: &[(RoundState, strategi::consultation::RoundComments)],
    section: &str,
) -> Result<(), CommandError> {
    let mut seen = Vec::new();
    let mut last = None;
    for (state, _) in rounds {
        if seen.contains(&state.def.version) {
            continue;
        }
        seen.push(state.def.version);
        let doc = round_document(ws, state)?;
        if doc.sections.iter().any(|s| s.id == section) {
            return Ok(());
        }
        last = Some((doc, state));
    }
    match last {
        Some((doc, state)) => {
            let version = ws.version(state.def.version)?;
            Err(super::version::unknown_section(
                &doc,
                section,
                &version.name.to_string(),
            ))
        }
        None => Ok(()),
    }
}

/// A comment in a list, with where its anchor lands in a later version.
#[derive(Serialize)]
struct Listed<'a> {
    #[serde(flatten)]
    comment: &'a CommentState,
    #[serde(skip_serializing_if = "Option::is_none")]
    landing: Option<strategi::document::anchor::Landing>,
}

fn list(ctx: &mut Ctx, ui: &mut Ui, args: &ListArgs) -> Result<(), CommandError> {
    let ws = ctx.workspace()?;
    let config = ws.config()?;
    let party = args.party.clone();
    if let Some(p) = &party {
        strategi::consultation::rules::party_of_case(&config, p)?;
    }
    let rounds = all_comments(ctx, &ws, &config, args.round.as_deref())?;
    if let Some(section) = &args.section {
        known_section(&ws, &rounds, section)?;
    }
    let mut findings = Vec::new();
    let mut comments: Vec<CommentState> = Vec::new();
    for (_, rc) in rounds {
        findings.extend(rc.findings);
        comments.extend(rc.comments.into_iter().filter(|c| {
            party.as_ref().is_none_or(|p| &c.record.party == p)
                && args
                    .section
                    .as_ref()
                    .is_none_or(|s| c.record.section.as_ref() == Some(s))
                && (!args.open || c.decision.is_none())
                && (!args.decided || c.decision.is_some())
        }));
    }
    for f in &findings {
        ui.warn(format!(
            "{}: {} (ignored; run `strategi verify`)",
            f.path, f.message
        ));
    }
    let landings = match &args.on {
        Some(v) => Some(super::relocate::landings(&ws, v, &comments)?),
        None => None,
    };
    let listed: Vec<Listed<'_>> = comments
        .iter()
        .enumerate()
        .map(|(i, c)| Listed {
            comment: c,
            landing: landings.as_ref().and_then(|l| l.get(i).cloned().flatten()),
        })
        .collect();
    ui.emit(&listed, |w| {
        if listed.is_empty() {
            writeln!(
                w,
                "No comments{}.",
                if args.round.is_some()
                    || party.is_some()
                    || args.section.is_some()
                    || args.open
                    || args.decided
                {
                    " match"
                } else {
                    " yet"
                }
            )?;
        }
        for l in &listed {
            let c = &l.comment.record;
            let decision = match &l.comment.decision {
                Some(d) => paint(styles::GOOD, format!("{:8}", d.decision.key())),
                None => paint(styles::WARN, "open    "),
            };
            let late = match (l.comment.late, l.comment.effective_due) {
                (true, Some(due)) => paint(styles::WARN, format!("  (late, due {due})")),
                _ => String::new(),
            };
            writeln!(
                w,
                "{}  {decision}  {:5} {}  {}{late}",
                paint(styles::BOLD, &c.id),
                c.party.as_str(),
                columns::pad(c.section.as_deref().unwrap_or("(general)"), 24),
                excerpt(&c.text, 60)
            )?;
            if let Some(land) = &l.landing {
                writeln!(w, "          {}", super::relocate::describe(land))?;
            }
        }
        Ok(())
    })
}

/// `text` on one line, cut with an ellipsis to at most `max` columns.
pub(super) fn excerpt(text: &str, max: usize) -> String {
    let one: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    columns::cut(&one, max).into_owned()
}

fn show(ctx: &mut Ctx, ui: &mut Ui, args: &ShowArgs) -> Result<(), CommandError> {
    let ws = ctx.workspace()?;
    let config = ws.config()?;
    let (round, c) = find_comment(ctx, &ws, &config, &args.comment)?;
    ui.emit(&c, |w| {
        let r = &c.record;
        writeln!(w, "{} comment from {} ({})", paint(styles::BOLD, &r.id), r.party, config.party_name(&r.party))?;
        writeln!(w, "Round     {} {}", round.def.id, round.def.title)?;
        writeln!(w, "Version   {}", r.version)?;
        writeln!(w, "Section   {}", r.section.as_deref().unwrap_or("(general comment)"))?;
        if let Some(a) = &r.anchor {
            writeln!(w, "Quote     …{}[{}]{}…", a.before, a.quote, a.after)?;
        }
        writeln!(w, "Recorded  {} by {}", r.at.strftime("%Y-%m-%d %H:%M UTC"), r.by)?;
        if let Some(t) = &r.received {
            writeln!(w, "Given     {}", t.strftime("%Y-%m-%d %H:%M UTC"))?;
        }
        if let (true, Some(due)) = (c.late, c.effective_due) {
            writeln!(w, "{}", paint(styles::WARN, format!("Late      given after {}'s deadline {due}", r.party)))?;
        }
        if let Some(s) = &r.source {
            writeln!(w, "Source    {s}")?;
        }
        if let Some(o) = &r.word {
            writeln!(
                w,
                "Word      {} in {}{}{}",
                o.kind.key(),
                match &o.name {
                    Some(n) => format!("{n} (stored as {})", o.file),
                    None => o.file.clone(),
                },
                o.author.as_deref().map(|a| format!(" by {a}")).unwrap_or_default(),
                o.date.as_deref().map(|d| format!(" on {d}")).unwrap_or_default()
            )?;
        }
        writeln!(w, "\n{}", r.text)?;
        if let Some(o) = &r.word {
            for reply in &o.replies {
                writeln!(
                    w,
                    "\nReply{}: {}",
                    reply.author.as_deref().map(|a| format!(" from {a}")).unwrap_or_default(),
                    reply.text
                )?;
            }
        }
        if let Some(p) = &r.proposal {
            writeln!(w, "\nProposed: {p}")?;
        }
        if let Some(m) = &r.moved_to {
            writeln!(
                w,
                "Moved to{}: «{}» → «{}»",
                m.section.as_deref().map(|s| format!(" section {s}")).unwrap_or_default(),
                m.anchor.as_ref().map_or("?", |a| a.quote.as_str()),
                m.proposal
            )?;
        }
        for (d, current) in c.superseded.iter().map(|d| (d, false)).chain(c.decision.iter().map(|d| (d, true))) {
            writeln!(
                w,
                "\n{} {} by {} on {}{}",
                if current { "Decision:" } else { "Superseded:" },
                d.decision.key(),
                d.by,
                d.at.strftime("%Y-%m-%d"),
                d.note.as_deref().map(|n| format!(": {n}")).unwrap_or_default()
            )?;
        }
        if c.decision.is_none() {
            writeln!(w, "\nNo decision yet: `strategi comment resolve {} --decision accepted|partly|rejected|noted --note …`", r.id)?;
        }
        Ok(())
    })
}

fn resolve(ctx: &mut Ctx, ui: &mut Ui, args: &ResolveArgs) -> Result<(), CommandError> {
    let decision = args.decision;
    if decision.needs_note() && args.note.is_none() {
        return Err(CommandError::usage(format!(
            "A \"{}\" decision needs its reasons: add --note \"…\".",
            decision.key()
        )));
    }
    if args.apply && !matches!(decision, Decision::Accepted | Decision::Partly) {
        return Err(CommandError::usage(format!(
            "--apply puts an accepted suggestion into the draft; a \"{}\" decision has nothing to apply.",
            decision.key()
        )));
    }
    let ws = ctx.workspace()?;
    let mut write = Write::begin(ctx, &ws, "strategi comment resolve")?;
    let (round, c) = find_comment(ctx, &ws, &write.config, &args.comment)?;
    if args.apply {
        // Checked before the decision is written: a suggestion that cannot be applied
        // refuses the whole command.
        apply::plan(&ws, &c, &ws.draft_files()?, false)?;
    }
    let (tx, who) = write.act();
    let done = actions::decide(tx, &who, &round, &c, decision, args.note.as_deref())?;
    let applied = match args.apply {
        true => Some(apply::apply_suggestion(tx, &who, &round, &c, false)?),
        false => None,
    };
    let (record, commit) = (&done.decision, &done.commit);
    ui.emit(
        &serde_json::json!({ "decision": record, "previous": c.decision, "commit": commit, "applied": applied }),
        |w| {
            if let Some(a) = &applied {
                writeln!(w, "{}", applied_line(a))?;
            }
            writeln!(
                w,
                "Comment {} from {}: {}{}.",
                paint(styles::BOLD, &c.record.id),
                c.record.party,
                decision.words(strategi::model::Lang::En),
                c.decision
                    .as_ref()
                    .map(|d| format!(" (was {})", d.decision.key()))
                    .unwrap_or_default()
            )
        },
    )
}
