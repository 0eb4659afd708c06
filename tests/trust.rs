//! Trust you can check (issue 12): the acting person is the one git names, time only
//! moves forward, and what history shows was written stays written.

use std::process::Command;

use crate::common::{Run, TestEnv};

// ---------------------------------------------------------------------------------
// Who acts: exactly the person `git var GIT_AUTHOR_IDENT` names.
// ---------------------------------------------------------------------------------

/// Changes to the test's environment for one set-up: `(name, Some(value))` sets a
/// variable, `(name, None)` removes it.
type Setup = Vec<(&'static str, Option<String>)>;

fn with(mut c: Command, setup: &Setup) -> Command {
    for (k, v) in setup {
        match v {
            Some(v) => c.env(k, v),
            None => c.env_remove(k),
        };
    }
    c
}

fn run_with(env: &TestEnv, setup: &Setup, args: &[&str]) -> Run {
    let out = with(env.strategi_cmd(args), setup)
        .output()
        .expect("run strategi");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// What `git var GIT_AUTHOR_IDENT` says in `ws` under the set-up, without the date; or
/// `None` when git does not know who you are.
fn git_ident(env: &TestEnv, setup: &Setup, ws: &str) -> Option<String> {
    git_var(env, setup, ws, "GIT_AUTHOR_IDENT")
}

fn git_var(env: &TestEnv, setup: &Setup, ws: &str, which: &str) -> Option<String> {
    let out = with(env.git_cmd(ws, &["var", which]), setup)
        .output()
        .expect("run git var");
    if !out.status.success() {
        return None;
    }
    let line = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let end = line
        .rfind('>')
        .expect("an ident line ends its address with >");
    Some(line[..=end].to_string())
}

/// The author, committer and `Strategi-Actor` trailer of HEAD.
fn head_people(env: &TestEnv, ws: &str) -> (String, String, String) {
    let log = env
        .git(
            ws,
            &[
                "log",
                "-1",
                "--format=%an <%ae>%n%cn <%ce>%n%(trailers:key=Strategi-Actor,valueonly)",
            ],
        )
        .ok()
        .stdout;
    let mut lines = log.lines().map(str::to_string);
    (
        lines.next().unwrap_or_default(),
        lines.next().unwrap_or_default(),
        lines.next().unwrap_or_default(),
    )
}

/// HEAD's author and trailer are `expected`, and so is its committer.
#[track_caller]
fn assert_acts_as(env: &TestEnv, ws: &str, expected: &str) {
    assert_acts_and_commits_as(env, ws, expected, expected);
}

#[track_caller]
fn assert_acts_and_commits_as(env: &TestEnv, ws: &str, expected: &str, committer: &str) {
    let (author, committed_by, trailer) = head_people(env, ws);
    assert_eq!(author, expected, "author");
    assert_eq!(trailer, expected, "Strategi-Actor trailer");
    assert_eq!(committed_by, committer, "committer");
}

fn init_args(ws: &str) -> Vec<&str> {
    vec![
        "init",
        ws,
        "--title",
        "KI-strategi",
        "--owner",
        "DIO",
        "--approver",
        "DFD",
    ]
}

/// The person named by environment variables wins over every config file, for
/// commits, trailers and version tags alike; the committer is git's committer.
#[test]
fn identity_from_git_author_variables() {
    let env = TestEnv::new();
    let setup: Setup = vec![
        ("GIT_AUTHOR_NAME", Some("Ola Nordmann".into())),
        ("GIT_AUTHOR_EMAIL", Some("ola.nordmann@kdd.example".into())),
    ];
    run_with(&env, &setup, &init_args("ws")).ok();
    let expected = git_ident(&env, &setup, "ws").expect("git knows");
    assert_eq!(expected, "Ola Nordmann <ola.nordmann@kdd.example>");
    // Git's committer is still the one of the config file.
    let committer = git_var(&env, &setup, "ws", "GIT_COMMITTER_IDENT").expect("committer");
    assert_eq!(committer, "Kari Nordmann <kari.nordmann@dio.example>");
    assert_acts_and_commits_as(&env, "ws", &expected, &committer);

    // With the committer's variables too, the commit names both as git would.
    let setup: Setup = vec![
        ("GIT_AUTHOR_NAME", Some("Ola Nordmann".into())),
        ("GIT_AUTHOR_EMAIL", Some("ola.nordmann@kdd.example".into())),
        ("GIT_COMMITTER_NAME", Some("Per Hansen".into())),
        ("GIT_COMMITTER_EMAIL", Some("per.hansen@fin.example".into())),
    ];
    let committer = git_var(&env, &setup, "ws", "GIT_COMMITTER_IDENT").expect("committer");
    assert_eq!(committer, "Per Hansen <per.hansen@fin.example>");

    std::fs::write(env.path("ws/strategy/01-utkast.md"), "# KI\n\nTekst.\n").expect("draft");
    run_with(
        &env,
        &setup,
        &["-C", "ws", "version", "cut", "--label", "Utkast"],
    )
    .ok();
    assert_acts_and_commits_as(&env, "ws", &expected, &committer);
    let tagger = env
        .git(
            "ws",
            &[
                "for-each-ref",
                "refs/tags/v1",
                "--format=%(taggername) %(taggeremail)",
            ],
        )
        .ok()
        .stdout;
    assert_eq!(tagger.trim(), expected);
    let shown = run_with(
        &env,
        &setup,
        &["-C", "ws", "--json", "version", "show", "v1"],
    )
    .ok()
    .json();
    assert_eq!(shown["version"]["author"], expected.as_str(), "{shown}");
}

/// `GIT_CONFIG_GLOBAL` names the global file; `~/.gitconfig` is then not read.
#[test]
fn identity_from_the_file_git_config_global_names() {
    let env = TestEnv::new();
    let other = env.path("other.gitconfig");
    std::fs::write(
        &other,
        "[user]\n\tname = Per Hansen\n\temail = per.hansen@fin.example\n",
    )
    .expect("config");
    let setup: Setup = vec![("GIT_CONFIG_GLOBAL", Some(other.display().to_string()))];
    run_with(&env, &setup, &init_args("ws")).ok();
    let expected = git_ident(&env, &setup, "ws").expect("git knows");
    assert_eq!(expected, "Per Hansen <per.hansen@fin.example>");
    assert_acts_as(&env, "ws", &expected);
}

/// Without `GIT_CONFIG_GLOBAL` and `~/.gitconfig`, git reads
/// `$XDG_CONFIG_HOME/git/config`.
#[test]
fn identity_from_xdg_config_home() {
    let env = TestEnv::new();
    let home = env.path("empty-home");
    let xdg = env.path("xdg");
    std::fs::create_dir_all(&home).expect("home");
    std::fs::create_dir_all(xdg.join("git")).expect("xdg");
    std::fs::write(
        xdg.join("git/config"),
        "[user]\n\tname = Lise Berg\n\temail = lise.berg@hod.example\n",
    )
    .expect("config");
    let setup: Setup = vec![
        ("GIT_CONFIG_GLOBAL", None),
        ("HOME", Some(home.display().to_string())),
        ("XDG_CONFIG_HOME", Some(xdg.display().to_string())),
    ];
    run_with(&env, &setup, &init_args("ws")).ok();
    let expected = git_ident(&env, &setup, "ws").expect("git knows");
    assert_eq!(expected, "Lise Berg <lise.berg@hod.example>");
    assert_acts_as(&env, "ws", &expected);
}

/// The repository's own config wins over the global one.
#[test]
fn identity_from_the_repository_config() {
    let env = TestEnv::new();
    let setup: Setup = Vec::new();
    run_with(&env, &setup, &init_args("ws")).ok();
    assert_acts_as(&env, "ws", "Kari Nordmann <kari.nordmann@dio.example>");
    env.git("ws", &["config", "user.name", "Anne Lie"]).ok();
    env.git("ws", &["config", "user.email", "anne.lie@dio.example"])
        .ok();
    run_with(
        &env,
        &setup,
        &[
            "-C",
            "ws",
            "party",
            "add",
            "FIN",
            "--name",
            "Finansdepartementet",
            "--email",
            "postmottak@fin.example",
        ],
    )
    .ok();
    let expected = git_ident(&env, &setup, "ws").expect("git knows");
    assert_eq!(expected, "Anne Lie <anne.lie@dio.example>");
    assert_acts_as(&env, "ws", &expected);
}

/// Git knows nobody: `init` is refused with the two `git config` commands and leaves
/// no folder behind; a write in a workspace is refused and changes nothing.
#[test]
fn no_identity_is_refused_with_the_git_config_commands() {
    let env = TestEnv::new();
    env.workspace("ws");
    let home = env.path("empty-home");
    std::fs::create_dir_all(&home).expect("home");
    // No name or address anywhere, and git told not to guess them from the machine.
    let global = env.path("only.gitconfig");
    std::fs::write(&global, "[user]\n\tuseConfigOnly = true\n").expect("config");
    let setup: Setup = vec![
        ("GIT_CONFIG_GLOBAL", Some(global.display().to_string())),
        ("HOME", Some(home.display().to_string())),
        (
            "XDG_CONFIG_HOME",
            Some(home.join(".config").display().to_string()),
        ),
    ];
    assert_eq!(git_ident(&env, &setup, "ws"), None, "git knows nobody");

    let check = |r: Run| {
        let r = r.refused();
        assert!(
            r.stderr.contains("Git does not know who you are"),
            "{}",
            r.stderr
        );
        assert!(
            r.stderr.contains("git config --global user.name"),
            "{}",
            r.stderr
        );
        assert!(
            r.stderr.contains("git config --global user.email"),
            "{}",
            r.stderr
        );
    };
    check(run_with(&env, &setup, &init_args("new/ws")));
    assert!(!env.path("new").exists(), "init left a folder behind");
    // An author from the environment but no committer: git could not commit either.
    let mut author_only = setup.clone();
    author_only.push(("GIT_AUTHOR_NAME", Some("Ola Nordmann".into())));
    author_only.push(("GIT_AUTHOR_EMAIL", Some("ola@kdd.example".into())));
    assert!(git_ident(&env, &author_only, "ws").is_some());
    assert_eq!(
        git_var(&env, &author_only, "ws", "GIT_COMMITTER_IDENT"),
        None
    );
    check(run_with(&env, &author_only, &init_args("new/ws")));
    assert!(!env.path("new").exists(), "init left a folder behind");

    let before = env.snapshot("ws");
    check(run_with(
        &env,
        &setup,
        &[
            "-C",
            "ws",
            "milestone",
            "add",
            "m2",
            "--title",
            "Neste",
            "--due",
            "2025-12-15",
        ],
    ));
    assert_eq!(before, env.snapshot("ws"), "the workspace changed");
}

// ---------------------------------------------------------------------------------
// Time only moves forward.
// ---------------------------------------------------------------------------------

#[track_caller]
fn assert_backdated(r: &Run) {
    assert!(
        r.stderr.contains("before the latest commit"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("only moves forward"), "{}", r.stderr);
    assert!(
        r.stderr.contains("--now in the past is fine for reading"),
        "{}",
        r.stderr
    );
}

fn round_on_v1(env: &TestEnv, now: &str) -> String {
    env.run_in(
        "ws",
        &[
            "--now",
            now,
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
            "2025-12-15",
        ],
    )
    .ok();
    let id = env.run_in("ws", &["--json", "round", "list"]).json()[0]["id"]
        .as_str()
        .expect("round id")
        .to_string();
    // Sent at once (queued in the outbox): an answer cannot come before its letter.
    env.run_in("ws", &["--now", now, "--as", "DFD", "round", "send", &id])
        .ok();
    id
}

fn add_comment(env: &TestEnv, now: &str, round: &str) -> String {
    env.run_in(
        "ws",
        &[
            "--now",
            now,
            "--as",
            "FIN",
            "--json",
            "comment",
            "add",
            round,
            "--from",
            "FIN",
            "--section",
            "mal",
            "--text",
            "Målet bør tallfestes.",
        ],
    )
    .ok()
    .json()["comment"]["id"]
        .as_str()
        .expect("comment id")
        .to_string()
}

/// Every kind of write dated before the latest commit is refused with nothing changed;
/// reading and planning in the past stay fine, and a write at or after the latest
/// commit goes through.
#[test]
fn backdated_writes_are_refused_and_change_nothing() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    let round = round_on_v1(&env, "2025-11-10");
    let comment = add_comment(&env, "2025-11-12", &round);

    // The example: a decision months before the comment arrived.
    let r = env.assert_refused_unchanged(
        "ws",
        &[
            "--now",
            "2025-01-01",
            "comment",
            "resolve",
            &comment,
            "--decision",
            "accepted",
        ],
    );
    assert_backdated(&r);
    let past = "2025-11-11";
    for args in [
        vec![
            "respond",
            &round,
            "--from",
            "KDD",
            "--position",
            "no-comments",
        ],
        vec![
            "--as", "FIN", "comment", "add", &round, "--from", "FIN", "--text", "Sent.",
        ],
        vec!["--as", "DFD", "round", "send", &round],
        vec![
            "--as",
            "DFD",
            "round",
            "extend",
            &round,
            "--party",
            "FIN",
            "--due",
            "2025-12-20",
        ],
        vec!["--as", "DFD", "round", "close", &round],
        vec!["--as", "DFD", "remind", &round],
        vec!["outbox", "flush"],
        vec!["milestone", "done", "forslag-dfd"],
        vec![
            "party",
            "add",
            "HOD",
            "--name",
            "Helse- og omsorgsdepartementet",
            "--email",
            "postmottak@hod.example",
        ],
        vec!["submit", "v1", "--to", "DFD"],
        vec!["--as", "DFD", "approve", "v1", "--reason", "Haster"],
    ] {
        let mut full = vec!["--now", past];
        full.extend(args);
        assert_backdated(&env.assert_refused_unchanged("ws", &full));
    }
    // A version cut in the past: no commit, no tag.
    std::fs::write(
        env.path("ws/strategy/01-utkast.md"),
        "# KI-strategi\n\n## Mål {#mal}\n\nVi skal lære mer.\n",
    )
    .expect("draft");
    assert_backdated(
        &env.assert_refused_unchanged("ws", &["--now", past, "version", "cut", "--label", "Ny"]),
    );

    // Reading and planning in the past are fine.
    for args in [
        vec!["--now", past, "status"],
        vec!["--now", past, "deadlines"],
        vec!["--now", past, "round", "show", &round],
        vec!["--now", "2025-01-01", "verify"],
        vec!["--now", past, "--as", "DFD", "remind", &round, "--dry-run"],
    ] {
        env.run_in("ws", &args).ok();
    }
    // At the time of the latest commit, or after it, writes go through.
    env.run_in(
        "ws",
        &[
            "--now",
            "2025-11-12",
            "comment",
            "resolve",
            &comment,
            "--decision",
            "accepted",
        ],
    )
    .ok();
    env.run_in(
        "ws",
        &["--now", "2025-11-13", "version", "cut", "--label", "Ny"],
    )
    .ok();
    env.run_in("ws", &["verify"]).ok();
}

// ---------------------------------------------------------------------------------
// Causality, checked by verify on records written by hand.
// ---------------------------------------------------------------------------------

fn commit_by_hand(env: &TestEnv, message: &str) {
    env.git("ws", &["add", "-A"]).ok();
    env.git("ws", &["commit", "-q", "-m", message]).ok();
}

/// The findings of `verify --json` (which must exit 1 when there are any).
fn findings(env: &TestEnv) -> Vec<serde_json::Value> {
    let r = env.run_in("ws", &["--json", "verify"]);
    let v = r.json();
    let list = v["findings"].as_array().cloned().unwrap_or_default();
    assert_eq!(r.code, if list.is_empty() { 0 } else { 1 }, "{}", r.stdout);
    list
}

#[track_caller]
fn assert_out_of_order(list: &[serde_json::Value], path_part: &str, message_part: &str) {
    assert!(
        list.iter().any(|f| f["kind"] == "out-of-order"
            && f["path"].as_str().unwrap_or_default().contains(path_part)
            && f["message"]
                .as_str()
                .unwrap_or_default()
                .contains(message_part)),
        "no out-of-order finding for {path_part} saying {message_part:?}: {list:#?}"
    );
}

/// A decision dated before its comment.
#[test]
fn verify_finds_a_decision_before_its_comment() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    let round = round_on_v1(&env, "2025-11-10");
    let comment = add_comment(&env, "2025-11-12", &round);
    assert!(findings(&env).is_empty());
    std::fs::create_dir_all(env.path(&format!("ws/consultations/{round}/decisions")))
        .expect("folder");
    std::fs::write(
        env.path(&format!(
            "ws/consultations/{round}/decisions/20251111T110000Z-dhandmad.toml"
        )),
        format!(
            "id = \"dhandmad\"\ncomment = \"{comment}\"\ndecision = \"accepted\"\nby = \"DIO\"\nat = \"2025-11-11T11:00:00Z\"\n"
        ),
    )
    .expect("decision");
    commit_by_hand(&env, "Decision");
    let list = findings(&env);
    assert_out_of_order(
        &list,
        "decisions/20251111T110000Z-dhandmad.toml",
        "before the comment was made",
    );
}

/// A round opened on a version that was cut after it.
#[test]
fn verify_finds_a_round_on_a_version_cut_after_it() {
    let env = TestEnv::new();
    env.workspace_with_version("ws"); // v1 is cut 2025-11-03
    std::fs::create_dir_all(env.path("ws/consultations/rhandmad")).expect("folder");
    std::fs::write(
        env.path("ws/consultations/rhandmad/round.toml"),
        "id = \"rhandmad\"\nkind = \"framlegging\"\ntitle = \"Framlegging\"\nversion = \"v1\"\nsender = \"DFD\"\nrecipients = [\"FIN\"]\nopened = \"2025-10-20\"\ndue = \"2025-12-15\"\nopened_by = \"DFD\"\nat = \"2025-10-20T11:00:00Z\"\n",
    )
    .expect("round");
    commit_by_hand(&env, "Round");
    let list = findings(&env);
    assert_out_of_order(&list, "consultations/rhandmad/round.toml", "was only cut");
}

/// A position and a comment dated before the round was opened.
#[test]
fn verify_finds_answers_before_the_round_was_opened() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    let round = round_on_v1(&env, "2025-11-10");
    env.run_in(
        "ws",
        &[
            "--now",
            "2025-11-10",
            "--as",
            "DFD",
            "round",
            "send",
            &round,
        ],
    )
    .ok();
    assert!(findings(&env).is_empty());
    let dir = env.path(&format!("ws/consultations/{round}"));
    std::fs::create_dir_all(dir.join("comments")).expect("comments");
    std::fs::write(
        dir.join("facts/20251105T110000Z-fhandmad.toml"),
        "id = \"fhandmad\"\nat = \"2025-11-05T11:00:00Z\"\nby = \"KDD\"\ntype = \"response\"\nparty = \"KDD\"\nposition = \"no-comments\"\n",
    )
    .expect("fact");
    std::fs::write(
        dir.join("comments/20251105T110000Z-chandmad.toml"),
        "[[comment]]\nid = \"chandmad\"\nparty = \"FIN\"\nby = \"FIN\"\nat = \"2025-11-05T11:00:00Z\"\nversion = \"v1\"\ntext = \"Tidlig innspill.\"\n",
    )
    .expect("comment");
    std::fs::create_dir_all(dir.join("inbox/abc123")).expect("inbox");
    std::fs::write(
        dir.join("inbox/abc123/import.toml"),
        "digest = \"abc123\"\nfrom = \"postmottak@kdd.example\"\nsubject = \"Svar\"\nparty = \"KDD\"\nmatched_by = \"sender address\"\ncomments = []\nattachments = []\nby = \"DIO\"\nat = \"2025-11-06T11:00:00Z\"\n",
    )
    .expect("import");
    commit_by_hand(&env, "Early answers");
    let list = findings(&env);
    assert_out_of_order(
        &list,
        "inbox/abc123/import.toml",
        "The import of KDD's message",
    );
    assert_out_of_order(
        &list,
        "facts/20251105T110000Z-fhandmad.toml",
        "KDD's answer",
    );
    assert_out_of_order(
        &list,
        "comments/20251105T110000Z-chandmad.toml",
        "before round",
    );
}

