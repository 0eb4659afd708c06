//! Sending what was meant (issue 12): `round send R` delivers only round R's letters
//! and names the round of each delivery; stale letters are held back until
//! `outbox flush --stale`; `outbox mark-sent` records letters sent by hand; the
//! deadline rule is checked again at `round send`. Deliveries go through a real
//! `sendmail` stand-in: a shell script that logs every message it is given.

use std::path::{Path, PathBuf};

use crate::common::{Run, TestEnv};

/// A fake `sendmail` in `dir/bin`, logging each message it is given to
/// `dir/sent/NNNN.eml` (and its arguments to `dir/sent/args`). While the file
/// `dir/sent/fail` exists it fails as a full queue does (exit 75) and logs nothing.
/// When `dir/sent/grab` names a lock file, the next message it takes is followed by
/// a helper process that takes that lock (as a colleague's command would) and holds
/// it until `dir/sent/release` exists; `dir/sent/held` is there while it holds.
struct Sendmail {
    script: PathBuf,
    sent: PathBuf,
}

impl Sendmail {
    fn new(env: &TestEnv) -> Sendmail {
        use std::os::unix::fs::PermissionsExt;
        let bin = env.path("bin");
        let sent = env.path("sent");
        std::fs::create_dir_all(&bin).expect("bin");
        std::fs::create_dir_all(&sent).expect("sent");
        let script = bin.join("fake-sendmail");
        std::fs::write(
            &script,
            format!(
                r#"#!/bin/sh
dir='{}'
if [ -e "$dir/fail" ]; then cat >/dev/null; echo 'queue full' >&2; exit 75; fi
n=$(ls "$dir" | grep -c '\.eml$')
name=$(printf '%04d' $((n + 1)))
cat > "$dir/.$name.tmp"
mv "$dir/.$name.tmp" "$dir/$name.eml"
echo "$name $*" >> "$dir/args"
if [ -e "$dir/grab" ]; then
  lock=$(cat "$dir/grab"); rm "$dir/grab"
  python3 -c "$GRAB" "$lock" "$dir" </dev/null >/dev/null 2>&1 &
  while [ ! -e "$dir/held" ]; do sleep 0.05; done
fi
"#,
                sent.display()
            ),
        )
        .expect("script");
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        Sendmail { script, sent }
    }

    fn fail(&self, on: bool) {
        let f = self.sent.join("fail");
        if on {
            std::fs::write(f, "").expect("fail");
        } else {
            std::fs::remove_file(f).expect("unfail");
        }
    }

    /// `(round, party)` of every message the program was given, in order.
    fn log(&self) -> Vec<(String, String)> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.sent)
            .expect("sent")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|f| {
                let text = std::fs::read_to_string(f).expect("eml");
                let header = |name: &str| {
                    text.lines()
                        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
                        .unwrap_or_else(|| panic!("{} has no {name}", f.display()))
                        .trim()
                        .to_string()
                };
                (header("X-Strategi-Round"), header("X-Strategi-Party"))
            })
            .collect()
    }
}

/// The helper that holds the lock file `argv[1]` until `argv[2]/release` exists.
const GRAB: &str = "import fcntl,os,sys,time
f=open(sys.argv[1],'r+')
fcntl.flock(f,fcntl.LOCK_EX)
open(sys.argv[2]+'/held','w').close()
t=time.time()
while not os.path.exists(sys.argv[2]+'/release') and time.time()-t<60: time.sleep(0.02)
os.remove(sys.argv[2]+'/held')
";

/// Runs strategi in `ws` with the fake sendmail.
fn run(env: &TestEnv, sm: &Sendmail, args: &[&str]) -> Run {
    let mut full = vec!["-C", "ws"];
    full.extend_from_slice(args);
    let out = env
        .strategi_cmd(&full)
        .env("STRATEGI_SENDMAIL", &sm.script)
        .env("GRAB", GRAB)
        .env("STRATEGI_LOCK_TIMEOUT_MS", "300")
        .output()
        .expect("run strategi");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The test workspace (DIO owner, DFD, FIN, KDD, version v1) with `transport`.
fn case(env: &TestEnv, transport: &str) {
    env.workspace_with_version("ws");
    let path = env.path("ws/strategi.toml");
    let text = std::fs::read_to_string(&path).expect("config");
    let changed = text.replace(
        "transport = \"outbox\"\n",
        &format!("transport = \"{transport}\"\n"),
    );
    if changed != text {
        std::fs::write(&path, changed).expect("config");
        env.git("ws", &["commit", "-qam", "Mail settings"]).ok();
    }
}

/// Opens a round as DFD and returns its id.
fn open(env: &TestEnv, to: &str, due: &str) -> String {
    let j = env
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
                to,
                "--due",
                due,
            ],
        )
        .ok()
        .json();
    j["round"]["id"].as_str().expect("id").to_string()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(r, p)| (r.to_string(), p.to_string()))
        .collect()
}

