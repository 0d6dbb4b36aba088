//! The connections mail goes through. `lettre` speaks SMTP; this opens its connections and keeps
//! a few open between messages.
//!
//! lettre's own connections leave Nagle's algorithm on, and it writes a message's body and its
//! closing `\r\n.\r\n` as two writes: the five bytes then wait for the server's delayed ACK
//! (40 ms on Linux), so one connection carried about 23 messages a second where the same
//! exchange without the wait carries thousands. Opening the socket here with `TCP_NODELAY` set
//! removes the wait and keeps everything else lettre's: the protocol, STARTTLS, authentication.

use std::{
    io,
    net::SocketAddr,
    pin::Pin,
    sync::{Arc, Mutex},
    task::{Context, Poll},
    time::{Duration, Instant},
};

use lettre::transport::smtp::{
    authentication::{Credentials, DEFAULT_MECHANISMS},
    client::{AsyncSmtpConnection, AsyncTokioStream, TlsParameters},
    extension::ClientId,
};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::TcpStream,
};
use url::Url;

/// How many connections stay open between messages: as many as the outbox sends at once.
const KEEP_OPEN: usize = 8;
/// A connection idle longer than this is closed rather than reused: servers drop idle clients
/// after a few minutes, and a message on a dropped connection would fail and wait for a retry.
const IDLE_FOR: Duration = Duration::from_secs(60);

/// Why a message was not handed over.
#[derive(Debug, thiserror::Error)]
pub enum SmtpError {
    #[error("could not reach the mail server: {0}")]
    Unreachable(#[from] io::Error),
    #[error("no answer within {0} s")]
    Timeout(u64),
    #[error("{0}")]
    Refused(#[from] lettre::transport::smtp::Error),
}

impl SmtpError {
    /// Whether trying again would fail the same way: the server said so with a 5xx.
    pub fn is_permanent(&self) -> bool {
        matches!(self, Self::Refused(e) if e.is_permanent())
    }
}

/// How the connection is protected, as the URL says.
enum Security {
    /// `smtp://`: a relay on this machine or the private network.
    Plain,
    /// `smtp://…?tls=opportunistic`: STARTTLS when the server offers it.
    Opportunistic(TlsParameters),
    /// `smtp://…?tls=required`: STARTTLS, or no mail.
    Required(TlsParameters),
    /// `smtps://`: TLS from the first byte.
    Implicit(tokio_rustls::TlsConnector),
}

/// One SMTP server, from `TRAINYARD_SMTP_URL`, and its open connections.
pub struct SmtpClient {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<Credentials>,
    hello: ClientId,
    timeout: Duration,
    open: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
}

impl SmtpClient {
    /// Reads the URL as lettre's `from_url` does (the same schemes, ports, `tls` parameter, EHLO
    /// name from the path and percent-encoded credentials); connects nothing yet.
    pub fn from_url(url: &str, tls: Arc<rustls::ClientConfig>, timeout: Duration) -> Result<Self, String> {
        let url = Url::parse(url).map_err(|e| e.to_string())?;
        if !matches!(url.scheme(), "smtp" | "smtps") {
            return Err(format!("“{}” is not smtp or smtps", url.scheme()));
        }
        let host = url.host_str().filter(|h| !h.is_empty()).ok_or("it names no host")?;
        // An IPv6 literal is bracketed in a URL and bare in a socket address.
        let host = host.trim_start_matches('[').trim_end_matches(']').to_owned();
        let parameters = || TlsParameters::new(host.clone()).map_err(|e| e.to_string());
        let tls_mode = url.query_pairs().find(|(k, _)| k == "tls").map(|(_, v)| v.into_owned());
        let (security, default_port) = match (url.scheme(), tls_mode.as_deref()) {
            ("smtps", _) => (Security::Implicit(tokio_rustls::TlsConnector::from(tls)), 465),
            (_, None) => (Security::Plain, 25),
            (_, Some("opportunistic")) => (Security::Opportunistic(parameters()?), 587),
            (_, Some("required")) => (Security::Required(parameters()?), 587),
            (_, Some(other)) => return Err(format!("tls={other} is not required or opportunistic")),
        };
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|s| s.into_owned())
                .map_err(|_| "the credentials are not UTF-8".to_owned())
        };
        let credentials = match url.password() {
            Some(password) => Some(Credentials::new(decode(url.username())?, decode(password)?)),
            None => None,
        };
        let name = url.path().trim_matches('/');
        let hello = if name.is_empty() { ClientId::default() } else { ClientId::Domain(name.to_owned()) };
        Ok(Self {
            port: url.port().unwrap_or(default_port),
            host,
            security,
            credentials,
            hello,
            timeout,
            open: Mutex::new(Vec::new()),
        })
    }

