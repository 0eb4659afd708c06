//! The outbox: messages waiting to go, and a record of what went.
//!
//! A folder (a workspace's `outbox/`, [`Outbox::in_workspace`]) holds each message as two files with the same
//! name: `<name>.eml`, the message exactly as it is sent, and `<name>.toml`, its state:
//!
//! ```toml
//! state = "queued"            # queued | sent | failed
//! kind = "round-letter"
//! round = "r7k3q9x2mf"
//! party = "FIN"
//! message_id = "<r7k3q9x2mf.FIN.k2j4@dfd.dep.example>"
//! from = "postmottak@dfd.dep.example"
//! to = ["postmottak@fin.dep.example"]
//! subject = "Høring: … [strategi r7k3q9x2mf/FIN]"
//! created = "2025-11-03T09:00:00Z"
//! attempts = 1
//! last_attempt = "2025-11-03T09:00:05Z"
//! server_response = "451 4.3.0 try again later"
//!
//! [by_hand]                   # only for a letter recorded as sent by hand
//! by = "DFD"
//! person = "Kari Nordmann <kari.nordmann@dfd.example>"
//! at = "2025-11-04T10:00:00Z"
//! note = "sent by hand"
//! ```
//!
//! `<name>` is the left part of the Message-ID (which the caller keeps unique), so a
//! message is found from its id. An entry is *queued* until a server accepts it, after
//! a temporary failure too (with the failure in `server_response` and `attempts`
//! counting); *sent* once accepted (or once recorded as sent by hand,
//! [`OutboxState::sent_by_hand`]); *failed* once refused for good. Only queued entries
//! are delivered; sent and failed ones are never delivered again. An authentication
//! failure ([`DeliveryError::Configuration`]) leaves the entry queued and stops the
//! delivery: every other message would fail the same way. The `.toml` is written
//! after the `.eml`, and an entry exists only once its `.toml` does.
//!
//! # Never twice
//!
//! [`Outbox::deliver_pending`] writes an entry's new state (atomically: a synced
//! temporary file renamed over the old) right after each delivery, before the next
//! message goes, and stops at the first state it cannot write. Two windows remain in
//! which a message the server accepted can be sent again by a later run:
//! 1. a crash (or power loss) between the server's final "250" and the rename of the
//!    state file, a few milliseconds;
//! 2. a connection that breaks after the message's last line was sent but before the
//!    server's answer arrives: the server may have accepted it, but we cannot know, and
//!    keep it queued (a lost answer is reported as temporary).
//!
//! In both cases the copy carries the same Message-ID, so the recipient (and strategi's
//! own reply matching) can tell it is the same message. Two processes delivering the
//! same outbox at once would also send twice: the caller must hold the workspace lock.

use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{DeliveryError, MailError, Mailer, OutgoingMail};
use crate::store::Workspace;

/// Where an outbox entry stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryState {
    /// Waiting to be delivered (never tried, or tried and failed for now).
    Queued,
    /// Accepted by the server.
    Sent,
    /// Refused for good.
    Failed,
}

/// What the caller tells the outbox about a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMeta {
    /// The round the message belongs to.
    pub round: String,
    /// The party it goes to.
    pub party: String,
    /// What it is: `round-letter`, `reminder`, … (see `LetterKind::as_str`).
    pub kind: String,
}

/// The contents of an entry's `.toml` state file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutboxState {
    /// Where the entry stands.
    pub state: DeliveryState,
    /// What the message is (`round-letter`, `reminder`, …).
    pub kind: String,
    /// The round.
    pub round: String,
    /// The party.
    pub party: String,
    /// The message's Message-ID.
    pub message_id: String,
    /// The envelope sender.
    pub from: String,
    /// The envelope recipients.
    pub to: Vec<String>,
    /// The subject, for people reading the outbox.
    pub subject: String,
    /// When the message was written (its Date header).
    pub created: Timestamp,
    /// How many deliveries were tried.
    pub attempts: u32,
    /// When the last delivery was tried.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempt: Option<Timestamp>,
    /// What the server (or program) said the last time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_response: Option<String>,
    /// Set when the message was recorded as sent by hand (`outbox mark-sent`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_hand: Option<HandDelivery>,
}

