//! The letters of a round: the round letter and reminders, planned, queued in the
//! outbox, recorded as facts, and delivered.
//!
//! - [`to_send`] says which recipients a `round send` writes to: those without a letter,
//!   and those whose latest letter the server refused for good (a failed outbox entry);
//!   a letter still queued (a temporary failure) is not written again.
//! - [`remind_targets`] says which recipients a `remind` writes to: those whose letter
//!   went out and who have not answered (and, apart, those not sent yet).
//! - [`LetterKit`] loads what every letter of a round needs once (templates, the
//!   version, its Markdown, HTML and sections); [`plan_letter`] renders one letter to
//!   one party in its language, with the version and the response form attached.
//! - [`send`] and [`remind`] are the acts: they check the rule
//!   ([`super::rules::may_change`]: the round's sender or the case owner, on an open
//!   round), plan the letters, queue their outbox files, record a `sent`/`reminded`
//!   fact per letter and commit that (`round-send`/`remind`), keeping the lock for the
//!   delivery that follows. From that commit on the letters exist and are never
//!   rendered again.
//! - [`deliver`] flushes the outbox through a [`Mailer`] and commits the new delivery
//!   states (`outbox-deliver`), with any a crashed earlier delivery left behind. What
//!   it takes is a [`Selection`]: the letters just issued, those of one round
//!   (`round send`, `remind`) or every queued letter (`outbox flush`); a queued letter
//!   whose deadline has passed since it was written, or whose round was closed, is
//!   held back ([`HeldBack`]) unless the selection says to deliver stale letters.
//! - [`mark_sent`] records letters sent by hand (`outbox-mark-sent`).
//! - [`send`] checks the deadline rule again against the days actually left when the
//!   letters go out later than the day the round was opened.
//!
//! So `round send` and `remind` are two commits in one transaction; [`deliver`] lets go
//! of the lock while each message is with the server and takes it again to record the
//! outcome. A crash between them leaves queued entries that `outbox flush` delivers; a
//! crash during delivery leaves state files newer than the last commit (and letters
//! marked `sending`, which then read as uncertain), which the next delivery commits.
//!
//! Nothing here reads the environment: the SMTP password and the sendmail program come
//! in through [`MailerEnv`].

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use jiff::civil::Date;
use jiff::{Timestamp, ZonedDateTime};
use serde::Serialize;

use crate::calendar::{
    ConsultationKind, IcsEvent, format_date_long, format_date_words, ics_summary, obligation_uid,
    oslo, work_calendar, write_ics,
};
use crate::document::html::{Letterhead, version_page};
use crate::document::{Document, SourceFile, without_heading_ids};
use crate::journal::{self, DocNumber};
use crate::mail::{
    Attachment, ClaimToken, DeliveryState, FormContext, FormSection, HandDelivery, LetterContext,
    LetterKind, MailError, Mailbox, Mailer, OUTBOX_DIR, Outbox, OutboxEntry, OutboxMeta,
    OutgoingMail, Published, Renderer, SendmailMailer, SmtpMailer, message_id, subject_token_for,
};
use crate::model::{
    Action, AttachFormat, Config, IdSource, Lang, Party, PartyCode, RecordId, RecordKind,
    Transport, Version,
};
use crate::store::{Actor, CommitInfo, StoreError, Transaction, Workspace};
use crate::word::write::{FrontMatter, WordError, export_docx};

use super::{
    Fact, FactBody, PartyState, PartyStatus, Refusal, RoundState, fact_path, load_round, rules,
};

/// Why letters could not be planned, queued, recorded or delivered. Messages are full
/// sentences; [`LettersError::hint`] says what to do.
#[derive(Debug, thiserror::Error)]
pub enum LettersError {
    /// A rule of the round says no (the actor may not steer it, or it is closed).
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The round's sender is no longer a party, so there is no address to send from.
    #[error(
        "The round's sender {sender} is no longer a party of the case, so there is no address to send from."
    )]
    SenderGone {
        /// The round's sender.
        sender: PartyCode,
    },
    /// A recipient is no longer a party, so there is no address to send to.
    #[error(
        "{party} is a recipient of round {round} but no longer a party of the case, so there is no address."
    )]
    RecipientGone {
        /// The recipient.
        party: PartyCode,
        /// The round.
        round: RecordId,
    },
    /// The Word copy of the version could not be written.
    #[error("Could not write the version as a Word document for the letters.")]
    Word(#[from] WordError),
    /// A letter is to attach the Word copy, but the letters' kit was made without it.
    #[error("The letters' Word copy of the version was not made, though [mail] attach names docx.")]
    DocxMissing,
    /// A file of the version is not UTF-8.
    #[error(
        "\"strategy/{path}\" ({version}) is not UTF-8 text: invalid byte at offset {valid_up_to}."
    )]
    NotUtf8 {
        /// The file inside `strategy/`.
        path: String,
        /// The version.
        version: String,
        /// Where the first invalid byte is.
        valid_up_to: usize,
        /// The decoding error.
        #[source]
        source: std::string::FromUtf8Error,
    },
    /// `remind` found nobody to remind.
    #[error(
        "Nobody to remind in round {round}: every chosen recipient has answered or has not had its letter."
    )]
    NobodyToRemind {
        /// The round.
        round: RecordId,
    },
    /// A recipient's deadline has passed: a letter now would ask for an answer already due.
    #[error(
        "{party}'s deadline in round {round} was {due}, which has passed ({today}); a letter now would ask for an answer that is already due."
    )]
    DeadlinePassed {
        /// The round.
        round: RecordId,
        /// The recipient.
        party: PartyCode,
        /// Its deadline.
        due: Date,
        /// Today.
        today: Date,
    },
    /// The round is sent later than it was opened, and the days left are fewer than the
    /// rule for its kind asks, with no reason given.
    #[error(
        "Round {round} was opened on {opened}; sent today ({today}), {parties} would have only {days_left} days to answer (to {due}), but a {kind} needs at least {minimum_days}."
    )]
    SentTooLate {
        /// The round.
        round: RecordId,
        /// The kind's code.
        kind: &'static str,
        /// When the round was opened.
        opened: Date,
        /// Today.
        today: Date,
        /// The recipients with too few days left, as "FIN and KDD".
        parties: String,
        /// The fewest days left.
        days_left: i64,
        /// The deadline with the fewest days left.
        due: Date,
        /// The rule's minimum.
        minimum_days: u32,
        /// The earliest deadline the rule allows from today.
        earliest: Date,
        /// The first recipient with too few days (for the hint's example).
        first: PartyCode,
    },
    /// `outbox mark-sent` was given an id that names no outbox entry.
    #[error("There is no message \"{id}\" in the outbox.")]
    UnknownEntry {
        /// The id given.
        id: String,
        /// Entry names close to it.
        suggestions: Vec<String>,
    },
    /// `outbox mark-sent` was given an id that names several outbox entries.
    #[error("\"{id}\" could be any of the messages {}.", candidates.join(", "))]
    AmbiguousEntry {
        /// The id given.
        id: String,
        /// The entries it could be.
        candidates: Vec<String>,
    },
    /// `outbox mark-sent` was given a letter that was already sent.
    #[error("{OUTBOX_DIR}/{entry}.eml was already sent{}{}.", when.map(|w| format!(" on {}", w.strftime("%Y-%m-%d %H:%M UTC"))).unwrap_or_default(), if *by_hand { " (recorded as sent by hand)" } else { "" })]
    AlreadySent {
        /// The entry.
        entry: String,
        /// When (the server's acceptance or the hand record), if known.
        when: Option<Timestamp>,
        /// Whether it was recorded as sent by hand.
        by_hand: bool,
    },
    /// `outbox mark-sent` was given a letter that another process is delivering now.
    #[error("{OUTBOX_DIR}/{entry}.eml is being delivered right now{}.", pid.map(|p| format!(" by process {p}")).unwrap_or_default())]
    BeingDelivered {
        /// The entry.
        entry: String,
        /// The delivering process.
        pid: Option<u32>,
    },
    /// `outbox mark-sent` was given a letter another clone claimed.
    #[error(
        "{OUTBOX_DIR}/{entry}.eml is claimed by another clone ({claimed_by}), which has not recorded its delivery."
    )]
    ClaimedElsewhere {
        /// The entry.
        entry: String,
        /// Who holds the claim.
        claimed_by: String,
    },
    /// `outbox release` was given a letter no other clone holds a claim on.
    #[error(
        "{OUTBOX_DIR}/{entry}.eml is {state}, not claimed by another clone: there is no claim to release."
    )]
    NotClaimed {
        /// The entry.
        entry: String,
        /// Its state.
        state: &'static str,
    },
    /// `outbox release` was given a letter this clone claimed.
    #[error("{OUTBOX_DIR}/{entry}.eml was claimed by this clone, not another.")]
    OwnClaim {
        /// The entry.
        entry: String,
    },
    /// `outbox release` was given a claim so recent that its clone may still deliver.
    #[error("{OUTBOX_DIR}/{entry}.eml was claimed by {claimed_by} {}; that clone may still be delivering it.", match at { Some(at) => format!("only at {} UTC", at.strftime("%Y-%m-%d %H:%M")), None => "at a time not recorded (by an older strategi)".to_string() })]
    ClaimTooRecent {
        /// The entry.
        entry: String,
        /// Who holds the claim.
        claimed_by: String,
        /// When it was claimed, if the claim says.
        at: Option<Timestamp>,
    },
    /// The note of `outbox mark-sent` is not one line of text.
    #[error("{message}")]
    BadNote {
        /// What is wrong.
        message: String,
    },
    /// The transport is SMTP, but there is no URL.
    #[error("[mail] transport is \"smtp\", but smtp_url is not set in strategi.toml.")]
    NoSmtpUrl,
    /// The workspace shares its case through a remote, and the claim on the letters
    /// could not be published there: nothing was delivered.
    #[error(
        "No letter was delivered: the workspace shares its case through the remote \"{remote}\", and the letters could not be claimed there (so that no other clone sends them too)."
    )]
    Claim {
        /// The remote.
        remote: String,
        /// What the sync said.
        #[source]
        source: crate::store::SyncError,
    },
    /// The workspace could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A letter could not be rendered, built, queued or delivered.
    #[error(transparent)]
    Mail(#[from] MailError),
}

