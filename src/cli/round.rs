//! `strategi round open|list|show|extend|close`: consultation rounds.

use clap::{Args, Subcommand};
use serde::Serialize;

use jiff::civil::Date;
use strategi::calendar::{ConsultationKind, format_date_long, work_calendar};
use strategi::columns;
use strategi::consultation::actions;
use strategi::consultation::{
    PartyState, PartyStatus, Recipients, RoundState, load_round, load_rounds, resolve_round, rules,
};
use strategi::mail::DeliveryState;
use strategi::model::{Config, Lang, PartyCode, RecordId};
use strategi::store::Workspace;

use super::letters;
use super::parse;
use super::ui::{paint, styles};
use super::write::Write;
use super::{CommandError, Ctx, Ui};

/// Consultation rounds: a fixed version sent to parties with a deadline.
#[derive(Debug, Subcommand)]
pub enum RoundCommand {
    /// Open a round: which version, to whom, by when. The deadline is checked against
    /// the rule for the kind (framlegging at least three weeks, høring at least six).
    ///
    /// Example: strategi --as DFD round open --version v1 --to all --due 2025-12-22
    ///
    /// Example, a public høring that anyone may answer besides the listed parties:
    /// strategi --as DFD round open --version v1 --to all --kind hoyring --open --due 2026-03-02
    Open(OpenArgs),
    /// List the rounds.
    List,
    /// Show a round and where each recipient stands.
    Show(RoundRef),
    /// Give one party a later deadline.
    Extend(ExtendArgs),
    /// Close a round: no more answers are expected.
    Close(CloseArgs),
    /// Send the round's letter to every recipient that has not had it: one e-mail per
    /// party in its language, with the version (Markdown and HTML) and a response form
    /// attached. Each message is written to outbox/ first, then delivered by the
    /// transport set in strategi.toml ([mail] transport = outbox | smtp | sendmail).
    /// Run it again after an interruption: only letters not yet issued are written, and
    /// a letter the server accepted is never sent twice. A letter the server refused for
    /// good is written anew (after the address is corrected); one that may have reached
    /// the server (uncertain) is not: see `strategi outbox flush --help`.
    ///
    /// Only this round's letters are delivered; queued letters of other rounds stay for
    /// `strategi outbox flush`. Sent later than the day the round was opened, the
    /// deadline rule is checked again against the days actually left (framlegging at
    /// least three weeks, høring at least six): too few are refused without --reason.
    Send(SendArgs),
}

/// Arguments of `round send`.
#[derive(Debug, Args)]
pub struct SendArgs {
    /// The round's id (or the start of it, or "latest").
    pub round: String,
    /// Why sending with fewer days left than the rule asks is acceptable (recorded in
    /// the commit).
    #[arg(long)]
    pub reason: Option<String>,
}

/// Arguments of `round open`.
#[derive(Debug, Args)]
pub struct OpenArgs {
    /// The version to send (v1, or the start of its label).
    #[arg(long = "version", value_name = "V")]
    pub version_spec: String,
    /// Recipients: party codes separated by commas, or "all" (every party but the sender
    /// and the owner).
    #[arg(long, value_name = "CODES|all", value_parser = parse::recipients)]
    pub to: Recipients,
    /// The deadline for answers (YYYY-MM-DD or DD.MM.YYYY).
    #[arg(long, value_parser = parse::date)]
    pub due: Date,
    /// framlegging (ministries, at least 3 weeks), hoyring (public, at least 6 weeks) or
    /// innspill (informal input).
    #[arg(long, default_value = "framlegging", value_parser = parse::kind)]
    pub kind: ConsultationKind,
    /// The party that sends the round (default: the acting party).
    #[arg(long, value_parser = parse::party)]
    pub sender: Option<PartyCode>,
    /// A title for letters and lists.
    #[arg(long)]
    pub title: Option<String>,
    /// Why a deadline shorter than the rule is acceptable (recorded with the round).
    #[arg(long)]
    pub reason: Option<String>,
    /// An open høring (only with --kind hoyring): besides the listed parties anyone may
    /// answer; `comment import` registers an unlisted sender as a respondent.
    #[arg(long)]
    pub open: bool,
}

