//! Importing replies: e-mails (`.eml`) and filled-in response forms into a round.
//!
//! Each file is read completely and checked before anything is written; then every
//! accepted file is stored and recorded in one commit. By default one refused file
//! refuses the whole import (every problem is listed, nothing is written), so a batch
//! is never half imported; `skip_bad` imports the good files and lists the rest.
//!
//! The rules are those of answering by hand ([`super::rules::may_answer`]): nothing is
//! imported into a closed round, `--from` must name a recipient, and the acting party
//! must be the party itself, the round's sender or the case owner; a refusal says
//! the same as `comment add` and `respond` would.
//!
//! What a message becomes:
//! - the party: the subject token `[strategi ROUND/PARTY]`, else our Message-ID in
//!   In-Reply-To/References, else the sender's address matched against the parties,
//!   else `--from`; a message that names another round is refused;
//! - a response form (attached as text, or in the body) becomes one comment per filled
//!   block, anchored where the quote is found in the section (a quote that is not found
//!   is kept as given and reported, never guessed), and its ticked position;
//! - without a form, a body that only says "ingen merknader" (or the nynorsk, Danish or
//!   English words) is the position no-comments; any other text becomes one general
//!   comment (quoted reply text, the greeting, the sign-off and the signature removed;
//!   a short covering note such as "Vedlagt følger våre merknader" next to a Word file
//!   is no comment);
//! - a Word attachment (or a `.docx` given on its own, with `--from`) is read by
//!   [`crate::word::read`] and each of its comments, tracked changes and untracked
//!   edits becomes an anchored comment or suggestion ([`crate::word::import`]), with the
//!   Word author and date kept in the comment's `word` table; a `.doc`, an `.odt` or an
//!   encrypted or hostile file refuses the message with the reason. Other attachments
//!   (a PDF) are stored and named in a warning, and become no comment text;
//! - a party that sent comments but ticked no position is recorded with the position
//!   "comments".
//!
//! When the party answered: the message's `Date` header. It is not trusted blindly: a
//! `Date` later than the import, or on a day before the round was opened, is set aside
//! with a warning and the message is taken as received at `received` (given with
//! `--received`) or, without it, at the time of the import, which is never earlier
//! than the truth, so a late answer can never pass as on time. A bare form has no date
//! of its own: `received` applies to it; a message with a trusted `Date` keeps its own
//! date. A file with no date of its own imported after its party's deadline is
//! imported with a warning, as it will count as late.
//!
//! The message is kept as `inbox/<digest>/message.eml` with its attachments under
//! `attachments/` (names made safe: nothing is ever written outside that folder), and
//! `import.toml` records what was made of it. The digest is the SHA-256 of the file's
//! bytes, so importing the same message again finds it and changes nothing.

use std::collections::BTreeSet;

use jiff::Timestamp;
use serde::Serialize;

use crate::document::Document;
use crate::model::{Action, Config, IdSource, PartyCode, Position, RecordId, RecordKind};
use crate::reply::email::{
    Incoming, IncomingAttachment, message_digest, message_id_parts, parse_message, safe_file_name,
    subject_token,
};
use crate::reply::email::{only_covers_attachment, without_greeting_and_sign_off};
use crate::reply::form::{ParsedForm, find_form, looks_like_form, parse_form};
use crate::store::{CommitInfo, Transaction};
use crate::word::import::comments_with as word_comments_with;
use crate::word::read::{Docx, OfficeKind, office_kind, read_docx};

use super::actions::{ActError, Acting, queue_fact};
use super::comments::{
    CommentFile, CommentRecord, ImportRecord, comment_file_path, inbox_dir, load_imports,
};
use super::respondents::Respondent;
use super::round::{FactBody, RoundState, is_late, received_problem};
use super::rules::{self, Refusal};

/// One file to import: the name to show, and its bytes (or why it could not be read).
#[derive(Debug, Clone)]
pub struct ReplyFile {
    /// The name shown in the outcome (the path as given; for a message of an mbox, the
    /// mbox's path and the message's number).
    pub name: String,
    /// The file's bytes, or why it could not be read.
    pub bytes: Result<Vec<u8>, String>,
    /// For a message of an mbox: where in the mbox it is.
    pub place: Option<MboxPlace>,
}

impl ReplyFile {
    /// A file given on its own.
    pub fn file(name: impl Into<String>, bytes: Result<Vec<u8>, String>) -> ReplyFile {
        ReplyFile {
            name: name.into(),
            bytes,
            place: None,
        }
    }

    /// The messages of an mbox (see [`crate::reply::mbox`]), each named `MBOX #N` and
    /// refused when it is larger than `limit` bytes or empty.
    pub fn mbox_messages(mbox: &str, bytes: &[u8], limit: u64) -> Vec<ReplyFile> {
        crate::reply::mbox::split_mbox(bytes)
            .into_iter()
            .map(|m| {
                let place = MboxPlace {
                    mbox: mbox.to_string(),
                    number: m.number,
                    first_line: m.first_line,
                    last_line: m.last_line,
                    offset: m.offset,
                    message_id: m.message_id,
                };
                let bytes = if m.bytes.is_empty() {
                    Err(
                        "the message is empty: a separator line with no message after it."
                            .to_string(),
                    )
                } else if m.bytes.len() as u64 > limit {
                    Err(format!(
                        "the message is {} bytes, more than the {} bytes one message may be.",
                        m.bytes.len(),
                        limit
                    ))
                } else {
                    Ok(m.bytes)
                };
                ReplyFile {
                    name: format!("{mbox} #{}", m.number),
                    bytes,
                    place: Some(place),
                }
            })
            .collect()
    }
}

/// Where a message of an mbox is in the mbox: enough to find it in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MboxPlace {
    /// The mbox, as given.
    pub mbox: String,
    /// The message's number in it, from 1.
    pub number: usize,
    /// The line of its `From ` separator.
    pub first_line: usize,
    /// Its last line.
    pub last_line: usize,
    /// The byte offset of its separator line.
    pub offset: usize,
    /// Its Message-ID, if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
}

impl std::fmt::Display for MboxPlace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "lines {}-{}, byte {}",
            self.first_line, self.last_line, self.offset
        )?;
        if let Some(id) = &self.message_id {
            write!(f, ", Message-ID <{id}>")?;
        }
        Ok(())
    }
}

