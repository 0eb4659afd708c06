//! Reading a Word (`.docx`) file someone sent: untrusted input, read with limits.
//!
//! [`read_docx`] takes the file's bytes and returns a [`Docx`]: the body's paragraphs
//! (style, heading level, text before and after the tracked changes, the bookmarks they
//! are in), the comments (`word/comments.xml`: author, date, initials, text; threads
//! from `word/commentsExtended.xml`), where each comment's range starts and ends in the
//! body, and the tracked changes (`w:ins`, `w:del`, `w:moveFrom`, `w:moveTo`) with
//! author, date and place. It knows nothing of strategi's documents: mapping all this
//! to sections and quotes is [`super::import`]'s.
//!
//! # Hostile files
//! - Not a zip: an OLE compound file is an encrypted package (`EncryptedPackage`, what
//!   Word makes of a password-protected `.docx`), a binary Word document (`.doc`) or
//!   another Office file, each refused with its own message; anything else is "not a
//!   .docx". A zip whose `mimetype` is OpenDocument's is an `.odt` (asked for as .docx).
//! - Zip bombs: at most [`limits::DOCX_ENTRIES`](crate::input::limits::DOCX_ENTRIES)
//!   entries; each part is inflated through `take(limit + 1)`, so its size is checked
//!   while inflating, whatever the header claims, against
//!   [`limits::DOCX_PART`](crate::input::limits::DOCX_PART), and the parts read
//!   together against [`limits::DOCX_TOTAL`](crate::input::limits::DOCX_TOTAL).
//!   Only the parts strategi reads are inflated.
//! - XML: a `<!DOCTYPE` is refused (Office Open XML has none; a DTD is how entity
//!   expansion attacks — "billion laughs" — and external entities come in), and so is
//!   any entity reference other than the five XML predefines and character references.
//!   Broken XML is refused with the part and line.
//!
//! Positions ([`Pos`]) are byte offsets into a paragraph's [`Para::old`] text (the text
//! as it was before the tracked changes: deletions in, insertions out) and its
//! [`Para::new`] text (after them).

use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::input::limits;

/// Why a Word file was not read. Every message names the file (as the user knows it:
/// the path given, or the attachment's name) and, where there is one, the part.
#[derive(Debug, thiserror::Error)]
pub enum WordError {
    /// An empty file (0 bytes).
    #[error(
        "{file} is empty (0 bytes), so it is not a Word document; ask the sender for the file again, saved as a Word document (.docx)."
    )]
    Empty {
        /// The file.
        file: String,
    },
    /// Not a zip archive (a PDF renamed .docx, say).
    #[error(
        "{file} is not a Word document (not a zip archive): {what}; ask the sender for the file again, saved as a Word document (.docx)."
    )]
    NotZip {
        /// The file.
        file: String,
        /// What its first bytes look like.
        what: &'static str,
    },
    /// A password-protected document (an OLE file holding `EncryptedPackage`).
    #[error(
        "{file} is an encrypted (password-protected) Word document, which strategi cannot read; ask for a copy without a password, or remove it (File > Info > Protect Document) and save as .docx."
    )]
    Encrypted {
        /// The file.
        file: String,
    },
    /// A binary Word document (Word 97–2003).
    #[error(
        "{file} is a binary Word document (.doc), not .docx; open it in Word or LibreOffice and save it as \"Word Document (.docx)\", then import that."
    )]
    BinaryWord {
        /// The file.
        file: String,
    },
    /// Another OLE compound file (an old Excel or PowerPoint file, say).
    #[error("{file} is an old Office (OLE) file, not a Word .docx document; save it as .docx.")]
    OtherOle {
        /// The file.
        file: String,
    },
    /// An OpenDocument file (`.odt` and its kin).
    #[error(
        "{file} is an OpenDocument file ({mimetype}), not .docx; open it in LibreOffice and save it as \"Word 2007-365 (.docx)\", then import that."
    )]
    OpenDocument {
        /// The file.
        file: String,
        /// Its `mimetype` entry.
        mimetype: String,
    },
    /// Not a zip archive at all, or a broken one (truncated, say).
    #[error(
        "{file} is not a readable .docx file: the zip archive is broken or incomplete; ask for the file again, or save it again as .docx."
    )]
    BrokenZip {
        /// The file.
        file: String,
        /// The zip reader's error.
        #[source]
        source: zip::result::ZipError,
    },
    /// A zip that is not a Word document (no `word/document.xml`).
    #[error(
        "{file} is a zip archive but not a Word document (it has no word/document.xml); give the .docx file."
    )]
    NotWord {
        /// The file.
        file: String,
    },
    /// More entries than a Word document has.
    #[error(
        "{file} has {count} entries in its zip archive, more than the {limit} a Word document may have here; it is refused as a possible zip bomb."
    )]
    TooManyEntries {
        /// The file.
        file: String,
        /// How many entries it has.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// A part inflates past its limit.
    #[error("{file}: {part} expands to more than {limit_text}; it is refused as a possible zip bomb.", limit_text = crate::input::size_text(*limit))]
    PartTooLarge {
        /// The file.
        file: String,
        /// The part.
        part: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// An entry compressed far more than any document is (declared sizes).
    #[error(
        "{file}: {part} is compressed {ratio}:1, far more than any document or picture; it is refused as a possible zip bomb."
    )]
    Compressed {
        /// The file.
        file: String,
        /// The entry.
        part: String,
        /// Declared size over compressed size.
        ratio: u64,
    },
    /// The parts together inflate past the limit.
    #[error("{file}: its parts expand to more than {limit_text} together (at {part}); it is refused as a possible zip bomb.", limit_text = crate::input::size_text(*limit))]
    TotalTooLarge {
        /// The file.
        file: String,
        /// The part at which the limit was passed.
        part: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// A part cannot be inflated (encrypted entry, unknown compression, bad data).
    #[error(
        "{file}: {part} cannot be read from the zip archive; save the document again as .docx."
    )]
    Part {
        /// The file.
        file: String,
        /// The part.
        part: String,
        /// The zip reader's error.
        #[source]
        source: zip::result::ZipError,
    },
    /// A part's XML is refused.
    #[error("{file}: {part} line {line}: {message}")]
    Xml {
        /// The file.
        file: String,
        /// The part.
        part: String,
        /// 1-based line.
        line: usize,
        /// What is wrong, and what to do.
        message: String,
    },
}

