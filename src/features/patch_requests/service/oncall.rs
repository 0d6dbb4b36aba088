//! The on-call rotation: who triages new requests each week.

use chrono::NaiveDate;

use super::parse_date;
use crate::{
    domain::{
        access::{Permission, Principal},
        calendar_rules::monday_of,
    },
    error::AppError,
    features::{
        audit::store::{Change, record},
        auth::store::find_credentials,
        patch_requests::store,
    },
    platform::state::AppState,
};

/// Puts a user on call for the week containing `week`.
pub async fn assign_oncall(state: &AppState, actor: &Principal, week: &str, user_name: &str) -> Result<(), AppError> {
    actor.require(Permission::Triage)?;
    let day = parse_date("week", week)?;
    let user = find_credentials(state.db.reader(), user_name)
        .await?
        .ok_or_else(|| AppError::invalid("user", format!("no user is called “{}”", user_name.trim())))?;
    let monday = monday_of(day);
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    store::upsert_oncall(&mut tx, monday, user.viewer.id).await?;
    let summary = format!("{} triages the week of {monday}", user.viewer.name);
    record(&mut tx, actor, Change::new("oncall.assigned", "oncall", monday, summary), now).await?;
    tx.commit().await
}

pub async fn rotation(state: &AppState) -> Result<Vec<(NaiveDate, String)>, AppError> {
    store::list_oncall(state.db.reader(), monday_of(state.today())).await
}
