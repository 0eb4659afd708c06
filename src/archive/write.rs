//! From a [`Package`] to the files of a Noark 5 transfer package.

use sha2::{Digest, Sha256};

use super::xml::Xml;
use super::{Kind, Package, Registration, SCHEMAS, Variant, system_id};

const NS_ARKIV: &str = "http://www.arkivverket.no/standarder/noark5/arkivstruktur";
const NS_ENDR: &str = "http://www.arkivverket.no/standarder/noark5/endringslogg";
const NS_LJ: &str = "http://www.arkivverket.no/standarder/noark5/loependeJournal";
const NS_OJ: &str = "http://www.arkivverket.no/standarder/noark5/offentligJournal";
const NS_ADDML: &str = "http://www.arkivverket.no/standarder/addml";
const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// What the public journal shows for a screened name.
pub const SCREENED: &str = "*****";

/// The SHA-256 of `bytes`, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn dt(d: jiff::civil::Date) -> String {
    format!("{d}T00:00:00")
}

/// The package's files, as (path relative to the package folder, bytes), in a fixed
/// order: the documents, the shipped schemas, the four XML files, `arkivuttrekk.xml`
/// last (it holds the checksums of all the others).
pub fn write(p: &Package) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    // Document files: dokumenter/<number>-<document>-<arkiv|original>.<ext>
    let mut paths: Vec<Vec<Vec<String>>> = Vec::new();
    for r in &p.registrations {
        let mut per_doc = Vec::new();
        for (di, d) in r.documents.iter().enumerate() {
            let mut per_file = Vec::new();
            for (fi, f) in d.files.iter().enumerate() {
                let variant = match f.variant {
                    Variant::Archival => "arkiv",
                    Variant::Original => "original",
                };
                let ext = extension(&f.name);
                let path = format!(
                    "dokumenter/{}-{}-{}{}{}",
                    r.number,
                    di + 1,
                    variant,
                    if fi > 1 {
                        format!("-{fi}")
                    } else {
                        String::new()
                    },
                    if ext.is_empty() {
                        String::new()
                    } else {
                        format!(".{ext}")
                    }
                );
                files.push((path.clone(), f.bytes.clone()));
                per_file.push(path);
            }
            per_doc.push(per_file);
        }
        paths.push(per_doc);
    }
    for (name, bytes) in SCHEMAS {
        files.push((name.to_string(), bytes.to_vec()));
    }
    let arkiv = arkivstruktur(p, &paths);
    let endr = endringslogg(p);
    let lj = journal(p, false);
    let oj = journal(p, true);
    files.push(("arkivstruktur.xml".into(), arkiv));
    files.push(("endringslogg.xml".into(), endr));
    files.push(("loependeJournal.xml".into(), lj));
    files.push(("offentligJournal.xml".into(), oj));
    let addml = arkivuttrekk(p, &files);
    files.push(("arkivuttrekk.xml".into(), addml));
    files
}

fn extension(name: &str) -> String {
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    ext.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

fn format_of(name: &str) -> &'static str {
    match extension(name).as_str() {
        "txt" | "md" => "TEXT (UTF-8)",
        "pdf" => "PDF/A",
        "docx" => "DOCX",
        "eml" => "EML",
        "html" | "htm" => "HTML",
        "xlsx" => "XLSX",
        "xml" => "XML",
        _ => "Ukjent",
    }
}

fn party_type(kind: Kind) -> &'static str {
    match kind {
        Kind::Incoming => "Avsender",
        Kind::Outgoing => "Mottaker",
        Kind::Internal => "Intern mottaker",
    }
}

fn parties(p: &Package, r: &Registration) -> Vec<String> {
    if r.parties.is_empty() {
        vec![p.creator_name.clone()]
    } else {
        r.parties.clone()
    }
}

/// The title the public journal shows: the public title, or for a screened entry the
/// title with the parties' names replaced.
pub fn public_title(p: &Package, r: &Registration) -> String {
    if let Some(t) = &r.public_title {
        return t.clone();
    }
    if r.screening.is_some() {
        let mut t = r.title.clone();
        for name in parties(p, r) {
            if !name.is_empty() {
                t = t.replace(&name, SCREENED);
            }
        }
        return t;
    }
    r.title.clone()
}

