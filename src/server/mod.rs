//! Server-only wiring: settings, state, database, routes, middleware, background work.

pub mod assets;
pub mod auth;
pub mod cache;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod github;
pub mod pages;
pub mod router;
pub mod security;
pub mod serve;
pub mod state;
pub mod worker;
