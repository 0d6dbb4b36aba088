//! The publish panel of `/releases/{X.Y.Z}`: the exact payload, the state, the actions.

use leptos::prelude::*;

use super::{
    Payload, PublicationState, PublishPanel,
    api::{PublishRelease, RetryPublication, load_publish_panel},
};
use crate::components::{Loading, refreshed};

#[component]
pub fn PublishSection(version: String) -> impl IntoView {
    let panel = Resource::new(move || version.clone(), load_publish_panel);
    view! {
        <section class="publish" aria-labelledby="publish-heading">
            <h2 id="publish-heading">"GitHub"</h2>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match panel.await {
                        Ok(p) if p.can_publish => view! { <Publisher panel=p /> }.into_any(),
                        Ok(p) => view! { <PanelView panel=p actions=None /> }.into_any(),
                        Err(e) => view! { <p class="field-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The panel for someone who may publish: it updates in place after each action, and every two
/// seconds while GitHub is being talked to.
#[island]
fn Publisher(panel: PublishPanel) -> impl IntoView {
    let publish = ServerAction::<PublishRelease>::new();
    let retry = ServerAction::<RetryPublication>::new();
    let tick = RwSignal::new(0u32);
    let version = panel.version.clone();
    let panel = refreshed(
        panel,
        move || (publish.version().get(), retry.version().get(), tick.get()),
        move || load_publish_panel(version.clone()),
    );
    Effect::new(move |_| {
        let busy = panel.with(|p| {
            p.publication
                .as_ref()
                .is_some_and(|p| matches!(p.state, PublicationState::Pending | PublicationState::Retrying))
        });
        if busy {
            set_timeout(move || tick.update(|t| *t += 1), std::time::Duration::from_secs(2));
        }
    });
    move || view! { <PanelView panel=panel.get() actions=Some((publish, retry)) /> }
}

#[component]
fn PanelView(
    panel: PublishPanel,
    actions: Option<(ServerAction<PublishRelease>, ServerAction<RetryPublication>)>,
) -> impl IntoView {
    let version = panel.version.clone();
    let actions = actions.filter(|_| panel.can_publish);
    let error = move || {
        let (publish, retry) = actions?;
        publish
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| retry.value().get().and_then(Result::err))
            .map(|e| e.to_string())
    };
    let dry_run_result = move || actions?.0.value().get().and_then(Result::ok).flatten();
    let state = panel.publication.as_ref().map(|p| p.state);
    view! {
        {panel.blocked.clone().map(|why| view! { <p class="muted">"Not publishable yet: " {why}</p> })}
        {panel.dry_run.then(|| view! {
            <p class="callout warn">"No GitHub token is set (TRAINYARD_GITHUB_TOKEN), so publishing is a dry run: it shows what would be sent and sends nothing."</p>
        })}
        {panel.publication.clone().map(|p| {
            let label = match p.state {
                PublicationState::Pending => "publishing…".to_owned(),
                PublicationState::Retrying => format!("retrying at {} UTC", p.next_attempt_at.format("%H:%M:%S")),
                PublicationState::Published => "published".to_owned(),
                PublicationState::Failed => "failed".to_owned(),
            };
            view! {
                <p class="publication-state" role="status">
                    "State: " <strong>{label}</strong>
                    {p.html_url.clone().map(|url| view! { " — " <a href=url.clone() rel="external">"View on GitHub"</a> })}
                </p>
                {p.last_error.clone().filter(|_| p.state != PublicationState::Published).map(|e| view! { <p class="callout bad">"Last error: " {e}</p> })}
                {(!p.history.is_empty()).then(|| view! {
                    <details>
                        <summary>"Attempts (" {p.history.len()} ")"</summary>
                        <ul>{p.history.iter().map(|a| view! { <li>{a.at.format("%H:%M:%S").to_string()} " · " {a.step.clone()} " · " {a.outcome.clone()} ": " {a.message.clone()}</li> }).collect_view()}</ul>
                    </details>
                })}
            }
        })}
        {panel.payload.clone().map(|p| view! { <PayloadPreview payload=p /> })}
        {actions.filter(|_| panel.blocked.is_none() && state.is_none()).map(|(publish, _)| {
            let version = version.clone();
            view! {
                <ActionForm action=publish attr:aria-label="Publish to GitHub">
                    <input type="hidden" name="version" value=version />
                    <button type="submit" disabled=move || publish.pending().get()>
                        {if panel.dry_run { "Dry run: show what would be sent" } else { "Publish to GitHub" }}
                    </button>
                </ActionForm>
            }
        })}
        {actions.filter(|_| matches!(state, Some(PublicationState::Failed | PublicationState::Retrying))).map(|(_, retry)| {
            let version = version.clone();
            view! {
                <ActionForm action=retry attr:aria-label="Retry publishing">
                    <input type="hidden" name="version" value=version />
                    <button type="submit">"Retry now"</button>
                </ActionForm>
            }
        })}
        {move || dry_run_result().map(|p| view! {
            <div class="callout" role="status"><p>"Dry run: nothing was sent. This is what would be:"</p><PayloadPreview payload=p /></div>
        })}
        {move || error().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
    }
}

#[component]
fn PayloadPreview(payload: Payload) -> impl IntoView {
    view! {
        <dl class="facts payload">
            <dt>"Repository"</dt><dd>{payload.repository.clone().unwrap_or_else(|| "(not set)".into())}</dd>
            <dt>"Tag"</dt><dd><code>{payload.tag.clone()}</code> " at " <code>{payload.target_sha.clone()}</code></dd>
            <dt>"Release name"</dt><dd>{payload.name.clone()}</dd>
            <dt>"Pre-release"</dt><dd>{if payload.prerelease { "yes" } else { "no" }}</dd>
            <dt>"Marked latest"</dt><dd>{if payload.make_latest { "yes" } else { "no: a newer release is latest" }}</dd>
        </dl>
        <pre class="notes" aria-label="Release notes">{payload.body.clone()}</pre>
    }
}
