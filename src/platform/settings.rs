//! Settings from the environment, read once at start.

use std::{env, net::SocketAddr, path::PathBuf};

use leptos::config::LeptosOptions;

/// Why the settings are unusable; `main` prints it and exits.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name}=“{value}” is not valid: {reason}")]
    Invalid { name: &'static str, value: String, reason: String },
}

/// Request bodies larger than this are refused with 413 (the patch form is the largest).
pub const BODY_LIMIT: usize = 256 * 1024;

/// How the publishing outbox waits between attempts; tests shorten it.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub first: std::time::Duration,
    pub max: std::time::Duration,
    /// GitHub asks for mutating calls at least a second apart.
    pub mutation_gap: std::time::Duration,
    /// After this many failed attempts a transient failure stops retrying by itself.
    pub max_attempts: i64,
}

impl Backoff {
    /// The pause after the `attempts`-th failed attempt: doubling from the first, up to the
    /// longest.
    pub fn after(self, attempts: i64) -> chrono::Duration {
        let factor = 2u32.saturating_pow(u32::try_from(attempts - 1).unwrap_or(0).min(16));
        chrono::Duration::from_std(self.first.saturating_mul(factor).min(self.max)).unwrap_or_default()
    }
}

impl Default for Backoff {
    fn default() -> Self {
        use std::time::Duration;
        Self {
            first: Duration::from_secs(2),
            max: Duration::from_secs(600),
            mutation_gap: Duration::from_secs(1),
            max_attempts: 12,
        }
    }
}

/// A secret that never prints.
#[derive(Clone, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Self(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// Where mail goes out, and whom it comes from.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// `smtp://host:port` (plain, a relay on this machine), `smtp://…?tls=required` (STARTTLS)
    /// or `smtps://user:password@host` (TLS); none: no mail is sent.
    pub smtp_url: Option<Secret>,
    /// `Trainyard <trainyard@yard.example>`
    pub from: String,
    /// How long one mail may take to hand over.
    pub timeout: std::time::Duration,
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            smtp_url: None,
            from: "Trainyard <trainyard@localhost>".into(),
            timeout: std::time::Duration::from_secs(15),
        }
    }
}

/// How the notification outbox waits between attempts: a receiver that is down for an hour
/// still gets its messages, a dead one stops being tried after about a day.
pub fn notify_backoff() -> Backoff {
    use std::time::Duration;
    Backoff {
        first: Duration::from_secs(30),
        max: Duration::from_secs(3600),
        mutation_gap: Duration::ZERO,
        max_attempts: 30,
    }
}

/// Where releases are published.
#[derive(Debug, Clone)]
pub struct GitHubSettings {
    /// `owner/name`
    pub repo: Option<(String, String)>,
    pub token: Option<Secret>,
    pub api_url: String,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: String,
    /// Seed demo data into an empty database, and demo users.
    pub demo: bool,
    /// Multiplies the demo history (for the scale benchmark).
    pub demo_scale: u32,
    pub github: GitHubSettings,
    pub site_addr: SocketAddr,
    /// Where `/metrics` is served, apart from the site so that only the network that can reach
    /// this address (a monitoring host, this machine) can read it; none when unset.
    pub metrics_addr: Option<SocketAddr>,
    /// The address people reach the site at (`https://yard.example`), for every absolute
    /// link; never taken from a request's `Host`, which anyone can set.
    pub public_url: Option<String>,
    /// Reverse proxies whose `X-Forwarded-For`/`-Proto` are believed (default: this machine).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    pub site_root: PathBuf,
    /// Run the train's background automation (off in tests that drive it by hand).
    pub background: bool,
    /// The train's timed automation (and the demo's moving data), when `background` is on; off
    /// leaves the publishing worker, so only what people do changes the data.
    pub automation: bool,
    /// A clock pinned to this instant instead of the system's, for browser tests and
    /// screenshots that must show the same days on every run. Never in production: nothing
    /// that waits for time (sessions expiring, sign-in delays running out) ever happens.
    pub pinned_now: Option<chrono::DateTime<chrono::Utc>>,
    /// Initial admin created at start when no admin exists: `name:password`.
    pub initial_admin: Option<(String, Secret)>,
    /// File names under `/pkg` carry content hashes (release builds), so they are cached forever.
    pub hash_files: bool,
    /// How long a client may take to send a request body.
    pub body_timeout: std::time::Duration,
    pub github_timeouts: super::github::GitHubTimeouts,
    pub publish_backoff: Backoff,
    pub mail: MailSettings,
    pub notify_backoff: Backoff,
}

