//! The automation of patch releases, as Kubernetes runs them: at a slot's cherry-pick deadline
//! (end of day, UTC) approved fixes not merged move to the line's next slot, and a slot with
//! nothing merged is skipped; then each due patch gets its candidate, the newest build of the
//! line's release branch that passed the required suites after every carried fix merged. It
//! never approves or publishes. Each step is its own transaction guarded by what is stored,
//! so a tick cut short is simply run again.

use super::{
    AHEAD, audit, carry, name_of, row,
    view::{Facts, due_patches},
};
use crate::{
    domain::{
        access::Principal,
        calendar_rules::end_of_day,
        catalog::{ReleaseKind, ReleaseStatus},
        lifecycle::{CarriedMerge, newest_patch_candidate},
        plan::{NOTHING_MERGED, PlanState, Scheduled},
    },
    error::AppError,
    features::{
        catalog::{
            service::plan,
            store::{NewRelease, ensure_release, update_candidate, update_skipped},
        },
        patch_requests::store::{CarriedTarget, list_carried_targets},
    },
    platform::state::AppState,
};

/// What one run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TickReport {
    /// Slots whose deadline passed with fixes still to merge: they moved on.
    pub carried: Vec<String>,
    pub skipped: Vec<String>,
    /// Patch releases that got (or changed) their candidate build.
    pub candidates: Vec<String>,
}

/// One step of the patch automation: deadlines, then candidates.
/// Everything the train's automation does, in order: the monthly (weeklies, its candidate),
/// cherry-picks read from GitHub, then the patches (deadlines, carry-overs, candidates). It
/// proposes; it never approves, promotes or publishes. The worker runs it every minute and a
/// release manager can run it at once from `/train`.
pub async fn run_train(state: &AppState) -> Result<TrainRun, AppError> {
    let monthly = crate::features::train::service::tick(state).await?;
    let cherry_picks = crate::features::patch_requests::service::refresh_cherry_picks(state).await?;
    crate::features::patch_requests::service::follow_rotation(state, &Principal::System("train")).await?;
    let patches = tick(state).await?;
    Ok(TrainRun { monthly, cherry_picks, patches })
}

/// A release manager's "run it now": the same run, for someone allowed to supervise the train.
pub async fn run_train_now(state: &AppState, actor: &Principal) -> Result<String, AppError> {
    actor.require(crate::domain::access::Permission::Promote)?;
    Ok(run_train(state).await?.summary())
}

/// What one run of the whole train did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TrainRun {
    pub monthly: crate::features::train::service::TickReport,
    /// Cherry-picks whose state changed on GitHub.
    pub cherry_picks: usize,
    pub patches: TickReport,
}

impl TrainRun {
    /// One sentence for the person who asked for the run.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if !self.monthly.weeklies.is_empty() {
            parts.push(format!("weekly {}", self.monthly.weeklies.join(", ")));
        }
        if let Some(c) = &self.monthly.candidate {
            parts.push(format!("monthly candidate {c}"));
        }
        if self.cherry_picks > 0 {
            parts.push(format!("{} cherry-pick(s) updated from GitHub", self.cherry_picks));
        }
        for (what, list) in [
            ("carried over", &self.patches.carried),
            ("skipped", &self.patches.skipped),
            ("candidate for", &self.patches.candidates),
        ] {
            if !list.is_empty() {
                parts.push(format!("{what} {}", list.join(", ")));
            }
        }
        if parts.is_empty() {
            "The train ran: nothing to do.".into()
        } else {
            format!("The train ran: {}.", parts.join("; "))
        }
    }
}

/// The patch releases' part of the automation.
pub async fn tick(state: &AppState) -> Result<TickReport, AppError> {
    let actor = Principal::System("train");
    let mut report = TickReport::default();
    super::reconcile(state).await?;
    deadlines(state, &actor, &mut report).await?;
    candidates(state, &actor, &mut report).await?;
    Ok(report)
}

fn is_late(fix: &CarriedTarget, deadline: chrono::NaiveDate) -> bool {
    fix.merged_at.is_none_or(|merged| merged > end_of_day(deadline))
}