/// A round by id or id prefix.
#[derive(Debug, Args)]
pub struct RoundRef {
    /// The round's id (or the start of it, or "latest").
    pub round: String,
}

/// Arguments of `round extend`.
#[derive(Debug, Args)]
pub struct ExtendArgs {
    /// The round's id (or the start of it, or "latest").
    pub round: String,
    /// The party that gets more time.
    #[arg(long, value_parser = parse::party)]
    pub party: PartyCode,
    /// The new deadline.
    #[arg(long, value_parser = parse::date)]
    pub due: Date,
    /// Why (recorded).
    #[arg(long)]
    pub reason: Option<String>,
}

/// Arguments of `round close`.
#[derive(Debug, Args)]
pub struct CloseArgs {
    /// The round's id (or the start of it, or "latest").
    pub round: String,
    /// A note (recorded).
    #[arg(long)]
    pub note: Option<String>,
}

/// Runs a `round` command.
pub fn run(ctx: &mut Ctx, ui: &mut Ui, cmd: &RoundCommand) -> Result<(), CommandError> {
    match cmd {
        RoundCommand::Open(a) => open(ctx, ui, a),
        RoundCommand::List => list(ctx, ui),
        RoundCommand::Show(a) => show(ctx, ui, &a.round),
        RoundCommand::Extend(a) => extend(ctx, ui, a),
        RoundCommand::Close(a) => close(ctx, ui, a),
        RoundCommand::Send(a) => send(ctx, ui, a),
    }
}

pub(super) fn one_line(text: &str, what: &str) -> Result<String, CommandError> {
    Ok(strategi::model::one_line(text, what)?)
}

fn open(ctx: &mut Ctx, ui: &mut Ui, args: &OpenArgs) -> Result<(), CommandError> {
    let ws = ctx.workspace()?;
    let mut write = Write::begin(ctx, &ws, "strategi round open")?;
    let version = super::version::resolve(&ws, &args.version_spec)?;
    let (tx, who) = write.act();
    let opened = actions::open_round(
        tx,
        &who,
        actions::OpenRound {
            version,
            kind: args.kind,
            to: args.to.clone(),
            due: args.due,
            sender: args.sender.clone(),
            title: args.title.clone(),
            reason: args.reason.clone(),
            open: args.open,
        },
    )?;
    drop(write);
    let (state, check) = (&opened.round, &opened.window);
    for period in &check.spans {
        ui.warn(format!(
            "The window {} to {} spans {} ({} to {}); consider a longer deadline so that those consulted get enough working time.",
            state.def.opened,
            state.def.due,
            period.kind.name(Lang::En),
            period.start,
            period.end
        ));
    }
    ui.emit(
        &serde_json::json!({ "round": state, "window": check, "commit": opened.commit }),
        |w| {
            writeln!(
                w,
                "Opened round {} ({}): {} to {} parties, answers due {}.",
                paint(styles::BOLD, &state.def.id),
                state.def.kind.name(Lang::En),
                state.def.version,
                state.def.recipients.len(),
                format_date_long(check.deadline.date, Lang::En)
            )?;
            if let Some(why) = check.deadline.explanation(Lang::En) {
                writeln!(w, "{why}")?;
            }
            Ok(())
        },
    )
}

