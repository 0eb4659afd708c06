//! The workspace write lock.
//!
//! One file, `.git/strategi.lock`, locked with the operating system's advisory file lock
//! (`flock`), so the lock disappears with its process even if that process is killed:
//! there are no stale locks to clean up by hand. While held, the file names the holder
//! (process id and command), which is what a waiting process reports if it gives up.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::StoreError;

/// Who holds the lock, as written in the lock file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockHolder {
    /// Process id, if the file said.
    pub pid: Option<u32>,
    /// The command the holder runs, if the file said.
    pub command: String,
}

impl fmt::Display for LockHolder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.pid {
            Some(pid) => write!(f, "process {pid} (\"{}\")", self.command),
            None => f.write_str("another strategi process"),
        }
    }
}

/// A held workspace lock; released when dropped.
#[derive(Debug)]
pub struct WriteLock {
    file: File,
    path: PathBuf,
}

impl WriteLock {
    /// Takes the lock at `path`, waiting up to `timeout` for another holder to finish.
    pub fn acquire(path: &Path, command: &str, timeout: Duration) -> Result<WriteLock, StoreError> {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(StoreError::io("open the lock file", path))?;
        take(&mut file, path, command, timeout)?;
        Ok(WriteLock {
            file,
            path: path.to_path_buf(),
        })
    }

    /// The lock file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Lets go of the lock, keeping the file open, so that other commands can write
    /// while this one waits for something slow (a mail server); [`WriteLock::retake`]
    /// takes it again.
    pub fn release(&mut self) {
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }

    /// Takes the lock again after [`WriteLock::release`], waiting up to `timeout` for
    /// another process to finish, as [`WriteLock::acquire`] does.
    pub fn retake(&mut self, command: &str, timeout: Duration) -> Result<(), StoreError> {
        take(&mut self.file, &self.path, command, timeout)
    }
}

/// Locks `file` (waiting up to `timeout`) and writes the holder's note into it.
fn take(file: &mut File, path: &Path, command: &str, timeout: Duration) -> Result<(), StoreError> {
    let started = Instant::now();
    let mut pause = Duration::from_millis(5);
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(std::fs::TryLockError::WouldBlock) => {
                if started.elapsed() >= timeout {
                    let mut text = String::new();
                    let _ = file.seek(SeekFrom::Start(0));
                    let _ = (&mut *file)
                        .take(crate::input::limits::LOCK)
                        .read_to_string(&mut text);
                    return Err(StoreError::Locked {
                        holder: parse_holder(&text),
                        waited_ms: started.elapsed().as_millis() as u64,
                    });
                }
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(100));
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(StoreError::io("lock", path)(e));
            }
        }
    }
    let note = format!(
        "pid={}\ncommand={}\n",
        std::process::id(),
        command.replace('\n', " ")
    );
    file.set_len(0)
        .map_err(StoreError::io("write the lock file", path))?;
    file.seek(SeekFrom::Start(0))
        .and_then(|_| file.write_all(note.as_bytes()))
        .and_then(|()| file.flush())
        .map_err(StoreError::io("write the lock file", path))?;
    Ok(())
}

impl Drop for WriteLock {
    fn drop(&mut self) {
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

fn parse_holder(text: &str) -> LockHolder {
    let mut holder = LockHolder {
        pid: None,
        command: String::new(),
    };
    for line in text.lines() {
        if let Some(p) = line.strip_prefix("pid=") {
            holder.pid = p.trim().parse().ok();
        } else if let Some(c) = line.strip_prefix("command=") {
            holder.command = c.trim().to_string();
        }
    }
    holder
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_taker_times_out_naming_the_holder() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("strategi.lock");
        let first = WriteLock::acquire(&path, "strategi party add FIN", Duration::from_secs(1))
            .expect("first lock");
        // flock locks belong to the open file description, so a second open in the same
        // process contends just like another process would.
        let err = WriteLock::acquire(&path, "strategi party add KDD", Duration::from_millis(50))
            .expect_err("must time out");
        let msg = err.to_string();
        assert!(msg.contains(&std::process::id().to_string()), "{msg}");
        assert!(msg.contains("strategi party add FIN"), "{msg}");
        drop(first);
        WriteLock::acquire(&path, "x", Duration::from_millis(50)).expect("free again");
    }

    #[test]
    fn a_released_lock_can_be_taken_by_others_and_retaken_after_them() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("strategi.lock");
        let mut sender = WriteLock::acquire(&path, "strategi round send", Duration::from_secs(1))
            .expect("first lock");
        sender.release();
        let colleague =
            WriteLock::acquire(&path, "strategi party add KLD", Duration::from_millis(50))
                .expect("free while released");
        let err = sender
            .retake("strategi round send", Duration::from_millis(50))
            .expect_err("held by the colleague");
        assert!(err.to_string().contains("strategi party add KLD"), "{err}");
        drop(colleague);
        sender
            .retake("strategi round send", Duration::from_millis(50))
            .expect("retaken");
        let err = WriteLock::acquire(&path, "x", Duration::from_millis(50)).expect_err("held");
        assert!(err.to_string().contains("strategi round send"), "{err}");
    }
}
