//! Each rule of submission and approval twice: refused by the act, and, written by hand
//! as a record, ignored by the fold (the phase does not count it) and reported by
//! `verify`.

use std::time::Duration;

use jiff::ZonedDateTime;

use super::rules::{self, Refusal};
use super::verify::{FindingKind, Verification, verify};
use super::*;
use crate::consultation::load_rounds;
use crate::model::{Action, Version};
use crate::sign::PrivateKey;
use crate::store::{Actor, IdSeed, Transaction, Workspace};

const CONFIG: &str = r#"[case]
title = "KI-strategi"
owner = "DIO"
approver = "DFD"
lang = "nb"

[mail]
transport = "outbox"

[[party]]
code = "DIO"
name = "Departementenes digitaliseringsorganisasjon"
email = "postmottak@dio.example"
lang = "nb"

[[party]]
code = "DFD"
name = "Digitaliserings- og forvaltningsdepartementet"
email = "postmottak@dfd.example"
lang = "nb"
KEYS

[[party]]
code = "FIN"
name = "Finansdepartementet"
email = "postmottak@fin.example"
lang = "nb"

[[milestone]]
id = "forslag-dfd"
title = "Forslag til DFD"
due = 2025-12-01
owner = "DIO"
"#;

struct Fixture {
    _dir: tempfile::TempDir,
    ws: Workspace,
    v1: Version,
}

fn key(seed: u8) -> PrivateKey {
    PrivateKey::from_seed(&[seed; 32], "test").expect("key")
}

/// A workspace with DIO (owner), DFD (approver, with the key of seed 1 listed) and FIN,
/// and a version v1; `settings` is appended to `strategi.toml`.
fn fixture(settings: &str) -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let ws = Workspace::create(&dir.path().join("ws"), Some(("Kari Nordmann", "kari@x.no")))
        .expect("create");
    let keys = format!(
        "keys = [\"{}\"]",
        key(1).public_key().to_openssh_without_comment()
    );
    let mut tx = begin(&ws);
    tx.write(
        "strategi.toml",
        format!("{}{settings}", CONFIG.replace("KEYS", "")),
    );
    tx.write("strategy/01-utkast.md", "# KI-strategi\n\nVi skal lære.\n");
    tx.commit("Create", "", Action::Init, &actor("DIO"), &at(1))
        .expect("commit");
    // DFD adds its own key, acting as DFD (keys belong to their party).
    let mut tx = begin(&ws);
    tx.write(
        "strategi.toml",
        format!("{}{settings}", CONFIG.replace("KEYS", &keys)),
    );
    tx.commit("Add key", "", Action::PartyKey, &actor("DFD"), &at(1))
        .expect("commit");
    let v1 = begin(&ws)
        .cut_version("Utkast", &actor("DIO"), &at(2))
        .expect("cut");
    Fixture { _dir: dir, ws, v1 }
}

fn begin(ws: &Workspace) -> Transaction<'_> {
    ws.begin("test", Duration::from_secs(5), IdSeed::Fixed(7))
        .expect("begin")
}

fn actor(party: &str) -> Actor {
    Actor {
        party: party.parse().expect("party"),
        name: "Kari Nordmann".into(),
        email: "kari@x.no".into(),
    }
}

/// 2025-11-0`day` at 12:00 in Oslo.
fn at(day: i8) -> ZonedDateTime {
    jiff::civil::date(2025, 11, day)
        .at(12, 0, 0, 0)
        .to_zoned_datetime(crate::calendar::oslo())
        .expect("time")
}

impl Fixture {
    fn config(&self) -> Config {
        self.ws.config().expect("config")
    }

    fn approve(
        &self,
        by: &str,
        day: i8,
        key: Option<&PrivateKey>,
        reason: Option<&str>,
    ) -> Result<Approved, ApprovalError> {
        approve(
            begin(&self.ws),
            &actor(by),
            &at(day),
            &self.config(),
            ApprovalRequest {
                version: &self.v1,
                key,
                note: None,
                reason,
            },
        )
    }

