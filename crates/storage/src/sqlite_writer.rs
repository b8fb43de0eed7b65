//! The SQLite write path: a connection of its own, one transaction, and
//! prepared statements run once per row.
//!
//! The ORM path builds a multi-row statement from owned values; for SQLite
//! that costs more than the database's own work (every string copied into a
//! row model, then into a `Value`, then into the driver's arguments, and a
//! statement journal for each multi-row upsert). Here each value is bound
//! straight from the parsed expense, and SQLite reuses compiled statements
//! for the whole file. Rows whose stored fingerprint is unchanged are not
//! sent at all (see [`KnownReport`]). sea-orm still owns the schema, the
//! migrations and every read; this module only writes.
//!
//! The calls block the async task that makes them: SQLite is an in-process
//! library. During an import parsing runs on its own thread; during a sync
//! the requests in flight wait the few milliseconds a page takes to write.

use crate::convert::{DateText, RowValues};
use crate::{StorageError, WRITER_CACHE_KIB};
use chrono::Utc;
use rusqlite::types::ToSqlOutput;
use rusqlite::{Connection, OpenFlags, OptionalExtension, ToSql, params};
use spendmap_core::{SourceKind, StoredMatch, WriteCounts};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Duration;

/// A new row, in [`bound_values`] order.
const INSERT: &str = insert_sql!();

/// Insert, or update when anything differs; `RETURNING id` yields a row
/// only when something was written, and the id tells an insert (a new,
/// higher id) from an update.
const UPSERT: &str = concat!(
    insert_sql!(),
    " ON CONFLICT (source, source_id) DO UPDATE SET report_id = excluded.report_id, \
     report_name = excluded.report_name, employee_id = excluded.employee_id, \
     employee_name = excluded.employee_name, date = excluded.date, \
     vendor_description = excluded.vendor_description, \
     business_purpose = excluded.business_purpose, expense_type = excluded.expense_type, \
     expense_type_code = excluded.expense_type_code, spend_category = excluded.spend_category, \
     payment_type = excluded.payment_type, amount_e4 = excluded.amount_e4, \
     currency = excluded.currency, transaction_amount_e4 = excluded.transaction_amount_e4, \
     transaction_currency = excluded.transaction_currency, personal = excluded.personal, \
     app = excluded.app, app_vendor = excluded.app_vendor, matched_by = excluded.matched_by, \
     matched_field = excluded.matched_field, matched_term = excluded.matched_term, \
     confidence = excluded.confidence, match_reason = excluded.match_reason, \
     content_hash = excluded.content_hash \
     WHERE expense.content_hash <> excluded.content_hash \
     RETURNING id"
);

macro_rules! insert_sql {
    () => {
        "INSERT INTO expense (source, source_id, report_id, report_name, \
     employee_id, employee_name, date, vendor_description, business_purpose, expense_type, \
     expense_type_code, spend_category, payment_type, amount_e4, currency, \
     transaction_amount_e4, transaction_currency, personal, app, app_vendor, matched_by, \
     matched_field, matched_term, confidence, match_reason, content_hash) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, \
     ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)"
    };
}
use insert_sql;

/// An open SQLite write transaction.
pub(crate) struct SqliteWriter {
    conn: Connection,
    /// The highest expense id so far: ids only grow, so a written row with
    /// a higher one was inserted, and one at or below it was updated.
    highest_id: i64,
    /// The stored fingerprints of the current report's entries.
    known: KnownReport,
}

/// The entries of one report as stored when the writer first met it.
///
/// Rows come grouped by report (exports are sorted by report, and a sync
/// writes one report at a time), so reading a report's fingerprints in one
/// index range and checking its rows in memory costs a fraction of asking
/// SQLite about each row, and holds one report, not the file, in memory.
/// A row not found here (new, or stored under another report) is inserted,
/// and upserted if its key turns out to be stored: right either way.
#[derive(Default)]
struct KnownReport {
    source: &'static str,
    report_id: String,
    fingerprints: HashMap<String, i64>,
}

