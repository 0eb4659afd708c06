//! The read cache: record files as parsed TOML, kept under `.git/strategi-cache/`, so
//! that a read of thousands of records parses none of them again.
//!
//! It is a pure cache, never the source of truth. One file per record folder holds,
//! for each `.toml` file of the folder, the file's stat data (size, modification and
//! change times, inode, device, mode), its git blob id and its parsed table in a
//! compact binary form. A file is taken from the cache only when its stat data are
//! exactly those cached; a file changed within [`RACY_SECS`] of the moment the cache
//! was built ("racily clean", as git calls it: a coarse clock can give a later edit
//! the same times) is read again and taken only when its blob id is the one cached.
//! Anything else — a missing, truncated or corrupted cache (a CRC-32 over the whole
//! file), one from another version of strategi or another format, one for another
//! folder — is ignored and the folder read as without a cache, then the cache written
//! again (a temporary file renamed over it). A cache that cannot be written (a
//! read-only `.git`) is only left out: a read never fails because of it.
//!
//! `verify` does not use it ([`super::Workspace::set_read_cache`]); neither does any
//! process with `STRATEGI_READ_CACHE=off`.

mod typed;

pub use typed::from_cached;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// The cache folder in the git directory.
pub const CACHE_DIR: &str = "strategi-cache";

/// The environment variable that turns the cache off (`off`).
pub const CACHE_ENV: &str = "STRATEGI_READ_CACHE";

const MAGIC: &[u8; 8] = b"strgrdc\n";

/// The format number: raised whenever the layout below changes.
const FORMAT: u32 = 1;

/// A file changed this close to (or after) the time its cache was built is checked by
/// content, not by its stat data alone.
pub const RACY_SECS: i64 = 2;

/// The largest cache file read (a bigger one is ignored and rebuilt).
const MAX_CACHE_BYTES: u64 = 1 << 30;

/// Whether the environment turns the cache off.
pub fn disabled_by_env() -> bool {
    std::env::var_os(CACHE_ENV).is_some_and(|v| v == "off" || v == "0")
}

/// What identifies a file's content without reading it, as git's index keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    size: u64,
    mtime: (i64, u32),
    ctime: (i64, u32),
    ino: u64,
    dev: u64,
    mode: u32,
}

impl Stat {
    /// The stat data of a regular file; `None` for anything else.
    pub fn of(meta: &std::fs::Metadata) -> Option<Stat> {
        if !meta.is_file() {
            return None;
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Some(Stat {
                size: meta.len(),
                mtime: (meta.mtime(), u32::try_from(meta.mtime_nsec()).unwrap_or(0)),
                ctime: (meta.ctime(), u32::try_from(meta.ctime_nsec()).unwrap_or(0)),
                ino: meta.ino(),
                dev: meta.dev(),
                mode: meta.mode(),
            })
        }
        #[cfg(not(unix))]
        {
            let mtime = meta.modified().ok().map_or((0, 0), time_pair);
            Some(Stat {
                size: meta.len(),
                mtime,
                // Without a change time every entry is checked by content.
                ctime: (i64::MAX, 0),
                ino: 0,
                dev: 0,
                mode: 0,
            })
        }
    }

    /// Whether the file changed so close to `stamp` (or after it) that equal stat
    /// data do not prove equal content.
    fn is_racy(&self, stamp: (i64, u32)) -> bool {
        let limit = stamp.0.saturating_sub(RACY_SECS);
        self.mtime.0 >= limit || self.ctime.0 >= limit
    }

    fn encode(&self, out: &mut Vec<u8>) {
        put_u64(out, self.size);
        put_i64(out, self.mtime.0);
        put_u32(out, self.mtime.1);
        put_i64(out, self.ctime.0);
        put_u32(out, self.ctime.1);
        put_u64(out, self.ino);
        put_u64(out, self.dev);
        put_u32(out, self.mode);
    }

