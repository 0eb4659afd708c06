use std::io::Write;

use super::*;

/// A zip of these parts (deflated).
pub(crate) fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut out);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in parts {
            w.start_file(*name, opts).expect("start");
            w.write_all(bytes).expect("write");
        }
        w.finish().expect("finish");
    }
    out.into_inner()
}

pub(crate) const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml""#;

pub(crate) fn document(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W}><w:body>{body}</w:body></w:document>"#
    )
}

pub(crate) fn docx(body: &str, comments: Option<&str>, extended: Option<&str>) -> Vec<u8> {
    let doc = document(body);
    let mut parts: Vec<(&str, Vec<u8>)> = vec![("word/document.xml", doc.into_bytes())];
    if let Some(c) = comments {
        parts.push((
            "word/comments.xml",
            format!(r#"<?xml version="1.0"?><w:comments {W}>{c}</w:comments>"#).into_bytes(),
        ));
    }
    if let Some(x) = extended {
        parts.push((
            "word/commentsExtended.xml",
            format!(r#"<w15:commentsEx {W}>{x}</w15:commentsEx>"#).into_bytes(),
        ));
    }
    let refs: Vec<(&str, &[u8])> = parts.iter().map(|(n, b)| (*n, b.as_slice())).collect();
    zip_of(&refs)
}

#[test]
fn paragraphs_headings_bookmarks_and_text() {
    let body = r#"<w:bookmarkStart w:id="0" w:name="S_mal_1234"/>
<w:p><w:pPr><w:pStyle w:val="Heading2"/></w:pPr><w:r><w:t>2 Mål</w:t></w:r></w:p>
<w:p><w:r><w:t xml:space="preserve">Vi skal </w:t></w:r><w:r><w:tab/><w:t>&amp; mer&#x21;</w:t></w:r></w:p>
<w:bookmarkEnd w:id="0"/>
<w:p><w:r><w:t>Utenfor</w:t></w:r></w:p>"#;
    let d = read_docx("a.docx", &docx(body, None, None)).expect("read");
    assert_eq!(d.paragraphs.len(), 3);
    assert_eq!(d.paragraphs[0].heading, Some(2));
    assert_eq!(d.paragraphs[0].old, "2 Mål");
    assert_eq!(d.paragraphs[1].new, "Vi skal  & mer!");
    assert_eq!(d.paragraphs[1].bookmarks, vec!["S_mal_1234".to_string()]);
    assert!(d.paragraphs[2].bookmarks.is_empty());
}

#[test]
fn tracked_changes_split_old_and_new_text() {
    let body = r#"<w:p><w:r><w:t xml:space="preserve">Målet er </w:t></w:r>
<w:del w:id="1" w:author="Kari" w:date="2026-01-05T10:00:00Z"><w:r><w:delText>50</w:delText></w:r></w:del>
<w:ins w:id="2" w:author="Kari" w:date="2026-01-05T10:00:00Z"><w:r><w:t>80</w:t></w:r></w:ins>
<w:r><w:t xml:space="preserve"> prosent.</w:t></w:r>
<w:r><w:rPr><w:ins w:id="9" w:author="x"/></w:rPr><w:t>!</w:t></w:r></w:p>"#;
    let d = read_docx("a.docx", &docx(body, None, None)).expect("read");
    let p = &d.paragraphs[0];
    assert_eq!(p.old, "Målet er 50 prosent.!");
    assert_eq!(p.new, "Målet er 80 prosent.!");
    assert_eq!(d.changes.len(), 2, "{:?}", d.changes);
    let del = &d.changes[0];
    assert_eq!(del.kind, ChangeKind::Delete);
    assert_eq!(del.text, "50");
    assert_eq!(del.author.as_deref(), Some("Kari"));
    assert_eq!((del.start.old, del.end.old), (10, 12));
    let ins = &d.changes[1];
    assert_eq!(ins.kind, ChangeKind::Insert);
    assert_eq!((ins.start.old, ins.end.old), (12, 12));
    assert_eq!((ins.start.new, ins.end.new), (10, 12));
}

#[test]
fn comments_ranges_and_threads() {
    let body = r#"<w:p><w:r><w:t xml:space="preserve">Første </w:t></w:r><w:commentRangeStart w:id="3"/><w:r><w:t>del</w:t></w:r></w:p>
<w:p><w:r><w:t>andre</w:t></w:r><w:commentRangeEnd w:id="3"/><w:r><w:commentReference w:id="3"/></w:r><w:r><w:commentReference w:id="4"/></w:r></w:p>"#;
    let comments = r#"<w:comment w:id="3" w:author="Kari Nordmann" w:date="2026-01-05T10:00:00Z" w:initials="KN"><w:p w14:paraId="0A"><w:r><w:t>Uklart.</w:t></w:r></w:p></w:comment>
<w:comment w:id="4" w:author="Ola" w:date="2026-01-06T10:00:00Z"><w:p w14:paraId="0B"><w:r><w:annotationRef/><w:t>Enig.</w:t></w:r></w:p></w:comment>"#;
    let ext = r#"<w15:commentEx w15:paraId="0A" w15:done="0"/><w15:commentEx w15:paraId="0B" w15:paraIdParent="0A" w15:done="0"/>"#;
    let d = read_docx("a.docx", &docx(body, Some(comments), Some(ext))).expect("read");
    assert_eq!(d.comments.len(), 2);
    let c = &d.comments[0];
    assert_eq!(c.author.as_deref(), Some("Kari Nordmann"));
    assert_eq!(c.initials.as_deref(), Some("KN"));
    assert_eq!(c.text, "Uklart.");
    assert_eq!(
        c.start,
        Some(Pos {
            para: 0,
            old: 8,
            new: 8
        })
    );
    assert_eq!(
        c.end,
        Some(Pos {
            para: 1,
            old: 5,
            new: 5
        })
    );
    assert_eq!(d.comments[1].parent.as_deref(), Some("3"));
    assert_eq!(d.comments[1].reference.map(|p| p.para), Some(1));
}

#[test]
fn hostile_and_wrong_files_are_refused_by_name() {
    // A DTD with entities (billion laughs).
    let laughs = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><w:document><w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>"#;
    let e = read_docx(
        "x.docx",
        &zip_of(&[("word/document.xml", laughs.as_bytes())]),
    )
    .expect_err("dtd");
    assert!(
        e.to_string()
            .starts_with("x.docx: word/document.xml line 1: a DOCTYPE"),
        "{e}"
    );
    // An undeclared entity without a DTD.
    let doc = document("<w:p><w:r><w:t>&foo;</w:t></w:r></w:p>");
    let e =
        read_docx("x.docx", &zip_of(&[("word/document.xml", doc.as_bytes())])).expect_err("entity");
    assert!(e.to_string().contains("&foo;"), "{e}");
    // Broken XML, with its line.
    let broken = "<w:document>\n<w:body>\n<w:p></w:q>";
    let e = read_docx(
        "x.docx",
        &zip_of(&[
            ("word/document.xml", document("<w:p/>").as_bytes()),
            ("word/comments.xml", broken.as_bytes()),
        ]),
    )
    .expect_err("broken");
    assert!(
        e.to_string()
            .starts_with("x.docx: word/comments.xml line 3: the XML is broken"),
        "{e}"
    );
    // A zip bomb: a part that inflates past the limit, whatever its header says.
    let zeros = vec![b' '; 200_000];
    let bomb = zip_of(&[("word/document.xml", &zeros)]);
    let small = Limits {
        entries: 10,
        part: 100_000,
        total: 150_000,
        archive: 1_000_000,
    };
    let e = read_docx_with("b.docx", &bomb, small).expect_err("bomb");
    assert!(matches!(e, WordError::PartTooLarge { .. }), "{e}");
    assert!(
        e.to_string()
            .contains("word/document.xml expands to more than"),
        "{e}"
    );
    // An entry strategi never reads (a picture) is checked by its declared size too, and
    // by how much it is compressed.
    let body = br#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body/></w:document>"#;
    let big = vec![0u8; 4 << 20];
    let unread = zip_of(&[("word/document.xml", body), ("word/media/big.bin", &big)]);
    let e = read_docx("u.docx", &unread).expect_err("compressed bomb");
    assert!(matches!(e, WordError::Compressed { .. }), "{e}");
    assert!(
        e.to_string().contains("word/media/big.bin is compressed"),
        "{e}"
    );
    let e = read_docx_with(
        "u.docx",
        &unread,
        Limits {
            part: 1 << 20,
            ..Limits::default()
        },
    )
    .expect_err("large entry");
    assert!(
        e.to_string()
            .contains("word/media/big.bin expands to more than"),
        "{e}"
    );
    let many: Vec<(String, Vec<u8>)> = (0..11).map(|i| (format!("f{i}"), vec![])).collect();
    let refs: Vec<(&str, &[u8])> = many
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let e = read_docx_with("m.docx", &zip_of(&refs), small).expect_err("entries");
    assert!(
        matches!(e, WordError::TooManyEntries { count: 11, .. }),
        "{e}"
    );
    // Truncated.
    let good = docx("<w:p/>", None, None);
    let e = read_docx("t.docx", &good[..good.len() / 2]).expect_err("truncated");
    assert!(matches!(e, WordError::BrokenZip { .. }), "{e}");
    // OLE: .doc and encrypted.
    let mut ole = OLE_MAGIC.to_vec();
    ole.extend("WordDocument".encode_utf16().flat_map(u16::to_le_bytes));
    assert!(matches!(
        read_docx("d.docx", &ole),
        Err(WordError::BinaryWord { .. })
    ));
    let mut enc = OLE_MAGIC.to_vec();
    enc.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
    assert!(matches!(
        read_docx("e.docx", &enc),
        Err(WordError::Encrypted { .. })
    ));
    // ODT.
    let odt = zip_of(&[("mimetype", b"application/vnd.oasis.opendocument.text")]);
    let e = read_docx("o.docx", &odt).expect_err("odt");
    assert!(
        e.to_string()
            .contains("save it as \"Word 2007-365 (.docx)\""),
        "{e}"
    );
    // Another zip.
    assert!(matches!(
        read_docx("z.docx", &zip_of(&[("a.txt", b"x")])),
        Err(WordError::NotWord { .. })
    ));
    let e = read_docx("p.docx", b"%PDF-1.7").expect_err("pdf");
    assert!(matches!(e, WordError::NotZip { .. }), "{e}");
    assert!(
        e.to_string()
            .starts_with("p.docx is not a Word document (not a zip archive): it is a PDF file;"),
        "{e}"
    );
    assert!(e.hint().is_none());
    let e = read_docx("0.docx", b"").expect_err("empty");
    assert!(matches!(e, WordError::Empty { .. }), "{e}");
}

mod never_panics {
    use proptest::prelude::*;

    use super::*;
    use crate::document::Document;

    const BODY: &str = r#"<w:bookmarkStart w:id="0" w:name="x"/><w:p><w:pPr><w:pStyle w:val="Heading2"/></w:pPr><w:r><w:t>Mål</w:t></w:r></w:p><w:p><w:r><w:t xml:space="preserve">Målet er </w:t></w:r><w:commentRangeStart w:id="1"/><w:del w:id="2" w:author="K"><w:r><w:delText>50 æ</w:delText></w:r></w:del><w:ins w:id="3" w:author="K"><w:r><w:t> 80&#xA0;</w:t></w:r></w:ins><w:commentRangeEnd w:id="1"/><w:r><w:commentReference w:id="1"/><w:t xml:space="preserve"> prosent. Ø.</w:t></w:r></w:p><w:bookmarkEnd w:id="0"/>"#;
    const COMMENTS: &str = r#"<w:comment w:id="1" w:author="A"><w:p w14:paraId="01"><w:r><w:t>Hm.</w:t></w:r></w:p></w:comment>"#;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Mutated XML, and mutated zip bytes, are read or refused: never a panic, and
        /// what is read maps to comments without one either.
        #[test]
        fn mutated_files(ops in prop::collection::vec((any::<usize>(), prop_oneof![Just(b'<'), Just(b'>'), Just(b'"'), Just(b'/'), Just(b' '), any::<u8>()]), 0..12), zip_ops in prop::collection::vec((any::<usize>(), any::<u8>()), 0..3)) {
            let mut body = BODY.as_bytes().to_vec();
            for (at, b) in &ops {
                let i = at % body.len();
                body[i] = *b;
            }
            let body = String::from_utf8_lossy(&body).into_owned();
            let mut bytes = docx(&body, Some(COMMENTS), None);
            let sent = Document::from_text("a.md", "# T\n\n## Mål\n\nMålet er 50 æ prosent. Ø.\n");
            if let Ok(d) = read_docx("m.docx", &bytes) {
                let _ = crate::word::import::comments_of(&d, &sent, "m.docx");
            }
            for (at, b) in &zip_ops {
                let i = at % bytes.len();
                bytes[i] = *b;
            }
            if let Ok(d) = read_docx("m.docx", &bytes) {
                let _ = crate::word::import::comments_of(&d, &sent, "m.docx");
            }
        }
    }
}