/// What happened to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileResult {
    /// Read and checked: imported (or, when others were refused, ready to be).
    Imported,
    /// Imported before; nothing changed.
    Duplicate,
    /// Cannot be imported; `reason` says why.
    Refused,
}

/// What one file became.
#[derive(Debug, Clone, Serialize)]
pub struct FileOutcome {
    /// The file, as given.
    pub file: String,
    /// imported | duplicate | refused
    pub result: FileResult,
    /// The party it was matched to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party: Option<PartyCode>,
    /// How the party was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched_by: Option<String>,
    /// The position found in it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
    /// How many comments it holds.
    pub comments: usize,
    /// What was noticed but did not stop the import.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Why it was refused, or that it is a duplicate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Where it is (or would be) stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub folder: Option<String>,
    /// For a message of an mbox: where in the mbox it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mbox: Option<MboxPlace>,
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct Imported {
    /// The round.
    pub round: RecordId,
    /// Every file, in the order given.
    pub files: Vec<FileOutcome>,
    /// How many messages were written.
    pub imported: usize,
    /// How many files there were of each outcome.
    pub summary: Summary,
    /// The commit, if anything was written.
    pub commit: Option<CommitInfo>,
}

/// How many files of an import had each outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Read and checked (written when `commit` is set).
    pub imported: usize,
    /// Imported before: nothing changed.
    pub duplicate: usize,
    /// Refused, each with its reason.
    pub refused: usize,
}

impl Summary {
    fn of(files: &[FileOutcome]) -> Summary {
        let mut s = Summary::default();
        for f in files {
            match f.result {
                FileResult::Imported => s.imported += 1,
                FileResult::Duplicate => s.duplicate += 1,
                FileResult::Refused => s.refused += 1,
            }
        }
        s
    }
}

impl Imported {
    /// How many files were refused.
    pub fn refused(&self) -> usize {
        self.files
            .iter()
            .filter(|o| o.result == FileResult::Refused)
            .count()
    }

    /// Whether the accepted files were written.
    pub fn written(&self) -> bool {
        self.commit.is_some()
    }
}

/// A file checked and ready to store.
struct Prepared {
    digest: String,
    raw: Vec<u8>,
    raw_name: &'static str,
    attachments: Vec<(String, Vec<u8>)>,
    record: ImportRecord,
    comments: Vec<CommentRecord>,
    warnings: Vec<String>,
    /// Who it is from, when an unlisted sender answered an open høring.
    respondent: Option<Respondent>,
}

/// Told as each file of an import is taken up: its number (from 1), how many there
/// are, and its name.
pub type OnFile<'a> = &'a dyn Fn(usize, usize, &str);

/// What to go by, besides the files themselves.
#[derive(Clone, Default)]
pub struct ImportOptions<'a> {
    /// The party the files are from, when they do not say.
    pub from: Option<&'a PartyCode>,
    /// Import the good files even when others are refused.
    pub skip_bad: bool,
    /// When the files were received, for those without a date of their own (a bare
    /// form, a message without a usable `Date`).
    pub received: Option<Timestamp>,
    /// Told as each file is taken up (for a progress counter; the library shows
    /// nothing itself).
    pub on_file: Option<OnFile<'a>>,
}

impl std::fmt::Debug for ImportOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportOptions")
            .field("from", &self.from)
            .field("skip_bad", &self.skip_bad)
            .field("received", &self.received)
            .field("on_file", &self.on_file.map(|_| "Fn"))
            .finish()
    }
}

/// Imports `files` into the round whose version is `doc`; see the module
/// documentation. `from` names the party when the files do not; with `skip_bad` the
/// good files are imported even when others are refused.
pub fn import_replies(
    tx: &mut Transaction<'_>,
    who: &Acting<'_>,
    round: &RoundState,
    doc: &Document,
    files: Vec<ReplyFile>,
    from: Option<&PartyCode>,
    skip_bad: bool,
) -> Result<Imported, ActError> {
    import_with(
        tx,
        who,
        round,
        doc,
        files,
        ImportOptions {
            from,
            skip_bad,
            received: None,
            on_file: None,
        },
    )
}

