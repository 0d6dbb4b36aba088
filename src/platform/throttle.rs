//! Sign-in throttling: repeated failures per account and per address are slowed down with a
//! 429 and `Retry-After` (ASVS 6.3.1). Kept in memory: a restart forgives, which is fine for
//! a limit measured in minutes.

use std::{
    collections::{HashMap, VecDeque},
    sync::Mutex,
};

use chrono::{DateTime, Duration, Utc};

/// How many failures are allowed within the window before sign-in is refused.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub per_account: usize,
    pub per_address: usize,
    pub window: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self { per_account: 5, per_address: 20, window: Duration::minutes(15) }
    }
}

#[derive(Default)]
pub struct LoginThrottle {
    limits: Limits,
    failures: Mutex<HashMap<String, VecDeque<DateTime<Utc>>>>,
}

impl LoginThrottle {
    pub fn new(limits: Limits) -> Self {
        Self { limits, failures: Mutex::default() }
    }

    /// Seconds to wait before `account` may try again from `address`, if it must wait.
    pub fn retry_after(&self, account: &str, address: &str, now: DateTime<Utc>) -> Option<u64> {
        let mut failures = self.failures.lock().expect("throttle lock");
        let keys = [(account_key(account), self.limits.per_account), (address_key(address), self.limits.per_address)];
        keys.into_iter()
            .filter_map(|(key, limit)| {
                let times = failures.get_mut(&key)?;
                while times.front().is_some_and(|t| *t + self.limits.window <= now) {
                    times.pop_front();
                }
                if times.len() < limit {
                    return None;
                }
                let oldest = *times.front()?;
                Some(((oldest + self.limits.window - now).num_seconds().max(1)) as u64)
            })
            .max()
    }

    pub fn record_failure(&self, account: &str, address: &str, now: DateTime<Utc>) {
        let mut failures = self.failures.lock().expect("throttle lock");
        for key in [account_key(account), address_key(address)] {
            failures.entry(key).or_default().push_back(now);
        }
        // Bound memory under a spray of names: forget the oldest accounts first.
        if failures.len() > 100_000 {
            failures.retain(|_, times| times.back().is_some_and(|t| *t + self.limits.window > now));
        }
    }

    /// A successful sign-in clears the account's failures (not the address's).
    pub fn record_success(&self, account: &str) {
        self.failures.lock().expect("throttle lock").remove(&account_key(account));
    }
}

fn account_key(account: &str) -> String {
    format!("a:{}", account.trim().to_lowercase())
}

fn address_key(address: &str) -> String {
    format!("ip:{address}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn the_sixth_failure_in_a_window_is_refused_until_the_window_passes() {
        let throttle = LoginThrottle::default();
        let now = t("2026-11-26T10:00:00Z");
        for _ in 0..5 {
            assert_eq!(throttle.retry_after("Bob", "1.2.3.4", now), None);
            throttle.record_failure("bob", "1.2.3.4", now);
        }
        assert_eq!(throttle.retry_after("BOB", "5.6.7.8", now), Some(900));
        assert_eq!(throttle.retry_after("bob", "1.2.3.4", now + Duration::minutes(10)), Some(300));
        assert_eq!(throttle.retry_after("bob", "1.2.3.4", now + Duration::minutes(15)), None);
    }

    #[test]
    fn one_address_spraying_many_accounts_is_limited() {
        let throttle = LoginThrottle::default();
        let now = t("2026-11-26T10:00:00Z");
        for i in 0..20 {
            throttle.record_failure(&format!("user{i}"), "9.9.9.9", now);
        }
        assert!(throttle.retry_after("someone-else", "9.9.9.9", now).is_some());
        assert_eq!(throttle.retry_after("someone-else", "8.8.8.8", now), None);
    }

    #[test]
    fn success_forgives_the_account() {
        let throttle = LoginThrottle::default();
        let now = t("2026-11-26T10:00:00Z");
        for _ in 0..5 {
            throttle.record_failure("bob", "1.1.1.1", now);
        }
        throttle.record_success("bob");
        assert_eq!(throttle.retry_after("bob", "2.2.2.2", now), None);
    }
}