    /// Writes a file by hand and commits it (as a person would with git).
    fn write_by_hand(&self, path: &str, text: &str) {
        let mut tx = begin(&self.ws);
        tx.write(path, text);
        tx.commit("By hand", "", Action::Init, &actor("DIO"), &at(20))
            .expect("commit");
    }

    /// An approval record of v1 written by hand.
    fn approval_by_hand(&self, name: &str, by: &str, day: i8, extra: &str) -> String {
        let path = format!("{APPROVALS_DIR}/202511{day:02}T110000Z-{name}.toml");
        self.write_by_hand(
            &path,
            &format!(
                "id = \"{name}\"\nversion = \"v1\"\ncommit = \"{}\"\ntree = \"{}\"\nby = \"{by}\"\nat = \"2025-11-{day:02}T11:00:00Z\"\n{extra}",
                self.v1.commit, self.v1.tree
            ),
        );
        path
    }

    fn fold(&self) -> ApprovalFold {
        let config = self.config();
        let (rounds, comments) = self.rounds();
        let consulted: Vec<_> = rounds.iter().zip(&comments).collect();
        fold_approvals(
            load_each(&self.ws, APPROVALS_DIR).expect("load"),
            LaterActs::load(&self.ws).expect("load"),
            &config,
            &consulted,
        )
    }

    fn rounds(&self) -> (Vec<crate::consultation::RoundState>, Vec<RoundComments>) {
        let config = self.config();
        let rounds = load_rounds(
            &self.ws,
            &config,
            at(25).date(),
            &crate::calendar::work_calendar(&config),
        )
        .expect("rounds");
        let records = self.ws.records().expect("records");
        let comments = rounds
            .iter()
            .map(|r| round_comments(&records, r, &config).expect("comments"))
            .collect();
        (rounds, comments)
    }

    fn phase(&self) -> Phase {
        let (rounds, comments) = self.rounds();
        phase(&self.ws, &self.config(), &rounds, &comments).expect("phase")
    }

    /// `verify`, without the record-clock findings of the records these tests write
    /// by hand without a `clock` in commits that carry strategi's trailer (those
    /// findings are tested in tests/forgery.rs).
    fn verify(&self) -> Verification {
        let mut v = verify(&self.ws, at(25).date()).expect("verify");
        v.findings.retain(|f| f.kind != FindingKind::RecordClock);
        v
    }

    /// Opens a round on v1 to FIN by hand (a definition, no answers yet).
    fn open_round(&self) {
        self.write_by_hand(
            "consultations/r0000001/round.toml",
            "id = \"r0000001\"\nkind = \"framlegging\"\ntitle = \"Framlegging\"\nversion = \"v1\"\nsender = \"DFD\"\nrecipients = [\"FIN\"]\nopened = \"2025-11-03\"\ndue = \"2025-11-28\"\nopened_by = \"DFD\"\nat = \"2025-11-03T10:00:00Z\"\n",
        );
        // Its letter to FIN, so that FIN's answers can follow it.
        self.write_by_hand(
            "consultations/r0000001/facts/20251103T100001Z-f0000001.toml",
            "id = \"f0000001\"\nat = \"2025-11-03T10:00:01Z\"\nby = \"DFD\"\ntype = \"sent\"\nparty = \"FIN\"\nmessage_id = \"<m0000001@x>\"\n",
        );
    }
}

fn refusal(r: Result<Approved, ApprovalError>) -> Refusal {
    match r {
        Err(ApprovalError::Refused(refusal)) => refusal,
        Err(e) => panic!("not a refusal: {e}"),
        Ok(a) => panic!("approved: {a:?}"),
    }
}

/// The one finding of `verify`, which must be an ignored record at `path`.
fn one_ignored(v: &Verification, path: &str) -> String {
    assert_eq!(v.findings.len(), 1, "{:?}", v.findings);
    let f = &v.findings[0];
    assert_eq!(f.kind, FindingKind::Ignored, "{f:?}");
    assert_eq!(f.path, path);
    assert!(!f.hint.is_empty());
    f.message.clone()
}

