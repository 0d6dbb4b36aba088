//! Patch requests: the form that answers at once, the per-line decision matrix, triage and
//! the on-call rotation.

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

use crate::{
    domain::{
        errors::FieldError,
        patch_request::{Category, Decision, PatchRequestForm, RequestStatus, Risk, Severity},
        plan::PlanState,
        policy::LineStatus,
        version::{LineId, Version},
    },
    error::AppError,
    features::audit::Event,
};

/// The release that carries (or will carry) a fix to a line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Carrier {
    pub release: i64,
    /// `None` when it was cancelled or skipped (the fix then moves on, or says why not).
    pub version: Option<Version>,
    pub date: NaiveDate,
    pub state: PlanState,
    pub shipped: bool,
    /// Its release on GitHub, once published.
    pub github_url: Option<String>,
    /// Cherry-picks for it must be merged by the end of this day (UTC).
    pub cherry_pick_deadline: Option<NaiveDate>,
}

/// Where a line's cherry-pick stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CherryPickState {
    Open,
    Merged,
    /// Closed without merging: it will not land.
    Closed,
}

impl CherryPickState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Merged => "merged",
            Self::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Open, Self::Merged, Self::Closed].into_iter().find(|c| c.as_str() == s)
    }
}

/// A line's cherry-pick: the pull request against its release branch, and whether it merged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CherryPick {
    pub url: Option<String>,
    pub state: CherryPickState,
    pub merged_at: Option<DateTime<Utc>>,
    pub merge_commit: Option<String>,
}

/// One line of a request's decision matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub line: LineId,
    pub decision: Decision,
    pub reason: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub carrier: Option<Carrier>,
    pub cherry_pick: Option<CherryPick>,
    /// Why the fix moved from one release to another (a missed deadline, a cancellation).
    pub carry_note: Option<String>,
    /// Bumped on every change: a decision names the revision its maker saw.
    pub revision: u32,
}

impl Target {
    /// Merged, and when.
    pub fn merged_at(&self) -> Option<DateTime<Utc>> {
        self.cherry_pick.as_ref().filter(|c| c.state == CherryPickState::Merged).and_then(|c| c.merged_at)
    }
}

/// Everything filed, as the request page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatchRequest {
    pub id: i64,
    pub title: String,
    pub category: Category,
    pub severity: Severity,
    pub bug_link: String,
    pub fix_link: Option<String>,
    pub impact: String,
    pub risk: Risk,
    pub risk_reason: String,
    pub testing: String,
    pub verified_on_daily: bool,
    pub workaround: String,
    pub cve_id: Option<String>,
    pub embargoed: bool,
    pub requester_id: i64,
    pub requester: String,
    pub triage_owner: Option<String>,
    pub status: RequestStatus,
    pub deferred_to: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub targets: Vec<Target>,
    /// The request this one repeats; its requester hears of the original's news.
    pub duplicate_of: Option<i64>,
    /// Requests marked as duplicates of this one.
    pub duplicates: Vec<i64>,
}

/// A row of the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestSummary {
    pub id: i64,
    pub title: String,
    pub category: Category,
    pub severity: Severity,
    pub status: RequestStatus,
    pub requester: String,
    pub embargoed: bool,
    pub created_at: DateTime<Utc>,
    pub lines: Vec<LineId>,
    /// Where each line stands, newest line first: "pending", "approved", "shipped in 1.12.1", …
    pub line_states: Vec<(LineId, String)>,
}

/// Where one line of a request stands, in a word or three.
pub fn line_state(decision: Decision, shipped_in: Option<&str>) -> String {
    match (decision, shipped_in) {
        (Decision::Approved, Some(version)) => format!("shipped in {version}"),
        (d, _) => d.label().to_owned(),
    }
}

/// The list's filters, as kept in the URL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListFilter {
    pub status: Option<RequestStatus>,
    pub line: Option<LineId>,
    /// A line's own decision (with `line`, on that line): `pending` lists a line's queue,
    /// oldest first.
    pub decision: Option<Decision>,
    pub category: Option<Category>,
    pub severity: Option<Severity>,
    pub mine: bool,
    /// Words to find in the title, the bug and fix links, the CVE id or the requester's name.
    pub search: Option<String>,
    pub page: u32,
}

/// The list's URL parameters as typed, before [`ListFilter::parse`] checks them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub line: String,
    #[serde(default)]
    pub decision: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub mine: String,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub page: String,
}

/// The longest search people may type.
pub const MAX_SEARCH: usize = 100;

pub const PAGE_SIZE: u32 = 25;