impl LettersError {
    /// What the person can do instead: the next command to run, if there is one.
    pub fn hint(&self) -> Option<String> {
        match self {
            LettersError::Refused(r) => r.hint(),
            LettersError::RecipientGone { party, .. } => Some(format!(
                "Add it again with `strategi party add {party} --name NAME --email ADDRESS`."
            )),
            LettersError::NotUtf8 { .. } => Some("Save the file as UTF-8 in your editor.".into()),
            LettersError::Word(_) | LettersError::DocxMissing => Some(
                "Run the command again; to send without the Word copy, leave \"docx\" out of [mail] attach."
                    .into(),
            ),
            LettersError::NobodyToRemind { round } => Some(format!(
                "See where each party stands with `strategi round show {round}`."
            )),
            LettersError::NoSmtpUrl => Some(
                "Add smtp_url = \"smtp://smtp.dep.example:587?tls=required\" under [mail], or set transport = \"outbox\"."
                    .into(),
            ),
            LettersError::DeadlinePassed { round, party, .. } => Some(format!(
                "Give {party} a new deadline with `strategi round extend {round} --party {party} --due DATE`, then send again."
            )),
            LettersError::SentTooLate {
                round,
                earliest,
                first,
                ..
            } => Some(format!(
                "Give more time with `strategi round extend {round} --party {first} --due {earliest}` (for each party named), or send anyway and say why with `strategi round send {round} --reason \"...\"` (recorded in the commit)."
            )),
            LettersError::UnknownEntry { suggestions, .. } if !suggestions.is_empty() => {
                Some(format!(
                    "Did you mean {}? See the messages with `strategi outbox list`.",
                    suggestions
                        .iter()
                        .map(|c| format!("\"{c}\""))
                        .collect::<Vec<_>>()
                        .join(" or ")
                ))
            }
            LettersError::UnknownEntry { .. } => Some(
                "See the messages with `strategi outbox list`; give an entry name or a Message-ID (or the start of one)."
                    .into(),
            ),
            LettersError::AmbiguousEntry { .. } => Some("Give more of the name.".into()),
            LettersError::AlreadySent { .. } => Some(
                "Nothing to record: leave it out. See where each message stands with `strategi outbox list`."
                    .into(),
            ),
            LettersError::ClaimedElsewhere { entry, .. } => Some(format!(
                "Sync (`strategi sync`) to see whether it went out. If that clone is gone before recording it, release its claim with `strategi outbox release {entry}`, then record the letter as sent by hand."
            )),
            LettersError::NotClaimed { .. } => Some(
                "Only a letter another clone claimed and never finished can be released; see where each stands with `strategi outbox list`."
                    .into(),
            ),
            LettersError::OwnClaim { .. } => Some(
                "`strategi outbox flush` settles this clone's unfinished claims (they become uncertain, delivered again only with --resend-uncertain)."
                    .into(),
            ),
            LettersError::ClaimTooRecent { claimed_by, entry, .. } => Some(format!(
                "Ask {claimed_by} first, or wait {RELEASE_AFTER_MINUTES} minutes after the claim; `strategi outbox release {entry} --force` releases it now, and the letter may then go twice."
            )),
            LettersError::BeingDelivered { .. } => Some(
                "Wait until that delivery ends, then see where the message stands with `strategi outbox list`."
                    .into(),
            ),
            LettersError::BadNote { .. } => {
                Some("Give the note as one line, e.g. --note \"sent from the registry's mailbox\".".into())
            }
            LettersError::Claim { remote, source } => Some(match source {
                crate::store::SyncError::GitFailed { .. }
                | crate::store::SyncError::Timeout { .. }
                | crate::store::SyncError::NoGit { .. }
                | crate::store::SyncError::Rejected { .. } => format!(
                    "Check that the remote \"{remote}\" can be reached (`git fetch {remote}`) and run the command again; the letters stay queued. To deliver without claiming them (only when no other clone can send them), run `strategi outbox flush --no-claim`."
                ),
                other => format!(
                    "{} Then run the command again; the letters stay queued.",
                    other.hint().unwrap_or_else(|| format!(
                        "Run `strategi sync {remote}` to see what stops it."
                    ))
                ),
            }),
            LettersError::SenderGone { .. }
            | LettersError::Store(_)
            | LettersError::Mail(_) => None,
        }
    }
}

/// What the transports take from the environment, read by the caller.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MailerEnv {
    /// The SMTP password (from the variable `[mail] password_env` names), if any.
    pub smtp_password: Option<String>,
    /// The sendmail program to run instead of `sendmail` on the path.
    pub sendmail: Option<PathBuf>,
}

/// The transport of `strategi.toml`, or `None` for `outbox` (write files only).
pub fn mailer(config: &Config, env: MailerEnv) -> Result<Option<Box<dyn Mailer>>, LettersError> {
    match config.mail.transport {
        Transport::Outbox => Ok(None),
        Transport::Sendmail => Ok(Some(Box::new(SendmailMailer::new(env.sendmail)))),
        Transport::Smtp => {
            let url = config
                .mail
                .smtp_url
                .as_deref()
                .ok_or(LettersError::NoSmtpUrl)?;
            let mut mailer = SmtpMailer::from_url(url, env.smtp_password)?;
            if let Some(t) = config.mail.timeout_seconds {
                mailer = mailer.with_timeout(std::time::Duration::from_secs(u64::from(t)));
            }
            Ok(Some(Box::new(mailer)))
        }
    }
}

/// The recipients a `round send` writes to: those without a letter, and those whose
/// latest letter is a failed (refused for good) entry of `outbox`.
pub fn to_send<'s>(state: &'s RoundState, outbox: &[OutboxEntry]) -> Vec<&'s PartyState> {
    let refused: HashSet<&str> = outbox
        .iter()
        .filter(|e| e.state.state == DeliveryState::Failed)
        .map(|e| e.state.message_id.as_str())
        .collect();
    state
        .parties
        .iter()
        .filter(|p| {
            p.sent
                .as_ref()
                .is_none_or(|s| refused.contains(s.message_id.as_str()))
        })
        .collect()
}

/// Whom a `remind` is for.
#[derive(Debug, Clone)]
pub struct RemindTargets<'s> {
    /// Recipients whose letter went out and who have not answered.
    pub due: Vec<&'s PartyState>,
    /// Recipients who have not answered and have not had their letter yet.
    pub not_sent: Vec<&'s PartyState>,
}

/// The recipients (of `only`, when given) that have not answered, split into those a
/// reminder goes to (their letter went out) and those not sent yet.
pub fn remind_targets<'s>(state: &'s RoundState, only: Option<&[PartyCode]>) -> RemindTargets<'s> {
    let (due, not_sent) = state
        .parties
        .iter()
        .filter(|p| only.is_none_or(|o| o.contains(&p.party)))
        .filter(|p| p.status != PartyStatus::Answered)
        .partition(|p| p.sent.is_some());
    RemindTargets { due, not_sent }
}

/// The version as one Markdown file: its files in order, each without trailing blank
/// lines, separated by a blank line (the copy letters attach and `version export
/// --format md` writes).
pub fn version_markdown(sources: &[SourceFile]) -> String {
    let markdown = sources
        .iter()
        .map(|s| without_heading_ids(s.text.trim_end()))
        .collect::<Vec<_>>()
        .join("\n\n");
    format!("{markdown}\n")
}

/// What a Word copy of `version` says about it on its front page, in the case's
/// language: "Utkast" unless `approved`.
pub fn version_front_matter(config: &Config, version: &Version, approved: bool) -> FrontMatter {
    let lang = config.case.lang;
    FrontMatter {
        case_title: config.case.title.clone(),
        case_number: config.case.number.clone(),
        version: version.name.to_string(),
        label: version.label.clone(),
        date: format_date_long(version.created.to_zoned_datetime(oslo()).date(), lang),
        timestamp: word_date(version.created),
        approved,
        lang,
        changes_from: None,
    }
}

/// What the HTML page of `version` says about it in its letterhead, in the case's
/// language: the owner party as sender (its code when it is not listed), the case
/// number, the version's date (Oslo time), name and label, and "Utkast" unless
/// `approved`.
pub fn version_letterhead(config: &Config, version: &Version, approved: bool) -> Letterhead {
    let lang = config.case.lang;
    Letterhead {
        title: config.case.title.clone(),
        lang,
        sender: config
            .party(&config.case.owner)
            .map_or_else(|| config.case.owner.to_string(), |p| p.name.clone()),
        case_number: config.case.number.clone(),
        date: format_date_words(version.created.to_zoned_datetime(oslo()).date(), lang),
        version: version.name.to_string(),
        label: version.label.clone(),
        approved,
    }
}

