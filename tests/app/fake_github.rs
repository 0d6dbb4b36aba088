//! A faithful fake of GitHub's releases and git-refs API on a real port, with state (tags,
//! releases by id, drafts hidden from get-by-tag, 422 `already_exists`), the fields octocrab
//! expects, fault injection, and a count of every call.

use std::{
    collections::{BTreeMap, VecDeque},
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{
    Json, Router,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, patch, post},
};
use serde_json::{Value, json};

pub const TOKEN: &str = "ghp_test_token_never_shown";
pub const REPO: &str = "example/trainyard";

/// A failure to inject into the next call of a route.
#[derive(Debug, Clone)]
pub enum Fault {
    /// A 5xx with GitHub's JSON error body.
    Json5xx(u16),
    /// A 502 or 504 HTML page, as GitHub's front end sends.
    Html(u16),
    /// Answer only after this long (the client should give up first).
    Stall(Duration),
    /// Do the work, then answer 502: the client never learns it succeeded.
    LostAck,
    /// Do the work, then drop the connection without any answer.
    DropConnection,
    /// 401, 403 or 404 with a message.
    Status(u16),
    /// The primary limit: 403 with remaining 0 and a reset this many seconds ahead.
    PrimaryLimit(i64),
    /// The secondary limit: 429 (or 403) with `retry-after`, or no headers at all.
    SecondaryLimit { status: u16, retry_after: Option<u64> },
}

#[derive(Default)]
struct Inner {
    refs: BTreeMap<String, String>,
    releases: Vec<Value>,
    pulls: BTreeMap<u64, Value>,
    /// Commit dates by SHA, for `GET /commits/{sha}`.
    commits: BTreeMap<String, String>,
    next_id: i64,
    calls: BTreeMap<&'static str, usize>,
    /// Creations refused because the tag or release already existed (GitHub's 422).
    duplicates: BTreeMap<&'static str, usize>,
    faults: BTreeMap<&'static str, VecDeque<Fault>>,
}

#[derive(Clone, Default)]
pub struct FakeGitHub {
    inner: Arc<Mutex<Inner>>,
    pub addr: Option<SocketAddr>,
}

