//! What may change after a request is filed: its requester edits it until triage starts and
//! withdraws it until a line ships; a release manager reclassifies it (category and severity)
//! with a reason the requester reads.

use super::{Category, Decision, RequestStatus, Severity};
use crate::domain::{
    errors::{FieldError, Refused},
    triage::MAX_REASON,
    version::LineId,
};

/// Why a change cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChangeError {
    #[error(transparent)]
    Invalid(#[from] FieldError),
    #[error(transparent)]
    Refused(#[from] Refused),
}

/// A request's line as these rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineNow {
    pub line: LineId,
    pub decision: Decision,
    /// The version that shipped the fix on this line, once out.
    pub shipped_in: Option<String>,
    /// Where its cherry-pick stands: `None` before one is recorded.
    pub cherry_pick: Option<PickNow>,
    /// The release that carries it is approved or publishing: its contents are settled.
    pub settled_in: Option<String>,
}

/// A line's cherry-pick, as these rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickNow {
    Open,
    Merged,
    Closed,
}

/// A request as these rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestNow {
    pub status: RequestStatus,
    pub category: Category,
    pub severity: Severity,
    /// The monthly it waits for, when deferred.
    pub deferred_to: Option<String>,
    /// The request it was marked a duplicate of.
    pub duplicate_of: Option<i64>,
    /// Requests marked as duplicates of it: their requesters follow it.
    pub duplicates: Vec<i64>,
    /// A release manager reclassified it: that is triage too.
    pub reclassified: bool,
    pub embargoed: bool,
    pub lines: Vec<LineNow>,
}

/// A reason as typed: required, trimmed, and not longer than a decision's.
fn reason(text: &str, missing: &str) -> Result<String, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(FieldError::new("reason", missing));
    }
    if text.chars().count() > MAX_REASON {
        return Err(FieldError::new("reason", format!("use at most {MAX_REASON} characters")));
    }
    Ok(text.to_owned())
}

impl RequestNow {
    fn shipped(&self) -> Option<(&LineId, &str)> {
        self.lines.iter().find_map(|l| l.shipped_in.as_deref().map(|v| (&l.line, v)))
    }

    /// A withdrawn request is out of play: nothing more is decided, tracked or changed on it.
    pub fn in_play(&self) -> Result<(), Refused> {
        match self.status {
            RequestStatus::Withdrawn => Err(Refused::new("it was withdrawn by its requester")),
            _ => Ok(()),
        }
    }

    /// Its requester may edit it until triage starts: while no line is decided, it is not
    /// marked a duplicate and no release manager sent it to the monthly.
    pub fn check_edit(&self) -> Result<(), Refused> {
        self.in_play()?;
        if let Some(original) = self.duplicate_of {
            return Err(Refused::new(format!("triage has started: it is marked as a duplicate of #{original}")));
        }
        if let Some(decided) = self.lines.iter().find(|l| l.decision != Decision::Pending) {
            return Err(Refused::new(format!(
                "triage has started: {} is {}; withdraw it, or ask a release manager to reclassify it",
                decided.line,
                decided.decision.label()
            )));
        }
        if self.category.qualifies() && self.deferred_to.is_some() {
            return Err(Refused::new("triage has started: a release manager sent it to the monthly release"));
        }
        if self.reclassified {
            return Err(Refused::new("triage has started: a release manager reclassified it"));
        }
        Ok(())
    }

    /// Its requester may withdraw it until a line ships. A fix on its way into a release
    /// branch (a cherry-pick open or merged) or in a release whose contents are settled ships
    /// unless someone acts, so those need a release manager; so do requests others follow as
    /// their duplicates.
    pub fn may_withdraw(&self) -> Result<(), Refused> {
        self.in_play()?;
        if let Some((line, version)) = self.shipped() {
            return Err(Refused::new(format!(
                "the fix shipped on {line} in {version}: a withdrawal cannot take it back"
            )));
        }
        for l in self.lines.iter().filter(|l| l.decision == Decision::Approved) {
            match l.cherry_pick {
                Some(PickNow::Merged) => {
                    return Err(Refused::new(format!(
                        "the fix is merged into the {} release branch: ask a release manager to revert it and reject the line",
                        l.line
                    )));
                }
                Some(PickNow::Open) => {
                    return Err(Refused::new(format!(
                        "its cherry-pick into the {} release branch is open: close the pull request first",
                        l.line
                    )));
                }
                _ => {}
            }
            if let Some(release) = &l.settled_in {
                return Err(Refused::new(format!(
                    "{release} is approved with this fix in it: ask a release manager to take it out"
                )));
            }
        }
        if !self.duplicates.is_empty() {
            let named: Vec<String> = self.duplicates.iter().map(|d| format!("#{d}")).collect();
            return Err(Refused::new(format!(
                "{} follow it as duplicates: ask a release manager to reject its lines instead",
                named.join(", ")
            )));
        }
        Ok(())
    }

