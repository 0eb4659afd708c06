//! `round send`, `remind` and `outbox` through the real binary and a real SMTP server
//! (issue 5).

use std::path::Path;

use mail_parser::{MessageParser, MimeHeaders};

use crate::common::TestEnv;
use crate::common::smtp::{Server, eml_files, free_port};

/// The 17 ministries a round goes to in the tests: code, name, language, address local
/// part. One has a name with Norwegian letters only to check RFC 2047 encoding; one
/// address is refused by the test server when `reject` is set.
const PARTIES: [(&str, &str, &str); 17] = [
    ("AID", "Arbeids- og inkluderingsdepartementet", "nb"),
    ("BFD", "Barne- og familiedepartementet", "nb"),
    ("ED", "Energidepartementet", "nb"),
    ("FIN", "Finansdepartementet", "nb"),
    ("FD", "Forsvarsdepartementet", "nb"),
    ("HOD", "Helse- og omsorgsdepartementet", "nb"),
    ("JD", "Justis- og beredskapsdepartementet", "nb"),
    ("KLD", "Klima- og miljødepartementet", "nb"),
    ("KDD", "Kommunal- og distriktsdepartementet", "nn"),
    ("KUD", "Kultur- og likestillingsdepartementet", "nn"),
    ("KD", "Kunnskapsdepartementet", "nb"),
    ("LMD", "Landbruks- og matdepartementet", "nn"),
    ("NFD", "Nærings- og fiskeridepartementet", "nb"),
    ("SD", "Samferdselsdepartementet", "nb"),
    ("UD", "Utenriksdepartementet", "en"),
    ("SMK", "Statsministerens kontor", "nb"),
    (
        "DSS",
        "Departementenes sikkerhets- og serviceorganisasjon – «DSS»",
        "nb",
    ),
];

/// A workspace "ws" with DIO (owner), DFD (approver and sender), the 17 parties, a
/// version v1 and the given mail transport lines under [mail]; `reject` makes one
/// party's address one the test server refuses.
fn case(env: &TestEnv, mail: &str, reject: Option<&str>) {
    env.run(&[
        "init",
        "ws",
        "--title",
        "KI-strategi",
        "--owner",
        "DIO",
        "--approver",
        "DFD",
        "--case",
        "24/3095",
    ])
    .ok();
    env.run_in(
        "ws",
        &[
            "party",
            "add",
            "DFD",
            "--name",
            "Digitaliserings- og forvaltningsdepartementet",
            "--email",
            "strategi@dfd.example",
        ],
    )
    .ok();
    for (code, name, lang) in PARTIES {
        let local = if reject == Some(code) {
            "reject".to_string()
        } else {
            "postmottak".to_string()
        };
        let email = format!("{local}@{}.example", code.to_lowercase());
        env.add_party("ws", code, name, &email, lang);
    }
    std::fs::write(
        env.path("ws/strategy/01-utkast.md"),
        "# KI-strategi {#ki}\n\nInnledning.\n\n## Mål {#mal}\n\nVi skal lære.\n\n## Tiltak {#tiltak}\n\nTiltak 1.\n",
    )
    .expect("write draft");
    env.run_in(
        "ws",
        &["version", "cut", "--label", "Utkast til framlegging"],
    )
    .ok();
    set_mail(env, mail);
    env.run_in(
        "ws",
        &[
            "--as",
            "DFD",
            "round",
            "open",
            "--version",
            "v1",
            "--to",
            "all",
            "--due",
            "2025-11-28",
        ],
    )
    .ok();
}

/// Replaces the [mail] settings of ws/strategi.toml and commits the change with git.
fn set_mail(env: &TestEnv, mail: &str) {
    let path = env.path("ws/strategi.toml");
    let text = std::fs::read_to_string(&path).expect("read config");
    let changed = text.replace("transport = \"outbox\"\n", mail);
    if changed != text {
        std::fs::write(&path, changed).expect("write config");
        env.git("ws", &["commit", "-qam", "Mail settings"]).ok();
    }
}

fn smtp(url: &str) -> String {
    format!("transport = \"smtp\"\nsmtp_url = \"{url}\"\n")
}

fn round_id(env: &TestEnv) -> String {
    env.run_in("ws", &["--json", "round", "list"]).json()[0]["id"]
        .as_str()
        .expect("round id")
        .to_string()
}

fn parse(path: &Path) -> (String, mail_parser::Message<'static>) {
    let bytes = std::fs::read(path).expect("read eml");
    let msg = MessageParser::default()
        .parse(&bytes)
        .unwrap_or_else(|| panic!("{} does not parse", path.display()))
        .into_owned();
    (String::from_utf8_lossy(&bytes).into_owned(), msg)
}