fn arkivstruktur(p: &Package, paths: &[Vec<Vec<String>>]) -> Vec<u8> {
    let c = &p.case;
    let id = |rec: &str| system_id(&c.id, rec);
    let mut x = Xml::new();
    x.open_attrs(
        "arkiv",
        &[
            ("xmlns", NS_ARKIV),
            ("xmlns:xsi", XSI),
            (
                "xsi:schemaLocation",
                &format!("{NS_ARKIV} arkivstruktur.xsd"),
            ),
        ],
    );
    x.leaf("systemID", &id("arkiv"));
    x.leaf("tittel", &c.series_title);
    x.leaf("arkivstatus", "Avsluttet");
    x.leaf("opprettetDato", &dt(c.opened));
    x.leaf("opprettetAv", &c.responsible);
    x.leaf("avsluttetDato", &dt(c.closed));
    x.leaf("avsluttetAv", &c.responsible);
    x.open("arkivskaper");
    x.leaf("arkivskaperID", &p.creator_id);
    x.leaf("arkivskaperNavn", &p.creator_name);
    x.close();
    x.open("arkivdel");
    x.leaf("systemID", &id("arkivdel"));
    x.leaf("tittel", &c.series_title);
    x.leaf("arkivdelstatus", "Avsluttet periode");
    x.leaf("opprettetDato", &dt(c.opened));
    x.leaf("opprettetAv", &c.responsible);
    x.leaf("avsluttetDato", &dt(c.closed));
    x.leaf("avsluttetAv", &c.responsible);
    x.leaf("arkivperiodeStartDato", &c.opened.to_string());
    x.leaf("arkivperiodeSluttDato", &c.closed.to_string());
    x.open_attrs("mappe", &[("xsi:type", "saksmappe")]);
    x.leaf("systemID", &id("saksmappe"));
    x.leaf("mappeID", &format!("{}/{}", c.year % 100, c.sequence));
    x.leaf("tittel", &c.title);
    x.leaf("opprettetDato", &dt(c.opened));
    x.leaf("opprettetAv", &c.responsible);
    x.leaf("avsluttetDato", &dt(c.closed));
    x.leaf("avsluttetAv", &c.responsible);
    for (ri, r) in p.registrations.iter().enumerate() {
        x.open_attrs("registrering", &[("xsi:type", "journalpost")]);
        x.leaf("systemID", &id(&format!("registrering/{}", r.id)));
        x.leaf("opprettetDato", &dt(r.date));
        x.leaf("opprettetAv", &c.responsible);
        x.leaf("arkivertDato", &dt(c.closed));
        x.leaf("arkivertAv", &c.responsible);
        if let Some(s) = &r.screening {
            x.open("skjerming");
            x.leaf("tilgangsrestriksjon", "Unntatt offentlighet");
            x.leaf("skjermingshjemmel", &s.basis);
            x.leaf("skjermingMetadata", "Skjerming av korrespondansepart");
            x.leaf(
                "skjermingDokument",
                if s.whole {
                    "Hele dokumentet"
                } else {
                    "Deler av dokumentet"
                },
            );
            x.close();
        }
        for (di, d) in r.documents.iter().enumerate() {
            x.open("dokumentbeskrivelse");
            x.leaf("systemID", &id(&format!("dokument/{}/{}", r.id, di + 1)));
            x.leaf(
                "dokumenttype",
                match r.kind {
                    Kind::Incoming => "Uttalelse",
                    Kind::Outgoing => "Brev",
                    Kind::Internal => "Notat",
                },
            );
            x.leaf("dokumentstatus", "Dokumentet er ferdigstilt");
            x.leaf("tittel", &d.title);
            x.leaf("opprettetDato", &dt(r.date));
            x.leaf("opprettetAv", &c.responsible);
            x.leaf(
                "tilknyttetRegistreringSom",
                if di == 0 { "Hoveddokument" } else { "Vedlegg" },
            );
            x.leaf("dokumentnummer", &(di + 1).to_string());
            x.leaf("tilknyttetDato", &dt(r.date));
            x.leaf("tilknyttetAv", &c.responsible);
            for (fi, f) in d.files.iter().enumerate() {
                let path = paths
                    .get(ri)
                    .and_then(|d| d.get(di))
                    .and_then(|f| f.get(fi))
                    .cloned()
                    .unwrap_or_default();
                x.open("dokumentobjekt");
                x.leaf(
                    "systemID",
                    &id(&format!("dokumentobjekt/{}/{}/{}", r.id, di + 1, fi + 1)),
                );
                x.leaf("versjonsnummer", "1");
                x.leaf(
                    "variantformat",
                    match f.variant {
                        Variant::Archival => "Arkivformat",
                        Variant::Original => "Produksjonsformat",
                    },
                );
                x.leaf("format", format_of(&f.name));
                x.leaf("opprettetDato", &dt(r.date));
                x.leaf("opprettetAv", &c.responsible);
                x.leaf("referanseDokumentfil", &path);
                x.leaf("sjekksum", &sha256_hex(&f.bytes));
                x.leaf("sjekksumAlgoritme", "SHA256");
                x.leaf("filstoerrelse", &f.bytes.len().to_string());
                x.close();
            }
            x.close();
        }
        x.leaf("tittel", &r.title);
        let pt = public_title(p, r);
        if pt != r.title {
            x.leaf("offentligTittel", &pt);
        }
        for name in parties(p, r) {
            x.open("korrespondansepart");
            x.leaf("korrespondanseparttype", party_type(r.kind));
            x.leaf("korrespondansepartNavn", &name);
            x.close();
        }
        x.leaf("journalaar", &r.date.year().to_string());
        x.leaf("journalsekvensnummer", &(ri + 1).to_string());
        x.leaf("journalpostnummer", &r.number.to_string());
        x.leaf("journalposttype", r.kind.code());
        x.leaf("journalstatus", "Arkivert");
        x.leaf("journaldato", &r.date.to_string());
        x.leaf("dokumentetsDato", &r.date.to_string());
        match r.kind {
            Kind::Incoming => x.leaf("mottattDato", &dt(r.date)),
            Kind::Outgoing => x.leaf("sendtDato", &dt(r.date)),
            Kind::Internal => {}
        }
        x.close();
    }
    x.leaf("saksaar", &c.year.to_string());
    x.leaf("sakssekvensnummer", &c.sequence.to_string());
    x.leaf("saksdato", &c.opened.to_string());
    x.leaf("administrativEnhet", &c.unit);
    x.leaf("saksansvarlig", &c.responsible);
    x.leaf("saksstatus", "Avsluttet");
    x.finish()
}