    fn decode(r: &mut Reader<'_>) -> Option<Stat> {
        Some(Stat {
            size: r.u64()?,
            mtime: (r.i64()?, r.u32()?),
            ctime: (r.i64()?, r.u32()?),
            ino: r.u64()?,
            dev: r.u64()?,
            mode: r.u32()?,
        })
    }
}

/// Seconds and nanoseconds since the epoch.
pub fn time_pair(t: SystemTime) -> (i64, u32) {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => (
            i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            d.subsec_nanos(),
        ),
        Err(_) => (0, 0),
    }
}

/// The git blob id of a file's bytes (what a racily clean entry is checked by).
pub fn blob_id(bytes: &[u8]) -> [u8; 20] {
    let mut out = [0u8; 20];
    if let Ok(oid) = git2::Oid::hash_object(git2::ObjectType::Blob, bytes) {
        out.copy_from_slice(oid.as_bytes());
    }
    out
}

/// One cached file.
struct Entry {
    stat: Stat,
    blob: [u8; 20],
    /// The whole encoded entry (name included), copied as it is into a new cache.
    raw: std::ops::Range<usize>,
    /// The encoded table.
    table: std::ops::Range<usize>,
}

/// The cache of one record folder, as read from its file.
pub struct FolderCache {
    bytes: std::sync::Arc<Vec<u8>>,
    stamp: (i64, u32),
    entries: HashMap<String, Entry>,
}

/// What the cache says of a file.
pub enum Lookup {
    /// Its table is in the cache, at this range of [`FolderCache::bytes`].
    Hit(std::ops::Range<usize>),
    /// The same, found after its content was read and found to be the cached one (a
    /// racily clean entry): the cache should be written again.
    Checked(std::ops::Range<usize>),
    /// Not in the cache (or changed): read it.
    Miss,
}

impl FolderCache {
    /// Reads the cache of folder `rel` from `dir`; `None` when it is missing or does
    /// not read as a cache of this version and format for this folder.
    pub fn load(dir: &Path, rel: &str) -> Option<FolderCache> {
        let path = dir.join(file_name(rel));
        let meta = std::fs::metadata(&path).ok()?;
        if !meta.is_file() || meta.len() > MAX_CACHE_BYTES {
            return None;
        }
        FolderCache::from_bytes(std::fs::read(&path).ok()?, rel)
    }

    /// Parses a cache file's bytes (see [`FolderCache::load`]).
    pub fn from_bytes(bytes: Vec<u8>, rel: &str) -> Option<FolderCache> {
        let body_len = bytes.len().checked_sub(4)?;
        let (body, crc) = bytes.split_at(body_len);
        if crc32fast::hash(body).to_le_bytes() != crc {
            return None;
        }
        let mut r = Reader { bytes: body, at: 0 };
        if r.take(MAGIC.len())? != MAGIC || r.u32()? != FORMAT {
            return None;
        }
        if r.str()? != env!("CARGO_PKG_VERSION") || r.str()? != rel {
            return None;
        }
        let stamp = (r.i64()?, r.u32()?);
        let count = r.u32()?;
        let mut entries = HashMap::with_capacity(usize::try_from(count).ok()?.min(1 << 20));
        for _ in 0..count {
            let start = r.at;
            let name = r.str()?.to_string();
            let stat = Stat::decode(&mut r)?;
            let blob: [u8; 20] = r.take(20)?.try_into().ok()?;
            let len = usize::try_from(r.u32()?).ok()?;
            let table_start = r.at;
            r.take(len)?;
            entries.insert(
                name,
                Entry {
                    stat,
                    blob,
                    raw: start..r.at,
                    table: table_start..r.at,
                },
            );
        }
        if r.at != body.len() {
            return None;
        }
        Some(FolderCache {
            bytes: std::sync::Arc::new(bytes),
            stamp,
            entries,
        })
    }

