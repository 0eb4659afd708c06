//! `publish check`: the answers that need a human look before publication (issue 17).

use crate::common::TestEnv;

const DRAFT: &str = "# KI-strategi {#ki}\n\n## Mål {#mal}\n\nAlle ansatte skal få grunnopplæring innen 1. juni 2026.\n\n## Tiltak {#tiltak}\n\nDIO etablerer en felles plattform for språkmodeller.\n";

/// A valid fødselsnummer (check digits computed here) for 1 January 1990: the first
/// individnummer from 123 on whose check digits are not 10.
fn identity_number() -> String {
    let check = |w: &[u32], d: &[u32]| match w.iter().zip(d).map(|(a, b)| a * b).sum::<u32>() % 11 {
        0 => Some(0),
        1 => None,
        r => Some(11 - r),
    };
    (123..500)
        .find_map(|individ: u32| {
            let mut d = vec![
                0,
                1,
                0,
                1,
                9,
                0,
                individ / 100,
                individ / 10 % 10,
                individ % 10,
            ];
            d.push(check(&[3, 7, 6, 1, 8, 9, 4, 5, 2], &d)?);
            d.push(check(&[5, 4, 3, 2, 7, 6, 5, 4, 3, 2], &d)?);
            Some(
                d.iter()
                    .map(|x| char::from_digit(*x, 10).expect("test value"))
                    .collect(),
            )
        })
        .expect("test value")
}

#[test]
fn only_the_answer_with_personal_data_is_flagged_masked_and_nothing_is_written() {
    let env = TestEnv::new();
    let id = env.round_to_four(DRAFT);
    let fnr = identity_number();
    let personal = format!(
        "Kontakt meg privat på kari.nordmann@gmail.com eller 22 24 90 90.\nMitt fødselsnummer er {fnr}."
    );
    env.run_in(
        "ws",
        &[
            "comment",
            "add",
            &id,
            "--from",
            "FIN",
            "--section",
            "mal",
            "--quote",
            "innen 1. juni 2026",
            "--text",
            &personal,
            "--proposal",
            "innen 1. juni 2027",
        ],
    )
    .ok();
    env.run_in(
        "ws",
        &[
            "comment",
            "add",
            &id,
            "--from",
            "KDD",
            "--text",
            "Jf. vår ref 24/3095-73 av 16.09.2025: fristen 1. desember 2025 er for kort, \
             se sak 24/3095 og kr 1 500 000 i § 4.",
        ],
    )
    .ok();
    let fin = env
        .run_in("ws", &["--json", "comment", "list", "--party", "FIN"])
        .json()[0]["id"]
        .as_str()
        .expect("test value")
        .to_string();

    let before = env.snapshot("ws");
    let j = env
        .run_in("ws", &["--json", "publish", "check"])
        .ok()
        .json();
    let text = env
        .run_in("ws", &["publish", "check", &id[..5]])
        .ok()
        .stdout;
    assert_eq!(env.snapshot("ws"), before, "publish check wrote something");

    assert_eq!(j["round"], id);
    assert_eq!(j["answers_scanned"], 2);
    let answers = j["answers"].as_array().expect("test value");
    assert_eq!(answers.len(), 1, "{j:#}");
    let a = &answers[0];
    assert_eq!(a["party"], "FIN");
    assert_eq!(a["comments"], serde_json::json!([fin]));
    let found: Vec<(String, String, String, u64)> = a["findings"]
        .as_array()
        .expect("test value")
        .iter()
        .map(|f| {
            assert_eq!(f["comment"], fin.as_str());
            assert!(
                f["file"]
                    .as_str()
                    .expect("test value")
                    .starts_with(&format!("consultations/{id}/comments/")),
                "{f}"
            );
            (
                f["kind"].as_str().expect("test value").to_string(),
                f["masked"].as_str().expect("test value").to_string(),
                f["part"].as_str().expect("test value").to_string(),
                f["line"].as_u64().expect("test value"),
            )
        })
        .collect();
    let s = |x: &str| x.to_string();
    assert_eq!(
        found,
        [
            (s("private-email"), s("k***@gmail.com"), s("text"), 1),
            (s("phone"), s("22 ** ** **"), s("text"), 1),
            (s("identity-number"), s("010190*****"), s("text"), 2),
        ]
    );
    // Never the values themselves.
    for out in [&text, &j.to_string()] {
        assert!(!out.contains(&fnr), "{out}");
        assert!(!out.contains("kari.nordmann"), "{out}");
        assert!(!out.contains("22 24 90 90"), "{out}");
    }
    assert!(
        text.starts_with(&format!(
            "Round {id}: 1 of 2 answers needs a human look before publication"
        )),
        "{text}"
    );
    assert!(text.contains("national identity number"), "{text}");
    assert!(text.contains("010190*****"), "{text}");
    assert!(text.contains("line 2"), "{text}");
    assert!(!text.contains("KDD"), "{text}");
    assert!(text.contains("for a person to decide"), "{text}");
}

