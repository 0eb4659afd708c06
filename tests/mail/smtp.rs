//! Delivery through a real SMTP server: tests/smtp_server.py (aiosmtpd) on 127.0.0.1.
//!
//! The server is started by scripts/smtp-test-server.sh, which installs aiosmtpd from
//! PyPI if it is missing. If the server cannot start, the test fails: it is never
//! skipped.

use super::common;

use std::collections::BTreeSet;

use crate::common::smtp::{Server, eml_files, free_port};

use mail_parser::MessageParser;
use strategi::mail::{DeliveryError, DeliveryState, Mailer, Outbox, OutboxMeta, SmtpMailer};

#[test]
fn delivers_through_a_real_smtp_server() {
    let dir = tempfile::tempdir().expect("tempdir");
    let received = dir.path().join("received");
    let mut server = Server::start(dir.path(), &received);
    let mailer = SmtpMailer::from_url(&server.url(), None).expect("mailer");

    // 17 messages, each with its own Message-ID and recipient.
    let mut ids = BTreeSet::new();
    for i in 0..17 {
        let mail = common::mail(
            &format!("postmottak{i}@dep{i}.example"),
            &format!("m{i:02}"),
        );
        let eml = mail.to_eml().expect("builds");
        let receipt = mailer
            .deliver(&mail.envelope_from(), &mail.envelope_to(), &eml)
            .unwrap_or_else(|e| panic!("message {i}: {e}"));
        assert!(receipt.response.starts_with("250 "), "{}", receipt.response);
        assert!(
            receipt.response.contains("queued as TEST"),
            "{}",
            receipt.response
        );
        ids.insert(mail.message_id.trim_matches(['<', '>']).to_string());
    }
    let files = eml_files(&received);
    assert_eq!(files.len(), 17, "{files:?}");
    let mut got = BTreeSet::new();
    for f in &files {
        let bytes = std::fs::read(f).expect("read");
        let m = MessageParser::default().parse(&bytes).expect("parses");
        assert!(
            m.subject().is_some_and(|s| s.starts_with("Høring: ")),
            "{f:?}"
        );
        assert_eq!(m.attachment_count(), 2);
        // The lone "." line of the body survived SMTP dot-stuffing.
        assert!(
            m.body_text(0)
                .is_some_and(|b| b.contains("\n.\r\n") || b.contains("\n.\n"))
        );
        got.insert(m.message_id().expect("Message-ID").to_string());
    }
    assert_eq!(got, ids);

    // A refused recipient: permanent, with the server's words.
    let mail = common::mail("reject-this@fin.dep.example", "rej");
    match mailer.deliver(
        &mail.envelope_from(),
        &mail.envelope_to(),
        &mail.to_eml().expect("eml"),
    ) {
        Err(DeliveryError::Permanent { code, message }) => {
            assert_eq!(code, Some(550));
            assert!(message.contains("5.1.1 mailbox unavailable"), "{message}");
        }
        other => panic!("expected a permanent refusal, got {other:?}"),
    }
    assert_eq!(eml_files(&received).len(), 17);

    // STARTTLS demanded from a server that offers none: temporary, and it says why.
    let tls_mailer =
        SmtpMailer::from_url(&format!("{}?tls=starttls", server.url()), None).expect("mailer");
    match tls_mailer.deliver(
        &mail.envelope_from(),
        &["ok@fin.dep.example".to_string()],
        b"Subject: x\r\n\r\nx\r\n",
    ) {
        Err(DeliveryError::Temporary { message }) => {
            assert!(message.to_lowercase().contains("starttls"), "{message}")
        }
        other => panic!("expected a temporary failure, got {other:?}"),
    }

    // The outbox through the real server: sent, failed, and nothing sent twice.
    let outbox = Outbox::new(dir.path().join("outbox"));
    let meta = |party: &str| OutboxMeta {
        round: "r7k3q9x2mf".into(),
        party: party.into(),
        kind: "round-letter".into(),
    };
    outbox
        .write(&common::mail("a@fin.dep.example", "o1"), &meta("FIN"))
        .expect("queue");
    outbox
        .write(&common::mail("reject@kdd.dep.example", "o2"), &meta("KDD"))
        .expect("queue");
    outbox
        .write(&common::mail("c@kld.dep.example", "o3"), &meta("KLD"))
        .expect("queue");
    let now = jiff::Timestamp::now();
    let outcomes = outbox.deliver_pending(&mailer, now).expect("deliver");
    let states: Vec<DeliveryState> = outcomes
        .iter()
        .map(|(_, r)| r.as_ref().expect("handled").state)
        .collect();
    assert_eq!(
        states.iter().filter(|s| **s == DeliveryState::Sent).count(),
        2,
        "{outcomes:?}"
    );
    assert_eq!(
        states
            .iter()
            .filter(|s| **s == DeliveryState::Failed)
            .count(),
        1,
        "{outcomes:?}"
    );
    let failed = outbox
        .list()
        .expect("list")
        .into_iter()
        .find(|e| e.state.state == DeliveryState::Failed)
        .expect("failed");
    assert_eq!(
        failed.state.server_response.as_deref(),
        Some("550 5.1.1 mailbox unavailable")
    );
    assert_eq!(eml_files(&received).len(), 19);
    assert!(
        outbox
            .deliver_pending(&mailer, now)
            .expect("deliver")
            .is_empty()
    );
    assert_eq!(eml_files(&received).len(), 19);

    // The server goes away: temporary, and a queued message stays queued.
    server.stop();
    let mail = common::mail("late@fin.dep.example", "down");
    match mailer.deliver(
        &mail.envelope_from(),
        &mail.envelope_to(),
        &mail.to_eml().expect("eml"),
    ) {
        Err(DeliveryError::Temporary { message }) => {
            assert!(message.contains("127.0.0.1"), "{message}")
        }
        other => panic!("expected a temporary failure, got {other:?}"),
    }
    outbox.write(&mail, &meta("FIN")).expect("queue");
    let outcomes = outbox.deliver_pending(&mailer, now).expect("deliver");
    assert_eq!(outcomes.len(), 1);
    let s = outcomes[0].1.as_ref().expect("handled");
    assert_eq!((s.state, s.attempts), (DeliveryState::Queued, 1));
}

#[test]
fn nobody_listening_is_temporary() {
    let port = free_port();
    let mailer = SmtpMailer::from_url(&format!("smtp://127.0.0.1:{port}"), None).expect("mailer");
    let mail = common::mail("postmottak@fin.dep.example", "nobody");
    match mailer.deliver(
        &mail.envelope_from(),
        &mail.envelope_to(),
        &mail.to_eml().expect("eml"),
    ) {
        Err(DeliveryError::Temporary { .. }) => {}
        other => panic!("expected a temporary failure, got {other:?}"),
    }
}
