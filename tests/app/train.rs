//! The release train through the real CI API, from an empty database.

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use trainyard::{
    domain::{
        access::{Principal, Role, TokenScope},
        catalog::ReleaseStatus,
        version::Version,
    },
    features::{
        auth::service as auth,
        catalog::store::{NewRelease, insert_release},
        train::{api::PromoteBuild, service as train},
    },
};

use crate::harness::{TestApp, text_of, url};

/// An empty train: 1.0.0 shipped in October, 1.1.0 planned for 8 December, a CI token and a
/// release manager.
async fn empty_train() -> (TestApp, String, Client) {
    let app = TestApp::empty().await;
    let system = Principal::System("test");
    let mut tx = app.state.db.begin_write().await.unwrap();
    for (version, planned, actual) in [("1.0.0", "2026-10-27", Some("2026-10-27")), ("1.1.0", "2026-12-08", None)] {
        let new = NewRelease {
            version: Version::parse(version).unwrap(),
            status: if actual.is_some() { ReleaseStatus::Published } else { ReleaseStatus::Planned },
            planned_date: Some(planned.parse().unwrap()),
            actual_date: actual.map(|a| a.parse().unwrap()),
            out_of_band: false,
            source_build: None,
            source_commit: None,
            notes: String::new(),
            date_note: None,
        };
        insert_release(&mut tx, &new, app.state.clock.now()).await.unwrap();
    }
    tx.commit().await.unwrap();
    let token = auth::create_token(&app.state, &system, "ci-main", TokenScope::Ci).await.unwrap();
    auth::create_user(&app.state, &system, "rm", Role::ReleaseManager, "release manager password".into(), false)
        .await
        .unwrap();
    let manager = app.client();
    let res = app
        .call(&manager, crate::harness::sign_in_url(), &[("name", "rm"), ("password", "release manager password")])
        .await;
    assert!(res.status().is_success() || res.status().is_redirection());
    (app, token, manager)
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    let res = Client::new().post(app.url(path)).bearer_auth(token).json(&body).send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn daily(app: &TestApp, token: &str, name: &str, commit: &str, functional: &str) {
    let (status, body) = post(app, token, "/api/v1/builds", json!({"name": name, "commit": commit})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _) = post(
        app,
        token,
        &format!("/api/v1/builds/{name}/results"),
        json!({"suite": "functional", "status": functional, "link": "https://ci.example.com/1"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

async fn promote(app: &TestApp, manager: &Client, build: &str) -> reqwest::Response {
    app.call(manager, url::<PromoteBuild>(), &[("build", build)]).await
}

#[tokio::test]
async fn the_chain_from_daily_to_monthly_through_the_api() {
    let (app, token, manager) = empty_train().await;
    daily(&app, &token, "main-20261123-0200", "aaaaaaa1", "passed").await;
    daily(&app, &token, "main-20261124-0200", "bbbbbbb2", "passed").await;
    daily(&app, &token, "main-20261125-0200", "ccccccc3", "failed").await;

    // Wednesday's point has passed: the newest daily that passed functional tests is the weekly.
    let report = train::tick(&app.state).await.unwrap();
    assert_eq!(report.weeklies, ["main-20261124-0200"]);
    assert_eq!(report.candidate, None, "no weekly has passed all three suites yet");

    // A weekly missing a suite is refused, with the reason.
    post(&app, &token, "/api/v1/builds/main-20261124-0200/results", json!({"suite": "stability", "status": "passed"}))
        .await;
    let refused = promote(&app, &manager, "main-20261124-0200").await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let body: Value = refused.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("no passing performance result"), "{body}");
    // A daily is refused too.
    let daily_refused: Value = promote(&app, &manager, "main-20261123-0200").await.json().await.unwrap();
    assert!(daily_refused["message"].as_str().unwrap().contains("daily build"));

    post(
        &app,
        &token,
        "/api/v1/builds/main-20261124-0200/results",
        json!({"suite": "performance", "status": "passed"}),
    )
    .await;
    let report = train::tick(&app.state).await.unwrap();
    assert_eq!(report.candidate.as_deref(), Some("main-20261124-0200"));
    let catalog = trainyard::features::catalog::service::catalog(&app.state).await.unwrap();
    let candidate = catalog.release(&Version::parse("1.1.0").unwrap()).unwrap();
    assert_eq!(candidate.status, ReleaseStatus::Candidate);
    assert_eq!(candidate.source_commit.as_deref(), Some("bbbbbbb2"));

    // Promotion ships 1.1.0 today; the lines move with it.
    let res = promote(&app, &manager, "main-20261124-0200").await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    let (_, line) = app.get_json("/api/v1/releases/1.1").await;
    assert_eq!(line["result"]["status"], "current");
    assert_eq!(line["result"]["releaseDate"], "2026-11-26");
    let (_, old) = app.get_json("/api/v1/releases/1.0").await;
    assert_eq!(old["result"]["status"], "supported");
    // Promoting twice is refused.
    assert_eq!(promote(&app, &manager, "main-20261124-0200").await.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn reports_are_idempotent_and_conflicts_and_bad_input_are_named() {
    let (app, token, _) = empty_train().await;
    let build = json!({"name": "main-20261126-0200", "commit": "abcdef1234", "branch": "main", "cutAt": "2026-11-26T02:00:00Z"});
    assert_eq!(post(&app, &token, "/api/v1/builds", build.clone()).await.0, StatusCode::CREATED);
    assert_eq!(post(&app, &token, "/api/v1/builds", build).await.0, StatusCode::OK, "the same report again");
    let (status, body) =
        post(&app, &token, "/api/v1/builds", json!({"name": "main-20261126-0200", "commit": "fedcba9876"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "conflict");

    for (payload, field) in [
        (json!({"name": "nightly", "commit": "abcdef1"}), "name"),
        (json!({"name": "main-20261127-0200", "commit": "xyz"}), "commit"),
        (json!({"name": "main-20261127-0200", "commit": "abcdef1", "branch": "dev"}), "branch"),
        (json!({"name": "main-20261127-0200", "commit": "abcdef1", "cutAt": "2026-11-27T03:00:00Z"}), "cutAt"),
    ] {
        let (status, body) = post(&app, &token, "/api/v1/builds", payload).await;
        assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some(field)), "{body}");
    }
    let (status, body) =
        post(&app, &token, "/api/v1/builds/main-20261126-0200/results", json!({"suite": "smoke", "status": "passed"}))
            .await;
    assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("suite")));
    let (status, _) = post(
        &app,
        &token,
        "/api/v1/builds/main-20990101-0200/results",
        json!({"suite": "functional", "status": "passed"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let result = json!({"suite": "functional", "status": "passed", "link": "https://ci.example.com/9"});
    let (_, first) = post(&app, &token, "/api/v1/builds/main-20261126-0200/results", result.clone()).await;
    let (_, second) = post(&app, &token, "/api/v1/builds/main-20261126-0200/results", result).await;
    assert_eq!((first["changed"].as_bool(), second["changed"].as_bool()), (Some(true), Some(false)));
    let res = Client::new()
        .post(app.url("/api/v1/builds"))
        .header("content-type", "application/json")
        .bearer_auth(&token)
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn only_ci_tokens_and_managers_report_builds() {
    let (app, _token, manager) = empty_train().await;
    let build = json!({"name": "main-20261126-0200", "commit": "abcdef1"});
    let res = Client::new().post(app.url("/api/v1/builds")).json(&build).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = Client::new().post(app.url("/api/v1/builds")).bearer_auth("ty_wrong").json(&build).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = manager.post(app.url("/api/v1/builds")).json(&build).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_tick_cut_short_or_run_twice_leaves_one_weekly() {
    let (app, token, _) = empty_train().await;
    daily(&app, &token, "main-20261124-0200", "bbbbbbb2", "passed").await;
    let (a, b) = tokio::join!(train::tick(&app.state), train::tick(&app.state));
    let picked: Vec<String> = a.unwrap().weeklies.into_iter().chain(b.unwrap().weeklies).collect();
    assert_eq!(picked, ["main-20261124-0200"]);
    assert!(train::tick(&app.state).await.unwrap().weeklies.is_empty(), "a third tick changes nothing");
    let weeklies: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM build WHERE weekly_of IS NOT NULL")
        .fetch_one(app.state.db.reader())
        .await
        .unwrap();
    assert_eq!(weeklies, 1);
}

#[tokio::test]
async fn the_train_page_flags_missing_dailies_and_a_failed_weekly_with_its_fallback() {
    let (app, token, _) = empty_train().await;
    daily(&app, &token, "main-20261117-0200", "1111111a", "passed").await;
    daily(&app, &token, "main-20261124-0200", "2222222b", "passed").await;
    train::tick(&app.state).await.unwrap();
    for suite in ["stability", "performance"] {
        post(&app, &token, "/api/v1/builds/main-20261117-0200/results", json!({"suite": suite, "status": "passed"}))
            .await;
    }
    post(&app, &token, "/api/v1/builds/main-20261124-0200/results", json!({"suite": "stability", "status": "failed"}))
        .await;
    let text = text_of(&app.get("/train").await.text().await.unwrap());
    assert!(text.contains("No daily build was cut on Wed 25 Nov"), "{text}");
    assert!(text.contains("Weekly main-20261124-0200 failed stability tests"), "{text}");
    assert!(text.contains("Escalation: the newest weekly main-20261124-0200 failed stability tests"), "{text}");
    assert!(text.contains("Fallback: main-20261117-0200 (the previous weekly that passed all three suites)"), "{text}");
}

#[tokio::test]
async fn without_any_qualified_weekly_the_monthly_slips() {
    let (app, token, _) = empty_train().await;
    daily(&app, &token, "main-20261124-0200", "2222222b", "passed").await;
    train::tick(&app.state).await.unwrap();
    post(
        &app,
        &token,
        "/api/v1/builds/main-20261124-0200/results",
        json!({"suite": "performance", "status": "failed"}),
    )
    .await;
    let text = text_of(&app.get("/train").await.text().await.unwrap());
    assert!(text.contains("Fallback: next week's weekly build"), "{text}");
    // The next weekly point is Wed 2 Dec; with three days of tests it is ready on the 5th,
    // before the planned 8th: no slip.
    assert!(text.contains("keeps its date"), "{text}");
}

#[tokio::test]
async fn demo_mode_keeps_the_train_moving() {
    let app = TestApp::spawn().await;
    let text = text_of(&app.get("/train").await.text().await.unwrap());
    assert!(text.contains("Monthly candidate for 1.13.0"), "{text}");
    assert!(text.contains("No daily build was cut on"), "the demo misses one day: {text}");
    let dailies: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM build").fetch_one(app.state.db.reader()).await.unwrap();
    assert!(dailies >= 25);
    // A day later, the demo CI cuts the next build.
    app.clock.advance(chrono::Duration::days(1));
    trainyard::web::demo::ci::advance(&app.state, 2).await.unwrap();
    let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM build").fetch_one(app.state.db.reader()).await.unwrap();
    assert_eq!(after, dailies + 1);
}
