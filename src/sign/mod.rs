//! SSH signatures ("sshsig") for approving a strategy version, and the files around them.
//!
//! An approval is a signature by a person's SSH key over a text (a version's tag). We use
//! the format OpenSSH itself defines for signing files, [PROTOCOL.sshsig], because the
//! people who approve already have the tools to check it: `ssh-keygen -Y verify` checks
//! a detached signature, and git (`gpg.format = ssh`) signs and verifies tags and commits
//! with exactly the same format. Nothing here needs GnuPG, an agent or a key server.
//!
//! An sshsig is a small binary structure, armored like PEM:
//!
//! ```text
//! -----BEGIN SSH SIGNATURE-----
//! U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAg…   (base64, lines of 70)
//! -----END SSH SIGNATURE-----
//! ```
//!
//! It holds the signer's public key, a *namespace*, the hash algorithm and the signature
//! over `"SSHSIG" ‖ namespace ‖ reserved ‖ hash-algorithm ‖ H(message)`. The namespace
//! says what the signature is for (`git` for tags and commits, [`NAMESPACE`] for
//! strategi's own documents), so a signature made for one purpose is never accepted for
//! another. We always hash with SHA-512, as `ssh-keygen -Y sign` does; with Ed25519 the
//! signature is deterministic, so ours is byte for byte what `ssh-keygen` writes.
//!
//! A valid signature proves only that *some* key signed the text; [`verify`] also checks
//! that the key is one of the allowed ones. The same list, written by
//! [`allowed_signers`], is what `ssh-keygen -Y verify -f` and git's
//! `gpg.ssh.allowedSignersFile` read, so anyone can check an approval without strategi.
//!
//! Keys are Ed25519 only: it is what `ssh-keygen -t ed25519` makes and what OpenSSH
//! recommends. (RSA and ECDSA verification would pull in big-number and elliptic-curve
//! crates, and a passphrase-protected key would need a passphrase prompt or ssh-agent;
//! both are left out on purpose and refused with a clear error.)
//!
//! [PROTOCOL.sshsig]: https://github.com/openssh/openssh-portable/blob/master/PROTOCOL.sshsig

mod allowed;
mod keys;
mod sshsig;
#[cfg(test)]
mod tests;

use std::path::PathBuf;

pub use allowed::{AllowedSigners, allowed_signers};
pub use keys::{PrivateKey, PublicKey};
pub use sshsig::{sign, verify};

/// The namespace git uses when it signs tags and commits with an SSH key.
pub const GIT_NAMESPACE: &str = "git";

/// The namespace of signatures over strategi's own texts (not tags or commits).
pub const NAMESPACE: &str = "strategi";

/// What can go wrong with keys and signatures.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// A text that should be one OpenSSH public key line is not.
    #[error(
        "Not an OpenSSH public key: expected 'ssh-ed25519 AAAA… [comment]', got \"{shown}\" ({why})."
    )]
    NotAPublicKey {
        /// The start of the text given.
        shown: String,
        /// What is wrong with it.
        why: String,
    },
    /// A key or signature of a type strategi does not handle.
    #[error(
        "{what} is of type {algorithm}; strategi signs and verifies with ssh-ed25519 keys only (make one with `ssh-keygen -t ed25519`)."
    )]
    UnsupportedKeyType {
        /// What has the type ("The key \"…\"", "The signature by SHA256:…").
        what: String,
        /// The SSH algorithm name.
        algorithm: String,
    },
    /// A key file could not be read or written.
    #[error("Could not {action} the key file \"{}\".", path.display())]
    KeyFileIo {
        /// "read", "write", …
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A key file that is not an OpenSSH private key.
    #[error("\"{}\" is not an OpenSSH private key: {why}.", path.display())]
    NotAPrivateKey {
        /// The file.
        path: PathBuf,
        /// What it is instead, and what to do.
        why: String,
    },
    /// A passphrase-protected private key.
    #[error(
        "The private key \"{}\" is protected by a passphrase, and strategi cannot unlock it: it does not ask for passphrases and does not use ssh-agent. Use a key without a passphrase that you keep only for approvals (`ssh-keygen -t ed25519 -N '' -f FILE`), or sign with `ssh-keygen -Y sign` yourself.", path.display()
    )]
    EncryptedKey {
        /// The file.
        path: PathBuf,
    },
    /// A key file that would be overwritten.
    #[error("\"{}\" already exists; a key file is never overwritten.", path.display())]
    KeyFileExists {
        /// The file.
        path: PathBuf,
    },
    /// A key comment that cannot go on a public key line.
    #[error("A key comment must be one line; \"{comment}\" is not.")]
    BadComment {
        /// The comment given.
        comment: String,
    },
    /// The operating system gave no random bytes for a new key.
    #[error("Could not get random bytes for a new key from the operating system: {why}")]
    NoRandomness {
        /// The error reported.
        why: String,
    },
    /// A principal that cannot be written into an allowed-signers file.
    #[error(
        "\"{principal}\" cannot be a signer's name in an allowed-signers file: {why}. Use an e-mail address or PARTY@strategi."
    )]
    BadPrincipal {
        /// The principal given.
        principal: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// A line of an allowed-signers file that cannot be read.
    #[error("Line {line} of the allowed-signers file cannot be read: {why}.")]
    BadAllowedSigners {
        /// The line's number (from 1).
        line: usize,
        /// What is wrong with it.
        why: String,
    },
    /// A namespace that is empty.
    #[error("A signature needs a namespace (\"git\", \"strategi\"); an empty one was given.")]
    EmptyNamespace,
    /// Signing failed inside the crypto library.
    #[error("Could not sign with the key {fingerprint}: {why}")]
    Signing {
        /// The key's fingerprint.
        fingerprint: String,
        /// The library's error.
        why: String,
    },
    /// A text that is not an armored SSH signature.
    #[error(
        "Not an SSH signature: {why} (expected a block from '-----BEGIN SSH SIGNATURE-----' to '-----END SSH SIGNATURE-----')."
    )]
    MalformedSignature {
        /// What is wrong with it.
        why: String,
    },
    /// A signature made for another purpose.
    #[error(
        "The signature was made for \"{found}\", not for \"{expected}\"; a signature made for one purpose is not accepted for another."
    )]
    WrongNamespace {
        /// The namespace the verifier asked for.
        expected: String,
        /// The namespace inside the signature.
        found: String,
    },
    /// The signature does not match the text.
    #[error(
        "The signature by {fingerprint} does not match the text: the text was changed after it was signed, or the signature is for another text."
    )]
    BadSignature {
        /// The fingerprint of the key inside the signature.
        fingerprint: String,
    },
    /// A valid signature by a key that is not allowed.
    #[error(
        "The signature is valid, but it was made by the key {fingerprint}, which is not among the allowed signers."
    )]
    KeyNotAllowed {
        /// The fingerprint of the key that signed.
        fingerprint: String,
    },
}
