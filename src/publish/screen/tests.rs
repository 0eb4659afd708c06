use super::*;

/// The nine digits with their two check digits appended, computed here (independently
/// of the code under test), or None when a check digit would be 10.
fn with_checks(nine: &str) -> Option<String> {
    let d: Vec<u32> = nine
        .chars()
        .map(|c| c.to_digit(10).expect("test value"))
        .collect();
    let k = |w: &[u32], d: &[u32]| {
        let r = w.iter().zip(d).map(|(a, b)| a * b).sum::<u32>() % 11;
        match r {
            0 => Some(0),
            1 => None,
            r => Some(11 - r),
        }
    };
    let k1 = k(&[3, 7, 6, 1, 8, 9, 4, 5, 2], &d)?;
    let mut ten = d.clone();
    ten.push(k1);
    let k2 = k(&[5, 4, 3, 2, 7, 6, 5, 4, 3, 2], &ten)?;
    Some(format!("{nine}{k1}{k2}"))
}

/// Valid identity numbers for a range of dates in every century, with an individnummer
/// of that century.
fn generated() -> Vec<(String, jiff::civil::Date)> {
    let mut out = Vec::new();
    let mut date = jiff::civil::date(1855, 1, 1);
    let end = jiff::civil::date(2039, 12, 31);
    let mut n = 0u32;
    while date <= end {
        let yy = (date.year() % 100) as u32;
        let base = match date.year() {
            ..1900 => 500,
            1900..2000 => 0,
            _ => 500,
        };
        let span = if base == 0 { 500 } else { 250 };
        for step in [0, 7, 131] {
            let individ = base + (n + step) % span;
            let nine = format!("{:02}{:02}{yy:02}{individ:03}", date.day(), date.month());
            if let Some(full) = with_checks(&nine) {
                out.push((full, date));
            }
        }
        n += 1;
        date = date
            .checked_add(jiff::Span::new().days(11))
            .expect("test value");
    }
    out
}

#[test]
fn generated_valid_numbers_are_found_in_both_written_forms() {
    let all = generated();
    assert!(all.len() > 10_000, "{}", all.len());
    for (num, _) in &all {
        let text = format!("Fødselsnummer: {num}, se vedlegg.");
        let f = find(&text);
        assert_eq!(f.len(), 1, "{num}: {f:?}");
        assert_eq!(f[0].kind, Kind::IdentityNumber);
        assert_eq!(&text[f[0].range.clone()], num);
        assert_eq!(f[0].masked, format!("{}*****", &num[..6]));
        let spaced = format!("{} {}", &num[..6], &num[6..]);
        let f = find(&format!("fnr. {spaced}"));
        assert_eq!(f.len(), 1, "{spaced}: {f:?}");
        assert_eq!(f[0].masked, format!("{} *****", &num[..6]));
    }
}

#[test]
fn every_single_digit_change_of_a_valid_number_is_rejected() {
    for (num, _) in generated().iter().step_by(17) {
        assert!(identity_kind(num).is_some(), "{num}");
        for pos in 0..11 {
            for d in b'0'..=b'9' {
                let mut b = num.clone().into_bytes();
                if b[pos] == d {
                    continue;
                }
                b[pos] = d;
                let changed = String::from_utf8(b).expect("test value");
                assert_eq!(identity_kind(&changed), None, "{num} → {changed}");
                assert!(find(&changed).is_empty(), "{changed}");
            }
        }
    }
}

#[test]
fn invalid_dates_are_rejected_even_with_valid_check_digits() {
    // 31 April, month 13, day 0, month 0; 29 February 1900 (individnummer < 500: not a
    // leap year) and 29 February 2001.
    for nine in [
        "310490123",
        "011390123",
        "000190123",
        "010090123",
        "290200123",
        "290201523",
        "320190123",
    ] {
        for i in 0..40 {
            let individ: u32 = nine[6..].parse::<u32>().expect("test value") + i;
            let candidate = format!("{}{:03}", &nine[..6], individ);
            if let Some(full) = with_checks(&candidate) {
                assert_eq!(identity_kind(&full), None, "{full}");
                assert!(find(&full).is_empty(), "{full}");
            }
        }
    }
    // 29 February 2000 (individnummer 500–999 with year 00) is a real date.
    let leap = (500..540)
        .find_map(|i| with_checks(&format!("290200{i}")))
        .expect("test value");
    assert_eq!(identity_kind(&leap), Some(Kind::IdentityNumber));
    // A combination no one is issued: individnummer 750–899 with a year 40–99.
    let unissued = (800..840)
        .find_map(|i| with_checks(&format!("010190{i}")))
        .expect("test value");
    assert_eq!(identity_kind(&unissued), None);
}

#[test]
fn d_numbers_are_found_and_h_numbers_are_not() {
    let mut found = 0;
    for (num, date) in generated().iter().step_by(5) {
        let nine = format!("{}{}", date.day() as u32 + 40, &num[2..9]);
        let Some(d) = with_checks(&nine) else {
            continue;
        };
        let f = find(&format!("D-nummer {d}"));
        assert_eq!(f.len(), 1, "{d}");
        assert_eq!(f[0].kind, Kind::DNumber);
        assert_eq!(f[0].masked, format!("{}*****", &d[..6]));
        found += 1;
        // Month + 40 (an H-number or a synthetic test number): not flagged.
        let h = format!("{}{}{}", &num[..2], date.month() as u32 + 40, &num[4..9]);
        if let Some(h) = with_checks(&h) {
            assert!(find(&h).is_empty(), "{h}");
        }
    }
    assert!(found > 1000, "{found}");
    // Day 72 and on is no D-number.
    let bad = (0..40)
        .find_map(|i| with_checks(&format!("720190{i:03}")))
        .expect("test value");
    assert!(find(&bad).is_empty());
}

