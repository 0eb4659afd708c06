//! Signed commits: whether the commits of a write are signed, and with which key.
//!
//! The *policy* is the case's (`[approval] require_signed_commits` in `strategi.toml`);
//! the *key* is the person's, resolved as git resolves it for `git commit -S` with
//! `gpg.format = ssh`: `user.signingKey` names the private key file (or its `.pub`,
//! whose private sibling is used), and `commit.gpgSign = true` turns signing on for that
//! person even where the case does not require it. The settings are read through git
//! (`git config --get` in the workspace), so every config file, include and
//! environment variable git honours counts, as for the person's identity.

use std::path::{Path, PathBuf};

use strategi::approval::keys::workspace_key_provenance;
use strategi::model::{Config, PartyCode};
use strategi::sign::PrivateKey;
use strategi::store::{NoticeLevel, Workspace};

use super::CommandError;

/// Git's signing settings in a folder.
#[derive(Debug, Default)]
pub struct GitSigning {
    /// `gpg.format` (`openpgp` when unset).
    pub format: Option<String>,
    /// `user.signingKey`, as git expands it (`--type=path`).
    pub key: Option<String>,
}

/// What `git config --get NAME` says in `dir` (`None` when unset).
fn git_config(dir: &Path, name: &str, kind: Option<&str>) -> Result<Option<String>, CommandError> {
    let mut args = vec!["config".to_string()];
    args.extend(kind.map(|k| format!("--type={k}")));
    args.extend(["--get".to_string(), name.to_string()]);
    let output = std::process::Command::new("git")
        .args(&args)
        .current_dir(dir)
        .env("LC_ALL", "C")
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| {
            CommandError::user("strategi asks git how you sign commits, but could not run git.")
                .caused_by(&e)
                .hint("Install git (https://git-scm.com) and make sure `git` is on the PATH.")
        })?;
    match output.status.code() {
        Some(0) => Ok(Some(
            String::from_utf8_lossy(&output.stdout).trim().to_string(),
        )),
        // 1: the key is not set.
        Some(1) => Ok(None),
        _ => {
            let said = String::from_utf8_lossy(&output.stderr).trim().to_string();
            Err(
                CommandError::user(format!("Git could not read the setting {name}."))
                    .cause(format!("git: {said}"))
                    .hint(format!(
                        "Run `git config --get {name}` in the workspace and correct the value git complains about."
                    )),
            )
        }
    }
}

impl GitSigning {
    /// Git's signing settings in `dir` (`commit.gpgSign` is read apart, first).
    pub fn read(dir: &Path) -> Result<GitSigning, CommandError> {
        Ok(GitSigning {
            format: git_config(dir, "gpg.format", None)?,
            key: git_config(dir, "user.signingKey", Some("path"))?,
        })
    }

    /// Whether git is set to sign with SSH keys.
    pub fn is_ssh(&self) -> bool {
        self.format.as_deref() == Some("ssh")
    }

    /// The private key git would sign with, read from its file. `Err` says why there
    /// is none that strategi can use.
    pub fn private_key(&self) -> Result<PrivateKey, String> {
        if !self.is_ssh() {
            return Err(match &self.format {
                None => "git is not set to sign with an SSH key (gpg.format is not set, so git would use OpenPGP)".to_string(),
                Some(f) => format!("git is set to sign with {f} (gpg.format = {f}), and strategi signs with SSH keys only"),
            });
        }
        let Some(value) = self.key.as_deref().filter(|v| !v.trim().is_empty()) else {
            return Err("git names no signing key (user.signingKey is not set)".to_string());
        };
        let value = value.trim();
        if value.starts_with("key::") || value.starts_with("ssh-") {
            return Err(format!(
                "user.signingKey holds a public key literal (\"{}…\"), which only ssh-agent can sign with; strategi signs in-process and needs the private key file",
                value.chars().take(16).collect::<String>()
            ));
        }
        let path = PathBuf::from(value);
        let private = match value.strip_suffix(".pub") {
            Some(stem) => {
                let sibling = PathBuf::from(stem);
                if !sibling.is_file() {
                    return Err(format!(
                        "user.signingKey names the public key \"{value}\", and its private key \"{stem}\" is not there (an agent-only key); strategi signs in-process and needs the private key file"
                    ));
                }
                sibling
            }
            None => path,
        };
        PrivateKey::from_file(&private).map_err(|e| {
            let mut why = format!("the key \"{}\" cannot be used: {e}", private.display());
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                why.push_str(&format!(" ({s})"));
                source = s.source();
            }
            why
        })
    }
}

