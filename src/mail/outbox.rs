//! The outbox: messages waiting to go, and a record of what went.
//!
//! A folder (a workspace's `outbox/`, [`Outbox::in_workspace`]) holds each message as two files with the same
//! name: `<name>.eml`, the message exactly as it is sent, and `<name>.toml`, its state:
//!
//! ```toml
//! state = "queued"            # queued | sending | sent | failed | uncertain
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
//! message is found from its id. An entry is
//! - *queued* until a server accepts it, after a temporary failure too (with the failure
//!   in `server_response` and `attempts` counting);
//! - *sending* while a process delivers it (`sending_pid` names the process, which holds
//!   an advisory lock on its marker file `.strategi-sending-<pid>.lock`, in the
//!   workspace's `.git/`, so the marker dies with the process even when it is killed);
//! - *sent* once accepted (or once recorded as sent by hand, [`OutboxState::sent_by_hand`]);
//! - *failed* once refused for good;
//! - *uncertain* when nobody knows whether the server took it: the whole message was
//!   sent but the connection broke or timed out before the server's answer
//!   ([`DeliveryError::Uncertain`]), or the process delivering it stopped (a *sending*
//!   entry whose process is gone is read as uncertain, [`OutboxEntry::interrupted`], and
//!   [`Outbox::settle_interrupted`] writes that down).
//!
//! Only queued entries are delivered by themselves; an uncertain one only when the
//! caller's selection asks for it (`outbox flush --resend-uncertain`), and sent and
//! failed ones never. An authentication failure ([`DeliveryError::Configuration`])
//! leaves the entry queued and stops the delivery: every other message would fail the
//! same way. The `.toml` is written after the `.eml`, and an entry exists only once its
//! `.toml` does.
//!
//! # Never twice without being told
//!
//! [`Outbox::deliver_selected_with`] first marks every chosen entry *sending* (so that
//! another process skips it), then for each: calls [`AroundDelivery::before_send`] (a
//! workspace lets go of its lock there), talks to the server, calls
//! [`AroundDelivery::after_send`] (the lock is taken again) and writes the entry's new
//! state (atomically: a synced temporary file renamed over the old) before the next
//! message goes. Entries it did not get to are put back as they were. What remains:
//! a crash between the server's final "250" and the rename of the state file (a few
//! milliseconds) leaves the entry *sending*, which the next command reads as uncertain:
//! not sent again without being asked. A copy sent on request carries the same
//! Message-ID, so the recipient (and strategi's own reply matching) can tell it is the
//! same message.

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
    /// Being delivered by the process `sending_pid` names.
    Sending,
    /// Accepted by the server.
    Sent,
    /// Refused for good.
    Failed,
    /// Perhaps delivered, perhaps not: the server may have taken it. Not delivered again
    /// unless asked.
    Uncertain,
}

impl DeliveryState {
    /// The word used in state files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Queued => "queued",
            DeliveryState::Sending => "sending",
            DeliveryState::Sent => "sent",
            DeliveryState::Failed => "failed",
            DeliveryState::Uncertain => "uncertain",
        }
    }
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
    /// The process delivering the message, while it is `sending`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sending_pid: Option<u32>,
    /// While it is `sending` in a workspace shared through a remote: the claim's token,
    /// `CLONE.PID.NONCE` (the clone's id, [`Outbox::clone_id`], first), committed and
    /// pushed before the message goes, so that no other clone delivers it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim: Option<String>,
    /// Who holds the claim: `Name <address> (PARTY)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimed_by: Option<String>,
    /// When the claim was made (claims made before this field have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimed_at: Option<Timestamp>,
    /// Set when another clone's unfinished claim was released (`outbox release`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub released: Option<Release>,
    /// Set when the message was recorded as sent by hand (`outbox mark-sent`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_hand: Option<HandDelivery>,
}

