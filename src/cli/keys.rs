//! `strategi keys allowed-signers`: the parties' signing keys as the allowed-signers file
//! that `ssh-keygen -Y verify` and git's `gpg.ssh.allowedSignersFile` read, so anyone can
//! check a signed approval with stock tools.
//!
//! The keys live in `strategi.toml` (`keys = [...]` under each `[[party]]`, added with
//! `strategi party key`). Each key's principal is `<CODE>@strategi` (e.g. `DFD@strategi`)
//! rather than the party's e-mail address: ministries use shared mailboxes, and the code
//! names the party unambiguously. So an approval is checked with
//! `ssh-keygen -Y verify -f FILE -I DFD@strategi -n git …` or
//! `git -c gpg.ssh.allowedSignersFile=FILE verify-tag approved/v2`.
//!
//! Only a party's own keys go in (those history shows the party added, acting as it;
//! `strategi::approval::keys`): a key another party put in `strategi.toml` is left out
//! with a warning, so stock git never vouches for a signature by it.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use strategi::model::{Config, PartyCode};
use strategi::sign::{PublicKey, allowed_signers};
use strategi::store::OutPath;

use super::{CommandError, Ctx, Ui};

/// The parties' signing keys, for checking approvals with ssh-keygen and git.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Write the allowed-signers file of every party's keys (principal CODE@strategi),
    /// for `git -c gpg.ssh.allowedSignersFile=FILE verify-tag approved/v2` and
    /// `ssh-keygen -Y verify -f FILE -I DFD@strategi -n git`. Printed unless --out is given.
    ///
    /// Example: strategi keys allowed-signers --out allowed_signers
    AllowedSigners(AllowedSignersArgs),
}

/// Arguments of `keys allowed-signers`.
#[derive(Debug, Args)]
pub struct AllowedSignersArgs {
    /// Write the file here instead of printing it (relative to the current folder;
    /// never into the workspace's records, strategy/ or .git).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Replace the --out file if it exists.
    #[arg(long, requires = "out")]
    pub force: bool,
}

/// The principal of a party's keys in an allowed-signers file: `DFD@strategi`.
pub fn principal(code: &PartyCode) -> String {
    format!("{code}@strategi")
}

/// A party's keys from the configuration (checked when it was read); the library's
/// `strategi::approval::party_keys` with the error mapped.
pub fn party_keys(config: &Config, code: &PartyCode) -> Result<Vec<PublicKey>, CommandError> {
    Ok(strategi::approval::party_keys(config, code)?)
}

/// Runs a `keys` command.
pub fn run(ctx: &mut Ctx, ui: &mut Ui, cmd: &KeysCommand) -> Result<(), CommandError> {
    match cmd {
        KeysCommand::AllowedSigners(a) => allowed(ctx, ui, a),
    }
}

fn allowed(ctx: &mut Ctx, ui: &mut Ui, args: &AllowedSignersArgs) -> Result<(), CommandError> {
    let out = args
        .out
        .as_ref()
        .map(|p| OutPath::check(&ctx.start_dir().join(p), args.force))
        .transpose()?;
    let ws = ctx.workspace()?;
    let config = ws.config()?;
    // Keys belong to their party: a key that history shows another party added is
    // left out, so stock git never accepts a signature by it.
    let provenance = strategi::approval::workspace_key_provenance(&ws, &config)?;
    let mut owned: Vec<(String, PublicKey)> = Vec::new();
    for p in &config.parties {
        for k in provenance.own_keys(&config, &p.code)? {
            owned.push((principal(&p.code), k));
        }
    }
    for f in &provenance.foreign {
        ui.warn(format!(
            "Left out: {} Check with `strategi verify`.",
            f.describe()
        ));
    }
    let entries: Vec<(&str, &PublicKey)> = owned.iter().map(|(p, k)| (p.as_str(), k)).collect();
    let text = allowed_signers(&entries)?;
    let json_entries: Vec<serde_json::Value> = owned
        .iter()
        .map(|(p, k)| {
            serde_json::json!({
                "principal": p,
                "key": k.to_openssh_without_comment(),
                "fingerprint": k.fingerprint(),
            })
        })
        .collect();
    if owned.is_empty() {
        ui.warn("No party has a signing key yet; add one with `strategi party key PARTY --add-file KEY.pub`.");
    }
    match &out {
        None => {
            if ui.is_json() {
                ui.emit(
                    &serde_json::json!({ "entries": json_entries, "text": text }),
                    |_| Ok(()),
                )
            } else {
                ui.print_raw(&text)
            }
        }
        Some(out) => {
            out.write(text.as_bytes())?;
            let path = out.path();
            ui.emit(
                &serde_json::json!({ "file": path, "entries": json_entries }),
                |w| {
                    writeln!(
                        w,
                        "Wrote {} key(s) to {}. Check an approval with:",
                        owned.len(),
                        path.display()
                    )?;
                    writeln!(
                        w,
                        "  git -c gpg.ssh.allowedSignersFile={} verify-tag approved/vN",
                        path.display()
                    )
                },
            )
        }
    }
}
