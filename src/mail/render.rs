//! Letters and response forms from handlebars templates.
//!
//! # Templates
//!
//! Built-in templates live in `templates/` and are compiled into the program; a
//! workspace's own `templates/` folder may hold files of the same name to replace them
//! (and more `*.hbs` files, usable as partials with `{{> name}}`). The name of a template
//! is its file name without `.hbs`:
//!
//! - `round-letter.<lang>` and `reminder.<lang>`: a letter. Its first line is
//!   `Subject: …` (the keyword stays English in every language), then a blank line,
//!   then the plain-text body. The subject must contain `{{subject_token}}`.
//! - `response-form.<lang>.txt`: the response form sent as an attachment.
//!
//! Rendering is strict: a field the template uses but the data lacks is an error that
//! names the template file and line. Output is plain text: nothing is HTML-escaped.
//! Every text value is put on one line before rendering (line breaks and other control
//! characters become spaces), so no value can add a header line or a form line. After
//! rendering, trailing spaces are removed and runs of blank lines become one.
//! Helper: `{{capitalize x}}` upper-cases the first letter of `x`.
//!
//! # The response form's grammar
//!
//! The form is meant to be filled in by hand in any text editor and read back by a
//! parser (not part of this module). Line by line, after trimming trailing spaces:
//!
//! ```text
//! form     = { comment | header | blank } , { block }
//! comment  = "#" , text                       (instructions; ignored)
//! header   = key , ":" , value                (before the first block)
//! block    = marker , { field | continuation | comment | blank }
//! marker   = "=== " , text , " ==="           (any line starting "=== " opens a block)
//! field    = key , ":" , [ " " , text ]
//! continuation = text                         (appends to the previous text field)
//! ```
//!
//! Keys are matched case-insensitively against these aliases (English first, then
//! nb/nn, then da); the English name is the machine key:
//!
//! | key        | aliases                                          | value                    |
//! |------------|--------------------------------------------------|--------------------------|
//! | `Round`    | `Runde`                                          | first word: the round id |
//! | `Party`    | `Part`                                           | first word: party code   |
//! | `Version`  | `Versjon`                                        | first word: `v1`, …      |
//! | `Position` | `Standpunkt`                                     | ticked boxes, see below  |
//! | `Organisation` | `Organisasjon`                               | free text: for whom an unlisted sender answers an open høring |
//! | `Section`  | `Seksjon`, `Afsnit`                              | first word: section id   |
//! | `Quote`    | `Sitat`, `Citat`                                 | free text, many lines    |
//! | `Comment`  | `Merknad`, `Bemærkning`                          | free text, many lines    |
//! | `Proposed change` | `Forslag til endring`, `Forslag til ændring` | free text, many lines |
//!
//! For the identifier keys only the first word counts; what follows it (a title in
//! parentheses) is a reading aid. `Position` holds boxes `[ ] label (key)`; a box with
//! any character other than a space between the brackets (`[x]`, `[X]`) is ticked, and
//! the ticked box's machine key is the word in parentheses after its label, or the
//! label itself when it has none (English). The keys are `no-comments`, `comments`,
//! `reservation` and `disagree`. A block without a `Section` field is a general comment.
//! A block whose text fields are all empty is ignored, so untouched blocks are harmless.

use std::collections::BTreeMap;
use std::path::Path;

use handlebars::{
    Context, Handlebars, Helper, HelperResult, Output, RenderContext, RenderError,
    RenderErrorReason, TemplateError,
};
use serde::{Deserialize, Serialize};

use super::{Lang, MailError};

