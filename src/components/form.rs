//! Form helpers: errors appear next to the field that caused them.

use leptos::prelude::*;

use crate::error::AppError;

/// The message of `error` when it names `field`, announced to screen readers.
#[component]
pub fn FieldError(#[prop(into)] error: Signal<Option<AppError>>, field: &'static str) -> impl IntoView {
    move || {
        error.get().and_then(|e| e.message_for(field)).map(|message| {
            view! { <p class="field-error" id=format!("{field}-error") role="alert">{message}</p> }
        })
    }
}
