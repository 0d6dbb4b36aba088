//! SQL for patch requests, their targets and the on-call rotation.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection, SqliteExecutor, query::Query, sqlite::SqliteArguments};

mod changes;
mod oncall;
mod targets;

pub use changes::*;
pub use oncall::*;
pub use targets::*;

use super::{Carrier, CherryPick, CherryPickState, ListFilter, PAGE_SIZE, PatchRequest, RequestSummary, Target};
use crate::{
    domain::{
        catalog::ReleaseStatus,
        patch_request::{Category, Decision, NewPatchRequest, RequestStatus, Risk, Severity},
        plan::PlanState,
        version::{LineId, Version},
    },
    error::AppError,
};

fn corrupt(what: &str, value: &str) -> AppError {
    tracing::error!(what, value, "stored value does not parse");
    AppError::Internal
}

/// Who may see embargoed requests: their requester, and readers with the permission.
#[derive(Debug, Clone, Copy)]
pub struct Visibility {
    pub viewer: Option<i64>,
    pub sees_embargoed: bool,
}

fn push_visible(q: &mut QueryBuilder<'_, Sqlite>, v: Visibility) {
    if !v.sees_embargoed {
        q.push(" AND (pr.embargoed = 0 OR pr.requester_id = ");
        q.push_bind(v.viewer.unwrap_or(-1));
        q.push(")");
    }
}

/// Requests still in play (not rejected or shipped) whose bug link is `bug_link`, a trailing
/// slash aside: (id, title, status), newest first.
pub async fn list_same_bug(
    db: impl SqliteExecutor<'_>,
    bug_link: &str,
    v: Visibility,
) -> Result<Vec<(i64, String, String)>, AppError> {
    let mut q = QueryBuilder::<Sqlite>::new(
        "SELECT pr.id, pr.title, pr.status FROM patch_request pr \
         WHERE pr.status IN ('open', 'deferred', 'approved') AND rtrim(pr.bug_link, '/') = rtrim(",
    );
    q.push_bind(bug_link.trim().to_owned()).push(", '/')");
    push_visible(&mut q, v);
    q.push(" ORDER BY pr.id DESC LIMIT 5");
    Ok(q.build_query_as().fetch_all(db).await?)
}

/// An existing request from the same requester with the same content, filed since `since`.
pub async fn find_duplicate(
    db: impl SqliteExecutor<'_>,
    requester: i64,
    dedupe_key: &str,
    since: DateTime<Utc>,
) -> Result<Option<i64>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM patch_request WHERE requester_id = ? AND dedupe_key = ? AND created_at >= ? \
         AND status <> 'withdrawn' ORDER BY id DESC LIMIT 1",
    )
    .bind(requester)
    .bind(dedupe_key)
    .bind(since)
    .fetch_optional(db)
    .await?)
}

pub struct Insert<'a> {
    pub request: &'a NewPatchRequest,
    pub requester: i64,
    pub triage_owner: Option<i64>,
    pub deferred_to: Option<String>,
    pub dedupe_key: String,
}

/// Binds what a requester filed, in the order `title, category, severity, bug_link, fix_link,
/// impact, risk, risk_reason, testing, verified_on_daily, workaround, cve_id, embargoed`.
pub(super) fn bind_fields<'q>(
    q: Query<'q, Sqlite, SqliteArguments<'q>>,
    r: &'q NewPatchRequest,
) -> Query<'q, Sqlite, SqliteArguments<'q>> {
    q.bind(&r.title)
        .bind(r.category.as_str())
        .bind(r.severity.as_str())
        .bind(r.bug_link.as_str())
        .bind(r.fix_link.as_ref().map(|l| l.as_str()))
        .bind(&r.impact)
        .bind(r.risk.as_str())
        .bind(&r.risk_reason)
        .bind(&r.testing)
        .bind(r.verified_on_daily)
        .bind(&r.workaround)
        .bind(r.cve_id.as_ref().map(|c| c.as_str()))
        .bind(r.embargoed)
}

