//! What the features need from the server, and nothing of theirs: shared state, the context of
//! a call, the database, the clock, settings, the GitHub boundary, secrets, throttling, the
//! page cache and answers kept until the next write, operational metrics, and sending mail and webhooks. Server only.

pub mod assets;
pub mod clock;
pub mod context;
pub mod cookies;
pub mod db;
pub mod github;
pub mod metrics;
pub mod notify;
pub mod page_cache;
pub mod remembered;
pub mod secrets;
pub mod settings;
pub mod smtp;
pub mod state;
pub mod throttle;
