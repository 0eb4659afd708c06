//! Submission and approval (issue 7): bound to the exact text, signed, verifiable by
//! anyone with git and ssh-keygen.

use std::path::Path;
use std::process::Command;

use crate::common::TestEnv;

fn commit_all(env: &TestEnv, ws: &str, message: &str) {
    env.git(ws, &["add", "-A"]).ok();
    env.git(ws, &["commit", "-q", "-m", message]).ok();
}

fn verify_findings(env: &TestEnv, ws: &str) -> Vec<serde_json::Value> {
    let r = env.run_in(ws, &["--json", "verify"]);
    let v = r.json();
    let findings = v["findings"].as_array().cloned().unwrap_or_default();
    assert_eq!(v["ok"], findings.is_empty(), "{}", r.stdout);
    assert_eq!(
        r.code,
        if findings.is_empty() { 0 } else { 1 },
        "{}",
        r.stderr
    );
    findings
}

#[test]
fn approval_by_a_non_approver_is_refused() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    let r = env.assert_refused_unchanged("ws", &["approve", "v1"]);
    assert!(
        r.stderr.contains("Only the case's approver, DFD"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--as DFD"), "{}", r.stderr);
    env.assert_refused_unchanged("ws", &["--as", "FIN", "approve", "v1"]);
    // A version that does not exist.
    env.assert_refused_unchanged("ws", &["--as", "DFD", "approve", "v7"]);
    // The approver may; a second approval of the same version is refused.
    let a = env
        .run_in("ws", &["--json", "--as", "DFD", "approve", "v1"])
        .ok()
        .json();
    assert_eq!(a["approval"]["by"], "DFD");
    assert_eq!(a["approval"]["version"], "v1");
    assert!(a["approval"]["signed_tag"].is_null());
    let r = env.assert_refused_unchanged("ws", &["--as", "DFD", "approve", "v1"]);
    assert!(r.stderr.contains("already approved"), "{}", r.stderr);
    assert!(verify_findings(&env, "ws").is_empty());
    let status = env.run_in("ws", &["--json", "status"]).ok().json();
    assert_eq!(status["phase"]["name"], "approved");
    assert_eq!(status["phase"]["version"], "v1");
}

#[test]
fn approval_added_by_hand_for_a_non_approver_is_reported() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    let list = env.run_in("ws", &["--json", "version", "list"]).ok().json();
    let commit = list[0]["commit"].as_str().expect("commit").to_string();
    let tree = list[0]["tree"].as_str().expect("tree").to_string();
    std::fs::create_dir_all(env.path("ws/approvals")).expect("dir");
    std::fs::write(
        env.path("ws/approvals/20251103T110000Z-a0000000.toml"),
        format!(
            "id = \"a0000000\"\nversion = \"v1\"\ncommit = \"{commit}\"\ntree = \"{tree}\"\nby = \"FIN\"\nat = \"2025-11-03T11:00:00Z\"\n"
        ),
    )
    .expect("write");
    // With trailers copied from strategi's commits, so that the rule is what is found.
    commit_all(
        &env,
        "ws",
        "FIN approves v1 (by hand)\n\nStrategi-Action: approve\nStrategi-Party: FIN\n",
    );
    let findings = verify_findings(&env, "ws");
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(
        findings[0]["path"],
        "approvals/20251103T110000Z-a0000000.toml"
    );
    let msg = findings[0]["message"].as_str().unwrap_or_default();
    assert!(msg.contains("only the case's approver, DFD"), "{msg}");
    assert!(!findings[0]["hint"].as_str().unwrap_or_default().is_empty());
    // A record that does not parse is a finding too, and does not hide the first.
    std::fs::write(
        env.path("ws/approvals/20251104T110000Z-a1111111.toml"),
        "id = [\n",
    )
    .expect("write");
    let findings = verify_findings(&env, "ws");
    assert_eq!(findings.len(), 2, "{findings:?}");
    assert!(
        findings.iter().any(|f| f["message"]
            .as_str()
            .unwrap_or_default()
            .starts_with("approvals/20251104T110000Z-a1111111.toml:")),
        "{findings:?}"
    );
    // Text output, exit 1.
    let r = env.run_in("ws", &["verify"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("→"), "{}", r.stdout);
}

#[test]
fn editing_an_approved_version_is_reported() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    env.run_in("ws", &["--as", "DFD", "approve", "v1"]).ok();
    assert!(verify_findings(&env, "ws").is_empty());
    // Someone changes the text and moves v1 onto the new commit.
    std::fs::write(
        env.path("ws/strategy/01-utkast.md"),
        "# KI-strategi\n\n## Mål {#mal}\n\nVi skal lære noe annet.\n",
    )
    .expect("write");
    commit_all(&env, "ws", "Quiet edit");
    env.git("ws", &["tag", "-f", "-a", "v1", "-m", "Utkast"])
        .ok();
    let findings = verify_findings(&env, "ws");
    assert!(
        findings.iter().any(|f| {
            f["path"]
                .as_str()
                .unwrap_or_default()
                .starts_with("approvals/")
                && f["message"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("no longer the one approved")
        }),
        "{findings:?}"
    );
    let status = env.run_in("ws", &["--json", "status"]).ok().json();
    assert_eq!(status["phase"]["name"], "approval-void");
    // Rewriting the tag with a Strategi-Tree trailer that no longer matches its commit
    // is reported on the tag itself.
    env.git(
        "ws",
        &[
            "tag",
            "-f",
            "-a",
            "v1",
            "-m",
            "Utkast\n\nStrategi-Tree: 4b825dc642cb6eb9a060e54bf8d69288fbee4904",
        ],
    )
    .ok();
    let findings = verify_findings(&env, "ws");
    assert!(
        findings.iter().any(|f| f["path"] == "refs/tags/v1"),
        "{findings:?}"
    );
}

#[test]
fn signed_approval_verifies_with_ssh_keygen_and_git() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    let key = env.keygen("dfd_ed25519");
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
    // The key is a setting record now (settings/), folded into the party.
    let parties = env.run_in("ws", &["--json", "party", "list"]).ok().json();
    let dfd = parties
        .as_array()
        .and_then(|a| a.iter().find(|p| p["code"] == "DFD"))
        .cloned()
        .unwrap_or_default();
    assert!(
        dfd["keys"][0]
            .as_str()
            .unwrap_or_default()
            .starts_with("ssh-ed25519 "),
        "{parties}"
    );
    let a = env
        .run_in(
            "ws",
            &[
                "--json", "--as", "DFD", "approve", "v1", "--sign", &key, "--note", "Godkjent",
            ],
        )
        .ok()
        .json();
    assert_eq!(a["approval"]["signed_tag"], "approved/v1");
    assert!(
        a["approval"]["key_fingerprint"]
            .as_str()
            .unwrap_or_default()
            .starts_with("SHA256:")
    );
    // The private key never enters the workspace.
    let secret = std::fs::read(&key).expect("key");
    for (path, bytes) in env.snapshot("ws") {
        assert!(
            !bytes
                .windows(40)
                .any(|w| secret.windows(40).next() == Some(w)),
            "{path:?} holds the private key"
        );
    }
    // The allowed-signers file, printed and written.
    let printed = env.run_in("ws", &["keys", "allowed-signers"]).ok().stdout;
    assert!(
        printed.starts_with("DFD@strategi namespaces=\"git,strategi\" ssh-ed25519 "),
        "{printed}"
    );
    let signers = env.path("signers");
    let out = signers.to_string_lossy().into_owned();
    env.run_in("ws", &["keys", "allowed-signers", "--out", &out])
        .ok();
    assert_eq!(std::fs::read_to_string(&signers).expect("signers"), printed);
    // git verify-tag.
    let allowed = format!("gpg.ssh.allowedSignersFile={}", signers.display());
    let r = env.git("ws", &["-c", &allowed, "verify-tag", "approved/v1"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("Good \"git\" signature for DFD@strategi"),
        "{}",
        r.stderr
    );
    // ssh-keygen -Y verify over the tag's payload.
    let raw = env
        .git("ws", &["cat-file", "tag", "approved/v1"])
        .ok()
        .stdout;
    let at = raw
        .find("-----BEGIN SSH SIGNATURE-----")
        .expect("signature");
    let (payload, signature) = raw.split_at(at);
    assert!(
        payload.contains("Version: v1") && payload.contains("Approver: DFD"),
        "{payload}"
    );
    let sig = env.path("tag.sig");
    std::fs::write(&sig, signature).expect("sig");
    let mut child = Command::new("ssh-keygen")
        .args(["-Y", "verify", "-n", "git", "-I", "DFD@strategi", "-f"])
        .arg(&signers)
        .arg("-s")
        .arg(&sig)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("ssh-keygen");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(payload.as_bytes())
        .expect("payload");
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(verify_findings(&env, "ws").is_empty());
    // Deleting the signed tag is reported.
    env.git("ws", &["tag", "-d", "approved/v1"]).ok();
    let findings = verify_findings(&env, "ws");
    assert!(
        findings
            .iter()
            .any(|f| f["path"] == "refs/tags/approved/v1"),
        "{findings:?}"
    );
}

#[test]
fn signature_by_a_key_not_listed_for_the_approver_fails() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    let listed = env.keygen("listed");
    let other = env.keygen("other");
    env.run_in(
        "ws",
        &[
            "--as",
            "DFD",
            "party",
            "key",
            "DFD",
            "--add-file",
            &format!("{listed}.pub"),
        ],
    )
    .ok();
    // With signatures required, an unlisted key and no key are refused.
    let path = env.path("ws/strategi.toml");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(
        &path,
        format!("{text}\n[approval]\nrequire_signature = true\n"),
    )
    .expect("write");
    commit_all(&env, "ws", "Require signed approvals");
    let r = env.assert_refused_unchanged("ws", &["--as", "DFD", "approve", "v1", "--sign", &other]);
    assert!(
        r.stderr.contains("not one of DFD's signing keys"),
        "{}",
        r.stderr
    );
    let r = env.assert_refused_unchanged("ws", &["--as", "DFD", "approve", "v1"]);
    assert!(r.stderr.contains("require_signature"), "{}", r.stderr);
    // Without the requirement an unlisted key is refused too (issue 12: it used to be
    // made with a warning, and then reported by verify).
    std::fs::write(
        &path,
        format!("{text}\n[approval]\nrequire_signature = false\n"),
    )
    .expect("write");
    commit_all(&env, "ws", "Signed approvals optional");
    let r = env.assert_refused_unchanged("ws", &["--as", "DFD", "approve", "v1", "--sign", &other]);
    assert!(
        r.stderr.contains("not one of DFD's signing keys"),
        "{}",
        r.stderr
    );
    // Turning the requirement off by plain git is the owner's to do: verify names it.
    let findings = verify_findings(&env, "ws");
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["kind"], "policy-changed", "{findings:#?}");
    assert!(
        findings[0]["message"].as_str().is_some_and(
            |m| m.contains("[approval] require_signature was changed from true to false")
        ),
        "{findings:#?}"
    );
}

