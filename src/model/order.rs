//! The order of facts: a Lamport clock first, the recorded time and the id after.
//!
//! Every record strategi writes carries `clock = N`, one more than the highest clock the
//! workspace had seen (the `Strategi-Clock` trailer of HEAD). A fact written after
//! another one was seen has a higher clock, whatever the machines' clocks say; facts of
//! two clones written without seeing each other are ordered by their time, then by
//! their id, so both clones fold them in the same order. A record without a clock (an
//! older workspace) counts as clock 0: before every record that has one, and among
//! its kind by time, as before.

use jiff::Timestamp;

/// The sort key of a fact: `(clock, time, id)`. Derived `Ord` compares in that order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FactOrder {
    /// The Lamport clock (0 for a record without one).
    pub clock: u64,
    /// When the fact was recorded.
    pub at: Timestamp,
    /// The record's id, the last tie-breaker.
    pub id: String,
}

impl FactOrder {
    /// The key of a record with `clock` (if it has one), time `at` and id `id`.
    pub fn new(clock: Option<u64>, at: Timestamp, id: &str) -> FactOrder {
        FactOrder {
            clock: clock.unwrap_or(0),
            at,
            id: id.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().expect("timestamp")
    }

    #[test]
    fn clock_orders_before_time() {
        // The second machine's clock is an hour behind, but it saw the first fact.
        let first = FactOrder::new(Some(4), t("2025-03-01T12:00:00Z"), "fzzzzzzz");
        let later = FactOrder::new(Some(5), t("2025-03-01T11:00:00Z"), "faaaaaaa");
        assert!(first < later);
    }

    #[test]
    fn equal_clocks_fall_back_to_time_then_id() {
        let a = FactOrder::new(Some(7), t("2025-03-01T10:00:00Z"), "fbbbbbbb");
        let b = FactOrder::new(Some(7), t("2025-03-01T10:00:01Z"), "faaaaaaa");
        let c = FactOrder::new(Some(7), t("2025-03-01T10:00:01Z"), "fccccccc");
        let mut v = vec![c.clone(), b.clone(), a.clone()];
        v.sort();
        assert_eq!(v, vec![a, b, c]);
    }

    #[test]
    fn records_without_clock_come_first_in_time_order() {
        let old_late = FactOrder::new(None, t("2025-05-01T10:00:00Z"), "f1111111");
        let old_early = FactOrder::new(None, t("2025-04-01T10:00:00Z"), "f2222222");
        let new = FactOrder::new(Some(1), t("2025-01-01T10:00:00Z"), "f3333333");
        let mut v = vec![new.clone(), old_late.clone(), old_early.clone()];
        v.sort();
        assert_eq!(v, vec![old_early, old_late, new]);
    }
}
