//! The version's pages (issue 16): `version export --format html|md` and the copies
//! letters attach, on the shipped draft (`strategy/`). Every page is parsed with an
//! HTML5 parser ([`Page::parse`] fails on any parse error) and asked what a reader
//! sees: the letterhead, the table of contents and where its links go, the section
//! numbers, the language, and outside text shown as text.

use mail_parser::{MessageParser, MimeHeaders};

use strategi::document::{Document, SourceFile};

use crate::common::TestEnv;
use crate::common::html::Page;
use crate::common::smtp::eml_files;

const OWNER: &str = "Departementenes digitaliseringsorganisasjon";

/// The shipped draft's files, as `strategy/` holds them.
fn shipped() -> Vec<SourceFile> {
    crate::common::shipped_sources("strategy")
}

/// A workspace "ws" (case 24/3095, owner DIO) with DIO, DFD and UD (English) as
/// parties and v1 of the shipped draft, cut on 3 November 2025.
fn case(env: &TestEnv) {
    env.workspace("ws");
    env.add_party("ws", "DIO", OWNER, "postmottak@dio.example", "nb");
    env.add_party(
        "ws",
        "DFD",
        "Digitaliserings- og forvaltningsdepartementet",
        "postmottak@dfd.example",
        "nb",
    );
    env.add_party(
        "ws",
        "UD",
        "Utenriksdepartementet",
        "postmottak@ud.example",
        "en",
    );
    for e in std::fs::read_dir(env.path("ws/strategy")).expect("dir") {
        std::fs::remove_file(e.expect("entry").path()).expect("rm");
    }
    for f in shipped() {
        std::fs::write(env.path(&format!("ws/strategy/{}", f.name)), &f.text).expect("copy");
    }
    env.run_in(
        "ws",
        &["version", "cut", "--label", "Utkast til arbeidsgruppen"],
    )
    .ok();
}

/// Exports `version` of "ws" as HTML to a file and parses it.
#[track_caller]
fn export_page(env: &TestEnv, version: &str, file: &str) -> (String, Page) {
    let out = env.path(file);
    env.run_in(
        "ws",
        &[
            "version",
            "export",
            version,
            "--format",
            "html",
            "--out",
            out.to_str().expect("path"),
            "--force",
        ],
    )
    .ok();
    let html = std::fs::read_to_string(&out).expect("page");
    let page = Page::parse(&html);
    (html, page)
}

/// The one element with id `id`.
#[track_caller]
fn by_id(page: &Page, id: &str) -> usize {
    let hits: Vec<usize> = page
        .all_elements()
        .into_iter()
        .filter(|&n| page.attr(n, "id") == Some(id))
        .collect();
    assert_eq!(hits.len(), 1, "elements with id {id:?}");
    hits[0]
}

/// The text of the one element of class `class`.
#[track_caller]
fn text_of_class(page: &Page, class: &str) -> String {
    let hits = page.with_class(class);
    assert_eq!(hits.len(), 1, "elements of class {class:?}");
    page.text(hits[0])
}

