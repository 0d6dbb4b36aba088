//! Identity: signing in and out, users, sessions and API tokens. What each role may do is
//! decided once, in `domain::access`.

pub mod api;
pub mod page;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