impl WordError {
    /// What to do, for the refusals whose message does not say it already (a file
    /// refused as a possible zip bomb, XML refused as hostile): one piece of advice.
    pub fn hint(&self) -> Option<&'static str> {
        const AGAIN: &str = "Ask the sender for the file again, saved as a Word document (.docx).";
        match self {
            WordError::TooManyEntries { .. }
            | WordError::PartTooLarge { .. }
            | WordError::Compressed { .. }
            | WordError::TotalTooLarge { .. } => Some(AGAIN),
            WordError::Xml { message, .. } if !message.contains("; save") => Some(AGAIN),
            _ => None,
        }
    }
}

/// What bytes that are no zip archive look like, for [`WordError::NotZip`].
fn not_zip_kind(bytes: &[u8]) -> &'static str {
    let start = bytes.trim_ascii_start();
    if bytes.starts_with(b"%PDF") {
        "it is a PDF file"
    } else if bytes.starts_with(b"{\\rtf") {
        "it is an RTF file"
    } else if start.starts_with(b"<") {
        "it is an XML or HTML text file"
    } else if std::str::from_utf8(bytes).is_ok() {
        "it is a text file"
    } else {
        "its first bytes are not those of a zip archive"
    }
}

/// What kind of file these bytes are, from their first bytes (and, for a zip, its
/// `mimetype` entry): for choosing how to read an attachment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfficeKind {
    /// A zip archive (a `.docx`, an `.odt`, or another zip).
    Zip,
    /// An OLE compound file (`.doc`, an encrypted `.docx`, …).
    Ole,
    /// Anything else.
    Other,
}

const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// The kind of file from its magic bytes.
pub fn office_kind(bytes: &[u8]) -> OfficeKind {
    if bytes.starts_with(&OLE_MAGIC) {
        OfficeKind::Ole
    } else if bytes.starts_with(b"PK\x03\x04")
        || bytes.starts_with(b"PK\x05\x06")
        || bytes.starts_with(b"PK\x07\x08")
    {
        OfficeKind::Zip
    } else {
        OfficeKind::Other
    }
}

/// A place in the body: a paragraph and byte offsets into its old and new text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    /// Index into [`Docx::paragraphs`] (may equal its length: after the last one).
    pub para: usize,
    /// Byte offset into the paragraph's [`Para::old`].
    pub old: usize,
    /// Byte offset into the paragraph's [`Para::new`].
    pub new: usize,
}

/// One body paragraph (table cells' paragraphs included, in reading order).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Para {
    /// Its paragraph style id (`w:pStyle`), if any.
    pub style: Option<String>,
    /// Heading level 1–9 from its style (or direct outline level), if it is a heading.
    pub heading: Option<u8>,
    /// The text before the tracked changes: deleted and moved-away text included,
    /// inserted and moved-in text left out.
    pub old: String,
    /// The text after the tracked changes.
    pub new: String,
    /// Names of the bookmarks the paragraph is in (open at its start or started in it),
    /// outermost first.
    pub bookmarks: Vec<String>,
    /// Whether it is in a table cell (`w:tc`). Each cell of a table strategi writes
    /// holds one paragraph, so a cell's paragraph is the whole cell.
    pub cell: bool,
}

/// What a tracked change does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// `w:ins`.
    Insert,
    /// `w:del`.
    Delete,
    /// `w:moveFrom`: text moved away from here.
    MoveFrom,
    /// `w:moveTo`: text moved to here.
    MoveTo,
}

impl ChangeKind {
    /// Whether the change's text is in the old text (else in the new one).
    pub fn is_removal(self) -> bool {
        matches!(self, ChangeKind::Delete | ChangeKind::MoveFrom)
    }
}

