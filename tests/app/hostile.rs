//! Hostile input, as an outsider would send it: far-off dates, forged headers, odd encodings,
//! redirects that leave the site, parallel guessing, and every parser fed arbitrary text. The
//! app answers each with a clear 4xx (never a 5xx), echoes nothing as markup, keeps nothing in
//! a shared cache that is not for everyone, and still answers afterwards.

use std::time::Instant;

use proptest::prelude::*;
use reqwest::{Client, StatusCode, header};
use trainyard::{
    domain::{
        calendar_rules::parse_day,
        patch_request::{NewPatchRequest, PatchRequestForm},
        version::{LineId, ReleaseRef, Version},
    },
    features::calendar::{CalendarFilter, parse_month},
};

use crate::harness::{TestApp, sign_in_url};

/// The app still serves its home page: nothing above broke it.
async fn still_answers(app: &TestApp) {
    assert_eq!(app.get("/").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn far_off_dates_are_a_quick_400_that_names_the_field() {
    let app = TestApp::spawn().await;
    for (query, field) in [
        ("from=%2B200000-01-01&to=%2B200000-12-31", "from"),
        ("from=-0001-01-01", "from"),
        ("from=2026-12-01&to=%2B262143-12-31", "to"),
        ("from=2099-01-01&to=2099-02-01", "to"),
        ("from=2026-12-01&to=2028-12-31", "to"),
        ("from=2026-02-30", "from"),
        (&format!("from={}", "9".repeat(5000)), "from"),
    ] {
        let started = Instant::now();
        let (status, body) = app.get_json(&format!("/api/v1/schedule?{query}")).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["error"]["field"], field, "{query}: {body}");
        assert!(body["error"]["message"].as_str().unwrap().len() < 200, "the message quotes only a little");
        assert!(started.elapsed().as_secs() < 2, "{query} took {:?}", started.elapsed());
    }
    still_answers(&app).await;
}

#[tokio::test]
async fn a_forged_host_never_reaches_a_link_or_the_cache() {
    let app = TestApp::spawn().await;
    for path in ["/feed.atom", "/calendar.ics", "/calendar"] {
        let forged = app.client().get(app.url(path)).header(header::HOST, "evil.example").send().await.unwrap();
        assert_eq!(forged.status(), StatusCode::OK, "{path}");
        assert!(!forged.text().await.unwrap().contains("evil.example"), "{path} wrote the forged host");
        let next = app.get(path).await.text().await.unwrap();
        assert!(!next.contains("evil.example"), "{path} kept the forged host for the next reader");
        assert!(next.contains(&app.addr.to_string()), "{path} links to the site's own address");
    }
}

#[tokio::test]
async fn an_odd_accept_encoding_never_serves_a_coding_the_next_client_cannot_read() {
    let app = TestApp::spawn().await;
    let asks = ["GZIP", "*", "br;q=0, gzip", "Gzip, BR"];
    for (path, ask) in ["/feed.atom", "/calendar.ics", "/api/v1/releases", "/releases"].into_iter().zip(asks) {
        let odd = app.client().get(app.url(path)).header(header::ACCEPT_ENCODING, ask).send().await.unwrap();
        assert_eq!(odd.status(), StatusCode::OK);
        // A client that reads only brotli gets brotli or plain bytes, never another coding.
        let br = app.client().get(app.url(path)).header(header::ACCEPT_ENCODING, "br").send().await.unwrap();
        let coding = br.headers().get(header::CONTENT_ENCODING).map(|v| v.to_str().unwrap().to_owned());
        assert!(matches!(coding.as_deref(), None | Some("br")), "{path} after {ask}: {coding:?}");
        // A subscriber that asks for no compression at all.
        for _ in 0..2 {
            let plain =
                app.client().get(app.url(path)).header(header::ACCEPT_ENCODING, "identity").send().await.unwrap();
            assert_eq!(plain.headers().get(header::CONTENT_ENCODING), None, "{path} after {ask}");
            let text = plain.text().await.expect("plain text");
            assert!(
                text.starts_with('<') || text.starts_with("BEGIN:") || text.starts_with('{'),
                "{path} after {ask}: {text:.40}"
            );
        }
    }
}

#[tokio::test]
async fn after_sign_in_the_browser_never_leaves_the_site() {
    let app = TestApp::spawn().await;
    for next in
        ["/\t/evil.example", "//evil.example", "/\\evil.example", "/x\r\nSet-Cookie: a=b", "https://evil.example"]
    {
        let res = app
            .client()
            .post(app.url(sign_in_url()))
            .header("accept", "text/html")
            .header("referer", app.url("/login"))
            .form(&[("name", "dev"), ("password", "trainyard-dev-demo"), ("next", next)])
            .send()
            .await
            .expect("the connection survives");
        assert!(res.status().is_redirection(), "{next:?}: {}", res.status());
        assert_eq!(res.headers()[header::LOCATION], "/", "{next:?}");
    }
    let res = app
        .client()
        .post(app.url(sign_in_url()))
        .header("accept", "text/html")
        .header("referer", app.url("/login"))
        .form(&[("name", "dev"), ("password", "trainyard-dev-demo"), ("next", "/releases/1.12")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()[header::LOCATION], "/releases/1.12", "a path on the site is kept");
}

#[tokio::test]
async fn a_path_no_file_can_have_is_the_apps_404_and_never_cached_publicly() {
    let app = TestApp::spawn().await;
    for path in [format!("/{}", "a".repeat(5000)), format!("/pkg/{}.js", "b".repeat(5000)), "/%00".to_owned()] {
        let res = app.get(&path).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{:.40}", path);
        let cache = res.headers().get(header::CACHE_CONTROL).map(|v| v.to_str().unwrap().to_owned());
        assert!(!cache.unwrap_or_default().contains("public"), "{:.40}", path);
    }
    still_answers(&app).await;
}

#[tokio::test]
async fn what_a_signed_in_person_reads_is_private() {
    let app = TestApp::spawn().await;
    let manager = app.signed_in("manager").await;
    for path in ["/", "/patch-requests", "/api/v1/patch-requests", "/feed.atom"] {
        let res = manager.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_eq!(res.headers()[header::CACHE_CONTROL], "private, no-store", "{path}");
        let vary: Vec<&str> = res.headers().get_all(header::VARY).iter().map(|v| v.to_str().unwrap()).collect();
        assert!(vary.iter().any(|v| v.contains("Cookie")), "{path}: {vary:?}");
    }
    let anonymous = app.get("/").await;
    assert_eq!(anonymous.headers().get(header::CACHE_CONTROL), None, "the public page may be cached");
}

#[tokio::test]
async fn over_https_only_the_host_prefixed_cookie_is_a_session() {
    let app = TestApp::spawn().await;
    let res = app.sign_in_over_https("manager", "trainyard-manager-demo").await;
    let cookie = res.headers()[header::SET_COOKIE].to_str().unwrap().to_owned();
    let secret = cookie.split(';').next().unwrap().split_once('=').unwrap().1.to_owned();
    let page = |name: String| {
        let app = &app;
        async move {
            let res = app
                .client()
                .get(app.url("/"))
                .header("x-forwarded-proto", "https")
                .header(header::COOKIE, name)
                .send()
                .await
                .unwrap();
            res.text().await.unwrap()
        }
    };
    assert!(page(format!("__Host-trainyard_session={secret}")).await.contains("Signed in as"));
    assert!(!page(format!("trainyard_session={secret}")).await.contains("Signed in as"), "a plain cookie over HTTPS");
}

#[tokio::test]
async fn parallel_guesses_are_counted_before_any_password_is_checked() {
    let app = TestApp::spawn().await;
    let guesses = (0..60).map(|i| {
        let app = &app;
        async move {
            app.call(&app.client(), sign_in_url(), &[("name", "dev"), ("password", &format!("guess number {i}"))])
                .await
                .status()
        }
    });
    let statuses = futures::future::join_all(guesses).await;
    let checked = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    assert!((1..=5).contains(&checked), "{checked} guesses were checked: {statuses:?}");
    assert!(
        statuses.iter().all(|s| matches!(
            *s,
            StatusCode::UNAUTHORIZED | StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
        )),
        "{statuses:?}"
    );
    // The owner is slowed down, not locked out: a minute later the right password works.
    app.clock.advance(chrono::Duration::minutes(1));
    let res = app.call(&app.client(), sign_in_url(), &[("name", "dev"), ("password", "trainyard-dev-demo")]).await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_is_throttled_on_its_own_address() {
    let app = TestApp::spawn().await;
    // The test client connects from 127.0.0.1, a trusted proxy by default.
    let guess = |from: &'static str, name: String| {
        let app = &app;
        async move {
            app.client()
                .post(app.url(sign_in_url()))
                .header("accept", "application/json")
                .header("x-forwarded-for", from)
                .form(&[("name", name.as_str()), ("password", "wrong password")])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    for i in 0..20 {
        assert_eq!(guess("203.0.113.7", format!("user{i}")).await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(guess("203.0.113.7", "another".into()).await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(guess("198.51.100.4", "another".into()).await, StatusCode::UNAUTHORIZED, "someone else is not");
}

#[tokio::test]
async fn odd_values_in_every_public_url_are_answered_without_a_5xx_or_markup_echo() {
    let app = TestApp::spawn().await;
    let values = [
        "<script>alert(1)</script>".to_owned(),
        "' OR 1=1 --".to_owned(),
        "%".to_owned(),
        "\u{202e}1.12\u{0301}".to_owned(),
        "x".repeat(10_000),
        "1.99999999999999999999".to_owned(),
        "-1".to_owned(),
    ];
    let shapes = [
        "/releases/{}",
        "/releases/1.12/{}",
        "/patch-requests/{}",
        "/calendar?month={}",
        "/calendar?kinds={}&lines={}",
        "/api/v1/releases/{}",
        "/api/v1/releases?page={}&per_page={}",
        "/api/v1/schedule?kinds={}",
        "/api/v1/schedule?lines={}",
        "/api/v1/patch-requests/{}",
        "/patch-requests?status={}&line={}&q={}&page={}",
        "/calendar.ics?kinds={}&lines={}",
        "/login?next={}&name={}&error={}",
    ];
    for shape in shapes {
        for value in &values {
            let encoded: String = form_urlencoded::byte_serialize(value.as_bytes()).collect();
            let path = shape.replace("{}", &encoded);
            let res = app.get(&path).await;
            let status = res.status();
            assert!(status.is_success() || status.is_client_error(), "{:.80}: {status}", path);
            let html = res.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html");
            let body = res.text().await.unwrap();
            assert!(!(html && body.contains("<script>alert(1)")), "{:.80} echoed markup into a page", path);
        }
    }
    still_answers(&app).await;
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn no_text_makes_a_parser_panic(text in "\\PC{0,60}|[0-9.+-]{0,30}|v?[0-9]{1,25}\\.[0-9]{1,25}(\\.[0-9]{1,25})?(-[a-z0-9.]{0,10})?") {
        let _ = Version::parse(&text);
        let _ = LineId::parse(&text);
        let _ = ReleaseRef::parse(&text);
        let _ = parse_day(&text);
        let _ = parse_month(&text);
        let _ = CalendarFilter::parse(&text, &text);
        let _ = CalendarFilter::parse("patch", &text);
        let form = PatchRequestForm {
            title: text.clone(),
            category: text.clone(),
            severity: text.clone(),
            bug_link: text.clone(),
            fix_link: text.clone(),
            risk: text.clone(),
            cve_id: text.clone(),
            targets: text.clone(),
            ..PatchRequestForm::default()
        };
        let _ = NewPatchRequest::parse(&form, &[LineId::new(1, 12)]);
    }

    #[test]
    fn every_date_that_parses_is_a_real_day_within_the_window(y in -300_000i32..300_000, m in 0u32..14, d in 0u32..33) {
        let text = format!("{y:04}-{m:02}-{d:02}");
        if let Ok(day) = parse_day(&text) {
            prop_assert!(trainyard::domain::calendar_rules::YEARS.contains(&chrono::Datelike::year(&day)));
            prop_assert_eq!(day.format("%Y-%m-%d").to_string(), text);
        }
    }
}

/// Values no form expects: empty, very long, control characters, markup, SQL, numbers past
/// any range, paths, far-off and impossible dates, other scripts.
const HOSTILE: [&str; 11] = [
    "",
    "'; DROP TABLE release; --",
    "\u{0}",
    "<script>alert(1)</script>",
    "-1",
    "99999999999999999999999",
    "../../etc/passwd",
    "+200000-01-01",
    "2026-02-30",
    "\u{202e}\u{1d518}\u{1d52b}",
    "x\r\nSet-Cookie: evil=1",
];

#[tokio::test]
async fn hostile_values_in_every_field_of_every_form_are_refused_without_a_5xx() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin").await;
    let long = "x".repeat(20_000);
    let endpoints = crate::endpoints::mutating_endpoints();
    assert!(endpoints.len() > 20);
    let mut sent = 0;
    for (endpoint, form, _) in &endpoints {
        for field in 0..form.len() {
            // Hashing a password is the slow part of adding a user: its password field gets
            // the long value only.
            let values: Vec<&str> = if form[field].0 == "password" {
                vec![long.as_str()]
            } else {
                HOSTILE.iter().copied().chain([long.as_str()]).collect()
            };
            for value in values {
                let mut hostile = form.clone();
                hostile[field].1 = value.to_owned();
                let res = app
                    .call(&admin, endpoint, &hostile.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect::<Vec<_>>())
                    .await;
                let status = res.status();
                let headers = res.headers().clone();
                let body = res.text().await.unwrap();
                assert!(!status.is_server_error(), "{endpoint} {}={value:.40?}: {status} {body:.200}", form[field].0);
                assert!(headers.get_all("set-cookie").iter().all(|c| !c.to_str().unwrap_or("").contains("evil")));
                if status.is_client_error() {
                    let error: serde_json::Value = serde_json::from_str(&body)
                        .unwrap_or_else(|_| panic!("{endpoint}: a JSON error, not {body:.200}"));
                    // The error the form shows next to its field: a code, and what or which field.
                    assert!(error["code"].as_str().is_some_and(|c| !c.is_empty()), "{endpoint}: {error}");
                }
                sent += 1;
            }
        }
    }
    assert!(sent > 400, "{sent} hostile calls");
    still_answers(&app).await;
}

#[tokio::test]
async fn malformed_bodies_to_every_server_function_and_json_api_are_a_4xx() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin").await;
    // Signing out would end the admin's session, and every later call would only test the 401.
    let sign_out = crate::harness::url::<trainyard::features::auth::api::SignOut>();
    let paths: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .filter(|path| path != sign_in_url() && path != sign_out)
        .collect();
    assert!(paths.len() > 30, "{paths:?}");
    let bodies: [(&str, &str); 5] = [
        ("application/x-www-form-urlencoded", "%ZZ=%%&&=="),
        ("application/x-www-form-urlencoded", "id=1&id=2&id[]=3"),
        ("application/json", "{\"id\":"),
        ("text/plain", "\u{0}\u{1}"),
        ("application/x-www-form-urlencoded", "name=%FF%FE"),
    ];
    for path in &paths {
        for (content_type, body) in bodies {
            let res = admin
                .post(app.url(path))
                .header("accept", "application/json")
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .unwrap();
            let status = res.status();
            assert!(!status.is_server_error(), "{path} with {content_type} {body:?}: {status}");
            assert_ne!(status, StatusCode::UNAUTHORIZED, "{path}: the admin is still signed in");
        }
    }
    // The JSON API: broken JSON, wrong types, missing fields, nesting, each a 4xx with a message.
    let token = trainyard::features::auth::service::create_token(
        &app.state,
        &trainyard::domain::access::Principal::System("test"),
        "ci-hostile",
        trainyard::domain::access::TokenScope::Ci,
    )
    .await
    .unwrap();
    let (dev, ci) = (app.signed_in("dev").await, Client::new());
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    for body in ["{", "null", "[]", "{\"name\": 7, \"commit\": []}", "{\"title\": {\"a\": 1}}", deep.as_str()] {
        // The developer's session for requests, the CI token for builds and results.
        for (request, path) in [
            (dev.post(app.url("/api/v1/patch-requests")), "patch requests"),
            (ci.post(app.url("/api/v1/builds")).bearer_auth(&token), "builds"),
            (ci.post(app.url("/api/v1/builds/main-20261125-0200/results")).bearer_auth(&token), "results"),
        ] {
            let res = request.header("content-type", "application/json").body(body.to_owned()).send().await.unwrap();
            let status = res.status();
            let text = res.text().await.unwrap();
            assert!(status.is_client_error(), "{path} {body:.40}: {status} {text:.200}");
            let error: serde_json::Value =
                serde_json::from_str(&text).unwrap_or_else(|_| panic!("{path}: {text:.200}"));
            assert!(error["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{path}: {error}");
        }
    }
    still_answers(&app).await;
}

#[tokio::test]
async fn a_name_no_account_can_have_is_refused_without_waiting_for_a_hash() {
    let app = TestApp::spawn().await;
    // Every hashing turn is taken: a guess that needed one would be told the server is busy.
    let _turn = app.state.login_throttle.hashing_turn().expect("a free turn");
    let client = app.client();
    let long = "x".repeat(65);
    let res = app.call(&client, sign_in_url(), &[("name", &long), ("password", "whatever it is")]).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}
