//! The PostgreSQL write path: `COPY` into a staging table, then one
//! `INSERT ... SELECT ... ON CONFLICT` per batch.
//!
//! `COPY` is PostgreSQL's bulk path (one message carries thousands of rows,
//! with no per-row parsing or planning), but it cannot upsert. So each
//! batch is copied into a temporary table that lives only as long as the
//! transaction, and merged into `expense` by one statement that inserts
//! new keys, updates changed rows and leaves identical ones alone. The
//! whole file is still one transaction under the writers' advisory lock.
//!
//! This goes through sqlx directly (the pool sea-orm already holds): sea-orm
//! has no `COPY`. sea-orm keeps the schema, the migrations and every read.

use crate::convert::RowValues;
use crate::{StorageError, WRITER_LOCK_KEY};
use chrono::Utc;
use sea_orm::sqlx::{self, PgPool, Postgres, Row, Transaction};
use spendmap_core::{SourceKind, StoredMatch, WriteCounts};
use std::collections::HashMap;
use std::io::Write as _;

/// The stored columns but the id, in `COPY` and insert order.
macro_rules! columns {
    () => {
        "source, source_id, report_id, report_name, employee_id, employee_name, \
         date, vendor_description, business_purpose, expense_type, expense_type_code, \
         spend_category, payment_type, amount_e4, currency, transaction_amount_e4, \
         transaction_currency, personal, app, app_vendor, matched_by, matched_field, \
         matched_term, confidence, match_reason, content_hash"
    };
}

/// The staging table: the same columns, no rows, no indexes.
const STAGING: &str = concat!(
    "CREATE TEMPORARY TABLE expense_load ON COMMIT DROP AS SELECT ",
    columns!(),
    " FROM expense WITH NO DATA"
);

/// Rows into the staging table.
const COPY: &str = concat!("COPY expense_load (", columns!(), ") FROM STDIN");

/// Rows straight into the table, when they are all new.
const COPY_STRAIGHT_IN: &str = concat!("COPY expense (", columns!(), ") FROM STDIN");

/// Merges the staged batch; counts what it inserted and updated (`xmax`
/// is 0 only on a row this statement created). Rows stored exactly so are
/// filtered out first: `ON CONFLICT DO UPDATE ... WHERE` would lock (and so
/// write) every conflicting row even when its condition then fails.
const MERGE: &str = concat!(
    "WITH written AS ( \
     INSERT INTO expense (",
    columns!(),
    ") SELECT ",
    columns!(),
    " FROM expense_load AS l \
     WHERE NOT EXISTS (SELECT 1 FROM expense AS e WHERE e.source = l.source \
     AND e.source_id = l.source_id AND e.content_hash = l.content_hash) \
     ON CONFLICT (source, source_id) DO UPDATE SET report_id = excluded.report_id, \
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
     RETURNING (xmax = 0) AS inserted) \
     SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM written"
);

/// An open PostgreSQL write transaction.
pub(crate) struct PostgresWriter {
    txn: Transaction<'static, Postgres>,
    /// The batch in `COPY` text format, reused from batch to batch.
    text: Vec<u8>,
    /// Whether batches are copied straight into `expense`: while every key
    /// so far was new, as in a first import into an empty table, the
    /// staging table and the merge are work for nothing.
    copy_straight_in: bool,
}

impl PostgresWriter {
    /// Starts the transaction, waits for the writers' lock and creates the
    /// staging table (dropped by the commit or the rollback).
    pub(crate) async fn begin(pool: &PgPool) -> Result<PostgresWriter, StorageError> {
        let mut txn = pool.begin().await.map_err(pg_err("starting a transaction"))?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(WRITER_LOCK_KEY)
            .execute(&mut *txn)
            .await
            .map_err(pg_err("waiting for other writers"))?;
        sqlx::raw_sql(STAGING)
            .execute(&mut *txn)
            .await
            .map_err(pg_err("creating the staging table"))?;
        let empty: bool = sqlx::query_scalar("SELECT NOT EXISTS (SELECT 1 FROM expense)")
            .fetch_one(&mut *txn)
            .await
            .map_err(pg_err("reading the stored expenses"))?;
        Ok(PostgresWriter { txn, text: Vec::new(), copy_straight_in: empty })
    }

