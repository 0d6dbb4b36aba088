//! The monthly releases: the stored ones (released, live or cancelled) in their cadence months,
//! then one projected per month on the policy's cadence.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate};

use super::{PlanState, Scheduled};
use crate::domain::{
    calendar_rules::{first_of_month, months_after},
    catalog::{Catalog, ReleaseKind, Slot},
    policy::Cadence,
    schedule::release_day,
    version::LineId,
};

/// The plan's monthlies: every line's `X.Y.0` in line order, and the cancelled ones apart.
pub struct Minors {
    pub live: Vec<Scheduled>,
    pub cancelled: Vec<Scheduled>,
}

/// Stored minors in cadence order, then projections up to `reach`. A cancelled monthly frees
/// its version: the next one takes it. Under a fixed cadence a late monthly moves no later
/// month's release (months that pass while it is late add none), though none ships before the
/// one before it.
pub fn schedule(catalog: &Catalog, today: NaiveDate, reach: NaiveDate) -> Minors {
    let policy = &catalog.policy;
    let stored: BTreeMap<Slot, Scheduled> = catalog
        .releases
        .iter()
        .filter(|r| r.kind == ReleaseKind::Minor)
        .map(|r| (r.slot, Scheduled::stored(r, today)))
        .collect();
    let mut live: Vec<Scheduled> = Vec::new();
    let mut cancelled = Vec::new();
    for (_, mut minor) in stored {
        if minor.state.is_dropped() {
            minor.version = None;
            cancelled.push(minor);
            continue;
        }
        minor.version = Some(minor.line.first_release());
        live.push(minor);
    }
    live.sort_by_key(|m| m.line);

    // Projections start after the newest live monthly; a month whose monthly was cancelled
    // stays empty (it freed its version), and the months around it still get theirs.
    let last_month = live.iter().filter_map(|m| m.slot.month()).max();
    let (Some(last_month), Some(last)) = (last_month, live.last().cloned()) else {
        return Minors { live, cancelled };
    };
    let taken: Vec<NaiveDate> = cancelled.iter().filter_map(|m| m.slot.month()).collect();
    let mut line: LineId = last.line;
    let mut previous_due = last.due(today);
    let mut pending = last.state.is_live();
    let mut month = months_after(last_month, 1);
    while month <= reach {
        let next = months_after(month, 1);
        if taken.contains(&month) || (policy.cadence == Cadence::Shift && month <= first_of_month(previous_due)) {
            month = next;
            continue;
        }
        // The first monthly whose day has passed without it shipping is late, not gone: it is
        // the next monthly and ships when it can. Months that pass while it is late add no
        // monthly of their own (the late one carries what they would have).
        let (day, note) = release_day(&catalog.blackouts, policy.minor_date_in_month_of(month));
        if day < today && pending {
            month = next;
            continue;
        }
        let date = day.max(previous_due + Days::new(1));
        line = line.next_minor();
        live.push(Scheduled {
            slot: Slot::Minor { year: month.year(), month: month.month(), n: 0 },
            release: None,
            line,
            kind: ReleaseKind::Minor,
            version: Some(line.first_release()),
            state: PlanState::Projected,
            date,
            late: date < today,
            cherry_pick_deadline: None,
            note,
            revision: 0,
        });
        previous_due = date.max(today);
        pending = true;
        month = next;
    }
    Minors { live, cancelled }
}
