//! The read cache (issue 18): `.git/strategi-cache/` is a pure cache. Deleted,
//! overwritten with random bytes, left from another tree, blocked, or standing against
//! a record edited by hand, every read command prints byte for byte what it prints
//! with no cache at all (`STRATEGI_READ_CACHE=off`), on the shipped demo case and on a
//! generated one.

use std::path::{Path, PathBuf};

use crate::common::TestEnv;

/// The read commands compared: each one's exit code, stdout and stderr.
fn reads(env: &TestEnv, ws: &str, round: &str, cache: bool) -> Vec<String> {
    let commands: [&[&str]; 5] = [
        &["--json", "status"],
        &["status"],
        &["--json", "round", "show", round],
        &["--json", "comment", "list"],
        &["report", round, "--format", "csv"],
    ];
    commands
        .iter()
        .map(|args| {
            let mut full = vec!["-C", ws];
            full.extend_from_slice(args);
            let mut c = env.strategi_cmd(&full);
            if !cache {
                c.env("STRATEGI_READ_CACHE", "off");
            }
            let out = c.output().expect("run strategi");
            format!(
                "$ strategi {}\nexit {:?}\n{}\n{}",
                args.join(" "),
                out.status.code(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        })
        .collect()
}

#[track_caller]
fn assert_same(env: &TestEnv, ws: &str, round: &str, want: &[String], what: &str) {
    let got = reads(env, ws, round, true);
    for (g, w) in got.iter().zip(want) {
        assert_eq!(g, w, "{what}: output differs from the one without a cache");
    }
}

fn cache_dir(env: &TestEnv, ws: &str) -> PathBuf {
    env.path(&format!("{ws}/.git/strategi-cache"))
}

fn cache_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    out.sort();
    out
}

/// A small fixed-seed generator (xorshift), for the random bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| (self.next() >> 24) as u8).collect()
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for f in cache_files(from) {
        std::fs::copy(&f, to.join(f.file_name().expect("name"))).expect("copy");
    }
}

/// Every scenario on workspace `ws` with round `round`; `commit` makes a commit that
/// changes the records (for the cache from another tree), `edit` is a record file to
/// edit by hand.
fn every_scenario(env: &TestEnv, ws: &str, round: &str, commit: &dyn Fn(), edit: &str) {
    let dir = cache_dir(env, ws);
    let _ = std::fs::remove_dir_all(&dir);
    let want = reads(env, ws, round, false);
    assert!(!dir.exists(), "STRATEGI_READ_CACHE=off writes no cache");
    assert!(
        want.iter().all(|w| w.contains("exit Some(0)")),
        "the reads succeed: {want:#?}"
    );
    assert!(want[3].len() > 100, "comments are listed: {}", want[3]);

    // Cold (built here), then warm.
    assert_same(env, ws, round, &want, "no cache");
    assert!(
        cache_files(&dir).len() >= 3,
        "the cache is written: {:?}",
        cache_files(&dir)
    );
    assert_same(env, ws, round, &want, "warm cache");

    // Deleted.
    std::fs::remove_dir_all(&dir).expect("rm");
    assert_same(env, ws, round, &want, "deleted cache");

    // Random bytes: each file overwritten (same length), one truncated, one emptied,
    // and a single byte flipped in another.
    let mut rng = Rng(0x5eed_1805);
    let files = cache_files(&dir);
    for (i, f) in files.iter().enumerate() {
        let bytes = std::fs::read(f).expect("read");
        let new = match i % 4 {
            0 => rng.bytes(bytes.len()),
            1 => bytes[..bytes.len() / 2].to_vec(),
            2 => Vec::new(),
            _ => {
                let mut b = bytes.clone();
                let at = (rng.next() as usize) % b.len();
                b[at] ^= 0x10;
                b
            }
        };
        std::fs::write(f, new).expect("write");
    }
    assert_same(env, ws, round, &want, "corrupted cache");
    assert_same(env, ws, round, &want, "cache rebuilt after corruption");

    // From another tree: the warm cache of before a commit that changes the records.
    let old = env.path(&format!("{ws}-old-cache"));
    copy_dir(&dir, &old);
    commit();
    std::fs::remove_dir_all(&dir).expect("rm");
    let want = reads(env, ws, round, false);
    copy_dir(&old, &dir);
    assert_same(env, ws, round, &want, "cache from another tree");

    // A record edited by hand in the working tree, after the cache was built: once
    // with the same size and its old modification time put back, once longer.
    assert_same(env, ws, round, &want, "warm again");
    let path = env.path(&format!("{ws}/{edit}"));
    let text = std::fs::read_to_string(&path).expect("read record");
    let mtime = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .expect("mtime");
    let same_size = text.replacen('e', "E", 1);
    assert_eq!(same_size.len(), text.len());
    assert_ne!(same_size, text, "the edit changes the record");
    std::fs::write(&path, &same_size).expect("edit");
    std::fs::File::options()
        .write(true)
        .open(&path)
        .and_then(|f| f.set_modified(mtime))
        .expect("set mtime");
    let edited = reads(env, ws, round, false);
    assert_ne!(edited, want, "the hand edit shows in the reads");
    assert_same(env, ws, round, &edited, "record edited by hand, same size");
    std::fs::write(&path, same_size.replacen('E', "Eee", 1)).expect("edit");
    let edited = reads(env, ws, round, false);
    assert_same(env, ws, round, &edited, "record edited by hand, longer");
    std::fs::write(&path, &text).expect("restore");

    // A cache that cannot be written (its folder is a file): reads still work.
    std::fs::remove_dir_all(&dir).expect("rm");
    std::fs::write(&dir, "not a folder").expect("block");
    assert_same(env, ws, round, &want, "cache that cannot be written");
    std::fs::remove_file(&dir).expect("unblock");

    // verify reads the records themselves: it writes no cache.
    let v = env.run_in(ws, &["--json", "verify"]);
    assert!(!dir.exists(), "verify wrote a cache: {}", v.stdout);
}

