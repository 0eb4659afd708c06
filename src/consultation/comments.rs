//! Comments on a round, the decisions that answer them, and imported messages.
//!
//! Files in a round's folder, each written once:
//! - `comments/<stamp>-<id>.toml`: one or more comments given together (one command, or
//!   one imported message), as `[[comment]]` tables. Keeping a reply's comments in one
//!   file keeps a large consultation to a few hundred small files.
//! - `decisions/<stamp>-<id>.toml`: one decision on one comment; a later decision on the
//!   same comment supersedes the earlier one, which stays as history.
//! - `inbox/<digest>/`: an imported message (`message.eml`), its attachments
//!   (`attachments/`) and `import.toml`, what was made of it. The folder is named by the
//!   message's content digest, so importing the same message twice finds it.
//!
//! Permission rules, checked in the fold like the round's facts: a comment is recorded
//! by its party, the round's sender or the case owner; a decision by the sender or the
//! owner. Anything else is reported as a finding and ignored.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::document::anchor::Anchor;
use crate::model::{Config, PartyCode, RecordId, VersionName, sort_facts};
use crate::store::{CONSULTATIONS_DIR, Records, StoreError, Workspace};

use super::round::{Finding, Position, RoundState};
use super::rules::{self, Refusal};

/// One comment, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentRecord {
    /// The comment's id.
    pub id: RecordId,
    /// The party whose comment it is.
    pub party: PartyCode,
    /// The party that recorded it.
    pub by: PartyCode,
    /// When it was recorded.
    pub at: Timestamp,
    /// Its logical clock (Lamport; see `model::sort_facts`): absent in older records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<u64>,
    /// The version it comments on.
    pub version: VersionName,
    /// The section it is about; none for a general comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    /// The passage quoted, when one was: where it stands in the section.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor: Option<Anchor>,
    /// The comment.
    pub text: String,
    /// A proposed wording, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposal: Option<String>,
    /// The message it came from (`inbox/<digest>`), when imported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// When the party gave it, when known: the `Date` of its e-mail, or the day given
    /// with `--received`. `at` stays the time of recording.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received: Option<Timestamp>,
    /// Where it came from in a Word file (the file, the Word author and date, the
    /// replies in its thread), when it was imported from one: absent in older records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub word: Option<crate::word::import::WordOrigin>,
    /// For a tracked move from Word: where the text goes (the `anchor` and `proposal`
    /// delete it where it was; `comment apply` makes both edits in one commit). Absent
    /// in older records and in every other comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_to: Option<crate::word::import::MoveTarget>,
}

impl CommentRecord {
    /// When the party gave it: the reply's own date, else the time of recording.
    pub fn given(&self) -> Timestamp {
        self.received.unwrap_or(self.at)
    }
}

/// A file of comments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentFile {
    /// The comments, in the order given.
    pub comment: Vec<CommentRecord>,
}

/// What the drafters decided about a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    /// Taken in.
    Accepted,
    /// Partly taken in.
    Partly,
    /// Not taken in.
    Rejected,
    /// Noted; no change asked or made.
    Noted,
}

impl Decision {
    /// All decisions.
    pub const ALL: [Decision; 4] = [
        Decision::Accepted,
        Decision::Partly,
        Decision::Rejected,
        Decision::Noted,
    ];

    /// The machine key.
    pub fn key(self) -> &'static str {
        match self {
            Decision::Accepted => "accepted",
            Decision::Partly => "partly",
            Decision::Rejected => "rejected",
            Decision::Noted => "noted",
        }
    }

    /// In words: bokmål for reports, or English.
    pub fn words(self, lang: crate::model::Lang) -> &'static str {
        use crate::model::Lang;
        match (self, lang) {
            (Decision::Accepted, Lang::En) => "accepted",
            (Decision::Partly, Lang::En) => "partly accepted",
            (Decision::Rejected, Lang::En) => "not accepted",
            (Decision::Noted, Lang::En) => "noted",
            (Decision::Accepted, Lang::Nn) => "teke til følgje",
            (Decision::Partly, Lang::Nn) => "delvis teke til følgje",
            (Decision::Rejected, Lang::Nn) => "ikkje teke til følgje",
            (Decision::Noted, Lang::Nn) => "teke til etterretning",
            (Decision::Accepted, _) => "tatt til følge",
            (Decision::Partly, _) => "delvis tatt til følge",
            (Decision::Rejected, _) => "ikke tatt til følge",
            (Decision::Noted, _) => "tatt til orientering",
        }
    }

    /// Whether the decision must give its reasons (`partly`, `rejected`).
    pub fn needs_note(self) -> bool {
        matches!(self, Decision::Partly | Decision::Rejected)
    }
}

