//! `strategi completions SHELL` and `strategi man [COMMAND]...`: the shell completion
//! script and the manual pages, both generated from the clap definitions of [`Cli`], so
//! that they cannot drift from the commands.
//!
//! The manual follows git and cargo: one page per command, named `strategi-round-open(1)`
//! after the command's path. `strategi man` prints `strategi(1)`, whose SUBCOMMANDS
//! section lists the commands and refers to their pages; `strategi man round open`
//! prints that command's page. Neither needs a workspace.

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::{Cli, CommandError, Ctx, Ui};

/// Print a shell completion script for strategi on standard output: commands, options
/// and their values complete with Tab.
///
/// Install it where your shell looks for completions:
///
/// bash: strategi completions bash > ~/.local/share/bash-completion/completions/strategi
///
/// zsh: strategi completions zsh > ~/.zfunc/_strategi (with fpath+=~/.zfunc before
/// compinit in ~/.zshrc)
///
/// fish: strategi completions fish > ~/.config/fish/completions/strategi.fish
///
/// PowerShell: strategi completions powershell >> $PROFILE
///
/// Example: strategi completions bash > ~/.local/share/bash-completion/completions/strategi
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, powershell or elvish.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: Shell,
}

/// Print a manual page (roff) on standard output: strategi(1), which lists the
/// commands, or the page of one command, such as strategi-round-open(1).
///
/// Read it with `strategi man round open | man -l -`, or install the pages in a man
/// folder on MANPATH (strategi man > ~/.local/share/man/man1/strategi.1).
///
/// Example: strategi man round open | man -l -
#[derive(Debug, Args)]
pub struct ManArgs {
    /// The command whose page to print, as typed after `strategi` (e.g. `round open`);
    /// none for strategi(1).
    #[arg(value_name = "COMMAND")]
    pub command: Vec<String>,
}

/// Runs `completions`.
pub fn run_completions(
    _ctx: &mut Ctx,
    ui: &mut Ui,
    args: &CompletionsArgs,
) -> Result<(), CommandError> {
    let script = completion_script(args.shell)?;
    if ui.is_json() {
        return ui.emit(
            &serde_json::json!({ "shell": args.shell.to_string(), "script": script }),
            |_| Ok(()),
        );
    }
    ui.print_raw(&script)
}

/// Runs `man`.
pub fn run_man(_ctx: &mut Ctx, ui: &mut Ui, args: &ManArgs) -> Result<(), CommandError> {
    let (name, page) = man_page(&args.command)?;
    if ui.is_json() {
        return ui.emit(
            &serde_json::json!({ "command": name, "page": page }),
            |_| Ok(()),
        );
    }
    ui.print_raw(&page)
}

/// The completion script for `shell`.
fn completion_script(shell: Shell) -> Result<String, CommandError> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "strategi", &mut buf);
    String::from_utf8(buf).map_err(|e| {
        CommandError::internal(format!(
            "The {shell} completion script is not UTF-8 text: {e}"
        ))
    })
}

/// The page of the command at `path` (names after `strategi`): its command line as
/// words (`strategi round open`) and the page as roff.
fn man_page(path: &[String]) -> Result<(String, String), CommandError> {
    // Built once from the root, so that every subcommand carries its full name
    // (`strategi-round-open`) and the pages refer to each other by it. clap's own `help`
    // subcommand is not a command of strategi and gets no page.
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut at = &cmd;
    let mut words = vec!["strategi".to_string()];
    for name in path {
        let found = at.get_subcommands().find(|s| {
            !s.is_hide_set() && (s.get_name() == name || s.get_all_aliases().any(|a| a == name))
        });
        let Some(sub) = found else {
            let known: Vec<&str> = at
                .get_subcommands()
                .filter(|s| !s.is_hide_set())
                .map(|s| s.get_name())
                .collect();
            let here = words.join(" ");
            return Err(if known.is_empty() {
                CommandError::user(format!(
                    "`{here}` has no subcommands, so there is no page for `{here} {name}`."
                ))
                .hint(format!(
                    "Leave out \"{name}\": `strategi man {}`.",
                    words[1..].join(" ")
                ))
            } else {
                CommandError::user(format!(
                    "\"{name}\" is not a command of `{here}`; its commands are: {}.",
                    known.join(", ")
                ))
                .hint("`strategi man` prints strategi(1), which lists every command.")
            });
        };
        words.push(sub.get_name().to_string());
        at = sub;
    }
    let man =
        clap_mangen::Man::new(at.clone()).source(format!("strategi {}", env!("CARGO_PKG_VERSION")));
    let mut buf = Vec::new();
    man.render(&mut buf)
        .map_err(|e| CommandError::internal(format!("Could not render the manual page: {e}")))?;
    let page = String::from_utf8(buf)
        .map_err(|e| CommandError::internal(format!("The manual page is not UTF-8 text: {e}")))?;
    Ok((words.join(" "), page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_has_a_page_that_names_its_subcommands() {
        let (name, top) = man_page(&[]).expect("strategi(1)");
        assert_eq!(name, "strategi");
        assert!(top.contains("\n.TH strategi 1 "), "{top}");
        for sub in ["round", "comment", "completions", "man", "report"] {
            assert!(
                top.contains(&format!("strategi\\-{sub}(1)")),
                "{sub} missing:\n{top}"
            );
        }
        assert!(!top.contains("strategi\\-help(1)"), "{top}");
        let (name, open) = man_page(&["round".into(), "open".into()]).expect("round open");
        assert_eq!(name, "strategi round open");
        assert!(open.contains(".TH strategi-round-open 1"), "{open}");
    }

    #[test]
    fn an_unknown_command_is_refused_with_the_known_ones() {
        let e = man_page(&["rond".into()]).expect_err("no such command");
        assert!(
            e.message
                .contains("\"rond\" is not a command of `strategi`"),
            "{}",
            e.message
        );
        assert!(e.message.contains("round"), "{}", e.message);
        let e = man_page(&["status".into(), "x".into()]).expect_err("no subcommands");
        assert!(e.message.contains("has no subcommands"), "{}", e.message);
    }
}
