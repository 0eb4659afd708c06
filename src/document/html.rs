//! A version as one standalone HTML document, for readers without a Markdown viewer.
//!
//! CommonMark with tables, strikethrough and heading attributes (`{#id}`) through
//! pulldown-cmark. Raw HTML in the Markdown is shown as text, never passed through: the
//! file is sent to other ministries, and nothing in it should run or hide content. The
//! page has no style sheet or script from outside (one inline style sheet), so it opens
//! the same way from an e-mail attachment, an archive or a browser without network.
//!
//! Links and images keep only targets that [`is_safe_url`] accepts (`http:`, `https:`,
//! `mailto:` and `#` within the page); any other link is shown as its text, any other
//! image as its description. Heading attributes other than the id and classes (such as
//! `{onclick=…}`) are dropped.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

use super::SourceFile;

/// Renders the files, in order, as one HTML page with `title` and language `lang`
/// (`nb`, `nn`, `en`, …).
pub fn standalone_html(title: &str, lang: &str, subtitle: &str, files: &[SourceFile]) -> String {
    html_page(title, lang, subtitle, &html_body(files))
}

/// The HTML of the files' content, in order (what goes inside `<body>`).
pub fn html_body(files: &[SourceFile]) -> String {
    let mut body = String::new();
    for file in files {
        let parser = Parser::new_ext(
            &file.text,
            Options::ENABLE_TABLES
                | Options::ENABLE_STRIKETHROUGH
                | Options::ENABLE_HEADING_ATTRIBUTES,
        )
        .scan(Vec::new(), |open: &mut Vec<bool>, event| {
            // `open` holds, per link or image entered, whether its tag was kept.
            Some(match event {
                Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
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
                    keep.then_some(Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    }))
                }
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => {
                    let keep = is_safe_url(&dest_url);
                    open.push(keep);
                    keep.then_some(Event::Start(Tag::Image {
                        link_type,
                        dest_url,
                        title,
                        id,
                    }))
                }
                Event::End(end @ (TagEnd::Link | TagEnd::Image)) => {
                    open.pop().unwrap_or(false).then_some(Event::End(end))
                }
                Event::Start(Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs: _,
                }) => Some(Event::Start(Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs: Vec::new(),
                })),
                other => Some(other),
            })
        })
        .flatten();
        html::push_html(&mut body, parser);
    }
    body
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

/// A standalone page around a body made by [`html_body`].
pub fn html_page(title: &str, lang: &str, subtitle: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n\
         <p class=\"subtitle\">{subtitle}</p>\n{body}</body>\n</html>\n",
        lang = escape(lang),
        title = escape(title),
        subtitle = escape(subtitle),
    )
}

const STYLE: &str = "body { font-family: Georgia, 'Times New Roman', serif; max-width: 42em; \
margin: 2em auto; padding: 0 1em; line-height: 1.5; color: #1a1a1a; }\n\
h1, h2, h3, h4 { font-family: Arial, Helvetica, sans-serif; line-height: 1.2; }\n\
.subtitle { font-family: Arial, Helvetica, sans-serif; color: #555; }\n\
table { border-collapse: collapse; } td, th { border: 1px solid #999; padding: 0.2em 0.5em; }\n\
blockquote { border-left: 3px solid #ccc; margin-left: 0; padding-left: 1em; color: #444; }\n";

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

    #[test]
    fn renders_headings_with_ids_and_escapes_raw_html() {
        let files = [SourceFile::new(
            "01.md",
            "# Mål {#mal}\n\nTekst med <script>alert(1)</script> og **fet**.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        )];
        let page = standalone_html("Strategi <AI>", "nb", "v1 – utkast", &files);
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(page.contains("<html lang=\"nb\">"));
        assert!(page.contains("<title>Strategi &lt;AI&gt;</title>"));
        assert!(page.contains("<h1 id=\"mal\">Mål</h1>"), "{page}");
        assert!(page.contains("&lt;script&gt;"));
        assert!(!page.contains("<script>"));
        assert!(page.contains("<strong>fet</strong>"));
        assert!(page.contains("<table>"));
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
        let body = html_body(&[SourceFile::new("01.md", md)]);
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
        assert!(body.contains("<h1 id=\"mal\">Mål</h1>"), "{body}");
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
