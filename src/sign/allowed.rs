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

/// An allowed-signers file as read (see ALLOWED SIGNERS in `ssh-keygen(1)`): a trust
/// anchor from outside the workspace, such as the approver's published key.
///
/// Each line is `principals [options] keytype base64 [comment]`; blank lines and lines
/// starting with `#` are skipped. Principals are a comma-separated list of patterns
/// (`*`, `?`, and `!` to exclude) as ssh-keygen matches them. Of the options,
/// `namespaces="…"` is honoured; an entry with `cert-authority`, `valid-after` or
/// `valid-before` is not counted (strategi checks plain keys and does not evaluate
/// validity periods, so such a key is never taken as allowed). Keys of types other than
/// ssh-ed25519 are skipped (strategi signs with Ed25519 only, so they never match).
#[derive(Debug, Clone, Default)]
pub struct AllowedSigners {
    entries: Vec<AllowedEntry>,
}

#[derive(Debug, Clone)]
struct AllowedEntry {
    principals: String,
    namespaces: Option<Vec<String>>,
    key: PublicKey,
}

impl AllowedSigners {
    /// Reads the text of an allowed-signers file. A line that is not an entry is an
    /// error naming its number.
    pub fn parse(text: &str) -> Result<AllowedSigners, SignError> {
        let mut entries = Vec::new();
        for (n, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |why: &str| SignError::BadAllowedSigners {
                line: n + 1,
                why: why.to_string(),
            };
            let (principals, rest) = split_field(line);
            if rest.is_empty() {
                return Err(bad("there is no key after the principals"));
            }
            let principals = principals.trim_matches('"').to_string();
            let (first, after) = split_field(rest);
            let (options, key_text) = if is_key_type(first) {
                (None, rest)
            } else {
                (Some(first), after)
            };
            let mut namespaces = None;
            let mut counted = true;
            for opt in options.map(split_options).unwrap_or_default() {
                let (name, value) = match opt.split_once('=') {
                    Some((n, v)) => (n.to_ascii_lowercase(), Some(v.trim_matches('"'))),
                    None => (opt.to_ascii_lowercase(), None),
                };
                match (name.as_str(), value) {
                    ("namespaces", Some(v)) => {
                        namespaces = Some(v.split(',').map(|s| s.trim().to_string()).collect())
                    }
                    ("cert-authority" | "valid-after" | "valid-before", _) => counted = false,
                    _ => {
                        return Err(bad(&format!(
                            "the option \"{opt}\" is not one ssh-keygen knows"
                        )));
                    }
                }
            }
            let (kind, _) = split_field(key_text);
            if !is_key_type(kind) {
                return Err(bad(&format!("\"{kind}\" is not a key type")));
            }
            let key = match PublicKey::from_openssh(key_text) {
                Ok(k) => k,
                Err(SignError::UnsupportedKeyType { .. }) => continue,
                Err(e) => return Err(bad(&e.to_string())),
            };
            if counted {
                entries.push(AllowedEntry {
                    principals,
                    namespaces,
                    key,
                });
            }
        }
        Ok(AllowedSigners { entries })
    }

    /// The keys allowed to sign as `principal` in `namespace`.
    pub fn keys_for(&self, principal: &str, namespace: &str) -> Vec<PublicKey> {
        self.entries
            .iter()
            .filter(|e| principal_matches(&e.principals, principal))
            .filter(|e| {
                e.namespaces
                    .as_ref()
                    .is_none_or(|ns| ns.iter().any(|n| pattern_matches(n, namespace)))
            })
            .map(|e| e.key.clone())
            .collect()
    }

    /// How many entries count.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no entry counts.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The first whitespace-separated field (quotes keep spaces inside it) and the rest.
fn split_field(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    let mut quoted = false;
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => return (&s[..i], s[i..].trim_start()),
            _ => {}
        }
    }
    (s, "")
}

/// Options separated by commas outside quotes.
fn split_options(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out.into_iter().filter(|o| !o.is_empty()).collect()
}

fn is_key_type(s: &str) -> bool {
    s.starts_with("ssh-") || s.starts_with("ecdsa-") || s.starts_with("sk-")
}

/// ssh's `match_pattern_list`: a negated pattern that matches excludes; otherwise any
/// pattern that matches includes.
fn principal_matches(list: &str, principal: &str) -> bool {
    let mut matched = false;
    for p in list.split(',') {
        if let Some(neg) = p.strip_prefix('!') {
            if pattern_matches(neg, principal) {
                return false;
            }
        } else if pattern_matches(p, principal) {
            matched = true;
        }
    }
    matched
}

/// A glob with `*` (any run) and `?` (any one character).
fn pattern_matches(pattern: &str, s: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = s.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::PrivateKey;

    #[test]
    fn reads_what_ssh_keygen_reads() {
        let a = PrivateKey::from_seed(&[1; 32], "a")
            .expect("key")
            .public_key();
        let b = PrivateKey::from_seed(&[2; 32], "b")
            .expect("key")
            .public_key();
        let text = format!(
            "# published keys\n\nDFD@strategi namespaces=\"git,strategi\" {} a comment\n*@fin.example,!x@fin.example {}\nDFD@strategi valid-after=\"20250101\" {}\nDFD@strategi ssh-rsa AAAAB3NzaC1yc2E\n",
            a.to_openssh_without_comment(),
            b.to_openssh_without_comment(),
            b.to_openssh_without_comment(),
        );
        let s = AllowedSigners::parse(&text).expect("parse");
        assert_eq!(s.len(), 2);
        assert_eq!(s.keys_for("DFD@strategi", "git"), vec![a.clone()]);
        assert!(s.keys_for("DFD@strategi", "file").is_empty());
        assert_eq!(s.keys_for("kari@fin.example", "git"), vec![b]);
        assert!(s.keys_for("x@fin.example", "git").is_empty());
        assert!(s.keys_for("FIN@strategi", "git").is_empty());
        let e = AllowedSigners::parse("DFD@strategi\n").expect_err("bad");
        assert!(e.to_string().contains("Line 1"), "{e}");
        let e = AllowedSigners::parse("DFD@strategi nope=1 ssh-ed25519 AAAA\n").expect_err("bad");
        assert!(e.to_string().contains("nope"), "{e}");
    }
}
