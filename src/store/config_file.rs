//! Reading and editing `strategi.toml`.
//!
//! Reading goes through raw structs whose fields carry their byte spans, so every
//! problem, whether TOML syntax or a bad value, is reported with file, line and column.
//! Editing goes through `toml_edit`, so a person's comments and layout survive.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use jiff::civil::Date;
use serde::Deserialize;
use toml::Spanned;
use toml_edit::{DocumentMut, Item, Table, value};

use crate::model::{
    ApprovalSettings, AttachFormat, Case, Config, EmailAddress, JournalSettings, Lang,
    MailSettings, Milestone, MilestoneId, Party, PartyCode, SignedCommits, Transport,
};

use super::StoreError;

/// The file name of the case configuration at the workspace root.
pub const CONFIG_FILE: &str = "strategi.toml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    case: RawCase,
    #[serde(default, rename = "party")]
    parties: Vec<Spanned<RawParty>>,
    #[serde(default, rename = "milestone")]
    milestones: Vec<Spanned<RawMilestone>>,
    #[serde(default)]
    mail: Option<RawMail>,
    #[serde(default)]
    calendar: Option<RawCalendar>,
    #[serde(default)]
    approval: Option<RawApproval>,
    #[serde(default)]
    journal: Option<RawJournal>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawJournal {
    start: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawApproval {
    require_signature: Option<bool>,
    require_signed_commits: Option<Spanned<RawSignedCommits>>,
}

/// `require_signed_commits = true` or `= ["FIN", …]`.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawSignedCommits {
    All(bool),
    Parties(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    title: Spanned<String>,
    number: Option<String>,
    owner: Spanned<String>,
    approver: Spanned<String>,
    lang: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParty {
    code: Spanned<String>,
    name: Spanned<String>,
    email: Spanned<String>,
    lang: Option<Spanned<String>>,
    #[serde(default)]
    keys: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMilestone {
    id: Spanned<String>,
    title: Spanned<String>,
    due: Spanned<toml::value::Datetime>,
    owner: Option<Spanned<String>>,
    done: Option<Spanned<toml::value::Datetime>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMail {
    transport: Option<Spanned<String>>,
    from: Option<Spanned<String>>,
    smtp_url: Option<Spanned<String>>,
    password_env: Option<String>,
    timeout_seconds: Option<Spanned<i64>>,
    attach: Option<Spanned<Vec<Spanned<String>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalendar {
    #[serde(default)]
    closed_days: Vec<Spanned<toml::value::Datetime>>,
}

/// `[mail] attach`: the copies of the version letters attach, each once, at least one.
fn attach_formats(
    loc: &Locator<'_>,
    list: &Spanned<Vec<Spanned<String>>>,
) -> Result<Vec<AttachFormat>, StoreError> {
    let mut out = Vec::new();
    for word in list.get_ref() {
        let Some(f) = AttachFormat::parse(word.get_ref()) else {
            return Err(loc.error(
                word.span().start,
                format!(
                    "[mail] attach: \"{}\" is not a copy of the version that letters can attach: use \"docx\" (Word), \"html\" or \"md\" (Markdown).",
                    word.get_ref()
                ),
            ));
        };
        if !out.contains(&f) {
            out.push(f);
        }
    }
    if out.is_empty() {
        return Err(loc.error(
            list.span().start,
            "[mail] attach is empty: letters would carry no copy of the version. Name at least one of \"docx\", \"html\" and \"md\", or leave attach out for all three.".to_string(),
        ));
    }
    Ok(out)
}

/// Turns byte offsets into 1-based line and column numbers for error messages.
struct Locator<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Locator<'_> {
    fn error(&self, offset: usize, message: String) -> StoreError {
        let offset = offset.min(self.text.len());
        let before = self.text.get(..offset).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        StoreError::BadFile {
            path: self.path.to_path_buf(),
            line,
            column,
            message,
        }
    }

    fn parse<T: FromStr>(&self, field: &Spanned<String>) -> Result<T, StoreError>
    where
        T::Err: std::fmt::Display,
    {
        field
            .get_ref()
            .parse()
            .map_err(|e: T::Err| self.error(field.span().start, e.to_string()))
    }

    fn text(&self, field: &Spanned<String>, what: &str) -> Result<String, StoreError> {
        let t = field.get_ref().trim();
        if t.is_empty() {
            return Err(self.error(field.span().start, format!("The {what} is empty.")));
        }
        if t.chars().any(char::is_control) {
            return Err(self.error(
                field.span().start,
                format!(
                    "The {what} contains a line break or control character; write it on one line."
                ),
            ));
        }
        Ok(t.to_string())
    }

    fn date(&self, field: &Spanned<toml::value::Datetime>) -> Result<Date, StoreError> {
        let dt = field.get_ref();
        match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => {
                Date::new(d.year as i16, d.month as i8, d.day as i8).map_err(|e| {
                    self.error(field.span().start, format!("{dt} is not a real date: {e}."))
                })
            }
            _ => Err(self.error(
                field.span().start,
                format!("\"{dt}\" should be a plain date such as 2025-12-01, without a time."),
            )),
        }
    }
}

/// Reads the text of `strategi.toml` at `path`: a regular file of at most
/// [`limits::CONFIG`](crate::input::limits::CONFIG) bytes, UTF-8. (For
/// `Workspace::config_text`.)
pub(super) fn read_config_text(path: &Path) -> Result<String, StoreError> {
    Ok(crate::input::read_bounded_text(
        path,
        crate::input::limits::CONFIG,
        "configuration file",
    )?)
}

/// What the message of a configuration error about a password in `[mail] smtp_url`
/// starts with (after `path:line:col: `), so that a caller can tell it from other bad
/// files and add its hints.
pub const CREDENTIAL_IN_CONFIG: &str = "[mail] smtp_url holds a password";

/// The query parameters that carry a password, in any case (`?password=…`).
const PASSWORD_PARAMS: [&str; 3] = ["password", "pass", "passwd"];

/// Whether an SMTP URL carries a password: in its user information
/// (`smtps://user:secret@host`) or as a query parameter `password`, `pass` or `passwd`
/// in any case (`smtps://host?Password=secret`). A user name alone
/// (`smtps://user@host`) is not one.
pub fn smtp_url_has_password(url: &str) -> bool {
    let Some((_, rest)) = url.trim().split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority
        .rsplit_once('@')
        .is_some_and(|(userinfo, _)| userinfo.contains(':'))
    {
        return true;
    }
    let Some((_, query)) = rest.split_once('?') else {
        return false;
    };
    let query = query.split('#').next().unwrap_or("");
    query.split(['&', ';']).any(|param| {
        let key = param.split('=').next().unwrap_or("").trim();
        PASSWORD_PARAMS.iter().any(|p| key.eq_ignore_ascii_case(p))
    })
}

/// The message of a configuration error for a password in `[mail] smtp_url`.
fn credential_message() -> String {
    format!(
        "{CREDENTIAL_IN_CONFIG}, and {CONFIG_FILE} is kept in git, where every copy of the workspace keeps it. Remove the password from the URL (a user name alone, such as smtps://user@host, is fine) and put it in an environment variable named with password_env = \"NAME\" under [mail]."
    )
}

/// Where `[mail] smtp_url` in a `strategi.toml` text holds a password, as 1-based
/// (line, column) of its value; read leniently, so that an old or broken version of the
/// file (from history) is checked too: a text whose TOML does not parse is searched
/// line by line for an `smtp_url` key.
pub fn credential_in_config(text: &str) -> Option<(usize, usize)> {
    #[derive(Deserialize)]
    struct Lenient {
        mail: Option<LenientMail>,
    }
    #[derive(Deserialize)]
    struct LenientMail {
        smtp_url: Option<Spanned<String>>,
    }
    let loc = Locator {
        path: Path::new(CONFIG_FILE),
        text,
    };
    let at = |offset: usize| match loc.error(offset, String::new()) {
        StoreError::BadFile { line, column, .. } => Some((line, column)),
        _ => None,
    };
    match toml::from_str::<Lenient>(text) {
        Ok(l) => {
            let url = l.mail?.smtp_url?;
            if smtp_url_has_password(url.get_ref()) {
                at(url.span().start)
            } else {
                None
            }
        }
        Err(_) => {
            let mut offset = 0;
            for line in text.split_inclusive('\n') {
                let trimmed = line.trim_start();
                if let Some(rest) = trimmed.strip_prefix("smtp_url")
                    && let Some(value) = rest.trim_start().strip_prefix('=')
                    && smtp_url_has_password(value.trim().trim_matches(['"', '\'']))
                {
                    return at(offset + (line.len() - trimmed.len()));
                }
                offset += line.len();
            }
            None
        }
    }
}

/// Parses the text of `strategi.toml` (read from `path`) into a validated [`Config`].
///
/// A password in `[mail] smtp_url` is refused ([`CREDENTIAL_IN_CONFIG`]): secrets never
/// go into the workspace, whose every file is committed.
pub fn parse_config(path: &Path, text: &str) -> Result<Config, StoreError> {
    let (config, credential) = parse_config_reporting_credentials(path, text)?;
    match credential {
        Some(e) => Err(e),
        None => Ok(config),
    }
}

/// [`parse_config`] that does not refuse a password in `[mail] smtp_url` but returns the
/// error it would be beside the configuration, for `verify`, which reports it and goes
/// on checking. Never use the returned configuration to write or send.
pub fn parse_config_reporting_credentials(
    path: &Path,
    text: &str,
) -> Result<(Config, Option<StoreError>), StoreError> {
    let (config, credential) = parse_config_before_settings(path, text)?;
    check_policy_parties(path, text, &config)?;
    Ok((config, credential))
}

/// [`parse_config_reporting_credentials`] without checking that the codes of
/// `[approval] require_signed_commits` are parties: one may be a party that a setting
/// record adds. Check them with [`check_policy_parties`] against the configuration with
/// the settings folded over it (`Workspace::settings` and `verify` do).
pub fn parse_config_before_settings(
    path: &Path,
    text: &str,
) -> Result<(Config, Option<StoreError>), StoreError> {
    let loc = Locator { path, text };
    let raw: RawConfig = toml::from_str(text).map_err(|e| {
        let start = e.span().map_or(0, |s| s.start);
        let msg = e.message().trim_end_matches('\n').to_string();
        loc.error(start, msg)
    })?;

    let lang = match &raw.case.lang {
        Some(l) => loc.parse::<Lang>(l)?,
        None => Lang::Nb,
    };
    let case = Case {
        title: loc.text(&raw.case.title, "case title")?,
        number: raw.case.number.filter(|n| !n.trim().is_empty()),
        owner: loc.parse(&raw.case.owner)?,
        approver: loc.parse(&raw.case.approver)?,
        lang,
    };

    let mut parties: Vec<Party> = Vec::with_capacity(raw.parties.len());
    for sp in &raw.parties {
        let p = sp.get_ref();
        let code: PartyCode = loc.parse(&p.code)?;
        if parties.iter().any(|q| q.code == code) {
            return Err(loc.error(
                p.code.span().start,
                format!("Party \"{code}\" is listed twice; keep one [[party]] entry per code."),
            ));
        }
        parties.push(Party {
            code,
            name: loc.text(&p.name, "party name")?,
            email: loc.parse::<EmailAddress>(&p.email)?,
            lang: match &p.lang {
                Some(l) => loc.parse(l)?,
                None => Lang::Nb,
            },
            keys: p
                .keys
                .iter()
                .map(|k| {
                    crate::sign::PublicKey::from_openssh(k.get_ref())
                        .map(|_| k.get_ref().trim().to_string())
                        .map_err(|e| loc.error(k.span().start, e.to_string()))
                })
                .collect::<Result<_, _>>()?,
        });
    }

    let mut milestones: Vec<Milestone> = Vec::with_capacity(raw.milestones.len());
    for sm in &raw.milestones {
        let m = sm.get_ref();
        let id: MilestoneId = loc.parse(&m.id)?;
        if milestones.iter().any(|o| o.id == id) {
            return Err(loc.error(
                m.id.span().start,
                format!("Milestone \"{id}\" is listed twice; keep one [[milestone]] entry per id."),
            ));
        }
        let owner = match &m.owner {
            Some(o) => {
                let code: PartyCode = loc.parse(o)?;
                let known = parties.iter().any(|p| p.code == code)
                    || code == case.owner
                    || code == case.approver;
                if !known {
                    return Err(loc.error(
                        o.span().start,
                        format!("Milestone \"{id}\" is owned by \"{code}\", which is not a party of the case; add it with `strategi party add {code}`."),
                    ));
                }
                Some(code)
            }
            None => None,
        };
        milestones.push(Milestone {
            title: loc.text(&m.title, "milestone title")?,
            due: loc.date(&m.due)?,
            done: m.done.as_ref().map(|d| loc.date(d)).transpose()?,
            owner,
            id,
        });
    }

    let mut credential = None;
    let mail = match raw.mail {
        None => MailSettings::default(),
        Some(m) => MailSettings {
            transport: match &m.transport {
                None => Transport::Outbox,
                Some(t) => match t.get_ref().as_str() {
                    "outbox" => Transport::Outbox,
                    "smtp" => Transport::Smtp,
                    "sendmail" => Transport::Sendmail,
                    other => {
                        return Err(loc.error(
                            t.span().start,
                            format!("\"{other}\" is not a mail transport: use \"outbox\", \"smtp\" or \"sendmail\"."),
                        ));
                    }
                },
            },
            from: m.from.as_ref().map(|f| loc.parse(f)).transpose()?,
            smtp_url: m.smtp_url.map(|u| {
                if smtp_url_has_password(u.get_ref()) {
                    credential = Some(loc.error(u.span().start, credential_message()));
                }
                u.into_inner()
            }),
            password_env: m.password_env,
            timeout_seconds: match &m.timeout_seconds {
                None => None,
                Some(t) => match u32::try_from(*t.get_ref()) {
                    Ok(n @ 1..=3600) => Some(n),
                    _ => {
                        return Err(loc.error(
                            t.span().start,
                            format!(
                                "timeout_seconds = {} is not a number of seconds from 1 to 3600 (how long the SMTP client waits for the server at each step; 60 if left out).",
                                t.get_ref()
                            ),
                        ));
                    }
                },
            },
            attach: match &m.attach {
                None => None,
                Some(list) => Some(attach_formats(&loc, list)?),
            },
        },
    };

    let closed_days = match raw.calendar {
        None => Vec::new(),
        Some(c) => c
            .closed_days
            .iter()
            .map(|d| loc.date(d))
            .collect::<Result<_, _>>()?,
    };

    let require_signature = raw
        .approval
        .as_ref()
        .and_then(|a| a.require_signature)
        .unwrap_or(false);
    let policy = raw
        .approval
        .and_then(|a| a.require_signed_commits)
        .map(|s| (s.span().start, s.into_inner()));
    let signed_commits = match policy {
        None => SignedCommits::Off,
        Some(policy) => match policy {
            (_, RawSignedCommits::All(true)) => SignedCommits::All,
            (_, RawSignedCommits::All(false)) => SignedCommits::Off,
            (at, RawSignedCommits::Parties(list)) => {
                let mut codes: Vec<PartyCode> = Vec::with_capacity(list.len());
                for c in &list {
                    let code: PartyCode = c.parse().map_err(|e: crate::model::IdError| {
                        loc.error(at, format!("[approval] require_signed_commits: {e}"))
                    })?;
                    if !codes.contains(&code) {
                        codes.push(code);
                    }
                }
                SignedCommits::Parties(codes)
            }
        },
    };
    let approval = ApprovalSettings {
        require_signature,
        signed_commits,
    };

    let journal = match raw.journal.and_then(|j| j.start) {
        None => JournalSettings::default(),
        Some(s) => match u32::try_from(*s.get_ref()) {
            Ok(start @ 1..=999_999) => JournalSettings { start },
            _ => {
                return Err(loc.error(
                    s.span().start,
                    format!(
                        "[journal] start = {} is not a document number: give the first number strategi assigns in the case, from 1 to 999999 (1 if left out).",
                        s.get_ref()
                    ),
                ));
            }
        },
    };

    Ok((
        Config {
            case,
            parties,
            milestones,
            mail,
            closed_days,
            approval,
            journal,
        },
        credential,
    ))
}

/// Refuses a code in `[approval] require_signed_commits` that is not a party of
/// `config` (the configuration with the settings folded over it), naming the place in
/// `strategi.toml` (`text`, read from `path`).
pub fn check_policy_parties(path: &Path, text: &str, config: &Config) -> Result<(), StoreError> {
    let SignedCommits::Parties(codes) = &config.approval.signed_commits else {
        return Ok(());
    };
    let Some(code) = codes.iter().find(|c| !config.knows_party(c)) else {
        return Ok(());
    };
    let at = toml::from_str::<RawConfig>(text)
        .ok()
        .and_then(|raw| raw.approval)
        .and_then(|a| a.require_signed_commits)
        .map_or(0, |s| s.span().start);
    Err(Locator { path, text }.error(
        at,
        format!("[approval] require_signed_commits names \"{code}\", which is not a party of the case; add it with `strategi party add {code}`, list party codes of the case, or write `require_signed_commits = true` for every party."),
    ))
}

/// A `strategi.toml` opened for editing, keeping comments and layout.
pub struct ConfigEditor {
    path: PathBuf,
    doc: DocumentMut,
}

impl ConfigEditor {
    /// Opens the text for editing. The text must already have passed [`parse_config`].
    pub fn new(path: &Path, text: &str) -> Result<Self, StoreError> {
        let doc = text
            .parse::<DocumentMut>()
            .map_err(|e| StoreError::BadFile {
                path: path.to_path_buf(),
                line: 1,
                column: 1,
                message: e.to_string(),
            })?;
        Ok(ConfigEditor {
            path: path.to_path_buf(),
            doc,
        })
    }

    /// A new configuration for a new case.
    pub fn for_new_case(case: &Case) -> Self {
        let mut doc = DocumentMut::new();
        doc.decor_mut().set_prefix(
            "# strategi case configuration. Edit with care; `strategi verify` checks it.\n\
             # Parties and milestones are added with `strategi party add` and\n\
             # `strategi milestone add`; secrets never go in this file.\n\n",
        );
        let mut t = Table::new();
        t.insert("title", value(case.title.as_str()));
        if let Some(n) = &case.number {
            t.insert("number", value(n.as_str()));
        }
        t.insert("owner", value(case.owner.as_str()));
        t.insert("approver", value(case.approver.as_str()));
        t.insert("lang", value(case.lang.code()));
        doc.insert("case", Item::Table(t));
        let mut mail = Table::new();
        mail.insert("transport", value("outbox"));
        doc.insert("mail", Item::Table(mail));
        ConfigEditor {
            path: PathBuf::from(CONFIG_FILE),
            doc,
        }
    }

    fn array(&mut self, key: &str) -> &mut toml_edit::ArrayOfTables {
        if !self.doc.contains_key(key) || !self.doc[key].is_array_of_tables() {
            self.doc
                .insert(key, Item::ArrayOfTables(toml_edit::ArrayOfTables::new()));
        }
        match self.doc.get_mut(key).and_then(Item::as_array_of_tables_mut) {
            Some(a) => a,
            None => unreachable!("inserted just above"),
        }
    }

    /// Appends a `[[party]]` entry.
    pub fn add_party(&mut self, party: &Party) {
        let mut t = Table::new();
        t.insert("code", value(party.code.as_str()));
        t.insert("name", value(party.name.as_str()));
        t.insert("email", value(party.email.as_str()));
        t.insert("lang", value(party.lang.code()));
        if !party.keys.is_empty() {
            let mut keys = toml_edit::Array::new();
            for k in &party.keys {
                keys.push(k.as_str());
            }
            t.insert("keys", value(keys));
        }
        self.array("party").push(t);
    }

    /// Appends a public key line to `keys` of the `[[party]]` with this code. Returns
    /// false if there is no such entry.
    pub fn add_party_key(&mut self, code: &PartyCode, key: &str) -> bool {
        let Some(arr) = self
            .doc
            .get_mut("party")
            .and_then(Item::as_array_of_tables_mut)
        else {
            return false;
        };
        for t in arr.iter_mut() {
            let matches = t
                .get("code")
                .and_then(Item::as_str)
                .and_then(|c| c.parse::<PartyCode>().ok())
                .is_some_and(|c| &c == code);
            if !matches {
                continue;
            }
            match t.get_mut("keys").and_then(Item::as_array_mut) {
                Some(keys) => keys.push(key),
                None => {
                    let mut keys = toml_edit::Array::new();
                    keys.push(key);
                    t.insert("keys", value(keys));
                }
            }
            return true;
        }
        false
    }

    /// Appends a `[[milestone]]` entry.
    pub fn add_milestone(&mut self, m: &Milestone) {
        let mut t = Table::new();
        t.insert("id", value(m.id.as_str()));
        t.insert("title", value(m.title.as_str()));
        t.insert("due", value(toml_date(m.due)));
        if let Some(o) = &m.owner {
            t.insert("owner", value(o.as_str()));
        }
        self.array("milestone").push(t);
    }

    /// Sets `done` on the milestone with this id. Returns false if there is none.
    pub fn mark_milestone_done(&mut self, id: &MilestoneId, on: Date) -> bool {
        let Some(arr) = self
            .doc
            .get_mut("milestone")
            .and_then(Item::as_array_of_tables_mut)
        else {
            return false;
        };
        for t in arr.iter_mut() {
            if t.get("id").and_then(Item::as_str) == Some(id.as_str()) {
                t.insert("done", value(toml_date(on)));
                return true;
            }
        }
        false
    }

    /// The edited text, checked to still parse into a valid configuration.
    pub fn finish(&self) -> Result<(String, Config), StoreError> {
        let text = self.doc.to_string();
        let config = parse_config(&self.path, &text)?;
        Ok((text, config))
    }
}

fn toml_date(d: Date) -> toml_edit::Datetime {
    toml_edit::Datetime {
        date: Some(toml_edit::Date {
            year: d.year() as u16,
            month: d.month() as u8,
            day: d.day() as u8,
        }),
        time: None,
        offset: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[case]
title = "Strategi"
owner = "DIO"
approver = "DFD"

[[party]]
code = "FIN"
name = "Finansdepartementet"
email = "postmottak@fin.example"
lang = "nn"

[[milestone]]
id = "forslag-dfd"
title = "Forslag til DFD"
due = 2025-12-01
owner = "DIO"
"#;

    fn err(text: &str) -> (usize, usize, String) {
        match parse_config(Path::new("strategi.toml"), text) {
            Err(StoreError::BadFile {
                line,
                column,
                message,
                ..
            }) => (line, column, message),
            other => panic!("expected a BadFile error, got {other:?}"),
        }
    }

    #[test]
    fn the_configuration_is_read_bounded() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(CONFIG_FILE);
        std::fs::write(&path, GOOD).expect("write");
        assert_eq!(read_config_text(&path).expect("read"), GOOD);
        std::fs::File::create(&path)
            .and_then(|f| f.set_len(2 << 30))
            .expect("sparse");
        let e = read_config_text(&path).expect_err("too large");
        assert!(
            e.to_string()
                .contains("it is 2.0 GB, more than the 4 MB a configuration file may be"),
            "{e}"
        );
    }

    #[test]
    fn the_signed_commits_policy_is_read_for_all_or_for_listed_parties() {
        let read = |value: &str| {
            parse_config(
                Path::new("strategi.toml"),
                &format!("{GOOD}\n[approval]\nrequire_signed_commits = {value}\n"),
            )
        };
        let plain = parse_config(Path::new("strategi.toml"), GOOD).expect("valid");
        assert_eq!(plain.approval.signed_commits, SignedCommits::Off);
        assert!(!plain.approval.signed_commits.requires("DFD"));
        let all = read("true").expect("valid").approval.signed_commits;
        assert_eq!(all, SignedCommits::All);
        assert!(all.requires("FIN") && all.requires("DIO"));
        assert_eq!(
            read("false").expect("valid").approval.signed_commits,
            SignedCommits::Off
        );
        let some = read("[\"DFD\", \"FIN\", \"DFD\"]")
            .expect("valid")
            .approval
            .signed_commits;
        assert_eq!(
            some,
            SignedCommits::Parties(vec![
                "DFD".parse().expect("code"),
                "FIN".parse().expect("code")
            ])
        );
        assert!(some.requires("FIN") && !some.requires("DIO") && some.is_on());
        // A code that is not a party of the case, and a value of another type, are
        // refused at their line.
        let (line, _, msg) = match read("[\"HOD\"]") {
            Err(StoreError::BadFile {
                line,
                column,
                message,
                ..
            }) => (line, column, message),
            other => panic!("{other:?}"),
        };
        let text = format!("{GOOD}\n[approval]\nrequire_signed_commits = [\"HOD\"]\n");
        let expected = text
            .lines()
            .position(|l| l.starts_with("require_signed_commits"))
            .map(|i| i + 1);
        assert_eq!(Some(line), expected);
        assert!(
            msg.contains("names \"HOD\", which is not a party of the case"),
            "{msg}"
        );
        assert!(read("\"yes\"").is_err());
    }

    #[test]
    fn parses_good_config() {
        let c = parse_config(Path::new("strategi.toml"), GOOD).expect("valid");
        assert_eq!(c.parties[0].lang, Lang::Nn);
        assert_eq!(c.milestones[0].due, jiff::civil::date(2025, 12, 1));
        assert_eq!(c.case.lang, Lang::Nb);
    }

    #[test]
    fn bad_values_have_locations() {
        let (line, col, msg) = err(&GOOD.replace("postmottak@fin.example", "postmottak"));
        assert_eq!((line, col), (10, 9));
        assert!(msg.contains("not a valid e-mail"), "{msg}");

        let (line, _, msg) = err(&GOOD.replace("2025-12-01", "2025-02-30"));
        assert_eq!(line, 16);
        assert!(msg.contains("invalid date"), "{msg}");

        let at = GOOD.rfind("owner = \"DIO\"").expect("milestone owner");
        let (line, _, msg) = err(&format!("{}owner = \"XYZ\"\n", &GOOD[..at]));
        assert_eq!(line, 17);
        assert!(msg.contains("\"XYZ\", which is not a party"), "{msg}");

        let (line, _, msg) = err(&GOOD.replace("lang = \"nn\"", "lang = \"sv\""));
        assert_eq!(line, 11);
        assert!(msg.contains("nynorsk"), "{msg}");
    }

    #[test]
    fn syntax_errors_have_locations() {
        let (line, _, _) = err("[case]\ntitle = \"x\nowner = 1\n");
        assert_eq!(line, 2);
        let (line, _, msg) = err(&GOOD.replace("approver", "aprover"));
        assert!(msg.contains("aprover"), "{msg}");
        assert!(line >= 2);
    }

    #[test]
    fn keys_and_approval_settings() {
        let key =
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE7IFJ7aaxFGw8Vn/QSHwTUay2dViRD+ikmRaD4u5Nhz dfd";
        let with_key = GOOD.replace(
            "lang = \"nn\"",
            &format!("lang = \"nn\"\nkeys = [\"{key}\"]"),
        );
        let text = format!("{with_key}\n[approval]\nrequire_signature = true\n");
        let c = parse_config(Path::new("strategi.toml"), &text).expect("valid");
        assert_eq!(c.parties[0].keys, vec![key.to_string()]);
        assert!(c.approval.require_signature);
        let plain = parse_config(Path::new("strategi.toml"), GOOD).expect("valid");
        assert!(!plain.approval.require_signature);

        let (line, col, msg) = err(&with_key.replace("AAAAC3", "BBBB"));
        assert_eq!((line, col), (12, 9));
        assert!(msg.contains("Not an OpenSSH public key"), "{msg}");

        let mut ed = ConfigEditor::new(Path::new("strategi.toml"), GOOD).expect("parses");
        assert!(ed.add_party_key(&"FIN".parse().expect("code"), key));
        assert!(!ed.add_party_key(&"XYZ".parse().expect("code"), key));
        let (_, cfg) = ed.finish().expect("valid");
        assert_eq!(cfg.parties[0].keys.len(), 1);
    }

    #[test]
    fn the_smtp_timeout_is_a_number_of_seconds() {
        let with =
            |t: &str| format!("{GOOD}\n[mail]\ntransport = \"smtp\"\ntimeout_seconds = {t}\n");
        let c = parse_config(Path::new("strategi.toml"), &with("15")).expect("valid");
        assert_eq!(c.mail.timeout_seconds, Some(15));
        let c = parse_config(Path::new("strategi.toml"), GOOD).expect("valid");
        assert_eq!(c.mail.timeout_seconds, None);
        for bad in ["0", "-3", "3601"] {
            let (line, col, msg) = err(&with(bad));
            assert_eq!((line, col), (21, 19), "{bad}");
            assert!(msg.contains("from 1 to 3600"), "{msg}");
        }
        let (line, _, _) = err(&with("\"30s\""));
        assert_eq!(line, 21);
    }

    #[test]
    fn mail_attach_names_the_copies_letters_carry() {
        let with = |a: &str| format!("{GOOD}\n[mail]\nattach = {a}\n");
        let c = parse_config(Path::new("strategi.toml"), GOOD).expect("valid");
        assert_eq!(c.mail.attachments(), &AttachFormat::DEFAULT);
        assert_eq!(c.mail.attachments()[0], AttachFormat::Docx);
        let c = parse_config(
            Path::new("strategi.toml"),
            &with("[\"html\", \"docx\", \"html\"]"),
        )
        .expect("valid");
        assert_eq!(
            c.mail.attachments(),
            &[AttachFormat::Html, AttachFormat::Docx]
        );
        let (line, col, msg) = err(&with("[\"docx\", \"pdf\"]"));
        assert_eq!((line, col), (20, 19));
        assert!(msg.contains("[mail] attach: \"pdf\""), "{msg}");
        let (line, _, msg) = err(&with("[]"));
        assert_eq!(line, 20);
        assert!(msg.contains("[mail] attach is empty"), "{msg}");
        let (line, _, _) = err(&with("\"docx\""));
        assert_eq!(line, 20);
    }

    #[test]
    fn a_password_in_the_smtp_url_is_refused_at_its_line() {
        let with =
            |url: &str| format!("{GOOD}\n[mail]\ntransport = \"smtp\"\nsmtp_url = \"{url}\"\n");
        let (line, col, msg) = err(&with("smtps://ola:hemmelig@smtp.dep.example:465"));
        assert_eq!((line, col), (21, 12));
        assert!(msg.starts_with(CREDENTIAL_IN_CONFIG), "{msg}");
        assert!(msg.contains("password_env = \"NAME\""), "{msg}");
        assert!(!msg.contains("hemmelig"), "{msg}");
        let text = with("smtps://ola:hemmelig@smtp.dep.example:465");
        assert_eq!(credential_in_config(&text), Some((21, 12)));
        let broken = format!("{text}\n[case\n");
        assert_eq!(credential_in_config(&broken), Some((21, 1)));
        let (_, e) = parse_config_reporting_credentials(Path::new(CONFIG_FILE), &text)
            .expect("parses for verify");
        assert!(e.is_some());

        for fine in [
            "smtps://ola@smtp.dep.example:465",
            "smtp://smtp.dep.example:587?tls=required",
            "smtp://smtp.dep.example:587/?user=a:b",
        ] {
            let c = parse_config(Path::new(CONFIG_FILE), &with(fine)).expect(fine);
            assert_eq!(c.mail.smtp_url.as_deref(), Some(fine));
            assert_eq!(credential_in_config(&with(fine)), None, "{fine}");
        }
        assert!(smtp_url_has_password("smtp://a:@host"));
        assert!(!smtp_url_has_password("not a url"));
        // A password as a query parameter, in any case, is one too.
        for url in [
            "smtps://host?password=x",
            "smtps://host:465/?tls=required&PASSWORD=x",
            "smtps://ola@host?Pass=x",
            "smtp://host?passwd=x#frag",
            "smtp://host/?a=1;PassWd=x",
        ] {
            assert!(smtp_url_has_password(url), "{url}");
            assert!(credential_in_config(&with(url)).is_some(), "{url}");
        }
        for url in [
            "smtps://host?passwordless=1",
            "smtps://host?user=pass",
            "smtps://host#password=x",
        ] {
            assert!(!smtp_url_has_password(url), "{url}");
        }
    }

    #[test]
    fn duplicate_party_is_refused() {
        let twice =
            format!("{GOOD}\n[[party]]\ncode = \"fin\"\nname = \"X\"\nemail = \"x@fin.example\"\n");
        let (_, _, msg) = err(&twice);
        assert!(msg.contains("listed twice"), "{msg}");
    }

    #[test]
    fn editor_keeps_comments_and_round_trips() {
        let text = format!("# my comment\n{GOOD}");
        let mut ed = ConfigEditor::new(Path::new("strategi.toml"), &text).expect("parses");
        ed.add_party(&Party {
            code: "KDD".parse().expect("code"),
            name: "Kommunal- og distriktsdepartementet".into(),
            email: "postmottak@kdd.example".parse().expect("email"),
            lang: Lang::Nb,
            keys: Vec::new(),
        });
        assert!(ed.mark_milestone_done(
            &"forslag-dfd".parse().expect("id"),
            jiff::civil::date(2025, 11, 28)
        ));
        let (out, cfg) = ed.finish().expect("valid");
        assert!(out.starts_with("# my comment\n"));
        assert_eq!(cfg.parties.len(), 2);
        assert_eq!(
            cfg.milestones[0].done,
            Some(jiff::civil::date(2025, 11, 28))
        );
    }
}
