//! What CI reports: builds and their suite results, each idempotent.

use crate::features::train::store;
use crate::{
    domain::{
        access::{Permission, Principal},
        train::{Build, NewBuild, ReportedBuild, ReportedResult},
    },
    error::AppError,
    features::audit::store::{Change, record},
    platform::state::AppState,
};

/// Records a build; the same report twice changes nothing, another commit under the same name
/// is a conflict. Returns the build and whether it was new.
pub async fn report_build(state: &AppState, actor: &Principal, input: &NewBuild) -> Result<(Build, bool), AppError> {
    actor.require(Permission::ReportBuilds)?;
    let ReportedBuild { name: full, parts: name, commit } = input.parse()?;
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    if let Some((_, existing)) = store::find_build(&mut tx, &full).await? {
        if existing.commit != commit {
            return Err(AppError::conflict(format!("build {full} was reported with commit {}", existing.commit)));
        }
        return Ok((existing, false));
    }
    store::insert_build(&mut tx, &full, &name.branch, &commit, name.cut_at, now).await?;
    record(
        &mut tx,
        actor,
        Change::new("build.reported", "build", &full, format!("reported {full} at {}", &commit[..7.min(commit.len())])),
        now,
    )
    .await?;
    let (_, build) = store::find_build(&mut tx, &full).await?.ok_or(AppError::Internal)?;
    tx.commit().await?;
    Ok((build, true))
}

/// Records a suite result; the same result twice changes nothing. Returns whether it changed.
pub async fn report_result(
    state: &AppState,
    actor: &Principal,
    name: &str,
    suite: &str,
    status: &str,
    link: Option<&str>,
) -> Result<bool, AppError> {
    actor.require(Permission::ReportBuilds)?;
    let ReportedResult { suite, status, link } = ReportedResult::parse(suite, status, link)?;
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    let (id, build) = store::find_build(&mut tx, name.trim())
        .await?
        .ok_or_else(|| AppError::not_found(format!("build {}", name.trim())))?;
    let link_text = link.as_ref().map(|l| l.as_str().to_owned());
    if build.status(suite) == Some(status) && build.link(suite) == link_text {
        return Ok(false);
    }
    if let Some(version) = &build.promoted_to {
        return Err(AppError::conflict(format!("{} was promoted to {version}; its results are final", build.name)));
    }
    store::upsert_result(&mut tx, id, suite, status, link_text.as_deref(), now).await?;
    let summary = format!("{} {} {}", build.name, suite.as_str(), status.as_str());
    record(&mut tx, actor, Change::new("build.result", "build", &build.name, summary), now).await?;
    tx.commit().await?;
    Ok(true)
}
