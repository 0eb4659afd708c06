//! The allowed-signers file of `ssh-keygen -Y verify -f` and git's
//! `gpg.ssh.allowedSignersFile`.

use super::{GIT_NAMESPACE, NAMESPACE, PublicKey, SignError};

/// Writes an allowed-signers file (see ALLOWED SIGNERS in `ssh-keygen(1)`): one line per
/// entry, `principal namespaces="git,strategi" ssh-ed25519 AAAA…`, in the order given.
///
/// Each key is accepted only for git's namespace (tags, commits) and strategi's own. The
/// principal is the name `ssh-keygen -Y verify -I` asks for; an e-mail address or
/// `PARTY@strategi`. It must be one plain name: whitespace, quotes, commas (which would
/// make a list) and the pattern characters `*`, `?`, `!` are refused, so a principal
/// never matches more than itself.
pub fn allowed_signers(entries: &[(&str, &PublicKey)]) -> Result<String, SignError> {
    let mut out = String::new();
    for (principal, key) in entries {
        check_principal(principal)?;
        out.push_str(&format!(
            "{principal} namespaces=\"{GIT_NAMESPACE},{NAMESPACE}\" {}\n",
            key.to_openssh_without_comment()
        ));
    }
    Ok(out)
}

fn check_principal(principal: &str) -> Result<(), SignError> {
    let why = if principal.is_empty() {
        Some("it is empty")
    } else if principal
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        Some("it contains a space or a control character")
    } else if principal.contains([',', '"']) {
        Some("it contains a comma or a quote")
    } else if principal.contains(['*', '?', '!']) {
        Some("it contains a pattern character (*, ? or !)")
    } else if principal.starts_with('#') {
        Some("a line starting with # is a comment")
    } else {
        None
    };
    match why {
        Some(why) => Err(SignError::BadPrincipal {
            principal: principal.to_string(),
            why,
        }),
        None => Ok(()),
    }
}
