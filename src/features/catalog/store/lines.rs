//! SQL for `release_line`.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{SqliteConnection, SqliteExecutor};

use super::corrupt;
use crate::{
    domain::{catalog::Line, policy::EolOverride, version::LineId},
    error::AppError,
};

#[derive(sqlx::FromRow)]
struct LineRow {
    id: String,
    eol_override_date: Option<NaiveDate>,
    eol_override_note: Option<String>,
    compatibility_notes: String,
}

impl TryFrom<LineRow> for Line {
    type Error = AppError;
    fn try_from(row: LineRow) -> Result<Self, AppError> {
        let id = LineId::parse(&row.id).map_err(|_| corrupt("release_line.id", &row.id))?;
        let eol_override = match (row.eol_override_date, row.eol_override_note) {
            (Some(date), Some(note)) => Some(EolOverride { date, note }),
            _ => None,
        };
        Ok(Self { id, eol_override, compatibility_notes: row.compatibility_notes })
    }
}

pub async fn list_lines(db: impl SqliteExecutor<'_>) -> Result<Vec<Line>, AppError> {
    sqlx::query_as::<_, LineRow>(
        "SELECT id, eol_override_date, eol_override_note, compatibility_notes FROM release_line",
    )
    .fetch_all(db)
    .await?
    .into_iter()
    .map(Line::try_from)
    .collect()
}

/// Adds a line if it is not there yet.
pub async fn ensure_line(conn: &mut SqliteConnection, line: LineId, now: DateTime<Utc>) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO release_line (id, major, minor, created_at) VALUES (?, ?, ?, ?) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(line.to_string())
    .bind(line.major() as i64)
    .bind(line.minor() as i64)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Sets or clears a line's end-of-life override.
pub async fn update_eol_override(
    conn: &mut SqliteConnection,
    line: LineId,
    value: Option<&EolOverride>,
) -> Result<bool, AppError> {
    Ok(sqlx::query("UPDATE release_line SET eol_override_date = ?, eol_override_note = ? WHERE id = ?")
        .bind(value.map(|o| o.date))
        .bind(value.map(|o| o.note.as_str()))
        .bind(line.to_string())
        .execute(conn)
        .await?
        .rows_affected()
        == 1)
}
