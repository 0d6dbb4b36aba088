//! Identity through real HTTP: sign-in, sessions, roles, tokens, cross-site refusal, audit.

use reqwest::{Client, StatusCode, header};
use trainyard::features::{admin::api as admin, auth::api as auth};

use crate::{
    endpoints::{Least, mutating_endpoints},
    harness::{TestApp, sign_in_url, soon, url},
    world::World,
};

fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("trainyard_session="))
        .map(str::to_owned)
}

async fn sign_in_raw(app: &TestApp, client: &Client, name: &str, password: &str) -> reqwest::Response {
    app.call(client, sign_in_url(), &[("name", name), ("password", password)]).await
}

#[tokio::test]
async fn signing_in_sets_a_protected_cookie_and_the_header_names_the_user() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let res = sign_in_raw(&app, &client, "manager", "trainyard-manager-demo").await;
    assert!(res.status().is_success() || res.status().is_redirection(), "{}", res.status());
    let cookie = session_cookie(&res).expect("a session cookie");
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
    assert!(cookie.contains("Path=/"));
    assert!(!cookie.contains("Secure"), "plain HTTP here; Secure is set over HTTPS");

    let html = client.get(app.url("/releases")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Signed in as <strong>manager</strong>"), "{html}");
    assert!(html.contains("release manager"));
}

#[tokio::test]
async fn the_cookie_is_secure_and_host_bound_behind_https() {
    let app = TestApp::spawn().await;
    let res = app.sign_in_over_https("dev", "trainyard-dev-demo").await;
    let cookie = res.headers().get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(cookie.starts_with("__Host-trainyard_session="), "{cookie}");
    assert!(cookie.contains("; Secure"));
}

#[tokio::test]
async fn unknown_users_and_wrong_passwords_get_the_same_answer() {
    let app = TestApp::spawn().await;
    let unknown = sign_in_raw(&app, &app.client(), "nobody", "whatever-password").await;
    let wrong = sign_in_raw(&app, &app.client(), "manager", "wrong-password!!").await;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.text().await.unwrap(), wrong.text().await.unwrap());
}

#[tokio::test]
async fn repeated_failures_are_throttled_with_retry_after() {
    let app = TestApp::spawn().await;
    for _ in 0..5 {
        let res = sign_in_raw(&app, &app.client(), "dev", "not-the-password").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    // Even the right password waits now.
    let res = sign_in_raw(&app, &app.client(), "dev", "trainyard-dev-demo").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = res.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry));
    // After the window, it works again.
    app.clock.advance(chrono::Duration::minutes(16));
    let res = sign_in_raw(&app, &app.client(), "dev", "trainyard-dev-demo").await;
    assert_eq!(res.status(), StatusCode::OK, "the window has passed");
}

#[tokio::test]
async fn a_plain_form_sign_in_failure_returns_to_the_form_with_the_name() {
    let app = TestApp::spawn().await;
    let res = app
        .client()
        .post(app.url(sign_in_url()))
        .header("accept", "text/html")
        .header("referer", app.url("/login"))
        .form(&[("name", "dev"), ("password", "nope-nope-nope"), ("next", "/admin")])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection());
    let location = res.headers()[header::LOCATION].to_str().unwrap();
    assert!(location.starts_with("/login?name=dev&error=bad_credentials"), "{location}");
    let html = app.get(location).await.text().await.unwrap();
    assert!(html.contains("That name and password do not match an account."));
    assert!(html.contains("value=\"dev\""), "the name is kept");
}

/// Loads the admin data with only `cookie` (`name=value`), as a browser that kept it would.
async fn load_admin_with(app: &TestApp, cookie: &str) -> StatusCode {
    Client::new()
        .post(app.url(url::<admin::LoadAdmin>()))
        .header("accept", "application/json")
        .header(header::COOKIE, cookie.to_owned())
        .send()
        .await
        .unwrap()
        .status()
}

fn name_and_value(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_owned()
}

/// Signs the admin in with `client`; returns the session cookie as a browser sends it back.
async fn admin_session(app: &TestApp, client: &Client) -> String {
    name_and_value(&session_cookie(&sign_in_raw(app, client, "admin", "trainyard-admin-demo").await).unwrap())
}

