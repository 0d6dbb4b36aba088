//! A release manager's decisions on a request's lines.

use chrono::NaiveDate;

use super::{
    AHEAD, audit,
    changes::{current, now_of},
    find, parse_date,
};
use crate::{
    domain::{
        access::{Permission, Principal, Triager},
        catalog::{ReleaseKind, Slot},
        errors::{FieldError, Refused},
        patch_request::{CveId, Decision},
        plan::{Plan, Scheduled},
        triage::{DecisionInput, LineState, check_decision, lines_to_decide},
        version::LineId,
    },
    error::AppError,
    features::{
        catalog::{
            service::plan,
            store::{
                NewRelease, count_out_of_band, ensure_release, find_open_out_of_band, insert_release, update_date_note,
            },
        },
        patch_requests::{
            MAX_SEVERAL, PatchRequest, SeveralDecided,
            store::{self, Decided, TargetDecision},
        },
    },
    platform::{db::WriteTx, state::AppState},
};

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
    /// The line's revision the manager saw; a line changed since then is not overwritten.
    pub seen: Option<u32>,
}

impl Decide {
    /// The decision form's fields, each checked for shape; `line` empty means every line, and
    /// `seen` empty decides whatever is stored.
    pub fn parse(
        request: i64,
        line: &str,
        decision: &str,
        reason: String,
        out_of_band_on: &str,
        seen: &str,
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
        let seen = match seen.trim() {
            "" => None,
            s => Some(s.parse().map_err(|_| FieldError::new("seen", "not a revision number"))?),
        };
        Ok(Self { request, line, decision, reason, out_of_band_on, seen })
    }
}

