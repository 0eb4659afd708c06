//! Reading files with a size limit: every file strategi reads, from outside the
//! workspace (an e-mail to import, a key, a Markdown file to compare) or inside it (the
//! configuration, the draft, records, templates), goes through [`read_bounded`].
//!
//! - Only regular files are read. A folder, a FIFO, a socket or a device is refused
//!   before it is opened, and it is opened without blocking (`O_NONBLOCK`) and checked
//!   again, so that a FIFO put in its place meanwhile cannot hang the command either.
//! - A file larger than the limit of its kind ([`limits`]) is refused from its size,
//!   without reading it; and at most `limit + 1` bytes are ever read, so a file that
//!   grows while it is read (or a device that claims to be small) costs bounded memory.
//!
//! Each refusal names the file, what it was read as, its size and the limit.

use std::io::Read;
use std::path::{Path, PathBuf};

/// The size limits per kind of file, in bytes. Generous for what people write, small
/// against a file given by mistake (a video, a disk image, `/dev/zero`).
pub mod limits {
    /// An e-mail or response form given to `comment import` (attachments included).
    pub const EMAIL: u64 = 25 << 20;
    /// All the files of one `comment import` together.
    pub const IMPORT_TOTAL: u64 = 512 << 20;
    /// A public or private SSH key file.
    pub const KEY: u64 = 64 << 10;
    /// A Markdown file: a draft file, or a file given to `diff --files`.
    pub const MARKDOWN: u64 = 32 << 20;
    /// Any other file under `strategy/` (an image, say), when a version is cut.
    pub const DRAFT_FILE: u64 = 64 << 20;
    /// `strategi.toml`.
    pub const CONFIG: u64 = 4 << 20;
    /// A record (a round's definition, a fact, comments, a decision, an import).
    pub const RECORD: u64 = 8 << 20;
    /// A letter template in `templates/`.
    pub const TEMPLATE: u64 = 1 << 20;
    /// A letter's state file in `outbox/` (a few hundred bytes as strategi writes it).
    pub const OUTBOX_STATE: u64 = 64 << 10;
    /// A letter in `outbox/` (`.eml`, its attachments included: the version as HTML and
    /// PDF).
    pub const LETTER: u64 = 64 << 20;
    /// The journal of a write in progress (`.git/strategi-journal`), which holds the
    /// former content of every file the write replaces.
    pub const JOURNAL: u64 = 512 << 20;
    /// The workspace lock file (`pid=…` and `command=…`), read to name its holder.
    pub const LOCK: u64 = 4 << 10;
    /// Entries in a Word (`.docx`) file's zip archive (Word writes a few dozen).
    pub const DOCX_ENTRIES: usize = 1000;
    /// One part of a `.docx` as inflated (`word/document.xml` of a 200-page document
    /// with its tracked changes is a few MB), checked while inflating.
    pub const DOCX_PART: u64 = 64 << 20;
    /// The parts strategi reads from one `.docx`, together, as inflated.
    pub const DOCX_TOTAL: u64 = 96 << 20;
    /// All entries of one `.docx` together, as their headers declare them inflated
    /// (images included); an entry compressed more than 200:1 past 1 MB is refused too.
    pub const DOCX_ARCHIVE: u64 = 256 << 20;
    /// Git's `packed-refs` (one line per ref; a hundred thousand tags take a few MB).
    pub const PACKED_REFS: u64 = 64 << 20;
}

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The file is larger than its kind may be.
    #[error(
        "\"{}\" is {}the {} {} may be; check that it is the right file.",
        path.display(), larger(*size, *at_least), size_text(*limit), with_article(what)
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// What it was read as ("e-mail", "key file", …).
        what: String,
        /// Its size in bytes (or how much was read before stopping).
        size: u64,
        /// Whether `size` is only a lower bound (the file grew, or is a device).
        at_least: bool,
        /// The limit in bytes.
        limit: u64,
    },
    /// Not a regular file.
    #[error("\"{}\" is {kind}, not a file; give the path of the {what} itself.", path.display())]
    NotAFile {
        /// The path.
        path: PathBuf,
        /// What it was to be read as.
        what: String,
        /// What it is instead ("a folder", "a FIFO (named pipe)", …).
        kind: &'static str,
    },
    /// The operating system refused.
    #[error("Could not read \"{}\" ({what}): {source}.", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What it was to be read as.
        what: String,
        /// The operating system's error.
        source: std::io::Error,
    },
}

