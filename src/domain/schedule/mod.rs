//! The calendar's vocabulary: the kinds of dated event, their status, blackout days; and the
//! events themselves, drawn from the plan ([`events`]).

mod events;
#[cfg(test)]
mod tests;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use events::events;

use super::version::{LineId, Version};

/// The kinds of event on the calendar; also the `kinds=` filter values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    Daily,
    Weekly,
    BranchCut,
    CodeFreeze,
    Minor,
    Deadline,
    Patch,
    EndOfLife,
}

impl EventKind {
    pub const ALL: [EventKind; 8] = [
        Self::Minor,
        Self::Patch,
        Self::Deadline,
        Self::EndOfLife,
        Self::BranchCut,
        Self::CodeFreeze,
        Self::Weekly,
        Self::Daily,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Daily => "daily",
            Self::Weekly => "weekly",
            Self::BranchCut => "branch-cut",
            Self::CodeFreeze => "code-freeze",
            Self::Minor => "minor",
            Self::Deadline => "deadline",
            Self::Patch => "patch",
            Self::EndOfLife => "end-of-life",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Daily => "daily build",
            Self::Weekly => "weekly qualification",
            Self::BranchCut => "branch cut",
            Self::CodeFreeze => "code freeze",
            Self::Minor => "monthly release",
            Self::Deadline => "cherry-pick deadline",
            Self::Patch => "patch release",
            Self::EndOfLife => "end of life",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
}

/// Whether an event happened, is planned (stored), or only projected by the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    Done,
    Planned,
    Projected,
    /// A release whose day has passed without it shipping: it ships when it can.
    Late,
    Missed,
    Cancelled,
    /// A patch slot with nothing merged by its deadline: it ships nothing.
    Skipped,
}

impl EventStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::Planned => "planned",
            Self::Projected => "projected",
            Self::Late => "late",
            Self::Missed => "missed",
            Self::Cancelled => "cancelled",
            Self::Skipped => "skipped",
        }
    }
}

/// One dated item of the train.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleEvent {
    /// Stable across recomputation, so a moved date updates the same calendar entry.
    pub uid: String,
    pub kind: EventKind,
    pub date: NaiveDate,
    pub title: String,
    pub line: Option<LineId>,
    pub version: Option<Version>,
    pub status: EventStatus,
    /// Why it is where it is ("moved for a holiday", "out of band").
    pub note: Option<String>,
    /// Where the event is explained: its release, line or the train.
    pub link: String,
    /// Bumped on every change of a stored release (the ICS `SEQUENCE`).
    pub revision: u32,
}

/// A build of the main branch as the calendar needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownBuild {
    pub name: String,
    pub cut_on: NaiveDate,
    /// The Monday of the week it is the weekly build of, if it is one.
    pub weekly_of: Option<NaiveDate>,
    /// "passed", "failed", "pending" of its functional suite.
    pub summary: String,
}

/// A day on which no release or deadline is scheduled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blackout {
    pub date: NaiveDate,
    pub reason: String,
}

/// The most days a schedule query may span.
pub const MAX_RANGE_DAYS: i64 = 400;

/// Moves a release off blackout days (later) and says why.
pub fn release_day(blackouts: &[Blackout], date: NaiveDate) -> (NaiveDate, Option<String>) {
    skip_blackouts(blackouts, date, true)
}

/// Moves a deadline off blackout days (earlier, so nobody loses time) and says why.
pub fn deadline_day(blackouts: &[Blackout], date: NaiveDate) -> (NaiveDate, Option<String>) {
    skip_blackouts(blackouts, date, false)
}

fn skip_blackouts(blackouts: &[Blackout], mut date: NaiveDate, later: bool) -> (NaiveDate, Option<String>) {
    let mut reason = None;
    for _ in 0..31 {
        let Some(b) = blackouts.iter().find(|b| b.date == date) else { break };
        reason.get_or_insert_with(|| format!("moved from {}: {}", b.date, b.reason));
        let next = if later { date.succ_opt() } else { date.pred_opt() };
        let Some(next) = next else { break };
        date = next;
    }
    (date, reason)
}
