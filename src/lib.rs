#![recursion_limit = "256"]
//! Trainyard runs a project's release train: a calendar of releases, the supported-release
//! matrix, patch requests and their triage, builds qualifying into monthly releases, and
//! publishing to GitHub.

pub mod app;
pub mod components;
pub mod domain;
pub mod error;
pub mod features;
#[cfg(feature = "ssr")]
pub mod server;

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