#[test]
fn an_imported_reply_is_scanned_in_its_stored_original_and_a_pdf_is_named_unscanned() {
    let env = TestEnv::new();
    let id = env.round_to_four(DRAFT);
    let eml = format!(
        "From: Ola Nordmann <ola.nordmann@hod.example>\r\n\
         To: Strategisekretariatet <strategi@dfd.example>\r\n\
         Subject: Re: =?utf-8?q?H=C3=B8ring?= [strategi {id}/HOD]\r\n\
         Date: Mon, 24 Nov 2025 14:03:12 +0100\r\n\
         Message-ID: <20251124140312.4711@hod.example>\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\
         \r\n\
         --b1\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         \r\n\
         Hei,\r\n\
         \r\n\
         HOD mener fristen er for kort.\r\n\
         Ring saksbehandler direkte på +47 915 12 345.\r\n\
         \r\n\
         Med vennlig hilsen\r\n\
         Ola Nordmann\r\n\
         --b1\r\n\
         Content-Type: application/pdf; name=\"brev.pdf\"\r\n\
         Content-Disposition: attachment; filename=\"brev.pdf\"\r\n\
         Content-Transfer-Encoding: base64\r\n\
         \r\n\
         JVBERi0xLjQKJcfsj6IK\r\n\
         --b1--\r\n"
    );
    std::fs::write(env.path("reply.eml"), eml).expect("test value");
    env.run_in(
        "ws",
        &[
            "--now",
            "2025-11-25",
            "comment",
            "import",
            &id,
            "../reply.eml",
        ],
    )
    .ok();
    let before = env.snapshot("ws");
    let j = env
        .run_in(
            "ws",
            &["--now", "2025-11-25", "--json", "publish", "check", &id],
        )
        .ok()
        .json();
    assert_eq!(env.snapshot("ws"), before);
    let answers = j["answers"].as_array().expect("test value");
    assert_eq!(answers.len(), 1, "{j:#}");
    let a = &answers[0];
    assert_eq!(a["party"], "HOD");
    let reply = a["reply"].as_str().expect("test value");
    assert!(
        reply.starts_with(&format!("consultations/{id}/inbox/")),
        "{reply}"
    );
    let eml_path = format!("{reply}/message.eml");
    let body: Vec<&serde_json::Value> = a["findings"]
        .as_array()
        .expect("test value")
        .iter()
        .filter(|f| f["file"] == eml_path.as_str())
        .collect();
    assert_eq!(body.len(), 1, "{a:#}");
    // The comment made from the reply belongs to the same answer.
    let comment = a["comments"][0].as_str().expect("test value");
    assert_eq!(
        a["findings"].as_array().expect("test value").len(),
        2,
        "{a:#}"
    );
    assert!(
        a["findings"]
            .as_array()
            .expect("test value")
            .iter()
            .any(|f| f["part"] == "text" && f["comment"] == comment),
        "{a:#}"
    );
    assert_eq!(body[0]["kind"], "phone");
    assert_eq!(body[0]["masked"], "+47 91* ** ***");
    assert_eq!(body[0]["part"], "body");
    assert_eq!(body[0]["line"], 4);
    let not = a["not_scanned"].as_array().expect("test value");
    assert_eq!(not.len(), 1, "{a:#}");
    assert_eq!(not[0]["file"], format!("{reply}/attachments/brev.pdf"));
    assert!(
        not[0]["why"]
            .as_str()
            .expect("test value")
            .contains("not text")
    );
}