/// The names of the built-in templates, and their sources.
const BUILTINS: [(&str, &str); 12] = [
    (
        "round-letter.nb",
        include_str!("../../templates/round-letter.nb.hbs"),
    ),
    (
        "round-letter.nn",
        include_str!("../../templates/round-letter.nn.hbs"),
    ),
    (
        "round-letter.en",
        include_str!("../../templates/round-letter.en.hbs"),
    ),
    (
        "round-letter.da",
        include_str!("../../templates/round-letter.da.hbs"),
    ),
    (
        "reminder.nb",
        include_str!("../../templates/reminder.nb.hbs"),
    ),
    (
        "reminder.nn",
        include_str!("../../templates/reminder.nn.hbs"),
    ),
    (
        "reminder.en",
        include_str!("../../templates/reminder.en.hbs"),
    ),
    (
        "reminder.da",
        include_str!("../../templates/reminder.da.hbs"),
    ),
    (
        "response-form.nb.txt",
        include_str!("../../templates/response-form.nb.txt.hbs"),
    ),
    (
        "response-form.nn.txt",
        include_str!("../../templates/response-form.nn.txt.hbs"),
    ),
    (
        "response-form.en.txt",
        include_str!("../../templates/response-form.en.txt.hbs"),
    ),
    (
        "response-form.da.txt",
        include_str!("../../templates/response-form.da.txt.hbs"),
    ),
];

/// The names of the built-in templates (file names without `.hbs`), for listing or
/// for copying into a workspace's `templates/` folder.
pub const TEMPLATE_NAMES: [&str; 12] = [
    BUILTINS[0].0,
    BUILTINS[1].0,
    BUILTINS[2].0,
    BUILTINS[3].0,
    BUILTINS[4].0,
    BUILTINS[5].0,
    BUILTINS[6].0,
    BUILTINS[7].0,
    BUILTINS[8].0,
    BUILTINS[9].0,
    BUILTINS[10].0,
    BUILTINS[11].0,
];

/// Which letter to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LetterKind {
    /// The letter that opens a round: here is the version, please comment by the deadline.
    RoundLetter,
    /// A reminder to a party that has not answered.
    Reminder,
}

impl LetterKind {
    /// The template's name stem and the outbox's `kind`: `round-letter` or `reminder`.
    pub fn as_str(self) -> &'static str {
        match self {
            LetterKind::RoundLetter => "round-letter",
            LetterKind::Reminder => "reminder",
        }
    }
}

/// What a letter says: the view model the letter templates see.
///
/// Every text is used as given (the caller formats dates in words, in the letter's
/// language). Line breaks in any value are turned into spaces before rendering.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LetterContext {
    /// The document's title, e.g. "Strategi for kunstig intelligens i departementsfellesskapet".
    pub case_title: String,
    /// The archive's case number (saksnummer), e.g. "24/3095".
    pub case_number: Option<String>,
    /// The letter's own document number in the case (our reference), e.g.
    /// "24/3095-74": the number the journal gives the letter's entry. `None` when the
    /// case has no case number.
    #[serde(default)]
    pub our_ref: Option<String>,
    /// The label of `our_ref` in the letter's language: "Vår ref", "Our ref".
    #[serde(default)]
    pub our_ref_label: Option<String>,
    /// The sentence asking the answer to cite `our_ref`, in the letter's language
    /// (only with `our_ref`).
    #[serde(default)]
    pub cite_ref: Option<String>,
    /// The sending party's full name, e.g. "Digitaliserings- og forvaltningsdepartementet".
    pub sender_name: String,
    /// The sending party's code, e.g. "DFD".
    pub sender_code: String,
    /// The recipient's full name, e.g. "Finansdepartementet".
    pub recipient_name: String,
    /// The recipient's code, e.g. "FIN".
    pub recipient_code: String,
    /// The round's id, e.g. "r7k3q9x2mf".
    pub round_id: String,
    /// What kind of round, in the letter's language and in lower case: "høring",
    /// "høyring", "framlegging", "consultation", …
    pub round_kind_name: String,
    /// The round's title, e.g. "Høring av utkast til strategi".
    pub round_title: String,
    /// The version's name, e.g. "v1".
    pub version_name: String,
    /// The version's label, e.g. "Utkast til departementshøring".
    pub version_label: String,
    /// The deadline in words, e.g. "mandag 1. desember 2025".
    pub due_date_words: String,
    /// When the deadline as set fell on a closed day and was moved to
    /// `due_date_words`: the sentence saying so in the letter's language, e.g.
    /// "Flyttet fra mandag 2026-05-25 (2. pinsedag) til tirsdag 2026-05-26."
    #[serde(default)]
    pub due_moved: Option<String>,
    /// Where answers go (the Reply-To address).
    pub reply_address: String,
    /// The token that ties a reply to the round and party, e.g. "[strategi r7k3q9x2mf/FIN]".
    pub subject_token: String,
    /// File names of the attachments, in the order they are attached.
    pub attachments: Vec<String>,
    /// A person to contact with questions, if any.
    pub contact_name: Option<String>,
    /// That person's e-mail address, if any.
    pub contact_email: Option<String>,
    /// For reminders: the day the round letter was sent, in words.
    pub sent_date_words: Option<String>,
    /// Whether the version is attached as a Word document, in which the recipient may
    /// comment directly (`[mail] attach`).
    #[serde(default)]
    pub word_attached: bool,
}

