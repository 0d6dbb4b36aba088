//! What changes after filing, through real HTTP: its requester edits a request until triage
//! starts and withdraws it until a line ships; a release manager reclassifies it.

use reqwest::{Client, StatusCode};
use serde_json::Value;
use trainyard::features::patch_requests::api as pr;

use crate::{
    harness::{TestApp, text_of, url},
    patch_requests::{api_request, decide, fields, filed},
    world::World,
};

/// Saves an edit of request `id` with the form's fields as `overrides` change them.
async fn edit(app: &TestApp, who: &Client, id: i64, overrides: &[(&str, &str)]) -> (StatusCode, Value) {
    let mut form = fields(overrides);
    form.push(("id".into(), id.to_string()));
    let res = who.post(app.url(url::<pr::EditPatchRequest>())).header("accept", "application/json").form(&form);
    let res = res.send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn withdraw(world: &World, who: &Client, id: i64, reason: &str) -> (StatusCode, Value) {
    world.act(who, url::<pr::WithdrawPatchRequest>(), &[("id", &id.to_string()), ("reason", reason)]).await
}

async fn reclassify(world: &World, who: &Client, id: i64, class: (&str, &str), reason: &str) -> (StatusCode, Value) {
    let id = id.to_string();
    let form = [("id", id.as_str()), ("category", class.0), ("severity", class.1), ("reason", reason)];
    world.act(who, url::<pr::ReclassifyPatchRequest>(), &form).await
}

fn line<'a>(request: &'a Value, line: &str) -> &'a Value {
    request["targets"].as_array().unwrap().iter().find(|t| t["line"] == line).unwrap()
}

fn lines(request: &Value) -> Vec<(String, String)> {
    let targets = request["targets"].as_array().unwrap();
    targets.iter().map(|t| (t["line"].as_str().unwrap().into(), t["decision"].as_str().unwrap().into())).collect()
}

