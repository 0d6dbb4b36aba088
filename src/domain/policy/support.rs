//! What the policy says about each release line on a day: its status and its end of life.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Policy;
use crate::domain::{calendar_rules::months_after, version::LineId};

/// Where a release line stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineStatus {
    /// A later minor that has not started yet.
    Planned,
    /// The next minor: its `X.Y.0` has not shipped.
    InDevelopment,
    /// The newest shipped minor.
    Current,
    /// Shipped, superseded, and still receiving patches.
    Supported,
    /// No more patches.
    EndOfLife,
}

impl LineStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::InDevelopment => "in development",
            Self::Current => "current",
            Self::Supported => "supported",
            Self::EndOfLife => "end of life",
        }
    }

    /// Current and supported lines receive patch releases.
    pub fn is_supported(self) -> bool {
        matches!(self, Self::Current | Self::Supported)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Certainty {
    /// Computed from a successor that has not shipped yet; may move.
    Expected,
    /// The successor shipped (or a manager fixed the date).
    Confirmed,
}

/// How exact a date is: projections months ahead are only good to the month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    Day,
    Month,
}

/// A line's end of life as the policy (or an override) says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndOfLife {
    pub date: NaiveDate,
    pub certainty: Certainty,
    pub precision: Precision,
    /// Set when a manager overrode the computed date, with their reason.
    pub override_note: Option<String>,
}

/// A manager's fixed end-of-life date, which wins over the policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EolOverride {
    pub date: NaiveDate,
    pub note: String,
}

/// What the database knows of a line, the input to [`assess_lines`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineFacts {
    pub id: LineId,
    /// When `X.Y.0` actually shipped.
    pub shipped: Option<NaiveDate>,
    /// When `X.Y.0` is planned, if it has not shipped.
    pub planned: Option<NaiveDate>,
    pub eol_override: Option<EolOverride>,
}

/// A line's status and end of life as of a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineSupport {
    pub id: LineId,
    pub status: LineStatus,
    /// The shipped date, or the planned one while in development.
    pub release_date: Option<NaiveDate>,
    /// Known once the line has shipped.
    pub eol: Option<EndOfLife>,
}

/// Applies the support policy (rule 9) to every line as of `today`.
///
/// A line is supported until `support_weeks` after the minor `support_successor` lines later
/// ships. Until that successor ships the date is *expected*: from its planned date when one is
/// known (never earlier than today, since a late release moves it), otherwise projected on the
/// monthly cadence to the month. Once it ships, the date is *confirmed*. An override wins.
pub fn assess_lines(lines: &[LineFacts], policy: &Policy, today: NaiveDate) -> Vec<LineSupport> {
    let mut sorted: Vec<&LineFacts> = lines.iter().collect();
    sorted.sort_by_key(|l| l.id);
    let newest_shipped = sorted.iter().rev().find(|l| l.shipped.is_some()).map(|l| l.id);
    let first_unshipped = sorted.iter().find(|l| l.shipped.is_none()).map(|l| l.id);

    sorted
        .iter()
        .enumerate()
        .map(|(index, line)| {
            let Some(_) = line.shipped else {
                let status =
                    if Some(line.id) == first_unshipped { LineStatus::InDevelopment } else { LineStatus::Planned };
                return LineSupport { id: line.id, status, release_date: line.planned, eol: None };
            };
            let eol = match &line.eol_override {
                Some(o) => EndOfLife {
                    date: o.date,
                    certainty: Certainty::Confirmed,
                    precision: Precision::Day,
                    override_note: Some(o.note.clone()),
                },
                None => policy_eol(&sorted, index, policy, today),
            };
            let status = if eol.certainty == Certainty::Confirmed && eol.date <= today {
                LineStatus::EndOfLife
            } else if Some(line.id) == newest_shipped {
                LineStatus::Current
            } else {
                LineStatus::Supported
            };
            LineSupport { id: line.id, status, release_date: line.shipped, eol: Some(eol) }
        })
        .collect()
}