/// An approval and a submission of a version dated before the version was cut.
#[test]
fn verify_finds_an_approval_of_a_version_before_it_existed() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    std::fs::write(
        env.path("ws/strategy/01-utkast.md"),
        "# KI-strategi\n\n## Mål {#mal}\n\nVi skal lære mer.\n",
    )
    .expect("draft");
    env.run_in(
        "ws",
        &["--now", "2025-11-20", "version", "cut", "--label", "To"],
    )
    .ok();
    let rev = |spec: &str| {
        env.git("ws", &["rev-parse", spec])
            .ok()
            .stdout
            .trim()
            .to_string()
    };
    let commit = rev("v2^{commit}");
    let tree = rev("v2^{commit}:strategy");
    std::fs::create_dir_all(env.path("ws/approvals")).expect("approvals");
    std::fs::create_dir_all(env.path("ws/submissions")).expect("submissions");
    std::fs::write(
        env.path("ws/approvals/20251115T110000Z-ahandmad.toml"),
        format!(
            "id = \"ahandmad\"\nversion = \"v2\"\ncommit = \"{commit}\"\ntree = \"{tree}\"\nby = \"DFD\"\nat = \"2025-11-15T11:00:00Z\"\n"
        ),
    )
    .expect("approval");
    std::fs::write(
        env.path("ws/submissions/20251114T110000Z-shandmad.toml"),
        format!(
            "id = \"shandmad\"\nversion = \"v2\"\ncommit = \"{commit}\"\ntree = \"{tree}\"\nto = \"DFD\"\nby = \"DIO\"\nat = \"2025-11-14T11:00:00Z\"\n"
        ),
    )
    .expect("submission");
    commit_by_hand(&env, "Early approval");
    let list = findings(&env);
    assert_out_of_order(
        &list,
        "approvals/20251115T110000Z-ahandmad.toml",
        "before v2 was cut",
    );
    assert_out_of_order(
        &list,
        "submissions/20251114T110000Z-shandmad.toml",
        "before v2 was cut",
    );
}

