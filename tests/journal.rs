//! `journal list` and `journal set`: the case's journal and its document numbers
//! (issue 17).

use crate::common::TestEnv;

const DRAFT: &str =
    "# KI-strategi {#ki}\n\n## Mål {#mal}\n\nAlle ansatte skal få grunnopplæring.\n";

/// A round sent to FIN, KDD, HOD and KD; an e-mail answer from HOD imported, a position
/// from KD registered by hand, v1 handed in to DFD; `[journal] start = 70`. Returns the
/// round's id.
fn case(env: &TestEnv) -> String {
    let id = env.round_to_four(DRAFT);
    let config = env.path("ws/strategi.toml");
    let mut text = std::fs::read_to_string(&config).expect("config");
    text.push_str("\n[journal]\nstart = 70\n");
    std::fs::write(&config, text).expect("config");
    env.git("ws", &["commit", "-qam", "Journal numbers from 70"]);
    std::fs::write(
        env.path("reply.eml"),
        format!(
            "From: Ola <ola@hod.example>\r\nSubject: Svar [strategi {id}/HOD]\r\n\
             Message-ID: <1@hod.example>\r\nContent-Type: text/plain\r\n\r\nIngen merknader.\r\n"
        ),
    )
    .expect("reply");
    env.run_in(
        "ws",
        &[
            "--now",
            "2025-11-05",
            "comment",
            "import",
            &id,
            "../reply.eml",
        ],
    )
    .ok();
    env.run_in(
        "ws",
        &[
            "--now",
            "2025-11-06",
            "respond",
            &id,
            "--from",
            "KD",
            "--position",
            "no-comments",
        ],
    )
    .ok();
    env.run_in(
        "ws",
        &["--now", "2025-11-07", "submit", "v1", "--to", "DFD"],
    )
    .ok();
    id
}

fn entries(env: &TestEnv) -> Vec<serde_json::Value> {
    env.run_in("ws", &["--now", "2025-11-10", "--json", "journal", "list"])
        .ok()
        .json()["entries"]
        .as_array()
        .expect("entries")
        .clone()
}

fn s(v: &serde_json::Value) -> &str {
    v.as_str().unwrap_or_default()
}

#[test]
fn list_shows_letters_answers_and_hand_ins_numbered_from_the_start() {
    let env = TestEnv::new();
    let id = case(&env);
    let before = env.snapshot("ws");
    let j = env
        .run_in("ws", &["--now", "2025-11-10", "--json", "journal", "list"])
        .ok()
        .json();
    assert_eq!(j["case"], "24/3095");
    assert_eq!(j["start"], 70);
    let e = j["entries"].as_array().expect("entries");
    assert_eq!(e.len(), 7, "{j:#}");
    let got: Vec<(&str, &str, &str, &str)> = e
        .iter()
        .map(|x| {
            (
                s(&x["direction"]),
                s(&x["party"]["code"]),
                s(&x["number"]),
                s(&x["numbering"]),
            )
        })
        .collect();
    // The letters in the order they were sent, then the answers and the hand-in.
    let letters: Vec<&str> = got[..4].iter().map(|g| g.0).collect();
    assert_eq!(letters, ["U"; 4], "{got:?}");
    let mut parties: Vec<&str> = got[..4].iter().map(|g| g.1).collect();
    parties.sort();
    assert_eq!(parties, ["FIN", "HOD", "KD", "KDD"]);
    let rest: Vec<(&str, &str)> = got[4..].iter().map(|g| (g.0, g.1)).collect();
    assert_eq!(rest, [("I", "HOD"), ("I", "KD"), ("N", "DFD")], "{got:?}");
    for (i, g) in got.iter().enumerate() {
        assert_eq!(g.2, format!("24/3095-{}", 70 + i), "{got:?}");
        assert_eq!(g.3, "assigned");
    }
    assert_eq!(e[4]["kind"], "reply");
    assert!(s(&e[4]["id"]).starts_with("sha256:"), "{}", e[4]);
    assert_eq!(e[4]["round"], id.as_str());
    assert_eq!(e[5]["kind"], "response");
    assert_eq!(e[6]["kind"], "submission");
    assert_eq!(
        e[6]["title"],
        "v1 levert til Digitaliserings- og forvaltningsdepartementet"
    );
    assert!(e.iter().all(|x| x["publicity"] == "public"), "{j:#}");

    let text = env
        .run_in("ws", &["--now", "2025-11-10", "journal", "list"])
        .ok()
        .stdout;
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "Journal of case 24/3095: KI-strategi", "{text}");
    assert!(
        lines[1].starts_with("Number      By        Date        I/U/N  Party"),
        "{text}"
    );
    assert_eq!(lines.len(), 9, "{text}");
    // Aligned: every row has its date and direction at the header's columns.
    let date_at = lines[1].find("Date").expect("Date");
    let dir_at = lines[1].find("I/U/N").expect("I/U/N");
    for l in &lines[2..] {
        assert!(l[date_at..].starts_with("2025-11-0"), "{text}");
        assert!(matches!(&l[dir_at..dir_at + 1], "I" | "U" | "N"), "{text}");
        assert!(l.contains("assigned") && l.contains("public"), "{l}");
    }
    assert!(
        lines[8].contains("24/3095-76") && lines[8].contains("levert til"),
        "{text}"
    );
    assert_eq!(env.snapshot("ws"), before, "journal list wrote something");
}

