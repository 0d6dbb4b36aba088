//! `/patch-requests` (the list), `/patch-requests/new` (the form), `/patch-requests/{id}` and
//! `/patch-requests/{id}/edit`.

mod detail;
mod form;
mod list;

pub use detail::PatchRequestPage;
pub use form::{EditPatchRequestPage, NewPatchRequestPage};
pub use list::PatchRequestsPage;

use leptos::prelude::*;

use crate::{components::status::Pill, domain::patch_request::RequestStatus};

/// A request's status as a pill.
pub(super) fn status_pill(status: RequestStatus) -> impl IntoView {
    let kind = match status {
        RequestStatus::Open => "pending",
        RequestStatus::Deferred => "deferred",
        RequestStatus::Approved => "approved",
        RequestStatus::Rejected => "rejected",
        RequestStatus::Shipped => "published",
        RequestStatus::Withdrawn => "withdrawn",
    };
    view! { <Pill kind=kind label=status.as_str() /> }
}
