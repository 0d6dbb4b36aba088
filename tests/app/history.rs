//! Bringing history in with the real `trainyard import` command against a server's database
//! file: from the fake GitHub (hundreds of releases over several pages, a rate limit and a
//! failure on the way) and from an endoflife.date file; a second run changes nothing.

use std::process::{Command, Output};

use chrono::{Days, Months, NaiveDate};
use serde_json::Value;

use trainyard::features::shipping::api::SetLineEol;

use crate::{
    fake_github::{FakeGitHub, Fault, REPO, TOKEN},
    harness::{NOW, soon, url},
    world::World,
};

/// Runs `trainyard import …` against the world's database, on the tests' day (without blocking
/// the runtime that serves the fake GitHub).
async fn import(world: &World, github: Option<&FakeGitHub>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_trainyard"));
    command
        .arg("import")
        .args(args)
        .env("TRAINYARD_DATABASE_URL", &world.app.database_url)
        .env("TRAINYARD_NOW", NOW)
        .env("TRAINYARD_LOG", "warn");
    if let Some(fake) = github {
        command.env("TRAINYARD_GITHUB_TOKEN", TOKEN).env("TRAINYARD_GITHUB_API_URL", fake.url());
    }
    tokio::task::spawn_blocking(move || command.output()).await.unwrap().expect("the command line runs")
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "the import succeeded: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A distinct commit for each number, telling them apart from the first character.
fn sha(n: u32) -> String {
    format!("{n:08x}{}", "c".repeat(32))
}

/// A project with 29 monthly lines since July 2024 (`1.0` … `1.28`), each with six patches
/// three days apart and a release candidate; a draft, two releases that are not versions, a
/// patch of a line that has no `X.Y.0`, a version tagged without a release and a stray tag.
fn seed(fake: &FakeGitHub) {
    let start = NaiveDate::from_ymd_opt(2024, 7, 1).unwrap();
    for i in 0..29u32 {
        let day = start + Months::new(i);
        let at = |d: NaiveDate| format!("{d}T12:00:00Z");
        fake.add_release(&format!("v1.{i}.0-rc.1"), &at(day - Days::new(7)), &sha(i * 100 + 99), false, true);
        fake.add_release(&format!("v1.{i}.0"), &at(day), &sha(i * 100), false, false);
        for k in 1..=6u32 {
            fake.add_release(
                &format!("v1.{i}.{k}"),
                &at(day + Days::new(3 * u64::from(k))),
                &sha(i * 100 + k),
                false,
                false,
            );
        }
    }
    fake.add_release("v1.29.0", "2026-11-20T12:00:00Z", &sha(2900), true, false);
    fake.add_release("nightly-2026-11-01", "2026-11-01T02:00:00Z", &sha(9001), false, false);
    fake.add_release("latest", "2026-11-02T02:00:00Z", &sha(9002), false, false);
    fake.add_release("v0.9.3", "2024-01-15T12:00:00Z", &sha(9003), false, false);
    fake.add_tag("v1.28.7", &sha(2807), "2026-11-25T09:30:00Z");
    fake.add_tag("old-stuff", &sha(9004), "2023-01-01T00:00:00Z");
}

#[tokio::test]
async fn a_github_history_over_several_pages_becomes_releases_once() {
    let fake = FakeGitHub::start().await;
    seed(&fake);
    let world = World::new().await;
    let repo = REPO;

    // A dry run prints what would change and changes nothing.
    let before = world.app.fingerprint().await;
    let dry = stdout(&import(&world, Some(&fake), &["github", repo, "--dry-run"]).await);
    assert!(dry.contains("would add 1.0.0 released 2024-07-01"), "{dry}");
    assert!(dry.trim_end().ends_with("(dry run: nothing changed)"), "{dry}");
    assert_eq!(world.app.fingerprint().await, before, "the dry run wrote nothing");

    // GitHub's rate limit on a page of releases and a failure on the tags are waited out.
    fake.fail_next("list_releases", Fault::PrimaryLimit(1));
    fake.fail_next("list_tags", Fault::Json5xx(502));
    let calls_before = fake.calls("list_releases");
    let report = stdout(&import(&world, Some(&fake), &["github", repo]).await);
    assert_eq!(fake.calls("list_releases") - calls_before, 4, "three pages of releases, one of them asked twice");
    let last = report.lines().last().unwrap();
    assert_eq!(last, "204 releases and 0 ends of life recorded, 34 skipped, 0 recorded already", "{report}");
    for line in [
        "added 1.0.0 released 2024-07-01 at 00000000cccc",
        "added 1.28.7 released 2026-11-25 at 00000af7cccc",
        "skipped v1.3.0-rc.1: a pre-release: the train records releases only",
        "skipped v1.29.0: a draft, never released",
        "skipped latest: not a version: ",
        "skipped v0.9.3: its line's 0.9.0 is neither recorded nor among the releases",
        "skipped old-stuff: not a version: ",
    ] {
        assert!(report.contains(line), "{line:?} in {report}");
    }

    // The running server sees them: the lines, their latest patches and the dates.
    let line = |cycle: &'static str| {
        let app = &world.app;
        async move { app.get_json(&format!("/api/v1/releases/{cycle}")).await }
    };
    let (status, newest) = soon(|| line("1.28"), |(status, _)| *status == 200).await;
    assert_eq!(status, 200, "{newest}");
    assert_eq!(newest["result"]["latest"]["name"], "1.28.7");
    assert_eq!(newest["result"]["releaseDate"], "2026-11-01");
    let (_, old) = line("1.0").await;
    assert_eq!(old["result"]["latest"]["name"], "1.0.6");
    assert_eq!(old["result"]["isEol"], true, "{old}");
    let (_, all) = world.app.get_json("/api/v1/releases?per_page=100").await;
    let cycles: Vec<&str> = all["result"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert!(cycles.contains(&"1.0") && !cycles.contains(&"0.9"), "{cycles:?}");

    // A second run finds everything recorded: nothing changes, and no commit is looked up again.
    let after = world.app.fingerprint().await;
    let again = stdout(&import(&world, Some(&fake), &["github", repo]).await);
    assert_eq!(
        again.lines().last().unwrap(),
        "0 releases and 0 ends of life recorded, 34 skipped, 204 recorded already"
    );
    assert_eq!(world.app.fingerprint().await, after, "the second run wrote nothing");
    assert_eq!(fake.calls("get_commit"), 2, "the one tag without a release, looked up by the dry run and the import");
}

#[tokio::test]
async fn an_import_refuses_a_bad_repository_a_missing_token_or_no_access_and_changes_nothing() {
    let fake = FakeGitHub::start().await;
    let world = World::new().await;
    let before = world.app.fingerprint().await;
    for bad in ["not-a-repository", "owner/name?page=2", "owner/../x"] {
        let refused = import(&world, Some(&fake), &["github", bad]).await;
        assert!(!refused.status.success(), "{bad}");
        assert!(String::from_utf8_lossy(&refused.stderr).contains("write it owner/name"), "{bad}");
    }
    let tokenless = import(&world, None, &["github", REPO]).await;
    assert!(String::from_utf8_lossy(&tokenless.stderr).contains("TRAINYARD_GITHUB_TOKEN"));
    fake.fail_next("list_releases", Fault::Status(404));
    let unknown = import(&world, Some(&fake), &["github", REPO]).await;
    assert!(!unknown.status.success());
    let said = String::from_utf8_lossy(&unknown.stderr);
    assert!(said.contains("reading page 1 of the releases: GitHub refused access (404)"), "{said}");
    assert_eq!(world.app.fingerprint().await, before);
}

/// An endoflife.date product answer for Istio-like lines relative to the tests' day.
fn product_file(dir: &std::path::Path, releases: &str) -> String {
    let path = dir.join("istio.json");
    let body = format!(
        r#"{{"schema_version": "1.2.0", "generated_at": "2026-11-26T00:00:00+00:00", "result": {{
            "name": "istio", "label": "Istio", "category": "app", "releases": [{releases}]}}}}"#
    );
    std::fs::write(&path, body).unwrap();
    path.display().to_string()
}