    /// The file `name` of the folder, whose stat data are `stat`, at `path`.
    pub fn lookup(&self, name: &str, stat: &Stat, path: &Path) -> Lookup {
        let Some(e) = self.entries.get(name) else {
            return Lookup::Miss;
        };
        if e.stat != *stat {
            return Lookup::Miss;
        }
        let racy = stat.is_racy(self.stamp);
        if racy {
            match std::fs::read(path) {
                Ok(bytes) if blob_id(&bytes) == e.blob => {}
                _ => return Lookup::Miss,
            }
        }
        if racy {
            Lookup::Checked(e.table.clone())
        } else {
            Lookup::Hit(e.table.clone())
        }
    }

    /// The cache file's bytes, which [`Lookup`]'s ranges index.
    pub fn bytes(&self) -> &std::sync::Arc<Vec<u8>> {
        &self.bytes
    }

    /// How many files the cache holds.
    pub fn count(&self) -> usize {
        self.entries.len()
    }
}

/// A new cache of a folder, written when the one read was missing or out of date.
pub struct Builder {
    stamp: (i64, u32),
    count: u32,
    body: Vec<u8>,
}

impl Builder {
    /// A cache built at `stamp` (taken before the folder's files were looked at).
    pub fn new(stamp: (i64, u32)) -> Builder {
        Builder {
            stamp,
            count: 0,
            body: Vec::new(),
        }
    }

    /// Adds a file read from the folder: its name, stat data, bytes and table as
    /// [`encode_table`] gives it.
    pub fn add(&mut self, name: &str, stat: &Stat, bytes: &[u8], encoded: &[u8]) {
        let Ok(len) = u32::try_from(encoded.len()) else {
            return;
        };
        put_str(&mut self.body, name);
        stat.encode(&mut self.body);
        self.body.extend_from_slice(&blob_id(bytes));
        put_u32(&mut self.body, len);
        self.body.extend_from_slice(encoded);
        self.count += 1;
    }

    /// Adds the cached entry of `name` from `old`, as it is.
    pub fn keep(&mut self, old: &FolderCache, name: &str) {
        if let Some(raw) = old
            .entries
            .get(name)
            .and_then(|e| old.bytes.get(e.raw.clone()))
        {
            self.body.extend_from_slice(raw);
            self.count += 1;
        }
    }

    /// The bytes of the cache file for folder `rel`.
    pub fn to_bytes(&self, rel: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.body.len() + 64 + rel.len());
        out.extend_from_slice(MAGIC);
        put_u32(&mut out, FORMAT);
        put_str(&mut out, env!("CARGO_PKG_VERSION"));
        put_str(&mut out, rel);
        put_i64(&mut out, self.stamp.0);
        put_u32(&mut out, self.stamp.1);
        put_u32(&mut out, self.count);
        out.extend_from_slice(&self.body);
        let crc = crc32fast::hash(&out);
        put_u32(&mut out, crc);
        out
    }

    /// Writes the cache of folder `rel` into `dir` (a temporary file renamed over the
    /// old one), best effort: a cache that cannot be written is only left out.
    pub fn write(&self, dir: &Path, rel: &str) {
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        // A process killed between the write and the rename leaves its temporary file;
        // the first cache write of the next process removes it.
        static SWEPT: std::sync::Once = std::sync::Once::new();
        SWEPT.call_once(|| sweep(dir));
        let target = dir.join(file_name(rel));
        let tmp = temp_path(&target);
        if std::fs::write(&tmp, self.to_bytes(rel)).is_ok()
            && std::fs::rename(&tmp, &target).is_ok()
        {
            return;
        }
        let _ = std::fs::remove_file(&tmp);
    }
}

/// A temporary name next to `target`, unique to this process and call, in the form
/// every temporary file of strategi's has (`.NAME.tmp-PID`), so that the sweeps of
/// [`super::gitlocks::sweep_temp_files`] know it.
fn temp_path(target: &Path) -> PathBuf {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    target.with_file_name(format!(".{name}.{n}.tmp-{}", std::process::id()))
}

