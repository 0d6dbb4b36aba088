//! The rules of a release manager's decision on a request's lines.

use chrono::NaiveDate;

use super::{
    errors::{FieldError, Refused},
    patch_request::{Category, Decision, Severity},
    version::LineId,
};

/// The longest reason a decision may carry.
pub const MAX_REASON: usize = 1000;

/// Why a decision cannot be taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TriageError {
    #[error(transparent)]
    Invalid(#[from] FieldError),
    #[error(transparent)]
    Refused(#[from] Refused),
    #[error("line {line} is not one of the request's lines")]
    UnknownLine { line: LineId },
}

/// A decision as a manager submits it, before it is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionInput<'a> {
    pub decision: Decision,
    pub reason: &'a str,
    /// For an S1: ship in a new out-of-band release on this day instead of the next slot.
    pub out_of_band_on: Option<NaiveDate>,
}

/// A decision that passed the rules; the reason trimmed, `None` when empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub decision: Decision,
    pub reason: Option<String>,
    pub out_of_band_on: Option<NaiveDate>,
}

/// Checks a decision on a request of `category` and `severity` as of `today`.
pub fn check_decision(
    category: Category,
    severity: Severity,
    input: &DecisionInput<'_>,
    today: NaiveDate,
) -> Result<Checked, TriageError> {
    if !category.qualifies() {
        return Err(Refused::new("a deferred request waits for the monthly release; there is nothing to decide").into());
    }
    let reason = input.reason.trim();
    if input.decision == Decision::Rejected && reason.is_empty() {
        return Err(FieldError::new("reason", "say why it is rejected; the requester will read it").into());
    }
    if reason.chars().count() > MAX_REASON {
        return Err(FieldError::new("reason", format!("use at most {MAX_REASON} characters")).into());
    }
    if input.decision == Decision::Approved && !severity.is_severe() && reason.is_empty() {
        return Err(FieldError::new(
            "reason",
            format!(
                "approving an {} request is an exception to the rule that only S1–S2 bugs get a patch: say why",
                severity.as_str()
            ),
        )
        .into());
    }
    if input.decision == Decision::Pending {
        return Err(FieldError::new("decision", "choose approve, reject or not affected").into());
    }
    if let Some(day) = input.out_of_band_on {
        let bad = |m: &str| TriageError::Invalid(FieldError::new("out_of_band_on", m));
        if severity != Severity::S1 {
            return Err(bad("only S1 requests may open an out-of-band release"));
        }
        if input.decision != Decision::Approved {
            return Err(bad("an out-of-band release is for approved lines"));
        }
        if day < today {
            return Err(bad("an out-of-band release cannot be in the past"));
        }
    }
    Ok(Checked {
        decision: input.decision,
        reason: (!reason.is_empty()).then(|| reason.to_owned()),
        out_of_band_on: input.out_of_band_on,
    })
}

/// A request's line as the rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineState {
    pub line: LineId,
    pub decision: Decision,
    pub shipped: bool,
}

/// The lines a decision applies to: the one named, or (none named) every line still awaiting
/// triage. A line whose fix has shipped cannot be decided again.
pub fn lines_to_decide(lines: &[LineState], named: Option<LineId>) -> Result<Vec<LineId>, TriageError> {
    let chosen: Vec<LineId> = match named {
        Some(line) => {
            let state = lines.iter().find(|l| l.line == line).ok_or(TriageError::UnknownLine { line })?;
            if state.shipped {
                return Err(Refused::new(format!("the fix for {line} has shipped")).into());
            }
            vec![line]
        }
        None => lines.iter().filter(|l| l.decision == Decision::Pending).map(|l| l.line).collect(),
    };
    if chosen.is_empty() {
        return Err(Refused::new("every line is decided already").into());
    }
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn input(decision: Decision, reason: &str) -> DecisionInput<'_> {
        DecisionInput { decision, reason, out_of_band_on: None }
    }

    #[test]
    fn a_rejection_needs_a_reason_the_requester_can_read() {
        let today = d("2026-11-26");
        let e = check_decision(Category::Stability, Severity::S2, &input(Decision::Rejected, " "), today).unwrap_err();
        assert!(matches!(e, TriageError::Invalid(f) if f.field == "reason"));
        let ok = check_decision(Category::Stability, Severity::S2, &input(Decision::Rejected, " too risky "), today);
        assert_eq!(ok.unwrap().reason.as_deref(), Some("too risky"));
    }

    #[test]
    fn approving_an_s3_or_s4_is_an_exception_that_says_why() {
        let today = d("2026-11-26");
        let e = check_decision(Category::Stability, Severity::S3, &input(Decision::Approved, ""), today).unwrap_err();
        assert!(matches!(&e, TriageError::Invalid(f) if f.field == "reason" && f.message.contains("exception")), "{e}");
        assert!(
            check_decision(Category::Security, Severity::S4, &input(Decision::Approved, "exploit is public"), today)
                .is_ok()
        );
        assert!(check_decision(Category::Stability, Severity::S2, &input(Decision::Approved, ""), today).is_ok());
    }

    #[test]
    fn deferred_requests_have_nothing_to_decide() {
        let e = check_decision(Category::Feature, Severity::S2, &input(Decision::Approved, ""), d("2026-11-26"));
        assert!(matches!(e, Err(TriageError::Refused(_))));
    }

    #[test]
    fn only_an_approved_s1_may_go_out_of_band_and_not_into_the_past() {
        let today = d("2026-11-26");
        let oob = |severity, decision, day| {
            check_decision(
                Category::Security,
                severity,
                &DecisionInput { decision, reason: "", out_of_band_on: Some(d(day)) },
                today,
            )
        };
        assert!(oob(Severity::S1, Decision::Approved, "2026-11-28").is_ok());
        assert!(oob(Severity::S2, Decision::Approved, "2026-11-28").is_err());
        assert!(oob(Severity::S1, Decision::NotAffected, "2026-11-28").is_err());
        assert!(oob(Severity::S1, Decision::Approved, "2026-11-25").is_err());
    }

    #[test]
    fn deciding_all_lines_takes_only_the_pending_ones() {
        let l = |s: &str| s.parse::<LineId>().unwrap();
        let lines = [
            LineState { line: l("1.12"), decision: Decision::Pending, shipped: false },
            LineState { line: l("1.11"), decision: Decision::Approved, shipped: true },
        ];
        assert_eq!(lines_to_decide(&lines, None).unwrap(), [l("1.12")]);
        assert!(matches!(lines_to_decide(&lines, Some(l("1.11"))), Err(TriageError::Refused(_))));
        assert!(matches!(lines_to_decide(&lines, Some(l("1.9"))), Err(TriageError::UnknownLine { .. })));
        assert!(lines_to_decide(&lines[1..], None).is_err());
    }
}
