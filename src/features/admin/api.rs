//! Server functions of the admin page; each checks the role itself.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{
    domain::policy::Policy,
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
    pub policy: Policy,
}

/// The policy form as submitted: every field a string, parsed on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyForm {
    pub minor_release: String,
    pub patch_deadline: String,
    pub patch_target: String,
    pub weekly_qualification: String,
    pub daily_cut_hour: String,
    pub branch_cut_days: String,
    pub code_freeze_days: String,
    pub support_weeks: String,
    pub support_successor: String,
}

impl PolicyForm {
    /// Parses and checks every field, naming the one that is wrong.
    pub fn parse(&self) -> Result<Policy, AppError> {
        use crate::domain::{calendar_rules::MonthlyDay, policy::PolicyError};
        let day = |field: &str, v: &str| v.parse::<MonthlyDay>().map_err(|e| AppError::invalid(field, e.to_string()));
        let number = |field: &str, v: &str, max: u32| {
            v.trim()
                .parse::<u32>()
                .ok()
                .filter(|n| *n <= max)
                .ok_or_else(|| AppError::invalid(field, format!("a whole number from 0 to {max}")))
        };
        let policy = Policy {
            minor_release: day("minor_release", &self.minor_release)?,
            patch_deadline: day("patch_deadline", &self.patch_deadline)?,
            patch_target: day("patch_target", &self.patch_target)?,
            weekly_qualification: self
                .weekly_qualification
                .trim()
                .parse()
                .map_err(|_| AppError::invalid("weekly_qualification", "a weekday like Wednesday"))?,
            daily_cut_hour: number("daily_cut_hour", &self.daily_cut_hour, 23)?,
            branch_cut_days: number("branch_cut_days", &self.branch_cut_days, 27)?,
            code_freeze_days: number("code_freeze_days", &self.code_freeze_days, 27)?,
            support_weeks: number("support_weeks", &self.support_weeks, 104)?,
            support_successor: number("support_successor", &self.support_successor, 12)?,
        };
        policy.validate().map_err(|e| {
            let field = match e {
                PolicyError::CutHour => "daily_cut_hour",
                PolicyError::FreezeBeforeCut => "code_freeze_days",
                PolicyError::CutTooEarly => "branch_cut_days",
                PolicyError::NoSupport => "support_weeks",
                PolicyError::NoSuccessor => "support_successor",
                PolicyError::DeadlineAfterTarget => "patch_deadline",
            };
            AppError::invalid(field, e.to_string())
        })?;
        Ok(policy)
    }
}

/// Saves the train's cadence and support policy (admins only); every page follows at once.
#[server]
pub async fn save_policy(policy: PolicyForm) -> Result<(), AppError> {
    use crate::features::{
        audit::store::{Change, record},
        auth::Permission,
        releases::store::{find_policy, update_policy},
    };
    let state = crate::server::state::app_state()?;
    crate::server::auth::principal().require(Permission::Administer)?;
    let actor = crate::server::auth::principal();
    let new = policy.parse()?;
    let before = find_policy(state.db.reader()).await?;
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    update_policy(&mut tx, &new, now).await?;
    record(
        &mut tx,
        &actor,
        Change::new("policy.updated", "policy", 1, "updated the train's policy").before(&before).after(&new),
        now,
    )
    .await?;
    tx.commit().await
}

#[server]
pub async fn load_admin() -> Result<AdminData, AppError> {
    use crate::features::{
        audit::store::list_recent,
        auth::{Permission, store},
    };
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
    let policy = crate::features::releases::store::find_policy(pool).await?;
    Ok(AdminData { users, tokens, events, policy })
}

#[server]
pub async fn create_user(name: String, role: String, password: String) -> Result<(), AppError> {
    let state = crate::server::state::app_state()?;
    let role =
        Role::parse(&role).ok_or_else(|| AppError::invalid("role", "choose developer, release manager or admin"))?;
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
