//! The admin's use cases: the policy and the overview of users, tokens and events.

use super::{AdminData, TokenRow, UserRow};
use crate::{
    domain::{
        access::{Permission, Principal},
        errors::FieldError,
        patch_request::parse_full_sha,
        policy_form::PolicyForm,
        version::Version,
    },
    error::AppError,
    features::{
        audit::store::{Change, list_recent, record},
        auth::store,
        catalog::{
            service::ShippedRelease,
            store::{find_policy, update_policy},
        },
        shipping::service::reconcile,
    },
    platform::state::AppState,
};

/// A shipped release as the admin form gives it: a version, a date, and optionally its full
/// commit SHA.
pub fn parse_shipped(version: &str, date: &str, commit: &str) -> Result<ShippedRelease, FieldError> {
    let version = Version::parse(version).map_err(|e| FieldError::new("version", e.to_string()))?;
    let date = crate::domain::calendar_rules::parse_day(date).map_err(|m| FieldError::new("date", m))?;
    let commit = match commit.trim() {
        "" => None,
        sha => Some(parse_full_sha(sha).map_err(|m| FieldError::new("commit", m))?),
    };
    Ok(ShippedRelease { version, date, commit, notes: String::new() })
}

/// Saves the train's cadence and support policy (admins only); planned patches the new policy
/// puts past their line's end of life are cancelled, their fixes told why.
pub async fn save_policy(state: &AppState, actor: &Principal, form: &PolicyForm) -> Result<(), AppError> {
    actor.require(Permission::Administer)?;
    let new = form.parse()?;
    let before = find_policy(state.db.reader()).await?;
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    update_policy(&mut tx, &new, now).await?;
    let change = Change::new("policy.updated", "policy", 1, "updated the train's policy").before(&before).after(&new);
    record(&mut tx, actor, change, now).await?;
    tx.commit().await?;
    reconcile(state).await
}

/// Users, tokens, the newest events and the policy (admins only).
pub async fn admin_data(state: &AppState, actor: &Principal) -> Result<AdminData, AppError> {
    actor.require(Permission::Administer)?;
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
    let policy = find_policy(pool).await?;
    Ok(AdminData { users, tokens, events, policy })
}