/// The release that will carry an approved fix to `line`: a new out-of-band release on the
/// given day; the coming monthly, for its branched line; else the line's open patch slot
/// (stored now when it was only projected).
async fn carrier(
    tx: &mut WriteTx,
    plan: &Plan,
    line: LineId,
    request: i64,
    out_of_band_on: Option<NaiveDate>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<i64, AppError> {
    let today = plan.today;
    let planned = plan.line(line).ok_or_else(|| AppError::not_found(format!("line {line}")))?;
    if let Some(day) = out_of_band_on {
        if !planned.released() {
            return Err(Refused::new(format!(
                "{line} has not shipped yet: its fixes ship in {}",
                line.first_release()
            ))
            .into());
        }
        if let Some(open) = find_open_out_of_band(&mut **tx, line, day).await? {
            let mut requests: Vec<i64> =
                store::list_carried_targets(&mut **tx, open).await?.iter().map(|t| t.request).collect();
            requests.push(request);
            update_date_note(tx, open, &out_of_band_note(requests), now).await?;
            return Ok(open);
        }
        let slot = Slot::OutOfBand { line, n: count_out_of_band(&mut **tx, line).await? + 1 };
        let new = NewRelease {
            date_note: Some(out_of_band_note(vec![request])),
            ..NewRelease::planned(line, ReleaseKind::Patch, slot, day)
        };
        return insert_release(tx, &new, now).await;
    }
    let slot: &Scheduled = if planned.released() {
        planned.open_slot(today).ok_or_else(|| {
            Refused::new(format!(
                "{line} has no patch slot left before its end of life: reject it, mark it not affected, or (for an S1) ship out of band"
            ))
        })?
    } else {
        &planned.minor
    };
    let new = NewRelease {
        cherry_pick_deadline: slot.cherry_pick_deadline,
        date_note: slot.note.clone(),
        ..NewRelease::planned(line, slot.kind, slot.slot, slot.due(today))
    };
    ensure_release(tx, &new, now).await
}

/// Why an out-of-band patch is on its day: the S1 requests it ships, the first few by number.
fn out_of_band_note(mut requests: Vec<i64>) -> String {
    requests.sort_unstable();
    requests.dedup();
    let named: Vec<String> = requests.iter().take(3).map(|r| format!("#{r}")).collect();
    match (requests.len(), named.as_slice()) {
        (1, _) => format!("out of band for S1 request {}", named[0]),
        (2, [a, b]) => format!("out of band for S1 requests {a} and {b}"),
        (3, [a, b, c]) => format!("out of band for S1 requests {a}, {b} and {c}"),
        (n, _) => format!("out of band for S1 requests {} and {} more", named.join(", "), n - 3),
    }
}

/// Records decisions; approved lines are assigned to the release that will carry them. A line
/// changed since the manager looked (`seen`) is refused with its current state.
pub async fn decide(state: &AppState, actor: &Principal, d: Decide) -> Result<(), AppError> {
    let triager = super::triager_of(state, actor, d.request).await?;
    if triager == Triager::OnCall && d.out_of_band_on.is_some() {
        return Err(Refused::new("an out-of-band release is for a release manager to decide: ask one").into());
    }
    let request = find(state, actor, d.request).await?;
    now_of(&request).in_play()?;
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
    let (_, plan) = plan(state, AHEAD).await?;
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    // Checked again under the write lock: the request may have been withdrawn or reclassified
    // since it was read, and a decision must hold for the request as it is now.
    let request_now = current(&mut tx, d.request).await?;
    now_of(&request_now).in_play()?;
    check_decision(request_now.category, request_now.severity, &input, state.today())?;
    for line in &lines {
        let release = match d.decision {
            Decision::Approved => Some(carrier(&mut tx, &plan, *line, d.request, checked.out_of_band_on, now).await?),
            _ => None,
        };
        // A fix whose approval came after the slot open when it was filed says so.
        let regular = d.decision == Decision::Approved && checked.out_of_band_on.is_none();
        let note = plan.line(*line).filter(|l| regular && l.released()).and_then(|l| {
            let slot = l.open_slot(plan.today)?;
            l.late_approval_note(request.created_at.date_naive(), slot, plan.today)
        });
        let decided = TargetDecision {
            request: d.request,
            line: *line,
            decision: d.decision,
            reason: checked.reason.as_deref(),
            decided_by: actor.user_id(),
            release,
            seen: d.line.and(d.seen),
            carry_note: note.as_deref(),
        };
        match store::update_decision(&mut tx, decided, now).await? {
            Decided::Done => {}
            Decided::NoSuchLine => return Err(AppError::not_found(format!("line {line} of request {}", d.request))),
            Decided::Stale => {
                let current = request.targets.iter().find(|t| t.line == *line);
                let now_is = current.map(|t| t.decision.label()).unwrap_or("changed");
                let by = current.and_then(|t| t.decided_by.clone()).map(|b| format!(" by {b}")).unwrap_or_default();
                return Err(AppError::conflict(format!(
                    "{line} changed since you looked: it is now {now_is}{by}; reload to decide on what is there"
                )));
            }
        }
    }
    store::refresh_status(&mut tx, d.request, now).await?;
    let lines_text = lines.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
    let mut summary = format!("{} for {lines_text}", d.decision.label());
    if let Some(reason) = &checked.reason {
        summary.push_str(&format!(": {reason}"));
    }
    audit(&mut tx, actor, "patch_request.decided", d.request, summary, now).await?;
    tx.commit().await
}

/// One decision on one line of several requests, as a line's queue sends it: the input is
/// checked once (a wrong line, decision or list refuses them all), then each request is decided
/// on its own, so one refusal (a missing reason, a line decided meanwhile) leaves the others.
pub async fn decide_several(
    state: &AppState,
    actor: &Principal,
    ids: &str,
    line: &str,
    decision: &str,
    reason: &str,
) -> Result<SeveralDecided, AppError> {
    let mut requests = Vec::new();
    for item in ids.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let id: i64 = item.parse().map_err(|_| FieldError::new("ids", format!("“{item}” is not a request number")))?;
        if !requests.contains(&id) {
            requests.push(id);
        }
    }
    if requests.is_empty() {
        return Err(FieldError::new("ids", "tick at least one request").into());
    }
    if requests.len() > MAX_SEVERAL {
        return Err(FieldError::new("ids", format!("decide at most {MAX_SEVERAL} requests at once")).into());
    }
    let template = Decide::parse(requests[0], line, decision, reason.to_owned(), "", "")?;
    if template.line.is_none() {
        return Err(FieldError::new("line", "name the line to decide").into());
    }
    let mut outcome = SeveralDecided::default();
    let mut forbidden = None;
    for request in requests {
        match decide(state, actor, Decide { request, ..template.clone() }).await {
            Ok(()) => outcome.decided.push(request),
            Err(e @ (AppError::Unauthenticated | AppError::Internal)) => return Err(e),
            Err(e) => {
                if matches!(e, AppError::Forbidden { .. }) {
                    forbidden.get_or_insert(e.clone());
                }
                outcome.refused.push((request, e.to_string()));
            }
        }
    }
    // Someone who may decide none of them is told so, as for one request.
    match forbidden {
        Some(e) if outcome.decided.is_empty() && outcome.refused.iter().all(|(_, why)| *why == e.to_string()) => Err(e),
        _ => Ok(outcome),
    }
}

