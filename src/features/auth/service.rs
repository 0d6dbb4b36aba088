//! Signing in and out, creating users and tokens: the rules around the store.

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use http::{HeaderValue, header};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use super::{
    Permission, Principal, Role, TokenScope, Viewer,
    secrets::{check_new_password, digest, hash_password, new_secret, verify_password},
    store,
};
use crate::{
    error::AppError,
    features::audit::store::{Change, record},
    server::{auth as session, state::AppState},
};

/// Longest user or token name.
pub const MAX_NAME: usize = 64;

fn request_parts() -> Option<http::request::Parts> {
    use_context::<http::request::Parts>()
}

fn client_address() -> String {
    request_parts()
        .and_then(|p| p.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string()))
        .unwrap_or_else(|| "unknown".into())
}

fn set_cookie(value: HeaderValue) {
    if let Some(options) = use_context::<ResponseOptions>() {
        options.append_header(header::SET_COOKIE, value);
    }
}

fn https() -> bool {
    request_parts().is_some_and(|p| session::is_https(&p.headers))
}

/// Only same-site paths: `//evil.example` and `https://…` would be an open redirect.
pub fn safe_next(next: Option<&str>) -> String {
    match next.map(str::trim) {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

/// Checks the name and password, starts a new session (a fresh id, ASVS 7.2.4) and ends any
/// session the browser had.
pub async fn sign_in(state: &AppState, name: &str, password: String) -> Result<Viewer, AppError> {
    let now = state.clock.now();
    let address = client_address();
    if let Some(retry_after) = state.login_throttle.retry_after(name, &address, now) {
        return Err(AppError::TooManyRequests { retry_after });
    }
    let credentials = store::find_credentials(state.db.reader(), name).await?;
    let hash = credentials.as_ref().map(|c| c.password_hash.clone());
    if !verify_password(password, hash).await {
        state.login_throttle.record_failure(name, &address, now);
        tracing::info!(address, "failed sign-in");
        return Err(AppError::BadCredentials);
    }
    let viewer = credentials.expect("verified credentials exist").viewer;
    state.login_throttle.record_success(name);

    let secret = new_secret("");
    let mut tx = state.db.begin_quiet_write().await?;
    if let Some(old) = request_parts().and_then(|p| session::session_secret(&p.headers)) {
        store::delete_session(&mut tx, &digest(&old)).await?;
    }
    store::insert_session(&mut tx, &digest(&secret), viewer.id, now).await?;
    tx.commit().await?;
    set_cookie(session::session_cookie(&secret, https()));
    Ok(viewer)
}

/// Ends the session on the server and in the browser.
pub async fn sign_out(state: &AppState) -> Result<(), AppError> {
    if let Some(secret) = request_parts().and_then(|p| session::session_secret(&p.headers)) {
        let mut tx = state.db.begin_quiet_write().await?;
        store::delete_session(&mut tx, &digest(&secret)).await?;
        tx.commit().await?;
    }
    set_cookie(session::clearing_cookie(https()));
    Ok(())
}

fn check_name(name: &str) -> Result<String, AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::invalid("name", "a name is required"));
    }
    if name.chars().count() > MAX_NAME {
        return Err(AppError::invalid("name", format!("use at most {MAX_NAME} characters")));
    }
    if !name.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.')) {
        return Err(AppError::invalid("name", "use letters, digits, dots, dashes and underscores only"));
    }
    Ok(name.to_owned())
}

/// Creates a user (admins only, or the CLI as `Principal::System`).
pub async fn create_user(
    state: &AppState,
    actor: &Principal,
    name: &str,
    role: Role,
    password: String,
    demo: bool,
) -> Result<i64, AppError> {
    actor.require(Permission::Administer)?;
    let name = check_name(name)?;
    check_new_password(&password)?;
    let hash = hash_password(password).await?;
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    let id = store::insert_user(&mut tx, &name, role, &hash, demo, now).await?;
    let change = Change::new("user.created", "user", id, format!("created {name} as {}", role.label()));
    record(&mut tx, actor, change, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// Creates an API token and returns its secret, the only time it is ever shown.
pub async fn create_token(
    state: &AppState,
    actor: &Principal,
    name: &str,
    scope: TokenScope,
) -> Result<String, AppError> {
    actor.require(Permission::Administer)?;
    let name = check_name(name)?;
    let secret = new_secret("ty_");
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    let id = store::insert_token(&mut tx, &name, scope, &digest(&secret), actor.user_id(), now).await?;
    let change = Change::new("token.created", "api_token", id, format!("created token {name} ({})", scope.as_str()));
    record(&mut tx, actor, change, now).await?;
    tx.commit().await?;
    Ok(secret)
}

pub async fn revoke_token(state: &AppState, actor: &Principal, id: i64) -> Result<(), AppError> {
    actor.require(Permission::Administer)?;
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    if !store::revoke_token(&mut tx, id, now).await? {
        return Err(AppError::not_found(format!("live token {id}")));
    }
    record(&mut tx, actor, Change::new("token.revoked", "api_token", id, format!("revoked token {id}")), now).await?;
    tx.commit().await?;
    Ok(())
}

/// Demo users: one per role, known passwords, only in demo mode.
pub const DEMO_USERS: [(&str, Role, &str); 3] = [
    ("dev", Role::Developer, "trainyard-dev-demo"),
    ("manager", Role::ReleaseManager, "trainyard-manager-demo"),
    ("admin", Role::Admin, "trainyard-admin-demo"),
];

/// Keeps demo users in step with demo mode: created when on, deleted when off.
pub async fn sync_demo_users(state: &AppState) -> Result<(), AppError> {
    let system = Principal::System("demo");
    if !state.settings.demo {
        let mut tx = state.db.begin_write().await?;
        let removed = store::delete_demo_users(&mut tx).await?;
        tx.commit().await?;
        if removed > 0 {
            tracing::info!(removed, "removed demo users: demo mode is off");
        }
        return Ok(());
    }
    for (name, role, password) in DEMO_USERS {
        if store::find_credentials(state.db.reader(), name).await?.is_none() {
            create_user(state, &system, name, role, password.into(), true).await?;
        }
        tracing::info!("demo sign-in: {name} / {password} ({})", role.label());
    }
    Ok(())
}

/// Creates the first admin from `TRAINYARD_ADMIN` when there is none.
pub async fn ensure_initial_admin(state: &AppState) -> Result<(), AppError> {
    let Some((name, password)) = state.settings.initial_admin.clone() else { return Ok(()) };
    if store::count_admins(state.db.reader()).await? > 0 {
        return Ok(());
    }
    create_user(state, &Principal::System("setup"), &name, Role::Admin, password.expose().to_owned(), false).await?;
    tracing::info!(name, "created the first admin from TRAINYARD_ADMIN");
    Ok(())
}
