//! The shell, the navigation and the route table; no logic.

use leptos::prelude::*;
use leptos_meta::{Meta, MetaTags, Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{A, Route, Router, Routes},
    path,
};

use crate::{
    components::NotFoundPage,
    domain::access::Role,
    features::{
        admin::page::AdminPage,
        auth::page::{LoginPage, SessionBox, ViewerContext},
        calendar::page::CalendarPage,
        dashboard::page::HomePage,
        notifications::page::NotificationsPage,
        patch_requests::page::{EditPatchRequestPage, NewPatchRequestPage, PatchRequestPage, PatchRequestsPage},
        releases::page::{ReleasePage, ReleasesPage},
        shipping::page::TrainPage,
    },
};

/// The HTML document around the app; rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="stylesheet" id="leptos" href=stylesheet_href() />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options />
                <HydrateAfterPaint />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Loads the WebAssembly only on a page with islands (the interactive parts: forms and their
/// live checks), after the first paint, and hydrates each island; every other page is complete
/// as the server sent it and downloads no script beyond this one. As Leptos' islands bootstrap,
/// without its preload hints: on a phone the bundle must not compete with the page. The body is
/// marked once everything is interactive, so end-to-end tests wait for that instead of sleeping.
#[component]
fn HydrateAfterPaint() -> impl IntoView {
    let (js, wasm) = bundle_urls();
    // A `requestAnimationFrame` callback runs just before a frame is painted, a task queued
    // from it just after.
    let script = format!(
        "const islands = [...document.querySelectorAll('leptos-island')];\
         const done = () => document.body.setAttribute('data-hydrated', 'true');\
         const hydrate = async () => {{ const m = await import({js:?}); await m.default({{ module_or_path: {wasm:?} }}); m.hydrate();\
         for (const el of islands) {{ const f = m[el.dataset.component]; if (f) await f(el); else console.error('no island ' + el.dataset.component); }} done(); }};\
         if (islands.length) requestAnimationFrame(() => setTimeout(hydrate, 0)); else done();"
    );
    view! { <script type="module">{script}</script> }
}

fn bundle_urls() -> (String, String) {
    #[cfg(feature = "ssr")]
    {
        crate::platform::assets::bundle_urls()
    }
    #[cfg(not(feature = "ssr"))]
    {
        Default::default()
    }
}

/// The stylesheet's URL; cargo-leptos hashes the name in release builds. The shell is not
/// hydrated, so only the server needs it.
fn stylesheet_href() -> String {
    #[cfg(feature = "ssr")]
    {
        crate::platform::assets::stylesheet_href()
    }
    #[cfg(not(feature = "ssr"))]
    {
        String::new()
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let viewer = ViewerContext::provide();
    let is_admin = viewer.role() == Some(Role::Admin);

    view! {
        <Meta name="description" content="Trainyard runs the release train: calendar, supported releases, patch requests, builds." />
        <Title text="Trainyard" />
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <header class="site-header">
                <a class="brand" href="/">"Trainyard"</a>
                <nav aria-label="Main">
                    <A href="/" exact=true>"What is next"</A>
                    <A href="/calendar">"Calendar"</A>
                    <A href="/releases">"Releases"</A>
                    <A href="/patch-requests">"Patch requests"</A>
                    <A href="/train">"Train"</A>
                    {is_admin.then(|| view! { <A href="/admin">"Admin"</A> })}
                </nav>
                <SessionBox />
            </header>
            <main id="main">
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=HomePage ssr=SsrMode::Async />
                    <Route path=path!("/calendar") view=CalendarPage ssr=SsrMode::Async />
                    <Route path=path!("/releases") view=ReleasesPage ssr=SsrMode::Async />
                    <Route path=path!("/releases/:version") view=ReleasePage ssr=SsrMode::Async />
                    <Route path=path!("/patch-requests") view=PatchRequestsPage ssr=SsrMode::Async />
                    <Route path=path!("/patch-requests/new") view=NewPatchRequestPage ssr=SsrMode::Async />
                    <Route path=path!("/patch-requests/:id") view=PatchRequestPage ssr=SsrMode::Async />
                    <Route path=path!("/patch-requests/:id/edit") view=EditPatchRequestPage ssr=SsrMode::Async />
                    <Route path=path!("/train") view=TrainPage ssr=SsrMode::Async />
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                    <Route path=path!("/admin") view=AdminPage ssr=SsrMode::Async />
                    <Route path=path!("/notifications") view=NotificationsPage ssr=SsrMode::Async />
                </Routes>
            </main>
            <footer class="site-footer">
                <p>"Trainyard · every date in UTC"</p>
            </footer>
        </Router>
    }
}
