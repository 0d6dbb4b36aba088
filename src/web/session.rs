//! Who is asking: resolved once per request from a bearer token or the session cookie, and
//! put in the request's extensions for handlers, server functions and the page cache.
//!
//! A session or an API token is read from the database once and then kept until the next write
//! of any kind (a sign-out, a sign-in that ends the old session, a revoked token, another
//! server's): a signed-in read costs a hash and a map lookup, and nothing kept outlives the
//! write that ended it.

use axum::http::{HeaderMap, header};
use chrono::Duration;

use crate::{
    domain::access::Principal,
    error::AppError,
    features::auth::store::{delete_session, find_live_token, find_session, touch_session, touch_token},
    platform::{
        cookies::{ABSOLUTE_TIMEOUT, IDLE_TIMEOUT, session_secret},
        secrets::digest,
        state::AppState,
    },
};

/// Last-seen times are written at most this often.
const TOUCH_EVERY: Duration = Duration::minutes(5);

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// Who is asking.
pub struct Caller {
    pub principal: Principal,
    /// The request's session cookie names no live session: the answer clears it.
    pub stale_cookie: bool,
}

/// Resolves the caller from a bearer token or the session cookie. A bad token is refused; a
/// stale session cookie makes an anonymous caller whose cookie is cleared.
pub async fn caller(state: &AppState, headers: &HeaderMap, https: bool) -> Result<Caller, AppError> {
    if let Some(token) = bearer(headers) {
        let principal = token_principal(state, token).await?.ok_or(AppError::Unauthenticated)?;
        return Ok(Caller { principal, stale_cookie: false });
    }
    let Some(secret) = session_secret(headers, https) else {
        return Ok(Caller { principal: Principal::Anonymous, stale_cookie: false });
    };
    Ok(match session_principal(state, &secret).await? {
        Some(principal) => Caller { principal, stale_cookie: false },
        None => Caller { principal: Principal::Anonymous, stale_cookie: true },
    })
}

async fn token_principal(state: &AppState, token: &str) -> Result<Option<Principal>, AppError> {
    let token_hash = digest(token);
    let found = find_live_token(state.db.reader(), &token_hash);
    let Some(token) = state.tokens.get_or_read(&token_hash, state.db.writes(), found).await? else {
        return Ok(None);
    };
    let now = state.clock.now();
    if token.last_used_at.is_none_or(|t| now - t > TOUCH_EVERY) {
        let mut tx = state.db.begin_quiet_write().await?;
        touch_token(&mut tx, token.id, now).await?;
        tx.commit().await?;
    }
    Ok(Some(Principal::Token { id: token.id, name: token.name, scope: token.scope }))
}

async fn session_principal(state: &AppState, secret: &str) -> Result<Option<Principal>, AppError> {
    let id_hash = digest(secret);
    let found = find_session(state.db.reader(), &id_hash);
    let Some(session) = state.sessions.get_or_read(&id_hash, state.db.writes(), found).await? else {
        return Ok(None);
    };
    let now = state.clock.now();
    // Bookkeeping only: the answer stands, and does not wait long, when the database is too
    // busy to record it (the worker purges expired sessions, and a missed touch is made on a
    // later request).
    if now - session.last_seen_at > IDLE_TIMEOUT || now - session.created_at > ABSOLUTE_TIMEOUT {
        bookkeeping("delete an expired session", forget(state, &id_hash)).await;
        return Ok(None);
    }
    if now - session.last_seen_at > TOUCH_EVERY {
        bookkeeping("record a session's last use", touch(state, &id_hash, now)).await;
    }
    Ok(Some(Principal::User(session.viewer)))
}

/// How long a request waits for its session bookkeeping before answering without it: another
/// process holding the write lock must not hold up a read for the database's busy timeout.
const BOOKKEEPING_WAIT: std::time::Duration = std::time::Duration::from_millis(250);

async fn bookkeeping(what: &str, work: impl std::future::Future<Output = Result<(), AppError>>) {
    match tokio::time::timeout(BOOKKEEPING_WAIT, work).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::warn!(error = %e, "could not {what} now; it is done later"),
        Err(_) => tracing::warn!("the database was busy: could not {what} now; it is done later"),
    }
}

async fn forget(state: &AppState, id_hash: &str) -> Result<(), AppError> {
    let mut tx = state.db.begin_quiet_write().await?;
    delete_session(&mut tx, id_hash).await?;
    tx.commit().await
}

async fn touch(state: &AppState, id_hash: &str, now: chrono::DateTime<chrono::Utc>) -> Result<(), AppError> {
    let mut tx = state.db.begin_quiet_write().await?;
    touch_session(&mut tx, id_hash, now).await?;
    tx.commit().await
}
