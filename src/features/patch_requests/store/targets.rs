//! SQL for `patch_target`: each line's decision, its cherry-pick, the release that carries it,
//! and the request's status kept in step with them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::{SqliteConnection, SqliteExecutor};

use super::corrupt;
use crate::{
    domain::{
        patch_request::Decision,
        publication::CarriedFix,
        security::SecurityFix,
        version::{LineId, Version},
    },
    error::AppError,
    features::patch_requests::CherryPickState,
};

/// One line's decision as stored on its target.
pub struct TargetDecision<'a> {
    pub request: i64,
    pub line: LineId,
    pub decision: Decision,
    pub reason: Option<&'a str>,
    pub decided_by: Option<i64>,
    /// The release that will carry the fix, when approved.
    pub release: Option<i64>,
    /// The revision the decider saw; `None` decides whatever is stored.
    pub seen: Option<u32>,
    /// Why the fix rides a later release than the one open when it was filed, if it does.
    pub carry_note: Option<&'a str>,
}

/// What a decision found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decided {
    Done,
    NoSuchLine,
    /// Someone changed the line since the decider looked.
    Stale,
}

/// Records a decision for one line, unless the line changed since `seen` or the request was
/// withdrawn meanwhile.
pub async fn update_decision(
    conn: &mut SqliteConnection,
    d: TargetDecision<'_>,
    now: DateTime<Utc>,
) -> Result<Decided, AppError> {
    let done = sqlx::query(
        "UPDATE patch_target SET decision = ?, reason = ?, decided_by = ?, decided_at = ?, release_id = ?, \
         carry_note = ?, revision = revision + 1 \
         WHERE request_id = ? AND line_id = ? AND (? IS NULL OR revision = ?) \
           AND NOT EXISTS (SELECT 1 FROM patch_request p WHERE p.id = patch_target.request_id AND p.status = 'withdrawn')",
    )
    .bind(d.decision.as_str())
    .bind(d.reason)
    .bind(d.decided_by)
    .bind(now)
    .bind(d.release)
    .bind(d.carry_note)
    .bind(d.request)
    .bind(d.line.to_string())
    .bind(d.seen)
    .bind(d.seen)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if done {
        return Ok(Decided::Done);
    }
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT revision FROM patch_target WHERE request_id = ? AND line_id = ?")
            .bind(d.request)
            .bind(d.line.to_string())
            .fetch_optional(conn)
            .await?;
    Ok(if exists.is_some() { Decided::Stale } else { Decided::NoSuchLine })
}

/// Declines every line of `request` still awaiting triage, with `reason`: a request sent to
/// the monthly, marked a duplicate or no longer a bug.
pub async fn decline_pending(
    conn: &mut SqliteConnection,
    request: i64,
    reason: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE patch_target SET decision = 'rejected', reason = ?, decided_by = ?, decided_at = ?, revision = revision + 1 \
         WHERE request_id = ? AND decision = 'pending'",
    )
    .bind(reason)
    .bind(by)
    .bind(now)
    .bind(request)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a line's cherry-pick: its pull request, its state, and when it merged with which
