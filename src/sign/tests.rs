//! Checked against the real tools: every signature we make goes through
//! `ssh-keygen -Y verify`, and signatures `ssh-keygen -Y sign` makes go through ours.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use super::*;

/// Runs `ssh-keygen` in `dir` with HOME there (so no user config or agent is used),
/// feeding `stdin`.
fn ssh_keygen(dir: &Path, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new("ssh-keygen")
        .args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .env_remove("SSH_AUTH_SOCK")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ssh-keygen");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin)
        .expect("write stdin");
    child.wait_with_output().expect("wait for ssh-keygen")
}

/// A new key pair made by `ssh-keygen -t TYPE` at `dir/name`, with `passphrase`.
fn keygen_key(dir: &Path, name: &str, kind: &str, passphrase: &str) -> PathBuf {
    let out = ssh_keygen(
        dir,
        &["-q", "-t", kind, "-N", passphrase, "-C", name, "-f", name],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir.join(name)
}

fn public_of(path: &Path) -> PublicKey {
    let mut p = path.as_os_str().to_owned();
    p.push(".pub");
    PublicKey::from_openssh(&std::fs::read_to_string(p).expect("read .pub")).expect("parse .pub")
}

/// `ssh-keygen -Y verify` of `sig` over `message` for `principal`, with an allowed
/// signers file of `entries`: did it accept?
fn keygen_verifies(
    dir: &Path,
    entries: &[(&str, &PublicKey)],
    principal: &str,
    sig: &str,
    message: &[u8],
) -> bool {
    let allowed = dir.join("allowed_signers");
    std::fs::write(&allowed, allowed_signers(entries).expect("allowed signers")).expect("write");
    std::fs::write(dir.join("message.sig"), sig).expect("write sig");
    let out = ssh_keygen(
        dir,
        &[
            "-Y",
            "verify",
            "-f",
            "allowed_signers",
            "-I",
            principal,
            "-n",
            NAMESPACE,
            "-s",
            "message.sig",
        ],
        message,
    );
    out.status.success()
}

const TEXT: &[u8] = b"Strategi for digital forvaltning 2026-2030\n\nVersjon v3 godkjent.\n";

#[test]
fn our_signature_verifies_with_ssh_keygen_and_fails_after_one_byte_changed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = keygen_key(dir.path(), "fin", "ed25519", "");
    let key = PrivateKey::from_file(&path).expect("load key");
    let public = key.public_key();
    assert_eq!(public, public_of(&path));

    let sig = sign(&key, NAMESPACE, TEXT).expect("sign");
    assert!(sig.starts_with("-----BEGIN SSH SIGNATURE-----\n"), "{sig}");
    assert!(sig.ends_with("-----END SSH SIGNATURE-----\n"), "{sig}");
    let entries = [("FIN@strategi", &public)];
    assert!(keygen_verifies(
        dir.path(),
        &entries,
        "FIN@strategi",
        &sig,
        TEXT
    ));

    let mut changed = TEXT.to_vec();
    changed[30] ^= 0x01;
    assert!(!keygen_verifies(
        dir.path(),
        &entries,
        "FIN@strategi",
        &sig,
        &changed
    ));
    // And a principal the file does not name is refused too.
    assert!(!keygen_verifies(
        dir.path(),
        &entries,
        "KDD@strategi",
        &sig,
        TEXT
    ));
}

#[test]
fn our_signature_is_byte_for_byte_what_ssh_keygen_writes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = keygen_key(dir.path(), "fin", "ed25519", "");
    std::fs::write(dir.path().join("text"), TEXT).expect("write");
    let out = ssh_keygen(
        dir.path(),
        &["-Y", "sign", "-f", "fin", "-n", NAMESPACE, "text"],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs = std::fs::read_to_string(dir.path().join("text.sig")).expect("read sig");
    let key = PrivateKey::from_file(&path).expect("load key");
    assert_eq!(sign(&key, NAMESPACE, TEXT).expect("sign"), theirs);
}

