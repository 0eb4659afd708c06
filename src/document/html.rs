//! A version as one standalone HTML page, for readers without a Markdown viewer and for
//! print: the page `version export --format html` writes and letters attach.
//!
//! The page opens with a letterhead ([`Letterhead`]: sender, case number, the version's
//! date, version and label, "Utkast" or "Godkjent"), then a table of contents, then the
//! document. Every heading the document's parser ([`Document`]) knows carries its
//! section id as `id` and its number from [`Document::section_numbers`] (the numbers the
//! Word copy, the diff, the report and the response form use), and the table of
//! contents links to those ids. `<html lang>` is the document's language. The inline
//! style sheet prints on A4 with margins and page numbers, keeps headings with the text
//! after them and repeats table headers on each page.
//!
//! CommonMark with tables, strikethrough and heading attributes (`{#id}`, taken out of
//! the text) through pulldown-cmark; YAML front matter is left out. Raw HTML in the
//! Markdown is shown as text, never passed through: the file is sent to other
//! ministries, and nothing in it should run or hide content. The page has no style
//! sheet or script from outside (one inline style sheet), so it opens the same way from
//! an e-mail attachment, an archive or a browser without network.
//!
//! Links and images keep only targets that [`is_safe_url`] accepts (`http:`, `https:`,
//! `mailto:` and `#` within the page); any other link is shown as its text, any other
//! image as its description. Heading attributes other than the id and classes (such as
//! `{onclick=…}`) are dropped.

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};

use super::{Document, SourceFile};
use crate::model::Lang;

/// What the head of a version's page says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letterhead {
    /// The document's title (the case's title).
    pub title: String,
    /// The document's language: the page's `lang` and the language of its own words.
    pub lang: Lang,
    /// Who sends the document: the owner party's name.
    pub sender: String,
    /// The case number in the archive, if the case has one.
    pub case_number: Option<String>,
    /// The version's date in words, e.g. "3. november 2025".
    pub date: String,
    /// The version's name, e.g. "v1".
    pub version: String,
    /// The version's label, e.g. "Utkast til arbeidsgruppen".
    pub label: String,
    /// Whether the version is approved ("Godkjent"); otherwise it is a draft ("Utkast").
    pub approved: bool,
}

impl Letterhead {
    /// The marking: "Utkast" until approved, then "Godkjent", in the document's language.
    pub fn marking(&self) -> &'static str {
        marking(self.lang, self.approved)
    }
}

/// The marking of a version in `lang`: "Utkast" until `approved`, then "Godkjent"
/// ("Godkjend" in nynorsk). The page and the Word copy say the same.
pub fn marking(lang: Lang, approved: bool) -> &'static str {
    match (lang, approved) {
        (Lang::Nb | Lang::Nn, false) => "Utkast",
        (Lang::Nb, true) => "Godkjent",
        (Lang::Nn, true) => "Godkjend",
        (Lang::En, false) => "Draft",
        (Lang::En, true) => "Approved",
        (Lang::Da, false) => "Udkast",
        (Lang::Da, true) => "Godkendt",
    }
}

/// The page's own words in `lang`: (case number, date, version, contents).
fn words(lang: Lang) -> (&'static str, &'static str, &'static str, &'static str) {
    match lang {
        Lang::Nb => ("Saksnummer", "Dato", "Versjon", "Innhold"),
        Lang::Nn => ("Saksnummer", "Dato", "Versjon", "Innhald"),
        Lang::En => ("Case number", "Date", "Version", "Contents"),
        Lang::Da => ("Sagsnummer", "Dato", "Version", "Indhold"),
    }
}

