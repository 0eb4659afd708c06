//! Publicity decisions: whether an answer of a round is published as it is, exempt
//! from publication as a whole, or published with passages removed. Every answer is
//! public until a person decides otherwise; strategi never decides on its own (the
//! screening in [`super::screen`] only flags).
//!
//! A decision is a round fact ([`FactBody::Publicity`]) written by [`decide`], the act
//! behind `strategi publish decide`. [`decisions`] folds a round's facts into the
//! decision in force per answer, the later superseding the earlier, the earlier kept as
//! history. Answers are named by the key `publish check` shows: the folder of an
//! imported reply (`consultations/<round>/inbox/<digest>`), or `comment/<id>` and
//! `position/<id>` for a comment or position registered by hand. The archive export and
//! the journal call [`decisions`] to know what is public.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;

use crate::consultation::actions::{ActError, Acting, queue_fact};
use crate::consultation::rules;
use crate::consultation::{Fact, FactBody, Finding, Redaction, RoundDef};
use crate::journal::{Entry, EntryKind};
use crate::model::{Action, Config, PartyCode, RecordId, one_line};
use crate::store::{CommitInfo, StoreError, Transaction, Workspace};

/// What is decided about one answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "publicity", rename_all = "kebab-case")]
pub enum Publicity {
    /// Published as it is (the default).
    Public,
    /// Not published; listed with its party, date and the legal basis only.
    Exempt {
        /// The legal basis ("offentleglova § 13 første ledd, jf. forvaltningsloven § 13").
        basis: String,
    },
    /// Published with these passages removed from every derived copy.
    Redacted {
        /// The passages, each with its legal basis.
        redactions: Vec<Redaction>,
    },
}

impl Publicity {
    /// The machine key: public, exempt, redacted.
    pub fn key(&self) -> &'static str {
        match self {
            Publicity::Public => "public",
            Publicity::Exempt { .. } => "exempt",
            Publicity::Redacted { .. } => "redacted",
        }
    }

    /// The passages to remove (none for a public or an exempt answer).
    pub fn redactions(&self) -> &[Redaction] {
        match self {
            Publicity::Redacted { redactions } => redactions,
            _ => &[],
        }
    }

    /// In English words, as `publish check` shows it.
    pub fn describe(&self) -> String {
        match self {
            Publicity::Public => "public".into(),
            Publicity::Exempt { basis } => format!("exempt ({basis})"),
            Publicity::Redacted { redactions } => format!(
                "public with {} passage{} removed ({})",
                redactions.len(),
                if redactions.len() == 1 { "" } else { "s" },
                bases(redactions).join("; ")
            ),
        }
    }

    /// The publicity a fact body says, when it is a publicity decision.
    fn of(exempt: Option<&String>, redact: &[Redaction]) -> Publicity {
        match exempt {
            Some(basis) => Publicity::Exempt {
                basis: basis.clone(),
            },
            None if redact.is_empty() => Publicity::Public,
            None => Publicity::Redacted {
                redactions: redact.to_vec(),
            },
        }
    }
}

/// The distinct legal bases of some redactions, in order of first use.
pub fn bases(redactions: &[Redaction]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in redactions {
        if !out.contains(&r.basis) {
            out.push(r.basis.clone());
        }
    }
    out
}

/// One decision as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// What was decided.
    #[serde(flatten)]
    pub publicity: Publicity,
    /// Who decided.
    pub by: PartyCode,
    /// When.
    pub at: Timestamp,
    /// The fact.
    pub fact: RecordId,
}

/// The decisions on one answer: the one in force and the superseded ones, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnswerDecision {
    /// The decision in force.
    pub current: Decision,
    /// The earlier decisions it superseded, oldest first.
    pub superseded: Vec<Decision>,
}

/// A round's publicity decisions folded.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Decisions {
    /// Per answer key. An answer not here is public.
    pub answers: BTreeMap<String, AnswerDecision>,
    /// Decisions that were ignored, and why.
    pub findings: Vec<Finding>,
}

impl Decisions {
    /// The publicity in force for an answer: public when nothing was decided.
    pub fn of(&self, answer: &str) -> Publicity {
        self.answers
            .get(answer)
            .map(|d| d.current.publicity.clone())
            .unwrap_or(Publicity::Public)
    }

