//! SQL for builds and their suite results.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{SqliteConnection, SqliteExecutor};

use crate::{
    domain::{
        schedule::KnownBuild,
        train::{Build, Suite, SuiteResult, SuiteStatus},
    },
    error::AppError,
};

/// The main branch's builds cut in `from..=to` (and weeklies of weeks that start in it), with
/// their functional result, for the calendar.
pub async fn list_known_builds(
    db: impl SqliteExecutor<'_>,
    main: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<KnownBuild>, AppError> {
    let rows: Vec<(String, NaiveDate, Option<NaiveDate>, Option<String>)> = sqlx::query_as(
        "SELECT b.name, b.cut_on, b.weekly_of, r.status \
         FROM build b LEFT JOIN build_result r ON r.build_id = b.id AND r.suite = 'functional' \
         WHERE b.branch = ? AND (b.cut_on BETWEEN ? AND ? OR b.weekly_of BETWEEN date(?, '-7 days') AND ?) \
         ORDER BY b.cut_at",
    )
    .bind(main)
    .bind(from)
    .bind(to)
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(name, cut_on, weekly_of, status)| KnownBuild {
            name,
            cut_on,
            weekly_of,
            summary: status.unwrap_or_else(|| "pending".into()),
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct BuildRow {
    id: i64,
    name: String,
    branch: String,
    commit_sha: String,
    cut_at: DateTime<Utc>,
    weekly_selected_at: Option<DateTime<Utc>>,
    weekly_reason: Option<String>,
    promoted_to: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ResultRow {
    build_id: i64,
    suite: String,
    status: String,
    link: Option<String>,
    reported_at: DateTime<Utc>,
}

fn result_of(r: ResultRow) -> Result<(i64, SuiteResult), AppError> {
    let corrupt = |v: &str| {
        tracing::error!(value = v, "stored build result does not parse");
        AppError::Internal
    };
    Ok((
        r.build_id,
        SuiteResult {
            suite: Suite::parse(&r.suite).map_err(|_| corrupt(&r.suite))?,
            status: SuiteStatus::parse(&r.status).map_err(|_| corrupt(&r.status))?,
            link: r.link,
            reported_at: r.reported_at,
        },
    ))
}

fn assemble(rows: Vec<BuildRow>, results: Vec<ResultRow>) -> Result<Vec<Build>, AppError> {
    let mut by_build: HashMap<i64, Vec<_>> = HashMap::new();
    for row in results {
        let (id, result) = result_of(row)?;
        by_build.entry(id).or_default().push(result);
    }
    Ok(rows
        .into_iter()
        .map(|b| Build {
            results: by_build.remove(&b.id).unwrap_or_default(),
            name: b.name,
            branch: b.branch,
            commit: b.commit_sha,
            cut_at: b.cut_at,
            weekly_selected_at: b.weekly_selected_at,
            weekly_reason: b.weekly_reason,
            promoted_to: b.promoted_to,
        })
        .collect())
}

/// Builds cut on days `from..=to`, newest first, with their results (two queries, not one
/// per build).
pub async fn list_builds(conn: &mut SqliteConnection, from: NaiveDate, to: NaiveDate) -> Result<Vec<Build>, AppError> {
    let rows: Vec<BuildRow> = sqlx::query_as(
        "SELECT id, name, branch, commit_sha, cut_at, weekly_selected_at, weekly_reason, promoted_to \
         FROM build WHERE cut_on BETWEEN ? AND ? ORDER BY cut_at DESC",
    )
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    let results: Vec<ResultRow> = sqlx::query_as(
        "SELECT r.build_id, r.suite, r.status, r.link, r.reported_at FROM build_result r \
         JOIN build b ON b.id = r.build_id WHERE b.cut_on BETWEEN ? AND ?",
    )
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    assemble(rows, results)
}

/// The weeklies selected since `from`, newest first.
pub async fn list_weeklies(conn: &mut SqliteConnection, from: NaiveDate) -> Result<Vec<Build>, AppError> {
    let rows: Vec<BuildRow> = sqlx::query_as(
        "SELECT id, name, branch, commit_sha, cut_at, weekly_selected_at, weekly_reason, promoted_to \
         FROM build WHERE weekly_selected_at IS NOT NULL AND cut_on >= ? ORDER BY cut_at DESC",
    )
    .bind(from)
    .fetch_all(&mut *conn)
    .await?;
    let results: Vec<ResultRow> = sqlx::query_as(
        "SELECT r.build_id, r.suite, r.status, r.link, r.reported_at FROM build_result r \
         JOIN build b ON b.id = r.build_id WHERE b.weekly_selected_at IS NOT NULL AND b.cut_on >= ?",
    )
    .bind(from)
    .fetch_all(&mut *conn)
    .await?;
    assemble(rows, results)
}

pub async fn find_build(conn: &mut SqliteConnection, name: &str) -> Result<Option<(i64, Build)>, AppError> {
    let row: Option<BuildRow> = sqlx::query_as(
        "SELECT id, name, branch, commit_sha, cut_at, weekly_selected_at, weekly_reason, promoted_to FROM build WHERE name = ?",
    )
    .bind(name)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let id = row.id;
    let results: Vec<ResultRow> =
        sqlx::query_as("SELECT build_id, suite, status, link, reported_at FROM build_result WHERE build_id = ?")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    Ok(assemble(vec![row], results)?.pop().map(|b| (id, b)))
}

pub async fn insert_build(
    conn: &mut SqliteConnection,
    name: &str,
    branch: &str,
    commit: &str,
    cut_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO build (name, branch, commit_sha, cut_at, cut_on, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(name)
    .bind(branch)
    .bind(commit)
    .bind(cut_at)
    .bind(cut_at.date_naive())
    .bind(now)
    .fetch_one(conn)
    .await?)
}

/// Records a suite result (a rerun replaces the earlier one).
pub async fn upsert_result(
    conn: &mut SqliteConnection,
    build: i64,
    suite: Suite,
    status: SuiteStatus,
    link: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO build_result (build_id, suite, status, link, reported_at) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT (build_id, suite) DO UPDATE SET status = excluded.status, link = excluded.link, reported_at = excluded.reported_at",
    )
    .bind(build)
    .bind(suite.as_str())
    .bind(status.as_str())
    .bind(link)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks a build as the weekly of the week starting `week_of`; false when that week has
/// one already (the unique index decides, so two ticks racing cannot pick two).
pub async fn mark_weekly(
    conn: &mut SqliteConnection,
    build: i64,
    week_of: NaiveDate,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let result = sqlx::query("UPDATE build SET weekly_selected_at = ?, weekly_reason = ?, weekly_of = ? WHERE id = ? AND weekly_selected_at IS NULL")
        .bind(now)
        .bind(reason)
        .bind(week_of)
        .bind(build)
        .execute(conn)
        .await;
    match result {
        Ok(r) => Ok(r.rows_affected() == 1),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Whether the week starting `week_of` has its weekly.
pub async fn has_weekly(db: impl SqliteExecutor<'_>, week_of: NaiveDate) -> Result<bool, AppError> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM build WHERE weekly_of = ?").bind(week_of).fetch_optional(db).await?;
    Ok(found.is_some())
}

/// When the last promoted build was cut: a monthly never comes from an older one.
pub async fn last_promoted_cut(db: impl SqliteExecutor<'_>) -> Result<Option<DateTime<Utc>>, AppError> {
    Ok(sqlx::query_scalar("SELECT MAX(cut_at) FROM build WHERE promoted_to IS NOT NULL").fetch_one(db).await?)
}

/// The builds of each of `branches` cut since `since`, newest first (at most 200 a branch),
/// with their results: two queries however many branches a page asks about.
pub async fn list_builds_of_branches(
    conn: &mut SqliteConnection,
    branches: &[String],
    since: DateTime<Utc>,
) -> Result<HashMap<String, Vec<Build>>, AppError> {
    let branches = serde_json::Value::from(branches).to_string();
    let rows: Vec<BuildRow> = sqlx::query_as(
        "SELECT id, name, branch, commit_sha, cut_at, weekly_selected_at, weekly_reason, promoted_to FROM ( \
           SELECT *, row_number() OVER (PARTITION BY branch ORDER BY cut_at DESC) AS newest FROM build \
           WHERE branch IN (SELECT value FROM json_each(?)) AND cut_at >= ?) \
         WHERE newest <= 200 ORDER BY cut_at DESC",
    )
    .bind(&branches)
    .bind(since)
    .fetch_all(&mut *conn)
    .await?;
    let results: Vec<ResultRow> = sqlx::query_as(
        "SELECT r.build_id, r.suite, r.status, r.link, r.reported_at FROM build_result r \
         JOIN build b ON b.id = r.build_id WHERE b.branch IN (SELECT value FROM json_each(?)) AND b.cut_at >= ?",
    )
    .bind(&branches)
    .bind(since)
    .fetch_all(&mut *conn)
    .await?;
    let mut by_branch: HashMap<String, Vec<Build>> = HashMap::new();
    for build in assemble(rows, results)? {
        by_branch.entry(build.branch.clone()).or_default().push(build);
    }
    Ok(by_branch)
}

pub async fn mark_promoted(conn: &mut SqliteConnection, build: i64, version: &str) -> Result<bool, AppError> {
    Ok(sqlx::query("UPDATE build SET promoted_to = ? WHERE id = ? AND promoted_to IS NULL")
        .bind(version)
        .bind(build)
        .execute(conn)
        .await?
        .rows_affected()
        == 1)
}
