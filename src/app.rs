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
    features::{
        admin::page::AdminPage,
        calendar::page::CalendarPage,
        dashboard::page::HomePage,
        auth::{
            Role,
            page::{LoginPage, SessionBox, ViewerContext},
        },
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
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
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
                    <Route path=path!("/") view=HomePage ssr=SsrMode::Async />
                    <Route path=path!("/calendar") view=CalendarPage ssr=SsrMode::Async />
                    <Route path=path!("/releases") view=ReleasesPage ssr=SsrMode::Async />
                    <Route path=path!("/releases/:version") view=ReleasePage ssr=SsrMode::Async />
                    <Route path=path!("/patch-requests") view=PatchRequestsPage ssr=SsrMode::Async />
                    <Route path=path!("/patch-requests/new") view=NewPatchRequestPage ssr=SsrMode::Async />
                    <Route path=path!("/patch-requests/:id") view=PatchRequestPage ssr=SsrMode::Async />
                    <Route path=path!("/train") view=TrainPage ssr=SsrMode::Async />
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                    <Route path=path!("/admin") view=AdminPage ssr=SsrMode::Async />
                </Routes>
            </main>
            <footer class="site-footer">
                <p>"Trainyard · every date in UTC"</p>
            </footer>
        </Router>
    }
}
