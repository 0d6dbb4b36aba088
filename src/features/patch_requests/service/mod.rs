//! Filing and reading patch requests; triage, cherry-picks and the on-call rotation are in
//! their own files.

mod changes;
mod cherry_picks;
mod oncall;
mod triage;

pub use changes::{edit_context, edit_request, form_of, reclassify, withdraw};
pub use cherry_picks::{mark_merged, refresh_cherry_picks, set_cherry_pick};
use chrono::{Duration, Months, NaiveDate};
pub use oncall::{assign_oncall, follow_rotation, rotation, triager_of};
use sha2::{Digest, Sha256};
pub use triage::{Decide, decide, decide_several, defer_to_monthly, lift_embargo, mark_duplicate};

use super::{
    FormContext, LineSlot, ListFilter, PatchRequest, Posted, RequestDetail, RequestList, SameBug, Slot,
    store::{self, Insert, Visibility},
};
use crate::{
    domain::{
        access::{Permission, Principal},
        calendar_rules::monday_of,
        errors::FieldError,
        patch_request::{Decision, NewPatchRequest, PatchRequestForm},
        plan::{Plan, PlanState, Scheduled},
        policy::LineStatus,
        version::{LineId, Version},
    },
    error::AppError,
    features::{
        audit::store::{Change, list_for, record},
        catalog::{service::plan, store::ensure_line},
    },
    platform::state::AppState,
};

/// A resend or double click within this window returns the request already filed.
const DEDUPE_WINDOW: Duration = Duration::hours(24);
/// How far ahead the form and triage look for slots.
const AHEAD: Months = Months::new(6);

pub fn visibility(actor: &Principal) -> Visibility {
    Visibility { viewer: actor.user_id(), sees_embargoed: actor.can(Permission::ReadEmbargoed) }
}

fn slot_of(s: &Scheduled, today: NaiveDate) -> Slot {
    let label = match (&s.version, s.slot.month()) {
        (Some(v), _) => v.to_string(),
        (None, Some(month)) => format!("the {} patch of {}", s.line, month.format("%B %Y")),
        (None, None) => format!("a {} patch", s.line),
    };
    Slot { version: s.version.clone(), label, cherry_pick_deadline: s.cherry_pick_deadline, target: s.due(today) }
}

/// The lines a request can target today, each with the slot a fix ready today makes (and the
/// one whose deadline it just missed): every supported line, and after its branch cut the line
/// of the coming monthly, whose fixes ship in its `X.Y.0`. Also the monthly a deferred request
/// waits for: the first whose branch cut is still ahead.
pub fn line_slots(plan: &Plan, branch_cut_days: u32) -> (Vec<LineSlot>, Option<(Version, NaiveDate)>) {
    let today = plan.today;
    let mut lines: Vec<LineSlot> = plan
        .supported()
        .rev()
        .map(|l| LineSlot {
            line: l.line,
            status: l.status,
            next: l.open_slot(today).map(|s| slot_of(s, today)),
            missed: l
                .patches
                .iter()
                .filter(|p| !p.out_of_band() && p.state != PlanState::Released && p.date >= today)
                .find(|p| p.cherry_pick_deadline.is_some_and(|d| d < today))
                .map(|s| slot_of(s, today)),
        })
        .collect();
    if let Some(branched) = plan.branched_line(branch_cut_days) {
        let next = Some(slot_of(&branched.minor, today));
        lines.insert(0, LineSlot { line: branched.line, status: LineStatus::InDevelopment, next, missed: None });
    }
    let next_minor = plan.open_monthly(branch_cut_days).and_then(|m| Some((m.version.clone()?, m.due(today))));
    (lines, next_minor)
}

pub async fn form_context(state: &AppState, posted: Option<Posted>) -> Result<FormContext, AppError> {
    let (catalog, plan) = plan(state, AHEAD).await?;
    let (lines, next_minor) = line_slots(&plan, catalog.policy.branch_cut_days);
    Ok(FormContext { today: state.today(), lines, next_minor, posted, editing: None })
}