#[test]
fn only_the_approver_approves() {
    let fx = fixture("");
    let r = refusal(fx.approve("FIN", 5, None, None));
    assert!(matches!(r, Refusal::NotApprover { .. }), "{r:?}");
    assert!(r.to_string().starts_with("Only the case's approver, DFD"));
    assert!(r.hint().contains("--as DFD"), "{}", r.hint());
    assert!(
        load_each::<ApprovalRecord>(&fx.ws, APPROVALS_DIR)
            .expect("load")
            .is_empty(),
        "a refusal changes nothing"
    );
    assert!(rules::may_approve(&fx.config(), &"DFD".parse().expect("code"), fx.v1.name).is_ok());

    // By hand: ignored by the fold, reported by verify, not approved.
    let path = fx.approval_by_hand("a0000000", "FIN", 5, "");
    let fold = fx.fold();
    assert!(fold.approvals.is_empty());
    assert!(matches!(
        fold.ignored[0].refusal,
        Refusal::NotApprover { .. }
    ));
    let msg = one_ignored(&fx.verify(), &path);
    assert!(msg.contains("only the case's approver, DFD"), "{msg}");
    assert_eq!(fx.phase(), Phase::Drafting);
}

#[test]
fn a_version_is_approved_once() {
    let fx = fixture("");
    let a = fx.approve("DFD", 5, None, None).expect("approve");
    assert_eq!(a.record.by.as_str(), "DFD");
    assert_eq!(a.signing, Signing::Unsigned);
    assert_eq!(a.commit.summary, "Approve v1: Utkast");
    let r = refusal(fx.approve("DFD", 6, None, None));
    assert!(matches!(r, Refusal::AlreadyApproved { .. }), "{r:?}");
    assert!(
        r.to_string()
            .contains("already approved by DFD on 2025-11-05")
    );
    assert!(fx.verify().is_ok(), "{:?}", fx.verify().findings);

    // A second approval by hand (with the clock of its commit, as a copy of a
    // strategi record would have): the first counts, the second is ignored.
    let clock = fx.ws.head_clock().expect("clock") + 1;
    let path = fx.approval_by_hand(
        "a1111111",
        "DFD",
        9,
        &format!("note = \"Igjen\"\nclock = {clock}\n"),
    );
    let fold = fx.fold();
    assert_eq!(fold.approvals.len(), 1);
    assert_eq!(fold.approvals[0].1.id, a.record.id);
    assert_eq!(fold.ignored.len(), 1);
    let msg = one_ignored(&fx.verify(), &path);
    assert!(msg.contains("approved a second time"), "{msg}");
    assert!(matches!(fx.phase(), Phase::Approved { date, .. } if date == at(5).date()));
}

#[test]
fn outstanding_consultation_needs_a_reason() {
    let fx = fixture("");
    fx.open_round();
    let r = refusal(fx.approve("DFD", 21, None, None));
    assert!(matches!(r, Refusal::OpenRounds { .. }), "{r:?}");
    assert_eq!(r.cause().as_deref(), Some("Waiting for: r0000001: FIN"));
    assert!(r.hint().contains("--reason"));
    assert!(matches!(
        fx.phase(),
        Phase::InConsultation { waiting: 1, .. }
    ));

    // By hand, without a reason: ignored and reported; with one, it counts.
    let path = fx.approval_by_hand("a2222222", "DFD", 21, "");
    assert_eq!(fx.fold().ignored.len(), 1);
    let msg = one_ignored(&fx.verify(), &path);
    assert!(msg.contains("while a round on it was open"), "{msg}");
    assert!(matches!(fx.phase(), Phase::InConsultation { .. }));
    // An approval made before the round was opened was not outstanding then.
    let early = fx.approval_by_hand("a0000001", "DFD", 1, "");
    let fold = fx.fold();
    assert_eq!(fold.approvals.len(), 1, "{:?}", fold.ignored);
    assert_eq!(fold.approvals[0].0, early);
}

#[test]
fn an_approval_with_a_reason_is_made_while_consultation_is_outstanding() {
    let fx = fixture("");
    fx.open_round();
    let a = fx
        .approve("DFD", 21, None, Some("Hastesak"))
        .expect("approve");
    assert_eq!(a.record.reason.as_deref(), Some("Hastesak"));
    assert!(fx.verify().is_ok(), "{:?}", fx.verify().findings);
    assert!(matches!(fx.phase(), Phase::Approved { .. }));
}

