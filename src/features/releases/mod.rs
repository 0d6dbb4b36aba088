//! The releases section: the supported-release matrix (`/releases`), a line
//! (`/releases/{X.Y}`) and a release (`/releases/{X.Y.Z}`) with its publish panel, and the
//! matrix as JSON (`/api/v1/releases`).

pub mod api;
pub mod page;
#[cfg(feature = "ssr")]
pub mod rest;
#[cfg(feature = "ssr")]
pub mod service;

use serde::{Deserialize, Serialize};

use crate::domain::{catalog::Release, matrix::NextPatch, policy::LineSupport};

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
