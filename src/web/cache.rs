//! The page cache's middleware: repeated reads are answered from memory.
//!
//! An entry is keyed by path and query, by who is looking (pages differ per role) and by the
//! encoding the client accepts; it stores the compressed bytes (`platform::page_cache`).

use axum::{
    body::{Body, to_bytes},
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::Response,
};

use crate::platform::{
    page_cache::{Entry, Key, MAX_ENTRY},
    state::AppState,
};

fn encoding(headers: &HeaderMap) -> &'static str {
    let accepted = headers.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("");
    if accepted.contains("br") {
        "br"
    } else if accepted.contains("gzip") {
        "gzip"
    } else {
        "identity"
    }
}

fn cacheable_type(headers: &HeaderMap) -> bool {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|t| {
        ["text/html", "application/json", "text/calendar", "application/atom+xml"].iter().any(|c| t.starts_with(c))
    })
}

/// True for a request that carries no credentials: its page is the same for everyone.
fn anonymous(req: &Request) -> bool {
    !req.headers().contains_key(header::AUTHORIZATION)
        && crate::platform::cookies::session_secret(req.headers()).is_none()
}

/// Outermost middleware: answers repeated anonymous reads from memory before any other work
/// (the entry stored is the finished response, security headers and compression included).
pub async fn serve_anonymous(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !anonymous(&req) {
        return next.run(req).await;
    }
    serve(state, req, next, "anon".into()).await
}

/// Inner middleware, after the caller is known: the same for signed-in readers, keyed by who
/// they are (their pages show their name and role).
pub async fn serve_signed_in(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if anonymous(&req) {
        return next.run(req).await;
    }
    let viewer = super::session::viewer_key(req.extensions());
    serve(state, req, next, viewer).await
}

async fn serve(state: AppState, req: Request, next: Next, viewer: String) -> Response {
    if req.method() != Method::GET || req.uri().path().starts_with("/pkg/") {
        return next.run(req).await;
    }
    let key = Key {
        path_and_query: req.uri().path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_default(),
        viewer,
        encoding: encoding(req.headers()),
    };
    let generation = state.db.generation();
    let day = state.today();
    if let Some(hit) = state.pages.get(&key, generation, day) {
        let mut res = Response::new(Body::from(hit.body.clone()));
        *res.status_mut() = hit.status;
        *res.headers_mut() = hit.headers.clone();
        res.headers_mut().insert("x-cache", HeaderValue::from_static("hit"));
        return res;
    }
    let res = next.run(req).await;
    if res.status() != StatusCode::OK
        || res.headers().contains_key(header::SET_COOKIE)
        || !cacheable_type(res.headers())
    {
        return res;
    }
    let (parts, body) = res.into_parts();
    let body = match to_bytes(body, usize::MAX).await {
        Ok(body) => body,
        Err(e) => {
            tracing::error!(error = %e, path = key.path_and_query, "response body failed");
            return Response::builder()
                .status(StatusCode::INTERNAL_SERVER_ERROR)
                .body(Body::empty())
                .expect("static response");
        }
    };
    if body.len() <= MAX_ENTRY {
        let entry = Entry { status: parts.status, headers: parts.headers.clone(), body: body.clone() };
        state.pages.put(key, entry, generation, day);
    }
    let mut res = Response::from_parts(parts, Body::from(body));
    res.headers_mut().insert("x-cache", HeaderValue::from_static("miss"));
    res
}
