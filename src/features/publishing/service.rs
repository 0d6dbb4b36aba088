//! Publishing: the preview, the intent, and the worker that carries it out step by step.

use std::time::Duration as StdDuration;

use chrono::NaiveDate;

use super::{Payload, PublicationState, PublishPanel, store};
use crate::{
    domain::{
        access::{Permission, Principal},
        catalog::{Release, ReleaseStatus},
        lifecycle::{Transition, check},
        patch_request::parse_full_sha,
        publication::{CarriedFix, makes_latest, release_notes},
        version::Version,
    },
    error::AppError,
    features::{
        audit::store::{Change, record},
        catalog::{
            service::{NEAR, catalog, plan},
            store::{find_release, update_publishing},
        },
        patch_requests::store::list_carried,
        shipping::service::record_published,
    },
    platform::{
        github::{GhRelease, GitHubError, ReleaseRequest},
        state::AppState,
    },
};

/// A release by its version as pages show it (released, publishing, or planned).
async fn find(state: &AppState, text: &str) -> Result<(Release, Version), AppError> {
    let unknown = || AppError::not_found(format!("Release “{text}”"));
    let version = Version::parse(text).map_err(|_| unknown())?;
    let (catalog, plan) = plan(state, NEAR).await?;
    let planned = plan.by_version(&version).ok_or_else(unknown)?;
    let release = planned.release.and_then(|id| catalog.release_by_id(id)).cloned().ok_or_else(|| {
        AppError::conflict(format!("{version} is only planned (due {}): it is not approved yet", planned.date))
    })?;
    Ok((release, version))
}

/// Why a release cannot be published now, if it cannot.
fn blocked(release: &Release, today: NaiveDate, embargoed: bool) -> Option<String> {
    match release.status {
        ReleaseStatus::Released if release.github_url.is_none() => {
            return Some("it was released without Trainyard publishing it to GitHub".into());
        }
        ReleaseStatus::Planned | ReleaseStatus::Candidate => {
            return Some(
                "it is not approved yet: promote its weekly (a monthly) or approve its candidate (a patch)".into(),
            );
        }
        _ => {}
    }
    if let Err(refused) = check(release, Transition::Publish, today, embargoed) {
        return Some(refused.0);
    }
    match &release.source_commit {
        None => Some("it has no source commit to tag".into()),
        Some(sha) if parse_full_sha(sha).is_err() => {
            Some(format!("its source commit {sha} is not a full SHA: a tag is made only at a full one"))
        }
        Some(_) => None,
    }
}

/// The fixes a release carries, with those under embargo hidden unless `sees_embargoed`.
async fn carried_for(state: &AppState, release: i64, sees_embargoed: bool) -> Result<Vec<CarriedFix>, AppError> {
    Ok(list_carried(state.db.reader(), release)
        .await?
        .into_iter()
        .map(|fix| match fix.embargoed && !sees_embargoed {
            true => CarriedFix {
                title: "A security fix under embargo".into(),
                bug_link: "details follow once the embargo is lifted".into(),
                fix_link: None,
                cve_id: None,
                ..fix
            },
            false => fix,
        })
        .collect())
}

/// Whether `version` is GitHub's "latest" now: computed at each create or update, since a later
/// release takes "latest" from every other.
async fn latest(state: &AppState, version: &Version) -> Result<bool, AppError> {
    let catalog = catalog(state).await?;
    let published = catalog.releases.iter().filter(|r| r.status.is_fixed()).filter_map(|r| r.version.as_ref());
    Ok(makes_latest(version, published))
}

/// What would be sent to GitHub: the tag at the source commit, and notes generated from what
/// the release ships (the fixes it carries with their links, the build it came from, the
/// previous release of its line).
pub async fn payload(
    state: &AppState,
    release: &Release,
    version: &Version,
    sees_embargoed: bool,
) -> Result<Payload, AppError> {
    let catalog = catalog(state).await?;
    let previous = catalog
        .releases_of(version.line())
        .filter(|r| r.shipped().is_some())
        .filter_map(|r| r.version.as_ref())
        .filter(|v| *v < version)
        .max();
    let carried = carried_for(state, release.id, sees_embargoed).await?;
    Ok(Payload {
        repository: state.github.repository(),
        tag: version.tag(),
        target_sha: release.source_commit.clone().unwrap_or_default(),
        name: version.to_string(),
        body: release_notes(release, version, previous, &carried),
        prerelease: version.is_prerelease(),
        make_latest: latest(state, version).await?,
    })
}

