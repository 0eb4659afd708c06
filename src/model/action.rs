//! What a commit did: the typed `Strategi-Action` trailer of every commit strategi makes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One act on the case. Every commit carries exactly one, as `Strategi-Action: <key>`, so
/// `git log --grep 'Strategi-Action: comment-import'` finds every import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// A new workspace.
    Init,
    /// A party added to the case.
    PartyAdd,
    /// A signing key added to a party.
    PartyKey,
    /// `party change`.
    PartyChange,
    /// A milestone added.
    MilestoneAdd,
    /// A milestone marked done.
    MilestoneDone,
    /// A version cut (commit and tag).
    VersionCut,
    /// A consultation round opened.
    RoundOpen,
    /// A round's letters issued.
    RoundSend,
    /// A party's deadline extended.
    RoundExtend,
    /// A round closed.
    RoundClose,
    /// Reminders issued.
    Remind,
    /// A party's formal position recorded.
    Respond,
    /// Comments registered by hand.
    CommentAdd,
    /// Replies imported.
    CommentImport,
    /// A decision on a comment.
    CommentResolve,
    /// An accepted suggestion put into the draft.
    CommentApply,
    /// Outbox delivery states recorded.
    OutboxDeliver,
    /// Outbox letters recorded as sent by hand.
    OutboxMarkSent,
    /// Another clone's unfinished claims on outbox letters released.
    OutboxRelease,
    /// A version handed in.
    Submit,
    /// A version approved.
    Approve,
    /// An unsigned approval signed later by the approver.
    ApproveSign,
    /// An approval withdrawn by the approver.
    ApproveWithdraw,
    /// The remote's branch merged in by `sync`.
    Sync,
    /// A `strategi.toml` key that a sync left in conflict, settled (`config settle`).
    ConfigSettle,
    /// The owner changed the case's policy (`policy set`).
    PolicySet,
    /// A publicity decision on an answer (`publish decide`).
    PublishDecide,
    /// A document number recorded in the journal (`journal set`).
    JournalSet,
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 29] = [
        Action::Init,
        Action::PartyAdd,
        Action::PartyKey,
        Action::PartyChange,
        Action::MilestoneAdd,
        Action::MilestoneDone,
        Action::VersionCut,
        Action::RoundOpen,
        Action::RoundSend,
        Action::RoundExtend,
        Action::RoundClose,
        Action::Remind,
        Action::Respond,
        Action::CommentAdd,
        Action::CommentImport,
        Action::CommentResolve,
        Action::CommentApply,
        Action::OutboxDeliver,
        Action::OutboxMarkSent,
        Action::OutboxRelease,
        Action::Submit,
        Action::Approve,
        Action::ApproveSign,
        Action::ApproveWithdraw,
        Action::Sync,
        Action::ConfigSettle,
        Action::PolicySet,
        Action::PublishDecide,
        Action::JournalSet,
    ];

    /// The trailer value, such as `comment-import`.
    pub fn key(self) -> &'static str {
        match self {
            Action::Init => "init",
            Action::PartyAdd => "party-add",
            Action::PartyKey => "party-key",
            Action::PartyChange => "party-change",
            Action::MilestoneAdd => "milestone-add",
            Action::MilestoneDone => "milestone-done",
            Action::VersionCut => "version-cut",
            Action::RoundOpen => "round-open",
            Action::RoundSend => "round-send",
            Action::RoundExtend => "round-extend",
            Action::RoundClose => "round-close",
            Action::Remind => "remind",
            Action::Respond => "respond",
            Action::CommentAdd => "comment-add",
            Action::CommentImport => "comment-import",
            Action::CommentResolve => "comment-resolve",
            Action::CommentApply => "comment-apply",
            Action::OutboxDeliver => "outbox-deliver",
            Action::OutboxMarkSent => "outbox-mark-sent",
            Action::OutboxRelease => "outbox-release",
            Action::Submit => "submit",
            Action::Approve => "approve",
            Action::ApproveSign => "approve-sign",
            Action::ApproveWithdraw => "approve-withdraw",
            Action::Sync => "sync",
            Action::ConfigSettle => "config-settle",
            Action::PolicySet => "policy-set",
            Action::PublishDecide => "publish-decide",
            Action::JournalSet => "journal-set",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl FromStr for Action {
    type Err = super::IdError;
    fn from_str(s: &str) -> Result<Action, super::IdError> {
        Action::ALL
            .into_iter()
            .find(|a| a.key() == s.trim())
            .ok_or_else(|| super::IdError(format!("\"{s}\" is not an action strategi records.")))
    }
}

#[cfg(test)]
mod tests {
    use super::Action;

    #[test]
    fn keys_round_trip_and_are_unique() {
        let mut keys: Vec<&str> = Action::ALL.iter().map(|a| a.key()).collect();
        for a in Action::ALL {
            assert_eq!(a.key().parse::<Action>(), Ok(a));
        }
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), Action::ALL.len());
        assert!("party".parse::<Action>().is_err());
    }
}
