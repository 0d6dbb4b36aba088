//! `/patch-requests`, `/patch-requests/new` and `/patch-requests/{id}`.

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::Form,
    hooks::{use_params_map, use_query_map},
};

use super::{
    Decision, FormContext, LineSlot, RequestDetail, RequestList, RequestStatus,
    api::{
        AssignOncall, DecidePatchRequest, FilePatchRequest, list_patch_requests, load_patch_form, load_patch_request,
        load_rotation,
    },
};
use crate::{
    components::{
        ErrorView, Loaded, Loading,
        dates::{long_date, short_date},
        go_to, page_title, refreshed, reload_when, succeeded,
    },
    domain::{
        patch_request::{Category, MAX_LINK, MAX_TEXT, MAX_TITLE, NewPatchRequest, PatchRequestForm, Risk, Severity},
        version::LineId,
    },
    error::{AppError, FieldError},
    features::auth::page::use_viewer,
};

fn status_pill(status: RequestStatus) -> impl IntoView {
    let kind = match status {
        RequestStatus::Open => "pending",
        RequestStatus::Deferred => "deferred",
        RequestStatus::Approved => "approved",
        RequestStatus::Rejected => "rejected",
        RequestStatus::Shipped => "published",
    };
    view! { <span class=format!("pill pill-{kind}")>{status.as_str()}</span> }
}

// ---------------------------------------------------------------------------------------------
// The list

#[component]
pub fn PatchRequestsPage() -> impl IntoView {
    let query = use_query_map();
    let list = Resource::new(
        move || {
            let q = query.read();
            let get = |k: &str| q.get(k).unwrap_or_default();
            (get("status"), get("line"), get("category"), get("severity"), get("mine"), get("page"))
        },
        |(status, line, category, severity, mine, page)| {
            list_patch_requests(status, line, category, severity, mine, page)
        },
    );
    let is_manager = use_viewer().is_manager();
    view! {
        <Title text="Patch requests · Trainyard" />
        <div class="page-head">
            <h1>"Patch requests"</h1>
            <a class="button" href="/patch-requests/new">"Request a patch release"</a>
        </div>
        <p class="lede">"Only stability and security bugs get a patch release, on every supported line they affect; everything else waits for the next monthly release."</p>
        <Loaded data=list content=move |l| view! { <ListView list=l /> } />
        {is_manager.then(|| view! { <Rotation /> })}
    }
}

/// A list filter: a `<select>` whose first choice, "any", leaves it off. `options` are
/// (value, text, chosen).
#[component]
fn FilterSelect(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    options: Vec<(String, String, bool)>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id name=name>
                <option value="">"any"</option>
                {options
                    .into_iter()
                    .map(|(value, text, chosen)| view! { <option value=value selected=chosen.then_some("selected")>{text}</option> })
                    .collect_view()}
            </select>
        </div>
    }
}

