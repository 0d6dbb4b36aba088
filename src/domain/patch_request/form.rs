//! The request form: the fields exactly as typed, and the checked request built from them.

use serde::{Deserialize, Serialize};

use super::{Category, Risk, Severity};
use crate::domain::{errors::FieldError, version::LineId};

/// Field limits, stated in the form.
pub const MAX_TITLE: usize = 120;
pub const MAX_LINK: usize = 500;
pub const MAX_TEXT: usize = 4000;

/// The form exactly as submitted: every field a string, so nothing typed is ever lost.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatchRequestForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub bug_link: String,
    #[serde(default)]
    pub fix_link: String,
    #[serde(default)]
    pub impact: String,
    #[serde(default)]
    pub risk: String,
    #[serde(default)]
    pub risk_reason: String,
    #[serde(default)]
    pub testing: String,
    /// "yes" or "no"
    #[serde(default)]
    pub verified_on_daily: String,
    #[serde(default)]
    pub workaround: String,
    #[serde(default)]
    pub cve_id: String,
    /// "on" when ticked
    #[serde(default)]
    pub embargoed: String,
    /// Ticked lines, comma-separated ("1.12,1.11").
    #[serde(default)]
    pub targets: String,
}

/// An http(s) link, checked for shape (scheme, host, no spaces) and length.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link(String);

