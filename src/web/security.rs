//! Response headers every page carries, the script hashes of the CSP, and the refusal of
//! cross-site state changes.

use std::net::{IpAddr, SocketAddr};

use axum::{
    body::{Body, to_bytes},
    extract::{ConnectInfo, Request},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::{
    error::AppError,
    platform::{context::RequestOrigin, state::AppState},
};

/// Headers on every response.
pub async fn standard_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    add_standard_headers(res.headers_mut());
    res
}

/// The headers of `standard_headers`, for answers given before that layer is reached.
pub fn add_standard_headers(headers: &mut HeaderMap) {
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // `same-origin` keeps the Referer that plain form posts are redirected back to.
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        );
    }
}

/// Where the request came from (behind a trusted proxy, the forwarded client and scheme), for
/// throttling, cookies and logs.
pub fn origin(state: &AppState, req: &Request) -> RequestOrigin {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
    RequestOrigin::of(req.headers(), peer, &state.settings.trusted_proxies)
}

/// A handler that panicked answers a plain 500 that no cache keeps; the panic is logged.
pub fn panicked(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic without a message");
    tracing::error!(panic = what, "a request handler panicked");
    let mut res = AppError::Internal.into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// The refusal of a request that changes state from another site. Browsers send `Origin` on
/// every POST and `Sec-Fetch-Site` on every request; CI clients send neither.
pub fn refuse_cross_site(req: &Request) -> Option<Response> {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || !is_cross_site(req.headers()) {
        return None;
    }
    tracing::warn!(path = req.uri().path(), "refused a cross-site state change");
    Some(AppError::forbidden("cross-site requests may not change anything").into_response())
}

fn is_cross_site(headers: &HeaderMap) -> bool {
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if matches!(fetch_site, Some("cross-site" | "same-site")) {
        return true;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    // `Origin: null` comes from sandboxed frames and privacy-stripped redirects: not ours.
    let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or("");
    origin_host != host
}

/// The Content-Security-Policy of an HTML page: scripts only from us, plus the exact inline
/// scripts Leptos wrote into this page (hydration bootstrap and serialized data), by hash.
pub fn page_csp(html: &str, reload_port: Option<u32>) -> String {
    let mut script_src = String::from("'self' 'wasm-unsafe-eval'");
    for script in inline_scripts(html) {
        let digest = Sha256::digest(script.as_bytes());
        script_src.push_str(" 'sha256-");
        script_src.push_str(&base64::engine::general_purpose::STANDARD.encode(digest));
        script_src.push('\'');
    }
    let connect = match reload_port {
        Some(port) => format!("'self' ws://127.0.0.1:{port} ws://localhost:{port}"),
        None => "'self'".into(),
    };
    format!(
        "default-src 'self'; script-src {script_src}; style-src 'self'; img-src 'self' data:; \
         connect-src {connect}; object-src 'none'; base-uri 'self'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// The bodies of `<script>` elements without a `src`.
fn inline_scripts(html: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else { break };
        let open_tag = &after[..open_end];
        let body_start = open_end + 1;
        let Some(close) = after[body_start..].find("</script>") else { break };
        if !open_tag.contains(" src=") {
            found.push(&after[body_start..body_start + close]);
        }
        rest = &after[body_start + close..];
    }
    found
}

/// Middleware: sets the page CSP on HTML responses (inside the page cache, so it is computed
/// once per cached page).
pub async fn html_csp(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if !is_html {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let reload =
        std::env::var("LEPTOS_WATCH").ok().and_then(|_| std::env::var("LEPTOS_RELOAD_PORT").ok()?.parse().ok());
    let csp = page_csp(&String::from_utf8_lossy(&bytes), reload);
    if let Ok(value) = HeaderValue::from_str(&csp) {
        parts.headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_a_500_that_no_cache_keeps() {
        let res = panicked(Box::new("a surprising answer"));
        assert_eq!(res.status(), http::StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store");
    }

    #[test]
    fn only_inline_scripts_are_hashed() {
        let html = r#"<head><script type="module">import("/pkg/a.js")</script><script src="/x.js"></script></head><body><script>window.x=1</script></body>"#;
        assert_eq!(inline_scripts(html), [r#"import("/pkg/a.js")"#, "window.x=1"]);
        let csp = page_csp(html, None);
        assert_eq!(csp.matches("'sha256-").count(), 2);
        assert!(csp.contains("frame-ancestors 'none'"));
    }

    #[test]
    fn origins_of_other_sites_are_cross_site() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("yard.example:3000"));
        assert!(!is_cross_site(&headers), "no Origin: a CI client");
        headers.insert(header::ORIGIN, HeaderValue::from_static("http://yard.example:3000"));
        assert!(!is_cross_site(&headers));
        headers.insert(header::ORIGIN, HeaderValue::from_static("https://evil.example"));
        assert!(is_cross_site(&headers));
        headers.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(is_cross_site(&headers));
        headers.remove(header::ORIGIN);
        headers.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(is_cross_site(&headers));
    }
}
