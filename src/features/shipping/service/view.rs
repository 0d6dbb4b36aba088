//! What a release page and `/train` show of a release's life: its candidate, its fixes, what
//! a manager can do next, and the flags of due patches that have no candidate.

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
        patch_requests::store::{CarriedTarget, list_carried_targets},
        shipping::{CarriedView, ReleaseControl},
        train::store::list_branch_builds,
    },
    platform::state::AppState,
};

fn find<'a>(plan: &'a Plan, name: &str) -> Option<&'a Scheduled> {
    match Version::parse(name) {
        Ok(version) => plan.by_version(&version),
        Err(_) => name.trim().parse::<Slot>().ok().and_then(|slot| plan.by_slot(&slot)),
    }
}

async fn branch_builds(state: &AppState, branch: &str, today: NaiveDate) -> Result<Vec<Build>, AppError> {
    let since = (today - Days::new(90)).and_hms_opt(0, 0, 0).expect("midnight").and_utc();
    let mut conn = state.db.reader().acquire().await?;
    list_branch_builds(&mut conn, branch, since).await
}

/// Why a due patch has no candidate, or why its candidate cannot be approved.
async fn blocked(
    state: &AppState,
    catalog: &Catalog,
    planned: &Scheduled,
    fixes: &[CarriedTarget],
    today: NaiveDate,
) -> Result<Option<String>, AppError> {
    if planned.kind != ReleaseKind::Patch || !matches!(planned.state, PlanState::Planned | PlanState::Candidate) {
        return Ok(None);
    }
    if fixes.is_empty() {
        return Ok(Some("it carries no fix yet".into()));
    }
    let policy = &catalog.policy;
    let branch = policy.release_branch_of(planned.line);
    let merges: Vec<CarriedMerge> =
        fixes.iter().map(|f| CarriedMerge { request: f.request, merged_at: f.merged_at }).collect();
    let builds = branch_builds(state, &branch, today).await?;
    let candidate = row(catalog, planned).and_then(|r| r.source_build.clone());
    if let Some(build) = candidate.and_then(|name| builds.iter().find(|b| b.name == name)) {
        return Ok(patch_candidate_refusal(build, &branch, &policy.patch_suites, &merges));
    }
    if newest_patch_candidate(&builds, &branch, &policy.patch_suites, &merges).is_some() {
        return Ok(Some("a qualifying build exists; the train proposes it at its next tick".into()));
    }
    Ok(Some(match builds.iter().max_by_key(|b| b.cut_at) {
        None => format!("no build of {branch} has been reported"),
        Some(newest) => patch_candidate_refusal(newest, &branch, &policy.patch_suites, &merges)
            .unwrap_or_else(|| format!("no build of {branch} qualifies yet")),
    }))
}

async fn control(
    state: &AppState,
    actor: &Principal,
    catalog: &Catalog,
    planned: &Scheduled,
    today: NaiveDate,
) -> Result<ReleaseControl, AppError> {
    let stored = row(catalog, planned);
    let fixes = match stored {
        Some(r) => list_carried_targets(state.db.reader(), r.id).await?,
        None => Vec::new(),
    };
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
    Ok(ReleaseControl {
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
        blocked: blocked(state, catalog, planned, &fixes, today).await?,
        fixes: views,
        can_manage: actor.can(Permission::Publish),
        dry_run: !state.github.is_configured(),
        today,
    })
}

/// A release (by version or slot) with what can be done with it.
pub async fn release_control(state: &AppState, actor: &Principal, name: &str) -> Result<ReleaseControl, AppError> {
    let (catalog, plan) = plan(state, AHEAD).await?;
    let planned = find(&plan, name).ok_or_else(|| AppError::not_found(format!("Release “{}”", name.trim())))?;
    control(state, actor, &catalog, planned, plan.today).await
}

/// The patches due for a manager's attention: past their deadline (or out of band) and not
/// released, plus every approved one waiting for its day.
fn due_patches(plan: &Plan) -> Vec<&Scheduled> {
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
    let mut out = Vec::new();
    for planned in due_patches(&plan) {
        out.push(control(state, actor, &catalog, planned, plan.today).await?);
    }
    Ok(out)
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
