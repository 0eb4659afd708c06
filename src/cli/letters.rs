//! Letters of a round (the round letter and reminders): rendering them into the outbox,
//! delivering the outbox through the configured transport, and recording both in git.
//!
//! One command is two commits under one lock: first the letters are rendered, written
//! to `outbox/` as queued entries and recorded as `sent`/`reminded` facts (the commit
//! point: from then on the letters exist and are never rendered again), then the outbox
//! is delivered and the new delivery states are committed. A crash between the two
//! leaves queued entries that `outbox flush` delivers; a crash during delivery leaves
//! state files newer than the last commit, which the next delivery commits.

use std::path::{Path, PathBuf};

use serde::Serialize;

use strategi::calendar::{format_date_long, work_calendar};
use strategi::consultation::{FactBody, PartyState, RoundState};
use strategi::document::html::{html_body, html_page};
use strategi::mail::{
    Attachment, DeliveryState, FormContext, FormSection, LetterContext, LetterKind, Mailbox,
    Mailer, Outbox, OutboxMeta, OutgoingMail, Renderer, SendmailMailer, SmtpMailer, message_id,
};
use strategi::model::{Config, Lang, Party, Transport, Version};
use strategi::store::{Transaction, Workspace};

use super::{CommandError, Ctx};

/// The workspace's outbox folder.
pub const OUTBOX_DIR: &str = "outbox";

/// The outbox of a workspace.
pub fn outbox(ws: &Workspace) -> Outbox {
    Outbox::new(ws.root().join(OUTBOX_DIR))
}

/// Everything a round's letters need, loaded and rendered once for all recipients.
struct LetterKit {
    renderer: Renderer,
    version: Version,
    sections: Vec<FormSection>,
    /// The version as one Markdown file.
    markdown: String,
    /// The version as HTML (the page around it names the letter's language).
    html_body: String,
}

impl LetterKit {
    /// Loads the templates (with the workspace's overrides) and the round's version.
    fn load(ws: &Workspace, state: &RoundState) -> Result<LetterKit, CommandError> {
        let overrides = ws.root().join("templates");
        let renderer = Renderer::new(overrides.is_dir().then_some(overrides.as_path()))?;
        let version = ws.version(state.def.version)?;
        let sources =
            super::version::sources(ws.version_files(&version)?, &version.name.to_string())?;
        let doc = strategi::document::Document::parse(&sources);
        let sections = doc
            .sections
            .iter()
            .filter(|s| s.level > 0)
            .map(|s| FormSection {
                id: s.id.clone(),
                title: s.title.clone(),
            })
            .collect();
        let markdown = sources
            .iter()
            .map(|s| s.text.trim_end())
            .collect::<Vec<_>>()
            .join("\n\n");
        Ok(LetterKit {
            renderer,
            version,
            sections,
            markdown: format!("{markdown}\n"),
            html_body: html_body(&sources),
        })
    }
}

/// A letter ready for the outbox, with the fact that records it.
pub struct PlannedLetter {
    /// The party.
    pub party: Party,
    /// The message.
    pub mail: OutgoingMail,
    /// The fact to record.
    pub fact: FactBody,
}

fn sender_mailboxes(
    config: &Config,
    state: &RoundState,
) -> Result<(Mailbox, Mailbox), CommandError> {
    let sender = config.party(&state.def.sender).ok_or_else(|| {
        CommandError::user(format!(
            "The round's sender {} is no longer a party of the case, so there is no address to send from.",
            state.def.sender
        ))
    })?;
    let from_address = config
        .mail
        .from
        .as_ref()
        .map_or_else(|| sender.email.to_string(), ToString::to_string);
    Ok((
        Mailbox::new(sender.name.clone(), from_address),
        Mailbox::new(sender.name.clone(), sender.email.to_string()),
    ))
}

/// The file names of the attachments, in the party's language.
fn attachment_names(version: &Version, party: &Party) -> (String, String, String) {
    let form = match party.lang {
        Lang::En => "response-form",
        Lang::Nb | Lang::Nn | Lang::Da => "svarskjema",
    };
    let stem = format!("strategi-{}", version.name);
    (
        format!("{stem}.md"),
        format!("{stem}.html"),
        format!("{form}-{}-{}.txt", party.code, version.name),
    )
}

