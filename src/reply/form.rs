//! Reading a filled-in response form back.
//!
//! The form and its grammar are described in [`crate::mail::Renderer::render_form`]'s
//! module (`mail::render`): header lines (`Round`, `Party`, `Version`, `Position`),
//! then blocks opened by `=== … ===` lines with the fields `Section`, `Quote`,
//! `Comment` and `Proposed change`, each key in English, Norwegian (nb/nn) or Danish.
//! [`parse_form`] reads that grammar with these rules, line by line:
//!
//! - Line ends may be `\n` or `\r\n`; a byte-order mark at the start and trailing
//!   whitespace on every line are ignored.
//! - **Quoted forms.** When every non-blank line starts with `>` (a form quoted in an
//!   e-mail reply), that quoting is removed first (`>` and one following space, as many
//!   levels as all lines share). Line numbers stay those of the text given.
//! - **Comments.** A line whose first character is `#` is ignored, also inside a text
//!   field. (To start a line of text with `#`, indent it by a space.)
//! - **Blocks.** A line starting with `===` opens a new block (the template writes
//!   `=== title ===`; the title is not read, and text after the closing `===` is an
//!   error, as it would be lost). A block's `line` is the line of its marker.
//! - **Fields.** A line `key: value` whose key is one of the aliases (any case, spaces
//!   around the key and inside it do not matter) sets that field. The identifier keys
//!   (`Round`, `Party`, `Version`, `Section`) take the first word of the value; the
//!   rest (a title in parentheses) is a reading aid. The party code is returned in
//!   upper case. An empty identifier is `None`; an empty `Section` makes the block a
//!   general comment.
//! - **Continuations.** Any other line continues the field above it. In a text field
//!   (`Quote`, `Comment`, `Proposed change`) it is appended with its line break, and a
//!   blank line inside the text is kept as one paragraph break. After an identifier
//!   whose reading aid has an unclosed `(`, lines up to the closing `)` belong to the
//!   reading aid (a mail program may have wrapped the line). After `Position`, lines
//!   holding a `[` or `(` continue the boxes (wrapped the same way). Anything else is an
//!   error: text outside a field is never dropped silently.
//! - **Position.** The value holds boxes `[ ] label (key)`. A box with any character
//!   other than whitespace between the brackets is ticked; its key is the word in the
//!   last parentheses of its label, or the label itself, and must be one of
//!   `no-comments`, `comments`, `reservation`, `disagree`. No ticked box gives `None`;
//!   two ticked boxes are an error, and so is a value with text but no box at all.
//! - **Blocks that count.** A block whose text fields are all empty is ignored, so
//!   untouched blocks are harmless. A block with a comment or a proposed change
//!   counts, with or without a quote (a proposed change says what the party wants even
//!   without a comment). A block with a quote but neither comment nor proposed change
//!   is an error: the party has said what the comment is about, but not what it is.
//!   A block without a `Section` (or with an empty one) is a general comment; it may
//!   still hold a quote, which the caller then looks for in the whole document.
//!
//! Errors (see [`FormError`]) carry the 1-based line and say what is wrong and how to
//! fix it, naming keys in the language the form uses:
//!
//! - a line in the header that is neither a header field, a comment, a block marker
//!   nor a continuation as above;
//! - a key that is not one of the aliases but within one or two typing errors of one
//!   (`Merknadd:` → did you mean `Merknad:`?), at the start of a line;
//! - a header key inside a block, or a block key before the first block;
//! - a key given twice (in the header, or within one block: a new block needs its own
//!   `===` line);
//! - text in a block before its first field, or after a block marker's closing `===`;
//! - a ticked box with an unknown key, two ticked boxes, or a position without boxes;
//! - a quote without comment or proposed change (see above);
//! - text that holds no form at all (no header field and no block).
//!
//! [`find_form`] finds a form pasted into an e-mail body, with text around it; see
//! there. [`looks_like_form`] tells whether a text holds one.

use serde::{Deserialize, Serialize};

pub use crate::model::Position;

/// One comment block of a form that has something in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormBlock {
    /// The section id (first word of the `Section` field); `None` for a general comment.
    pub section: Option<String>,
    /// The quoted text of the draft, as written (may be empty).
    pub quote: String,
    /// The comment (may be empty when there is a proposed change).
    pub comment: String,
    /// The proposed new text (may be empty).
    pub proposal: String,
    /// 1-based line of the block's `===` marker.
    pub line: usize,
}

