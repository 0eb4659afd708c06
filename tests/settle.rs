//! `config conflicts|settle` and `policy show|set`: a conflict that a sync left in
//! `strategi.toml` settled through the command on two clones, and the owner's changes
//! to the policy that `verify` accepts (and the same change by plain git it reports).

use std::process::Command;

use crate::common::{Run, TestEnv};
use crate::sync::{bare, edit_config, json_of, two_clones};

/// Appends `text` to `strategi.toml` in `ws` and commits it with plain git.
fn append_config(env: &TestEnv, ws: &str, text: &str) {
    let path = env.path(&format!("{ws}/strategi.toml"));
    let mut config = std::fs::read_to_string(&path).expect("read");
    config.push_str(text);
    std::fs::write(&path, config).expect("write");
    env.git(ws, &["commit", "-q", "-am", "Edit strategi.toml"])
        .ok();
}

/// Both clones changed `case.title` differently; `b` synced after `a`, so the merge
/// (made in `b`) kept a's title.
fn title_conflict(env: &TestEnv) {
    let root = bare(env);
    two_clones(env, &format!("file://{}", root.display()));
    edit_config(
        env,
        "a",
        "title = \"KI-strategi\"",
        "title = \"KI-strategi (DIO)\"",
    );
    edit_config(
        env,
        "b",
        "title = \"KI-strategi\"",
        "title = \"KI-strategi (DFD)\"",
    );
    env.run_in("a", &["sync"]).ok();
    env.run_in("b", &["sync"]).ok();
}

/// `settler` pushes its settlement, the other clone pulls it: no conflict is open on
/// either and both verify clean.
#[track_caller]
fn assert_settled_on_both(env: &TestEnv, settler: &str) {
    let other = if settler == "a" { "b" } else { "a" };
    env.run_in(settler, &["sync"]).ok();
    env.run_in(other, &["sync"]).ok();
    for ws in ["a", "b"] {
        env.run_in(ws, &["verify"]).ok();
        let st = json_of(env, ws, &["status"]);
        assert!(st.get("config_conflicts").is_none(), "{ws}: {st}");
        assert_eq!(
            json_of(env, ws, &["config", "conflicts"]),
            serde_json::json!([])
        );
    }
}