/// Removes the temporary files that processes no longer running left in the cache
/// folder `dir` (nothing to report: the cache is rebuilt from the records anyway).
pub fn sweep(dir: &Path) {
    let _ = super::gitlocks::sweep_temp_files(dir, dir);
}

/// The cache file's name for folder `rel`: every byte but letters, digits, `-` and
/// `_` written as `%XX`, so that two folders never share one.
pub fn file_name(rel: &str) -> String {
    let mut out = String::with_capacity(rel.len() + 8);
    for b in rel.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out.push_str(".bin");
    out
}

// The binary form of a TOML table.

const T_STR: u8 = 1;
const T_INT: u8 = 2;
const T_FLOAT: u8 = 3;
const T_BOOL: u8 = 4;
const T_DATETIME: u8 = 5;
const T_ARRAY: u8 = 6;
const T_TABLE: u8 = 7;

/// Nesting deeper than this is not cached (the file is only read each time).
const MAX_DEPTH: usize = 64;

/// Encodes `table`; `false` when it cannot be (too deep, too large).
pub fn encode_table(table: &toml::Table, out: &mut Vec<u8>) -> bool {
    encode_map(table, out, 0)
}

fn encode_map(table: &toml::Table, out: &mut Vec<u8>, depth: usize) -> bool {
    let Ok(n) = u32::try_from(table.len()) else {
        return false;
    };
    put_u32(out, n);
    table.iter().all(|(k, v)| {
        put_str(out, k);
        encode_value(v, out, depth + 1)
    })
}

fn encode_value(v: &toml::Value, out: &mut Vec<u8>, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match v {
        toml::Value::String(s) => {
            out.push(T_STR);
            put_str(out, s);
        }
        toml::Value::Integer(i) => {
            out.push(T_INT);
            put_i64(out, *i);
        }
        toml::Value::Float(f) => {
            out.push(T_FLOAT);
            put_u64(out, f.to_bits());
        }
        toml::Value::Boolean(b) => {
            out.push(T_BOOL);
            out.push(u8::from(*b));
        }
        toml::Value::Datetime(d) => {
            out.push(T_DATETIME);
            encode_datetime(d, out);
        }
        toml::Value::Array(items) => {
            let Ok(n) = u32::try_from(items.len()) else {
                return false;
            };
            out.push(T_ARRAY);
            put_u32(out, n);
            return items.iter().all(|i| encode_value(i, out, depth + 1));
        }
        toml::Value::Table(t) => {
            out.push(T_TABLE);
            return encode_map(t, out, depth);
        }
    }
    true
}

fn encode_datetime(d: &toml::value::Datetime, out: &mut Vec<u8>) {
    match &d.date {
        Some(date) => {
            out.push(1);
            out.extend_from_slice(&date.year.to_le_bytes());
            out.extend_from_slice(&[date.month, date.day]);
        }
        None => out.push(0),
    }
    match &d.time {
        Some(t) => {
            out.push(1);
            out.extend_from_slice(&[t.hour, t.minute]);
            match t.second {
                Some(s) => out.extend_from_slice(&[1, s]),
                None => out.push(0),
            }
            match t.nanosecond {
                Some(ns) => {
                    out.push(1);
                    put_u32(out, ns);
                }
                None => out.push(0),
            }
        }
        None => out.push(0),
    }
    match d.offset {
        Some(toml::value::Offset::Z) => out.push(1),
        Some(toml::value::Offset::Custom { minutes }) => {
            out.push(2);
            out.extend_from_slice(&minutes.to_le_bytes());
        }
        None => out.push(0),
    }
}

/// Decodes a table encoded by [`encode_table`]; `None` when the bytes are not one.
#[cfg(test)]
pub fn decode_table(bytes: &[u8]) -> Option<toml::Table> {
    let mut r = Reader { bytes, at: 0 };
    let t = decode_map(&mut r, 0)?;
    (r.at == bytes.len()).then_some(t)
}

