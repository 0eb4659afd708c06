//! The case configuration kept in `strategi.toml`.

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::ids::{EmailAddress, IdError, MilestoneId, PartyCode};

/// A written language a party reads: bokmål, nynorsk, English or Danish.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Norwegian bokmål.
    #[default]
    Nb,
    /// Norwegian nynorsk.
    Nn,
    /// English.
    En,
    /// Danish.
    Da,
}

impl Lang {
    /// All supported languages, in a stable order.
    pub const ALL: [Lang; 4] = [Lang::Nb, Lang::Nn, Lang::En, Lang::Da];

    /// The code used in files and flags: `nb`, `nn`, `en`, `da`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Nb => "nb",
            Lang::Nn => "nn",
            Lang::En => "en",
            Lang::Da => "da",
        }
    }
}

impl FromStr for Lang {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        let base = s
            .trim()
            .split(['-', '_', '.'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match base.as_str() {
            "nb" | "no" | "nob" | "bokmål" | "bokmal" => Ok(Lang::Nb),
            "nn" | "nno" | "nynorsk" => Ok(Lang::Nn),
            "en" | "eng" | "english" => Ok(Lang::En),
            "da" | "dan" | "dansk" | "danish" => Ok(Lang::Da),
            _ => Err(IdError(format!(
                "\"{s}\" is not a language strategi writes: use nb (bokmål), nn (nynorsk), en (English) or da (Danish)."
            ))),
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The case itself: what is being written, by whom, for whom.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    /// The document's title, e.g. "Strategi for kunstig intelligens i departementsfellesskapet".
    pub title: String,
    /// The case number in the archive (saksnummer), e.g. "24/3095".
    pub number: Option<String>,
    /// The party that drafts the document (DIO in the reference case).
    pub owner: PartyCode,
    /// The party that approves it (DFD in the reference case).
    pub approver: PartyCode,
    /// The language of the document and of the case's own texts.
    pub lang: Lang,
}

/// A party to the case: a ministry or organisation that drafts, comments or approves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Party {
    /// Short code, e.g. `FIN`.
    pub code: PartyCode,
    /// Full name, e.g. "Finansdepartementet".
    pub name: String,
    /// The address letters go to (usually the ministry's central mailbox).
    pub email: EmailAddress,
    /// The written form the party prefers.
    pub lang: Lang,
    /// The party's signing keys, as OpenSSH public key lines (`ssh-ed25519 AAAA… comment`),
    /// checked when `strategi.toml` is read. An approval signed by the approver is
    /// verified against these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<String>,
}

/// A dated obligation of the case, such as `forslag-dfd` due 2025-12-01.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Milestone {
    /// Stable id.
    pub id: MilestoneId,
    /// What is due, in words.
    pub title: String,
    /// The due date.
    pub due: Date,
    /// Who owns the obligation, if anyone in particular.
    pub owner: Option<PartyCode>,
    /// When it was done, once it is.
    pub done: Option<Date>,
}

/// How e-mail leaves the workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// Only write `.eml` files to `outbox/` (for sending by hand or inspection).
    #[default]
    Outbox,
    /// Deliver through an SMTP server.
    Smtp,
    /// Deliver through the local `sendmail` program.
    Sendmail,
}

/// Mail settings. Secrets are never stored here: only the name of the environment
/// variable that holds the SMTP password.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MailSettings {
    /// Transport to use.
    pub transport: Transport,
    /// The From address of letters, if set.
    pub from: Option<EmailAddress>,
    /// SMTP URL, e.g. `smtp://mail.dep.example:587?tls=required`.
    pub smtp_url: Option<String>,
    /// Name of the environment variable holding the SMTP password.
    pub password_env: Option<String>,
    /// How long the SMTP client waits for the server at each step, in seconds
    /// (`timeout_seconds`); `None` for the default (60 s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<u32>,
    /// Which copies of the version a round letter attaches (`attach`, in this order);
    /// `None` for the default, [`AttachFormat::DEFAULT`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attach: Option<Vec<AttachFormat>>,
}

impl MailSettings {
    /// The copies of the version a round letter attaches, in order.
    pub fn attachments(&self) -> &[AttachFormat] {
        self.attach.as_deref().unwrap_or(&AttachFormat::DEFAULT)
    }
}

