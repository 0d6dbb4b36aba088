//! Publishing releases to GitHub: a preview of exactly what is sent, an outbox that survives
//! failures and restarts, and a release created exactly once.

pub mod api;
pub mod page;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What will be (or was) sent to GitHub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payload {
    pub repository: Option<String>,
    pub tag: String,
    pub target_sha: String,
    pub name: String,
    pub body: String,
    pub prerelease: bool,
    pub make_latest: bool,
}

/// Where a publication stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PublicationState {
    Pending,
    Retrying,
    Published,
    Failed,
}

impl PublicationState {
    pub const ALL: [Self; 4] = [Self::Pending, Self::Retrying, Self::Published, Self::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Retrying => "retrying",
            Self::Published => "published",
            Self::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    pub at: DateTime<Utc>,
    pub step: String,
    pub outcome: String,
    pub message: String,
}

/// A publication as the release page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    pub id: i64,
    pub state: PublicationState,
    pub step: String,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub html_url: Option<String>,
    pub history: Vec<Attempt>,
}

/// The publish panel of a release page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishPanel {
    pub version: String,
    /// Why it cannot be published yet (not approved, no source commit…).
    pub blocked: Option<String>,
    pub payload: Option<Payload>,
    pub publication: Option<Publication>,
    /// No token or repository: publishing only shows what would be sent.
    pub dry_run: bool,
    pub can_publish: bool,
}
