//! Server functions of the admin page; each checks the role itself.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{
    error::AppError,
    features::{
        audit::Event,
        auth::{Role, TokenScope},
    },
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
}

#[server]
pub async fn load_admin() -> Result<AdminData, AppError> {
    use crate::features::{audit::store::list_recent, auth::{Permission, store}};
    let state = crate::server::state::app_state()?;
    crate::server::auth::principal().require(Permission::Administer)?;
    let pool = state.db.reader();
    let users = store::list_users(pool)
        .await?
        .into_iter()
        .map(|u| UserRow { id: u.id, name: u.name, role: u.role, demo: u.demo })
        .collect();
    let tokens = store::list_tokens(pool)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            name: t.name,
            scope: t.scope,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            revoked: t.revoked_at.is_some(),
        })
        .collect();
    let events = list_recent(pool, 50).await?;
    Ok(AdminData { users, tokens, events })
}

#[server]
pub async fn create_user(name: String, role: String, password: String) -> Result<(), AppError> {
    let state = crate::server::state::app_state()?;
    let role = Role::parse(&role).ok_or_else(|| AppError::invalid("role", "choose developer, release manager or admin"))?;
    let actor = crate::server::auth::principal();
    crate::features::auth::service::create_user(&state, &actor, &name, role, password, false).await?;
    Ok(())
}

/// Returns the new token's secret: shown once, stored only as a hash.
#[server]
pub async fn create_token(name: String, scope: String) -> Result<String, AppError> {
    let state = crate::server::state::app_state()?;
    let scope = TokenScope::parse(&scope).ok_or_else(|| AppError::invalid("scope", "choose ci or release_manager"))?;
    let actor = crate::server::auth::principal();
    crate::features::auth::service::create_token(&state, &actor, &name, scope).await
}

#[server]
pub async fn revoke_token(id: i64) -> Result<(), AppError> {
    let state = crate::server::state::app_state()?;
    let actor = crate::server::auth::principal();
    crate::features::auth::service::revoke_token(&state, &actor, id).await
}
