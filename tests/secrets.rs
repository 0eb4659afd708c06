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
