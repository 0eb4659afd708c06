//! Where new record ids come from: random bits, or a fixed seed for reproducible runs.
//!
//! A seeded source (`STRATEGI_SEED`, read by the command layer) must still give every
//! command its own ids, or two commands run one after the other would mint the same
//! first id. So the seed is mixed with a salt the caller supplies: the workspace's HEAD
//! commit when the command starts. With a fixed seed and clock the history is the same
//! on every run, so the salts and hence the ids are too (the idea of jj's
//! `JJ_RANDOMNESS_SEED`, with the salt in place of jj's per-command counter).

use std::fmt;

use super::RecordId;

/// The kind of a record, which is the first letter of its id (`r7k3q9xm` is a round).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordKind {
    /// A consultation round.
    Round,
    /// A fact about a round (sent, reminded, response, extension, closed).
    Fact,
    /// A comment.
    Comment,
    /// A decision on a comment.
    Decision,
    /// A submission of a version.
    Submission,
    /// An approval of a version.
    Approval,
    /// A later signature of an unsigned approval.
    Signature,
    /// The withdrawal of an approval.
    Withdrawal,
    /// An e-mail message (the unique part of its Message-ID).
    Message,
    /// A setting of the case (a party, a milestone, a signing key) in `settings/`.
    Setting,
    /// A document number recorded in the case's journal (`journal/`).
    Journal,
}

impl RecordKind {
    /// The id's first letter.
    pub fn letter(self) -> char {
        match self {
            RecordKind::Round => 'r',
            RecordKind::Fact => 'f',
            RecordKind::Comment => 'c',
            RecordKind::Decision => 'd',
            RecordKind::Submission => 's',
            RecordKind::Approval => 'a',
            RecordKind::Signature => 'g',
            RecordKind::Withdrawal => 'w',
            RecordKind::Message => 'm',
            RecordKind::Setting => 'e',
            RecordKind::Journal => 'j',
        }
    }
}

/// A source of new record ids.
#[derive(Clone)]
pub struct IdSource {
    state: u64,
}

impl fmt::Debug for IdSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IdSource")
    }
}

impl IdSource {
    /// Ids from the operating system's randomness (the standard library's randomly keyed
    /// hasher, mixed with the process id and the system time), so two clerks on two machines
    /// never mint the same id.
    pub fn random() -> IdSource {
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u32(std::process::id());
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        IdSource { state: h.finish() }
    }

    /// Reproducible ids: the same seed and salt give the same sequence.
    pub fn seeded(seed: u64, salt: &[u8]) -> IdSource {
        // FNV-1a over the salt, then mixed with the seed.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in salt {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        IdSource {
            state: splitmix(seed ^ h.rotate_left(17)),
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        splitmix(self.state)
    }

    /// A new id of a kind.
    pub fn next_id(&mut self, kind: RecordKind) -> RecordId {
        RecordId::new(kind.letter(), self.next_u64())
    }
}

/// SplitMix64's finaliser: a bijection that spreads every input bit over the output.
fn splitmix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_sources_repeat_and_salts_separate_them() {
        let a: Vec<RecordId> = {
            let mut s = IdSource::seeded(7, b"head-1");
            (0..5).map(|_| s.next_id(RecordKind::Comment)).collect()
        };
        let mut again = IdSource::seeded(7, b"head-1");
        let b: Vec<RecordId> = (0..5).map(|_| again.next_id(RecordKind::Comment)).collect();
        assert_eq!(a, b);
        let mut other = IdSource::seeded(7, b"head-2");
        assert_ne!(a[0], other.next_id(RecordKind::Comment));
        let mut unique = a.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 5);
        assert!(a.iter().all(|id| id.as_str().starts_with('c')));
    }

    #[test]
    fn random_sources_differ() {
        let mut x = IdSource::random();
        let mut y = IdSource::random();
        assert_ne!(x.next_u64(), y.next_u64());
    }
}
