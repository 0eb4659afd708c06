//! The context every command runs in: the global flags, the clock, the workspace.

use std::path::{Path, PathBuf};
use std::time::Duration;

use strategi::calendar::{Clock, parse_now};
use strategi::model::{Config, PartyCode};
use strategi::store::{Actor, IdSeed, Identity, Notices, StoreError, Transaction, Workspace};

use super::{CommandError, GlobalArgs};

/// How long a command waits for another strategi process to finish writing.
const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(10);

/// What a command needs besides its own arguments.
pub struct Ctx {
    /// The global flags.
    pub global: GlobalArgs,
    /// The clock (`--now`, `STRATEGI_NOW`, else the system clock).
    pub clock: Clock,
    start: PathBuf,
    lock_timeout: Duration,
    seed: IdSeed,
    notices: Notices,
}

impl Ctx {
    /// Builds the context from the global flags and the process environment.
    pub fn new(global: GlobalArgs) -> Result<Ctx, CommandError> {
        let clock = match &global.now {
            Some(s) => Clock::fixed(
                parse_now(s)
                    .map_err(|e| CommandError::usage(format!("--now/STRATEGI_NOW: {e}")))?,
            ),
            None => Clock::system(),
        };
        let cwd = std::env::current_dir()
            .map_err(|e| CommandError::user("Could not read the current folder.").caused_by(&e))?;
        let start = match &global.chdir {
            Some(d) => cwd.join(d),
            None => cwd,
        };
        let lock_timeout = std::env::var("STRATEGI_LOCK_TIMEOUT_MS")
            .ok()
            .and_then(|s| s.parse().ok())
            .map_or(DEFAULT_LOCK_TIMEOUT, Duration::from_millis);
        let seed = match std::env::var("STRATEGI_SEED") {
            Ok(s) => IdSeed::Fixed(s.trim().parse().map_err(|_| {
                CommandError::usage(format!(
                    "STRATEGI_SEED must be a whole number (such as 42), not \"{s}\"."
                ))
            })?),
            Err(_) => IdSeed::Random,
        };
        // Test-only: kill the process at a named stage (see `strategi::store::crash`).
        if let Ok(spec) = std::env::var("STRATEGI_TEST_CRASH") {
            strategi::store::crash::arm(&spec).map_err(|e| CommandError::usage(e.to_string()))?;
        }
        Ok(Ctx {
            global,
            clock,
            start,
            lock_timeout,
            seed,
            notices: Notices::default(),
        })
    }

    /// The folder the command runs in (`-C DIR`, else the current folder).
    pub fn start_dir(&self) -> &Path {
        &self.start
    }

    /// The workspace containing the start folder.
    pub fn workspace(&self) -> Result<Workspace, CommandError> {
        let ws = Workspace::discover(&self.start)?;
        // Not a workspace yet: recovering the journal here would take its strategi.toml
        // away under the command; `init` run again finishes the job.
        if ws.is_unfinished_init() {
            return Err(CommandError::user(format!(
                "The workspace in \"{}\" was never created: `strategi init` was interrupted before its first commit.",
                ws.root().display()
            ))
            .hint("Run `strategi init` there again (with --title, --owner and --approver); it undoes the interrupted one and creates the workspace. Nothing was changed."));
        }
        Ok(ws.with_notices(self.notices.clone()))
    }

    /// What the command's transactions repaired or could not finish after their commit
    /// point, for `run` to show when the command ends (a shared handle).
    pub fn notices(&self) -> Notices {
        self.notices.clone()
    }

    /// The acting party (`--as`, else the case's owner), checked against the case.
    pub fn acting_party(&self, config: &Config) -> Result<PartyCode, CommandError> {
        match &self.global.as_party {
            None => Ok(config.case.owner.clone()),
            Some(s) => {
                let code: PartyCode = s.parse()?;
                if config.knows_party(&code) {
                    Ok(code)
                } else {
                    Err(unknown_as(config, &code))
                }
            }
        }
    }

