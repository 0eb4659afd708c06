//! Issue 2: workspace, parties, milestones, versions, the CLI contract.

use crate::common::TestEnv;

#[test]
fn workspace_is_valid_for_stock_git() {
    let env = TestEnv::new();
    env.workspace("ws");
    std::fs::write(
        env.path("ws/strategy/01-utkast.md"),
        "# KI-strategi\n\n## Mål {#mal}\n\nVi skal lære.\n",
    )
    .expect("write");
    env.run_in("ws", &["version", "cut", "--label", "Første utkast"])
        .ok();
    env.git("ws", &["fsck", "--strict"]).ok();
    let log = env.git("ws", &["log", "--format=%s"]).ok().stdout;
    assert_eq!(
        log.lines().collect::<Vec<_>>(),
        [
            "Cut version v1: Første utkast",
            "Add milestone forslag-dfd: Forslag til DFD due 2025-12-01",
            "Add party KDD (Kommunal- og distriktsdepartementet)",
            "Add party FIN (Finansdepartementet)",
            "Create the workspace for \"KI-strategi\"",
        ]
    );
    let tags = env.git("ws", &["tag", "-n"]).ok().stdout;
    assert_eq!(tags.trim(), "v1              Første utkast");
    // The working tree is clean: every write was committed and the index kept in step.
    assert_eq!(env.git("ws", &["status", "--porcelain"]).ok().stdout, "");
}

#[test]
fn every_write_is_one_commit_with_trailers() {
    let env = TestEnv::new();
    env.workspace("ws");
    let count = |env: &TestEnv| {
        env.git("ws", &["rev-list", "--count", "HEAD"])
            .ok()
            .stdout
            .trim()
            .parse::<u32>()
            .expect("count")
    };
    assert_eq!(count(&env), 4);
    env.run_in(
        "ws",
        &[
            "--as",
            "DFD",
            "party",
            "add",
            "NFD",
            "--name",
            "Nærings- og fiskeridepartementet",
            "--email",
            "postmottak@nfd.example",
        ],
    )
    .ok();
    assert_eq!(count(&env), 5);
    let body = env.git("ws", &["log", "-1", "--format=%B"]).ok().stdout;
    assert!(body.contains("Strategi-Action: party-add\n"), "{body}");
    assert!(body.contains("Strategi-Party: DFD\n"), "{body}");
    assert!(
        body.contains("Strategi-Actor: Kari Nordmann <kari.nordmann@dio.example>\n"),
        "{body}"
    );
    let trailers = env
        .git(
            "ws",
            &[
                "log",
                "-1",
                "--format=%(trailers:key=Strategi-Action,valueonly)",
            ],
        )
        .ok()
        .stdout;
    assert_eq!(trailers.trim(), "party-add");
    // The commit is dated by the clock.
    let date = env
        .git("ws", &["log", "-1", "--format=%ad", "--date=short"])
        .ok()
        .stdout;
    assert_eq!(date.trim(), "2025-11-03");
    env.run_in("ws", &["milestone", "done", "forslag-dfd"]).ok();
    assert_eq!(count(&env), 6);
    let body = env.git("ws", &["log", "-1", "--format=%B"]).ok().stdout;
    assert!(
        body.starts_with("Complete milestone forslag-dfd on 2025-11-03 (on time)"),
        "{body}"
    );
}

