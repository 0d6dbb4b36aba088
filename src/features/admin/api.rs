//! Server functions of the admin page; the services check the role.

use leptos::prelude::*;

use super::AdminData;
#[cfg(feature = "ssr")]
use crate::{
    domain::access::{Role, TokenScope},
    features::auth::service as auth,
    platform::context::context,
};
use crate::{domain::policy_form::PolicyForm, error::AppError};

/// Saves the train's cadence and support policy; every page follows at once.
#[server]
pub async fn save_policy(policy: PolicyForm) -> Result<(), AppError> {
    let ctx = context()?;
    super::service::save_policy(&ctx.state, &ctx.caller, &policy).await
}

#[server]
pub async fn load_admin() -> Result<AdminData, AppError> {
    let ctx = context()?;
    super::service::admin_data(&ctx.state, &ctx.caller).await
}

#[server]
pub async fn create_user(name: String, role: String, password: String) -> Result<(), AppError> {
    let ctx = context()?;
    let role =
        Role::parse(&role).ok_or_else(|| AppError::invalid("role", "choose developer, release manager or admin"))?;
    auth::create_user(&ctx.state, &ctx.caller, &name, role, password, false).await.map(|_| ())
}

/// Returns the new token's secret: shown once, stored only as a hash.
#[server]
pub async fn create_token(name: String, scope: String) -> Result<String, AppError> {
    let ctx = context()?;
    let scope = TokenScope::parse(&scope).ok_or_else(|| AppError::invalid("scope", "choose ci or release_manager"))?;
    auth::create_token(&ctx.state, &ctx.caller, &name, scope).await
}

/// Records a release that shipped before Trainyard ran the train (history brought in by hand).
#[server]
pub async fn record_release(version: String, date: String, commit: String) -> Result<bool, AppError> {
    let ctx = context()?;
    let shipped = super::service::parse_shipped(&version, &date, &commit)?;
    crate::features::catalog::service::record_shipped(&ctx.state, &ctx.caller, &shipped).await
}

#[server]
pub async fn revoke_token(id: i64) -> Result<(), AppError> {
    let ctx = context()?;
    auth::revoke_token(&ctx.state, &ctx.caller, id).await
}
