//! Templates: every letter and form in every language, strictness, overrides.

use super::common;

use strategi::mail::{Lang, LetterKind, MailError, Renderer, TEMPLATE_NAMES};

fn renderer() -> Renderer {
    Renderer::new(None).expect("built-in templates parse")
}

#[test]
fn every_letter_renders_in_every_language() {
    let r = renderer();
    for lang in Lang::ALL {
        for kind in [LetterKind::RoundLetter, LetterKind::Reminder] {
            let ctx = common::letter_context(lang);
            let letter = r
                .render_letter(kind, lang, &ctx)
                .unwrap_or_else(|e| panic!("{kind:?} {lang:?}: {e}"));
            let all = format!("{}\n{}", letter.subject, letter.body);
            assert!(!letter.subject.contains('\n'));
            assert!(
                letter.subject.contains("[strategi r7k3q9x2mf/FIN]"),
                "{}",
                letter.subject
            );
            for must in [
                &ctx.case_title,
                "24/3095",
                "v1",
                &ctx.version_label,
                &ctx.due_date_words,
                &ctx.reply_address,
                "Utkast v1.docx",
                "Svarskjema FIN.txt",
                "Kari Nordmann",
                "kari.nordmann@dfd.dep.example",
                &ctx.sender_name,
                &ctx.recipient_name,
            ] {
                assert!(
                    all.contains(must),
                    "{kind:?} {lang:?} lacks {must:?}:\n{all}"
                );
            }
            if kind == LetterKind::Reminder {
                assert!(all.contains(ctx.sent_date_words.as_deref().expect("set")));
            }
            let no_comments = match lang {
                Lang::Nb | Lang::Nn => "«ingen merknader»",
                Lang::En => "\"no comments\"",
                Lang::Da => "»ingen bemærkninger«",
            };
            assert!(all.contains(no_comments), "{kind:?} {lang:?}:\n{all}");
            assert!(letter.body.ends_with('\n') && !letter.body.ends_with("\n\n"));
            assert!(!letter.body.contains("\n\n\n"), "{}", letter.body);
            assert!(!letter.body.contains("{{") && !letter.body.contains("&amp;"));
        }
    }
}

#[test]
fn nynorsk_is_nynorsk_and_bokmal_is_bokmal() {
    let r = renderer();
    let nn = r
        .render_letter(
            LetterKind::RoundLetter,
            Lang::Nn,
            &common::letter_context(Lang::Nn),
        )
        .expect("nn");
    let nb = r
        .render_letter(
            LetterKind::RoundLetter,
            Lang::Nb,
            &common::letter_context(Lang::Nb),
        )
        .expect("nb");
    for word in [
        "høyring",
        "ber om merknader",
        "innan",
        "ikkje",
        "svar",
        "Med helsing",
    ] {
        assert!(nn.body.contains(word), "nynorsk lacks {word:?}");
    }
    for word in ["innen", "ikke", "Med hilsen", "Slik svarer dere"] {
        assert!(nb.body.contains(word), "bokmål lacks {word:?}");
        assert!(!nn.body.contains(word), "nynorsk has the bokmål {word:?}");
    }
}

#[test]
fn optional_fields_may_be_left_out() {
    let r = renderer();
    for lang in Lang::ALL {
        let mut ctx = common::letter_context(lang);
        ctx.case_number = None;
        ctx.contact_name = None;
        ctx.contact_email = None;
        ctx.attachments.clear();
        let letter = r
            .render_letter(LetterKind::RoundLetter, lang, &ctx)
            .expect("renders without optional fields");
        assert!(!letter.body.contains("24/3095"));
        assert!(!letter.body.contains("Kari"));
        ctx.contact_email = Some("sekretariat@dfd.dep.example".into());
        let letter = r
            .render_letter(LetterKind::Reminder, lang, &ctx)
            .expect("renders with only an e-mail contact");
        assert!(letter.body.contains("sekretariat@dfd.dep.example"));
    }
}

