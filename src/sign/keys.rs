//! Ed25519 keys in OpenSSH's formats: public key lines, private key files, new keys.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use ssh_key::private::{Ed25519Keypair, KeypairData};
use ssh_key::rand_core::{OsRng, RngCore};
use ssh_key::{Algorithm, HashAlg, LineEnding};

use super::SignError;

/// An Ed25519 public key, as on a line of `~/.ssh/id_ed25519.pub`.
///
/// Two keys are equal when their key material is; the comment does not count.
#[derive(Clone)]
pub struct PublicKey {
    pub(super) inner: ssh_key::PublicKey,
}

impl PublicKey {
    /// Parses one OpenSSH public key line: `ssh-ed25519 AAAA… [comment]`. Surrounding
    /// whitespace is ignored.
    pub fn from_openssh(line: &str) -> Result<PublicKey, SignError> {
        let line = line.trim();
        // Only the first line is ever shown: the text might be a private key.
        let bad = |why: &str| SignError::NotAPublicKey {
            shown: shorten(line.lines().next().unwrap_or_default()),
            why: why.to_string(),
        };
        if line.is_empty() {
            return Err(bad("the text is empty"));
        }
        if line.starts_with("-----BEGIN") {
            return Err(bad(
                "that is a private key or a signature; a public key is the one line in the .pub file",
            ));
        }
        if line.contains('\n') {
            return Err(bad("it has more than one line; give one key per line"));
        }
        let mut fields = line.split_whitespace();
        let algorithm = fields.next().unwrap_or_default();
        let Ok(named) = Algorithm::from_str(algorithm) else {
            return Err(bad(&format!(
                "\"{}\" is not a key type; the line must start with one, such as ssh-ed25519",
                shorten(algorithm)
            )));
        };
        if named != Algorithm::Ed25519 {
            // The crate is built for Ed25519 only and cannot even read other key types.
            return Err(SignError::UnsupportedKeyType {
                what: "The public key".to_string(),
                algorithm: algorithm.to_string(),
            });
        }
        if fields.next().is_none() {
            return Err(bad("the key data after the type is missing"));
        }
        let inner = ssh_key::PublicKey::from_openssh(line)
            .map_err(|e| bad(&format!("the key data does not decode: {e}")))?;
        Ok(PublicKey { inner })
    }

    /// The key's fingerprint as `ssh-keygen -l` shows it: `SHA256:` and unpadded base64.
    pub fn fingerprint(&self) -> String {
        self.inner.fingerprint(HashAlg::Sha256).to_string()
    }

    /// The comment after the key data (often `user@host`); may be empty.
    pub fn comment(&self) -> &str {
        self.inner.comment()
    }

    /// The key as one OpenSSH line, without the comment: `ssh-ed25519 AAAA…`.
    pub fn to_openssh_without_comment(&self) -> String {
        let mut bare = self.inner.clone();
        bare.set_comment("");
        // Encoding an in-memory Ed25519 key cannot fail (fixed sizes, no I/O).
        bare.to_openssh().unwrap_or_default()
    }
}

impl fmt::Display for PublicKey {
    /// The OpenSSH line, with the comment if there is one.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let line = self.inner.to_openssh().map_err(|_| fmt::Error)?;
        f.write_str(&line)
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({} {})", self.fingerprint(), self.comment())
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &PublicKey) -> bool {
        self.inner.key_data() == other.inner.key_data()
    }
}

impl Eq for PublicKey {}

impl FromStr for PublicKey {
    type Err = SignError;

    fn from_str(s: &str) -> Result<PublicKey, SignError> {
        PublicKey::from_openssh(s)
    }
}

/// An Ed25519 private key, unencrypted, in memory.
///
/// Its `Debug` output shows the fingerprint, never the secret.
pub struct PrivateKey {
    pub(super) inner: ssh_key::PrivateKey,
}

impl PrivateKey {
    /// A new random key from the operating system's random source.
    pub fn generate(comment: &str) -> Result<PrivateKey, SignError> {
        let mut seed = zeroizing_seed();
        OsRng
            .try_fill_bytes(&mut seed[..])
            .map_err(|e| SignError::NoRandomness { why: e.to_string() })?;
        PrivateKey::from_seed(&seed, comment)
    }

    /// The key whose Ed25519 seed (the 32 secret bytes) is `seed`. The same seed always
    /// gives the same key: for demos and tests, never for real approvals.
    pub fn from_seed(seed: &[u8; 32], comment: &str) -> Result<PrivateKey, SignError> {
        if comment.contains(['\n', '\r']) {
            return Err(SignError::BadComment {
                comment: comment.to_string(),
            });
        }
        let keypair = KeypairData::from(Ed25519Keypair::from_seed(seed));
        let inner = ssh_key::PrivateKey::new(keypair, comment).map_err(|e| SignError::Signing {
            fingerprint: String::new(),
            why: e.to_string(),
        })?;
        Ok(PrivateKey { inner })
    }

