//! Reading the catalog, and recording history.

use std::sync::Arc;

use chrono::NaiveDate;

use super::store::{self, NewRelease};
use crate::{
    domain::{
        access::{Permission, Principal},
        catalog::{Catalog, ReleaseStatus},
        schedule::ScheduleEvent,
        version::Version,
    },
    error::AppError,
    features::audit::store::{Change, record},
    platform::state::AppState,
};

/// Lines, releases, policy and blackouts, loaded once per database generation.
pub async fn catalog(state: &AppState) -> Result<Arc<Catalog>, AppError> {
    state.catalog.get_or_load(state.db.generation(), store::load_catalog(state.db.reader())).await
}

/// The train's releases, slots, deadlines and ends of life dated `from..=to`, without builds.
pub async fn release_schedule(
    state: &AppState,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<ScheduleEvent>, AppError> {
    Ok(catalog(state).await?.schedule(&[], state.today(), from, to))
}

/// A release that shipped before Trainyard ran the train, as an import brings it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShippedRelease {
    pub version: Version,
    pub date: NaiveDate,
    pub commit: Option<String>,
    pub notes: String,
}

/// Records a release that already shipped (admins, imports and the demo's older history);
/// true when it was new. Recording the same release again changes nothing.
pub async fn record_shipped(state: &AppState, actor: &Principal, shipped: &ShippedRelease) -> Result<bool, AppError> {
    actor.require(Permission::Administer)?;
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    let new = NewRelease {
        version: shipped.version.clone(),
        status: ReleaseStatus::Published,
        planned_date: Some(shipped.date),
        actual_date: Some(shipped.date),
        out_of_band: false,
        source_build: None,
        source_commit: shipped.commit.clone(),
        notes: shipped.notes.clone(),
        date_note: None,
    };
    if !store::insert_release_if_absent(&mut tx, &new, now).await? {
        return Ok(false);
    }
    let summary = format!("recorded {} as shipped on {}", shipped.version, shipped.date);
    record(&mut tx, actor, Change::new("release.recorded", "release", &shipped.version, summary), now).await?;
    tx.commit().await?;
    Ok(true)
}
