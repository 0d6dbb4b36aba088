//! The GitHub boundary: one place owns octocrab (base URL, token, timeouts), speaks the
//! releases and git-refs API, turns GitHub's answers into ours, and classifies its failures.
//!
//! octocrab's own retries are compiled out (its `retry` feature is off): it would resend a
//! POST at once on any 5xx, which can create a release twice. The outbox in
//! publishing outbox retries instead, idempotently and with backoff. Raw responses are
//! read here so rate-limit headers and non-JSON (HTML) error pages are never lost.

use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, TimeZone, Utc};
use http::{HeaderMap, StatusCode};
use http_body_util::BodyExt;
use octocrab::Octocrab;
use serde::{Deserialize, Serialize};

use super::settings::GitHubSettings;

/// How a GitHub call failed, which decides what the outbox does next.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GitHubError {
    /// Worth retrying: 5xx (JSON or HTML), timeouts, dropped connections. The outcome of a
    /// write is unknown, so the next attempt looks before it writes.
    #[error("GitHub did not answer properly ({0}); will retry")]
    Transient(String),
    /// A primary or secondary rate limit; try again after `wait`.
    #[error("GitHub's rate limit was reached; retrying in {} s", .wait.as_secs())]
    RateLimited { wait: Duration },
    /// The token is missing, wrong or lacks access to the repository (401/403/404).
    #[error("GitHub refused access ({status}): {message}")]
    Access { status: u16, message: String },
    /// GitHub rejected the request itself (422 other than "already exists").
    #[error("GitHub rejected the request: {0}")]
    Rejected(String),
}

impl GitHubError {
    pub fn is_permanent(&self) -> bool {
        matches!(self, Self::Access { .. } | Self::Rejected(_))
    }
}

/// A GitHub release as we need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GhRelease {
    pub id: i64,
    pub tag_name: String,
    pub html_url: String,
    #[serde(default)]
    pub draft: bool,
    #[serde(default)]
    pub prerelease: bool,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub published_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
}

/// A tag and the commit it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GhTag {
    pub name: String,
    pub sha: String,
}

/// One page of a list, and whether GitHub says another follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListPage<T> {
    pub items: Vec<T>,
    pub more: bool,
}

/// Items per page of a list: GitHub's largest.
pub const PER_PAGE: usize = 100;

/// A pull request as cherry-pick tracking reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GhPull {
    /// `open` or `closed`.
    pub open: bool,
    pub merged: bool,
    pub merged_at: Option<DateTime<Utc>>,
    pub merge_commit_sha: Option<String>,
    /// The branch it merges into.
    pub base_ref: String,
}

/// What is sent to create or update a release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseRequest {
    pub tag_name: String,
    pub target_commitish: String,
    pub name: String,
    pub body: String,
    pub draft: bool,
    pub prerelease: bool,
    /// "true" or "false", as GitHub wants it.
    pub make_latest: String,
}

/// Timeouts and waits; tests shorten them.
#[derive(Debug, Clone, Copy)]
pub struct GitHubTimeouts {
    pub connect: Duration,
    pub read: Duration,
    /// The whole call, whatever the sockets do.
    pub total: Duration,
    /// Wait after a secondary rate limit that names no time (GitHub asks for at least 60 s).
    pub secondary_wait: Duration,
}

impl Default for GitHubTimeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(5),
            read: Duration::from_secs(15),
            total: Duration::from_secs(30),
            secondary_wait: Duration::from_secs(60),
        }
    }
}

/// A client for one repository; `None` inside means "dry run" (no token or no repository).
#[derive(Clone)]
pub struct GitHub {
    client: Option<(Octocrab, String, String)>,
    timeouts: GitHubTimeouts,
}

