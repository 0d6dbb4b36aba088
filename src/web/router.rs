//! The route table and the middleware around it.

use axum::{
    Router,
    body::{Body, to_bytes},
    extract::{DefaultBodyLimit, Request},
    http::{HeaderValue, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use tower_http::{
    catch_panic::CatchPanicLayer,
    compression::CompressionLayer,
    timeout::{RequestBodyTimeoutLayer, TimeoutLayer},
};

use super::{assets, forms, front, metrics, pages, security};
use crate::{
    error::AppError,
    features::{
        calendar::rest as feeds, notifications::rest as private_feeds, patch_requests::rest as requests_rest,
        releases::rest as releases_rest, train::rest as train_rest,
    },
    platform::{settings::BODY_LIMIT, state::AppState},
};

pub fn router(state: AppState) -> Router {
    let app = Router::new()
        .route("/api/v1/releases", get(releases_rest::list_releases))
        .route("/api/v1/releases/{cycle}", get(releases_rest::show_release))
        .route("/api/v1/support", get(releases_rest::show_support))
        .route("/api/v1/schedule", get(feeds::schedule_json))
        .route("/calendar.ics", get(feeds::calendar_ics))
        .route("/feed.atom", get(feeds::feed_atom))
        .route("/feeds/my-requests.atom", get(private_feeds::my_requests))
        .route("/api/v1/patch-requests", get(requests_rest::list).post(requests_rest::create))
        .route("/api/v1/patch-requests/{id}", get(requests_rest::show))
        .route("/patch-requests/new", post(forms::post_patch_request))
        .route("/patch-requests/{id}/edit", post(forms::post_patch_edit))
        .route("/api/v1/builds", post(train_rest::report_build))
        .route("/api/v1/builds/{name}/results", post(train_rest::report_result));
    pages::routes(app)
        .fallback(assets::serve_file_or_not_found)
        .layer(middleware::from_fn(server_fn_status))
        .layer(middleware::from_fn(security::html_csp))
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn(limit_body))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(RequestBodyTimeoutLayer::new(state.settings.body_timeout))
        // A safety net: no request may hang a connection forever.
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, std::time::Duration::from_secs(30)))
        .layer(CatchPanicLayer::custom(security::panicked))
        .layer(middleware::from_fn(security::standard_headers))
        .layer(middleware::from_fn_with_state(state.clone(), front::front))
        .layer(middleware::from_fn_with_state(state.clone(), metrics::record_request))
        .with_state(state)
}

/// Server functions (registered by `leptos_routes_with_context`) answer every error with 500;
/// give each the status its `AppError` code means, so a bad argument is a 400 and a forbidden
/// action a 403.
async fn server_fn_status(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR || !res.headers().contains_key("serverfnerror") {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, 64 * 1024).await else {
        return AppError::Internal.into_response();
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(error.status()).unwrap_or(parts.status);
        if let Some(retry_after) = error.retry_after() {
            parts.headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// A declared body over the limit is refused before it is read, with a message that says so.
async fn limit_body(req: Request, next: Next) -> Response {
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > BODY_LIMIT) {
        return AppError::TooLarge { limit_bytes: BODY_LIMIT as u64 }.into_response();
    }
    next.run(req).await
}
