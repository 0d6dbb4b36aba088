//! The SQLite file: a pool of readers, one writer, embedded migrations.
//!
//! SQLite allows one writer at a time. Writes go through a single-connection pool and start
//! with `BEGIN IMMEDIATE`, so they queue in our process instead of failing with
//! `database is locked`; readers use WAL snapshots and never wait for the writer.
//!
//! Read caches compare a generation number. Every write that changes what a page shows
//! increments a row in the same transaction, whichever process makes it (this server, the
//! command line, a second server). This process's own writes change the generation as they
//! commit; a watcher asks SQLite every tenth of a second whether another process committed
//! (`PRAGMA data_version`, on a connection of its own) and reads the row only when one did. A
//! request therefore never pays for the check, and no cache outlives another process's write by
//! more than [`WATCH_EVERY`].
//!
//! Caches of what no page shows (who a session cookie belongs to) compare a second number that
//! moves with every commit at all, quiet ones included, from this process at once and from
//! another within the same interval.

use std::{
    ops::{Deref, DerefMut},
    str::FromStr,
    sync::{
        Arc, Mutex, Weak,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use prometheus_client::metrics::histogram::Histogram;
use sqlx::{
    Connection, Sqlite, SqliteConnection, SqlitePool, Transaction,
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
    #[error("after the migrations, rows of {0} point at rows that do not exist, so the server will not start")]
    Dangling(String),
}

/// How often the watcher looks for other processes' commits.
pub const WATCH_EVERY: Duration = Duration::from_millis(100);

/// Handles to the database, cheap to clone.
#[derive(Clone)]
pub struct Db {
    read: SqlitePool,
    write: SqlitePool,
    generation: Arc<Generation>,
    watcher: Arc<Watcher>,
    /// How long write transactions take, waiting for the writer included.
    write_seconds: Histogram,
}

/// The watcher's task, and how to stop it so that `close` leaves no connection open.
#[derive(Default)]
struct Watcher {
    stop: tokio::sync::Notify,
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

/// What read caches compare, shared by every handle of this process.
#[derive(Default)]
struct Generation {
    /// What callers see: changes whenever the stored row does.
    value: AtomicU64,
    /// The stored row as this process last accounted for it.
    row: Mutex<Option<i64>>,
    /// Moves with every commit this process makes and every one the watcher sees.
    writes: AtomicU64,
}

impl Generation {
    /// Accounts for the stored row reading `row`: news changes what callers see.
    fn saw(&self, row: i64) {
        let mut seen = self.row.lock().expect("generation lock");
        if *seen != Some(row) {
            *seen = Some(row);
            self.value.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// When the row cannot be read, caches are emptied: a miss costs a render, a stale page
    /// costs trust.
    fn unknown(&self) {
        *self.row.lock().expect("generation lock") = None;
        self.value.fetch_add(1, Ordering::AcqRel);
    }

    /// Accounts for a commit of any kind.
    fn wrote(&self) {
        self.writes.fetch_add(1, Ordering::AcqRel);
    }
}

/// Polls a connection of its own until the database is closed or the last handle of
/// `generation` is dropped. A connection that fails is dropped and opened again on a later tick;
/// meanwhile every tick empties the caches, since nothing says they are current.
/// `data_version` is what `conn` read before the generation row was first read, so any commit
/// since is news at the first look.
async fn watch(
    options: SqliteConnectOptions,
    mut conn: Option<SqliteConnection>,
    mut data_version: Option<i64>,
    generation: Weak<Generation>,
    watcher: Arc<Watcher>,
) {
    let mut failing = false;
    let mut every = tokio::time::interval(WATCH_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = every.tick() => {}
            () = watcher.stop.notified() => break,
        }
        let Some(generation) = generation.upgrade() else { break };
        let looked: Result<Option<i64>, sqlx::Error> = async {
            let conn = match &mut conn {
                Some(conn) => conn,
                None => conn.insert(SqliteConnection::connect_with(&options).await?),
            };
            let now: i64 = sqlx::query_scalar("PRAGMA data_version").fetch_one(&mut *conn).await?;
            if data_version == Some(now) {
                return Ok(None);
            }
            data_version = Some(now);
            generation.wrote();
            sqlx::query_scalar("SELECT n FROM cache_generation").fetch_one(&mut *conn).await.map(Some)
        }
        .await;
        match looked {
            Ok(found) => {
                if failing {
                    tracing::info!("the cache generation can be read again");
                    failing = false;
                }
                if let Some(row) = found {
                    generation.saw(row);
                }
            }
            Err(e) => {
                if !failing {
                    tracing::warn!(error = %e, "could not read the cache generation; emptying the caches until it can be");
                    failing = true;
                }
                data_version = None;
                if let Some(broken) = conn.take() {
                    let _ = broken.close().await;
                }
                generation.wrote();
                generation.unknown();
            }
        }
    }
    if let Some(conn) = conn {
        let _ = conn.close().await;
    }
}

/// How many migrations the database has had.
async fn applied(conn: &mut SqliteConnection) -> Result<i64, sqlx::Error> {
    let table: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = '_sqlx_migrations')")
        .fetch_one(&mut *conn)
        .await?;
    match table {
        true => sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations").fetch_one(conn).await,
        false => Ok(0),
    }
}

/// Applies pending migrations on a connection of their own with foreign keys off: SQLite's
/// documented way to change a table (make the new one, copy, drop the old, rename) would
/// otherwise cascade the old table's drop to every row that refers to it. When any was applied,
/// every reference is checked afterwards instead.
async fn migrate(options: &SqliteConnectOptions, url: &str) -> Result<(), DbError> {
    let open = |source| DbError::Open { url: url.to_owned(), source };
    let mut conn = SqliteConnection::connect_with(&options.clone().foreign_keys(false)).await.map_err(open)?;
    let before = applied(&mut conn).await.map_err(open)?;
    sqlx::migrate!("./migrations").run(&mut conn).await?;
    let after = applied(&mut conn).await.map_err(open)?;
    let dangling: Vec<String> = match after > before {
        true => sqlx::query_scalar("SELECT DISTINCT \"table\" FROM pragma_foreign_key_check")
            .fetch_all(&mut conn)
            .await
            .map_err(open)?,
        false => Vec::new(),
    };
    let _ = conn.close().await;
    if dangling.is_empty() { Ok(()) } else { Err(DbError::Dangling(dangling.join(", "))) }
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
        migrate(&options, url).await?;
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.clone())
            .await
            .map_err(open)?;
        // Readers beyond the cores add memory, not speed: reads are cached above the database.
        let read = SqlitePoolOptions::new()
            .max_connections(4)
            .min_connections(1)
            .connect_with(options.clone().read_only(true))
            .await
            .map_err(open)?;
        let watching = options.read_only(true);
        let mut watcher = SqliteConnection::connect_with(&watching).await.map_err(open)?;
        // Before the row: a commit in between is then news at the watcher's first look.
        let data_version: i64 =
            sqlx::query_scalar("PRAGMA data_version").fetch_one(&mut watcher).await.map_err(open)?;
        let generation = Arc::new(Generation::default());
        let row = sqlx::query_scalar("SELECT n FROM cache_generation").fetch_one(&read).await.map_err(open)?;
        generation.saw(row);
        let handle = Arc::new(Watcher::default());
        let task = tokio::spawn(watch(
            watching,
            Some(watcher),
            Some(data_version),
            Arc::downgrade(&generation),
            handle.clone(),
        ));
        *handle.task.lock().expect("watcher lock") = Some(task);
        Ok(Self { read, write, generation, watcher: handle, write_seconds: super::metrics::latency() })
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
        Ok(WriteTx {
            tx,
            generation: self.generation.clone(),
            visible: true,
            started,
            timing: self.write_seconds.clone(),
        })
    }

    /// A write that no page shows (sessions, last-used times): it leaves read caches valid.
    pub async fn begin_quiet_write(&self) -> Result<WriteTx, AppError> {
        let started = Instant::now();
        let tx = self.write.begin_with("BEGIN IMMEDIATE").await?;
        Ok(WriteTx {
            tx,
            generation: self.generation.clone(),
            visible: false,
            started,
            timing: self.write_seconds.clone(),
        })
    }

    /// The generation of what pages show: it changes when a write of this process commits, and
    /// within [`WATCH_EVERY`] of another process's.
    pub fn generation(&self) -> u64 {
        self.generation.value.load(Ordering::Acquire)
    }

    /// A number that changes with every commit, quiet ones included: at once for this
    /// process's, within [`WATCH_EVERY`] for another's. Read it before the query whose answer
    /// is kept under it, so that a write in between leaves that answer already outdated.
    pub fn writes(&self) -> u64 {
        self.generation.writes.load(Ordering::Acquire)
    }

    /// The write-transaction latencies, for the metrics registry.
    pub fn write_seconds(&self) -> Histogram {
        self.write_seconds.clone()
    }

    /// Stops the watcher and closes both pools, the writer last, flushing the WAL.
    pub async fn close(&self) {
        self.watcher.stop.notify_one();
        let task = self.watcher.task.lock().expect("watcher lock").take();
        if let Some(task) = task {
            let _ = task.await;
        }
        self.read.close().await;
        self.write.close().await;
    }
}

/// A write transaction; dropping it without commit rolls back.
pub struct WriteTx {
    tx: Transaction<'static, Sqlite>,
    generation: Arc<Generation>,
    /// Whether pages may show what this transaction writes: then the generation moves on commit.
    visible: bool,
    started: Instant,
    timing: Histogram,
}

impl WriteTx {
    pub async fn commit(mut self) -> Result<(), AppError> {
        let row: Option<i64> = match self.visible {
            true => Some(
                sqlx::query_scalar("UPDATE cache_generation SET n = n + 1 RETURNING n")
                    .fetch_one(&mut *self.tx)
                    .await?,
            ),
            false => None,
        };
        let committed = self.tx.commit().await;
        // Even when the commit reports an error: it may have landed, and a cache kept too
        // short costs a query, one kept too long a signed-out session still let in.
        self.generation.wrote();
        committed?;
        if let Some(row) = row {
            self.generation.saw(row);
        }
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
    use std::time::Duration;

    use super::{Db, WATCH_EVERY};

    async fn open_twice() -> (tempfile::TempDir, Db, Db) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let (one, other) = (Db::open(&url).await.unwrap(), Db::open(&url).await.unwrap());
        (dir, one, other)
    }

    /// Waits for `read` to move from `from`; fails saying `what` after two seconds.
    async fn moves(read: impl Fn() -> u64, from: u64, what: &str) {
        let waited = std::time::Instant::now();
        while read() == from {
            assert!(waited.elapsed() < Duration::from_secs(2), "{what}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Long enough for the watcher to have looked at least twice.
    async fn a_while() {
        tokio::time::sleep(WATCH_EVERY * 3).await;
    }

    #[tokio::test]
    async fn the_generation_moves_with_visible_writes_from_any_handle_and_only_with_those() {
        let (_dir, db, other) = open_twice().await;
        let start = db.generation();
        a_while().await;
        assert_eq!(db.generation(), start, "nothing written, nothing changed");

        other.begin_quiet_write().await.unwrap().commit().await.unwrap();
        a_while().await;
        assert_eq!(db.generation(), start, "a quiet write leaves caches valid");

        db.begin_write().await.unwrap().commit().await.unwrap();
        let after_own = db.generation();
        assert_ne!(after_own, start, "this process's write is seen as it commits");
        a_while().await;
        assert_eq!(db.generation(), after_own, "and only once: the watcher knows it already");

        other.begin_write().await.unwrap().commit().await.unwrap();
        moves(|| db.generation(), after_own, "another process's write is seen").await;
    }

    /// A write no page shows. (Rewriting a row as it was would not do: SQLite commits nothing.)
    async fn quiet_write(db: &Db) {
        let mut tx = db.begin_quiet_write().await.unwrap();
        sqlx::query("CREATE TABLE IF NOT EXISTS scratch (n INTEGER)").execute(&mut *tx).await.unwrap();
        sqlx::query("INSERT INTO scratch VALUES (1)").execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
    }

    #[tokio::test]
    async fn the_write_count_moves_with_every_commit_quiet_ones_and_other_processes_included() {
        let (_dir, db, other) = open_twice().await;
        let start = db.writes();
        a_while().await;
        assert_eq!(db.writes(), start, "nothing written, nothing changed");

        quiet_write(&db).await;
        assert_ne!(db.writes(), start, "this process's quiet write is seen as it commits");
        a_while().await;

        let before = db.writes();
        let generation = db.generation();
        quiet_write(&other).await;
        moves(|| db.writes(), before, "another process's quiet write is seen").await;
        assert_eq!(db.generation(), generation, "and pages stay cached");
    }

    #[tokio::test]
    async fn a_rolled_back_write_changes_nothing() {
        let (_dir, db, _) = open_twice().await;
        let (start, writes) = (db.generation(), db.writes());
        drop(db.begin_write().await.unwrap());
        a_while().await;
        assert_eq!(db.generation(), start);
        assert_eq!(db.writes(), writes);
    }
}