// ---------------------------------------------------------------------------------
// Tamper evidence: what history shows was written stays written.
// ---------------------------------------------------------------------------------

const MALLORY: &str = "Mallory Hand <mallory@x.example>";

/// Commits everything with plain git as someone else, with `message`; returns the
/// commit's id.
fn commit_as_mallory(env: &TestEnv, message: &str) -> String {
    env.git("ws", &["add", "-A"]).ok();
    env.git(
        "ws",
        &[
            "-c",
            "user.name=Mallory Hand",
            "-c",
            "user.email=mallory@x.example",
            "commit",
            "-q",
            "-m",
            message,
        ],
    )
    .ok();
    env.git("ws", &["rev-parse", "HEAD"])
        .ok()
        .stdout
        .trim()
        .to_string()
}

/// A round with a comment decided `partly`; returns the decision file's path in `ws`.
fn decided_partly(env: &TestEnv) -> String {
    env.workspace_with_version("ws");
    let round = round_on_v1(env, "2025-11-10");
    let comment = add_comment(env, "2025-11-12", &round);
    env.run_in(
        "ws",
        &[
            "--now",
            "2025-11-14",
            "comment",
            "resolve",
            &comment,
            "--decision",
            "partly",
            "--note",
            "Delvis tatt inn.",
        ],
    )
    .ok();
    let dir = env.path(&format!("ws/consultations/{round}/decisions"));
    let name = std::fs::read_dir(&dir)
        .expect("decisions")
        .next()
        .expect("one decision")
        .expect("entry")
        .file_name()
        .to_string_lossy()
        .into_owned();
    format!("consultations/{round}/decisions/{name}")
}

