//! "Is the version I run supported on this day, and what should I move to?", answered from
//! the plan (which lines ship and end when), the matrix (each line's latest patch) and the
//! security ledger (which newer patches carry security fixes).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{
    matrix::{DatedVersion, Matrix},
    plan::{LinePlan, Plan},
    policy::{Certainty, EndOfLife},
    security::SecurityLedger,
    version::{LineId, Version},
};

/// Why a question cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    #[error("there is no release line {0}: the known lines are listed at /releases")]
    UnknownLine(LineId),
}

/// The answer about one version on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Support {
    pub version: Version,
    pub line: LineId,
    pub on: NaiveDate,
    pub supported: bool,
    /// One sentence a person reads.
    pub reason: String,
    /// When this exact version shipped; `None` when it is not a release of the line (yet).
    pub released_on: Option<NaiveDate>,
    /// The line's `X.Y.0`: shipped on, or planned for.
    pub line_released_on: NaiveDate,
    pub line_released: bool,
    pub eol: EndOfLife,
    /// The line's newest shipped release.
    pub latest: Option<DatedVersion>,
    /// Newer releases of the line that carry security fixes, newest first.
    pub security_updates: Vec<SecurityUpdate>,
    /// The line to move to when this one is not supported on that day.
    pub move_to: Option<MoveTo>,
}

/// A newer release of the line with the security fixes it carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityUpdate {
    pub version: Version,
    pub date: Option<NaiveDate>,
    /// Public CVE ids, sorted.
    pub cves: Vec<String>,
    /// Fixes still under embargo: counted, never named.
    pub undisclosed: usize,
    /// Public fixes without a CVE id.
    pub other_fixes: usize,
}

/// A supported line to move to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveTo {
    pub line: LineId,
    pub latest: Option<DatedVersion>,
    pub eol: EndOfLife,
}

/// Whether `line` is supported on `day`: its `X.Y.0` has shipped (or is planned) by then and
/// its end of life has not come. The end-of-life day is the first day without support.
fn supported_on(line: &LinePlan, day: NaiveDate) -> bool {
    line.minor.date <= day && day < line.eol.date
}

/// Answers about `version` on `on` as the plan (built for today) sees it.
pub fn lookup(
    plan: &Plan,
    matrix: &Matrix,
    ledger: &SecurityLedger,
    version: &Version,
    on: NaiveDate,
) -> Result<Support, LookupError> {
    let id = version.line();
    let line = plan.line(id).ok_or(LookupError::UnknownLine(id))?;
    let released_on = plan.by_version(version).filter(|s| s.state == super::plan::PlanState::Released).map(|s| s.date);
    let latest = matrix.row(id).and_then(|r| r.latest.clone());
    let expected = if line.eol.certainty == Certainty::Expected { " (expected)" } else { "" };
    let eol = line.eol.date;
    let (supported, reason) = if version.is_prerelease() {
        (false, format!("{version} is a pre-release: pre-releases are never supported; use a release of {id}"))
    } else if line.released() && line.minor.date > on {
        (false, format!("{id} is not released on {on}: {} shipped on {}", id.first_release(), line.minor.date))
    } else if !line.released() && (on <= plan.today || on < line.minor.due(plan.today)) {
        // Not shipped yet, late or not: nobody runs it today, and a later day waits for it.
        let due = line.minor.due(plan.today);
        (false, format!("{id} is not released on {on}: {} is due on {due}", id.first_release()))
    } else if on >= eol {
        let verb = if eol <= plan.today { "reached" } else { "reaches" };
        (false, format!("{id} {verb} end of life on {eol}{expected}"))
    } else {
        let last = eol.pred_opt().unwrap_or(eol);
        (true, format!("{id} is supported until {last}{expected}; end of life on {eol}"))
    };
    let security_updates = ledger
        .by_release(id)
        .into_iter()
        .filter(|r| r.version > *version)
        .map(|r| {
            let mut cves: Vec<String> = r.fixes.iter().filter_map(|f| f.cve.clone()).collect();
            cves.sort();
            cves.dedup();
            SecurityUpdate {
                date: plan.by_version(&r.version).map(|s| s.date),
                undisclosed: r.fixes.iter().filter(|f| f.title.is_none()).count(),
                other_fixes: r.fixes.iter().filter(|f| f.title.is_some() && f.cve.is_none()).count(),
                version: r.version,
                cves,
            }
        })
        .collect();
    // The nearest newer line supported that day: the smallest move that is supported.
    let mut newer = plan.lines.iter().filter(|l| l.line > id || version.is_prerelease() && l.line == id);
    let move_to = if supported {
        None
    } else {
        newer.find(|l| l.released() && supported_on(l, on)).map(|l| MoveTo {
            line: l.line,
            latest: matrix.row(l.line).and_then(|r| r.latest.clone()),
            eol: l.eol.clone(),
        })
    };
    Ok(Support {
        version: version.clone(),
        line: id,
        on,
        supported,
        reason,
        released_on,
        line_released_on: line.minor.date,
        line_released: line.released(),
        eol: line.eol.clone(),
        latest,
        security_updates,
        move_to,
    })
}