/// Renders one letter of `kind` to `party` in its language.
fn plan_letter(
    ctx: &Ctx,
    ids: &mut strategi::model::IdSource,
    config: &Config,
    state: &RoundState,
    kit: &LetterKit,
    ps: &PartyState,
    kind: LetterKind,
) -> Result<PlannedLetter, CommandError> {
    let party = config.party(&ps.party).cloned().ok_or_else(|| {
        CommandError::user(format!(
            "{} is a recipient of round {} but no longer a party of the case, so there is no address.",
            ps.party, state.def.id
        ))
        .hint(format!("Add it again with `strategi party add {} --name NAME --email ADDRESS`.", ps.party))
    })?;
    let lang = party.lang;
    let (from, reply_to) = sender_mailboxes(config, state)?;
    let round_id = state.def.id.to_string();
    let token = format!("[strategi {round_id}/{}]", party.code);
    let cal = work_calendar(config);
    let due = cal
        .adjust_deadline(ps.due)
        .map(|a| a.date)
        .unwrap_or(ps.due);
    let due_words = format_date_long(due, lang);
    let (md_name, html_name, form_name) = attachment_names(&kit.version, &party);
    let mut attachments = Vec::new();
    let form = kit.renderer.render_form(
        lang,
        &FormContext {
            case_title: config.case.title.clone(),
            round_id: round_id.clone(),
            round_title: state.def.title.clone(),
            party_code: party.code.to_string(),
            party_name: party.name.clone(),
            version_name: kit.version.name.to_string(),
            version_label: kit.version.label.clone(),
            due_date_words: due_words.clone(),
            reply_address: reply_to.address.clone(),
            subject_token: token.clone(),
            sections: kit.sections.clone(),
        },
    )?;
    if kind == LetterKind::RoundLetter {
        attachments.push(Attachment {
            filename: md_name,
            content_type: "text/markdown; charset=utf-8".into(),
            bytes: kit.markdown.clone().into_bytes(),
        });
        let subtitle = format!("{} – {}", kit.version.name, kit.version.label);
        attachments.push(Attachment {
            filename: html_name,
            content_type: "text/html; charset=utf-8".into(),
            bytes: html_page(&config.case.title, lang.code(), &subtitle, &kit.html_body)
                .into_bytes(),
        });
    }
    attachments.push(Attachment {
        filename: form_name,
        content_type: "text/plain; charset=utf-8".into(),
        bytes: form.into_bytes(),
    });
    let letter = LetterContext {
        case_title: config.case.title.clone(),
        case_number: config.case.number.clone(),
        sender_name: from.name.clone(),
        sender_code: state.def.sender.to_string(),
        recipient_name: party.name.clone(),
        recipient_code: party.code.to_string(),
        round_id: round_id.clone(),
        round_kind_name: state.def.kind.name(lang).to_string(),
        round_title: state.def.title.clone(),
        version_name: kit.version.name.to_string(),
        version_label: kit.version.label.clone(),
        due_date_words: due_words,
        reply_address: reply_to.address.clone(),
        subject_token: token,
        attachments: attachments.iter().map(|a| a.filename.clone()).collect(),
        contact_name: None,
        contact_email: None,
        sent_date_words: ps.sent.as_ref().map(|s| {
            format_date_long(
                s.at.to_zoned_datetime(strategi::calendar::oslo()).date(),
                lang,
            )
        }),
    };
    let rendered = kit.renderer.render_letter(kind, lang, &letter)?;
    let domain = from
        .address
        .rsplit('@')
        .next()
        .unwrap_or_default()
        .to_string();
    let unique = ids
        .next_id(strategi::model::RecordKind::Message)
        .to_string();
    let id = message_id(&round_id, party.code.as_str(), &domain, &unique);
    let mail = OutgoingMail {
        from,
        reply_to: Some(reply_to),
        to: Mailbox::new(party.name.clone(), party.email.to_string()),
        subject: rendered.subject,
        body_text: rendered.body,
        attachments,
        message_id: id.clone(),
        in_reply_to: match kind {
            LetterKind::Reminder => ps.sent.as_ref().map(|s| s.message_id.clone()),
            LetterKind::RoundLetter => None,
        },
        date: ctx.clock.now().timestamp(),
        extra_headers: vec![
            ("X-Strategi-Round".into(), round_id),
            ("X-Strategi-Party".into(), party.code.to_string()),
            ("X-Strategi-Version".into(), kit.version.name.to_string()),
        ],
    };
    let fact = match kind {
        LetterKind::RoundLetter => FactBody::Sent {
            party: party.code.clone(),
            message_id: id,
        },
        LetterKind::Reminder => FactBody::Reminded {
            party: party.code.clone(),
            message_id: id,
        },
    };
    Ok(PlannedLetter { party, mail, fact })
}