/// A response form as read by [`parse_form`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ParsedForm {
    /// The round id from the `Round` line (first word), if given.
    pub round: Option<String>,
    /// The party code from the `Party` line (first word, upper case), if given.
    pub party: Option<String>,
    /// The version name from the `Version` line (first word), if given.
    pub version: Option<String>,
    /// The ticked position, if a box is ticked.
    pub position: Option<Position>,
    /// The organisation the answer is given for (`Organisation` line, the whole value),
    /// if given: an answer to an open høring from someone who is no listed party.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    /// The blocks with any text, in form order.
    pub blocks: Vec<FormBlock>,
}

/// Why a form cannot be read. Every variant carries the 1-based line (see
/// [`FormError::line`]); the message says what is wrong and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    /// The text holds no header field and no block.
    #[error(
        "line {line}: this is not a response form: it has no line like \"{round}: …\" and no block starting with \"===\"."
    )]
    NotAForm {
        /// The first line of the text.
        line: usize,
        /// The `Round` key as the message names it.
        round: String,
    },
    /// A line in the header that the grammar does not allow there.
    #[error(
        "line {line}: {text:?} is not part of the form's header; the lines before the first \"===\" line must be fields ({known}), comments starting with #, or blank. Remove the line or start it with #."
    )]
    UnexpectedText {
        /// 1-based line.
        line: usize,
        /// The line (shortened).
        text: String,
        /// The header keys, as the message names them.
        known: String,
    },
    /// A key that is not one of the form's keys but close to one.
    #[error(
        "line {line}: unknown field \"{key}:\"; did you mean \"{suggestion}:\"? Write the field name exactly as on the form."
    )]
    UnknownKey {
        /// 1-based line.
        line: usize,
        /// The key as written.
        key: String,
        /// The nearest known key.
        suggestion: String,
    },
    /// A header key inside a block, or a block key in the header.
    #[error("line {line}: \"{key}:\" {why}")]
    MisplacedKey {
        /// 1-based line.
        line: usize,
        /// The key as written.
        key: String,
        /// Where it belongs and how to fix it.
        why: String,
    },
    /// A key given twice in the header or in one block.
    #[error("line {line}: \"{key}:\" is given twice (first on line {first_line}); {fix}")]
    DuplicateKey {
        /// 1-based line of the second one.
        line: usize,
        /// The key as written.
        key: String,
        /// 1-based line of the first one.
        first_line: usize,
        /// How to fix it.
        fix: String,
    },
    /// Text in a block that does not belong to a field.
    #[error(
        "line {line}: the text {text:?} is not in a field; write it after \"{comment}:\" (or another field name followed by a colon)."
    )]
    TextOutsideField {
        /// 1-based line.
        line: usize,
        /// The line (shortened).
        text: String,
        /// The `Comment` key as the message names it.
        comment: String,
    },
    /// More than one position ticked.
    #[error(
        "line {line}: more than one position is ticked ({first} and {second}); tick one box only."
    )]
    SeveralPositions {
        /// 1-based line of the second ticked box.
        line: usize,
        /// The first ticked key.
        first: Position,
        /// The second ticked key.
        second: Position,
    },
    /// A ticked box whose key is not a position.
    #[error(
        "line {line}: the ticked box {label:?} is not one of the positions; keep the word in parentheses after the label, one of: no-comments, comments, reservation, disagree."
    )]
    UnknownPosition {
        /// 1-based line.
        line: usize,
        /// The box's label as written.
        label: String,
    },
    /// A position line with text but no box.
    #[error(
        "line {line}: the position {text:?} has no box; tick one of the boxes by writing x between the brackets, like [x]."
    )]
    PositionWithoutBox {
        /// 1-based line.
        line: usize,
        /// The value as written (shortened).
        text: String,
    },
    /// A block that quotes the draft but says nothing about it.
    #[error(
        "line {line}: the block has a quote but no comment and no proposed change; write what you think after \"{comment}:\", or remove the quote."
    )]
    QuoteWithoutComment {
        /// 1-based line of the block's marker.
        line: usize,
        /// The `Comment` key as the message names it.
        comment: String,
    },
}

