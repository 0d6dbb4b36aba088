//! Server functions for the line and release pages.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::Release;
use crate::{domain::policy::LineSupport, error::AppError, features::matrix::NextPatch};

/// Everything `/releases/{X.Y}` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineDetail {
    pub support: LineSupport,
    pub compatibility_notes: String,
    /// Newest first.
    pub releases: Vec<Release>,
    pub next_patch: Option<NextPatch>,
    pub today: chrono::NaiveDate,
}

/// Everything `/releases/{X.Y.Z}` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseDetail {
    pub release: Release,
    pub line: LineSupport,
    /// The release before this one in the same line.
    pub previous: Option<Release>,
    pub today: chrono::NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReleasePageData {
    Line(Box<LineDetail>),
    Release(Box<ReleaseDetail>),
}

/// A line or a release by its path segment; anything malformed or unknown is "not found",
/// since to a reader of the page both mean the same.
#[server]
pub async fn load_release_page(reference: String) -> Result<ReleasePageData, AppError> {
    let state = crate::server::state::app_state()?;
    let catalog = state.catalog().await?;
    let today = state.today();
    let unknown = || AppError::not_found(format!("Release “{reference}”"));
    use crate::domain::version::ReleaseRef;
    match ReleaseRef::parse(&reference).map_err(|_| unknown())? {
        ReleaseRef::Line(id) => {
            let line = catalog.line(id).ok_or_else(unknown)?;
            let matrix = crate::features::matrix::Matrix::build(&catalog, today);
            let row = matrix.row(id).ok_or_else(unknown)?;
            let support = support_of(&catalog, id, today).ok_or_else(unknown)?;
            Ok(ReleasePageData::Line(Box::new(LineDetail {
                support,
                compatibility_notes: line.compatibility_notes.clone(),
                releases: catalog.releases_of(id).rev().cloned().collect(),
                next_patch: row.next_patch.clone(),
                today,
            })))
        }
        ReleaseRef::Release(version) => {
            let release = catalog.release(&version).ok_or_else(unknown)?.clone();
            let line = support_of(&catalog, version.line(), today).ok_or_else(unknown)?;
            let previous = catalog.releases_of(version.line()).rev().find(|r| r.version < version).cloned();
            Ok(ReleasePageData::Release(Box::new(ReleaseDetail { release, line, previous, today })))
        }
    }
}

#[cfg(feature = "ssr")]
fn support_of(
    catalog: &super::Catalog,
    id: crate::domain::version::LineId,
    today: chrono::NaiveDate,
) -> Option<LineSupport> {
    catalog.support(today).into_iter().find(|s| s.id == id)
}
