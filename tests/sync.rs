//! `sync` and `clone` against real git servers started here on 127.0.0.1: `git daemon`
//! (git://, receive-pack enabled), smart HTTP (`git http-backend` behind
//! `scripts/git-http-server.py`) and a bare `file://` repository.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::TestEnv;
use crate::common::smtp::free_port;

/// A server process, stopped when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_for(port: u16) {
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "server on {port} did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn git_daemon(root: &Path) -> Server {
    let port = free_port();
    // The daemon itself, not the `git` wrapper: killing the wrapper would leave the
    // daemon running.
    let exec_path = Command::new("git")
        .arg("--exec-path")
        .output()
        .expect("git --exec-path");
    let exec_path = String::from_utf8_lossy(&exec_path.stdout)
        .trim()
        .to_string();
    let child = Command::new(Path::new(&exec_path).join("git-daemon"))
        .args([
            "--reuseaddr",
            "--listen=127.0.0.1",
            &format!("--port={port}"),
            "--export-all",
            "--enable=receive-pack",
            "--informative-errors",
        ])
        .arg(format!("--base-path={}", root.display()))
        .arg(root)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start git daemon");
    let server = Server { child, port };
    wait_for(port);
    server
}

fn http_server(root: &Path, die_on: Option<&str>) -> Server {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/git-http-server.py");
    let mut cmd = Command::new("python3");
    cmd.arg(script).arg(root);
    if let Some(d) = die_on {
        cmd.args(["--die-on", d]);
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the http server");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("port");
    let port: u16 = line.trim().parse().expect("a port");
    let server = Server { child, port };
    wait_for(port);
    server
}

/// A bare repository `remote.git` under the test's folder, pushable over HTTP.
pub(crate) fn bare(env: &TestEnv) -> std::path::PathBuf {
    let path = env.path("srv/remote.git");
    std::fs::create_dir_all(&path).expect("mkdir");
    env.git("srv/remote.git", &["init", "-q", "--bare"]).ok();
    env.git("srv/remote.git", &["config", "http.receivepack", "true"])
        .ok();
    path
}

/// Clone `a` with the case (parties FIN, KDD, DFD; v1 of a one-section draft), pushed
/// to `url`, and clone `b` made from it with `strategi clone`.
pub(crate) fn two_clones(env: &TestEnv, url: &str) {
    env.workspace("a");
    env.run_in(
        "a",
        &[
            "party",
            "add",
            "DFD",
            "--name",
            "Digitaliserings- og forvaltningsdepartementet",
            "--email",
            "postmottak@dfd.example",
        ],
    )
    .ok();
    std::fs::write(
        env.path("a/strategy/01-utkast.md"),
        "# KI-strategi\n\n## Mål {#mal}\n\nVi skal lære.\n\n## Tiltak {#tiltak}\n\nVi skal gjøre.\n",
    )
    .expect("draft");
    env.run_in("a", &["version", "cut", "--label", "Utkast"])
        .ok();
    env.git("a", &["remote", "add", "origin", url]).ok();
    env.run_in("a", &["sync"]).ok();
    let r = env.run(&["--json", "clone", url, "b"]).ok();
    assert_eq!(r.json()["versions"][0], "v1", "{}", r.stdout);
}

pub(crate) fn json_of(env: &TestEnv, ws: &str, args: &[&str]) -> serde_json::Value {
    let mut full = vec!["--json"];
    full.extend_from_slice(args);
    env.run_in(ws, &full).ok().json()
}

/// Both clones fold to the same state and verify clean.
#[track_caller]
pub(super) fn assert_converged(env: &TestEnv) {
    for args in [
        &["round", "list"][..],
        &["comment", "list"][..],
        &["version", "list"][..],
        &["party", "list"][..],
    ] {
        assert_eq!(
            json_of(env, "a", args),
            json_of(env, "b", args),
            "{args:?} differs"
        );
    }
    // The status's remote part is each clone's own (when it last synced).
    let status = |ws: &str| {
        let mut s = json_of(env, ws, &["status"]);
        s.as_object_mut().expect("object").remove("remote");
        s
    };
    assert_eq!(status("a"), status("b"));
    for ws in ["a", "b"] {
        env.run_in(ws, &["verify"]).ok();
    }
    assert_eq!(
        env.git("a", &["rev-parse", "HEAD"]).ok().stdout,
        env.git("b", &["rev-parse", "HEAD"]).ok().stdout
    );
}

/// Records made on both sides, synced in turns, end identical on both.
fn converge_through(env: &TestEnv, url: &str) {
    two_clones(env, url);
    env.run_in(
        "a",
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
            "2025-11-28",
        ],
    )
    .ok();
    env.run_in("a", &["--as", "DFD", "round", "send", "latest"])
        .ok();
    let out = env.run_in("a", &["--json", "sync"]).ok().json();
    assert_eq!(out["outgoing"]["records"]["round"], 1, "{out}");
    assert_eq!(out["outgoing"]["records"]["letter"], 2, "{out}");

    let got = env.run_in("b", &["--json", "sync"]).ok().json();
    assert_eq!(got["merge"], "fast-forward", "{got}");
    assert_git_clean(env, "b");
    assert_eq!(got["incoming"]["records"]["round"], 1, "{got}");
    // Both sides write at once: an answer and a comment in b, a party in a.
    env.run_in(
        "b",
        &[
            "respond",
            "latest",
            "--from",
            "FIN",
            "--position",
            "no-comments",
        ],
    )
    .ok();
    env.run_in(
        "b",
        &[
            "comment",
            "add",
            "latest",
            "--from",
            "KDD",
            "--section",
            "mal",
            "--quote",
            "Vi skal lære.",
            "--text",
            "Bra mål.",
        ],
    )
    .ok();
    env.run_in(
        "a",
        &[
            "party",
            "add",
            "HOD",
            "--name",
            "Helsedepartementet",
            "--email",
            "postmottak@hod.example",
        ],
    )
    .ok();
    env.run_in("a", &["sync"]).ok();
    let merged = env.run_in("b", &["--json", "sync"]).ok().json();
    assert_eq!(merged["merge"], "merge", "{merged}");
    assert_git_clean(env, "b");
    assert_eq!(merged["incoming"]["commits"], 1, "a's party: {merged}");
    assert_eq!(
        merged["outgoing"]["commits"], 3,
        "answer, comment, merge: {merged}"
    );
    assert_eq!(merged["incoming"]["records"]["setting"], 1, "{merged}");
    assert_eq!(merged["outgoing"]["records"]["comment"], 1, "{merged}");
    let log = env
        .git("b", &["log", "-1", "--format=%B", "HEAD"])
        .ok()
        .stdout;
    assert!(log.contains("Strategi-Action: sync"), "{log}");
    assert_eq!(
        env.git("b", &["rev-list", "--parents", "-n1", "HEAD"])
            .ok()
            .stdout
            .split_whitespace()
            .count(),
        3,
        "a merge commit with two parents"
    );
    env.run_in("a", &["sync"]).ok();
    assert_git_clean(env, "a");
    assert_converged(env);
    assert_eq!(
        json_of(env, "a", &["comment", "list"])
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    // Nothing left to do: a second sync moves nothing.
    let idle = env.run_in("a", &["--json", "sync"]).ok().json();
    assert_eq!(idle["merge"], "up-to-date");
    assert_eq!(idle["pushed"], false);
    let st = json_of(env, "a", &["status"]);
    assert_eq!(st["remote"]["not_pushed"], 0, "{st}");
    assert_eq!(st["remote"]["not_pulled"], 0, "{st}");
    assert!(st["remote"]["last_sync"]["at"].is_string(), "{st}");
}

/// After a sync git's index is what HEAD and the files hold (strategi updates only the
/// moved paths' entries, in place): `git status` shows nothing, nothing is staged, and
/// git reads the index whole (`git ls-files` lists what HEAD's tree does).
fn assert_git_clean(env: &TestEnv, clone: &str) {
    let st = env
        .git(clone, &["status", "--porcelain", "--untracked-files=all"])
        .ok()
        .stdout;
    assert_eq!(st, "", "git status in {clone}");
    let staged = env
        .git(clone, &["diff", "--cached", "--name-only"])
        .ok()
        .stdout;
    assert_eq!(staged, "", "staged in {clone}");
    let listed = env.git(clone, &["ls-files"]).ok().stdout;
    let tree = env
        .git(clone, &["ls-tree", "-r", "--name-only", "HEAD"])
        .ok()
        .stdout;
    assert_eq!(listed, tree, "index and HEAD in {clone}");
}

#[test]
fn records_converge_over_a_file_remote() {
    let env = TestEnv::new();
    let root = bare(&env);
    converge_through(&env, &format!("file://{}", root.display()));
}

#[test]
fn records_converge_over_git_daemon() {
    let env = TestEnv::new();
    bare(&env);
    let server = git_daemon(&env.path("srv"));
    converge_through(&env, &format!("git://127.0.0.1:{}/remote.git", server.port));
}

#[test]
fn records_converge_over_smart_http() {
    let env = TestEnv::new();
    bare(&env);
    let server = http_server(&env.path("srv"), None);
    converge_through(
        &env,
        &format!("http://127.0.0.1:{}/remote.git", server.port),
    );
}

/// Edits `strategi.toml` by hand in `ws` and commits it with plain git.
pub(crate) fn edit_config(env: &TestEnv, ws: &str, from: &str, to: &str) {
    let path = env.path(&format!("{ws}/strategi.toml"));
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains(from));
    std::fs::write(&path, text.replace(from, to)).expect("write");
    env.git(ws, &["commit", "-q", "-am", "Edit the title"]).ok();
}

