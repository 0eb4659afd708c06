//! Responses, comments, import, re-anchoring, decisions and the report (issue 6).

use std::path::{Path, PathBuf};

use crate::common::TestEnv;

const V1: &str = "# KI-strategi {#ki}\n\n## Mål {#mal}\n\nVi skal bruke kunstig intelligens på en ansvarlig måte i hele\ndepartementsfellesskapet.\n\nAlle ansatte skal få grunnopplæring innen 1. juni 2026.\n\n## Tiltak {#tiltak}\n\nDIO etablerer en felles plattform for språkmodeller.\n\nPlattformen skal være tilgjengelig innen utgangen av 2026 for alle ansatte.\n\n## Økonomi {#okonomi}\n\nTiltakene finansieres innenfor gjeldende rammer.\n";

/// A workspace with FIN, KDD, HOD, KD and DFD, version v1 of [`V1`], and a round from
/// DFD to the four; returns the round id.
fn round(env: &TestEnv) -> String {
    env.round_to_four(V1)
}

/// Copies a fixture from tests/fixtures/mail into the temp dir, with its round id
/// (`rabcdefg`) replaced by `round`.
fn fixture(env: &TestEnv, name: &str, round: &str) -> String {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/mail")
        .join(name);
    let bytes = std::fs::read(&src).expect("fixture");
    assert_eq!(round.len(), 8);
    let mut text = bytes.clone();
    let mut i = 0;
    while i + 8 <= text.len() {
        if &text[i..i + 8] == b"rabcdefg" {
            text[i..i + 8].copy_from_slice(round.as_bytes());
        }
        i += 1;
    }
    let dest = env.path(&format!("mail/{name}"));
    std::fs::create_dir_all(dest.parent().expect("parent")).expect("mail dir");
    std::fs::write(&dest, text).expect("write fixture");
    format!("../mail/{name}")
}

