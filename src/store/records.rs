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
    /// The clock it is folded by, as the history proves it ([`super::ProvenClocks`]);
    /// `None` where the reader has none (a workspace without commits).
    pub clock: Option<u64>,
    source: Source,
}

/// Where a record's content comes from.
#[derive(Debug, Clone)]
enum Source {
    /// Its text, as read.
    Text(String),
    /// Its table as the read cache holds it ([`super::cache`]), encoded; the file, to
    /// read its text where the table does not serve (an error to report with a line).
    Cached {
        bytes: std::sync::Arc<Vec<u8>>,
        range: std::ops::Range<usize>,
        file: std::path::PathBuf,
    },
}

impl RecordFile {
    /// A record of `text` at `path` (relative to the workspace), folded by `clock`.
    pub fn from_text(path: String, text: String, clock: Option<u64>) -> RecordFile {
        RecordFile {
            path,
            clock,
            source: Source::Text(text),
        }
    }

    /// Its text (read again from the file when the record came from the read cache).
    pub fn text(&self) -> Result<std::borrow::Cow<'_, str>, StoreError> {
        match &self.source {
            Source::Text(t) => Ok(std::borrow::Cow::Borrowed(t)),
            Source::Cached { file, .. } => Ok(std::borrow::Cow::Owned(read_bounded_text(
                file,
                limits::RECORD,
                "record",
            )?)),
        }
    }

    /// Parses the record as [`parse_record`] does, with its clocks (its own `clock` and
    /// those of its `[[comment]]`s) set to [`RecordFile::clock`], the one history
    /// proves, whatever the file says: a forged clock does not move a fact in a fold.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, StoreError> {
        if let (Source::Cached { bytes, range, .. }, Some(n)) = (&self.source, self.clock)
            && let Some(bytes) = bytes.get(range.clone())
        {
            if let Some(t) = super::cache::from_cached(bytes, Some(n)) {
                return Ok(t);
            }
            // What the text gives below when the set clocks do not fit the type
            // (`parse_record`: the record as written), without parsing the text.
            if let Some(t) = super::cache::from_cached(bytes, None) {
                return Ok(t);
            }
        }
        let text = self.text()?;
        let Some(n) = self.clock else {
            return parse_record(&self.path, &text);
        };
        let Ok(mut table) = text.parse::<toml::Table>() else {
            return parse_record(&self.path, &text);
        };
        super::proven::set_clocks(&mut table, n);
        match T::deserialize(toml::Value::Table(table)) {
            Ok(t) => Ok(t),
            // The typed parse names the line and column of what does not fit.
            Err(_) => parse_record(&self.path, &text),
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
    /// The read cache's folder ([`super::cache`]), when it is used.
    cache: Option<std::path::PathBuf>,
}

/// Turns the read cache of a workspace back on when dropped
/// ([`Workspace::without_read_cache`]).
#[derive(Debug)]
pub struct ReadCacheOff<'w> {
    ws: &'w Workspace,
    was: bool,
}

impl Drop for ReadCacheOff<'_> {
    fn drop(&mut self) {
        self.ws
            .read_cache
            .store(self.was, std::sync::atomic::Ordering::Relaxed);
    }
}

impl Workspace {
    /// A reader of this workspace's records, usable from other threads; each record it
    /// reads carries the clock history proves for it ([`Workspace::proven_clocks`]).
    pub fn records(&self) -> Result<Records, StoreError> {
        let clocks = self.proven_clocks()?;
        let clocks = clocks.head().is_some().then_some(clocks);
        // Without a proven clock a record is parsed from its text as it always was.
        let cache = (clocks.is_some()
            && self.read_cache.load(std::sync::atomic::Ordering::Relaxed)
            && !super::cache::disabled_by_env())
        .then(|| self.repo.path().join(super::cache::CACHE_DIR));
        Ok(Records {
            root: self.root.clone(),
            clocks,
            cache,
        })
    }