/// Marks `request` a duplicate of the request numbered `original` (as typed): the lines still
/// awaiting triage are rejected as duplicates, and its requester follows the original from now
/// on. A request with an approved line already travels in a release and cannot be marked.
pub async fn mark_duplicate(
    state: &AppState,
    actor: &Principal,
    request: i64,
    original: &str,
) -> Result<i64, AppError> {
    super::triager_of(state, actor, request).await?;
    let duplicate = find(state, actor, request).await?;
    now_of(&duplicate).in_play()?;
    let typed = original.trim().trim_start_matches('#');
    let original: i64 = typed
        .parse()
        .map_err(|_| FieldError::new("original", format!("“{}” is not a request number like 12", original.trim())))?;
    let unknown = || FieldError::new("original", format!("there is no request #{original}"));
    let found = find(state, actor, original).await.map_err(|_| unknown())?;
    original_for(&duplicate, &found)?;
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    // Checked again under the write lock: another marking may have landed since the reads
    // above (this request, or the original, marked meanwhile), and two crossing markings
    // must not make a cycle.
    let original = original_for(&current(&mut tx, request).await?, &current(&mut tx, original).await?)?;
    let reason = format!("duplicate of #{original}");
    if !store::update_duplicate(&mut tx, request, original, &reason, actor.user_id(), now).await? {
        return Err(Refused::new(format!(
            "#{request} has an approved line: it travels in a release already, so it is not marked as a duplicate"
        ))
        .into());
    }
    // Its own duplicates now follow the original too, so no chain ever forms.
    for follower in store::update_followers(&mut tx, request, original, now).await? {
        let summary = format!("follows #{original} now: #{request}, which it duplicates, is a {reason}");
        audit(&mut tx, actor, "patch_request.refollowed", follower, summary, now).await?;
    }
    store::refresh_status(&mut tx, request, now).await?;
    audit(&mut tx, actor, "patch_request.duplicate", request, format!("marked as a {reason}"), now).await?;
    tx.commit().await?;
    Ok(original)
}

/// The request `duplicate` follows once marked a duplicate of `found`: the first of `found`'s
/// chain, so everyone follows the one request that is decided.
fn original_for(duplicate: &PatchRequest, found: &PatchRequest) -> Result<i64, AppError> {
    now_of(duplicate).in_play()?;
    now_of(found).in_play().map_err(|_| FieldError::new("original", format!("#{} was withdrawn", found.id)))?;
    let original = found.duplicate_of.unwrap_or(found.id);
    if original == duplicate.id {
        return Err(FieldError::new("original", "a request cannot duplicate itself").into());
    }
    if duplicate.duplicate_of.is_some() {
        return Err(Refused::new(format!("#{} is marked as a duplicate already", duplicate.id)).into());
    }
    Ok(original)
}

/// Sends a request that needs an exception (an S3 or S4) to the coming monthly instead: its
/// pending lines are declined with that reason, and the request waits for the monthly.
pub async fn defer_to_monthly(state: &AppState, actor: &Principal, request: i64) -> Result<String, AppError> {
    actor.require(Permission::Triage)?;
    let found = find(state, actor, request).await?;
    now_of(&found).in_play()?;
    if found.severity.is_severe() || !found.category.qualifies() {
        return Err(
            Refused::new("only an S3 or S4 stability or security request waits for the monthly this way").into()
        );
    }
    let (catalog, plan) = plan(state, AHEAD).await?;
    let monthly = plan
        .open_monthly(catalog.policy.branch_cut_days)
        .and_then(|m| m.version.clone().map(|v| (v, m.due(plan.today))))
        .ok_or_else(|| Refused::new("no monthly release is planned"))?;
    let (version, day) = monthly;
    let reason = format!("no exception: it ships in the monthly {version} on {day}");
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    now_of(&current(&mut tx, request).await?).in_play()?;
    store::decline_pending(&mut tx, request, &reason, actor.user_id(), now).await?;
    store::update_deferred(&mut tx, request, &version.to_string(), now).await?;
    store::refresh_status(&mut tx, request, now).await?;
    audit(&mut tx, actor, "patch_request.deferred", request, format!("sent to the monthly {version}: {reason}"), now)
        .await?;
    tx.commit().await?;
    Ok(version.to_string())
}

/// Lifts a security request's embargo once its CVE is public: its fixes then appear in release
/// notes and previews, and the releases carrying them may be published. The CVE is the one filed
/// with the request, or given now when none was.
pub async fn lift_embargo(state: &AppState, actor: &Principal, request: i64, cve: &str) -> Result<(), AppError> {
    actor.require(Permission::Triage)?;
    let found = find(state, actor, request).await?;
    if !found.embargoed {
        return Err(Refused::new(format!("request #{request} is not under embargo")).into());
    }
    let cve = match (cve.trim(), &found.cve_id) {
        ("", Some(filed)) => filed.clone(),
        ("", None) => return Err(FieldError::new("cve", "give the CVE the fix was disclosed under").into()),
        (given, _) => CveId::parse(given).map_err(|m| FieldError::new("cve", m))?.as_str().to_owned(),
    };
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    store::update_embargo_lifted(&mut tx, request, &cve, now).await?;
    audit(&mut tx, actor, "patch_request.embargo_lifted", request, format!("lifted the embargo: {cve} is public"), now)
        .await?;
    tx.commit().await
}
