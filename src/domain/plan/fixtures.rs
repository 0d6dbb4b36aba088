//! Catalogs for the plan's and the calendar's tests, stated release by release.

use chrono::NaiveDate;

use crate::domain::{
    catalog::{Catalog, Line, Release, ReleaseKind, ReleaseStatus, Slot},
    policy::{EolOverride, Policy},
    schedule::Blackout,
    version::{LineId, Version},
};

pub fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub fn v(s: &str) -> Version {
    Version::parse(s).unwrap()
}

pub fn l(s: &str) -> LineId {
    s.parse().unwrap()
}

/// A release of `version` that shipped on `on`, in its month's slot.
pub fn released(version: &str, on: &str) -> Release {
    let version = v(version);
    let kind = ReleaseKind::of(&version);
    let slot = match kind {
        ReleaseKind::Minor => Slot::minor_of(d(on)),
        ReleaseKind::Patch => Slot::patch_of(version.line(), d(on)),
    };
    Release {
        id: 0,
        line: version.line(),
        kind,
        slot,
        version: Some(version),
        status: ReleaseStatus::Released,
        planned_date: d(on),
        cherry_pick_deadline: None,
        actual_date: Some(d(on)),
        source_build: None,
        source_commit: None,
        notes: String::new(),
        github_url: None,
        date_note: None,
        revision: 0,
        updated_at: "2026-11-01T00:00:00Z".parse().unwrap(),
    }
}

/// A planned monthly opening `line` on `on` (its cadence month is that of `on`).
pub fn planned_minor(line: &str, on: &str) -> Release {
    Release { version: None, status: ReleaseStatus::Planned, actual_date: None, ..released(&format!("{line}.0"), on) }
}

/// A planned patch of `line` in the slot of `on`'s month, on `on`.
pub fn planned_patch(line: &str, on: &str) -> Release {
    Release {
        version: None,
        status: ReleaseStatus::Planned,
        actual_date: None,
        cherry_pick_deadline: Some(Policy::default().patch_slot_in_month_of(d(on)).cherry_pick_deadline),
        ..released(&format!("{line}.99"), on)
    }
}

/// A planned out-of-band patch of `line` on `on`.
pub fn out_of_band(line: &str, n: u32, on: &str) -> Release {
    Release { slot: Slot::OutOfBand { line: l(line), n }, cherry_pick_deadline: None, ..planned_patch(line, on) }
}

pub fn with_status(mut r: Release, status: ReleaseStatus) -> Release {
    r.status = status;
    r
}

/// 1.8–1.12 shipped on the 4th Tuesdays of Jul–Nov 2026, each with a patch on the next
/// month's 2nd Tuesday; 1.13 planned for 22 December.
pub fn history() -> Vec<Release> {
    vec![
        released("1.8.0", "2026-07-28"),
        released("1.9.0", "2026-08-25"),
        released("1.8.1", "2026-08-11"),
        released("1.9.1", "2026-09-08"),
        released("1.10.0", "2026-09-22"),
        released("1.10.1", "2026-10-13"),
        released("1.11.0", "2026-10-27"),
        released("1.11.1", "2026-11-10"),
        released("1.12.0", "2026-11-24"),
        planned_minor("1.13", "2026-12-22"),
    ]
}

/// A catalog of `releases` (ids given in order) under `policy`.
pub fn catalog_with(
    policy: Policy,
    releases: Vec<Release>,
    blackouts: Vec<Blackout>,
    overrides: &[(&str, &str, &str)],
) -> Catalog {
    let releases: Vec<Release> =
        releases.into_iter().enumerate().map(|(i, r)| Release { id: i as i64 + 1, ..r }).collect();
    let mut lines: Vec<LineId> = releases.iter().map(|r| r.line).collect();
    lines.sort();
    lines.dedup();
    let lines = lines
        .into_iter()
        .map(|id| Line {
            id,
            eol_override: overrides
                .iter()
                .find(|(line, ..)| l(line) == id)
                .map(|(_, date, note)| EolOverride { date: d(date), note: (*note).into() }),
            compatibility_notes: String::new(),
        })
        .collect();
    Catalog::new(policy, lines, releases, blackouts)
}

pub fn catalog(releases: Vec<Release>) -> Catalog {
    catalog_with(Policy::default(), releases, Vec::new(), &[])
}
