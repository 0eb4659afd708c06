//! The input and output guards of issue 13: bounded reads, refused special files,
//! control characters in e-mail headers, `--out` that writes only what it should, and
//! safe links in every HTML page.

use std::time::{Duration, Instant};

use mail_parser::MimeHeaders;

use crate::common::TestEnv;

/// A workspace `ws` with v1 and a round from DFD to FIN and KDD; returns the round id.
fn round(env: &TestEnv) -> String {
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
            "2025-11-28",
        ],
    )
    .ok();
    env.run_in("ws", &["--json", "round", "list"]).json()[0]["id"]
        .as_str()
        .expect("id")
        .to_string()
}

/// A folder outside the workspace for hostile input (the workspace snapshot reads every
/// file under `ws`, which a FIFO would block).
fn input_dir(env: &TestEnv) -> std::path::PathBuf {
    let dir = env.path("input");
    std::fs::create_dir_all(&dir).expect("input dir");
    dir
}

#[track_caller]
fn assert_quick(started: Instant, what: &str) {
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(20),
        "{what} took {took:?}: it was read, not refused"
    );
}

#[test]
fn a_device_a_fifo_and_a_2_gb_file_are_refused_quickly_by_comment_import() {
    let env = TestEnv::new();
    let id = round(&env);
    let dir = input_dir(&env);

    let started = Instant::now();
    let run = env.assert_refused_unchanged("ws", &["comment", "import", &id, "/dev/zero"]);
    assert_quick(started, "/dev/zero");
    assert!(
        run.stdout
            .contains("/dev/zero: cannot be read: it is a device, not a file"),
        "{}",
        run.stdout
    );

    let big = dir.join("huge.eml");
    std::fs::File::create(&big)
        .and_then(|f| f.set_len(2 << 30))
        .expect("sparse file");
    let started = Instant::now();
    let run = env.assert_refused_unchanged("ws", &["comment", "import", &id, "../input/huge.eml"]);
    assert_quick(started, "a 2 GB file");
    assert!(
        run.stdout
            .contains("is 2.0 GB, more than the 25 MB an e-mail or form may be"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("huge.eml: cannot be read: it is 2.0 GB"),
        "{}",
        run.stdout
    );

    let fifo = dir.join("pipe.eml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let started = Instant::now();
    let run = env.assert_refused_unchanged("ws", &["comment", "import", &id, "../input/pipe.eml"]);
    assert_quick(started, "a FIFO");
    assert!(
        run.stdout.contains("is a FIFO (named pipe), not a file"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_fifo_or_device_as_key_or_markdown_file_is_refused() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    let dir = input_dir(&env);
    let fifo = dir.join("key.pub");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo")
            .success()
    );
    let run = env.assert_refused_unchanged(
        "ws",
        &["party", "key", "FIN", "--add-file", "../input/key.pub"],
    );
    assert!(run.stderr.contains("FIFO"), "{}", run.stderr);
    let run =
        env.assert_refused_unchanged("ws", &["party", "key", "FIN", "--add-file", "/dev/zero"]);
    assert!(run.stderr.contains("is a device"), "{}", run.stderr);

    let big = dir.join("big.md");
    std::fs::File::create(&big)
        .and_then(|f| f.set_len(2 << 30))
        .expect("sparse file");
    std::fs::write(dir.join("small.md"), "# A\n\nText.\n").expect("small");
    let started = Instant::now();
    let run = env
        .run(&["diff", "--files", "input/small.md", "input/big.md"])
        .refused();
    assert_quick(started, "a 2 GB Markdown file");
    assert!(
        run.stderr
            .contains("is 2.0 GB, more than the 32 MB a Markdown file may be"),
        "{}",
        run.stderr
    );
    let run = env
        .run(&["diff", "--files", "input/small.md", "/dev/zero"])
        .refused();
    assert!(run.stderr.contains("is a device"), "{}", run.stderr);
    let run = env
        .run(&["diff", "--files", "input/small.md", "input/key.pub"])
        .refused();
    assert!(run.stderr.contains("FIFO"), "{}", run.stderr);
}

#[test]
fn a_private_key_that_is_a_device_is_refused_by_approve() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    let run = env.assert_refused_unchanged(
        "ws",
        &["--as", "DFD", "approve", "v1", "--sign", "/dev/zero"],
    );
    assert!(run.stderr.contains("/dev/zero"), "{}", run.stderr);
}

#[test]
fn a_record_that_is_a_fifo_is_reported_not_waited_for() {
    let env = TestEnv::new();
    let id = round(&env);
    let facts = env.path(&format!("ws/consultations/{id}/facts"));
    std::fs::create_dir_all(&facts).expect("facts");
    let fifo = facts.join("20251104T000000-xxxxxxxx.toml");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo")
            .success()
    );
    let started = Instant::now();
    let run = env.run_in("ws", &["round", "show", &id]);
    assert_quick(started, "a FIFO record");
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("FIFO"), "{}", run.stderr);
    std::fs::remove_file(&fifo).expect("remove fifo");
}