#[test]
fn refusals_exit_1_and_change_nothing() {
    let env = TestEnv::new();
    env.workspace("ws");
    std::fs::write(
        env.path("ws/strategy/01-utkast.md"),
        "# KI-strategi\n\nTekst.\n",
    )
    .expect("write");
    env.run_in("ws", &["version", "cut", "--label", "v1"]).ok();

    let r = env.assert_refused_unchanged(
        "ws",
        &[
            "party",
            "add",
            "fin",
            "--name",
            "X",
            "--email",
            "x@fin.example",
        ],
    );
    assert!(r.stderr.contains("already a party \"FIN\""), "{}", r.stderr);
    let r = env.assert_refused_unchanged(
        "ws",
        &[
            "party",
            "add",
            "NFD",
            "--name",
            "X",
            "--email",
            "nfd.example",
        ],
    );
    assert!(
        r.stderr.contains("not a valid e-mail address"),
        "{}",
        r.stderr
    );
    let r = env.assert_refused_unchanged(
        "ws",
        &[
            "party",
            "add",
            "N F D",
            "--name",
            "X",
            "--email",
            "a@nfd.example",
        ],
    );
    assert!(r.stderr.contains("not a valid party code"), "{}", r.stderr);
    let r = env.assert_refused_unchanged(
        "ws",
        &[
            "milestone",
            "add",
            "x",
            "--title",
            "X",
            "--due",
            "2025-02-30",
        ],
    );
    assert!(r.stderr.contains("2025-02-30"), "{}", r.stderr);
    let r = env.assert_refused_unchanged(
        "ws",
        &[
            "milestone",
            "add",
            "x",
            "--title",
            "X",
            "--due",
            "2025-12-01",
            "--owner",
            "XYZ",
        ],
    );
    assert!(r.stderr.contains("\"XYZ\" is not a party"), "{}", r.stderr);
    let r = env.assert_refused_unchanged(
        "ws",
        &[
            "milestone",
            "add",
            "forslag-dfd",
            "--title",
            "X",
            "--due",
            "2025-12-01",
        ],
    );
    assert!(r.stderr.contains("already a milestone"), "{}", r.stderr);
    let r = env.assert_refused_unchanged("ws", &["milestone", "done", "nope"]);
    assert!(r.stderr.contains("no milestone \"nope\""), "{}", r.stderr);
    let r = env.assert_refused_unchanged(
        "ws",
        &[
            "--as",
            "XYZ",
            "party",
            "add",
            "NFD",
            "--name",
            "X",
            "--email",
            "a@nfd.example",
        ],
    );
    assert!(
        r.stderr.contains("not a party of this case"),
        "{}",
        r.stderr
    );
    let r = env.assert_refused_unchanged("ws", &["version", "cut", "--label", "again"]);
    assert!(r.stderr.contains("Nothing has changed"), "{}", r.stderr);
    let r = env.assert_refused_unchanged("ws", &["version", "show", "v7"]);
    assert!(
        r.stderr
            .contains("no version \"v7\" (versions run from v1 to v1)"),
        "{}",
        r.stderr
    );
    let r =
        env.assert_refused_unchanged("ws", &["version", "show", "v1", "--section", "ki-strategl"]);
    assert!(
        r.stderr.contains("Did you mean \"ki-strategi\""),
        "{}",
        r.stderr
    );

    // Clobbering an existing workspace.
    let r = env.assert_refused_unchanged(
        "ws",
        &[
            "init",
            ".",
            "--title",
            "T",
            "--owner",
            "DIO",
            "--approver",
            "DFD",
        ],
    );
    assert!(
        r.stderr.contains("already a strategi workspace"),
        "{}",
        r.stderr
    );
}

#[test]
fn bad_config_names_file_line_and_column() {
    let env = TestEnv::new();
    env.parties_in_config();
    env.workspace("ws");
    let path = env.path("ws/strategi.toml");
    let good = std::fs::read_to_string(&path).expect("read");
    let bad = good.replace("postmottak@kdd.example", "postmottak-at-kdd");
    std::fs::write(&path, &bad).expect("write");
    let line = bad
        .lines()
        .position(|l| l.contains("postmottak-at-kdd"))
        .expect("line")
        + 1;
    for args in [
        &["status"][..],
        &["party", "list"],
        &[
            "party",
            "add",
            "NFD",
            "--name",
            "N",
            "--email",
            "a@nfd.example",
        ],
    ] {
        let r = env.assert_refused_unchanged("ws", args);
        assert!(
            r.stderr.starts_with(&format!(
                "Error: strategi.toml:{line}:9: \"postmottak-at-kdd\" is not a valid e-mail address"
            )),
            "{}",
            r.stderr
        );
        assert!(r.stderr.contains("Hint: Correct the file"), "{}", r.stderr);
    }
    std::fs::write(&path, good.replace("[case]", "[case\n")).expect("write");
    let r = env.assert_refused_unchanged("ws", &["status"]);
    assert!(
        r.stderr.starts_with("Error: strategi.toml:"),
        "{}",
        r.stderr
    );
}