/// [`import_replies`] with every option, among them the date files without a date of
/// their own were received.
pub fn import_with(
    tx: &mut Transaction<'_>,
    who: &Acting<'_>,
    round: &RoundState,
    doc: &Document,
    files: Vec<ReplyFile>,
    options: ImportOptions<'_>,
) -> Result<Imported, ActError> {
    let ImportOptions {
        from,
        skip_bad,
        received,
        on_file,
    } = options;
    let by = &who.actor.party;
    if round.closed.is_some() {
        return Err(Refusal::ClosedToAnswers {
            round: round.def.id.clone(),
        }
        .into());
    }
    if let Some(problem) =
        received.and_then(|r| received_problem(&round.def, r, who.now.timestamp()))
    {
        return Err(ActError::Invalid(format!(
            "The date received, {problem}. Give the date the replies are dated (--received DATE or DATETIME)."
        )));
    }
    if let Some(p) = from {
        rules::may_answer(who.config, round, by, p)?;
        rules::answer_after_letter(
            round,
            p,
            received.unwrap_or(who.now.timestamp()),
            received.is_some(),
        )?;
    }
    let known = load_imports(tx.workspace(), &round.def.id)?;
    let mut seen: BTreeSet<String> = BTreeSet::new();
    // The Word files each party sent before, by digest (a message's own digest too: a
    // bare .docx is stored under it).
    let mut known_word: BTreeSet<(String, String)> = known
        .values()
        .flat_map(|r| {
            r.word_files
                .iter()
                .chain(std::iter::once(&r.digest))
                .map(|d| (r.party.to_string(), d.clone()))
        })
        .collect();
    let mut outcomes = Vec::new();
    let mut ready: Vec<Prepared> = Vec::new();
    let count = files.len();
    for (i, file) in files.into_iter().enumerate() {
        if let Some(tell) = on_file {
            tell(i + 1, count, &file.name);
        }
        let shown = file.name;
        let place = file.place;
        let raw = match file.bytes {
            Ok(b) => b,
            Err(e) => {
                outcomes.push(FileOutcome {
                    mbox: place,
                    ..refused(&shown, format!("cannot be read: {e}"))
                });
                continue;
            }
        };
        let digest = message_digest(&raw);
        if known.contains_key(&digest) || !seen.insert(digest.clone()) {
            outcomes.push(FileOutcome {
                file: shown,
                result: FileResult::Duplicate,
                party: known.get(&digest).map(|r| r.party.clone()),
                matched_by: None,
                position: None,
                comments: 0,
                warnings: Vec::new(),
                reason: Some("this message was imported before; nothing changed".into()),
                folder: Some(inbox_dir(&round.def.id, &digest)),
                mbox: place,
            });
            continue;
        }
        let clock = tx.clock()?;
        let prepared = prepare(
            (&shown, tx.ids(), clock, &known_word),
            who,
            round,
            doc,
            (from, received),
            raw,
            digest,
        )
        .and_then(|p| {
            if p.respondent.is_some() {
                // No letter went to a respondent: nothing to come after.
                return rules::may_record_respondent(who.config, &round.def, by)
                    .map(|()| p)
                    .map_err(|e| match e.hint() {
                        Some(h) => format!("{e} {h}"),
                        None => e.to_string(),
                    });
            }
            rules::may_answer(who.config, round, by, &p.record.party)
                .and_then(|()| {
                    rules::answer_after_letter(
                        round,
                        &p.record.party,
                        p.record.received.unwrap_or(p.record.at),
                        p.record.received.is_some(),
                    )
                })
                .map(|()| p)
                .map_err(|e| match e.hint() {
                    Some(h) => format!("{e} {h}"),
                    None => e.to_string(),
                })
        });
        match prepared {
            Ok(p) => {
                for d in &p.record.word_files {
                    known_word.insert((p.record.party.to_string(), d.clone()));
                }
                outcomes.push(FileOutcome {
                    file: shown,
                    result: FileResult::Imported,
                    party: Some(p.record.party.clone()),
                    matched_by: Some(p.record.matched_by.clone()),
                    position: p.record.position,
                    comments: p.comments.len(),
                    warnings: p.warnings.clone(),
                    reason: None,
                    folder: Some(inbox_dir(&round.def.id, &p.digest)),
                    mbox: place,
                });
                ready.push(p);
            }
            Err(reason) => outcomes.push(FileOutcome {
                mbox: place,
                ..refused(&shown, reason)
            }),
        }
    }
    let refused_count = outcomes
        .iter()
        .filter(|o| o.result == FileResult::Refused)
        .count();
    let write = !ready.is_empty() && (refused_count == 0 || skip_bad);
    let mut commit = None;
    if write {
        let mut positions = 0;
        let mut comments = 0;
        for p in &mut ready {
            let dir = inbox_dir(&round.def.id, &p.digest);
            // The bytes move into the transaction: a batch is held in memory once.
            tx.write(&format!("{dir}/{}", p.raw_name), std::mem::take(&mut p.raw));
            for (name, bytes) in std::mem::take(&mut p.attachments) {
                tx.write(&format!("{dir}/attachments/{name}"), bytes);
            }
            tx.write_record(&format!("{dir}/import.toml"), &p.record)?;
            if let Some(r) = &p.respondent {
                queue_fact(
                    tx,
                    who,
                    &round.def,
                    FactBody::Respondent {
                        respondent: r.id.clone(),
                        name: r.name.clone(),
                        organisation: r.organisation.clone(),
                        address: r.address.clone(),
                    },
                )?;
            }
            if let Some(first) = p.comments.first() {
                tx.write_record(
                    &comment_file_path(&round.def.id, first),
                    &CommentFile {
                        comment: p.comments.clone(),
                    },
                )?;
                comments += p.comments.len();
            }
            if let Some(position) = p.record.position {
                queue_fact(
                    tx,
                    who,
                    &round.def,
                    FactBody::Response {
                        party: p.record.party.clone(),
                        position,
                        note: None,
                        source: Some(dir.clone()),
                        received: p.record.received,
                    },
                )?;
                positions += 1;
            }
        }
        commit = Some(tx.commit_and_continue(
            &format!(
                "Import {} message(s) into round {}: {comments} comment(s), {positions} position(s)",
                ready.len(),
                round.def.id
            ),
            &ready
                .iter()
                // The subject is checked when the message is read; a commit message
                // must never carry a control character whatever the source.
                .map(|p| {
                    format!(
                        "{} ({}): {}",
                        p.record.party,
                        p.record.matched_by,
                        p.record.subject.replace(|c: char| c.is_control(), " ")
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
            Action::CommentImport,
            who.actor,
            who.now,
        )?);
    }
    Ok(Imported {
        round: round.def.id.clone(),
        summary: Summary::of(&outcomes),
        files: outcomes,
        imported: if write { ready.len() } else { 0 },
        commit,
    })
}

fn refused(file: &str, reason: String) -> FileOutcome {
    FileOutcome {
        file: file.to_string(),
        result: FileResult::Refused,
        party: None,
        matched_by: None,
        position: None,
        comments: 0,
        warnings: Vec::new(),
        reason: Some(reason),
        folder: None,
        mbox: None,
    }
}

/// Reads one file (an e-mail or a bare form) into what will be stored.
fn prepare(
    (shown, ids, clock, known_word): (&str, &mut IdSource, u64, &BTreeSet<(String, String)>),
    who: &Acting<'_>,
    state: &RoundState,
    doc: &Document,
    (from, given): (Option<&PartyCode>, Option<Timestamp>),
    raw: Vec<u8>,
    digest: String,
) -> Result<Prepared, String> {
    let config = who.config;
    let actor = &who.actor.party;
    let text = std::str::from_utf8(&raw).ok();
    // A bare form file: a text file with the form's lines and no mail headers.
    let bare_form = text.filter(|t| looks_like_form(t) && !looks_like_mail(t));
    // A bare Word file (or what claims to be one: a zip or an OLE file, or a file
    // named .docx, which is refused as a Word file when it is none).
    let bare_word = office_kind(&raw) != OfficeKind::Other || is_word_name(shown);
    // Each Word file: where it is stored, the name to show, what was read, its digest.
    let mut word_files: Vec<(String, String, Docx, String)> = Vec::new();
    let (msg, form, raw_name) = match bare_form {
        Some(t) => (
            None,
            Some(parse_form(t).map_err(|e| format!("the form {e}"))?),
            "form.txt",
        ),
        None if bare_word => {
            let docx = read_docx(shown, &raw).map_err(|e| word_refusal(&e))?;
            word_files.push((
                WORD_REPLY.to_string(),
                given_name(shown),
                docx,
                digest.clone(),
            ));
            (None, None, WORD_REPLY)
        }
        None => {
            let msg = parse_message(&raw).map_err(|e| e.to_string())?;
            let form = form_of(&msg)?;
            (Some(msg), form, "message.eml")
        }
    };
    let round_id = state.def.id.to_string();
    // Who it is from.
    let (party, matched_by, respondent) =
        match resolve_sender(config, state, msg.as_ref(), form.as_ref(), from)? {
            Sender::Party { party, matched_by } => (party, matched_by, None),
            Sender::Respondent(r) => (r.id.clone(), RESPONDENT_MATCH.to_string(), Some(r)),
        };
    let mut warnings = Vec::new();
    if let Some(m) = &msg
        && respondent.is_none()
        && !matched_by_address(&matched_by)
        && !sender_is_at_party(config, &party, &m.from.address)
    {
        warnings.push(format!(
            "it was matched to {party} by its {matched_by}, but its sender {} is not at {party}'s address; check that {party} sent it.",
            m.from.address
        ));
    }
    if let Some(f) = &form {
        if let Some(r) = &f.round
            && !round_id.starts_with(r.as_str())
        {
            return Err(format!(
                "the form is for round {r}, not {round_id}; import it into that round."
            ));
        }
        // A respondent's form names no listed party (its Party line is not read).
        if let Some(p) = &f.party
            && p != party.as_str()
            && respondent.is_none()
        {
            return Err(format!(
                "the form says it is from {p}, but the message was matched to {party} ({matched_by}); give --from with the right party."
            ));
        }
        if let Some(v) = &f.version
            && v != &state.def.version.to_string()
        {
            warnings.push(format!(
                "the form is for version {v}; the round sent {} (anchored against {}).",
                state.def.version, state.def.version
            ));
        }
    }
    let now = who.now.timestamp();
    let what = match (&msg, bare_word) {
        (Some(_), _) => "the message",
        (None, true) => "the Word file",
        (None, false) => "the form",
    };
    let received = received_of(
        state,
        &party,
        (msg.as_ref(), what),
        given,
        now,
        &mut warnings,
    );
    let source = inbox_dir(&state.def.id, &digest);
    let mut comments = Vec::new();
    let mut position = form.as_ref().and_then(|f| f.position);
    let mut new_comment =
        |section: Option<String>, anchor, text: String, proposal: Option<String>| CommentRecord {
            id: ids.next_id(RecordKind::Comment),
            party: party.clone(),
            by: actor.clone(),
            at: now,
            clock: Some(clock),
            version: state.def.version,
            section,
            anchor,
            text,
            proposal,
            source: Some(source.clone()),
            received,
            word: None,
            moved_to: None,
        };
    if let Some(f) = &form {
        for b in &f.blocks {
            let section = match &b.section {
                Some(s) if doc.section(s).is_none() => {
                    return Err(format!(
                        "the form's block at line {} names section \"{s}\", which {} does not have; correct the Section line (the form lists the ids).",
                        b.line, state.def.version
                    ));
                }
                other => other.clone(),
            };
            let mut text = b.comment.trim().to_string();
            let mut anchor = None;
            if let (Some(s), false) = (&section, b.quote.trim().is_empty()) {
                match crate::document::anchor::anchor(doc, s, b.quote.trim()) {
                    Ok(q) => anchor = Some(q),
                    Err(_) => {
                        warnings.push(format!(
                            "block at line {}: the quote is not in section {s} word for word; it is kept in the comment's text, not anchored.",
                            b.line
                        ));
                        text = format!("«{}»\n\n{text}", b.quote.trim());
                    }
                }
            }
            if text.trim().is_empty() {
                text = "(proposed change only)".to_string();
            }
            let proposal = Some(b.proposal.trim().to_string()).filter(|p| !p.is_empty());
            comments.push(new_comment(section, anchor, text, proposal));
        }
    }
    let mut stored_attachments = Vec::new();
    let mut unread = Vec::new();
    if let Some(m) = &msg {
        let mut used = BTreeSet::new();
        for a in &m.attachments {
            let mut name = safe_file_name(&a.file_name);
            let mut n = 2;
            while !used.insert(name.clone()) {
                name = format!("{n}-{}", safe_file_name(&a.file_name));
                n += 1;
            }
            let is_form = a.content_type.starts_with("text/")
                && std::str::from_utf8(&a.bytes).is_ok_and(looks_like_form);
            if is_word_attachment(a) {
                let docx = read_docx(&format!("the attachment {}", a.file_name), &a.bytes)
                    .map_err(|e| word_refusal(&e))?;
                word_files.push((
                    format!("attachments/{name}"),
                    format!("attachments/{name}"),
                    docx,
                    message_digest(&a.bytes),
                ));
            } else if !is_form {
                unread.push(name.clone());
            }
            stored_attachments.push((name, a.bytes.clone()));
        }
        if form.is_none() {
            let body = without_greeting_and_sign_off(&reply_text(&m.text));
            let covering = !word_files.is_empty() && only_covers_attachment(&body);
            if is_no_comments(&body) && stored_attachments.is_empty() {
                position = Some(Position::NoComments);
                // "No comments, but …": the rest is kept as a general comment, so
                // nothing the party wrote is lost.
                if substance(&body) > SHORT_REPLY_WORDS {
                    comments.push(new_comment(None, None, body, None));
                }
            } else if !body.trim().is_empty() && !covering {
                comments.push(new_comment(None, None, body, None));
            }
        }
    }
    // Attachments that are read by no one here (a PDF) are stored and named, never
    // turned into text of a comment.
    for name in &unread {
        warnings.push(format!(
            "the attachment {name} is stored ({source}/attachments/{name}) but not read; record what it says with `strategi comment add`."
        ));
    }
    // Word files: each comment and change is a comment of the party's, once: the same
    // file sent again (in another message, or attached and given bare) makes none.
    let mut word_digests = Vec::new();
    for (file, name, docx, word_digest) in &word_files {
        if known_word.contains(&(party.to_string(), word_digest.clone()))
            || word_digests.contains(word_digest)
        {
            warnings.push(format!(
                "{name} is a Word file {party} sent before (the same bytes); its comments were made then and are not made again."
            ));
            continue;
        }
        word_digests.push(word_digest.clone());
        // A copy of another version (strategi's export names it): its differences
        // from the version sent are no edits of the party's.
        let sent = state.def.version.to_string();
        let other = docx
            .property(crate::word::VERSION_PROPERTY)
            .filter(|v| *v != sent);
        if let Some(v) = other {
            warnings.push(format!(
                "{name} is a copy of {v}; the round sent {sent}: its untracked edits are not compared (its comments and tracked changes are imported, anchored where their text is found in {sent})."
            ));
        }
        let found = word_comments_with(docx, doc, name, other.is_none());
        if found.comments.is_empty() {
            warnings.push(format!(
                "{name} has no comments, no tracked changes and no edits against {}.",
                state.def.version
            ));
        }
        warnings.extend(found.warnings);
        for w in found.comments {
            let mut c = new_comment(w.section, w.anchor, w.text, w.proposal);
            let mut origin = w.origin;
            origin.file.clone_from(file);
            origin.name = Some(name.clone()).filter(|n| n != file);
            c.word = Some(origin);
            c.moved_to = w.moved_to;
            comments.push(c);
        }
    }
    if position.is_none() && !comments.is_empty() {
        position = Some(Position::Comments);
    }
    if position.is_none()
        && comments.is_empty()
        && stored_attachments.is_empty()
        && word_files.is_empty()
    {
        return Err("it holds no comment, no position and no form: nothing to import.".into());
    }
    let record = ImportRecord {
        digest: digest.clone(),
        message_id: msg.as_ref().and_then(|m| m.message_id.clone()),
        from: msg
            .as_ref()
            .map(|m| m.from.address.clone())
            .unwrap_or_default(),
        subject: msg.as_ref().map(|m| m.subject.clone()).unwrap_or_default(),
        party,
        matched_by,
        position,
        comments: comments.iter().map(|c| c.id.clone()).collect(),
        attachments: stored_attachments.iter().map(|(n, _)| n.clone()).collect(),
        by: actor.clone(),
        at: now,
        received,
        word_files: word_digests,
        word_name: word_files
            .iter()
            .find(|(file, ..)| file == WORD_REPLY)
            .map(|(_, name, ..)| name.clone()),
    };
    Ok(Prepared {
        digest,
        raw,
        raw_name,
        attachments: stored_attachments,
        record,
        comments,
        warnings,
        respondent,
    })
}

/// When the party sent the file: its trusted `Date`, else `given`, else unknown (the
/// import time counts). Warns when a `Date` is set aside, and when a file without a
/// date of its own will count as late.
fn received_of(
    state: &RoundState,
    party: &PartyCode,
    (msg, what): (Option<&Incoming>, &str),
    given: Option<Timestamp>,
    now: Timestamp,
    warnings: &mut Vec<String>,
) -> Option<Timestamp> {
    let header = msg.and_then(|m| m.sent_at().map(|t| (t, m.date.clone().unwrap_or_default())));
    let fallback = match given {
        Some(_) => "the date given with --received is used instead",
        None => "the time of the import is used instead",
    };
    match header {
        Some((t, text)) => match received_problem(&state.def, t, now) {
            None => {
                if given.is_some() {
                    warnings.push(format!(
                        "the message is dated {text}; that date is kept and --received is not used for it."
                    ));
                }
                return Some(t);
            }
            Some(problem) => warnings.push(format!(
                "its Date header ({text}) is not trusted: {problem}; {fallback}."
            )),
        },
        None if given.is_none() => {
            let due = state
                .parties
                .iter()
                .find(|p| &p.party == party)
                .map(|p| p.effective_due);
            if let Some(due) = due
                && is_late(now, due)
            {
                warnings.push(format!(
                    "{what} has no date of its own, so it counts as received now, after {party}'s deadline {due}, and is marked late; if it was sent in time, give its date with --received DATE when importing (or record the position again with `strategi respond --received DATE`)."
                ));
            }
        }
        None => {}
    }
    given
}

/// The name a Word file given on its own is stored under in its inbox folder.
const WORD_REPLY: &str = "reply.docx";

/// Whether a file's name says it is a Word document (`.docx`, `.docm`, `.dotx`).
fn is_word_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [".docx", ".docm", ".dotx"]
        .iter()
        .any(|e| name.ends_with(e))
}

/// The name of a file given by path, as it is kept with the import (its last part).
fn given_name(shown: &str) -> String {
    std::path::Path::new(shown)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| shown.to_string())
}

/// A Word file's refusal with one piece of advice.
fn word_refusal(e: &crate::word::read::WordError) -> String {
    match e.hint() {
        Some(h) => format!("{e} {h}"),
        None => e.to_string(),
    }
}

/// Whether an attachment is a word-processing document to read (or to refuse with a
/// reason: `.doc`, `.odt`): by its name, its type or its first bytes.
fn is_word_attachment(a: &IncomingAttachment) -> bool {
    let name = a
        .original_name
        .as_deref()
        .unwrap_or(&a.file_name)
        .to_ascii_lowercase();
    let by_name = [".docx", ".docm", ".dotx", ".doc", ".odt", ".fodt"]
        .iter()
        .any(|e| name.ends_with(e));
    let t = &a.content_type;
    let by_type = t.contains("wordprocessingml")
        || t == "application/msword"
        || t.contains("opendocument.text");
    by_name || by_type || office_kind(&a.bytes) == OfficeKind::Ole
}

fn looks_like_mail(text: &str) -> bool {
    let first = text.lines().next().unwrap_or_default();
    first.split_once(':').is_some_and(|(k, _)| {
        !k.is_empty()
            && !k.contains(' ')
            && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    }) && text.contains("\nFrom:")
        || first.starts_with("From:")
        || first.starts_with("Return-Path:")
        || first.starts_with("Received:")
}

/// The response form of a message: an attached text file that is a form, else a form
/// in the body.
fn form_of(msg: &Incoming) -> Result<Option<ParsedForm>, String> {
    for a in &msg.attachments {
        let Ok(text) = std::str::from_utf8(&a.bytes) else {
            continue;
        };
        if a.content_type.starts_with("text/") && looks_like_form(text) {
            return parse_form(text)
                .map(Some)
                .map_err(|e| format!("the attached form \"{}\" {e}", a.file_name));
        }
    }
    match find_form(&msg.text) {
        Some(Ok(f)) => Ok(Some(f)),
        Some(Err(e)) => Err(format!("the form in the message body {e}")),
        None => Ok(None),
    }
}

/// How an answer from a respondent was matched, in `import.toml` and the outcome.
pub const RESPONDENT_MATCH: &str = "open høring (sender address)";

/// Who an answer is from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sender {
    /// A listed party (a recipient of the round), and how it was found.
    Party {
        /// The party.
        party: PartyCode,
        /// How it was found ("subject token", "In-Reply-To", "sender address", "form",
        /// "--from").
        matched_by: String,
    },
    /// An unlisted sender answering an open høring.
    Respondent(Respondent),
}

