//! Snapshots of every `--help` text (issue 11): the top level, every command and every
//! subcommand, found by walking the binary's own help output, so a new command gets a
//! new snapshot that must be reviewed (with `CI=true` a missing snapshot fails).

use std::collections::BTreeSet;
use std::path::Path;

use crate::common::TestEnv;

/// `strategi ARGS --help` at a fixed width of 100 columns. `STRATEGI_NOW` is unset so
/// that clap's `[env: STRATEGI_NOW=]` shows no value, as for someone who has not set it.
fn help(env: &TestEnv, args: &[&str]) -> String {
    let mut full: Vec<&str> = args.to_vec();
    full.push("--help");
    let out = env
        .strategi_cmd(&full)
        .env("COLUMNS", "100")
        .env_remove("STRATEGI_NOW")
        .output()
        .expect("run strategi");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "strategi {full:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The names under `Commands:` in a help text, without clap's own `help`.
fn commands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        // A command's line is indented by two spaces; longer indents continue the
        // description of the line before.
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_string)
        .collect()
}

/// The snapshot name of `strategi ARGS --help`: `strategi-round-open`.
fn snapshot_name(args: &[String]) -> String {
    std::iter::once("strategi")
        .chain(args.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join("-")
}

#[test]
fn every_help_text() {
    let env = TestEnv::new();
    let mut tree = Vec::new();
    let mut names = BTreeSet::new();
    let mut todo: Vec<Vec<String>> = vec![Vec::new()];
    while let Some(path) = todo.pop() {
        let args: Vec<&str> = path.iter().map(String::as_str).collect();
        let text = help(&env, &args);
        let name = snapshot_name(&path);
        insta::assert_snapshot!(name.clone(), text);
        tree.push(name.clone());
        names.insert(name);
        // Depth first, in the order the help lists them.
        for sub in commands(&text).into_iter().rev() {
            let mut next = path.clone();
            next.push(sub);
            todo.push(next);
        }
    }
    assert!(tree.len() > 30, "found only {tree:?}");
    // The command tree itself, so that a new or removed command shows in one place.
    insta::assert_snapshot!("command-tree", tree.join("\n"));

    // A removed command leaves no stale snapshot behind.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let stale: Vec<String> = std::fs::read_dir(&dir)
        .expect("tests/snapshots")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|f| {
            f.strip_prefix("runner__help__")?
                .strip_suffix(".snap")
                .map(str::to_string)
        })
        .filter(|n| n != "command-tree" && !names.contains(n))
        .collect();
    assert!(
        stale.is_empty(),
        "snapshots of help texts no command has any more: {stale:?}"
    );
}
