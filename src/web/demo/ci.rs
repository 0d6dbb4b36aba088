//! The demo's CI, reporting through the same services as the real CI API: a daily build of
//! the main branch every day (one day missed, now and then a failing one), stability and
//! performance results for each weekly the day after it is chosen, and a build of each line's
//! release branch once the fixes it waits for are merged.

use chrono::{Datelike, Days, NaiveDate};
use sha2::{Digest, Sha256};

use crate::{
    domain::{
        access::Principal,
        plan::PlanState,
        train::{BuildName, NewBuild, Suite, SuiteStatus},
    },
    error::AppError,
    features::{
        catalog::service::plan,
        patch_requests::store::list_carried_targets,
        shipping::service::AHEAD,
        train::{
            service::{report_build, report_result},
            store,
        },
    },
    platform::state::AppState,
};

/// A made-up but stable commit for a branch on a day.
pub fn commit_of(branch: &str, day: NaiveDate) -> String {
    hex::encode(Sha256::digest(format!("{branch}@{day}").as_bytes()))[..40].to_owned()
}

/// The day (counted back from when the demo was seeded) on which no daily build was cut.
pub const MISSED_DAY: u64 = 10;

/// Everything CI reports on `day`, up to the state's clock.
pub async fn report_day(state: &AppState, day: NaiveDate, missed: Option<NaiveDate>) -> Result<(), AppError> {
    let ci = Principal::System("demo CI");
    let now = state.clock.now();
    let (catalog, plan) = plan(state, AHEAD).await?;
    let policy = &catalog.policy;
    let cut = day.and_hms_opt(policy.daily_cut_hour, 0, 0).expect("hour").and_utc();
    if cut <= now && missed != Some(day) {
        let name = BuildName::format(&policy.main_branch, cut);
        let commit = commit_of(&policy.main_branch, day);
        let (build, _) =
            report_build(state, &ci, &NewBuild { name: name.clone(), commit, ..NewBuild::default() }).await?;
        if build.status(Suite::Functional).is_none() {
            let status = if day.ordinal().is_multiple_of(9) { "failed" } else { "passed" };
            let link = format!("https://ci.example.com/trainyard/{name}/functional");
            report_result(state, &ci, &name, "functional", status, Some(&link)).await?;
        }
    }
    // Weeklies get their stability and performance results the day after they are chosen.
    let mut conn = state.db.reader().acquire().await?;
    let weeklies = store::list_weeklies(&mut conn, day - Days::new(30)).await?;
    drop(conn);
    for w in weeklies.iter().filter(|w| w.promoted_to.is_none()) {
        let chosen = w.weekly_selected_at.expect("a weekly was selected");
        if chosen.date_naive() >= day {
            continue;
        }
        for suite in [Suite::Stability, Suite::Performance] {
            if w.status(suite) == Some(SuiteStatus::Pending) {
                // Three weeks back, performance regressed: the escalation path has history.
                let failed = suite == Suite::Performance && (day - w.cut_at.date_naive()).num_days() / 7 == 3;
                let link = format!("https://ci.example.com/trainyard/{}/{}", w.name, suite.as_str());
                let status = if failed { "failed" } else { "passed" };
                report_result(state, &ci, &w.name, suite.as_str(), status, Some(&link)).await?;
            }
        }
    }
    // A release branch is built once every fix its next patch carries is merged.
    let branch_cut = day.and_hms_opt((policy.daily_cut_hour + 1).min(23), 30, 0).expect("hour").and_utc();
    if branch_cut > now {
        return Ok(());
    }
    for line in plan.lines.iter().filter(|l| l.status.is_supported()) {
        let Some(next) = line
            .patches
            .iter()
            .find(|p| matches!(p.state, PlanState::Planned | PlanState::Candidate) && p.release.is_some())
        else {
            continue;
        };
        let fixes = list_carried_targets(state.db.reader(), next.release.expect("stored")).await?;
        if fixes.is_empty() || fixes.iter().any(|f| f.merged_at.is_none_or(|m| m > branch_cut)) {
            continue;
        }
        let branch = policy.release_branch_of(line.line);
        let name = BuildName::format(&branch, branch_cut);
        let build = NewBuild { name: name.clone(), commit: commit_of(&branch, day), ..NewBuild::default() };
        let (reported, _) = report_build(state, &ci, &build).await?;
        for suite in &policy.patch_suites {
            if reported.status(*suite).is_none() {
                let link = format!("https://ci.example.com/trainyard/{name}/{}", suite.as_str());
                report_result(state, &ci, &name, suite.as_str(), "passed", Some(&link)).await?;
            }
        }
    }
    Ok(())
}
