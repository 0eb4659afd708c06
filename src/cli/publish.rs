//! `strategi publish check [ROUND]`: the answers of a round that need a human look
//! before they are published (identity numbers, D-numbers, phone numbers, private
//! e-mail addresses), found by `strategi::publish::screen`. It only flags: nothing is
//! written and nothing is decided.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use clap::{Args, Subcommand};
use serde::Serialize;

use strategi::consultation::{FactBody, ImportRecord, inbox_dir, load_imports, load_round};
use strategi::publish::screen::{self, Kind};
use strategi::reply::email::parse_message;
use strategi::store::{limits, read_bounded};

use super::{CommandError, Ctx, Ui};

/// Publication of a round's answers.
#[derive(Debug, Subcommand)]
pub enum PublishCommand {
    /// Flag the answers of a round that need a human look before they are published:
    /// national identity numbers and D-numbers (11 digits with valid check digits and a
    /// real date), Norwegian phone numbers and e-mail addresses at consumer providers
    /// (gmail.com, hotmail.com, online.no, …). Scans each comment's text and proposal,
    /// each position's note and the stored originals (an e-mail's subject, sender and
    /// body, a form, text attachments); lists what was found per answer, masked, with
    /// the file and line. Files it cannot read as text (a PDF, a Word file's body) are
    /// listed as not scanned. It only flags: exit 0 with findings, nothing is written,
    /// and whether an answer is published is a person's decision.
    ///
    /// Example: strategi publish check latest
    Check(CheckArgs),
}

/// Arguments of `publish check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The round's id (or the start of it, or "latest").
    #[arg(default_value = "latest")]
    pub round: String,
}

/// Runs a `publish` command.
pub fn run(ctx: &mut Ctx, ui: &mut Ui, cmd: &PublishCommand) -> Result<(), CommandError> {
    match cmd {
        PublishCommand::Check(a) => check(ctx, ui, a),
    }
}

/// The result of `publish check`.
#[derive(Debug, Serialize)]
struct Checked {
    round: String,
    /// How many answers were scanned.
    answers_scanned: usize,
    /// How many texts (comments, notes, message bodies, forms, attachments) were scanned.
    texts_scanned: usize,
    /// The answers with something flagged or something not scanned, or from a
    /// private person.
    answers: Vec<Answer>,
    /// How many of the answers are from private persons (respondents of an open
    /// høring without an organisation).
    private_persons: usize,
}

/// One answer: an imported reply with the comments made from it, or a comment or a
/// position registered by hand.
#[derive(Debug, Default, Serialize)]
struct Answer {
    party: String,
    /// The folder of an imported reply (`consultations/<round>/inbox/<digest>`).
    #[serde(skip_serializing_if = "Option::is_none")]
    reply: Option<String>,
    /// The comments of the answer.
    comments: Vec<String>,
    /// The position fact whose note was scanned, for a position registered by hand.
    #[serde(skip_serializing_if = "Option::is_none")]
    position: Option<String>,
    findings: Vec<Flag>,
    not_scanned: Vec<NotScanned>,
    /// From a private person (a respondent of an open høring without an
    /// organisation): marked for the screening, as it may hold personal data.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    private_person: bool,
    /// The respondent's name, for an answer from a respondent.
    #[serde(skip_serializing_if = "Option::is_none")]
    respondent: Option<String>,
}

/// One passage flagged.
#[derive(Debug, Serialize)]
struct Flag {
    kind: Kind,
    /// The value masked; the value itself is never shown.
    masked: String,
    /// The file it is in.
    file: String,
    /// Which part of it: text, proposal, note, reply (a Word thread's reply), subject,
    /// from, body, form, attachment.
    part: &'static str,
    /// The line within that part (an e-mail's decoded body, not the raw file), for a
    /// text of more than one line.
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    /// The comment it is in, when it is in one.
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
}

/// A stored original that was not scanned, and why: a person reads it.
#[derive(Debug, Serialize)]
struct NotScanned {
    file: String,
    why: String,
}

impl Answer {
    fn scan(&mut self, text: &str, file: &str, part: &'static str, comment: Option<&str>) {
        let lines = text.contains('\n');
        for f in screen::find(text) {
            self.findings.push(Flag {
                kind: f.kind,
                masked: f.masked,
                file: file.to_string(),
                part,
                line: lines.then(|| screen::line_of(text, f.range.start)),
                comment: comment.map(str::to_string),
            });
        }
    }

    fn flagged(&self) -> bool {
        !self.findings.is_empty() || !self.not_scanned.is_empty() || self.private_person
    }
}

const WORD_NOT_READ: &str = "a Word file: its comments and tracked changes are scanned as the answer's comments; the rest of its text is not read, so read it before publishing";