/// Resolves a round reference (id, id prefix, or `latest`: the last opened) to an id,
/// with errors a person can act on.
pub(super) fn find(ws: &Workspace, spec: &str) -> Result<RecordId, CommandError> {
    if spec == "latest" {
        let config = ws.config()?;
        let today = jiff::civil::Date::constant(2000, 1, 1);
        return load_rounds(ws, &config, today, &work_calendar(&config))?
            .pop()
            .map(|r| r.def.id)
            .ok_or_else(|| {
                CommandError::user("No round has been opened yet.")
                    .hint("Open one with `strategi round open`.")
            });
    }
    match resolve_round(ws, spec)? {
        Ok(id) => Ok(id),
        Err(c) if c.is_empty() => {
            let near = strategi::consultation::closest_round_ids(ws, spec)?;
            let err = CommandError::user(format!("There is no round \"{spec}\"."));
            Err(if near.is_empty() {
                err.hint("See the rounds with `strategi round list`.")
            } else {
                err.hint(format!(
                    "Did you mean {}? `strategi round list` shows the rounds.",
                    near.join(" or ")
                ))
            })
        }
        Err(c) => Err(CommandError::user(format!(
            "\"{spec}\" could be any of the rounds {}.",
            c.join(", ")
        ))
        .hint("Give more of the id.")),
    }
}

pub(super) fn load(
    ctx: &Ctx,
    ws: &Workspace,
    config: &Config,
    spec: &str,
) -> Result<RoundState, CommandError> {
    let id = find(ws, spec)?;
    let (def, facts) = load_round(ws, &id)?;
    Ok(RoundState::fold(
        def,
        facts,
        config,
        ctx.clock.today(),
        &work_calendar(config),
    ))
}

fn status_word(p: &PartyState, delivery: Option<&Delivery>, lang: Lang) -> String {
    let day = |t: &jiff::Timestamp| {
        t.to_zoned_datetime(strategi::calendar::oslo())
            .date()
            .to_string()
    };
    let mut word = match p.status {
        PartyStatus::NotSent => "not sent".to_string(),
        PartyStatus::Sent => format!(
            "sent {}",
            p.sent.as_ref().map(|s| day(&s.at)).unwrap_or_default()
        ),
        PartyStatus::Reminded => format!(
            "reminded {}x, last {}",
            p.reminders.len(),
            p.reminders.last().map(|s| day(&s.at)).unwrap_or_default()
        ),
        PartyStatus::Answered if p.late => paint(
            styles::WARN,
            format!(
                "answered {} (late, due {}): {}",
                p.received.as_ref().map(day).unwrap_or_default(),
                p.effective_due,
                p.position.map(|x| x.words(lang)).unwrap_or_default()
            ),
        ),
        PartyStatus::Answered => paint(
            styles::GOOD,
            format!(
                "answered {}: {}",
                p.received.as_ref().map(day).unwrap_or_default(),
                p.position.map(|x| x.words(lang)).unwrap_or_default()
            ),
        ),
        PartyStatus::Overdue => paint(styles::BAD, "OVERDUE, no answer"),
    };
    if p.status != PartyStatus::Answered {
        match delivery {
            Some(d) if d.state == DeliveryState::Failed => word.push_str(&paint(
                styles::BAD,
                format!(
                    "  (letter refused: {})",
                    d.response.as_deref().unwrap_or("")
                ),
            )),
            Some(d) if d.state == DeliveryState::Queued => word.push_str(&match &d.response {
                Some(r) => paint(styles::WARN, format!("  (letter queued: {r})")),
                None => "  (letter in outbox, not delivered)".to_string(),
            }),
            Some(d) if d.state == DeliveryState::Uncertain => word.push_str(&paint(
                styles::WARN,
                format!(
                    "  (letter uncertain, the server may have it: {})",
                    d.response.as_deref().unwrap_or("")
                ),
            )),
            Some(d) if d.state == DeliveryState::Sending => {
                word.push_str("  (letter being delivered now)")
            }
            _ => {}
        }
    }
    word
}

/// Where the latest letter to a party stands in the outbox.
#[derive(Debug, Clone, Serialize)]
struct Delivery {
    state: DeliveryState,
    response: Option<String>,
}

/// The delivery of each party's latest round letter, from the outbox.
fn deliveries(
    ws: &Workspace,
    state: &RoundState,
) -> Result<std::collections::BTreeMap<String, Delivery>, CommandError> {
    let by_id: std::collections::HashMap<String, strategi::mail::OutboxState> =
        strategi::mail::Outbox::in_workspace(ws)
            .list()?
            .into_iter()
            .map(|e| (e.state.message_id.clone(), e.state))
            .collect();
    Ok(state
        .parties
        .iter()
        .filter_map(|p| {
            let id = &p.sent.as_ref()?.message_id;
            let s = by_id.get(id)?;
            Some((
                p.party.to_string(),
                Delivery {
                    state: s.state,
                    response: s.server_response.clone(),
                },
            ))
        })
        .collect())
}

