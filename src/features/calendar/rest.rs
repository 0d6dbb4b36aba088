//! The calendar as feeds: `/calendar.ics` (RFC 5545), `/feed.atom`, `/api/v1/schedule`.

use axum::{
    Json,
    extract::{Query, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};
use icalendar::{Alarm, Calendar, Component, Event, EventLike, Trigger};
use serde::{Deserialize, Serialize};

use super::{CalendarFilter, service};
use crate::{
    domain::calendar_rules::parse_day,
    domain::schedule::{Alarms, EventKind, EventStatus, MAX_RANGE_DAYS, ScheduleEvent},
    error::AppError,
    platform::state::AppState,
};

#[derive(Debug, Default, Deserialize)]
pub struct FeedQuery {
    #[serde(default)]
    kinds: String,
    #[serde(default)]
    lines: String,
    from: Option<String>,
    to: Option<String>,
    #[serde(default)]
    alarms: String,
}

/// Midnight UTC of a release's last change, for `LAST-MODIFIED`.
fn stamp(date: NaiveDate) -> DateTime<Utc> {
    date.and_time(NaiveTime::MIN).and_utc()
}

/// Renders events as an iCalendar document with the standard end-of-life alarms.
pub fn render_ics(events: &[ScheduleEvent], base: &str, host: &str, now: DateTime<Utc>) -> String {
    render_ics_with(events, base, host, now, &Alarms::standard())
}

/// Renders events as an iCalendar document. UIDs are stable, so a moved date updates the
/// subscriber's event in place; `SEQUENCE` counts the stored release's revisions.
pub fn render_ics_with(
    events: &[ScheduleEvent],
    base: &str,
    host: &str,
    now: DateTime<Utc>,
    alarms: &Alarms,
) -> String {
    let mut calendar = Calendar::new();
    calendar.name("Trainyard release train").description("Releases, patch slots, deadlines and end-of-life dates");
    for e in events {
        let mut event = Event::new();
        event
            .uid(&format!("{}@{}", e.uid, host))
            .summary(&e.title)
            .all_day(e.date)
            .timestamp(now)
            .sequence(e.revision)
            .url(&format!("{base}{}", e.link))
            .add_property("CATEGORIES", e.kind.as_str());
        let mut description = format!("{} ({})", e.kind.label(), e.status.as_str());
        if let Some(note) = &e.note {
            description.push_str(": ");
            description.push_str(note);
        }
        event.description(&description);
        if e.status == EventStatus::Cancelled {
            event.status(icalendar::EventStatus::Cancelled);
        }
        if e.kind == EventKind::EndOfLife {
            for &days in alarms.days() {
                let text = format!("{} {}", e.title, Alarms::phrase(days));
                // A stable UID and stamp: the feed must read the same until the schedule changes.
                let mut alarm = Alarm::display(&text, Trigger::before_start(chrono::Duration::days(i64::from(days))));
                alarm.uid(&format!("{}-alarm-{days}@{host}", e.uid)).timestamp(now);
                event.alarm(alarm);
            }
        }
        if e.revision > 0 {
            event.last_modified(stamp(e.date.min(now.date_naive())));
        }
        calendar.push(event.done());
    }
    calendar.done().to_string()
}

/// `GET /calendar.ics?kinds=&lines=&alarms=`; a feed of ends of life only reaches two years
/// ahead, so a year's alarm comes in time.
pub async fn calendar_ics(State(state): State<AppState>, Query(q): Query<FeedQuery>) -> Result<Response, AppError> {
    let filter = CalendarFilter::parse(&q.kinds, &q.lines)?;
    let alarms = Alarms::parse(&q.alarms).map_err(|m| AppError::invalid("alarms", m))?;
    let (from, to) = service::feed_range(state.today());
    let to = if filter.kinds == [EventKind::EndOfLife] { to.max(state.today() + chrono::Months::new(24)) } else { to };
    let events: Vec<ScheduleEvent> =
        service::schedule(&state, from, to).await?.into_iter().filter(|e| filter.matches(e)).collect();
    let (base, host) = (state.settings.public_base(), state.settings.public_host());
    let body = render_ics_with(&events, &base, &host, state.clock.now(), &alarms);
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/calendar; charset=utf-8")),
            (header::CONTENT_DISPOSITION, HeaderValue::from_static("inline; filename=\"trainyard.ics\"")),
        ],
        body,
    )
        .into_response())
}

