//! What `/train` and the dashboard show: the candidate with its escalation, and the flags.

use chrono::Days;

use super::automation::{next_monthly, recent};
use crate::{
    domain::{
        access::{Permission, Principal},
        calendar_rules::monday_of,
        plan::PlanState,
        train::{
            Build, BuildFacts, Candidate, Escalation, Flag, QUALIFICATION_DAYS, Suite, SuiteStatus, flags,
            propose_candidate, weekly_point,
        },
    },
    error::AppError,
    features::{
        catalog::service::catalog,
        train::{TrainView, store},
    },
    platform::state::AppState,
};

/// The candidate of the coming minor, and the fallback when the newest weekly failed.
async fn candidate(state: &AppState, builds: &[Build]) -> Result<Option<Candidate>, AppError> {
    let Some(monthly) = next_monthly(state).await? else { return Ok(None) };
    let today = state.today();
    let release_day = monthly.due(today);
    let version = monthly.version.clone().expect("a live monthly has a version");
    let catalog = catalog(state).await?;
    let policy = catalog.policy.clone();
    let approved = matches!(monthly.state, PlanState::Approved | PlanState::Publishing);
    if approved {
        let stored = monthly.release.and_then(|id| catalog.release_by_id(id).cloned());
        let from = stored.and_then(|r| r.source_build).unwrap_or_default();
        let build = builds.iter().find(|b| b.name == from).cloned();
        let reason = format!("approved by a release manager from {from}; it ships on {release_day}");
        return Ok(Some(Candidate { version, release_day, build, reason, escalation: None, approved }));
    }
    let last_promoted = store::last_promoted_cut(state.db.reader()).await?;
    let weeklies: Vec<&Build> = builds.iter().filter(|b| b.weekly_selected_at.is_some()).collect();
    let facts: Vec<BuildFacts> = weeklies.iter().map(|b| b.facts()).collect();
    let best = propose_candidate(&facts, release_day.max(today + Days::new(1)), &policy.main_branch, last_promoted);
    let build = best.and_then(|f| builds.iter().find(|b| b.name == f.name)).cloned();
    let newest = weeklies.first();
    let failed: Vec<Suite> = newest
        .map(|b| {
            [Suite::Stability, Suite::Performance]
                .into_iter()
                .filter(|s| b.status(*s) == Some(SuiteStatus::Failed))
                .collect()
        })
        .unwrap_or_default();
    let escalation = match (newest, failed.is_empty()) {
        (Some(newest), false) => {
            let (fallback, slip_days) = match &build {
                Some(b) => (format!("{} (the previous weekly that passed all three suites)", b.name), 0),
                None => {
                    // The next weekly is chosen at the next qualification point and needs a few
                    // days of stability and performance tests.
                    let next_point = weekly_point(
                        monday_of(today) + Days::new(7),
                        policy.weekly_qualification,
                        policy.daily_cut_hour,
                    );
                    let ready = next_point.date_naive() + Days::new(QUALIFICATION_DAYS as u64);
                    ("next week's weekly build".to_owned(), (ready - release_day).num_days().max(0))
                }
            };
            Some(Escalation { failed_build: newest.name.clone(), failed_suites: failed, fallback, slip_days })
        }
        _ => None,
    };
    let reason = match &build {
        Some(b) => format!(
            "the newest weekly build that passed functional, stability and performance tests before {} (cut {}, commit {})",
            release_day,
            b.cut_at.format("%a %-d %b"),
            &b.commit[..7.min(b.commit.len())]
        ),
        None => "no weekly build has passed all three suites yet".to_owned(),
    };
    Ok(Some(Candidate { version, release_day, build, reason, escalation, approved }))
}

pub async fn view(state: &AppState, actor: &Principal) -> Result<TrainView, AppError> {
    let builds = recent(state).await?;
    let today = state.today();
    let policy = catalog(state).await?.policy.clone();
    let candidate = candidate(state, &builds).await?;
    let main: Vec<Build> = builds.iter().filter(|b| b.branch == policy.main_branch).cloned().collect();
    let flags = flags(&main, today, state.clock.now(), policy.daily_cut_hour, policy.weekly_qualification);
    let weeklies = builds.iter().filter(|b| b.weekly_selected_at.is_some()).cloned().collect();
    let dailies = main.iter().filter(|b| b.cut_at.date_naive() >= today - Days::new(21)).cloned().collect();
    Ok(TrainView {
        today,
        candidate,
        weeklies,
        dailies,
        flags,
        can_promote: actor.can(Permission::Promote),
        last_promoted: store::last_promoted_cut(state.db.reader()).await?,
        main_branch: policy.main_branch,
    })
}

/// The flags alone, for the dashboard.
pub async fn current_flags(state: &AppState) -> Result<Vec<Flag>, AppError> {
    let policy = catalog(state).await?.policy.clone();
    let builds: Vec<Build> = recent(state).await?.into_iter().filter(|b| b.branch == policy.main_branch).collect();
    Ok(flags(&builds, state.today(), state.clock.now(), policy.daily_cut_hour, policy.weekly_qualification))
}

/// The candidate alone, for the dashboard.
pub async fn current_candidate(state: &AppState) -> Result<Option<Candidate>, AppError> {
    let builds = recent(state).await?;
    candidate(state, &builds).await
}
