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
    use leptos::prelude::document;
    console_error_panic_hook::set_once();
    // As `leptos::mount::hydrate_lazy`: the split-out code of the current route is loaded
    // while hydrating. Once everything is interactive the body is marked, so end-to-end tests
    // wait for that instead of sleeping.
    let _ = any_spawner::Executor::init_wasm_bindgen();
    leptos::task::spawn_local(async move {
        let Some(body) = document().body() else { return };
        let app = leptos::mount::hydrate_from_async(body.clone(), app::App).await;
        app.forget();
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
