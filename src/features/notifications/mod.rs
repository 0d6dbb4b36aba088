//! Notifications: what each person wants to hear of and where, the webhooks that post to chat,
//! and the outbox that turns what happened (the audit trail, deadlines, ends of life) into mail
//! and posts, each sent once.

pub mod api;
pub mod page;
#[cfg(feature = "ssr")]
pub mod rest;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;

use serde::{Deserialize, Serialize};

use crate::domain::notification::Kind;

/// One's notification settings, as the page shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationSettings {
    pub email: String,
    /// Every kind, with whether it is on.
    pub kinds: Vec<(Kind, bool)>,
    /// The lines one may follow (those not at their end of life yet), with whether one does.
    pub lines: Vec<LineChoice>,
    /// The latest messages sent (or being sent) to one's address.
    pub recent: Vec<Sent>,
    /// Whether mail is set up on this server at all.
    pub mail_configured: bool,
    /// For admins: the webhooks.
    pub webhooks: Option<Vec<WebhookRow>>,
    /// When one's private feed address was made, if one has one.
    pub feed_since: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineChoice {
    pub line: String,
    /// "supported until 5 January 2027"
    pub support: String,
    pub following: bool,
}

/// A message in the outbox, as its recipient sees it listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sent {
    pub subject: String,
    pub link: String,
    /// pending, sending, sent or failed
    pub state: String,
    pub at: chrono::DateTime<chrono::Utc>,
    pub last_error: Option<String>,
}

/// A webhook as admins see it (the secret is shown once, when it is added).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookRow {
    pub id: i64,
    pub url: String,
    pub kinds: Vec<Kind>,
    pub revoked: bool,
    pub sent: i64,
    pub waiting: i64,
    pub failed: i64,
    pub last_error: Option<String>,
}

/// What the settings form sends: the address, and the kinds that are on and the lines followed,
/// each comma-separated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub kinds: String,
    #[serde(default)]
    pub lines: String,
}
