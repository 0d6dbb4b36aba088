//! `/notifications`: one's mail address, the kinds of news one hears of, the lines one follows;
//! for admins, the webhooks that post to chat.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{
    NotificationSettings, WebhookRow,
    api::{AddWebhook, CreateFeed, RevokeFeed, RevokeWebhook, SaveNotifications, load_notifications},
};
use crate::{
    components::{
        Loaded,
        form::{Field, FieldMessage, FormError, message_for},
        refreshed,
    },
    domain::notification::Kind,
};

#[component]
pub fn NotificationsPage() -> impl IntoView {
    crate::components::never_stored();
    let data = Resource::new(|| (), |_| load_notifications());
    view! {
        <Title text="Notifications · Trainyard" />
        <h1>"Notifications"</h1>
        <p class="lede">"Hear of your requests, the releases that carry them and the lines you run, by mail."</p>
        <Loaded data=data content=move |d| view! { <Notifications data=d /> } />
    }
}

/// The whole page is forms; it reloads its data after each change.
#[island]
fn Notifications(data: NotificationSettings) -> impl IntoView {
    let save = ServerAction::<SaveNotifications>::new();
    let add = ServerAction::<AddWebhook>::new();
    let revoke = ServerAction::<RevokeWebhook>::new();
    let create_feed = ServerAction::<CreateFeed>::new();
    let revoke_feed = ServerAction::<RevokeFeed>::new();
    let data = refreshed(
        data,
        move || {
            (
                save.version().get(),
                add.version().get(),
                revoke.version().get(),
                create_feed.version().get(),
                revoke_feed.version().get(),
            )
        },
        load_notifications,
    );
    let initial = data.get_untracked();
    // Only the table follows the data: the add form stays as typed when an add fails.
    let rows = Signal::derive(move || data.get().webhooks.unwrap_or_default());
    let admin = initial.webhooks.is_some();
    view! {
        <Preferences data=initial save />
        <PrivateFeed data create=create_feed revoke=revoke_feed />
        <Recent data />
        {admin.then(|| view! { <Webhooks rows add revoke /> })}
    }
}

/// A checkbox whose value joins the list `name` (`kinds[]`) when ticked: the same form posts
/// with or without JavaScript.
#[component]
fn Tick(
    name: &'static str,
    #[prop(into)] value: String,
    #[prop(into)] label: String,
    id: String,
    checked: bool,
) -> impl IntoView {
    let label_for = id.clone();
    view! {
        <label class="choice" for=label_for>
            <input type="checkbox" id=id name=name value=value checked=checked />
            <span>{label}</span>
        </label>
    }
}

#[component]
fn Preferences(data: NotificationSettings, save: ServerAction<SaveNotifications>) -> impl IntoView {
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(())));
    let mail_hint = match data.mail_configured {
        true => "Leave it empty to get no mail.",
        false => {
            "This server sends no mail yet (its administrator has not set up SMTP); your choices are kept for when it does."
        }
    };
    view! {
        <section aria-labelledby="mine-heading">
            <h2 id="mine-heading">"What you hear of"</h2>
            <ActionForm action=save attr:class="stack" attr:aria-label="Notification settings">
                <Field name="email" id="notify-email" label="Mail address" value=data.email.clone() autocomplete="email"
                    max_length=254 hint=mail_hint message=message_for(error, "email") />
                <fieldset class="field" aria-describedby="kinds-error">
                    <legend>"Tell me when"</legend>
                    {data.kinds.iter().map(|(kind, on)| view! {
                        <Tick name="kinds[]" value=kind.as_str() label=kind.label() id=format!("kind-{}", kind.as_str()) checked=*on />
                    }).collect_view()}
                    <FieldMessage message=message_for(error, "kinds") id="kinds-error".to_owned() />
                </fieldset>
                <fieldset class="field" aria-describedby="lines-error">
                    <legend>"Lines I follow (their end of life, 90 and 30 days ahead)"</legend>
                    {match data.lines.is_empty() {
                        true => view! { <p class="hint">"No line is supported yet."</p> }.into_any(),
                        false => data.lines.iter().map(|l| view! {
                            <Tick name="lines[]" value=l.line.clone() label=format!("{}: {}", l.line, l.support) id=format!("follow-{}", l.line) checked=l.following />
                        }).collect_view().into_any(),
                    }}
                    <FieldMessage message=message_for(error, "lines") id="lines-error".to_owned() />
                </fieldset>
                <FormError error fields=&["email", "kinds", "lines"] />
                <p>
                    <button type="submit" disabled=move || save.pending().get()>"Save"</button>
                    " "
                    <span role="status">{move || saved().then_some("Saved.")}</span>
                </p>
            </ActionForm>
        </section>
    }
}