/// Resolves who an answer is from: a listed party (by `--from`, the subject token, our
/// Message-ID, the sender's address, or the form's Party line), else, in an open
/// høring, the e-mail's sender as a respondent (named by its display name, for the
/// organisation on the form's Organisation line if given), else refused with what was
/// found and what to do: name the party, add the sender as a party, or (for a public
/// høring) open the round to anyone.
pub fn resolve_sender(
    config: &Config,
    state: &RoundState,
    msg: Option<&Incoming>,
    form: Option<&ParsedForm>,
    from: Option<&PartyCode>,
) -> Result<Sender, String> {
    let refused = match match_party(config, state, msg, form, from) {
        Ok((party, matched_by)) => {
            // In an open høring anyone may write, and a subject token, a reply header or
            // a form's Party line is text any sender can copy: it names a listed party
            // only when the sender writes from that party's address or domain.
            if state.def.open
                && let Some(m) = msg
                && !matched_by_address(&matched_by)
                && !sender_is_at_party(config, &party, &m.from.address)
            {
                return Err(format!(
                    "its {matched_by} names the party {party}, but its sender {} writes from outside {party}'s address domain ({}); in an open høring anyone may answer, so a party is taken from the message's text only when the sender is at the party. If {party} did send it, import it with --from {party}.",
                    m.from.address,
                    party_domain(config, &party).unwrap_or_else(|| "unknown".to_string()),
                ));
            }
            return Ok(Sender::Party { party, matched_by });
        }
        Err(e) => e,
    };
    if from.is_some() {
        return Err(refused);
    }
    let Some(m) = msg else {
        return Err(if state.def.open {
            format!(
                "{refused} An answer from someone who is no listed party is taken from an e-mail, whose sender it is registered as."
            )
        } else {
            refused
        });
    };
    if !state.def.open {
        return Err(format!(
            "{refused} If {} should answer, add it as a party (`strategi party add CODE --name NAME --email {}`) and open a round to it; for a public høring that anyone may answer, open the round with `strategi round open --kind hoyring --open`.",
            m.from.address, m.from.address
        ));
    }
    // A sender that is a listed party of the case but no recipient of this round
    // answers as that party, never as a stranger.
    let sender = super::respondents::normalise_address(&m.from.address);
    if let Some(p) = config.parties.iter().find(|p| {
        p.email.to_string().eq_ignore_ascii_case(&m.from.address)
            || (sender.is_some()
                && super::respondents::normalise_address(&p.email.to_string()) == sender)
    }) {
        return Err(format!(
            "its sender {} is the party {}, who is not a recipient of round {}; {}",
            m.from.address,
            p.code,
            state.def.id,
            "a listed party answers a round it was sent; name another party with --from CODE."
        ));
    }
    let organisation = form.and_then(|f| f.organisation.as_deref());
    match Respondent::from_sender(&m.from.name, &m.from.address, organisation) {
        Some(r) if state.def.recipients.contains(&r.id) => Err(refused),
        Some(r) => Ok(Sender::Respondent(r)),
        None => Err(format!(
            "{refused} Its sender \"{}\" is no e-mail address, so it cannot be registered as a respondent.",
            m.from.address
        )),
    }
}