/// One section of the version, for the response form.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FormSection {
    /// The section's stable id, e.g. "mal-og-tiltak".
    pub id: String,
    /// The section's number, e.g. "3.4.1" (as [`crate::document::Document::section_numbers`]
    /// gives it; empty for an unnumbered title).
    #[serde(default)]
    pub number: String,
    /// The section's title, e.g. "Mål og tiltak".
    pub title: String,
}

/// What the response form shows: the view model the form templates see.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FormContext {
    /// The document's title.
    pub case_title: String,
    /// The round's id, written on the form's `Round` line.
    pub round_id: String,
    /// The round's title.
    pub round_title: String,
    /// The answering party's code, written on the form's `Party` line.
    pub party_code: String,
    /// The answering party's full name.
    pub party_name: String,
    /// The version's name, e.g. "v1".
    pub version_name: String,
    /// The version's label.
    pub version_label: String,
    /// The deadline in words.
    pub due_date_words: String,
    /// Where answers go.
    pub reply_address: String,
    /// The token to keep in the subject of the reply.
    pub subject_token: String,
    /// The version's sections, one comment block each, in document order.
    pub sections: Vec<FormSection>,
    /// Whether the letter attaches the version as a Word document, in which comments
    /// may be given instead of the form.
    #[serde(default)]
    pub word_attached: bool,
}

/// A rendered letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedLetter {
    /// The subject: one line, no line breaks.
    pub subject: String,
    /// The plain-text body, lines ending in `\n`, the last one included.
    pub body: String,
}

/// The template engine with the built-in templates and any overrides registered.
pub struct Renderer {
    hb: Handlebars<'static>,
    /// Template name → the file shown in messages.
    files: BTreeMap<String, String>,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renderer")
            .field("templates", &self.files)
            .finish()
    }
}

impl Renderer {
    /// Registers the built-in templates, then every `*.hbs` file in `overrides` (a
    /// workspace's `templates/` folder), which replaces a built-in of the same name. A
    /// missing `overrides` folder is the same as none.
    pub fn new(overrides: Option<&Path>) -> Result<Renderer, MailError> {
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        hb.register_escape_fn(handlebars::no_escape);
        hb.register_helper("capitalize", Box::new(capitalize));
        let mut r = Renderer {
            hb,
            files: BTreeMap::new(),
        };
        for (name, source) in BUILTINS {
            r.register(name, source, format!("templates/{name}.hbs"))?;
        }
        if let Some(dir) = overrides {
            r.register_folder(dir)?;
        }
        Ok(r)
    }

    /// The file a template came from, as shown in messages: `templates/<name>.hbs` for a
    /// built-in, the override's path otherwise.
    pub fn template_file(&self, name: &str) -> Option<&str> {
        self.files.get(name).map(String::as_str)
    }