/// Releases that shipped and ends of life that passed or are confirmed, newest first.
pub fn atom_entries(events: &[ScheduleEvent], today: NaiveDate) -> Vec<&ScheduleEvent> {
    let mut entries: Vec<&ScheduleEvent> = events
        .iter()
        .filter(|e| match e.kind {
            EventKind::Minor | EventKind::Patch => e.status == EventStatus::Done,
            EventKind::EndOfLife => e.status != EventStatus::Projected || e.date <= today,
            _ => false,
        })
        .collect();
    entries.sort_by(|a, b| b.date.cmp(&a.date).then(a.uid.cmp(&b.uid)));
    entries.truncate(50);
    entries
}

pub async fn feed_atom(State(state): State<AppState>) -> Result<Response, AppError> {
    let today = state.today();
    let (from, to) = service::feed_range(today);
    let events = service::schedule(&state, from, to).await?;
    let fixes = service::shipped_fixes(&state, &events).await?;
    let body = render_atom(&events, &fixes, today, &state.settings.public_base(), &state.settings.public_host());
    Ok(([(header::CONTENT_TYPE, HeaderValue::from_static("application/atom+xml; charset=utf-8"))], body)
        .into_response())
}

/// Renders the shipped releases (with the fixes they carried, by event UID) and ends of life
/// among `events` as an Atom feed.
pub fn render_atom(
    events: &[ScheduleEvent],
    fixes: &std::collections::HashMap<String, Vec<String>>,
    today: NaiveDate,
    base: &str,
    host: &str,
) -> String {
    use atom_syndication::{Entry, Feed, Link, Text};
    let link = |href: String| Link { href, ..Link::default() };
    let entries: Vec<Entry> = atom_entries(events, today)
        .into_iter()
        .map(|e| {
            let mut summary = match (&e.kind, &e.note) {
                (EventKind::EndOfLife, _) if e.date > today => format!("{} is planned for {}.", e.title, e.date),
                (EventKind::EndOfLife, _) => format!("{} was reached on {}.", e.title, e.date),
                (_, Some(note)) => format!("{} shipped on {} ({note}).", e.title, e.date),
                _ => format!("{} shipped on {}.", e.title, e.date),
            };
            if let Some(carried) = fixes.get(&e.uid) {
                summary.push_str(&format!(" Fixes: {}.", carried.join("; ")));
            }
            Entry {
                id: format!("tag:{host},{}:{}", e.date, e.uid),
                title: Text::plain(e.title.clone()),
                updated: stamp(e.date).into(),
                summary: Some(Text::plain(summary)),
                links: vec![link(format!("{base}{}", e.link))],
                ..Entry::default()
            }
        })
        .collect();
    let updated = entries.first().map(|e| e.updated).unwrap_or_else(|| stamp(today).into());
    let feed = Feed {
        id: format!("{base}/feed.atom"),
        title: Text::plain("Trainyard releases and end-of-life dates"),
        updated,
        links: vec![link(format!("{base}/releases")), Link { rel: "self".into(), ..link(format!("{base}/feed.atom")) }],
        entries,
        ..Feed::default()
    };
    feed.to_string()
}

#[derive(Debug, Serialize)]
pub struct ScheduleBody {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub events: Vec<ScheduleEvent>,
}

fn query_date(field: &'static str, text: Option<&str>, default: NaiveDate) -> Result<NaiveDate, AppError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(default),
        Some(t) => parse_day(t).map_err(|m| AppError::invalid(field, m)),
    }
}