impl std::fmt::Debug for GitHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitHub").field("configured", &self.client.is_some()).finish()
    }
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl GitHub {
    /// Builds the client; without a token or a repository it only does dry runs.
    pub fn new(settings: &GitHubSettings, timeouts: GitHubTimeouts) -> Result<Self, String> {
        let (Some(token), Some((owner, repo))) = (settings.token.as_ref(), settings.repo.as_ref()) else {
            return Ok(Self { client: None, timeouts });
        };
        let client = Octocrab::builder()
            .base_uri(settings.api_url.as_str())
            .map_err(|e| format!("TRAINYARD_GITHUB_API_URL is not a URL: {e}"))?
            .personal_token(token.expose().to_owned())
            .add_header(http::HeaderName::from_static("x-github-api-version"), "2022-11-28".into())
            .set_connect_timeout(Some(timeouts.connect))
            .set_read_timeout(Some(timeouts.read))
            .set_write_timeout(Some(timeouts.read))
            .build()
            .map_err(|e| format!("could not build the GitHub client: {e}"))?;
        Ok(Self { client: Some((client, owner.clone(), repo.clone())), timeouts })
    }

    /// A client that never calls GitHub.
    pub fn dry_run() -> Self {
        Self { client: None, timeouts: GitHubTimeouts::default() }
    }

    pub fn is_configured(&self) -> bool {
        self.client.is_some()
    }

    /// `owner/name`, when configured.
    pub fn repository(&self) -> Option<String> {
        self.client.as_ref().map(|(_, o, r)| format!("{o}/{r}"))
    }

    fn parts(&self) -> Result<&(Octocrab, String, String), GitHubError> {
        self.client
            .as_ref()
            .ok_or_else(|| GitHubError::Access { status: 0, message: "no GitHub token or repository is set".into() })
    }

    async fn send(&self, method: &str, path: &str, body: Option<&serde_json::Value>) -> Result<Answer, GitHubError> {
        let (client, ..) = self.parts()?;
        let call = async {
            let response = match method {
                "GET" => client._get(path).await,
                "POST" => client._post(path, body).await,
                "PATCH" => client._patch(path, body).await,
                _ => unreachable!("only GET, POST and PATCH are used"),
            }
            .map_err(|e| GitHubError::Transient(describe(&e)))?;
            let (parts, body) = response.into_parts();
            let body = body.collect().await.map_err(|e| GitHubError::Transient(describe(&e)))?.to_bytes();
            Ok(Answer { status: parts.status, headers: parts.headers, body })
        };
        match tokio::time::timeout(self.timeouts.total, call).await {
            Ok(answer) => answer,
            Err(_) => Err(GitHubError::Transient(format!("no answer within {} s", self.timeouts.total.as_secs()))),
        }
    }

    /// The commit a tag points at, if the tag exists.
    pub async fn find_tag(&self, tag: &str) -> Result<Option<String>, GitHubError> {
        let (_, owner, repo) = self.parts()?;
        let answer = self.send("GET", &format!("/repos/{owner}/{repo}/git/ref/tags/{tag}"), None).await?;
        match answer.status {
            StatusCode::OK => {
                #[derive(Deserialize)]
                struct Object {
                    sha: String,
                }
                #[derive(Deserialize)]
                struct Ref {
                    object: Object,
                }
                let found: Ref = parse(&answer)?;
                Ok(Some(found.object.sha))
            }
            StatusCode::NOT_FOUND => Ok(None),
            _ => Err(self.classify(&answer)),
        }
    }

    /// Creates `refs/tags/{tag}` at `sha`; an existing tag is not an error (the caller checks
    /// where it points).
    pub async fn create_tag(&self, tag: &str, sha: &str) -> Result<(), GitHubError> {
        let (_, owner, repo) = self.parts()?;
        let body = serde_json::json!({ "ref": format!("refs/tags/{tag}"), "sha": sha });
        let answer = self.send("POST", &format!("/repos/{owner}/{repo}/git/refs"), Some(&body)).await?;
        match answer.status {
            StatusCode::CREATED => Ok(()),
            StatusCode::UNPROCESSABLE_ENTITY if message_of(&answer).to_lowercase().contains("already exists") => Ok(()),
            _ => Err(self.classify(&answer)),
        }
    }

    /// Finds the release of a tag by listing releases, because "get by tag" does not see
    /// drafts (and a half-finished earlier attempt may have left one).
    pub async fn find_release(&self, tag: &str) -> Result<Option<GhRelease>, GitHubError> {
        let (_, owner, repo) = self.parts()?;
        for page in 1..=10 {
            let answer =
                self.send("GET", &format!("/repos/{owner}/{repo}/releases?per_page=100&page={page}"), None).await?;
            if answer.status != StatusCode::OK {
                return Err(self.classify(&answer));
            }
            let releases: Vec<GhRelease> = parse(&answer)?;
            if let Some(found) = releases.iter().find(|r| r.tag_name == tag) {
                return Ok(Some(found.clone()));
            }
            if releases.len() < 100 {
                break;
            }
        }
        Ok(None)
    }

    /// Creates the release; `Ok(None)` when GitHub says it exists already (find it instead).
    pub async fn create_release(&self, request: &ReleaseRequest) -> Result<Option<GhRelease>, GitHubError> {
        let (_, owner, repo) = self.parts()?;
        let body = serde_json::to_value(request).map_err(|e| GitHubError::Rejected(e.to_string()))?;
        let answer = self.send("POST", &format!("/repos/{owner}/{repo}/releases"), Some(&body)).await?;
        match answer.status {
            StatusCode::CREATED => parse(&answer).map(Some),
            StatusCode::UNPROCESSABLE_ENTITY if is_already_exists(&answer) => Ok(None),
            _ => Err(self.classify(&answer)),
        }
    }

    /// Brings an existing release (perhaps a leftover draft) in line with the request.
    pub async fn update_release(&self, id: i64, request: &ReleaseRequest) -> Result<GhRelease, GitHubError> {
        let (_, owner, repo) = self.parts()?;
        let body = serde_json::to_value(request).map_err(|e| GitHubError::Rejected(e.to_string()))?;
        let answer = self.send("PATCH", &format!("/repos/{owner}/{repo}/releases/{id}"), Some(&body)).await?;
        match answer.status {
            StatusCode::OK => parse(&answer),
            _ => Err(self.classify(&answer)),
        }
    }

    /// A pull request of the repository by number; `None` when there is no such one.
    pub async fn find_pull(&self, number: u64) -> Result<Option<GhPull>, GitHubError> {
        let (_, owner, repo) = self.parts()?;
        let answer = self.send("GET", &format!("/repos/{owner}/{repo}/pulls/{number}"), None).await?;
        match answer.status {
            StatusCode::OK => {
                #[derive(Deserialize)]
                struct Base {
                    #[serde(rename = "ref")]
                    name: String,
                }
                #[derive(Deserialize)]
                struct Pull {
                    state: String,
                    #[serde(default)]
                    merged: bool,
                    merged_at: Option<DateTime<Utc>>,
                    merge_commit_sha: Option<String>,
                    base: Base,
                }
                let pull: Pull = parse(&answer)?;
                Ok(Some(GhPull {
                    open: pull.state == "open",
                    merged: pull.merged || pull.merged_at.is_some(),
                    merged_at: pull.merged_at,
                    merge_commit_sha: pull.merge_commit_sha,
                    base_ref: pull.base.name,
                }))
            }
            StatusCode::NOT_FOUND => Ok(None),
            _ => Err(self.classify(&answer)),
        }
    }

    /// Page `page` (from 1) of the repository's releases, newest first, drafts included.
    pub async fn releases_page(&self, page: u32) -> Result<ListPage<GhRelease>, GitHubError> {
        let (_, owner, repo) = self.parts()?;
        let answer =
            self.send("GET", &format!("/repos/{owner}/{repo}/releases?per_page={PER_PAGE}&page={page}"), None).await?;
        self.list_page(&answer)
    }

    /// Page `page` (from 1) of the repository's tags.
    pub async fn tags_page(&self, page: u32) -> Result<ListPage<GhTag>, GitHubError> {
        #[derive(Deserialize)]
        struct Commit {
            sha: String,
        }
        #[derive(Deserialize)]
        struct Tag {
            name: String,
            commit: Commit,
        }
        let (_, owner, repo) = self.parts()?;
        let answer =
            self.send("GET", &format!("/repos/{owner}/{repo}/tags?per_page={PER_PAGE}&page={page}"), None).await?;
        let tags: ListPage<Tag> = self.list_page(&answer)?;
        Ok(ListPage {
            items: tags.items.into_iter().map(|t| GhTag { name: t.name, sha: t.commit.sha }).collect(),
            more: tags.more,
        })
    }

    /// When a commit was made (its committer's date); `None` when there is no such commit.
    pub async fn commit_date(&self, sha: &str) -> Result<Option<DateTime<Utc>>, GitHubError> {
        #[derive(Deserialize)]
        struct Person {
            date: DateTime<Utc>,
        }
        #[derive(Deserialize)]
        struct Inner {
            committer: Person,
        }
        #[derive(Deserialize)]
        struct Commit {
            commit: Inner,
        }
        let (_, owner, repo) = self.parts()?;
        let answer = self.send("GET", &format!("/repos/{owner}/{repo}/commits/{sha}"), None).await?;
        match answer.status {
            StatusCode::OK => parse::<Commit>(&answer).map(|c| Some(c.commit.committer.date)),
            StatusCode::NOT_FOUND | StatusCode::UNPROCESSABLE_ENTITY => Ok(None),
            _ => Err(self.classify(&answer)),
        }
    }

    /// A list answer: its items, and whether the `Link` header names a next page (without
    /// one, a full page may be followed by more).
    fn list_page<T: serde::de::DeserializeOwned>(&self, answer: &Answer) -> Result<ListPage<T>, GitHubError> {
        if answer.status != StatusCode::OK {
            return Err(self.classify(answer));
        }
        let items: Vec<T> = parse(answer)?;
        let link = answer.headers.get(http::header::LINK).and_then(|v| v.to_str().ok());
        let more = match link {
            Some(link) => link.split(',').any(|part| part.split(';').skip(1).any(|p| p.trim() == "rel=\"next\"")),
            None => items.len() >= PER_PAGE,
        };
        Ok(ListPage { items, more })
    }

    /// Classifies a non-success answer by its status and headers (never by message text).
    fn classify(&self, answer: &Answer) -> GitHubError {
        let header = |name: &str| {
            answer.headers.get(name).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<i64>().ok())
        };
        let status = answer.status.as_u16();
        if matches!(status, 403 | 429) {
            if let Some(seconds) = header("retry-after") {
                return GitHubError::RateLimited { wait: Duration::from_secs(seconds.max(1) as u64) };
            }
            if header("x-ratelimit-remaining") == Some(0) {
                // The reset is an absolute time on GitHub's (the real) clock.
                let reset =
                    header("x-ratelimit-reset").and_then(|r| Utc.timestamp_opt(r, 0).single()).unwrap_or_else(Utc::now);
                let seconds = (reset - Utc::now()).num_seconds().max(1);
                return GitHubError::RateLimited { wait: Duration::from_secs(seconds as u64) };
            }
            if status == 429 || message_of(answer).to_lowercase().contains("secondary rate limit") {
                return GitHubError::RateLimited { wait: self.timeouts.secondary_wait };
            }
        }
        match status {
            401 | 403 | 404 => GitHubError::Access { status, message: message_of(answer) },
            422 => GitHubError::Rejected(message_of(answer)),
            _ => GitHubError::Transient(format!("HTTP {status}")),
        }
    }
}