#[test]
fn ssh_keygen_signature_verifies_with_ours() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fin = keygen_key(dir.path(), "fin", "ed25519", "");
    let kdd = keygen_key(dir.path(), "kdd", "ed25519", "");
    let out = ssh_keygen(
        dir.path(),
        &["-Y", "sign", "-f", "kdd", "-n", NAMESPACE],
        TEXT,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sig = String::from_utf8(out.stdout).expect("utf-8");

    let allowed = [public_of(&fin), public_of(&kdd)];
    let signer = verify(&sig, NAMESPACE, TEXT, &allowed).expect("verifies");
    assert_eq!(signer, &allowed[1]);
    assert_eq!(signer.comment(), "kdd");
}

#[test]
fn key_not_allowed_is_reported_with_its_fingerprint() {
    let dir = tempfile::tempdir().expect("tempdir");
    let stranger = keygen_key(dir.path(), "stranger", "ed25519", "");
    let out = ssh_keygen(dir.path(), &["-l", "-f", "stranger.pub"], b"");
    let listed = String::from_utf8(out.stdout).expect("utf-8");
    let keygen_fingerprint = listed.split_whitespace().nth(1).expect("fingerprint");

    let key = PrivateKey::from_file(&stranger).expect("load");
    assert_eq!(key.fingerprint(), keygen_fingerprint);
    let sig = sign(&key, NAMESPACE, TEXT).expect("sign");
    let allowed = [PrivateKey::from_seed(&[7; 32], "fin")
        .expect("seed key")
        .public_key()];
    match verify(&sig, NAMESPACE, TEXT, &allowed) {
        Err(SignError::KeyNotAllowed { fingerprint }) => {
            assert_eq!(fingerprint, keygen_fingerprint)
        }
        other => panic!("expected KeyNotAllowed, got {other:?}"),
    }
    let err = verify(&sig, NAMESPACE, TEXT, &[]).expect_err("no one is allowed");
    assert!(err.to_string().contains(keygen_fingerprint), "{err}");
}

#[test]
fn changed_text_wrong_namespace_and_malformed_signatures_are_told_apart() {
    let key = PrivateKey::from_seed(&[1; 32], "fin").expect("seed key");
    let allowed = [key.public_key()];
    let sig = sign(&key, NAMESPACE, TEXT).expect("sign");
    assert!(verify(&sig, NAMESPACE, TEXT, &allowed).is_ok());

    let err = verify(
        &sig,
        NAMESPACE,
        b"Strategi for analog forvaltning",
        &allowed,
    );
    assert!(
        matches!(&err, Err(SignError::BadSignature { fingerprint }) if *fingerprint == key.fingerprint()),
        "{err:?}"
    );
    let err = verify(&sig, GIT_NAMESPACE, TEXT, &allowed);
    assert!(
        matches!(&err, Err(SignError::WrongNamespace { expected, found }) if expected == "git" && found == "strategi"),
        "{err:?}"
    );
    assert!(matches!(
        sign(&key, "", TEXT),
        Err(SignError::EmptyNamespace)
    ));

    let lines: Vec<&str> = sig.lines().collect();
    let truncated = format!("{}\n{}\n{}\n", lines[0], lines[1], lines[lines.len() - 1]);
    for bad in [
        "",
        "hello",
        "-----BEGIN SSH SIGNATURE-----\n",
        "-----BEGIN SSH SIGNATURE-----\n-----END SSH SIGNATURE-----\n",
        "-----BEGIN SSH SIGNATURE-----\n!!!!\n-----END SSH SIGNATURE-----\n",
        &truncated,
        &format!("{sig}and more\n"),
        &format!("Approved:\n{sig}"),
    ] {
        let err = verify(bad, NAMESPACE, TEXT, &allowed);
        assert!(
            matches!(err, Err(SignError::MalformedSignature { .. })),
            "{bad:?}: {err:?}"
        );
    }
}

