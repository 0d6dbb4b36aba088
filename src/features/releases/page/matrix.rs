//! `/releases`: the supported-release matrix and its support timeline.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

use super::timeline::{self, BAR_HEIGHT, LABEL_WIDTH, Timeline, WIDTH};
use crate::{
    components::{
        Loaded,
        dates::{certainty_label, eol_date, long_date, short_date},
        status::LineStatusPill,
    },
    domain::{
        matrix::{Matrix, MatrixRow},
        policy::LineStatus,
    },
    features::releases::api::load_matrix,
};

#[component]
pub fn ReleasesPage() -> impl IntoView {
    let matrix = Resource::new(|| (), |_| load_matrix());
    // A plain link toggles this: the page renders on the server only.
    let show_eol = use_query_map().read_untracked().get("eol").as_deref() == Some("show");
    view! {
        <Title text="Supported releases · Trainyard" />
        <Meta
            name="description"
            content="Which release lines are supported, until when, and their latest patches."
        />
        <h1>"Supported releases"</h1>
        <Loaded data=matrix content=move |m| view! { <MatrixView matrix=m show_eol /> } />
    }
}

#[component]
fn MatrixView(matrix: Matrix, show_eol: bool) -> impl IntoView {
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
            <td>{latest.map(IntoAny::into_any).unwrap_or_else(|| "—".into_any())}</td>
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
