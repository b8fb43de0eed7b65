//! Where spendmap keeps what it learns: expenses, their match decisions and
//! the user's rules, through sea-orm on SQLite (the default, one file) or
//! PostgreSQL (for teams), with the same migrations and queries on both.
//!
//! The promises this crate keeps:
//!
//! * **Idempotent.** An expense is identified by (source, source id). Every
//!   write is an upsert on that pair, so re-running an import or a sync
//!   updates what changed and adds nothing.
//! * **All or nothing.** [`Store::writer`] opens one transaction; nothing is
//!   visible or kept until [`StoreWriter`] commits, so a failed import leaves
//!   the database exactly as it was.
//! * **Exact money.** Amounts are stored as integer ten-thousandths (see
//!   `money`), summed in SQL, and read back as `Decimal`.
//! * **One writer at a time.** Writers queue on a lock, so two imports or
//!   syncs at once end as if run one after the other, and readers see a
//!   file's rows all at once or not at all.
//! * **Bulk paths.** A SQLite file is written through one prepared
//!   statement on a connection of the writer's own, skipping rows whose
//!   stored fingerprint is unchanged; PostgreSQL through `COPY` into a
//!   staging table and one merge per batch. sea-orm does the schema, the
//!   migrations and every read (and writes an in-memory database).
//!
//! Only this crate knows SQL. It implements [`spendmap_core::ExpenseStore`].

#![deny(missing_docs)]

mod connections;
mod convert;
mod entity;
mod migration;
mod money;
mod postgres_writer;
mod queries;
mod sqlite_writer;
mod sync_lock;
mod writer;

use chrono::{DateTime, Utc};
use postgres_writer::PostgresWriter;
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use spendmap_core::{
    Connection, ConnectionStore, Correction, ExpenseFilter, ExpenseRow, ExpenseStore, GroupBy,
    SpendRow, UserRule,
};
use sqlite_writer::SqliteWriter;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use sync_lock::SyncLock;
pub use writer::StoreWriter;

/// Most rows written by one statement. Each expense row binds 26 values;
/// 500 rows stay well under SQLite's 32,766 and PostgreSQL's 65,535
/// bound-variable limits, and larger statements were not faster in the
/// dependency spike.
pub const BATCH_ROWS: usize = 500;

/// The page cache of the SQLite bulk writer, in KiB: big enough to hold
/// the indexes of a million-row table, and fixed, so memory stays flat
/// however big the file.
const WRITER_CACHE_KIB: u32 = 64 * 1024;

/// The PostgreSQL advisory lock every writer holds for its transaction
/// (an arbitrary number: the ASCII of "spendmap" read as an integer).
const WRITER_LOCK_KEY: i64 = 0x7370_656E_646D_6170;

/// What can go wrong in storage.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The database refused or failed an operation.
    #[error("database error while {doing}")]
    Database {
        /// What we were doing, for the message.
        doing: &'static str,
        /// The underlying error.
        #[source]
        source: DbErr,
    },
    /// `--db` was neither a path nor a `sqlite:` or `postgres:` URL.
    #[error("unsupported database `{0}`: give a file path, or a `sqlite:` or `postgres:` URL")]
    UnsupportedUrl(String),
    /// An amount too large to store exactly.
    #[error("amount `{amount}` of expense `{source_id}` is too large to store")]
    AmountOutOfRange {
        /// The amount as text.
        amount: String,
        /// Which expense.
        source_id: String,
    },
    /// SQLite refused or failed an operation of the bulk writer.
    #[error("database error while {doing}")]
    Sqlite {
        /// What we were doing, for the message.
        doing: &'static str,
        /// The underlying error.
        #[source]
        source: rusqlite::Error,
    },
    /// PostgreSQL refused or failed an operation of the bulk writer.
    #[error("database error while {doing}")]
    Postgres {
        /// What we were doing, for the message.
        doing: &'static str,
        /// The underlying error.
        #[source]
        source: sea_orm::sqlx::Error,
    },
    /// The sync lock file could not be opened or locked.
    #[error("could not lock `{path}`")]
    Lock {
        /// The lock file.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A connection that is not stored.
    #[error("no connection named `{0}` is stored")]
    NoSuchConnection(String),
    /// A value read back from the database is not one this version writes.
    #[error("unexpected value `{value}` in column `{column}`")]
    Corrupt {
        /// The column.
        column: &'static str,
        /// The value found.
        value: String,
    },
}