#[test]
fn a_list_of_numbers_and_numbers_inside_longer_runs() {
    let (a, b) = (&generated()[10].0, &generated()[20].0);
    assert_eq!(find(&format!("{a} {b}")).len(), 2);
    // Joined to other digits: part of something else.
    assert!(find(&format!("{a}1")).is_empty());
    assert!(find(&format!("9{a}")).is_empty());
    assert!(find(&format!("24/{a}")).is_empty());
    assert!(find(&format!("ID{a}")).is_empty());
}

#[test]
fn phone_numbers_in_their_written_forms() {
    for (text, number, masked) in [
        ("Ring meg på 22 24 90 90.", "22 24 90 90", "22 ** ** **"),
        ("tlf. 22249090", "22249090", "22******"),
        ("Mobil: 915 12 345", "915 12 345", "91* ** ***"),
        ("(+47 22 24 90 90)", "+47 22 24 90 90", "+47 22 ** ** **"),
        ("+4741234567 etter kl. 16", "+4741234567", "+4741******"),
        ("0047 41234567", "0047 41234567", "0047 41******"),
        ("004741234567", "004741234567", "004741******"),
        (
            "mobil 41\u{a0}23\u{a0}45\u{a0}67",
            "41\u{a0}23\u{a0}45\u{a0}67",
            "41\u{a0}**\u{a0}**\u{a0}**",
        ),
    ] {
        let f = find(text);
        assert_eq!(f.len(), 1, "{text}: {f:?}");
        assert_eq!(f[0].kind, Kind::Phone, "{text}");
        assert_eq!(&text[f[0].range.clone()], number, "{text}");
        assert_eq!(f[0].masked, masked, "{text}");
    }
}

#[test]
fn numbers_that_are_not_phone_numbers() {
    for text in [
        "Vår ref 24/3095-73",
        "sak 24/3095",
        "saksnummer 2024/30951234",
        "Datert 01.02.2025 og 2025-02-01.",
        "20250131",
        "25022025",
        "i 2024 og 2025",
        "kr 1 500 000",
        "kr 15000000",
        "NOK 22249090",
        "22249090 kroner",
        "22249090,-",
        "§ 13 og § 24",
        "offentleglova § 13 første ledd",
        "1 22 24 90 90",
        "22 24 90 90 12",
        "222490901",
        "12345678",
        "02345678",
        "+46 8 123 456 78",
        "+4612345678",
        "org.nr. 974 760 673",
        "konto 1503.12.34567",
        "3,14159265",
        "22249090.5",
        "v2.22249090",
        "24/3095-22249090",
    ] {
        assert_eq!(find(text), vec![], "{text}");
    }
}

#[test]
fn private_e_mail_addresses_and_organisations() {
    let text = "Svar til kari.nordmann@gmail.com eller Ola@Hotmail.NO, kopi \
                postmottak@fin.dep.no og ola@fin.example; ikke noreply@mail.gmail.com.";
    let f = find(text);
    let got: Vec<(&str, &str)> = f
        .iter()
        .map(|f| (&text[f.range.clone()], f.masked.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("kari.nordmann@gmail.com", "k***@gmail.com"),
            ("Ola@Hotmail.NO", "O***@Hotmail.NO"),
            ("noreply@mail.gmail.com", "n***@mail.gmail.com"),
        ]
    );
    assert!(f.iter().all(|f| f.kind == Kind::PrivateEmail));
    for not in [
        "postmottak@dfd.example",
        "a@gmail.com.example",
        "x@notgmail.com",
        "@gmail.com",
        "ola@",
    ] {
        assert_eq!(find(not), vec![], "{not}");
    }
}

#[test]
fn the_shipped_draft_has_no_findings() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = 0;
    for dir in ["strategy", "demo/revisjon-1"] {
        for e in std::fs::read_dir(root.join(dir)).expect("test value") {
            let p = e.expect("test value").path();
            if p.extension().is_some_and(|x| x == "md") {
                let text = std::fs::read_to_string(&p).expect("test value");
                assert!(text.chars().any(|c| c.is_ascii_digit()), "{p:?}");
                assert_eq!(find(&text), vec![], "{p:?}");
                files += 1;
            }
        }
    }
    assert!(files >= 12, "{files}");
}

#[test]
fn findings_come_in_order_with_their_lines() {
    let num = &generated()[0].0;
    let text = format!("Hei\nmitt nummer er {num}\nring 91512345 eller skriv til a@gmail.com\n");
    let f = find(&text);
    let kinds: Vec<Kind> = f.iter().map(|f| f.kind).collect();
    assert_eq!(
        kinds,
        [Kind::IdentityNumber, Kind::Phone, Kind::PrivateEmail]
    );
    let lines: Vec<usize> = f.iter().map(|f| line_of(&text, f.range.start)).collect();
    assert_eq!(lines, [2, 3, 3]);
}

proptest::proptest! {
    /// Any text: no panic, every range on character boundaries, every value masked.
    #[test]
    fn any_text_is_screened_without_panic(text in "[0-9 \u{a0}+@.,:/§a-zæøå\n-]{0,80}(gmail\\.com)?[0-9 ]{0,20}") {
        for f in find(&text) {
            proptest::prop_assert!(text.is_char_boundary(f.range.start));
            proptest::prop_assert!(text.is_char_boundary(f.range.end));
            proptest::prop_assert_ne!(&text[f.range.clone()], f.masked.as_str());
            proptest::prop_assert!(f.masked.contains('*'));
        }
    }
}
