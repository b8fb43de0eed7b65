//! The all-or-nothing writer: upserts inside one transaction, through the
//! bulk path of each backend (`sqlite_writer`, `postgres_writer`), and
//! through sea-orm for an in-memory SQLite database.

use crate::entity::expense;
use crate::postgres_writer::PostgresWriter;
use crate::sqlite_writer::SqliteWriter;
use crate::{BATCH_ROWS, StorageError, connections, convert, db_err};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, QueryFilter,
    QuerySelect, Statement, Value,
};
use spendmap_core::{ExpenseWriter, SourceKind, StoredMatch, WriteCounts};
use std::collections::HashMap;
use std::fmt::Write as _;

/// Writes expenses inside one transaction. Dropping it without
/// [`ExpenseWriter::commit`] rolls everything back.
pub struct StoreWriter {
    path: WritePath,
}

enum WritePath {
    /// A SQLite file: a connection of the writer's own (see `sqlite_writer`).
    Sqlite(SqliteWriter),
    /// PostgreSQL: `COPY` and a merge per batch (see `postgres_writer`).
    Postgres(PostgresWriter),
    /// SQLite in memory, which no second connection can see.
    Orm(OrmWriter),
}

impl StoreWriter {
    pub(crate) fn sqlite(writer: SqliteWriter) -> StoreWriter {
        StoreWriter { path: WritePath::Sqlite(writer) }
    }

    pub(crate) fn postgres(writer: PostgresWriter) -> StoreWriter {
        StoreWriter { path: WritePath::Postgres(writer) }
    }

    pub(crate) fn orm(txn: DatabaseTransaction) -> StoreWriter {
        StoreWriter { path: WritePath::Orm(OrmWriter::new(txn)) }
    }
}

impl std::fmt::Debug for StoreWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = match self.path {
            WritePath::Sqlite(_) => "sqlite",
            WritePath::Postgres(_) => "postgres",
            WritePath::Orm(_) => "orm",
        };
        f.debug_struct("StoreWriter").field("path", &path).finish_non_exhaustive()
    }
}

impl ExpenseWriter for StoreWriter {
    type Error = StorageError;

    async fn write(&mut self, batch: &[StoredMatch]) -> Result<WriteCounts, StorageError> {
        match &mut self.path {
            WritePath::Sqlite(writer) => writer.write(batch),
            WritePath::Postgres(writer) => writer.write(batch).await,
            WritePath::Orm(writer) => writer.write(batch).await,
        }
    }

    async fn remove_report_entries_except(
        &mut self,
        source: SourceKind,
        report_id: &str,
        keep: &[&str],
    ) -> Result<u64, StorageError> {
        match &mut self.path {
            WritePath::Sqlite(writer) => {
                writer.remove_report_entries_except(source, report_id, keep)
            }
            WritePath::Postgres(writer) => {
                writer.remove_report_entries_except(source, report_id, keep).await
            }
            WritePath::Orm(writer) => {
                writer.remove_report_entries_except(source, report_id, keep).await
            }
        }
    }

    async fn set_sync_cursor(
        &mut self,
        connection: &str,
        cursor: &str,
    ) -> Result<(), StorageError> {
        match &mut self.path {
            WritePath::Sqlite(writer) => writer.set_sync_cursor(connection, cursor),
            WritePath::Postgres(writer) => writer.set_sync_cursor(connection, cursor).await,
            WritePath::Orm(writer) => {
                connections::set_cursor(&writer.txn, connection, cursor).await
            }
        }
    }

    async fn commit(self) -> Result<(), StorageError> {
        match self.path {
            WritePath::Sqlite(writer) => writer.commit(),
            WritePath::Postgres(writer) => writer.commit().await,
            WritePath::Orm(writer) => writer.txn.commit().await.map_err(db_err("committing")),
        }
    }
}

/// The sea-orm writer: multi-row upserts in the transaction it holds. It
/// serves the one database the bulk writers cannot open, SQLite in memory
/// (tests and experiments), and works on any backend.
struct OrmWriter {
    txn: DatabaseTransaction,
}

impl OrmWriter {
    fn new(txn: DatabaseTransaction) -> OrmWriter {
        OrmWriter { txn }
    }