fn list(ctx: &mut Ctx, ui: &mut Ui) -> Result<(), CommandError> {
    let ws = ctx.workspace()?;
    let config = ws.config()?;
    let rounds = load_rounds(&ws, &config, ctx.clock.today(), &work_calendar(&config))?;
    ui.emit(&rounds, |w| {
        if rounds.is_empty() {
            writeln!(w, "No rounds yet. Open one with `strategi round open --version V --to all --due DATE`.")?;
        }
        for r in &rounds {
            let state = if r.closed.is_some() { paint(styles::DIM, "closed") } else { paint(styles::GOOD, "open") };
            let moved = r
                .due_moved
                .as_ref()
                .map(|m| format!(" ({})", m.note_in(Lang::En)))
                .unwrap_or_default();
            writeln!(
                w,
                "{}  {}  {}  {:11}  from {}  to {:2} parties  due {}{moved}  {}",
                paint(styles::BOLD, &r.def.id),
                state,
                r.def.version,
                r.def.kind.code(),
                r.def.sender,
                r.def.recipients.len(),
                r.effective_due,
                r.def.title
            )?;
        }
        Ok(())
    })
}

#[derive(Serialize)]
struct Shown<'a> {
    #[serde(flatten)]
    round: &'a RoundState,
    /// Per party: where its latest round letter stands in the outbox.
    delivery: &'a std::collections::BTreeMap<String, Delivery>,
    counts: &'a Counts,
    comments: usize,
    open_comments: usize,
}

/// How many recipients stand where.
#[derive(Debug, Default, Serialize)]
pub(super) struct Counts {
    pub recipients: usize,
    pub sent: usize,
    pub answered: usize,
    /// Of those answered, how many after their deadline.
    pub late: usize,
    pub no_comments: usize,
    pub overdue: usize,
    /// In an open høring: how many answered without being listed (respondents).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub respondents: Option<usize>,
    /// Of the respondents, how many are private persons (marked for screening).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_respondents: Option<usize>,
}

pub(super) fn counts(state: &RoundState) -> Counts {
    let mut c = Counts {
        recipients: state.parties.len(),
        ..Counts::default()
    };
    for p in &state.parties {
        c.sent += usize::from(p.sent.is_some());
        c.answered += usize::from(p.position.is_some());
        c.late += usize::from(p.position.is_some() && p.late);
        c.no_comments +=
            usize::from(p.position == Some(strategi::consultation::Position::NoComments));
        c.overdue += usize::from(p.status == PartyStatus::Overdue);
    }
    if state.def.open {
        c.respondents = Some(state.respondents.len());
        c.private_respondents = Some(state.respondents.iter().filter(|r| r.private).count());
    }
    c
}

/// One respondent as a line of `round show`: id, name, and its position.
fn respondent_line(r: &strategi::consultation::RespondentState, name_w: usize) -> String {
    let day = |t: &jiff::Timestamp| {
        t.to_zoned_datetime(strategi::calendar::oslo())
            .date()
            .to_string()
    };
    let position = r
        .position
        .map(|p| {
            format!(
                "answered {}{}: {}",
                r.received.as_ref().map(day).unwrap_or_default(),
                if r.late { " (late)" } else { "" },
                p.words(Lang::En)
            )
        })
        .unwrap_or_else(|| "no position".to_string());
    format!(
        "  {} {}  {position}{}",
        r.respondent.id,
        columns::fit(&r.respondent.shown(), name_w),
        if r.private {
            "  [private person: screen before publication]"
        } else {
            ""
        }
    )
}

