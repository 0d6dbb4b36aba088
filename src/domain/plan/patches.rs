//! A line's patch releases: the stored ones, one projected in every month's slot no stored
//! release fills while the line is supported, and the numbering that follows time.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};

use super::{PlanState, Scheduled};
use crate::domain::{
    calendar_rules::{first_of_month, months_after},
    catalog::{Catalog, ReleaseKind, Slot},
    policy::EndOfLife,
    schedule::{deadline_day, release_day},
    version::Version,
};

/// What a projected slot whose deadline passed with nothing stored says.
pub const NOTHING_MERGED: &str = "skipped: nothing was merged by its cherry-pick deadline";

/// The patches of `minor`'s line up to `horizon`, numbered, in date order.
pub fn schedule(
    catalog: &Catalog,
    minor: &Scheduled,
    eol: &EndOfLife,
    today: NaiveDate,
    horizon: NaiveDate,
) -> Vec<Scheduled> {
    let line = minor.line;
    let mut patches: Vec<Scheduled> = catalog
        .releases_of(line)
        .filter(|r| r.kind == ReleaseKind::Patch)
        .map(|r| Scheduled::stored(r, today))
        .collect();
    let taken: BTreeSet<(i32, u32)> = patches
        .iter()
        .filter_map(|p| match p.slot {
            Slot::Patch { year, month, .. } => Some((year, month)),
            _ => None,
        })
        .collect();
    let policy = &catalog.policy;
    let opens = minor.due(today);
    let mut month = first_of_month(today.max(opens));
    while month <= horizon {
        let slot = policy.patch_slot_in_month_of(month);
        let (deadline, deadline_note) = deadline_day(&catalog.blackouts, slot.cherry_pick_deadline);
        let (target, target_note) = release_day(&catalog.blackouts, slot.target);
        if target >= eol.date {
            break;
        }
        if target >= today && opens < deadline && !taken.contains(&(month.year(), month.month())) {
            let skipped = deadline < today;
            patches.push(Scheduled {
                slot: Slot::patch_of(line, month),
                release: None,
                line,
                kind: ReleaseKind::Patch,
                version: None,
                state: if skipped { PlanState::Skipped } else { PlanState::Projected },
                date: target,
                late: false,
                cherry_pick_deadline: Some(deadline),
                note: if skipped { Some(NOTHING_MERGED.into()) } else { target_note.or(deadline_note) },
                revision: 0,
            });
        }
        month = months_after(month, 1);
    }
    number(&mut patches, line, today);
    patches.sort_by_key(|a| (a.date, a.slot));
    patches
}

/// Released and publishing patches keep their versions; every other live one is numbered after
/// the highest of them, in the order it can ship. Cancelled and skipped slots take no number.
fn number(patches: &mut [Scheduled], line: crate::domain::version::LineId, today: NaiveDate) {
    let fixed = |p: &Scheduled| matches!(p.state, PlanState::Released | PlanState::Publishing);
    let highest = patches
        .iter()
        .filter(|p| fixed(p))
        .filter_map(|p| p.version.as_ref())
        .filter(|v| v.line() == line && !v.is_prerelease())
        .map(Version::patch)
        .max()
        .unwrap_or(0);
    let mut open: Vec<&mut Scheduled> = patches.iter_mut().filter(|p| !fixed(p)).collect();
    open.sort_by_key(|p| (p.due(today), p.slot));
    let mut next = highest;
    for p in open {
        if p.state.is_dropped() {
            p.version = None;
        } else {
            next += 1;
            p.version = Some(Version::new(line.major(), line.minor(), next));
        }
    }
}
