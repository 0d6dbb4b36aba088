//! The plan, rule by rule: statuses and ends of life, the monthly cadence, patch slots and
//! the numbering that follows time.

use chrono::{Days, Months};

use super::{Plan, PlanState};
use crate::domain::{
    catalog::{Release, ReleaseStatus, Slot},
    plan::fixtures::*,
    policy::{Cadence, Certainty, LineStatus, Policy, Precision},
};

fn plan_of(releases: Vec<Release>, today: &str) -> Plan {
    let today = d(today);
    catalog(releases).plan(today, today + Months::new(6))
}

fn statuses(plan: &Plan) -> Vec<(String, LineStatus)> {
    plan.lines.iter().filter(|l| l.line <= l_("1.14")).map(|l| (l.line.to_string(), l.status)).collect()
}

fn l_(s: &str) -> crate::domain::version::LineId {
    l(s)
}

fn versions(plan: &Plan, line: &str) -> Vec<(String, String, PlanState)> {
    plan.line(l(line))
        .unwrap()
        .patches
        .iter()
        .map(|p| (p.version.as_ref().map(ToString::to_string).unwrap_or_default(), p.date.to_string(), p.state))
        .collect()
}

#[test]
fn statuses_follow_the_n_plus_two_rule() {
    let plan = plan_of(history(), "2026-11-26");
    assert_eq!(
        statuses(&plan),
        [
            ("1.8".to_owned(), LineStatus::EndOfLife),
            ("1.9".to_owned(), LineStatus::Supported),
            ("1.10".to_owned(), LineStatus::Supported),
            ("1.11".to_owned(), LineStatus::Supported),
            ("1.12".to_owned(), LineStatus::Current),
            ("1.13".to_owned(), LineStatus::InDevelopment),
            ("1.14".to_owned(), LineStatus::Planned),
        ]
    );
}

#[test]
fn end_of_life_is_confirmed_once_the_successor_ships_and_expected_before() {
    let plan = plan_of(history(), "2026-11-26");
    let eol = |line: &str| plan.line(l(line)).unwrap().eol.clone();
    // 1.8 ends six weeks after 1.10 shipped on 22 September; 1.10 six weeks after 1.12.
    assert_eq!((eol("1.8").date, eol("1.8").certainty), (d("2026-11-03"), Certainty::Confirmed));
    assert_eq!((eol("1.10").date, eol("1.10").certainty), (d("2027-01-05"), Certainty::Confirmed));
    // 1.11 needs 1.13, planned for 22 December: expected, to the day.
    assert_eq!(
        (eol("1.11").date, eol("1.11").certainty, eol("1.11").precision),
        (d("2027-02-02"), Certainty::Expected, Precision::Day)
    );
    // 1.12 needs 1.14, only projected (January's 4th Tuesday, the 26th): to the month.
    assert_eq!((eol("1.12").date, eol("1.12").precision), (d("2027-01-26") + Days::new(42), Precision::Month));
}

#[test]
fn a_late_successor_pushes_the_expected_date_but_never_ends_support() {
    let plan = plan_of(history(), "2027-02-10");
    let line = plan.line(l("1.11")).unwrap();
    assert_eq!(line.eol.date, d("2027-02-10") + Days::new(42));
    assert_eq!(line.status, LineStatus::Supported);
    assert!(plan.next_monthly().unwrap().late, "1.13 is late");
}

#[test]
fn an_override_wins_and_can_end_a_line() {
    let c = catalog_with(Policy::default(), history(), vec![], &[("1.10", "2026-11-20", "security backports stopped")]);
    let plan = c.plan(d("2026-11-26"), d("2027-03-01"));
    let line = plan.line(l("1.10")).unwrap();
    assert_eq!(line.status, LineStatus::EndOfLife);
    assert_eq!(
        (line.eol.date, line.eol.override_note.as_deref()),
        (d("2026-11-20"), Some("security backports stopped"))
    );
    assert!(line.patches.iter().all(|p| !p.state.is_live()), "no patch after its end of life");
}

#[test]
fn the_support_policy_is_configurable_and_its_last_day_is_not_supported() {
    let policy = Policy { support_weeks: 2, support_successor: 1, ..Policy::default() };
    let plan = catalog_with(policy, history(), vec![], &[]).plan(d("2026-11-26"), d("2027-03-01"));
    assert_eq!(plan.line(l("1.10")).unwrap().eol.date, d("2026-11-10"));
    assert_eq!(plan.line(l("1.10")).unwrap().status, LineStatus::EndOfLife);
    assert_eq!(plan.line(l("1.11")).unwrap().status, LineStatus::Supported);
    let on = |day: &str| catalog(history()).plan(d(day), d("2027-03-01")).line(l("1.10")).unwrap().status;
    assert_eq!(on("2027-01-04"), LineStatus::Supported);
    assert_eq!(on("2027-01-05"), LineStatus::EndOfLife);
}

#[test]
fn each_supported_line_gets_a_patch_in_every_slot_before_its_end_of_life() {
    let plan = plan_of(history(), "2026-11-26");
    assert_eq!(versions(&plan, "1.12")[0], ("1.12.1".to_owned(), "2026-12-08".to_owned(), PlanState::Projected));
    // 1.10 is supported until 5 January: December's slot, not January's.
    assert_eq!(
        versions(&plan, "1.10"),
        [
            ("1.10.1".to_owned(), "2026-10-13".to_owned(), PlanState::Released),
            ("1.10.2".to_owned(), "2026-12-08".to_owned(), PlanState::Projected),
        ]
    );
    let dec = plan.line(l("1.12")).unwrap().patches[0].clone();
    assert_eq!(dec.cherry_pick_deadline, Some(d("2026-12-04")));
    // The line in development gets its first patch the month after it ships.
    assert_eq!(versions(&plan, "1.13")[0].0, "1.13.1");
}

