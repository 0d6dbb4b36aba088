//! `/`: the dashboard.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{Dashboard, api::load_dashboard};
use crate::{
    components::{
        Loaded,
        dates::{long_date, relative, short_date},
        status::{LineStatusPill, Pill},
    },
    domain::{health::Health, schedule::ScheduleEvent},
};

#[component]
pub fn HomePage() -> impl IntoView {
    let data = Resource::new(|| (), |_| load_dashboard());
    view! {
        <Title text="What is next · Trainyard" />
        <h1>"What is next"</h1>
        <Loaded data=data content=move |d| view! { <DashboardView data=d /> } />
    }
}

/// "monthly release 1.13.0 · Tue 22 Dec (in 4 weeks)"
#[component]
fn EventLine(event: Option<ScheduleEvent>, today: chrono::NaiveDate, #[prop(into)] empty: String) -> impl IntoView {
    match event {
        Some(e) => view! {
            <p>
                <a href=e.link.clone()>{e.title.clone()}</a>
                <br />
                <time datetime=e.date.to_string()>{long_date(e.date)}</time>
                <span class="muted">" · " {relative(e.date, today)} " · " {e.status.as_str()}</span>
                {e.note.clone().map(|n| view! { <br /><small class="muted">{n}</small> })}
            </p>
        }
        .into_any(),
        None => view! { <p class="muted">{empty}</p> }.into_any(),
    }
}

#[component]
fn DashboardView(data: Dashboard) -> impl IntoView {
    let today = data.today;
    let candidate = data.candidate.clone().map(|c| match c.build {
        Some(b) => format!("Candidate: {} ({})", b.name, c.reason),
        None => c.reason,
    });
    view! {
        <p class="lede">"Today is " {long_date(today)} " (UTC)."</p>
        {(!data.flags.is_empty()).then(|| view! {
            <section class="callout warn" aria-labelledby="attention-h">
                <h2 id="attention-h">"The train needs attention"</h2>
                <ul>{data.flags.iter().map(|f| view! { <li>{f.message.clone()}</li> }).collect_view()}</ul>
                <p><a href="/train">"Open the train"</a></p>
            </section>
        })}
        <div class="cards">
            <section class="card" aria-labelledby="daily-h">
                <h2 id="daily-h">"Today's daily build"</h2>
                <EventLine event=data.daily.clone() today empty="No daily build scheduled." />
            </section>
            <section class="card" aria-labelledby="weekly-h">
                <h2 id="weekly-h">"This week's qualification"</h2>
                <EventLine event=data.weekly.clone() today empty="No qualification this week." />
            </section>
            <section class="card" aria-labelledby="minor-h">
                <h2 id="minor-h">"Next monthly release"</h2>
                <EventLine event=data.next_minor.clone() today empty="No monthly release planned." />
                {candidate.map(|c| view! { <p class="hint">{c}</p> })}
            </section>
        </div>
        <h2>"Next patch per line"</h2>
        <div class="table-wrap">
            <table>
                <thead>
                    <tr>
                        <th scope="col">"Line"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Next patch"</th>
                        <th scope="col">"Cherry-pick deadline"</th>
                        <th scope="col">"End of life"</th>
                        <th scope="col">"Requests pending"</th>
                        <th scope="col">"Fixes to ship"</th>
                        <th scope="col">"Health"</th>
                    </tr>
                </thead>
                <tbody>
                    {data.lines.into_iter().map(|l| {
                        let line = l.line.to_string();
                        let patch = l.next_patch.clone();
                        view! {
                            <tr>
                                <th scope="row"><a href=format!("/releases/{line}")>{line.clone()}</a></th>
                                <td><LineStatusPill status=l.status /></td>
                                <td>{patch.clone().map(|p| format!("{} · {} ({})", p.version, short_date(p.target_date), relative(p.target_date, today))).unwrap_or_else(|| "—".into())}</td>
                                <td>{patch.and_then(|p| p.cherry_pick_deadline).map(|d| format!("{} ({})", short_date(d), relative(d, today))).unwrap_or_else(|| "—".into())}</td>
                                <td>{l.eol.map(short_date).unwrap_or_else(|| "—".into())}</td>
                                <td>{l.pending_requests}</td>
                                <td>{l.approved_fixes} {(l.unmerged_fixes > 0).then(|| format!("({} to merge)", l.unmerged_fixes))}</td>
                                <td>
                                    <Pill kind=health_kind(l.health.health) label=l.health.health.label() />
                                    <br />
                                    <small>{l.health.reason.clone()}</small>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        {(!data.ending.is_empty()).then(|| view! {
            <h2>"Ending soon"</h2>
            <ul>
                {data.ending.into_iter().map(|e| view! {
                    <li><a href=e.link.clone()>{e.title.clone()}</a> " · " {long_date(e.date)} <span class="muted">" (" {relative(e.date, today)} ")"</span></li>
                }).collect_view()}
            </ul>
        })}
        <p><a href="/calendar">"Full calendar"</a> " · " <a href="/releases">"Supported releases"</a></p>
    }
}

/// The pill colour of a health badge.
fn health_kind(health: Health) -> &'static str {
    match health {
        Health::OnTrack => "ok",
        Health::AtRisk => "warn",
        Health::Blocked => "bad",
    }
}
