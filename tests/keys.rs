//! Keys belong to their party (issue 12): a key added to a party by another party is
//! refused by `party key`, refused by `approve`, and reported by `verify` with every
//! approval signed by it; `verify --allowed-signers` checks approvals against a trust
//! anchor from outside the workspace; `status` and `approve` show the approver's keys.
//! Real keys from ssh-keygen, real signed tags from git.

use std::process::Command;

use crate::common::TestEnv;

/// The fingerprint ssh-keygen gives the key (`SHA256:…`).
fn fingerprint(key: &str) -> String {
    let out = Command::new("ssh-keygen")
        .args(["-l", "-f", &format!("{key}.pub")])
        .output()
        .expect("ssh-keygen -l");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_string()
}

fn public_line(key: &str) -> String {
    std::fs::read_to_string(format!("{key}.pub"))
        .expect("pub")
        .trim()
        .to_string()
}

fn add_own_key(env: &TestEnv, key: &str) {
    if env
        .config_parties
        .load(std::sync::atomic::Ordering::Relaxed)
    {
        env.key_in_config("ws", "DFD", &public_line(key));
        return;
    }
    env.run_in(
        "ws",
        &[
            "--as",
            "DFD",
            "party",
            "key",
            "DFD",
            "--add-file",
            &format!("{key}.pub"),
        ],
    )
    .ok();
}

