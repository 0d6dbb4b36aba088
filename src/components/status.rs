//! Status pills: colour plus words, never colour alone.

use leptos::prelude::*;

use crate::domain::policy::LineStatus;

#[component]
pub fn LineStatusPill(status: LineStatus) -> impl IntoView {
    let kind = match status {
        LineStatus::Planned => "planned",
        LineStatus::InDevelopment => "development",
        LineStatus::Current => "current",
        LineStatus::Supported => "supported",
        LineStatus::EndOfLife => "eol",
    };
    view! { <Pill kind label=status.label() /> }
}

/// A generic pill with a CSS modifier and a label.
#[component]
pub fn Pill(#[prop(into)] kind: String, #[prop(into)] label: String) -> impl IntoView {
    view! { <span class=format!("pill pill-{kind}")>{label}</span> }
}