fn comments(env: &TestEnv, args: &[&str]) -> Vec<serde_json::Value> {
    let mut full = vec!["--json", "comment", "list"];
    full.extend_from_slice(args);
    env.run_in("ws", &full)
        .ok()
        .json()
        .as_array()
        .expect("array")
        .clone()
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn imports_replies_in_every_encoding_and_refuses_broken_ones_whole() {
    let env = TestEnv::new();
    let id = round(&env);
    let good = [
        "reply-quoted-printable-utf8.eml",
        "reply-base64-utf8.eml",
        "reply-iso-8859-1.eml",
        "reply-windows-1252.eml",
        "reply-multipart-form-docx-traversal.eml",
        "reply-html-only.eml",
        "reply-sv-subject-token.eml",
    ];
    let bad = [
        "broken-multipart-unclosed.eml",
        "broken-bad-header-line.eml",
        "broken-missing-from.eml",
    ];
    let good: Vec<String> = good.iter().map(|f| fixture(&env, f, &id)).collect();
    let bad: Vec<String> = bad.iter().map(|f| fixture(&env, f, &id)).collect();

    // One broken file refuses the whole batch: every problem named, nothing written.
    let mut args = vec!["comment", "import", "latest"];
    args.extend(good.iter().map(String::as_str));
    args.extend(bad.iter().map(String::as_str));
    let r = env.assert_refused_unchanged("ws", &args);
    assert!(r.stderr.contains("3 of 10 file(s) refused"), "{}", r.stderr);
    assert!(
        r.stdout.contains("broken-multipart-unclosed.eml: "),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("boundary"), "{}", r.stdout);
    assert!(
        r.stdout.contains("line 4"),
        "bad header line named: {}",
        r.stdout
    );
    assert!(r.stdout.contains("From"), "{}", r.stdout);

    // The good ones import in one commit.
    let head = env.git("ws", &["rev-parse", "HEAD"]).ok().stdout;
    let mut args = vec!["--json", "comment", "import", "latest"];
    args.extend(good.iter().map(String::as_str));
    let j = env.run_in("ws", &args).ok().json();
    assert_eq!(j["imported"], 7);
    let log = env
        .git(
            "ws",
            &["log", "--format=%s", &format!("{}..HEAD", head.trim())],
        )
        .ok()
        .stdout;
    assert_eq!(log.lines().count(), 1, "one commit: {log}");

    let all = comments(&env, &["--round", &id]);
    let texts: Vec<&str> = all.iter().filter_map(|c| c["text"].as_str()).collect();
    // Quoted-printable UTF-8: "ingen merknader, men …" keeps the rest as a comment.
    assert!(
        texts.iter().any(|t| t.contains("Æ, ø og å skal være med")),
        "{texts:?}"
    );
    // Base64 UTF-8, ISO-8859-1, Windows-1252.
    assert!(
        texts.iter().any(|t| t.contains("støtter målene")),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.contains("«personvern» må nevnes særskilt. Æ Ø Å æ ø å.")),
        "{texts:?}"
    );
    assert!(
        texts.iter().any(|t| t.contains("5 mill. € – se “Økonomi”")),
        "{texts:?}"
    );
    // The form in the multipart message: anchored to its section and quote.
    let anchored = all
        .iter()
        .find(|c| c["section"] == "mal")
        .expect("the form's comment on mal");
    assert_eq!(anchored["party"], "FIN");
    assert_eq!(
        anchored["anchor"]["quote"],
        "bruke kunstig intelligens på en ansvarlig måte"
    );
    assert!(
        anchored["proposal"]
            .as_str()
            .is_some_and(|p| p.contains("etterprøvbar"))
    );
    // The Word file's comment is read (its author kept); no placeholder text is made
    // for the attachment, and the covering note ("Vedlagt er …") is no comment.
    let word = all
        .iter()
        .find(|c| {
            c["text"]
                .as_str()
                .is_some_and(|t| t.contains("Kostnadene må dekkes"))
        })
        .expect("the Word comment");
    assert_eq!(word["word"]["author"], "Finansdepartementet");
    assert_eq!(word["party"], "FIN");
    assert!(
        !texts
            .iter()
            .any(|t| t.contains("attached file") || t.contains("Vedlagt er")),
        "{texts:?}"
    );

    // Positions: KD's HTML "ingen merknader", HOD's comments.
    let show = env
        .run_in("ws", &["--json", "round", "show", "latest"])
        .ok()
        .json();
    let pos = |p: &str| {
        show["parties"]
            .as_array()
            .and_then(|a| a.iter().find(|x| x["party"] == p))
            .map(|x| x["position"].clone())
            .expect("party")
    };
    assert_eq!(pos("KD"), "no-comments");
    assert_eq!(pos("HOD"), "comments");
    assert_eq!(show["counts"]["answered"], 4);

    // Attachments never leave the round's folder; "../../etc/passwd" is stored as a
    // plain name inside it.
    let round_dir = env.path(&format!("ws/consultations/{id}"));
    let stored = files_under(&round_dir);
    assert!(
        stored.iter().any(|p| p.ends_with("attachments/passwd")),
        "{stored:?}"
    );
    assert!(stored.iter().any(|p| p.ends_with("message.eml")));
    assert!(!env.path("etc").exists() && !env.path("ws/etc").exists());
    for p in files_under(&env.path("ws")) {
        let rel = p.strip_prefix(env.path("ws")).expect("inside");
        let first = rel.components().next().expect("component");
        assert!(
            [
                ".git",
                "consultations",
                "strategy",
                "strategi.toml",
                "outbox",
                "milestones",
                "settings"
            ]
            .iter()
            .any(|ok| first.as_os_str() == *ok),
            "unexpected file {}",
            rel.display()
        );
    }

    // Importing the same messages again changes nothing and says so.
    let mut args = vec!["comment", "import", "latest"];
    args.extend(good.iter().map(String::as_str));
    let before = env.snapshot("ws");
    let r = env.run_in("ws", &args).ok();
    assert_eq!(r.stdout.matches("duplicate").count(), 7, "{}", r.stdout);
    assert_eq!(before, env.snapshot("ws"));
}

