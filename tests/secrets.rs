//! Secrets never enter the workspace (issue 13): a password in `[mail] smtp_url` is
//! refused by every command, and `verify` reports it in the configuration and in any
//! committed version of it.

use crate::common::TestEnv;

const URL_WITH_PASSWORD: &str = "smtps://ola:hemmelig@smtp.dep.example:465";

/// Appends a `[mail]` table with `url` to the workspace's `strategi.toml`, replacing the
/// one `init` wrote.
fn set_smtp_url(env: &TestEnv, ws: &str, url: &str) {
    let path = env.path(&format!("{ws}/strategi.toml"));
    let text = std::fs::read_to_string(&path).expect("config");
    let text = text.replace(
        "[mail]\ntransport = \"outbox\"\n",
        &format!(
            "[mail]\ntransport = \"smtp\"\nsmtp_url = \"{url}\"\npassword_env = \"SMTP_PASSWORD\"\n"
        ),
    );
    assert!(text.contains(url), "no [mail] table to edit:\n{text}");
    std::fs::write(&path, text).expect("write config");
}

fn line_of_smtp_url(env: &TestEnv, ws: &str) -> usize {
    let text = std::fs::read_to_string(env.path(&format!("{ws}/strategi.toml"))).expect("config");
    text.lines()
        .position(|l| l.starts_with("smtp_url"))
        .expect("smtp_url line")
        + 1
}

#[test]
fn a_password_in_the_smtp_url_is_refused_by_every_command_and_nothing_is_committed() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    let head = env.git("ws", &["rev-parse", "HEAD"]).stdout;
    set_smtp_url(&env, "ws", URL_WITH_PASSWORD);
    let line = line_of_smtp_url(&env, "ws");
    for args in [
        &["status"][..],
        &[
            "party",
            "add",
            "NFD",
            "--name",
            "Nærings- og fiskeridepartementet",
            "--email",
            "postmottak@nfd.example",
        ],
        &["milestone", "done", "forslag-dfd"],
        &["version", "cut", "--label", "Ny"],
        &["outbox", "flush"],
        &["round", "list"],
    ] {
        let run = env.assert_refused_unchanged("ws", args);
        assert!(
            run.stderr.contains(&format!(
                "strategi.toml:{line}:12: [mail] smtp_url holds a password"
            )),
            "{args:?}: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains("password_env = \"NAME\""),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("rotate"), "{}", run.stderr);
        assert!(!run.stderr.contains("hemmelig"), "{}", run.stderr);
    }
    assert_eq!(env.git("ws", &["rev-parse", "HEAD"]).stdout, head);

    // A user name alone is no secret.
    let fresh = TestEnv::new();
    fresh.workspace("ws");
    set_smtp_url(&fresh, "ws", "smtps://ola@smtp.dep.example:465");
    fresh.run_in("ws", &["status"]).ok();
}

