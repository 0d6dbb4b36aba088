//! Server functions of the releases pages.

use leptos::prelude::*;

use super::{ReleasePageData, ReleasesOverview};
use crate::{domain::lookup::Support, error::AppError};

/// The matrix as of today, every line included (the page filters end-of-life lines itself).
#[server]
pub async fn load_matrix() -> Result<ReleasesOverview, AppError> {
    let ctx = crate::platform::context::context()?;
    let matrix = super::service::matrix(&ctx.state).await?;
    Ok(ReleasesOverview { matrix, host: ctx.state.settings.public_host() })
}

/// Whether `version` is supported on `on` (today when empty).
#[server]
pub async fn load_support(version: String, on: String) -> Result<Support, AppError> {
    let ctx = crate::platform::context::context()?;
    super::service::support(&ctx.state, &version, Some(&on)).await
}

/// A line or a release by its path segment.
#[server]
pub async fn load_release_page(reference: String) -> Result<ReleasePageData, AppError> {
    let ctx = crate::platform::context::context()?;
    super::service::release_page(&ctx.state, &ctx.caller, &reference).await
}
