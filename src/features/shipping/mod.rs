//! Shipping: the life of a release that involves the fixes it carries. At a patch slot's
//! cherry-pick deadline unmerged fixes move to the next slot and a slot with nothing merged is
//! skipped; the automation proposes each due patch's candidate build; a release manager
//! approves it, ships it now or on its day, marks it released (or publishes it), cancels or
//! moves it; fixes follow their release, or say why they will not ship.

pub mod api;
pub mod page;
#[cfg(feature = "ssr")]
pub mod service;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{
    catalog::ReleaseKind,
    plan::PlanState,
    version::{LineId, Version},
};

/// A fix a release carries, as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarriedView {
    pub request: i64,
    pub line: LineId,
    /// Hidden ("an embargoed security fix") from those who may not see the request.
    pub title: String,
    pub cherry_pick_url: Option<String>,
    pub merged_at: Option<DateTime<Utc>>,
    pub embargoed: bool,
}

/// The patch releases due, and whether the viewer may run the train's automation now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatchQueue {
    pub releases: Vec<ReleaseControl>,
    pub can_run: bool,
}

/// What a release manager can do with a release, and why not when they cannot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseControl {
    pub release: Option<i64>,
    pub slot: String,
    pub line: LineId,
    pub kind: ReleaseKind,
    pub version: Option<Version>,
    pub state: PlanState,
    pub date: NaiveDate,
    pub cherry_pick_deadline: Option<NaiveDate>,
    pub note: Option<String>,
    /// The candidate build, when one is proposed or approved.
    pub build: Option<String>,
    /// Why the candidate cannot be approved (or why there is none), when that is so.
    pub blocked: Option<String>,
    pub fixes: Vec<CarriedView>,
    /// The viewer may act (a release manager).
    pub can_manage: bool,
    /// No GitHub token: a due approved release is marked released by hand.
    pub dry_run: bool,
    pub today: NaiveDate,
}

impl ReleaseControl {
    pub fn name(&self) -> String {
        self.version.as_ref().map(ToString::to_string).unwrap_or_else(|| format!("{} ({})", self.line, self.slot))
    }
}
