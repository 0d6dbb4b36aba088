//! Widgets shared by the pages.

pub mod dates;
pub mod form;
pub mod status;

use leptos::prelude::*;

use crate::error::AppError;

/// Text for `<Title>`: leptos_meta writes it into the server's `<title>` unescaped, so user
/// text is escaped here. Pages render only on the server (islands never set a title).
pub fn page_title(text: impl Into<String>) -> String {
    text.into().replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// An error in place of a page's content; on the server it also sets the HTTP status, so a
/// missing release is a real 404 and not a 200 that says "not found".
#[component]
pub fn ErrorView(error: AppError) -> impl IntoView {
    answer_with_status_of(&error);
    let (title, hint) = match &error {
        AppError::NotFound { .. } => ("Not found", "Check the address, or start again from the release matrix."),
        AppError::Unauthenticated => ("Sign in required", "Sign in, then try again."),
        AppError::Forbidden { .. } => ("Not allowed", "Your role does not allow this."),
        AppError::Invalid { .. } => ("That request is not valid", "Check the address and try again."),
        _ => ("Something went wrong", "Try again in a moment."),
    };
    view! {
        <section class="error-page" role="alert">
            <h1>{title}</h1>
            <p>{error.to_string()}</p>
            <p class="hint">{hint}</p>
            <p>
                <a href="/releases">"Supported releases"</a>
            </p>
        </section>
    }
}

/// On the server, answers the page with `error`'s HTTP status (in the browser, nothing).
pub fn answer_with_status_of(error: &AppError) {
    #[cfg(feature = "ssr")]
    if let Some(options) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(status) = http::StatusCode::from_u16(error.status())
    {
        options.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = error;
}

/// On the server, marks the page as one the page cache must not keep: it shows what changes
/// without a visible write (one's own outbox), so a kept copy would go stale.
pub fn never_stored() {
    #[cfg(feature = "ssr")]
    if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
        options.insert_header(http::header::CACHE_CONTROL, http::HeaderValue::from_static("private, no-store"));
    }
}

/// The page for an address no route knows.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <leptos_meta::Title text="Not found · Trainyard" />
        <ErrorView error=AppError::not_found("This page") />
    }
}

/// A page's data once loaded: what `content` makes of it, or the error in its place (which also
/// sets the response status on the server).
#[component]
pub fn Loaded<T, F, V>(data: Resource<Result<T, AppError>>, content: F) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! {
        <Suspense fallback=Loading>
            {move || {
                let content = content.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(d) => content(d).into_any(),
                        Err(e) => view! { <ErrorView error=e /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// A loading placeholder that keeps its space, so nothing jumps when data arrives.
#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="loading" aria-busy="true">"Loading…"</p> }
}

/// A full page load of `to`. Pages render on the server (islands), so after a change the way
/// to show it everywhere on the page is to ask the server again.
pub fn go_to(to: &str) {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().location().set_href(to);
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = to;
    }
}

/// Loads the current page again once `done` says an action succeeded, so the server-rendered
/// parts around an island show the change (as a plain form post would).
pub fn reload_when(done: impl Fn() -> bool + 'static) {
    Effect::new(move |_| {
        if done() {
            #[cfg(feature = "hydrate")]
            {
                let _ = window().location().reload();
            }
        }
    });
}

/// Whether `action`'s last run succeeded.
pub fn succeeded<S>(action: ServerAction<S>) -> bool
where
    S: leptos::server_fn::ServerFn + Send + Sync + Clone + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    action.value().with(|v| matches!(v, Some(Ok(_))))
}

/// An island's data, sent with the page, and loaded again by `load` whenever `changed` changes
/// (an action completed), so the island updates in place.
pub fn refreshed<T, K, Fut>(
    initial: T,
    changed: impl Fn() -> K + 'static,
    load: impl Fn() -> Fut + Clone + 'static,
) -> RwSignal<T>
where
    T: Send + Sync + 'static,
    K: PartialEq + 'static,
    Fut: std::future::Future<Output = Result<T, AppError>> + 'static,
{
    let data = RwSignal::new(initial);
    Effect::new(move |before: Option<K>| {
        let now = changed();
        if before.is_some_and(|b| b != now) {
            let load = load.clone();
            leptos::task::spawn_local(async move {
                if let Ok(fresh) = load().await {
                    data.set(fresh);
                }
            });
        }
        now
    });
    data
}
