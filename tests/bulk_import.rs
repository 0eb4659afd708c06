//! Bulk import (issue 18): a folder or an mbox of many answers in one command, one
//! commit, objects written as one pack.

use std::path::Path;

use crate::common::TestEnv;

const V1: &str = "# KI-strategi {#ki}\n\n## Mål {#mal}\n\nVi skal bruke kunstig intelligens på en ansvarlig måte i hele\ndepartementsfellesskapet.\n\n## Tiltak {#tiltak}\n\nDIO etablerer en felles plattform for språkmodeller.\n";

const PARTIES: [&str; 4] = ["FIN", "KDD", "HOD", "KD"];

/// A real fixture from tests/fixtures/mail with its round id replaced by `round`.
fn fixture(name: &str, round: &str) -> Vec<u8> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/mail")
        .join(name);
    let text = String::from_utf8(std::fs::read(&src).expect("fixture")).expect("utf-8");
    text.replace("rabcdefg", round).into_bytes()
}

/// Answer `k` to `round`: a plain reply from one of the four parties with the subject
/// token, a body line that starts with "From " (which an mbox must quote) and a
/// comment of its own.
fn answer(round: &str, k: usize) -> Vec<u8> {
    let p = PARTIES[k % PARTIES.len()];
    format!(
        "From: Saksbehandler {k} <postmottak@{lp}.example>\nTo: postmottak@dfd.example\nSubject: SV: Høring [strategi {round}/{p}]\nMessage-ID: <answer{k}@{lp}.example>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nVi støtter målet, men plattformen trenger en eier (svar {k}).\nFrom our side: ansvaret må plasseres.\n>From a quoted line that stays.\n",
        lp = p.to_lowercase()
    )
    .into_bytes()
}

/// The 50 messages: 47 generated answers, two real fixtures, and one broken message
/// (a multipart whose closing boundary is missing) as number 30.
fn messages(round: &str) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = (0..47).map(|k| answer(round, k)).collect();
    out.push(fixture("reply-base64-utf8.eml", round));
    out.push(fixture("reply-quoted-printable-utf8.eml", round));
    out.insert(29, fixture("broken-multipart-unclosed.eml", round));
    out
}

/// The messages as an mboxrd file (`From ` separators, `>*From ` lines quoted once
/// more, a blank line after each message), as a mail program exports a folder.
fn mbox(messages: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for m in messages {
        out.extend_from_slice(b"From postmottak@example Mon Nov 24 10:00:00 2025\n");
        for line in m.split_inclusive(|b| *b == b'\n') {
            let bare = line
                .iter()
                .skip_while(|b| **b == b'>')
                .copied()
                .collect::<Vec<u8>>();
            if bare.starts_with(b"From ") {
                out.push(b'>');
            }
            out.extend_from_slice(line);
        }
        if !m.ends_with(b"\n") {
            out.push(b'\n');
        }
        out.push(b'\n');
    }
    out
}

fn commits(env: &TestEnv) -> usize {
    env.git("ws", &["rev-list", "--count", "HEAD"])
        .ok()
        .stdout
        .trim()
        .parse()
        .expect("count")
}

#[test]
fn an_mbox_with_one_broken_message_is_refused_whole_or_imported_with_skip_bad() {
    let env = TestEnv::new();
    let round = env.round_to_four(V1);
    let msgs = messages(&round);
    assert_eq!(msgs.len(), 50);
    std::fs::create_dir_all(env.path("mail")).expect("mail");
    std::fs::write(env.path("mail/Innboks.mbox"), mbox(&msgs)).expect("mbox");

    // Without --skip-bad the batch is refused as a whole, the broken message named by
    // its number, its lines and its Message-ID.
    let r =
        env.assert_refused_unchanged("ws", &["comment", "import", &round, "../mail/Innboks.mbox"]);
    assert!(r.stderr.contains("1 of 50 file(s) refused"), "{}", r.stderr);
    assert!(r.stderr.contains("Nothing was imported"), "{}", r.stderr);
    let refused: Vec<&str> = r.stdout.lines().filter(|l| l.contains("REFUSED")).collect();
    assert_eq!(refused.len(), 1, "{}", r.stdout);
    assert!(refused[0].contains("Innboks.mbox #30"), "{}", refused[0]);
    assert!(
        refused[0].contains("Message-ID <cut.0007@fin.dep.example>"),
        "{}",
        refused[0]
    );
    assert!(refused[0].contains("boundary"), "{}", refused[0]);
    let first_line = 1 + msgs[..29]
        .iter()
        .map(|m| 2 + m.split(|b| *b == b'\n').count() - usize::from(m.ends_with(b"\n")))
        .sum::<usize>();
    assert!(
        refused[0].contains(&format!("lines {first_line}-")),
        "{}",
        refused[0]
    );
    assert!(
        r.stdout
            .contains("50 file(s): 49 not imported, 0 already imported, 1 refused."),
        "{}",
        r.stdout
    );

    // --skip-bad imports the 49 good ones in one commit, and still lists the bad one.
    let before = commits(&env);
    let r = env.run_in(
        "ws",
        &[
            "--json",
            "comment",
            "import",
            &round,
            "../mail/Innboks.mbox",
            "--skip-bad",
        ],
    );
    assert_eq!(
        r.code, 1,
        "the refused message still fails the command: {}",
        r.stderr
    );
    // The outcome, then the error (as JSON too).
    let mut values = serde_json::Deserializer::from_str(&r.stdout).into_iter::<serde_json::Value>();
    let j = values.next().expect("outcome").expect("JSON");
    let err = values.next().expect("error").expect("JSON");
    assert!(err.to_string().contains("1 of 50 file(s) refused"), "{err}");
    assert_eq!(j["imported"], 49);
    assert_eq!(j["summary"]["imported"], 49);
    assert_eq!(j["summary"]["refused"], 1);
    let bad = &j["files"][29];
    assert_eq!(bad["result"], "refused");
    assert_eq!(bad["mbox"]["number"], 30);
    assert_eq!(bad["mbox"]["first_line"], first_line);
    assert_eq!(bad["mbox"]["message_id"], "cut.0007@fin.dep.example");
    assert!(bad["mbox"]["offset"].as_u64().is_some_and(|o| o > 0));
    assert_eq!(commits(&env), before + 1, "one commit");

    // What is stored is the message, unquoted: the mbox's ">From " is "From " again,
    // and a ">From " of the message's own is kept as ">From ".
    let folder = j["files"][0]["folder"].as_str().expect("folder");
    let stored = std::fs::read(env.path(&format!("ws/{folder}/message.eml"))).expect("stored");
    assert_eq!(stored, msgs[0]);

    // Every answer's comment is there, and stock git finds the repository sound.
    let list = env
        .run_in("ws", &["--json", "comment", "list", "--round", &round])
        .ok()
        .json();
    assert_eq!(list.as_array().map(Vec::len), Some(49));
    env.git("ws", &["fsck", "--strict"]).ok();
    let status = env.git("ws", &["status", "--porcelain"]).ok().stdout;
    assert!(status.is_empty(), "git status clean: {status}");

    // Again: nothing new (the good ones are duplicates), no commit.
    let r = env.run_in(
        "ws",
        &[
            "comment",
            "import",
            &round,
            "../mail/Innboks.mbox",
            "--skip-bad",
        ],
    );
    assert!(
        r.stdout
            .contains("50 file(s): 0 imported, 49 already imported, 1 refused."),
        "{}",
        r.stdout
    );
    assert_eq!(commits(&env), before + 1, "a second import writes nothing");
}