#[test]
fn approval_waits_for_open_rounds_unless_a_reason_is_given() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    env.run_in(
        "ws",
        &[
            "--as",
            "DFD",
            "round",
            "open",
            "--version",
            "v1",
            "--to",
            "FIN,KDD",
            "--due",
            "2025-11-24",
        ],
    )
    .ok();
    let r = env.assert_refused_unchanged("ws", &["--as", "DFD", "approve", "v1"]);
    assert!(r.stderr.contains("still open"), "{}", r.stderr);
    assert!(r.stderr.contains("FIN, KDD"), "{}", r.stderr);
    let status = env.run_in("ws", &["--json", "status"]).ok().json();
    assert_eq!(status["phase"]["name"], "in-consultation");
    let a = env
        .run_in(
            "ws",
            &[
                "--json", "--as", "DFD", "approve", "v1", "--reason", "Hastesak",
            ],
        )
        .ok()
        .json();
    assert_eq!(a["approval"]["reason"], "Hastesak");
    let files: Vec<_> = std::fs::read_dir(env.path("ws/approvals"))
        .expect("dir")
        .collect();
    assert_eq!(files.len(), 1);
    let log = env.git("ws", &["log", "-1", "--format=%B"]).ok().stdout;
    assert!(log.contains("Strategi-Action: approve"), "{log}");
    assert!(log.contains("Hastesak"), "{log}");
}