#[cfg(test)]
mod tests {
    use chrono::Months;

    use super::*;
    use crate::domain::{plan::fixtures::*, security::SecurityFix};

    /// The fixture history as of 26 November 2026: 1.8 ended on 3 November, 1.9 ends six
    /// weeks after 1.11 shipped, 1.12 is current and 1.13 is planned for December.
    fn ask(version: &str, on: &str, fixes: Vec<SecurityFix>) -> Result<Support, LookupError> {
        let catalog = catalog(history());
        let today = d("2026-11-26");
        let plan = catalog.plan(today, today + Months::new(4));
        let matrix = Matrix::build(&plan, &catalog);
        lookup(&plan, &matrix, &SecurityLedger::new(fixes), &v(version), d(on))
    }

    #[test]
    fn a_line_is_supported_through_the_day_before_its_end_of_life_and_not_on_it() {
        let eol = ask("1.9.0", "2026-11-26", vec![]).unwrap().eol.date;
        let last = eol.pred_opt().unwrap();
        assert!(ask("1.9.0", &last.to_string(), vec![]).unwrap().supported);
        let on_the_day = ask("1.9.0", &eol.to_string(), vec![]).unwrap();
        assert!(!on_the_day.supported, "{}", on_the_day.reason);
        // The smallest move that is supported that day.
        let to = on_the_day.move_to.unwrap();
        assert!(to.line > l("1.9") && to.eol.date > eol, "{to:?}");
    }

    #[test]
    fn an_ended_line_names_its_end_and_the_nearest_supported_line() {
        let answer = ask("1.8.2", "2026-11-26", vec![]).unwrap();
        assert!(!answer.supported);
        assert_eq!(answer.reason, "1.8 reached end of life on 2026-11-03");
        assert_eq!(answer.move_to.unwrap().line, l("1.9"));
    }

    #[test]
    fn a_pre_release_is_never_supported_and_points_at_its_line() {
        let answer = ask("1.12.0-rc.1", "2026-11-26", vec![]).unwrap();
        assert!(!answer.supported);
        assert!(answer.reason.contains("pre-release"), "{}", answer.reason);
        assert_eq!(answer.move_to.unwrap().line, l("1.12"));
    }

    #[test]
    fn a_line_not_released_on_the_day_asked_is_not_supported_then() {
        let answer = ask("1.12.0", "2020-01-01", vec![]).unwrap();
        assert!(!answer.supported);
        assert!(answer.reason.starts_with("1.12 is not released on 2020-01-01"), "{}", answer.reason);
        assert_eq!(ask("1.99.0", "2026-11-26", vec![]), Err(LookupError::UnknownLine(l("1.99"))));
    }

    #[test]
    fn a_line_not_shipped_yet_is_supported_only_from_the_day_it_is_due() {
        // 1.13.0 is planned for 22 December.
        let today = ask("1.13.0", "2026-11-26", vec![]).unwrap();
        assert!(!today.supported);
        assert_eq!(today.reason, "1.13 is not released on 2026-11-26: 1.13.0 is due on 2026-12-22");
        assert!(ask("1.13.0", "2026-12-23", vec![]).unwrap().supported, "expected to be, once it ships");
    }

    #[test]
    fn newer_patches_list_their_security_fixes_without_naming_the_embargoed() {
        let fix = |request, cve: &str, embargoed, shipped: &str| SecurityFix {
            request,
            title: format!("fix {request}"),
            line: l("1.11"),
            cve: Some(cve.to_owned()),
            embargoed,
            affected: true,
            shipped_in: Some(v(shipped)),
        };
        let fixes = vec![
            fix(1, "CVE-2026-0001", false, "1.11.1"),
            fix(2, "CVE-2026-0002", true, "1.11.1"),
            fix(3, "CVE-2026-0003", false, "1.11.1"),
        ];
        assert!(ask("1.11.1", "2026-11-26", fixes.clone()).unwrap().security_updates.is_empty(), "not newer");
        let answer = ask("1.11.0", "2026-11-26", fixes).unwrap();
        let update = &answer.security_updates[..];
        assert_eq!(update.len(), 1);
        let update = &update[0];
        assert_eq!(update.version, v("1.11.1"));
        assert_eq!(update.date, Some(d("2026-11-10")));
        assert_eq!(update.cves, ["CVE-2026-0001", "CVE-2026-0003"]);
        assert_eq!(update.undisclosed, 1);
    }
}