fn decode_map(r: &mut Reader<'_>, depth: usize) -> Option<toml::Table> {
    let n = r.u32()?;
    // Each entry takes at least six bytes: a bound on what the count may claim.
    let n = usize::try_from(n).ok()?;
    if n > r.left() / 6 {
        return None;
    }
    let mut t = toml::Table::with_capacity(n);
    for _ in 0..n {
        let k = r.str()?.to_string();
        let v = decode_value(r, depth + 1)?;
        t.insert(k, v);
    }
    Some(t)
}

fn decode_value(r: &mut Reader<'_>, depth: usize) -> Option<toml::Value> {
    if depth > MAX_DEPTH {
        return None;
    }
    Some(match r.u8()? {
        T_STR => toml::Value::String(r.str()?.to_string()),
        T_INT => toml::Value::Integer(r.i64()?),
        T_FLOAT => toml::Value::Float(f64::from_bits(r.u64()?)),
        T_BOOL => match r.u8()? {
            0 => toml::Value::Boolean(false),
            1 => toml::Value::Boolean(true),
            _ => return None,
        },
        T_DATETIME => toml::Value::Datetime(decode_datetime(r)?),
        T_ARRAY => {
            let n = usize::try_from(r.u32()?).ok()?;
            if n > r.left() {
                return None;
            }
            let mut items = Vec::with_capacity(n);
            for _ in 0..n {
                items.push(decode_value(r, depth + 1)?);
            }
            toml::Value::Array(items)
        }
        T_TABLE => toml::Value::Table(decode_map(r, depth)?),
        _ => return None,
    })
}

fn decode_datetime(r: &mut Reader<'_>) -> Option<toml::value::Datetime> {
    let date = match r.u8()? {
        0 => None,
        1 => {
            let year = u16::from_le_bytes(r.take(2)?.try_into().ok()?);
            Some(toml::value::Date {
                year,
                month: r.u8()?,
                day: r.u8()?,
            })
        }
        _ => return None,
    };
    let time = match r.u8()? {
        0 => None,
        1 => {
            let hour = r.u8()?;
            let minute = r.u8()?;
            let second = match r.u8()? {
                0 => None,
                1 => Some(r.u8()?),
                _ => return None,
            };
            let nanosecond = match r.u8()? {
                0 => None,
                1 => Some(r.u32()?),
                _ => return None,
            };
            Some(toml::value::Time {
                hour,
                minute,
                second,
                nanosecond,
            })
        }
        _ => return None,
    };
    let offset = match r.u8()? {
        0 => None,
        1 => Some(toml::value::Offset::Z),
        2 => Some(toml::value::Offset::Custom {
            minutes: i16::from_le_bytes(r.take(2)?.try_into().ok()?),
        }),
        _ => return None,
    };
    Some(toml::value::Datetime { date, time, offset })
}

fn put_u32(out: &mut Vec<u8>, n: u32) {
    out.extend_from_slice(&n.to_le_bytes());
}

fn put_u64(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(&n.to_le_bytes());
}

fn put_i64(out: &mut Vec<u8>, n: i64) {
    out.extend_from_slice(&n.to_le_bytes());
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    // Records are bounded far below 4 GiB; a longer string is cut to an invalid
    // length that the reader refuses.
    put_u32(out, u32::try_from(s.len()).unwrap_or(u32::MAX));
    out.extend_from_slice(s.as_bytes());
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn left(&self) -> usize {
        self.bytes.len().saturating_sub(self.at)
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let s = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(s)
    }

    fn u8(&mut self) -> Option<u8> {
        self.take(1)?.first().copied()
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn i64(&mut self) -> Option<i64> {
        Some(i64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn str(&mut self) -> Option<&'a str> {
        let n = usize::try_from(self.u32()?).ok()?;
        std::str::from_utf8(self.take(n)?).ok()
    }
}
