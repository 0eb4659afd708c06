//! Test environment: runs the real binary on temp workspaces with a fixed clock, a
//! temporary HOME and a hermetic git config.

#![allow(dead_code)]

pub mod html;
pub mod office;
pub mod smtp;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct TestEnv {
    pub tmp: tempfile::TempDir,
    pub home: PathBuf,
    pub now: String,
    /// Whether the setup helpers list parties in `strategi.toml` by hand, as an older
    /// or hand-made workspace does, instead of `party add` (records in `settings/`).
    pub config_parties: std::sync::atomic::AtomicBool,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    #[track_caller]
    pub fn ok(self) -> Run {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn refused(self) -> Run {
        assert_eq!(
            self.code, 1,
            "expected exit 1\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        assert!(
            self.stderr.starts_with("Error: "),
            "stderr should start with Error:\n{}",
            self.stderr
        );
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not one JSON value ({e}):\n{}", self.stdout))
    }
}

impl TestEnv {
    pub fn new() -> TestEnv {
        let tmp = tempfile::tempdir().expect("tempdir");
        let home = tmp.path().join("home");
        std::fs::create_dir_all(&home).expect("home");
        std::fs::write(
            home.join(".gitconfig"),
            "[user]\n\tname = Kari Nordmann\n\temail = kari.nordmann@dio.example\n[init]\n\tdefaultBranch = main\n",
        )
        .expect("gitconfig");
        TestEnv {
            tmp,
            home,
            now: "2025-11-03".to_string(),
            config_parties: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Makes the setup helpers list parties in `strategi.toml` (a hand-made workspace),
    /// for tests that edit them there by hand.
    pub fn parties_in_config(&self) {
        self.config_parties
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Adds a party to the case in `ws`: `party add`, or with
    /// [`TestEnv::parties_in_config`] a `[[party]]` entry in `strategi.toml` committed
    /// with plain git.
    pub fn add_party(&self, ws: &str, code: &str, name: &str, email: &str, lang: &str) {
        if !self
            .config_parties
            .load(std::sync::atomic::Ordering::Relaxed)
        {
            self.run_in(
                ws,
                &[
                    "party", "add", code, "--name", name, "--email", email, "--lang", lang,
                ],
            )
            .ok();
            return;
        }
        let path = self.path(&format!("{ws}/strategi.toml"));
        let mut text = std::fs::read_to_string(&path).expect("config");
        text.push_str(&format!(
            "\n[[party]]\ncode = \"{code}\"\nname = \"{name}\"\nemail = \"{email}\"\nlang = \"{lang}\"\n"
        ));
        std::fs::write(&path, text).expect("write config");
        self.git(
            ws,
            &["commit", "-qam", &format!("Add party {code} by hand")],
        )
        .ok();
    }

    /// Lists `key` (a public key line) for `party` in `strategi.toml` and commits it
    /// as strategi before settings records did (trailers acting as the party): the
    /// party's own key in a hand-made or older workspace. The party must be listed
    /// there without keys ([`TestEnv::parties_in_config`]).
    pub fn key_in_config(&self, ws: &str, party: &str, key: &str) {
        let path = self.path(&format!("{ws}/strategi.toml"));
        let text = std::fs::read_to_string(&path).expect("config");
        let code = format!("code = \"{party}\"");
        let mut out = String::new();
        for line in text.lines() {
            out.push_str(line);
            out.push('\n');
            if line.trim() == code {
                out.push_str(&format!("keys = [\"{key}\"]\n"));
            }
        }
        assert_ne!(out, text, "no [[party]] {party} in strategi.toml");
        std::fs::write(&path, out).expect("write config");
        self.git(
            ws,
            &[
                "commit",
                "-qam",
                &format!(
                    "Add signing key for {party}\n\nStrategi-Action: party-key\nStrategi-Party: {party}\nStrategi-Actor: Kari Nordmann <kari.nordmann@dio.example>"
                ),
            ],
        )
        .ok();
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    fn command(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.current_dir(self.tmp.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.home)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", self.home.join(".gitconfig"))
            .env("STRATEGI_NOW", &self.now)
            .env("NO_COLOR", "1")
            .env("LANG", "C.UTF-8");
        c
    }

    pub fn strategi_cmd(&self, args: &[&str]) -> Command {
        let mut c = self.command(env!("CARGO_BIN_EXE_strategi"));
        c.args(args);
        c
    }

    pub fn run(&self, args: &[&str]) -> Run {
        to_run(self.strategi_cmd(args).output().expect("run strategi"))
    }

    /// Runs strategi in the workspace `ws` (relative to the temp dir).
    pub fn run_in(&self, ws: &str, args: &[&str]) -> Run {
        let mut full = vec!["-C", ws];
        full.extend_from_slice(args);
        self.run(&full)
    }

    pub fn git(&self, ws: &str, args: &[&str]) -> Run {
        let mut c = self.git_cmd(ws, args);
        to_run(c.output().expect("run git"))
    }

    /// Plain git in `ws`, in the test's environment. Its commits are dated at the start
    /// of the test clock's day (UTC), so that strategi's writes dated that day come after
    /// them: strategi refuses a write dated before the latest commit.
    pub fn git_cmd(&self, ws: &str, args: &[&str]) -> Command {
        let mut c = self.command("git");
        if self.now.len() == 10 {
            let date = format!("{} 00:00:00 +0000", self.now);
            c.env("GIT_AUTHOR_DATE", &date)
                .env("GIT_COMMITTER_DATE", &date);
        }
        c.arg("-C").arg(self.path(ws)).args(args);
        c
    }

    /// A workspace `ws` with the case, two parties, a milestone and the draft.
    pub fn workspace(&self, ws: &str) {
        self.run(&[
            "init",
            ws,
            "--title",
            "KI-strategi",
            "--owner",
            "DIO",
            "--approver",
            "DFD",
            "--case",
            "24/3095",
        ])
        .ok();
        self.add_party(
            ws,
            "FIN",
            "Finansdepartementet",
            "postmottak@fin.example",
            "nb",
        );
        self.add_party(
            ws,
            "KDD",
            "Kommunal- og distriktsdepartementet",
            "postmottak@kdd.example",
            "nn",
        );
        self.run_in(
            ws,
            &[
                "milestone",
                "add",
                "forslag-dfd",
                "--title",
                "Forslag til DFD",
                "--due",
                "2025-12-01",
                "--owner",
                "DIO",
            ],
        )
        .ok();
    }

    /// [`TestEnv::workspace`] plus DFD as a listed party and a version v1 of a short
    /// draft with the section `mal`.
    pub fn workspace_with_version(&self, ws: &str) {
        self.workspace(ws);
        self.add_party(
            ws,
            "DFD",
            "Digitaliserings- og forvaltningsdepartementet",
            "postmottak@dfd.example",
            "nb",
        );
        std::fs::write(
            self.path(&format!("{ws}/strategy/01-utkast.md")),
            "# KI-strategi\n\n## Mål {#mal}\n\nVi skal lære.\n",
        )
        .expect("write");
        self.run_in(ws, &["version", "cut", "--label", "Utkast"])
            .ok();
    }

    /// Every file under `dir` (including `.git`), with its bytes; but for the read cache
    /// `.git/strategi-cache/`, which any command (a refused one too) may refresh and
    /// which is never state (tests/read_cache.rs shows reads agree with and without it).
    pub fn snapshot(&self, dir: &str) -> BTreeMap<PathBuf, Vec<u8>> {
        fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
            for e in std::fs::read_dir(dir).expect("read_dir") {
                let e = e.expect("entry");
                let p = e.path();
                if p.strip_prefix(root)
                    .is_ok_and(|r| r == Path::new(".git/strategi-cache"))
                {
                    continue;
                }
                if p.is_dir() {
                    walk(root, &p, out);
                } else {
                    out.insert(
                        p.strip_prefix(root).expect("prefix").to_path_buf(),
                        std::fs::read(&p).expect("read"),
                    );
                }
            }
        }
        let mut out = BTreeMap::new();
        walk(&self.path(dir), &self.path(dir), &mut out);
        out
    }

    /// Asserts that running `args` in `ws` is refused (exit 1) and changes no byte.
    #[track_caller]
    pub fn assert_refused_unchanged(&self, ws: &str, args: &[&str]) -> Run {
        let before = self.snapshot(ws);
        let run = self.run_in(ws, args).refused();
        let after = self.snapshot(ws);
        if before != after {
            let changed: Vec<_> = after
                .keys()
                .chain(before.keys())
                .filter(|k| before.get(*k) != after.get(*k))
                .collect();
            panic!("{args:?} changed files: {changed:?}");
        }
        run
    }
}

fn to_run(o: Output) -> Run {
    Run {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// Fixtures shared by several test modules.
impl TestEnv {
    /// Makes an ed25519 key pair without a passphrase with the stock `ssh-keygen`;
    /// returns the private key's path (the public key is beside it, `.pub`).
    pub fn keygen(&self, name: &str) -> String {
        let path = self.path(name);
        let out = Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
            .arg(&path)
            .output()
            .expect("run ssh-keygen");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        path.to_string_lossy().into_owned()
    }

    /// A workspace `ws` with DFD, HOD and KD added to the usual parties, `draft` cut as
    /// v1 ("Utkast"), and a round from DFD to FIN, KDD, HOD and KD due 2025-11-28, sent
    /// (its letters queued in the outbox: an answer cannot come before its letter);
    /// returns the round id.
    pub fn round_to_four(&self, draft: &str) -> String {
        self.workspace("ws");
        for (code, name) in [
            ("DFD", "Digitaliserings- og forvaltningsdepartementet"),
            ("HOD", "Helse- og omsorgsdepartementet"),
            ("KD", "Kunnskapsdepartementet"),
        ] {
            let email = format!("postmottak@{}.example", code.to_lowercase());
            self.add_party("ws", code, name, &email, "nb");
        }
        std::fs::write(self.path("ws/strategy/01-utkast.md"), draft).expect("draft");
        self.run_in("ws", &["version", "cut", "--label", "Utkast"])
            .ok();
        self.run_in(
            "ws",
            &[
                "--as",
                "DFD",
                "round",
                "open",
                "--version",
                "v1",
                "--to",
                "FIN,KDD,HOD,KD",
                "--due",
                "2025-11-28",
            ],
        )
        .ok();
        let id = self.run_in("ws", &["--json", "round", "list"]).json()[0]["id"]
            .as_str()
            .expect("id")
            .to_string();
        self.run_in("ws", &["--as", "DFD", "round", "send", &id])
            .ok();
        id
    }
}

/// The Markdown files of a folder of the project (`strategy` for the shipped draft,
/// `demo/revisjon-1` for its revision), sorted by name, as `strategy/` holds them.
pub fn shipped_sources(dir: &str) -> Vec<strategi::document::SourceFile> {
    let mut files: Vec<strategi::document::SourceFile> =
        std::fs::read_dir(format!("{}/{dir}", env!("CARGO_MANIFEST_DIR")))
            .expect("dir")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "md"))
            .map(|p| {
                strategi::document::SourceFile::new(
                    p.file_name().expect("name").to_string_lossy(),
                    std::fs::read_to_string(&p).expect("read"),
                )
            })
            .collect();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    files
}