    fn register_folder(&mut self, dir: &Path) -> Result<(), MailError> {
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(MailError::io("list the templates in", dir)(e)),
        };
        let mut files = Vec::new();
        for entry in entries {
            let entry = entry.map_err(MailError::io("list the templates in", dir))?;
            let file_name = entry.file_name().to_string_lossy().into_owned();
            let Some(name) = file_name.strip_suffix(".hbs") else {
                continue;
            };
            if name.is_empty() || name.starts_with('.') {
                continue;
            }
            files.push((name.to_string(), entry.path()));
        }
        files.sort();
        for (name, path) in files {
            let source =
                crate::store::read_bounded_text(&path, crate::store::limits::TEMPLATE, "template")
                    .map_err(|e| MailError::io("read", &path)(e.into()))?;
            self.register(&name, &source, path.display().to_string())?;
        }
        Ok(())
    }

    fn register(&mut self, name: &str, source: &str, file: String) -> Result<(), MailError> {
        let source = source.strip_prefix('\u{feff}').unwrap_or(source);
        self.hb
            .register_template_string(name, source)
            .map_err(|e| template_error(&file, &e))?;
        self.files.insert(name.to_string(), file);
        Ok(())
    }

    /// Writes a letter in `lang`: its subject (one line, containing the subject token)
    /// and its body.
    pub fn render_letter(
        &self,
        kind: LetterKind,
        lang: Lang,
        ctx: &LetterContext,
    ) -> Result<RenderedLetter, MailError> {
        if kind == LetterKind::Reminder
            && ctx
                .sent_date_words
                .as_deref()
                .is_none_or(|s| s.trim().is_empty())
        {
            return Err(MailError::MissingValue {
                what: format!("reminder to {}", ctx.recipient_code),
                field: "sent_date_words",
                why: "a reminder says when the round letter was sent.",
            });
        }
        let name = format!("{}.{}", kind.as_str(), lang.code());
        let text = self.render(&name, ctx)?;
        let file = self.file_of(&name);
        let mut lines = text.lines();
        let first = lines.next().unwrap_or_default();
        let subject = match split_key(first, "Subject") {
            Some(s) if !s.is_empty() => s.to_string(),
            _ => {
                return Err(MailError::LetterShape {
                    file,
                    message: format!(
                        "the letter must start with a line \"Subject: …\", but starts with {first:?}."
                    ),
                });
            }
        };
        if !ctx.subject_token.is_empty() && !subject.contains(&ctx.subject_token) {
            return Err(MailError::LetterShape {
                file,
                message: format!(
                    "the subject {subject:?} lacks the subject token {:?}; put {{{{subject_token}}}} in the Subject line so that replies can be matched to the round and party.",
                    ctx.subject_token
                ),
            });
        }
        // `tidy` has already merged blank lines: the subject is followed by exactly one
        // blank line, or by none if the template forgot it.
        match lines.next() {
            Some("") => {}
            None => {
                return Err(MailError::LetterShape {
                    file,
                    message: "the letter has a subject but no body.".to_string(),
                });
            }
            other => {
                return Err(MailError::LetterShape {
                    file,
                    message: format!(
                        "the Subject line must be followed by a blank line and then the body, but is followed by {:?}.",
                        other.unwrap_or_default()
                    ),
                });
            }
        }
        let mut body = String::new();
        for line in lines {
            body.push_str(line);
            body.push('\n');
        }
        if body.trim().is_empty() {
            return Err(MailError::LetterShape {
                file,
                message: "the letter has a subject but no body.".to_string(),
            });
        }
        Ok(RenderedLetter { subject, body })
    }

    /// Writes the response form in `lang`, with one comment block per section.
    pub fn render_form(&self, lang: Lang, ctx: &FormContext) -> Result<String, MailError> {
        self.render(&format!("response-form.{}.txt", lang.code()), ctx)
    }

    /// Renders any registered template (such as a partial-using override) with `data`,
    /// made one-line per value and tidied as described in the module documentation.
    pub fn render<T: Serialize>(&self, name: &str, data: &T) -> Result<String, MailError> {
        if !self.hb.has_template(name) {
            return Err(MailError::NoTemplate {
                name: name.to_string(),
            });
        }
        let mut value = serde_json::to_value(data).map_err(|e| MailError::Template {
            file: self.file_of(name),
            line: None,
            message: format!("the data for the template cannot be prepared: {e}"),
        })?;
        one_line_values(&mut value);
        let text = self
            .hb
            .render(name, &value)
            .map_err(|e| self.render_error(name, &value, &e))?;
        Ok(tidy(&text))
    }

    fn file_of(&self, name: &str) -> String {
        self.files
            .get(name)
            .cloned()
            .unwrap_or_else(|| format!("{name}.hbs"))
    }

    fn render_error(&self, name: &str, data: &serde_json::Value, e: &RenderError) -> MailError {
        let template = e.template_name.as_deref().unwrap_or(name);
        let file = self.file_of(template);
        let message = match e.reason() {
            RenderErrorReason::MissingVariable(path) => {
                let fields = data
                    .as_object()
                    .map(|o| o.keys().cloned().collect::<Vec<_>>().join(", "))
                    .unwrap_or_default();
                format!(
                    "the template uses {}, which the data does not have (it has: {fields}).",
                    path.as_deref()
                        .map_or_else(|| "a field".to_string(), |p| format!("\"{p}\""))
                )
            }
            RenderErrorReason::TemplateError(te) => return template_error(&file, te),
            RenderErrorReason::PartialNotFound(p) => {
                format!("the template includes the partial \"{p}\", but there is no \"{p}.hbs\".")
            }
            other => format!("{other}."),
        };
        MailError::Template {
            file,
            line: e.line_no,
            message,
        }
    }
}