/// Queues the planned letters' outbox files in the transaction; returns each letter's
/// outbox entry name.
fn queue(
    tx: &mut Transaction<'_>,
    state: &RoundState,
    letters: &[PlannedLetter],
    kind: LetterKind,
) -> Result<Vec<String>, CommandError> {
    let mut names = Vec::new();
    let outbox = outbox(tx.workspace());
    for l in letters {
        let meta = OutboxMeta {
            round: state.def.id.to_string(),
            party: l.party.code.to_string(),
            kind: kind.as_str().to_string(),
        };
        for (file, bytes) in outbox.plan_write(&l.mail, &meta)? {
            tx.write(&format!("{OUTBOX_DIR}/{file}"), bytes);
        }
        names.push(Outbox::entry_name(&l.mail));
    }
    Ok(names)
}

/// Letters issued by one command: rendered, queued and recorded in one commit.
pub struct Issued {
    /// The letters, with their outbox entry names.
    pub letters: Vec<(PlannedLetter, String)>,
    /// The commit that recorded them.
    pub commit: strategi::store::CommitInfo,
}

/// The first step of `round send` and `remind`: renders a letter of `kind` to each of
/// `parties`, queues them in the outbox, records a fact per letter, and commits that
/// (`summary`, `action`) while keeping the lock for the delivery that follows.
#[allow(clippy::too_many_arguments)]
pub fn issue(
    ctx: &Ctx,
    tx: &mut Transaction<'_>,
    config: &Config,
    state: &RoundState,
    parties: &[&PartyState],
    kind: LetterKind,
    summary: &str,
    action: strategi::model::Action,
) -> Result<Issued, CommandError> {
    let kit = LetterKit::load(tx.workspace(), state)?;
    let planned = parties
        .iter()
        .map(|p| plan_letter(ctx, tx.ids(), config, state, &kit, p, kind))
        .collect::<Result<Vec<_>, _>>()?;
    let names = queue(tx, state, &planned, kind)?;
    let actor = ctx.actor(tx.workspace(), config)?;
    for l in &planned {
        super::round::queue_fact(ctx, tx, &actor, &state.def.id, l.fact.clone())?;
    }
    let body = planned
        .iter()
        .map(|l| {
            format!(
                "{} <{}>: {}",
                l.party.code, l.mail.to.address, l.mail.message_id
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let commit = tx.commit_and_continue(summary, &body, action, &actor, &ctx.clock.now())?;
    Ok(Issued {
        letters: planned.into_iter().zip(names).collect(),
        commit,
    })
}

/// "1 party", "16 parties".
pub fn parties_count(n: usize) -> String {
    format!("{n} part{}", if n == 1 { "y" } else { "ies" })
}

/// The transport of `strategi.toml`, or `None` for `outbox` (write files only).
pub fn mailer(config: &Config) -> Result<Option<Box<dyn Mailer>>, CommandError> {
    match config.mail.transport {
        Transport::Outbox => Ok(None),
        Transport::Sendmail => Ok(Some(Box::new(SendmailMailer::new(
            std::env::var_os("STRATEGI_SENDMAIL").map(PathBuf::from),
        )))),
        Transport::Smtp => {
            let url = config.mail.smtp_url.as_deref().ok_or_else(|| {
                CommandError::user("[mail] transport is \"smtp\", but smtp_url is not set in strategi.toml.")
                    .hint("Add smtp_url = \"smtp://smtp.dep.example:587?tls=required\" under [mail], or set transport = \"outbox\".")
            })?;
            let password = match config.mail.password_env.as_deref() {
                None => None,
                Some(var) => match std::env::var(var) {
                    Ok(p) => Some(p),
                    Err(_) => {
                        return Err(CommandError::user(format!(
                            "[mail] password_env names the environment variable {var}, but it is not set."
                        ))
                        .hint(format!("Set it for this command, e.g. `{var}=… strategi outbox flush`; the password is never stored in the workspace.")));
                    }
                },
            };
            Ok(Some(Box::new(SmtpMailer::from_url(url, password)?)))
        }
    }
}

/// Where a message stands after a delivery attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Accepted by the server.
    Sent,
    /// A temporary failure: still queued.
    Queued,
    /// Refused for good.
    Failed,
    /// The entry itself could not be read or its state written.
    Error,
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Outcome::Sent => "sent",
            Outcome::Queued => "queued",
            Outcome::Failed => "failed",
            Outcome::Error => "error",
        })
    }
}

/// The result of delivering one outbox entry.
#[derive(Debug, Serialize)]
pub struct Delivered {
    /// The entry's name in `outbox/`.
    pub entry: String,
    /// Round and party, when the state file could be read.
    pub round: Option<String>,
    /// The party.
    pub party: Option<String>,
    /// Where the message stands now.
    pub state: Outcome,
    /// The server's (or program's) answer, or the error.
    pub response: Option<String>,
}

