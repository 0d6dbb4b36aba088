//! Time is an input: everything asks the clock in `AppState`, so tests can move it.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, Utc};

/// Where "now" comes from; tests set it by hand.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;

    /// Today's calendar date in UTC: every date the train keeps is a UTC calendar date.
    fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until moved, for tests of timeouts and schedules.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<DateTime<Utc>>>);

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(Arc::new(Mutex::new(at)))
    }

    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().expect("clock lock") = at;
    }

    pub fn advance(&self, by: chrono::Duration) {
        let mut now = self.0.lock().expect("clock lock");
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("clock lock")
    }
}

/// The system clock, or a clock stopped at `pinned` (`TRAINYARD_NOW`, for demos and tests).
pub fn clock_of(pinned: Option<DateTime<Utc>>) -> Arc<dyn Clock> {
    match pinned {
        Some(at) => {
            tracing::warn!("the clock is pinned to {at} (TRAINYARD_NOW)");
            Arc::new(ManualClock::new(at))
        }
        None => Arc::new(SystemClock),
    }
}