#[test]
fn outside_a_workspace_says_so() {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.path("empty")).expect("mkdir");
    let r = env.run_in("empty", &["status"]).refused();
    assert!(
        r.stderr.contains("is not inside a strategi workspace"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("strategi init"), "{}", r.stderr);
    let r = env.run_in("empty", &["--json", "party", "list"]).refused();
    assert_eq!(r.json()["error"]["kind"], "user");
    assert_eq!(
        std::fs::read_dir(env.path("empty")).expect("dir").count(),
        0
    );
}

#[test]
fn workspace_found_upwards_and_json_everywhere() {
    let env = TestEnv::new();
    env.workspace("ws");
    std::fs::write(
        env.path("ws/strategy/01-utkast.md"),
        "# KI-strategi {#ki}\n\n## Mål og økonomi\n\nTekst her.\n",
    )
    .expect("write");
    let cut = env
        .run_in(
            "ws/strategy",
            &["--json", "version", "cut", "--label", "Første"],
        )
        .ok()
        .json();
    assert_eq!(cut["version"]["name"], "v1");
    assert_eq!(cut["sections"], 2);
    let list = env.run_in("ws", &["--json", "party", "list"]).ok().json();
    assert_eq!(list[1]["code"], "KDD");
    assert_eq!(list[1]["lang"], "nn");
    let show = env
        .run_in("ws", &["--json", "version", "show", "v1"])
        .ok()
        .json();
    assert_eq!(show["sections"][1]["id"], "mal-og-okonomi");
    let section = env
        .run_in(
            "ws",
            &["version", "show", "Før", "--section", "mal-og-okonomi"],
        )
        .ok();
    assert_eq!(section.stdout, "## Mål og økonomi\n\nTekst her.\n");
    let status = env
        .run_in("ws", &["--json", "--now", "2025-11-28", "status"])
        .ok()
        .json();
    assert_eq!(status["deadlines"][0]["id"], "forslag-dfd");
    assert_eq!(status["versions"], 1);
    let ms = env
        .run_in(
            "ws",
            &["--json", "--now", "2025-12-02", "milestone", "list"],
        )
        .ok()
        .json();
    assert_eq!(ms[0]["assessment"]["status"], "overdue");
    // Usage errors exit 2.
    assert_eq!(env.run_in("ws", &["party", "add"]).code, 2);
    assert_eq!(env.run_in("ws", &["--now", "tomorrow", "status"]).code, 2);
}