#[test]
fn a_round_to_17_parties_delivers_17_letters_in_their_languages() {
    let env = TestEnv::new();
    let received = env.path("received");
    let server = Server::start(&env.path(""), &received);
    case(&env, &smtp(&server.url()), None);
    let id = round_id(&env);
    let r = env
        .run_in("ws", &["--as", "DFD", "--json", "round", "send", "latest"])
        .ok();
    let j = r.json();
    assert_eq!(j["letters"].as_array().map(Vec::len), Some(17));
    let files = eml_files(&received);
    assert_eq!(files.len(), 17, "the server got {} messages", files.len());
    let mut seen = Vec::new();
    for f in &files {
        let (raw, msg) = parse(f);
        let subject = msg.subject().expect("subject").to_string();
        let to = msg.to().and_then(|a| a.first()).expect("to");
        let address = to.address().expect("to address").to_string();
        let (code, name, lang) = PARTIES
            .iter()
            .find(|(c, _, _)| address == format!("postmottak@{}.example", c.to_lowercase()))
            .unwrap_or_else(|| panic!("unexpected recipient {address}"));
        seen.push(*code);
        assert_eq!(to.name(), Some(*name), "display name of {code}");
        assert!(
            subject.contains(&format!("[strategi {id}/{code}]")),
            "{code}: {subject}"
        );
        let from = msg.from().and_then(|a| a.first()).expect("from");
        assert_eq!(from.address(), Some("strategi@dfd.example"));
        assert_eq!(
            from.name(),
            Some("Digitaliserings- og forvaltningsdepartementet")
        );
        let reply_to = msg.reply_to().and_then(|a| a.first()).expect("reply-to");
        assert_eq!(reply_to.address(), Some("strategi@dfd.example"));
        let body = msg.body_text(0).expect("body").to_string();
        let phrase = match *lang {
            "nn" => "Korleis de svarar",
            "en" => "How to reply",
            _ => "Slik svarer dere",
        };
        assert!(
            body.contains(phrase),
            "{code} ({lang}) letter lacks {phrase:?}:\n{body}"
        );
        let names: Vec<String> = msg
            .attachments()
            .map(|a| a.attachment_name().unwrap_or_default().to_string())
            .collect();
        let form = if *lang == "en" {
            "response-form"
        } else {
            "svarskjema"
        };
        assert_eq!(
            names,
            vec![
                "strategi-v1.docx".to_string(),
                "strategi-v1.md".to_string(),
                "strategi-v1.html".to_string(),
                format!("{form}-{code}-v1.txt"),
                format!(
                    "{}-{code}.ics",
                    if *lang == "en" { "deadline" } else { "frist" }
                ),
            ],
            "{code}"
        );
        // The party's own deadline as a calendar event in its language, with an alarm.
        let ics =
            String::from_utf8_lossy(msg.attachments().nth(4).expect("ics").contents()).into_owned();
        let unfolded = icalendar::parser::unfold(&ics);
        let cal = icalendar::parser::read_calendar(&unfolded).expect("the .ics parses");
        let event = cal
            .components
            .iter()
            .find(|c| c.name == "VEVENT")
            .expect("one event");
        let prop = |name: &str| event.find_prop(name).map(|p| p.val.to_string());
        let summary = match *lang {
            "en" => format!("Due {code}: Answers to interministerial review v1"),
            "nn" => format!("Frist {code}: Svar på framlegging v1"),
            _ => format!("Frist {code}: Svar på foreleggelse v1"),
        };
        assert_eq!(prop("SUMMARY"), Some(summary), "{ics}");
        assert_eq!(prop("DTSTART").as_deref(), Some("20251128"), "{ics}");
        assert!(event.components.iter().any(|a| a.name == "VALARM"), "{ics}");
        assert!(
            prop("DESCRIPTION").is_some_and(|d| d.contains(&format!("[strategi {id}/{code}]"))),
            "{ics}"
        );
        let docx = msg.attachments().next().expect("docx").contents();
        assert!(
            docx.starts_with(b"PK\x03\x04"),
            "{code}: the .docx is a zip archive"
        );
        let html = msg.attachments().nth(2).expect("html").contents();
        let html = String::from_utf8_lossy(html);
        assert!(
            html.contains("<h2 id=\"mal\"><span class=\"secnum\">1</span> Mål</h2>"),
            "{html}"
        );
        // The document's language, whatever the recipient's.
        assert!(html.contains("<html lang=\"nb\">"), "{code}: {html}");
        let form_text = String::from_utf8_lossy(msg.attachments().nth(3).expect("form").contents())
            .into_owned();
        assert!(
            form_text.contains(&id) && form_text.contains(code),
            "{form_text}"
        );
        assert!(
            form_text.contains("tiltak"),
            "the form names the sections: {form_text}"
        );
        // Non-ASCII display names and subjects are RFC 2047 encoded, headers are ASCII.
        let head = raw.split("\r\n\r\n").next().unwrap_or_default();
        assert!(head.is_ascii(), "headers must be ASCII:\n{head}");
        assert!(
            msg.message_id()
                .is_some_and(|m| m.starts_with(&format!("{id}.{code}.")))
        );
    }
    seen.sort_unstable();
    let mut all: Vec<&str> = PARTIES.iter().map(|p| p.0).collect();
    all.sort_unstable();
    assert_eq!(seen, all);

    // Round show counts them as sent and delivered; a re-run sends nothing.
    let show = env
        .run_in("ws", &["--json", "round", "show", "latest"])
        .ok()
        .json();
    assert_eq!(show["counts"]["sent"], 17);
    assert_eq!(show["delivery"]["FIN"]["state"], "sent");
    assert_eq!(show["parties"][0]["status"], "sent");
    let again = env
        .run_in("ws", &["--as", "DFD", "round", "send", "latest"])
        .ok();
    assert!(again.stdout.contains("nothing new"), "{}", again.stdout);
    assert_eq!(eml_files(&received).len(), 17);
    // One commit for the letters, one for their delivery.
    let log = env.git("ws", &["log", "--format=%s", "-3"]).ok().stdout;
    assert!(
        log.starts_with("Record delivery of 17 message(s): 17 sent\nSend round"),
        "{log}"
    );

    // Reminders go to those who have not answered, in their language, as replies.
    let dry = env
        .run_in("ws", &["--as", "DFD", "remind", "latest", "--dry-run"])
        .ok();
    assert!(
        dry.stdout.contains("Would remind 17 parties"),
        "{}",
        dry.stdout
    );
    assert_eq!(eml_files(&received).len(), 17, "--dry-run sends nothing");
    env.run_in(
        "ws",
        &["--as", "DFD", "remind", "latest", "--party", "UD,KDD"],
    )
    .ok();
    let files = eml_files(&received);
    assert_eq!(files.len(), 19);
    for f in &files[17..] {
        let (_, msg) = parse(f);
        assert!(
            msg.in_reply_to().as_text().is_some(),
            "a reminder refers to the letter"
        );
    }
    let show = env
        .run_in("ws", &["--json", "round", "show", "latest"])
        .ok()
        .json();
    let ud = show["parties"]
        .as_array()
        .and_then(|a| a.iter().find(|p| p["party"] == "UD"))
        .expect("UD");
    assert_eq!(ud["status"], "reminded");
    drop(server);
}