/// Renders the files, in order, as the version's page: letterhead, table of contents
/// and the document with numbered, linkable headings.
pub fn version_page(head: &Letterhead, files: &[SourceFile]) -> String {
    let doc = Document::parse(files);
    let numbers = doc.section_numbers();
    let (body, shown) = numbered_body(files, &doc, &numbers);
    let (case_word, date_word, version_word, contents_word) = words(head.lang);
    let mut out = String::with_capacity(body.len() + 4096);
    out.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} – {version}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
        lang = escape(head.lang.code()),
        title = escape(&head.title),
        version = escape(&head.version),
    ));
    // The letterhead.
    out.push_str("<header class=\"letterhead\">\n<div class=\"top\">\n");
    out.push_str(&format!(
        "<p class=\"sender\">{}</p>\n<p class=\"marking\">{}</p>\n</div>\n<dl class=\"meta\">\n",
        escape(&head.sender),
        head.marking()
    ));
    let mut row = |word: &str, value: &str| {
        out.push_str(&format!(
            "<div><dt>{word}</dt><dd>{}</dd></div>\n",
            escape(value)
        ));
    };
    if let Some(number) = head.case_number.as_deref().filter(|n| !n.trim().is_empty()) {
        row(case_word, number);
    }
    row(date_word, &head.date);
    let version = if head.label.trim().is_empty() {
        head.version.clone()
    } else {
        format!("{} – {}", head.version, head.label)
    };
    row(version_word, &version);
    out.push_str(&format!(
        "</dl>\n<p class=\"doc-title\">{}</p>\n</header>\n",
        escape(&head.title)
    ));
    // The table of contents: every numbered heading that is on the page, with the
    // words it shows.
    let entries: Vec<String> = doc
        .sections
        .iter()
        .zip(&numbers)
        .zip(&shown)
        .filter_map(|((s, n), text)| {
            Some((s, n, text.as_deref()?)).filter(|_| s.level > 0 && !n.is_empty())
        })
        .map(|(s, n, text)| {
            format!(
                "<li class=\"toc-{depth}\"><a href=\"#{id}\"><span class=\"secnum\">{n}</span> {title}</a></li>\n",
                depth = n.split('.').count().min(6),
                id = escape(&s.id),
                n = escape(n),
                title = escape(text),
            )
        })
        .collect();
    if !entries.is_empty() {
        out.push_str(&format!(
            "<nav class=\"toc\">\n<p class=\"toc-title\">{contents_word}</p>\n<ol>\n"
        ));
        for e in entries {
            out.push_str(&e);
        }
        out.push_str("</ol>\n</nav>\n");
    }
    out.push_str("<main>\n");
    out.push_str(&body);
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// The Markdown options of the page.
fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
}

/// The HTML of the files' content, in order (what goes inside `<main>`), with each
/// heading of `doc` carrying its section id and its number from `numbers`; and, per
/// section of `doc`, the text its heading shows if it was found on the page (inline
/// markup reduced to its words; the table of contents links only to those).
///
/// Headings are matched to sections by file and line: pulldown-cmark gives each
/// heading's byte range, and [`Document`] each section's first line. A heading the
/// document does not know as a section (one in a block quote or list) keeps its own
/// explicit id, unless that id is a section's, and gets no number.
fn numbered_body(
    files: &[SourceFile],
    doc: &Document,
    numbers: &[String],
) -> (String, Vec<Option<String>>) {
    let mut shown: Vec<Option<String>> = vec![None; doc.sections.len()];
    // The section whose heading is being rendered.
    let mut current: Option<usize> = None;
    let section_ids: HashSet<&str> = doc.sections.iter().map(|s| s.id.as_str()).collect();
    let mut used: HashSet<String> = HashSet::new();
    let mut body = String::new();
    for file in files {
        let headings: HashMap<usize, usize> = doc
            .sections
            .iter()
            .enumerate()
            .filter(|(_, s)| s.level > 0 && s.file == file.name)
            .map(|(i, s)| (s.line, i))
            .collect();
        let line_starts: Vec<usize> = std::iter::once(0)
            .chain(file.text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let line_of = |offset: usize| line_starts.partition_point(|&s| s <= offset);
        let mut events: Vec<Event> = Vec::new();
        // Per link or image entered, whether its tag was kept.
        let mut open: Vec<bool> = Vec::new();
        // Containers entered (block quotes, lists, footnotes): headings inside them are
        // not sections.
        let mut depth = 0usize;
        for (event, range) in Parser::new_ext(&file.text, options()).into_offset_iter() {
            if let Some(text) = current.and_then(|i| shown[i].as_mut()) {
                match &event {
                    Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                        text.push_str(t);
                    }
                    Event::SoftBreak | Event::HardBreak => text.push(' '),
                    Event::End(TagEnd::Heading(_)) => {
                        *text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                        current = None;
                    }
                    _ => {}
                }
            }
            match event {
                Event::Html(raw) | Event::InlineHtml(raw) => events.push(Event::Text(raw)),
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => {
                    let keep = (link_type == pulldown_cmark::LinkType::Email
                        && !dest_url.contains(':'))
                        || is_safe_url(&dest_url);
                    open.push(keep);
                    if keep {
                        events.push(Event::Start(Tag::Link {
                            link_type,
                            dest_url,
                            title,
                            id,
                        }));
                    }
                }
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => {
                    let keep = is_safe_url(&dest_url);
                    open.push(keep);
                    if keep {
                        events.push(Event::Start(Tag::Image {
                            link_type,
                            dest_url,
                            title,
                            id,
                        }));
                    }
                }
                Event::End(end @ (TagEnd::Link | TagEnd::Image)) => {
                    if open.pop().unwrap_or(false) {
                        events.push(Event::End(end));
                    }
                }
                Event::Start(
                    tag @ (Tag::BlockQuote(_) | Tag::List(_) | Tag::FootnoteDefinition(_)),
                ) => {
                    depth += 1;
                    events.push(Event::Start(tag));
                }
                Event::End(
                    end @ (TagEnd::BlockQuote(_) | TagEnd::List(_) | TagEnd::FootnoteDefinition),
                ) => {
                    depth = depth.saturating_sub(1);
                    events.push(Event::End(end));
                }
                Event::Start(Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs: _,
                }) => {
                    let section = (depth == 0)
                        .then(|| headings.get(&line_of(range.start)))
                        .flatten()
                        .copied()
                        .filter(|&i| doc.sections[i].level == level as u8);
                    let (id, number) = match section {
                        Some(i) => {
                            shown[i] = Some(String::new());
                            current = Some(i);
                            let s = &doc.sections[i];
                            used.insert(s.id.clone());
                            (
                                Some(CowStr::from(s.id.clone())),
                                numbers.get(i).filter(|n| !n.is_empty()),
                            )
                        }
                        None => (
                            id.filter(|id| {
                                !section_ids.contains(id.as_ref()) && used.insert(id.to_string())
                            }),
                            None,
                        ),
                    };
                    events.push(Event::Start(Tag::Heading {
                        level,
                        id,
                        classes,
                        attrs: Vec::new(),
                    }));
                    if let Some(n) = number {
                        events.push(Event::Html(CowStr::from(format!(
                            "<span class=\"secnum\">{}</span> ",
                            escape(n)
                        ))));
                    }
                }
                other => events.push(other),
            }
        }
        html::push_html(&mut body, events.into_iter());
    }
    (body, shown)
}

