//! `GET /api/v1/releases[/{cycle}]`: the matrix in endoflife.date's shape plus our fields.

use axum::{
    Json,
    extract::{Path, State},
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::{
    domain::{
        matrix::{Matrix, MatrixRow},
        policy::{Certainty, LineStatus},
        version::LineId,
    },
    error::AppError,
    features::catalog::service::{NEAR, plan},
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
        }
    }
}

async fn matrix(state: &AppState) -> Result<Matrix, AppError> {
    let (catalog, plan) = plan(state, NEAR).await?;
    Ok(Matrix::build(&plan, &catalog))
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
