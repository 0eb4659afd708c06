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

/// A move half: `w:moveFrom` (`from`) or `w:moveTo` of `text`, in a move range named
/// `name` when given.
fn moved(from: bool, id: u32, name: Option<&str>, text: &str) -> String {
    let (tag, t) = if from {
        ("moveFrom", "t")
    } else {
        ("moveTo", "t")
    };
    let change = format!(
        r#"<w:{tag} w:id="{}" w:author="Kari" w:date="2026-01-05T10:00:00Z"><w:r><w:{t} xml:space="preserve">{text}</w:{t}></w:r></w:{tag}>"#,
        id + 1
    );
    match name {
        Some(n) => format!(
            r#"<w:{tag}RangeStart w:id="{id}" w:author="Kari" w:date="2026-01-05T10:00:00Z" w:name="{n}"/>{change}<w:{tag}RangeEnd w:id="{id}"/>"#
        ),
        None => change,
    }
}

fn texts_of(d: &crate::word::read::Docx, half: &MoveHalf) -> String {
    half.changes
        .iter()
        .map(|&i| d.changes[i].text.as_str())
        .collect::<Vec<_>>()
        .join("|")
}

#[test]
fn move_halves_pair_by_range_name_then_by_the_same_text() {
    let w = |inner: &str| format!("<w:p>{inner}</w:p>");
    let body = [
        // Named: the names pair them, though the text was edited on the way.
        w(&moved(true, 10, Some("move1"), "Tiltak en er viktig.")),
        // Unnamed, over two paragraphs (end of one, start of the next): one half.
        w(&format!(
            r#"<w:r><w:t xml:space="preserve">Før. </w:t></w:r>{}"#,
            moved(true, 20, None, "Vi skal")
        )),
        w(&moved(true, 22, None, "samarbeide.")),
        // Unnamed with no other half.
        w(&format!(
            r#"<w:r><w:t xml:space="preserve">Så. </w:t></w:r>{}"#,
            moved(true, 30, None, "Ingen andre.")
        )),
        // Unnamed, one move-from and two move-tos of the same text: not clear.
        w(&format!(
            r#"<w:r><w:t xml:space="preserve">Og. </w:t></w:r>{}"#,
            moved(true, 40, None, "To ganger.")
        )),
        w(&format!(
            r#"<w:r><w:t xml:space="preserve">Her: </w:t></w:r>{}"#,
            moved(false, 50, None, "To ganger.")
        )),
        w(&format!(
            r#"<w:r><w:t xml:space="preserve">Der: </w:t></w:r>{}"#,
            moved(false, 52, None, "To ganger.")
        )),
        w(&format!(
            r#"<w:r><w:t xml:space="preserve">Slutt. </w:t></w:r>{}"#,
            moved(false, 60, None, " Vi  skal samarbeide.")
        )),
        w(&moved(
            false,
            70,
            Some("move1"),
            "Tiltak en er svært viktig.",
        )),
    ]
    .concat();
    let d = read_docx("m.docx", &docx(&body, None, None)).expect("read");
    assert_eq!(d.changes[0].name.as_deref(), Some("move1"));
    assert_eq!(d.changes[1].name, None);
    let moves = pair_moves(&d);
    let halves: Vec<(bool, String)> = moves
        .halves
        .iter()
        .map(|h| (h.from, texts_of(&d, h)))
        .collect();
    assert_eq!(
        halves,
        vec![
            (true, "Tiltak en er viktig.".to_string()),
            (true, "Vi skal|samarbeide.".to_string()),
            (true, "Ingen andre.".to_string()),
            (true, "To ganger.".to_string()),
            (false, "To ganger.".to_string()),
            (false, "To ganger.".to_string()),
            (false, " Vi  skal samarbeide.".to_string()),
            (false, "Tiltak en er svært viktig.".to_string()),
        ]
    );
    assert_eq!(moves.pairs, vec![(0, 7), (1, 6)]);
    assert_eq!(moves.partner(7), Some(0));
    assert_eq!(moves.partner(2), None);
    assert_eq!(moves.partner(3), None);
}

