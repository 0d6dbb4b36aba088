//! `/releases/{X.Y}` and `/releases/{X.Y.Z}`.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    components::{
        ErrorView, Loading,
        dates::{certainty_label, eol_date, long_date, short_date},
        status::{LineStatusPill, Pill},
    },
    domain::catalog::{Release, ReleaseKind},
    features::{
        publishing::page::PublishSection,
        releases::{LineDetail, ReleaseDetail, ReleasePageData, api::load_release_page},
    },
};

#[component]
pub fn ReleasePage() -> impl IntoView {
    let params = use_params_map();
    let reference = move || params.read().get("version").unwrap_or_default();
    let data = Resource::new(reference, load_release_page);
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(ReleasePageData::Line(line)) => view! { <LineView detail=*line /> }.into_any(),
                    Ok(ReleasePageData::Release(release)) => {
                        view! { <ReleaseView detail=*release /> }.into_any()
                    }
                    Err(e) => view! { <Title text="Not found · Trainyard" /> <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn LineView(detail: LineDetail) -> impl IntoView {
    let id = detail.support.id.to_string();
    let eol = detail.support.eol.clone().map(|e| {
        let note = e.override_note.clone().map(|n| view! { <p class="note">"Set by a release manager: " {n}</p> });
        view! {
            <dt>"End of life"</dt>
            <dd>
                {eol_date(&e)} " (" {certainty_label(e.certainty)} ")" {note}
            </dd>
        }
    });
    let next = detail.next_patch.clone().map(|p| {
        let deadline =
            p.cherry_pick_deadline.map(|d| format!(", cherry-picks merged by {}", long_date(d))).unwrap_or_default();
        view! {
            <dt>"Next patch"</dt>
            <dd>{p.version.to_string()} " on " {long_date(p.target_date)} {deadline}</dd>
        }
    });
    let compat = (!detail.compatibility_notes.is_empty()).then(|| {
        view! {
            <dt>"Compatibility"</dt>
            <dd>{detail.compatibility_notes.clone()}</dd>
        }
    });
    view! {
        <Title text=format!("{id} · Trainyard") />
        <nav aria-label="Breadcrumb" class="breadcrumb">
            <a href="/releases">"Releases"</a> " / " {id.clone()}
        </nav>
        <h1>"Release line " {id.clone()} " " <LineStatusPill status=detail.support.status /></h1>
        <dl class="facts">
            <dt>"Released"</dt>
            <dd>{detail.support.release_date.map(long_date).unwrap_or_else(|| "not yet dated".into())}</dd>
            {eol}
            {next}
            {compat}
        </dl>
        <h2>"Releases"</h2>
        <ReleaseTable releases=detail.releases />
    }
}

#[component]
fn ReleaseTable(releases: Vec<Release>) -> impl IntoView {
    if releases.is_empty() {
        return view! { <p>"No releases yet."</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table>
                <thead>
                    <tr>
                        <th scope="col">"Version"</th>
                        <th scope="col">"Kind"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Date"</th>
                    </tr>
                </thead>
                <tbody>
                    {releases
                        .into_iter()
                        .map(|r| {
                            let version = r.version.to_string();
                            let when = match (r.actual_date, r.planned_date) {
                                (Some(d), _) => short_date(d),
                                (None, Some(d)) => format!("{} (planned)", short_date(d)),
                                (None, None) => "—".into(),
                            };
                            let kind = if r.out_of_band { "patch, out of band" } else { r.kind.as_str() };
                            view! {
                                <tr>
                                    <th scope="row">
                                        <a href=format!("/releases/{version}")>{version.clone()}</a>
                                    </th>
                                    <td>{kind}</td>
                                    <td>
                                        <Pill kind=r.status.as_str() label=r.status.as_str() />
                                    </td>
                                    <td>{when}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn ReleaseView(detail: ReleaseDetail) -> impl IntoView {
    let release = detail.release;
    let version = release.version.to_string();
    let line = release.version.line().to_string();
    let kind = match release.kind {
        ReleaseKind::Minor => "Minor release",
        ReleaseKind::Patch if release.out_of_band => "Out-of-band patch release",
        ReleaseKind::Patch => "Patch release",
    };
    let date = match (release.actual_date, release.planned_date) {
        (Some(d), _) => format!("Released {}", long_date(d)),
        (None, Some(d)) => format!("Planned for {}", long_date(d)),
        (None, None) => "Not dated".into(),
    };
    let previous = detail.previous.map(|p| {
        let v = p.version.to_string();
        view! {
            <dt>"Previous in " {line.clone()}</dt>
            <dd><a href=format!("/releases/{v}")>{v.clone()}</a></dd>
        }
    });
    let source = release.source_build.clone().or(release.source_commit.clone()).map(|s| {
        view! {
            <dt>"Built from"</dt>
            <dd><code>{s}</code></dd>
        }
    });
    let github = release.github_url.clone().map(|url| {
        view! {
            <dt>"On GitHub"</dt>
            <dd><a href=url.clone() rel="external">{url.clone()}</a></dd>
        }
    });
    let notes = if release.notes.is_empty() { "No notes yet.".to_owned() } else { release.notes.clone() };
    view! {
        <Title text=format!("{version} · Trainyard") />
        <nav aria-label="Breadcrumb" class="breadcrumb">
            <a href="/releases">"Releases"</a> " / " <a href=format!("/releases/{line}")>{line.clone()}</a>
            " / " {version.clone()}
        </nav>
        <h1>{version.clone()} " " <Pill kind=release.status.as_str() label=release.status.as_str() /></h1>
        <dl class="facts">
            <dt>"Kind"</dt>
            <dd>{kind}</dd>
            <dt>"Date"</dt>
            <dd>{date}</dd>
            <dt>"Line"</dt>
            <dd>
                <a href=format!("/releases/{line}")>{line.clone()}</a> " "
                <LineStatusPill status=detail.line.status />
            </dd>
            {previous}
            {source}
            {github}
        </dl>
        <h2>"Notes"</h2>
        <div class="notes">{notes}</div>
        <PublishSection version=version.clone() />
    }
}
