//! `strategi sync` and `strategi clone`: share the case through a git remote.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use strategi::store::{Moved, SyncError, SystemGit, clone_case};

use super::ui::{paint, styles};
use super::{CommandError, Ctx, Ui};

/// How long one git command (fetch, push, clone) may take unless
/// STRATEGI_GIT_TIMEOUT_SECS says otherwise.
const DEFAULT_GIT_TIMEOUT: Duration = Duration::from_secs(120);
/// How many more times a rejected push fetches and merges again.
pub const PUSH_RETRIES: u32 = 3;

/// Fetch, merge and push the case with a shared git remote, under the workspace lock.
///
/// The remote's branch is fetched with your own git (any URL and credentials it
/// handles: ssh, https, file, git://), merged by strategi (records are a union;
/// strategi.toml merges key by key, a key changed differently on both sides keeps the
/// remote's value and is reported by `status` and `verify`; outbox states keep the most
/// advanced one), then pushed with the version and approval tags. A local version the
/// remote has under the same name with another text is renumbered before anything is
/// pushed. When both sides changed the same lines of the draft, sync stops before
/// pushing (exit 1) with everything else merged and the merge left for you: the draft
/// files hold both texts between git's conflict markers; edit them, then `git add
/// strategy && git commit --no-edit` and sync again (`git merge --abort` gives it up). A push rejected because someone pushed
/// meanwhile fetches and merges again (3 times at most).
///
/// Example: strategi sync origin
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The git remote.
    #[arg(default_value = "origin")]
    pub remote: String,
}

/// Join an existing case: clone its repository (with your own git) into DIR. Needs no
/// strategi identity; reading needs none.
///
/// Example: strategi clone git@git.example:dio/ki-strategi.git ki-strategi
#[derive(Debug, Args)]
pub struct CloneArgs {
    /// The repository's URL (ssh, https, file, git:// or a path).
    pub url: String,
    /// The folder to make (default: the last part of the URL, as git names it).
    pub dir: Option<PathBuf>,
}

fn git(ctx: &Ctx) -> SystemGit {
    let _ = ctx;
    system_git()
}

/// The system git, bounded by STRATEGI_GIT_TIMEOUT_SECS (default 120 s).
pub fn system_git() -> SystemGit {
    let timeout = std::env::var("STRATEGI_GIT_TIMEOUT_SECS")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .map_or(DEFAULT_GIT_TIMEOUT, Duration::from_secs);
    SystemGit { timeout }
}

impl From<SyncError> for CommandError {
    fn from(e: SyncError) -> Self {
        if let SyncError::Store(s) = e {
            return s.into();
        }
        let mut err = if e.is_environment() {
            CommandError::internal(e.to_string())
        } else {
            CommandError::user(e.to_string())
        };
        match &e {
            SyncError::GitFailed { said, .. } if !said.is_empty() => {
                for l in said.lines() {
                    err = err.cause(format!("git: {}", l.trim()));
                }
            }
            SyncError::Dirty { .. }
            | SyncError::TextConflict { .. }
            | SyncError::DraftConflict { .. } => {}
            _ => err = err.with_causes_of(&e),
        }
        if let Some(h) = e.hint() {
            err = err.hint(h);
        }
        err
    }
}

/// "1 comment", "2 comments", "3 replies", "2 draft files": the kinds of a sync summary.
fn counted(n: usize, kind: &str) -> String {
    match (n, kind) {
        (1, "draft") => "1 draft file".to_string(),
        (1, _) => format!("1 {kind}"),
        (_, "draft") => format!("{n} draft files"),
        (_, "reply") => format!("{n} replies"),
        (_, "configuration") => format!("{n} configuration files"),
        _ => format!("{n} {kind}s"),
    }
}

fn moved_line(m: &Moved) -> String {
    let mut parts: Vec<String> = Vec::new();
    if m.commits > 0 {
        parts.push(counted(m.commits, "commit"));
    }
    parts.extend(m.records.iter().map(|(k, n)| counted(*n, k)));
    if !m.versions.is_empty() {
        parts.push(format!("versions {}", m.versions.join(", ")));
    }
    if !m.approvals.is_empty() {
        parts.push(format!("approvals {}", m.approvals.join(", ")));
    }
    if parts.is_empty() {
        "nothing".to_string()
    } else {
        parts.join(", ")
    }
}

