//! Notifications: settings, webhooks, and the outbox worker.
//!
//! The worker reads the audit trail, which every change writes in its own transaction, so
//! nothing that happened is missed and no feature has to remember to notify. Each event becomes
//! one message per recipient, queued under a key naming the event and the recipient in the same
//! transaction that moves the cursor past the event: a message is queued exactly once, whatever
//! crashes or runs twice. Sending is at least once: a message is claimed with a lease, sent, then
//! marked sent; a crash between the send and the mark sends it again once the lease runs out,
//! with the same `Message-ID` and delivery id so mail clients and receivers show it once.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};

use super::{LineChoice, NotificationSettings, SettingsForm, store};
use crate::{
    domain::{
        access::{Permission, Principal},
        calendar_rules::monday_of,
        errors::FieldError,
        notification::{
            DEADLINE_NOTICE_DAYS, EmailAddress, Kind, Kinds, Message, News, RequestRef, WebhookUrl, end_of_life_notice,
        },
        policy::LineStatus,
        version::LineId,
    },
    error::AppError,
    features::{
        audit::store::{Change, record},
        catalog::service::{NEAR, plan},
        patch_requests::store::find_oncall,
    },
    platform::{
        db::WriteTx,
        notify::SendError,
        secrets::{digest, new_secret},
        state::AppState,
    },
};

/// How long a claimed message is held before another worker may take it over: longer than any
/// send may take.
const LEASE: Duration = Duration::minutes(5);
/// Events read per transaction.
const BATCH: i64 = 200;
/// Messages sent per round; a round that sends a full batch is followed at once by another.
const SEND_BATCH: i64 = 200;
/// Recipients served at once (the SMTP client keeps as many connections open between rounds).
const SENDERS: usize = 8;

// ----- settings -------------------------------------------------------------------------------

/// One's settings, and the webhooks for an admin.
pub async fn settings(state: &AppState, actor: &Principal) -> Result<NotificationSettings, AppError> {
    let viewer = actor.viewer().ok_or(AppError::Unauthenticated)?;
    // The plan first: it may need a connection of its own, so none is held while it loads.
    let (_, plan) = plan(state, NEAR).await?;
    let mut conn = state.db.reader().acquire().await?;
    let (email, muted, following) = store::load_preferences(&mut conn, viewer.id).await?;
    let lines = plan
        .lines
        .iter()
        .rev()
        .filter(|l| l.status != LineStatus::EndOfLife && l.status != LineStatus::Planned)
        .map(|l| LineChoice {
            line: l.line.to_string(),
            support: format!(
                "{}, supported until {}",
                l.status.label(),
                (l.eol.date - chrono::Days::new(1)).format("%-d %B %Y")
            ),
            following: following.contains(&l.line.to_string()),
        })
        .collect();
    let recent = store::list_sent_to(&mut *conn, viewer.id, 10).await?;
    let webhooks = match actor.can(Permission::Administer) {
        true => Some(store::list_webhooks(&mut *conn).await?),
        false => None,
    };
    let feed_since = store::feed_since(&mut *conn, viewer.id).await?;
    Ok(NotificationSettings {
        feed_since,
        email: email.unwrap_or_default(),
        kinds: Kind::ALL.into_iter().map(|k| (k, !muted.iter().any(|m| m == k.as_str()))).collect(),
        lines,
        recent,
        mail_configured: state.mailer.is_configured(),
        webhooks,
    })
}

/// Gives `user` a mail address with every kind of news on, as the demo's people have one: done
/// by the server, not by them (they change it on their settings page).
pub async fn give_address(state: &AppState, user: i64, email: &EmailAddress) -> Result<(), AppError> {
    let mut tx = state.db.begin_quiet_write().await?;
    store::save_preferences(&mut tx, user, Some(email.as_str()), &[], &[]).await?;
    tx.commit().await
}

