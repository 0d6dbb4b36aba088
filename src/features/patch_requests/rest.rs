//! `/api/v1/patch-requests`: the requests as JSON, and filing one.

use axum::{
    Extension, Json,
    extract::{Path, Query, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};

use super::{ListFilter, ListQuery, PatchRequest, RequestSummary, service};
use crate::{
    domain::{access::Principal, patch_request::PatchRequestForm},
    error::AppError,
    platform::state::AppState,
};

#[derive(Debug, Serialize)]
pub struct ListBody {
    pub total: i64,
    pub page: u32,
    pub pages: u32,
    pub items: Vec<RequestSummary>,
}

/// The requests the caller may see (embargoed ones only for their requester and managers).
pub async fn list(
    State(state): State<AppState>,
    Extension(actor): Extension<Principal>,
    Query(q): Query<ListQuery>,
) -> Result<Json<ListBody>, AppError> {
    let filter = ListFilter::parse(&q)?;
    let list = service::list(&state, &actor, filter).await?;
    Ok(Json(ListBody { total: list.total, page: list.filter.page, pages: list.pages, items: list.items }))
}

pub async fn show(
    State(state): State<AppState>,
    Extension(actor): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Json<PatchRequest>, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::invalid("id", format!("“{id}” is not a request number")))?;
    Ok(Json(service::find(&state, &actor, id).await?))
}

/// The JSON a client posts: the form's fields, with `targets` as a list.
#[derive(Debug, Deserialize)]
pub struct ApiRequest {
    #[serde(flatten)]
    form: PatchRequestForm,
    #[serde(default, rename = "targetLines")]
    target_lines: Option<Vec<String>>,
}

#[derive(Debug, Serialize)]
pub struct Created {
    pub id: i64,
    pub url: String,
}

/// Files a request with the same rules as the form; 201 with its address.
pub async fn create(
    State(state): State<AppState>,
    Extension(actor): Extension<Principal>,
    payload: Result<Json<ApiRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, AppError> {
    let Json(mut body) = payload.map_err(|e| AppError::Invalid { field: None, message: e.body_text() })?;
    match body.target_lines.take() {
        Some(lines) => body.form.targets = lines.join(","),
        // Like the form, whose boxes start ticked: every line a request may target.
        None if body.form.targets.trim().is_empty() => {
            let lines = service::targetable_lines(&state).await?;
            body.form.targets = lines.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
        }
        None => {}
    }
    let id = service::file_request(&state, &actor, &body.form).await?;
    let url = format!("/patch-requests/{id}");
    let mut res = (StatusCode::CREATED, Json(Created { id, url: url.clone() })).into_response();
    if let Ok(location) = HeaderValue::from_str(&url) {
        res.headers_mut().insert(header::LOCATION, location);
    }
    Ok(res)
}