/// A time as Word writes dates (`2026-12-02T10:00:00Z`, UTC to the second).
pub fn word_date(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Everything a round's letters need, loaded and rendered once for all recipients.
#[derive(Debug)]
pub struct LetterKit {
    renderer: Renderer,
    version: Version,
    sections: Vec<FormSection>,
    /// The version as one Markdown file.
    markdown: String,
    /// The version as its HTML page (in the document's language, the same for every
    /// recipient; marked "Utkast").
    html: String,
    /// The version as a Word document, when `[mail] attach` names it.
    docx: Option<Vec<u8>>,
}

impl LetterKit {
    /// Loads the templates (with the workspace's `templates/` overrides) and the
    /// round's version, and for round letters whose `[mail] attach` names it, writes
    /// the version's Word copy.
    pub fn load(
        ws: &Workspace,
        config: &Config,
        state: &RoundState,
        kind: LetterKind,
    ) -> Result<LetterKit, LettersError> {
        let overrides = ws.root().join("templates");
        let renderer = Renderer::new(overrides.is_dir().then_some(overrides.as_path()))?;
        let version = ws.version(state.def.version)?;
        let origin = version.name.to_string();
        let sources = ws
            .version_files(&version)?
            .into_iter()
            .map(|f| match String::from_utf8(f.bytes) {
                Ok(text) => Ok(SourceFile { name: f.path, text }),
                Err(e) => Err(LettersError::NotUtf8 {
                    path: f.path,
                    version: origin.clone(),
                    valid_up_to: e.utf8_error().valid_up_to(),
                    source: e,
                }),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let doc = Document::parse(&sources);
        let sections = doc
            .sections
            .iter()
            .zip(doc.section_numbers())
            .filter(|(s, _)| s.level > 0)
            .map(|(s, number)| FormSection {
                id: s.id.clone(),
                number,
                title: s.title.clone(),
            })
            .collect();
        let markdown = version_markdown(&sources);
        // A version out on consultation is a draft for comment: its Word copy and its
        // page are marked "Utkast".
        let docx = if kind == LetterKind::RoundLetter
            && config.mail.attachments().contains(&AttachFormat::Docx)
        {
            let front = version_front_matter(config, &version, false);
            Some(export_docx(&doc, &front)?.bytes)
        } else {
            None
        };
        let html = version_page(&version_letterhead(config, &version, false), &sources);
        Ok(LetterKit {
            renderer,
            version,
            sections,
            markdown,
            html,
            docx,
        })
    }
}

/// A letter ready for the outbox, with the fact that records it.
#[derive(Debug, Clone)]
pub struct PlannedLetter {
    /// The party.
    pub party: Party,
    /// The message.
    pub mail: OutgoingMail,
    /// The fact to record.
    pub fact: FactBody,
    /// Its outbox entry's name (`outbox/<entry>.eml`).
    pub entry: String,
}

/// The sender's mailboxes: From (`[mail] from`, else the sender's address) and
/// Reply-To (the sender's address).
fn sender_mailboxes(
    config: &Config,
    state: &RoundState,
) -> Result<(Mailbox, Mailbox), LettersError> {
    let sender = config
        .party(&state.def.sender)
        .ok_or_else(|| LettersError::SenderGone {
            sender: state.def.sender.clone(),
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

/// The media type of a Word document.
pub const DOCX_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// The file name of the response form, in the party's language.
fn form_name(version: &Version, party: &Party) -> String {
    let form = match party.lang {
        Lang::En => "response-form",
        Lang::Nb | Lang::Nn | Lang::Da => "svarskjema",
    };
    format!("{form}-{}-{}.txt", party.code, version.name)
}

/// The file name of the version's copy in `format`.
fn copy_name(version: &Version, format: AttachFormat) -> String {
    format!("strategi-{}.{}", version.name, format.as_str())
}

/// The party's own deadline as a calendar file (one all-day event, an alarm three days
/// before), in its language: "Frist FIN: Svar på foreleggelse v1". Its UID is the one
/// `deadlines --ics` gives the party's deadline, so a calendar that has both keeps one.
/// `due_moved` is the letter's own sentence on a deadline moved off a closed day.
fn deadline_ics(
    config: &Config,
    state: &RoundState,
    ps: &PartyState,
    (reply_address, token): (&str, &str),
    due_moved: Option<&str>,
    now: Timestamp,
    lang: Lang,
) -> Attachment {
    let id = format!("{}/{}", state.def.id, ps.party);
    let title = state
        .def
        .kind
        .answers_title(lang, state.def.version, ps.extended);
    let (reply, file) = match lang {
        Lang::En => ("Reply to", "deadline"),
        Lang::Nb | Lang::Nn | Lang::Da => ("Svar til", "frist"),
    };
    let mut description = format!("{}\n{}", state.def.title, config.case.title);
    if let Some(n) = &config.case.number {
        description.push_str(&format!(" ({n})"));
    }
    description.push_str(&format!("\n{reply}: {reply_address} {token}"));
    if let Some(why) = due_moved {
        description.push_str(&format!("\n{why}"));
    }
    let event = IcsEvent {
        uid: obligation_uid(config, "party-due", &id),
        date: ps.effective_due,
        summary: ics_summary(lang, Some(ps.party.as_str()), &title, false),
        description,
        alarm_days_before: Some(3),
        done: false,
    };
    Attachment {
        filename: format!("{file}-{}.ics", ps.party),
        content_type: "text/calendar; charset=utf-8; method=PUBLISH".into(),
        bytes: write_ics(&config.case.title, &[event], &now.to_zoned_datetime(oslo())).into_bytes(),
    }
}

/// Renders one letter of `kind` to the recipient `ps` in its language, dated `now`,
/// its Message-ID's unique part from `ids`. `our_ref` is the letter's document number
/// in the case ([`letter_numbers`]): the letter shows it as "Vår ref" and asks the
/// answer to cite it.
#[allow(clippy::too_many_arguments)]
pub fn plan_letter(
    ids: &mut IdSource,
    config: &Config,
    state: &RoundState,
    kit: &LetterKit,
    ps: &PartyState,
    kind: LetterKind,
    now: Timestamp,
    our_ref: Option<DocNumber>,
) -> Result<PlannedLetter, LettersError> {
    let party = config
        .party(&ps.party)
        .cloned()
        .ok_or_else(|| LettersError::RecipientGone {
            party: ps.party.clone(),
            round: state.def.id.clone(),
        })?;
    let lang = party.lang;
    let (from, reply_to) = sender_mailboxes(config, state)?;
    let round_id = state.def.id.to_string();
    let token = subject_token_for(&round_id, party.code.as_str());
    let cal = work_calendar(config);
    let adjusted = cal.adjust_deadline(ps.due).ok();
    let due = adjusted.map_or(ps.due, |a| a.date);
    let due_moved = adjusted.and_then(|a| a.explanation(lang));
    let due_words = format_date_long(due, lang);
    let form_name = form_name(&kit.version, &party);
    let mut attachments = Vec::new();
    let word_attached =
        kind == LetterKind::RoundLetter && config.mail.attachments().contains(&AttachFormat::Docx);
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
            word_attached,
        },
    )?;
    if kind == LetterKind::RoundLetter {
        for &format in config.mail.attachments() {
            let (content_type, bytes) = match format {
                AttachFormat::Md => (
                    "text/markdown; charset=utf-8",
                    kit.markdown.clone().into_bytes(),
                ),
                AttachFormat::Html => ("text/html; charset=utf-8", kit.html.clone().into_bytes()),
                AttachFormat::Docx => match &kit.docx {
                    Some(bytes) => (DOCX_TYPE, bytes.clone()),
                    // The kit was loaded under another configuration: say so, never
                    // send a letter without the copy it promises.
                    None => return Err(LettersError::DocxMissing),
                },
            };
            attachments.push(Attachment {
                filename: copy_name(&kit.version, format),
                content_type: content_type.into(),
                bytes,
            });
        }
    }
    attachments.push(Attachment {
        filename: form_name,
        content_type: "text/plain; charset=utf-8".into(),
        bytes: form.into_bytes(),
    });
    if kind == LetterKind::RoundLetter {
        attachments.push(deadline_ics(
            config,
            state,
            ps,
            (&reply_to.address, &token),
            due_moved.as_deref(),
            now,
            lang,
        ));
    }
    let letter = LetterContext {
        case_title: config.case.title.clone(),
        case_number: config.case.number.clone(),
        our_ref: our_ref.map(|n| n.to_string()),
        our_ref_label: our_ref.map(|_| journal::words(lang).our_ref.to_string()),
        cite_ref: our_ref.map(|_| journal::words(lang).cite_ref.to_string()),
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
        due_moved,
        reply_address: reply_to.address.clone(),
        subject_token: token,
        attachments: attachments.iter().map(|a| a.filename.clone()).collect(),
        contact_name: None,
        contact_email: None,
        sent_date_words: ps
            .sent
            .as_ref()
            .map(|s| format_date_long(s.at.to_zoned_datetime(oslo()).date(), lang)),
        word_attached,
    };
    let rendered = kit.renderer.render_letter(kind, lang, &letter)?;
    let domain = from
        .address
        .rsplit('@')
        .next()
        .unwrap_or_default()
        .to_string();
    let unique = ids.next_id(RecordKind::Message).to_string();
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
        date: now,
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
    let entry = Outbox::entry_name(&mail);
    Ok(PlannedLetter {
        party,
        mail,
        fact,
        entry,
    })
}

/// Letters issued by one act: rendered, queued and recorded in one commit.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The letters, in the order of the recipients.
    pub letters: Vec<PlannedLetter>,
    /// The facts that record them, in the same order.
    pub facts: Vec<Fact>,
    /// The commit that recorded them.
    pub commit: CommitInfo,
}

/// "1 party", "16 parties".
pub fn parties_count(n: usize) -> String {
    format!("{n} part{}", if n == 1 { "y" } else { "ies" })
}

/// `round send`'s first step: checks that `actor` may change the round and, when the
/// letters go out later than the day the round was opened, the deadline rule against
/// the days actually left ([`check_days_left`]; refused without `reason`), then writes
/// the round letter to every recipient [`to_send`] names, queues the letters in the
/// outbox, records a `sent` fact per letter and commits that (keeping the lock for
/// [`deliver`]; a reason is recorded in the commit body). `None` when every recipient
/// has had its letter (nothing is written).
pub fn send(
    tx: &mut Transaction<'_>,
    config: &Config,
    state: &RoundState,
    actor: &Actor,
    now: &ZonedDateTime,
    reason: Option<&str>,
) -> Result<Option<Issued>, LettersError> {
    rules::may_change(config, state, &actor.party)?;
    let outbox = Outbox::in_workspace(tx.workspace()).list()?;
    let parties = to_send(state, &outbox);
    if parties.is_empty() {
        return Ok(None);
    }
    let today = now.timestamp().to_zoned_datetime(oslo()).date();
    let late = check_days_left(config, state, &parties, today, reason)?;
    let summary = format!(
        "Send round {} ({}) to {}",
        state.def.id,
        state.def.version,
        parties_count(parties.len())
    );
    let note = late.map(|l| {
        format!(
            "Sent on {today} with {} days left for answers (to {}), fewer than the {} a {} needs. Reason: {}",
            l.days_left,
            l.due,
            l.minimum_days,
            state.def.kind.code(),
            l.reason
        )
    });
    issue(
        tx,
        config,
        state,
        actor,
        now,
        &parties,
        LetterKind::RoundLetter,
        &summary,
        note.as_deref(),
        Action::RoundSend,
    )
    .map(Some)
}

/// A send later than the rule allows, accepted with a reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LateSend {
    /// The fewest days left.
    pub days_left: i64,
    /// The deadline with the fewest days left.
    pub due: Date,
    /// The rule's minimum.
    pub minimum_days: u32,
    /// The reason given.
    pub reason: String,
}

/// The deadline rule ([`rules::deadline`]) checked again on the day the letters go out:
/// from `today` to each recipient's deadline (an extended one included). On the day the
/// round was opened the check made then stands (`Ok(None)`). A deadline that has passed
/// is refused; too few days left are refused without `reason`, and with one the send
/// is accepted as a [`LateSend`].
pub fn check_days_left(
    config: &Config,
    state: &RoundState,
    parties: &[&PartyState],
    today: Date,
    reason: Option<&str>,
) -> Result<Option<LateSend>, LettersError> {
    if today <= state.def.opened {
        return Ok(None);
    }
    let cal = work_calendar(config);
    let kind: ConsultationKind = state.def.kind;
    let mut short: Vec<(&PartyState, i64, u32, Date)> = Vec::new();
    for p in parties {
        if p.due < today {
            return Err(LettersError::DeadlinePassed {
                round: state.def.id.clone(),
                party: p.party.clone(),
                due: p.due,
                today,
            });
        }
        match rules::deadline(kind, today, p.due, &cal, None) {
            Ok(_) => {}
            Err(Refusal::DeadlineTooShort {
                minimum_days,
                actual_days,
                earliest,
                ..
            }) => short.push((p, actual_days, minimum_days, earliest)),
            Err(other) => return Err(other.into()),
        }
    }
    let Some(&(worst, days_left, minimum_days, earliest)) = short
        .iter()
        .min_by_key(|(p, days, _, _)| (*days, p.party.clone()))
    else {
        return Ok(None);
    };
    match reason.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => Ok(Some(LateSend {
            days_left,
            due: worst.due,
            minimum_days,
            reason: r.to_string(),
        })),
        None => {
            let names: Vec<&str> = short.iter().map(|(p, ..)| p.party.as_str()).collect();
            let parties = match names.split_last() {
                Some((last, rest)) if !rest.is_empty() => {
                    format!("{} and {last}", rest.join(", "))
                }
                _ => names.join(""),
            };
            Err(LettersError::SentTooLate {
                round: state.def.id.clone(),
                kind: kind.code(),
                opened: state.def.opened,
                today,
                parties,
                days_left,
                due: worst.due,
                minimum_days,
                earliest,
                first: worst.party.clone(),
            })
        }
    }
}

/// What a `remind` did.
#[derive(Debug, Clone)]
pub struct Reminded {
    /// The reminders.
    pub issued: Issued,
    /// The chosen recipients that have not answered and have not had their letter.
    pub not_sent: Vec<PartyCode>,
}

/// `remind`'s first step: checks that `actor` may change the round, then writes a
/// reminder to every recipient (of `only`, when given) whose letter went out and who
/// has not answered, queues them, records a `reminded` fact per letter and commits
/// that (keeping the lock for [`deliver`]). Refuses when there is nobody to remind.
pub fn remind(
    tx: &mut Transaction<'_>,
    config: &Config,
    state: &RoundState,
    actor: &Actor,
    now: &ZonedDateTime,
    only: Option<&[PartyCode]>,
) -> Result<Reminded, LettersError> {
    rules::may_change(config, state, &actor.party)?;
    let targets = remind_targets(state, only);
    if targets.due.is_empty() {
        return Err(LettersError::NobodyToRemind {
            round: state.def.id.clone(),
        });
    }
    let summary = format!(
        "Remind {} in round {}",
        parties_count(targets.due.len()),
        state.def.id
    );
    let issued = issue(
        tx,
        config,
        state,
        actor,
        now,
        &targets.due,
        LetterKind::Reminder,
        &summary,
        None,
        Action::Remind,
    )?;
    Ok(Reminded {
        issued,
        not_sent: targets.not_sent.iter().map(|p| p.party.clone()).collect(),
    })
}

/// The document numbers the letters of one act get in the case's journal, in the
/// order of `parties`: the journal ([`journal::load_journal`]) as it stands, and the
/// facts that will record the letters (`fact_ids`, one per party, all with the same
/// clock and time, so the journal orders them by id after every entry so far). A
/// round letter sent again (after a refused delivery) is the same document: it keeps
/// the number of the party's first letter. `None` for each when the case has no
/// case number.
pub fn letter_numbers(
    journal: &journal::Journal,
    config: &Config,
    state: &RoundState,
    parties: &[&PartyState],
    kind: LetterKind,
    fact_ids: &[String],
) -> Vec<Option<DocNumber>> {
    let mut out: Vec<Option<DocNumber>> = vec![None; parties.len()];
    if journal.case.is_none() {
        return out;
    }
    let mut fresh: Vec<(usize, &String)> = Vec::new();
    for (i, (p, id)) in parties.iter().zip(fact_ids).enumerate() {
        let earlier = (kind == LetterKind::RoundLetter)
            .then(|| {
                journal.entries.iter().find(|e| {
                    e.kind == journal::EntryKind::Letter
                        && e.round.as_ref() == Some(&state.def.id)
                        && e.party.code == p.party
                })
            })
            .flatten();
        match earlier {
            Some(e) => out[i] = e.number,
            None => fresh.push((i, id)),
        }
    }
    fresh.sort_by(|a, b| a.1.cmp(b.1));
    for ((i, _), n) in fresh.iter().zip(journal.next_numbers(config, fresh.len())) {
        out[*i] = Some(n);
    }
    out
}

/// Renders a letter of `kind` to each of `parties`, queues them in the outbox, records
/// a fact per letter, and commits that (`summary`, `note` first in the body, `action`)
/// keeping the lock.
#[allow(clippy::too_many_arguments)]
fn issue(
    tx: &mut Transaction<'_>,
    config: &Config,
    state: &RoundState,
    actor: &Actor,
    now: &ZonedDateTime,
    parties: &[&PartyState],
    kind: LetterKind,
    summary: &str,
    note: Option<&str>,
    action: Action,
) -> Result<Issued, LettersError> {
    let kit = LetterKit::load(tx.workspace(), config, state, kind)?;
    let at = now.timestamp();
    let numbers = if config.case.number.is_some() {
        let today = at.to_zoned_datetime(oslo()).date();
        let journal = journal::load_journal(tx.workspace(), config, today)?;
        // The ids this act will draw: a Message-ID part per letter, then a fact id per
        // letter (below), so the letters' order in the journal is known beforehand.
        let mut ahead = tx.ids().clone();
        for _ in parties {
            ahead.next_id(RecordKind::Message);
        }
        let fact_ids: Vec<String> = parties
            .iter()
            .map(|_| ahead.next_id(RecordKind::Fact).to_string())
            .collect();
        letter_numbers(&journal, config, state, parties, kind, &fact_ids)
    } else {
        vec![None; parties.len()]
    };
    let letters = parties
        .iter()
        .zip(&numbers)
        .map(|(p, n)| plan_letter(tx.ids(), config, state, &kit, p, kind, at, *n))
        .collect::<Result<Vec<_>, _>>()?;
    let outbox = Outbox::in_workspace(tx.workspace());
    for l in &letters {
        let meta = OutboxMeta {
            round: state.def.id.to_string(),
            party: l.party.code.to_string(),
            kind: kind.as_str().to_string(),
        };
        for (file, bytes) in outbox.plan_write(&l.mail, &meta)? {
            tx.write(&Outbox::workspace_path(&file), bytes);
        }
    }
    let mut facts = Vec::with_capacity(letters.len());
    for l in &letters {
        let fact = Fact {
            id: tx.new_id(RecordKind::Fact),
            at,
            clock: Some(tx.clock()?),
            by: actor.party.clone(),
            body: l.fact.clone(),
        };
        tx.write_record(&fact_path(&state.def.id, &fact), &fact)?;
        facts.push(fact);
    }
    let body = letters
        .iter()
        .map(|l| {
            format!(
                "{} <{}>: {}",
                l.party.code, l.mail.to.address, l.mail.message_id
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let body = match note {
        Some(n) => format!("{n}\n\n{body}"),
        None => body,
    };
    let commit = tx.commit_and_continue(summary, &body, action, actor, now)?;
    Ok(Issued {
        letters,
        facts,
        commit,
    })
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
    /// Not known: the server may have taken it (sent, but no answer came). Not sent
    /// again without `--resend-uncertain`.
    Uncertain,
    /// The entry itself could not be read or its state written.
    Error,
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Outcome::Sent => "sent",
            Outcome::Queued => "queued",
            Outcome::Failed => "failed",
            Outcome::Uncertain => "uncertain",
            Outcome::Error => "error",
        })
    }
}

/// The result of delivering one outbox entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivered {
    /// The entry's name in `outbox/`.
    pub entry: String,
    /// The round, when the state file could be read.
    pub round: Option<String>,
    /// The party, when the state file could be read.
    pub party: Option<String>,
    /// Where the message stands now.
    pub state: Outcome,
    /// The server's (or program's) answer, or the error.
    pub response: Option<String>,
    /// Set when the letter was uncertain and is sent again because the selection asked
    /// for it (`outbox flush --resend-uncertain`).
    pub resent_uncertain: bool,
}