fn first_round(env: &TestEnv, ws: &str) -> String {
    let list = env.run_in(ws, &["--json", "round", "list"]).ok().json();
    list[0]["id"].as_str().expect("round id").to_string()
}

#[test]
fn the_shipped_demo_reads_alike_with_any_cache() {
    let env = TestEnv::new();
    env.strategi_cmd(&["demo", "demo"])
        .env("STRATEGI_SEED", "1805")
        .output()
        .expect("demo");
    let ws = "demo/dio";
    let round = first_round(&env, ws);
    let comments = format!("{ws}/consultations/{round}/comments");
    let edit = std::fs::read_dir(env.path(&comments))
        .expect("comments")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .min()
        .expect("a comment file");
    let commit = || {
        // A later decision on the first comment, committed with plain git.
        let list = env.run_in(ws, &["--json", "comment", "list"]).ok().json();
        let id = list[0]["id"].as_str().expect("a comment").to_string();
        std::fs::write(
            env.path(&format!(
                "{ws}/consultations/{round}/decisions/20251104T090000Z-d9000001.toml"
            )),
            format!(
                "id = \"d9000001\"\ncomment = \"{id}\"\ndecision = \"noted\"\nby = \"DIO\"\nat = \"2025-11-04T09:00:00Z\"\n"
            ),
        )
        .expect("decision");
        env.git(ws, &["add", "-A"]).ok();
        env.git(ws, &["commit", "-qm", "A later decision"]).ok();
    };
    every_scenario(
        &env,
        ws,
        &round,
        &commit,
        &format!("consultations/{round}/comments/{edit}"),
    );
}