impl Settings {
    /// Reads every `TRAINYARD_*` and `LEPTOS_*` setting, with the embedded defaults.
    pub fn from_env() -> Result<Self, ConfigError> {
        let var = |name: &str| env::var(name).ok().filter(|v| !v.trim().is_empty());
        let flag = |name: &'static str, default: bool| -> Result<bool, ConfigError> {
            match var(name).as_deref().map(str::to_ascii_lowercase).as_deref() {
                None => Ok(default),
                Some("1" | "true" | "yes" | "on") => Ok(true),
                Some("0" | "false" | "no" | "off") => Ok(false),
                Some(other) => Err(ConfigError::Invalid {
                    name,
                    value: other.to_owned(),
                    reason: "use 1/0, true/false, yes/no or on/off".into(),
                }),
            }
        };
        let repo = match var("TRAINYARD_GITHUB_REPO") {
            None => None,
            Some(r) => Some(parse_repository(&r).ok_or_else(|| ConfigError::Invalid {
                name: "TRAINYARD_GITHUB_REPO",
                value: r.clone(),
                reason: "expected owner/name".into(),
            })?),
        };
        let address = "an address and port like 127.0.0.1:3000";
        let site_addr = parsed("LEPTOS_SITE_ADDR", var("LEPTOS_SITE_ADDR"), address)?
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 3000)));
        let demo_scale_text = var("TRAINYARD_DEMO_SCALE").unwrap_or_else(|| "1".into());
        let demo_scale = demo_scale_text.parse::<u32>().ok().filter(|s| (1..=1000).contains(s)).ok_or_else(|| {
            ConfigError::Invalid {
                name: "TRAINYARD_DEMO_SCALE",
                value: demo_scale_text.clone(),
                reason: "a whole number from 1 to 1000".into(),
            }
        })?;
        let initial_admin = match var("TRAINYARD_ADMIN") {
            None => None,
            Some(v) => Some(
                v.split_once(':')
                    .filter(|(n, p)| !n.is_empty() && !p.is_empty())
                    .map(|(n, p)| (n.to_owned(), Secret::new(p.to_owned())))
                    .ok_or_else(|| ConfigError::Invalid {
                        name: "TRAINYARD_ADMIN",
                        value: "(hidden)".into(),
                        reason: "expected name:password".into(),
                    })?,
            ),
        };
        Ok(Self {
            database_url: var("TRAINYARD_DATABASE_URL").unwrap_or_else(|| "sqlite://data/trainyard.db".into()),
            demo: flag("TRAINYARD_DEMO", false)?,
            demo_scale,
            github: GitHubSettings {
                repo,
                token: var("TRAINYARD_GITHUB_TOKEN").map(Secret::new),
                api_url: {
                    let url = var("TRAINYARD_GITHUB_API_URL").unwrap_or_else(|| "https://api.github.com".into());
                    if !(url.starts_with("https://") || url.starts_with("http://")) || url.parse::<http::Uri>().is_err()
                    {
                        return Err(ConfigError::Invalid {
                            name: "TRAINYARD_GITHUB_API_URL",
                            value: url,
                            reason: "expected an http(s) URL".into(),
                        });
                    }
                    url
                },
            },
            site_addr,
            metrics_addr: parsed("TRAINYARD_METRICS_ADDR", var("TRAINYARD_METRICS_ADDR"), address)?,
            public_url: var("TRAINYARD_PUBLIC_URL").map(|u| parse_public_url(&u)).transpose()?,
            trusted_proxies: match var("TRAINYARD_TRUSTED_PROXIES") {
                Some(list) => parse_networks(&list)?,
                None => loopback(),
            },
            site_root: var("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()).into(),
            background: flag("TRAINYARD_BACKGROUND", true)?,
            automation: flag("TRAINYARD_AUTOMATION", true)?,
            pinned_now: parsed("TRAINYARD_NOW", var("TRAINYARD_NOW"), "an RFC 3339 instant like 2026-11-26T10:00:00Z")?,
            initial_admin,
            hash_files: flag("LEPTOS_HASH_FILES", super::assets::hash_file_path().is_some_and(|p| p.exists()))?,
            body_timeout: std::time::Duration::from_secs(10),
            github_timeouts: super::github::GitHubTimeouts::default(),
            publish_backoff: Backoff::default(),
            mail: MailSettings {
                smtp_url: var("TRAINYARD_SMTP_URL").map(Secret::new),
                from: var("TRAINYARD_MAIL_FROM").unwrap_or_else(|| MailSettings::default().from),
                ..MailSettings::default()
            },
            notify_backoff: notify_backoff(),
        })
        .and_then(|settings| {
            super::notify::Mailer::check(&settings.mail)?;
            Ok(settings)
        })
    }

    /// Settings for tests and tools: a given database, everything else default.
    pub fn for_database(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            demo: false,
            demo_scale: 1,
            github: GitHubSettings { repo: None, token: None, api_url: "https://api.github.com".into() },
            site_addr: ([127, 0, 0, 1], 0).into(),
            metrics_addr: None,
            public_url: None,
            trusted_proxies: loopback(),
            site_root: "target/site".into(),
            background: false,
            automation: false,
            pinned_now: None,
            initial_admin: None,
            hash_files: false,
            body_timeout: std::time::Duration::from_secs(10),
            github_timeouts: super::github::GitHubTimeouts::default(),
            publish_backoff: Backoff::default(),
            mail: MailSettings::default(),
            notify_backoff: notify_backoff(),
        }
    }

    /// `scheme://host[:port]` for absolute links: the public URL, else the listen address.
    pub fn public_base(&self) -> String {
        match &self.public_url {
            Some(url) => url.clone(),
            None if self.site_addr.ip().is_unspecified() => format!("http://localhost:{}", self.site_addr.port()),
            None => format!("http://{}", self.site_addr),
        }
    }

    /// The host (and port) of [`Self::public_base`], for calendar UIDs and `webcal:` links.
    pub fn public_host(&self) -> String {
        let base = self.public_base();
        base.split_once("://").map(|(_, rest)| rest.to_owned()).unwrap_or(base)
    }

    /// The Leptos options matching these settings.
    pub fn leptos_options(&self) -> LeptosOptions {
        LeptosOptions::builder()
            .output_name(env::var("LEPTOS_OUTPUT_NAME").unwrap_or_else(|_| "trainyard".into()))
            .site_root(self.site_root.display().to_string())
            .site_pkg_dir("pkg")
            .site_addr(self.site_addr)
            .hash_files(self.hash_files)
            .env(match env::var("LEPTOS_ENV").as_deref() {
                Ok("PROD" | "prod" | "production") => leptos::config::Env::PROD,
                _ => leptos::config::Env::DEV,
            })
            .build()
    }
}