/// Another clone's claim on a message, given up by `outbox release` because that clone
/// is gone (its machine lost, say) before it recorded the delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Release {
    /// The claim's token (`CLONE.PID.NONCE`).
    pub claim: String,
    /// Who held it: `Name <address> (PARTY)`.
    pub claimed_by: String,
    /// The party the person releasing it acted as.
    pub by: String,
    /// The person, as `Name <address>`.
    pub person: String,
    /// When it was released.
    pub at: Timestamp,
    /// Why (one line).
    pub note: String,
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
            Err(DeliveryError::Uncertain { message }) => {
                (DeliveryState::Uncertain, message.clone())
            }
        };
        OutboxState {
            state,
            attempts: self.attempts.saturating_add(1),
            last_attempt: Some(now),
            server_response: Some(response),
            sending_pid: None,
            claim: None,
            claimed_by: None,
            claimed_at: None,
            ..self.clone()
        }
    }

    /// The state of a message while process `pid` delivers it.
    pub fn sending(&self, pid: u32) -> OutboxState {
        OutboxState {
            state: DeliveryState::Sending,
            sending_pid: Some(pid),
            ..self.clone()
        }
    }

    /// The state of a message while process `pid` delivers it under the claim `claim`
    /// ([`ClaimToken`]).
    pub fn claimed(&self, pid: u32, claim: &ClaimToken) -> OutboxState {
        OutboxState {
            state: DeliveryState::Sending,
            sending_pid: Some(pid),
            claim: Some(claim.token.clone()),
            claimed_by: Some(claim.by.clone()),
            claimed_at: Some(claim.at),
            ..self.clone()
        }
    }

    /// The state of a message another clone claimed and never finished, released by
    /// `release` (`outbox release`): uncertain (that clone may have delivered it), the
    /// claim given up and kept in `released`.
    pub fn released(&self, release: Release) -> OutboxState {
        OutboxState {
            state: DeliveryState::Uncertain,
            sending_pid: None,
            claim: None,
            claimed_by: None,
            claimed_at: None,
            server_response: Some(format!(
                "the claim of {} was released by {} for {} at {}: {}",
                release.claimed_by,
                release.person,
                release.by,
                release.at.strftime("%Y-%m-%d %H:%M UTC"),
                release.note
            )),
            released: Some(release),
            ..self.clone()
        }
    }

    /// The state of a `sending` message whose process is gone: uncertain, saying so.
    pub fn interrupted(&self) -> OutboxState {
        let who = self.sending_pid.map_or_else(
            || "strategi".to_string(),
            |p| format!("strategi (process {p})"),
        );
        OutboxState {
            state: DeliveryState::Uncertain,
            sending_pid: None,
            claim: None,
            claimed_by: None,
            claimed_at: None,
            attempts: self.attempts.saturating_add(1),
            server_response: Some(format!(
                "{who} stopped while delivering it (killed or crashed); the server may have taken it."
            )),
            ..self.clone()
        }
    }

    /// The state of a message recorded as sent by hand: sent, with `hand` kept and a
    /// server response that says so.
    pub fn sent_by_hand(&self, hand: HandDelivery) -> OutboxState {
        OutboxState {
            state: DeliveryState::Sent,
            sending_pid: None,
            claim: None,
            claimed_by: None,
            claimed_at: None,
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
    /// Set when the state file says `sending` but the process that was delivering it is
    /// gone: `state` is then the uncertain state that follows
    /// ([`OutboxState::interrupted`]), not yet written.
    pub interrupted: bool,
}

/// An outbox folder.
#[derive(Debug, Clone)]
pub struct Outbox {
    dir: PathBuf,
    /// Where the delivering processes keep their marker files.
    markers: PathBuf,
}

/// What a caller does around each conversation with the server in
/// [`Outbox::deliver_selected_with`]; the unit type `()` does nothing.
pub trait AroundDelivery {
    /// Before a message goes (a workspace lets go of its lock here).
    fn before_send(&mut self) {}
    /// After the server answered, before the outcome is written (the lock is taken
    /// again here). `false` stops the delivery once this outcome is written.
    fn after_send(&mut self) -> bool {
        true
    }
}

impl AroundDelivery for () {}

/// A claim on letters for delivery, as a state file carries it
/// ([`OutboxState::claimed`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimToken {
    /// `CLONE.PID.NONCE`.
    pub token: String,
    /// `Name <address> (PARTY)`.
    pub by: String,
    /// When the claim was made.
    pub at: Timestamp,
}

/// What [`AroundClaim::publish`] found once the claim was published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Published {
    /// Every chosen letter is still this delivery's.
    All,
    /// Only these are (the others were claimed or sent elsewhere meanwhile: their state
    /// files now say so and are left as they are).
    Only(std::collections::HashSet<String>),
    /// The claim could not be published: nothing is delivered, every chosen letter is
    /// put back as it was.
    Refused,
}