fn check(ctx: &mut Ctx, ui: &mut Ui, args: &CheckArgs) -> Result<(), CommandError> {
    let ws = ctx.workspace()?;
    let config = ws.config()?;
    // The round's facts are read once: folded into its state, and scanned for notes.
    let round = super::round::find(&ws, &args.round)?;
    let (def, facts) = load_round(&ws, &round)?;
    let state = strategi::consultation::RoundState::fold(
        def,
        facts.clone(),
        &config,
        ctx.clock.today(),
        &strategi::calendar::work_calendar(&config),
    );
    let mut comments = super::comment::comments_of(&ws, &config, std::slice::from_ref(&state))?;
    let comments = comments.pop().unwrap_or_default();
    for f in &comments.findings {
        ui.warn(format!(
            "{}: {} (ignored; run `strategi verify`)",
            f.path, f.message
        ));
    }
    let mut texts = 0;
    // The imported replies, by their folder.
    let imports = load_imports(&ws, &round)?;
    let mut answers: BTreeMap<String, Answer> = BTreeMap::new();
    for (digest, rec) in &imports {
        let dir = inbox_dir(&round, digest);
        let mut a = Answer {
            party: rec.party.to_string(),
            reply: Some(dir.clone()),
            comments: rec.comments.iter().map(ToString::to_string).collect(),
            ..Answer::default()
        };
        texts += scan_originals(ws.root(), &dir, rec, &mut a)?;
        answers.insert(dir, a);
    }
    // The comments: with their reply, or answers of their own.
    for c in &comments.comments {
        let r = &c.record;
        let key = match &r.source {
            Some(s) if answers.contains_key(s) => s.clone(),
            _ => format!("comment/{}", r.id),
        };
        let a = answers.entry(key).or_insert_with(|| Answer {
            party: r.party.to_string(),
            comments: vec![r.id.to_string()],
            ..Answer::default()
        });
        let id = r.id.to_string();
        a.scan(&r.text, &c.path, "text", Some(&id));
        texts += 1;
        if let Some(p) = &r.proposal {
            a.scan(p, &c.path, "proposal", Some(&id));
            texts += 1;
        }
        for reply in r.word.iter().flat_map(|w| &w.replies) {
            a.scan(&reply.text, &c.path, "reply", Some(&id));
            texts += 1;
        }
    }
    // The positions' notes: with their reply (by Message-ID), or answers of their own.
    for (path, fact) in &facts {
        let FactBody::Response {
            party,
            note: Some(note),
            source,
            ..
        } = &fact.body
        else {
            continue;
        };
        // Imported: the source is the reply's folder (or, in older records, its
        // Message-ID).
        let from_reply = source.as_ref().and_then(|s| {
            imports
                .iter()
                .map(|(d, rec)| (inbox_dir(&round, d), rec))
                .find(|(dir, rec)| dir == s || rec.message_id.as_ref() == Some(s))
                .map(|(dir, _)| dir)
        });
        let key = from_reply.unwrap_or_else(|| format!("position/{}", fact.id));
        let a = answers.entry(key).or_insert_with(|| Answer {
            party: party.to_string(),
            position: Some(fact.id.to_string()),
            ..Answer::default()
        });
        a.scan(note, path, "note", None);
        texts += 1;
    }
    // Respondents of an open høring: who they are, and the private persons marked.
    for a in answers.values_mut() {
        if let Some(who) = a
            .party
            .parse()
            .ok()
            .and_then(|code| state.respondent(&code))
        {
            a.private_person = who.private;
            a.respondent = Some(who.respondent.shown());
        }
    }
    let scanned = answers.len();
    let private_persons = answers.values().filter(|a| a.private_person).count();
    let mut flagged: Vec<Answer> = answers.into_values().filter(Answer::flagged).collect();
    flagged.sort_by(|a, b| {
        (&a.party, &a.reply, &a.comments, &a.position).cmp(&(
            &b.party,
            &b.reply,
            &b.comments,
            &b.position,
        ))
    });
    let out = Checked {
        round: round.to_string(),
        answers_scanned: scanned,
        texts_scanned: texts,
        answers: flagged,
        private_persons,
    };
    ui.emit(&out, |w| render(w, &out))
}