#[test]
fn an_unknown_round_is_refused_and_a_round_without_answers_flags_nothing() {
    let env = TestEnv::new();
    let id = env.round_to_four(DRAFT);
    let r = env.assert_refused_unchanged("ws", &["publish", "check", "rzzzzzzz"]);
    assert!(
        r.stderr.contains("There is no round \"rzzzzzzz\""),
        "{}",
        r.stderr
    );
    let r = env.run_in("ws", &["publish", "check"]).ok();
    assert!(
        r.stdout
            .starts_with(&format!("Round {id}: nothing flagged in 0 answers")),
        "{}",
        r.stdout
    );
}

#[test]
fn a_positions_note_is_scanned_and_a_damaged_stored_message_is_named_not_scanned() {
    let env = TestEnv::new();
    let id = env.round_to_four(DRAFT);
    env.run_in(
        "ws",
        &[
            "respond",
            &id,
            "--from",
            "KD",
            "--position",
            "reservation",
            "--note",
            "Spørsmål til Kari Nordmann, mobil 41 23 45 67.",
        ],
    )
    .ok();
    std::fs::write(
        env.path("reply.eml"),
        format!(
            "From: Ola <ola@hod.example>\r\nSubject: Svar [strategi {id}/HOD]\r\n\
             Message-ID: <1@hod.example>\r\nContent-Type: text/plain\r\n\r\nIngen merknader.\r\n"
        ),
    )
    .expect("write reply");
    env.run_in("ws", &["comment", "import", &id, "../reply.eml"])
        .ok();
    // The stored original damaged by hand: named, not a failure of the check.
    let inbox = env.path(&format!("ws/consultations/{id}/inbox"));
    let digest = std::fs::read_dir(&inbox)
        .expect("inbox")
        .next()
        .expect("one reply")
        .expect("entry")
        .file_name();
    let eml = inbox.join(&digest).join("message.eml");
    std::fs::write(&eml, b"").expect("damage");
    let j = env
        .run_in("ws", &["--json", "publish", "check"])
        .ok()
        .json();
    let answers = j["answers"].as_array().expect("answers");
    assert_eq!(answers.len(), 2, "{j:#}");
    let hod = &answers[0];
    assert_eq!(hod["party"], "HOD", "{j:#}");
    assert_eq!(hod["findings"], serde_json::json!([]));
    assert!(
        hod["not_scanned"][0]["why"]
            .as_str()
            .expect("why")
            .contains("cannot be read as an e-mail message"),
        "{hod:#}"
    );
    let kd = &answers[1];
    assert_eq!(kd["party"], "KD");
    assert!(
        kd["position"].as_str().expect("position").starts_with('f'),
        "{kd:#}"
    );
    let f = &kd["findings"][0];
    assert_eq!(f["kind"], "phone");
    assert_eq!(f["masked"], "41 ** ** **");
    assert_eq!(f["part"], "note");
    assert!(
        f["file"]
            .as_str()
            .expect("file")
            .starts_with(&format!("consultations/{id}/facts/")),
        "{f}"
    );
}

#[test]
fn the_shipped_demo_case_has_nothing_flagged() {
    // Its answers (e-mails, a filled-in form with section numbers, dates, deadlines and
    // the case number) hold no personal data: nothing may be flagged.
    let env = TestEnv::new();
    env.run(&["demo", "demo"]).ok();
    let before = env.snapshot("demo/dio");
    let j = env
        .run_in(
            "demo/dio",
            &["--now", "2026-03-01", "--json", "publish", "check"],
        )
        .ok()
        .json();
    assert_eq!(env.snapshot("demo/dio"), before);
    assert_eq!(j["answers"], serde_json::json!([]), "{j:#}");
    assert!(j["answers_scanned"].as_u64().expect("count") >= 4, "{j:#}");
    assert!(j["texts_scanned"].as_u64().expect("count") >= 10, "{j:#}");
}

