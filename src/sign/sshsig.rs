//! Making and checking armored sshsig signatures.

use ssh_key::{Algorithm, HashAlg, LineEnding, SshSig};

use super::{PrivateKey, PublicKey, SignError};

const BEGIN: &str = "-----BEGIN SSH SIGNATURE-----";
const END: &str = "-----END SSH SIGNATURE-----";
/// ssh-keygen wraps the base64 at 70 characters, and the decoder expects that.
const LINE_WIDTH: usize = 70;

/// Signs `message` for `namespace` with SHA-512, as `ssh-keygen -Y sign -n NAMESPACE`
/// does, and returns the armored signature (`-----BEGIN SSH SIGNATURE-----` … `-----END
/// SSH SIGNATURE-----` and a final newline), byte for byte what ssh-keygen writes.
pub fn sign(key: &PrivateKey, namespace: &str, message: &[u8]) -> Result<String, SignError> {
    if namespace.is_empty() {
        return Err(SignError::EmptyNamespace);
    }
    let failed = |e: ssh_key::Error| SignError::Signing {
        fingerprint: key.fingerprint(),
        why: e.to_string(),
    };
    let sig = key
        .inner
        .sign(namespace, HashAlg::Sha512, message)
        .map_err(failed)?;
    let mut armored = sig.to_pem(LineEnding::LF).map_err(failed)?;
    if !armored.ends_with('\n') {
        armored.push('\n');
    }
    Ok(armored)
}

/// Checks that `armored` is a valid signature over `message` for `namespace`, made by
/// one of the `allowed` keys, and returns that key.
///
/// The checks run in this order, and the first that fails is the error: the text is an
/// sshsig ([`SignError::MalformedSignature`]); it was made for `namespace`
/// ([`SignError::WrongNamespace`]); its key is Ed25519
/// ([`SignError::UnsupportedKeyType`]); it matches the message
/// ([`SignError::BadSignature`]); its key is allowed ([`SignError::KeyNotAllowed`], with
/// the key's fingerprint). The armor may be re-wrapped or have CR/LF line ends.
pub fn verify<'a>(
    armored: &str,
    namespace: &str,
    message: &[u8],
    allowed: &'a [PublicKey],
) -> Result<&'a PublicKey, SignError> {
    let sig = parse_armored(armored)?;
    if sig.namespace() != namespace {
        return Err(SignError::WrongNamespace {
            expected: namespace.to_string(),
            found: sig.namespace().to_string(),
        });
    }
    let signer = PublicKey {
        inner: ssh_key::PublicKey::from(sig.public_key().clone()),
    };
    let fingerprint = signer.fingerprint();
    if sig.public_key().algorithm() != Algorithm::Ed25519 {
        return Err(SignError::UnsupportedKeyType {
            what: format!("The signature by {fingerprint}"),
            algorithm: sig.public_key().algorithm().to_string(),
        });
    }
    // Checks the key inside against itself, the namespace, and the signature proper.
    signer
        .inner
        .verify(namespace, message, &sig)
        .map_err(|_| SignError::BadSignature {
            fingerprint: fingerprint.clone(),
        })?;
    allowed
        .iter()
        .find(|k| **k == signer)
        .ok_or(SignError::KeyNotAllowed { fingerprint })
}

/// Finds the armored block, re-wraps its base64 at 70 characters and decodes it.
fn parse_armored(armored: &str) -> Result<SshSig, SignError> {
    let bad = |why: String| SignError::MalformedSignature { why };
    let mut lines = armored.lines().map(str::trim);
    match lines.by_ref().find(|l| !l.is_empty()) {
        Some(BEGIN) => {}
        _ if !armored.lines().any(|l| l.trim() == BEGIN) => {
            return Err(bad(format!("there is no '{BEGIN}' line")));
        }
        _ => return Err(bad("there is text before the signature".to_string())),
    }
    let mut body = String::new();
    let mut ended = false;
    for line in lines.by_ref() {
        if line == END {
            ended = true;
            break;
        }
        body.push_str(line);
    }
    if !ended {
        return Err(bad(format!("there is no '{END}' line")));
    }
    if lines.any(|l| !l.is_empty()) {
        return Err(bad("there is text after the signature".to_string()));
    }
    if body.is_empty() {
        return Err(bad("the block is empty".to_string()));
    }
    if !body.is_ascii() {
        return Err(bad("the block is not base64".to_string()));
    }
    let mut pem = String::with_capacity(body.len() + body.len() / LINE_WIDTH + 64);
    pem.push_str(BEGIN);
    pem.push('\n');
    // ASCII checked above, so every 70-byte chunk is whole characters.
    for chunk in body.as_bytes().chunks(LINE_WIDTH) {
        pem.push_str(&String::from_utf8_lossy(chunk));
        pem.push('\n');
    }
    pem.push_str(END);
    pem.push('\n');
    SshSig::from_pem(&pem).map_err(|e| bad(format!("the block does not decode ({e})")))
}
