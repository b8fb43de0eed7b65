//! One sync per connection and database at a time, across processes.
//!
//! Two syncs of the same Concur connection at once do not corrupt rows
//! (writers queue anyway), but they fight over the refresh token: Concur
//! rotates it on every refresh, so the run that refreshes second holds a
//! token the first already spent. The second sync therefore waits for the
//! first to finish and then starts from the newest stored token.
//!
//! SQLite files use an OS file lock on a sidecar file (`<db>.sync-lock`),
//! PostgreSQL a session advisory lock on a connection of its own. Both go
//! away with the process, so a killed sync never leaves a stale lock.

use crate::{StorageError, db_err};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};
use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};

/// Arbitrary class number for the two-key PostgreSQL advisory lock; the
/// second key is a hash of the connection name.
const POSTGRES_LOCK_CLASS: i32 = 0x5350_4D31;

/// Held while a sync runs; dropping it lets the next one in.
#[derive(Debug)]
pub struct SyncLock {
    _held: Held,
}

#[derive(Debug)]
enum Held {
    /// Kept only to be dropped: closing the file releases its lock.
    File { _file: File },
    /// Kept only to be dropped: closing the session releases its lock.
    Postgres { _session: DatabaseConnection },
    /// An in-memory database: no other process can see it.
    Nothing,
}

/// Where a lock for this database lives.
#[derive(Clone, Debug)]
pub(crate) enum LockPlace {
    SqliteFile(PathBuf),
    Postgres(String),
    Nowhere,
}

impl LockPlace {
    pub(crate) fn for_url(url: &str) -> LockPlace {
        if url.starts_with("postgres") {
            return LockPlace::Postgres(url.to_owned());
        }
        match crate::sqlite_file(url) {
            Some(path) => {
                let mut lock = path.into_os_string();
                lock.push(".sync-lock");
                LockPlace::SqliteFile(PathBuf::from(lock))
            }
            None => LockPlace::Nowhere,
        }
    }
}

/// Take the lock for connection `name`, calling `waiting` once first if
/// another process holds it.
pub(crate) async fn acquire(
    place: &LockPlace,
    name: &str,
    waiting: impl FnOnce(),
) -> Result<SyncLock, StorageError> {
    let held = match place {
        LockPlace::SqliteFile(path) => Held::File { _file: lock_file(path, waiting).await? },
        LockPlace::Postgres(url) => {
            Held::Postgres { _session: lock_postgres(url, name, waiting).await? }
        }
        LockPlace::Nowhere => Held::Nothing,
    };
    Ok(SyncLock { _held: held })
}

async fn lock_file(path: &Path, waiting: impl FnOnce()) -> Result<File, StorageError> {
    let lock_err = |source| StorageError::Lock { path: path.to_owned(), source };
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path).map_err(lock_err)?;

    match file.try_lock() {
        Ok(()) => return Ok(file),
        Err(TryLockError::Error(err)) => return Err(lock_err(err)),
        Err(TryLockError::WouldBlock) => waiting(),
    }
    tokio::task::spawn_blocking(move || file.lock().map(|()| file))
        .await
        .map_err(|join| lock_err(std::io::Error::other(join)))?
        .map_err(lock_err)
}

async fn lock_postgres(
    url: &str,
    name: &str,
    waiting: impl FnOnce(),
) -> Result<DatabaseConnection, StorageError> {
    // A connection of its own: a session lock lives as long as the
    // session, and a pooled connection would go back to the pool.
    let mut options = sea_orm::ConnectOptions::new(url.to_owned());
    options.max_connections(1).min_connections(1).sqlx_logging(false);
    let db = Database::connect(options).await.map_err(db_err("connecting for the sync lock"))?;

    let ask = |function: &str| {
        Statement::from_sql_and_values(
            DbBackend::Postgres,
            format!("SELECT {function}($1, hashtext($2)) IS NOT FALSE AS held"),
            [POSTGRES_LOCK_CLASS.into(), name.into()],
        )
    };
    let got: bool = db
        .query_one_raw(ask("pg_try_advisory_lock"))
        .await
        .map_err(db_err("taking the sync lock"))?
        .and_then(|row| row.try_get("", "held").ok())
        .unwrap_or(false);
    if !got {
        waiting();
        db.query_one_raw(ask("pg_advisory_lock"))
            .await
            .map_err(db_err("waiting for the sync lock"))?;
    }
    Ok(db)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_files_lock_a_sidecar_and_memory_needs_nothing() {
        assert!(matches!(
            LockPlace::for_url("sqlite://data/spend.db?mode=rwc"),
            LockPlace::SqliteFile(path) if path == Path::new("data/spend.db.sync-lock")
        ));
        assert!(matches!(LockPlace::for_url("sqlite::memory:"), LockPlace::Nowhere));
        assert!(matches!(LockPlace::for_url("postgres://u@h/db"), LockPlace::Postgres(_)));
    }
}
