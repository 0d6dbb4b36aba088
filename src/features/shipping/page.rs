//! A release's life on its page and on `/train`: its state, candidate and fixes, and a release
//! manager's next step (approve, ship now, mark released, move a fix on). `/train` is composed
//! here: the monthly train, then the patch releases due.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{
    ReleaseControl,
    api::{
        ApprovePatchRelease, MarkReleaseReleased, MoveFixOn, RunTrainNow, ShipReleaseNow, load_patch_queue,
        load_release_control,
    },
};
use crate::{
    components::{
        Loaded,
        dates::{long_date, short_date},
        form::FormError,
        reload_when,
        status::Pill,
        succeeded,
    },
    domain::{catalog::ReleaseKind, plan::PlanState},
    features::train::page::MonthlyTrain,
};

/// The life of the release named `name` (a version or a slot).
#[component]
pub fn ReleaseLife(name: String) -> impl IntoView {
    let control = Resource::new(move || name.clone(), load_release_control);
    view! {
        <section class="life" aria-labelledby="life-heading">
            <h2 id="life-heading">"Release"</h2>
            <Loaded data=control content=move |c| {
                if c.can_manage {
                    view! { <ReleaseActions controls=vec![c] /> }.into_any()
                } else {
                    view! { <LifeView control=c actions=None /> }.into_any()
                }
            } />
        </section>
    }
}

/// `/train`: the monthly release and its builds, then the patch releases due.
#[component]
pub fn TrainPage() -> impl IntoView {
    let queue = Resource::new(|| (), |_| load_patch_queue());
    view! {
        <Title text="Release train · Trainyard" />
        <h1>"Release train"</h1>
        <p class="lede">
            "A daily build is cut and functionally tested every day; once a week the newest passing daily becomes the weekly build and gets stability and performance tests; "
            "the monthly release is promoted only from a weekly that passed all three. "
            "Patch releases are built from each line's release branch."
        </p>
        <MonthlyTrain />
        <section aria-labelledby="patches-heading">
            <h2 id="patches-heading">"Patch releases due"</h2>
            <Loaded data=queue content=move |queue| {
                let run = queue.can_run.then(|| view! { <RunTrain /> });
                let q = queue.releases;
                let list = if q.is_empty() {
                    view! { <p>"No patch release is due: none has passed its cherry-pick deadline with fixes to ship."</p> }.into_any()
                } else if q.iter().any(|c| c.can_manage) {
                    view! { <ReleaseActions controls=q /> }.into_any()
                } else {
                    q.into_iter().map(|c| view! { <LifeView control=c actions=None /> }).collect_view().into_any()
                };
                view! { {run} {list} }
            } />
        </section>
    }
}

/// "Run the train now": what the worker does every minute, at once, with what it did.
#[island]
fn RunTrain() -> impl IntoView {
    let run = ServerAction::<RunTrainNow>::new();
    reload_when(move || succeeded(run));
    let error = Signal::derive(move || run.value().get().and_then(Result::err));
    view! {
        <ActionForm action=run attr:class="inline-form" attr:aria-label="Run the train now">
            <button type="submit" class="secondary">"Run the train now"</button>
            <span class="hint">"The automation also runs every minute: it proposes candidates and moves late fixes on, and never approves."</span>
        </ActionForm>
        <FormError error fields=&[] />
    }
}

type Actions = (
    ServerAction<ApprovePatchRelease>,
    ServerAction<ShipReleaseNow>,
    ServerAction<MarkReleaseReleased>,
    ServerAction<MoveFixOn>,
);

/// A release manager's controls; a success loads the page again, since the release's state
/// shows all over it (as the same form posted without JavaScript does).
#[island]
fn ReleaseActions(controls: Vec<ReleaseControl>) -> impl IntoView {
    let approve = ServerAction::<ApprovePatchRelease>::new();
    let ship = ServerAction::<ShipReleaseNow>::new();
    let release = ServerAction::<MarkReleaseReleased>::new();
    let move_fix = ServerAction::<MoveFixOn>::new();
    reload_when(move || succeeded(approve) || succeeded(ship) || succeeded(release) || succeeded(move_fix));
    controls
        .into_iter()
        .map(|c| view! { <LifeView control=c actions=Some((approve, ship, release, move_fix)) /> })
        .collect_view()
}

