//! Who a `round send` and a `remind` write to, and the acts' rule check and records.

use std::path::Path;
use std::time::Duration;

use jiff::civil::date;

use super::*;
use crate::calendar::ConsultationKind;
use crate::consultation::{RoundDef, load_round};
use crate::mail::OutboxState;
use crate::model::{Position, VersionName};
use crate::store::{IdSeed, parse_config};

const CONFIG: &str = r#"
[case]
title = "Strategi"
owner = "DIO"
approver = "DFD"

[[party]]
code = "DIO"
name = "Digitaliseringsdirektoratet"
email = "post@dio.example"

[[party]]
code = "DFD"
name = "Digitaliserings- og forvaltningsdepartementet"
email = "postmottak@dfd.example"

[[party]]
code = "FIN"
name = "Finansdepartementet"
email = "postmottak@fin.example"
lang = "nn"

[[party]]
code = "KDD"
name = "Kommunal- og distriktsdepartementet"
email = "postmottak@kdd.example"

[[party]]
code = "JD"
name = "Justis- og beredskapsdepartementet"
email = "postmottak@jd.example"
lang = "en"

[[party]]
code = "SMK"
name = "Statsministerens kontor"
email = "postmottak@smk.example"
"#;

fn config() -> Config {
    parse_config(Path::new("strategi.toml"), CONFIG).expect("valid config")
}

fn code(s: &str) -> PartyCode {
    s.parse().expect("code")
}

fn def() -> RoundDef {
    RoundDef {
        id: "r1234567".parse().expect("id"),
        kind: ConsultationKind::Framlegging,
        title: "Framlegging av v1".into(),
        version: VersionName(1),
        sender: code("DFD"),
        recipients: ["FIN", "KDD", "JD", "SMK"].map(code).to_vec(),
        opened: date(2025, 11, 3),
        due: date(2025, 12, 22),
        reason: None,
        opened_by: code("DFD"),
        at: "2025-11-03T09:00:00Z".parse().expect("ts"),
        clock: None,
        open: false,
    }
}

fn fact(n: u64, at: &str, body: FactBody) -> (String, Fact) {
    (
        format!("facts/{n}.toml"),
        Fact {
            id: RecordId::new('f', n),
            at: at.parse().expect("ts"),
            clock: None,
            by: code("DFD"),
            body,
        },
    )
}

fn sent(party: &str, id: &str) -> FactBody {
    FactBody::Sent {
        party: code(party),
        message_id: id.into(),
    }
}

/// FIN, KDD and JD had their letter (`<fin>`, `<kdd>`, `<jd>`); JD answered; SMK
/// has had nothing.
fn state(config: &Config, closed: bool) -> RoundState {
    let mut facts = vec![
        fact(1, "2025-11-03T10:00:00Z", sent("FIN", "<fin>")),
        fact(2, "2025-11-03T10:00:00Z", sent("KDD", "<kdd>")),
        fact(3, "2025-11-03T10:00:00Z", sent("JD", "<jd>")),
        fact(
            4,
            "2025-11-20T10:00:00Z",
            FactBody::Response {
                party: code("JD"),
                position: Position::NoComments,
                note: None,
                source: None,
                received: None,
            },
        ),
    ];
    if closed {
        facts.push(fact(
            5,
            "2025-11-21T10:00:00Z",
            FactBody::Closed { note: None },
        ));
    }
    RoundState::fold(
        def(),
        facts,
        config,
        date(2025, 11, 24),
        &work_calendar(config),
    )
}

fn entry(message_id: &str, state: DeliveryState) -> OutboxEntry {
    OutboxEntry {
        name: message_id.trim_matches(['<', '>']).into(),
        state: OutboxState {
            state,
            kind: "round-letter".into(),
            round: "r1234567".into(),
            party: "?".into(),
            message_id: message_id.into(),
            from: "postmottak@dfd.example".into(),
            to: vec!["x@y.example".into()],
            subject: "Framlegging".into(),
            created: "2025-11-03T10:00:00Z".parse().expect("ts"),
            attempts: 1,
            last_attempt: None,
            server_response: None,
            sending_pid: None,
            claim: None,
            claimed_by: None,
            claimed_at: None,
            released: None,
            by_hand: None,
        },
        eml_path: PathBuf::new(),
        state_path: PathBuf::new(),
        interrupted: false,
    }
}

