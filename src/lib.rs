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

/// Entry point of the WebAssembly bundle: hydrates the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // Lets end-to-end tests wait for interactivity instead of sleeping.
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