impl Link {
    pub fn parse(input: &str) -> Result<Self, String> {
        let link = input.trim();
        if link.chars().count() > MAX_LINK {
            return Err(format!("use at most {MAX_LINK} characters"));
        }
        let rest = link
            .strip_prefix("https://")
            .or_else(|| link.strip_prefix("http://"))
            .ok_or("must be an http:// or https:// link")?;
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        if host.is_empty() || !host.contains('.') && !host.starts_with("localhost") {
            return Err("must name a host, like https://github.com/org/repo/issues/1".into());
        }
        if link.chars().any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>') {
            return Err("must not contain spaces, quotes or angle brackets".into());
        }
        Ok(Self(link.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A pull request's address: `https://github.com/OWNER/NAME/pull/N` (any host, for GitHub
/// Enterprise).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullLink {
    pub owner: String,
    pub repo: String,
    pub number: u64,
}

impl PullLink {
    pub fn parse(input: &str) -> Result<Self, String> {
        let bad = || "must be a pull request link like https://github.com/org/repo/pull/123".to_owned();
        let link = Link::parse(input)?;
        let path = link.as_str().split_once("://").map(|(_, rest)| rest).unwrap_or("");
        let path = path.split(['?', '#']).next().unwrap_or("");
        let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        match parts.as_slice() {
            [_host, owner, repo, "pull", number] if !owner.is_empty() && !repo.is_empty() => Ok(Self {
                owner: (*owner).to_owned(),
                repo: (*repo).to_owned(),
                number: number.parse().ok().filter(|n| *n > 0).ok_or_else(bad)?,
            }),
            _ => Err(bad()),
        }
    }

    /// Whether it belongs to `owner/name` (GitHub's names ignore case).
    pub fn is_in(&self, repository: &str) -> bool {
        repository.eq_ignore_ascii_case(&format!("{}/{}", self.owner, self.repo))
    }
}

/// A full commit SHA: 40 hexadecimal digits, stored lowercase. A short prefix could name
/// another commit tomorrow, so it is never enough to tag or track.
pub fn parse_full_sha(input: &str) -> Result<String, String> {
    let sha = input.trim().to_ascii_lowercase();
    if sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(sha)
    } else {
        Err("the full 40-character commit SHA".to_owned())
    }
}

/// A CVE id such as `CVE-2026-12345`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CveId(String);

impl CveId {
    pub fn parse(input: &str) -> Result<Self, String> {
        let id = input.trim().to_ascii_uppercase();
        let mut parts = id.split('-');
        let ok = parts.next() == Some("CVE")
            && parts.next().is_some_and(|y| y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()))
            && parts.next().is_some_and(|n| (4..=7).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit()))
            && parts.next().is_none();
        if ok { Ok(Self(id)) } else { Err("must look like CVE-2026-12345".into()) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A request that passed every rule, ready to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPatchRequest {
    pub title: String,
    pub category: Category,
    pub severity: Severity,
    pub bug_link: Link,
    pub fix_link: Option<Link>,
    pub impact: String,
    pub risk: Risk,
    pub risk_reason: String,
    pub testing: String,
    pub verified_on_daily: bool,
    pub workaround: String,
    pub cve_id: Option<CveId>,
    pub embargoed: bool,
    /// The lines it targets; empty for requests that do not qualify (they are deferred).
    pub targets: Vec<LineId>,
}

impl NewPatchRequest {
    /// Checks every field against the rules, reporting every problem at once. `supported`
    /// are the lines that may be targeted today.
    pub fn parse(form: &PatchRequestForm, supported: &[LineId]) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut err = |field: &str, message: String| errors.push(FieldError { field: field.into(), message });

        let title = form.title.trim().to_owned();
        if title.is_empty() {
            err("title", "a title is required".into());
        } else if title.chars().count() > MAX_TITLE {
            err("title", format!("use at most {MAX_TITLE} characters"));
        }
        let category = Category::parse(&form.category);
        if category.is_none() {
            err("category", "choose what kind of bug this is".into());
        }
        let severity = Severity::parse(&form.severity);
        if severity.is_none() {
            err("severity", "choose a severity from S1 to S4".into());
        }
        let bug_link = match form.bug_link.trim() {
            "" => {
                err("bug_link", "a link to the bug is required".into());
                None
            }
            link => Link::parse(link).map_err(|m| err("bug_link", m)).ok(),
        };
        let fix_link = match form.fix_link.trim() {
            "" => None,
            link => Link::parse(link).map_err(|m| err("fix_link", m)).ok(),
        };
        let risk = Risk::parse(&form.risk);
        if risk.is_none() {
            err("risk", "choose the risk of the fix: low, medium or high".into());
        }
        let mut text = |field: &str, value: &str| {
            let value = value.trim().to_owned();
            if value.chars().count() > MAX_TEXT {
                err(field, format!("use at most {MAX_TEXT} characters"));
            }
            value
        };
        let impact = text("impact", &form.impact);
        let risk_reason = text("risk_reason", &form.risk_reason);
        let testing = text("testing", &form.testing);
        let workaround = text("workaround", &form.workaround);
        let verified_on_daily = match form.verified_on_daily.trim() {
            "yes" => true,
            "no" | "" => false,
            _ => {
                err("verified_on_daily", "answer yes or no".into());
                false
            }
        };
        let embargoed = matches!(form.embargoed.trim(), "on" | "true" | "yes");
        let security = category == Some(Category::Security);
        let cve_id = match form.cve_id.trim() {
            "" => None,
            _ if !security => {
                err("cve_id", "CVE ids belong to security requests".into());
                None
            }
            id => CveId::parse(id).map_err(|m| err("cve_id", m)).ok(),
        };
        if embargoed && !security {
            err("embargoed", "only security requests can be embargoed".into());
        }
        let qualifies = category.is_some_and(Category::qualifies);
        let mut targets = Vec::new();
        if qualifies {
            if matches!(risk, Some(Risk::High)) && risk_reason.is_empty() {
                err("risk_reason", "say why the risk is high, and why it is worth it".into());
            }
            let mut bad_target = false;
            for t in form.targets.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                match LineId::parse(t) {
                    Ok(line) if supported.contains(&line) => {
                        if !targets.contains(&line) {
                            targets.push(line);
                        }
                    }
                    Ok(line) => {
                        bad_target = true;
                        err("targets", format!("{line} is not a supported line; only supported lines get patches"));
                    }
                    Err(e) => {
                        bad_target = true;
                        err("targets", e.to_string());
                    }
                }
            }
            if targets.is_empty() && !bad_target {
                err("targets", "tick at least one line the bug affects".into());
            }
            targets.sort();
        }
        match (category, severity, bug_link, risk) {
            (Some(category), Some(severity), Some(bug_link), Some(risk)) if errors.is_empty() => Ok(Self {
                title,
                category,
                severity,
                bug_link,
                fix_link,
                impact,
                risk,
                risk_reason,
                testing,
                verified_on_daily,
                workaround,
                cve_id,
                embargoed,
                targets,
            }),
            _ => Err(errors),
        }
    }

    /// Deferred requests wait for the next monthly release instead of a patch.
    pub fn qualifies(&self) -> bool {
        self.category.qualifies()
    }

