//! The train's automation under supervision: weeklies chosen, the monthly candidate proposed,
//! and a release manager's promotion.

use chrono::{DateTime, Days, Utc};

use crate::{
    domain::{
        access::{Permission, Principal},
        calendar_rules::monday_of,
        catalog::ReleaseKind,
        plan::{PlanState, Scheduled},
        train::{Build, BuildFacts, Suite, SuiteStatus, propose_candidate, select_weekly, weekly_point},
        version::Version,
    },
    error::AppError,
    features::{
        audit::store::{Change, record},
        catalog::{
            service::{NEAR, catalog, plan},
            store::{NewRelease, ensure_release, update_approved, update_candidate},
        },
        train::store,
    },
    platform::{db::WriteTx, state::AppState},
};

/// How far back the train page and the automation look.
pub(super) const HISTORY_DAYS: u64 = 42;
/// The candidate is proposed once the monthly release is this close.
const CANDIDATE_WINDOW_DAYS: i64 = 14;

/// The next monthly release the train heads for: the first not released (a late one included).
pub(super) async fn next_monthly(state: &AppState) -> Result<Option<Scheduled>, AppError> {
    let (_, plan) = plan(state, NEAR).await?;
    Ok(plan.next_monthly().cloned())
}

/// The builds of the last weeks, newest first.
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
        let Some(chosen) = select_weekly(&facts, point, &policy.main_branch) else { continue };
        let skipped = facts
            .iter()
            .filter(|b| b.branch == policy.main_branch && b.cut_at > chosen.cut_at && b.cut_at <= point)
            .count();
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
            let summary = format!("{} is the weekly of {monday}: {reason}", chosen.name);
            record(&mut tx, &actor, Change::new("build.weekly_selected", "build", &chosen.name, summary), now).await?;
            tx.commit().await?;
            report.weeklies.push(chosen.name.clone());
        }
    }
    report.candidate = propose(state, &actor).await?;
    Ok(report)
}

/// The monthly's stored release, created in its slot (as planned) when it is only projected.
async fn monthly_row(tx: &mut WriteTx, monthly: &Scheduled, now: DateTime<Utc>) -> Result<i64, AppError> {
    let new = NewRelease {
        date_note: monthly.note.clone(),
        ..NewRelease::planned(monthly.line, ReleaseKind::Minor, monthly.slot, monthly.date)
    };
    ensure_release(tx, &new, now).await
}

/// Stores the newest weekly that may be promoted as the candidate of the coming monthly.
async fn propose(state: &AppState, actor: &Principal) -> Result<Option<String>, AppError> {
    let Some(monthly) = next_monthly(state).await? else { return Ok(None) };
    let today = state.today();
    let day = monthly.due(today);
    if (day - today).num_days() > CANDIDATE_WINDOW_DAYS
        || !matches!(monthly.state, PlanState::Planned | PlanState::Candidate | PlanState::Projected)
    {
        return Ok(None);
    }
    let main = catalog(state).await?.policy.main_branch.clone();
    let last_promoted = store::last_promoted_cut(state.db.reader()).await?;
    let builds = recent(state).await?;
    let facts: Vec<BuildFacts> = builds.iter().map(Build::facts).collect();
    let Some(best) = propose_candidate(&facts, day.max(today + Days::new(1)), &main, last_promoted) else {
        return Ok(None);
    };
    let catalog = catalog(state).await?;
    let stored = monthly.release.and_then(|id| catalog.release_by_id(id));
    if stored.is_some_and(|r| r.source_build.as_deref() == Some(best.name.as_str())) {
        return Ok(None);
    }
    let version = monthly.version.clone().expect("a live monthly has a version");
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    let id = monthly_row(&mut tx, &monthly, now).await?;
    if !update_candidate(&mut tx, id, &best.name, &best.commit, now).await? {
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

/// A release manager promotes a weekly to the coming monthly: the monthly is approved with
/// that build and ships on its day (or by "ship now"). The build's qualification is checked
/// inside the write, so a failed result posted at the same moment cannot slip past it.
pub async fn promote(state: &AppState, actor: &Principal, name: &str) -> Result<Version, AppError> {
    actor.require(Permission::Promote)?;
    let name = name.trim();
    let monthly = next_monthly(state).await?.ok_or_else(|| AppError::conflict("no monthly release is planned"))?;
    let version = monthly.version.clone().expect("a live monthly has a version");
    let main = catalog(state).await?.policy.main_branch.clone();
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    let (build_id, build) =
        store::find_build(&mut tx, name).await?.ok_or_else(|| AppError::not_found(format!("build {name}")))?;
    let last_promoted = store::last_promoted_cut(&mut *tx).await?;
    if let Some(refusal) = build.facts().promotion_refusal(&main, last_promoted) {
        return Err(AppError::conflict(refusal));
    }
    let id = monthly_row(&mut tx, &monthly, now).await?;
    if !update_candidate(&mut tx, id, &build.name, &build.commit, now).await?
        || !update_approved(&mut tx, id, now).await?
    {
        return Err(AppError::conflict(format!("{version} is {} already", monthly.state.as_str())));
    }
    if !store::mark_promoted(&mut tx, build_id, &version.to_string()).await? {
        return Err(AppError::conflict(format!("{} was promoted already", build.name)));
    }
    let summary = format!("promoted {} to {version}: approved, ships on {}", build.name, monthly.date);
    record(&mut tx, actor, Change::new("release.promoted", "release", &version, summary), now).await?;
    tx.commit().await?;
    Ok(version)
}
