//! Tags (and commits) signed with an SSH key, exactly as `git tag -s` and
//! `git commit -S` write them with `gpg.format = ssh`, so `git verify-tag` and
//! `git verify-commit` check them with nothing but git and ssh-keygen.
//!
//! A signed tag is an ordinary annotated tag object whose message is followed by an
//! armored sshsig over everything before it (namespace `git`):
//!
//! ```text
//! object 959a58c6e7501c65307fe398f16a10f332573657
//! type commit
//! tag v3-approved
//! tagger Kari Nordmann <kari@fin.dep.no> 1700000000 +0100
//!
//! Approved.
//! -----BEGIN SSH SIGNATURE-----
//! U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAg…
//! -----END SSH SIGNATURE-----
//! ```
//!
//! The signed text (the *payload*) is the object up to and including the message's final
//! newline; git finds the signature as the last line that starts with `-----BEGIN `
//! (see git's `gpg-interface.c`, `parse_signed_buffer`). libgit2 has no call for this,
//! so the object is built here and written to the object database as it is.
//!
//! A signed commit carries its signature in a `gpgsig` header instead, over the commit
//! object without that header; libgit2 does place and extract that header.

use git2::{ErrorCode, ObjectType, Oid};

use super::tx::Actor;
use super::{StoreError, Workspace};
use crate::sign::{self, GIT_NAMESPACE, PrivateKey, PublicKey, SignError};

/// The line that starts an SSH signature.
const SSH_BEGIN: &str = "-----BEGIN SSH SIGNATURE-----";
/// The lines that start the signatures git knows (OpenPGP, X.509, SSH).
const SIGNATURE_STARTS: [(&str, &str); 4] = [
    ("-----BEGIN PGP SIGNATURE-----", "OpenPGP (gpg)"),
    ("-----BEGIN PGP MESSAGE-----", "OpenPGP (gpg)"),
    ("-----BEGIN SIGNED MESSAGE-----", "X.509 (gpgsm)"),
    (SSH_BEGIN, "SSH"),
];

/// What can go wrong with signed tags and commits.
#[derive(Debug, thiserror::Error)]
pub enum SignedTagError {
    /// Reading or writing the repository failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A tag name git does not accept.
    #[error(
        "\"{name}\" cannot be a tag name: git refuses names with spaces, control characters, '..', '~', '^', ':', '?', '*', '[' or '\\', and names ending in '.' or '.lock'."
    )]
    BadName {
        /// The name given.
        name: String,
    },
    /// The tag exists already.
    #[error("The tag \"{name}\" already exists; a signed tag is never replaced.")]
    Exists {
        /// The tag.
        name: String,
    },
    /// A message that cannot go into a signed tag or commit.
    #[error("The message cannot be signed: {why}.")]
    BadMessage {
        /// What is wrong with it.
        why: &'static str,
    },
    /// A name or e-mail that cannot be the tagger or committer.
    #[error(
        "\"{who}\" cannot sign a git object: a name and e-mail must not contain '<', '>' or line breaks."
    )]
    BadSigner {
        /// `name <email>` as given.
        who: String,
    },
    /// No such tag.
    #[error("There is no tag \"{name}\".")]
    NotFound {
        /// The tag.
        name: String,
    },
    /// A lightweight tag (a ref straight to a commit).
    #[error(
        "The tag \"{name}\" is a lightweight tag: it has no message and cannot carry a signature."
    )]
    NotAnnotated {
        /// The tag.
        name: String,
    },
    /// An annotated tag or a commit without a signature.
    #[error("{what} is not signed.")]
    Unsigned {
        /// "The tag \"v3\"", "The commit 1a2b3c…".
        what: String,
    },
    /// Signed, but not with an SSH key.
    #[error(
        "{what} is signed with {format}, not with an SSH key; strategi checks SSH signatures only."
    )]
    NotSsh {
        /// "The tag \"v3\"", "The commit 1a2b3c…".
        what: String,
        /// The signature format found.
        format: &'static str,
    },
    /// A tag object that does not read as one.
    #[error("The tag \"{name}\" is not a well-formed signed tag: {why}.")]
    Malformed {
        /// The tag.
        name: String,
        /// What is wrong.
        why: String,
    },
    /// A signed tag object stored under another tag's name.
    #[error(
        "The ref \"{name}\" holds the tag object named \"{inside}\": the signature vouches for \"{inside}\", not for \"{name}\"."
    )]
    NameMismatch {
        /// The ref's tag name.
        name: String,
        /// The name inside the signed object.
        inside: String,
    },
    /// Signing failed.
    #[error("Could not sign {what}.")]
    Signing {
        /// What was being signed.
        what: String,
        /// Why.
        source: SignError,
    },
    /// The signature does not hold (changed text, key not allowed, …).
    #[error("The signature of {what} does not hold: {source}")]
    Verification {
        /// What was checked.
        what: String,
        /// Why it does not hold.
        source: SignError,
    },
}

