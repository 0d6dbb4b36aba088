//! Filing and triaging patch requests: the rules around the store.

use chrono::{Days, Duration, NaiveDate};
use sha2::{Digest, Sha256};

use super::{
    FormContext, LineSlot, ListFilter, PatchRequest, Posted, RequestDetail, RequestList, Slot,
    store::{self, Insert, Visibility},
};
use crate::{
    domain::{
        access::{Permission, Principal},
        calendar_rules::monday_of,
        errors::FieldError,
        patch_request::{Decision, NewPatchRequest, PatchRequestForm},
        schedule::{EventKind, EventStatus, ScheduleEvent},
        triage::{DecisionInput, LineState, check_decision, lines_to_decide},
        version::{LineId, Version},
    },
    error::AppError,
    features::{
        audit::store::{Change, list_for, record},
        auth::store::find_credentials,
        catalog::{
            service::{catalog, release_schedule},
            store::{NewRelease, find_release, insert_release, insert_release_if_absent},
        },
    },
    platform::state::AppState,
};

/// A resend or double click within this window returns the request already filed.
const DEDUPE_WINDOW: Duration = Duration::hours(24);

pub fn visibility(actor: &Principal) -> Visibility {
    Visibility { viewer: actor.user_id(), sees_embargoed: actor.can(Permission::ReadEmbargoed) }
}

/// The regular patch slots of each line from `today` on: (version, deadline, target).
fn slots_by_line(events: &[ScheduleEvent]) -> Vec<(LineId, Slot)> {
    events
        .iter()
        .filter(|e| e.kind == EventKind::Patch && matches!(e.status, EventStatus::Planned | EventStatus::Projected))
        .filter(|e| e.note.as_deref() != Some("out of band"))
        .filter_map(|e| {
            let version = e.version.clone()?;
            let deadline = events
                .iter()
                .find(|d| d.kind == EventKind::Deadline && d.version.as_ref() == Some(&version))
                .map(|d| d.date);
            Some((e.line?, Slot { version, cherry_pick_deadline: deadline, target: e.date }))
        })
        .collect()
}

/// Per supported line: the slot a fix ready today still makes, and the one it just missed.
pub async fn line_slots(state: &AppState) -> Result<(Vec<LineSlot>, Option<(Version, NaiveDate)>), AppError> {
    let today = state.today();
    let catalog = catalog(state).await?;
    // Deadlines a week back tell which slot was just missed.
    let events = release_schedule(state, today - Days::new(7), today + Days::new(100)).await?;
    let slots = slots_by_line(&events);
    let lines = catalog
        .supported_lines(today)
        .into_iter()
        .rev()
        .map(|s| {
            let mine: Vec<&Slot> = slots.iter().filter(|(l, _)| *l == s.id).map(|(_, slot)| slot).collect();
            let open = |slot: &Slot| slot.cherry_pick_deadline.is_none_or(|d| d >= today) && slot.target >= today;
            let next = mine.iter().copied().find(|s| open(s)).cloned();
            let missed = mine
                .iter()
                .find(|slot| slot.target >= today && slot.cherry_pick_deadline.is_some_and(|d| d < today))
                .map(|s| (*s).clone());
            LineSlot { line: s.id, status: s.status, next, missed }
        })
        .collect();
    let next_minor = events
        .iter()
        .find(|e| e.kind == EventKind::Minor && e.date >= today && e.status != EventStatus::Cancelled)
        .and_then(|e| Some((e.version.clone()?, e.date)));
    Ok((lines, next_minor))
}

pub async fn form_context(state: &AppState, posted: Option<Posted>) -> Result<FormContext, AppError> {
    let (lines, next_minor) = line_slots(state).await?;
    Ok(FormContext { today: state.today(), lines, next_minor, posted })
}