fn endringslogg(p: &Package) -> Vec<u8> {
    let c = &p.case;
    let mut x = Xml::new();
    x.open_attrs(
        "endringslogg",
        &[
            ("xmlns", NS_ENDR),
            ("xmlns:xsi", XSI),
            ("xsi:schemaLocation", &format!("{NS_ENDR} endringslogg.xsd")),
        ],
    );
    // The export closes the case file: always the first change.
    x.open("endring");
    x.leaf("referanseArkivenhet", &system_id(&c.id, "saksmappe"));
    x.leaf("referanseMetadata", "saksstatus");
    x.leaf("endretDato", &dt(c.closed));
    x.leaf("endretAv", &c.responsible);
    x.leaf("tidligereVerdi", "Under behandling");
    x.leaf("nyVerdi", "Avsluttet");
    x.close();
    for ch in &p.changes {
        x.open("endring");
        x.leaf(
            "referanseArkivenhet",
            &system_id(&c.id, &format!("registrering/{}", ch.registration)),
        );
        x.leaf("referanseMetadata", &ch.field);
        x.leaf("endretDato", &dt(ch.date));
        x.leaf("endretAv", &ch.by);
        x.leaf("tidligereVerdi", &ch.before);
        x.leaf("nyVerdi", &ch.after);
        x.close();
    }
    x.finish()
}