    /// The publicity in force for a journal entry of this round: an answer's decision
    /// (looked up by [`answer_key`]), public for anything else.
    pub fn of_entry(&self, entry: &Entry) -> Publicity {
        answer_key(entry).map_or(Publicity::Public, |k| self.of(&k))
    }
}

/// The answer key of a journal entry, when it is an answer: an imported reply
/// (`sha256:<digest>`) by its inbox folder, a position registered by hand as
/// `position/<fact id>`.
pub fn answer_key(entry: &Entry) -> Option<String> {
    let round = entry.round.as_ref()?;
    match entry.kind {
        EntryKind::Reply => entry
            .id
            .strip_prefix("sha256:")
            .map(|d| crate::consultation::inbox_dir(round, d)),
        EntryKind::Response => Some(format!("position/{}", entry.id)),
        _ => None,
    }
}

/// The publicity decisions of the case's rounds, by round id: the one lookup of a
/// journal entry's publicity for `journal list`, the archive export and the public
/// journal.
#[derive(Debug, Clone, Default)]
pub struct CaseDecisions {
    /// Each round's fold ([`decisions`]).
    pub rounds: BTreeMap<RecordId, Decisions>,
}

impl CaseDecisions {
    /// Folds the decisions of each of these rounds from its facts.
    pub fn load<'a>(
        ws: &Workspace,
        config: &Config,
        rounds: impl IntoIterator<Item = &'a RecordId>,
    ) -> Result<CaseDecisions, StoreError> {
        let mut out = CaseDecisions::default();
        for id in rounds {
            let (def, facts) = crate::consultation::load_round(ws, id)?;
            out.rounds
                .insert(id.clone(), decisions(config, &def, &facts));
        }
        Ok(out)
    }

    /// The decisions of one round only.
    pub fn of_round(round: RecordId, decided: Decisions) -> CaseDecisions {
        CaseDecisions {
            rounds: BTreeMap::from([(round, decided)]),
        }
    }

    /// The publicity in force for a journal entry: its round's decision on it when it
    /// is an answer, public otherwise (and for a round not loaded).
    pub fn of_entry(&self, entry: &Entry) -> Publicity {
        entry
            .round
            .as_ref()
            .and_then(|r| self.rounds.get(r))
            .map_or(Publicity::Public, |d| d.of_entry(entry))
    }

    /// The decisions that were ignored, in every round.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.rounds.values().flat_map(|d| d.findings.iter())
    }
}

/// Folds a round's facts (with their paths, as `load_round` gives them) into the
/// decision in force per answer. The facts are taken in their recorded order (logical
/// clock, then time, then id: [`crate::model::sort_facts`]); a later decision on the
/// same answer supersedes the earlier, which is kept. A decision by a party that is
/// neither the round's sender nor the case owner is ignored and reported.
pub fn decisions(config: &Config, def: &RoundDef, facts: &[(String, Fact)]) -> Decisions {
    let mut facts: Vec<&(String, Fact)> = facts.iter().collect();
    crate::model::sort_facts(
        &mut facts,
        |(_, f)| (f.clock, f.at),
        |a, b| a.1.id.cmp(&b.1.id),
    );
    let mut out = Decisions::default();
    for (path, fact) in facts {
        let FactBody::Publicity {
            answer,
            exempt,
            redact,
        } = &fact.body
        else {
            continue;
        };
        if rules::may_steer(config, def, &fact.by).is_err() {
            out.findings.push(Finding {
                path: path.clone(),
                message: format!(
                    "{} decided on the publicity of {answer}, but only {} (the sender) or {} (the owner) may.",
                    fact.by, def.sender, config.case.owner
                ),
            });
            continue;
        }
        let decision = Decision {
            publicity: Publicity::of(exempt.as_ref(), redact),
            by: fact.by.clone(),
            at: fact.at,
            fact: fact.id.clone(),
        };
        match out.answers.get_mut(answer) {
            Some(d) => {
                let old = std::mem::replace(&mut d.current, decision);
                d.superseded.push(old);
            }
            None => {
                out.answers.insert(
                    answer.clone(),
                    AnswerDecision {
                        current: decision,
                        superseded: Vec::new(),
                    },
                );
            }
        }
    }
    out
}