#[track_caller]
fn the_finding<'a>(
    list: &'a [serde_json::Value],
    kind: &str,
    path: &str,
    commit: &str,
) -> &'a serde_json::Value {
    list.iter()
        .find(|f| f["kind"] == kind && f["path"] == path && f["commit"] == commit)
        .unwrap_or_else(|| panic!("no {kind} finding for {path} at {commit}: {list:#?}"))
}

/// The case: `partly` changed to `accepted` by hand and committed with plain
/// git. verify exits 1 naming the file, the commit and its author, in text and JSON.
#[test]
fn a_decision_edited_by_hand_is_reported_with_commit_and_author() {
    let env = TestEnv::new();
    let path = decided_partly(&env);
    assert!(findings(&env).is_empty(), "an unchanged history is clean");
    let file = env.path(&format!("ws/{path}"));
    let text = std::fs::read_to_string(&file).expect("decision");
    assert!(text.contains("decision = \"partly\""), "{text}");
    std::fs::write(&file, text.replace("\"partly\"", "\"accepted\"")).expect("edit");
    let commit = commit_as_mallory(&env, "Fix decision");

    let list = findings(&env);
    let f = the_finding(&list, "record-changed", &path, &commit);
    let message = f["message"].as_str().unwrap_or_default();
    assert!(message.contains("modified by commit"), "{message}");
    assert!(message.contains(&commit[..12]), "{message}");
    assert!(message.contains(MALLORY), "{message}");
    assert!(message.contains("did not make"), "{message}");
    assert!(
        message.contains("Kari Nordmann <kari.nordmann@dio.example>"),
        "who first wrote it: {message}"
    );

    let r = env.run_in("ws", &["verify"]).refused();
    assert!(r.stdout.contains(&path), "{}", r.stdout);
    assert!(r.stdout.contains(&commit[..12]), "{}", r.stdout);
    assert!(r.stdout.contains(MALLORY), "{}", r.stdout);
}

