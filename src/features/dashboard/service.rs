//! Gathering what is next: today's build, this week's qualification, the next monthly, and
//! each line's next patch and open requests.

use chrono::{Days, NaiveDate};

use super::{Dashboard, LineGlance};
use crate::{
    domain::{
        calendar_rules::monday_of, matrix::Matrix, patch_request::Decision, policy::LineStatus, schedule::EventKind,
        version::LineId,
    },
    error::AppError,
    features::{
        calendar::service::schedule,
        catalog::service::{NEAR, plan},
        patch_requests::store::count_by_line,
        shipping::service::patch_flags,
        train::service::{current_candidate, current_flags},
    },
    platform::state::AppState,
};

pub async fn dashboard(state: &AppState) -> Result<Dashboard, AppError> {
    let today = state.today();
    let monday = monday_of(today);
    let (catalog, plan) = plan(state, NEAR).await?;
    // A late monthly is still the next one: reach back to its day.
    let from = plan.next_monthly().map(|m| m.date).unwrap_or(monday).min(monday);
    let events = schedule(state, from, today + Days::new(70)).await?;
    let first = |kind: EventKind, from: NaiveDate| events.iter().find(|e| e.kind == kind && e.date >= from).cloned();
    let counts = count_by_line(state.db.reader()).await?;
    let count = |line: LineId, decision: Decision| {
        counts.iter().filter(|(l, d, _)| *l == line && *d == decision).map(|(.., n)| n).sum()
    };
    let matrix = Matrix::build(&plan, &catalog);
    let lines = matrix
        .rows
        .iter()
        .filter(|r| r.status.is_supported() || r.status == LineStatus::InDevelopment)
        .map(|r| LineGlance {
            line: r.line,
            status: r.status,
            next_patch: r.next_patch.clone(),
            eol: r.eol.as_ref().map(|e| e.date),
            pending_requests: count(r.line, Decision::Pending),
            approved_fixes: count(r.line, Decision::Approved),
        })
        .collect();
    Ok(Dashboard {
        today,
        daily: first(EventKind::Daily, today),
        weekly: first(EventKind::Weekly, monday).filter(|w| w.date < monday + Days::new(7)),
        next_minor: events
            .iter()
            .find(|e| e.kind == EventKind::Minor && e.version == plan.next_monthly().and_then(|m| m.version.clone()))
            .cloned(),
        lines,
        ending: events
            .iter()
            .filter(|e| e.kind == EventKind::EndOfLife && e.date >= today && e.date <= today + Days::new(56))
            .cloned()
            .collect(),
        flags: current_flags(state).await?.into_iter().chain(patch_flags(state).await?).collect(),
        candidate: current_candidate(state).await?,
    })
}
