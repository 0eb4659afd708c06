//! Recovery without hands (issue 13): git's own lock files left by killed programs,
//! an index someone else holds after the commit point, half-done version cuts and
//! approvals, empty folders and temporary files, and `strategi repair`.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use crate::common::TestEnv;

/// Dates a file an hour back: a lock file a killed program left a while ago.
fn age(path: &Path) {
    let old = SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(old))
        .expect("set mtime");
}

fn party_add(env: &TestEnv, ws: &str, code: &str) -> crate::common::Run {
    env.run_in(
        ws,
        &[
            "party",
            "add",
            code,
            "--name",
            "Departementet",
            "--email",
            "post@dep.example",
        ],
    )
}

#[track_caller]
fn assert_clean(env: &TestEnv, ws: &str) {
    let status = env.git(ws, &["status", "--porcelain"]).ok();
    assert_eq!(status.stdout, "", "git status is not clean");
    env.git(ws, &["fsck", "--no-progress"]).ok();
    for lock in [
        "index.lock",
        "HEAD.lock",
        "refs/heads/main.lock",
        "strategi-journal",
    ] {
        assert!(
            !env.path(&format!("{ws}/.git/{lock}")).exists(),
            "{lock} remains"
        );
    }
}

fn findings(env: &TestEnv, ws: &str) -> Vec<(String, String)> {
    let v = env.run_in(ws, &["--json", "verify"]).json();
    v["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap_or_default().to_string(),
                f["path"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn stale_git_locks_left_by_a_killed_program_are_removed_by_the_next_write() {
    let env = TestEnv::new();
    env.workspace("ws");
    for lock in ["index.lock", "refs/heads/main.lock"] {
        let p = env.path(&format!("ws/.git/{lock}"));
        std::fs::write(&p, "0000000000000000000000000000000000000000\n").expect("lock");
        age(&p);
    }
    let run = party_add(&env, "ws", "NFD").ok();
    assert!(
        run.stderr
            .contains("Removed git's lock file \".git/index.lock\""),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("Removed git's lock file \".git/refs/heads/main.lock\""),
        "{}",
        run.stderr
    );
    assert_clean(&env, "ws");
    let log = env.git("ws", &["log", "-1", "--format=%s"]).ok();
    assert!(log.stdout.contains("NFD"), "{}", log.stdout);
}

#[test]
fn an_unsure_lock_is_refused_naming_repair_and_repair_removes_it_once_stale() {
    let env = TestEnv::new();
    env.workspace("ws");
    let lock = env.path("ws/.git/index.lock");
    std::fs::write(&lock, "").expect("lock");
    // Young and held by no one: strategi waits, and with a short timeout refuses.
    let before = env.snapshot("ws");
    let out = env
        .strategi_cmd(&[
            "-C",
            "ws",
            "party",
            "add",
            "NFD",
            "--name",
            "N",
            "--email",
            "n@n.example",
        ])
        .env("STRATEGI_LOCK_TIMEOUT_MS", "200")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("\".git/index.lock\""), "{stderr}");
    assert!(stderr.contains("`strategi repair`"), "{stderr}");
    assert_eq!(before, env.snapshot("ws"), "a refusal changes nothing");
    // Once it is old, repair removes it and says so.
    age(&lock);
    let r = env.run_in("ws", &["--json", "repair"]).ok().json();
    assert_eq!(r["ok"], true);
    assert_eq!(r["done"][0]["kind"], "stale-git-lock", "{r}");
    assert_eq!(r["done"][0]["path"], ".git/index.lock", "{r}");
    assert!(!lock.exists());
    party_add(&env, "ws", "NFD").ok();
    assert_clean(&env, "ws");
    let again = env.run_in("ws", &["repair"]).ok();
    assert!(
        again.stdout.contains("Nothing to repair."),
        "{}",
        again.stdout
    );
}

/// A process (not strategi) that holds `.git/index.lock` open for `secs`, then removes
/// it, as a `git status` refreshing the index does. The file is dated an hour back so
/// that only the open file tells it is live.
fn hold_index_lock(env: &TestEnv, ws: &str, secs: f32) -> std::process::Child {
    let lock = env.path(&format!("{ws}/.git/index.lock"));
    let script = format!(
        "exec 3>'{p}'; touch -d '1 hour ago' '{p}'; echo held; sleep {secs}; rm -f '{p}'",
        p = lock.display()
    );
    let mut child = Command::new("sh")
        .args(["-c", &script])
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn holder");
    // Wait until the lock is taken.
    let mut line = String::new();
    use std::io::BufRead;
    let out = child.stdout.take().expect("stdout");
    std::io::BufReader::new(out)
        .read_line(&mut line)
        .expect("read");
    assert_eq!(line.trim(), "held");
    child
}

#[test]
fn a_live_index_lock_is_waited_for_and_never_removed() {
    let env = TestEnv::new();
    env.workspace("ws");
    let mut holder = hold_index_lock(&env, "ws", 1.5);
    let started = Instant::now();
    let run = party_add(&env, "ws", "NFD").ok();
    assert!(
        started.elapsed() >= Duration::from_millis(1000),
        "did not wait"
    );
    assert!(!run.stderr.contains("Removed"), "{}", run.stderr);
    assert!(!run.stderr.contains("Warning"), "{}", run.stderr);
    holder.wait().expect("holder");
    assert_clean(&env, "ws");

    // Held for longer than the timeout: refused, naming the holder; the lock stays.
    let mut holder = hold_index_lock(&env, "ws", 3.0);
    let before = env.snapshot("ws");
    let out = env
        .strategi_cmd(&[
            "-C",
            "ws",
            "party",
            "add",
            "KLD",
            "--name",
            "K",
            "--email",
            "k@k.example",
        ])
        .env("STRATEGI_LOCK_TIMEOUT_MS", "300")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("is held by process"), "{stderr}");
    assert!(
        env.path("ws/.git/index.lock").exists(),
        "a live lock was removed"
    );
    assert_eq!(before, env.snapshot("ws"));
    // repair does not steal it either.
    let out = env
        .strategi_cmd(&["-C", "ws", "repair"])
        .env("STRATEGI_LOCK_TIMEOUT_MS", "300")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        env.path("ws/.git/index.lock").exists(),
        "repair removed a live lock"
    );
    holder.kill().ok();
    holder.wait().ok();
}

