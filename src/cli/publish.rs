//! `strategi publish check [ROUND]`: the answers of a round that need a human look
//! before they are published (identity numbers, D-numbers, phone numbers, private
//! e-mail addresses), found by `strategi::publish::screen`. It only flags: nothing is
//! written and nothing is decided; it shows the decisions a person made.
//! `strategi publish decide REPLY`: records a publicity decision (a round fact).
//! `strategi publish bundle ROUND --out DIR`: writes the public bundle.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use clap::{Args, Subcommand};
use serde::Serialize;

use strategi::consultation::{
    FactBody, ImportRecord, Redaction, inbox_dir, load_imports, load_round,
};
use strategi::publish::bundle::{BundleAnswer, BundleComment, BundleHead, Original, OriginalBody};
use strategi::publish::decisions::{self, Publicity};
use strategi::publish::screen::{self, Kind};
use strategi::reply::email::parse_message;
use strategi::store::{limits, read_bounded};

use super::write::Write as WriteAct;
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
    /// Record whether an answer is published: --exempt BASIS (the whole answer is
    /// exempt from publication, with its legal basis), --redact TEXT --basis BASIS (a
    /// passage removed from every published copy; repeatable, one --basis for all or
    /// one per --redact), or --public (back to the default). REPLY names the answer: a
    /// comment's id (the answer it came in), a position's id, or an imported reply's
    /// folder or digest, as `publish check` and `comment list` show them. A passage
    /// that does not occur in the answer is refused. Only the round's sender or the
    /// case owner decides; a later decision supersedes an earlier, which is kept.
    ///
    /// Example: strategi publish decide c4f2a1b --redact "Kari Nordmann" --basis "offentleglova § 13 første ledd, jf. forvaltningsloven § 13"
    Decide(DecideArgs),
    /// Write the public bundle of a round into a folder, as a ministry publishes it:
    /// index.html listing every answer, a page per answer (party, date, position,
    /// comments) with its originals beside it in a folder; exempted answers listed with
    /// party, date and legal basis only; redactions applied in every page and text
    /// original, and an original that cannot be redacted safely (Word, PDF, the raw
    /// e-mail) left out with a note. Pages are in the case's language. The folder is
    /// written whole (beside it, then moved into place); a non-empty one is refused
    /// unless --force.
    ///
    /// Example: strategi publish bundle latest --out offentlig
    Bundle(BundleArgs),
}

/// Arguments of `publish decide`.
#[derive(Debug, Args)]
pub struct DecideArgs {
    /// The answer: a comment's id, a position's id, or an imported reply's folder or
    /// digest (or the start of one).
    pub reply: String,
    /// The whole answer is exempt from publication, on this legal basis.
    #[arg(long, value_name = "BASIS")]
    pub exempt: Option<String>,
    /// A passage to remove before publication, exactly as it stands (repeatable).
    #[arg(long, value_name = "TEXT")]
    pub redact: Vec<String>,
    /// The legal basis of the redactions (one for all, or one per --redact).
    #[arg(long, value_name = "BASIS")]
    pub basis: Vec<String>,
    /// Publish the answer as it is (the default; undoes an earlier decision).
    #[arg(long)]
    pub public: bool,
}

/// Arguments of `publish bundle`.
#[derive(Debug, Args)]
pub struct BundleArgs {
    /// The round's id (or the start of it, or "latest").
    #[arg(default_value = "latest")]
    pub round: String,
    /// The folder to write.
    #[arg(long, value_name = "DIR")]
    pub out: std::path::PathBuf,
    /// Replace a non-empty folder.
    #[arg(long)]
    pub force: bool,
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
        PublishCommand::Decide(a) => decide(ctx, ui, a),
        PublishCommand::Bundle(a) => bundle(ctx, ui, a),
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
    /// The answers with something flagged or something not scanned, a decision, or
    /// from a private person.
    answers: Vec<Answer>,
    /// How many of the answers are from private persons (respondents of an open
    /// høring without an organisation).
    private_persons: usize,
}

impl Default for Answer {
    fn default() -> Self {
        Answer {
            party: String::new(),
            reply: None,
            comments: Vec::new(),
            position: None,
            findings: Vec::new(),
            not_scanned: Vec::new(),
            decision: Publicity::Public,
            private_person: false,
            respondent: None,
        }
    }
}

