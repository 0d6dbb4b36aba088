//! SQL for what changes after filing: a requester's edit and withdrawal, a release manager's
//! reclassification.

use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqliteExecutor};

use crate::{
    domain::{
        patch_request::{NewPatchRequest, Reclassification},
        version::LineId,
    },
    error::AppError,
};

/// Writes an edited request's fields, the monthly it waits for (when it does not qualify) and
/// its new dedupe key.
pub async fn update_fields(
    conn: &mut SqliteConnection,
    request: i64,
    r: &NewPatchRequest,
    deferred_to: Option<&str>,
    dedupe_key: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let update = sqlx::query(
        "UPDATE patch_request SET title = ?, category = ?, severity = ?, bug_link = ?, fix_link = ?, impact = ?, \
         risk = ?, risk_reason = ?, testing = ?, verified_on_daily = ?, workaround = ?, cve_id = ?, embargoed = ?, \
         deferred_to = ?, dedupe_key = ?, updated_at = ? WHERE id = ?",
    );
    super::bind_fields(update, r).bind(deferred_to).bind(dedupe_key).bind(now).bind(request).execute(conn).await?;
    Ok(())
}

/// Makes `lines` the request's lines awaiting triage: lines no longer named are dropped (only
/// called before triage, when every line is pending), new ones added.
pub async fn replace_pending_targets(
    conn: &mut SqliteConnection,
    request: i64,
    lines: &[LineId],
) -> Result<(), AppError> {
    let mut drop = QueryBuilder::<Sqlite>::new("DELETE FROM patch_target WHERE decision = 'pending' AND request_id = ");
    drop.push_bind(request);
    if !lines.is_empty() {
        drop.push(" AND line_id NOT IN (");
        let mut list = drop.separated(", ");
        for line in lines {
            list.push_bind(line.to_string());
        }
        drop.push(")");
    }
    drop.build().execute(&mut *conn).await?;
    add_pending_targets(conn, request, lines, None).await
}

/// Puts each of `lines` in triage: added where the request does not target it yet, back to
/// pending where it was declined with a reason that begins with `declined_as` (another decision
/// stands).
pub async fn add_pending_targets(
    conn: &mut SqliteConnection,
    request: i64,
    lines: &[LineId],
    declined_as: Option<&str>,
) -> Result<(), AppError> {
    for line in lines {
        sqlx::query(
            "INSERT INTO patch_target (request_id, line_id, decision) VALUES (?, ?, 'pending') \
             ON CONFLICT (request_id, line_id) DO UPDATE SET decision = 'pending', reason = NULL, decided_by = NULL, \
             decided_at = NULL, release_id = NULL, carry_note = NULL, revision = revision + 1 \
             WHERE patch_target.decision = 'rejected' AND substr(patch_target.reason, 1, length(?)) = ?",
        )
        .bind(request)
        .bind(line.to_string())
        .bind(declined_as)
        .bind(declined_as)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Withdraws a request: every line awaiting triage or approved is declined with `reason` and
/// leaves the release that was to carry it (lines decided otherwise keep their decision), and
/// it waits for no monthly.
pub async fn update_withdrawn(
    conn: &mut SqliteConnection,
    request: i64,
    reason: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE patch_target SET decision = 'rejected', reason = ?, decided_by = ?, decided_at = ?, release_id = NULL, \
         carry_note = NULL, revision = revision + 1 \
         WHERE request_id = ? AND decision IN ('pending', 'approved') \
           AND NOT EXISTS (SELECT 1 FROM release r WHERE r.id = patch_target.release_id AND r.status = 'released')",
    )
    .bind(reason)
    .bind(by)
    .bind(now)
    .bind(request)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE patch_request SET status = 'withdrawn', withdrawn_at = ?, deferred_to = NULL, updated_at = ? WHERE id = ?",
    )
        .bind(now)
        .bind(now)
        .bind(request)
        .execute(conn)
        .await?;
    Ok(())
}

/// A request's new category and severity, the monthly it waits for (`None`: none), and
/// whether it goes under embargo now (an embargo is only ever lifted under a CVE).
pub async fn update_classification(
    conn: &mut SqliteConnection,
    request: i64,
    change: &Reclassification,
    deferred_to: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE patch_request SET category = ?, severity = ?, deferred_to = ?, embargoed = embargoed OR ?, \
         updated_at = ? WHERE id = ?",
    )
    .bind(change.category.as_str())
    .bind(change.severity.as_str())
    .bind(deferred_to)
    .bind(change.embargoes)
    .bind(now)
    .bind(request)
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether a release manager has reclassified the request (its audit trail says so).
pub async fn was_reclassified(db: impl SqliteExecutor<'_>, request: i64) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM event WHERE object_kind = 'patch_request' AND object_id = ? \
                        AND action = 'patch_request.reclassified')",
    )
    .bind(request.to_string())
    .fetch_one(db)
    .await?)
}
