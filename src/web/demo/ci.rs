//! The demo's CI: a daily build for every day up to now, and results for each weekly, reported
//! through the same services as the real CI API.

use chrono::{Datelike, Days, NaiveDate};
use sha2::{Digest, Sha256};

use crate::{
    domain::{
        access::Principal,
        train::{BuildName, NewBuild, Suite, SuiteStatus},
    },
    error::AppError,
    features::{
        catalog::service::catalog,
        train::{
            service::{report_build, report_result, tick},
            store,
        },
    },
    platform::state::AppState,
};

fn demo_commit(day: NaiveDate) -> String {
    hex::encode(Sha256::digest(day.to_string().as_bytes()))[..40].to_owned()
}

/// Demo mode keeps the train moving: a daily build for every day up to now (one day missed,
/// now and then a failing one), stability and performance results for each weekly, then a tick.
pub async fn advance(state: &AppState, days: u64) -> Result<(), AppError> {
    let ci = Principal::System("demo CI");
    let now = state.clock.now();
    let policy = catalog(state).await?.policy.clone();
    let today = now.date_naive();
    for back in (0..days).rev() {
        let day = today - Days::new(back);
        let cut = day.and_hms_opt(policy.daily_cut_hour, 0, 0).expect("hour").and_utc();
        // One missed day in the demo history, so the flag has something to show.
        if cut > now || back == 10 {
            continue;
        }
        let name = BuildName::format("main", cut);
        let (build, created) = report_build(
            state,
            &ci,
            &NewBuild { name: name.clone(), branch: None, commit: demo_commit(day), cut_at: None },
        )
        .await?;
        if created || build.status(Suite::Functional).is_none() {
            let status = if day.ordinal().is_multiple_of(9) { "failed" } else { "passed" };
            let link = format!("https://ci.example.com/trainyard/{name}/functional");
            report_result(state, &ci, &name, "functional", status, Some(&link)).await?;
        }
    }
    tick(state).await?;
    let mut conn = state.db.reader().acquire().await?;
    let weeklies = store::list_weeklies(&mut conn, today - Days::new(days)).await?;
    drop(conn);
    for w in weeklies.iter().filter(|w| w.promoted_to.is_none()) {
        for suite in [Suite::Stability, Suite::Performance] {
            if w.status(suite) == Some(SuiteStatus::Pending) {
                // Three weeks back, performance regressed: the escalation path has history.
                let failed = suite == Suite::Performance && (today - w.cut_at.date_naive()).num_days() / 7 == 3;
                let link = format!("https://ci.example.com/trainyard/{}/{}", w.name, suite.as_str());
                report_result(
                    state,
                    &ci,
                    &w.name,
                    suite.as_str(),
                    if failed { "failed" } else { "passed" },
                    Some(&link),
                )
                .await?;
            }
        }
    }
    tick(state).await?;
    Ok(())
}
