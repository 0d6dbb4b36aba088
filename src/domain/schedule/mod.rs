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

/// Days before an end of life at which a calendar reminds its subscriber, latest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alarms(Vec<u32>);

impl Alarms {
    /// At most this many alarms per event.
    pub const MAX_COUNT: usize = 8;
    /// At most two years ahead.
    pub const MAX_DAYS: u32 = 730;

    /// Three months, a month, a week and the day itself, as endoflife.date's feeds remind.
    pub fn standard() -> Self {
        Self(vec![90, 30, 7, 0])
    }

    /// Comma-separated days (`365,182,90,30`); empty means [`Alarms::standard`]; the error
    /// says what is wrong.
    pub fn parse(text: &str) -> Result<Self, String> {
        let parts: Vec<&str> = text.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
        if parts.is_empty() {
            return Ok(Self::standard());
        }
        if parts.len() > Self::MAX_COUNT {
            return Err(format!("ask for at most {} alarms", Self::MAX_COUNT));
        }
        let mut days = Vec::with_capacity(parts.len());
        for part in parts {
            let n: u32 = part.parse().ok().filter(|n| *n <= Self::MAX_DAYS).ok_or_else(|| {
                format!("“{}” is not a number of days from 0 to {}", super::calendar_rules::shown(part), Self::MAX_DAYS)
            })?;
            days.push(n);
        }
        days.sort_unstable_by(|a, b| b.cmp(a));
        days.dedup();
        Ok(Self(days))
    }

    pub fn days(&self) -> &[u32] {
        &self.0
    }

    /// How a reminder `days` ahead reads: "in a month", "in 45 days", "today".
    pub fn phrase(days: u32) -> String {
        match days {
            0 => "today".into(),
            1 => "tomorrow".into(),
            7 => "in a week".into(),
            30 | 31 => "in a month".into(),
            90 | 91 => "in three months".into(),
            182 | 183 => "in six months".into(),
            365 | 366 => "in a year".into(),
            n => format!("in {n} days"),
        }
    }
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