#[test]
fn a_nul_in_the_subject_refuses_that_file_cleanly() {
    let env = TestEnv::new();
    let id = round(&env);
    let dir = input_dir(&env);
    let raw = format!(
        "From: Kari Nordmann <postmottak@fin.example>\nTo: dio@dio.example\nSubject: Ingen merknader\0 [strategi {id}/FIN]\nMessage-ID: <a1@fin.example>\n\nVi har ingen merknader.\n"
    );
    std::fs::write(dir.join("nul.eml"), raw).expect("write");
    let encoded = format!(
        "From: Kari Nordmann <postmottak@fin.example>\nSubject: =?utf-8?q?Ingen_merknader=00?= [strategi {id}/FIN]\n\nVi har ingen merknader.\n"
    );
    std::fs::write(dir.join("encoded.eml"), encoded).expect("write");
    for file in ["../input/nul.eml", "../input/encoded.eml"] {
        let run = env.assert_refused_unchanged("ws", &["comment", "import", &id, file]);
        assert!(
            run.stdout.contains("control character (U+0000)"),
            "{}",
            run.stdout
        );
        assert!(run.stdout.contains("Subject"), "{}", run.stdout);
        let inbox = env.path(&format!("ws/consultations/{id}/inbox"));
        assert!(!inbox.exists(), "an inbox folder was left behind");
        // With --skip-bad the file is still refused, and nothing is written.
        env.assert_refused_unchanged("ws", &["comment", "import", &id, file, "--skip-bad"]);
    }
    env.git("ws", &["status", "--porcelain"]);
}

/// The paths `--out` must never write, seen from inside the workspace `ws`.
fn protected_paths(env: &TestEnv) -> Vec<String> {
    let links = env.path("links");
    std::fs::create_dir_all(&links).expect("links");
    std::os::unix::fs::symlink(env.path("ws/.git"), links.join("git")).expect("link");
    std::os::unix::fs::symlink(env.path("ws/strategi.toml"), links.join("cfg")).expect("link");
    std::os::unix::fs::symlink(env.path("ws/strategy"), links.join("draft")).expect("link");
    [
        "strategi.toml",
        ".git/HEAD",
        ".git/config",
        ".git/brand-new",
        "strategy/01-utkast.md",
        "strategy/new.html",
        "consultations/report.html",
        "outbox/x.eml",
        "submissions/x.toml",
        "approvals/x.toml",
        "signatures/x.toml",
        "withdrawals/x.toml",
        "settings/x.toml",
        "templates/round-letter.hbs",
        "templates",
        "outbox",
        "strategy/../strategi.toml",
        "../ws/strategi.toml",
        "../ws/.git/HEAD",
        "../links/git/HEAD",
        "../links/cfg",
        "../links/draft/01-utkast.md",
    ]
    .into_iter()
    .map(str::to_string)
    .collect()
}

#[test]
fn out_never_writes_the_workspaces_own_files_and_replaces_only_with_force() {
    let env = TestEnv::new();
    let id = round(&env);
    let commands: Vec<Vec<&str>> = vec![
        vec!["report", &id, "--format", "html", "--out"],
        vec!["diff", "v1", "draft", "--format", "html", "--out"],
        vec!["keys", "allowed-signers", "--out"],
        vec!["deadlines", "--ics"],
    ];
    let protected = protected_paths(&env);
    for cmd in &commands {
        for target in &protected {
            for force in [false, true] {
                let mut args = cmd.clone();
                args.push(target);
                if force {
                    args.push("--force");
                }
                let run = env.assert_refused_unchanged("ws", &args);
                assert!(
                    run.stderr.contains("Refusing to write")
                        || run.stderr.contains("already exists"),
                    "{args:?}: {}",
                    run.stderr
                );
            }
        }
        // A fresh path works; an existing ordinary file is replaced only with --force.
        let mut args = cmd.clone();
        args.push("out/fresh.txt");
        env.run_in("ws", &args).ok();
        let first = std::fs::read(env.path("ws/out/fresh.txt")).expect("written");
        assert_ne!(first, b"mine");
        std::fs::write(env.path("ws/out/fresh.txt"), b"mine").expect("overwrite");
        let run = env.assert_refused_unchanged("ws", &args);
        assert!(run.stderr.contains("already exists"), "{}", run.stderr);
        assert!(run.stderr.contains("--force"), "{}", run.stderr);
        args.push("--force");
        env.run_in("ws", &args).ok();
        assert_eq!(
            std::fs::read(env.path("ws/out/fresh.txt")).expect("written"),
            first,
            "{args:?}"
        );
        // A folder in the file's place is refused even with --force.
        let mut args = cmd.clone();
        args.extend(["out", "--force"]);
        let run = env.assert_refused_unchanged("ws", &args);
        assert!(run.stderr.contains("is a folder"), "{}", run.stderr);
        std::fs::remove_dir_all(env.path("ws/out")).expect("clean");
    }
    // Another workspace's files are as protected as this one's.
    env.workspace("other");
    let before = env.snapshot("other");
    env.run_in(
        "ws",
        &["report", &id, "--out", "../other/strategi.toml", "--force"],
    )
    .refused();
    assert_eq!(before, env.snapshot("other"));
    // No temporary file is left anywhere.
    let status = env.git("ws", &["status", "--porcelain", "--ignored"]);
    assert_eq!(status.stdout, "", "{}", status.stdout);
}