/// A shorthand for wrapping sea-orm errors with what we were doing.
pub(crate) fn db_err(doing: &'static str) -> impl FnOnce(DbErr) -> StorageError {
    move |source| StorageError::Database { doing, source }
}

/// A connected, migrated database.
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
    /// The database file, when it is a SQLite file: writers open their own
    /// connection to it.
    sqlite_file: Option<PathBuf>,
    lock_place: sync_lock::LockPlace,
}

impl Store {
    /// Connect to `location` (a file path, or a `sqlite:` or `postgres:`
    /// URL) and bring its schema up to date. A SQLite file is created if
    /// missing and put in WAL mode with a busy timeout, so a second process
    /// waits instead of failing.
    pub async fn open(location: &str) -> Result<Store, StorageError> {
        let url = database_url(location)?;
        let mut options = ConnectOptions::new(url.clone());
        options.sqlx_logging(false);

        if url.starts_with("sqlite:") {
            // SQLite has one writer at a time anyway. A file gets a second
            // connection so that reads (`spendmap match` pages through the
            // expenses while its writer is open) see the last committed
            // state through WAL instead of waiting for the writer; an
            // in-memory database keeps one, so that it stays one database.
            let connections = if url.contains(":memory:") { 1 } else { 2 };
            options.max_connections(connections).map_sqlx_sqlite_opts(|opts| {
                opts.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(30))
                    .create_if_missing(true)
            });
        } else {
            // Fail within seconds when the server is down, instead of
            // waiting out the pool's default 30 s per attempt.
            options
                .max_connections(4)
                .connect_timeout(Duration::from_secs(5))
                .acquire_timeout(Duration::from_secs(5));
        }

        let db = Database::connect(options).await.map_err(db_err("connecting"))?;
        migrate(&db).await?;
        tracing::debug!(backend = ?db.get_database_backend(), "storage ready");
        Ok(Store {
            db,
            sqlite_file: sqlite_file(&url),
            lock_place: sync_lock::LockPlace::for_url(&url),
        })
    }

    /// Wait until no other process syncs connection `name` into this
    /// database, then keep others waiting until the lock is dropped.
    /// `waiting` is called once, before waiting, if there is a wait.
    pub async fn lock_sync(
        &self,
        name: &str,
        waiting: impl FnOnce(),
    ) -> Result<SyncLock, StorageError> {
        sync_lock::acquire(&self.lock_place, name, waiting).await
    }

    /// Which database engine this store talks to.
    pub fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    /// How many expenses are stored.
    pub async fn count_expenses(&self) -> Result<u64, StorageError> {
        queries::count_expenses(&self.db).await
    }
}

/// Bring the schema up to date, in one transaction under the writers'
/// lock: two processes opening a new database at once would otherwise
/// both try to create its tables.
async fn migrate(db: &DatabaseConnection) -> Result<(), StorageError> {
    let txn = begin_exclusive(db).await?;
    migration::Migrator::up(&txn, None).await.map_err(db_err("migrating the schema"))?;
    txn.commit().await.map_err(db_err("committing the schema"))
}

/// A transaction that holds the database's one writer slot, whichever
/// process asks: a writer reads the stored rows before it upserts, and two
/// writers interleaving would count and match against rows the other is
/// about to change. SQLite takes its write lock at `BEGIN IMMEDIATE` (and
/// waits up to the busy time-out for it); PostgreSQL takes a
/// transaction-scoped advisory lock, released by commit or rollback.
async fn begin_exclusive(db: &DatabaseConnection) -> Result<DatabaseTransaction, StorageError> {
    let backend = db.get_database_backend();
    let txn = if backend == DbBackend::Sqlite {
        let options = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        };
        db.begin_with_options(options).await
    } else {
        db.begin().await
    }
    .map_err(db_err("starting a transaction"))?;

    if backend == DbBackend::Postgres {
        let lock = format!("SELECT pg_advisory_xact_lock({WRITER_LOCK_KEY})");
        txn.execute_unprepared(&lock).await.map_err(db_err("waiting for other writers"))?;
    }
    Ok(txn)
}

