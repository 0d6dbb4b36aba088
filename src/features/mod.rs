//! One folder per feature: its types, server functions (`api.rs`), components (`page.rs`),
//! SQL (`store.rs`, server only) and JSON API (`rest.rs`, server only).

pub mod admin;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod dashboard;
pub mod matrix;
pub mod patch_requests;
pub mod publishing;
pub mod releases;
pub mod train;
