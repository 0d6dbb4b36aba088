//! The calendar's events, table by table: what it holds for a given history and day.

use chrono::{Datelike, NaiveDate};

use super::*;
use crate::domain::{
    catalog::{Release, ReleaseStatus},
    plan::fixtures::*,
    policy::Policy,
};

fn run(releases: Vec<Release>, blackouts: Vec<Blackout>, today: &str, from: &str, to: &str) -> Vec<ScheduleEvent> {
    let c = catalog_with(Policy::default(), releases, blackouts, &[]);
    let plan = c.plan(d(today), d(to));
    events(&plan, &c, &[], d(from), d(to))
}

fn of(events: &[ScheduleEvent], kind: EventKind) -> Vec<(String, NaiveDate, EventStatus)> {
    events
        .iter()
        .filter(|e| e.kind == kind)
        .map(|e| {
            let name = e.version.as_ref().map(|v| v.to_string()).or(e.line.map(|l| l.to_string())).unwrap_or_default();
            (name, e.date, e.status)
        })
        .collect()
}

#[test]
fn december_2026_has_the_minor_its_freeze_and_a_patch_per_supported_line() {
    let events = run(history(), vec![], "2026-11-26", "2026-12-01", "2026-12-31");
    assert_eq!(of(&events, EventKind::Minor), [("1.13.0".to_owned(), d("2026-12-22"), EventStatus::Planned)]);
    assert_eq!(of(&events, EventKind::CodeFreeze), [("1.13.0".to_owned(), d("2026-12-15"), EventStatus::Projected)]);
    assert_eq!(of(&events, EventKind::BranchCut), [("1.13.0".to_owned(), d("2026-12-08"), EventStatus::Projected)]);
    // 2nd Tuesday is the 8th, 1st Friday the 4th; 1.9 ends on the 8th, so it gets none.
    assert_eq!(
        of(&events, EventKind::Patch),
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
    let events = run(history(), vec![], "2026-11-26", "2027-01-01", "2027-03-31");
    let minors: Vec<String> = of(&events, EventKind::Minor).into_iter().map(|(v, ..)| v).collect();
    assert_eq!(minors, ["1.14.0", "1.15.0", "1.16.0"]);
    let eols = of(&events, EventKind::EndOfLife);
    assert_eq!(eols[0], ("1.10".to_owned(), d("2027-01-05"), EventStatus::Planned));
    assert_eq!(eols[1], ("1.11".to_owned(), d("2027-02-02"), EventStatus::Projected));
    let january: Vec<String> =
        of(&events, EventKind::Patch).into_iter().filter(|(_, date, _)| date.month() == 1).map(|(v, ..)| v).collect();
    assert!(!january.iter().any(|v| v.starts_with("1.10.")), "{january:?}");
    assert!(january.iter().any(|v| v.starts_with("1.13.")), "1.13 ships 22 December and gets January's slot");
}

#[test]
fn a_moved_patch_keeps_its_uid_and_says_why() {
    let before = run(history(), vec![], "2026-11-26", "2026-12-01", "2026-12-31");
    let mut releases = history();
    let mut moved = planned_patch("1.12", "2026-12-08");
    moved.planned_date = d("2026-12-10");
    moved.date_note = Some("moved for KubeCon".into());
    moved.revision = 2;
    releases.push(moved);
    let after = run(releases, vec![], "2026-11-26", "2026-12-01", "2026-12-31");
    let find = |events: &[ScheduleEvent]| events.iter().find(|e| e.uid == "patch-1.12-2026-12").cloned().unwrap();
    let (was, now) = (find(&before), find(&after));
    assert_eq!((was.date, now.date), (d("2026-12-08"), d("2026-12-10")));
    assert_eq!((now.status, now.revision, now.note.as_deref()), (EventStatus::Planned, 2, Some("moved for KubeCon")));
    assert_eq!(after.iter().filter(|e| e.kind == EventKind::Patch && e.line == Some(l("1.12"))).count(), 1);
}

#[test]
fn uids_survive_renumbering_and_are_never_repeated() {
    let mut releases = history();
    releases.push(planned_patch("1.12", "2026-12-08"));
    let before = run(releases.clone(), vec![], "2026-11-26", "2026-11-26", "2027-03-31");
    releases.push(out_of_band("1.12", 1, "2026-11-30"));
    releases[9] = with_status(planned_minor("1.13", "2026-12-22"), ReleaseStatus::Cancelled);
    let after = run(releases, vec![], "2026-11-26", "2026-11-26", "2027-03-31");
    let dec = |events: &[ScheduleEvent]| events.iter().find(|e| e.uid == "patch-1.12-2026-12").unwrap().version.clone();
    assert_eq!(
        (dec(&before).unwrap().to_string(), dec(&after).unwrap().to_string()),
        ("1.12.1".into(), "1.12.2".into())
    );
    let mut uids: Vec<&str> = after.iter().map(|e| e.uid.as_str()).collect();
    let all = uids.len();
    uids.sort();
    uids.dedup();
    assert_eq!(uids.len(), all, "every UID once");
    let cancelled = after.iter().find(|e| e.uid == "minor-2026-12").unwrap();
    assert_eq!((cancelled.status, cancelled.version.clone()), (EventStatus::Cancelled, None));
}

#[test]
fn blackouts_move_releases_later_and_deadlines_earlier() {
    let blackouts = vec![
        Blackout { date: d("2026-12-08"), reason: "company holiday".into() },
        Blackout { date: d("2026-12-04"), reason: "company holiday".into() },
    ];
    let events = run(history(), blackouts, "2026-11-26", "2026-12-01", "2026-12-31");
    let patch = events.iter().find(|e| e.uid == "patch-1.12-2026-12").unwrap();
    assert_eq!(patch.date, d("2026-12-09"));
    assert!(patch.note.as_deref().unwrap().contains("company holiday"));
    let deadline = events.iter().find(|e| e.uid == "deadline-patch-1.12-2026-12").unwrap();
    assert_eq!(deadline.date, d("2026-12-03"));
}

#[test]
fn daily_and_weekly_events_fill_the_days_and_a_weekly_is_named_by_the_week_it_qualifies_in() {
    // The weekly of the week of 23 November was cut the Sunday before.
    let builds = [KnownBuild {
        name: "main-20261122-0200".into(),
        cut_on: d("2026-11-22"),
        weekly_of: Some(d("2026-11-23")),
        summary: "passed".into(),
    }];
    let c = catalog(vec![]);
    let plan = c.plan(d("2026-11-26"), d("2026-12-06"));
    let events = events(&plan, &c, &builds, d("2026-11-23"), d("2026-12-06"));
    let dailies = of(&events, EventKind::Daily);
    assert_eq!(dailies.len(), 14);
    assert_eq!(dailies[0].2, EventStatus::Missed, "the 23rd had no build");
    assert_eq!(dailies[3].2, EventStatus::Projected, "today's build is still to come");
    let weeklies = of(&events, EventKind::Weekly);
    assert_eq!(weeklies.len(), 2, "two Wednesdays");
    assert_eq!(weeklies[0].2, EventStatus::Done, "filed under the week it qualified in");
    assert_eq!(weeklies[1].2, EventStatus::Projected);
}

#[test]
fn month_ends_and_leap_years_are_handled() {
    let policy = Policy { minor_release: "last Friday".parse().unwrap(), ..Policy::default() };
    let c = catalog_with(policy, vec![released("2.0.0", "2028-01-28")], vec![], &[]);
    let plan = c.plan(d("2028-01-30"), d("2028-03-31"));
    let events = events(&plan, &c, &[], d("2028-02-01"), d("2028-03-31"));
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

#[test]
fn alarms_are_days_ahead_bounded_and_latest_first() {
    use super::Alarms;
    assert_eq!(Alarms::parse("").unwrap(), Alarms::standard());
    assert_eq!(Alarms::parse("30, 365,90,30").unwrap().days(), [365, 90, 30]);
    assert!(Alarms::parse("731").unwrap_err().contains("from 0 to 730"));
    assert!(Alarms::parse("-1").is_err());
    assert!(Alarms::parse("1,2,3,4,5,6,7,8,9").unwrap_err().contains("at most 8"));
    assert_eq!(Alarms::phrase(365), "in a year");
    assert_eq!(Alarms::phrase(45), "in 45 days");
}