fn codes(parties: &[&PartyState]) -> Vec<String> {
    parties.iter().map(|p| p.party.to_string()).collect()
}

#[test]
fn send_writes_to_the_unsent_and_anew_to_a_refused_letter() {
    let config = config();
    let state = state(&config, false);
    // FIN's letter went, KDD's was refused for good, JD's is still queued.
    let outbox = [
        entry("<fin>", DeliveryState::Sent),
        entry("<kdd>", DeliveryState::Failed),
        entry("<jd>", DeliveryState::Queued),
    ];
    assert_eq!(codes(&to_send(&state, &outbox)), ["KDD", "SMK"]);
    // An empty outbox (letters delivered by hand, say) sends only the unsent.
    assert_eq!(codes(&to_send(&state, &[])), ["SMK"]);
    // A refused letter to a party that has since had a new letter is history.
    let outbox = [entry("<old-fin>", DeliveryState::Failed)];
    assert_eq!(codes(&to_send(&state, &outbox)), ["SMK"]);
}

#[test]
fn remind_skips_the_answered_and_keeps_the_unsent_apart() {
    let config = config();
    let state = state(&config, false);
    let t = remind_targets(&state, None);
    assert_eq!(codes(&t.due), ["FIN", "KDD"]);
    assert_eq!(codes(&t.not_sent), ["SMK"]);
    let only = [code("JD"), code("KDD"), code("SMK")];
    let t = remind_targets(&state, Some(&only));
    assert_eq!(codes(&t.due), ["KDD"]);
    assert_eq!(codes(&t.not_sent), ["SMK"]);
    let only = [code("JD")];
    let t = remind_targets(&state, Some(&only));
    assert!(t.due.is_empty() && t.not_sent.is_empty());
}

/// A workspace whose v1 has two sections.
fn workspace(dir: &Path) -> Workspace {
    let ws = Workspace::create(&dir.join("ws"), Some(("Kari Nordmann", "kari@x.example")))
        .expect("create");
    std::fs::create_dir_all(ws.root().join("strategy")).expect("mkdir");
    std::fs::write(
        ws.root().join("strategy/01-innledning.md"),
        "# Innledning\n\nTekst.\n\n## Mål\n\nMer tekst.\n",
    )
    .expect("write");
    let tx = ws
        .begin("test", Duration::from_secs(1), IdSeed::Fixed(1))
        .expect("begin");
    tx.cut_version("Første utkast", &actor("DIO"), &now())
        .expect("cut");
    ws
}

fn actor(party: &str) -> Actor {
    Actor {
        party: code(party),
        name: "Kari Nordmann".into(),
        email: "kari@x.example".into(),
    }
}

fn now() -> ZonedDateTime {
    crate::calendar::parse_now("2025-11-24T10:00:00+01:00").expect("now")
}

#[test]
fn the_acts_refuse_a_party_that_may_not_steer_and_a_closed_round() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ws = workspace(dir.path());
    let config = config();
    let open = state(&config, false);
    let mut tx = ws
        .begin("test", Duration::from_secs(1), IdSeed::Fixed(2))
        .expect("begin");
    let err = send(&mut tx, &config, &open, &actor("FIN"), &now(), None).expect_err("refused");
    assert!(
        matches!(&err, LettersError::Refused(Refusal::MayNotSteer { by, .. }) if by.as_str() == "FIN"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "FIN may not change round r1234567: only its sender DFD or the case owner DIO may."
    );
    assert_eq!(
        err.hint().as_deref(),
        Some("Act as the sender with `--as DFD`.")
    );
    let err = remind(&mut tx, &config, &open, &actor("KDD"), &now(), None).expect_err("refused");
    assert!(
        matches!(err, LettersError::Refused(Refusal::MayNotSteer { .. })),
        "{err:?}"
    );
    let closed = state(&config, true);
    let err = send(&mut tx, &config, &closed, &actor("DFD"), &now(), None).expect_err("closed");
    assert!(
        matches!(err, LettersError::Refused(Refusal::Closed { .. })),
        "{err:?}"
    );
    assert!(tx.is_empty(), "a refused act queues nothing");
}

