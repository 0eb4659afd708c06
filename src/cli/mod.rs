//! The command layer: parses arguments, runs one command, renders its result for a
//! terminal or as JSON. The only part of the crate that reads the environment or talks
//! to people.

mod approve;
mod archive;
mod comment;
mod config;
mod ctx;
mod deadlines;
mod demo;
mod diff;
mod error;
mod export;
mod import;
mod init;
mod journal;
mod keys;
mod letters;
mod milestone;
mod outbox;
mod parse;
mod party;
mod policy;
mod progress;
mod publish;
mod relocate;
mod remind;
mod repair;
mod report;
mod respond;
mod round;
mod signing;
mod status;
mod submit;
mod sync;
mod terminal;
mod ui;
mod verify;
mod version;
mod write;

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use ctx::Ctx;
pub use error::{CommandError, ErrorKind};
pub use ui::Ui;

/// strategi carries a strategy document from first draft to formal approval: drafts in
/// git, versions sent on consultation, comments answered, deadlines kept, approval signed.
#[derive(Debug, Parser)]
#[command(name = "strategi", version, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

/// Flags every command accepts.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Run as if started in DIR (the workspace is found upwards from there, as git does).
    #[arg(short = 'C', global = true, value_name = "DIR")]
    pub chdir: Option<PathBuf>,
    /// Act as this party (its code, e.g. DFD); the default is the case's owner.
    #[arg(long = "as", global = true, value_name = "PARTY", env = "STRATEGI_AS")]
    pub as_party: Option<String>,
    /// The clock: a date (YYYY-MM-DD) or date and time, for planning and tests.
    #[arg(
        long,
        global = true,
        value_name = "DATE|DATETIME",
        env = "STRATEGI_NOW"
    )]
    pub now: Option<String>,
    /// Print exactly one JSON value on stdout instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// When to colour the output (NO_COLOR is honoured in auto).
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,
}

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// Colour on a terminal unless NO_COLOR is set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    Init(init::InitArgs),
    Demo(demo::DemoArgs),
    #[command(subcommand)]
    Party(party::PartyCommand),
    #[command(subcommand)]
    Milestone(milestone::MilestoneCommand),
    #[command(subcommand)]
    Version(version::VersionCommand),
    Status(status::StatusArgs),
    Deadlines(deadlines::DeadlinesArgs),
    Diff(diff::DiffArgs),
    #[command(subcommand)]
    Round(round::RoundCommand),
    Remind(remind::RemindArgs),
    Respond(respond::RespondArgs),
    #[command(subcommand)]
    Comment(comment::CommentCommand),
    Report(report::ReportArgs),
    #[command(subcommand)]
    Outbox(outbox::OutboxCommand),
    Submit(submit::SubmitArgs),
    Approve(approve::ApproveArgs),
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    Verify(verify::VerifyArgs),
    Repair(repair::RepairArgs),
    Sync(sync::SyncArgs),
    Clone(sync::CloneArgs),
    #[command(subcommand)]
    Config(config::ConfigCommand),
    #[command(subcommand)]
    Policy(policy::PolicyCommand),
    Completions(terminal::CompletionsArgs),
    Man(terminal::ManArgs),
    #[command(subcommand)]
    Publish(publish::PublishCommand),
    #[command(subcommand)]
    Archive(archive::ArchiveCommand),
    #[command(subcommand)]
    Journal(journal::JournalCommand),
}

/// Parses `args` and runs the command. Returns the process exit code: 0 done, 1 refused
/// (the message says why), 2 wrong usage, 3 internal failure.
pub fn run(args: impl IntoIterator<Item = OsString>) -> i32 {
    let args: Vec<OsString> = args.into_iter().collect();
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) if e.kind() == clap::error::ErrorKind::ValueValidation => {
            // One of our value parsers refused the value: report it as every other
            // refusal is reported (`Error: …`, `{"error": …}` with --json), with its
            // own exit code.
            let json = args.iter().any(|a| a == "--json");
            let mut ui = Ui::new(ColorWhen::Auto, json);
            let err = match std::error::Error::source(&e)
                .and_then(|s| s.downcast_ref::<parse::ValueError>())
            {
                Some(v) => CommandError::from(v),
                None => CommandError::usage(e.to_string().trim().to_string()),
            };
            ui.error(&err);
            return err.exit_code();
        }
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp
                | clap::error::ErrorKind::DisplayVersion
                | clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => 0,
                _ => 2,
            };
        }
    };
    let mut ui = Ui::new(cli.global.color, cli.global.json);
    let result = Ctx::new(cli.global.clone()).and_then(|mut ctx| {
        let result = match &cli.command {
            // No case yet: `init` and `demo` make one.
            // No case needed: `completions` and `man` describe the commands.
            Command::Init(_) | Command::Demo(_) | Command::Completions(_) | Command::Man(_) => {
                Ok(())
            }
            _ => ctx.check_as(),
        }
        .and_then(|()| dispatch(&mut ctx, &mut ui, &cli.command));
        // What the transactions repaired on the way, and what they could not finish
        // after their commit point (the change is recorded: never an error).
        for n in ctx.notices().take() {
            match n.level {
                strategi::store::NoticeLevel::Warning => ui.warn(&n.text),
                strategi::store::NoticeLevel::Note => ui.note(format!("Note: {}", n.text)),
            }
        }
        result
    });
    match result {
        Ok(()) => 0,
        Err(e) if e.is_broken_pipe() => 0,
        Err(e) => {
            ui.error(&e);
            e.exit_code()
        }
    }
}

pub(crate) fn dispatch(ctx: &mut Ctx, ui: &mut Ui, command: &Command) -> Result<(), CommandError> {
    match command {
        Command::Init(a) => init::run(ctx, ui, a),
        Command::Demo(a) => demo::run(ctx, ui, a),
        Command::Party(c) => party::run(ctx, ui, c),
        Command::Milestone(c) => milestone::run(ctx, ui, c),
        Command::Version(c) => version::run(ctx, ui, c),
        Command::Status(a) => status::run(ctx, ui, a),
        Command::Deadlines(a) => deadlines::run(ctx, ui, a),
        Command::Diff(a) => diff::run(ctx, ui, a),
        Command::Round(c) => round::run(ctx, ui, c),
        Command::Remind(a) => remind::run(ctx, ui, a),
        Command::Respond(a) => respond::run(ctx, ui, a),
        Command::Comment(c) => comment::run(ctx, ui, c),
        Command::Report(a) => report::run(ctx, ui, a),
        Command::Outbox(c) => outbox::run(ctx, ui, c),
        Command::Submit(a) => submit::run(ctx, ui, a),
        Command::Approve(a) => approve::run(ctx, ui, a),
        Command::Keys(c) => keys::run(ctx, ui, c),
        Command::Verify(a) => verify::run(ctx, ui, a),
        Command::Repair(a) => repair::run(ctx, ui, a),
        Command::Sync(a) => sync::run_sync(ctx, ui, a),
        Command::Clone(a) => sync::run_clone(ctx, ui, a),
        Command::Config(c) => config::run(ctx, ui, c),
        Command::Policy(c) => policy::run(ctx, ui, c),
        Command::Completions(a) => terminal::run_completions(ctx, ui, a),
        Command::Man(a) => terminal::run_man(ctx, ui, a),
        Command::Publish(c) => publish::run(ctx, ui, c),
        Command::Archive(c) => archive::run(ctx, ui, c),
        Command::Journal(c) => journal::run(ctx, ui, c),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn command_line_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