/// Copying strategi's trailers does not make an edit acceptable: the modification is
/// the offence.
#[test]
fn an_edit_with_copied_trailers_is_still_reported() {
    let env = TestEnv::new();
    let path = decided_partly(&env);
    let file = env.path(&format!("ws/{path}"));
    let text = std::fs::read_to_string(&file).expect("decision");
    std::fs::write(&file, text.replace("\"partly\"", "\"accepted\"")).expect("edit");
    let commit = commit_as_mallory(
        &env,
        "Decide comment again\n\nStrategi-Action: comment-resolve\nStrategi-Party: DIO\nStrategi-Actor: Kari Nordmann <kari.nordmann@dio.example>\n",
    );
    let list = findings(&env);
    let f = the_finding(&list, "record-changed", &path, &commit);
    let message = f["message"].as_str().unwrap_or_default();
    assert!(message.contains(MALLORY), "{message}");
    assert!(!message.contains("did not make"), "{message}");
    assert!(
        !list.iter().any(|f| f["kind"] == "foreign-commit"),
        "{list:#?}"
    );
}

/// A record deleted by hand (here the approval) is reported with the commit that
/// deleted it.
#[test]
fn a_record_deleted_by_hand_is_reported() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    env.run_in("ws", &["--as", "DFD", "approve", "v1"]).ok();
    assert!(findings(&env).is_empty());
    let name = std::fs::read_dir(env.path("ws/approvals"))
        .expect("approvals")
        .next()
        .expect("one approval")
        .expect("entry")
        .file_name()
        .to_string_lossy()
        .into_owned();
    let path = format!("approvals/{name}");
    std::fs::remove_file(env.path(&format!("ws/{path}"))).expect("remove");
    let commit = commit_as_mallory(&env, "Withdraw");
    let list = findings(&env);
    let f = the_finding(&list, "record-changed", &path, &commit);
    let message = f["message"].as_str().unwrap_or_default();
    assert!(message.contains("deleted by commit"), "{message}");
    assert!(message.contains(MALLORY), "{message}");
    assert!(
        f["hint"]
            .as_str()
            .unwrap_or_default()
            .contains("git checkout"),
        "{f}"
    );
}