/// Whether a party was matched by who sent the message (`--from` is the clerk's word,
/// the sender address is the party's own), not by text inside it.
fn matched_by_address(matched_by: &str) -> bool {
    matches!(matched_by, "--from" | "sender address")
}

/// The domain of a party's address, lower case, without a trailing dot.
fn party_domain(config: &Config, party: &PartyCode) -> Option<String> {
    let p = config.parties.iter().find(|p| &p.code == party)?;
    let address = super::respondents::normalise_address(&p.email.to_string())?;
    address.split_once('@').map(|(_, d)| d.to_string())
}

/// Whether `address` is the party's address or one in its domain (or a subdomain of
/// it): a ministry's clerk answers from `name@fin.dep.no` as often as from
/// `postmottak@fin.dep.no`.
pub fn sender_is_at_party(config: &Config, party: &PartyCode, address: &str) -> bool {
    let (Some(domain), Some(sender)) = (
        party_domain(config, party),
        super::respondents::normalise_address(address),
    ) else {
        return false;
    };
    let Some((_, sender_domain)) = sender.split_once('@') else {
        return false;
    };
    sender_domain == domain
        || sender_domain
            .strip_suffix(domain.as_str())
            .is_some_and(|rest| rest.ends_with('.'))
}

fn match_party(
    config: &Config,
    state: &RoundState,
    msg: Option<&Incoming>,
    form: Option<&ParsedForm>,
    from: Option<&PartyCode>,
) -> Result<(PartyCode, String), String> {
    let round_id = state.def.id.to_string();
    let recipient = |code: &str| {
        state
            .parties
            .iter()
            .find(|p| p.party.as_str() == code)
            .map(|p| p.party.clone())
    };
    let mut found = Vec::new();
    if let Some(p) = from {
        return recipient(p.as_str())
            .map(|p| (p, "--from".to_string()))
            .ok_or_else(|| {
                Refusal::NotRecipient {
                    party: p.clone(),
                    round: state.def.id.clone(),
                    recipients: state.def.recipients.clone(),
                }
                .to_string()
            });
    }
    if let Some(m) = msg {
        if let Some((round, party)) = subject_token(&m.subject) {
            if !round_id.starts_with(&round) && !round.starts_with(&round_id) {
                return Err(format!(
                    "its subject names round {round}, not {round_id}; import it into that round."
                ));
            }
            if let Some(p) = recipient(&party) {
                return Ok((p, "subject token".into()));
            }
            found.push(format!("subject token names {party}, not a recipient"));
        }
        for id in m.in_reply_to.iter().chain(&m.references) {
            if let Some((round, party)) = message_id_parts(id)
                && round == round_id
                && let Some(p) = recipient(&party)
            {
                return Ok((p, "In-Reply-To".into()));
            }
        }
        {
            let address = &m.from.address;
            let matching: Vec<PartyCode> = config
                .parties
                .iter()
                .filter(|p| p.email.to_string().eq_ignore_ascii_case(address))
                .filter_map(|p| recipient(p.code.as_str()))
                .collect();
            if let [one] = matching.as_slice() {
                return Ok((one.clone(), "sender address".into()));
            }
            found.push(format!("sender {address}"));
        }
        found.push(format!("subject \"{}\"", m.subject));
    }
    if let Some(p) = form.and_then(|f| f.party.as_deref())
        && let Some(p) = recipient(p)
    {
        return Ok((p, "form".into()));
    }
    Err(format!(
        "it cannot be matched to a party of round {round_id} (found: {}); name the party with --from CODE.",
        if found.is_empty() {
            "nothing to go by".to_string()
        } else {
            found.join("; ")
        }
    ))
}

