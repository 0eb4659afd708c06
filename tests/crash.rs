//! The crash harness (issue 13): every write command killed with SIGKILL at each named
//! stage it reaches (`STRATEGI_TEST_CRASH=STAGE[:N]`, see `strategi::store::crash`),
//! and at random points at fixed seeds. After each kill the next command succeeds;
//! `git fsck`, `strategi verify` and `git status` are clean; no git lock file, temporary
//! file or empty record folder remains; nothing committed before is lost, and the
//! killed command's change is wholly there or wholly absent (git's status shows no
//! stray file). Running the killed command again then succeeds, or is refused as done.
//!
//! One case is built step by step in `ws`; before a step with stages, the workspace is
//! copied aside as the template of that step's kills, and the kills run in parallel on
//! copies of their templates. `STRATEGI_CRASH_RUNS=N` sets the number of random kills
//! (24 by default).

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common::{Run, TestEnv};

const JOURNAL: &str = "journal";
const FILES: &str = "files";
const AFTER_COMMIT: &str = "after-commit";
const AFTER_INDEX: &str = "after-index";
const BEFORE_TAG: &str = "before-tag";
const AFTER_TAG: &str = "after-tag";
const AFTER_STATE: &str = "after-state";

/// How the fake `sendmail` behaves for a step.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mail {
    /// Takes every message.
    Ok,
    /// Fails as a full queue does (exit 75): letters stay queued.
    Fail,
    /// Takes the message, then hangs (marking that it did): strategi is killed while the
    /// letter is `sending`, so that the next delivery finds it uncertain.
    Hang,
}