/// A signed annotated tag as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedTag {
    /// The tag's name (without `refs/tags/`).
    pub name: String,
    /// The tag object's id (hex).
    pub id: String,
    /// The tagged commit's id (hex).
    pub target: String,
    /// The tagger line's value: `Name <email> seconds ±hhmm`.
    pub tagger: String,
    /// The message, ending in a newline, without the signature.
    pub message: String,
    /// The signed text: the tag object up to the signature.
    pub payload: String,
    /// The armored SSH signature over `payload`.
    pub signature: String,
}

/// A signed tag whose signature holds, and the allowed key that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedTag<'k> {
    /// The tag.
    pub tag: SignedTag,
    /// The key that signed it, from the allowed keys.
    pub signer: &'k PublicKey,
}

impl Workspace {
    /// Creates the annotated tag `name` on `commit`, signed with `key` as `git tag -s`
    /// does with `gpg.format = ssh`, and the ref `refs/tags/<name>`. Refuses when the
    /// tag exists. The message is cleaned as git cleans it (trailing spaces, leading and
    /// trailing blank lines and runs of blank lines removed, one final newline).
    pub fn create_signed_tag(
        &self,
        name: &str,
        commit: Oid,
        message: &str,
        tagger: &Actor,
        when: &jiff::ZonedDateTime,
        key: &PrivateKey,
    ) -> Result<SignedTag, SignedTagError> {
        let refname = tag_ref(name)?;
        // A tag dated before the latest commit would move history backwards.
        self.check_forward(when)?;
        match self.repo.find_reference(&refname) {
            Ok(_) => {
                return Err(SignedTagError::Exists {
                    name: name.to_string(),
                });
            }
            Err(e) if e.code() == ErrorCode::NotFound => {}
            Err(e) => return Err(StoreError::git(format!("look up the tag \"{name}\""))(e).into()),
        }
        self.repo
            .find_commit(commit)
            .map_err(StoreError::git(format!("read commit {commit}")))?;
        let message = clean_message(message)?;
        let payload = format!(
            "object {commit}\ntype commit\ntag {name}\ntagger {}\n\n{message}",
            ident_line(tagger, when)?
        );
        let signature = sign::sign(key, GIT_NAMESPACE, payload.as_bytes()).map_err(|source| {
            SignedTagError::Signing {
                what: format!("the tag \"{name}\""),
                source,
            }
        })?;
        let object = format!("{payload}{signature}");
        let id = self
            .repo
            .odb()
            .and_then(|odb| odb.write(ObjectType::Tag, object.as_bytes()))
            .map_err(StoreError::git(format!("write the tag \"{name}\"")))?;
        super::crash::reach(super::crash::BEFORE_TAG);
        self.repo
            .reference(&refname, id, false, &format!("strategi: signed tag {name}"))
            .map_err(|e| {
                if e.code() == ErrorCode::Exists {
                    SignedTagError::Exists {
                        name: name.to_string(),
                    }
                } else {
                    StoreError::git(format!("create the tag \"{name}\""))(e).into()
                }
            })?;
        super::crash::reach(super::crash::AFTER_TAG);
        self.signed_tag(name)
    }

    /// [`Workspace::create_signed_tag`] on the commit with this hex id.
    pub fn create_signed_tag_at(
        &self,
        name: &str,
        commit: &str,
        message: &str,
        tagger: &Actor,
        when: &jiff::ZonedDateTime,
        key: &PrivateKey,
    ) -> Result<SignedTag, SignedTagError> {
        let oid = Oid::from_str(commit)
            .map_err(StoreError::git(format!("read the commit id \"{commit}\"")))?;
        self.create_signed_tag(name, oid, message, tagger, when, key)
    }

