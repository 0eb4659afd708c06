//! The "fifteen ways" to forge or undo an approval (issue 12), cases (a)–(f), each
//! played out with real keys from ssh-keygen, stock git for the forger's commits and
//! tags, and strategi for everything the parties really did.
//!
//! In a case that requires signed commits (`[approval] require_signed_commits`), each
//! case makes `verify` exit 1 naming what is wrong. Without signed commits, (a), (b),
//! (d) and (e) are still caught (they change or remove what history shows was
//! written), and for (c) and (f) `verify` names the commits whose authorship rests only
//! on the git host's access control. `status` never shows the version as approved when
//! `verify` finds its approval broken.

use std::process::Command;

use crate::common::{Run, TestEnv};

/// The round and comment of the case, and the parties' key files.
struct Case {
    env: TestEnv,
    signed: bool,
    dfd: String,
    dio: String,
    round: String,
    comment: String,
}

fn public_line(key: &str) -> String {
    std::fs::read_to_string(format!("{key}.pub"))
        .expect("pub")
        .trim()
        .to_string()
}

fn fingerprint(key: &str) -> String {
    let out = Command::new("ssh-keygen")
        .args(["-l", "-f", &format!("{key}.pub")])
        .output()
        .expect("ssh-keygen -l");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_string()
}