impl SqliteWriter {
    /// Opens `path` (already created and migrated) and takes SQLite's one
    /// write lock, waiting up to the busy time-out for another writer.
    pub(crate) fn begin(path: &Path) -> Result<SqliteWriter, StorageError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(sqlite_err("opening"))?;
        conn.busy_timeout(Duration::from_secs(30)).map_err(sqlite_err("opening"))?;

        // A page cache big enough to keep the indexes of a million-row
        // table in memory while the table pages stream out to the log; a
        // fixed bound, not one that grows with the file. The statement
        // journals an upsert may need stay in memory too.
        let setup = format!(
            "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
             PRAGMA temp_store = MEMORY; PRAGMA cache_size = -{WRITER_CACHE_KIB}; \
             BEGIN IMMEDIATE"
        );
        conn.execute_batch(&setup).map_err(sqlite_err("waiting for other writers"))?;

        let highest_id = conn
            .query_row("SELECT COALESCE(MAX(id), 0) FROM expense", [], |row| row.get(0))
            .map_err(sqlite_err("reading the stored expenses"))?;
        Ok(SqliteWriter { conn, highest_id, known: KnownReport::default() })
    }

    /// Upserts every expense of `batch`, in order (a key that repeats ends
    /// with its last row).
    pub(crate) fn write(&mut self, batch: &[StoredMatch]) -> Result<WriteCounts, StorageError> {
        let conn = &self.conn;
        let mut insert = conn.prepare_cached(INSERT).map_err(sqlite_err("preparing"))?;
        let mut upsert = conn.prepare_cached(UPSERT).map_err(sqlite_err("preparing"))?;
        let mut counts = WriteCounts::default();

        for (expense, decision) in batch {
            let row = RowValues::new(expense, decision.as_ref())?;
            if row.source != self.known.source || row.report_id != self.known.report_id {
                self.known = known_report(conn, row.source, row.report_id)?;
            }
            let values = bound_values(&row);

            let Some(known) = self.known.fingerprints.get_mut(row.source_id) else {
                // Most likely new. A plain insert needs no statement journal
                // (an upsert copies every page it touches into one first);
                // if the key is stored after all (under another report, or
                // earlier in this file), the insert is refused before it
                // writes anything and the upsert decides.
                match insert.execute(&values[..]) {
                    Ok(_) => {
                        self.highest_id = conn.last_insert_rowid();
                        counts.inserted += 1;
                        continue;
                    }
                    Err(err) if is_unique_violation(&err) => {}
                    Err(err) => return Err(sqlite_err("writing expenses")(err)),
                }
                counts += upsert_counted(&mut upsert, &values, &mut self.highest_id)?;
                continue;
            };
            if *known == row.content_hash {
                counts.unchanged += 1;
                continue;
            }
            // A key met again later in this report must be compared with
            // what was just written, not with what was stored before.
            *known = row.content_hash;
            counts += upsert_counted(&mut upsert, &values, &mut self.highest_id)?;
        }
        Ok(counts)
    }

    /// Deletes the stored entries of one report that `keep` does not name.
    /// (The report's fingerprints are forgotten: rows it held may be gone.)
    pub(crate) fn remove_report_entries_except(
        &mut self,
        source: SourceKind,
        report_id: &str,
        keep: &[&str],
    ) -> Result<u64, StorageError> {
        self.known = KnownReport::default();
        let keep: HashSet<&str> = keep.iter().copied().collect();
        let stored: Vec<(i64, String)> = {
            let mut query = self
                .conn
                .prepare_cached(
                    "SELECT id, source_id FROM expense WHERE source = ?1 AND report_id = ?2",
                )
                .map_err(sqlite_err("finding a report's entries"))?;
            query
                .query_map(params![source.as_str(), report_id], |row| {
                    Ok((row.get(0)?, row.get(1)?))
                })
                .and_then(Iterator::collect)
                .map_err(sqlite_err("finding a report's entries"))?
        };

        let mut delete = self
            .conn
            .prepare_cached("DELETE FROM expense WHERE id = ?1")
            .map_err(sqlite_err("removing deleted entries"))?;
        let mut removed = 0;
        for (id, source_id) in stored {
            if !keep.contains(source_id.as_str()) {
                removed += delete.execute([id]).map_err(sqlite_err("removing deleted entries"))?;
            }
        }
        Ok(removed as u64)
    }

    /// Sets a connection's sync cursor inside this transaction.
    pub(crate) fn set_sync_cursor(&mut self, name: &str, cursor: &str) -> Result<(), StorageError> {
        let changed = self
            .conn
            .execute(
                "UPDATE connection SET sync_cursor = ?1, last_synced_at = ?2 WHERE name = ?3",
                params![cursor, Utc::now().to_rfc3339(), name],
            )
            .map_err(sqlite_err("saving the sync cursor"))?;
        if changed == 0 {
            return Err(StorageError::NoSuchConnection(name.to_owned()));
        }
        Ok(())
    }

    /// Makes everything written visible at once. Dropping the writer
    /// instead closes the connection, which rolls the transaction back.
    pub(crate) fn commit(self) -> Result<(), StorageError> {
        self.conn.execute_batch("COMMIT").map_err(sqlite_err("committing"))
    }
}