// ---- publish decide and publish bundle ----

/// The round of `round_to_four` with three answers: FIN's comment (personal data in
/// it), KDD's comment (to be exempted), and HOD's e-mail with a text attachment, a
/// PDF and a comment. Returns (round id, FIN's comment id, KDD's comment id, HOD's
/// reply folder).
fn three_answers(env: &TestEnv) -> (String, String, String, String) {
    let id = env.round_to_four(DRAFT);
    env.run_in(
        "ws",
        &[
            "comment",
            "add",
            &id,
            "--from",
            "FIN",
            "--section",
            "mal",
            "--text",
            "Kontakt Kari Nordmann i Storgata 1 for mer.",
        ],
    )
    .ok();
    env.run_in(
        "ws",
        &[
            "comment",
            "add",
            &id,
            "--from",
            "KDD",
            "--text",
            "Opplysninger om sykdom hos en navngitt ansatt: Helge Hemmelig.",
        ],
    )
    .ok();
    let eml = format!(
        "From: Ola <ola@hod.example>\r\n\
         Subject: Svar [strategi {id}/HOD]\r\n\
         Date: Mon, 24 Nov 2025 14:03:12 +0100\r\n\
         Message-ID: <2@hod.example>\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\
         \r\n\
         --b1\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: quoted-printable\r\n\
         \r\n\
         HOD st=C3=B8tter m=C3=A5let. Saksbehandler Per Privatsen er syk.\r\n\
         --b1\r\n\
         Content-Type: text/plain; charset=utf-8; name=\"vedlegg.txt\"\r\n\
         Content-Disposition: attachment; filename=\"vedlegg.txt\"\r\n\
         \r\n\
         Vedlegg: Per Privatsen, tlf.\r\n\
         --b1\r\n\
         Content-Type: application/pdf; name=\"brev.pdf\"\r\n\
         Content-Disposition: attachment; filename=\"brev.pdf\"\r\n\
         Content-Transfer-Encoding: base64\r\n\
         \r\n\
         JVBERi0xLjQKJcfsj6IK\r\n\
         --b1--\r\n"
    );
    std::fs::write(env.path("reply.eml"), eml).expect("test value");
    env.run_in(
        "ws",
        &[
            "--now",
            "2025-11-25",
            "comment",
            "import",
            &id,
            "../reply.eml",
        ],
    )
    .ok();
    let list = env.run_in("ws", &["--json", "comment", "list"]).json();
    let of = |party: &str| {
        list.as_array()
            .expect("list")
            .iter()
            .find(|c| c["party"] == party)
            .and_then(|c| c["id"].as_str())
            .expect("comment")
            .to_string()
    };
    let hod = list
        .as_array()
        .expect("list")
        .iter()
        .find_map(|c| c["source"].as_str().filter(|_| c["party"] == "HOD"))
        .expect("HOD's reply")
        .to_string();
    (id, of("FIN"), of("KDD"), hod)
}

/// Every file under `dir`, with its bytes.
fn files_under(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let bytes = std::fs::read(&p).expect("read");
                out.push((p, bytes));
            }
        }
    }
    out.sort();
    out
}

