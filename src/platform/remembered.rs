//! Answers kept until the next write to the database: what is looked up on every request and
//! changes only when something is written (who a session cookie or an API token belongs to).
//!
//! Everything kept is dropped together when [`Db::writes`](super::db::Db::writes) moves, so an
//! entry can never outlive the write that changed its row, whichever process made it.

use std::{collections::HashMap, sync::RwLock};

/// Past this many entries the map starts over: a bound on memory, not an eviction policy.
const MOST: usize = 10_000;

pub struct Remembered<V> {
    kept: RwLock<Kept<V>>,
}

struct Kept<V> {
    /// The write count the entries were read under.
    writes: u64,
    entries: HashMap<String, V>,
}

impl<V> Default for Remembered<V> {
    fn default() -> Self {
        Self { kept: RwLock::new(Kept { writes: 0, entries: HashMap::new() }) }
    }
}

impl<V: Clone> Remembered<V> {
    /// What was kept for `key`, if nothing has been written since: `writes` is the count now.
    pub fn get(&self, key: &str, writes: u64) -> Option<V> {
        let kept = self.kept.read().expect("remembered lock");
        if kept.writes != writes {
            return None;
        }
        kept.entries.get(key).cloned()
    }

    /// What was kept for `key`, or else what `read` finds, kept. `writes` is the count taken
    /// before `read` runs (a future does nothing until awaited), so a write in between leaves
    /// the answer outdated already.
    pub async fn get_or_read<E>(
        &self,
        key: &str,
        writes: u64,
        read: impl Future<Output = Result<Option<V>, E>>,
    ) -> Result<Option<V>, E> {
        if let Some(kept) = self.get(key, writes) {
            return Ok(Some(kept));
        }
        let found = read.await?;
        if let Some(value) = &found {
            self.put(key.to_owned(), writes, value.clone());
        }
        Ok(found)
    }

    /// Keeps `value`, read from the database after the write count was `writes`. An answer read
    /// under an older count is outdated already and is not kept.
    pub fn put(&self, key: String, writes: u64, value: V) {
        let mut kept = self.kept.write().expect("remembered lock");
        if writes < kept.writes {
            return;
        }
        if writes > kept.writes || kept.entries.len() >= MOST {
            kept.writes = writes;
            kept.entries.clear();
        }
        kept.entries.insert(key, value);
    }
}

#[cfg(test)]
mod tests {
    use super::Remembered;

    #[test]
    fn an_answer_is_kept_until_the_next_write_and_an_older_one_never_is() {
        let kept = Remembered::default();
        kept.put("a".into(), 3, 1);
        assert_eq!(kept.get("a", 3), Some(1));
        assert_eq!(kept.get("b", 3), None);
        assert_eq!(kept.get("a", 4), None, "a write since");
        kept.put("b".into(), 4, 2);
        assert_eq!(kept.get("a", 4), None, "dropped with its count");
        kept.put("a".into(), 3, 1);
        assert_eq!(kept.get("a", 4), None, "read before the last write: not kept");
        assert_eq!(kept.get("b", 4), Some(2));
    }

    #[test]
    fn memory_is_bounded() {
        let kept = Remembered::default();
        for i in 0..super::MOST + 1 {
            kept.put(i.to_string(), 1, i);
        }
        assert!(kept.kept.read().unwrap().entries.len() <= super::MOST);
        assert_eq!(kept.get(&super::MOST.to_string(), 1), Some(super::MOST), "the newest is kept");
    }
}