/// Regular slots whose cherry-pick deadline has passed: unmerged fixes move on; a slot left with
/// nothing merged is skipped (a projected one is stored as skipped, so history keeps it).
async fn deadlines(state: &AppState, actor: &Principal, report: &mut TickReport) -> Result<(), AppError> {
    let (catalog, plan) = plan(state, AHEAD).await?;
    let today = plan.today;
    let due: Vec<&Scheduled> = plan
        .lines
        .iter()
        .filter(|l| l.released())
        .flat_map(|l| &l.patches)
        .filter(|p| !p.out_of_band() && p.cherry_pick_deadline.is_some_and(|d| d < today))
        .filter(|p| {
            matches!(p.state, PlanState::Planned | PlanState::Candidate)
                || (p.release.is_none() && p.state == PlanState::Skipped)
        })
        .collect();
    for slot in due {
        let deadline = slot.cherry_pick_deadline.expect("filtered on it");
        let now = state.clock.now();
        let mut tx = state.db.begin_write().await?;
        let Some(id) = slot.release else {
            let new = NewRelease {
                status: ReleaseStatus::Skipped,
                cherry_pick_deadline: Some(deadline),
                date_note: Some(NOTHING_MERGED.into()),
                ..NewRelease::planned(slot.line, ReleaseKind::Patch, slot.slot, slot.date)
            };
            ensure_release(&mut tx, &new, now).await?;
            audit(&mut tx, actor, "release.skipped", &slot.slot.key(), format!("{} {NOTHING_MERGED}", slot.slot), now)
                .await?;
            tx.commit().await?;
            report.skipped.push(slot.slot.key());
            continue;
        };
        let fixes = list_carried_targets(&mut *tx, id).await?;
        let (late, on_time): (Vec<CarriedTarget>, Vec<CarriedTarget>) =
            fixes.into_iter().partition(|f| is_late(f, deadline));
        if !late.is_empty() {
            let why = format!(
                "not merged by the cherry-pick deadline of {} (end of {}, UTC)",
                slot.slot.describe(),
                deadline.format("%-d %b %Y")
            );
            carry(&mut tx, actor, &plan, slot, &late, &why, now).await?;
            report.carried.push(name_of(slot));
        }
        if on_time.is_empty() && update_skipped(&mut tx, id, NOTHING_MERGED, now).await? {
            let stored = row(&catalog, slot).map(|r| r.slot.key()).unwrap_or_else(|| slot.slot.key());
            audit(&mut tx, actor, "release.skipped", &stored, format!("{stored} {NOTHING_MERGED}"), now).await?;
            report.skipped.push(stored);
        }
        tx.commit().await?;
    }
    Ok(())
}

/// Due patches (a regular slot past its deadline, or out of band) that are planned or have a
/// candidate: proposes the newest qualifying build of the line's release branch.
async fn candidates(state: &AppState, actor: &Principal, report: &mut TickReport) -> Result<(), AppError> {
    let (catalog, plan) = plan(state, AHEAD).await?;
    let today = plan.today;
    let policy = &catalog.policy;
    // The due patches still in preparation; the approved ones have their build.
    let due: Vec<&Scheduled> = due_patches(&plan).into_iter().filter(|p| p.state != PlanState::Approved).collect();
    let facts = Facts::read(state, &catalog, &due, today).await?;
    for patch in due {
        let Some(stored) = row(&catalog, patch) else { continue };
        let fixes = facts.fixes_of(&catalog, patch);
        if fixes.is_empty() {
            continue;
        }
        let merges: Vec<CarriedMerge> =
            fixes.iter().map(|f| CarriedMerge { request: f.request, merged_at: f.merged_at }).collect();
        let branch = policy.release_branch_of(patch.line);
        let builds = facts.builds_of(&branch);
        let Some(best) = newest_patch_candidate(builds, &branch, &policy.patch_suites, &merges) else { continue };
        if stored.source_build.as_deref() == Some(best.name.as_str()) {
            continue;
        }
        let now = state.clock.now();
        let mut tx = state.db.begin_write().await?;
        if update_candidate(&mut tx, stored.id, &best.name, &best.commit, now).await? {
            let name = name_of(patch);
            let summary = format!(
                "proposed {} as the candidate for {name}: the newest build of {branch} that passed {} after every carried fix merged",
                best.name,
                policy.patch_suites.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" and ")
            );
            audit(&mut tx, actor, "release.candidate_proposed", &patch.slot.key(), summary, now).await?;
            tx.commit().await?;
            report.candidates.push(name);
        }
    }
    Ok(())
}