/// A copy of the version attached to round letters (`[mail] attach`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AttachFormat {
    /// A Word document (`.docx`): recipients may comment in it directly.
    Docx,
    /// A standalone HTML page.
    Html,
    /// The Markdown text.
    Md,
}

impl AttachFormat {
    /// Without `attach`: Word, then Markdown and HTML as before.
    pub const DEFAULT: [AttachFormat; 3] =
        [AttachFormat::Docx, AttachFormat::Md, AttachFormat::Html];

    /// The word used in `strategi.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            AttachFormat::Docx => "docx",
            AttachFormat::Html => "html",
            AttachFormat::Md => "md",
        }
    }

    /// Parses the word used in `strategi.toml`.
    pub fn parse(word: &str) -> Option<AttachFormat> {
        match word {
            "docx" => Some(AttachFormat::Docx),
            "html" => Some(AttachFormat::Html),
            "md" => Some(AttachFormat::Md),
            _ => None,
        }
    }
}

/// Approval settings (`[approval]`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ApprovalSettings {
    /// Whether an approval must be signed with one of the approver's keys.
    pub require_signature: bool,
    /// Which parties' commits must be SSH-signed with one of their own keys
    /// (`require_signed_commits = true`, or a list of party codes).
    #[serde(default)]
    pub signed_commits: SignedCommits,
}

/// The signed-commits policy (`[approval] require_signed_commits`): whose commits that
/// touch records must carry an SSH signature by one of the acting party's own keys.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignedCommits {
    /// No party is required to sign its commits (the default).
    #[default]
    Off,
    /// Every party (`require_signed_commits = true`).
    All,
    /// These parties (`require_signed_commits = ["FIN", "DFD"]`).
    Parties(Vec<PartyCode>),
}

impl SignedCommits {
    /// Whether commits acting as `party` must be signed.
    pub fn requires(&self, party: &str) -> bool {
        match self {
            SignedCommits::Off => false,
            SignedCommits::All => true,
            SignedCommits::Parties(list) => list.iter().any(|p| p.as_str() == party),
        }
    }

    /// Whether any party must sign.
    pub fn is_on(&self) -> bool {
        match self {
            SignedCommits::Off => false,
            SignedCommits::All => true,
            SignedCommits::Parties(list) => !list.is_empty(),
        }
    }
}

/// The whole of `strategi.toml`, validated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Config {
    /// The case.
    pub case: Case,
    /// Parties in the order they were added.
    pub parties: Vec<Party>,
    /// Milestones in the order they were added.
    pub milestones: Vec<Milestone>,
    /// Mail settings.
    pub mail: MailSettings,
    /// Extra days the offices are closed (e.g. Christmas Eve), beyond weekends and public
    /// holidays.
    pub closed_days: Vec<Date>,
    /// Approval settings.
    pub approval: ApprovalSettings,
    /// The case's journal (`[journal]`): where document numbers start.
    #[serde(default)]
    pub journal: JournalSettings,
}

/// Journal settings (`[journal]`): the first document number strategi assigns in the
/// case (the case number itself is `[case] number`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalSettings {
    /// The first document number strategi assigns (`start = 74` gives `24/3095-74`
    /// to the case's first document); 1 when left out.
    pub start: u32,
}

impl Default for JournalSettings {
    fn default() -> JournalSettings {
        JournalSettings { start: 1 }
    }
}

impl Config {
    /// The party with this code, if it is listed.
    pub fn party(&self, code: &PartyCode) -> Option<&Party> {
        self.parties.iter().find(|p| &p.code == code)
    }

    /// The milestone with this id.
    pub fn milestone(&self, id: &MilestoneId) -> Option<&Milestone> {
        self.milestones.iter().find(|m| &m.id == id)
    }

    /// Whether `code` names a party of the case: a listed party, the owner or the approver.
    pub fn knows_party(&self, code: &PartyCode) -> bool {
        self.party(code).is_some() || &self.case.owner == code || &self.case.approver == code
    }

    /// The display name of a party: its full name if listed, else its code.
    pub fn party_name(&self, code: &PartyCode) -> String {
        self.party(code)
            .map_or_else(|| code.to_string(), |p| p.name.clone())
    }
}