#[component]
fn LifeView(control: ReleaseControl, actions: Option<Actions>) -> impl IntoView {
    let c = control;
    let name = c.version.as_ref().map(ToString::to_string).unwrap_or_else(|| c.slot.clone());
    let title = c.name();
    let today = c.today;
    let state = c.state;
    let error = Signal::derive(move || {
        let (approve, ship, release, move_fix) = actions?;
        approve
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| ship.value().get().and_then(Result::err))
            .or_else(|| release.value().get().and_then(Result::err))
            .or_else(|| move_fix.value().get().and_then(Result::err))
    });
    let when = if state == PlanState::Released {
        format!("released {}", long_date(c.date))
    } else {
        format!("ships {}", long_date(c.date))
    };
    let deadline = c.cherry_pick_deadline.filter(|_| c.kind == ReleaseKind::Patch).map(|d| {
        view! { <p>"Cherry-picks merged by the end of " {long_date(d)} " (UTC) ship in it."</p> }
    });
    let approvable = c.kind == ReleaseKind::Patch && state == PlanState::Candidate;
    let early = state == PlanState::Approved && c.date > today;
    let due = state == PlanState::Approved && c.date <= today && c.dry_run;
    let movable = matches!(state, PlanState::Planned | PlanState::Candidate);
    let fixes = c.fixes.clone();
    view! {
        <article class="card release-life" aria-label=format!("Release {title}")>
            <h3>{title.clone()} " " <Pill kind=state.as_str() label=state.as_str() /></h3>
            <p>{when} {c.note.clone().map(|n| view! { <span class="muted">" · " {n}</span> })}</p>
            {deadline}
            {c.build.clone().map(|b| view! { <p>"Candidate build: " <code>{b}</code></p> })}
            {c.blocked.clone().map(|why| view! { <p class="callout warn">"Not approvable yet: " {why}</p> })}
            {(!fixes.is_empty()).then(|| view! {
                <table class="fixes">
                    <thead><tr><th scope="col">"Fix"</th><th scope="col">"Line"</th><th scope="col">"Cherry-pick"</th><th scope="col">"Merged"</th>
                        {(actions.is_some() && movable).then(|| view! { <th scope="col"><span class="visually-hidden">"Move"</span></th> })}
                    </tr></thead>
                    <tbody>
                        {fixes.into_iter().map(|f| {
                            let line = f.line.to_string();
                            let merged = f.merged_at.map(|m| short_date(m.date_naive())).unwrap_or_else(|| "not yet".into());
                            view! {
                                <tr>
                                    <th scope="row"><a href=format!("/patch-requests/{}", f.request)>"#" {f.request} " " {f.title.clone()}</a></th>
                                    <td>{line.clone()}</td>
                                    <td>{f.cherry_pick_url.clone().map(|u| view! { <a href=u.clone() rel="external noopener noreferrer">"pull request"</a> }.into_any()).unwrap_or_else(|| "—".into_any())}</td>
                                    <td>{merged}</td>
                                    {actions.filter(|_| movable && f.merged_at.is_none()).map(|(.., move_fix)| view! {
                                        <td>
                                            <ActionForm action=move_fix attr:aria-label=format!("Move request {} to the next slot", f.request)>
                                                <input type="hidden" name="request" value=f.request />
                                                <input type="hidden" name="line" value=line.clone() />
                                                <button type="submit" class="secondary">"Move to the next slot"</button>
                                            </ActionForm>
                                        </td>
                                    })}
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            })}
            {actions.map(|(approve, ship, release, _)| view! {
                <div class="actions">
                    {approvable.then(|| {
                        let (label, text, value) = (format!("Approve {name}"), format!("Approve {name}"), name.clone());
                        view! {
                            <ActionForm action=approve attr:aria-label=label>
                                <input type="hidden" name="name" value=value />
                                <button type="submit">{text}</button>
                            </ActionForm>
                        }
                    })}
                    {early.then(|| {
                        let (label, value) = (format!("Ship {name} now"), name.clone());
                        view! {
                            <ActionForm action=ship attr:aria-label=label>
                                <input type="hidden" name="name" value=value />
                                <button type="submit" class="secondary">"Ship now"</button>
                            </ActionForm>
                        }
                    })}
                    {due.then(|| {
                        let (label, text, value) = (format!("Mark {name} released"), format!("Mark {name} released"), name.clone());
                        view! {
                            <ActionForm action=release attr:aria-label=label>
                                <input type="hidden" name="name" value=value />
                                <button type="submit">{text}</button>
                            </ActionForm>
                        }
                    })}
                    <FormError error fields=&[] />
                </div>
            })}
        </article>
    }
}