/// Which queued letters a [`deliver`] takes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Only letters of this round (besides `issued`); `None` for every round.
    pub round: Option<String>,
    /// Entries issued by this very command: always delivered (they are what was meant).
    pub issued: Vec<String>,
    /// Deliver stale letters too (`outbox flush --stale`): see [`HoldReason`].
    pub stale: bool,
    /// Send uncertain letters again too (`outbox flush --resend-uncertain`): the server
    /// may already have them, so a recipient may get two copies.
    pub resend_uncertain: bool,
}

impl Selection {
    /// The letters of `round`, with those just issued.
    pub fn round(round: &RecordId, issued: Option<&Issued>) -> Selection {
        Selection {
            round: Some(round.to_string()),
            issued: issued
                .map(|i| i.letters.iter().map(|l| l.entry.clone()).collect())
                .unwrap_or_default(),
            stale: false,
            resend_uncertain: false,
        }
    }

    /// Every queued letter; stale ones only with `stale`, uncertain ones only with
    /// `resend_uncertain`.
    pub fn all(stale: bool, resend_uncertain: bool) -> Selection {
        Selection {
            round: None,
            issued: Vec::new(),
            stale,
            resend_uncertain,
        }
    }
}

/// Why a queued letter was held back instead of delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum HoldReason {
    /// The party's deadline passed after the letter was written.
    DeadlinePassed {
        /// The (effective) deadline.
        due: Date,
    },
    /// The round was closed.
    RoundClosed,
    /// The round is not in the workspace (or cannot be read).
    RoundUnknown,
}

