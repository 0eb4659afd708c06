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
