//! `/api/v1/patch-requests` and the plain-form (no JavaScript) post of `/patch-requests/new`.

use axum::{
    Extension, Json,
    body::Body,
    extract::{Path, Query, Request, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use leptos::prelude::provide_context;
use serde::{Deserialize, Serialize};

use super::{ListFilter, PatchRequest, RequestSummary, service};
use crate::{
    domain::patch_request::PatchRequestForm, error::AppError, features::auth::Principal, server::state::AppState,
};

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    line: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    mine: String,
    #[serde(default)]
    page: String,
}

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
    let filter = ListFilter::parse(&q.status, &q.line, &q.category, &q.severity, &q.mine, &q.page)?;
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
    if let Some(lines) = body.target_lines.take() {
        body.form.targets = lines.join(",");
    }
    let id = service::file_request(&state, &actor, &body.form).await?;
    let url = format!("/patch-requests/{id}");
    let mut res = (StatusCode::CREATED, Json(Created { id, url: url.clone() })).into_response();
    if let Ok(location) = HeaderValue::from_str(&url) {
        res.headers_mut().insert(header::LOCATION, location);
    }
    Ok(res)
}

/// Reads an `application/x-www-form-urlencoded` body into the form, joining the ticked
/// `targets` checkboxes.
pub fn parse_form_body(body: &[u8]) -> PatchRequestForm {
    let mut form = PatchRequestForm::default();
    let mut targets = Vec::new();
    for (key, value) in form_urlencoded::parse(body) {
        let value = value.into_owned();
        match key.as_ref() {
            "title" => form.title = value,
            "category" => form.category = value,
            "severity" => form.severity = value,
            "bug_link" => form.bug_link = value,
            "fix_link" => form.fix_link = value,
            "impact" => form.impact = value,
            "risk" => form.risk = value,
            "risk_reason" => form.risk_reason = value,
            "testing" => form.testing = value,
            "verified_on_daily" => form.verified_on_daily = value,
            "workaround" => form.workaround = value,
            "cve_id" => form.cve_id = value,
            "embargoed" => form.embargoed = value,
            "targets" => targets.push(value),
            _ => {}
        }
    }
    form.targets = targets.join(",");
    form
}

/// `POST /patch-requests/new` without JavaScript: files the request and goes to its page, or
/// renders the form again with everything typed and every error next to its field.
pub async fn post_form(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let actor = parts.extensions.get::<Principal>().cloned().unwrap_or(Principal::Anonymous);
    let bytes = match axum::body::to_bytes(body, crate::server::router::BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => return AppError::TooLarge { limit_bytes: crate::server::router::BODY_LIMIT as u64 }.into_response(),
    };
    let form = parse_form_body(&bytes);
    match service::file_request(&state, &actor, &form).await {
        Ok(id) => Redirect::to(&format!("/patch-requests/{id}")).into_response(),
        Err(error) => {
            let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
            let posted = super::page::posted(form, &error);
            let request = Request::from_parts(parts, Body::empty());
            let mut res =
                crate::server::pages::render_with(state, request, move |_| provide_context(posted.clone())).await;
            *res.status_mut() = status;
            res
        }
    }
}