    /// An unknown `--as` is refused on every command in a workspace, reads included
    /// (what a read shows does not depend on it today, but a mistyped code must not pass
    /// quietly either): checked before the command runs. Outside a workspace, or when
    /// the case cannot be read, the command itself reports what is wrong.
    pub fn check_as(&self) -> Result<(), CommandError> {
        if self.global.as_party.is_none() {
            return Ok(());
        }
        let Ok(ws) = Workspace::discover(&self.start) else {
            return Ok(());
        };
        match ws.config() {
            Ok(config) => self.acting_party(&config).map(|_| ()),
            Err(_) => Ok(()),
        }
    }

    /// The actor for a write: acting party plus the person git names in the workspace.
    pub fn actor(&self, ws: &Workspace, config: &Config) -> Result<Actor, CommandError> {
        let party = self.acting_party(config)?;
        Ok(Actor::new(party, identity_in(ws.root())?))
    }

    /// Whether the run is reproducible (`STRATEGI_SEED`): then nothing may depend on
    /// how fast the machine is either (the diff's time budget is lifted).
    pub fn reproducible(&self) -> bool {
        matches!(self.seed, IdSeed::Fixed(_))
    }

    /// Starts the one transaction of a write command. A clock before the latest commit
    /// is refused here, before the command does anything (history only moves forward);
    /// the commits name git's committer (`git var GIT_COMMITTER_IDENT`).
    ///
    /// When signing applies (the case requires the acting party's commits to be signed,
    /// or git's `commit.gpgSign` is on), every commit of the transaction is signed with
    /// the person's SSH key (`user.signingKey`); without a usable key the command is
    /// refused here, before anything is written ([`super::signing`]).
    pub fn begin<'w>(
        &self,
        ws: &'w Workspace,
        command: &str,
    ) -> Result<Transaction<'w>, CommandError> {
        Ok(self.begin_signed(ws, command, false)?.0)
    }

    /// [`Ctx::begin`] with the case's configuration, read under the lock: the fold the
    /// transaction's signing policy was decided by, so the command need not fold the
    /// case again. A case that cannot be read is refused here, naming what is wrong.
    pub fn begin_with_config<'w>(
        &self,
        ws: &'w Workspace,
        command: &str,
    ) -> Result<(Transaction<'w>, Config), CommandError> {
        let (tx, config) = self.begin_signed(ws, command, false)?;
        Ok((tx, self.config_or_error(ws, config)?))
    }

    /// [`Ctx::begin_with_config`] for `party key`, which may add the very key it is
    /// signed with: the key need not be one of the party's own yet.
    pub fn begin_key_change<'w>(
        &self,
        ws: &'w Workspace,
        command: &str,
    ) -> Result<(Transaction<'w>, Config), CommandError> {
        let (tx, config) = self.begin_signed(ws, command, true)?;
        Ok((tx, self.config_or_error(ws, config)?))
    }

    /// The configuration `begin_signed` read, or (when it could not be read) the
    /// error reading it again gives.
    fn config_or_error(
        &self,
        ws: &Workspace,
        config: Option<Config>,
    ) -> Result<Config, CommandError> {
        match config {
            Some(c) => Ok(c),
            None => Ok(ws.config()?),
        }
    }

    /// Starts the transaction; returns it with the configuration it read under the
    /// lock (`None`: the case cannot be read; the command reports why when it reads it).
    fn begin_signed<'w>(
        &self,
        ws: &'w Workspace,
        command: &str,
        key_change: bool,
    ) -> Result<(Transaction<'w>, Option<Config>), CommandError> {
        let mut tx = ws.begin(command, self.lock_timeout, self.seed)?;
        // A signed approval tag that an `approve` killed before its record left.
        let orphans = strategi::approval::verify::orphan_approval_tags(ws)?;
        tx.undo_orphan_tags(&orphans)?;
        tx.check_forward(&self.clock.now())?;
        tx.set_committer(committer_in(ws.root())?);
        // Read under the lock. A case that cannot be read has no policy to apply yet
        // (`init` makes it); the command reports the bad file when it reads it.
        let config = ws.config().ok();
        let party = config.as_ref().and_then(|c| self.acting_party(c).ok());
        if let Some(key) =
            super::signing::signing_key(ws, config.as_ref(), party.as_ref(), key_change)?
        {
            tx.set_signing_key(key);
        }
        // Delivery states a command killed during its delivery did not commit. Best
        // effort: when git cannot tell (an unreadable index), the next delivery records
        // them, and the command goes on.
        let states = strategi::mail::uncommitted_states(ws).unwrap_or_default();
        if !states.is_empty() {
            let config = match &config {
                Some(c) => c,
                None => &ws.config()?,
            };
            let actor = self.actor(ws, config)?;
            strategi::mail::record_uncommitted_states(&mut tx, &states, &actor, &self.clock.now())?;
        }
        Ok((tx, config))
    }
}