/// The claiming side of [`Outbox::deliver_claimed`]: the token the chosen letters are
/// marked with, and what publishes the marks before any message goes.
pub trait AroundClaim: AroundDelivery {
    /// The claim to mark the chosen letters with; `None` marks them `sending` only.
    fn token(&mut self) -> Option<ClaimToken>;
    /// Called once every chosen letter is marked (their names): publishes the claim
    /// and says which letters are still this delivery's.
    fn publish(&mut self, chosen: &[String]) -> Published;
}

/// No claim: letters are marked `sending` and delivered.
struct NoClaim<'a>(&'a mut dyn AroundDelivery);

impl AroundDelivery for NoClaim<'_> {
    fn before_send(&mut self) {
        self.0.before_send();
    }
    fn after_send(&mut self) -> bool {
        self.0.after_send()
    }
}

impl AroundClaim for NoClaim<'_> {
    fn token(&mut self) -> Option<ClaimToken> {
        None
    }
    fn publish(&mut self, _chosen: &[String]) -> Published {
        Published::All
    }
}

/// The file in the workspace's `.git/` that names this clone in claims.
const CLONE_ID_FILE: &str = "strategi-clone-id";

/// The entries one process is delivering, marked `sending`, with the lock on its
/// marker file that says it is alive. Dropping it removes the marker.
struct Claim {
    marker: std::fs::File,
    path: PathBuf,
}

impl Drop for Claim {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        let _ = self.marker.unlock();
    }
}

/// One entry's outcome in [`Outbox::deliver_pending`]: its name, and its new state or
/// why it could not be handled.
pub type DeliveryOutcome = (String, Result<OutboxState, MailError>);

/// A workspace's outbox folder, relative to its root.
pub const OUTBOX_DIR: &str = "outbox";

impl Outbox {
    /// The outbox of a workspace: its folder [`OUTBOX_DIR`] (which need not exist yet).
    pub fn in_workspace(ws: &Workspace) -> Outbox {
        Outbox {
            dir: ws.root().join(OUTBOX_DIR),
            markers: ws.git_dir().to_path_buf(),
        }
    }

    /// The path of a file of this outbox relative to the workspace root
    /// (`outbox/<file>`), for queueing it in a transaction.
    pub fn workspace_path(file: &str) -> String {
        format!("{OUTBOX_DIR}/{file}")
    }

    /// The outbox in `dir` (which need not exist yet); the delivering processes' marker
    /// files go in the folder itself.
    pub fn new(dir: impl Into<PathBuf>) -> Outbox {
        let dir = dir.into();
        Outbox {
            markers: dir.clone(),
            dir,
        }
    }

    /// The marker file of the delivering process `pid`.
    fn marker_path(&self, pid: u32) -> PathBuf {
        self.markers.join(format!(".strategi-sending-{pid}.lock"))
    }

    /// Whether process `pid` is still delivering: its marker file exists and is locked.
    /// (A process that reused the id does not hold the lock.)
    fn is_delivering(&self, pid: u32) -> bool {
        let Ok(file) = std::fs::File::open(self.marker_path(pid)) else {
            return false;
        };
        match file.try_lock() {
            Ok(()) => {
                let _ = file.unlock();
                false
            }
            Err(std::fs::TryLockError::WouldBlock) => true,
            // A lock that cannot be checked: assume alive rather than resend.
            Err(std::fs::TryLockError::Error(_)) => true,
        }
    }

