//! The plan: what the catalog means on a given day. One computation gives every line its
//! monthly release (released, planned or projected on the cadence), its status and end of
//! life, and its patch releases (stored or projected) with their versions. The matrix, the
//! calendar, the feeds, the APIs, the request form and the dashboard all read this one plan, so
//! they cannot disagree.
//!
//! Versions follow time: a released (or publishing) release keeps its version; every other live
//! release of a line is numbered after them in the order of its date, so an out-of-band patch
//! renumbers the planned ones after it, and a cancelled or skipped slot takes no number.

#[cfg(test)]
pub(crate) mod fixtures;
mod minors;
mod patches;
mod support;
#[cfg(test)]
mod tests;

use chrono::{Days, NaiveDate};
pub use patches::NOTHING_MERGED;
use serde::{Deserialize, Serialize};

use super::{
    catalog::{Catalog, Release, ReleaseKind, ReleaseStatus, Slot},
    policy::{EndOfLife, LineStatus, LineSupport},
    version::{LineId, Version},
};

/// Where a release stands in the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanState {
    Released,
    Publishing,
    Approved,
    Candidate,
    Planned,
    /// Not stored: the policy projects it.
    Projected,
    Cancelled,
    Skipped,
}

impl PlanState {
    pub fn of(status: ReleaseStatus) -> Self {
        match status {
            ReleaseStatus::Released => Self::Released,
            ReleaseStatus::Publishing => Self::Publishing,
            ReleaseStatus::Approved => Self::Approved,
            ReleaseStatus::Candidate => Self::Candidate,
            ReleaseStatus::Planned => Self::Planned,
            ReleaseStatus::Cancelled => Self::Cancelled,
            ReleaseStatus::Skipped => Self::Skipped,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Released => "released",
            Self::Publishing => "publishing",
            Self::Approved => "approved",
            Self::Candidate => "candidate",
            Self::Planned => "planned",
            Self::Projected => "projected",
            Self::Cancelled => "cancelled",
            Self::Skipped => "skipped",
        }
    }

    /// It will ship unless someone stops it.
    pub fn is_live(self) -> bool {
        !matches!(self, Self::Released | Self::Cancelled | Self::Skipped)
    }

    pub fn is_dropped(self) -> bool {
        matches!(self, Self::Cancelled | Self::Skipped)
    }
}

/// A release in the plan: stored, or projected by the policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scheduled {
    pub slot: Slot,
    /// The stored release, when there is one.
    pub release: Option<i64>,
    pub line: LineId,
    pub kind: ReleaseKind,
    /// `None` for a cancelled or skipped slot: it takes no number.
    pub version: Option<Version>,
    pub state: PlanState,
    /// When it shipped, or when it is planned or projected.
    pub date: NaiveDate,
    /// Live, and its day has passed without it shipping.
    pub late: bool,
    /// Cherry-picks for it must be merged by the end of this day (UTC).
    pub cherry_pick_deadline: Option<NaiveDate>,
    pub note: Option<String>,
    /// The stored release's revision (0 when projected).
    pub revision: u32,
}

impl Scheduled {
    /// The day it can still ship on: its date, or today when it is late.
    pub fn due(&self, today: NaiveDate) -> NaiveDate {
        if self.state.is_live() { self.date.max(today) } else { self.date }
    }

    pub fn out_of_band(&self) -> bool {
        matches!(self.slot, Slot::OutOfBand { .. })
    }

    fn stored(release: &Release, today: NaiveDate) -> Self {
        let state = PlanState::of(release.status);
        Self {
            slot: release.slot,
            release: Some(release.id),
            line: release.line,
            kind: release.kind,
            version: release.version.clone(),
            state,
            date: release.date(),
            late: state.is_live() && release.planned_date < today,
            cherry_pick_deadline: release.cherry_pick_deadline,
            note: release.date_note.clone(),
            revision: release.revision,
        }
    }
}

/// One line in the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinePlan {
    pub line: LineId,
    /// Its `X.Y.0`.
    pub minor: Scheduled,
    pub status: LineStatus,
    /// Every line's end of life, expected or confirmed (also for lines not shipped yet).
    pub eol: EndOfLife,
    /// Its patches, stored and projected, in date order; cancelled and skipped ones included.
    pub patches: Vec<Scheduled>,
}

impl LinePlan {
    pub fn released(&self) -> bool {
        self.minor.state == PlanState::Released
    }