#[test]
fn an_out_of_band_patch_takes_the_next_number_and_later_ones_renumber() {
    let mut releases = history();
    releases.push(planned_patch("1.12", "2026-12-08"));
    let before = plan_of(releases.clone(), "2026-11-26");
    assert_eq!(versions(&before, "1.12")[0].0, "1.12.1");
    releases.push(out_of_band("1.12", 1, "2026-11-30"));
    let after = plan_of(releases, "2026-11-26");
    let v = versions(&after, "1.12");
    assert_eq!((v[0].0.as_str(), v[0].1.as_str()), ("1.12.1", "2026-11-30"), "the out-of-band patch");
    assert_eq!((v[1].0.as_str(), v[1].1.as_str()), ("1.12.2", "2026-12-08"), "December's slot renumbered");
    assert!(after.line(l("1.12")).unwrap().patches[1].slot == Slot::patch_of(l("1.12"), d("2026-12-08")), "same slot");
}

#[test]
fn a_cancelled_or_skipped_slot_frees_its_number() {
    let mut releases = history();
    releases.push(with_status(planned_patch("1.12", "2026-12-08"), ReleaseStatus::Cancelled));
    let plan = plan_of(releases, "2026-11-26");
    let v = versions(&plan, "1.12");
    assert_eq!((v[0].0.as_str(), v[0].2), ("", PlanState::Cancelled));
    assert_eq!((v[1].0.as_str(), v[1].1.as_str()), ("1.12.1", "2027-01-12"), "January takes 1.12.1");
    // On 5 December the deadline (4th) has passed with nothing stored: the slot is skipped.
    let later = plan_of(history(), "2026-12-05");
    let v = versions(&later, "1.12");
    assert_eq!((v[0].0.as_str(), v[0].2), ("", PlanState::Skipped));
    assert_eq!(v[1].0, "1.12.1");
}

#[test]
fn released_versions_stay_and_the_next_ones_follow_them() {
    let mut releases = history();
    // A second patch in November can only have been out of band.
    releases.push(Release { slot: Slot::OutOfBand { line: l("1.11"), n: 1 }, ..released("1.11.2", "2026-11-20") });
    let plan = plan_of(releases, "2026-11-26");
    assert_eq!(
        versions(&plan, "1.11"),
        [
            ("1.11.1".to_owned(), "2026-11-10".to_owned(), PlanState::Released),
            ("1.11.2".to_owned(), "2026-11-20".to_owned(), PlanState::Released),
            ("1.11.3".to_owned(), "2026-12-08".to_owned(), PlanState::Projected),
            ("1.11.4".to_owned(), "2027-01-12".to_owned(), PlanState::Projected),
        ]
    );
}

#[test]
fn a_cancelled_monthly_frees_its_version_for_the_next_month() {
    let mut releases = history();
    releases[9] = with_status(planned_minor("1.13", "2026-12-22"), ReleaseStatus::Cancelled);
    let plan = plan_of(releases, "2026-11-26");
    let next = plan.next_monthly().unwrap();
    assert_eq!((next.version.as_ref().unwrap().to_string(), next.date), ("1.13.0".to_owned(), d("2027-01-26")));
    assert_eq!(plan.cancelled_minors.len(), 1);
    assert_ne!(plan.cancelled_minors[0].slot, next.slot, "two slots, two calendar entries");
}

#[test]
fn a_late_monthly_moves_no_other_month_under_a_fixed_cadence() {
    // 1.13 was planned for 22 December and has not shipped by 10 February.
    let plan = plan_of(history(), "2027-02-10");
    let minors: Vec<(String, String)> = plan
        .lines
        .iter()
        .filter(|l| !l.released())
        .take(3)
        .map(|l| (l.line.to_string(), l.minor.due(plan.today).to_string()))
        .collect();
    assert_eq!(
        minors,
        [
            ("1.13".to_owned(), "2027-02-10".to_owned()),
            ("1.14".to_owned(), "2027-02-23".to_owned()),
            ("1.15".to_owned(), "2027-03-23".to_owned()),
        ]
    );
    let shift = Policy { cadence: Cadence::Shift, ..Policy::default() };
    let shifted = catalog_with(shift, history(), vec![], &[]).plan(d("2027-02-10"), d("2027-06-01"));
    let next = shifted.lines.iter().find(|l| l.line == l_("1.14")).unwrap();
    assert_eq!(next.minor.date, d("2027-03-23"), "shift: one month after the slipped one");
}

#[test]
fn deferral_names_the_first_monthly_whose_branch_cut_is_ahead() {
    // 1.13's branch cut is 8 December: on the 9th a feature goes to 1.14 and fixes also target 1.13.
    let before = plan_of(history(), "2026-12-08");
    assert_eq!(before.open_monthly(14).unwrap().line, l("1.13"));
    assert!(before.branched_line(14).is_none());
    let after = plan_of(history(), "2026-12-09");
    assert_eq!(after.open_monthly(14).unwrap().line, l("1.14"));
    assert_eq!(after.branched_line(14).unwrap().line, l("1.13"));
}

#[test]
fn a_fix_ready_today_goes_to_the_slot_whose_deadline_is_still_ahead() {
    let plan = plan_of(history(), "2026-12-04");
    assert_eq!(plan.line(l("1.12")).unwrap().open_slot(d("2026-12-04")).unwrap().date, d("2026-12-08"));
    let plan = plan_of(history(), "2026-12-05");
    assert_eq!(plan.line(l("1.12")).unwrap().open_slot(d("2026-12-05")).unwrap().date, d("2027-01-12"));
}
