//! `strategi demo`: the reference case, played from start to finish.

use clap::Args;

use super::{CommandError, Ctx, Ui};

/// Build the reference case (the AI strategy for the ministries' community) in DIR and
/// play its lifecycle, printing each step.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Folder to build the demo in (default: ./strategi-demo, or the next free
    /// strategi-demo-N).
    pub dir: Option<std::path::PathBuf>,
}

/// Runs `demo`.
pub fn run(_ctx: &mut Ctx, _ui: &mut Ui, _args: &DemoArgs) -> Result<(), CommandError> {
    Err(CommandError::internal("demo is being written"))
}
