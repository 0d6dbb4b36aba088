//! Release lines and releases as stored, and the catalog of them: what every page reads. What
//! the catalog means as of a day (statuses, ends of life, versions of what has not shipped) is
//! worked out once, by [`crate::domain::plan`].

use std::{
    fmt,
    str::FromStr,
    sync::{Arc, Mutex},
};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{
    plan::Plan,
    policy::{EolOverride, Policy},
    schedule::Blackout,
    version::{LineId, Version},
};

/// A release that shipped before Trainyard ran the train, as an import brings it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShippedRelease {
    pub version: Version,
    pub date: NaiveDate,
    pub commit: Option<String>,
    pub notes: String,
}

/// A minor opens a line; a patch fixes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseKind {
    Minor,
    Patch,
}

impl ReleaseKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Minor => "minor",
            Self::Patch => "patch",
        }
    }

    pub fn of(version: &Version) -> Self {
        if version.is_minor() { Self::Minor } else { Self::Patch }
    }
}

/// One life for every release, minor or patch: planned → candidate (proposed by the
/// automation) → approved (by a release manager, with its source build and commit) →
/// publishing → released; planned or candidate → cancelled; a patch slot → skipped when nothing
/// was merged by its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseStatus {
    Planned,
    Candidate,
    Approved,
    Publishing,
    Released,
    Cancelled,
    Skipped,
}

impl ReleaseStatus {
    pub const ALL: [Self; 7] = [
        Self::Planned,
        Self::Candidate,
        Self::Approved,
        Self::Publishing,
        Self::Released,
        Self::Cancelled,
        Self::Skipped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::Candidate => "candidate",
            Self::Approved => "approved",
            Self::Publishing => "publishing",
            Self::Released => "released",
            Self::Cancelled => "cancelled",
            Self::Skipped => "skipped",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Still on its way: it will ship unless someone cancels it.
    pub fn is_live(self) -> bool {
        matches!(self, Self::Planned | Self::Candidate | Self::Approved | Self::Publishing)
    }

    /// Its version is fixed: the tag exists or is being made.
    pub fn is_fixed(self) -> bool {
        matches!(self, Self::Publishing | Self::Released)
    }

    /// Cancelled or skipped: it takes no version number and ships nothing.
    pub fn is_dropped(self) -> bool {
        matches!(self, Self::Cancelled | Self::Skipped)
    }
}

/// The slot a release fills, stable through moves and renumbering; the calendar's UIDs are
/// made from it, so subscribed calendars update in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Slot {
    /// The monthly release of a cadence month; `n` tells apart minors imported from the same
    /// month (0 for the train's own).
    Minor { year: i32, month: u32, n: u32 },
    /// A line's regular patch slot of a month.
    Patch { line: LineId, year: i32, month: u32 },
    /// A line's `n`-th out-of-band patch.
    OutOfBand { line: LineId, n: u32 },
}

impl Slot {
    pub fn minor_of(date: NaiveDate) -> Self {
        Self::Minor { year: date.year(), month: date.month(), n: 0 }
    }

    pub fn patch_of(line: LineId, date: NaiveDate) -> Self {
        Self::Patch { line, year: date.year(), month: date.month() }
    }

    /// The first day of the slot's month, for minors and regular patches.
    pub fn month(&self) -> Option<NaiveDate> {
        match *self {
            Self::Minor { year, month, .. } | Self::Patch { year, month, .. } => {
                NaiveDate::from_ymd_opt(year, month, 1)
            }
            Self::OutOfBand { .. } => None,
        }
    }

    /// How a person names the slot whatever version it ends up with: "the 1.12 patch of
    /// December 2026", "the monthly of December 2026", "out-of-band patch 2 of 1.12". Notes
    /// that outlive renumbering say this, not a version.
    pub fn describe(&self) -> String {
        let month_of = |year: i32, month: u32| {
            NaiveDate::from_ymd_opt(year, month, 1).map(|d| d.format("%B %Y").to_string()).unwrap_or_default()
        };
        match *self {
            Self::Minor { year, month, n: 0 } => format!("the monthly of {}", month_of(year, month)),
            Self::Minor { year, month, n } => format!("extra monthly {n} of {}", month_of(year, month)),
            Self::Patch { line, year, month } => format!("the {line} patch of {}", month_of(year, month)),
            Self::OutOfBand { line, n } => format!("out-of-band patch {n} of {line}"),
        }
    }

