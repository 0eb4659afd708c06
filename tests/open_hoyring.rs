//! An open høring (issue 18): answers from unlisted senders become respondents, apart
//! from the listed parties; a listed round refuses them with the hint to open one.

use crate::common::TestEnv;

const DRAFT: &str = "# KI-strategi {#ki}\n\n## Mål {#mal}\n\nVi skal bruke kunstig intelligens på en ansvarlig måte.\n";

/// A workspace with FIN, KDD and DFD, v1 of [`DRAFT`], and a round of `kind` from DFD to
/// FIN and KDD (open to anyone with `open`), sent; returns its id.
fn round(env: &TestEnv, kind: &str, due: &str, open: bool) -> String {
    env.workspace("ws");
    env.add_party(
        "ws",
        "DFD",
        "Digitaliserings- og forvaltningsdepartementet",
        "postmottak@dfd.example",
        "nb",
    );
    std::fs::write(env.path("ws/strategy/01-utkast.md"), DRAFT).expect("draft");
    env.run_in("ws", &["version", "cut", "--label", "Utkast"])
        .ok();
    let mut args = vec![
        "--as",
        "DFD",
        "round",
        "open",
        "--version",
        "v1",
        "--to",
        "FIN,KDD",
        "--kind",
        kind,
        "--due",
        due,
    ];
    if open {
        args.push("--open");
    }
    env.run_in("ws", &args).ok();
    let id = env.run_in("ws", &["--json", "round", "list"]).json()[0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    env.run_in("ws", &["--as", "DFD", "round", "send", &id])
        .ok();
    id
}

fn hoyring(env: &TestEnv) -> String {
    round(env, "hoyring", "2026-02-02", true)
}

/// Writes `mail/NAME` and returns its path as given from the workspace.
fn mail(env: &TestEnv, name: &str, text: &str) -> String {
    let path = env.path(&format!("mail/{name}"));
    std::fs::create_dir_all(path.parent().expect("dir")).expect("dir");
    std::fs::write(&path, text).expect("write");
    format!("../mail/{name}")
}

fn message(from: &str, id: &str, date: &str, body: &str) -> String {
    format!(
        "From: {from}\r\nTo: postmottak@dfd.example\r\nSubject: Innspill til KI-strategien\r\nMessage-ID: <{id}@annet.example>\r\nDate: {date}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )
}

const FORM: &str = "Runde: \r\nPart: \r\nVersjon: v1\r\nOrganisasjon: Naturvernforbundet i Oslo\r\nStandpunkt: [ ] ingen merknader (no-comments)  [ ] merknader (comments)  [ ] forbehold (reservation)  [x] uenig (disagree)\r\n\r\n=== Merknad 1 ===\r\nSeksjon: mal\r\nSitat: ansvarlig\r\nMerknad: Ansvarlig for hvem? Si det.\r\n";

fn form_message(from: &str, id: &str) -> String {
    format!(
        "From: {from}\r\nTo: postmottak@dfd.example\r\nSubject: Høringssvar\r\nMessage-ID: <{id}@natur.example>\r\nDate: Mon, 1 Dec 2025 10:00:00 +0100\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nVedlagt vårt høringssvar.\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Disposition: attachment; filename=\"skjema.txt\"\r\n\r\n{FORM}\r\n--b1--\r\n"
    )
}

#[test]
fn only_a_hoyring_may_be_open() {
    let env = TestEnv::new();
    let id = hoyring(&env);
    let r = env.assert_refused_unchanged(
        "ws",
        &[
            "--as",
            "DFD",
            "round",
            "open",
            "--version",
            "v1",
            "--to",
            "FIN",
            "--due",
            "2025-12-22",
            "--open",
        ],
    );
    assert!(
        r.stderr.contains("Only a høring can be open"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--kind hoyring --open"), "{}", r.stderr);
    let def = std::fs::read_to_string(env.path(&format!("ws/consultations/{id}/round.toml")))
        .expect("round.toml");
    assert!(def.contains("open = true"), "{def}");
}

#[test]
fn unlisted_senders_become_respondents_apart_from_the_parties() {
    let env = TestEnv::new();
    let id = hoyring(&env);
    let ola = mail(
        &env,
        "ola-1.eml",
        &message(
            "Ola Nordmann <Ola.Nordmann@privat.example>",
            "o1",
            "Mon, 1 Dec 2025 10:00:00 +0100",
            "Jeg mener strategien bør nevne personvern.",
        ),
    );
    let org = mail(
        &env,
        "natur.eml",
        &form_message("Kari Leder <kari@natur.example>", "n1"),
    );
    let r = env
        .run_in(
            "ws",
            &[
                "--json", "--as", "DFD", "comment", "import", &id, &ola, &org,
            ],
        )
        .ok();
    let out = r.json();
    assert_eq!(out["imported"], 2, "{out}");
    for f in out["files"].as_array().expect("files") {
        assert_eq!(f["matched_by"], "open høring (sender address)", "{f}");
        assert!(f["party"].as_str().expect("party").starts_with('R'), "{f}");
    }
    // The same sender again, with another address case: one respondent, later position.
    let again = mail(
        &env,
        "ola-2.eml",
        &message(
            "Ola Nordmann <ola.nordmann@PRIVAT.example>",
            "o2",
            "Tue, 2 Dec 2025 10:00:00 +0100",
            "Ingen merknader.",
        ),
    );
    env.run_in("ws", &["--as", "DFD", "comment", "import", &id, &again])
        .ok();

    let shown = env
        .run_in("ws", &["--json", "round", "show", &id])
        .ok()
        .json();
    let respondents = shown["respondents"].as_array().expect("respondents");
    assert_eq!(respondents.len(), 2, "{shown}");
    assert_eq!(shown["counts"]["respondents"], 2);
    assert_eq!(shown["counts"]["private_respondents"], 1);
    assert_eq!(
        shown["counts"]["answered"], 0,
        "the listed parties did not answer"
    );
    let ola = respondents
        .iter()
        .find(|r| r["address"] == "ola.nordmann@privat.example")
        .expect("ola");
    assert_eq!(ola["position"], "no-comments");
    assert_eq!(ola["history"].as_array().expect("history").len(), 2);
    assert_eq!(ola["private"], true);
    let natur = respondents
        .iter()
        .find(|r| r["address"] == "kari@natur.example")
        .expect("natur");
    assert_eq!(natur["organisation"], "Naturvernforbundet i Oslo");
    assert_eq!(natur["position"], "disagree");
    assert_eq!(natur["private"], false);
    let natur_id = natur["id"].as_str().expect("id").to_string();

    let text = env.run_in("ws", &["round", "show", &id]).ok().stdout;
    assert!(text.contains("open to anyone"), "{text}");
    let parties_at = text.find("FIN").expect("FIN listed");
    let others_at = text
        .find("Other respondents (2, 1 private persons)")
        .expect("respondents apart");
    assert!(parties_at < others_at, "{text}");
    assert!(
        text.contains("Kari Leder (Naturvernforbundet i Oslo)"),
        "{text}"
    );
    assert!(text.contains("private person"), "{text}");

    // The form's comment is anchored, the respondent's.
    let list = env.run_in("ws", &["--json", "comment", "list"]).ok().json();
    let list = list.as_array().expect("comments");
    assert_eq!(list.len(), 2, "{list:?}");
    let c = list
        .iter()
        .find(|c| c["party"] == natur_id)
        .expect("form comment");
    assert_eq!(c["section"], "mal");

    let status = env.run_in("ws", &["--json", "status"]).ok().json();
    let r0 = &status["rounds"][0];
    assert_eq!(r0["respondents"], 2, "{status}");
    assert_eq!(r0["private_respondents"], 1);
    assert_eq!(r0["respondent_comments"], 2);
    let text = env.run_in("ws", &["status"]).ok().stdout;
    assert!(
        text.contains("Other respondents: 2 (1 private persons), comments 2"),
        "{text}"
    );

    let report = env
        .run_in("ws", &["report", &id, "--format", "markdown"])
        .ok()
        .stdout;
    let heading = report.find("### Andre høringsinstanser").expect("own part");
    assert!(report[..heading].contains("| FIN |"), "{report}");
    assert!(
        report[heading..].contains("Naturvernforbundet i Oslo"),
        "{report}"
    );
    assert!(report[heading..].contains("(privatperson)"), "{report}");
    env.run_in("ws", &["verify"]).ok();
}

#[test]
fn a_private_person_is_flagged_in_publish_check() {
    let env = TestEnv::new();
    let id = hoyring(&env);
    let ola = mail(
        &env,
        "ola.eml",
        &message(
            "Ola Nordmann <ola@privat.example>",
            "p1",
            "Mon, 1 Dec 2025 10:00:00 +0100",
            "Jeg er imot hele greia.",
        ),
    );
    env.run_in("ws", &["--as", "DFD", "comment", "import", &id, &ola])
        .ok();
    let out = env
        .run_in("ws", &["--json", "publish", "check", &id])
        .ok()
        .json();
    assert_eq!(out["private_persons"], 1, "{out}");
    assert_eq!(out["answers"][0]["private_person"], true, "{out}");
    let text = env.run_in("ws", &["publish", "check", &id]).ok().stdout;
    assert!(
        text.contains("respondent Ola Nordmann: private person, screen for personal data"),
        "{text}"
    );
}

#[test]
fn a_listed_round_refuses_an_unlisted_sender_with_the_hint() {
    let env = TestEnv::new();
    let id = round(&env, "framlegging", "2025-12-22", false);
    let stranger = mail(
        &env,
        "stranger.eml",
        &message(
            "Ukjent <ukjent@annet.example>",
            "s1",
            "Mon, 1 Dec 2025 10:00:00 +0100",
            "Vi mener tiltaket er for dyrt.",
        ),
    );
    let r =
        env.assert_refused_unchanged("ws", &["--as", "DFD", "comment", "import", &id, &stranger]);
    assert!(
        r.stdout.contains("cannot be matched to a party"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("--from CODE"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("strategi party add CODE --name NAME --email ukjent@annet.example"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("strategi round open --kind hoyring --open"),
        "{}",
        r.stdout
    );
}

/// In an open høring a subject token (or a reply header, or a form's Party line) is text
/// anyone can copy: a stranger's mail naming FIN is refused, not recorded as FIN's answer;
/// a clerk at FIN's domain answers as FIN; `--from FIN` is the clerk's word for it.
#[test]
fn a_strangers_mail_with_a_partys_subject_token_is_not_that_partys_answer() {
    let env = TestEnv::new();
    let id = hoyring(&env);
    let token = |from: &str, mid: &str| {
        format!(
            "From: {from}\r\nTo: postmottak@dfd.example\r\nSubject: SV: Høring [strategi {id}/FIN]\r\nMessage-ID: <{mid}@x.example>\r\nDate: Mon, 1 Dec 2025 10:00:00 +0100\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nFinansdepartementet er uenig i hele strategien.\r\n"
        )
    };
    let forged = mail(&env, "forged.eml", &token("Per <per@privat.example>", "f1"));
    let r = env.assert_refused_unchanged("ws", &["--as", "DFD", "comment", "import", &id, &forged]);
    let said = format!("{}{}", r.stdout, r.stderr);
    assert!(said.contains("subject token names the party FIN"), "{said}");
    assert!(said.contains("per@privat.example"), "{said}");
    assert!(said.contains("(fin.example)"), "{said}");
    assert!(said.contains("--from FIN"), "{said}");

    // A look-alike domain is no subdomain.
    let lookalike = mail(
        &env,
        "lookalike.eml",
        &token("Per <per@notfin.example>", "f2"),
    );
    env.assert_refused_unchanged("ws", &["--as", "DFD", "comment", "import", &id, &lookalike]);

    // A clerk at FIN (another address, same domain) answers as FIN.
    let clerk = mail(
        &env,
        "clerk.eml",
        &token("Kari <kari.saksbehandler@fin.example>", "c1"),
    );
    let out = env
        .run_in(
            "ws",
            &["--json", "--as", "DFD", "comment", "import", &id, &clerk],
        )
        .ok()
        .json();
    assert_eq!(out["files"][0]["party"], "FIN", "{out}");
    assert_eq!(out["files"][0]["matched_by"], "subject token", "{out}");

    // The stranger's mail, vouched for by the clerk, goes in as FIN's.
    let out = env
        .run_in(
            "ws",
            &[
                "--json", "--as", "DFD", "comment", "import", &id, &forged, "--from", "FIN",
            ],
        )
        .ok()
        .json();
    assert_eq!(out["files"][0]["party"], "FIN", "{out}");
    env.run_in("ws", &["verify"]).ok();
}

/// In a listed round only the recipients got the letter, so the token still names the
/// party; a sender outside the party's domain is warned about, for the clerk to check.
#[test]
fn a_listed_round_warns_of_a_token_from_outside_the_partys_domain() {
    let env = TestEnv::new();
    let id = round(&env, "framlegging", "2025-12-22", false);
    let text = format!(
        "From: Per <per@privat.example>\r\nTo: postmottak@dfd.example\r\nSubject: SV: Framlegging [strategi {id}/FIN]\r\nMessage-ID: <w1@x.example>\r\nDate: Mon, 1 Dec 2025 10:00:00 +0100\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nIngen merknader.\r\n"
    );
    let path = mail(&env, "home.eml", &text);
    let r = env
        .run_in(
            "ws",
            &["--json", "--as", "DFD", "comment", "import", &id, &path],
        )
        .ok();
    let out = r.json();
    assert_eq!(out["files"][0]["party"], "FIN", "{out}");
    let warnings = out["files"][0]["warnings"].to_string();
    assert!(
        warnings.contains("per@privat.example is not at FIN's address"),
        "{out}"
    );
}