/// Saves one's address, kinds and followed lines; each wrong field says why, nothing is saved.
pub async fn save_settings(state: &AppState, actor: &Principal, form: &SettingsForm) -> Result<(), AppError> {
    let viewer = actor.viewer().ok_or(AppError::Unauthenticated)?;
    let mut errors = Vec::new();
    let email = EmailAddress::parse_optional("email", &form.email).map_err(|e| errors.push(e)).ok().flatten();
    let on: Vec<Kind> = match form.kinds.trim() {
        "" => Vec::new(),
        list => match Kinds::parse("kinds", list.split(',')) {
            Ok(kinds) => kinds.iter().collect(),
            Err(e) => {
                errors.push(e);
                Vec::new()
            }
        },
    };
    let (_, plan) = plan(state, NEAR).await?;
    let mut lines = Vec::new();
    for item in form.lines.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        match item.parse::<LineId>().ok().and_then(|id| plan.line(id)) {
            Some(line) if !lines.contains(&line.line) => lines.push(line.line),
            Some(_) => {}
            None => errors.push(FieldError::new("lines", format!("“{item}” is not a release line Trainyard knows"))),
        }
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let muted: Vec<Kind> = Kind::ALL.into_iter().filter(|k| !on.contains(k)).collect();
    let mut tx = state.db.begin_quiet_write().await?;
    store::save_preferences(&mut tx, viewer.id, email.as_ref().map(EmailAddress::as_str), &muted, &lines).await?;
    tx.commit().await
}

/// Adds a webhook and returns its secret, shown once.
pub async fn add_webhook(state: &AppState, actor: &Principal, url: &str, kinds: &str) -> Result<String, AppError> {
    actor.require(Permission::Administer)?;
    let url = WebhookUrl::parse("url", url);
    let kinds = Kinds::parse("kinds", kinds.split(','));
    let (url, kinds) = match (url, kinds) {
        (Ok(url), Ok(kinds)) => (url, kinds),
        (url, kinds) => return Err(url.err().into_iter().chain(kinds.err()).collect::<Vec<_>>().into()),
    };
    let secret = new_secret("whsec_");
    let now = state.clock.now();
    // A visible write: the audit trail on /admin shows it.
    let mut tx = state.db.begin_write().await?;
    let id = store::insert_webhook(&mut tx, url.as_str(), &secret, &kinds, actor.user_id(), now).await?;
    let summary = format!("added a webhook to {} for {}", host_of(url.as_str()), kinds.to_list());
    record(&mut tx, actor, Change::new("webhook.added", "webhook", id, summary), now).await?;
    tx.commit().await?;
    Ok(secret)
}

pub async fn revoke_webhook(state: &AppState, actor: &Principal, id: i64) -> Result<(), AppError> {
    actor.require(Permission::Administer)?;
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    if !store::revoke_webhook(&mut tx, id, now).await? {
        return Err(AppError::not_found(format!("live webhook {id}")));
    }
    record(&mut tx, actor, Change::new("webhook.revoked", "webhook", id, "revoked the webhook"), now).await?;
    tx.commit().await
}

/// Where one's private feed is read, with its secret: what a feed reader is given.
pub fn feed_url(state: &AppState, token: &str) -> String {
    format!("{}/feeds/my-requests.atom?token={token}", state.settings.public_base())
}

/// Makes (or remakes) one's private feed address; the old one stops working. Returns the new
/// address, shown once.
pub async fn create_feed(state: &AppState, actor: &Principal) -> Result<String, AppError> {
    let viewer = actor.viewer().ok_or(AppError::Unauthenticated)?;
    let token = new_secret("feed_");
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    store::replace_feed_token(&mut tx, viewer.id, &digest(&token), now).await?;
    let change =
        Change::new("feed.created", "user", viewer.id, "made a new private feed address (any older one stops working)");
    record(&mut tx, actor, change, now).await?;
    tx.commit().await?;
    Ok(feed_url(state, &token))
}

pub async fn revoke_feed(state: &AppState, actor: &Principal) -> Result<(), AppError> {
    let viewer = actor.viewer().ok_or(AppError::Unauthenticated)?;
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    if !store::delete_feed_token(&mut tx, viewer.id).await? {
        return Err(AppError::not_found("Your private feed"));
    }
    record(&mut tx, actor, Change::new("feed.revoked", "user", viewer.id, "turned the private feed off"), now).await?;
    tx.commit().await
}