    /// A key safe in a calendar UID and a URL: `minor-2026-12`, `patch-1.12-2026-12`, `oob-1.12-2`.
    pub fn key(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Slot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Minor { year, month, n: 0 } => write!(f, "minor-{year:04}-{month:02}"),
            Self::Minor { year, month, n } => write!(f, "minor-{year:04}-{month:02}-{n}"),
            Self::Patch { line, year, month } => write!(f, "patch-{line}-{year:04}-{month:02}"),
            Self::OutOfBand { line, n } => write!(f, "oob-{line}-{n}"),
        }
    }
}

/// Why a slot key does not parse (a stored value that is our bug, or a bad URL).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("“{0}” is not a release slot")]
pub struct SlotError(pub String);

impl FromStr for Slot {
    type Err = SlotError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || SlotError(s.to_owned());
        let month = |ym: &str| -> Result<(i32, u32), SlotError> {
            let (y, m) = ym.split_once('-').ok_or_else(bad)?;
            let (y, m) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
            NaiveDate::from_ymd_opt(y, m, 1).ok_or_else(bad)?;
            Ok((y, m))
        };
        if let Some(rest) = s.strip_prefix("minor-") {
            let (ym, n) = match rest.splitn(3, '-').nth(2) {
                Some(n) => (&rest[..rest.len() - n.len() - 1], n.parse().map_err(|_| bad())?),
                None => (rest, 0),
            };
            let (year, month) = month(ym)?;
            return Ok(Self::Minor { year, month, n });
        }
        if let Some(rest) = s.strip_prefix("patch-") {
            let (line, ym) = rest.split_once('-').ok_or_else(bad)?;
            let (year, month) = month(ym)?;
            return Ok(Self::Patch { line: line.parse().map_err(|_| bad())?, year, month });
        }
        if let Some(rest) = s.strip_prefix("oob-") {
            let (line, n) = rest.rsplit_once('-').ok_or_else(bad)?;
            return Ok(Self::OutOfBand { line: line.parse().map_err(|_| bad())?, n: n.parse().map_err(|_| bad())? });
        }
        Err(bad())
    }
}

impl Serialize for Slot {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Slot {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

/// One release as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    pub id: i64,
    pub line: LineId,
    pub kind: ReleaseKind,
    pub slot: Slot,
    /// Fixed once it is publishing or released; before that the plan numbers it by its date.
    pub version: Option<Version>,
    pub status: ReleaseStatus,
    /// The day it is planned for (moved by a manager, or by "ship now").
    pub planned_date: NaiveDate,
    /// Cherry-picks for it must be merged by the end of this day (UTC); none out of band.
    pub cherry_pick_deadline: Option<NaiveDate>,
    /// The day it was released.
    pub actual_date: Option<NaiveDate>,
    pub source_build: Option<String>,
    pub source_commit: Option<String>,
    pub notes: String,
    pub github_url: Option<String>,
    /// Why it is where it is: moved, cancelled, skipped, out of band.
    pub date_note: Option<String>,
    /// Bumped on every change (the calendar feed's SEQUENCE).
    pub revision: u32,
    pub updated_at: DateTime<Utc>,
}

impl Release {
    pub fn out_of_band(&self) -> bool {
        matches!(self.slot, Slot::OutOfBand { .. })
    }

    /// The day it was released, if it was.
    pub fn shipped(&self) -> Option<NaiveDate> {
        (self.status == ReleaseStatus::Released).then_some(self.actual_date).flatten()
    }

    /// The day to show: when it shipped, or when it is planned.
    pub fn date(&self) -> NaiveDate {
        self.actual_date.unwrap_or(self.planned_date)
    }
}

/// One release line as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub id: LineId,
    pub eol_override: Option<EolOverride>,
    pub compatibility_notes: String,
}

/// Everything the schedule and support rules read, loaded in a few queries and cached until
/// the next write.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub policy: Policy,
    /// Sorted by line id.
    pub lines: Vec<Line>,
    /// Sorted by line, then date.
    pub releases: Vec<Release>,
    /// Sorted by date.
    pub blackouts: Vec<Blackout>,
    /// The plans already worked out from this catalog: a catalog never changes once built
    /// (a write loads a new one), so its plan for a day and horizon is computed once.
    plans: PlanMemo,
}

/// The last few plans of one catalog, by day and horizon: pages ask for two or three horizons
/// a day. A copy of the catalog starts without them.
#[derive(Debug, Default)]
struct PlanMemo(Mutex<Vec<(NaiveDate, NaiveDate, Arc<Plan>)>>);