/// Runs `sync`.
pub fn run_sync(ctx: &mut Ctx, ui: &mut Ui, args: &SyncArgs) -> Result<(), CommandError> {
    let ws = ctx.workspace()?;
    // An unreadable setting record does not stop sync: the commit that removes it
    // must be able to travel. It is skipped here with a warning.
    let (settings, skipped) = ws.settings_skipping_unreadable()?;
    for e in &skipped {
        ui.warn(format!("skipped an unreadable setting record: {e}"));
    }
    let config = settings.config;
    let actor = ctx.actor(&ws, &config)?;
    let mut tx = ctx.begin(&ws, "strategi sync")?;
    let now = ctx.clock.now();
    let out = tx.sync(&git(ctx), &args.remote, &actor, &now, PUSH_RETRIES)?;
    // The proven clocks at the branch sync moved to, for the next command; saved
    // under the workspace lock, as every write saves them.
    ws.save_proven_clocks();
    drop(tx);
    ui.emit(&out, |w| {
        writeln!(
            w,
            "Synced with {} ({}), branch {}.",
            out.remote, out.url, out.branch
        )?;
        writeln!(w, "In:   {}", moved_line(&out.incoming))?;
        writeln!(w, "Out:  {}", moved_line(&out.outgoing))?;
        match (&out.merge, &out.merge_commit) {
            (_, Some(c)) => writeln!(w, "Merged both sides in commit {}.", &c[..12.min(c.len())])?,
            (strategi::store::MergeKind::FastForward, _) => {
                writeln!(w, "Brought in the remote's commits (nothing to merge).")?
            }
            _ => {}
        }
        for r in &out.renumbered {
            writeln!(
                w,
                "{} the remote already has another {}; the {} cut here (commit {}) is now {}.",
                paint(styles::BOLD, "Renumbered:"),
                r.from,
                r.from,
                &r.commit[..12.min(r.commit.len())],
                r.to
            )?;
        }
        for c in &out.conflicts {
            writeln!(
                w,
                "{} strategi.toml {c}; settle it with `strategi config settle {} --keep` or `--value VALUE`.",
                paint(styles::BAD, "Conflict:"),
                c.key
            )?;
        }
        if out.attempts > 1 {
            writeln!(
                w,
                "The remote changed while syncing; fetched and merged {} times.",
                out.attempts
            )?;
        }
        if !out.pushed && out.outgoing.is_empty() {
            writeln!(w, "Nothing to push: the remote has everything here.")?;
        }
        Ok(())
    })
}

/// Runs `clone`.
pub fn run_clone(ctx: &mut Ctx, ui: &mut Ui, args: &CloneArgs) -> Result<(), CommandError> {
    let dir = match &args.dir {
        Some(d) => ctx.start_dir().join(d),
        None => {
            let name = args
                .url
                .trim_end_matches('/')
                .rsplit(['/', ':'])
                .next()
                .unwrap_or_default()
                .trim_end_matches(".git")
                .to_string();
            if name.is_empty() {
                return Err(CommandError::usage(format!(
                    "Cannot tell a folder name from \"{}\"; name one: `strategi clone URL DIR`.",
                    args.url
                )));
            }
            ctx.start_dir().join(name)
        }
    };
    let cloned = clone_case(&git(ctx), &args.url, &dir)?;
    ui.emit(&cloned, |w| {
        writeln!(
            w,
            "Cloned the case from {} into \"{}\" (branch {}, {} version(s)).",
            cloned.url,
            cloned.path.display(),
            cloned.branch,
            cloned.versions.len()
        )?;
        writeln!(
            w,
            "Next: `strategi -C {} status`; to write, make sure git knows your name and e-mail, then `strategi sync` shares what you add.",
            cloned.path.display()
        )
    })
}
