//! Server functions for signing in and out.

use leptos::prelude::*;

use super::Viewer;
use crate::error::AppError;

/// Who is signed in, for the header.
#[server]
pub async fn current_viewer() -> Result<Option<Viewer>, AppError> {
    Ok(crate::server::auth::principal().viewer().cloned())
}

/// True when a plain HTML form (no JavaScript) made this call: errors then go back to the page
/// in its URL, since the page cannot read a response body.
#[cfg(feature = "ssr")]
pub fn is_plain_form_post() -> bool {
    use_context::<http::request::Parts>()
        .and_then(|p| p.headers.get(http::header::ACCEPT)?.to_str().ok().map(|a| a.contains("text/html")))
        .unwrap_or(false)
}

/// Signs in and returns who is now signed in (the header updates from it).
#[server]
pub async fn sign_in(name: String, password: String, next: Option<String>) -> Result<Viewer, AppError> {
    use super::service;
    let state = crate::server::state::app_state()?;
    let next = service::safe_next(next.as_deref());
    match service::sign_in(&state, &name, password).await {
        Ok(viewer) => {
            leptos_axum::redirect(&next);
            Ok(viewer)
        }
        Err(e) => {
            if is_plain_form_post() {
                let query = serde_urlencoded_pairs(&[("name", name.as_str()), ("error", e.code()), ("next", &next)]);
                leptos_axum::redirect(&format!("/login?{query}"));
            }
            Err(e)
        }
    }
}

#[server]
pub async fn sign_out() -> Result<(), AppError> {
    let state = crate::server::state::app_state()?;
    super::service::sign_out(&state).await?;
    leptos_axum::redirect("/");
    Ok(())
}

/// `a=1&b=2`, percent-encoded.
#[cfg(feature = "ssr")]
pub fn serde_urlencoded_pairs(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{k}={}", percent_encode(v))).collect::<Vec<_>>().join("&")
}

#[cfg(feature = "ssr")]
fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
