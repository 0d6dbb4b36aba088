//! The SQLite file: a pool of readers, one writer, embedded migrations.
//!
//! SQLite allows one writer at a time. Writes go through a single-connection pool and start
//! with `BEGIN IMMEDIATE`, so they queue in our process instead of failing with
//! `database is locked`; readers use WAL snapshots and never wait for the writer.
//!
//! Read caches compare a generation number. Every write that changes what a page shows
//! increments a row in the same transaction, whichever process makes it (this server, the
//! command line, a second server), and [`Db::generation`] reads that row whenever SQLite says the
//! file changed, so a cache never outlives a committed write.

use std::{
    ops::{Deref, DerefMut},
    str::FromStr,
    sync::Arc,
    time::{Duration, Instant},
};

use prometheus_client::metrics::histogram::Histogram;
use sqlx::{
    Connection, Sqlite, SqliteConnection, SqlitePool, Transaction,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};
use tokio::sync::Mutex;

use crate::error::AppError;

/// Why the database could not be opened; `main` prints it and exits.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("TRAINYARD_DATABASE_URL “{url}” is not a SQLite URL: {source}")]
    Url { url: String, source: sqlx::Error },
    #[error("could not create the folder for the database file {path}: {source}")]
    Folder { path: String, source: std::io::Error },
    #[error("could not open the database {url}: {source}")]
    Open { url: String, source: sqlx::Error },
    #[error("a database migration failed, so the server will not start: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Handles to the database, cheap to clone.
#[derive(Clone)]
pub struct Db {
    read: SqlitePool,
    write: SqlitePool,
    watch: Arc<Mutex<Watch>>,
    /// How long write transactions take, waiting for the writer included.
    write_seconds: Histogram,
}

/// A connection of its own that notices commits from every process.
struct Watch {
    conn: SqliteConnection,
    /// When the last check started; a request that arrived before it can share its answer.
    checked: Option<Instant>,
    /// SQLite's `data_version`: changes when any other connection commits, quiet writes included.
    data_version: i64,
    /// The stored generation row as last read.
    row: i64,
    /// What callers see: changes exactly when the row does (or cannot be read).
    generation: u64,
}

impl Watch {
    async fn open(options: &SqliteConnectOptions) -> Result<Self, sqlx::Error> {
        let mut conn = SqliteConnection::connect_with(options).await?;
        let data_version = sqlx::query_scalar("PRAGMA data_version").fetch_one(&mut conn).await?;
        let row = sqlx::query_scalar("SELECT n FROM cache_generation").fetch_one(&mut conn).await?;
        Ok(Self { conn, checked: None, data_version, row, generation: 1 })
    }

    /// Looks again: a cheap `data_version` first, the row only when something committed.
    async fn check(&mut self) -> Result<(), sqlx::Error> {
        let data_version: i64 = sqlx::query_scalar("PRAGMA data_version").fetch_one(&mut self.conn).await?;
        if data_version == self.data_version {
            return Ok(());
        }
        self.data_version = data_version;
        let row: i64 = sqlx::query_scalar("SELECT n FROM cache_generation").fetch_one(&mut self.conn).await?;
        if row != self.row {
            self.row = row;
            self.generation += 1;
        }
        Ok(())
    }
}

