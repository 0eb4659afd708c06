//! Reproducibility (issue 11): with the same `STRATEGI_SEED`, clock and git identity,
//! two runs of `strategi demo` in two different folders print the same and write the
//! same history, byte for byte, except for what follows from the signing key the demo
//! makes (a fresh random Ed25519 key each run).

use std::collections::BTreeMap;

use crate::common::TestEnv;

/// The seed of both runs.
const SEED: &str = "1105";

/// One run of the demo into `demo` of a fresh temp dir: its stdout and stderr with the
/// temp dir's path replaced by `$TMP`, `git log -p --format=raw` (newest first), and
/// every tag object.
struct DemoRun {
    stdout: String,
    stderr: String,
    log: String,
    tags: String,
}

fn demo_run(seed: &str) -> DemoRun {
    let env = TestEnv::new();
    let out = env
        .strategi_cmd(&["demo", "demo"])
        .env("STRATEGI_SEED", seed)
        .output()
        .expect("run strategi demo");
    let tmp = |s: &[u8]| {
        let mut s = String::from_utf8_lossy(s).into_owned();
        let path = env.tmp.path();
        // The longer (canonical) spelling first, should /tmp be a symbolic link.
        for p in [path.canonicalize().expect("canonical"), path.to_path_buf()] {
            s = s.replace(&p.display().to_string(), "$TMP");
        }
        s
    };
    let (stdout, stderr) = (tmp(&out.stdout), tmp(&out.stderr));
    assert!(out.status.success(), "demo failed:\n{stdout}\n{stderr}");
    // DIO's clone; DFD's is on the same commit (the demo checks that itself).
    let log = env
        .git("demo/dio", &["log", "-p", "--format=raw"])
        .ok()
        .stdout;
    let mut tags = String::new();
    for name in env
        .git("demo/dio", &["tag", "--list"])
        .ok()
        .stdout
        .lines()
        .filter(|l| !l.is_empty())
    {
        let object = env.git("demo/dio", &["cat-file", "-p", name]).ok().stdout;
        tags.push_str(&format!("=== {name}\n{object}"));
    }
    DemoRun {
        stdout,
        stderr,
        log: tmp(log.as_bytes()),
        tags,
    }
}

/// The commits of a `git log --format=raw` text, oldest first.
fn commits(log: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in log.split_inclusive('\n') {
        match out.last_mut() {
            Some(c) if !line.starts_with("commit ") => c.push_str(line),
            _ => out.push(line.to_string()),
        }
    }
    out.reverse();
    out
}

/// Whether text carries key material: an OpenSSH public key, a key fingerprint or an
/// SSH signature.
fn has_key_material(text: &str) -> bool {
    text.contains("ssh-ed25519 AAAA") || text.contains("SHA256:") || text.contains("SSH SIGNATURE")
}

