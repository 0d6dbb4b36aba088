//! `/`: what is next on the train.

pub mod api;
pub mod page;
