//! Calendar reads and corrections: the rules around the store.

use chrono::{Days, NaiveDate};

use super::{CalendarData, CalendarFilter, parse_month};
use crate::{
    domain::{
        access::{Permission, Principal},
        calendar_rules::{first_of_month, months_after},
        policy::LineStatus,
        schedule::{Blackout, EventKind, EventStatus, ScheduleEvent},
    },
    error::AppError,
    features::{
        audit::store::{Change, record},
        catalog::{
            service::{NEAR, catalog, plan, schedule_with},
            store,
        },
        patch_requests::store::list_carried,
        train::store::list_known_builds,
    },
    platform::state::AppState,
};

/// The train's events dated `from..=to`, with the builds CI reported.
/// What each shipped release among `events` carried, by event UID, as the feed tells it: the
/// fix's title, its request and CVE. A fix still under embargo is not named.
pub async fn shipped_fixes(
    state: &AppState,
    events: &[ScheduleEvent],
) -> Result<std::collections::HashMap<String, Vec<String>>, AppError> {
    let catalog = catalog(state).await?;
    let mut out = std::collections::HashMap::new();
    for e in events.iter().filter(|e| e.kind == EventKind::Patch && e.status == EventStatus::Done) {
        let Some(release) = catalog.releases.iter().find(|r| r.slot.key() == e.uid) else { continue };
        let fixes: Vec<String> = list_carried(state.db.reader(), release.id)
            .await?
            .into_iter()
            .filter(|f| !f.embargoed)
            .map(|f| match f.cve_id {
                Some(cve) => format!("{} (#{}, {cve})", f.title, f.request),
                None => format!("{} (#{})", f.title, f.request),
            })
            .collect();
        if !fixes.is_empty() {
            out.insert(e.uid.clone(), fixes);
        }
    }
    Ok(out)
}

pub async fn schedule(state: &AppState, from: NaiveDate, to: NaiveDate) -> Result<Vec<ScheduleEvent>, AppError> {
    let main = catalog(state).await?.policy.main_branch.clone();
    let builds = list_known_builds(state.db.reader(), &main, from, to).await?;
    schedule_with(state, &builds, from, to).await
}

pub async fn calendar(
    state: &AppState,
    month: Option<&str>,
    kinds: &str,
    lines: &str,
) -> Result<CalendarData, AppError> {
    let today = state.today();
    let filter = CalendarFilter::parse(kinds, lines)?;
    let month = match month.filter(|m| !m.trim().is_empty()) {
        Some(m) => parse_month(m)?,
        None => first_of_month(today),
    };
    let weeks = super::grid_weeks(month);
    let grid_from = weeks[0];
    let grid_to = *weeks.last().expect("a month has weeks") + Days::new(6);
    let agenda_to = today + Days::new(42);
    let events = schedule(state, grid_from.min(today), grid_to.max(agenda_to)).await?;
    let grid_events =
        events.iter().filter(|e| e.date >= grid_from && e.date <= grid_to && filter.matches(e)).cloned().collect();
    let agenda =
        events.iter().filter(|e| e.date >= today && e.date <= agenda_to && filter.matches(e)).cloned().collect();
    let (catalog, plan) = plan(state, NEAR).await?;
    let lines = plan
        .lines
        .iter()
        .filter(|l| l.released() || l.status == LineStatus::InDevelopment)
        .filter(|l| l.status != LineStatus::EndOfLife || l.eol.date >= grid_from)
        .map(|l| l.line)
        .collect();
    let movable = events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Patch | EventKind::Minor))
        .filter(|e| matches!(e.status, EventStatus::Planned | EventStatus::Projected | EventStatus::Late))
        .filter_map(|e| e.version.as_ref().map(ToString::to_string))
        .collect();
    Ok(CalendarData {
        month,
        today,
        filter,
        grid_events,
        agenda,
        lines,
        host: state.settings.public_host(),
        movable,
        blackouts: catalog.blackouts.iter().filter(|b| b.date >= today).cloned().collect(),
    })
}

fn parse_date(field: &str, text: &str) -> Result<NaiveDate, AppError> {
    crate::domain::calendar_rules::parse_day(text).map_err(|m| AppError::invalid(field.to_owned(), m))
}

fn parse_reason(text: &str) -> Result<String, AppError> {
    let reason = text.trim();
    if reason.is_empty() {
        return Err(AppError::invalid("reason", "say why, so the calendar can show it"));
    }
    if reason.chars().count() > 200 {
        return Err(AppError::invalid("reason", "use at most 200 characters"));
    }
    Ok(reason.to_owned())
}

pub async fn add_blackout(state: &AppState, actor: &Principal, date: &str, reason: &str) -> Result<(), AppError> {
    actor.require(Permission::EditSchedule)?;
    let date = parse_date("date", date)?;
    let reason = parse_reason(reason)?;
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    if !store::insert_blackout(&mut tx, &Blackout { date, reason: reason.clone() }, now).await? {
        return Err(AppError::invalid("date", format!("{date} is already a blackout day")));
    }
    record(&mut tx, actor, Change::new("blackout.added", "blackout", date, format!("blackout {date}: {reason}")), now)
        .await?;
    tx.commit().await
}

pub async fn remove_blackout(state: &AppState, actor: &Principal, date: &str) -> Result<(), AppError> {
    actor.require(Permission::EditSchedule)?;
    let date = parse_date("date", date)?;
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    if !store::delete_blackout(&mut tx, date).await? {
        return Err(AppError::not_found(format!("blackout on {date}")));
    }
    record(&mut tx, actor, Change::new("blackout.removed", "blackout", date, format!("removed blackout {date}")), now)
        .await?;
    tx.commit().await
}

/// The months shown by the ICS and Atom feeds: three back, twelve ahead.
pub fn feed_range(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    (first_of_month(today) - chrono::Months::new(3), months_after(today, 12))
}
