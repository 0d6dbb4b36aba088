//! The pages of the releases section.

mod detail;
mod matrix;
mod timeline;

pub use detail::ReleasePage;
pub use matrix::ReleasesPage;