/// One tracked change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Its kind.
    pub kind: ChangeKind,
    /// `w:id`.
    pub id: String,
    /// `w:author`, if given.
    pub author: Option<String>,
    /// `w:date`, as written (ISO 8601), if given.
    pub date: Option<String>,
    /// Where it starts.
    pub start: Pos,
    /// Where it ends.
    pub end: Pos,
    /// The text inserted or removed.
    pub text: String,
    /// For a move half (`w:moveFrom`, `w:moveTo`): the `w:name` of the move range
    /// (`w:moveFromRangeStart`, `w:moveToRangeStart`) it is in, which both halves of one
    /// move share. Word writes it; LibreOffice 7.4 writes the halves without ranges.
    pub name: Option<String>,
}

/// One comment of `word/comments.xml`, with where it sits in the body.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Comment {
    /// `w:id`.
    pub id: String,
    /// `w:author`.
    pub author: Option<String>,
    /// `w:date`, as written.
    pub date: Option<String>,
    /// `w:initials`.
    pub initials: Option<String>,
    /// Its text, paragraphs joined by line breaks.
    pub text: String,
    /// The `w14:paraId` of its last paragraph (what commentsExtended.xml refers to).
    pub para_id: Option<String>,
    /// The id of the comment it answers, from commentsExtended.xml.
    pub parent: Option<String>,
    /// Marked done in Word.
    pub done: bool,
    /// `w:commentRangeStart` in the body.
    pub start: Option<Pos>,
    /// `w:commentRangeEnd` in the body.
    pub end: Option<Pos>,
    /// `w:commentReference` in the body.
    pub reference: Option<Pos>,
}

/// A Word document as strategi reads it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Docx {
    /// Body paragraphs in reading order.
    pub paragraphs: Vec<Para>,
    /// Comments in the order of comments.xml.
    pub comments: Vec<Comment>,
    /// Tracked changes in body order.
    pub changes: Vec<Change>,
    /// The custom document properties (`docProps/custom.xml`), name and text, in
    /// order: strategi's export writes `strategi-case` and `strategi-version`.
    pub properties: Vec<(String, String)>,
}

impl Docx {
    /// The custom property `name`, if the file has it.
    pub fn property(&self, name: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The limits a `.docx` is read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Zip entries at most.
    pub entries: usize,
    /// Bytes one part may inflate to.
    pub part: u64,
    /// Bytes the parts read may inflate to together.
    pub total: u64,
    /// Bytes all entries may declare together, read or not.
    pub archive: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            entries: limits::DOCX_ENTRIES,
            part: limits::DOCX_PART,
            total: limits::DOCX_TOTAL,
            archive: limits::DOCX_ARCHIVE,
        }
    }
}

/// Reads a `.docx` file's bytes with the default [`Limits`]; `file` names it in errors.
/// See the module documentation.
pub fn read_docx(file: &str, bytes: &[u8]) -> Result<Docx, WordError> {
    read_docx_with(file, bytes, Limits::default())
}

/// [`read_docx`] with other limits.
pub fn read_docx_with(file: &str, bytes: &[u8], limits: Limits) -> Result<Docx, WordError> {
    let file = file.to_string();
    match office_kind(bytes) {
        OfficeKind::Ole => return Err(ole_error(file, bytes)),
        OfficeKind::Other if bytes.is_empty() => return Err(WordError::Empty { file }),
        OfficeKind::Other => {
            return Err(WordError::NotZip {
                file,
                what: not_zip_kind(bytes),
            });
        }
        OfficeKind::Zip => {}
    }
    let mut zip =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|source| WordError::BrokenZip {
            file: file.clone(),
            source,
        })?;
    if zip.len() > limits.entries {
        return Err(WordError::TooManyEntries {
            file,
            count: zip.len(),
            limit: limits.entries,
        });
    }
    // Entries strategi does not read (images, embedded files) are kept with the reply
    // and opened later by people's office programs: their declared sizes are checked
    // too, so that no bomb is stored in the case.
    let mut declared: u64 = 0;
    for i in 0..zip.len() {
        let Ok(entry) = zip.by_index_raw(i) else {
            continue;
        };
        let (size, packed) = (entry.size(), entry.compressed_size());
        declared = declared.saturating_add(size);
        if size > limits.part {
            return Err(WordError::PartTooLarge {
                file,
                part: entry.name().to_string(),
                limit: limits.part,
            });
        }
        if size > 1 << 20 && size / packed.max(1) > 200 {
            return Err(WordError::Compressed {
                file,
                part: entry.name().to_string(),
                ratio: size / packed.max(1),
            });
        }
        if declared > limits.archive {
            return Err(WordError::TotalTooLarge {
                file,
                part: entry.name().to_string(),
                limit: limits.archive,
            });
        }
    }
    let mut parts = Parts {
        zip: &mut zip,
        file: file.clone(),
        total: 0,
        limits,
    };
    if let Some(mimetype) = parts.read("mimetype")? {
        let mimetype = String::from_utf8_lossy(&mimetype).trim().to_string();
        if mimetype.starts_with("application/vnd.oasis.opendocument") {
            return Err(WordError::OpenDocument { file, mimetype });
        }
    }
    let Some(document) = parts.read("word/document.xml")? else {
        return Err(WordError::NotWord { file });
    };
    let styles = match parts.read("word/styles.xml")? {
        Some(b) => read_styles(&Xml::new(&file, "word/styles.xml", &b)?)?,
        None => HashMap::new(),
    };
    let mut docx = read_body(&Xml::new(&file, "word/document.xml", &document)?, &styles)?;
    drop(document);
    let (mut comments, marks) = match parts.read("word/comments.xml")? {
        Some(b) => (
            read_comments(&Xml::new(&file, "word/comments.xml", &b)?)?,
            true,
        ),
        None => (Vec::new(), false),
    };
    if marks && let Some(b) = parts.read("word/commentsExtended.xml")? {
        let threads = read_threads(&Xml::new(&file, "word/commentsExtended.xml", &b)?)?;
        let by_para: HashMap<String, String> = comments
            .iter()
            .filter_map(|c| Some((c.para_id.clone()?, c.id.clone())))
            .collect();
        for c in &mut comments {
            if let Some((parent, done)) = c.para_id.as_ref().and_then(|p| threads.get(p)) {
                c.done = *done;
                c.parent = parent
                    .as_ref()
                    .and_then(|p| by_para.get(p))
                    .filter(|id| **id != c.id)
                    .cloned();
            }
        }
    }
    for c in &mut comments {
        if let Some(m) = docx.marks.get(&c.id) {
            c.start = m.start;
            c.end = m.end;
            c.reference = m.reference;
        }
    }
    let properties = match parts.read("docProps/custom.xml")? {
        Some(b) => read_properties(&Xml::new(&file, "docProps/custom.xml", &b)?)?,
        None => Vec::new(),
    };
    Ok(Docx {
        paragraphs: std::mem::take(&mut docx.paragraphs),
        comments,
        changes: std::mem::take(&mut docx.changes),
        properties,
    })
}

