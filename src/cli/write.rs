//! The write a command makes: its transaction (the lock is taken first, so everything
//! read after it sees every earlier writer's result), the case, who acts and when.

use jiff::ZonedDateTime;
use strategi::consultation::actions::Acting;
use strategi::model::Config;
use strategi::store::{Actor, Transaction, Workspace};

use super::{CommandError, Ctx};

/// An open write: the transaction and what every act needs besides its arguments.
pub struct Write<'w> {
    /// The transaction (holds the workspace lock).
    pub tx: Transaction<'w>,
    /// The case, read under the lock.
    pub config: Config,
    /// The acting party and person.
    pub actor: Actor,
    /// The time of the act.
    pub now: ZonedDateTime,
}

impl<'w> Write<'w> {
    /// Takes the lock, then reads the case and resolves who acts.
    pub fn begin(ctx: &Ctx, ws: &'w Workspace, command: &str) -> Result<Write<'w>, CommandError> {
        let (tx, config) = ctx.begin_with_config(ws, command)?;
        let actor = ctx.actor(ws, &config)?;
        Ok(Write {
            tx,
            config,
            actor,
            now: ctx.clock.now(),
        })
    }

    /// The transaction and who acts, borrowed side by side for one act.
    pub fn act(&mut self) -> (&mut Transaction<'w>, Acting<'_>) {
        (
            &mut self.tx,
            Acting {
                config: &self.config,
                actor: &self.actor,
                now: &self.now,
            },
        )
    }
}
