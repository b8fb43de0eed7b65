//! The all-or-nothing writer: batched upserts inside one transaction.

use crate::entity::expense;
use crate::{BATCH_ROWS, StorageError, connections, convert, db_err};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    IntoActiveModel, QueryFilter,
};
use spendmap_core::{ExpenseWriter, SourceKind, StoredMatch, WriteCounts};
use std::collections::HashMap;

/// Writes expenses inside one transaction. Dropping it without
/// [`ExpenseWriter::commit`] rolls everything back.
pub struct StoreWriter {
    txn: DatabaseTransaction,
    /// Rows written so far, and whether the planner has been told about
    /// them (see [`ANALYZE_AFTER`]).
    written: usize,
    analyzed: bool,
}

/// Rows after which a PostgreSQL writer refreshes the table's statistics.
/// A big import grows the table inside its own transaction while the
/// planner still believes what it last saw (an empty table, on a first
/// import) and looks stored keys up by scanning every row of the source:
/// quadratic in the file. One `ANALYZE` once the table is no longer small
/// puts the unique index back in the plan.
const ANALYZE_AFTER: usize = 10_000;

impl std::fmt::Debug for StoreWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreWriter").finish_non_exhaustive()
    }
}

impl StoreWriter {
    pub(crate) fn new(txn: DatabaseTransaction) -> StoreWriter {
        StoreWriter { txn, written: 0, analyzed: false }
    }

    /// Upsert one chunk of at most [`BATCH_ROWS`] rows with unique keys.
    async fn write_chunk(
        &mut self,
        rows: Vec<expense::Model>,
    ) -> Result<WriteCounts, StorageError> {
        if self.written >= ANALYZE_AFTER && !self.analyzed {
            self.analyze().await?;
        }
        self.written += rows.len();
        let existing = self.existing(&rows).await?;

        let mut counts = WriteCounts::default();
        let mut changed = Vec::with_capacity(rows.len());
        for row in rows {
            match existing.get(&(row.source.clone(), row.source_id.clone())) {
                None => {
                    counts.inserted += 1;
                    changed.push(row);
                }
                Some(old) if same_content(old, &row) => counts.unchanged += 1,
                Some(_) => {
                    counts.updated += 1;
                    changed.push(row);
                }
            }
        }

        self.upsert(changed).await?;
        Ok(counts)
    }

    async fn analyze(&mut self) -> Result<(), StorageError> {
        self.analyzed = true;
        if self.txn.get_database_backend() == DbBackend::Postgres {
            self.txn.execute_unprepared("ANALYZE expense").await.map_err(db_err("analyzing"))?;
        }
        Ok(())
    }

    /// The stored rows with the same keys as `rows`, by key.
    async fn existing(
        &self,
        rows: &[expense::Model],
    ) -> Result<HashMap<(String, String), expense::Model>, StorageError> {
        let mut by_source: HashMap<&str, Vec<&str>> = HashMap::new();
        for row in rows {
            by_source.entry(&row.source).or_default().push(&row.source_id);
        }

        let mut found = HashMap::with_capacity(rows.len());
        for (source, ids) in by_source {
            let models = expense::Entity::find()
                .filter(expense::Column::Source.eq(source))
                .filter(expense::Column::SourceId.is_in(ids))
                .all(&self.txn)
                .await
                .map_err(db_err("looking up stored expenses"))?;
            for model in models {
                found.insert((model.source.clone(), model.source_id.clone()), model);
            }
        }
        Ok(found)
    }

    async fn upsert(&self, rows: Vec<expense::Model>) -> Result<(), StorageError> {
        if rows.is_empty() {
            return Ok(());
        }

        let models = rows.into_iter().map(|row| {
            let mut active = row.into_active_model();
            active.id = ActiveValue::NotSet;
            active
        });
        let on_conflict = OnConflict::columns([expense::Column::Source, expense::Column::SourceId])
            .update_columns(convert::UPDATED_COLUMNS)
            .to_owned();
        expense::Entity::insert_many(models)
            .on_conflict(on_conflict)
            .exec_without_returning(&self.txn)
            .await
            .map_err(db_err("writing expenses"))?;
        Ok(())
    }
}

/// Whether a stored row already says everything a new one says.
fn same_content(stored: &expense::Model, new: &expense::Model) -> bool {
    let mut stored = stored.clone();
    stored.id = new.id;
    stored == *new
}

impl ExpenseWriter for StoreWriter {
    type Error = StorageError;

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

    async fn set_sync_cursor(
        &mut self,
        connection: &str,
        cursor: &str,
    ) -> Result<(), StorageError> {
        connections::set_cursor(&self.txn, connection, cursor).await
    }

    async fn commit(self) -> Result<(), StorageError> {
        self.txn.commit().await.map_err(db_err("committing"))
    }
}
