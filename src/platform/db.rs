//! The SQLite file: a pool of readers, one writer, embedded migrations.
//!
//! SQLite allows one writer at a time. Writes go through a single-connection pool and start
//! with `BEGIN IMMEDIATE`, so they queue in our process instead of failing with
//! `database is locked`; readers use WAL snapshots and never wait for the writer. Every
//! committed write bumps a generation number that read caches compare against.

use std::{
    ops::{Deref, DerefMut},
    str::FromStr,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use sqlx::{
    Sqlite, SqliteConnection, SqlitePool, Transaction,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

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
    generation: Arc<AtomicU64>,
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
            .connect_with(options.read_only(true))
            .await
            .map_err(open)?;
        Ok(Self { read, write, generation: Arc::new(AtomicU64::new(1)) })
    }

    /// The pool for queries that only read.
    pub fn reader(&self) -> &SqlitePool {
        &self.read
    }

    /// Starts a write transaction (`BEGIN IMMEDIATE`); commit it with [`WriteTx::commit`].
    ///
    /// Never hold one across a network call: every other writer waits for it.
    pub async fn begin_write(&self) -> Result<WriteTx, AppError> {
        let tx = self.write.begin_with("BEGIN IMMEDIATE").await?;
        Ok(WriteTx { tx, generation: Some(self.generation.clone()) })
    }

    /// A write that no page shows (sessions, last-used times): it leaves read caches valid.
    pub async fn begin_quiet_write(&self) -> Result<WriteTx, AppError> {
        let tx = self.write.begin_with("BEGIN IMMEDIATE").await?;
        Ok(WriteTx { tx, generation: None })
    }

    /// Changes on every committed write; caches of read results compare it.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
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
    generation: Option<Arc<AtomicU64>>,
}

impl WriteTx {
    pub async fn commit(self) -> Result<(), AppError> {
        self.tx.commit().await?;
        if let Some(generation) = self.generation {
            generation.fetch_add(1, Ordering::AcqRel);
        }
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