const RELEASES: &str = r#"
    {"name": "1.12", "codename": null, "label": "1.12", "releaseDate": "2026-11-24", "isLts": false,
     "isEol": false, "eolFrom": null, "isMaintained": true, "latest": {"name": "1.12.0", "date": "2026-11-24", "link": null}},
    {"name": "1.11", "releaseDate": "2026-10-27", "isEol": false, "eolFrom": "2027-02-02", "isMaintained": true,
     "latest": {"name": "1.11.1", "date": "2026-11-10", "link": "https://istio.io/news/releases/1.11.1"}},
    {"name": "1.10", "releaseDate": "2026-09-22", "isEol": true, "eolFrom": "2026-11-20", "isMaintained": false,
     "latest": {"name": "1.10.4", "date": "2026-11-03", "link": null}}
"#;

#[tokio::test]
async fn an_endoflife_file_brings_lines_latest_patches_and_confirmed_ends() {
    let world = World::new().await;
    let dir = tempfile::tempdir().unwrap();

    // A malformed file changes nothing and says where it is wrong.
    let before = world.app.fingerprint().await;
    let broken = product_file(dir.path(), &RELEASES.replace("\"2026-10-27\"", "\"27 Oct 2026\""));
    let refused = import(&world, None, &["endoflife", &broken]).await;
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("is wrong at result.releases[1].releaseDate: “27 Oct 2026” is not a date"), "{said}");
    let mistyped = product_file(dir.path(), &RELEASES.replace("\"isEol\": true", "\"isEol\": \"yes\""));
    let said = String::from_utf8_lossy(&import(&world, None, &["endoflife", &mistyped]).await.stderr).into_owned();
    assert!(said.contains("is wrong at result.releases[2].isEol"), "{said}");
    assert_eq!(world.app.fingerprint().await, before, "nothing was imported");

    let file = product_file(dir.path(), RELEASES);
    let dry = stdout(&import(&world, None, &["endoflife", &file, "--dry-run"]).await);
    assert!(dry.contains("would set 1.10's end of life to 2026-11-20 (endoflife.date (istio) lists it)"), "{dry}");
    assert_eq!(world.app.fingerprint().await, before, "the dry run wrote nothing");

    let report = stdout(&import(&world, None, &["endoflife", &file]).await);
    assert_eq!(report.lines().last().unwrap(), "5 releases and 2 ends of life recorded, 0 skipped, 0 recorded already");
    let (_, ended) = soon(
        || async { world.app.get_json("/api/v1/releases/1.10").await },
        |(_, body)| body["result"]["isEol"] == true,
    )
    .await;
    assert_eq!(
        (&ended["result"]["eolFrom"], &ended["result"]["eolExpected"], &ended["result"]["latest"]["name"]),
        (&Value::from("2026-11-20"), &Value::from(false), &Value::from("1.10.4"))
    );
    let line = world.page(&world.admin, "/releases/1.11").await;
    assert!(line.contains("Set by a release manager: endoflife.date (istio) lists it"), "{line}");
    assert!(line.contains("2 Feb 2027"), "{line}");

    let after = world.app.fingerprint().await;
    let again = stdout(&import(&world, None, &["endoflife", &file]).await);
    assert_eq!(again.lines().last().unwrap(), "0 releases and 0 ends of life recorded, 0 skipped, 7 recorded already");
    assert_eq!(world.app.fingerprint().await, after, "the second run wrote nothing");

    // A date a manager sets by hand afterwards is theirs: the next import keeps it and says so.
    let form = [("line", "1.11"), ("date", "2027-03-02"), ("note", "extended for a customer")];
    let (status, body) = world.act(&world.admin, url::<SetLineEol>(), &form).await;
    assert_eq!(status, 200, "{body}");
    let kept = world.app.fingerprint().await;
    let third = stdout(&import(&world, None, &["endoflife", &file]).await);
    assert!(
        third.contains("skipped 1.11's end of life: set by hand to 2027-03-02 (extended for a customer): kept"),
        "{third}"
    );
    assert_eq!(world.app.fingerprint().await, kept);
}
