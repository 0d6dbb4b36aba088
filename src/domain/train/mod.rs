//! The release train's rules: suites, which daily becomes the weekly, which weekly is the
//! monthly candidate, what may be promoted, and what needs a person's attention. What CI may
//! report is in [`reports`].

mod reports;

use chrono::{DateTime, Days, Duration, NaiveDate, Utc, Weekday};
pub use reports::{BuildName, NewBuild, ReportedBuild, ReportedResult, parse_commit};
use serde::{Deserialize, Serialize};

use super::{calendar_rules::monday_of, errors::FieldError, version::Version};

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

    pub fn parse(s: &str) -> Result<Self, FieldError> {
        Self::ALL.into_iter().find(|x| x.as_str() == s.trim()).ok_or_else(|| {
            FieldError::new("suite", format!("“{}” is not a suite; use functional, stability or performance", s.trim()))
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

    pub fn parse(s: &str) -> Result<Self, FieldError> {
        match s.trim() {
            "pending" => Ok(Self::Pending),
            "passed" | "pass" | "success" => Ok(Self::Passed),
            "failed" | "fail" | "failure" => Ok(Self::Failed),
            other => {
                Err(FieldError::new("status", format!("“{other}” is not a result; use passed, failed or pending")))
            }
        }
    }
}

/// A suite result with its link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuiteResult {
    pub suite: Suite,
    pub status: SuiteStatus,
    pub link: Option<String>,
    pub reported_at: DateTime<Utc>,
}

/// A build with its results, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Build {
    pub name: String,
    pub branch: String,
    pub commit: String,
    pub cut_at: DateTime<Utc>,
    pub results: Vec<SuiteResult>,
    pub weekly_selected_at: Option<DateTime<Utc>>,
    pub weekly_reason: Option<String>,
    pub promoted_to: Option<String>,
}

impl Build {
    pub fn status(&self, suite: Suite) -> Option<SuiteStatus> {
        self.results.iter().find(|r| r.suite == suite).map(|r| r.status)
    }

    pub fn link(&self, suite: Suite) -> Option<String> {
        self.results.iter().find(|r| r.suite == suite).and_then(|r| r.link.clone())
    }

    pub fn facts(&self) -> BuildFacts {
        BuildFacts {
            name: self.name.clone(),
            branch: self.branch.clone(),
            commit: self.commit.clone(),
            cut_at: self.cut_at,
            functional: self.status(Suite::Functional),
            stability: self.status(Suite::Stability),
            performance: self.status(Suite::Performance),
            weekly: self.weekly_selected_at.is_some(),
            promoted_to: self.promoted_to.clone(),
        }
    }
}

/// Something on the train that needs a person's attention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    pub kind: FlagKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagKind {
    MissingDaily,
    FailedQualification,
    LateQualification,
    NoWeekly,
    /// A patch release due for approval has no candidate build that qualifies.
    NoPatchCandidate,
}

/// The monthly candidate and why; or why there is none and what happens instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    /// The minor the train is heading for.
    pub version: Version,
    pub release_day: NaiveDate,
    pub build: Option<Build>,
    pub reason: String,
    /// When the newest weekly failed: what the train falls back to, and how many days the
    /// monthly release slips (Istio's "code yellow/orange").
    pub escalation: Option<Escalation>,
    /// A release manager approved the monthly already, from `build`.
    pub approved: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Escalation {
    pub failed_build: String,
    pub failed_suites: Vec<Suite>,
    pub fallback: String,
    pub slip_days: i64,
}

/// A weekly waits this long for its stability and performance results before it is late.
pub const QUALIFICATION_DAYS: i64 = 3;

/// A build with its suites, as the rules read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildFacts {
    pub name: String,
    pub branch: String,
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

    /// Why this build may not be promoted, if it may not: only a weekly of `main` that passed
    /// all three suites, cut after the last build promoted (`last_promoted`), may be.
    pub fn promotion_refusal(&self, main: &str, last_promoted: Option<DateTime<Utc>>) -> Option<String> {
        if self.promoted_to.is_some() {
            return Some(format!("{} was promoted already", self.name));
        }
        if self.branch != main {
            return Some(format!("{} is not a build of {main}: monthly releases come from {main}", self.name));
        }
        if let Some(last) = last_promoted.filter(|last| self.cut_at <= *last) {
            return Some(format!(
                "{} was cut before the last promoted build ({}): promoting it would ship older code",
                self.name,
                last.format("%-d %b %H:%M UTC")
            ));
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

/// The newest daily of `main` cut at or before the weekly point (and within the seven days
/// before it) that passed its functional tests.
pub fn select_weekly<'a>(builds: &'a [BuildFacts], point: DateTime<Utc>, main: &str) -> Option<&'a BuildFacts> {
    builds
        .iter()
        .filter(|b| b.branch == main)
        .filter(|b| b.cut_at <= point && b.cut_at > point - chrono::Duration::days(7))
        .filter(|b| b.functional == Some(SuiteStatus::Passed))
        .max_by_key(|b| b.cut_at)
}

/// The candidate for a monthly release: the newest weekly cut before the release day that may
/// be promoted (see [`BuildFacts::promotion_refusal`]).
pub fn propose_candidate<'a>(
    builds: &'a [BuildFacts],
    release_day: NaiveDate,
    main: &str,
    last_promoted: Option<DateTime<Utc>>,
) -> Option<&'a BuildFacts> {
    builds
        .iter()
        .filter(|b| b.cut_at.date_naive() < release_day && b.promotion_refusal(main, last_promoted).is_none())
        .max_by_key(|b| b.cut_at)
}

