//! Patch requests through real HTTP: the rules, triage, visibility and bad input.

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use trainyard::features::patch_requests::api as pr;

use crate::{
    harness::{TestApp, text_of, url},
    world::World,
};

/// A complete stability request, as the form's fields (`form[...]`).
pub(crate) fn fields(overrides: &[(&str, &str)]) -> Vec<(String, String)> {
    let base = [
        ("title", "Proxy crashes on an empty header"),
        ("category", "stability"),
        ("severity", "S2"),
        ("bug_link", "https://github.com/org/repo/issues/42"),
        ("fix_link", ""),
        ("impact", "every gateway restarts"),
        ("risk", "low"),
        ("risk_reason", ""),
        ("testing", "unit test"),
        ("verified_on_daily", "yes"),
        ("workaround", ""),
        ("cve_id", ""),
        ("embargoed", ""),
        ("targets", "1.12,1.11,1.10,1.9"),
    ];
    base.iter()
        .map(|(k, v)| {
            let value = overrides.iter().find(|(o, _)| o == k).map(|(_, v)| *v).unwrap_or(v);
            (format!("form[{k}]"), value.to_owned())
        })
        .collect()
}

async fn file(app: &TestApp, client: &Client, overrides: &[(&str, &str)]) -> reqwest::Response {
    client
        .post(app.url(url::<pr::FilePatchRequest>()))
        .header("accept", "application/json")
        .form(&fields(overrides))
        .send()
        .await
        .unwrap()
}

pub(crate) async fn filed(app: &TestApp, client: &Client, overrides: &[(&str, &str)]) -> i64 {
    let res = file(app, client, overrides).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}

pub(crate) async fn decide(
    app: &TestApp,
    client: &Client,
    id: i64,
    line: &str,
    decision: &str,
    reason: &str,
) -> reqwest::Response {
    let id = id.to_string();
    app.call(
        client,
        url::<pr::DecidePatchRequest>(),
        &[("id", &id), ("line", line), ("decision", decision), ("reason", reason), ("out_of_band_on", "")],
    )
    .await
}

pub(crate) async fn api_request(app: &TestApp, client: &Client, id: i64) -> (StatusCode, Value) {
    let res = client.get(app.url(&format!("/api/v1/patch-requests/{id}"))).send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap())
}

#[tokio::test]
async fn a_stability_request_targets_every_supported_line_and_is_audited() {
    let world = World::project().await;
    let app = &world.app;
    let dev = world.person("dev", "developer").await;
    let id = filed(app, &dev, &[]).await;
    let (status, body) = api_request(app, &dev, id).await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "open");
    let lines: Vec<&str> = body["targets"].as_array().unwrap().iter().map(|t| t["line"].as_str().unwrap()).collect();
    assert_eq!(lines, ["1.12", "1.11", "1.10", "1.9"]);
    assert!(body["targets"].as_array().unwrap().iter().all(|t| t["decision"] == "pending"));
    let page = text_of(&dev.get(app.url(&format!("/patch-requests/{id}"))).send().await.unwrap().text().await.unwrap());
    assert!(
        page.contains("filed “Proxy crashes on an empty header” (stability, S2) for 1.9, 1.10, 1.11, 1.12"),
        "{page}"
    );
}

#[tokio::test]
async fn features_are_deferred_to_the_named_monthly_release() {
    let world = World::project().await;
    let app = &world.app;
    let dev = world.person("dev", "developer").await;
    let id = filed(app, &dev, &[("category", "feature"), ("title", "Add a retry flag")]).await;
    let (_, body) = api_request(app, &dev, id).await;
    assert_eq!(body["status"], "deferred");
    assert_eq!(body["deferred_to"], "1.13.0");
    assert_eq!(body["targets"], json!([]));
    // The form tells before submitting: it knows the next monthly release.
    let (_, form) = {
        let res = app.call(&dev, url::<pr::LoadPatchForm>(), &[]).await;
        (res.status(), res.json::<Value>().await.unwrap())
    };
    assert_eq!(form["next_minor"][0], "1.13.0");
    assert_eq!(form["next_minor"][1], "2026-12-22");
}

#[tokio::test]
async fn a_deferred_request_names_its_monthly_and_the_day_it_ships() {
    let world = World::project().await;
    let dev = world.person("dev", "developer").await;
    let id = filed(&world.app, &dev, &[("category", "feature"), ("title", "Add a retry flag")]).await;
    let page = world.page(&dev, &format!("/patch-requests/{id}")).await;
    assert!(page.contains("Deferred: it ships in the monthly release 1.13.0 on 22 December 2026."), "{page}");
}

