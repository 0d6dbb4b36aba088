//! What CI may report: build names, commits and suite results, each checked before it is stored.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Suite, SuiteStatus};
use crate::domain::{errors::FieldError, patch_request::Link};

/// A build's name, `<branch>-<YYYYMMDD>-<HHMM>`; the branch may contain dashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildName {
    pub branch: String,
    pub cut_at: DateTime<Utc>,
}

impl BuildName {
    pub fn parse(name: &str) -> Result<Self, FieldError> {
        let bad =
            |why: &str| FieldError::new("name", format!("“{name}” is not a build name like main-20261126-0200: {why}"));
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

/// A commit SHA: all 40 hex digits, stored lowercase.
pub fn parse_commit(sha: &str) -> Result<String, FieldError> {
    // Full SHAs only: a release is tagged at this commit, and GitHub resolves a short one to
    // whichever commit has that prefix.
    crate::domain::patch_request::parse_full_sha(sha).map_err(|m| FieldError::new("commit", format!("a commit is {m}")))
}

/// A build as CI reports it, every field as sent.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NewBuild {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub branch: Option<String>,
    #[serde(default)]
    pub commit: String,
    #[serde(default, rename = "cutAt")]
    pub cut_at: Option<String>,
}

/// A build report that passed every check: the name, its branch and cut time, and the commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedBuild {
    pub name: String,
    pub parts: BuildName,
    pub commit: String,
}

impl NewBuild {
    /// The branch and cut time given beside the name must agree with it.
    pub fn parse(&self) -> Result<ReportedBuild, FieldError> {
        let name = self.name.trim();
        let parts = BuildName::parse(name)?;
        if let Some(branch) = self.branch.as_deref().map(str::trim).filter(|b| !b.is_empty())
            && branch != parts.branch
        {
            return Err(FieldError::new("branch", format!("the name says branch “{}”, not “{branch}”", parts.branch)));
        }
        if let Some(cut) = self.cut_at.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            let cut: DateTime<Utc> = cut
                .parse()
                .map_err(|_| FieldError::new("cutAt", format!("“{cut}” is not a time like 2026-11-26T02:00:00Z")))?;
            if cut.format("%Y%m%d%H%M").to_string() != parts.cut_at.format("%Y%m%d%H%M").to_string() {
                return Err(FieldError::new("cutAt", "the cut time must be the one in the build's name"));
            }
        }
        Ok(ReportedBuild { name: name.to_owned(), parts, commit: parse_commit(&self.commit)? })
    }
}

/// A suite result as CI reports it, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedResult {
    pub suite: Suite,
    pub status: SuiteStatus,
    pub link: Option<Link>,
}

impl ReportedResult {
    pub fn parse(suite: &str, status: &str, link: Option<&str>) -> Result<Self, FieldError> {
        let link = match link.map(str::trim).filter(|l| !l.is_empty()) {
            Some(l) => Some(Link::parse(l).map_err(|m| FieldError::new("link", m))?),
            None => None,
        };
        Ok(Self { suite: Suite::parse(suite)?, status: SuiteStatus::parse(status)?, link })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
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
            assert_eq!(e.field, "name", "{bad}");
        }
    }

    #[test]
    fn commits_and_suites_parse_strictly() {
        assert_eq!(parse_commit(&"ABCDEF1".repeat(6)[..40]).unwrap(), "abcdef1".repeat(6)[..40]);
        assert!(parse_commit("abcdef1").is_err(), "a short SHA could name another commit");
        assert!(parse_commit("xyz").is_err());
        assert_eq!(Suite::parse("stability").unwrap(), Suite::Stability);
        assert_eq!(Suite::parse("smoke").unwrap_err().field, "suite");
        assert_eq!(SuiteStatus::parse("success").unwrap(), SuiteStatus::Passed);
    }
}
