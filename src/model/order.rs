//! The order of facts: a Lamport clock first, the recorded time and the id after.
//!
//! Every record strategi writes carries `clock = N`, one more than the highest clock the
//! workspace had seen (the `Strategi-Clock` trailer of HEAD). A fact written after
//! another one was seen has a higher clock, whatever the machines' clocks say; facts of
//! two clones written without seeing each other are ordered by their time, then by
//! their id, so both clones fold them in the same order.
//!
//! A record without a clock (an older workspace, or one written by hand) keeps its
//! place in time: its clock is taken as the highest clock of the records of the same
//! fold that have one and were recorded at or before it (0 when there is none), see
//! [`effective_clocks`]. A workspace without any clock is thus in time order, as it
//! always was, and a hand-made record dated after the last fact still comes last.

use std::cmp::Ordering;

use jiff::Timestamp;

/// The clocks the facts `(clock, time)` are ordered by: its own, or for a fact
/// without one the highest clock among the facts with one recorded at or before it (0
/// if none). Depends only on the set of facts, never on their order in the slice.
pub fn effective_clocks(facts: &[(Option<u64>, Timestamp)]) -> Vec<u64> {
    let mut clocked: Vec<(Timestamp, u64)> = facts
        .iter()
        .filter_map(|(c, at)| c.map(|c| (*at, c)))
        .collect();
    clocked.sort();
    // Running maximum: the highest clock recorded at or before each time.
    let mut high = 0;
    for entry in &mut clocked {
        high = high.max(entry.1);
        entry.1 = high;
    }
    facts
        .iter()
        .map(|(c, at)| match c {
            Some(c) => *c,
            None => {
                let n = clocked.partition_point(|(t, _)| t <= at);
                if n == 0 { 0 } else { clocked[n - 1].1 }
            }
        })
        .collect()
}

/// Sorts `items` in the order of facts: by effective clock ([`effective_clocks`] of
/// `key`'s `(clock, time)`), then time, then `tie` (the id, or what the fold names).
pub fn sort_facts<T>(
    items: &mut Vec<T>,
    key: impl Fn(&T) -> (Option<u64>, Timestamp),
    tie: impl Fn(&T, &T) -> Ordering,
) {
    let keys: Vec<(Option<u64>, Timestamp)> = items.iter().map(&key).collect();
    let clocks = effective_clocks(&keys);
    let mut tagged: Vec<(u64, Timestamp, T)> = clocks
        .into_iter()
        .zip(keys)
        .zip(items.drain(..))
        .map(|((c, (_, at)), item)| (c, at, item))
        .collect();
    tagged.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then(a.1.cmp(&b.1))
            .then_with(|| tie(&a.2, &b.2))
    });
    items.extend(tagged.into_iter().map(|(_, _, item)| item));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fact_without_clock_keeps_its_place_in_time() {
        let facts = [
            (Some(3), t("2025-03-01T10:00:00Z")),
            (None, t("2025-03-01T09:00:00Z")),
            (Some(5), t("2025-03-02T10:00:00Z")),
            (None, t("2099-12-31T00:00:00Z")),
            (None, t("2025-03-01T10:00:00Z")),
        ];
        assert_eq!(effective_clocks(&facts), vec![3, 0, 5, 5, 3]);
        let mut v: Vec<usize> = (0..facts.len()).collect();
        sort_facts(&mut v, |i| facts[*i], |a, b| a.cmp(b));
        assert_eq!(v, vec![1, 0, 4, 2, 3]);
        // Without any clock: time order, as before clocks.
        let old = [
            (None, t("2025-03-02T00:00:00Z")),
            (None, t("2025-03-01T00:00:00Z")),
        ];
        let mut v: Vec<usize> = vec![0, 1];
        sort_facts(&mut v, |i| old[*i], |a, b| a.cmp(b));
        assert_eq!(v, vec![1, 0]);
    }

    #[test]
    fn the_order_does_not_depend_on_the_input_order() {
        let facts = [
            (Some(2), t("2025-03-01T12:00:00Z")),
            (Some(2), t("2025-03-01T08:00:00Z")),
            (None, t("2025-03-01T09:00:00Z")),
            (Some(1), t("2025-03-01T13:00:00Z")),
        ];
        let mut a: Vec<usize> = vec![0, 1, 2, 3];
        let mut b: Vec<usize> = vec![3, 2, 1, 0];
        sort_facts(&mut a, |i| facts[*i], |x, y| x.cmp(y));
        sort_facts(&mut b, |i| facts[*i], |x, y| x.cmp(y));
        assert_eq!(a, b);
        // Clock 1 (made at 13:00 on a fast machine) comes before the clock-2 facts; the
        // clockless 09:00 fact takes clock 2 from the 08:00 fact before it and keeps its
        // place in time between the two clock-2 facts.
        assert_eq!(a, vec![3, 1, 2, 0]);
    }

    #[test]
    fn the_clock_orders_before_time_then_time_then_the_tie() {
        // The second machine's clock is an hour behind, but it saw the first fact.
        let facts = [
            (Some(4), t("2025-03-01T12:00:00Z")),
            (Some(5), t("2025-03-01T11:00:00Z")),
            (Some(7), t("2025-03-01T10:00:01Z")),
            (Some(7), t("2025-03-01T10:00:00Z")),
            (Some(7), t("2025-03-01T10:00:01Z")),
        ];
        let mut v: Vec<usize> = vec![4, 3, 2, 1, 0];
        sort_facts(&mut v, |i| facts[*i], |a, b| a.cmp(b));
        assert_eq!(v, vec![0, 1, 3, 2, 4]);
    }

    #[test]
    fn equal_facts_keep_their_order_and_every_item_is_kept() {
        let at = t("2025-03-01T10:00:00Z");
        let mut v: Vec<(u32, String)> = (0..50).map(|i| (i % 3, format!("item {i}"))).collect();
        sort_facts(
            &mut v,
            |(k, _)| (Some(u64::from(2 - *k)), at),
            |_, _| Ordering::Equal,
        );
        assert_eq!(v.len(), 50);
        let expected: Vec<(u32, String)> = [2, 1, 0]
            .iter()
            .flat_map(|k| {
                (0..50)
                    .filter(move |i| i % 3 == *k)
                    .map(|i| (i % 3, format!("item {i}")))
            })
            .collect();
        assert_eq!(v, expected);
    }

    fn t(s: &str) -> Timestamp {
        s.parse().expect("timestamp")
    }
}
