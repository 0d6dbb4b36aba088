//! `/releases/{X.Y}` and `/releases/{X.Y.Z}`.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    components::{
        ErrorView, Loading,
        dates::{certainty_label, eol_date, long_date, short_date},
        form::{Control, Field, FormError, message_for},
        reload_when,
        status::{LineStatusPill, Pill},
        succeeded,
    },
    domain::{
        catalog::ReleaseKind,
        plan::{PlanState, Scheduled},
        policy::{EndOfLife, LineStatus},
        security::{PublicFix, ReleaseFixes},
    },
    features::{
        publishing::page::PublishSection,
        releases::{LineDetail, ReleaseDetail, ReleasePageData, api::load_release_page},
        shipping::{api::SetLineEol, page::ReleaseLife},
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
                    Ok(ReleasePageData::Release(release)) => view! { <ReleaseView detail=*release /> }.into_any(),
                    Err(e) => view! { <Title text="Not found · Trainyard" /> <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn LineView(detail: LineDetail) -> impl IntoView {
    let id = detail.support.id.to_string();
    let shipped = detail.support.status != LineStatus::Planned && detail.support.status != LineStatus::InDevelopment;
    let eol = detail.eol.clone();
    let note = eol.override_note.clone().map(|n| view! { <p class="note">"Set by a release manager: " {n}</p> });
    let next = detail.next_patch.clone().map(|p| {
        let deadline = p
            .cherry_pick_deadline
            .map(|d| format!(", cherry-picks merged by the end of {} (UTC)", long_date(d)))
            .unwrap_or_default();
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
    let released = if shipped { "Released" } else { "Planned for" };
    view! {
        <Title text=format!("{id} · Trainyard") />
        <nav aria-label="Breadcrumb" class="breadcrumb">
            <a href="/releases">"Releases"</a> " / " {id.clone()}
        </nav>
        <h1>"Release line " {id.clone()} " " <LineStatusPill status=detail.support.status /></h1>
        <dl class="facts">
            <dt>{released}</dt>
            <dd>{detail.support.release_date.map(long_date).unwrap_or_else(|| "not yet dated".into())}</dd>
            <dt>"End of life"</dt>
            <dd>{eol_date(&eol)} " (" {certainty_label(eol.certainty)} ")" {note}</dd>
            {next}
            {compat}
        </dl>
        {detail.can_manage.then(|| view! { <EolOverrideForm line=id.clone() eol=eol.clone() /> })}
        <h2>"Releases"</h2>
        <ReleaseTable releases=detail.releases today=detail.today />
        <SecurityFixes shipped=detail.security />
    }
}

/// The security fixes each release of the line shipped; one under embargo is counted, never
/// named.
#[component]
fn SecurityFixes(shipped: Vec<ReleaseFixes>) -> impl IntoView {
    let body = if shipped.is_empty() {
        view! { <p>"No release of this line has shipped a security fix."</p> }.into_any()
    } else {
        view! {
            <dl class="security-fixes">
                {shipped
                    .into_iter()
                    .map(|r| {
                        let href = format!("/releases/{}", r.version);
                        view! {
                            <dt><a href=href>{r.version.to_string()}</a></dt>
                            <dd>
                                <ul>
                                    {r.fixes.into_iter().map(|f| view! { <li>{fix_text(&f)}</li> }).collect_view()}
                                </ul>
                            </dd>
                        }
                    })
                    .collect_view()}
            </dl>
        }
        .into_any()
    };
    view! {
        <h2>"Security fixes"</h2>
        {body}
    }
}

fn fix_text(fix: &PublicFix) -> String {
    match (&fix.cve, &fix.title, fix.request) {
        (Some(cve), Some(title), Some(request)) => format!("{cve}: {title} (request #{request})"),
        (None, Some(title), Some(request)) => format!("{title} (request #{request})"),
        _ => "A security fix under embargo: details follow when it is lifted".into(),
    }
}

/// A release manager sets (or clears) the line's end of life by hand, with the reason.
#[island]
fn EolOverrideForm(line: String, eol: EndOfLife) -> impl IntoView {
    let set = ServerAction::<SetLineEol>::new();
    reload_when(move || succeeded(set));
    let error = Signal::derive(move || set.value().get().and_then(Result::err));
    let overridden = eol.override_note.is_some();
    view! {
        <section class="card" aria-labelledby="eol-heading">
            <h2 id="eol-heading">"End of life by hand"</h2>
            <p class="hint">"Overrides the policy's date; the matrix, the calendar and the API show it with your reason. Leave the date empty to go back to the policy."</p>
            <ActionForm action=set attr:class="stack" attr:aria-label="Set the end of life">
                <input type="hidden" name="line" value=line.clone() />
                <Field name="date" id="eol-date" label="End of life" control=Control::Date
                    value=if overridden { eol.date.to_string() } else { String::new() } message=message_for(error, "date") />
                <Field name="note" id="eol-note" label="Why" max_length=200 value=eol.override_note.clone().unwrap_or_default()
                    placeholder="security fixes stop early: the dependency is unmaintained" message=message_for(error, "note") />
                <FormError error fields=&["date", "note"] />
                <p><button type="submit">"Save end of life"</button></p>
            </ActionForm>
        </section>
    }
}

#[component]
fn ReleaseTable(releases: Vec<Scheduled>, today: chrono::NaiveDate) -> impl IntoView {
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
                            let name = r.version.as_ref().map(ToString::to_string);
                            let when = match r.state {
                                PlanState::Released => short_date(r.date),
                                _ if r.late => format!("{} (late: due now)", short_date(r.date)),
                                _ => format!("{} (planned)", short_date(r.due(today))),
                            };
                            let kind = match (r.kind, r.out_of_band()) {
                                (ReleaseKind::Minor, _) => "minor",
                                (_, true) => "patch, out of band",
                                _ => "patch",
                            };
                            view! {
                                <tr>
                                    <th scope="row">
                                        {match name {
                                            Some(v) => view! { <a href=format!("/releases/{v}")>{v.clone()}</a> }.into_any(),
                                            None => view! { <span class="muted">"—"</span> }.into_any(),
                                        }}
                                    </th>
                                    <td>{kind}</td>
                                    <td>
                                        <Pill kind=r.state.as_str() label=r.state.as_str() />
                                        {r.note.clone().map(|n| view! { <br /><small class="muted">{n}</small> })}
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
    let planned = detail.planned;
    let version = planned.version.clone().map(|v| v.to_string()).unwrap_or_default();
    let line = planned.line.to_string();
    let kind = match planned.kind {
        ReleaseKind::Minor => "Monthly release",
        ReleaseKind::Patch if planned.out_of_band() => "Out-of-band patch release",
        ReleaseKind::Patch => "Patch release",
    };
    let date = match planned.state {
        PlanState::Released => format!("Released {}", long_date(planned.date)),
        PlanState::Cancelled | PlanState::Skipped => format!("Was planned for {}", long_date(planned.date)),
        PlanState::Projected => format!("Projected for {}", long_date(planned.date)),
        _ if planned.late => {
            format!("Planned for {}: late, it ships when approved and released", long_date(planned.date))
        }
        _ => format!("Planned for {}", long_date(planned.date)),
    };
    let previous = detail.previous.map(|v| {
        let v = v.to_string();
        view! {
            <dt>"Previous in " {line.clone()}</dt>
            <dd><a href=format!("/releases/{v}")>{v.clone()}</a></dd>
        }
    });
    let stored = detail.stored.clone();
    let source = stored.as_ref().and_then(|r| r.source_build.clone().or(r.source_commit.clone())).map(|s| {
        view! {
            <dt>"Built from"</dt>
            <dd><code>{s}</code></dd>
        }
    });
    let github = stored.as_ref().and_then(|r| r.github_url.clone()).map(|url| {
        view! {
            <dt>"On GitHub"</dt>
            <dd><a href=url.clone() rel="external">{url.clone()}</a></dd>
        }
    });
    let notes =
        stored.as_ref().map(|r| r.notes.clone()).filter(|n| !n.is_empty()).unwrap_or_else(|| "No notes yet.".into());
    let publishable = matches!(planned.state, PlanState::Approved | PlanState::Publishing | PlanState::Released);
    view! {
        <Title text=format!("{version} · Trainyard") />
        <nav aria-label="Breadcrumb" class="breadcrumb">
            <a href="/releases">"Releases"</a> " / " <a href=format!("/releases/{line}")>{line.clone()}</a>
            " / " {version.clone()}
        </nav>
        <h1>{version.clone()} " " <Pill kind=planned.state.as_str() label=planned.state.as_str() /></h1>
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
        <ReleaseLife name=version.clone() />
        {publishable.then(|| view! { <PublishSection version=version.clone() /> })}
    }
}