/// The reply's own text: without quoted lines, the quoted original below an "On … wrote:"
/// or "-----Original Message-----" line, and the signature.
fn reply_text(body: &str) -> String {
    let mut out = Vec::new();
    for line in body.lines() {
        let t = line.trim();
        let lower = t.to_lowercase();
        if t == "--" || t == "-- " || line == "-- " {
            break;
        }
        if lower.starts_with("-----original message")
            || lower.starts_with("-----opprinnelig melding")
            || lower.starts_with("-----oprindelig meddelelse")
            || lower.starts_with("-----opphavleg melding")
            || (lower.starts_with("fra:") && out.iter().any(|l: &&str| l.trim().is_empty()))
                && body.contains("Sendt:")
        {
            break;
        }
        if t.starts_with('>') {
            continue;
        }
        if !out.is_empty() && SIGN_OFFS.contains(&lower.trim_end_matches([',', '.', '!'])) {
            break;
        }
        out.push(line);
    }
    // Drop an "On … wrote:" line left at the end, and blank edges.
    while out.last().is_some_and(|l| {
        let t = l.trim();
        t.is_empty() || (t.ends_with(':') && (t.contains("wrote") || t.contains("skrev")))
    }) {
        out.pop();
    }
    out.join("\n").trim().to_string()
}

