#![recursion_limit = "256"]
//! Trainyard runs a project's release train: a calendar of releases, the supported-release
//! matrix, patch requests and their triage, builds qualifying into monthly releases, and
//! publishing to GitHub.
//!
//! Four layers, arrows pointing down only: `web` (the composition root) → `features` →
//! `platform` (what features need from the server) → `domain` (pure rules, shared with the
//! browser). `app`, `components` and `error` sit beside them: the route table, shared widgets
//! and the error that crosses the wire.

pub mod app;
pub mod components;
pub mod domain;
pub mod error;
pub mod features;
#[cfg(feature = "ssr")]
pub mod platform;
#[cfg(feature = "ssr")]
pub mod web;

/// Entry point of the WebAssembly bundle: readies the islands of the server-rendered page
/// (the bootstrap script in `app.rs` then hydrates each one). A server function that answers
/// with a redirect (signing in) leads to a real page load: there is no client-side router.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    let _ = leptos::server_fn::redirect::set_redirect_hook(|to: &str| components::go_to(to));
    leptos::mount::hydrate_islands();
}