#[tokio::test]
async fn until_triage_each_line_shows_where_the_fix_would_ship_and_a_late_approval_says_why_it_moved() {
    let world = World::project().await;
    let dev = world.person("dev", "developer").await;
    let manager = world.person("manager", "release_manager").await;
    // Thursday 26 November: December's slot (8 December, cherry-picks by 4 December) is open.
    let id = filed(&world.app, &dev, &[("targets", "1.12,1.11")]).await;
    let page = world.page(&dev, &format!("/patch-requests/{id}")).await;
    assert!(
        page.contains("1.12.1 on 8 Dec 2026 projected: if approved and merged by the end of 4 Dec 2026 (UTC)"),
        "{page}"
    );
    assert!(page.contains("1.11.2 on 8 Dec 2026 projected"), "{page}");

    // Approved in time for 1.11: no note. Approved for 1.12 only after the deadline: it says so.
    assert_eq!(decide(&world.app, &manager, id, "1.11", "approved", "").await.status(), StatusCode::OK);
    world.today_is("2026-12-05").await;
    let manager = world.signed_in("manager");
    let dev = world.signed_in("dev");
    assert_eq!(decide(&world.app, &manager, id, "1.12", "approved", "").await.status(), StatusCode::OK);
    let (_, body) = api_request(&world.app, &dev, id).await;
    let target = |line: &str| body["targets"].as_array().unwrap().iter().find(|t| t["line"] == line).unwrap().clone();
    assert!(target("1.11")["carry_note"].is_null(), "{body}");
    // December's 1.12 slot now ships nothing, so January's patch is 1.12.1.
    assert_eq!(
        (target("1.12")["carrier"]["version"].as_str(), target("1.12")["carrier"]["date"].as_str()),
        (Some("1.12.1"), Some("2027-01-12"))
    );
    assert_eq!(
        target("1.12")["carry_note"],
        "approved after the cherry-pick deadline of the 1.12 patch of December 2026 (end of 2026-12-04, UTC): it ships in the 1.12 patch of January 2027 instead"
    );
    let page = world.page(&dev, &format!("/patch-requests/{id}")).await;
    assert!(page.contains("it ships in the 1.12 patch of January 2027 instead"), "{page}");
    assert_eq!(
        (target("1.11")["revision"].as_u64(), target("1.12")["revision"].as_u64()),
        (Some(1), Some(1)),
        "a late approval is one change to its line, like any other"
    );
    assert!(!page.contains("projected"), "no line is pending any more: {page}");
}

#[tokio::test]
async fn bad_input_is_refused_field_by_field() {
    let world = World::project().await;
    let app = &world.app;
    let dev = world.person("dev", "developer").await;
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("title", "")], "title"),
        (&[("bug_link", "")], "bug_link"),
        (&[("bug_link", "javascript:alert(1)")], "bug_link"),
        (&[("severity", "S9")], "severity"),
        (&[("category", "opinion")], "category"),
        (&[("targets", "1.12,1.5")], "targets"),
        (&[("targets", "")], "targets"),
        (&[("targets", "9.99")], "targets"),
        (&[("cve_id", "CVE-2026-1")], "cve_id"),
        (&[("risk", "high")], "risk_reason"),
    ];
    for (overrides, field) in cases {
        let res = file(app, &dev, overrides).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{overrides:?}");
        let body: Value = res.json().await.unwrap();
        let fields: Vec<&str> =
            body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert!(fields.contains(field), "{overrides:?} → {fields:?}");
    }
    let huge = "x".repeat(5000);
    let res = file(app, &dev, &[("impact", huge.as_str())]).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "impact");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("4000"));
}

