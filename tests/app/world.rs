//! Fixture builders: a test states its own world through the product's own doors (the first
//! admin added as the command line adds it, then the admin's forms, the CI API and people's
//! server functions over HTTP), never by writing to the database.

use chrono::{DateTime, Utc};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use trainyard::{
    domain::access::{Principal, Role},
    features::{
        admin::api::{CreateToken, CreateUser, RecordRelease},
        auth::service as auth,
        shipping::api::{LoadReleaseControl, RunTrainNow},
    },
};

use crate::harness::{Options, TestApp, sign_in_url, url};

const ADMIN_PASSWORD: &str = "the first admin's password";

/// The releases of the project most tests start from: monthlies from July 2026 (1.8.0) to
/// November (1.12.0), with a patch on 1.9, 1.10 and 1.11.
pub const PROJECT_HISTORY: [(&str, &str); 8] = [
    ("1.8.0", "2026-07-28"),
    ("1.9.0", "2026-08-25"),
    ("1.9.1", "2026-09-08"),
    ("1.10.0", "2026-09-22"),
    ("1.10.1", "2026-10-13"),
    ("1.11.0", "2026-10-27"),
    ("1.11.1", "2026-11-10"),
    ("1.12.0", "2026-11-24"),
];

/// An empty Trainyard with its first admin signed in.
pub struct World {
    pub app: TestApp,
    pub admin: Client,
    /// Everyone signed in, to sign them in again when the clock jumps past their session.
    people: std::sync::Mutex<Vec<(String, String, Client)>>,
}

impl World {
    /// An empty database, as a project starts: one admin, added on the command line.
    pub async fn new() -> Self {
        Self::with(Options { demo: false, ..Options::default() }).await
    }

    /// A project a few months into its train, on Thursday 26 November 2026, under the default
    /// policy (minors on the 4th Tuesday, patches on the 2nd Tuesday with the deadline on the
    /// 1st Friday, a line supported until six weeks after the minor two lines later):
    /// - 1.8 shipped in July and reached its end of life on 3 November;
    /// - 1.9 (August) ends on 8 December, before its next patch slot;
    /// - 1.10 (September, 1.10.1 in October) ends on 5 January: one more patch, 1.10.2;
    /// - 1.11 (October, 1.11.1 in November) and 1.12 (24 November) are supported;
    /// - the December slot is 8 December (deadline 4 December) and 1.13.0 is due 22 December.
    pub async fn project() -> Self {
        Self::project_with(Options::default()).await
    }

    /// The same project, on a server configured by `options`.
    pub async fn project_with(options: Options) -> Self {
        let world = Self::with(options).await;
        world.history(&PROJECT_HISTORY).await;
        world
    }

    pub async fn with(options: Options) -> Self {
        let app = TestApp::spawn_with(Options { demo: false, ..options }).await;
        auth::create_user(
            &app.state,
            &Principal::System("command line"),
            "root",
            Role::Admin,
            ADMIN_PASSWORD.into(),
            false,
        )
        .await
        .expect("the first admin");
        let admin = sign_in(&app, "root", ADMIN_PASSWORD).await;
        let people = std::sync::Mutex::new(vec![("root".to_owned(), ADMIN_PASSWORD.to_owned(), admin.clone())]);
        Self { app, admin, people }
    }

    /// Today is `when` (RFC 3339, or a date meaning 10:00 UTC that day). Sessions would expire
    /// over a jump of days; everyone signs in again, as they would each morning.
    pub async fn today_is(&self, when: &str) {
        let at = if when.len() == 10 { format!("{when}T10:00:00Z") } else { when.to_owned() };
        self.app.clock.set(at.parse::<DateTime<Utc>>().expect("a time"));
        let people = self.people.lock().unwrap().clone();
        for (name, password, client) in people {
            let res = self.app.call(&client, sign_in_url(), &[("name", &name), ("password", &password)]).await;
            assert!(res.status().is_success(), "{name} signs in again");
        }
    }

    /// A person the admin adds with `role` (developer, release_manager, admin), signed in.
    pub async fn person(&self, name: &str, role: &str) -> Client {
        let password = format!("{name}'s long password");
        let res = self
            .app
            .call(&self.admin, url::<CreateUser>(), &[("name", name), ("role", role), ("password", &password)])
            .await;
        assert!(res.status().is_success(), "adding {name}: {}", res.text().await.unwrap());
        let client = sign_in(&self.app, name, &password).await;
        self.people.lock().unwrap().push((name.to_owned(), password, client.clone()));
        client
    }