#[test]
fn server_down_keeps_letters_queued_and_flush_delivers_each_once() {
    let env = TestEnv::new();
    let port = free_port();
    case(&env, &smtp(&format!("smtp://127.0.0.1:{port}")), None);
    let r = env.run_in("ws", &["--as", "DFD", "round", "send", "latest"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("17 of 17 message(s) were not delivered: 17 still queued"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("outbox flush"), "{}", r.stderr);
    let list = env.run_in("ws", &["--json", "outbox", "list"]).ok().json();
    let entries = list.as_array().expect("entries");
    assert_eq!(entries.len(), 17);
    for e in entries {
        assert_eq!(e["state"]["state"], "queued");
        assert_eq!(e["state"]["attempts"], 1);
        assert!(
            e["state"]["server_response"]
                .as_str()
                .is_some_and(|s| s.contains("127.0.0.1"))
        );
    }
    // The letters are recorded as sent (issued), and sending again writes nothing new.
    let again = env.run_in("ws", &["--as", "DFD", "round", "send", "latest"]);
    assert!(again.stdout.contains("nothing new"), "{}", again.stdout);

    let received = env.path("received");
    let server = Server::start_on(&env.path(""), &received, port);
    let r = env
        .run_in("ws", &["--as", "DFD", "--json", "outbox", "flush"])
        .ok();
    assert_eq!(r.json()["delivery"].as_array().map(Vec::len), Some(17));
    assert_eq!(eml_files(&received).len(), 17);
    let r = env.run_in("ws", &["--as", "DFD", "outbox", "flush"]).ok();
    assert!(r.stdout.contains("Nothing was waiting"), "{}", r.stdout);
    assert_eq!(eml_files(&received).len(), 17, "nothing is sent twice");
    let status = env.git("ws", &["status", "--porcelain"]).ok().stdout;
    assert_eq!(status, "", "every delivery state is committed");
    drop(server);
}

#[test]
fn a_refused_recipient_is_failed_with_the_server_text_and_the_rest_delivered() {
    let env = TestEnv::new();
    env.parties_in_config();
    let received = env.path("received");
    let server = Server::start(&env.path(""), &received);
    case(&env, &smtp(&server.url()), Some("NFD"));
    let r = env.run_in("ws", &["--as", "DFD", "round", "send", "latest"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("NFD   FAILED via SMTP: 550"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("mailbox unavailable"), "{}", r.stdout);
    assert!(
        r.stderr.contains("1 of 17 message(s) were not delivered"),
        "{}",
        r.stderr
    );
    assert_eq!(eml_files(&received).len(), 16);
    let show = env.run_in("ws", &["round", "show", "latest"]).ok();
    assert!(
        show.stdout.contains("letter refused: 550"),
        "{}",
        show.stdout
    );
    // After the address is corrected, send writes a new letter for NFD only.
    let path = env.path("ws/strategi.toml");
    let text = std::fs::read_to_string(&path).expect("config");
    std::fs::write(
        &path,
        text.replace("reject@nfd.example", "postmottak@nfd.example"),
    )
    .expect("write");
    env.git("ws", &["commit", "-qam", "Correct NFD's address"])
        .ok();
    let r = env
        .run_in("ws", &["--as", "DFD", "--json", "round", "send", "latest"])
        .ok();
    let letters = r.json()["letters"].clone();
    assert_eq!(letters.as_array().map(Vec::len), Some(1));
    assert_eq!(letters[0]["party"], "NFD");
    assert_eq!(eml_files(&received).len(), 17);
    drop(server);
}

#[test]
fn the_outbox_transport_writes_files_and_send_is_idempotent() {
    let env = TestEnv::new();
    case(&env, "transport = \"outbox\"\n", None);
    let r = env
        .run_in("ws", &["--as", "DFD", "round", "send", "latest"])
        .ok();
    assert!(r.stdout.contains("for sending by hand"), "{}", r.stdout);
    let emls: Vec<_> = std::fs::read_dir(env.path("ws/outbox"))
        .expect("outbox")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
        .collect();
    assert_eq!(emls.len(), 17);
    let r = env.run_in("ws", &["--as", "DFD", "outbox", "flush"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("transport is \"outbox\""), "{}", r.stderr);
    // Only the sender or the owner may send.
    let r = env.assert_refused_unchanged("ws", &["--as", "FIN", "round", "send", "latest"]);
    assert!(
        r.stderr.contains("FIN may not change round"),
        "{}",
        r.stderr
    );
}

#[test]
fn header_injection_in_a_hand_edited_name_is_refused_and_nothing_changes() {
    let env = TestEnv::new();
    env.parties_in_config();
    case(&env, "transport = \"outbox\"\n", None);
    let path = env.path("ws/strategi.toml");
    let text = std::fs::read_to_string(&path).expect("config");
    std::fs::write(
        &path,
        text.replace(
            "name = \"Finansdepartementet\"",
            "name = \"Finansdepartementet\\r\\nBcc: spy@evil.example\"",
        ),
    )
    .expect("write");
    env.git("ws", &["commit", "-qam", "Hand edit"]).ok();
    let r = env.assert_refused_unchanged("ws", &["--as", "DFD", "round", "send", "latest"]);
    assert!(r.stderr.contains("line break"), "{}", r.stderr);
    assert!(!env.path("ws/outbox").exists());
}

#[test]
fn a_template_error_names_the_file_and_line_and_nothing_changes() {
    let env = TestEnv::new();
    case(&env, "transport = \"outbox\"\n", None);
    std::fs::create_dir_all(env.path("ws/templates")).expect("templates");
    std::fs::write(
        env.path("ws/templates/round-letter.nb.hbs"),
        "Subject: {{round_title}} {{subject_token}}\n\nTil {{recipient_name}}\n\nFrist: {{due_date_wrods}}\n",
    )
    .expect("template");
    let r = env.assert_refused_unchanged("ws", &["--as", "DFD", "round", "send", "latest"]);
    assert!(
        r.stderr.contains("templates/round-letter.nb.hbs:5"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("due_date_wrods"), "{}", r.stderr);
}
