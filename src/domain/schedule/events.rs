//! The calendar's events, drawn from the plan: monthly releases with their branch cuts and code
//! freezes, patch releases with their cherry-pick deadlines, ends of life, daily builds and
//! weekly qualifications. Every UID is made from what does not move: a release's slot, a line,
//! a day or a week.

use chrono::{Datelike, Days, NaiveDate};

use super::{EventKind, EventStatus, KnownBuild, ScheduleEvent, deadline_day};
use crate::domain::{
    calendar_rules::monday_of,
    catalog::{Catalog, ReleaseKind},
    plan::{LinePlan, Plan, PlanState, Scheduled},
    policy::{Certainty, Policy},
};

/// Every event dated `from..=to`, sorted by date then kind. The plan must reach `to`.
pub fn events(
    plan: &Plan,
    catalog: &Catalog,
    builds: &[KnownBuild],
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<ScheduleEvent> {
    let today = plan.today;
    let policy = &catalog.policy;
    // Years of history make thousands of releases: only those in the window become events (a
    // freeze is counted back from its monthly, so those are made first and then kept or not).
    let within = |date: NaiveDate| date >= from && date <= to;
    let mut out = Vec::new();
    for line in &plan.lines {
        if within(line.minor.date) {
            out.push(release_event(&line.minor, today));
        }
        if line.minor.state.is_live() {
            freeze_events(line, policy, catalog, today, &mut out);
        }
        for patch in &line.patches {
            if within(patch.date) {
                out.push(release_event(patch, today));
            }
            if let Some(deadline) = patch.cherry_pick_deadline.filter(|d| within(*d) && !patch.state.is_dropped()) {
                out.push(deadline_event(patch, deadline, today));
            }
        }
        if within(line.eol.date) {
            out.push(end_of_life_event(line, today));
        }
    }
    out.extend(plan.cancelled_minors.iter().filter(|m| within(m.date)).map(|m| release_event(m, today)));
    build_events(policy, builds, today, from, to, &mut out);
    out.retain(|e| within(e.date));
    out.sort_by(|a, b| (a.date, a.kind, &a.version, &a.uid).cmp(&(b.date, b.kind, &b.version, &b.uid)));
    out
}

fn status_of(s: &Scheduled, today: NaiveDate) -> EventStatus {
    match s.state {
        PlanState::Released => EventStatus::Done,
        PlanState::Cancelled => EventStatus::Cancelled,
        PlanState::Skipped => EventStatus::Skipped,
        _ if s.date < today => EventStatus::Late,
        PlanState::Projected => EventStatus::Projected,
        _ => EventStatus::Planned,
    }
}

fn release_event(s: &Scheduled, today: NaiveDate) -> ScheduleEvent {
    let kind = if s.kind == ReleaseKind::Minor { EventKind::Minor } else { EventKind::Patch };
    let (title, link) = match &s.version {
        Some(v) => (format!("{v} {}", kind.label()), format!("/releases/{v}")),
        None => {
            let month = s.slot.month().map(|m| m.format(" of %B %Y").to_string()).unwrap_or_default();
            (format!("{} {}{month} ({})", s.line, kind.label(), s.state.as_str()), format!("/releases/{}", s.line))
        }
    };
    let note = s.note.clone().or_else(|| s.out_of_band().then(|| "out of band".to_owned()));
    ScheduleEvent {
        uid: s.slot.key(),
        kind,
        date: s.date,
        title,
        line: Some(s.line),
        version: s.version.clone(),
        status: status_of(s, today),
        note,
        link,
        revision: s.revision,
    }
}

/// A monthly's branch cut and code freeze, counted back from the day it can ship.
fn freeze_events(line: &LinePlan, policy: &Policy, catalog: &Catalog, today: NaiveDate, out: &mut Vec<ScheduleEvent>) {
    let ships = line.minor.due(today);
    for (kind, days, what) in [
        (EventKind::BranchCut, policy.branch_cut_days, "branch cut"),
        (EventKind::CodeFreeze, policy.code_freeze_days, "code freeze"),
    ] {
        let (date, note) = deadline_day(&catalog.blackouts, ships - Days::new(u64::from(days)));
        out.push(ScheduleEvent {
            uid: format!("{}-{}", kind.as_str(), line.minor.slot.key()),
            kind,
            date,
            title: format!("{} {what}", line.line),
            line: Some(line.line),
            version: line.minor.version.clone(),
            status: if date < today { EventStatus::Done } else { EventStatus::Projected },
            note,
            link: format!("/releases/{}", line.line),
            revision: 0,
        });
    }
}

fn deadline_event(s: &Scheduled, date: NaiveDate, today: NaiveDate) -> ScheduleEvent {
    let name = s.version.as_ref().map(ToString::to_string).unwrap_or_else(|| s.line.to_string());
    ScheduleEvent {
        uid: format!("deadline-{}", s.slot.key()),
        kind: EventKind::Deadline,
        date,
        title: format!("{name} cherry-pick deadline"),
        line: Some(s.line),
        version: s.version.clone(),
        status: if date < today { EventStatus::Done } else { EventStatus::Projected },
        note: Some("cherry-picks merged by the end of this day (UTC) ship in it".into()),
        link: format!("/releases/{}", s.line),
        revision: 0,
    }
}

fn end_of_life_event(line: &LinePlan, today: NaiveDate) -> ScheduleEvent {
    let eol = &line.eol;
    let status = match (eol.certainty, eol.date <= today) {
        (_, true) => EventStatus::Done,
        (Certainty::Confirmed, false) => EventStatus::Planned,
        (Certainty::Expected, false) => EventStatus::Projected,
    };
    let note = match (&eol.override_note, eol.certainty) {
        (Some(n), _) => Some(format!("set by a release manager: {n}")),
        (None, Certainty::Expected) => Some("expected: moves if the deciding release moves".to_owned()),
        (None, Certainty::Confirmed) => None,
    };
    ScheduleEvent {
        uid: format!("end-of-life-{}", line.line),
        kind: EventKind::EndOfLife,
        date: eol.date,
        title: format!("{} end of life", line.line),
        line: Some(line.line),
        version: None,
        status,
        note,
        link: format!("/releases/{}", line.line),
        revision: 0,
    }
}

/// Daily cuts and weekly qualifications of the main branch: builds that exist, projections for
/// days to come, and a "missed" marker for a past day without one. A weekly belongs to the
/// week it qualifies in, whenever it was cut.
fn build_events(
    policy: &Policy,
    builds: &[KnownBuild],
    today: NaiveDate,
    from: NaiveDate,
    to: NaiveDate,
    out: &mut Vec<ScheduleEvent>,
) {
    let mut day = from;
    while day <= to {
        let (status, title, note) = match builds.iter().find(|b| b.cut_on == day) {
            Some(b) => {
                (EventStatus::Done, format!("daily build {}", b.name), Some(format!("functional {}", b.summary)))
            }
            None if day < today => (EventStatus::Missed, "no daily build".to_owned(), None),
            None => (EventStatus::Projected, format!("daily build at {:02}:00 UTC", policy.daily_cut_hour), None),
        };
        out.push(ScheduleEvent {
            uid: format!("daily-{day}"),
            kind: EventKind::Daily,
            date: day,
            title,
            line: None,
            version: None,
            status,
            note,
            link: "/train".into(),
            revision: 0,
        });
        if day.weekday() == policy.weekly_qualification {
            let monday = monday_of(day);
            let week = day.iso_week();
            let (status, title) = match builds.iter().find(|b| b.weekly_of == Some(monday)) {
                Some(b) => (EventStatus::Done, format!("weekly qualification of {}", b.name)),
                None if day < today => (EventStatus::Missed, "weekly qualification (no weekly build)".to_owned()),
                None => (EventStatus::Projected, "weekly qualification".to_owned()),
            };
            out.push(ScheduleEvent {
                uid: format!("weekly-{}-W{:02}", week.year(), week.week()),
                kind: EventKind::Weekly,
                date: day,
                title,
                line: None,
                version: None,
                status,
                note: Some("stability and performance tests of the week's build".into()),
                link: "/train".into(),
                revision: 0,
            });
        }
        let Some(next) = day.succ_opt() else { break };
        day = next;
    }
}
