//! `/patch-requests/new`: the request form, which answers as you type; the same form edits a
//! request at `/patch-requests/{id}/edit` until triage starts.

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    components::{
        Loaded,
        dates::{long_date, short_date},
        form::{Control, Field, FieldMessage, RadioGroup},
        go_to,
    },
    domain::patch_request::{
        Category, MAX_LINK, MAX_TEXT, MAX_TITLE, NewPatchRequest, PatchRequestForm, Risk, Severity,
    },
    error::AppError,
    features::{
        auth::page::use_viewer,
        patch_requests::{
            FormContext, LineSlot,
            api::{EditPatchRequest, FilePatchRequest, FindSameBug, load_patch_edit, load_patch_form},
        },
    },
};

#[component]
pub fn NewPatchRequestPage() -> impl IntoView {
    let context = Resource::new(|| (), |_| load_patch_form());
    let signed_out = use_viewer().viewer.is_none();
    view! {
        <Title text="Request a patch release · Trainyard" />
        <h1>"Request a patch release"</h1>
        {signed_out.then(|| view! {
            <p class="callout warn">"You can fill in the form, but you must " <a href="/login?next=/patch-requests/new">"sign in"</a> " as a developer to file it."</p>
        })}
        <Loaded data=context content=move |c| view! { <PatchForm context=c /> } />
    }
}

#[component]
pub fn EditPatchRequestPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let context = Resource::new(id, load_patch_edit);
    view! {
        <Title text=move || format!("Edit request #{} · Trainyard", id()) />
        <nav aria-label="Breadcrumb" class="breadcrumb">
            <a href="/patch-requests">"Patch requests"</a> " / " <a href=move || format!("/patch-requests/{}", id())>{move || format!("#{}", id())}</a> " / edit"
        </nav>
        <h1>"Edit the request"</h1>
        <p class="hint">"You can change anything until triage starts; the timeline records what changed."</p>
        <Loaded data=context content=move |c| view! { <PatchForm context=c /> } />
    }
}

