//! SQL for `release`: rows, and the transitions of a release's life.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{SqliteConnection, SqliteExecutor};

use super::{corrupt, ensure_line};
use crate::{
    domain::{
        catalog::{Release, ReleaseKind, ReleaseStatus},
        version::Version,
    },
    error::AppError,
};

#[derive(sqlx::FromRow)]
struct ReleaseRow {
    id: i64,
    version: String,
    status: String,
    planned_date: Option<NaiveDate>,
    actual_date: Option<NaiveDate>,
    out_of_band: bool,
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
        let version = Version::parse(&row.version).map_err(|_| corrupt("release.version", &row.version))?;
        let status = ReleaseStatus::parse(&row.status).ok_or_else(|| corrupt("release.status", &row.status))?;
        Ok(Self {
            id: row.id,
            kind: ReleaseKind::of(&version),
            version,
            status,
            planned_date: row.planned_date,
            actual_date: row.actual_date,
            out_of_band: row.out_of_band,
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
        "SELECT id, version, status, planned_date, actual_date, out_of_band, source_build, \
         source_commit, notes, github_url, date_note, revision, updated_at FROM release"
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

pub async fn find_release(db: impl SqliteExecutor<'_>, version: &Version) -> Result<Option<Release>, AppError> {
    sqlx::query_as::<_, ReleaseRow>(concat!(select_releases!(), " WHERE version = ?"))
        .bind(version.to_string())
        .fetch_optional(db)
        .await?
        .map(Release::try_from)
        .transpose()
}

/// What a new release row holds.
#[derive(Debug, Clone)]
pub struct NewRelease {
    pub version: Version,
    pub status: ReleaseStatus,
    pub planned_date: Option<NaiveDate>,
    pub actual_date: Option<NaiveDate>,
    pub out_of_band: bool,
    pub source_build: Option<String>,
    pub source_commit: Option<String>,
    pub notes: String,
    pub date_note: Option<String>,
}

impl NewRelease {
    /// A planned release on `date`, nothing else known yet.
    pub fn planned(version: Version, date: NaiveDate) -> Self {
        Self {
            version,
            status: ReleaseStatus::Planned,
            planned_date: Some(date),
            actual_date: None,
            out_of_band: false,
            source_build: None,
            source_commit: None,
            notes: String::new(),
            date_note: None,
        }
    }

    /// A planned out-of-band patch, with why it cannot wait for a slot.
    pub fn out_of_band(version: Version, date: NaiveDate, why: String) -> Self {
        Self { out_of_band: true, date_note: Some(why), ..Self::planned(version, date) }
    }
}

/// Inserts a release (and its line when new); returns its id.
pub async fn insert_release(
    conn: &mut SqliteConnection,
    new: &NewRelease,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    ensure_line(conn, new.version.line(), now).await?;
    let id = sqlx::query_scalar(
        "INSERT INTO release (version, line_id, kind, status, planned_date, actual_date, \
         out_of_band, source_build, source_commit, notes, date_note, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(new.version.to_string())
    .bind(new.version.line().to_string())
    .bind(ReleaseKind::of(&new.version).as_str())
    .bind(new.status.as_str())
    .bind(new.planned_date)
    .bind(new.actual_date)
    .bind(new.out_of_band)
    .bind(&new.source_build)
    .bind(&new.source_commit)
    .bind(&new.notes)
    .bind(&new.date_note)
    .bind(now)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// Inserts a release unless its version is stored already (a concurrent writer got there
/// first); true when this call inserted it.
pub async fn insert_release_if_absent(
    conn: &mut SqliteConnection,
    new: &NewRelease,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    ensure_line(conn, new.version.line(), now).await?;
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM release WHERE version = ?")
        .bind(new.version.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    if exists.is_some() {
        return Ok(false);
    }
    insert_release(conn, new, now).await?;
    Ok(true)
}

/// Moves a planned release to another day, with the reason; bumps its revision.
pub async fn update_planned_date(
    conn: &mut SqliteConnection,
    version: &Version,
    date: NaiveDate,
    note: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    Ok(sqlx::query(
        "UPDATE release SET planned_date = ?, date_note = ?, revision = revision + 1, updated_at = ? \
         WHERE version = ? AND actual_date IS NULL AND status NOT IN ('cancelled', 'published')",
    )
    .bind(date)
    .bind(note)
    .bind(now)
    .bind(version.to_string())
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Cancels a planned release, with the reason; bumps its revision.
pub async fn update_cancelled(
    conn: &mut SqliteConnection,
    version: &Version,
    note: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    Ok(sqlx::query(
        "UPDATE release SET status = 'cancelled', date_note = ?, revision = revision + 1, updated_at = ? \
         WHERE version = ? AND actual_date IS NULL AND status IN ('planned', 'candidate')",
    )
    .bind(note)
    .bind(now)
    .bind(version.to_string())
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Records a weekly build as the candidate of a planned minor (a newer one replaces it).
pub async fn update_candidate(
    conn: &mut SqliteConnection,
    version: &Version,
    build: &str,
    commit: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    Ok(sqlx::query(
        "UPDATE release SET status = 'candidate', source_build = ?, source_commit = ?, revision = revision + 1, updated_at = ? \
         WHERE version = ? AND actual_date IS NULL AND status IN ('planned', 'candidate')",
    )
    .bind(build)
    .bind(commit)
    .bind(now)
    .bind(version.to_string())
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// A release manager's approval: the release ships on `date` from `build`.
pub async fn approve_release(
    conn: &mut SqliteConnection,
    version: &Version,
    date: NaiveDate,
    build: &str,
    commit: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    Ok(sqlx::query(
        "UPDATE release SET status = 'approved', actual_date = ?, source_build = ?, source_commit = ?, revision = revision + 1, updated_at = ? \
         WHERE version = ? AND actual_date IS NULL AND status IN ('planned', 'candidate')",
    )
    .bind(date)
    .bind(build)
    .bind(commit)
    .bind(now)
    .bind(version.to_string())
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// The release is being published to GitHub.
pub async fn update_publishing(
    conn: &mut SqliteConnection,
    release_id: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    sqlx::query("UPDATE release SET status = 'publishing', updated_at = ? WHERE id = ? AND status = 'approved'")
        .bind(now)
        .bind(release_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The release is on GitHub.
pub async fn update_github_published(
    conn: &mut SqliteConnection,
    release_id: i64,
    tag: &str,
    github_id: i64,
    url: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE release SET status = 'published', github_tag = ?, github_release_id = ?, github_url = ?, revision = revision + 1, updated_at = ? WHERE id = ?",
    )
    .bind(tag)
    .bind(github_id)
    .bind(url)
    .bind(now)
    .bind(release_id)
    .execute(conn)
    .await?;
    Ok(())
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

    #[tokio::test]
    async fn releases_round_trip_and_create_their_line() {
        let (_dir, db) = db().await;
        let mut tx = db.begin_write().await.unwrap();
        let new = NewRelease {
            version: Version::parse("1.10.2").unwrap(),
            status: ReleaseStatus::Planned,
            planned_date: Some("2026-12-08".parse().unwrap()),
            actual_date: None,
            out_of_band: false,
            source_build: None,
            source_commit: None,
            notes: "fixes".into(),
            date_note: None,
        };
        insert_release(&mut tx, &new, now()).await.unwrap();
        tx.commit().await.unwrap();

        let lines = list_lines(db.reader()).await.unwrap();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].id.to_string(), "1.10");
        let found = find_release(db.reader(), &new.version).await.unwrap().unwrap();
        assert_eq!(found.kind, ReleaseKind::Patch);
        assert_eq!(found.planned_date, new.planned_date);
        assert!(found.is_planned());
    }

    #[tokio::test]
    async fn the_policy_defaults_until_saved() {
        let (_dir, db) = db().await;
        assert_eq!(find_policy(db.reader()).await.unwrap(), Policy::default());
        let changed = Policy { support_weeks: 8, ..Policy::default() };
        let mut tx = db.begin_write().await.unwrap();
        update_policy(&mut tx, &changed, now()).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(find_policy(db.reader()).await.unwrap(), changed);
    }

    #[tokio::test]
    async fn a_version_is_stored_once() {
        let (_dir, db) = db().await;
        let new = NewRelease {
            version: Version::parse("1.9.0").unwrap(),
            status: ReleaseStatus::Published,
            planned_date: None,
            actual_date: Some("2026-08-25".parse().unwrap()),
            out_of_band: false,
            source_build: None,
            source_commit: None,
            notes: String::new(),
            date_note: None,
        };
        let mut tx = db.begin_write().await.unwrap();
        insert_release(&mut tx, &new, now()).await.unwrap();
        assert!(insert_release(&mut tx, &new, now()).await.is_err());
    }
}