#[test]
fn send_queues_one_letter_per_party_in_its_language_and_records_the_facts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ws = workspace(dir.path());
    let config = config();
    let state = RoundState::fold(
        def(),
        Vec::new(),
        &config,
        date(2025, 11, 24),
        &work_calendar(&config),
    );
    let mut tx = ws
        .begin("test", Duration::from_secs(1), IdSeed::Fixed(3))
        .expect("begin");
    let text = toml::to_string(&state.def).expect("toml");
    tx.write(&crate::consultation::round_path(&state.def.id), text);
    tx.commit_and_continue("Open", "", Action::RoundOpen, &actor("DFD"), &now())
        .expect("open");
    let issued = send(&mut tx, &config, &state, &actor("DFD"), &now(), None)
        .expect("send")
        .expect("letters");
    assert_eq!(issued.letters.len(), 4);
    assert_eq!(issued.facts.len(), 4);
    assert!(
        issued
            .commit
            .summary
            .starts_with("Send round r1234567 (v1) to 4 parties")
    );
    let fin = &issued.letters[0];
    assert_eq!(fin.party.code.as_str(), "FIN");
    assert!(
        fin.mail
            .subject
            .contains(&subject_token_for("r1234567", "FIN")),
        "{}",
        fin.mail.subject
    );
    // By default: the Word copy, the Markdown and HTML copies, the form, the .ics.
    let names: Vec<&str> = fin
        .mail
        .attachments
        .iter()
        .map(|a| a.filename.as_str())
        .collect();
    assert_eq!(
        names[..3],
        ["strategi-v1.docx", "strategi-v1.md", "strategi-v1.html"]
    );
    assert_eq!(fin.mail.attachments[0].content_type, super::DOCX_TYPE);
    assert!(fin.mail.attachments[0].bytes.starts_with(b"PK"));
    assert_eq!(fin.mail.attachments.len(), 5);
    assert!(
        fin.mail.attachments[3]
            .filename
            .starts_with("svarskjema-FIN-v1")
    );
    // Last, the party's own deadline for its calendar.
    assert_eq!(fin.mail.attachments[4].filename, "frist-FIN.ics");
    assert!(
        fin.mail.attachments[4]
            .content_type
            .starts_with("text/calendar")
    );
    let jd = &issued.letters[2];
    assert!(
        jd.mail.attachments[3]
            .filename
            .starts_with("response-form-JD-v1")
    );
    // The outbox holds every letter as queued; each party's state names its letter.
    let outbox = Outbox::in_workspace(&ws).list().expect("outbox");
    assert_eq!(outbox.len(), 4);
    assert!(
        outbox
            .iter()
            .all(|e| e.state.state == DeliveryState::Queued)
    );
    let (def, facts) = load_round(&ws, &state.def.id).expect("round");
    let after = RoundState::fold(
        def,
        facts,
        &config,
        date(2025, 11, 24),
        &work_calendar(&config),
    );
    assert!(after.findings.is_empty(), "{:?}", after.findings);
    for (p, l) in after.parties.iter().zip(&issued.letters) {
        assert_eq!(
            p.sent.as_ref().map(|s| s.message_id.as_str()),
            Some(l.mail.message_id.as_str())
        );
    }
    // Nobody is left to send to, until a letter is refused for good.
    assert!(to_send(&after, &outbox).is_empty());
    let mut refused = outbox.clone();
    refused[1].state.state = DeliveryState::Failed;
    assert_eq!(
        codes(&to_send(&after, &refused)),
        [refused[1].state.party.clone()]
    );
    assert!(
        send(&mut tx, &config, &after, &actor("DFD"), &now(), None)
            .expect("send")
            .is_none()
    );
    // Reminders go to all four (nobody has answered), with In-Reply-To the letter.
    let reminded = remind(&mut tx, &config, &after, &actor("DIO"), &now(), None).expect("remind");
    assert_eq!(reminded.issued.letters.len(), 4);
    assert!(reminded.not_sent.is_empty());
    assert_eq!(
        reminded.issued.letters[0].mail.in_reply_to.as_deref(),
        Some(issued.letters[0].mail.message_id.as_str())
    );
    assert!(matches!(
        reminded.issued.facts[0].body,
        FactBody::Reminded { .. }
    ));
}

