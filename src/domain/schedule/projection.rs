//! The projection: every event of the train from the policy, with what actually happened
//! (and what a manager corrected) replacing the projections.
//!
//! Pure: it takes what is stored, the policy and `today`, and returns dated events.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Days, NaiveDate};

use super::{Blackout, EventKind, EventStatus, KnownBuild, KnownRelease, ScheduleEvent, ScheduleInput};
use crate::domain::{
    calendar_rules::{first_of_month, months_after},
    policy::Certainty,
    version::{LineId, Version},
};

/// A line's minor release: shipped, planned, or projected on the monthly cadence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct MinorDate {
    line: LineId,
    date: NaiveDate,
    shipped: bool,
}

impl ScheduleInput<'_> {
    fn blackout(&self, date: NaiveDate) -> Option<&Blackout> {
        self.blackouts.iter().find(|b| b.date == date)
    }

    /// Moves a release off blackout days (later) and says why.
    fn release_day(&self, date: NaiveDate) -> (NaiveDate, Option<String>) {
        self.skip_blackouts(date, true)
    }

    /// Moves a deadline off blackout days (earlier, so nobody loses time) and says why.
    fn deadline_day(&self, date: NaiveDate) -> (NaiveDate, Option<String>) {
        self.skip_blackouts(date, false)
    }

    fn skip_blackouts(&self, mut date: NaiveDate, later: bool) -> (NaiveDate, Option<String>) {
        let mut reason = None;
        for _ in 0..31 {
            let Some(b) = self.blackout(date) else { break };
            reason.get_or_insert_with(|| format!("moved from {}: {}", b.date, b.reason));
            date = if later { date + Days::new(1) } else { date - Days::new(1) };
        }
        (date, reason)
    }

    /// Every minor from the first stored one to `until`, stored dates first, then projected
    /// one a month after the newest.
    fn minors(&self, until: NaiveDate) -> Vec<MinorDate> {
        let mut minors: Vec<MinorDate> = self
            .releases
            .iter()
            .filter(|r| r.version.is_minor() && !r.cancelled)
            .filter_map(|r| Some(MinorDate { line: r.version.line(), date: r.date()?, shipped: r.actual.is_some() }))
            .collect();
        minors.sort_by_key(|m| m.line);
        let mut next = match minors.last() {
            Some(last) => (last.line.next_minor(), months_after(last.date, 1)),
            None => return minors,
        };
        while next.1 <= until {
            let (date, _) = self.release_day(self.policy.minor_date_in_month_of(next.1));
            minors.push(MinorDate { line: next.0, date, shipped: false });
            next = (next.0.next_minor(), months_after(next.1, 1));
        }
        minors
    }

    /// The end of support of each line that has a minor date, as the policy projects it.
    fn ends_of_support(&self, minors: &[MinorDate]) -> BTreeMap<LineId, (NaiveDate, Certainty)> {
        let successor = self.policy.support_successor as usize;
        minors
            .iter()
            .enumerate()
            .map(|(i, m)| {
                if let Some((_, o)) = self.eol_overrides.iter().find(|(l, _)| *l == m.line) {
                    return (m.line, (o.date, Certainty::Confirmed));
                }
                let (ships, certainty) = match minors.get(i + successor) {
                    Some(next) if next.shipped => (next.date, Certainty::Confirmed),
                    Some(next) => (next.date.max(self.today), Certainty::Expected),
                    None => {
                        let last = minors.last().expect("non-empty");
                        let extra = (i + successor + 1 - minors.len()) as u32;
                        (self.policy.minor_date_in_month_of(months_after(last.date, extra)), Certainty::Expected)
                    }
                };
                (m.line, (self.policy.eol_after(ships), certainty))
            })
            .collect()
    }
}

/// Every event dated `from..=to`, sorted by date then kind.
pub fn project(input: &ScheduleInput<'_>, from: NaiveDate, to: NaiveDate) -> Vec<ScheduleEvent> {
    let mut events = Vec::new();
    // Projections reach past `to`: N+2 minors decide end-of-life dates inside the range.
    let horizon = months_after(to, input.policy.support_successor + 2);
    let minors = input.minors(horizon);
    let ends = input.ends_of_support(&minors);

    minor_events(input, &minors, from, to, &mut events);
    patch_events(input, &minors, &ends, from, to, &mut events);
    eol_events(&ends, input.today, from, to, &mut events);
    build_events(input, from, to, &mut events);

    events.retain(|e| e.date >= from && e.date <= to);
    events.sort_by(|a, b| (a.date, a.kind, &a.version, &a.uid).cmp(&(b.date, b.kind, &b.version, &b.uid)));
    events
}