fn show(ctx: &mut Ctx, ui: &mut Ui, spec: &str) -> Result<(), CommandError> {
    let ws = ctx.workspace()?;
    let config = ws.config()?;
    let state = load(ctx, &ws, &config, spec)?;
    for f in &state.findings {
        ui.warn(format!(
            "{}: {} (ignored; run `strategi verify`)",
            f.path, f.message
        ));
    }
    let delivery = deliveries(&ws, &state)?;
    let counts = counts(&state);
    let comments = strategi::consultation::load_comments(&ws.records()?, &state, &config)?;
    let open_comments = comments
        .comments
        .iter()
        .filter(|c| c.decision.is_none())
        .count();
    for f in &comments.findings {
        ui.warn(format!(
            "{}: {} (ignored; run `strategi verify`)",
            f.path, f.message
        ));
    }
    ui.emit(
        &Shown {
            round: &state,
            delivery: &delivery,
            counts: &counts,
            comments: comments.comments.len(),
            open_comments,
        },
        |w| {
            let d = &state.def;
            writeln!(w, "{} {}", paint(styles::BOLD, &d.id), d.title)?;
            writeln!(
                w,
                "Kind      {}{}",
                d.kind.name(Lang::En),
                if d.open { ", open to anyone" } else { "" }
            )?;
            writeln!(w, "Version   {}", d.version)?;
            writeln!(
                w,
                "Sender    {} ({})",
                d.sender,
                config.party_name(&d.sender)
            )?;
            writeln!(w, "Opened    {}", d.opened)?;
            writeln!(
                w,
                "Due       {}",
                format_date_long(state.effective_due, Lang::En)
            )?;
            if let Some(m) = &state.due_moved {
                writeln!(w, "          {}", m.explanation)?;
            }
            if let Some(r) = &d.reason {
                writeln!(w, "Reason    {r}")?;
            }
            writeln!(
                w,
                "State     {}",
                if state.closed.is_some() {
                    "closed"
                } else {
                    "open"
                }
            )?;
            writeln!(
                w,
                "Answers   {} of {} ({} with no comments{}); {} sent; {} overdue",
                counts.answered,
                counts.recipients,
                counts.no_comments,
                if counts.late > 0 {
                    format!(", {} late", counts.late)
                } else {
                    String::new()
                },
                counts.sent,
                counts.overdue
            )?;
            writeln!(
                w,
                "Comments  {} ({open_comments} without a decision)",
                comments.comments.len()
            )?;
            writeln!(w)?;
            let name_w = columns::column_width(
                state.parties.iter().map(|p| config.party_name(&p.party)),
                44,
            );
            for p in &state.parties {
                let name = columns::fit(&config.party_name(&p.party), name_w);
                let ext = match (p.extended, &p.due_moved) {
                    (true, Some(m)) => format!(
                        "  extended to {} ({})",
                        p.effective_due,
                        m.note_in(Lang::En)
                    ),
                    (true, None) => format!("  extended to {}", p.due),
                    (false, _) => String::new(),
                };
                writeln!(
                    w,
                    "  {:5} {name}  {}{ext}",
                    p.party.as_str(),
                    status_word(p, delivery.get(p.party.as_str()), Lang::En)
                )?;
            }
            if d.open {
                writeln!(w)?;
                writeln!(
                    w,
                    "{} ({}, {} private persons)",
                    strategi::report::respondents_heading(Lang::En),
                    state.respondents.len(),
                    counts.private_respondents.unwrap_or(0)
                )?;
                let name_w = columns::column_width(
                    state.respondents.iter().map(|r| r.respondent.shown()),
                    44,
                );
                for r in &state.respondents {
                    writeln!(w, "{}", respondent_line(r, name_w))?;
                }
            }
            Ok(())
        },
    )
}

/// Starts the transaction for a change to an open round: takes the lock, then loads the
/// round and checks that the acting party may change it (after the lock, so the check
/// sees every earlier writer's facts).
pub(super) fn begin_change<'w>(
    ctx: &Ctx,
    ws: &'w Workspace,
    spec: &str,
    command: &str,
) -> Result<(strategi::store::Transaction<'w>, Config, RoundState), CommandError> {
    let (tx, config) = ctx.begin_with_config(ws, command)?;
    let state = load(ctx, ws, &config, spec)?;
    let by = ctx.acting_party(&config)?;
    rules::may_change(&config, &state, &by)?;
    Ok((tx, config, state))
}

