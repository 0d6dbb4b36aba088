//! Rendering the app's pages, with a guard against a stalled render.
//!
//! Leptos 0.8 can, rarely and only under concurrency, lose the wake-up that tells a
//! `<Suspense>` its data has arrived, so the render never finishes (leptos#4851 and kin; seen
//! here about once in a few hundred parallel renders of one page). Pages are rendered whole
//! before anything is sent (`SsrMode::Async`) and are plain GETs, so a render that takes far
//! longer than any real one is dropped and started again.

use std::{net::SocketAddr, time::Duration};

use axum::{
    Router,
    body::Body,
    extract::{ConnectInfo, Request, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{delete, get, patch, post, put},
};
use leptos::prelude::provide_context;
use leptos_axum::{AxumRouteListing, handle_server_fns_with_context};

use crate::{app::shell, domain::access::Principal, error::AppError, platform::state::AppState};

/// A render taking longer than this has stalled (a real one takes milliseconds).
const STALLED: Duration = Duration::from_secs(3);
const ATTEMPTS: usize = 3;

/// The app's page routes and its server functions.
pub fn routes(mut router: Router<AppState>, paths: &[AxumRouteListing]) -> Router<AppState> {
    for listing in paths {
        router = router.route(listing.path(), get(render));
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
    let (parts, _) = req.into_parts();
    for attempt in 1..=ATTEMPTS {
        // A fresh request each time: `Parts` cannot be cloned, so carry what handlers read.
        let mut again = Request::builder().method(parts.method.clone()).uri(parts.uri.clone()).version(parts.version);
        for (name, value) in &parts.headers {
            again = again.header(name, value);
        }
        let mut again = again.body(Body::empty()).expect("copied from a valid request");
        if let Some(p) = parts.extensions.get::<Principal>() {
            again.extensions_mut().insert(p.clone());
        }
        if let Some(c) = parts.extensions.get::<ConnectInfo<SocketAddr>>() {
            again.extensions_mut().insert(*c);
        }
        if let Some(o) = parts.extensions.get::<crate::platform::context::RequestOrigin>() {
            again.extensions_mut().insert(*o);
        }
        let (context, options, extra) = (state.clone(), state.leptos.clone(), extra.clone());
        let handler = leptos_axum::render_app_async_with_context(
            move || {
                provide_context(context.clone());
                extra(&context);
            },
            move || shell(options.clone()),
        );
        match tokio::time::timeout(STALLED, handler(again)).await {
            Ok(response) => return response.into_response(),
            Err(_) => tracing::warn!(path = %parts.uri, attempt, "a page render stalled; rendering it again"),
        }
    }
    let mut res = AppError::Unreachable { message: "the page could not be rendered; try again".into() }.into_response();
    *res.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    res
}
