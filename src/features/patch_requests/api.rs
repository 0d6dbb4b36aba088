//! Server functions of the patch-request pages.

use leptos::prelude::*;

use super::{FormContext, RequestDetail, RequestList};
use crate::{domain::patch_request::PatchRequestForm, error::AppError};
#[cfg(feature = "ssr")]
use crate::{domain::version::LineId, platform::context::context};

/// What the form needs: the supported lines with their next slot, the next monthly release,
/// and (after a plain form post that failed) what was typed and what was wrong.
#[server]
pub async fn load_patch_form() -> Result<FormContext, AppError> {
    let ctx = context()?;
    super::service::form_context(&ctx.state, use_context::<super::Posted>()).await
}

/// The form to edit a request: filled in as filed, for its requester until triage starts.
#[server]
pub async fn load_patch_edit(id: String) -> Result<FormContext, AppError> {
    let ctx = context()?;
    let id: i64 = id.trim().parse().map_err(|_| AppError::not_found(format!("Patch request “{id}”")))?;
    super::service::edit_context(&ctx.state, &ctx.caller, id, use_context::<super::Posted>()).await
}

/// Saves its requester's edit of a request nobody has triaged yet.
#[server]
pub async fn edit_patch_request(id: i64, form: PatchRequestForm) -> Result<(), AppError> {
    let ctx = context()?;
    super::service::edit_request(&ctx.state, &ctx.caller, id, &form).await
}

/// Its requester withdraws a request, saying why, until a line ships.
#[server]
pub async fn withdraw_patch_request(id: i64, #[server(default)] reason: String) -> Result<(), AppError> {
    let ctx = context()?;
    super::service::withdraw(&ctx.state, &ctx.caller, id, &reason).await
}

/// A release manager's new category and severity for a request, with the reason.
#[server]
pub async fn reclassify_patch_request(
    id: i64,
    #[server(default)] category: String,
    #[server(default)] severity: String,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    let ctx = context()?;
    super::service::reclassify(&ctx.state, &ctx.caller, id, &category, &severity, &reason).await
}

/// Files a request; returns its id (the same id again for a repeated submission).
#[server]
pub async fn file_patch_request(form: PatchRequestForm) -> Result<i64, AppError> {
    let ctx = context()?;
    super::service::file_request(&ctx.state, &ctx.caller, &form).await
}

#[server]
pub async fn list_patch_requests(query: super::ListQuery) -> Result<RequestList, AppError> {
    let ctx = context()?;
    let filter = super::ListFilter::parse(&query)?;
    super::service::list(&ctx.state, &ctx.caller, filter).await
}

#[server]
pub async fn load_patch_request(id: String) -> Result<RequestDetail, AppError> {
    let ctx = context()?;
    let id: i64 = id.trim().parse().map_err(|_| AppError::not_found(format!("Patch request “{id}”")))?;
    super::service::detail(&ctx.state, &ctx.caller, id).await
}

/// A release manager's decision on one line, or (line empty) on every line awaiting triage.
/// `seen` is the line's revision the manager saw: a line changed since is not overwritten.
#[server]
pub async fn decide_patch_request(
    id: i64,
    line: String,
    decision: String,
    reason: String,
    out_of_band_on: String,
    #[server(default)] seen: String,
) -> Result<(), AppError> {
    let ctx = context()?;
    let decide = super::service::Decide::parse(id, &line, &decision, reason, &out_of_band_on, &seen)?;
    super::service::decide(&ctx.state, &ctx.caller, decide).await
}

/// Sends an S3 or S4 request to the coming monthly instead of a patch; returns the monthly.
/// One decision on one line of several requests (a line's queue); each request is decided on
/// its own, and those refused say why.
#[server]
pub async fn decide_several(
    #[server(default)] ids: String,
    line: String,
    decision: String,
    #[server(default)] reason: String,
) -> Result<super::SeveralDecided, AppError> {
    let ctx = context()?;
    super::service::decide_several(&ctx.state, &ctx.caller, &ids, &line, &decision, &reason).await
}

/// Requests in play with this bug link, so the form can warn before a second request is filed.
#[server]
pub async fn find_same_bug(#[server(default)] bug_link: String) -> Result<Vec<super::SameBug>, AppError> {
    let ctx = context()?;
    super::service::same_bug(&ctx.state, &ctx.caller, &bug_link).await
}

/// Marks a request a duplicate of another (by number); returns the original's number.
#[server]
pub async fn mark_duplicate(id: i64, #[server(default)] original: String) -> Result<i64, AppError> {
    let ctx = context()?;
    super::service::mark_duplicate(&ctx.state, &ctx.caller, id, &original).await
}

#[server]
pub async fn defer_patch_request(id: i64) -> Result<String, AppError> {
    let ctx = context()?;
    super::service::defer_to_monthly(&ctx.state, &ctx.caller, id).await
}

/// Lifts a security request's embargo under its CVE (the filed one when `cve` is empty).
#[server]
pub async fn lift_embargo(id: i64, #[server(default)] cve: String) -> Result<(), AppError> {
    let ctx = context()?;
    super::service::lift_embargo(&ctx.state, &ctx.caller, id, &cve).await
}

/// Records the pull request that cherry-picks a fix into a line's release branch.
#[server]
pub async fn set_cherry_pick(id: i64, line: String, url: String) -> Result<(), AppError> {
    let ctx = context()?;
    let line = LineId::parse(&line).map_err(|e| AppError::invalid("line", e.to_string()))?;
    super::service::set_cherry_pick(&ctx.state, &ctx.caller, id, line, &url).await
}

/// Marks a line's cherry-pick merged with its commit (when GitHub is not configured).
#[server]
pub async fn mark_merged(id: i64, line: String, commit: String) -> Result<(), AppError> {
    let ctx = context()?;
    let line = LineId::parse(&line).map_err(|e| AppError::invalid("line", e.to_string()))?;
    super::service::mark_merged(&ctx.state, &ctx.caller, id, line, &commit).await
}

/// Puts a user on triage duty for the week containing `week`.
#[server]
pub async fn assign_oncall(week: String, user: String) -> Result<(), AppError> {
    let ctx = context()?;
    super::service::assign_oncall(&ctx.state, &ctx.caller, &week, &user).await
}

#[server]
pub async fn load_rotation() -> Result<Vec<(chrono::NaiveDate, String)>, AppError> {
    let ctx = context()?;
    super::service::rotation(&ctx.state).await
}