/// Accepts every message but those to `refuse` (for good) and `delay` (for now).
struct FakeMailer {
    refuse: &'static str,
    delay: &'static str,
}

impl Mailer for FakeMailer {
    fn deliver(
        &self,
        _from: &str,
        to: &[String],
        _eml: &[u8],
    ) -> Result<crate::mail::DeliveryReceipt, crate::mail::DeliveryError> {
        if to.iter().any(|t| t == self.refuse) {
            Err(crate::mail::DeliveryError::Permanent {
                code: Some(550),
                message: "5.1.1 mailbox unavailable".into(),
            })
        } else if to.iter().any(|t| t == self.delay) {
            Err(crate::mail::DeliveryError::Temporary {
                message: "451 try again later".into(),
            })
        } else {
            Ok(crate::mail::DeliveryReceipt {
                response: "250 2.0.0 Ok".into(),
            })
        }
    }
}

#[test]
fn only_the_rounds_sender_delivers_its_letters() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ws = workspace(dir.path());
    let config = config();
    let mut tx = ws
        .begin("test", Duration::from_secs(1), IdSeed::Fixed(5))
        .expect("begin");
    let state = RoundState::fold(
        def(),
        Vec::new(),
        &config,
        date(2025, 11, 24),
        &work_calendar(&config),
    );
    let text = toml::to_string(&state.def).expect("toml");
    tx.write(&crate::consultation::round_path(&state.def.id), text);
    tx.commit_and_continue("Open", "", Action::RoundOpen, &actor("DFD"), &now())
        .expect("open");
    let issued = send(&mut tx, &config, &state, &actor("DFD"), &now(), None)
        .expect("send")
        .expect("letters");
    let mailer = FakeMailer {
        refuse: "none@x.example",
        delay: "none@x.example",
    };
    // The owner (DIO) may steer the round, but DFD sends it: nothing goes, all is told.
    for what in [
        Selection::all(false, false),
        Selection::round(&state.def.id, Some(&issued)),
    ] {
        let d = deliver(
            &mut tx,
            &config,
            &mailer,
            &actor("DIO"),
            &now(),
            &what,
            None,
        )
        .expect("deliver");
        assert!(d.delivered.is_empty(), "{d:?}");
        assert_eq!(d.not_ours.len(), issued.letters.len(), "{d:?}");
        assert!(d.not_ours.iter().all(|n| n.sender == "DFD"));
    }
    assert!(
        Outbox::in_workspace(&ws)
            .list()
            .expect("list")
            .iter()
            .all(|e| e.state.state == DeliveryState::Queued)
    );
    let d = deliver(
        &mut tx,
        &config,
        &mailer,
        &actor("DFD"),
        &now(),
        &Selection::all(false, false),
        None,
    )
    .expect("deliver");
    assert_eq!(d.delivered.len(), issued.letters.len());
    assert!(d.not_ours.is_empty());
}

