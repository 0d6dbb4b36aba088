//! The train's use cases: CI reports, the automation and promotion, and the views.

mod automation;
mod reports;
mod view;

pub use automation::{TickReport, promote, tick};
pub use reports::{report_build, report_result};
pub use view::{current_candidate, current_flags, view};
