//! The release train's rules (DESIGN §2 rules 2–5): build names, suites, which daily becomes
//! the weekly, which weekly is the monthly candidate, and what may be promoted.

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveDateTime, Utc, Weekday};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The three test suites of the train.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Suite {
    Functional,
    Stability,
    Performance,
}

impl Suite {
    pub const ALL: [Suite; 3] = [Self::Functional, Self::Stability, Self::Performance];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Functional => "functional",
            Self::Stability => "stability",
            Self::Performance => "performance",
        }
    }

    pub fn parse(s: &str) -> Result<Self, AppError> {
        Self::ALL.into_iter().find(|x| x.as_str() == s.trim()).ok_or_else(|| {
            AppError::invalid(
                "suite",
                format!("“{}” is not a suite; use functional, stability or performance", s.trim()),
            )
        })
    }
}

/// A suite's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuiteStatus {
    Pending,
    Passed,
    Failed,
}

impl SuiteStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Passed => "passed",
            Self::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Result<Self, AppError> {
        match s.trim() {
            "pending" => Ok(Self::Pending),
            "passed" | "pass" | "success" => Ok(Self::Passed),
            "failed" | "fail" | "failure" => Ok(Self::Failed),
            other => {
                Err(AppError::invalid("status", format!("“{other}” is not a result; use passed, failed or pending")))
            }
        }
    }
}

/// A daily build's name, `<branch>-<YYYYMMDD>-<HHMM>` (DESIGN §3); the branch may contain dashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildName {
    pub branch: String,
    pub cut_at: DateTime<Utc>,
}

impl BuildName {
    pub fn parse(name: &str) -> Result<Self, AppError> {
        let bad = |why: &str| {
            AppError::invalid("name", format!("“{name}” is not a build name like main-20261126-0200: {why}"))
        };
        if name.len() > 120 {
            return Err(bad("too long"));
        }
        let mut parts = name.rsplitn(3, '-');
        let (time, date, branch) = (parts.next(), parts.next(), parts.next());
        let (Some(time), Some(date), Some(branch)) = (time, date, branch) else {
            return Err(bad("expected a branch, a date and a time"));
        };
        if branch.is_empty() || !branch.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
        {
            return Err(bad("the branch may hold letters, digits, dots, dashes, slashes and underscores"));
        }
        if date.len() != 8 || time.len() != 4 {
            return Err(bad("the date is YYYYMMDD and the time HHMM"));
        }
        let cut = NaiveDateTime::parse_from_str(&format!("{date}{time}"), "%Y%m%d%H%M")
            .map_err(|_| bad("the date or time does not exist"))?;
        Ok(Self { branch: branch.to_owned(), cut_at: cut.and_utc() })
    }

    pub fn format(branch: &str, cut_at: DateTime<Utc>) -> String {
        format!("{branch}-{}", cut_at.format("%Y%m%d-%H%M"))
    }
}

/// A commit SHA: 7 to 40 hex digits, stored lowercase.
pub fn parse_commit(sha: &str) -> Result<String, AppError> {
    let sha = sha.trim().to_ascii_lowercase();
    if (7..=40).contains(&sha.len()) && sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(sha)
    } else {
        Err(AppError::invalid("commit", "a commit SHA is 7 to 40 hexadecimal digits"))
    }
}

/// A build with its suites, as the rules read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildFacts {
    pub name: String,
    pub commit: String,
    pub cut_at: DateTime<Utc>,
    pub functional: Option<SuiteStatus>,
    pub stability: Option<SuiteStatus>,
    pub performance: Option<SuiteStatus>,
    pub weekly: bool,
    pub promoted_to: Option<String>,
}

impl BuildFacts {
    pub fn result(&self, suite: Suite) -> Option<SuiteStatus> {
        match suite {
            Suite::Functional => self.functional,
            Suite::Stability => self.stability,
            Suite::Performance => self.performance,
        }
    }

    /// Rule 4: a weekly that passed all three suites.
    pub fn fully_qualified(&self) -> bool {
        self.weekly && Suite::ALL.into_iter().all(|s| self.result(s) == Some(SuiteStatus::Passed))
    }

    /// Why this build may not be promoted, if it may not (rule 4).
    pub fn promotion_refusal(&self) -> Option<String> {
        if self.promoted_to.is_some() {
            return Some(format!("{} was promoted already", self.name));
        }
        if !self.weekly {
            return Some(format!(
                "{} is a daily build: only a weekly build that passed functional, stability and performance tests may be promoted",
                self.name
            ));
        }
        let failed: Vec<&str> = Suite::ALL
            .into_iter()
            .filter(|s| self.result(*s) == Some(SuiteStatus::Failed))
            .map(Suite::as_str)
            .collect();
        if !failed.is_empty() {
            return Some(format!("{} failed {} tests", self.name, failed.join(" and ")));
        }
        let missing: Vec<&str> = Suite::ALL
            .into_iter()
            .filter(|s| self.result(*s) != Some(SuiteStatus::Passed))
            .map(Suite::as_str)
            .collect();
        if !missing.is_empty() {
            return Some(format!("{} has no passing {} result yet", self.name, missing.join(" or ")));
        }
        None
    }
}

