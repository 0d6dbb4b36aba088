//! `/admin`: users, API tokens, the train's policy and the audit trail (admins only).

pub mod api;
pub mod page;
#[cfg(feature = "ssr")]
pub mod service;

use serde::{Deserialize, Serialize};

use crate::{
    domain::{
        access::{Role, TokenScope},
        policy::Policy,
    },
    features::audit::Event,
};

/// A user row on the admin page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub demo: bool,
}

/// A token row on the admin page (never the secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub scope: TokenScope,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    pub revoked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminData {
    pub users: Vec<UserRow>,
    pub tokens: Vec<TokenRow>,
    pub events: Vec<Event>,
    pub policy: Policy,
}