/// The request form: it checks as you type with the same parser the server uses.
#[island]
fn PatchForm(context: FormContext) -> impl IntoView {
    let supported = context.supported();
    let (initial, server_errors) = match context.posted.clone() {
        Some(p) => (p.form, p.errors),
        None => (
            PatchRequestForm {
                verified_on_daily: "no".into(),
                targets: supported.iter().map(ToString::to_string).collect::<Vec<_>>().join(","),
                ..PatchRequestForm::default()
            },
            Vec::new(),
        ),
    };
    let field = |v: &str| RwSignal::new(v.to_owned());
    let title = field(&initial.title);
    let category = field(&initial.category);
    let severity = field(&initial.severity);
    let bug_link = field(&initial.bug_link);
    let fix_link = field(&initial.fix_link);
    let impact = field(&initial.impact);
    let risk = field(&initial.risk);
    let risk_reason = field(&initial.risk_reason);
    let testing = field(&initial.testing);
    let verified = field(&initial.verified_on_daily);
    let workaround = field(&initial.workaround);
    let cve_id = field(&initial.cve_id);
    let embargoed = RwSignal::new(initial.embargoed == "on");
    let ticked: RwSignal<BTreeSet<String>> = RwSignal::new(
        initial.targets.split(',').map(str::trim).filter(|t| !t.is_empty()).map(ToOwned::to_owned).collect(),
    );
    // Errors show for fields the person has left, or all of them after a submit attempt.
    let touched: RwSignal<BTreeSet<&'static str>> = RwSignal::new(BTreeSet::new());
    let attempted = RwSignal::new(!server_errors.is_empty());
    let server_errors = RwSignal::new(server_errors);

    let form = Memo::new(move |_| PatchRequestForm {
        title: title.get(),
        category: category.get(),
        severity: severity.get(),
        bug_link: bug_link.get(),
        fix_link: fix_link.get(),
        impact: impact.get(),
        risk: risk.get(),
        risk_reason: risk_reason.get(),
        testing: testing.get(),
        verified_on_daily: verified.get(),
        workaround: workaround.get(),
        cve_id: cve_id.get(),
        embargoed: if embargoed.get() { "on".into() } else { String::new() },
        targets: ticked.get().into_iter().collect::<Vec<_>>().join(","),
    });
    let supported_for_parse = supported.clone();
    let parsed = Memo::new(move |_| NewPatchRequest::parse(&form.get(), &supported_for_parse));
    let error_for = move |name: &'static str| {
        let local = parsed
            .with(|p| p.as_ref().err().and_then(|es| es.iter().find(|e| e.field == name).map(|e| e.message.clone())));
        let shown = attempted.get() || touched.with(|t| t.contains(name));
        let from_server = server_errors.with(|es| es.iter().find(|e| e.field == name).map(|e| e.message.clone()));
        if shown { local.or(from_server) } else { from_server }
    };
    let editing = context.editing;
    let submit = ServerAction::<FilePatchRequest>::new();
    let save = ServerAction::<EditPatchRequest>::new();
    // Either action's outcome: the request's number to go to, or the error.
    let outcome = Signal::derive(move || match editing {
        None => submit.value().get(),
        Some(id) => save.value().get().map(|r| r.map(|()| id)),
    });
    let pending = Signal::derive(move || submit.pending().get() || save.pending().get());
    Effect::new(move |_| match outcome.get() {
        Some(Ok(id)) => go_to(&format!("/patch-requests/{id}")),
        Some(Err(e)) => {
            attempted.set(true);
            server_errors.set(e.field_errors());
        }
        None => {}
    });
    let general_error = move || {
        outcome
            .get()
            .and_then(Result::err)
            .filter(|e| e.field_errors().is_empty())
            .map(|e: AppError| e.to_string())
            .or_else(|| server_errors.with(|es| es.iter().find(|e| e.field.is_empty()).map(|e| e.message.clone())))
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        attempted.set(true);
        if parsed.with(|p| p.is_ok()) {
            let form = form.get_untracked();
            match editing {
                None => submit.dispatch(FilePatchRequest { form }),
                Some(id) => save.dispatch(EditPatchRequest { id, form }),
            };
        }
    };
    let qualifies = move || Category::parse(&category.get()).map(Category::qualifies);
    let next_minor = context.next_minor.clone();
    let verdict = move || {
        match qualifies() {
        None => view! { <p class="callout">"Choose what kind of bug this is: only stability and security bugs qualify for a patch release."</p> }.into_any(),
        Some(true) => view! { <p class="callout ok" role="status">"This qualifies for a patch release on every line you tick below."</p> }.into_any(),
        Some(false) => {
            let when = next_minor.clone().map(|(v, d)| format!("{v} on {}", long_date(d))).unwrap_or_else(|| "the next monthly release".into());
            view! {
                <p class="callout warn" role="status">
                    "This does not qualify for a patch release: minor problems and features ship in the next monthly release, "
                    <strong>{when}</strong>". If you submit it, it is recorded as deferred to that release."
                </p>
            }
            .into_any()
        }
    }
    };
    let touch = move |name: &'static str| {
        Callback::new(move |()| {
            touched.update(|t| {
                t.insert(name);
            })
        })
    };
    let message = move |name: &'static str| Signal::derive(move || error_for(name));
    // Leaving the bug link asks whether a request in play has it already: probably the same bug.
    let same_bug = ServerAction::<FindSameBug>::new();
    let bug_link_left = Callback::new(move |()| {
        touched.update(|t| {
            t.insert("bug_link");
        });
        let link = bug_link.get_untracked();
        if link.starts_with("https://") || link.starts_with("http://") {
            same_bug.dispatch(FindSameBug { bug_link: link });
        }
    });
    let same_bug_warning = move || {
        let found = same_bug
            .value()
            .get()
            .and_then(Result::ok)
            .map(|found| found.into_iter().filter(|r| Some(r.id) != editing).collect::<Vec<_>>());
        found.filter(|found| !found.is_empty()).map(|found| {
            view! {
                <div class="callout warn" role="status" id="same-bug">
                    <p>"A request in play has this bug link: it may be the same bug. Add to it rather than filing it again:"</p>
                    <ul>
                        {found.into_iter().map(|r| view! {
                            <li><a href=format!("/patch-requests/{}", r.id)>{format!("#{} {}", r.id, r.title)}</a> " (" {r.status} ")"</li>
                        }).collect_view()}
                    </ul>
                </div>
            }
        })
    };
    let at_most = |hint: &str| format!("{hint} At most {MAX_TEXT} characters.");
    let lines = context.lines.clone();
    let action = match editing {
        None => "/patch-requests/new".to_owned(),
        Some(id) => format!("/patch-requests/{id}/edit"),
    };
    view! {
        <form method="post" action=action class="stack patch-form" on:submit=on_submit novalidate=true>
            {move || general_error().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            <Field name="title" label="Title" bind=title max_length=MAX_TITLE on_blur=touch("title")
                hint="What breaks, in a sentence. At most 120 characters." message=message("title") />
            <RadioGroup name="category" legend="What kind of bug is it?" bind=category on_change=touch("category")
                options=Category::ALL.iter().map(|c| (c.as_str(), c.label())).collect() message=message("category") />
            {verdict}
            <RadioGroup name="severity" legend="Severity" bind=severity on_change=touch("severity")
                options=Severity::ALL.iter().map(|s| (s.as_str(), s.explanation())).collect() message=message("severity") />
            <Field name="bug_link" label="Bug link (required)" control=Control::Url bind=bug_link max_length=MAX_LINK
                on_blur=bug_link_left hint="The issue that describes the bug: an http(s) link." message=message("bug_link") />
            {same_bug_warning}
            <Field name="fix_link" label="Fix link" control=Control::Url bind=fix_link max_length=MAX_LINK
                on_blur=touch("fix_link") hint="The pull request or commit that fixes it, if there is one." message=message("fix_link") />
            <Field name="impact" label="Impact if declined" control=Control::TextArea bind=impact max_length=MAX_TEXT
                on_blur=touch("impact") hint=at_most("Who is hurt, and how, if this waits for the monthly release.") message=message("impact") />
            <RadioGroup name="risk" legend="Risk of the fix" bind=risk on_change=touch("risk")
                options=Risk::ALL.iter().map(|r| (r.as_str(), r.as_str())).collect() message=message("risk") />
            <Field name="risk_reason" label="Why that risk" control=Control::TextArea bind=risk_reason max_length=MAX_TEXT
                on_blur=touch("risk_reason") hint=at_most("Required when the risk is high.") message=message("risk_reason") />
            <Field name="testing" label="Testing done" control=Control::TextArea bind=testing max_length=MAX_TEXT
                on_blur=touch("testing") hint=at_most("Tests added, manual checks.") message=message("testing") />
            <RadioGroup name="verified_on_daily" legend="Verified on a daily build?" bind=verified
                on_change=touch("verified_on_daily") options=vec![("yes", "yes"), ("no", "no")] message=message("verified_on_daily") />
            <Field name="workaround" label="Workaround" control=Control::TextArea bind=workaround max_length=MAX_TEXT
                on_blur=touch("workaround") hint=at_most("What users can do until it ships.") message=message("workaround") />
            {move || (category.get() == "security").then(|| view! {
                <fieldset class="security-fields">
                    <legend>"Security"</legend>
                    <Field name="cve_id" label="CVE id" bind=cve_id max_length=20 on_blur=touch("cve_id")
                        hint="Like CVE-2026-12345, if assigned." message=message("cve_id") />
                    <label class="choice" for="embargoed">
                        <input type="checkbox" id="embargoed" name="embargoed" value="on" checked=embargoed.get_untracked() on:change=move |ev| embargoed.set(event_target_checked(&ev)) />
                        <span>"Embargoed: visible only to me, release managers and admins until published"</span>
                    </label>
                    <FieldMessage message=message("embargoed") id="embargoed-error".to_owned() />
                </fieldset>
            })}
            <fieldset class="field targets" aria-describedby="targets-error">
                <legend>"Target lines"</legend>
                <p class="hint">"Every supported line is ticked; untick a line the bug does not affect."</p>
                {move || (qualifies() == Some(false)).then(|| view! { <p class="hint">"(A deferred request targets no line.)"</p> })}
                {lines.into_iter().map(|line_slot| view! { <TargetChoice line_slot ticked /> }).collect_view()}
                <FieldMessage message=message("targets") id="targets-error".to_owned() />
            </fieldset>
            <p>
                <button type="submit" disabled=move || pending.get()>
                    {move || match (editing, qualifies()) {
                        (Some(_), _) => "Save the changes",
                        (None, Some(false)) => "Record for the monthly release",
                        (None, _) => "File the request",
                    }}
                </button>
            </p>
        </form>
    }
}

