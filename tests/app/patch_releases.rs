//! Patch releases end to end, through real HTTP only: from a developer's request to a release
//! published on the fake GitHub, and every correction on the way.

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use trainyard::features::{
    calendar::api::CancelRelease,
    patch_requests::api::{
        DecidePatchRequest, LiftEmbargo, ReclassifyPatchRequest, SetCherryPick, WithdrawPatchRequest,
    },
    publishing::{api::PublishRelease, service as publishing},
    shipping::api::ApprovePatchRelease,
};

use crate::{
    fake_github::{FakeGitHub, REPO},
    harness::url,
    publishing::github_of,
    world::{World, sha},
};

/// A developer files a request through the API; with no lines named, it targets every line.
pub(crate) async fn request(world: &World, dev: &Client, body: Value) -> i64 {
    let mut full = json!({
        "bug_link": "https://github.com/example/trainyard/issues/7", "risk": "low",
        "impact": "tokens are accepted after they expire", "testing": "a regression test"
    });
    full.as_object_mut().unwrap().extend(body.as_object().unwrap().clone());
    let res = dev.post(world.app.url("/api/v1/patch-requests")).json(&full).send().await.unwrap();
    let status = res.status();
    let created: Value = res.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["id"].as_i64().unwrap()
}

pub(crate) async fn decide(
    world: &World,
    manager: &Client,
    id: i64,
    line: &str,
    decision: &str,
    reason: &str,
    oob: &str,
) {
    let id = id.to_string();
    let form =
        [("id", id.as_str()), ("line", line), ("decision", decision), ("reason", reason), ("out_of_band_on", oob)];
    let (status, body) = world.act(manager, url::<DecidePatchRequest>(), &form).await;
    assert_eq!(status, StatusCode::OK, "{line} {decision}: {body}");
}