#[test]
fn undecided_comments_need_a_reason() {
    let outstanding = Outstanding {
        open_rounds: Vec::new(),
        undecided: vec!["c1234567".parse().expect("id")],
        earlier_undecided: Vec::new(),
    };
    let v: crate::model::VersionName = "v1".parse().expect("version");
    let r = rules::consultation_settled(v, &outstanding, None).expect_err("refused");
    assert!(matches!(r, Refusal::UndecidedComments { .. }), "{r:?}");
    assert_eq!(r.cause().as_deref(), Some("Undecided: c1234567"));
    assert!(rules::consultation_settled(v, &outstanding, Some("Hastesak")).is_ok());
    assert!(rules::consultation_settled(v, &outstanding, Some("  ")).is_err());
    assert!(rules::consultation_settled(v, &Outstanding::default(), None).is_ok());
    // Undecided comments from a round on an earlier version: refused too.
    let earlier = Outstanding {
        earlier_undecided: vec![(v, "c7654321".parse().expect("id"))],
        ..Outstanding::default()
    };
    let v2: crate::model::VersionName = "v2".parse().expect("version");
    let r = rules::consultation_settled(v2, &earlier, None).expect_err("refused");
    assert!(
        matches!(r, Refusal::EarlierUndecidedComments { .. }),
        "{r:?}"
    );
    assert_eq!(r.cause().as_deref(), Some("Undecided: c7654321 (on v1)"));
    assert!(rules::consultation_settled(v2, &earlier, Some("Hastesak")).is_ok());
}

#[test]
fn signatures_follow_the_policy() {
    let fx = fixture("\n[approval]\nrequire_signature = true\n");
    let r = refusal(fx.approve("DFD", 5, None, None));
    assert!(matches!(r, Refusal::SignatureRequired { .. }), "{r:?}");
    assert!(r.to_string().contains("require_signature"));
    let r = refusal(fx.approve("DFD", 5, Some(&key(2)), None));
    assert!(matches!(r, Refusal::KeyNotListed { .. }), "{r:?}");
    assert!(r.to_string().contains("not one of DFD's signing keys"));
    assert!(!fx.ws.tag_exists("approved/v1").expect("tag"));

    // By hand, unsigned: ignored and reported.
    let path = fx.approval_by_hand("a3333333", "DFD", 5, "");
    let msg = one_ignored(&fx.verify(), &path);
    assert!(msg.contains("is not signed"), "{msg}");
    assert_eq!(fx.phase(), Phase::Drafting);
}

#[test]
fn a_signed_approval_makes_the_tag_and_verifies() {
    let fx = fixture("\n[approval]\nrequire_signature = true\n");
    let a = fx.approve("DFD", 5, Some(&key(1)), None).expect("approve");
    assert_eq!(a.signing, Signing::ByApprover);
    assert_eq!(a.record.signed_tag.as_deref(), Some("approved/v1"));
    assert_eq!(a.record.key_fingerprint, Some(key(1).fingerprint()));
    let text =
        std::fs::read_to_string(fx.ws.root().join(approval_path(&a.record))).expect("record");
    assert!(text.contains("signed_tag = \"approved/v1\""), "{text}");
    assert!(fx.verify().is_ok(), "{:?}", fx.verify().findings);
    // A second signed approval is refused before a tag is made.
    let r = refusal(fx.approve("DFD", 6, Some(&key(1)), None));
    assert!(matches!(r, Refusal::AlreadyApproved { .. }), "{r:?}");
}

#[test]
fn an_unlisted_key_is_refused_when_signatures_are_optional() {
    // Was: allowed with a warning, and reported by verify (the bug of issue 12).
    let fx = fixture("");
    let r = refusal(fx.approve("DFD", 5, Some(&key(2)), None));
    assert!(matches!(r, Refusal::KeyNotListed { .. }), "{r:?}");
    assert!(!fx.ws.tag_exists("approved/v1").expect("tag"));
    assert!(fx.verify().is_ok(), "{:?}", fx.verify().findings);
}

