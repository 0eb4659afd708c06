use super::*;
use crate::word::bookmark_name;
use crate::word::read::read_docx;
use crate::word::read::tests::docx;

const SENT: &str = "# Strategi\n\n## Mål {#mal}\n\nMålet er 50 prosent innen 2030. Vi skal samarbeide.\n\n## Tiltak {#tiltak}\n\nTiltak en er viktig. Tiltak to er viktig.\n";

fn p(text: &str) -> String {
    format!(r#"<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>"#)
}

fn h(level: u8, text: &str) -> String {
    format!(
        r#"<w:p><w:pPr><w:pStyle w:val="Heading{level}"/></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"#
    )
}

fn bookmarked(id: &str, n: u32, inner: &str) -> String {
    format!(
        r#"<w:bookmarkStart w:id="{n}" w:name="{}"/>{inner}<w:bookmarkEnd w:id="{n}"/>"#,
        bookmark_name(id)
    )
}

fn run(body: &str, comments: Option<&str>, extended: Option<&str>) -> WordComments {
    let sent = Document::from_text("a.md", SENT);
    let d = read_docx("svar.docx", &docx(body, comments, extended)).expect("read");
    comments_of(&d, &sent, "svar.docx")
}

#[test]
fn the_version_as_sent_has_no_comments() {
    // Without bookmarks, by headings (numbered as written, or not).
    let body = [
        h(1, "Strategi"),
        h(2, "1.1 Mål"),
        p("Målet er 50 prosent innen 2030. Vi skal samarbeide."),
        h(2, "Tiltak"),
        p("Tiltak en er viktig."),
        p("Tiltak to er viktig."),
    ]
    .concat();
    let out = run(&body, None, None);
    assert_eq!(out.comments, vec![], "{:?}", out.warnings);
    // With bookmarks, the front matter outside them ignored.
    let body = [
        p("Utkast – sak 25/123"),
        bookmarked(
            "mal",
            1,
            &[
                h(2, "1 Mål"),
                p("Målet er 50 prosent innen 2030. Vi skal samarbeide."),
            ]
            .concat(),
        ),
        bookmarked(
            "tiltak",
            2,
            &[
                h(2, "2 Tiltak"),
                p("Tiltak en er viktig. Tiltak to er viktig."),
            ]
            .concat(),
        ),
    ]
    .concat();
    assert_eq!(run(&body, None, None).comments, vec![]);
}

#[test]
fn a_comment_quotes_its_range_and_keeps_its_thread() {
    let body = [
        p("Utkast"),
        bookmarked(
            "mal",
            1,
            &[
                h(2, "1 Mål"),
                r#"<w:p><w:r><w:t xml:space="preserve">Målet er </w:t></w:r><w:commentRangeStart w:id="5"/><w:r><w:t>50 prosent</w:t></w:r><w:commentRangeEnd w:id="5"/><w:r><w:commentReference w:id="5"/></w:r><w:r><w:t xml:space="preserve"> innen 2030. Vi skal </w:t></w:r><w:r><w:commentReference w:id="7"/></w:r><w:r><w:t>samarbeide.</w:t></w:r></w:p>"#.to_string(),
            ]
            .concat(),
        ),
    ]
    .concat();
    let comments = r#"<w:comment w:id="5" w:author="Kari" w:date="2026-01-05T10:00:00Z" w:initials="KN"><w:p w14:paraId="01"><w:r><w:t>For lavt.</w:t></w:r></w:p></w:comment>
<w:comment w:id="6" w:author="Ola" w:date="2026-01-05T11:00:00Z"><w:p w14:paraId="02"><w:r><w:t>Enig.</w:t></w:r></w:p></w:comment>
<w:comment w:id="7" w:author="Kari"><w:p w14:paraId="03"><w:r><w:t>Med hvem?</w:t></w:r></w:p></w:comment>"#;
    let ext = r#"<w15:commentEx w15:paraId="01"/><w15:commentEx w15:paraId="02" w15:paraIdParent="01"/><w15:commentEx w15:paraId="03"/>"#;
    let out = run(&body, Some(comments), Some(ext));
    assert_eq!(out.comments.len(), 2, "{:?}", out.comments);
    let c = &out.comments[0];
    assert_eq!(c.section.as_deref(), Some("mal"));
    assert_eq!(
        c.anchor.as_ref().map(|a| a.quote.as_str()),
        Some("50 prosent")
    );
    assert_eq!(c.text, "For lavt.");
    assert_eq!(c.proposal, None);
    assert_eq!(c.origin.author.as_deref(), Some("Kari"));
    assert_eq!(c.origin.initials.as_deref(), Some("KN"));
    assert_eq!(c.origin.replies.len(), 1);
    assert_eq!(c.origin.replies[0].text, "Enig.");
    // A comment on a point anchors to its sentence.
    let point = &out.comments[1];
    assert_eq!(
        point.anchor.as_ref().map(|a| a.quote.as_str()),
        Some("Vi skal samarbeide.")
    );
}

#[test]
fn tracked_changes_become_suggestions_quoted_once_in_their_section() {
    let body = [
        h(2, "Mål"),
        r#"<w:p><w:r><w:t xml:space="preserve">Målet er </w:t></w:r><w:del w:id="1" w:author="Kari" w:date="2026-01-05T10:00:00Z"><w:r><w:delText>50</w:delText></w:r></w:del><w:ins w:id="2" w:author="Kari" w:date="2026-01-05T10:00:00Z"><w:r><w:t>80</w:t></w:r></w:ins><w:r><w:t xml:space="preserve"> prosent innen 2030. Vi skal samarbeide.</w:t></w:r></w:p>"#.to_string(),
        h(2, "Tiltak"),
        r#"<w:p><w:r><w:t xml:space="preserve">Tiltak en er </w:t></w:r><w:ins w:id="3" w:author="Ola"><w:r><w:t xml:space="preserve">svært </w:t></w:r></w:ins><w:r><w:t xml:space="preserve">viktig. Tiltak to er viktig.</w:t></w:r></w:p>"#.to_string(),
    ]
    .concat();
    let out = run(&body, None, None);
    assert_eq!(out.comments.len(), 2, "{:?}", out.comments);
    let r = &out.comments[0];
    assert_eq!(r.origin.kind, WordKind::Replacement);
    assert_eq!(r.section.as_deref(), Some("mal"));
    assert_eq!(r.anchor.as_ref().map(|a| a.quote.as_str()), Some("50"));
    assert_eq!(r.proposal.as_deref(), Some("80"));
    assert_eq!(r.text, "«50» → «80»");
    assert_eq!(r.origin.author.as_deref(), Some("Kari"));
    // An insertion is quoted by the words around it, until they are found once:
    // "er viktig." occurs twice in the section, "en er viktig. Tiltak" once.
    let i = &out.comments[1];
    assert_eq!(i.origin.kind, WordKind::Insertion);
    assert_eq!(i.section.as_deref(), Some("tiltak"));
    assert_eq!(
        i.anchor.as_ref().map(|a| a.quote.as_str()),
        Some("en er viktig. Tiltak")
    );
    assert_eq!(i.proposal.as_deref(), Some("en er svært viktig. Tiltak"));
    assert_eq!(i.text, "+«svært»");
}

#[test]
fn untracked_edits_are_found_by_comparison() {
    let body = [
        h(2, "Mål"),
        p("Målet er 80 prosent innen 2030. Vi skal samarbeide."),
        h(2, "Tiltak"),
        p("Tiltak en er viktig. Tiltak to er viktig."),
    ]
    .concat();
    let out = run(&body, None, None);
    assert_eq!(out.comments.len(), 1, "{:?}", out.comments);
    let e = &out.comments[0];
    assert_eq!(e.origin.kind, WordKind::Edit);
    assert_eq!(e.section.as_deref(), Some("mal"));
    assert_eq!(e.anchor.as_ref().map(|a| a.quote.as_str()), Some("50"));
    assert_eq!(e.proposal.as_deref(), Some("80"));
}

#[test]
fn a_quote_found_nowhere_is_kept_in_the_text() {
    let body = [
        h(2, "Noe annet"),
        r#"<w:p><w:commentRangeStart w:id="1"/><w:r><w:t>Ukjent tekst</w:t></w:r><w:commentRangeEnd w:id="1"/></w:p>"#.to_string(),
    ]
    .concat();
    let comments =
        r#"<w:comment w:id="1" w:author="Kari"><w:p><w:r><w:t>Hva?</w:t></w:r></w:p></w:comment>"#;
    let out = run(&body, Some(comments), None);
    let c = out
        .comments
        .iter()
        .find(|c| c.origin.kind == WordKind::Comment)
        .expect("comment");
    assert_eq!(c.anchor, None);
    assert_eq!(c.section, None);
    assert!(c.text.contains("Hva?"), "{}", c.text);
    assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
}

#[test]
fn sentences_and_widening() {
    let t = "En. To tre! Fire";
    assert_eq!(
        &t[sentence_around(t, 5).0..sentence_around(t, 5).1].trim(),
        &"To tre!"
    );
    assert_eq!(widen("a bc d", 3, 3, 0), (2, 4));
    assert_eq!(widen("a bc d", 2, 2, 0), (0, 4));
    assert_eq!(widen("a bc d", 1, 1, 0), (0, 1));
    assert_eq!(widen("a bc d", 3, 4, 0), (2, 4));
    assert_eq!(widen("a bc d", 3, 3, 1), (0, 6));
}

#[test]
fn nested_section_bookmarks_give_the_innermost_section() {
    // A chapter's bookmark around its subsections: a paragraph is in the innermost.
    let sent = Document::from_text(
        "a.md",
        "# Strategi {#s}\n\nInnledning her.\n\n## Mål {#mal}\n\nMålet er 50 prosent.\n",
    );
    let body = bookmarked(
        "s",
        9,
        &[
            h(1, "1 Strategi"),
            p("Innledning her."),
            bookmarked(
                "mal",
                1,
                &[h(2, "1.1 Mål"), p("Målet er 80 prosent.")].concat(),
            ),
        ]
        .concat(),
    );
    let d = read_docx("n.docx", &docx(&body, None, None)).expect("read");
    let out = comments_of(&d, &sent, "n.docx");
    assert_eq!(out.comments.len(), 1, "{:?}", out.comments);
    assert_eq!(out.comments[0].section.as_deref(), Some("mal"));
    assert_eq!(out.comments[0].proposal.as_deref(), Some("80"));
}