/// Whether a link or image target may stay live in a page strategi writes: `http:`,
/// `https:` or `mailto:` (any case), or `#` and a place in the same page. Judged as a
/// browser reads it: tabs, line breaks and other control characters and spaces are
/// removed first (so `java\tscript:` is `javascript:`; pulldown-cmark has already
/// decoded entities such as `&#09;`). Everything else is refused: `javascript:`,
/// `vbscript:`, `data:`, `file:`, relative paths (they lead nowhere from an attachment)
/// and `//host` or `\\host` (another site, without a scheme).
pub fn is_safe_url(url: &str) -> bool {
    let squeezed: String = url
        .chars()
        .filter(|c| !c.is_control() && !c.is_whitespace())
        .collect();
    let lower = squeezed.to_ascii_lowercase();
    if lower.starts_with('#') {
        return true;
    }
    for scheme in ["http://", "https://"] {
        if let Some(rest) = lower.strip_prefix(scheme) {
            // A host must follow, not more slashes or backslashes.
            return rest.chars().next().is_some_and(|c| c != '/' && c != '\\');
        }
    }
    lower
        .strip_prefix("mailto:")
        .is_some_and(|rest| !rest.is_empty())
}

/// The page's style sheet: for the screen, and for print on A4 (margins, page numbers
/// in the bottom margin where the browser supports page-margin boxes, headings kept with
/// the text after them, table headers repeated on each page, no row split).
const STYLE: &str = "@page { size: A4; margin: 25mm 20mm 22mm 25mm; \
@bottom-right { content: counter(page) \" / \" counter(pages); \
font: 9pt Arial, Helvetica, sans-serif; color: #555; } }\n\
body { font-family: Georgia, 'Times New Roman', serif; max-width: 42em; \
margin: 2em auto; padding: 0 1em; line-height: 1.5; color: #1a1a1a; }\n\
h1, h2, h3, h4, h5, h6 { font-family: Arial, Helvetica, sans-serif; line-height: 1.2; \
break-after: avoid; page-break-after: avoid; break-inside: avoid; page-break-inside: avoid; }\n\
.secnum { margin-right: 0.3em; }\n\
p, li { orphans: 3; widows: 3; }\n\
.letterhead { font-family: Arial, Helvetica, sans-serif; border-bottom: 1px solid #999; \
margin-bottom: 1.5em; padding-bottom: 1em; }\n\
.letterhead .top { display: flex; justify-content: space-between; align-items: baseline; gap: 1em; }\n\
.sender { font-weight: bold; font-size: 1.1em; margin: 0; }\n\
.marking { margin: 0; padding: 0.1em 0.6em; border: 1px solid #1a1a1a; \
text-transform: uppercase; letter-spacing: 0.08em; font-size: 0.9em; }\n\
.meta { display: grid; grid-template-columns: max-content auto; gap: 0.1em 1em; margin: 1em 0; }\n\
.meta div { display: contents; } .meta dt { color: #555; } .meta dd { margin: 0; }\n\
.doc-title { font-size: 1.6em; font-weight: bold; line-height: 1.2; margin: 0.5em 0 0; }\n\
.toc { font-family: Arial, Helvetica, sans-serif; margin-bottom: 2em; }\n\
.toc-title { font-weight: bold; font-size: 1.2em; }\n\
.toc ol { list-style: none; padding-left: 0; }\n\
.toc a { color: inherit; text-decoration: none; }\n\
.toc-2 { padding-left: 1.5em; } .toc-3 { padding-left: 3em; } .toc-4, .toc-5, .toc-6 { padding-left: 4.5em; }\n\
table { border-collapse: collapse; } thead { display: table-header-group; }\n\
tr { break-inside: avoid; page-break-inside: avoid; }\n\
td, th { border: 1px solid #999; padding: 0.2em 0.5em; vertical-align: top; }\n\
blockquote { border-left: 3px solid #ccc; margin-left: 0; padding-left: 1em; color: #444; }\n\
@media print { body { max-width: none; margin: 0; padding: 0; font-size: 11pt; } \
a { color: inherit; text-decoration: none; } .toc { break-after: page; page-break-after: always; } }\n";