#[tokio::test]
async fn a_requester_edits_until_triage_starts_and_the_timeline_says_what_changed() {
    let world = World::project().await;
    let app = &world.app;
    let dev = world.person("dev", "developer").await;
    let eve = world.person("eve", "developer").await;
    let manager = world.person("manager", "release_manager").await;
    let id = filed(app, &dev, &[("severity", "S3"), ("targets", "1.12,1.11")]).await;

    // Nobody else edits it, and bad input names its field; none of it changes anything.
    let before = app.fingerprint().await;
    assert_eq!(edit(app, &app.client(), id, &[("title", "Hijacked")]).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(edit(app, &eve, id, &[("title", "Hijacked")]).await.0, StatusCode::FORBIDDEN);
    assert_eq!(edit(app, &manager, id, &[("title", "Hijacked")]).await.0, StatusCode::FORBIDDEN);
    let (status, body) = edit(app, &dev, id, &[("title", " "), ("bug_link", "not a link")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let named: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(named, ["title", "bug_link"], "{body}");
    assert_eq!(app.fingerprint().await, before);
    let page = app.client().get(app.url(&format!("/patch-requests/{id}/edit"))).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::UNAUTHORIZED, "the edit page is the requester's");

    // The requester's form comes filled in as filed; saving it unchanged writes nothing.
    let page = world.page(&dev, &format!("/patch-requests/{id}/edit")).await;
    assert!(page.contains("Edit the request") && page.contains("Save the changes"), "{page}");
    let html = dev.get(app.url(&format!("/patch-requests/{id}/edit"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("value=\"Proxy crashes on an empty header\""), "the title is filled in");
    assert_eq!(edit(app, &dev, id, &[("severity", "S3"), ("targets", "1.12,1.11")]).await.0, StatusCode::OK);
    assert_eq!(app.fingerprint().await, before, "an edit that changes nothing writes nothing");

    let changed = [("title", "Proxy crashes on any empty header"), ("severity", "S2"), ("targets", "1.12")];
    let (status, body) = edit(app, &dev, id, &changed).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, request) = api_request(app, &dev, id).await;
    assert_eq!((request["title"].as_str(), request["severity"].as_str()), (Some(changed[0].1), Some("S2")));
    assert_eq!(lines(&request), [("1.12".to_owned(), "pending".to_owned())]);
    let page = world.page(&dev, &format!("/patch-requests/{id}")).await;
    assert!(page.contains("dev (developer) edited title; severity S3 → S2; lines 1.11, 1.12 → 1.12"), "{page}");
    assert!(page.contains("Edit the request"), "{page}");

    // Once a line is decided, triage has started: the edit is refused and the link is gone.
    assert_eq!(decide(app, &manager, id, "1.12", "approved", "").await.status(), StatusCode::OK);
    let before = app.fingerprint().await;
    let (status, body) = edit(app, &dev, id, &[("title", "Too late")]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["message"].as_str().unwrap().contains("triage has started: 1.12 is approved"), "{body}");
    assert_eq!(app.fingerprint().await, before);
    assert!(!world.page(&dev, &format!("/patch-requests/{id}")).await.contains("Edit the request"));
    let res = dev.get(app.url(&format!("/patch-requests/{id}/edit"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(text_of(&res.text().await.unwrap()).contains("triage has started"));
}

#[tokio::test]
async fn an_edit_that_stops_qualifying_waits_for_the_monthly_and_one_back_goes_to_triage() {
    let world = World::project().await;
    let app = &world.app;
    let dev = world.person("dev", "developer").await;
    let id = filed(app, &dev, &[("targets", "1.12,1.11")]).await;
    assert_eq!(edit(app, &dev, id, &[("category", "feature"), ("targets", "")]).await.0, StatusCode::OK);
    let (_, request) = api_request(app, &dev, id).await;
    assert_eq!((request["status"].as_str(), request["deferred_to"].as_str()), (Some("deferred"), Some("1.13.0")));
    assert!(lines(&request).is_empty());
    // Nobody triaged it: it is still the requester's to change.
    assert_eq!(edit(app, &dev, id, &[("targets", "1.11")]).await.0, StatusCode::OK);
    let (_, request) = api_request(app, &dev, id).await;
    assert_eq!((request["status"].as_str(), request["deferred_to"].as_str()), (Some("open"), None));
    assert_eq!(lines(&request), [("1.11".to_owned(), "pending".to_owned())]);
}

#[tokio::test]
async fn without_javascript_an_edit_keeps_what_was_typed_and_saves_when_valid() {
    let world = World::project().await;
    let app = &world.app;
    let dev = world.person("dev", "developer").await;
    let id = filed(app, &dev, &[]).await;
    let post = |body: String| {
        dev.post(app.url(&format!("/patch-requests/{id}/edit")))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "text/html")
            .body(body)
            .send()
    };
    let body =
        "title=Crash+on+start&category=stability&severity=S2&bug_link=&risk=low&impact=typed+by+hand&targets=1.12";
    let res = post(body.to_owned()).await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(html.contains("value=\"Crash on start\"") && html.contains("typed by hand"), "what was typed is kept");
    assert!(text_of(&html).contains("a link to the bug is required"));
    assert_eq!(api_request(app, &dev, id).await.1["title"], "Proxy crashes on an empty header", "nothing saved");

    let res =
        post(body.replace("bug_link=", "bug_link=https%3A%2F%2Fgithub.com%2Forg%2Frepo%2Fissues%2F9")).await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], format!("/patch-requests/{id}").as_str());
    let (_, request) = api_request(app, &dev, id).await;
    assert_eq!(
        (request["title"].as_str(), request["impact"].as_str()),
        (Some("Crash on start"), Some("typed by hand"))
    );
}

#[tokio::test]
async fn a_requester_withdraws_with_a_reason_and_the_release_no_longer_carries_the_fix() {
    let world = World::project().await;
    let app = &world.app;
    let dev = world.person("dev", "developer").await;
    let eve = world.person("eve", "developer").await;
    let manager = world.person("manager", "release_manager").await;
    let id = filed(app, &dev, &[("targets", "1.12,1.11")]).await;
    assert_eq!(decide(app, &manager, id, "1.12", "approved", "").await.status(), StatusCode::OK);
    assert_eq!(line(&api_request(app, &dev, id).await.1, "1.12")["carrier"]["version"], "1.12.1");
    let release = world.page(&manager, "/releases/1.12.1").await;
    assert!(release.contains("Proxy crashes on an empty header"), "1.12.1 carries the fix: {release}");

    let before = app.fingerprint().await;
    assert_eq!(withdraw(&world, &app.client(), id, "mine").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(withdraw(&world, &eve, id, "mine").await.0, StatusCode::FORBIDDEN);
    assert_eq!(withdraw(&world, &manager, id, "mine").await.0, StatusCode::FORBIDDEN);
    let (status, body) = withdraw(&world, &dev, id, "  ").await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("reason")), "{body}");
    assert_eq!(app.fingerprint().await, before);
    assert!(world.page(&dev, &format!("/patch-requests/{id}")).await.contains("Withdraw the request"));

    let (status, body) = withdraw(&world, &dev, id, "the bug was in our test rig").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, request) = api_request(app, &dev, id).await;
    assert_eq!(request["status"], "withdrawn");
    for l in ["1.12", "1.11"] {
        let t = line(&request, l);
        assert_eq!(t["decision"], "rejected", "{l}");
        assert_eq!(t["reason"], "withdrawn by its requester: the bug was in our test rig", "{l}");
        assert!(t["carrier"].is_null(), "{l} leaves its release: {t}");
    }
    let release = world.page(&manager, "/releases/1.12.1").await;
    assert!(!release.contains("Proxy crashes on an empty header"), "{release}");
    let page = world.page(&dev, &format!("/patch-requests/{id}")).await;
    assert!(
        page.contains("withdrawn") && page.contains("dev (developer) withdrew it: the bug was in our test rig"),
        "{page}"
    );
    assert!(!page.contains("Withdraw the request"), "{page}");

    // Out of play: nothing more is decided or withdrawn, and it is listed as withdrawn.
    let before = app.fingerprint().await;
    assert_eq!(decide(app, &manager, id, "1.11", "approved", "").await.status(), StatusCode::CONFLICT);
    assert_eq!(withdraw(&world, &dev, id, "again").await.0, StatusCode::CONFLICT);
    assert_eq!(reclassify(&world, &manager, id, ("security", "S1"), "worse").await.0, StatusCode::CONFLICT);
    assert_eq!(app.fingerprint().await, before);
    let withdrawn = world.json("/api/v1/patch-requests?status=withdrawn").await;
    assert_eq!((withdrawn["total"].as_i64(), withdrawn["items"][0]["id"].as_i64()), (Some(1), Some(id)));
}

#[tokio::test]
async fn a_fix_on_its_way_into_a_release_branch_needs_a_manager_to_take_it_back() {
    let world = World::project().await;
    let app = &world.app;
    let dev = world.person("dev", "developer").await;
    let manager = world.person("manager", "release_manager").await;
    let id = filed(app, &dev, &[("targets", "1.12")]).await;
    assert_eq!(decide(app, &manager, id, "1.12", "approved", "").await.status(), StatusCode::OK);
    let id_text = id.to_string();
    let pick = [("id", id_text.as_str()), ("line", "1.12"), ("url", "https://github.com/org/repo/pull/9")];
    assert_eq!(world.act(&dev, url::<pr::SetCherryPick>(), &pick).await.0, StatusCode::OK);
    let before = app.fingerprint().await;
    let (status, body) = withdraw(&world, &dev, id, "not needed").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["message"].as_str().unwrap().contains("close the pull request first"), "{body}");
    assert_eq!(app.fingerprint().await, before);
    let merged = [("id", id_text.as_str()), ("line", "1.12"), ("commit", &"a".repeat(40))];
    assert_eq!(world.act(&dev, url::<pr::MarkMerged>(), &merged).await.0, StatusCode::OK);
    let before = app.fingerprint().await;
    let (status, body) = withdraw(&world, &dev, id, "not needed").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["message"].as_str().unwrap().contains("merged into the 1.12 release branch"), "{body}");
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn a_manager_reclassifies_with_a_reason_the_requester_reads() {
    let world = World::project().await;
    let app = &world.app;
    let dev = world.person("dev", "developer").await;
    let manager = world.person("manager", "release_manager").await;
    let id = filed(app, &dev, &[("severity", "S3"), ("targets", "1.12,1.11")]).await;

    let before = app.fingerprint().await;
    assert_eq!(reclassify(&world, &dev, id, ("security", "S1"), "mine").await.0, StatusCode::FORBIDDEN);
    let field = |answer: (StatusCode, Value)| {
        assert_eq!(answer.0, StatusCode::BAD_REQUEST, "{}", answer.1);
        answer.1["field"].as_str().unwrap().to_owned()
    };
    assert_eq!(field(reclassify(&world, &manager, id, ("security", "S1"), " ").await), "reason");
    assert_eq!(field(reclassify(&world, &manager, id, ("stability", "S3"), "same").await), "category");
    assert_eq!(field(reclassify(&world, &manager, id, ("bug", "S3"), "why").await), "category");
    assert_eq!(field(reclassify(&world, &manager, id, ("stability", "S7"), "why").await), "severity");
    assert_eq!(app.fingerprint().await, before);

    // A crash found to be a hole goes under embargo with it, until a manager lifts it.
    let (status, body) = reclassify(&world, &manager, id, ("security", "S1"), "a remote crash").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, request) = api_request(app, &dev, id).await;
    assert_eq!((request["category"].as_str(), request["severity"].as_str()), (Some("security"), Some("S1")));
    assert_eq!(request["embargoed"], true, "{request}");
    let page = world.page(&dev, &format!("/patch-requests/{id}")).await;
    assert!(
        page.contains(
            "manager (release manager) reclassified it from stability S3 to security S1 under embargo: a remote crash"
        ),
        "{page}"
    );
    let lift = [("id", id.to_string()), ("cve", "CVE-2026-4242".to_owned())];
    let lift: Vec<(&str, &str)> = lift.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(world.act(&manager, url::<pr::LiftEmbargo>(), &lift).await.0, StatusCode::OK);

    // A request with an approved line cannot stop qualifying until that line is rejected.
    assert_eq!(decide(app, &manager, id, "1.12", "approved", "").await.status(), StatusCode::OK);
    let before = app.fingerprint().await;
    let (status, body) = reclassify(&world, &manager, id, ("feature", "S4"), "a new option").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["message"].as_str().unwrap().contains("1.12 is approved"), "{body}");
    assert_eq!(app.fingerprint().await, before);
    assert_eq!(decide(app, &manager, id, "1.12", "rejected", "a new option after all").await.status(), StatusCode::OK);
    assert_eq!(reclassify(&world, &manager, id, ("feature", "S4"), "a new option").await.0, StatusCode::OK);
    let (_, request) = api_request(app, &dev, id).await;
    assert_eq!((request["status"].as_str(), request["deferred_to"].as_str()), (Some("deferred"), Some("1.13.0")));
    assert_eq!(line(&request, "1.11")["reason"], "reclassified as a feature: it ships in the monthly 1.13.0");

    // Back to a bug: it leaves the monthly, and every supported line the monthly took awaits
    // triage again; the line a manager rejected stays rejected.
    assert_eq!(reclassify(&world, &manager, id, ("stability", "S2"), "it does crash").await.0, StatusCode::OK);
    let (_, request) = api_request(app, &dev, id).await;
    assert_eq!((request["status"].as_str(), request["deferred_to"].as_str()), (Some("open"), None));
    let pending: Vec<(String, String)> = lines(&request).into_iter().filter(|(_, d)| d == "pending").collect();
    assert!(pending.len() >= 2 && pending.iter().any(|(l, _)| l == "1.11"), "{request}");
    assert_eq!(line(&request, "1.12")["reason"], "a new option after all");
}