fn minor_events(
    input: &ScheduleInput<'_>,
    minors: &[MinorDate],
    from: NaiveDate,
    to: NaiveDate,
    out: &mut Vec<ScheduleEvent>,
) {
    let stored = |v: &Version| input.releases.iter().find(|r| &r.version == v);
    let cancelled = input.releases.iter().filter(|r| r.version.is_minor() && r.cancelled);
    for m in minors.iter().filter(|m| m.date >= from && m.date - Days::new(30) <= to) {
        let version = m.line.first_release();
        let known = stored(&version);
        let status = match known {
            Some(k) if k.actual.is_some() => EventStatus::Done,
            Some(_) => EventStatus::Planned,
            None => EventStatus::Projected,
        };
        let (note, revision) = known.map(|k| (k.note.clone(), k.revision)).unwrap_or((None, 0));
        out.push(ScheduleEvent {
            uid: format!("minor-{version}"),
            kind: EventKind::Minor,
            date: m.date,
            title: format!("{version} monthly release"),
            line: Some(m.line),
            version: Some(version.clone()),
            status,
            note,
            link: format!("/releases/{version}"),
            revision,
        });
        if m.shipped {
            continue;
        }
        for (kind, days, what) in [
            (EventKind::BranchCut, input.policy.branch_cut_days, "branch cut"),
            (EventKind::CodeFreeze, input.policy.code_freeze_days, "code freeze"),
        ] {
            let (date, note) = input.deadline_day(m.date - Days::new(u64::from(days)));
            out.push(ScheduleEvent {
                uid: format!("{}-{}", kind.as_str(), m.line),
                kind,
                date,
                title: format!("{} {what}", m.line),
                line: Some(m.line),
                version: Some(version.clone()),
                status: if date < input.today { EventStatus::Done } else { EventStatus::Projected },
                note,
                link: format!("/releases/{}", m.line),
                revision: 0,
            });
        }
    }
    for c in cancelled {
        if let Some(date) = c.date().filter(|d| *d >= from && *d <= to) {
            out.push(cancelled_event(c, date));
        }
    }
}

fn cancelled_event(r: &KnownRelease, date: NaiveDate) -> ScheduleEvent {
    let kind = if r.version.is_minor() { EventKind::Minor } else { EventKind::Patch };
    ScheduleEvent {
        uid: format!("{}-{}", kind.as_str(), r.version),
        kind,
        date,
        title: format!("{} {} (cancelled)", r.version, kind.label()),
        line: Some(r.version.line()),
        version: Some(r.version.clone()),
        status: EventStatus::Cancelled,
        note: r.note.clone(),
        link: format!("/releases/{}", r.version),
        revision: r.revision,
    }
}

/// Patch releases: stored ones as they are, and one projected per supported line in every
/// monthly slot no stored release already fills.
fn patch_events(
    input: &ScheduleInput<'_>,
    minors: &[MinorDate],
    ends: &BTreeMap<LineId, (NaiveDate, Certainty)>,
    from: NaiveDate,
    to: NaiveDate,
    out: &mut Vec<ScheduleEvent>,
) {
    let mut filled: BTreeSet<(LineId, (i32, u32))> = BTreeSet::new();
    let mut highest: BTreeMap<LineId, Version> = BTreeMap::new();
    // Cancelled versions count too: a number is never reused.
    for r in input.releases {
        let line = r.version.line();
        if highest.get(&line).is_none_or(|h| &r.version > h) {
            highest.insert(line, r.version.clone());
        }
    }
    for r in input.releases.iter().filter(|r| !r.version.is_minor()) {
        let Some(date) = r.date() else { continue };
        // A cancelled regular patch still fills its slot: that month ships nothing for the line.
        if !r.out_of_band {
            filled.insert((r.version.line(), (date.year(), date.month())));
        }
        if r.cancelled {
            if date >= from && date <= to {
                out.push(cancelled_event(r, date));
            }
            continue;
        }
        let status = if r.actual.is_some() { EventStatus::Done } else { EventStatus::Planned };
        let note = r.note.clone().or_else(|| r.out_of_band.then(|| "out of band".to_owned()));
        out.push(ScheduleEvent {
            uid: format!("patch-{}", r.version),
            kind: EventKind::Patch,
            date,
            title: format!("{} patch release", r.version),
            line: Some(r.version.line()),
            version: Some(r.version.clone()),
            status,
            note,
            link: format!("/releases/{}", r.version),
            revision: r.revision,
        });
        if !r.out_of_band && r.actual.is_none() {
            let slot = input.policy.patch_slot_in_month_of(date);
            let (deadline, moved) = input.deadline_day(slot.cherry_pick_deadline);
            out.push(deadline_event(&r.version, deadline, moved, input.today));
        }
    }
    // Projected slots from this month on (earlier ones either happened or did not).
    let start = first_of_month(from.max(input.today));
    let mut month = start;
    while month <= to {
        let slot = input.policy.patch_slot_in_month_of(month);
        let (target, target_note) = input.release_day(slot.target);
        let (deadline, deadline_note) = input.deadline_day(slot.cherry_pick_deadline);
        for m in minors.iter().filter(|m| m.date < slot.cherry_pick_deadline) {
            let Some((end, _)) = ends.get(&m.line) else { continue };
            let key = (m.line, (month.year(), month.month()));
            if target >= *end || target < input.today || filled.contains(&key) {
                continue;
            }
            filled.insert(key);
            let version =
                highest.get(&m.line).map(Version::next_patch).unwrap_or_else(|| m.line.first_release().next_patch());
            highest.insert(m.line, version.clone());
            out.push(ScheduleEvent {
                uid: format!("patch-{version}"),
                kind: EventKind::Patch,
                date: target,
                title: format!("{version} patch release"),
                line: Some(m.line),
                version: Some(version.clone()),
                status: EventStatus::Projected,
                note: target_note.clone(),
                link: format!("/releases/{}", m.line),
                revision: 0,
            });
            if deadline >= input.today {
                out.push(deadline_event(&version, deadline, deadline_note.clone(), input.today));
            }
        }
        month = months_after(month, 1);
    }
}

