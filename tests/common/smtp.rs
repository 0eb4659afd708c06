//! The SMTP test server (tests/mail/smtp_server.py, aiosmtpd) for tests that deliver
//! mail. It is started by scripts/smtp-test-server.sh, which installs aiosmtpd from PyPI
//! if it is missing. If the server cannot start, the test fails: it is never skipped.
#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The server process; killed when dropped, so a failing test leaves nothing running.
pub struct Server {
    child: Child,
    /// The port it listens on.
    pub port: u16,
    stderr: PathBuf,
}

impl Server {
    pub fn start(dir: &Path, messages: &Path) -> Server {
        Server::start_on(dir, messages, free_port())
    }

    /// Starts the server on a given port (to bring back a server that was down).
    pub fn start_on(dir: &Path, messages: &Path, port: u16) -> Server {
        Server::start_with(dir, messages, port, &[])
    }

    /// Starts a server that requires a login and accepts only `user_password`
    /// ("USER:PASSWORD"); any other login is answered 535.
    pub fn start_with_auth(dir: &Path, messages: &Path, user_password: &str) -> Server {
        Server::start_with(dir, messages, free_port(), &["--auth", user_password])
    }

    fn start_with(dir: &Path, messages: &Path, port: u16, extra: &[&str]) -> Server {
        let stderr = dir.join("server.stderr");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/smtp-test-server.sh");
        let child = Command::new("bash")
            .arg(&script)
            .arg(port.to_string())
            .arg(messages)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&stderr).expect("create stderr file"))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", script.display()));
        let mut server = Server {
            child,
            port,
            stderr,
        };
        server.wait_until_listening(Duration::from_secs(180));
        server
    }

    fn wait_until_listening(&mut self, limit: Duration) {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                panic!(
                    "the SMTP test server exited ({status}) before listening:\n{}",
                    std::fs::read_to_string(&self.stderr).unwrap_or_default()
                );
            }
            let addr = ([127, 0, 0, 1], self.port).into();
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return;
            }
            assert!(
                start.elapsed() < limit,
                "the SMTP test server did not listen on port {} within {limit:?}:\n{}",
                self.port,
                std::fs::read_to_string(&self.stderr).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A port on 127.0.0.1 that was free when asked, never the same twice in one test run.
pub fn free_port() -> u16 {
    // The tests run in parallel in one process: a port handed to one test (which may
    // not listen on it yet, or not at all, to see "nothing listening") must never be
    // handed to another, or that one's server answers the first one's client.
    static GIVEN: std::sync::Mutex<std::collections::BTreeSet<u16>> =
        std::sync::Mutex::new(std::collections::BTreeSet::new());
    let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
        let port = l.local_addr().expect("local addr").port();
        if given.insert(port) {
            return port;
        }
    }
}

pub fn eml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "eml"));
    files.sort();
    files
}
