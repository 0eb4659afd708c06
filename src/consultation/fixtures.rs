//! Test fixtures shared by the consultation module's tests: a small case and a round.

use jiff::civil::Date;

use crate::calendar::ConsultationKind;
use crate::model::{Config, PartyCode};

use super::RoundDef;

/// A party code.
pub(crate) fn code(s: &str) -> PartyCode {
    s.parse().expect("code")
}

/// A case owned by DIO, approved by DFD, with DFD, FIN and KDD (nynorsk) as parties.
pub(crate) fn config() -> Config {
    let text = r#"
[case]
title = "KI-strategi"
owner = "DIO"
approver = "DFD"

[[party]]
code = "DFD"
name = "Digitaliserings- og forvaltningsdepartementet"
email = "postmottak@dfd.example"

[[party]]
code = "FIN"
name = "Finansdepartementet"
email = "postmottak@fin.example"

[[party]]
code = "KDD"
name = "Kommunal- og distriktsdepartementet"
email = "postmottak@kdd.example"
lang = "nn"
"#;
    crate::store::parse_config(std::path::Path::new("strategi.toml"), text).expect("config")
}

/// Round `rabcdefg`: a framlegging of v1 from DFD to FIN and KDD, opened at 09:00 Oslo
/// time on `opened`, due `due`.
pub(crate) fn round_def(opened: Date, due: Date) -> RoundDef {
    RoundDef {
        id: "rabcdefg".parse().expect("id"),
        kind: ConsultationKind::Framlegging,
        title: "Framlegging".into(),
        version: "v1".parse().expect("v"),
        sender: code("DFD"),
        recipients: vec![code("FIN"), code("KDD")],
        opened,
        due,
        reason: None,
        opened_by: code("DFD"),
        at: opened
            .at(9, 0, 0, 0)
            .to_zoned_datetime(crate::calendar::oslo())
            .expect("t")
            .timestamp(),
        clock: None,
        open: false,
    }
}