#[test]
fn submit_records_on_time_and_late() {
    let env = TestEnv::new();
    env.workspace_with_version("early");
    let r = env
        .run_in(
            "early",
            &[
                "--now",
                "2025-11-28",
                "submit",
                "v1",
                "--to",
                "DFD",
                "--milestone",
                "forslag-dfd",
            ],
        )
        .ok();
    assert!(
        r.stdout.contains("Submitted v1 to DFD on 2025-11-28, 3 days before the deadline (forslag-dfd, 1 December 2025)."),
        "{}",
        r.stdout
    );
    // The milestone's completion is a setting record now (settings/), folded in.
    let listed = env
        .run_in("early", &["--json", "milestone", "list"])
        .ok()
        .json();
    let done = listed
        .as_array()
        .and_then(|a| a.iter().find(|m| m["id"] == "forslag-dfd"))
        .map(|m| m["done"].clone())
        .unwrap_or_default();
    assert_eq!(done, "2025-11-28", "{listed}");
    let subs: Vec<_> = std::fs::read_dir(env.path("early/submissions"))
        .expect("dir")
        .collect();
    assert_eq!(subs.len(), 1);
    let rec = std::fs::read_to_string(subs[0].as_ref().expect("entry").path()).expect("read");
    assert!(
        rec.contains("on_time = true") && rec.contains("to = \"DFD\""),
        "{rec}"
    );
    let status = env.run_in("early", &["--json", "status"]).ok().json();
    assert_eq!(status["phase"]["name"], "submitted");
    // The milestone is done: a second hand-in with it is refused.
    env.assert_refused_unchanged(
        "early",
        &["submit", "v1", "--to", "DFD", "--milestone", "forslag-dfd"],
    );

    env.workspace_with_version("late");
    let r = env
        .run_in(
            "late",
            &[
                "--json",
                "--now",
                "2025-12-03",
                "submit",
                "v1",
                "--to",
                "DFD",
                "--milestone",
                "forslag-dfd",
            ],
        )
        .ok()
        .json();
    assert_eq!(r["submission"]["on_time"], false);
    let r = env
        .run_in(
            "late",
            &[
                "--now",
                "2025-12-03",
                "submit",
                "v1",
                "--to",
                "DFD",
                "--note",
                "Again",
            ],
        )
        .ok();
    assert!(
        r.stdout.contains("Submitted v1 to DFD on 2025-12-03."),
        "{}",
        r.stdout
    );
    let subs = std::fs::read_dir(env.path("late/submissions"))
        .expect("dir")
        .count();
    assert_eq!(subs, 2);
    assert!(verify_findings(&env, "late").is_empty());
}