fn journal(p: &Package, public: bool) -> Vec<u8> {
    let c = &p.case;
    let (root, ns, xsd) = if public {
        ("offentligJournal", NS_OJ, "offentligJournal.xsd")
    } else {
        ("loependeJournal", NS_LJ, "loependeJournal.xsd")
    };
    let mut x = Xml::new();
    x.open_attrs(
        root,
        &[
            ("xmlns", ns),
            ("xmlns:xsi", XSI),
            ("xsi:schemaLocation", &format!("{ns} {xsd}")),
        ],
    );
    x.open("journalhode");
    x.leaf("journalStartDato", &c.opened.to_string());
    x.leaf("journalSluttDato", &c.closed.to_string());
    x.leaf("antallJournalposter", &p.registrations.len().to_string());
    x.open("arkivskaper");
    x.leaf("arkivskaperID", &p.creator_id);
    x.leaf("arkivskaperNavn", &p.creator_name);
    x.close();
    x.close();
    for (ri, r) in p.registrations.iter().enumerate() {
        x.open("journalregistrering");
        x.open("saksmappe");
        x.leaf("saksaar", &c.year.to_string());
        x.leaf("sakssekvensnummer", &c.sequence.to_string());
        if public {
            x.leaf("offentligTittel", &c.title);
        } else {
            x.leaf("tittel", &c.title);
        }
        x.close();
        x.open("journalpost");
        x.leaf(
            "systemID",
            &system_id(&c.id, &format!("registrering/{}", r.id)),
        );
        x.leaf("journalaar", &r.date.year().to_string());
        x.leaf("journalsekvensnummer", &(ri + 1).to_string());
        x.leaf("journalpostnummer", &r.number.to_string());
        let pt = public_title(p, r);
        if public {
            x.leaf("offentligTittel", &pt);
        } else {
            x.leaf("tittel", &r.title);
            if pt != r.title {
                x.leaf("offentligTittel", &pt);
            }
        }
        x.leaf("journaldato", &r.date.to_string());
        x.leaf("dokumentetsDato", &r.date.to_string());
        if let Some(s) = &r.screening {
            x.leaf("tilgangsrestriksjon", "Unntatt offentlighet");
            x.leaf("skjermingshjemmel", &s.basis);
        }
        for name in parties(p, r) {
            x.open("korrespondansepart");
            x.leaf("korrespondanseparttype", party_type(r.kind));
            let shown = if public && r.screening.is_some() {
                SCREENED
            } else {
                name.as_str()
            };
            x.leaf("korrespondansepartNavn", shown);
            x.close();
        }
        x.close();
        x.close();
    }
    x.finish()
}

fn prop(x: &mut Xml, name: &str, value: &str) {
    x.open_attrs("property", &[("name", name)]);
    x.leaf("value", value);
    x.close();
}

fn file_props(x: &mut Xml, name: &str, bytes: &[u8]) {
    x.open_attrs("property", &[("name", "file")]);
    x.open("properties");
    prop(x, "name", name);
    x.open_attrs("property", &[("name", "size")]);
    x.leaf_attrs("value", &[], &bytes.len().to_string());
    x.close();
    x.open_attrs("property", &[("name", "checksum")]);
    x.open("properties");
    prop(x, "algorithm", "SHA-256");
    prop(x, "value", &sha256_hex(bytes));
    x.close();
    x.close();
    x.close();
    x.close();
}

