//! Mail exactly once across clones (issue 14): only the clone acting as a round's
//! sender delivers its letters, and with a remote a delivery claims its letters there
//! (committed `sending` and pushed) before any goes. Against the real SMTP test server
//! (aiosmtpd, `tests/common/smtp.rs`) and a bare `file://` remote.

use std::collections::BTreeMap;

use crate::common::TestEnv;
use crate::common::smtp::{Server, eml_files};
use crate::sync::{assert_converged, bare, edit_config, outbox, two_clones};

/// Two clones of a case (a and b) sharing `remote.git`, with a round of DFD's to FIN and
/// KDD whose two letters are queued in both, and [mail] set to the test server. Returns
/// the remote's path.
fn queued_in_both(env: &TestEnv, server: &Server) -> std::path::PathBuf {
    let root = bare(env);
    two_clones(env, &format!("file://{}", root.display()));
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
    // The outbox transport only queues them.
    env.run_in("a", &["--as", "DFD", "round", "send", "latest"])
        .ok();
    edit_config(
        env,
        "a",
        "transport = \"outbox\"",
        &format!("transport = \"smtp\"\nsmtp_url = \"{}\"", server.url()),
    );
    env.run_in("a", &["sync"]).ok();
    env.run_in("b", &["sync"]).ok();
    for ws in ["a", "b"] {
        let o = outbox(env, ws);
        assert_eq!(o.len(), 2, "{ws}: {o:?}");
        assert!(o.iter().all(|(_, s, _)| s == "queued"), "{ws}: {o:?}");
    }
    root
}

/// Recipient address → how many messages the server took for it.
fn received_by(dir: &std::path::Path) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for f in eml_files(dir) {
        let text = std::fs::read_to_string(&f).expect("read eml");
        let to = text
            .lines()
            .find(|l| l.starts_with("To:"))
            .unwrap_or_else(|| panic!("{} has no To:", f.display()));
        let addr = to
            .rsplit('<')
            .next()
            .unwrap_or(to)
            .trim_end_matches('>')
            .trim()
            .to_string();
        *out.entry(addr).or_default() += 1;
    }
    out
}

#[track_caller]
fn each_once(dir: &std::path::Path) {
    let got = received_by(dir);
    let want: BTreeMap<String, usize> = [
        ("postmottak@fin.example".to_string(), 1),
        ("postmottak@kdd.example".to_string(), 1),
    ]
    .into_iter()
    .collect();
    assert_eq!(got, want, "each letter exactly once");
}

/// Both clones show the same outbox states, converge and verify clean.
#[track_caller]
fn settled(env: &TestEnv) {
    for ws in ["a", "b", "a"] {
        env.run_in(ws, &["sync"]).ok();
    }
    assert_eq!(outbox(env, "a"), outbox(env, "b"));
    assert!(
        outbox(env, "a").iter().all(|(_, s, _)| s == "sent"),
        "{:?}",
        outbox(env, "a")
    );
    assert_converged(env);
}

#[test]
fn two_organisations_flushing_one_round_deliver_each_letter_once() {
    let env = TestEnv::new();
    let received = env.path("received");
    let server = Server::start(&env.path(""), &received);
    queued_in_both(&env, &server);

    // DIO is not the round's sender: its flush leaves the letters queued and says so.
    let r = env
        .run_in("a", &["--as", "DIO", "--json", "outbox", "flush"])
        .ok();
    let j = r.json();
    assert_eq!(j["not_ours"].as_array().map(Vec::len), Some(2), "{j}");
    assert_eq!(j["not_ours"][0]["sender"], "DFD", "{j}");
    assert_eq!(j["delivery"].as_array().map(Vec::len), Some(0), "{j}");
    let r = env.run_in("a", &["--as", "DIO", "outbox", "flush"]).ok();
    assert!(
        r.stdout.contains("2 letter(s) of round")
            && r.stdout.contains("are DFD's to send; left queued"),
        "{}",
        r.stdout
    );
    assert!(eml_files(&received).is_empty(), "DIO delivered nothing");
    assert!(outbox(&env, "a").iter().all(|(_, s, _)| s == "queued"));

    // DFD's clone delivers them, claiming them on the remote first.
    let r = env
        .run_in("b", &["--as", "DFD", "--json", "outbox", "flush"])
        .ok();
    let j = r.json();
    assert_eq!(j["claim"]["claimed"], 2, "{j}");
    assert_eq!(j["claim"]["pushed"], true, "{j}");
    each_once(&received);

    // DIO flushes again after b's delivery: still nothing of its own to send.
    env.run_in("a", &["--as", "DIO", "outbox", "flush"]).ok();
    each_once(&received);
    settled(&env);
}

