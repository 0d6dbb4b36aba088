//! SQL for notification settings, webhooks and the outbox.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{SqliteConnection, SqliteExecutor};

use super::{Sent, WebhookRow};
use crate::{
    domain::{
        notification::{Kind, Kinds},
        version::LineId,
    },
    error::AppError,
};

/// A person's address, the kinds they turned off and the lines they follow.
pub async fn load_preferences(
    conn: &mut SqliteConnection,
    user: i64,
) -> Result<(Option<String>, Vec<String>, Vec<String>), AppError> {
    let email: Option<String> = sqlx::query_scalar("SELECT email FROM user WHERE id = ?")
        .bind(user)
        .fetch_optional(&mut *conn)
        .await?
        .flatten();
    let muted: Vec<String> = sqlx::query_scalar("SELECT kind FROM notification_mute WHERE user_id = ?")
        .bind(user)
        .fetch_all(&mut *conn)
        .await?;
    let lines: Vec<String> = sqlx::query_scalar("SELECT line_id FROM line_follow WHERE user_id = ?")
        .bind(user)
        .fetch_all(&mut *conn)
        .await?;
    Ok((email, muted, lines))
}

pub async fn save_preferences(
    conn: &mut SqliteConnection,
    user: i64,
    email: Option<&str>,
    muted: &[Kind],
    lines: &[LineId],
) -> Result<(), AppError> {
    sqlx::query("UPDATE user SET email = ? WHERE id = ?").bind(email).bind(user).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM notification_mute WHERE user_id = ?").bind(user).execute(&mut *conn).await?;
    for kind in muted {
        sqlx::query("INSERT INTO notification_mute (user_id, kind) VALUES (?, ?)")
            .bind(user)
            .bind(kind.as_str())
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("DELETE FROM line_follow WHERE user_id = ?").bind(user).execute(&mut *conn).await?;
    for line in lines {
        sqlx::query("INSERT INTO line_follow (user_id, line_id) VALUES (?, ?)")
            .bind(user)
            .bind(line.to_string())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The latest mail to `user`, newest first.
pub async fn list_sent_to(db: impl SqliteExecutor<'_>, user: i64, limit: i64) -> Result<Vec<Sent>, AppError> {
    type Row = (String, String, String, DateTime<Utc>, Option<String>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT subject, link, state, created_at, last_error FROM notification \
         WHERE channel = 'email' AND user_id = ? ORDER BY id DESC LIMIT ?",
    )
    .bind(user)
    .bind(limit)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(subject, link, state, at, last_error)| Sent { subject, link, state, at, last_error })
        .collect())
}

pub async fn insert_webhook(
    conn: &mut SqliteConnection,
    url: &str,
    secret: &str,
    kinds: &Kinds,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO webhook (url, secret, kinds, created_by, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(url)
    .bind(secret)
    .bind(kinds.to_list())
    .bind(by)
    .bind(now)
    .fetch_one(conn)
    .await?)
}

/// True when the webhook was live and is revoked now.
pub async fn revoke_webhook(conn: &mut SqliteConnection, id: i64, now: DateTime<Utc>) -> Result<bool, AppError> {
    let done = sqlx::query("UPDATE webhook SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

fn kinds_of(list: &str) -> Vec<Kind> {
    list.split(',').filter_map(Kind::parse).collect()
}

pub async fn list_webhooks(db: impl SqliteExecutor<'_>) -> Result<Vec<WebhookRow>, AppError> {
    type Row = (i64, String, String, Option<DateTime<Utc>>, i64, i64, i64, Option<String>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT w.id, w.url, w.kinds, w.revoked_at, \
                COUNT(n.id) FILTER (WHERE n.state = 'sent'), \
                COUNT(n.id) FILTER (WHERE n.state IN ('pending', 'sending')), \
                COUNT(n.id) FILTER (WHERE n.state = 'failed'), \
                (SELECT last_error FROM notification e WHERE e.channel = 'webhook' AND e.recipient = CAST(w.id AS TEXT) \
                 AND e.last_error IS NOT NULL ORDER BY e.id DESC LIMIT 1) \
         FROM webhook w LEFT JOIN notification n ON n.channel = 'webhook' AND n.recipient = CAST(w.id AS TEXT) \
         GROUP BY w.id ORDER BY w.id",
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, url, kinds, revoked_at, sent, waiting, failed, last_error)| WebhookRow {
            id,
            url,
            kinds: kinds_of(&kinds),
            revoked: revoked_at.is_some(),
            sent,
            waiting,
            failed,
            last_error,
        })
        .collect())
}

/// Live webhooks that take `kind`: (id).
pub async fn webhooks_for(conn: &mut SqliteConnection, kind: Kind) -> Result<Vec<i64>, AppError> {
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, kinds FROM webhook WHERE revoked_at IS NULL ORDER BY id").fetch_all(conn).await?;
    Ok(rows.into_iter().filter(|(_, kinds)| kinds_of(kinds).contains(&kind)).map(|(id, _)| id).collect())
}

/// A webhook's URL and secret, while it is live.
pub async fn find_live_webhook(db: impl SqliteExecutor<'_>, id: i64) -> Result<Option<(String, String)>, AppError> {
    Ok(sqlx::query_as("SELECT url, secret FROM webhook WHERE id = ? AND revoked_at IS NULL")
        .bind(id)
        .fetch_optional(db)
        .await?)
}

/// A person who gets mail of `kind`: their id, address and whether they may read what is
/// under embargo.
#[derive(Debug, Clone)]
pub struct Reader {
    pub user: i64,
    pub email: String,
    pub sees_embargoed: bool,
}

/// Of `users`, those with an address who did not turn `kind` off.
pub async fn readers(conn: &mut SqliteConnection, users: &[i64], kind: Kind) -> Result<Vec<Reader>, AppError> {
    let mut found = Vec::new();
    for user in users {
        let row: Option<(String, String)> = sqlx::query_as(
            "SELECT email, role FROM user WHERE id = ? AND email IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM notification_mute m WHERE m.user_id = user.id AND m.kind = ?)",
        )
        .bind(user)
        .bind(kind.as_str())
        .fetch_optional(&mut *conn)
        .await?;
        if let Some((email, role)) = row {
            found.push(Reader { user: *user, email, sees_embargoed: role != "developer" });
        }
    }
    Ok(found)
}

/// Release managers and admins.
pub async fn managers(conn: &mut SqliteConnection) -> Result<Vec<i64>, AppError> {
    Ok(sqlx::query_scalar("SELECT id FROM user WHERE role IN ('release_manager', 'admin') ORDER BY id")
        .fetch_all(conn)
        .await?)
}

/// The people following `line`.
pub async fn followers(conn: &mut SqliteConnection, line: LineId) -> Result<Vec<i64>, AppError> {
    Ok(sqlx::query_scalar("SELECT user_id FROM line_follow WHERE line_id = ? ORDER BY user_id")
        .bind(line.to_string())
        .fetch_all(conn)
        .await?)
}

/// An audit event not yet turned into notifications.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub actor_user_id: Option<i64>,
    pub action: String,
    pub object_id: String,
    pub summary: String,
}