impl std::fmt::Display for HoldReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HoldReason::DeadlinePassed { due } => write!(f, "its deadline {due} has passed"),
            HoldReason::RoundClosed => f.write_str("its round is closed"),
            HoldReason::RoundUnknown => f.write_str("its round is not in the workspace"),
        }
    }
}

/// A queued letter that was not delivered because it is stale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeldBack {
    /// The entry's name in `outbox/`.
    pub entry: String,
    /// The round.
    pub round: String,
    /// The party.
    pub party: String,
    /// What it is (`round-letter`, `reminder`).
    pub kind: String,
    /// Why it was held back.
    #[serde(flatten)]
    pub why: HoldReason,
}

/// What a [`deliver`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Delivery {
    /// The letters tried, in the order they went.
    pub delivered: Vec<Delivered>,
    /// Queued letters not tried because they are stale (deliver them with
    /// [`Selection::stale`]).
    pub held_back: Vec<HeldBack>,
    /// Queued letters of other rounds, left for `outbox flush` (entry names).
    pub other_rounds: Vec<String>,
    /// Set when the server refused the login: the delivery stopped there, the letters
    /// stay queued, and the configuration (user name, password) must be fixed.
    pub login_refused: Option<String>,
    /// Letters found `sending` by a process that is gone (killed during an earlier
    /// delivery), now recorded as uncertain.
    pub interrupted: Vec<Delivered>,
    /// Uncertain letters (of the selection's round, or of every round) left alone:
    /// the server may have them. Entry names.
    pub uncertain: Vec<String>,
    /// Letters whose outcome is written in their state files but not committed: the
    /// workspace lock could not be taken again after a message went to the server (a
    /// command of someone else held it past the timeout), so the delivery stopped
    /// there. The next write command records them. Entry names; empty normally.
    pub unrecorded: Vec<String>,
    /// Queued letters of rounds whose sender is another party: that party's clone
    /// delivers them. Left queued.
    pub not_ours: Vec<NotOurs>,
    /// Letters this delivery would have sent that another clone claimed or sent (the
    /// remote's states came in with the claim's sync); left as the remote has them.
    pub taken_elsewhere: Vec<TakenElsewhere>,
    /// The claim, when the workspace shares its case through a remote.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim: Option<ClaimReport>,
}

/// A queued letter of a round another party sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotOurs {
    /// The entry's name in `outbox/`.
    pub entry: String,
    /// The round.
    pub round: String,
    /// The party it goes to.
    pub party: String,
    /// The round's sender, whose letter it is to send.
    pub sender: String,
}

/// A letter another clone claimed or sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TakenElsewhere {
    /// The entry's name in `outbox/`.
    pub entry: String,
    /// The round.
    pub round: String,
    /// The party it goes to.
    pub party: String,
    /// Where it stands now (`sending` under the other clone's claim, `sent`, …).
    pub state: DeliveryState,
    /// Who claimed it, when it is claimed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claimed_by: Option<String>,
}

/// How a delivery claimed its letters on the remote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimReport {
    /// The remote.
    pub remote: String,
    /// How many letters were claimed (committed `sending` and pushed) before delivery.
    pub claimed: usize,
    /// Whether the delivery states were pushed afterwards (`false`: a warning said
    /// why; the next `strategi sync` pushes them).
    pub pushed: bool,
}

/// How a delivery claims its letters when the workspace shares its case through a
/// remote ([`crate::store::Workspace::shared_remote`]).
#[derive(Debug, Clone)]
pub struct Claiming {
    /// The git that fetches and pushes.
    pub git: crate::store::SystemGit,
    /// How many more times a rejected push merges and pushes again.
    pub retries: u32,
    /// Deliver without a claim (`--no-claim`), with a warning: only safe when no other
    /// clone can deliver the same letters.
    pub no_claim: bool,
}

/// Whether a queued letter is stale on `today`: its round was closed, or the party's
/// effective deadline lies between the day it was written and today.
fn hold_reason(
    entry: &OutboxEntry,
    round: Option<&RoundState>,
    today: Date,
    cal: &crate::calendar::WorkCalendar,
) -> Option<HoldReason> {
    let Some(round) = round else {
        return Some(HoldReason::RoundUnknown);
    };
    if round.closed.is_some() {
        return Some(HoldReason::RoundClosed);
    }
    let due = round
        .parties
        .iter()
        .find(|p| p.party.as_str() == entry.state.party)
        .map_or(round.def.due, |p| p.due);
    let effective = cal.adjust_deadline(due).map_or(due, |a| a.date);
    let written = entry.state.created.to_zoned_datetime(oslo()).date();
    (written <= effective && effective < today)
        .then_some(HoldReason::DeadlinePassed { due: effective })
}