/// The start of a page about a case (the diff page, the status page): the document
/// head with `css` inline, then a header naming the case above `heading`, opening the
/// `<dl class="meta">` of facts the caller fills with [`meta_row`] and closes. Text is
/// escaped.
pub fn case_page_start(lang: Lang, case_title: &str, heading: &str, css: &str) -> String {
    let (title, heading) = (escape(case_title), escape(heading));
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{title}: {heading}</title>\n<style>{css}</style>\n</head>\n<body>\n<header>\n<p class=\"case\">{title}</p>\n<h1>{heading}</h1>\n<dl class=\"meta\">\n",
        lang.code()
    )
}

/// One fact of a [`case_page_start`] header: `term` as it is (the page's own word),
/// `value` escaped.
pub fn meta_row(out: &mut String, term: &str, value: &str) {
    out.push_str(&format!("<dt>{term}</dt><dd>{}</dd>\n", escape(value)));
}

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(lang: Lang, approved: bool) -> Letterhead {
        Letterhead {
            title: "Strategi <AI>".into(),
            lang,
            sender: "Departementenes digitaliseringsorganisasjon".into(),
            case_number: Some("24/3095".into()),
            date: "3. november 2025".into(),
            version: "v1".into(),
            label: "Utkast & <b>forslag</b>".into(),
            approved,
        }
    }

    /// What is inside `<main>`.
    fn main_of(page: &str) -> &str {
        let start = page.find("<main>\n").expect("main") + "<main>\n".len();
        let end = page.find("</main>").expect("end of main");
        &page[start..end]
    }

    #[test]
    fn renders_headings_with_ids_and_escapes_raw_html() {
        let files = [SourceFile::new(
            "01.md",
            "# Mål {#mal}\n\nTekst med <script>alert(1)</script> og **fet**.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        )];
        let page = version_page(&head(Lang::Nb, false), &files);
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(page.contains("<html lang=\"nb\">"));
        assert!(page.contains("<title>Strategi &lt;AI&gt; – v1</title>"));
        assert!(
            page.contains("<h1 id=\"mal\"><span class=\"secnum\">1</span> Mål</h1>"),
            "{page}"
        );
        assert!(page.contains("&lt;script&gt;"));
        assert!(!page.contains("<script>"));
        assert!(page.contains("<strong>fet</strong>"));
        assert!(page.contains("<thead>"));
        assert!(!page.contains("{#"), "{page}");
    }

    #[test]
    fn letterhead_names_sender_case_date_version_and_marking_in_the_document_language() {
        let files = [SourceFile::new("01.md", "# Mål\n\nTekst.\n")];
        let page = version_page(&head(Lang::Nb, false), &files);
        for part in [
            "<p class=\"sender\">Departementenes digitaliseringsorganisasjon</p>",
            "<p class=\"marking\">Utkast</p>",
            "<dt>Saksnummer</dt><dd>24/3095</dd>",
            "<dt>Dato</dt><dd>3. november 2025</dd>",
            "<dt>Versjon</dt><dd>v1 – Utkast &amp; &lt;b&gt;forslag&lt;/b&gt;</dd>",
            "<p class=\"toc-title\">Innhold</p>",
        ] {
            assert!(page.contains(part), "{part} in {page}");
        }
        let nn = version_page(&head(Lang::Nn, true), &files);
        assert!(nn.contains("<html lang=\"nn\">"), "{nn}");
        assert!(nn.contains("<p class=\"marking\">Godkjend</p>"), "{nn}");
        assert!(nn.contains("<p class=\"toc-title\">Innhald</p>"), "{nn}");
        let en = version_page(&head(Lang::En, true), &files);
        assert!(en.contains("<p class=\"marking\">Approved</p>"), "{en}");
        assert!(en.contains("<dt>Case number</dt>"), "{en}");
        // Without a case number, the row is left out.
        let mut bare = head(Lang::Nb, true);
        bare.case_number = None;
        let page = version_page(&bare, &files);
        assert!(!page.contains("Saksnummer"), "{page}");
        assert!(page.contains("<p class=\"marking\">Godkjent</p>"), "{page}");
    }

    #[test]
    fn every_heading_has_its_section_number_and_the_contents_link_to_them() {
        let files = [
            SourceFile::new(
                "01.md",
                "# Innledning\n\n## Bakgrunn {#oppdrag}\n\nTekst.\n\nOppsett\n-------\n\n> # Sitat i blokk {#oppdrag}\n",
            ),
            SourceFile::new(
                "02.md",
                "---\ntittel: x\n---\n# Tiltak *nye* <i>\n\n### Dypt\n\n```\n# ikke overskrift\n```\n",
            ),
        ];
        let page = version_page(&head(Lang::Nb, false), &files);
        let body = main_of(&page);
        for part in [
            "<h1 id=\"innledning\"><span class=\"secnum\">1</span> Innledning</h1>",
            "<h2 id=\"oppdrag\"><span class=\"secnum\">1.1</span> Bakgrunn</h2>",
            "<h2 id=\"oppsett\"><span class=\"secnum\">1.2</span> Oppsett</h2>",
            "<h3 id=\"dypt\"><span class=\"secnum\">2.0.1</span> Dypt</h3>",
        ] {
            assert!(body.contains(part), "{part} in {body}");
        }
        assert!(
            body.contains("<span class=\"secnum\">2</span> Tiltak <em>nye</em> &lt;i&gt;</h1>"),
            "{body}"
        );
        // The heading in a block quote is no section: no number, and not the id taken.
        assert!(body.contains("<h1>Sitat i blokk</h1>"), "{body}");
        assert_eq!(page.matches("id=\"oppdrag\"").count(), 1, "{page}");
        // Front matter is no heading and not shown.
        assert!(!body.contains("tittel"), "{body}");
        // The contents: one entry per numbered section, linking to its id.
        let toc = &page[page.find("<nav").expect("toc")..page.find("</nav>").expect("toc end")];
        let hrefs: Vec<&str> = toc
            .split("href=\"#")
            .skip(1)
            .filter_map(|r| r.split('"').next())
            .collect();
        assert_eq!(
            hrefs,
            ["innledning", "oppdrag", "oppsett", "tiltak-nye-i", "dypt"],
            "{toc}"
        );
        for id in &hrefs {
            assert!(body.contains(&format!("id=\"{id}\"")), "{id} in {body}");
        }
        assert!(
            toc.contains(
                "<a href=\"#tiltak-nye-i\"><span class=\"secnum\">2</span> Tiltak nye &lt;i&gt;</a>"
            ),
            "{toc}"
        );
    }

    #[test]
    fn a_document_without_headings_has_no_contents() {
        let page = version_page(
            &head(Lang::En, false),
            &[SourceFile::new("01.md", "Only a preamble.\n")],
        );
        assert!(!page.contains("<nav"), "{page}");
        assert!(main_of(&page).contains("<p>Only a preamble.</p>"), "{page}");
        assert!(page.contains("<p class=\"marking\">Draft</p>"), "{page}");
    }

    #[test]
    fn the_style_sheet_prints_on_a4_with_page_numbers_and_kept_headings() {
        let page = version_page(&head(Lang::Nb, false), &[SourceFile::new("01.md", "# A\n")]);
        for rule in [
            "@page { size: A4; margin:",
            "counter(page)",
            "break-after: avoid",
            "thead { display: table-header-group; }",
        ] {
            assert!(page.contains(rule), "{rule}");
        }
    }

    #[test]
    fn only_http_https_mailto_and_in_page_links_stay_live() {
        for ok in [
            "https://www.regjeringen.no/",
            "HTTP://example.org/a?b#c",
            "mailto:postmottak@dfd.example",
            "#mal",
            " https://example.org",
        ] {
            assert!(is_safe_url(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            " \u{1}javascript:alert(1)",
            "vbscript:msgbox(1)",
            "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
            "file:///etc/passwd",
            "//evil.example/x",
            "\\\\evil.example\\x",
            "https:///evil.example",
            "https:/\\evil.example",
            "kapittel-2.md",
            "/etc/passwd",
            "mailto:",
            "",
        ] {
            assert!(!is_safe_url(bad), "{bad:?}");
        }
    }

    #[test]
    fn dangerous_links_and_images_are_text_and_attributes_are_dropped() {
        let md = "# Mål {#mal onclick=alert(1) style=display:none}\n\n\
[a](javascript:alert(1)) [b](JaVaScRiPt:alert(2)) [c](java&#09;script:alert(3)) \
[d](vbscript:msgbox) [e](data:text/html,x) [f](file:///etc/passwd) [g](//evil.example) \
<javascript:alert(4)> [h](<java\tscript:alert(5)>) [i](&#x6A;avascript:alert(6))\n\n\
![bilde](javascript:alert(7)) ![data](data:image/svg+xml,x) [![inne](javascript:x)](https://ok.example)\n\n\
[god](https://www.regjeringen.no/) [post](mailto:post@dfd.example) <post@dfd.example> [her](#mal)\n\n\
[ref]\n\n[ref]: javascript:alert(8)\n";
        let page = version_page(&head(Lang::Nb, false), &[SourceFile::new("01.md", md)]);
        let body = main_of(&page);
        let lower = body.to_ascii_lowercase();
        for bad in ["onclick", "style=", "src="] {
            assert!(!lower.contains(bad), "{bad} in {body}");
        }
        // Every target left is one of the kept kinds, written out plainly.
        let targets: Vec<&str> = body
            .split("href=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .collect();
        assert_eq!(targets.len(), 5, "{body}");
        for t in targets {
            assert!(
                t.starts_with("https://") || t.starts_with("mailto:") || t.starts_with('#'),
                "{t} in {body}"
            );
        }
        // A dangerous autolink is shown as its text.
        assert!(body.contains("g javascript:alert(4) h"), "{body}");
        assert!(!lower.contains("<img"), "{body}");
        for text in ["a", "b", "c", "d", "e", "f", "g", "h", "i", "bilde", "ref"] {
            assert!(body.contains(text), "{text} in {body}");
        }
        assert!(
            body.contains("<h1 id=\"mal\"><span class=\"secnum\">1</span> Mål</h1>"),
            "{body}"
        );
        assert!(
            body.contains("<a href=\"https://www.regjeringen.no/\">god</a>"),
            "{body}"
        );
        assert!(
            body.contains("<a href=\"mailto:post@dfd.example\">post</a>"),
            "{body}"
        );
        assert!(
            body.contains("<a href=\"mailto:post@dfd.example\">post@dfd.example</a>"),
            "{body}"
        );
        assert!(body.contains("<a href=\"#mal\">her</a>"), "{body}");
        assert!(
            body.contains("<a href=\"https://ok.example\">inne</a>"),
            "{body}"
        );
    }
}