    /// Hands one message over: on a connection left open by an earlier one when it still
    /// answers, else on a new one. Takes at most the timeout in all.
    pub async fn send(&self, envelope: &lettre::address::Envelope, message: &[u8]) -> Result<(), SmtpError> {
        let attempt = async {
            let mut connection = self.connection().await?;
            connection.send(envelope, message).await?;
            self.put_back(connection);
            Ok(())
        };
        tokio::time::timeout(self.timeout, attempt).await.unwrap_or(Err(SmtpError::Timeout(self.timeout.as_secs())))
    }

    async fn connection(&self) -> Result<AsyncSmtpConnection, SmtpError> {
        loop {
            let open = self.open.lock().expect("no code panics holding this lock").pop();
            match open {
                // A NOOP costs a round trip and saves a message from a connection the server
                // has closed (after its own idle timeout, or a restart).
                Some((mut connection, since)) if since.elapsed() < IDLE_FOR => {
                    if connection.test_connected().await {
                        return Ok(connection);
                    }
                }
                Some(_) => {}
                None => return self.connect().await,
            }
        }
    }

    fn put_back(&self, connection: AsyncSmtpConnection) {
        let mut open = self.open.lock().expect("no code panics holding this lock");
        if !connection.has_broken() && open.len() < KEEP_OPEN {
            open.push((connection, Instant::now()));
        }
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, SmtpError> {
        let tcp = TcpStream::connect((self.host.as_str(), self.port)).await?;
        tcp.set_nodelay(true)?;
        let mut connection = match &self.security {
            Security::Implicit(tls) => {
                let name = rustls::pki_types::ServerName::try_from(self.host.clone())
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
                let stream = tls.connect(name, tcp).await?;
                AsyncSmtpConnection::connect_with_transport(Box::new(TlsStream(stream)), &self.hello).await?
            }
            _ => AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello).await?,
        };
        match &self.security {
            Security::Required(tls) => connection.starttls(tls.clone(), &self.hello).await?,
            Security::Opportunistic(tls) if connection.can_starttls() => {
                connection.starttls(tls.clone(), &self.hello).await?
            }
            _ => {}
        }
        if let Some(credentials) = &self.credentials {
            connection.auth(DEFAULT_MECHANISMS, credentials).await?;
        }
        Ok(connection)
    }
}

/// A TLS stream as lettre takes one it did not open itself.
#[derive(Debug)]
struct TlsStream(tokio_rustls::client::TlsStream<TcpStream>);

impl AsyncTokioStream for TlsStream {
    fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.get_ref().0.peer_addr()
    }
}

impl AsyncRead for TlsStream {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for TlsStream {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(url: &str) -> Result<SmtpClient, String> {
        let tls = rustls::ClientConfig::builder()
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth();
        SmtpClient::from_url(url, Arc::new(tls), Duration::from_secs(5))
    }

    fn security(client: &SmtpClient) -> &'static str {
        match client.security {
            Security::Plain => "plain",
            Security::Opportunistic(_) => "opportunistic",
            Security::Required(_) => "required",
            Security::Implicit(_) => "implicit",
        }
    }

    #[test]
    fn the_url_names_the_server_its_protection_and_the_login_as_lettre_reads_it() {
        let relay = read("smtp://127.0.0.1:2525").unwrap();
        assert_eq!((relay.host.as_str(), relay.port, security(&relay)), ("127.0.0.1", 2525, "plain"));
        assert!(relay.credentials.is_none());

        let submission = read("smtp://yard%40example.com:p%40ss%20word@mail.example.com?tls=required").unwrap();
        assert_eq!(
            (submission.host.as_str(), submission.port, security(&submission)),
            ("mail.example.com", 587, "required")
        );
        assert!(submission.credentials == Some(Credentials::new("yard@example.com".into(), "p@ss word".into())));

        let implicit = read("smtps://user:pw@mail.example.com/yard.example.com").unwrap();
        assert_eq!((implicit.port, security(&implicit)), (465, "implicit"));
        assert_eq!(implicit.hello, ClientId::Domain("yard.example.com".into()));
        assert_eq!(security(&read("smtp://[::1]:25?tls=opportunistic").unwrap()), "opportunistic");
        assert_eq!(read("smtp://[::1]").unwrap().host, "::1", "a socket address takes the bare IPv6");
        assert_eq!(read("smtp://relay").unwrap().port, 25);

        for (url, says) in [
            ("ftp://mail.example.com", "“ftp” is not smtp or smtps"),
            ("smtp://mail.example.com?tls=always", "tls=always is not required or opportunistic"),
            ("smtp://", "it names no host"),
            ("mail.example.com:25", "“mail.example.com” is not smtp or smtps"),
            ("smtp//mail.example.com", "relative URL"),
        ] {
            let refused = read(url).err().unwrap_or_else(|| panic!("{url} was taken"));
            assert!(refused.contains(says), "{url}: {refused}");
        }
    }
}