/// Opens the cherry-pick of `line` on the fake GitHub and records it on the request.
pub(crate) async fn cherry_pick(world: &World, fake: &FakeGitHub, who: &Client, id: i64, line: &str, number: u64) {
    let link = fake.open_pull(number, &format!("release-{line}"));
    let id = id.to_string();
    let (status, body) = world.act(who, url::<SetCherryPick>(), &[("id", &id), ("line", line), ("url", &link)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

pub(crate) async fn approve(world: &World, manager: &Client, name: &str) -> (StatusCode, Value) {
    world.act(manager, url::<ApprovePatchRelease>(), &[("name", name)]).await
}

/// A manager publishes; the outbox (the worker's job) runs until it is done.
pub(crate) async fn publish(world: &World, manager: &Client, version: &str) -> (StatusCode, Value) {
    let answer = world.act(manager, url::<PublishRelease>(), &[("version", version)]).await;
    if answer.0 == StatusCode::OK {
        publishing::process_due(&world.app.state).await.unwrap();
    }
    answer
}

pub(crate) async fn detail(world: &World, who: &Client, id: i64) -> Value {
    let res = who.get(world.app.url(&format!("/api/v1/patch-requests/{id}"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

fn line_of(request: &Value, line: &str) -> Value {
    request["targets"].as_array().unwrap().iter().find(|t| t["line"] == line).unwrap().clone()
}

#[tokio::test]
async fn a_security_fix_ships_in_a_patch_of_every_line_it_was_approved_for() {
    let fake = FakeGitHub::start().await;
    let world = World::project_with(github_of(&fake)).await;
    let ci = world.ci().await;
    let dev = world.person("dev", "developer").await;
    let manager = world.person("manager", "release_manager").await;

    // Thursday 26 November: a security request for every supported line.
    let id = request(&world, &dev, json!({"title": "Expired tokens are accepted", "category": "security", "severity": "S2", "cve_id": "CVE-2026-4242"})).await;
    let filed = detail(&world, &dev, id).await;
    let lines: Vec<&str> = filed["targets"].as_array().unwrap().iter().map(|t| t["line"].as_str().unwrap()).collect();
    assert_eq!(lines, ["1.12", "1.11", "1.10", "1.9"], "every supported line");
    decide(&world, &manager, id, "1.12", "approved", "", "").await;
    decide(&world, &manager, id, "1.11", "approved", "", "").await;
    decide(&world, &manager, id, "1.10", "not_affected", "", "").await;
    decide(&world, &manager, id, "1.9", "rejected", "1.9 ends on 8 December, before its next patch", "").await;

    // The cherry-picks: 1.12's merges in time, 1.11's the day after the deadline (4 December).
    cherry_pick(&world, &fake, &dev, id, "1.12", 112).await;
    cherry_pick(&world, &fake, &dev, id, "1.11", 111).await;
    world.today_is("2026-12-03T16:00:00Z").await;
    fake.merge_pull(112, "2026-12-03T15:00:00Z", &sha('a'));
    world.run_train(&manager).await;
    assert!(line_of(&detail(&world, &dev, id).await, "1.12")["cherry_pick"]["state"] == "merged");
    ci.tested("release-1.12-20261203-0200", &sha('b'), "passed").await; // cut before the merge
    ci.tested("release-1.12-20261204-0200", &sha('c'), "passed").await;
    ci.tested("main-20261204-0200", &sha('d'), "passed").await;

    world.today_is("2026-12-05T09:00:00Z").await;
    fake.merge_pull(111, "2026-12-05T08:00:00Z", &sha('e'));
    let ran = world.run_train(&manager).await;
    assert!(ran.contains("candidate for 1.12.1"), "{ran}");
    let december = world.release("1.12.1").await;
    assert_eq!(
        (december["state"].as_str(), december["build"].as_str()),
        (Some("candidate"), Some("release-1.12-20261204-0200"))
    );
    // 1.11's fix missed December: it moved on, and the slot with nothing merged ships nothing.
    let late = line_of(&detail(&world, &dev, id).await, "1.11");
    assert_eq!(late["carrier"]["version"], "1.11.2", "{late}");
    assert_eq!(late["carrier"]["date"], "2027-01-12");
    assert_eq!(
        late["carry_note"],
        "not merged by the cherry-pick deadline of the 1.11 patch of December 2026 (end of 4 Dec 2026, UTC): moved to the 1.11 patch of January 2027 on 12 Jan 2027"
    );
    let skipped = world.release("patch-1.11-2026-12").await;
    assert_eq!(skipped["state"], "skipped");

    // The manager approves; the release keeps its day, and cannot be published before it.
    let (status, body) = approve(&world, &manager, "1.12.1").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(world.release("1.12.1").await["date"], "2026-12-08");
    assert_eq!(publish(&world, &manager, "1.12.1").await.0, StatusCode::CONFLICT);
    world.today_is("2026-12-08").await;
    let (status, body) = publish(&world, &manager, "1.12.1").await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Until 1.11.2 ships, every 1.11 release carries the public CVE; 1.12's latest is free of it.
    let unfixed = |cycle: &'static str| {
        let world = &world;
        async move { world.json(&format!("/api/v1/releases/{cycle}")).await["result"]["unfixedCves"].clone() }
    };
    assert_eq!(unfixed("1.11").await, json!(["CVE-2026-4242"]));
    assert_eq!(unfixed("1.12").await, json!([]));
    let matrix = world.page(&dev, "/releases").await;
    assert!(matrix.contains("unfixed: CVE-2026-4242"), "{matrix}");

    // January: 1.11's carried fix ships in 1.11.2.
    world.today_is("2027-01-09").await;
    ci.tested("release-1.11-20270108-0200", &sha('f'), "passed").await;
    let ran = world.run_train(&manager).await;
    assert!(ran.contains("candidate for 1.11.2"), "{ran}");
    assert_eq!(approve(&world, &manager, "1.11.2").await.0, StatusCode::OK);
    world.today_is("2027-01-12").await;
    assert_eq!(publish(&world, &manager, "1.11.2").await.0, StatusCode::OK);

    // GitHub holds one release per tag, at the approved commits; only the newest line is latest.
    for (tag, commit, latest) in [("1.12.1", sha('c'), "true"), ("1.11.2", sha('f'), "false")] {
        let releases = fake.releases_of(tag);
        assert_eq!(releases.len(), 1, "{tag}");
        assert_eq!(fake.tag(tag).as_deref(), Some(commit.as_str()), "{tag}");
        assert_eq!(releases[0]["make_latest"], latest, "{tag}");
        assert_eq!(releases[0]["prerelease"], false, "{tag}");
        let notes = releases[0]["body"].as_str().unwrap();
        assert!(notes.contains("Expired tokens are accepted") && notes.contains("CVE-2026-4242"), "{notes}");
    }

    // The request shows each line shipped, and so does the feed.
    let shipped = detail(&world, &dev, id).await;
    assert_eq!(shipped["status"], "shipped");
    for (line, version) in [("1.12", "1.12.1"), ("1.11", "1.11.2")] {
        let carrier = line_of(&shipped, line)["carrier"].clone();
        assert_eq!((carrier["version"].as_str(), carrier["shipped"].as_bool()), (Some(version), Some(true)), "{line}");
        assert_eq!(carrier["github_url"], format!("https://github.com/{REPO}/releases/tag/{version}"));
    }
    let page = world.page(&dev, &format!("/patch-requests/{id}")).await;
    assert!(page.contains("shipped in 1.12.1 on 8 Dec") && page.contains("shipped in 1.11.2 on 12 Jan"), "{page}");
    let mine = world.page(&dev, "/patch-requests?mine=1").await;
    assert!(mine.contains("1.12 shipped in 1.12.1 1.11 shipped in 1.11.2 1.10 not affected 1.9 rejected"), "{mine}");
    let atom = world.app.get("/feed.atom").await.text().await.unwrap();
    assert!(atom.contains("1.12.1") && atom.contains("Expired tokens are accepted"), "{atom}");

    // A fix that shipped cannot be taken back or reclassified, and trying changes nothing.
    let before = world.app.fingerprint().await;
    let id_text = id.to_string();
    let (status, body) =
        world.act(&dev, url::<WithdrawPatchRequest>(), &[("id", &id_text), ("reason", "not needed after all")]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["message"].as_str().unwrap().contains("shipped on 1.12 in 1.12.1"), "{body}");
    let reclassify = [("id", id_text.as_str()), ("category", "stability"), ("severity", "S3"), ("reason", "minor")];
    let (status, body) = world.act(&manager, url::<ReclassifyPatchRequest>(), &reclassify).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(world.app.fingerprint().await, before);

    // Each line's page lists what its patches fixed, the matrix marks the lines free of known
    // CVEs, and someone running 1.11.1 learns which patch fixes what.
    let line = world.page(&dev, "/releases/1.11").await;
    assert!(line.contains("CVE-2026-4242: Expired tokens are accepted (request #1)"), "{line}");
    assert_eq!(unfixed("1.11").await, json!([]));
    let matrix = world.page(&dev, "/releases").await;
    assert!(!matrix.contains("unfixed: CVE-2026-4242") && matrix.contains("no known unfixed CVE"), "{matrix}");
    let answer = world.json("/api/v1/support?version=1.11.1").await;
    let updates = &answer["result"]["securityUpdates"];
    assert_eq!(
        updates,
        &json!([{"name": "1.11.2", "date": "2027-01-12", "cves": ["CVE-2026-4242"], "undisclosedFixes": 0, "otherFixes": 0}])
    );
    assert_eq!(world.json("/api/v1/support?version=1.11.2").await["result"]["securityUpdates"], json!([]));
}

/// The line's patch events between the demo's today and the end of the year: uid, version, note.
async fn patch_events(world: &World, line: &str) -> Vec<(String, String, String)> {
    let (status, schedule) = world.app.get_json("/api/v1/schedule?from=2026-11-26&to=2026-12-31&kinds=patch").await;
    assert_eq!(status, StatusCode::OK, "{schedule}");
    let text = |v: &Value| v.as_str().unwrap_or("").to_string();
    schedule["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["line"] == line)
        .map(|e| (text(&e["uid"]), text(&e["version"]), text(&e["note"])))
        .collect()
}

#[tokio::test]
async fn s1_fixes_approved_out_of_band_for_the_same_day_ship_in_one_patch_until_it_is_approved() {
    let fake = FakeGitHub::start().await;
    let world = World::project_with(github_of(&fake)).await;
    let ci = world.ci().await;
    let dev = world.person("dev", "developer").await;
    let manager = world.person("manager", "release_manager").await;
    let s1 = |title: &str| json!({"title": title, "category": "security", "severity": "S1", "targetLines": ["1.12"]});

    // Two S1s for Monday share one out-of-band patch, which names them both.
    let first = request(&world, &dev, s1("Admin port accepts unsigned tokens")).await;
    let second = request(&world, &dev, s1("Proxy leaks headers across tenants")).await;
    decide(&world, &manager, first, "", "approved", "S1: out of band", "2026-11-30").await;
    decide(&world, &manager, second, "", "approved", "S1: out of band", "2026-11-30").await;
    let (world_ref, dev_ref) = (&world, &dev);
    let carrier =
        |id: i64| async move { line_of(&detail(world_ref, dev_ref, id).await, "1.12")["carrier"]["version"].clone() };
    assert_eq!((carrier(first).await, carrier(second).await), (json!("1.12.1"), json!("1.12.1")));
    let both = format!("out of band for S1 requests #{first} and #{second}");

    // One for another day is a patch of its own.
    let tuesday = request(&world, &dev, s1("Gateway crashes on a malformed SNI")).await;
    decide(&world, &manager, tuesday, "", "approved", "S1: out of band", "2026-12-01").await;
    assert_eq!(carrier(tuesday).await, json!("1.12.2"));
    let events = patch_events(&world, "1.12").await;
    let (uids, notes): (Vec<_>, Vec<_>) =
        events.iter().map(|(uid, version, note)| ((uid.as_str(), version.as_str()), note.as_str())).unzip();
    assert_eq!(uids, [("oob-1.12-1", "1.12.1"), ("oob-1.12-2", "1.12.2"), ("patch-1.12-2026-12", "1.12.3")]);
    assert_eq!(notes[..2], [both.as_str(), &format!("out of band for S1 request #{tuesday}")]);

    // Once Monday's patch is approved from a build, a later S1 for Monday is a new patch: an
    // approved release ships what it was approved with.
    cherry_pick(&world, &fake, &dev, first, "1.12", 600).await;
    cherry_pick(&world, &fake, &dev, second, "1.12", 601).await;
    fake.merge_pull(600, "2026-11-26T09:00:00Z", &sha('1'));
    fake.merge_pull(601, "2026-11-26T10:00:00Z", &sha('2'));
    world.today_is("2026-11-27").await;
    ci.tested("release-1.12-20261127-0200", &sha('3'), "passed").await;
    let ran = world.run_train(&manager).await;
    assert!(ran.contains("candidate for 1.12.1"), "{ran}");
    assert_eq!(approve(&world, &manager, "1.12.1").await.0, StatusCode::OK);
    let late = request(&world, &dev, s1("Webhook secret logged in clear")).await;
    decide(&world, &manager, late, "", "approved", "S1: out of band", "2026-11-30").await;
    let late_carrier = line_of(&detail(&world, &dev, late).await, "1.12")["carrier"].clone();
    assert_eq!(late_carrier["date"], "2026-11-30", "{late_carrier}");
    assert_ne!(late_carrier["version"], json!("1.12.1"), "{late_carrier}");
    assert_eq!(patch_events(&world, "1.12").await[0].2, both, "the approved patch still names only its own");
}

#[tokio::test]
async fn out_of_band_renumbers_a_cancellation_carries_fixes_and_an_embargo_holds_until_lifted() {
    let fake = FakeGitHub::start().await;
    let world = World::project_with(github_of(&fake)).await;
    let ci = world.ci().await;
    let dev = world.person("dev", "developer").await;
    let other = world.person("eve", "developer").await;
    let manager = world.person("manager", "release_manager").await;

    // A stability fix for December's 1.12 patch.
    let crash = request(&world, &dev, json!({"title": "Sidecar crashes on reload", "category": "stability", "severity": "S2", "targetLines": ["1.12"]})).await;
    decide(&world, &manager, crash, "1.12", "approved", "", "").await;
    assert_eq!(line_of(&detail(&world, &dev, crash).await, "1.12")["carrier"]["version"], "1.12.1");

    // An embargoed S1 goes out of band on Monday: it takes 1.12.1, December renumbers to 1.12.2
    // and keeps its calendar entry.
    let hole = request(&world, &dev, json!({"title": "Remote code execution in the admin port", "category": "security", "severity": "S1", "cve_id": "CVE-2026-9999", "embargoed": "on", "targetLines": ["1.12"]})).await;
    decide(&world, &manager, hole, "", "approved", "S1: out of band", "2026-11-30").await;
    assert_eq!(line_of(&detail(&world, &dev, hole).await, "1.12")["carrier"]["version"], "1.12.1");
    assert_eq!(line_of(&detail(&world, &dev, crash).await, "1.12")["carrier"]["version"], "1.12.2");
    let (_, schedule) = world.app.get_json("/api/v1/schedule?from=2026-11-26&to=2026-12-31&kinds=patch").await;
    let uids: Vec<(&str, &str)> = schedule["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["line"] == "1.12")
        .map(|e| (e["uid"].as_str().unwrap(), e["version"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(uids, [("oob-1.12-1", "1.12.1"), ("patch-1.12-2026-12", "1.12.2")]);

    // Cancelling December carries its fix to January, which takes the freed number.
    let (status, body) =
        world.act(&manager, url::<CancelRelease>(), &[("version", "1.12.2"), ("note", "the team is at KubeCon")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let moved = line_of(&detail(&world, &dev, crash).await, "1.12");
    assert_eq!(
        (moved["carrier"]["version"].as_str(), moved["carrier"]["date"].as_str()),
        (Some("1.12.2"), Some("2027-01-12"))
    );
    assert!(moved["carry_note"].as_str().unwrap().contains("cancelled"), "{moved}");

    // The out-of-band patch gets its cherry-pick, a build and a candidate.
    cherry_pick(&world, &fake, &dev, hole, "1.12", 500).await;
    fake.merge_pull(500, "2026-11-27T09:00:00Z", &sha('1'));
    world.today_is("2026-11-28").await;
    ci.tested("release-1.12-20261128-0200", &sha('2'), "passed").await;
    let ran = world.run_train(&manager).await;
    assert!(ran.contains("candidate for 1.12.1"), "{ran}");
    assert_eq!(approve(&world, &manager, "1.12.1").await.0, StatusCode::OK);

    // Until the embargo is lifted, nobody else sees the fix and the release cannot be published.
    world.today_is("2026-11-30").await;
    let preview = world.page(&other, "/releases/1.12.1").await;
    assert!(!preview.contains("Remote code execution"), "{preview}");
    let (status, body) = publish(&world, &manager, "1.12.1").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["message"].as_str().unwrap().contains("embargo"), "{body}");
    assert!(fake.releases_of("1.12.1").is_empty());
    let before = world.app.fingerprint().await;
    let (status, _) = world.act(&dev, url::<LiftEmbargo>(), &[("id", &hole.to_string())]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "only a release manager lifts an embargo");
    assert_eq!(world.app.fingerprint().await, before, "the refused lift changed nothing");
    let unfixed = || async { world.json("/api/v1/releases/1.12").await["result"]["unfixedCves"].clone() };
    assert_eq!(unfixed().await, json!([]), "an embargoed CVE is not known to the public");
    let (status, body) = world.act(&manager, url::<LiftEmbargo>(), &[("id", &hole.to_string())]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(unfixed().await, json!(["CVE-2026-9999"]), "lifted, and not yet shipped");
    let (status, body) = publish(&world, &manager, "1.12.1").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(unfixed().await, json!([]), "1.12.1 fixes it");
    let published = fake.releases_of("1.12.1");
    assert_eq!(published.len(), 1);
    assert!(published[0]["body"].as_str().unwrap().contains("CVE-2026-9999"));
    let audit = world.page(&world.admin, "/admin").await;
    assert!(audit.contains("lifted the embargo: CVE-2026-9999 is public"), "{audit}");
}