/// A template error as `file:line: reason`, without handlebars' multi-line excerpt.
fn template_error(file: &str, e: &TemplateError) -> MailError {
    let reason = e.reason().to_string();
    let reason = reason.lines().next().unwrap_or_default().trim().to_string();
    MailError::Template {
        file: file.to_string(),
        line: e.pos().map(|(line, _)| line),
        message: format!("the template cannot be read: {reason}."),
    }
}

/// `{{capitalize x}}`: `x` with its first letter in upper case.
fn capitalize(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let param = h
        .param(0)
        .ok_or(RenderErrorReason::ParamNotFoundForIndex("capitalize", 0))?;
    let text = param.value().as_str().unwrap_or_default();
    let mut chars = text.chars();
    if let Some(first) = chars.next() {
        out.write(&first.to_uppercase().collect::<String>())?;
        out.write(chars.as_str())?;
    }
    Ok(())
}

/// Turns every line break or other control character in every text value into a space.
fn one_line_values(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) if s.chars().any(is_line_breaking) => {
            *s = s
                .chars()
                .map(|c| if is_line_breaking(c) { ' ' } else { c })
                .collect();
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(one_line_values),
        serde_json::Value::Object(map) => map.values_mut().for_each(one_line_values),
        _ => {}
    }
}

/// Control characters (CR, LF, tab, NEL, …) and the Unicode line and paragraph separators.
pub(super) fn is_line_breaking(c: char) -> bool {
    c.is_control() || c == '\u{2028}' || c == '\u{2029}'
}

/// Normalises line ends to `\n`, removes trailing spaces, merges runs of blank lines,
/// drops blank lines at the start and end, and ends the text with one `\n`.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = true; // true at the start: leading blank lines are dropped
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            if !blank_run {
                out.push('\n');
            }
            blank_run = true;
        } else {
            out.push_str(line);
            out.push('\n');
            blank_run = false;
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// `Key: value` → `Some("value")` when the line starts with `key` (any case) and a colon.
fn split_key<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let head = line.get(..key.len())?;
    if !head.eq_ignore_ascii_case(key) {
        return None;
    }
    line.get(key.len()..)?.strip_prefix(':').map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tidy_merges_blank_lines_and_trims() {
        assert_eq!(tidy("\n\na  \r\n\n\n\nb\n\n"), "a\n\nb\n");
        assert_eq!(tidy(""), "");
    }

    #[test]
    fn one_line_values_neutralises_breaks() {
        let mut v = serde_json::json!({"a": "x\r\ny", "b": ["p\u{2028}q"], "c": 3});
        one_line_values(&mut v);
        assert_eq!(v, serde_json::json!({"a": "x  y", "b": ["p q"], "c": 3}));
    }

    #[test]
    fn split_key_is_case_insensitive() {
        assert_eq!(split_key("subject: Hei", "Subject"), Some("Hei"));
        assert_eq!(split_key("Subjec", "Subject"), None);
        assert_eq!(split_key("Subjects: x", "Subject"), None);
        assert_eq!(split_key("Æøå", "Subject"), None);
    }

    #[test]
    fn builtin_names_match_files() {
        for (i, name) in TEMPLATE_NAMES.iter().enumerate() {
            assert_eq!(*name, BUILTINS[i].0);
        }
    }
}