/// The moment of a week's qualification: its weekday, at the daily cut hour.
pub fn weekly_point(week_monday: NaiveDate, weekday: Weekday, cut_hour: u32) -> DateTime<Utc> {
    let day = week_monday + Days::new(u64::from(weekday.num_days_from_monday()));
    day.and_hms_opt(cut_hour, 0, 0).expect("valid hour").and_utc()
}

pub fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Days::new(u64::from(day.weekday().num_days_from_monday()))
}

/// Rule 3: the newest daily cut at or before the weekly point (and within the seven days
/// before it) that passed its functional tests.
pub fn select_weekly(builds: &[BuildFacts], point: DateTime<Utc>) -> Option<&BuildFacts> {
    builds
        .iter()
        .filter(|b| b.cut_at <= point && b.cut_at > point - chrono::Duration::days(7))
        .filter(|b| b.functional == Some(SuiteStatus::Passed))
        .max_by_key(|b| b.cut_at)
}

/// Rule 5: the candidate for a monthly release is the newest fully qualified weekly cut
/// before the release day that nothing was promoted from yet.
pub fn propose_candidate(builds: &[BuildFacts], release_day: NaiveDate) -> Option<&BuildFacts> {
    builds
        .iter()
        .filter(|b| b.fully_qualified() && b.promoted_to.is_none() && b.cut_at.date_naive() < release_day)
        .max_by_key(|b| b.cut_at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn build(name: &str, functional: Option<SuiteStatus>) -> BuildFacts {
        BuildFacts {
            name: name.into(),
            commit: "abcdef1".into(),
            cut_at: BuildName::parse(name).unwrap().cut_at,
            functional,
            stability: None,
            performance: None,
            weekly: false,
            promoted_to: None,
        }
    }

    #[test]
    fn build_names_parse_from_the_right_so_branches_may_have_dashes() {
        let n = BuildName::parse("release-1.12-20261126-0200").unwrap();
        assert_eq!(n.branch, "release-1.12");
        assert_eq!(n.cut_at, at("2026-11-26T02:00:00Z"));
        assert_eq!(BuildName::format("main", n.cut_at), "main-20261126-0200");
        for bad in [
            "main",
            "main-2026-11-26",
            "main-20261326-0200",
            "main-20261126-2500",
            "-20261126-0200",
            "ma in-20261126-0200",
        ] {
            let e = BuildName::parse(bad).unwrap_err();
            assert_eq!(e.field(), Some("name"), "{bad}");
        }
    }

    #[test]
    fn commits_and_suites_parse_strictly() {
        assert_eq!(parse_commit("ABCDEF1").unwrap(), "abcdef1");
        assert!(parse_commit("xyz").is_err());
        assert_eq!(Suite::parse("stability").unwrap(), Suite::Stability);
        assert_eq!(Suite::parse("smoke").unwrap_err().field(), Some("suite"));
        assert_eq!(SuiteStatus::parse("success").unwrap(), SuiteStatus::Passed);
    }

    #[test]
    fn the_weekly_is_the_newest_daily_that_passed_functional_tests() {
        let builds = vec![
            build("main-20261123-0200", Some(SuiteStatus::Passed)),
            build("main-20261124-0200", Some(SuiteStatus::Passed)),
            build("main-20261125-0200", Some(SuiteStatus::Failed)),
            build("main-20261126-0200", Some(SuiteStatus::Passed)),
        ];
        // Wednesday 25 Nov at 02:00: the 25th failed, so the 24th is chosen; the 26th is later.
        let point = weekly_point(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(), Weekday::Wed, 2);
        assert_eq!(select_weekly(&builds, point).unwrap().name, "main-20261124-0200");
        // Nothing passed in the week: no weekly.
        let failing = vec![build("main-20261125-0200", Some(SuiteStatus::Failed))];
        assert!(select_weekly(&failing, point).is_none());
    }

    #[test]
    fn only_a_fully_qualified_weekly_may_be_promoted() {
        let mut b = build("main-20261118-0200", Some(SuiteStatus::Passed));
        assert!(b.promotion_refusal().unwrap().contains("daily build"));
        b.weekly = true;
        b.stability = Some(SuiteStatus::Passed);
        assert!(b.promotion_refusal().unwrap().contains("no passing performance result"));
        b.performance = Some(SuiteStatus::Failed);
        assert!(b.promotion_refusal().unwrap().contains("failed performance"));
        b.performance = Some(SuiteStatus::Passed);
        assert_eq!(b.promotion_refusal(), None);
        assert!(b.fully_qualified());
        b.promoted_to = Some("1.13.0".into());
        assert!(b.promotion_refusal().unwrap().contains("promoted already"));
    }

    #[test]
    fn the_candidate_is_the_newest_qualified_weekly_before_the_release() {
        let qualified = |name: &str| BuildFacts {
            weekly: true,
            stability: Some(SuiteStatus::Passed),
            performance: Some(SuiteStatus::Passed),
            ..build(name, Some(SuiteStatus::Passed))
        };
        let mut failing = qualified("main-20261216-0200");
        failing.stability = Some(SuiteStatus::Failed);
        let builds = vec![qualified("main-20261202-0200"), qualified("main-20261209-0200"), failing];
        let day = NaiveDate::from_ymd_opt(2026, 12, 22).unwrap();
        assert_eq!(propose_candidate(&builds, day).unwrap().name, "main-20261209-0200");
        assert!(propose_candidate(&builds, NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()).is_none());
    }
}