#[tokio::test]
async fn signing_in_again_issues_a_new_session_and_the_old_one_dies() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let first = session_cookie(&sign_in_raw(&app, &client, "admin", "trainyard-admin-demo").await).unwrap();
    let old = name_and_value(&first);
    assert_eq!(load_admin_with(&app, &old).await, StatusCode::OK, "the first session works, and is known now");
    let second = session_cookie(&sign_in_raw(&app, &client, "admin", "trainyard-admin-demo").await).unwrap();
    assert_ne!(first, second);
    assert_eq!(load_admin_with(&app, &old).await, StatusCode::UNAUTHORIZED);
    assert_eq!(load_admin_with(&app, &name_and_value(&second)).await, StatusCode::OK);
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let cookie = admin_session(&app, &client).await;
    assert_eq!(load_admin_with(&app, &cookie).await, StatusCode::OK, "signed in, and known to the server now");
    let out = app.call(&client, url::<auth::SignOut>(), &[]).await;
    assert_eq!(out.status(), StatusCode::OK);
    assert_eq!(load_admin_with(&app, &cookie).await, StatusCode::UNAUTHORIZED, "the kept cookie is refused at once");
}

#[tokio::test]
async fn signing_out_on_one_server_ends_the_session_on_the_other_too() {
    let app = TestApp::spawn().await;
    let other = app.second_server().await;
    let client = app.client();
    let cookie = admin_session(&app, &client).await;
    assert_eq!(load_admin_with(&other, &cookie).await, StatusCode::OK, "the other server knows the session now");
    let out = app.call(&client, url::<auth::SignOut>(), &[]).await;
    assert_eq!(out.status(), StatusCode::OK);
    let refused = soon(|| load_admin_with(&other, &cookie), |s| *s == StatusCode::UNAUTHORIZED).await;
    assert_eq!(refused, StatusCode::UNAUTHORIZED, "within the watcher's tenth of a second, not at the next page write");
}