fn ole_error(file: String, bytes: &[u8]) -> WordError {
    let utf16 = |s: &str| -> Vec<u8> { s.encode_utf16().flat_map(u16::to_le_bytes).collect() };
    let has = |name: &str| {
        let needle = utf16(name);
        bytes.windows(needle.len()).any(|w| w == needle.as_slice())
    };
    if has("EncryptedPackage") {
        WordError::Encrypted { file }
    } else if has("WordDocument") {
        WordError::BinaryWord { file }
    } else {
        WordError::OtherOle { file }
    }
}

/// The zip and what has been inflated from it so far.
struct Parts<'z, 'b> {
    zip: &'z mut zip::ZipArchive<Cursor<&'b [u8]>>,
    file: String,
    total: u64,
    limits: Limits,
}

impl Parts<'_, '_> {
    /// The part's bytes, inflated with the limits, or `None` when it is not there.
    fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, WordError> {
        // Part names are case-insensitive in Office Open XML.
        let Some(index) = self.zip.index_for_name(name).or_else(|| {
            self.zip
                .file_names()
                .position(|n| n.eq_ignore_ascii_case(name))
        }) else {
            return Ok(None);
        };
        let err = |file: &str, source| WordError::Part {
            file: file.to_string(),
            part: name.to_string(),
            source,
        };
        let entry = self.zip.by_index(index).map_err(|e| err(&self.file, e))?;
        let limit = self
            .limits
            .part
            .min(self.limits.total.saturating_sub(self.total));
        let mut out = Vec::new();
        entry
            .take(limit + 1)
            .read_to_end(&mut out)
            .map_err(|e| err(&self.file, zip::result::ZipError::Io(e)))?;
        let read = out.len() as u64;
        if read > limit {
            return Err(if limit < self.limits.part {
                WordError::TotalTooLarge {
                    file: self.file.clone(),
                    part: name.to_string(),
                    limit: self.limits.total,
                }
            } else {
                WordError::PartTooLarge {
                    file: self.file.clone(),
                    part: name.to_string(),
                    limit: self.limits.part,
                }
            });
        }
        self.total += read;
        Ok(Some(out))
    }
}

/// One XML part, checked to be UTF-8.
struct Xml<'a> {
    file: &'a str,
    part: &'static str,
    text: &'a str,
}

