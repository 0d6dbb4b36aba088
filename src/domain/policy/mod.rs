//! The train's policy (cadence and support) and what it says about each release line: its
//! status, its end of life, and its patch slots.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

mod support;

pub use support::{Certainty, EndOfLife, EolOverride, LineStatus, LineSupport, Precision};

use super::{
    calendar_rules::{MonthlyDay, Nth, months_after},
    train::Suite,
    version::LineId,
};

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
    /// The branch daily and weekly builds are cut from.
    pub main_branch: String,
    /// Each line's release branch, `{line}` standing for `X.Y`.
    pub release_branch: String,
    /// The suites a release-branch build must pass to be a patch candidate.
    pub patch_suites: Vec<Suite>,
    /// When a monthly slips, whether later monthlies keep their days or move with it.
    pub cadence: Cadence,
}

/// What a slipped monthly does to the ones after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    /// Later monthlies keep their days: a month never loses its release.
    Fixed,
    /// Later monthlies move one month after the slipped one.
    Shift,
}

impl Cadence {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fixed => "fixed",
            Self::Shift => "shift",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Fixed, Self::Shift].into_iter().find(|c| c.as_str() == s.trim())
    }
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
            main_branch: "main".into(),
            release_branch: "release-{line}".into(),
            patch_suites: vec![Suite::Functional],
            cadence: Cadence::Fixed,
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
    #[error("a branch name holds letters, digits, dots, dashes, slashes and underscores")]
    BranchName,
    #[error("the release branch pattern must contain {{line}}, where the line's X.Y goes")]
    NoLineInPattern,
    #[error("name at least one suite a patch build must pass")]
    NoPatchSuite,
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
        let branch_like = |b: &str| {
            !b.is_empty()
                && b.len() <= 100
                && b.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | '{' | '}'))
        };
        if !branch_like(&self.main_branch)
            || self.main_branch.contains(['{', '}'])
            || !branch_like(&self.release_branch)
        {
            return Err(PolicyError::BranchName);
        }
        if self.release_branch.matches("{line}").count() != 1
            || self.release_branch.replace("{line}", "").contains(['{', '}'])
        {
            return Err(PolicyError::NoLineInPattern);
        }
        if self.patch_suites.is_empty() {
            return Err(PolicyError::NoPatchSuite);
        }
        Ok(())
    }

    /// The release branch of a line: `release-1.12`.
    pub fn release_branch_of(&self, line: LineId) -> String {
        self.release_branch.replace("{line}", &line.to_string())
    }

    /// The line whose release branch `branch` is, if it is one.
    pub fn line_of_branch(&self, branch: &str) -> Option<LineId> {
        let (before, after) = self.release_branch.split_once("{line}")?;
        branch.strip_prefix(before)?.strip_suffix(after)?.parse().ok()
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
    fn release_branches_follow_the_pattern_both_ways() {
        let policy = Policy::default();
        let line = LineId::new(1, 12);
        assert_eq!(policy.release_branch_of(line), "release-1.12");
        assert_eq!(policy.line_of_branch("release-1.12"), Some(line));
        assert_eq!(policy.line_of_branch("main"), None);
        assert_eq!(policy.line_of_branch("release-banana"), None);
        let custom = Policy { release_branch: "releases/v{line}.x".into(), ..Policy::default() };
        assert_eq!(custom.line_of_branch("releases/v1.12.x"), Some(line));
        assert_eq!(custom.validate(), Ok(()));
        let bad = Policy { release_branch: "release".into(), ..Policy::default() };
        assert_eq!(bad.validate(), Err(PolicyError::NoLineInPattern));
        let none = Policy { patch_suites: vec![], ..Policy::default() };
        assert_eq!(none.validate(), Err(PolicyError::NoPatchSuite));
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
