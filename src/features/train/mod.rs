//! The release train: daily builds, weekly qualification, the monthly candidate and its
//! promotion. CI reports builds; Trainyard proposes; a release manager promotes.

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

use crate::domain::train::{Build, Candidate, Flag};

/// Everything `/train` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrainView {
    pub today: NaiveDate,
    pub candidate: Option<Candidate>,
    pub weeklies: Vec<Build>,
    pub dailies: Vec<Build>,
    pub flags: Vec<Flag>,
    pub can_promote: bool,
    /// What a promotion is checked against: the branch monthlies come from, and when the last
    /// promoted build was cut.
    pub main_branch: String,
    pub last_promoted: Option<DateTime<Utc>>,
}
