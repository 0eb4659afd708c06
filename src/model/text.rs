//! Checks for text that people give: a one-line title or reason, a comment's free text.

use super::IdError;

/// A one-line text (a title, a reason, a note): trimmed, not empty, no control
/// characters (so it can go into a commit summary or a mail header as it is).
pub fn one_line(text: &str, what: &str) -> Result<String, IdError> {
    let t = text.trim();
    if t.is_empty() || t.chars().any(char::is_control) {
        return Err(IdError(format!("The {what} must be one line of text.")));
    }
    Ok(t.to_string())
}

/// Free text (a comment, a proposal): trimmed, not empty, no control characters but
/// line breaks and tabs; CR LF becomes LF.
pub fn plain_text(text: &str, what: &str) -> Result<String, IdError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(IdError(format!("The {what} is empty.")));
    }
    if t.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(IdError(format!(
            "The {what} contains control characters; give plain text."
        )));
    }
    Ok(t.replace("\r\n", "\n"))
}

/// `s` with its first letter upper case ("høring" → "Høring").
pub fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_refuses_breaks_and_empty() {
        assert_eq!(
            one_line("  Kort frist  ", "reason"),
            Ok("Kort frist".into())
        );
        assert!(one_line("a\nb", "reason").is_err());
        assert!(one_line("   ", "title").is_err());
        assert!(one_line("a\u{7}", "title").is_err());
    }

    #[test]
    fn plain_text_keeps_lines_and_refuses_control_characters() {
        assert_eq!(plain_text("Ja.\r\nNei.", "comment"), Ok("Ja.\nNei.".into()));
        assert!(plain_text("", "comment").is_err());
        assert!(plain_text("a\u{0}b", "comment").is_err());
    }
}