    /// This clone's id for claims (kept in `.git/strategi-clone-id`), `None` before the
    /// first claim made here.
    pub fn clone_id(&self) -> Option<String> {
        let bytes =
            crate::input::read_bounded(&self.markers.join(CLONE_ID_FILE), 256, "clone id").ok()?;
        let id = String::from_utf8(bytes).ok()?.trim().to_string();
        (!id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric())).then_some(id)
    }

    /// This clone's id for claims, made from `random` (and the repository's path, so
    /// that two clones given the same seed still differ) and kept when there is none.
    pub fn ensure_clone_id(&self, random: u64) -> Result<String, MailError> {
        if let Some(id) = self.clone_id() {
            return Ok(id);
        }
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.markers.hash(&mut h);
        random.hash(&mut h);
        let id = format!("{:016x}", h.finish() ^ random.rotate_left(29));
        let path = self.markers.join(CLONE_ID_FILE);
        atomic_write(&path, format!("{id}\n").as_bytes())?;
        Ok(id)
    }

    /// Whether `state` is `sending` under a claim made in another clone: that clone
    /// delivers it (or settles it), never this one.
    pub fn is_foreign_claim(&self, state: &OutboxState) -> bool {
        foreign(state, self.clone_id().as_deref())
    }

    /// Whether any process is delivering from this outbox now (holds its marker's lock).
    pub fn is_anyone_delivering(&self) -> bool {
        self.markers()
            .into_iter()
            .any(|(_, pid)| self.is_delivering(pid))
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The entry name for a message: the left part of its Message-ID, with anything but
    /// letters, digits, `.`, `-` and `_` replaced by `-`.
    pub fn entry_name(mail: &OutgoingMail) -> String {
        Outbox::entry_name_of(&mail.message_id)
    }

    /// [`Outbox::entry_name`] of a Message-ID (`<m…@host>`), such as a `sent` fact's.
    pub fn entry_name_of(message_id: &str) -> String {
        let id = message_id.trim_start_matches('<');
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
            sending_pid: None,
            claim: None,
            claimed_by: None,
            claimed_at: None,
            released: None,
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
        let clone = self.clone_id();
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
            let parsed = read_state(&state_path).map(|state| {
                let interrupted = state.state == DeliveryState::Sending
                    && !foreign(&state, clone.as_deref())
                    && state.sending_pid.is_none_or(|p| !self.is_delivering(p));
                OutboxEntry {
                    name: name.to_string(),
                    state: if interrupted {
                        state.interrupted()
                    } else {
                        state
                    },
                    eml_path: self.dir.join(format!("{name}.eml")),
                    state_path: state_path.clone(),
                    interrupted,
                }
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

    /// Writes down the uncertain state of every entry whose delivering process is gone
    /// ([`OutboxEntry::interrupted`]); returns those entries. Call it holding the
    /// workspace lock, before choosing what to deliver.
    pub fn settle_interrupted(&self) -> Result<Vec<OutboxEntry>, MailError> {
        let mut settled = Vec::new();
        for (_, parsed) in self.scan()? {
            let Ok(mut entry) = parsed else { continue };
            if !entry.interrupted {
                continue;
            }
            write_state(&entry.state_path, &entry.state)?;
            entry.interrupted = false;
            settled.push(entry);
        }
        self.remove_gone_markers();
        Ok(settled)
    }

    /// The delivering processes' marker files, with their process ids.
    fn markers(&self) -> Vec<(PathBuf, u32)> {
        let Ok(rd) = std::fs::read_dir(&self.markers) else {
            return Vec::new();
        };
        rd.filter_map(Result::ok)
            .filter_map(|e| {
                let pid = e
                    .file_name()
                    .to_str()
                    .and_then(|n| n.strip_prefix(".strategi-sending-"))
                    .and_then(|n| n.strip_suffix(".lock"))
                    .and_then(|n| n.parse::<u32>().ok())?;
                Some((e.path(), pid))
            })
            .collect()
    }

    /// Removes the marker files that processes which are gone left (never a live one:
    /// its process holds the lock). Best effort: a marker that cannot be removed is
    /// tried again by the next command.
    pub fn remove_gone_markers(&self) {
        for (path, pid) in self.markers() {
            if !self.is_delivering(pid) {
                let _ = std::fs::remove_file(path);
            }
        }
    }

    /// Delivers every queued entry through `mailer`, oldest first, and records each
    /// outcome in its state file right after the delivery (see the module
    /// documentation). Uncertain, sent and failed entries are skipped. Returns, for
    /// each entry handled, its name and new state, or why it could not be handled (an
    /// unreadable state or message file: the others still go). Stops after the first
    /// state file it cannot write, and after an authentication failure. The error is
    /// for an outbox folder that cannot be listed, or entries that cannot be marked.
    pub fn deliver_pending(
        &self,
        mailer: &dyn Mailer,
        now: Timestamp,
    ) -> Result<Vec<DeliveryOutcome>, MailError> {
        self.deliver_selected(mailer, now, &mut |e| e.state.state == DeliveryState::Queued)
    }

    /// Like [`Outbox::deliver_pending`], but delivers the queued and uncertain entries
    /// for which `select` says yes (it is asked once per such entry, oldest first); the
    /// others stay as they are.
    pub fn deliver_selected(
        &self,
        mailer: &dyn Mailer,
        now: Timestamp,
        select: &mut dyn FnMut(&OutboxEntry) -> bool,
    ) -> Result<Vec<DeliveryOutcome>, MailError> {
        self.deliver_selected_with(mailer, now, select, &mut ())
    }

    /// Like [`Outbox::deliver_selected`], with `around` called before and after each
    /// conversation with the server. Every chosen entry is marked `sending` first;
    /// those not tried (after a stop) are put back as they were.
    pub fn deliver_selected_with(
        &self,
        mailer: &dyn Mailer,
        now: Timestamp,
        select: &mut dyn FnMut(&OutboxEntry) -> bool,
        around: &mut dyn AroundDelivery,
    ) -> Result<Vec<DeliveryOutcome>, MailError> {
        self.deliver_claimed(mailer, now, select, &mut NoClaim(around))
    }

    /// Like [`Outbox::deliver_selected_with`], with a claim: the chosen entries are
    /// marked with [`AroundClaim::token`], then [`AroundClaim::publish`] publishes the
    /// marks (a workspace commits and pushes them) before any message goes, and only
    /// the entries still this delivery's are delivered. Refused: every chosen entry is
    /// put back as it was and nothing goes.
    pub fn deliver_claimed(
        &self,
        mailer: &dyn Mailer,
        now: Timestamp,
        select: &mut dyn FnMut(&OutboxEntry) -> bool,
        around: &mut dyn AroundClaim,
    ) -> Result<Vec<DeliveryOutcome>, MailError> {
        let mut outcomes = Vec::new();
        let mut chosen = Vec::new();
        for (name, parsed) in self.scan()? {
            let entry = match parsed {
                Ok(e) => e,
                Err(e) => {
                    outcomes.push((name, Err(e)));
                    continue;
                }
            };
            let candidate = matches!(
                entry.state.state,
                DeliveryState::Queued | DeliveryState::Uncertain
            );
            if candidate && select(&entry) {
                chosen.push(entry);
            }
        }
        if chosen.is_empty() {
            return Ok(outcomes);
        }
        let token = around.token();
        let claim = self.claim(&chosen, token.as_ref())?;
        let names: Vec<String> = chosen.iter().map(|e| e.name.clone()).collect();
        match around.publish(&names) {
            Published::All => {}
            Published::Only(keep) => chosen.retain(|e| keep.contains(&e.name)),
            Published::Refused => {
                // Put back only what still carries this process's mark (a sync that
                // merged before it failed may have brought in another state).
                let pid = std::process::id();
                for entry in &chosen {
                    let ours = read_state(&entry.state_path).is_ok_and(|cur| {
                        cur.state == DeliveryState::Sending && cur.sending_pid == Some(pid)
                    });
                    if !ours {
                        continue;
                    }
                    if let Err(e) = write_state(&entry.state_path, &entry.state) {
                        outcomes.push((entry.name.clone(), Err(e)));
                    }
                }
                drop(claim);
                return Ok(outcomes);
            }
        }
        if token.is_some() {
            crate::store::crash::reach(crate::store::crash::AFTER_CLAIM);
        }
        let mut stopped_at = None;
        for (i, entry) in chosen.iter().enumerate() {
            around.before_send();
            let eml =
                crate::input::read_bounded(&entry.eml_path, crate::input::limits::LETTER, "letter");
            let result = eml.map(|eml| mailer.deliver(&entry.state.from, &entry.state.to, &eml));
            let go_on = around.after_send();
            let result = match result {
                Ok(r) => r,
                Err(e) => {
                    // Never tried: put back as it was.
                    let back = write_state(&entry.state_path, &entry.state);
                    outcomes.push((
                        entry.name.clone(),
                        Err(back
                            .err()
                            .unwrap_or_else(|| input_error("read", &entry.eml_path, e))),
                    ));
                    if !go_on {
                        stopped_at = Some(i + 1);
                        break;
                    }
                    continue;
                }
            };
            let stop = matches!(result, Err(DeliveryError::Configuration { .. })) || !go_on;
            let new_state = entry.state.after_attempt(now, &result);
            let written = write_state(&entry.state_path, &new_state);
            crate::store::crash::reach(crate::store::crash::AFTER_STATE);
            match written {
                Ok(()) => outcomes.push((entry.name.clone(), Ok(new_state))),
                Err(e) => {
                    outcomes.push((entry.name.clone(), Err(e)));
                    stopped_at = Some(i + 1);
                    break;
                }
            }
            if stop {
                stopped_at = Some(i + 1);
                break;
            }
        }
        if let Some(k) = stopped_at {
            for entry in chosen.iter().skip(k) {
                if let Err(e) = write_state(&entry.state_path, &entry.state) {
                    outcomes.push((entry.name.clone(), Err(e)));
                }
            }
        }
        drop(claim);
        Ok(outcomes)
    }

    /// Marks `entries` as being delivered by this process: takes the lock on its marker
    /// file, then writes each entry's `sending` state. On an error the entries marked
    /// so far are put back.
    fn claim(
        &self,
        entries: &[OutboxEntry],
        token: Option<&ClaimToken>,
    ) -> Result<Claim, MailError> {
        let pid = std::process::id();
        let path = self.marker_path(pid);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(MailError::io("create", dir))?;
        }
        let marker = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .map_err(MailError::io("create", &path))?;
        marker.try_lock().map_err(|e| {
            MailError::io("lock", &path)(match e {
                std::fs::TryLockError::Error(e) => e,
                std::fs::TryLockError::WouldBlock => std::io::Error::new(
                    std::io::ErrorKind::WouldBlock,
                    "this process is already delivering from the outbox",
                ),
            })
        })?;
        let claim = Claim { marker, path };
        for (i, entry) in entries.iter().enumerate() {
            let marked = match token {
                Some(t) => entry.state.claimed(pid, t),
                None => entry.state.sending(pid),
            };
            if let Err(e) = write_state(&entry.state_path, &marked) {
                for done in entries.iter().take(i) {
                    let _ = write_state(&done.state_path, &done.state);
                }
                return Err(e);
            }
        }
        Ok(claim)
    }
}

/// Whether `state` is `sending` under a claim that is not of the clone `clone`.
fn foreign(state: &OutboxState, clone: Option<&str>) -> bool {
    state.state == DeliveryState::Sending
        && state
            .claim
            .as_deref()
            .is_some_and(|c| clone.is_none_or(|id| c.split('.').next() != Some(id)))
}

/// Writes a state file atomically.
fn write_state(path: &Path, state: &OutboxState) -> Result<(), MailError> {
    state
        .to_toml()
        .and_then(|text| atomic_write(path, text.as_bytes()))
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
                "{} (expected keys: state = \"queued\"|\"sending\"|\"sent\"|\"failed\"|\"uncertain\", kind, round, party, message_id, from, to, subject, created, attempts, and optionally last_attempt, server_response, sending_pid and a [by_hand] table).",
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
/// None while a delivery is running: it lets go of the workspace lock while a message
/// is with the server, and commits its own states when it ends. The marker files of
/// deliveries that are gone are removed on the way.
pub fn uncommitted_states(ws: &Workspace) -> Result<Vec<String>, crate::store::StoreError> {
    let outbox = Outbox::in_workspace(ws);
    if outbox.is_anyone_delivering() {
        return Ok(Vec::new());
    }
    outbox.remove_gone_markers();
    Ok(ws
        .changed_files(OUTBOX_DIR)?
        .into_iter()
        .filter(|rel| !rel.rsplit('/').next().is_some_and(|n| n.starts_with('.')))
        .collect())
}

/// Commits `files` (from [`uncommitted_states`], found under this transaction's lock
/// with no delivery running, so none is writing them now) as the delivery record the killed command did
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
    use crate::mail::{DeliveryReceipt, Mailbox};
    use std::cell::RefCell;

    fn mail(to: &str, id: &str) -> OutgoingMail {
        OutgoingMail {
            from: Mailbox::new("DFD", "postmottak@dfd.example"),
            reply_to: None,
            to: Mailbox::new("FIN", to),
            subject: "Høring".into(),
            body_text: "Tekst.\n".into(),
            attachments: Vec::new(),
            message_id: format!("<{id}@dfd.example>"),
            in_reply_to: None,
            date: "2025-11-03T09:00:00Z".parse().expect("ts"),
            extra_headers: Vec::new(),
        }
    }

    fn meta() -> OutboxMeta {
        OutboxMeta {
            round: "r1".into(),
            party: "FIN".into(),
            kind: "round-letter".into(),
        }
    }

    /// A mailer that answers from a script, one answer per message, and notes the
    /// state each message's entry had on disk while it was being delivered.
    struct Scripted<'a> {
        outbox: &'a Outbox,
        answers: RefCell<Vec<Result<DeliveryReceipt, DeliveryError>>>,
        seen: RefCell<Vec<DeliveryState>>,
    }

    impl Mailer for Scripted<'_> {
        fn deliver(
            &self,
            _from: &str,
            to: &[String],
            _eml: &[u8],
        ) -> Result<DeliveryReceipt, DeliveryError> {
            let list = self.outbox.list().expect("list");
            let me = list
                .iter()
                .find(|e| e.state.to == to)
                .expect("the entry being delivered");
            self.seen.borrow_mut().push(me.state.state);
            self.answers.borrow_mut().remove(0)
        }
    }

    fn state_of(outbox: &Outbox, name: &str) -> OutboxState {
        read_state(&outbox.dir().join(format!("{name}.toml"))).expect("state")
    }

    #[test]
    fn uncertain_letters_are_kept_apart_and_sent_again_only_when_selected() {
        let dir = tempfile::tempdir().expect("tempdir");
        let outbox = Outbox::new(dir.path().join("outbox"));
        let a = outbox
            .write(&mail("a@fin.example", "a"), &meta())
            .expect("a");
        let b = outbox
            .write(&mail("b@fin.example", "b"), &meta())
            .expect("b");
        let mailer = Scripted {
            outbox: &outbox,
            answers: RefCell::new(vec![
                Err(DeliveryError::Uncertain {
                    message: "timed out after the data".into(),
                }),
                Ok(DeliveryReceipt {
                    response: "250 ok".into(),
                }),
            ]),
            seen: RefCell::new(Vec::new()),
        };
        let now = "2025-11-03T10:00:00Z".parse().expect("ts");
        let out = outbox.deliver_pending(&mailer, now).expect("deliver");
        assert_eq!(out.len(), 2);
        // Each was `sending` (by this live process) while with the server.
        assert_eq!(
            *mailer.seen.borrow(),
            vec![DeliveryState::Sending, DeliveryState::Sending]
        );
        let sa = state_of(&outbox, &a);
        assert_eq!(sa.state, DeliveryState::Uncertain);
        assert_eq!(sa.sending_pid, None);
        assert_eq!(state_of(&outbox, &b).state, DeliveryState::Sent);
        // No marker left behind.
        assert!(!outbox.marker_path(std::process::id()).exists());

        // Not delivered again by itself…
        assert!(
            outbox
                .deliver_pending(&mailer, now)
                .expect("deliver")
                .is_empty()
        );
        // …only when the selection asks for it.
        mailer.answers.borrow_mut().push(Ok(DeliveryReceipt {
            response: "250 ok".into(),
        }));
        let out = outbox
            .deliver_selected(&mailer, now, &mut |e| {
                e.state.state == DeliveryState::Uncertain
            })
            .expect("deliver");
        assert_eq!(out.len(), 1);
        let sa = state_of(&outbox, &a);
        assert_eq!((sa.state, sa.attempts), (DeliveryState::Sent, 2));
    }

    #[test]
    fn a_claim_of_another_clone_is_never_read_as_interrupted_here() {
        let dir = tempfile::tempdir().expect("tempdir");
        let outbox = Outbox::new(dir.path().join("outbox"));
        let a = outbox
            .write(&mail("a@fin.example", "a"), &meta())
            .expect("a");
        let b = outbox
            .write(&mail("b@fin.example", "b"), &meta())
            .expect("b");
        let here = outbox.ensure_clone_id(7).expect("clone id");
        assert_eq!(
            outbox.ensure_clone_id(8).expect("kept"),
            here,
            "kept once made"
        );
        let gone = u32::MAX - 9;
        let theirs = ClaimToken {
            token: format!("ffffffffffffffff.{gone}.01"),
            by: "Kari <kari@dfd.example> (DFD)".into(),
            at: Timestamp::UNIX_EPOCH,
        };
        let ours = ClaimToken {
            token: format!("{here}.{gone}.02"),
            by: "Ola <ola@dfd.example> (DFD)".into(),
            at: Timestamp::UNIX_EPOCH,
        };
        for (name, token) in [(&a, &theirs), (&b, &ours)] {
            let path = outbox.dir().join(format!("{name}.toml"));
            write_state(&path, &state_of(&outbox, name).claimed(gone, token)).expect("claim");
        }
        let list = outbox.list().expect("list");
        let of = |n: &str| list.iter().find(|e| e.name == n).expect("entry");
        // The other clone's claim stays sending: that clone delivers or settles it.
        assert_eq!(of(&a).state.state, DeliveryState::Sending);
        assert!(!of(&a).interrupted);
        assert!(outbox.is_foreign_claim(&of(&a).state));
        // Our own claim with no process behind it is interrupted, as without a claim.
        assert!(of(&b).interrupted);
        assert!(!outbox.is_foreign_claim(&state_of(&outbox, &b)));
        let settled = outbox.settle_interrupted().expect("settle");
        assert_eq!(settled.len(), 1);
        assert_eq!(settled[0].name, b);
        assert_eq!(
            state_of(&outbox, &b).claim,
            None,
            "an uncertain state holds no claim"
        );
    }

    #[test]
    fn a_sending_entry_whose_process_is_gone_reads_as_uncertain_until_settled() {
        let dir = tempfile::tempdir().expect("tempdir");
        let outbox = Outbox::new(dir.path().join("outbox"));
        let a = outbox
            .write(&mail("a@fin.example", "a"), &meta())
            .expect("a");
        let path = outbox.dir().join(format!("{a}.toml"));
        // A process that is gone: no marker file (or one nobody holds a lock on).
        let gone = u32::MAX - 7;
        std::fs::write(outbox.marker_path(gone), "").expect("stale marker");
        write_state(&path, &state_of(&outbox, &a).sending(gone)).expect("sending");
        let list = outbox.list().expect("list");
        assert_eq!(list[0].state.state, DeliveryState::Uncertain);
        assert!(list[0].interrupted);
        assert!(
            list[0]
                .state
                .server_response
                .as_deref()
                .is_some_and(|r| r.contains(&format!("process {gone}"))),
            "{:?}",
            list[0].state
        );
        // On disk it still says sending until settled.
        assert_eq!(state_of(&outbox, &a).state, DeliveryState::Sending);
        let settled = outbox.settle_interrupted().expect("settle");
        assert_eq!(settled.len(), 1);
        let s = state_of(&outbox, &a);
        assert_eq!((s.state, s.sending_pid), (DeliveryState::Uncertain, None));
        assert!(
            !outbox.marker_path(gone).exists(),
            "the stale marker is removed"
        );
        assert!(outbox.settle_interrupted().expect("again").is_empty());
    }

    #[test]
    fn a_stop_puts_the_letters_not_tried_back_as_they_were() {
        let dir = tempfile::tempdir().expect("tempdir");
        let outbox = Outbox::new(dir.path().join("outbox"));
        let names: Vec<String> = ["a", "b", "c"]
            .iter()
            .map(|id| {
                outbox
                    .write(&mail(&format!("{id}@fin.example"), id), &meta())
                    .expect("write")
            })
            .collect();
        let mailer = Scripted {
            outbox: &outbox,
            answers: RefCell::new(vec![Err(DeliveryError::Configuration {
                message: "535 bad login".into(),
            })]),
            seen: RefCell::new(Vec::new()),
        };
        struct Count(u32, u32);
        impl AroundDelivery for Count {
            fn before_send(&mut self) {
                self.0 += 1;
            }
            fn after_send(&mut self) -> bool {
                self.1 += 1;
                true
            }
        }
        let mut around = Count(0, 0);
        let now = "2025-11-03T10:00:00Z".parse().expect("ts");
        let out = outbox
            .deliver_selected_with(&mailer, now, &mut |_| true, &mut around)
            .expect("deliver");
        assert_eq!(out.len(), 1);
        assert_eq!((around.0, around.1), (1, 1));
        for n in &names {
            let s = state_of(&outbox, n);
            assert_eq!(
                (s.state, s.sending_pid),
                (DeliveryState::Queued, None),
                "{n}"
            );
        }
        assert_eq!(state_of(&outbox, &names[0]).attempts, 1);
        assert_eq!(state_of(&outbox, &names[1]).attempts, 0);
    }

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
            sending_pid: None,
            claim: None,
            claimed_by: None,
            claimed_at: None,
            released: None,
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
