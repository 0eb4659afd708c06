//! The terminal (issue 16): shell completion scripts and manual pages generated from the
//! command definitions, checked with the real shells and `man` (scripts/shell-tools.sh
//! installs zsh, fish, man-db and groff when they are missing; a tool that still cannot
//! run fails the test, it is never skipped).

use std::path::Path;
use std::process::Command;
use std::sync::Once;

use crate::common::TestEnv;

static ENSURE: Once = Once::new();

/// Installs the shells, the man tools and `script` if they are missing (once per test
/// process).
pub(crate) fn ensure_tools() {
    ENSURE.call_once(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/shell-tools.sh");
        let out = Command::new("bash")
            .arg(&script)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
        assert!(
            out.status.success(),
            "{} failed:\n{}",
            script.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    });
}

/// Runs `program args` and returns its stdout; panics with stderr when it fails.
#[track_caller]
fn tool(program: &str, args: &[&str]) -> (String, String) {
    let out = Command::new(program)
        .args(args)
        .env("LANG", "C.UTF-8")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "{program} {args:?} failed:\n{stdout}\n{stderr}"
    );
    (stdout, stderr)
}

/// The commands the completion scripts and the manual must know (a sample across the
/// tree, the new commands included).
const COMMANDS: [&str; 8] = [
    "init",
    "round",
    "comment",
    "report",
    "outbox",
    "approve",
    "completions",
    "man",
];

#[test]
fn completion_scripts_for_every_shell_parse_and_complete_commands() {
    ensure_tools();
    let env = TestEnv::new();
    // Outside any workspace: completions need no case.
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = env.run(&["completions", shell]).ok();
        assert!(run.stderr.is_empty(), "{shell}: {}", run.stderr);
        assert!(run.stdout.lines().count() > 100, "{shell}: too short");
        for c in COMMANDS {
            assert!(run.stdout.contains(c), "{shell} script lacks {c}");
        }
        // Options of a subcommand too, not only the top level.
        let due = if shell == "fish" { "-l due" } else { "--due" };
        assert!(run.stdout.contains(due), "{shell} lacks round open --due");
        let file = env.path(&format!("strategi.{shell}"));
        std::fs::write(&file, &run.stdout).expect("write script");
        let file = file.to_str().expect("utf-8 path");
        match shell {
            "bash" => {
                tool("bash", &["-n", file]);
            }
            "zsh" => {
                tool("zsh", &["-n", file]);
                assert!(run.stdout.starts_with("#compdef strategi"), "zsh header");
            }
            "fish" => {
                tool("fish", &["--no-execute", file]);
            }
            "powershell" => {
                assert!(
                    run.stdout
                        .contains("Register-ArgumentCompleter -Native -CommandName 'strategi'"),
                    "powershell registration"
                );
            }
            _ => assert!(
                run.stdout
                    .contains("edit:completion:arg-completer[strategi]")
            ),
        }
    }

    // bash: what the completion function offers after `strategi rou` and `strategi round `.
    let script = env.path("strategi.bash");
    let (out, _) = tool(
        "bash",
        &[
            "-c",
            r#"source "$1"
complete -p strategi
COMP_WORDS=(strategi rou); COMP_CWORD=1; _strategi strategi rou strategi
echo "top: ${COMPREPLY[*]}"
COMP_WORDS=(strategi round ""); COMP_CWORD=2; _strategi strategi "" round
echo "round: ${COMPREPLY[*]}"
COMP_WORDS=(strategi completions ""); COMP_CWORD=2; _strategi strategi "" completions
echo "shells: ${COMPREPLY[*]}""#,
            "bash",
            script.to_str().expect("utf-8 path"),
        ],
    );
    assert!(out.contains("-F _strategi strategi"), "{out}");
    assert!(out.contains("top: round\n"), "{out}");
    let round = out
        .lines()
        .find(|l| l.starts_with("round: "))
        .expect("round line");
    for sub in ["open", "list", "show", "extend", "close", "send"] {
        assert!(
            round.split(' ').any(|w| w == sub),
            "{sub} not offered: {round}"
        );
    }
    let shells = out
        .lines()
        .find(|l| l.starts_with("shells: "))
        .expect("shells");
    for s in ["bash", "zsh", "fish", "powershell"] {
        assert!(
            shells.split(' ').any(|w| w == s),
            "{s} not offered: {shells}"
        );
    }

    // fish: its own completer, asked as the shell asks it.
    let script = env.path("strategi.fish");
    let (out, _) = tool(
        "fish",
        &[
            "-c",
            &format!(
                "source {}; complete -C 'strategi comm'",
                script.to_str().expect("utf-8 path")
            ),
        ],
    );
    assert!(out.starts_with("comment\t"), "{out}");
}

