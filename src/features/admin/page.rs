//! `/admin`.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{
    AdminData,
    api::{CreateToken, CreateUser, RecordRelease, RevokeToken, SavePolicy, load_admin},
};
use crate::{
    components::{
        Loaded,
        form::{Control, Field, FormError, message_for},
        refreshed,
        status::Pill,
    },
    domain::access::Role,
};

#[component]
pub fn AdminPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| load_admin());
    view! {
        <Title text="Admin · Trainyard" />
        <h1>"Admin"</h1>
        <Loaded data=data content=move |d| view! { <Admin data=d /> } />
    }
}

/// The whole page is forms (admins only): it updates in place after each change.
#[island]
fn Admin(data: AdminData) -> impl IntoView {
    let create_user = ServerAction::<CreateUser>::new();
    let create_token = ServerAction::<CreateToken>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let save_policy = ServerAction::<SavePolicy>::new();
    let record = ServerAction::<RecordRelease>::new();
    let data = refreshed(
        data,
        move || {
            (
                create_user.version().get(),
                create_token.version().get(),
                revoke.version().get(),
                save_policy.version().get(),
                record.version().get(),
            )
        },
        load_admin,
    );
    move || {
        let d = data.get();
        view! {
            <PolicyEditor policy=d.policy.clone() save=save_policy />
            <History record />
            <AdminView data=d create_user create_token revoke />
        }
    }
}

