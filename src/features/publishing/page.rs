//! The publish panel of `/releases/{X.Y.Z}`: the exact payload, the state, the actions.

use leptos::prelude::*;

use super::{
    Payload, PublicationState, PublishPanel,
    api::{PublishRelease, RetryPublication, load_publish_panel},
};
use crate::components::Loading;

#[component]
pub fn PublishSection(version: String) -> impl IntoView {
    let publish = ServerAction::<PublishRelease>::new();
    let retry = ServerAction::<RetryPublication>::new();
    let tick = RwSignal::new(0u32);
    let for_resource = version.clone();
    let panel = Resource::new(
        move || (publish.version().get(), retry.version().get(), tick.get()),
        move |_| load_publish_panel(for_resource.clone()),
    );
    // While GitHub is being talked to, look again every two seconds.
    Effect::new(move |_| {
        if let Some(Ok(p)) = panel.get() {
            let busy = p
                .publication
                .as_ref()
                .is_some_and(|p| matches!(p.state, PublicationState::Pending | PublicationState::Retrying));
            if busy {
                set_timeout(move || tick.update(|t| *t += 1), std::time::Duration::from_secs(2));
            }
        }
    });
    view! {
        <section class="publish" aria-labelledby="publish-heading">
            <h2 id="publish-heading">"GitHub"</h2>
            <Transition fallback=Loading>
                {move || {
                    let version = version.clone();
                    Suspend::new(async move {
                        match panel.await {
                            Ok(p) => view! { <PanelView panel=p version publish retry /> }.into_any(),
                            Err(e) => view! { <p class="field-error">{e.to_string()}</p> }.into_any(),
                        }
                    })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn PanelView(
    panel: PublishPanel,
    version: String,
    publish: ServerAction<PublishRelease>,
    retry: ServerAction<RetryPublication>,
) -> impl IntoView {
    let error = move || {
        publish
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| retry.value().get().and_then(Result::err))
            .map(|e| e.to_string())
    };
    let dry_run_result = move || publish.value().get().and_then(Result::ok).flatten();
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
        {(panel.can_publish && panel.blocked.is_none() && state.is_none()).then(|| {
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
        {(panel.can_publish && matches!(state, Some(PublicationState::Failed | PublicationState::Retrying))).then(|| {
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