pub async fn cursor(conn: &mut SqliteConnection) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar("SELECT last_event_id FROM notification_cursor WHERE id = 1").fetch_one(conn).await?)
}

pub async fn set_cursor(conn: &mut SqliteConnection, last: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE notification_cursor SET last_event_id = ? WHERE id = 1").bind(last).execute(conn).await?;
    Ok(())
}

/// The newest event's id (0 with none).
pub async fn newest_event(conn: &mut SqliteConnection) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM event").fetch_one(conn).await?)
}

/// Whether events after `last` exist (a read, so an idle worker takes no write lock).
pub async fn has_events_after(db: impl SqliteExecutor<'_>, last: i64) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM event WHERE id > ?)").bind(last).fetch_one(db).await?)
}

pub async fn events_after(conn: &mut SqliteConnection, last: i64, limit: i64) -> Result<Vec<NewEvent>, AppError> {
    type Row = (i64, DateTime<Utc>, String, Option<i64>, String, String, String);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, at, actor, actor_user_id, action, object_id, summary FROM event WHERE id > ? ORDER BY id LIMIT ?",
    )
    .bind(last)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, at, actor, actor_user_id, action, object_id, summary)| NewEvent {
            id,
            at,
            actor,
            actor_user_id,
            action,
            object_id,
            summary,
        })
        .collect())
}

