//! The names of the built assets: cargo-leptos hashes them in release builds.

use std::{path::PathBuf, sync::OnceLock};

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