impl FakeGitHub {
    pub async fn start() -> Self {
        let mut fake = Self::default();
        let (owner, repo) = REPO.split_once('/').unwrap();
        let base = format!("/repos/{owner}/{repo}");
        let app = Router::new()
            .route(&format!("{base}/git/ref/tags/{{*tag}}"), get(get_ref))
            .route(&format!("{base}/git/refs"), post(create_ref))
            .route(&format!("{base}/releases"), get(list_releases).post(create_release))
            .route(&format!("{base}/releases/tags/{{*tag}}"), get(get_release_by_tag))
            .route(&format!("{base}/releases/{{id}}"), patch(update_release))
            .route(&format!("{base}/pulls/{{number}}"), get(get_pull))
            .route(&format!("{base}/tags"), get(list_tags))
            .route(&format!("{base}/commits/{{sha}}"), get(get_commit))
            .fallback(|| async {
                (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"message": "the fake GitHub has no such route"})))
            })
            .with_state(fake.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        fake.addr = Some(listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        fake
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr.unwrap())
    }

    /// Makes the next call to `route` fail this way (calls queue up in order).
    pub fn fail_next(&self, route: &'static str, fault: Fault) {
        self.inner.lock().unwrap().faults.entry(route).or_default().push_back(fault);
    }

    pub fn calls(&self, route: &'static str) -> usize {
        self.inner.lock().unwrap().calls.get(route).copied().unwrap_or(0)
    }

    /// How many creations on `route` were refused as duplicates: an app that keeps its own
    /// record of what it sent never needs GitHub to stop a second one.
    pub fn duplicates_refused(&self, route: &'static str) -> usize {
        self.inner.lock().unwrap().duplicates.get(route).copied().unwrap_or(0)
    }

    /// Every call received, on any route.
    pub fn total_calls(&self) -> usize {
        self.inner.lock().unwrap().calls.values().sum()
    }

    /// Forgets everything, for the next case of a property test.
    pub fn reset(&self) {
        let mut inner = self.inner.lock().unwrap();
        inner.refs.clear();
        inner.releases.clear();
        inner.pulls.clear();
        inner.commits.clear();
        inner.calls.clear();
        inner.duplicates.clear();
        inner.faults.clear();
    }

    /// Every release, drafts included, oldest first.
    pub fn all_releases(&self) -> Vec<Value> {
        self.inner.lock().unwrap().releases.clone()
    }

    /// The releases of a tag, drafts included.
    pub fn releases_of(&self, tag: &str) -> Vec<Value> {
        self.inner.lock().unwrap().releases.iter().filter(|r| r["tag_name"] == tag).cloned().collect()
    }

    pub fn tag(&self, tag: &str) -> Option<String> {
        self.inner.lock().unwrap().refs.get(tag).cloned()
    }

    /// Opens pull request `number` against `base`; returns its web address.
    pub fn open_pull(&self, number: u64, base: &str) -> String {
        let html_url = format!("https://github.com/{REPO}/pull/{number}");
        let pull = json!({
            "url": format!("https://api.github.com/repos/{REPO}/pulls/{number}"),
            "id": number,
            "number": number,
            "html_url": html_url,
            "state": "open",
            "merged": false,
            "merged_at": null,
            "merge_commit_sha": null,
            "base": {"ref": base, "sha": "0000000000000000000000000000000000000000"},
            "head": {"ref": format!("cherry-pick-{number}"), "sha": "1111111111111111111111111111111111111111"},
        });
        self.inner.lock().unwrap().pulls.insert(number, pull);
        html_url
    }

    /// Merges pull request `number` at `at` as commit `sha`.
    pub fn merge_pull(&self, number: u64, at: &str, sha: &str) {
        let mut inner = self.inner.lock().unwrap();
        let pull = inner.pulls.get_mut(&number).expect("an opened pull request");
        pull["state"] = json!("closed");
        pull["merged"] = json!(true);
        pull["merged_at"] = json!(at);
        pull["merge_commit_sha"] = json!(sha);
    }

    /// A release as a project made it before: its tag at `sha` (committed at `at`), published
    /// at `at` unless a draft.
    pub fn add_release(&self, tag: &str, at: &str, sha: &str, draft: bool, prerelease: bool) {
        self.add_tag(tag, sha, at);
        let mut inner = self.inner.lock().unwrap();
        let mut release = release_json(&mut inner, tag, "main", tag, "", draft, prerelease);
        release["created_at"] = json!(at);
        release["published_at"] = if draft { Value::Null } else { json!(at) };
        inner.releases.push(release);
    }

    /// A tag at `sha`, a commit made at `at`.
    pub fn add_tag(&self, tag: &str, sha: &str, at: &str) {
        let mut inner = self.inner.lock().unwrap();
        inner.refs.insert(tag.to_owned(), sha.to_owned());
        inner.commits.insert(sha.to_owned(), at.to_owned());
    }

    /// Leaves a draft behind, as an interrupted earlier attempt would.
    pub fn add_draft(&self, tag: &str) {
        let mut inner = self.inner.lock().unwrap();
        let release = release_json(&mut inner, tag, "main", "draft", "", true, false);
        inner.releases.push(release);
    }
}

fn release_json(
    inner: &mut Inner,
    tag: &str,
    target: &str,
    name: &str,
    body: &str,
    draft: bool,
    prerelease: bool,
) -> Value {
    inner.next_id += 1;
    let id = inner.next_id;
    json!({
        "url": format!("https://api.github.com/repos/{REPO}/releases/{id}"),
        "html_url": format!("https://github.com/{REPO}/releases/tag/{tag}"),
        "assets_url": format!("https://api.github.com/repos/{REPO}/releases/{id}/assets"),
        "upload_url": format!("https://uploads.github.com/repos/{REPO}/releases/{id}/assets{{?name,label}}"),
        "id": id,
        "node_id": format!("RE_{id}"),
        "tag_name": tag,
        "target_commitish": target,
        "name": name,
        "body": body,
        "draft": draft,
        "prerelease": prerelease,
        "make_latest": "true",
        "created_at": "2026-11-26T10:00:00Z",
        "published_at": if draft { Value::Null } else { json!("2026-11-26T10:00:00Z") },
        "assets": [],
    })
}

fn html(status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap();
    (
        status,
        [("content-type", "text/html")],
        "<html><body><h1>Unicorn!</h1>This page is taking too long to load.</body></html>",
    )
        .into_response()
}

fn error(status: u16, message: &str) -> Response {
    (StatusCode::from_u16(status).unwrap(), Json(json!({"message": message, "documentation_url": "https://docs.github.com/rest", "status": status.to_string()}))).into_response()
}

/// What to do with the answer after the work is done.
#[derive(PartialEq)]
enum After {
    Answer,
    Html502,
    Drop,
}

fn finish(after: After, res: Response) -> Response {
    match after {
        After::Answer => res,
        After::Html502 => html(502),
        // A panic in the handler makes the server close the connection unanswered.
        After::Drop => panic!("the fake GitHub drops this connection on purpose"),
    }
}

