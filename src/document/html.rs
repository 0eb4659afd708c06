//! A version as one standalone HTML document, for readers without a Markdown viewer.
//!
//! CommonMark with tables, strikethrough and heading attributes (`{#id}`) through
//! pulldown-cmark. Raw HTML in the Markdown is shown as text, never passed through: the
//! file is sent to other ministries, and nothing in it should run or hide content. The
//! page has no external resources (one inline style sheet), so it opens the same way
//! from an e-mail attachment, an archive or a browser without network.

use pulldown_cmark::{Event, Options, Parser, html};

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
        .map(|event| match event {
            Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
            other => other,
        });
        html::push_html(&mut body, parser);
    }
    body
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
}