/// A "no comments" reply longer than this (greetings left out) also says something
/// else, and is kept as a general comment too.
const SHORT_REPLY_WORDS: usize = 12;

/// Lines that close a letter: what follows is the sender's name.
const SIGN_OFFS: [&str; 12] = [
    "med vennlig hilsen",
    "med venleg helsing",
    "med helsing",
    "mvh",
    "vennlig hilsen",
    "hilsen",
    "helsing",
    "best regards",
    "kind regards",
    "regards",
    "med venlig hilsen",
    "venlig hilsen",
];

/// The words of a reply, without greeting and sign-off lines.
fn substance(body: &str) -> usize {
    let greetings: Vec<&str> = ["hei", "hallo"].into_iter().chain(SIGN_OFFS).collect();
    let lines: Vec<&str> = body
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let mut words = 0;
    for (i, line) in lines.iter().enumerate() {
        let lower = line.to_lowercase();
        let lower = lower.trim_end_matches([',', '.', '!']);
        if greetings.contains(&lower) {
            // A sign-off: the name below it does not count either.
            if i > 0 {
                break;
            }
            continue;
        }
        words += line.split_whitespace().count();
    }
    words
}

/// The phrases that say "no comments", as lower-case words.
const NO_COMMENTS_PHRASES: [&str; 14] = [
    "ingen merknader",
    "ingen merknad",
    "ingen merknadar",
    "inga merknader",
    "inga merknadar",
    "ikkje merknader",
    "ikke merknader",
    "ingen kommentarer",
    "ingen kommentar",
    "ingen innspill",
    "inga innspel",
    "ingen bemærkninger",
    "no comments",
    "no comment",
];

/// Words that qualify a "no comments" anywhere in the reply: "ingen merknader, men …",
/// "utover dette …", "except on …". A qualified "no comments" is a comment.
const QUALIFIERS: [&str; 22] = [
    "men",
    "utover",
    "bortsett",
    "unntak",
    "unntatt",
    "unnateke",
    "berre",
    "bare",
    "kun",
    "utenom",
    "likevel",
    "derimot",
    "forutsatt",
    "but",
    "except",
    "apart",
    "however",
    "besides",
    "beyond",
    "only",
    "although",
    "provided",
];

/// Words that, after "no comments", narrow it to a part of the draft ("til kapittel 1",
/// "on section 3"): the party then said nothing about the draft as a whole.
const PART_WORDS: [&str; 24] = [
    "mål",
    "målet",
    "tiltak",
    "tiltaket",
    "kapittel",
    "kapitlet",
    "kapitla",
    "kapitler",
    "kap",
    "avsnitt",
    "avsnittet",
    "punkt",
    "punktet",
    "delen",
    "vedlegg",
    "vedlegget",
    "figur",
    "tabell",
    "chapter",
    "section",
    "paragraph",
    "part",
    "annex",
    "page",
];