impl FormError {
    /// The 1-based line the error is about.
    pub fn line(&self) -> usize {
        match self {
            FormError::NotAForm { line, .. }
            | FormError::UnexpectedText { line, .. }
            | FormError::UnknownKey { line, .. }
            | FormError::MisplacedKey { line, .. }
            | FormError::DuplicateKey { line, .. }
            | FormError::TextOutsideField { line, .. }
            | FormError::SeveralPositions { line, .. }
            | FormError::UnknownPosition { line, .. }
            | FormError::PositionWithoutBox { line, .. }
            | FormError::QuoteWithoutComment { line, .. } => *line,
        }
    }
}

/// The form's keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Round,
    Party,
    Version,
    Position,
    Organisation,
    Section,
    Quote,
    Comment,
    Proposal,
}

impl Key {
    const ALL: [Key; 9] = [
        Key::Round,
        Key::Party,
        Key::Version,
        Key::Position,
        Key::Organisation,
        Key::Section,
        Key::Quote,
        Key::Comment,
        Key::Proposal,
    ];

    /// Aliases, lower case: English, Norwegian (nb/nn), Danish.
    fn aliases(self) -> [&'static str; 3] {
        match self {
            Key::Round => ["round", "runde", "runde"],
            Key::Party => ["party", "part", "part"],
            Key::Version => ["version", "versjon", "version"],
            Key::Position => ["position", "standpunkt", "standpunkt"],
            Key::Organisation => ["organisation", "organisasjon", "organisation"],
            Key::Section => ["section", "seksjon", "afsnit"],
            Key::Quote => ["quote", "sitat", "citat"],
            Key::Comment => ["comment", "merknad", "bemærkning"],
            Key::Proposal => [
                "proposed change",
                "forslag til endring",
                "forslag til ændring",
            ],
        }
    }

    /// The key as shown in messages, in a form language (0 en, 1 nb/nn, 2 da).
    fn name(self, lang: usize) -> String {
        let alias = self.aliases()[lang.min(2)];
        let mut chars = alias.chars();
        match chars.next() {
            Some(c) => c.to_uppercase().chain(chars).collect(),
            None => String::new(),
        }
    }

    fn in_header(self) -> bool {
        matches!(
            self,
            Key::Round | Key::Party | Key::Version | Key::Position | Key::Organisation
        )
    }

    /// The key whose alias is `label` (already lower-cased and space-collapsed), and the
    /// language of that alias.
    fn find(label: &str) -> Option<(Key, usize)> {
        Key::ALL.into_iter().find_map(|k| {
            k.aliases()
                .iter()
                .position(|a| *a == label)
                .map(|lang| (k, lang))
        })
    }
}

/// Parses a filled-in response form; see the module documentation for the rules.
///
/// Never panics, whatever the input.
pub fn parse_form(text: &str) -> Result<ParsedForm, FormError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let raw: Vec<&str> = text.lines().collect();
    let depth = raw
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| quote_depth(l).0)
        .min()
        .unwrap_or(0);
    let lines = raw
        .iter()
        .enumerate()
        .map(|(i, l)| (i + 1, strip_quote_levels(l, depth)));
    Parser::default().run(lines)
}

/// Whether `text` holds a response form: a `Round:`/`Runde:` line and a line starting
/// with `===`, both possibly quoted with `>`.
pub fn looks_like_form(text: &str) -> bool {
    let mut round = false;
    let mut marker = false;
    for line in text.lines() {
        let (_, content) = quote_depth(line);
        let content = content.trim_end();
        if content.starts_with("===") {
            marker = true;
        } else if let Some((label, _)) = split_field(content)
            && matches!(Key::find(&label), Some((Key::Round, _)))
        {
            round = true;
        }
        if round && marker {
            return true;
        }
    }
    false
}