impl PlanMemo {
    const KEPT: usize = 8;
}

impl Clone for PlanMemo {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl Catalog {
    pub fn new(policy: Policy, mut lines: Vec<Line>, mut releases: Vec<Release>, mut blackouts: Vec<Blackout>) -> Self {
        lines.sort_by_key(|l| l.id);
        releases.sort_by_key(|a| (a.line, a.date(), a.id));
        blackouts.sort_by_key(|b| b.date);
        Self { policy, lines, releases, blackouts, plans: PlanMemo::default() }
    }

    /// What the catalog means on `today`: every line's status and end of life, and every
    /// release (stored or projected) with its version, up to `horizon`.
    pub fn plan(&self, today: NaiveDate, horizon: NaiveDate) -> Plan {
        Plan::build(self, today, horizon)
    }

    /// [`Catalog::plan`], worked out once per day and horizon and shared.
    pub fn shared_plan(&self, today: NaiveDate, horizon: NaiveDate) -> Arc<Plan> {
        let kept = |plans: &Vec<(NaiveDate, NaiveDate, Arc<Plan>)>| {
            plans.iter().find(|(d, h, _)| (*d, *h) == (today, horizon)).map(|(.., p)| p.clone())
        };
        if let Some(plan) = kept(&self.plans.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)) {
            return plan;
        }
        // Worked out outside the lock: two requests may both compute it, and both get the same.
        let plan = Arc::new(self.plan(today, horizon));
        let mut plans = self.plans.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(kept) = kept(&plans) {
            return kept;
        }
        if plans.len() == PlanMemo::KEPT {
            plans.remove(0);
        }
        plans.push((today, horizon, plan.clone()));
        plan
    }

    pub fn line(&self, id: LineId) -> Option<&Line> {
        self.lines.iter().find(|l| l.id == id)
    }

    pub fn release_by_id(&self, id: i64) -> Option<&Release> {
        self.releases.iter().find(|r| r.id == id)
    }

    /// The stored releases of a line, oldest first (found by halving: lines are sorted).
    pub fn releases_of(&self, line: LineId) -> impl DoubleEndedIterator<Item = &Release> {
        let start = self.releases.partition_point(|r| r.line < line);
        let end = self.releases.partition_point(|r| r.line <= line);
        self.releases[start..end].iter()
    }

    /// The newest released release of a line.
    pub fn latest_shipped(&self, line: LineId) -> Option<&Release> {
        self.releases_of(line).filter(|r| r.shipped().is_some()).max_by_key(|r| r.version.clone())
    }

    /// The release that is (or was) `version`, once released or publishing.
    pub fn fixed_release(&self, version: &Version) -> Option<&Release> {
        self.releases.iter().find(|r| r.status.is_fixed() && r.version.as_ref() == Some(version))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::plan::fixtures::{catalog_with, d, history};

    #[test]
    fn a_plan_is_worked_out_once_per_day_and_horizon_and_a_copy_of_the_catalog_starts_afresh() {
        let catalog = catalog_with(Policy::default(), history(), vec![], &[]);
        let (today, horizon) = (d("2026-11-26"), d("2027-03-26"));
        let first = catalog.shared_plan(today, horizon);
        assert_eq!(*first, catalog.plan(today, horizon));
        assert!(Arc::ptr_eq(&first, &catalog.shared_plan(today, horizon)));
        let tomorrow = catalog.shared_plan(d("2026-11-27"), horizon);
        assert!(!Arc::ptr_eq(&first, &tomorrow));
        assert_eq!(tomorrow.today, d("2026-11-27"));
        assert!(!Arc::ptr_eq(&first, &catalog.clone().shared_plan(today, horizon)));
    }

    #[test]
    fn slots_round_trip_through_their_keys() {
        let line = LineId::new(1, 12);
        for slot in [
            Slot::Minor { year: 2026, month: 12, n: 0 },
            Slot::Minor { year: 2026, month: 12, n: 2 },
            Slot::Patch { line, year: 2027, month: 1 },
            Slot::OutOfBand { line, n: 3 },
        ] {
            assert_eq!(slot.key().parse::<Slot>(), Ok(slot));
        }
        assert_eq!(Slot::patch_of(line, "2026-12-08".parse().unwrap()).key(), "patch-1.12-2026-12");
        assert!("patch-1.12-2026-13".parse::<Slot>().is_err());
        assert!("release-1.12".parse::<Slot>().is_err());
    }
}
