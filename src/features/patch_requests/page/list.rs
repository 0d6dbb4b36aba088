//! `/patch-requests`: the list with its filters, and the on-call rotation.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Form, hooks::use_query_map};

use super::status_pill;
use crate::{
    components::{
        Loaded, Loading,
        dates::{long_date, short_date},
        form::{Control, Field, FieldMessage, FormError, message_for},
        reload_when,
        status::Pill,
        succeeded,
    },
    domain::patch_request::{Category, Decision, RequestStatus, Severity},
    features::{
        auth::page::use_viewer,
        patch_requests::{
            ListQuery, MAX_SEARCH, RequestList,
            api::{AssignOncall, DecideSeveral, list_patch_requests, load_rotation},
        },
    },
};

#[component]
pub fn PatchRequestsPage() -> impl IntoView {
    let query = use_query_map();
    let list = Resource::new(
        move || {
            let q = query.read();
            let get = |k: &str| q.get(k).unwrap_or_default();
            ListQuery {
                status: get("status"),
                line: get("line"),
                decision: get("decision"),
                category: get("category"),
                severity: get("severity"),
                mine: get("mine"),
                q: get("q"),
                page: get("page"),
            }
        },
        list_patch_requests,
    );
    let is_manager = use_viewer().is_manager();
    let signed_in = use_viewer().role().is_some();
    view! {
        <Title text="Patch requests · Trainyard" />
        <div class="page-head">
            <h1>"Patch requests"</h1>
            <p class="toolbar">
                {signed_in.then(|| view! { <a class="button secondary" href="/patch-requests?mine=1">"My requests"</a> " " })}
                <a class="button" href="/patch-requests/new">"Request a patch release"</a>
            </p>
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
            <div class="field">
                <label for="f-q">"Search"</label>
                <input id="f-q" type="search" name="q" maxlength=MAX_SEARCH value=f.search.clone().unwrap_or_default()
                    placeholder="title, bug or fix link, CVE, requester" />
            </div>
            <FilterSelect id="f-status" name="status" label="Status"
                options=RequestStatus::ALL.map(|s| (s.as_str().to_owned(), s.as_str().to_owned(), f.status == Some(s))).to_vec() />
            <FilterSelect id="f-line" name="line" label="Line"
                options=list.lines.iter().map(|l| (l.to_string(), l.to_string(), f.line == Some(*l))).collect() />
            <FilterSelect id="f-decision" name="decision" label="Line's decision"
                options=Decision::ALL.map(|d| (d.as_str().to_owned(), d.label().to_owned(), f.decision == Some(d))).to_vec() />
            <FilterSelect id="f-category" name="category" label="Category"
                options=Category::ALL.map(|c| (c.as_str().to_owned(), c.short().to_owned(), f.category == Some(c))).to_vec() />
            <FilterSelect id="f-severity" name="severity" label="Severity"
                options=Severity::ALL.map(|s| (s.as_str().to_owned(), s.as_str().to_owned(), f.severity == Some(s))).to_vec() />
            {list.signed_in.then(|| view! {
                <label class="choice" for="f-mine"><input type="checkbox" id="f-mine" name="mine" value="1" checked=f.mine />"Mine only"</label>
            })}
            <p><button type="submit">"Filter"</button></p>
        </Form>
        {list.queue_slot.clone().zip(f.line).map(|(slot, line)| {
            let by = slot.cherry_pick_deadline.map(|d| format!(" and merged by the end of {} (UTC)", short_date(d))).unwrap_or_default();
            view! {
                <p class="callout">
                    "Pending on " {line.to_string()} ", oldest first: a fix approved" {by} " ships in "
                    {slot.label.clone()} " on " {short_date(slot.target)} "."
                </p>
            }
        })}
        {f.line.filter(|_| list.can_triage && f.decision == Some(Decision::Pending) && !list.items.is_empty()).map(|line| {
            let items = list.items.iter().map(|r| (r.id, r.title.clone())).collect::<Vec<_>>();
            view! { <QueueDecisions line=line.to_string() items /> }
        })}
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
                                        {r.embargoed.then(|| view! { " " <Pill kind="warn" label="embargoed" /> })}
                                    </th>
                                    <td>{r.category.short()} " · " {r.severity.as_str()}</td>
                                    <td>
                                        <ul class="line-states">
                                            {r.line_states.iter().map(|(line, state)| view! { <li>{line.to_string()} " " <span class="muted">{state.clone()}</span></li> }).collect_view()}
                                        </ul>
                                    </td>
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

/// One decision for several requests of a line's queue; those refused are listed with why,
/// and the page loads again once all went through.
#[island]
fn QueueDecisions(line: String, items: Vec<(i64, String)>) -> impl IntoView {
    let act = ServerAction::<DecideSeveral>::new();
    let ticked = RwSignal::new(Vec::<i64>::new());
    reload_when(move || act.value().with(|v| matches!(v, Some(Ok(done)) if done.refused.is_empty())));
    let error = Signal::derive(move || act.value().get().and_then(Result::err));
    let ids = move || ticked.get().iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
    let refused = move || act.value().get().and_then(Result::ok).filter(|d| !d.refused.is_empty());
    let (heading, form_label) = (line.clone(), format!("Decide several on {line}"));
    view! {
        <section class="card" aria-labelledby="several-heading">
            <h2 id="several-heading">"Decide several on " {heading}</h2>
            <ActionForm action=act attr:class="stack" attr:aria-label=form_label>
                <fieldset class="field" aria-describedby="ids-error">
                    <legend>"Requests"</legend>
                    {items.into_iter().map(|(id, title)| {
                        let box_id = format!("several-{id}");
                        let label_for = box_id.clone();
                        view! {
                            <label class="choice" for=label_for>
                                <input type="checkbox" id=box_id on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    ticked.update(|t| { t.retain(|x| *x != id); if on { t.push(id); } });
                                } />
                                <span>"#" {id} " " {title}</span>
                            </label>
                        }
                    }).collect_view()}
                    <FieldMessage message=message_for(error, "ids") id="ids-error".to_owned() />
                </fieldset>
                <input type="hidden" name="ids" prop:value=ids value="" />
                <input type="hidden" name="line" value=line />
                <Field name="reason" id="several-reason" label="Reason (required to reject, and for an S3 or S4 exception)"
                    max_length=1000 message=message_for(error, "reason") />
                <FormError error fields=&["ids", "reason"] />
                <p>
                    <button type="submit" name="decision" value="approved" disabled=move || act.pending().get()>"Approve ticked"</button>
                    " "
                    <button type="submit" name="decision" value="rejected" class="secondary" disabled=move || act.pending().get()>"Reject ticked"</button>
                </p>
            </ActionForm>
            {move || refused().map(|d| view! {
                <div class="callout" role="status">
                    <p>{format!("{} decided; these were not:", d.decided.len())}</p>
                    <ul>{d.refused.into_iter().map(|(id, why)| view! { <li>"#" {id} ": " {why}</li> }).collect_view()}</ul>
                    <p><a href="">"Load the queue again"</a></p>
                </div>
            })}
        </section>
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
            <Field name="week" id="oncall-week" label="Week of" control=Control::Date required=true
                message=message_for(error, "week") />
            <Field name="user" id="oncall-user" label="User name" required=true message=message_for(error, "user") />
            <FormError error fields=&["week", "user"] />
            <p><button type="submit">"Assign"</button></p>
        </ActionForm>
    }
}
