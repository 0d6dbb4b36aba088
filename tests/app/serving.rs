//! How responses are served: headers, compression, the page cache, limits.

use reqwest::{StatusCode, header};

use crate::harness::{TestApp, soon};

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    for path in ["/releases", "/api/v1/releases", "/no-such-page"] {
        assert_security_headers(&app.get(path).await, path);
    }
    let html = app.get("/releases").await;
    let csp = html.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
    assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"), "{csp}");
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(html.headers()[header::CONTENT_TYPE], "text/html; charset=utf-8");
}

fn assert_security_headers(res: &reqwest::Response, what: &str) {
    let h = res.headers();
    assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
    assert_eq!(h["referrer-policy"], "same-origin", "{what}");
    assert_eq!(h["x-frame-options"], "DENY", "{what}");
    assert_eq!(h["cross-origin-opener-policy"], "same-origin", "{what}");
    let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
}

#[tokio::test]
async fn answers_from_memory_carry_the_security_headers_whoever_asked_first() {
    let app = TestApp::spawn().await;
    // A browser still holding the cookie of an ended session renders the public page first…
    let ended = reqwest::Client::new()
        .get(app.url("/releases"))
        .header(header::COOKIE, "trainyard_session=0123456789abcdef")
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), StatusCode::OK);
    assert_eq!(ended.headers()["x-cache"], "miss");
    assert!(ended.headers()[header::SET_COOKIE].to_str().unwrap().contains("Max-Age=0"), "the cookie is cleared");
    assert_eq!(ended.headers()[header::CACHE_CONTROL], "private, no-store", "an answer that clears a cookie");
    assert_security_headers(&ended, "the ended session's page");

    // …and everyone else gets the same page from memory, without that cookie business.
    let anonymous = app.get("/releases").await;
    assert_eq!(anonymous.headers()["x-cache"], "hit");
    assert_eq!(anonymous.headers().get(header::SET_COOKIE), None);
    assert_eq!(anonymous.headers().get(header::CACHE_CONTROL), None);
    assert_security_headers(&anonymous, "the anonymous page from memory");

    let manager = app.signed_in("manager").await;
    let (first, second) = (
        manager.get(app.url("/releases")).send().await.unwrap(),
        manager.get(app.url("/releases")).send().await.unwrap(),
    );
    assert_eq!(
        (first.headers()["x-cache"].to_str().unwrap(), second.headers()["x-cache"].to_str().unwrap()),
        ("miss", "hit")
    );
    for (res, what) in [(&first, "the manager's page"), (&second, "the manager's page from memory")] {
        assert_security_headers(res, what);
        assert_eq!(res.headers()[header::CACHE_CONTROL], "private, no-store", "{what}");
    }
}

#[tokio::test]
async fn pages_are_compressed_and_served_from_memory_until_a_write() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::builder().no_brotli().no_gzip().build().unwrap();
    let get = || client.get(app.url("/releases")).header(header::ACCEPT_ENCODING, "br").send();
    let first = get().await.unwrap();
    assert_eq!(first.headers()[header::CONTENT_ENCODING], "br");
    assert_eq!(first.headers()["x-cache"], "miss");
    let first_body = first.bytes().await.unwrap();
    let second = get().await.unwrap();
    assert_eq!(second.headers()["x-cache"], "hit");
    assert_eq!(second.bytes().await.unwrap(), first_body);

    // Any committed write empties the cache, so nothing stale is served.
    let mut tx = app.state.db.begin_write().await.unwrap();
    sqlx::query("UPDATE release_line SET compatibility_notes = 'Kubernetes 1.31' WHERE id = '1.12'")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let third = get().await.unwrap();
    assert_eq!(third.headers()["x-cache"], "miss");
}