/// Finds a response form inside an e-mail body and parses it, or `None` when the body
/// holds no form (see [`looks_like_form`]).
///
/// The form is taken to be:
/// - from the first `Round:` line, or the comments, header fields and blank lines
///   right above it, at the same quoting depth (`>` levels) as that line;
/// - up to the first later non-blank line at a smaller depth, a signature line `--`, a
///   line starting with `-----` or `_____` (the separators mail programs put before a
///   forwarded or quoted message), or the end of the body;
/// - without a tail of lines quoted deeper than the form (the message being answered,
///   as mail programs append it), and without the line right above that tail when it
///   ends with `:` (the "On … wrote:" line).
///
/// The form's quoting is removed, and line numbers in errors are those of the body.
/// Text the party writes after the form at the same depth, such as a greeting, is read
/// as part of the last field: there is no telling it apart.
pub fn find_form(body: &str) -> Option<Result<ParsedForm, FormError>> {
    if !looks_like_form(body) {
        return None;
    }
    let body = body.strip_prefix('\u{feff}').unwrap_or(body);
    let lines: Vec<(usize, &str)> = body
        .lines()
        .map(|l| {
            let (d, c) = quote_depth(l);
            (d, c.trim_end())
        })
        .collect();
    let is_round = |c: &str| {
        split_field(c).is_some_and(|(label, _)| matches!(Key::find(&label), Some((Key::Round, _))))
    };
    let round_at = lines.iter().position(|(_, c)| is_round(c))?;
    let depth = lines[round_at].0;
    // Walk up over comments, header fields and blank lines at the same depth.
    let mut start = round_at;
    while start > 0 {
        let (d, c) = lines[start - 1];
        let header_like = c.is_empty()
            || c.starts_with('#')
            || split_field(c)
                .is_some_and(|(label, _)| Key::find(&label).is_some_and(|(k, _)| k.in_header()));
        if (d == depth || c.is_empty()) && header_like {
            start -= 1;
        } else {
            break;
        }
    }
    // Walk down to the end of the form.
    let mut end = round_at + 1;
    while end < lines.len() {
        let (d, c) = lines[end];
        let separator = c == "--" || c.starts_with("-----") || c.starts_with("_____");
        if (!c.is_empty() && d < depth) || (d == depth && separator) {
            break;
        }
        end += 1;
    }
    // Drop a tail of deeper-quoted and blank lines, and the attribution line above it.
    let mut tail = end;
    while tail > round_at + 1 && (lines[tail - 1].1.is_empty() || lines[tail - 1].0 > depth) {
        tail -= 1;
    }
    if tail < end && lines[tail..end].iter().any(|(d, _)| *d > depth) {
        end = tail;
        if end > round_at + 1 && lines[end - 1].0 == depth && lines[end - 1].1.ends_with(':') {
            end -= 1;
        }
    }
    let raw: Vec<&str> = body.lines().collect();
    let selected = (start..end).map(|i| (i + 1, strip_quote_levels(raw[i], depth)));
    Some(Parser::default().run(selected))
}

/// Number of `>` quoting levels at the start of a line, and the line without them (and
/// without one space after each `>`). A line without quoting is returned unchanged.
fn quote_depth(line: &str) -> (usize, &str) {
    let mut depth = 0;
    let mut rest = line;
    loop {
        let t = rest.trim_start_matches([' ', '\t']);
        match t.strip_prefix('>') {
            Some(after) => {
                depth += 1;
                rest = after.strip_prefix(' ').unwrap_or(after);
            }
            None => return (depth, rest),
        }
    }
}

/// The line without its first `levels` quoting levels (fewer if it has fewer, as a
/// blank line may).
fn strip_quote_levels(line: &str, levels: usize) -> &str {
    let mut rest = line;
    for _ in 0..levels {
        let t = rest.trim_start_matches([' ', '\t']);
        match t.strip_prefix('>') {
            Some(after) => rest = after.strip_prefix(' ').unwrap_or(after),
            None => return t,
        }
    }
    rest
}

/// `label: value` → (label lower-cased with whitespace collapsed, value) when the line
/// has a colon after a short label of letters and spaces.
fn split_field(line: &str) -> Option<(String, &str)> {
    let colon = line.find(':')?;
    let label = line.get(..colon)?.trim();
    if label.is_empty()
        || label.chars().count() > 30
        || !label
            .chars()
            .all(|c| c.is_alphabetic() || c == ' ' || c == '\t')
    {
        return None;
    }
    let label = label
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    Some((label, line.get(colon + 1..).unwrap_or_default()))
}

