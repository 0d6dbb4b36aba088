//! Pure types and rules shared by the server and the browser: no I/O, no clock.

pub mod calendar_rules;
pub mod patch_request;
pub mod policy;
pub mod schedule;
pub mod train;
pub mod version;