/// Inserts a request and one pending target per line; returns its id.
pub async fn insert_request(conn: &mut SqliteConnection, new: Insert<'_>, now: DateTime<Utc>) -> Result<i64, AppError> {
    let r = new.request;
    let status = if r.qualifies() { RequestStatus::Open } else { RequestStatus::Deferred };
    let insert = sqlx::query(
        "INSERT INTO patch_request (title, category, severity, bug_link, fix_link, impact, risk, risk_reason, testing, \
         verified_on_daily, workaround, cve_id, embargoed, requester_id, triage_owner_id, status, deferred_to, dedupe_key, \
         created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    );
    let id: i64 = bind_fields(insert, r)
        .bind(new.requester)
        .bind(new.triage_owner)
        .bind(status.as_str())
        .bind(&new.deferred_to)
        .bind(&new.dedupe_key)
        .bind(now)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    add_pending_targets(conn, id, &r.targets, None).await?;
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct RequestRow {
    id: i64,
    title: String,
    category: String,
    severity: String,
    bug_link: String,
    fix_link: Option<String>,
    impact: String,
    risk: String,
    risk_reason: String,
    testing: String,
    verified_on_daily: bool,
    workaround: String,
    cve_id: Option<String>,
    embargoed: bool,
    requester_id: i64,
    requester: String,
    triage_owner: Option<String>,
    status: String,
    deferred_to: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    duplicate_of: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct TargetRow {
    line_id: String,
    decision: String,
    reason: Option<String>,
    decided_by: Option<String>,
    decided_at: Option<DateTime<Utc>>,
    cherry_pick_url: Option<String>,
    cherry_pick_state: Option<String>,
    merged_at: Option<DateTime<Utc>>,
    merge_commit: Option<String>,
    carry_note: Option<String>,
    revision: i64,
    release_id: Option<i64>,
    version: Option<String>,
    release_status: Option<String>,
    release_date: Option<NaiveDate>,
    github_url: Option<String>,
    cherry_pick_deadline: Option<NaiveDate>,
}

/// A target as stored; a carrier not yet released has no version here (the plan numbers it).
fn target_of(t: TargetRow) -> Result<Target, AppError> {
    let carrier = match (t.release_id, t.release_status, t.release_date) {
        (Some(release), Some(status), Some(date)) => {
            let status = ReleaseStatus::parse(&status).ok_or_else(|| corrupt("release.status", &status))?;
            Some(Carrier {
                release,
                version: match t.version {
                    Some(v) => Some(Version::parse(&v).map_err(|_| corrupt("release.version", &v))?),
                    None => None,
                },
                date,
                state: PlanState::of(status),
                shipped: status == ReleaseStatus::Released,
                github_url: t.github_url,
                cherry_pick_deadline: t.cherry_pick_deadline,
            })
        }
        _ => None,
    };
    let cherry_pick = match t.cherry_pick_state {
        Some(state) => Some(CherryPick {
            url: t.cherry_pick_url,
            state: CherryPickState::parse(&state).ok_or_else(|| corrupt("patch_target.cherry_pick_state", &state))?,
            merged_at: t.merged_at,
            merge_commit: t.merge_commit,
        }),
        None => None,
    };
    Ok(Target {
        line: LineId::parse(&t.line_id).map_err(|_| corrupt("patch_target.line_id", &t.line_id))?,
        decision: Decision::parse(&t.decision).ok_or_else(|| corrupt("patch_target.decision", &t.decision))?,
        reason: t.reason,
        decided_by: t.decided_by,
        decided_at: t.decided_at,
        carrier,
        cherry_pick,
        carry_note: t.carry_note,
        revision: u32::try_from(t.revision).unwrap_or(0),
    })
}

/// One request with its targets, if it exists and the viewer may see it.
pub async fn find_request(
    conn: &mut SqliteConnection,
    id: i64,
    v: Visibility,
) -> Result<Option<PatchRequest>, AppError> {
    let mut q = QueryBuilder::<Sqlite>::new(
        "SELECT pr.id, pr.title, pr.category, pr.severity, pr.bug_link, pr.fix_link, pr.impact, pr.risk, pr.risk_reason, \
         pr.testing, pr.verified_on_daily, pr.workaround, pr.cve_id, pr.embargoed, pr.requester_id, u.name AS requester, \
         o.name AS triage_owner, pr.status, pr.deferred_to, pr.created_at, pr.updated_at, pr.duplicate_of \
         FROM patch_request pr JOIN user u ON u.id = pr.requester_id LEFT JOIN user o ON o.id = pr.triage_owner_id \
         WHERE pr.id = ",
    );
    q.push_bind(id);
    push_visible(&mut q, v);
    let Some(row) = q.build_query_as::<RequestRow>().fetch_optional(&mut *conn).await? else {
        return Ok(None);
    };
    let targets: Vec<TargetRow> = sqlx::query_as(
        "SELECT t.line_id, t.decision, t.reason, d.name AS decided_by, t.decided_at, t.cherry_pick_url, \
         t.cherry_pick_state, t.merged_at, t.merge_commit, t.carry_note, t.revision, t.release_id, r.version, \
         r.status AS release_status, COALESCE(r.actual_date, r.planned_date) AS release_date, r.github_url, \
         r.cherry_pick_deadline \
         FROM patch_target t LEFT JOIN user d ON d.id = t.decided_by LEFT JOIN release r ON r.id = t.release_id \
         WHERE t.request_id = ?",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let mut targets = targets.into_iter().map(target_of).collect::<Result<Vec<_>, _>>()?;
    targets.sort_by_key(|t| std::cmp::Reverse(t.line));
    let duplicates: Vec<i64> = sqlx::query_scalar("SELECT id FROM patch_request WHERE duplicate_of = ? ORDER BY id")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    Ok(Some(PatchRequest {
        duplicate_of: row.duplicate_of,
        duplicates,
        id: row.id,
        category: Category::parse(&row.category).ok_or_else(|| corrupt("category", &row.category))?,
        severity: Severity::parse(&row.severity).ok_or_else(|| corrupt("severity", &row.severity))?,
        risk: Risk::parse(&row.risk).ok_or_else(|| corrupt("risk", &row.risk))?,
        status: RequestStatus::parse(&row.status).ok_or_else(|| corrupt("status", &row.status))?,
        title: row.title,
        bug_link: row.bug_link,
        fix_link: row.fix_link,
        impact: row.impact,
        risk_reason: row.risk_reason,
        testing: row.testing,
        verified_on_daily: row.verified_on_daily,
        workaround: row.workaround,
        cve_id: row.cve_id,
        embargoed: row.embargoed,
        requester_id: row.requester_id,
        requester: row.requester,
        triage_owner: row.triage_owner,
        deferred_to: row.deferred_to,
        created_at: row.created_at,
        updated_at: row.updated_at,
        targets,
    }))
}

fn push_filters(q: &mut QueryBuilder<'_, Sqlite>, f: &ListFilter, v: Visibility, with_status: bool) {
    push_visible(q, v);
    if let (true, Some(s)) = (with_status, f.status) {
        q.push(" AND pr.status = ").push_bind(s.as_str());
    }
    if let Some(c) = f.category {
        q.push(" AND pr.category = ").push_bind(c.as_str());
    }
    if let Some(s) = f.severity {
        q.push(" AND pr.severity = ").push_bind(s.as_str());
    }
    // With a decision, the line's own target must have it: "pending on 1.11" is a queue.
    if f.line.is_some() || f.decision.is_some() {
        q.push(" AND EXISTS (SELECT 1 FROM patch_target t WHERE t.request_id = pr.id");
        if let Some(l) = f.line {
            q.push(" AND t.line_id = ").push_bind(l.to_string());
        }
        if let Some(d) = f.decision {
            q.push(" AND t.decision = ").push_bind(d.as_str());
        }
        q.push(")");
    }
    if f.mine {
        q.push(" AND pr.requester_id = ").push_bind(v.viewer.unwrap_or(-1));
    }
    if let Some(words) = f.search.as_deref().and_then(match_expression) {
        q.push(" AND pr.id IN (SELECT rowid FROM patch_request_search WHERE patch_request_search MATCH ")
            .push_bind(words)
            .push(")");
    }
}

/// What someone typed as an FTS5 query that cannot be a syntax error: each word quoted (a
/// quote inside doubled) and matched as a prefix, all of the first eight required.
fn match_expression(typed: &str) -> Option<String> {
    // FTS5 reads a query only up to a NUL, and no control character is worth searching for.
    let words: Vec<String> = typed
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .take(8)
        .map(|w| format!("\"{}\"*", w.replace('"', "\"\"")))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// One page of requests, newest first, the total, and the counts per status.
pub async fn list_requests(
    conn: &mut SqliteConnection,
    f: &ListFilter,
    v: Visibility,
) -> Result<(Vec<RequestSummary>, i64, Vec<(RequestStatus, i64)>), AppError> {
    let mut q = QueryBuilder::<Sqlite>::new(
        "SELECT pr.id, pr.title, pr.category, pr.severity, pr.status, u.name, pr.embargoed, pr.created_at, \
         (SELECT group_concat(t.line_id || ' ' || t.decision || ' ' || \
                 CASE WHEN r.status = 'released' THEN r.version ELSE '' END, ',') \
          FROM patch_target t LEFT JOIN release r ON r.id = t.release_id WHERE t.request_id = pr.id) \
         FROM patch_request pr JOIN user u ON u.id = pr.requester_id WHERE 1 = 1",
    );
    push_filters(&mut q, f, v, true);
    // A queue of pending decisions is worked oldest first; everything else reads newest first.
    let order = if f.decision == Some(Decision::Pending) { " ORDER BY pr.id ASC" } else { " ORDER BY pr.id DESC" };
    q.push(order).push(" LIMIT ").push_bind(i64::from(PAGE_SIZE));
    q.push(" OFFSET ").push_bind(i64::from((f.page.max(1) - 1) * PAGE_SIZE));
    type Row = (i64, String, String, String, String, String, bool, DateTime<Utc>, Option<String>);
    let rows: Vec<Row> = q.build_query_as().fetch_all(&mut *conn).await?;
    let items = rows
        .into_iter()
        .map(|(id, title, category, severity, status, requester, embargoed, created_at, lines)| {
            // Each line as "1.12 approved 1.12.1" (the version only once released).
            let mut line_states: Vec<(LineId, String)> = lines
                .unwrap_or_default()
                .split(',')
                .filter_map(|entry| {
                    let mut parts = entry.split(' ');
                    let line = LineId::parse(parts.next()?).ok()?;
                    let decision = Decision::parse(parts.next()?)?;
                    let shipped = parts.next().filter(|v| !v.is_empty());
                    Some((line, super::line_state(decision, shipped)))
                })
                .collect();
            line_states.sort_by_key(|(line, _)| std::cmp::Reverse(*line));
            let lines: Vec<LineId> = line_states.iter().map(|(l, _)| *l).collect();
            Ok(RequestSummary {
                id,
                title,
                category: Category::parse(&category).ok_or_else(|| corrupt("category", &category))?,
                severity: Severity::parse(&severity).ok_or_else(|| corrupt("severity", &severity))?,
                status: RequestStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
                requester,
                embargoed,
                created_at,
                lines,
                line_states,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;

    let mut counts_q = QueryBuilder::<Sqlite>::new("SELECT pr.status, COUNT(*) FROM patch_request pr WHERE 1 = 1");
    push_filters(&mut counts_q, f, v, false);
    counts_q.push(" GROUP BY pr.status");
    let counted: Vec<(String, i64)> = counts_q.build_query_as().fetch_all(&mut *conn).await?;
    let counts: Vec<(RequestStatus, i64)> = RequestStatus::ALL
        .into_iter()
        .map(|s| (s, counted.iter().find(|(c, _)| c == s.as_str()).map(|(_, n)| *n).unwrap_or(0)))
        .collect();
    let total = match f.status {
        Some(s) => counts.iter().find(|(c, _)| *c == s).map(|(_, n)| *n).unwrap_or(0),
        None => counts.iter().map(|(_, n)| n).sum(),
    };
    Ok((items, total, counts))
}

/// Points the duplicates of `request` at `original`; returns which they were.
pub async fn update_followers(
    conn: &mut SqliteConnection,
    request: i64,
    original: i64,
    now: DateTime<Utc>,
) -> Result<Vec<i64>, AppError> {
    Ok(sqlx::query_scalar(
        "UPDATE patch_request SET duplicate_of = ?, updated_at = ? WHERE duplicate_of = ? RETURNING id",
    )
    .bind(original)
    .bind(now)
    .bind(request)
    .fetch_all(conn)
    .await?)
}

/// Marks `request` a duplicate of `original`: its lines still awaiting triage are rejected with
/// `reason`. False when it changed meanwhile (a line was approved).
pub async fn update_duplicate(
    conn: &mut SqliteConnection,
    request: i64,
    original: i64,
    reason: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let approved: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM patch_target WHERE request_id = ? AND decision = 'approved')")
            .bind(request)
            .fetch_one(&mut *conn)
            .await?;
    if approved {
        return Ok(false);
    }
    sqlx::query("UPDATE patch_request SET duplicate_of = ?, updated_at = ? WHERE id = ?")
        .bind(original)
        .bind(now)
        .bind(request)
        .execute(&mut *conn)
        .await?;
    decline_pending(conn, request, reason, by, now).await?;
    Ok(true)
}