/// Delivers the queued entries of the workspace's outbox that `what` selects through
/// `mailer`, holding back stale ones (unless `what.stale`) and leaving uncertain ones
/// alone (unless `what.resend_uncertain`), then commits every outbox state file that
/// differs from HEAD: those just written, and any a crashed earlier delivery left
/// behind.
///
/// Only the letters of rounds whose sender is `actor`'s party are delivered: the
/// others are left queued for the sender's clone ([`Delivery::not_ours`]).
///
/// With `claiming` and a remote the case is shared through
/// ([`Workspace::shared_remote`]), the letters are claimed before any goes: a sync
/// first (the remote can be reached, and letters another clone claimed or sent come
/// in), then the chosen letters are marked `sending` under a claim token, committed
/// and pushed with a sync (a push is a compare-and-swap on the remote's branch; a
/// claim already on the remote wins the merge, `store::sync::outbox_keeps_theirs`), and
/// only the letters still under this claim are delivered; the states are committed and
/// pushed afterwards. A remote that cannot be reached refuses the delivery
/// ([`LettersError::Claim`]) unless `claiming.no_claim`.
///
/// The transaction's lock is held to choose the letters and mark them `sending`, let
/// go while each message is with the server ([`Transaction::unlock`]) and taken again
/// to record its outcome ([`Transaction::relock`]), so that a slow server does not
/// block other commands. Letters left `sending` by a process that is gone become
/// uncertain first ([`Delivery::interrupted`]).
pub fn deliver(
    tx: &mut Transaction<'_>,
    config: &Config,
    mailer: &dyn Mailer,
    actor: &Actor,
    now: &ZonedDateTime,
    what: &Selection,
    claiming: Option<&Claiming>,
) -> Result<Delivery, LettersError> {
    let ws = tx.workspace();
    let outbox = Outbox::in_workspace(ws);
    let today = now.timestamp().to_zoned_datetime(oslo()).date();
    let cal = work_calendar(config);
    let in_scope = |e: &OutboxEntry| {
        what.issued.contains(&e.name) || what.round.as_ref().is_none_or(|r| r == &e.state.round)
    };
    let mut senders: HashMap<String, Option<PartyCode>> = HashMap::new();
    let mut ours = |round: &str| -> Option<bool> {
        senders
            .entry(round.to_string())
            .or_insert_with(|| {
                let id = round.parse::<RecordId>().ok()?;
                load_round(ws, &id).ok().map(|(def, _)| def.sender)
            })
            .as_ref()
            .map(|s| s == &actor.party)
    };

    // The claim's remote, and a sync first: it must answer, and what other clones
    // claimed or sent comes in.
    let remote = match claiming {
        Some(c) => ws.shared_remote()?.map(|r| (c, r)),
        None => None,
    };
    let claim_at = match remote {
        Some((c, r)) if c.no_claim => {
            ws.notices().push(
                crate::store::NoticeLevel::Warning,
                format!(
                    "Delivering without a claim (--no-claim): the workspace shares its case through \"{r}\", so a clone that delivers the same letters before the next sync sends them twice."
                ),
            );
            None
        }
        other => other,
    };
    let waiting: HashSet<String> = match claim_at {
        Some(_) => outbox
            .list()?
            .into_iter()
            .filter(|e| e.state.state == DeliveryState::Queued && in_scope(e))
            .map(|e| e.name)
            .collect(),
        None => HashSet::new(),
    };
    if let Some((c, r)) = &claim_at {
        tx.sync(&c.git, r, actor, now, c.retries)
            .map_err(|source| LettersError::Claim {
                remote: r.clone(),
                source,
            })?;
    }
    let mut taken_elsewhere: Vec<TakenElsewhere> = Vec::new();
    for e in outbox.list()? {
        let claimed = outbox.is_foreign_claim(&e.state);
        let moved = waiting.contains(&e.name)
            && !matches!(
                e.state.state,
                DeliveryState::Queued | DeliveryState::Uncertain
            );
        if (claimed || moved) && in_scope(&e) && ours(&e.state.round) == Some(true) {
            taken_elsewhere.push(TakenElsewhere {
                entry: e.name,
                round: e.state.round,
                party: e.state.party,
                state: e.state.state,
                claimed_by: e.state.claimed_by,
            });
        }
    }

    let interrupted: Vec<Delivered> = outbox
        .settle_interrupted()?
        .into_iter()
        .map(|e| delivered(e.name, Ok(e.state), false))
        .collect();
    let mut rounds: HashMap<String, Option<RoundState>> = HashMap::new();
    let mut held_back = Vec::new();
    let mut other_rounds = Vec::new();
    let mut not_ours = Vec::new();
    let mut uncertain = Vec::new();
    let mut resent = HashSet::new();
    let mut select = |e: &OutboxEntry| -> bool {
        let issued = what.issued.contains(&e.name);
        if !issued && what.round.as_ref().is_some_and(|r| r != &e.state.round) {
            if e.state.state == DeliveryState::Queued {
                other_rounds.push(e.name.clone());
            }
            return false;
        }
        let round = rounds.entry(e.state.round.clone()).or_insert_with(|| {
            let id = e.state.round.parse::<RecordId>().ok()?;
            let (def, facts) = load_round(ws, &id).ok()?;
            Some(RoundState::fold(def, facts, config, today, &cal))
        });
        // Only the round's sender delivers its letters.
        if let Some(r) = round.as_ref().filter(|r| r.def.sender != actor.party) {
            if e.state.state == DeliveryState::Queued {
                not_ours.push(NotOurs {
                    entry: e.name.clone(),
                    round: e.state.round.clone(),
                    party: e.state.party.clone(),
                    sender: r.def.sender.to_string(),
                });
            }
            return false;
        }
        if e.state.state == DeliveryState::Uncertain {
            if !what.resend_uncertain {
                uncertain.push(e.name.clone());
                return false;
            }
            resent.insert(e.name.clone());
        }
        if issued || what.stale {
            return true;
        }
        match hold_reason(e, round.as_ref(), today, &cal) {
            None => true,
            Some(why) => {
                resent.remove(&e.name);
                held_back.push(HeldBack {
                    entry: e.name.clone(),
                    round: e.state.round.clone(),
                    party: e.state.party.clone(),
                    kind: e.state.kind.clone(),
                    why,
                });
                false
            }
        }
    };
    let watched = Watched {
        inner: mailer,
        login_refused: std::cell::RefCell::new(None),
    };
    let token = match &claim_at {
        Some(_) => {
            let random = tx.ids().next_u64();
            let clone = outbox.ensure_clone_id(random)?;
            let nonce = tx.ids().next_u64();
            Some(ClaimToken {
                token: format!("{clone}.{}.{nonce:016x}", std::process::id()),
                by: format!("{} <{}> ({})", actor.name, actor.email, actor.party),
                at: now.timestamp(),
            })
        }
        None => None,
    };
    let mut around = Unlocked {
        tx: &mut *tx,
        failed: None,
        claim: match (&claim_at, token) {
            (Some((c, r)), Some(token)) => Some(ClaimCtx {
                claiming: c,
                remote: r.clone(),
                token,
                actor,
                now,
                error: None,
                claimed: 0,
                lost: Vec::new(),
            }),
            _ => None,
        },
    };
    let outcomes = outbox.deliver_claimed(&watched, now.timestamp(), &mut select, &mut around)?;
    let relock_failed = around.failed.take();
    let claim = around.claim.take();
    let login_refused = watched.login_refused.into_inner();
    let delivered: Vec<Delivered> = outcomes
        .into_iter()
        .map(|(name, result)| {
            let again = resent.contains(&name);
            delivered(name, result, again)
        })
        .collect();
    let claim_report = claim.as_ref().map(|c| ClaimReport {
        remote: c.remote.clone(),
        claimed: c.claimed,
        pushed: false,
    });
    if let Some(c) = &claim {
        taken_elsewhere.extend(c.lost.iter().cloned());
    }
    if let Some(e) = relock_failed {
        // A message may be with the server: never an error from here on. The outcomes
        // are written in the state files; the next write command commits them
        // (`mail::record_uncommitted_states`).
        let unrecorded: Vec<String> = delivered.iter().map(|d| d.entry.clone()).collect();
        ws.notices().push(
            crate::store::NoticeLevel::Warning,
            format!(
                "The delivery stopped after {} letter(s) because the workspace lock could not be taken again to record their outcome ({e}); their states are written in outbox/ but not committed: {}. The next strategi command that writes records them; run `strategi outbox flush` to record them and deliver the rest.",
                unrecorded.len(),
                unrecorded.join(", ")
            ),
        );
        return Ok(Delivery {
            delivered,
            held_back,
            other_rounds,
            login_refused,
            interrupted,
            uncertain,
            unrecorded,
            not_ours,
            taken_elsewhere,
            claim: claim_report,
        });
    }
    if let Some(ClaimCtx {
        error: Some(source),
        remote,
        ..
    }) = claim
    {
        // The claim was not published: the letters are put back as they were; commit
        // that (the claim's commit, if it was made, stays in history, released).
        commit_outbox_states(
            tx,
            "Release the claim on letters for delivery: it could not be published",
            &format!("The remote \"{remote}\" could not be reached; nothing was delivered."),
            actor,
            now,
        )?;
        return Err(LettersError::Claim { remote, source });
    }
    let sent = delivered
        .iter()
        .filter(|d| d.state == Outcome::Sent)
        .count();
    let body = interrupted
        .iter()
        .chain(&delivered)
        .map(|d| {
            format!(
                "{} ({}): {}{}",
                d.entry,
                d.round.as_deref().unwrap_or("?"),
                d.state,
                d.response
                    .as_deref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let committed = commit_outbox_states(
        tx,
        &format!(
            "Record delivery of {} message(s): {sent} sent",
            delivered.len()
        ),
        &body,
        actor,
        now,
    )?;
    let mut claim_report = claim_report;
    if let (Some(report), Some((c, r))) = (claim_report.as_mut(), &claim_at) {
        if committed || report.claimed > 0 {
            match tx.sync(&c.git, r, actor, now, c.retries) {
                Ok(_) => report.pushed = true,
                Err(e) => ws.notices().push(
                    crate::store::NoticeLevel::Warning,
                    format!(
                        "The delivery states are committed here but could not be pushed to \"{r}\" ({e}); run `strategi sync` so that the other clones see them."
                    ),
                ),
            }
        } else {
            report.pushed = true;
        }
    }
    Ok(Delivery {
        delivered,
        held_back,
        other_rounds,
        login_refused,
        interrupted,
        uncertain,
        unrecorded: Vec::new(),
        not_ours,
        taken_elsewhere,
        claim: claim_report,
    })
}

/// Commits every file of `outbox/` that differs from HEAD (not temporary files a crash
/// may have left: their names start with a dot) with `summary` and `body`; `false` when
/// nothing differed.
fn commit_outbox_states(
    tx: &mut Transaction<'_>,
    summary: &str,
    body: &str,
    actor: &Actor,
    now: &ZonedDateTime,
) -> Result<bool, LettersError> {
    let ws = tx.workspace();
    for rel in ws.changed_files(OUTBOX_DIR)? {
        if rel.rsplit('/').next().is_some_and(|n| n.starts_with('.')) {
            continue;
        }
        let path = ws.root().join(&rel);
        let (limit, what) = if rel.ends_with(".toml") {
            (crate::input::limits::OUTBOX_STATE, "letter's state file")
        } else {
            (crate::input::limits::LETTER, "letter")
        };
        let bytes = crate::input::read_bounded(&path, limit, what).map_err(|e| {
            let source = match e {
                crate::input::InputError::Io { source, .. } => source,
                other => std::io::Error::new(std::io::ErrorKind::InvalidData, other.reason()),
            };
            MailError::io("read", &path)(source)
        })?;
        tx.write(&rel, bytes);
    }
    if tx.is_empty() {
        return Ok(false);
    }
    tx.commit_and_continue(summary, body, Action::OutboxDeliver, actor, now)?;
    Ok(true)
}

/// One entry's outcome as a [`Delivered`].
fn delivered(
    name: String,
    result: Result<crate::mail::OutboxState, MailError>,
    resent_uncertain: bool,
) -> Delivered {
    match result {
        Ok(state) => Delivered {
            entry: name,
            round: Some(state.round),
            party: Some(state.party),
            state: match state.state {
                DeliveryState::Sent => Outcome::Sent,
                DeliveryState::Queued | DeliveryState::Sending => Outcome::Queued,
                DeliveryState::Failed => Outcome::Failed,
                DeliveryState::Uncertain => Outcome::Uncertain,
            },
            response: state.server_response,
            resent_uncertain,
        },
        Err(e) => Delivered {
            entry: name,
            round: None,
            party: None,
            state: Outcome::Error,
            response: Some(e.to_string()),
            resent_uncertain,
        },
    }
}

/// Lets go of the transaction's lock while a message is with the server and takes it
/// again to record the outcome; remembers a lock it could not take again (the delivery
/// stops there). With a claim, publishes it before the first message goes.
struct Unlocked<'t, 'w, 'c> {
    tx: &'t mut Transaction<'w>,
    failed: Option<StoreError>,
    claim: Option<ClaimCtx<'c>>,
}

/// A delivery's claim on its letters, published through a remote.
struct ClaimCtx<'c> {
    claiming: &'c Claiming,
    remote: String,
    token: ClaimToken,
    actor: &'c Actor,
    now: &'c ZonedDateTime,
    /// Why the claim could not be published.
    error: Option<crate::store::SyncError>,
    /// How many letters this delivery holds under its claim.
    claimed: usize,
    /// Letters chosen here that the remote shows claimed or sent by another clone.
    lost: Vec<TakenElsewhere>,
}

impl crate::mail::AroundDelivery for Unlocked<'_, '_, '_> {
    fn before_send(&mut self) {
        self.tx.unlock();
    }

    fn after_send(&mut self) -> bool {
        match self.tx.relock() {
            Ok(()) => true,
            Err(e) => {
                self.failed = Some(e);
                false
            }
        }
    }
}

