//! The calendar, the dashboard and the feeds, which must all tell the same story.

use std::collections::BTreeMap;

use icalendar::{Calendar, CalendarComponent, Component};
use reqwest::StatusCode;
use serde_json::Value;
use trainyard::features::calendar::api as cal;

use crate::{
    harness::{TestApp, policy_form, text_of, url},
    world::World,
};

async fn schedule(app: &TestApp, query: &str) -> Vec<Value> {
    let (status, body) = app.get_json(&format!("/api/v1/schedule?{query}")).await;
    assert_eq!(status, 200, "{body}");
    body["events"].as_array().unwrap().clone()
}

async fn ics(app: &TestApp, query: &str) -> Calendar {
    let res = app.get(&format!("/calendar.ics{query}")).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
    let text = res.text().await.unwrap();
    text.parse::<Calendar>().expect("the feed parses as iCalendar")
}

/// UID → (DTSTART date, SEQUENCE) of every event in a parsed calendar.
fn ics_events(calendar: &Calendar) -> BTreeMap<String, (String, u32, bool)> {
    calendar
        .components
        .iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .map(|e| {
            let uid = e.get_uid().unwrap().split('@').next().unwrap().to_owned();
            let start = e.property_value("DTSTART").unwrap().to_owned();
            let has_alarm = !e.components().is_empty();
            (uid, (start, e.get_sequence().unwrap_or(0), has_alarm))
        })
        .collect()
}

#[tokio::test]
async fn the_month_grid_shows_december_with_its_releases() {
    let world = World::project().await;
    let app = &world.app;
    let res = app.get("/calendar?month=2026-12").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("href=\"webcal://"), "subscribe links");
    let text = text_of(&html);
    assert!(text.contains("December 2026"), "{text}");
    assert!(text.contains("monthly release 1.13.0 monthly release"), "{text}");
    assert!(text.contains("patch release 1.12.1 patch release"));
    assert!(text.contains("cherry-pick deadline"));
    assert!(!text.contains("daily build main"), "dailies are off by default");
}

#[tokio::test]
async fn filters_are_kept_in_the_url_and_narrow_the_events() {
    let world = World::project().await;
    let app = &world.app;
    let html = app.get("/calendar?month=2026-12&kinds=patch&lines=1.12").await.text().await.unwrap();
    let text = text_of(&html);
    assert!(text.contains("1.12.1 patch release"));
    assert!(!text.contains("1.11.3 patch release") && !text.contains("1.13.0 monthly release"), "{text}");
    assert!(
        html.contains("href=\"/calendar?month=2027-01&amp;kinds=patch&amp;lines=1.12\""),
        "next month keeps the filter"
    );
    // The checkbox form's repeated parameters mean the same.
    let repeated = text_of(&app.get("/calendar?month=2026-12&kinds=patch&kinds=minor").await.text().await.unwrap());
    assert!(repeated.contains("1.13.0 monthly release") && repeated.contains("1.12.1 patch release"));
}

