//! The plain-form (no JavaScript) posts of `/patch-requests/new` and `/patch-requests/{id}/edit`:
//! each files or saves the request and goes to its page, or renders the form again with
//! everything typed and every error next to its field.

use axum::{
    body::Body,
    extract::{Path, Request, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use leptos::prelude::provide_context;

use super::pages::render_with;
use crate::{
    domain::{access::Principal, errors::FieldError, patch_request::PatchRequestForm},
    error::AppError,
    features::patch_requests::{Posted, service},
    platform::{settings::BODY_LIMIT, state::AppState},
};

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
pub async fn post_patch_request(State(state): State<AppState>, req: Request) -> Response {
    post_form(state, req, |state, actor, form| async move { service::file_request(&state, &actor, &form).await }).await
}

/// `POST /patch-requests/{id}/edit` without JavaScript: saves the edit and goes to the request's
/// page, or renders the form again as typed with its errors.
pub async fn post_patch_edit(State(state): State<AppState>, Path(id): Path<String>, req: Request) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return AppError::not_found(format!("Patch request “{id}”")).into_response();
    };
    post_form(state, req, move |state, actor, form| async move {
        service::edit_request(&state, &actor, id, &form).await.map(|()| id)
    })
    .await
}

/// Reads the posted form, runs `save`, and answers with the request's page or the form again.
async fn post_form<F, Fut>(state: AppState, req: Request, save: F) -> Response
where
    F: FnOnce(AppState, Principal, PatchRequestForm) -> Fut,
    Fut: Future<Output = Result<i64, AppError>>,
{
    let (parts, body) = req.into_parts();
    let actor = parts.extensions.get::<Principal>().cloned().unwrap_or(Principal::Anonymous);
    let bytes = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => return AppError::TooLarge { limit_bytes: BODY_LIMIT as u64 }.into_response(),
    };
    let form = parse_form_body(&bytes);
    match save(state.clone(), actor, form.clone()).await {
        Ok(id) => Redirect::to(&format!("/patch-requests/{id}")).into_response(),
        Err(error) => {
            let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
            let posted = posted(form, &error);
            let request = Request::from_parts(parts, Body::empty());
            let mut res = render_with(state, request, move |_| provide_context(posted.clone())).await;
            *res.status_mut() = status;
            res
        }
    }
}

/// Turns field errors into the `Posted` value a failed plain form post renders with.
pub fn posted(form: PatchRequestForm, error: &AppError) -> Posted {
    let mut errors = error.field_errors();
    if errors.is_empty() {
        errors.push(FieldError { field: String::new(), message: error.to_string() });
    }
    Posted { form, errors }
}
