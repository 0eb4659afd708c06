//! Issue 3: `strategi diff` on the shipped revision pair and on plain files.

use crate::common::TestEnv;

fn two_versions(env: &TestEnv) {
    env.workspace("ws");
    let copy = |from: &str| {
        for e in std::fs::read_dir(env.path("ws/strategy")).expect("dir") {
            std::fs::remove_file(e.expect("entry").path()).expect("rm");
        }
        for e in std::fs::read_dir(from).expect("shipped") {
            let p = e.expect("entry").path();
            std::fs::copy(
                &p,
                env.path("ws/strategy").join(p.file_name().expect("name")),
            )
            .expect("copy");
        }
    };
    copy(concat!(env!("CARGO_MANIFEST_DIR"), "/strategy"));
    env.run_in("ws", &["version", "cut", "--label", "Utkast"])
        .ok();
    copy(concat!(env!("CARGO_MANIFEST_DIR"), "/demo/revisjon-1"));
    env.run_in(
        "ws",
        &["version", "cut", "--label", "Revidert etter framlegging"],
    )
    .ok();
}

#[test]
fn shipped_revision_is_classified_per_section() {
    let env = TestEnv::new();
    two_versions(&env);
    let d = env
        .run_in("ws", &["--json", "diff", "v1", "Revidert"])
        .ok()
        .json();
    let status = |id: &str| -> (String, bool, bool) {
        let s = d["sections"]
            .as_array()
            .expect("sections")
            .iter()
            .find(|s| s["id"] == id)
            .unwrap_or_else(|| panic!("no {id}"));
        (
            s["status"].as_str().unwrap_or_default().to_string(),
            s["moved"] == true,
            s["renamed"] == true,
        )
    };
    // demo/REVISION-NOTES.md lists what the revision did.
    assert!(status("arbeidsgruppe").1, "moved");
    assert!(status("anskaffelser").2, "renamed");
    assert_eq!(status("tiltak-kommuner").0, "added");
    assert_eq!(status("tiltak-plattform").0, "changed");
    // "Data og deling" was only re-wrapped: no change.
    assert_eq!(status("data-og-deling").0, "unchanged");
    assert_eq!(d["summary"]["removed"], 0);
    // The draft equals v2: no changes.
    let none = env.run_in("ws", &["--json", "diff", "v2"]).ok().json();
    assert_eq!(none["summary"]["changed"], 0);
    assert_eq!(none["summary"]["added"], 0);
}

#[test]
fn formats_and_section_filter() {
    let env = TestEnv::new();
    two_versions(&env);
    let text = env
        .run_in(
            "ws",
            &["diff", "v1", "v2", "--section", "tiltak-risikovurdering"],
        )
        .ok()
        .stdout;
    assert!(
        text.contains("[-bør-]{+skal+}") || text.contains("{+skal+}"),
        "{text}"
    );
    assert!(!text.contains("tiltak-plattform"), "{text}");
    let md = env
        .run_in("ws", &["diff", "v1", "v2", "--format", "markdown"])
        .ok()
        .stdout;
    assert!(md.contains("{++") || md.contains("{~~"), "{md}");
    let stat = env
        .run_in("ws", &["diff", "v1", "v2", "--stat"])
        .ok()
        .stdout;
    assert!(
        stat.contains("#tiltak-kommuner") && stat.contains("added"),
        "{stat}"
    );
    env.run_in(
        "ws",
        &[
            "diff",
            "v1",
            "v2",
            "--format",
            "html",
            "--out",
            "endringer.html",
        ],
    )
    .ok();
    let html = std::fs::read_to_string(env.path("ws/endringer.html")).expect("html");
    assert!(
        html.starts_with("<!DOCTYPE html>") || html.starts_with("<!doctype html>"),
        "{}",
        &html[..60]
    );
    assert!(html.contains("<ins") && html.contains("<del"));
    let r = env
        .run_in("ws", &["diff", "v1", "v2", "--section", "tiltak-plattfrom"])
        .refused();
    assert!(r.stderr.contains("tiltak-plattform"), "{}", r.stderr);
}

#[test]
fn plain_files_outside_a_workspace_and_html_escaping() {
    let env = TestEnv::new();
    std::fs::write(env.path("a.md"), "# Mål\n\nVi skal lære.\n").expect("a");
    std::fs::write(
        env.path("b.md"),
        "# Mål\n\nVi skal <script>alert(1)</script> lære   mer.\n",
    )
    .expect("b");
    let text = env.run(&["diff", "--files", "a.md", "b.md"]).ok().stdout;
    assert!(text.contains("{+"), "{text}");
    let html = env
        .run(&["diff", "--files", "a.md", "b.md", "--format", "html"])
        .ok()
        .stdout;
    assert!(
        !html.contains("<script>alert"),
        "HTML must escape text from documents"
    );
    assert!(html.contains("&lt;script&gt;"));
    std::fs::write(env.path("c.md"), b"# M\xe5l\n").expect("latin-1");
    let r = env.run(&["diff", "--files", "a.md", "c.md"]).refused();
    assert!(r.stderr.contains("\"c.md\" is not UTF-8"), "{}", r.stderr);
}