#[test]
fn a_bad_key_in_the_config_is_reported_with_its_place() {
    let env = TestEnv::new();
    env.parties_in_config();
    env.workspace_with_version("ws");
    let path = env.path("ws/strategi.toml");
    let text = std::fs::read_to_string(&path).expect("read");
    let bad = text.replacen(
        "email = \"postmottak@dfd.example\"",
        "email = \"postmottak@dfd.example\"\nkeys = [\"ssh-ed25519 notakey\"]",
        1,
    );
    std::fs::write(&path, &bad).expect("write");
    let r = env.run_in("ws", &["status"]).refused();
    assert!(r.stderr.contains("strategi.toml:"), "{}", r.stderr);
    assert!(
        r.stderr.contains("Not an OpenSSH public key"),
        "{}",
        r.stderr
    );
    let findings = verify_findings(&env, "ws");
    assert!(
        findings.iter().any(|f| f["path"] == "strategi.toml"),
        "{findings:?}"
    );
    assert!(Path::new(&path).exists());
    // `party key` refuses a bad key and a private key.
    std::fs::write(&path, &text).expect("restore");
    env.assert_refused_unchanged("ws", &["party", "key", "DFD", "--add", "ssh-ed25519 AAAA"]);
    let key = env.keygen("k");
    env.assert_refused_unchanged("ws", &["party", "key", "DFD", "--add-file", &key]);
}

#[test]
fn a_second_approval_by_hand_is_ignored_and_reported_with_its_kind() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    let a = env
        .run_in("ws", &["--json", "--as", "DFD", "approve", "v1"])
        .ok()
        .json();
    let commit = a["approval"]["commit"]
        .as_str()
        .expect("commit")
        .to_string();
    let tree = a["approval"]["tree"].as_str().expect("tree").to_string();
    std::fs::write(
        env.path("ws/approvals/20991231T110000Z-a0000000.toml"),
        format!(
            "id = \"a0000000\"\nversion = \"v1\"\ncommit = \"{commit}\"\ntree = \"{tree}\"\nby = \"DFD\"\nat = \"2099-12-31T11:00:00Z\"\n"
        ),
    )
    .expect("write");
    // With trailers copied from strategi's commits, so that the rule is what is found.
    commit_all(
        &env,
        "ws",
        "DFD approves v1 again (by hand)\n\nStrategi-Action: approve\nStrategi-Party: DFD\n",
    );
    let findings = verify_findings(&env, "ws");
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["kind"], "ignored");
    assert_eq!(
        findings[0]["path"],
        "approvals/20991231T110000Z-a0000000.toml"
    );
    assert!(
        findings[0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("approved a second time"),
        "{findings:?}"
    );
    // The first approval still counts.
    let status = env.run_in("ws", &["--json", "status"]).ok().json();
    assert_eq!(status["phase"]["name"], "approved");
    assert_eq!(status["phase"]["version"], "v1");
}