    /// The client of someone already signed in.
    pub fn signed_in(&self, name: &str) -> Client {
        let people = self.people.lock().unwrap();
        people
            .iter()
            .find(|(n, ..)| n == name)
            .map(|(.., c)| c.clone())
            .unwrap_or_else(|| panic!("{name} is not signed in"))
    }

    /// A CI token the admin creates, and a client that reports with it.
    pub async fn ci(&self) -> Ci {
        let res = self.app.call(&self.admin, url::<CreateToken>(), &[("name", "ci"), ("scope", "ci")]).await;
        assert!(res.status().is_success(), "creating the CI token");
        let token: String = res.json().await.unwrap();
        Ci { base: self.app.url(""), token }
    }

    /// A release that shipped before Trainyard ran the train, as the admin records it.
    pub async fn shipped(&self, version: &str, date: &str) {
        let res = self
            .app
            .call(&self.admin, url::<RecordRelease>(), &[("version", version), ("date", date), ("commit", "")])
            .await;
        assert!(res.status().is_success(), "recording {version}: {}", res.text().await.unwrap());
    }

    /// Several shipped releases, `(version, date)`.
    pub async fn history(&self, releases: &[(&str, &str)]) {
        for (version, date) in releases {
            self.shipped(version, date).await;
        }
    }

    /// A release manager runs the train's automation now; returns what it did.
    pub async fn run_train(&self, manager: &Client) -> String {
        let res = self.app.call(manager, url::<RunTrainNow>(), &[]).await;
        assert!(res.status().is_success(), "running the train: {}", res.status());
        res.json().await.unwrap()
    }

    /// Calls a server function and returns its status and JSON answer.
    pub async fn act(&self, who: &Client, fn_url: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
        let res = self.app.call(who, fn_url, form).await;
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// The visible text of a page, as `who` sees it.
    pub async fn page(&self, who: &Client, path: &str) -> String {
        let res = who.get(self.app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        crate::harness::text_of(&res.text().await.unwrap())
    }

    /// A release (by version or slot) as its page's controls show it to the admin.
    pub async fn release(&self, name: &str) -> Value {
        let (status, body) = self.act(&self.admin, url::<LoadReleaseControl>(), &[("name", name)]).await;
        assert_eq!(status, StatusCode::OK, "{name}: {body}");
        body
    }

    pub async fn json(&self, path: &str) -> Value {
        let (status, body) = self.app.get_json(path).await;
        assert_eq!(status, 200, "{path}: {body}");
        body
    }
}

pub async fn sign_in(app: &TestApp, name: &str, password: &str) -> Client {
    let client = app.client();
    let res = app.call(&client, sign_in_url(), &[("name", name), ("password", password)]).await;
    assert!(res.status().is_success() || res.status().is_redirection(), "sign-in of {name}: {}", res.status());
    client
}

/// CI, reporting through the builds API with its token.
pub struct Ci {
    base: String,
    pub token: String,
}

impl Ci {
    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let res = Client::new()
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Reports a build (its branch and cut time are in its name).
    pub async fn build(&self, name: &str, commit: &str) {
        let (status, body) = self.post("/api/v1/builds", json!({"name": name, "commit": commit})).await;
        assert!(status == StatusCode::CREATED || status == StatusCode::OK, "{name}: {body}");
    }

    pub async fn result(&self, build: &str, suite: &str, status: &str) {
        let (code, body) = self
            .post(
                &format!("/api/v1/builds/{build}/results"),
                json!({"suite": suite, "status": status, "link": "https://ci.example.com/run/1"}),
            )
            .await;
        assert_eq!(code, StatusCode::OK, "{build} {suite}: {body}");
    }

    /// A build and its functional result.
    pub async fn tested(&self, name: &str, commit: &str, functional: &str) {
        self.build(name, commit).await;
        self.result(name, "functional", functional).await;
    }
}

/// A full commit SHA made of one repeated hex digit, for readable tests.
pub fn sha(digit: char) -> String {
    std::iter::repeat_n(digit, 40).collect()
}
