//! `/patch-requests/{id}`: one request, its decision per line, its timeline, and triage.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::status_pill;
use crate::{
    components::{
        ErrorView, Loading,
        dates::{long_date, short_date},
        page_title, refreshed,
        status::Pill,
    },
    domain::{
        patch_request::{Decision, Severity},
        version::LineId,
    },
    features::patch_requests::{
        RequestDetail,
        api::{DecidePatchRequest, load_patch_request},
    },
};

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
            <Pill kind="info" label=r.category.short() /> " "
            <Pill kind="neutral" label=r.severity.as_str() />
            {r.embargoed.then(|| view! { " " <Pill kind="warn" label="embargoed" /> })}
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
                                        <Pill kind=match t.decision { Decision::Approved => "approved", Decision::Rejected => "rejected", Decision::NotAffected => "cancelled", Decision::Pending => "pending" } label=t.decision.label() />
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
