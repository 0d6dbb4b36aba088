//! SQL for the audit trail. `record` takes the caller's transaction, so an event is written
//! exactly when its change is.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{SqliteConnection, SqliteExecutor};

use super::Event;
use crate::{domain::access::Principal, error::AppError};

/// What happened, ready to record.
pub struct Change<'a> {
    pub action: &'a str,
    pub object_kind: &'a str,
    pub object_id: String,
    pub summary: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl<'a> Change<'a> {
    pub fn new(action: &'a str, object_kind: &'a str, object_id: impl ToString, summary: impl Into<String>) -> Self {
        Self {
            action,
            object_kind,
            object_id: object_id.to_string(),
            summary: summary.into(),
            before: None,
            after: None,
        }
    }

    pub fn before(mut self, value: &impl Serialize) -> Self {
        self.before = serde_json::to_value(value).ok();
        self
    }

    pub fn after(mut self, value: &impl Serialize) -> Self {
        self.after = serde_json::to_value(value).ok();
        self
    }
}

pub async fn record(
    conn: &mut SqliteConnection,
    actor: &Principal,
    change: Change<'_>,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO event (at, actor, actor_user_id, action, object_kind, object_id, summary, before, after) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(at)
    .bind(actor.actor())
    .bind(actor.user_id())
    .bind(change.action)
    .bind(change.object_kind)
    .bind(&change.object_id)
    .bind(&change.summary)
    .bind(change.before.map(|v| v.to_string()))
    .bind(change.after.map(|v| v.to_string()))
    .execute(conn)
    .await?;
    Ok(())
}

type EventRow = (i64, DateTime<Utc>, String, String, String, String, String);

fn event_of((id, at, actor, action, object_kind, object_id, summary): EventRow) -> Event {
    Event { id, at, actor, action, object_kind, object_id, summary }
}

/// The newest events first.
pub async fn list_recent(db: impl SqliteExecutor<'_>, limit: i64) -> Result<Vec<Event>, AppError> {
    let rows: Vec<EventRow> = sqlx::query_as(
        "SELECT id, at, actor, action, object_kind, object_id, summary FROM event ORDER BY id DESC LIMIT ?",
    )
    .bind(limit)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(event_of).collect())
}

/// The history of one object, oldest first.
pub async fn list_for(db: impl SqliteExecutor<'_>, object_kind: &str, object_id: &str) -> Result<Vec<Event>, AppError> {
    let rows: Vec<EventRow> = sqlx::query_as(
        "SELECT id, at, actor, action, object_kind, object_id, summary FROM event \
         WHERE object_kind = ? AND object_id = ? ORDER BY id",
    )
    .bind(object_kind)
    .bind(object_id)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(event_of).collect())
}
