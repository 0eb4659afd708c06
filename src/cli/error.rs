//! `CommandError`: what the command layer reports, and how library errors map to it.
//!
//! The library says what went wrong; this module decides whose mistake it is (the
//! user's, a bad file, wrong usage, or a bug) and what to suggest next.

use serde::Serialize;

use strategi::store::StoreError;

/// Whose problem an error is; decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ErrorKind {
    /// The request was refused: the user can fix it. Exit 1.
    User,
    /// A file the tool reads is malformed. Exit 1.
    Config,
    /// The command was used wrongly. Exit 2.
    Usage,
    /// Something that should not happen. Exit 3.
    Internal,
}

/// An error as shown to a person: the message, its causes, and hints.
#[derive(Debug, Serialize)]
pub struct CommandError {
    /// Whose problem it is.
    pub kind: ErrorKind,
    /// One sentence saying what went wrong.
    pub message: String,
    /// Underlying causes, outermost first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub causes: Vec<String>,
    /// What to do next.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hints: Vec<String>,
    #[serde(skip)]
    broken_pipe: bool,
    #[serde(skip)]
    reported: bool,
}

impl CommandError {
    /// A refusal the user can act on.
    pub fn user(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::User, message)
    }

    /// Wrong usage of the command.
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Usage, message)
    }

    /// An internal failure.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }

    fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        CommandError {
            kind,
            message: message.into(),
            causes: Vec::new(),
            hints: Vec::new(),
            broken_pipe: false,
            reported: false,
        }
    }

    /// Adds a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    /// Adds a cause.
    pub fn cause(mut self, cause: impl Into<String>) -> Self {
        self.causes.push(cause.into());
        self
    }

    /// Marks the error as already reported in the command's own output (e.g. `verify`'s
    /// findings): with `--json` no second `{"error": …}` value goes to stdout, so stdout
    /// still holds exactly one JSON value.
    pub fn reported(mut self) -> Self {
        self.reported = true;
        self
    }

    /// Whether the command's own output already reported this error.
    pub fn is_reported(&self) -> bool {
        self.reported
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self.kind {
            ErrorKind::User | ErrorKind::Config => 1,
            ErrorKind::Usage => 2,
            ErrorKind::Internal => 3,
        }
    }

    /// Whether this is only stdout having been closed (`strategi … | head`).
    pub fn is_broken_pipe(&self) -> bool {
        self.broken_pipe
    }
}

impl From<std::io::Error> for CommandError {
    fn from(e: std::io::Error) -> Self {
        let broken = e.kind() == std::io::ErrorKind::BrokenPipe;
        let mut err = CommandError::internal(format!("Could not write the output: {e}"));
        err.broken_pipe = broken;
        err
    }
}

const NOTHING_CHANGED: &str = "Nothing was changed.";

impl From<StoreError> for CommandError {
    fn from(e: StoreError) -> Self {
        let message = e.to_string();
        match e {
            StoreError::NotAWorkspace { .. } => CommandError::user(message)
                .hint("Run `strategi init DIR` to create a workspace, or `-C DIR` to name one."),
            StoreError::AlreadyAWorkspace { .. } => CommandError::user(message)
                .hint("Choose another folder, or work in this one with `strategi status`."),
            StoreError::BadFile { .. } => CommandError::new(ErrorKind::Config, message)
                .hint(format!("Correct the file at the line shown and run the command again. {NOTHING_CHANGED}")),
            StoreError::Io { .. } => CommandError::user(message)
                .hint(format!("Check that the folder exists and that you may write to it. {NOTHING_CHANGED}")),
            StoreError::Git { .. } => CommandError::internal(message),
            StoreError::NoIdentity => CommandError::user(message).hint(
                "Tell git your name and e-mail: `git config --global user.name \"Kari Nordmann\"` and `git config --global user.email kari.nordmann@dep.example`.",
            ),
            StoreError::Locked { .. } => CommandError::user(message)
                .hint(format!("Wait for that command to finish and run yours again. {NOTHING_CHANGED}")),
            StoreError::UnknownVersion { .. } => {
                CommandError::user(message).hint("See the versions with `strategi version list`.")
            }
            StoreError::ForeignTag { .. } => CommandError::user(message)
                .hint("Tags named v1, v2, … are reserved for strategi's versions; rename that tag with git."),
            StoreError::EmptyDraft => CommandError::user(message)
                .hint("Write the draft as Markdown files in strategy/, such as strategy/01-innledning.md."),
            StoreError::NoChange { .. } => CommandError::user(message)
                .hint("Edit the files in strategy/ first; `strategi diff` shows what changed."),
        }
    }
}

impl From<strategi::calendar::CalendarError> for CommandError {
    fn from(e: strategi::calendar::CalendarError) -> Self {
        CommandError::user(e.to_string())
    }
}

impl From<strategi::model::IdError> for CommandError {
    fn from(e: strategi::model::IdError) -> Self {
        CommandError::user(e.0)
    }
}

impl From<strategi::mail::MailError> for CommandError {
    fn from(e: strategi::mail::MailError) -> Self {
        use strategi::mail::MailError;
        let message = e.to_string();
        match e {
            MailError::Template { .. } | MailError::LetterShape { .. } | MailError::NoTemplate { .. } => {
                CommandError::new(ErrorKind::Config, message).hint(format!(
                    "Correct the template in templates/ (or remove it to use the built-in one). {NOTHING_CHANGED}"
                ))
            }
            MailError::BadStateFile { .. } => CommandError::new(ErrorKind::Config, message)
                .hint("Correct the outbox state file at the line shown (state = \"queued\" retries the message)."),
            MailError::SmtpUrl { .. } => CommandError::new(ErrorKind::Config, message)
                .hint("Set [mail] smtp_url in strategi.toml, e.g. \"smtps://smtp.dep.example:465\" or \"smtp://smtp.dep.example:587?tls=required\"."),
            _ => CommandError::user(message),
        }
    }
}

impl From<strategi::sign::SignError> for CommandError {
    fn from(e: strategi::sign::SignError) -> Self {
        use strategi::sign::SignError;
        let message = e.to_string();
        match e {
            SignError::NoRandomness { .. } | SignError::Signing { .. } => {
                CommandError::internal(message)
            }
            _ => CommandError::user(message),
        }
    }
}

impl From<strategi::store::SignedTagError> for CommandError {
    fn from(e: strategi::store::SignedTagError) -> Self {
        use strategi::store::SignedTagError;
        match e {
            SignedTagError::Store(s) => s.into(),
            SignedTagError::Signing { .. } => CommandError::internal(e.to_string()),
            other => CommandError::user(other.to_string()),
        }
    }
}

impl From<strategi::consultation::Refusal> for CommandError {
    fn from(e: strategi::consultation::Refusal) -> Self {
        let mut err = CommandError::user(e.to_string());
        if let Some(basis) = e.basis() {
            err = err.cause(basis);
        }
        if let Some(hint) = e.hint() {
            err = err.hint(hint);
        }
        err
    }
}

impl From<strategi::consultation::letters::LettersError> for CommandError {
    fn from(e: strategi::consultation::letters::LettersError) -> Self {
        use strategi::consultation::letters::LettersError;
        let hint = e.hint();
        let err = match e {
            LettersError::Refused(r) => return r.into(),
            LettersError::Store(s) => return s.into(),
            LettersError::Mail(m) => return m.into(),
            LettersError::Serialise { .. } => CommandError::internal(e.to_string()),
            _ => CommandError::user(e.to_string()),
        };
        match hint {
            Some(h) => err.hint(h),
            None => err,
        }
    }
}
