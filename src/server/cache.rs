//! A cache of whole responses for reads, so the pages stakeholders open thousands of times a
//! day are rendered once per change instead of once per request (issue 9).
//!
//! An entry is keyed by path and query, by who is looking (pages differ per role) and by the
//! encoding the client accepts; it stores the compressed bytes. It is valid for one database
//! generation and one calendar day: any committed write, or midnight UTC, empties the cache,
//! so nothing stale is ever served. Memory is bounded by a byte budget, oldest entries first.

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
};

use axum::{
    body::{Body, to_bytes},
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::Response,
};
use bytes::Bytes;
use chrono::NaiveDate;

use super::state::AppState;

/// Responses larger than this are not cached.
const MAX_ENTRY: usize = 2 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    path_and_query: String,
    viewer: String,
    encoding: &'static str,
}

struct Entry {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

#[derive(Default)]
struct Inner {
    generation: u64,
    day: Option<NaiveDate>,
    bytes: usize,
    order: VecDeque<Key>,
    entries: HashMap<Key, Arc<Entry>>,
}

pub struct ResponseCache {
    budget: usize,
    inner: Mutex<Inner>,
}

impl ResponseCache {
    pub fn new(budget: usize) -> Self {
        Self { budget, inner: Mutex::default() }
    }

    fn get(&self, key: &Key, generation: u64, day: NaiveDate) -> Option<Arc<Entry>> {
        let mut inner = self.inner.lock().expect("cache lock");
        if inner.generation != generation || inner.day != Some(day) {
            *inner = Inner { generation, day: Some(day), ..Inner::default() };
            return None;
        }
        inner.entries.get(key).cloned()
    }

    fn put(&self, key: Key, entry: Entry, generation: u64, day: NaiveDate) {
        let size = entry.body.len() + key.path_and_query.len();
        let mut inner = self.inner.lock().expect("cache lock");
        // A write committed while this response was rendered: it may be stale, drop it.
        if inner.generation != generation || inner.day != Some(day) {
            return;
        }
        while inner.bytes + size > self.budget {
            let Some(oldest) = inner.order.pop_front() else { break };
            if let Some(old) = inner.entries.remove(&oldest) {
                inner.bytes -= old.body.len() + oldest.path_and_query.len();
            }
        }
        if let Some(old) = inner.entries.insert(key.clone(), Arc::new(entry)) {
            inner.bytes -= old.body.len() + key.path_and_query.len();
        } else {
            inner.order.push_back(key);
        }
        inner.bytes += size;
    }

    /// Bytes held now (for the memory benchmark and tests).
    pub fn held_bytes(&self) -> usize {
        self.inner.lock().expect("cache lock").bytes
    }
}

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
    !req.headers().contains_key(header::AUTHORIZATION) && super::auth::session_secret(req.headers()).is_none()
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
    let viewer = super::auth::viewer_key(req.extensions());
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