/// Scans the stored originals of one imported reply; returns how many texts it read.
fn scan_originals(
    root: &Path,
    dir: &str,
    rec: &ImportRecord,
    a: &mut Answer,
) -> Result<usize, CommandError> {
    let mut texts = 0;
    let eml = format!("{dir}/message.eml");
    if let Some(bytes) = read_stored(root, &eml)? {
        match parse_message(&bytes) {
            Ok(msg) => {
                a.scan(&msg.subject, &eml, "subject", None);
                a.scan(&msg.from.address, &eml, "from", None);
                a.scan(&msg.text, &eml, "body", None);
                texts += 3;
            }
            Err(e) => a.not_scanned.push(NotScanned {
                file: eml.clone(),
                why: format!("it cannot be read as an e-mail message: {e}"),
            }),
        }
    }
    let form = format!("{dir}/form.txt");
    if let Some(bytes) = read_stored(root, &form)? {
        match String::from_utf8(bytes) {
            Ok(text) => {
                a.scan(&text, &form, "form", None);
                texts += 1;
            }
            Err(_) => a.not_scanned.push(NotScanned {
                file: form.clone(),
                why: "it is not UTF-8 text".into(),
            }),
        }
    }
    let word = format!("{dir}/reply.docx");
    if read_stored(root, &word)?.is_some() {
        a.not_scanned.push(NotScanned {
            file: word,
            why: WORD_NOT_READ.into(),
        });
    }
    for name in &rec.attachments {
        let file = format!("{dir}/attachments/{name}");
        let Some(bytes) = read_stored(root, &file)? else {
            a.not_scanned.push(NotScanned {
                file,
                why: "it is missing from the reply's folder (run `strategi verify`)".into(),
            });
            continue;
        };
        let text = String::from_utf8(bytes)
            .ok()
            .filter(|t| !t.contains('\0') && !name.to_ascii_lowercase().ends_with(".docx"));
        match text {
            Some(t) => {
                a.scan(&t, &file, "attachment", None);
                texts += 1;
            }
            None if name.to_ascii_lowercase().ends_with(".docx") => {
                a.not_scanned.push(NotScanned {
                    file,
                    why: WORD_NOT_READ.into(),
                })
            }
            None => a.not_scanned.push(NotScanned {
                file,
                why: "it is not text (a PDF, an image, …), so read it before publishing".into(),
            }),
        }
    }
    Ok(texts)
}

/// A stored file's bytes, or None when it is not there.
fn read_stored(root: &Path, rel: &str) -> Result<Option<Vec<u8>>, CommandError> {
    match read_bounded(&root.join(rel), limits::EMAIL, "stored reply") {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e.into()),
    }
}

fn render(w: &mut dyn Write, out: &Checked) -> std::io::Result<()> {
    let with_findings = out
        .answers
        .iter()
        .filter(|a| !a.findings.is_empty())
        .count();
    let unread: usize = out.answers.iter().map(|a| a.not_scanned.len()).sum();
    if out.private_persons > 0 {
        writeln!(
            w,
            "Round {}: {} answer{} from private persons (respondents without an organisation), marked for screening.",
            out.round,
            out.private_persons,
            if out.private_persons == 1 {
                " is"
            } else {
                "s are"
            },
        )?;
    }
    if with_findings == 0 {
        writeln!(
            w,
            "Round {}: nothing flagged in {} answer{} ({} texts scanned){}.",
            out.round,
            out.answers_scanned,
            if out.answers_scanned == 1 { "" } else { "s" },
            out.texts_scanned,
            if unread > 0 {
                format!("; {unread} file(s) below could not be scanned and need reading by hand")
            } else {
                String::new()
            }
        )?;
    } else {
        writeln!(
            w,
            "Round {}: {with_findings} of {} answer{} need{} a human look before publication ({} texts scanned).",
            out.round,
            out.answers_scanned,
            if out.answers_scanned == 1 { "" } else { "s" },
            if with_findings == 1 { "s" } else { "" },
            out.texts_scanned
        )?;
    }
    for a in &out.answers {
        writeln!(w)?;
        let what = match (&a.reply, &a.position) {
            (Some(r), _) => format!("reply {r}"),
            (None, Some(p)) => format!("position {p}"),
            (None, None) => "comment".to_string(),
        };
        let comments = if a.comments.is_empty() {
            String::new()
        } else {
            format!(
                " (comment{} {})",
                if a.comments.len() == 1 { "" } else { "s" },
                a.comments.join(", ")
            )
        };
        writeln!(w, "{}  {what}{comments}", a.party)?;
        if let Some(name) = &a.respondent {
            writeln!(
                w,
                "  respondent {name}{}",
                if a.private_person {
                    ": private person, screen for personal data before publication"
                } else {
                    ""
                }
            )?;
        }
        for f in &a.findings {
            let line = f.line.map(|l| format!(" line {l}")).unwrap_or_default();
            // In a reply, which of its comments (a comment on its own is named above).
            let comment = f
                .comment
                .as_ref()
                .filter(|_| a.reply.is_some())
                .map(|c| format!(" (comment {c})"))
                .unwrap_or_default();
            writeln!(
                w,
                "  {:24}  {:20}  {}: {}{line}{comment}",
                f.kind.describe(),
                f.masked,
                f.file,
                f.part
            )?;
        }
        for n in &a.not_scanned {
            writeln!(w, "  not scanned: {}: {}", n.file, n.why)?;
        }
    }
    writeln!(w)?;
    writeln!(
        w,
        "strategi only flags: whether an answer is published, exempted or redacted is for a person to decide."
    )
}
