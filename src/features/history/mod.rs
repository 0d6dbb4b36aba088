//! Bringing a project's release history in: from GitHub's releases and tags, or from an
//! endoflife.date product file. Both are idempotent (a second run changes nothing) and can
//! show what they would change without changing it.

#[cfg(feature = "ssr")]
pub mod github;
#[cfg(feature = "ssr")]
pub mod service;