/// A record added by a commit strategi did not make is reported, naming the commit and
/// its author; the outbox, whose state files change in place, is not a record.
#[test]
fn a_record_added_by_plain_git_is_reported_and_the_outbox_is_not_a_record() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    let round = round_on_v1(&env, "2025-11-10");
    env.run_in(
        "ws",
        &[
            "--now",
            "2025-11-10",
            "--as",
            "DFD",
            "round",
            "send",
            &round,
        ],
    )
    .ok();
    // The outbox's state files are changed in place by design.
    let state = std::fs::read_dir(env.path("ws/outbox"))
        .expect("outbox")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "toml"))
        .expect("an outbox state file");
    let text = std::fs::read_to_string(&state).expect("state");
    std::fs::write(&state, format!("{text}\n")).expect("touch");
    commit_as_mallory(&env, "Outbox housekeeping");
    assert!(findings(&env).is_empty(), "the outbox is not a record");

    let path = format!("consultations/{round}/facts/20251111T110000Z-fhandmad.toml");
    std::fs::write(
        env.path(&format!("ws/{path}")),
        "id = \"fhandmad\"\nat = \"2025-11-11T11:00:00Z\"\nby = \"KDD\"\ntype = \"response\"\nparty = \"KDD\"\nposition = \"no-comments\"\n",
    )
    .expect("fact");
    let commit = commit_as_mallory(&env, "KDD answered by phone");
    let list = findings(&env);
    assert_eq!(list.len(), 1, "{list:#?}");
    let f = the_finding(&list, "foreign-commit", &path, &commit);
    let message = f["message"].as_str().unwrap_or_default();
    assert!(message.contains(MALLORY), "{message}");
    assert!(message.contains(&commit[..12]), "{message}");
}

