//! Server functions of the calendar: reading it, and release managers' corrections.

use leptos::prelude::*;

use super::CalendarData;
use crate::error::AppError;

/// The calendar for a month (`YYYY-MM`, default this month) and the coming six weeks.
#[server]
pub async fn load_calendar(month: Option<String>, kinds: String, lines: String) -> Result<CalendarData, AppError> {
    let state = crate::server::state::app_state()?;
    super::service::calendar(&state, month.as_deref(), &kinds, &lines).await
}

/// Moves a planned (or projected) release to another day, with the reason shown on the calendar.
#[server]
pub async fn move_release(version: String, date: String, note: String) -> Result<(), AppError> {
    let state = crate::server::state::app_state()?;
    let actor = crate::server::auth::principal();
    super::service::move_release(&state, &actor, &version, &date, &note).await
}

/// Cancels a planned (or projected) release.
#[server]
pub async fn cancel_release(version: String, note: String) -> Result<(), AppError> {
    let state = crate::server::state::app_state()?;
    let actor = crate::server::auth::principal();
    super::service::cancel_release(&state, &actor, &version, &note).await
}

/// Plans an out-of-band patch release for a supported line; returns its version.
#[server]
pub async fn add_out_of_band(line: String, date: String, note: String) -> Result<String, AppError> {
    let state = crate::server::state::app_state()?;
    let actor = crate::server::auth::principal();
    super::service::add_out_of_band(&state, &actor, &line, &date, &note).await
}

/// Declares a day on which nothing ships.
#[server]
pub async fn add_blackout(date: String, reason: String) -> Result<(), AppError> {
    let state = crate::server::state::app_state()?;
    let actor = crate::server::auth::principal();
    super::service::add_blackout(&state, &actor, &date, &reason).await
}

#[server]
pub async fn remove_blackout(date: String) -> Result<(), AppError> {
    let state = crate::server::state::app_state()?;
    let actor = crate::server::auth::principal();
    super::service::remove_blackout(&state, &actor, &date).await
}