    /// Whether the tag `name` exists.
    pub fn tag_exists(&self, name: &str) -> Result<bool, SignedTagError> {
        let refname = tag_ref(name)?;
        match self.repo.find_reference(&refname) {
            Ok(_) => Ok(true),
            Err(e) if e.code() == ErrorCode::NotFound => Ok(false),
            Err(e) => Err(StoreError::git(format!("look up the tag \"{name}\""))(e).into()),
        }
    }

    /// Removes the tag ref `name` if it points at `id` (used to undo a tag made by a
    /// command whose commit then failed). The tag object stays until git's gc.
    pub fn remove_tag_if(&self, name: &str, id: &str) -> Result<(), SignedTagError> {
        let refname = tag_ref(name)?;
        match self.repo.find_reference(&refname) {
            Ok(mut r) => {
                if r.target().map(|o| o.to_string()).as_deref() == Some(id) {
                    r.delete()
                        .map_err(StoreError::git(format!("remove the tag \"{name}\"")))?;
                }
                Ok(())
            }
            Err(e) if e.code() == ErrorCode::NotFound => Ok(()),
            Err(e) => Err(StoreError::git(format!("look up the tag \"{name}\""))(e).into()),
        }
    }

    /// Reads the signed tag `name` and splits it into payload and signature, without
    /// checking the signature.
    pub fn signed_tag(&self, name: &str) -> Result<SignedTag, SignedTagError> {
        let refname = tag_ref(name)?;
        let reference = match self.repo.find_reference(&refname) {
            Ok(r) => r,
            Err(e) if e.code() == ErrorCode::NotFound => {
                return Err(SignedTagError::NotFound {
                    name: name.to_string(),
                });
            }
            Err(e) => return Err(StoreError::git(format!("read the tag \"{name}\""))(e).into()),
        };
        let malformed = |why: &str| SignedTagError::Malformed {
            name: name.to_string(),
            why: why.to_string(),
        };
        let id = reference
            .target()
            .ok_or_else(|| malformed("its ref is symbolic"))?;
        let odb = self
            .repo
            .odb()
            .map_err(StoreError::git("open the object database"))?;
        let object = odb
            .read(id)
            .map_err(StoreError::git(format!("read the tag \"{name}\"")))?;
        if object.kind() != ObjectType::Tag {
            return Err(SignedTagError::NotAnnotated {
                name: name.to_string(),
            });
        }
        let text = std::str::from_utf8(object.data()).map_err(|_| malformed("it is not UTF-8"))?;
        let what = || format!("The tag \"{name}\"");
        let (payload, signature) = split_signature(text, what)?;

        let (headers, message) = payload
            .split_once("\n\n")
            .ok_or_else(|| malformed("it has no message"))?;
        let header = |key: &str| {
            headers
                .lines()
                .find_map(|l| l.strip_prefix(key).and_then(|v| v.strip_prefix(' ')))
        };
        if header("type") != Some("commit") {
            return Err(malformed("it does not point at a commit"));
        }
        let target = header("object").ok_or_else(|| malformed("it has no object line"))?;
        let inside = header("tag").ok_or_else(|| malformed("it has no tag line"))?;
        if inside != name {
            return Err(SignedTagError::NameMismatch {
                name: name.to_string(),
                inside: inside.to_string(),
            });
        }
        Ok(SignedTag {
            name: name.to_string(),
            id: id.to_string(),
            target: target.to_string(),
            tagger: header("tagger").unwrap_or_default().to_string(),
            message: message.to_string(),
            payload: payload.to_string(),
            signature: signature.to_string(),
        })
    }