/// A message recorded as sent by hand (from the clerk's own mail client, say).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandDelivery {
    /// The party the person acted as.
    pub by: String,
    /// The person, as `Name <address>`.
    pub person: String,
    /// When it was recorded.
    pub at: Timestamp,
    /// The note given ("sent by hand" when none was).
    pub note: String,
}

impl OutboxState {
    /// The state file's text.
    pub fn to_toml(&self) -> Result<String, MailError> {
        toml::to_string(self).map_err(|e| MailError::InvalidMessage {
            recipient: self.to.join(", "),
            message: format!("its outbox state cannot be written as TOML ({e})."),
        })
    }

    /// The state after a delivery attempt at `now` with this `result`.
    pub fn after_attempt(
        &self,
        now: Timestamp,
        result: &Result<super::DeliveryReceipt, DeliveryError>,
    ) -> OutboxState {
        let (state, response) = match result {
            Ok(r) => (DeliveryState::Sent, r.response.clone()),
            Err(
                DeliveryError::Temporary { message } | DeliveryError::Configuration { message },
            ) => (DeliveryState::Queued, message.clone()),
            Err(DeliveryError::Permanent { code, message }) => (
                DeliveryState::Failed,
                match code {
                    Some(c) => format!("{c} {message}"),
                    None => message.clone(),
                },
            ),
        };
        OutboxState {
            state,
            attempts: self.attempts.saturating_add(1),
            last_attempt: Some(now),
            server_response: Some(response),
            ..self.clone()
        }
    }

    /// The state of a message recorded as sent by hand: sent, with `hand` kept and a
    /// server response that says so.
    pub fn sent_by_hand(&self, hand: HandDelivery) -> OutboxState {
        OutboxState {
            state: DeliveryState::Sent,
            server_response: Some(format!(
                "{} (recorded by {} for {} at {})",
                hand.note,
                hand.person,
                hand.by,
                hand.at.strftime("%Y-%m-%d %H:%M UTC")
            )),
            by_hand: Some(hand),
            ..self.clone()
        }
    }
}

/// One message in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    /// The entry's name: its files are `<name>.eml` and `<name>.toml`.
    pub name: String,
    /// Its state file's contents.
    pub state: OutboxState,
    /// The message file.
    pub eml_path: PathBuf,
    /// The state file.
    pub state_path: PathBuf,
}

/// An outbox folder.
#[derive(Debug, Clone)]
pub struct Outbox {
    dir: PathBuf,
}

/// One entry's outcome in [`Outbox::deliver_pending`]: its name, and its new state or
/// why it could not be handled.
pub type DeliveryOutcome = (String, Result<OutboxState, MailError>);

/// A workspace's outbox folder, relative to its root.
pub const OUTBOX_DIR: &str = "outbox";

impl Outbox {
    /// The outbox of a workspace: its folder [`OUTBOX_DIR`] (which need not exist yet).
    pub fn in_workspace(ws: &Workspace) -> Outbox {
        Outbox::new(ws.root().join(OUTBOX_DIR))
    }

    /// The path of a file of this outbox relative to the workspace root
    /// (`outbox/<file>`), for queueing it in a transaction.
    pub fn workspace_path(file: &str) -> String {
        format!("{OUTBOX_DIR}/{file}")
    }