#[test]
fn the_shipped_version_page_has_a_letterhead_contents_and_numbered_linked_sections() {
    let env = TestEnv::new();
    case(&env);
    let (html, page) = export_page(&env, "v1", "v1.html");
    assert_eq!(page.lang(), Some("nb"));
    assert!(!html.contains("{#"), "a {{#id}} marker is left in the page");

    // The letterhead.
    let head = page.elements("header");
    assert_eq!(head.len(), 1);
    let head_text = page.text(head[0]);
    assert_eq!(text_of_class(&page, "sender"), OWNER);
    assert_eq!(text_of_class(&page, "marking"), "Utkast");
    for want in [
        "Saksnummer24/3095",
        "Dato3. november 2025",
        "Versjonv1 – Utkast til arbeidsgruppen",
        "KI-strategi",
    ] {
        assert!(head_text.contains(want), "{want:?} not in {head_text:?}");
    }

    // Every id is unique, and every link of the contents goes to one of them.
    let ids = page.ids();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "repeated ids in {ids:?}");
    let nav = page.elements("nav");
    assert_eq!(nav.len(), 1);
    let links = page.elements_in(nav[0], "a");
    let targets: Vec<&str> = links
        .iter()
        .filter_map(|&a| page.attr(a, "href"))
        .filter_map(|h| h.strip_prefix('#'))
        .collect();

    // The section numbers are those of the Word copy, the diff and the report
    // (Document::section_numbers), on each heading and in the contents.
    let doc = Document::parse(&shipped());
    let numbers = doc.section_numbers();
    let headings: Vec<_> = doc
        .sections
        .iter()
        .zip(&numbers)
        .filter(|(s, _)| s.level > 0)
        .collect();
    assert!(headings.len() > 30, "{} headings", headings.len());
    assert_eq!(
        targets,
        headings
            .iter()
            .map(|(s, _)| s.id.as_str())
            .collect::<Vec<_>>(),
        "the contents list every section, in order"
    );
    for (s, n) in &headings {
        assert!(!n.is_empty(), "{} has no number", s.id);
        let h = by_id(&page, &s.id);
        assert_eq!(page.tag(h), format!("h{}", s.level), "{}", s.id);
        assert_eq!(page.text(h), format!("{n} {}", s.title), "{}", s.id);
    }
    let tiltak = by_id(&page, "tiltak-risikovurdering");
    assert_eq!(
        page.text(tiltak),
        "3.4.1 Tiltak 6: Felles mal for risikovurdering"
    );
    let toc_entry = links
        .iter()
        .find(|&&a| page.attr(a, "href") == Some("#tiltak-risikovurdering"))
        .expect("a contents entry for Tiltak 6");
    assert_eq!(
        page.text(*toc_entry),
        "3.4.1 Tiltak 6: Felles mal for risikovurdering"
    );

    // The Word copy numbers its headings the same way.
    let docx = env.path("v1.docx");
    env.run_in(
        "ws",
        &[
            "version",
            "export",
            "v1",
            "--out",
            docx.to_str().expect("path"),
        ],
    )
    .ok();
    let bytes = std::fs::read(&docx).expect("docx");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip archive");
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("word/document.xml").expect("document.xml"),
        &mut xml,
    )
    .expect("UTF-8");
    for (s, n) in &headings {
        let text = format!(">{n} {}<", s.title);
        assert!(xml.contains(&text), "{text:?} not in the Word copy");
    }

    // Print: A4 with margins, page numbers, headings kept with their text, table
    // headers repeated.
    let style = page.text(page.elements("style")[0]);
    for rule in [
        "@page { size: A4; margin: 25mm",
        "counter(page)",
        "break-after: avoid",
        "thead { display: table-header-group; }",
    ] {
        assert!(style.contains(rule), "{rule:?} not in the style sheet");
    }
    assert!(page.elements("script").is_empty());

    // The Markdown copy has no markers either, and keeps every heading.
    let md = env
        .run_in("ws", &["version", "export", "v1", "--format", "md"])
        .ok()
        .stdout;
    assert!(!md.contains("{#"), "{md}");
    assert!(
        md.contains("\n### Tiltak 6: Felles mal for risikovurdering\n"),
        "{md}"
    );
    let again = Document::from_text("v1.md", &md);
    let titles = |d: &Document| -> Vec<String> {
        d.sections
            .iter()
            .filter(|s| s.level > 0)
            .map(|s| s.title.clone())
            .collect()
    };
    assert_eq!(titles(&again), titles(&doc));
}

#[test]
fn an_approved_version_page_says_godkjent_and_a_nynorsk_case_is_in_nynorsk() {
    let env = TestEnv::new();
    case(&env);
    env.run_in("ws", &["--as", "DFD", "approve", "v1"]).ok();
    let (_, page) = export_page(&env, "v1", "v1.html");
    assert_eq!(text_of_class(&page, "marking"), "Godkjent");

    let env = TestEnv::new();
    env.run(&[
        "init",
        "ws",
        "--title",
        "KI-strategi",
        "--owner",
        "DIO",
        "--approver",
        "DFD",
        "--lang",
        "nn",
    ])
    .ok();
    std::fs::write(
        env.path("ws/strategy/01-utkast.md"),
        "# Mål\n\nVi skal lære.\n",
    )
    .expect("draft");
    env.run_in("ws", &["version", "cut", "--label", "Utkast"])
        .ok();
    let (html, page) = export_page(&env, "v1", "v1.html");
    assert_eq!(page.lang(), Some("nn"));
    // Without a case number, and with the owner not listed, the letterhead says what
    // it knows: the owner's code and no empty case number.
    assert_eq!(text_of_class(&page, "sender"), "DIO");
    assert!(!html.contains("Saksnummer"), "{html}");
    assert_eq!(text_of_class(&page, "toc-title"), "Innhald");
    assert_eq!(text_of_class(&page, "marking"), "Utkast");
}