#[test]
fn a_key_changed_on_both_sides_is_reported_not_lost_and_without_markers() {
    let env = TestEnv::new();
    let root = bare(&env);
    two_clones(&env, &format!("file://{}", root.display()));
    edit_config(
        &env,
        "a",
        "title = \"KI-strategi\"",
        "title = \"KI-strategi (DIO)\"",
    );
    edit_config(
        &env,
        "b",
        "title = \"KI-strategi\"",
        "title = \"KI-strategi (DFD)\"",
    );
    // A change of another key on one side only is merged without a conflict.
    edit_config(
        &env,
        "b",
        "transport = \"outbox\"",
        "transport = \"outbox\"\nfrom = \"dfd@dfd.example\"",
    );
    env.run_in("a", &["sync"]).ok();
    let r = env.run_in("b", &["--json", "sync"]).ok().json();
    assert_eq!(r["conflicts"][0]["key"], "case.title", "{r}");
    assert_eq!(r["conflicts"].as_array().map(Vec::len), Some(1), "{r}");
    let text = std::fs::read_to_string(env.path("b/strategi.toml")).expect("read");
    assert!(
        text.contains("title = \"KI-strategi (DIO)\""),
        "the remote's value kept:\n{text}"
    );
    assert!(text.contains("from = \"dfd@dfd.example\""), "{text}");
    assert!(
        !text.contains("<<<<<<<") && !text.contains(">>>>>>>"),
        "{text}"
    );
    // The value not kept is in the merge commit.
    let msg = env.git("b", &["log", "-1", "--format=%B"]).ok().stdout;
    assert!(msg.contains("\"KI-strategi (DFD)\""), "{msg}");
    assert!(msg.contains("Strategi-Conflict: case.title"), "{msg}");
    // status and verify report it on both sides, after a's sync too.
    env.run_in("a", &["sync"]).ok();
    for ws in ["a", "b"] {
        let st = json_of(&env, ws, &["status"]);
        assert_eq!(st["config_conflicts"][0]["key"], "case.title", "{st}");
        let v = env.run_in(ws, &["--json", "verify"]);
        assert_eq!(v.code, 1, "{}", v.stdout);
        assert!(v.stdout.contains("config-conflict"), "{}", v.stdout);
    }
    // Settled as the hint says: the conflict is gone.
    env.git(
        "b",
        &[
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "Settle case.title",
            "-m",
            "Strategi-Settled: case.title",
        ],
    )
    .ok();
    env.run_in("b", &["verify"]).ok();
    assert!(
        json_of(&env, "b", &["status"])
            .get("config_conflicts")
            .is_none()
    );
}