/// A setting's text, when set, read with its type's own parser; the parser's complaint is kept
/// in the message after what was `expected`.
fn parsed<T>(name: &'static str, text: Option<String>, expected: &str) -> Result<Option<T>, ConfigError>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    text.map(|text| {
        text.parse().map_err(|e: T::Err| ConfigError::Invalid {
            name,
            reason: format!("expected {expected}: {e}"),
            value: text,
        })
    })
    .transpose()
}

/// An `http(s)://host[:port]` address without path, query or credentials.
fn parse_public_url(text: &str) -> Result<String, ConfigError> {
    let invalid = |reason: &str| ConfigError::Invalid {
        name: "TRAINYARD_PUBLIC_URL",
        value: text.to_owned(),
        reason: reason.to_owned(),
    };
    let trimmed = text.trim().trim_end_matches('/');
    let uri: http::Uri = trimmed.parse().map_err(|_| invalid("expected a URL like https://yard.example"))?;
    match (uri.scheme_str(), uri.authority()) {
        (Some("http" | "https"), Some(authority))
            if !authority.as_str().contains('@') && uri.path() == "/" && uri.query().is_none() =>
        {
            Ok(trimmed.to_owned())
        }
        _ => Err(invalid("expected http(s)://host[:port], without a path")),
    }
}

