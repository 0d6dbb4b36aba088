//! `GET /api/v1/releases[/{cycle}]`: the matrix in endoflife.date's shape plus our fields.

use axum::{
    Json,
    extract::{Path, State},
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::{
    domain::{
        lookup::Support,
        matrix::{DatedVersion, Matrix, MatrixRow},
        policy::{Certainty, LineStatus},
        version::LineId,
    },
    error::AppError,
    platform::state::AppState,
};

/// endoflife.date's envelope.
#[derive(Debug, Serialize)]
pub struct Envelope<T> {
    pub schema_version: &'static str,
    pub generated_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<usize>,
    pub result: T,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiRelease {
    // endoflife.date's release fields.
    pub name: String,
    pub release_date: Option<NaiveDate>,
    pub is_eol: bool,
    pub eol_from: Option<NaiveDate>,
    pub is_maintained: bool,
    pub latest: Option<ApiLatest>,
    // Ours.
    pub status: LineStatus,
    pub eol_expected: bool,
    pub next_patch: Option<ApiNextPatch>,
    /// Public CVEs affecting the line that no release of it fixes yet.
    pub unfixed_cves: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct ApiLatest {
    pub name: String,
    pub date: Option<NaiveDate>,
    pub link: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiNextPatch {
    pub version: String,
    pub cherry_pick_deadline: Option<NaiveDate>,
    pub target_date: NaiveDate,
}

impl From<&MatrixRow> for ApiRelease {
    fn from(row: &MatrixRow) -> Self {
        Self {
            name: row.line.to_string(),
            release_date: row.release_date,
            is_eol: row.status == LineStatus::EndOfLife,
            eol_from: row.eol.as_ref().map(|e| e.date),
            is_maintained: row.status.is_supported(),
            latest: row.latest.as_ref().map(|l| ApiLatest {
                name: l.version.to_string(),
                date: l.date,
                link: l.github_url.clone(),
            }),
            status: row.status,
            eol_expected: row.eol.as_ref().is_some_and(|e| e.certainty == Certainty::Expected),
            next_patch: row.next_patch.as_ref().map(|p| ApiNextPatch {
                version: p.version.to_string(),
                cherry_pick_deadline: p.cherry_pick_deadline,
                target_date: p.target_date,
            }),
            unfixed_cves: row.unfixed_cves.clone(),
        }
    }
}

async fn matrix(state: &AppState) -> Result<Matrix, AppError> {
    crate::features::releases::service::full_matrix(state).await
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct PageQuery {
    page: Option<String>,
    per_page: Option<String>,
}

/// Lines per page unless asked otherwise, and at most.
const PER_PAGE: usize = 50;
const MAX_PER_PAGE: usize = 100;

fn page_number(field: &'static str, text: Option<&str>, default: usize, max: usize) -> Result<usize, AppError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(default),
        Some(t) => t
            .parse()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| AppError::invalid(field, format!("a whole number from 1 to {max}"))),
    }
}

/// Every line, newest first, a page at a time (`?page=2&per_page=100`); `total` counts all.
pub async fn list_releases(
    State(state): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<PageQuery>,
) -> Result<Json<Envelope<Vec<ApiRelease>>>, AppError> {
    let page = page_number("page", q.page.as_deref(), 1, 100_000)?;
    let per_page = page_number("per_page", q.per_page.as_deref(), PER_PAGE, MAX_PER_PAGE)?;
    let matrix = matrix(&state).await?;
    let total = matrix.rows.len();
    let result: Vec<ApiRelease> =
        matrix.rows.iter().skip((page - 1) * per_page).take(per_page).map(ApiRelease::from).collect();
    Ok(Json(Envelope { schema_version: "1.0.0", generated_at: state.clock.now(), total: Some(total), result }))
}

/// One line (`1.10`); a malformed cycle is a 400, an unknown one a 404.
pub async fn show_release(
    State(state): State<AppState>,
    Path(cycle): Path<String>,
) -> Result<Json<Envelope<ApiRelease>>, AppError> {
    let line = LineId::parse(&cycle).map_err(|e| AppError::invalid("cycle", e.to_string()))?;
    let matrix = matrix(&state).await?;
    let row = matrix.row(line).ok_or_else(|| AppError::not_found(format!("release line {line}")))?;
    Ok(Json(Envelope {
        schema_version: "1.0.0",
        generated_at: state.clock.now(),
        total: None,
        result: ApiRelease::from(row),
    }))
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct SupportQuery {
    version: Option<String>,
    on: Option<String>,
}

/// The answer to "is this version supported on that day?".
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiSupport {
    pub version: String,
    pub cycle: String,
    pub on: NaiveDate,
    pub is_supported: bool,
    pub reason: String,
    /// When this exact version shipped; null when it is not a release of the line.
    pub release_date: Option<NaiveDate>,
    pub cycle_release_date: NaiveDate,
    pub eol_from: NaiveDate,
    pub eol_expected: bool,
    pub latest: Option<ApiLatest>,
    pub security_updates: Vec<ApiSecurityUpdate>,
    pub move_to: Option<ApiMoveTo>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiSecurityUpdate {
    pub name: String,
    pub date: Option<NaiveDate>,
    pub cves: Vec<String>,
    /// Fixes under embargo: counted, never named.
    pub undisclosed_fixes: usize,
    pub other_fixes: usize,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiMoveTo {
    pub cycle: String,
    pub latest: Option<ApiLatest>,
    pub eol_from: NaiveDate,
    pub eol_expected: bool,
}

fn api_latest(latest: &DatedVersion) -> ApiLatest {
    ApiLatest { name: latest.version.to_string(), date: latest.date, link: latest.github_url.clone() }
}

impl From<Support> for ApiSupport {
    fn from(s: Support) -> Self {
        Self {
            version: s.version.to_string(),
            cycle: s.line.to_string(),
            on: s.on,
            is_supported: s.supported,
            reason: s.reason,
            release_date: s.released_on,
            cycle_release_date: s.line_released_on,
            eol_from: s.eol.date,
            eol_expected: s.eol.certainty == Certainty::Expected,
            latest: s.latest.as_ref().map(api_latest),
            security_updates: s
                .security_updates
                .into_iter()
                .map(|u| ApiSecurityUpdate {
                    name: u.version.to_string(),
                    date: u.date,
                    cves: u.cves,
                    undisclosed_fixes: u.undisclosed,
                    other_fixes: u.other_fixes,
                })
                .collect(),
            move_to: s.move_to.map(|m| ApiMoveTo {
                cycle: m.line.to_string(),
                latest: m.latest.as_ref().map(api_latest),
                eol_from: m.eol.date,
                eol_expected: m.eol.certainty == Certainty::Expected,
            }),
        }
    }
}

/// `GET /api/v1/support?version=1.11.3&on=2027-01-15` (`on` defaults to today).
pub async fn show_support(
    State(state): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<SupportQuery>,
) -> Result<Json<Envelope<ApiSupport>>, AppError> {
    let version = q.version.as_deref().ok_or_else(|| AppError::invalid("version", "say which version, like 1.11.3"))?;
    let answer = crate::features::releases::service::support(&state, version, q.on.as_deref()).await?;
    Ok(Json(Envelope { schema_version: "1.0.0", generated_at: state.clock.now(), total: None, result: answer.into() }))
}