#[tokio::test]
async fn a_withdrawal_keeps_other_decisions_waits_for_no_monthly_and_lets_the_same_request_be_filed_again() {
    let world = World::project().await;
    let app = &world.app;
    let dev = world.person("dev", "developer").await;
    let manager = world.person("manager", "release_manager").await;
    let id = filed(app, &dev, &[("severity", "S3"), ("targets", "1.12,1.11")]).await;
    assert_eq!(decide(app, &manager, id, "1.11", "not_affected", "").await.status(), StatusCode::OK);
    let (status, _) = world.act(&manager, url::<pr::DeferPatchRequest>(), &[("id", &id.to_string())]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(withdraw(&world, &dev, id, "works as intended").await.0, StatusCode::OK);
    let (_, request) = api_request(app, &dev, id).await;
    assert_eq!((request["status"].as_str(), request["deferred_to"].as_str()), (Some("withdrawn"), None));
    assert_eq!(line(&request, "1.11")["decision"], "not_affected", "a manager's decision stands");
    assert_eq!(line(&request, "1.11")["decided_by"], "manager");
    assert!(!world.page(&dev, &format!("/patch-requests/{id}")).await.contains("Deferred:"));
    // Filing the same request again is a new request, not the withdrawn one.
    let again = filed(app, &dev, &[("severity", "S3"), ("targets", "1.12,1.11")]).await;
    assert_ne!(again, id);
}

async fn mark(world: &World, manager: &Client, id: i64, original: i64) -> (StatusCode, Value) {
    let (id, original) = (id.to_string(), original.to_string());
    world.act(manager, url::<pr::MarkDuplicate>(), &[("id", &id), ("original", &original)]).await
}

#[tokio::test]
async fn duplicates_and_withdrawals_never_strand_a_bug() {
    let world = World::project().await;
    let app = &world.app;
    let dev = world.person("dev", "developer").await;
    let eve = world.person("eve", "developer").await;
    let manager = world.person("manager", "release_manager").await;
    let original = filed(app, &dev, &[("targets", "1.12")]).await;
    let repeat = filed(app, &eve, &[("title", "The same crash"), ("targets", "1.12")]).await;
    assert_eq!(mark(&world, &manager, repeat, original).await.0, StatusCode::OK);
    // Eve follows it: its requester may not drop it from under her.
    let before = app.fingerprint().await;
    let (status, body) = withdraw(&world, &dev, original, "not mine to fix").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["message"].as_str().unwrap().contains(&format!("#{repeat} follow it")), "{body}");
    assert_eq!(app.fingerprint().await, before);
    // Nothing is marked a duplicate of a withdrawn request.
    let gone = filed(app, &dev, &[("title", "A third crash"), ("targets", "1.12")]).await;
    let other = filed(app, &eve, &[("title", "Crash again"), ("targets", "1.12")]).await;
    assert_eq!(withdraw(&world, &dev, gone, "fixed upstream").await.0, StatusCode::OK);
    let before = app.fingerprint().await;
    let (status, body) = mark(&world, &manager, other, gone).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("original")), "{body}");
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn a_reclassification_is_triage_a_rejection_survives_it_and_an_embargo_is_for_managers_to_lift() {
    let world = World::project().await;
    let app = &world.app;
    let dev = world.person("dev", "developer").await;
    let manager = world.person("manager", "release_manager").await;
    let id = filed(app, &dev, &[("targets", "1.12,1.11")]).await;
    assert_eq!(decide(app, &manager, id, "1.11", "rejected", "the code is not in 1.11").await.status(), StatusCode::OK);
    assert_eq!(reclassify(&world, &manager, id, ("feature", "S3"), "an option").await.0, StatusCode::OK);
    assert_eq!(reclassify(&world, &manager, id, ("stability", "S2"), "a crash after all").await.0, StatusCode::OK);
    let (_, request) = api_request(app, &dev, id).await;
    assert_eq!(line(&request, "1.12")["decision"], "pending", "the line the monthly took goes back to triage");
    assert_eq!(line(&request, "1.11")["reason"], "the code is not in 1.11", "a manager's rejection stands");

    // Triage has started: the requester cannot edit the classification back.
    let fresh = filed(app, &dev, &[("title", "Another crash"), ("severity", "S3"), ("targets", "1.12")]).await;
    assert_eq!(reclassify(&world, &manager, fresh, ("stability", "S1"), "an outage").await.0, StatusCode::OK);
    let before = app.fingerprint().await;
    let (status, body) =
        edit(app, &dev, fresh, &[("title", "Another crash"), ("severity", "S3"), ("targets", "1.12")]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["message"].as_str().unwrap().contains("reclassified"), "{body}");
    assert_eq!(app.fingerprint().await, before);

    // An embargo is lifted by a manager under a CVE, never by an edit or a reclassification.
    let secret = [("title", "A hole"), ("category", "security"), ("embargoed", "on"), ("targets", "1.12")];
    let hole = filed(app, &dev, &secret).await;
    let before = app.fingerprint().await;
    let (status, body) =
        edit(app, &dev, hole, &[("title", "A hole"), ("category", "security"), ("targets", "1.12")]).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("embargoed")), "{body}");
    let (status, body) = reclassify(&world, &manager, hole, ("stability", "S2"), "not a hole").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(app.fingerprint().await, before);
    let (_, request) = api_request(app, &dev, hole).await;
    assert_eq!(request["embargoed"], true);
}
