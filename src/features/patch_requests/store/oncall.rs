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
