//! Operations that race: each service checks its rule on what it read, then again inside its
//! write, so two people acting on the same requests at the same moment never leave a state that
//! breaks a rule, whichever lands first. Each race is run several times through real HTTP, with
//! both requests sent together.

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use trainyard::features::patch_requests::api::{
    DecidePatchRequest, MarkDuplicate, ReclassifyPatchRequest, WithdrawPatchRequest,
};

use crate::{
    harness::url,
    patch_releases::{detail, request},
    world::World,
};

/// How many times each race is run: enough for both orders and the interleaved one to occur.
const ROUNDS: usize = 12;

/// A stability S2 for line 1.12, filed by `who`.
async fn crash(world: &World, who: &Client, title: &str) -> i64 {
    request(world, who, json!({"title": title, "category": "stability", "severity": "S2", "targetLines": ["1.12"]}))
        .await
}

/// Calls a server function as `who`; the answer's status.
async fn act(world: &World, who: &Client, fn_url: &str, form: Vec<(&str, String)>) -> StatusCode {
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    world.act(who, fn_url, &form).await.0
}

async fn mark(world: &World, manager: &Client, id: i64, original: i64) -> StatusCode {
    act(world, manager, url::<MarkDuplicate>(), vec![("id", id.to_string()), ("original", original.to_string())]).await
}

async fn approve_line(world: &World, manager: &Client, id: i64) -> StatusCode {
    let form = vec![
        ("id", id.to_string()),
        ("line", "1.12".into()),
        ("decision", "approved".into()),
        ("reason", String::new()),
        ("out_of_band_on", String::new()),
    ];
    act(world, manager, url::<DecidePatchRequest>(), form).await
}

/// A refusal, never a failure: the loser of a race is told why.
fn refused(status: StatusCode) -> bool {
    status == StatusCode::CONFLICT || status == StatusCode::BAD_REQUEST
}

fn approved_lines(request: &Value) -> usize {
    request["targets"].as_array().unwrap().iter().filter(|t| t["decision"] == "approved").count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_requests_marked_duplicates_of_each_other_at_once_never_make_a_cycle() {
    let world = World::project().await;
    let dev = world.person("dev", "developer").await;
    let manager = world.person("manager", "release_manager").await;
    for round in 0..ROUNDS {
        let a = crash(&world, &dev, &format!("The proxy leaks memory ({round})")).await;
        let b = crash(&world, &dev, &format!("Memory grows until the proxy dies ({round})")).await;
        let (ab, ba) = tokio::join!(mark(&world, &manager, a, b), mark(&world, &manager, b, a));
        let (a_now, b_now) = (detail(&world, &dev, a).await, detail(&world, &dev, b).await);
        match (ab, ba) {
            (StatusCode::OK, other) => {
                assert!(refused(other), "round {round}: the second marking is refused, not {other}");
                assert_eq!((a_now["duplicate_of"].as_i64(), b_now["duplicate_of"].as_i64()), (Some(b), None));
            }
            (other, StatusCode::OK) => {
                assert!(refused(other), "round {round}: the second marking is refused, not {other}");
                assert_eq!((a_now["duplicate_of"].as_i64(), b_now["duplicate_of"].as_i64()), (None, Some(a)));
            }
            answers => panic!("round {round}: exactly one marking lands, answered {answers:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_marked_a_duplicate_while_another_is_marked_its_duplicate_leaves_no_chain() {
    let world = World::project().await;
    let dev = world.person("dev", "developer").await;
    let manager = world.person("manager", "release_manager").await;
    for round in 0..ROUNDS {
        let original = crash(&world, &dev, &format!("The proxy leaks memory ({round})")).await;
        let middle = crash(&world, &dev, &format!("Memory grows ({round})")).await;
        let late = crash(&world, &dev, &format!("OOM ({round})")).await;
        let (first, second) =
            tokio::join!(mark(&world, &manager, middle, original), mark(&world, &manager, late, middle));
        assert_eq!((first, second), (StatusCode::OK, StatusCode::OK), "round {round}: both land");
        // Whichever landed first, both follow the request that is decided.
        for id in [middle, late] {
            assert_eq!(detail(&world, &dev, id).await["duplicate_of"].as_i64(), Some(original), "round {round}: #{id}");
        }
        assert_eq!(detail(&world, &dev, original).await["duplicate_of"], Value::Null);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_withdrawal_racing_an_approval_never_leaves_a_withdrawn_request_in_a_release() {
    let world = World::project().await;
    let dev = world.person("dev", "developer").await;
    let manager = world.person("manager", "release_manager").await;
    for round in 0..ROUNDS {
        let id = crash(&world, &dev, &format!("A crash on reload ({round})")).await;
        let withdraw = act(
            &world,
            &dev,
            url::<WithdrawPatchRequest>(),
            vec![("id", id.to_string()), ("reason", "fixed by a config change".into())],
        );
        let (withdrew, approval) = tokio::join!(withdraw, approve_line(&world, &manager, id));
        // An approved line that no release has settled does not stop a withdrawal; an approval
        // that comes after it is refused.
        assert_eq!(withdrew, StatusCode::OK, "round {round}");
        assert!(approval == StatusCode::OK || refused(approval), "round {round}: {approval}");
        let now = detail(&world, &dev, id).await;
        assert_eq!(now["status"], "withdrawn", "round {round}: {now}");
        assert_eq!(approved_lines(&now), 0, "round {round}: a withdrawn request travels in no release: {now}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reclassification_as_a_feature_racing_an_approval_never_leaves_a_feature_in_a_patch() {
    let world = World::project().await;
    let dev = world.person("dev", "developer").await;
    let manager = world.person("manager", "release_manager").await;
    let other = world.person("other", "release_manager").await;
    for round in 0..ROUNDS {
        let id = crash(&world, &dev, &format!("A new flag ({round})")).await;
        let form = vec![
            ("id", id.to_string()),
            ("category", "feature".into()),
            ("severity", "S3".into()),
            ("reason", "an option, not a bug".into()),
        ];
        let reclassify = act(&world, &other, url::<ReclassifyPatchRequest>(), form);
        let (reclassified, approval) = tokio::join!(reclassify, approve_line(&world, &manager, id));
        let now = detail(&world, &dev, id).await;
        match now["category"].as_str() {
            Some("feature") => {
                assert_eq!(reclassified, StatusCode::OK, "round {round}");
                assert!(refused(approval), "round {round}: the approval is refused, not {approval}");
                assert_eq!(approved_lines(&now), 0, "round {round}: a feature waits for the monthly: {now}");
                assert_eq!(now["status"], "deferred", "round {round}: {now}");
            }
            _ => {
                assert_eq!(approval, StatusCode::OK, "round {round}");
                assert!(refused(reclassified), "round {round}: the reclassification is refused, not {reclassified}");
                assert_eq!(approved_lines(&now), 1, "round {round}: {now}");
            }
        }
    }
}