#[test]
fn a_key_added_for_the_approver_by_another_party_is_refused_and_reported() {
    let fx = fixture("");
    let config = fx.ws.config_text().expect("config");
    let forged = key(3).public_key().to_openssh_without_comment();
    let listed = key(1).public_key().to_openssh_without_comment();
    fx.write_by_hand(
        "strategi.toml",
        &config.replace(
            &format!("[\"{listed}\"]"),
            &format!("[\"{listed}\", \"{forged}\"]"),
        ),
    );
    assert_eq!(
        party_keys(&fx.config(), &"DFD".parse().expect("code"))
            .expect("keys")
            .len(),
        2
    );
    let r = refusal(fx.approve("DFD", 21, Some(&key(3)), None));
    assert!(matches!(r, Refusal::ForeignKey { .. }), "{r:?}");
    assert!(r.to_string().contains("acting as DIO"), "{r}");
    // The own key still signs.
    fx.approve("DFD", 21, Some(&key(1)), None).expect("approve");
    let v = fx.verify();
    let kinds: Vec<_> = v.findings.iter().map(|f| f.kind).collect();
    assert_eq!(kinds, vec![FindingKind::ForeignKey], "{:?}", v.findings);
    assert!(v.findings[0].message.contains(&key(3).fingerprint()));
}

#[test]
fn a_stray_tag_is_refused() {
    let fx = fixture("");
    fx.ws
        .create_signed_tag_at(
            "approved/v1",
            &fx.v1.commit,
            "Stray\n",
            &actor("DFD"),
            &at(4),
            &key(1),
        )
        .expect("tag");
    let r = refusal(fx.approve("DFD", 5, Some(&key(1)), None));
    assert!(matches!(r, Refusal::StrayTag { .. }), "{r:?}");
    assert!(r.hint().contains("git tag -d approved/v1"));
}

#[test]
fn an_orphan_tag_that_approve_made_is_undone_by_the_next_approve() {
    let fx = fixture("");
    // What an `approve --sign` killed between its tag and its record leaves.
    fx.ws
        .create_signed_tag_at(
            "approved/v1",
            &fx.v1.commit,
            "Approved v1: Utkast\n\nVersion: v1\nApproved-By: Kari <kari@dfd.example>\n",
            &actor("DFD"),
            &at(4),
            &key(1),
        )
        .expect("tag");
    let orphans = crate::approval::verify::orphan_approval_tags(&fx.ws).expect("orphans");
    assert_eq!(orphans, vec![("approved/v1".to_string(), true)]);
    let approved = fx.approve("DFD", 5, Some(&key(1)), None).expect("approve");
    assert_eq!(approved.record.signed_tag.as_deref(), Some("approved/v1"));
    let notes = fx.ws.notices().take();
    assert!(
        notes
            .iter()
            .any(|n| n.text.contains("Removed the signed tag approved/v1")),
        "{notes:?}"
    );
    assert!(
        fx.verify().findings.is_empty(),
        "{:?}",
        fx.verify().findings
    );
}

fn submission(
    fx: &Fixture,
    by: &str,
    to: &str,
    milestone: Option<&str>,
    day: i8,
) -> Result<Submitted, ApprovalError> {
    submit(
        begin(&fx.ws),
        &actor(by),
        &at(day),
        &fx.config(),
        SubmissionRequest {
            version: &fx.v1,
            to: to.parse().expect("code"),
            note: None,
            milestone: milestone.map(|m| m.parse().expect("milestone")),
        },
    )
}

fn submit_refusal(r: Result<Submitted, ApprovalError>) -> Refusal {
    match r {
        Err(ApprovalError::Refused(refusal)) => refusal,
        Err(e) => panic!("not a refusal: {e}"),
        Ok(s) => panic!("submitted: {s:?}"),
    }
}