/// A request as notifications name it.
#[derive(Debug, Clone)]
pub struct RequestFacts {
    pub id: i64,
    pub title: String,
    pub embargoed: bool,
    pub severity: String,
    pub requester: i64,
    pub requester_name: String,
    pub lines: Vec<String>,
}

pub async fn request_facts(conn: &mut SqliteConnection, id: i64) -> Result<Option<RequestFacts>, AppError> {
    let row: Option<(String, bool, String, i64, String)> = sqlx::query_as(
        "SELECT r.title, r.embargoed, r.severity, r.requester_id, u.name FROM patch_request r \
         JOIN user u ON u.id = r.requester_id WHERE r.id = ?",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((title, embargoed, severity, requester, requester_name)) = row else { return Ok(None) };
    let lines: Vec<String> = sqlx::query_scalar("SELECT line_id FROM patch_target WHERE request_id = ?")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    let mut lines = lines;
    lines.sort_by_key(|l| std::cmp::Reverse(l.parse::<LineId>().ok()));
    Ok(Some(RequestFacts { id, title, embargoed, severity, requester, requester_name, lines }))
}

/// A release's id and version (none until it is publishing) by its slot or its version, as
/// audit events name it (a slot key never looks like a version).
pub async fn find_release(conn: &mut SqliteConnection, name: &str) -> Result<Option<(i64, Option<String>)>, AppError> {
    Ok(sqlx::query_as("SELECT id, version FROM release WHERE slot = ?1 OR version = ?1")
        .bind(name)
        .fetch_optional(conn)
        .await?)
}

/// The requests a release carries.
pub async fn carried_requests(conn: &mut SqliteConnection, release: i64) -> Result<Vec<i64>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT request_id FROM patch_target WHERE release_id = ? AND decision = 'approved' ORDER BY request_id",
    )
    .bind(release)
    .fetch_all(conn)
    .await?)
}

/// An approved fix not merged yet whose release's cherry-pick deadline falls in `from..=until`.
#[derive(Debug, Clone)]
pub struct UnmergedFix {
    pub request: i64,
    pub line: String,
    pub release: i64,
    pub deadline: NaiveDate,
}

pub async fn unmerged_due(
    conn: &mut SqliteConnection,
    from: NaiveDate,
    until: NaiveDate,
) -> Result<Vec<UnmergedFix>, AppError> {
    let rows: Vec<(i64, String, i64, NaiveDate)> = sqlx::query_as(
        "SELECT t.request_id, t.line_id, r.id, r.cherry_pick_deadline FROM patch_target t \
         JOIN release r ON r.id = t.release_id \
         WHERE t.decision = 'approved' AND t.merged_at IS NULL AND r.status IN ('planned', 'candidate') \
           AND r.cherry_pick_deadline BETWEEN ? AND ? ORDER BY t.request_id, t.line_id",
    )
    .bind(from)
    .bind(until)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(request, line, release, deadline)| UnmergedFix { request, line, release, deadline })
        .collect())
}

