//! The rules of a release's life: which transition may happen from which status, and what a
//! patch release's candidate build must satisfy before a manager may approve it.

use chrono::{DateTime, NaiveDate, Utc};

use super::{
    catalog::{Release, ReleaseStatus},
    errors::Refused,
    train::{Build, Suite, SuiteStatus},
};

/// A change in a release's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// The automation proposes a candidate build.
    Propose,
    /// A release manager approves the candidate.
    Approve,
    /// A release manager moves an approved release's day to today.
    ShipNow,
    /// Publishing to GitHub starts (its version is fixed from here).
    Publish,
    /// Released: published to GitHub, or marked released when publishing is a dry run.
    Release,
    Cancel,
    /// A patch slot with nothing merged by its deadline.
    Skip,
    /// Its day changes.
    Move,
}

impl Transition {
    fn verb(self) -> &'static str {
        match self {
            Self::Propose => "get a candidate",
            Self::Approve => "be approved",
            Self::ShipNow => "ship now",
            Self::Publish => "be published",
            Self::Release => "be released",
            Self::Cancel => "be cancelled",
            Self::Skip => "be skipped",
            Self::Move => "be moved",
        }
    }

    /// The statuses it may start from.
    fn from(self) -> &'static [ReleaseStatus] {
        use ReleaseStatus::*;
        match self {
            Self::Propose => &[Planned, Candidate],
            Self::Approve => &[Candidate],
            Self::ShipNow => &[Approved],
            Self::Publish | Self::Release => &[Approved],
            Self::Cancel | Self::Skip => &[Planned, Candidate],
            Self::Move => &[Planned, Candidate, Approved],
        }
    }
}

/// Why `release` may not take `transition` on `today`, if it may not. `embargoed` says whether
/// it carries a fix still under embargo.
pub fn check(release: &Release, transition: Transition, today: NaiveDate, embargoed: bool) -> Result<(), Refused> {
    let name = release.version.as_ref().map(ToString::to_string).unwrap_or_else(|| release.slot.key());
    if !transition.from().contains(&release.status) {
        return Err(Refused::new(format!(
            "{name} is {}: it cannot {} now",
            release.status.as_str(),
            transition.verb()
        )));
    }
    match transition {
        Transition::ShipNow if release.planned_date <= today => {
            Err(Refused::new(format!("{name} is due already: publish it, or mark it released")))
        }
        Transition::Publish | Transition::Release if release.planned_date > today => Err(Refused::new(format!(
            "{name} ships on {}: approval never moves the date; use “ship now” to release it today",
            release.planned_date
        ))),
        Transition::Publish | Transition::Release if embargoed => {
            Err(Refused::new(format!("{name} carries a fix under embargo: a release manager lifts the embargo first")))
        }
        _ => Ok(()),
    }
}

/// A fix a patch release carries, as its approval reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarriedMerge {
    pub request: i64,
    pub merged_at: Option<DateTime<Utc>>,
}

/// Why `build` cannot be the candidate of a patch on `branch` carrying `fixes`, if it cannot:
/// it must come from the line's release branch, pass every required suite, and be cut after
/// every carried fix merged.
pub fn patch_candidate_refusal(
    build: &Build,
    branch: &str,
    required: &[Suite],
    fixes: &[CarriedMerge],
) -> Option<String> {
    if build.branch != branch {
        return Some(format!("{} is not a build of {branch}", build.name));
    }
    for suite in required {
        match build.status(*suite) {
            Some(SuiteStatus::Passed) => {}
            Some(SuiteStatus::Failed) => return Some(format!("{} failed its {} tests", build.name, suite.as_str())),
            _ => return Some(format!("{} has no passing {} result yet", build.name, suite.as_str())),
        }
    }
    if let Some(fix) = fixes.iter().find(|f| f.merged_at.is_none()) {
        return Some(format!("the fix of request #{} is not merged into {branch} yet", fix.request));
    }
    if let Some(fix) = fixes.iter().find(|f| f.merged_at.is_some_and(|m| m > build.cut_at)) {
        return Some(format!("{} was cut before the fix of request #{} merged", build.name, fix.request));
    }
    None
}

