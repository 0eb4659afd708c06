//! `version cut` keeps version tags in git's `packed-refs` (issue 18): git itself reads
//! them as `version list` does, and a `packed-refs.lock` another program holds makes
//! the cut refuse with nothing changed.

use crate::common::TestEnv;

fn cut(env: &TestEnv, n: usize) {
    std::fs::write(
        env.path("ws/strategy/01-utkast.md"),
        format!("# KI-strategi\n\n## Mål {{#mal}}\n\nUtgave {n}.\n"),
    )
    .expect("write");
    env.run_in("ws", &["version", "cut", "--label", &format!("Utkast {n}")])
        .ok();
}

/// `vN label` lines from `version list --json`.
fn listed(env: &TestEnv) -> Vec<String> {
    let v = env.run_in("ws", &["--json", "version", "list"]).ok().json();
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| {
            format!(
                "{} {}",
                x["name"].as_str().unwrap_or(""),
                x["label"].as_str().unwrap_or("")
            )
        })
        .collect()
}

fn git_tags(env: &TestEnv) -> Vec<String> {
    let out = env
        .git("ws", &["tag", "-n1", "--sort=version:refname"])
        .ok();
    out.stdout
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

#[test]
fn cut_tags_are_packed_and_git_agrees() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    for n in 2..=12 {
        cut(&env, n);
    }
    // No loose tag file: every version tag is a line of packed-refs, with its peeled line.
    let loose: Vec<_> = std::fs::read_dir(env.path("ws/.git/refs/tags"))
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(loose.is_empty(), "loose tags left: {loose:?}");
    let packed = std::fs::read_to_string(env.path("ws/.git/packed-refs")).expect("packed-refs");
    assert!(
        packed.starts_with("# pack-refs with: peeled fully-peeled sorted \n"),
        "{packed}"
    );
    assert_eq!(
        packed.lines().filter(|l| l.starts_with('^')).count(),
        12,
        "{packed}"
    );
    let want = listed(&env);
    assert_eq!(want.len(), 12);
    assert_eq!(want[0], "v1 Utkast");
    assert_eq!(want[11], "v12 Utkast 12");
    assert_eq!(git_tags(&env), want);
    let show = env.git("ws", &["show-ref", "--tags"]).ok().stdout;
    assert_eq!(show.lines().count(), 12, "{show}");
    env.git("ws", &["fsck", "--strict"]).ok();
    // git's own repacking changes nothing strategi sees, and the next cut still works.
    env.git("ws", &["pack-refs", "--all"]).ok();
    assert_eq!(listed(&env), want);
    // A loose tag made by hand is folded into packed-refs by the next cut.
    env.git("ws", &["tag", "-a", "extra", "-m", "Hand made"])
        .ok();
    cut(&env, 13);
    assert!(!env.path("ws/.git/refs/tags/extra").exists());
    let packed = std::fs::read_to_string(env.path("ws/.git/packed-refs")).expect("packed-refs");
    assert!(packed.contains(" refs/tags/extra\n^"), "{packed}");
    assert_eq!(listed(&env).len(), 13);
    assert_eq!(git_tags(&env).len(), 14);
    env.git("ws", &["fsck", "--strict"]).ok();
    env.run_in("ws", &["verify"]).ok();
}

#[test]
fn a_held_packed_refs_lock_refuses_the_cut_unchanged() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    std::fs::write(
        env.path("ws/strategy/01-utkast.md"),
        "# KI-strategi\n\n## Mål {#mal}\n\nNy tekst.\n",
    )
    .expect("write");
    let lock = env.path("ws/.git/packed-refs.lock");
    std::fs::write(&lock, "").expect("lock");
    let before = env.snapshot("ws");
    let out = env
        .strategi_cmd(&["-C", "ws", "version", "cut", "--label", "To"])
        .env("STRATEGI_LOCK_TIMEOUT_MS", "200")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(".git/packed-refs.lock"), "{stderr}");
    assert_eq!(before, env.snapshot("ws"), "a refusal changes nothing");
    std::fs::remove_file(&lock).expect("unlock");
    env.run_in("ws", &["version", "cut", "--label", "To"]).ok();
    assert_eq!(listed(&env), vec!["v1 Utkast", "v2 To"]);
    assert!(!lock.exists());
}