/// One message to queue.
pub struct Queued<'a> {
    pub key: &'a str,
    pub kind: Kind,
    pub channel: &'a str,
    pub recipient: &'a str,
    /// The person it is for (none for a webhook).
    pub user: Option<i64>,
    pub subject: &'a str,
    pub body: &'a str,
    pub link: &'a str,
}

/// Queues a message unless one with its key is queued already; true when it was new.
pub async fn enqueue(conn: &mut SqliteConnection, m: Queued<'_>, now: DateTime<Utc>) -> Result<bool, AppError> {
    let done = sqlx::query(
        "INSERT INTO notification (key, kind, channel, recipient, user_id, subject, body, link, state, next_attempt_at, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT (key) DO NOTHING",
    )
    .bind(m.key)
    .bind(m.kind.as_str())
    .bind(m.channel)
    .bind(m.recipient)
    .bind(m.user)
    .bind(m.subject)
    .bind(m.body)
    .bind(m.link)
    .bind(now)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Which of `keys` are queued already (a read, so a time scan with nothing new writes nothing).
pub async fn known_keys(db: impl SqliteExecutor<'_>, keys: &[String]) -> Result<Vec<String>, AppError> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; keys.len()].join(", ");
    let sql = format!("SELECT key FROM notification WHERE key IN ({marks})");
    let mut query = sqlx::query_scalar(&sql);
    for key in keys {
        query = query.bind(key);
    }
    Ok(query.fetch_all(db).await?)
}

/// A message due to be sent.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub id: i64,
    pub key: String,
    pub kind: String,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub link: String,
    pub attempts: i64,
}

/// Messages waiting whose time has come, and those whose sender died holding them.
pub async fn list_due(db: impl SqliteExecutor<'_>, now: DateTime<Utc>, limit: i64) -> Result<Vec<Outgoing>, AppError> {
    type Row = (i64, String, String, String, String, String, String, String, i64);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, key, kind, channel, recipient, subject, body, link, attempts FROM notification \
         WHERE state IN ('pending', 'sending') AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, key, kind, channel, recipient, subject, body, link, attempts)| Outgoing {
            id,
            key,
            kind,
            channel,
            recipient,
            subject,
            body,
            link,
            attempts,
        })
        .collect())
}