fn describe(e: &dyn std::fmt::Display) -> String {
    // octocrab's errors carry no secrets (the token lives in a header it never prints).
    let text = e.to_string();
    if text.len() > 200 { format!("{}…", &text[..200]) } else { text }
}

fn parse<T: serde::de::DeserializeOwned>(answer: &Answer) -> Result<T, GitHubError> {
    serde_json::from_slice(&answer.body).map_err(|e| GitHubError::Transient(format!("unexpected answer: {e}")))
}

/// GitHub's error message, or a note that the body was not JSON (an HTML error page).
fn message_of(answer: &Answer) -> String {
    #[derive(Deserialize)]
    struct Body {
        message: Option<String>,
    }
    match serde_json::from_slice::<Body>(&answer.body) {
        Ok(Body { message: Some(m) }) => m.chars().take(300).collect(),
        _ => format!("HTTP {} without a JSON body", answer.status.as_u16()),
    }
}

/// `422` with `errors[].code == "already_exists"` on `tag_name`: a release for this tag exists.
fn is_already_exists(answer: &Answer) -> bool {
    #[derive(Deserialize)]
    struct Item {
        code: Option<String>,
        field: Option<String>,
    }
    #[derive(Deserialize)]
    struct Body {
        errors: Option<Vec<Item>>,
    }
    serde_json::from_slice::<Body>(&answer.body).ok().and_then(|b| b.errors).is_some_and(|errors| {
        errors
            .iter()
            .any(|e| e.code.as_deref() == Some("already_exists") && e.field.as_deref().is_none_or(|f| f == "tag_name"))
    })
}