/// Counts the call, checks auth like GitHub, and applies an injected fault. `Err` is the
/// answer to send instead of doing the work.
async fn enter(fake: &FakeGitHub, route: &'static str, headers: &HeaderMap) -> Result<After, Response> {
    let fault = {
        let mut inner = fake.inner.lock().unwrap();
        *inner.calls.entry(route).or_default() += 1;
        inner.faults.get_mut(route).and_then(VecDeque::pop_front)
    };
    if headers.get("user-agent").is_none() {
        return Err(error(
            403,
            "Request forbidden by administrative rules. Please make sure your request has a User-Agent header",
        ));
    }
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(&format!("Bearer {TOKEN}")) {
        return Err(error(401, "Bad credentials"));
    }
    match fault {
        None => Ok(After::Answer),
        Some(Fault::Json5xx(s)) => Err(error(s, "Server Error")),
        Some(Fault::Html(s)) => Err(html(s)),
        Some(Fault::Stall(d)) => {
            tokio::time::sleep(d).await;
            Ok(After::Answer)
        }
        Some(Fault::LostAck) => Ok(After::Html502),
        Some(Fault::DropConnection) => Ok(After::Drop),
        Some(Fault::Status(s)) => Err(error(
            s,
            match s {
                401 => "Bad credentials",
                403 => "Resource not accessible by personal access token",
                _ => "Not Found",
            },
        )),
        Some(Fault::PrimaryLimit(reset_in)) => {
            let reset = chrono::Utc::now().timestamp() + reset_in;
            let mut res = error(403, "API rate limit exceeded for user ID 1.");
            let h = res.headers_mut();
            h.insert("x-ratelimit-remaining", "0".parse().unwrap());
            h.insert("x-ratelimit-limit", "5000".parse().unwrap());
            h.insert("x-ratelimit-reset", reset.to_string().parse().unwrap());
            Err(res)
        }
        Some(Fault::SecondaryLimit { status, retry_after }) => {
            let mut res = error(
                status,
                "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
            );
            if let Some(after) = retry_after {
                res.headers_mut().insert("retry-after", after.to_string().parse().unwrap());
            }
            Err(res)
        }
    }
}

async fn get_ref(State(fake): State<FakeGitHub>, headers: HeaderMap, Path(tag): Path<String>) -> Response {
    if let Err(res) = enter(&fake, "get_ref", &headers).await {
        return res;
    }
    match fake.tag(&tag) {
        Some(sha) => Json(json!({"ref": format!("refs/tags/{tag}"), "node_id": "REF_1", "url": "https://api.github.com/x", "object": {"type": "commit", "sha": sha, "url": "https://api.github.com/y"}})).into_response(),
        None => error(404, "Not Found"),
    }
}

async fn create_ref(State(fake): State<FakeGitHub>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let after = match enter(&fake, "create_ref", &headers).await {
        Ok(after) => after,
        Err(res) => return res,
    };
    let Some(tag) = body["ref"].as_str().and_then(|r| r.strip_prefix("refs/tags/")) else {
        return error(422, "Reference name is invalid");
    };
    let sha = body["sha"].as_str().unwrap_or_default().to_owned();
    {
        let mut inner = fake.inner.lock().unwrap();
        if inner.refs.contains_key(tag) {
            *inner.duplicates.entry("create_ref").or_default() += 1;
            return error(422, "Reference already exists");
        }
        inner.refs.insert(tag.to_owned(), sha.clone());
    }
    finish(after, (StatusCode::CREATED, Json(json!({"ref": format!("refs/tags/{tag}"), "node_id": "REF_1", "url": "https://api.github.com/x", "object": {"type": "commit", "sha": sha, "url": "https://api.github.com/y"}}))).into_response())
}

async fn list_releases(
    State(fake): State<FakeGitHub>,
    headers: HeaderMap,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    if let Err(res) = enter(&fake, "list_releases", &headers).await {
        return res;
    }
    let all: Vec<Value> = fake.inner.lock().unwrap().releases.iter().rev().cloned().collect();
    paged("releases", all, &q)
}