/// A decision that was recorded.
#[derive(Debug, Clone, Serialize)]
pub struct Decided {
    /// The fact.
    pub fact: Fact,
    /// The answer it is about.
    pub answer: String,
    /// What is now in force.
    #[serde(flatten)]
    pub publicity: Publicity,
    /// What was in force before.
    pub previous: Publicity,
    /// The commit.
    pub commit: CommitInfo,
}

/// Records a publicity decision on `answer` of the round (a key as [`decisions`] takes
/// it), by the round's sender or the case owner; the round may be closed. `texts` are
/// the answer's texts as the bundle publishes them: each redacted passage must occur in
/// one of them, or the decision is refused. `previous` is the publicity in force.
pub fn decide(
    tx: &mut Transaction<'_>,
    who: &Acting<'_>,
    def: &RoundDef,
    answer: &str,
    publicity: Publicity,
    previous: Publicity,
    texts: &[&str],
) -> Result<Decided, ActError> {
    rules::may_steer(who.config, def, &who.actor.party)?;
    let (exempt, redact) = match &publicity {
        Publicity::Public => (None, Vec::new()),
        Publicity::Exempt { basis } => (Some(basis_line(basis)?), Vec::new()),
        Publicity::Redacted { redactions } => {
            let mut out = Vec::new();
            for r in redactions {
                if r.text.trim().is_empty() {
                    return Err(ActError::Invalid(
                        "A passage to redact is empty: give the text exactly as it stands in the answer."
                            .into(),
                    ));
                }
                if !texts.iter().any(|t| t.contains(&r.text)) {
                    return Err(ActError::Invalid(format!(
                        "The passage «{}» does not occur in {answer}: give it exactly as it stands in the answer (`strategi publish check` and `strategi comment show` show its texts).",
                        r.text
                    )));
                }
                out.push(Redaction {
                    text: r.text.clone(),
                    basis: basis_line(&r.basis)?,
                });
            }
            (None, out)
        }
    };
    let fact = queue_fact(
        tx,
        who,
        def,
        FactBody::Publicity {
            answer: answer.to_string(),
            exempt,
            redact,
        },
    )?;
    let what = match &publicity {
        Publicity::Public => "public".to_string(),
        Publicity::Exempt { .. } => "exempt from publication".to_string(),
        Publicity::Redacted { redactions } => format!(
            "public with {} passage{} redacted",
            redactions.len(),
            if redactions.len() == 1 { "" } else { "s" }
        ),
    };
    let body = match &publicity {
        Publicity::Exempt { basis } => format!("Legal basis: {basis}."),
        Publicity::Redacted { redactions } => {
            format!("Legal basis: {}.", bases(redactions).join("; "))
        }
        Publicity::Public => String::new(),
    };
    let commit = tx.commit_and_continue(
        &format!("Publicity of {answer} in round {}: {what}", def.id),
        &body,
        Action::PublishDecide,
        who.actor,
        who.now,
    )?;
    Ok(Decided {
        fact,
        answer: answer.to_string(),
        publicity,
        previous,
        commit,
    })
}

fn basis_line(basis: &str) -> Result<String, ActError> {
    let b = one_line(basis, "legal basis")?;
    if b.trim().is_empty() {
        return Err(ActError::Invalid(
            "The legal basis is empty: name the provision, such as \"offentleglova § 13 første ledd, jf. forvaltningsloven § 13\"."
                .into(),
        ));
    }
    Ok(b)
}

/// The marker a redacted passage is replaced with.
pub const REDACTED: &str = "[…]";