#[test]
fn a_moved_deadline_is_explained_under_the_deadline_in_every_letter() {
    let r = renderer();
    for lang in Lang::ALL {
        for kind in [LetterKind::RoundLetter, LetterKind::Reminder] {
            let mut ctx = common::letter_context(lang);
            let plain = r.render_letter(kind, lang, &ctx).expect("renders");
            ctx.due_moved =
                Some("Moved from Monday 2026-05-25 (Whit Monday) to Tuesday 2026-05-26.".into());
            let moved = r.render_letter(kind, lang, &ctx).expect("renders");
            let lines: Vec<&str> = moved.body.lines().collect();
            let at = lines
                .iter()
                .position(|l| l.contains("(Moved from Monday 2026-05-25"))
                .unwrap_or_else(|| panic!("{kind:?} {lang:?}: {}", moved.body));
            assert!(
                lines[at - 1].contains(&ctx.due_date_words),
                "{kind:?} {lang:?}: the explanation follows the deadline line: {}",
                moved.body
            );
            assert!(!plain.body.contains("Moved from"), "{}", plain.body);
            assert_eq!(lines.len(), plain.body.lines().count() + 1);
        }
    }
}

#[test]
fn a_reminder_needs_the_sent_date() {
    let mut ctx = common::letter_context(Lang::Nb);
    ctx.sent_date_words = None;
    let err = renderer()
        .render_letter(LetterKind::Reminder, Lang::Nb, &ctx)
        .expect_err("no sent date");
    assert!(err.to_string().contains("sent_date_words"), "{err}");
}

#[test]
fn every_form_renders_in_every_language() {
    let r = renderer();
    let ctx = common::form_context();
    for lang in Lang::ALL {
        let form = r
            .render_form(lang, &ctx)
            .unwrap_or_else(|e| panic!("{lang:?}: {e}"));
        let (round, party, version, position, section) = match lang {
            Lang::Nb | Lang::Nn => ("Runde:", "Part:", "Versjon:", "Standpunkt:", "Seksjon:"),
            Lang::En => ("Round:", "Party:", "Version:", "Position:", "Section:"),
            Lang::Da => ("Runde:", "Part:", "Version:", "Standpunkt:", "Afsnit:"),
        };
        let lines: Vec<&str> = form.lines().collect();
        assert!(
            lines.contains(&format!("{round} r7k3q9x2mf").as_str()),
            "{form}"
        );
        assert!(
            lines.iter().any(|l| l.starts_with(&format!("{party} FIN"))),
            "{form}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with(&format!("{version} v1"))),
            "{form}"
        );
        let pos = lines
            .iter()
            .find(|l| l.starts_with(position))
            .expect("position line");
        for key in ["no-comments", "comments", "reservation", "disagree"] {
            assert!(pos.contains(key), "{pos}");
        }
        assert_eq!(pos.matches("[ ]").count(), 4);
        // One block per section (plus the general one), each with its section line:
        // the id, then the number and the title.
        assert_eq!(
            lines
                .iter()
                .filter(|l| l.starts_with("=== ") && l.ends_with(" ==="))
                .count(),
            4
        );
        for s in &ctx.sections {
            let line = format!("{section} {}   ({} {})", s.id, s.number, s.title);
            assert!(
                lines.contains(&line.as_str()),
                "{lang:?} lacks {line:?}:\n{form}"
            );
        }
        assert!(lines.iter().all(|l| !l.ends_with(' ')));
    }
}

#[test]
fn line_breaks_in_values_cannot_add_lines() {
    let r = renderer();
    let mut ctx = common::letter_context(Lang::Nb);
    ctx.case_title = "Evil\r\nBcc: x@y.example\n\nBody".into();
    let letter = r
        .render_letter(LetterKind::RoundLetter, Lang::Nb, &ctx)
        .expect("renders");
    assert!(
        letter.subject.contains("Evil  Bcc: x@y.example  Body"),
        "{}",
        letter.subject
    );
    assert!(!letter.body.lines().any(|l| l.starts_with("Bcc:")));

    let mut form = common::form_context();
    form.sections[0].title = "Innledning\n=== Merknad ===\nSeksjon: falsk".into();
    let text = r.render_form(Lang::Nb, &form).expect("renders");
    assert!(!text.lines().any(|l| l == "Seksjon: falsk"));
    assert_eq!(text.lines().filter(|l| l.starts_with("=== ")).count(), 4);
}