impl std::str::FromStr for Decision {
    type Err = String;
    fn from_str(s: &str) -> Result<Decision, String> {
        Decision::ALL
            .into_iter()
            .find(|d| d.key() == s.trim())
            .ok_or_else(|| {
                format!("\"{s}\" is not a decision; use accepted, partly, rejected or noted.")
            })
    }
}

/// One decision, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionRecord {
    /// The decision's id.
    pub id: RecordId,
    /// The comment decided.
    pub comment: RecordId,
    /// The decision.
    pub decision: Decision,
    /// The reasoning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Who decided.
    pub by: PartyCode,
    /// When.
    pub at: Timestamp,
    /// Its logical clock (Lamport; see `model::sort_facts`): absent in older records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<u64>,
    /// The decision this one replaces, if any. The chain, not the clock, decides which
    /// decision is current, so clones with clocks apart still agree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supersedes: Option<RecordId>,
}

/// What an import made of one message, `inbox/<digest>/import.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportRecord {
    /// The SHA-256 of the message's bytes (hex), which names its folder.
    pub digest: String,
    /// The message's Message-ID, if it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// The sender's address.
    pub from: String,
    /// The subject.
    pub subject: String,
    /// The party it was matched to, and how ("subject token", "In-Reply-To", "sender
    /// address", "--from").
    pub party: PartyCode,
    /// How the party was found.
    pub matched_by: String,
    /// The position found in it, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
    /// The comments made from it.
    pub comments: Vec<RecordId>,
    /// Attachment file names, in `attachments/`.
    pub attachments: Vec<String>,
    /// Who imported it, and when.
    pub by: PartyCode,
    /// When.
    pub at: Timestamp,
    /// When the party sent it: the message's `Date` header when it is trusted, or the
    /// day given with `--received` (for a bare form, or a message without a usable
    /// date). None: unknown, and `at` is taken as the answer's date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received: Option<Timestamp>,
    /// The SHA-256 (hex) of each Word file whose comments were made from this message,
    /// so that the same file sent again makes none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub word_files: Vec<String>,
    /// A Word file given on its own (stored as `reply.docx`): its name as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub word_name: Option<String>,
}

/// Where a comment file lives.
pub fn comment_file_path(round: &RecordId, first: &CommentRecord) -> String {
    let stamp = first.at.strftime("%Y%m%dT%H%M%SZ");
    format!(
        "{CONSULTATIONS_DIR}/{round}/comments/{stamp}-{}.toml",
        first.id
    )
}

/// Where a decision file lives.
pub fn decision_path(round: &RecordId, d: &DecisionRecord) -> String {
    let stamp = d.at.strftime("%Y%m%dT%H%M%SZ");
    format!(
        "{CONSULTATIONS_DIR}/{round}/decisions/{stamp}-{}.toml",
        d.id
    )
}

/// The folder of an imported message.
pub fn inbox_dir(round: &RecordId, digest: &str) -> String {
    format!("{CONSULTATIONS_DIR}/{round}/inbox/{digest}")
}

/// A comment with its round and decisions folded in.
#[derive(Debug, Clone, Serialize)]
pub struct CommentState {
    /// The round.
    pub round: RecordId,
    /// The comment.
    #[serde(flatten)]
    pub record: CommentRecord,
    /// The file it is stored in.
    pub path: String,
    /// The current decision, if any.
    pub decision: Option<DecisionRecord>,
    /// Earlier decisions, oldest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub superseded: Vec<DecisionRecord>,
    /// The party's deadline that applies (extensions included, moved off closed days),
    /// when the party is a recipient.
    pub effective_due: Option<jiff::civil::Date>,
    /// Whether the comment was given (its reply's own date, else the time of recording)
    /// after the party's effective deadline (23:59:59 Oslo time), as the round's fold
    /// marks a late position.
    pub late: bool,
}

