//! The release train: daily builds, weekly qualification, the monthly candidate, promotion
//! (DESIGN §2 rules 2–5, issue 6). CI reports builds; Trainyard proposes; a release manager
//! promotes.

pub mod api;
pub mod page;
#[cfg(feature = "ssr")]
pub mod rest;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{
    train::{BuildFacts, Suite, SuiteStatus},
    version::Version,
};

/// A suite result with its link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuiteResult {
    pub suite: Suite,
    pub status: SuiteStatus,
    pub link: Option<String>,
    pub reported_at: DateTime<Utc>,
}

/// A build as the train page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Build {
    pub name: String,
    pub branch: String,
    pub commit: String,
    pub cut_at: DateTime<Utc>,
    pub results: Vec<SuiteResult>,
    pub weekly_selected_at: Option<DateTime<Utc>>,
    pub weekly_reason: Option<String>,
    pub promoted_to: Option<String>,
}

impl Build {
    pub fn status(&self, suite: Suite) -> Option<SuiteStatus> {
        self.results.iter().find(|r| r.suite == suite).map(|r| r.status)
    }

    pub fn link(&self, suite: Suite) -> Option<String> {
        self.results.iter().find(|r| r.suite == suite).and_then(|r| r.link.clone())
    }

    pub fn facts(&self) -> BuildFacts {
        BuildFacts {
            name: self.name.clone(),
            commit: self.commit.clone(),
            cut_at: self.cut_at,
            functional: self.status(Suite::Functional),
            stability: self.status(Suite::Stability),
            performance: self.status(Suite::Performance),
            weekly: self.weekly_selected_at.is_some(),
            promoted_to: self.promoted_to.clone(),
        }
    }
}

/// Something on the train that needs a person's attention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    pub kind: FlagKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagKind {
    MissingDaily,
    FailedQualification,
    LateQualification,
    NoWeekly,
}

/// The monthly candidate and why; or why there is none and what happens instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    /// The minor the train is heading for.
    pub version: Version,
    pub release_day: NaiveDate,
    pub build: Option<Build>,
    pub reason: String,
    /// When the newest weekly failed: what the train falls back to, and how many days the
    /// monthly release slips (Istio's "code yellow/orange").
    pub escalation: Option<Escalation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Escalation {
    pub failed_build: String,
    pub failed_suites: Vec<Suite>,
    pub fallback: String,
    pub slip_days: i64,
}

/// Everything `/train` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrainView {
    pub today: NaiveDate,
    pub candidate: Option<Candidate>,
    pub weeklies: Vec<Build>,
    pub dailies: Vec<Build>,
    pub flags: Vec<Flag>,
    pub can_promote: bool,
}
