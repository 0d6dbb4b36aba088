//! What a release page and `/train` show of a release's life: its candidate, its fixes, what
//! a manager can do next, and the flags of due patches that have no candidate.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};

use super::{AHEAD, row};
use crate::features::shipping::PatchQueue;
use crate::{
    domain::{
        access::{Permission, Principal},
        catalog::{Catalog, ReleaseKind, Slot},
        lifecycle::{CarriedMerge, newest_patch_candidate, patch_candidate_refusal},
        plan::{Plan, PlanState, Scheduled},
        train::{Build, Flag, FlagKind},
        version::Version,
    },
    error::AppError,
    features::{
        catalog::service::plan,
        patch_requests::store::{CarriedTarget, list_carried_targets_of},
        shipping::{CarriedView, ReleaseControl},
        train::store::list_builds_of_branches,
    },
    platform::state::AppState,
};

fn find<'a>(plan: &'a Plan, name: &str) -> Option<&'a Scheduled> {
    match Version::parse(name) {
        Ok(version) => plan.by_version(&version),
        Err(_) => name.trim().parse::<Slot>().ok().and_then(|slot| plan.by_slot(&slot)),
    }
}

fn builds_since(today: NaiveDate) -> chrono::DateTime<chrono::Utc> {
    (today - Days::new(90)).and_hms_opt(0, 0, 0).expect("midnight").and_utc()
}

/// Whether a due patch's candidacy can be judged: a patch still in preparation.
fn preparing(planned: &Scheduled) -> bool {
    planned.kind == ReleaseKind::Patch && matches!(planned.state, PlanState::Planned | PlanState::Candidate)
}

/// Why a due patch has no candidate, or why its candidate cannot be approved, from the fixes it
/// carries and its branch's builds of the last 90 days.
fn blocked(
    catalog: &Catalog,
    planned: &Scheduled,
    branch: &str,
    fixes: &[CarriedTarget],
    builds: &[Build],
) -> Option<String> {
    if !preparing(planned) {
        return None;
    }
    if fixes.is_empty() {
        return Some("it carries no fix yet".into());
    }
    let policy = &catalog.policy;
    let merges: Vec<CarriedMerge> =
        fixes.iter().map(|f| CarriedMerge { request: f.request, merged_at: f.merged_at }).collect();
    let candidate = row(catalog, planned).and_then(|r| r.source_build.clone());
    if let Some(build) = candidate.and_then(|name| builds.iter().find(|b| b.name == name)) {
        return patch_candidate_refusal(build, branch, &policy.patch_suites, &merges);
    }
    if newest_patch_candidate(builds, branch, &policy.patch_suites, &merges).is_some() {
        return Some("a qualifying build exists; the train proposes it at its next tick".into());
    }
    Some(match builds.iter().max_by_key(|b| b.cut_at) {
        None => format!("no build of {branch} has been reported"),
        Some(newest) => patch_candidate_refusal(newest, branch, &policy.patch_suites, &merges)
            .unwrap_or_else(|| format!("no build of {branch} qualifies yet")),
    })
}

/// What judging the candidacy of `planned` releases needs from the database, read in two
/// queries whatever their number: the fixes each carries, and the builds of the branches of
/// those still in preparation.
pub(super) struct Facts {
    fixes: HashMap<i64, Vec<CarriedTarget>>,
    builds: HashMap<String, Vec<Build>>,
}

impl Facts {
    pub(super) async fn read(
        state: &AppState,
        catalog: &Catalog,
        planned: &[&Scheduled],
        today: NaiveDate,
    ) -> Result<Self, AppError> {
        let releases: Vec<i64> = planned.iter().filter_map(|p| p.release).collect();
        let fixes = list_carried_targets_of(state.db.reader(), &releases).await?;
        let mut branches: Vec<String> = planned
            .iter()
            .filter(|p| preparing(p) && p.release.is_some_and(|id| fixes.contains_key(&id)))
            .map(|p| catalog.policy.release_branch_of(p.line))
            .collect();
        branches.sort_unstable();
        branches.dedup();
        let builds = if branches.is_empty() {
            HashMap::new()
        } else {
            let mut conn = state.db.reader().acquire().await?;
            list_builds_of_branches(&mut conn, &branches, builds_since(today)).await?
        };
        Ok(Self { fixes, builds })
    }

