//! The composition root: the router and its middleware, page rendering, the plain-form posts,
//! start-up and shutdown, the command line, the background worker and the demo data. Server
//! only; nothing imports it but `main.rs`, `lib.rs` and the tests.

pub mod assets;
pub mod cache;
pub mod cli;
pub mod demo;
pub mod forms;
pub mod front;
pub mod metrics;
pub mod pages;
pub mod router;
pub mod security;
pub mod serve;
pub mod session;
pub mod worker;
