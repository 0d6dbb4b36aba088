//! Static files: the hashed bundle under `/pkg` (cached forever, served precompressed) and
//! the public assets; anything else is the app's own 404 page.

use axum::{
    body::Body,
    extract::State,
    http::{HeaderValue, Request, Response, StatusCode, header},
};
use tower::ServiceExt;
use tower_http::services::ServeDir;

use crate::platform::state::AppState;

/// Serves a file from the site root, or the app's own 404 page.
pub async fn serve_file_or_not_found(State(state): State<AppState>, req: Request<Body>) -> Response<Body> {
    let immutable = req.uri().path().starts_with("/pkg/") && state.leptos.hash_files;
    let (parts, body) = req.into_parts();
    let file_req = Request::from_parts(parts.clone(), body);
    let served =
        ServeDir::new(&*state.leptos.site_root).precompressed_br().precompressed_gzip().oneshot(file_req).await;
    match served {
        // Only a file that was there: a name the file system refuses (too long, say) is as
        // absent as a missing one, and never a cacheable error.
        Ok(res) if res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED => {
            let mut res = res.map(Body::new);
            let cache = if immutable { "public, max-age=31536000, immutable" } else { "public, max-age=3600" };
            res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            res
        }
        _ => super::pages::render(State(state), Request::from_parts(parts, Body::empty())).await,
    }
}