    /// Copies the batch in and merges it. A key that repeats within the
    /// batch is sent once, with its last row (one statement may not touch
    /// a row twice); `unchanged` counts the rest.
    pub(crate) async fn write(
        &mut self,
        batch: &[StoredMatch],
    ) -> Result<WriteCounts, StorageError> {
        let rows = last_of_each_key(batch)?;
        if rows.is_empty() {
            return Ok(WriteCounts::default());
        }
        self.text.clear();
        for row in &rows {
            copy_line(&mut self.text, row);
        }

        if self.copy_straight_in && self.copy_into_expense().await? {
            let inserted = rows.len() as u64;
            return Ok(WriteCounts {
                inserted,
                updated: 0,
                unchanged: batch.len() as u64 - inserted,
            });
        }
        self.copy(COPY).await?;

        let merged = sqlx::query(MERGE)
            .fetch_one(&mut *self.txn)
            .await
            .map_err(pg_err("writing expenses"))?;
        sqlx::raw_sql("TRUNCATE expense_load")
            .execute(&mut *self.txn)
            .await
            .map_err(pg_err("writing expenses"))?;

        let inserted: i64 = merged.get(0);
        let updated: i64 = merged.get(1);
        let written = (inserted + updated) as u64;
        Ok(WriteCounts {
            inserted: inserted as u64,
            updated: updated as u64,
            unchanged: batch.len() as u64 - written,
        })
    }

    /// Copies the batch straight into `expense`, inside a savepoint: `true`
    /// if every row was new. A key already stored (a repeated entry id, or
    /// a table that was not empty after all) refuses the whole copy; the
    /// savepoint undoes it, and this and every later batch take the merge.
    async fn copy_into_expense(&mut self) -> Result<bool, StorageError> {
        let savepoint = sqlx::raw_sql("SAVEPOINT straight_in").execute(&mut *self.txn).await;
        savepoint.map_err(pg_err("writing expenses"))?;

        match self.copy(COPY_STRAIGHT_IN).await {
            Ok(()) => {
                let release = sqlx::raw_sql("RELEASE SAVEPOINT straight_in");
                release.execute(&mut *self.txn).await.map_err(pg_err("writing expenses"))?;
                Ok(true)
            }
            Err(StorageError::Postgres { source, .. }) if is_unique_violation(&source) => {
                let undo = sqlx::raw_sql("ROLLBACK TO SAVEPOINT straight_in");
                undo.execute(&mut *self.txn).await.map_err(pg_err("writing expenses"))?;
                self.copy_straight_in = false;
                Ok(false)
            }
            Err(err) => Err(err),
        }
    }

    /// Sends the batch's text to `statement`, a `COPY ... FROM STDIN`.
    async fn copy(&mut self, statement: &'static str) -> Result<(), StorageError> {
        let mut sink = self.txn.copy_in_raw(statement).await.map_err(pg_err("writing expenses"))?;
        sink.send(self.text.as_slice()).await.map_err(pg_err("writing expenses"))?;
        sink.finish().await.map_err(pg_err("writing expenses"))?;
        Ok(())
    }

    /// Deletes the stored entries of one report that `keep` does not name.
    pub(crate) async fn remove_report_entries_except(
        &mut self,
        source: SourceKind,
        report_id: &str,
        keep: &[&str],
    ) -> Result<u64, StorageError> {
        let keep: Vec<String> = keep.iter().map(|id| (*id).to_owned()).collect();
        let done = sqlx::query(
            "DELETE FROM expense WHERE source = $1 AND report_id = $2 \
             AND NOT (source_id = ANY($3))",
        )
        .bind(source.as_str())
        .bind(report_id)
        .bind(keep)
        .execute(&mut *self.txn)
        .await
        .map_err(pg_err("removing deleted entries"))?;
        Ok(done.rows_affected())
    }