    /// Reads without the read cache until the guard returned is dropped: what `verify`
    /// does, so that the check never rests on anything but the records themselves.
    pub fn without_read_cache(&self) -> ReadCacheOff<'_> {
        let was = self
            .read_cache
            .swap(false, std::sync::atomic::Ordering::Relaxed);
        ReadCacheOff { ws: self, was }
    }

    /// A reader of the files only: no clocks (for what only lists folders).
    fn plain_records(&self) -> Records {
        Records {
            root: self.root.clone(),
            clocks: None,
            cache: None,
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
    /// With the read cache, a file whose stat data are those cached is not read at all
    /// ([`super::cache`]); the records are the same either way.
    pub fn read_records(&self, rel: &str) -> Result<Vec<RecordFile>, StoreError> {
        let mut names = Vec::new();
        for e in entries(&self.root.join(rel))? {
            let Some(name) = e.file_name().to_str().map(str::to_string) else {
                continue;
            };
            if name.starts_with('.') || !name.ends_with(".toml") {
                continue;
            }
            names.push((name, e.path()));
        }
        names.sort();
        let mut out = Vec::with_capacity(names.len());
        let Some(dir) = &self.cache else {
            for (name, path) in names {
                let text = read_bounded_text(&path, limits::RECORD, "record")?;
                let rel_path = format!("{rel}/{name}");
                out.push(RecordFile::from_text(
                    rel_path.clone(),
                    text,
                    self.clock_of(&rel_path),
                ));
            }
            return Ok(out);
        };
        use super::cache::{Builder, FolderCache, Lookup, Stat, time_pair};
        // Taken before any file is looked at: a file changed after it is racily clean.
        let stamp = time_pair(std::time::SystemTime::now());
        let old = FolderCache::load(dir, rel);
        let old_bytes = old.as_ref().map(|c| c.bytes().clone());
        let mut new = Builder::new(stamp);
        let mut stale = old.as_ref().is_none_or(|c| c.count() != names.len());
        for (name, path) in names {
            let rel_path = format!("{rel}/{name}");
            let clock = self.clock_of(&rel_path);
            let stat = std::fs::metadata(&path).ok().as_ref().and_then(Stat::of);
            if let (Some(old), Some(bytes), Some(stat)) = (&old, &old_bytes, &stat) {
                let hit = match old.lookup(&name, stat, &path) {
                    Lookup::Hit(range) => Some(range),
                    Lookup::Checked(range) => {
                        stale = true;
                        Some(range)
                    }
                    Lookup::Miss => None,
                };
                if let Some(range) = hit {
                    new.keep(old, &name);
                    out.push(RecordFile {
                        path: rel_path,
                        clock,
                        source: Source::Cached {
                            bytes: bytes.clone(),
                            range,
                            file: path,
                        },
                    });
                    continue;
                }
            }
            stale = true;
            let text = read_bounded_text(&path, limits::RECORD, "record")?;
            match (stat, text.parse::<toml::Table>()) {
                (Some(stat), Ok(table)) => {
                    let mut encoded = Vec::new();
                    if super::cache::encode_table(&table, &mut encoded) {
                        new.add(&name, &stat, text.as_bytes(), &encoded);
                        let range = 0..encoded.len();
                        out.push(RecordFile {
                            path: rel_path,
                            clock,
                            source: Source::Cached {
                                bytes: std::sync::Arc::new(encoded),
                                range,
                                file: path,
                            },
                        });
                        continue;
                    }
                    out.push(RecordFile::from_text(rel_path, text, clock));
                }
                _ => out.push(RecordFile::from_text(rel_path, text, clock)),
            }
        }
        if stale {
            new.write(dir, rel);
        }
        Ok(out)
    }

    /// Reads one record file, if it exists.
    pub fn read_record(&self, rel: &str) -> Result<Option<RecordFile>, StoreError> {
        let path = self.root.join(rel);
        match read_bounded_text(&path, limits::RECORD, "record") {
            Ok(text) => Ok(Some(RecordFile::from_text(
                rel.to_string(),
                text,
                self.clock_of(rel),
            ))),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod cache_tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Comments {
        comment: Vec<Comment>,
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Comment {
        id: String,
        at: String,
        clock: u64,
        due: Option<toml::value::Datetime>,
    }

    fn reader(root: &Path, cache: &Path) -> Records {
        Records {
            root: root.to_path_buf(),
            clocks: Some(std::sync::Arc::new(super::super::ProvenClocks::default())),
            cache: Some(cache.to_path_buf()),
        }
    }

    fn age(path: &Path) {
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
        let f = std::fs::File::options()
            .write(true)
            .open(path)
            .expect("open");
        f.set_modified(old).expect("set mtime");
    }

    #[test]
    fn a_cached_folder_reads_as_the_files_do() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("ws");
        let cache = dir.path().join("cache");
        std::fs::create_dir_all(root.join("c")).expect("mkdir");
        let text = "[[comment]]\nid = \"c1\"\nat = \"2025-12-15T09:00:00Z\"\nclock = 99\ndue = 2026-01-09\n\n[[comment]]\nid = \"c2\"\nat = \"x\"\n";
        std::fs::write(root.join("c/a.toml"), text).expect("write");
        age(&root.join("c/a.toml"));
        let plain = Records {
            cache: None,
            ..reader(&root, &cache)
        };
        let want: Comments = plain.read_records("c").expect("read")[0]
            .parse()
            .expect("parse");
        let cold = reader(&root, &cache).read_records("c").expect("cold");
        assert!(matches!(cold[0].source, Source::Cached { .. }));
        assert_eq!(cold[0].parse::<Comments>().expect("parse"), want);
        assert!(cache.join("c.bin").is_file());
        let warm = reader(&root, &cache).read_records("c").expect("warm");
        assert!(matches!(warm[0].source, Source::Cached { .. }));
        assert_eq!(warm[0].parse::<Comments>().expect("parse"), want);
        assert_eq!(warm[0].text().expect("text"), text);
    }

    /// A comments file's forged clocks give way to the proven one, through the typed
    /// parse (a clock added at the top would not fit `CommentFile` and fall back to the
    /// clocks as written).
    #[test]
    fn a_comments_file_takes_the_proven_clock_not_its_own() {
        let text = "[[comment]]\nid = \"r7k3q9xm\"\nparty = \"FIN\"\nby = \"DIO\"\nat = \"2025-12-15T09:00:00Z\"\nclock = 999999\nversion = \"v1\"\ntext = \"x\"\n";
        let plain: crate::consultation::CommentFile =
            parse_record("c.toml", text).expect("the file as written parses");
        let f = RecordFile::from_text("c.toml".to_string(), text.to_string(), Some(7));
        let parsed: crate::consultation::CommentFile = f.parse().expect("parse");
        assert_eq!(parsed.comment[0].clock, Some(7));
        assert_ne!(plain.comment[0].clock, Some(7));
    }
}
