//! Settings that change during a case are records in `settings/`, folded over
//! `strategi.toml`; every record and commit carries a logical clock, so clones whose
//! machines' clocks disagree fold to the same configuration.

use crate::common::{Run, TestEnv};

/// strategi in `ws` with the clock at `now`.
fn at(env: &TestEnv, ws: &str, now: &str, args: &[&str]) -> Run {
    let mut full = vec!["-C", ws];
    full.extend_from_slice(args);
    let mut cmd = env.strategi_cmd(&full);
    cmd.env("STRATEGI_NOW", now);
    let o = cmd.output().expect("run strategi");
    Run {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// Plain git in `ws`, its commits dated `date`.
fn git_at(env: &TestEnv, ws: &str, date: &str, args: &[&str]) -> Run {
    let mut cmd = env.git_cmd(ws, args);
    cmd.env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date);
    let o = cmd.output().expect("run git");
    Run {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// Merges `from`'s main into `ws` with plain git (what a sync does with the records).
fn merge(env: &TestEnv, ws: &str, from: &str, date: &str) {
    let path = env.path(from).display().to_string();
    git_at(env, ws, date, &["fetch", "-q", &path, "main"]).ok();
    git_at(
        env,
        ws,
        date,
        &["merge", "-q", "--no-ff", "--no-edit", "FETCH_HEAD"],
    )
    .ok();
}

fn settings_files(env: &TestEnv, ws: &str) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(env.path(&format!("{ws}/settings")))
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn head_clock(env: &TestEnv, ws: &str) -> u64 {
    let msg = env.git(ws, &["log", "-1", "--format=%B"]).ok().stdout;
    msg.lines()
        .find_map(|l| l.strip_prefix("Strategi-Clock: "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no clock trailer in {msg}"))
}

fn record_with(env: &TestEnv, ws: &str, needle: &str) -> String {
    for f in settings_files(env, ws) {
        let text =
            std::fs::read_to_string(env.path(&format!("{ws}/settings/{f}"))).expect("record");
        if text.contains(needle) {
            return text;
        }
    }
    panic!("no setting record in {ws} with {needle}");
}

#[test]
fn parties_milestones_and_keys_are_records_and_strategi_toml_stays_as_init_wrote_it() {
    let env = TestEnv::new();
    env.run(&[
        "init",
        "ws",
        "--title",
        "KI-strategi",
        "--owner",
        "DIO",
        "--approver",
        "DFD",
    ])
    .ok();
    let config = std::fs::read_to_string(env.path("ws/strategi.toml")).expect("config");
    let clock0 = head_clock(&env, "ws");
    env.add_party(
        "ws",
        "DFD",
        "Digitaliserings- og forvaltningsdepartementet",
        "postmottak@dfd.example",
        "nb",
    );
    env.add_party("ws", "FIN", "Fin", "post@fin.example", "nb");
    let clock2 = head_clock(&env, "ws");
    assert_eq!(clock2, clock0 + 2, "one tick per command");
    env.run_in(
        "ws",
        &[
            "milestone",
            "add",
            "forslag-dfd",
            "--title",
            "Forslag",
            "--due",
            "2025-12-01",
        ],
    )
    .ok();
    env.run_in(
        "ws",
        &[
            "party",
            "change",
            "FIN",
            "--name",
            "Finansdepartementet",
            "--lang",
            "nn",
        ],
    )
    .ok();
    env.run_in(
        "ws",
        &["milestone", "done", "forslag-dfd", "--date", "2025-11-03"],
    )
    .ok();
    let key = env.keygen("dfd");
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
    // strategi.toml is untouched; the facts are six records, each with its clock.
    assert_eq!(
        std::fs::read_to_string(env.path("ws/strategi.toml")).expect("config"),
        config
    );
    let files = settings_files(&env, "ws");
    assert_eq!(files.len(), 6, "{files:?}");
    let mut clocks: Vec<u64> = files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(env.path(&format!("ws/settings/{f}"))).expect("r");
            text.lines()
                .find_map(|l| l.strip_prefix("clock = "))
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("no clock in {text}"))
        })
        .collect();
    clocks.sort();
    assert_eq!(clocks, ((clock0 + 1)..=(clock0 + 6)).collect::<Vec<u64>>());
    assert_eq!(head_clock(&env, "ws"), clock0 + 6);
    assert!(record_with(&env, "ws", "kind = \"party-change\"").contains("lang = \"nn\""));
    // The fold: what every command sees.
    let parties = env.run_in("ws", &["--json", "party", "list"]).ok().json();
    let fin = &parties[1];
    assert_eq!(fin["code"], "FIN");
    assert_eq!(fin["name"], "Finansdepartementet");
    assert_eq!(fin["lang"], "nn");
    assert_eq!(fin["email"], "post@fin.example");
    assert!(
        parties[0]["keys"][0]
            .as_str()
            .unwrap_or_default()
            .starts_with("ssh-ed25519 "),
        "{parties}"
    );
    let milestones = env
        .run_in("ws", &["--json", "milestone", "list"])
        .ok()
        .json();
    assert_eq!(milestones[0]["done"], "2025-11-03", "{milestones}");
    // The key record is DFD's own: history shows DFD added it.
    let status = env.run_in("ws", &["--json", "status"]).ok().json();
    assert_eq!(
        status["approver_keys"]["own"][0]
            .as_str()
            .unwrap_or_default()
            .len(),
        "SHA256:".len() + 43,
        "{status}"
    );
    let v = env.run_in("ws", &["--json", "verify"]).ok().json();
    assert_eq!(v["findings"], serde_json::json!([]), "{v}");
    assert_eq!(v["checked"]["settings"], 6, "{v}");
    // Refusals change nothing.
    env.assert_refused_unchanged(
        "ws",
        &[
            "party",
            "add",
            "FIN",
            "--name",
            "X",
            "--email",
            "x@x.example",
        ],
    );
    env.assert_refused_unchanged("ws", &["party", "change", "FIN", "--lang", "nn"]);
    env.assert_refused_unchanged("ws", &["milestone", "done", "forslag-dfd"]);
    env.assert_refused_unchanged("ws", &["party", "key", "DFD", "--remove", "SHA256:nope"]);
    // No output file goes into the settings folder.
    env.assert_refused_unchanged("ws", &["deadlines", "--ics", "settings/x.ics"]);
    // Only DFD removes DFD's key; then it is gone from the fold.
    let fp = status["approver_keys"]["own"][0]
        .as_str()
        .unwrap_or_default()
        .to_string();
    env.assert_refused_unchanged("ws", &["party", "key", "DFD", "--remove", &fp]);
    env.run_in(
        "ws",
        &["--as", "DFD", "party", "key", "DFD", "--remove", &fp],
    )
    .ok();
    let parties = env.run_in("ws", &["--json", "party", "list"]).ok().json();
    assert!(parties[0].get("keys").is_none(), "{parties}");
    let v = env.run_in("ws", &["--json", "verify"]).ok().json();
    assert_eq!(v["findings"], serde_json::json!([]), "{v}");
}

#[test]
fn a_key_record_added_acting_as_another_party_is_foreign() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    let key = env.keygen("forged");
    let line = std::fs::read_to_string(format!("{key}.pub")).expect("pub");
    let record = format!(
        "id = \"ezzzzzz2\"\nkind = \"key-add\"\nby = \"DIO\"\nat = \"2025-11-03T12:00:00Z\"\nclock = 100\n\n[key]\nparty = \"DFD\"\nkey = \"{}\"\n",
        line.trim()
    );
    std::fs::write(
        env.path("ws/settings/20251103T120000Z-ezzzzzz2.toml"),
        record,
    )
    .expect("write");
    env.git("ws", &["add", "-A"]).ok();
    env.git(
        "ws",
        &[
            "commit",
            "-qm",
            "Add signing key for DFD\n\nStrategi-Action: party-key\nStrategi-Party: DIO",
        ],
    )
    .ok();
    let parties = env.run_in("ws", &["--json", "party", "list"]).ok().json();
    assert!(
        parties
            .to_string()
            .contains(line.split_whitespace().nth(1).unwrap_or("-"))
    );
    let v = env.run_in("ws", &["--json", "verify"]).refused().json();
    let foreign: Vec<_> = v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["kind"] == "foreign-key")
        .collect();
    assert_eq!(foreign.len(), 1, "{v}");
    assert!(
        foreign[0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("acting as DIO, not as DFD"),
        "{v}"
    );
    // approve refuses to sign with it.
    let r = env.assert_refused_unchanged("ws", &["--as", "DFD", "approve", "v1", "--sign", &key]);
    assert!(r.stderr.contains("DFD did not add it"), "{}", r.stderr);
}

#[test]
fn two_clones_with_skewed_clocks_fold_identically() {
    let env = TestEnv::new();
    env.workspace("a");
    env.git("", &["clone", "-q", "a", "b"]).ok();
    // A's machine runs a week ahead of B's.
    let a_now = "2025-11-10";
    let a_git = "2025-11-10 00:00:00 +0000";
    let b_now = "2025-11-04";
    let b_git = "2025-11-04 00:00:00 +0000";
    at(
        &env,
        "a",
        a_now,
        &[
            "party",
            "add",
            "NFD",
            "--name",
            "Nærings",
            "--email",
            "post@nfd.example",
        ],
    )
    .ok();
    // B syncs, and changes the party A added: later by the clocks of the case,
    // earlier by B's machine.
    merge(&env, "b", "a", b_git);
    at(
        &env,
        "b",
        b_now,
        &[
            "party",
            "change",
            "NFD",
            "--name",
            "Nærings- og fiskeridepartementet",
        ],
    )
    .ok();
    let added = record_with(
        &env,
        "b",
        "kind = \"party-add\"\nby = \"DIO\"\nat = \"2025-11-10",
    );
    let changed = record_with(&env, "b", "kind = \"party-change\"");
    assert!(added.contains("at = \"2025-11-10T"), "{added}");
    assert!(changed.contains("at = \"2025-11-04T"), "{changed}");
    // Both add HOD before syncing again, with different names; and a milestone each.
    at(
        &env,
        "a",
        a_now,
        &[
            "party",
            "add",
            "HOD",
            "--name",
            "Helse (A)",
            "--email",
            "a@hod.example",
        ],
    )
    .ok();
    at(
        &env,
        "a",
        a_now,
        &["milestone", "done", "forslag-dfd", "--date", "2025-11-10"],
    )
    .ok();
    at(
        &env,
        "b",
        b_now,
        &[
            "party",
            "add",
            "HOD",
            "--name",
            "Helse (B)",
            "--email",
            "b@hod.example",
        ],
    )
    .ok();
    at(
        &env,
        "b",
        b_now,
        &["milestone", "done", "forslag-dfd", "--date", "2025-11-04"],
    )
    .ok();
    // Each merges the other (two different merge commits, the same records).
    merge(&env, "a", "b", a_git);
    merge(&env, "b", "a", b_git);
    assert_eq!(settings_files(&env, "a"), settings_files(&env, "b"));
    let view = |ws: &str, now: &str| {
        (
            at(&env, ws, now, &["--json", "party", "list"]).ok().json(),
            at(&env, ws, now, &["--json", "milestone", "list"])
                .ok()
                .json()[0]["done"]
                .clone(),
            at(&env, ws, now, &["--json", "verify"]).json()["findings"].clone(),
        )
    };
    let (a_parties, a_done, a_findings) = view("a", a_now);
    let (b_parties, b_done, b_findings) = view("b", a_now);
    assert_eq!(a_parties, b_parties);
    assert_eq!(a_done, b_done);
    assert_eq!(a_findings, b_findings);
    let nfd = a_parties
        .as_array()
        .and_then(|p| p.iter().find(|p| p["code"] == "NFD"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        nfd["name"], "Nærings- og fiskeridepartementet",
        "{a_parties}"
    );
    // The concurrent HOD: one name wins on both, the other is a finding on both.
    let hod: Vec<_> = a_parties
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["code"] == "HOD")
        .collect();
    assert_eq!(hod.len(), 1, "{a_parties}");
    let findings = a_findings.as_array().cloned().unwrap_or_default();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert!(
        findings[0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("party HOD is already listed"),
        "{findings:#?}"
    );
    // status names the conflict to settle on both sides.
    for ws in ["a", "b"] {
        let s = at(&env, ws, a_now, &["--json", "status"]).ok().json();
        assert_eq!(s["settings_ignored"][0]["path"], findings[0]["path"], "{s}");
        let text = at(&env, ws, a_now, &["status"]).ok().stdout;
        assert!(text.contains("party HOD is already listed"), "{text}");
    }
    // By the clocks of the case A's HOD and A's completion came first (A wrote them
    // seeing less); by the machines' time B's would have.
    assert_eq!(hod[0]["name"], "Helse (A)", "{a_parties}");
    assert_eq!(a_done, "2025-11-10");
    // A plain-git merge counts as the highest clock of its parents: the next fact on
    // either side gets the same clock.
    at(
        &env,
        "a",
        a_now,
        &["party", "change", "FIN", "--lang", "en"],
    )
    .ok();
    at(
        &env,
        "b",
        b_now,
        &["party", "change", "KDD", "--lang", "en"],
    )
    .ok();
    assert_eq!(head_clock(&env, "a"), head_clock(&env, "b"));
}

#[test]
fn the_signed_commits_policy_may_name_a_party_a_setting_record_added() {
    let env = TestEnv::new();
    env.workspace("ws");
    let path = env.path("ws/strategi.toml");
    let text = std::fs::read_to_string(&path).expect("config");
    std::fs::write(
        &path,
        format!("{text}\n[approval]\nrequire_signed_commits = [\"FIN\"]\n"),
    )
    .expect("policy");
    env.git("ws", &["commit", "-qam", "Require FIN's commits signed"])
        .ok();
    // FIN is a party by its party-add record: the policy reads.
    env.run_in("ws", &["status"]).ok();
    let v = env.run_in("ws", &["--json", "verify"]).ok().json();
    assert_eq!(v["findings"], serde_json::json!([]), "{v}");
    // A code that is no party is refused, naming the place.
    std::fs::write(
        &path,
        format!("{text}\n[approval]\nrequire_signed_commits = [\"NOPE\"]\n"),
    )
    .expect("policy");
    let line = text.lines().count() + 3;
    let r = env.run_in("ws", &["status"]).refused();
    assert!(
        r.stderr.contains(&format!("strategi.toml:{line}:")),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("\"NOPE\", which is not a party"),
        "{}",
        r.stderr
    );
    let v = env.run_in("ws", &["--json", "verify"]).refused().json();
    assert!(v.to_string().contains("NOPE"), "{v}");
}