/// Markdown with every kind of dangerous link and image.
const HOSTILE: &str = "# KI-strategi {#ki onclick=alert(0)}\n\n## Mål {#mal}\n\n\
[a](javascript:alert(1)) [b](JaVaScRiPt:alert(2)) [c](java&#09;script:alert(3)) \
[d](vbscript:msgbox(4)) [e](data:text/html,x) [f](file:///etc/passwd) [g](//evil.example/x) \
<javascript:alert(5)> [h](&#x6A;avascript:alert(6)) [i](<java\tscript:alert(7)>)\n\n\
![bilde](javascript:alert(8)) ![svg](data:image/svg+xml,x) <img src=javascript:alert(9)>\n\n\
[kilde](https://www.regjeringen.no/) [post](mailto:post@dfd.example) [her](#mal)\n";

/// The tags of an HTML page: every `<…>`.
fn tags(html: &str) -> Vec<&str> {
    html.split('<')
        .skip(1)
        .filter_map(|t| t.split('>').next())
        .collect()
}

#[track_caller]
fn assert_no_live_danger(what: &str, html: &str) {
    for tag in tags(html) {
        let lower = tag.to_ascii_lowercase();
        let name = lower.split_whitespace().next().unwrap_or_default();
        assert_ne!(name, "img", "{what}: an image is left: <{tag}>");
        assert_ne!(name, "script", "{what}: <{tag}>");
        for attr in lower.split_whitespace().skip(1) {
            assert!(
                !(attr.starts_with("on") && attr.contains('=')),
                "{what}: an event attribute in <{tag}>"
            );
        }
        for key in ["href=\"", "src=\""] {
            if let Some(rest) = lower.split(key).nth(1) {
                let target = rest.split('"').next().unwrap_or_default();
                assert!(
                    target.starts_with("https://")
                        || target.starts_with("mailto:")
                        || target.starts_with('#'),
                    "{what}: a live target {target:?} in <{tag}>"
                );
            }
        }
    }
}

#[test]
fn no_html_page_strategi_writes_carries_a_live_dangerous_link() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    std::fs::write(env.path("ws/strategy/01-utkast.md"), HOSTILE).expect("draft");
    env.run_in("ws", &["version", "cut", "--label", "Fiendtlig"])
        .ok();
    env.run_in(
        "ws",
        &[
            "--as",
            "DFD",
            "round",
            "open",
            "--version",
            "v2",
            "--to",
            "FIN",
            "--due",
            "2025-11-28",
        ],
    )
    .ok();
    env.run_in("ws", &["--as", "DFD", "round", "send", "latest"])
        .ok();
    // The version's page attached to the letter.
    let mut pages = 0;
    for entry in std::fs::read_dir(env.path("ws/outbox")).expect("outbox") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "eml") {
            continue;
        }
        let raw = std::fs::read(&path).expect("eml");
        let msg = mail_parser::MessageParser::default()
            .parse(&raw)
            .expect("message");
        for a in msg.attachments() {
            if a.attachment_name().is_some_and(|n| n.ends_with(".html")) {
                let html = String::from_utf8_lossy(a.contents()).into_owned();
                assert!(
                    html.contains("<a href=\"https://www.regjeringen.no/\">kilde</a>"),
                    "{html}"
                );
                assert!(html.contains("<a href=\"#mal\">her</a>"), "{html}");
                assert_no_live_danger("the letter's HTML attachment", &html);
                pages += 1;
            }
        }
    }
    assert_eq!(pages, 1, "one letter with one HTML page");
    // The diff page and the report page.
    env.run_in(
        "ws",
        &[
            "diff",
            "v1",
            "v2",
            "--format",
            "html",
            "--out",
            "../diff.html",
        ],
    )
    .ok();
    let diff = std::fs::read_to_string(env.path("diff.html")).expect("diff");
    assert!(diff.contains("javascript"), "the diff shows the text");
    assert_no_live_danger("the diff page", &diff);
    let id = env.run_in("ws", &["--json", "round", "list"]).json()[0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    env.run_in(
        "ws",
        &[
            "--as",
            "FIN",
            "comment",
            "add",
            &id,
            "--from",
            "FIN",
            "--section",
            "mal",
            "--text",
            "Se [her](javascript:alert(10)) og <a href=\"javascript:alert(11)\">dette</a>.",
        ],
    )
    .ok();
    env.run_in(
        "ws",
        &["report", &id, "--format", "html", "--out", "../report.html"],
    )
    .ok();
    let report = std::fs::read_to_string(env.path("report.html")).expect("report");
    assert!(report.contains("alert(11)"), "the comment is in the report");
    assert_no_live_danger("the report page", &report);
}

