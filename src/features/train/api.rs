//! Server functions of the train page.

use leptos::prelude::*;

use super::TrainView;
use crate::error::AppError;

#[server]
pub async fn load_train() -> Result<TrainView, AppError> {
    let state = crate::server::state::app_state()?;
    let actor = crate::server::auth::principal();
    super::service::view(&state, &actor).await
}

/// Promotes a fully qualified weekly build to the coming minor release; returns its version.
#[server]
pub async fn promote_build(build: String) -> Result<String, AppError> {
    let state = crate::server::state::app_state()?;
    let actor = crate::server::auth::principal();
    Ok(super::service::promote(&state, &actor, &build).await?.to_string())
}