/// The owner of the feed `token` opens and their latest requests; an unknown or revoked token
/// is not found, the same answer as a wrong one, so tokens cannot be probed.
pub async fn feed(state: &AppState, token: &str) -> Result<(String, Vec<store::FeedItem>), AppError> {
    let missing = || AppError::not_found("This feed");
    if !token.starts_with("feed_") || token.len() > 100 {
        return Err(missing());
    }
    let mut conn = state.db.reader().acquire().await?;
    let (user, name) = store::feed_owner(&mut *conn, &digest(token)).await?.ok_or_else(missing)?;
    Ok((name, store::list_feed_items(&mut conn, user, 50).await?))
}

/// The host of a URL, for the audit trail (a webhook's path is often its secret).
fn host_of(url: &str) -> &str {
    url.split_once("://").map_or(url, |(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or(rest))
}

// ----- queueing -------------------------------------------------------------------------------

/// Who hears of a piece of news: people (by user id, with who may read embargoed details
/// worked out from their role) and the webhooks of its kind.
struct Addressed {
    news: News,
    /// What the message is about, for its key: `event:12`, `deadline:7:1.11:2026-12-04`.
    about: String,
    people: Vec<i64>,
    /// The person the news is theirs: they read their own request in full.
    owner: Option<i64>,
}

/// Turns new audit events into queued messages; returns how many were queued.
pub async fn queue_events(state: &AppState) -> Result<usize, AppError> {
    let mut queued = 0;
    loop {
        let mut conn = state.db.reader().acquire().await?;
        let last = store::cursor(&mut conn).await?;
        if !store::has_events_after(&mut *conn, last).await? {
            return Ok(queued);
        }
        drop(conn);
        let (_, plan) = plan(state, NEAR).await?;
        let now = state.clock.now();
        let mut tx = state.db.begin_quiet_write().await?;
        // Read again under the write lock: another worker may have moved it meanwhile.
        let last = store::cursor(&mut tx).await?;
        let events = store::events_after(&mut tx, last, BATCH).await?;
        let Some(newest) = events.last().map(|e| e.id) else { return Ok(queued) };
        for event in &events {
            if let Some(addressed) = address_event(&mut tx, &plan, event).await? {
                let messages = messages_of(state, &mut tx, &addressed, event.actor_user_id).await?;
                queued += put_all(state, &mut tx, &messages, now).await?;
            }
        }
        store::set_cursor(&mut tx, newest).await?;
        tx.commit().await?;
    }
}

/// Counts every event so far as told: news nobody should hear of now, such as the history a
/// demo is seeded with (thousands of old decisions, each a mail).
pub async fn skip_past_news(state: &AppState) -> Result<(), AppError> {
    let mut tx = state.db.begin_quiet_write().await?;
    let newest = store::newest_event(&mut tx).await?;
    store::set_cursor(&mut tx, newest).await?;
    tx.commit().await
}

/// Who triages requests filed at `at`: the release managers and that week's on-call.
async fn triagers(tx: &mut WriteTx, at: chrono::DateTime<chrono::Utc>) -> Result<Vec<i64>, AppError> {
    let mut people = store::managers(tx).await?;
    if let Some((oncall, _)) = find_oncall(&mut **tx, monday_of(at.date_naive())).await? {
        people.push(oncall);
    }
    Ok(people)
}

/// The news an event is, and who hears it; none for events nobody is told of.
async fn address_event(
    tx: &mut WriteTx,
    plan: &crate::domain::plan::Plan,
    event: &store::NewEvent,
) -> Result<Option<Addressed>, AppError> {
    let about = format!("event:{}", event.id);
    let request = |facts: &store::RequestFacts| RequestRef {
        id: facts.id,
        title: facts.title.clone(),
        embargoed: facts.embargoed,
    };
    let addressed = match event.action.as_str() {
        "patch_request.filed"
        | "patch_request.decided"
        | "patch_request.deferred"
        | "patch_request.carried"
        | "patch_request.duplicate"
        | "patch_request.refollowed"
        | "patch_request.reclassified"
        | "patch_request.withdrawn" => {
            let Ok(id) = event.object_id.parse::<i64>() else { return Ok(None) };
            let Some(facts) = store::request_facts(tx, id).await? else { return Ok(None) };
            let (news, people) = match event.action.as_str() {
                "patch_request.filed" => {
                    let people = triagers(tx, event.at).await?;
                    let news = News::Filed {
                        request: request(&facts),
                        by: facts.requester_name.clone(),
                        lines: match facts.lines.is_empty() {
                            true => "the next monthly".into(),
                            false => facts.lines.join(", "),
                        },
                        severity: facts.severity.clone(),
                    };
                    (news, people)
                }
                "patch_request.carried" => {
                    (News::Carried { request: request(&facts), what: event.summary.clone() }, vec![facts.requester])
                }
                // Those who triage it hear that it left their queue.
                "patch_request.withdrawn" => {
                    let people = triagers(tx, event.at).await?;
                    let what = event.summary.clone();
                    (News::Withdrawn { request: request(&facts), by: event.actor.clone(), what }, people)
                }
                _ => (
                    News::Decided { request: request(&facts), by: event.actor.clone(), what: event.summary.clone() },
                    vec![facts.requester],
                ),
            };
            // The requesters of its duplicates follow it.
            let mut people = people;
            if event.action != "patch_request.filed" {
                people.extend(store::duplicate_requesters(tx, facts.id).await?);
            }
            Addressed { news, about, people, owner: Some(facts.requester) }
        }
        "release.approved" | "release.promoted" | "release.released" | "release.published" => {
            // A monthly is promoted under its version, which is stored only once it is
            // publishing: until then the plan knows which release it is.
            let found = match store::find_release(tx, &event.object_id).await? {
                Some(found) => Some(found),
                None => crate::domain::version::Version::parse(&event.object_id)
                    .ok()
                    .and_then(|v| plan.by_version(&v))
                    .and_then(|p| p.release)
                    .map(|id| (id, Some(event.object_id.clone()))),
            };
            let Some((release, version)) = found else { return Ok(None) };
            let planned = plan.by_release(release);
            let name = version
                .or_else(|| planned.and_then(|p| p.version.as_ref()).map(ToString::to_string))
                .unwrap_or_else(|| event.object_id.clone());
            let mut requests = Vec::new();
            // The fixes it carries, and for a monthly the requests deferred to it.
            let mut ids = store::carried_requests(tx, release).await?;
            ids.extend(store::deferred_to(tx, &name).await?);
            ids.sort_unstable();
            ids.dedup();
            for id in ids {
                if let Some(facts) = store::request_facts(tx, id).await? {
                    requests.push(facts);
                }
            }
            let refs = requests.iter().map(request).collect();
            let news = match event.action.as_str() {
                "release.approved" | "release.promoted" => News::Approved {
                    requests: refs,
                    release: name,
                    ships_on: planned
                        .map(|p| p.due(plan.today).format("%A %-d %B %Y").to_string())
                        .unwrap_or_else(|| "its planned day".into()),
                },
                _ => News::Shipped { requests: refs, release: name },
            };
            let mut people: Vec<i64> = requests.iter().map(|r| r.requester).collect();
            for r in &requests {
                people.extend(store::duplicate_requesters(tx, r.id).await?);
            }
            Addressed { news, about, people, owner: None }
        }
        _ => return Ok(None),
    };
    Ok(Some(addressed))
}

/// One message, addressed and keyed, ready to queue.
struct Outbound {
    key: String,
    channel: &'static str,
    recipient: String,
    user: Option<i64>,
    message: Message,
}

/// The messages of one piece of news: a mail to each person who wants its kind (never to the
/// person who caused it) and a post to each webhook of its kind. Reads only.
async fn messages_of(
    state: &AppState,
    conn: &mut sqlx::SqliteConnection,
    addressed: &Addressed,
    actor: Option<i64>,
) -> Result<Vec<Outbound>, AppError> {
    let kind = addressed.news.kind();
    let mut people = addressed.people.clone();
    people.sort_unstable();
    people.dedup();
    people.retain(|p| Some(*p) != actor);
    // Without a mail server nothing is queued for mail: it could only fail.
    if !state.mailer.is_configured() {
        people.clear();
    }
    let mut out = Vec::new();
    for reader in store::readers(conn, &people, kind).await? {
        let private = reader.sees_embargoed || addressed.owner == Some(reader.user);
        out.push(Outbound {
            key: format!("{}:email:{}", addressed.about, reader.user),
            channel: "email",
            recipient: reader.email,
            user: Some(reader.user),
            message: addressed.news.message(private),
        });
    }
    for hook in store::webhooks_for(conn, kind).await? {
        out.push(Outbound {
            key: format!("{}:webhook:{hook}", addressed.about),
            channel: "webhook",
            recipient: hook.to_string(),
            user: None,
            message: addressed.news.message(false),
        });
    }
    Ok(out)
}

/// Queues `messages`; returns how many were new.
async fn put_all(
    state: &AppState,
    tx: &mut WriteTx,
    messages: &[Outbound],
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let base = state.settings.public_base();
    let mut queued = 0;
    for m in messages {
        let link = format!("{base}{}", m.message.path);
        let row = store::Queued {
            key: &m.key,
            kind: m.message.kind,
            channel: m.channel,
            recipient: &m.recipient,
            user: m.user,
            subject: &m.message.subject,
            body: &m.message.body,
            link: &link,
        };
        queued += usize::from(store::enqueue(tx, row, now).await?);
    }
    Ok(queued)
}

/// Queues what time brings rather than people: unmerged approved fixes close to their deadline,
/// and ends of life 90 and 30 days ahead. Returns how many were new; writes nothing when none is.
pub async fn queue_due_dates(state: &AppState) -> Result<usize, AppError> {
    let (_, plan) = plan(state, NEAR).await?;
    let today = plan.today;
    let mut news = Vec::new();
    let mut conn = state.db.reader().acquire().await?;
    let until = today + chrono::Days::new(DEADLINE_NOTICE_DAYS as u64);
    for fix in store::unmerged_due(&mut conn, today, until).await? {
        let (Some(facts), Ok(line)) = (store::request_facts(&mut conn, fix.request).await?, fix.line.parse::<LineId>())
        else {
            continue;
        };
        let release = plan
            .by_release(fix.release)
            .and_then(|p| p.version.as_ref().map(ToString::to_string))
            .unwrap_or_else(|| format!("the {line} patch"));
        news.push(Addressed {
            about: format!("deadline:{}:{line}:{}", fix.request, fix.deadline),
            news: News::DeadlineNear {
                request: RequestRef { id: facts.id, title: facts.title.clone(), embargoed: facts.embargoed },
                line,
                release,
                deadline: fix.deadline,
            },
            people: vec![facts.requester],
            owner: Some(facts.requester),
        });
    }
    for line in plan.lines.iter().filter(|l| l.released()) {
        let Some(days) = end_of_life_notice(today, line.eol.date) else { continue };
        news.push(Addressed {
            about: format!("eol:{}:{}:{days}", line.line, line.eol.date),
            news: News::EndOfLife { line: line.line, end: line.eol.date, left: (line.eol.date - today).num_days() },
            people: store::followers(&mut conn, line.line).await?,
            owner: None,
        });
    }
    let mut messages = Vec::new();
    for addressed in &news {
        messages.extend(messages_of(state, &mut conn, addressed, None).await?);
    }
    // Most rounds find only what was queued before: check by key first, so they write nothing.
    let keys: Vec<String> = messages.iter().map(|m| m.key.clone()).collect();
    let known = store::known_keys(&mut *conn, &keys).await?;
    messages.retain(|m| !known.contains(&m.key));
    drop(conn);
    if messages.is_empty() {
        return Ok(0);
    }
    let mut tx = state.db.begin_quiet_write().await?;
    let queued = put_all(state, &mut tx, &messages, state.clock.now()).await?;
    tx.commit().await?;
    Ok(queued)
}

// ----- sending --------------------------------------------------------------------------------

/// Sends what is due; returns how many were sent. Each recipient's messages go out one after
/// another, in the order they were queued; different recipients are served at once, since a
/// mail server or a chat tool takes tens of milliseconds to answer each message.
pub async fn send_due(state: &AppState) -> Result<usize, AppError> {
    use futures::{StreamExt, TryStreamExt};
    let mut queues: Vec<Vec<store::Outgoing>> = Vec::new();
    for message in store::list_due(state.db.reader(), state.clock.now(), SEND_BATCH).await? {
        match queues.iter_mut().find(|q| (&q[0].channel, &q[0].recipient) == (&message.channel, &message.recipient)) {
            Some(queue) => queue.push(message),
            None => queues.push(vec![message]),
        }
    }
    let sent: Vec<usize> = futures::stream::iter(queues)
        .map(|queue| async move {
            let mut sent = 0;
            for message in queue {
                sent += usize::from(send_one(state, &message).await?);
            }
            Ok::<_, AppError>(sent)
        })
        .buffer_unordered(SENDERS)
        .try_collect()
        .await?;
    Ok(sent.into_iter().sum())
}

/// Claims one message, delivers it and records how that went; true when it went out.
async fn send_one(state: &AppState, message: &store::Outgoing) -> Result<bool, AppError> {
    // The lease runs from this claim, not from the round's start: a long round must not hand
    // out leases that have already run out.
    let now = state.clock.now();
    let mut tx = state.db.begin_quiet_write().await?;
    let claimed = store::claim(&mut tx, message.id, now, now + LEASE).await?;
    tx.commit().await?;
    if !claimed {
        return Ok(false);
    }
    let outcome = deliver(state, message).await;
    let now = state.clock.now();
    let mut tx = state.db.begin_quiet_write().await?;
    let sent = match outcome {
        Ok(()) => {
            store::mark_sent(&mut tx, message.id, message.attempts + 1, now).await?;
            true
        }
        Err(e) => {
            let backoff = state.settings.notify_backoff;
            let retry_at = match &e {
                SendError::Transient(_) if message.attempts + 1 < backoff.max_attempts => {
                    Some(now + backoff.after(message.attempts + 1))
                }
                _ => None,
            };
            tracing::warn!(id = message.id, channel = %message.channel, error = %e, retry = retry_at.is_some(), "a notification was not delivered");
            store::mark_unsent(&mut tx, message.id, message.attempts + 1, &e.to_string(), retry_at).await?;
            false
        }
    };
    tx.commit().await?;
    Ok(sent)
}

/// The id a message keeps over every attempt, for the `Message-ID` and the delivery header.
fn delivery_id(message: &store::Outgoing) -> String {
    use sha2::{Digest, Sha256};
    let digest = hex::encode(Sha256::digest(message.key.as_bytes()));
    format!("{}.{}", message.id, &digest[..24])
}

async fn deliver(state: &AppState, message: &store::Outgoing) -> Result<(), SendError> {
    let delivery = delivery_id(message);
    match message.channel.as_str() {
        "email" => {
            let host = state.settings.public_host();
            let host = host.split(':').next().unwrap_or("localhost");
            let body = format!(
                "{}\n\n{}\n\n-- \nTrainyard. Choose what you hear of at {}/notifications\n",
                message.body,
                message.link,
                state.settings.public_base()
            );
            state.mailer.send(&message.recipient, &message.subject, &body, &format!("<{delivery}@{host}>")).await
        }
        _ => {
            let hook: i64 = message.recipient.parse().map_err(|_| SendError::Permanent("no such webhook".into()))?;
            let Some((url, secret)) = store::find_live_webhook(state.db.reader(), hook)
                .await
                .map_err(|e| SendError::Transient(format!("the database could not be read: {e}")))?
            else {
                return Err(SendError::Permanent("the webhook was revoked".into()));
            };
            // `text` is what Slack, Mattermost, Rocket.Chat and Discord's Slack endpoint show.
            let body = serde_json::json!({
                "text": format!("*{}*\n{}\n<{}>", slack_escaped(&message.subject), slack_escaped(&message.body), message.link),
                "kind": message.kind,
                "subject": message.subject,
                "body": message.body,
                "link": message.link,
                "delivery": delivery,
            });
            state.webhooks.post(&url, &secret, &delivery, &message.kind, body.to_string().into_bytes()).await
        }
    }
}

/// Text as Slack's `text` must carry it: `<`, `>` and `&` escaped, so a title cannot ping a
/// channel (`<!channel>`) or dress up a link.
fn slack_escaped(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

// ----- the worker -----------------------------------------------------------------------------

/// One round: queue new events and due dates, then send what is due. Returns how many were sent.
pub async fn run_once(state: &AppState) -> Result<usize, AppError> {
    let queued = queue_events(state).await;
    let dated = queue_due_dates(state).await;
    // What is queued already goes out even when queueing failed this round.
    let sent = send_due(state).await?;
    queued?;
    dated?;
    Ok(sent)
}

/// How often the worker looks for what time brings (deadlines, ends of life): those are days
/// apart, so once a minute is plenty.
const DATE_SCAN_EVERY: StdDuration = StdDuration::from_secs(60);

/// Sets the outbox gauges, every channel and state included, for a metrics scrape.
pub async fn measure_outbox(state: &AppState) -> Result<(), AppError> {
    let stored = store::count_by_state(state.db.reader()).await?;
    let mut counts = Vec::new();
    for channel in ["email", "webhook"] {
        for s in ["pending", "sending", "sent", "failed"] {
            let name = format!("{channel}:{s}");
            let n = stored.iter().find(|(k, _)| *k == name).map_or(0, |(_, n)| *n);
            counts.push((name, n));
        }
    }
    state.metrics.set_notifications(&counts);
    Ok(())
}

/// Runs the outbox until the process ends, every few seconds; a failed or panicking round is
/// logged and counted, and the next one runs as usual.
pub fn spawn_worker(state: AppState) {
    use futures::FutureExt;
    tokio::spawn(async move {
        let mut last_scan: Option<std::time::Instant> = None;
        loop {
            let round = async {
                let queued = queue_events(&state).await;
                if last_scan.is_none_or(|at| at.elapsed() >= DATE_SCAN_EVERY) {
                    last_scan = Some(std::time::Instant::now());
                    queue_due_dates(&state).await?;
                }
                let sent = send_due(&state).await?;
                queued.map(|_| sent)
            };
            match std::panic::AssertUnwindSafe(round).catch_unwind().await {
                // More may be due: a burst of news goes out at the mail server's pace, not a
                // batch every few seconds.
                Ok(Ok(sent)) if sent as i64 >= SEND_BATCH => continue,
                Ok(Ok(_)) => {}
                Ok(Err(e)) => {
                    state.metrics.notification_round_failures.inc();
                    tracing::warn!(error = %e, "the notification worker failed a round");
                }
                Err(_) => {
                    state.metrics.notification_round_failures.inc();
                    tracing::error!("the notification worker panicked in a round; it carries on");
                }
            }
            tokio::time::sleep(StdDuration::from_secs(3)).await;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_cannot_ping_a_chat_channel_or_fake_a_link() {
        assert_eq!(
            slack_escaped("<!channel> & <https://evil|click>"),
            "&lt;!channel&gt; &amp; &lt;https://evil|click&gt;"
        );
    }

    #[test]
    fn the_audit_trail_names_a_webhook_by_its_host_only() {
        assert_eq!(host_of("https://hooks.slack.com/services/T0/B0/secret"), "hooks.slack.com");
        assert_eq!(host_of("http://10.0.0.7:8080?x"), "10.0.0.7:8080");
    }

    #[test]
    fn retries_wait_twice_as_long_each_time_up_to_the_longest() {
        let b = crate::platform::settings::notify_backoff();
        assert_eq!(b.after(1), Duration::seconds(30));
        assert_eq!(b.after(2), Duration::seconds(60));
        assert_eq!(b.after(20), Duration::hours(1));
    }
}