#[test]
fn submission_rules() {
    let fx = fixture("");
    let r = submit_refusal(submission(&fx, "DIO", "KDD", None, 5));
    assert!(matches!(r, Refusal::UnknownParty { .. }), "{r:?}");
    assert!(r.hint().contains("The approver is DFD"));
    let r = submit_refusal(submission(&fx, "DFD", "DFD", None, 5));
    assert!(matches!(r, Refusal::ToItself { .. }), "{r:?}");
    let r = submit_refusal(submission(&fx, "DIO", "DFD", Some("nope"), 5));
    assert!(matches!(r, Refusal::UnknownMilestone { .. }), "{r:?}");

    let s = submission(&fx, "DIO", "DFD", Some("forslag-dfd"), 28).expect("submit");
    let t = s.timing.expect("timing");
    assert_eq!((t.due, t.days_before), (jiff::civil::date(2025, 12, 1), 3));
    assert_eq!(s.record.on_time, Some(true));
    assert_eq!(s.commit.summary, "Submit v1 to DFD");
    let config = fx.config();
    assert_eq!(
        config
            .milestone(&"forslag-dfd".parse().expect("id"))
            .and_then(|m| m.done),
        Some(at(28).date())
    );
    let r = submit_refusal(submission(&fx, "DIO", "DFD", Some("forslag-dfd"), 29));
    assert!(matches!(r, Refusal::MilestoneDone { .. }), "{r:?}");
    assert!(matches!(fx.phase(), Phase::Submitted { .. }));
    assert!(fx.verify().is_ok(), "{:?}", fx.verify().findings);
}

#[test]
fn a_submission_to_itself_by_hand_is_reported_and_not_a_hand_in() {
    let fx = fixture("");
    let path = format!("{SUBMISSIONS_DIR}/20251105T110000Z-s0000000.toml");
    fx.write_by_hand(
        &path,
        &format!(
            "id = \"s0000000\"\nversion = \"v1\"\ncommit = \"{}\"\ntree = \"{}\"\nto = \"DIO\"\nby = \"DIO\"\nat = \"2025-11-05T11:00:00Z\"\n",
            fx.v1.commit, fx.v1.tree
        ),
    );
    let msg = one_ignored(&fx.verify(), &path);
    assert!(msg.contains("cannot hand a version to itself"), "{msg}");
    assert_eq!(fx.phase(), Phase::Drafting);
}

#[test]
fn a_bad_record_is_reported_and_does_not_hide_the_others() {
    let fx = fixture("");
    fx.approve("DFD", 5, None, None).expect("approve");
    fx.write_by_hand(
        &format!("{APPROVALS_DIR}/20251106T110000Z-a9999999.toml"),
        "id = [\n",
    );
    let v = fx.verify();
    assert_eq!(v.findings.len(), 1, "{:?}", v.findings);
    assert_eq!(v.findings[0].kind, FindingKind::BadFile);
    assert_eq!(v.checked.get("approvals"), Some(&1));
    assert!(matches!(fx.phase(), Phase::Approved { .. }));
}

#[test]
fn undecided_comments_refuse_the_act_and_void_an_approval_by_hand() {
    let fx = fixture("");
    fx.open_round();
    // FIN answers with a comment; the round is closed; the comment is not decided.
    fx.write_by_hand(
        "consultations/r0000001/comments/20251110T110000Z-c0000001.toml",
        "[[comment]]\nid = \"c0000001\"\nparty = \"FIN\"\nby = \"FIN\"\nat = \"2025-11-10T11:00:00Z\"\nversion = \"v1\"\ntext = \"Avsnittet gjentar innledningen.\"\n",
    );
    fx.write_by_hand(
        "consultations/r0000001/facts/20251111T110000Z-f0000001.toml",
        "id = \"f0000001\"\nat = \"2025-11-11T11:00:00Z\"\nby = \"DFD\"\ntype = \"closed\"\n",
    );
    let r = refusal(fx.approve("DFD", 21, None, None));
    assert!(matches!(r, Refusal::UndecidedComments { .. }), "{r:?}");
    assert_eq!(r.cause().as_deref(), Some("Undecided: c0000001"));
    let path = fx.approval_by_hand("a4444444", "DFD", 21, "");
    let msg = one_ignored(&fx.verify(), &path);
    assert!(msg.contains("1 comment(s) on it had no decision"), "{msg}");
    assert_eq!(fx.phase(), Phase::Revising);
    // A decision made after the approval does not make it count.
    fx.write_by_hand(
        "consultations/r0000001/decisions/20251124T110000Z-d0000001.toml",
        "id = \"d0000001\"\ncomment = \"c0000001\"\ndecision = \"noted\"\nby = \"DFD\"\nat = \"2025-11-24T11:00:00Z\"\n",
    );
    assert_eq!(fx.fold().ignored.len(), 1);
    // The command now approves.
    std::fs::remove_file(fx.ws.root().join(&path)).expect("remove");
    assert!(fx.approve("DFD", 25, None, None).is_ok());
}

