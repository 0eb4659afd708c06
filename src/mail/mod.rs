//! E-mail: letters to the parties of a consultation round, and getting them there.
//!
//! The pieces, each usable on its own:
//! - [`Renderer`] turns a [`LetterContext`] or [`FormContext`] into text through
//!   handlebars templates (built in, or overridden by a workspace's `templates/`);
//! - [`OutgoingMail`] turns a letter and its attachments into RFC 5322 bytes (`.eml`);
//! - [`Mailer`] delivers those bytes: [`SmtpMailer`] or [`SendmailMailer`];
//! - [`Outbox`] keeps each message as `<name>.eml` with its delivery state in
//!   `<name>.toml` (a workspace's is [`Outbox::in_workspace`], the folder
//!   [`OUTBOX_DIR`]), and delivers what is queued;
//! - [`subject_token_for`] writes the `[strategi ROUND/PARTY]` token of a subject, and
//!   [`subject_token`] reads it back from a reply's subject.
//!
//! Which letters a round needs, and recording them as facts, is
//! `consultation::letters`; this module only writes, queues and delivers messages.
//!
//! The library prints nothing and reads no environment variable: the caller passes in
//! everything, the SMTP password included.

#![deny(missing_docs)]

mod message;
mod outbox;
mod render;
mod transport;

use std::path::PathBuf;

pub use crate::model::Lang;
pub use message::{
    Attachment, Mailbox, OutgoingMail, message_id, subject_token, subject_token_for,
};
pub use outbox::{
    AroundClaim, AroundDelivery, ClaimToken, DeliveryOutcome, DeliveryState, HandDelivery,
    OUTBOX_DIR, Outbox, OutboxEntry, OutboxMeta, OutboxState, Published, Release,
    record_uncommitted_states, uncommitted_states,
};
pub use render::{
    FormContext, FormSection, LetterContext, LetterKind, RenderedLetter, Renderer, TEMPLATE_NAMES,
};
pub use transport::{
    DEFAULT_SMTP_TIMEOUT, DeliveryError, DeliveryReceipt, Mailer, SendmailMailer, SmtpMailer,
    is_auth_failure,
};

/// What can go wrong while writing, building or queueing mail. Each message is a full
/// sentence that names the file, template, field or recipient concerned.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// A template could not be parsed or rendered.
    #[error("{file}:{}{message}", line.map(|l| format!("{l}: ")).unwrap_or_else(|| " ".to_string()))]
    Template {
        /// The template file, e.g. `templates/round-letter.nb.hbs`.
        file: String,
        /// 1-based line in that file, when known.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// A letter template rendered, but not into `Subject: …`, a blank line and a body.
    #[error("{file}: {message}")]
    LetterShape {
        /// The template file.
        file: String,
        /// What is wrong, and how to fix it.
        message: String,
    },
    /// No template of that name is registered.
    #[error("There is no template \"{name}\" (looked for the file \"{name}.hbs\").")]
    NoTemplate {
        /// The template name, e.g. `reminder.da`.
        name: String,
    },
    /// A value that the letter needs was not given.
    #[error("The {what} cannot be written without {field}: {why}")]
    MissingValue {
        /// What was being written ("reminder to FIN", …).
        what: String,
        /// The missing field.
        field: &'static str,
        /// Why it is needed.
        why: &'static str,
    },
    /// A value would break the message's headers (a line break or control character).
    #[error(
        "The {field} {value:?} contains a line break or control character, which could add headers to the message; remove it and try again."
    )]
    HeaderInjection {
        /// Which field ("subject", "display name of the recipient", …).
        field: String,
        /// The offending value.
        value: String,
    },
    /// Something in the message is not valid (an address, a header, a content type).
    #[error("The message to {recipient} cannot be built: {message}")]
    InvalidMessage {
        /// The recipient's address as given.
        recipient: String,
        /// What is wrong.
        message: String,
    },
    /// The SMTP URL or its credentials are not usable.
    #[error("The SMTP URL \"{url}\" cannot be used: {message}")]
    SmtpUrl {
        /// The URL, with any password removed.
        url: String,
        /// What is wrong, and how to fix it.
        message: String,
    },
    /// A file could not be read or written.
    #[error("Could not {action} \"{}\".", path.display())]
    Io {
        /// What was being done ("read", "write", "list", …).
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// An outbox state file is malformed.
    #[error("{}:{line}: {message}", path.display())]
    BadStateFile {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// An outbox entry of that name already exists.
    #[error(
        "The outbox already holds \"{}\"; a message is never overwritten (give it a new Message-ID).",
        path.display()
    )]
    OutboxEntryExists {
        /// The existing file.
        path: PathBuf,
    },
}

impl MailError {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> MailError {
        let path = path.into();
        move |source| MailError::Io {
            action,
            path,
            source,
        }
    }
}