/// `text` with every occurrence of each passage replaced by [`REDACTED`], repeated
/// until none is left (a replacement never leaves a passage behind).
pub fn redact(text: &str, redactions: &[Redaction]) -> String {
    let mut out = text.to_string();
    for _ in 0..8 {
        let mut changed = false;
        for r in redactions {
            if !r.text.is_empty() && out.contains(&r.text) {
                out = out.replace(&r.text, REDACTED);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consultation::FactBody;

    fn config() -> Config {
        let text = "[case]\ntitle = \"KI\"\nowner = \"DIO\"\napprover = \"DFD\"\n\n[[party]]\ncode = \"DFD\"\nname = \"DFD\"\nemail = \"a@dfd.example\"\n\n[[party]]\ncode = \"FIN\"\nname = \"FIN\"\nemail = \"a@fin.example\"\n";
        crate::store::parse_config(std::path::Path::new("strategi.toml"), text).expect("config")
    }

    fn def() -> RoundDef {
        let code = |s: &str| s.parse::<PartyCode>().expect("code");
        RoundDef {
            id: "rabcdefg".parse().expect("id"),
            kind: crate::calendar::ConsultationKind::Hoyring,
            open: false,
            title: "Høring".into(),
            version: "v1".parse().expect("v"),
            sender: code("DFD"),
            recipients: vec![code("FIN")],
            opened: jiff::civil::date(2025, 11, 1),
            due: jiff::civil::date(2025, 12, 1),
            reason: None,
            opened_by: code("DFD"),
            at: "2025-11-01T10:00:00Z".parse().expect("t"),
            clock: None,
        }
    }

    fn fact(n: u64, by: &str, exempt: Option<&str>, redact: &[(&str, &str)]) -> (String, Fact) {
        (
            format!("f{n}.toml"),
            Fact {
                id: format!("fabcde{n:02}").parse().expect("id"),
                at: format!("2025-12-0{n}T10:00:00Z").parse().expect("at"),
                clock: Some(n),
                by: by.parse().expect("party"),
                body: FactBody::Publicity {
                    answer: "comment/cabcdefg".into(),
                    exempt: exempt.map(str::to_string),
                    redact: redact
                        .iter()
                        .map(|(t, b)| Redaction {
                            text: t.to_string(),
                            basis: b.to_string(),
                        })
                        .collect(),
                },
            },
        )
    }

    #[test]
    fn a_later_decision_supersedes_and_the_earlier_is_kept() {
        let facts = vec![
            fact(3, "DIO", None, &[]),
            fact(1, "DIO", Some("offentleglova § 13"), &[]),
            fact(2, "DFD", None, &[("Kari", "offentleglova § 13")]),
        ];
        let d = decisions(&config(), &def(), &facts);
        assert!(d.findings.is_empty(), "{:?}", d.findings);
        let a = &d.answers["comment/cabcdefg"];
        assert_eq!(a.current.publicity, Publicity::Public);
        assert_eq!(a.superseded.len(), 2);
        assert_eq!(a.superseded[0].publicity.key(), "exempt");
        assert_eq!(a.superseded[1].publicity.redactions()[0].text, "Kari");
        assert_eq!(d.of("comment/other"), Publicity::Public);
    }

    #[test]
    fn a_decision_by_another_party_is_ignored_and_reported() {
        let facts = vec![fact(1, "FIN", Some("offentleglova § 13"), &[])];
        let d = decisions(&config(), &def(), &facts);
        assert!(d.answers.is_empty());
        assert_eq!(d.findings.len(), 1);
        assert!(
            d.findings[0]
                .message
                .contains("only DFD (the sender) or DIO (the owner)")
        );
    }

    #[test]
    fn a_publicity_fact_round_trips_through_toml() {
        let (_, f) = fact(1, "DIO", None, &[("Kari Nordmann", "offentleglova § 13")]);
        let text = toml::to_string(&f).expect("toml");
        assert!(text.contains("type = \"publicity\""), "{text}");
        let back: Fact = toml::from_str(&text).expect("parse");
        assert_eq!(back, f);
    }

    #[test]
    fn redact_removes_every_occurrence_and_leaves_none_behind() {
        let r = |t: &str| Redaction {
            text: t.into(),
            basis: "b".into(),
        };
        assert_eq!(redact("Kari ringer Kari.", &[r("Kari")]), "[…] ringer […].");
        // Removing one passage may join the pieces of another: repeated until gone.
        let out = redact("abXcd", &[r("X"), r("ab[…]cd")]);
        assert!(!out.contains('X'), "{out}");
        assert_eq!(out, "[…]");
    }
}
