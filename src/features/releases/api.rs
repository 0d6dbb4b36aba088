//! Server functions of the releases pages.

use leptos::prelude::*;

use super::ReleasePageData;
use crate::{domain::matrix::Matrix, error::AppError};

/// The matrix as of today, every line included (the page filters end-of-life lines itself).
#[server]
pub async fn load_matrix() -> Result<Matrix, AppError> {
    let ctx = crate::platform::context::context()?;
    super::service::matrix(&ctx.state).await
}

/// A line or a release by its path segment.
#[server]
pub async fn load_release_page(reference: String) -> Result<ReleasePageData, AppError> {
    let ctx = crate::platform::context::context()?;
    super::service::release_page(&ctx.state, &ctx.caller, &reference).await
}
