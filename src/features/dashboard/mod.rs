//! `/`: what is next on the train.

pub mod api;
pub mod page;
#[cfg(feature = "ssr")]
pub mod service;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::{
    health::Assessment,
    matrix::NextPatch,
    policy::LineStatus,
    schedule::ScheduleEvent,
    train::{Candidate, Flag},
    version::LineId,
};

/// A supported line at a glance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineGlance {
    pub line: LineId,
    pub status: LineStatus,
    pub next_patch: Option<NextPatch>,
    pub eol: Option<NaiveDate>,
    /// Requests whose decision on this line is still pending.
    pub pending_requests: i64,
    /// Approved fixes for this line that have not shipped yet.
    pub approved_fixes: i64,
    /// Approved fixes for the next patch whose cherry-pick has not merged.
    pub unmerged_fixes: i64,
    /// One badge, and why.
    pub health: Assessment,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub today: NaiveDate,
    pub daily: Option<ScheduleEvent>,
    pub weekly: Option<ScheduleEvent>,
    pub next_minor: Option<ScheduleEvent>,
    pub lines: Vec<LineGlance>,
    /// Lines ending within the next eight weeks.
    pub ending: Vec<ScheduleEvent>,
    /// What the train needs attention for (missing dailies, failed or late qualification).
    pub flags: Vec<Flag>,
    /// The proposed build of the next monthly release, with why.
    pub candidate: Option<Candidate>,
}
