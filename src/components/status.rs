//! Status pills: colour plus words, never colour alone.

use leptos::prelude::*;

use crate::domain::policy::LineStatus;

#[component]
pub fn LineStatusPill(status: LineStatus) -> impl IntoView {
    let class = match status {
        LineStatus::Planned => "pill pill-planned",
        LineStatus::InDevelopment => "pill pill-development",
        LineStatus::Current => "pill pill-current",
        LineStatus::Supported => "pill pill-supported",
        LineStatus::EndOfLife => "pill pill-eol",
    };
    view! { <span class=class>{status.label()}</span> }
}

/// A generic pill with a CSS modifier and a label.
#[component]
pub fn Pill(#[prop(into)] kind: String, #[prop(into)] label: String) -> impl IntoView {
    view! { <span class=format!("pill pill-{kind}")>{label}</span> }
}