#[tokio::test]
async fn bad_calendar_input_is_a_clear_400() {
    let world = World::project().await;
    let app = &world.app;
    for path in ["/calendar?month=2026-13", "/calendar?month=soon", "/calendar?kinds=holiday", "/calendar?lines=1.x"] {
        let res = app.get(path).await;
        assert_eq!(res.status(), 400, "{path}");
        let text = text_of(&res.text().await.unwrap());
        assert!(text.contains("That request is not valid"), "{path}: {text}");
    }
    let (status, body) = app.get_json("/api/v1/schedule?from=2026-01-01&to=2027-12-31").await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["field"], "to");
    assert!(body["error"]["message"].as_str().unwrap().contains("400 days"));
    let (status, body) = app.get_json("/api/v1/schedule?from=yesterday").await;
    assert_eq!((status, body["error"]["field"].as_str()), (400, Some("from")));
    let (status, body) = app.get_json("/api/v1/schedule?kinds=holiday").await;
    assert_eq!((status, body["error"]["field"].as_str()), (400, Some("kinds")));
    let res = app.get("/calendar.ics?lines=banana").await;
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn the_ics_feed_parses_with_stable_uids_and_alarms_before_end_of_life() {
    let world = World::project().await;
    let app = &world.app;
    let calendar = ics(app, "").await;
    let events = ics_events(&calendar);
    let (start, _, _) = &events["minor-2026-12"];
    assert_eq!(start, "20261222");
    let (_, _, eol_alarm) = &events["end-of-life-1.10"];
    assert!(eol_alarm, "end-of-life events carry alarms");
    let (_, _, patch_alarm) = &events["patch-1.12-2026-12"];
    assert!(!patch_alarm);
    let filtered = ics_events(&ics(app, "?kinds=end-of-life").await);
    let end_of_life = events.keys().filter(|uid| uid.starts_with("end-of-life-")).count();
    assert!(end_of_life > 0);
    assert!(filtered.keys().all(|uid| uid.starts_with("end-of-life-")));
    // Every end of life of the whole feed, and more: an end-of-life feed reaches two years ahead.
    assert!(events.keys().filter(|uid| uid.starts_with("end-of-life-")).all(|uid| filtered.contains_key(uid)));
    assert!(filtered.len() > end_of_life, "{:?}", filtered.keys());
}

#[tokio::test]
async fn calendar_dashboard_matrix_ics_atom_and_json_agree() {
    let world = World::project().await;
    let app = &world.app;
    let events = schedule(app, "from=2026-11-26&to=2027-02-28&kinds=patch,deadline,minor,end-of-life").await;
    let ics = ics_events(&ics(app, "").await);
    // Every JSON event is in the ICS feed on the same day.
    for e in &events {
        let uid = e["uid"].as_str().unwrap();
        let date = e["date"].as_str().unwrap().replace('-', "");
        assert_eq!(ics.get(uid).map(|(d, ..)| d.as_str()), Some(date.as_str()), "{uid}");
    }
    // The matrix's next patch per line is the schedule's first patch of that line.
    let (_, matrix) = app.get_json("/api/v1/releases").await;
    let dashboard = text_of(&app.get("/").await.text().await.unwrap());
    let calendar = text_of(&app.get("/calendar?month=2026-12").await.text().await.unwrap());
    for line in matrix["result"].as_array().unwrap().iter().filter(|l| !l["nextPatch"].is_null()) {
        let name = line["name"].as_str().unwrap();
        let next = &line["nextPatch"];
        let first = events
            .iter()
            .find(|e| e["kind"] == "patch" && e["line"] == name)
            .unwrap_or_else(|| panic!("a patch of {name} in the schedule"));
        assert_eq!(first["version"], next["version"], "{name}");
        assert_eq!(first["date"], next["targetDate"], "{name}");
        let deadline = events.iter().find(|e| e["kind"] == "deadline" && e["version"] == next["version"]).unwrap();
        assert_eq!(deadline["date"], next["cherryPickDeadline"], "{name}");
        let version = next["version"].as_str().unwrap();
        assert!(dashboard.contains(version), "the dashboard shows {version}");
        assert!(calendar.contains(&format!("{version} patch release")), "the calendar shows {version}");
    }
    // The Atom feed lists the shipped releases the JSON schedule marks done.
    let atom = app.get("/feed.atom").await.text().await.unwrap();
    let feed: atom_syndication::Feed = atom.parse().expect("valid Atom");
    let done = schedule(app, "from=2026-11-01&to=2026-11-26&kinds=patch,minor").await;
    for e in done.iter().filter(|e| e["status"] == "done") {
        let title = e["title"].as_str().unwrap();
        assert!(feed.entries().iter().any(|entry| entry.title().as_str() == title), "{title} in Atom");
    }
}