#[test]
fn delivery_records_the_states_and_a_refused_letter_is_planned_anew() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ws = workspace(dir.path());
    let config = config();
    let mut tx = ws
        .begin("test", Duration::from_secs(1), IdSeed::Fixed(4))
        .expect("begin");
    let state = RoundState::fold(
        def(),
        Vec::new(),
        &config,
        date(2025, 11, 24),
        &work_calendar(&config),
    );
    let text = toml::to_string(&state.def).expect("toml");
    tx.write(&crate::consultation::round_path(&state.def.id), text);
    tx.commit_and_continue("Open", "", Action::RoundOpen, &actor("DFD"), &now())
        .expect("open");
    send(&mut tx, &config, &state, &actor("DFD"), &now(), None)
        .expect("send")
        .expect("letters");
    let mailer = FakeMailer {
        refuse: "postmottak@kdd.example",
        delay: "postmottak@jd.example",
    };
    let delivered = deliver(
        &mut tx,
        &config,
        &mailer,
        &actor("DFD"),
        &now(),
        &Selection::all(false, false),
        None,
    )
    .expect("deliver")
    .delivered;
    let by_party = |p: &str| {
        delivered
            .iter()
            .find(|d| d.party.as_deref() == Some(p))
            .map(|d| d.state)
    };
    assert_eq!(by_party("FIN"), Some(Outcome::Sent));
    assert_eq!(by_party("KDD"), Some(Outcome::Failed));
    assert_eq!(by_party("JD"), Some(Outcome::Queued));
    assert_eq!(by_party("SMK"), Some(Outcome::Sent));
    assert!(tx.is_empty(), "the states are committed");
    assert!(
        ws.changed_files(OUTBOX_DIR).expect("status").is_empty(),
        "nothing in outbox/ differs from HEAD"
    );
    // The next send writes only to KDD, whose letter was refused for good.
    let (def, facts) = load_round(&ws, &state.def.id).expect("round");
    let after = RoundState::fold(
        def,
        facts,
        &config,
        date(2025, 11, 24),
        &work_calendar(&config),
    );
    let again = send(&mut tx, &config, &after, &actor("DFD"), &now(), None)
        .expect("send")
        .expect("a new letter");
    assert_eq!(again.letters.len(), 1);
    assert_eq!(again.letters[0].party.code.as_str(), "KDD");
    // A second delivery only tries what is queued: JD's old letter and KDD's new one.
    let delivered = deliver(
        &mut tx,
        &config,
        &mailer,
        &actor("DFD"),
        &now(),
        &Selection::all(false, false),
        None,
    )
    .expect("deliver")
    .delivered;
    let mut parties: Vec<_> = delivered.iter().filter_map(|d| d.party.clone()).collect();
    parties.sort();
    assert_eq!(parties, ["JD", "KDD"]);
}

#[test]
fn the_days_left_are_checked_again_after_the_opening_day() {
    let config = config();
    // def(): a framlegging opened 2025-11-03, due 2025-12-22.
    let state = state(&config, false);
    let all: Vec<&PartyState> = state.parties.iter().collect();
    // On the opening day the check made then stands, and with enough days left too.
    assert_eq!(
        check_days_left(&config, &state, &all, date(2025, 11, 3), None).expect("ok"),
        None
    );
    assert_eq!(
        check_days_left(&config, &state, &all, date(2025, 12, 1), None).expect("ok"),
        None
    );
    // 2025-12-02 leaves 20 days: refused without a reason, naming every party.
    let err = check_days_left(&config, &state, &all, date(2025, 12, 2), None)
        .expect_err("too late")
        .to_string();
    assert!(err.contains("FIN, KDD, JD and SMK"), "{err}");
    assert!(err.contains("only 20 days"), "{err}");
    assert!(err.contains("at least 21"), "{err}");
    let late = check_days_left(
        &config,
        &state,
        &all[..1],
        date(2025, 12, 2),
        Some(" Agreed "),
    )
    .expect("with a reason")
    .expect("late");
    assert_eq!(
        late,
        LateSend {
            days_left: 20,
            due: date(2025, 12, 22),
            minimum_days: 21,
            reason: "Agreed".into(),
        }
    );
    // A blank reason is no reason.
    assert!(check_days_left(&config, &state, &all, date(2025, 12, 2), Some("  ")).is_err());
    // A deadline that has passed is refused even with a reason.
    let err =
        check_days_left(&config, &state, &all, date(2025, 12, 23), Some("x")).expect_err("passed");
    assert!(matches!(err, LettersError::DeadlinePassed { .. }), "{err}");
    assert!(err.hint().is_some_and(|h| h.contains("round extend")));
}