impl Db {
    /// Opens (creating if missing) the database at `url` and applies pending migrations.
    pub async fn open(url: &str) -> Result<Self, DbError> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|source| DbError::Url { url: url.to_owned(), source })?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // WAL + NORMAL survives a killed process (the OS keeps the WAL); only a power
            // cut can lose the last commits, never corrupt the file.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // 1 MiB of page cache per connection: the working set is small, and memory is a
            // budget the benchmark holds the server to.
            .pragma("cache_size", "-1024");
        let filename = options.get_filename().to_owned();
        if let Some(parent) = filename.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|source| DbError::Folder { path: parent.display().to_string(), source })?;
        }
        let open = |source| DbError::Open { url: url.to_owned(), source };
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.clone())
            .await
            .map_err(open)?;
        sqlx::migrate!("./migrations").run(&write).await?;
        // Readers beyond the cores add memory, not speed: reads are cached above the database.
        let read = SqlitePoolOptions::new()
            .max_connections(4)
            .min_connections(1)
            .connect_with(options.clone().read_only(true))
            .await
            .map_err(open)?;
        let watch = Watch::open(&options.read_only(true)).await.map_err(open)?;
        Ok(Self { read, write, watch: Arc::new(Mutex::new(watch)), write_seconds: super::metrics::latency() })
    }

    /// The pool for queries that only read.
    pub fn reader(&self) -> &SqlitePool {
        &self.read
    }

    /// Starts a write transaction (`BEGIN IMMEDIATE`); commit it with [`WriteTx::commit`].
    ///
    /// Never hold one across a network call: every other writer waits for it.
    pub async fn begin_write(&self) -> Result<WriteTx, AppError> {
        let started = Instant::now();
        let tx = self.write.begin_with("BEGIN IMMEDIATE").await?;
        Ok(WriteTx { tx, visible: true, started, timing: self.write_seconds.clone() })
    }

    /// A write that no page shows (sessions, last-used times): it leaves read caches valid.
    pub async fn begin_quiet_write(&self) -> Result<WriteTx, AppError> {
        let started = Instant::now();
        let tx = self.write.begin_with("BEGIN IMMEDIATE").await?;
        Ok(WriteTx { tx, visible: false, started, timing: self.write_seconds.clone() })
    }

    /// The generation of what pages show, current as of the call: it differs from any value
    /// returned before a write committed (by any process). Callers arriving together share one
    /// look at the file, so a busy server checks once per wave of requests, not once each.
    pub async fn generation(&self) -> u64 {
        let asked = Instant::now();
        let mut watch = self.watch.lock().await;
        // A check that started after this call began has seen every commit before it.
        if watch.checked.is_some_and(|checked| checked > asked) {
            return watch.generation;
        }
        watch.checked = Some(Instant::now());
        if let Err(e) = watch.check().await {
            // Unknown is treated as changed: a cache miss costs a render, a stale page costs trust.
            tracing::warn!(error = %e, "could not read the cache generation; treating it as changed");
            watch.generation += 1;
        }
        watch.generation
    }

    /// The write-transaction latencies, for the metrics registry.
    pub fn write_seconds(&self) -> Histogram {
        self.write_seconds.clone()
    }

    /// Closes both pools, flushing the WAL.
    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}

/// A write transaction; dropping it without commit rolls back.
pub struct WriteTx {
    tx: Transaction<'static, Sqlite>,
    /// Whether pages may show what this transaction writes.
    visible: bool,
    started: Instant,
    timing: Histogram,
}

impl WriteTx {
    pub async fn commit(mut self) -> Result<(), AppError> {
        if self.visible {
            sqlx::query("UPDATE cache_generation SET n = n + 1").execute(&mut *self.tx).await?;
        }
        self.tx.commit().await?;
        self.timing.observe(self.started.elapsed().as_secs_f64());
        Ok(())
    }
}

impl Deref for WriteTx {
    type Target = SqliteConnection;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

#[cfg(test)]
mod tests {
    use super::Db;

    async fn open_twice() -> (tempfile::TempDir, Db, Db) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let (one, other) = (Db::open(&url).await.unwrap(), Db::open(&url).await.unwrap());
        (dir, one, other)
    }

    #[tokio::test]
    async fn the_generation_changes_with_visible_writes_from_any_handle_and_only_with_those() {
        let (_dir, db, other) = open_twice().await;
        let start = db.generation().await;
        assert_eq!(db.generation().await, start, "nothing written, nothing changed");

        other.begin_quiet_write().await.unwrap().commit().await.unwrap();
        assert_eq!(db.generation().await, start, "a quiet write leaves caches valid");

        other.begin_write().await.unwrap().commit().await.unwrap();
        let after_other = db.generation().await;
        assert_ne!(after_other, start, "another process's write is seen at once");

        db.begin_write().await.unwrap().commit().await.unwrap();
        assert_ne!(db.generation().await, after_other, "this process's write too");
    }

    #[tokio::test]
    async fn a_rolled_back_write_changes_nothing() {
        let (_dir, db, _) = open_twice().await;
        let start = db.generation().await;
        drop(db.begin_write().await.unwrap());
        assert_eq!(db.generation().await, start);
    }
}
