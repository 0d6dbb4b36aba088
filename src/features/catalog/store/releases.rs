//! SQL for `release`: rows, and the transitions of a release's life. Each transition names
//! the statuses it may start from in its `WHERE`, so two writers racing cannot both apply it;
//! each bumps the release's revision (the calendar's SEQUENCE).

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{SqliteConnection, SqliteExecutor};

use super::{corrupt, ensure_line};
use crate::{
    domain::{
        catalog::{Release, ReleaseKind, ReleaseStatus, Slot},
        version::{LineId, Version},
    },
    error::AppError,
};

#[derive(sqlx::FromRow)]
struct ReleaseRow {
    id: i64,
    line_id: String,
    kind: String,
    slot: String,
    version: Option<String>,
    status: String,
    planned_date: NaiveDate,
    cherry_pick_deadline: Option<NaiveDate>,
    actual_date: Option<NaiveDate>,
    source_build: Option<String>,
    source_commit: Option<String>,
    notes: String,
    github_url: Option<String>,
    date_note: Option<String>,
    revision: i64,
    updated_at: DateTime<Utc>,
}

impl TryFrom<ReleaseRow> for Release {
    type Error = AppError;
    fn try_from(row: ReleaseRow) -> Result<Self, AppError> {
        let version = match &row.version {
            Some(v) => Some(Version::parse(v).map_err(|_| corrupt("release.version", v))?),
            None => None,
        };
        Ok(Self {
            id: row.id,
            line: LineId::parse(&row.line_id).map_err(|_| corrupt("release.line_id", &row.line_id))?,
            kind: match row.kind.as_str() {
                "minor" => ReleaseKind::Minor,
                "patch" => ReleaseKind::Patch,
                other => return Err(corrupt("release.kind", other)),
            },
            slot: row.slot.parse().map_err(|_| corrupt("release.slot", &row.slot))?,
            version,
            status: ReleaseStatus::parse(&row.status).ok_or_else(|| corrupt("release.status", &row.status))?,
            planned_date: row.planned_date,
            cherry_pick_deadline: row.cherry_pick_deadline,
            actual_date: row.actual_date,
            source_build: row.source_build,
            source_commit: row.source_commit,
            notes: row.notes,
            github_url: row.github_url,
            date_note: row.date_note,
            revision: u32::try_from(row.revision).unwrap_or(0),
            updated_at: row.updated_at,
        })
    }
}

/// `SELECT … FROM release`, as a literal so queries stay `concat!`ed constants.
macro_rules! select_releases {
    () => {
        "SELECT id, line_id, kind, slot, version, status, planned_date, cherry_pick_deadline, actual_date, \
         source_build, source_commit, notes, github_url, date_note, revision, updated_at FROM release"
    };
}

pub async fn list_releases(db: impl SqliteExecutor<'_>) -> Result<Vec<Release>, AppError> {
    sqlx::query_as::<_, ReleaseRow>(select_releases!())
        .fetch_all(db)
        .await?
        .into_iter()
        .map(Release::try_from)
        .collect()
}

pub async fn find_release(db: impl SqliteExecutor<'_>, id: i64) -> Result<Option<Release>, AppError> {
    sqlx::query_as::<_, ReleaseRow>(concat!(select_releases!(), " WHERE id = ?"))
        .bind(id)
        .fetch_optional(db)
        .await?
        .map(Release::try_from)
        .transpose()
}

pub async fn find_by_slot(db: impl SqliteExecutor<'_>, slot: &Slot) -> Result<Option<Release>, AppError> {
    sqlx::query_as::<_, ReleaseRow>(concat!(select_releases!(), " WHERE slot = ?"))
        .bind(slot.key())
        .fetch_optional(db)
        .await?
        .map(Release::try_from)
        .transpose()
}