async fn is_embargoed(state: &AppState, release: i64) -> Result<bool, AppError> {
    Ok(list_carried(state.db.reader(), release).await?.iter().any(|f| f.embargoed))
}

pub async fn panel(state: &AppState, actor: &Principal, version: &str) -> Result<PublishPanel, AppError> {
    let (release, version) = find(state, version).await?;
    let mut conn = state.db.reader().acquire().await?;
    let stored = store::find_for_release(&mut conn, release.id).await?;
    drop(conn);
    let today = state.today();
    let blocked_now = blocked(&release, today, is_embargoed(state, release.id).await?);
    let sees = actor.can(Permission::ReadEmbargoed);
    let (payload, publication) = match stored {
        Some(s) => {
            let mut p = s.payload;
            p.repository = state.github.repository();
            (Some(p), Some(s.publication))
        }
        None if release.status.is_live() => (Some(payload(state, &release, &version, sees).await?), None),
        None => (None, None),
    };
    Ok(PublishPanel {
        version: version.to_string(),
        blocked: if publication.is_some() { None } else { blocked_now },
        payload,
        publication,
        dry_run: !state.github.is_configured(),
        can_publish: actor.can(Permission::Publish),
    })
}

/// What pressing "Publish" did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Published {
    /// No token or repository: nothing was sent; this is what would have been.
    DryRun(Payload),
    /// The intent is stored; the worker carries it out.
    Queued,
}

impl Published {
    /// What a dry run would have sent, if this was one.
    pub fn dry_run_payload(self) -> Option<Payload> {
        match self {
            Self::DryRun(payload) => Some(payload),
            Self::Queued => None,
        }
    }
}

