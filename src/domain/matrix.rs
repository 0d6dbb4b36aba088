//! The supported-release matrix: which versions are supported until when, and each line's
//! next patch.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{
    catalog::Catalog,
    policy::{EndOfLife, LineStatus},
    schedule::{EventKind, EventStatus},
    version::{LineId, Version},
};

/// A release named with its date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatedVersion {
    pub version: Version,
    pub date: Option<NaiveDate>,
    pub github_url: Option<String>,
}

/// The next patch of a supported line: planned, or projected on the policy's slots.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextPatch {
    pub version: Version,
    /// Out-of-band releases have no cherry-pick deadline.
    pub cherry_pick_deadline: Option<NaiveDate>,
    pub target_date: NaiveDate,
    /// True when a release row exists; false when only the policy projects it.
    pub planned: bool,
}

/// One row of the matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixRow {
    pub line: LineId,
    pub status: LineStatus,
    pub release_date: Option<NaiveDate>,
    pub latest: Option<DatedVersion>,
    pub eol: Option<EndOfLife>,
    pub next_patch: Option<NextPatch>,
    /// When this line stopped being the newest (its successor shipped).
    pub superseded_on: Option<NaiveDate>,
}

/// The matrix as of a day, newest line first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Matrix {
    pub today: NaiveDate,
    pub rows: Vec<MatrixRow>,
    /// Lines at end of life, including any left out of `rows` by [`Matrix::bounded`].
    pub eol_total: usize,
}

/// End-of-life lines the page carries at most, newest first: it stays bounded however long
/// the project's history (the JSON API pages through all of them).
pub const MAX_EOL_ROWS: usize = 24;

impl Matrix {
    /// Builds every row from the catalog, as of `today`.
    pub fn build(catalog: &Catalog, today: NaiveDate) -> Self {
        let support = catalog.support(today);
        let next = next_patches(catalog, today);
        let shipped_dates: Vec<(LineId, Option<NaiveDate>)> = support
            .iter()
            .map(|s| {
                (
                    s.id,
                    s.release_date.filter(|_| s.status != LineStatus::InDevelopment && s.status != LineStatus::Planned),
                )
            })
            .collect();
        let mut rows: Vec<MatrixRow> = support
            .into_iter()
            .map(|s| {
                let latest = catalog.latest_shipped(s.id).map(|r| DatedVersion {
                    version: r.version.clone(),
                    date: r.actual_date,
                    github_url: r.github_url.clone(),
                });
                let next_patch = s
                    .status
                    .is_supported()
                    .then(|| next.iter().find(|(l, _)| *l == s.id).map(|(_, p)| p.clone()))
                    .flatten();
                let superseded_on =
                    shipped_dates.iter().find(|(id, date)| *id > s.id && date.is_some()).and_then(|(_, date)| *date);
                MatrixRow {
                    line: s.id,
                    status: s.status,
                    release_date: s.release_date,
                    latest,
                    eol: s.eol,
                    next_patch,
                    superseded_on,
                }
            })
            .collect();
        rows.reverse();
        let eol_total = rows.iter().filter(|r| r.status == LineStatus::EndOfLife).count();
        Self { today, rows, eol_total }
    }

    /// Every line that is not at end of life, and the newest [`MAX_EOL_ROWS`] that are.
    pub fn bounded(mut self) -> Self {
        let mut ended = 0;
        self.rows.retain(|r| {
            let keep = r.status != LineStatus::EndOfLife || ended < MAX_EOL_ROWS;
            ended += usize::from(r.status == LineStatus::EndOfLife);
            keep
        });
        self
    }

    pub fn row(&self, line: LineId) -> Option<&MatrixRow> {
        self.rows.iter().find(|r| r.line == line)
    }
}

/// The next patch of each supported line, as the schedule engine projects it (so the matrix,
/// the calendar and the feeds always agree).
fn next_patches(catalog: &Catalog, today: NaiveDate) -> Vec<(LineId, NextPatch)> {
    let events = catalog.schedule(&[], today, today, today + chrono::Days::new(70));
    let mut out: Vec<(LineId, NextPatch)> = Vec::new();
    for e in events
        .iter()
        .filter(|e| e.kind == EventKind::Patch && matches!(e.status, EventStatus::Planned | EventStatus::Projected))
    {
        let (Some(line), Some(version)) = (e.line, e.version.clone()) else { continue };
        if out.iter().any(|(l, _)| *l == line) {
            continue;
        }
        let deadline = events
            .iter()
            .find(|d| d.kind == EventKind::Deadline && d.version.as_ref() == Some(&version))
            .map(|d| d.date);
        out.push((
            line,
            NextPatch {
                version,
                cherry_pick_deadline: deadline,
                target_date: e.date,
                planned: e.status == EventStatus::Planned,
            },
        ));
    }
    out
}
