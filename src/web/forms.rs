//! The plain-form (no JavaScript) post of `/patch-requests/new`: files the request and goes to
//! its page, or renders the form again with everything typed and every error next to its field.

use axum::{
    body::Body,
    extract::{Request, State},
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
    let (parts, body) = req.into_parts();
    let actor = parts.extensions.get::<Principal>().cloned().unwrap_or(Principal::Anonymous);
    let bytes = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => return AppError::TooLarge { limit_bytes: BODY_LIMIT as u64 }.into_response(),
    };
    let form = parse_form_body(&bytes);
    match service::file_request(&state, &actor, &form).await {
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