/// One answer: an imported reply with the comments made from it, or a comment or a
/// position registered by hand.
#[derive(Debug, Serialize)]
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
    /// The publicity decision in force (public when none was made).
    decision: Publicity,
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
    let decided = decisions::decisions(&config, &state.def, &facts);
    for f in &decided.findings {
        ui.warn(format!(
            "{}: {} (ignored; run `strategi verify`)",
            f.path, f.message
        ));
    }
    for (key, a) in answers.iter_mut() {
        a.decision = decided.of(key);
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
    let mut flagged: Vec<Answer> = answers
        .into_values()
        .filter(|a| a.flagged() || a.decision != Publicity::Public)
        .collect();
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
    let decided = out
        .answers
        .iter()
        .filter(|a| a.decision != Publicity::Public)
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
        writeln!(w, "  decision: {}", a.decision.describe())?;
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
        "strategi only flags: whether an answer is published, exempted or redacted is for a person to decide{}.",
        if decided > 0 {
            format!(
                " ({decided} decided with `strategi publish decide`; every other answer is public)"
            )
        } else {
            " (`strategi publish decide`)".to_string()
        }
    )
}

/// One answer of a round with everything the bundle and `decide` need.
struct Gathered {
    key: String,
    party: strategi::model::PartyCode,
    date: Option<jiff::Timestamp>,
    position: Option<strategi::model::Position>,
    note: Option<String>,
    comments: Vec<strategi::consultation::CommentRecord>,
    originals: Vec<Original>,
}

impl Gathered {
    /// The texts a redaction may be found in: as the bundle publishes them.
    fn texts(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        out.extend(self.note.as_deref());
        for c in &self.comments {
            out.push(&c.text);
            out.extend(c.proposal.as_deref());
            out.extend(c.anchor.as_ref().map(|a| a.quote.as_str()));
        }
        for o in &self.originals {
            match &o.body {
                OriginalBody::Text(t) | OriginalBody::Email { text: t, .. } => out.push(t),
                OriginalBody::Binary(_) => {}
            }
        }
        out
    }
}

/// A round's answers (imported replies with their comments and position, comments and
/// positions registered by hand), keyed as `publish check` and `publish::decisions` key
/// them, in the order the bundle lists them (by date, then party).
fn gather(
    ws: &strategi::store::Workspace,
    config: &strategi::model::Config,
    state: &strategi::consultation::RoundState,
) -> Result<Vec<Gathered>, CommandError> {
    let round = &state.def.id;
    let (_, facts) = load_round(ws, round)?;
    let imports = load_imports(ws, round)?;
    let mut comments = super::comment::comments_of(ws, config, std::slice::from_ref(state))?;
    let comments = comments.pop().unwrap_or_default();
    let mut out: BTreeMap<String, Gathered> = BTreeMap::new();
    for (digest, rec) in &imports {
        let dir = inbox_dir(round, digest);
        let mut originals = Vec::new();
        let eml = format!("{dir}/message.eml");
        if let Some(raw) = read_stored(ws.root(), &eml)? {
            let text = match parse_message(&raw) {
                Ok(m) => format!("{}\n{}\n\n{}", m.from.address, m.subject, m.text),
                Err(_) => String::from_utf8_lossy(&raw).into_owned(),
            };
            originals.push(Original {
                name: "message.eml".into(),
                body: OriginalBody::Email { raw, text },
            });
        }
        for (name, rel) in [("form.txt", "form.txt"), ("reply.docx", "reply.docx")]
            .into_iter()
            .map(|(n, r)| (n.to_string(), r.to_string()))
            .chain(
                rec.attachments
                    .iter()
                    .map(|n| (n.clone(), format!("attachments/{n}"))),
            )
        {
            if let Some(bytes) = read_stored(ws.root(), &format!("{dir}/{rel}"))? {
                let text = String::from_utf8(bytes.clone())
                    .ok()
                    .filter(|t| !t.contains('\0') && !name.to_ascii_lowercase().ends_with(".docx"));
                originals.push(Original {
                    name,
                    body: match text {
                        Some(t) => OriginalBody::Text(t),
                        None => OriginalBody::Binary(bytes),
                    },
                });
            }
        }
        out.insert(
            dir.clone(),
            Gathered {
                key: dir,
                party: rec.party.clone(),
                date: Some(rec.received.unwrap_or(rec.at)),
                position: rec.position,
                note: None,
                comments: Vec::new(),
                originals,
            },
        );
    }
    for c in &comments.comments {
        let r = &c.record;
        let key = match &r.source {
            Some(s) if out.contains_key(s) => s.clone(),
            _ => format!("comment/{}", r.id),
        };
        let g = out.entry(key.clone()).or_insert_with(|| Gathered {
            key,
            party: r.party.clone(),
            date: Some(r.given()),
            position: None,
            note: None,
            comments: Vec::new(),
            originals: Vec::new(),
        });
        g.comments.push(r.clone());
    }
    for (_, fact) in &facts {
        let FactBody::Response {
            party,
            position,
            note,
            source,
            received,
        } = &fact.body
        else {
            continue;
        };
        let from_reply = source.as_ref().and_then(|s| {
            imports
                .iter()
                .map(|(d, rec)| (inbox_dir(round, d), rec))
                .find(|(dir, rec)| dir == s || rec.message_id.as_ref() == Some(s))
                .map(|(dir, _)| dir)
        });
        let key = from_reply.unwrap_or_else(|| format!("position/{}", fact.id));
        let g = out.entry(key.clone()).or_insert_with(|| Gathered {
            key,
            party: party.clone(),
            date: Some(received.unwrap_or(fact.at)),
            position: None,
            note: None,
            comments: Vec::new(),
            originals: Vec::new(),
        });
        g.position = Some(*position);
        if note.is_some() {
            g.note = note.clone();
        }
    }
    let mut all: Vec<Gathered> = out.into_values().collect();
    all.sort_by(|a, b| (a.date, &a.party, &a.key).cmp(&(b.date, &b.party, &b.key)));
    Ok(all)
}