#[test]
fn set_records_the_number_moves_later_assigned_ones_and_list_shows_recorded() {
    let env = TestEnv::new();
    case(&env);
    let e = entries(&env);
    let hod_letter = e
        .iter()
        .find(|x| x["direction"] == "U" && x["party"]["code"] == "HOD")
        .expect("HOD letter");
    let hod_number = s(&hod_letter["number"]).to_string();
    let hod_id = s(&hod_letter["id"]).to_string();
    let head = env.git("ws", &["rev-parse", "HEAD"]).ok().stdout;
    let j = env
        .run_in(
            "ws",
            &[
                "--now",
                "2025-11-10",
                "--json",
                "journal",
                "set",
                &hod_number,
                "24/3095-90",
            ],
        )
        .ok()
        .json();
    assert_eq!(j["id"], hod_id.as_str());
    assert_eq!(j["number"], "24/3095-90");
    assert_eq!(j["previous"], hod_number.as_str());
    let path = s(&j["path"]).to_string();
    assert!(path.starts_with("journal/"), "{j:#}");
    let record = std::fs::read_to_string(env.path(&format!("ws/{path}"))).expect("record");
    assert!(record.contains("number = \"24/3095-90\""), "{record}");
    assert!(record.contains(&format!("item = \"{hod_id}\"")), "{record}");
    // One commit, with the record in it.
    let after = env.git("ws", &["rev-parse", "HEAD~1"]).ok().stdout;
    assert_eq!(after, head);
    let files = env
        .git("ws", &["show", "--name-only", "--format=", "HEAD"])
        .ok()
        .stdout;
    assert_eq!(files.trim(), path);
    // Every entry after it moved one down.
    let later: Vec<&serde_json::Value> = e
        .iter()
        .skip_while(|x| x["id"] != hod_id.as_str())
        .skip(1)
        .collect();
    let moved = j["moved"].as_array().expect("moved");
    assert_eq!(moved.len(), later.len(), "{j:#}");
    for (m, x) in moved.iter().zip(&later) {
        assert_eq!(m["id"], x["id"]);
        assert_eq!(m["from"], x["number"]);
    }

    let now = entries(&env);
    let hod = now
        .iter()
        .find(|x| x["id"] == hod_id.as_str())
        .expect("hod");
    assert_eq!(hod["number"], "24/3095-90");
    assert_eq!(hod["numbering"], "recorded");
    assert!(s(&hod["record"]).starts_with('j'), "{hod}");
    let assigned: Vec<&str> = now
        .iter()
        .filter(|x| x["numbering"] == "assigned")
        .map(|x| s(&x["number"]))
        .collect();
    let want: Vec<String> = (70..76).map(|n| format!("24/3095-{n}")).collect();
    assert_eq!(assigned, want);

    let text = env
        .run_in("ws", &["--now", "2025-11-10", "journal", "list"])
        .ok()
        .stdout;
    let line = text
        .lines()
        .find(|l| l.starts_with("24/3095-90"))
        .expect("the recorded line");
    assert!(line.contains("recorded") && line.contains("HOD"), "{text}");

    // The human output of a second set names what moved.
    let kd = now
        .iter()
        .find(|x| x["direction"] == "U" && x["party"]["code"] == "FIN")
        .expect("FIN letter");
    let out = env
        .run_in(
            "ws",
            &[
                "--now",
                "2025-11-11",
                "journal",
                "set",
                s(&kd["id"]),
                "24/3095-91",
            ],
        )
        .ok()
        .stdout;
    assert!(out.starts_with("Recorded 24/3095-91 for "), "{out}");
    assert!(out.contains("Assigned numbers that moved:"), "{out}");
}

