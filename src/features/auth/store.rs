//! SQL for users, sessions and API tokens.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{SqliteConnection, SqliteExecutor};

use crate::domain::access::{ApiToken, Role, Session, TokenScope, Viewer};
use crate::error::AppError;

fn role_of(s: &str) -> Result<Role, AppError> {
    Role::parse(s).ok_or_else(|| {
        tracing::error!(role = s, "stored role does not parse");
        AppError::Internal
    })
}

/// A user with the hash needed to sign in.
pub struct Credentials {
    pub viewer: Viewer,
    pub password_hash: String,
}

pub async fn find_credentials(db: impl SqliteExecutor<'_>, name: &str) -> Result<Option<Credentials>, AppError> {
    let row: Option<(i64, String, String, String)> =
        sqlx::query_as("SELECT id, name, role, password_hash FROM user WHERE name = ?")
            .bind(name.trim())
            .fetch_optional(db)
            .await?;
    row.map(|(id, name, role, password_hash)| {
        Ok(Credentials { viewer: Viewer { id, name, role: role_of(&role)? }, password_hash })
    })
    .transpose()
}

/// A user as the admin page lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub demo: bool,
    pub created_at: DateTime<Utc>,
}

pub async fn list_users(db: impl SqliteExecutor<'_>) -> Result<Vec<UserSummary>, AppError> {
    let rows: Vec<(i64, String, String, bool, DateTime<Utc>)> =
        sqlx::query_as("SELECT id, name, role, demo, created_at FROM user ORDER BY name").fetch_all(db).await?;
    rows.into_iter()
        .map(|(id, name, role, demo, created_at)| Ok(UserSummary { id, name, role: role_of(&role)?, demo, created_at }))
        .collect()
}

/// Inserts a user; a taken name (any case) is a conflict on the `name` field.
pub async fn insert_user(
    conn: &mut SqliteConnection,
    name: &str,
    role: Role,
    password_hash: &str,
    demo: bool,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let result = sqlx::query_scalar(
        "INSERT INTO user (name, role, password_hash, demo, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(name)
    .bind(role.as_str())
    .bind(password_hash)
    .bind(demo)
    .bind(now)
    .fetch_one(conn)
    .await;
    match result {
        Ok(id) => Ok(id),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            Err(AppError::invalid("name", format!("the name “{name}” is taken")))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn count_admins(db: impl SqliteExecutor<'_>) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM user WHERE role = 'admin' AND demo = 0").fetch_one(db).await?)
}

/// Removes the demo users (they never exist outside demo mode) with the demo requests they
/// filed; their decisions and audit events stay, without a user.
pub async fn delete_demo_users(conn: &mut SqliteConnection) -> Result<u64, AppError> {
    sqlx::query("DELETE FROM patch_request WHERE requester_id IN (SELECT id FROM user WHERE demo = 1)")
        .execute(&mut *conn)
        .await?;
    Ok(sqlx::query("DELETE FROM user WHERE demo = 1").execute(conn).await?.rows_affected())
}

/// A session looked up by the hash of its cookie.
pub async fn find_session(db: impl SqliteExecutor<'_>, id_hash: &str) -> Result<Option<Session>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        name: String,
        role: String,
        created_at: DateTime<Utc>,
        last_seen_at: DateTime<Utc>,
    }
    let row: Option<Row> = sqlx::query_as(
        "SELECT u.id, u.name, u.role, s.created_at, s.last_seen_at \
         FROM session s JOIN user u ON u.id = s.user_id WHERE s.id_hash = ?",
    )
    .bind(id_hash)
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        let viewer = Viewer { id: r.id, name: r.name, role: role_of(&r.role)? };
        Ok(Session { viewer, created_at: r.created_at, last_seen_at: r.last_seen_at })
    })
    .transpose()
}

pub async fn insert_session(
    conn: &mut SqliteConnection,
    id_hash: &str,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    sqlx::query("INSERT INTO session (id_hash, user_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)")
        .bind(id_hash)
        .bind(user_id)
        .bind(now)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete_session(conn: &mut SqliteConnection, id_hash: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM session WHERE id_hash = ?").bind(id_hash).execute(conn).await?;
    Ok(())
}

pub async fn touch_session(conn: &mut SqliteConnection, id_hash: &str, now: DateTime<Utc>) -> Result<(), AppError> {
    sqlx::query("UPDATE session SET last_seen_at = ? WHERE id_hash = ?").bind(now).bind(id_hash).execute(conn).await?;
    Ok(())
}

/// Deletes sessions idle since `idle_before` or created before `created_before`.
pub async fn delete_expired_sessions(
    conn: &mut SqliteConnection,
    idle_before: DateTime<Utc>,
    created_before: DateTime<Utc>,
) -> Result<u64, AppError> {
    Ok(sqlx::query("DELETE FROM session WHERE last_seen_at < ? OR created_at < ?")
        .bind(idle_before)
        .bind(created_before)
        .execute(conn)
        .await?
        .rows_affected())
}

/// An API token as the admin page lists it (never the secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSummary {
    pub id: i64,
    pub name: String,
    pub scope: TokenScope,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

type TokenRow = (i64, String, String, DateTime<Utc>, Option<DateTime<Utc>>, Option<DateTime<Utc>>);

fn token_of((id, name, role, created_at, last_used_at, revoked_at): TokenRow) -> Result<TokenSummary, AppError> {
    let scope = TokenScope::parse(&role).ok_or_else(|| {
        tracing::error!(role, "stored token scope does not parse");
        AppError::Internal
    })?;
    Ok(TokenSummary { id, name, scope, created_at, last_used_at, revoked_at })
}

pub async fn list_tokens(db: impl SqliteExecutor<'_>) -> Result<Vec<TokenSummary>, AppError> {
    let rows: Vec<TokenRow> =
        sqlx::query_as("SELECT id, name, role, created_at, last_used_at, revoked_at FROM api_token ORDER BY id DESC")
            .fetch_all(db)
            .await?;
    rows.into_iter().map(token_of).collect()
}

/// A live (not revoked) token by the hash of its secret, as a request meets it.
pub async fn find_live_token(db: impl SqliteExecutor<'_>, token_hash: &str) -> Result<Option<ApiToken>, AppError> {
    let row: Option<TokenRow> = sqlx::query_as(
        "SELECT id, name, role, created_at, last_used_at, revoked_at FROM api_token \
         WHERE token_hash = ? AND revoked_at IS NULL",
    )
    .bind(token_hash)
    .fetch_optional(db)
    .await?;
    let token = row.map(token_of).transpose()?;
    Ok(token.map(|t| ApiToken { id: t.id, name: t.name, scope: t.scope, last_used_at: t.last_used_at }))
}

pub async fn insert_token(
    conn: &mut SqliteConnection,
    name: &str,
    scope: TokenScope,
    token_hash: &str,
    created_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO api_token (name, role, token_hash, created_by, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(name)
    .bind(scope.as_str())
    .bind(token_hash)
    .bind(created_by)
    .bind(now)
    .fetch_one(conn)
    .await?)
}

/// Revokes a token; false when there was no live token with that id.
pub async fn revoke_token(conn: &mut SqliteConnection, id: i64, now: DateTime<Utc>) -> Result<bool, AppError> {
    Ok(sqlx::query("UPDATE api_token SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?
        .rows_affected()
        == 1)
}

pub async fn touch_token(conn: &mut SqliteConnection, id: i64, now: DateTime<Utc>) -> Result<(), AppError> {
    sqlx::query("UPDATE api_token SET last_used_at = ? WHERE id = ?").bind(now).bind(id).execute(conn).await?;
    Ok(())
}
