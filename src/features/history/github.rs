//! Reading a repository's whole release history through the GitHub boundary: every page of
//! releases and tags, waiting out rate limits and retrying what failed on the way.

use std::{collections::BTreeMap, collections::BTreeSet, future::Future, time::Duration};

use crate::{
    domain::{history::GitHubEntry, version::Version},
    error::AppError,
    platform::github::{GitHub, GitHubError, ListPage},
};

/// Pages read at most per list: 100,000 entries, far beyond any real project.
const MAX_PAGES: u32 = 1000;
/// Attempts at a call GitHub failed to answer properly, before the import gives up.
const ATTEMPTS: u32 = 5;
/// Rate-limit waits per call, and the longest one (GitHub's primary limit resets hourly): past
/// either, the import stops and says so rather than hang.
const MAX_WAITS: u32 = 5;
const MAX_WAIT: Duration = Duration::from_secs(3600);

/// Every release and every tag of the repository as entries: a release dated when it was
/// published, with its tag's commit; a tag without a release dated by its commit (looked up
/// only for tags that name a version not recorded yet).
pub async fn read_history(github: &GitHub, known: &BTreeSet<Version>) -> Result<Vec<GitHubEntry>, AppError> {
    let releases = every_page("the releases", |page| github.releases_page(page)).await?;
    let tags = every_page("the tags", |page| github.tags_page(page)).await?;
    let commits: BTreeMap<&str, &str> = tags.iter().map(|t| (t.name.as_str(), t.sha.as_str())).collect();
    let mut entries: Vec<GitHubEntry> = releases
        .iter()
        .map(|r| GitHubEntry {
            tag: r.tag_name.clone(),
            date: r.published_at.or(r.created_at).map(|at| at.date_naive()),
            commit: commits.get(r.tag_name.as_str()).map(|sha| (*sha).to_owned()),
            draft: r.draft,
            prerelease: r.prerelease,
        })
        .collect();
    let released: BTreeSet<&str> = releases.iter().map(|r| r.tag_name.as_str()).collect();
    for tag in tags.iter().filter(|t| !released.contains(t.name.as_str())) {
        let wanted = Version::parse(&tag.name).is_ok_and(|v| !v.is_prerelease() && !known.contains(&v));
        let date = if wanted {
            patiently(&format!("the commit of tag {}", tag.name), || github.commit_date(&tag.sha)).await?
        } else {
            None
        };
        entries.push(GitHubEntry {
            tag: tag.name.clone(),
            date: date.map(|at| at.date_naive()),
            commit: Some(tag.sha.clone()),
            draft: false,
            prerelease: false,
        });
    }
    Ok(entries)
}

async fn every_page<T, F, Fut>(what: &str, mut read: F) -> Result<Vec<T>, AppError>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<ListPage<T>, GitHubError>>,
{
    let mut all = Vec::new();
    for page in 1..=MAX_PAGES {
        let answer = patiently(&format!("page {page} of {what}"), || read(page)).await?;
        all.extend(answer.items);
        if !answer.more {
            return Ok(all);
        }
    }
    Err(AppError::GitHubUnavailable { message: format!("{what} go on past {MAX_PAGES} pages") })
}

/// Runs `call` until it answers: a rate limit is waited out for as long as GitHub asks,
/// a failure worth retrying is retried with a doubling pause, anything else is the answer.
async fn patiently<T, F, Fut>(what: &str, mut call: F) -> Result<T, AppError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, GitHubError>>,
{
    let mut failures = 0;
    let mut waits = 0;
    loop {
        match call().await {
            Ok(answer) => return Ok(answer),
            Err(GitHubError::RateLimited { wait }) if waits < MAX_WAITS && wait <= MAX_WAIT => {
                waits += 1;
                tracing::warn!("GitHub's rate limit was reached reading {what}: waiting {} s", wait.as_secs());
                tokio::time::sleep(wait).await;
            }
            Err(GitHubError::Transient(message)) if failures + 1 < ATTEMPTS => {
                failures += 1;
                let pause = Duration::from_millis(500 << failures);
                tracing::warn!("reading {what} failed ({message}); trying again in {} ms", pause.as_millis());
                tokio::time::sleep(pause).await;
            }
            Err(e) => return Err(AppError::GitHubUnavailable { message: format!("reading {what}: {e}") }),
        }
    }
}