/// The post-commit steps, through the library: `index.lock` is taken (and held open)
/// after the transaction started, so the commit goes through and only the index step
/// cannot. The commit reports success with a warning, and the next transaction
/// refreshes the index.
#[test]
fn an_index_held_after_the_commit_point_is_a_warning_not_a_failure() {
    use strategi::model::{Action, PartyCode};
    use strategi::store::{Actor, IdSeed, Identity, Workspace};

    let env = TestEnv::new();
    env.workspace("ws");
    let ws = Workspace::open(&env.path("ws")).expect("open");
    let actor = Actor::new(
        "DIO".parse::<PartyCode>().expect("code"),
        Identity {
            name: "Kari Nordmann".into(),
            email: "kari.nordmann@dio.example".into(),
        },
    );
    let now = jiff::ZonedDateTime::now();
    let mut tx = ws
        .begin("test", Duration::from_millis(200), IdSeed::Fixed(1))
        .expect("begin");
    let lock = env.path("ws/.git/index.lock");
    let held = std::fs::File::create(&lock).expect("take index.lock");
    tx.write("notes/a.toml", "a = 1\n");
    let commit = tx
        .commit("Write a note", "", Action::PartyAdd, &actor, &now)
        .expect("a committed change is never an error");
    assert_eq!(commit.warnings.len(), 1, "{:?}", commit.warnings);
    assert!(
        commit.warnings[0].contains("The change is recorded"),
        "{:?}",
        commit.warnings
    );
    let notices = ws.notices().take();
    assert!(
        notices
            .iter()
            .any(|n| n.level == strategi::store::NoticeLevel::Warning),
        "{notices:?}"
    );
    let head = env.git("ws", &["log", "-1", "--format=%s"]).ok();
    assert_eq!(head.stdout.trim(), "Write a note");
    drop(held);
    std::fs::remove_file(&lock).expect("release");
    // The next transaction refreshes the index from the journal that stayed.
    let tx = ws
        .begin("test", Duration::from_millis(200), IdSeed::Fixed(2))
        .expect("begin again");
    drop(tx);
    assert_clean(&env, "ws");
}

