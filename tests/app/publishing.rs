//! Publishing to GitHub through a faithful fake: exactly one release, whatever fails.

use std::time::Duration;

use reqwest::StatusCode;
use trainyard::{
    domain::access::Principal,
    features::{
        auth::store::find_credentials,
        publishing::{PublicationState, api as publishing, service},
    },
    platform::github::GitHubTimeouts,
};

use crate::{
    fake_github::{FakeGitHub, Fault, REPO, TOKEN},
    harness::{Options, TestApp, text_of, url},
    world::{World, sha},
};

/// Settings that publish to `fake`, with short timeouts.
pub fn github_of(fake: &FakeGitHub) -> Options {
    github_with(fake, Some(TOKEN))
}

/// Settings pointing at `fake`; without a token publishing is a dry run.
fn github_with(fake: &FakeGitHub, token: Option<&str>) -> Options {
    let url = fake.url();
    let token = token.map(|t| trainyard::platform::settings::Secret::new(t.into()));
    Options {
        configure: Box::new(move |s| {
            s.github.repo = Some(REPO.split_once('/').map(|(o, r)| (o.to_owned(), r.to_owned())).unwrap());
            s.github.token = token;
            s.github.api_url = url;
            s.github_timeouts = GitHubTimeouts {
                connect: Duration::from_secs(1),
                read: Duration::from_secs(1),
                total: Duration::from_millis(1500),
                secondary_wait: Duration::from_secs(60),
            };
            s.publish_backoff.mutation_gap = Duration::ZERO;
        }),
        ..Options::default()
    }
}

/// The project publishing to `fake`, its 1.13.0 approved and due.
async fn app_with(fake: &FakeGitHub) -> (World, String) {
    let world = World::project_with(github_of(fake)).await;
    let version = approve_monthly(&world).await;
    (world, version)
}

async fn manager(app: &TestApp) -> Principal {
    Principal::User(find_credentials(app.state.db.reader(), "manager").await.unwrap().unwrap().viewer)
}

