//! `/login` and the signed-in box in the header.

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_query_map};

use super::{
    Role, Viewer,
    api::{SignIn, SignOut},
};

/// The signed-in viewer, shared by the header and pages that show role-specific actions.
///
/// Known synchronously: the server reads it from the request and hands it to the browser with
/// the page (a `SharedValue`), so no page waits on it. Sharing one resource between several
/// `<Suspense>` boundaries can stall server rendering under load (leptos#4851), which this avoids.
#[derive(Clone, Copy)]
pub struct ViewerContext {
    pub viewer: RwSignal<Option<Viewer>>,
    pub sign_in: ServerAction<SignIn>,
}

impl ViewerContext {
    /// Provided once by `App`; updated when a sign-in completes in the browser.
    pub fn provide() -> Self {
        let initial = SharedValue::new(request_viewer).into_inner();
        let viewer = RwSignal::new(initial);
        let sign_in = ServerAction::<SignIn>::new();
        Effect::new(move |_| {
            if let Some(Ok(v)) = sign_in.value().get() {
                viewer.set(Some(v));
            }
        });
        let context = Self { viewer, sign_in };
        provide_context(context);
        context
    }

    pub fn role(&self) -> Option<Role> {
        self.viewer.with(|v| v.as_ref().map(|v| v.role))
    }
}

/// Who made the request being rendered (on the server); nobody on the client.
fn request_viewer() -> Option<Viewer> {
    #[cfg(feature = "ssr")]
    {
        crate::server::auth::principal().viewer().cloned()
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
        "too_many_requests" => "Too many failed attempts: wait a few minutes, then try again.",
        _ => "Signing in did not work; try again.",
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let ViewerContext { sign_in, .. } = use_viewer();
    let query = use_query_map();
    let from_url = move |key: &str| query.read().get(key).unwrap_or_default();
    let error = move || {
        let from_action = sign_in.value().get().and_then(Result::err).map(|e| e.to_string());
        from_action.or_else(|| {
            let code = from_url("error");
            (!code.is_empty()).then(|| message_for(&code).to_owned())
        })
    };
    view! {
        <Title text="Sign in · Trainyard" />
        <h1>"Sign in"</h1>
        <p class="lede">"Developers sign in to request patch releases; release managers to triage, promote and publish."</p>
        <ActionForm action=sign_in attr:class="stack" attr:aria-describedby="login-error">
            <div id="login-error" aria-live="polite">
                {move || error().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            </div>
            <div class="field">
                <label for="login-name">"Name"</label>
                <input id="login-name" type="text" name="name" autocomplete="username" required value=move || from_url("name") />
            </div>
            <div class="field">
                <label for="login-password">"Password"</label>
                <input id="login-password" type="password" name="password" autocomplete="current-password" required />
            </div>
            <input type="hidden" name="next" value=move || from_url("next") />
            <p>
                <button type="submit" disabled=move || sign_in.pending().get()>"Sign in"</button>
            </p>
        </ActionForm>
    }
}

/// "Signed in as bob (release manager) · Sign out", or a sign-in link.
#[component]
pub fn SessionBox() -> impl IntoView {
    let ViewerContext { viewer, .. } = use_viewer();
    let location = use_location();
    let login_href = move || {
        let path = location.pathname.get();
        if path == "/login" { "/login".to_owned() } else { format!("/login?next={path}") }
    };
    view! {
        <div class="session">
            {move || match viewer.get() {
                Some(v) => view! {
                    <span>"Signed in as " <strong>{v.name.clone()}</strong> " (" {v.role.label()} ")"</span>
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