/// What needs attention: missing dailies, failed, late or impossible qualifications. `builds`
/// are the main branch's.
pub fn flags(builds: &[Build], today: NaiveDate, now: DateTime<Utc>, cut_hour: u32, weekly_day: Weekday) -> Vec<Flag> {
    let mut flags = Vec::new();
    let grace = Duration::hours(3);
    for back in 0..14 {
        let day = today - Days::new(back);
        let due = day.and_hms_opt(cut_hour, 0, 0).expect("hour").and_utc() + grace;
        if due <= now && !builds.iter().any(|b| b.cut_at.date_naive() == day) {
            flags.push(Flag {
                kind: FlagKind::MissingDaily,
                message: format!("No daily build was cut on {}.", day.format("%a %-d %b")),
            });
        }
    }
    for b in builds.iter().filter(|b| b.weekly_selected_at.is_some() && b.promoted_to.is_none()) {
        let failed: Vec<&str> = [Suite::Stability, Suite::Performance]
            .into_iter()
            .filter(|s| b.status(*s) == Some(SuiteStatus::Failed))
            .map(Suite::as_str)
            .collect();
        if !failed.is_empty() {
            flags.push(Flag {
                kind: FlagKind::FailedQualification,
                message: format!("Weekly {} failed {} tests.", b.name, failed.join(" and ")),
            });
            continue;
        }
        let waiting: Vec<&str> = [Suite::Stability, Suite::Performance]
            .into_iter()
            .filter(|s| b.status(*s) != Some(SuiteStatus::Passed))
            .map(Suite::as_str)
            .collect();
        let selected = b.weekly_selected_at.expect("weekly");
        if !waiting.is_empty() && now - selected > Duration::days(QUALIFICATION_DAYS) {
            flags.push(Flag {
                kind: FlagKind::LateQualification,
                message: format!(
                    "Weekly {} has waited {} days for {} results.",
                    b.name,
                    (now - selected).num_days(),
                    waiting.join(" and ")
                ),
            });
        }
    }
    for weeks_back in 0..4 {
        let monday = monday_of(today) - Days::new(7 * weeks_back);
        let point = weekly_point(monday, weekly_day, cut_hour);
        let has = builds.iter().any(|b| {
            b.weekly_selected_at.is_some() && monday_of(b.weekly_selected_at.expect("weekly").date_naive()) == monday
        });
        if point + grace <= now && !has {
            flags.push(Flag {
                kind: FlagKind::NoWeekly,
                message: format!(
                    "No daily build passed functional tests in time for the week of {}: there is no weekly build.",
                    monday.format("%-d %b")
                ),
            });
        }
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(name: &str, functional: Option<SuiteStatus>) -> BuildFacts {
        let parts = BuildName::parse(name).unwrap();
        BuildFacts {
            name: name.into(),
            branch: parts.branch,
            commit: "abcdef1".into(),
            cut_at: parts.cut_at,
            functional,
            stability: None,
            performance: None,
            weekly: false,
            promoted_to: None,
        }
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
        assert_eq!(select_weekly(&builds, point, "main").unwrap().name, "main-20261124-0200");
        // Nothing passed in the week: no weekly.
        let failing = vec![build("main-20261125-0200", Some(SuiteStatus::Failed))];
        assert!(select_weekly(&failing, point, "main").is_none());
    }

    #[test]
    fn a_release_branch_build_is_never_the_weekly() {
        let builds = vec![
            build("main-20261123-0200", Some(SuiteStatus::Passed)),
            build("release-1.12-20261124-0900", Some(SuiteStatus::Passed)),
        ];
        let point = weekly_point(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(), Weekday::Wed, 2);
        assert_eq!(select_weekly(&builds, point, "main").unwrap().name, "main-20261123-0200");
    }

    #[test]
    fn only_a_fully_qualified_weekly_may_be_promoted() {
        let mut b = build("main-20261118-0200", Some(SuiteStatus::Passed));
        let refusal = |b: &BuildFacts| b.promotion_refusal("main", None);
        assert!(refusal(&b).unwrap().contains("daily build"));
        b.weekly = true;
        b.stability = Some(SuiteStatus::Passed);
        assert!(refusal(&b).unwrap().contains("no passing performance result"));
        b.performance = Some(SuiteStatus::Failed);
        assert!(refusal(&b).unwrap().contains("failed performance"));
        b.performance = Some(SuiteStatus::Passed);
        assert_eq!(refusal(&b), None);
        assert!(b.fully_qualified());
        b.promoted_to = Some("1.13.0".into());
        assert!(refusal(&b).unwrap().contains("promoted already"));
    }

    #[test]
    fn a_weekly_older_than_the_last_promoted_build_is_refused() {
        let b = BuildFacts {
            weekly: true,
            stability: Some(SuiteStatus::Passed),
            performance: Some(SuiteStatus::Passed),
            ..build("main-20261118-0200", Some(SuiteStatus::Passed))
        };
        let last = "2026-11-25T02:00:00Z".parse().unwrap();
        assert!(b.promotion_refusal("main", Some(last)).unwrap().contains("cut before the last promoted build"));
        let earlier = "2026-11-11T02:00:00Z".parse().unwrap();
        assert_eq!(b.promotion_refusal("main", Some(earlier)), None);
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
        assert_eq!(propose_candidate(&builds, day, "main", None).unwrap().name, "main-20261209-0200");
        assert!(propose_candidate(&builds, NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(), "main", None).is_none());
        let promoted_later = "2026-12-10T02:00:00Z".parse().ok();
        assert!(propose_candidate(&builds, day, "main", promoted_later).is_none(), "nothing newer than the last");
    }
}
