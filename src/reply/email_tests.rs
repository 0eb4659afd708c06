use super::*;
use crate::reply::form::{Position, parse_form};

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/mail")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn parse(name: &str) -> Incoming {
    parse_message(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn quoted_printable_utf8() {
    let m = parse("reply-quoted-printable-utf8.eml");
    assert_eq!(
        m.from,
        Mailbox::new("Kari Nordmann", "kari.nordmann@fin.dep.example")
    );
    assert!(
        m.text.contains("påpeke at\nkostnadene må dekkes"),
        "{}",
        m.text
    );
    assert!(m.text.contains("Æ, ø og å"), "{}", m.text);
    assert!(!m.text.contains('\r'));
    assert!(
        m.subject.starts_with("Re: Høring: Strategi"),
        "{}",
        m.subject
    );
    assert_eq!(
        subject_token(&m.subject),
        Some(("rabcdefg".to_string(), "FIN".to_string()))
    );
    assert_eq!(
        m.message_id.as_deref(),
        Some("<20251124140312.4711@fin.dep.example>")
    );
    assert_eq!(
        m.in_reply_to,
        vec!["<rabcdefg.FIN.20251103T100000-1@dfd.dep.example>".to_string()]
    );
    assert_eq!(m.references, m.in_reply_to);
    assert_eq!(m.date.as_deref(), Some("2025-11-24T14:03:12+01:00"));
    assert_eq!(
        m.sent_at(),
        Some("2025-11-24T13:03:12Z".parse().expect("timestamp"))
    );
    assert!(m.attachments.is_empty());
    assert_eq!(m.digest.len(), 64);
}

#[test]
fn base64_body() {
    let m = parse("reply-base64-utf8.eml");
    assert_eq!(m.from.name, "Ola Nordmann (KDD)");
    assert_eq!(
        m.text,
        "Kommunal- og distriktsdepartementet støtter målene i strategien.\nVi foreslår at tiltak 3 får en tydeligere ansvarsfordeling.\n"
    );
    assert_eq!(m.subject, "SV: Høring av utkast [strategi rabcdefg/KDD]");
}

#[test]
fn latin1_and_windows_1252_bodies() {
    let m = parse("reply-iso-8859-1.eml");
    assert!(m.text.contains("høringen"), "{}", m.text);
    assert!(
        m.text
            .contains("«personvern» må nevnes særskilt. Æ Ø Å æ ø å."),
        "{}",
        m.text
    );
    let m = parse("reply-windows-1252.eml");
    assert!(m.text.contains("5 mill. € – se “Økonomi”."), "{}", m.text);
}

#[test]
fn multipart_with_form_docx_and_a_dangerous_name() {
    let m = parse("reply-multipart-form-docx-traversal.eml");
    assert_eq!(
        m.text.trim_end(),
        "Hei,\n\nVedlagt er svarskjemaet og et notat.\n\nHilsen Kari"
    );
    assert_eq!(
        m.references,
        vec![
            "<rabcdefg.DFD.20251101T090000-1@dfd.dep.example>".to_string(),
            "<rabcdefg.FIN.20251103T100000-1@dfd.dep.example>".to_string(),
        ]
    );
    let names: Vec<&str> = m.attachments.iter().map(|a| a.file_name.as_str()).collect();
    assert_eq!(
        names,
        ["Svarskjema FIN.txt", "Merknader frå FIN.docx", "passwd"]
    );
    let form = &m.attachments[0];
    assert_eq!(form.content_type, "text/plain");
    let text = String::from_utf8(form.bytes.clone()).expect("utf-8");
    let parsed = parse_form(&text).expect("the attached form parses");
    assert_eq!(parsed.round.as_deref(), Some("rabcdefg"));
    assert_eq!(parsed.party.as_deref(), Some("FIN"));
    assert_eq!(parsed.position, Some(Position::Comments));
    assert_eq!(parsed.blocks.len(), 2);
    assert_eq!(
        parsed.blocks[1].quote,
        "bruke kunstig intelligens på en ansvarlig måte"
    );
    let docx = &m.attachments[1];
    assert_eq!(
        docx.original_name.as_deref(),
        Some("Merknader frå FIN.docx")
    );
    assert_eq!(
        docx.content_type,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    assert!(docx.bytes.starts_with(b"PK\x03\x04"));
    // A real (small) .docx with one Word comment, decoded whole.
    let read = crate::word::read::read_docx("Merknader frå FIN.docx", &docx.bytes).expect("docx");
    assert_eq!(read.comments.len(), 1);
    let passwd = &m.attachments[2];
    assert_eq!(passwd.original_name.as_deref(), Some("../../etc/passwd"));
    assert_eq!(passwd.file_name, "passwd");
    assert!(passwd.bytes.starts_with(b"root:x:0:0"));
}

#[test]
fn html_only_is_turned_into_text() {
    let m = parse("reply-html-only.eml");
    assert!(
        m.text
            .contains("Kunnskapsdepartementet har ingen merknader."),
        "{:?}",
        m.text
    );
    assert!(
        !m.text.contains('<') && !m.text.contains("color"),
        "{:?}",
        m.text
    );
    assert!(m.attachments.is_empty());
}

#[test]
fn sv_subject_with_encoded_token() {
    let m = parse("reply-sv-subject-token.eml");
    assert_eq!(
        m.subject,
        "SV: SV: Høring: Strategi for kunstig intelligens [strategi rabcdefg/FIN]"
    );
    assert_eq!(m.from.name, "Kari Nordmann");
    assert_eq!(
        subject_token(&m.subject),
        Some(("rabcdefg".into(), "FIN".into()))
    );
    let parts: Vec<_> = m
        .references
        .iter()
        .filter_map(|r| message_id_parts(r))
        .collect();
    assert_eq!(parts, vec![("rabcdefg".into(), "FIN".into()); 2]);
    assert_eq!(
        message_id_parts(&m.in_reply_to[0]),
        Some(("rabcdefg".into(), "FIN".into()))
    );
}

#[test]
fn broken_messages_are_refused() {
    let e = parse_message(&fixture("broken-multipart-unclosed.eml")).expect_err("refused");
    assert!(
        matches!(&e, IncomingError::BrokenMultipart { content_type, problem } if content_type == "multipart/mixed" && problem.contains("never closed")),
        "{e:?}"
    );
    let e = parse_message(&fixture("broken-bad-header-line.eml")).expect_err("refused");
    assert_eq!(
        e,
        IncomingError::BadHeader {
            line: 4,
            text: "this line is not a header".into()
        }
    );
    assert!(e.to_string().contains("line 4"), "{e}");
    let e = parse_message(&fixture("broken-missing-from.eml")).expect_err("refused");
    assert_eq!(e, IncomingError::MissingFrom);
}

#[test]
fn not_an_email() {
    assert_eq!(parse_message(b""), Err(IncomingError::Empty));
    assert_eq!(parse_message(b" \r\n\n"), Err(IncomingError::Empty));
    assert!(matches!(
        parse_message(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"),
        Err(IncomingError::NotAnEmail { .. })
    ));
    assert!(matches!(
        parse_message(b"Hei, dette er bare tekst.\nFrom: x@y.example\n"),
        Err(IncomingError::NotAnEmail { .. })
    ));
    assert!(matches!(
        parse_message(b"\nFrom: a@b.example\n\nbody"),
        Err(IncomingError::NotAnEmail { .. })
    ));
    assert!(matches!(
        parse_message(b" folded: first\nFrom: a@b.example\n\nbody"),
        Err(IncomingError::NotAnEmail { .. })
    ));
    assert_eq!(
        parse_message(b"Subject: hi\n\nbody"),
        Err(IncomingError::MissingFrom)
    );
    assert_eq!(
        parse_message(b"From: Nobody\n\nbody"),
        Err(IncomingError::MissingFrom)
    );
}

#[test]
fn header_edge_cases() {
    // Folded lines, a space before the colon and 8-bit header values are fine, and so
    // is a message without a body; an mbox "From " line is skipped.
    let m = parse_message(
        b"From sender@example Mon Nov 24 14:03:12 2025\nFrom : \xc3\x85se <ase@x.example>\nSubject: a\n  b\n",
    )
    .expect("reads");
    assert_eq!(m.from.address, "ase@x.example");
    assert_eq!(m.from.name, "Åse");
    assert_eq!(m.text, "");
    // A header without a name, or with a space in the name.
    assert!(matches!(
        parse_message(b"From: a@b.example\n: value\n\nx"),
        Err(IncomingError::BadHeader { line: 2, .. })
    ));
    assert!(matches!(
        parse_message(b"From: a@b.example\nX Y: value\n\nx"),
        Err(IncomingError::BadHeader { line: 2, .. })
    ));
}

#[test]
fn multipart_problems() {
    let no_boundary = b"From: a@b.example\nContent-Type: multipart/mixed\n\n--x\n\nhi\n--x--\n";
    assert!(matches!(
        parse_message(no_boundary),
        Err(IncomingError::BrokenMultipart { problem, .. }) if problem.contains("no boundary")
    ));
    let never_opened =
        b"From: a@b.example\nContent-Type: multipart/mixed; boundary=x\n\njust text\n";
    assert!(matches!(
        parse_message(never_opened),
        Err(IncomingError::BrokenMultipart { problem, .. }) if problem.contains("never starts")
    ));
    // A nested multipart that is not closed, while the outer one is.
    let nested = b"From: a@b.example\nContent-Type: multipart/mixed; boundary=outer\n\n--outer\nContent-Type: multipart/alternative; boundary=inner\n\n--inner\nContent-Type: text/plain\n\nhi\n--outer--\n";
    assert!(matches!(
        parse_message(nested),
        Err(IncomingError::BrokenMultipart { content_type, .. }) if content_type == "multipart/alternative"
    ));
    // A boundary that is a prefix of a longer line does not count as the close.
    let prefix =
        b"From: a@b.example\nContent-Type: multipart/mixed; boundary=ab\n\n--ab\n\nhi\n--abc--\n";
    assert!(parse_message(prefix).is_err());
    let ok =
        b"From: a@b.example\nContent-Type: multipart/mixed; boundary=ab\n\n--ab\n\nhi\n--ab--  \n";
    assert_eq!(parse_message(ok).expect("ok").text.trim(), "hi");
}

#[test]
fn attachments_get_unique_names() {
    let msg = b"From: a@b.example\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nbody\n--b\nContent-Type: text/plain\nContent-Disposition: attachment; filename=\"svar.txt\"\n\none\n--b\nContent-Type: text/plain\nContent-Disposition: attachment; filename=\"SVAR.txt\"\n\ntwo\n--b\nContent-Type: image/png\nContent-Disposition: inline\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n--b\nContent-Type: text/plain\nContent-Disposition: inline; filename=\"inline.txt\"\n\nthree\n--b--\n";
    let m = parse_message(msg).expect("ok");
    assert_eq!(m.text.trim(), "body");
    let names: Vec<&str> = m.attachments.iter().map(|a| a.file_name.as_str()).collect();
    assert_eq!(
        names,
        ["svar.txt", "SVAR-2.txt", "attachment-3.png", "inline.txt"]
    );
    assert_eq!(m.attachments[2].original_name, None);
    assert_eq!(m.attachments[2].bytes, b"\x89PNG\r\n\x1a\n");
}

#[test]
fn subject_tokens() {
    let t = |s: &str| subject_token(s);
    let fin = Some(("rabcdefg".to_string(), "FIN".to_string()));
    assert_eq!(t("[strategi rabcdefg/FIN]"), fin);
    assert_eq!(t("SV: VS: Fwd: Høring [strategi rabcdefg/FIN] – svar"), fin);
    assert_eq!(t("Re: [Strategi  rabcdefg / fin ]"), fin);
    assert_eq!(
        t("Re: [strategi rabcdefg/FIN] Re: [strategi rabcdefg/FIN]"),
        fin
    );
    assert_eq!(t("[ekstern] [strategi rabcdefg/FIN]"), fin);
    assert_eq!(
        t("[strategi r7k3q9x2mf/KDD]"),
        Some(("r7k3q9x2mf".into(), "KDD".into()))
    );
    assert_eq!(t("[strategi rabcdefg/FIN] [strategi rabcdefg/KDD]"), None);
    for bad in [
        "",
        "Høring",
        "[strategi]",
        "[strategirabcdefg/FIN]",
        "[strategi rabc-defg/FIN]",
        "[strategi rabcdefg/F]",
        "[strategi rabcdefg/1FIN]",
        "[strategi rabcdefg/FIN",
        "[strategi /FIN]",
        "[strategi æøå/FIN]",
        "[[[[",
    ] {
        assert_eq!(t(bad), None, "{bad}");
    }
}

#[test]
fn message_id_parts_reads_our_ids() {
    let id = crate::mail::message_id("rabcdefg", "FIN", "dfd.dep.example", "20251103T100000-1");
    assert_eq!(
        message_id_parts(&id),
        Some(("rabcdefg".into(), "FIN".into()))
    );
    assert_eq!(
        message_id_parts("rabcdefg.FIN.x@d"),
        Some(("rabcdefg".into(), "FIN".into()))
    );
    for other in [
        "<20251124140312.4711@fin.dep.example>",
        "<CAF.abc.def@mail.gmail.com>",
        "<rabcdefg.FIN@d>",
        "<rabcdefg.FIN.x.y@d>",
        "<rabcdefg.fin.x@d>",
        "<rabcdefg.FIN.x@>",
        "<rabcdefg.FIN.@d>",
        "",
        "<>",
    ] {
        assert_eq!(message_id_parts(other), None, "{other}");
    }
}

#[test]
fn safe_file_names() {
    for (input, expected) in [
        ("Svarskjema FIN.txt", "Svarskjema FIN.txt"),
        ("Merknader frå FIN.docx", "Merknader frå FIN.docx"),
        ("../../etc/passwd", "passwd"),
        ("/etc/passwd", "passwd"),
        ("C:\\x\\y.docx", "y.docx"),
        ("C:y.docx", "C_y.docx"),
        ("..", "attachment"),
        (".", "attachment"),
        ("", "attachment"),
        ("   ", "attachment"),
        ("dir/", "attachment"),
        (".bashrc", "_bashrc"),
        ("a\0b\nc\td.txt", "a_b_c_d.txt"),
        ("what?*<>|\".txt", "what______.txt"),
        ("CON", "_CON"),
        ("con.txt", "_con.txt"),
        ("LPT1.docx", "_LPT1.docx"),
        ("Com9", "_Com9"),
        ("COMPUTER.txt", "COMPUTER.txt"),
        ("report. ", "report"),
        ("gpj\u{202E}exe.txt", "gpj_exe.txt"),
        ("non\u{a0}breaking.txt", "non breaking.txt"),
    ] {
        assert_eq!(safe_file_name(input), expected, "{input:?}");
    }
    let long = format!("{}.docx", "æ".repeat(200));
    let safe = safe_file_name(&long);
    assert!(safe.len() <= MAX_FILE_NAME, "{}", safe.len());
    assert!(safe.ends_with(".docx") && safe.starts_with("æææ"), "{safe}");
    let long_ext = format!("a.{}", "x".repeat(300));
    assert!(safe_file_name(&long_ext).len() <= MAX_FILE_NAME);
}

#[test]
fn digests_are_sha256() {
    assert_eq!(
        message_digest(b""),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
        message_digest(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    let bytes = fixture("reply-base64-utf8.eml");
    assert_eq!(
        parse_message(&bytes).expect("ok").digest,
        message_digest(&bytes)
    );
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    const FIXTURES: [&str; 11] = [
        "reply-quoted-printable-utf8.eml",
        "reply-base64-utf8.eml",
        "reply-iso-8859-1.eml",
        "reply-windows-1252.eml",
        "reply-multipart-form-docx-traversal.eml",
        "reply-html-only.eml",
        "reply-sv-subject-token.eml",
        "broken-multipart-unclosed.eml",
        "broken-bad-header-line.eml",
        "broken-missing-from.eml",
        "reply-multipart-form-docx-traversal.eml",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn mutated_messages(which in 0usize..FIXTURES.len(), ops in prop::collection::vec((any::<usize>(), any::<u8>(), prop_oneof![Just(b'\n'), Just(b'-'), Just(b':'), Just(b' '), Just(b'='), any::<u8>()]), 0..30)) {
            let mut bytes = fixture(FIXTURES[which]);
            for (pos, op, b) in ops {
                if bytes.is_empty() {
                    bytes.push(b);
                    continue;
                }
                let p = pos % bytes.len();
                match op % 4 {
                    0 => { bytes.remove(p); }
                    1 => bytes.insert(p, b),
                    2 => bytes.truncate(p),
                    _ => bytes[p] = b,
                }
            }
            if let Ok(m) = parse_message(&bytes) {
                for a in &m.attachments {
                    prop_assert!(!a.file_name.is_empty() && !a.file_name.contains(['/', '\\']));
                }
            }
        }

        #[test]
        fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
            let _ = parse_message(&bytes);
        }

        #[test]
        fn arbitrary_names(name in "\\PC{0,300}|[./\\\\ ]{0,10}") {
            let safe = safe_file_name(&name);
            prop_assert!(!safe.is_empty());
            prop_assert!(safe.len() <= MAX_FILE_NAME);
            prop_assert!(safe != "." && safe != "..");
            prop_assert!(!safe.contains(['/', '\\', '\0']));
            prop_assert!(!safe.chars().any(char::is_control));
            prop_assert!(!safe.starts_with('.') && !safe.ends_with('.'));
            prop_assert_eq!(safe_file_name(&safe), safe.clone());
        }

        #[test]
        fn arbitrary_subjects(s in "\\PC{0,80}") {
            let _ = subject_token(&s);
            let _ = message_id_parts(&s);
        }
    }
}

#[test]
fn control_characters_in_headers_are_refused_raw_or_encoded() {
    let raw = b"From: Kari <kari@fin.example>\nSubject: Ingen\0merknader\n\nIngen merknader.\n";
    let err = parse_message(raw).expect_err("NUL in Subject");
    assert_eq!(
        err,
        IncomingError::ControlCharacter {
            header: "the Subject header".into(),
            line: Some(2),
            code: "U+0000".into(),
        }
    );
    assert!(err.to_string().contains("at line 2"), "{err}");
    // In a continuation line, the header above is named.
    let raw = b"From: Kari <kari@fin.example>\nSubject: Ingen\n merk\x1b[31mnader\n\nx\n";
    let err = parse_message(raw).expect_err("escape in a folded Subject");
    assert!(
        matches!(&err, IncomingError::ControlCharacter { header, line: Some(3), code } if header == "the Subject header" && code == "U+001B"),
        "{err:?}"
    );
    // Encoded words decode to anything: checked after decoding.
    let raw = b"From: Kari <kari@fin.example>\nSubject: =?utf-8?q?Ingen=00merknader?=\n\nx\n";
    let err = parse_message(raw).expect_err("encoded NUL");
    assert!(
        matches!(&err, IncomingError::ControlCharacter { line: None, code, .. } if code == "U+0000"),
        "{err:?}"
    );
    let raw = b"From: =?utf-8?q?Kari=0D=0ABcc=3A_x?= <kari@fin.example>\nSubject: Hei\n\nx\n";
    assert!(matches!(
        parse_message(raw),
        Err(IncomingError::ControlCharacter { .. })
    ));
    // A tab is fine, and becomes a space in the subject.
    let raw = b"From: Kari <kari@fin.example>\nSubject: Ingen\tmerknader\n\nx\n";
    assert_eq!(parse_message(raw).expect("tab").subject, "Ingen merknader");
}