/// Whether a reply says "no comments" to the draft as a whole, and nothing else, in any of
/// the case's languages.
///
/// "Finansdepartementet har ingen merknader.", "KDD har inga merknader til utkastet." and
/// "No comments from UD." are; "Ingen merknader til kapittel 1, men …", "Ingen merknader
/// utover at …", and "Ingen merknader. Kostnadene må dekkes innenfor rammen." are not:
/// they are comments, and the whole reply is kept as one.
fn is_no_comments(body: &str) -> bool {
    let lower = body.to_lowercase();
    // Sentences: split at full stops, question and exclamation marks, and line breaks.
    let sentences: Vec<Vec<String>> = lower
        .split(['.', '!', '?', '\n', ';'])
        .map(|s| {
            s.chars()
                .map(|c| if c.is_alphanumeric() { c } else { ' ' })
                .collect::<String>()
                .split_whitespace()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|w| !w.is_empty())
        .collect();
    let all: Vec<&str> = sentences.iter().flatten().map(String::as_str).collect();
    if all.len() > 40 || all.iter().any(|w| QUALIFIERS.contains(w)) {
        return false;
    }
    let phrase_at = |words: &[String]| -> Option<usize> {
        let text = words.join(" ");
        NO_COMMENTS_PHRASES.iter().find_map(|p| {
            let at = format!(" {text} ").find(&format!(" {p} "))?;
            // The index of the first word after the phrase.
            Some(text[..at].split_whitespace().count() + p.split_whitespace().count())
        })
    };
    let mut found = false;
    for words in &sentences {
        if let Some(after) = phrase_at(words) {
            // "til kapittel 1", "on section 3", "til målet om …": a part, not the draft.
            let tail = &words[after..];
            if tail.iter().any(|w| PART_WORDS.contains(&w.as_str())) {
                return false;
            }
            found = true;
        } else if !is_formality(words) {
            // Something else besides "no comments": a comment.
            return false;
        }
    }
    found
}

/// Whether a sentence of a reply is a formality around the answer: a greeting, thanks,
/// a reference to the letter, a sign-off or a name.
fn is_formality(words: &[String]) -> bool {
    let first = words.first().map(String::as_str).unwrap_or("");
    let text = words.join(" ");
    if words.iter().any(|w| PART_WORDS.contains(&w.as_str())) {
        return false;
    }
    words.len() <= 3
        || ["takk", "tusen", "thank", "thanks", "hei", "hallo", "dear"].contains(&first)
        || text.contains("viser til")
        || text.contains("vising til")
        || text.contains("refer to")
        || SIGN_OFFS.iter().any(|s| text.starts_with(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_text_drops_quotes_and_signatures() {
        let body = "Vi støtter målet.\n\nMvh\nKari\n-- \nFinansdepartementet\n\nOn 3 Dec, DFD wrote:\n> old text\n";
        assert_eq!(reply_text(body), "Vi støtter målet.");
        let body = "Enig.\n\nOn Mon, 3 Dec 2025, DFD wrote:\n> Høring\n> mer\n";
        assert_eq!(reply_text(body), "Enig.");
    }

    #[test]
    fn no_comments_in_four_languages_but_not_in_long_text() {
        assert!(is_no_comments(
            "Finansdepartementet har ingen merknader.\n\nMvh Kari"
        ));
        assert!(is_no_comments("KDD har inga merknader til utkastet."));
        assert!(is_no_comments("No comments from UD."));
        assert!(!is_no_comments("Vi har merknader til kapittel 3."));
        let long = format!("ingen merknader til mål, men {}", "mye tekst ".repeat(40));
        assert!(!is_no_comments(&long));
    }

    #[test]
    fn pure_no_comments_in_bokmal_nynorsk_and_english() {
        for pure in [
            "Finansdepartementet har ingen merknader.",
            "KDD har ingen merknader til utkastet.",
            "Ingen merknader fra UD.",
            "No comments.",
            "Vi har inga merknader",
            "Helse- og omsorgsdepartementet har ingen merknader til høringsutkastet.",
            "Hei,\n\nVi har ingen merknader.\n\nMed vennlig hilsen\nKari Nordmann",
            "Takk for invitasjonen. Kunnskapsdepartementet har ingen merknader til strategien.",
            "Vi viser til brev av 3. desember. Forsvarsdepartementet har ingen merknader.",
            "Kommunal- og distriktsdepartementet har ingen merknader til utkast til nasjonal strategi for kunstig intelligens.",
            "Nærings- og fiskeridepartementet har ikkje merknader.",
            "Vi har ingen merknader til saka.\n\nMed venleg helsing\nOla",
            "Ingen merknadar frå Kulturdepartementet.",
            "We have no comments on the draft.",
            "Thank you for the opportunity. The Ministry of Foreign Affairs has no comments.",
            "No comment from our side.\n\nKind regards\nJane Doe",
            "Ingen kommentarer.",
        ] {
            assert!(is_no_comments(pure), "pure no-comments: {pure:?}");
        }
    }

    #[test]
    fn qualified_no_comments_is_a_comment() {
        for mixed in [
            "Ingen merknader til kapittel 1, men kapittel 2 må omarbeides.",
            "Ingen merknader til kapittel 1.",
            "Vi har ingen merknader utover at finansieringen må avklares.",
            "Ingen merknader bortsett fra at målet om 80 prosent er for ambisiøst.",
            "No comments except on section 3.",
            "No comments, but the cost estimate in chapter 4 is too low.",
            "We have no comments on chapter 2.",
            "Med unntak av kapittel 5 har vi ingen merknader.",
            "Vi har inga merknader, berre ei lita presisering om personvern.",
            "Ingen merknader, unntatt til tiltak 3.",
            "Inga merknader til kapittel 3, men vi saknar ein omtale av kommunane.",
            "Ingen merknader. Kostnadene må dekkes innenfor gjeldende rammer.",
            "Finansdepartementet har ingen merknader til målet om kunstig intelligens i offentlig sektor.",
            "No comments apart from a typo in the summary.",
            "KDD har ingen merknader, men ber om at kommunesektoren involveres.",
            "Ingen merknader. Avsnitt 2 bør strykes.",
            "Vi har ingen merknader. However, the timeline should be extended.",
        ] {
            assert!(!is_no_comments(mixed), "a comment: {mixed:?}");
        }
    }

    #[test]
    fn greetings_are_not_substance() {
        assert!(
            substance("Hei,\n\nVi har ingen merknader.\n\nMed vennlig hilsen\nKari Nordmann\n")
                <= SHORT_REPLY_WORDS
        );
        assert!(
            substance(
                "Ingen merknader, men kostnadene må dekkes innenfor gjeldende rammer, og det må sies tydelig i kapittel 4."
            ) > SHORT_REPLY_WORDS
        );
    }
}
