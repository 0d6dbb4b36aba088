//! The one end-of-life engine: a line is supported until `support_weeks` after the minor
//! `support_successor` lines later ships. Until that successor ships the date is *expected*
//! (from its planned day, never earlier than today; only to the month when it is projected);
//! once it ships the date is *confirmed*. A manager's override wins.

use chrono::NaiveDate;

use super::{PlanState, Scheduled};
use crate::domain::{
    calendar_rules::months_after,
    catalog::Catalog,
    policy::{Certainty, EndOfLife, LineStatus, Precision},
};

/// The end of life of each of `minors` (in line order).
pub fn ends_of_life(catalog: &Catalog, minors: &[Scheduled], today: NaiveDate) -> Vec<EndOfLife> {
    let policy = &catalog.policy;
    let successor = policy.support_successor as usize;
    minors
        .iter()
        .enumerate()
        .map(|(i, minor)| {
            if let Some(o) = catalog.line(minor.line).and_then(|l| l.eol_override.clone()) {
                return EndOfLife {
                    date: o.date,
                    certainty: Certainty::Confirmed,
                    precision: Precision::Day,
                    override_note: Some(o.note),
                };
            }
            let (ships, certainty, precision) = match minors.get(i + successor) {
                Some(next) if next.state == PlanState::Released => (next.date, Certainty::Confirmed, Precision::Day),
                Some(next) if next.release.is_some() => (next.due(today), Certainty::Expected, Precision::Day),
                Some(next) => (next.due(today), Certainty::Expected, Precision::Month),
                None => {
                    // Past the projections: count months on from the newest one.
                    let newest = minors.last().expect("this minor is in the list");
                    let extra = (i + successor + 1 - minors.len()) as u32;
                    let month = months_after(newest.due(today), extra);
                    (policy.minor_date_in_month_of(month), Certainty::Expected, Precision::Month)
                }
            };
            EndOfLife { date: policy.eol_after(ships), certainty, precision, override_note: None }
        })
        .collect()
}

/// Each line's status on `today`: the first unreleased line is in development, later ones
/// planned; a released line has ended once its confirmed end of life has come, else the newest
/// is current and the others supported.
pub fn statuses(minors: &[Scheduled], ends: &[EndOfLife], today: NaiveDate) -> Vec<LineStatus> {
    let released = |m: &Scheduled| m.state == PlanState::Released;
    let newest_released = minors.iter().rposition(released);
    let first_unreleased = minors.iter().position(|m| !released(m));
    minors
        .iter()
        .zip(ends)
        .enumerate()
        .map(|(i, (minor, eol))| {
            if !released(minor) {
                if Some(i) == first_unreleased { LineStatus::InDevelopment } else { LineStatus::Planned }
            } else if eol.certainty == Certainty::Confirmed && eol.date <= today {
                LineStatus::EndOfLife
            } else if Some(i) == newest_released {
                LineStatus::Current
            } else {
                LineStatus::Supported
            }
        })
        .collect()
}
