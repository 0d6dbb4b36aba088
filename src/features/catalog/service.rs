//! Reading the catalog and its plan, recording history, and a line's end-of-life override.

use std::sync::Arc;

use chrono::{Datelike, Months, NaiveDate};

use super::store::{self, NewRelease};
pub use crate::domain::catalog::ShippedRelease;
use crate::{
    domain::{
        access::{Permission, Principal},
        catalog::{Catalog, ReleaseKind, ReleaseStatus, Slot},
        errors::FieldError,
        plan::Plan,
        policy::EolOverride,
        schedule::{KnownBuild, ScheduleEvent, events},
        version::LineId,
    },
    error::AppError,
    features::audit::store::{Change, record},
    platform::state::AppState,
};

/// How far ahead pages look when they only need what is next.
pub const NEAR: Months = Months::new(4);

/// Lines, releases, policy and blackouts, loaded once per database generation.
pub async fn catalog(state: &AppState) -> Result<Arc<Catalog>, AppError> {
    let generation = state.db.generation();
    let load = async {
        let started = std::time::Instant::now();
        let catalog = store::load_catalog(state.db.reader()).await;
        state.metrics.catalog_load_seconds.observe(started.elapsed().as_secs_f64());
        catalog
    };
    state.catalog.get_or_load(generation, load).await
}

/// The plan as of today, projected `ahead` of it.
pub async fn plan(state: &AppState, ahead: Months) -> Result<(Arc<Catalog>, Arc<Plan>), AppError> {
    let catalog = catalog(state).await?;
    let today = state.today();
    let plan = catalog.shared_plan(today, today + ahead);
    Ok((catalog, plan))
}

/// The train's events dated `from..=to` with the given builds of the main branch.
pub async fn schedule_with(
    state: &AppState,
    builds: &[KnownBuild],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<ScheduleEvent>, AppError> {
    let catalog = catalog(state).await?;
    let plan = catalog.shared_plan(state.today(), to.max(state.today()));
    Ok(events(&plan, &catalog, builds, from, to))
}

/// Records a release that already shipped (admins, imports and the demo's older history);
/// true when it was new. Recording the same release again changes nothing.
pub async fn record_shipped(state: &AppState, actor: &Principal, shipped: &ShippedRelease) -> Result<bool, AppError> {
    actor.require(Permission::Administer)?;
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    let new = record_shipped_in(&mut tx, actor, shipped, now).await?;
    tx.commit().await?;
    Ok(new)
}

/// [`record_shipped`] inside the caller's transaction, so an import is all or nothing.
pub async fn record_shipped_in(
    conn: &mut sqlx::SqliteConnection,
    actor: &Principal,
    shipped: &ShippedRelease,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, AppError> {
    actor.require(Permission::Administer)?;
    let version = &shipped.version;
    if version.is_prerelease() {
        return Err(
            FieldError::new("version", "record released versions; pre-releases are not part of the train").into()
        );
    }
    if shipped.date > now.date_naive() {
        return Err(FieldError::new("date", "a shipped release has a date in the past").into());
    }
    if store::version_taken(&mut *conn, version).await? {
        return Ok(false);
    }
    let line = version.line();
    let kind = ReleaseKind::of(version);
    let slot = match kind {
        ReleaseKind::Minor => free_minor_slot(conn, shipped.date).await?,
        ReleaseKind::Patch => {
            let regular = Slot::patch_of(line, shipped.date);
            if store::find_by_slot(&mut *conn, &regular).await?.is_none() {
                regular
            } else {
                Slot::OutOfBand { line, n: store::count_out_of_band(&mut *conn, line).await? + 1 }
            }
        }
    };
    let new = NewRelease {
        version: Some(version.clone()),
        status: ReleaseStatus::Released,
        actual_date: Some(shipped.date),
        source_commit: shipped.commit.clone(),
        notes: shipped.notes.clone(),
        ..NewRelease::planned(line, kind, slot, shipped.date)
    };
    store::insert_release(conn, &new, now).await?;
    let summary = format!("recorded {version} as released on {}", shipped.date);
    record(conn, actor, Change::new("release.recorded", "release", version, summary), now).await?;
    Ok(true)
}

/// The first free monthly slot of `date`'s month (imports may bring two minors in one month).
async fn free_minor_slot(conn: &mut sqlx::SqliteConnection, date: NaiveDate) -> Result<Slot, AppError> {
    for n in 0.. {
        let slot = Slot::Minor { year: date.year(), month: date.month(), n };
        if store::find_by_slot(&mut *conn, &slot).await?.is_none() {
            return Ok(slot);
        }
    }
    unreachable!("a month has a free slot number")
}

/// Longest note on an end-of-life override.
pub const MAX_NOTE: usize = 200;

/// Sets (or, with `None`, clears) a line's end of life by hand, with the reason people read.
pub async fn set_eol_override(
    state: &AppState,
    actor: &Principal,
    line: LineId,
    value: Option<EolOverride>,
) -> Result<(), AppError> {
    actor.require(Permission::EditSchedule)?;
    let value = value.map(|o| EolOverride { date: o.date, note: o.note.trim().to_owned() });
    if let Some(o) = &value {
        let note = o.note.as_str();
        if note.is_empty() {
            return Err(FieldError::new("note", "say why, so the matrix and the calendar can show it").into());
        }
        if note.chars().count() > MAX_NOTE {
            return Err(FieldError::new("note", format!("use at most {MAX_NOTE} characters")).into());
        }
    }
    let before = catalog(state)
        .await?
        .line(line)
        .ok_or_else(|| AppError::not_found(format!("line {line}")))?
        .eol_override
        .clone();
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    store::update_eol_override(&mut tx, line, value.as_ref()).await?;
    let summary = match &value {
        Some(o) => format!("set {line}'s end of life to {}: {}", o.date, o.note),
        None => format!("cleared {line}'s end-of-life override"),
    };
    let change = Change::new("line.eol_override", "release_line", line, summary).before(&before).after(&value);
    record(&mut tx, actor, change, now).await?;
    tx.commit().await
}