/// Sets DFD's `keys = [...]` in strategi.toml by hand (as an editor would).
fn set_dfd_keys_by_hand(env: &TestEnv, keys: &[String]) {
    let path = env.path("ws/strategi.toml");
    let text = std::fs::read_to_string(&path).expect("read");
    let list = keys
        .iter()
        .map(|k| format!("\"{k}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let mut out = String::new();
    let mut in_dfd = false;
    let mut done = false;
    for line in text.lines() {
        if line.starts_with("[[") || line.starts_with('[') {
            if in_dfd && !done {
                out.push_str(&format!("keys = [{list}]\n"));
                done = true;
            }
            in_dfd = false;
        }
        if line.trim() == "code = \"DFD\"" {
            in_dfd = true;
        }
        if in_dfd && line.starts_with("keys = ") {
            out.push_str(&format!("keys = [{list}]\n"));
            done = true;
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    if in_dfd && !done {
        out.push_str(&format!("keys = [{list}]\n"));
    }
    std::fs::write(&path, out).expect("write");
}

fn commit_by_hand(env: &TestEnv, message: &str) -> String {
    env.git("ws", &["add", "-A"]).ok();
    env.git("ws", &["commit", "-q", "-m", message]).ok();
    env.git("ws", &["rev-parse", "HEAD"])
        .ok()
        .stdout
        .trim()
        .to_string()
}

fn verify_json(env: &TestEnv, extra: &[&str]) -> (i32, Vec<serde_json::Value>) {
    let mut args = vec!["--json", "verify"];
    args.extend_from_slice(extra);
    let r = env.run_in("ws", &args);
    let v = r.json();
    let findings = v["findings"].as_array().cloned().unwrap_or_default();
    assert_eq!(v["ok"], findings.is_empty(), "{}", r.stdout);
    (r.code, findings)
}

fn of_kind<'a>(findings: &'a [serde_json::Value], kind: &str) -> Vec<&'a serde_json::Value> {
    findings.iter().filter(|f| f["kind"] == kind).collect()
}

/// Signs `approved/v1` on v1 with `key` using stock git (`git tag -s`, ssh format).
fn git_signed_tag(env: &TestEnv, key: &str, force: bool) {
    let signing = format!("user.signingkey={key}");
    let mut args = vec![
        "-c",
        "gpg.format=ssh",
        "-c",
        &signing,
        "tag",
        "-s",
        "-m",
        "Approved v1\n\nVersion: v1\nApprover: DFD",
    ];
    if force {
        args.push("-f");
    }
    args.extend(["approved/v1", "v1^{commit}"]);
    env.git("ws", &args).ok();
}

fn rev(env: &TestEnv, spec: &str) -> String {
    env.git("ws", &["rev-parse", spec])
        .ok()
        .stdout
        .trim()
        .to_string()
}

#[test]
fn the_forged_key_scenario_is_refused_and_caught() {
    let env = TestEnv::new();
    env.parties_in_config();
    env.workspace_with_version("ws");
    let own = env.keygen("dfd_ed25519");
    let other = env.keygen("other");
    add_own_key(&env, &own);

    // Acting as the owner (DIO), adding a key to DFD is refused, with the hint.
    let r = env.assert_refused_unchanged(
        "ws",
        &["party", "key", "DFD", "--add-file", &format!("{other}.pub")],
    );
    assert!(
        r.stderr
            .contains("Only DFD adds signing keys to DFD; you act as DIO"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--as DFD party key DFD"), "{}", r.stderr);
    // Signing with a key not listed at all: refused, nothing changes.
    let r = env.assert_refused_unchanged("ws", &["--as", "DFD", "approve", "v1", "--sign", &other]);
    assert!(
        r.stderr.contains("not one of DFD's signing keys"),
        "{}",
        r.stderr
    );

    // The same edit made by hand with plain git.
    set_dfd_keys_by_hand(&env, &[public_line(&own), public_line(&other)]);
    let forged = commit_by_hand(&env, "Add key for DFD");
    let fp = fingerprint(&other);
    // approve refuses to sign with it, naming the commit and who acted.
    let r = env.assert_refused_unchanged("ws", &["--as", "DFD", "approve", "v1", "--sign", &other]);
    assert!(r.stderr.contains(&fp), "{}", r.stderr);
    assert!(r.stderr.contains("DFD did not add it"), "{}", r.stderr);
    assert!(r.stderr.contains(&forged[..12]), "{}", r.stderr);
    assert!(r.stderr.contains("Kari Nordmann"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("acting as no party (strategi did not make the commit)"),
        "{}",
        r.stderr
    );
    // status shows DFD's own key and the foreign one apart.
    let s = env.run_in("ws", &["--json", "status"]).ok().json();
    assert_eq!(s["approver_keys"]["own"][0], fingerprint(&own));
    assert_eq!(s["approver_keys"]["foreign"][0], fp.as_str());
    let s = env.run_in("ws", &["status"]).ok().stdout;
    assert!(s.contains(&fingerprint(&own)), "{s}");
    assert!(
        s.contains(&format!("{fp} listed for DFD but not added by it")),
        "{s}"
    );

    // verify: the key, the commit, its author and the acting party.
    let (code, findings) = verify_json(&env, &[]);
    assert_eq!(code, 1);
    let keys = of_kind(&findings, "foreign-key");
    assert_eq!(keys.len(), 1, "{findings:?}");
    let msg = keys[0]["message"].as_str().unwrap_or_default();
    assert!(msg.contains(&fp), "{msg}");
    assert!(msg.contains(&forged[..12]), "{msg}");
    assert!(
        msg.contains("Kari Nordmann <kari.nordmann@dio.example>"),
        "{msg}"
    );
    assert!(msg.contains("acting as no party"), "{msg}");
    assert_eq!(keys[0]["commit"], forged.as_str());

    // The records written by hand: a tag signed with the forged key by stock git, and
    // the approval record naming it.
    git_signed_tag(&env, &other, false);
    // The workspace's allowed-signers file leaves the forged key out (with a warning),
    // so stock git does not accept the tag; a file with every listed key would.
    let signers = env.path("signers");
    let out = signers.to_string_lossy().into_owned();
    let r = env
        .run_in("ws", &["keys", "allowed-signers", "--out", &out])
        .ok();
    assert!(
        r.stderr.contains(&format!("Left out: The key {fp}")),
        "{}",
        r.stderr
    );
    let written = std::fs::read_to_string(&signers).expect("signers");
    assert_eq!(written.lines().count(), 1, "{written}");
    let allowed = format!("gpg.ssh.allowedSignersFile={out}");
    let r = env.git("ws", &["-c", &allowed, "verify-tag", "approved/v1"]);
    assert_ne!(r.code, 0, "{}", r.stderr);
    let everything = env.path("every_listed_key");
    std::fs::write(
        &everything,
        format!("{written}DFD@strategi {}\n", public_line(&other)),
    )
    .expect("file");
    let allowed = format!("gpg.ssh.allowedSignersFile={}", everything.display());
    let r = env.git("ws", &["-c", &allowed, "verify-tag", "approved/v1"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (commit, tree) = (rev(&env, "v1^{commit}"), rev(&env, "v1^{commit}:strategy"));
    std::fs::create_dir_all(env.path("ws/approvals")).expect("approvals");
    let record = "approvals/20251103T120000Z-afrgedxx.toml";
    std::fs::write(
        env.path(&format!("ws/{record}")),
        format!(
            "id = \"afrgedxx\"\nversion = \"v1\"\ncommit = \"{commit}\"\ntree = \"{tree}\"\nby = \"DFD\"\nat = \"2025-11-03T12:00:00Z\"\nsigned_tag = \"approved/v1\"\nkey_fingerprint = \"{fp}\"\n"
        ),
    )
    .expect("record");
    commit_by_hand(
        &env,
        "Approve v1\n\nStrategi-Action: approve\nStrategi-Party: DFD",
    );
    let (code, findings) = verify_json(&env, &[]);
    assert_eq!(code, 1);
    let approvals = of_kind(&findings, "foreign-key-approval");
    assert_eq!(approvals.len(), 1, "{findings:?}");
    assert_eq!(approvals[0]["path"], record);
    let msg = approvals[0]["message"].as_str().unwrap_or_default();
    assert!(msg.contains(&fp) && msg.contains(&forged[..12]), "{msg}");
    // The text output names it too.
    let r = env.run_in("ws", &["verify"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains(&format!(
            "{record}: The approval of v1 is signed with the key {fp}"
        )),
        "{}",
        r.stdout
    );
}

#[test]
fn a_second_key_added_while_acting_as_the_owner_is_caught() {
    // Case (b): the commit copies strategi's trailers, acting as the owner.
    let env = TestEnv::new();
    env.parties_in_config();
    env.workspace_with_version("ws");
    let own = env.keygen("dfd_ed25519");
    let second = env.keygen("second");
    add_own_key(&env, &own);
    set_dfd_keys_by_hand(&env, &[public_line(&own), public_line(&second)]);
    let c = commit_by_hand(
        &env,
        "Add signing key for DFD\n\nStrategi-Action: party-key\nStrategi-Party: DIO",
    );
    let r =
        env.assert_refused_unchanged("ws", &["--as", "DFD", "approve", "v1", "--sign", &second]);
    assert!(
        r.stderr.contains("acting as DIO, not as DFD"),
        "{}",
        r.stderr
    );
    let (code, findings) = verify_json(&env, &[]);
    assert_eq!(code, 1);
    let keys = of_kind(&findings, "foreign-key");
    assert_eq!(keys.len(), 1, "{findings:?}");
    assert_eq!(keys[0]["commit"], c.as_str());
    assert!(
        keys[0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains(&format!(
                "{} listed for DFD was added by commit {}",
                fingerprint(&second),
                &c[..12]
            )),
        "{keys:?}"
    );
    // The own key still approves; only the foreign key stays reported.
    let a = env
        .run_in(
            "ws",
            &["--json", "--as", "DFD", "approve", "v1", "--sign", &own],
        )
        .ok()
        .json();
    assert_eq!(a["approver_keys"][0], fingerprint(&own));
    assert_eq!(a["approver_keys"].as_array().map(Vec::len), Some(1));
    let (_, findings) = verify_json(&env, &[]);
    assert_eq!(findings.len(), 1, "{findings:?}");
}

#[test]
fn the_approvers_key_replaced_and_the_tag_re_signed_is_caught() {
    // Case (a).
    let env = TestEnv::new();
    env.parties_in_config();
    env.workspace_with_version("ws");
    let own = env.keygen("dfd_ed25519");
    let new = env.keygen("new");
    add_own_key(&env, &own);
    let r = env
        .run_in("ws", &["--as", "DFD", "approve", "v1", "--sign", &own])
        .ok();
    assert!(
        r.stdout.contains(&format!(
            "DFD's signing keys (confirm them with DFD out of band): {}",
            fingerprint(&own)
        )),
        "{}",
        r.stdout
    );
    assert_eq!(verify_json(&env, &[]).0, 0);
    set_dfd_keys_by_hand(&env, &[public_line(&new)]);
    commit_by_hand(&env, "Rotate DFD's key");
    git_signed_tag(&env, &new, true);
    let (code, findings) = verify_json(&env, &[]);
    assert_eq!(code, 1);
    let keys = of_kind(&findings, "foreign-key");
    // The new key, and the old key's removal, neither by DFD.
    assert_eq!(keys.len(), 2, "{findings:?}");
    assert!(
        keys.iter().any(
            |f| f["message"].as_str().unwrap_or_default().contains(&format!(
                "A signing key of DFD ({}) was removed",
                fingerprint(&own)
            ))
        ),
        "{keys:?}"
    );
    assert_eq!(
        of_kind(&findings, "foreign-key-approval").len(),
        1,
        "{findings:?}"
    );
}

#[test]
fn verify_checks_signed_approvals_against_an_allowed_signers_file() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    let own = env.keygen("dfd_ed25519");
    let other = env.keygen("other");
    add_own_key(&env, &own);
    env.run_in("ws", &["--as", "DFD", "approve", "v1", "--sign", &own])
        .ok();
    // The approver's published key, as a person writes the file by hand.
    let published = env.path("published_signers");
    std::fs::write(
        &published,
        format!(
            "# DFD's published approval key\nDFD@strategi namespaces=\"git\" {}\n",
            public_line(&own)
        ),
    )
    .expect("published");
    // ssh-keygen reads the same file and finds DFD@strategi for the tag's signature.
    let raw = env
        .git("ws", &["cat-file", "tag", "approved/v1"])
        .ok()
        .stdout;
    let at = raw
        .find("-----BEGIN SSH SIGNATURE-----")
        .expect("signature");
    let sig = env.path("tag.sig");
    std::fs::write(&sig, &raw[at..]).expect("sig");
    let out = Command::new("ssh-keygen")
        .args(["-Y", "find-principals", "-f"])
        .arg(&published)
        .arg("-s")
        .arg(&sig)
        .output()
        .expect("ssh-keygen");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "DFD@strategi",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let file = published.to_string_lossy().into_owned();
    let (code, findings) = verify_json(&env, &["--allowed-signers", &file]);
    assert_eq!((code, findings.len()), (0, 0), "{findings:?}");

    // A file that allows another key (or this key for another principal): reported.
    let wrong = env.path("wrong_signers");
    std::fs::write(
        &wrong,
        format!(
            "DFD@strategi {}\nFIN@strategi {}\n",
            public_line(&other),
            public_line(&own)
        ),
    )
    .expect("wrong");
    let file = wrong.to_string_lossy().into_owned();
    let (code, findings) = verify_json(&env, &["--allowed-signers", &file]);
    assert_eq!(code, 1);
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["kind"], "not-anchored");
    assert!(
        findings[0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("not allowed by the allowed-signers file for DFD@strategi"),
        "{findings:?}"
    );
    // A file that is not an allowed-signers file is refused.
    std::fs::write(&wrong, "DFD@strategi\n").expect("bad");
    let r = env
        .run_in("ws", &["verify", "--allowed-signers", &file])
        .refused();
    assert!(
        r.stderr.contains("Line 1 of the allowed-signers file"),
        "{}",
        r.stderr
    );
}
