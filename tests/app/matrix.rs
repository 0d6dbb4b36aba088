//! The supported-release matrix: pages and JSON API.

use crate::{harness::text_of, world::World};

/// The version cells of the matrix table, top to bottom.
fn matrix_lines(html: &str) -> Vec<String> {
    let table = html.split("<table class=\"matrix\"").nth(1).expect("matrix table");
    table
        .split("<th scope=\"row\">")
        .skip(1)
        .map(|cell| {
            let text = cell.split("</a>").next().unwrap();
            text.rsplit('>').next().unwrap().to_owned()
        })
        .collect()
}

#[tokio::test]
async fn the_matrix_lists_supported_lines_newest_first_by_semver() {
    let world = World::project().await;
    let app = &world.app;
    let res = app.get("/releases").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert_eq!(matrix_lines(&html), ["1.13", "1.12", "1.11", "1.10", "1.9"]);
    assert!(html.contains("in development") && html.contains("current"));
    assert!(html.contains("Show end-of-life lines (1)"), "the toggle counts hidden lines");
    assert!(html.contains("<svg") && html.contains("class=\"today\""), "timeline with a today line");
    assert!(html.contains("<desc id=\"timeline-desc\">"), "a text alternative");
}

#[tokio::test]
async fn end_of_life_lines_show_with_a_plain_link() {
    let world = World::project().await;
    let app = &world.app;
    let html = app.get("/releases?eol=show").await.text().await.unwrap();
    let lines = matrix_lines(&html);
    assert_eq!(lines, ["1.13", "1.12", "1.11", "1.10", "1.9", "1.8"]);
    assert!(html.contains("Hide end-of-life lines"));
}

#[tokio::test]
async fn line_and_release_pages_show_their_facts() {
    let world = World::project().await;
    let app = &world.app;
    // A security fix shipped out of band in October, after that month's patch.
    world.shipped("1.10.2", "2026-10-22").await;
    let line = app.get("/releases/1.10").await;
    assert_eq!(line.status(), 200);
    let text = text_of(&line.text().await.unwrap());
    assert!(text.contains("Release line 1.10 supported"), "{text}");
    assert!(text.contains("End of life 5 Jan 2027 (confirmed)"), "six weeks after 1.12 shipped: {text}");
    assert!(
        text.contains("Next patch 1.10.3 on 8 December 2026, cherry-picks merged by the end of 4 December 2026 (UTC)"),
        "{text}"
    );
    assert!(text.contains("1.10.2 patch, out of band released 22 Oct 2026"), "{text}");

    let release = app.get("/releases/1.10.0").await;
    assert_eq!(release.status(), 200);
    let text = text_of(&release.text().await.unwrap());
    assert!(text.contains("Kind Monthly release Date Released 22 September 2026"), "{text}");
}

#[tokio::test]
async fn unknown_and_malformed_versions_are_404_pages_in_the_layout() {
    let world = World::project().await;
    let app = &world.app;
    for path in ["/releases/9.9", "/releases/9.9.9", "/releases/banana", "/releases/1.x.0", "/no-such-page"] {
        let res = app.get(path).await;
        assert_eq!(res.status(), 404, "{path}");
        let html = res.text().await.unwrap();
        assert!(html.contains("Not found"), "{path}");
        assert!(html.contains("aria-label=\"Main\""), "{path} keeps the navigation");
    }
}

#[tokio::test]
async fn the_api_lists_lines_with_endoflife_fields_and_ours() {
    let world = World::project().await;
    let app = &world.app;
    let (status, body) = app.get_json("/api/v1/releases").await;
    assert_eq!(status, 200);
    let result = body["result"].as_array().unwrap();
    assert_eq!(body["total"], result.len());
    let names: Vec<&str> = result.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(&names[..5], ["1.13", "1.12", "1.11", "1.10", "1.9"]);

    let l110 = result.iter().find(|r| r["name"] == "1.10").unwrap();
    assert_eq!(l110["releaseDate"], "2026-09-22");
    assert_eq!(l110["isEol"], false);
    assert_eq!(l110["isMaintained"], true);
    assert_eq!(l110["eolFrom"], "2027-01-05");
    assert_eq!(l110["eolExpected"], false);
    assert_eq!(l110["status"], "supported");
    assert!(l110["latest"]["name"].as_str().unwrap().starts_with("1.10."));
    assert_eq!(l110["nextPatch"]["targetDate"], "2026-12-08");
    assert_eq!(l110["nextPatch"]["cherryPickDeadline"], "2026-12-04");

    let l111 = result.iter().find(|r| r["name"] == "1.11").unwrap();
    assert_eq!(l111["eolExpected"], true, "1.13 has not shipped");
    let l18 = result.iter().find(|r| r["name"] == "1.8").unwrap();
    assert_eq!(l18["isEol"], true);
    assert_eq!(l18["nextPatch"], serde_json::Value::Null);
}

#[tokio::test]
async fn the_api_answers_one_cycle_and_explains_bad_ones() {
    let world = World::project().await;
    let app = &world.app;
    let (status, body) = app.get_json("/api/v1/releases/1.12").await;
    assert_eq!(status, 200);
    assert_eq!(body["result"]["name"], "1.12");
    assert_eq!(body["result"]["status"], "current");

    let (status, body) = app.get_json("/api/v1/releases/9.99").await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "not_found");

    let (status, body) = app.get_json("/api/v1/releases/one.two").await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "invalid");
    assert_eq!(body["error"]["field"], "cycle");
    assert!(body["error"]["message"].as_str().unwrap().contains("one.two"));
}

#[tokio::test]
async fn support_moves_with_the_clock() {
    let world = World::project().await;
    let app = &world.app;
    // 1.9 ends on 2026-12-08, six weeks after 1.11 shipped.
    app.clock.set("2026-12-08T00:00:00Z".parse().unwrap());
    let (_, body) = app.get_json("/api/v1/releases/1.9").await;
    assert_eq!(body["result"]["isEol"], true);
    assert_eq!(body["result"]["status"], "end_of_life");
}

#[tokio::test]
async fn the_api_pages_through_every_line() {
    let world = World::project().await;
    let app = &world.app;
    let (_, all) = app.get_json("/api/v1/releases").await;
    let total = all["total"].as_u64().unwrap() as usize;
    let (status, page2) = app.get_json("/api/v1/releases?per_page=2&page=2").await;
    assert_eq!(status, 200);
    assert_eq!(page2["total"].as_u64().unwrap() as usize, total);
    let names: Vec<&str> = page2["result"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    let expected: Vec<&str> =
        all["result"].as_array().unwrap()[2..4].iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, expected);
    let (status, body) = app.get_json("/api/v1/releases?per_page=500").await;
    assert_eq!((status, body["error"]["field"].as_str()), (400, Some("per_page")));
}
