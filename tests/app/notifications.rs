//! Notifications through a real SMTP server (aiosmtpd) and a real webhook receiver: each kind of
//! news reaches the people it concerns once, through failures and a restart.

use hmac::{Hmac, Mac};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use sha2::Sha256;
use trainyard::{
    domain::notification::Kind,
    features::notifications::{
        api::{AddWebhook, CreateFeed, LoadNotifications, RevokeFeed, RevokeWebhook, SaveNotifications},
        service::{queue_events, run_once, send_due},
        store,
    },
    features::{
        patch_requests::api::{MarkDuplicate, ReclassifyPatchRequest, WithdrawPatchRequest},
        shipping::api::MarkReleaseReleased,
        train::api::PromoteBuild,
    },
    platform::settings::Secret,
};

use crate::{
    fake_github::FakeGitHub,
    harness::{Options, TestApp, url},
    patch_releases::{approve, cherry_pick, decide, publish, request},
    publishing::github_of,
    receivers::{Mail, SmtpServer, WebhookReceiver},
    world::{World, sha},
};

/// Every kind, as the settings form sends them.
fn all_kinds() -> String {
    Kind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(",")
}

/// The form as ticked boxes post it: each `name[]` list, given comma-separated, becomes one
/// pair per value.
fn ticked<'a>(pairs: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = Vec::new();
    for &(name, value) in pairs {
        match name.ends_with("[]") {
            true => form.extend(value.split(',').map(str::trim).filter(|v| !v.is_empty()).map(|v| (name, v))),
            false => form.push((name, value)),
        }
    }
    form
}

/// `options`, with mail going to `smtp_url`.
fn with_mail(options: Options, smtp_url: String) -> Options {
    let inner = options.configure;
    Options {
        configure: Box::new(move |s| {
            inner(s);
            s.mail.smtp_url = Some(Secret::new(smtp_url));
        }),
        ..options
    }
}

/// `who` gives their address, hears of every kind and follows `lines`.
async fn subscribe(world: &World, who: &Client, email: &str, lines: &str) {
    let kinds = all_kinds();
    let form = ticked(&[("email", email), ("kinds[]", kinds.as_str()), ("lines[]", lines)]);
    let (status, body) = world.act(who, url::<SaveNotifications>(), &form).await;
    assert_eq!(status, StatusCode::OK, "{email}: {body}");
}