fn deadline_event(version: &Version, date: NaiveDate, note: Option<String>, today: NaiveDate) -> ScheduleEvent {
    ScheduleEvent {
        uid: format!("deadline-{version}"),
        kind: EventKind::Deadline,
        date,
        title: format!("{version} cherry-pick deadline"),
        line: Some(version.line()),
        version: Some(version.clone()),
        status: if date < today { EventStatus::Done } else { EventStatus::Projected },
        note,
        link: format!("/releases/{}", version.line()),
        revision: 0,
    }
}

fn eol_events(
    ends: &BTreeMap<LineId, (NaiveDate, Certainty)>,
    today: NaiveDate,
    from: NaiveDate,
    to: NaiveDate,
    out: &mut Vec<ScheduleEvent>,
) {
    for (line, (date, certainty)) in ends.iter().filter(|(_, (d, _))| *d >= from && *d <= to) {
        let status = match (certainty, *date <= today) {
            (_, true) => EventStatus::Done,
            (Certainty::Confirmed, false) => EventStatus::Planned,
            (Certainty::Expected, false) => EventStatus::Projected,
        };
        out.push(ScheduleEvent {
            uid: format!("end-of-life-{line}"),
            kind: EventKind::EndOfLife,
            date: *date,
            title: format!("{line} end of life"),
            line: Some(*line),
            version: None,
            status,
            note: (*certainty == Certainty::Expected)
                .then(|| "expected: moves if the deciding release moves".to_owned()),
            link: format!("/releases/{line}"),
            revision: 0,
        });
    }
}

/// Daily cuts and weekly qualifications: builds that exist, projections for days to come,
/// and a "missed" marker for a past day without a build.
fn build_events(input: &ScheduleInput<'_>, from: NaiveDate, to: NaiveDate, out: &mut Vec<ScheduleEvent>) {
    let mut day = from;
    while day <= to {
        let builds: Vec<&KnownBuild> = input.builds.iter().filter(|b| b.cut_on == day).collect();
        let (status, title, note) = match builds.first() {
            Some(b) => {
                (EventStatus::Done, format!("daily build {}", b.name), Some(format!("functional {}", b.summary)))
            }
            None if day < input.today => (EventStatus::Missed, "no daily build".to_owned(), None),
            None => (EventStatus::Projected, format!("daily build at {:02}:00 UTC", input.policy.daily_cut_hour), None),
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
        if day.weekday() == input.policy.weekly_qualification {
            let week = day.iso_week();
            let weekly = input.builds.iter().find(|b| b.weekly && b.cut_on.iso_week() == week);
            let (status, title) = match weekly {
                Some(b) => (EventStatus::Done, format!("weekly qualification of {}", b.name)),
                None if day < input.today => (EventStatus::Missed, "weekly qualification (no weekly build)".to_owned()),
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
        day = day + Days::new(1);
    }
}
