//! Sending one message: mail over SMTP with `lettre` (connections in `smtp`), and a signed JSON post to a webhook.
//! Whether to try again is the outbox's business; this only says if a failure may pass.

use std::{sync::Arc, time::Duration};

use bytes::Bytes;
use hmac::{Hmac, Mac};
use http_body_util::Full;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::{Client, connect::HttpConnector};
use lettre::{
    Message,
    message::{Mailbox, header::ContentType},
};
use sha2::Sha256;

use super::{
    settings::{ConfigError, MailSettings},
    smtp::SmtpClient,
};

/// Why a message was not delivered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth another try later: the receiver is down, busy, or timed out.
    #[error("{0}")]
    Transient(String),
    /// Trying again would fail the same way: a rejected address, a 404, a bad URL.
    #[error("{0}")]
    Permanent(String),
}

/// The SMTP server mail goes through, or none when mail is not set up (mail is then kept as
/// failed with that reason, and webhooks still go out).
#[derive(Clone)]
pub struct Mailer {
    smtp: Option<Arc<SmtpClient>>,
    from: Mailbox,
}

impl Mailer {
    /// Checks the mail settings without connecting, for start-up.
    pub fn check(settings: &MailSettings) -> Result<(), ConfigError> {
        Self::new(settings).map(drop)
    }

    pub fn new(settings: &MailSettings) -> Result<Self, ConfigError> {
        let invalid = |name: &'static str, value: &str, reason: String| ConfigError::Invalid {
            name,
            value: value.to_owned(),
            reason,
        };
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e| invalid("TRAINYARD_MAIL_FROM", &settings.from, format!("not a mail address: {e}")))?;
        let smtp = match &settings.smtp_url {
            None => None,
            Some(url) => {
                Some(Arc::new(SmtpClient::from_url(url.expose(), tls_config(), settings.timeout).map_err(|e| {
                    invalid("TRAINYARD_SMTP_URL", "(hidden)", format!("expected smtp://host:port or smtps://…: {e}"))
                })?))
            }
        };
        Ok(Self { smtp, from })
    }

    pub fn is_configured(&self) -> bool {
        self.smtp.is_some()
    }

    /// Sends one plain-text mail; `message_id` is the same on every attempt, so a mail client
    /// shows a message that went out twice (a crash between sending and recording) once.
    pub async fn send(&self, to: &str, subject: &str, body: &str, message_id: &str) -> Result<(), SendError> {
        let smtp =
            self.smtp.as_ref().ok_or_else(|| SendError::Permanent("mail is not set up (TRAINYARD_SMTP_URL)".into()))?;
        let to: Mailbox = to.parse().map_err(|e| SendError::Permanent(format!("“{to}” is not an address: {e}")))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .message_id(Some(message_id.to_owned()))
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_owned())
            .map_err(|e| SendError::Permanent(format!("the message could not be built: {e}")))?;
        match smtp.send(message.envelope(), &message.formatted()).await {
            Ok(()) => Ok(()),
            Err(e) if e.is_permanent() => Err(SendError::Permanent(format!("the mail server refused it: {e}"))),
            Err(e) => Err(SendError::Transient(format!("the mail server could not take it now: {e}"))),
        }
    }
}

/// TLS with the system's roots, for webhooks and mail. Without readable roots, plain
/// connections (a chat server or mail relay on the private network) still work; TLS ones then
/// fail and say why.
fn tls_config() -> Arc<rustls::ClientConfig> {
    let tls = rustls::ClientConfig::builder();
    let config = match hyper_rustls::ConfigBuilderExt::with_native_roots(tls) {
        Ok(roots) => roots.with_no_client_auth(),
        Err(e) => {
            tracing::warn!(error = %e, "no system certificates: webhooks and mail over TLS will fail");
            rustls::ClientConfig::builder().with_root_certificates(rustls::RootCertStore::empty()).with_no_client_auth()
        }
    };
    Arc::new(config)
}

