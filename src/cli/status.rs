//! `strategi status`: where the case stands.

use clap::Args;
use serde::Serialize;

use crate::model::{Case, Version};

use super::milestone::{MilestoneRow, rows, write_rows};
use super::ui::{paint, styles};
use super::{CommandError, Ctx, Ui};

/// Show where the case stands: the case, its versions and its milestones.
#[derive(Debug, Args)]
pub struct StatusArgs {}

#[derive(Serialize)]
struct Status {
    case: Case,
    today: jiff::civil::Date,
    parties: usize,
    versions: usize,
    latest_version: Option<Version>,
    milestones: Vec<MilestoneRow>,
}

/// Runs `status`.
pub fn run(ctx: &mut Ctx, ui: &mut Ui, _args: &StatusArgs) -> Result<(), CommandError> {
    let ws = ctx.workspace()?;
    let config = ws.config()?;
    let names = ws.version_names()?;
    let latest_version = names.last().map(|n| ws.version(*n)).transpose()?;
    let today = ctx.clock.today();
    let status = Status {
        today,
        parties: config.parties.len(),
        versions: names.len(),
        latest_version,
        milestones: rows(&config.milestones, today),
        case: config.case.clone(),
    };
    ui.emit(&status, |w| {
        let c = &status.case;
        writeln!(w, "{}", paint(styles::BOLD, &c.title))?;
        if let Some(n) = &c.number {
            writeln!(w, "Case      {n}")?;
        }
        writeln!(w, "Owner     {} ({})", c.owner, config.party_name(&c.owner))?;
        writeln!(
            w,
            "Approver  {} ({})",
            c.approver,
            config.party_name(&c.approver)
        )?;
        writeln!(w, "Parties   {}", status.parties)?;
        match &status.latest_version {
            None => writeln!(w, "Versions  none yet")?,
            Some(v) => writeln!(
                w,
                "Versions  {} (latest {} \"{}\", {})",
                status.versions,
                v.name,
                v.label,
                v.created.to_zoned_datetime(crate::calendar::oslo()).date()
            )?,
        }
        writeln!(w, "Today     {}", status.today)?;
        if !status.milestones.is_empty() {
            writeln!(w)?;
            writeln!(w, "{}", paint(styles::BOLD, "Milestones"))?;
            write_rows(w, &status.milestones)?;
        }
        Ok(())
    })
}