/// This machine: a reverse proxy on the same host is the common setup.
fn loopback() -> Vec<ipnet::IpNet> {
    vec!["127.0.0.0/8".parse().expect("a network"), "::1/128".parse().expect("a network")]
}

/// `10.0.0.0/8, 192.168.1.7`: networks or single addresses, comma-separated; `none` for none.
fn parse_networks(text: &str) -> Result<Vec<ipnet::IpNet>, ConfigError> {
    if text.trim().eq_ignore_ascii_case("none") {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse::<ipnet::IpNet>().or_else(|_| t.parse::<std::net::IpAddr>().map(ipnet::IpNet::from)).map_err(|_| {
                ConfigError::Invalid {
                    name: "TRAINYARD_TRUSTED_PROXIES",
                    value: text.to_owned(),
                    reason: format!("“{t}” is not an address or a network like 10.0.0.0/8"),
                }
            })
        })
        .collect()
}

/// What GitHub allows in an owner or repository name; nothing else may reach a URL path.
fn repository_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')
}

/// `owner/name` as its two parts.
pub fn parse_repository(text: &str) -> Option<(String, String)> {
    text.trim()
        .split_once('/')
        .filter(|(o, n)| [o, n].iter().all(|part| !part.is_empty() && part.bytes().all(repository_byte)))
        .map(|(o, n)| (o.to_owned(), n.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_url_is_a_bare_http_address() {
        assert_eq!(parse_public_url("https://yard.example/").unwrap(), "https://yard.example");
        assert_eq!(parse_public_url("http://10.0.0.1:3000").unwrap(), "http://10.0.0.1:3000");
        for bad in ["yard.example", "ftp://yard.example", "https://yard.example/app", "https://u:p@yard.example"] {
            assert!(parse_public_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn trusted_proxies_are_networks_or_addresses() {
        let nets = parse_networks("10.0.0.0/8, 192.168.1.7").unwrap();
        assert!(nets[0].contains(&"10.1.2.3".parse::<std::net::IpAddr>().unwrap()));
        assert!(nets[1].contains(&"192.168.1.7".parse::<std::net::IpAddr>().unwrap()));
        assert!(parse_networks("none").unwrap().is_empty());
        assert!(parse_networks("10.0.0.0/33").is_err());
    }

    #[test]
    fn a_setting_read_by_its_type_names_itself_its_value_and_what_was_expected() {
        let addr: Option<SocketAddr> = parsed("X_ADDR", Some("127.0.0.1:0".into()), "an address").unwrap();
        assert_eq!(addr, Some(SocketAddr::from(([127, 0, 0, 1], 0))));
        assert_eq!(
            parsed::<SocketAddr>("X_ADDR", None, "an address").unwrap(),
            None,
            "unset is no value, not an error"
        );
        let wrong = parsed::<chrono::DateTime<chrono::Utc>>("X_NOW", Some("tomorrow".into()), "an RFC 3339 instant")
            .unwrap_err()
            .to_string();
        assert!(wrong.starts_with("X_NOW=“tomorrow” is not valid: expected an RFC 3339 instant: "), "{wrong}");
    }
}
