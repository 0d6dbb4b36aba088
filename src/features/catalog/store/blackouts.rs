//! SQL for `blackout` days.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{SqliteConnection, SqliteExecutor};

use crate::{domain::schedule::Blackout, error::AppError};

pub async fn list_blackouts(db: impl SqliteExecutor<'_>) -> Result<Vec<Blackout>, AppError> {
    let rows: Vec<(NaiveDate, String)> =
        sqlx::query_as("SELECT date, reason FROM blackout ORDER BY date").fetch_all(db).await?;
    Ok(rows.into_iter().map(|(date, reason)| Blackout { date, reason }).collect())
}

/// Adds a blackout day; false when that day already was one.
pub async fn insert_blackout(
    conn: &mut SqliteConnection,
    blackout: &Blackout,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    Ok(sqlx::query("INSERT INTO blackout (date, reason, created_at) VALUES (?, ?, ?) ON CONFLICT (date) DO NOTHING")
        .bind(blackout.date)
        .bind(&blackout.reason)
        .bind(now)
        .execute(conn)
        .await?
        .rows_affected()
        == 1)
}

pub async fn delete_blackout(conn: &mut SqliteConnection, date: NaiveDate) -> Result<bool, AppError> {
    Ok(sqlx::query("DELETE FROM blackout WHERE date = ?").bind(date).execute(conn).await?.rows_affected() == 1)
}
