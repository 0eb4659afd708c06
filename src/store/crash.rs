//! Named crash points, a test-only hook (as git's `GIT_TEST_*` variables): the command
//! layer arms one stage from `STRATEGI_TEST_CRASH=STAGE[:N]`, and the process kills
//! itself with SIGKILL the `N`th time (default the first) it reaches that stage: no
//! destructor runs, no lock is released by hand, no temporary file is removed, exactly
//! as when the machine or a user's `kill -9` stops it there. The crash harness
//! (`tests/crash.rs`) kills every write command at each stage it reaches.
//!
//! Unarmed (the normal case), [`reach`] is one atomic load.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// The journal is written and synced; no file of the command is written yet.
pub const JOURNAL: &str = "journal";
/// The command's files are written into the working tree; the commit is not made yet.
pub const FILES: &str = "files";
/// Right after the commit point (HEAD moved); the index is not updated yet.
pub const AFTER_COMMIT: &str = "after-commit";
/// The index is updated; the journal is not removed yet.
pub const AFTER_INDEX: &str = "after-index";
/// A tag's object is written, its ref not yet made.
pub const BEFORE_TAG: &str = "before-tag";
/// Right after a tag's ref is made.
pub const AFTER_TAG: &str = "after-tag";
/// Right after a letter's delivery state is written to `outbox/` (before it is
/// committed).
pub const AFTER_STATE: &str = "after-state";
/// Right after a delivery's claim on its letters was pushed to the remote, before any
/// message goes.
pub const AFTER_CLAIM: &str = "after-claim";

/// Every stage there is.
pub const STAGES: &[&str] = &[
    JOURNAL,
    FILES,
    AFTER_COMMIT,
    AFTER_INDEX,
    BEFORE_TAG,
    AFTER_TAG,
    AFTER_STATE,
    AFTER_CLAIM,
];

static ARMED: OnceLock<(&'static str, u32)> = OnceLock::new();
static REACHED: AtomicU32 = AtomicU32::new(0);

/// Why a crash point cannot be armed.
#[derive(Debug, thiserror::Error)]
#[error(
    "STRATEGI_TEST_CRASH must be a stage ({}), optionally followed by \":N\" for the Nth time it is reached, not \"{spec}\".",
    STAGES.join(", ")
)]
pub struct CrashSpecError {
    /// What was given.
    pub spec: String,
}

/// Arms the crash point `spec` (`STAGE` or `STAGE:N`, N ≥ 1) for the rest of the
/// process. Arming twice keeps the first.
pub fn arm(spec: &str) -> Result<(), CrashSpecError> {
    let bad = || CrashSpecError {
        spec: spec.to_string(),
    };
    let (name, nth) = match spec.trim().split_once(':') {
        Some((name, n)) => (name, n.parse::<u32>().map_err(|_| bad())?),
        None => (spec.trim(), 1),
    };
    let stage = STAGES.iter().find(|s| **s == name).ok_or_else(bad)?;
    if nth == 0 {
        return Err(bad());
    }
    let _ = ARMED.set((stage, nth));
    Ok(())
}

/// Marks that the process reached `stage`; kills it there when that stage is armed
/// and this is the time it was armed for.
pub fn reach(stage: &'static str) {
    let Some((armed, nth)) = ARMED.get() else {
        return;
    };
    if *armed != stage {
        return;
    }
    if REACHED.fetch_add(1, Ordering::SeqCst) + 1 == *nth {
        die();
    }
}

/// SIGKILL to itself, through the shell's own `kill` (the crate has no unsafe code, and
/// `sh` is on every Unix, where `/bin/kill` may be missing); should that fail, `abort`,
/// which runs no destructor either.
fn die() -> ! {
    let pid = std::process::id().to_string();
    let _ = std::process::Command::new("sh")
        .args(["-c", "kill -KILL \"$0\"", &pid])
        .status();
    std::process::abort()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spec_names_a_known_stage_and_a_positive_count() {
        for bad in [
            "",
            "after",
            "after-commit:",
            "after-commit:0",
            "journal:x",
            "x:1",
        ] {
            let e = arm(bad).expect_err(bad);
            assert!(e.to_string().contains("after-commit"), "{e}");
        }
    }
}
