//! Terminal tables cut and pad by display width (issue 16): names and titles with
//! Norwegian letters, combining accents and wide (CJK, emoji) characters keep the
//! columns after them in line, and a cut ends with an ellipsis inside the column.

use strategi::columns::width;

use crate::common::TestEnv;

/// The display column where the field after the `n`-th run of two or more spaces
/// starts, counted from the start of `line` (fields are separated by at least two
/// spaces; names inside a field have single spaces).
fn field_start(line: &str, n: usize) -> usize {
    let mut runs = 0;
    let mut in_run = 0;
    for (i, c) in line.char_indices() {
        if c == ' ' {
            in_run += 1;
            continue;
        }
        if in_run >= 2 && i > in_run {
            runs += 1;
            if runs == n {
                return width(&line[..i]);
            }
        }
        in_run = 0;
    }
    panic!("no field {n} in {line:?}")
}

/// A case whose parties and milestones have wide and combining text.
fn wide_case(env: &TestEnv) {
    env.workspace_with_version("ws");
    // The owner sends the rounds.
    env.add_party(
        "ws",
        "DIO",
        "Digitaliseringsdirektoratet",
        "postmottak@dio.example",
        "nb",
    );
    // Sámi with combining accents (a + U+0301), a long name with æøå, CJK, an emoji.
    env.add_party(
        "ws",
        "SAM",
        "Sa\u{301}medikki – Sa\u{301}mediggi",
        "post@sametinget.example",
        "nb",
    );
    env.add_party(
        "ws",
        "NFD",
        "Nærings- og fiskeridepartementet, Kyst- og havbruksavdelingen, seksjon for økonomi",
        "postmottak@nfd.example",
        "nn",
    );
    env.add_party("ws", "JPN", "日本国デジタル庁", "info@jp.example", "en");
    for (id, title, due) in [
        (
            "sami",
            "Møte i Sa\u{301}mediggi om e\u{301}n felles mal",
            "2025-11-20",
        ),
        ("cjk", "日本語の資料を翻訳する 📄", "2025-11-21"),
        (
            "lang",
            "Forhåndsvarsel til Kommunal- og distriktsdepartementet om økte kostnader for å gjøre alt",
            "2025-11-24",
        ),
    ] {
        env.run_in(
            "ws",
            &[
                "milestone",
                "add",
                id,
                "--title",
                title,
                "--due",
                due,
                "--owner",
                "DIO",
            ],
        )
        .ok();
    }
}

#[test]
fn deadlines_line_up_by_display_width_and_cut_with_an_ellipsis() {
    let env = TestEnv::new();
    wide_case(&env);
    let out = env.run_in("ws", &["deadlines"]).ok().stdout;
    let rows: Vec<&str> = out.lines().filter(|l| l.starts_with("  20")).collect();
    assert_eq!(rows.len(), 4, "{out}");
    // Date, id, title, state: the state starts in the same column on every row.
    let starts: Vec<usize> = rows.iter().map(|l| field_start(l, 3)).collect();
    assert!(starts.windows(2).all(|w| w[0] == w[1]), "{starts:?}\n{out}");
    // The title column is 48 wide; the long title is cut inside it with an ellipsis,
    // the short ones are whole.
    let long = rows
        .iter()
        .find(|l| l.contains("Forhåndsvarsel"))
        .expect("long title");
    assert!(
        long.contains("Forhåndsvarsel til Kommunal- og distriktsdepart…  "),
        "{long}"
    );
    assert!(
        out.contains("Møte i Sa\u{301}mediggi om e\u{301}n felles mal  "),
        "{out}"
    );
    assert!(out.contains("日本語の資料を翻訳する 📄  "), "{out}");
    insta::assert_snapshot!("deadlines-wide-text", out);
}

#[test]
fn round_show_lines_up_party_names_by_display_width() {
    let env = TestEnv::new();
    wide_case(&env);
    env.run_in(
        "ws",
        &[
            "round",
            "open",
            "--version",
            "v1",
            "--to",
            "all",
            "--due",
            "2025-11-24",
        ],
    )
    .ok();
    let out = env.run_in("ws", &["round", "show", "latest"]).ok().stdout;
    let rows: Vec<&str> = out
        .lines()
        .filter(|l| {
            ["FIN", "KDD", "DFD", "SAM", "NFD", "JPN"]
                .iter()
                .any(|c| l.starts_with(&format!("  {c} ")))
        })
        .collect();
    for code in ["FIN", "KDD", "SAM", "NFD", "JPN"] {
        assert!(
            rows.iter().any(|l| l.starts_with(&format!("  {code} "))),
            "{code}: {out}"
        );
    }
    // Code, name, state: the state starts in the same column on every row.
    let starts: Vec<usize> = rows.iter().map(|l| field_start(l, 2)).collect();
    assert!(starts.windows(2).all(|w| w[0] == w[1]), "{starts:?}\n{out}");
    // Names are cut to 44 columns with an ellipsis (and no space before it).
    let nfd = rows.iter().find(|l| l.starts_with("  NFD")).expect("NFD");
    assert!(
        nfd.contains("Nærings- og fiskeridepartementet, Kyst- og…   "),
        "{nfd}"
    );
    let jpn = rows.iter().find(|l| l.starts_with("  JPN")).expect("JPN");
    assert!(jpn.contains("日本国デジタル庁  "), "{jpn}");
}

#[test]
fn comment_list_cuts_wide_text_by_display_width() {
    let env = TestEnv::new();
    wide_case(&env);
    env.run_in(
        "ws",
        &[
            "round",
            "open",
            "--version",
            "v1",
            "--to",
            "all",
            "--due",
            "2025-11-24",
        ],
    )
    .ok();
    env.run_in("ws", &["round", "send", "latest"]).ok();
    let text = "日本語のコメントです。".repeat(5);
    env.run_in(
        "ws",
        &[
            "comment",
            "add",
            "latest",
            "--from",
            "JPN",
            "--section",
            "mal",
            "--text",
            &text,
        ],
    )
    .ok();
    env.run_in(
        "ws",
        &[
            "comment",
            "add",
            "latest",
            "--from",
            "SAM",
            "--text",
            "Sa\u{301}mediggi ber om at planen også omtaler samiske språk og kultur i alle kapitlene.",
        ],
    )
    .ok();
    let out = env.run_in("ws", &["comment", "list"]).ok().stdout;
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows.len(), 2, "{out}");
    // Id, decision, party, section, excerpt: the excerpt starts in one column.
    let starts: Vec<usize> = rows.iter().map(|l| field_start(l, 4)).collect();
    assert!(starts.windows(2).all(|w| w[0] == w[1]), "{starts:?}\n{out}");
    for row in &rows {
        let start = row
            .char_indices()
            .find(|(i, _)| width(&row[..*i]) == starts[0])
            .map(|(i, _)| i)
            .expect("excerpt start");
        let excerpt = &row[start..];
        assert!(
            width(excerpt) <= 60,
            "{excerpt:?} is {} wide",
            width(excerpt)
        );
        assert!(excerpt.ends_with('…'), "{excerpt:?}");
    }
    // 29 wide characters (58 columns) and the ellipsis: the 30th would make 61.
    assert!(
        out.contains(&format!("{}…", text.chars().take(29).collect::<String>())),
        "{out}"
    );
}
