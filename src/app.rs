//! The shell, the navigation and the route table; no logic.

use leptos::prelude::*;
use leptos_meta::{Meta, MetaTags, Title, provide_meta_context};
use leptos_router::{
    Lazy, LazyRoute, SsrMode,
    components::{A, Route, Router, Routes},
    lazy_route, path,
};

use crate::{
    components::NotFoundPage,
    features::{
        admin::page::AdminPage,
        auth::{
            Role,
            page::{LoginPage, SessionBox, ViewerContext},
        },
        calendar::page::CalendarPage,
        dashboard::page::HomePage,
        matrix::page::ReleasesPage,
        patch_requests::page::{NewPatchRequestPage, PatchRequestPage, PatchRequestsPage},
        releases::page::ReleasePage,
        train::page::TrainPage,
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

/// Leptos' hydration bootstrap (`HydrationScripts`), but started after the first paint and
/// without preload hints for the bundle or the lazy routes' chunks. The server-rendered page is
/// complete and works without WebAssembly (links and forms are real), so the 260 KB bundle must
/// not compete with it for a phone's bandwidth: preloaded, Lighthouse's simulated slow 4G
/// counted its download into the largest contentful paint. The split-out chunks of a lazy route
/// are fetched by the bundle's own loader while it hydrates.
#[component]
fn HydrateAfterPaint() -> impl IntoView {
    let (js, wasm) = bundle_urls();
    // A `requestAnimationFrame` callback runs just before a frame is painted, a task queued
    // from it just after.
    let script = format!(
        "const hydrate = () => import({js:?}).then(m => m.default({{ module_or_path: {wasm:?} }}).then(() => m.hydrate()));\
         requestAnimationFrame(() => setTimeout(hydrate, 0));"
    );
    view! { <script type="module">{script}</script> }
}

fn bundle_urls() -> (String, String) {
    #[cfg(feature = "ssr")]
    {
        crate::server::assets::bundle_urls()
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
        crate::server::assets::stylesheet_href()
    }
    #[cfg(not(feature = "ssr"))]
    {
        String::new()
    }
}

/// A route whose code is split out of the first WebAssembly bundle and loaded when first
/// visited (`cargo leptos build --split`): a first visit to `/releases` downloads only what
/// that page needs (issue 9's first-load budget). The server renders them like any route.
macro_rules! lazy_page {
    ($route:ident, $page:path) => {
        #[derive(Clone)]
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(this: Self) -> AnyView {
                let _ = this;
                $page().into_any()
            }
        }
    };
}

lazy_page!(HomeRoute, HomePage);
lazy_page!(CalendarRoute, CalendarPage);
lazy_page!(ReleaseRoute, ReleasePage);
lazy_page!(PatchRequestsRoute, PatchRequestsPage);
lazy_page!(NewPatchRequestRoute, NewPatchRequestPage);
lazy_page!(PatchRequestRoute, PatchRequestPage);
lazy_page!(TrainRoute, TrainPage);
lazy_page!(LoginRoute, LoginPage);
lazy_page!(AdminRoute, AdminPage);

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let viewer = ViewerContext::provide();

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
                    {move || (viewer.role() == Some(Role::Admin)).then(|| view! { <A href="/admin">"Admin"</A> })}
                </nav>
                <SessionBox />
            </header>
            <main id="main">
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view={Lazy::<HomeRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/calendar") view={Lazy::<CalendarRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/releases") view=ReleasesPage ssr=SsrMode::Async />
                    <Route path=path!("/releases/:version") view={Lazy::<ReleaseRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/patch-requests") view={Lazy::<PatchRequestsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/patch-requests/new") view={Lazy::<NewPatchRequestRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/patch-requests/:id") view={Lazy::<PatchRequestRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/train") view={Lazy::<TrainRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/login") view={Lazy::<LoginRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin") view={Lazy::<AdminRoute>::new()} ssr=SsrMode::Async />
                </Routes>
            </main>
            <footer class="site-footer">
                <p>"Trainyard · every date in UTC"</p>
            </footer>
        </Router>
    }
}