    /// Reads an OpenSSH private key file, as `ssh-keygen -t ed25519` writes it
    /// (`-----BEGIN OPENSSH PRIVATE KEY-----`). A passphrase-protected key is refused
    /// with [`SignError::EncryptedKey`].
    pub fn from_file(path: &Path) -> Result<PrivateKey, SignError> {
        let read = crate::input::read_bounded(path, crate::input::limits::KEY, "private key file");
        let bytes = zeroize::Zeroizing::new(read.map_err(|e| SignError::KeyFileIo {
            action: "read",
            path: path.to_path_buf(),
            source: e.into(),
        })?);
        let not = |why: String| SignError::NotAPrivateKey {
            path: path.to_path_buf(),
            why,
        };
        let Ok(text) = std::str::from_utf8(&bytes) else {
            return Err(not("the file is not text".to_string()));
        };
        let trimmed = text.trim();
        if !trimmed.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----") {
            let why = if PublicKey::from_openssh(trimmed).is_ok()
                || trimmed.starts_with("ssh-")
                || trimmed.starts_with("ecdsa-")
            {
                "it holds a public key; give the private key file (the same name without .pub)"
            } else if trimmed.starts_with("-----BEGIN") && trimmed.contains("PRIVATE KEY-----") {
                "it is in the older PEM format; `ssh-keygen -p -f FILE` rewrites it in the OpenSSH format"
            } else {
                "it does not start with '-----BEGIN OPENSSH PRIVATE KEY-----'"
            };
            return Err(not(why.to_string()));
        }
        let inner = ssh_key::PrivateKey::from_openssh(trimmed).map_err(|e| match e {
            // The crate is built for Ed25519 only and cannot even read other key types.
            ssh_key::Error::AlgorithmUnknown | ssh_key::Error::AlgorithmUnsupported { .. } => {
                SignError::UnsupportedKeyType {
                    what: format!("The key \"{}\"", path.display()),
                    algorithm: "other than ssh-ed25519".to_string(),
                }
            }
            e => not(format!("the key data is damaged ({e})")),
        })?;
        if inner.is_encrypted() {
            return Err(SignError::EncryptedKey {
                path: path.to_path_buf(),
            });
        }
        let key = PrivateKey { inner };
        if key.inner.algorithm() != Algorithm::Ed25519 {
            return Err(SignError::UnsupportedKeyType {
                what: format!("The key \"{}\"", path.display()),
                algorithm: key.inner.algorithm().to_string(),
            });
        }
        Ok(key)
    }

    /// The public half.
    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            inner: self.inner.public_key().clone(),
        }
    }

    /// The fingerprint of the public half (`SHA256:…`).
    pub fn fingerprint(&self) -> String {
        self.public_key().fingerprint()
    }

    /// Writes the key as `ssh-keygen` does: the private key to `path` (OpenSSH format,
    /// mode 0600) and the public key line to `path.pub`. Refuses to overwrite either
    /// file. Returns the path of the `.pub` file.
    pub fn write_files(&self, path: &Path) -> Result<PathBuf, SignError> {
        let pub_path = pub_path_of(path);
        for p in [path, pub_path.as_path()] {
            if p.exists() {
                return Err(SignError::KeyFileExists {
                    path: p.to_path_buf(),
                });
            }
        }
        let secret = self
            .inner
            .to_openssh(LineEnding::LF)
            .map_err(|e| SignError::Signing {
                fingerprint: self.fingerprint(),
                why: e.to_string(),
            })?;
        write_new(path, secret.as_bytes(), 0o600)?;
        let line = format!("{}\n", self.public_key());
        if let Err(e) = write_new(&pub_path, line.as_bytes(), 0o644) {
            // Leave no half key pair behind; the private file is ours, just made.
            let _ = std::fs::remove_file(path);
            return Err(e);
        }
        Ok(pub_path)
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PrivateKey({} {})",
            self.fingerprint(),
            self.inner.comment()
        )
    }
}

fn zeroizing_seed() -> zeroize::Zeroizing<[u8; 32]> {
    zeroize::Zeroizing::new([0u8; 32])
}

/// `key` → `key.pub`, as ssh-keygen names it.
fn pub_path_of(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(".pub");
    PathBuf::from(name)
}

/// Creates `path` (which must not exist) with `mode` and writes `bytes`, synced.
fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<(), SignError> {
    let io = |source| SignError::KeyFileIo {
        action: "write",
        path: path.to_path_buf(),
        source,
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            SignError::KeyFileExists {
                path: path.to_path_buf(),
            }
        } else {
            io(e)
        }
    })?;
    file.write_all(bytes).map_err(io)?;
    file.sync_all().map_err(io)
}

/// The first 60 characters of `s`, for an error message.
fn shorten(s: &str) -> String {
    match s.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}
