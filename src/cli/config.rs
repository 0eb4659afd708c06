//! `strategi config conflicts|settle`: the keys of `strategi.toml` that a sync left in
//! conflict, and settling them.

use clap::{Args, Subcommand};

use strategi::case::{SettleChoice, conflicts, settle};

use super::ui::{paint, styles};
use super::{CommandError, Ctx, Ui};

/// The keys of strategi.toml that both sides of a sync changed differently.
///
/// The merge keeps the remote's value and records the conflict; `status` and `verify`
/// report it until it is settled. Anyone may settle a key, except the policy ([case]
/// owner and approver, [approval] require_signature and require_signed_commits),
/// which only the case owner settles.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// List the open conflicts: both values (the side that merged, the remote's) and
    /// the value strategi.toml has now.
    Conflicts,
    /// Settle a conflict: keep the value strategi.toml has now, or write another one
    /// (the rest of the file stays as it is), in one commit with `Strategi-Settled: KEY`.
    ///
    /// Example: strategi config settle case.title --value "Nasjonal KI-strategi"
    Settle(SettleArgs),
}

/// Arguments of `config settle`.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("choice").required(true).args(["keep", "value"]))]
pub struct SettleArgs {
    /// The key as the conflict names it, e.g. case.title or party[code=FIN].email.
    pub key: String,
    /// Keep the value strategi.toml has now (the remote's, as the merge kept it).
    #[arg(long)]
    pub keep: bool,
    /// Write this value: TOML ("text" in quotes, true, 42, ["DIO", "DFD"]); anything
    /// that is not TOML is taken as text.
    #[arg(long, value_name = "VALUE", allow_hyphen_values = true)]
    pub value: Option<String>,
}

/// Runs a `config` command.
pub fn run(ctx: &mut Ctx, ui: &mut Ui, cmd: &ConfigCommand) -> Result<(), CommandError> {
    match cmd {
        ConfigCommand::Conflicts => list(ctx, ui),
        ConfigCommand::Settle(a) => run_settle(ctx, ui, a),
    }
}

fn shown(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "(not set)".to_string())
}

fn list(ctx: &mut Ctx, ui: &mut Ui) -> Result<(), CommandError> {
    let ws = ctx.workspace()?;
    let rows = conflicts(&ws)?;
    ui.emit(&rows, |w| {
        if rows.is_empty() {
            writeln!(w, "No conflicts in strategi.toml to settle.")?;
        }
        for r in &rows {
            let c = &r.conflict;
            let by = c
                .merged_by
                .as_ref()
                .map(|p| format!(", merged by {p}"))
                .unwrap_or_default();
            writeln!(
                w,
                "{}  (sync {}{by}){}",
                paint(styles::BOLD, &c.key),
                c.commit.get(..12).unwrap_or(&c.commit),
                if r.owner_only { "  [owner only]" } else { "" }
            )?;
            writeln!(w, "  remote (kept)  {}", shown(&c.remote))?;
            writeln!(w, "  local          {}", shown(&c.local))?;
            writeln!(w, "  now            {}", shown(&r.current))?;
            writeln!(w, "  settle with    {}   (or --value VALUE)", r.settle)?;
        }
        Ok(())
    })
}

fn run_settle(ctx: &mut Ctx, ui: &mut Ui, args: &SettleArgs) -> Result<(), CommandError> {
    let choice = match &args.value {
        Some(v) => SettleChoice::Value(v.clone()),
        None => SettleChoice::Keep,
    };
    let ws = ctx.workspace()?;
    let (tx, config) =
        ctx.begin_with_config(&ws, &format!("strategi config settle {}", args.key))?;
    let actor = ctx.actor(&ws, &config)?;
    let s = settle(tx, &actor, &ctx.clock.now(), &args.key, choice)?;
    ui.emit(&s, |w| {
        for c in &s.settles {
            writeln!(
                w,
                "Sync {} kept the remote's {} over {}{}.",
                c.commit.get(..12).unwrap_or(&c.commit),
                shown(&c.remote),
                shown(&c.local),
                c.merged_by
                    .as_ref()
                    .map(|p| format!(" (merged acting as {p})"))
                    .unwrap_or_default()
            )?;
        }
        let how = if s.changed {
            format!("set to {} (was {})", shown(&s.value), shown(&s.was))
        } else {
            format!("kept as {}", shown(&s.value))
        };
        writeln!(w, "Settled {}: {how}.", paint(styles::BOLD, &s.key))
    })
}