    /// The line as the matrix shows it.
    pub fn support(&self) -> LineSupport {
        LineSupport {
            id: self.line,
            status: self.status,
            release_date: Some(self.minor.date),
            eol: self.released().then(|| self.eol.clone()),
        }
    }

    /// The first live regular patch slot whose cherry-pick deadline is today or later: where a
    /// fix ready today goes.
    pub fn open_slot(&self, today: NaiveDate) -> Option<&Scheduled> {
        self.patches
            .iter()
            .find(|p| p.state.is_live() && !p.out_of_band() && p.cherry_pick_deadline.is_some_and(|d| d >= today))
    }

    /// The next live patch on or after today, regular or out of band.
    pub fn next_patch(&self, today: NaiveDate) -> Option<&Scheduled> {
        self.patches.iter().filter(|p| p.state.is_live() && p.version.is_some()).min_by_key(|p| (p.due(today), p.slot))
    }

    /// Why `release` of this line may not move to `date`, if it may not: a patch stays after
    /// its line's `X.Y.0` and before its end of life; an `X.Y.0` stays before its line's
    /// planned patches, so versions keep following time.
    pub fn move_refusal(&self, release: &Scheduled, date: NaiveDate, today: NaiveDate) -> Option<String> {
        match release.kind {
            ReleaseKind::Patch if date >= self.eol.date => {
                Some(format!("{} reaches end of life on {}: move the patch before that", self.line, self.eol.date))
            }
            ReleaseKind::Patch if !self.released() && date <= self.minor.due(today) => Some(format!(
                "{} ships on {}: its patches come after it",
                self.line.first_release(),
                self.minor.due(today)
            )),
            ReleaseKind::Patch => None,
            ReleaseKind::Minor => self
                .patches
                .iter()
                .filter(|p| p.release.is_some() && p.state.is_live())
                .map(|p| p.due(today))
                .min()
                .filter(|first| date >= *first)
                .map(|first| {
                    format!(
                        "a patch of {} is planned on {first}: {} must ship before it",
                        self.line,
                        self.line.first_release()
                    )
                }),
        }
    }

    /// What to tell the requester when a fix filed on `filed` is approved today into `slot`
    /// although the regular slot open when it was filed has since passed its cherry-pick
    /// deadline: the approval came too late for it.
    pub fn late_approval_note(&self, filed: NaiveDate, slot: &Scheduled, today: NaiveDate) -> Option<String> {
        let promised = self
            .patches
            .iter()
            .find(|p| !p.out_of_band() && p.cherry_pick_deadline.is_some_and(|d| d >= filed))
            // A cancelled slot moved every fix on: the approval's timing did not matter.
            .filter(|p| p.state != PlanState::Cancelled)?;
        let deadline = promised.cherry_pick_deadline?;
        if deadline >= today || promised.slot == slot.slot {
            return None;
        }
        // Slots are named by line and month, never by version or date: an out-of-band release
        // renumbers the patches after it and a move changes a date, and the note is kept.
        Some(format!(
            "approved after the cherry-pick deadline of {} (end of {deadline}, UTC): it ships in {} instead",
            promised.slot.describe(),
            slot.slot.describe()
        ))
    }

    /// The live regular slot after `slot`, where a fix that misses `slot` goes.
    pub fn slot_after(&self, slot: &Slot, today: NaiveDate) -> Option<&Scheduled> {
        let from = self.patches.iter().find(|p| p.slot == *slot)?.due(today);
        self.patches.iter().find(|p| p.state.is_live() && !p.out_of_band() && p.slot != *slot && p.due(today) > from)
    }
}

/// What the catalog means on `today`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub today: NaiveDate,
    /// Projections reach this far.
    pub horizon: NaiveDate,
    /// Oldest line first.
    pub lines: Vec<LinePlan>,
    /// Monthly slots that were cancelled: they ship nothing and free their version.
    pub cancelled_minors: Vec<Scheduled>,
}

impl Plan {
    /// Plans from the catalog as of `today`, projecting up to `horizon`.
    pub fn build(catalog: &Catalog, today: NaiveDate, horizon: NaiveDate) -> Self {
        // A line's end of life needs the minor two (by policy) lines later, past the horizon.
        let reach = horizon + Days::new(31 * (u64::from(catalog.policy.support_successor) + 2));
        let minors = minors::schedule(catalog, today, reach);
        let ends = support::ends_of_life(catalog, &minors.live, today);
        let statuses = support::statuses(&minors.live, &ends, today);
        let lines = minors
            .live
            .iter()
            .zip(ends)
            .zip(statuses)
            .map(|((minor, eol), status)| LinePlan {
                line: minor.line,
                patches: patches::schedule(catalog, minor, &eol, today, horizon),
                minor: minor.clone(),
                status,
                eol,
            })
            .filter(|l| l.minor.date <= reach)
            .collect();
        Self { today, horizon, lines, cancelled_minors: minors.cancelled }
    }