impl crate::mail::AroundClaim for Unlocked<'_, '_, '_> {
    fn token(&mut self) -> Option<ClaimToken> {
        self.claim.as_ref().map(|c| c.token.clone())
    }

    fn publish(&mut self, chosen: &[String]) -> Published {
        let Some(c) = self.claim.as_mut() else {
            return Published::All;
        };
        let summary = format!("Claim {} letter(s) for delivery", chosen.len());
        let body = format!(
            "Claimed by {} (claim {}): {}",
            c.token.by,
            c.token.token,
            chosen.join(", ")
        );
        if let Err(e) = commit_outbox_states(self.tx, &summary, &body, c.actor, c.now) {
            c.error = Some(crate::store::SyncError::Store(match e {
                LettersError::Store(s) => s,
                other => StoreError::Io {
                    action: "commit",
                    path: PathBuf::from(OUTBOX_DIR),
                    source: std::io::Error::other(other.to_string()),
                },
            }));
            return Published::Refused;
        }
        if let Err(e) = self.tx.sync(
            &c.claiming.git,
            &c.remote,
            c.actor,
            c.now,
            c.claiming.retries,
        ) {
            c.error = Some(e);
            return Published::Refused;
        }
        // The remote's states are here now: keep what is still under this claim.
        let outbox = Outbox::in_workspace(self.tx.workspace());
        let entries: HashMap<String, OutboxEntry> = match outbox.list() {
            Ok(l) => l.into_iter().map(|e| (e.name.clone(), e)).collect(),
            Err(e) => {
                c.error = Some(crate::store::SyncError::Store(StoreError::Io {
                    action: "read",
                    path: outbox.dir().to_path_buf(),
                    source: std::io::Error::other(e.to_string()),
                }));
                return Published::Refused;
            }
        };
        let mut keep = HashSet::new();
        for name in chosen {
            match entries.get(name) {
                Some(e)
                    if e.state.state == DeliveryState::Sending
                        && e.state.claim.as_deref() == Some(c.token.token.as_str()) =>
                {
                    keep.insert(name.clone());
                }
                Some(e) => c.lost.push(TakenElsewhere {
                    entry: name.clone(),
                    round: e.state.round.clone(),
                    party: e.state.party.clone(),
                    state: e.state.state,
                    claimed_by: e.state.claimed_by.clone(),
                }),
                None => {}
            }
        }
        c.claimed = keep.len();
        if keep.len() == chosen.len() {
            Published::All
        } else {
            Published::Only(keep)
        }
    }
}

/// A mailer that remembers a refused login ([`crate::mail::DeliveryError::Configuration`]).
struct Watched<'m> {
    inner: &'m dyn Mailer,
    login_refused: std::cell::RefCell<Option<String>>,
}

impl Mailer for Watched<'_> {
    fn deliver(
        &self,
        envelope_from: &str,
        to: &[String],
        eml: &[u8],
    ) -> Result<crate::mail::DeliveryReceipt, crate::mail::DeliveryError> {
        let result = self.inner.deliver(envelope_from, to, eml);
        if let Err(crate::mail::DeliveryError::Configuration { message }) = &result {
            *self.login_refused.borrow_mut() = Some(message.clone());
        }
        result
    }
}

/// What [`mark_sent`] recorded.
#[derive(Debug, Clone, Serialize)]
pub struct MarkedSent {
    /// The entries, with their new states.
    pub entries: Vec<(String, crate::mail::OutboxState)>,
    /// The commit.
    pub commit: CommitInfo,
}

/// Finds the outbox entry `id` names: an entry name (with or without `outbox/` and
/// `.eml`/`.toml`) or a Message-ID (with or without `<>`), or the unambiguous start of
/// either.
pub fn find_entry<'e>(
    entries: &'e [OutboxEntry],
    id: &str,
) -> Result<&'e OutboxEntry, LettersError> {
    let t = id.trim();
    let t = t.strip_prefix(&format!("{OUTBOX_DIR}/")).unwrap_or(t);
    let t = t
        .strip_suffix(".eml")
        .or_else(|| t.strip_suffix(".toml"))
        .unwrap_or(t);
    let t = t.trim_start_matches('<').trim_end_matches('>');
    let bare = |m: &str| m.trim_start_matches('<').trim_end_matches('>').to_string();
    if !t.is_empty() {
        if let Some(e) = entries
            .iter()
            .find(|e| e.name == t || bare(&e.state.message_id) == t)
        {
            return Ok(e);
        }
        let hits: Vec<&OutboxEntry> = entries
            .iter()
            .filter(|e| e.name.starts_with(t) || bare(&e.state.message_id).starts_with(t))
            .collect();
        match hits.as_slice() {
            [one] => return Ok(one),
            [] => {}
            many => {
                return Err(LettersError::AmbiguousEntry {
                    id: id.to_string(),
                    candidates: many.iter().map(|e| e.name.clone()).collect(),
                });
            }
        }
    }
    // Close: contains it, or differs in a few characters (over the whole name, or over
    // the start of it for a longer prefix).
    let long = t.chars().count() >= 6;
    let mut suggestions: Vec<String> = entries
        .iter()
        .map(|e| e.name.clone())
        .filter(|n| {
            long && (n.contains(t)
                || crate::document::edit_distance(n, t) <= 3
                || n.get(..t.len())
                    .is_some_and(|p| crate::document::edit_distance(p, t) <= 2))
        })
        .collect();
    suggestions.truncate(5);
    Err(LettersError::UnknownEntry {
        id: id.to_string(),
        suggestions,
    })
}