fn credential_findings(env: &TestEnv, ws: &str) -> Vec<serde_json::Value> {
    let run = env.run_in(ws, &["--json", "verify"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    run.json()["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|f| f["kind"] == "credential")
        .collect()
}

#[test]
fn verify_reports_a_password_in_the_configuration_and_in_history_naming_the_commit() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    // Committed by hand, as a user would with git, then removed again.
    set_smtp_url(&env, "ws", URL_WITH_PASSWORD);
    env.git("ws", &["commit", "-qam", "Mail settings"]);
    let commit = env
        .git("ws", &["rev-parse", "HEAD"])
        .stdout
        .trim()
        .to_string();
    let line = line_of_smtp_url(&env, "ws");

    // The current file has it: verify still runs and reports it, once for the file and
    // once for the commit.
    let before = env.snapshot("ws");
    let found = credential_findings(&env, "ws");
    assert_eq!(env.snapshot("ws"), before, "verify changed the workspace");
    assert_eq!(found.len(), 2, "{found:?}");
    let in_file = &found[0];
    assert_eq!(in_file["path"], "strategi.toml");
    assert!(
        in_file["message"]
            .as_str()
            .expect("message")
            .starts_with(&format!(
                "strategi.toml:{line}:12: [mail] smtp_url holds a password"
            )),
        "{in_file}"
    );
    let in_history = &found[1];
    assert_eq!(in_history["commit"], commit.as_str(), "{in_history}");
    let message = in_history["message"].as_str().expect("message");
    assert!(message.contains(&commit[..12]), "{message}");
    assert!(message.contains("Mail settings"), "{message}");
    assert!(
        in_history["hint"]
            .as_str()
            .expect("hint")
            .contains("rotated")
    );
    assert!(!in_history.to_string().contains("hemmelig"), "{in_history}");

    // Removed from the file: history still has it.
    let path = env.path("ws/strategi.toml");
    let text = std::fs::read_to_string(&path).expect("config");
    std::fs::write(&path, text.replace("ola:hemmelig@", "ola@")).expect("write");
    env.git("ws", &["commit", "-qam", "No password"]);
    let found = credential_findings(&env, "ws");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["commit"], commit.as_str());
    let plain = env.run_in("ws", &["verify"]);
    assert!(plain.stdout.contains(&commit[..12]), "{}", plain.stdout);
}

#[test]
fn verify_reports_a_line_break_in_a_hand_edited_one_line_field() {
    let env = TestEnv::new();
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
    let id = env.run_in("ws", &["--json", "round", "list"]).json()[0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let rel = format!("consultations/{id}/round.toml");
    let path = env.path(&format!("ws/{rel}"));
    let text = std::fs::read_to_string(&path).expect("round.toml");
    let edited: String = text
        .lines()
        .map(|l| {
            if l.starts_with("title = ") {
                "title = \"Høring\\r\\nBcc: alle@example.org\"".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert_ne!(edited, text);
    std::fs::write(&path, edited + "\n").expect("write");
    let run = env.run_in("ws", &["--json", "verify"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let found: Vec<serde_json::Value> = run.json()["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|f| f["kind"] == "control-character")
        .collect();
    assert_eq!(found.len(), 1, "{}", run.stdout);
    assert_eq!(found[0]["path"], rel.as_str());
    let message = found[0]["message"].as_str().expect("message");
    assert!(message.contains("\"title\""), "{message}");
    assert!(message.contains("a line break (U+000D)"), "{message}");
}

#[test]
fn a_password_given_as_a_query_parameter_is_refused_and_found_in_history() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    let head = env.git("ws", &["rev-parse", "HEAD"]).stdout;
    set_smtp_url(&env, "ws", "smtps://smtp.dep.example:465?PassWord=hemmelig");
    let run = env.assert_refused_unchanged("ws", &["status"]);
    assert!(
        run.stderr.contains("[mail] smtp_url holds a password"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("hemmelig"), "{}", run.stderr);
    assert_eq!(env.git("ws", &["rev-parse", "HEAD"]).stdout, head);
    // Committed by hand, then replaced by `pass=` and removed: verify names both
    // commits from history.
    env.git("ws", &["commit", "-qam", "Mail settings"]);
    let first = env
        .git("ws", &["rev-parse", "HEAD"])
        .stdout
        .trim()
        .to_string();
    let path = env.path("ws/strategi.toml");
    let text = std::fs::read_to_string(&path).expect("config");
    std::fs::write(
        &path,
        text.replace("?PassWord=hemmelig", "?tls=required&pass=annet"),
    )
    .expect("write");
    env.git("ws", &["commit", "-qam", "Other password"]);
    let second = env
        .git("ws", &["rev-parse", "HEAD"])
        .stdout
        .trim()
        .to_string();
    let text = std::fs::read_to_string(&path).expect("config");
    std::fs::write(&path, text.replace("&pass=annet", "")).expect("write");
    env.git("ws", &["commit", "-qam", "No password"]);
    let found = credential_findings(&env, "ws");
    let commits: Vec<&str> = found.iter().filter_map(|f| f["commit"].as_str()).collect();
    assert!(commits.contains(&first.as_str()), "{found:?}");
    assert!(commits.contains(&second.as_str()), "{found:?}");
    assert!(
        !serde_json::Value::Array(found.clone())
            .to_string()
            .contains("annet"),
        "{found:?}"
    );
}
