//! `/feeds/my-requests.atom?token=…`: one's own requests as a private Atom feed.

use atom_syndication::{Entry, Feed, Link, Text};
use axum::{
    extract::{Query, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use super::{service, store::FeedItem};
use crate::{
    domain::{patch_request::Decision, version::LineId},
    error::AppError,
    features::patch_requests::line_state,
    platform::state::AppState,
};

#[derive(Debug, Deserialize)]
pub struct FeedQuery {
    #[serde(default)]
    token: String,
}

pub async fn my_requests(State(state): State<AppState>, Query(query): Query<FeedQuery>) -> Result<Response, AppError> {
    let (owner, items) = service::feed(&state, query.token.trim()).await?;
    let base = state.settings.public_base();
    let body = render(&owner, &items, &base, &state.settings.public_host(), state.clock.now());
    // The address is a secret: neither a shared cache nor this server's page cache may keep it.
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("application/atom+xml; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
            (header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
        ],
        body,
    )
        .into_response())
}

/// Where each line of a request stands, newest line first: "1.12 approved · 1.11 shipped in 1.11.2".
fn states(item: &FeedItem) -> String {
    let mut lines: Vec<(LineId, String)> = item
        .lines
        .iter()
        .filter_map(|(line, decision, version)| {
            Some((line.parse().ok()?, line_state(Decision::parse(decision)?, version.as_deref())))
        })
        .collect();
    lines.sort_by_key(|(line, _)| std::cmp::Reverse(*line));
    lines.iter().map(|(line, state)| format!("{line} {state}")).collect::<Vec<_>>().join(" · ")
}

fn render(owner: &str, items: &[FeedItem], base: &str, host: &str, now: chrono::DateTime<chrono::Utc>) -> String {
    let link = |href: String| Link { href, ..Link::default() };
    let entries: Vec<Entry> = items
        .iter()
        .map(|item| {
            // A feed reader may be someone else's service: an embargoed fix is never named in it.
            let title = match item.embargoed {
                true => format!("#{} A security fix under embargo", item.id),
                false => format!("#{} {}", item.id, item.title),
            };
            let lines = match states(item) {
                s if s.is_empty() => format!("waits for the monthly ({})", item.status),
                s => s,
            };
            Entry {
                id: format!("tag:{host},2026:patch-request/{}", item.id),
                title: Text::plain(title),
                updated: item.updated_at.into(),
                summary: Some(Text::plain(lines)),
                links: vec![link(format!("{base}/patch-requests/{}", item.id))],
                ..Entry::default()
            }
        })
        .collect();
    Feed {
        id: format!("tag:{host},2026:feeds/my-requests/{owner}"),
        title: Text::plain(format!("{owner}'s patch requests · Trainyard")),
        updated: items.first().map_or(now, |i| i.updated_at).into(),
        links: vec![link(format!("{base}/patch-requests?mine=1"))],
        entries,
        ..Feed::default()
    }
    .to_string()
}