#[tokio::test]
async fn html_is_shown_as_text_and_sql_is_stored_verbatim() {
    let world = World::project().await;
    let app = &world.app;
    let dev = world.person("dev", "developer").await;
    let title = "</title><script>alert('x')</script> '; DROP TABLE patch_request; --";
    let id = filed(app, &dev, &[("title", title), ("impact", "<img src=x onerror=alert(1)>")]).await;
    let html = dev.get(app.url(&format!("/patch-requests/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains("<script>alert"), "the title must be escaped");
    assert!(!html.contains("<img src=x"), "the impact must be escaped");
    assert!(html.contains("&lt;script&gt;alert"));
    assert!(!html.contains("</title><script>"), "the page title must not break out of <title>");
    let (_, body) = api_request(app, &dev, id).await;
    assert_eq!(body["title"], title);
    let count: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM patch_request").fetch_one(app.state.db.reader()).await.unwrap();
    assert!(count >= 1, "the table survived");
}

#[tokio::test]
async fn a_repeated_submission_is_one_request() {
    let world = World::project().await;
    let app = &world.app;
    let dev = world.person("dev", "developer").await;
    let (a, b) = tokio::join!(filed(app, &dev, &[("title", "Twice")]), filed(app, &dev, &[("title", "Twice")]));
    assert_eq!(a, b);
    let again = filed(app, &dev, &[("title", "Twice")]).await;
    assert_eq!(a, again);
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM patch_request WHERE title = 'Twice'")
        .fetch_one(app.state.db.reader())
        .await
        .unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn only_signed_in_developers_file_and_only_managers_decide() {
    let world = World::project().await;
    let app = &world.app;
    assert_eq!(file(app, &app.client(), &[]).await.status(), StatusCode::UNAUTHORIZED);
    let dev = world.person("dev", "developer").await;
    let id = filed(app, &dev, &[]).await;
    let before = app.fingerprint().await;
    assert_eq!(decide(app, &app.client(), id, "1.12", "approved", "").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(decide(app, &dev, id, "1.12", "approved", "").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.fingerprint().await, before, "the refused decisions changed nothing");
    assert_eq!(api_request(app, &dev, id).await.1["targets"][0]["decision"], "pending");
    let manager = world.person("manager", "release_manager").await;
    assert_eq!(decide(app, &manager, id, "1.12", "approved", "").await.status(), StatusCode::OK);
    assert_eq!(api_request(app, &dev, id).await.1["targets"][0]["decision"], "approved");
    assert_ne!(app.fingerprint().await, before, "the fingerprint sees an allowed decision");
}

#[tokio::test]
async fn triage_assigns_approved_lines_to_their_next_patch_and_the_requester_sees_it() {
    let world = World::project().await;
    let app = &world.app;
    let dev = world.person("dev", "developer").await;
    let manager = world.person("manager", "release_manager").await;
    let id = filed(app, &dev, &[("category", "security"), ("cve_id", "CVE-2026-12345")]).await;
    assert_eq!(decide(app, &manager, id, "1.12", "approved", "").await.status(), StatusCode::OK);
    assert_eq!(decide(app, &manager, id, "1.11", "approved", "").await.status(), StatusCode::OK);
    let no_reason = decide(app, &manager, id, "1.10", "rejected", " ").await;
    assert_eq!(no_reason.status(), StatusCode::BAD_REQUEST);
    let body: Value = no_reason.json().await.unwrap();
    assert_eq!(body["field"], "reason");
    assert_eq!(decide(app, &manager, id, "1.10", "rejected", "the code is not in 1.10").await.status(), StatusCode::OK);
    assert_eq!(decide(app, &manager, id, "1.9", "not_affected", "").await.status(), StatusCode::OK);

    let (_, body) = api_request(app, &dev, id).await;
    assert_eq!(body["status"], "approved");
    let target = |line: &str| body["targets"].as_array().unwrap().iter().find(|t| t["line"] == line).unwrap().clone();
    assert_eq!(target("1.12")["carrier"]["version"], "1.12.1");
    assert_eq!(target("1.12")["carrier"]["date"], "2026-12-08");
    assert_eq!(target("1.11")["carrier"]["version"], "1.11.2");
    assert_eq!(target("1.10")["decision"], "rejected");
    assert_eq!(target("1.10")["reason"], "the code is not in 1.10");
    assert_eq!(target("1.9")["decision"], "not_affected");
    let page = text_of(&dev.get(app.url(&format!("/patch-requests/{id}"))).send().await.unwrap().text().await.unwrap());
    assert!(page.contains("1.12 approved by manager"), "{page}");
    assert!(page.contains("1.12.1 · 8 Dec 2026 (planned) merge by the end of 4 Dec 2026 (UTC)"), "{page}");
    assert!(page.contains("the code is not in 1.10"));
}

#[tokio::test]
async fn approving_all_lines_at_once_and_an_s1_out_of_band() {
    let world = World::project().await;
    let app = &world.app;
    let dev = world.person("dev", "developer").await;
    let manager = world.person("manager", "release_manager").await;
    let id = filed(app, &dev, &[("severity", "S1"), ("targets", "1.12,1.11")]).await;
    let id_text = id.to_string();
    let res = app
        .call(
            &manager,
            url::<pr::DecidePatchRequest>(),
            &[
                ("id", &id_text),
                ("line", ""),
                ("decision", "approved"),
                ("reason", "S1"),
                ("out_of_band_on", "2026-11-28"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    let (_, body) = api_request(app, &dev, id).await;
    let carriers: Vec<(&str, &str)> = body["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["carrier"]["version"].as_str().unwrap(), t["carrier"]["date"].as_str().unwrap()))
        .collect();
    // Out of band takes each line's next number; December's patches renumber after them.
    assert_eq!(carriers, [("1.12.1", "2026-11-28"), ("1.11.2", "2026-11-28")]);
    let december = world.release("patch-1.12-2026-12").await;
    assert_eq!(december["version"], "1.12.2");
    // An S2 may not go out of band.
    let s2 = filed(app, &dev, &[("title", "Another"), ("targets", "1.12")]).await;
    let s2_text = s2.to_string();
    let res = app
        .call(
            &manager,
            url::<pr::DecidePatchRequest>(),
            &[
                ("id", &s2_text),
                ("line", ""),
                ("decision", "approved"),
                ("reason", ""),
                ("out_of_band_on", "2026-11-28"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_request_after_the_deadline_moves_to_the_next_slot() {
    let world = World::project().await;
    let app = &world.app;
    // December's deadline is Friday the 4th; on the 5th, fixes go to January's slot.
    world.today_is("2026-12-05T09:00:00Z").await;
    let dev = world.person("dev", "developer").await;
    let manager = world.person("manager", "release_manager").await;
    let res = app.call(&dev, url::<pr::LoadPatchForm>(), &[]).await;
    let form: Value = res.json().await.unwrap();
    let l112 = form["lines"].as_array().unwrap().iter().find(|l| l["line"] == "1.12").unwrap().clone();
    // Nothing was merged for December, so its slot ships nothing and frees its number.
    assert_eq!(l112["missed"]["version"], Value::Null);
    assert!(l112["missed"]["label"].as_str().unwrap().contains("December 2026"), "{l112}");
    assert_eq!(l112["next"]["version"], "1.12.1");
    assert_eq!(l112["next"]["target"], "2027-01-12");
    let id = filed(app, &dev, &[("targets", "1.12")]).await;
    assert_eq!(decide(app, &manager, id, "1.12", "approved", "").await.status(), StatusCode::OK);
    let (_, body) = api_request(app, &dev, id).await;
    assert_eq!(body["targets"][0]["carrier"]["version"], "1.12.1");
    assert_eq!(body["targets"][0]["carrier"]["date"], "2027-01-12");
}

#[tokio::test]
async fn embargoed_requests_are_invisible_to_everyone_but_requester_and_managers() {
    let world = World::project().await;
    let app = &world.app;
    let dev = world.person("dev", "developer").await;
    let manager = world.person("manager", "release_manager").await;
    let id = filed(app, &dev, &[("category", "security"), ("embargoed", "on"), ("title", "Secret hole")]).await;
    assert_eq!(api_request(app, &app.client(), id).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("/patch-requests/{id}")).await.status(), 404);
    let list = app.get("/patch-requests").await.text().await.unwrap();
    assert!(!list.contains("Secret hole"));
    let (status, api_list) = app.get_json("/api/v1/patch-requests").await;
    assert_eq!(status, 200);
    assert!(api_list["items"].as_array().unwrap().iter().all(|i| i["title"] != "Secret hole"));
    // The same list shows it to a manager, so its absence above is the embargo at work.
    let managers = manager.get(app.url("/api/v1/patch-requests")).send().await.unwrap().text().await.unwrap();
    assert!(managers.contains("Secret hole"), "{managers}");
    assert_eq!(api_request(app, &dev, id).await.0, StatusCode::OK);
    assert_eq!(api_request(app, &manager, id).await.0, StatusCode::OK);
    // Another developer does not see it either.
    let admin = world.admin.clone();
    let other = url::<trainyard::features::admin::api::CreateUser>();
    let res =
        app.call(&admin, other, &[("name", "eve"), ("role", "developer"), ("password", "another long password")]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let eve = app.client();
    app.call(&eve, crate::harness::sign_in_url(), &[("name", "eve"), ("password", "another long password")]).await;
    assert_eq!(api_request(app, &eve, id).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_list_filters_paginates_and_counts() {
    let world = World::project().await;
    let app = &world.app;
    let dev = world.person("dev", "developer").await;
    filed(app, &dev, &[("title", "Add a flag to tune the retry budget"), ("category", "feature"), ("severity", "S4")])
        .await;
    for i in 0..30 {
        filed(app, &dev, &[("title", &format!("Bug number {i}")), ("targets", "1.12")]).await;
    }
    let (_, page1) = app.get_json("/api/v1/patch-requests?line=1.12&status=open").await;
    assert_eq!(page1["items"].as_array().unwrap().len(), 25);
    assert_eq!(page1["items"][0]["title"], "Bug number 29", "newest first");
    assert!(page1["total"].as_i64().unwrap() >= 30);
    let (_, page2) = app.get_json("/api/v1/patch-requests?line=1.12&status=open&page=2").await;
    assert!(!page2["items"].as_array().unwrap().is_empty());
    let page = app.get("/patch-requests?status=deferred&category=feature").await.text().await.unwrap();
    for kept in ["<option value=\"deferred\" selected", "<option value=\"feature\" selected"] {
        assert!(page.contains(kept), "the filter form shows the filters in the URL: {kept}");
    }
    let html = text_of(&page);
    assert!(html.contains("Add a flag to tune the retry budget"), "the deferred feature: {html}");
    assert!(!html.contains("Bug number"));
    let (status, body) = app.get_json("/api/v1/patch-requests?status=lost").await;
    assert_eq!((status, body["error"]["field"].as_str()), (400, Some("status")));
}

#[tokio::test]
async fn without_javascript_the_form_keeps_what_was_typed_and_files_when_valid() {
    let world = World::project().await;
    let app = &world.app;
    let dev = world.person("dev", "developer").await;
    let body = "title=Crash+on+start&category=stability&severity=S2&bug_link=&risk=low&impact=typed+by+hand&targets=1.12&targets=1.11";
    let res = dev
        .post(app.url("/patch-requests/new"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "text/html")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(html.contains("value=\"Crash on start\""), "the title is kept");
    assert!(html.contains("typed by hand"), "the impact is kept");
    assert!(text_of(&html).contains("a link to the bug is required"));

    let fixed = body.replace("bug_link=", "bug_link=https%3A%2F%2Fgithub.com%2Forg%2Frepo%2Fissues%2F9");
    let res = dev
        .post(app.url("/patch-requests/new"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "text/html")
        .body(fixed)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/patch-requests/"));
    let page = text_of(&dev.get(app.url(&location)).send().await.unwrap().text().await.unwrap());
    assert!(page.contains("Crash on start"));
}

#[tokio::test]
async fn the_api_files_with_the_same_rules() {
    let world = World::project().await;
    let app = &world.app;
    let dev = world.person("dev", "developer").await;
    let good = json!({
        "title": "Crash via the API", "category": "stability", "severity": "S2",
        "bug_link": "https://github.com/org/repo/issues/1", "risk": "low", "targetLines": ["1.12"]
    });
    let res = dev.post(app.url("/api/v1/patch-requests")).json(&good).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.unwrap();
    assert!(created["id"].as_i64().unwrap() > 0);
    let bad = json!({"title": "", "category": "stability", "severity": "S2", "bug_link": "nope", "risk": "low", "targetLines": ["1.12"]});
    let res = dev.post(app.url("/api/v1/patch-requests")).json(&bad).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid");
    let fields: Vec<&str> =
        body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["title", "bug_link"]);
    let res = dev
        .post(app.url("/api/v1/patch-requests"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = app.client().post(app.url("/api/v1/patch-requests")).json(&good).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_on_call_person_owns_new_requests() {
    let world = World::project().await;
    let app = &world.app;
    let manager = world.person("manager", "release_manager").await;
    let res = app.call(&manager, url::<pr::AssignOncall>(), &[("week", "2026-11-26"), ("user", "manager")]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.call(&manager, url::<pr::AssignOncall>(), &[("week", "2026-11-26"), ("user", "nobody")]).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let dev = world.person("dev", "developer").await;
    let id = filed(app, &dev, &[("title", "Owned")]).await;
    let (_, body) = api_request(app, &dev, id).await;
    assert_eq!(body["triage_owner"], "manager");
}

#[tokio::test]
async fn the_developer_on_call_decides_the_requests_they_own_that_week_into_regular_slots_only() {
    let world = World::project().await;
    let app = &world.app;
    let manager = world.person("manager", "release_manager").await;
    let dev = world.person("dev", "developer").await;
    let ana = world.person("ana", "developer").await;
    let bo = world.person("bo", "developer").await;
    let assign = |week: &'static str, who: &'static str| {
        let manager = manager.clone();
        async move {
            let res = app.call(&manager, url::<pr::AssignOncall>(), &[("week", week), ("user", who)]).await;
            assert_eq!(res.status(), StatusCode::OK, "{week} {who}");
        }
    };
    let decide = |who: Client, id: i64, line: &'static str, decision: &'static str, oob: &'static str| async move {
        let id = id.to_string();
        let form = [
            ("id", id.as_str()),
            ("line", line),
            ("decision", decision),
            ("reason", "checked"),
            ("out_of_band_on", oob),
        ];
        let res = app.call(&who, url::<pr::DecidePatchRequest>(), &form).await;
        let status = res.status();
        (status, res.json::<Value>().await.unwrap_or(Value::Null))
    };

    // Ana is on call this week: requests filed now are hers to triage.
    assign("2026-11-26", "ana").await;
    let leak = filed(app, &dev, &[("title", "A leak on reload"), ("targets", "1.12,1.11")]).await;
    let crash = filed(app, &dev, &[("title", "A crash everywhere"), ("severity", "S1"), ("targets", "1.12")]).await;
    assert_eq!(api_request(app, &dev, leak).await.1["triage_owner"], "ana");

    // Another developer may not decide; the page offers her no decision.
    let before = app.fingerprint().await;
    let (status, body) = decide(bo.clone(), leak, "1.12", "approved", "").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["message"].as_str().unwrap().contains("on call this week"), "{body}");
    assert_eq!(app.fingerprint().await, before, "a refusal changes nothing");
    assert!(!world.page(&bo, &format!("/patch-requests/{leak}")).await.contains("Approve all"));

    // Ana approves into December's regular slot; an out-of-band release stays with managers.
    let page = world.page(&ana, &format!("/patch-requests/{crash}")).await;
    assert!(page.contains("Approve all") && !page.contains("Approve out of band"), "{page}");
    assert_eq!(decide(ana.clone(), leak, "1.12", "approved", "").await.0, StatusCode::OK);
    let (status, body) = decide(ana.clone(), crash, "1.12", "approved", "2026-11-30").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["message"].as_str().unwrap().contains("for a release manager"), "{body}");
    let line = |body: &Value, line: &str| {
        body["targets"].as_array().unwrap().iter().find(|t| t["line"] == line).cloned().unwrap()
    };
    let leak_now = api_request(app, &dev, leak).await.1;
    assert_eq!(line(&leak_now, "1.12")["decision"], "approved");
    assert_eq!(line(&leak_now, "1.12")["carrier"]["version"], "1.12.1", "{leak_now}");
    assert_eq!(line(&api_request(app, &dev, crash).await.1, "1.12")["decision"], "pending");

    // Next week Bo is on call: the train hands him the open requests, and Ana's turn is over.
    assign("2026-12-02", "bo").await;
    world.today_is("2026-11-30").await;
    let (ana, bo) = (world.signed_in("ana"), world.signed_in("bo"));
    world.run_train(&manager).await;
    assert_eq!(api_request(app, &dev, crash).await.1["triage_owner"], "bo");
    assert_eq!(api_request(app, &dev, leak).await.1["triage_owner"], "bo", "1.11 still awaits triage");
    assert_eq!(decide(ana, leak, "1.11", "rejected", "").await.0, StatusCode::FORBIDDEN);
    assert_eq!(decide(bo, leak, "1.11", "rejected", "").await.0, StatusCode::OK);
    let trail = world.page(&world.admin, "/admin").await;
    assert!(trail.contains("2 open request(s) go to bo, on call the week of 2026-11-30"), "{trail}");
}

#[tokio::test]
async fn a_manager_decides_several_requests_of_a_line_queue_at_once_and_each_refusal_says_why() {
    let world = World::project().await;
    let app = &world.app;
    let manager = world.person("manager", "release_manager").await;
    let dev = world.person("dev", "developer").await;
    let leak = filed(app, &dev, &[("title", "A leak"), ("targets", "1.12,1.11")]).await;
    let hang = filed(app, &dev, &[("title", "A hang"), ("targets", "1.12")]).await;
    let minor = filed(app, &dev, &[("title", "A rare glitch"), ("severity", "S3"), ("targets", "1.12")]).await;
    let several = |who: Client, ids: String, line: &'static str, decision: &'static str, reason: &'static str| async move {
        let form = [("ids", ids.as_str()), ("line", line), ("decision", decision), ("reason", reason)];
        let res = app.call(&who, url::<pr::DecideSeveral>(), &form).await;
        let status = res.status();
        (status, res.json::<Value>().await.unwrap_or(Value::Null))
    };

    // The queue offers it to the manager only.
    let queue = "/patch-requests?line=1.12&decision=pending";
    assert!(world.page(&manager, queue).await.contains("Decide several on 1.12"));
    assert!(!world.page(&dev, queue).await.contains("Decide several"));

    // Wrong input refuses them all, naming the field; a developer is refused; nothing changes.
    let before = app.fingerprint().await;
    let too_many = (1..=101).map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    for (ids, line, decision, field) in [
        (String::new(), "1.12", "approved", "ids"),
        (format!("{leak},x"), "1.12", "approved", "ids"),
        (too_many, "1.12", "approved", "ids"),
        (leak.to_string(), "1.x", "approved", "line"),
        (leak.to_string(), "", "approved", "line"),
        (leak.to_string(), "1.12", "maybe", "decision"),
    ] {
        let (status, body) = several(manager.clone(), ids.clone(), line, decision, "").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{ids} {line} {decision}: {body}");
        assert_eq!(body["field"], field, "{body}");
    }
    let (status, _) = several(dev.clone(), format!("{leak},{hang}"), "1.12", "approved", "").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.fingerprint().await, before);

    // Approving all three: the S3 needs a reason for its exception, the other two go through.
    let (status, body) = several(manager.clone(), format!("{leak},{hang},{minor}"), "1.12", "approved", "").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["decided"], json!([leak, hang]), "{body}");
    assert_eq!(body["refused"][0][0], minor, "{body}");
    assert!(body["refused"][0][1].as_str().unwrap().contains("exception to the rule"), "{body}");
    for id in [leak, hang] {
        let (_, request) = api_request(app, &dev, id).await;
        let target = request["targets"].as_array().unwrap().iter().find(|t| t["line"] == "1.12").cloned().unwrap();
        assert_eq!((target["decision"].as_str(), target["decided_by"].as_str()), (Some("approved"), Some("manager")));
    }
    let (_, leak_now) = api_request(app, &dev, leak).await;
    let other = leak_now["targets"].as_array().unwrap().iter().find(|t| t["line"] == "1.11").cloned().unwrap();
    assert_eq!(other["decision"], "pending", "only the named line is decided");
    let queue_now = world.page(&manager, queue).await;
    assert!(queue_now.contains("A rare glitch") && !queue_now.contains("A hang"), "{queue_now}");
}

#[tokio::test]
async fn the_form_warns_of_a_request_in_play_with_the_same_bug_link() {
    let world = World::project().await;
    let app = &world.app;
    let dev = world.person("dev", "developer").await;
    let eve = world.person("eve", "developer").await;
    let link = "https://github.com/example/trainyard/issues/500";
    let leak = filed(app, &dev, &[("title", "A leak"), ("bug_link", link)]).await;
    filed(
        app,
        &dev,
        &[
            ("title", "A hidden hole"),
            ("category", "security"),
            ("embargoed", "on"),
            ("bug_link", "https://github.com/example/trainyard/issues/501"),
        ],
    )
    .await;
    let same = |who: Client, typed: &'static str| async move {
        let res = app.call(&who, url::<pr::FindSameBug>(), &[("bug_link", typed)]).await;
        let status = res.status();
        (status, res.json::<Value>().await.unwrap_or(Value::Null))
    };
    let (status, found) = same(eve.clone(), "https://github.com/example/trainyard/issues/500/").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(found, json!([{"id": leak, "title": "A leak", "status": "open"}]), "a trailing slash is the same link");
    assert_eq!(same(eve.clone(), "https://github.com/example/trainyard/issues/5").await.1, json!([]));
    assert_eq!(
        same(eve.clone(), "https://github.com/example/trainyard/issues/501").await.1,
        json!([]),
        "an embargoed request stays hidden"
    );
    assert_eq!(
        same(dev.clone(), "https://github.com/example/trainyard/issues/501").await.1[0]["title"],
        "A hidden hole"
    );
    assert_eq!(same(eve.clone(), "not a link").await.1, json!([]));
    let (status, found) = same(app.client(), "https://github.com/example/trainyard/issues/501").await;
    assert_eq!((status, found), (StatusCode::OK, json!([])), "anyone may ask; embargoed requests stay hidden");
}

#[tokio::test]
async fn the_dashboard_gives_each_line_a_health_badge_with_its_reason() {
    let world = World::project().await;
    let dev = world.person("dev", "developer").await;
    let manager = world.person("manager", "release_manager").await;
    let dashboard = || async { world.page(&world.admin, "/").await };
    let id = filed(&world.app, &dev, &[("targets", "1.12")]).await;
    assert!(dashboard().await.contains("on track next patch 1.12.1 on 2026-12-08; 1 pending, 0 to merge"));

    // Two days before December's cherry-pick deadline, undecided work puts the line at risk;
    // 1.9 ends on 8 December.
    world.today_is("2026-12-02").await;
    let page = dashboard().await;
    assert!(
        page.contains("at risk 1 request awaits a decision; cherry-picks close at the end of 2026-12-04"),
        "{page}"
    );
    assert!(page.contains("at risk end of life in 6 days, on 2026-12-08"), "{page}");
    assert_eq!(decide(&world.app, &manager, id, "1.12", "approved", "").await.status(), StatusCode::OK);
    assert!(
        dashboard().await.contains("at risk 1 approved fix is not merged; cherry-picks close at the end of 2026-12-04")
    );

    // Merged in time, but no build of the release branch: once due, the patch blocks the line.
    let id_text = id.to_string();
    let pick = [("id", id_text.as_str()), ("line", "1.12"), ("url", "https://github.com/org/repo/pull/9")];
    assert_eq!(world.app.call(&dev, url::<pr::SetCherryPick>(), &pick).await.status(), StatusCode::OK);
    let merged = [("id", id_text.as_str()), ("line", "1.12"), ("commit", &"a".repeat(40))];
    let res = world.app.call(&dev, url::<pr::MarkMerged>(), &merged).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    world.today_is("2026-12-05").await;
    let page = dashboard().await;
    assert!(page.contains("blocked 1.12.1 (due 2026-12-08) cannot be approved: "), "{page}");
}

#[tokio::test]
async fn a_line_queue_lists_its_pending_decisions_oldest_first_with_the_deadline() {
    let world = World::project().await;
    let app = &world.app;
    let dev = world.person("dev", "developer").await;
    let manager = world.person("manager", "release_manager").await;
    let first = filed(app, &dev, &[("title", "First crash"), ("targets", "1.11")]).await;
    let second = filed(app, &dev, &[("title", "Second crash"), ("targets", "1.12,1.11")]).await;
    let decided = filed(app, &dev, &[("title", "Decided crash"), ("targets", "1.12,1.11")]).await;
    assert_eq!(decide(app, &manager, decided, "1.11", "approved", "").await.status(), StatusCode::OK);

    let ids = |body: &Value| -> Vec<i64> {
        body["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect()
    };
    let (status, queue) = app.get_json("/api/v1/patch-requests?line=1.11&decision=pending").await;
    assert_eq!(status, 200, "{queue}");
    assert_eq!(ids(&queue), [first, second], "pending on 1.11, oldest first");
    let (_, other) = app.get_json("/api/v1/patch-requests?line=1.12&decision=pending").await;
    assert_eq!(ids(&other), [second, decided], "1.12's queue: the decision on 1.11 does not count");
    let (_, all) = app.get_json("/api/v1/patch-requests?line=1.11").await;
    assert_eq!(ids(&all), [decided, second, first], "newest first when not a queue of pending decisions");

    let page = world.page(&manager, "/patch-requests?line=1.11&decision=pending").await;
    assert!(
        page.contains("Pending on 1.11, oldest first: a fix approved and merged by the end of 4 Dec 2026 (UTC) ships in 1.11.2 on 8 Dec 2026."),
        "{page}"
    );
    let (status, body) = app.get_json("/api/v1/patch-requests?decision=maybe").await;
    assert_eq!((status, body["error"]["field"].as_str()), (400, Some("decision")));
}

#[tokio::test]
async fn search_finds_requests_by_title_link_cve_and_requester_and_never_an_embargoed_one() {
    let world = World::project().await;
    let app = &world.app;
    let dev = world.person("dev", "developer").await;
    let eve = world.person("eve", "developer").await;
    let proxy = filed(app, &dev, &[("title", "Proxy crashes on reload")]).await;
    let linked =
        filed(app, &dev, &[("title", "Leak in the sidecar"), ("bug_link", "https://github.com/org/repo/issues/777")])
            .await;
    let cve =
        filed(app, &eve, &[("title", "Token check skipped"), ("category", "security"), ("cve_id", "CVE-2026-31337")])
            .await;
    let hidden =
        filed(app, &dev, &[("title", "Proxy secret leak"), ("category", "security"), ("embargoed", "on")]).await;

    let found = |client: &Client, q: &'static str| {
        let client = client.clone();
        async move {
            let res = client.get(app.url(&format!("/api/v1/patch-requests?q={q}"))).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{q}");
            let body: Value = res.json().await.unwrap();
            let mut ids: Vec<i64> =
                body["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect();
            ids.sort_unstable();
            ids
        }
    };
    assert_eq!(found(&eve, "prox").await, [proxy], "a prefix of a title word; the embargoed one stays hidden from eve");
    assert_eq!(found(&dev, "proxy").await, [proxy, hidden], "its requester finds it");
    assert_eq!(found(&eve, "issues%2F777").await, [linked]);
    assert_eq!(found(&eve, "CVE-2026-31337").await, [cve]);
    assert_eq!(found(&eve, "eve").await, [cve], "by requester");
    assert_eq!(found(&eve, "crashes%20reload").await, [proxy], "every word must match");
    // Search syntax typed by accident is just text.
    for odd in
        ["%22", "*", "AND%20OR%20NOT%20(", "title%3Aproxy", "%5E%22x", "%00", "a%00b", "%22%00%22", "NEAR(a%20b)"]
    {
        let _ = found(&eve, odd).await;
    }
    let page = world.page(&eve, "/patch-requests?q=CVE-2026-31337").await;
    assert!(page.contains("Token check skipped") && !page.contains("Proxy crashes"), "{page}");
    let long = "x".repeat(101);
    let (status, body) = app.get_json(&format!("/api/v1/patch-requests?q={long}")).await;
    assert_eq!((status, body["error"]["field"].as_str()), (400, Some("q")));
}

#[tokio::test]
async fn my_requests_show_where_each_line_stands() {
    let world = World::project().await;
    let app = &world.app;
    let dev = world.person("dev", "developer").await;
    let eve = world.person("eve", "developer").await;
    let manager = world.person("manager", "release_manager").await;
    let mine = filed(app, &dev, &[("title", "Mine crashes"), ("targets", "1.12,1.11,1.10")]).await;
    filed(app, &eve, &[("title", "Eve crashes"), ("targets", "1.12")]).await;
    assert_eq!(decide(app, &manager, mine, "1.12", "approved", "").await.status(), StatusCode::OK);
    assert_eq!(decide(app, &manager, mine, "1.10", "not_affected", "").await.status(), StatusCode::OK);

    let list = world.page(&dev, "/patch-requests").await;
    assert!(list.contains("My requests"), "a signed-in person is offered their own list: {list}");
    let page = world.page(&dev, "/patch-requests?mine=1").await;
    assert!(page.contains("Mine crashes") && !page.contains("Eve crashes"), "{page}");
    assert!(page.contains("1.12 approved 1.11 awaiting triage 1.10 not affected"), "{page}");
    let (_, body) = {
        let res = dev.get(app.url("/api/v1/patch-requests?mine=1")).send().await.unwrap();
        (res.status(), res.json::<Value>().await.unwrap())
    };
    assert_eq!(
        body["items"][0]["line_states"],
        json!([["1.12", "approved"], ["1.11", "awaiting triage"], ["1.10", "not affected"]])
    );
    let anonymous = text_of(&app.get("/patch-requests").await.text().await.unwrap());
    assert!(!anonymous.contains("My requests"), "{anonymous}");
}
