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
//! * **Batched.** Rows go in as multi-row statements of at most
//!   [`BATCH_ROWS`] rows, under both backends' bound-variable limits.
//!
//! Only this crate knows SQL. It implements [`spendmap_core::ExpenseStore`].

#![deny(missing_docs)]

mod connections;
mod convert;
mod entity;
mod migration;
mod money;
mod queries;
mod writer;

use chrono::{DateTime, Utc};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend, DbErr, TransactionTrait};
use sea_orm_migration::MigratorTrait;
use spendmap_core::{
    Connection, ConnectionStore, ExpenseFilter, ExpenseRow, ExpenseStore, GroupBy, SpendRow,
    UserRule,
};
use std::path::Path;
use std::time::Duration;

pub use writer::StoreWriter;

/// Most rows written by one statement. Each expense row binds 26 values;
/// 500 rows stay well under SQLite's 32,766 and PostgreSQL's 65,535
/// bound-variable limits, and larger statements were not faster in the
/// dependency spike.
pub const BATCH_ROWS: usize = 500;

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
        migration::Migrator::up(&db, None).await.map_err(db_err("migrating the schema"))?;
        tracing::debug!(backend = ?db.get_database_backend(), "storage ready");
        Ok(Store { db })
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
        let txn = self.db.begin().await.map_err(db_err("starting a transaction"))?;
        Ok(StoreWriter::new(txn))
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