#[component]
fn AdminView(
    data: AdminData,
    create_user: ServerAction<CreateUser>,
    create_token: ServerAction<CreateToken>,
    revoke: ServerAction<RevokeToken>,
) -> impl IntoView {
    let user_error = Signal::derive(move || create_user.value().get().and_then(Result::err));
    let revoke_error = Signal::derive(move || revoke.value().get().and_then(Result::err));
    let roles = Control::Select(Role::ALL.into_iter().map(|r| (r.as_str().to_owned(), r.label().to_owned())).collect());
    let scopes = Control::Select(vec![
        ("ci".to_owned(), "ci: report builds and results".to_owned()),
        ("release_manager".to_owned(), "release_manager: also read embargoed requests".to_owned()),
    ]);
    let token_result = move || create_token.value().get();
    view! {
        <section aria-labelledby="users-heading">
            <h2 id="users-heading">"Users"</h2>
            <div class="table-wrap">
                <table>
                    <thead><tr><th scope="col">"Name"</th><th scope="col">"Role"</th></tr></thead>
                    <tbody>
                        {data.users.into_iter().map(|u| view! {
                            <tr>
                                <th scope="row">{u.name} {u.demo.then_some(" (demo)")}</th>
                                <td>{u.role.label()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <h3>"Add a user"</h3>
            <ActionForm action=create_user attr:class="stack" attr:aria-label="Add a user">
                <Field name="name" id="user-name" label="Name" required=true max_length=64 autocomplete="off"
                    message=message_for(user_error, "name") />
                <Field name="role" id="user-role" label="Role" control=roles message=message_for(user_error, "role") />
                <Field name="password" id="user-password" label="Password" control=Control::Password required=true
                    autocomplete="new-password" hint="At least 12 characters."
                    message=message_for(user_error, "password") />
                <FormError error=user_error fields=&["name", "role", "password"] />
                <p><button type="submit">"Add user"</button></p>
            </ActionForm>
        </section>

        <section aria-labelledby="tokens-heading">
            <h2 id="tokens-heading">"API tokens"</h2>
            <p class="hint">"CI reports builds with " <code>"Authorization: Bearer <token>"</code> ". A token is shown once, when created."</p>
            {move || token_result().map(|r| match r {
                Ok(secret) => view! {
                    <div class="callout ok" role="status">
                        <p>"Copy this token now; it will not be shown again:"</p>
                        <p><code class="token">{secret}</code></p>
                    </div>
                }.into_any(),
                Err(e) => view! { <p class="field-error" role="alert">{e.to_string()}</p> }.into_any(),
            })}
            <FormError error=revoke_error fields=&[] />
            <div class="table-wrap">
                <table>
                    <thead><tr><th scope="col">"Name"</th><th scope="col">"Scope"</th><th scope="col">"Last used"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                    <tbody>
                        {data.tokens.into_iter().map(|t| {
                            let last = t.last_used_at.map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string()).unwrap_or_else(|| "never".into());
                            view! {
                                <tr>
                                    <th scope="row">{t.name.clone()}</th>
                                    <td>{t.scope.as_str()}</td>
                                    <td>{last}</td>
                                    <td>
                                        {if t.revoked {
                                            view! { <Pill kind="cancelled" label="revoked" /> }.into_any()
                                        } else {
                                            view! {
                                                <ActionForm action=revoke>
                                                    <input type="hidden" name="id" value=t.id />
                                                    <button type="submit" class="secondary" aria-label=format!("Revoke token {}", t.name)>"Revoke"</button>
                                                </ActionForm>
                                            }.into_any()
                                        }}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <h3>"Create a token"</h3>
            <ActionForm action=create_token attr:class="stack" attr:aria-label="Create a token">
                <Field name="name" id="token-name" label="Name" required=true max_length=64 autocomplete="off"
                    placeholder="ci-main" />
                <Field name="scope" id="token-scope" label="Scope" control=scopes />
                <p><button type="submit">"Create token"</button></p>
            </ActionForm>
        </section>

        <section aria-labelledby="events-heading">
            <h2 id="events-heading">"Recent events"</h2>
            <div class="table-wrap">
                <table>
                    <thead><tr><th scope="col">"When (UTC)"</th><th scope="col">"Who"</th><th scope="col">"What"</th></tr></thead>
                    <tbody>
                        {data.events.into_iter().map(|e| view! {
                            <tr>
                                <td>{e.at.format("%Y-%m-%d %H:%M").to_string()}</td>
                                <td>{e.actor}</td>
                                <td>{e.summary}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

/// Recording a release that shipped before Trainyard ran the train, so its lines and support
/// dates are known from day one.
#[component]
fn History(record: ServerAction<RecordRelease>) -> impl IntoView {
    let error = Signal::derive(move || record.value().get().and_then(Result::err));
    let done = move || record.value().get().and_then(Result::ok);
    view! {
        <section aria-labelledby="history-heading">
            <h2 id="history-heading">"History"</h2>
            <p class="hint">"Record each release that shipped before Trainyard: the matrix and the calendar count from them."</p>
            <ActionForm action=record attr:class="stack" attr:aria-label="Record a shipped release">
                <Field name="version" id="history-version" label="Version" required=true placeholder="1.12.0"
                    message=message_for(error, "version") />
                <Field name="date" id="history-date" label="Released on" control=Control::Date required=true
                    message=message_for(error, "date") />
                <Field name="commit" id="history-commit" label="Commit" max_length=40 hint="Its full SHA, if you know it."
                    message=message_for(error, "commit") />
                <FormError error fields=&["version", "date", "commit"] />
                {move || done().map(|new| view! {
                    <p class="callout ok" role="status">{if new { "Recorded." } else { "It was recorded already." }}</p>
                })}
                <p><button type="submit">"Record release"</button></p>
            </ActionForm>
        </section>
    }
}

/// The policy's fields and their names in the posted form (`policy[…]`, one struct argument).
const POLICY_FIELDS: [(&str, &str); 13] = [
    ("minor_release", "policy[minor_release]"),
    ("patch_deadline", "policy[patch_deadline]"),
    ("patch_target", "policy[patch_target]"),
    ("weekly_qualification", "policy[weekly_qualification]"),
    ("daily_cut_hour", "policy[daily_cut_hour]"),
    ("branch_cut_days", "policy[branch_cut_days]"),
    ("code_freeze_days", "policy[code_freeze_days]"),
    ("support_weeks", "policy[support_weeks]"),
    ("support_successor", "policy[support_successor]"),
    ("main_branch", "policy[main_branch]"),
    ("release_branch", "policy[release_branch]"),
    ("patch_suites", "policy[patch_suites]"),
    ("cadence", "policy[cadence]"),
];

#[component]
fn PolicyEditor(policy: crate::domain::policy::Policy, save: ServerAction<SavePolicy>) -> impl IntoView {
    use crate::domain::calendar_rules::weekday_name;
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || save.value().get().is_some_and(|r| r.is_ok());
    let field = move |name: &'static str, label: &'static str, value: String, hint: &'static str| {
        view! {
            <Field name=POLICY_FIELDS.iter().find(|(n, _)| *n == name).map(|(_, key)| *key).unwrap_or(name)
                id=format!("policy-{name}") label value hint required=true message=message_for(error, name) />
        }
    };
    view! {
        <section aria-labelledby="policy-heading">
            <h2 id="policy-heading">"Train policy"</h2>
            <ActionForm action=save attr:class="stack">
                {field("minor_release", "Monthly release", policy.minor_release.to_string(), "e.g. 4th Tuesday, last Friday")}
                {field("patch_deadline", "Cherry-pick deadline", policy.patch_deadline.to_string(), "e.g. 1st Friday")}
                {field("patch_target", "Patch release", policy.patch_target.to_string(), "e.g. 2nd Tuesday")}
                {field("weekly_qualification", "Weekly qualification day", weekday_name::long(policy.weekly_qualification).to_owned(), "the newest passing daily becomes the weekly build")}
                {field("daily_cut_hour", "Daily cut (hour, UTC)", policy.daily_cut_hour.to_string(), "0–23")}
                {field("branch_cut_days", "Branch cut (days before the release)", policy.branch_cut_days.to_string(), "0–27")}
                {field("code_freeze_days", "Code freeze (days before the release)", policy.code_freeze_days.to_string(), "fewer than the branch cut")}
                {field("support_weeks", "Support (weeks after the successor ships)", policy.support_weeks.to_string(), "default 6")}
                {field("support_successor", "Successor that ends support (N+…)", policy.support_successor.to_string(), "default 2")}
                {field("main_branch", "Main branch", policy.main_branch.clone(), "dailies, weeklies and monthlies come from it")}
                {field("release_branch", "Release branches", policy.release_branch.clone(), "{line} stands for X.Y, e.g. release-{line}")}
                {field("patch_suites", "Suites a patch build must pass", policy.patch_suites.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(","), "comma-separated: functional, stability, performance")}
                {field("cadence", "When a monthly slips", policy.cadence.as_str().to_owned(), "fixed: later monthlies keep their days; shift: they move with it")}
                <FormError error fields=&[
                    "minor_release", "patch_deadline", "patch_target", "weekly_qualification", "daily_cut_hour",
                    "branch_cut_days", "code_freeze_days", "support_weeks", "support_successor", "main_branch",
                    "release_branch", "patch_suites", "cadence",
                ] />
                {move || saved().then(|| view! { <p class="callout ok" role="status">"Policy saved; the calendar and matrix follow it now."</p> })}
                <p><button type="submit">"Save policy"</button></p>
            </ActionForm>
        </section>
    }
}