#[test]
fn outbox_ids_resolve_by_name_message_id_or_prefix() {
    let entries = [
        entry("<r1234567.FIN.aaaa@dfd.example>", DeliveryState::Queued),
        entry("<r1234567.KDD.bbbb@dfd.example>", DeliveryState::Queued),
    ];
    // entry() names an entry after the whole id; give them outbox-style names.
    let mut entries = entries.to_vec();
    entries[0].name = "r1234567.FIN.aaaa".into();
    entries[1].name = "r1234567.KDD.bbbb".into();
    let name = |id: &str| find_entry(&entries, id).map(|e| e.name.clone());
    assert_eq!(
        name("r1234567.FIN.aaaa").expect("name"),
        "r1234567.FIN.aaaa"
    );
    assert_eq!(
        name("outbox/r1234567.KDD.bbbb.eml").expect("path"),
        "r1234567.KDD.bbbb"
    );
    assert_eq!(
        name("<r1234567.KDD.bbbb@dfd.example>").expect("mid"),
        "r1234567.KDD.bbbb"
    );
    assert_eq!(name("r1234567.K").expect("prefix"), "r1234567.KDD.bbbb");
    match find_entry(&entries, "r1234567") {
        Err(LettersError::AmbiguousEntry { candidates, .. }) => assert_eq!(candidates.len(), 2),
        other => panic!("{other:?}"),
    }
    match find_entry(&entries, "r1234567.FIN.aaab") {
        Err(e @ LettersError::UnknownEntry { .. }) => {
            assert!(
                e.hint()
                    .is_some_and(|h| h.contains("\"r1234567.FIN.aaaa\"")),
                "{e:?}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        find_entry(&entries, "  "),
        Err(LettersError::UnknownEntry { .. })
    ));
    // Non-ASCII input never panics on a character boundary.
    assert!(find_entry(&entries, "rø").is_err());
}

/// Refuses every login, and counts how often it was asked.
struct RefusesLogin {
    asked: std::cell::Cell<usize>,
}

impl Mailer for RefusesLogin {
    fn deliver(
        &self,
        _from: &str,
        _to: &[String],
        _eml: &[u8],
    ) -> Result<crate::mail::DeliveryReceipt, crate::mail::DeliveryError> {
        self.asked.set(self.asked.get() + 1);
        Err(crate::mail::DeliveryError::Configuration {
            message:
                "smtp://ola@mail.example answered 535 5.7.8 Authentication credentials invalid"
                    .into(),
        })
    }
}

#[test]
fn a_refused_login_stops_the_delivery_and_keeps_every_letter_queued() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ws = workspace(dir.path());
    let config = config();
    let mut tx = ws
        .begin("test", Duration::from_secs(1), IdSeed::Fixed(5))
        .expect("begin");
    let state = RoundState::fold(
        def(),
        Vec::new(),
        &config,
        date(2025, 11, 24),
        &work_calendar(&config),
    );
    let text = toml::to_string(&state.def).expect("toml");
    tx.write(&crate::consultation::round_path(&state.def.id), text);
    tx.commit_and_continue("Open", "", Action::RoundOpen, &actor("DFD"), &now())
        .expect("open");
    let issued = send(&mut tx, &config, &state, &actor("DFD"), &now(), None)
        .expect("send")
        .expect("letters");
    let mailer = RefusesLogin {
        asked: std::cell::Cell::new(0),
    };
    let d = deliver(
        &mut tx,
        &config,
        &mailer,
        &actor("DFD"),
        &now(),
        &Selection::round(&state.def.id, Some(&issued)),
        None,
    )
    .expect("deliver");
    assert_eq!(mailer.asked.get(), 1, "the delivery stops at the refusal");
    assert!(
        d.login_refused
            .as_deref()
            .is_some_and(|m| m.contains("535"))
    );
    assert_eq!(d.delivered.len(), 1);
    assert_eq!(d.delivered[0].state, Outcome::Queued);
    let outbox = Outbox::in_workspace(&ws).list().expect("list");
    assert_eq!(outbox.len(), 4);
    assert!(
        outbox
            .iter()
            .all(|e| e.state.state == DeliveryState::Queued)
    );
    // Nobody is written to anew: nothing was refused for its address.
    let (def, facts) = load_round(&ws, &state.def.id).expect("round");
    let after = RoundState::fold(
        def,
        facts,
        &config,
        date(2025, 11, 24),
        &work_calendar(&config),
    );
    assert!(to_send(&after, &outbox).is_empty());
    assert!(crate::mail::is_auth_failure(535) && !crate::mail::is_auth_failure(550));
}

