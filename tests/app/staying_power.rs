//! Staying power: the real server binary killed with SIGKILL while writers post, and bursts
//! of mixed reads and writes. Not timed: they prove nothing acknowledged is ever lost.

use std::{
    collections::BTreeSet,
    net::TcpListener,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::Duration,
};

use chrono::{DateTime, Utc};
use rand::Rng;
use reqwest::Client;
use serde_json::json;
use trainyard::{
    domain::access::{Principal, TokenScope},
    features::auth::service,
    platform::{db::Db, settings::Settings, state::AppState},
};

use crate::harness::TestApp;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The release-train server as a separate process, on its own port.
fn start(db_url: &str) -> (Child, String) {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_trainyard"))
        .env("TRAINYARD_DATABASE_URL", db_url)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("TRAINYARD_BACKGROUND", "0")
        .env("TRAINYARD_DEMO", "0")
        .env("TRAINYARD_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server starts");
    (child, format!("http://127.0.0.1:{port}"))
}

async fn wait_ready(client: &Client, base: &str) {
    for _ in 0..200 {
        if client.get(format!("{base}/api/v1/releases")).send().await.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not come up at {base}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_survive_repeated_sigkills() {
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}", dir.path().join("kill.db").display());
    // A CI token, made before the first start.
    let token = {
        let db = Db::open(&db_url).await.unwrap();
        let state = AppState::with_system_clock(db.clone(), Settings::for_database(db_url.clone()));
        let token = service::create_token(&state, &Principal::System("test"), "ci-kill", TokenScope::Ci).await.unwrap();
        db.close().await;
        token
    };
    let client = Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
    let base = Arc::new(Mutex::new(String::new()));
    let acknowledged = Arc::new(Mutex::new(BTreeSet::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));

    let (mut child, url) = start(&db_url);
    wait_ready(&client, &url).await;
    *base.lock().unwrap() = url;

    let mut writers = Vec::new();
    for writer in 0..8 {
        let (client, base, acknowledged, stop, token) =
            (client.clone(), base.clone(), acknowledged.clone(), stop.clone(), token.clone());
        writers.push(tokio::spawn(async move {
            let start: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().unwrap();
            let mut i = 0i64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let cut = start + chrono::Duration::minutes(i);
                let name = format!("kill{writer}-{}", cut.format("%Y%m%d-%H%M"));
                let url = base.lock().unwrap().clone();
                let sent = client
                    .post(format!("{url}/api/v1/builds"))
                    .bearer_auth(&token)
                    .json(&json!({"name": name, "commit": format!("{:040x}", i + 1)}))
                    .send()
                    .await;
                match sent {
                    Ok(res) if res.status().is_success() => {
                        acknowledged.lock().unwrap().insert(name);
                        i += 1;
                    }
                    // Refused connections while the server is down: try the same build again.
                    _ => tokio::time::sleep(Duration::from_millis(20)).await,
                }
            }
        }));
    }

    let mut rng = rand::rng();
    for _ in 0..12 {
        tokio::time::sleep(Duration::from_millis(rng.random_range(150..600))).await;
        child.kill().expect("SIGKILL");
        child.wait().unwrap();
        let (next, url) = start(&db_url);
        child = next;
        wait_ready(&client, &url).await;
        *base.lock().unwrap() = url;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for w in writers {
        w.await.unwrap();
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() > 50, "the writers got work done: {}", acknowledged.len());
    let db = Db::open(&db_url).await.unwrap();
    let stored: BTreeSet<String> =
        sqlx::query_scalar("SELECT name FROM build").fetch_all(db.reader()).await.unwrap().into_iter().collect();
    let lost: Vec<&String> = acknowledged.difference(&stored).collect();
    assert!(lost.is_empty(), "acknowledged but lost after SIGKILL: {lost:?}");
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(db.reader()).await.unwrap();
    assert_eq!(integrity, "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_two_hundred_mixed_requests_all_succeed() {
    let app = TestApp::spawn().await;
    let token =
        service::create_token(&app.state, &Principal::System("test"), "ci-burst", TokenScope::Ci).await.unwrap();
    let dev = app.signed_in("dev").await;
    let mut tasks = Vec::new();
    for i in 0..200 {
        let (app_url, dev, token) = (app.url(""), dev.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let client = Client::new();
            let res = match i % 5 {
                0 => client.get(format!("{app_url}/releases")).send().await,
                1 => client.get(format!("{app_url}/calendar")).send().await,
                2 => client.get(format!("{app_url}/api/v1/releases")).send().await,
                3 => client
                    .post(format!("{app_url}/api/v1/builds"))
                    .bearer_auth(&token)
                    .json(&json!({"name": format!("burst-20261126-{:02}{:02}", i / 60, i % 60), "commit": "abcdef1234".repeat(4)}))
                    .send()
                    .await,
                _ => dev
                    .post(format!("{app_url}/api/v1/patch-requests"))
                    .json(&json!({
                        "title": format!("Burst request {i}"), "category": "stability", "severity": "S3",
                        "bug_link": format!("https://github.com/org/repo/issues/{i}"), "risk": "low", "targetLines": ["1.12"]
                    }))
                    .send()
                    .await,
            };
            let res = res.expect("answered");
            (i, res.status().as_u16())
        }));
    }
    let mut failures = Vec::new();
    for t in tasks {
        let (i, status) = t.await.unwrap();
        if !(200..300).contains(&status) {
            failures.push((i, status));
        }
    }
    assert!(failures.is_empty(), "{failures:?}");
}