#[test]
fn a_version_commit_without_its_tag_is_reported_and_completed() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    let tag = env.git("ws", &["rev-parse", "v1"]).ok().stdout;
    // What a cut killed between its commit and its tag leaves.
    env.git("ws", &["tag", "-d", "v1"]).ok();
    let f = findings(&env, "ws");
    assert!(
        f.contains(&("untagged-version".to_string(), "refs/tags/v1".to_string())),
        "{f:?}"
    );
    // The next command makes the tag, exactly as the cut would have.
    let run = party_add(&env, "ws", "NFD").ok();
    assert!(run.stderr.contains("Made the tag v1"), "{}", run.stderr);
    assert_eq!(env.git("ws", &["rev-parse", "v1"]).ok().stdout, tag);
    assert!(findings(&env, "ws").is_empty());
    assert_clean(&env, "ws");

    // repair does the same anywhere in history.
    env.git("ws", &["tag", "-d", "v1"]).ok();
    let r = env.run_in("ws", &["--json", "repair"]).ok().json();
    assert_eq!(r["done"][0]["kind"], "version-tag", "{r}");
    assert_eq!(env.git("ws", &["rev-parse", "v1"]).ok().stdout, tag);
}

/// What an `approve --sign` killed between its tag and its record leaves: the tag
/// `approved/vN` that no record names. `verify` reports it; the next `approve vN`
/// undoes it by itself and approves, saying so; any other write and `repair` undo it
/// too.
#[test]
fn an_approval_tag_without_its_record_is_undone_by_the_next_approve_or_write() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
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
    let orphan = |v: &str| {
        env.run_in("ws", &["--as", "DFD", "approve", v, "--sign", &key])
            .ok();
        env.git("ws", &["reset", "-q", "--hard", "HEAD^"]).ok();
        assert!(
            env.path(&format!("ws/.git/refs/tags/approved/{v}"))
                .exists()
        );
        let f = findings(&env, "ws");
        assert!(
            f.contains(&("orphan-tag".to_string(), format!("refs/tags/approved/{v}"))),
            "{f:?}"
        );
    };
    let note = "Note: Removed the signed tag approved/v1, which an approval that was interrupted before it was recorded left";

    // The next approve of the version.
    orphan("v1");
    let run = env
        .run_in("ws", &["--as", "DFD", "approve", "v1", "--sign", &key])
        .ok();
    assert!(run.stderr.contains(note), "{}", run.stderr);
    assert!(findings(&env, "ws").is_empty());
    assert_eq!(
        env.git("ws", &["tag", "-l", "approved/*"]).ok().stdout,
        "approved/v1\n"
    );
    assert_clean(&env, "ws");

    // Any write.
    env.git("ws", &["reset", "-q", "--hard", "HEAD^"]).ok();
    let run = party_add(&env, "ws", "NFD").ok();
    assert!(run.stderr.contains(note), "{}", run.stderr);
    assert!(findings(&env, "ws").is_empty());
    assert_eq!(env.git("ws", &["tag", "-l", "approved/*"]).ok().stdout, "");

    // repair, which reports it.
    orphan("v1");
    let r = env.run_in("ws", &["--json", "repair"]).ok().json();
    assert_eq!(r["done"][0]["kind"], "orphan-tag", "{r}");
    assert_eq!(r["done"][0]["path"], "refs/tags/approved/v1", "{r}");
    env.run_in("ws", &["--as", "DFD", "approve", "v1", "--sign", &key])
        .ok();
    assert!(findings(&env, "ws").is_empty());
    assert_clean(&env, "ws");
}