/// Three `sendmail` stand-ins: one that takes every message, one that always fails
/// temporarily, and one that hangs after touching `hung` ([`Mail::Hang`]); returns
/// their paths.
fn sendmails(env: &TestEnv) -> (PathBuf, PathBuf, PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let bin = env.path("bin");
    std::fs::create_dir_all(&bin).expect("bin");
    let ok = bin.join("ok-sendmail");
    let fail = bin.join("fail-sendmail");
    let hang = bin.join("hang-sendmail");
    std::fs::write(
        &hang,
        format!(
            "#!/bin/sh\ncat >/dev/null\n: > '{}'\nexec sleep 30\n",
            env.path("hung").display()
        ),
    )
    .expect("hang");
    std::fs::write(&ok, "#!/bin/sh\ncat >/dev/null\nexit 0\n").expect("ok");
    std::fs::write(
        &fail,
        "#!/bin/sh\ncat >/dev/null\necho 'queue full' >&2\nexit 75\n",
    )
    .expect("fail");
    for p in [&ok, &fail, &hang] {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    (ok, fail, hang)
}

struct Harness {
    env: TestEnv,
    ok: PathBuf,
    fail: PathBuf,
    hang: PathBuf,
    cases: Vec<Case>,
    templates: usize,
    /// The clock of the steps from now on (`STRATEGI_NOW`).
    now: String,
}

#[derive(Clone)]
struct Case {
    template: String,
    args: Vec<String>,
    mail: Mail,
    stage: &'static str,
    now: String,
    /// The actions (`Strategi-Action`) of the commits the step made when it ran whole.
    actions: Vec<String>,
}

impl Harness {
    fn new() -> Harness {
        let env = TestEnv::new();
        let (ok, fail, hang) = sendmails(&env);
        Harness {
            env,
            ok,
            fail,
            hang,
            cases: Vec::new(),
            templates: 0,
            now: "2025-11-03".to_string(),
        }
    }

    fn cmd(&self, ws: &str, args: &[String], mail: Mail, crash: Option<&str>) -> Command {
        self.cmd_at(ws, args, mail, crash, &self.now)
    }

    fn cmd_at(
        &self,
        ws: &str,
        args: &[String],
        mail: Mail,
        crash: Option<&str>,
        now: &str,
    ) -> Command {
        let mut full: Vec<&str> = vec!["-C", ws];
        full.extend(args.iter().map(String::as_str));
        let mut c = self.env.strategi_cmd(&full);
        c.env("STRATEGI_NOW", now);
        c.env(
            "STRATEGI_SENDMAIL",
            match mail {
                Mail::Ok => &self.ok,
                Mail::Fail => &self.fail,
                Mail::Hang => &self.hang,
            },
        );
        if let Some(stage) = crash {
            c.env("STRATEGI_TEST_CRASH", stage);
        }
        c
    }

    fn run(&self, ws: &str, args: &[String], mail: Mail) -> Run {
        self.run_at(ws, args, mail, &self.now)
    }

    fn run_at(&self, ws: &str, args: &[String], mail: Mail, now: &str) -> Run {
        let out = self
            .cmd_at(ws, args, mail, None, now)
            .output()
            .expect("run strategi");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs a step of the case in `ws` (it must succeed); first, when `stages` are
    /// given, keeps the workspace as it is as the template of a kill at each stage.
    fn step(&mut self, args: &[&str], mail: Mail, stages: &[&'static str]) -> Run {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        if !stages.is_empty() {
            let template = format!("t{}", self.templates);
            self.templates += 1;
            copy(&self.env, "ws", &template);
            for stage in stages {
                self.cases.push(Case {
                    template: template.clone(),
                    args: args.clone(),
                    mail,
                    stage,
                    now: self.now.clone(),
                    actions: Vec::new(),
                });
            }
        }
        let first = self.cases.len() - stages.len();
        let before = head(&self.env, "ws");
        let run = self.run("ws", &args, mail);
        // With a failing server a send says that letters stay queued (exit 1).
        let expected = if mail == Mail::Fail { 1 } else { 0 };
        assert_eq!(
            run.code, expected,
            "{args:?}:\n{}{}",
            run.stdout, run.stderr
        );
        let made = actions(&self.env, "ws", &before, "HEAD");
        for case in &mut self.cases[first..] {
            case.actions = made.clone();
        }
        run
    }

    /// One kill: a copy of the template, the command killed at its stage, then the
    /// checks.
    fn kill(&self, n: usize, case: &Case) {
        let ws = format!("k{n}");
        copy(&self.env, &case.template, &ws);
        let what = format!("{} killed at {}", case.args.join(" "), case.stage);
        // (`repair` commits nothing: it makes a missing tag.)
        assert!(
            !case.actions.is_empty() || case.args[0] == "repair",
            "{what}: the step made no commit"
        );
        let before = head(&self.env, &ws);
        note_status(&self.env, &ws);
        let out = self
            .cmd_at(&ws, &case.args, case.mail, Some(case.stage), &case.now)
            .stdout(Stdio::null())
            .output()
            .expect("run strategi");
        assert_eq!(
            out.status.signal(),
            Some(9),
            "{what}: not killed (exit {:?}); the stage was not reached:\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        self.after_kill(&ws, &before, n, &what, &case.now);
        // The killed command's commits, without the next command's: none, some of the
        // step's in order (a step that commits twice), or all; a delivery the next
        // command recorded for it may end them.
        let mut killed = actions(&self.env, &ws, &before, "HEAD^");
        if killed.last().is_some_and(|a| a == "outbox-deliver")
            && case
                .actions
                .get(killed.len() - 1)
                .is_none_or(|a| a != "outbox-deliver")
        {
            killed.pop();
        }
        assert!(
            case.actions.starts_with(&killed),
            "{what}: made {killed:?}, the whole command makes {:?}",
            case.actions
        );
        // The killed command run again is done, or refused as done already.
        let again = self.run_at(&ws, &case.args, case.mail, &case.now);
        assert!(
            again.code == 0 || again.code == 1,
            "{what}: run again, exit {}:\n{}",
            again.code,
            again.stderr
        );
        assert_tidy(&self.env, &ws, &format!("{what}, run again"));
    }

    /// The next command succeeds, and the workspace is whole.
    fn after_kill(&self, ws: &str, before: &str, n: usize, what: &str, now: &str) {
        let code = format!("Z{n}");
        let next = self.run_at(
            ws,
            &[
                "party".into(),
                "add".into(),
                code.clone(),
                "--name".into(),
                "Neste".into(),
                "--email".into(),
                "neste@z.example".into(),
            ],
            Mail::Ok,
            now,
        );
        assert_eq!(
            next.code, 0,
            "{what}: the next command failed:\n{}",
            next.stderr
        );
        assert_whole(&self.env, ws, before, what);
        // What the next command reported done is recorded (a party is a settings record).
        let needle = format!("code = \"{code}\"");
        let found = self.env.git(
            ws,
            &[
                "grep",
                "-q",
                "-F",
                &needle,
                "HEAD",
                "--",
                "settings",
                "strategi.toml",
            ],
        );
        assert_eq!(
            found.code, 0,
            "{what}: the next command's party is not in HEAD"
        );
    }

    fn run_kills(&self) {
        let workers = 3;
        std::thread::scope(|s| {
            for w in 0..workers {
                s.spawn(move || {
                    for (n, case) in self.cases.iter().enumerate() {
                        if n % workers == w {
                            self.kill(n, case);
                        }
                    }
                });
            }
        });
    }
}

/// `cp -a` of a workspace (a plain repository: nothing in it names its own path).
fn copy(env: &TestEnv, from: &str, to: &str) {
    let status = Command::new("cp")
        .arg("-a")
        .arg(env.path(from))
        .arg(env.path(to))
        .status()
        .expect("cp");
    assert!(status.success());
}

fn git_status(env: &TestEnv, ws: &str) -> String {
    env.git(ws, &["status", "--porcelain", "--untracked-files=all"])
        .ok()
        .stdout
}

/// Notes what `git status` shows before a command, beside the workspace (`WS.status`).
fn note_status(env: &TestEnv, ws: &str) {
    std::fs::write(env.path(&format!("{ws}.status")), git_status(env, ws)).expect("status");
}

/// The `Strategi-Action` of each commit in `from..to`, oldest first.
fn actions(env: &TestEnv, ws: &str, from: &str, to: &str) -> Vec<String> {
    env.git(
        ws,
        &[
            "log",
            "--reverse",
            "--format=%(trailers:key=Strategi-Action,valueonly,separator=%x2C)|",
            &format!("{from}..{to}"),
        ],
    )
    .ok()
    .stdout
    .lines()
    .map(|l| l.trim_end_matches('|').to_string())
    .collect()
}

fn head(env: &TestEnv, ws: &str) -> String {
    env.git(ws, &["rev-parse", "HEAD"])
        .ok()
        .stdout
        .trim()
        .to_string()
}

/// Every file and folder under `dir`, relative to `root`.
fn walk(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, bool)>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
        out.push((
            p.strip_prefix(root).expect("under root").to_path_buf(),
            is_dir,
        ));
        if is_dir {
            walk(root, &p, out);
        }
    }
}

/// After a kill and the next command: git is clean and whole, `verify` exits 0, no
/// lock, journal, temporary file or empty folder is left, and everything committed
/// before the kill is still in history.
#[track_caller]
fn assert_whole(env: &TestEnv, ws: &str, before: &str, what: &str) {
    assert_tidy(env, ws, what);
    let fsck = env.git(ws, &["fsck", "--no-progress"]);
    assert_eq!(
        fsck.code, 0,
        "{what}: git fsck:\n{}{}",
        fsck.stdout, fsck.stderr
    );
    let ancestor = env.git(ws, &["merge-base", "--is-ancestor", before, "HEAD"]);
    assert_eq!(ancestor.code, 0, "{what}: history before the kill was lost");
}

/// The cheaper half of [`assert_whole`]: git status, `verify`, and no lock, journal,
/// temporary file or empty folder.
#[track_caller]
fn assert_tidy(env: &TestEnv, ws: &str, what: &str) {
    let status = git_status(env, ws);
    // Only what the person changed by hand before the command (a draft to cut).
    let mine = std::fs::read_to_string(env.path(&format!("{ws}.status"))).unwrap_or_default();
    for line in status.lines() {
        assert!(
            mine.lines().any(|l| l == line),
            "{what}: git status is not clean:\n{status}"
        );
    }
    let verify = env.run_in(ws, &["--now", "2025-11-05", "verify"]);
    assert_eq!(
        verify.code, 0,
        "{what}: verify:\n{}{}",
        verify.stdout, verify.stderr
    );
    let root = env.path(ws);
    let mut all = Vec::new();
    walk(&root, &root, &mut all);
    for (rel, is_dir) in &all {
        let name = rel.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let shown = rel.display();
        assert!(
            !name.contains(".tmp-"),
            "{what}: temporary file {shown} remains"
        );
        if rel.starts_with(".git") {
            assert!(
                !(name.ends_with(".lock") && name != "strategi.lock"),
                "{what}: git lock file {shown} remains"
            );
            assert_ne!(name, "strategi-journal", "{what}: the journal remains");
        } else if *is_dir && rel.components().count() >= 2 {
            let empty = std::fs::read_dir(root.join(rel)).is_ok_and(|mut d| d.next().is_none());
            assert!(!empty, "{what}: empty folder {shown} remains");
        }
    }
}

/// Sets the workspace's letters to go through `sendmail` (committed by plain git, as a
/// person editing `strategi.toml` would).
fn use_sendmail(env: &TestEnv, ws: &str) {
    let config = env.path(&format!("{ws}/strategi.toml"));
    let text = std::fs::read_to_string(&config).expect("config");
    std::fs::write(
        &config,
        text.replace("transport = \"outbox\"\n", "transport = \"sendmail\"\n"),
    )
    .expect("config");
    env.git(ws, &["commit", "-qam", "Mail through sendmail"])
        .ok();
}

fn json(h: &Harness, args: &[&str]) -> serde_json::Value {
    let mut full = vec!["--json".to_string()];
    full.extend(args.iter().map(|s| s.to_string()));
    h.run("ws", &full, Mail::Ok).ok().json()
}

/// Every write command (except `init`) killed at each stage it reaches.
#[test]
fn every_write_command_killed_at_each_named_stage_leaves_nothing_half_done() {
    let mut h = Harness::new();
    h.env.workspace("ws");
    use_sendmail(&h.env, "ws");
    let all_tx = [JOURNAL, FILES, AFTER_COMMIT, AFTER_INDEX];
    let one = [JOURNAL, AFTER_COMMIT];

    h.step(
        &[
            "party",
            "add",
            "DFD",
            "--name",
            "Digitaliseringsdepartementet",
            "--email",
            "postmottak@dfd.example",
        ],
        Mail::Ok,
        &all_tx,
    );
    h.step(
        &["party", "change", "DFD", "--name", "Digitaliseringsdept."],
        Mail::Ok,
        &one,
    );
    h.step(
        &[
            "milestone",
            "add",
            "m2",
            "--title",
            "Andre frist",
            "--due",
            "2025-12-10",
            "--owner",
            "DIO",
        ],
        Mail::Ok,
        &one,
    );
    h.step(&["milestone", "done", "m2"], Mail::Ok, &one);
    // `policy set` replaces strategi.toml (the journal keeps its old text).
    h.step(
        &["policy", "set", "require-signature", "true"],
        Mail::Ok,
        &[FILES, AFTER_COMMIT],
    );
    h.step(
        &["policy", "set", "require-signature", "false"],
        Mail::Ok,
        &[],
    );
    std::fs::write(
        h.env.path("ws/strategy/01-utkast.md"),
        "# KI-strategi\n\n## Mål {#mal}\n\nVi skal lære innen 2030.\n",
    )
    .expect("draft");
    h.step(
        &["version", "cut", "--label", "Utkast"],
        Mail::Ok,
        &[JOURNAL, FILES, AFTER_COMMIT, AFTER_TAG],
    );
    let opened = h.step(
        &[
            "--as",
            "DFD",
            "--json",
            "round",
            "open",
            "--version",
            "v1",
            "--to",
            "FIN,KDD",
            "--due",
            "2025-12-01",
        ],
        Mail::Ok,
        &[JOURNAL, FILES, AFTER_COMMIT],
    );
    let round = opened.json()["round"]["id"]
        .as_str()
        .expect("round id")
        .to_string();
    let r = round.as_str();
    // Two commits (letters queued, then their delivery) around two deliveries.
    h.step(
        &["--as", "DFD", "round", "send", r],
        Mail::Ok,
        &[
            JOURNAL,
            AFTER_COMMIT,
            AFTER_STATE,
            "after-state:2",
            "journal:2",
            "after-commit:2",
        ],
    );
    h.step(
        &[
            "--as",
            "DFD",
            "round",
            "extend",
            r,
            "--party",
            "FIN",
            "--due",
            "2025-12-05",
        ],
        Mail::Ok,
        &one,
    );
    h.step(
        &["respond", r, "--from", "KDD", "--position", "no-comments"],
        Mail::Ok,
        &one,
    );
    // The reminder stays queued (the server fails), for the flush after it.
    h.step(
        &["--as", "DFD", "remind", r],
        Mail::Fail,
        &[JOURNAL, AFTER_COMMIT, AFTER_STATE, "after-commit:2"],
    );
    h.step(
        &["--as", "DFD", "outbox", "flush"],
        Mail::Ok,
        &[AFTER_STATE, JOURNAL, AFTER_COMMIT],
    );
    h.step(
        &[
            "comment",
            "add",
            r,
            "--from",
            "FIN",
            "--section",
            "mal",
            "--quote",
            "innen 2030",
            "--text",
            "Fristen er for kort.",
            "--proposal",
            "innen 2032",
        ],
        Mail::Ok,
        &[JOURNAL, FILES, AFTER_COMMIT],
    );
    let mail = h.env.path("mail/svar.eml");
    std::fs::create_dir_all(mail.parent().expect("dir")).expect("mail dir");
    std::fs::write(
        &mail,
        "From: Finansdepartementet <postmottak@fin.example>\r\nTo: postmottak@dfd.example\r\nSubject: Svar\r\nMessage-ID: <svar1@fin.example>\r\n\r\nVi mener tiltak 3 er for dyrt.\r\n",
    )
    .expect("mail");
    let eml = mail.to_string_lossy().into_owned();
    h.step(
        &["comment", "import", r, &eml],
        Mail::Ok,
        &[JOURNAL, FILES, AFTER_COMMIT],
    );
    let comments = json(&h, &["comment", "list"]);
    let comment = comments[0]["id"].as_str().expect("comment id").to_string();
    h.step(
        &["comment", "resolve", &comment, "--decision", "accepted"],
        Mail::Ok,
        &[JOURNAL, FILES, AFTER_COMMIT],
    );
    // The suggestion put into the draft: a commit that writes strategy/.
    let suggestion = comments
        .as_array()
        .expect("comments")
        .iter()
        .find(|c| c["proposal"] == "innen 2032")
        .and_then(|c| c["id"].as_str())
        .expect("the suggestion")
        .to_string();
    if suggestion != comment {
        h.step(
            &["comment", "resolve", &suggestion, "--decision", "accepted"],
            Mail::Ok,
            &[JOURNAL, FILES, AFTER_COMMIT],
        );
    }
    h.step(
        &["comment", "apply", &suggestion],
        Mail::Ok,
        &[JOURNAL, FILES, AFTER_COMMIT],
    );
    // A day later: what is recorded at the second a round closes is ambiguous.
    h.now = "2025-11-04".to_string();
    h.step(&["--as", "DFD", "round", "close", r], Mail::Ok, &one);
    // A letter left queued, recorded as sent by hand.
    let second = h
        .step(
            &[
                "--as",
                "DFD",
                "--json",
                "round",
                "open",
                "--version",
                "v1",
                "--to",
                "FIN",
                "--due",
                "2025-12-01",
            ],
            Mail::Ok,
            &[],
        )
        .json()["round"]["id"]
        .as_str()
        .expect("round id")
        .to_string();
    h.step(&["--as", "DFD", "round", "send", &second], Mail::Fail, &[]);
    let queued = json(&h, &["outbox", "list"]);
    let entry = queued
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["state"]["state"] == "queued")
        .and_then(|e| e["entry"].as_str())
        .expect("a queued letter")
        .to_string();
    h.step(
        &["--as", "DFD", "outbox", "mark-sent", &entry],
        Mail::Ok,
        &one,
    );
    // A stale letter (its round closed while it was queued), sent with --stale.
    let third = h
        .step(
            &[
                "--as",
                "DFD",
                "--json",
                "round",
                "open",
                "--version",
                "v1",
                "--to",
                "FIN",
                "--due",
                "2025-12-01",
            ],
            Mail::Ok,
            &[],
        )
        .json()["round"]["id"]
        .as_str()
        .expect("round id")
        .to_string();
    h.step(&["--as", "DFD", "round", "send", &third], Mail::Fail, &[]);
    h.step(&["--as", "DFD", "round", "close", &third], Mail::Ok, &[]);
    h.step(
        &["--as", "DFD", "outbox", "flush", "--stale"],
        Mail::Ok,
        &[AFTER_STATE, JOURNAL, AFTER_COMMIT],
    );
    // A letter whose delivery was killed while the server had it: uncertain, then
    // sent again with --resend-uncertain.
    let fourth = h
        .step(
            &[
                "--as",
                "DFD",
                "--json",
                "round",
                "open",
                "--version",
                "v1",
                "--to",
                "KDD",
                "--due",
                "2025-12-01",
            ],
            Mail::Ok,
            &[],
        )
        .json()["round"]["id"]
        .as_str()
        .expect("round id")
        .to_string();
    let send: Vec<String> = ["--as", "DFD", "round", "send", &fourth]
        .map(String::from)
        .to_vec();
    let mut child = h
        .cmd("ws", &send, Mail::Hang, None)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    while !h.env.path("hung").exists() {
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().expect("kill");
    child.wait().expect("wait");
    // The next flush records it as uncertain and leaves it alone (exit 1: it says so).
    let flush: Vec<String> = ["outbox", "flush"].map(String::from).to_vec();
    let r = h.run("ws", &flush, Mail::Ok);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(git_status(&h.env, "ws").is_empty());
    h.step(
        &["--as", "DFD", "outbox", "flush", "--resend-uncertain"],
        Mail::Ok,
        &[AFTER_STATE, JOURNAL, AFTER_COMMIT],
    );
    h.step(
        &["submit", "v1", "--to", "DFD", "--milestone", "forslag-dfd"],
        Mail::Ok,
        &[JOURNAL, FILES, AFTER_COMMIT],
    );
    h.step(
        &["--as", "DFD", "approve", "v1", "--reason", "Testet"],
        Mail::Ok,
        &[JOURNAL, FILES, AFTER_COMMIT],
    );
    let key = h.env.keygen("dfd-key");
    let public = format!("{key}.pub");
    h.step(
        &["--as", "DFD", "party", "key", "DFD", "--add-file", &public],
        Mail::Ok,
        &one,
    );
    // v1 was approved unsigned: signed later, then withdrawn.
    h.step(
        &["--as", "DFD", "approve", "v1", "--sign", &key],
        Mail::Ok,
        &[BEFORE_TAG, AFTER_TAG, JOURNAL, FILES, AFTER_COMMIT],
    );
    h.step(
        &["--as", "DFD", "approve", "v1", "--withdraw", "Feil versjon"],
        Mail::Ok,
        &[JOURNAL, FILES, AFTER_COMMIT],
    );
    // A second key, removed again.
    let spare = h.env.keygen("spare-key");
    let spare_pub = format!("{spare}.pub");
    h.step(
        &[
            "--as",
            "DFD",
            "party",
            "key",
            "DFD",
            "--add-file",
            &spare_pub,
        ],
        Mail::Ok,
        &[],
    );
    let spare_line = std::fs::read_to_string(&spare_pub).expect("spare key");
    h.step(
        &[
            "--as",
            "DFD",
            "party",
            "key",
            "DFD",
            "--remove",
            spare_line.trim(),
        ],
        Mail::Ok,
        &one,
    );
    std::fs::write(
        h.env.path("ws/strategy/01-utkast.md"),
        "# KI-strategi\n\n## Mål {#mal}\n\nVi skal lære innen 2032.\n",
    )
    .expect("draft");
    h.step(&["version", "cut", "--label", "Utkast 2"], Mail::Ok, &[]);
    h.step(
        &[
            "--as", "DFD", "approve", "v2", "--sign", &key, "--reason", "Testet",
        ],
        Mail::Ok,
        &[BEFORE_TAG, AFTER_TAG, JOURNAL, FILES, AFTER_COMMIT],
    );
    // A version's tag lost (deleted by hand): `repair` makes it again.
    h.env.git("ws", &["tag", "-d", "v1"]).ok();
    h.step(&["repair"], Mail::Ok, &[AFTER_TAG]);
    assert_whole(&h.env, "ws", &head(&h.env, "ws"), "the case itself");
    assert!(h.cases.len() >= 50, "{} kills", h.cases.len());
    h.run_kills();
}

/// `init` killed at each stage: the folder is then no half workspace. Run again, `init`
/// creates the workspace (killed before its commit: the interrupted one is undone) or
/// is refused as done (killed after it); the next command succeeds and all is whole.
#[test]
fn init_killed_at_each_stage_is_completed_or_redone() {
    let h = Harness::new();
    let init: Vec<String> = [
        "init",
        "--title",
        "KI-strategi",
        "--owner",
        "DIO",
        "--approver",
        "DFD",
    ]
    .map(String::from)
    .to_vec();
    for (n, stage) in [JOURNAL, FILES, AFTER_COMMIT, AFTER_INDEX]
        .into_iter()
        .enumerate()
    {
        let ws = format!("i{n}");
        std::fs::create_dir_all(h.env.path(&ws)).expect("dir");
        let what = format!("init killed at {stage}");
        let out = h
            .cmd(&ws, &init, Mail::Ok, Some(stage))
            .stdout(Stdio::null())
            .output()
            .expect("run strategi");
        assert_eq!(
            out.status.signal(),
            Some(9),
            "{what}: not killed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let committed = stage == AFTER_COMMIT || stage == AFTER_INDEX;
        if stage == FILES {
            // Not a workspace yet: every other command says so and changes nothing.
            let before = h.env.snapshot(&ws);
            for args in [
                &["verify"][..],
                &[
                    "party",
                    "add",
                    "FIN",
                    "--name",
                    "F",
                    "--email",
                    "f@fin.example",
                ],
            ] {
                let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
                let r = h.run(&ws, &args, Mail::Ok);
                assert_eq!(r.code, 1, "{what}: {args:?}:\n{}{}", r.stdout, r.stderr);
                assert!(
                    r.stderr.contains("`strategi init` was interrupted"),
                    "{}",
                    r.stderr
                );
            }
            assert_eq!(before, h.env.snapshot(&ws), "{what}: changed");
        }
        let again = h.run(&ws, &init, Mail::Ok);
        assert_eq!(
            again.code,
            if committed { 1 } else { 0 },
            "{what}: init again:\n{}{}",
            again.stdout,
            again.stderr
        );
        if committed {
            assert!(again.stderr.contains("already"), "{what}: {}", again.stderr);
        }
        let next: Vec<String> = [
            "party",
            "add",
            "FIN",
            "--name",
            "F",
            "--email",
            "f@fin.example",
        ]
        .map(String::from)
        .to_vec();
        let r = h.run(&ws, &next, Mail::Ok);
        assert_eq!(r.code, 0, "{what}: the next command failed:\n{}", r.stderr);
        assert_tidy(&h.env, &ws, &what);
        let fsck = h.env.git(&ws, &["fsck", "--no-progress"]);
        assert_eq!(fsck.code, 0, "{what}: git fsck:\n{}", fsck.stderr);
        // One workspace creation, then the party: nothing twice.
        let log = h.env.git(&ws, &["rev-list", "--count", "HEAD"]).ok().stdout;
        assert_eq!(log.trim(), "2", "{what}: commits");
    }
}

/// A small deterministic generator (SplitMix64), so that the random kills are the same
/// on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// SIGKILL at random points (fixed seeds) of a mix of writes, each followed by the
/// next command and the same checks. Every 40 kills start on a fresh workspace, so that
/// a long run (`STRATEGI_CRASH_RUNS=500`) does not slow down with a growing history.
#[test]
fn writes_killed_at_random_points_leave_nothing_half_done() {
    let h = Harness::new();
    let key = h.env.keygen("dfd-key");
    let public = format!("{key}.pub");
    let runs: usize = std::env::var("STRATEGI_CRASH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(24);
    let run = |ws: &str, args: &[&str]| {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        h.run(ws, &args, Mail::Ok).ok()
    };
    let open = |ws: &str| -> String {
        run(
            ws,
            &[
                "--as",
                "DFD",
                "--json",
                "round",
                "open",
                "--version",
                "v1",
                "--to",
                "FIN,KDD",
                "--due",
                "2025-12-01",
            ],
        )
        .json()["round"]["id"]
            .as_str()
            .expect("round id")
            .to_string()
    };
    let draft = |ws: &str, i: usize| {
        std::fs::write(
            h.env.path(&format!("{ws}/strategy/01-utkast.md")),
            format!("# KI-strategi\n\n## Mål {{#mal}}\n\nUtkast {i}.\n"),
        )
        .expect("draft");
    };
    let mut rng = Rng(13);
    let mut round = String::new();
    for i in 0..runs {
        let ws = format!("r{}", i / 40);
        let ws = ws.as_str();
        if i % 40 == 0 {
            h.env.workspace_with_version(ws);
            use_sendmail(&h.env, ws);
            run(
                ws,
                &["--as", "DFD", "party", "key", "DFD", "--add-file", &public],
            );
            round = open(ws);
        }
        let label = format!("Utkast {i}");
        let args: Vec<String> = match rng.below(7) {
            0 => vec![
                "party".into(),
                "add".into(),
                format!("R{i}"),
                "--name".into(),
                "R".into(),
                "--email".into(),
                "r@r.example".into(),
            ],
            1 => {
                draft(ws, i);
                ["version", "cut", "--label", &label]
                    .map(String::from)
                    .to_vec()
            }
            2 => [
                "comment",
                "add",
                &round,
                "--from",
                "FIN",
                "--text",
                &format!("Merknad {i}"),
            ]
            .map(String::from)
            .to_vec(),
            3 => ["respond", &round, "--from", "KDD", "--position", "comments"]
                .map(String::from)
                .to_vec(),
            // Two commits around two deliveries.
            4 => ["--as", "DFD", "round", "send", &open(ws)]
                .map(String::from)
                .to_vec(),
            // A signed tag, then the record.
            5 => {
                draft(ws, i);
                run(ws, &["version", "cut", "--label", &label]);
                [
                    "--as", "DFD", "approve", "latest", "--sign", &key, "--reason", "Testet",
                ]
                .map(String::from)
                .to_vec()
            }
            _ => [
                "milestone",
                "add",
                &format!("m{i}"),
                "--title",
                "Frist",
                "--due",
                "2025-12-10",
                "--owner",
                "DIO",
            ]
            .map(String::from)
            .to_vec(),
        };
        let delay = Duration::from_micros(rng.below(60_000));
        let before = head(&h.env, ws);
        note_status(&h.env, ws);
        let mut child = h
            .cmd(ws, &args, Mail::Ok, None)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(delay);
        child.kill().ok();
        child.wait().ok();
        let what = format!("kill {i} of {} after {delay:?}", args.join(" "));
        h.after_kill(ws, &before, 1000 + i, &what, "2025-11-03");
    }
}

/// `STRATEGI_TEST_CRASH` names a stage and, optionally, which time it is reached; an
/// unknown stage is a usage error before anything happens.
#[test]
fn a_crash_point_is_armed_by_stage_and_count() {
    let env = TestEnv::new();
    env.workspace("ws");
    let add = |code: &str, crash: &str| {
        env.strategi_cmd(&[
            "-C",
            "ws",
            "party",
            "add",
            code,
            "--name",
            "N",
            "--email",
            "n@n.example",
        ])
        .env("STRATEGI_TEST_CRASH", crash)
        .output()
        .expect("run")
    };
    let before = env.snapshot("ws");
    let out = add("AAA", "after-comit");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("STRATEGI_TEST_CRASH must be a stage (journal, files, after-commit"),
        "{stderr}"
    );
    assert_eq!(before, env.snapshot("ws"));
    // One commit: its second commit point is never reached.
    let out = add("BBB", "after-commit:2");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Killed right after its commit point: recorded, the index not yet refreshed.
    let out = add("CCC", "after-commit");
    assert_eq!(out.status.signal(), Some(9));
    let subject = env.git("ws", &["log", "-1", "--format=%s"]).ok().stdout;
    assert!(subject.starts_with("Add party CCC"), "{subject}");
    assert!(env.path("ws/.git/strategi-journal").exists());
    // Killed with its journal written: nothing recorded.
    let out = add("DDD", "journal");
    assert_eq!(out.status.signal(), Some(9));
    let subject = env.git("ws", &["log", "-1", "--format=%s"]).ok().stdout;
    assert!(subject.starts_with("Add party CCC"), "{subject}");
}