/// What a new release row holds.
#[derive(Debug, Clone)]
pub struct NewRelease {
    pub line: LineId,
    pub kind: ReleaseKind,
    pub slot: Slot,
    /// Only for a release recorded as released.
    pub version: Option<Version>,
    pub status: ReleaseStatus,
    pub planned_date: NaiveDate,
    pub cherry_pick_deadline: Option<NaiveDate>,
    pub actual_date: Option<NaiveDate>,
    pub source_commit: Option<String>,
    pub notes: String,
    pub date_note: Option<String>,
}

impl NewRelease {
    /// A planned release of `line` in `slot` on `date`, nothing else known yet.
    pub fn planned(line: LineId, kind: ReleaseKind, slot: Slot, date: NaiveDate) -> Self {
        Self {
            line,
            kind,
            slot,
            version: None,
            status: ReleaseStatus::Planned,
            planned_date: date,
            cherry_pick_deadline: None,
            actual_date: None,
            source_commit: None,
            notes: String::new(),
            date_note: None,
        }
    }
}

/// Inserts a release (and its line when new); returns its id.
pub async fn insert_release(
    conn: &mut SqliteConnection,
    new: &NewRelease,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    ensure_line(conn, new.line, now).await?;
    let id = sqlx::query_scalar(
        "INSERT INTO release (line_id, kind, slot, version, status, planned_date, cherry_pick_deadline, actual_date, \
         source_commit, notes, date_note, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(new.line.to_string())
    .bind(new.kind.as_str())
    .bind(new.slot.key())
    .bind(new.version.as_ref().map(ToString::to_string))
    .bind(new.status.as_str())
    .bind(new.planned_date)
    .bind(new.cherry_pick_deadline)
    .bind(new.actual_date)
    .bind(&new.source_commit)
    .bind(&new.notes)
    .bind(&new.date_note)
    .bind(now)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// The release in `new.slot`, inserted if the slot is empty; returns its id.
pub async fn ensure_release(
    conn: &mut SqliteConnection,
    new: &NewRelease,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    match find_by_slot(&mut *conn, &new.slot).await? {
        Some(existing) => Ok(existing.id),
        None => insert_release(conn, new, now).await,
    }
}

/// Whether a released release of `version` is stored already.
pub async fn version_taken(db: impl SqliteExecutor<'_>, version: &Version) -> Result<bool, AppError> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM release WHERE version = ?")
        .bind(version.to_string())
        .fetch_optional(db)
        .await?;
    Ok(found.is_some())
}

/// How many out-of-band slots a line has had: the next one's number follows.
pub async fn count_out_of_band(db: impl SqliteExecutor<'_>, line: LineId) -> Result<u32, AppError> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM release WHERE line_id = ? AND slot LIKE 'oob-%'")
        .bind(line.to_string())
        .fetch_one(db)
        .await?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// The line's out-of-band patch due on `day` that is still being prepared (planned, or with a
/// candidate not yet approved): a second S1 approved for that day ships in it, one security
/// release per line and day as a release team cuts it, not one per request.
pub async fn find_open_out_of_band(
    db: impl SqliteExecutor<'_>,
    line: LineId,
    day: NaiveDate,
) -> Result<Option<i64>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM release WHERE line_id = ? AND slot LIKE 'oob-%' AND planned_date = ? \
         AND status IN ('planned', 'candidate') ORDER BY id LIMIT 1",
    )
    .bind(line.to_string())
    .bind(day)
    .fetch_optional(db)
    .await?)
}

