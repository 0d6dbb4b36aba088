//! The first thing every request meets, in one middleware: where it came from, whether it may
//! change anything, who is asking, and whether its answer is already in memory. A repeated read,
//! anonymous or signed in, is answered here, before the layers that only a render needs.

use axum::{
    extract::{Request, State},
    http::{HeaderValue, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::{cache, security, session};
use crate::{
    domain::access::Principal,
    platform::{cookies::clearing_cookie, state::AppState},
};

pub async fn front(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let origin = security::origin(&state, &req);
    let https = origin.https;
    req.extensions_mut().insert(origin);
    if let Some(mut refusal) = security::refuse_cross_site(&req) {
        security::add_standard_headers(refusal.headers_mut());
        return refusal;
    }
    let caller = match session::caller(&state, req.headers(), https).await {
        Ok(caller) => caller,
        Err(e) => {
            let mut res = e.into_response();
            security::add_standard_headers(res.headers_mut());
            return res;
        }
    };
    let personal = !matches!(caller.principal, Principal::Anonymous);
    let viewer = caller.principal.cache_key();
    req.extensions_mut().insert(caller.principal);
    let mut res = cache::serve(&state, req, next, viewer).await;
    let headers = res.headers_mut();
    if personal {
        cache::mark_private(headers);
    }
    if caller.stale_cookie && !headers.contains_key(header::SET_COOKIE) {
        headers.append(header::SET_COOKIE, clearing_cookie(https));
        // The page is everyone's, the answer that clears a cookie is not.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    }
    res
}