    /// A stability or security bug that is not severe (S3, S4) gets a patch only by a release
    /// manager's exception; otherwise it waits for the monthly.
    pub fn needs_exception(&self) -> bool {
        self.qualifies() && !self.severity.is_severe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn supported() -> Vec<LineId> {
        ["1.10", "1.11", "1.12"].iter().map(|l| l.parse().unwrap()).collect()
    }

    fn form() -> PatchRequestForm {
        PatchRequestForm {
            title: "Proxy crashes on empty header".into(),
            category: "stability".into(),
            severity: "S2".into(),
            bug_link: "https://github.com/org/repo/issues/42".into(),
            risk: "low".into(),
            verified_on_daily: "yes".into(),
            targets: "1.12,1.11,1.10".into(),
            ..PatchRequestForm::default()
        }
    }

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn a_complete_stability_request_targets_the_ticked_lines_in_order() {
        let r = NewPatchRequest::parse(&form(), &supported()).unwrap();
        assert!(r.qualifies());
        assert_eq!(r.targets.iter().map(ToString::to_string).collect::<Vec<_>>(), ["1.10", "1.11", "1.12"]);
        assert!(r.verified_on_daily);
    }

    #[test]
    fn every_problem_is_reported_next_to_its_field() {
        let bad = PatchRequestForm { title: " ".into(), bug_link: "ftp://x".into(), severity: "S9".into(), ..form() };
        let errors = NewPatchRequest::parse(&bad, &supported()).unwrap_err();
        assert_eq!(fields(&errors), ["title", "severity", "bug_link"]);
    }

    #[test]
    fn only_supported_lines_can_be_targeted() {
        let bad = PatchRequestForm { targets: "1.12,1.8".into(), ..form() };
        let errors = NewPatchRequest::parse(&bad, &supported()).unwrap_err();
        assert_eq!(fields(&errors), ["targets"]);
        assert!(errors[0].message.contains("1.8 is not a supported line"));
        let none = PatchRequestForm { targets: String::new(), ..form() };
        assert_eq!(fields(&NewPatchRequest::parse(&none, &supported()).unwrap_err()), ["targets"]);
    }

    #[test]
    fn features_and_minor_problems_are_deferred_without_targets() {
        let feature = PatchRequestForm { category: "feature".into(), targets: "1.8".into(), ..form() };
        let r = NewPatchRequest::parse(&feature, &supported()).unwrap();
        assert!(!r.qualifies());
        assert!(r.targets.is_empty());
    }

    #[test]
    fn cve_ids_and_embargoes_belong_to_security_requests() {
        let wrong = PatchRequestForm { cve_id: "CVE-2026-1234".into(), embargoed: "on".into(), ..form() };
        assert_eq!(fields(&NewPatchRequest::parse(&wrong, &supported()).unwrap_err()), ["cve_id", "embargoed"]);
        let security = PatchRequestForm {
            category: "security".into(),
            cve_id: "cve-2026-1234".into(),
            embargoed: "on".into(),
            ..form()
        };
        let r = NewPatchRequest::parse(&security, &supported()).unwrap();
        assert_eq!(r.cve_id.unwrap().as_str(), "CVE-2026-1234");
        assert!(r.embargoed);
        let malformed = PatchRequestForm { cve_id: "CVE-26-1".into(), ..security };
        assert_eq!(fields(&NewPatchRequest::parse(&malformed, &supported()).unwrap_err()), ["cve_id"]);
    }

    #[test]
    fn limits_are_enforced_and_text_is_kept_verbatim() {
        let long = PatchRequestForm { title: "x".repeat(MAX_TITLE + 1), impact: "y".repeat(MAX_TEXT + 1), ..form() };
        assert_eq!(fields(&NewPatchRequest::parse(&long, &supported()).unwrap_err()), ["title", "impact"]);
        let odd =
            PatchRequestForm { title: "<script>alert(1)</script>'; DROP TABLE patch_request; --".into(), ..form() };
        let r = NewPatchRequest::parse(&odd, &supported()).unwrap();
        assert_eq!(r.title, odd.title);
    }

    #[test]
    fn high_risk_needs_a_reason() {
        let high = PatchRequestForm { risk: "high".into(), ..form() };
        assert_eq!(fields(&NewPatchRequest::parse(&high, &supported()).unwrap_err()), ["risk_reason"]);
        let explained =
            PatchRequestForm { risk_reason: "touches the allocator, but the crash is worse".into(), ..high };
        assert!(NewPatchRequest::parse(&explained, &supported()).is_ok());
    }

    #[test]
    fn pull_request_links_name_their_repository_and_number() {
        let pull = PullLink::parse("https://github.com/Example/Trainyard/pull/42").unwrap();
        assert_eq!((pull.number, pull.is_in("example/trainyard")), (42, true));
        assert!(!pull.is_in("example/other"));
        assert!(PullLink::parse("https://github.com/example/trainyard/issues/42").is_err());
        assert!(PullLink::parse("https://github.com/example/trainyard/pull/x").is_err());
        assert!(parse_full_sha("ABCDEF1").is_err());
        assert_eq!(parse_full_sha(&"A".repeat(40)).unwrap(), "a".repeat(40));
    }

    #[test]
    fn links_must_be_http_with_a_host() {
        assert!(Link::parse("https://github.com/org/repo/pull/7").is_ok());
        assert!(Link::parse("javascript:alert(1)").is_err());
        assert!(Link::parse("https://").is_err());
        assert!(Link::parse("https://exa mple.com").is_err());
        assert!(Link::parse("https://example.com/\"onmouseover=").is_err());
    }
}