/// A decision that replaces another but is dated before it.
#[test]
fn verify_finds_a_decision_older_than_the_one_it_replaces() {
    let env = TestEnv::new();
    let path = decided_partly(&env); // the comment is of 2025-11-12, decided 2025-11-14
    let text = std::fs::read_to_string(env.path(&format!("ws/{path}"))).expect("decision");
    let field = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{key} = \"")))
            .and_then(|v| v.strip_suffix('"'))
            .expect("field")
            .to_string()
    };
    let (first, comment) = (field("id"), field("comment"));
    let dir = path.rsplit_once('/').expect("folder").0;
    let later = format!("{dir}/20251113T110000Z-dhandmad.toml");
    std::fs::write(
        env.path(&format!("ws/{later}")),
        format!(
            "id = \"dhandmad\"\ncomment = \"{comment}\"\ndecision = \"accepted\"\nby = \"DIO\"\nat = \"2025-11-13T11:00:00Z\"\nsupersedes = \"{first}\"\n"
        ),
    )
    .expect("decision");
    commit_by_hand(&env, "Decision");
    let list = findings(&env);
    assert_out_of_order(
        &list,
        "20251113T110000Z-dhandmad.toml",
        &format!("replaces decision {first}"),
    );
}

/// A record changed or removed in the working tree and not committed is reported too:
/// what the other commands would read is no longer what history shows was written.
#[test]
fn an_uncommitted_hand_edit_of_a_record_is_reported() {
    let env = TestEnv::new();
    let path = decided_partly(&env);
    let file = env.path(&format!("ws/{path}"));
    let text = std::fs::read_to_string(&file).expect("decision");
    std::fs::write(&file, text.replace("\"partly\"", "\"accepted\"")).expect("edit");
    let list = findings(&env);
    assert_eq!(list.len(), 1, "{list:#?}");
    assert_eq!(list[0]["kind"], "record-changed");
    assert_eq!(list[0]["path"], path.as_str());
    assert!(
        list[0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("not committed"),
        "{list:#?}"
    );
    std::fs::remove_file(&file).expect("remove");
    let list = findings(&env);
    assert!(
        list[0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("deleted"),
        "{list:#?}"
    );
    env.git("ws", &["checkout", "HEAD", "--", &path]).ok();
    assert!(findings(&env).is_empty());
}

/// No answer before the party's letter: `respond`, `comment add` and `comment import`
/// refuse one (naming `round send`), and `verify` reports one written by hand.
#[test]
fn an_answer_before_the_partys_letter_is_refused_and_reported() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    env.run_in(
        "ws",
        &[
            "--now",
            "2025-11-10",
            "--as",
            "DFD",
            "round",
            "open",
            "--version",
            "v1",
            "--to",
            "FIN,KDD",
            "--due",
            "2025-12-15",
        ],
    )
    .ok();
    let round = env.run_in("ws", &["--json", "round", "list"]).json()[0]["id"]
        .as_str()
        .expect("round id")
        .to_string();
    let mail = env.path("reply.eml");
    std::fs::write(
        &mail,
        format!(
            "From: Kari <postmottak@fin.example>\nTo: s@dfd.example\nSubject: Re: Framlegging [strategi {round}/FIN]\nDate: Wed, 12 Nov 2025 10:00:00 +0100\nMessage-ID: <r1@fin.example>\nContent-Type: text/plain; charset=utf-8\n\nFIN har ingen merknader.\n"
        ),
    )
    .expect("mail");
    let mail = mail.to_string_lossy().into_owned();
    for args in [
        vec![
            "respond",
            &round,
            "--from",
            "FIN",
            "--position",
            "no-comments",
        ],
        vec![
            "comment", "add", &round, "--from", "FIN", "--text", "Tidlig.",
        ],
        vec!["comment", "import", &round, &mail],
    ] {
        let mut full = vec!["--now", "2025-11-12"];
        full.extend(args);
        let r = env.assert_refused_unchanged("ws", &full);
        // An import lists each refused file (with its reason) on stdout.
        let said = format!("{}{}", r.stdout, r.stderr);
        assert!(
            said.contains("letter to FIN has not been sent yet"),
            "{full:?}: {said}"
        );
        assert!(
            said.contains(&format!("strategi round send {round}")),
            "{full:?}: {said}"
        );
    }
    env.run_in(
        "ws",
        &[
            "--now",
            "2025-11-13",
            "--as",
            "DFD",
            "round",
            "send",
            &round,
        ],
    )
    .ok();
    // Dated (by its own date) before the letter: refused; on the letter's day: fine.
    let r = env.assert_refused_unchanged(
        "ws",
        &[
            "--now",
            "2025-11-14",
            "respond",
            &round,
            "--from",
            "FIN",
            "--position",
            "no-comments",
            "--received",
            "2025-11-12",
        ],
    );
    assert!(r.stderr.contains("before round"), "{}", r.stderr);
    assert!(r.stderr.contains("--received"), "{}", r.stderr);
    let r = env.assert_refused_unchanged(
        "ws",
        &["--now", "2025-11-14", "comment", "import", &round, &mail],
    );
    assert!(
        format!("{}{}", r.stdout, r.stderr).contains("before round"),
        "{}{}",
        r.stdout,
        r.stderr
    );
    env.run_in(
        "ws",
        &[
            "--now",
            "2025-11-14",
            "respond",
            &round,
            "--from",
            "FIN",
            "--position",
            "no-comments",
            "--received",
            "2025-11-13",
        ],
    )
    .ok();
    assert!(findings(&env).is_empty());

    // By hand: KDD's answer dated before its letter (by its own date, recorded after),
    // and a comment from KDD recorded before the letter.
    let dir = env.path(&format!("ws/consultations/{round}"));
    std::fs::create_dir_all(dir.join("comments")).expect("comments");
    std::fs::write(
        dir.join("facts/20251114T110000Z-fhandmad.toml"),
        "id = \"fhandmad\"\nat = \"2025-11-14T11:00:00Z\"\nby = \"KDD\"\ntype = \"response\"\nparty = \"KDD\"\nposition = \"no-comments\"\nreceived = \"2025-11-11T10:00:00Z\"\n",
    )
    .expect("fact");
    std::fs::write(
        dir.join("comments/20251112T110000Z-chandmad.toml"),
        "[[comment]]\nid = \"chandmad\"\nparty = \"KDD\"\nby = \"KDD\"\nat = \"2025-11-12T11:00:00Z\"\nversion = \"v1\"\ntext = \"Før brevet.\"\n",
    )
    .expect("comment");
    commit_by_hand(&env, "Answers before the letter");
    let list = findings(&env);
    assert_out_of_order(
        &list,
        "facts/20251114T110000Z-fhandmad.toml",
        "KDD's answer is dated 2025-11-11",
    );
    assert_out_of_order(
        &list,
        "comments/20251112T110000Z-chandmad.toml",
        "before round",
    );
}

/// verify judges an answer by its own date: recorded after the round opened but dated
/// (received) before it is out of order.
#[test]
fn verify_uses_the_answers_own_date_for_causality() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    let round = round_on_v1(&env, "2025-11-10");
    assert!(findings(&env).is_empty());
    let dir = env.path(&format!("ws/consultations/{round}"));
    std::fs::create_dir_all(dir.join("comments")).expect("comments");
    std::fs::write(
        dir.join("comments/20251120T110000Z-chandmad.toml"),
        "[[comment]]\nid = \"chandmad\"\nparty = \"FIN\"\nby = \"FIN\"\nat = \"2025-11-20T11:00:00Z\"\nversion = \"v1\"\ntext = \"Datert før runden.\"\nreceived = \"2025-11-01T10:00:00Z\"\n",
    )
    .expect("comment");
    std::fs::write(
        dir.join("facts/20251120T110000Z-fhandmad.toml"),
        "id = \"fhandmad\"\nat = \"2025-11-20T11:00:00Z\"\nby = \"KDD\"\ntype = \"response\"\nparty = \"KDD\"\nposition = \"no-comments\"\nreceived = \"2025-11-02T10:00:00Z\"\n",
    )
    .expect("fact");
    commit_by_hand(&env, "Answers dated before the round");
    let list = findings(&env);
    assert_out_of_order(
        &list,
        "comments/20251120T110000Z-chandmad.toml",
        "is dated 2025-11-01T10:00:00Z, before round",
    );
    assert_out_of_order(
        &list,
        "facts/20251120T110000Z-fhandmad.toml",
        "KDD's answer is dated 2025-11-02T10:00:00Z, before round",
    );
}
