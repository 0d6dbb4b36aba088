//! What every handler and server function shares.

use std::sync::{Arc, RwLock};

use axum::extract::FromRef;
use chrono::NaiveDate;
use leptos::{config::LeptosOptions, prelude::use_context};

use tokio::sync::Notify;

use super::{
    cache::ResponseCache,
    clock::{Clock, SystemClock},
    config::Settings,
    db::Db,
    github::GitHub,
};
use crate::{
    error::AppError,
    features::{
        auth::throttle::LoginThrottle,
        publishing::service::Backoff,
        releases::{Catalog, store::load_catalog},
    },
};

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub clock: Arc<dyn Clock>,
    pub leptos: LeptosOptions,
    pub pages: Arc<ResponseCache>,
    pub login_throttle: Arc<LoginThrottle>,
    /// The GitHub boundary (a dry run without a token).
    pub github: GitHub,
    /// Wakes the publishing worker when a new publication is asked for.
    pub publisher: Arc<Notify>,
    /// One publishing round at a time: GitHub wants mutations serial.
    pub publishing_lock: Arc<tokio::sync::Mutex<()>>,
    pub backoff: Backoff,
    catalog: Arc<RwLock<Option<CatalogAt>>>,
}

/// The catalog and the database generation it was loaded at.
type CatalogAt = (u64, Arc<Catalog>);

impl AppState {
    pub fn new(db: Db, settings: Settings, clock: Arc<dyn Clock>) -> Self {
        let leptos = settings.leptos_options();
        let github = GitHub::new(&settings.github, settings.github_timeouts).unwrap_or_else(|e| {
            tracing::error!("{e}; publishing is a dry run");
            GitHub::dry_run()
        });
        let backoff = settings.publish_backoff;
        Self {
            github,
            publisher: Arc::default(),
            publishing_lock: Arc::default(),
            backoff,
            db,
            settings: Arc::new(settings),
            clock,
            leptos,
            pages: Arc::new(ResponseCache::new(8 * 1024 * 1024)),
            login_throttle: Arc::default(),
            catalog: Arc::default(),
        }
    }

    /// Settings with the real clock.
    pub fn with_system_clock(db: Db, settings: Settings) -> Self {
        Self::new(db, settings, Arc::new(SystemClock))
    }

    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    /// Lines, releases and policy, loaded once per database generation: reads far outnumber
    /// writes, and every write bumps the generation.
    pub async fn catalog(&self) -> Result<Arc<Catalog>, AppError> {
        let generation = self.db.generation();
        if let Some((g, catalog)) = self.catalog.read().expect("catalog lock").as_ref()
            && *g == generation
        {
            return Ok(catalog.clone());
        }
        let fresh = Arc::new(load_catalog(self.db.reader()).await?);
        *self.catalog.write().expect("catalog lock") = Some((generation, fresh.clone()));
        Ok(fresh)
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

/// The state inside a server function or a component rendering on the server.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the Leptos context");
        AppError::Internal
    })
}