#[test]
fn a_conflicting_draft_edit_stops_before_pushing_and_keeps_both_texts() {
    let env = TestEnv::new();
    let root = bare(&env);
    two_clones(&env, &format!("file://{}", root.display()));
    let draft = |ws: &str, text: &str| {
        let p = env.path(&format!("{ws}/strategy/01-utkast.md"));
        let t = std::fs::read_to_string(&p).expect("read");
        std::fs::write(&p, t.replace("Vi skal lære.", text)).expect("write");
        env.run_in(ws, &["version", "cut", "--label", "Revidert"])
            .ok();
    };
    // Both change the draft's same line and case.title.
    edit_config(
        &env,
        "a",
        "title = \"KI-strategi\"",
        "title = \"KI-strategi (DIO)\"",
    );
    edit_config(
        &env,
        "b",
        "title = \"KI-strategi\"",
        "title = \"KI-strategi (DFD)\"",
    );
    draft("a", "Vi skal lære raskt.");
    draft("b", "Vi skal lære grundig.");
    env.run_in("a", &["sync"]).ok();
    let remote_before = env
        .git("srv/remote.git", &["rev-parse", "main"])
        .ok()
        .stdout;
    let head_before = env.git("b", &["rev-parse", "HEAD"]).ok().stdout;
    let r = env.run_in("b", &["sync"]).refused();
    assert!(r.stderr.contains("strategy/01-utkast.md"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("git add strategy && git commit --no-edit"),
        "{}",
        r.stderr
    );
    assert_eq!(
        env.git("b", &["rev-parse", "HEAD"]).ok().stdout,
        head_before,
        "no commit yet"
    );
    assert_eq!(
        env.git("srv/remote.git", &["rev-parse", "main"])
            .ok()
            .stdout,
        remote_before,
        "nothing was pushed"
    );
    // Both texts are in the draft, between git's markers; strategi.toml is merged
    // its own way, without markers.
    let p = env.path("b/strategy/01-utkast.md");
    let marked = std::fs::read_to_string(&p).expect("read");
    assert!(marked.contains("lære raskt"), "{marked}");
    assert!(marked.contains("lære grundig"), "{marked}");
    assert!(marked.contains("<<<<<<<"), "{marked}");
    let cfg = std::fs::read_to_string(env.path("b/strategi.toml")).expect("read");
    assert!(!cfg.contains("<<<<<<<"), "{cfg}");
    assert!(cfg.contains("title = \"KI-strategi (DIO)\""), "{cfg}");
    let st = env.git("b", &["status", "--porcelain"]).ok().stdout;
    assert!(st.contains("UU strategy/01-utkast.md"), "{st}");
    // A sync before the merge is finished says how to finish it.
    let again = env.run_in("b", &["sync"]).refused();
    assert!(
        again.stderr.contains("git merge --abort"),
        "{}",
        again.stderr
    );
    // Done as the hint says: edit, `git add strategy && git commit --no-edit`, sync.
    std::fs::write(
        &p,
        std::fs::read_to_string(env.path("a/strategy/01-utkast.md"))
            .expect("read")
            .replace("lære raskt", "lære raskt og grundig"),
    )
    .expect("write");
    env.git("b", &["add", "strategy"]).ok();
    env.git("b", &["commit", "-q", "--no-edit"]).ok();
    let cfg = std::fs::read_to_string(env.path("b/strategi.toml")).expect("read");
    assert!(!cfg.contains("<<<<<<<"), "{cfg}");
    let msg = env.git("b", &["log", "-1", "--format=%B"]).ok().stdout;
    assert!(msg.contains("Strategi-Conflict: case.title"), "{msg}");
    env.run_in("b", &["status"]).ok();
    let r = env.run_in("b", &["--json", "sync"]).ok().json();
    assert_eq!(r["renumbered"][0]["from"], "v2", "{r}");
    assert_eq!(r["renumbered"][0]["to"], "v3", "{r}");
    // The title conflict is recorded (verify names only it); settled, both converge.
    let v = env.run_in("b", &["verify"]);
    assert_eq!(v.code, 1, "{}", v.stdout);
    assert!(
        v.stdout.contains("Checked") && v.stdout.contains("case.title"),
        "{}",
        v.stdout
    );
    assert!(v.stderr.contains("1 problem"), "{}", v.stderr);
    env.run_in("b", &["config", "settle", "case.title", "--keep"])
        .ok();
    env.run_in("b", &["sync"]).ok();
    env.run_in("a", &["sync"]).ok();
    assert_converged(&env);
}

#[test]
fn two_clones_cutting_the_same_version_number_end_with_one_text_per_name() {
    let env = TestEnv::new();
    let root = bare(&env);
    two_clones(&env, &format!("file://{}", root.display()));
    // Each side cuts v2 with a change to its own part of the draft (no text conflict).
    std::fs::write(
        env.path("a/strategy/02-a.md"),
        "# Vedlegg A {#vedlegg-a}\n\nA.\n",
    )
    .expect("w");
    env.run_in("a", &["version", "cut", "--label", "DIO sin"])
        .ok();
    std::fs::write(
        env.path("b/strategy/03-b.md"),
        "# Vedlegg B {#vedlegg-b}\n\nB.\n",
    )
    .expect("w");
    env.run_in("b", &["version", "cut", "--label", "DFD sin"])
        .ok();
    let b_v2 = env.git("b", &["rev-parse", "v2^{commit}"]).ok().stdout;
    env.run_in("a", &["sync"]).ok();
    let r = env.run_in("b", &["sync"]).ok();
    assert!(
        r.stdout
            .contains("Renumbered: the remote already has another v2; the v2 cut here"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("is now v3"), "{}", r.stdout);
    env.run_in("a", &["sync"]).ok();
    assert_converged(&env);
    let versions = json_of(&env, "a", &["version", "list"]);
    let labels: Vec<&str> = versions
        .as_array()
        .expect("array")
        .iter()
        .map(|v| v["label"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(labels, ["Utkast", "DIO sin", "DFD sin"], "{versions}");
    // The commit of b's version is unchanged, under its new name, on both sides and on
    // the server; v2 is a's everywhere.
    for ws in ["a", "b", "srv/remote.git"] {
        assert_eq!(env.git(ws, &["rev-parse", "v3^{commit}"]).ok().stdout, b_v2);
        assert_eq!(
            env.git(ws, &["rev-parse", "v2^{commit}"]).ok().stdout,
            env.git("a", &["rev-parse", "v2^{commit}"]).ok().stdout
        );
    }
}

#[test]
fn a_server_killed_in_the_middle_loses_nothing_and_a_rerun_completes() {
    let env = TestEnv::new();
    bare(&env);
    let url = |s: &Server| format!("http://127.0.0.1:{}/remote.git", s.port);
    let first = http_server(&env.path("srv"), None);
    two_clones(&env, &url(&first));
    drop(first);

    // Killed in the middle of a push, after the server took the commits.
    env.run_in(
        "a",
        &[
            "party",
            "add",
            "HOD",
            "--name",
            "Helsedepartementet",
            "--email",
            "postmottak@hod.example",
        ],
    )
    .ok();
    let a_head = env.git("a", &["rev-parse", "HEAD"]).ok().stdout;
    let dying = http_server(&env.path("srv"), Some("git-receive-pack"));
    env.git("a", &["remote", "set-url", "origin", &url(&dying)])
        .ok();
    let r = env.run_in("a", &["sync"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.starts_with("Error: git could not push"),
        "{}",
        r.stderr
    );
    assert_eq!(env.git("a", &["rev-parse", "HEAD"]).ok().stdout, a_head);
    assert_eq!(
        env.git("srv/remote.git", &["rev-parse", "main"])
            .ok()
            .stdout,
        a_head,
        "the server took the push before it died"
    );
    drop(dying);

    // Killed in the middle of a fetch: b is left as it was.
    let b_head = env.git("b", &["rev-parse", "HEAD"]).ok().stdout;
    let dying = http_server(&env.path("srv"), Some("git-upload-pack"));
    env.git("b", &["remote", "set-url", "origin", &url(&dying)])
        .ok();
    let r = env.run_in("b", &["sync"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.starts_with("Error: git could not fetch"),
        "{}",
        r.stderr
    );
    assert_eq!(env.git("b", &["rev-parse", "HEAD"]).ok().stdout, b_head);
    drop(dying);

    // Reruns against a server that stays up complete.
    let up = http_server(&env.path("srv"), None);
    for ws in ["a", "b"] {
        env.git(ws, &["remote", "set-url", "origin", &url(&up)])
            .ok();
    }
    env.run_in("a", &["sync"]).ok();
    env.run_in("b", &["sync"]).ok();
    assert_converged(&env);
    let parties = json_of(&env, "b", &["party", "list"]);
    assert!(parties.to_string().contains("HOD"), "{parties}");
}

#[test]
fn refusals_name_what_to_do() {
    let env = TestEnv::new();
    env.workspace("a");
    let r = env.assert_refused_unchanged("a", &["sync"]);
    assert!(
        r.stderr.contains("no git remote named \"origin\""),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("git remote add origin URL"),
        "{}",
        r.stderr
    );
    // A remote that cannot be reached: git's words as the cause, nothing changed.
    env.git(
        "a",
        &["remote", "add", "origin", "file:///nonexistent/remote.git"],
    )
    .ok();
    let r = env.assert_refused_unchanged("a", &["sync"]);
    assert!(r.stderr.contains("Caused by: git:"), "{}", r.stderr);
    // clone of something that is not a case leaves no folder behind.
    env.git("a", &["init", "-q", "--bare", "../plain.git"]).ok();
    let plain = format!("file://{}", env.path("plain.git").display());
    let r = env.run(&["clone", &plain, "c"]).refused();
    assert!(r.stderr.contains("holds no strategi case"), "{}", r.stderr);
    assert!(!env.path("c").exists());
}

#[test]
fn a_push_rejected_because_someone_pushed_meanwhile_merges_again() {
    let env = TestEnv::new();
    let root = bare(&env);
    two_clones(&env, &format!("file://{}", root.display()));
    // The server's hook lets someone else's commit in while the first push waits
    // (once), so that push is rejected: the remote moved.
    let hook = root.join("hooks/pre-receive");
    std::fs::write(
        &hook,
        r#"#!/bin/sh
cat >/dev/null
[ -e "$GIT_DIR/raced" ] && exit 0
touch "$GIT_DIR/raced"
unset GIT_QUARANTINE_PATH GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES
export GIT_AUTHOR_DATE="2025-11-03 00:00:00 +0000" GIT_COMMITTER_DATE="2025-11-03 00:00:00 +0000"
old=$(git rev-parse refs/heads/main)
blob=$(echo "someone else" | git hash-object -w --stdin)
tree=$( (git ls-tree "$old"; printf '100644 blob %s\tNOTES.txt\n' "$blob") | git mktree)
new=$(echo "Someone else's commit" | git commit-tree "$tree" -p "$old")
git update-ref refs/heads/main "$new" "$old"
"#,
    )
    .expect("hook");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    env.run_in(
        "a",
        &[
            "party",
            "add",
            "HOD",
            "--name",
            "Helsedepartementet",
            "--email",
            "postmottak@hod.example",
        ],
    )
    .ok();
    let r = env.run_in("a", &["--json", "sync"]).ok().json();
    assert_eq!(r["attempts"], 2, "{r}");
    assert_eq!(r["pushed"], true, "{r}");
    assert_eq!(r["merge"], "merge", "{r}");
    assert!(
        env.path("a/NOTES.txt").is_file(),
        "the other commit came in"
    );
    env.run_in("b", &["sync"]).ok();
    assert_converged(&env);
}

/// `(entry, state, attempts)` of every outbox entry of `ws`.
pub(super) fn outbox(env: &TestEnv, ws: &str) -> Vec<(String, String, u64)> {
    json_of(env, ws, &["outbox", "list"])
        .as_array()
        .expect("list")
        .iter()
        .map(|e| {
            (
                e["entry"].as_str().expect("entry").to_string(),
                e["state"]["state"].as_str().expect("state").to_string(),
                e["state"]["attempts"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

#[test]
fn outbox_states_changed_on_both_sides_keep_the_most_advanced() {
    let env = TestEnv::new();
    let root = bare(&env);
    two_clones(&env, &format!("file://{}", root.display()));
    env.run_in(
        "a",
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
            "2025-11-28",
        ],
    )
    .ok();
    env.run_in("a", &["--as", "DFD", "round", "send", "latest"])
        .ok();
    env.run_in("a", &["sync"]).ok();
    env.run_in("b", &["sync"]).ok();
    let letters = outbox(&env, "a");
    assert_eq!(letters.len(), 2);
    let first = letters[0]
        .0
        .trim_start_matches("outbox/")
        .trim_end_matches(".eml")
        .to_string();
    // a records the first letter as sent by hand; b tries to deliver both through a
    // server that is not there (they stay queued, one attempt each).
    env.run_in("a", &["--as", "DFD", "outbox", "mark-sent", &first])
        .ok();
    let port = free_port();
    edit_config(
        &env,
        "b",
        "transport = \"outbox\"",
        &format!("transport = \"smtp\"\nsmtp_url = \"smtp://127.0.0.1:{port}\""),
    );
    let _ = env.run_in("b", &["--as", "DFD", "outbox", "flush"]);
    assert!(
        outbox(&env, "b")
            .iter()
            .all(|(_, s, n)| s == "queued" && *n == 1),
        "{:?}",
        outbox(&env, "b")
    );
    env.run_in("a", &["sync"]).ok();
    env.run_in("b", &["sync"]).ok();
    env.run_in("a", &["sync"]).ok();
    for ws in ["a", "b"] {
        let o = outbox(&env, ws);
        assert_eq!(
            o[0].1, "sent",
            "{ws}: the letter sent by hand stays sent: {o:?}"
        );
        assert_eq!((o[1].1.as_str(), o[1].2), ("queued", 1), "{ws}: {o:?}");
    }
    assert_converged(&env);
}

#[test]
fn clone_needs_no_identity_and_reading_needs_none() {
    let env = TestEnv::new();
    let root = bare(&env);
    env.workspace("a");
    let url = format!("file://{}", root.display());
    env.git("a", &["remote", "add", "origin", &url]).ok();
    env.run_in("a", &["sync"]).ok();
    std::fs::write(
        env.home.join(".gitconfig"),
        "[init]\n\tdefaultBranch = main\n[user]\n\tuseConfigOnly = true\n",
    )
    .expect("gitconfig");
    let r = env.run(&["--json", "clone", &url, "c"]).ok().json();
    assert_eq!(r["branch"], "main", "{r}");
    let st = json_of(&env, "c", &["status"]);
    assert_eq!(st["case"]["title"], "KI-strategi", "{st}");
    assert_eq!(st["remote"]["name"], "origin", "{st}");
    assert_eq!(st["remote"]["not_pulled"], 0, "{st}");
    env.run_in("c", &["verify"]).ok();
    // Writing needs one: sync says so and changes nothing.
    let r = env.assert_refused_unchanged("c", &["sync"]);
    assert!(
        r.stderr.contains("Git does not know who you are"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_act_on_a_version_not_yet_published_is_refused_until_a_sync() {
    let env = TestEnv::new();
    let root = bare(&env);
    two_clones(&env, &format!("file://{}", root.display()));
    std::fs::write(env.path("a/strategy/02-a.md"), "# A {#a}\n\nA.\n").expect("w");
    env.run_in("a", &["version", "cut", "--label", "A"]).ok();
    env.run_in("a", &["sync"]).ok();
    std::fs::write(env.path("b/strategy/03-b.md"), "# B {#b}\n\nB.\n").expect("w");
    env.run_in("b", &["version", "cut", "--label", "B"]).ok();
    // b opens a round on its own v2 before syncing: refused, nothing written.
    let open = |v: &str| {
        env.run_in(
            "b",
            &[
                "--as",
                "DFD",
                "round",
                "open",
                "--version",
                v,
                "--to",
                "FIN",
                "--due",
                "2025-11-28",
            ],
        )
    };
    let head_before = env.git("b", &["rev-parse", "HEAD"]).ok().stdout;
    let before: Vec<_> = env
        .snapshot("b")
        .into_iter()
        .filter(|(p, _)| !p.starts_with(".git"))
        .collect();
    let r = open("v2").refused();
    assert!(
        r.stderr
            .contains("v2 is not published yet: run `strategi sync` first"),
        "{}",
        r.stderr
    );
    assert_eq!(
        env.git("b", &["rev-parse", "HEAD"]).ok().stdout,
        head_before
    );
    let after: Vec<_> = env
        .snapshot("b")
        .into_iter()
        .filter(|(p, _)| !p.starts_with(".git"))
        .collect();
    assert_eq!(before, after, "nothing written");
    // The sync renumbers b's v2 to v3; then the round opens on it, and the next sync
    // publishes it.
    let s = env.run_in("b", &["--json", "sync"]).ok().json();
    assert_eq!(s["renumbered"][0]["to"], "v3", "{s}");
    open("v3").ok();
    env.run_in("b", &["sync"]).ok();
    env.run_in("a", &["sync"]).ok();
    assert_converged(&env);
}

/// A small deterministic generator (xorshift64*), so a failing seed can be rerun.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) % n
    }
}

/// What the commands of a random run acknowledged: every commit they printed and
/// every record they named, which must all be on both sides at the end.
#[derive(Default)]
struct Acknowledged {
    commits: Vec<String>,
    /// Paths of records, or ids of records (`-ID.toml` at the end of a file name).
    records: Vec<String>,
    rounds: Vec<String>,
    parties: Vec<String>,
    milestones: Vec<String>,
    /// Version labels (a version cut here may be renumbered, its label stays).
    versions: Vec<String>,
    comments: usize,
}

impl Acknowledged {
    /// Notes what a command's `--json` output names: its commit (`commit.id`, or
    /// `version.commit` of a cut), its record (`record`), the ids of the fact, comment,
    /// decision or round it wrote.
    fn note(&mut self, out: &serde_json::Value) {
        if let Some(c) = out["commit"]["id"].as_str() {
            self.commits.push(c.to_string());
        }
        if let Some(c) = out["version"]["commit"].as_str() {
            self.commits.push(c.to_string());
        }
        if let Some(r) = out["record"].as_str() {
            self.records.push(r.to_string());
        }
        for k in ["fact", "comment", "decision"] {
            if let Some(id) = out[k]["id"].as_str() {
                self.records.push(format!("-{id}.toml"));
            }
        }
        if let Some(id) = out["round"]["id"].as_str() {
            self.rounds.push(id.to_string());
        }
    }
}

/// The number of random operations per seed and the seeds: `STRATEGI_SYNC_OPS`
/// (default 30) and `STRATEGI_SYNC_SEEDS` (comma-separated, default `1,7`). The issue's
/// run is `STRATEGI_SYNC_OPS=200 STRATEGI_SYNC_SEEDS=1,2,3`; 200 at seed 1 runs always
/// (`two_hundred_random_operations_at_a_fixed_seed_converge`).
fn random_run_settings() -> (usize, Vec<u64>) {
    let ops = std::env::var("STRATEGI_SYNC_OPS")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(30);
    let seeds = std::env::var("STRATEGI_SYNC_SEEDS")
        .ok()
        .map(|s| {
            s.split(',')
                .map(|x| x.trim().parse().expect("STRATEGI_SYNC_SEEDS: numbers"))
                .collect()
        })
        .unwrap_or_else(|| vec![1, 7]);
    (ops, seeds)
}

/// Random operations on both clones — parties, milestones (added and completed),
/// rounds (opened and sent), answers, comments, decisions, signing keys and versions —
/// interleaved with syncs in random order: afterwards both clones have the same fold of
/// every round, the same comments, decisions, configuration and versions, `verify` is
/// clean on both, and everything a command acknowledged (its commit, the records it
/// named) is on both sides.
fn random_operations(seed: u64, ops: usize) {
    let env = TestEnv::new();
    let root = bare(&env);
    two_clones(&env, &format!("file://{}", root.display()));
    env.run_in(
        "a",
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
            "2025-11-28",
        ],
    )
    .ok();
    env.run_in("a", &["--as", "DFD", "round", "send", "latest"])
        .ok();
    env.run_in("a", &["sync"]).ok();
    env.run_in("b", &["sync"]).ok();
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut ack = Acknowledged::default();
    const KINDS: usize = 11;
    let mut kinds = [0usize; KINDS];
    let pick = |rng: &mut Rng, list: &serde_json::Value| -> Option<serde_json::Value> {
        let items = list.as_array()?;
        if items.is_empty() {
            return None;
        }
        Some(items[rng.below(items.len() as u64) as usize].clone())
    };
    let run = |ws: &str, args: &[&str], ack: &mut Acknowledged| {
        let out = json_of(&env, ws, args);
        ack.note(&out);
        out
    };
    for k in 0..ops {
        let ws = if rng.below(2) == 0 { "a" } else { "b" };
        // Every kind once first (so a short run has them all), then at random.
        let kind = if k < KINDS {
            k
        } else {
            rng.below(KINDS as u64) as usize
        };
        kinds[kind] += 1;
        match kind {
            0 => {
                let code = format!("P{ws}{k}").to_uppercase();
                let email = format!("post@{}.example", code.to_lowercase());
                run(
                    ws,
                    &["party", "add", &code, "--name", &code, "--email", &email],
                    &mut ack,
                );
                ack.parties.push(code);
            }
            1 => {
                let id = format!("m-{ws}-{k}");
                run(
                    ws,
                    &[
                        "milestone",
                        "add",
                        &id,
                        "--title",
                        &id,
                        "--due",
                        "2025-12-15",
                        "--owner",
                        "DIO",
                    ],
                    &mut ack,
                );
                ack.milestones.push(id);
            }
            2 => {
                // Complete a milestone this clone knows as not done (the other side may
                // complete it too before they sync).
                let list = json_of(&env, ws, &["milestone", "list"]);
                let open: Vec<serde_json::Value> = list
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|m| m["done"].is_null())
                    .cloned()
                    .collect();
                if let Some(m) = pick(&mut rng, &serde_json::Value::Array(open)) {
                    let id = m["id"].as_str().expect("milestone id").to_string();
                    run(ws, &["milestone", "done", &id], &mut ack);
                }
            }
            3 | 4 => {
                // A comment from a recipient of a round this clone has.
                let list = json_of(&env, ws, &["round", "list"]);
                let r = pick(&mut rng, &list).expect("a round");
                let id = r["id"].as_str().expect("round id").to_string();
                let party = pick(&mut rng, &r["parties"]).expect("a recipient");
                let party = party["party"].as_str().expect("party").to_string();
                let text = format!("Kommentar {k} fra {ws}.");
                run(
                    ws,
                    &[
                        "comment",
                        "add",
                        &id,
                        "--from",
                        &party,
                        "--section",
                        "mal",
                        "--quote",
                        "Vi skal lære.",
                        "--text",
                        &text,
                    ],
                    &mut ack,
                );
                ack.comments += 1;
            }
            5 => {
                // Decide a comment this clone has (again, if it was decided).
                let list = json_of(&env, ws, &["comment", "list"]);
                if let Some(c) = pick(&mut rng, &list) {
                    let id = c["id"].as_str().expect("comment id").to_string();
                    let decision =
                        ["accepted", "partly", "rejected", "noted"][rng.below(4) as usize];
                    let note = format!("Vurdert {k} i {ws}.");
                    run(
                        ws,
                        &[
                            "comment",
                            "resolve",
                            &id,
                            "--decision",
                            decision,
                            "--note",
                            &note,
                        ],
                        &mut ack,
                    );
                }
            }
            6 => {
                // A new round on the latest version, opened and sent here. The version is
                // published first (a sync): a version cut here that the other side may
                // also have cut under its number is renumbered by the next sync, which
                // refuses when records made here name it (a documented refusal).
                env.run_in(ws, &["sync"]).ok();
                let to = ["FIN", "KDD", "FIN,KDD"][rng.below(3) as usize];
                let out = run(
                    ws,
                    &[
                        "--as",
                        "DFD",
                        "round",
                        "open",
                        "--version",
                        "latest",
                        "--to",
                        to,
                        "--due",
                        "2025-11-28",
                    ],
                    &mut ack,
                );
                let id = out["round"]["id"].as_str().expect("round id").to_string();
                run(ws, &["--as", "DFD", "round", "send", &id], &mut ack);
            }
            7 => {
                // An answer from a recipient of a round this clone has.
                let list = json_of(&env, ws, &["round", "list"]);
                if let Some(r) = pick(&mut rng, &list) {
                    let id = r["id"].as_str().expect("round id").to_string();
                    let party = pick(&mut rng, &r["parties"]).expect("a recipient");
                    let party = party["party"].as_str().expect("party").to_string();
                    let position = ["no-comments", "comments", "reservation", "disagree"]
                        [rng.below(4) as usize];
                    let note = format!("Svar {k} fra {ws}.");
                    run(
                        ws,
                        &[
                            "respond",
                            &id,
                            "--from",
                            &party,
                            "--position",
                            position,
                            "--note",
                            &note,
                        ],
                        &mut ack,
                    );
                }
            }
            8 => {
                // A signing key of its own for FIN or KDD, added acting as that party.
                let party = ["FIN", "KDD"][rng.below(2) as usize];
                let key = env.keygen(&format!("key-{seed}-{k}"));
                run(
                    ws,
                    &[
                        "--as",
                        party,
                        "party",
                        "key",
                        party,
                        "--add-file",
                        &format!("{key}.pub"),
                    ],
                    &mut ack,
                );
            }
            9 => {
                std::fs::write(
                    env.path(&format!("{ws}/strategy/{ws}-{k:03}.md")),
                    format!("# Del {k} {{#del-{ws}-{k}}}\n\nTekst {k}.\n"),
                )
                .expect("draft");
                let label = format!("{ws} {k}");
                run(ws, &["version", "cut", "--label", &label], &mut ack);
                ack.versions.push(label);
            }
            _ => {
                env.run_in(ws, &["sync"]).ok();
            }
        }
    }
    for ws in ["a", "b", "a"] {
        env.run_in(ws, &["sync"]).ok();
    }
    assert_converged(&env);
    // Nothing acknowledged is lost: every commit a command printed is in the history
    // both clones share, every record it named is in their tree.
    let history: std::collections::HashSet<String> = env
        .git("a", &["rev-list", "HEAD"])
        .ok()
        .stdout
        .lines()
        .map(str::to_string)
        .collect();
    for c in &ack.commits {
        assert!(history.contains(c), "seed {seed}: commit {c} was lost");
    }
    for ws in ["a", "b"] {
        let files = env
            .git(ws, &["ls-tree", "-r", "--name-only", "HEAD"])
            .ok()
            .stdout;
        let files: Vec<&str> = files.lines().collect();
        for r in &ack.records {
            assert!(
                files.iter().any(|f| f == r || f.ends_with(r.as_str())),
                "seed {seed}: the record {r} is not in {ws}"
            );
        }
        let ids = |args: &[&str], key: &str| -> Vec<String> {
            json_of(&env, ws, args)
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v[key].as_str().map(str::to_string))
                .collect()
        };
        let rounds = ids(&["round", "list"], "id");
        let parties = ids(&["party", "list"], "code");
        let milestones = ids(&["milestone", "list"], "id");
        let labels = ids(&["version", "list"], "label");
        for (what, wanted, have) in [
            ("round", &ack.rounds, &rounds),
            ("party", &ack.parties, &parties),
            ("milestone", &ack.milestones, &milestones),
            ("version", &ack.versions, &labels),
        ] {
            for w in wanted {
                assert!(have.contains(w), "seed {seed}: {what} {w} is not in {ws}");
            }
        }
        // The initial round, FIN, KDD and DFD, forslag-dfd and v1 came before.
        assert_eq!(rounds.len(), 1 + ack.rounds.len(), "seed {seed}: rounds");
        assert_eq!(parties.len(), 3 + ack.parties.len(), "seed {seed}: parties");
        assert_eq!(
            milestones.len(),
            1 + ack.milestones.len(),
            "seed {seed}: milestones"
        );
        assert_eq!(
            labels.len(),
            1 + ack.versions.len(),
            "seed {seed}: versions"
        );
        let comments = json_of(&env, ws, &["comment", "list"]);
        assert_eq!(
            comments.as_array().map_or(0, Vec::len),
            ack.comments,
            "seed {seed}: comments"
        );
    }
    if ops >= KINDS {
        assert!(kinds.iter().all(|n| *n > 0), "seed {seed}: {kinds:?}");
    }
    eprintln!("seed {seed}: {ops} operations by kind {kinds:?}");
}

#[test]
fn random_operations_on_both_sides_converge() {
    let (ops, seeds) = random_run_settings();
    for seed in seeds {
        random_operations(seed, ops);
    }
}

/// The issue's length, 200 operations, at one fixed seed on every run (about 73 s of
/// test time with the machine's load at 6 on 2 cores, 38 s of CPU), beside the short
/// seeds above. Skipped when `STRATEGI_SYNC_OPS` chooses the run.
#[test]
fn two_hundred_random_operations_at_a_fixed_seed_converge() {
    if std::env::var_os("STRATEGI_SYNC_OPS").is_some() {
        return;
    }
    random_operations(1, 200);
}

#[test]
fn a_signed_approval_travels_and_verifies_on_the_other_side() {
    let env = TestEnv::new();
    let root = bare(&env);
    two_clones(&env, &format!("file://{}", root.display()));
    let key = env.keygen("dfd_ed25519");
    env.run_in(
        "b",
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
    env.run_in(
        "b",
        &[
            "--as", "DFD", "approve", "v1", "--sign", &key, "--note", "Godkjent",
        ],
    )
    .ok();
    let out = env.run_in("b", &["--json", "sync"]).ok().json();
    assert_eq!(out["outgoing"]["approvals"][0], "approved/v1", "{out}");
    let got = env.run_in("a", &["--json", "sync"]).ok().json();
    assert_eq!(got["incoming"]["approvals"][0], "approved/v1", "{got}");
    assert_eq!(got["incoming"]["records"]["approval"], 1, "{got}");
    let tag = env.git("a", &["cat-file", "-p", "approved/v1"]).ok().stdout;
    assert!(tag.contains("-----BEGIN SSH SIGNATURE-----"), "{tag}");
    assert_eq!(json_of(&env, "a", &["status"])["phase"]["name"], "approved");
    assert_converged(&env);
}

#[test]
fn uncommitted_changes_the_sync_would_overwrite_refuse_it() {
    let env = TestEnv::new();
    let root = bare(&env);
    two_clones(&env, &format!("file://{}", root.display()));
    let p = "strategy/01-utkast.md";
    let a_text = std::fs::read_to_string(env.path(&format!("a/{p}"))).expect("read");
    std::fs::write(
        env.path(&format!("a/{p}")),
        a_text.replace("gjøre.", "gjøre mye."),
    )
    .expect("w");
    env.run_in("a", &["version", "cut", "--label", "To"]).ok();
    env.run_in("a", &["sync"]).ok();
    // b edits the same file without cutting a version.
    std::fs::write(
        env.path(&format!("b/{p}")),
        a_text.replace("lære.", "lære mer."),
    )
    .expect("w");
    // Refused with the branch and working tree as they were (the fetch's refs of the
    // remote are kept: the remote's text is at origin/main).
    let work = |env: &TestEnv| -> Vec<_> {
        env.snapshot("b")
            .into_iter()
            .filter(|(p, _)| !p.starts_with(".git"))
            .collect()
    };
    let (before, head) = (work(&env), env.git("b", &["rev-parse", "HEAD"]).ok().stdout);
    let r = env.run_in("b", &["sync"]).refused();
    assert_eq!(work(&env), before);
    assert_eq!(env.git("b", &["rev-parse", "HEAD"]).ok().stdout, head);
    assert!(
        r.stderr
            .contains("uncommitted changes here: strategy/01-utkast.md"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("strategi version cut"), "{}", r.stderr);
}

#[test]
fn a_remote_holding_another_case_is_refused() {
    let env = TestEnv::new();
    let root = bare(&env);
    let url = format!("file://{}", root.display());
    two_clones(&env, &url);
    // (The same init with the same clock would make the very same first commit.)
    env.run(&[
        "init",
        "other",
        "--title",
        "Another case",
        "--owner",
        "DIO",
        "--approver",
        "DFD",
    ])
    .ok();
    env.git("other", &["remote", "add", "origin", &url]).ok();
    let head = env.git("other", &["rev-parse", "HEAD"]).ok().stdout;
    let r = env.run_in("other", &["sync"]).refused();
    assert!(r.stderr.contains("shares no history"), "{}", r.stderr);
    assert!(r.stderr.contains("strategi clone"), "{}", r.stderr);
    assert_eq!(env.git("other", &["rev-parse", "HEAD"]).ok().stdout, head);
}

#[test]
fn a_bad_record_pushed_by_the_other_side_can_be_removed_by_the_hint_and_synced() {
    let env = TestEnv::new();
    let root = bare(&env);
    two_clones(&env, &format!("file://{}", root.display()));
    // B pushes (plain git) a setting record with an id that is not one.
    let files = env.git("b", &["ls-files", "settings"]).ok().stdout;
    let some = files.lines().next().expect("a setting record").to_string();
    let text = std::fs::read_to_string(env.path(&format!("b/{some}"))).expect("read");
    let text: String = text
        .lines()
        .map(|l| {
            if l.starts_with("id = ") {
                "id = \"bad\"".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let bad = "settings/20260301T000000Z-e7k3q9xm.toml";
    std::fs::write(env.path(&format!("b/{bad}")), text + "\n").expect("write");
    env.git("b", &["add", "-A"]).ok();
    env.git("b", &["commit", "-qm", "A bad record"]).ok();
    env.git("b", &["push", "-q", "origin", "HEAD"]).ok();
    // A takes it in; its commands refuse with a hint that works for a committed file.
    let r = env.run_in("a", &["sync"]);
    let r = if r.code == 0 {
        env.run_in("a", &["status"])
    } else {
        r
    };
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains(bad), "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("git rm {bad} && git commit")),
        "{}",
        r.stderr
    );
    // The hint's steps: remove it in a commit, then sync; both clones work again.
    env.git("a", &["rm", "-q", bad]).ok();
    env.git("a", &["commit", "-qm", "Remove the unreadable record"])
        .ok();
    env.run_in("a", &["sync"]).ok();
    env.run_in("a", &["status"]).ok();
    env.run_in("b", &["sync"]).ok();
    env.run_in("b", &["status"]).ok();
    assert!(!env.path(&format!("b/{bad}")).exists());
}

#[test]
fn bad_toml_from_the_remote_names_line_commit_and_way_forward() {
    let env = TestEnv::new();
    let root = bare(&env);
    two_clones(&env, &format!("file://{}", root.display()));
    // B pushes (plain git) a strategi.toml that is not TOML.
    let path = env.path("b/strategi.toml");
    let text = std::fs::read_to_string(&path).expect("read");
    let bad_line = text.lines().count() + 1;
    std::fs::write(&path, format!("{text}broken = = 1\n")).expect("write");
    env.git("b", &["commit", "-qam", "Hand-edit the settings"])
        .ok();
    let short = env.git("b", &["rev-parse", "--short", "HEAD"]).ok().stdout;
    let author = env.git("b", &["log", "-1", "--format=%an"]).ok().stdout;
    env.git("b", &["push", "-q", "origin", "HEAD"]).ok();
    // A (with a change of its own, so a merge) refuses the sync.
    edit_config(&env, "a", "title = \"KI-strategi\"", "title = \"KI (DIO)\"");
    let head = env.git("a", &["rev-parse", "HEAD"]).ok().stdout;
    let before = std::fs::read_to_string(env.path("a/strategi.toml")).expect("read");
    let r = env.run_in("a", &["sync"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    for part in [
        "strategi.toml",
        &format!("line {bad_line}, column 10"),
        short.trim(),
        author.trim(),
        "Hand-edit the settings",
        "git merge --no-commit origin/main",
        "pushes",
    ] {
        assert!(r.stderr.contains(part), "{part}:\n{}", r.stderr);
    }
    // Nothing written here.
    assert_eq!(env.git("a", &["rev-parse", "HEAD"]).ok().stdout, head);
    assert_eq!(
        std::fs::read_to_string(env.path("a/strategi.toml")).expect("read"),
        before
    );
    assert!(
        env.git("a", &["status", "--porcelain"])
            .ok()
            .stdout
            .trim()
            .is_empty()
    );
    // Settled here as the hint says; the fix travels to B.
    let _ = env.git("a", &["merge", "--no-commit", "origin/main"]);
    let merged = std::fs::read_to_string(env.path("a/strategi.toml")).expect("read");
    let fixed: String = merged
        .lines()
        .filter(|l| {
            !l.starts_with("broken")
                && !l.starts_with("<<<<<<<")
                && !l.starts_with("=======")
                && !l.starts_with(">>>>>>>")
        })
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(env.path("a/strategi.toml"), fixed).expect("write");
    env.git("a", &["add", "strategi.toml"]).ok();
    env.git("a", &["commit", "-q", "--no-edit"]).ok();
    env.run_in("a", &["sync"]).ok();
    env.run_in("a", &["status"]).ok();
    // B cannot run strategi on its own bad file; plain git takes A's fix in.
    env.git("b", &["pull", "-q", "--ff-only", "origin", "main"])
        .ok();
    env.run_in("b", &["sync"]).ok();
    let b_text = std::fs::read_to_string(env.path("b/strategi.toml")).expect("read");
    assert!(!b_text.contains("broken"), "{b_text}");
}