/// The letters' "Vår ref" is the number the journal gives their entries after the act.
#[test]
fn letters_carry_the_document_number_the_journal_gives_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ws = workspace(dir.path());
    let text = CONFIG.replace(
        "approver = \"DFD\"\n",
        "approver = \"DFD\"\nnumber = \"24/3095\"\n\n[journal]\nstart = 70\n",
    );
    std::fs::write(ws.root().join("strategi.toml"), &text).expect("config");
    let config = parse_config(Path::new("strategi.toml"), &text).expect("config");
    let state = RoundState::fold(
        def(),
        Vec::new(),
        &config,
        date(2025, 11, 24),
        &work_calendar(&config),
    );
    let mut tx = ws
        .begin("test", Duration::from_secs(1), IdSeed::Fixed(3))
        .expect("begin");
    let round = toml::to_string(&state.def).expect("toml");
    tx.write(&crate::consultation::round_path(&state.def.id), round);
    tx.commit_and_continue("Open", "", Action::RoundOpen, &actor("DFD"), &now())
        .expect("open");
    let issued = send(&mut tx, &config, &state, &actor("DFD"), &now(), None)
        .expect("send")
        .expect("letters");
    let today = date(2025, 11, 24);
    let check = |issued: &Issued, label: &str| {
        let journal = crate::journal::load_journal(&ws, &config, today).expect("journal");
        for (l, f) in issued.letters.iter().zip(&issued.facts) {
            let entry = journal.entry(&f.id.to_string()).expect("journaled");
            let number = entry.number.expect("numbered").to_string();
            let words = crate::journal::words(l.party.lang);
            let pad = if l.party.lang == Lang::Da {
                "  "
            } else {
                "    "
            };
            let line = format!("  {}:{pad}{number}\n", words.our_ref);
            assert!(
                l.mail.body_text.contains(&line),
                "{label} to {}: no {line:?} in\n{}",
                l.party.code,
                l.mail.body_text
            );
            assert!(l.mail.body_text.contains(words.cite_ref));
        }
    };
    check(&issued, "letter");
    let numbers: Vec<String> = issued
        .letters
        .iter()
        .map(|l| {
            l.mail
                .body_text
                .lines()
                .find_map(|s| {
                    s.trim()
                        .strip_prefix("Vår ref:")
                        .or(s.trim().strip_prefix("Our ref:"))
                })
                .unwrap_or_default()
                .trim()
                .to_string()
        })
        .collect();
    let mut sorted = numbers.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        ["24/3095-70", "24/3095-71", "24/3095-72", "24/3095-73"],
        "four letters, numbered from [journal] start"
    );
    let (def, facts) = load_round(&ws, &state.def.id).expect("round");
    let after = RoundState::fold(def, facts, &config, today, &work_calendar(&config));
    let reminded = remind(&mut tx, &config, &after, &actor("DIO"), &now(), None).expect("remind");
    check(&reminded.issued, "reminder");
    assert!(
        reminded.issued.letters[0]
            .mail
            .body_text
            .contains("24/3095-7")
    );
    // A letter sent again after a refused delivery is the same document, same number.
    let journal = crate::journal::load_journal(&ws, &config, today).expect("journal");
    let again = letter_numbers(
        &journal,
        &config,
        &after,
        &[&after.parties[0]],
        LetterKind::RoundLetter,
        &["fzzzzzzzz".to_string()],
    );
    let first = journal
        .entry(&issued.facts[0].id.to_string())
        .and_then(|e| e.number);
    assert_eq!(again, vec![first]);
}

#[test]
fn without_a_case_number_letters_show_no_reference() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ws = workspace(dir.path());
    let config = config();
    let state = RoundState::fold(
        def(),
        Vec::new(),
        &config,
        date(2025, 11, 24),
        &work_calendar(&config),
    );
    let mut tx = ws
        .begin("test", Duration::from_secs(1), IdSeed::Fixed(3))
        .expect("begin");
    let round = toml::to_string(&state.def).expect("toml");
    tx.write(&crate::consultation::round_path(&state.def.id), round);
    tx.commit_and_continue("Open", "", Action::RoundOpen, &actor("DFD"), &now())
        .expect("open");
    let issued = send(&mut tx, &config, &state, &actor("DFD"), &now(), None)
        .expect("send")
        .expect("letters");
    for l in &issued.letters {
        assert!(!l.mail.body_text.contains("ref:"), "{}", l.mail.body_text);
        let cite = crate::journal::words(l.party.lang).cite_ref;
        assert!(!l.mail.body_text.contains(cite), "{}", l.mail.body_text);
    }
}