impl Fixture {
    fn withdraw(&self, by: &str, day: i8, reason: &str) -> Result<WithdrawalMade, ApprovalError> {
        withdraw(
            begin(&self.ws),
            &actor(by),
            &at(day),
            &self.config(),
            WithdrawalRequest {
                version: &self.v1,
                reason,
            },
        )
    }
}

fn later_refusal<T: std::fmt::Debug>(r: Result<T, ApprovalError>) -> Refusal {
    match r {
        Err(ApprovalError::Refused(refusal)) => refusal,
        other => panic!("not a refusal: {other:?}"),
    }
}

#[test]
fn an_unsigned_approval_is_signed_later_as_a_new_record() {
    let fx = fixture("");
    let a = fx.approve("DFD", 5, None, None).expect("approve");
    let approval_file = approval_path(&a.record);
    let before = std::fs::read(fx.ws.root().join(&approval_file)).expect("read");
    // Only the approver signs, with one of its own keys.
    let r = refusal(fx.approve("FIN", 6, Some(&key(1)), None));
    assert!(matches!(r, Refusal::NotApprover { .. }), "{r:?}");
    let r = refusal(fx.approve("DFD", 6, Some(&key(2)), None));
    assert!(matches!(r, Refusal::KeyNotListed { .. }), "{r:?}");
    let r = refusal(fx.approve("DFD", 6, Some(&key(1)), Some("Hast")));
    assert!(matches!(r, Refusal::ReasonWhenSigning { .. }), "{r:?}");
    assert!(!fx.ws.tag_exists("approved/v1").expect("tag"));

    let s = fx
        .approve("DFD", 6, Some(&key(1)), None)
        .expect("sign later");
    let sig = s.signed_later.as_ref().expect("signed later");
    assert_eq!(sig.approval, a.record.id);
    assert_eq!(s.record.signed_tag.as_deref(), Some("approved/v1"));
    assert_eq!(s.signing, Signing::ByApprover);
    assert_eq!(s.commit.summary, "Sign the approval of v1: Utkast");
    assert!(fx.ws.tag_exists("approved/v1").expect("tag"));
    // The approval's file is unchanged: the signature is its own record.
    assert_eq!(
        std::fs::read(fx.ws.root().join(&approval_file)).expect("read"),
        before
    );
    assert!(
        fx.ws
            .root()
            .join(signature_path(sig))
            .starts_with(fx.ws.root().join(SIGNATURES_DIR))
    );
    let fold = fx.fold();
    assert_eq!(fold.approvals.len(), 1);
    assert_eq!(
        fold.approvals[0].1.signed_tag.as_deref(),
        Some("approved/v1")
    );
    assert!(fx.verify().is_ok(), "{:?}", fx.verify().findings);
    // Signed once: a second signature is refused.
    let r = refusal(fx.approve("DFD", 7, Some(&key(1)), None));
    assert!(matches!(r, Refusal::AlreadyApproved { .. }), "{r:?}");
}

#[test]
fn a_signature_by_hand_of_another_party_is_ignored_and_reported() {
    let fx = fixture("");
    let a = fx.approve("DFD", 5, None, None).expect("approve");
    let path = format!("{SIGNATURES_DIR}/20251106T110000Z-g1111111.toml");
    fx.write_by_hand(
        &path,
        &format!(
            "id = \"g1111111\"\napproval = \"{}\"\nversion = \"v1\"\ncommit = \"{}\"\ntree = \"{}\"\nby = \"FIN\"\nat = \"2025-11-06T11:00:00Z\"\nsigned_tag = \"approved/v1\"\nkey_fingerprint = \"SHA256:x\"\n",
            a.record.id, fx.v1.commit, fx.v1.tree
        ),
    );
    let fold = fx.fold();
    assert_eq!(fold.ignored_acts.len(), 1);
    assert!(fold.approvals[0].1.signed_tag.is_none());
    let msg = one_ignored(&fx.verify(), &path);
    assert!(msg.contains("by FIN"), "{msg}");
}