/// commit.
pub async fn update_cherry_pick(
    conn: &mut SqliteConnection,
    request: i64,
    line: LineId,
    url: Option<&str>,
    state: CherryPickState,
    merged: Option<(DateTime<Utc>, &str)>,
) -> Result<bool, AppError> {
    Ok(sqlx::query(
        "UPDATE patch_target SET cherry_pick_url = COALESCE(?, cherry_pick_url), cherry_pick_state = ?, \
         merged_at = ?, merge_commit = ?, revision = revision + 1 WHERE request_id = ? AND line_id = ? \
           AND NOT EXISTS (SELECT 1 FROM patch_request p WHERE p.id = patch_target.request_id AND p.status = 'withdrawn')",
    )
    .bind(url)
    .bind(state.as_str())
    .bind(merged.map(|(at, _)| at))
    .bind(merged.map(|(_, commit)| commit))
    .bind(request)
    .bind(line.to_string())
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Moves a line's fix to another release (or, with `None`, to none), with the note saying why.
pub async fn update_carrier(
    conn: &mut SqliteConnection,
    request: i64,
    line: LineId,
    release: Option<i64>,
    note: &str,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE patch_target SET release_id = ?, carry_note = ?, revision = revision + 1 \
         WHERE request_id = ? AND line_id = ?",
    )
    .bind(release)
    .bind(note)
    .bind(request)
    .bind(line.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// An approved fix a release carries, as the release's life reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarriedTarget {
    pub request: i64,
    pub requester: i64,
    pub line: LineId,
    pub title: String,
    pub cherry_pick_url: Option<String>,
    pub cherry_pick_state: Option<CherryPickState>,
    pub merged_at: Option<DateTime<Utc>>,
    pub embargoed: bool,
}

/// The approved fixes `release` carries.
pub async fn list_carried_targets(db: impl SqliteExecutor<'_>, release: i64) -> Result<Vec<CarriedTarget>, AppError> {
    Ok(list_carried_targets_of(db, &[release]).await?.remove(&release).unwrap_or_default())
}

/// The approved fixes each of `releases` carries, in one query however many there are.
pub async fn list_carried_targets_of(
    db: impl SqliteExecutor<'_>,
    releases: &[i64],
) -> Result<HashMap<i64, Vec<CarriedTarget>>, AppError> {
    type Row = (i64, i64, i64, String, String, Option<String>, Option<String>, Option<DateTime<Utc>>, bool);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT t.release_id, t.request_id, pr.requester_id, t.line_id, pr.title, t.cherry_pick_url, \
         t.cherry_pick_state, t.merged_at, pr.embargoed \
         FROM patch_target t JOIN patch_request pr ON pr.id = t.request_id \
         WHERE t.release_id IN (SELECT value FROM json_each(?)) AND t.decision = 'approved' ORDER BY t.request_id",
    )
    .bind(serde_json::Value::from(releases).to_string())
    .fetch_all(db)
    .await?;
    let mut carried: HashMap<i64, Vec<CarriedTarget>> = HashMap::new();
    for (release, request, requester, line, title, cherry_pick_url, state, merged_at, embargoed) in rows {
        carried.entry(release).or_default().push(CarriedTarget {
            request,
            requester,
            line: LineId::parse(&line).map_err(|_| corrupt("patch_target.line_id", &line))?,
            title,
            cherry_pick_url,
            cherry_pick_state: match state {
                Some(s) => Some(CherryPickState::parse(&s).ok_or_else(|| corrupt("cherry_pick_state", &s))?),
                None => None,
            },
            merged_at,
            embargoed,
        });
    }
    Ok(carried)
}

/// id, title, bug link, fix link, CVE, embargoed.
type CarriedRow = (i64, String, String, Option<String>, Option<String>, bool);

/// The fixes a release carries, for its notes.
pub async fn list_carried(db: impl SqliteExecutor<'_>, release: i64) -> Result<Vec<CarriedFix>, AppError> {
    let rows: Vec<CarriedRow> = sqlx::query_as(
        "SELECT pr.id, pr.title, pr.bug_link, pr.fix_link, pr.cve_id, pr.embargoed FROM patch_target t \
         JOIN patch_request pr ON pr.id = t.request_id WHERE t.release_id = ? AND t.decision = 'approved' ORDER BY pr.id",
    )
    .bind(release)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(request, title, bug_link, fix_link, cve_id, embargoed)| CarriedFix {
            request,
            title,
            bug_link,
            fix_link,
            cve_id,
            embargoed,
        })
        .collect())
}

/// A cherry-pick still open on GitHub, to look at again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenCherryPick {
    pub request: i64,
    pub line: LineId,
    pub url: String,
}

pub async fn list_open_cherry_picks(db: impl SqliteExecutor<'_>) -> Result<Vec<OpenCherryPick>, AppError> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT request_id, line_id, cherry_pick_url FROM patch_target \
         WHERE decision = 'approved' AND cherry_pick_state = 'open' AND cherry_pick_url IS NOT NULL",
    )
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|(request, line, url)| {
            Ok(OpenCherryPick {
                request,
                line: LineId::parse(&line).map_err(|_| corrupt("patch_target.line_id", &line))?,
                url,
            })
        })
        .collect()
}

/// Brings a request's status in step with its targets and their releases: withdrawn for good
/// once its requester withdrew it, open while a line waits for a decision, deferred when it
/// goes to a monthly, rejected when no line is approved, approved until every approved line's
/// release is out, then shipped.
pub async fn refresh_status(conn: &mut SqliteConnection, request: i64, now: DateTime<Utc>) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE patch_request SET updated_at = ?, status = CASE \
           WHEN withdrawn_at IS NOT NULL THEN 'withdrawn' \
           WHEN category IN ('minor_problem', 'feature') THEN 'deferred' \
           WHEN EXISTS (SELECT 1 FROM patch_target t WHERE t.request_id = patch_request.id AND t.decision = 'pending') THEN 'open' \
           WHEN NOT EXISTS (SELECT 1 FROM patch_target t WHERE t.request_id = patch_request.id AND t.decision = 'approved') \
                THEN CASE WHEN deferred_to IS NULL THEN 'rejected' ELSE 'deferred' END \
           WHEN EXISTS (SELECT 1 FROM patch_target t LEFT JOIN release r ON r.id = t.release_id \
                        WHERE t.request_id = patch_request.id AND t.decision = 'approved' \
                          AND (r.status IS NULL OR r.status <> 'released')) THEN 'approved' \
           ELSE 'shipped' END \
         WHERE id = ?",
    )
    .bind(now)
    .bind(request)
    .execute(conn)
    .await?;
    Ok(())
}