impl<'a> Xml<'a> {
    fn new(file: &'a str, part: &'static str, bytes: &'a [u8]) -> Result<Xml<'a>, WordError> {
        let text = match std::str::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let at = e.valid_up_to();
                return Err(WordError::Xml {
                    file: file.to_string(),
                    part: part.to_string(),
                    line: line_at(bytes, at),
                    message: "the part is not UTF-8 text; save the document again as .docx.".into(),
                });
            }
        };
        Ok(Xml { file, part, text })
    }

    fn error(&self, at: u64, message: impl Into<String>) -> WordError {
        let at = usize::try_from(at).unwrap_or(usize::MAX);
        WordError::Xml {
            file: self.file.to_string(),
            part: self.part.to_string(),
            line: line_at(self.text.as_bytes(), at),
            message: message.into(),
        }
    }

    /// Reads every event through `f`, with DTDs and unknown entities refused; entity
    /// and character references arrive as [`Ev::Text`].
    fn events(&self, mut f: impl FnMut(Ev<'_>) -> Result<(), String>) -> Result<(), WordError> {
        let mut reader = Reader::from_str(self.text);
        loop {
            let at = reader.buffer_position();
            let event = reader.read_event().map_err(|e| {
                self.error(
                    reader.error_position(),
                    format!("the XML is broken ({e}); save the document again as .docx."),
                )
            })?;
            let ev = match event {
                Event::Eof => return Ok(()),
                Event::DocType(_) => {
                    return Err(self.error(
                        at,
                        "a DOCTYPE (DTD) is not allowed in a Word document: it is how entity-expansion attacks come in; the file is refused.",
                    ));
                }
                Event::Start(e) => Ev::Start(e),
                Event::Empty(e) => Ev::Empty(e),
                Event::End(_) => Ev::End,
                Event::Text(t) => {
                    let text = t
                        .decode()
                        .map_err(|e| self.error(at, format!("bad text: {e}")))?;
                    Ev::Text(text.into_owned())
                }
                Event::CData(t) => Ev::Text(String::from_utf8_lossy(&t).into_owned()),
                Event::GeneralRef(r) => {
                    let resolved = if r.is_char_ref() {
                        r.resolve_char_ref().ok().flatten()
                    } else {
                        match &*r {
                            b"amp" => Some('&'),
                            b"lt" => Some('<'),
                            b"gt" => Some('>'),
                            b"quot" => Some('"'),
                            b"apos" => Some('\''),
                            _ => None,
                        }
                    };
                    match resolved {
                        Some(c) => Ev::Text(c.to_string()),
                        None => {
                            return Err(self.error(
                                at,
                                format!(
                                    "the entity reference &{}; is not allowed (only the five XML entities and character references are); the file is refused.",
                                    String::from_utf8_lossy(&r)
                                ),
                            ));
                        }
                    }
                }
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) => continue,
            };
            let after = reader.buffer_position();
            f(ev).map_err(|m| self.error(after, m))?;
        }
    }
}

/// The events the part readers look at.
enum Ev<'a> {
    Start(BytesStart<'a>),
    Empty(BytesStart<'a>),
    End,
    Text(String),
}

fn line_at(bytes: &[u8], at: usize) -> usize {
    let at = at.min(bytes.len());
    bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1
}

/// The value of the attribute with this local name (any prefix), unescaped.
fn attr(e: &BytesStart<'_>, local: &[u8]) -> Result<Option<String>, String> {
    for a in e.attributes().with_checks(false) {
        let a =
            a.map_err(|e| format!("a broken attribute ({e}); save the document again as .docx."))?;
        if a.key.local_name().as_ref() == local {
            let raw = std::str::from_utf8(&a.value).map_err(|_| {
                "an attribute value that is not UTF-8; the file is refused.".to_string()
            })?;
            let v = quick_xml::escape::unescape(raw)
                .map_err(|e| format!("a bad attribute value ({e}); the file is refused."))?;
            return Ok(Some(v.into_owned()));
        }
    }
    Ok(None)
}

/// Style id → heading level, from styles.xml (`w:outlineLvl`, or a name "heading N").
fn read_styles(xml: &Xml<'_>) -> Result<HashMap<String, u8>, WordError> {
    let mut out = HashMap::new();
    let mut current: Option<String> = None;
    let mut depth = 0usize;
    let mut style_depth = 0usize;
    let mut based_on: HashMap<String, String> = HashMap::new();
    xml.events(|ev| {
        match ev {
            Ev::Start(e) => {
                if e.name().as_ref() == b"w:style" && current.is_none() {
                    current = attr(&e, b"styleId")?;
                    style_depth = depth;
                } else if let Some(id) = &current {
                    inspect_style(&e, id, &mut out, &mut based_on)?;
                }
                depth += 1;
            }
            Ev::Empty(e) => {
                if let Some(id) = &current {
                    inspect_style(&e, id, &mut out, &mut based_on)?;
                }
            }
            Ev::End => {
                depth = depth.saturating_sub(1);
                if depth == style_depth {
                    current = None;
                }
            }
            Ev::Text(_) => {}
        }
        Ok(())
    })?;
    // Styles based on a heading style are headings of that level.
    let ids: Vec<String> = based_on.keys().cloned().collect();
    for id in ids {
        if out.contains_key(&id) {
            continue;
        }
        let mut at = id.clone();
        for _ in 0..10 {
            match based_on.get(&at) {
                Some(parent) => {
                    if let Some(&level) = out.get(parent) {
                        out.insert(id.clone(), level);
                        break;
                    }
                    at = parent.clone();
                }
                None => break,
            }
        }
    }
    Ok(out)
}

fn inspect_style(
    e: &BytesStart<'_>,
    id: &str,
    out: &mut HashMap<String, u8>,
    based_on: &mut HashMap<String, String>,
) -> Result<(), String> {
    match e.name().as_ref() {
        b"w:name" => {
            if let Some(name) = attr(e, b"val")? {
                let lower = name.to_lowercase();
                if let Some(n) = lower.strip_prefix("heading ")
                    && let Ok(n) = n.trim().parse::<u8>()
                    && (1..=9).contains(&n)
                {
                    out.entry(id.to_string()).or_insert(n);
                }
            }
        }
        b"w:outlineLvl" => {
            if let Some(n) = attr(e, b"val")?.and_then(|v| v.parse::<u8>().ok())
                && n < 9
            {
                out.insert(id.to_string(), n + 1);
            }
        }
        b"w:basedOn" => {
            if let Some(p) = attr(e, b"val")? {
                based_on.insert(id.to_string(), p);
            }
        }
        _ => {}
    }
    Ok(())
}

/// The level of a heading style id that styles.xml does not describe.
fn heading_of_style_id(id: &str) -> Option<u8> {
    let lower = id.to_ascii_lowercase();
    let digits = lower
        .strip_prefix("heading")
        .or_else(|| lower.strip_prefix("overskrift"))?;
    let n: u8 = digits.trim().parse().ok()?;
    (1..=9).contains(&n).then_some(n)
}

/// Where a comment's marks are in the body.
#[derive(Debug, Clone, Copy, Default)]
struct Marks {
    start: Option<Pos>,
    end: Option<Pos>,
    reference: Option<Pos>,
}

/// The body, as read before comments are joined in.
struct Body {
    paragraphs: Vec<Para>,
    changes: Vec<Change>,
    marks: HashMap<String, Marks>,
}

/// An element on the stack while reading the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    P,
    /// A properties element (`w:pPr`, `w:rPr`, …): content ignored, bar the style.
    Props,
    /// Skipped with everything in it (drawings, text boxes, field codes, fallbacks).
    Skip,
    Change(ChangeKind, usize),
    Text,
    DelText,
    /// A table cell (`w:tc`).
    Cell,
    Other,
}