    /// The outbox in `dir` (which need not exist yet).
    pub fn new(dir: impl Into<PathBuf>) -> Outbox {
        Outbox { dir: dir.into() }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The entry name for a message: the left part of its Message-ID, with anything but
    /// letters, digits, `.`, `-` and `_` replaced by `-`.
    pub fn entry_name(mail: &OutgoingMail) -> String {
        let id = mail.message_id.trim_start_matches('<');
        let left = id.split('@').next().unwrap_or_default();
        let name: String = left
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let name = name.trim_start_matches('.');
        if name.is_empty() {
            "message".to_string()
        } else {
            name.to_string()
        }
    }

    /// The files that queue `mail`, for the caller to write in its own transaction:
    /// `(file name inside the outbox folder, bytes)`, the `.eml` first, then the
    /// `.toml` (join the names with the outbox's path, e.g. `outbox/<name>.eml`).
    pub fn plan_write(
        &self,
        mail: &OutgoingMail,
        meta: &OutboxMeta,
    ) -> Result<Vec<(String, Vec<u8>)>, MailError> {
        let name = Outbox::entry_name(mail);
        let eml = mail.to_eml()?;
        let state = OutboxState {
            state: DeliveryState::Queued,
            kind: meta.kind.clone(),
            round: meta.round.clone(),
            party: meta.party.clone(),
            message_id: mail.message_id.clone(),
            from: mail.envelope_from(),
            to: mail.envelope_to(),
            subject: mail.subject.clone(),
            created: mail.date,
            attempts: 0,
            last_attempt: None,
            server_response: None,
            by_hand: None,
        };
        Ok(vec![
            (format!("{name}.eml"), eml),
            (format!("{name}.toml"), state.to_toml()?.into_bytes()),
        ])
    }

    /// Queues `mail` by writing its files directly (each atomically, the `.eml` first);
    /// refuses to overwrite an entry of the same name. Returns the entry's name.
    pub fn write(&self, mail: &OutgoingMail, meta: &OutboxMeta) -> Result<String, MailError> {
        let name = Outbox::entry_name(mail);
        let files = self.plan_write(mail, meta)?;
        for (file, _) in &files {
            let path = self.dir.join(file);
            if path.exists() {
                return Err(MailError::OutboxEntryExists { path });
            }
        }
        for (file, bytes) in &files {
            atomic_write(&self.dir.join(file), bytes)?;
        }
        Ok(name)
    }

    /// Every entry, oldest first (by `created`, then name). A missing folder is an
    /// empty outbox; a malformed state file is an error naming its file and line.
    pub fn list(&self) -> Result<Vec<OutboxEntry>, MailError> {
        self.scan()?.into_iter().map(|(_, r)| r).collect()
    }

    /// Every `.toml` in the folder, parsed, in `list` order (unparsable ones last).
    fn scan(&self) -> Result<Vec<ScannedEntry>, MailError> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(MailError::io("list", &self.dir)(e)),
        };
        let mut out = Vec::new();
        for entry in entries {
            let entry = entry.map_err(MailError::io("list", &self.dir))?;
            let file_name = entry.file_name().to_string_lossy().into_owned();
            let Some(name) = file_name.strip_suffix(".toml") else {
                continue;
            };
            if name.is_empty() || name.starts_with('.') {
                continue;
            }
            let state_path = entry.path();
            let parsed = read_state(&state_path).map(|state| OutboxEntry {
                name: name.to_string(),
                state,
                eml_path: self.dir.join(format!("{name}.eml")),
                state_path: state_path.clone(),
            });
            out.push((name.to_string(), parsed));
        }
        out.sort_by(|(a_name, a), (b_name, b)| {
            let key = |r: &Result<OutboxEntry, MailError>| r.as_ref().ok().map(|e| e.state.created);
            // `None` (unparsable) sorts after every time stamp.
            match (key(a), key(b)) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            }
            .then_with(|| a_name.cmp(b_name))
        });
        Ok(out)
    }

    /// Delivers every queued entry through `mailer`, oldest first, and records each
    /// outcome in its state file right after the delivery (see the module
    /// documentation). Sent and failed entries are skipped. Returns, for each entry
    /// handled, its name and new state, or why it could not be handled (an unreadable
    /// state or message file: the others still go). Stops after the first state file
    /// it cannot write, and after an authentication failure. The error is for an outbox
    /// folder that cannot be listed.
    pub fn deliver_pending(
        &self,
        mailer: &dyn Mailer,
        now: Timestamp,
    ) -> Result<Vec<DeliveryOutcome>, MailError> {
        self.deliver_selected(mailer, now, &mut |_| true)
    }

    /// Like [`Outbox::deliver_pending`], but delivers only the queued entries for which
    /// `select` says yes (it is asked once per queued entry, oldest first); the others
    /// stay queued, untouched.
    pub fn deliver_selected(
        &self,
        mailer: &dyn Mailer,
        now: Timestamp,
        select: &mut dyn FnMut(&OutboxEntry) -> bool,
    ) -> Result<Vec<DeliveryOutcome>, MailError> {
        let mut outcomes = Vec::new();
        for (name, parsed) in self.scan()? {
            let entry = match parsed {
                Ok(e) => e,
                Err(e) => {
                    outcomes.push((name, Err(e)));
                    continue;
                }
            };
            if entry.state.state != DeliveryState::Queued || !select(&entry) {
                continue;
            }
            let eml = match crate::input::read_bounded(
                &entry.eml_path,
                crate::input::limits::LETTER,
                "letter",
            ) {
                Ok(b) => b,
                Err(e) => {
                    outcomes.push((name, Err(input_error("read", &entry.eml_path, e))));
                    continue;
                }
            };
            let result = mailer.deliver(&entry.state.from, &entry.state.to, &eml);
            let stop = matches!(result, Err(DeliveryError::Configuration { .. }));
            let new_state = entry.state.after_attempt(now, &result);
            let written = new_state
                .to_toml()
                .and_then(|text| atomic_write(&entry.state_path, text.as_bytes()));
            crate::store::crash::reach(crate::store::crash::AFTER_STATE);
            match written {
                Ok(()) => outcomes.push((name, Ok(new_state))),
                Err(e) => {
                    outcomes.push((name, Err(e)));
                    break;
                }
            }
            if stop {
                break;
            }
        }
        Ok(outcomes)
    }
}