/// All comments of a round, folded with their decisions.
#[derive(Debug, Clone, Default)]
pub struct RoundComments {
    /// The comments, in the order recorded.
    pub comments: Vec<CommentState>,
    /// Records that were ignored, and why.
    pub findings: Vec<Finding>,
}

/// Loads and folds a round's comments and decisions. The rules are those of the acts
/// ([`super::rules`]): a comment by a party that may not record it, for a party that is
/// not a recipient, or recorded after the round was closed is ignored and reported;
/// so is a decision by a party that may not decide, or without the reasons it needs.
pub fn load_comments(
    ws: &Records,
    round: &RoundState,
    config: &Config,
) -> Result<RoundComments, StoreError> {
    let def = &round.def;
    let base = format!("{CONSULTATIONS_DIR}/{}", def.id);
    let mut out = RoundComments::default();
    for f in ws.read_records(&format!("{base}/comments"))? {
        let file: CommentFile = f.parse()?;
        for c in file.comment {
            match rules::may_record_in(config, round, &c.by, &c.party) {
                Ok(()) => {}
                Err(Refusal::NotRecipient { .. }) => {
                    out.findings.push(Finding {
                        path: f.path.clone(),
                        message: format!(
                            "Comment {} is from {}, who is not a recipient of the round.",
                            c.id, c.party
                        ),
                    });
                    continue;
                }
                Err(_) => {
                    out.findings.push(Finding {
                        path: f.path.clone(),
                        message: format!(
                            "{} recorded comment {} for {}, but only {} itself, {} (the sender) or {} (the owner) may.",
                            c.by, c.id, c.party, c.party, def.sender, config.case.owner
                        ),
                    });
                    continue;
                }
            }
            if let Some(closed) = round.closed.filter(|closed| c.at > *closed) {
                out.findings.push(Finding {
                    path: f.path.clone(),
                    message: format!(
                        "Comment {} was recorded after the round was closed ({}); a closed round takes no more answers.",
                        c.id,
                        closed.strftime("%Y-%m-%d %H:%M UTC")
                    ),
                });
                continue;
            }
            let effective_due = round
                .parties
                .iter()
                .find(|p| p.party == c.party)
                .map(|p| p.effective_due)
                .or_else(|| round.respondent(&c.party).map(|_| round.effective_due));
            let late = effective_due.is_some_and(|due| super::is_late(c.given(), due));
            out.comments.push(CommentState {
                round: def.id.clone(),
                record: c,
                path: f.path.clone(),
                decision: None,
                superseded: Vec::new(),
                effective_due,
                late,
            });
        }
    }
    sort_facts(
        &mut out.comments,
        |c| (c.record.clock, c.record.at),
        |a, b| a.path.cmp(&b.path),
    );
    let index: HashMap<RecordId, usize> = out
        .comments
        .iter()
        .enumerate()
        .map(|(i, c)| (c.record.id.clone(), i))
        .collect();
    let mut decisions: Vec<(String, DecisionRecord)> = Vec::new();
    for f in ws.read_records(&format!("{base}/decisions"))? {
        let d: DecisionRecord = f.parse()?;
        decisions.push((f.path, d));
    }
    sort_facts(
        &mut decisions,
        |(_, d)| (d.clock, d.at),
        |a, b| a.1.id.cmp(&b.1.id),
    );
    let mut per_comment: BTreeMap<usize, Vec<DecisionRecord>> = BTreeMap::new();
    for (path, d) in decisions {
        if rules::may_decide(config, def, &d.by).is_err() {
            out.findings.push(Finding {
                path,
                message: format!(
                    "{} decided comment {}, but only {} (the sender) or {} (the owner) may.",
                    d.by, d.comment, def.sender, config.case.owner
                ),
            });
            continue;
        }
        if d.decision.needs_note() && d.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
            out.findings.push(Finding {
                path,
                message: format!(
                    "The decision \"{}\" on comment {} gives no reasons.",
                    d.decision.key(),
                    d.comment
                ),
            });
            continue;
        }
        match index.get(&d.comment) {
            Some(&i) => per_comment.entry(i).or_default().push(d),
            None => out.findings.push(Finding {
                path,
                message: format!(
                    "The decision is about comment {}, which is not a comment of this round.",
                    d.comment
                ),
            }),
        }
    }
    for (i, mut list) in per_comment {
        // Current: the latest decision that no other one supersedes.
        let replaced: Vec<RecordId> = list.iter().filter_map(|d| d.supersedes.clone()).collect();
        let head = list
            .iter()
            .rposition(|d| !replaced.contains(&d.id))
            .unwrap_or(list.len() - 1);
        let current = list.remove(head);
        let c = &mut out.comments[i];
        c.decision = Some(current);
        c.superseded = list;
    }
    Ok(out)
}

