//! Versions: immutable snapshots of `strategy/`.

use jiff::Timestamp;
use serde::Serialize;

use super::ids::{PartyCode, VersionName};

/// A version of the document, as recorded by its tag.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Version {
    /// `v1`, `v2`, …
    pub name: VersionName,
    /// The label given when it was cut, e.g. "Utkast til arbeidsgruppen".
    pub label: String,
    /// The commit the version's tag points at (hex).
    pub commit: String,
    /// The id of the `strategy/` tree in that commit (hex): the content the version is.
    pub tree: String,
    /// When it was cut.
    pub created: Timestamp,
    /// Who cut it (name and e-mail from git).
    pub author: String,
    /// As which party, if recorded.
    pub party: Option<PartyCode>,
}