/// Finds the answer `spec` names: the folder of an imported reply (or its digest, or
/// the start of it), a comment's id (its reply's answer when it came from one), or a
/// position fact's id, in every round.
fn find_answer(
    ctx: &Ctx,
    ws: &strategi::store::Workspace,
    config: &strategi::model::Config,
    spec: &str,
) -> Result<(strategi::consultation::RoundState, Gathered), CommandError> {
    let spec = spec.trim().trim_end_matches('/');
    if spec.len() < 4 {
        return Err(CommandError::user(format!(
            "\"{spec}\" is too short to name an answer: give a comment's id, a position's id or an imported reply's folder."
        ))
        .hint("`strategi publish check` and `strategi comment list` show them."));
    }
    let rounds = strategi::consultation::load_rounds(
        ws,
        config,
        ctx.clock.today(),
        &strategi::calendar::work_calendar(config),
    )?;
    let mut found = Vec::new();
    for state in rounds {
        for g in gather(ws, config, &state)? {
            let digest = g.key.rsplit('/').next().unwrap_or("");
            let hit = g.key == spec
                || (g.key.contains("/inbox/") && digest.starts_with(spec))
                || g.key
                    .strip_prefix("comment/")
                    .is_some_and(|id| id.starts_with(spec))
                || g.key
                    .strip_prefix("position/")
                    .is_some_and(|id| id.starts_with(spec))
                || g.comments.iter().any(|c| c.id.as_str().starts_with(spec));
            if hit {
                found.push((state.clone(), g));
            }
        }
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(CommandError::user(format!("There is no answer \"{spec}\"."))
            .hint("Name it by a comment's id, a position's id or an imported reply's folder, as `strategi publish check` and `strategi comment list` show them.")),
        _ => Err(CommandError::user(format!(
            "\"{spec}\" names {} answers: {}.",
            found.len(),
            found.iter().map(|(_, g)| g.key.as_str()).collect::<Vec<_>>().join(", ")
        ))
        .hint("Give more of the id.")),
    }
}