    /// Sets a connection's sync cursor inside this transaction.
    pub(crate) async fn set_sync_cursor(
        &mut self,
        name: &str,
        cursor: &str,
    ) -> Result<(), StorageError> {
        let done = sqlx::query(
            "UPDATE connection SET sync_cursor = $1, last_synced_at = $2 WHERE name = $3",
        )
        .bind(cursor)
        .bind(Utc::now().to_rfc3339())
        .bind(name)
        .execute(&mut *self.txn)
        .await
        .map_err(pg_err("saving the sync cursor"))?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NoSuchConnection(name.to_owned()));
        }
        Ok(())
    }

    /// Makes everything written visible at once. Dropping the writer
    /// instead rolls the transaction back.
    pub(crate) async fn commit(self) -> Result<(), StorageError> {
        self.txn.commit().await.map_err(pg_err("committing"))
    }
}

/// The rows of a batch, one per key, each with the last row given for it.
fn last_of_each_key(batch: &[StoredMatch]) -> Result<Vec<RowValues<'_>>, StorageError> {
    let mut last: HashMap<(&str, &str), usize> = HashMap::with_capacity(batch.len());
    for (index, (expense, _)) in batch.iter().enumerate() {
        last.insert((expense.source.as_str(), expense.source_id.as_str()), index);
    }

    let mut rows = Vec::with_capacity(last.len());
    for (index, (expense, decision)) in batch.iter().enumerate() {
        if last.get(&(expense.source.as_str(), expense.source_id.as_str())) == Some(&index) {
            rows.push(RowValues::new(expense, decision.as_ref())?);
        }
    }
    Ok(rows)
}

/// One row in `COPY`'s text format: tab-separated, `\N` for null.
fn copy_line(out: &mut Vec<u8>, row: &RowValues<'_>) {
    for text in [
        row.source,
        row.source_id,
        row.report_id,
        row.report_name,
        row.employee_id,
        row.employee_name,
        row.date_text.as_str(),
        row.vendor_description,
        row.business_purpose,
        row.expense_type,
        row.expense_type_code,
        row.spend_category,
        row.payment_type,
    ] {
        copy_text(out, Some(text));
        out.push(b'\t');
    }
    let _ = write!(out, "{}\t", row.amount_e4);
    copy_text(out, Some(row.currency));
    out.push(b'\t');
    match row.transaction_amount_e4 {
        Some(amount) => {
            let _ = write!(out, "{amount}\t");
        }
        None => out.extend_from_slice(b"\\N\t"),
    }
    copy_text(out, Some(row.transaction_currency));
    out.push(b'\t');
    out.extend_from_slice(if row.personal { b"t\t" } else { b"f\t" });
    for text in [row.app, row.app_vendor, row.matched_by, row.matched_field, row.matched_term] {
        copy_text(out, text);
        out.push(b'\t');
    }
    match row.confidence {
        Some(confidence) => {
            let _ = write!(out, "{confidence}\t");
        }
        None => out.extend_from_slice(b"\\N\t"),
    }
    copy_text(out, row.match_reason);
    let _ = writeln!(out, "\t{}", row.content_hash);
}

/// A text value with `COPY`'s escapes: backslash, and the characters that
/// would end a field or a row.
fn copy_text(out: &mut Vec<u8>, text: Option<&str>) {
    let Some(text) = text else {
        out.extend_from_slice(b"\\N");
        return;
    };
    for &byte in text.as_bytes() {
        match byte {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.push(byte),
        }
    }
}

fn is_unique_violation(error: &sqlx::Error) -> bool {
    error.as_database_error().is_some_and(|e| e.code().as_deref() == Some("23505"))
}

fn pg_err(doing: &'static str) -> impl FnOnce(sqlx::Error) -> StorageError {
    move |source| StorageError::Postgres { doing, source }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_what_would_end_a_field_or_a_row() {
        let mut out = Vec::new();
        copy_text(&mut out, Some("a\tb\\c\nd\re"));
        assert_eq!(out, b"a\\tb\\\\c\\nd\\re");
        out.clear();
        copy_text(&mut out, None);
        assert_eq!(out, b"\\N");
    }
}