/// Masks what derives from the demo's random signing key, for the commits from the one
/// that adds the key on:
/// - the public key (`ssh-ed25519 AAAA…`), fingerprints (`SHA256:` and 43 base64
///   characters) and the armored signature of the signed tag;
/// - object ids: the `commit`/`tree`/`parent`/`object` header lines and the diffs'
///   `index` lines (the commit that adds the key has another tree, so it and every
///   later commit has other ids);
/// - the ids of records made after the key was added: `STRATEGI_SEED` is salted with
///   HEAD at the start of each transaction, so a different HEAD gives different (still
///   reproducible) ids. They are found as the names of the files those commits add
///   (`<time>-<id>.toml`) and numbered in order of first appearance, so that the two
///   runs must still use each id in the same places.
///
/// Everything else (messages, trailers, record contents, dates, paths) stays.
fn mask(text: &str) -> String {
    let mut ids: Vec<String> = Vec::new();
    for line in text.lines() {
        if let Some(path) = line.strip_prefix("+++ b/")
            && let Some(stem) = path.strip_suffix(".toml")
            && let Some((_, id)) = stem.rsplit_once('-')
            && id.len() == 8
            && !ids.iter().any(|i| i == id)
        {
            ids.push(id.to_string());
        }
    }
    let mut out = String::new();
    let mut in_signature = false;
    for line in text.lines() {
        if line == "-----BEGIN SSH SIGNATURE-----" {
            in_signature = true;
            out.push_str("<SSH signature>\n");
            continue;
        }
        if in_signature {
            in_signature = line != "-----END SSH SIGNATURE-----";
            continue;
        }
        let mut line = line.to_string();
        for header in ["commit ", "tree ", "parent ", "object "] {
            if line.starts_with(header) && line.len() == header.len() + 40 {
                line = format!("{header}<object id>");
            }
        }
        if line.starts_with("index ") {
            line = "index <blob ids>".to_string();
        }
        line = mask_after(&line, "SHA256:", 43, "<fingerprint>");
        line = mask_after(&line, "ssh-ed25519 ", 68, "<public key>");
        for (n, id) in ids.iter().enumerate() {
            line = line.replace(id.as_str(), &format!("<record id {n}>"));
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Replaces the `len` characters after each `marker` in `line` by `with`.
fn mask_after(line: &str, marker: &str, len: usize, with: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(i) = rest.find(marker) {
        let after = i + marker.len();
        out.push_str(&rest[..after]);
        out.push_str(with);
        rest = rest.get(after + len..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// Asserts two texts are equal, showing the first line that differs.
#[track_caller]
fn assert_same(what: &str, a: &str, b: &str) {
    if a != b {
        let (i, (la, lb)) = a
            .lines()
            .zip(b.lines())
            .enumerate()
            .find(|(_, (x, y))| x != y)
            .unwrap_or((0, ("(length)", "(length)")));
        panic!(
            "{what} differs between two runs with the same seed, first at line {}:\n  {la}\n  {lb}",
            i + 1
        );
    }
}

#[test]
fn the_demo_is_reproducible_with_a_fixed_seed() {
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| demo_run(SEED));
        let b = demo_run(SEED);
        (a.join().expect("first run"), b)
    });
    // The output: the key's fingerprint is printed when it is added and used.
    let fingerprints = |s: &str| mask_after(s, "SHA256:", 43, "<fingerprint>");
    assert_same("stdout", &fingerprints(&a.stdout), &fingerprints(&b.stdout));
    // The demo ends naming the clones' common commit, which follows from the key too.
    let head = |s: &str| {
        mask_after(
            &fingerprints(s),
            "Both clones are on commit ",
            12,
            "<commit>",
        )
    };
    assert_same("stderr", &head(&a.stderr), &head(&b.stderr));

    // The history up to the commit that adds the key: identical, commit ids included.
    let (ca, cb) = (commits(&a.log), commits(&b.log));
    assert_eq!(ca.len(), cb.len(), "number of commits");
    let first_key = ca
        .iter()
        .position(|c| has_key_material(c))
        .expect("the demo adds a signing key");
    assert!(first_key > 30, "only {first_key} commits before the key");
    for (i, (x, y)) in ca.iter().zip(&cb).enumerate().take(first_key) {
        assert_same(&format!("commit {} (oldest is 1)", i + 1), x, y);
    }
    assert!(
        cb.iter().position(|c| has_key_material(c)) == Some(first_key),
        "the second run adds the key in another commit"
    );
    // From there on, equal once key material and what follows from it is masked.
    let rest = |c: &[String]| mask(&c[first_key..].concat());
    assert_same("the history from the key on", &rest(&ca), &rest(&cb));

    // The tags: versions identical; the signed approval tag apart from its signature.
    let tags = |t: &str| -> BTreeMap<String, String> {
        t.split("=== ")
            .filter(|s| !s.is_empty())
            .map(|s| {
                let (name, body) = s.split_once('\n').unwrap_or((s, ""));
                (name.to_string(), body.to_string())
            })
            .collect()
    };
    let (ta, tb) = (tags(&a.tags), tags(&b.tags));
    assert_eq!(
        ta.keys().collect::<Vec<_>>(),
        ["approved/v2", "v1", "v2"],
        "tags"
    );
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for (name, x) in &ta {
        let y = &tb[name];
        if has_key_material(x) {
            assert!(x.contains("-----BEGIN SSH SIGNATURE-----"), "{x}");
            assert_same(&format!("tag {name}"), &mask(x), &mask(y));
        } else {
            assert_same(&format!("tag {name}"), x, y);
        }
    }
}

/// The masking keeps what it should: a quick check on a made-up commit.
#[test]
fn masking_hides_only_key_material_and_what_follows_from_it() {
    let text = "commit 0375e89ae99ef6cc3ebd02182e4ab643184f421d\ntree 48ba9d9a020257052f88f806a896186b55a45e50\n\n    Add signing key SHA256:CNFcZP5oPdLMMQPkjWv4vGUEFqVTwEkciyLP+TlOhlM for DFD\n\ndiff --git a/approvals/20260202T110000Z-asnp3yx9.toml b/approvals/20260202T110000Z-asnp3yx9.toml\nindex 0000000..648ff21\n+++ b/approvals/20260202T110000Z-asnp3yx9.toml\n+id = \"asnp3yx9\"\n+commit = \"5ce30a149188cdafb43e37d8da78fa59c0470623\"\n+keys = [\"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPhLtGGYfOYlLkdogmX3hUdvHYcojxRl4a32FBMJrfUo DFD approval (demo)\"]\n";
    let masked = mask(text);
    assert_eq!(
        masked,
        "commit <object id>\ntree <object id>\n\n    Add signing key SHA256:<fingerprint> for DFD\n\ndiff --git a/approvals/20260202T110000Z-<record id 0>.toml b/approvals/20260202T110000Z-<record id 0>.toml\nindex <blob ids>\n+++ b/approvals/20260202T110000Z-<record id 0>.toml\n+id = \"<record id 0>\"\n+commit = \"5ce30a149188cdafb43e37d8da78fa59c0470623\"\n+keys = [\"ssh-ed25519 <public key> DFD approval (demo)\"]\n"
    );
}

/// The tour in README.md is the seeded demo's output as `scripts/readme-tour.sh` cuts it:
/// the test runs the script (with this build's binary) and compares its block with the
/// README's, so the README cannot go stale.
#[test]
fn the_readme_tour_is_the_demos_current_output() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = || {
        let out = std::process::Command::new("bash")
            .arg(root.join("scripts/readme-tour.sh"))
            .arg("--print")
            .env("STRATEGI", env!("CARGO_BIN_EXE_strategi"))
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run scripts/readme-tour.sh");
        assert!(
            out.status.success(),
            "scripts/readme-tour.sh --print failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8")
    };
    let generated = run();
    // The block is what the demo printed, cut short, with no temp paths or key material.
    assert!(
        generated.contains("dio$ strategi version cut --label"),
        "{generated}"
    );
    assert!(generated.contains("The pages to open"), "{generated}");
    assert!(
        !generated.contains("/tmp")
            && !generated.contains("ssh-ed25519 AAAA")
            && generated.matches("SHA256:").count() == generated.matches("SHA256:…").count(),
        "{generated}"
    );
    assert!(generated.lines().count() < 150, "the tour is short");
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let begin = "<!-- tour:begin -->\n";
    let (Some(b), Some(e)) = (readme.find(begin), readme.find("<!-- tour:end -->")) else {
        panic!("README.md has no <!-- tour:begin --> / <!-- tour:end --> markers");
    };
    assert!(
        readme[b + begin.len()..e] == generated,
        "README.md's tour is not the demo's current output: run scripts/readme-tour.sh \
         (it rewrites the block between the markers) and commit README.md.\n\
         --- generated ---\n{generated}"
    );
    // Byte-stable: a second run gives the same block.
    assert_eq!(run(), generated, "the tour differs between two runs");
}
