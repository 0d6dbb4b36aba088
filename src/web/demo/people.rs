//! The demo's people at work, through the same services as the pages: the release manager
//! promotes the monthly candidate a week before its day, approves each patch candidate, and
//! marks releases released on their day (publishing is a dry run in the demo); the developer
//! files requests, records cherry-picks and their merges.

use chrono::{Days, NaiveDate};

use super::ci::commit_of;
use crate::{
    domain::{
        access::Principal, catalog::ReleaseKind, patch_request::PatchRequestForm, plan::PlanState, version::LineId,
    },
    error::AppError,
    features::{
        auth::store::find_credentials,
        catalog::service::plan,
        patch_requests::service::{self as requests, Decide},
        shipping::service::{self as shipping, AHEAD},
        train::service as train,
    },
    platform::state::AppState,
};

/// The demo's developer and release manager.
#[derive(Debug, Clone)]
pub struct People {
    pub developer: Principal,
    pub manager: Principal,
}

impl People {
    /// The demo users, when demo mode created them.
    pub async fn find(state: &AppState) -> Result<Option<Self>, AppError> {
        let person = |name: &'static str| async move {
            find_credentials(state.db.reader(), name).await.map(|c| c.map(|c| Principal::User(c.viewer)))
        };
        Ok(match (person("dev").await?, person("manager").await?) {
            (Some(developer), Some(manager)) => Some(Self { developer, manager }),
            _ => None,
        })
    }
}

/// The release manager's day: promote the monthly candidate in its last week, approve patch
/// candidates, mark what is due released. Refusals (a blocked candidate, GitHub configured)
/// leave the release for a person to look at.
pub async fn manage(state: &AppState, people: &People) -> Result<(), AppError> {
    let (_, plan) = plan(state, AHEAD).await?;
    let today = plan.today;
    let actor = &people.manager;
    if let Some(monthly) = plan.next_monthly()
        && monthly.state == PlanState::Candidate
        && monthly.due(today) <= today + Days::new(7)
        && let Some(candidate) = train::current_candidate(state).await?.and_then(|c| c.build)
    {
        let _ = train::promote(state, actor, &candidate.name).await;
    }
    let due: Vec<(String, PlanState, ReleaseKind, NaiveDate)> = plan
        .lines
        .iter()
        .flat_map(|l| std::iter::once(&l.minor).chain(&l.patches))
        .filter(|s| s.release.is_some() && matches!(s.state, PlanState::Candidate | PlanState::Approved))
        .filter_map(|s| Some((s.version.clone()?.to_string(), s.state, s.kind, s.due(today))))
        .collect();
    for (name, state_now, kind, due) in due {
        if state_now == PlanState::Candidate
            && kind == ReleaseKind::Patch
            && shipping::approve_patch(state, actor, &name).await.is_err()
        {
            continue;
        }
        if due <= today {
            let _ = shipping::mark_released(state, actor, &name).await;
        }
    }
    Ok(())
}

fn form(title: &str, category: &str, severity: &str, issue: u32, lines: &[LineId]) -> PatchRequestForm {
    PatchRequestForm {
        title: title.into(),
        category: category.into(),
        severity: severity.into(),
        bug_link: format!("https://github.com/example/trainyard-demo/issues/{issue}"),
        fix_link: format!("https://github.com/example/trainyard-demo/pull/{}", issue + 1),
        impact: "Users of the affected lines hit this in production until the next monthly release.".into(),
        risk: "low".into(),
        testing: "Unit test added; verified on the daily build.".into(),
        verified_on_daily: "yes".into(),
        targets: lines.iter().map(ToString::to_string).collect::<Vec<_>>().join(","),
        ..PatchRequestForm::default()
    }
}