#[test]
fn a_folder_of_many_answers_is_one_commit_and_one_pack_and_the_mbox_of_it_adds_nothing() {
    let env = TestEnv::new();
    let round = env.round_to_four(V1);
    let dir = env.path("mail/svar");
    std::fs::create_dir_all(&dir).expect("dir");
    let msgs: Vec<Vec<u8>> = (0..160).map(|k| answer(&round, k)).collect();
    for (k, m) in msgs.iter().enumerate() {
        std::fs::write(dir.join(format!("svar-{k:03}.eml")), m).expect("eml");
    }
    // Hidden files and sub-folders are no answers.
    std::fs::write(dir.join(".DS_Store"), b"\0\0").expect("hidden");
    std::fs::create_dir_all(dir.join("gammelt")).expect("sub");
    let before = commits(&env);
    let packs = |env: &TestEnv| {
        std::fs::read_dir(env.path("ws/.git/objects/pack"))
            .map(|d| {
                d.flatten()
                    .filter(|e| e.path().extension().is_some_and(|x| x == "pack"))
                    .count()
            })
            .unwrap_or(0)
    };
    let packs_before = packs(&env);
    let r = env
        .run_in("ws", &["comment", "import", &round, "../mail/svar"])
        .ok();
    // A large batch lists what needs attention and counts the rest.
    assert!(
        r.stdout
            .contains("160 file(s): 160 imported, 0 already imported, 0 refused."),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("svar-001.eml"), "{}", r.stdout);
    assert_eq!(commits(&env), before + 1, "one commit for the folder");
    assert_eq!(packs(&env), packs_before + 1, "the objects as one pack");
    let stock = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(env.path("ws"))
            .env("HOME", env.path("home"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .expect("git");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    stock(&["fsck", "--strict", "--no-dangling"]);
    assert!(
        stock(&["status", "--porcelain"]).is_empty(),
        "the index matches"
    );
    let listed = env
        .run_in("ws", &["--json", "comment", "list", "--round", &round])
        .ok()
        .json();
    assert_eq!(listed.as_array().map(Vec::len), Some(160));

    // The same answers as one mbox are the same messages: all already imported.
    std::fs::write(env.path("mail/svar.mbox"), mbox(&msgs)).expect("mbox");
    let r = env
        .run_in("ws", &["comment", "import", &round, "../mail/svar.mbox"])
        .ok();
    assert!(
        r.stdout
            .contains("160 file(s): 0 imported, 160 already imported, 0 refused."),
        "{}",
        r.stdout
    );
    assert_eq!(commits(&env), before + 1);
}

#[test]
fn an_empty_folder_and_an_empty_mbox_message_are_refused_naming_them() {
    let env = TestEnv::new();
    let round = env.round_to_four(V1);
    std::fs::create_dir_all(env.path("mail/tom")).expect("dir");
    let r = env.assert_refused_unchanged("ws", &["comment", "import", &round, "../mail/tom"]);
    assert!(
        r.stdout.contains("the folder holds no file to import"),
        "{}",
        r.stdout
    );
    let mut bytes = b"From - a\n\n".to_vec();
    bytes.extend(mbox(&[answer(&round, 1)]));
    std::fs::write(env.path("mail/a.mbox"), bytes).expect("mbox");
    let r = env.assert_refused_unchanged("ws", &["comment", "import", &round, "../mail/a.mbox"]);
    assert!(
        r.stdout.contains("a.mbox #1 (lines 1-1, byte 0)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("the message is empty"), "{}", r.stdout);
}