/// A tag `approved/vN` that strategi did not make is never removed: approve is refused
/// as before, and `verify` and `repair` report it.
#[test]
fn a_foreign_approval_tag_is_left_and_refused() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
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
    env.git(
        "ws",
        &["tag", "-a", "approved/v1", "-m", "Someone else's", "v1"],
    )
    .ok();
    env.assert_refused_unchanged("ws", &["--as", "DFD", "approve", "v1", "--sign", &key]);
    party_add(&env, "ws", "NFD").ok();
    assert!(env.path("ws/.git/refs/tags/approved/v1").exists());
    let r = env.run_in("ws", &["--json", "repair"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(r.json()["left"][0]["kind"], "orphan-tag");
}

#[test]
fn empty_folders_are_no_records_and_repair_removes_them() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    env.run_in(
        "ws",
        &[
            "round",
            "open",
            "--version",
            "v1",
            "--to",
            "FIN",
            "--due",
            "2025-12-01",
        ],
    )
    .ok();
    let round = std::fs::read_dir(env.path("ws/consultations"))
        .expect("rounds")
        .flatten()
        .find(|e| e.path().is_dir())
        .expect("a round")
        .file_name()
        .to_string_lossy()
        .into_owned();
    // A rolled-back `round open` and `comment import` of old.
    std::fs::create_dir_all(env.path("ws/consultations/aaaaaaaa")).expect("mkdir");
    std::fs::create_dir_all(env.path(&format!("ws/consultations/{round}/inbox/0123abcd")))
        .expect("mkdir");
    env.run_in("ws", &["round", "list"]).ok();
    env.run_in("ws", &["status"]).ok();
    assert!(findings(&env, "ws").is_empty());
    let r = env.run_in("ws", &["--json", "repair"]).ok().json();
    let done: Vec<&str> = r["done"]
        .as_array()
        .expect("done")
        .iter()
        .filter_map(|d| d["path"].as_str())
        .collect();
    assert!(done.contains(&"consultations/aaaaaaaa"), "{r}");
    assert!(
        done.contains(&format!("consultations/{round}/inbox/0123abcd").as_str()),
        "{r}"
    );
    assert!(!env.path("ws/consultations/aaaaaaaa").exists());
    assert!(
        env.path(&format!("ws/consultations/{round}/round.toml"))
            .exists()
    );
}

/// A process id that no longer runs.
fn dead_pid() -> u32 {
    let mut c = Command::new("true").spawn().expect("spawn");
    let pid = c.id();
    c.wait().expect("wait");
    pid
}

#[test]
fn a_journal_of_a_killed_command_is_rolled_back_with_its_folders_and_temp_files() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    let head = env.git("ws", &["rev-parse", "HEAD"]).ok().stdout;
    let pid = dead_pid();
    // What `round open` killed after writing its files, before its commit, leaves.
    let dir = env.path("ws/consultations/bbbbbbbb");
    std::fs::create_dir_all(dir.join("facts")).expect("mkdir");
    std::fs::write(dir.join("round.toml"), "id = \"bbbbbbbb\"\n").expect("write");
    std::fs::write(dir.join(format!("facts/.opened.toml.tmp-{pid}")), "x").expect("tmp");
    let journal = serde_json::json!({
        "head": head.trim(),
        "files": [
            {"path": "consultations/bbbbbbbb/round.toml", "old": null},
            {"path": "consultations/bbbbbbbb/facts/opened.toml", "old": null},
        ],
    });
    std::fs::write(env.path("ws/.git/strategi-journal"), journal.to_string()).expect("journal");
    std::fs::write(
        env.path(&format!("ws/.git/.strategi-journal.tmp-{pid}")),
        "{",
    )
    .expect("tmp");
    // A temporary file of a running process is left alone.
    let mut live = Command::new("sleep").arg("5").spawn().expect("spawn");
    let live_tmp = env.path(&format!("ws/.git/.strategi-journal.tmp-{}", live.id()));
    std::fs::write(&live_tmp, "{").expect("tmp");
    let run = party_add(&env, "ws", "NFD").ok();
    assert!(run.stderr.contains("Undid a command"), "{}", run.stderr);
    assert!(!dir.exists(), "the rolled-back round's folder remains");
    assert!(
        !env.path(&format!("ws/.git/.strategi-journal.tmp-{pid}"))
            .exists()
    );
    assert!(
        live_tmp.exists(),
        "a running process's temporary file was removed"
    );
    live.kill().ok();
    live.wait().ok();
    std::fs::remove_file(&live_tmp).expect("rm");
    assert_clean(&env, "ws");
    // A stray temporary file elsewhere is removed by repair.
    let stray = env.path(&format!("ws/strategy/.01-utkast.md.tmp-{pid}"));
    std::fs::write(&stray, "x").expect("tmp");
    let r = env.run_in("ws", &["--json", "repair"]).ok().json();
    assert_eq!(r["done"][0]["kind"], "temp-file", "{r}");
    assert!(!stray.exists());
}