/// The `git config` commands that make git (and strategi) sign with an SSH key.
fn how_to_sign(party: &str) -> String {
    format!(
        "Sign with an Ed25519 key file: `git config gpg.format ssh`, `git config user.signingKey ~/.ssh/id_ed25519` and `git config commit.gpgSign true` (make one with `ssh-keygen -t ed25519 -f ~/.ssh/id_ed25519`; add --global to use it in every repository), then add its public half to {party} with `strategi --as {party} party key {party} --add-file ~/.ssh/id_ed25519.pub`. Nothing was changed."
    )
}

/// The key the commits of a write acting as `party` are signed with, if signing
/// applies: the case requires signed commits of `party`, or git's `commit.gpgSign` is
/// on. Refused (exit 1, before anything is written) when signing applies and there is
/// no usable key, or when the case requires it and the key is not one of the party's
/// own (unless `key_change`: the command adds the key to the party).
pub fn signing_key(
    ws: &Workspace,
    config: Option<&Config>,
    party: Option<&PartyCode>,
    key_change: bool,
) -> Result<Option<PrivateKey>, CommandError> {
    let required = match (config, party) {
        (Some(c), Some(p)) => c.approval.signed_commits.requires(p.as_str()),
        _ => false,
    };
    // One git call when nothing asks for signing (the common case).
    let sign_commits =
        git_config(ws.root(), "commit.gpgSign", Some("bool"))?.as_deref() == Some("true");
    if !required && !sign_commits {
        return Ok(None);
    }
    let git = GitSigning::read(ws.root())?;
    let key = match git.private_key() {
        Ok(k) => k,
        Err(why) => {
            let party = party.map_or_else(|| "PARTY".to_string(), PartyCode::to_string);
            let message = if required {
                format!(
                    "This case requires {party}'s commits to be signed ([approval] require_signed_commits in strategi.toml), but {why}."
                )
            } else {
                format!("Git is set to sign every commit (commit.gpgSign = true), but {why}.")
            };
            let mut err = CommandError::user(message).hint(how_to_sign(&party));
            if !required {
                err = err.hint(
                    "Or turn signing off for this workspace: `git config commit.gpgSign false`.",
                );
            }
            return Err(err);
        }
    };
    if required
        && !key_change
        && let (Some(config), Some(party)) = (config, party)
    {
        let own = workspace_key_provenance(ws, config)?.own_keys(config, party)?;
        let public = key.public_key();
        if own.is_empty() {
            // Nothing to check against yet: the commits are signed, and count for the
            // party once it adds the key (verify says so until then).
            let add = if config.party(party).is_some() {
                format!("`strategi --as {party} party key {party} --add-file KEY.pub`")
            } else {
                format!(
                    "`strategi party add {party} --name NAME --email ADDRESS` and `strategi --as {party} party key {party} --add-file KEY.pub`"
                )
            };
            ws.notices().push(
                NoticeLevel::Warning,
                format!(
                    "This case requires {party}'s commits to be signed with {party}'s own key, and {party} has no key yet: this commit is signed with {}, but only commits made after {party} adds its key ({add}) count as {party}'s; `strategi verify` reports those before it that touch records.",
                    key.fingerprint()
                ),
            );
        } else if !own.contains(&public) {
            let listed = format!(
                "{party}'s own keys are {}",
                own.iter()
                    .map(|k| k.fingerprint())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            return Err(CommandError::user(format!(
                "This case requires {party}'s commits to be signed with one of {party}'s own keys, and the key git signs with ({}) is not one of them: {listed}.",
                key.fingerprint()
            ))
            .hint(format!(
                "Point `git config user.signingKey` at one of {party}'s keys, or add this one acting as {party}: `strategi --as {party} party key {party} --add-file KEY.pub`. Nothing was changed."
            )));
        }
    }
    Ok(Some(key))
}