#[test]
fn two_clones_of_one_party_flushing_without_syncing_deliver_once() {
    let env = TestEnv::new();
    let received = env.path("received");
    let server = Server::start(&env.path(""), &received);
    queued_in_both(&env, &server);

    // A person of DFD in clone a delivers; a colleague of DFD in clone b flushes next,
    // without having synced: the claim's sync brings in a's states and b sends nothing.
    env.run_in("a", &["--as", "DFD", "outbox", "flush"]).ok();
    each_once(&received);
    let r = env
        .run_in("b", &["--as", "DFD", "--json", "outbox", "flush"])
        .ok();
    let j = r.json();
    assert_eq!(j["delivery"].as_array().map(Vec::len), Some(0), "{j}");
    let taken = j["taken_elsewhere"].as_array().expect("taken_elsewhere");
    assert_eq!(taken.len(), 2, "{j}");
    assert!(taken.iter().all(|t| t["state"] == "sent"), "{j}");
    each_once(&received);
    settled(&env);
}

#[test]
fn a_claim_pushed_by_a_clone_stopped_before_delivering_keeps_the_others_off() {
    let env = TestEnv::new();
    let received = env.path("received");
    let server = Server::start(&env.path(""), &received);
    queued_in_both(&env, &server);

    // a claims both letters, pushes the claim, and is killed before any goes.
    let out = env
        .strategi_cmd(&["-C", "a", "--as", "DFD", "outbox", "flush"])
        .env("STRATEGI_TEST_CRASH", "after-claim")
        .output()
        .expect("run");
    assert!(!out.status.success(), "killed");
    assert!(eml_files(&received).is_empty());

    // b (the same party) sees the claim and leaves the letters to a.
    let r = env.run_in("b", &["--as", "DFD", "outbox", "flush"]).ok();
    assert!(
        r.stdout.matches("in another clone; not sent here").count() == 2
            && r.stdout.contains("claimed by"),
        "{}",
        r.stdout
    );
    assert!(eml_files(&received).is_empty(), "b sent nothing");

    // a's next flush finds its own claim with no process behind it: uncertain (the
    // server might have them), never sent again unasked; asked, each goes once.
    let r = env.run_in("a", &["--as", "DFD", "outbox", "flush"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(eml_files(&received).is_empty());
    env.run_in(
        "a",
        &["--as", "DFD", "outbox", "flush", "--resend-uncertain"],
    )
    .ok();
    each_once(&received);
    env.run_in("b", &["--as", "DFD", "outbox", "flush"]).ok();
    each_once(&received);
    settled(&env);
}

/// A clone that claimed letters and is gone for good (its machine lost) does not hold
/// them for ever: another clone of the same party releases the claim (`outbox
/// release`), the letters become uncertain, and it delivers them once; the old clone,
/// back later, never sends them again.
#[test]
fn a_claim_of_a_clone_that_is_gone_is_released_and_each_letter_goes_once() {
    let env = TestEnv::new();
    let received = env.path("received");
    let server = Server::start(&env.path(""), &received);
    queued_in_both(&env, &server);
    let out = env
        .strategi_cmd(&["-C", "a", "--as", "DFD", "outbox", "flush"])
        .env("STRATEGI_TEST_CRASH", "after-claim")
        .output()
        .expect("run");
    assert!(!out.status.success(), "killed");
    let later = "2025-11-03T12:30:00Z";
    let b = |args: &[&str]| {
        let mut full = vec!["--now", later, "--as", "DFD"];
        full.extend_from_slice(args);
        env.run_in("b", &full)
    };
    env.run_in("b", &["sync"]).ok();
    let claimed: Vec<String> = outbox(&env, "b")
        .into_iter()
        .filter(|(_, s, _)| s == "sending")
        .map(|(e, ..)| e)
        .collect();
    assert_eq!(claimed.len(), 2, "{:?}", outbox(&env, "b"));
    let ids: Vec<&str> = claimed.iter().map(String::as_str).collect();
    // Recording it by hand, or releasing it minutes after the claim, is refused.
    let r = env.assert_refused_unchanged("b", &["--as", "DFD", "outbox", "mark-sent", ids[0]]);
    assert!(
        r.stderr.contains("claimed by another clone") && r.stderr.contains("outbox release"),
        "{}",
        r.stderr
    );
    let mut early = vec!["--as", "DFD", "outbox", "release"];
    early.extend(&ids);
    let r = env.assert_refused_unchanged("b", &early);
    assert!(
        r.stderr.contains("may still be delivering") && r.stderr.contains("--force"),
        "{}",
        r.stderr
    );
    // An hour later: released, uncertain, pushed; nothing went out.
    let mut release = vec!["--json", "outbox", "release"];
    release.extend(&ids);
    release.extend(["--note", "Karis PC er borte"]);
    let j = b(&release).ok().json();
    assert_eq!(j["released"].as_array().map(Vec::len), Some(2), "{j}");
    assert_eq!(j["pushed"], true, "{j}");
    assert_eq!(j["released"][0]["state"]["state"], "uncertain");
    assert_eq!(
        j["released"][0]["state"]["released"]["note"],
        "Karis PC er borte"
    );
    assert!(eml_files(&received).is_empty());
    // A second release finds nothing to release.
    let r = env.assert_refused_unchanged(
        "b",
        &["--now", later, "--as", "DFD", "outbox", "release", ids[0]],
    );
    assert!(r.stderr.contains("uncertain, not claimed"), "{}", r.stderr);
    // b delivers them when asked; a, back, syncs and sends nothing again.
    b(&["outbox", "flush", "--resend-uncertain"]).ok();
    each_once(&received);
    for args in [
        vec!["--now", later, "--as", "DFD", "outbox", "flush"],
        vec![
            "--now",
            later,
            "--as",
            "DFD",
            "outbox",
            "flush",
            "--resend-uncertain",
        ],
    ] {
        env.run_in("a", &args);
        each_once(&received);
    }
    for ws in ["a", "b", "a"] {
        env.run_in(ws, &["--now", later, "sync"]).ok();
    }
    assert_eq!(outbox(&env, "a"), outbox(&env, "b"));
    assert!(
        outbox(&env, "a").iter().all(|(_, s, _)| s == "sent"),
        "{:?}",
        outbox(&env, "a")
    );
    for ws in ["a", "b"] {
        env.run_in(ws, &["--now", later, "verify"]).ok();
    }
}

#[test]
fn a_remote_that_cannot_be_reached_refuses_the_delivery_unless_no_claim() {
    let env = TestEnv::new();
    let received = env.path("received");
    let server = Server::start(&env.path(""), &received);
    let root = queued_in_both(&env, &server);
    let away = env.path("srv/away.git");
    std::fs::rename(&root, &away).expect("take the remote away");

    let r = env.assert_refused_unchanged("b", &["--as", "DFD", "outbox", "flush"]);
    assert!(
        r.stderr.contains("No letter was delivered")
            && r.stderr.contains("could not be claimed")
            && r.stderr.contains("Caused by:")
            && r.stderr.contains("--no-claim"),
        "{}",
        r.stderr
    );
    assert!(eml_files(&received).is_empty(), "nothing delivered");

    // Asked to, it delivers without a claim and warns.
    let r = env
        .run_in("b", &["--as", "DFD", "outbox", "flush", "--no-claim"])
        .ok();
    assert!(
        r.stderr.contains("Warning:") && r.stderr.contains("without a claim"),
        "{}",
        r.stderr
    );
    each_once(&received);

    // Back online, a's flush brings in b's states and sends nothing again.
    std::fs::rename(&away, &root).expect("bring the remote back");
    env.run_in("b", &["sync"]).ok();
    env.run_in("a", &["--as", "DFD", "outbox", "flush"]).ok();
    each_once(&received);
    settled(&env);
}
