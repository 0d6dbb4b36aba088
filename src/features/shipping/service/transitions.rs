//! A release manager's actions on a release, each with its rule from `domain::lifecycle`,
//! audited, and its fixes moved on when the release will not carry them.

use chrono::NaiveDate;

use super::{AHEAD, audit, carry, name_of, row, stored};
use crate::{
    domain::{
        access::{Permission, Principal},
        catalog::{Release, ReleaseKind, Slot},
        errors::{FieldError, Refused},
        lifecycle::{CarriedMerge, Transition, check, patch_candidate_refusal},
        plan::{Plan, PlanState, Scheduled},
        policy::EolOverride,
        version::{LineId, Version},
    },
    error::AppError,
    features::{
        audit::store::{Change, record},
        catalog::{
            service::plan,
            store::{
                NewRelease, count_out_of_band, ensure_release, insert_release, update_approved, update_cancelled,
                update_line, update_planned_date, update_released,
            },
        },
        patch_requests::store::{list_carried_targets, refresh_for_release, refresh_status, update_carrier},
        train::store::find_build,
    },
    platform::state::AppState,
};

/// Longest note on a moved or cancelled release.
pub const MAX_NOTE: usize = 200;

fn parse_note(field: &str, text: &str) -> Result<String, FieldError> {
    let note = text.trim();
    if note.is_empty() {
        return Err(FieldError::new(field, "say why, so the calendar can show it"));
    }
    if note.chars().count() > MAX_NOTE {
        return Err(FieldError::new(field, format!("use at most {MAX_NOTE} characters")));
    }
    Ok(note.to_owned())
}

fn parse_date(field: &str, text: &str) -> Result<NaiveDate, FieldError> {
    crate::domain::calendar_rules::parse_day(text).map_err(|m| FieldError::new(field, m))
}

/// The planned release a manager names by its version (what pages show) or its slot key.
fn find<'a>(plan: &'a Plan, name: &str) -> Result<&'a Scheduled, AppError> {
    let found = match Version::parse(name) {
        Ok(version) => plan.by_version(&version),
        Err(_) => name.trim().parse::<Slot>().ok().and_then(|slot| plan.by_slot(&slot)),
    };
    found.ok_or_else(|| {
        FieldError::new("version", format!("{} is not a planned or projected release", name.trim())).into()
    })
}

/// Whether a release carries a fix still under embargo (it cannot ship until that is lifted).
async fn embargoed(state: &AppState, release: i64) -> Result<bool, AppError> {
    Ok(list_carried_targets(state.db.reader(), release).await?.iter().any(|f| f.embargoed))
}

/// The stored release of a planned one that a rule needs, refusing a projected one.
fn stored_row<'a>(catalog: &'a crate::domain::catalog::Catalog, s: &Scheduled) -> Result<&'a Release, AppError> {
    row(catalog, s)
        .ok_or_else(|| Refused::new(format!("{} is only projected: nothing is planned for it yet", name_of(s))).into())
}

/// A release manager approves a patch release's candidate: refused unless the candidate build
/// passed the required suites on the line's release branch after every carried fix merged.
/// The date stays as planned.
pub async fn approve_patch(state: &AppState, actor: &Principal, name: &str) -> Result<Version, AppError> {
    actor.require(Permission::Publish)?;
    let (catalog, plan) = plan(state, AHEAD).await?;
    let planned = find(&plan, name)?;
    let release = stored_row(&catalog, planned)?;
    if release.kind != ReleaseKind::Patch {
        return Err(Refused::new("a monthly is approved by promoting its weekly build on /train").into());
    }
    check(release, Transition::Approve, plan.today, false)?;
    let policy = &catalog.policy;
    let branch = policy.release_branch_of(release.line);
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    let build_name = release.source_build.clone().ok_or_else(|| Refused::new("it has no candidate build yet"))?;
    let (_, build) =
        find_build(&mut tx, &build_name).await?.ok_or_else(|| AppError::not_found(format!("build {build_name}")))?;
    let fixes = list_carried_targets(&mut *tx, release.id).await?;
    if fixes.is_empty() {
        return Err(Refused::new(format!("{} carries no fix: there is nothing to ship", name_of(planned))).into());
    }
    let merges: Vec<CarriedMerge> =
        fixes.iter().map(|f| CarriedMerge { request: f.request, merged_at: f.merged_at }).collect();
    if let Some(why) = patch_candidate_refusal(&build, &branch, &policy.patch_suites, &merges) {
        return Err(Refused::new(format!("{} cannot be approved: {why}", name_of(planned))).into());
    }
    if !update_approved(&mut tx, release.id, now).await? {
        return Err(Refused::new(format!("{} changed meanwhile; reload", name_of(planned))).into());
    }
    let version = planned.version.clone().expect("a live patch has a version");
    let summary = format!("approved {version} from {build_name}; it ships on {}", planned.due(plan.today));
    audit(&mut tx, actor, "release.approved", &release.slot.key(), summary, now).await?;
    tx.commit().await?;
    Ok(version)
}

