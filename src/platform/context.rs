//! The context of a server function or a page render: the shared state, who is calling, and
//! the facts of the request behind the call (scheme, client address, how it was posted), plus
//! the cookie writes of its response.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use http::{HeaderMap, HeaderValue, header, request::Parts};
use ipnet::IpNet;
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use super::state::AppState;
use crate::{domain::access::Principal, error::AppError};

/// What a server function needs to do its work.
pub struct Context {
    pub state: AppState,
    pub caller: Principal,
}

/// The state and the caller of the current server function or page render.
pub fn context() -> Result<Context, AppError> {
    let state = use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the Leptos context");
        AppError::Internal
    })?;
    Ok(Context { state, caller: caller() })
}

/// Who made the request being handled; anonymous outside a request.
pub fn caller() -> Principal {
    request_parts().and_then(|parts| parts.extensions.get::<Principal>().cloned()).unwrap_or(Principal::Anonymous)
}

/// The request behind the current server function or render.
pub fn request_parts() -> Option<Parts> {
    use_context::<Parts>()
}

/// Where a request came from, as far as this server can tell: the client's address and whether
/// it used HTTPS. `X-Forwarded-For` and `X-Forwarded-Proto` count only when the connection
/// comes from a trusted proxy; anyone else could write them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestOrigin {
    pub client: IpAddr,
    pub https: bool,
}

impl RequestOrigin {
    pub fn of(headers: &HeaderMap, peer: IpAddr, trusted: &[IpNet]) -> Self {
        let trusts = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
        if !trusts(&peer) {
            return Self { client: peer, https: false };
        }
        // Each proxy appends the address it heard from: walking back from the nearest, the
        // client is the first address no trusted proxy stands for.
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        let mut client = peer;
        for hop in hops.iter().rev() {
            match hop.parse::<IpAddr>() {
                Ok(ip) => {
                    client = ip;
                    if !trusts(&ip) {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
        let proto = headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok());
        Self { client, https: proto.is_some_and(|p| p.trim().eq_ignore_ascii_case("https")) }
    }
}

/// The origin of the request behind the current server function or render.
fn request_origin() -> Option<RequestOrigin> {
    let parts = request_parts()?;
    parts.extensions.get::<RequestOrigin>().copied().or_else(|| {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>()?.0.ip();
        Some(RequestOrigin { client: peer, https: false })
    })
}

/// Whether the current request came over HTTPS.
pub fn request_is_https() -> bool {
    request_origin().is_some_and(|o| o.https)
}

/// The client's address, for throttling and logs.
pub fn client_address() -> String {
    request_origin().map(|o| o.client.to_string()).unwrap_or_else(|| "unknown".into())
}

/// True when a plain HTML form (no JavaScript) made this call: errors then go back to the page
/// in its URL, since the page cannot read a response body.
pub fn is_plain_form_post() -> bool {
    request_parts()
        .and_then(|p| p.headers.get(header::ACCEPT)?.to_str().ok().map(|a| a.contains("text/html")))
        .unwrap_or(false)
}

/// Adds a `Set-Cookie` header to the response.
pub fn set_cookie(value: HeaderValue) {
    if let Some(options) = use_context::<ResponseOptions>() {
        options.append_header(header::SET_COOKIE, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(peer: &str, forwarded_for: Option<&str>, proto: Option<&str>) -> RequestOrigin {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let mut headers = HeaderMap::new();
        if let Some(f) = forwarded_for {
            headers.insert("x-forwarded-for", HeaderValue::from_str(f).unwrap());
        }
        if let Some(p) = proto {
            headers.insert("x-forwarded-proto", HeaderValue::from_str(p).unwrap());
        }
        RequestOrigin::of(&headers, peer.parse().unwrap(), &trusted)
    }

    #[test]
    fn forwarded_headers_count_only_from_a_trusted_proxy() {
        let direct = origin("203.0.113.9", Some("1.2.3.4"), Some("https"));
        assert_eq!(direct, RequestOrigin { client: "203.0.113.9".parse().unwrap(), https: false });
        let proxied = origin("10.0.0.2", Some("1.2.3.4"), Some("https"));
        assert_eq!(proxied, RequestOrigin { client: "1.2.3.4".parse().unwrap(), https: true });
    }

    #[test]
    fn the_client_is_the_nearest_address_no_trusted_proxy_stands_for() {
        // The client forged the first entry; our two proxies appended the rest.
        let chain = origin("10.0.0.2", Some("6.6.6.6, 1.2.3.4, 10.0.0.7"), None);
        assert_eq!(chain.client, "1.2.3.4".parse::<IpAddr>().unwrap());
        let garbage = origin("10.0.0.2", Some("not-an-address"), None);
        assert_eq!(garbage.client, "10.0.0.2".parse::<IpAddr>().unwrap());
    }
}
