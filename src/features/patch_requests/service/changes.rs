//! What changes after filing: its requester edits a request until triage starts and withdraws
//! it until a line ships; a release manager reclassifies it.

use super::{audit, dedupe_key, find, form_context};
use crate::{
    domain::{
        access::{Permission, Principal},
        errors::Refused,
        patch_request::{LineNow, NewPatchRequest, PatchRequestForm, PickNow, Reclassification, RequestNow},
        plan::PlanState,
    },
    error::AppError,
    features::{
        catalog::store::ensure_line,
        patch_requests::{
            CherryPickState, FormContext, PatchRequest, Posted,
            store::{self, Visibility},
        },
    },
    platform::{db::WriteTx, state::AppState},
};
use sqlx::SqliteExecutor;

/// How a line is declined when its request stops qualifying: a reclassification back finds
/// these lines by it, and only these go back to triage.
const DECLINED_AS_NOT_A_BUG: &str = "reclassified as a";

/// The request as the rules of change see it (see [`edit_rules`] for whether it was
/// reclassified).
pub fn now_of(r: &PatchRequest) -> RequestNow {
    RequestNow {
        status: r.status,
        category: r.category,
        severity: r.severity,
        deferred_to: r.deferred_to.clone(),
        duplicate_of: r.duplicate_of,
        duplicates: r.duplicates.clone(),
        reclassified: false,
        embargoed: r.embargoed,
        lines: r
            .targets
            .iter()
            .map(|t| LineNow {
                line: t.line,
                decision: t.decision,
                shipped_in: t
                    .carrier
                    .as_ref()
                    .filter(|c| c.shipped)
                    .map(|c| c.version.as_ref().map(ToString::to_string).unwrap_or_else(|| "a release".to_owned())),
                cherry_pick: t.cherry_pick.as_ref().map(|c| match c.state {
                    CherryPickState::Open => PickNow::Open,
                    CherryPickState::Merged => PickNow::Merged,
                    CherryPickState::Closed => PickNow::Closed,
                }),
                settled_in: t
                    .carrier
                    .as_ref()
                    .filter(|c| matches!(c.state, PlanState::Approved | PlanState::Publishing))
                    .map(|c| c.version.as_ref().map(ToString::to_string).unwrap_or_else(|| "its release".to_owned())),
            })
            .collect(),
    }
}

/// The request as the edit rules see it: a reclassification is triage too.
pub async fn edit_rules(db: impl SqliteExecutor<'_>, r: &PatchRequest) -> Result<RequestNow, AppError> {
    Ok(RequestNow { reclassified: store::was_reclassified(db, r.id).await?, ..now_of(r) })
}

/// The request as it stands inside a write, whoever may see it: the rules are checked again
/// there, so a decision taken meanwhile wins over a change made on an older view.
pub(super) async fn current(tx: &mut WriteTx, request: i64) -> Result<PatchRequest, AppError> {
    store::find_request(tx, request, Visibility { viewer: None, sees_embargoed: true })
        .await?
        .ok_or_else(|| AppError::not_found(format!("Patch request {request}")))
}

/// The request, for its requester only.
async fn own(state: &AppState, actor: &Principal, request: i64, doing: &str) -> Result<PatchRequest, AppError> {
    actor.require(Permission::FilePatchRequest)?;
    let found = find(state, actor, request).await?;
    if actor.user_id() != Some(found.requester_id) {
        return Err(AppError::forbidden(format!("only its requester {doing} a request")));
    }
    Ok(found)
}

/// The form as its requester filed it, to edit.
pub fn form_of(r: &PatchRequest) -> PatchRequestForm {
    PatchRequestForm {
        title: r.title.clone(),
        category: r.category.as_str().into(),
        severity: r.severity.as_str().into(),
        bug_link: r.bug_link.clone(),
        fix_link: r.fix_link.clone().unwrap_or_default(),
        impact: r.impact.clone(),
        risk: r.risk.as_str().into(),
        risk_reason: r.risk_reason.clone(),
        testing: r.testing.clone(),
        verified_on_daily: if r.verified_on_daily { "yes" } else { "no" }.into(),
        workaround: r.workaround.clone(),
        cve_id: r.cve_id.clone().unwrap_or_default(),
        embargoed: if r.embargoed { "on" } else { "" }.into(),
        targets: r.targets.iter().map(|t| t.line.to_string()).collect::<Vec<_>>().join(","),
    }
}

/// The form to edit a request, filled in as filed (or, after a plain post that failed, as
/// typed with its errors).
pub async fn edit_context(
    state: &AppState,
    actor: &Principal,
    request: i64,
    posted: Option<Posted>,
) -> Result<FormContext, AppError> {
    let found = own(state, actor, request, "edits").await?;
    edit_rules(state.db.reader(), &found).await?.check_edit()?;
    let posted = posted.unwrap_or_else(|| Posted { form: form_of(&found), errors: Vec::new() });
    Ok(FormContext { editing: Some(request), ..form_context(state, Some(posted)).await? })
}