#[test]
fn a_huge_draft_file_or_record_is_refused_with_its_size_not_read() {
    let env = TestEnv::new();
    let id = round(&env);
    let commits = || env.git("ws", &["rev-list", "--count", "HEAD"]).stdout;
    let before = commits();
    let huge = env.path("ws/strategy/02-stor.md");
    std::fs::File::create(&huge)
        .and_then(|f| f.set_len(2 << 30))
        .expect("sparse file");
    for args in [vec!["version", "cut", "--label", "Stor"], vec!["diff"]] {
        let started = Instant::now();
        let run = env.run_in("ws", &args).refused();
        assert_quick(started, "a 2 GB draft file");
        assert!(run.stderr.contains("02-stor.md"), "{}", run.stderr);
        assert!(
            run.stderr.contains("is 2.0 GB, more than the"),
            "{}",
            run.stderr
        );
    }
    std::fs::remove_file(&huge).expect("remove");
    assert_eq!(before, commits(), "nothing was committed");

    let record = env.path(&format!(
        "ws/consultations/{id}/facts/20251104T000000-fffffff.toml"
    ));
    std::fs::create_dir_all(record.parent().expect("facts")).expect("facts");
    std::fs::File::create(&record)
        .and_then(|f| f.set_len(2 << 30))
        .expect("sparse file");
    let started = Instant::now();
    let run = env.run_in("ws", &["round", "show", &id]).refused();
    assert_quick(started, "a 2 GB record");
    assert!(
        run.stderr.contains("more than the 8 MB a record may be"),
        "{}",
        run.stderr
    );
    std::fs::remove_file(&record).expect("remove");
    env.run_in("ws", &["round", "show", &id]).ok();
}

#[test]
fn a_fifo_or_an_oversized_outbox_state_file_is_reported_not_read() {
    let env = TestEnv::new();
    env.workspace("ws");
    let outbox = env.path("ws/outbox");
    std::fs::create_dir_all(&outbox).expect("outbox");

    // Oversized: refused from its size, naming the file and the limit.
    let big = outbox.join("big.toml");
    std::fs::write(&big, "#".repeat(100 << 10)).expect("write");
    let started = Instant::now();
    let run = env.run_in("ws", &["outbox", "list"]);
    assert_quick(started, "an oversized state file");
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(all.contains("big.toml"), "{all}");
    assert!(
        all.contains("more than the 64 KB a letter's state file may be"),
        "{all}"
    );
    std::fs::remove_file(&big).expect("remove");

    // A FIFO: refused, not waited on.
    let fifo = outbox.join("pipe.toml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        return;
    }
    let started = Instant::now();
    let run = env.run_in("ws", &["outbox", "list"]);
    assert_quick(started, "a FIFO state file");
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(all.contains("pipe.toml"), "{all}");
    assert!(all.contains("a FIFO (named pipe), not a file"), "{all}");
    std::fs::remove_file(&fifo).expect("remove");
}

#[test]
fn an_oversized_record_in_history_is_refused_from_its_size_naming_file_and_commit() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    // Committed by hand, outside strategi, then removed again: only history has it.
    std::fs::create_dir_all(env.path("ws/settings")).expect("settings");
    std::fs::write(env.path("ws/settings/zz-huge.toml"), vec![b'#'; 9 << 20]).expect("write");
    env.git("ws", &["add", "settings/zz-huge.toml"]);
    env.git("ws", &["commit", "-qm", "Huge"]);
    let commit = env
        .git("ws", &["rev-parse", "HEAD"])
        .stdout
        .trim()
        .to_string();
    env.git("ws", &["rm", "-q", "settings/zz-huge.toml"]);
    env.git("ws", &["commit", "-qm", "Gone"]);
    let run = env.assert_refused_unchanged("ws", &["verify"]);
    assert!(
        run.stderr.contains(&format!(
            "\"settings/zz-huge.toml\" in commit {}",
            &commit[..12]
        )),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("a record may be"), "{}", run.stderr);
    assert!(run.stderr.contains("git show --stat"), "{}", run.stderr);
}