#[test]
fn concurrent_writers_both_succeed() {
    let env = TestEnv::new();
    env.workspace("ws");
    let codes: Vec<String> = (0..8).map(|i| format!("DEP{i}")).collect();
    let children: Vec<_> = codes
        .iter()
        .map(|c| {
            env.strategi_cmd(&[
                "-C",
                "ws",
                "party",
                "add",
                c,
                "--name",
                c,
                "--email",
                &format!("post@{}.example", c.to_lowercase()),
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().expect("wait");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let list = env.run_in("ws", &["--json", "party", "list"]).ok().json();
    assert_eq!(list.as_array().map(Vec::len), Some(10));
    assert_eq!(
        env.git("ws", &["rev-list", "--count", "HEAD"])
            .ok()
            .stdout
            .trim(),
        "12"
    );
    assert_eq!(env.git("ws", &["status", "--porcelain"]).ok().stdout, "");
}

#[test]
fn a_held_lock_times_out_naming_the_holder() {
    let env = TestEnv::new();
    env.workspace("ws");
    // Hold the lock with flock(1) from util-linux if present, else with python.
    let lock = env.path("ws/.git/strategi.lock");
    std::fs::write(&lock, "pid=4242\ncommand=strategi round send r1\n").expect("write");
    let mut holder = std::process::Command::new("python3")
        .args(["-c", "import fcntl,sys,time; f=open(sys.argv[1],'r+'); fcntl.flock(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(30)"])
        .arg(&lock)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(holder.stdout.as_mut().expect("stdout")),
        &mut line,
    )
    .expect("read");
    assert_eq!(line.trim(), "locked");
    let r = env
        .strategi_cmd(&[
            "-C",
            "ws",
            "party",
            "add",
            "NFD",
            "--name",
            "N",
            "--email",
            "a@nfd.example",
        ])
        .env("STRATEGI_LOCK_TIMEOUT_MS", "200")
        .output()
        .expect("run");
    let _ = holder.kill();
    let _ = holder.wait();
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("process 4242 (\"strategi round send r1\")"),
        "{stderr}"
    );
    assert_eq!(
        env.run_in("ws", &["--json", "party", "list"])
            .ok()
            .json()
            .as_array()
            .map(Vec::len),
        Some(2)
    );
}

#[test]
fn demo_builds_the_reference_case() {
    let env = TestEnv::new();
    let r = env.run(&["demo", "demo"]).ok();
    assert!(
        r.stdout.contains("Cut v1 \"Utkast til arbeidsgruppen\""),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("forslag-dfd"), "{}", r.stdout);
    // Two organisations, two clones and the bare repository they share.
    assert!(
        r.stderr
            .contains("dfd$ strategi --as DFD round send latest")
            && r.stderr.contains("dio$ strategi comment import latest")
            && r.stderr.contains("$ strategi clone file://"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("print the same `strategi status --json`, and verify clean."),
        "{}",
        r.stderr
    );
    let status = |ws: &str| {
        env.run_in(ws, &["--json", "--now", "2026-02-02", "status"])
            .ok()
            .json()
    };
    let dio = status("demo/dio");
    assert_eq!(dio["parties"], 18);
    assert_eq!(dio["case"]["approver"], "DFD");
    assert_eq!(dio["phase"], status("demo/dfd")["phase"]);
    assert_eq!(
        env.git("demo/dio", &["rev-parse", "HEAD"]).ok().stdout,
        env.git("demo/dfd", &["rev-parse", "HEAD"]).ok().stdout
    );
    assert_eq!(
        env.git("demo/remote.git", &["rev-parse", "main"])
            .ok()
            .stdout,
        env.git("demo/dio", &["rev-parse", "HEAD"]).ok().stdout,
        "the shared repository has everything"
    );
    for ws in ["demo/dio", "demo/dfd"] {
        env.run_in(ws, &["verify"]).ok();
        env.git(ws, &["fsck"]).ok();
        assert!(
            env.git(ws, &["status", "--porcelain"])
                .ok()
                .stdout
                .is_empty(),
            "{ws} is clean"
        );
    }
    // The demo's clock only moves forward: each day is named once, in order, and every
    // step comes after one.
    let days: Vec<&str> = r
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("── "))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(days.len() >= 10, "the steps are dated:\n{}", r.stderr);
    assert!(
        days.windows(2).all(|w| w[0] < w[1]),
        "the days only go forward: {days:?}"
    );
    assert_eq!(days.first(), Some(&"2025-10-01"));
    assert_eq!(days.last(), Some(&"2026-02-02"));
    let first_step = r.stderr.find("$ ").expect("a step");
    let first_day = r
        .stderr
        .find("── 2025-10-01 (Wednesday) ──")
        .expect("a day");
    assert!(first_day < first_step, "the first step is dated");
    // The letters the demo wrote were recorded as sent by hand; none is left queued.
    assert!(
        r.stderr
            .contains("dfd$ strategi --as DFD outbox mark-sent ")
            && r.stdout.contains("Recorded 16 message(s) as sent by hand")
            && r.stdout.contains("Recorded 2 message(s) as sent by hand"),
        "{}\n{}",
        r.stdout,
        r.stderr
    );
    for ws in ["demo/dio", "demo/dfd"] {
        let outbox = env.run_in(ws, &["--json", "outbox", "list"]).ok().json();
        let entries = outbox.as_array().expect("a list of messages");
        assert_eq!(entries.len(), 18, "16 letters and 2 reminders in {ws}");
        for e in entries {
            assert_eq!(e["state"]["state"], "sent", "{ws}: {e}");
            assert_eq!(e["state"]["by_hand"]["by"], "DFD", "{ws}: {e}");
        }
        let text = env.run_in(ws, &["outbox", "list"]).ok().stdout;
        assert!(!text.contains("queued"), "{ws}:\n{text}");
    }
    // It ends by pointing at the pages it wrote, outside both clones.
    let end = &r.stderr[r.stderr.rfind("The pages to open").expect("the list")..];
    let pages = [
        ("strategi-v2.html", 10_000),
        ("strategi-v2.docx", 5_000),
        ("endringer-v1-v2.html", 5_000),
        ("innspill.html", 2_000),
        ("innspill.xlsx", 2_000),
        ("status.html", 5_000),
    ];
    for (name, min) in pages {
        let path = env.path("demo/sider").join(name);
        assert!(
            end.contains(&path.display().to_string()),
            "{name} is listed:\n{end}"
        );
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(bytes.len() >= min, "{name} has {} bytes", bytes.len());
        if name.ends_with(".html") {
            let html = String::from_utf8(bytes).expect("UTF-8");
            assert!(
                html.starts_with("<!DOCTYPE html>") || html.starts_with("<!doctype html>"),
                "{name}"
            );
            assert!(
                html.contains("lang=\"nb\""),
                "{name} is in the case's language"
            );
            assert!(html.contains("24/3095"), "{name} names the case number");
            assert!(html.trim_end().ends_with("</html>"), "{name} is whole");
        } else {
            assert!(
                bytes.starts_with(b"PK\x03\x04"),
                "{name} is a zip (Office) file"
            );
        }
    }
    assert!(
        std::fs::read_dir(env.path("demo/sider"))
            .expect("sider/")
            .count()
            == pages.len(),
        "only the listed pages are in sider/"
    );
    let status_page = std::fs::read_to_string(env.path("demo/sider/status.html")).expect("page");
    assert!(
        status_page.contains("<svg"),
        "the status page has its timeline"
    );
    // --json keeps one JSON value on stdout, with the pages' paths.
    let j = env.run(&["--json", "demo", "demo-json"]).ok().json();
    let listed: Vec<&str> = j["pages"]
        .as_array()
        .expect("pages")
        .iter()
        .map(|p| p["path"].as_str().expect("a path"))
        .collect();
    assert_eq!(listed.len(), pages.len(), "{j}");
    for ((name, _), path) in pages.iter().zip(&listed) {
        assert!(path.ends_with(&format!("demo-json/sider/{name}")), "{path}");
        assert!(std::path::Path::new(path).is_file(), "{path}");
    }
    // A second demo into the same folder is refused.
    env.run(&["demo", "demo"]).refused();
}

#[test]
fn a_draft_without_a_section_is_refused_and_markdown_in_subfolders_is_warned_about() {
    let env = TestEnv::new();
    env.workspace("ws");
    std::fs::write(
        env.path("ws/strategy/01-utkast.md"),
        "Vi skal lære.\n\nIngen overskrift her.\n",
    )
    .expect("write");
    let r = env.assert_refused_unchanged("ws", &["version", "cut", "--label", "Utkast"]);
    assert!(
        r.stderr.contains(
            "The draft has no section: none of the 1 Markdown file(s) in strategy/ has a heading."
        ),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("# Nasjonal strategi"), "{}", r.stderr);
    assert!(env.git("ws", &["tag"]).ok().stdout.trim().is_empty());

    // With a heading the cut goes through; Markdown in a subfolder is named as left out.
    std::fs::write(
        env.path("ws/strategy/01-utkast.md"),
        "# KI-strategi\n\n## Mål {#mal}\n\nVi skal lære.\n",
    )
    .expect("write");
    std::fs::create_dir_all(env.path("ws/strategy/gammelt")).expect("dir");
    std::fs::write(
        env.path("ws/strategy/gammelt/02-tiltak.md"),
        "## Tiltak\n\nEt tiltak.\n",
    )
    .expect("write");
    let run = env
        .run_in("ws", &["version", "cut", "--label", "Utkast"])
        .ok();
    assert!(run.stdout.contains("1 files, 2 sections"), "{}", run.stdout);
    assert!(
        run.stderr.contains(
            "strategy/gammelt/02-tiltak.md not part of v1: only Markdown files directly in strategy/ make up the text"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("Move it up into strategy/"),
        "{}",
        run.stderr
    );
    // Without such files, no warning.
    std::fs::remove_dir_all(env.path("ws/strategy/gammelt")).expect("rm");
    std::fs::write(
        env.path("ws/strategy/01-utkast.md"),
        "# KI-strategi\n\n## Mål {#mal}\n\nVi skal lære mer.\n",
    )
    .expect("write");
    let run = env
        .run_in("ws", &["version", "cut", "--label", "Revidert"])
        .ok();
    assert!(!run.stderr.contains("not part of"), "{}", run.stderr);
}
