//! The context every command runs in: the global flags, the clock, the workspace.

use std::path::{Path, PathBuf};
use std::time::Duration;

use strategi::calendar::{Clock, parse_now};
use strategi::model::{Config, PartyCode};
use strategi::store::{Actor, IdSeed, Transaction, Workspace};

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
        Ok(Ctx {
            global,
            clock,
            start,
            lock_timeout,
            seed,
        })
    }

    /// The folder the command runs in (`-C DIR`, else the current folder).
    pub fn start_dir(&self) -> &Path {
        &self.start
    }

    /// The workspace containing the start folder.
    pub fn workspace(&self) -> Result<Workspace, CommandError> {
        Ok(Workspace::discover(&self.start)?)
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
                    Err(CommandError::user(format!(
                        "You asked to act as \"{code}\", which is not a party of this case."
                    ))
                    .hint("See the parties with `strategi party list`, or add one with `strategi party add`."))
                }
            }
        }
    }

    /// The actor for a write: acting party plus the person from git config.
    pub fn actor(&self, ws: &Workspace, config: &Config) -> Result<Actor, CommandError> {
        let party = self.acting_party(config)?;
        let (name, email) = ws.identity()?;
        Ok(Actor { party, name, email })
    }

    /// Whether the run is reproducible (`STRATEGI_SEED`): then nothing may depend on
    /// how fast the machine is either (the diff's time budget is lifted).
    pub fn reproducible(&self) -> bool {
        matches!(self.seed, IdSeed::Fixed(_))
    }

    /// Starts the one transaction of a write command.
    pub fn begin<'w>(
        &self,
        ws: &'w Workspace,
        command: &str,
    ) -> Result<Transaction<'w>, CommandError> {
        Ok(ws.begin(command, self.lock_timeout, self.seed)?)
    }
}
