//! Notifications: the kinds of news, what each message says, and the addresses it goes to, each
//! checked when it is built.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{errors::FieldError, version::LineId};

/// What a message is about; people turn kinds off one by one, webhooks list the kinds they get.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A request was filed (to the week's on-call and the release managers).
    RequestFiled,
    /// A line of one's request was decided, or the request was sent to the monthly.
    LineDecided,
    /// One's fix moved to a later release, or will not ship on a line.
    FixCarried,
    /// A release carrying one's fix was approved.
    ReleaseApproved,
    /// A release carrying one's fix shipped.
    ReleaseShipped,
    /// One's approved fix is still unmerged close to its cherry-pick deadline.
    DeadlineNear,
    /// A followed line reaches its end of life in 90 or 30 days.
    EndOfLife,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::RequestFiled,
        Kind::LineDecided,
        Kind::FixCarried,
        Kind::ReleaseApproved,
        Kind::ReleaseShipped,
        Kind::DeadlineNear,
        Kind::EndOfLife,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::RequestFiled => "request_filed",
            Self::LineDecided => "line_decided",
            Self::FixCarried => "fix_carried",
            Self::ReleaseApproved => "release_approved",
            Self::ReleaseShipped => "release_shipped",
            Self::DeadlineNear => "deadline_near",
            Self::EndOfLife => "end_of_life",
        }
    }

    /// What a person reads next to the checkbox.
    pub fn label(self) -> &'static str {
        match self {
            Self::RequestFiled => "A patch request is filed or withdrawn (release managers and the week's on-call)",
            Self::LineDecided => "A line of my request is decided",
            Self::FixCarried => "My fix moves to a later release, or will not ship on a line",
            Self::ReleaseApproved => "A release carrying my fix is approved",
            Self::ReleaseShipped => "A release carrying my fix ships",
            Self::DeadlineNear => "My approved fix is unmerged two days before its deadline",
            Self::EndOfLife => "A line I follow ends its support in 90 and in 30 days",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text.trim())
    }
}

/// A set of kinds, as a webhook lists them: at least one, each known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kinds(Vec<Kind>);

impl Kinds {
    /// From the values of a form's checkboxes or a stored comma-separated list.
    pub fn parse<'a>(field: &str, items: impl IntoIterator<Item = &'a str>) -> Result<Self, FieldError> {
        let mut kinds = Vec::new();
        for item in items.into_iter().map(str::trim).filter(|i| !i.is_empty()) {
            let kind = Kind::parse(item).ok_or_else(|| {
                FieldError::new(field, format!("“{item}” is not a kind of notification; choose among those listed"))
            })?;
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
        if kinds.is_empty() {
            return Err(FieldError::new(field, "choose at least one kind of notification"));
        }
        kinds.sort_by_key(|k| Kind::ALL.iter().position(|a| a == k));
        Ok(Self(kinds))
    }

    pub fn contains(&self, kind: Kind) -> bool {
        self.0.contains(&kind)
    }

    pub fn iter(&self) -> impl Iterator<Item = Kind> + '_ {
        self.0.iter().copied()
    }

    /// `request_filed,line_decided`, as stored.
    pub fn to_list(&self) -> String {
        self.0.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(",")
    }
}

