//! The train's policy (cadence and support) and what it says about each release line: its
//! status, its end of life, and its patch slots.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

mod support;

pub use support::{Certainty, EndOfLife, EolOverride, LineFacts, LineStatus, LineSupport, Precision, assess_lines};

use super::calendar_rules::{MonthlyDay, Nth, months_after};

/// Cadence and support settings; stored in the `policy` table, edited on `/admin`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// The day each month's minor release ships.
    pub minor_release: MonthlyDay,
    /// Patch slots: cherry-picks must be merged by this day…
    pub patch_deadline: MonthlyDay,
    /// …and the patch release ships on this one.
    pub patch_target: MonthlyDay,
    /// The weekday on which the newest passing daily becomes the weekly build.
    #[serde(with = "super::calendar_rules::weekday_name")]
    pub weekly_qualification: Weekday,
    /// Hour (UTC) at which the daily build is cut.
    pub daily_cut_hour: u32,
    /// Days before a minor release that its branch is cut.
    pub branch_cut_days: u32,
    /// Days before a minor release that its code freezes.
    pub code_freeze_days: u32,
    /// A line is supported until this many weeks after…
    pub support_weeks: u32,
    /// …the minor this many lines later ships (N+2).
    pub support_successor: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            minor_release: MonthlyDay::new(Nth::Fourth, Weekday::Tue),
            patch_deadline: MonthlyDay::new(Nth::First, Weekday::Fri),
            patch_target: MonthlyDay::new(Nth::Second, Weekday::Tue),
            weekly_qualification: Weekday::Wed,
            daily_cut_hour: 2,
            branch_cut_days: 14,
            code_freeze_days: 7,
            support_weeks: 6,
            support_successor: 2,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("the daily cut hour must be between 0 and 23")]
    CutHour,
    #[error("code freeze must come after the branch cut (fewer days before the release)")]
    FreezeBeforeCut,
    #[error("the branch cut must be at most 27 days before the release, so it falls after the previous one")]
    CutTooEarly,
    #[error("support must last at least one week after its successor ships")]
    NoSupport,
    #[error("a line must be supported at least until the next minor ships (successor ≥ 1)")]
    NoSuccessor,
    #[error("the cherry-pick deadline must fall before the patch release in the same month")]
    DeadlineAfterTarget,
}

impl Policy {
    /// Checks the settings against each other; the admin form shows the message.
    pub fn validate(&self) -> Result<(), PolicyError> {
        if self.daily_cut_hour > 23 {
            return Err(PolicyError::CutHour);
        }
        if self.code_freeze_days > self.branch_cut_days {
            return Err(PolicyError::FreezeBeforeCut);
        }
        if self.branch_cut_days > 27 {
            return Err(PolicyError::CutTooEarly);
        }
        if self.support_weeks == 0 {
            return Err(PolicyError::NoSupport);
        }
        if self.support_successor == 0 {
            return Err(PolicyError::NoSuccessor);
        }
        // Checked over a whole leap cycle of months so no calendar quirk slips through.
        let deadline_first = (0..48).all(|m| {
            let month = months_after(NaiveDate::from_ymd_opt(2024, 1, 1).expect("date"), m);
            self.patch_deadline.in_month(month.year(), month.month())
                < self.patch_target.in_month(month.year(), month.month())
        });
        if !deadline_first {
            return Err(PolicyError::DeadlineAfterTarget);
        }
        Ok(())
    }

    /// The minor release date in `date`'s month.
    pub fn minor_date_in_month_of(&self, date: NaiveDate) -> NaiveDate {
        self.minor_release.in_month(date.year(), date.month())
    }

    /// End of life for a line whose deciding successor ships on `successor_ships`.
    pub fn eol_after(&self, successor_ships: NaiveDate) -> NaiveDate {
        successor_ships + Days::new(7 * u64::from(self.support_weeks))
    }
}

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
    fn policies_that_contradict_themselves_are_refused() {
        assert_eq!(Policy::default().validate(), Ok(()));
        let freeze = Policy { code_freeze_days: 20, ..Policy::default() };
        assert_eq!(freeze.validate(), Err(PolicyError::FreezeBeforeCut));
        let slots = Policy { patch_deadline: MonthlyDay::new(Nth::Third, Weekday::Fri), ..Policy::default() };
        assert_eq!(slots.validate(), Err(PolicyError::DeadlineAfterTarget));
    }

    #[test]
    fn a_slot_is_open_until_its_deadline_day() {
        let policy = Policy::default();
        let dec = PatchSlot { cherry_pick_deadline: d("2026-12-04"), target: d("2026-12-08") };
        assert_eq!(policy.next_patch_slot(d("2026-11-26")), dec);
        assert_eq!(policy.next_patch_slot(d("2026-12-04")), dec);
        let jan = PatchSlot { cherry_pick_deadline: d("2027-01-01"), target: d("2027-01-12") };
        assert_eq!(policy.next_patch_slot(d("2026-12-05")), jan);
    }
}
