//! Release lines and releases as stored, and the catalog of them that answers "what is
//! supported as of today" and "what is scheduled when".

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{
    policy::{EolOverride, LineFacts, LineSupport, Policy, assess_lines},
    schedule::{Blackout, KnownBuild, KnownRelease, ScheduleEvent, ScheduleInput, project},
    version::{LineId, Version},
};

/// A minor opens a line; a patch fixes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

/// A release's progress from the plan to GitHub.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseStatus {
    Planned,
    Candidate,
    Approved,
    Publishing,
    Published,
    Cancelled,
}

impl ReleaseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::Candidate => "candidate",
            Self::Approved => "approved",
            Self::Publishing => "publishing",
            Self::Published => "published",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "planned" => Self::Planned,
            "candidate" => Self::Candidate,
            "approved" => Self::Approved,
            "publishing" => Self::Publishing,
            "published" => Self::Published,
            "cancelled" => Self::Cancelled,
            _ => return None,
        })
    }
}

/// One release as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    pub id: i64,
    pub version: Version,
    pub kind: ReleaseKind,
    pub status: ReleaseStatus,
    pub planned_date: Option<NaiveDate>,
    /// Set when the release ships (approved by a manager).
    pub actual_date: Option<NaiveDate>,
    pub out_of_band: bool,
    pub source_build: Option<String>,
    pub source_commit: Option<String>,
    pub notes: String,
    pub github_url: Option<String>,
    /// Why a planned date moved, shown on the calendar.
    pub date_note: Option<String>,
    /// Bumped on every change (the calendar feed's SEQUENCE).
    pub revision: u32,
    pub updated_at: DateTime<Utc>,
}

impl Release {
    pub fn line(&self) -> LineId {
        self.version.line()
    }

    /// Shipped releases have an actual date; cancelled ones never count.
    pub fn shipped(&self) -> Option<NaiveDate> {
        (self.status != ReleaseStatus::Cancelled).then_some(self.actual_date).flatten()
    }

    /// The date to show: when it shipped, or when it is planned.
    pub fn date(&self) -> Option<NaiveDate> {
        self.actual_date.or(self.planned_date)
    }

    pub fn is_planned(&self) -> bool {
        self.actual_date.is_none() && self.status != ReleaseStatus::Cancelled
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
    /// Sorted by version.
    pub releases: Vec<Release>,
    /// Sorted by date.
    pub blackouts: Vec<Blackout>,
}

impl Catalog {
    pub fn new(policy: Policy, mut lines: Vec<Line>, mut releases: Vec<Release>, mut blackouts: Vec<Blackout>) -> Self {
        lines.sort_by_key(|l| l.id);
        releases.sort_by(|a, b| a.version.cmp(&b.version));
        blackouts.sort_by_key(|b| b.date);
        Self { policy, lines, releases, blackouts }
    }

    /// The releases as the schedule engine reads them.
    pub fn known_releases(&self) -> Vec<KnownRelease> {
        self.releases
            .iter()
            .map(|r| KnownRelease {
                version: r.version.clone(),
                planned: r.planned_date,
                actual: r.shipped(),
                cancelled: r.status == ReleaseStatus::Cancelled,
                out_of_band: r.out_of_band,
                note: r.date_note.clone(),
                revision: r.revision,
            })
            .collect()
    }

    /// The train's events dated `from..=to`, as of `today` (see `domain::schedule`).
    pub fn schedule(
        &self,
        builds: &[KnownBuild],
        today: NaiveDate,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Vec<ScheduleEvent> {
        let releases = self.known_releases();
        let overrides = self.eol_overrides();
        let input = ScheduleInput {
            policy: &self.policy,
            releases: &releases,
            builds,
            blackouts: &self.blackouts,
            eol_overrides: &overrides,
            today,
        };
        project(&input, from, to)
    }

    /// Managers' end-of-life overrides, per line.
    pub fn eol_overrides(&self) -> Vec<(LineId, EolOverride)> {
        self.lines.iter().filter_map(|l| Some((l.id, l.eol_override.clone()?))).collect()
    }

    pub fn line(&self, id: LineId) -> Option<&Line> {
        self.lines.iter().find(|l| l.id == id)
    }

    pub fn release(&self, version: &Version) -> Option<&Release> {
        self.releases.iter().find(|r| &r.version == version)
    }

    /// The releases of a line, oldest first.
    pub fn releases_of(&self, line: LineId) -> impl DoubleEndedIterator<Item = &Release> {
        self.releases.iter().filter(move |r| r.line() == line)
    }

    /// The newest shipped release of a line.
    pub fn latest_shipped(&self, line: LineId) -> Option<&Release> {
        self.releases_of(line).rev().find(|r| r.shipped().is_some())
    }

    /// The highest version in a line, planned, shipped or cancelled (the next patch number
    /// follows it; numbers are never reused).
    pub fn highest_version(&self, line: LineId) -> Option<&Version> {
        self.releases_of(line).map(|r| &r.version).max()
    }

    /// Status and end of life of every line as of `today`, oldest line first.
    pub fn support(&self, today: NaiveDate) -> Vec<LineSupport> {
        let facts: Vec<LineFacts> = self
            .lines
            .iter()
            .map(|line| {
                let opener = self.release(&line.id.first_release());
                LineFacts {
                    id: line.id,
                    shipped: opener.and_then(Release::shipped),
                    planned: opener.filter(|r| r.is_planned()).and_then(|r| r.planned_date),
                    eol_override: line.eol_override.clone(),
                }
            })
            .collect();
        assess_lines(&facts, &self.policy, today)
    }

    /// The lines receiving patches as of `today`, oldest first.
    pub fn supported_lines(&self, today: NaiveDate) -> Vec<LineSupport> {
        self.support(today).into_iter().filter(|s| s.status.is_supported()).collect()
    }
}