/// Reads the fingerprints of one report's stored entries. Rows without a
/// report (a file with no report column) are not grouped, so nothing is
/// read for them: every such row goes to the upsert.
fn known_report(
    conn: &Connection,
    source: &'static str,
    report_id: &str,
) -> Result<KnownReport, StorageError> {
    let mut known =
        KnownReport { source, report_id: report_id.to_owned(), fingerprints: HashMap::new() };
    if report_id.is_empty() {
        return Ok(known);
    }

    let mut query = conn
        .prepare_cached(
            "SELECT source_id, content_hash FROM expense WHERE source = ?1 AND report_id = ?2",
        )
        .map_err(sqlite_err("reading a report's stored entries"))?;
    let rows = query
        .query_map(params![source, report_id], |row| Ok((row.get(0)?, row.get(1)?)))
        .map_err(sqlite_err("reading a report's stored entries"))?;
    for row in rows {
        let (source_id, fingerprint) =
            row.map_err(sqlite_err("reading a report's stored entries"))?;
        known.fingerprints.insert(source_id, fingerprint);
    }
    Ok(known)
}

/// Runs the upsert and says what it did: nothing (the stored row was the
/// same), an insert (a new id above `highest_id`) or an update.
fn upsert_counted(
    upsert: &mut rusqlite::CachedStatement<'_>,
    values: &[&dyn ToSql],
    highest_id: &mut i64,
) -> Result<WriteCounts, StorageError> {
    let written: Option<i64> = upsert
        .query_row(values, |stored| stored.get(0))
        .optional()
        .map_err(sqlite_err("writing expenses"))?;

    let mut counts = WriteCounts::default();
    match written {
        None => counts.unchanged += 1,
        Some(id) if id > *highest_id => {
            *highest_id = id;
            counts.inserted += 1;
        }
        Some(_) => counts.updated += 1,
    }
    Ok(counts)
}

impl ToSql for DateText {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

/// The values of `row` in statement order.
fn bound_values<'r>(row: &'r RowValues<'_>) -> [&'r dyn ToSql; 26] {
    [
        &row.source,
        &row.source_id,
        &row.report_id,
        &row.report_name,
        &row.employee_id,
        &row.employee_name,
        &row.date_text,
        &row.vendor_description,
        &row.business_purpose,
        &row.expense_type,
        &row.expense_type_code,
        &row.spend_category,
        &row.payment_type,
        &row.amount_e4,
        &row.currency,
        &row.transaction_amount_e4,
        &row.transaction_currency,
        &row.personal,
        &row.app,
        &row.app_vendor,
        &row.matched_by,
        &row.matched_field,
        &row.matched_term,
        &row.confidence,
        &row.match_reason,
        &row.content_hash,
    ]
}

fn is_unique_violation(err: &rusqlite::Error) -> bool {
    matches!(
        err.sqlite_error(),
        Some(e) if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
    )
}

fn sqlite_err(doing: &'static str) -> impl FnOnce(rusqlite::Error) -> StorageError {
    move |source| StorageError::Sqlite { doing, source }
}