/// Records the intent to publish and fixes the release's version (in one short transaction),
/// then wakes the worker. Only a due, approved release carrying no embargoed fix may go.
pub async fn publish(state: &AppState, actor: &Principal, version: &str) -> Result<Published, AppError> {
    actor.require(Permission::Publish)?;
    let (release, version) = find(state, version).await?;
    let existing = {
        let mut conn = state.db.reader().acquire().await?;
        store::find_for_release(&mut conn, release.id).await?
    };
    if existing.is_some() {
        state.publisher.notify_one();
        return Ok(Published::Queued);
    }
    if let Some(why) = blocked(&release, state.today(), is_embargoed(state, release.id).await?) {
        return Err(AppError::conflict(format!("{version} cannot be published: {why}")));
    }
    let payload = payload(state, &release, &version, true).await?;
    if !state.github.is_configured() {
        return Ok(Published::DryRun(payload));
    }
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    let (_, created) = store::insert_intent(&mut tx, release.id, &payload, actor.user_id(), now).await?;
    if created {
        if !update_publishing(&mut tx, release.id, &version, now).await? {
            return Err(AppError::conflict(format!("{version} changed meanwhile; reload")));
        }
        record(
            &mut tx,
            actor,
            Change::new(
                "release.publish_requested",
                "release",
                release.slot.key(),
                format!("asked to publish {version} to GitHub"),
            ),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    state.publisher.notify_one();
    Ok(Published::Queued)
}

/// Retries a failed or waiting publication now, from the step it stopped at.
pub async fn retry(state: &AppState, actor: &Principal, version: &str) -> Result<(), AppError> {
    actor.require(Permission::Publish)?;
    let (release, version) = find(state, version).await?;
    let mut conn = state.db.reader().acquire().await?;
    let stored = store::find_for_release(&mut conn, release.id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("a publication of {version}")))?;
    drop(conn);
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    if !store::update_retry_now(&mut tx, stored.publication.id, now).await? {
        return Err(AppError::conflict(format!("the publication of {version} is not waiting for a retry")));
    }
    record(
        &mut tx,
        actor,
        Change::new("release.publish_retried", "release", release.slot.key(), format!("retried publishing {version}")),
        now,
    )
    .await?;
    tx.commit().await?;
    state.publisher.notify_one();
    Ok(())
}

/// Carries out every due publication; returns how many reached GitHub. The worker calls it;
/// tests call it after moving the clock.
pub async fn process_due(state: &AppState) -> Result<usize, AppError> {
    let _serial = state.publishing_lock.lock().await;
    let due = store::list_due(state.db.reader(), state.clock.now()).await?;
    let mut published = 0;
    for id in due {
        if process(state, id).await? {
            published += 1;
        }
    }
    Ok(published)
}

enum Step {
    Next(&'static str),
    Done(GhRelease),
}

/// Runs one publication from its current step until it is done or a call fails. Never holds a
/// write transaction across a GitHub call: each outcome is recorded after the call returns.
async fn process(state: &AppState, id: i64) -> Result<bool, AppError> {
    loop {
        let mut conn = state.db.reader().acquire().await?;
        let Some(stored) = store::find(&mut conn, id).await? else { return Ok(false) };
        drop(conn);
        let p = &stored.publication;
        if !matches!(p.state, PublicationState::Pending | PublicationState::Retrying)
            || p.next_attempt_at > state.clock.now()
        {
            return Ok(false);
        }
        let step = p.step.clone();
        let outcome = match step.as_str() {
            "tag" => ensure_tag(state, &stored.payload).await,
            "release" => {
                // "Latest" is decided at each create or update: a release made since may have
                // taken it, or this one may now be the highest.
                let mut payload = stored.payload.clone();
                if let Ok(version) = Version::parse(&payload.tag) {
                    payload.make_latest = latest(state, &version).await?;
                }
                ensure_release(state, &payload).await
            }
            _ => return Ok(false),
        };
        let now = state.clock.now();
        let mut tx = state.db.begin_write().await?;
        match outcome {
            Ok(Step::Next(next)) => {
                store::update_step(&mut tx, id, next, now).await?;
                store::insert_attempt(&mut tx, id, &step, "ok", &format!("{step} done"), now).await?;
                tx.commit().await?;
                tokio::time::sleep(state.backoff.mutation_gap).await;
            }
            Ok(Step::Done(gh)) => {
                store::update_published(&mut tx, id, gh.id, &gh.html_url, now).await?;
                store::insert_attempt(&mut tx, id, &step, "ok", &format!("published as {}", gh.html_url), now).await?;
                let release = find_release(&mut *tx, stored.release_id).await?.ok_or(AppError::Internal)?;
                record_published(&mut tx, &release, &stored.payload.tag, (gh.id, &gh.html_url), now.date_naive(), now)
                    .await?;
                let change = Change::new(
                    "release.published",
                    "release",
                    &stored.payload.tag,
                    format!("published {} to GitHub: {}", stored.payload.tag, gh.html_url),
                );
                record(&mut tx, &Principal::System("publisher"), change, now).await?;
                tx.commit().await?;
                return Ok(true);
            }
            Err(e) => {
                let attempts = p.attempts + 1;
                let (state_after, next) = match &e {
                    _ if e.is_permanent() => (PublicationState::Failed, now),
                    GitHubError::RateLimited { wait } => {
                        (PublicationState::Retrying, now + chrono::Duration::from_std(*wait).unwrap_or_default())
                    }
                    _ if attempts >= state.backoff.max_attempts => (PublicationState::Failed, now),
                    _ => (PublicationState::Retrying, now + state.backoff.after(attempts)),
                };
                let message = e.to_string();
                tracing::warn!(publication = id, step, error = %message, "publishing step failed");
                store::update_failure(&mut tx, id, state_after, &message, next, now).await?;
                store::insert_attempt(
                    &mut tx,
                    id,
                    &step,
                    if state_after == PublicationState::Failed { "failed" } else { "retry" },
                    &message,
                    now,
                )
                .await?;
                tx.commit().await?;
                return Ok(false);
            }
        }
    }
}

async fn ensure_tag(state: &AppState, p: &Payload) -> Result<Step, GitHubError> {
    match state.github.find_tag(&p.tag).await? {
        Some(sha) if sha.eq_ignore_ascii_case(&p.target_sha) => Ok(Step::Next("release")),
        Some(sha) => Err(GitHubError::Rejected(format!("tag {} already points at {sha}, not {}", p.tag, p.target_sha))),
        None => {
            state.github.create_tag(&p.tag, &p.target_sha).await?;
            match state.github.find_tag(&p.tag).await? {
                Some(sha) if sha.eq_ignore_ascii_case(&p.target_sha) => Ok(Step::Next("release")),
                Some(sha) => Err(GitHubError::Rejected(format!("tag {} points at {sha}, not {}", p.tag, p.target_sha))),
                None => Err(GitHubError::Transient("the tag was created but is not visible yet".into())),
            }
        }
    }
}

fn request(p: &Payload) -> ReleaseRequest {
    ReleaseRequest {
        tag_name: p.tag.clone(),
        target_commitish: p.target_sha.clone(),
        name: p.name.clone(),
        body: p.body.clone(),
        draft: false,
        prerelease: p.prerelease,
        make_latest: p.make_latest.to_string(),
    }
}

/// Creates the release once: an existing one (a draft left by an earlier attempt, or one
/// created by a call whose answer was lost) is found by listing and brought in line instead.
async fn ensure_release(state: &AppState, p: &Payload) -> Result<Step, GitHubError> {
    let wanted = request(p);
    let reconcile = |existing: GhRelease| async move {
        let matches = !existing.draft
            && existing.prerelease == wanted.prerelease
            && existing.name.as_deref() == Some(wanted.name.as_str())
            && existing.body.as_deref() == Some(wanted.body.as_str());
        if matches { Ok(existing) } else { state.github.update_release(existing.id, &wanted).await }
    };
    if let Some(existing) = state.github.find_release(&p.tag).await? {
        return reconcile(existing).await.map(Step::Done);
    }
    match state.github.create_release(&request(p)).await? {
        Some(created) => Ok(Step::Done(created)),
        None => match state.github.find_release(&p.tag).await? {
            Some(existing) => reconcile(existing).await.map(Step::Done),
            None => Err(GitHubError::Transient("GitHub says the release exists but does not list it yet".into())),
        },
    }
}

/// Sets the outbox gauges from the stored publications, for a metrics scrape; every state is
/// reported, zero included, so a dashboard sees an empty outbox rather than no data.
pub async fn measure_outbox(state: &AppState) -> Result<(), AppError> {
    let stored = store::count_by_state(state.db.reader()).await?;
    let counts: Vec<(String, i64)> = PublicationState::ALL
        .iter()
        .map(|s| (s.as_str().to_owned(), stored.iter().find(|(name, _)| name == s.as_str()).map_or(0, |(_, n)| *n)))
        .collect();
    state.metrics.set_publications(&counts);
    Ok(())
}

/// One round of the outbox: a failure or a panic (a bug, or a surprising answer) is logged and
/// counted, and the caller runs the next round as usual; true when the round succeeded.
pub async fn run_round<T>(state: &AppState, round: impl std::future::Future<Output = Result<T, AppError>>) -> bool {
    use futures::FutureExt;
    match std::panic::AssertUnwindSafe(round).catch_unwind().await {
        Ok(Ok(_)) => true,
        Ok(Err(e)) => {
            state.metrics.publishing_round_failures.inc();
            tracing::warn!(error = %e, "the publishing worker failed a round");
            false
        }
        Err(_) => {
            state.metrics.publishing_round_failures.inc();
            tracing::error!("the publishing worker panicked in a round; it carries on");
            false
        }
    }
}

/// Runs the outbox until the process ends: woken by a new intent, or every few seconds for
/// retries that come due. Survives restarts because everything it needs is in SQLite.
pub fn spawn_worker(state: AppState) {
    tokio::spawn(async move {
        loop {
            run_round(&state, process_due(&state)).await;
            let _ = tokio::time::timeout(StdDuration::from_secs(2), state.publisher.notified()).await;
        }
    });
}