    /// A withdrawal as asked: allowed, and saying why; the reason trimmed.
    pub fn check_withdrawal(&self, why: &str) -> Result<String, ChangeError> {
        self.may_withdraw()?;
        Ok(reason(why, "say why you withdraw it; the release managers will read it")?)
    }

    /// A release manager may reclassify it until a line ships.
    pub fn may_reclassify(&self) -> Result<(), Refused> {
        self.in_play()?;
        match self.shipped() {
            Some((line, version)) => {
                Err(Refused::new(format!("the fix shipped on {line} in {version}: its classification is history")))
            }
            None => Ok(()),
        }
    }
}

/// A release manager's new category and severity for a request, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reclassification {
    pub category: Category,
    pub severity: Severity,
    pub reason: String,
    /// It no longer qualifies for a patch: its lines awaiting triage are declined and it
    /// waits for the monthly release.
    pub defers: bool,
    /// It qualifies now where it did not: it leaves the monthly and its lines await triage.
    pub reopens: bool,
    /// It becomes a security hole, so it goes under embargo at once: saying in public that a
    /// known bug is exploitable is itself a disclosure, so pages, feeds and shared channels
    /// stop showing it until a release manager lifts the embargo under its public CVE.
    pub embargoes: bool,
}

impl Reclassification {
    /// Checks the form's fields against the request as it is. Decisions already taken stand,
    /// so a request with an approved line cannot stop qualifying until that line is rejected.
    pub fn parse(now: &RequestNow, category: &str, severity: &str, why: &str) -> Result<Self, ChangeError> {
        let category = Category::parse(category)
            .ok_or_else(|| FieldError::new("category", "choose stability, security, minor problem or feature"))?;
        let severity =
            Severity::parse(severity).ok_or_else(|| FieldError::new("severity", "choose S1, S2, S3 or S4"))?;
        if (category, severity) == (now.category, now.severity) {
            return Err(FieldError::new("category", "it is classified that way already").into());
        }
        let reason = reason(why, "say why it is reclassified; the requester will read it")?;
        now.may_reclassify()?;
        if now.embargoed && category != Category::Security {
            return Err(
                Refused::new("it is under embargo: lift the embargo before it stops being a security bug").into()
            );
        }
        let defers = now.category.qualifies() && !category.qualifies();
        if let Some(approved) = now.lines.iter().find(|l| defers && l.decision == Decision::Approved) {
            return Err(Refused::new(format!(
                "{} is approved, and a {} does not get a patch release: reject that line first",
                approved.line,
                category.short()
            ))
            .into());
        }
        let reopens = !now.category.qualifies() && category.qualifies();
        let embargoes = category == Category::Security && !now.embargoed;
        Ok(Self { category, severity, reason, defers, reopens, embargoes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(l: &str, decision: Decision) -> LineNow {
        LineNow { line: l.parse().unwrap(), decision, shipped_in: None, cherry_pick: None, settled_in: None }
    }

    fn open() -> RequestNow {
        RequestNow {
            status: RequestStatus::Open,
            category: Category::Stability,
            severity: Severity::S2,
            deferred_to: None,
            duplicate_of: None,
            duplicates: vec![],
            reclassified: false,
            embargoed: false,
            lines: vec![line("1.12", Decision::Pending), line("1.11", Decision::Pending)],
        }
    }

    #[test]
    fn a_request_is_edited_until_anyone_triages_it() {
        assert_eq!(open().check_edit(), Ok(()));
        let mut decided = open();
        decided.lines[1].decision = Decision::NotAffected;
        assert!(decided.check_edit().unwrap_err().0.contains("1.11 is not affected"));
        let duplicate = RequestNow { duplicate_of: Some(3), ..open() };
        assert!(duplicate.check_edit().unwrap_err().0.contains("#3"));
        let sent_to_monthly = RequestNow { deferred_to: Some("1.13.0".into()), ..open() };
        assert!(sent_to_monthly.check_edit().is_err());
        let reclassified = RequestNow { reclassified: true, ..open() };
        assert!(reclassified.check_edit().unwrap_err().0.contains("reclassified"));
        // A feature waits for the monthly from the start: nobody triaged it.
        let feature = RequestNow {
            category: Category::Feature,
            status: RequestStatus::Deferred,
            deferred_to: Some("1.13.0".into()),
            lines: vec![],
            ..open()
        };
        assert_eq!(feature.check_edit(), Ok(()));
    }

    #[test]
    fn a_request_is_withdrawn_with_a_reason_until_a_line_ships() {
        assert_eq!(open().check_withdrawal("  fixed upstream "), Ok("fixed upstream".into()));
        assert!(matches!(open().check_withdrawal(" "), Err(ChangeError::Invalid(f)) if f.field == "reason"));
        let mut shipped = open();
        shipped.lines[0] = LineNow { shipped_in: Some("1.12.3".into()), ..line("1.12", Decision::Approved) };
        let e = shipped.check_withdrawal("oops").unwrap_err();
        assert!(e.to_string().contains("1.12.3"), "{e}");
        let mut merged = open();
        merged.lines[1] = LineNow { cherry_pick: Some(PickNow::Merged), ..line("1.11", Decision::Approved) };
        assert!(merged.may_withdraw().unwrap_err().0.contains("revert"));
        merged.lines[1].cherry_pick = Some(PickNow::Open);
        assert!(merged.may_withdraw().unwrap_err().0.contains("close the pull request"));
        merged.lines[1].cherry_pick = Some(PickNow::Closed);
        assert_eq!(merged.may_withdraw(), Ok(()));
        merged.lines[1].settled_in = Some("1.11.3".into());
        assert!(merged.may_withdraw().unwrap_err().0.contains("1.11.3 is approved"));
        let followed = RequestNow { duplicates: vec![4, 5], ..open() };
        assert!(followed.may_withdraw().unwrap_err().0.contains("#4, #5 follow it"));
        let withdrawn = RequestNow { status: RequestStatus::Withdrawn, ..open() };
        assert!(withdrawn.check_withdrawal("again").is_err());
        assert!(withdrawn.check_edit().is_err());
    }

    #[test]
    fn reclassifying_says_why_and_changes_something() {
        let r = Reclassification::parse(&open(), "security", "S1", " remote crash ").unwrap();
        assert_eq!((r.category, r.severity, r.reason.as_str()), (Category::Security, Severity::S1, "remote crash"));
        assert!(!r.defers && !r.reopens);
        assert!(r.embargoes, "a bug that turns out to be a hole goes under embargo");
        let field = |r: Result<Reclassification, ChangeError>| match r {
            Err(ChangeError::Invalid(f)) => f.field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(Reclassification::parse(&open(), "stability", "S2", "same")), "category");
        assert_eq!(field(Reclassification::parse(&open(), "bug", "S2", "why")), "category");
        assert_eq!(field(Reclassification::parse(&open(), "stability", "S9", "why")), "severity");
        assert_eq!(field(Reclassification::parse(&open(), "stability", "S1", "")), "reason");
    }

    #[test]
    fn a_request_that_stops_qualifying_waits_for_the_monthly_unless_a_line_is_approved() {
        let r = Reclassification::parse(&open(), "feature", "S3", "a new option, not a bug").unwrap();
        assert!(r.defers && !r.reopens);
        let mut approved = open();
        approved.lines[0].decision = Decision::Approved;
        let e = Reclassification::parse(&approved, "feature", "S3", "not a bug").unwrap_err();
        assert!(e.to_string().contains("1.12 is approved"), "{e}");
        // Severity alone may change with an approved line: decisions taken stand.
        assert!(Reclassification::parse(&approved, "stability", "S1", "worse than thought").is_ok());
        let embargoed = RequestNow { category: Category::Security, embargoed: true, ..open() };
        assert!(matches!(
            Reclassification::parse(&embargoed, "stability", "S2", "not a hole"),
            Err(ChangeError::Refused(_))
        ));
        let worse = Reclassification::parse(&embargoed, "security", "S1", "worse").unwrap();
        assert!(!worse.embargoes, "already under embargo");
        assert!(!Reclassification::parse(&open(), "stability", "S1", "worse").unwrap().embargoes);
        let feature = RequestNow { category: Category::Feature, lines: vec![], ..open() };
        let back = Reclassification::parse(&feature, "stability", "S2", "it crashes").unwrap();
        assert!(back.reopens && !back.defers);
    }
}