/// The file behind a `sqlite:` URL; `None` for PostgreSQL and for an
/// in-memory database.
pub(crate) fn sqlite_file(url: &str) -> Option<PathBuf> {
    let path = url.strip_prefix("sqlite:")?;
    let path = path.strip_prefix("//").unwrap_or(path);
    let path = path.split('?').next().unwrap_or_default();
    if path.is_empty() || path.contains(":memory:") {
        return None;
    }
    Some(PathBuf::from(path))
}

/// Turn what the user typed for `--db` into a sqlx URL.
fn database_url(location: &str) -> Result<String, StorageError> {
    if location.starts_with("postgres://") || location.starts_with("postgresql://") {
        return Ok(location.to_owned());
    }
    if location.starts_with("sqlite:") {
        return Ok(location.to_owned());
    }
    if location.contains("://") {
        return Err(StorageError::UnsupportedUrl(location.to_owned()));
    }
    Ok(format!("sqlite://{}?mode=rwc", Path::new(location).display()))
}

impl ExpenseStore for Store {
    type Error = StorageError;
    type Writer = StoreWriter;

    async fn writer(&self) -> Result<StoreWriter, StorageError> {
        if let Some(path) = &self.sqlite_file {
            return Ok(StoreWriter::sqlite(SqliteWriter::begin(path)?));
        }
        if self.backend() == DbBackend::Postgres {
            let pool = self.db.get_postgres_connection_pool();
            return Ok(StoreWriter::postgres(PostgresWriter::begin(pool).await?));
        }
        Ok(StoreWriter::orm(begin_exclusive(&self.db).await?))
    }

    async fn expenses(&self, filter: &ExpenseFilter) -> Result<Vec<ExpenseRow>, StorageError> {
        queries::expenses(&self.db, filter).await
    }

    async fn spend(&self, by: GroupBy, app: Option<&str>) -> Result<Vec<SpendRow>, StorageError> {
        queries::spend(&self.db, by, app).await
    }

    async fn rules(&self) -> Result<Vec<UserRule>, StorageError> {
        queries::rules(&self.db).await
    }

    async fn add_rule(&self, rule: &UserRule) -> Result<i64, StorageError> {
        queries::add_rule(&self.db, rule).await
    }

    async fn remove_rule(&self, id: i64) -> Result<bool, StorageError> {
        queries::remove_rule(&self.db, id).await
    }

    async fn expense(&self, id: i64) -> Result<Option<ExpenseRow>, StorageError> {
        queries::expense(&self.db, id).await
    }

    async fn corrections(&self) -> Result<Vec<Correction>, StorageError> {
        queries::corrections(&self.db).await
    }

    async fn set_correction(&self, correction: &Correction) -> Result<(), StorageError> {
        queries::set_correction(&self.db, correction).await
    }
}

impl ConnectionStore for Store {
    type Error = StorageError;

    async fn save_connection(&self, connection: &Connection) -> Result<(), StorageError> {
        connections::save(&self.db, connection).await
    }

    async fn connection(&self, name: &str) -> Result<Option<Connection>, StorageError> {
        connections::one(&self.db, name).await
    }

    async fn connections(&self) -> Result<Vec<Connection>, StorageError> {
        connections::all(&self.db).await
    }

    async fn remove_connection(&self, name: &str) -> Result<bool, StorageError> {
        connections::remove(&self.db, name).await
    }

    async fn save_tokens(
        &self,
        name: &str,
        sealed_refresh_token: &str,
        base_uri: &str,
        refresh_expires_at: Option<DateTime<Utc>>,
    ) -> Result<(), StorageError> {
        connections::save_tokens(&self.db, name, sealed_refresh_token, base_uri, refresh_expires_at)
            .await
    }

    async fn sync_cursor(&self, name: &str) -> Result<Option<String>, StorageError> {
        connections::cursor(&self.db, name).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_sqlite_urls_and_urls_pass_through() {
        assert_eq!(database_url("data/x.db").ok(), Some("sqlite://data/x.db?mode=rwc".into()));
        assert_eq!(database_url("sqlite::memory:").ok(), Some("sqlite::memory:".into()));
        assert_eq!(database_url("postgres://u@h/db").ok(), Some("postgres://u@h/db".to_owned()));
        assert!(matches!(database_url("mysql://h/db"), Err(StorageError::UnsupportedUrl(_))));
    }
}