/// The admin adds a webhook for `kinds`; returns its secret.
async fn add_webhook(world: &World, receiver: &WebhookReceiver, kinds: &str) -> String {
    let (status, body) =
        world.act(&world.admin, url::<AddWebhook>(), &ticked(&[("url", &receiver.url()), ("kinds[]", kinds)])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_str().unwrap().to_owned()
}

/// One round of the outbox on `app`, as its worker runs it; returns how many went out.
async fn round(app: &TestApp) -> usize {
    run_once(&app.state).await.expect("a notification round")
}

fn subjects(mails: &[Mail]) -> Vec<String> {
    mails.iter().map(|m| m.subject.clone()).collect()
}

fn signed_by(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[tokio::test]
async fn a_requester_hears_of_each_step_of_their_fix_once_by_mail_and_the_channel_by_webhook() {
    let smtp = SmtpServer::start().await;
    let chat = WebhookReceiver::start().await;
    let fake = FakeGitHub::start().await;
    let world = World::project_with(with_mail(github_of(&fake), smtp.url())).await;
    let ci = world.ci().await;
    let dev = world.person("dev", "developer").await;
    let manager = world.person("manager", "release_manager").await;
    subscribe(&world, &dev, "dev@example.com", "1.9").await;
    subscribe(&world, &manager, "manager@example.com", "").await;
    // The chat hears of everything but ends of life (it would hear of every line's).
    let secret = add_webhook(&world, &chat, &all_kinds().replace(",end_of_life", "")).await;

    // Thursday 26 November: 1.9 ends on 8 December, so its follower hears of it at once; the
    // developer files a request, and the manager (not the developer, who filed it) hears of it.
    let id = request(&world, &dev, json!({"title": "Expired tokens are accepted", "category": "security", "severity": "S2", "cve_id": "CVE-2026-4242", "targetLines": ["1.12", "1.11"]})).await;
    assert_eq!(round(&world.app).await, 3, "the filing to the manager and the chat, the end of life to dev");
    let to_manager = smtp.mails_to("manager@example.com");
    assert_eq!(subjects(&to_manager), ["Patch request #1 “Expired tokens are accepted” filed"]);
    assert!(
        to_manager[0].body.contains("dev filed #1 “Expired tokens are accepted” (S2) for 1.12, 1.11"),
        "{}",
        to_manager[0].body
    );
    assert!(
        to_manager[0].body.contains(&format!("{}/patch-requests/{id}", world.app.url(""))),
        "{}",
        to_manager[0].body
    );
    assert_eq!(subjects(&smtp.mails_to("dev@example.com")), ["1.9 reaches its end of life in 12 days"]);

    decide(&world, &manager, id, "1.12", "approved", "", "").await;
    decide(&world, &manager, id, "1.11", "approved", "", "").await;
    round(&world.app).await;
    let decided: Vec<Mail> = smtp.mails_to("dev@example.com").into_iter().skip(1).collect();
    assert_eq!(decided.len(), 2, "{:?}", subjects(&decided));
    assert!(decided.iter().all(|m| m.subject == "Patch request #1 “Expired tokens are accepted” decided"));
    assert!(decided[0].body.contains("approved for 1.12") && decided[1].body.contains("approved for 1.11"));

    // Thursday 3 December: 1.12's cherry-pick is merged, 1.11's is not, and the deadline is
    // Friday: its owner is told, once, however often the worker runs.
    cherry_pick(&world, &fake, &dev, id, "1.12", 112).await;
    cherry_pick(&world, &fake, &dev, id, "1.11", 111).await;
    world.today_is("2026-12-03T16:00:00Z").await;
    fake.merge_pull(112, "2026-12-03T15:00:00Z", &sha('a'));
    world.run_train(&manager).await;
    round(&world.app).await;
    round(&world.app).await;
    let deadline: Vec<Mail> =
        smtp.mails_to("dev@example.com").into_iter().filter(|m| m.subject.starts_with("Merge")).collect();
    assert_eq!(subjects(&deadline), ["Merge #1 “Expired tokens are accepted” for 1.11 by 4 Dec"]);
    assert!(deadline[0].body.contains("the deadline is Friday 4 December 2026"), "{}", deadline[0].body);

    // Saturday: 1.11's fix missed December and moves to January; 1.12.1 is approved, then ships.
    ci.tested("release-1.12-20261204-0200", &sha('c'), "passed").await;
    world.today_is("2026-12-05T09:00:00Z").await;
    fake.merge_pull(111, "2026-12-05T08:00:00Z", &sha('e'));
    world.run_train(&manager).await;
    assert_eq!(approve(&world, &manager, "1.12.1").await.0, StatusCode::OK);
    round(&world.app).await;
    world.today_is("2026-12-08").await;
    assert_eq!(publish(&world, &manager, "1.12.1").await.0, StatusCode::OK);
    round(&world.app).await;
    assert_eq!(round(&world.app).await, 0, "nothing is sent twice");

    let to_dev = smtp.mails_to("dev@example.com");
    assert_eq!(
        subjects(&to_dev),
        [
            "1.9 reaches its end of life in 12 days",
            "Patch request #1 “Expired tokens are accepted” decided",
            "Patch request #1 “Expired tokens are accepted” decided",
            "Merge #1 “Expired tokens are accepted” for 1.11 by 4 Dec",
            "Patch request #1 “Expired tokens are accepted” moved",
            "1.12.1 approved",
            "1.12.1 released",
        ]
    );
    let moved = &to_dev[4].body;
    assert!(moved.contains("1.11: not merged by the cherry-pick deadline") && moved.contains("12 Jan 2027"), "{moved}");
    assert!(to_dev[5].body.contains("ships on Tuesday 8 December 2026, with #1"), "{}", to_dev[5].body);
    let mut ids: Vec<&str> = to_dev.iter().map(|m| m.message_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), to_dev.len(), "each mail has its own Message-ID");
    assert_eq!(
        smtp.mails_to("manager@example.com").len(),
        1,
        "the manager decided; they are not told of their own acts"
    );

    // The chat got each piece of news once, signed with its secret, in Slack's shape.
    let posts = chat.accepted();
    let kinds: Vec<String> = posts.iter().map(|p| p.header("x-trainyard-event")).collect();
    assert_eq!(
        kinds,
        [
            "request_filed",
            "line_decided",
            "line_decided",
            "deadline_near",
            "fix_carried",
            "release_approved",
            "release_shipped"
        ]
    );
    for post in &posts {
        assert_eq!(post.header("x-hub-signature-256"), signed_by(&secret, &post.body));
        assert!(post.json()["text"].as_str().unwrap().contains(&post.json()["subject"].as_str().unwrap().to_owned()));
    }
    assert_ne!(posts[0].header("x-hub-signature-256"), signed_by("another secret", &posts[0].body));

    // What was sent is listed on the developer's page, which no cache keeps.
    let res = dev.get(world.app.url("/notifications")).send().await.unwrap();
    assert_eq!(res.headers()["cache-control"], "private, no-store");
    let page = crate::harness::text_of(&res.text().await.unwrap());
    assert!(page.contains("Sent to dev@example.com") && page.contains("1.12.1 released · sent"), "{page}");
}

#[tokio::test]
async fn a_message_goes_out_once_through_a_mail_server_that_was_down_a_failing_receiver_and_a_restart() {
    let mut smtp = SmtpServer::down_on(SmtpServer::free_port());
    let chat = WebhookReceiver::start().await;
    chat.fail_with(&[500, 503]);
    let world = World::project_with(with_mail(Options::default(), smtp.url())).await;
    let dev = world.person("dev", "developer").await;
    let manager = world.person("manager", "release_manager").await;
    subscribe(&world, &manager, "manager@example.com", "").await;
    add_webhook(&world, &chat, "request_filed").await;
    request(
        &world,
        &dev,
        json!({"title": "The proxy leaks memory", "category": "stability", "severity": "S2", "targetLines": ["1.12"]}),
    )
    .await;

    // Nothing answers on the mail port and the receiver fails: both wait to be tried again.
    assert_eq!(round(&world.app).await, 0);
    assert_eq!(chat.posts().len(), 1);
    let (_, settings) = world.act(&manager, url::<LoadNotifications>(), &[]).await;
    assert_eq!(settings["recent"][0]["state"], "pending", "{settings}");
    assert!(settings["recent"][0]["last_error"].as_str().unwrap().contains("could not take it now"), "{settings}");

    // The server stops; a new one starts on the same database file, and the mail server is up.
    let url = smtp.url();
    let restarted = TestApp::spawn_with(with_mail(
        Options { demo: false, database_url: Some(world.app.database_url.clone()), ..Options::default() },
        url,
    ))
    .await;
    smtp.up().await;
    assert_eq!(round(&restarted).await, 0, "the retries are not due yet");
    restarted.clock.set("2026-11-26T10:01:00Z".parse().unwrap());
    assert_eq!(round(&restarted).await, 1, "the mail; the receiver fails once more");
    restarted.clock.set("2026-11-26T10:05:00Z".parse().unwrap());
    assert_eq!(round(&restarted).await, 1, "the post");
    world.app.clock.set("2026-11-26T12:00:00Z".parse().unwrap());
    assert_eq!(round(&restarted).await + round(&world.app).await, 0);

    assert_eq!(subjects(&smtp.mails_to("manager@example.com")), ["Patch request #1 “The proxy leaks memory” filed"]);
    let posts = chat.posts();
    assert_eq!(posts.iter().map(|p| p.answered).collect::<Vec<_>>(), [500, 503, 200]);
    let delivery = posts[0].header("x-trainyard-delivery");
    assert!(!delivery.is_empty() && posts.iter().all(|p| p.header("x-trainyard-delivery") == delivery));
}

#[tokio::test]
async fn a_mail_server_restarted_between_two_mails_costs_the_second_no_retry() {
    let mut smtp = SmtpServer::start().await;
    let world = World::project_with(with_mail(Options::default(), smtp.url())).await;
    let dev = world.person("dev", "developer").await;
    let manager = world.person("manager", "release_manager").await;
    subscribe(&world, &manager, "manager@example.com", "").await;
    let leak =
        json!({"title": "The proxy leaks memory", "category": "stability", "severity": "S2", "targetLines": ["1.12"]});
    request(&world, &dev, leak).await;
    assert_eq!(round(&world.app).await, 1);

    // The connection the first mail left open dies with the server: the next mail goes out on a
    // new one in the same round, rather than failing and waiting for a retry.
    smtp.down();
    smtp.up().await;
    let crash = json!({"title": "The sidecar crashes on start", "category": "stability", "severity": "S1", "targetLines": ["1.12"]});
    request(&world, &dev, crash).await;
    assert_eq!(round(&world.app).await, 1);
    assert_eq!(
        subjects(&smtp.mails_to("manager@example.com")),
        ["Patch request #1 “The proxy leaks memory” filed", "Patch request #2 “The sidecar crashes on start” filed"]
    );
}

#[tokio::test]
async fn people_choose_what_they_hear_of_and_wrong_settings_are_refused_next_to_their_field() {
    let smtp = SmtpServer::start().await;
    let chat = WebhookReceiver::start().await;
    let world = World::project_with(with_mail(Options::default(), smtp.url())).await;
    let dev = world.person("dev", "developer").await;
    let manager = world.person("manager", "release_manager").await;

    // Wrong address, kind and line: each is named, and nothing is saved.
    let before = world.app.fingerprint().await;
    let (status, body) = world
        .act(
            &dev,
            url::<SaveNotifications>(),
            &ticked(&[("email", "dev at example"), ("kinds[]", "gossip"), ("lines[]", "1.12, 9.99")]),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["email", "kinds", "lines"], "{body}");
    assert!(body["errors"][2]["message"].as_str().unwrap().contains("“9.99”"), "{body}");
    assert_eq!(world.app.fingerprint().await, before);

    // Webhooks are the admins': a developer is refused and nothing changes; a wrong URL or no
    // kind is named; the admin adds one, and revokes it.
    let (status, _) =
        world.act(&dev, url::<AddWebhook>(), &ticked(&[("url", &chat.url()), ("kinds[]", "request_filed")])).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = world
        .act(&world.admin, url::<AddWebhook>(), &ticked(&[("url", "ftp://chat.example/x"), ("kinds[]", "")]))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["url", "kinds"], "{body}");
    assert_eq!(world.app.fingerprint().await, before);
    let anonymous = world.app.client();
    assert_eq!(world.act(&anonymous, url::<LoadNotifications>(), &[]).await.0, StatusCode::UNAUTHORIZED);
    add_webhook(&world, &chat, "request_filed,line_decided").await;
    let (_, settings) = world.act(&world.admin, url::<LoadNotifications>(), &[]).await;
    let hook = settings["webhooks"][0]["id"].as_i64().unwrap();
    assert_eq!(
        world.act(&dev, url::<LoadNotifications>(), &[]).await.1["webhooks"],
        Value::Null,
        "developers see none"
    );

    // The developer hears of decisions but not of anything else; the manager of filings only.
    let dev_form = ticked(&[("email", "dev@example.com"), ("kinds[]", "line_decided"), ("lines[]", "")]);
    assert_eq!(world.act(&dev, url::<SaveNotifications>(), &dev_form).await.0, StatusCode::OK);
    let manager_form = ticked(&[("email", "manager@example.com"), ("kinds[]", "request_filed"), ("lines[]", "1.9")]);
    assert_eq!(world.act(&manager, url::<SaveNotifications>(), &manager_form).await.0, StatusCode::OK);
    let id = request(
        &world,
        &dev,
        json!({"title": "A crash on start", "category": "stability", "severity": "S2", "targetLines": ["1.12"]}),
    )
    .await;
    // An embargoed hole: the manager reads it in full, the shared channel only that it exists;
    // and the manager filing one themselves is not told of it.
    request(&world, &dev, json!({"title": "Remote code execution in the admin port", "category": "security", "severity": "S1", "cve_id": "CVE-2026-9999", "embargoed": "on", "targetLines": ["1.12"]})).await;
    request(
        &world,
        &manager,
        json!({"title": "A manager's own find", "category": "stability", "severity": "S2", "targetLines": ["1.12"]}),
    )
    .await;
    round(&world.app).await;
    let hook_id = hook.to_string();
    assert_eq!(world.act(&world.admin, url::<RevokeWebhook>(), &[("id", &hook_id)]).await.0, StatusCode::OK);
    decide(&world, &manager, id, "1.12", "rejected", "not a regression", "").await;
    round(&world.app).await;
    assert_eq!(
        subjects(&smtp.mails_to("manager@example.com")),
        [
            "Patch request #1 “A crash on start” filed",
            "Patch request #2 “Remote code execution in the admin port” filed"
        ]
    );
    let to_dev = smtp.mails_to("dev@example.com");
    assert_eq!(subjects(&to_dev), ["Patch request #1 “A crash on start” decided"]);
    assert!(to_dev[0].body.contains("rejected for 1.12: not a regression"), "{}", to_dev[0].body);
    let posts = chat.posts();
    let kinds: Vec<String> = posts.iter().map(|p| p.header("x-trainyard-event")).collect();
    assert_eq!(kinds, ["request_filed", "request_filed", "request_filed"], "the revoked webhook gets nothing more");
    let hole = posts[1].json()["text"].as_str().unwrap().to_owned();
    assert_eq!(
        hole,
        format!(
            "*Patch request #2 (a security fix under embargo) filed*\n#2 (a security fix under embargo) was filed; details follow once the embargo is lifted.\n<{}/patch-requests/2>",
            world.app.url("")
        )
    );
    assert_eq!(world.act(&world.admin, url::<RevokeWebhook>(), &[("id", &hook_id)]).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_requester_reads_their_own_requests_in_a_private_feed_until_they_make_a_new_address() {
    let world = World::project().await;
    let dev = world.person("dev", "developer").await;
    let eve = world.person("eve", "developer").await;
    let manager = world.person("manager", "release_manager").await;
    let mine = request(&world, &dev, json!({"title": "A crash on reload", "category": "stability", "severity": "S2", "targetLines": ["1.12", "1.11"]})).await;
    request(&world, &dev, json!({"title": "Remote code execution in the admin port", "category": "security", "severity": "S1", "cve_id": "CVE-2026-9999", "embargoed": "on", "targetLines": ["1.12"]})).await;
    request(&world, &eve, json!({"title": "Eve's own bug", "category": "stability", "severity": "S2"})).await;
    world.today_is("2026-11-26T11:00:00Z").await;
    decide(&world, &manager, mine, "1.12", "approved", "", "").await;

    assert_eq!(world.act(&world.app.client(), url::<CreateFeed>(), &[]).await.0, StatusCode::UNAUTHORIZED);
    let (status, address) = world.act(&dev, url::<CreateFeed>(), &[]).await;
    assert_eq!(status, StatusCode::OK, "{address}");
    let address = address.as_str().unwrap().to_owned();
    assert!(address.starts_with(&world.app.url("/feeds/my-requests.atom?token=feed_")), "{address}");

    let read = |address: String| async move { reqwest::get(address).await.unwrap() };
    let res = read(address.clone()).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/atom+xml; charset=utf-8");
    assert_eq!(res.headers()["cache-control"], "private, no-store");
    let body = res.text().await.unwrap();
    let feed = atom_syndication::Feed::read_from(body.as_bytes()).unwrap();
    let titles: Vec<&str> = feed.entries().iter().map(|e| e.title().as_str()).collect();
    assert_eq!(titles, ["#1 A crash on reload", "#2 A security fix under embargo"], "newest change first");
    let summary = feed.entries()[0].summary().unwrap().as_str();
    assert_eq!(summary, "1.12 approved · 1.11 awaiting triage", "{body}");
    assert!(!body.contains("Remote code execution") && !body.contains("CVE-2026-9999"), "{body}");
    assert!(!body.contains("Eve"), "only one's own requests: {body}");

    // Read again after another decision: the answer is fresh, never a cached copy.
    decide(&world, &manager, mine, "1.11", "rejected", "the reload path differs there", "").await;
    let body = read(address.clone()).await.text().await.unwrap();
    assert!(body.contains("1.12 approved · 1.11 rejected"), "{body}");

    // A new address: the old one stops working. Turned off: none works.
    let (_, newer) = world.act(&dev, url::<CreateFeed>(), &[]).await;
    let newer = newer.as_str().unwrap().to_owned();
    assert_eq!(read(address.clone()).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(read(newer.clone()).await.status(), StatusCode::OK);
    let (_, settings) = world.act(&dev, url::<LoadNotifications>(), &[]).await;
    assert!(settings["feed_since"].is_string(), "{settings}");
    assert_eq!(world.act(&dev, url::<RevokeFeed>(), &[]).await.0, StatusCode::OK);
    assert_eq!(read(newer).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(world.act(&dev, url::<RevokeFeed>(), &[]).await.0, StatusCode::NOT_FOUND);
    for wrong in ["", "?token=", "?token=feed_0000", &format!("?token=feed_{}", "f".repeat(5000)), "?token=%00"] {
        let res = read(world.app.url(&format!("/feeds/my-requests.atom{wrong}"))).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{wrong}");
    }
    let trail = world.page(&world.admin, "/admin").await;
    assert!(
        trail.contains("made a new private feed address") && trail.contains("turned the private feed off"),
        "{trail}"
    );
}

#[tokio::test]
async fn a_duplicate_points_to_the_original_and_its_requester_follows_it() {
    let smtp = SmtpServer::start().await;
    let world = World::project_with(with_mail(Options::default(), smtp.url())).await;
    let dev = world.person("dev", "developer").await;
    let eve = world.person("eve", "developer").await;
    let manager = world.person("manager", "release_manager").await;
    subscribe(&world, &eve, "eve@example.com", "").await;
    let original = request(&world, &dev, json!({"title": "The proxy leaks memory", "category": "stability", "severity": "S2", "targetLines": ["1.12", "1.11"]})).await;
    let again = request(&world, &eve, json!({"title": "Memory grows until the proxy dies", "category": "stability", "severity": "S2", "targetLines": ["1.12"]})).await;
    let third = request(
        &world,
        &eve,
        json!({"title": "OOM in the proxy", "category": "stability", "severity": "S2", "targetLines": ["1.12"]}),
    )
    .await;
    let mark = |who: Client, id: i64, original: String| {
        let world = &world;
        async move {
            let id = id.to_string();
            world.act(&who, url::<MarkDuplicate>(), &[("id", id.as_str()), ("original", original.as_str())]).await
        }
    };

    // Wrong numbers are named at the field; a developer may not mark; nothing changes.
    let before = world.app.fingerprint().await;
    for (typed, says) in [
        ("abc", "is not a request number"),
        ("#99", "there is no request #99"),
        (&again.to_string(), "cannot duplicate itself"),
    ] {
        let (status, body) = mark(manager.clone(), again, typed.to_owned()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{typed}: {body}");
        assert_eq!(body["field"], "original", "{body}");
        assert!(body["message"].as_str().unwrap().contains(says), "{body}");
    }
    assert_eq!(mark(dev.clone(), again, original.to_string()).await.0, StatusCode::FORBIDDEN);
    assert_eq!(world.app.fingerprint().await, before);

    // Marked: its line is rejected as a duplicate, both pages link the other, and a duplicate
    // of the duplicate points at the original.
    let (status, body) = mark(manager.clone(), again, format!("#{original}")).await;
    assert_eq!((status, body), (StatusCode::OK, json!(original)));
    assert_eq!(mark(manager.clone(), third, again.to_string()).await.1, json!(original));
    let (status, body) = mark(manager.clone(), again, original.to_string()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let marked = world.json(&format!("/api/v1/patch-requests/{again}")).await;
    assert_eq!(
        (marked["status"].as_str(), marked["duplicate_of"].as_i64()),
        (Some("rejected"), Some(original)),
        "{marked}"
    );
    assert_eq!(marked["targets"][0]["reason"], format!("duplicate of #{original}"));
    let page = world.page(&eve, &format!("/patch-requests/{again}")).await;
    assert!(page.contains(&format!("A duplicate of #{original}")), "{page}");
    let page = world.page(&dev, &format!("/patch-requests/{original}")).await;
    assert!(page.contains(&format!("Duplicates: #{again} #{third}")), "{page}");

    // Its requester heard of the marking, and hears of the original's decisions from now on.
    decide(&world, &manager, original, "1.12", "approved", "", "").await;
    round(&world.app).await;
    let to_eve = subjects(&smtp.mails_to("eve@example.com"));
    assert_eq!(
        to_eve,
        [
            format!("Patch request #{again} “Memory grows until the proxy dies” decided"),
            format!("Patch request #{third} “OOM in the proxy” decided"),
            format!("Patch request #{original} “The proxy leaks memory” decided"),
        ]
    );
    // A request with an approved line travels in a release: it is not marked.
    let (status, body) = mark(manager.clone(), original, third.to_string()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let other = request(
        &world,
        &dev,
        json!({"title": "A second leak", "category": "stability", "severity": "S2", "targetLines": ["1.12"]}),
    )
    .await;
    decide(&world, &manager, other, "1.12", "approved", "", "").await;
    let (status, body) = mark(manager.clone(), other, original.to_string()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["message"].as_str().unwrap().contains("approved line"), "{body}");
}

#[tokio::test]
async fn requesters_waiting_for_a_monthly_hear_when_it_is_promoted_and_when_it_ships() {
    let smtp = SmtpServer::start().await;
    let world = World::with(with_mail(Options { demo: false, ..Options::default() }, smtp.url())).await;
    // 1 December, before 1.1's branch cut: a feature filed now waits for 1.1.0.
    world.today_is("2026-12-01").await;
    world.shipped("1.0.0", "2026-11-24").await;
    let ci = world.ci().await;
    let manager = world.person("rm", "release_manager").await;
    let dev = world.person("dev", "developer").await;
    subscribe(&world, &dev, "dev@example.com", "").await;
    let feature =
        request(&world, &dev, json!({"title": "Export the calendar as CSV", "category": "feature", "severity": "S4"}))
            .await;
    assert_eq!(world.json(&format!("/api/v1/patch-requests/{feature}")).await["deferred_to"], "1.1.0");
    world.today_is("2026-12-10").await;

    // The weekly passes all three suites; the manager promotes it to 1.1.0, which ships on the
    // 22nd: the request waiting for it hears of both.
    ci.tested("main-20261208-0200", &sha('b'), "passed").await;
    world.run_train(&manager).await;
    ci.result("main-20261208-0200", "stability", "passed").await;
    ci.result("main-20261208-0200", "performance", "passed").await;
    world.run_train(&manager).await;
    let (status, body) = world.act(&manager, url::<PromoteBuild>(), &[("build", "main-20261208-0200")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    round(&world.app).await;
    world.today_is("2026-12-22").await;
    let (status, body) = world.act(&manager, url::<MarkReleaseReleased>(), &[("name", "1.1.0")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    round(&world.app).await;
    let to_dev = smtp.mails_to("dev@example.com");
    assert_eq!(subjects(&to_dev), ["1.1.0 approved", "1.1.0 released"]);
    assert!(
        to_dev[0].body.contains("ships on Tuesday 22 December 2026, with #1 “Export the calendar as CSV”"),
        "{}",
        to_dev[0].body
    );
}

#[tokio::test]
async fn a_reclassification_tells_the_requester_and_a_withdrawal_tells_those_who_triage() {
    let smtp = SmtpServer::start().await;
    let world = World::project_with(with_mail(Options::default(), smtp.url())).await;
    let dev = world.person("dev", "developer").await;
    let manager = world.person("manager", "release_manager").await;
    subscribe(&world, &dev, "dev@example.com", "").await;
    subscribe(&world, &manager, "manager@example.com", "").await;
    let id = request(
        &world,
        &dev,
        json!({"title": "The proxy leaks memory", "category": "stability", "severity": "S3", "targetLines": ["1.12"]}),
    )
    .await;
    let id_text = id.to_string();
    let reclassify =
        [("id", id_text.as_str()), ("category", "stability"), ("severity", "S2"), ("reason", "it leaks fast")];
    assert_eq!(world.act(&manager, url::<ReclassifyPatchRequest>(), &reclassify).await.0, StatusCode::OK);
    let withdraw = [("id", id_text.as_str()), ("reason", "a config mistake, not a leak")];
    assert_eq!(world.act(&dev, url::<WithdrawPatchRequest>(), &withdraw).await.0, StatusCode::OK);
    round(&world.app).await;

    let to_dev = smtp.mails_to("dev@example.com");
    assert_eq!(subjects(&to_dev), [format!("Patch request #{id} “The proxy leaks memory” decided")]);
    assert!(
        to_dev[0].body.contains("reclassified it from stability S3 to stability S2: it leaks fast"),
        "{}",
        to_dev[0].body
    );
    let to_manager = smtp.mails_to("manager@example.com");
    assert_eq!(
        subjects(&to_manager),
        [
            format!("Patch request #{id} “The proxy leaks memory” filed"),
            format!("Patch request #{id} “The proxy leaks memory” withdrawn"),
        ]
    );
    assert!(to_manager[1].body.contains("withdrew"), "{}", to_manager[1].body);
    assert!(to_manager[1].body.contains("a config mistake, not a leak"), "{}", to_manager[1].body);
    assert_eq!(round(&world.app).await, 0, "each went out once");
}

#[tokio::test]
async fn a_bug_found_to_be_a_hole_goes_under_embargo_so_the_channel_hears_no_reason() {
    let smtp = SmtpServer::start().await;
    let chat = WebhookReceiver::start().await;
    let world = World::project_with(with_mail(Options::default(), smtp.url())).await;
    let dev = world.person("dev", "developer").await;
    let manager = world.person("manager", "release_manager").await;
    subscribe(&world, &dev, "dev@example.com", "").await;
    add_webhook(&world, &chat, "line_decided").await;
    let title = "The proxy crashes on a long header";
    let id = request(
        &world,
        &dev,
        json!({"title": title, "category": "stability", "severity": "S2", "targetLines": ["1.12"]}),
    )
    .await;
    let anonymous = world.app.client();
    assert!(world.page(&anonymous, "/patch-requests").await.contains(title), "public while it is a crash");

    let id_text = id.to_string();
    let reason = "a crafted header overflows the parser";
    let reclassify = [("id", id_text.as_str()), ("category", "security"), ("severity", "S1"), ("reason", reason)];
    assert_eq!(world.act(&manager, url::<ReclassifyPatchRequest>(), &reclassify).await.0, StatusCode::OK);
    round(&world.app).await;

    // The requester reads why; the channel learns only that something was decided.
    let to_dev = smtp.mails_to("dev@example.com");
    assert_eq!(subjects(&to_dev), [format!("Patch request #{id} “{title}” decided")]);
    assert!(to_dev[0].body.contains(&format!("to security S1 under embargo: {reason}")), "{}", to_dev[0].body);
    let posts = chat.posts();
    assert_eq!(posts.len(), 1, "one post for the reclassification");
    let text = posts[0].json()["text"].as_str().unwrap().to_owned();
    assert!(text.contains("a security fix under embargo") && text.contains("details follow"), "{text}");
    assert!(!text.contains(reason) && !text.contains(title) && !text.contains("security S1"), "{text}");
    // Public pages stop showing it; its requester still does.
    assert!(!world.page(&anonymous, "/patch-requests").await.contains(title));
    assert!(world.page(&dev, &format!("/patch-requests/{id}")).await.contains(title));
    assert_eq!(round(&world.app).await, 0, "each went out once");
}

#[tokio::test]
async fn without_javascript_the_settings_form_saves_the_boxes_ticked() {
    let world = World::project().await;
    let dev = world.person("dev", "developer").await;
    let res = dev
        .post(world.app.url(url::<SaveNotifications>()))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "text/html")
        .header("referer", world.app.url("/notifications"))
        .body("email=dev%40example.com&kinds%5B%5D=line_decided&kinds%5B%5D=end_of_life&lines%5B%5D=1.12")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND, "back to the page the form was on");
    assert!(res.headers()["location"].to_str().unwrap().contains("/notifications"));
    let (_, settings) = world.act(&dev, url::<LoadNotifications>(), &[]).await;
    assert_eq!(settings["email"], "dev@example.com", "{settings}");
    let on: Vec<&str> =
        settings["kinds"].as_array().unwrap().iter().filter(|k| k[1] == true).map(|k| k[0].as_str().unwrap()).collect();
    assert_eq!(on, ["line_decided", "end_of_life"], "{settings}");
    let followed: Vec<&str> = settings["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["following"] == true)
        .map(|l| l["line"].as_str().unwrap())
        .collect();
    assert_eq!(followed, ["1.12"], "{settings}");
    let page = world.page(&dev, "/notifications").await;
    assert!(page.contains("Mail address"), "{page}");
    let html = dev.get(world.app.url("/notifications")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(r#"name="kinds[]" value="line_decided" checked"#), "the boxes show what is saved");
}

#[tokio::test]
async fn two_servers_sending_at_once_send_each_message_once_and_a_lost_claim_is_taken_over_after_its_lease() {
    let smtp = SmtpServer::start().await;
    let chat = WebhookReceiver::start().await;
    let world = World::project_with(with_mail(Options::default(), smtp.url())).await;
    let dev = world.person("dev", "developer").await;
    let manager = world.person("manager", "release_manager").await;
    subscribe(&world, &manager, "manager@example.com", "").await;
    add_webhook(&world, &chat, "request_filed").await;
    for n in 1..=3 {
        let title = format!("Crash number {n}");
        request(
            &world,
            &dev,
            json!({"title": title, "category": "stability", "severity": "S2", "targetLines": ["1.12"]}),
        )
        .await;
    }
    let second = TestApp::spawn_with(with_mail(
        Options { demo: false, database_url: Some(world.app.database_url.clone()), ..Options::default() },
        smtp.url(),
    ))
    .await;
    assert_eq!(queue_events(&world.app.state).await.unwrap(), 6, "a mail and a post per filing");
    let (a, b) = tokio::join!(send_due(&world.app.state), send_due(&second.state));
    assert_eq!(a.unwrap() + b.unwrap(), 6, "between them, every message once");
    assert_eq!(smtp.mails_to("manager@example.com").len(), 3);
    let deliveries: std::collections::BTreeSet<String> =
        chat.posts().iter().map(|p| p.header("x-trainyard-delivery")).collect();
    assert_eq!((chat.posts().len(), deliveries.len()), (3, 3));

    // A sender that claims a message and dies holds it for its lease; then another sends it.
    request(
        &world,
        &dev,
        json!({"title": "Crash number 4", "category": "stability", "severity": "S2", "targetLines": ["1.12"]}),
    )
    .await;
    queue_events(&world.app.state).await.unwrap();
    let now = world.app.state.clock.now();
    let due = store::list_due(world.app.state.db.reader(), now, 10).await.unwrap();
    assert_eq!(due.len(), 2, "the fourth filing's mail and post");
    let mut tx = world.app.state.db.begin_quiet_write().await.unwrap();
    assert!(store::claim(&mut tx, due[0].id, now, now + chrono::Duration::minutes(5)).await.unwrap());
    tx.commit().await.unwrap();
    assert_eq!(send_due(&second.state).await.unwrap(), 1, "only the unclaimed one");
    second.clock.set(now + chrono::Duration::minutes(4));
    assert_eq!(send_due(&second.state).await.unwrap(), 0, "the lease still holds");
    second.clock.set(now + chrono::Duration::minutes(6));
    assert_eq!(send_due(&second.state).await.unwrap(), 1, "taken over once the lease ran out");
    assert_eq!(send_due(&second.state).await.unwrap() + send_due(&world.app.state).await.unwrap(), 0);
    assert_eq!(smtp.mails_to("manager@example.com").len(), 4);
    assert_eq!(chat.posts().len(), 4);
}

#[tokio::test]
async fn a_webhook_revoked_with_messages_waiting_gets_none_of_them() {
    let chat = WebhookReceiver::start().await;
    chat.fail_with(&[500]);
    let world = World::project().await;
    let dev = world.person("dev", "developer").await;
    add_webhook(&world, &chat, "request_filed").await;
    request(
        &world,
        &dev,
        json!({"title": "A crash", "category": "stability", "severity": "S2", "targetLines": ["1.12"]}),
    )
    .await;
    assert_eq!(round(&world.app).await, 0, "the receiver failed");
    assert_eq!(chat.posts().len(), 1);
    let (_, settings) = world.act(&world.admin, url::<LoadNotifications>(), &[]).await;
    let hook = &settings["webhooks"][0];
    assert_eq!((hook["waiting"].as_i64(), hook["sent"].as_i64()), (Some(1), Some(0)), "{settings}");
    let id = hook["id"].as_i64().unwrap().to_string();
    assert_eq!(world.act(&world.admin, url::<RevokeWebhook>(), &[("id", &id)]).await.0, StatusCode::OK);
    world.app.clock.advance(chrono::Duration::hours(2));
    assert_eq!(round(&world.app).await, 0);
    assert_eq!(chat.posts().len(), 1, "nothing more reached the revoked receiver");
    let (_, settings) = world.act(&world.admin, url::<LoadNotifications>(), &[]).await;
    let hook = &settings["webhooks"][0];
    assert_eq!((hook["waiting"].as_i64(), hook["failed"].as_i64()), (Some(0), Some(1)), "{settings}");
    assert!(hook["last_error"].as_str().unwrap().contains("revoked"), "{settings}");
}
