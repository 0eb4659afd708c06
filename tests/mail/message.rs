//! Messages as RFC 5322 bytes, checked with a standard parser; header injection;
//! sendmail; the outbox with a scripted mailer.

use super::common;

use std::cell::RefCell;

use mail_parser::{MessageParser, MimeHeaders};
use strategi::mail::{
    DeliveryError, DeliveryReceipt, DeliveryState, Lang, LetterKind, MailError, Mailbox, Mailer,
    Outbox, OutboxMeta, Renderer, SendmailMailer,
};

fn parse(eml: &[u8]) -> mail_parser::Message<'_> {
    MessageParser::default()
        .parse(eml)
        .expect("mail-parser reads the message")
}

#[test]
fn eml_parses_with_names_subject_attachments_and_headers() {
    let mail = common::mail("postmottak@fin.dep.example", "k2j4");
    let eml = mail.to_eml().expect("builds");
    let text = String::from_utf8_lossy(&eml);
    assert!(eml.is_ascii(), "non-ASCII must be encoded:\n{text}");
    assert!(text.contains("\r\n"), "CRLF line ends");
    assert!(text.contains("multipart/mixed"));

    let m = parse(&eml);
    assert_eq!(m.subject(), Some(mail.subject.as_str()));
    let from = m.from().and_then(|a| a.first()).expect("From");
    assert_eq!(
        from.name(),
        Some("Digitaliserings- og forvaltningsdepartementet")
    );
    assert_eq!(from.address(), Some("strategi@dfd.dep.example"));
    let to = m.to().and_then(|a| a.first()).expect("To");
    assert_eq!(to.name(), Some("Finansdepartementet – postmottak"));
    assert_eq!(to.address(), Some("postmottak@fin.dep.example"));
    let rt = m.reply_to().and_then(|a| a.first()).expect("Reply-To");
    assert_eq!(rt.name(), Some("Sekretariatet, \"DFD\" (strategi)"));
    assert_eq!(rt.address(), Some("svar@dfd.dep.example"));
    assert_eq!(m.message_id(), Some("r7k3q9x2mf.FIN.k2j4@dfd.dep.example"));
    assert_eq!(
        m.header_raw("X-Strategi-Round").map(str::trim),
        Some("r7k3q9x2mf")
    );
    assert_eq!(m.header_raw("X-Strategi-Party").map(str::trim), Some("FIN"));
    assert_eq!(
        m.date().map(|d| d.to_timestamp()),
        Some(mail.date.as_second())
    );

    let body = m.body_text(0).expect("text body");
    assert_eq!(body.replace("\r\n", "\n"), mail.body_text);
    let text_part = m.text_part(0).expect("text part");
    assert_eq!(text_part.content_type().map(|c| c.ctype()), Some("text"));
    assert_eq!(
        text_part
            .content_type()
            .and_then(|c| c.attribute("charset"))
            .map(str::to_ascii_lowercase),
        Some("utf-8".to_string())
    );

    let atts: Vec<_> = m.attachments().collect();
    assert_eq!(atts.len(), 2);
    for (part, want) in atts.iter().zip(&mail.attachments) {
        assert_eq!(part.attachment_name(), Some(want.filename.as_str()));
        assert_eq!(part.contents(), want.bytes.as_slice(), "{}", want.filename);
    }
    assert_eq!(
        atts[0].content_type().map(|c| (c.ctype(), c.subtype())),
        Some(("application", Some("pdf")))
    );
}

#[test]
fn a_reply_carries_in_reply_to_and_no_attachments_means_one_part() {
    let mut mail = common::mail("postmottak@fin.dep.example", "r1");
    mail.attachments.clear();
    mail.in_reply_to = Some("<r7k3q9x2mf.FIN.k2j4@dfd.dep.example>".into());
    let eml = mail.to_eml().expect("builds");
    let m = parse(&eml);
    assert_eq!(
        m.in_reply_to().as_text(),
        Some("r7k3q9x2mf.FIN.k2j4@dfd.dep.example")
    );
    assert_eq!(
        m.references().as_text(),
        Some("r7k3q9x2mf.FIN.k2j4@dfd.dep.example")
    );
    assert_eq!(m.attachment_count(), 0);
    assert!(!String::from_utf8_lossy(&eml).contains("multipart"));
}

