//! The words for where a line stands: its status and its end of life. `domain::plan` works
//! them out.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::version::LineId;

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

/// A line's status and end of life as of a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineSupport {
    pub id: LineId,
    pub status: LineStatus,
    /// The day `X.Y.0` shipped, or the day it is planned (or projected) for.
    pub release_date: Option<NaiveDate>,
    /// Known once the line has shipped.
    pub eol: Option<EndOfLife>,
}