/// Delivers every queued entry of the outbox (under the transaction's lock), then
/// commits the new states. With the `outbox` transport nothing is delivered.
pub fn deliver(
    ctx: &Ctx,
    tx: &mut Transaction<'_>,
    config: &Config,
) -> Result<Option<Vec<Delivered>>, CommandError> {
    let Some(mailer) = mailer(config)? else {
        return Ok(None);
    };
    let outbox = outbox(tx.workspace());
    let outcomes = outbox.deliver_pending(mailer.as_ref(), ctx.clock.now().timestamp())?;
    let delivered: Vec<Delivered> = outcomes
        .into_iter()
        .map(|(name, result)| match result {
            Ok(state) => Delivered {
                entry: name,
                round: Some(state.round),
                party: Some(state.party),
                state: match state.state {
                    DeliveryState::Sent => Outcome::Sent,
                    DeliveryState::Queued => Outcome::Queued,
                    DeliveryState::Failed => Outcome::Failed,
                },
                response: state.server_response,
            },
            Err(e) => Delivered {
                entry: name,
                round: None,
                party: None,
                state: Outcome::Error,
                response: Some(e.to_string()),
            },
        })
        .collect();
    // Commit every state file that differs from HEAD: those just written, and any a
    // crashed earlier delivery left behind.
    // (Not temporary files a crash may have left: their names start with a dot.)
    for rel in tx.workspace().changed_files(OUTBOX_DIR)? {
        if rel.rsplit('/').next().is_some_and(|n| n.starts_with('.')) {
            continue;
        }
        let path = tx.workspace().root().join(&rel);
        let bytes = std::fs::read(&path).map_err(|e| {
            CommandError::user(format!("Could not read \"{}\": {e}", path.display()))
        })?;
        tx.write(&rel, bytes);
    }
    if !tx.is_empty() {
        let sent = delivered
            .iter()
            .filter(|d| d.state == Outcome::Sent)
            .count();
        let actor = ctx.actor(tx.workspace(), config)?;
        tx.commit_and_continue(
            &format!(
                "Record delivery of {} message(s): {sent} sent",
                delivered.len()
            ),
            &delivered
                .iter()
                .map(|d| {
                    format!(
                        "{}: {}{}",
                        d.entry,
                        d.state,
                        d.response
                            .as_deref()
                            .map(|r| format!(" ({r})"))
                            .unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
            strategi::model::Action::OutboxDeliver,
            &actor,
            &ctx.clock.now(),
        )?;
    }
    Ok(Some(delivered))
}

/// Writes one line per delivery to `w`.
pub fn write_deliveries(
    w: &mut dyn std::io::Write,
    delivered: &Option<Vec<Delivered>>,
    config: &Config,
    outbox_dir: &Path,
) -> std::io::Result<()> {
    use super::ui::{paint, styles};
    let Some(delivered) = delivered else {
        writeln!(
            w,
            "Transport is \"outbox\": the messages are in {}/ for sending by hand; set [mail] transport in strategi.toml to deliver them.",
            outbox_dir.display()
        )?;
        return Ok(());
    };
    if delivered.is_empty() {
        writeln!(w, "Nothing was waiting in the outbox.")?;
    }
    let via = match config.mail.transport {
        Transport::Smtp => "SMTP",
        Transport::Sendmail => "sendmail",
        Transport::Outbox => "outbox",
    };
    for d in delivered {
        let who = d.party.as_deref().unwrap_or("?");
        let state = match d.state {
            Outcome::Sent => paint(styles::GOOD, "delivered"),
            Outcome::Queued => paint(styles::WARN, "still queued"),
            Outcome::Failed => paint(styles::BAD, "FAILED"),
            Outcome::Error => paint(styles::BAD, "ERROR"),
        };
        writeln!(
            w,
            "  {who:5} {state} via {via}: {}",
            d.response.as_deref().unwrap_or("")
        )?;
    }
    Ok(())
}

/// An error when not every message was delivered (exit 1), or `Ok` when all were.
pub fn check_delivered(delivered: &Option<Vec<Delivered>>) -> Result<(), CommandError> {
    let Some(delivered) = delivered else {
        return Ok(());
    };
    let queued = delivered
        .iter()
        .filter(|d| d.state == Outcome::Queued)
        .count();
    let failed = delivered
        .iter()
        .filter(|d| matches!(d.state, Outcome::Failed | Outcome::Error))
        .count();
    if queued + failed == 0 {
        return Ok(());
    }
    let mut err = CommandError::user(format!(
        "{} of {} message(s) were not delivered: {queued} still queued, {failed} failed.",
        queued + failed,
        delivered.len()
    ));
    if queued > 0 {
        err = err.hint("Queued messages had a temporary error; run `strategi outbox flush` later to try again.");
    }
    if failed > 0 {
        err = err.hint("Failed messages were refused for good: correct the party's address with the server's answer in mind, then run `strategi round send ROUND` again to send a new letter.");
    }
    Err(err)
}