#[tokio::test]
async fn a_manager_moves_a_planned_patch_and_every_view_follows() {
    let world = World::project().await;
    let app = &world.app;
    let manager = world.person("manager", "release_manager").await;
    let before = ics_events(&ics(app, "").await)["patch-1.12-2026-12"].clone();
    let res = app
        .call(
            &manager,
            url::<cal::MoveRelease>(),
            &[("version", "1.12.1"), ("date", "2026-12-10"), ("note", "moved for KubeCon")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());

    let events = schedule(app, "from=2026-12-01&to=2026-12-31&kinds=patch").await;
    let moved = events.iter().find(|e| e["uid"] == "patch-1.12-2026-12").unwrap();
    assert_eq!(moved["date"], "2026-12-10");
    assert_eq!(moved["note"], "moved for KubeCon");
    let after = ics_events(&ics(app, "").await)["patch-1.12-2026-12"].clone();
    assert_eq!(after.0, "20261210");
    assert!(after.1 > before.1, "SEQUENCE goes up so subscribers update the event");
    let text = text_of(&app.get("/calendar?month=2026-12").await.text().await.unwrap());
    assert!(text.contains("moved for KubeCon"));
    let (_, matrix) = app.get_json("/api/v1/releases/1.12").await;
    assert_eq!(matrix["result"]["nextPatch"]["targetDate"], "2026-12-10");
}

#[tokio::test]
async fn corrections_are_for_release_managers_and_checked() {
    let world = World::project().await;
    let app = &world.app;
    let developer = world.person("dev", "developer").await;
    let manager = world.person("manager", "release_manager").await;
    let form = [("version", "1.12.1"), ("date", "2026-12-10"), ("note", "x")];
    let before = app.fingerprint().await;
    assert_eq!(app.call(&app.client(), url::<cal::MoveRelease>(), &form).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.call(&developer, url::<cal::MoveRelease>(), &form).await.status(), StatusCode::FORBIDDEN);
    let into_past = app
        .call(&manager, url::<cal::MoveRelease>(), &[("version", "1.12.1"), ("date", "2026-01-01"), ("note", "oops")])
        .await;
    assert_eq!(into_past.status(), StatusCode::BAD_REQUEST);
    let body: Value = into_past.json().await.unwrap();
    assert_eq!(body["field"], "date");
    let shipped = app
        .call(&manager, url::<cal::MoveRelease>(), &[("version", "1.12.0"), ("date", "2026-12-30"), ("note", "no")])
        .await;
    assert_eq!(shipped.status(), StatusCode::CONFLICT);
    let no_note = app
        .call(&manager, url::<cal::MoveRelease>(), &[("version", "1.12.1"), ("date", "2026-12-30"), ("note", " ")])
        .await;
    let body: Value = no_note.json().await.unwrap();
    assert_eq!(body["field"], "note");
    assert_eq!(app.fingerprint().await, before, "refused and invalid corrections changed nothing");
    assert_eq!(app.call(&manager, url::<cal::MoveRelease>(), &form).await.status(), StatusCode::OK);
    let december = schedule(app, "from=2026-12-01&to=2026-12-31&kinds=patch").await;
    assert!(december.iter().any(|e| e["version"] == "1.12.1" && e["date"] == "2026-12-10"), "{december:?}");
}

#[tokio::test]
async fn blackouts_cancellations_and_out_of_band_patches_reach_the_schedule() {
    let world = World::project().await;
    let app = &world.app;
    let manager = world.person("manager", "release_manager").await;
    // A projected January patch moves off a blackout day.
    let res =
        app.call(&manager, url::<cal::AddBlackout>(), &[("date", "2027-01-12"), ("reason", "company holiday")]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let january = schedule(app, "from=2027-01-01&to=2027-01-31&kinds=patch").await;
    assert!(!january.is_empty());
    assert!(january.iter().all(|e| e["date"] == "2027-01-13"), "{january:?}");
    assert!(january[0]["note"].as_str().unwrap().contains("company holiday"));

    // Cancelling keeps the event, marked cancelled, and frees its number for January.
    let res =
        app.call(&manager, url::<cal::CancelRelease>(), &[("version", "1.11.2"), ("note", "nothing to ship")]).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    let december = schedule(app, "from=2026-12-01&to=2026-12-31&kinds=patch").await;
    let cancelled = december.iter().find(|e| e["uid"] == "patch-1.11-2026-12").unwrap();
    assert_eq!(cancelled["status"], "cancelled");
    let january = schedule(app, "from=2027-01-01&to=2027-01-31&kinds=patch").await;
    let next = january.iter().find(|e| e["uid"] == "patch-1.11-2027-01").unwrap();
    assert_eq!(next["version"], "1.11.2");

    // An out-of-band patch takes the next number of its line; December's renumbers after it
    // and keeps its calendar entry.
    let res = app
        .call(
            &manager,
            url::<cal::AddOutOfBand>(),
            &[("line", "1.12"), ("date", "2026-11-30"), ("note", "CVE-2026-1234")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let version: String = res.json().await.unwrap();
    assert_eq!(version, "1.12.1");
    let week = schedule(app, "from=2026-11-26&to=2026-12-31&kinds=patch").await;
    let oob = week.iter().find(|e| e["version"] == "1.12.1").unwrap();
    assert_eq!((oob["note"].as_str(), oob["uid"].as_str()), (Some("CVE-2026-1234"), Some("oob-1.12-1")));
    let renumbered = week.iter().find(|e| e["uid"] == "patch-1.12-2026-12").unwrap();
    assert_eq!(renumbered["version"], "1.12.2");
    // An end-of-life line cannot get one.
    let res = app
        .call(&manager, url::<cal::AddOutOfBand>(), &[("line", "1.8"), ("date", "2026-11-30"), ("note", "late")])
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_dashboard_says_what_is_next_with_relative_times() {
    let world = World::project().await;
    let app = &world.app;
    let text = text_of(&app.get("/").await.text().await.unwrap());
    assert!(text.contains("Today's daily build"), "{text}");
    assert!(text.contains("1.13.0 monthly release"));
    assert!(text.contains("in 3 weeks"), "Dec 22 is in 3 weeks: {text}");
    assert!(text.contains("1.9 end of life"), "1.9 ends on Dec 8: {text}");
}

#[tokio::test]
async fn an_admin_changes_the_policy_and_support_dates_follow() {
    use trainyard::features::admin::api::SavePolicy;
    let world = World::project().await;
    let app = &world.app;
    let admin = world.admin.clone();
    let save = |form: Vec<(String, String)>| {
        let client = admin.clone();
        let url = app.url(url::<SavePolicy>());
        async move { client.post(url).header("accept", "application/json").form(&form).send().await.unwrap() }
    };
    let bad = save(policy_form(&[("code_freeze_days", "20")])).await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let body: Value = bad.json().await.unwrap();
    assert_eq!(body["field"], "code_freeze_days");
    let bad = save(policy_form(&[("minor_release", "5th Monday")])).await;
    let body: Value = bad.json().await.unwrap();
    assert_eq!(body["field"], "minor_release");

    let ok = save(policy_form(&[("support_weeks", "8")])).await;
    assert_eq!(ok.status(), StatusCode::OK);
    // 1.10 now ends eight weeks after 1.12 shipped (Nov 24): Jan 19.
    let (_, line) = app.get_json("/api/v1/releases/1.10").await;
    assert_eq!(line["result"]["eolFrom"], "2027-01-19");

    let developer = world.person("dev", "developer").await;
    let before = app.fingerprint().await;
    let res = developer
        .post(app.url(url::<SavePolicy>()))
        .header("accept", "application/json")
        .form(&policy_form(&[]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.fingerprint().await, before, "the refused policy changed nothing");
}