/// An address mail can be sent to, as mail servers read one (`dev@example.com`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// The longest address SMTP carries (RFC 5321's path limit less its brackets).
    pub const MAX: usize = 254;

    /// An address, or none for an empty field (no mail).
    pub fn parse_optional(field: &str, text: &str) -> Result<Option<Self>, FieldError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        if text.len() > Self::MAX {
            return Err(FieldError::new(field, format!("an email address has at most {} characters", Self::MAX)));
        }
        // A display name ("Dev <dev@example.com>") parses too, but a header must hold the bare
        // address only.
        if text.contains(['<', '>', ' ', ',', ';']) || !email_address::EmailAddress::is_valid(text) {
            return Err(FieldError::new(field, format!("“{text}” is not an email address like dev@example.com")));
        }
        Ok(Some(Self(text.to_owned())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where a webhook posts: an `http(s)` URL without credentials in it (the signature is the
/// credential), short enough to store and show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookUrl(String);

impl WebhookUrl {
    pub const MAX: usize = 2000;

    pub fn parse(field: &str, text: &str) -> Result<Self, FieldError> {
        let text = text.trim();
        let wrong = |why: &str| Err(FieldError::new(field, why.to_owned()));
        if text.is_empty() {
            return wrong("the receiver's URL is required, like https://hooks.slack.com/services/…");
        }
        if text.len() > Self::MAX {
            return wrong("a webhook URL has at most 2000 characters");
        }
        let Some((scheme, rest)) = text.split_once("://") else {
            return wrong("a webhook URL starts with https:// (or http:// on a private network)");
        };
        if !matches!(scheme, "http" | "https") {
            return wrong("a webhook URL starts with https:// (or http:// on a private network)");
        }
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if authority.is_empty() || authority.starts_with(':') {
            return wrong("the webhook URL has no host");
        }
        if authority.contains('@') {
            return wrong("put no user or password in the URL: every post is signed with the webhook's secret");
        }
        if text.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return wrong("a URL has no spaces or control characters");
        }
        // Kept as the URL standard serializes it: characters an HTTP request line may not carry
        // (`|`, `^`, letters beyond ASCII) are percent-encoded, the host lowercased.
        match url::Url::parse(text) {
            Ok(parsed) if parsed.host_str().is_some_and(|h| !h.is_empty()) => Ok(Self(parsed.as_str().to_owned())),
            Ok(_) => wrong("the webhook URL has no host"),
            Err(e) => Err(FieldError::new(field, format!("this is not a URL: {e}"))),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How many days ahead of a line's end of life its followers hear of it.
pub const END_OF_LIFE_NOTICES: [i64; 2] = [90, 30];

/// Which end-of-life notice is due on `today` for a line ending on `end`: the 90-day one from
/// 90 days ahead, the 30-day one from 30 days ahead; none once it has ended. A notice whose day
/// passed while nobody ran the server is still sent, but a late 90-day one is not once the
/// 30-day one is due.
pub fn end_of_life_notice(today: NaiveDate, end: NaiveDate) -> Option<i64> {
    let left = (end - today).num_days();
    if left <= 0 {
        return None;
    }
    END_OF_LIFE_NOTICES.iter().rev().copied().find(|days| left <= *days)
}

/// How many days before a cherry-pick deadline the owner of an unmerged approved fix is told.
pub const DEADLINE_NOTICE_DAYS: i64 = 2;

/// What one message says: a subject, a plain-text body and the page it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub kind: Kind,
    pub subject: String,
    pub body: String,
    /// The page's path (`/patch-requests/42`), made absolute where it is sent.
    pub path: String,
}

/// A request as a message names it; `embargoed` hides its title from shared channels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRef {
    pub id: i64,
    pub title: String,
    pub embargoed: bool,
}

impl RequestRef {
    fn named(&self, private: bool) -> String {
        match self.embargoed && !private {
            true => format!("#{} (a security fix under embargo)", self.id),
            false => format!("#{} “{}”", self.id, self.title),
        }
    }

    fn path(&self) -> String {
        format!("/patch-requests/{}", self.id)
    }
}

/// The news itself, before it is addressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum News {
    Filed {
        request: RequestRef,
        by: String,
        lines: String,
        severity: String,
    },
    Decided {
        request: RequestRef,
        by: String,
        what: String,
    },
    /// Its requester took it back; `what` is the trail's account of it, reason included.
    Withdrawn {
        request: RequestRef,
        by: String,
        what: String,
    },
    Carried {
        request: RequestRef,
        what: String,
    },
    Approved {
        requests: Vec<RequestRef>,
        release: String,
        ships_on: String,
    },
    Shipped {
        requests: Vec<RequestRef>,
        release: String,
    },
    DeadlineNear {
        request: RequestRef,
        line: LineId,
        release: String,
        deadline: NaiveDate,
    },
    /// `left`: days from today to the first unsupported day.
    EndOfLife {
        line: LineId,
        end: NaiveDate,
        left: i64,
    },
}

impl News {
    pub fn kind(&self) -> Kind {
        match self {
            Self::Filed { .. } | Self::Withdrawn { .. } => Kind::RequestFiled,
            Self::Decided { .. } => Kind::LineDecided,
            Self::Carried { .. } => Kind::FixCarried,
            Self::Approved { .. } => Kind::ReleaseApproved,
            Self::Shipped { .. } => Kind::ReleaseShipped,
            Self::DeadlineNear { .. } => Kind::DeadlineNear,
            Self::EndOfLife { .. } => Kind::EndOfLife,
        }
    }

    /// The message for a person (`private`: they may read what is under embargo) or for a
    /// shared channel.
    pub fn message(&self, private: bool) -> Message {
        let names = |requests: &[RequestRef]| requests.iter().map(|r| r.named(private)).collect::<Vec<_>>().join(", ");
        let (subject, body, path) = match self {
            // Under embargo, a shared channel learns only that something happened: no reporter,
            // severity, lines or reason, any of which could hint at the hole.
            Self::Filed { request, .. }
            | Self::Decided { request, .. }
            | Self::Carried { request, .. }
            | Self::Withdrawn { request, .. }
                if request.embargoed && !private =>
            {
                let what = match self {
                    Self::Filed { .. } => "filed",
                    Self::Decided { .. } => "decided",
                    Self::Withdrawn { .. } => "withdrawn",
                    _ => "moved",
                };
                (
                    format!("Patch request {} {what}", request.named(false)),
                    format!("{} was {what}; details follow once the embargo is lifted.", request.named(false)),
                    request.path(),
                )
            }
            Self::Filed { request, by, lines, severity } => (
                format!("Patch request {} filed", request.named(private)),
                format!("{by} filed {} ({severity}) for {lines}. It waits for triage.", request.named(private)),
                request.path(),
            ),
            Self::Decided { request, by, what } => (
                format!("Patch request {} decided", request.named(private)),
                format!("{by} decided {}: {what}.", request.named(private)),
                request.path(),
            ),
            Self::Withdrawn { request, by, what } => (
                format!("Patch request {} withdrawn", request.named(private)),
                format!("{by} on {}: {what}. It leaves triage and every release.", request.named(private)),
                request.path(),
            ),
            Self::Carried { request, what } => (
                format!("Patch request {} moved", request.named(private)),
                format!("{}: {what}.", request.named(private)),
                request.path(),
            ),
            Self::Approved { requests, release, ships_on } => (
                format!("{release} approved"),
                format!("{release} is approved and ships on {ships_on}, with {}.", names(requests)),
                format!("/releases/{release}"),
            ),
            Self::Shipped { requests, release } => (
                format!("{release} released"),
                format!("{release} is released, with {}.", names(requests)),
                format!("/releases/{release}"),
            ),
            Self::DeadlineNear { request, line, release, deadline } => (
                format!("Merge {} for {line} by {}", request.named(private), deadline.format("%-d %b")),
                format!(
                    "{} is approved for {release} on {line} but its cherry-pick is not merged; the deadline is {}. \
                     Unmerged by then, it moves to the next slot.",
                    request.named(private),
                    deadline.format("%A %-d %B %Y")
                ),
                request.path(),
            ),
            Self::EndOfLife { line, end, left } => (
                format!("{line} reaches its end of life in {left} days"),
                format!(
                    "{line} is supported until {}; from {} it gets no more patches. Plan the move to a newer line.",
                    (*end - chrono::Days::new(1)).format("%-d %B %Y"),
                    end.format("%-d %B %Y")
                ),
                format!("/releases/{line}"),
            ),
        };
        Message { kind: self.kind(), subject, body, path }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn every_kind_reads_back_from_its_name() {
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(Kind::parse("everything"), None);
    }

    #[test]
    fn a_webhook_lists_known_kinds_once_and_at_least_one() {
        let kinds = Kinds::parse("kinds", ["line_decided", "request_filed", "line_decided"]).unwrap();
        assert_eq!(kinds.to_list(), "request_filed,line_decided");
        assert_eq!(Kinds::parse("kinds", [""]).unwrap_err().message, "choose at least one kind of notification");
        assert!(Kinds::parse("kinds", ["gossip"]).unwrap_err().message.contains("“gossip”"));
    }

    #[test]
    fn an_email_address_is_a_bare_address_or_nothing() {
        assert_eq!(EmailAddress::parse_optional("email", "  ").unwrap(), None);
        assert_eq!(
            EmailAddress::parse_optional("email", " dev@example.com ").unwrap().unwrap().as_str(),
            "dev@example.com"
        );
        for bad in ["dev", "dev@", "@example.com", "Dev <dev@example.com>", "a@b.com, c@d.com", "dev@exa mple.com"] {
            let error = EmailAddress::parse_optional("email", bad).unwrap_err();
            assert_eq!(error.field, "email", "{bad}");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(EmailAddress::parse_optional("email", &long).unwrap_err().message.contains("at most 254"));
    }

    #[test]
    fn a_webhook_url_is_http_with_a_host_and_no_credentials() {
        assert!(WebhookUrl::parse("url", "https://hooks.slack.com/services/T0/B0/x").is_ok());
        assert!(WebhookUrl::parse("url", "http://10.0.0.7:8080/hook").is_ok());
        for (bad, says) in [
            ("", "required"),
            ("hooks.slack.com/x", "starts with https://"),
            ("ftp://example.com/x", "starts with https://"),
            ("https:///x", "no host"),
            ("https://user:pw@example.com/x", "no user or password"),
            ("https://example.com/a b", "no spaces"),
            ("https://exa[mple.com/x", "not a URL"),
            ("https://example.com:99999/x", "not a URL"),
        ] {
            let error = WebhookUrl::parse("url", bad).unwrap_err();
            assert!(error.message.contains(says), "{bad}: {}", error.message);
        }
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn a_webhook_url_is_kept_in_a_form_the_http_client_takes() {
        let typed = "https://Chat.Example/hooks/{team}/\"x\"/<y>`z`";
        assert!(typed.parse::<http::Uri>().is_err(), "as typed, the HTTP client refuses it");
        let kept = WebhookUrl::parse("url", typed).unwrap();
        assert_eq!(kept.as_str(), "https://chat.example/hooks/%7Bteam%7D/%22x%22/%3Cy%3E%60z%60");
        assert!(kept.as_str().parse::<http::Uri>().is_ok(), "{}", kept.as_str());
    }

    #[test]
    fn end_of_life_notices_come_90_and_30_days_ahead_and_a_late_one_is_the_nearer() {
        let end = day("2027-03-01");
        assert_eq!(end_of_life_notice(day("2026-11-30"), end), None, "91 days ahead");
        assert_eq!(end_of_life_notice(day("2026-12-01"), end), Some(90), "90 days ahead");
        assert_eq!(end_of_life_notice(day("2027-01-29"), end), Some(90));
        assert_eq!(end_of_life_notice(day("2027-01-30"), end), Some(30));
        assert_eq!(end_of_life_notice(day("2027-02-28"), end), Some(30));
        assert_eq!(end_of_life_notice(day("2027-03-01"), end), None, "it has ended");
    }

    #[test]
    fn an_embargoed_request_is_named_only_to_people_who_may_read_it() {
        let request = RequestRef { id: 7, title: "CVE-2026-1 in the proxy".into(), embargoed: true };
        let news = News::Decided { request, by: "mia".into(), what: "approved for 1.11".into() };
        let private = news.message(true);
        let shared = news.message(false);
        assert!(private.body.contains("CVE-2026-1 in the proxy"), "{}", private.body);
        assert!(!shared.body.contains("CVE") && !shared.subject.contains("CVE"), "{}", shared.body);
        assert!(shared.body.contains("#7 (a security fix under embargo)"), "{}", shared.body);
        assert!(!shared.body.contains("mia") && !shared.body.contains("1.11"), "not even the reason: {}", shared.body);
        assert_eq!(shared.path, "/patch-requests/7");
    }
}