/// Rewrites why a release is on its day, when what it is for grows; a new revision, so
/// calendars that hold it update.
pub async fn update_date_note(
    conn: &mut SqliteConnection,
    id: i64,
    note: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    sqlx::query("UPDATE release SET date_note = ?, revision = revision + 1, updated_at = ? WHERE id = ?")
        .bind(note)
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Applies a status change to a release that is in one of `from`; false when it is not (it
/// changed under the caller).
async fn transition(
    conn: &mut SqliteConnection,
    id: i64,
    from: &[ReleaseStatus],
    to: ReleaseStatus,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let from: Vec<&str> = from.iter().map(|s| s.as_str()).collect();
    let placeholders = vec!["?"; from.len()].join(", ");
    let sql = format!(
        "UPDATE release SET status = ?, revision = revision + 1, updated_at = ? WHERE id = ? AND status IN ({placeholders})"
    );
    let mut query = sqlx::query(&sql).bind(to.as_str()).bind(now).bind(id);
    for status in from {
        query = query.bind(status);
    }
    Ok(query.execute(conn).await?.rows_affected() == 1)
}

/// Records the candidate build a release would be made from.
pub async fn update_candidate(
    conn: &mut SqliteConnection,
    id: i64,
    build: &str,
    commit: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    use ReleaseStatus::*;
    if !transition(conn, id, &[Planned, Candidate], Candidate, now).await? {
        return Ok(false);
    }
    sqlx::query("UPDATE release SET source_build = ?, source_commit = ? WHERE id = ?")
        .bind(build)
        .bind(commit)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(true)
}

/// A release manager's approval of the candidate; the date stays as planned.
pub async fn update_approved(conn: &mut SqliteConnection, id: i64, now: DateTime<Utc>) -> Result<bool, AppError> {
    transition(conn, id, &[ReleaseStatus::Candidate], ReleaseStatus::Approved, now).await
}

pub async fn update_cancelled(
    conn: &mut SqliteConnection,
    id: i64,
    note: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    use ReleaseStatus::*;
    Ok(transition(conn, id, &[Planned, Candidate], Cancelled, now).await? && set_note(conn, id, note).await?)
}

pub async fn update_skipped(
    conn: &mut SqliteConnection,
    id: i64,
    note: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    use ReleaseStatus::*;
    Ok(transition(conn, id, &[Planned, Candidate], Skipped, now).await? && set_note(conn, id, note).await?)
}

async fn set_note(conn: &mut SqliteConnection, id: i64, note: &str) -> Result<bool, AppError> {
    sqlx::query("UPDATE release SET date_note = ? WHERE id = ?").bind(note).bind(id).execute(conn).await?;
    Ok(true)
}

/// Moves a live release that has not started publishing to another day, with the reason; a
/// regular patch's cherry-pick deadline moves with it by as many days.
pub async fn update_planned_date(
    conn: &mut SqliteConnection,
    id: i64,
    date: NaiveDate,
    note: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    Ok(sqlx::query(
        "UPDATE release SET \
           cherry_pick_deadline = CASE WHEN cherry_pick_deadline IS NULL THEN NULL \
             ELSE date(cherry_pick_deadline, (julianday(?) - julianday(planned_date)) || ' days') END, \
           planned_date = ?, date_note = ?, revision = revision + 1, updated_at = ? \
         WHERE id = ? AND status IN ('planned', 'candidate', 'approved')",
    )
    .bind(date)
    .bind(date)
    .bind(note)
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// The release's line, for a monthly renumbered after a cancelled one freed its version.
pub async fn update_line(
    conn: &mut SqliteConnection,
    id: i64,
    line: LineId,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    ensure_line(conn, line, now).await?;
    sqlx::query(
        "UPDATE release SET line_id = ?, revision = revision + 1, updated_at = ? WHERE id = ? AND version IS NULL",
    )
    .bind(line.to_string())
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Publishing starts: the version is fixed from here on.
pub async fn update_publishing(
    conn: &mut SqliteConnection,
    id: i64,
    version: &Version,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    Ok(sqlx::query(
        "UPDATE release SET status = 'publishing', version = ?, revision = revision + 1, updated_at = ? \
         WHERE id = ? AND status = 'approved'",
    )
    .bind(version.to_string())
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Released on `date`: from publishing (with its GitHub release) or, marked by a manager when
/// publishing is a dry run, from approved (with its version fixed now).
pub async fn update_released(
    conn: &mut SqliteConnection,
    id: i64,
    version: &Version,
    date: NaiveDate,
    github: Option<(&str, i64, &str)>,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    Ok(sqlx::query(
        "UPDATE release SET status = 'released', version = ?, actual_date = ?, github_tag = ?, \
         github_release_id = ?, github_url = ?, revision = revision + 1, updated_at = ? \
         WHERE id = ? AND status IN ('approved', 'publishing')",
    )
    .bind(version.to_string())
    .bind(date)
    .bind(github.map(|(tag, ..)| tag))
    .bind(github.map(|(_, id, _)| id))
    .bind(github.map(|(.., url)| url))
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        domain::policy::Policy,
        features::catalog::store::{find_policy, list_lines, update_policy},
        platform::db::Db,
    };

    async fn db() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        (dir, Db::open(&url).await.unwrap())
    }

    fn now() -> DateTime<Utc> {
        "2026-11-26T12:00:00Z".parse().unwrap()
    }

    fn planned_patch() -> NewRelease {
        let line = LineId::new(1, 10);
        let date: NaiveDate = "2026-12-08".parse().unwrap();
        NewRelease {
            notes: "fixes".into(),
            ..NewRelease::planned(line, ReleaseKind::Patch, Slot::patch_of(line, date), date)
        }
    }

    #[tokio::test]
    async fn releases_round_trip_and_create_their_line() {
        let (_dir, db) = db().await;
        let mut tx = db.begin_write().await.unwrap();
        let new = planned_patch();
        let id = insert_release(&mut tx, &new, now()).await.unwrap();
        tx.commit().await.unwrap();

        let lines = list_lines(db.reader()).await.unwrap();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].id.to_string(), "1.10");
        let found = find_release(db.reader(), id).await.unwrap().unwrap();
        assert_eq!((found.kind, found.slot, found.planned_date), (ReleaseKind::Patch, new.slot, new.planned_date));
        assert_eq!(found.status, ReleaseStatus::Planned);
        assert_eq!(found.version, None, "a planned release is numbered by the plan");
    }

    #[tokio::test]
    async fn the_policy_defaults_until_saved() {
        let (_dir, db) = db().await;
        assert_eq!(find_policy(db.reader()).await.unwrap(), Policy::default());
        let changed = Policy { support_weeks: 8, release_branch: "releases/{line}".into(), ..Policy::default() };
        let mut tx = db.begin_write().await.unwrap();
        update_policy(&mut tx, &changed, now()).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(find_policy(db.reader()).await.unwrap(), changed);
    }

    #[tokio::test]
    async fn a_slot_holds_one_release_and_transitions_start_only_where_they_may() {
        let (_dir, db) = db().await;
        let mut tx = db.begin_write().await.unwrap();
        let id = insert_release(&mut tx, &planned_patch(), now()).await.unwrap();
        assert!(insert_release(&mut tx, &planned_patch(), now()).await.is_err(), "one release per slot");
        assert_eq!(ensure_release(&mut tx, &planned_patch(), now()).await.unwrap(), id);
        assert!(!update_approved(&mut tx, id, now()).await.unwrap(), "a planned release has no candidate");
        assert!(update_candidate(&mut tx, id, "release-1.10-20261207-0200", "abc1234", now()).await.unwrap());
        assert!(update_approved(&mut tx, id, now()).await.unwrap());
        assert!(
            !update_cancelled(&mut tx, id, "too late", now()).await.unwrap(),
            "approved releases are not cancelled"
        );
        let v = Version::new(1, 10, 4);
        assert!(update_released(&mut tx, id, &v, "2026-12-08".parse().unwrap(), None, now()).await.unwrap());
        let r = find_release(&mut *tx, id).await.unwrap().unwrap();
        assert_eq!((r.status, r.version, r.revision), (ReleaseStatus::Released, Some(v), 3));
    }
}