#[test]
fn completions_refuse_an_unknown_shell() {
    let env = TestEnv::new();
    let run = env.run(&["completions", "tcsh"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr.contains("invalid value 'tcsh'"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("bash"), "{}", run.stderr);
}

/// `man --warnings -l FILE` with groff's warnings on: the rendered page and stderr.
fn render_man(env: &TestEnv, page: &str, name: &str) -> (String, String) {
    let file = env.path(name);
    std::fs::write(&file, page).expect("write page");
    let out = Command::new("man")
        .args(["--warnings", "-E", "UTF-8", "-l"])
        .arg(&file)
        .env("LANG", "C.UTF-8")
        .env("MANWIDTH", "100")
        .env_remove("MANPAGER")
        .env("PAGER", "cat")
        .output()
        .expect("run man");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "man -l {name} failed:\n{stderr}");
    (stdout, stderr)
}

#[test]
fn man_pages_render_without_warnings_and_name_the_commands() {
    ensure_tools();
    let env = TestEnv::new();
    let run = env.run(&["man"]).ok();
    assert!(run.stdout.contains(".TH strategi 1"), "{}", run.stdout);
    let (text, warnings) = render_man(&env, &run.stdout, "strategi.1");
    assert!(warnings.is_empty(), "man warned:\n{warnings}");
    assert!(text.contains("NAME"), "{text}");
    assert!(text.contains("SUBCOMMANDS"), "{text}");
    for c in COMMANDS {
        assert!(
            text.contains(&format!("strategi-{c}(1)")),
            "strategi(1) does not list {c}:\n{text}"
        );
    }
    // The global flags are described on the top page.
    assert!(text.contains("--json"), "{text}");
    assert!(!text.contains("strategi-help(1)"), "{text}");

    // A subcommand's page: its own name, synopsis and options.
    let run = env.run(&["man", "round", "open"]).ok();
    let (text, warnings) = render_man(&env, &run.stdout, "strategi-round-open.1");
    assert!(warnings.is_empty(), "man warned:\n{warnings}");
    assert!(text.starts_with("strategi-round-open(1)"), "{text}");
    // Words as a reader sees them (groff justifies lines with extra spaces).
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("SYNOPSIS strategi round open [-C ]"),
        "{text}"
    );
    assert!(
        words.contains("Example: strategi --as DFD round open --version v1"),
        "{text}"
    );
    assert!(text.contains("--due"), "{text}");
    // Non-ASCII text from the help (høring) survives the rendering.
    assert!(text.contains("høring"), "{text}");

    // A command group lists its subcommands' pages.
    let run = env.run(&["man", "comment"]).ok();
    let (text, warnings) = render_man(&env, &run.stdout, "strategi-comment.1");
    assert!(warnings.is_empty(), "man warned:\n{warnings}");
    for sub in ["add", "list", "show", "resolve", "apply", "import"] {
        assert!(
            text.contains(&format!("strategi-comment-{sub}(1)")),
            "{sub}:\n{text}"
        );
    }

    // With --json: one value holding the page.
    let json = env.run(&["--json", "man", "status"]).ok().json();
    assert_eq!(json["command"], "strategi status");
    assert!(
        json["page"]
            .as_str()
            .is_some_and(|p| p.contains(".TH strategi-status 1")),
        "{json}"
    );
}

#[test]
fn man_refuses_an_unknown_command_naming_the_known_ones() {
    let env = TestEnv::new();
    let run = env.run(&["man", "rond"]).refused();
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        run.stderr
            .contains("\"rond\" is not a command of `strategi`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("round"), "{}", run.stderr);
    assert!(run.stderr.contains("Hint:"), "{}", run.stderr);

    let run = env.run(&["man", "round", "opne"]).refused();
    assert!(
        run.stderr
            .contains("\"opne\" is not a command of `strategi round`; its commands are: open,"),
        "{}",
        run.stderr
    );
    let run = env.run(&["man", "status", "now"]).refused();
    assert!(
        run.stderr.contains("`strategi status` has no subcommands"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("`strategi man status`"),
        "{}",
        run.stderr
    );
}
