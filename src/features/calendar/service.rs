//! Calendar reads and corrections: the rules around the store.

use chrono::{Days, NaiveDate};

use super::{CalendarData, CalendarFilter, parse_month};
use crate::{
    domain::{
        access::{Permission, Principal},
        calendar_rules::{first_of_month, months_after},
        catalog::ReleaseStatus,
        policy::LineStatus,
        schedule::{Blackout, EventKind, EventStatus, KnownBuild, ScheduleEvent},
        version::{LineId, Version},
    },
    error::AppError,
    features::{
        audit::store::{Change, record},
        catalog::{
            service::catalog,
            store::{self, NewRelease},
        },
        train::store::list_known_builds,
    },
    platform::{context::request_host, state::AppState},
};

/// Longest note on a moved or cancelled release.
pub const MAX_NOTE: usize = 200;

/// The train's events dated `from..=to`, with the builds CI reported.
pub async fn schedule(state: &AppState, from: NaiveDate, to: NaiveDate) -> Result<Vec<ScheduleEvent>, AppError> {
    let catalog = catalog(state).await?;
    let builds = known_builds(state, from, to).await?;
    Ok(catalog.schedule(&builds, state.today(), from, to))
}

/// Builds cut in a date range, as the schedule engine reads them.
pub async fn known_builds(state: &AppState, from: NaiveDate, to: NaiveDate) -> Result<Vec<KnownBuild>, AppError> {
    list_known_builds(state.db.reader(), from, to).await
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
    let catalog = catalog(state).await?;
    let lines = catalog
        .support(today)
        .into_iter()
        .filter(|s| s.status != LineStatus::EndOfLife || s.eol.as_ref().is_some_and(|e| e.date >= grid_from))
        .map(|s| s.id)
        .collect();
    let movable = events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Patch | EventKind::Minor))
        .filter(|e| matches!(e.status, EventStatus::Planned | EventStatus::Projected) && e.date >= today)
        .filter_map(|e| e.version.as_ref().map(ToString::to_string))
        .collect();
    Ok(CalendarData {
        month,
        today,
        filter,
        grid_events,
        agenda,
        lines,
        host: request_host(),
        movable,
        blackouts: catalog.blackouts.iter().filter(|b| b.date >= today).cloned().collect(),
    })
}

fn parse_date(field: &str, text: &str) -> Result<NaiveDate, AppError> {
    text.trim()
        .parse()
        .map_err(|_| AppError::invalid(field.to_owned(), format!("“{}” is not a date like 2026-12-08", text.trim())))
}

fn parse_note(field: &str, text: &str) -> Result<String, AppError> {
    let note = text.trim();
    if note.is_empty() {
        return Err(AppError::invalid(field.to_owned(), "say why, so the calendar can show it"));
    }
    if note.chars().count() > MAX_NOTE {
        return Err(AppError::invalid(field.to_owned(), format!("use at most {MAX_NOTE} characters")));
    }
    Ok(note.to_owned())
}

fn parse_version(text: &str) -> Result<Version, AppError> {
    Version::parse(text).map_err(|e| AppError::invalid("version", e.to_string()))
}

/// A release that is only projected must be stored (as planned) before it is changed, so the
/// correction sticks: this returns the row to insert, or `None` when it is stored already.
async fn projected_row(state: &AppState, version: &Version) -> Result<Option<NewRelease>, AppError> {
    let catalog = catalog(state).await?;
    if let Some(r) = catalog.release(version) {
        if r.shipped().is_some() {
            return Err(AppError::conflict(format!("{version} has shipped; its date is history")));
        }
        if r.status == ReleaseStatus::Cancelled {
            return Err(AppError::conflict(format!("{version} is cancelled")));
        }
        return Ok(None);
    }
    let today = state.today();
    let events = schedule(state, today, today + Days::new(400)).await?;
    let projected = events
        .iter()
        .find(|e| e.version.as_ref() == Some(version) && matches!(e.kind, EventKind::Patch | EventKind::Minor));
    let Some(event) = projected else {
        return Err(AppError::invalid("version", format!("{version} is not a planned or projected release")));
    };
    Ok(Some(NewRelease::planned(version.clone(), event.date)))
}

pub async fn move_release(
    state: &AppState,
    actor: &Principal,
    version: &str,
    date: &str,
    note: &str,
) -> Result<(), AppError> {
    actor.require(Permission::EditSchedule)?;
    let version = parse_version(version)?;
    let date = parse_date("date", date)?;
    let note = parse_note("note", note)?;
    if date < state.today() {
        return Err(AppError::invalid("date", "a release cannot move into the past"));
    }
    let before = catalog(state).await?.release(&version).and_then(|r| r.planned_date);
    let projected = projected_row(state, &version).await?;
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    if let Some(row) = &projected {
        store::insert_release_if_absent(&mut tx, row, now).await?;
    }
    if !store::update_planned_date(&mut tx, &version, date, &note, now).await? {
        return Err(AppError::conflict(format!("{version} can no longer be moved")));
    }
    let change = Change::new("release.moved", "release", &version, format!("moved {version} to {date}: {note}"))
        .before(&before)
        .after(&date);
    record(&mut tx, actor, change, now).await?;
    tx.commit().await
}

pub async fn cancel_release(state: &AppState, actor: &Principal, version: &str, note: &str) -> Result<(), AppError> {
    actor.require(Permission::EditSchedule)?;
    let version = parse_version(version)?;
    let note = parse_note("note", note)?;
    let projected = projected_row(state, &version).await?;
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    if let Some(row) = &projected {
        store::insert_release_if_absent(&mut tx, row, now).await?;
    }
    if !store::update_cancelled(&mut tx, &version, &note, now).await? {
        return Err(AppError::conflict(format!("{version} can no longer be cancelled")));
    }
    record(
        &mut tx,
        actor,
        Change::new("release.cancelled", "release", &version, format!("cancelled {version}: {note}")),
        now,
    )
    .await?;
    tx.commit().await
}

pub async fn add_out_of_band(
    state: &AppState,
    actor: &Principal,
    line: &str,
    date: &str,
    note: &str,
) -> Result<String, AppError> {
    actor.require(Permission::EditSchedule)?;
    let line = LineId::parse(line).map_err(|e| AppError::invalid("line", e.to_string()))?;
    let date = parse_date("date", date)?;
    let note = parse_note("note", note)?;
    let today = state.today();
    if date < today {
        return Err(AppError::invalid("date", "an out-of-band release cannot be in the past"));
    }
    let catalog = catalog(state).await?;
    let supported = catalog.supported_lines(today).into_iter().any(|s| s.id == line);
    if !supported {
        return Err(AppError::invalid("line", format!("{line} is not a supported line")));
    }
    let version =
        catalog.highest_version(line).map(Version::next_patch).unwrap_or_else(|| line.first_release().next_patch());
    let new = NewRelease::out_of_band(version.clone(), date, note.clone());
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    store::insert_release(&mut tx, &new, now).await?;
    let change = Change::new(
        "release.planned_out_of_band",
        "release",
        &version,
        format!("planned out-of-band {version} on {date}: {note}"),
    );
    record(&mut tx, actor, change, now).await?;
    tx.commit().await?;
    Ok(version.to_string())
}

pub async fn add_blackout(state: &AppState, actor: &Principal, date: &str, reason: &str) -> Result<(), AppError> {
    actor.require(Permission::EditSchedule)?;
    let date = parse_date("date", date)?;
    let reason = parse_note("reason", reason)?;
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
