//! The CI API: `POST /api/v1/builds` and `POST /api/v1/builds/{name}/results`.

use axum::{
    Extension, Json,
    extract::{Path, State, rejection::JsonRejection},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use super::service;
use crate::{
    domain::{access::Principal, train::NewBuild},
    error::AppError,
    platform::state::AppState,
};

fn body<T>(payload: Result<Json<T>, JsonRejection>) -> Result<T, AppError> {
    payload.map(|Json(b)| b).map_err(|e| AppError::Invalid { field: None, message: e.body_text() })
}

/// 201 for a new build, 200 for a repeat of the same report, 409 for another commit.
pub async fn report_build(
    State(state): State<AppState>,
    Extension(actor): Extension<Principal>,
    payload: Result<Json<NewBuild>, JsonRejection>,
) -> Result<Response, AppError> {
    let input = body(payload)?;
    let (build, created) = service::report_build(&state, &actor, &input).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(build)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct ResultBody {
    #[serde(default)]
    suite: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    link: Option<String>,
}

#[derive(Debug, serde::Serialize)]
pub struct ResultAnswer {
    changed: bool,
}

/// Records a suite result; the same result twice answers `changed: false`.
pub async fn report_result(
    State(state): State<AppState>,
    Extension(actor): Extension<Principal>,
    Path(name): Path<String>,
    payload: Result<Json<ResultBody>, JsonRejection>,
) -> Result<Json<ResultAnswer>, AppError> {
    let input = body(payload)?;
    let changed =
        service::report_result(&state, &actor, &name, &input.suite, &input.status, input.link.as_deref()).await?;
    Ok(Json(ResultAnswer { changed }))
}