#[tokio::test]
async fn a_token_revoked_on_one_server_is_refused_by_the_other_too() {
    let app = TestApp::spawn().await;
    let other = app.second_server().await;
    let admin = app.signed_in("admin").await;
    let res = app.call(&admin, url::<admin::CreateToken>(), &[("name", "ci-main"), ("scope", "ci")]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let secret: String = res.json().await.unwrap();
    let read_on_other = || async {
        Client::new().get(other.url("/api/v1/releases")).bearer_auth(&secret).send().await.unwrap().status()
    };
    for _ in 0..3 {
        assert_eq!(read_on_other().await, StatusCode::OK, "the other server knows the token now");
    }
    let tokens = trainyard::features::auth::store::list_tokens(app.state.db.reader()).await.unwrap();
    assert_eq!(tokens.len(), 1);
    let res = app.call(&admin, url::<admin::RevokeToken>(), &[("id", &tokens[0].id.to_string())]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let refused = soon(read_on_other, |s| *s == StatusCode::UNAUTHORIZED).await;
    assert_eq!(refused, StatusCode::UNAUTHORIZED, "within the watcher's tenth of a second");
}

#[tokio::test]
async fn sessions_expire_when_idle_and_at_their_absolute_limit() {
    let app = TestApp::spawn().await;
    let client = app.signed_in("admin").await;
    let load = |client: Client| {
        let url = app.url(url::<admin::LoadAdmin>());
        async move { client.post(url).header("accept", "application/json").send().await.unwrap().status() }
    };
    assert_eq!(load(client.clone()).await, StatusCode::OK);
    app.clock.advance(chrono::Duration::hours(13));
    assert_eq!(load(client).await, StatusCode::UNAUTHORIZED, "idle for 13 hours");

    let client = app.signed_in("admin").await;
    for _ in 0..15 {
        app.clock.advance(chrono::Duration::hours(11));
        assert_eq!(load(client.clone()).await, StatusCode::OK);
    }
    app.clock.advance(chrono::Duration::hours(11));
    assert_eq!(load(client).await, StatusCode::UNAUTHORIZED, "past seven days since sign-in");
}

#[tokio::test]
async fn every_mutating_endpoint_refuses_anonymous_and_underprivileged_callers() {
    let app = TestApp::spawn().await;
    let developer = app.signed_in("dev").await;
    let manager = app.signed_in("manager").await;
    let admin = app.signed_in("admin").await;
    let endpoints = mutating_endpoints();
    assert_eq!(endpoints.len(), 35);
    for (endpoint, form, least) in endpoints {
        let post = |client: Client| {
            let (url, form) = (app.url(endpoint), form.clone());
            async move { client.post(url).header("accept", "application/json").form(&form).send().await.unwrap() }
        };
        let before = app.fingerprint().await;
        let anonymous = post(app.client()).await;
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED, "{endpoint} anonymous");
        let body: serde_json::Value = anonymous.json().await.unwrap();
        assert_eq!(body["code"], "unauthenticated");
        if least > Least::Developer {
            assert_eq!(post(developer.clone()).await.status(), StatusCode::FORBIDDEN, "{endpoint} as developer");
        }
        if least > Least::Manager {
            assert_eq!(post(manager.clone()).await.status(), StatusCode::FORBIDDEN, "{endpoint} as manager");
        }
        assert_eq!(app.fingerprint().await, before, "{endpoint}: a refused call changed nothing");
        // The least role allowed gets past the check (the call itself may still be refused on
        // its merits, 4xx, but never for who is asking).
        let allowed = match least {
            Least::Developer => &developer,
            Least::Manager => &manager,
            Least::Admin => &admin,
        };
        let status = post(allowed.clone()).await.status();
        assert!(
            ![StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN].contains(&status) && !status.is_server_error(),
            "{endpoint} as the least role allowed: {status}"
        );
    }
    // The JSON API's writes too.
    let build = serde_json::json!({"name": "main-20261126-0300", "commit": "abcdef1".repeat(6)[..40]});
    let res = app.client().post(app.url("/api/v1/builds")).json(&build).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        developer.post(app.url("/api/v1/builds")).json(&build).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let res = app
        .client()
        .post(app.url("/api/v1/builds/main-20261125-0200/results"))
        .json(&serde_json::json!({"suite": "functional", "status": "passed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = app
        .client()
        .post(app.url("/api/v1/patch-requests"))
        .json(&serde_json::json!({"title": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn cross_site_posts_are_refused_and_get_never_mutates() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin").await;
    let form = [("name", "ci-evil"), ("scope", "ci")];
    let res = admin
        .post(app.url(url::<admin::CreateToken>()))
        .header("origin", "https://evil.example")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = admin
        .post(app.url(url::<admin::CreateToken>()))
        .header("sec-fetch-site", "cross-site")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = admin.get(app.url(url::<admin::CreateToken>())).query(&form).send().await.unwrap();
    assert!(!res.status().is_success(), "GET must not run a mutation: {}", res.status());
    let same_site = admin
        .post(app.url(url::<admin::CreateToken>()))
        .header("origin", format!("http://{}", app.addr))
        .header("accept", "application/json")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(same_site.status(), StatusCode::OK);
    let tokens = trainyard::features::auth::store::list_tokens(app.state.db.reader()).await.unwrap();
    assert_eq!(tokens.len(), 1, "only the same-site request created a token");
}

#[tokio::test]
async fn api_tokens_are_shown_once_stored_hashed_and_revocable() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin").await;
    let res = app.call(&admin, url::<admin::CreateToken>(), &[("name", "ci-main"), ("scope", "ci")]).await;
    assert_eq!(res.status(), StatusCode::OK);
    // The secret is shown once, to this person: no cache on the way may keep it.
    assert_eq!(res.headers()[reqwest::header::CACHE_CONTROL], "private, no-store");
    let secret: String = res.json().await.unwrap();
    assert!(secret.starts_with("ty_"));
    let stored: String =
        sqlx::query_scalar("SELECT token_hash FROM api_token").fetch_one(app.state.db.reader()).await.unwrap();
    assert_ne!(stored, secret);

    let with = |token: &str| Client::new().get(app.url("/api/v1/releases")).bearer_auth(token.to_owned()).send();
    // Used again and again, as CI does, so the server keeps what it read of the token…
    for _ in 0..3 {
        assert_eq!(with(&secret).await.unwrap().status(), StatusCode::OK);
    }
    assert_eq!(with("ty_not-a-token").await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let tokens = trainyard::features::auth::store::list_tokens(app.state.db.reader()).await.unwrap();
    assert!(tokens[0].last_used_at.is_some());

    let id = tokens[0].id.to_string();
    let res = app.call(&admin, url::<admin::RevokeToken>(), &[("id", &id)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    // …and refuses it at once when it is revoked.
    assert_eq!(with(&secret).await.unwrap().status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn changes_are_audited_and_listed_for_admins() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin").await;
    let res = app
        .call(
            &admin,
            url::<admin::CreateUser>(),
            &[("name", "erin"), ("role", "release_manager"), ("password", "a long enough password")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.call(&admin, url::<admin::LoadAdmin>(), &[]).await;
    let data: serde_json::Value = res.json().await.unwrap();
    let event = &data["events"][0];
    assert_eq!(event["action"], "user.created");
    assert_eq!(event["actor"], "admin (admin)");
    assert!(event["summary"].as_str().unwrap().contains("erin"));
}

#[tokio::test]
async fn bad_input_gets_field_errors_not_internals() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin").await;
    let res = app
        .call(&admin, url::<admin::CreateUser>(), &[("name", "x"), ("role", "developer"), ("password", "short")])
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["field"], "password");
    let res = app
        .call(
            &admin,
            url::<admin::CreateUser>(),
            &[("name", "dev"), ("role", "developer"), ("password", "long enough password")],
        )
        .await;
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["field"], "name");
    assert!(body["message"].as_str().unwrap().contains("taken"));
    // Arguments that do not decode are the caller's error, and say nothing of our insides.
    let res = app.call(&admin, url::<admin::RevokeToken>(), &[("id", "'; DROP TABLE user; --")]).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let text = res.text().await.unwrap();
    assert!(!text.to_lowercase().contains("sqlx") && !text.contains("sqlite"), "{text}");
}

#[tokio::test]
async fn demo_users_vanish_when_demo_mode_is_off() {
    let app = TestApp::spawn().await;
    let mut settings = app.state.settings.clone();
    settings.demo = false;
    let plain = trainyard::platform::state::AppState::new(
        app.state.db.clone(),
        settings,
        std::sync::Arc::new(app.clock.clone()),
    );
    trainyard::web::demo::users::sync_demo_users(&plain).await.unwrap();
    let users = trainyard::features::auth::store::list_users(app.state.db.reader()).await.unwrap();
    assert!(users.is_empty(), "{users:?}");
}

#[tokio::test]
async fn the_command_line_adds_a_user_with_a_password_from_stdin() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("cli.db").display());
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_trainyard"))
        .args(["user", "add", "root", "--role", "admin"])
        .env("TRAINYARD_DATABASE_URL", &db)
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"a very long password\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let pool = trainyard::platform::db::Db::open(&db).await.unwrap();
    let users = trainyard::features::auth::store::list_users(pool.reader()).await.unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].name, "root");
    assert_eq!(users[0].role, trainyard::domain::access::Role::Admin);
}

#[tokio::test]
async fn the_background_round_deletes_expired_sessions() {
    let world = World::project().await;
    let _dev = world.person("dev", "developer").await;
    let sessions = || async {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM session").fetch_one(world.app.state.db.reader()).await.unwrap();
        n
    };
    assert_eq!(sessions().await, 2, "the admin's and the developer's");
    // Thirteen hours later both have been idle past the twelve-hour limit.
    world.app.clock.advance(chrono::Duration::hours(13));
    trainyard::web::worker::round(&world.app.state).await;
    assert_eq!(sessions().await, 0);
}

#[tokio::test]
async fn a_busy_database_never_fails_a_signed_in_read() {
    let world = World::project().await;
    // Past the five minutes after which a read records the session's last use.
    world.app.clock.advance(chrono::Duration::minutes(6));
    let mut other = <sqlx::SqliteConnection as sqlx::Connection>::connect(&world.app.database_url).await.unwrap();
    sqlx::query("BEGIN IMMEDIATE").execute(&mut other).await.unwrap();
    let started = std::time::Instant::now();
    let res = world.admin.get(world.app.url("/patch-requests")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "the page stands while another process holds the write lock");
    // Without waiting for the database's busy timeout (ten seconds).
    assert!(started.elapsed() < std::time::Duration::from_secs(3), "{:?}", started.elapsed());
    sqlx::query("ROLLBACK").execute(&mut other).await.unwrap();
}