fn policy_eol(sorted: &[&LineFacts], index: usize, policy: &Policy, today: NaiveDate) -> EndOfLife {
    let successor = index + policy.support_successor as usize;
    if let Some(next) = sorted.get(successor) {
        if let Some(shipped) = next.shipped {
            return EndOfLife {
                date: policy.eol_after(shipped),
                certainty: Certainty::Confirmed,
                precision: Precision::Day,
                override_note: None,
            };
        }
        if let Some(planned) = next.planned {
            return EndOfLife {
                date: policy.eol_after(planned.max(today)),
                certainty: Certainty::Expected,
                precision: Precision::Day,
                override_note: None,
            };
        }
    }
    // No dated successor: count monthly minors on from the newest dated line.
    let (anchor_index, anchor) = sorted
        .iter()
        .enumerate()
        .rev()
        .find_map(|(i, l)| l.shipped.or(l.planned).map(|d| (i, d.max(today))))
        .unwrap_or((index, today));
    let months = successor.saturating_sub(anchor_index) as u32;
    let projected = policy.minor_date_in_month_of(months_after(anchor, months));
    EndOfLife {
        date: policy.eol_after(projected),
        certainty: Certainty::Expected,
        precision: Precision::Month,
        override_note: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Days;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn line(id: &str, shipped: Option<&str>, planned: Option<&str>) -> LineFacts {
        LineFacts { id: id.parse().unwrap(), shipped: shipped.map(d), planned: planned.map(d), eol_override: None }
    }

    /// Lines 1.8–1.12 shipped on the 4th Tuesdays of Jul–Nov 2026, 1.13 planned for Dec.
    fn history() -> Vec<LineFacts> {
        vec![
            line("1.9", Some("2026-08-25"), None),
            line("1.8", Some("2026-07-28"), None),
            line("1.10", Some("2026-09-22"), None),
            line("1.11", Some("2026-10-27"), None),
            line("1.12", Some("2026-11-24"), None),
            line("1.13", None, Some("2026-12-22")),
            line("1.14", None, None),
        ]
    }

    fn by_id<'a>(support: &'a [LineSupport], id: &str) -> &'a LineSupport {
        support.iter().find(|s| s.id.to_string() == id).unwrap()
    }

    #[test]
    fn statuses_follow_the_n_plus_two_rule() {
        let support = assess_lines(&history(), &Policy::default(), d("2026-11-26"));
        let statuses: Vec<(String, LineStatus)> = support.iter().map(|s| (s.id.to_string(), s.status)).collect();
        assert_eq!(
            statuses,
            [
                ("1.8".to_owned(), LineStatus::EndOfLife),
                ("1.9".to_owned(), LineStatus::Supported),
                ("1.10".to_owned(), LineStatus::Supported),
                ("1.11".to_owned(), LineStatus::Supported),
                ("1.12".to_owned(), LineStatus::Current),
                ("1.13".to_owned(), LineStatus::InDevelopment),
                ("1.14".to_owned(), LineStatus::Planned),
            ]
        );
    }

    #[test]
    fn eol_is_confirmed_once_the_successor_has_shipped() {
        let support = assess_lines(&history(), &Policy::default(), d("2026-11-26"));
        // 1.8 ends six weeks after 1.10 shipped on 2026-09-22.
        let eol_18 = by_id(&support, "1.8").eol.clone().unwrap();
        assert_eq!(eol_18.date, d("2026-11-03"));
        assert_eq!(eol_18.certainty, Certainty::Confirmed);
        // 1.10 ends six weeks after 1.12 (2026-11-24).
        let eol_110 = by_id(&support, "1.10").eol.clone().unwrap();
        assert_eq!((eol_110.date, eol_110.certainty), (d("2027-01-05"), Certainty::Confirmed));
    }

    #[test]
    fn eol_is_expected_from_a_planned_successor() {
        let support = assess_lines(&history(), &Policy::default(), d("2026-11-26"));
        let eol_111 = by_id(&support, "1.11").eol.clone().unwrap();
        assert_eq!(eol_111.date, d("2027-02-02"));
        assert_eq!(eol_111.certainty, Certainty::Expected);
        assert_eq!(eol_111.precision, Precision::Day);
    }

    #[test]
    fn eol_is_projected_to_the_month_when_no_successor_is_dated() {
        let support = assess_lines(&history(), &Policy::default(), d("2026-11-26"));
        // 1.12 needs 1.14, which has no date: one month after 1.13's December date is
        // January 2027, whose 4th Tuesday is the 26th.
        let eol_112 = by_id(&support, "1.12").eol.clone().unwrap();
        assert_eq!(eol_112.date, d("2027-01-26") + Days::new(42));
        assert_eq!((eol_112.certainty, eol_112.precision), (Certainty::Expected, Precision::Month));
    }

    #[test]
    fn a_late_successor_pushes_the_expected_date_but_never_ends_support() {
        // Today is after 1.13's planned date, but it has not shipped.
        let support = assess_lines(&history(), &Policy::default(), d("2027-02-10"));
        let eol_111 = by_id(&support, "1.11").eol.clone().unwrap();
        assert_eq!(eol_111.date, d("2027-02-10") + Days::new(42));
        assert_eq!(by_id(&support, "1.11").status, LineStatus::Supported);
    }

    #[test]
    fn an_override_wins_and_can_end_a_line() {
        let mut lines = history();
        lines[2].eol_override = Some(EolOverride { date: d("2026-11-20"), note: "security backports stopped".into() });
        let support = assess_lines(&lines, &Policy::default(), d("2026-11-26"));
        let s = by_id(&support, "1.10");
        assert_eq!(s.status, LineStatus::EndOfLife);
        let eol = s.eol.clone().unwrap();
        assert_eq!(eol.date, d("2026-11-20"));
        assert_eq!(eol.override_note.as_deref(), Some("security backports stopped"));
    }

    #[test]
    fn the_policy_is_configurable() {
        let policy = Policy { support_weeks: 2, support_successor: 1, ..Policy::default() };
        let support = assess_lines(&history(), &policy, d("2026-11-26"));
        // 1.10 now ends two weeks after 1.11 shipped (2026-10-27).
        let eol_110 = by_id(&support, "1.10").eol.clone().unwrap();
        assert_eq!(eol_110.date, d("2026-11-10"));
        assert_eq!(by_id(&support, "1.10").status, LineStatus::EndOfLife);
        assert_eq!(by_id(&support, "1.11").status, LineStatus::Supported);
    }

    #[test]
    fn a_day_of_end_of_life_is_no_longer_supported() {
        let support = assess_lines(&history(), &Policy::default(), d("2027-01-05"));
        assert_eq!(by_id(&support, "1.10").status, LineStatus::EndOfLife);
        let support = assess_lines(&history(), &Policy::default(), d("2027-01-04"));
        assert_eq!(by_id(&support, "1.10").status, LineStatus::Supported);
    }
}