#[test]
fn rewrapped_or_crlf_signature_still_verifies() {
    let key = PrivateKey::from_seed(&[2; 32], "fin").expect("seed key");
    let allowed = [key.public_key()];
    let sig = sign(&key, NAMESPACE, TEXT).expect("sign");
    let crlf = sig.replace('\n', "\r\n");
    assert!(verify(&crlf, NAMESPACE, TEXT, &allowed).is_ok());
    let body: String = sig.lines().filter(|l| !l.starts_with("-----")).collect();
    let rewrapped = format!(
        "\n  -----BEGIN SSH SIGNATURE-----\n{}\n-----END SSH SIGNATURE-----\n\n",
        body.as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).expect("ascii"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(verify(&rewrapped, NAMESPACE, TEXT, &allowed).is_ok());
}

#[test]
fn public_key_lines_parse_or_say_what_is_wrong() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fin = keygen_key(dir.path(), "fin", "ed25519", "");
    let line = std::fs::read_to_string(dir.path().join("fin.pub")).expect("read");
    let key: PublicKey = line.parse().expect("parses");
    assert_eq!(key.comment(), "fin");
    assert_eq!(key.to_string(), line.trim());
    assert!(key.fingerprint().starts_with("SHA256:"));
    let bare = key.to_openssh_without_comment();
    assert!(bare.starts_with("ssh-ed25519 AAAA"), "{bare}");
    assert_eq!(bare.split(' ').count(), 2);
    assert_eq!(PublicKey::from_openssh(&bare).expect("bare"), key);

    let expected = "Not an OpenSSH public key: expected 'ssh-ed25519 AAAA… [comment]'";
    let private = std::fs::read_to_string(&fin).expect("read private");
    for (bad, why) in [
        ("", "empty"),
        ("  \n", "empty"),
        (private.as_str(), "private key"),
        ("ssh-ed25519", "missing"),
        ("ssh-ed25519 AAAA!!!", "does not decode"),
        ("sha-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA", "not a key type"),
        (&format!("{line}{line}"), "more than one line"),
    ] {
        let err = PublicKey::from_openssh(bad).expect_err(bad).to_string();
        assert!(err.starts_with(expected), "{bad:?}: {err}");
        assert!(err.contains(why), "{bad:?}: {err}");
    }

    keygen_key(dir.path(), "ecdsa", "ecdsa", "");
    let ecdsa = std::fs::read_to_string(dir.path().join("ecdsa.pub")).expect("read");
    let err = PublicKey::from_openssh(&ecdsa).expect_err("ecdsa");
    assert!(
        matches!(&err, SignError::UnsupportedKeyType { algorithm, .. } if algorithm == "ecdsa-sha2-nistp256"),
        "{err:?}"
    );
}