/// What an edit changes, in words for the timeline; empty when nothing does.
fn edited(old: &PatchRequest, new: &NewPatchRequest) -> Vec<String> {
    let mut changes = Vec::new();
    let mut text = |name: &str, before: &str, after: &str| {
        if before != after {
            changes.push(name.to_owned());
        }
    };
    text("title", &old.title, &new.title);
    text("bug link", &old.bug_link, new.bug_link.as_str());
    text("fix link", old.fix_link.as_deref().unwrap_or(""), new.fix_link.as_ref().map_or("", |l| l.as_str()));
    text("impact", &old.impact, &new.impact);
    text("risk reason", &old.risk_reason, &new.risk_reason);
    text("testing", &old.testing, &new.testing);
    text("workaround", &old.workaround, &new.workaround);
    text("CVE", old.cve_id.as_deref().unwrap_or(""), new.cve_id.as_ref().map_or("", |c| c.as_str()));
    let mut from_to = |name: &str, before: String, after: String| {
        if before != after {
            changes.push(format!("{name} {before} → {after}"));
        }
    };
    from_to("category", old.category.short().into(), new.category.short().into());
    from_to("severity", old.severity.as_str().into(), new.severity.as_str().into());
    from_to("risk", old.risk.as_str().into(), new.risk.as_str().into());
    from_to("verified on a daily", old.verified_on_daily.to_string(), new.verified_on_daily.to_string());
    from_to("embargo", old.embargoed.to_string(), new.embargoed.to_string());
    // Lines compare as sets, oldest first, however the form listed them.
    let lines = |mut ls: Vec<crate::domain::version::LineId>| {
        ls.sort();
        let ls: Vec<String> = ls.iter().map(ToString::to_string).collect();
        if ls.is_empty() { "none".to_owned() } else { ls.join(", ") }
    };
    from_to("lines", lines(old.targets.iter().map(|t| t.line).collect()), lines(new.targets.clone()));
    changes
}

/// Saves its requester's edit of a request nobody has triaged yet, checked by the same rules
/// as filing; a save that changes nothing writes nothing.
pub async fn edit_request(
    state: &AppState,
    actor: &Principal,
    request: i64,
    form: &PatchRequestForm,
) -> Result<(), AppError> {
    let found = own(state, actor, request, "edits").await?;
    edit_rules(state.db.reader(), &found).await?.check_edit()?;
    let context = form_context(state, None).await?;
    let new = NewPatchRequest::parse(form, &context.supported()).map_err(AppError::from)?;
    if found.embargoed && !new.embargoed {
        let why = "only a release manager lifts an embargo, under its public CVE";
        return Err(crate::domain::errors::FieldError::new("embargoed", why).into());
    }
    let changes = edited(&found, &new);
    if changes.is_empty() {
        return Ok(());
    }
    let deferred_to = (!new.qualifies()).then(|| context.next_minor.as_ref().map(|(v, _)| v.to_string())).flatten();
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    let now_is = current(&mut tx, request).await?;
    edit_rules(&mut *tx, &now_is).await?.check_edit()?;
    for line in &new.targets {
        ensure_line(&mut tx, *line, now).await?;
    }
    store::update_fields(&mut tx, request, &new, deferred_to.as_deref(), &dedupe_key(&new), now).await?;
    store::replace_pending_targets(&mut tx, request, &new.targets).await?;
    store::refresh_status(&mut tx, request, now).await?;
    audit(&mut tx, actor, "patch_request.edited", request, format!("edited {}", changes.join("; ")), now).await?;
    tx.commit().await
}

/// Its requester takes a request back, saying why: every line leaves triage and the release
/// that was to carry it.
pub async fn withdraw(state: &AppState, actor: &Principal, request: i64, why: &str) -> Result<(), AppError> {
    let found = own(state, actor, request, "withdraws").await?;
    let reason = now_of(&found).check_withdrawal(why)?;
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    now_of(&current(&mut tx, request).await?).may_withdraw()?;
    let line_reason = format!("withdrawn by its requester: {reason}");
    store::update_withdrawn(&mut tx, request, &line_reason, actor.user_id(), now).await?;
    store::refresh_status(&mut tx, request, now).await?;
    audit(&mut tx, actor, "patch_request.withdrawn", request, format!("withdrew it: {reason}"), now).await?;
    tx.commit().await
}

/// A release manager's new category and severity for a request. One that stops qualifying
/// waits for the coming monthly (its lines awaiting triage are declined); one that starts
/// qualifying leaves the monthly, and every line a request may target today awaits triage; one
/// that becomes a security hole goes under embargo in the same write, so no shared channel hears
/// the reason in the meantime.
pub async fn reclassify(
    state: &AppState,
    actor: &Principal,
    request: i64,
    category: &str,
    severity: &str,
    why: &str,
) -> Result<(), AppError> {
    actor.require(Permission::Triage)?;
    let found = find(state, actor, request).await?;
    Reclassification::parse(&now_of(&found), category, severity, why)?;
    let context = form_context(state, None).await?;
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    let before = current(&mut tx, request).await?;
    let change = Reclassification::parse(&now_of(&before), category, severity, why)?;
    let deferred_to = if change.defers {
        let monthly = context.next_minor.as_ref().ok_or_else(|| Refused::new("no monthly release is planned"))?;
        Some(monthly.0.to_string())
    } else if change.reopens {
        None
    } else {
        before.deferred_to.clone()
    };
    store::update_classification(&mut tx, request, &change, deferred_to.as_deref(), now).await?;
    if let (true, Some(monthly)) = (change.defers, &deferred_to) {
        let reason = format!("{DECLINED_AS_NOT_A_BUG} {}: it ships in the monthly {monthly}", change.category.short());
        store::decline_pending(&mut tx, request, &reason, actor.user_id(), now).await?;
    }
    if change.reopens {
        let lines = context.supported();
        for line in &lines {
            ensure_line(&mut tx, *line, now).await?;
        }
        store::add_pending_targets(&mut tx, request, &lines, Some(DECLINED_AS_NOT_A_BUG)).await?;
    }
    store::refresh_status(&mut tx, request, now).await?;
    let summary = format!(
        "reclassified it from {} {} to {} {}{}: {}",
        before.category.short(),
        before.severity.as_str(),
        change.category.short(),
        change.severity.as_str(),
        if change.embargoes { " under embargo" } else { "" },
        change.reason
    );
    audit(&mut tx, actor, "patch_request.reclassified", request, summary, now).await?;
    tx.commit().await
}