/// `outbox mark-sent`: records the letters `ids` name (see [`find_entry`]) as sent by
/// hand by `actor` at `now`, with `note` ("sent by hand" when none), in one commit
/// (`outbox-mark-sent`). Refuses, before anything is written, an id that names no
/// entry or several, a letter that was already sent, and a letter of a round the actor
/// may not steer ([`rules::may_steer`]: its sender or the case owner).
pub fn mark_sent(
    tx: &mut Transaction<'_>,
    config: &Config,
    actor: &Actor,
    now: &ZonedDateTime,
    ids: &[String],
    note: Option<&str>,
) -> Result<MarkedSent, LettersError> {
    let note = note_or(note, "sent by hand")?;
    let hand = HandDelivery {
        by: actor.party.to_string(),
        person: format!("{} <{}>", actor.name, actor.email),
        at: now.timestamp(),
        note: note.clone(),
    };
    let (entries, commit) = rewrite_entries(
        tx,
        config,
        actor,
        now,
        ids,
        |outbox, e| {
            if e.state.state == DeliveryState::Sent {
                return Err(LettersError::AlreadySent {
                    entry: e.name.clone(),
                    when: e
                        .state
                        .by_hand
                        .as_ref()
                        .map(|h| h.at)
                        .or(e.state.last_attempt),
                    by_hand: e.state.by_hand.is_some(),
                });
            }
            if e.state.state == DeliveryState::Sending && outbox.is_foreign_claim(&e.state) {
                return Err(LettersError::ClaimedElsewhere {
                    entry: e.name.clone(),
                    claimed_by: e.state.claimed_by.clone().unwrap_or_default(),
                });
            }
            if e.state.state == DeliveryState::Sending {
                return Err(LettersError::BeingDelivered {
                    entry: e.name.clone(),
                    pid: e.state.sending_pid,
                });
            }
            Ok(())
        },
        |e| e.state.sent_by_hand(hand.clone()),
        |n| format!("Record {n} message(s) as sent by hand"),
        |name, s| format!("{name} ({} {}): {note}", s.round, s.party),
        Action::OutboxMarkSent,
    )?;
    Ok(MarkedSent { entries, commit })
}

/// A note given on the command line, trimmed, one line, or `default` when none.
fn note_or(note: Option<&str>, default: &str) -> Result<String, LettersError> {
    let note = note
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(default);
    crate::model::one_line(note, "note").map_err(|e| LettersError::BadNote {
        message: e.to_string(),
    })
}

/// The outbox entries `ids` name ([`find_entry`], each once), each checked by `check`
/// and by the round's steering rule ([`rules::may_steer`]) before anything is written,
/// then rewritten by `new_state` in one commit (`subject` from their count, one body
/// line per entry): what `outbox mark-sent` and `outbox release` share.
#[allow(clippy::too_many_arguments)]
fn rewrite_entries(
    tx: &mut Transaction<'_>,
    config: &Config,
    actor: &Actor,
    now: &ZonedDateTime,
    ids: &[String],
    check: impl Fn(&Outbox, &OutboxEntry) -> Result<(), LettersError>,
    new_state: impl Fn(&OutboxEntry) -> crate::mail::OutboxState,
    subject: impl Fn(usize) -> String,
    line: impl Fn(&str, &crate::mail::OutboxState) -> String,
    action: Action,
) -> Result<(Vec<(String, crate::mail::OutboxState)>, CommitInfo), LettersError> {
    let outbox = Outbox::in_workspace(tx.workspace());
    let entries = outbox.list()?;
    let mut chosen: Vec<&OutboxEntry> = Vec::new();
    // Each round's definition, read once however many of its letters are named.
    let mut defs: HashMap<String, Option<super::RoundDef>> = HashMap::new();
    for id in ids {
        let e = find_entry(&entries, id)?;
        check(&outbox, e)?;
        let def = defs.entry(e.state.round.clone()).or_insert_with(|| {
            let id = e.state.round.parse::<RecordId>().ok()?;
            load_round(tx.workspace(), &id).ok().map(|(def, _)| def)
        });
        if let Some(def) = def {
            rules::may_steer(config, def, &actor.party)?;
        }
        if !chosen.iter().any(|c| c.name == e.name) {
            chosen.push(e);
        }
    }
    let mut out = Vec::new();
    for e in &chosen {
        let state = new_state(e);
        tx.write(
            &Outbox::workspace_path(&format!("{}.toml", e.name)),
            state.to_toml()?.into_bytes(),
        );
        out.push((e.name.clone(), state));
    }
    let body = out
        .iter()
        .map(|(name, s)| line(name, s))
        .collect::<Vec<_>>()
        .join("\n");
    let commit = tx.commit_and_continue(&subject(out.len()), &body, action, actor, now)?;
    Ok((out, commit))
}

/// How long after a claim `outbox release` waits before it takes the claim over without
/// `--force`: a delivery under a claim takes seconds, so a claim this old has a clone
/// behind it that stopped.
pub const RELEASE_AFTER_MINUTES: i64 = 30;

/// What [`release`] recorded.
#[derive(Debug, Clone, Serialize)]
pub struct ReleasedClaims {
    /// The entries, with their new states.
    pub entries: Vec<(String, crate::mail::OutboxState)>,
    /// The commit.
    pub commit: CommitInfo,
    /// Whether the release reached the remote (else the next `strategi sync` takes it).
    pub pushed: bool,
}

/// `outbox release`: takes over the letters `ids` name that another clone claimed
/// (marked `sending` and pushed) and never recorded as delivered, because that clone is
/// gone. Each becomes `uncertain` (that clone may have handed it to the server) with the
/// claim kept in [`crate::mail::Release`], in one commit (`outbox-release`), so it goes
/// again only when asked (`outbox flush --resend-uncertain`) or is recorded as sent
/// by hand. With a remote (`claiming`), a sync comes first and must succeed (what the
/// other clone recorded meanwhile comes in: a letter it sent is sent, and is refused
/// here) and the release is pushed after. In the merge `sent` beats the release and the
/// release (uncertain) beats the old claim (`store::sync::outbox_keeps_theirs`), so the
/// old clone, back again, never sends it unasked.
///
/// Refuses, with nothing written: an id that names no entry or several, a letter that
/// is not another clone's claim (queued, sent, or this clone's own), a claim younger
/// than [`RELEASE_AFTER_MINUTES`] unless `force` (or one with no time, from before
/// claims were dated), and a letter of a round the actor may not steer.
#[allow(clippy::too_many_arguments)]
pub fn release(
    tx: &mut Transaction<'_>,
    config: &Config,
    actor: &Actor,
    now: &ZonedDateTime,
    ids: &[String],
    note: Option<&str>,
    force: bool,
    claiming: Option<&Claiming>,
) -> Result<ReleasedClaims, LettersError> {
    let remote = match claiming {
        Some(c) if !c.no_claim => tx.workspace().shared_remote()?.map(|r| (c, r)),
        _ => None,
    };
    if let Some((c, r)) = &remote {
        tx.sync(&c.git, r, actor, now, c.retries)
            .map_err(|source| LettersError::Claim {
                remote: r.clone(),
                source,
            })?;
    }
    let note = note_or(note, "its clone is gone")?;
    let (entries, commit) = rewrite_entries(
        tx,
        config,
        actor,
        now,
        ids,
        |outbox, e| {
            if e.state.state != DeliveryState::Sending || e.state.claim.is_none() {
                return Err(LettersError::NotClaimed {
                    entry: e.name.clone(),
                    state: e.state.state.as_str(),
                });
            }
            if !outbox.is_foreign_claim(&e.state) {
                return Err(LettersError::OwnClaim {
                    entry: e.name.clone(),
                });
            }
            let recent = e.state.claimed_at.is_none_or(|at| {
                now.timestamp().duration_since(at)
                    < jiff::SignedDuration::from_mins(RELEASE_AFTER_MINUTES)
            });
            if recent && !force {
                return Err(LettersError::ClaimTooRecent {
                    entry: e.name.clone(),
                    claimed_by: e.state.claimed_by.clone().unwrap_or_default(),
                    at: e.state.claimed_at,
                });
            }
            Ok(())
        },
        |e| {
            e.state.released(crate::mail::Release {
                claim: e.state.claim.clone().unwrap_or_default(),
                claimed_by: e.state.claimed_by.clone().unwrap_or_default(),
                by: actor.party.to_string(),
                person: format!("{} <{}>", actor.name, actor.email),
                at: now.timestamp(),
                note: note.clone(),
            })
        },
        |n| format!("Release {n} message(s) another clone claimed"),
        |name, s| {
            format!(
                "{name} ({} {}): claim of {} released: {note}",
                s.round,
                s.party,
                s.released.as_ref().map_or("", |r| r.claimed_by.as_str())
            )
        },
        Action::OutboxRelease,
    )?;
    let pushed = match &remote {
        Some((c, r)) => match tx.sync(&c.git, r, actor, now, c.retries) {
            Ok(_) => true,
            Err(e) => {
                tx.workspace().notices().push(
                    crate::store::NoticeLevel::Warning,
                    format!(
                        "The release is committed here but did not reach \"{r}\" ({e}); run `strategi sync` before anyone flushes."
                    ),
                );
                false
            }
        },
        None => false,
    };
    Ok(ReleasedClaims {
        entries,
        commit,
        pushed,
    })
}

#[cfg(test)]
#[path = "letters_tests.rs"]
mod tests;
