//! The demo's people: one per role with a known password, only while demo mode is on.

use crate::{
    domain::{
        access::{Principal, Role},
        notification::EmailAddress,
    },
    error::AppError,
    features::{
        auth::{service::create_user, store},
        notifications::service::give_address,
    },
    platform::state::AppState,
};

/// Demo users: one per role, known passwords, only in demo mode.
pub const DEMO_USERS: [(&str, Role, &str); 3] = [
    ("dev", Role::Developer, "trainyard-dev-demo"),
    ("manager", Role::ReleaseManager, "trainyard-manager-demo"),
    ("admin", Role::Admin, "trainyard-admin-demo"),
];

/// Keeps demo users in step with demo mode: created when on, deleted when off.
pub async fn sync_demo_users(state: &AppState) -> Result<(), AppError> {
    let system = Principal::System("demo");
    if !state.settings.demo {
        let mut tx = state.db.begin_write().await?;
        let removed = store::delete_demo_users(&mut tx).await?;
        tx.commit().await?;
        if removed > 0 {
            tracing::info!(removed, "removed demo users: demo mode is off");
        }
        return Ok(());
    }
    for (name, role, password) in DEMO_USERS {
        if store::find_credentials(state.db.reader(), name).await?.is_none() {
            let id = create_user(state, &system, name, role, password.into(), true).await?;
            // A reserved domain: with a mail server set, the demo's news is really sent, and
            // nobody real receives it.
            let email = EmailAddress::parse_optional("email", &format!("{name}@example.com"))?;
            if let Some(email) = email {
                give_address(state, id, &email).await?;
            }
        }
        tracing::info!("demo sign-in: {name} / {password} ({})", role.label());
    }
    Ok(())
}