/// A generated case: a round to FIN and KDD with 300 comments in 30 files, every
/// second one decided, and one record that is ignored (by a party that is no
/// recipient).
#[test]
fn a_generated_case_reads_alike_with_any_cache() {
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
            "2025-12-01",
        ],
    )
    .ok();
    let round = first_round(&env, "ws");
    let base = env.path(&format!("ws/consultations/{round}"));
    std::fs::create_dir_all(base.join("comments")).expect("mkdir");
    std::fs::create_dir_all(base.join("decisions")).expect("mkdir");
    let mut n = 0;
    for file in 0..30 {
        let party = ["FIN", "KDD", "JD"][file % 3];
        let mut text = String::new();
        for k in 0..10 {
            n += 1;
            text.push_str(&format!(
                "[[comment]]\nid = \"c{n:07}\"\nparty = \"{party}\"\nby = \"DIO\"\nat = \"2025-11-03T10:{:02}:00Z\"\nversion = \"v1\"\nsection = \"mal\"\ntext = \"Merknad {n} fra {party}: presiser ansvaret, «æøå».\"\nproposal = \"Ny tekst {k}\"\n\n",
                file
            ));
            if n % 2 == 0 {
                std::fs::write(
                    base.join(format!("decisions/20251103T120000Z-d{n:07}.toml")),
                    format!(
                        "id = \"d{n:07}\"\ncomment = \"c{n:07}\"\ndecision = \"partly\"\nnote = \"Delvis tatt inn.\"\nby = \"DIO\"\nat = \"2025-11-03T12:00:00Z\"\n"
                    ),
                )
                .expect("decision");
            }
        }
        std::fs::write(
            base.join(format!(
                "comments/20251103T10{file:02}00Z-c{:07}.toml",
                n - 9
            )),
            text,
        )
        .expect("comments");
    }
    env.git("ws", &["add", "-A"]).ok();
    env.git("ws", &["commit", "-qm", "Generated comments"]).ok();
    let commit = || {
        std::fs::write(
            base.join("decisions/20251103T130000Z-d9000001.toml"),
            "id = \"d9000001\"\ncomment = \"c0000001\"\ndecision = \"rejected\"\nnote = \"Ikke tatt inn.\"\nby = \"DIO\"\nat = \"2025-11-03T13:00:00Z\"\n",
        )
        .expect("decision");
        std::fs::write(
            base.join("comments/20251103T130000Z-c9000001.toml"),
            "[[comment]]\nid = \"c9000001\"\nparty = \"FIN\"\nby = \"DIO\"\nat = \"2025-11-03T13:00:00Z\"\nversion = \"v1\"\ntext = \"En sen merknad.\"\n",
        )
        .expect("comment");
        env.git("ws", &["add", "-A"]).ok();
        env.git("ws", &["commit", "-qm", "More records"]).ok();
    };
    every_scenario(
        &env,
        "ws",
        &round,
        &commit,
        &format!("consultations/{round}/comments/20251103T100000Z-c0000001.toml"),
    );
}

/// A process killed between writing a cache file and renaming it leaves a temporary
/// file in the cache folder: the next read that writes the cache removes it, and so
/// does the next write command; a live process's temporary file is left alone.
#[test]
fn temporary_cache_files_of_killed_processes_are_swept() {
    let env = TestEnv::new();
    env.workspace_with_version("ws");
    env.run_in("ws", &["status"]).ok();
    let dir = cache_dir(&env, "ws");
    assert!(!cache_files(&dir).is_empty(), "status wrote no cache");
    // No process has an id this high (Linux's pid_max is at most 2^22).
    let dead = dir.join(".consultations.bin.3.tmp-4000000000");
    let live = dir.join(format!(".consultations.bin.4.tmp-{}", std::process::id()));
    let left = |path: &Path| std::fs::write(path, b"half a cache file").expect("temp file");
    left(&dead);
    left(&live);
    // The read writes a cache file only if one is stale: remove them all.
    for f in cache_files(&dir) {
        if !f
            .file_name()
            .is_some_and(|n| n.to_string_lossy().contains(".tmp-"))
        {
            std::fs::remove_file(f).expect("remove cache file");
        }
    }
    env.run_in("ws", &["status"]).ok();
    assert!(
        !dead.exists(),
        "a read left a dead process's temporary file"
    );
    assert!(
        live.exists(),
        "a read removed a live process's temporary file"
    );
    left(&dead);
    env.run_in(
        "ws",
        &[
            "party",
            "add",
            "ZZZ",
            "--name",
            "Z",
            "--email",
            "z@z.example",
        ],
    )
    .ok();
    assert!(
        !dead.exists(),
        "a write left a dead process's temporary file"
    );
    assert!(
        live.exists(),
        "a write removed a live process's temporary file"
    );
}
