//! Server functions of the publish panel on a release page.

use leptos::prelude::*;

use super::{Payload, PublishPanel};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::platform::context::context;

#[server]
pub async fn load_publish_panel(version: String) -> Result<PublishPanel, AppError> {
    let ctx = context()?;
    super::service::panel(&ctx.state, &ctx.caller, &version).await
}

/// Publishes (or, without a token, previews) a release; returns the payload of a dry run.
#[server]
pub async fn publish_release(version: String) -> Result<Option<Payload>, AppError> {
    let ctx = context()?;
    Ok(super::service::publish(&ctx.state, &ctx.caller, &version).await?.dry_run_payload())
}

#[server]
pub async fn retry_publication(version: String) -> Result<(), AppError> {
    let ctx = context()?;
    super::service::retry(&ctx.state, &ctx.caller, &version).await
}
