//! The admin's use cases: the policy and the overview of users, tokens and events.

use super::{AdminData, TokenRow, UserRow};
use crate::{
    domain::{
        access::{Permission, Principal},
        policy_form::PolicyForm,
    },
    error::AppError,
    features::{
        audit::store::{Change, list_recent, record},
        auth::store,
        catalog::store::{find_policy, update_policy},
    },
    platform::state::AppState,
};

/// Saves the train's cadence and support policy (admins only).
pub async fn save_policy(state: &AppState, actor: &Principal, form: &PolicyForm) -> Result<(), AppError> {
    actor.require(Permission::Administer)?;
    let new = form.parse()?;
    let before = find_policy(state.db.reader()).await?;
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    update_policy(&mut tx, &new, now).await?;
    let change = Change::new("policy.updated", "policy", 1, "updated the train's policy").before(&before).after(&new);
    record(&mut tx, actor, change, now).await?;
    tx.commit().await
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