/// The nearest alias to `label` when it is within one typing error (keys of up to five
/// letters) or two (longer keys), with the same number of words.
fn near_key(label: &str) -> Option<(Key, usize)> {
    let words = label.split(' ').count();
    let mut best: Option<(usize, Key, usize)> = None;
    for key in Key::ALL {
        for (lang, alias) in key.aliases().iter().enumerate() {
            if alias.split(' ').count() != words {
                continue;
            }
            let max = if alias.chars().count() <= 5 { 1 } else { 2 };
            let d = crate::document::edit_distance(label, alias);
            if d <= max && best.is_none_or(|(bd, _, _)| d < bd) {
                best = Some((d, key, lang));
            }
        }
    }
    best.map(|(_, k, l)| (k, l))
}

/// A line for an error message: at most 60 columns.
fn shorten(line: &str) -> String {
    crate::columns::cut(line.trim(), 60).into_owned()
}

/// First word of an identifier value, if any.
fn first_word(value: &str) -> Option<String> {
    value.split_whitespace().next().map(str::to_string)
}

/// Whether a reading aid leaves a `(` open.
fn paren_open(text: &str, was_open: bool) -> bool {
    let mut depth: i64 = i64::from(was_open);
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = (depth - 1).max(0),
            _ => {}
        }
    }
    depth > 0
}

/// A text field being read.
#[derive(Debug, Default)]
struct TextField {
    /// Line of the key, once given.
    line: Option<usize>,
    lines: Vec<String>,
}

impl TextField {
    fn finish(&self) -> String {
        let mut out = String::new();
        let mut blank = false;
        for l in &self.lines {
            if l.trim().is_empty() {
                blank = true;
                continue;
            }
            if !out.is_empty() {
                out.push_str(if blank { "\n\n" } else { "\n" });
            }
            blank = false;
            out.push_str(l);
        }
        out.trim().to_string()
    }
}

/// What a continuation line continues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Current {
    None,
    /// An identifier (or `Position`), and whether its reading aid has an open `(`.
    Ident(Key, bool),
    /// A text field.
    Text(Key),
}

#[derive(Debug, Default)]
struct Block {
    line: usize,
    section: Option<String>,
    section_line: Option<usize>,
    quote: TextField,
    comment: TextField,
    proposal: TextField,
}

impl Block {
    fn text_mut(&mut self, key: Key) -> Option<&mut TextField> {
        match key {
            Key::Quote => Some(&mut self.quote),
            Key::Comment => Some(&mut self.comment),
            Key::Proposal => Some(&mut self.proposal),
            _ => None,
        }
    }

    /// Line where `key` was first given in this block.
    fn given(&self, key: Key) -> Option<usize> {
        match key {
            Key::Section => self.section_line,
            Key::Quote => self.quote.line,
            Key::Comment => self.comment.line,
            Key::Proposal => self.proposal.line,
            _ => None,
        }
    }
}

#[derive(Debug, Default)]
struct Parser {
    form: ParsedForm,
    /// Lines where the header keys were given.
    header_lines: [Option<usize>; 5],
    /// The `Position` value in pieces: (line, text).
    position: Vec<(usize, String)>,
    block: Option<Block>,
    current: Option<Current>,
    /// The form's language for messages (0 en, 1 nb/nn, 2 da), from the first key.
    lang: Option<usize>,
}

impl Parser {
    fn lang(&self) -> usize {
        self.lang.unwrap_or(0)
    }

    fn run<'a>(
        mut self,
        lines: impl Iterator<Item = (usize, &'a str)>,
    ) -> Result<ParsedForm, FormError> {
        let lines: Vec<(usize, &str)> = lines.map(|(no, l)| (no, l.trim_end())).collect();
        let form_like = lines.iter().any(|(_, l)| {
            l.starts_with("===")
                || split_field(l).is_some_and(|(label, _)| Key::find(&label).is_some())
        });
        if !form_like {
            return Err(FormError::NotAForm {
                line: lines.first().map_or(1, |(no, _)| *no),
                round: Key::Round.name(0),
            });
        }
        for (no, line) in lines {
            self.line(no, line)?;
        }
        self.finish_block()?;
        self.form.position = self.read_position()?;
        Ok(self.form)
    }

