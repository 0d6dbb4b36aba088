//! The release train: daily builds, weekly qualification, the monthly candidate, promotion.

#[cfg(feature = "ssr")]
pub mod store;