#[test]
fn a_conflict_settled_with_the_command_is_closed_on_both_sides() {
    let env = TestEnv::new();
    title_conflict(&env);
    // Both values, as the merge saw them, and the one the file has now.
    let c = json_of(&env, "b", &["config", "conflicts"]);
    assert_eq!(c[0]["key"], "case.title", "{c}");
    assert_eq!(c[0]["remote"], "\"KI-strategi (DIO)\"", "{c}");
    assert_eq!(c[0]["local"], "\"KI-strategi (DFD)\"", "{c}");
    assert_eq!(c[0]["current"], "\"KI-strategi (DIO)\"", "{c}");
    assert_eq!(c[0]["owner_only"], false, "{c}");
    let text = env.run_in("b", &["config", "conflicts"]).ok().stdout;
    assert!(
        text.contains("strategi config settle case.title --keep"),
        "{text}"
    );
    let st = env.run_in("b", &["status"]).ok().stdout;
    assert!(st.contains("strategi config settle case.title"), "{st}");

    // Refusals change nothing and say what to do.
    let r = env.assert_refused_unchanged("b", &["config", "settle", "case.titel", "--keep"]);
    assert!(r.stderr.contains("no key \"case.titel\""), "{}", r.stderr);
    assert!(
        r.stderr.contains("case.title"),
        "the open ones: {}",
        r.stderr
    );
    let r = env.assert_refused_unchanged("b", &["config", "settle", "mail.transport", "--keep"]);
    assert!(r.stderr.contains("is not in conflict"), "{}", r.stderr);
    assert!(
        r.stderr.contains("Keys in conflict now: case.title"),
        "{}",
        r.stderr
    );
    let r = env.assert_refused_unchanged("b", &["config", "settle", "case.title", "--value", "42"]);
    assert!(
        r.stderr.contains("strategi.toml would not be valid"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("Caused by:"),
        "the file's error: {}",
        r.stderr
    );
    let u = env.run_in("b", &["config", "settle", "case.title"]);
    assert_eq!(u.code, 2, "--keep or --value is required: {}", u.stderr);

    // Settled on a third title: written in place, committed with the trailer.
    let before = std::fs::read_to_string(env.path("b/strategi.toml")).expect("read");
    let r = env
        .run_in(
            "b",
            &[
                "--json",
                "--as",
                "KDD",
                "config",
                "settle",
                "case.title",
                "--value",
                "Nasjonal KI-strategi",
            ],
        )
        .ok()
        .json();
    assert_eq!(r["value"], "\"Nasjonal KI-strategi\"", "{r}");
    assert_eq!(r["was"], "\"KI-strategi (DIO)\"", "{r}");
    assert_eq!(r["changed"], true, "{r}");
    let after = std::fs::read_to_string(env.path("b/strategi.toml")).expect("read");
    assert_eq!(
        after,
        before.replace("\"KI-strategi (DIO)\"", "\"Nasjonal KI-strategi\""),
        "only the value changed (comments and layout kept)"
    );
    let msg = env.git("b", &["log", "-1", "--format=%B"]).ok().stdout;
    assert!(msg.contains("Strategi-Settled: case.title"), "{msg}");
    assert!(msg.contains("Strategi-Action: config-settle"), "{msg}");
    assert!(
        msg.contains("Strategi-Party: KDD"),
        "any party settles a key: {msg}"
    );
    assert!(
        msg.contains("\"KI-strategi (DFD)\""),
        "both values in the body: {msg}"
    );
    env.assert_refused_unchanged("b", &["config", "settle", "case.title", "--keep"]);

    assert_settled_on_both(&env, "b");
    let a = std::fs::read_to_string(env.path("a/strategi.toml")).expect("read");
    assert!(a.contains("title = \"Nasjonal KI-strategi\""), "{a}");

    // A later conflict of the same key is open again until settled again; --keep
    // keeps the value the merge kept and changes no file.
    edit_config(&env, "a", "Nasjonal KI-strategi", "KI-strategi 2026");
    edit_config(&env, "b", "Nasjonal KI-strategi", "KI-strategi 2027");
    env.run_in("b", &["sync"]).ok();
    env.run_in("a", &["sync"]).ok();
    let c = json_of(&env, "a", &["config", "conflicts"]);
    assert_eq!(c.as_array().map(Vec::len), Some(1), "{c}");
    assert_eq!(c[0]["remote"], "\"KI-strategi 2027\"", "{c}");
    let before = std::fs::read_to_string(env.path("a/strategi.toml")).expect("read");
    let r = env
        .run_in("a", &["--json", "config", "settle", "case.title", "--keep"])
        .ok()
        .json();
    assert_eq!(r["changed"], false, "{r}");
    assert_eq!(r["value"], "\"KI-strategi 2027\"", "{r}");
    let after = std::fs::read_to_string(env.path("a/strategi.toml")).expect("read");
    assert_eq!(before, after);
    assert_settled_on_both(&env, "a");
}

#[test]
fn only_the_owner_settles_a_policy_key() {
    let env = TestEnv::new();
    let root = bare(&env);
    two_clones(&env, &format!("file://{}", root.display()));
    // Both tighten or leave the policy, differently: neither change is foreign.
    append_config(&env, "a", "\n[approval]\nrequire_signature = true\n");
    append_config(&env, "b", "\n[approval]\nrequire_signature = false\n");
    env.run_in("a", &["sync"]).ok();
    env.run_in("b", &["sync"]).ok();
    let c = json_of(&env, "b", &["config", "conflicts"]);
    assert_eq!(c[0]["key"], "approval.require_signature", "{c}");
    assert_eq!(c[0]["owner_only"], true, "{c}");

    let r = env.assert_refused_unchanged(
        "b",
        &[
            "--as",
            "DFD",
            "config",
            "settle",
            "approval.require_signature",
            "--keep",
        ],
    );
    assert!(r.stderr.contains("Only the case owner DIO"), "{}", r.stderr);
    let r = env.assert_refused_unchanged(
        "b",
        &[
            "config",
            "settle",
            "approval.require_signature",
            "--value",
            "maybe",
        ],
    );
    assert!(r.stderr.contains("would not be valid"), "{}", r.stderr);

    // The owner loosens it back while settling: history counts that as the owner's.
    let r = env
        .run_in(
            "b",
            &[
                "--json",
                "config",
                "settle",
                "approval.require_signature",
                "--value",
                "false",
            ],
        )
        .ok()
        .json();
    assert_eq!(r["value"], "false", "{r}");
    assert_settled_on_both(&env, "b");
    assert_eq!(
        json_of(&env, "a", &["policy", "show"])["require_signature"],
        false
    );
}

/// `cmd` with git set to sign every commit with `key`, through `GIT_CONFIG_*`.
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

fn signed(env: &TestEnv, key: &str, args: &[&str]) -> Run {
    let mut full = vec!["-C", "w"];
    full.extend_from_slice(args);
    let o = signing_with(env.strategi_cmd(&full), key)
        .output()
        .expect("run strategi");
    Run {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

#[test]
fn the_owner_changes_the_policy_and_verify_accepts_it() {
    let env = TestEnv::new();
    env.workspace("w");
    let p = json_of(&env, "w", &["policy", "show"]);
    assert_eq!(p["owner"], "DIO", "{p}");
    assert_eq!(p["approver"], "DFD", "{p}");
    assert_eq!(p["require_signature"], false, "{p}");
    assert_eq!(p["require_signed_commits"], false, "{p}");

    // Tightened and loosened by the owner, acting as the owner: verify is clean.
    let before = std::fs::read_to_string(env.path("w/strategi.toml")).expect("read");
    env.run_in("w", &["policy", "set", "require-signature", "true"])
        .ok();
    let after = std::fs::read_to_string(env.path("w/strategi.toml")).expect("read");
    assert!(
        after.starts_with(&before),
        "the file kept as it was:\n{after}"
    );
    assert!(
        after.contains("[approval]\nrequire_signature = true"),
        "{after}"
    );
    env.run_in("w", &["verify"]).ok();
    let r = env
        .run_in(
            "w",
            &["--json", "policy", "set", "require-signature", "false"],
        )
        .ok()
        .json();
    assert_eq!(r["loosens"], true, "{r}");
    assert_eq!(r["old"], "true", "{r}");
    let msg = env.git("w", &["log", "-1", "--format=%B"]).ok().stdout;
    assert!(msg.contains("Strategi-Action: policy-set"), "{msg}");
    assert!(msg.contains("Strategi-Party: DIO"), "{msg}");
    env.run_in("w", &["policy", "set", "approver", "FIN"]).ok();
    assert_eq!(json_of(&env, "w", &["policy", "show"])["approver"], "FIN");
    env.run_in("w", &["verify"]).ok();

    // Another party, a value of the wrong kind, an unknown party, no change: refused.
    let r = env.assert_refused_unchanged(
        "w",
        &["--as", "FIN", "policy", "set", "require-signature", "true"],
    );
    assert!(r.stderr.contains("Only the case owner DIO"), "{}", r.stderr);
    let r = env.assert_refused_unchanged("w", &["policy", "set", "require-signature", "maybe"]);
    assert!(r.stderr.contains("true or false"), "{}", r.stderr);
    env.assert_refused_unchanged("w", &["policy", "set", "owner", "XYZ"]);
    let r = env.assert_refused_unchanged("w", &["policy", "set", "require-signature", "false"]);
    assert!(r.stderr.contains("nothing to change"), "{}", r.stderr);
    assert_eq!(
        env.run_in("w", &["policy", "set", "titel", "x"]).code,
        2,
        "not a setting"
    );

    // An uncommitted edit of strategi.toml is not swept into the policy's commit.
    let path = env.path("w/strategi.toml");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, format!("{text}# a note\n")).expect("write");
    let r = env.assert_refused_unchanged("w", &["policy", "set", "require-signature", "true"]);
    assert!(r.stderr.contains("not committed"), "{}", r.stderr);
    std::fs::write(&path, text).expect("write");

    // The same loosening with plain git is reported and not counted.
    env.run_in("w", &["policy", "set", "require-signature", "true"])
        .ok();
    edit_config(
        &env,
        "w",
        "require_signature = true",
        "require_signature = false",
    );
    let v = env.run_in("w", &["--json", "verify"]);
    assert_eq!(v.code, 1, "{}", v.stdout);
    assert!(v.stdout.contains("policy-changed"), "{}", v.stdout);
    let p = json_of(&env, "w", &["policy", "show"]);
    assert_eq!(p["not_counted"][0]["setting"], "require-signature", "{p}");
}

#[test]
fn loosening_the_signed_commits_policy_takes_the_owners_own_key() {
    let env = TestEnv::new();
    env.workspace("w");
    let key = env.keygen("dio_ed25519");
    let public = format!("{key}.pub");
    env.run_in(
        "w",
        &[
            "party",
            "add",
            "DIO",
            "--name",
            "Digitaliseringsdirektoratet",
            "--email",
            "post@dio.example",
        ],
    )
    .ok();
    env.run_in("w", &["party", "key", "DIO", "--add-file", &public])
        .ok();
    env.run_in("w", &["policy", "set", "require-signed-commits", "DIO"])
        .ok();
    // Unsigned: refused before anything is written.
    env.assert_refused_unchanged("w", &["policy", "set", "require-signed-commits", "false"]);
    // Signed with DIO's own key: accepted, and verify counts it as the owner's.
    let r = signed(
        &env,
        &key,
        &["--json", "policy", "set", "require-signed-commits", "false"],
    )
    .ok()
    .json();
    assert_eq!(r["loosens"], true, "{r}");
    env.run_in("w", &["verify"]).ok();
    let p = json_of(&env, "w", &["policy", "show"]);
    assert_eq!(p["require_signed_commits"], false, "{p}");
    assert_eq!(p["not_counted"], serde_json::json!([]), "{p}");
}

#[test]
fn a_new_approver_that_would_void_the_approval_is_refused_unless_forced() {
    let env = TestEnv::new();
    env.workspace_with_version("w");
    env.run_in("w", &["--as", "DFD", "approve", "v1"]).ok();
    env.run_in("w", &["verify"]).ok();
    let r = env.assert_refused_unchanged("w", &["policy", "set", "approver", "DIO"]);
    assert!(r.stderr.contains("approvals/"), "{}", r.stderr);
    assert!(
        r.stderr.contains("record(s) made before invalid"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--force"), "{}", r.stderr);
    assert_eq!(json_of(&env, "w", &["policy", "show"])["approver"], "DFD");
    env.run_in("w", &["verify"]).ok();
    // Forced: done, with a warning naming what verify will now report.
    let f = env
        .run_in("w", &["policy", "set", "approver", "DIO", "--force"])
        .ok();
    assert!(f.stderr.contains("no longer hold"), "{}", f.stderr);
    assert_eq!(json_of(&env, "w", &["policy", "show"])["approver"], "DIO");
    assert_eq!(env.run_in("w", &["verify"]).code, 1);
}
