//! `/patch-requests/{id}`: one request, each line with its decision, cherry-pick, the release
//! that carries it and whether it shipped; its timeline; triage for managers and cherry-pick
//! tracking, editing and withdrawal for its requester; reclassification for managers.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::status_pill;
use crate::{
    components::{
        ErrorView, Loading,
        dates::{long_date, short_date},
        form::{FieldMessage, FormError, message_for},
        page_title, refreshed,
        status::Pill,
    },
    domain::{
        patch_request::{Category, Decision, Severity},
        triage::MAX_REASON,
        version::LineId,
    },
    error::AppError,
    features::patch_requests::{
        CherryPickState, RequestDetail, Slot, Target,
        api::{
            DecidePatchRequest, DeferPatchRequest, LiftEmbargo, MarkDuplicate, MarkMerged, ReclassifyPatchRequest,
            SetCherryPick, WithdrawPatchRequest, load_patch_request,
        },
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
                        let acts = (d.can_triage || d.can_track) && d.request.category.qualifies();
                        let body = if acts || d.can_withdraw || d.can_reclassify {
                            view! { <RequestActions detail=d /> }.into_any()
                        } else {
                            view! { <RequestView detail=d actions=None /> }.into_any()
                        };
                        view! { <Title text=title /> {body} }.into_any()
                    }
                    Err(e) => view! { <Title text="Not found · Trainyard" /> <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[derive(Clone, Copy)]
struct Actions {
    decide: ServerAction<DecidePatchRequest>,
    defer: ServerAction<DeferPatchRequest>,
    cherry_pick: ServerAction<SetCherryPick>,
    merged: ServerAction<MarkMerged>,
    lift: ServerAction<LiftEmbargo>,
    duplicate: ServerAction<MarkDuplicate>,
    withdraw: ServerAction<WithdrawPatchRequest>,
    reclassify: ServerAction<ReclassifyPatchRequest>,
}

impl Actions {
    fn error(self) -> Option<AppError> {
        self.decide
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| self.defer.value().get().and_then(Result::err))
            .or_else(|| self.cherry_pick.value().get().and_then(Result::err))
            .or_else(|| self.merged.value().get().and_then(Result::err))
            .or_else(|| self.lift.value().get().and_then(Result::err))
            .or_else(|| self.duplicate.value().get().and_then(Result::err))
    }
}

/// The request for a manager or its requester: every action updates it in place.
#[island]
fn RequestActions(detail: RequestDetail) -> impl IntoView {
    let actions = Actions {
        decide: ServerAction::new(),
        defer: ServerAction::new(),
        cherry_pick: ServerAction::new(),
        merged: ServerAction::new(),
        lift: ServerAction::new(),
        duplicate: ServerAction::new(),
        withdraw: ServerAction::new(),
        reclassify: ServerAction::new(),
    };
    let id = detail.request.id.to_string();
    let changed = move || {
        (
            actions.decide.version().get(),
            actions.defer.version().get(),
            actions.cherry_pick.version().get(),
            actions.merged.version().get(),
            actions.lift.version().get(),
            actions.duplicate.version().get(),
            actions.withdraw.version().get(),
            actions.reclassify.version().get(),
        )
    };
    let detail = refreshed(detail, changed, move || load_patch_request(id.clone()));
    move || view! { <RequestView detail=detail.get() actions=Some(actions) /> }
}

#[component]
fn RequestView(detail: RequestDetail, actions: Option<Actions>) -> impl IntoView {
    let r = detail.request;
    let projected = detail.projected;
    let id = r.id;
    let qualifies = r.category.qualifies();
    let triage = actions.filter(|_| detail.can_triage && qualifies);
    let track = actions.filter(|_| detail.can_track && qualifies);
    let github = detail.github;
    // The on-call developer approves into the regular slots; the rest stays with managers.
    let s1 = r.severity == Severity::S1 && detail.manages;
    let exception = qualifies && !r.severity.is_severe();
    let may_defer = exception && detail.manages;
    let error = Signal::derive(move || actions.and_then(Actions::error));
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
        {r.deferred_to.clone().map(|v| {
            let on = detail.deferred_on.map(|d| format!(" on {}", long_date(d))).unwrap_or_default();
            view! {
                <p class="callout warn">"Deferred: it ships in the monthly release " <a href=format!("/releases/{v}")>{v.clone()}</a> {on} "."</p>
            }
        })}
        {r.duplicate_of.map(|original| view! {
            <p class="callout">"A duplicate of " <a href=format!("/patch-requests/{original}")>{format!("#{original}")}</a>
                ": its requester hears of that request's decisions and releases."</p>
        })}
        {(!r.duplicates.is_empty()).then(|| view! {
            <p class="hint">"Duplicates: "
                {r.duplicates.iter().map(|d| view! { <a href=format!("/patch-requests/{d}")>{format!("#{d}")}</a> " " }).collect_view()}
            </p>
        })}
        {(exception && pending).then(|| view! {
            <p class="callout warn">"An " {r.severity.as_str()} " bug gets a patch only by a release manager's exception (approving says why); otherwise it ships in the coming monthly."</p>
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
            <h2>"Each line"</h2>
            <p class="hint">"Cherry-picks merged into a line's release branch by the end of its deadline day (UTC) ship in its next patch; later ones move to the slot after."</p>
            <div class="table-wrap">
                <table class="decisions">
                    <thead>
                        <tr>
                            <th scope="col">"Line"</th>
                            <th scope="col">"Decision"</th>
                            <th scope="col">"Cherry-pick"</th>
                            <th scope="col">"Ships in"</th>
                            {triage.is_some().then(|| view! { <th scope="col">"Triage"</th> })}
                        </tr>
                    </thead>
                    <tbody>
                        {r.targets.clone().into_iter().map(|t| {
                            let projected = projected.iter().find(|(l, _)| *l == t.line).map(|(_, s)| s.clone());
                            view! { <LineRow id target=t projected triage track github /> }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            {triage.filter(|_| pending).map(|a| view! {
                <section class="card triage-all" aria-labelledby="triage-all-heading">
                    <h3 id="triage-all-heading">"All lines awaiting triage"</h3>
                    <ActionForm action=a.decide attr:class="inline-form" attr:aria-label="Decide all lines">
                        <input type="hidden" name="id" value=id />
                        <input type="hidden" name="line" value="" />
                        <input type="hidden" name="out_of_band_on" value="" />
                        <label for="all-reason">{if exception { "Reason (required: the exception, or why it is rejected)" } else { "Reason (required to reject)" }}</label>
                        <input id="all-reason" type="text" name="reason" maxlength="1000" />
                        <button type="submit" name="decision" value="approved">"Approve all"</button>
                        <button type="submit" name="decision" value="rejected" class="secondary">"Reject all"</button>
                    </ActionForm>
                    {may_defer.then(|| view! {
                        <ActionForm action=a.defer attr:class="inline-form" attr:aria-label="Send to the monthly">
                            <input type="hidden" name="id" value=id />
                            <button type="submit" class="secondary">"No exception: send to the monthly release"</button>
                        </ActionForm>
                    })}
                    {s1.then(|| view! {
                        <ActionForm action=a.decide attr:class="inline-form" attr:aria-label="Approve all in an out-of-band release">
                            <input type="hidden" name="id" value=id />
                            <input type="hidden" name="line" value="" />
                            <input type="hidden" name="decision" value="approved" />
                            <input type="hidden" name="reason" value="S1: out-of-band release" />
                            <label for="oob-on">"S1: ship out of band on"</label>
                            <input id="oob-on" type="date" name="out_of_band_on" min=today.clone() required />
                            <button type="submit">"Approve out of band"</button>
                        </ActionForm>
                    })}
                    {r.duplicate_of.is_none().then(|| view! {
                        <ActionForm action=a.duplicate attr:class="inline-form" attr:aria-label="Mark as a duplicate">
                            <input type="hidden" name="id" value=id />
                            <label for="duplicate-of">"A duplicate of request #"</label>
                            <input id="duplicate-of" type="text" name="original" inputmode="numeric" size="6" required
                                aria-describedby="duplicate-of-error" />
                            <button type="submit" class="secondary">"Mark as a duplicate"</button>
                            <FieldMessage message=message_for(Signal::derive(move || a.duplicate.value().get().and_then(Result::err)), "original")
                                id="duplicate-of-error".to_owned() />
                        </ActionForm>
                    })}
                </section>
            })}
            {triage.filter(|_| r.embargoed && detail.manages).map(|a| view! {
                <section class="card" aria-labelledby="embargo-heading">
                    <h3 id="embargo-heading">"Embargo"</h3>
                    <p>"Until it is lifted, only release managers and the requester see this fix in release notes, and no release carrying it can be published."</p>
                    <ActionForm action=a.lift attr:class="inline-form" attr:aria-label="Lift the embargo">
                        <input type="hidden" name="id" value=id />
                        <label for="lift-cve">"Public CVE"</label>
                        <input id="lift-cve" type="text" name="cve" value=r.cve_id.clone().unwrap_or_default() placeholder="CVE-2026-12345" required aria-describedby="lift-cve-error" />
                        <button type="submit">"Lift embargo"</button>
                        <FieldMessage message=message_for(error, "cve") id="lift-cve-error".to_owned() />
                    </ActionForm>
                </section>
            })}
            <FormError error fields=&["cve"] />
        })}
        {actions.filter(|_| detail.can_edit || detail.can_withdraw).map(|a| view! {
            <YourRequest id can_edit=detail.can_edit can_withdraw=detail.can_withdraw withdraw=a.withdraw />
        })}
        {actions.filter(|_| detail.can_reclassify).map(|a| view! {
            <Reclassify id category=r.category severity=r.severity reclassify=a.reclassify />
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

/// What a requester may still do: edit until triage starts, withdraw until a line ships.
#[component]
fn YourRequest(
    id: i64,
    can_edit: bool,
    can_withdraw: bool,
    withdraw: ServerAction<WithdrawPatchRequest>,
) -> impl IntoView {
    let error = Signal::derive(move || withdraw.value().get().and_then(Result::err));
    view! {
        <section class="card" aria-labelledby="yours-heading">
            <h2 id="yours-heading">"Your request"</h2>
            {can_edit.then(|| view! {
                <p><a class="button secondary" href=format!("/patch-requests/{id}/edit")>"Edit the request"</a>
                " You can change it until triage starts."</p>
            })}
            {can_withdraw.then(|| view! {
                <ActionForm action=withdraw attr:class="inline-form" attr:aria-label="Withdraw the request">
                    <input type="hidden" name="id" value=id />
                    <label for="withdraw-reason">"Why withdraw it"</label>
                    <input id="withdraw-reason" type="text" name="reason" maxlength=MAX_REASON required aria-describedby="withdraw-reason-error" />
                    <button type="submit" class="secondary">"Withdraw the request"</button>
                    <FieldMessage message=message_for(error, "reason") id="withdraw-reason-error".to_owned() />
                </ActionForm>
                <FormError error fields=&["reason"] />
            })}
        </section>
    }
}

/// A release manager's new category and severity, with the reason the requester reads.
#[component]
fn Reclassify(
    id: i64,
    category: Category,
    severity: Severity,
    reclassify: ServerAction<ReclassifyPatchRequest>,
) -> impl IntoView {
    let error = Signal::derive(move || reclassify.value().get().and_then(Result::err));
    view! {
        <section class="card" aria-labelledby="reclassify-heading">
            <h2 id="reclassify-heading">"Reclassify"</h2>
            <p class="hint">"A request that stops qualifying waits for the coming monthly; one that starts qualifying goes back to triage on every supported line; one that becomes a security bug goes under embargo until you lift it under its public CVE."</p>
            <ActionForm action=reclassify attr:class="inline-form" attr:aria-label="Reclassify the request">
                <input type="hidden" name="id" value=id />
                <label for="reclassify-category">"Category"</label>
                <select id="reclassify-category" name="category" aria-describedby="reclassify-category-error">
                    {Category::ALL.into_iter().map(|c| view! { <option value=c.as_str() selected=c == category>{c.short()}</option> }).collect_view()}
                </select>
                <label for="reclassify-severity">"Severity"</label>
                <select id="reclassify-severity" name="severity" aria-describedby="reclassify-severity-error">
                    {Severity::ALL.into_iter().map(|s| view! { <option value=s.as_str() selected=s == severity>{s.as_str()}</option> }).collect_view()}
                </select>
                <label for="reclassify-reason">"Reason"</label>
                <input id="reclassify-reason" type="text" name="reason" maxlength=MAX_REASON required aria-describedby="reclassify-reason-error" />
                <button type="submit" class="secondary">"Reclassify"</button>
                <FieldMessage message=message_for(error, "category") id="reclassify-category-error".to_owned() />
                <FieldMessage message=message_for(error, "severity") id="reclassify-severity-error".to_owned() />
                <FieldMessage message=message_for(error, "reason") id="reclassify-reason-error".to_owned() />
            </ActionForm>
            <FormError error fields=&["category", "severity", "reason"] />
        </section>
    }
}

/// One line: its decision, its cherry-pick (with the forms to record it), the release that
/// carries it, and whether it shipped.
#[component]
fn LineRow(
    id: i64,
    target: Target,
    projected: Option<Slot>,
    triage: Option<Actions>,
    track: Option<Actions>,
    github: bool,
) -> impl IntoView {
    let t = target;
    // Until triage, the slot a fix approved and merged today would make.
    let projected = projected.filter(|_| t.decision == Decision::Pending && t.carrier.is_none()).map(|s| {
        let by = s.cherry_pick_deadline.map(|d| format!(" and merged by the end of {} (UTC)", short_date(d)));
        view! {
            <span class="muted">{format!("{} on {}", s.label, short_date(s.target))}</span>
            <br />
            <small class="muted">"projected: if approved" {by}</small>
        }
    });
    let line = t.line.to_string();
    let decided = t.decided_by.clone().map(|by| format!(" by {by}")).unwrap_or_default();
    let kind = match t.decision {
        Decision::Approved => "approved",
        Decision::Rejected => "rejected",
        Decision::NotAffected => "cancelled",
        Decision::Pending => "pending",
    };
    let ships = t.carrier.clone().map(|c| {
        let name = c.version.as_ref().map(ToString::to_string).unwrap_or_else(|| "a dropped release".into());
        let status = if c.shipped { format!("shipped in {name} on {}", short_date(c.date)) } else { format!("{name} · {} ({})", short_date(c.date), c.state.as_str()) };
        view! {
            <a href=format!("/releases/{name}")>{status}</a>
            {c.github_url.clone().map(|u| view! { " " <a href=u rel="external noopener noreferrer">"on GitHub"</a> })}
            {c.cherry_pick_deadline.filter(|_| !c.shipped).map(|d| view! { <br /><small class="muted">"merge by the end of " {short_date(d)} " (UTC)"</small> })}
        }
    });
    let picked = t.cherry_pick.clone().map(|c| {
        let state = match c.state {
            CherryPickState::Open => "open".to_owned(),
            CherryPickState::Merged => {
                format!("merged {}", c.merged_at.map(|m| short_date(m.date_naive())).unwrap_or_default())
            }
            CherryPickState::Closed => "closed without merging".to_owned(),
        };
        view! {
            {c.url.clone().map(|u| view! { <a href=u rel="external noopener noreferrer">"pull request"</a> " · " })}
            {state}
            {c.merge_commit.clone().map(|sha| view! { <br /><code>{sha.chars().take(12).collect::<String>()}</code> })}
        }
    });
    let unmerged =
        t.decision == Decision::Approved && t.merged_at().is_none() && !t.carrier.as_ref().is_some_and(|c| c.shipped);
    let revision = t.revision.to_string();
    view! {
        <tr>
            <th scope="row">{line.clone()}</th>
            <td>
                <Pill kind label=t.decision.label() />
                <small class="muted">{decided}</small>
                {t.reason.clone().map(|reason| view! { <br /><small>{reason}</small> })}
            </td>
            <td>
                {picked.map(IntoAny::into_any).unwrap_or_else(|| "—".into_any())}
                {track.filter(|_| unmerged).map(|a| view! { <TrackForms id line=t.line actions=a github /> })}
            </td>
            <td>
                {ships
                    .map(IntoAny::into_any)
                    .or_else(|| projected.map(IntoAny::into_any))
                    .unwrap_or_else(|| "—".into_any())}
                {t.carry_note.clone().map(|n| view! { <br /><small class="warn-text">{n}</small> })}
            </td>
            {triage.map(|a| view! { <td><TriageForm id line=t.line revision=revision.clone() decide=a.decide /></td> })}
        </tr>
    }
}

/// Recording a line's cherry-pick: its pull request, and (without GitHub) its merge.
#[component]
fn TrackForms(id: i64, line: LineId, actions: Actions, github: bool) -> impl IntoView {
    let url_id = format!("pick-{line}");
    let commit_id = format!("commit-{line}");
    view! {
        <ActionForm action=actions.cherry_pick attr:class="inline-form" attr:aria-label=format!("Cherry-pick for {line}")>
            <input type="hidden" name="id" value=id />
            <input type="hidden" name="line" value=line.to_string() />
            <label class="visually-hidden" for=url_id.clone()>{format!("Pull request for {line}")}</label>
            <input id=url_id type="url" name="url" required placeholder="https://github.com/org/repo/pull/123" />
            <button type="submit" class="secondary">"Record"</button>
        </ActionForm>
        {(!github).then(|| view! {
            <ActionForm action=actions.merged attr:class="inline-form" attr:aria-label=format!("Mark {line} merged")>
                <input type="hidden" name="id" value=id />
                <input type="hidden" name="line" value=line.to_string() />
                <label class="visually-hidden" for=commit_id.clone()>{format!("Merge commit for {line}")}</label>
                <input id=commit_id type="text" name="commit" required minlength="40" maxlength="40" placeholder="full merge commit SHA" />
                <button type="submit" class="secondary">"Mark merged"</button>
            </ActionForm>
        })}
    }
}

#[component]
fn TriageForm(id: i64, line: LineId, revision: String, decide: ServerAction<DecidePatchRequest>) -> impl IntoView {
    let reason_id = format!("reason-{line}");
    let label_for = reason_id.clone();
    view! {
        <ActionForm action=decide attr:class="inline-form" attr:aria-label=format!("Decide {line}")>
            <input type="hidden" name="id" value=id />
            <input type="hidden" name="line" value=line.to_string() />
            <input type="hidden" name="out_of_band_on" value="" />
            <input type="hidden" name="seen" value=revision />
            <label class="visually-hidden" for=label_for>{format!("Reason for {line}")}</label>
            <input id=reason_id type="text" name="reason" maxlength="1000" placeholder="reason (required to reject)" />
            <button type="submit" name="decision" value="approved">"Approve"</button>
            <button type="submit" name="decision" value="not_affected" class="secondary">"Not affected"</button>
            <button type="submit" name="decision" value="rejected" class="secondary">"Reject"</button>
        </ActionForm>
    }
}