#[test]
fn set_refuses_bad_input_and_changes_nothing() {
    let env = TestEnv::new();
    case(&env);
    env.run_in(
        "ws",
        &["--now", "2025-11-10", "journal", "set", "70", "24/3095-90"],
    )
    .ok();
    let head = env.git("ws", &["rev-parse", "HEAD"]).ok().stdout;
    let cases: [(&[&str], &str); 6] = [
        (
            &["71", "24/3095-x"],
            "\"24/3095-x\" is not a document number",
        ),
        (&["71", "24/3095-90"], "24/3095-90 is already recorded for"),
        (
            &["zzzz", "24/3095-92"],
            "\"zzzz\" is no document of the case's journal",
        ),
        (
            &["90", "24/3095-92"],
            "already has the recorded number 24/3095-90",
        ),
        (
            &["71", "25/1-1"],
            "25/1-1 is not a document number of case 24/3095",
        ),
        (&["71", "24/3095-0"], "is not a document number"),
    ];
    for (args, message) in cases {
        let mut full = vec!["--now", "2025-11-11", "journal", "set"];
        full.extend_from_slice(args);
        let r = env.assert_refused_unchanged("ws", &full);
        assert!(r.stderr.contains(message), "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains("Hint:") || message.contains("already has"),
            "{}",
            r.stderr
        );
    }
    let r = env.assert_refused_unchanged(
        "ws",
        &[
            "--now",
            "2025-11-11",
            "--as",
            "DFD",
            "journal",
            "set",
            "71",
            "24/3095-92",
        ],
    );
    assert!(
        r.stderr
            .contains("Only the case owner (DIO) records document numbers; you act as DFD."),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--as DIO journal set"), "{}", r.stderr);
    let r = env.assert_refused_unchanged(
        "ws",
        &[
            "--now",
            "2025-11-11",
            "--json",
            "journal",
            "set",
            "zzzz",
            "24/3095-92",
        ],
    );
    assert_eq!(r.json()["error"]["kind"], "user", "{}", r.stdout);
    assert_eq!(env.git("ws", &["rev-parse", "HEAD"]).ok().stdout, head);
}

#[test]
fn an_exempted_answer_is_listed_as_screened_with_its_basis() {
    let env = TestEnv::new();
    let id = case(&env);
    let reply = entries(&env)
        .into_iter()
        .find(|x| x["kind"] == "reply")
        .expect("reply");
    let digest = s(&reply["id"]).trim_start_matches("sha256:").to_string();
    env.run_in(
        "ws",
        &[
            "--now",
            "2025-11-10",
            "publish",
            "decide",
            &digest,
            "--exempt",
            "offentleglova § 13 første ledd",
        ],
    )
    .ok();
    let now = entries(&env);
    let screened: Vec<&serde_json::Value> = now
        .iter()
        .filter(|x| x["publicity"] == "screened")
        .collect();
    assert_eq!(screened.len(), 1, "{now:#?}");
    assert_eq!(screened[0]["id"], reply["id"]);
    assert_eq!(screened[0]["screening"], "exempt");
    assert_eq!(
        screened[0]["basis"],
        serde_json::json!(["offentleglova § 13 første ledd"])
    );
    assert_eq!(screened[0]["round"], id.as_str());
    let text = env
        .run_in("ws", &["--now", "2025-11-10", "journal", "list"])
        .ok()
        .stdout;
    let number = s(&reply["number"]);
    let line = text
        .lines()
        .find(|l| l.starts_with(number))
        .expect("the reply's line");
    assert!(line.contains("screened"), "{text}");
    assert!(
        text.contains(&format!(
            "Screened {number} (Helse- og omsorgsdepartementet): exempt, offentleglova § 13 første ledd"
        )),
        "{text}"
    );
}