    /// The approved fixes `planned` carries.
    pub(super) fn fixes_of(&self, catalog: &Catalog, planned: &Scheduled) -> &[CarriedTarget] {
        row(catalog, planned).and_then(|r| self.fixes.get(&r.id)).map_or(&[], Vec::as_slice)
    }

    /// The builds of `branch` of the last 90 days, newest first.
    pub(super) fn builds_of(&self, branch: &str) -> &[Build] {
        self.builds.get(branch).map_or(&[], Vec::as_slice)
    }
}

fn control(
    state: &AppState,
    actor: &Principal,
    catalog: &Catalog,
    planned: &Scheduled,
    facts: &Facts,
    today: NaiveDate,
) -> ReleaseControl {
    let stored = row(catalog, planned);
    let fixes = facts.fixes_of(catalog, planned);
    let branch = catalog.policy.release_branch_of(planned.line);
    let sees_embargoed = actor.can(Permission::ReadEmbargoed);
    let views = fixes
        .iter()
        .map(|f| CarriedView {
            request: f.request,
            line: f.line,
            title: if f.embargoed && !sees_embargoed && actor.user_id() != Some(f.requester) {
                "an embargoed security fix".into()
            } else {
                f.title.clone()
            },
            cherry_pick_url: f.cherry_pick_url.clone(),
            merged_at: f.merged_at,
            embargoed: f.embargoed,
        })
        .collect();
    ReleaseControl {
        release: planned.release,
        slot: planned.slot.key(),
        line: planned.line,
        kind: planned.kind,
        version: planned.version.clone(),
        state: planned.state,
        date: planned.due(today),
        cherry_pick_deadline: planned.cherry_pick_deadline,
        note: planned.note.clone(),
        build: stored.and_then(|r| r.source_build.clone()),
        blocked: blocked(catalog, planned, &branch, fixes, facts.builds_of(&branch)),
        fixes: views,
        can_manage: actor.can(Permission::Publish),
        dry_run: !state.github.is_configured(),
        today,
    }
}

/// A release (by version or slot) with what can be done with it.
pub async fn release_control(state: &AppState, actor: &Principal, name: &str) -> Result<ReleaseControl, AppError> {
    let (catalog, plan) = plan(state, AHEAD).await?;
    let planned = find(&plan, name).ok_or_else(|| AppError::not_found(format!("Release “{}”", name.trim())))?;
    let facts = Facts::read(state, &catalog, &[planned], plan.today).await?;
    Ok(control(state, actor, &catalog, planned, &facts, plan.today))
}

/// The patches due for a manager's attention: past their deadline (or out of band) and not
/// released, plus every approved one waiting for its day.
pub(super) fn due_patches(plan: &Plan) -> Vec<&Scheduled> {
    let today = plan.today;
    plan.lines
        .iter()
        .filter(|l| l.released())
        .flat_map(|l| &l.patches)
        .filter(|p| {
            p.release.is_some() && matches!(p.state, PlanState::Planned | PlanState::Candidate | PlanState::Approved)
        })
        .filter(|p| {
            p.state == PlanState::Approved || p.out_of_band() || p.cherry_pick_deadline.is_some_and(|d| d < today)
        })
        .collect()
}

/// The due patch releases, for `/train`.
pub async fn patch_queue(state: &AppState, actor: &Principal) -> Result<Vec<ReleaseControl>, AppError> {
    let (catalog, plan) = plan(state, AHEAD).await?;
    let due = due_patches(&plan);
    let facts = Facts::read(state, &catalog, &due, plan.today).await?;
    Ok(due.into_iter().map(|planned| control(state, actor, &catalog, planned, &facts, plan.today)).collect())
}

/// The queue as `/train` shows it.
pub async fn queue(state: &AppState, actor: &Principal) -> Result<PatchQueue, AppError> {
    Ok(PatchQueue { releases: patch_queue(state, actor).await?, can_run: actor.can(Permission::Promote) })
}

/// A due patch without a candidate (or whose candidate cannot be approved) needs attention,
/// like a slipping monthly: the flags of a queue already read, each with why.
pub fn flags_of(queue: &[ReleaseControl]) -> Vec<Flag> {
    queue
        .iter()
        .filter(|c| c.state != PlanState::Approved)
        .filter_map(|c| {
            let why = c.blocked.clone()?;
            Some(Flag {
                kind: FlagKind::NoPatchCandidate,
                message: format!("{} (due {}) cannot be approved: {why}.", c.name(), c.date),
            })
        })
        .collect()
}