    async fn write(&mut self, batch: &[StoredMatch]) -> Result<WriteCounts, StorageError> {
        let rows = convert::unique_rows(batch)?;

        let mut counts = WriteCounts::default();
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<_> = rows.by_ref().take(BATCH_ROWS).collect();
            counts += self.write_chunk(chunk).await?;
        }
        Ok(counts)
    }

    async fn remove_report_entries_except(
        &mut self,
        source: SourceKind,
        report_id: &str,
        keep: &[&str],
    ) -> Result<u64, StorageError> {
        let mut gone = expense::Entity::delete_many()
            .filter(expense::Column::Source.eq(source.as_str()))
            .filter(expense::Column::ReportId.eq(report_id));
        if !keep.is_empty() {
            gone = gone.filter(expense::Column::SourceId.is_not_in(keep.iter().copied()));
        }
        let done = gone.exec(&self.txn).await.map_err(db_err("removing deleted entries"))?;
        Ok(done.rows_affected)
    }

    /// Upsert one chunk of at most [`BATCH_ROWS`] rows with unique keys.
    async fn write_chunk(
        &mut self,
        rows: Vec<expense::Model>,
    ) -> Result<WriteCounts, StorageError> {
        let stored = self.stored_fingerprints(&rows).await?;

        let mut counts = WriteCounts::default();
        let mut changed = Vec::with_capacity(rows.len());
        for row in rows {
            let known = stored.get(row.source.as_str()).and_then(|ids| ids.get(&row.source_id));
            match known {
                None => {
                    counts.inserted += 1;
                    changed.push(row);
                }
                Some(&hash) if hash == row.content_hash => counts.unchanged += 1,
                Some(_) => {
                    counts.updated += 1;
                    changed.push(row);
                }
            }
        }

        self.upsert(changed).await?;
        Ok(counts)
    }

    /// The content fingerprints of the stored rows with the same keys as
    /// `rows`: one integer per row to compare, not every column.
    async fn stored_fingerprints(
        &self,
        rows: &[expense::Model],
    ) -> Result<HashMap<String, HashMap<String, i64>>, StorageError> {
        let mut by_source: HashMap<&str, Vec<&str>> = HashMap::new();
        for row in rows {
            by_source.entry(&row.source).or_default().push(&row.source_id);
        }

        let mut found: HashMap<String, HashMap<String, i64>> = HashMap::new();
        for (source, ids) in by_source {
            let pairs: Vec<(String, i64)> = expense::Entity::find()
                .select_only()
                .column(expense::Column::SourceId)
                .column(expense::Column::ContentHash)
                .filter(expense::Column::Source.eq(source))
                .filter(expense::Column::SourceId.is_in(ids))
                .into_tuple()
                .all(&self.txn)
                .await
                .map_err(db_err("looking up stored expenses"))?;
            found.entry(source.to_owned()).or_default().extend(pairs);
        }
        Ok(found)
    }

    /// One multi-row `INSERT ... ON CONFLICT DO UPDATE`, written directly:
    /// the ORM's `insert_many` spent more time copying values than the
    /// database spent storing them. The statement text depends only on the
    /// row count, so full chunks reuse one prepared statement.
    async fn upsert(&self, rows: Vec<expense::Model>) -> Result<(), StorageError> {
        if rows.is_empty() {
            return Ok(());
        }
        let backend = self.txn.get_database_backend();
        let sql = upsert_sql(backend, rows.len());
        let mut values = Vec::with_capacity(rows.len() * INSERTED_COLUMNS.len());
        for row in rows {
            push_values(row, &mut values);
        }
        self.txn
            .execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await
            .map_err(db_err("writing expenses"))?;
        Ok(())
    }
}

/// The columns an upsert writes, in statement order: all but the id,
/// which the table chooses.
const INSERTED_COLUMNS: [&str; 26] = [
    "source",
    "source_id",
    "report_id",
    "report_name",
    "employee_id",
    "employee_name",
    "date",
    "vendor_description",
    "business_purpose",
    "expense_type",
    "expense_type_code",
    "spend_category",
    "payment_type",
    "amount_e4",
    "currency",
    "transaction_amount_e4",
    "transaction_currency",
    "personal",
    "app",
    "app_vendor",
    "matched_by",
    "matched_field",
    "matched_term",
    "confidence",
    "match_reason",
    "content_hash",
];

/// The values of one row, in [`INSERTED_COLUMNS`] order, moved rather
/// than copied.
fn push_values(row: expense::Model, values: &mut Vec<Value>) {
    values.extend([
        Value::from(row.source),
        Value::from(row.source_id),
        Value::from(row.report_id),
        Value::from(row.report_name),
        Value::from(row.employee_id),
        Value::from(row.employee_name),
        Value::from(row.date),
        Value::from(row.vendor_description),
        Value::from(row.business_purpose),
        Value::from(row.expense_type),
        Value::from(row.expense_type_code),
        Value::from(row.spend_category),
        Value::from(row.payment_type),
        Value::from(row.amount_e4),
        Value::from(row.currency),
        Value::from(row.transaction_amount_e4),
        Value::from(row.transaction_currency),
        Value::from(row.personal),
        Value::from(row.app),
        Value::from(row.app_vendor),
        Value::from(row.matched_by),
        Value::from(row.matched_field),
        Value::from(row.matched_term),
        Value::from(row.confidence),
        Value::from(row.match_reason),
        Value::from(row.content_hash),
    ]);
}

/// `INSERT INTO expense (...) VALUES (...), ... ON CONFLICT (source,
/// source_id) DO UPDATE SET ... = excluded....` for `rows` rows.
fn upsert_sql(backend: DbBackend, rows: usize) -> String {
    let columns = &INSERTED_COLUMNS;
    let width = columns.len();
    let mut sql = format!("INSERT INTO expense ({}) VALUES ", columns.join(", "));
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for column in 0..width {
            if column > 0 {
                sql.push_str(", ");
            }
            match backend {
                DbBackend::Postgres => {
                    let _ = write!(sql, "${}", row * width + column + 1);
                }
                _ => sql.push('?'),
            }
        }
        sql.push(')');
    }
    let updates: Vec<String> =
        columns[2..].iter().map(|column| format!("{column} = excluded.{column}")).collect();
    let _ = write!(sql, " ON CONFLICT (source, source_id) DO UPDATE SET {}", updates.join(", "));
    sql
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_upsert_names_every_column_once_and_numbers_postgres_parameters() {
        let sql = upsert_sql(DbBackend::Postgres, 2);
        assert!(sql.contains("$52") && !sql.contains("$53"), "{sql}");
        assert!(!sql.contains("(id,") && !sql.contains(" id,"), "the id is the table's: {sql}");
        assert!(sql.ends_with("content_hash = excluded.content_hash"), "{sql}");
        let sqlite = upsert_sql(DbBackend::Sqlite, 1);
        assert_eq!(sqlite.matches('?').count(), 26);
    }
}
