//! Shared test data.
#![allow(dead_code)]

use strategi::mail::{
    Attachment, FormContext, FormSection, Lang, LetterContext, Mailbox, OutgoingMail, message_id,
};

/// A letter context with every field filled in, in the words of `lang`.
pub fn letter_context(lang: Lang) -> LetterContext {
    let (kind, round_title, label, due, sent) = match lang {
        Lang::Nb => (
            "høring",
            "Høring av utkast til strategi",
            "Utkast til departementshøring",
            "mandag 1. desember 2025",
            "mandag 3. november 2025",
        ),
        Lang::Nn => (
            "høyring",
            "Høyring av utkast til strategi",
            "Utkast til departementshøyring",
            "måndag 1. desember 2025",
            "måndag 3. november 2025",
        ),
        Lang::En => (
            "consultation",
            "Consultation on the draft strategy",
            "Draft for consultation",
            "Monday 1 December 2025",
            "Monday 3 November 2025",
        ),
        Lang::Da => (
            "høring",
            "Høring over udkast til strategi",
            "Udkast til høring",
            "mandag den 1. december 2025",
            "mandag den 3. november 2025",
        ),
    };
    LetterContext {
        case_title: "Strategi for kunstig intelligens i departementsfellesskapet".into(),
        case_number: Some("24/3095".into()),
        our_ref: None,
        our_ref_label: None,
        cite_ref: None,
        sender_name: "Digitaliserings- og forvaltningsdepartementet".into(),
        sender_code: "DFD".into(),
        recipient_name: "Finansdepartementet".into(),
        recipient_code: "FIN".into(),
        round_id: "r7k3q9x2mf".into(),
        round_kind_name: kind.into(),
        round_title: round_title.into(),
        version_name: "v1".into(),
        version_label: label.into(),
        due_date_words: due.into(),
        due_moved: None,
        reply_address: "strategi@dfd.dep.example".into(),
        subject_token: "[strategi r7k3q9x2mf/FIN]".into(),
        attachments: vec!["Utkast v1.docx".into(), "Svarskjema FIN.txt".into()],
        contact_name: Some("Kari Nordmann".into()),
        contact_email: Some("kari.nordmann@dfd.dep.example".into()),
        sent_date_words: Some(sent.into()),
        word_attached: true,
    }
}

/// A form context with three sections.
pub fn form_context() -> FormContext {
    FormContext {
        case_title: "Strategi for kunstig intelligens i departementsfellesskapet".into(),
        round_id: "r7k3q9x2mf".into(),
        round_title: "Høring av utkast til strategi".into(),
        party_code: "FIN".into(),
        party_name: "Finansdepartementet".into(),
        version_name: "v1".into(),
        version_label: "Utkast til departementshøring".into(),
        due_date_words: "mandag 1. desember 2025".into(),
        reply_address: "strategi@dfd.dep.example".into(),
        subject_token: "[strategi r7k3q9x2mf/FIN]".into(),
        sections: vec![
            FormSection {
                id: "innledning".into(),
                number: "1".into(),
                title: "Innledning".into(),
            },
            FormSection {
                id: "mal".into(),
                number: "2".into(),
                title: "Mål og ambisjoner".into(),
            },
            FormSection {
                id: "tiltak-2".into(),
                number: "2.1".into(),
                title: "Tiltak: data på tvers".into(),
            },
        ],
        word_attached: true,
    }
}

/// A message with Norwegian letters everywhere and two attachments.
pub fn mail(to: &str, unique: &str) -> OutgoingMail {
    OutgoingMail {
        from: Mailbox::new("Digitaliserings- og forvaltningsdepartementet", "strategi@dfd.dep.example"),
        reply_to: Some(Mailbox::new("Sekretariatet, \"DFD\" (strategi)", "svar@dfd.dep.example")),
        to: Mailbox::new("Finansdepartementet – postmottak", to),
        subject: "Høring: Strategi for kunstig intelligens (v1) – svarfrist mandag 1. desember 2025 [strategi r7k3q9x2mf/FIN]".into(),
        body_text: "Til Finansdepartementet\n\nVi ber om merknader til utkastet. Æ, ø og å.\n.\nEn linje med bare et punktum over.\n".into(),
        attachments: vec![
            Attachment {
                filename: "Utkast v1 – høringsversjon.pdf".into(),
                content_type: "application/pdf".into(),
                bytes: b"%PDF-1.4\n\x00\x01\x02\xff binary\r\n".to_vec(),
            },
            Attachment {
                filename: "Svarskjema FIN.txt".into(),
                content_type: "text/plain; charset=utf-8".into(),
                bytes: "Runde: r7k3q9x2mf\nPart: FIN\nMerknad: blåbær\n".as_bytes().to_vec(),
            },
        ],
        message_id: message_id("r7k3q9x2mf", "FIN", "dfd.dep.example", unique),
        in_reply_to: None,
        date: "2025-11-03T09:00:00Z".parse().expect("timestamp"),
        extra_headers: vec![
            ("X-Strategi-Round".into(), "r7k3q9x2mf".into()),
            ("X-Strategi-Party".into(), "FIN".into()),
        ],
    }
}
