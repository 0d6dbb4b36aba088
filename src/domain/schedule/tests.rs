//! The projection, table by table: what the calendar holds for a given history and day.

use chrono::{Datelike, NaiveDate};

use super::*;
use crate::domain::{
    policy::Policy,
    version::{LineId, Version},
};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn v(s: &str) -> Version {
    Version::parse(s).unwrap()
}

fn shipped(version: &str, on: &str) -> KnownRelease {
    KnownRelease {
        version: v(version),
        planned: Some(d(on)),
        actual: Some(d(on)),
        cancelled: false,
        out_of_band: false,
        note: None,
        revision: 0,
    }
}

fn planned(version: &str, on: &str) -> KnownRelease {
    KnownRelease { actual: None, ..shipped(version, on) }
}

/// 1.10–1.12 shipped on the 4th Tuesdays of Sep–Nov 2026; 1.13 planned for Dec 22.
fn releases() -> Vec<KnownRelease> {
    vec![
        shipped("1.10.0", "2026-09-22"),
        shipped("1.10.1", "2026-10-13"),
        shipped("1.11.0", "2026-10-27"),
        shipped("1.11.1", "2026-11-10"),
        shipped("1.12.0", "2026-11-24"),
        planned("1.13.0", "2026-12-22"),
    ]
}

fn run(releases: &[KnownRelease], blackouts: &[Blackout], today: &str, from: &str, to: &str) -> Vec<ScheduleEvent> {
    let policy = Policy::default();
    let input =
        ScheduleInput { policy: &policy, releases, builds: &[], blackouts, eol_overrides: &[], today: d(today) };
    project(&input, d(from), d(to))
}

fn of(events: &[ScheduleEvent], kind: EventKind) -> Vec<(String, NaiveDate, EventStatus)> {
    events
        .iter()
        .filter(|e| e.kind == kind)
        .map(|e| {
            (
                e.version.as_ref().map(|v| v.to_string()).or(e.line.map(|l| l.to_string())).unwrap_or_default(),
                e.date,
                e.status,
            )
        })
        .collect()
}

#[test]
fn december_2026_has_the_minor_its_freeze_and_a_patch_per_supported_line() {
    let events = run(&releases(), &[], "2026-11-26", "2026-12-01", "2026-12-31");
    assert_eq!(of(&events, EventKind::Minor), [("1.13.0".to_owned(), d("2026-12-22"), EventStatus::Planned)]);
    assert_eq!(of(&events, EventKind::CodeFreeze), [("1.13.0".to_owned(), d("2026-12-15"), EventStatus::Projected)]);
    assert_eq!(of(&events, EventKind::BranchCut), [("1.13.0".to_owned(), d("2026-12-08"), EventStatus::Projected)]);
    // 2nd Tuesday is the 8th; 1st Friday the 4th. 1.10 is supported until 2027-01-05.
    let patches = of(&events, EventKind::Patch);
    assert_eq!(
        patches,
        [
            ("1.10.2".to_owned(), d("2026-12-08"), EventStatus::Projected),
            ("1.11.2".to_owned(), d("2026-12-08"), EventStatus::Projected),
            ("1.12.1".to_owned(), d("2026-12-08"), EventStatus::Projected),
        ]
    );
    assert!(of(&events, EventKind::Deadline).iter().all(|(_, date, _)| *date == d("2026-12-04")));
}

#[test]
fn projected_minors_continue_monthly_and_lines_reach_end_of_life() {
    let events = run(&releases(), &[], "2026-11-26", "2027-01-01", "2027-03-31");
    let minors: Vec<String> = of(&events, EventKind::Minor).into_iter().map(|(v, ..)| v).collect();
    assert_eq!(minors, ["1.14.0", "1.15.0", "1.16.0"]);
    let eols = of(&events, EventKind::EndOfLife);
    // 1.10: six weeks after 1.12 (Nov 24) is Jan 5, confirmed; 1.11 after 1.13 (Dec 22).
    assert_eq!(eols[0], ("1.10".to_owned(), d("2027-01-05"), EventStatus::Planned));
    assert_eq!(eols[1], ("1.11".to_owned(), d("2027-02-02"), EventStatus::Projected));
    // 1.10 gets no January patch: its slot (Jan 12) falls after its end of life.
    let january: Vec<String> =
        of(&events, EventKind::Patch).into_iter().filter(|(_, date, _)| date.month() == 1).map(|(v, ..)| v).collect();
    assert!(!january.iter().any(|v| v.starts_with("1.10.")), "{january:?}");
    assert!(january.iter().any(|v| v.starts_with("1.13.")), "1.13 ships Dec 22 and gets January's slot");
}

