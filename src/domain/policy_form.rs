//! The admin's policy form: every field a string as typed, parsed into a checked [`Policy`].

use serde::{Deserialize, Serialize};

use super::{
    calendar_rules::MonthlyDay,
    errors::FieldError,
    policy::{Cadence, Policy, PolicyError},
    train::Suite,
};

/// The policy form as submitted: every field a string, parsed on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyForm {
    pub minor_release: String,
    pub patch_deadline: String,
    pub patch_target: String,
    pub weekly_qualification: String,
    pub daily_cut_hour: String,
    pub branch_cut_days: String,
    pub code_freeze_days: String,
    pub support_weeks: String,
    pub support_successor: String,
    /// The fields below were added later: left out, they keep the defaults.
    #[serde(default)]
    pub main_branch: String,
    #[serde(default)]
    pub release_branch: String,
    /// Comma-separated suites, like `functional,stability`.
    #[serde(default)]
    pub patch_suites: String,
    /// `fixed` or `shift`.
    #[serde(default)]
    pub cadence: String,
}

impl PolicyForm {
    /// Parses and checks every field, naming the one that is wrong.
    pub fn parse(&self) -> Result<Policy, FieldError> {
        let day = |field: &str, v: &str| v.parse::<MonthlyDay>().map_err(|e| FieldError::new(field, e.to_string()));
        let number = |field: &str, v: &str, max: u32| {
            v.trim()
                .parse::<u32>()
                .ok()
                .filter(|n| *n <= max)
                .ok_or_else(|| FieldError::new(field, format!("a whole number from 0 to {max}")))
        };
        let defaults = Policy::default();
        let or_default = |typed: &str, default: String| match typed.trim() {
            "" => default,
            t => t.to_owned(),
        };
        let policy = Policy {
            minor_release: day("minor_release", &self.minor_release)?,
            patch_deadline: day("patch_deadline", &self.patch_deadline)?,
            patch_target: day("patch_target", &self.patch_target)?,
            weekly_qualification: self
                .weekly_qualification
                .trim()
                .parse()
                .map_err(|_| FieldError::new("weekly_qualification", "a weekday like Wednesday"))?,
            daily_cut_hour: number("daily_cut_hour", &self.daily_cut_hour, 23)?,
            branch_cut_days: number("branch_cut_days", &self.branch_cut_days, 27)?,
            code_freeze_days: number("code_freeze_days", &self.code_freeze_days, 27)?,
            support_weeks: number("support_weeks", &self.support_weeks, 104)?,
            support_successor: number("support_successor", &self.support_successor, 12)?,
            main_branch: or_default(&self.main_branch, defaults.main_branch),
            release_branch: or_default(&self.release_branch, defaults.release_branch),
            patch_suites: match self.patch_suites.trim() {
                "" => defaults.patch_suites,
                list => list
                    .split(',')
                    .map(|s| Suite::parse(s).map_err(|e| FieldError::new("patch_suites", e.message)))
                    .collect::<Result<_, _>>()?,
            },
            cadence: match self.cadence.trim() {
                "" => defaults.cadence,
                c => Cadence::parse(c).ok_or_else(|| FieldError::new("cadence", "choose fixed or shift"))?,
            },
        };
        policy.validate().map_err(|e| {
            let field = match e {
                PolicyError::CutHour => "daily_cut_hour",
                PolicyError::FreezeBeforeCut => "code_freeze_days",
                PolicyError::CutTooEarly => "branch_cut_days",
                PolicyError::NoSupport => "support_weeks",
                PolicyError::NoSuccessor => "support_successor",
                PolicyError::DeadlineAfterTarget => "patch_deadline",
                PolicyError::BranchName => "release_branch",
                PolicyError::NoLineInPattern => "release_branch",
                PolicyError::NoPatchSuite => "patch_suites",
            };
            FieldError::new(field, e.to_string())
        })?;
        Ok(policy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> PolicyForm {
        PolicyForm {
            minor_release: "4th Tuesday".into(),
            patch_deadline: "1st Friday".into(),
            patch_target: "2nd Tuesday".into(),
            weekly_qualification: "Wednesday".into(),
            daily_cut_hour: "2".into(),
            branch_cut_days: "14".into(),
            code_freeze_days: "7".into(),
            support_weeks: "6".into(),
            support_successor: "2".into(),
            main_branch: String::new(),
            release_branch: String::new(),
            patch_suites: String::new(),
            cadence: String::new(),
        }
    }

    #[test]
    fn the_default_form_parses_to_the_default_policy() {
        assert_eq!(form().parse(), Ok(Policy::default()));
    }

    #[test]
    fn each_bad_field_is_named() {
        let bad = PolicyForm { minor_release: "5th Monday".into(), ..form() };
        assert_eq!(bad.parse().unwrap_err().field, "minor_release");
        let bad = PolicyForm { daily_cut_hour: "24".into(), ..form() };
        assert_eq!(bad.parse().unwrap_err().field, "daily_cut_hour");
        let bad = PolicyForm { code_freeze_days: "20".into(), ..form() };
        assert_eq!(bad.parse().unwrap_err().field, "code_freeze_days");
        let bad = PolicyForm { patch_suites: "functional,smoke".into(), ..form() };
        assert_eq!(bad.parse().unwrap_err().field, "patch_suites");
        let bad = PolicyForm { release_branch: "release".into(), ..form() };
        assert_eq!(bad.parse().unwrap_err().field, "release_branch");
        let shift = PolicyForm { cadence: "shift".into(), patch_suites: "functional, stability".into(), ..form() };
        let policy = shift.parse().unwrap();
        assert_eq!((policy.cadence, policy.patch_suites.len()), (Cadence::Shift, 2));
    }
}
