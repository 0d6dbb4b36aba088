//! Signing in and out, creating users and tokens: the rules around the store.

use super::store;
use crate::{
    domain::access::{Permission, Principal, Role, TokenScope, Viewer},
    error::AppError,
    features::audit::store::{Change, record},
    platform::{
        context::{client_address, is_plain_form_post, request_is_https, request_parts, set_cookie},
        cookies::{ABSOLUTE_TIMEOUT, IDLE_TIMEOUT, clearing_cookie, session_cookie, session_secret},
        metrics::Metrics,
        secrets::{check_new_password, digest, hash_password, new_secret, verify_password},
        state::AppState,
    },
};

/// Longest user or token name.
pub const MAX_NAME: usize = 64;

/// Only a path on this site: `//evil.example`, `https://…`, `/\\evil.example` and `/<TAB>/evil`
/// (browsers drop tabs and newlines from URLs) would each be an open redirect, and control
/// characters could split the `Location` header. Anything else goes home.
pub fn safe_next(next: Option<&str>) -> String {
    let local = |n: &str| {
        n.len() <= 2048
            && n.starts_with('/')
            && !n.starts_with("//")
            && n.chars().all(|c| !c.is_control() && !c.is_whitespace() && c != '\\')
    };
    match next {
        Some(n) if local(n) => n.to_owned(),
        _ => "/".to_owned(),
    }
}

/// Where the browser goes after a sign-in attempt: `next` on success; back to the form with the
/// name and the reason in its URL when a plain form (no JavaScript) failed, since such a page
/// cannot read the answer's body; nowhere otherwise (the island shows the error).
pub fn after_sign_in(result: &Result<Viewer, AppError>, name: &str, next: &str) -> Option<String> {
    match result {
        Ok(_) => Some(next.to_owned()),
        Err(e) if is_plain_form_post() => {
            let query = form_urlencoded::Serializer::new(String::new())
                .append_pair("name", name)
                .append_pair("error", e.code())
                .append_pair("next", next)
                .finish();
            Some(format!("/login?{query}"))
        }
        Err(_) => None,
    }
}

/// Checks the name and password, starts a new session (a fresh id, ASVS 7.2.4) and ends any
/// session the browser had.
pub async fn sign_in(state: &AppState, name: &str, password: String) -> Result<Viewer, AppError> {
    let result = check_and_start_session(state, name, password).await;
    let outcome = match &result {
        Ok(_) => "ok",
        Err(AppError::BadCredentials) => "bad_credentials",
        Err(AppError::TooManyRequests { .. }) => "throttled",
        Err(AppError::Busy { .. }) => "busy",
        Err(_) => "error",
    };
    Metrics::outcome(&state.metrics.sign_ins, outcome);
    result
}

async fn check_and_start_session(state: &AppState, name: &str, password: String) -> Result<Viewer, AppError> {
    let now = state.clock.now();
    let address = client_address();
    let throttle = &state.login_throttle;
    let attempt =
        throttle.reserve(name, &address, now).map_err(|retry_after| AppError::TooManyRequests { retry_after })?;
    if name.chars().count() > MAX_NAME {
        // No account has such a name; the attempt still counts against the address.
        return Err(AppError::BadCredentials);
    }
    let Some(_turn) = throttle.hashing_turn() else {
        throttle.withdraw(&attempt);
        return Err(AppError::Busy { retry_after: 1 });
    };
    let credentials = store::find_credentials(state.db.reader(), name).await?;
    let hash = credentials.as_ref().map(|c| c.password_hash.clone());
    if !verify_password(password, hash).await {
        tracing::info!(address, "failed sign-in");
        return Err(AppError::BadCredentials);
    }
    let viewer = credentials.expect("verified credentials exist").viewer;
    throttle.succeeded(&attempt);

    let secret = new_secret("");
    let mut tx = state.db.begin_quiet_write().await?;
    if let Some(old) = request_parts().and_then(|p| session_secret(&p.headers, request_is_https())) {
        store::delete_session(&mut tx, &digest(&old)).await?;
    }
    store::insert_session(&mut tx, &digest(&secret), viewer.id, now).await?;
    tx.commit().await?;
    set_cookie(session_cookie(&secret, request_is_https()));
    Ok(viewer)
}

/// Ends the session on the server and in the browser.
pub async fn sign_out(state: &AppState) -> Result<(), AppError> {
    if let Some(secret) = request_parts().and_then(|p| session_secret(&p.headers, request_is_https())) {
        let mut tx = state.db.begin_quiet_write().await?;
        store::delete_session(&mut tx, &digest(&secret)).await?;
        tx.commit().await?;
    }
    set_cookie(clearing_cookie(request_is_https()));
    Ok(())
}

/// Deletes the sessions that can no longer be used: idle too long, or past their absolute end.
pub async fn purge_expired_sessions(state: &AppState) -> Result<u64, AppError> {
    let now = state.clock.now();
    let mut tx = state.db.begin_quiet_write().await?;
    let purged = store::delete_expired_sessions(&mut tx, now - IDLE_TIMEOUT, now - ABSOLUTE_TIMEOUT).await?;
    tx.commit().await?;
    Ok(purged)
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

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn after_sign_in_the_browser_goes_to_a_path_on_this_site_or_home() {
        for local in ["/", "/releases/1.12", "/calendar?month=2026-12&kinds=patch"] {
            assert_eq!(safe_next(Some(local)), local);
        }
        for elsewhere in [
            "//evil.example",
            "https://evil.example/",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\\evil.example",
            "/a\r\nSet-Cookie: x=1",
            " //evil.example",
            "evil.example",
            "",
        ] {
            assert_eq!(safe_next(Some(elsewhere)), "/", "{elsewhere:?}");
        }
        assert_eq!(safe_next(Some(&format!("/{}", "a".repeat(5000)))), "/");
        assert_eq!(safe_next(None), "/");
    }
}