#[component]
fn ListView(list: RequestList) -> impl IntoView {
    let f = list.filter.clone();
    let base = f.query();
    let page_href = move |page: u32| {
        if base.is_empty() {
            format!("/patch-requests?page={page}")
        } else {
            format!("/patch-requests?{base}&page={page}")
        }
    };
    let count_href = {
        let f = f.clone();
        move |status: RequestStatus| {
            let mut with = f.clone();
            with.status = Some(status);
            with.page = 1;
            format!("/patch-requests?{}", with.query())
        }
    };
    view! {
        <nav class="counts" aria-label="Requests by status">
            {list.counts.iter().map(|(s, n)| {
                let current = f.status == Some(*s);
                view! { <a href=count_href(*s) aria-current=current.then_some("true")>{s.as_str()} " " <span class="count">{*n}</span></a> }
            }).collect_view()}
            <a href="/patch-requests">"all"</a>
        </nav>
        <Form method="GET" action="/patch-requests" attr:class="filters">
            <FilterSelect id="f-status" name="status" label="Status"
                options=RequestStatus::ALL.map(|s| (s.as_str().to_owned(), s.as_str().to_owned(), f.status == Some(s))).to_vec() />
            <FilterSelect id="f-line" name="line" label="Line"
                options=list.lines.iter().map(|l| (l.to_string(), l.to_string(), f.line == Some(*l))).collect() />
            <FilterSelect id="f-category" name="category" label="Category"
                options=Category::ALL.map(|c| (c.as_str().to_owned(), c.short().to_owned(), f.category == Some(c))).to_vec() />
            <FilterSelect id="f-severity" name="severity" label="Severity"
                options=Severity::ALL.map(|s| (s.as_str().to_owned(), s.as_str().to_owned(), f.severity == Some(s))).to_vec() />
            {list.signed_in.then(|| view! {
                <label class="choice" for="f-mine"><input type="checkbox" id="f-mine" name="mine" value="1" checked=f.mine />"Mine only"</label>
            })}
            <p><button type="submit">"Filter"</button></p>
        </Form>
        {if list.items.is_empty() {
            view! { <p>"No requests match these filters."</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="requests">
                        <thead>
                            <tr>
                                <th scope="col">"#"</th>
                                <th scope="col">"Title"</th>
                                <th scope="col">"Kind"</th>
                                <th scope="col">"Lines"</th>
                                <th scope="col">"Status"</th>
                                <th scope="col">"Filed"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {list.items.into_iter().map(|r| view! {
                                <tr>
                                    <td>{r.id}</td>
                                    <th scope="row">
                                        <a href=format!("/patch-requests/{}", r.id)>{r.title.clone()}</a>
                                        {r.embargoed.then(|| view! { " " <span class="pill pill-warn">"embargoed"</span> })}
                                    </th>
                                    <td>{r.category.short()} " · " {r.severity.as_str()}</td>
                                    <td>{r.lines.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")}</td>
                                    <td>{status_pill(r.status)}</td>
                                    <td>{short_date(r.created_at.date_naive())} <span class="muted">" by " {r.requester.clone()}</span></td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
        <nav class="pager" aria-label="Pages">
            {(f.page > 1).then(|| view! { <a href=page_href(f.page - 1) rel="prev">"← Newer"</a> })}
            <span>"Page " {f.page} " of " {list.pages} " · " {list.total} " requests"</span>
            {(f.page < list.pages).then(|| view! { <a href=page_href(f.page + 1) rel="next">"Older →"</a> })}
        </nav>
    }
}

/// Who triages new requests, week by week (release managers).
#[component]
fn Rotation() -> impl IntoView {
    let rotation = Resource::new(|| (), |_| load_rotation());
    view! {
        <section aria-labelledby="rotation-heading" class="rotation">
            <h2 id="rotation-heading">"Triage on-call"</h2>
            <p class="hint">"The on-call person of the week is shown as the triage owner of new requests."</p>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match rotation.await {
                        Ok(weeks) if weeks.is_empty() => view! { <p>"Nobody is on call yet."</p> }.into_any(),
                        Ok(weeks) => view! {
                            <ul>{weeks.into_iter().map(|(w, name)| view! { <li>"Week of " {long_date(w)} ": " <strong>{name}</strong></li> }).collect_view()}</ul>
                        }.into_any(),
                        Err(e) => view! { <p class="field-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <AssignOncallForm />
        </section>
    }
}

/// Assigning a week; the list above is the server's, so a success loads the page again.
#[island]
fn AssignOncallForm() -> impl IntoView {
    let assign = ServerAction::<AssignOncall>::new();
    reload_when(move || succeeded(assign));
    let error = Signal::derive(move || assign.value().get().and_then(Result::err));
    view! {
        <ActionForm action=assign attr:class="stack" attr:aria-label="Assign on-call">
            <div class="field">
                <label for="oncall-week">"Week of"</label>
                <input id="oncall-week" type="date" name="week" required />
                <crate::components::form::FieldError error field="week" />
            </div>
            <div class="field">
                <label for="oncall-user">"User name"</label>
                <input id="oncall-user" type="text" name="user" required />
                <crate::components::form::FieldError error field="user" />
            </div>
            <p><button type="submit">"Assign"</button></p>
        </ActionForm>
    }
}

// ---------------------------------------------------------------------------------------------
// The form

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
    let submit = ServerAction::<FilePatchRequest>::new();
    Effect::new(move |_| match submit.value().get() {
        Some(Ok(id)) => go_to(&format!("/patch-requests/{id}")),
        Some(Err(e)) => {
            attempted.set(true);
            server_errors.set(e.field_errors());
        }
        None => {}
    });
    let general_error = move || {
        submit
            .value()
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
            submit.dispatch(FilePatchRequest { form: form.get_untracked() });
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
    let blur = move |name: &'static str| {
        move |_| {
            touched.update(|t| {
                t.insert(name);
            })
        }
    };
    let text_input = move |name: &'static str,
                           label: &'static str,
                           signal: RwSignal<String>,
                           kind: &'static str,
                           max: usize,
                           hint: &'static str| {
        let id = format!("pr-{name}");
        let label_for = id.clone();
        let error_id = format!("{name}-error");
        view! {
            <div class="field">
                <label for=label_for>{label}</label>
                <input
                    id=id
                    type=kind
                    name=name
                    maxlength=max
                    value=signal.get_untracked()
                    on:input=move |ev| signal.set(event_target_value(&ev))
                    on:blur=blur(name)
                    aria-invalid=move || error_for(name).is_some().to_string()
                    aria-describedby=error_id.clone()
                />
                <p class="hint">{hint}</p>
                <FieldMessage message=Signal::derive(move || error_for(name)) id=error_id />
            </div>
        }
    };
    let text_area = move |name: &'static str, label: &'static str, signal: RwSignal<String>, hint: &'static str| {
        let id = format!("pr-{name}");
        let label_for = id.clone();
        let error_id = format!("{name}-error");
        view! {
            <div class="field">
                <label for=label_for>{label}</label>
                <textarea
                    id=id
                    name=name
                    maxlength=MAX_TEXT
                    prop:value=move || signal.get()
                    on:input=move |ev| signal.set(event_target_value(&ev))
                    on:blur=blur(name)
                    aria-invalid=move || error_for(name).is_some().to_string()
                    aria-describedby=error_id.clone()
                >
                    {signal.get_untracked()}
                </textarea>
                <p class="hint">{hint} " At most " {MAX_TEXT} " characters."</p>
                <FieldMessage message=Signal::derive(move || error_for(name)) id=error_id />
            </div>
        }
    };
    let radio_group = move |name: &'static str,
                            legend: &'static str,
                            signal: RwSignal<String>,
                            options: Vec<(&'static str, &'static str)>| {
        let error_id = format!("{name}-error");
        let described_by = error_id.clone();
        view! {
            <fieldset class="field" aria-describedby=described_by>
                <legend>{legend}</legend>
                {options.into_iter().map(|(value, label)| {
                    let id = format!("pr-{name}-{value}");
                    let label_for = id.clone();
                    view! {
                        <label class="choice" for=label_for>
                            <input
                                type="radio"
                                id=id
                                name=name
                                value=value
                                checked=signal.get_untracked() == value
                                on:change=move |_| { signal.set(value.to_owned()); touched.update(|t| { t.insert(name); }); }
                            />
                            <span>{label}</span>
                        </label>
                    }
                }).collect_view()}
                <FieldMessage message=Signal::derive(move || error_for(name)) id=error_id />
            </fieldset>
        }
    };
    let lines = context.lines.clone();
    view! {
        <form method="post" action="/patch-requests/new" class="stack patch-form" on:submit=on_submit novalidate=true>
            {move || general_error().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            {text_input("title", "Title", title, "text", MAX_TITLE, "What breaks, in a sentence. At most 120 characters.")}
            {radio_group("category", "What kind of bug is it?", category, Category::ALL.iter().map(|c| (c.as_str(), c.label())).collect())}
            {verdict}
            {radio_group("severity", "Severity", severity, Severity::ALL.iter().map(|s| (s.as_str(), s.explanation())).collect())}
            {text_input("bug_link", "Bug link (required)", bug_link, "url", MAX_LINK, "The issue that describes the bug: an http(s) link.")}
            {text_input("fix_link", "Fix link", fix_link, "url", MAX_LINK, "The pull request or commit that fixes it, if there is one.")}
            {text_area("impact", "Impact if declined", impact, "Who is hurt, and how, if this waits for the monthly release.")}
            {radio_group("risk", "Risk of the fix", risk, Risk::ALL.iter().map(|r| (r.as_str(), r.as_str())).collect())}
            {text_area("risk_reason", "Why that risk", risk_reason, "Required when the risk is high.")}
            {text_area("testing", "Testing done", testing, "Tests added, manual checks.")}
            {radio_group("verified_on_daily", "Verified on a daily build?", verified, vec![("yes", "yes"), ("no", "no")])}
            {text_area("workaround", "Workaround", workaround, "What users can do until it ships.")}
            {move || (category.get() == "security").then(|| view! {
                <fieldset class="security-fields">
                    <legend>"Security"</legend>
                    {text_input("cve_id", "CVE id", cve_id, "text", 20, "Like CVE-2026-12345, if assigned.")}
                    <label class="choice" for="pr-embargoed">
                        <input type="checkbox" id="pr-embargoed" name="embargoed" value="on" checked=embargoed.get_untracked() on:change=move |ev| embargoed.set(event_target_checked(&ev)) />
                        <span>"Embargoed: visible only to me, release managers and admins until published"</span>
                    </label>
                    <FieldMessage message=Signal::derive(move || error_for("embargoed")) id="embargoed-error".to_owned() />
                </fieldset>
            })}
            <fieldset class="field targets" aria-describedby="targets-error">
                <legend>"Target lines"</legend>
                <p class="hint">"Every supported line is ticked; untick a line the bug does not affect."</p>
                {move || (qualifies() == Some(false)).then(|| view! { <p class="hint">"(A deferred request targets no line.)"</p> })}
                {lines.into_iter().map(|line_slot| view! { <TargetChoice line_slot ticked /> }).collect_view()}
                <FieldMessage message=Signal::derive(move || error_for("targets")) id="targets-error".to_owned() />
            </fieldset>
            <p>
                <button type="submit" disabled=move || submit.pending().get()>
                    {move || if qualifies() == Some(false) { "Record for the monthly release" } else { "File the request" }}
                </button>
            </p>
        </form>
    }
}

#[component]
fn TargetChoice(line_slot: LineSlot, ticked: RwSignal<BTreeSet<String>>) -> impl IntoView {
    let slot = line_slot;
    let line = slot.line.to_string();
    let id = format!("pr-target-{line}");
    let label_for = id.clone();
    let value = line.clone();
    let key = line.clone();
    let next = Some(match slot.next.clone() {
        Some(s) => {
            let deadline = s
                .cherry_pick_deadline
                .map(|d| format!(", cherry-picks merged by {}", short_date(d)))
                .unwrap_or_default();
            format!("next patch {} on {}{deadline}", s.version, short_date(s.target))
        }
        None => "no patch slot left before its end of life; only an S1 can ship out of band".to_owned(),
    });
    let missed = slot.missed.clone().map(|m| {
        let to = slot
            .next
            .clone()
            .map(|n| format!("{} on {}", n.version, short_date(n.target)))
            .unwrap_or_else(|| "a later release".into());
        format!(
            "The cherry-pick deadline for {} ({}) has passed: a request filed now moves to {to}.",
            m.version,
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

#[component]
fn FieldMessage(#[prop(into)] message: Signal<Option<String>>, id: String) -> impl IntoView {
    view! {
        <p class="field-error" id=id role="alert" hidden=move || message.with(Option::is_none)>
            {move || message.get()}
        </p>
    }
}

// ---------------------------------------------------------------------------------------------
// One request

#[component]
pub fn PatchRequestPage() -> impl IntoView {
    let params = use_params_map();
    let detail = Resource::new(move || params.read().get("id").unwrap_or_default(), load_patch_request);
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => {
                        let title = page_title(format!("#{} {} · Trainyard", d.request.id, d.request.title));
                        let body = if d.can_triage && d.request.category.qualifies() {
                            view! { <Triage detail=d /> }.into_any()
                        } else {
                            view! { <RequestView detail=d decide=None /> }.into_any()
                        };
                        view! { <Title text=title /> {body} }.into_any()
                    }
                    Err(e) => view! { <Title text="Not found · Trainyard" /> <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The request as a release manager sees it: decisions update in place.
#[island]
fn Triage(detail: RequestDetail) -> impl IntoView {
    let decide = ServerAction::<DecidePatchRequest>::new();
    let id = detail.request.id.to_string();
    let detail = refreshed(detail, move || decide.version().get(), move || load_patch_request(id.clone()));
    move || view! { <RequestView detail=detail.get() decide=Some(decide) /> }
}

#[component]
fn RequestView(detail: RequestDetail, decide: Option<ServerAction<DecidePatchRequest>>) -> impl IntoView {
    let r = detail.request;
    let id = r.id;
    let qualifies = r.category.qualifies();
    let decide = decide.filter(|_| detail.can_triage && qualifies);
    let can_triage = decide.is_some();
    let s1 = r.severity == Severity::S1;
    let decide_error = move || decide?.value().get().and_then(Result::err).map(|e| e.to_string());
    let link = |href: String| view! { <a href=href.clone() rel="external noopener noreferrer">{href.clone()}</a> };
    let pending = r.targets.iter().any(|t| t.decision == Decision::Pending);
    let today = detail.today.to_string();
    view! {
        <nav aria-label="Breadcrumb" class="breadcrumb"><a href="/patch-requests">"Patch requests"</a> " / #" {id}</nav>
        <h1>{r.title.clone()}</h1>
        <p class="badges">
            {status_pill(r.status)} " "
            <span class="pill pill-info">{r.category.short()}</span> " "
            <span class="pill">{r.severity.as_str()}</span>
            {r.embargoed.then(|| view! { " " <span class="pill pill-warn">"embargoed"</span> })}
        </p>
        {r.deferred_to.clone().map(|v| view! {
            <p class="callout warn">"Deferred: this is not a stability or security bug, so it ships in the monthly release " <a href=format!("/releases/{v}")>{v.clone()}</a> "."</p>
        })}
        <dl class="facts">
            <dt>"Requested by"</dt><dd>{r.requester.clone()} " on " {long_date(r.created_at.date_naive())}</dd>
            <dt>"Triage owner"</dt><dd>{r.triage_owner.clone().unwrap_or_else(|| "the release managers".into())}</dd>
            <dt>"Bug"</dt><dd>{link(r.bug_link.clone())}</dd>
            {r.fix_link.clone().map(|f| view! { <dt>"Fix"</dt><dd>{link(f)}</dd> })}
            {r.cve_id.clone().map(|c| view! { <dt>"CVE"</dt><dd>{c}</dd> })}
            <dt>"Impact if declined"</dt><dd class="prose">{r.impact.clone()}</dd>
            <dt>"Risk"</dt><dd>{r.risk.as_str()} {(!r.risk_reason.is_empty()).then(|| format!(": {}", r.risk_reason))}</dd>
            <dt>"Testing"</dt><dd class="prose">{r.testing.clone()}</dd>
            <dt>"Verified on a daily build"</dt><dd>{if r.verified_on_daily { "yes" } else { "no" }}</dd>
            <dt>"Workaround"</dt><dd class="prose">{r.workaround.clone()}</dd>
        </dl>
        {qualifies.then(|| view! {
            <h2>"Decision per line"</h2>
            <div class="table-wrap">
                <table class="decisions">
                    <thead>
                        <tr>
                            <th scope="col">"Line"</th>
                            <th scope="col">"Decision"</th>
                            <th scope="col">"Ships in"</th>
                            {can_triage.then(|| view! { <th scope="col">"Triage"</th> })}
                        </tr>
                    </thead>
                    <tbody>
                        {r.targets.clone().into_iter().map(|t| {
                            let line = t.line.to_string();
                            let decided = t.decided_by.clone().map(|by| format!(" by {by}")).unwrap_or_default();
                            let ships = t.carrier.clone().map(|c| {
                                let when = c.date.map(short_date).unwrap_or_default();
                                let state = if c.shipped { "shipped" } else { "planned" };
                                view! { <a href=format!("/releases/{}", c.version)>{c.version.to_string()}</a> " · " {when} " (" {state} ")" }
                            });
                            view! {
                                <tr>
                                    <th scope="row">{line.clone()}</th>
                                    <td>
                                        <span class=format!("pill pill-{}", match t.decision { Decision::Approved => "approved", Decision::Rejected => "rejected", Decision::NotAffected => "cancelled", Decision::Pending => "pending" })>{t.decision.label()}</span>
                                        <small class="muted">{decided}</small>
                                        {t.reason.clone().map(|reason| view! { <br /><small>{reason}</small> })}
                                    </td>
                                    <td>{ships.map(IntoAny::into_any).unwrap_or_else(|| "—".into_any())}</td>
                                    {decide.map(|decide| view! { <td><TriageForm id line=t.line decide /></td> })}
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            {decide.filter(|_| pending).map(|decide| view! {
                <section class="card triage-all" aria-labelledby="triage-all-heading">
                    <h3 id="triage-all-heading">"All lines awaiting triage"</h3>
                    <ActionForm action=decide attr:class="inline-form" attr:aria-label="Decide all lines">
                        <input type="hidden" name="id" value=id />
                        <input type="hidden" name="line" value="" />
                        <input type="hidden" name="out_of_band_on" value="" />
                        <label for="all-reason">"Reason (required to reject)"</label>
                        <input id="all-reason" type="text" name="reason" maxlength="1000" />
                        <button type="submit" name="decision" value="approved">"Approve all"</button>
                        <button type="submit" name="decision" value="rejected" class="secondary">"Reject all"</button>
                    </ActionForm>
                    {s1.then(|| view! {
                        <ActionForm action=decide attr:class="inline-form" attr:aria-label="Approve all in an out-of-band release">
                            <input type="hidden" name="id" value=id />
                            <input type="hidden" name="line" value="" />
                            <input type="hidden" name="decision" value="approved" />
                            <input type="hidden" name="reason" value="S1: out-of-band release" />
                            <label for="oob-on">"S1: ship out of band on"</label>
                            <input id="oob-on" type="date" name="out_of_band_on" min=today.clone() required />
                            <button type="submit">"Approve out of band"</button>
                        </ActionForm>
                    })}
                </section>
            })}
            {move || decide_error().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
        })}
        <h2>"Timeline"</h2>
        <ol class="timeline-events">
            {detail.timeline.into_iter().map(|e| view! {
                <li>
                    <time datetime=e.at.to_rfc3339()>{e.at.format("%Y-%m-%d %H:%M UTC").to_string()}</time>
                    " · " <strong>{e.actor}</strong> " " {e.summary}
                </li>
            }).collect_view()}
        </ol>
    }
}

#[component]
fn TriageForm(id: i64, line: LineId, decide: ServerAction<DecidePatchRequest>) -> impl IntoView {
    let reason_id = format!("reason-{line}");
    let label_for = reason_id.clone();
    view! {
        <ActionForm action=decide attr:class="inline-form" attr:aria-label=format!("Decide {line}")>
            <input type="hidden" name="id" value=id />
            <input type="hidden" name="line" value=line.to_string() />
            <input type="hidden" name="out_of_band_on" value="" />
            <label class="visually-hidden" for=label_for>{format!("Reason for {line}")}</label>
            <input id=reason_id type="text" name="reason" maxlength="1000" placeholder="reason (required to reject)" />
            <button type="submit" name="decision" value="approved">"Approve"</button>
            <button type="submit" name="decision" value="not_affected" class="secondary">"Not affected"</button>
            <button type="submit" name="decision" value="rejected" class="secondary">"Reject"</button>
        </ActionForm>
    }
}

/// Turns field errors into the `Posted` value a failed plain form post renders with.
pub fn posted(form: PatchRequestForm, error: &AppError) -> super::Posted {
    let mut errors = error.field_errors();
    if errors.is_empty() {
        errors.push(FieldError { field: String::new(), message: error.to_string() });
    }
    super::Posted { form, errors }
}
