//! `TestApp`: one server per test, with its own database file and a clock the test moves.

use std::{net::SocketAddr, sync::Arc};

use chrono::{DateTime, Utc};
use reqwest::{Client, Response, redirect::Policy};
use serde_json::Value;
use trainyard::{
    platform::{clock::ManualClock, db::Db, settings::Settings, state::AppState},
    web::{router::router, serve::prepare},
};

/// The day the tests live on: the demo history is computed relative to it.
pub const NOW: &str = "2026-11-26T10:00:00Z";

pub struct TestApp {
    pub addr: SocketAddr,
    /// Where this server's `/metrics` listener answers.
    pub metrics_addr: SocketAddr,
    pub state: AppState,
    pub clock: ManualClock,
    /// The SQLite URL of this server's database file.
    pub database_url: String,
    _dir: Option<tempfile::TempDir>,
}

pub struct Options {
    pub demo: bool,
    pub configure: Box<dyn FnOnce(&mut Settings)>,
    /// Another server's database file to share; a fresh file when `None`.
    pub database_url: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Self { demo: true, configure: Box::new(|_| {}), database_url: None }
    }
}

impl TestApp {
    /// A server with the demo data and demo users.
    pub async fn spawn() -> Self {
        Self::spawn_with(Options::default()).await
    }

    pub async fn spawn_with(options: Options) -> Self {
        let (dir, url) = match options.database_url {
            Some(url) => (None, url),
            None => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("trainyard.db").display());
                (Some(dir), url)
            }
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().unwrap();
        let mut settings = Settings::for_database(url.clone());
        settings.site_addr = addr;
        settings.demo = options.demo;
        (options.configure)(&mut settings);
        let db = Db::open(&url).await.expect("database opens");
        let clock = ManualClock::new(NOW.parse::<DateTime<Utc>>().unwrap());
        let state = AppState::new(db, settings, Arc::new(clock.clone()));
        prepare(&state).await.expect("start-up data");
        let app = router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, app).await.expect("server runs") });
        let metrics = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let metrics_addr = metrics.local_addr().unwrap();
        let metrics_app = trainyard::web::metrics::router(state.clone());
        tokio::spawn(async move { axum::serve(metrics, metrics_app).await.expect("metrics listener runs") });
        Self { addr, metrics_addr, state, clock, database_url: url, _dir: dir }
    }

    /// A second server on this one's database file and in its mode, as when two instances run
    /// behind one proxy.
    pub async fn second_server(&self) -> Self {
        let (demo, database_url) = (self.state.settings.demo, Some(self.database_url.clone()));
        Self::spawn_with(Options { demo, database_url, ..Options::default() }).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A client that keeps cookies and does not follow redirects (tests look at them).
    pub fn client(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            // A hung request fails the test with its URL instead of hanging the suite.
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .unwrap()
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client().get(self.url(path)).send().await.expect("request")
    }

    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let res = self.get(path).await;
        let status = res.status().as_u16();
        (status, res.json().await.expect("json body"))
    }

    /// Calls a server function the way the browser's WebAssembly does.
    pub async fn call(&self, client: &Client, fn_url: &str, form: &[(&str, &str)]) -> Response {
        client
            .post(self.url(fn_url))
            .header("accept", "application/json")
            .form(form)
            .send()
            .await
            .expect("server fn request")
    }

    /// A sign-in as it arrives through a TLS-terminating proxy (`X-Forwarded-Proto: https`).
    pub async fn sign_in_over_https(&self, name: &str, password: &str) -> Response {
        self.client()
            .post(self.url(sign_in_url()))
            .header("accept", "application/json")
            .header("x-forwarded-proto", "https")
            .form(&[("name", name), ("password", password)])
            .send()
            .await
            .expect("sign-in request")
    }

    /// What a refused call must leave as it was: every table's row count (sessions aside, which
    /// signing in writes) and the generation that every visible write increments, so a change
    /// to any existing row made through `Db::begin_write` shows too.
    pub async fn fingerprint(&self) -> Vec<(String, i64)> {
        let db = self.state.db.reader();
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name NOT IN ('session', '_sqlx_migrations') ORDER BY name",
        )
        .fetch_all(db)
        .await
        .unwrap();
        assert!(tables.len() > 10, "the schema's tables: {tables:?}");
        let mut counts = Vec::new();
        for table in tables {
            let rows: i64 =
                sqlx::query_scalar(&format!("SELECT COUNT(*) FROM \"{table}\"")).fetch_one(db).await.unwrap();
            counts.push((table, rows));
        }
        let generation: i64 = sqlx::query_scalar("SELECT n FROM cache_generation").fetch_one(db).await.unwrap();
        counts.push(("visible writes".into(), generation));
        counts
    }

    /// A client signed in as a demo user (`dev`, `manager`, `admin`).
    pub async fn signed_in(&self, name: &str) -> Client {
        let password = trainyard::web::demo::users::DEMO_USERS
            .iter()
            .find(|(n, ..)| *n == name)
            .map(|(.., p)| *p)
            .expect("a demo user");
        let client = self.client();
        let res = self.call(&client, sign_in_url(), &[("name", name), ("password", password)]).await;
        assert!(res.status().is_success() || res.status().is_redirection(), "sign-in failed: {}", res.status());
        client
    }
}

/// The address of a server function, as the browser's WebAssembly calls it.
pub fn url<F: leptos::server_fn::ServerFn>() -> &'static str {
    F::url()
}

pub fn sign_in_url() -> &'static str {
    url::<trainyard::features::auth::api::SignIn>()
}

/// The visible text of an HTML page: tags and Leptos's hydration markers removed, spaces
/// collapsed, so assertions read like what a person sees.
pub fn text_of(html: &str) -> String {
    // Scripts are not text a person sees (the islands' data travels in them).
    let mut visible = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        visible.push_str(&rest[..start]);
        rest = rest[start..].find("</script>").map_or("", |end| &rest[start + end + "</script>".len()..]);
    }
    visible.push_str(rest);
    let mut out = String::with_capacity(visible.len() / 2);
    let mut in_tag = false;
    for c in visible.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let collapsed = out.split_whitespace().collect::<Vec<_>>().join(" ");
    // Markers sat between text nodes that render adjacent ("1.10" "." → "1.10.").
    collapsed.replace(" .", ".").replace(" ,", ",").replace("( ", "(").replace(" )", ")")
}

/// The admin policy form with the default cadence, some fields overridden.
pub fn policy_form(overrides: &[(&str, &str)]) -> Vec<(String, String)> {
    let defaults = [
        ("minor_release", "4th Tuesday"),
        ("patch_deadline", "1st Friday"),
        ("patch_target", "2nd Tuesday"),
        ("weekly_qualification", "Wednesday"),
        ("daily_cut_hour", "2"),
        ("branch_cut_days", "14"),
        ("code_freeze_days", "7"),
        ("support_weeks", "6"),
        ("support_successor", "2"),
    ];
    defaults
        .iter()
        .map(|(k, v)| {
            let value = overrides.iter().find(|(o, _)| o == k).map(|(_, v)| *v).unwrap_or(v);
            (format!("policy[{k}]"), value.to_owned())
        })
        .collect()
}

/// Asks `get` until `done` holds of its answer, for at most five seconds (the watcher looks
/// every tenth of one; a loaded machine may be slower); returns the last answer.
pub async fn soon<T, F, Fut>(get: F, done: impl Fn(&T) -> bool) -> T
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let started = std::time::Instant::now();
    loop {
        let answer = get().await;
        if done(&answer) || started.elapsed() > std::time::Duration::from_secs(5) {
            return answer;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