fn read_body(xml: &Xml<'_>, styles: &HashMap<String, u8>) -> Result<Body, WordError> {
    let mut body = Body {
        paragraphs: Vec::new(),
        changes: Vec::new(),
        marks: HashMap::new(),
    };
    let mut stack: Vec<Tag> = Vec::new();
    let mut ignoring = 0usize;
    let mut para: Option<Para> = None;
    let mut outline: Option<u8> = None;
    // In the order they were opened: the last is the innermost.
    let mut open_bookmarks: Vec<(String, String)> = Vec::new();
    let mut changes_open: Vec<usize> = Vec::new();
    // Move ranges open (`w:moveFromRangeStart` … `End`): whether it is a move-from,
    // its id and its name; the last is the innermost.
    let mut move_ranges: Vec<(bool, String, String)> = Vec::new();
    // Table cells open around the paragraph being read.
    let mut cells = 0usize;
    xml.events(|ev| {
        let pos = |para: &Option<Para>, n: usize| match para {
            Some(p) => Pos {
                para: n,
                old: p.old.len(),
                new: p.new.len(),
            },
            None => Pos {
                para: n,
                old: 0,
                new: 0,
            },
        };
        match ev {
            Ev::Start(e) => {
                let name = e.name();
                let name = name.as_ref();
                let tag = if ignoring > 0 {
                    if is_props(name) {
                        Tag::Props
                    } else {
                        Tag::Skip
                    }
                } else if is_skipped(name) {
                    Tag::Skip
                } else if is_props(name) {
                    Tag::Props
                } else {
                    match name {
                        b"w:p" => {
                            if para.is_none() {
                                para = Some(Para {
                                    bookmarks: open_bookmarks
                                        .iter()
                                        .map(|(_, n)| n.clone())
                                        .collect(),
                                    cell: cells > 0,
                                    ..Para::default()
                                });
                                outline = None;
                            }
                            Tag::P
                        }
                        b"w:t" => Tag::Text,
                        b"w:tc" => {
                            cells += 1;
                            Tag::Cell
                        }
                        b"w:delText" => Tag::DelText,
                        b"w:ins" | b"w:del" | b"w:moveFrom" | b"w:moveTo" => {
                            let kind = match name {
                                b"w:ins" => ChangeKind::Insert,
                                b"w:del" => ChangeKind::Delete,
                                b"w:moveFrom" => ChangeKind::MoveFrom,
                                _ => ChangeKind::MoveTo,
                            };
                            let index = body.changes.len();
                            let name = match kind {
                                ChangeKind::MoveFrom | ChangeKind::MoveTo => {
                                    let from = kind == ChangeKind::MoveFrom;
                                    move_ranges
                                        .iter()
                                        .rev()
                                        .find(|(f, _, _)| *f == from)
                                        .map(|(_, _, n)| n.clone())
                                }
                                _ => None,
                            };
                            body.changes.push(Change {
                                kind,
                                id: attr(&e, b"id")?.unwrap_or_default(),
                                author: attr(&e, b"author")?,
                                date: attr(&e, b"date")?,
                                start: pos(&para, body.paragraphs.len()),
                                end: Pos::default(),
                                text: String::new(),
                                name,
                            });
                            changes_open.push(index);
                            Tag::Change(kind, index)
                        }
                        _ => Tag::Other,
                    }
                };
                if matches!(tag, Tag::Props | Tag::Skip) {
                    ignoring += 1;
                }
                stack.push(tag);
            }
            Ev::Empty(e) => {
                let name = e.name();
                let name = name.as_ref();
                if ignoring > 0 {
                    // The paragraph's style, in its own w:pPr (not in a w:pPrChange).
                    if ignoring == 1
                        && stack.last() == Some(&Tag::Props)
                        && stack.len() >= 2
                        && stack[stack.len() - 2] == Tag::P
                    {
                        match name {
                            b"w:pStyle" => {
                                if let Some(p) = para.as_mut() {
                                    p.style = attr(&e, b"val")?;
                                }
                            }
                            b"w:outlineLvl" => {
                                outline = attr(&e, b"val")?
                                    .and_then(|v| v.parse::<u8>().ok())
                                    .filter(|n| *n < 9)
                                    .map(|n| n + 1);
                            }
                            _ => {}
                        }
                    }
                    return Ok(());
                }
                let removal = changes_open
                    .last()
                    .map(|&i| body.changes[i].kind.is_removal());
                let mut push_char = |para: &mut Option<Para>, c: &str| {
                    push_text(para, &mut body.changes, &changes_open, removal, c);
                };
                match name {
                    b"w:tab" | b"w:br" | b"w:cr" => push_char(&mut para, " "),
                    b"w:noBreakHyphen" => push_char(&mut para, "-"),
                    b"w:bookmarkStart" => {
                        if let (Some(id), Some(name)) = (attr(&e, b"id")?, attr(&e, b"name")?) {
                            if let Some(p) = para.as_mut()
                                && !p.bookmarks.contains(&name)
                            {
                                p.bookmarks.push(name.clone());
                            }
                            open_bookmarks.push((id, name));
                        }
                    }
                    b"w:moveFromRangeStart" | b"w:moveToRangeStart" => {
                        if let (Some(id), Some(n)) = (attr(&e, b"id")?, attr(&e, b"name")?) {
                            move_ranges.push((name == b"w:moveFromRangeStart", id, n));
                        }
                    }
                    b"w:moveFromRangeEnd" | b"w:moveToRangeEnd" => {
                        if let Some(id) = attr(&e, b"id")? {
                            let from = name == b"w:moveFromRangeEnd";
                            move_ranges.retain(|(f, i, _)| !(*f == from && *i == id));
                        }
                    }
                    b"w:bookmarkEnd" => {
                        if let Some(id) = attr(&e, b"id")? {
                            open_bookmarks.retain(|(i, _)| *i != id);
                        }
                    }
                    b"w:commentRangeStart" | b"w:commentRangeEnd" | b"w:commentReference" => {
                        if let Some(id) = attr(&e, b"id")? {
                            let at = pos(&para, body.paragraphs.len());
                            let m = body.marks.entry(id).or_default();
                            match name {
                                b"w:commentRangeStart" => m.start = Some(at),
                                b"w:commentRangeEnd" => m.end = Some(at),
                                _ => m.reference = Some(at),
                            }
                        }
                    }
                    _ => {}
                }
            }
            Ev::Text(t) => {
                if ignoring > 0 {
                    return Ok(());
                }
                let removal = match stack.last() {
                    Some(Tag::Text) => changes_open
                        .last()
                        .map(|&i| body.changes[i].kind.is_removal()),
                    Some(Tag::DelText) => Some(true),
                    _ => return Ok(()),
                };
                push_text(&mut para, &mut body.changes, &changes_open, removal, &t);
            }
            Ev::End => {
                let tag = stack.pop().unwrap_or(Tag::Other);
                match tag {
                    Tag::Props | Tag::Skip => ignoring = ignoring.saturating_sub(1),
                    Tag::Cell => cells = cells.saturating_sub(1),
                    Tag::P if ignoring == 0 && !stack.contains(&Tag::P) => {
                        if let Some(mut p) = para.take() {
                            let from_style = p.style.as_ref().and_then(|s| {
                                styles.get(s).copied().or_else(|| heading_of_style_id(s))
                            });
                            p.heading = from_style.or(outline);
                            body.paragraphs.push(p);
                        }
                    }
                    Tag::Change(_, index) => {
                        changes_open.retain(|&i| i != index);
                        let end = pos(&para, body.paragraphs.len());
                        if let Some(c) = body.changes.get_mut(index) {
                            c.end = end;
                        }
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    })?;
    // Changes that hold no text (a paragraph mark, a formatting wrapper) are not changes
    // of the text.
    body.changes.retain(|c| !c.text.is_empty());
    Ok(body)
}

/// Appends text to the paragraph: to the old text when `removal` is `Some(true)`, the
/// new when `Some(false)`, both when outside any change; and to the open changes.
fn push_text(
    para: &mut Option<Para>,
    changes: &mut [Change],
    open: &[usize],
    removal: Option<bool>,
    text: &str,
) {
    let Some(p) = para.as_mut() else {
        return;
    };
    match removal {
        Some(true) => p.old.push_str(text),
        Some(false) => p.new.push_str(text),
        None => {
            p.old.push_str(text);
            p.new.push_str(text);
        }
    }
    if let Some(&i) = open.last()
        && let Some(c) = changes.get_mut(i)
    {
        c.text.push_str(text);
    }
}

fn is_props(name: &[u8]) -> bool {
    name.starts_with(b"w:")
        && (name.ends_with(b"Pr") || name.ends_with(b"PrEx") || name.ends_with(b"PrChange"))
        || name == b"w:tblGrid"
}

fn is_skipped(name: &[u8]) -> bool {
    matches!(
        name,
        b"w:drawing"
            | b"w:pict"
            | b"w:object"
            | b"w:txbxContent"
            | b"w:instrText"
            | b"w:delInstrText"
            | b"w:fldData"
            | b"mc:Fallback"
            | b"w:footnotePr"
            | b"w:endnotePr"
    )
}

/// comments.xml: each comment with its text and its last paragraph's `w14:paraId`.
fn read_comments(xml: &Xml<'_>) -> Result<Vec<Comment>, WordError> {
    let mut out: Vec<Comment> = Vec::new();
    let mut current: Option<Comment> = None;
    let mut stack: Vec<Tag> = Vec::new();
    let mut ignoring = 0usize;
    let mut paras: Vec<String> = Vec::new();
    xml.events(|ev| {
        match ev {
            Ev::Start(e) => {
                let name = e.name();
                let name = name.as_ref();
                let tag = if ignoring > 0 || is_skipped(name) {
                    Tag::Skip
                } else if is_props(name) {
                    Tag::Props
                } else {
                    match name {
                        b"w:comment" => {
                            current = Some(Comment {
                                id: attr(&e, b"id")?.unwrap_or_default(),
                                author: attr(&e, b"author")?,
                                date: attr(&e, b"date")?,
                                initials: attr(&e, b"initials")?,
                                ..Comment::default()
                            });
                            paras.clear();
                            Tag::Other
                        }
                        b"w:p" => {
                            if let Some(c) = current.as_mut()
                                && let Some(id) = attr(&e, b"paraId")?
                            {
                                c.para_id = Some(id);
                            }
                            paras.push(String::new());
                            Tag::P
                        }
                        b"w:t" => Tag::Text,
                        _ => Tag::Other,
                    }
                };
                if matches!(tag, Tag::Props | Tag::Skip) {
                    ignoring += 1;
                }
                stack.push(tag);
            }
            Ev::Empty(e) => {
                if ignoring > 0 {
                    return Ok(());
                }
                match e.name().as_ref() {
                    b"w:tab" | b"w:br" | b"w:cr" => {
                        if let Some(p) = paras.last_mut() {
                            p.push(' ');
                        }
                    }
                    b"w:comment" => out.push(Comment {
                        id: attr(&e, b"id")?.unwrap_or_default(),
                        author: attr(&e, b"author")?,
                        date: attr(&e, b"date")?,
                        initials: attr(&e, b"initials")?,
                        ..Comment::default()
                    }),
                    _ => {}
                }
            }
            Ev::Text(t) => {
                if ignoring == 0
                    && stack.last() == Some(&Tag::Text)
                    && let Some(p) = paras.last_mut()
                {
                    p.push_str(&t);
                }
            }
            Ev::End => match stack.pop().unwrap_or(Tag::Other) {
                Tag::Props | Tag::Skip => ignoring = ignoring.saturating_sub(1),
                Tag::Other if ignoring == 0 && stack.is_empty() => {}
                Tag::Other if ignoring == 0 && stack.len() == 1 => {
                    // The end of a w:comment (its parent is w:comments).
                    if let Some(mut c) = current.take() {
                        c.text = paras
                            .iter()
                            .map(|p| p.trim())
                            .filter(|p| !p.is_empty())
                            .collect::<Vec<_>>()
                            .join("\n");
                        out.push(c);
                    }
                }
                _ => {}
            },
        }
        Ok(())
    })?;
    Ok(out)
}

/// commentsExtended.xml: paraId → (paraIdParent, done).
fn read_threads(xml: &Xml<'_>) -> Result<HashMap<String, (Option<String>, bool)>, WordError> {
    let mut out = HashMap::new();
    xml.events(|ev| {
        if let Ev::Start(e) | Ev::Empty(e) = ev
            && e.local_name().as_ref() == b"commentEx"
            && let Some(id) = attr(&e, b"paraId")?
        {
            let parent = attr(&e, b"paraIdParent")?;
            let done = attr(&e, b"done")?.is_some_and(|d| d == "1" || d == "true");
            out.insert(id, (parent, done));
        }
        Ok(())
    })?;
    Ok(out)
}

/// The custom properties: each `property`'s `name` and the text of its value.
fn read_properties(xml: &Xml<'_>) -> Result<Vec<(String, String)>, WordError> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut open = false;
    xml.events(|ev| {
        match ev {
            Ev::Start(e) | Ev::Empty(e) if e.local_name().as_ref() == b"property" => {
                open = match attr(&e, b"name")? {
                    Some(name) => {
                        out.push((name, String::new()));
                        true
                    }
                    None => false,
                };
            }
            Ev::Text(t) if open => {
                if let Some((_, v)) = out.last_mut() {
                    v.push_str(&t);
                }
            }
            _ => {}
        }
        Ok(())
    })?;
    for (_, v) in &mut out {
        *v = v.trim().to_string();
    }
    Ok(out)
}

#[cfg(test)]
#[path = "read_tests.rs"]
pub(crate) mod tests;