/// A state file's entry name, and the entry or why it cannot be read.
type ScannedEntry = (String, Result<OutboxEntry, MailError>);

/// Reads and parses a state file; errors name the file and line.
fn read_state(path: &Path) -> Result<OutboxState, MailError> {
    let text = crate::input::read_bounded_text(
        path,
        crate::input::limits::OUTBOX_STATE,
        "letter's state file",
    )
    .map_err(|e| match e {
        crate::input::InputError::Io { source, .. }
            if source.kind() != std::io::ErrorKind::InvalidData =>
        {
            MailError::io("read", path)(source)
        }
        other => MailError::BadStateFile {
            path: path.to_path_buf(),
            line: 1,
            message: other.reason(),
        },
    })?;
    toml::from_str::<OutboxState>(&text).map_err(|e| {
        let line = e
            .span()
            .and_then(|s| text.get(..s.start))
            .map_or(1, |before| before.matches('\n').count() + 1);
        MailError::BadStateFile {
            path: path.to_path_buf(),
            line,
            message: format!(
                "{} (expected keys: state = \"queued\"|\"sent\"|\"failed\", kind, round, party, message_id, from, to, subject, created, attempts, and optionally last_attempt, server_response and a [by_hand] table).",
                e.message().trim_end_matches('.')
            ),
        }
    })
}

/// A refused read as a [`MailError::Io`] whose cause says why (too large, not a file)
/// without naming the file twice.
fn input_error(action: &'static str, path: &Path, e: crate::input::InputError) -> MailError {
    let source = match e {
        crate::input::InputError::Io { source, .. } => source,
        other => std::io::Error::new(std::io::ErrorKind::InvalidData, other.reason()),
    };
    MailError::io(action, path)(source)
}

