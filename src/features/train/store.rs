//! SQL for builds and their suite results.

use chrono::NaiveDate;
use sqlx::SqliteExecutor;

use crate::{domain::schedule::KnownBuild, error::AppError};

/// Builds cut in `from..=to`, with their functional result, for the schedule engine.
pub async fn list_known_builds(db: impl SqliteExecutor<'_>, from: NaiveDate, to: NaiveDate) -> Result<Vec<KnownBuild>, AppError> {
    let rows: Vec<(String, NaiveDate, bool, Option<String>)> = sqlx::query_as(
        "SELECT b.name, b.cut_on, b.weekly_selected_at IS NOT NULL, r.status \
         FROM build b LEFT JOIN build_result r ON r.build_id = b.id AND r.suite = 'functional' \
         WHERE b.cut_on BETWEEN ? AND ? ORDER BY b.cut_at",
    )
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(name, cut_on, weekly, status)| KnownBuild {
            name,
            cut_on,
            weekly,
            summary: status.unwrap_or_else(|| "pending".into()),
        })
        .collect())
}
