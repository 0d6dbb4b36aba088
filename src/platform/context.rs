//! The context of a server function or a page render: the shared state, who is calling, and
//! the facts of the request behind the call (scheme, client address, how it was posted), plus
//! the cookie writes of its response.

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use http::{HeaderMap, HeaderValue, header, request::Parts};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use super::state::AppState;
use crate::{domain::access::Principal, error::AppError};

/// What a server function needs to do its work.
pub struct Context {
    pub state: AppState,
    pub caller: Principal,
}

/// The state and the caller of the current server function or page render.
pub fn context() -> Result<Context, AppError> {
    let state = use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the Leptos context");
        AppError::Internal
    })?;
    Ok(Context { state, caller: caller() })
}

/// Who made the request being handled; anonymous outside a request.
pub fn caller() -> Principal {
    request_parts().and_then(|parts| parts.extensions.get::<Principal>().cloned()).unwrap_or(Principal::Anonymous)
}

/// The request behind the current server function or render.
pub fn request_parts() -> Option<Parts> {
    use_context::<Parts>()
}

/// True when the request reached us over HTTPS (directly or through a proxy).
pub fn is_https(headers: &HeaderMap) -> bool {
    headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https")
}

/// Whether the current request came over HTTPS.
pub fn request_is_https() -> bool {
    request_parts().is_some_and(|p| is_https(&p.headers))
}

/// The client's address, for throttling and logs.
pub fn client_address() -> String {
    request_parts()
        .and_then(|p| p.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string()))
        .unwrap_or_else(|| "unknown".into())
}

/// True when a plain HTML form (no JavaScript) made this call: errors then go back to the page
/// in its URL, since the page cannot read a response body.
pub fn is_plain_form_post() -> bool {
    request_parts()
        .and_then(|p| p.headers.get(header::ACCEPT)?.to_str().ok().map(|a| a.contains("text/html")))
        .unwrap_or(false)
}

/// Adds a `Set-Cookie` header to the response.
pub fn set_cookie(value: HeaderValue) {
    if let Some(options) = use_context::<ResponseOptions>() {
        options.append_header(header::SET_COOKIE, value);
    }
}

/// The `Host` the request came to, for absolute links.
pub fn request_host() -> String {
    request_parts()
        .and_then(|p| p.headers.get(header::HOST)?.to_str().ok().map(str::to_owned))
        .unwrap_or_else(|| "localhost".into())
}
