//! Real receivers for notifications: Debian's aiosmtpd as the SMTP server (its Maildir handler
//! files each message it accepts), and an HTTP server standing in for a chat webhook.

use std::{
    net::SocketAddr,
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{Router, body::Bytes, extract::State, http::HeaderMap, http::StatusCode, routing::post};

/// The Python that has aiosmtpd: Debian's (`python3-aiosmtpd`), which a pyenv shim on the PATH
/// may hide; `TRAINYARD_TEST_PYTHON` overrides it.
fn python() -> String {
    std::env::var("TRAINYARD_TEST_PYTHON").unwrap_or_else(|_| "/usr/bin/python3".into())
}

/// A mail as the SMTP server stored it.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub message_id: String,
    pub body: String,
}

/// An SMTP server on 127.0.0.1 that keeps every message in a Maildir.
pub struct SmtpServer {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl SmtpServer {
    /// A server on a free port, answering before this returns.
    pub async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut server = Self::down_on(port);
        server.up().await;
        server
    }

    /// A port where no SMTP server answers yet; `up` starts one there.
    pub fn down_on(port: u16) -> Self {
        Self { port, dir: tempfile::tempdir().unwrap(), child: None }
    }

    /// A port nothing listens on now.
    pub fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
    }

    pub async fn up(&mut self) {
        let maildir = self.dir.path().join("mail");
        let child = Command::new(python())
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{}", self.port),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{} -m aiosmtpd: {e}; scripts/setup.sh installs python3-aiosmtpd", python()));
        self.child = Some(child);
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await.is_ok() {
                return;
            }
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                let mut err = String::new();
                std::io::Read::read_to_string(self.child.as_mut().unwrap().stderr.as_mut().unwrap(), &mut err).ok();
                panic!("aiosmtpd stopped ({status}): {err}; scripts/setup.sh installs python3-aiosmtpd");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("aiosmtpd did not answer on port {}", self.port);
    }

    /// Stops the server, dropping every connection it has open; `up` starts it again.
    pub fn down(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far, oldest first.
    pub fn mails(&self) -> Vec<Mail> {
        let mut files: Vec<PathBuf> = ["new", "cur"]
            .iter()
            .filter_map(|sub| std::fs::read_dir(self.dir.path().join("mail").join(sub)).ok())
            .flatten()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        files.iter().map(|p| parse(&std::fs::read_to_string(p).unwrap())).collect()
    }

    /// The mails to `to`.
    pub fn mails_to(&self, to: &str) -> Vec<Mail> {
        self.mails().into_iter().filter(|m| m.to == to).collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.down();
    }
}

/// The headers the tests read, unfolded and decoded, and the body in its transfer encoding undone.
fn parse(raw: &str) -> Mail {
    let raw = raw.replace("\r\n", "\n");
    let (head, body) = raw.split_once("\n\n").unwrap_or((&raw, ""));
    let unfolded = head.replace("\n ", " ").replace("\n\t", " ");
    let header = |name: &str| {
        unfolded
            .lines()
            .find_map(|l| {
                l.split_once(':').filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim().to_owned())
            })
            .unwrap_or_default()
    };
    let body = match header("Content-Transfer-Encoding").to_ascii_lowercase().as_str() {
        "quoted-printable" => decode_quoted_printable(body),
        "base64" => String::from_utf8(b64(&body.replace(['\n', ' '], ""))).unwrap(),
        _ => body.to_owned(),
    };
    Mail { to: header("To"), subject: decode_words(&header("Subject")), message_id: header("Message-ID"), body }
}

fn b64(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(text).unwrap()
}

/// RFC 2047 words (`=?utf-8?b?…?=`) among plain ones, as mail clients show them: the space
/// between two encoded words is not part of the text.
fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut last_encoded = false;
    for (i, word) in value.split(' ').enumerate() {
        let encoded = word.starts_with("=?") && word.ends_with("?=");
        if i > 0 && !(encoded && last_encoded) {
            out.push(' ');
        }
        if encoded {
            let inner = &word[2..word.len() - 2];
            let mut parts = inner.splitn(3, '?');
            let (_, encoding, text) = (parts.next(), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            match encoding.to_ascii_lowercase().as_str() {
                "b" => out.push_str(&String::from_utf8(b64(text)).unwrap()),
                _ => out.push_str(&decode_quoted_printable(&text.replace('_', " "))),
            }
        } else {
            out.push_str(word);
        }
        last_encoded = encoded;
    }
    out
}

fn decode_quoted_printable(text: &str) -> String {
    let bytes = text.replace("=\n", "").into_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (other, _) => {
                out.push(other);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One post a webhook receiver got.
#[derive(Debug, Clone)]
pub struct Post {
    pub headers: HeaderMap,
    pub body: Bytes,
    /// What the receiver answered.
    pub answered: u16,
}

impl Post {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    pub fn header(&self, name: &str) -> String {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
    }
}

#[derive(Default)]
struct Inbox {
    posts: Vec<Post>,
    /// Answers to give before answering 200.
    failures: Vec<u16>,
}

/// An HTTP server taking webhook posts at `/hook`.
#[derive(Clone)]
pub struct WebhookReceiver {
    pub addr: SocketAddr,
    inbox: Arc<Mutex<Inbox>>,
}

impl WebhookReceiver {
    pub async fn start() -> Self {
        let inbox = Arc::new(Mutex::new(Inbox::default()));
        let app = Router::new().route("/hook", post(receive)).with_state(inbox.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { addr, inbox }
    }

    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    /// The next posts are answered with `statuses`, in order; then 200 again.
    pub fn fail_with(&self, statuses: &[u16]) {
        self.inbox.lock().unwrap().failures = statuses.to_vec();
    }

    pub fn posts(&self) -> Vec<Post> {
        self.inbox.lock().unwrap().posts.clone()
    }

    /// The posts it accepted (answered 2xx).
    pub fn accepted(&self) -> Vec<Post> {
        self.posts().into_iter().filter(|p| p.answered == 200).collect()
    }
}

async fn receive(State(inbox): State<Arc<Mutex<Inbox>>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let mut inbox = inbox.lock().unwrap();
    let answer = if inbox.failures.is_empty() { 200 } else { inbox.failures.remove(0) };
    inbox.posts.push(Post { headers, body, answered: answer });
    StatusCode::from_u16(answer).unwrap()
}
