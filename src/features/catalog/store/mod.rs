//! SQL for the tables the catalog is made of, one file per table.

mod blackouts;
mod lines;
mod policy;
mod releases;

pub use blackouts::*;
pub use lines::*;
pub use policy::*;
pub use releases::*;
use sqlx::SqlitePool;

use crate::{domain::catalog::Catalog, error::AppError};

/// A stored value that no longer parses is our bug, not the caller's: log it loudly.
fn corrupt(what: &str, value: &str) -> AppError {
    tracing::error!(what, value, "stored value does not parse");
    AppError::Internal
}

/// Loads everything the catalog holds.
pub async fn load_catalog(pool: &SqlitePool) -> Result<Catalog, AppError> {
    let policy = find_policy(pool).await?;
    let lines = list_lines(pool).await?;
    let releases = list_releases(pool).await?;
    let blackouts = list_blackouts(pool).await?;
    Ok(Catalog::new(policy, lines, releases, blackouts))
}
