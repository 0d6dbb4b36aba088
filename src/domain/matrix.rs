//! The supported-release matrix: which versions are supported until when, and each line's
//! next patch.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{
    catalog::Catalog,
    plan::{LinePlan, Plan},
    policy::{EndOfLife, LineStatus},
    security::SecurityLedger,
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
    /// Public CVEs affecting the line that no release of it fixes yet; when empty, the latest
    /// release is the newest without a known unfixed CVE.
    pub unfixed_cves: Vec<String>,
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
    /// Builds every row from the plan: every released line, and the one in development.
    pub fn build(plan: &Plan, catalog: &Catalog) -> Self {
        let today = plan.today;
        let shown: Vec<&LinePlan> =
            plan.lines.iter().filter(|l| l.released() || l.status == LineStatus::InDevelopment).collect();
        let mut rows: Vec<MatrixRow> = shown
            .iter()
            .map(|l| {
                let latest = catalog.latest_shipped(l.line).map(|r| DatedVersion {
                    version: r.version.clone().unwrap_or_else(|| l.line.first_release()),
                    date: r.actual_date,
                    github_url: r.github_url.clone(),
                });
                let next_patch = l.status.is_supported().then(|| l.next_patch(today)).flatten().map(|p| NextPatch {
                    version: p.version.clone().expect("a live patch has a version"),
                    cherry_pick_deadline: p.cherry_pick_deadline,
                    target_date: p.due(today),
                    planned: p.release.is_some(),
                });
                let superseded_on = shown.iter().find(|n| n.line > l.line && n.released()).map(|n| n.minor.date);
                let support = l.support();
                MatrixRow {
                    line: l.line,
                    status: l.status,
                    release_date: support.release_date,
                    latest,
                    eol: support.eol,
                    next_patch,
                    superseded_on,
                    unfixed_cves: Vec::new(),
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

    /// Marks each line's unfixed public CVEs from what is known about security fixes.
    pub fn with_security(mut self, ledger: &SecurityLedger) -> Self {
        for row in &mut self.rows {
            row.unfixed_cves = ledger.unfixed_cves(row.line);
        }
        self
    }

    pub fn row(&self, line: LineId) -> Option<&MatrixRow> {
        self.rows.iter().find(|r| r.line == line)
    }
}