fn dedupe_key(r: &NewPatchRequest) -> String {
    let targets: Vec<String> = r.targets.iter().map(ToString::to_string).collect();
    let text =
        format!("{}\n{}\n{}\n{}", r.title.to_lowercase(), r.bug_link.as_str(), r.category.as_str(), targets.join(","));
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Files a request; a deferred one records the monthly it waits for. Filing the same request
/// twice (a double click, a resend) returns the first one.
pub async fn file_request(state: &AppState, actor: &Principal, form: &PatchRequestForm) -> Result<i64, AppError> {
    actor.require(Permission::FilePatchRequest)?;
    let requester = actor.user_id().ok_or_else(|| AppError::forbidden("sign in as a person to file a request"))?;
    let (lines, next_minor) = line_slots(state).await?;
    let supported: Vec<LineId> = lines.iter().map(|l| l.line).collect();
    let request = NewPatchRequest::parse(form, &supported).map_err(AppError::from)?;
    let key = dedupe_key(&request);
    let now = state.clock.now();
    if let Some(id) = store::find_duplicate(state.db.reader(), requester, &key, now - DEDUPE_WINDOW).await? {
        return Ok(id);
    }
    let owner = store::find_oncall(state.db.reader(), monday_of(state.today())).await?;
    let deferred_to = (!request.qualifies()).then(|| next_minor.as_ref().map(|(v, _)| v.to_string())).flatten();
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
    let id = store::insert_request(&mut tx, insert, now).await?;
    let summary = match &deferred_to {
        Some(v) => format!("filed “{}” ({}); deferred to {v}", request.title, request.category.short()),
        None => format!(
            "filed “{}” ({}, {}) for {}",
            request.title,
            request.category.short(),
            request.severity.as_str(),
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
    let catalog = catalog(state).await?;
    let lines = catalog.supported_lines(state.today()).into_iter().rev().map(|s| s.id).collect();
    Ok(RequestList { filter, items, counts, total, pages, lines, signed_in: actor.user_id().is_some() })
}

/// One request as the viewer may see it; embargoed ones are simply not found.
pub async fn find(state: &AppState, actor: &Principal, id: i64) -> Result<PatchRequest, AppError> {
    let mut conn = state.db.reader().acquire().await?;
    store::find_request(&mut conn, id, visibility(actor))
        .await?
        .ok_or_else(|| AppError::not_found(format!("Patch request {id}")))
}

pub async fn detail(state: &AppState, actor: &Principal, id: i64) -> Result<RequestDetail, AppError> {
    let request = find(state, actor, id).await?;
    let timeline = list_for(state.db.reader(), "patch_request", &id.to_string()).await?;
    Ok(RequestDetail { request, timeline, can_triage: actor.can(Permission::Triage), today: state.today() })
}

/// A decision as a release manager submits it.
#[derive(Debug, Clone)]
pub struct Decide {
    pub request: i64,
    /// `None`: every line still awaiting triage.
    pub line: Option<LineId>,
    pub decision: Decision,
    pub reason: String,
    /// For an S1: ship in a new out-of-band release on this day instead of the next slot.
    pub out_of_band_on: Option<NaiveDate>,
}

impl Decide {
    /// The decision form's fields, each checked for shape; `line` empty means every line.
    pub fn parse(
        request: i64,
        line: &str,
        decision: &str,
        reason: String,
        out_of_band_on: &str,
    ) -> Result<Self, FieldError> {
        let line = match line.trim() {
            "" => None,
            l => Some(LineId::parse(l).map_err(|e| FieldError::new("line", e.to_string()))?),
        };
        let decision = Decision::parse(decision)
            .ok_or_else(|| FieldError::new("decision", "choose approve, reject or not affected"))?;
        let out_of_band_on = match out_of_band_on.trim() {
            "" => None,
            d => Some(parse_date("out_of_band_on", d)?),
        };
        Ok(Self { request, line, decision, reason, out_of_band_on })
    }
}

/// A date as typed in a form, named by its field when it is not one.
fn parse_date(field: &str, text: &str) -> Result<NaiveDate, FieldError> {
    text.trim().parse().map_err(|_| FieldError::new(field, format!("“{}” is not a date like 2026-12-08", text.trim())))
}

/// Records decisions; approved lines are assigned to the line's next open patch slot (the
/// planned release is created when only projected), or to a new out-of-band release.
pub async fn decide(state: &AppState, actor: &Principal, d: Decide) -> Result<(), AppError> {
    actor.require(Permission::Triage)?;
    let request = find(state, actor, d.request).await?;
    let input = DecisionInput { decision: d.decision, reason: &d.reason, out_of_band_on: d.out_of_band_on };
    let checked = check_decision(request.category, request.severity, &input, state.today())?;
    let states: Vec<LineState> = request
        .targets
        .iter()
        .map(|t| LineState {
            line: t.line,
            decision: t.decision,
            shipped: t.carrier.as_ref().is_some_and(|c| c.shipped),
        })
        .collect();
    let lines = lines_to_decide(&states, d.line)?;
    // Work out carriers before the write: the schedule reads through the reader pool.
    let (slots, _) = line_slots(state).await?;
    let catalog = catalog(state).await?;
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    for line in &lines {
        let release_id = if d.decision != Decision::Approved {
            None
        } else if let Some(day) = checked.out_of_band_on {
            let version = catalog
                .highest_version(*line)
                .map(Version::next_patch)
                .unwrap_or_else(|| line.first_release().next_patch());
            let new =
                NewRelease::out_of_band(version.clone(), day, format!("out of band for S1 request #{}", d.request));
            Some(insert_release(&mut tx, &new, now).await?)
        } else {
            let slot = slots
                .iter()
                .find(|s| s.line == *line)
                .and_then(|s| s.next.clone())
                .ok_or_else(|| {
                    AppError::conflict(format!(
                        "{line} has no patch slot left before its end of life: reject it, mark it not affected, or (for an S1) ship out of band"
                    ))
                })?;
            let new = NewRelease::planned(slot.version.clone(), slot.target);
            insert_release_if_absent(&mut tx, &new, now).await?;
            let release = find_release(&mut *tx, &slot.version).await?.ok_or(AppError::Internal)?;
            Some(release.id)
        };
        let decided = store::TargetDecision {
            request: d.request,
            line: *line,
            decision: d.decision,
            reason: checked.reason.as_deref(),
            decided_by: actor.user_id(),
            release: release_id,
        };
        if !store::update_decision(&mut tx, decided, now).await? {
            return Err(AppError::not_found(format!("line {line} of request {}", d.request)));
        }
    }
    store::refresh_status(&mut tx, d.request, now).await?;
    let lines_text = lines.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
    let mut summary = format!("{} for {lines_text}", d.decision.label());
    if let Some(reason) = &checked.reason {
        summary.push_str(&format!(": {reason}"));
    }
    record(&mut tx, actor, Change::new("patch_request.decided", "patch_request", d.request, summary), now).await?;
    tx.commit().await
}

/// Puts a user on call for the week containing `day`.
pub async fn assign_oncall(state: &AppState, actor: &Principal, week: &str, user_name: &str) -> Result<(), AppError> {
    actor.require(Permission::Triage)?;
    let day = parse_date("week", week)?;
    let user = find_credentials(state.db.reader(), user_name)
        .await?
        .ok_or_else(|| AppError::invalid("user", format!("no user is called “{}”", user_name.trim())))?;
    let monday = monday_of(day);
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    store::upsert_oncall(&mut tx, monday, user.viewer.id).await?;
    record(
        &mut tx,
        actor,
        Change::new("oncall.assigned", "oncall", monday, format!("{} triages the week of {monday}", user.viewer.name)),
        now,
    )
    .await?;
    tx.commit().await
}

pub async fn rotation(state: &AppState) -> Result<Vec<(NaiveDate, String)>, AppError> {
    store::list_oncall(state.db.reader(), monday_of(state.today())).await
}
