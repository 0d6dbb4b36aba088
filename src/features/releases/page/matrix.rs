//! `/releases`: the supported-release matrix and its support timeline.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

use super::timeline::{self, BAR_HEIGHT, LABEL_WIDTH, Timeline, WIDTH};
use crate::{
    components::{
        Loaded, Loading, answer_with_status_of,
        dates::{certainty_label, eol_date, long_date, short_date},
        form::{Control, Field},
        status::LineStatusPill,
    },
    domain::{
        lookup::Support,
        matrix::{Matrix, MatrixRow},
        policy::LineStatus,
    },
    error::AppError,
    features::releases::{
        ReleasesOverview,
        api::{load_matrix, load_support},
    },
};

#[component]
pub fn ReleasesPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| load_matrix());
    // Plain links and a plain GET form set these: the page renders on the server only.
    let query = use_query_map().read_untracked();
    let show_eol = query.get("eol").as_deref() == Some("show");
    let asked = query.get("version").filter(|v| !v.trim().is_empty());
    let on = query.get("on").unwrap_or_default();
    let answer = asked.clone().map(|version| {
        let on = on.clone();
        Resource::new(move || (version.clone(), on.clone()), |(version, on)| load_support(version, on))
    });
    view! {
        <Title text="Supported releases · Trainyard" />
        <Meta
            name="description"
            content="Which release lines are supported, until when, and their latest patches."
        />
        <h1>"Supported releases"</h1>
        <SupportBox version=asked.unwrap_or_default() on answer />
        <Loaded
            data=overview
            content=move |o: ReleasesOverview| view! { <MatrixView matrix=o.matrix host=o.host show_eol /> }
        />
    }
}

