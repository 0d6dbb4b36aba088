//! The train's automation under supervision: weeklies chosen, the monthly candidate proposed,
//! and a release manager's promotion.

use chrono::{Days, NaiveDate};

use crate::features::train::store;
use crate::{
    domain::{
        access::{Permission, Principal},
        calendar_rules::monday_of,
        catalog::ReleaseStatus,
        schedule::{EventKind, EventStatus},
        train::{Build, BuildFacts, Suite, SuiteStatus, propose_candidate, select_weekly, weekly_point},
        version::Version,
    },
    error::AppError,
    features::{
        audit::store::{Change, record},
        catalog::{
            service::{catalog, release_schedule},
            store::{NewRelease, approve_release, insert_release_if_absent, update_candidate},
        },
    },
    platform::state::AppState,
};

/// How far back the train page and the automation look.
pub(super) const HISTORY_DAYS: u64 = 42;
/// The candidate is proposed once the monthly release is this close.
const CANDIDATE_WINDOW_DAYS: i64 = 14;

/// The next minor the train heads for, and its day (planned, projected or slipped).
pub(super) async fn next_minor(state: &AppState) -> Result<Option<(Version, NaiveDate)>, AppError> {
    let today = state.today();
    let events = release_schedule(state, today - Days::new(60), today + Days::new(62)).await?;
    Ok(events
        .iter()
        .filter(|e| e.kind == EventKind::Minor && matches!(e.status, EventStatus::Planned | EventStatus::Projected))
        .find_map(|e| Some((e.version.clone()?, e.date))))
}

pub(super) async fn recent(state: &AppState) -> Result<Vec<Build>, AppError> {
    let today = state.today();
    let mut conn = state.db.reader().acquire().await?;
    store::list_builds(&mut conn, today - Days::new(HISTORY_DAYS), today).await
}

/// What one run of the automation did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TickReport {
    pub weeklies: Vec<String>,
    pub candidate: Option<String>,
}

/// One step of the train under supervision: choose the weeklies whose time has come and
/// propose the monthly candidate. It never promotes or publishes. Each decision is its own
/// transaction guarded by what is stored, so a tick cut short is simply run again.
pub async fn tick(state: &AppState) -> Result<TickReport, AppError> {
    let actor = Principal::System("train");
    let mut report = TickReport::default();
    let now = state.clock.now();
    let policy = catalog(state).await?.policy.clone();
    let builds = recent(state).await?;
    let facts: Vec<BuildFacts> = builds.iter().map(Build::facts).collect();
    for weeks_back in (0..6).rev() {
        let monday = monday_of(now.date_naive()) - Days::new(7 * weeks_back);
        let point = weekly_point(monday, policy.weekly_qualification, policy.daily_cut_hour);
        if point > now || store::has_weekly(state.db.reader(), monday).await? {
            continue;
        }
        let Some(chosen) = select_weekly(&facts, point) else { continue };
        let skipped = facts.iter().filter(|b| b.cut_at > chosen.cut_at && b.cut_at <= point).count();
        let reason = format!(
            "newest daily that passed functional tests as of {}{}",
            point.format("%a %-d %b %H:%M UTC"),
            if skipped > 0 { format!(" ({skipped} newer daily builds had not passed)") } else { String::new() }
        );
        let mut tx = state.db.begin_write().await?;
        let Some((id, _)) = store::find_build(&mut tx, &chosen.name).await? else { continue };
        if store::mark_weekly(&mut tx, id, monday, &reason, point).await? {
            for suite in [Suite::Stability, Suite::Performance] {
                store::upsert_result(&mut tx, id, suite, SuiteStatus::Pending, None, now).await?;
            }
            record(
                &mut tx,
                &actor,
                Change::new(
                    "build.weekly_selected",
                    "build",
                    &chosen.name,
                    format!("{} is the weekly of {monday}: {reason}", chosen.name),
                ),
                now,
            )
            .await?;
            tx.commit().await?;
            report.weeklies.push(chosen.name.clone());
        }
    }
    report.candidate = propose(state, &actor).await?;
    Ok(report)
}

/// Stores the newest fully qualified weekly as the candidate of the coming monthly release.
async fn propose(state: &AppState, actor: &Principal) -> Result<Option<String>, AppError> {
    let Some((version, day)) = next_minor(state).await? else { return Ok(None) };
    let today = state.today();
    if (day - today).num_days() > CANDIDATE_WINDOW_DAYS {
        return Ok(None);
    }
    let builds = recent(state).await?;
    let facts: Vec<BuildFacts> = builds.iter().map(Build::facts).collect();
    let Some(best) = propose_candidate(&facts, day.max(today + Days::new(1))) else { return Ok(None) };
    let catalog = catalog(state).await?;
    let stored = catalog.release(&version);
    if stored.is_some_and(|r| {
        r.source_build.as_deref() == Some(best.name.as_str())
            || r.shipped().is_some()
            || r.status == ReleaseStatus::Cancelled
    }) {
        return Ok(None);
    }
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    let new = NewRelease::planned(version.clone(), day);
    insert_release_if_absent(&mut tx, &new, now).await?;
    if !update_candidate(&mut tx, &version, &best.name, &best.commit, now).await? {
        return Ok(None);
    }
    let summary = format!(
        "proposed {} as the candidate for {version}: the newest weekly that passed all three suites",
        best.name
    );
    record(&mut tx, actor, Change::new("release.candidate_proposed", "release", &version, summary), now).await?;
    tx.commit().await?;
    Ok(Some(best.name.clone()))
}

/// Promotes a fully qualified weekly to the coming minor release (rule 4): the release becomes
/// approved, shipped today, and the lines' support follows from the policy.
pub async fn promote(state: &AppState, actor: &Principal, name: &str) -> Result<Version, AppError> {
    actor.require(Permission::Promote)?;
    let mut conn = state.db.reader().acquire().await?;
    let (build_id, build) = store::find_build(&mut conn, name.trim())
        .await?
        .ok_or_else(|| AppError::not_found(format!("build {}", name.trim())))?;
    drop(conn);
    if let Some(refusal) = build.facts().promotion_refusal() {
        return Err(AppError::conflict(refusal));
    }
    let (version, day) = next_minor(state).await?.ok_or_else(|| AppError::conflict("no minor release is planned"))?;
    let today = state.today();
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    let new = NewRelease::planned(version.clone(), day);
    insert_release_if_absent(&mut tx, &new, now).await?;
    if !store::mark_promoted(&mut tx, build_id, &version.to_string()).await? {
        return Err(AppError::conflict(format!("{} was promoted already", build.name)));
    }
    if !approve_release(&mut tx, &version, today, &build.name, &build.commit, now).await? {
        return Err(AppError::conflict(format!("{version} has shipped already")));
    }
    let summary = format!("promoted {} to {version}", build.name);
    record(&mut tx, actor, Change::new("release.promoted", "release", &version, summary), now).await?;
    tx.commit().await?;
    Ok(version)
}