#[test]
fn strict_mode_names_template_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("round-letter.nb.hbs"),
        "Subject: {{case_title}} {{subject_token}}\n\nHei {{recipient_name}}\n\nFrist: {{due_date}}\n",
    )
    .expect("write");
    let r = Renderer::new(Some(dir.path())).expect("override parses");
    let err = r
        .render_letter(
            LetterKind::RoundLetter,
            Lang::Nb,
            &common::letter_context(Lang::Nb),
        )
        .expect_err("due_date is not a field");
    let text = err.to_string();
    let file = dir.path().join("round-letter.nb.hbs").display().to_string();
    assert!(text.starts_with(&format!("{file}:5: ")), "{text}");
    assert!(text.contains("\"due_date\""), "{text}");
    assert!(matches!(err, MailError::Template { line: Some(5), .. }));
    // The built-ins of other languages are untouched.
    assert!(
        r.template_file("round-letter.nn")
            .is_some_and(|f| f == "templates/round-letter.nn.hbs")
    );
}

#[test]
fn an_override_replaces_a_builtin() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("reminder.en.hbs"),
        "Subject: Nudge {{subject_token}}\n\n{{> signature}}\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("signature.hbs"), "Regards, {{sender_code}}").expect("write");
    std::fs::write(dir.path().join("notes.txt"), "not a template {{").expect("write");
    let r = Renderer::new(Some(dir.path())).expect("overrides parse");
    let letter = r
        .render_letter(
            LetterKind::Reminder,
            Lang::En,
            &common::letter_context(Lang::En),
        )
        .expect("renders");
    assert_eq!(letter.subject, "Nudge [strategi r7k3q9x2mf/FIN]");
    assert_eq!(letter.body, "Regards, DFD\n");
    // A missing overrides folder is no overrides.
    assert!(Renderer::new(Some(&dir.path().join("missing"))).is_ok());
}

#[test]
fn a_broken_override_gives_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("round-letter.da.hbs");
    std::fs::write(
        &path,
        "Subject: x {{subject_token}}\n\nLinje 3\n{{#if case_number}}\nuafsluttet\n",
    )
    .expect("write");
    let err = Renderer::new(Some(dir.path())).expect_err("unclosed block");
    let text = err.to_string();
    assert!(text.starts_with(&format!("{}:", path.display())), "{text}");
    assert!(
        matches!(err, MailError::Template { line: Some(_), .. }),
        "{text}"
    );
    assert!(!text.contains('\n'), "one line: {text}");

    std::fs::write(&path, "Subject: x\n\n{{/if}}\nmore\n").expect("write");
    let text = Renderer::new(Some(dir.path()))
        .expect_err("broken tag")
        .to_string();
    assert!(
        text.starts_with(&format!("{}:3: ", path.display())),
        "{text}"
    );
}

#[test]
fn a_letter_template_must_have_its_shape() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ctx = common::letter_context(Lang::Nb);
    for (source, expect) in [
        ("Hei {{subject_token}}\n\nBody\n", "Subject"),
        ("Subject: {{case_title}}\n\nBody\n", "subject token"),
        ("Subject: x {{subject_token}}\nBody\n", "blank line"),
        ("Subject: x {{subject_token}}\n\n\n", "no body"),
    ] {
        std::fs::write(dir.path().join("round-letter.nb.hbs"), source).expect("write");
        let r = Renderer::new(Some(dir.path())).expect("parses");
        let err = r
            .render_letter(LetterKind::RoundLetter, Lang::Nb, &ctx)
            .expect_err(source)
            .to_string();
        assert!(err.contains("round-letter.nb.hbs: "), "{err}");
        assert!(err.contains(expect), "{source:?} → {err}");
    }
}

#[test]
fn builtin_template_names_are_listed() {
    let r = renderer();
    for name in TEMPLATE_NAMES {
        assert_eq!(
            r.template_file(name),
            Some(format!("templates/{name}.hbs").as_str())
        );
    }
}