/// How far ahead the schedule may be asked about: five years of projections.
const AHEAD_DAYS: u64 = 5 * 366;

/// `GET /api/v1/schedule?from=&to=&kinds=&lines=`: at most 400 days at a time.
pub async fn schedule_json(
    State(state): State<AppState>,
    Query(q): Query<FeedQuery>,
) -> Result<Json<ScheduleBody>, AppError> {
    let today = state.today();
    let from = query_date("from", q.from.as_deref(), today)?;
    let to = query_date("to", q.to.as_deref(), from + Days::new(90))?;
    if to < from {
        return Err(AppError::invalid("to", "“to” must not be before “from”"));
    }
    if (to - from).num_days() > MAX_RANGE_DAYS {
        return Err(AppError::invalid("to", format!("ask for at most {MAX_RANGE_DAYS} days at a time")));
    }
    // Projections are made up to the last day asked for: a far-off window costs a plan that long.
    if to > today + Days::new(AHEAD_DAYS) {
        return Err(AppError::invalid("to", format!("ask about at most {AHEAD_DAYS} days ahead")));
    }
    let filter = CalendarFilter::parse(&q.kinds, &q.lines)?;
    let events = service::schedule(&state, from, to).await?.into_iter().filter(|e| filter.matches(e)).collect();
    Ok(Json(ScheduleBody { from, to, events }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::version::{LineId, Version};

    /// An event of `name` (a version, or a line for an end of life) under the slot UID `uid`.
    fn event(
        kind: EventKind,
        uid: &str,
        name: &str,
        date: &str,
        status: EventStatus,
        note: Option<&str>,
    ) -> ScheduleEvent {
        let version = Version::parse(name).ok();
        let line = version.as_ref().map(Version::line).or_else(|| LineId::parse(name).ok());
        ScheduleEvent {
            uid: uid.into(),
            kind,
            date: date.parse().unwrap(),
            title: format!("{name} {}", kind.label()),
            line,
            version,
            status,
            note: note.map(Into::into),
            link: format!("/releases/{name}"),
            revision: if note.is_some() { 2 } else { 0 },
        }
    }

    fn events() -> Vec<ScheduleEvent> {
        vec![
            event(EventKind::Minor, "minor-2026-11", "1.12.0", "2026-11-24", EventStatus::Done, None),
            event(EventKind::Patch, "patch-1.11-2026-11", "1.11.1", "2026-11-10", EventStatus::Done, None),
            event(
                EventKind::Patch,
                "patch-1.11-2026-12",
                "1.11.2",
                "2026-12-10",
                EventStatus::Planned,
                Some("moved for KubeCon"),
            ),
            ScheduleEvent {
                title: "1.10 patch release of December 2026 (cancelled)".into(),
                link: "/releases/1.10".into(),
                ..event(
                    EventKind::Patch,
                    "patch-1.10-2026-12",
                    "1.10",
                    "2026-12-08",
                    EventStatus::Cancelled,
                    Some("nothing to ship"),
                )
            },
            event(EventKind::EndOfLife, "end-of-life-1.9", "1.9", "2026-12-08", EventStatus::Planned, None),
        ]
    }

    #[test]
    fn the_ics_feed_has_stable_uids_sequences_cancellations_and_alarms() {
        let now = "2026-11-26T10:00:00Z".parse().unwrap();
        insta::assert_snapshot!(render_ics(&events(), "https://yard.example", "yard.example", now));
    }

    #[test]
    fn the_atom_feed_lists_what_shipped_and_ends_of_life() {
        let today = "2026-11-26".parse().unwrap();
        let fixes =
            [("patch-1.11-2026-11".to_owned(), vec!["Sidecar crashes on reload (#7, CVE-2026-41234)".to_owned()])]
                .into();
        insta::assert_snapshot!(render_atom(&events(), &fixes, today, "https://yard.example", "yard.example"));
    }
}
