//! Server functions of the train page.

use leptos::prelude::*;

use super::TrainView;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::platform::context::context;

#[server]
pub async fn load_train() -> Result<TrainView, AppError> {
    let ctx = context()?;
    super::service::view(&ctx.state, &ctx.caller).await
}

/// Promotes a fully qualified weekly build to the coming minor release; returns its version.
#[server]
pub async fn promote_build(build: String) -> Result<String, AppError> {
    let ctx = context()?;
    Ok(super::service::promote(&ctx.state, &ctx.caller, &build).await?.to_string())
}
