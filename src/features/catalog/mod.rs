//! The catalog: release lines, releases, the policy and blackout days, which every other
//! feature reads. It owns their tables and keeps the loaded catalog until the next write.

#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