/// Takes a due message for sending until `lease_until`; false when another worker took it.
pub async fn claim(
    conn: &mut SqliteConnection,
    id: i64,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> Result<bool, AppError> {
    let done = sqlx::query(
        "UPDATE notification SET state = 'sending', attempts = attempts + 1, next_attempt_at = ? \
         WHERE id = ? AND state IN ('pending', 'sending') AND next_attempt_at <= ?",
    )
    .bind(lease_until)
    .bind(id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks a message sent, unless another worker took it over since `attempt` (the claim's
/// attempt number): then the newer claim decides.
pub async fn mark_sent(conn: &mut SqliteConnection, id: i64, attempt: i64, now: DateTime<Utc>) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE notification SET state = 'sent', sent_at = ?, last_error = NULL \
         WHERE id = ? AND state = 'sending' AND attempts = ?",
    )
    .bind(now)
    .bind(id)
    .bind(attempt)
    .execute(conn)
    .await?;
    Ok(())
}

/// Back to waiting until `retry_at`, or failed for good when `retry_at` is none; as
/// [`mark_sent`], only while the claim of `attempt` holds.
pub async fn mark_unsent(
    conn: &mut SqliteConnection,
    id: i64,
    attempt: i64,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
) -> Result<(), AppError> {
    let query = match retry_at {
        Some(at) => sqlx::query(
            "UPDATE notification SET state = 'pending', next_attempt_at = ?, last_error = ? \
             WHERE id = ? AND state = 'sending' AND attempts = ?",
        )
        .bind(at),
        None => sqlx::query(
            "UPDATE notification SET state = 'failed', last_error = ? WHERE id = ? AND state = 'sending' AND attempts = ?",
        ),
    };
    query.bind(error).bind(id).bind(attempt).execute(conn).await?;
    Ok(())
}

/// Messages by `channel:state`.
pub async fn count_by_state(db: impl SqliteExecutor<'_>) -> Result<Vec<(String, i64)>, AppError> {
    Ok(sqlx::query_as("SELECT channel || ':' || state, COUNT(*) FROM notification GROUP BY channel, state")
        .fetch_all(db)
        .await?)
}

/// When one's feed address was made, if one has a feed.
pub async fn feed_since(db: impl SqliteExecutor<'_>, user: i64) -> Result<Option<DateTime<Utc>>, AppError> {
    Ok(sqlx::query_scalar("SELECT created_at FROM feed_token WHERE user_id = ?").bind(user).fetch_optional(db).await?)
}

/// Gives `user` a feed under `token_hash`, replacing any earlier one.
pub async fn replace_feed_token(
    conn: &mut SqliteConnection,
    user: i64,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO feed_token (user_id, token_hash, created_at) VALUES (?, ?, ?) \
         ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at",
    )
    .bind(user)
    .bind(token_hash)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// True when there was a feed to turn off.
pub async fn delete_feed_token(conn: &mut SqliteConnection, user: i64) -> Result<bool, AppError> {
    Ok(sqlx::query("DELETE FROM feed_token WHERE user_id = ?").bind(user).execute(conn).await?.rows_affected() == 1)
}

/// The person whose feed `token_hash` opens: their id and name.
pub async fn feed_owner(db: impl SqliteExecutor<'_>, token_hash: &str) -> Result<Option<(i64, String)>, AppError> {
    Ok(sqlx::query_as("SELECT u.id, u.name FROM feed_token f JOIN user u ON u.id = f.user_id WHERE f.token_hash = ?")
        .bind(token_hash)
        .fetch_optional(db)
        .await?)
}

/// A request as one's feed lists it.
#[derive(Debug, Clone)]
pub struct FeedItem {
    pub id: i64,
    pub title: String,
    pub embargoed: bool,
    pub status: String,
    pub updated_at: DateTime<Utc>,
    /// (line, decision, version once released)
    pub lines: Vec<(String, String, Option<String>)>,
}

/// One's latest requests, most recently changed first.
pub async fn list_feed_items(conn: &mut SqliteConnection, user: i64, limit: i64) -> Result<Vec<FeedItem>, AppError> {
    let rows: Vec<(i64, String, bool, String, DateTime<Utc>)> = sqlx::query_as(
        "SELECT id, title, embargoed, status, updated_at FROM patch_request WHERE requester_id = ? \
         ORDER BY updated_at DESC, id DESC LIMIT ?",
    )
    .bind(user)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    let mut items = Vec::with_capacity(rows.len());
    for (id, title, embargoed, status, updated_at) in rows {
        let lines: Vec<(String, String, Option<String>)> = sqlx::query_as(
            "SELECT t.line_id, t.decision, CASE WHEN r.status = 'released' THEN r.version END \
             FROM patch_target t LEFT JOIN release r ON r.id = t.release_id WHERE t.request_id = ?",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        items.push(FeedItem { id, title, embargoed, status, updated_at, lines });
    }
    Ok(items)
}

/// The requesters of the requests marked as duplicates of `request`: they follow it.
pub async fn duplicate_requesters(conn: &mut SqliteConnection, request: i64) -> Result<Vec<i64>, AppError> {
    Ok(sqlx::query_scalar("SELECT requester_id FROM patch_request WHERE duplicate_of = ? ORDER BY id")
        .bind(request)
        .fetch_all(conn)
        .await?)
}

/// The requests deferred to the monthly `version`.
pub async fn deferred_to(conn: &mut SqliteConnection, version: &str) -> Result<Vec<i64>, AppError> {
    Ok(sqlx::query_scalar("SELECT id FROM patch_request WHERE deferred_to = ? ORDER BY id")
        .bind(version)
        .fetch_all(conn)
        .await?)
}