#[test]
fn header_injection_is_refused_everywhere() {
    let evil = "Evil\r\nBcc: x@y.example";
    let base = common::mail("postmottak@fin.dep.example", "inj");
    let mut cases = Vec::new();
    let mut m = base.clone();
    m.to = Mailbox::new(evil, "postmottak@fin.dep.example");
    cases.push(("display name of the recipient", m));
    let mut m = base.clone();
    m.from.name = evil.into();
    cases.push(("display name of the sender", m));
    let mut m = base.clone();
    m.reply_to = Some(Mailbox::new("Ok\nBcc: x@y.example", "svar@dfd.dep.example"));
    cases.push(("display name of the reply-to mailbox", m));
    let mut m = base.clone();
    m.subject = format!("Høring {evil}");
    cases.push(("subject", m));
    let mut m = base.clone();
    m.attachments[0].filename = "a.pdf\r\nBcc: x@y.example".into();
    cases.push(("attachment's file name", m));
    let mut m = base.clone();
    m.extra_headers
        .push(("X-Strategi-Note".into(), evil.into()));
    cases.push(("value of the header X-Strategi-Note", m));
    for (field, m) in cases {
        match m.to_eml() {
            Err(MailError::HeaderInjection { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: expected a refusal, got {other:?}"),
        }
    }
    for bad in [
        ("Bcc", "x@y.example"),
        ("X-Bad:Name", "v"),
        ("X Bad", "v"),
        ("Subject", "second subject"),
        ("", "v"),
    ] {
        let mut m = base.clone();
        m.extra_headers.push((bad.0.into(), bad.1.into()));
        assert!(
            matches!(m.to_eml(), Err(MailError::InvalidMessage { .. })),
            "{bad:?}"
        );
    }
    for bad_addr in [
        "postmottak@fin.dep.example\r\nBcc: x@y.example",
        "not an address",
        "",
    ] {
        let mut m = base.clone();
        m.to.address = bad_addr.into();
        assert!(
            matches!(m.to_eml(), Err(MailError::InvalidMessage { .. })),
            "{bad_addr:?}"
        );
    }
    let mut m = base.clone();
    m.message_id = "<a@b>\r\nBcc: x@y.example".into();
    assert!(matches!(m.to_eml(), Err(MailError::InvalidMessage { .. })));
    let mut m = base;
    m.attachments[0].content_type = "application/pdf\r\nBcc: x@y.example".into();
    assert!(m.to_eml().is_err());
}

#[test]
fn a_hostile_party_name_rendered_into_a_letter_adds_no_header() {
    // The renderer neutralises line breaks; the message then builds and has no Bcc.
    let r = Renderer::new(None).expect("templates");
    let mut ctx = common::letter_context(Lang::Nb);
    ctx.case_title = "Evil\r\nBcc: x@y.example".into();
    ctx.recipient_name = "Evil\r\nBcc: x@y.example".into();
    let letter = r
        .render_letter(LetterKind::RoundLetter, Lang::Nb, &ctx)
        .expect("renders");
    let mut mail = common::mail("postmottak@fin.dep.example", "hostile");
    mail.subject = letter.subject;
    mail.body_text = letter.body;
    let eml = mail.to_eml().expect("builds");
    let m = parse(&eml);
    assert!(m.bcc().is_none());
    assert!(m.header("Bcc").is_none());
    assert!(
        m.subject()
            .is_some_and(|s| s.contains("Evil  Bcc: x@y.example"))
    );
    let raw = String::from_utf8_lossy(&eml);
    assert!(
        !raw.lines()
            .any(|l| l.to_ascii_lowercase().starts_with("bcc:")),
        "{raw}"
    );
}

#[cfg(unix)]
#[test]
fn sendmail_gets_the_envelope_and_the_message() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let script = dir.path().join("fake-sendmail");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"$@\" > '{0}.args'\ncat > '{0}.eml'\n",
            out.display()
        ),
    )
    .expect("write");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let mail = common::mail("postmottak@fin.dep.example", "sm");
    let eml = mail.to_eml().expect("builds");
    let mailer = SendmailMailer::new(Some(script.clone()));
    let receipt = mailer
        .deliver(&mail.envelope_from(), &mail.envelope_to(), &eml)
        .expect("delivered");
    assert!(receipt.response.contains("fake-sendmail"));
    assert_eq!(std::fs::read(out.with_extension("eml")).expect("eml"), eml);
    let args = std::fs::read_to_string(out.with_extension("args")).expect("args");
    assert!(args.contains("-f strategi@dfd.dep.example"), "{args}");
    assert!(args.contains("postmottak@fin.dep.example"), "{args}");

    std::fs::write(
        &script,
        "#!/bin/sh\ncat >/dev/null\necho 'queue full' >&2\nexit 75\n",
    )
    .expect("write");
    match mailer.deliver(&mail.envelope_from(), &mail.envelope_to(), &eml) {
        Err(DeliveryError::Temporary { message }) => {
            assert!(message.contains("queue full"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    let missing = SendmailMailer::new(Some(dir.path().join("no-such-program")));
    assert!(matches!(
        missing.deliver(&mail.envelope_from(), &mail.envelope_to(), &eml),
        Err(DeliveryError::Temporary { .. })
    ));
}

/// A mailer that answers from a script and records what it was asked to send.
struct Scripted {
    answers: RefCell<Vec<Result<DeliveryReceipt, DeliveryError>>>,
    sent: RefCell<Vec<Vec<String>>>,
}

impl Mailer for Scripted {
    fn deliver(
        &self,
        _: &str,
        to: &[String],
        eml: &[u8],
    ) -> Result<DeliveryReceipt, DeliveryError> {
        assert!(MessageParser::default().parse(eml).is_some());
        self.sent.borrow_mut().push(to.to_vec());
        self.answers.borrow_mut().remove(0)
    }
}

fn meta(party: &str) -> OutboxMeta {
    OutboxMeta {
        round: "r7k3q9x2mf".into(),
        party: party.into(),
        kind: "round-letter".into(),
    }
}

#[test]
fn outbox_plans_writes_lists_and_delivers_each_message_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let outbox = Outbox::new(dir.path().join("outbox"));
    assert!(outbox.list().expect("empty").is_empty());

    let a = common::mail("a@fin.dep.example", "1");
    let mut b = common::mail("b@kdd.dep.example", "2");
    b.date = "2025-11-03T09:00:01Z".parse().expect("ts");
    let mut c = common::mail("c@kld.dep.example", "3");
    c.date = "2025-11-03T09:00:02Z".parse().expect("ts");

    let planned = outbox.plan_write(&a, &meta("FIN")).expect("plan");
    let names: Vec<&str> = planned.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["r7k3q9x2mf.FIN.1.eml", "r7k3q9x2mf.FIN.1.toml"]);
    assert_eq!(planned[0].1, a.to_eml().expect("eml"));
    let toml_text = String::from_utf8(planned[1].1.clone()).expect("utf-8");
    assert!(toml_text.starts_with("state = \"queued\"\n"), "{toml_text}");
    for (name, bytes) in &planned {
        std::fs::create_dir_all(outbox.dir()).expect("mkdir");
        std::fs::write(outbox.dir().join(name), bytes).expect("write");
    }
    outbox.write(&b, &meta("KDD")).expect("write b");
    outbox.write(&c, &meta("KLD")).expect("write c");
    assert!(matches!(
        outbox.write(&c, &meta("KLD")),
        Err(MailError::OutboxEntryExists { .. })
    ));

    let listed = outbox.list().expect("list");
    assert_eq!(
        listed
            .iter()
            .map(|e| e.state.party.as_str())
            .collect::<Vec<_>>(),
        ["FIN", "KDD", "KLD"]
    );
    assert!(
        listed
            .iter()
            .all(|e| e.state.state == DeliveryState::Queued && e.state.attempts == 0)
    );

    let now: jiff::Timestamp = "2025-11-03T10:00:00Z".parse().expect("ts");
    let mailer = Scripted {
        answers: RefCell::new(vec![
            Ok(DeliveryReceipt {
                response: "250 2.0.0 queued as A1".into(),
            }),
            Err(DeliveryError::Temporary {
                message: "451 4.3.0 try later".into(),
            }),
            Err(DeliveryError::Permanent {
                code: Some(550),
                message: "5.1.1 mailbox unavailable".into(),
            }),
        ]),
        sent: RefCell::new(Vec::new()),
    };
    let outcomes = outbox.deliver_pending(&mailer, now).expect("deliver");
    let states: Vec<(DeliveryState, String)> = outcomes
        .iter()
        .map(|(_, r)| {
            let s = r.as_ref().expect("handled");
            (s.state, s.server_response.clone().unwrap_or_default())
        })
        .collect();
    assert_eq!(
        states,
        [
            (DeliveryState::Sent, "250 2.0.0 queued as A1".to_string()),
            (DeliveryState::Queued, "451 4.3.0 try later".to_string()),
            (
                DeliveryState::Failed,
                "550 5.1.1 mailbox unavailable".to_string()
            ),
        ]
    );
    // The states are on disk, as rendered.
    let listed = outbox.list().expect("list");
    for ((_, r), e) in outcomes.iter().zip(&listed) {
        let s = r.as_ref().expect("handled");
        assert_eq!(&e.state, s);
        assert_eq!(
            std::fs::read_to_string(&e.state_path).expect("read"),
            s.to_toml().expect("toml")
        );
        assert_eq!(s.attempts, 1);
        assert_eq!(s.last_attempt, Some(now));
    }

    // Next run: only the temporarily failed one goes again; sent and failed never do.
    let mailer2 = Scripted {
        answers: RefCell::new(vec![Ok(DeliveryReceipt {
            response: "250 ok".into(),
        })]),
        sent: RefCell::new(Vec::new()),
    };
    let outcomes = outbox.deliver_pending(&mailer2, now).expect("deliver");
    assert_eq!(
        mailer2.sent.borrow().as_slice(),
        [vec!["b@kdd.dep.example".to_string()]]
    );
    assert_eq!(outcomes.len(), 1);
    let s = outcomes[0].1.as_ref().expect("handled");
    assert_eq!((s.state, s.attempts), (DeliveryState::Sent, 2));
    let mailer3 = Scripted {
        answers: RefCell::new(Vec::new()),
        sent: RefCell::new(Vec::new()),
    };
    assert!(
        outbox
            .deliver_pending(&mailer3, now)
            .expect("deliver")
            .is_empty()
    );
}

#[test]
fn a_broken_state_file_is_reported_and_the_rest_still_go() {
    let dir = tempfile::tempdir().expect("tempdir");
    let outbox = Outbox::new(dir.path());
    outbox
        .write(&common::mail("a@fin.dep.example", "1"), &meta("FIN"))
        .expect("write");
    let name = outbox
        .write(&common::mail("b@kdd.dep.example", "2"), &meta("KDD"))
        .expect("write");
    let path = dir.path().join(format!("{name}.toml"));
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(
        &path,
        text.replace("state = \"queued\"", "state = \"maybe\""),
    )
    .expect("write");

    let err = outbox.list().expect_err("bad state").to_string();
    assert!(err.starts_with(&format!("{}:1: ", path.display())), "{err}");

    let mailer = Scripted {
        answers: RefCell::new(vec![Ok(DeliveryReceipt {
            response: "250 ok".into(),
        })]),
        sent: RefCell::new(Vec::new()),
    };
    let outcomes = outbox
        .deliver_pending(&mailer, jiff::Timestamp::UNIX_EPOCH)
        .expect("deliver");
    assert_eq!(outcomes.len(), 2);
    assert!(outcomes.iter().any(|(n, r)| n == &name && r.is_err()));
    assert!(
        outcomes
            .iter()
            .any(|(_, r)| r.as_ref().is_ok_and(|s| s.state == DeliveryState::Sent))
    );
}

#[test]
fn the_same_message_gives_the_same_bytes_and_a_boundary_in_the_content_is_avoided() {
    let mut mail = common::mail("postmottak@fin.dep.example", "det");
    let first = mail.to_eml().expect("builds");
    assert_eq!(first, mail.to_eml().expect("builds again"));
    let text = String::from_utf8_lossy(&first).into_owned();
    let boundary = text
        .split("boundary=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("boundary")
        .to_string();
    // An attachment that contains the boundary line, in plain ASCII.
    mail.attachments[1].bytes =
        format!("før\n--{boundary}\nContent-Type: text/html\n\n--{boundary}--\n").into_bytes();
    mail.attachments[1].content_type = "text/plain; charset=us-ascii".into();
    mail.attachments[1].bytes.retain(u8::is_ascii);
    let eml = mail.to_eml().expect("builds");
    assert!(!String::from_utf8_lossy(&eml).contains(&format!("boundary=\"{boundary}\"")));
    let m = parse(&eml);
    assert_eq!(m.attachment_count(), 2);
    assert_eq!(
        m.attachment(1).expect("second").contents(),
        mail.attachments[1].bytes.as_slice()
    );
}