#[test]
fn a_message_that_cannot_be_matched_is_refused_with_what_was_found() {
    let env = TestEnv::new();
    let _ = round(&env);
    let path = env.path("mail/stranger.eml");
    std::fs::create_dir_all(path.parent().expect("dir")).expect("dir");
    std::fs::write(
        &path,
        "From: Ukjent <ukjent@annet.example>\r\nTo: postmottak@dfd.example\r\nSubject: Innspill\r\nMessage-ID: <x1@annet.example>\r\nDate: Mon, 1 Dec 2025 10:00:00 +0100\r\n\r\nVi mener tiltak 3 er for dyrt.\r\n",
    )
    .expect("write");
    let r = env.assert_refused_unchanged(
        "ws",
        &["comment", "import", "latest", "../mail/stranger.eml"],
    );
    assert!(r.stdout.contains("ukjent@annet.example"), "{}", r.stdout);
    assert!(r.stdout.contains("--from"), "{}", r.stdout);
    let r = env
        .run_in(
            "ws",
            &[
                "comment",
                "import",
                "latest",
                "../mail/stranger.eml",
                "--from",
                "HOD",
            ],
        )
        .ok();
    assert!(r.stdout.contains("HOD (by --from)"), "{}", r.stdout);
}

#[test]
fn anchors_land_exact_moved_changed_or_orphaned_in_a_later_version() {
    let env = TestEnv::new();
    let id = round(&env);
    let add = |section: &str, quote: &str, text: &str| {
        env.run_in(
            "ws",
            &[
                "--as",
                "DFD",
                "--json",
                "comment",
                "add",
                &id,
                "--from",
                "FIN",
                "--section",
                section,
                "--quote",
                quote,
                "--text",
                text,
            ],
        )
        .ok()
        .json()["comment"]["id"]
            .as_str()
            .expect("id")
            .to_string()
    };
    let exact = add(
        "mal",
        "på en ansvarlig måte i hele departementsfellesskapet",
        "exact",
    );
    let moved = add(
        "tiltak",
        "Plattformen skal være tilgjengelig innen utgangen av 2026",
        "moved",
    );
    let changed = add(
        "mal",
        "Alle ansatte skal få grunnopplæring innen 1. juni 2026.",
        "changed",
    );
    let orphaned = add(
        "okonomi",
        "Tiltakene finansieres innenfor gjeldende rammer.",
        "orphaned",
    );
    // v2: mal re-wrapped, the platform sentence moved to Økonomi, the training sentence
    // edited, the financing sentence gone.
    let v2 = "# KI-strategi {#ki}\n\n## Mål {#mal}\n\nVi skal bruke kunstig intelligens\npå en ansvarlig måte i hele departementsfellesskapet.\n\nAlle ansatte skal få grunnopplæring innen 1. september 2026.\n\n## Tiltak {#tiltak}\n\nDIO etablerer en felles plattform for språkmodeller.\n\n## Økonomi {#okonomi}\n\nPlattformen skal være tilgjengelig innen utgangen av 2026 for alle ansatte.\n";
    std::fs::write(env.path("ws/strategy/01-utkast.md"), v2).expect("v2");
    env.run_in("ws", &["version", "cut", "--label", "Revidert"])
        .ok();
    let listed = comments(&env, &["--on", "v2"]);
    let landing = |cid: &str| {
        listed
            .iter()
            .find(|c| c["id"] == cid)
            .map(|c| c["landing"].clone())
            .expect("comment")
    };
    assert_eq!(landing(&exact)["landing"], "exact");
    assert_eq!(landing(&moved)["landing"], "moved");
    assert_eq!(landing(&moved)["to"], "okonomi");
    let ch = landing(&changed);
    assert_eq!(ch["landing"], "changed");
    assert!(
        ch["new_text"]
            .as_str()
            .is_some_and(|t| t.contains("1. september 2026")),
        "{ch}"
    );
    assert_eq!(landing(&orphaned)["landing"], "orphaned");
    let text = env
        .run_in("ws", &["comment", "list", "--on", "v2"])
        .ok()
        .stdout;
    assert!(text.contains("→ orphaned: the passage is gone"), "{text}");
    assert!(text.contains("→ moved: from tiltak to okonomi"), "{text}");
}

