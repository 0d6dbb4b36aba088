//! Operational figures for whoever runs the server, in the OpenMetrics text format that
//! Prometheus scrapes: what was
//! asked and answered, how long renders and writes take, how well the page cache works, and
//! whether sign-ins are being throttled. Values that live in the database (the publishing
//! outbox) are read when scraped, by the web layer that serves them.

use std::time::Duration;

use prometheus_client::{
    encoding::{EncodeLabelSet, text::encode},
    metrics::{
        counter::Counter,
        family::Family,
        gauge::Gauge,
        histogram::{Histogram, exponential_buckets},
    },
    registry::{Registry, Unit},
};

/// One answered request: the route pattern (never the raw path, which anyone can vary), the
/// method and the status.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub route: String,
    pub method: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StateLabels {
    pub state: String,
}

/// From half a millisecond to about half a minute.
pub fn latency() -> Histogram {
    Histogram::new(exponential_buckets(0.0005, 2.0, 17))
}

type Latencies<L> = Family<L, Histogram, fn() -> Histogram>;

/// The server's registry and the handles that fill it.
pub struct Metrics {
    registry: Registry,
    pub requests: Family<RequestLabels, Counter>,
    pub request_seconds: Latencies<RouteLabels>,
    /// Whole page renders (cache misses only: hits never render).
    pub render_seconds: Histogram,
    /// Renders that never finished and were abandoned.
    pub stalled_renders: Counter,
    /// The page cache: `hit`, `miss`.
    pub page_cache: Family<OutcomeLabels, Counter>,
    /// Write transactions from `BEGIN IMMEDIATE` (waiting included) to commit.
    pub write_seconds: Histogram,
    /// Loading the catalog (lines, releases, policy) after a write.
    pub catalog_load_seconds: Histogram,
    /// Sign-in attempts: `ok`, `bad_credentials`, `throttled`, `busy`, `error`.
    pub sign_ins: Family<OutcomeLabels, Counter>,
    /// Publishing rounds that failed or panicked (the worker carries on).
    pub publishing_round_failures: Counter,
    /// Publications by state, read from the outbox when scraped.
    pub publications: Family<StateLabels, Gauge>,
    /// Notification rounds that failed or panicked (the worker carries on).
    pub notification_round_failures: Counter,
    /// Notifications by channel and state (`email:sent`), read from the outbox when scraped.
    pub notifications: Family<StateLabels, Gauge>,
}

impl Metrics {
    /// The registry, with the database's own write timings (`Db::write_seconds`).
    pub fn new(write_seconds: Histogram) -> Self {
        let mut registry = Registry::with_prefix("trainyard");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register("http_requests", "Requests answered, by route pattern, method and status", requests.clone());
        let request_seconds: Latencies<RouteLabels> = Family::new_with_constructor(latency);
        registry.register_with_unit(
            "http_request_duration",
            "Time to answer a request, by route pattern",
            Unit::Seconds,
            request_seconds.clone(),
        );
        let render_seconds = latency();
        registry.register_with_unit("page_render", "Time to render a page", Unit::Seconds, render_seconds.clone());
        let stalled_renders = Counter::default();
        registry.register("page_render_stalls", "Page renders abandoned after stalling", stalled_renders.clone());
        let page_cache = Family::<OutcomeLabels, Counter>::default();
        registry.register("page_cache_lookups", "Page cache lookups, by outcome", page_cache.clone());
        registry.register_with_unit(
            "db_write_transaction",
            "Write transactions, waiting for the writer included",
            Unit::Seconds,
            write_seconds.clone(),
        );
        let catalog_load_seconds = latency();
        registry.register_with_unit(
            "catalog_load",
            "Loading the catalog after a change",
            Unit::Seconds,
            catalog_load_seconds.clone(),
        );
        let sign_ins = Family::<OutcomeLabels, Counter>::default();
        registry.register("sign_in_attempts", "Sign-in attempts, by outcome", sign_ins.clone());
        let publishing_round_failures = Counter::default();
        registry.register(
            "publishing_round_failures",
            "Publishing rounds that failed or panicked",
            publishing_round_failures.clone(),
        );
        let publications = Family::<StateLabels, Gauge>::default();
        registry.register("publications", "Publications in the outbox, by state", publications.clone());
        let notification_round_failures = Counter::default();
        registry.register(
            "notification_round_failures",
            "Notification rounds that failed or panicked",
            notification_round_failures.clone(),
        );
        let notifications = Family::<StateLabels, Gauge>::default();
        registry.register(
            "notifications",
            "Notifications in the outbox, by channel and state (email:pending, webhook:failed, …)",
            notifications.clone(),
        );
        Self {
            registry,
            notification_round_failures,
            notifications,
            requests,
            request_seconds,
            render_seconds,
            stalled_renders,
            page_cache,
            write_seconds,
            catalog_load_seconds,
            sign_ins,
            publishing_round_failures,
            publications,
        }
    }

    pub fn request(&self, route: &str, method: &str, status: u16, took: Duration) {
        self.requests.get_or_create(&RequestLabels { route: route.into(), method: method.into(), status }).inc();
        self.request_seconds.get_or_create(&RouteLabels { route: route.into() }).observe(took.as_secs_f64());
    }

    pub fn outcome(family: &Family<OutcomeLabels, Counter>, outcome: &'static str) {
        family.get_or_create(&OutcomeLabels { outcome }).inc();
    }

    /// Sets the outbox gauges to `counts` (state, number); the caller lists every state.
    pub fn set_publications(&self, counts: &[(String, i64)]) {
        for (state, n) in counts {
            self.publications.get_or_create(&StateLabels { state: state.clone() }).set(*n);
        }
    }

    /// Sets the notification gauges to `counts` (`channel:state`, number); the caller lists
    /// every pair.
    pub fn set_notifications(&self, counts: &[(String, i64)]) {
        for (state, n) in counts {
            self.notifications.get_or_create(&StateLabels { state: state.clone() }).set(*n);
        }
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        encode(&mut out, &self.registry).expect("writing to a String cannot fail");
        out
    }
}