/// Posts to webhooks over HTTP or HTTPS (rustls, the system's roots); redirects are not
/// followed, so a post never goes where its URL did not say.
#[derive(Clone)]
pub struct Webhooks {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    timeout: Duration,
}

/// The header carrying the signature, as GitHub names it, so receivers can reuse their check.
pub const SIGNATURE_HEADER: &str = "x-hub-signature-256";
/// The same on every attempt of one message, so a receiver can drop a repeat.
pub const DELIVERY_HEADER: &str = "x-trainyard-delivery";
pub const KIND_HEADER: &str = "x-trainyard-event";

/// `sha256=<hex>`: the HMAC-SHA256 of the exact body with the webhook's secret.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

impl Webhooks {
    pub fn new(timeout: Duration) -> Self {
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(Arc::unwrap_or_clone(tls_config()))
            .https_or_http()
            .enable_http1()
            .build();
        let client = Client::builder(hyper_util::rt::TokioExecutor::new()).build(https);
        Self { client, timeout }
    }

    /// Posts `body` signed with `secret`.
    pub async fn post(
        &self,
        url: &str,
        secret: &str,
        delivery: &str,
        kind: &str,
        body: Vec<u8>,
    ) -> Result<(), SendError> {
        let uri: http::Uri = url.parse().map_err(|_| SendError::Permanent(format!("“{url}” is not a URL")))?;
        let request = http::Request::post(uri)
            .header(http::header::CONTENT_TYPE, "application/json")
            .header(http::header::USER_AGENT, concat!("Trainyard/", env!("CARGO_PKG_VERSION")))
            .header(SIGNATURE_HEADER, signature(secret, &body))
            .header(DELIVERY_HEADER, delivery)
            .header(KIND_HEADER, kind)
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| SendError::Permanent(format!("the request could not be built: {e}")))?;
        let response = match tokio::time::timeout(self.timeout, self.client.request(request)).await {
            Err(_) => return Err(SendError::Transient(format!("no answer within {} s", self.timeout.as_secs()))),
            Ok(Err(e)) => return Err(SendError::Transient(format!("could not reach the receiver: {e}"))),
            Ok(Ok(response)) => response,
        };
        let status = response.status();
        match status.as_u16() {
            200..=299 => Ok(()),
            408 | 425 | 429 | 500..=599 => Err(SendError::Transient(format!("the receiver answered {status}"))),
            _ => Err(SendError::Permanent(format!("the receiver answered {status}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::settings::Secret;

    #[test]
    fn mail_settings_are_checked_at_start_without_connecting() {
        let with = |url: &str, from: &str| MailSettings {
            smtp_url: Some(Secret::new(url.into())),
            from: from.into(),
            ..MailSettings::default()
        };
        assert!(Mailer::check(&MailSettings::default()).is_ok(), "no mail at all is a valid choice");
        assert!(Mailer::check(&with("smtp://127.0.0.1:2525", "Trainyard <yard@example.com>")).is_ok());
        assert!(Mailer::check(&with("smtps://user:pw@mail.example.com", "yard@example.com")).is_ok());
        let wrong_url =
            Mailer::check(&with("ftp://me:pa55word@mail.example.com", "yard@example.com")).unwrap_err().to_string();
        assert!(wrong_url.contains("TRAINYARD_SMTP_URL"), "{wrong_url}");
        assert!(!wrong_url.contains("pa55word"), "the URL holds a password: {wrong_url}");
        let wrong_from = Mailer::check(&with("smtp://127.0.0.1:2525", "Trainyard")).unwrap_err().to_string();
        assert!(wrong_from.contains("TRAINYARD_MAIL_FROM"), "{wrong_from}");
    }

    #[test]
    fn a_signature_is_the_hmac_of_the_exact_body() {
        // RFC 4231's second test case.
        let signed = signature("Jefe", b"what do ya want for nothing?");
        assert_eq!(signed, "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        assert_ne!(signature("Jefe", b"what do ya want for nothing? "), signed);
    }
}
