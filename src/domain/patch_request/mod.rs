//! A patch request as a developer files it: the form's raw strings, and the validated request
//! built from them. The browser runs the same parser for instant feedback; the server runs it
//! again as the authority.

use serde::{Deserialize, Serialize};

mod changes;
mod form;

pub use changes::{ChangeError, LineNow, PickNow, Reclassification, RequestNow};

pub use form::{
    CveId, Link, MAX_LINK, MAX_TEXT, MAX_TITLE, NewPatchRequest, PatchRequestForm, PullLink, parse_full_sha,
};

/// What kind of bug it is; only stability and security bugs qualify (rule 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Stability,
    Security,
    MinorProblem,
    Feature,
}

impl Category {
    pub const ALL: [Category; 4] = [Self::Stability, Self::Security, Self::MinorProblem, Self::Feature];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Stability => "stability",
            Self::Security => "security",
            Self::MinorProblem => "minor_problem",
            Self::Feature => "feature",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Stability => "Stability (crash, hang, data loss, regression)",
            Self::Security => "Security (vulnerability)",
            Self::MinorProblem => "Minor problem",
            Self::Feature => "Feature or improvement",
        }
    }

    pub fn short(self) -> &'static str {
        match self {
            Self::Stability => "stability",
            Self::Security => "security",
            Self::MinorProblem => "minor problem",
            Self::Feature => "feature",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s.trim())
    }

    /// Only stability and security bugs get a patch release.
    pub fn qualifies(self) -> bool {
        matches!(self, Self::Stability | Self::Security)
    }
}

/// How bad it is, S1 (worst) to S4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    S1,
    S2,
    S3,
    S4,
}

impl Severity {
    pub const ALL: [Severity; 4] = [Self::S1, Self::S2, Self::S3, Self::S4];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::S1 => "S1",
            Self::S2 => "S2",
            Self::S3 => "S3",
            Self::S4 => "S4",
        }
    }

    /// What each level means, shown in the form.
    pub fn explanation(self) -> &'static str {
        match self {
            Self::S1 => "S1 — critical: outage, data loss or an actively exploited vulnerability; no workaround",
            Self::S2 => {
                "S2 — major: a core feature broken for many users, or a serious vulnerability; workaround is hard"
            }
            Self::S3 => "S3 — moderate: a feature broken for some users; a workaround exists",
            Self::S4 => "S4 — low: cosmetic or rare",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// S1 and S2 qualify for a patch release; S3 and S4 need a release manager's exception.
    pub fn is_severe(self) -> bool {
        matches!(self, Self::S1 | Self::S2)
    }
}

/// The risk of shipping the fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    Low,
    Medium,
    High,
}

impl Risk {
    pub const ALL: [Risk; 3] = [Self::Low, Self::Medium, Self::High];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }
}

/// Where a request stands as a whole, kept in step with its targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    Open,
    Deferred,
    Approved,
    Rejected,
    Shipped,
    /// Taken back by its requester before any line shipped.
    Withdrawn,
}

impl RequestStatus {
    pub const ALL: [RequestStatus; 6] =
        [Self::Open, Self::Approved, Self::Shipped, Self::Rejected, Self::Deferred, Self::Withdrawn];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Deferred => "deferred",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Shipped => "shipped",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s.trim())
    }
}

/// A release manager's decision for one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Pending,
    Approved,
    Rejected,
    NotAffected,
}

impl Decision {
    pub const ALL: [Decision; 4] = [Self::Pending, Self::Approved, Self::Rejected, Self::NotAffected];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::NotAffected => "not_affected",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "awaiting triage",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::NotAffected => "not affected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == s.trim())
    }
}
