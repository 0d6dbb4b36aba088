//! Whole responses kept in memory for reads, so the pages stakeholders open thousands of times a
//! day are rendered once per change instead of once per request.
//!
//! An entry is valid for one database generation and one calendar day: any committed write (by
//! this process or another on the same file), or
//! midnight UTC, empties the cache, so nothing stale is ever served. Memory is bounded by a byte
//! budget, oldest entries first. The middleware that fills it is in `web::cache`.

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
};

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
}

impl PageCache {
    pub fn new(budget: usize) -> Self {
        Self { budget, inner: Mutex::default() }
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
