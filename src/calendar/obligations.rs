//! Every dated obligation of a case, assessed against today.
//!
//! Milestones come from `strategi.toml`; rounds (and per-party due dates with
//! extensions) are added here as the consultation records grow. Each obligation's due
//! date is first moved off weekends and holidays (domstolloven § 149), then assessed.

use jiff::civil::Date;
use serde::Serialize;

use super::{AdjustedDeadline, Assessment, CalendarError, DeadlineStatus, WorkCalendar, assess};
use crate::model::{Config, PartyCode};

/// What kind of obligation an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ObligationKind {
    /// A milestone of the case.
    Milestone,
    /// The deadline of a consultation round.
    Round,
    /// One party's own deadline in a round (after an extension).
    PartyDue,
}

/// A dated obligation before assessment.
#[derive(Debug, Clone)]
pub struct DueItem {
    /// Milestone, round, …
    pub kind: ObligationKind,
    /// Stable id (milestone id, round id, `round/party`).
    pub id: String,
    /// What is due.
    pub title: String,
    /// Who owns it.
    pub owner: Option<PartyCode>,
    /// The due date as given.
    pub due: Date,
    /// When it was done, if it is.
    pub done: Option<Date>,
}

/// One dated obligation with where it stands.
#[derive(Debug, Clone, Serialize)]
pub struct Obligation {
    /// Milestone, round, …
    pub kind: ObligationKind,
    /// The milestone id (or round id).
    pub id: String,
    /// What is due.
    pub title: String,
    /// Who owns it.
    pub owner: Option<PartyCode>,
    /// The due date, moved off a closed day if it fell on one.
    pub due: AdjustedDeadline,
    /// When it was done, if it is.
    pub done: Option<Date>,
    /// Done, upcoming, due soon, due today or overdue, with days left.
    pub assessment: Assessment,
}

impl Obligation {
    /// Whether this obligation is late and not done.
    pub fn is_overdue(&self) -> bool {
        self.assessment.status == DeadlineStatus::Overdue
    }

    /// Whether it is done.
    pub fn is_done(&self) -> bool {
        self.assessment.status == DeadlineStatus::Done
    }
}

/// The deadlines a reader should see next: every overdue obligation, then the next
/// three open ones (`all` in due-date order, as [`obligations`] returns them).
pub fn next_deadlines(all: Vec<Obligation>) -> Vec<Obligation> {
    let (overdue, rest): (Vec<_>, Vec<_>) = all
        .into_iter()
        .filter(|o| !o.is_done())
        .partition(Obligation::is_overdue);
    overdue
        .into_iter()
        .chain(rest.into_iter().take(3))
        .collect()
}

/// The working calendar of a case: weekends, public holidays and its extra closed days.
pub fn work_calendar(config: &Config) -> WorkCalendar {
    WorkCalendar::with_extra_closed(config.closed_days.iter().copied())
}

/// All obligations of the case (its milestones and the `extra` items, such as rounds) in
/// due-date order, assessed on `today`; `soon` is how many working days ahead count as
/// "due soon".
pub fn obligations(
    config: &Config,
    extra: Vec<DueItem>,
    today: Date,
    soon: u32,
) -> Result<Vec<Obligation>, CalendarError> {
    let cal = work_calendar(config);
    let milestones = config.milestones.iter().map(|m| DueItem {
        kind: ObligationKind::Milestone,
        id: m.id.to_string(),
        title: m.title.clone(),
        owner: m.owner.clone(),
        due: m.due,
        done: m.done,
    });
    let mut items = Vec::with_capacity(config.milestones.len() + extra.len());
    for item in milestones.chain(extra) {
        let due = cal.adjust_deadline(item.due)?;
        let assessment = assess(due.date, item.done.is_some(), today, soon, &cal);
        items.push(Obligation {
            kind: item.kind,
            id: item.id,
            title: item.title,
            owner: item.owner,
            due,
            done: item.done,
            assessment,
        });
    }
    items.sort_by(|a, b| a.due.date.cmp(&b.due.date).then_with(|| a.id.cmp(&b.id)));
    Ok(items)
}

/// A due date given relative to another milestone: `10 working days before forslag-dfd`
/// (or `after`). Returns the number of working days (negative for before) and the id.
pub fn parse_relative_due(text: &str) -> Option<(i32, String)> {
    let words: Vec<&str> = text.split_whitespace().collect();
    match words.as_slice() {
        [n, "working", "days" | "day", dir @ ("before" | "after"), id] => {
            let n: i32 = n.parse().ok().filter(|n: &i32| *n >= 0)?;
            Some((if *dir == "before" { -n } else { n }, (*id).to_string()))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_due_dates() {
        assert_eq!(
            parse_relative_due("10 working days before forslag-dfd"),
            Some((-10, "forslag-dfd".into()))
        );
        assert_eq!(
            parse_relative_due("1 working day after x"),
            Some((1, "x".into()))
        );
        assert_eq!(parse_relative_due("-3 working days before x"), None);
        assert_eq!(parse_relative_due("10 days before x"), None);
    }
}