/// Writes `bytes` to `path` atomically (the store's one implementation).
fn atomic_write(path: &Path, bytes: &[u8]) -> Result<(), MailError> {
    crate::store::write_atomically(path, bytes).map_err(MailError::io("write", path))
}

/// The delivery states a command wrote into `outbox/` and was killed before it
/// committed them (a letter's state is written right after its delivery, and committed
/// when the delivery ends): the changed files of the folder, temporary files left out.
pub fn uncommitted_states(ws: &Workspace) -> Result<Vec<String>, crate::store::StoreError> {
    Ok(ws
        .changed_files(OUTBOX_DIR)?
        .into_iter()
        .filter(|rel| !rel.rsplit('/').next().is_some_and(|n| n.starts_with('.')))
        .collect())
}

/// Commits `files` (from [`uncommitted_states`], found under this transaction's lock,
/// so no delivery is writing them now) as the delivery record the killed command did
/// not make, in a commit of its own, and says so in a `Note:`. The states are facts: a
/// letter a server took stays sent, and is never delivered again.
pub fn record_uncommitted_states(
    tx: &mut crate::store::Transaction<'_>,
    files: &[String],
    actor: &crate::store::Actor,
    now: &jiff::ZonedDateTime,
) -> Result<(), crate::store::StoreError> {
    if files.is_empty() {
        return Ok(());
    }
    let root = tx.workspace().root().to_path_buf();
    for rel in files {
        let path = root.join(rel);
        let limit = if rel.ends_with(".eml") {
            crate::input::limits::LETTER
        } else {
            crate::input::limits::OUTBOX_STATE
        };
        match crate::input::read_bounded(&path, limit, "outbox file") {
            Ok(bytes) => tx.write(rel, bytes),
            // Removed meanwhile: nothing to record.
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e.into()),
        }
    }
    if tx.is_empty() {
        return Ok(());
    }
    let n = files.len();
    tx.commit_and_continue(
        &format!("Record the delivery state of {n} outbox file(s) an interrupted command left"),
        &files.join("\n"),
        crate::model::Action::OutboxDeliver,
        actor,
        now,
    )?;
    tx.add_repaired(crate::store::Repaired {
        kind: crate::store::RepairKind::DeliveryState,
        path: OUTBOX_DIR.to_string(),
        message: format!(
            "Recorded the delivery state of {n} outbox file(s) that a command interrupted during delivery had not committed."
        ),
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_round_trips_and_errors_name_the_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        let state = OutboxState {
            state: DeliveryState::Queued,
            kind: "reminder".into(),
            round: "r1".into(),
            party: "FIN".into(),
            message_id: "<a@b>".into(),
            from: "a@b.example".into(),
            to: vec!["c@d.example".into()],
            subject: "Påminnelse \"x\"".into(),
            created: "2025-11-03T09:00:00Z".parse().expect("ts"),
            attempts: 0,
            last_attempt: None,
            server_response: None,
            by_hand: None,
        };
        let text = state.to_toml().expect("toml");
        assert!(text.starts_with("state = \"queued\"\n"), "{text}");
        let p = dir.path().join("x.toml");
        std::fs::write(&p, &text).expect("write");
        assert_eq!(read_state(&p).expect("read"), state);

        let broken = text.replace("attempts = 0", "attempts = \"zero\"");
        std::fs::write(&p, &broken).expect("write");
        let err = read_state(&p).expect_err("must fail").to_string();
        let line = broken
            .lines()
            .position(|l| l.starts_with("attempts"))
            .expect("line")
            + 1;
        assert!(err.contains(&format!("x.toml:{line}: ")), "{err}");

        std::fs::write(&p, text.replace("queued", "posted")).expect("write");
        let err = read_state(&p).expect_err("must fail").to_string();
        assert!(err.contains("x.toml:1: "), "{err}");
    }
}