#[component]
fn PrivateFeed(
    data: RwSignal<NotificationSettings>,
    create: ServerAction<CreateFeed>,
    revoke: ServerAction<RevokeFeed>,
) -> impl IntoView {
    let error = Signal::derive(move || {
        create.value().get().and_then(Result::err).or_else(|| revoke.value().get().and_then(Result::err))
    });
    // The address is shown once, right after it is made, as a token is.
    let fresh = move || create.value().get().and_then(Result::ok).filter(|_| data.get().feed_since.is_some());
    view! {
        <section aria-labelledby="feed-heading">
            <h2 id="feed-heading">"Your private feed"</h2>
            <p class="hint">
                "An Atom feed of your requests and where each line stands, for a feed reader. Its address is a secret: "
                "anyone who has it reads your requests' titles (never an embargoed one's). Make a new address to stop the old one."
            </p>
            {move || fresh().map(|url| view! {
                <div class="callout ok" role="status">
                    <p>"Your feed's address; copy it now, it will not be shown again:"</p>
                    <p><code class="token">{url}</code></p>
                </div>
            })}
            {move || data.get().feed_since.map(|at| view! {
                <p>"A feed address made on " {at.format("%-d %b %Y %H:%M UTC").to_string()} " is in use."</p>
            })}
            <FormError error fields=&[] />
            <p>
                <button type="button" on:click=move |_| { create.dispatch(CreateFeed {}); }>
                    {move || if data.get().feed_since.is_some() { "Make a new address" } else { "Make a feed address" }}
                </button>
                " "
                {move || data.get().feed_since.is_some().then(|| view! {
                    <button type="button" class="secondary" on:click=move |_| { revoke.dispatch(RevokeFeed {}); }>"Turn the feed off"</button>
                })}
            </p>
        </section>
    }
}

#[component]
fn Recent(data: RwSignal<NotificationSettings>) -> impl IntoView {
    move || {
        let d = data.get();
        (!d.email.is_empty()).then(|| {
            view! {
                <section aria-labelledby="recent-heading">
                    <h2 id="recent-heading">"Sent to " {d.email.clone()}</h2>
                    {match d.recent.is_empty() {
                        true => view! { <p class="hint">"Nothing yet."</p> }.into_any(),
                        false => view! {
                            <ul class="plain">
                                {d.recent.into_iter().map(|m| view! {
                                    <li>
                                        <a href=m.link>{m.subject}</a> " · " {state_label(&m.state)} " · " {m.at.format("%-d %b %Y %H:%M UTC").to_string()}
                                        {m.last_error.map(|e| view! { <span class="hint">" (" {e} ")"</span> })}
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }}
                </section>
            }
        })
    }
}

fn state_label(state: &str) -> &'static str {
    match state {
        "sent" => "sent",
        "failed" => "not delivered",
        _ => "waiting to be sent",
    }
}

#[component]
fn Webhooks(
    rows: Signal<Vec<WebhookRow>>,
    add: ServerAction<AddWebhook>,
    revoke: ServerAction<RevokeWebhook>,
) -> impl IntoView {
    let error = Signal::derive(move || add.value().get().and_then(Result::err));
    let revoke_error = Signal::derive(move || revoke.value().get().and_then(Result::err));
    let secret = move || add.value().get().and_then(Result::ok);
    view! {
        <section aria-labelledby="webhooks-heading">
            <h2 id="webhooks-heading">"Webhooks"</h2>
            <p class="hint">
                "Each message of the chosen kinds is posted as JSON that Slack, Mattermost and Rocket.Chat show ("
                <code>"text"</code> "), signed in " <code>"X-Hub-Signature-256"</code>
                " with the webhook's secret; a repeat carries the same " <code>"X-Trainyard-Delivery"</code>
                ". Embargoed requests are never named."
            </p>
            {move || secret().map(|s| view! {
                <div class="callout ok" role="status">
                    <p>"Copy this secret now; it will not be shown again:"</p>
                    <p><code class="token">{s}</code></p>
                </div>
            })}
            <FormError error=revoke_error fields=&[] />
            {move || { let rows = rows.get(); (!rows.is_empty()).then(|| view! {
                <div class="table-wrap">
                    <table>
                        <thead><tr>
                            <th scope="col">"Receiver"</th><th scope="col">"Kinds"</th><th scope="col">"Sent"</th>
                            <th scope="col">"Waiting"</th><th scope="col">"Not delivered"</th>
                            <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                        </tr></thead>
                        <tbody>
                            {rows.into_iter().map(|w| {
                                let id = w.id;
                                view! {
                                    <tr>
                                        <th scope="row">{w.url.clone()} {w.revoked.then_some(" (revoked)")}
                                            {w.last_error.map(|e| view! { <br /><span class="hint">"Last error: " {e}</span> })}
                                        </th>
                                        <td>{w.kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")}</td>
                                        <td>{w.sent}</td><td>{w.waiting}</td><td>{w.failed}</td>
                                        <td>{(!w.revoked).then(|| view! {
                                            <button class="secondary" on:click=move |_| { revoke.dispatch(RevokeWebhook { id }); }>"Revoke"</button>
                                        })}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}}
            <h3>"Add a webhook"</h3>
            <ActionForm action=add attr:class="stack" attr:aria-label="Add a webhook">
                <Field name="url" id="webhook-url" label="Receiver URL" required=true max_length=2000
                    placeholder="https://hooks.slack.com/services/…" message=message_for(error, "url") />
                <fieldset class="field" aria-describedby="webhook-kinds-error">
                    <legend>"Kinds it gets"</legend>
                    {Kind::ALL.iter().map(|kind| view! {
                        <Tick name="kinds[]" value=kind.as_str() label=kind.label() id=format!("webhook-kind-{}", kind.as_str()) checked=true />
                    }).collect_view()}
                    <FieldMessage message=message_for(error, "kinds") id="webhook-kinds-error".to_owned() />
                </fieldset>
                <FormError error fields=&["url", "kinds"] />
                <p><button type="submit" disabled=move || add.pending().get()>"Add webhook"</button></p>
            </ActionForm>
        </section>
    }
}