/// Real kills: `party add` and `version cut` SIGKILLed at fixed delays; after each, the
/// next command succeeds and nothing is left behind.
#[test]
fn commands_killed_at_fixed_points_leave_nothing_behind() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    for (i, delay_ms) in [0u64, 2, 5, 8, 12, 16, 20, 30].iter().enumerate() {
        if i % 2 == 0 {
            std::fs::write(
                env.path("ws/strategy/01-utkast.md"),
                format!("# KI-strategi\n\nUtkast {i}.\n"),
            )
            .expect("edit");
        }
        let args: Vec<String> = if i % 2 == 0 {
            vec![
                "-C".into(),
                "ws".into(),
                "version".into(),
                "cut".into(),
                "--label".into(),
                format!("Utkast {i}"),
            ]
        } else {
            ["-C", "ws", "party", "add"]
                .iter()
                .map(|s| s.to_string())
                .chain([
                    format!("P{i}X"),
                    "--name".into(),
                    "P".into(),
                    "--email".into(),
                    "p@p.example".into(),
                ])
                .collect()
        };
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut child = env
            .strategi_cmd(&argv)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_millis(*delay_ms));
        child.kill().ok();
        child.wait().ok();
        // The next command succeeds, and finishes or undoes the killed one; the command
        // run again is done, or refused as done already (never half).
        env.run_in("ws", &["repair"]).ok();
        let again = env.run(&argv);
        assert!(again.code == 0 || again.code == 1, "{}", again.stderr);
        assert_clean(&env, "ws");
        assert!(findings(&env, "ws").is_empty(), "after kill {i}");
    }
}