/// "Is my version supported?": a plain GET form, so it works without JavaScript, and the
/// answer under it.
#[component]
fn SupportBox(version: String, on: String, answer: Option<Resource<Result<Support, AppError>>>) -> impl IntoView {
    view! {
        <section class="card support-box" aria-labelledby="support-heading">
            <h2 id="support-heading">"Is my version supported?"</h2>
            <Suspense fallback=Loading>
                {move || {
                    let (version, on) = (version.clone(), on.clone());
                    match answer {
                        None => view! { <SupportForm version on error=None /> }.into_any(),
                        Some(pending) => Suspend::new(async move {
                            let result = pending.await;
                            let error = result.as_ref().err().cloned();
                            if let Some(e) = &error {
                                answer_with_status_of(e);
                            }
                            view! {
                                <SupportForm version on error />
                                {result.ok().map(|s| view! { <SupportAnswer answer=s /> })}
                            }
                        })
                        .into_any(),
                    }
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn SupportForm(version: String, on: String, error: Option<AppError>) -> impl IntoView {
    let message = |field: &str| {
        let text = error.as_ref().and_then(|e| match e {
            AppError::NotFound { .. } if field == "version" => Some(e.to_string()),
            _ => e.message_for(field),
        });
        Signal::derive(move || text.clone())
    };
    view! {
        <form method="get" action="/releases" class="inline-form" aria-label="Is my version supported?">
            <Field name="version" id="support-version" label="Version" value=version placeholder="1.11.3"
                required=true max_length=40 message=message("version") />
            <Field name="on" id="support-on" label="On" control=Control::Date value=on
                hint="Today when empty" message=message("on") />
            <p><button type="submit">"Check"</button></p>
        </form>
    }
}

#[component]
fn SupportAnswer(answer: Support) -> impl IntoView {
    let Support { version, line, on, supported, reason, released_on, latest, security_updates, move_to, .. } = answer;
    let headline = if supported {
        format!("Yes: {version} is supported on {}.", long_date(on))
    } else {
        format!("No: {version} is not supported on {}.", long_date(on))
    };
    let unknown = (released_on.is_none() && !version.is_prerelease()).then(|| {
        view! { <p class="hint">{format!("{version} is not a release of {line} we know of; the answer is for the line.")}</p> }
    });
    let upgrade = latest.filter(|l| l.version > version).map(|l| {
        view! {
            <li>
                "The latest patch of " {line.to_string()} " is "
                <a href=format!("/releases/{}", l.version)>{l.version.to_string()}</a>
                {l.date.map(|d| format!(" ({})", short_date(d)))}
            </li>
        }
    });
    let updates = security_updates
        .into_iter()
        .map(|u| {
            let mut parts = u.cves.clone();
            if u.undisclosed > 0 {
                parts.push(format!("{} under embargo", u.undisclosed));
            }
            if u.other_fixes > 0 {
                parts.push(format!("{} more security fixes", u.other_fixes));
            }
            view! {
                <li>
                    <a href=format!("/releases/{}", u.version)>{u.version.to_string()}</a>
                    " fixes " {parts.join(", ")}
                </li>
            }
        })
        .collect_view();
    let move_to = move_to.map(|m| {
        let latest = m.latest.map(|l| format!(" (latest {})", l.version)).unwrap_or_default();
        view! {
            <li>
                "Move to " <a href=format!("/releases/{}", m.line)>{m.line.to_string()}</a> {latest}
                ", which reaches end of life on " {eol_date(&m.eol)} " (" {certainty_label(m.eol.certainty)} ")"
            </li>
        }
    });
    view! {
        <div class=if supported { "verdict verdict-yes" } else { "verdict verdict-no" } role="status">
            <p><strong>{headline}</strong> " " {reason}</p>
            {unknown}
            <ul>{upgrade} {updates} {move_to}</ul>
        </div>
    }
}

#[component]
fn MatrixView(matrix: Matrix, host: String, show_eol: bool) -> impl IntoView {
    let shown_eol = matrix.rows.iter().filter(|r| r.status == LineStatus::EndOfLife).count();
    let hidden_old = show_eol.then(|| matrix.eol_total.saturating_sub(shown_eol)).filter(|n| *n > 0);
    let rows = visible_rows(&matrix, show_eol);
    let timeline = timeline::layout(&matrix, &rows);
    let rows: Vec<MatrixRow> = rows.into_iter().cloned().collect();
    let (toggle_href, toggle_label) = if show_eol {
        ("/releases", "Hide end-of-life lines".to_owned())
    } else {
        ("/releases?eol=show", format!("Show end-of-life lines ({})", matrix.eol_total))
    };
    let today = matrix.today;
    view! {
        <p class="lede">
            "As of " <time datetime=today.to_string()>{long_date(today)}</time>
            ". A line is supported until six weeks after the minor two lines later ships; "
            "dates marked expected move if that release moves."
        </p>
        <p class="toolbar">
            <a class="button secondary" href=toggle_href>
                {toggle_label}
            </a>
            " Subscribe to ends of life: "
            <a href=format!("webcal://{host}{EOL_FEED}")>"calendar app (webcal)"</a>
            " · "
            <a href=EOL_FEED>".ics file"</a>
        </p>
        <div class="table-wrap">
            <table class="matrix">
                <caption class="visually-hidden">"Release lines, newest first"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Version"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Released"</th>
                        <th scope="col">"Latest patch"</th>
                        <th scope="col">"End of life"</th>
                        <th scope="col">"Next patch"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|row| view! { <MatrixRowView row /> }).collect_view()}
                </tbody>
            </table>
        </div>
        {hidden_old.map(|n| view! {
            <p class="hint">{n} " older end-of-life lines are not listed here; " <a href="/api/v1/releases">"the JSON API"</a> " lists every line."</p>
        })}
        <h2>"Support timeline"</h2>
        <TimelineSvg timeline />
    }
}

/// Only the ends of life, with alarms a year, six months, three months and a month ahead:
/// teams planning an upgrade ask for a year's notice.
const EOL_FEED: &str = "/calendar.ics?kinds=end-of-life&alarms=365,182,90,30";

/// The rows shown: every line that is not end of life, and the ended ones when asked (the
/// server sends only the newest of those).
fn visible_rows(m: &Matrix, show_eol: bool) -> Vec<&MatrixRow> {
    m.rows.iter().filter(|r| show_eol || r.status != LineStatus::EndOfLife).collect()
}

#[component]
fn MatrixRowView(row: MatrixRow) -> impl IntoView {
    let line = row.line.to_string();
    let released = row.release_date.map(short_date).unwrap_or_else(|| "—".into());
    let planned_note = matches!(row.status, LineStatus::InDevelopment | LineStatus::Planned).then_some(" (planned)");
    let latest = row.latest.clone().map(|l| {
        let href = format!("/releases/{}", l.version);
        let date = l.date.map(short_date).unwrap_or_default();
        view! {
            <a href=href>{l.version.to_string()}</a>
            <span class="muted">" · " {date}</span>
        }
    });
    // The latest release is the newest without a known unfixed CVE unless one is open.
    let cves = row.latest.is_some().then(|| {
        if row.unfixed_cves.is_empty() {
            view! { <br /> <small class="cve-free">"no known unfixed CVE"</small> }.into_any()
        } else {
            view! { <br /> <small class="cve-open">"unfixed: " {row.unfixed_cves.join(", ")}</small> }.into_any()
        }
    });
    let eol = row.eol.clone().map(|e| {
        let certainty = certainty_label(e.certainty);
        let title = e.override_note.clone().map(|n| format!("Set by a release manager: {n}"));
        view! {
            <time datetime=e.date.to_string() title=title>{eol_date(&e)}</time>
            " "
            <span class=format!("certainty certainty-{certainty}")>{certainty}</span>
        }
    });
    let next = row.next_patch.clone().map(|p| {
        let deadline = p
            .cherry_pick_deadline
            .map(|d| format!("cherry-picks by {}", short_date(d)))
            .unwrap_or_else(|| "out of band".into());
        view! {
            <span>{p.version.to_string()}</span>
            <span class="muted">" · " {short_date(p.target_date)}</span>
            <br />
            <small class="muted">{deadline}</small>
        }
    });
    view! {
        <tr class=format!("status-{}", row.status.label().replace(' ', "-"))>
            <th scope="row">
                <a href=format!("/releases/{line}")>{line.clone()}</a>
            </th>
            <td>
                <LineStatusPill status=row.status />
            </td>
            <td>{released} {planned_note}</td>
            <td>{latest.map(IntoAny::into_any).unwrap_or_else(|| "—".into_any())} {cves}</td>
            <td>{eol.map(IntoAny::into_any).unwrap_or_else(|| "—".into_any())}</td>
            <td>{next.map(IntoAny::into_any).unwrap_or_else(|| "—".into_any())}</td>
        </tr>
    }
}

/// The support timeline, drawn as SVG with a text alternative.
#[component]
pub fn TimelineSvg(timeline: Timeline) -> impl IntoView {
    let Timeline { height, months, today_x, rows, summary } = timeline;
    let view_box = format!("0 0 {WIDTH} {height}");
    view! {
        <figure class="timeline">
            <svg
                viewBox=view_box
                role="img"
                aria-labelledby="timeline-title timeline-desc"
                preserveAspectRatio="xMinYMin meet"
            >
                <title id="timeline-title">"Support timeline of the release lines"</title>
                <desc id="timeline-desc">{summary.join(" ")}</desc>
                {months
                    .into_iter()
                    .map(|(x, label)| {
                        view! {
                            <line class="tick" x1=x x2=x y1=14 y2=height />
                            <text class="tick-label" x=x + 3.0 y=12>
                                {label}
                            </text>
                        }
                    })
                    .collect_view()}
                {rows
                    .into_iter()
                    .map(|row| {
                        let y = row.y;
                        view! {
                            <text class="row-label" x=LABEL_WIDTH - 8.0 y=y + BAR_HEIGHT - 4.0>
                                {row.label}
                            </text>
                            {row
                                .bars
                                .into_iter()
                                .map(|bar| {
                                    view! {
                                        <rect
                                            class=bar.phase.class()
                                            x=bar.x
                                            y=y
                                            width=bar.width
                                            height=BAR_HEIGHT
                                            rx=3
                                        >
                                            <title>{bar.title}</title>
                                        </rect>
                                    }
                                })
                                .collect_view()}
                        }
                    })
                    .collect_view()}
                <line class="today" x1=today_x x2=today_x y1=14 y2=height />
                <text class="today-label" x=today_x + 3.0 y=22>
                    "today"
                </text>
            </svg>
            <figcaption>
                <span class="legend legend-current">"current"</span>
                <span class="legend legend-supported">"supported"</span>
                <span class="legend legend-expected">"supported (end expected)"</span>
                <span class="legend legend-development">"in development"</span>
            </figcaption>
            <details class="timeline-text">
                <summary>"Timeline as text"</summary>
                <ul>{summary.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}</ul>
            </details>
        </figure>
    }
}
