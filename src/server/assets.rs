//! Static files: the hashed bundle under `/pkg` (cached forever, served precompressed) and
//! the public assets.

use std::{path::PathBuf, sync::OnceLock};

use axum::{
    body::Body,
    extract::State,
    http::{HeaderValue, Request, Response, StatusCode, header},
};
use tower::ServiceExt;
use tower_http::services::ServeDir;

use super::state::AppState;

/// cargo-leptos writes `hash.txt` beside the server binary when it hashes file names.
pub fn hash_file_path() -> Option<PathBuf> {
    std::env::current_exe().ok()?.parent().map(|dir| dir.join("hash.txt"))
}

/// The hash cargo-leptos gave a file kind (`css`, `js`, `wasm`), if names are hashed.
fn hash_of(kind: &str) -> Option<String> {
    let text = std::fs::read_to_string(hash_file_path()?).ok()?;
    text.lines().find_map(|line| {
        let (k, v) = line.split_once(':')?;
        (k.trim() == kind).then(|| v.trim().to_owned())
    })
}

/// `/pkg/trainyard.css`, or its hashed name in a release build.
pub fn stylesheet_href() -> String {
    static HREF: OnceLock<String> = OnceLock::new();
    HREF.get_or_init(|| match hash_of("css") {
        Some(hash) => format!("/pkg/trainyard.{hash}.css"),
        None => "/pkg/trainyard.css".into(),
    })
    .clone()
}

/// The URLs of the JavaScript glue and the WebAssembly bundle (hashed in release builds).
pub fn bundle_urls() -> (String, String) {
    static URLS: OnceLock<(String, String)> = OnceLock::new();
    URLS.get_or_init(|| {
        let named = |kind: &str| match hash_of(kind) {
            Some(hash) => format!("/pkg/trainyard.{hash}.{kind}"),
            None => format!("/pkg/trainyard.{kind}"),
        };
        (named("js"), named("wasm"))
    })
    .clone()
}

/// Serves a file from the site root, or the app's own 404 page.
pub async fn serve_file_or_not_found(State(state): State<AppState>, req: Request<Body>) -> Response<Body> {
    let immutable = req.uri().path().starts_with("/pkg/") && state.leptos.hash_files;
    let (parts, body) = req.into_parts();
    let file_req = Request::from_parts(parts.clone(), body);
    let served =
        ServeDir::new(&*state.leptos.site_root).precompressed_br().precompressed_gzip().oneshot(file_req).await;
    match served {
        Ok(res) if res.status() != StatusCode::NOT_FOUND => {
            let mut res = res.map(Body::new);
            let cache = if immutable { "public, max-age=31536000, immutable" } else { "public, max-age=3600" };
            res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            res
        }
        _ => super::pages::render(State(state), Request::from_parts(parts, Body::empty())).await,
    }
}