#[test]
fn round_send_delivers_only_its_own_rounds_letters_and_names_the_round() {
    let env = TestEnv::new();
    let sm = Sendmail::new(&env);
    case(&env, "sendmail");
    let r1 = open(&env, "FIN,KDD", "2025-11-28");
    sm.fail(true);
    let r = run(&env, &sm, &["--as", "DFD", "round", "send", &r1]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains(&format!("round {r1} FIN   still queued via sendmail")),
        "{}",
        r.stdout
    );
    assert!(sm.log().is_empty());

    let r2 = open(&env, "FIN", "2025-12-01");
    sm.fail(false);
    let r = run(&env, &sm, &["--as", "DFD", "--json", "round", "send", &r2]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let j = r.json();
    let delivery = j["delivery"].as_array().expect("delivery");
    assert_eq!(delivery.len(), 1, "{j}");
    assert_eq!(delivery[0]["round"], r2.as_str());
    assert_eq!(delivery[0]["party"], "FIN");
    assert_eq!(delivery[0]["state"], "sent");
    assert_eq!(j["other_rounds_queued"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        sm.log(),
        pairs(&[(&r2, "FIN")]),
        "round send R2 delivers nothing of R1"
    );

    // A reminder in R2 goes alone, too, and the text names the round.
    let r = run(&env, &sm, &["--as", "DFD", "remind", &r2]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains(&format!("round {r2} FIN   delivered via sendmail")),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("2 queued letter(s) of other rounds stay in the outbox"),
        "{}",
        r.stdout
    );
    assert_eq!(sm.log(), pairs(&[(&r2, "FIN"), (&r2, "FIN")]));

    // outbox flush delivers everything queued, naming the round of each.
    let r = run(&env, &sm, &["--as", "DFD", "outbox", "flush"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    for party in ["FIN  ", "KDD  "] {
        assert!(
            r.stdout
                .contains(&format!("round {r1} {party} delivered via sendmail")),
            "{}",
            r.stdout
        );
    }
    let mut log = sm.log();
    log.sort();
    let mut want = pairs(&[(&r1, "FIN"), (&r1, "KDD"), (&r2, "FIN"), (&r2, "FIN")]);
    want.sort();
    assert_eq!(log, want);
    let status = env.git("ws", &["status", "--porcelain"]).ok().stdout;
    assert_eq!(status, "");
    // The delivery commit names the round of each message.
    let body = env.git("ws", &["log", "-1", "--format=%B"]).ok().stdout;
    assert!(body.contains(&format!("({r1}): sent")), "{body}");
}

#[test]
fn a_letter_whose_deadline_passed_is_held_back_until_flush_stale() {
    let mut env = TestEnv::new();
    let sm = Sendmail::new(&env);
    case(&env, "sendmail");
    let r1 = open(&env, "FIN,KDD", "2025-11-28");
    sm.fail(true);
    assert_eq!(
        run(&env, &sm, &["--as", "DFD", "round", "send", &r1]).code,
        1
    );
    sm.fail(false);

    // After R1's deadline, a new round is opened and sent: only its letter goes.
    env.now = "2025-12-01".into();
    let r2 = open(&env, "FIN", "2026-01-09");
    let r = run(&env, &sm, &["--as", "DFD", "round", "send", &r2]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(sm.log(), pairs(&[(&r2, "FIN")]));
    let r = run(&env, &sm, &["--as", "DFD", "remind", &r2]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(sm.log().len(), 2);

    // outbox flush holds R1's letters back, lists them and says how to send them.
    let r = run(&env, &sm, &["--as", "DFD", "outbox", "flush"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("Held back 2 queued letter(s)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(&format!(
            "round {r1} FIN   round-letter held back: its deadline 2025-11-28 has passed"
        )),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("outbox flush --stale"), "{}", r.stdout);
    assert_eq!(sm.log().len(), 2, "nothing of R1 was delivered");
    let j = run(&env, &sm, &["--as", "DFD", "--json", "outbox", "flush"]).json();
    let held = j["held_back"].as_array().expect("held_back");
    assert_eq!(held.len(), 2);
    assert_eq!(held[0]["reason"], "deadline-passed");
    assert_eq!(held[0]["due"], "2025-11-28");
    assert_eq!(held[0]["round"], r1.as_str());
    assert_eq!(j["delivery"].as_array().map(Vec::len), Some(0));
    let list = env.run_in("ws", &["--json", "outbox", "list", "--state", "queued"]);
    assert_eq!(list.ok().json().as_array().map(Vec::len), Some(2));

    // With --stale they go, once.
    let r = run(
        &env,
        &sm,
        &["--as", "DFD", "--json", "outbox", "flush", "--stale"],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let j = r.json();
    assert_eq!(j["delivery"].as_array().map(Vec::len), Some(2));
    assert_eq!(j["delivery"][0]["round"], r1.as_str());
    let log = sm.log();
    assert_eq!(log.len(), 4);
    assert!(log[2..].iter().all(|(r, _)| r == &r1), "{log:?}");
    let r = run(&env, &sm, &["--as", "DFD", "outbox", "flush", "--stale"]);
    assert!(r.stdout.contains("Nothing was waiting"), "{}", r.stdout);
    assert_eq!(sm.log().len(), 4);
    assert_eq!(env.git("ws", &["status", "--porcelain"]).ok().stdout, "");
}

#[test]
fn a_queued_letter_of_a_closed_round_is_held_back() {
    let env = TestEnv::new();
    let sm = Sendmail::new(&env);
    case(&env, "sendmail");
    let r1 = open(&env, "FIN", "2025-11-28");
    sm.fail(true);
    assert_eq!(
        run(&env, &sm, &["--as", "DFD", "round", "send", &r1]).code,
        1
    );
    sm.fail(false);
    env.run_in("ws", &["--as", "DFD", "round", "close", &r1])
        .ok();
    let r = run(&env, &sm, &["--as", "DFD", "outbox", "flush"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("held back: its round is closed"),
        "{}",
        r.stdout
    );
    assert!(sm.log().is_empty());
}

fn entries(env: &TestEnv) -> Vec<serde_json::Value> {
    env.run_in("ws", &["--json", "outbox", "list"])
        .ok()
        .json()
        .as_array()
        .expect("entries")
        .clone()
}

fn entry_name(e: &serde_json::Value) -> String {
    let path = e["entry"].as_str().expect("entry");
    Path::new(path)
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("stem")
        .to_string()
}

#[test]
fn mark_sent_records_letters_sent_by_hand_in_one_commit() {
    let env = TestEnv::new();
    case(&env, "outbox");
    let r1 = open(&env, "FIN,KDD", "2025-11-28");
    env.run_in("ws", &["--as", "DFD", "round", "send", &r1])
        .ok();
    let list = entries(&env);
    assert_eq!(list.len(), 2);
    let by_party = |p: &str| {
        list.iter()
            .find(|e| e["state"]["party"] == p)
            .cloned()
            .expect("party")
    };
    let fin = entry_name(&by_party("FIN"));
    let kdd = by_party("KDD");
    let kdd_name = entry_name(&kdd);

    // Unknown, misspelt and ambiguous ids are refused with the workspace unchanged.
    let r = env.assert_refused_unchanged("ws", &["--as", "DFD", "outbox", "mark-sent", "nope"]);
    assert!(
        r.stderr.contains("There is no message \"nope\""),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("outbox list"), "{}", r.stderr);
    // A typo: the last character changed (to one it is not), so it matches nothing.
    let last = if fin.ends_with('x') { 'y' } else { 'x' };
    let typo = format!("{}{last}", &fin[..fin.len() - 1]);
    let r = env.assert_refused_unchanged("ws", &["--as", "DFD", "outbox", "mark-sent", &typo]);
    assert!(
        r.stderr.contains(&format!("Did you mean \"{fin}\"")),
        "{}",
        r.stderr
    );
    let r = env.assert_refused_unchanged("ws", &["--as", "DFD", "outbox", "mark-sent", &r1]);
    assert!(r.stderr.contains("could be any of"), "{}", r.stderr);
    // Only the round's sender or the case owner may record its letters.
    let r = env.assert_refused_unchanged("ws", &["--as", "FIN", "outbox", "mark-sent", &fin]);
    assert!(
        r.stderr.contains("FIN may not change round"),
        "{}",
        r.stderr
    );
    // A known id beside an unknown one: nothing is recorded.
    env.assert_refused_unchanged("ws", &["--as", "DFD", "outbox", "mark-sent", &fin, "nope"]);

    let r = env
        .run_in(
            "ws",
            &[
                "--as",
                "DFD",
                "outbox",
                "mark-sent",
                &format!("outbox/{fin}.eml"),
                "--note",
                "sent from the registry's mailbox",
            ],
        )
        .ok();
    assert!(
        r.stdout.contains("Recorded 1 message(s) as sent by hand"),
        "{}",
        r.stdout
    );
    let log = env.git("ws", &["log", "-1", "--format=%s%n%b"]).ok().stdout;
    assert!(
        log.starts_with("Record 1 message(s) as sent by hand"),
        "{log}"
    );
    assert!(log.contains("Strategi-Action: outbox-mark-sent"), "{log}");
    assert!(log.contains("sent from the registry's mailbox"), "{log}");
    assert_eq!(env.git("ws", &["status", "--porcelain"]).ok().stdout, "");

    // KDD's by the start of its Message-ID, with the default note.
    let mid = kdd["state"]["message_id"].as_str().expect("message id");
    let prefix = &mid[..mid.find('@').expect("@") + 1];
    env.run_in("ws", &["--as", "DFD", "outbox", "mark-sent", prefix])
        .ok();
    let list = entries(&env);
    for e in &list {
        assert_eq!(e["state"]["state"], "sent", "{e}");
        assert_eq!(e["state"]["by_hand"]["by"], "DFD");
        assert!(
            e["state"]["by_hand"]["person"]
                .as_str()
                .is_some_and(|p| p.contains("Kari Nordmann")),
            "{e}"
        );
    }
    let kdd_now = list
        .iter()
        .find(|e| entry_name(e) == kdd_name)
        .expect("kdd");
    assert_eq!(kdd_now["state"]["by_hand"]["note"], "sent by hand");
    let text = env.run_in("ws", &["outbox", "list"]).ok().stdout;
    assert_eq!(text.matches("sent (by hand)").count(), 2, "{text}");
    assert!(text.contains("recorded by Kari Nordmann"), "{text}");

    // Already sent: refused, saying when.
    let r = env.assert_refused_unchanged("ws", &["--as", "DFD", "outbox", "mark-sent", &fin]);
    assert!(
        r.stderr.contains("was already sent on 2025-11-03"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("by hand"), "{}", r.stderr);
    // The letters count as sent: a new send writes nothing.
    let r = env
        .run_in("ws", &["--as", "DFD", "round", "send", &r1])
        .ok();
    assert!(r.stdout.contains("nothing new"), "{}", r.stdout);
}

#[test]
fn the_deadline_rule_is_checked_again_when_the_round_is_sent_late() {
    let mut env = TestEnv::new();
    case(&env, "outbox");
    let r1 = open(&env, "FIN,KDD", "2025-11-28");
    let r2 = open(&env, "FIN", "2025-11-25");

    env.now = "2025-11-20".into();
    let r = env.assert_refused_unchanged("ws", &["--as", "DFD", "round", "send", &r1]);
    assert!(
        r.stderr
            .contains(&format!("Round {r1} was opened on 2025-11-03")),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("FIN and KDD would have only 8 days to answer"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("at least 21"), "{}", r.stderr);
    assert!(r.stderr.contains("--reason"), "{}", r.stderr);
    assert!(r.stderr.contains("round extend"), "{}", r.stderr);

    let reason = "Agreed by phone with FIN and KDD on 2025-11-19";
    let r = env
        .run_in(
            "ws",
            &["--as", "DFD", "round", "send", &r1, "--reason", reason],
        )
        .ok();
    assert!(r.stdout.contains("Wrote 2 letter(s)"), "{}", r.stdout);
    let body = env.git("ws", &["log", "-1", "--format=%B"]).ok().stdout;
    assert!(body.contains(reason), "{body}");
    assert!(body.contains("8 days left"), "{body}");
    assert!(body.contains("Strategi-Action: round-send"), "{body}");

    // An extended deadline counts: give FIN more time in R2, then R2 may go.
    env.run_in(
        "ws",
        &[
            "--as",
            "DFD",
            "round",
            "extend",
            &r2,
            "--party",
            "FIN",
            "--due",
            "2025-12-12",
        ],
    )
    .ok();
    env.run_in("ws", &["--as", "DFD", "round", "send", &r2])
        .ok();

    // A deadline that has passed is refused even with a reason.
    let r3 = open(&env, "KDD", "2025-12-12");
    env.now = "2025-12-15".into();
    let r = env.assert_refused_unchanged(
        "ws",
        &["--as", "DFD", "round", "send", &r3, "--reason", "late"],
    );
    assert!(r.stderr.contains("which has passed"), "{}", r.stderr);
    assert!(r.stderr.contains("round extend"), "{}", r.stderr);
}

/// Runs strategi in `ws` with the SMTP password variable set to `password`.
fn run_with_password(env: &TestEnv, password: &str, args: &[&str]) -> Run {
    let mut full = vec!["-C", "ws"];
    full.extend_from_slice(args);
    let out = env
        .strategi_cmd(&full)
        .env("STRATEGI_TEST_SMTP_PASSWORD", password)
        .output()
        .expect("run strategi");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn a_refused_login_is_a_configuration_error_and_the_letters_stay_queued() {
    use crate::common::smtp::{Server, eml_files};
    let env = TestEnv::new();
    let received = env.path("received");
    let server = Server::start_with_auth(&env.path(""), &received, "ola:riktig");
    env.workspace_with_version("ws");
    let path = env.path("ws/strategi.toml");
    let text = std::fs::read_to_string(&path).expect("config");
    std::fs::write(
        &path,
        text.replace(
            "transport = \"outbox\"\n",
            &format!(
                "transport = \"smtp\"\nsmtp_url = \"smtp://ola@127.0.0.1:{}\"\npassword_env = \"STRATEGI_TEST_SMTP_PASSWORD\"\n",
                server.port
            ),
        ),
    )
    .expect("config");
    env.git("ws", &["commit", "-qam", "Mail settings"]).ok();
    let r1 = open(&env, "FIN,KDD", "2025-11-28");

    let r = run_with_password(&env, "feil", &["--as", "DFD", "round", "send", &r1]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("refused to log in"), "{}", r.stderr);
    assert!(r.stderr.contains("535"), "{}", r.stderr);
    assert!(r.stderr.contains("user name"), "{}", r.stderr);
    assert!(r.stderr.contains("password_env"), "{}", r.stderr);
    assert!(!r.stderr.contains("party's address"), "{}", r.stderr);
    assert!(eml_files(&received).is_empty());
    // Every letter stays queued; the delivery stopped at the first refusal.
    let list = entries(&env);
    assert_eq!(list.len(), 2);
    assert!(
        list.iter().all(|e| e["state"]["state"] == "queued"),
        "{list:?}"
    );
    let attempts: u64 = list
        .iter()
        .map(|e| e["state"]["attempts"].as_u64().expect("attempts"))
        .sum();
    assert_eq!(attempts, 1, "{list:?}");
    let show = env.run_in("ws", &["round", "show", &r1]).ok().stdout;
    assert!(!show.contains("refused"), "{show}");

    // With the right password, flush delivers both.
    let r = run_with_password(&env, "riktig", &["--as", "DFD", "outbox", "flush"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(eml_files(&received).len(), 2);
    drop(server);
}

#[test]
fn a_letter_delivered_while_a_colleague_holds_the_lock_is_success_with_a_warning() {
    let env = TestEnv::new();
    let sm = Sendmail::new(&env);
    case(&env, "sendmail");
    let r1 = open(&env, "FIN,KDD", "2026-01-09");
    // Right after the first letter goes, someone else takes the workspace lock and
    // keeps it past strategi's timeout.
    let lock = env.path("ws/.git/strategi.lock");
    std::fs::write(sm.sent.join("grab"), lock.to_string_lossy().as_bytes()).expect("grab");
    let r = run(&env, &sm, &["--as", "DFD", "round", "send", &r1]);
    let release = || {
        std::fs::write(sm.sent.join("release"), "").expect("release");
        while sm.sent.join("held").exists() {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    };
    release();
    // The letter is out: success, with a warning naming the letter not yet recorded.
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(!r.stderr.contains("Error:"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("Warning: The delivery stopped after 1 letter(s)"),
        "{}",
        r.stderr
    );
    assert_eq!(sm.log().len(), 1);
    let unrecorded = env.git("ws", &["status", "--porcelain"]).ok().stdout;
    assert_eq!(unrecorded.lines().count(), 1, "{unrecorded}");
    let name = unrecorded
        .trim()
        .rsplit('/')
        .next()
        .and_then(|n| n.strip_suffix(".toml"))
        .expect("a state file")
        .to_string();
    assert!(r.stderr.contains(&name), "{}", r.stderr);
    // The next write records the sent letter and delivers the rest, nothing twice.
    let r = run(&env, &sm, &["--as", "DFD", "outbox", "flush"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let mut parties: Vec<String> = sm.log().into_iter().map(|(_, p)| p).collect();
    assert_eq!(parties.len(), 2, "{parties:?}");
    parties.sort();
    assert_eq!(parties, ["FIN", "KDD"]);
    assert_eq!(env.git("ws", &["status", "--porcelain"]).ok().stdout, "");
    let j = env.run_in("ws", &["--json", "outbox", "list"]).ok().json();
    let text = j.to_string();
    assert!(!text.contains("\"queued\""), "{text}");
}
