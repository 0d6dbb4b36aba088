//! How healthy a supported line is, in one badge with its reason: blocked when a patch that is
//! due cannot be approved, at risk when something must happen within days (fixes to merge or
//! requests to decide before the cherry-pick deadline, or the end of life), on track otherwise.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::version::Version;

/// Days before a cherry-pick deadline from which unmerged fixes and undecided requests put a
/// line at risk.
pub const DEADLINE_WARNING_DAYS: i64 = 2;
/// Days before an end of life from which a line is at risk: its users must move.
pub const EOL_WARNING_DAYS: i64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    OnTrack,
    AtRisk,
    Blocked,
}

impl Health {
    pub fn label(self) -> &'static str {
        match self {
            Self::OnTrack => "on track",
            Self::AtRisk => "at risk",
            Self::Blocked => "blocked",
        }
    }
}

/// What is known about a line today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineFacts {
    pub today: NaiveDate,
    /// Requests whose decision on the line is pending.
    pub pending: i64,
    /// Approved fixes for that regular slot whose cherry-pick has not merged.
    pub unmerged: i64,
    /// The next patch (regular or out of band) and its day.
    pub next: Option<(Version, NaiveDate)>,
    /// The cherry-pick deadline of the regular slot a fix ready today goes in: an out-of-band
    /// patch planned before it does not make its deadline any less close.
    pub deadline: Option<NaiveDate>,
    /// Why a patch of the line that is due cannot be approved, if one cannot.
    pub blocked: Option<String>,
    pub eol: Option<NaiveDate>,
}

/// A badge and the sentence that explains it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub health: Health,
    pub reason: String,
}

fn plural(n: i64, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

/// The line's badge: the most serious thing first.
pub fn assess(f: &LineFacts) -> Assessment {
    let at = |health, reason: String| Assessment { health, reason };
    if let Some(why) = &f.blocked {
        return at(Health::Blocked, why.clone());
    }
    let deadline = f.deadline.filter(|d| *d >= f.today);
    if let Some(d) = deadline.filter(|d| (*d - f.today).num_days() <= DEADLINE_WARNING_DAYS) {
        if f.unmerged > 0 {
            let fixes = plural(f.unmerged, "approved fix is", "approved fixes are");
            return at(Health::AtRisk, format!("{fixes} not merged; cherry-picks close at the end of {d}"));
        }
        if f.pending > 0 {
            let requests = plural(f.pending, "request awaits", "requests await");
            return at(Health::AtRisk, format!("{requests} a decision; cherry-picks close at the end of {d}"));
        }
    }
    if let Some(eol) = f.eol.filter(|e| *e >= f.today && (*e - f.today).num_days() <= EOL_WARNING_DAYS) {
        return at(Health::AtRisk, format!("end of life in {} days, on {eol}", (eol - f.today).num_days()));
    }
    let next = match &f.next {
        Some((version, day)) => format!("next patch {version} on {day}"),
        None => "no patch planned".into(),
    };
    let waiting = match (f.pending, f.unmerged) {
        (0, 0) => "nothing waiting".to_owned(),
        (p, u) => format!("{} pending, {} to merge", p, u),
    };
    at(Health::OnTrack, format!("{next}; {waiting}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn facts() -> LineFacts {
        LineFacts {
            today: d("2026-12-02"),
            pending: 0,
            unmerged: 0,
            next: Some((Version::parse("1.12.1").unwrap(), d("2026-12-08"))),
            deadline: Some(d("2026-12-04")),
            blocked: None,
            eol: Some(d("2027-03-09")),
        }
    }

    #[test]
    fn a_line_with_nothing_waiting_is_on_track() {
        let a = assess(&facts());
        assert_eq!(
            (a.health, a.reason.as_str()),
            (Health::OnTrack, "next patch 1.12.1 on 2026-12-08; nothing waiting")
        );
    }

    #[test]
    fn unmerged_fixes_or_undecided_requests_close_to_the_deadline_put_it_at_risk() {
        let a = assess(&LineFacts { unmerged: 2, pending: 1, ..facts() });
        assert_eq!(a.health, Health::AtRisk);
        assert_eq!(a.reason, "2 approved fixes are not merged; cherry-picks close at the end of 2026-12-04");
        let a = assess(&LineFacts { pending: 1, ..facts() });
        assert_eq!(a.reason, "1 request awaits a decision; cherry-picks close at the end of 2026-12-04");
        // A week before the deadline the same work is not yet a risk.
        let early = assess(&LineFacts { today: d("2026-11-27"), unmerged: 2, ..facts() });
        assert_eq!(early.health, Health::OnTrack, "{}", early.reason);
    }

    #[test]
    fn an_out_of_band_patch_first_does_not_hide_the_regular_deadline() {
        let oob = Some((Version::parse("1.12.1").unwrap(), d("2026-12-03")));
        let a = assess(&LineFacts { next: oob, unmerged: 1, ..facts() });
        assert_eq!(a.health, Health::AtRisk, "{}", a.reason);
    }

    #[test]
    fn a_due_patch_that_cannot_be_approved_blocks_the_line_before_anything_else() {
        let why = "1.12.1 (due 2026-12-08) cannot be approved: no build of release-1.12 has been reported".to_owned();
        let a = assess(&LineFacts { blocked: Some(why.clone()), unmerged: 3, ..facts() });
        assert_eq!((a.health, a.reason), (Health::Blocked, why));
    }

    #[test]
    fn an_end_of_life_within_a_month_puts_it_at_risk() {
        let a = assess(&LineFacts { eol: Some(d("2026-12-08")), next: None, deadline: None, ..facts() });
        assert_eq!((a.health, a.reason.as_str()), (Health::AtRisk, "end of life in 6 days, on 2026-12-08"));
    }
}