/// A `git status` loop beside 8 concurrent writers (it takes `index.lock` to refresh
/// the index): no command fails, none is recorded twice, none is lost.
#[test]
fn writers_beside_a_git_status_loop_neither_fail_nor_duplicate() {
    let env = TestEnv::new();
    env.workspace("ws");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let looper = {
        let stop = stop.clone();
        let mut cmds: Vec<Command> = (0..400).map(|_| env.git_cmd("ws", &["status"])).collect();
        std::thread::spawn(move || {
            for mut c in cmds.drain(..) {
                if stop.load(std::sync::atomic::Ordering::Relaxed) {
                    break;
                }
                let _ = c.stdout(Stdio::null()).stderr(Stdio::null()).status();
            }
        })
    };
    let codes = ["AAA", "BBB", "CCC", "DDD", "EEE", "FFF", "GGG", "HHH"];
    let runs: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = codes
            .iter()
            .map(|code| {
                let env = &env;
                s.spawn(move || {
                    (0..2)
                        .map(|i| party_add(env, "ws", &format!("{code}{i}")))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("writer"))
            .collect()
    });
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    looper.join().expect("loop");
    for r in &runs {
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let log = env.git("ws", &["log", "--format=%s"]).ok().stdout;
    for code in codes {
        for i in 0..2 {
            let added = log
                .lines()
                .filter(|l| l.contains(&format!("party {code}{i} ")))
                .count();
            assert_eq!(added, 1, "{code}{i} in\n{log}");
        }
    }
    assert_clean(&env, "ws");
}

/// The post-commit path through the binary: git's index cannot be opened after the
/// commit (here it is a folder for the length of one command), so the command exits 0
/// with a `Warning:`, records the change once, and the next command refreshes the index.
#[test]
fn a_committed_command_whose_index_fails_exits_zero_with_a_warning() {
    let env = TestEnv::new();
    env.workspace("ws");
    let index = env.path("ws/.git/index");
    let aside = env.path("ws/.git/index.aside");
    std::fs::rename(&index, &aside).expect("aside");
    std::fs::create_dir(&index).expect("index as a folder");
    let run = party_add(&env, "ws", "NFD");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("Warning: The change is recorded"),
        "{}",
        run.stderr
    );
    std::fs::remove_dir(&index).expect("rmdir");
    std::fs::rename(&aside, &index).expect("back");
    assert!(
        env.path("ws/.git/strategi-journal").exists(),
        "the journal stays"
    );
    // Run again, it is refused as done (not recorded twice); the next write refreshes
    // the index.
    let again = party_add(&env, "ws", "NFD");
    assert_eq!(again.code, 1, "{}", again.stderr);
    assert!(again.stderr.contains("already a party"), "{}", again.stderr);
    party_add(&env, "ws", "KLD").ok();
    let log = env.git("ws", &["log", "--format=%s"]).ok().stdout;
    assert_eq!(log.matches("party NFD ").count(), 1, "{log}");
    assert_clean(&env, "ws");
}

/// Found by the crash harness: a `version cut` killed before its commit was rolled back
/// by the next command, which then staged the draft the cut had not recorded (git
/// status showed "M  strategy/…"). Now the draft is left as the person edited it.
#[test]
fn a_version_cut_rolled_back_leaves_the_draft_unstaged() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    std::fs::write(
        env.path("ws/strategy/01-utkast.md"),
        "# KI-strategi\n\n## Mål {#mal}\n\nVi skal lære mer.\n",
    )
    .expect("edit");
    for stage in ["journal", "files"] {
        let out = env
            .strategi_cmd(&["-C", "ws", "version", "cut", "--label", "Utkast 2"])
            .env("STRATEGI_TEST_CRASH", stage)
            .output()
            .expect("run");
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(out.status.signal(), Some(9), "not killed at {stage}");
        party_add(&env, "ws", &format!("N{}", stage.len())).ok();
        assert!(!env.path("ws/.git/strategi-journal").exists());
        let status = env.git("ws", &["status", "--porcelain"]).ok().stdout;
        assert_eq!(
            status, " M strategy/01-utkast.md\n",
            "after a kill at {stage}"
        );
    }
    env.run_in("ws", &["version", "cut", "--label", "Utkast 2"])
        .ok();
    assert_clean(&env, "ws");
    assert!(findings(&env, "ws").is_empty());
}