    fn line(&mut self, no: usize, line: &str) -> Result<(), FormError> {
        let current = self.current.unwrap_or(Current::None);
        if line.is_empty() {
            match current {
                Current::Text(key) => {
                    if let Some(f) = self.block.as_mut().and_then(|b| b.text_mut(key)) {
                        f.lines.push(String::new());
                    }
                }
                _ => self.current = None,
            }
            return Ok(());
        }
        if line.starts_with('#') {
            return Ok(());
        }
        if line.starts_with("===") {
            // `=== title === text`: the text would be lost, since titles are not read.
            let title = line.trim_start_matches('=');
            if let Some(close) = title.find("===") {
                let after = title
                    .get(close..)
                    .unwrap_or_default()
                    .trim_start_matches('=')
                    .trim();
                if !after.is_empty() {
                    return Err(FormError::TextOutsideField {
                        line: no,
                        text: shorten(after),
                        comment: Key::Comment.name(self.lang()),
                    });
                }
            }
            self.finish_block()?;
            self.block = Some(Block {
                line: no,
                ..Block::default()
            });
            self.current = None;
            return Ok(());
        }
        if let Some((label, value)) = split_field(line) {
            if let Some((key, lang)) = Key::find(&label) {
                self.lang.get_or_insert(lang);
                return self.field(no, key, label_as_written(line), value);
            }
            let at_line_start = !line.starts_with([' ', '\t']);
            if at_line_start && let Some((key, lang)) = near_key(&label) {
                return Err(FormError::UnknownKey {
                    line: no,
                    key: label_as_written(line),
                    suggestion: key.name(self.lang.unwrap_or(lang)),
                });
            }
        }
        self.continuation(no, line, current)
    }

    fn field(
        &mut self,
        no: usize,
        key: Key,
        written: String,
        value: &str,
    ) -> Result<(), FormError> {
        let lang = self.lang();
        match (&mut self.block, key.in_header()) {
            (None, true) => {
                let idx = header_index(key);
                if let Some(first_line) = self.header_lines[idx] {
                    return Err(FormError::DuplicateKey {
                        line: no,
                        key: written,
                        first_line,
                        fix: "give it once, and remove the other line.".to_string(),
                    });
                }
                self.header_lines[idx] = Some(no);
                match key {
                    Key::Round => self.form.round = first_word(value),
                    Key::Party => self.form.party = first_word(value).map(|p| p.to_uppercase()),
                    Key::Version => self.form.version = first_word(value),
                    Key::Organisation => {
                        self.form.organisation =
                            Some(value.trim().to_string()).filter(|o| !o.is_empty());
                    }
                    _ => self.position.push((no, value.to_string())),
                }
                let open = paren_open(value, false);
                self.current = Some(Current::Ident(key, open));
                Ok(())
            }
            (None, false) => Err(FormError::MisplacedKey {
                line: no,
                key: written,
                why: format!(
                    "belongs in a block, but comes before the first block; add a line \"=== {} ===\" above it.",
                    Key::Comment.name(lang)
                ),
            }),
            (Some(_), true) => Err(FormError::MisplacedKey {
                line: no,
                key: written,
                why: "belongs in the header at the top of the form, before the first \"===\" line; move it there.".to_string(),
            }),
            (Some(block), false) => {
                if let Some(first_line) = block.given(key) {
                    return Err(FormError::DuplicateKey {
                        line: no,
                        key: written,
                        first_line,
                        fix: format!(
                            "a block holds each field once. For another comment, start a new block with a line \"=== {} ===\" above this one.",
                            Key::Comment.name(lang)
                        ),
                    });
                }
                if key == Key::Section {
                    block.section = first_word(value);
                    block.section_line = Some(no);
                    self.current = Some(Current::Ident(key, paren_open(value, false)));
                } else if let Some(f) = block.text_mut(key) {
                    f.line = Some(no);
                    let v = value.trim_start();
                    if !v.is_empty() {
                        f.lines.push(v.to_string());
                    }
                    self.current = Some(Current::Text(key));
                }
                Ok(())
            }
        }
    }

