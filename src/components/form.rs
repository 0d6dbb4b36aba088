//! Form widgets: every field has its label, an optional hint, and its error message right
//! next to it; an error that belongs to no field shows above the submit button.

use leptos::prelude::*;

use crate::error::AppError;

/// What a field is typed into.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Control {
    #[default]
    Text,
    Url,
    Date,
    Password,
    TextArea,
    /// A choice among (value, text) options.
    Select(Vec<(String, String)>),
}

/// The message `error` has for `field`, as a signal a field can show.
pub fn message_for(error: Signal<Option<AppError>>, field: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || error.get().and_then(|e| e.message_for(field)))
}

/// One labelled field. `id` defaults to `name`; the message below it has the id `{id}-error`,
/// which the control names in `aria-describedby`. With `bind`, the field reads and writes that
/// signal as the person types (islands that check as you type).
#[component]
pub fn Field(
    name: &'static str,
    #[prop(into)] label: String,
    #[prop(optional, into)] id: Option<String>,
    #[prop(default = Control::Text)] control: Control,
    #[prop(optional, into)] value: String,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional, into)] placeholder: Option<String>,
    #[prop(optional)] required: bool,
    #[prop(optional)] max_length: Option<usize>,
    #[prop(optional, into)] min: Option<String>,
    #[prop(optional, into)] autocomplete: Option<&'static str>,
    #[prop(optional, into)] message: Option<Signal<Option<String>>>,
    #[prop(optional)] bind: Option<RwSignal<String>>,
    #[prop(optional)] on_blur: Option<Callback<()>>,
) -> impl IntoView {
    let id = id.unwrap_or_else(|| name.to_owned());
    let error_id = format!("{id}-error");
    let message = message.unwrap_or_else(|| Signal::derive(|| None));
    let invalid = move || message.with(Option::is_some).then_some("true");
    let value = bind.map(|b| b.get_untracked()).unwrap_or(value);
    let on_input = move |ev: leptos::ev::Event| {
        if let Some(b) = bind {
            b.set(event_target_value(&ev));
        }
    };
    let blurred = move |_| {
        if let Some(f) = on_blur {
            f.run(());
        }
    };
    let control = match control {
        Control::TextArea => view! {
            <textarea
                id=id.clone()
                name=name
                required=required
                maxlength=max_length
                placeholder=placeholder
                on:input=on_input
                on:blur=blurred
                aria-invalid=invalid
                aria-describedby=error_id.clone()
            >
                {value}
            </textarea>
        }
        .into_any(),
        Control::Select(options) => view! {
            <select
                id=id.clone()
                name=name
                required=required
                on:change=on_input
                on:blur=blurred
                aria-invalid=invalid
                aria-describedby=error_id.clone()
            >
                {options
                    .into_iter()
                    .map(|(v, text)| {
                        let selected = v == value;
                        view! { <option value=v selected=selected>{text}</option> }
                    })
                    .collect_view()}
            </select>
        }
        .into_any(),
        kind => {
            let kind = match kind {
                Control::Url => "url",
                Control::Date => "date",
                Control::Password => "password",
                _ => "text",
            };
            view! {
                <input
                    id=id.clone()
                    type=kind
                    name=name
                    value=value
                    required=required
                    maxlength=max_length
                    min=min
                    placeholder=placeholder
                    autocomplete=autocomplete
                    on:input=on_input
                    on:blur=blurred
                    aria-invalid=invalid
                    aria-describedby=error_id.clone()
                />
            }
            .into_any()
        }
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            {control}
            {hint.map(|h| view! { <p class="hint">{h}</p> })}
            <FieldMessage message id=error_id />
        </div>
    }
}

/// A labelled group of radio buttons: (value, text) options, one chosen.
#[component]
pub fn RadioGroup(
    name: &'static str,
    #[prop(into)] legend: String,
    options: Vec<(&'static str, &'static str)>,
    bind: RwSignal<String>,
    #[prop(optional, into)] message: Option<Signal<Option<String>>>,
    #[prop(optional)] on_change: Option<Callback<()>>,
) -> impl IntoView {
    let error_id = format!("{name}-error");
    let described_by = error_id.clone();
    let message = message.unwrap_or_else(|| Signal::derive(|| None));
    view! {
        <fieldset class="field" aria-describedby=described_by>
            <legend>{legend}</legend>
            {options
                .into_iter()
                .map(|(value, label)| {
                    let id = format!("{name}-{value}");
                    let label_for = id.clone();
                    view! {
                        <label class="choice" for=label_for>
                            <input
                                type="radio"
                                id=id
                                name=name
                                value=value
                                checked=bind.get_untracked() == value
                                on:change=move |_| {
                                    bind.set(value.to_owned());
                                    if let Some(f) = on_change {
                                        f.run(());
                                    }
                                }
                            />
                            <span>{label}</span>
                        </label>
                    }
                })
                .collect_view()}
            <FieldMessage message id=error_id />
        </fieldset>
    }
}

/// The message under a field, announced to screen readers; always in the page (hidden when
/// there is none), so the `aria-describedby` of its control always resolves.
#[component]
pub fn FieldMessage(#[prop(into)] message: Signal<Option<String>>, id: String) -> impl IntoView {
    view! {
        <p class="field-error" id=id role="alert" hidden=move || message.with(Option::is_none)>
            {move || message.get()}
        </p>
    }
}

/// An action's error that belongs to none of its form's `fields` (a conflict, a refusal, a
/// server that could not be reached), shown above the submit button.
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<AppError>>, fields: &'static [&'static str]) -> impl IntoView {
    move || {
        error
            .get()
            .filter(|e| e.field_errors().iter().all(|f| !fields.contains(&f.field.as_str())))
            .map(|e| view! { <p class="field-error form-error" role="alert">{e.to_string()}</p> })
    }
}
