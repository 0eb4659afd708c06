//! Plain domain types: the case, its parties and milestones, versions.
//!
//! Nothing here touches git or the file system. Types validate themselves when they are
//! built from text (`FromStr`), so that every layer above can trust them.

mod action;
mod config;
mod ids;
mod order;
mod position;
mod random;
mod text;
mod version;

pub use action::Action;
pub use config::{
    ApprovalSettings, AttachFormat, Case, Config, JournalSettings, Lang, MailSettings, Milestone,
    Party, SignedCommits, Transport,
};
pub use ids::{EmailAddress, IdError, MilestoneId, PartyCode, RecordId, VersionName};
pub use order::{effective_clocks, sort_facts};
pub use position::Position;
pub use random::{IdSource, RecordKind};
pub use text::{capitalized, one_line, plain_text};
pub use version::Version;