#[test]
fn quotes_that_are_not_there_are_refused_with_the_closest_passage() {
    let env = TestEnv::new();
    let _ = round(&env);
    let r = env.assert_refused_unchanged(
        "ws",
        &[
            "--as",
            "DFD",
            "comment",
            "add",
            "latest",
            "--from",
            "FIN",
            "--section",
            "tiltak",
            "--quote",
            "DIO etablerer en felles plattform for store språkmodeller",
            "--text",
            "x",
        ],
    );
    assert!(
        r.stderr.contains("does not occur in section \"tiltak\""),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("DIO etablerer en felles plattform for språkmodeller"),
        "{}",
        r.stderr
    );
    let r = env.assert_refused_unchanged(
        "ws",
        &[
            "--as",
            "DFD",
            "comment",
            "add",
            "latest",
            "--from",
            "FIN",
            "--section",
            "nope",
            "--text",
            "x",
        ],
    );
    assert!(r.stderr.contains("nope"), "{}", r.stderr);
    // A party may not comment for another.
    let r = env.assert_refused_unchanged(
        "ws",
        &[
            "--as", "KDD", "comment", "add", "latest", "--from", "FIN", "--text", "x",
        ],
    );
    assert!(
        r.stderr.contains("KDD may not answer for FIN"),
        "{}",
        r.stderr
    );
}

