//! Gathering what is next: today's build, this week's qualification, the next monthly, and
//! each line's next patch and open requests.

use chrono::{Days, NaiveDate};

use super::{Dashboard, LineGlance};
use crate::{
    domain::{
        access::Principal,
        calendar_rules::monday_of,
        health::{Assessment, Health, LineFacts, assess},
        matrix::Matrix,
        patch_request::Decision,
        plan::PlanState,
        policy::LineStatus,
        schedule::EventKind,
        version::LineId,
    },
    error::AppError,
    features::{
        calendar::service::schedule,
        catalog::service::{NEAR, plan},
        patch_requests::store::{count_by_line, count_unmerged_by_release},
        shipping::service::{flags_of, patch_queue},
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
    let queue = patch_queue(state, &Principal::System("train")).await?;
    let unmerged = count_unmerged_by_release(state.db.reader()).await?;
    let mut lines = Vec::new();
    for r in matrix.rows.iter().filter(|r| r.status.is_supported() || r.status == LineStatus::InDevelopment) {
        let Some(planned) = plan.line(r.line) else { continue };
        // The regular slot a fix ready today goes in: its deadline and what it still waits for.
        let slot = planned.open_slot(today);
        let unmerged = slot.and_then(|s| s.release).and_then(|id| unmerged.get(&id).copied()).unwrap_or(0);
        let blocked = queue
            .iter()
            .filter(|c| c.line == r.line && c.state != PlanState::Approved)
            .find_map(|c| Some(format!("{} (due {}) cannot be approved: {}", c.name(), c.date, c.blocked.clone()?)));
        let facts = LineFacts {
            today,
            pending: count(r.line, Decision::Pending),
            unmerged,
            next: r.next_patch.as_ref().map(|p| (p.version.clone(), p.target_date)),
            deadline: slot.and_then(|s| s.cherry_pick_deadline),
            blocked,
            eol: r.eol.as_ref().map(|e| e.date),
        };
        let health = if r.status == LineStatus::InDevelopment {
            let reason = format!("in development: {} due on {}", r.line.first_release(), planned.minor.due(today));
            Assessment { health: Health::OnTrack, reason }
        } else {
            assess(&facts)
        };
        lines.push(LineGlance {
            line: r.line,
            status: r.status,
            next_patch: r.next_patch.clone(),
            eol: facts.eol,
            pending_requests: facts.pending,
            approved_fixes: count(r.line, Decision::Approved),
            unmerged_fixes: unmerged,
            health,
        });
    }
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
        flags: current_flags(state).await?.into_iter().chain(flags_of(&queue)).collect(),
        candidate: current_candidate(state).await?,
    })
}
