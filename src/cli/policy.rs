//! `strategi policy show|set`: who owns and approves the case and what must be signed.

use clap::{Args, Subcommand, ValueEnum};

use strategi::case::policy::{SignedCommitsView, policy_value, setting_name};
use strategi::case::{policy, set_policy};
use strategi::store::PolicySetting;

use super::ui::{paint, styles};
use super::{CommandError, Ctx, Ui};

/// The case's policy: [case] owner and approver, [approval] require_signature and
/// require_signed_commits.
///
/// Only the case owner changes it, acting as the owner (and, where the case requires
/// the owner's commits to be signed, signed with one of the owner's own keys): that is
/// the change `strategi verify` accepts. The same change made with plain git, or acting
/// as another party, is reported as policy-changed and not counted.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Show the policy, and any change to it that history does not count.
    Show,
    /// Set one policy setting in strategi.toml (the rest of the file stays as it is), in
    /// one commit acting as the owner.
    ///
    /// VALUE: a party code for owner and approver; true or false for
    /// require-signature; true, false or party codes separated by commas
    /// (DIO,DFD) for require-signed-commits.
    ///
    /// Example: strategi policy set require-signature true
    Set(SetArgs),
}

/// A policy setting, by name.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Setting {
    /// [case] owner.
    Owner,
    /// [case] approver.
    Approver,
    /// [approval] require_signature.
    RequireSignature,
    /// [approval] require_signed_commits.
    RequireSignedCommits,
}

impl From<Setting> for PolicySetting {
    fn from(s: Setting) -> Self {
        match s {
            Setting::Owner => PolicySetting::Owner,
            Setting::Approver => PolicySetting::Approver,
            Setting::RequireSignature => PolicySetting::RequireSignature,
            Setting::RequireSignedCommits => PolicySetting::RequireSignedCommits,
        }
    }
}

/// Arguments of `policy set`.
#[derive(Debug, Args)]
pub struct SetArgs {
    /// The setting.
    #[arg(value_enum)]
    pub setting: Setting,
    /// Its new value.
    pub value: String,
    /// Change the owner or approver even though records already made would no longer
    /// hold under the new one (verify will report them).
    #[arg(long)]
    pub force: bool,
}

/// Runs a `policy` command.
pub fn run(ctx: &mut Ctx, ui: &mut Ui, cmd: &PolicyCommand) -> Result<(), CommandError> {
    match cmd {
        PolicyCommand::Show => show(ctx, ui),
        PolicyCommand::Set(a) => set(ctx, ui, a),
    }
}

fn show(ctx: &mut Ctx, ui: &mut Ui) -> Result<(), CommandError> {
    let ws = ctx.workspace()?;
    let p = policy(&ws)?;
    ui.emit(&p, |w| {
        let signed = match &p.require_signed_commits {
            SignedCommitsView::Flag(true) => "every party".to_string(),
            SignedCommitsView::Flag(false) => "no party".to_string(),
            SignedCommitsView::Parties(list) => list
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        };
        writeln!(w, "Owner                   {}", paint(styles::BOLD, &p.owner))?;
        writeln!(w, "Approver                {}", paint(styles::BOLD, &p.approver))?;
        writeln!(
            w,
            "Signed approvals        {}",
            if p.require_signature { "required" } else { "not required" }
        )?;
        writeln!(w, "Signed commits          {signed}")?;
        if let Some(o) = &p.owner_by_history {
            writeln!(
                w,
                "{} history's owner is {o}: strategi.toml's was changed behind the owner's back (see `strategi verify`)",
                paint(styles::BAD, "Note")
            )?;
        }
        for c in &p.not_counted {
            writeln!(
                w,
                "{} {} changed from {} to {} in {} is not counted (see `strategi verify`)",
                paint(styles::BAD, "Note"),
                c.setting,
                c.old.as_deref().unwrap_or("nothing"),
                c.new.as_deref().unwrap_or("nothing"),
                c.commit.get(..12).unwrap_or(&c.commit)
            )?;
        }
        Ok(())
    })
}

fn set(ctx: &mut Ctx, ui: &mut Ui, args: &SetArgs) -> Result<(), CommandError> {
    let setting = PolicySetting::from(args.setting);
    let value = policy_value(setting, &args.value)?;
    let ws = ctx.workspace()?;
    let (tx, config) = ctx.begin_with_config(
        &ws,
        &format!("strategi policy set {}", setting_name(setting)),
    )?;
    let actor = ctx.actor(&ws, &config)?;
    let s = set_policy(tx, &actor, &ctx.clock.now(), setting, &value, args.force)?;
    if !s.voided.is_empty() {
        ui.warn(format!(
            "--force: {} record(s) made before no longer hold under the new {} (`strategi verify` lists them): {}",
            s.voided.len(),
            s.setting,
            s.voided.iter().take(5).cloned().collect::<Vec<_>>().join("; ")
        ));
    }
    ui.emit(&s, |w| {
        writeln!(
            w,
            "Set {} to {} (was {}){}.",
            paint(styles::BOLD, setting.name()),
            s.new,
            s.old.as_deref().unwrap_or("not set"),
            if s.loosens {
                ", loosening the policy"
            } else {
                ""
            }
        )
    })
}