    /// Reads the signed tag `name` and checks that its signature (namespace `git`) holds
    /// and was made by one of `allowed`, as `git verify-tag` does with an allowed-signers
    /// file of those keys.
    pub fn verify_signed_tag<'k>(
        &self,
        name: &str,
        allowed: &'k [PublicKey],
    ) -> Result<VerifiedTag<'k>, SignedTagError> {
        let tag = self.signed_tag(name)?;
        let signer = sign::verify(
            &tag.signature,
            GIT_NAMESPACE,
            tag.payload.as_bytes(),
            allowed,
        )
        .map_err(|source| SignedTagError::Verification {
            what: format!("the tag \"{name}\""),
            source,
        })?;
        Ok(VerifiedTag { tag, signer })
    }

    /// Writes a commit of `tree` with `parents`, signed with `key` in a `gpgsig` header
    /// as `git commit -S` does with `gpg.format = ssh`; author and committer are
    /// `signer` at `when`. Only the object is written: no ref moves.
    pub fn create_signed_commit(
        &self,
        tree: Oid,
        parents: &[Oid],
        message: &str,
        signer: &Actor,
        when: &jiff::ZonedDateTime,
        key: &PrivateKey,
    ) -> Result<Oid, SignedTagError> {
        let message = clean_message(message)?;
        ident_line(signer, when)?; // the same checks of name and e-mail as for a tag
        let sig = Workspace::signature(signer, when)?;
        let tree = self
            .repo
            .find_tree(tree)
            .map_err(StoreError::git(format!("read tree {tree}")))?;
        let parents = parents
            .iter()
            .map(|p| self.repo.find_commit(*p))
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::git("read the parent commits"))?;
        let parent_refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
        let buffer = self
            .repo
            .commit_create_buffer(&sig, &sig, &message, &tree, &parent_refs)
            .map_err(StoreError::git("build the commit"))?;
        let content = buffer.as_str().map_err(|_| SignedTagError::BadMessage {
            why: "the commit is not UTF-8",
        })?;
        let signature = sign::sign(key, GIT_NAMESPACE, content.as_bytes()).map_err(|source| {
            SignedTagError::Signing {
                what: "the commit".to_string(),
                source,
            }
        })?;
        // libgit2 indents the header's continuation lines; git's own header has no
        // blank continuation line, so the signature's final newline goes.
        Ok(self
            .repo
            .commit_signed(content, signature.trim_end_matches('\n'), None)
            .map_err(StoreError::git("write the signed commit"))?)
    }

    /// Checks that `commit` carries an SSH signature (namespace `git`) that holds and
    /// was made by one of `allowed`, as `git verify-commit` does.
    pub fn verify_signed_commit<'k>(
        &self,
        commit: Oid,
        allowed: &'k [PublicKey],
    ) -> Result<&'k PublicKey, SignedTagError> {
        let what = || format!("The commit {commit}");
        let (signature, signed) = match self.repo.extract_signature(&commit, None) {
            Ok(pair) => pair,
            Err(e) if e.code() == ErrorCode::NotFound => {
                // Either no such commit or no signature; tell which.
                self.repo
                    .find_commit(commit)
                    .map_err(StoreError::git(format!("read commit {commit}")))?;
                return Err(SignedTagError::Unsigned { what: what() });
            }
            Err(e) => return Err(StoreError::git(format!("read commit {commit}"))(e).into()),
        };
        let signature = String::from_utf8_lossy(&signature).into_owned();
        if !signature.trim_start().starts_with(SSH_BEGIN) {
            let format = SIGNATURE_STARTS
                .iter()
                .find(|(start, _)| signature.trim_start().starts_with(start))
                .map_or("an unknown format", |(_, f)| f);
            return Err(SignedTagError::NotSsh {
                what: what(),
                format,
            });
        }
        sign::verify(&signature, GIT_NAMESPACE, &signed, allowed).map_err(|source| {
            SignedTagError::Verification {
                what: format!("the commit {commit}"),
                source,
            }
        })
    }
}

/// `refs/tags/<name>`, if git accepts the name.
fn tag_ref(name: &str) -> Result<String, SignedTagError> {
    let refname = format!("refs/tags/{name}");
    if name.is_empty() || !git2::Reference::is_valid_name(&refname) {
        return Err(SignedTagError::BadName {
            name: name.to_string(),
        });
    }
    Ok(refname)
}

/// `Name <email> seconds ±hhmm`, as in a tagger or committer line.
fn ident_line(who: &Actor, when: &jiff::ZonedDateTime) -> Result<String, SignedTagError> {
    let bad = |s: &str| s.contains(['<', '>', '\n', '\r', '\0']);
    let (name, email) = (who.name.trim(), who.email.trim());
    if name.is_empty() || bad(name) || bad(email) {
        return Err(SignedTagError::BadSigner {
            who: format!("{} <{}>", who.name, who.email),
        });
    }
    let minutes = when.offset().seconds() / 60;
    let sign = if minutes < 0 { '-' } else { '+' };
    let minutes = minutes.abs();
    Ok(format!(
        "{name} <{email}> {} {sign}{:02}{:02}",
        when.timestamp().as_second(),
        minutes / 60,
        minutes % 60
    ))
}

