//! How responses are served: headers, compression, the page cache, limits.

use reqwest::{StatusCode, header};

use crate::harness::TestApp;

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    for path in ["/releases", "/api/v1/releases", "/no-such-page"] {
        let res = app.get(path).await;
        let h = res.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
    }
    let html = app.get("/releases").await;
    let csp = html.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
    assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"), "{csp}");
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(html.headers()[header::CONTENT_TYPE], "text/html; charset=utf-8");
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
