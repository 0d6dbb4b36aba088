//! Server functions of the calendar: reading it, and release managers' corrections.

use leptos::prelude::*;

use super::CalendarData;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{features::shipping::service as shipping, platform::context::context};

/// The calendar for a month (`YYYY-MM`, default this month) and the coming six weeks.
#[server]
pub async fn load_calendar(month: Option<String>, kinds: String, lines: String) -> Result<CalendarData, AppError> {
    let ctx = context()?;
    super::service::calendar(&ctx.state, month.as_deref(), &kinds, &lines).await
}

/// Moves a planned (or projected) release to another day, with the reason shown on the calendar.
#[server]
pub async fn move_release(version: String, date: String, note: String) -> Result<(), AppError> {
    let ctx = context()?;
    shipping::move_release(&ctx.state, &ctx.caller, &version, &date, &note).await
}

/// Cancels a planned (or projected) release.
#[server]
pub async fn cancel_release(version: String, note: String) -> Result<(), AppError> {
    let ctx = context()?;
    shipping::cancel(&ctx.state, &ctx.caller, &version, &note).await
}

/// Plans an out-of-band patch release for a supported line; returns its version.
#[server]
pub async fn add_out_of_band(line: String, date: String, note: String) -> Result<String, AppError> {
    let ctx = context()?;
    Ok(shipping::add_out_of_band(&ctx.state, &ctx.caller, &line, &date, &note).await?.to_string())
}

/// Declares a day on which nothing ships.
#[server]
pub async fn add_blackout(date: String, reason: String) -> Result<(), AppError> {
    let ctx = context()?;
    super::service::add_blackout(&ctx.state, &ctx.caller, &date, &reason).await
}

#[server]
pub async fn remove_blackout(date: String) -> Result<(), AppError> {
    let ctx = context()?;
    super::service::remove_blackout(&ctx.state, &ctx.caller, &date).await
}
