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

use crate::domain::{
    catalog::Release,
    matrix::NextPatch,
    plan::Scheduled,
    policy::{EndOfLife, LineSupport},
    security::ReleaseFixes,
    version::Version,
};

/// Everything `/releases/{X.Y}` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineDetail {
    pub support: LineSupport,
    /// Its end of life, also while it has not shipped (then expected).
    pub eol: EndOfLife,
    pub compatibility_notes: String,
    /// Stored and projected, newest first; cancelled and skipped slots included.
    pub releases: Vec<Scheduled>,
    pub next_patch: Option<NextPatch>,
    /// The security fixes each release shipped, newest release first.
    pub security: Vec<ReleaseFixes>,
    /// The viewer may set its end of life by hand.
    pub can_manage: bool,
    pub today: chrono::NaiveDate,
}

/// Everything `/releases/{X.Y.Z}` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseDetail {
    pub planned: Scheduled,
    /// The stored release, when it is more than projected.
    pub stored: Option<Release>,
    pub line: LineSupport,
    /// The release before this one in the same line.
    pub previous: Option<Version>,
    pub today: chrono::NaiveDate,
}

/// Everything `/releases` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleasesOverview {
    pub matrix: crate::domain::matrix::Matrix,
    /// The host the site is served from, for `webcal://` links.
    pub host: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReleasePageData {
    Line(Box<LineDetail>),
    Release(Box<ReleaseDetail>),
}