#[test]
fn stored_releases_replace_projections_and_keep_their_note() {
    let mut stored = releases();
    let mut moved = planned("1.12.1", "2026-12-10");
    moved.note = Some("moved for KubeCon".into());
    moved.revision = 2;
    stored.push(moved);
    let events = run(&stored, &[], "2026-11-26", "2026-12-01", "2026-12-31");
    let p = events.iter().find(|e| e.uid == "patch-1.12.1").unwrap();
    assert_eq!((p.date, p.status, p.revision), (d("2026-12-10"), EventStatus::Planned, 2));
    assert_eq!(p.note.as_deref(), Some("moved for KubeCon"));
    assert_eq!(events.iter().filter(|e| e.kind == EventKind::Patch && e.line == Some(LineId::new(1, 12))).count(), 1);
}

#[test]
fn blackouts_move_releases_later_and_deadlines_earlier() {
    let blackouts = [
        Blackout { date: d("2026-12-08"), reason: "company holiday".into() },
        Blackout { date: d("2026-12-04"), reason: "company holiday".into() },
    ];
    let events = run(&releases(), &blackouts, "2026-11-26", "2026-12-01", "2026-12-31");
    let patch = events.iter().find(|e| e.uid == "patch-1.12.1").unwrap();
    assert_eq!(patch.date, d("2026-12-09"));
    assert!(patch.note.as_deref().unwrap().contains("company holiday"));
    let deadline = events.iter().find(|e| e.uid == "deadline-1.12.1").unwrap();
    assert_eq!(deadline.date, d("2026-12-03"));
}

#[test]
fn uids_are_stable_when_dates_move() {
    let before = run(&releases(), &[], "2026-11-26", "2026-12-01", "2026-12-31");
    let mut stored = releases();
    stored.push(planned("1.12.1", "2026-12-10"));
    let after = run(&stored, &[], "2026-11-26", "2026-12-01", "2026-12-31");
    let uid = |events: &[ScheduleEvent]| {
        events.iter().find(|e| e.version == Some(v("1.12.1")) && e.kind == EventKind::Patch).unwrap().uid.clone()
    };
    assert_eq!(uid(&before), uid(&after));
}

#[test]
fn cancelled_releases_stay_on_the_calendar_as_cancelled() {
    let mut stored = releases();
    let mut c = planned("1.12.1", "2026-12-08");
    c.cancelled = true;
    stored.push(c);
    let events = run(&stored, &[], "2026-11-26", "2026-12-01", "2026-12-31");
    let e = events.iter().find(|e| e.uid == "patch-1.12.1").unwrap();
    assert_eq!(e.status, EventStatus::Cancelled);
    // Its slot is not re-projected, under this number or the next.
    assert_eq!(events.iter().filter(|e| e.uid == "patch-1.12.1").count(), 1);
    assert!(!events.iter().any(|e| e.version == Some(v("1.12.2"))));
    // The next month's patch takes the next number; the cancelled one is not reused.
    let january = run(&stored, &[], "2026-11-26", "2027-01-01", "2027-01-31");
    assert!(january.iter().any(|e| e.uid == "patch-1.12.2"));
}

#[test]
fn daily_and_weekly_events_fill_the_days_and_flag_missed_ones() {
    let builds = [KnownBuild {
        name: "main-20261125-0200".into(),
        cut_on: d("2026-11-25"),
        weekly: true,
        summary: "passed".into(),
    }];
    let policy = Policy::default();
    let input = ScheduleInput {
        policy: &policy,
        releases: &[],
        builds: &builds,
        blackouts: &[],
        eol_overrides: &[],
        today: d("2026-11-26"),
    };
    let events = project(&input, d("2026-11-23"), d("2026-12-06"));
    let dailies = of(&events, EventKind::Daily);
    assert_eq!(dailies.len(), 14);
    assert_eq!(dailies[0].2, EventStatus::Missed, "the 23rd had no build");
    assert_eq!(dailies[2].2, EventStatus::Done);
    assert_eq!(dailies[3].2, EventStatus::Projected, "today's build is still to come");
    let weeklies = of(&events, EventKind::Weekly);
    assert_eq!(weeklies.len(), 2, "two Wednesdays");
    assert_eq!(weeklies[0].2, EventStatus::Done);
    assert_eq!(weeklies[1].2, EventStatus::Projected);
}

#[test]
fn month_ends_and_leap_years_are_handled() {
    // A policy on the last Friday in February of a leap year.
    let policy = Policy { minor_release: "last Friday".parse().unwrap(), ..Policy::default() };
    let stored = [shipped("2.0.0", "2028-01-28")];
    let input = ScheduleInput {
        policy: &policy,
        releases: &stored,
        builds: &[],
        blackouts: &[],
        eol_overrides: &[],
        today: d("2028-01-30"),
    };
    let events = project(&input, d("2028-02-01"), d("2028-03-31"));
    let minors = of(&events, EventKind::Minor);
    assert_eq!(minors[0], ("2.1.0".to_owned(), d("2028-02-25"), EventStatus::Projected));
    assert_eq!(minors[1], ("2.2.0".to_owned(), d("2028-03-31"), EventStatus::Projected));
}

#[test]
fn kinds_parse_from_their_filter_names() {
    for kind in EventKind::ALL {
        assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
    }
    assert_eq!(EventKind::parse("holiday"), None);
}
