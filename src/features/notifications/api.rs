//! Server functions of the notifications page; the service checks who may do what.

use leptos::prelude::*;

use super::NotificationSettings;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{features::notifications::SettingsForm, platform::context::context};

#[server]
pub async fn load_notifications() -> Result<NotificationSettings, AppError> {
    let ctx = context()?;
    super::service::settings(&ctx.state, &ctx.caller).await
}

/// Saves one's address, the kinds that are on and the lines one follows, each list as the
/// ticked boxes post it (`kinds[]=…&kinds[]=…`).
#[server]
pub async fn save_notifications(
    #[server(default)] email: String,
    #[server(default)] kinds: Vec<String>,
    #[server(default)] lines: Vec<String>,
) -> Result<(), AppError> {
    let ctx = context()?;
    let form = SettingsForm { email, kinds: kinds.join(","), lines: lines.join(",") };
    super::service::save_settings(&ctx.state, &ctx.caller, &form).await
}

/// Returns the new webhook's secret: shown once.
#[server]
pub async fn add_webhook(url: String, #[server(default)] kinds: Vec<String>) -> Result<String, AppError> {
    let ctx = context()?;
    super::service::add_webhook(&ctx.state, &ctx.caller, &url, &kinds.join(",")).await
}

#[server]
pub async fn revoke_webhook(id: i64) -> Result<(), AppError> {
    let ctx = context()?;
    super::service::revoke_webhook(&ctx.state, &ctx.caller, id).await
}

/// Makes a new private feed address (the old one stops working); returns it, shown once.
#[server]
pub async fn create_feed() -> Result<String, AppError> {
    let ctx = context()?;
    super::service::create_feed(&ctx.state, &ctx.caller).await
}

#[server]
pub async fn revoke_feed() -> Result<(), AppError> {
    let ctx = context()?;
    super::service::revoke_feed(&ctx.state, &ctx.caller).await
}