#[test]
fn a_script_in_the_title_the_label_or_the_draft_shows_as_text() {
    let env = TestEnv::new();
    env.run(&[
        "init",
        "ws",
        "--title",
        "KI <script>alert(1)</script>",
        "--owner",
        "DIO",
        "--approver",
        "DFD",
        "--case",
        "24/<b>3095</b>",
    ])
    .ok();
    std::fs::write(
        env.path("ws/strategy/01-utkast.md"),
        "# Mål <script>alert(2)</script> {#mal}\n\nTekst <script>alert(3)</script> og <img src=x onerror=alert(4)>.\n\n\
## Tiltak <script>alert(8)</script>\n\n<script>\nalert(5)\n</script>\n\n[lenke](javascript:alert(6))\n",
    )
    .expect("draft");
    env.run_in(
        "ws",
        &[
            "version",
            "cut",
            "--label",
            "Utkast <script>alert(7)</script>",
        ],
    )
    .ok();
    let (html, page) = export_page(&env, "v1", "v1.html");
    assert!(page.elements("script").is_empty(), "{html}");
    assert!(page.elements("img").is_empty(), "{html}");
    assert!(page.elements("b").is_empty(), "{html}");
    for n in page.all_elements() {
        if let Some(href) = page.attr(n, "href") {
            assert!(href.starts_with('#'), "{href} in {html}");
        }
        assert!(page.attr(n, "onerror").is_none(), "{html}");
    }
    let title = page.text(page.elements("title")[0]);
    assert_eq!(title, "KI <script>alert(1)</script> – v1");
    // A single first heading is the document's title: no number.
    assert_eq!(
        page.text(by_id(&page, "mal")),
        "Mål <script>alert(2)</script>"
    );
    let head = page.text(page.elements("header")[0]);
    for want in [
        "KI <script>alert(1)</script>",
        "24/<b>3095</b>",
        "v1 – Utkast <script>alert(7)</script>",
    ] {
        assert!(head.contains(want), "{want:?} not in {head:?}");
    }
    let main = page.text(page.elements("main")[0]);
    for want in [
        "<script>alert(3)</script>",
        "onerror=alert(4)",
        "alert(5)",
        "lenke",
    ] {
        assert!(main.contains(want), "{want:?} not in {main:?}");
    }
    // The contents entry shows the title as text too.
    let nav = page.text(page.elements("nav")[0]);
    assert!(nav.contains("1 Tiltak <script>alert(8)</script>"), "{nav}");
}

#[test]
fn letters_attach_the_page_in_the_document_language_and_the_form_numbers_sections() {
    let env = TestEnv::new();
    case(&env);
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
            "FIN,UD",
            "--due",
            "2025-11-28",
        ],
    )
    .ok();
    env.run_in("ws", &["--as", "DFD", "round", "send", "latest"])
        .ok();
    let doc = Document::parse(&shipped());
    let numbers = doc.section_numbers();
    let files = eml_files(&env.path("ws/outbox"));
    assert_eq!(files.len(), 2);
    let mut forms = Vec::new();
    for f in &files {
        let raw = std::fs::read(f).expect("eml");
        let msg = MessageParser::default().parse(&raw).expect("a message");
        let part = |suffix: &str| -> String {
            let a = msg
                .attachments()
                .find(|a| a.attachment_name().is_some_and(|n| n.ends_with(suffix)))
                .unwrap_or_else(|| panic!("no {suffix} attachment"));
            String::from_utf8(a.contents().to_vec()).expect("UTF-8")
        };
        let html = part(".html");
        let page = Page::parse(&html);
        // UD reads English, but the document is in bokmål.
        assert_eq!(page.lang(), Some("nb"));
        assert_eq!(text_of_class(&page, "marking"), "Utkast");
        assert_eq!(text_of_class(&page, "sender"), OWNER);
        assert_eq!(
            page.text(by_id(&page, "tiltak-risikovurdering")),
            "3.4.1 Tiltak 6: Felles mal for risikovurdering"
        );
        let md = part(".md");
        assert!(!md.contains("{#"), "{md}");
        forms.push(part(".txt"));
    }
    // Each form names each section by id, then its number and title.
    for form in &forms {
        let key = if form.contains("\nSection: ") {
            "Section"
        } else {
            "Seksjon"
        };
        for (s, n) in doc
            .sections
            .iter()
            .zip(&numbers)
            .filter(|(s, _)| s.level > 0)
        {
            let line = format!("\n{key}: {}   ({n} {})\n", s.id, s.title);
            assert!(form.contains(&line), "{line:?} not in\n{form}");
        }
        assert!(
            form.contains("(3.4.1 Tiltak 6: Felles mal for risikovurdering)"),
            "{form}"
        );
    }
    assert!(forms.iter().any(|f| f.contains("\nSection: ")));
    assert!(forms.iter().any(|f| f.contains("\nSeksjon: ")));
}