impl ListFilter {
    /// Parses the URL's values; anything malformed names its field.
    pub fn parse(q: &ListQuery) -> Result<Self, AppError> {
        let ListQuery { status, line, decision, category, severity, mine, q: search, page } = q;
        let opt = |v: &str| Some(v.trim()).filter(|v| !v.is_empty()).map(str::to_owned);
        if search.chars().count() > MAX_SEARCH {
            return Err(AppError::invalid("q", format!("search for at most {MAX_SEARCH} characters")));
        }
        Ok(Self {
            status: opt(status)
                .map(|s| {
                    RequestStatus::parse(&s)
                        .ok_or_else(|| AppError::invalid("status", format!("“{s}” is not a status")))
                })
                .transpose()?,
            line: opt(line)
                .map(|l| LineId::parse(&l).map_err(|e| AppError::invalid("line", e.to_string())))
                .transpose()?,
            decision: opt(decision)
                .map(|d| {
                    Decision::parse(&d).ok_or_else(|| AppError::invalid("decision", format!("“{d}” is not a decision")))
                })
                .transpose()?,
            category: opt(category)
                .map(|c| {
                    Category::parse(&c).ok_or_else(|| AppError::invalid("category", format!("“{c}” is not a category")))
                })
                .transpose()?,
            severity: opt(severity)
                .map(|s| {
                    Severity::parse(&s).ok_or_else(|| AppError::invalid("severity", format!("“{s}” is not a severity")))
                })
                .transpose()?,
            search: opt(search),
            mine: matches!(mine.trim(), "1" | "on" | "true" | "yes"),
            page: match opt(page) {
                None => 1,
                Some(p) => p
                    .parse()
                    .ok()
                    .filter(|p| *p >= 1 && *p <= 10_000)
                    .ok_or_else(|| AppError::invalid("page", "a page number from 1"))?,
            },
        })
    }

    /// The query string for links that keep the filters (without the page).
    pub fn query(&self) -> String {
        let mut parts = Vec::new();
        if let Some(s) = self.status {
            parts.push(format!("status={}", s.as_str()));
        }
        if let Some(l) = self.line {
            parts.push(format!("line={l}"));
        }
        if let Some(c) = self.category {
            parts.push(format!("category={}", c.as_str()));
        }
        if let Some(s) = self.severity {
            parts.push(format!("severity={}", s.as_str()));
        }
        if let Some(d) = self.decision {
            parts.push(format!("decision={}", d.as_str()));
        }
        if self.mine {
            parts.push("mine=1".into());
        }
        if let Some(q) = &self.search {
            parts.push(format!("q={}", form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()));
        }
        parts.join("&")
    }
}

/// One page of the list, with counts per status under the same filters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestList {
    pub filter: ListFilter,
    pub items: Vec<RequestSummary>,
    pub counts: Vec<(RequestStatus, i64)>,
    pub total: i64,
    pub pages: u32,
    pub lines: Vec<LineId>,
    pub signed_in: bool,
    /// With a line's pending queue asked for: the slot a fix approved and merged today makes.
    pub queue_slot: Option<Slot>,
    /// Whether the viewer may decide the queue's requests at once (release managers).
    pub can_triage: bool,
}

/// A request in play with the bug link being typed into the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SameBug {
    pub id: i64,
    pub title: String,
    pub status: String,
}

/// What a decision on several requests did: the requests decided, and those refused with why.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeveralDecided {
    pub decided: Vec<i64>,
    pub refused: Vec<(i64, String)>,
}

/// The most requests one decision may cover.
pub const MAX_SEVERAL: usize = 100;

/// A patch slot as the form shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    /// `None` for a slot that ships nothing (skipped).
    pub version: Option<Version>,
    /// How people name it: its version, or the line's patch of its month.
    pub label: String,
    pub cherry_pick_deadline: Option<NaiveDate>,
    pub target: NaiveDate,
}

/// A line the form can target, with the slot a request filed today makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineSlot {
    pub line: LineId,
    pub status: LineStatus,
    pub next: Option<Slot>,
    /// The slot whose deadline has just passed, when there is one: the form says the request
    /// moves from it to `next`.
    pub missed: Option<Slot>,
}

/// The submitted form and its errors, when a plain (no JavaScript) post failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Posted {
    pub form: PatchRequestForm,
    pub errors: Vec<FieldError>,
}

/// What the form needs to answer at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormContext {
    pub today: NaiveDate,
    /// The supported lines and, after its branch cut, the line of the coming monthly.
    pub lines: Vec<LineSlot>,
    /// The first monthly whose branch cut is still ahead: where a deferred request ships.
    pub next_minor: Option<(Version, NaiveDate)>,
    pub posted: Option<Posted>,
    /// The request being edited; `None` on the form that files a new one.
    pub editing: Option<i64>,
}

impl FormContext {
    pub fn supported(&self) -> Vec<LineId> {
        self.lines.iter().map(|l| l.line).collect()
    }
}

/// The request page: the request, its timeline, and what the viewer may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestDetail {
    pub request: PatchRequest,
    pub timeline: Vec<Event>,
    /// Whether the viewer may decide its lines (a release manager, or the on-call owner).
    pub can_triage: bool,
    /// Whether the viewer is a release manager: only they send an S1 out of band, or a
    /// request to the monthly.
    pub manages: bool,
    /// The requester and managers record cherry-picks and merges.
    pub can_track: bool,
    /// The viewer is its requester and triage has not started: they may edit it.
    pub can_edit: bool,
    /// The viewer is its requester and no line has shipped: they may withdraw it.
    pub can_withdraw: bool,
    /// The viewer is a release manager and no line has shipped: they may reclassify it.
    pub can_reclassify: bool,
    /// With GitHub configured, a cherry-pick's state is read from its pull request.
    pub github: bool,
    /// For each line still pending, the slot a fix approved and merged today would ship in.
    pub projected: Vec<(LineId, Slot)>,
    /// The day the monthly a deferred request waits for ships.
    pub deferred_on: Option<NaiveDate>,
    pub today: NaiveDate,
}
