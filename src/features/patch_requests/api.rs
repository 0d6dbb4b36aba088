//! Server functions of the patch-request pages.

use leptos::prelude::*;

use super::{FormContext, RequestDetail, RequestList};
use crate::{domain::patch_request::PatchRequestForm, error::AppError};

/// What the form needs: the supported lines with their next slot, the next monthly release,
/// and (after a plain form post that failed) what was typed and what was wrong.
#[server]
pub async fn load_patch_form() -> Result<FormContext, AppError> {
    let state = crate::server::state::app_state()?;
    let posted = use_context::<super::Posted>();
    super::service::form_context(&state, posted).await
}

/// Files a request; returns its id (the same id again for a repeated submission).
#[server]
pub async fn file_patch_request(form: PatchRequestForm) -> Result<i64, AppError> {
    let state = crate::server::state::app_state()?;
    let actor = crate::server::auth::principal();
    super::service::file_request(&state, &actor, &form).await
}

#[server]
pub async fn list_patch_requests(
    status: String,
    line: String,
    category: String,
    severity: String,
    mine: String,
    page: String,
) -> Result<RequestList, AppError> {
    let state = crate::server::state::app_state()?;
    let actor = crate::server::auth::principal();
    let filter = super::ListFilter::parse(&status, &line, &category, &severity, &mine, &page)?;
    super::service::list(&state, &actor, filter).await
}

#[server]
pub async fn load_patch_request(id: String) -> Result<RequestDetail, AppError> {
    let state = crate::server::state::app_state()?;
    let actor = crate::server::auth::principal();
    let id: i64 = id.trim().parse().map_err(|_| AppError::not_found(format!("Patch request “{id}”")))?;
    super::service::detail(&state, &actor, id).await
}

/// A release manager's decision on one line, or (line empty) on every line awaiting triage.
#[server]
pub async fn decide_patch_request(
    id: i64,
    line: String,
    decision: String,
    reason: String,
    out_of_band_on: String,
) -> Result<(), AppError> {
    use super::{Decision, service::Decide};
    use crate::domain::version::LineId;
    let state = crate::server::state::app_state()?;
    let actor = crate::server::auth::principal();
    let line = match line.trim() {
        "" => None,
        l => Some(LineId::parse(l).map_err(|e| AppError::invalid("line", e.to_string()))?),
    };
    let decision = Decision::parse(&decision)
        .ok_or_else(|| AppError::invalid("decision", "choose approve, reject or not affected"))?;
    let out_of_band_on = match out_of_band_on.trim() {
        "" => None,
        d => Some(
            d.parse()
                .map_err(|_| AppError::invalid("out_of_band_on", format!("“{d}” is not a date like 2026-12-08")))?,
        ),
    };
    super::service::decide(&state, &actor, Decide { request: id, line, decision, reason, out_of_band_on }).await
}

/// Puts a user on triage duty for the week containing `week`.
#[server]
pub async fn assign_oncall(week: String, user: String) -> Result<(), AppError> {
    let state = crate::server::state::app_state()?;
    let actor = crate::server::auth::principal();
    let day = week
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("week", format!("“{}” is not a date like 2026-12-07", week.trim())))?;
    super::service::assign_oncall(&state, &actor, day, &user).await
}

#[server]
pub async fn load_rotation() -> Result<Vec<(chrono::NaiveDate, String)>, AppError> {
    let state = crate::server::state::app_state()?;
    super::service::rotation(&state).await
}
