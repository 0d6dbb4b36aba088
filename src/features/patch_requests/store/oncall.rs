//! SQL for the on-call rotation.

use chrono::NaiveDate;
use sqlx::{SqliteConnection, SqliteExecutor};

use crate::error::AppError;

/// The on-call user of the week starting `monday`.
pub async fn find_oncall(db: impl SqliteExecutor<'_>, monday: NaiveDate) -> Result<Option<(i64, String)>, AppError> {
    Ok(sqlx::query_as("SELECT u.id, u.name FROM oncall o JOIN user u ON u.id = o.user_id WHERE o.week_start = ?")
        .bind(monday)
        .fetch_optional(db)
        .await?)
}

/// The rotation from `monday` on.
pub async fn list_oncall(db: impl SqliteExecutor<'_>, monday: NaiveDate) -> Result<Vec<(NaiveDate, String)>, AppError> {
    Ok(sqlx::query_as("SELECT o.week_start, u.name FROM oncall o JOIN user u ON u.id = o.user_id WHERE o.week_start >= ? ORDER BY o.week_start LIMIT 12")
        .bind(monday)
        .fetch_all(db)
        .await?)
}

/// Assigns a week to a user (replacing whoever had it).
pub async fn upsert_oncall(conn: &mut SqliteConnection, monday: NaiveDate, user: i64) -> Result<(), AppError> {
    sqlx::query("INSERT INTO oncall (week_start, user_id) VALUES (?, ?) ON CONFLICT (week_start) DO UPDATE SET user_id = excluded.user_id")
        .bind(monday)
        .bind(user)
        .execute(conn)
        .await?;
    Ok(())
}

/// Who owns a request's triage, if anyone does.
pub async fn find_triage_owner(db: impl SqliteExecutor<'_>, request: i64) -> Result<Option<i64>, AppError> {
    Ok(sqlx::query_scalar("SELECT triage_owner_id FROM patch_request WHERE id = ?")
        .bind(request)
        .fetch_optional(db)
        .await?
        .flatten())
}

/// How many open requests someone other than `owner` triages.
pub async fn count_owned_by_others(db: impl SqliteExecutor<'_>, owner: i64) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM patch_request WHERE status = 'open' AND triage_owner_id IS NOT ?")
        .bind(owner)
        .fetch_one(db)
        .await?)
}

/// Gives every open request to `owner`; returns how many moved.
pub async fn hand_over_open(conn: &mut SqliteConnection, owner: i64) -> Result<u64, AppError> {
    Ok(sqlx::query("UPDATE patch_request SET triage_owner_id = ? WHERE status = 'open' AND triage_owner_id IS NOT ?")
        .bind(owner)
        .bind(owner)
        .execute(conn)
        .await?
        .rows_affected())
}