fn decide(ctx: &mut Ctx, ui: &mut Ui, args: &DecideArgs) -> Result<(), CommandError> {
    let publicity = match (&args.exempt, args.redact.is_empty(), args.public) {
        (Some(basis), true, false) => Publicity::Exempt {
            basis: basis.clone(),
        },
        (None, false, false) => {
            if args.basis.len() != args.redact.len() && args.basis.len() != 1 {
                return Err(CommandError::user(format!(
                    "{} passage(s) to redact but {} legal basis(es): give one --basis for all, or one after each --redact.",
                    args.redact.len(),
                    args.basis.len()
                ))
                .hint("strategi publish decide REPLY --redact \"Kari Nordmann\" --basis \"offentleglova § 13 første ledd, jf. forvaltningsloven § 13\""));
            }
            Publicity::Redacted {
                redactions: args
                    .redact
                    .iter()
                    .enumerate()
                    .map(|(i, t)| Redaction {
                        text: t.clone(),
                        basis: args
                            .basis
                            .get(i)
                            .or(args.basis.first())
                            .cloned()
                            .unwrap_or_default(),
                    })
                    .collect(),
            }
        }
        (None, true, true) => Publicity::Public,
        _ => {
            return Err(CommandError::user(
                "Give exactly one of --exempt BASIS, --redact TEXT --basis BASIS (repeatable) or --public.",
            )
            .hint("strategi publish decide REPLY --exempt \"offentleglova § 13 første ledd, jf. forvaltningsloven § 13\""));
        }
    };
    if !matches!(publicity, Publicity::Redacted { .. }) && !args.basis.is_empty() {
        return Err(CommandError::user(
            "--basis goes with --redact; for a whole answer give the basis with --exempt.",
        ));
    }
    let ws = ctx.workspace()?;
    let mut write = WriteAct::begin(ctx, &ws, "strategi publish decide")?;
    let config = write.config.clone();
    let (state, answer) = find_answer(ctx, &ws, &config, &args.reply)?;
    let (_, facts) = load_round(&ws, &state.def.id)?;
    let previous = strategi::publish::decisions(&config, &state.def, &facts).of(&answer.key);
    let texts = answer.texts();
    let (tx, who) = write.act();
    let done = decisions::decide(
        tx,
        &who,
        &state.def,
        &answer.key,
        publicity,
        previous,
        &texts,
    )?;
    ui.emit(&done, |w| {
        writeln!(
            w,
            "{} ({}) in round {}: {} (was {}).",
            done.answer,
            answer.party,
            state.def.id,
            done.publicity.describe(),
            done.previous.describe()
        )
    })
}

/// The result of `publish bundle`.
#[derive(Debug, Serialize)]
struct Bundled {
    round: String,
    out: String,
    files: Vec<String>,
    public: usize,
    redacted: usize,
    exempt: usize,
    left_out: Vec<strategi::publish::bundle::LeftOut>,
}