/// The newest build that may be the candidate: the one a tick proposes.
pub fn newest_patch_candidate<'a>(
    builds: &'a [Build],
    branch: &str,
    required: &[Suite],
    fixes: &[CarriedMerge],
) -> Option<&'a Build> {
    builds.iter().filter(|b| patch_candidate_refusal(b, branch, required, fixes).is_none()).max_by_key(|b| b.cut_at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        catalog::{ReleaseKind, Slot},
        train::SuiteResult,
        version::LineId,
    };

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn release(status: ReleaseStatus, planned: &str) -> Release {
        let line = LineId::new(1, 12);
        Release {
            id: 1,
            line,
            kind: ReleaseKind::Patch,
            slot: Slot::patch_of(line, d(planned)),
            version: None,
            status,
            planned_date: d(planned),
            cherry_pick_deadline: Some(d("2026-12-04")),
            actual_date: None,
            source_build: None,
            source_commit: None,
            notes: String::new(),
            github_url: None,
            date_note: None,
            revision: 0,
            updated_at: t("2026-11-26T00:00:00Z"),
        }
    }

    fn build(name: &str, functional: Option<SuiteStatus>) -> Build {
        let parts = crate::domain::train::BuildName::parse(name).unwrap();
        Build {
            name: name.into(),
            branch: parts.branch,
            commit: "a".repeat(40),
            cut_at: parts.cut_at,
            results: functional
                .map(|status| SuiteResult { suite: Suite::Functional, status, link: None, reported_at: parts.cut_at })
                .into_iter()
                .collect(),
            weekly_selected_at: None,
            weekly_reason: None,
            promoted_to: None,
        }
    }

    #[test]
    fn approval_never_moves_the_date_and_ship_now_is_its_own_step() {
        let today = d("2026-12-01");
        let approved = release(ReleaseStatus::Approved, "2026-12-08");
        let e = check(&approved, Transition::Release, today, false).unwrap_err();
        assert!(e.0.contains("ship now"), "{e}");
        assert!(check(&approved, Transition::ShipNow, today, false).is_ok());
        let due = release(ReleaseStatus::Approved, "2026-12-01");
        assert!(check(&due, Transition::Publish, today, false).is_ok());
        assert!(check(&due, Transition::ShipNow, today, false).is_err());
        assert!(check(&due, Transition::Release, today, true).unwrap_err().0.contains("embargo"));
    }

    #[test]
    fn each_transition_starts_only_where_it_may() {
        let today = d("2026-12-01");
        let planned = release(ReleaseStatus::Planned, "2026-12-08");
        assert!(check(&planned, Transition::Approve, today, false).unwrap_err().0.contains("is planned"));
        assert!(check(&planned, Transition::Cancel, today, false).is_ok());
        let released = release(ReleaseStatus::Released, "2026-11-10");
        for t in [Transition::Cancel, Transition::Move, Transition::Skip, Transition::Propose] {
            assert!(check(&released, t, today, false).is_err(), "{t:?}");
        }
    }

    #[test]
    fn a_patch_candidate_comes_from_the_release_branch_after_every_fix_merged() {
        let fixes = [
            CarriedMerge { request: 1, merged_at: Some(t("2026-12-03T10:00:00Z")) },
            CarriedMerge { request: 2, merged_at: Some(t("2026-12-04T18:00:00Z")) },
        ];
        let builds = [
            build("release-1.12-20261204-0200", Some(SuiteStatus::Passed)),
            build("release-1.12-20261205-0200", Some(SuiteStatus::Passed)),
            build("release-1.12-20261206-0200", Some(SuiteStatus::Failed)),
            build("main-20261207-0200", Some(SuiteStatus::Passed)),
        ];
        let branch = "release-1.12";
        let required = [Suite::Functional];
        assert_eq!(
            newest_patch_candidate(&builds, branch, &required, &fixes).unwrap().name,
            "release-1.12-20261205-0200"
        );
        assert!(patch_candidate_refusal(&builds[0], branch, &required, &fixes).unwrap().contains("request #2"));
        assert!(patch_candidate_refusal(&builds[2], branch, &required, &fixes).unwrap().contains("failed"));
        assert!(patch_candidate_refusal(&builds[3], branch, &required, &fixes).unwrap().contains("not a build of"));
        let unmerged = [CarriedMerge { request: 3, merged_at: None }];
        assert!(newest_patch_candidate(&builds, branch, &required, &unmerged).is_none());
    }
}
