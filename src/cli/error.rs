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

    /// Adds a hint (once: the same hint given twice is shown once).
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        let hint = hint.into();
        if !self.hints.contains(&hint) {
            self.hints.push(hint);
        }
        self
    }

    /// Adds a cause.
    pub fn cause(mut self, cause: impl Into<String>) -> Self {
        self.causes.push(cause.into());
        self
    }

    /// Adds `error` and its `source()` chain as causes, outermost first: for an error
    /// of the operating system or a library whose message is not this one's.
    pub fn caused_by(self, error: &(dyn std::error::Error + 'static)) -> Self {
        let mut err = self.cause(error.to_string());
        err = err.with_causes_of(error);
        err
    }

    /// Adds the causes of the library error this one was made from: its `source()`
    /// chain, outermost first (as jj's `CommandError` walks it), so that no cause is
    /// flattened into the message.
    pub fn with_causes_of(mut self, error: &(dyn std::error::Error + 'static)) -> Self {
        let mut next = error.source();
        while let Some(cause) = next {
            let text = cause.to_string();
            // A cause the message already says (a reason that is the substance of the
            // message, such as why a signature does not hold) is not repeated.
            if !text.is_empty() && !self.causes.contains(&text) && !self.message.contains(&text) {
                self.causes.push(text);
            }
            next = cause.source();
        }
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
        let mut err = CommandError::internal("Could not write the output.").caused_by(&e);
        err.broken_pipe = broken;
        err
    }
}

const NOTHING_CHANGED: &str = "Nothing was changed.";

impl From<StoreError> for CommandError {
    fn from(e: StoreError) -> Self {
        let err = store_error(&e);
        err.with_causes_of(&e)
    }
}

fn store_error(e: &StoreError) -> CommandError {
    let message = e.to_string();
    match e {
            StoreError::NotAWorkspace { .. } => CommandError::user(message)
                .hint("Run `strategi init DIR` to create a workspace, or `-C DIR` to name one."),
            StoreError::AlreadyAWorkspace { .. } => CommandError::user(message)
                .hint("Choose another folder, or work in this one with `strategi status`."),
            StoreError::BadFile { message: m, .. } if m.starts_with(strategi::store::CREDENTIAL_IN_CONFIG) => {
                CommandError::new(ErrorKind::Config, message)
                    .hint("Remove the password from smtp_url, keeping only the user name (smtps://user@host), and name the environment variable that holds it with password_env = \"NAME\" under [mail].")
                    .hint(format!("If {} with the password was ever committed, or copied to others, the password is exposed: have it changed (rotated) at the mail server. {NOTHING_CHANGED}", strategi::store::CONFIG_FILE))
            }
            StoreError::BadFile { .. } => CommandError::new(ErrorKind::Config, message)
                .hint(format!("Correct the file at the line shown and run the command again. {NOTHING_CHANGED}")),
            StoreError::Io { .. } => CommandError::user(message)
                .hint(format!("Check that the folder exists and that you may write to it. {NOTHING_CHANGED}")),
            StoreError::Git { .. } if e.is_git_lock_conflict() => {
                CommandError::user(message).hint(format!(
                    "One of git's lock files is in the way (the cause names it). If a git program is running in the workspace, wait for it and run the command again; if none is, run `strategi repair`, which removes lock files that no program holds. {NOTHING_CHANGED}"
                ))
            }
            StoreError::Git { .. } | StoreError::Encode { .. } => CommandError::internal(message),
            StoreError::BlobTooLarge { commit, .. } => CommandError::user(message).hint(format!(
                "A file that large was committed by hand, outside strategi; see it with `git show --stat {commit}`, and run `strategi verify`. {NOTHING_CHANGED}"
            )),
            StoreError::GitLocked { holder: Some(_), .. } => CommandError::user(message).hint(format!(
                "Wait for that program to finish and run the command again; strategi never removes a lock file a running program holds. {NOTHING_CHANGED}"
            )),
            StoreError::GitLocked { .. } => CommandError::user(message).hint(format!(
                "If no git program is running in the workspace, run `strategi repair`, which removes git lock files that no program holds. {NOTHING_CHANGED}"
            )),
            StoreError::NoIdentity => CommandError::user(message).hint(
                "Tell git your name and e-mail: `git config --global user.name \"Kari Nordmann\"` and `git config --global user.email kari.nordmann@dep.example`.",
            ),
            StoreError::BadIdentity { .. } => CommandError::user(message).hint(
                "Check what `git var GIT_AUTHOR_IDENT` says, and set your name and e-mail with `git config --global user.name \"Kari Nordmann\"` and `git config --global user.email kari.nordmann@dep.example`.",
            ),
            StoreError::Backdated { head_time, .. } => CommandError::user(message).hint(format!(
                "A change cannot be dated before what is already recorded, or the audit trail would say things happened in another order than they did. Run the command without --now (and without STRATEGI_NOW), or with a time at or after {head_time}; --now in the past is fine for reading and planning (status, deadlines, round show). {NOTHING_CHANGED}"
            )),
            StoreError::Locked { .. } => CommandError::user(message)
                .hint(format!("Wait for that command to finish and run yours again. {NOTHING_CHANGED}")),
            StoreError::UnknownVersion { .. } => {
                CommandError::user(message).hint("See the versions with `strategi version list`.")
            }
            StoreError::NotPublished { .. } => CommandError::user(message).hint(format!(
                "A sync publishes it, or renumbers it when the other clone published that number first; then name the version it has. {NOTHING_CHANGED}"
            )),
            StoreError::ForeignTag { .. } => CommandError::user(message)
                .hint("Tags named v1, v2, … are reserved for strategi's versions; rename that tag with git."),
            StoreError::EmptyDraft => CommandError::user(message)
                .hint("Write the draft as Markdown files in strategy/, such as strategy/01-innledning.md."),
            StoreError::NoSection { .. } => CommandError::user(message)
                .hint("Start each part with a heading, such as \"# Nasjonal strategi\" and \"## Mål\", then run `strategi version cut` again."),
            StoreError::NoChange { .. } => CommandError::user(message)
                .hint("Edit the files in strategy/ first; `strategi diff` shows what changed."),
            StoreError::CommitSigning { .. } => CommandError::user(message).hint(format!(
                "Check the key git names in `git config user.signingKey` (an unencrypted Ed25519 private key file), or turn signing off for this workspace with `git config commit.gpgSign false` where the case does not require signed commits. {NOTHING_CHANGED}"
            )),
        }
}

impl From<strategi::store::InputError> for CommandError {
    fn from(e: strategi::store::InputError) -> Self {
        use strategi::store::InputError;
        let hint = match &e {
            InputError::TooLarge { .. } => "Give the right file, or a smaller one.",
            InputError::NotAFile { .. } => "Give the path of an ordinary file.",
            InputError::Io { .. } => "Check the path and that you may read the file.",
        };
        CommandError::user(e.to_string()).hint(format!("{hint} {NOTHING_CHANGED}"))
    }
}

impl From<strategi::store::OutputError> for CommandError {
    fn from(e: strategi::store::OutputError) -> Self {
        use strategi::store::OutputError;
        let hint = match &e {
            OutputError::Protected { .. } => {
                "Write it somewhere else: the workspace's own folder, or one outside it."
            }
            OutputError::Exists { .. } => "Give --force to replace it, or choose another name.",
            OutputError::NotAFile { .. } => "Give the path of a file, not of a folder.",
            OutputError::Io { .. } => "Check that the folder exists and that you may write to it.",
        };
        CommandError::user(e.to_string())
            .with_causes_of(&e)
            .hint(format!("{hint} {NOTHING_CHANGED}"))
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
        let err = match &e {
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
        };
        err.with_causes_of(&e)
    }
}

impl From<strategi::sign::SignError> for CommandError {
    fn from(e: strategi::sign::SignError) -> Self {
        use strategi::sign::SignError;
        let message = e.to_string();
        let err = match e {
            SignError::NoRandomness { .. } | SignError::Signing { .. } => {
                CommandError::internal(message)
            }
            _ => CommandError::user(message),
        };
        err.with_causes_of(&e)
    }
}

impl From<strategi::store::SignedTagError> for CommandError {
    fn from(e: strategi::store::SignedTagError) -> Self {
        use strategi::store::SignedTagError;
        match e {
            SignedTagError::Store(s) => s.into(),
            SignedTagError::Signing { .. } => {
                CommandError::internal(e.to_string()).with_causes_of(&e)
            }
            other => CommandError::user(other.to_string()).with_causes_of(&other),
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

impl From<strategi::consultation::actions::ActError> for CommandError {
    fn from(e: strategi::consultation::actions::ActError) -> Self {
        use strategi::consultation::actions::ActError;
        match e {
            ActError::Refused(r) => r.into(),
            ActError::Store(s) => s.into(),
            other => CommandError::user(other.to_string()).with_causes_of(&other),
        }
    }
}

impl From<strategi::approval::Refusal> for CommandError {
    fn from(e: strategi::approval::Refusal) -> Self {
        let mut err = CommandError::user(e.to_string());
        if let Some(cause) = e.cause() {
            err = err.cause(cause);
        }
        let stray = matches!(e, strategi::approval::Refusal::StrayTag { .. });
        err = err.hint(e.hint());
        if stray {
            // An approval killed between its signed tag and its record leaves the tag.
            err = err.hint("If an approval was interrupted before it was recorded, `strategi repair` removes the tag it left (`strategi verify` names it).");
        }
        err
    }
}

impl From<strategi::approval::ApprovalError> for CommandError {
    fn from(e: strategi::approval::ApprovalError) -> Self {
        use strategi::approval::ApprovalError;
        match e {
            ApprovalError::Refused(r) => r.into(),
            ApprovalError::Store(s) => s.into(),
            ApprovalError::Key(k) => k.into(),
            ApprovalError::Tag(t) => t.into(),
            ApprovalError::Calendar(c) => c.into(),
        }
    }
}

impl From<strategi::case::CaseError> for CommandError {
    fn from(e: strategi::case::CaseError) -> Self {
        use strategi::case::CaseError;
        let hint = e.hint();
        let err = match e {
            CaseError::Store(s) => return s.into(),
            CaseError::Calendar(c) => return c.into(),
            CaseError::Sign(k) => return k.into(),
            CaseError::BadValue { .. } => CommandError::user(e.to_string()).with_causes_of(&e),
            _ => CommandError::user(e.to_string()),
        };
        match hint {
            Some(h) => err.hint(h),
            None => err,
        }
    }
}

impl From<strategi::word::write::WordError> for CommandError {
    fn from(e: strategi::word::write::WordError) -> Self {
        CommandError::internal(format!("{}.", strategi::model::capitalized(&e.to_string())))
            .with_causes_of(&e)
            .hint("Check that the temporary space and memory are not exhausted, and run the command again.")
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
            LettersError::Claim { ref source, .. } => {
                let mut err = CommandError::user(e.to_string()).cause(source.to_string());
                if let strategi::store::SyncError::GitFailed { said, .. } = source {
                    for l in said.lines().filter(|l| !l.trim().is_empty()) {
                        err = err.cause(format!("git: {}", l.trim()));
                    }
                }
                err
            }
            LettersError::Word(w) => return w.into(),
            LettersError::DocxMissing => CommandError::internal(e.to_string()),
            _ => CommandError::user(e.to_string()),
        };
        match hint {
            Some(h) => err.hint(h),
            None => err,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_are_the_source_chain_and_hints_are_given_once() {
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "Permission denied");
        let e: CommandError = StoreError::Io {
            action: "write",
            path: "consultations/r1/round.toml".into(),
            source: io,
        }
        .into();
        assert_eq!(
            e.message,
            "Could not write \"consultations/r1/round.toml\"."
        );
        assert_eq!(e.causes, vec!["Permission denied".to_string()]);
        assert_eq!(e.hints.len(), 1);
        let e = CommandError::user("x").hint("Run y.").hint("Run y.");
        assert_eq!(e.hints, vec!["Run y.".to_string()]);
        let e = CommandError::user("Could not read \"a.md\".")
            .caused_by(&std::io::Error::other("No such file"));
        assert_eq!(e.causes, vec!["No such file".to_string()]);
    }
}
