//! Progress of long work on stderr, only on a terminal (issue 16): delivering letters
//! (`outbox flush`, `round send`, `remind`) and importing many files show a counter
//! line rewritten in place when stderr is a terminal (run here under a pseudo-terminal
//! with util-linux `script`, which scripts/shell-tools.sh installs when it is missing),
//! and nothing at all otherwise.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::common::{Run, TestEnv};

const DRAFT: &str = "# KI-strategi {#ki}\n\n## Mål {#mal}\n\nVi skal bruke kunstig intelligens på en ansvarlig måte i hele\ndepartementsfellesskapet.\n\nAlle ansatte skal få grunnopplæring innen 1. juni 2026.\n\n## Tiltak {#tiltak}\n\nDIO etablerer en felles plattform for språkmodeller.\n";

/// Return to the start of the line and clear it.
const CLEAR_LINE: &str = "\r\x1b[K";

/// The round to four parties (letters queued in the outbox), the transport switched
/// to a fake `sendmail` that keeps each message in `sent/`; returns the round id and
/// the program's path.
fn case_with_sendmail(env: &TestEnv) -> (String, PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let id = env.round_to_four(DRAFT);
    let sent = env.path("sent");
    std::fs::create_dir_all(&sent).expect("sent");
    let program = env.path("fake-sendmail");
    std::fs::write(
        &program,
        format!(
            "#!/bin/sh\nn=$(ls '{0}' | wc -l)\ncat > '{0}'/$((n + 1)).eml\n",
            sent.display()
        ),
    )
    .expect("sendmail");
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let config = env.path("ws/strategi.toml");
    let text = std::fs::read_to_string(&config).expect("config");
    assert!(text.contains("transport = \"outbox\"\n"), "{text}");
    std::fs::write(
        &config,
        text.replace("transport = \"outbox\"\n", "transport = \"sendmail\"\n"),
    )
    .expect("config");
    env.git("ws", &["commit", "-qam", "Deliver through sendmail"])
        .ok();
    (id, program)
}

/// Runs strategi as `strategi_cmd` would, but with stdin, stdout and stderr on a
/// pseudo-terminal (`script -qefc`); returns what the terminal showed.
fn on_terminal(env: &TestEnv, args: &[&str], extra_env: &[(&str, &Path)]) -> String {
    let base = env.strategi_cmd(args);
    let line = std::iter::once(base.get_program())
        .chain(base.get_args())
        .map(|a| {
            format!(
                "'{}'",
                a.to_str().expect("utf-8 arg").replace('\'', r"'\''")
            )
        })
        .collect::<Vec<_>>()
        .join(" ");
    let mut cmd = Command::new("script");
    cmd.args(["-qefc", &line, "/dev/null"])
        .env_clear()
        .stdin(Stdio::null());
    if let Some(dir) = base.get_current_dir() {
        cmd.current_dir(dir);
    }
    for (k, v) in base.get_envs() {
        if let Some(v) = v {
            cmd.env(k, v);
        }
    }
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    crate::terminal::ensure_tools();
    let out = cmd.output().expect("run script (util-linux)");
    let shown = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{args:?} on a terminal failed:\n{shown}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    shown
}

