//! Sign-in throttling (ASVS 6.3.1). Every attempt is counted before its password is hashed, so
//! guesses sent in parallel are counted as they arrive, and only one hash (19 MiB) runs
//! at once. An address that fails too often waits out the window; an account that fails too
//! often is slowed down, one attempt per growing delay, so a stranger who knows a name cannot
//! lock its owner out. Kept in memory: a restart forgives, fine for a limit of minutes.

use std::{
    collections::{HashMap, VecDeque},
    sync::Mutex,
};

use chrono::{DateTime, Duration, Utc};
use tokio::sync::{Semaphore, SemaphorePermit};

/// How many failures are allowed within the window before sign-in is slowed or refused.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub per_account: usize,
    pub per_address: usize,
    pub window: Duration,
    /// The longest an account waits between attempts once it is over its limit.
    pub max_delay: Duration,
    /// Password hashes that may run at once. Each takes 19 MiB and a core for a few tens of
    /// milliseconds; one at a time still signs in a score of people a second, and keeps the
    /// server's peak memory inside its 100 MB budget when guesses arrive in parallel.
    pub hashes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            per_account: 5,
            per_address: 20,
            window: Duration::minutes(15),
            max_delay: Duration::minutes(1),
            hashes: 1,
        }
    }
}

pub struct LoginThrottle {
    limits: Limits,
    attempts: Mutex<HashMap<String, VecDeque<DateTime<Utc>>>>,
    hashing: Semaphore,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self::new(Limits::default())
    }
}

/// An attempt counted against an account and an address until it succeeds.
#[derive(Debug)]
pub struct Attempt {
    account: String,
    address: String,
    at: DateTime<Utc>,
}

impl LoginThrottle {
    pub fn new(limits: Limits) -> Self {
        Self { limits, attempts: Mutex::default(), hashing: Semaphore::new(limits.hashes) }
    }

    /// Counts an attempt by `account` from `address`, or says how many seconds to wait first.
    pub fn reserve(&self, account: &str, address: &str, now: DateTime<Utc>) -> Result<Attempt, u64> {
        let (account, address) = (account_key(account), address_key(address));
        let mut attempts = self.attempts.lock().expect("throttle lock");
        let window = self.limits.window;
        // How many attempts the window still holds for `key`, with the oldest and the newest.
        let mut recent = |key: &str| {
            let times = attempts.entry(key.to_owned()).or_default();
            while times.front().is_some_and(|t| *t + window <= now) {
                times.pop_front();
            }
            (times.len(), times.front().copied(), times.back().copied())
        };
        let (by_address, oldest, _) = recent(&address);
        let (by_account, _, newest) = recent(&account);
        let address_wait =
            (by_address >= self.limits.per_address).then(|| oldest.map(|oldest| oldest + window - now)).flatten();
        let account_wait = by_account.checked_sub(self.limits.per_account).and_then(|over| {
            let delay = Duration::seconds(1i64 << over.min(16)).min(self.limits.max_delay);
            newest.map(|newest| newest + delay - now).filter(|wait| *wait > Duration::zero())
        });
        if let Some(wait) = address_wait.into_iter().chain(account_wait).max() {
            return Err(wait.num_seconds().max(1) as u64);
        }
        for key in [&account, &address] {
            attempts.entry(key.clone()).or_default().push_back(now);
        }
        // Bound memory under a spray of names: forget what the window no longer holds.
        if attempts.len() > 100_000 {
            attempts.retain(|_, times| times.back().is_some_and(|t| *t + window > now));
        }
        Ok(Attempt { account, address, at: now })
    }

    /// A successful sign-in forgives the account its failures and the address this attempt.
    pub fn succeeded(&self, attempt: &Attempt) {
        let mut attempts = self.attempts.lock().expect("throttle lock");
        attempts.remove(&attempt.account);
        remove_one(&mut attempts, &attempt.address, attempt.at);
    }

    /// An attempt that was never checked (the server was busy) does not count.
    pub fn withdraw(&self, attempt: &Attempt) {
        let mut attempts = self.attempts.lock().expect("throttle lock");
        remove_one(&mut attempts, &attempt.account, attempt.at);
        remove_one(&mut attempts, &attempt.address, attempt.at);
    }

    /// A turn to hash a password, if one is free now.
    pub fn hashing_turn(&self) -> Option<SemaphorePermit<'_>> {
        self.hashing.try_acquire().ok()
    }
}

fn remove_one(attempts: &mut HashMap<String, VecDeque<DateTime<Utc>>>, key: &str, at: DateTime<Utc>) {
    if let Some(times) = attempts.get_mut(key)
        && let Some(i) = times.iter().rposition(|t| *t == at)
    {
        times.remove(i);
    }
}

/// Names longer than any account's are cut: they cannot match one, and keys stay small.
fn account_key(account: &str) -> String {
    let name: String = account.trim().chars().take(64).collect();
    format!("a:{}", name.to_lowercase())
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
    fn past_five_failures_an_account_is_slowed_down_not_locked_out() {
        let throttle = LoginThrottle::default();
        let now = t("2026-11-26T10:00:00Z");
        for _ in 0..5 {
            throttle.reserve("Bob", "1.2.3.4", now).expect("within the limit");
        }
        assert_eq!(throttle.reserve("BOB", "5.6.7.8", now).unwrap_err(), 1);
        let later = now + Duration::seconds(1);
        throttle.reserve("bob", "5.6.7.8", later).expect("a second later, one more try");
        assert_eq!(throttle.reserve("bob", "5.6.7.8", later).unwrap_err(), 2, "the delay doubles");
        // However many failures, the owner never waits more than a minute between tries.
        let mut at = later;
        for _ in 0..20 {
            at += Duration::minutes(1);
            throttle.reserve("bob", "9.9.9.9", at).expect("one try a minute always gets through");
        }
    }

    #[test]
    fn one_address_spraying_many_accounts_is_refused_until_the_window_passes() {
        let throttle = LoginThrottle::default();
        let now = t("2026-11-26T10:00:00Z");
        for i in 0..20 {
            throttle.reserve(&format!("user{i}"), "9.9.9.9", now).unwrap();
        }
        assert_eq!(throttle.reserve("someone-else", "9.9.9.9", now).unwrap_err(), 900);
        assert!(throttle.reserve("someone-else", "8.8.8.8", now).is_ok());
        assert!(throttle.reserve("another", "9.9.9.9", now + Duration::minutes(15)).is_ok());
    }

    #[test]
    fn success_forgives_the_account_and_its_own_attempt() {
        let throttle = LoginThrottle::default();
        let now = t("2026-11-26T10:00:00Z");
        for _ in 0..4 {
            throttle.reserve("bob", "1.1.1.1", now).unwrap();
        }
        let attempt = throttle.reserve("bob", "1.1.1.1", now).unwrap();
        throttle.succeeded(&attempt);
        for _ in 0..5 {
            throttle.reserve("bob", "2.2.2.2", now).expect("the account starts afresh");
        }
    }

    #[test]
    fn only_a_few_hashes_run_at_once() {
        let throttle = LoginThrottle::default();
        let turns: Vec<_> =
            (0..Limits::default().hashes).map(|_| throttle.hashing_turn().expect("a free turn")).collect();
        assert!(throttle.hashing_turn().is_none());
        drop(turns);
        assert!(throttle.hashing_turn().is_some());
    }
}