impl InputError {
    /// The file concerned.
    pub fn path(&self) -> &Path {
        match self {
            InputError::TooLarge { path, .. }
            | InputError::NotAFile { path, .. }
            | InputError::Io { path, .. } => path,
        }
    }

    /// What is wrong, without the file's name: "it is 2.0 GB, more than the 8 MB a
    /// record may be; …" (or the operating system's error), for messages that name the
    /// file already.
    pub fn reason(&self) -> String {
        if let InputError::Io { source, .. } = self {
            return source.to_string();
        }
        let text = self.to_string();
        let quoted = format!("\"{}\" is ", self.path().display());
        match text.strip_prefix(&quoted) {
            Some(rest) => format!("it is {rest}"),
            None => text,
        }
    }

    /// Whether the file does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, InputError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    }
}

impl From<InputError> for std::io::Error {
    /// For modules whose errors carry an I/O error: the refusal becomes its message.
    fn from(e: InputError) -> std::io::Error {
        match e {
            InputError::Io { source, .. } => source,
            other => std::io::Error::new(std::io::ErrorKind::InvalidData, other.to_string()),
        }
    }
}

/// Reads the regular file at `path`, of at most `limit` bytes; `what` names its kind in
/// messages ("e-mail", "key file"). See the module documentation.
pub fn read_bounded(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>, InputError> {
    let mut buf = Vec::new();
    read_bounded_into(path, limit, what, &mut buf)?;
    Ok(buf)
}

/// [`read_bounded`] as UTF-8 text; a file that is not UTF-8 is refused with the offset
/// of the first bad byte.
pub fn read_bounded_text(path: &Path, limit: u64, what: &str) -> Result<String, InputError> {
    let bytes = read_bounded(path, limit, what)?;
    String::from_utf8(bytes).map_err(|e| InputError::Io {
        path: path.to_path_buf(),
        what: what.to_string(),
        source: std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "it is not UTF-8 text (invalid byte at offset {}); save it as UTF-8",
                e.utf8_error().valid_up_to()
            ),
        ),
    })
}

/// [`read_bounded`] into `buf` (cleared first), so that a caller can reuse a buffer.
pub fn read_bounded_into(
    path: &Path,
    limit: u64,
    what: &str,
    buf: &mut Vec<u8>,
) -> Result<(), InputError> {
    buf.clear();
    let io = |source: std::io::Error| InputError::Io {
        path: path.to_path_buf(),
        what: what.to_string(),
        source,
    };
    let check = |meta: &std::fs::Metadata| -> Result<(), InputError> {
        if !meta.is_file() {
            return Err(InputError::NotAFile {
                path: path.to_path_buf(),
                what: what.to_string(),
                kind: kind_of(&meta.file_type()),
            });
        }
        if meta.len() > limit {
            return Err(InputError::TooLarge {
                path: path.to_path_buf(),
                what: what.to_string(),
                size: meta.len(),
                at_least: false,
                limit,
            });
        }
        Ok(())
    };
    // Before opening: opening a FIFO for reading blocks until a writer comes.
    check(&std::fs::metadata(path).map_err(io)?)?;
    let file = open_nonblocking(path).map_err(io)?;
    // Again on what was opened: the path may have been replaced meanwhile.
    let meta = file.metadata().map_err(io)?;
    check(&meta)?;
    let expected = usize::try_from(meta.len()).unwrap_or(0);
    buf.reserve(expected.saturating_add(1));
    file.take(limit.saturating_add(1))
        .read_to_end(buf)
        .map_err(io)?;
    let read = u64::try_from(buf.len()).unwrap_or(u64::MAX);
    if read > limit {
        buf.clear();
        buf.shrink_to_fit();
        return Err(InputError::TooLarge {
            path: path.to_path_buf(),
            what: what.to_string(),
            size: read,
            at_least: true,
            limit,
        });
    }
    Ok(())
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

/// What a file that is not a regular file is, for messages.
fn kind_of(ft: &std::fs::FileType) -> &'static str {
    if ft.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if ft.is_socket() {
            return "a socket";
        }
        if ft.is_char_device() {
            return "a device";
        }
        if ft.is_block_device() {
            return "a disk device";
        }
    }
    "not a regular file"
}