/// Refreshes every request a release carries (when it ships, or its fixes move).
pub async fn refresh_for_release(
    conn: &mut SqliteConnection,
    release: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let ids: Vec<i64> = sqlx::query_scalar("SELECT DISTINCT request_id FROM patch_target WHERE release_id = ?")
        .bind(release)
        .fetch_all(&mut *conn)
        .await?;
    for id in ids {
        refresh_status(conn, id, now).await?;
    }
    Ok(())
}

/// A request sent to a monthly release instead of a patch (an S3 or S4 without an exception).
pub async fn update_deferred(
    conn: &mut SqliteConnection,
    request: i64,
    monthly: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    sqlx::query("UPDATE patch_request SET deferred_to = ?, updated_at = ? WHERE id = ?")
        .bind(monthly)
        .bind(now)
        .bind(request)
        .execute(conn)
        .await?;
    Ok(())
}

/// Per line and decision, how many requests still open or approved-but-unshipped have that
/// decision there.
pub async fn count_by_line(db: impl SqliteExecutor<'_>) -> Result<Vec<(LineId, Decision, i64)>, AppError> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT t.line_id, t.decision, COUNT(*) FROM patch_target t JOIN patch_request pr ON pr.id = t.request_id \
         LEFT JOIN release r ON r.id = t.release_id \
         WHERE pr.status IN ('open', 'approved') AND (r.status IS NULL OR r.status <> 'released') \
         GROUP BY t.line_id, t.decision",
    )
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|(line, decision, n)| {
            let line = LineId::parse(&line).map_err(|_| corrupt("patch_target.line_id", &line))?;
            let decision = Decision::parse(&decision).ok_or_else(|| corrupt("patch_target.decision", &decision))?;
            Ok((line, decision, n))
        })
        .collect()
}

/// Lifts a request's embargo, keeping the CVE it was disclosed under.
pub async fn update_embargo_lifted(
    conn: &mut SqliteConnection,
    request: i64,
    cve: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    sqlx::query("UPDATE patch_request SET embargoed = 0, cve_id = ?, updated_at = ? WHERE id = ?")
        .bind(cve)
        .bind(now)
        .bind(request)
        .execute(conn)
        .await?;
    Ok(())
}

/// Every security request's target on every line, with the version that shipped it; a request
/// turned down on every line is not taken to describe a real hole.
pub async fn list_security_fixes(db: impl SqliteExecutor<'_>) -> Result<Vec<SecurityFix>, AppError> {
    type Row = (i64, String, String, Option<String>, bool, String, Option<String>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT pr.id, pr.title, t.line_id, pr.cve_id, pr.embargoed, t.decision, r.version \
         FROM patch_target t JOIN patch_request pr ON pr.id = t.request_id \
         LEFT JOIN release r ON r.id = t.release_id AND r.status = 'released' AND t.decision = 'approved' \
         WHERE pr.category = 'security' AND pr.status NOT IN ('rejected', 'withdrawn') ORDER BY pr.id",
    )
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|(request, title, line, cve, embargoed, decision, version)| {
            Ok(SecurityFix {
                request,
                title,
                line: LineId::parse(&line).map_err(|_| corrupt("patch_target.line_id", &line))?,
                cve,
                embargoed,
                affected: Decision::parse(&decision).ok_or_else(|| corrupt("patch_target.decision", &decision))?
                    != Decision::NotAffected,
                shipped_in: match version {
                    Some(v) => Some(Version::parse(&v).map_err(|_| corrupt("release.version", &v))?),
                    None => None,
                },
            })
        })
        .collect()
}

/// Approved fixes not merged yet, counted by the release that carries them.
pub async fn count_unmerged_by_release(
    db: impl SqliteExecutor<'_>,
) -> Result<std::collections::HashMap<i64, i64>, AppError> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT release_id, COUNT(*) FROM patch_target \
         WHERE decision = 'approved' AND release_id IS NOT NULL AND merged_at IS NULL GROUP BY release_id",
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().collect())
}