#[test]
fn private_key_files_that_cannot_be_used_are_named_and_explained() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("no-such-key");
    let err = PrivateKey::from_file(&missing).expect_err("missing");
    assert!(matches!(err, SignError::KeyFileIo { .. }), "{err:?}");
    assert!(err.to_string().contains("no-such-key"), "{err}");

    let locked = keygen_key(dir.path(), "locked", "ed25519", "correct horse");
    let err = PrivateKey::from_file(&locked).expect_err("encrypted");
    assert!(matches!(err, SignError::EncryptedKey { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("locked") && msg.contains("passphrase"),
        "{msg}"
    );
    assert!(msg.contains("ssh-agent"), "{msg}");

    let err = PrivateKey::from_file(&dir.path().join("locked.pub")).expect_err("public");
    assert!(err.to_string().contains("public key"), "{err}");

    let ecdsa = keygen_key(dir.path(), "ecdsa", "ecdsa", "");
    let err = PrivateKey::from_file(&ecdsa).expect_err("ecdsa");
    assert!(
        matches!(err, SignError::UnsupportedKeyType { .. }),
        "{err:?}"
    );

    let pem = dir.path().join("pem");
    std::fs::write(
        &pem,
        "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n",
    )
    .expect("write");
    let err = PrivateKey::from_file(&pem).expect_err("pem");
    assert!(err.to_string().contains("ssh-keygen -p"), "{err}");

    let damaged = dir.path().join("damaged");
    std::fs::write(
        &damaged,
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaA==\n-----END OPENSSH PRIVATE KEY-----\n",
    )
    .expect("write");
    let err = PrivateKey::from_file(&damaged).expect_err("damaged");
    assert!(err.to_string().contains("damaged"), "{err}");

    let binary = dir.path().join("binary");
    std::fs::write(&binary, [0xff, 0xfe, 0]).expect("write");
    assert!(matches!(
        PrivateKey::from_file(&binary),
        Err(SignError::NotAPrivateKey { .. })
    ));
}

#[test]
fn generated_key_files_work_with_ssh_keygen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = PrivateKey::generate("KDD@strategi").expect("generate");
    let path = dir.path().join("approval_key");
    let pub_path = key.write_files(&path).expect("write");
    assert_eq!(pub_path, dir.path().join("approval_key.pub"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("stat").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert_eq!(public_of(&path), key.public_key());
    assert_eq!(public_of(&path).comment(), "KDD@strategi");
    assert_eq!(
        PrivateKey::from_file(&path).expect("reload").fingerprint(),
        key.fingerprint()
    );

    std::fs::write(dir.path().join("text"), TEXT).expect("write");
    let out = ssh_keygen(
        dir.path(),
        &["-Y", "sign", "-f", "approval_key", "-n", NAMESPACE, "text"],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sig = std::fs::read_to_string(dir.path().join("text.sig")).expect("read sig");
    let allowed = [key.public_key()];
    assert!(verify(&sig, NAMESPACE, TEXT, &allowed).is_ok());
    assert_eq!(sign(&key, NAMESPACE, TEXT).expect("sign"), sig);

    // Never overwrites, and a refused write leaves the old files alone.
    let other = PrivateKey::generate("other").expect("generate");
    let err = other.write_files(&path).expect_err("exists");
    assert!(matches!(err, SignError::KeyFileExists { .. }), "{err:?}");
    assert_eq!(public_of(&path), key.public_key());
    assert!(matches!(
        PrivateKey::generate("two\nlines"),
        Err(SignError::BadComment { .. })
    ));
    assert_ne!(other.public_key(), key.public_key());
}

#[test]
fn seeded_keys_are_deterministic() {
    let a = PrivateKey::from_seed(&[9; 32], "a").expect("a");
    let b = PrivateKey::from_seed(&[9; 32], "b").expect("b");
    assert_eq!(a.public_key(), b.public_key());
    assert_ne!(a.public_key().to_string(), b.public_key().to_string());
    assert!(!format!("{a:?}").contains("PRIVATE"));
}

#[test]
fn allowed_signers_lines_follow_ssh_keygen_and_refuse_odd_principals() {
    let key = PrivateKey::from_seed(&[3; 32], "kari@host")
        .expect("seed key")
        .public_key();
    let text = allowed_signers(&[("FIN@strategi", &key), ("kari@fin.dep.no", &key)])
        .expect("allowed signers");
    let bare = key.to_openssh_without_comment();
    assert_eq!(
        text,
        format!(
            "FIN@strategi namespaces=\"git,strategi\" {bare}\nkari@fin.dep.no namespaces=\"git,strategi\" {bare}\n"
        )
    );
    for bad in [
        "",
        "a b",
        "a,b",
        "*@strategi",
        "\"x\"",
        "#FIN",
        "a\nb",
        "!x",
    ] {
        assert!(
            matches!(
                allowed_signers(&[(bad, &key)]),
                Err(SignError::BadPrincipal { .. })
            ),
            "{bad:?}"
        );
    }
}

#[test]
fn allowed_signers_admit_git_and_strategi_namespaces_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = PrivateKey::from_seed(&[4; 32], "fin").expect("seed key");
    let public = key.public_key();
    std::fs::write(
        dir.path().join("allowed_signers"),
        allowed_signers(&[("FIN@strategi", &public)]).expect("allowed"),
    )
    .expect("write");
    let run = |ns: &str| {
        std::fs::write(dir.path().join("s"), sign(&key, ns, TEXT).expect("sign")).expect("write");
        ssh_keygen(
            dir.path(),
            &[
                "-Y",
                "verify",
                "-f",
                "allowed_signers",
                "-I",
                "FIN@strategi",
                "-n",
                ns,
                "-s",
                "s",
            ],
            TEXT,
        )
        .status
        .success()
    };
    assert!(run(GIT_NAMESPACE));
    assert!(run(NAMESPACE));
    assert!(!run("file"));
}