fn extend(ctx: &mut Ctx, ui: &mut Ui, args: &ExtendArgs) -> Result<(), CommandError> {
    let ws = ctx.workspace()?;
    let mut write = Write::begin(ctx, &ws, "strategi round extend")?;
    let state = load(ctx, &ws, &write.config, &args.round)?;
    let (tx, who) = write.act();
    let done = actions::extend(
        tx,
        &who,
        &state,
        &args.party,
        args.due,
        args.reason.as_deref(),
    )?;
    ui.emit(&done, |w| {
        writeln!(
            w,
            "Extended {}'s deadline in round {} from {} to {}.",
            paint(styles::BOLD, &args.party),
            state.def.id,
            done.previous_due,
            args.due
        )
    })
}

fn close(ctx: &mut Ctx, ui: &mut Ui, args: &CloseArgs) -> Result<(), CommandError> {
    let ws = ctx.workspace()?;
    let mut write = Write::begin(ctx, &ws, "strategi round close")?;
    let state = load(ctx, &ws, &write.config, &args.round)?;
    let (tx, who) = write.act();
    let done = actions::close(tx, &who, &state, args.note.as_deref())?;
    ui.emit(&done, |w| {
        writeln!(w, "Closed round {}.", paint(styles::BOLD, &state.def.id))
    })
}

fn send(ctx: &mut Ctx, ui: &mut Ui, args: &SendArgs) -> Result<(), CommandError> {
    let reason = args
        .reason
        .as_deref()
        .map(|r| one_line(r, "reason"))
        .transpose()?;
    let ws = ctx.workspace()?;
    let mut run = letters::RoundLetters::begin(ctx, &ws, &args.round, "strategi round send")?;
    let done = strategi::consultation::letters::send(
        &mut run.tx,
        &run.config,
        &run.state,
        &run.actor,
        &run.now,
        reason.as_deref(),
    )?;
    let sent = run.deliver(done.as_ref())?;
    let (config, state, delivered, outbox_dir) =
        (sent.config, sent.state, sent.delivery, sent.outbox_dir);
    let planned = done.as_ref().map_or(&[][..], |d| &d.letters[..]);
    let issued: Vec<_> = planned
        .iter()
        .map(|l| {
            serde_json::json!({
                "party": l.party.code,
                "lang": l.party.lang,
                "to": l.mail.to.address,
                "message_id": l.mail.message_id,
                "subject": l.mail.subject,
                "entry": format!("{}/{}.eml", strategi::mail::OUTBOX_DIR, l.entry),
            })
        })
        .collect();
    ui.emit(
        &letters::with_fields(
            serde_json::json!({
                "round": state.def.id,
                "letters": issued,
                "commit": done.as_ref().map(|d| &d.commit),
            }),
            letters::json_fields(&delivered),
        ),
        |w| {
            if planned.is_empty() {
                writeln!(
                    w,
                    "Every recipient of round {} has had its letter; nothing new to write.",
                    paint(styles::BOLD, &state.def.id)
                )?;
            } else {
                writeln!(
                    w,
                    "Wrote {} letter(s) of round {} to the outbox:",
                    planned.len(),
                    paint(styles::BOLD, &state.def.id)
                )?;
                for l in &planned_lines(planned) {
                    writeln!(w, "  {l}")?;
                }
            }
            letters::write_deliveries(w, &delivered, &config, &outbox_dir)
        },
    )?;
    letters::check_delivered(&delivered)
}

fn planned_lines(planned: &[strategi::consultation::letters::PlannedLetter]) -> Vec<String> {
    planned
        .iter()
        .map(|l| {
            format!(
                "{:5} {:2}  {}",
                l.party.code.as_str(),
                l.party.lang.code(),
                l.mail.to.address
            )
        })
        .collect()
}
