//! The page cache's middleware: repeated reads are answered from memory.
//!
//! An entry is keyed by path and query, by who is looking (pages differ per role) and by the
//! encoding the client accepts; it stores the finished response, security headers and
//! compressed bytes included (`platform::page_cache`).

use axum::{
    body::{Body, to_bytes},
    extract::Request,
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::Response,
};

use crate::platform::{
    metrics::Metrics,
    page_cache::{Entry, Key, MAX_ENTRY, Turn},
    state::AppState,
};

/// The encoding a request accepts that the compression layer would choose: coding names are
/// case-insensitive and `q=0` means "not this one".
fn encoding(headers: &HeaderMap) -> &'static str {
    let accepts = |coding: &str| {
        headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(
            |item| {
                let mut parts = item.split(';').map(str::trim);
                let name = parts.next().unwrap_or("");
                let refused = parts.any(|p| {
                    p.strip_prefix("q=")
                        .or_else(|| p.strip_prefix("Q="))
                        .and_then(|q| q.parse::<f32>().ok())
                        .is_some_and(|q| q <= 0.0)
                });
                name.eq_ignore_ascii_case(coding) && !refused
            },
        )
    };
    if accepts("br") {
        "br"
    } else if accepts("gzip") {
        "gzip"
    } else {
        "identity"
    }
}

/// The encoding a response was actually sent in.
fn sent_encoding(headers: &HeaderMap) -> &'static str {
    match headers.get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()).map(str::trim) {
        Some(e) if e.eq_ignore_ascii_case("br") => "br",
        Some(e) if e.eq_ignore_ascii_case("gzip") => "gzip",
        None => "identity",
        Some(_) => "other",
    }
}

/// A response that asked not to be stored anywhere (a page that changes without a visible write).
fn no_store(headers: &HeaderMap) -> bool {
    headers.get(header::CACHE_CONTROL).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("no-store"))
}

fn cacheable_type(headers: &HeaderMap) -> bool {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|t| {
        ["text/html", "application/json", "text/calendar", "application/atom+xml"].iter().any(|c| t.starts_with(c))
    })
}

/// What a signed-in person reads is theirs: no shared cache may keep it. Files (which set their
/// own caching) are the same for everyone.
pub fn mark_private(headers: &mut HeaderMap) {
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
        headers.append(header::VARY, HeaderValue::from_static("Cookie"));
        headers.append(header::VARY, HeaderValue::from_static("Authorization"));
    }
}

/// How long a request waits for another's render of the same page before rendering it too.
const WAIT_FOR_RENDER: std::time::Duration = std::time::Duration::from_secs(5);

fn from_memory(state: &AppState, hit: &Entry) -> Response {
    Metrics::outcome(&state.metrics.page_cache, "hit");
    let mut res = Response::new(Body::from(hit.body.clone()));
    *res.status_mut() = hit.status;
    *res.headers_mut() = hit.headers.clone();
    res.headers_mut().insert("x-cache", HeaderValue::from_static("hit"));
    res
}

/// Answers a repeated read of `viewer` from memory, and keeps what a missed one renders.
pub async fn serve(state: &AppState, req: Request, next: Next, viewer: String) -> Response {
    if req.method() != Method::GET || req.uri().path().starts_with("/pkg/") {
        return next.run(req).await;
    }
    let key = Key {
        path_and_query: req.uri().path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_default(),
        viewer,
        encoding: encoding(req.headers()),
    };
    let mut generation = state.db.generation();
    let mut day = state.today();
    if let Some(hit) = state.pages.get(&key, generation, day) {
        return from_memory(state, &hit);
    }
    // One render per missing page: the others wait for its entry.
    let _rendering = match state.pages.turn(&key) {
        Turn::Render(rendering) => Some(rendering),
        Turn::Wait(notify) => {
            state.pages.wait(&key, notify, WAIT_FOR_RENDER).await;
            (generation, day) = (state.db.generation(), state.today());
            if let Some(hit) = state.pages.get(&key, generation, day) {
                return from_memory(state, &hit);
            }
            // Not stored (not cacheable, or a write came in between): render it too.
            None
        }
    };
    Metrics::outcome(&state.metrics.page_cache, "miss");
    // Held until the body is read: a streamed page renders while it is sent.
    let _permit = state.pages.render_permit().await;
    let res = next.run(req).await;
    if res.status() != StatusCode::OK
        || res.headers().contains_key(header::SET_COOKIE)
        || !cacheable_type(res.headers())
        || no_store(res.headers())
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
    // Stored under the encoding really used, so a client that negotiated differently is a
    // miss, never a body it cannot read.
    if body.len() <= MAX_ENTRY && sent_encoding(&parts.headers) == key.encoding {
        let entry = Entry { status: parts.status, headers: parts.headers.clone(), body: body.clone() };
        state.pages.put(key, entry, generation, day);
    }
    let mut res = Response::from_parts(parts, Body::from(body));
    res.headers_mut().insert("x-cache", HeaderValue::from_static("miss"));
    res
}
