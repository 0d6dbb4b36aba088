//! The schedule engine's vocabulary: the kinds of dated event on the calendar, their status,
//! and what the engine reads. The projection itself is in [`projection`].

pub mod projection;
#[cfg(test)]
mod tests;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use projection::project;

use super::{
    policy::{EolOverride, Policy},
    version::{LineId, Version},
};

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
    Missed,
    Cancelled,
}

impl EventStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::Planned => "planned",
            Self::Projected => "projected",
            Self::Missed => "missed",
            Self::Cancelled => "cancelled",
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

/// A stored release as the engine needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownRelease {
    pub version: Version,
    pub planned: Option<NaiveDate>,
    pub actual: Option<NaiveDate>,
    pub cancelled: bool,
    pub out_of_band: bool,
    pub note: Option<String>,
    pub revision: u32,
}

impl KnownRelease {
    fn date(&self) -> Option<NaiveDate> {
        self.actual.or(self.planned)
    }
}

/// A build as the engine needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownBuild {
    pub name: String,
    pub cut_on: NaiveDate,
    pub weekly: bool,
    /// "passed", "failed", "pending" of its functional suite.
    pub summary: String,
}

/// A day on which no release or deadline is scheduled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blackout {
    pub date: NaiveDate,
    pub reason: String,
}

/// Everything the engine reads.
pub struct ScheduleInput<'a> {
    pub policy: &'a Policy,
    pub releases: &'a [KnownRelease],
    pub builds: &'a [KnownBuild],
    pub blackouts: &'a [Blackout],
    pub eol_overrides: &'a [(LineId, EolOverride)],
    pub today: NaiveDate,
}

/// The most days a schedule query may span.
pub const MAX_RANGE_DAYS: i64 = 400;