/// "2.0 GB, more than " or, when the size is not known, "larger than ".
fn larger(size: u64, at_least: bool) -> String {
    if at_least {
        "larger than ".to_string()
    } else {
        format!("{}, more than ", size_text(size))
    }
}

/// "a key file", "an e-mail".
fn with_article(what: &str) -> String {
    let vowel = what
        .chars()
        .next()
        .is_some_and(|c| "aeiouAEIOU".contains(c));
    format!("{} {what}", if vowel { "an" } else { "a" })
}

/// A size for people: `812 bytes`, `64 KB`, `25 MB`, `2.0 GB` (binary units).
pub fn size_text(bytes: u64) -> String {
    const KB: u64 = 1 << 10;
    const MB: u64 = 1 << 20;
    const GB: u64 = 1 << 30;
    if bytes < KB {
        format!("{bytes} bytes")
    } else if bytes < MB {
        format!("{} KB", bytes.div_ceil(KB))
    } else if bytes < GB {
        let tenths = bytes.saturating_mul(10).div_ceil(MB);
        if tenths.is_multiple_of(10) {
            format!("{} MB", tenths / 10)
        } else {
            format!("{}.{} MB", tenths / 10, tenths % 10)
        }
    } else {
        let tenths = bytes / (GB / 10);
        format!("{}.{} GB", tenths / 10, tenths % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_small_file_and_refuses_a_large_one_from_its_size() {
        let dir = tempfile::tempdir().expect("tempdir");
        let small = dir.path().join("a.eml");
        std::fs::write(&small, b"From: a@b.example\n\nHei\n").expect("write");
        assert_eq!(read_bounded(&small, 100, "e-mail").expect("read").len(), 23);
        let big = dir.path().join("big.eml");
        let f = std::fs::File::create(&big).expect("create");
        f.set_len(2 << 30).expect("sparse");
        let err = read_bounded(&big, limits::EMAIL, "e-mail").expect_err("too large");
        let text = err.to_string();
        assert!(text.contains("big.eml"), "{text}");
        assert!(
            text.contains("is 2.0 GB, more than the 25 MB an e-mail may be"),
            "{text}"
        );
        assert!(matches!(
            err,
            InputError::TooLarge {
                at_least: false,
                ..
            }
        ));
    }

    #[test]
    fn a_device_a_folder_and_a_fifo_are_not_files() {
        let err = read_bounded(Path::new("/dev/zero"), 10, "e-mail").expect_err("device");
        assert!(err.to_string().contains("is a device, not a file"), "{err}");
        let dir = tempfile::tempdir().expect("tempdir");
        let err = read_bounded(dir.path(), 10, "key file").expect_err("folder");
        assert!(err.to_string().contains("is a folder"), "{err}");
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let err = read_bounded(&fifo, 10, "e-mail").expect_err("fifo");
            assert!(err.to_string().contains("FIFO"), "{err}");
        }
    }

    #[test]
    fn missing_files_and_bad_text_are_io_errors_naming_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let gone = dir.path().join("gone.md");
        let err = read_bounded(&gone, 10, "Markdown file").expect_err("missing");
        assert!(err.is_not_found());
        let bad = dir.path().join("bad.md");
        std::fs::write(&bad, b"ok \xff").expect("write");
        let err = read_bounded_text(&bad, 10, "Markdown file").expect_err("not utf-8");
        let io: std::io::Error = err.into();
        assert!(io.to_string().contains("offset 3"), "{io}");
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size_text(812), "812 bytes");
        assert_eq!(size_text(64 << 10), "64 KB");
        assert_eq!(size_text(25 << 20), "25 MB");
        assert_eq!(size_text((25 << 20) + 1), "25.1 MB");
        assert_eq!(size_text(2 << 30), "2.0 GB");
        assert_eq!(with_article("e-mail"), "an e-mail");
        assert_eq!(with_article("key file"), "a key file");
    }

    #[test]
    fn a_too_large_workspace_file_is_a_bad_file() {
        use crate::store::StoreError;
        let e: StoreError = InputError::TooLarge {
            path: "strategi.toml".into(),
            what: "configuration file".into(),
            size: 5 << 20,
            at_least: false,
            limit: limits::CONFIG,
        }
        .into();
        assert!(matches!(e, StoreError::BadFile { line: 1, .. }), "{e}");
        assert_eq!(
            e.to_string(),
            "strategi.toml:1:1: it is 5 MB, more than the 4 MB a configuration file may be; check that it is the right file."
        );
    }
}
