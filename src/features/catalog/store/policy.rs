//! SQL for the one `policy` row.

use chrono::{DateTime, Utc};
use sqlx::{SqliteConnection, SqliteExecutor};

use super::corrupt;
use crate::{
    domain::{
        calendar_rules::weekday_name,
        policy::{Cadence, Policy},
        train::Suite,
    },
    error::AppError,
};

#[derive(sqlx::FromRow)]
struct PolicyRow {
    minor_release: String,
    patch_deadline: String,
    patch_target: String,
    weekly_qualification: String,
    daily_cut_hour: i64,
    branch_cut_days: i64,
    code_freeze_days: i64,
    support_weeks: i64,
    support_successor: i64,
    main_branch: String,
    release_branch: String,
    patch_suites: String,
    cadence: String,
}

/// The stored policy, or the defaults when no admin has saved one.
pub async fn find_policy(db: impl SqliteExecutor<'_>) -> Result<Policy, AppError> {
    let Some(row) = sqlx::query_as::<_, PolicyRow>(
        "SELECT minor_release, patch_deadline, patch_target, weekly_qualification, daily_cut_hour, \
         branch_cut_days, code_freeze_days, support_weeks, support_successor, main_branch, release_branch, \
         patch_suites, cadence FROM policy WHERE id = 1",
    )
    .fetch_optional(db)
    .await?
    else {
        return Ok(Policy::default());
    };
    let day = |v: &str| v.parse().map_err(|_| corrupt("policy", v));
    let count = |v: i64| u32::try_from(v).map_err(|_| corrupt("policy", &v.to_string()));
    Ok(Policy {
        minor_release: day(&row.minor_release)?,
        patch_deadline: day(&row.patch_deadline)?,
        patch_target: day(&row.patch_target)?,
        weekly_qualification: row
            .weekly_qualification
            .parse()
            .map_err(|_| corrupt("policy.weekly_qualification", &row.weekly_qualification))?,
        daily_cut_hour: count(row.daily_cut_hour)?,
        branch_cut_days: count(row.branch_cut_days)?,
        code_freeze_days: count(row.code_freeze_days)?,
        support_weeks: count(row.support_weeks)?,
        support_successor: count(row.support_successor)?,
        patch_suites: row
            .patch_suites
            .split(',')
            .map(|s| Suite::parse(s).map_err(|_| corrupt("policy.patch_suites", &row.patch_suites)))
            .collect::<Result<_, _>>()?,
        cadence: Cadence::parse(&row.cadence).ok_or_else(|| corrupt("policy.cadence", &row.cadence))?,
        main_branch: row.main_branch,
        release_branch: row.release_branch,
    })
}

/// Saves the policy (the caller validated it).
pub async fn update_policy(conn: &mut SqliteConnection, policy: &Policy, now: DateTime<Utc>) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO policy (id, minor_release, patch_deadline, patch_target, weekly_qualification, \
         daily_cut_hour, branch_cut_days, code_freeze_days, support_weeks, support_successor, main_branch, \
         release_branch, patch_suites, cadence, updated_at) \
         VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (id) DO UPDATE SET minor_release = excluded.minor_release, \
         patch_deadline = excluded.patch_deadline, patch_target = excluded.patch_target, \
         weekly_qualification = excluded.weekly_qualification, daily_cut_hour = excluded.daily_cut_hour, \
         branch_cut_days = excluded.branch_cut_days, code_freeze_days = excluded.code_freeze_days, \
         support_weeks = excluded.support_weeks, support_successor = excluded.support_successor, \
         main_branch = excluded.main_branch, release_branch = excluded.release_branch, \
         patch_suites = excluded.patch_suites, cadence = excluded.cadence, updated_at = excluded.updated_at",
    )
    .bind(policy.minor_release.to_string())
    .bind(policy.patch_deadline.to_string())
    .bind(policy.patch_target.to_string())
    .bind(weekday_name::long(policy.weekly_qualification))
    .bind(policy.daily_cut_hour)
    .bind(policy.branch_cut_days)
    .bind(policy.code_freeze_days)
    .bind(policy.support_weeks)
    .bind(policy.support_successor)
    .bind(&policy.main_branch)
    .bind(&policy.release_branch)
    .bind(policy.patch_suites.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(","))
    .bind(policy.cadence.as_str())
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}
