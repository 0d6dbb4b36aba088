//! The dashboard's server function.

use leptos::prelude::*;

use super::Dashboard;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::platform::context::context;

#[server]
pub async fn load_dashboard() -> Result<Dashboard, AppError> {
    let ctx = context()?;
    super::service::dashboard(&ctx.state).await
}
