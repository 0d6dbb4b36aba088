//! The session cookie: its names, how it is set and cleared, and how it is read back.

use chrono::Duration;
use http::{HeaderMap, HeaderValue, header};

/// A session ends after this long without a request…
pub const IDLE_TIMEOUT: Duration = Duration::hours(12);
/// …and at the latest this long after sign-in (ASVS 7.3.1/7.3.2).
pub const ABSOLUTE_TIMEOUT: Duration = Duration::days(7);

pub const COOKIE: &str = "trainyard_session";
/// The cookie name over HTTPS: the `__Host-` prefix pins it to this host and path `/`.
pub const SECURE_COOKIE: &str = "__Host-trainyard_session";

/// The `Set-Cookie` value that starts a session.
pub fn session_cookie(secret: &str, https: bool) -> HeaderValue {
    let name = if https { SECURE_COOKIE } else { COOKIE };
    let secure = if https { "; Secure" } else { "" };
    let max_age = ABSOLUTE_TIMEOUT.num_seconds();
    HeaderValue::from_str(&format!("{name}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"))
        .expect("hex secret is a valid header")
}

/// The `Set-Cookie` value that ends it in the browser.
pub fn clearing_cookie(https: bool) -> HeaderValue {
    let name = if https { SECURE_COOKIE } else { COOKIE };
    let secure = if https { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"))
        .expect("static cookie")
}

/// The session secret from the cookie header, if any: over HTTPS only the `__Host-` cookie
/// counts (a plain one could have been planted by another site on the same domain).
pub fn session_secret(headers: &HeaderMap, https: bool) -> Option<String> {
    let wanted = if https { SECURE_COOKIE } else { COOKIE };
    cookies(headers).find(|(name, value)| *name == wanted && !value.is_empty()).map(|(_, value)| value.to_owned())
}

/// True when the request carries a session cookie of either name (its page may be personal).
pub fn carries_session(headers: &HeaderMap) -> bool {
    cookies(headers).any(|(name, value)| (name == COOKIE || name == SECURE_COOKIE) && !value.is_empty())
}

fn cookies(headers: &HeaderMap) -> impl Iterator<Item = (&str, &str)> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
}