/// The comments of each round, folded, in the order of `rounds`. Rounds are
/// independent, so their comment files are read on two threads (the machines this runs
/// on have few cores, and the work is mostly reading small files).
pub fn load_all_comments(
    records: &Records,
    rounds: &[RoundState],
    config: &Config,
) -> Result<Vec<RoundComments>, StoreError> {
    let load = |rs: &[RoundState]| -> Result<Vec<RoundComments>, StoreError> {
        rs.iter()
            .map(|r| load_comments(records, r, config))
            .collect()
    };
    let (first, second) = rounds.split_at(rounds.len().div_ceil(2));
    let (mine, other) = std::thread::scope(|s| {
        let other = s.spawn(|| load(second));
        (load(first), other.join())
    });
    // A panic in the other thread is a bug; it is raised here, where it happened.
    let other = other.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    Ok(mine?.into_iter().chain(other?).collect())
}

/// The imports of a round, by digest.
pub fn load_imports(
    ws: &Workspace,
    round: &RecordId,
) -> Result<BTreeMap<String, ImportRecord>, StoreError> {
    let mut out = BTreeMap::new();
    for digest in ws.list_folders(&format!("{CONSULTATIONS_DIR}/{round}/inbox"))? {
        let path = format!("{}/import.toml", inbox_dir(round, &digest));
        if let Some(f) = ws.read_record(&path)? {
            let rec: ImportRecord = f.parse()?;
            out.insert(digest, rec);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod move_record_tests {
    use super::CommentFile;
    use crate::word::import::WordKind;

    #[test]
    fn older_word_records_load_and_a_move_keeps_where_it_goes() {
        // As imported before moves were paired: one half, kind move-from, no moved_to.
        let old = "[[comment]]\nid = \"cabcdefg\"\nparty = \"FIN\"\nby = \"DFD\"\nat = \"2025-12-05T09:00:00Z\"\nversion = \"v1\"\nsection = \"mal\"\ntext = \"−«Vi skal samarbeide.»\"\nproposal = \"2030.\"\n\n[comment.anchor]\nquote = \"2030. Vi skal samarbeide.\"\nbefore = \"innen\"\nafter = \"\"\noffset = 26\n\n[comment.word]\nfile = \"reply.docx\"\nkind = \"move-from\"\n";
        let file: CommentFile = toml::from_str(old).expect("old record");
        let c = &file.comment[0];
        assert_eq!(c.word.as_ref().map(|w| w.kind), Some(WordKind::MoveFrom));
        assert_eq!(c.moved_to, None);
        assert_eq!(toml::to_string(&file).expect("toml"), old);
        // A paired move: where it goes is kept, and read back the same.
        let new = old
            .replace("kind = \"move-from\"", "kind = \"move\"")
            .replace(
                "\n[comment.word]",
                "\n[comment.moved_to]\nsection = \"tiltak\"\nproposal = \"to er viktig. Vi skal samarbeide.\"\n\n[comment.moved_to.anchor]\nquote = \"to er viktig.\"\nbefore = \"Tiltak en er viktig. Tiltak\"\nafter = \"\"\noffset = 28\n\n[comment.word]",
            );
        let file: CommentFile = toml::from_str(&new).expect("move record");
        let c = &file.comment[0];
        assert_eq!(c.word.as_ref().map(|w| w.kind), Some(WordKind::Move));
        let to = c.moved_to.as_ref().expect("moved_to");
        assert_eq!(to.section.as_deref(), Some("tiltak"));
        assert_eq!(
            to.anchor.as_ref().map(|a| a.quote.as_str()),
            Some("to er viktig.")
        );
        let back: CommentFile =
            toml::from_str(&toml::to_string(&file).expect("toml")).expect("again");
        assert_eq!(back, file);
    }
}
