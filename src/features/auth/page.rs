//! `/login` and the signed-in box in the header.

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_query_map};

use super::api::{SignIn, SignOut};
use crate::components::form::{Control, Field};
use crate::domain::access::{Role, Viewer};

/// The signed-in viewer, for the header and the pages that show role-specific parts. Pages
/// render on the server only (islands), so this is read from the request and never travels to
/// the browser.
#[derive(Clone)]
pub struct ViewerContext {
    pub viewer: Option<Viewer>,
}

impl ViewerContext {
    /// Provided once by `App`.
    pub fn provide() -> Self {
        let context = Self { viewer: request_viewer() };
        provide_context(context.clone());
        context
    }

    pub fn role(&self) -> Option<Role> {
        self.viewer.as_ref().map(|v| v.role)
    }

    /// Whether the viewer may correct the calendar, triage and promote.
    pub fn is_manager(&self) -> bool {
        matches!(self.role(), Some(Role::ReleaseManager | Role::Admin))
    }
}

/// Who made the request being rendered (on the server); nobody on the client.
fn request_viewer() -> Option<Viewer> {
    #[cfg(feature = "ssr")]
    {
        crate::platform::context::caller().viewer().cloned()
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}

pub fn use_viewer() -> ViewerContext {
    expect_context::<ViewerContext>()
}

/// What an error code in the login URL means (set when a plain form post failed).
fn message_for(code: &str) -> &'static str {
    match code {
        "bad_credentials" => "That name and password do not match an account.",
        "too_many_requests" => "Too many failed attempts: wait a little, then try again.",
        "busy" => "Many people are signing in right now: try again in a moment.",
        _ => "Signing in did not work; try again.",
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let from_url = move |key: &str| query.read_untracked().get(key).unwrap_or_default();
    let code = from_url("error");
    view! {
        <Title text="Sign in · Trainyard" />
        <h1>"Sign in"</h1>
        <p class="lede">"Developers sign in to request patch releases; release managers to triage, promote and publish."</p>
        <LoginForm name=from_url("name") next=from_url("next") error=(!code.is_empty()).then(|| message_for(&code).to_owned()) />
    }
}

/// The sign-in form; `error` is what a failed plain form post left in the URL. Signing in
/// leads to `next` (the server's redirect).
#[island]
fn LoginForm(name: String, next: String, error: Option<String>) -> impl IntoView {
    let sign_in = ServerAction::<SignIn>::new();
    let error = move || sign_in.value().get().and_then(Result::err).map(|e| e.to_string()).or_else(|| error.clone());
    view! {
        <ActionForm action=sign_in attr:class="stack" attr:aria-describedby="login-error">
            <div id="login-error" aria-live="polite">
                {move || error().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            </div>
            <Field name="name" id="login-name" label="Name" value=name autocomplete="username" required=true />
            <Field name="password" id="login-password" label="Password" control=Control::Password
                autocomplete="current-password" required=true />
            <input type="hidden" name="next" value=next />
            <p>
                <button type="submit" disabled=move || sign_in.pending().get()>"Sign in"</button>
            </p>
        </ActionForm>
    }
}

/// "Signed in as bob (release manager) · Sign out", or a sign-in link.
#[component]
pub fn SessionBox() -> impl IntoView {
    let viewer = use_viewer().viewer;
    let path = use_location().pathname.get_untracked();
    let login_href = if path == "/login" { "/login".to_owned() } else { format!("/login?next={path}") };
    view! {
        <div class="session">
            {match viewer {
                Some(v) => view! {
                    <span>"Signed in as " <strong>{v.name.clone()}</strong> " (" {v.role.label()} ")"</span>
                    <a href="/notifications">"Notifications"</a>
                    <form method="post" action=SignOut::url()>
                        <button class="link" type="submit">"Sign out"</button>
                    </form>
                }
                .into_any(),
                None => view! { <a href=login_href>"Sign in"</a> }.into_any(),
            }}
        </div>
    }
}
