//! Records: small TOML files written once (definitions and facts).
//!
//! The store reads and writes them as text; what they mean is the business of the
//! layers above. Parsing goes through [`parse_record`] so that every error names the
//! file, line and column.

use std::path::Path;

use serde::de::DeserializeOwned;

use super::{StoreError, Workspace};
use crate::input::{limits, read_bounded_text};

/// A record file read from the working tree.
#[derive(Debug, Clone)]
pub struct RecordFile {
    /// Path relative to the workspace root, `/`-separated.
    pub path: String,
    /// Its text.
    pub text: String,
    /// The clock it is folded by, as the history proves it ([`super::ProvenClocks`]);
    /// `None` where the reader has none (a workspace without commits).
    pub clock: Option<u64>,
}

impl RecordFile {
    /// Parses the record as [`parse_record`] does, with its clocks (its own `clock` and
    /// those of its `[[comment]]`s) set to [`RecordFile::clock`], the one history
    /// proves, whatever the file says: a forged clock does not move a fact in a fold.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, StoreError> {
        let Some(n) = self.clock else {
            return parse_record(&self.path, &self.text);
        };
        let Ok(mut table) = self.text.parse::<toml::Table>() else {
            return parse_record(&self.path, &self.text);
        };
        super::proven::set_clocks(&mut table, n);
        match T::deserialize(toml::Value::Table(table)) {
            Ok(t) => Ok(t),
            // The typed parse names the line and column of what does not fit.
            Err(_) => parse_record(&self.path, &self.text),
        }
    }
}

/// Parses a TOML record, reporting errors with file, line and column.
pub fn parse_record<T: DeserializeOwned>(path: &str, text: &str) -> Result<T, StoreError> {
    toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        let (line, column) = line_col(text, offset);
        StoreError::BadFile {
            path: Path::new(path).to_path_buf(),
            line,
            column,
            message: format!(
                "{} (strategi writes this file: if it was changed here, restore it with `git checkout -- {path}`; if it is committed as it is (`git status -- {path}` shows nothing; `git log -- {path}` shows who added it), remove it in a commit with `git rm {path} && git commit -m \"Remove the unreadable record {path}\"` and run `strategi sync` to share the fix)",
                e.message().trim_end()
            ),
        }
    })
}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The entries of a folder, or none if it does not exist.
fn entries(dir: &Path) -> Result<Vec<std::fs::DirEntry>, StoreError> {
    match std::fs::read_dir(dir) {
        Ok(e) => e
            .collect::<Result<_, _>>()
            .map_err(StoreError::io("read the folder", dir)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(StoreError::io("read the folder", dir)(e)),
    }
}

/// Whether a folder holds a file (not a temporary one) at any depth; stops at the
/// first. An unreadable folder counts as holding one, so that it is reported, not
/// skipped.
fn holds_a_file(dir: &Path, depth: usize) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return true;
    };
    let mut dirs = Vec::new();
    for e in entries.flatten() {
        match e.file_type() {
            Ok(t) if t.is_dir() => dirs.push(e.path()),
            Ok(_) => {
                let name = e.file_name();
                if super::gitlocks::temp_file_pid(&name.to_string_lossy()).is_none() {
                    return true;
                }
            }
            Err(_) => return true,
        }
    }
    depth >= 16 || dirs.iter().any(|d| holds_a_file(d, depth + 1))
}

/// A reader of a workspace's record files: a plain path, so that it can be shared
/// between threads (the repository handle cannot).
#[derive(Debug, Clone)]
pub struct Records {
    root: std::path::PathBuf,
    clocks: Option<std::sync::Arc<super::ProvenClocks>>,
}

impl Workspace {
    /// A reader of this workspace's records, usable from other threads; each record it
    /// reads carries the clock history proves for it ([`Workspace::proven_clocks`]).
    pub fn records(&self) -> Result<Records, StoreError> {
        let clocks = self.proven_clocks()?;
        Ok(Records {
            root: self.root.clone(),
            clocks: clocks.head().is_some().then_some(clocks),
        })
    }

    /// A reader of the files only: no clocks (for what only lists folders).
    fn plain_records(&self) -> Records {
        Records {
            root: self.root.clone(),
            clocks: None,
        }
    }

    /// The names of the sub-folders of `rel` (sorted); empty if `rel` does not exist.
    pub fn list_folders(&self, rel: &str) -> Result<Vec<String>, StoreError> {
        self.plain_records().list_folders(rel)
    }

    /// The `.toml` files directly in `rel` (sorted by name); empty if it does not exist.
    pub fn read_records(&self, rel: &str) -> Result<Vec<RecordFile>, StoreError> {
        self.records()?.read_records(rel)
    }

    /// Reads one record file, if it exists.
    pub fn read_record(&self, rel: &str) -> Result<Option<RecordFile>, StoreError> {
        self.records()?.read_record(rel)
    }
}

impl Records {
    fn clock_of(&self, path: &str) -> Option<u64> {
        self.clocks.as_ref().map(|c| c.record(path))
    }

    /// The names of the sub-folders of `rel` (sorted); empty if `rel` does not exist.
    /// A folder that holds no file at any depth is left out: it is no record (git does
    /// not even track it), only what a command that was rolled back or killed left.
    pub fn list_folders(&self, rel: &str) -> Result<Vec<String>, StoreError> {
        let mut out = Vec::new();
        for e in entries(&self.root.join(rel))? {
            let name = e.file_name().to_string_lossy().into_owned();
            if e.file_type().is_ok_and(|t| t.is_dir())
                && !name.starts_with('.')
                && holds_a_file(&e.path(), 0)
            {
                out.push(name);
            }
        }
        out.sort();
        Ok(out)
    }

    /// The `.toml` files directly in `rel` (sorted by name); empty if it does not exist.
    pub fn read_records(&self, rel: &str) -> Result<Vec<RecordFile>, StoreError> {
        let mut out = Vec::new();
        for e in entries(&self.root.join(rel))? {
            let Some(name) = e.file_name().to_str().map(str::to_string) else {
                continue;
            };
            if name.starts_with('.') || !name.ends_with(".toml") {
                continue;
            }
            let path = e.path();
            let text = read_bounded_text(&path, limits::RECORD, "record")?;
            let path = format!("{rel}/{name}");
            out.push(RecordFile {
                clock: self.clock_of(&path),
                path,
                text,
            });
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }

    /// Reads one record file, if it exists.
    pub fn read_record(&self, rel: &str) -> Result<Option<RecordFile>, StoreError> {
        let path = self.root.join(rel);
        match read_bounded_text(&path, limits::RECORD, "record") {
            Ok(text) => Ok(Some(RecordFile {
                path: rel.to_string(),
                text,
                clock: self.clock_of(rel),
            })),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}