#[test]
fn an_approval_is_withdrawn_with_a_reason_and_can_be_given_again() {
    let fx = fixture("");
    let r = later_refusal(fx.withdraw("DFD", 5, "Feil"));
    assert!(matches!(r, Refusal::NotApproved { .. }), "{r:?}");
    let a = fx.approve("DFD", 5, Some(&key(1)), None).expect("approve");
    assert!(matches!(fx.phase(), Phase::Approved { .. }));
    let r = later_refusal(fx.withdraw("FIN", 6, "Feil"));
    assert!(
        matches!(
            r,
            Refusal::NotApproverOf {
                act: LaterAct::Withdraw,
                ..
            }
        ),
        "{r:?}"
    );
    assert!(r.hint().contains("--withdraw"), "{}", r.hint());
    let r = later_refusal(fx.withdraw("DFD", 6, "  "));
    assert!(
        matches!(r, Refusal::WithdrawalReasonMissing { .. }),
        "{r:?}"
    );

    let w = fx
        .withdraw("DFD", 6, "Godkjent ved en feil")
        .expect("withdraw");
    assert_eq!(w.record.approval, a.record.id);
    assert_eq!(w.approval.signed_tag.as_deref(), Some("approved/v1"));
    assert_eq!(w.commit.summary, "Withdraw the approval of v1: Utkast");
    // Not approved any more; the tag stays as history and still verifies.
    assert_eq!(fx.phase(), Phase::Drafting);
    assert!(fx.ws.tag_exists("approved/v1").expect("tag"));
    let fold = fx.fold();
    assert!(fold.approvals.is_empty());
    assert_eq!(fold.withdrawn.len(), 1);
    assert!(fx.verify().is_ok(), "{:?}", fx.verify().findings);
    let r = later_refusal(fx.withdraw("DFD", 7, "Igjen"));
    assert!(matches!(r, Refusal::NotApproved { .. }), "{r:?}");

    // Approved again, signed: a new tag, since the old one is history.
    let again = fx.approve("DFD", 8, Some(&key(1)), None).expect("again");
    assert_eq!(again.record.signed_tag.as_deref(), Some("approved/v1-2"));
    assert!(matches!(fx.phase(), Phase::Approved { date, .. } if date == at(8).date()));
    assert!(fx.verify().is_ok(), "{:?}", fx.verify().findings);
}

#[test]
fn a_withdrawal_by_hand_of_another_party_is_ignored_and_reported() {
    let fx = fixture("");
    let a = fx.approve("DFD", 5, None, None).expect("approve");
    let path = format!("{WITHDRAWALS_DIR}/20251106T110000Z-w1111111.toml");
    fx.write_by_hand(
        &path,
        &format!(
            "id = \"w1111111\"\napproval = \"{}\"\nversion = \"v1\"\nby = \"DIO\"\nat = \"2025-11-06T11:00:00Z\"\nreason = \"Vi angrer\"\n",
            a.record.id
        ),
    );
    let fold = fx.fold();
    assert_eq!(fold.ignored_acts.len(), 1);
    assert_eq!(fold.approvals.len(), 1);
    let msg = one_ignored(&fx.verify(), &path);
    assert!(
        msg.contains("withdraw an approval, but it is by DIO"),
        "{msg}"
    );
    assert!(matches!(fx.phase(), Phase::Approved { .. }));
    // One dated before the approval but committed after it (a backdated date): the
    // fold goes by the clock history proves, so it is a withdrawal by the approver.
    let early = format!("{WITHDRAWALS_DIR}/20251104T110000Z-w2222222.toml");
    fx.write_by_hand(
        &early,
        &format!(
            "id = \"w2222222\"\napproval = \"{}\"\nversion = \"v1\"\nby = \"DFD\"\nat = \"2025-11-04T11:00:00Z\"\nreason = \"Før\"\n",
            a.record.id
        ),
    );
    let fold = fx.fold();
    assert_eq!(fold.ignored_acts.len(), 1);
    assert!(!matches!(fx.phase(), Phase::Approved { .. }));
}