/// 1.13.0 promoted from a weekly that passed all three suites, and its day (22 December) come.
async fn approve_monthly(world: &World) -> String {
    world.today_is("2026-12-10").await;
    let ci = world.ci().await;
    let manager = world.person("manager", "release_manager").await;
    ci.tested("main-20261208-0200", &sha('b'), "passed").await;
    world.run_train(&manager).await;
    for suite in ["stability", "performance"] {
        ci.result("main-20261208-0200", suite, "passed").await;
    }
    world.run_train(&manager).await;
    let promote = url::<trainyard::features::train::api::PromoteBuild>();
    let (status, body) = world.act(&manager, promote, &[("build", "main-20261208-0200")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    world.today_is("2026-12-22").await;
    body.as_str().unwrap().to_owned()
}

async fn state_of(app: &TestApp, version: &str) -> (PublicationState, Option<String>) {
    let panel = service::panel(&app.state, &manager(app).await, version).await.unwrap();
    let p = panel.publication.expect("a publication");
    (p.state, p.html_url.or(p.last_error))
}

/// Runs the outbox, then again once every retry is due, until nothing is pending.
async fn settle(app: &TestApp) {
    for _ in 0..6 {
        service::process_due(&app.state).await.unwrap();
        app.clock.advance(chrono::Duration::hours(1));
    }
}

#[tokio::test]
async fn a_minor_is_published_once_and_marked_latest_an_older_line_patch_is_not() {
    let fake = FakeGitHub::start().await;
    let (world, minor) = app_with(&fake).await;
    let app = &world.app;
    assert_eq!(minor, "1.13.0");
    service::publish(&app.state, &manager(app).await, &minor).await.unwrap();
    assert_eq!(service::process_due(&app.state).await.unwrap(), 1);
    let releases = fake.releases_of("1.13.0");
    assert_eq!(releases.len(), 1);
    assert_eq!(releases[0]["make_latest"], "true");
    assert_eq!(releases[0]["draft"], false);
    assert_eq!(releases[0]["name"], "1.13.0");
    let body = releases[0]["body"].as_str().unwrap();
    assert!(body.contains("Monthly minor release 1.13.0 of the 1.13 line."), "{body}");
    assert!(body.contains("Built from main-"), "{body}");
    assert!(fake.tag("1.13.0").is_some());
    let (state, url) = state_of(app, &minor).await;
    assert_eq!(state, PublicationState::Published);
    assert_eq!(url.as_deref(), Some("https://github.com/example/trainyard/releases/tag/1.13.0"));
    let page = text_of(&app.get("/releases/1.13.0").await.text().await.unwrap());
    assert!(page.contains("View on GitHub"), "{page}");
}

#[tokio::test]
async fn every_transient_fault_ends_in_exactly_one_release() {
    let faults = [
        Fault::Json5xx(500),
        Fault::Html(502),
        Fault::Html(504),
        Fault::Stall(Duration::from_secs(3)),
        Fault::LostAck,
        Fault::DropConnection,
        Fault::PrimaryLimit(2),
        Fault::SecondaryLimit { status: 429, retry_after: Some(1) },
        Fault::SecondaryLimit { status: 403, retry_after: None },
    ];
    for fault in faults {
        let fake = FakeGitHub::start().await;
        let (world, version) = app_with(&fake).await;
        let app = &world.app;
        fake.fail_next("create_release", fault.clone());
        service::publish(&app.state, &manager(app).await, &version).await.unwrap();
        service::process_due(&app.state).await.unwrap();
        let (state, error) = state_of(app, &version).await;
        assert_eq!(state, PublicationState::Retrying, "{fault:?}: {error:?}");
        assert!(!error.unwrap_or_default().contains(TOKEN));
        // Give a stalled call time to finish on the fake's side, then let the retry come due.
        tokio::time::sleep(Duration::from_millis(if matches!(fault, Fault::Stall(_)) { 1700 } else { 0 })).await;
        settle(app).await;
        assert_eq!(state_of(app, &version).await.0, PublicationState::Published, "{fault:?}");
        assert_eq!(fake.releases_of(&version).len(), 1, "{fault:?}: exactly one release");
        assert_eq!(fake.duplicates_refused("create_release"), 0, "{fault:?}: never a second create");
        assert_eq!(fake.duplicates_refused("create_ref"), 0, "{fault:?}: never a second tag");
    }
}

#[tokio::test]
async fn access_errors_fail_with_the_reason_and_a_retry_publishes_once() {
    for status in [401, 403, 404] {
        let fake = FakeGitHub::start().await;
        let (world, version) = app_with(&fake).await;
        let app = &world.app;
        // On the tag write: a 404 on reading a ref only means "no such tag yet".
        fake.fail_next("create_ref", Fault::Status(status));
        service::publish(&app.state, &manager(app).await, &version).await.unwrap();
        settle(app).await;
        let (state, error) = state_of(app, &version).await;
        assert_eq!(state, PublicationState::Failed, "{status}");
        assert!(error.as_deref().unwrap().contains(&status.to_string()), "{error:?}");
        let page = app.get(&format!("/releases/{version}")).await.text().await.unwrap();
        assert!(text_of(&page).contains("Last error"), "the page shows why");
        assert!(!page.contains(TOKEN), "the token never reaches a page");
        // Fixed on GitHub's side: a manager retries.
        let client = world.signed_in("manager");
        let res = app.call(&client, url::<publishing::RetryPublication>(), &[("version", &version)]).await;
        assert_eq!(res.status(), StatusCode::OK);
        service::process_due(&app.state).await.unwrap();
        assert_eq!(state_of(app, &version).await.0, PublicationState::Published);
        assert_eq!(fake.releases_of(&version).len(), 1);
    }
}

/// Waits up to ten seconds for `done`.
async fn until(what: &str, done: impl Fn() -> bool) {
    let started = std::time::Instant::now();
    while !done() {
        assert!(started.elapsed() < Duration::from_secs(10), "waited ten seconds for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_killed_mid_publish_resumes_after_a_restart_and_creates_one_release() {
    let fake = FakeGitHub::start().await;
    let (world, version) = app_with(&fake).await;
    let app = &world.app;
    // The intent is stored here; the server binary's publishing worker carries it out.
    service::publish(&app.state, &manager(app).await, &version).await.unwrap();
    fake.fail_next("create_release", Fault::Stall(Duration::from_secs(5)));
    let (url, now) = (fake.url(), trainyard::platform::clock::Clock::now(&app.clock).to_rfc3339());
    let settings = [
        ("TRAINYARD_GITHUB_API_URL", url.as_str()),
        ("TRAINYARD_GITHUB_REPO", REPO),
        ("TRAINYARD_GITHUB_TOKEN", TOKEN),
        // The server's clock stands where the test's does: the release is due.
        ("TRAINYARD_NOW", now.as_str()),
        ("TRAINYARD_AUTOMATION", "0"),
    ];
    let (mut first, _) = crate::staying_power::start_with(&app.database_url, &settings);
    // The tag is made; the release call hangs at GitHub; the process dies with SIGKILL.
    until("the create call", || fake.calls("create_release") == 1).await;
    assert!(fake.tag(&version).is_some());
    first.kill().unwrap();
    first.wait().unwrap();

    let (mut second, _) = crate::staying_power::start_with(&app.database_url, &settings);
    until("the release", || fake.releases_of(&version).len() == 1).await;
    let started = std::time::Instant::now();
    while state_of(app, &version).await.0 != PublicationState::Published {
        assert!(started.elapsed() < Duration::from_secs(10), "waited ten seconds for the publication");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    second.kill().unwrap();
    second.wait().unwrap();
    assert_eq!(fake.releases_of(&version).len(), 1, "exactly one release");
    assert_eq!(fake.duplicates_refused("create_release"), 0, "the second process did not create it twice");
    assert_eq!(fake.duplicates_refused("create_ref"), 0, "nor the tag");
}

#[tokio::test]
async fn a_leftover_draft_is_reconciled_not_duplicated() {
    let fake = FakeGitHub::start().await;
    let (world, version) = app_with(&fake).await;
    let app = &world.app;
    fake.add_draft(&version);
    service::publish(&app.state, &manager(app).await, &version).await.unwrap();
    service::process_due(&app.state).await.unwrap();
    let releases = fake.releases_of(&version);
    assert_eq!(releases.len(), 1);
    assert_eq!(releases[0]["draft"], false, "the draft was published");
    assert_eq!(fake.calls("create_release"), 0);
    assert_eq!(fake.calls("update_release"), 1);
}

#[tokio::test]
async fn two_publishes_at_once_make_one_release() {
    let fake = FakeGitHub::start().await;
    let (world, version) = app_with(&fake).await;
    let app = &world.app;
    let who = manager(app).await;
    let (a, b) =
        tokio::join!(service::publish(&app.state, &who, &version), service::publish(&app.state, &who, &version));
    a.unwrap();
    b.unwrap();
    let (x, y) = tokio::join!(service::process_due(&app.state), service::process_due(&app.state));
    x.unwrap();
    y.unwrap();
    assert_eq!(fake.releases_of(&version).len(), 1);
    assert_eq!(fake.calls("create_release"), 1, "one create call between the two");
    assert_eq!(fake.duplicates_refused("create_ref"), 0);
    let count: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM publication").fetch_one(app.state.db.reader()).await.unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn without_a_token_publishing_is_a_dry_run_that_sends_nothing() {
    let fake = FakeGitHub::start().await;
    // Pointed at the fake, with everything but the token.
    let world = World::project_with(github_with(&fake, None)).await;
    let version = approve_monthly(&world).await;
    let app = &world.app;
    let client = world.signed_in("manager");
    let res = app.call(&client, url::<publishing::PublishRelease>(), &[("version", &version)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let payload: serde_json::Value = res.json().await.unwrap();
    assert_eq!(payload["tag"], version);
    assert_eq!(payload["make_latest"], true);
    let page = text_of(&app.get(&format!("/releases/{version}")).await.text().await.unwrap());
    assert!(page.contains("No GitHub token is set"), "{page}");
    service::process_due(&app.state).await.unwrap();
    assert_eq!(fake.total_calls(), 0, "a dry run sends nothing to GitHub");
}

#[tokio::test]
async fn only_release_managers_publish_and_unapproved_releases_cannot_be() {
    let fake = FakeGitHub::start().await;
    let (world, _) = app_with(&fake).await;
    let app = &world.app;
    let dev = world.person("dev", "developer").await;
    let url = url::<publishing::PublishRelease>();
    let before = app.fingerprint().await;
    assert_eq!(app.call(&dev, url, &[("version", "1.13.0")]).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.call(&app.client(), url, &[("version", "1.13.0")]).await.status(), StatusCode::UNAUTHORIZED);
    let manager = world.signed_in("manager");
    let planned = app.call(&manager, url, &[("version", "1.12.1")]).await;
    assert_eq!(planned.status(), StatusCode::CONFLICT);
    assert_eq!(app.fingerprint().await, before, "refused publishes stored nothing");
    service::process_due(&app.state).await.unwrap();
    assert_eq!(fake.total_calls(), 0, "and sent nothing");
    // The approved release, asked for by a manager, goes.
    assert_eq!(app.call(&manager, url, &[("version", "1.13.0")]).await.status(), StatusCode::OK);
    service::process_due(&app.state).await.unwrap();
    assert_eq!(fake.releases_of("1.13.0").len(), 1);
}

#[tokio::test]
async fn a_round_that_panics_is_counted_and_the_next_round_still_publishes() {
    let fake = FakeGitHub::start().await;
    let (world, minor) = app_with(&fake).await;
    let app = &world.app;
    service::publish(&app.state, &manager(app).await, &minor).await.unwrap();
    let surprise = async {
        panic!("a surprising answer");
        #[allow(unreachable_code)]
        Ok::<(), trainyard::error::AppError>(())
    };
    assert!(!service::run_round(&app.state, surprise).await, "the panic is a failed round, not the end");
    assert_eq!(app.state.metrics.publishing_round_failures.get(), 1);
    assert!(service::run_round(&app.state, service::process_due(&app.state)).await);
    assert_eq!(fake.releases_of(&minor).len(), 1);
}
