//! Background work on a timer: the train's automation (and, in demo mode, the demo's CI and
//! people), and the purge of expired sessions.

use std::time::Duration;

use futures::FutureExt;

use crate::{error::AppError, platform::state::AppState};

/// How often the train is ticked.
pub const TICK_EVERY: Duration = Duration::from_secs(60);

/// One run of the train's automation (it proposes; it never approves, promotes or publishes).
pub async fn tick(state: &AppState) -> Result<(), AppError> {
    crate::features::shipping::service::run_train(state).await.map(drop)
}

/// One round of background work: the train (or, in demo mode, the demo's CI and people), then
/// the purge of expired sessions. A failure or a panic in either is logged and the next round
/// runs as usual.
pub async fn round(state: &AppState) {
    let work = async { if state.settings.demo { super::demo::keep_moving(state).await } else { tick(state).await } };
    match std::panic::AssertUnwindSafe(work).catch_unwind().await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::warn!(error = %e, "train tick failed; it runs again in a minute"),
        Err(_) => tracing::error!("the train tick panicked; it runs again in a minute"),
    }
    if let Err(e) = crate::features::auth::service::purge_expired_sessions(state).await {
        tracing::warn!(error = %e, "purging expired sessions failed; it runs again in a minute");
    }
}

/// Runs until the process ends; each round is idempotent, so a restart loses nothing.
pub fn spawn(state: AppState) {
    tokio::spawn(async move {
        let mut timer = tokio::time::interval(TICK_EVERY);
        timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            timer.tick().await;
            round(&state).await;
        }
    });
}
