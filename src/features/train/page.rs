//! `/train`: the monthly candidate, weekly qualification, the dailies, and promotion.

use leptos::prelude::*;

use super::{
    TrainView,
    api::{PromoteBuild, load_train},
};
use crate::{
    components::{
        Loaded,
        dates::{long_date, relative, short_date},
        refreshed,
        status::Pill,
    },
    domain::train::{Build, Candidate, FlagKind, Suite, SuiteStatus},
};

/// The monthly train: its candidate and escalation, the weeklies and dailies, promotion.
#[component]
pub fn MonthlyTrain() -> impl IntoView {
    let data = Resource::new(|| (), |_| load_train());
    view! {
        <Loaded data=data content=move |t| {
            if t.can_promote {
                view! { <Promotion train=t /> }.into_any()
            } else {
                view! { <TrainBody train=t promote=None /> }.into_any()
            }
        } />
    }
}

/// The train as a release manager sees it: promoting updates it in place.
#[island]
fn Promotion(train: TrainView) -> impl IntoView {
    let promote = ServerAction::<PromoteBuild>::new();
    let train = refreshed(train, move || promote.version().get(), load_train);
    move || view! { <TrainBody train=train.get() promote=Some(promote) /> }
}

fn suite_cell(build: &Build, suite: Suite) -> impl IntoView + use<> {
    let (kind, label) = match build.status(suite) {
        Some(SuiteStatus::Passed) => ("passed", "passed"),
        Some(SuiteStatus::Failed) => ("failed", "failed"),
        Some(SuiteStatus::Pending) => ("pending", "pending"),
        None => ("planned", "not run"),
    };
    let pill = view! { <Pill kind label /> };
    match build.link(suite) {
        Some(link) => view! { <a href=link rel="external noopener noreferrer" aria-label=format!("{} {} results", build.name, suite.as_str())>{pill}</a> }.into_any(),
        None => pill.into_any(),
    }
}