/// One page of `all`, with GitHub's `Link` header naming the next and last pages.
fn paged(list: &str, all: Vec<Value>, q: &BTreeMap<String, String>) -> Response {
    let per_page: usize = q.get("per_page").and_then(|p| p.parse().ok()).unwrap_or(30).clamp(1, 100);
    let page: usize = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1).max(1);
    let last = all.len().div_ceil(per_page).max(1);
    let items: Vec<Value> = all.into_iter().skip((page - 1) * per_page).take(per_page).collect();
    let mut res = Json(items).into_response();
    if page < last {
        let link = |n: usize| format!("<https://api.github.com/repositories/1/{list}?per_page={per_page}&page={n}>");
        let header = format!("{}; rel=\"next\", {}; rel=\"last\"", link(page + 1), link(last));
        res.headers_mut().insert("link", header.parse().unwrap());
    }
    res
}

async fn list_tags(
    State(fake): State<FakeGitHub>,
    headers: HeaderMap,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    if let Err(res) = enter(&fake, "list_tags", &headers).await {
        return res;
    }
    // Newest first, as GitHub lists them.
    let tags: Vec<Value> = fake
        .inner
        .lock()
        .unwrap()
        .refs
        .iter()
        .rev()
        .map(|(name, sha)| json!({"name": name, "commit": {"sha": sha, "url": "https://api.github.com/x"}, "zipball_url": "", "tarball_url": "", "node_id": "T"}))
        .collect();
    paged("tags", tags, &q)
}

async fn get_commit(State(fake): State<FakeGitHub>, headers: HeaderMap, Path(sha): Path<String>) -> Response {
    if let Err(res) = enter(&fake, "get_commit", &headers).await {
        return res;
    }
    match fake.inner.lock().unwrap().commits.get(&sha) {
        Some(at) => Json(json!({"sha": sha, "commit": {"author": {"name": "dev", "date": at}, "committer": {"name": "dev", "date": at}, "message": "release"}})).into_response(),
        None => error(422, "No commit found for SHA"),
    }
}

async fn get_release_by_tag(State(fake): State<FakeGitHub>, headers: HeaderMap, Path(tag): Path<String>) -> Response {
    if let Err(res) = enter(&fake, "get_release_by_tag", &headers).await {
        return res;
    }
    // Like GitHub: drafts are invisible here.
    match fake.releases_of(&tag).into_iter().find(|r| r["draft"] == false) {
        Some(r) => Json(r).into_response(),
        None => error(404, "Not Found"),
    }
}

async fn create_release(State(fake): State<FakeGitHub>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let after = match enter(&fake, "create_release", &headers).await {
        Ok(after) => after,
        Err(res) => return res,
    };
    let tag = body["tag_name"].as_str().unwrap_or_default().to_owned();
    let created = {
        let mut inner = fake.inner.lock().unwrap();
        if inner.releases.iter().any(|r| r["tag_name"] == tag) {
            *inner.duplicates.entry("create_release").or_default() += 1;
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(json!({
                    "message": "Validation Failed",
                    "errors": [{"resource": "Release", "code": "already_exists", "field": "tag_name"}],
                    "documentation_url": "https://docs.github.com/rest/releases/releases#create-a-release",
                    "status": "422"
                })),
            )
                .into_response();
        }
        let target = body["target_commitish"].as_str().unwrap_or("main").to_owned();
        inner.refs.entry(tag.clone()).or_insert(target.clone());
        let mut release = release_json(
            &mut inner,
            &tag,
            &target,
            body["name"].as_str().unwrap_or_default(),
            body["body"].as_str().unwrap_or_default(),
            body["draft"].as_bool().unwrap_or(false),
            body["prerelease"].as_bool().unwrap_or(false),
        );
        release["make_latest"] = body["make_latest"].clone();
        inner.releases.push(release.clone());
        release
    };
    finish(after, (StatusCode::CREATED, Json(created)).into_response())
}

async fn update_release(
    State(fake): State<FakeGitHub>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(body): Json<Value>,
) -> Response {
    let after = match enter(&fake, "update_release", &headers).await {
        Ok(after) => after,
        Err(res) => return res,
    };
    let updated = {
        let mut inner = fake.inner.lock().unwrap();
        let Some(release) = inner.releases.iter_mut().find(|r| r["id"] == id) else {
            return error(404, "Not Found");
        };
        for key in ["name", "body", "draft", "prerelease", "make_latest", "target_commitish"] {
            if !body[key].is_null() {
                release[key] = body[key].clone();
            }
        }
        release.clone()
    };
    finish(after, Json(updated).into_response())
}

async fn get_pull(State(fake): State<FakeGitHub>, headers: HeaderMap, Path(number): Path<u64>) -> Response {
    if let Err(res) = enter(&fake, "get_pull", &headers).await {
        return res;
    }
    match fake.inner.lock().unwrap().pulls.get(&number) {
        Some(pull) => Json(pull.clone()).into_response(),
        None => error(404, "Not Found"),
    }
}