/// Moves an approved release's day to today, so it can be published (or marked released) now.
pub async fn ship_now(state: &AppState, actor: &Principal, name: &str) -> Result<(), AppError> {
    actor.require(Permission::Publish)?;
    let (catalog, plan) = plan(state, AHEAD).await?;
    let planned = find(&plan, name)?;
    let release = stored_row(&catalog, planned)?;
    check(release, Transition::ShipNow, plan.today, false)?;
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    let note = format!("shipped early: planned for {}", release.planned_date);
    if !update_planned_date(&mut tx, release.id, plan.today, &note, now).await? {
        return Err(Refused::new(format!("{} changed meanwhile; reload", name_of(planned))).into());
    }
    audit(
        &mut tx,
        actor,
        "release.ship_now",
        &release.slot.key(),
        format!("{} ships today: {note}", name_of(planned)),
        now,
    )
    .await?;
    tx.commit().await
}

/// Marks a due approved release released, when publishing to GitHub is a dry run: its version
/// is fixed now, and the fixes it carries have shipped.
pub async fn mark_released(state: &AppState, actor: &Principal, name: &str) -> Result<Version, AppError> {
    actor.require(Permission::Publish)?;
    if state.github.is_configured() {
        return Err(Refused::new("GitHub is configured: publish the release, and it is released once on GitHub").into());
    }
    let (catalog, plan) = plan(state, AHEAD).await?;
    let planned = find(&plan, name)?;
    let release = stored_row(&catalog, planned)?;
    check(release, Transition::Release, plan.today, embargoed(state, release.id).await?)?;
    let version = planned.version.clone().expect("a live release has a version");
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    if !update_released(&mut tx, release.id, &version, plan.today, None, now).await? {
        return Err(Refused::new(format!("{version} changed meanwhile; reload")).into());
    }
    refresh_for_release(&mut tx, release.id, now).await?;
    audit(
        &mut tx,
        actor,
        "release.released",
        &release.slot.key(),
        format!("released {version} on {}", plan.today),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(version)
}

/// The publishing outbox finished: the release is on GitHub and released today.
pub async fn record_published(
    tx: &mut crate::platform::db::WriteTx,
    release: &Release,
    tag: &str,
    github: (i64, &str),
    today: NaiveDate,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), AppError> {
    let version = Version::parse(tag).map_err(|_| AppError::Internal)?;
    update_released(tx, release.id, &version, today, Some((tag, github.0, github.1)), now).await?;
    refresh_for_release(tx, release.id, now).await
}

/// Cancels a planned (or projected) release: its fixes move to the line's next slot with a
/// note. A cancelled monthly frees its version, which the next monthly takes.
pub async fn cancel(state: &AppState, actor: &Principal, name: &str, note: &str) -> Result<(), AppError> {
    actor.require(Permission::EditSchedule)?;
    let note = parse_note("note", note)?;
    let (catalog, plan) = plan(state, AHEAD).await?;
    let planned = find(&plan, name)?.clone();
    if let Some(release) = row(&catalog, &planned) {
        check(release, Transition::Cancel, plan.today, false)?;
    } else if planned.state != PlanState::Projected {
        return Err(Refused::new(format!(
            "{} is {}: it cannot be cancelled",
            name_of(&planned),
            planned.state.as_str()
        ))
        .into());
    }
    if planned.kind == ReleaseKind::Minor
        && let Some(why) = plan.minor_cancel_refusal(&planned)
    {
        return Err(Refused::new(why).into());
    }
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    let id = stored(&mut tx, &planned, plan.today, now).await?;
    let fixes = list_carried_targets(&mut *tx, id).await?;
    if !update_cancelled(&mut tx, id, &note, now).await? {
        return Err(Refused::new(format!("{} changed meanwhile; reload", name_of(&planned))).into());
    }
    let why = format!("{} was cancelled ({note})", planned.slot.describe());
    if planned.kind == ReleaseKind::Minor {
        // Later monthlies each take the line (and version) before theirs; the fixes that were
        // to ship in the cancelled one ship in the next, which takes its version.
        let later: Vec<&Scheduled> =
            plan.lines.iter().map(|l| &l.minor).filter(|m| m.line > planned.line && m.state.is_live()).collect();
        let mut line = planned.line;
        for minor in &later {
            if let Some(id) = minor.release {
                update_line(&mut tx, id, line, now).await?;
            }
            line = minor.line;
        }
        if !fixes.is_empty() {
            let next = match later.first() {
                Some(next) => Some(match next.release {
                    Some(id) => id,
                    None => {
                        let new = NewRelease {
                            date_note: next.note.clone(),
                            ..NewRelease::planned(planned.line, ReleaseKind::Minor, next.slot, next.date)
                        };
                        ensure_release(&mut tx, &new, now).await?
                    }
                }),
                None => None,
            };
            let note = match later.first() {
                Some(n) => format!("{why}: moved to {} on {}", n.slot.describe(), n.date.format("%-d %b %Y")),
                None => format!("{why}: no later monthly is planned"),
            };
            for fix in &fixes {
                update_carrier(&mut tx, fix.request, fix.line, next, &note).await?;
                refresh_status(&mut tx, fix.request, now).await?;
                let change =
                    Change::new("patch_request.carried", "patch_request", fix.request, format!("{}: {note}", fix.line));
                record(&mut tx, actor, change, now).await?;
            }
        }
    } else if !fixes.is_empty() {
        carry(&mut tx, actor, &plan, &planned, &fixes, &why, now).await?;
    }
    audit(
        &mut tx,
        actor,
        "release.cancelled",
        &planned.slot.key(),
        format!("cancelled {}: {note}", name_of(&planned)),
        now,
    )
    .await?;
    tx.commit().await
}

/// Moves a planned (or projected) release to another day, with the reason shown on the
/// calendar; a patch may not move past its line's end of life.
pub async fn move_release(
    state: &AppState,
    actor: &Principal,
    name: &str,
    date: &str,
    note: &str,
) -> Result<(), AppError> {
    actor.require(Permission::EditSchedule)?;
    let date = parse_date("date", date)?;
    let note = parse_note("note", note)?;
    let (catalog, plan) = plan(state, AHEAD).await?;
    if date < plan.today {
        return Err(FieldError::new("date", "a release cannot move into the past").into());
    }
    let planned = find(&plan, name)?.clone();
    match row(&catalog, &planned) {
        Some(release) => check(release, Transition::Move, plan.today, false)?,
        None if planned.state == PlanState::Projected => {}
        None => {
            return Err(
                Refused::new(format!("{} is {}: it cannot move", name_of(&planned), planned.state.as_str())).into()
            );
        }
    }
    if let Some(why) = plan.move_refusal(&planned, date) {
        return Err(FieldError::new("date", why).into());
    }
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    if planned.kind == ReleaseKind::Minor {
        // Stored monthlies precede the projected ones, so pinning a monthly's date pins those
        // before it where they are: otherwise their months would have no release.
        for earlier in plan.lines.iter().map(|l| &l.minor).filter(|m| m.line < planned.line && m.release.is_none()) {
            stored(&mut tx, earlier, plan.today, now).await?;
        }
    }
    let id = stored(&mut tx, &planned, plan.today, now).await?;
    if !update_planned_date(&mut tx, id, date, &note, now).await? {
        return Err(Refused::new(format!("{} can no longer be moved", name_of(&planned))).into());
    }
    let summary = format!("moved {} from {} to {date}: {note}", name_of(&planned), planned.date);
    audit(&mut tx, actor, "release.moved", &planned.slot.key(), summary, now).await?;
    tx.commit().await
}

/// Plans an out-of-band patch for a supported line; it takes the next number, and the planned
/// patches after it renumber. Returns its version.
pub async fn add_out_of_band(
    state: &AppState,
    actor: &Principal,
    line: &str,
    date: &str,
    note: &str,
) -> Result<Version, AppError> {
    actor.require(Permission::EditSchedule)?;
    let line = LineId::parse(line).map_err(|e| FieldError::new("line", e.to_string()))?;
    let date = parse_date("date", date)?;
    let note = parse_note("note", note)?;
    let (_, before) = plan(state, AHEAD).await?;
    if date < before.today {
        return Err(FieldError::new("date", "an out-of-band release cannot be in the past").into());
    }
    let planned = before
        .line(line)
        .filter(|l| l.status.is_supported())
        .ok_or_else(|| FieldError::new("line", format!("{line} is not a supported line")))?;
    if date >= planned.eol.date {
        return Err(FieldError::new("date", format!("{line} reaches end of life on {}", planned.eol.date)).into());
    }
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    let slot = Slot::OutOfBand { line, n: count_out_of_band(&mut *tx, line).await? + 1 };
    let new = NewRelease { date_note: Some(note.clone()), ..NewRelease::planned(line, ReleaseKind::Patch, slot, date) };
    insert_release(&mut tx, &new, now).await?;
    audit(
        &mut tx,
        actor,
        "release.planned_out_of_band",
        &slot.key(),
        format!("planned an out-of-band {line} patch on {date}: {note}"),
        now,
    )
    .await?;
    tx.commit().await?;
    let (_, after) = plan(state, AHEAD).await?;
    after.by_slot(&slot).and_then(|s| s.version.clone()).ok_or(AppError::Internal)
}

/// Moves one approved fix that is not merged yet to its line's next slot (from the release
/// screen, when it will not make this one).
pub async fn move_fix(state: &AppState, actor: &Principal, request: i64, line: LineId) -> Result<(), AppError> {
    actor.require(Permission::Triage)?;
    let (_, plan) = plan(state, AHEAD).await?;
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    let mut moved = false;
    for p in plan.lines.iter().filter(|l| l.line == line).flat_map(|l| &l.patches).filter(|p| p.release.is_some()) {
        let fixes = list_carried_targets(&mut *tx, p.release.expect("filtered")).await?;
        let Some(fix) = fixes.into_iter().find(|f| f.request == request) else { continue };
        if fix.merged_at.is_some() {
            return Err(Refused::new(format!("the fix for {line} is merged: it ships in {}", name_of(p))).into());
        }
        if !matches!(p.state, PlanState::Planned | PlanState::Candidate) {
            return Err(Refused::new(format!("{} is {}: its fixes stay", name_of(p), p.state.as_str())).into());
        }
        carry(&mut tx, actor, &plan, p, &[fix], "moved on by a release manager", now).await?;
        moved = true;
        break;
    }
    if !moved {
        return Err(Refused::new(format!("request {request} has no fix waiting in a {line} release")).into());
    }
    tx.commit().await
}

/// Sets (or, with `None`, clears) a line's end of life by hand, with the reason people read;
/// planned patches it cuts off are cancelled and their fixes say they will not ship.
pub async fn set_eol_override(
    state: &AppState,
    actor: &Principal,
    line: LineId,
    value: Option<EolOverride>,
) -> Result<(), AppError> {
    crate::features::catalog::service::set_eol_override(state, actor, line, value).await?;
    reconcile(state).await
}

/// Live patches dated on or after their line's end of life (a policy change or an override
/// moved it) will never ship: they are cancelled, and their fixes say so.
pub async fn reconcile(state: &AppState) -> Result<(), AppError> {
    let (catalog, plan) = plan(state, AHEAD).await?;
    let system = Principal::System("train");
    for line in &plan.lines {
        for p in line
            .patches
            .iter()
            .filter(|p| p.release.is_some() && matches!(p.state, PlanState::Planned | PlanState::Candidate))
        {
            if p.due(plan.today) < line.eol.date {
                continue;
            }
            let Some(release) = row(&catalog, p) else { continue };
            let now = state.clock.now();
            let mut tx = state.db.begin_write().await?;
            let fixes = list_carried_targets(&mut *tx, release.id).await?;
            let note = format!("{} reaches end of life on {} first", line.line, line.eol.date);
            if update_cancelled(&mut tx, release.id, &note, now).await? {
                carry(&mut tx, &system, &plan, p, &fixes, &note, now).await?;
                audit(
                    &mut tx,
                    &system,
                    "release.cancelled",
                    &release.slot.key(),
                    format!("cancelled {}: {note}", name_of(p)),
                    now,
                )
                .await?;
            }
            tx.commit().await?;
        }
    }
    Ok(())
}