#[component]
fn TargetChoice(line_slot: LineSlot, ticked: RwSignal<BTreeSet<String>>) -> impl IntoView {
    let slot = line_slot;
    let line = slot.line.to_string();
    let id = format!("target-{line}");
    let label_for = id.clone();
    let value = line.clone();
    let key = line.clone();
    let next = Some(match slot.next.clone() {
        Some(s) => {
            let deadline = s
                .cherry_pick_deadline
                .map(|d| format!(", cherry-picks merged by the end of {} (UTC)", short_date(d)))
                .unwrap_or_default();
            match &s.version {
                Some(v) if v.is_minor() => format!("ships in the monthly {v} on {}", short_date(s.target)),
                _ => format!("next patch {} on {}{deadline}", s.label, short_date(s.target)),
            }
        }
        None => "no patch slot left before its end of life; only an S1 can ship out of band".to_owned(),
    });
    let missed = slot.missed.clone().map(|m| {
        let to = slot
            .next
            .clone()
            .map(|n| format!("{} on {}", n.label, short_date(n.target)))
            .unwrap_or_else(|| "a later release".into());
        format!(
            "The cherry-pick deadline for {} ({}, end of day UTC) has passed: a request filed now moves to {to}.",
            m.label,
            m.cherry_pick_deadline.map(short_date).unwrap_or_default()
        )
    });
    view! {
        <label class="choice target" for=label_for>
            <input
                type="checkbox"
                id=id
                name="targets"
                value=value
                checked=ticked.with_untracked(|t| t.contains(&line))
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    ticked.update(|t| { if on { t.insert(key.clone()); } else { t.remove(&key); } });
                }
            />
            <span>
                <strong>{line.clone()}</strong> " (" {slot.status.label()} ")"
                {next.map(|n| view! { <br /><small>{n}</small> })}
                {missed.map(|m| view! { <br /><small class="warn-text">{m}</small> })}
            </span>
        </label>
    }
}