#[test]
fn applying_the_diff_of_the_shipped_revision_rebuilds_it() {
    use strategi::diff::{DiffOptions, apply, diff_documents, outline};
    use strategi::document::Document;
    let load = |dir: &str| Document::parse(&crate::common::shipped_sources(dir));
    let (old, new) = (load("strategy"), load("demo/revisjon-1"));
    for opts in [
        DiffOptions::default(),
        DiffOptions {
            full_text: true,
            ..DiffOptions::default()
        },
    ] {
        let diff = diff_documents(&old, &new, &opts);
        assert_eq!(apply(&old, &diff).expect("applies"), outline(&new));
        let back = diff_documents(&new, &old, &opts);
        assert_eq!(apply(&new, &back).expect("applies"), outline(&old));
    }
}

/// Issue 16: the HTML diff speaks the case's language (here nynorsk), names the case
/// number and both versions with labels and dates, has a legend, and renders a table
/// and a block quote as such, with the changes inside cells and lines.
#[test]
fn html_page_is_in_the_case_language_with_tables_and_quotes() {
    let env = TestEnv::new();
    env.run(&[
        "--now",
        "2025-11-03T09:00:00Z",
        "init",
        "ws",
        "--title",
        "KI-strategi <nn>",
        "--owner",
        "DIO",
        "--approver",
        "DFD",
        "--case",
        "24/3095",
        "--lang",
        "nn",
    ])
    .ok();
    let write = |text: &str| {
        std::fs::write(env.path("ws/strategy/01-utkast.md"), text).expect("write");
    };
    write(
        "# KI-strategi\n\n## Tiltak {#tiltak}\n\n| Tiltak | Ansvar |\n|---|---|\n| Felles mal | DIO |\n| Opplæring | FIN |\n\n> Sitat frå\n> rapporten.\n",
    );
    env.run_in(
        "ws",
        &[
            "--now",
            "2025-11-03T10:00:00Z",
            "version",
            "cut",
            "--label",
            "Utkast",
        ],
    )
    .ok();
    write(
        "# KI-strategi\n\n## Tiltak {#tiltak}\n\n| Tiltak | Ansvar |\n|---|---|\n| Felles mal | DFD |\n| Opplæring | FIN |\n| Nettverk | KDD |\n\n> Sitat frå\n> den nye rapporten.\n",
    );
    env.run_in(
        "ws",
        &[
            "--now",
            "2025-11-24T10:00:00Z",
            "version",
            "cut",
            "--label",
            "Revidert",
        ],
    )
    .ok();
    let html = env
        .run_in("ws", &["diff", "v1", "v2", "--format", "html"])
        .ok()
        .stdout;
    assert!(html.contains("<html lang=\"nn\">"), "{html}");
    // A valid HTML5 page, in the case's language, its table a real table.
    let page = crate::common::html::Page::parse(&html);
    assert_eq!(page.lang(), Some("nn"));
    assert_eq!(page.elements("table").len(), 1, "{html}");
    assert_eq!(page.elements("blockquote").len(), 1, "{html}");
    assert!(html.contains("<h1>Endringar frå v1 til v2</h1>"), "{html}");
    assert!(
        html.contains("<dt>Saksnummer</dt><dd>24/3095</dd>"),
        "{html}"
    );
    assert!(
        html.contains("<dt>Frå</dt><dd>v1 – Utkast – måndag 3. november 2025</dd>"),
        "{html}"
    );
    assert!(
        html.contains("<dt>Til</dt><dd>v2 – Revidert – måndag 24. november 2025</dd>"),
        "{html}"
    );
    assert!(html.contains("Teiknforklaring"), "{html}");
    assert!(html.contains("<h2>Endra seksjonar</h2>"), "{html}");
    assert!(html.contains("KI-strategi &lt;nn&gt;"), "{html}");
    assert!(!html.contains("Changed sections"), "{html}");
    // The table: a header row, the delimiter row left out, the change inside its cell,
    // the new row inserted cell by cell.
    assert!(
        html.contains("<thead><tr><th>Tiltak</th><th>Ansvar</th></tr></thead>"),
        "{html}"
    );
    assert!(!html.contains("|---|"), "{html}");
    assert!(
        html.contains("<td>Felles mal</td><td><del>DIO</del><ins>DFD</ins></td>"),
        "{html}"
    );
    assert!(
        html.contains("<td><ins>Nettverk</ins></td><td><ins>KDD</ins></td>"),
        "{html}"
    );
    // The quote: no `>` markers left, the insertion inside it.
    assert!(
        html.contains(
            "<blockquote><p class=\"t\">Sitat frå <ins>den nye</ins> rapporten.</p></blockquote>"
        ),
        "{html}"
    );
}