/// The day the calendar marks as today (`aria-current="date"`), as its `datetime`.
fn marked_today(html: &str) -> &str {
    let cell = &html[html.find(r#"aria-current="date""#).expect("a day marked as today")..];
    let at = cell.find(r#"datetime=""#).expect("the day's date") + r#"datetime=""#.len();
    &cell[at..at + 10]
}

#[tokio::test]
async fn cached_pages_turn_over_at_midnight_utc() {
    let app = TestApp::spawn().await;
    let first = app.get("/calendar").await;
    assert_eq!(first.headers()["x-cache"], "miss");
    assert_eq!(marked_today(&first.text().await.unwrap()), "2026-11-26");
    app.clock.set("2026-11-26T23:59:59Z".parse().unwrap());
    let before = app.get("/calendar").await;
    assert_eq!(before.headers()["x-cache"], "hit", "the same day is served from memory");
    assert_eq!(marked_today(&before.text().await.unwrap()), "2026-11-26");

    app.clock.set("2026-11-27T00:00:01Z".parse().unwrap());
    let after = app.get("/calendar").await;
    assert_eq!(after.headers()["x-cache"], "miss");
    assert_eq!(marked_today(&after.text().await.unwrap()), "2026-11-27");
}

/// `trainyard user add NAME` run as its own process against `app`'s database file.
fn add_user_on_the_command_line(app: &TestApp, name: &str) {
    use std::{
        io::Write,
        process::{Command, Stdio},
    };
    let mut cli = Command::new(env!("CARGO_BIN_EXE_trainyard"))
        .args(["user", "add", name, "--role", "developer"])
        .env("TRAINYARD_DATABASE_URL", &app.database_url)
        .env("TRAINYARD_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("the command line runs");
    cli.stdin.take().unwrap().write_all(b"a long enough password\n").unwrap();
    assert!(cli.wait().unwrap().success(), "trainyard user add succeeded");
}

/// SQLite's own shell run on `app`'s database file (`.backup`, `.restore`), as an operator
/// would beside a live server.
fn sqlite_shell(app: &TestApp, command: &str) {
    let file = app.database_url.strip_prefix("sqlite://").expect("a file URL");
    let out = std::process::Command::new("sqlite3")
        .args([file, command])
        .output()
        .expect("sqlite3 runs (scripts/setup.sh installs it)");
    assert!(out.status.success(), "sqlite3 {command}: {}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test]
async fn a_user_added_on_the_command_line_shows_on_a_live_servers_cached_page() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin").await;
    let users = || async { admin.get(app.url("/admin")).send().await.unwrap() };
    assert_eq!(users().await.status(), StatusCode::OK);
    let cached = users().await;
    assert_eq!(cached.headers()["x-cache"], "hit");
    assert!(!cached.text().await.unwrap().contains("newcomer"));

    add_user_on_the_command_line(&app, "newcomer");

    // Another process's write reaches the server's watcher within about a tenth of a second.
    let fresh = soon(
        || async { crate::harness::text_of(&users().await.text().await.unwrap()) },
        |page| page.contains("newcomer"),
    )
    .await;
    assert!(fresh.contains("newcomer"), "the new user is listed: {fresh:.300}");
}

#[tokio::test]
async fn a_backup_restored_under_a_live_server_shows_on_its_cached_pages() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin").await;
    let elsewhere = tempfile::tempdir().unwrap();
    let backup = elsewhere.path().join("backup.db");
    let page =
        || async { crate::harness::text_of(&admin.get(app.url("/admin")).send().await.unwrap().text().await.unwrap()) };
    let kept = || async { admin.get(app.url("/admin")).send().await.unwrap().headers()["x-cache"].clone() };
    // Kept in memory before the command line writes, so only the watcher can bring the new
    // user onto the page, and it has done so once the user is listed.
    assert!(!page().await.contains("newcomer"));
    sqlite_shell(&app, &format!(".backup '{}'", backup.display()));
    add_user_on_the_command_line(&app, "newcomer");
    let listed = soon(page, |page| page.contains("newcomer")).await;
    assert!(listed.contains("newcomer"), "added after the backup: {listed:.300}");
    let cached = soon(kept, |cache| cache == "hit").await;
    assert_eq!(cached, "hit");

    sqlite_shell(&app, &format!(".restore '{}'", backup.display()));

    let restored = soon(page, |page| !page.contains("newcomer")).await;
    assert!(!restored.contains("newcomer"), "the backup had no such user: {restored:.300}");
    assert!(restored.contains("admin"), "the page is the admin page still: {restored:.300}");
}

#[tokio::test]
async fn a_release_recorded_on_a_second_server_shows_on_the_first_servers_pages() {
    let first = TestApp::spawn().await;
    let get = || async { first.get("/releases/1.9").await };
    let before = get().await;
    assert_eq!(before.status(), StatusCode::OK);
    assert!(!before.text().await.unwrap().contains("1.9.7"));
    assert_eq!(get().await.headers()["x-cache"], "hit");

    let second = first.second_server().await;
    let admin = second.signed_in("admin").await;
    let form = [("version", "1.9.7"), ("date", "2026-11-20"), ("commit", "")];
    let recorded =
        second.call(&admin, crate::harness::url::<trainyard::features::admin::api::RecordRelease>(), &form).await;
    assert_eq!(recorded.status(), StatusCode::OK, "{}", recorded.text().await.unwrap());

    // Both the page cache and the catalog the first server keeps in memory are renewed.
    let page = soon(|| async { get().await.text().await.unwrap() }, |page| page.contains("1.9.7")).await;
    assert!(page.contains("1.9.7"), "the line page lists the new release");
    let (status, releases) = first.get_json("/api/v1/releases").await;
    assert_eq!(status, 200);
    assert!(releases.to_string().contains("1.9.7"), "{releases}");
}

#[tokio::test]
async fn signed_in_users_never_get_someone_elses_cached_page() {
    let app = TestApp::spawn().await;
    let anonymous = app.get("/releases").await.text().await.unwrap();
    assert!(anonymous.contains(">Sign in<"));
    let manager = app.signed_in("manager").await;
    let theirs = manager.get(app.url("/releases")).send().await.unwrap().text().await.unwrap();
    assert!(theirs.contains("Signed in as <strong>manager</strong>"));
    let again = app.get("/releases").await.text().await.unwrap();
    assert!(!again.contains("Signed in as"));
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_413() {
    let app = TestApp::spawn().await;
    let huge = "x".repeat(300 * 1024);
    let res = app
        .client()
        .post(app.url(crate::harness::sign_in_url()))
        .form(&[("name", huge.as_str()), ("password", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_large");
}

/// Opens a request whose body never finishes arriving.
async fn trickling_request(app: &TestApp) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt;
    let mut slow = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let head = format!(
        "POST {} HTTP/1.1\r\nhost: {}\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 100\r\n\r\nname=",
        crate::harness::sign_in_url(),
        app.addr
    );
    slow.write_all(head.as_bytes()).await.unwrap();
    slow
}

#[tokio::test]
async fn a_slow_client_does_not_hold_up_others() {
    use tokio::io::AsyncReadExt;
    let app = TestApp::spawn_with(crate::harness::Options {
        configure: Box::new(|s| s.body_timeout = std::time::Duration::from_secs(120)),
        ..Default::default()
    })
    .await;
    let mut slow = trickling_request(&app).await;
    // Others are served while that body trickles (the guard only stops a hung test).
    for _ in 0..5 {
        let res = tokio::time::timeout(std::time::Duration::from_secs(30), app.get("/releases")).await;
        assert_eq!(res.expect("served while another request is stuck").status(), StatusCode::OK);
    }
    let mut byte = [0u8; 1];
    let pending = tokio::time::timeout(std::time::Duration::from_millis(200), slow.read(&mut byte)).await;
    assert!(pending.is_err(), "the slow request is still waiting for its body");
}

#[tokio::test]
async fn a_body_that_never_arrives_is_answered_with_an_error() {
    use tokio::io::AsyncReadExt;
    let app = TestApp::spawn_with(crate::harness::Options {
        configure: Box::new(|s| s.body_timeout = std::time::Duration::from_millis(300)),
        ..Default::default()
    })
    .await;
    let mut slow = trickling_request(&app).await;
    let mut answer = vec![0u8; 64];
    let read = tokio::time::timeout(std::time::Duration::from_secs(30), slow.read(&mut answer))
        .await
        .expect("answered")
        .unwrap();
    let status_line = String::from_utf8_lossy(&answer[..read]).to_string();
    assert!(status_line.starts_with("HTTP/1.1 4"), "{status_line}");
}

/// The value of one sample in a metrics scrape, `None` when the series is absent.
fn sample(scrape: &str, series: &str) -> Option<f64> {
    scrape.lines().find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
async fn operational_metrics_count_requests_cache_lookups_and_sign_ins_on_their_own_address() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/releases").await.status(), StatusCode::OK);
    assert_eq!(app.get("/releases").await.headers()["x-cache"], "hit");
    assert_eq!(app.get("/no-such-page").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.get("/metrics").await.status(), StatusCode::NOT_FOUND, "not on the site's address");
    let refused =
        app.call(&app.client(), crate::harness::sign_in_url(), &[("name", "dev"), ("password", "wrong")]).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);

    let res = reqwest::get(format!("http://{}/metrics", app.metrics_addr)).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("application/openmetrics-text"));
    let scrape = res.text().await.unwrap();
    let count = |series: &str| sample(&scrape, series).unwrap_or_else(|| panic!("{series} in\n{scrape}"));
    assert_eq!(count(r#"trainyard_http_requests_total{route="/releases",method="GET",status="200"}"#), 2.0);
    assert_eq!(count(r#"trainyard_http_requests_total{route="(unmatched)",method="GET",status="404"}"#), 2.0);
    assert_eq!(count(r#"trainyard_page_cache_lookups_total{outcome="hit"}"#), 1.0);
    assert_eq!(count(r#"trainyard_page_cache_lookups_total{outcome="miss"}"#), 3.0);
    assert_eq!(count(r#"trainyard_sign_in_attempts_total{outcome="bad_credentials"}"#), 1.0);
    // /releases once (the hit did not render) and the two not-found pages.
    assert_eq!(count("trainyard_page_render_seconds_count"), 3.0);
    assert_eq!(count("trainyard_page_render_stalls_total"), 0.0);
    assert!(count("trainyard_db_write_transaction_seconds_count") > 0.0, "the demo data was written");
    assert_eq!(count(r#"trainyard_publications{state="pending"}"#), 0.0, "an empty outbox reads zero");
}
