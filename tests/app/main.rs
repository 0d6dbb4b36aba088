//! Integration tests: the real router on 127.0.0.1:0 against a fresh SQLite file, driven
//! through real HTTP.
#![cfg(feature = "ssr")]

mod calendar;
mod corrections;
mod endpoints;
mod fake_github;
mod harness;
mod history;
mod hostile;
mod identity;
mod layers;
mod matrix;
mod notifications;
mod patch_releases;
mod patch_requests;
mod properties;
mod publishing;
mod receivers;
mod races;
mod request_changes;
mod serving;
mod staying_power;
mod support;
mod train;
mod world;
