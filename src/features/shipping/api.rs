//! Server functions of a release's life: its controls, and a release manager's actions.

use leptos::prelude::*;

use super::{PatchQueue, ReleaseControl};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{domain::version::LineId, platform::context::context};

/// A release (by version or slot) with what can be done with it.
#[server]
pub async fn load_release_control(name: String) -> Result<ReleaseControl, AppError> {
    let ctx = context()?;
    super::service::release_control(&ctx.state, &ctx.caller, &name).await
}

/// The patch releases due for a release manager's attention.
#[server]
pub async fn load_patch_queue() -> Result<PatchQueue, AppError> {
    let ctx = context()?;
    super::service::queue(&ctx.state, &ctx.caller).await
}

/// Approves a patch release's candidate; returns its version.
#[server]
pub async fn approve_patch_release(name: String) -> Result<String, AppError> {
    let ctx = context()?;
    Ok(super::service::approve_patch(&ctx.state, &ctx.caller, &name).await?.to_string())
}

/// Runs the train's automation now instead of at the next minute; returns what it did.
#[server]
pub async fn run_train_now() -> Result<String, AppError> {
    let ctx = context()?;
    super::service::run_train_now(&ctx.state, &ctx.caller).await
}

/// Moves an approved release's day to today.
#[server]
pub async fn ship_release_now(name: String) -> Result<(), AppError> {
    let ctx = context()?;
    super::service::ship_now(&ctx.state, &ctx.caller, &name).await
}

/// Marks a due approved release released (publishing is a dry run); returns its version.
#[server]
pub async fn mark_release_released(name: String) -> Result<String, AppError> {
    let ctx = context()?;
    Ok(super::service::mark_released(&ctx.state, &ctx.caller, &name).await?.to_string())
}

/// Moves one unmerged fix to its line's next slot.
#[server]
pub async fn move_fix_on(request: i64, line: String) -> Result<(), AppError> {
    let ctx = context()?;
    let line = LineId::parse(&line).map_err(|e| AppError::invalid("line", e.to_string()))?;
    super::service::move_fix(&ctx.state, &ctx.caller, request, line).await
}

/// Sets a line's end of life by hand, with the reason; an empty date clears it.
#[server]
pub async fn set_line_eol(line: String, date: String, note: String) -> Result<(), AppError> {
    let ctx = context()?;
    let line = LineId::parse(&line).map_err(|e| AppError::invalid("line", e.to_string()))?;
    let value = match date.trim() {
        "" => None,
        d => Some(crate::domain::policy::EolOverride {
            date: crate::domain::calendar_rules::parse_day(d).map_err(|m| AppError::invalid("date", m))?,
            note,
        }),
    };
    super::service::set_eol_override(&ctx.state, &ctx.caller, line, value).await
}
