//! Server functions of the publish panel on a release page.

use leptos::prelude::*;

use super::PublishPanel;
use crate::error::AppError;

#[server]
pub async fn load_publish_panel(version: String) -> Result<PublishPanel, AppError> {
    let state = crate::server::state::app_state()?;
    let actor = crate::server::auth::principal();
    super::service::panel(&state, &actor, &version).await
}

/// Publishes (or, without a token, previews) a release; returns the payload of a dry run.
#[server]
pub async fn publish_release(version: String) -> Result<Option<super::Payload>, AppError> {
    use super::service::{Published, publish};
    let state = crate::server::state::app_state()?;
    let actor = crate::server::auth::principal();
    Ok(match publish(&state, &actor, &version).await? {
        Published::DryRun(payload) => Some(payload),
        Published::Queued => None,
    })
}

#[server]
pub async fn retry_publication(version: String) -> Result<(), AppError> {
    let state = crate::server::state::app_state()?;
    let actor = crate::server::auth::principal();
    super::service::retry(&state, &actor, &version).await
}