#[test]
fn a_tracked_move_is_one_suggestion_with_where_it_goes() {
    for name in [Some("move1"), None] {
        let body = [
            bookmarked(
                "mal",
                1,
                &[
                    h(2, "1 Mål"),
                    format!(
                        r#"<w:p><w:r><w:t xml:space="preserve">Målet er 50 prosent innen 2030. </w:t></w:r>{}</w:p>"#,
                        moved(true, 10, name, "Vi skal samarbeide.")
                    ),
                ]
                .concat(),
            ),
            bookmarked(
                "tiltak",
                2,
                &[
                    h(2, "2 Tiltak"),
                    format!(
                        r#"<w:p><w:r><w:t xml:space="preserve">Tiltak en er viktig. Tiltak to er viktig.</w:t></w:r>{}</w:p>"#,
                        moved(false, 20, name, " Vi skal samarbeide.")
                    ),
                ]
                .concat(),
            ),
        ]
        .concat();
        let out = run(&body, None, None);
        assert_eq!(out.comments.len(), 1, "{name:?}: {:?}", out.comments);
        let m = &out.comments[0];
        assert_eq!(m.origin.kind, WordKind::Move);
        assert_eq!(m.origin.author.as_deref(), Some("Kari"));
        assert_eq!(m.section.as_deref(), Some("mal"));
        assert_eq!(
            m.anchor.as_ref().map(|a| a.quote.as_str()),
            Some("Vi skal samarbeide.")
        );
        assert_eq!(m.proposal.as_deref(), Some(""));
        let to = m.moved_to.as_ref().expect("where it goes");
        assert_eq!(to.section.as_deref(), Some("tiltak"));
        // "viktig." and "er viktig." occur twice in the section; "to er viktig." once.
        assert_eq!(
            to.anchor.as_ref().map(|a| a.quote.as_str()),
            Some("to er viktig.")
        );
        assert_eq!(to.proposal, "to er viktig. Vi skal samarbeide.");
        assert_eq!(
            m.text,
            "«Vi skal samarbeide.» ⇢ tiltak: «to er viktig. Vi skal samarbeide.»"
        );
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    }
}

#[test]
fn a_move_half_without_its_other_half_says_so() {
    let body = [
        h(2, "Mål"),
        format!(
            r#"<w:p><w:r><w:t xml:space="preserve">Målet er 50 prosent innen 2030. </w:t></w:r>{}</w:p>"#,
            moved(true, 10, Some("alone"), "Vi skal samarbeide.")
        ),
        h(2, "Tiltak"),
        p("Tiltak en er viktig. Tiltak to er viktig."),
    ]
    .concat();
    let out = run(&body, None, None);
    assert_eq!(out.comments.len(), 1, "{:?}", out.comments);
    let c = &out.comments[0];
    assert_eq!(c.origin.kind, WordKind::MoveFrom);
    assert_eq!(c.moved_to, None);
    // A deletion as any other: it takes the space before it along, so its quote
    // widens to the word before (a leading "2030." would read as a list marker).
    assert_eq!(
        c.anchor.as_ref().map(|a| a.quote.as_str()),
        Some("innen 2030. Vi skal samarbeide.")
    );
    assert_eq!(c.proposal.as_deref(), Some("innen 2030."));
    assert!(c.text.starts_with("−«Vi skal samarbeide.»"), "{}", c.text);
    assert!(c.text.contains("was not found"), "{}", c.text);
    assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
}

#[test]
fn a_move_within_one_paragraph_is_one_replacement() {
    let body = [
        h(2, "Tiltak"),
        format!(
            r#"<w:p><w:r><w:t xml:space="preserve">Tiltak en er viktig. </w:t></w:r>{}<w:r><w:t xml:space="preserve">Tiltak to er viktig.</w:t></w:r>{}</w:p>"#,
            moved(true, 10, Some("m"), "Tiltak en er viktig. "),
            moved(false, 20, Some("m"), " Tiltak en er viktig.")
        )
        .replacen(r#"<w:r><w:t xml:space="preserve">Tiltak en er viktig. </w:t></w:r>"#, "", 1),
    ]
    .concat();
    let sent = Document::from_text("a.md", SENT);
    let d = read_docx("svar.docx", &docx(&body, None, None)).expect("read");
    assert_eq!(
        d.paragraphs[1].old,
        "Tiltak en er viktig. Tiltak to er viktig."
    );
    assert_eq!(
        d.paragraphs[1].new,
        "Tiltak to er viktig. Tiltak en er viktig."
    );
    let out = comments_of(&d, &sent, "svar.docx");
    assert_eq!(out.comments.len(), 1, "{:?}", out.comments);
    let c = &out.comments[0];
    assert_eq!(c.origin.kind, WordKind::Move);
    assert_eq!(c.moved_to, None);
    assert_eq!(
        c.anchor.as_ref().map(|a| a.quote.as_str()),
        Some("Tiltak en er viktig. Tiltak to er viktig.")
    );
    assert_eq!(
        c.proposal.as_deref(),
        Some("Tiltak to er viktig. Tiltak en er viktig.")
    );
}
