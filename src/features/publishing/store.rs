//! SQL for the publication outbox.

use chrono::{DateTime, Utc};
use sqlx::{SqliteConnection, SqliteExecutor};

use super::{Attempt, Payload, Publication, PublicationState};
use crate::error::AppError;

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    release_id: i64,
    tag: String,
    target_sha: String,
    name: String,
    body: String,
    prerelease: bool,
    make_latest: bool,
    state: String,
    step: String,
    attempts: i64,
    next_attempt_at: DateTime<Utc>,
    last_error: Option<String>,
    html_url: Option<String>,
}

/// A stored publication with what it sends.
#[derive(Debug, Clone)]
pub struct Stored {
    pub release_id: i64,
    pub payload: Payload,
    pub publication: Publication,
}

const COLUMNS: &str = "id, release_id, tag, target_sha, name, body, prerelease, make_latest, state, step, attempts, \
     next_attempt_at, last_error, html_url";

fn stored(row: Row, history: Vec<Attempt>) -> Result<Stored, AppError> {
    let state = PublicationState::parse(&row.state).ok_or_else(|| {
        tracing::error!(state = row.state, "stored publication state does not parse");
        AppError::Internal
    })?;
    Ok(Stored {
        release_id: row.release_id,
        payload: Payload {
            repository: None,
            tag: row.tag,
            target_sha: row.target_sha,
            name: row.name,
            body: row.body,
            prerelease: row.prerelease,
            make_latest: row.make_latest,
        },
        publication: Publication {
            id: row.id,
            state,
            step: row.step,
            attempts: row.attempts,
            next_attempt_at: row.next_attempt_at,
            last_error: row.last_error,
            html_url: row.html_url,
            history,
        },
    })
}

async fn history(db: impl SqliteExecutor<'_>, id: i64) -> Result<Vec<Attempt>, AppError> {
    let rows: Vec<(DateTime<Utc>, String, String, String)> = sqlx::query_as(
        "SELECT at, step, outcome, message FROM publication_attempt WHERE publication_id = ? ORDER BY id DESC LIMIT 20",
    )
    .bind(id)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|(at, step, outcome, message)| Attempt { at, step, outcome, message }).collect())
}

pub async fn find_for_release(conn: &mut SqliteConnection, release_id: i64) -> Result<Option<Stored>, AppError> {
    let row = sqlx::query_as(&format!("SELECT {COLUMNS} FROM publication WHERE release_id = ?"))
        .bind(release_id)
        .fetch_optional(&mut *conn)
        .await?;
    with_history(conn, row).await
}

pub async fn find(conn: &mut SqliteConnection, id: i64) -> Result<Option<Stored>, AppError> {
    let row = sqlx::query_as(&format!("SELECT {COLUMNS} FROM publication WHERE id = ?"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    with_history(conn, row).await
}

/// A publication found, with its attempts.
async fn with_history(conn: &mut SqliteConnection, row: Option<Row>) -> Result<Option<Stored>, AppError> {
    let Some(row) = row else { return Ok(None) };
    let attempts = history(&mut *conn, row.id).await?;
    Ok(Some(stored(row, attempts)?))
}

/// Publications whose next attempt is due, oldest first.
pub async fn list_due(db: impl SqliteExecutor<'_>, now: DateTime<Utc>) -> Result<Vec<i64>, AppError> {
    Ok(sqlx::query_scalar("SELECT id FROM publication WHERE state IN ('pending', 'retrying') AND next_attempt_at <= ? ORDER BY next_attempt_at, id")
        .bind(now)
        .fetch_all(db)
        .await?)
}

/// Records the intent; returns its id, or the existing one (one publication per release).
pub async fn insert_intent(
    conn: &mut SqliteConnection,
    release_id: i64,
    payload: &Payload,
    requested_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(i64, bool), AppError> {
    if let Some(id) = sqlx::query_scalar::<_, i64>("SELECT id FROM publication WHERE release_id = ?")
        .bind(release_id)
        .fetch_optional(&mut *conn)
        .await?
    {
        return Ok((id, false));
    }
    let id = sqlx::query_scalar(
        "INSERT INTO publication (release_id, tag, target_sha, name, body, prerelease, make_latest, state, step, \
         next_attempt_at, requested_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 'tag', ?, ?, ?, ?) RETURNING id",
    )
    .bind(release_id)
    .bind(&payload.tag)
    .bind(&payload.target_sha)
    .bind(&payload.name)
    .bind(&payload.body)
    .bind(payload.prerelease)
    .bind(payload.make_latest)
    .bind(now)
    .bind(requested_by)
    .bind(now)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok((id, true))
}

/// Moves to the next step after a success.
pub async fn update_step(conn: &mut SqliteConnection, id: i64, step: &str, now: DateTime<Utc>) -> Result<(), AppError> {
    sqlx::query("UPDATE publication SET step = ?, state = 'pending', last_error = NULL, next_attempt_at = ?, updated_at = ? WHERE id = ?")
        .bind(step)
        .bind(now)
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn update_published(
    conn: &mut SqliteConnection,
    id: i64,
    release_id: i64,
    html_url: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    sqlx::query("UPDATE publication SET step = 'done', state = 'published', last_error = NULL, github_release_id = ?, html_url = ?, updated_at = ? WHERE id = ?")
        .bind(release_id)
        .bind(html_url)
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn update_failure(
    conn: &mut SqliteConnection,
    id: i64,
    state: PublicationState,
    error: &str,
    next_attempt_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    sqlx::query("UPDATE publication SET state = ?, last_error = ?, attempts = attempts + 1, next_attempt_at = ?, updated_at = ? WHERE id = ?")
        .bind(state.as_str())
        .bind(error)
        .bind(next_attempt_at)
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A manager's retry: due now, from the step it stopped at.
pub async fn update_retry_now(conn: &mut SqliteConnection, id: i64, now: DateTime<Utc>) -> Result<bool, AppError> {
    Ok(sqlx::query("UPDATE publication SET state = 'pending', next_attempt_at = ?, updated_at = ? WHERE id = ? AND state IN ('failed', 'retrying')")
        .bind(now)
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?
        .rows_affected()
        == 1)
}

pub async fn insert_attempt(
    conn: &mut SqliteConnection,
    id: i64,
    step: &str,
    outcome: &str,
    message: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    sqlx::query("INSERT INTO publication_attempt (publication_id, at, step, outcome, message) VALUES (?, ?, ?, ?, ?)")
        .bind(id)
        .bind(now)
        .bind(step)
        .bind(outcome)
        .bind(message)
        .execute(conn)
        .await?;
    Ok(())
}

/// How many publications are in each state, for the outbox gauges.
pub async fn count_by_state(db: impl SqliteExecutor<'_>) -> Result<Vec<(String, i64)>, AppError> {
    Ok(sqlx::query_as("SELECT state, COUNT(*) FROM publication GROUP BY state ORDER BY state").fetch_all(db).await?)
}
