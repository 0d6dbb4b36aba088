//! Server functions of the matrix.

use leptos::prelude::*;

use super::Matrix;
use crate::error::AppError;

/// The matrix as of today, every line included (the page filters end-of-life lines itself).
#[server]
pub async fn load_matrix() -> Result<Matrix, AppError> {
    let state = crate::server::state::app_state()?;
    let catalog = state.catalog().await?;
    Ok(Matrix::build(&catalog, state.today()).bounded())
}