/// The message as git's default cleanup leaves it: each line's trailing whitespace
/// removed, leading and trailing blank lines dropped, runs of blank lines made one,
/// and a final newline. Refuses an empty message, NUL bytes, and lines that start like
/// a signature (git would take the last of them as the start of the signature).
fn clean_message(message: &str) -> Result<String, SignedTagError> {
    if message.contains('\0') {
        return Err(SignedTagError::BadMessage {
            why: "it contains a NUL byte",
        });
    }
    let mut out = String::new();
    let mut blank_run = false;
    for line in message.lines().map(str::trim_end) {
        if line.starts_with("-----BEGIN ") {
            return Err(SignedTagError::BadMessage {
                why: "a line starts with '-----BEGIN ', which git reads as the start of a signature",
            });
        }
        if line.is_empty() {
            blank_run = !out.is_empty();
            continue;
        }
        if blank_run {
            out.push('\n');
            blank_run = false;
        }
        out.push_str(line);
        out.push('\n');
    }
    if out.is_empty() {
        return Err(SignedTagError::BadMessage { why: "it is empty" });
    }
    Ok(out)
}

/// Splits a tag object at its signature: the last line that starts like one.
fn split_signature(text: &str, what: impl Fn() -> String) -> Result<(&str, &str), SignedTagError> {
    let mut found: Option<(usize, usize)> = None;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if let Some(kind) = SIGNATURE_STARTS
            .iter()
            .position(|(s, _)| line.starts_with(s))
        {
            found = Some((at, kind));
        }
        at += line.len();
    }
    match found {
        None => Err(SignedTagError::Unsigned { what: what() }),
        Some((at, kind)) if SIGNATURE_STARTS[kind].0 == SSH_BEGIN => Ok(text.split_at(at)),
        Some((_, kind)) => Err(SignedTagError::NotSsh {
            what: what(),
            format: SIGNATURE_STARTS[kind].1,
        }),
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};
    use std::process::{Command, Output};

    use super::*;
    use crate::sign::allowed_signers;

    struct Fixture {
        dir: tempfile::TempDir,
        ws: Workspace,
        commit: Oid,
    }

    /// A workspace with one commit, and the people and keys of the tests.
    fn fixture() -> Fixture {
        let dir = tempfile::tempdir().expect("tempdir");
        let ws = Workspace::create(&dir.path().join("ws"), Some(("Kari Nordmann", "kari@x.no")))
            .expect("create");
        let commit = first_commit(&ws.repo);
        Fixture { dir, ws, commit }
    }

    fn first_commit(repo: &git2::Repository) -> Oid {
        let blob = repo.blob(b"# Strategi\n").expect("blob");
        let mut sub = repo.treebuilder(None).expect("treebuilder");
        sub.insert("strategi.md", blob, 0o100644).expect("insert");
        let sub = sub.write().expect("write");
        let mut root = repo.treebuilder(None).expect("treebuilder");
        root.insert("strategy", sub, 0o040000).expect("insert");
        let tree = repo.find_tree(root.write().expect("write")).expect("tree");
        let sig = Workspace::signature(&kari(), &when()).expect("signature");
        repo.commit(Some("HEAD"), &sig, &sig, "First draft\n", &tree, &[])
            .expect("commit")
    }

    fn kari() -> Actor {
        Actor {
            party: "FIN".parse().expect("party"),
            name: "Kari Nordmann".to_string(),
            email: "kari@fin.dep.no".to_string(),
        }
    }

    /// 2023-11-14 23:13:20 in Oslo (+01:00).
    fn when() -> jiff::ZonedDateTime {
        jiff::Timestamp::from_second(1_700_000_000)
            .expect("timestamp")
            .to_zoned_datetime(jiff::tz::TimeZone::get("Europe/Oslo").expect("tz"))
    }

    fn key(seed: u8) -> PrivateKey {
        PrivateKey::from_seed(&[seed; 32], "test").expect("key")
    }

    const MESSAGE: &str = "Approved v1.\n\nStrategi-Action: approve\nStrategi-Party: FIN\n";

    impl Fixture {
        /// Runs git in the workspace, hermetic: no user or system config, HOME in the
        /// temp folder.
        fn git(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
            Command::new("git")
                .args(args)
                .current_dir(self.ws.root())
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("HOME", self.dir.path())
                .env_remove("SSH_AUTH_SOCK")
                .envs(env.iter().copied())
                .output()
                .expect("run git")
        }

        /// An allowed-signers file naming `keys`.
        fn allowed(&self, keys: &[&PrivateKey]) -> PathBuf {
            let publics: Vec<PublicKey> = keys.iter().map(|k| k.public_key()).collect();
            let entries: Vec<(&str, &PublicKey)> =
                publics.iter().map(|p| ("FIN@strategi", p)).collect();
            let path = self.dir.path().join("allowed_signers");
            std::fs::write(&path, allowed_signers(&entries).expect("allowed")).expect("write");
            path
        }

        fn git_verifies(&self, verb: &str, what: &str, allowed: &Path) -> bool {
            let file = format!("gpg.ssh.allowedSignersFile={}", allowed.display());
            let out = self.git(&["-c", "gpg.format=ssh", "-c", &file, verb, what], &[]);
            out.status.success()
        }

        fn tag(&self, name: &str, key: &PrivateKey) -> SignedTag {
            self.ws
                .create_signed_tag(name, self.commit, MESSAGE, &kari(), &when(), key)
                .expect("signed tag")
        }
    }

    #[test]
    fn signed_tag_verifies_with_git_verify_tag_and_with_ours() {
        let f = fixture();
        let fin = key(1);
        let tag = f.tag("v1-approved", &fin);
        assert_eq!(tag.target, f.commit.to_string());
        assert_eq!(tag.message, MESSAGE);
        assert_eq!(
            tag.tagger,
            "Kari Nordmann <kari@fin.dep.no> 1700000000 +0100"
        );
        assert!(tag.payload.ends_with(MESSAGE));
        assert!(tag.signature.starts_with(SSH_BEGIN));

        let allowed = f.allowed(&[&fin]);
        assert!(f.git_verifies("verify-tag", "v1-approved", &allowed));
        let out = f.git(&["fsck", "--strict", "--no-dangling"], &[]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = f.git(&["cat-file", "tag", "v1-approved"], &[]);
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            format!("{}{}", tag.payload, tag.signature)
        );

        let keys = [key(2).public_key(), fin.public_key()];
        let verified =
            f.ws.verify_signed_tag("v1-approved", &keys)
                .expect("verifies");
        assert_eq!(verified.signer, &keys[1]);
        assert_eq!(verified.tag, tag);
    }

    #[test]
    fn tag_by_a_key_not_in_the_allowed_file_fails_git_verify_tag_and_ours() {
        let f = fixture();
        let (fin, stranger) = (key(1), key(2));
        f.tag("v1-approved", &stranger);
        assert!(!f.git_verifies("verify-tag", "v1-approved", &f.allowed(&[&fin])));
        match f.ws.verify_signed_tag("v1-approved", &[fin.public_key()]) {
            Err(SignedTagError::Verification {
                source: SignError::KeyNotAllowed { fingerprint },
                ..
            }) => assert_eq!(fingerprint, stranger.fingerprint()),
            other => panic!("expected KeyNotAllowed, got {other:?}"),
        }
    }

    #[test]
    fn our_signed_tag_is_the_object_git_tag_s_writes() {
        let f = fixture();
        let path = f.dir.path().join("fin_key");
        let fin = key(1);
        fin.write_files(&path).expect("write key");

        let signing_key = format!("user.signingkey={}", path.display());
        let out = f.git(
            &[
                "-c",
                "gpg.format=ssh",
                "-c",
                &signing_key,
                "-c",
                "user.name=Kari Nordmann",
                "-c",
                "user.email=kari@fin.dep.no",
                "tag",
                "-s",
                "-m",
                MESSAGE,
                "v1-approved",
            ],
            &[("GIT_COMMITTER_DATE", "1700000000 +0100")],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let theirs = f.ws.signed_tag("v1-approved").expect("read git's tag");
        assert!(f.git(&["tag", "-d", "v1-approved"], &[]).status.success());

        // Ed25519 is deterministic: the same text signed by the same key is the same
        // object, so equal ids prove the same bytes.
        let ours = f.tag("v1-approved", &fin);
        assert_eq!(ours, theirs);
    }

    #[test]
    fn tampered_tag_fails_both_checks() {
        let f = fixture();
        let fin = key(1);
        let tag = f.tag("v1-approved", &fin);
        let forged = format!(
            "{}{}",
            tag.payload.replace("Approved v1.", "Approved v2."),
            tag.signature
        );
        let repo = &f.ws.repo;
        let id = repo
            .odb()
            .and_then(|odb| odb.write(ObjectType::Tag, forged.as_bytes()))
            .expect("write");
        repo.reference("refs/tags/v1-approved", id, true, "forge")
            .expect("move the ref");

        let allowed = f.allowed(&[&fin]);
        assert!(!f.git_verifies("verify-tag", "v1-approved", &allowed));
        let err =
            f.ws.verify_signed_tag("v1-approved", &[fin.public_key()])
                .expect_err("tampered");
        assert!(
            matches!(
                err,
                SignedTagError::Verification {
                    source: SignError::BadSignature { .. },
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn refusals_and_unreadable_tags_are_named() {
        let f = fixture();
        let fin = key(1);
        let create = |name: &str, message: &str| {
            f.ws.create_signed_tag(name, f.commit, message, &kari(), &when(), &fin)
        };
        create("v1-approved", MESSAGE).expect("first");
        assert!(matches!(
            create("v1-approved", MESSAGE),
            Err(SignedTagError::Exists { .. })
        ));
        for bad in ["", "a b", "a..b", "x.lock", "-\n"] {
            assert!(
                matches!(create(bad, MESSAGE), Err(SignedTagError::BadName { .. })),
                "{bad:?}"
            );
        }
        for bad in ["", " \n\n", "ok\n-----BEGIN SSH SIGNATURE-----\n", "a\0b"] {
            assert!(
                matches!(create("m", bad), Err(SignedTagError::BadMessage { .. })),
                "{bad:?}"
            );
        }
        let mut nobody = kari();
        nobody.email = "kari@x>".to_string();
        assert!(matches!(
            f.ws.create_signed_tag("n", f.commit, MESSAGE, &nobody, &when(), &fin),
            Err(SignedTagError::BadSigner { .. })
        ));
        assert!(matches!(
            f.ws.signed_tag("v9"),
            Err(SignedTagError::NotFound { .. })
        ));

        let repo = &f.ws.repo;
        repo.reference("refs/tags/light", f.commit, false, "test")
            .expect("lightweight");
        assert!(matches!(
            f.ws.signed_tag("light"),
            Err(SignedTagError::NotAnnotated { .. })
        ));
        let object = repo.find_object(f.commit, None).expect("object");
        let sig = Workspace::signature(&kari(), &when()).expect("signature");
        repo.tag("plain", &object, &sig, "Not signed\n", false)
            .expect("tag");
        let err = f.ws.signed_tag("plain").expect_err("unsigned");
        assert!(matches!(err, SignedTagError::Unsigned { .. }), "{err:?}");
        assert_eq!(err.to_string(), "The tag \"plain\" is not signed.");

        let pgp = format!(
            "object {}\ntype commit\ntag pgp\ntagger {}\n\nx\n-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n",
            f.commit,
            ident_line(&kari(), &when()).expect("ident")
        );
        let id = repo
            .odb()
            .and_then(|odb| odb.write(ObjectType::Tag, pgp.as_bytes()))
            .expect("write");
        repo.reference("refs/tags/pgp", id, false, "test")
            .expect("ref");
        assert!(matches!(
            f.ws.signed_tag("pgp"),
            Err(SignedTagError::NotSsh {
                format: "OpenPGP (gpg)",
                ..
            })
        ));

        // A signed tag copied under another name does not vouch for that name.
        let approved = f.ws.signed_tag("v1-approved").expect("read");
        let id = Oid::from_str(&approved.id).expect("oid");
        repo.reference("refs/tags/v2-approved", id, false, "copy")
            .expect("copy");
        let err =
            f.ws.verify_signed_tag("v2-approved", &[fin.public_key()])
                .expect_err("renamed");
        assert!(
            matches!(&err, SignedTagError::NameMismatch { inside, .. } if inside == "v1-approved"),
            "{err:?}"
        );
    }

    #[test]
    fn messages_are_cleaned_as_git_cleans_them() {
        assert_eq!(
            clean_message("\n\n  Approved.  \n\n\n\nWith care.\t\n\n").expect("clean"),
            "  Approved.\n\nWith care.\n"
        );
        assert_eq!(clean_message("One line").expect("clean"), "One line\n");
    }

    #[test]
    fn signed_commit_is_the_object_git_commit_tree_s_writes_and_verifies() {
        let f = fixture();
        let fin = key(1);
        let path = f.dir.path().join("fin_key");
        fin.write_files(&path).expect("write key");
        let head = f.ws.repo.find_commit(f.commit).expect("head");
        let tree = head.tree_id();
        let ours =
            f.ws.create_signed_commit(tree, &[f.commit], "Approve v1\n", &kari(), &when(), &fin)
                .expect("signed commit");

        let signing_key = format!("user.signingkey={}", path.display());
        let (tree_hex, parent_hex) = (tree.to_string(), f.commit.to_string());
        let date = "1700000000 +0100";
        let out = f.git(
            &[
                "-c",
                "gpg.format=ssh",
                "-c",
                &signing_key,
                "commit-tree",
                "-S",
                "-p",
                &parent_hex,
                "-m",
                "Approve v1",
                &tree_hex,
            ],
            &[
                ("GIT_AUTHOR_NAME", "Kari Nordmann"),
                ("GIT_AUTHOR_EMAIL", "kari@fin.dep.no"),
                ("GIT_AUTHOR_DATE", date),
                ("GIT_COMMITTER_NAME", "Kari Nordmann"),
                ("GIT_COMMITTER_EMAIL", "kari@fin.dep.no"),
                ("GIT_COMMITTER_DATE", date),
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            ours.to_string()
        );

        let ours_hex = ours.to_string();
        assert!(f.git_verifies("verify-commit", &ours_hex, &f.allowed(&[&fin])));
        assert!(!f.git_verifies("verify-commit", &ours_hex, &f.allowed(&[&key(2)])));
        let keys = [fin.public_key()];
        assert_eq!(
            f.ws.verify_signed_commit(ours, &keys).expect("verifies"),
            &keys[0]
        );
        assert!(matches!(
            f.ws.verify_signed_commit(ours, &[key(2).public_key()]),
            Err(SignedTagError::Verification {
                source: SignError::KeyNotAllowed { .. },
                ..
            })
        ));
        assert!(matches!(
            f.ws.verify_signed_commit(f.commit, &keys),
            Err(SignedTagError::Unsigned { .. })
        ));
    }

    #[test]
    fn a_transaction_with_a_signing_key_signs_every_commit_as_git_does() {
        let f = fixture();
        let fin = key(1);
        let mut tx =
            f.ws.begin(
                "test",
                std::time::Duration::from_secs(5),
                super::super::IdSeed::Fixed(1),
            )
            .expect("begin");
        tx.set_signing_key(PrivateKey::from_seed(&[1; 32], "test").expect("key"));
        tx.write("submissions/a.toml", "a = 1\n");
        let first = tx
            .commit_and_continue("First", "", crate::model::Action::Submit, &kari(), &when())
            .expect("first commit");
        tx.write("submissions/b.toml", "b = 1\n");
        let second = tx
            .commit("Second", "", crate::model::Action::Submit, &kari(), &when())
            .expect("second commit");
        let head = f.ws.repo.head().expect("head").target().expect("oid");
        assert_eq!(
            head.to_string(),
            second.id,
            "HEAD moved to the signed commit"
        );
        let parent = f.ws.repo.find_commit(head).expect("commit").parent_id(0);
        assert_eq!(parent.expect("parent").to_string(), first.id);
        let allowed = f.allowed(&[&fin]);
        let keys = [fin.public_key()];
        for id in [&first.id, &second.id] {
            assert!(f.git_verifies("verify-commit", id, &allowed), "{id}");
            let oid = Oid::from_str(id).expect("oid");
            assert!(f.ws.verify_signed_commit(oid, &keys).is_ok());
        }
        // The same file with another key in it (written over the first).
        let other = f.allowed(&[&key(2)]);
        for id in [&first.id, &second.id] {
            assert!(!f.git_verifies("verify-commit", id, &other), "{id}");
        }
        // The work tree and git agree: nothing left over.
        let status = f.git(&["status", "--porcelain", "--", "submissions"], &[]);
        assert_eq!(String::from_utf8_lossy(&status.stdout), "");
    }
}