fn arkivuttrekk(p: &Package, files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let c = &p.case;
    let get = |n: &str| {
        files
            .iter()
            .find(|(p, _)| p == n)
            .map(|(_, b)| b.as_slice())
            .unwrap_or(&[])
    };
    let mut x = Xml::new();
    x.open_attrs(
        "addml",
        &[
            ("xmlns", NS_ADDML),
            ("xmlns:xsi", XSI),
            ("xsi:schemaLocation", &format!("{NS_ADDML} addml.xsd")),
            ("name", "Noark 5-arkivuttrekk"),
        ],
    );
    x.open("dataset");
    x.leaf("description", "Noark 5-arkivuttrekk");
    x.open("reference");
    x.open("context");
    x.open("additionalElements");
    x.open_attrs("additionalElement", &[("name", "recordCreators")]);
    x.open("additionalElements");
    x.open_attrs("additionalElement", &[("name", "recordCreator")]);
    x.leaf("value", &p.creator_name);
    x.close();
    x.close();
    x.close();
    x.open_attrs("additionalElement", &[("name", "systemType")]);
    x.leaf("value", "Sakarkiv (Noark-5)");
    x.close();
    x.open_attrs("additionalElement", &[("name", "systemName")]);
    x.leaf("value", &format!("strategi {}", env!("CARGO_PKG_VERSION")));
    x.close();
    x.open_attrs("additionalElement", &[("name", "archive")]);
    x.leaf("value", &c.series_title);
    x.close();
    x.close();
    x.close();
    x.open("content");
    x.open("additionalElements");
    x.open_attrs("additionalElement", &[("name", "archivalPeriod")]);
    x.open("properties");
    prop(&mut x, "startDate", &c.opened.to_string());
    prop(&mut x, "endDate", &c.closed.to_string());
    x.close();
    x.close();
    x.close();
    x.close();
    x.close();
    x.open("dataObjects");
    x.open_attrs("dataObject", &[("name", "Noark 5-arkivuttrekk")]);
    x.open("properties");
    x.open_attrs("property", &[("name", "info")]);
    x.open("properties");
    x.open_attrs("property", &[("name", "type")]);
    x.leaf("value", "Noark 5");
    x.open("properties");
    prop(&mut x, "version", "5.5");
    x.close();
    x.close();
    x.open_attrs("property", &[("name", "additionalInfo")]);
    x.open("properties");
    let screened = p.registrations.iter().any(|r| r.screening.is_some());
    x.open_attrs(
        "property",
        &[
            ("dataType", "boolean"),
            ("name", "inneholderSkjermetInformasjon"),
        ],
    );
    x.leaf("value", if screened { "true" } else { "false" });
    x.close();
    let docs = files
        .iter()
        .filter(|(n, _)| n.starts_with("dokumenter/"))
        .count();
    x.open_attrs(
        "property",
        &[("dataType", "integer"), ("name", "antallDokumentfiler")],
    );
    x.leaf("value", &docs.to_string());
    x.close();
    x.close();
    x.close();
    x.close();
    x.close();
    // The schema of this file itself.
    x.open_attrs("property", &[("name", "schema")]);
    x.open("properties");
    file_props(&mut x, "addml.xsd", get("addml.xsd"));
    x.close();
    x.close();
    x.close();
    x.open("dataObjects");
    let xml_files: [(&str, &str, &[&str]); 4] = [
        (
            "arkivstruktur",
            "arkivstruktur.xml",
            &["arkivstruktur.xsd", "metadatakatalog.xsd"],
        ),
        (
            "endringslogg",
            "endringslogg.xml",
            &["endringslogg.xsd", "metadatakatalog.xsd"],
        ),
        (
            "loependeJournal",
            "loependeJournal.xml",
            &["loependeJournal.xsd", "metadatakatalog.xsd"],
        ),
        (
            "offentligJournal",
            "offentligJournal.xml",
            &["offentligJournal.xsd", "metadatakatalog.xsd"],
        ),
    ];
    for (obj, file, schemas) in xml_files {
        x.open_attrs("dataObject", &[("name", obj)]);
        x.open("properties");
        file_props(&mut x, file, get(file));
        for (i, s) in schemas.iter().enumerate() {
            x.open_attrs("property", &[("name", "schema")]);
            if i == 0 {
                x.leaf("value", "main");
            }
            x.open("properties");
            file_props(&mut x, s, get(s));
            x.close();
            x.close();
        }
        if obj == "arkivstruktur" {
            x.open_attrs("property", &[("name", "info")]);
            x.open("properties");
            for (what, n) in [("mappe", 1usize), ("registrering", p.registrations.len())] {
                x.open_attrs("property", &[("name", "numberOfOccurrences")]);
                x.leaf("value", what);
                x.open("properties");
                prop(&mut x, "elementPath", &format!("//{what}"));
                x.open_attrs("property", &[("dataType", "integer"), ("name", "value")]);
                x.leaf("value", &n.to_string());
                x.close();
                x.close();
                x.close();
            }
            x.close();
            x.close();
        }
        x.close();
        x.close();
    }
    x.open_attrs("dataObject", &[("name", "dokumenter")]);
    x.open("properties");
    for (n, b) in files.iter().filter(|(n, _)| n.starts_with("dokumenter/")) {
        file_props(&mut x, n, b);
    }
    x.close();
    x.close();
    x.finish()
}
