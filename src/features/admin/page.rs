//! `/admin`.

use leptos::prelude::*;
use leptos_meta::Title;

use super::api::{AdminData, CreateToken, CreateUser, RevokeToken, SavePolicy, load_admin};
use crate::{
    components::{Loaded, form::FieldError, refreshed},
    features::auth::Role,
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
    let data = refreshed(
        data,
        move || {
            (
                create_user.version().get(),
                create_token.version().get(),
                revoke.version().get(),
                save_policy.version().get(),
            )
        },
        load_admin,
    );
    move || {
        let d = data.get();
        view! {
            <PolicyEditor policy=d.policy.clone() save=save_policy />
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
    let user_error = move || create_user.value().get().and_then(Result::err);
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
                <div class="field">
                    <label for="user-name">"Name"</label>
                    <input id="user-name" type="text" name="name" required maxlength="64" autocomplete="off" />
                    <FieldError error=Signal::derive(user_error) field="name" />
                </div>
                <div class="field">
                    <label for="user-role">"Role"</label>
                    <select id="user-role" name="role">
                        {Role::ALL.into_iter().map(|r| view! { <option value=r.as_str()>{r.label()}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="user-password">"Password"</label>
                    <input id="user-password" type="password" name="password" required minlength="12" autocomplete="new-password" />
                    <p class="hint">"At least 12 characters."</p>
                    <FieldError error=Signal::derive(user_error) field="password" />
                </div>
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
                                            view! { <span class="pill pill-cancelled">"revoked"</span> }.into_any()
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
                <div class="field">
                    <label for="token-name">"Name"</label>
                    <input id="token-name" type="text" name="name" required maxlength="64" autocomplete="off" placeholder="ci-main" />
                </div>
                <div class="field">
                    <label for="token-scope">"Scope"</label>
                    <select id="token-scope" name="scope">
                        <option value="ci">"ci: report builds and results"</option>
                        <option value="release_manager">"release_manager: also read embargoed requests"</option>
                    </select>
                </div>
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

#[component]
fn PolicyEditor(policy: crate::domain::policy::Policy, save: ServerAction<SavePolicy>) -> impl IntoView {
    use crate::domain::calendar_rules::weekday_name;
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || save.value().get().is_some_and(|r| r.is_ok());
    let field = move |name: &'static str, label: &'static str, value: String, hint: &'static str| {
        let id = format!("policy-{name}");
        let label_for = id.clone();
        view! {
            <div class="field">
                <label for=label_for>{label}</label>
                <input id=id type="text" name=format!("policy[{name}]") value=value required />
                <p class="hint">{hint}</p>
                <FieldError error field=name />
            </div>
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
                {move || saved().then(|| view! { <p class="callout ok" role="status">"Policy saved; the calendar and matrix follow it now."</p> })}
                <p><button type="submit">"Save policy"</button></p>
            </ActionForm>
        </section>
    }
}