#[component]
fn TrainBody(train: TrainView, promote: Option<ServerAction<PromoteBuild>>) -> impl IntoView {
    let today = train.today;
    let promote = promote.filter(|_| train.can_promote);
    let error = move || promote?.value().get().and_then(Result::err).map(|e| e.to_string());
    let promoted = move || promote?.value().get().and_then(Result::ok);
    view! {
        {(!train.flags.is_empty()).then(|| view! {
            <section class="callout warn" aria-labelledby="flags-heading">
                <h2 id="flags-heading">"Needs attention"</h2>
                <ul>
                    {train.flags.iter().map(|f| {
                        let label = match f.kind {
                            FlagKind::MissingDaily => "missing daily",
                            FlagKind::FailedQualification => "failed qualification",
                            FlagKind::LateQualification => "late qualification",
                            FlagKind::NoWeekly => "no weekly",
                            FlagKind::NoPatchCandidate => "no patch candidate",
                        };
                        view! { <li><strong>{label}</strong> ": " {f.message.clone()}</li> }
                    }).collect_view()}
                </ul>
            </section>
        })}
        {move || promoted().map(|v| view! {
            <p class="callout ok" role="status">"Promoted to " <a href=format!("/releases/{v}")>{v.clone()}</a> ": it is approved and ships on its day (or by “ship now” on its page)."</p>
        })}
        {move || error().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
        {train.candidate.clone().map(|c| view! { <CandidateCard candidate=c promote today /> })}
        <h2>"Weekly builds"</h2>
        <div class="table-wrap">
            <table class="builds">
                <thead>
                    <tr>
                        <th scope="col">"Build"</th>
                        <th scope="col">"Functional"</th>
                        <th scope="col">"Stability"</th>
                        <th scope="col">"Performance"</th>
                        <th scope="col">"Why chosen"</th>
                        {promote.is_some().then(|| view! { <th scope="col"><span class="visually-hidden">"Promote"</span></th> })}
                    </tr>
                </thead>
                <tbody>
                    {train.weeklies.iter().map(|b| {
                        let name = b.name.clone();
                        let label = format!("Promote {name}");
                        let refusal = b.facts().promotion_refusal(&train.main_branch, train.last_promoted);
                        view! {
                            <tr>
                                <th scope="row">{b.name.clone()} <br /><small class="muted"><code>{b.commit.chars().take(7).collect::<String>()}</code> {b.promoted_to.clone().map(|v| format!(" → {v}"))}</small></th>
                                <td>{suite_cell(b, Suite::Functional)}</td>
                                <td>{suite_cell(b, Suite::Stability)}</td>
                                <td>{suite_cell(b, Suite::Performance)}</td>
                                <td><small>{b.weekly_reason.clone().unwrap_or_default()}</small></td>
                                {promote.map(|promote| view! {
                                    <td>
                                        <ActionForm action=promote attr:aria-label=label.clone()>
                                            <input type="hidden" name="build" value=name.clone() />
                                            <button type="submit" class="secondary" title=refusal.clone().unwrap_or_default()>"Promote"</button>
                                        </ActionForm>
                                    </td>
                                })}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <h2>"Daily builds of the last three weeks"</h2>
        <div class="table-wrap">
            <table class="builds">
                <thead><tr><th scope="col">"Build"</th><th scope="col">"Commit"</th><th scope="col">"Cut"</th><th scope="col">"Functional"</th></tr></thead>
                <tbody>
                    {train.dailies.iter().map(|b| view! {
                        <tr>
                            <th scope="row">{b.name.clone()} {b.weekly_selected_at.is_some().then(|| view! { " " <Pill kind="info" label="weekly" /> })}</th>
                            <td><code>{b.commit.chars().take(7).collect::<String>()}</code></td>
                            <td>{short_date(b.cut_at.date_naive())} <span class="muted">" · " {relative(b.cut_at.date_naive(), today)}</span></td>
                            <td>{suite_cell(b, Suite::Functional)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn CandidateCard(
    candidate: Candidate,
    promote: Option<ServerAction<PromoteBuild>>,
    today: chrono::NaiveDate,
) -> impl IntoView {
    let version = candidate.version.to_string();
    let build = candidate.build.clone();
    view! {
        <section class="card candidate" aria-labelledby="candidate-heading">
            <h2 id="candidate-heading">"Monthly candidate for " <a href=format!("/releases/{version}")>{version.clone()}</a></h2>
            <p>"Release day " <strong>{long_date(candidate.release_day)}</strong> <span class="muted">" (" {relative(candidate.release_day, today)} ")"</span></p>
            {match build.clone() {
                Some(b) => view! {
                    <p>"Candidate: " <strong>{b.name.clone()}</strong> " — " {candidate.reason.clone()}</p>
                }.into_any(),
                None => view! { <p>{candidate.reason.clone()}</p> }.into_any(),
            }}
            {candidate.escalation.clone().map(|e| view! {
                <div class="callout bad" role="alert">
                    <p><strong>"Escalation: "</strong> "the newest weekly " {e.failed_build.clone()} " failed "
                        {e.failed_suites.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" and ")} " tests."</p>
                    <p>"Fallback: " {e.fallback.clone()} ". "
                        {if e.slip_days > 0 { format!("The monthly release slips by {} days.", e.slip_days) } else { "The monthly release keeps its date.".to_owned() }}
                    </p>
                </div>
            })}
            {promote.filter(|_| build.is_some() && !candidate.approved).map(|promote| {
                let name = build.clone().map(|b| b.name).unwrap_or_default();
                view! {
                    <ActionForm action=promote attr:aria-label="Promote the candidate">
                        <input type="hidden" name="build" value=name.clone() />
                        <button type="submit" disabled=move || promote.pending().get()>{format!("Promote {name} to {version}")}</button>
                    </ActionForm>
                }
            })}
        </section>
    }
}
