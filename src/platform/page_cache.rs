//! Whole responses kept in memory for reads, so the pages stakeholders open thousands of times a
//! day are rendered once per change instead of once per request.
//!
//! An entry is valid for one database generation and one calendar day: any committed write (by
//! this process or another on the same file), or
//! midnight UTC, empties the cache, so nothing stale is ever served. Memory is bounded by a byte
//! budget, oldest entries first. The middleware that fills it is in `web::cache`.
//!
//! After a write empties it, the requests already waiting for a page would all render it at
//! once; instead the first renders and the others wait for its entry ([`PageCache::turn`]).

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
};

use tokio::sync::{Notify, Semaphore, SemaphorePermit};

use axum::http::{HeaderMap, StatusCode};
use bytes::Bytes;
use chrono::NaiveDate;

/// Responses larger than this are not cached.
pub const MAX_ENTRY: usize = 2 * 1024 * 1024;

/// Whose response this is: path and query, who is looking, and the encoding it is stored in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub path_and_query: String,
    pub viewer: String,
    pub encoding: &'static str,
}

/// A finished response, compressed and with its headers.
pub struct Entry {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

#[derive(Default)]
struct Inner {
    generation: u64,
    day: Option<NaiveDate>,
    bytes: usize,
    order: VecDeque<Key>,
    entries: HashMap<Key, Arc<Entry>>,
}

pub struct PageCache {
    budget: usize,
    inner: Mutex<Inner>,
    /// Keys being rendered now, and how to wake those waiting for them.
    rendering: Mutex<HashMap<Key, Arc<Notify>>>,
    /// Misses rendering at once. Rendering is CPU work: more at once than the cores can run
    /// finish no sooner, and each holds its page's data and HTML meanwhile (32 cache misses of
    /// a big page at once held tens of megabytes).
    renders: Semaphore,
}

/// Whose turn it is to render a missing page.
pub enum Turn<'a> {
    /// Render it; the guard wakes the others when dropped, stored or not.
    Render(Rendering<'a>),
    /// Another request is rendering it: wait, then look again.
    Wait(Arc<Notify>),
}

/// Held by the one request rendering a key.
pub struct Rendering<'a> {
    cache: &'a PageCache,
    key: Key,
}

impl Drop for Rendering<'_> {
    fn drop(&mut self) {
        let mut rendering = self.cache.rendering.lock().expect("rendering lock");
        if let Some(done) = rendering.remove(&self.key) {
            done.notify_waiters();
        }
    }
}

impl PageCache {
    pub fn new(budget: usize, renders_at_once: usize) -> Self {
        Self {
            budget,
            inner: Mutex::default(),
            rendering: Mutex::default(),
            renders: Semaphore::new(renders_at_once.max(1)),
        }
    }

    /// Waits for a render's turn; the render goes on while the permit is held.
    pub async fn render_permit(&self) -> SemaphorePermit<'_> {
        self.renders.acquire().await.expect("the semaphore is never closed")
    }

    /// Claims the render of `key`, or says who has it. A waiter must call
    /// `Notify::notified` before the renderer can finish: [`PageCache::wait`] does.
    pub fn turn(&self, key: &Key) -> Turn<'_> {
        let mut rendering = self.rendering.lock().expect("rendering lock");
        match rendering.get(key) {
            Some(notify) => Turn::Wait(notify.clone()),
            None => {
                rendering.insert(key.clone(), Arc::new(Notify::new()));
                Turn::Render(Rendering { cache: self, key: key.clone() })
            }
        }
    }

    /// Waits until the render of `key` that `notify` belongs to is over, or `limit` passes.
    pub async fn wait(&self, key: &Key, notify: Arc<Notify>, limit: std::time::Duration) {
        let notified = notify.notified();
        tokio::pin!(notified);
        {
            // Registered under the lock the renderer takes to finish: no wake-up is lost.
            let rendering = self.rendering.lock().expect("rendering lock");
            if !rendering.get(key).is_some_and(|n| Arc::ptr_eq(n, &notify)) {
                return;
            }
            notified.as_mut().enable();
        }
        let _ = tokio::time::timeout(limit, notified).await;
    }

    pub fn get(&self, key: &Key, generation: u64, day: NaiveDate) -> Option<Arc<Entry>> {
        let mut inner = self.inner.lock().expect("cache lock");
        if inner.generation != generation || inner.day != Some(day) {
            *inner = Inner { generation, day: Some(day), ..Inner::default() };
            return None;
        }
        inner.entries.get(key).cloned()
    }

    pub fn put(&self, key: Key, entry: Entry, generation: u64, day: NaiveDate) {
        let size = entry.body.len() + key.path_and_query.len();
        let mut inner = self.inner.lock().expect("cache lock");
        // A write committed while this response was rendered: it may be stale, drop it.
        if inner.generation != generation || inner.day != Some(day) {
            return;
        }
        while inner.bytes + size > self.budget {
            let Some(oldest) = inner.order.pop_front() else { break };
            if let Some(old) = inner.entries.remove(&oldest) {
                inner.bytes -= old.body.len() + oldest.path_and_query.len();
            }
        }
        if let Some(old) = inner.entries.insert(key.clone(), Arc::new(entry)) {
            inner.bytes -= old.body.len() + key.path_and_query.len();
        } else {
            inner.order.push_back(key);
        }
        inner.bytes += size;
    }
}

#[cfg(test)]
mod tests {
    use std::{sync::Arc, time::Duration};

    use super::{Key, PageCache, Turn};

    fn key(path: &str) -> Key {
        Key { path_and_query: path.into(), viewer: "anon".into(), encoding: "identity" }
    }

    #[tokio::test]
    async fn one_request_renders_a_missing_page_and_the_others_wait_for_it() {
        let cache = Arc::new(PageCache::new(1024, 2));
        let Turn::Render(rendering) = cache.turn(&key("/a")) else { panic!("the first renders") };
        let Turn::Wait(notify) = cache.turn(&key("/a")) else { panic!("the second waits") };
        assert!(matches!(cache.turn(&key("/b")), Turn::Render(_)), "another page is not held up");

        let waiter = {
            let cache = cache.clone();
            tokio::spawn(async move { cache.wait(&key("/a"), notify, Duration::from_secs(30)).await })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiter.is_finished(), "waits while the render runs");
        drop(rendering);
        tokio::time::timeout(Duration::from_secs(5), waiter).await.expect("woken when it ends").unwrap();
        assert!(matches!(cache.turn(&key("/a")), Turn::Render(_)), "the next miss renders again");
    }
}
