//! "Is my version supported?": the lookup API with its edges, the same answer in a plain GET
//! form on `/releases` (no JavaScript involved), and the end-of-life subscription.

use reqwest::StatusCode;
use serde_json::Value;

use crate::{harness::text_of, world::World};

async fn support(world: &World, query: &str) -> (u16, Value) {
    world.app.get_json(&format!("/api/v1/support?{query}")).await
}

#[tokio::test]
async fn a_line_is_supported_through_its_last_day_and_the_answer_names_where_to_move() {
    let world = World::project().await;
    // 1.9 reaches its end of life on 8 December: the 7th is its last day of support.
    let (status, last_day) = support(&world, "version=1.9.1&on=2026-12-07").await;
    assert_eq!(status, 200, "{last_day}");
    let answer = &last_day["result"];
    assert_eq!((answer["isSupported"].as_bool(), answer["cycle"].as_str()), (Some(true), Some("1.9")));
    assert_eq!(answer["reason"], "1.9 is supported until 2026-12-07; end of life on 2026-12-08");
    assert_eq!(answer["releaseDate"], "2026-09-08");
    assert_eq!(answer["latest"]["name"], "1.9.1");
    assert!(answer["moveTo"].is_null());

    let (_, ended) = support(&world, "version=1.9.1&on=2026-12-08").await;
    let answer = &ended["result"];
    assert_eq!(answer["isSupported"], false);
    assert_eq!(answer["reason"], "1.9 reaches end of life on 2026-12-08");
    assert_eq!(answer["moveTo"]["cycle"], "1.10", "the nearest line still supported: {answer}");

    // Without a day, today (26 November); a version the line never had still asks about the line.
    let (_, today) = support(&world, "version=1.11.7").await;
    assert_eq!(
        (today["result"]["on"].as_str(), today["result"]["isSupported"].as_bool()),
        (Some("2026-11-26"), Some(true))
    );
    assert!(today["result"]["releaseDate"].is_null());
}

#[tokio::test]
async fn odd_questions_get_clear_answers_and_bad_ones_name_the_bad_part() {
    let world = World::project().await;
    let (status, rc) = support(&world, "version=1.12.0-rc.1").await;
    assert_eq!(status, 200);
    assert_eq!(rc["result"]["isSupported"], false);
    assert!(rc["result"]["reason"].as_str().unwrap().contains("pre-release"));
    assert_eq!(rc["result"]["moveTo"]["cycle"], "1.12");

    // The furthest day anyone may ask about: every line known today has ended by then.
    let (status, far) = support(&world, "version=1.12.0&on=2100-12-31").await;
    assert_eq!(status, 200, "{far}");
    assert_eq!(far["result"]["isSupported"], false);
    assert!(far["result"]["moveTo"].is_null(), "{far}");

    let (status, unknown) = support(&world, "version=1.99.0").await;
    assert_eq!(status, 404);
    assert_eq!(unknown["error"]["message"], "release line 1.99 was not found");
    for (query, field, says) in [
        ("version=1.x.0", "version", "the minor number “x” is not a number"),
        ("version=", "version", "a version is required"),
        ("on=2026-12-01", "version", "say which version"),
        ("version=1.12.0&on=2101-01-01", "on", "choose a date between 2000 and 2100"),
        ("version=1.12.0&on=%2B200000-01-01", "on", "is not a date like"),
        ("version=1.12.0&on=tomorrow", "on", "is not a date like"),
    ] {
        let (status, body) = support(&world, query).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["error"]["field"], field, "{query}: {body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(says), "{query}: {message}");
    }
}

#[tokio::test]
async fn the_box_on_the_releases_page_answers_without_javascript() {
    let world = World::project().await;
    // A plain GET, as the form submits it with scripting off.
    let res = world.app.get("/releases?version=1.9.1&on=2026-12-08").await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = text_of(&res.text().await.unwrap());
    assert!(page.contains("No: 1.9.1 is not supported on 8 December 2026."), "{page}");
    assert!(page.contains("Move to 1.10"), "{page}");
    let page = world.page(&world.admin, "/releases?version=1.11.0").await;
    assert!(page.contains("Yes: 1.11.0 is supported on 26 November 2026."), "{page}");
    assert!(page.contains("The latest patch of 1.11 is 1.11.1"), "{page}");

    // A bad version is a 400 whose message stands next to the field, which keeps what was typed.
    let res = world.app.get("/releases?version=1.x&on=2026-12-08").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"value="1.x""#) && html.contains(r#"aria-invalid="true""#), "{html}");
    assert!(text_of(&html).contains("“1.x” is not a version like 1.10.2"), "{}", text_of(&html));
    let res = world.app.get("/releases?version=1.99.0").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(text_of(&res.text().await.unwrap()).contains("release line 1.99 was not found"));
}

#[tokio::test]
async fn the_end_of_life_subscription_holds_only_ends_of_life_with_the_alarms_asked_for() {
    let world = World::project().await;
    let releases = world.app.get("/releases").await.text().await.unwrap();
    let feed = "/calendar.ics?kinds=end-of-life&amp;alarms=365,182,90,30";
    assert!(releases.contains(&format!("webcal://{}{feed}", world.app.addr)), "{releases}");

    let res = world.app.get("/calendar.ics?kinds=end-of-life&alarms=365,182,90,30").await;
    assert_eq!(res.status(), StatusCode::OK);
    let ics = res.text().await.unwrap();
    let categories: Vec<&str> = ics.lines().filter(|l| l.starts_with("CATEGORIES:")).collect();
    assert!(!categories.is_empty() && categories.iter().all(|c| *c == "CATEGORIES:end-of-life"), "{categories:?}");
    let triggers: Vec<&str> = ics.lines().filter(|l| l.starts_with("TRIGGER")).take(4).collect();
    let seconds = |days: u32| format!("TRIGGER;RELATED=START:-PT{}S", days * 86_400);
    assert_eq!(triggers, [seconds(365), seconds(182), seconds(90), seconds(30)], "{ics}");
    assert!(ics.contains("end of life in a year"), "{ics}");
    // Two years ahead, where the whole feed reaches one: a year's alarm comes in time.
    let everything = world.app.get("/calendar.ics").await.text().await.unwrap();
    assert!(ics.contains("UID:end-of-life-1.22@") && !everything.contains("UID:end-of-life-1.22@"), "{ics}");

    let (status, body) = world.app.get_json("/calendar.ics?alarms=365,800").await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["field"], "alarms");
}