/// Issue 16: one section has one number everywhere a person meets it. On the shipped
/// case: the version page, the response form, the comment matrix (for v1, where the
/// round was sent) and the diff and the page of v2 (the revision after the framlegging,
/// which renumbers sections) agree, section by section.
#[test]
fn section_numbers_agree_in_page_form_report_and_diff() {
    let env = TestEnv::new();
    case(&env);
    // The number and title each page shows for a section id.
    let headings = |page: &Page| -> std::collections::BTreeMap<String, String> {
        page.all_elements()
            .into_iter()
            .filter(|&n| matches!(page.tag(n), "h1" | "h2" | "h3" | "h4" | "h5" | "h6"))
            .filter_map(|n| Some((page.attr(n, "id")?.to_string(), page.text(n))))
            .collect()
    };
    let (_, v1_page) = export_page(&env, "v1", "v1.html");
    let v1 = headings(&v1_page);
    let doc = Document::parse(&shipped());
    let numbered: Vec<_> = doc
        .sections
        .iter()
        .zip(doc.section_numbers())
        .filter(|(_, n)| !n.is_empty())
        .map(|(s, n)| (s.id.clone(), format!("{n} {}", s.title)))
        .collect();
    assert!(numbered.len() > 10, "{numbered:?}");
    for (id, shown) in &numbered {
        assert_eq!(v1.get(id), Some(shown), "the v1 page's heading #{id}");
    }
    // The form sent with the round on v1.
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
            "UD",
            "--due",
            "2025-11-28",
        ],
    )
    .ok();
    env.run_in("ws", &["--as", "DFD", "round", "send", "latest"])
        .ok();
    let files = eml_files(&env.path("ws/outbox"));
    let raw = std::fs::read(&files[0]).expect("eml");
    let msg = MessageParser::default().parse(&raw).expect("a message");
    let form = msg
        .attachments()
        .find(|a| a.attachment_name().is_some_and(|n| n.ends_with(".txt")))
        .map(|a| String::from_utf8_lossy(a.contents()).into_owned())
        .expect("the form");
    for (id, shown) in &numbered {
        assert!(
            form.contains(&format!("Section: {id}   ({shown})")),
            "the form's #{id} should read ({shown}):\n{form}"
        );
    }
    // The comment matrix: a comment on three sections, each grouped under its number.
    let picked = ["mal", "tiltak-risikovurdering", "styring-og-okonomi"];
    for id in picked {
        env.run_in(
            "ws",
            &[
                "comment",
                "add",
                "latest",
                "--from",
                "UD",
                "--section",
                id,
                "--text",
                "A comment.",
            ],
        )
        .ok();
    }
    let report = env.run_in("ws", &["report", "latest"]).ok().stdout;
    for id in picked {
        let shown = &numbered.iter().find(|(i, _)| i == id).expect("a section").1;
        assert!(
            report.contains(&format!("### {shown}\n")),
            "the report's #{id} should read {shown}:\n{report}"
        );
    }
    // v2, the revision: its page and the diff v1 → v2 number the sections alike.
    for e in std::fs::read_dir(env.path("ws/strategy")).expect("dir") {
        std::fs::remove_file(e.expect("entry").path()).expect("rm");
    }
    let revision = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/revisjon-1");
    for e in std::fs::read_dir(revision).expect("revision") {
        let p = e.expect("entry").path();
        std::fs::copy(
            &p,
            env.path("ws/strategy").join(p.file_name().expect("name")),
        )
        .expect("copy");
    }
    env.run_in(
        "ws",
        &["version", "cut", "--label", "Revidert etter framlegging"],
    )
    .ok();
    let (_, v2_page) = export_page(&env, "v2", "v2.html");
    let v2 = headings(&v2_page);
    let diff = env
        .run_in("ws", &["--json", "diff", "v1", "v2"])
        .ok()
        .json();
    let mut compared = 0;
    for s in diff["sections"].as_array().expect("sections") {
        let (Some(id), Some(number), Some(title)) = (
            s["id"].as_str(),
            s["number"].as_str(),
            s["new_title"].as_str(),
        ) else {
            continue;
        };
        if number.is_empty() {
            continue;
        }
        assert_eq!(
            v2.get(id),
            Some(&format!("{number} {title}")),
            "the diff's #{id} and the v2 page"
        );
        compared += 1;
    }
    assert!(compared > 10, "{compared} sections compared");
    // The revision moved and added sections: some numbers differ between v1 and v2,
    // so agreeing is not an accident of an unchanged outline.
    assert!(
        v2.iter()
            .any(|(id, h)| v1.get(id).is_some_and(|h1| h1 != h)),
        "some section's number changed"
    );
}