fn has(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn decide_refuses_an_unknown_answer_a_passage_not_in_it_and_a_party_that_is_not_the_owner() {
    let env = TestEnv::new();
    let (_, fin, _, hod) = three_answers(&env);
    let r = env.assert_refused_unchanged(
        "ws",
        &[
            "--now",
            "2025-11-26",
            "publish",
            "decide",
            "czzzzzzz",
            "--exempt",
            "offentleglova § 13",
        ],
    );
    assert!(
        r.stderr.contains("There is no answer \"czzzzzzz\""),
        "{}",
        r.stderr
    );
    let r = env.assert_refused_unchanged(
        "ws",
        &[
            "--now",
            "2025-11-26",
            "publish",
            "decide",
            &fin,
            "--redact",
            "Ola Nordmann",
            "--basis",
            "offentleglova § 13",
        ],
    );
    assert!(
        r.stderr.contains("«Ola Nordmann» does not occur in"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains(&format!("comment/{fin}")), "{}", r.stderr);
    let r = env.assert_refused_unchanged(
        "ws",
        &[
            "--now",
            "2025-11-26",
            "--as",
            "FIN",
            "publish",
            "decide",
            &fin,
            "--exempt",
            "offentleglova § 13",
        ],
    );
    assert!(r.stderr.contains("FIN may not"), "{}", r.stderr);
    let r = env.assert_refused_unchanged(
        "ws",
        &[
            "--now",
            "2025-11-26",
            "publish",
            "decide",
            &fin,
            "--exempt",
            "x",
            "--public",
        ],
    );
    assert!(r.stderr.contains("exactly one of"), "{}", r.stderr);
    let r = env.assert_refused_unchanged(
        "ws",
        &[
            "--now",
            "2025-11-26",
            "publish",
            "decide",
            &fin,
            "--redact",
            "Kari Nordmann",
        ],
    );
    assert!(r.stderr.contains("legal basis"), "{}", r.stderr);
    // The reply is named by its folder, its digest or the start of it.
    let digest = hod.rsplit('/').next().expect("digest");
    let j = env
        .run_in(
            "ws",
            &[
                "--now",
                "2025-11-26",
                "--json",
                "publish",
                "decide",
                &digest[..10],
                "--redact",
                "Per Privatsen",
                "--basis",
                "offentleglova § 13",
            ],
        )
        .ok()
        .json();
    assert_eq!(j["answer"], hod.as_str());
    assert_eq!(j["publicity"], "redacted");
    assert_eq!(j["previous"]["publicity"], "public");
}

#[test]
fn a_later_decision_supersedes_and_check_shows_the_one_in_force() {
    let env = TestEnv::new();
    let (_, fin, kdd, _) = three_answers(&env);
    env.run_in(
        "ws",
        &[
            "--now",
            "2025-11-26",
            "publish",
            "decide",
            &fin,
            "--exempt",
            "offentleglova § 13",
        ],
    )
    .ok();
    let out = env
        .run_in(
            "ws",
            &["--now", "2025-11-26", "publish", "decide", &fin, "--public"],
        )
        .ok()
        .stdout;
    assert!(
        out.contains("public (was exempt (offentleglova § 13))"),
        "{out}"
    );
    env.run_in(
        "ws",
        &[
            "--now",
            "2025-11-26",
            "publish",
            "decide",
            &kdd,
            "--exempt",
            "offentleglova § 24",
        ],
    )
    .ok();
    let j = env
        .run_in("ws", &["--json", "publish", "check"])
        .ok()
        .json();
    let answers = j["answers"].as_array().expect("answers");
    let of = |c: &str| {
        answers
            .iter()
            .find(|a| a["comments"][0] == c)
            .map(|a| a["decision"].clone())
    };
    // FIN's is public again (listed only because it is flagged? its text has no
    // personal number, so not listed at all); KDD's exempt.
    assert!(of(&fin).is_none_or(|d| d["publicity"] == "public"), "{j:#}");
    assert_eq!(of(&kdd).expect("KDD")["publicity"], "exempt", "{j:#}");
    assert_eq!(
        of(&kdd).expect("KDD")["basis"],
        "offentleglova § 24",
        "{j:#}"
    );
    let text = env.run_in("ws", &["publish", "check"]).ok().stdout;
    assert!(
        text.contains("decision: exempt (offentleglova § 24)"),
        "{text}"
    );
    // The history is kept: every decision is a commit and a fact.
    let log = env.git("ws", &["log", "--format=%s"]).stdout;
    assert_eq!(log.matches("Publicity of").count(), 3, "{log}");
}

#[test]
fn the_bundle_holds_no_byte_of_an_exempt_answer_nor_of_a_redacted_passage() {
    let env = TestEnv::new();
    let (id, fin, kdd, hod) = three_answers(&env);
    env.run_in(
        "ws",
        &[
            "--now",
            "2025-11-26",
            "publish",
            "decide",
            &fin,
            "--redact",
            "Kari Nordmann",
            "--redact",
            "Storgata 1",
            "--basis",
            "offentleglova § 13 første ledd, jf. forvaltningsloven § 13",
        ],
    )
    .ok();
    env.run_in(
        "ws",
        &[
            "--now",
            "2025-11-26",
            "publish",
            "decide",
            &kdd,
            "--exempt",
            "offentleglova § 13 første ledd, jf. forvaltningsloven § 13",
        ],
    )
    .ok();
    env.run_in(
        "ws",
        &[
            "--now",
            "2025-11-26",
            "publish",
            "decide",
            &hod,
            "--redact",
            "Per Privatsen",
            "--basis",
            "offentleglova § 13",
        ],
    )
    .ok();
    let out = env.path("offentlig").to_string_lossy().into_owned();
    let before = env.snapshot("ws");
    let j = env
        .run_in("ws", &["--json", "publish", "bundle", &id, "--out", &out])
        .ok()
        .json();
    assert_eq!(
        env.snapshot("ws"),
        before,
        "the bundle wrote into the workspace"
    );
    assert_eq!(j["exempt"], 1);
    assert_eq!(j["redacted"], 2);
    let dir = env.path("offentlig");
    let files = files_under(&dir);
    assert!(files.len() >= 5, "{files:?}");
    for (path, bytes) in &files {
        for secret in [
            "Kari Nordmann",
            "Storgata 1",
            "Helge Hemmelig",
            "sykdom hos",
            "Per Privatsen",
            "Per=20Privatsen",
        ] {
            assert!(!has(bytes, secret), "{} holds «{secret}»", path.display());
        }
        if path.extension().is_some_and(|e| e == "html") {
            crate::common::html::Page::parse(&String::from_utf8(bytes.clone()).expect("utf8"));
        }
    }
    let index = std::fs::read_to_string(dir.join("index.html")).expect("index");
    let page = crate::common::html::Page::parse(&index);
    assert_eq!(page.lang(), Some("nb"));
    // The exempted answer is listed with its party and legal basis, without a link.
    assert!(
        index.contains("Kommunal- og distriktsdepartementet (KDD)") || index.contains("(KDD)"),
        "{index}"
    );
    assert!(
        index.contains(
            "Unntatt offentlighet, offentleglova § 13 første ledd, jf. forvaltningsloven § 13"
        ),
        "{index}"
    );
    assert!(index.contains("Delvis unntatt offentlighet"), "{index}");
    // The redacted reply: the raw e-mail and the PDF left out, with a note; the text
    // attachment and the e-mail's text published redacted.
    let names: Vec<String> = files
        .iter()
        .map(|(p, _)| {
            p.strip_prefix(&dir)
                .expect("in dir")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert!(
        !names
            .iter()
            .any(|n| n.ends_with("brev.pdf") || n.ends_with("message.eml")),
        "{names:?}"
    );
    assert!(
        names.iter().any(|n| n.ends_with("vedlegg.txt")),
        "{names:?}"
    );
    assert!(
        names.iter().any(|n| n.ends_with("message.eml.txt")),
        "{names:?}"
    );
    let hod_page = names
        .iter()
        .find(|n| n.ends_with("-hod.html"))
        .expect("HOD's page");
    let hod_page = std::fs::read_to_string(dir.join(hod_page)).expect("page");
    assert!(
        hod_page.contains("brev.pdf: redigert versjon utelatt"),
        "{hod_page}"
    );
    let attachment = names
        .iter()
        .find(|n| n.ends_with("vedlegg.txt"))
        .expect("attachment");
    let attachment = std::fs::read_to_string(dir.join(attachment)).expect("attachment");
    assert!(attachment.contains("Vedlegg: […], tlf."), "{attachment}");
    assert_eq!(
        j["left_out"].as_array().expect("left out").len(),
        2,
        "{j:#}"
    );

    // A non-empty folder is refused and left as it was; --force replaces it whole.
    std::fs::write(dir.join("mine.txt"), "x").expect("write");
    let r = env
        .run_in("ws", &["publish", "bundle", &id, "--out", &out])
        .refused();
    assert!(r.stderr.contains("is not empty"), "{}", r.stderr);
    assert!(dir.join("mine.txt").exists());
    env.run_in("ws", &["publish", "bundle", &id, "--out", &out, "--force"])
        .ok();
    assert!(!dir.join("mine.txt").exists());
    assert!(dir.join("index.html").exists());
    // Nothing left beside it.
    let beside: Vec<_> = std::fs::read_dir(env.path("."))
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("strategi-"))
        .collect();
    assert!(beside.is_empty(), "{beside:?}");
}

#[test]
fn the_bundle_refuses_a_folder_inside_the_records() {
    let env = TestEnv::new();
    let (id, ..) = three_answers(&env);
    let r = env.assert_refused_unchanged(
        "ws",
        &[
            "publish",
            "bundle",
            &id,
            "--out",
            &env.path(&format!("ws/consultations/{id}/offentlig"))
                .to_string_lossy(),
        ],
    );
    assert!(r.stderr.contains("Refusing to write"), "{}", r.stderr);
}

/// Gives the case in `ws` the case number 24/3095 (by hand, committed).
fn number_the_case(env: &TestEnv) {
    let path = env.path("ws/strategi.toml");
    let text = std::fs::read_to_string(&path).expect("config");
    let text: String = text
        .lines()
        .filter(|l| !l.starts_with("number ="))
        .map(|l| format!("{l}\n"))
        .collect();
    let text = text.replacen("[case]\n", "[case]\nnumber = \"24/3095\"\n", 1);
    std::fs::write(&path, text).expect("write config");
    env.git("ws", &["commit", "-qam", "Case number"]).ok();
}

#[test]
fn the_bundle_has_the_rounds_public_journal_with_an_exempt_answer_screened() {
    let env = TestEnv::new();
    let (id, _fin, _kdd, hod) = three_answers(&env);
    number_the_case(&env);
    let sent = env.run_in("ws", &["--as", "DFD", "round", "send", &id]);
    sent.ok();
    env.run_in(
        "ws",
        &[
            "--now",
            "2025-11-26",
            "publish",
            "decide",
            &hod,
            "--exempt",
            "offentleglova § 13 første ledd",
        ],
    )
    .ok();
    let out = env.path("offentlig").to_string_lossy().into_owned();
    env.run_in("ws", &["publish", "bundle", &id, "--out", &out])
        .ok();
    let page = std::fs::read_to_string(env.path("offentlig/journal.html")).expect("journal.html");
    crate::common::html::Page::parse(&page);
    // Four letters (U) and HOD's imported answer (I), each with its number.
    assert_eq!(page.matches("<td>U</td>").count(), 4, "{page}");
    assert_eq!(page.matches("<td>I</td>").count(), 1, "{page}");
    for n in 1..=5 {
        assert!(
            page.contains(&format!("<td>24/3095-{n}</td>")),
            "{n}: {page}"
        );
    }
    assert!(page.contains("Finansdepartementet"), "{page}");
    // HOD's answer is exempt: screened, with its basis, and nothing of its content.
    assert!(
        page.contains("Skjermet (offentleglova § 13 første ledd)"),
        "{page}"
    );
    for secret in ["Per Privatsen", "Ola", "ola@hod.example", "støtter"] {
        assert!(
            !page.contains(secret),
            "the journal holds «{secret}»: {page}"
        );
    }
    // The numbers in the letters are the journal's.
    let outbox = std::fs::read_dir(env.path("ws/outbox")).expect("outbox");
    let mut refs = Vec::new();
    for f in outbox.flatten() {
        if f.path().extension().is_some_and(|e| e == "eml") {
            let text = std::fs::read_to_string(f.path()).expect("eml");
            // The body may be quoted-printable: "V=C3=A5r ref:".
            if let Some(l) = text.lines().find(|l| l.contains("r ref:")) {
                let n = l.split("ref:").nth(1).unwrap_or_default();
                refs.push(n.trim().to_string());
            }
        }
    }
    refs.sort();
    assert_eq!(
        refs,
        ["24/3095-1", "24/3095-2", "24/3095-3", "24/3095-4"],
        "the letters carry the journal's numbers"
    );
}