/// Found by the crash harness: a `round send` killed after a letter's delivery state
/// was written but before it was committed left `outbox/` changed for good. The next
/// write (any: the crash harness uses `party add`) records the states in a commit of
/// its own and says so; the letters count as sent and are not delivered again.
#[test]
fn delivery_states_a_killed_send_left_are_recorded_by_the_next_write() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::ExitStatusExt;
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    let config = env.path("ws/strategi.toml");
    let text = std::fs::read_to_string(&config).expect("config");
    std::fs::write(
        &config,
        text.replace("transport = \"outbox\"\n", "transport = \"sendmail\"\n"),
    )
    .expect("config");
    env.git("ws", &["commit", "-qam", "Mail through sendmail"])
        .ok();
    let log = env.path("sendmail.log");
    let script = env.path("sendmail");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\ncat >/dev/null\necho sent >> '{}'\n",
            log.display()
        ),
    )
    .expect("script");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let round = env
        .run_in(
            "ws",
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
        .ok()
        .json()["round"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let out = env
        .strategi_cmd(&["-C", "ws", "--as", "DFD", "round", "send", &round])
        .env("STRATEGI_SENDMAIL", &script)
        .env("STRATEGI_TEST_CRASH", "after-state:2")
        .output()
        .expect("run");
    assert_eq!(out.status.signal(), Some(9), "not killed");
    let sent = || {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .count()
    };
    assert_eq!(sent(), 2);
    let status = env.git("ws", &["status", "--porcelain"]).ok().stdout;
    assert_eq!(status.lines().count(), 2, "{status}");
    // The next write records them, and says so; here that is `repair`.
    let run = env.run_in("ws", &["--as", "DFD", "repair"]).ok();
    assert!(
        run.stdout
            .contains("Repaired: Recorded the delivery state of 2 outbox file(s)"),
        "{}",
        run.stdout
    );
    assert_clean(&env, "ws");
    assert!(findings(&env, "ws").is_empty());
    let subjects = env.git("ws", &["log", "-1", "--format=%s"]).ok().stdout;
    assert!(
        subjects.ends_with(
            "Record the delivery state of 2 outbox file(s) an interrupted command left\n"
        ),
        "{subjects}"
    );
    // Both letters are sent: neither a flush nor a new send delivers them again.
    let flush = env
        .strategi_cmd(&["-C", "ws", "--as", "DFD", "outbox", "flush"])
        .env("STRATEGI_SENDMAIL", &script)
        .output()
        .expect("run");
    assert!(flush.status.success());
    assert_eq!(sent(), 2);
}

/// The reads that were left unbounded: the old contents the journal keeps, and git's
/// `packed-refs`. A file out of all proportion is refused quickly, naming it, with
/// nothing written.
#[test]
fn the_journal_and_packed_refs_are_read_with_a_limit() {
    use strategi::model::{Action, PartyCode};
    use strategi::store::{Actor, IdSeed, Identity, Workspace};

    let env = TestEnv::new();
    env.workspace_with_version("ws");
    let ws = Workspace::open(&env.path("ws")).expect("open");
    let actor = Actor::new(
        "DIO".parse::<PartyCode>().expect("code"),
        Identity {
            name: "Kari Nordmann".into(),
            email: "kari.nordmann@dio.example".into(),
        },
    );
    let now = jiff::ZonedDateTime::now();
    // A record path taken by a 2 GB (sparse) file and by a FIFO.
    std::fs::create_dir_all(env.path("ws/notes")).expect("notes");
    std::fs::File::create(env.path("ws/notes/big.toml"))
        .and_then(|f| f.set_len(2 << 30))
        .expect("sparse");
    let fifo = env.path("ws/notes/fifo.toml");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo")
            .success()
    );
    let head = env.git("ws", &["rev-parse", "HEAD"]).ok().stdout;
    for (path, says) in [
        ("notes/big.toml", "more than the 8 MB"),
        ("notes/fifo.toml", "FIFO"),
    ] {
        let mut tx = ws
            .begin("test", Duration::from_millis(200), IdSeed::Fixed(1))
            .expect("begin");
        tx.write(path, "a = 1\n");
        let err = tx
            .commit("Write a note", "", Action::PartyAdd, &actor, &now)
            .expect_err("refused");
        let text = err.to_string();
        assert!(text.contains(path) && text.contains(says), "{text}");
        assert_eq!(env.git("ws", &["rev-parse", "HEAD"]).ok().stdout, head);
        assert!(!env.path("ws/.git/strategi-journal").exists());
    }
    std::fs::remove_file(env.path("ws/notes/big.toml")).expect("rm");
    std::fs::remove_file(&fifo).expect("rm");
    std::fs::remove_dir(env.path("ws/notes")).expect("rmdir");

    // packed-refs, which `status` and `version cut` read for the version names.
    env.git("ws", &["pack-refs", "--all"]).ok();
    env.run_in("ws", &["status"]).ok();
    let packed = env.path("ws/.git/packed-refs");
    let file = std::fs::OpenOptions::new()
        .append(true)
        .open(&packed)
        .expect("packed-refs");
    file.set_len(65 << 20).expect("grow");
    let err = ws.version_names().expect_err("refused");
    let text = err.to_string();
    assert!(
        text.contains("packed-refs") && text.contains("64 MB"),
        "{text}"
    );
}