    pub fn line(&self, id: LineId) -> Option<&LinePlan> {
        self.lines.iter().find(|l| l.line == id)
    }

    /// Every release in the plan: the lines' minors and patches, and the cancelled monthlies.
    pub fn releases(&self) -> impl Iterator<Item = &Scheduled> {
        self.lines.iter().flat_map(|l| std::iter::once(&l.minor).chain(&l.patches)).chain(&self.cancelled_minors)
    }

    /// The planned release that is (or will be) `version`.
    pub fn by_version(&self, version: &Version) -> Option<&Scheduled> {
        self.releases().find(|s| s.version.as_ref() == Some(version))
    }

    pub fn by_slot(&self, slot: &Slot) -> Option<&Scheduled> {
        self.releases().find(|s| s.slot == *slot)
    }

    pub fn by_release(&self, id: i64) -> Option<&Scheduled> {
        self.releases().find(|s| s.release == Some(id))
    }

    /// Why `release` may not move to `date`, if it may not: its line's rules, and a monthly
    /// stays between the monthlies before and after it, so they keep their order and versions.
    pub fn move_refusal(&self, release: &Scheduled, date: NaiveDate) -> Option<String> {
        if let Some(why) = self.line(release.line).and_then(|l| l.move_refusal(release, date, self.today)) {
            return Some(why);
        }
        if release.kind != ReleaseKind::Minor {
            return None;
        }
        let minors: Vec<&Scheduled> = self.lines.iter().map(|l| &l.minor).collect();
        let at = minors.iter().position(|m| m.slot == release.slot)?;
        let before = at.checked_sub(1).map(|i| minors[i]).filter(|m| date <= m.due(self.today));
        let after = minors.get(at + 1).filter(|m| date >= m.due(self.today));
        match (before, after) {
            (Some(m), _) => Some(format!(
                "{} ships on {}: a later monthly cannot ship before it",
                m.line.first_release(),
                m.due(self.today)
            )),
            (_, Some(m)) => Some(format!(
                "{} ships on {}: an earlier monthly cannot ship after it",
                m.line.first_release(),
                m.due(self.today)
            )),
            _ => None,
        }
    }

    /// Why the monthly `minor` may not be cancelled, if it may not: the lines from it on are
    /// renumbered by the cancellation, so none of them may already have planned patches.
    pub fn minor_cancel_refusal(&self, minor: &Scheduled) -> Option<String> {
        let stored = self
            .lines
            .iter()
            .filter(|l| l.line >= minor.line && !l.released())
            .flat_map(|l| &l.patches)
            .find(|p| p.release.is_some() && p.state.is_live())?;
        let name = stored.version.as_ref().map(ToString::to_string).unwrap_or_else(|| stored.slot.describe());
        Some(format!("{name} is planned after this monthly: cancel or move it first"))
    }

    /// The lines that receive patches today.
    pub fn supported(&self) -> impl DoubleEndedIterator<Item = &LinePlan> {
        self.lines.iter().filter(|l| l.status.is_supported())
    }

    /// The next monthly release: the first that has not shipped (late ones included).
    pub fn next_monthly(&self) -> Option<&Scheduled> {
        self.lines.iter().map(|l| &l.minor).find(|m| m.state.is_live())
    }

    /// The first monthly whose branch cut is still ahead (today counts): what a feature filed
    /// today ships in.
    pub fn open_monthly(&self, branch_cut_days: u32) -> Option<&Scheduled> {
        self.lines
            .iter()
            .map(|l| &l.minor)
            .find(|m| m.state.is_live() && m.due(self.today) - Days::new(u64::from(branch_cut_days)) >= self.today)
    }

    /// The line branched for its monthly but not released yet: fixes go to it too.
    pub fn branched_line(&self, branch_cut_days: u32) -> Option<&LinePlan> {
        self.lines.iter().find(|l| {
            l.minor.state.is_live() && l.minor.due(self.today) - Days::new(u64::from(branch_cut_days)) < self.today
        })
    }
}