fn bundle(ctx: &mut Ctx, ui: &mut Ui, args: &BundleArgs) -> Result<(), CommandError> {
    let ws = ctx.workspace()?;
    let config = ws.config()?;
    let round = super::round::find(&ws, &args.round)?;
    let (def, facts) = load_round(&ws, &round)?;
    let state = strategi::consultation::RoundState::fold(
        def,
        facts.clone(),
        &config,
        ctx.clock.today(),
        &strategi::calendar::work_calendar(&config),
    );
    let decided = strategi::publish::decisions(&config, &state.def, &facts);
    for f in &decided.findings {
        ui.warn(format!(
            "{}: {} (ignored; run `strategi verify`)",
            f.path, f.message
        ));
    }
    let lang = config.case.lang;
    let answers: Vec<BundleAnswer> = gather(&ws, &config, &state)?
        .into_iter()
        .map(|g| BundleAnswer {
            publicity: decided.of(&g.key),
            key: g.key,
            party_name: config.party_name(&g.party).to_string(),
            party: g.party.to_string(),
            date: g
                .date
                .map(|t| t.to_zoned_datetime(strategi::calendar::oslo()).date()),
            position: g.position.map(|p| p.words(lang).to_string()),
            note: g.note,
            comments: g
                .comments
                .iter()
                .map(|c| BundleComment {
                    section: c.section.clone(),
                    quote: c.anchor.as_ref().map(|a| a.quote.clone()),
                    text: c.text.clone(),
                    proposal: c.proposal.clone(),
                })
                .collect(),
            originals: g.originals,
        })
        .collect();
    let head = BundleHead {
        lang,
        case_title: config.case.title.clone(),
        case_number: config.case.number.clone(),
        round: round.to_string(),
        round_title: state.def.title.clone(),
    };
    // The round's public journal: its letters and answers with their numbers.
    let journal = strategi::journal::load_journal(&ws, &config, ctx.clock.today())?;
    let public = strategi::publish::bundle::public_journal(
        &config,
        &journal,
        &round,
        &state.def.title,
        &decided,
    );
    let made = strategi::publish::bundle::bundle(&head, &answers, &public);
    // The guard dropped a page: the passage stands outside the answer's own text too
    // (the party's name, the round's title, a date); publishing without the page would
    // lose the answer or the index silently.
    if let Some(page) = made
        .left_out
        .iter()
        .find(|l| l.answer.is_empty() && l.file.ends_with(".html"))
    {
        return Err(CommandError::user(format!(
            "A redacted passage also stands outside the answer's own text, in {} of the bundle (the party's name, the round's title or a date); nothing was written. Redact a passage that only stands in the answer (`strategi publish decide REPLY --redact TEXT --basis BASIS`), or exempt the answer as a whole with `--exempt BASIS`.",
            page.file
        )));
    }
    write_dir(&args.out, args.force, &made.files)?;
    let count = |k: &str| answers.iter().filter(|a| a.publicity.key() == k).count();
    let out = Bundled {
        round: round.to_string(),
        out: args.out.display().to_string(),
        files: made.files.iter().map(|f| f.path.clone()).collect(),
        public: count("public"),
        redacted: count("redacted"),
        exempt: count("exempt"),
        left_out: made.left_out,
    };
    ui.emit(&out, |w| {
        writeln!(
            w,
            "Wrote the public bundle of round {} to {}: {} file(s); {} answer(s) public, {} redacted, {} exempt (listed without content).",
            out.round,
            out.out,
            out.files.len(),
            out.public,
            out.redacted,
            out.exempt
        )?;
        for l in &out.left_out {
            writeln!(w, "  left out: {} {}: {}", l.answer, l.file, l.why)?;
        }
        Ok(())
    })
}

/// Writes `files` into `dir` as a whole: into a fresh folder beside it, then renamed
/// into place, so a reader sees the old folder or the new one. A non-empty `dir` is
/// refused unless `force`; a folder inside the workspace's records is refused.
pub(super) fn write_dir(
    dir: &Path,
    force: bool,
    files: &[strategi::publish::bundle::BundleFile],
) -> Result<(), CommandError> {
    let shown = dir.display().to_string();
    // The same protection as `--out FILE`: checked on a file inside the folder.
    // (A new folder is checked as the path itself, whose parent exists.)
    if dir.is_dir() {
        strategi::store::OutPath::check(&dir.join("index.html"), true)?;
    } else {
        strategi::store::OutPath::check(dir, true)?;
    }
    let io = |what: &str, e: std::io::Error| {
        CommandError::user(format!("Could not {what} \"{shown}\": {e}."))
    };
    let existing = match std::fs::read_dir(dir) {
        Ok(mut it) => Some(it.next().is_some()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            if dir.is_file() {
                return Err(
                    CommandError::user(format!("\"{shown}\" is a file, not a folder."))
                        .hint("Give a folder to write the bundle into."),
                );
            }
            return Err(io("read", e));
        }
    };
    if existing == Some(true) && !force {
        return Err(CommandError::user(format!("\"{shown}\" is not empty."))
            .hint("Give an empty or new folder, or add --force to replace it."));
    }
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "bundle".into());
    let tmp = parent.join(format!(".{name}.strategi-tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let result = (|| -> std::io::Result<()> {
        std::fs::create_dir_all(&tmp)?;
        for f in files {
            let path = tmp.join(&f.path);
            if let Some(p) = path.parent() {
                std::fs::create_dir_all(p)?;
            }
            std::fs::write(&path, &f.bytes)?;
        }
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(io("write the bundle beside", e));
    }
    let old = parent.join(format!(".{name}.strategi-old-{}", std::process::id()));
    if existing.is_some()
        && let Err(e) = std::fs::rename(dir, &old)
    {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(io("replace", e));
    }
    if let Err(e) = std::fs::rename(&tmp, dir) {
        if existing.is_some() {
            let _ = std::fs::rename(&old, dir);
        }
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(io("move the bundle into", e));
    }
    if existing.is_some() {
        let _ = std::fs::remove_dir_all(&old);
    }
    Ok(())
}
