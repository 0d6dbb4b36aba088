//! Each approved line's cherry-pick: a pull request against the line's release branch. With
//! GitHub configured its state is read from GitHub; without, the requester or a manager marks
//! it merged with the commit.

use super::{audit, changes::now_of, find};
use crate::{
    domain::{
        access::{Permission, Principal},
        errors::{FieldError, Refused},
        patch_request::{Decision, PullLink, parse_full_sha},
        version::LineId,
    },
    error::AppError,
    features::{
        catalog::service::catalog,
        patch_requests::{CherryPickState, PatchRequest, Target, store},
    },
    platform::state::AppState,
};

/// The approved, unshipped line of a request the caller may track (its requester, or a manager).
fn trackable<'a>(request: &'a PatchRequest, actor: &Principal, line: LineId) -> Result<&'a Target, AppError> {
    if !(actor.can(Permission::Triage) || actor.user_id() == Some(request.requester_id)) {
        actor.require(Permission::Triage)?;
    }
    let target = request
        .targets
        .iter()
        .find(|t| t.line == line)
        .ok_or_else(|| AppError::not_found(format!("line {line} of request {}", request.id)))?;
    if target.decision != Decision::Approved {
        return Err(Refused::new(format!("{line} is not approved: only an approved line gets a cherry-pick")).into());
    }
    if target.carrier.as_ref().is_some_and(|c| c.shipped) {
        return Err(Refused::new(format!("the fix for {line} has shipped")).into());
    }
    Ok(target)
}

/// Records the pull request that cherry-picks a request's fix into a line's release branch.
pub async fn set_cherry_pick(
    state: &AppState,
    actor: &Principal,
    request: i64,
    line: LineId,
    url: &str,
) -> Result<(), AppError> {
    let found = find(state, actor, request).await?;
    now_of(&found).in_play()?;
    trackable(&found, actor, line)?;
    let pull = PullLink::parse(url).map_err(|m| FieldError::new("url", m))?;
    if let Some(repository) = state.github.repository().filter(|r| !pull.is_in(r)) {
        return Err(FieldError::new("url", format!("the pull request must be in {repository}")).into());
    }
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    store::update_cherry_pick(&mut tx, request, line, Some(url.trim()), CherryPickState::Open, None).await?;
    let summary = format!("cherry-pick for {line}: {}", url.trim());
    audit(&mut tx, actor, "patch_request.cherry_pick", request, summary, now).await?;
    tx.commit().await
}

/// Marks a line's fix merged into its release branch, with the merge commit (without GitHub).
pub async fn mark_merged(
    state: &AppState,
    actor: &Principal,
    request: i64,
    line: LineId,
    commit: &str,
) -> Result<(), AppError> {
    if state.github.is_configured() {
        return Err(Refused::new("with GitHub configured, a merge is read from the pull request itself").into());
    }
    let found = find(state, actor, request).await?;
    now_of(&found).in_play()?;
    let target = trackable(&found, actor, line)?;
    if target.merged_at().is_some() {
        return Err(Refused::new(format!("the cherry-pick for {line} is marked merged already")).into());
    }
    let commit = parse_full_sha(commit).map_err(|m| FieldError::new("commit", m))?;
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    store::update_cherry_pick(&mut tx, request, line, None, CherryPickState::Merged, Some((now, &commit))).await?;
    let summary = format!("cherry-pick for {line} merged at {commit}");
    audit(&mut tx, actor, "patch_request.merged", request, summary, now).await?;
    tx.commit().await
}

/// Reads every open cherry-pick's pull request from GitHub and records what changed: merged
/// into the line's release branch (with when and which commit), or closed without merging.
/// Returns how many changed. Does nothing without GitHub.
pub async fn refresh_cherry_picks(state: &AppState) -> Result<usize, AppError> {
    if !state.github.is_configured() {
        return Ok(0);
    }
    let policy = catalog(state).await?.policy.clone();
    let system = Principal::System("GitHub");
    let mut changed = 0;
    for open in store::list_open_cherry_picks(state.db.reader()).await? {
        let Ok(link) = PullLink::parse(&open.url) else { continue };
        let pull = match state.github.find_pull(link.number).await {
            Ok(Some(pull)) => pull,
            Ok(None) => continue,
            Err(e) => {
                tracing::warn!(error = %e, url = open.url, "could not read a cherry-pick from GitHub; trying again later");
                continue;
            }
        };
        let branch = policy.release_branch_of(open.line);
        let (state_now, merged, summary) = if pull.merged && pull.base_ref == branch {
            let at = pull.merged_at.unwrap_or_else(|| state.clock.now());
            let commit = pull.merge_commit_sha.clone().unwrap_or_default();
            (CherryPickState::Merged, Some((at, commit)), format!("cherry-pick for {} merged into {branch}", open.line))
        } else if pull.merged {
            tracing::warn!(url = open.url, base = pull.base_ref, branch, "a cherry-pick merged into another branch");
            continue;
        } else if !pull.open {
            (CherryPickState::Closed, None, format!("cherry-pick for {} closed without merging", open.line))
        } else {
            continue;
        };
        let now = state.clock.now();
        let mut tx = state.db.begin_write().await?;
        let merged = merged.as_ref().map(|(at, commit)| (*at, commit.as_str()));
        store::update_cherry_pick(&mut tx, open.request, open.line, None, state_now, merged).await?;
        audit(&mut tx, &system, "patch_request.cherry_pick_state", open.request, summary, now).await?;
        tx.commit().await?;
        changed += 1;
    }
    Ok(changed)
}