    fn continuation(&mut self, no: usize, line: &str, current: Current) -> Result<(), FormError> {
        let lang = self.lang();
        match current {
            Current::Text(key) => {
                if let Some(f) = self.block.as_mut().and_then(|b| b.text_mut(key)) {
                    f.lines.push(line.to_string());
                }
                Ok(())
            }
            Current::Ident(Key::Position, open) if open || line.contains(['[', '(']) => {
                self.position.push((no, line.to_string()));
                self.current = Some(Current::Ident(Key::Position, paren_open(line, open)));
                Ok(())
            }
            Current::Ident(key, true) => {
                self.current = Some(Current::Ident(key, paren_open(line, true)));
                Ok(())
            }
            _ if self.block.is_some() => Err(FormError::TextOutsideField {
                line: no,
                text: shorten(line),
                comment: Key::Comment.name(lang),
            }),
            _ => Err(FormError::UnexpectedText {
                line: no,
                text: shorten(line),
                known: [Key::Round, Key::Party, Key::Version, Key::Position]
                    .iter()
                    .map(|k| format!("{}:", k.name(lang)))
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }

    fn finish_block(&mut self) -> Result<(), FormError> {
        let Some(block) = self.block.take() else {
            return Ok(());
        };
        let quote = block.quote.finish();
        let comment = block.comment.finish();
        let proposal = block.proposal.finish();
        if quote.is_empty() && comment.is_empty() && proposal.is_empty() {
            return Ok(());
        }
        if comment.is_empty() && proposal.is_empty() {
            return Err(FormError::QuoteWithoutComment {
                line: block.line,
                comment: Key::Comment.name(self.lang()),
            });
        }
        self.form.blocks.push(FormBlock {
            section: block.section,
            quote,
            comment,
            proposal,
            line: block.line,
        });
        Ok(())
    }

    /// Reads the ticked box of the `Position` pieces.
    fn read_position(&self) -> Result<Option<Position>, FormError> {
        let Some(&(first_line, _)) = self.position.first() else {
            return Ok(None);
        };
        // Join the pieces, remembering where each starts.
        let mut value = String::new();
        let mut starts = Vec::new();
        for (line, text) in &self.position {
            if !value.is_empty() {
                value.push(' ');
            }
            starts.push((value.len(), *line));
            value.push_str(text);
        }
        let line_at = |offset: usize| {
            starts
                .iter()
                .take_while(|(s, _)| *s <= offset)
                .last()
                .map_or(first_line, |(_, l)| *l)
        };
        // Boxes: (offset of '[', inside, offset after ']').
        let mut boxes = Vec::new();
        let mut i = 0;
        while let Some(open) = value.get(i..).and_then(|s| s.find('[')) {
            let o = i + open;
            let Some(close) = value.get(o + 1..).and_then(|s| s.find(']')) else {
                break;
            };
            let c = o + 1 + close;
            boxes.push((o, value.get(o + 1..c).unwrap_or_default(), c + 1));
            i = c + 1;
        }
        if boxes.is_empty() {
            if value.trim().is_empty() {
                return Ok(None);
            }
            return Err(FormError::PositionWithoutBox {
                line: first_line,
                text: shorten(&value),
            });
        }
        let mut ticked: Option<Position> = None;
        for (k, &(open, inside, label_start)) in boxes.iter().enumerate() {
            if inside.trim().is_empty() {
                continue;
            }
            let label_end = boxes.get(k + 1).map_or(value.len(), |b| b.0);
            let label = value.get(label_start..label_end).unwrap_or_default().trim();
            let key = last_parenthesized(label).unwrap_or(label);
            let Some(position) = Position::from_key(key) else {
                return Err(FormError::UnknownPosition {
                    line: line_at(open),
                    label: shorten(label),
                });
            };
            if let Some(first) = ticked
                && first != position
            {
                return Err(FormError::SeveralPositions {
                    line: line_at(open),
                    first,
                    second: position,
                });
            }
            ticked = Some(position);
        }
        Ok(ticked)
    }
}

/// The text inside the last `( … )` of a label.
fn last_parenthesized(label: &str) -> Option<&str> {
    let close = label.rfind(')')?;
    let open = label.get(..close)?.rfind('(')?;
    let inner = label.get(open + 1..close)?.trim();
    (!inner.is_empty()).then_some(inner)
}

/// The key as written on the line (before the colon, trimmed).
fn label_as_written(line: &str) -> String {
    line.split(':')
        .next()
        .unwrap_or_default()
        .trim()
        .to_string()
}

fn header_index(key: Key) -> usize {
    match key {
        Key::Round => 0,
        Key::Party => 1,
        Key::Version => 2,
        Key::Organisation => 4,
        _ => 3,
    }
}

#[cfg(test)]
#[path = "form_tests.rs"]
mod tests;