/// The requests of the demo's window, each on its day (`n` days into it): a crash fixed in
/// every supported line, its cherry-picks merged in time but one, which misses the deadline and
/// moves on; a security fix still in flight; a minor leak rejected on the oldest line; a
/// feature that waits for the monthly.
pub async fn file_requests(state: &AppState, people: &People, n: u64, round: u32) -> Result<(), AppError> {
    let (catalog, plan) = plan(state, AHEAD).await?;
    let supported: Vec<LineId> = plan.supported().map(|l| l.line).collect();
    let base = 1000 + round * 10;
    let dev = &people.developer;
    let manager = &people.manager;
    match n {
        4 => {
            let crash = requests::file_request(
                state,
                dev,
                &form("Sidecar crashes when a header value is empty", "stability", "S2", base, &supported),
            )
            .await?;
            approve_where_it_can_ship(state, manager, crash, &supported).await?;
            let leak = requests::file_request(
                state,
                dev,
                &form("Memory grows when watching many namespaces", "stability", "S3", base + 4, &supported),
            )
            .await?;
            if let Some(oldest) = supported.first() {
                let reject = Decide {
                    line: Some(*oldest),
                    decision: crate::domain::patch_request::Decision::Rejected,
                    reason: "Too risky this late in the line's support; upgrade instead.".into(),
                    ..approve_all(leak)
                };
                requests::decide(state, manager, reject).await?;
            }
            requests::file_request(
                state,
                dev,
                &form("Add a flag to tune the retry budget", "feature", "S4", base + 6, &supported),
            )
            .await?;
        }
        12 => {
            // The crash's cherry-picks: merged in time, but the newest line's a day late.
            let crash = find_request(state, dev, "Sidecar crashes when a header value is empty", round).await?;
            let approved: Vec<LineId> = requests::find(state, dev, crash)
                .await?
                .targets
                .iter()
                .filter(|t| t.decision == crate::domain::patch_request::Decision::Approved)
                .map(|t| t.line)
                .collect();
            for line in &approved {
                let url =
                    format!("https://github.com/example/trainyard-demo/pull/{}", base + 100 + line.minor() as u32);
                requests::set_cherry_pick(state, dev, crash, *line, &url).await?;
                if Some(line) != approved.last() {
                    let branch = catalog.policy.release_branch_of(*line);
                    requests::mark_merged(state, dev, crash, *line, &commit_of(&branch, plan.today)).await?;
                }
            }
        }
        34 => {
            let mut cve = form("Token validation accepts expired JWTs", "security", "S1", base + 2, &supported);
            cve.cve_id = "CVE-2026-41234".into();
            let id = requests::file_request(state, dev, &cve).await?;
            // An S1 ships out of band on every supported line, some days from now: in flight.
            let out_of_band_on = Some(plan.today + chrono::Days::new(9));
            requests::decide(
                state,
                manager,
                Decide { out_of_band_on, reason: "S1: out-of-band release".into(), ..approve_all(id) },
            )
            .await?;
        }
        _ => {}
    }
    Ok(())
}

/// The newest line's cherry-pick of the crash merges the day after its deadline passed: too
/// late, so the train moves it to the next slot.
pub async fn merge_late(state: &AppState, people: &People, round: u32) -> Result<(), AppError> {
    let dev = &people.developer;
    let Ok(crash) = find_request(state, dev, "Sidecar crashes when a header value is empty", round).await else {
        return Ok(());
    };
    let request = requests::find(state, dev, crash).await?;
    let today = state.today();
    let Some(late) = request.targets.iter().max_by_key(|t| t.line) else { return Ok(()) };
    let missed = late.carrier.as_ref().and_then(|c| c.cherry_pick_deadline).is_some_and(|d| d < today);
    if missed && late.merged_at().is_none() && late.cherry_pick.is_some() {
        let (catalog, _) = plan(state, AHEAD).await?;
        let branch = catalog.policy.release_branch_of(late.line);
        requests::mark_merged(state, dev, crash, late.line, &commit_of(&branch, today)).await?;
    }
    Ok(())
}

/// Approves each line that still has a patch slot before its end of life; a line that has
/// none is declined with that reason, as a release manager would.
async fn approve_where_it_can_ship(
    state: &AppState,
    manager: &Principal,
    request: i64,
    lines: &[LineId],
) -> Result<(), AppError> {
    let (_, plan) = plan(state, AHEAD).await?;
    for line in lines {
        let slot = plan.line(*line).and_then(|l| l.open_slot(plan.today));
        let decide = match slot {
            Some(_) => Decide { line: Some(*line), ..approve_all(request) },
            None => Decide {
                line: Some(*line),
                decision: crate::domain::patch_request::Decision::Rejected,
                reason: format!("{line} reaches its end of life before its next patch: upgrade to a newer line."),
                ..approve_all(request)
            },
        };
        requests::decide(state, manager, decide).await?;
    }
    Ok(())
}

fn approve_all(request: i64) -> Decide {
    Decide {
        request,
        line: None,
        decision: crate::domain::patch_request::Decision::Approved,
        reason: String::new(),
        out_of_band_on: None,
        seen: None,
    }
}

async fn find_request(state: &AppState, dev: &Principal, title: &str, round: u32) -> Result<i64, AppError> {
    let filter = crate::features::patch_requests::ListFilter { mine: true, page: 1, ..Default::default() };
    let list = requests::list(state, dev, filter).await?;
    let _ = round;
    list.items.iter().find(|r| r.title == title).map(|r| r.id).ok_or(AppError::Internal)
}