#[test]
fn undecided_comments_from_a_round_on_an_earlier_version_need_a_reason() {
    let env = TestEnv::new();
    let id = env.round_to_four("# Utkast\n\n## Mål {#mal}\n\nVi skal lære.\n");
    let c = env
        .run_in(
            "ws",
            &[
                "--as",
                "DFD",
                "--json",
                "comment",
                "add",
                &id,
                "--from",
                "FIN",
                "--text",
                "Kostnadene må dekkes innenfor gjeldende rammer.",
            ],
        )
        .ok()
        .json();
    let c = c["comment"]["id"]
        .as_str()
        .or_else(|| c["id"].as_str())
        .expect("comment id")
        .to_string();
    std::fs::write(
        env.path("ws/strategy/01-utkast.md"),
        "# Utkast\n\n## Mål {#mal}\n\nVi skal lære mer.\n",
    )
    .expect("draft");
    env.run_in("ws", &["version", "cut", "--label", "Revidert"])
        .ok();
    // v2 has no round of its own, but FIN's comment on v1 has no decision.
    let r = env.assert_refused_unchanged("ws", &["--as", "DFD", "approve", "v2"]);
    assert!(
        r.stderr
            .contains("1 comment(s) from rounds on earlier versions than v2 have no decision yet"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains(&format!("{c} (on v1)")), "{}", r.stderr);
    assert!(r.stderr.contains("--reason"), "{}", r.stderr);
    // Decided, it no longer stands in the way.
    env.run_in(
        "ws",
        &[
            "--as",
            "DIO",
            "comment",
            "resolve",
            &c,
            "--decision",
            "noted",
        ],
    )
    .ok();
    env.run_in("ws", &["--as", "DFD", "approve", "v2"]).ok();
    assert!(verify_findings(&env, "ws").is_empty());
}

#[test]
fn undecided_comments_on_an_earlier_version_are_approved_over_with_a_reason() {
    let env = TestEnv::new();
    let id = env.round_to_four("# Utkast\n\n## Mål {#mal}\n\nVi skal lære.\n");
    env.run_in(
        "ws",
        &[
            "--as",
            "DFD",
            "comment",
            "add",
            &id,
            "--from",
            "FIN",
            "--text",
            "Kostnadene må dekkes.",
        ],
    )
    .ok();
    std::fs::write(
        env.path("ws/strategy/01-utkast.md"),
        "# Utkast\n\n## Mål {#mal}\n\nVi skal lære mer.\n",
    )
    .expect("draft");
    env.run_in("ws", &["version", "cut", "--label", "Revidert"])
        .ok();
    env.run_in(
        "ws",
        &["--as", "DFD", "approve", "v2", "--reason", "Hastesak"],
    )
    .ok();
    let status = env.run_in("ws", &["--json", "status"]).ok().json();
    assert_eq!(status["phase"]["name"], "approved");
    assert!(verify_findings(&env, "ws").is_empty());
}

#[test]
fn an_unsigned_approval_is_signed_later_and_withdrawn_with_a_reason() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    let key = env.keygen("dfd_ed25519");
    let pubkey = format!("{key}.pub");
    env.run_in(
        "ws",
        &["--as", "DFD", "party", "key", "DFD", "--add-file", &pubkey],
    )
    .ok();
    let a = env
        .run_in("ws", &["--json", "--as", "DFD", "approve", "v1"])
        .ok()
        .json();
    let approval_id = a["approval"]["id"].as_str().expect("id").to_string();
    let approvals_before = env.snapshot("ws/approvals");
    // Only the approver signs it later; a non-approver is refused, nothing written.
    env.assert_refused_unchanged("ws", &["--as", "FIN", "approve", "v1", "--sign", &key]);
    let s = env
        .run_in(
            "ws",
            &["--json", "--as", "DFD", "approve", "v1", "--sign", &key],
        )
        .ok()
        .json();
    assert_eq!(s["signed_later"]["approval"], approval_id.as_str());
    assert_eq!(s["approval"]["signed_tag"], "approved/v1");
    assert_eq!(s["signed"], true);
    // A new record; the approval's file is untouched.
    assert_eq!(env.snapshot("ws/approvals"), approvals_before);
    assert_eq!(
        std::fs::read_dir(env.path("ws/signatures"))
            .expect("dir")
            .count(),
        1
    );
    let log = env.git("ws", &["log", "-1", "--format=%B"]).ok().stdout;
    assert!(log.contains("Strategi-Action: approve-sign"), "{log}");
    assert!(verify_findings(&env, "ws").is_empty());
    // Signed once.
    env.assert_refused_unchanged("ws", &["--as", "DFD", "approve", "v1", "--sign", &key]);

    // Withdrawal: the approver only, with a reason.
    let r = env.assert_refused_unchanged(
        "ws",
        &["--as", "FIN", "approve", "v1", "--withdraw", "Feil"],
    );
    assert!(
        r.stderr.contains("may withdraw an approval"),
        "{}",
        r.stderr
    );
    let r = env.run_in("ws", &["--as", "DFD", "approve", "v1", "--withdraw"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let w = env
        .run_in(
            "ws",
            &[
                "--json",
                "--as",
                "DFD",
                "approve",
                "v1",
                "--withdraw",
                "Godkjent ved en feil",
            ],
        )
        .ok()
        .json();
    assert_eq!(w["withdrawal"]["reason"], "Godkjent ved en feil");
    assert_eq!(w["signed_tag_kept"], "approved/v1");
    let status = env.run_in("ws", &["--json", "status"]).ok().json();
    assert_ne!(status["phase"]["name"], "approved", "{status}");
    assert_eq!(status["withdrawn"][0]["version"], "v1", "{status}");
    assert_eq!(status["withdrawn"][0]["reason"], "Godkjent ved en feil");
    let text = env.run_in("ws", &["status"]).ok().stdout;
    assert!(!text.contains("approved: v1"), "{text}");
    assert!(
        text.contains("Withdrawn v1's approval, by DFD on 2025-11-03: Godkjent ved en feil (signed tag approved/v1 kept as history)"),
        "{text}"
    );
    // The tag stays as history and verify stays clean, without calling v1 approved.
    assert_eq!(
        env.git("ws", &["tag", "-l", "approved/*"])
            .ok()
            .stdout
            .trim(),
        "approved/v1"
    );
    assert!(verify_findings(&env, "ws").is_empty());
    env.assert_refused_unchanged(
        "ws",
        &["--as", "DFD", "approve", "v1", "--withdraw", "Igjen"],
    );
    // Approved again, signed: the next tag.
    let again = env
        .run_in(
            "ws",
            &["--json", "--as", "DFD", "approve", "v1", "--sign", &key],
        )
        .ok()
        .json();
    assert_eq!(again["approval"]["signed_tag"], "approved/v1-2");
    let status = env.run_in("ws", &["--json", "status"]).ok().json();
    assert_eq!(status["phase"]["name"], "approved");
    assert!(verify_findings(&env, "ws").is_empty());
}

#[test]
fn a_withdrawal_written_by_hand_by_another_party_is_reported() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    let a = env
        .run_in("ws", &["--json", "--as", "DFD", "approve", "v1"])
        .ok()
        .json();
    let id = a["approval"]["id"].as_str().expect("id");
    std::fs::create_dir_all(env.path("ws/withdrawals")).expect("dir");
    std::fs::write(
        env.path("ws/withdrawals/20251103T130000Z-w0000000.toml"),
        format!(
            "id = \"w0000000\"\napproval = \"{id}\"\nversion = \"v1\"\nby = \"DIO\"\nat = \"2025-11-03T13:00:00Z\"\nreason = \"Vi angrer\"\n"
        ),
    )
    .expect("write");
    commit_all(
        &env,
        "ws",
        "DIO withdraws (by hand)\n\nStrategi-Action: approve-withdraw\nStrategi-Party: DIO\n",
    );
    let findings = verify_findings(&env, "ws");
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["kind"], "ignored");
    assert_eq!(
        findings[0]["path"],
        "withdrawals/20251103T130000Z-w0000000.toml"
    );
    let status = env.run_in("ws", &["--json", "status"]).ok().json();
    assert_eq!(status["phase"]["name"], "approved");
}
