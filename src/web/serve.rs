//! Starting and stopping the server.

use std::net::SocketAddr;

use tokio::net::TcpListener;

use super::{demo, router::router};
use crate::platform::{
    clock::clock_of,
    db::{Db, DbError},
    settings::Settings,
    state::AppState,
};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("could not listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("could not prepare the data (admin, demo users, demo data): {0}")]
    Demo(crate::error::AppError),
    #[error("the server stopped: {0}")]
    Io(#[from] std::io::Error),
}

/// Opens the database, seeds demo data when asked, and serves until Ctrl-C or SIGTERM.
pub async fn serve(mut settings: Settings) -> Result<(), ServeError> {
    let db = Db::open(&settings.database_url).await?;
    let addr = settings.site_addr;
    let listener = TcpListener::bind(addr).await.map_err(|source| ServeError::Bind { addr, source })?;
    let local = listener.local_addr()?;
    // With port 0 the system picks one: links in mail and feeds must name the port it picked.
    settings.site_addr = local;
    let clock = clock_of(settings.pinned_now);
    let state = AppState::new(db.clone(), settings, clock);
    prepare(&state).await.map_err(ServeError::Demo)?;
    tracing::info!("Trainyard is running at http://{local}/ (database {})", state.settings.database_url);
    if state.settings.background {
        if state.settings.automation {
            super::worker::spawn(state.clone());
        }
        crate::features::publishing::service::spawn_worker(state.clone());
        crate::features::notifications::service::spawn_worker(state.clone());
    }
    if let Some(addr) = state.settings.metrics_addr {
        let listener = TcpListener::bind(addr).await.map_err(|source| ServeError::Bind { addr, source })?;
        tracing::info!("metrics at http://{}/metrics", listener.local_addr()?);
        let metrics = super::metrics::router(state.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, metrics).await {
                tracing::error!(error = %e, "the metrics listener stopped");
            }
        });
    }
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await?;
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Start-up work on the data: the first admin, demo users and demo data.
pub async fn prepare(state: &AppState) -> Result<(), crate::error::AppError> {
    crate::features::auth::service::ensure_initial_admin(state).await?;
    demo::users::sync_demo_users(state).await?;
    if state.settings.demo {
        demo::seed_if_empty(state).await?;
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            term.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
