//! Rendering the app's pages.
//!
//! The route list is generated once per process. Leptos suppresses resource loading
//! process-wide (a global flag, not a per-thread one) while it generates a route list, so a
//! page rendered on another thread at that moment would wait for its data forever; building the
//! list once, before any request is served, leaves no such moment. A render that still stalls is answered 503, logged and
//! counted in the metrics, never silently retried.

use std::{sync::OnceLock, time::Duration};

use axum::{
    Router,
    extract::{Request, State},
    response::{IntoResponse, Response},
    routing::{delete, get, patch, post, put},
};
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, handle_server_fns_with_context};

use crate::{
    app::{App, shell},
    error::AppError,
    platform::state::AppState,
};

/// A render taking longer than this has stalled (a real one takes milliseconds).
const STALLED: Duration = Duration::from_secs(3);

/// The paths of the app's pages, generated on first use and kept for the process's life.
fn page_paths() -> &'static [String] {
    static PATHS: OnceLock<Vec<String>> = OnceLock::new();
    PATHS.get_or_init(|| generate_route_list(App).iter().map(|listing| listing.path().to_owned()).collect())
}

/// The app's page routes and its server functions.
pub fn routes(mut router: Router<AppState>) -> Router<AppState> {
    for path in page_paths() {
        router = router.route(path, get(render));
    }
    for (path, method) in leptos::server_fn::axum::server_fn_paths() {
        let handler = move |State(state): State<AppState>, req: Request| async move {
            handle_server_fns_with_context(move || provide_context(state.clone()), req).await
        };
        router = match method {
            http::Method::GET => router.route(path, get(handler)),
            http::Method::PUT => router.route(path, put(handler)),
            http::Method::DELETE => router.route(path, delete(handler)),
            http::Method::PATCH => router.route(path, patch(handler)),
            _ => router.route(path, post(handler)),
        };
    }
    router
}

/// Renders the page for a GET request.
pub async fn render(State(state): State<AppState>, req: Request) -> Response {
    render_with(state, req, |_| {}).await
}

/// Renders the page for a request, with extra context (a failed form post's values).
pub async fn render_with(
    state: AppState,
    req: Request,
    extra: impl Fn(&AppState) + Clone + Send + Sync + 'static,
) -> Response {
    let path = req.uri().clone();
    let (context, options) = (state.clone(), state.leptos.clone());
    let handler = leptos_axum::render_app_async_with_context(
        move || {
            provide_context(context.clone());
            extra(&context);
        },
        move || shell(options.clone()),
    );
    let started = std::time::Instant::now();
    match tokio::time::timeout(STALLED, handler(req)).await {
        Ok(response) => {
            state.metrics.render_seconds.observe(started.elapsed().as_secs_f64());
            response.into_response()
        }
        Err(_) => {
            state.metrics.stalled_renders.inc();
            tracing::error!(path = %path, "a page render stalled");
            AppError::Busy { retry_after: 1 }.into_response()
        }
    }
}
