//! The schedule engine: projects the train's dates from the policy (DESIGN §2 rules 2, 3, 10).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{calendar_rules::months_after, policy::Policy};

/// A monthly patch slot: cherry-picks merged by the deadline ship on the target date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatchSlot {
    pub cherry_pick_deadline: NaiveDate,
    pub target: NaiveDate,
}

impl Policy {
    /// The patch slot of `date`'s month.
    pub fn patch_slot_in_month_of(&self, date: NaiveDate) -> PatchSlot {
        PatchSlot {
            cherry_pick_deadline: self.patch_deadline.in_month(date.year(), date.month()),
            target: self.patch_target.in_month(date.year(), date.month()),
        }
    }

    /// The first slot a fix ready on `day` can still make (its deadline is `day` or later).
    pub fn next_patch_slot(&self, day: NaiveDate) -> PatchSlot {
        (0..2)
            .map(|m| self.patch_slot_in_month_of(months_after(day, m)))
            .find(|slot| slot.cherry_pick_deadline >= day)
            .expect("next month's deadline is always after today")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_slot_is_open_until_its_deadline_day() {
        let policy = Policy::default();
        // December 2026: 1st Friday is the 4th, 2nd Tuesday the 8th.
        let dec = PatchSlot { cherry_pick_deadline: d("2026-12-04"), target: d("2026-12-08") };
        assert_eq!(policy.next_patch_slot(d("2026-11-26")), dec);
        assert_eq!(policy.next_patch_slot(d("2026-12-04")), dec);
        // A day late moves to January 2027: Friday the 1st and Tuesday the 12th.
        let jan = PatchSlot { cherry_pick_deadline: d("2027-01-01"), target: d("2027-01-12") };
        assert_eq!(policy.next_patch_slot(d("2026-12-05")), jan);
    }
}
