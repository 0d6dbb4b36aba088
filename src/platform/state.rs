//! What every handler and server function shares.

use std::sync::{Arc, RwLock};

use axum::extract::FromRef;
use chrono::NaiveDate;
use leptos::config::LeptosOptions;
use tokio::sync::Notify;

use super::{
    clock::{Clock, SystemClock},
    db::Db,
    github::GitHub,
    metrics::Metrics,
    notify::{Mailer, Webhooks},
    page_cache::PageCache,
    remembered::Remembered,
    settings::{Backoff, Settings},
    throttle::LoginThrottle,
};
use crate::{
    domain::{
        access::{ApiToken, Session},
        catalog::Catalog,
    },
    error::AppError,
};

/// A handle on what the app shares: cloned for every request (axum's state, each middleware),
/// so one reference count, not a copy of every field's handles and the Leptos options' strings.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub struct Shared {
    pub db: Db,
    pub settings: Settings,
    pub clock: Arc<dyn Clock>,
    pub leptos: LeptosOptions,
    pub pages: PageCache,
    pub login_throttle: LoginThrottle,
    /// Sessions by the hash of their cookie, as last read: every signed-in request needs one.
    pub sessions: Remembered<Session>,
    /// Live API tokens by the hash of their secret, as last read: CI sends one on every call.
    pub tokens: Remembered<ApiToken>,
    /// The GitHub boundary (a dry run without a token).
    pub github: GitHub,
    /// Wakes the publishing worker when a new publication is asked for.
    pub publisher: Notify,
    /// One publishing round at a time: GitHub wants mutations serial.
    pub publishing_lock: tokio::sync::Mutex<()>,
    pub backoff: Backoff,
    pub catalog: CatalogCell,
    pub metrics: Metrics,
    /// Where notifications go out: mail (when set up) and webhooks.
    pub mailer: Mailer,
    pub webhooks: Webhooks,
}

impl AppState {
    pub fn new(db: Db, settings: Settings, clock: Arc<dyn Clock>) -> Self {
        let leptos = settings.leptos_options();
        let github = GitHub::new(&settings.github, settings.github_timeouts).unwrap_or_else(|e| {
            tracing::error!("{e}; publishing is a dry run");
            GitHub::dry_run()
        });
        let backoff = settings.publish_backoff;
        let mailer = Mailer::new(&settings.mail).unwrap_or_else(|e| {
            tracing::error!("{e}; no mail is sent");
            Mailer::new(&Default::default()).expect("the default mail settings are valid")
        });
        let webhooks = Webhooks::new(settings.mail.timeout);
        let metrics = Metrics::new(db.write_seconds());
        Self(Arc::new(Shared {
            metrics,
            github,
            publisher: Notify::default(),
            publishing_lock: tokio::sync::Mutex::default(),
            backoff,
            db,
            settings,
            clock,
            leptos,
            pages: PageCache::new(
                8 * 1024 * 1024,
                4 * std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get),
            ),
            login_throttle: LoginThrottle::default(),
            sessions: Remembered::default(),
            tokens: Remembered::default(),
            catalog: CatalogCell::default(),
            mailer,
            webhooks,
        }))
    }

    /// Settings with the real clock.
    pub fn with_system_clock(db: Db, settings: Settings) -> Self {
        Self::new(db, settings, Arc::new(SystemClock))
    }

    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

/// The catalog (lines, releases, policy, blackouts) as last loaded, with the database generation
/// it was loaded at: reads far outnumber writes, and every write bumps the generation. The
/// feature that owns those tables loads it; this only keeps it.
#[derive(Default)]
pub struct CatalogCell(RwLock<Option<CatalogAt>>);

/// A catalog and the database generation it was loaded at.
type CatalogAt = (u64, Arc<Catalog>);

impl CatalogCell {
    /// The catalog of `generation`, loading it with `load` when the kept one is older.
    pub async fn get_or_load<F>(&self, generation: u64, load: F) -> Result<Arc<Catalog>, AppError>
    where
        F: Future<Output = Result<Catalog, AppError>>,
    {
        if let Some((g, catalog)) = self.0.read().expect("catalog lock").as_ref()
            && *g == generation
        {
            return Ok(catalog.clone());
        }
        let fresh = Arc::new(load.await?);
        *self.0.write().expect("catalog lock") = Some((generation, fresh.clone()));
        Ok(fresh)
    }
}