#[test]
fn decisions_supersede_with_history_and_the_report_escapes_outside_text() {
    let env = TestEnv::new();
    let id = round(&env);
    let c = env
        .run_in(
            "ws",
            &[
                "--as",
                "FIN",
                "--json",
                "comment",
                "add",
                &id,
                "--from",
                "FIN",
                "--section",
                "tiltak",
                "--quote",
                "felles plattform",
                "--text",
                "<script>alert('x')</script> | =SUM(A1)",
                "--proposal",
                "Ny tekst",
            ],
        )
        .ok()
        .json()["comment"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    env.run_in(
        "ws",
        &["respond", &id, "--from", "KD", "--position", "no-comments"],
    )
    .ok();
    // partly and rejected need reasons; only the sender or owner decides.
    let before = env.snapshot("ws");
    let r = env.run_in("ws", &["comment", "resolve", &c, "--decision", "rejected"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("needs its reasons"), "{}", r.stderr);
    assert_eq!(before, env.snapshot("ws"));
    let r = env.assert_refused_unchanged(
        "ws",
        &[
            "--as",
            "FIN",
            "comment",
            "resolve",
            &c,
            "--decision",
            "accepted",
        ],
    );
    assert!(r.stderr.contains("may not decide"), "{}", r.stderr);
    env.run_in(
        "ws",
        &[
            "--as",
            "DIO",
            "comment",
            "resolve",
            &c[..5],
            "--decision",
            "noted",
        ],
    )
    .ok();
    env.run_in(
        "ws",
        &[
            "--as",
            "DIO",
            "comment",
            "resolve",
            &c,
            "--decision",
            "partly",
            "--note",
            "Delvis tatt inn.",
        ],
    )
    .ok();
    let shown = env
        .run_in("ws", &["--json", "comment", "show", &c])
        .ok()
        .json();
    assert_eq!(shown["decision"]["decision"], "partly");
    assert_eq!(shown["superseded"][0]["decision"], "noted");
    assert_eq!(comments(&env, &["--open"]).len(), 0);
    assert_eq!(comments(&env, &["--decided", "--party", "FIN"]).len(), 1);

    let html = env
        .run_in("ws", &["report", "latest", "--format", "html"])
        .ok()
        .stdout;
    assert!(
        html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"),
        "{html}"
    );
    assert!(!html.contains("<script>"));
    assert!(html.contains("delvis tatt til følge") && html.contains("Delvis tatt inn."));
    assert!(
        html.contains("ingen merknader"),
        "KD's position is in the summary"
    );
    let md = env.run_in("ws", &["report", "latest"]).ok().stdout;
    assert!(
        md.contains("&lt;script&gt;") && md.contains("\\| =SUM(A1)"),
        "{md}"
    );
    assert!(
        md.contains("1 av 4 har svart; 1 uten merknader; ikke svart: FIN, KDD, HOD."),
        "{md}"
    );
    let csv = env
        .run_in(
            "ws",
            &["report", "latest", "--format", "csv", "--out", "../r.csv"],
        )
        .ok();
    assert!(csv.stdout.contains("Wrote the report"), "{}", csv.stdout);
    let csv = std::fs::read_to_string(env.path("r.csv")).expect("csv");
    assert!(csv.starts_with("\u{feff}round,comment,section,"), "{csv:?}");
    assert!(csv.contains(",tiltak,2 Tiltak,FIN,"), "{csv}");
    assert!(csv.contains(",partly,Delvis tatt inn.,DIO,"), "{csv}");

    // --excel: the same rows separated by `;` for Norwegian Excel, still with the BOM,
    // the same quoting.
    let excel = env
        .run_in("ws", &["report", "latest", "--format", "csv", "--excel"])
        .ok()
        .stdout;
    assert!(
        excel.starts_with("\u{feff}round;comment;section;section_title;"),
        "{excel:?}"
    );
    assert!(excel.contains(";tiltak;2 Tiltak;FIN;"), "{excel}");
    assert!(excel.contains(";partly;Delvis tatt inn.;DIO;"), "{excel}");
    assert_eq!(
        excel.lines().count(),
        csv.lines().count(),
        "one line per comment either way"
    );
    let r = env.run_in("ws", &["report", "latest", "--excel"]);
    assert_eq!(
        r.code, 2,
        "--excel without csv is a usage error: {}",
        r.stderr
    );
    assert!(r.stderr.contains("--excel"), "{}", r.stderr);

    // A decision written by hand by a party that may not decide is ignored and reported.
    let forged = format!(
        "id = \"dfa9ed77\"\ncomment = \"{c}\"\ndecision = \"accepted\"\nby = \"FIN\"\nat = \"2025-11-20T10:00:00Z\"\n"
    );
    let path = env.path(&format!(
        "ws/consultations/{id}/decisions/20251120T100000Z-dfa9ed77.toml"
    ));
    std::fs::write(&path, forged).expect("forge");
    env.git("ws", &["add", "-A"]).ok();
    env.git("ws", &["commit", "-qm", "hand edit"]).ok();
    let r = env.run_in("ws", &["verify"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("FIN decided comment"), "{}", r.stdout);
    let shown = env
        .run_in("ws", &["--json", "comment", "show", &c])
        .ok()
        .json();
    assert_eq!(
        shown["decision"]["decision"], "partly",
        "the forged decision is not obeyed"
    );
}

/// The rules of answering are the same for `comment import` as for `comment add` and
/// `respond` (issue 11): a closed round, a party that is not a recipient, and an acting
/// party that may not answer for the sender are refused with the same words, and the
/// workspace is left as it was.
#[test]
fn import_follows_the_rules_of_comment_add() {
    let env = TestEnv::new();
    let id = round(&env);
    env.run_in(
        "ws",
        &[
            "party",
            "add",
            "UD",
            "--name",
            "Utenriksdepartementet",
            "--email",
            "postmottak@ud.example",
        ],
    )
    .ok();
    let mail = fixture(&env, "reply-sv-subject-token.eml", &id);

    // A party that is not a recipient: the same message as comment add.
    let add = env.assert_refused_unchanged(
        "ws",
        &["comment", "add", &id, "--from", "UD", "--text", "Innspill."],
    );
    let import =
        env.assert_refused_unchanged("ws", &["comment", "import", &id, &mail, "--from", "UD"]);
    let first_line = |s: &str| s.lines().next().unwrap_or_default().to_string();
    assert_eq!(first_line(&import.stderr), first_line(&add.stderr));
    assert!(
        add.stderr
            .contains(&format!("UD is not a recipient of round {id}.")),
        "{}",
        add.stderr
    );

    // An acting party that may not answer for the sender of the message.
    let import =
        env.assert_refused_unchanged("ws", &["--as", "KDD", "comment", "import", &id, &mail]);
    assert!(
        import.stdout.contains("KDD may not answer for FIN"),
        "{}",
        import.stdout
    );

    // A closed round: refused whole, with the words of comment add and respond.
    env.run_in("ws", &["--as", "DFD", "round", "close", &id])
        .ok();
    let add = env.assert_refused_unchanged(
        "ws",
        &[
            "comment",
            "add",
            &id,
            "--from",
            "FIN",
            "--text",
            "For sent.",
        ],
    );
    let respond = env.assert_refused_unchanged(
        "ws",
        &["respond", &id, "--from", "FIN", "--position", "no-comments"],
    );
    let import = env.assert_refused_unchanged("ws", &["comment", "import", &id, &mail]);
    let closed = format!("Error: Round {id} is closed; no more answers are recorded.");
    for r in [&add, &respond, &import] {
        assert_eq!(first_line(&r.stderr), closed, "{}", r.stderr);
    }
}

/// Hand-written records that break a rule are ignored by the fold and reported by
/// `verify`: a position and a comment written after the round was closed.
#[test]
fn records_written_by_hand_after_the_close_are_ignored_and_reported() {
    let env = TestEnv::new();
    let id = round(&env);
    env.run_in("ws", &["--as", "DFD", "round", "close", &id])
        .ok();
    env.run_in("ws", &["verify"]).ok();
    let dir = env.path(&format!("ws/consultations/{id}"));
    std::fs::create_dir_all(dir.join("comments")).expect("comments dir");
    std::fs::write(
        dir.join("facts/20251201T120000Z-fhandmad.toml"),
        "id = \"fhandmad\"\nat = \"2025-12-01T12:00:00Z\"\nby = \"FIN\"\ntype = \"response\"\nparty = \"FIN\"\nposition = \"disagree\"\n",
    )
    .expect("fact");
    std::fs::write(
        dir.join("comments/20251201T120000Z-chandmad.toml"),
        "[[comment]]\nid = \"chandmad\"\nparty = \"FIN\"\nby = \"FIN\"\nat = \"2025-12-01T12:00:00Z\"\nversion = \"v1\"\ntext = \"Sent innspill.\"\n",
    )
    .expect("comment");
    env.git("ws", &["add", "-A"]).ok();
    env.git("ws", &["commit", "-qm", "hand-written"]).ok();

    let show = env
        .run_in("ws", &["--json", "round", "show", &id])
        .ok()
        .json();
    let fin = show["parties"]
        .as_array()
        .expect("parties")
        .iter()
        .find(|p| p["party"] == "FIN")
        .expect("FIN")
        .clone();
    assert!(fin["position"].is_null(), "{fin}");
    assert_eq!(show["comments"], 0, "{show}");

    let r = env.run_in("ws", &["verify"]).refused();
    assert!(
        r.stdout.contains("after the round was closed"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("fhandmad"), "{}", r.stdout);
    assert!(r.stdout.contains("chandmad"), "{}", r.stdout);
}