fn dedupe_key(r: &NewPatchRequest) -> String {
    let targets: Vec<String> = r.targets.iter().map(ToString::to_string).collect();
    let text =
        format!("{}\n{}\n{}\n{}", r.title.to_lowercase(), r.bug_link.as_str(), r.category.as_str(), targets.join(","));
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// The lines a request filed today may target, for a client that named none.
pub async fn targetable_lines(state: &AppState) -> Result<Vec<LineId>, AppError> {
    Ok(form_context(state, None).await?.supported())
}

/// Files a request; a deferred one records the monthly it waits for. Filing the same request
/// twice (a double click, a resend) returns the first one.
pub async fn file_request(state: &AppState, actor: &Principal, form: &PatchRequestForm) -> Result<i64, AppError> {
    actor.require(Permission::FilePatchRequest)?;
    let requester = actor.user_id().ok_or_else(|| AppError::forbidden("sign in as a person to file a request"))?;
    let context = form_context(state, None).await?;
    let request = NewPatchRequest::parse(form, &context.supported()).map_err(AppError::from)?;
    let key = dedupe_key(&request);
    let now = state.clock.now();
    if let Some(id) = store::find_duplicate(state.db.reader(), requester, &key, now - DEDUPE_WINDOW).await? {
        return Ok(id);
    }
    let owner = store::find_oncall(state.db.reader(), monday_of(state.today())).await?;
    let deferred_to = (!request.qualifies()).then(|| context.next_minor.as_ref().map(|(v, _)| v.to_string())).flatten();
    let mut tx = state.db.begin_write().await?;
    // Checked again inside the write: two identical posts racing still make one request.
    if let Some(id) = store::find_duplicate(&mut *tx, requester, &key, now - DEDUPE_WINDOW).await? {
        return Ok(id);
    }
    let insert = Insert {
        request: &request,
        requester,
        triage_owner: owner.map(|(id, _)| id),
        deferred_to: deferred_to.clone(),
        dedupe_key: key,
    };
    // A branched line has no release stored yet; its fixes are its first record.
    for line in &request.targets {
        ensure_line(&mut tx, *line, now).await?;
    }
    let id = store::insert_request(&mut tx, insert, now).await?;
    let summary = match &deferred_to {
        Some(v) => format!("filed “{}” ({}); deferred to {v}", request.title, request.category.short()),
        None => format!(
            "filed “{}” ({}, {}{}) for {}",
            request.title,
            request.category.short(),
            request.severity.as_str(),
            if request.needs_exception() { ", needs a release manager's exception" } else { "" },
            request.targets.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
        ),
    };
    record(&mut tx, actor, Change::new("patch_request.filed", "patch_request", id, summary), now).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn list(state: &AppState, actor: &Principal, filter: ListFilter) -> Result<RequestList, AppError> {
    let mut conn = state.db.reader().acquire().await?;
    let (items, total, counts) = store::list_requests(&mut conn, &filter, visibility(actor)).await?;
    let pages = (total.max(1) as u32).div_ceil(super::PAGE_SIZE);
    let (catalog, plan) = plan(state, AHEAD).await?;
    let lines = plan.supported().rev().map(|l| l.line).collect();
    let queue_slot = match (filter.line, filter.decision) {
        (Some(line), Some(Decision::Pending)) => line_slots(&plan, catalog.policy.branch_cut_days)
            .0
            .into_iter()
            .find(|s| s.line == line)
            .and_then(|s| s.next),
        _ => None,
    };
    let signed_in = actor.user_id().is_some();
    let can_triage = actor.can(Permission::Triage);
    Ok(RequestList { filter, items, counts, total, pages, lines, signed_in, queue_slot, can_triage })
}

/// One request as the viewer may see it, each carrier with the version the plan gives it;
/// embargoed ones are simply not found.
pub async fn find(state: &AppState, actor: &Principal, id: i64) -> Result<PatchRequest, AppError> {
    let mut conn = state.db.reader().acquire().await?;
    let mut request = store::find_request(&mut conn, id, visibility(actor))
        .await?
        .ok_or_else(|| AppError::not_found(format!("Patch request {id}")))?;
    drop(conn);
    let (_, plan) = plan(state, AHEAD).await?;
    for carrier in request.targets.iter_mut().filter_map(|t| t.carrier.as_mut()) {
        if carrier.version.is_none()
            && let Some(planned) = plan.by_release(carrier.release)
        {
            carrier.version = planned.version.clone();
            carrier.date = planned.due(plan.today);
        }
    }
    Ok(request)
}

pub async fn detail(state: &AppState, actor: &Principal, id: i64) -> Result<RequestDetail, AppError> {
    let request = find(state, actor, id).await?;
    let triager = triager_of(state, actor, id).await.ok();
    let timeline = list_for(state.db.reader(), "patch_request", &id.to_string()).await?;
    let requester = actor.user_id() == Some(request.requester_id);
    let can_track = actor.can(Permission::Triage) || requester;
    let rules = changes::now_of(&request);
    let can_edit = requester
        && actor.can(Permission::FilePatchRequest)
        && changes::edit_rules(state.db.reader(), &request).await?.check_edit().is_ok();
    let can_withdraw = requester && actor.can(Permission::FilePatchRequest) && rules.may_withdraw().is_ok();
    let can_reclassify = actor.can(Permission::Triage) && rules.may_reclassify().is_ok();
    let (catalog, plan) = plan(state, AHEAD).await?;
    let (slots, _) = line_slots(&plan, catalog.policy.branch_cut_days);
    let pending = |line: LineId| request.targets.iter().any(|t| t.line == line && t.decision == Decision::Pending);
    let projected = slots.into_iter().filter(|s| pending(s.line)).filter_map(|s| Some((s.line, s.next?))).collect();
    let deferred_on = request
        .deferred_to
        .as_deref()
        .and_then(|v| Version::parse(v).ok())
        .and_then(|v| plan.by_version(&v).map(|s| s.due(plan.today)));
    Ok(RequestDetail {
        request,
        timeline,
        can_triage: triager.is_some(),
        manages: triager == Some(crate::domain::access::Triager::Manager),
        can_track,
        can_edit,
        can_withdraw,
        can_reclassify,
        github: state.github.is_configured(),
        projected,
        deferred_on,
        today: state.today(),
    })
}

/// Requests in play with the same bug link, for the form's warning; nothing for a link that
/// is not one yet.
/// Anyone may ask (the list is public): an embargoed request shows only to those who may read it.
pub async fn same_bug(state: &AppState, actor: &Principal, bug_link: &str) -> Result<Vec<SameBug>, AppError> {
    let link = bug_link.trim();
    if !(link.starts_with("https://") || link.starts_with("http://")) || link.len() > 2000 {
        return Ok(Vec::new());
    }
    let rows = store::list_same_bug(state.db.reader(), link, visibility(actor)).await?;
    Ok(rows.into_iter().map(|(id, title, status)| SameBug { id, title, status }).collect())
}

/// A date as typed in a form, named by its field when it is not one.
fn parse_date(field: &str, text: &str) -> Result<NaiveDate, FieldError> {
    crate::domain::calendar_rules::parse_day(text).map_err(|m| FieldError::new(field, m))
}

/// Records a change to a request in its audit trail.
async fn audit(
    tx: &mut crate::platform::db::WriteTx,
    actor: &Principal,
    action: &str,
    request: i64,
    summary: String,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), AppError> {
    record(tx, actor, Change::new(action, "patch_request", request, summary), now).await
}
