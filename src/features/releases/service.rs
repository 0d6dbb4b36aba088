//! What the releases pages show.

use super::{LineDetail, ReleaseDetail, ReleasePageData};
use crate::{
    domain::{matrix::Matrix, version::ReleaseRef},
    error::AppError,
    features::catalog::service::catalog,
    platform::state::AppState,
};

/// The matrix as of today: every line that is not at end of life, and the newest that are.
pub async fn matrix(state: &AppState) -> Result<Matrix, AppError> {
    Ok(Matrix::build(&*catalog(state).await?, state.today()).bounded())
}

/// A line or a release by its path segment; anything malformed or unknown is "not found",
/// since to a reader of the page both mean the same.
pub async fn release_page(state: &AppState, reference: &str) -> Result<ReleasePageData, AppError> {
    let catalog = catalog(state).await?;
    let today = state.today();
    let unknown = || AppError::not_found(format!("Release “{reference}”"));
    let support_of = |id| catalog.support(today).into_iter().find(|s| s.id == id);
    match ReleaseRef::parse(reference).map_err(|_| unknown())? {
        ReleaseRef::Line(id) => {
            let line = catalog.line(id).ok_or_else(unknown)?;
            let matrix = Matrix::build(&catalog, today);
            let row = matrix.row(id).ok_or_else(unknown)?;
            Ok(ReleasePageData::Line(Box::new(LineDetail {
                support: support_of(id).ok_or_else(unknown)?,
                compatibility_notes: line.compatibility_notes.clone(),
                releases: catalog.releases_of(id).rev().cloned().collect(),
                next_patch: row.next_patch.clone(),
                today,
            })))
        }
        ReleaseRef::Release(version) => {
            let release = catalog.release(&version).ok_or_else(unknown)?.clone();
            let line = support_of(version.line()).ok_or_else(unknown)?;
            let previous = catalog.releases_of(version.line()).rev().find(|r| r.version < version).cloned();
            Ok(ReleasePageData::Release(Box::new(ReleaseDetail { release, line, previous, today })))
        }
    }
}