/// Runs strategi with stdout and stderr as pipes (not a terminal).
fn piped(env: &TestEnv, args: &[&str], extra_env: &[(&str, &Path)]) -> Run {
    let mut cmd = env.strategi_cmd(args);
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run strategi");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn sending_counts_letters_on_a_terminal_and_keeps_stderr_clean_otherwise() {
    // Not a terminal: stderr stays empty, stdout has the delivery lines.
    let env = TestEnv::new();
    let (_, program) = case_with_sendmail(&env);
    let sendmail = [("STRATEGI_SENDMAIL", program.as_path())];
    let run = piped(
        &env,
        &["-C", "ws", "--as", "DFD", "outbox", "flush"],
        &sendmail,
    )
    .ok();
    assert_eq!(run.stderr, "", "stderr is not a terminal: no progress");
    assert_eq!(
        run.stdout.matches("delivered via sendmail").count(),
        4,
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("Sending letter"), "{}", run.stdout);
    assert_eq!(
        std::fs::read_dir(env.path("sent")).expect("sent").count(),
        4
    );

    // On a terminal: a counter per letter, rewritten in place, cleared at the end.
    let env = TestEnv::new();
    let (_, program) = case_with_sendmail(&env);
    let sendmail = [("STRATEGI_SENDMAIL", program.as_path())];
    let shown = on_terminal(
        &env,
        &["-C", "ws", "--as", "DFD", "outbox", "flush"],
        &sendmail,
    );
    for n in 1..=4 {
        assert!(
            shown.contains(&format!("{CLEAR_LINE}Sending letter {n}: postmottak@")),
            "letter {n}:\n{shown:?}"
        );
    }
    assert!(!shown.contains("Sending letter 5"), "{shown:?}");
    // The last counter is cleared before the command's own lines.
    let last = shown.rfind("Sending letter 4").expect("last counter");
    let cleared = shown[last..].find(CLEAR_LINE).expect("cleared") + last;
    let first_result = shown.find("delivered via sendmail").expect("result lines");
    assert!(cleared < first_result, "{shown:?}");
    assert_eq!(
        shown.matches("delivered via sendmail").count(),
        4,
        "{shown:?}"
    );
    assert_eq!(
        std::fs::read_dir(env.path("sent")).expect("sent").count(),
        4
    );

    // Nothing to deliver: no counter at all.
    let shown = on_terminal(
        &env,
        &["-C", "ws", "--as", "DFD", "outbox", "flush"],
        &sendmail,
    );
    assert!(!shown.contains("Sending letter"), "{shown:?}");
    assert!(!shown.contains(CLEAR_LINE), "{shown:?}");
}

/// Copies mail fixtures into the temp dir with the round id put in; returns the paths
/// as given from the workspace.
fn replies(env: &TestEnv, round: &str, names: &[&str]) -> Vec<String> {
    names
        .iter()
        .map(|name| {
            let src = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/mail")
                .join(name);
            let text = std::fs::read(&src).expect("fixture");
            let mut out = Vec::with_capacity(text.len());
            let mut i = 0;
            while i < text.len() {
                if text[i..].starts_with(b"rabcdefg") {
                    out.extend_from_slice(round.as_bytes());
                    i += 8;
                } else {
                    out.push(text[i]);
                    i += 1;
                }
            }
            let dest = env.path(&format!("mail/{name}"));
            std::fs::create_dir_all(dest.parent().expect("parent")).expect("mail dir");
            std::fs::write(&dest, out).expect("write fixture");
            format!("../mail/{name}")
        })
        .collect()
}

const REPLIES: [&str; 3] = [
    "reply-quoted-printable-utf8.eml",
    "reply-base64-utf8.eml",
    "reply-iso-8859-1.eml",
];

#[test]
fn importing_many_files_counts_them_on_a_terminal_only() {
    let env = TestEnv::new();
    let id = env.round_to_four(DRAFT);
    let files = replies(&env, &id, &REPLIES);
    let mut args = vec!["-C", "ws", "comment", "import", "latest"];
    args.extend(files.iter().map(String::as_str));
    let run = piped(&env, &args, &[]).ok();
    assert!(!run.stderr.contains("Importing file"), "{}", run.stderr);
    assert!(
        !run.stderr.contains('\r') && !run.stderr.contains('\x1b'),
        "{:?}",
        run.stderr
    );
    assert_eq!(run.stdout.matches("imported ").count(), 3, "{}", run.stdout);

    let env = TestEnv::new();
    let id = env.round_to_four(DRAFT);
    let files = replies(&env, &id, &REPLIES);
    let mut args = vec!["-C", "ws", "comment", "import", "latest"];
    args.extend(files.iter().map(String::as_str));
    let shown = on_terminal(&env, &args, &[]);
    for (n, name) in REPLIES.iter().enumerate() {
        assert!(
            shown.contains(&format!(
                "{CLEAR_LINE}Importing file {} of 3: ../mail/{name}…",
                n + 1
            )),
            "{name}:\n{shown:?}"
        );
    }
    let last = shown.rfind("Importing file 3 of 3").expect("last counter");
    let cleared = shown[last..].find(CLEAR_LINE).expect("cleared") + last;
    assert!(
        cleared < shown.find("imported ").expect("result"),
        "{shown:?}"
    );

    // One file: nothing to count.
    let env = TestEnv::new();
    let id = env.round_to_four(DRAFT);
    let files = replies(&env, &id, &REPLIES[..1]);
    let shown = on_terminal(
        &env,
        &["-C", "ws", "comment", "import", "latest", &files[0]],
        &[],
    );
    assert!(!shown.contains("Importing file"), "{shown:?}");
    assert!(shown.contains("imported "), "{shown:?}");
}