fn to_run(o: std::process::Output) -> Run {
    Run {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// `cmd` with git set to sign every commit with `key` (as the person would set it in
/// their own git config), through git's `GIT_CONFIG_*` variables.
fn signing_with(mut cmd: Command, key: &str) -> Command {
    cmd.env("GIT_CONFIG_COUNT", "3")
        .env("GIT_CONFIG_KEY_0", "gpg.format")
        .env("GIT_CONFIG_VALUE_0", "ssh")
        .env("GIT_CONFIG_KEY_1", "user.signingKey")
        .env("GIT_CONFIG_VALUE_1", key)
        .env("GIT_CONFIG_KEY_2", "commit.gpgSign")
        .env("GIT_CONFIG_VALUE_2", "true");
    cmd
}

impl Case {
    /// strategi in `ws`, signing with `key` in a signed case.
    fn run(&self, key: &str, args: &[&str]) -> Run {
        let mut full = vec!["-C", "ws"];
        full.extend_from_slice(args);
        let cmd = self.env.strategi_cmd(&full);
        let cmd = if self.signed {
            signing_with(cmd, key)
        } else {
            cmd
        };
        let mut cmd = cmd;
        to_run(cmd.output().expect("run strategi"))
    }

    fn as_dfd(&self, args: &[&str]) -> Run {
        let mut full = vec!["--as", "DFD"];
        full.extend_from_slice(args);
        self.run(&self.dfd.clone(), &full)
    }

    fn as_dio(&self, args: &[&str]) -> Run {
        self.run(&self.dio.clone(), args)
    }

    /// Commits everything with plain git (unsigned, as the forger), with `message`;
    /// returns the commit id.
    fn commit_by_hand(&self, message: &str) -> String {
        self.env.git("ws", &["add", "-A"]).ok();
        self.env
            .git(
                "ws",
                &[
                    "-c",
                    "user.name=Mallory Hand",
                    "-c",
                    "user.email=mallory@x.example",
                    "commit",
                    "-q",
                    "-m",
                    message,
                ],
            )
            .ok();
        self.rev("HEAD")
    }

    fn rev(&self, spec: &str) -> String {
        self.env
            .git("ws", &["rev-parse", spec])
            .ok()
            .stdout
            .trim()
            .to_string()
    }

    /// verify's exit code, findings and notes.
    fn verify(&self) -> (i32, Vec<serde_json::Value>, Vec<String>) {
        let r = self.env.run_in("ws", &["--json", "verify"]);
        let v = r.json();
        let findings = v["findings"].as_array().cloned().unwrap_or_default();
        let notes = v["notes"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .filter_map(|n| n.as_str().map(str::to_string))
            .collect();
        (r.code, findings, notes)
    }

    /// The findings of `kind`.
    #[track_caller]
    fn caught(&self, kind: &str) -> Vec<serde_json::Value> {
        let (code, findings, _) = self.verify();
        assert_eq!(code, 1, "verify should fail: {findings:#?}");
        let of: Vec<_> = findings
            .iter()
            .filter(|f| f["kind"] == kind)
            .cloned()
            .collect();
        assert!(!of.is_empty(), "no {kind} finding: {findings:#?}");
        of
    }

    /// `status`'s phase name and its sentence.
    fn phase(&self) -> (String, String) {
        let s = self.env.run_in("ws", &["--json", "status"]).ok().json();
        (
            s["phase"]["name"].as_str().unwrap_or_default().to_string(),
            s["phase"]["summary"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        )
    }

    #[track_caller]
    fn assert_not_approved(&self) -> String {
        let (name, summary) = self.phase();
        assert_ne!(name, "approved", "status says approved: {summary}");
        let text = self.env.run_in("ws", &["status"]).ok().stdout;
        assert!(!text.contains("approved: v1 by DFD"), "{text}");
        summary
    }

    /// DFD approves v1 with its own key, as strategi does it.
    fn approve(&self) {
        self.as_dfd(&["approve", "v1", "--sign", &self.dfd.clone()])
            .ok();
        assert_eq!(self.phase().0, "approved");
        assert_eq!(self.verify().0, 0, "{:#?}", self.verify().1);
    }

    /// Writes an approval record of v1 by hand (as the forger would), signed with the
    /// tag `approved/v1` by `key` when given.
    fn approval_by_hand(&self, key: Option<&str>) -> String {
        let (commit, tree) = (self.rev("v1^{commit}"), self.rev("v1^{commit}:strategy"));
        let mut record = format!(
            "id = \"afrgedxx\"\nversion = \"v1\"\ncommit = \"{commit}\"\ntree = \"{tree}\"\nby = \"DFD\"\nat = \"2025-11-03T12:00:00Z\"\n"
        );
        if let Some(key) = key {
            git_signed_tag(&self.env, key, false);
            record.push_str(&format!(
                "signed_tag = \"approved/v1\"\nkey_fingerprint = \"{}\"\n",
                fingerprint(key)
            ));
        }
        std::fs::create_dir_all(self.env.path("ws/approvals")).expect("approvals");
        let path = "approvals/20251103T120000Z-afrgedxx.toml";
        std::fs::write(self.env.path(&format!("ws/{path}")), record).expect("record");
        path.to_string()
    }

    /// The only approval record's path.
    fn approval_path(&self) -> String {
        let name = std::fs::read_dir(self.env.path("ws/approvals"))
            .expect("approvals")
            .next()
            .expect("one approval")
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        format!("approvals/{name}")
    }
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

/// Sets DFD's `keys = [...]` in strategi.toml by hand.
fn set_keys_by_hand(env: &TestEnv, party: &str, keys: &[String]) {
    let path = env.path("ws/strategi.toml");
    let text = std::fs::read_to_string(&path).expect("read");
    let list = keys
        .iter()
        .map(|k| format!("\"{k}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let mut out = String::new();
    let mut inside = false;
    let mut done = false;
    for line in text.lines() {
        if line.starts_with('[') {
            if inside && !done {
                out.push_str(&format!("keys = [{list}]\n"));
                done = true;
            }
            inside = false;
        }
        if line.trim() == format!("code = \"{party}\"") {
            inside = true;
        }
        if inside && line.starts_with("keys = ") {
            out.push_str(&format!("keys = [{list}]\n"));
            done = true;
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    if inside && !done {
        out.push_str(&format!("keys = [{list}]\n"));
    }
    std::fs::write(&path, out).expect("write");
}

/// The case: v1, DFD's key (and, signed, DIO listed with its key and the policy that
/// DFD's and DIO's commits are signed), a round from DFD to FIN, FIN's comment and
/// DIO's decision on it. verify is clean.
fn case(signed: bool) -> Case {
    case_in(signed, false)
}

/// [`case`], with the parties listed in `strategi.toml` by hand when `config_parties`
/// (for the forgeries that edit them there).
fn case_in(signed: bool, config_parties: bool) -> Case {
    let env = TestEnv::new();
    if config_parties {
        env.parties_in_config();
    }
    env.workspace_with_version("ws");
    let dfd = env.keygen("dfd_ed25519");
    let dio = env.keygen("dio_ed25519");
    let mut c = Case {
        env,
        signed,
        dfd,
        dio,
        round: String::new(),
        comment: String::new(),
    };
    if signed {
        c.as_dio(&[
            "party",
            "add",
            "DIO",
            "--name",
            "Digitaliseringsdirektoratet",
            "--email",
            "postmottak@dio.example",
        ])
        .ok();
        let path = c.env.path("ws/strategi.toml");
        let text = std::fs::read_to_string(&path).expect("config");
        std::fs::write(
            &path,
            format!("{text}\n[approval]\nrequire_signed_commits = [\"DFD\", \"DIO\"]\n"),
        )
        .expect("policy");
        c.env
            .git(
                "ws",
                &["commit", "-qam", "Require signed commits of DFD and DIO"],
            )
            .ok();
        let dio_pub = format!("{}.pub", c.dio);
        c.as_dio(&["--as", "DIO", "party", "key", "DIO", "--add-file", &dio_pub])
            .ok();
    }
    let dfd_pub = format!("{}.pub", c.dfd);
    if config_parties {
        c.env.key_in_config("ws", "DFD", &public_line(&c.dfd));
    } else {
        c.as_dfd(&["party", "key", "DFD", "--add-file", &dfd_pub])
            .ok();
    }
    c.as_dfd(&[
        "--json",
        "round",
        "open",
        "--version",
        "v1",
        "--to",
        "FIN",
        "--due",
        "2025-12-15",
    ])
    .ok();
    c.round = c.env.run_in("ws", &["--json", "round", "list"]).json()[0]["id"]
        .as_str()
        .expect("round id")
        .to_string();
    let round = c.round.clone();
    c.as_dfd(&["round", "send", &round]).ok();
    c.comment = c
        .env
        .run_in(
            "ws",
            &[
                "--as",
                "FIN",
                "--json",
                "comment",
                "add",
                &round,
                "--from",
                "FIN",
                "--section",
                "mal",
                "--text",
                "Målet bør tallfestes.",
            ],
        )
        .ok()
        .json()["comment"]["id"]
        .as_str()
        .expect("comment id")
        .to_string();
    let comment = c.comment.clone();
    c.as_dio(&[
        "comment",
        "resolve",
        &comment,
        "--decision",
        "partly",
        "--note",
        "Delvis tatt inn.",
    ])
    .ok();
    c.as_dfd(&["round", "close", &round]).ok();
    let (code, findings, _) = c.verify();
    assert_eq!(code, 0, "{findings:#?}");
    c
}

// ---------------------------------------------------------------------------------
// Signing itself: stock git verifies what strategi signs.

#[test]
fn every_commit_of_a_signing_party_verifies_with_stock_git() {
    let c = case(true);
    c.approve();
    let signers = c.env.path("allowed");
    let out = signers.to_string_lossy().into_owned();
    c.env
        .run_in("ws", &["keys", "allowed-signers", "--out", &out])
        .ok();
    let allowed = format!("gpg.ssh.allowedSignersFile={out}");
    // Every commit since the policy acting as DFD or DIO is signed and verifies with
    // stock git; FIN's (not required, no key configured) is not signed.
    let policy = c
        .env
        .git(
            "ws",
            &["log", "--format=%H", "--grep=Require signed commits"],
        )
        .ok()
        .stdout;
    let range = format!("{}..HEAD", policy.trim());
    let log = c
        .env
        .git(
            "ws",
            &[
                "-c",
                &allowed,
                "log",
                "--format=%G? %(trailers:key=Strategi-Party,valueonly,separator=) %s",
                &range,
            ],
        )
        .ok()
        .stdout;
    let mut by_party = std::collections::BTreeMap::<String, Vec<String>>::new();
    for line in log.lines() {
        let mut parts = line.splitn(3, ' ');
        let (Some(state), Some(party)) = (parts.next(), parts.next()) else {
            continue;
        };
        by_party
            .entry(party.to_string())
            .or_default()
            .push(state.to_string());
    }
    for party in ["DFD", "DIO"] {
        let states = by_party.get(party).cloned().unwrap_or_default();
        assert!(!states.is_empty(), "{log}");
        assert!(states.iter().all(|s| s == "G"), "{party}: {log}");
    }
    assert_eq!(by_party.get("FIN"), Some(&vec!["N".to_string()]), "{log}");
    assert!(by_party.values().map(Vec::len).sum::<usize>() >= 6, "{log}");
    // `git log --show-signature` says so for the approval commit.
    let r = c
        .env
        .git("ws", &["-c", &allowed, "log", "-1", "--show-signature"])
        .ok();
    assert!(
        r.stdout.contains("Good \"git\" signature for DFD@strategi"),
        "{}",
        r.stdout
    );
}

#[test]
fn without_a_usable_key_a_write_under_the_policy_is_refused_unchanged() {
    let c = case(true);
    // No signing configured at all.
    let before = c.env.snapshot("ws");
    let r = c
        .env
        .run_in("ws", &["--as", "DFD", "approve", "v1"])
        .refused();
    assert!(
        r.stderr.contains("requires DFD's commits to be signed"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("git config gpg.format ssh"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("git config user.signingKey"),
        "{}",
        r.stderr
    );
    // A key literal (agent only) and a .pub without its private half.
    let literal = format!("key::{}", public_line(&c.dfd));
    let mut cmd = signing_with(
        c.env
            .strategi_cmd(&["-C", "ws", "--as", "DFD", "approve", "v1"]),
        &literal,
    );
    let r = to_run(cmd.output().expect("run")).refused();
    assert!(
        r.stderr.contains("only ssh-agent can sign with"),
        "{}",
        r.stderr
    );
    let lone = c.env.path("lone.pub");
    std::fs::write(&lone, public_line(&c.dfd)).expect("pub");
    let mut cmd = signing_with(
        c.env
            .strategi_cmd(&["-C", "ws", "--as", "DFD", "approve", "v1"]),
        &lone.to_string_lossy(),
    );
    let r = to_run(cmd.output().expect("run")).refused();
    assert!(r.stderr.contains("agent-only key"), "{}", r.stderr);
    // Signing with another party's key: refused too.
    let r = c
        .run(&c.dio.clone(), &["--as", "DFD", "approve", "v1"])
        .refused();
    assert!(r.stderr.contains("not one of them"), "{}", r.stderr);
    assert_eq!(before, c.env.snapshot("ws"), "nothing changed");
}

// ---------------------------------------------------------------------------------
// (a) The approver's key replaced in the configuration, approved/v1 re-signed.

fn replaced_key(signed: bool) {
    let c = case_in(signed, true);
    c.approve();
    let new = c.env.keygen("new");
    set_keys_by_hand(&c.env, "DFD", &[public_line(&new)]);
    let forged = c.commit_by_hand("Rotate DFD's key");
    git_signed_tag(&c.env, &new, true);
    let keys = c.caught("foreign-key");
    assert!(
        keys.iter().any(|f| f["commit"] == forged.as_str()),
        "{keys:#?}"
    );
    let approvals = c.caught("foreign-key-approval");
    assert!(
        approvals[0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains(&fingerprint(&new)),
        "{approvals:#?}"
    );
    let why = c.assert_not_approved();
    assert!(
        why.contains("approved/v1 does not hold against DFD's own keys"),
        "{why}"
    );
}

#[test]
fn a_replaced_key_is_caught_with_signed_commits() {
    replaced_key(true);
}

#[test]
fn a_replaced_key_is_caught_without_signed_commits() {
    replaced_key(false);
}

// ---------------------------------------------------------------------------------
// (b) A second key added to the approver while acting as the owner, then used.

fn second_key(signed: bool) {
    let c = case_in(signed, true);
    let second = c.env.keygen("second");
    set_keys_by_hand(&c.env, "DFD", &[public_line(&c.dfd), public_line(&second)]);
    let added = c.commit_by_hand(
        "Add signing key for DFD\n\nStrategi-Action: party-key\nStrategi-Party: DIO",
    );
    let path = c.approval_by_hand(Some(&second));
    let approval = c.commit_by_hand("Approve v1\n\nStrategi-Action: approve\nStrategi-Party: DFD");
    let keys = c.caught("foreign-key");
    assert!(
        keys.iter().any(|f| f["commit"] == added.as_str()),
        "{keys:#?}"
    );
    let approvals = c.caught("foreign-key-approval");
    assert_eq!(approvals[0]["path"], path.as_str());
    if signed {
        let commits = c.caught("commit-signature");
        assert!(
            commits.iter().any(|f| f["commit"] == approval.as_str()),
            "{commits:#?}"
        );
    }
    let why = c.assert_not_approved();
    assert!(
        why.contains("does not hold against DFD's own keys"),
        "{why}"
    );
}

#[test]
fn a_second_key_added_as_the_owner_is_caught_with_signed_commits() {
    second_key(true);
}

#[test]
fn a_second_key_added_as_the_owner_is_caught_without_signed_commits() {
    second_key(false);
}

// ---------------------------------------------------------------------------------
// (c) An unsigned approval record written by hand and committed (copied trailers).

#[test]
fn an_approval_written_by_hand_is_caught_with_signed_commits() {
    let c = case(true);
    let path = c.approval_by_hand(None);
    let forged = c.commit_by_hand("Approve v1\n\nStrategi-Action: approve\nStrategi-Party: DFD");
    let commits = c.caught("commit-signature");
    let f = commits
        .iter()
        .find(|f| f["commit"] == forged.as_str())
        .unwrap_or_else(|| panic!("{commits:#?}"));
    assert_eq!(f["path"], path.as_str());
    let msg = f["message"].as_str().unwrap_or_default();
    assert!(msg.contains(&forged[..12]), "{msg}");
    assert!(msg.contains("Mallory Hand <mallory@x.example>"), "{msg}");
    assert!(msg.contains("acting as DFD"), "{msg}");
    assert!(msg.contains("it is not signed"), "{msg}");
    let why = c.assert_not_approved();
    assert!(why.contains("is not signed by DFD"), "{why}");
}

#[test]
fn an_approval_written_by_hand_is_named_as_resting_on_the_host_without_signed_commits() {
    let c = case(false);
    c.approval_by_hand(None);
    let forged = c.commit_by_hand("Approve v1\n\nStrategi-Action: approve\nStrategi-Party: DFD");
    let (code, findings, notes) = c.verify();
    // Nothing in the workspace tells it from a real unsigned approval: verify says so.
    assert_eq!(code, 0, "{findings:#?}");
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains(&forged[..12]), "{notes:?}");
    assert!(
        notes[0].contains("rests on the git host's access control"),
        "{notes:?}"
    );
    let text = c.env.run_in("ws", &["verify"]).ok().stdout;
    assert!(text.contains("Note: "), "{text}");
}

// ---------------------------------------------------------------------------------
// (d) An approval record's date or note edited.

fn edited_approval(signed: bool) {
    let c = case(signed);
    c.approve();
    let path = c.approval_path();
    let file = c.env.path(&format!("ws/{path}"));
    let text = std::fs::read_to_string(&file).expect("approval");
    std::fs::write(
        &file,
        format!("{text}note = \"Godkjent uten forbehold.\"\n"),
    )
    .expect("edit");
    let edit = c.commit_by_hand("Approve v1\n\nStrategi-Action: approve\nStrategi-Party: DFD");
    let changed = c.caught("record-changed");
    assert!(
        changed
            .iter()
            .any(|f| f["commit"] == edit.as_str() && f["path"] == path.as_str()),
        "{changed:#?}"
    );
    let why = c.assert_not_approved();
    assert!(
        why.contains(&format!("{path} was changed by commit {}", &edit[..12])),
        "{why}"
    );
}

#[test]
fn an_edited_approval_is_caught_with_signed_commits() {
    edited_approval(true);
}

#[test]
fn an_edited_approval_is_caught_without_signed_commits() {
    edited_approval(false);
}

// ---------------------------------------------------------------------------------
// (e) An approval record and its signed tag deleted.

fn deleted_approval(signed: bool) {
    let c = case(signed);
    c.approve();
    let path = c.approval_path();
    std::fs::remove_file(c.env.path(&format!("ws/{path}"))).expect("rm");
    c.env.git("ws", &["tag", "-d", "approved/v1"]).ok();
    let gone = c.commit_by_hand("Remove approval");
    let changed = c.caught("record-changed");
    assert!(
        changed
            .iter()
            .any(|f| f["commit"] == gone.as_str() && f["path"] == path.as_str()),
        "{changed:#?}"
    );
    c.assert_not_approved();
}

#[test]
fn a_deleted_approval_is_caught_with_signed_commits() {
    deleted_approval(true);
}

#[test]
fn a_deleted_approval_is_caught_without_signed_commits() {
    deleted_approval(false);
}

// ---------------------------------------------------------------------------------
// (f) A decision file written by hand and committed with plain git and copied
// trailers.

fn forged_decision(c: &Case) -> (String, String) {
    let path = format!(
        "consultations/{}/decisions/20251103T130000Z-dh4nd7ad.toml",
        c.round
    );
    std::fs::write(
        c.env.path(&format!("ws/{path}")),
        format!(
            "id = \"dh4nd7ad\"\ncomment = \"{}\"\ndecision = \"accepted\"\nby = \"DIO\"\nat = \"2025-11-03T13:00:00Z\"\nsupersedes = \"{}\"\n",
            c.comment,
            current_decision(c)
        ),
    )
    .expect("decision");
    let commit = c.commit_by_hand(
        "Resolve comment\n\nStrategi-Action: comment-resolve\nStrategi-Party: DIO\nStrategi-Actor: Kari Nordmann <kari.nordmann@dio.example>",
    );
    (path, commit)
}

/// The id of the comment's decision.
fn current_decision(c: &Case) -> String {
    let dir = c
        .env
        .path(&format!("ws/consultations/{}/decisions", c.round));
    let name = std::fs::read_dir(&dir)
        .expect("decisions")
        .next()
        .expect("one")
        .expect("entry")
        .file_name()
        .to_string_lossy()
        .into_owned();
    name.trim_end_matches(".toml")
        .rsplit('-')
        .next()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn a_decision_written_by_hand_is_caught_with_signed_commits() {
    let c = case(true);
    let (path, commit) = forged_decision(&c);
    let commits = c.caught("commit-signature");
    let (_, all, _) = c.verify();
    assert_eq!(
        all.len(),
        commits.len(),
        "only the signature is wrong: {all:#?}"
    );
    let f = commits
        .iter()
        .find(|f| f["commit"] == commit.as_str())
        .unwrap_or_else(|| panic!("{commits:#?}"));
    assert_eq!(f["path"], path.as_str());
    let msg = f["message"].as_str().unwrap_or_default();
    assert!(
        msg.contains("acting as DIO") && msg.contains("not signed"),
        "{msg}"
    );
    // An approval made properly on top of the forged decision rests on it: status does
    // not show the version as approved.
    c.as_dfd(&["approve", "v1", "--sign", &c.dfd.clone()]).ok();
    let why = c.assert_not_approved();
    assert!(
        why.contains(&format!(
            "the consultation it rests on has {path} from commit {}",
            &commit[..12]
        )) && why.contains("acting as DIO, and it is not signed"),
        "{why}"
    );
}

#[test]
fn a_decision_written_by_hand_is_named_as_resting_on_the_host_without_signed_commits() {
    let c = case(false);
    let (_, commit) = forged_decision(&c);
    let (code, findings, notes) = c.verify();
    // A well-formed record with copied trailers: only the note can tell.
    assert_eq!(code, 0, "{findings:#?}");
    assert!(notes.iter().any(|n| n.contains(&commit[..12])), "{notes:?}");
}

/// A signed commit made by another party's key, under the policy.
#[test]
fn a_record_commit_signed_with_another_partys_key_is_caught() {
    let c = case(true);
    // FIN's comment commit is not required; DIO's decision made with DFD's key is
    // refused by strategi, so the forger signs with stock git.
    let path = format!(
        "consultations/{}/decisions/20251103T130000Z-dh4nd7ae.toml",
        c.round
    );
    std::fs::write(
        c.env.path(&format!("ws/{path}")),
        format!(
            "id = \"dh4nd7ae\"\ncomment = \"{}\"\ndecision = \"accepted\"\nby = \"DIO\"\nat = \"2025-11-03T13:00:00Z\"\nsupersedes = \"{}\"\n",
            c.comment,
            current_decision(&c)
        ),
    )
    .expect("decision");
    c.env.git("ws", &["add", "-A"]).ok();
    let signing = format!("user.signingkey={}", c.dfd);
    c.env
        .git(
            "ws",
            &[
                "-c",
                "gpg.format=ssh",
                "-c",
                &signing,
                "commit",
                "-S",
                "-q",
                "-m",
                "Resolve comment\n\nStrategi-Action: comment-resolve\nStrategi-Party: DIO",
            ],
        )
        .ok();
    let commits = c.caught("commit-signature");
    let msg = commits[0]["message"].as_str().unwrap_or_default();
    assert!(
        msg.contains(&format!(
            "signed with {}, a key of DFD",
            fingerprint(&c.dfd)
        )),
        "{msg}"
    );
}

/// Without the policy, git's `commit.gpgSign` alone makes strategi sign (with the key
/// named by its `.pub`, the private key beside it); a commit signed by the acting
/// party's own key is not among those the note says rest on the git host.
#[test]
fn commit_gpgsign_alone_signs_and_a_signed_commit_leaves_the_note() {
    let c = case(false);
    let dfd_pub = format!("{}.pub", c.dfd);
    let mut cmd = signing_with(
        c.env
            .strategi_cmd(&["-C", "ws", "--as", "DFD", "approve", "v1", "--sign", &c.dfd]),
        &dfd_pub,
    );
    to_run(cmd.output().expect("run")).ok();
    let head = c.rev("HEAD");
    let (code, findings, notes) = c.verify();
    assert_eq!(code, 0, "{findings:#?}");
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(!notes[0].contains(&head[..12]), "{notes:?}");
    let raw = c.env.git("ws", &["cat-file", "commit", "HEAD"]).ok().stdout;
    assert!(
        raw.contains("gpgsig -----BEGIN SSH SIGNATURE-----"),
        "{raw}"
    );
}

// ---------------------------------------------------------------------------------
// The consultation behind an approval includes the rounds on earlier versions (the
// demo's shape: the round was on v1, the approval is of v2).

/// The case with v2 cut after the round on v1 and approved by DFD with its own key.
fn approved_v2_after_a_round_on_v1() -> Case {
    let c = case(false);
    std::fs::write(
        c.env.path("ws/strategy/01-utkast.md"),
        "# KI-strategi\n\n## Mål {#mal}\n\nVi skal lære, målt i tall.\n",
    )
    .expect("draft");
    c.env
        .run_in("ws", &["version", "cut", "--label", "Revidert"])
        .ok();
    c.as_dfd(&["approve", "v2", "--sign", &c.dfd.clone()]).ok();
    assert_eq!(c.phase().0, "approved");
    assert_eq!(c.verify().0, 0, "{:#?}", c.verify().1);
    c
}

#[track_caller]
fn assert_v2_not_approved(c: &Case) -> String {
    let (name, summary) = c.phase();
    assert_ne!(name, "approved", "status says approved: {summary}");
    let text = c.env.run_in("ws", &["status"]).ok().stdout;
    assert!(!text.contains("approved: v2 by DFD"), "{text}");
    summary
}

#[test]
fn an_edited_decision_of_a_round_on_an_earlier_version_voids_the_approval_in_status() {
    let c = approved_v2_after_a_round_on_v1();
    let dir = c
        .env
        .path(&format!("ws/consultations/{}/decisions", c.round));
    let file = std::fs::read_dir(&dir)
        .expect("decisions")
        .next()
        .expect("one")
        .expect("entry")
        .path();
    let text = std::fs::read_to_string(&file).expect("decision");
    assert!(text.contains("\"partly\""), "{text}");
    std::fs::write(&file, text.replace("\"partly\"", "\"accepted\"")).expect("edit");
    let commit = c
        .commit_by_hand("Resolve comment\n\nStrategi-Action: comment-resolve\nStrategi-Party: DIO");
    let found = c.caught("record-changed");
    assert!(
        found.iter().any(|f| f["commit"] == commit.as_str()),
        "{found:#?}"
    );
    let why = assert_v2_not_approved(&c);
    assert!(
        why.contains("the consultation it rests on was changed") && why.contains(&commit[..12]),
        "{why}"
    );
}

#[test]
fn a_decision_added_by_plain_git_to_a_round_on_an_earlier_version_voids_the_approval_in_status() {
    let c = approved_v2_after_a_round_on_v1();
    let path = format!(
        "consultations/{}/decisions/20251103T130000Z-dh4nd7ad.toml",
        c.round
    );
    std::fs::write(
        c.env.path(&format!("ws/{path}")),
        format!(
            "id = \"dh4nd7ad\"\ncomment = \"{}\"\ndecision = \"accepted\"\nby = \"DIO\"\nat = \"2025-11-03T13:00:00Z\"\nsupersedes = \"{}\"\n",
            c.comment,
            current_decision(&c)
        ),
    )
    .expect("decision");
    let commit = c.commit_by_hand("Accept the comment after all");
    let found = c.caught("foreign-commit");
    assert!(
        found.iter().any(|f| f["commit"] == commit.as_str()),
        "{found:#?}"
    );
    let why = assert_v2_not_approved(&c);
    assert!(
        why.contains(&path) && why.contains("which strategi did not make"),
        "{why}"
    );
}

// ---------------------------------------------------------------------------------
// The owner, the approver and the signature policies are the owner's: changed by plain
// git they are reported, and history keeps them as the owner left them.

/// Rewrites `strategi.toml` in the case with `edit` and commits it with plain git.
fn config_by_hand(c: &Case, edit: impl Fn(&str) -> String, message: &str) -> String {
    let path = c.env.path("ws/strategi.toml");
    let text = std::fs::read_to_string(&path).expect("config");
    let new = edit(&text);
    assert_ne!(new, text, "the edit changes nothing");
    std::fs::write(&path, new).expect("config");
    c.commit_by_hand(message)
}

#[test]
fn removing_the_signed_commits_policy_by_plain_git_is_caught_and_the_policy_still_holds() {
    let c = case(true);
    c.approve();
    let commit = config_by_hand(
        &c,
        |t| t.replace("require_signed_commits = [\"DFD\", \"DIO\"]\n", ""),
        "Tidy the configuration",
    );
    let found = c.caught("policy-changed");
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = &found[0];
    assert_eq!(f["commit"], commit.as_str());
    let msg = f["message"].as_str().unwrap_or_default();
    assert!(
        msg.contains("[approval] require_signed_commits")
            && msg.contains("[\"DFD\", \"DIO\"]")
            && msg.contains("to nothing")
            && msg.contains("Mallory Hand")
            && msg.contains("with plain git")
            && msg.contains("not by the case owner DIO"),
        "{msg}"
    );
    c.assert_not_approved();
    // The policy still holds for what comes after: an unsigned decision with copied
    // trailers is caught as before.
    let (_, forged) = forged_decision(&c);
    let commits = c.caught("commit-signature");
    assert!(
        commits.iter().any(|f| f["commit"] == forged.as_str()),
        "{commits:#?}"
    );
}

#[test]
fn an_approver_changed_by_plain_git_cannot_approve() {
    let c = case(false);
    let commit = config_by_hand(
        &c,
        |t| t.replace("approver = \"DFD\"", "approver = \"FIN\""),
        "Approver FIN\n\nStrategi-Action: party-add\nStrategi-Party: FIN",
    );
    c.env.run_in("ws", &["--as", "FIN", "approve", "v1"]).ok();
    let found = c.caught("policy-changed");
    let f = found
        .iter()
        .find(|f| f["commit"] == commit.as_str())
        .unwrap_or_else(|| panic!("{found:#?}"));
    let msg = f["message"].as_str().unwrap_or_default();
    assert!(
        msg.contains("[case] approver was changed from \"DFD\" to \"FIN\"")
            && msg.contains("acting as FIN")
            && msg.contains("not by the case owner DIO"),
        "{msg}"
    );
    let (name, summary) = c.phase();
    assert_ne!(name, "approved", "{summary}");
    assert!(summary.contains("[case] approver"), "{summary}");
    let text = c.env.run_in("ws", &["status"]).ok().stdout;
    assert!(!text.contains("approved: v1 by FIN"), "{text}");
}

#[test]
fn the_signed_commits_policy_judges_only_commits_made_after_it() {
    let c = case(false);
    c.approve();
    // Turned on afterwards (asking more of the parties is anyone's to propose): the
    // unsigned commits made before it are not judged by it.
    config_by_hand(
        &c,
        |t| format!("{t}\n[approval]\nrequire_signed_commits = true\n"),
        "Require signed commits from now on",
    );
    let (code, findings, notes) = c.verify();
    assert_eq!(code, 0, "{findings:#?}");
    assert!(
        notes
            .iter()
            .any(|n| n.contains("not signed by the acting party")),
        "{notes:?}"
    );
    assert_eq!(c.phase().0, "approved");
    // A record committed after it, unsigned, is.
    let (_, forged) = forged_decision(&c);
    let commits = c.caught("commit-signature");
    assert_eq!(commits.len(), 1, "{commits:#?}");
    assert_eq!(commits[0]["commit"], forged.as_str());
}

#[test]
fn removing_the_signed_commits_policy_with_copied_owner_trailers_is_caught() {
    let c = case(true);
    let commit = config_by_hand(
        &c,
        |t| t.replace("require_signed_commits = [\"DFD\", \"DIO\"]\n", ""),
        "Tidy the configuration\n\nStrategi-Action: party-add\nStrategi-Party: DIO",
    );
    let found = c.caught("policy-changed");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["commit"], commit.as_str());
    let msg = found[0]["message"].as_str().unwrap_or_default();
    assert!(
        msg.contains("acting as the case owner DIO") && msg.contains("not signed"),
        "{msg}"
    );
}

/// Forged logical clocks (issue 14): the `clock` of a record and the `Strategi-Clock`
/// trailer of its commit, written with plain git.
mod clocks {
    use crate::common::TestEnv;

    /// `verify --json` in `ws`: its exit code and findings.
    fn verify(env: &TestEnv) -> (i32, Vec<serde_json::Value>) {
        let r = env.run_in("ws", &["--json", "verify"]);
        let v = r.json();
        (
            r.code,
            v["findings"].as_array().cloned().unwrap_or_default(),
        )
    }

    /// A case with v1, a round sent to FIN and one comment from FIN; returns the
    /// comment's file and its clock.
    fn case(env: &TestEnv) -> (String, u64) {
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
                "FIN",
                "--due",
                "2025-11-28",
            ],
        )
        .ok();
        env.run_in("ws", &["--as", "DFD", "round", "send", "latest"])
            .ok();
        let out = env
            .run_in(
                "ws",
                &[
                    "--json", "comment", "add", "latest", "--from", "FIN", "--text", "Ekte.",
                ],
            )
            .ok()
            .json();
        let id = out["comment"]["id"].as_str().expect("id").to_string();
        let clock = out["comment"]["clock"].as_u64().expect("clock");
        let files = env.git("ws", &["ls-files", "consultations"]).ok().stdout;
        let path = files
            .lines()
            .find(|f| f.ends_with(&format!("-{id}.toml")))
            .expect("the comment's file")
            .to_string();
        assert_eq!(verify(env).0, 0, "{:#?}", verify(env).1);
        (path, clock)
    }

    fn head_clock(env: &TestEnv) -> u64 {
        let msg = env.git("ws", &["log", "-1", "--format=%B"]).ok().stdout;
        msg.lines()
            .find_map(|l| l.strip_prefix("Strategi-Clock: "))
            .and_then(|n| n.trim().parse().ok())
            .expect("HEAD's clock")
    }

    /// Commits everything with plain git as the forger, with strategi's trailers.
    fn commit_as_strategi(env: &TestEnv, summary: &str, clock: u64) -> String {
        env.git("ws", &["add", "-A"]).ok();
        let msg = format!(
            "{summary}\n\nStrategi-Action: comment-add\nStrategi-Party: DIO\nStrategi-Actor: Kari Nordmann <kari.nordmann@dio.example>\nStrategi-Clock: {clock}\n"
        );
        env.git("ws", &["commit", "-q", "-m", &msg]).ok();
        env.git("ws", &["rev-parse", "HEAD"])
            .ok()
            .stdout
            .trim()
            .to_string()
    }

    /// A copy of the comment `path` under a new id (and file name) with `clock`.
    fn forged_comment(env: &TestEnv, path: &str, clock: u64, id: &str) -> String {
        let text = std::fs::read_to_string(env.path(&format!("ws/{path}"))).expect("read");
        let old_id = path
            .rsplit_once('-')
            .and_then(|(_, f)| f.strip_suffix(".toml"))
            .expect("id");
        let text = text
            .replace(old_id, id)
            .replace("Ekte.", "Forfalsket.")
            .lines()
            .map(|l| {
                if l.starts_with("clock = ") {
                    format!("clock = {clock}")
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        let new_path = path.replace(old_id, id);
        std::fs::write(env.path(&format!("ws/{new_path}")), text + "\n").expect("write");
        new_path
    }

    #[test]
    fn a_record_whose_clock_is_not_its_commits_is_reported() {
        let env = TestEnv::new();
        let (path, clock) = case(&env);
        assert!(clock > 1);
        // Clock 1, to sort before everything; the commit's trailer is the right one.
        let next = head_clock(&env) + 1;
        let forged = forged_comment(&env, &path, 1, "c2222222");
        let commit = commit_as_strategi(&env, "Comment c2222222 from FIN", next);
        let (code, findings) = verify(&env);
        assert_eq!(code, 1, "{findings:#?}");
        let f = findings
            .iter()
            .find(|f| f["kind"] == "record-clock")
            .unwrap_or_else(|| panic!("{findings:#?}"));
        assert_eq!(f["path"], forged.as_str(), "{f}");
        assert_eq!(f["commit"], commit.as_str(), "{f}");
        let message = f["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(&format!("clock is 1 but commit {}", &commit[..12])),
            "{message}"
        );
        assert!(
            message.contains(&format!("Strategi-Clock {next}")),
            "{message}"
        );
        assert!(
            !findings.iter().any(|f| f["kind"] == "commit-clock"),
            "{findings:#?}"
        );
        // The text output names the record too.
        let text = env.run_in("ws", &["verify"]).refused().stdout;
        assert!(text.contains(&forged), "{text}");
    }

    #[test]
    fn a_commit_whose_clock_does_not_follow_its_parents_is_reported() {
        let env = TestEnv::new();
        let (path, _) = case(&env);
        // A huge clock in both the record and its commit: the record agrees with its
        // commit, the commit does not follow its parent.
        let head = head_clock(&env);
        let huge = 1_000_000;
        let forged = forged_comment(&env, &path, huge, "c3333333");
        let commit = commit_as_strategi(&env, "Comment c3333333 from FIN", huge);
        let (code, findings) = verify(&env);
        assert_eq!(code, 1, "{findings:#?}");
        let f = findings
            .iter()
            .find(|f| f["kind"] == "commit-clock")
            .unwrap_or_else(|| panic!("{findings:#?}"));
        assert_eq!(f["commit"], commit.as_str(), "{f}");
        assert_eq!(f["path"], forged.as_str(), "{f}");
        let message = f["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(&format!(
                "Strategi-Clock {huge} where strategi writes {}",
                head + 1
            )),
            "{message}"
        );
        assert!(
            !findings.iter().any(|f| f["kind"] == "record-clock"),
            "{findings:#?}"
        );
    }

    #[test]
    fn a_commit_clock_not_above_its_parents_is_reported_and_plain_git_commits_are_not() {
        let env = TestEnv::new();
        let (_, _) = case(&env);
        // A plain-git commit without trailers (the draft edited by hand) counts as its
        // parent's clock: nothing to report.
        let draft = env.path("ws/strategy/01-utkast.md");
        let text = std::fs::read_to_string(&draft).expect("read");
        std::fs::write(&draft, format!("{text}\nMer.\n")).expect("write");
        env.git("ws", &["commit", "-qam", "Edit the draft by hand"])
            .ok();
        assert_eq!(verify(&env).0, 0, "{:#?}", verify(&env).1);
        // The same clock as its parent (not one more): reported, naming the commit.
        let head = head_clock_of_parent(&env);
        std::fs::write(&draft, format!("{text}\nEnda mer.\n")).expect("write");
        let commit = commit_as_strategi(&env, "Edit with an old clock", head);
        let (code, findings) = verify(&env);
        assert_eq!(code, 1, "{findings:#?}");
        let f = findings
            .iter()
            .find(|f| f["kind"] == "commit-clock")
            .unwrap_or_else(|| panic!("{findings:#?}"));
        assert_eq!(f["commit"], commit.as_str(), "{f}");
        assert_eq!(f["path"], format!("commit {}", &commit[..12]), "{f}");
    }

    /// A copy of the newest `party-change` record, dated 2099, without `clock`, with
    /// FIN's e-mail `email`; committed with strategi's trailers. Returns its path.
    fn clockless_party_change(env: &TestEnv, email: &str) -> String {
        let next = head_clock(env) + 1;
        forged_party_change(env, email, None, next, "2099-12-31T00:00:00Z", "e7k3q9xm")
    }

    /// A copy of the newest `party-change` record with FIN's e-mail `email`, `clock`
    /// (`None`: none), dated `at`, under the id `id`; committed with plain git as the
    /// forger, with strategi's trailers and `Strategi-Clock: trailer`. Returns its path.
    fn forged_party_change(
        env: &TestEnv,
        email: &str,
        clock: Option<u64>,
        trailer: u64,
        at: &str,
        id: &str,
    ) -> String {
        let files = env.git("ws", &["ls-files", "settings"]).ok().stdout;
        let original = files
            .lines()
            .filter(|f| {
                std::fs::read_to_string(env.path(&format!("ws/{f}")))
                    .unwrap_or_default()
                    .contains("party-change")
            })
            .last()
            .expect("a party-change record")
            .to_string();
        let text = std::fs::read_to_string(env.path(&format!("ws/{original}"))).expect("read");
        let text: String = text
            .lines()
            .filter_map(|l| {
                Some(if l.starts_with("clock = ") {
                    format!("clock = {}", clock?)
                } else if l.starts_with("at = ") {
                    format!("at = \"{at}\"")
                } else if l.starts_with("email = ") {
                    format!("email = \"{email}\"")
                } else if l.starts_with("id = ") {
                    format!("id = \"{id}\"")
                } else {
                    l.to_string()
                })
            })
            .collect::<Vec<_>>()
            .join("\n");
        let stamp: String = at.chars().filter(|c| *c != '-' && *c != ':').collect();
        let path = format!("settings/{stamp}-{id}.toml");
        std::fs::write(env.path(&format!("ws/{path}")), text + "\n").expect("write");
        env.git("ws", &["add", "-A"]).ok();
        let msg = format!(
            "Change FIN\n\nStrategi-Action: party-change\nStrategi-Party: DFD\nStrategi-Actor: Kari Nordmann <kari.nordmann@dio.example>\nStrategi-Clock: {trailer}\n"
        );
        env.git("ws", &["commit", "-q", "-m", &msg]).ok();
        path
    }

    fn fin_email(env: &TestEnv, ws: &str) -> String {
        let parties = env.run_in(ws, &["--json", "party", "list"]).ok().json();
        parties
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["code"] == "FIN"))
            .and_then(|p| p["email"].as_str())
            .expect("FIN in the party list")
            .to_string()
    }

    /// A plain `git clone` of `ws` to `to`: the other clone, folding the same history.
    fn other_clone(env: &TestEnv, to: &str) {
        let out = std::process::Command::new("git")
            .args(["clone", "-q"])
            .arg(env.path("ws"))
            .arg(env.path(to))
            .output()
            .expect("git clone");
        assert!(out.status.success(), "{out:?}");
    }

    #[test]
    fn a_forged_record_clock_does_not_sort_its_fact_last() {
        let env = TestEnv::new();
        env.workspace_with_version("ws");
        env.run_in(
            "ws",
            &["party", "change", "FIN", "--email", "a@fin.example"],
        )
        .ok();
        // The commit's trailer is honest; the record claims clock 1,000,000 to sort
        // after everything written later.
        let next = head_clock(&env) + 1;
        let forged = forged_party_change(
            &env,
            "forged@fin.example",
            Some(1_000_000),
            next,
            "2025-11-28T00:00:00Z",
            "e7k3q9xa",
        );
        assert_eq!(fin_email(&env, "ws"), "forged@fin.example");
        env.run_in(
            "ws",
            &["party", "change", "FIN", "--email", "later@fin.example"],
        )
        .ok();
        assert_eq!(
            fin_email(&env, "ws"),
            "later@fin.example",
            "the change written after the forged one wins, as history proves"
        );
        let (code, findings) = verify(&env);
        assert_eq!(code, 1, "{findings:#?}");
        assert!(
            findings
                .iter()
                .any(|f| f["kind"] == "record-clock" && f["path"] == forged.as_str()),
            "{findings:#?}"
        );
        other_clone(&env, "ws2");
        assert_eq!(fin_email(&env, "ws2"), "later@fin.example");
        assert_eq!(
            env.run_in("ws", &["--json", "party", "list"]).ok().stdout,
            env.run_in("ws2", &["--json", "party", "list"]).ok().stdout,
            "both clones fold alike"
        );
    }

    #[test]
    fn a_forged_commit_clock_and_record_clock_fold_as_the_true_clock() {
        let env = TestEnv::new();
        env.workspace_with_version("ws");
        env.run_in(
            "ws",
            &["party", "change", "FIN", "--email", "a@fin.example"],
        )
        .ok();
        // Both the record and its commit's trailer claim a huge clock; a backdated
        // record (clock 1, with its commit's trailer 1) after it claims to be first.
        let huge = forged_party_change(
            &env,
            "huge@fin.example",
            Some(1_000_000),
            1_000_000,
            "2025-11-28T00:00:00Z",
            "e7k3q9xb",
        );
        let backdated = forged_party_change(
            &env,
            "backdated@fin.example",
            Some(1),
            1,
            "2025-11-28T00:00:00Z",
            "e7k3q9xc",
        );
        // By the clocks written the huge one is last; by history the backdated one,
        // committed after it, is.
        assert_eq!(fin_email(&env, "ws"), "backdated@fin.example");
        let (code, findings) = verify(&env);
        assert_eq!(code, 1, "{findings:#?}");
        for path in [&huge, &backdated] {
            assert!(
                findings
                    .iter()
                    .any(|f| f["kind"] == "commit-clock" && f["path"] == path.as_str()),
                "{path}: {findings:#?}"
            );
        }
        // An honest write after them still comes last.
        env.run_in(
            "ws",
            &["party", "change", "FIN", "--email", "honest@fin.example"],
        )
        .ok();
        assert_eq!(fin_email(&env, "ws"), "honest@fin.example");
        other_clone(&env, "ws2");
        assert_eq!(fin_email(&env, "ws2"), "honest@fin.example");
        // The cache of proven clocks is only a cache: without it the fold is the same.
        std::fs::remove_file(env.path("ws/.git/strategi-clocks")).expect("the cache exists");
        assert_eq!(fin_email(&env, "ws"), "honest@fin.example");
        std::fs::write(env.path("ws/.git/strategi-clocks"), "damaged").expect("write");
        assert_eq!(fin_email(&env, "ws"), "honest@fin.example");
    }

    #[test]
    fn a_record_without_clock_added_by_a_strategi_commit_is_reported() {
        let env = TestEnv::new();
        env.workspace_with_version("ws");
        env.run_in(
            "ws",
            &["party", "change", "FIN", "--email", "a@fin.example"],
        )
        .ok();
        let forged = clockless_party_change(&env, "forged@fin.example");
        let text = std::fs::read_to_string(env.path(&format!("ws/{forged}"))).expect("read");
        assert!(
            text.contains("forged@fin.example") && !text.contains("clock"),
            "{text}"
        );
        let (code, findings) = verify(&env);
        assert_eq!(code, 1, "{findings:#?}");
        let f = findings
            .iter()
            .find(|f| f["kind"] == "record-clock")
            .unwrap_or_else(|| panic!("{findings:#?}"));
        assert_eq!(f["path"], forged.as_str(), "{f}");
        assert!(
            f["message"]
                .as_str()
                .unwrap_or_default()
                .contains("has no logical clock"),
            "{f}"
        );
        // Dated 2099 and without a clock, it still takes its commit's place in the
        // fold: a change written after it wins.
        assert_eq!(fin_email(&env, "ws"), "forged@fin.example");
        env.run_in(
            "ws",
            &["party", "change", "FIN", "--email", "later@fin.example"],
        )
        .ok();
        assert_eq!(fin_email(&env, "ws"), "later@fin.example");
    }

    /// The clock HEAD counts as when it has no trailer: its nearest ancestor's.
    fn head_clock_of_parent(env: &TestEnv) -> u64 {
        let log = env.git("ws", &["log", "--format=%B"]).ok().stdout;
        log.lines()
            .find_map(|l| l.strip_prefix("Strategi-Clock: "))
            .and_then(|n| n.trim().parse().ok())
            .expect("a clock in history")
    }
}
