//! `/metrics`: the operational figures in the OpenMetrics text format, served on their own
//! listen address (`TRAINYARD_METRICS_ADDR`), and the middleware that counts every request.

use std::time::Instant;

use axum::{
    Router,
    extract::{MatchedPath, Request, State},
    http::header,
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
};

use crate::{
    features::{notifications, publishing},
    platform::state::AppState,
};

/// The metrics listener's routes.
pub fn router(state: AppState) -> Router {
    Router::new().route("/metrics", get(scrape)).with_state(state)
}

async fn scrape(State(state): State<AppState>) -> Response {
    // The outbox gauges keep their last values when the database cannot answer now.
    if let Err(e) = publishing::service::measure_outbox(&state).await {
        tracing::warn!(error = %e, "could not count the publishing outbox for metrics");
    }
    if let Err(e) = notifications::service::measure_outbox(&state).await {
        tracing::warn!(error = %e, "could not count the notification outbox for metrics");
    }
    ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], state.metrics.render())
        .into_response()
}

/// Counts and times every request by its route pattern; files and unknown paths share one
/// label each, so nobody can grow the label set by asking for new paths.
pub async fn record_request(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = match req.extensions().get::<MatchedPath>() {
        Some(matched) => matched.as_str().to_owned(),
        None if req.uri().path().starts_with("/pkg/") => "/pkg/{file}".to_owned(),
        None => "(unmatched)".to_owned(),
    };
    let method = match req.method().as_str() {
        m @ ("GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS") => m.to_owned(),
        _ => "other".to_owned(),
    };
    let started = Instant::now();
    let res = next.run(req).await;
    state.metrics.request(&route, &method, res.status().as_u16(), started.elapsed());
    res
}