/// The person running the command, exactly as git resolves it in `dir`: its
/// environment (`GIT_AUTHOR_NAME`, `GIT_AUTHOR_EMAIL`, `EMAIL`), its configuration files
/// (`GIT_CONFIG_SYSTEM`, `GIT_CONFIG_GLOBAL`, `$XDG_CONFIG_HOME/git/config`,
/// `~/.gitconfig`, with their includes) and the repository's own config. Asks git itself
/// (`git var GIT_AUTHOR_IDENT`), so the commits strategi makes name the same person as a
/// plain `git commit` would.
pub fn identity_in(dir: &Path) -> Result<Identity, CommandError> {
    git_ident(dir, "GIT_AUTHOR_IDENT")
}

/// The committer git names in `dir` (`git var GIT_COMMITTER_IDENT`): the committer's
/// variables, else the same as for the author.
pub fn committer_in(dir: &Path) -> Result<Identity, CommandError> {
    git_ident(dir, "GIT_COMMITTER_IDENT")
}

/// What `git var WHICH` (`GIT_AUTHOR_IDENT` or `GIT_COMMITTER_IDENT`) says in `dir`.
fn git_ident(dir: &Path, which: &str) -> Result<Identity, CommandError> {
    let output = std::process::Command::new("git")
        .args(["var", which])
        .current_dir(dir)
        // Git's own messages in English, so that "who are you" is recognised below (the
        // locale does not change whom git names).
        .env("LC_ALL", "C")
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| {
            CommandError::user("strategi asks git who you are, but could not run git.")
                .caused_by(&e)
                .hint("Install git (https://git-scm.com) and make sure `git` is on the PATH.")
        })?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let said = stderr
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default()
        .trim()
        .to_string();
    if !output.status.success() {
        let unknown = [
            "identity unknown",
            "auto-detect",
            "empty ident",
            "no email",
            "no name",
        ]
        .iter()
        .any(|m| stderr.to_lowercase().contains(m));
        let err = if unknown {
            CommandError::from(StoreError::NoIdentity)
        } else {
            CommandError::user(format!(
                "Git could not say who you are in \"{}\".",
                dir.display()
            ))
            .hint(format!(
                "Run `git var {which}` there to see what git needs."
            ))
        };
        return Err(if said.is_empty() {
            err
        } else {
            err.cause(format!("git: {said}"))
        });
    }
    Ok(Identity::from_git_ident(&String::from_utf8_lossy(
        &output.stdout,
    ))?)
}

/// The refusal of an `--as` code that is not one of the case: the closest codes first,
/// then how to see or add the parties.
fn unknown_as(config: &Config, code: &PartyCode) -> CommandError {
    let known = strategi::consultation::rules::case_codes(config);
    CommandError::user(format!(
        "You asked to act as \"{code}\", which is not a party of this case."
    ))
    .hint(format!(
        "{}See the parties with `strategi party list`, or add one with `strategi party add`.",
        strategi::consultation::rules::did_you_mean(code, &known)
    ))
}
