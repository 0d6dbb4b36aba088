//! The rules when corrections and time combine, one example each: a cancelled monthly, a late
//! one, a branch cut, an end-of-life override, two managers at once, an S3, an older weekly.

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use trainyard::features::{
    calendar::api::CancelRelease,
    patch_requests::api::{DecidePatchRequest, DeferPatchRequest, LoadPatchForm},
    shipping::api::SetLineEol,
    train::api::PromoteBuild,
};

use crate::{
    harness::url,
    world::{World, sha},
};

async fn file(world: &World, dev: &Client, body: Value) -> (i64, Value) {
    let mut full = json!({"bug_link": "https://github.com/example/trainyard/issues/9", "risk": "low"});
    full.as_object_mut().unwrap().extend(body.as_object().unwrap().clone());
    let res = dev.post(world.app.url("/api/v1/patch-requests")).json(&full).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let request = dev.get(world.app.url(&format!("/api/v1/patch-requests/{id}"))).send().await.unwrap();
    (id, request.json().await.unwrap())
}

async fn events(world: &World, query: &str) -> Vec<Value> {
    world.json(&format!("/api/v1/schedule?{query}")).await["events"].as_array().unwrap().clone()
}

#[tokio::test]
async fn cancelling_a_monthly_gives_its_version_to_the_next_and_keeps_one_event_per_slot() {
    let world = World::project().await;
    let manager = world.person("manager", "release_manager").await;
    let dev = world.person("dev", "developer").await;
    let (status, body) =
        world.act(&manager, url::<CancelRelease>(), &[("version", "1.13.0"), ("note", "the team is at KubeCon")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let minors = events(&world, "from=2026-12-01&to=2027-02-28&kinds=minor").await;
    let uids: Vec<(&str, &str, &str)> = minors
        .iter()
        .map(|e| (e["uid"].as_str().unwrap(), e["version"].as_str().unwrap_or(""), e["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        uids,
        [
            ("minor-2026-12", "", "cancelled"),
            ("minor-2027-01", "1.13.0", "projected"),
            ("minor-2027-02", "1.14.0", "projected")
        ]
    );
    let ics = world.app.get("/calendar.ics").await.text().await.unwrap();
    assert_eq!(ics.matches("UID:minor-2026-12@").count(), 1, "one event for the cancelled slot");

    // A feature filed now waits for the monthly that really ships, named with its day.
    let (_, feature) = file(&world, &dev, json!({"title": "A flag", "category": "feature", "severity": "S4"})).await;
    assert_eq!(feature["deferred_to"], "1.13.0");
    let page = world.page(&dev, &format!("/patch-requests/{}", feature["id"])).await;
    assert!(page.contains("it ships in the monthly release 1.13.0"), "{page}");
    assert_eq!(world.release("1.13.0").await["date"], "2027-01-26");
}

#[tokio::test]
async fn a_late_monthly_is_the_next_monthly_on_every_page_and_ends_of_life_wait_for_it() {
    let world = World::project().await;
    // 1.13.0 was due on 22 December; on the 28th nothing has been promoted.
    world.today_is("2026-12-28").await;
    let manager = world.person("manager", "release_manager").await;
    let dashboard = world.page(&manager, "/").await;
    assert!(dashboard.contains("1.13.0") && dashboard.contains("late"), "{dashboard}");
    let train = world.page(&manager, "/train").await;
    assert!(train.contains("Monthly candidate for 1.13.0"), "{train}");
    // 1.11 ends six weeks after 1.13.0 ships: not yet known, so expected, and the same everywhere.
    let line = world.json("/api/v1/releases/1.11").await;
    assert_eq!(line["result"]["eolExpected"], true, "{line}");
    let eol = line["result"]["eolFrom"].as_str().unwrap().to_owned();
    let ends = events(&world, "from=2026-12-01&to=2027-03-31&kinds=end-of-life&lines=1.11").await;
    assert_eq!(ends[0]["date"], eol.as_str());
    assert!(eol.as_str() > "2027-02-02", "six weeks after a release that has not happened yet: {eol}");
    // The next monthly after it keeps its month under the fixed cadence.
    assert_eq!(world.release("1.14.0").await["date"], "2027-01-26");
}

#[tokio::test]
async fn after_a_branch_cut_a_fix_also_targets_the_branched_line_and_a_feature_the_monthly_after() {
    let world = World::project().await;
    // 1.13.0 (22 December) branched on the 8th.
    world.today_is("2026-12-10").await;
    let manager = world.person("manager", "release_manager").await;
    let dev = world.person("dev", "developer").await;
    let (_, form) = world.act(&dev, url::<LoadPatchForm>(), &[]).await;
    let lines: Vec<&str> = form["lines"].as_array().unwrap().iter().map(|l| l["line"].as_str().unwrap()).collect();
    assert!(lines.contains(&"1.13"), "{form}");

    let (id, fix) = file(&world, &dev, json!({"title": "Crash", "category": "stability", "severity": "S2"})).await;
    let targets: Vec<&str> = fix["targets"].as_array().unwrap().iter().map(|t| t["line"].as_str().unwrap()).collect();
    assert!(targets.contains(&"1.13"), "{fix}");
    let id_text = id.to_string();
    let decide =
        [("id", id_text.as_str()), ("line", "1.13"), ("decision", "approved"), ("reason", ""), ("out_of_band_on", "")];
    assert_eq!(world.act(&manager, url::<DecidePatchRequest>(), &decide).await.0, StatusCode::OK);
    let after = world.app.get_json(&format!("/api/v1/patch-requests/{id}")).await.1;
    let carrier = after["targets"].as_array().unwrap().iter().find(|t| t["line"] == "1.13").unwrap()["carrier"].clone();
    assert_eq!(carrier["version"], "1.13.0", "the fix rides the branched line's release");

    let (_, feature) = file(&world, &dev, json!({"title": "A flag", "category": "feature", "severity": "S4"})).await;
    assert_eq!(feature["deferred_to"], "1.14.0", "1.13.0 has branched: the feature is too late for it");
}

#[tokio::test]
async fn a_manager_sets_and_clears_an_end_of_life_override_and_every_view_shows_it() {
    let world = World::project().await;
    let manager = world.person("manager", "release_manager").await;
    let dev = world.person("dev", "developer").await;
    let set = [("line", "1.10"), ("date", "2026-12-20"), ("note", "ends early: the base image is out of support")];
    let before = world.app.fingerprint().await;
    assert_eq!(world.act(&dev, url::<SetLineEol>(), &set).await.0, StatusCode::FORBIDDEN);
    assert_eq!(world.app.fingerprint().await, before, "the refused override changed nothing");
    let (status, body) = world.act(&manager, url::<SetLineEol>(), &set).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let line = world.json("/api/v1/releases/1.10").await;
    assert_eq!(line["result"]["eolFrom"], "2026-12-20");
    let ends = events(&world, "from=2026-12-01&to=2027-01-31&kinds=end-of-life&lines=1.10").await;
    assert_eq!(ends[0]["date"], "2026-12-20");
    let ics = world.app.get("/calendar.ics").await.text().await.unwrap();
    let event = ics.split("BEGIN:VEVENT").find(|e| e.contains("UID:end-of-life-1.10@")).unwrap();
    assert!(event.contains("DTSTART;VALUE=DATE:20261220"), "{event}");
    let page = world.page(&dev, "/releases/1.10").await;
    assert!(page.contains("ends early: the base image is out of support"), "{page}");
    let matrix = world.page(&dev, "/releases").await;
    assert!(matrix.contains("20 Dec 2026"), "{matrix}");

    let bad = world.act(&manager, url::<SetLineEol>(), &[("line", "1.10"), ("date", "soon"), ("note", "x")]).await;
    assert_eq!((bad.0, bad.1["field"].as_str()), (StatusCode::BAD_REQUEST, Some("date")));
    let (status, _) = world.act(&manager, url::<SetLineEol>(), &[("line", "1.10"), ("date", ""), ("note", "")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(world.json("/api/v1/releases/1.10").await["result"]["eolFrom"], "2027-01-05", "back to the policy");
}

#[tokio::test]
async fn two_managers_deciding_one_line_at_once_the_second_gets_the_current_state() {
    let world = World::project().await;
    let dev = world.person("dev", "developer").await;
    let ana = world.person("ana", "release_manager").await;
    let bo = world.person("bo", "release_manager").await;
    let (id, request) = file(
        &world,
        &dev,
        json!({"title": "Crash", "category": "stability", "severity": "S2", "targetLines": ["1.12"]}),
    )
    .await;
    let (id, seen) = (id.to_string(), request["targets"][0]["revision"].to_string());
    let approve = [
        ("id", id.as_str()),
        ("line", "1.12"),
        ("decision", "approved"),
        ("reason", ""),
        ("out_of_band_on", ""),
        ("seen", seen.as_str()),
    ];
    let reject = [
        ("id", id.as_str()),
        ("line", "1.12"),
        ("decision", "rejected"),
        ("reason", "too risky"),
        ("out_of_band_on", ""),
        ("seen", seen.as_str()),
    ];
    assert_eq!(world.act(&ana, url::<DecidePatchRequest>(), &approve).await.0, StatusCode::OK);
    let (status, body) = world.act(&bo, url::<DecidePatchRequest>(), &reject).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body["message"].as_str().unwrap().contains("it is now approved by ana"), "{body}");
    let after = world.app.get_json(&format!("/api/v1/patch-requests/{id}")).await.1;
    assert_eq!(after["targets"][0]["decision"], "approved", "nothing was overwritten");
}

#[tokio::test]
async fn an_s3_gets_a_patch_only_by_a_managers_exception_or_waits_for_the_monthly() {
    let world = World::project().await;
    let dev = world.person("dev", "developer").await;
    let manager = world.person("manager", "release_manager").await;
    let (id, _) = file(
        &world,
        &dev,
        json!({"title": "Slow leak", "category": "stability", "severity": "S3", "targetLines": ["1.12"]}),
    )
    .await;
    let id = id.to_string();
    let without =
        [("id", id.as_str()), ("line", "1.12"), ("decision", "approved"), ("reason", ""), ("out_of_band_on", "")];
    let (status, body) = world.act(&manager, url::<DecidePatchRequest>(), &without).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("reason")), "{body}");
    let (status, body) = world.act(&manager, url::<DeferPatchRequest>(), &[("id", &id)]).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, Some("1.13.0")));
    let after = world.app.get_json(&format!("/api/v1/patch-requests/{id}")).await.1;
    assert_eq!(
        (after["status"].as_str(), after["deferred_to"].as_str()),
        (Some("deferred"), Some("1.13.0")),
        "{after}"
    );
}

#[tokio::test]
async fn a_weekly_older_than_the_last_promoted_build_cannot_be_promoted() {
    let world = World::project().await;
    world.today_is("2026-12-10").await;
    let ci = world.ci().await;
    let manager = world.person("manager", "release_manager").await;
    for (name, digit) in [("main-20261201-0200", 'a'), ("main-20261208-0200", 'b')] {
        ci.tested(name, &sha(digit), "passed").await;
    }
    world.run_train(&manager).await;
    for name in ["main-20261201-0200", "main-20261208-0200"] {
        for suite in ["stability", "performance"] {
            ci.result(name, suite, "passed").await;
        }
    }
    let (status, body) = world.act(&manager, url::<PromoteBuild>(), &[("build", "main-20261208-0200")]).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, Some("1.13.0")));
    // The next monthly (1.14.0) may not come from a build older than 1.13.0's.
    let (status, body) = world.act(&manager, url::<PromoteBuild>(), &[("build", "main-20261201-0200")]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body["message"].as_str().unwrap().contains("before"), "{body}");
}

#[tokio::test]
async fn a_request_through_the_api_without_lines_targets_every_supported_line() {
    let world = World::project().await;
    let dev = world.person("dev", "developer").await;
    let (_, fix) = file(&world, &dev, json!({"title": "Crash", "category": "stability", "severity": "S2"})).await;
    let mut targets: Vec<&str> =
        fix["targets"].as_array().unwrap().iter().map(|t| t["line"].as_str().unwrap()).collect();
    targets.sort();
    let lines = world.json("/api/v1/releases").await;
    let mut supported: Vec<&str> = lines["result"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["isMaintained"] == true)
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    supported.sort();
    assert!(supported.len() >= 2, "{lines}");
    assert_eq!(targets, supported);
}
