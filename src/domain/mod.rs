//! Pure types and rules shared by the server and the browser: no I/O, no clock, and nothing
//! from the layers above.

pub mod access;
pub mod calendar_rules;
pub mod catalog;
pub mod errors;
pub mod health;
pub mod history;
pub mod lifecycle;
pub mod lookup;
pub mod matrix;
pub mod notification;
pub mod patch_request;
pub mod plan;
pub mod policy;
pub mod policy_form;
pub mod publication;
pub mod schedule;
pub mod security;
pub mod train;
pub mod triage;
pub mod version;
