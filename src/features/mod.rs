//! One folder per feature, each with the same anatomy: `mod.rs` types, `api.rs` server
//! functions, `service.rs` use cases, `store.rs` SQL, `page.rs` (or `page/`) components and
//! islands, `rest.rs` JSON and feed handlers. Server-only parts are behind the `ssr` feature.
//!
//! Features are declared in the order they may use each other: a feature uses only those
//! declared before it, never a later one (a test reads this list and keeps it so).

pub mod audit;
pub mod auth;
pub mod catalog;
pub mod train;
pub mod patch_requests;
pub mod shipping;
pub mod calendar;
pub mod publishing;
pub mod releases;
pub mod dashboard;
pub mod admin;
pub mod history;
pub mod notifications;
