//! The seams for reading expenses in and keeping them.

use crate::{
    Correction, Expense, ExpenseFilter, ExpenseRow, GroupBy, Match, SourceKind, SpendRow, UserRule,
};
use std::future::Future;

/// Yields expenses from one place, one at a time, so a source can stream a
/// file of any size.
pub trait ExpenseSource {
    /// What can go wrong reading one record.
    type Error: std::error::Error + Send + Sync + 'static;

    /// The kind of source, stored with every expense it yields.
    fn kind(&self) -> SourceKind;

    /// The next expense, an error for a record that could not be read, or
    /// `None` at the end. A source may go on after an error.
    fn next_expense(&mut self) -> Option<Result<Expense, Self::Error>>;

    /// Where the next run should resume, for sources that can resume.
    fn cursor(&self) -> Option<String> {
        None
    }
}

/// How one write changed the store.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriteCounts {
    /// Expenses that were not stored before.
    pub inserted: u64,
    /// Expenses already stored whose content or decision changed.
    pub updated: u64,
    /// Expenses already stored exactly like this.
    pub unchanged: u64,
}

impl std::ops::AddAssign for WriteCounts {
    fn add_assign(&mut self, other: Self) {
        self.inserted += other.inserted;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
    }
}

/// An expense together with the decision to store for it.
pub type StoredMatch = (Expense, Option<Match>);

/// One all-or-nothing write: nothing is visible to others, and nothing is
/// kept, until [`ExpenseWriter::commit`] succeeds.
pub trait ExpenseWriter: Send {
    /// What can go wrong writing.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Insert or update by (source, source id).
    fn write(
        &mut self,
        batch: &[StoredMatch],
    ) -> impl Future<Output = Result<WriteCounts, Self::Error>> + Send;

    /// Remove the stored expenses of one report of `source` whose ids are
    /// not in `keep` (entries deleted at the source); returns how many.
    fn remove_report_entries_except(
        &mut self,
        source: SourceKind,
        report_id: &str,
        keep: &[&str],
    ) -> impl Future<Output = Result<u64, Self::Error>> + Send;

    /// Set a connection's sync cursor, committed with the expenses.
    fn set_sync_cursor(
        &mut self,
        connection: &str,
        cursor: &str,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;

    /// Make everything written visible at once.
    fn commit(self) -> impl Future<Output = Result<(), Self::Error>> + Send;
}

/// Keeps expenses, decisions and rules, and answers the reports.
pub trait ExpenseStore: Sync {
    /// What can go wrong talking to the store.
    type Error: std::error::Error + Send + Sync + 'static;
    /// The writer [`ExpenseStore::writer`] opens.
    type Writer: ExpenseWriter<Error = Self::Error>;

    /// Open an all-or-nothing write.
    fn writer(&self) -> impl Future<Output = Result<Self::Writer, Self::Error>> + Send;

    /// Stored expenses with their decisions, in storage order.
    fn expenses(
        &self,
        filter: &ExpenseFilter,
    ) -> impl Future<Output = Result<Vec<ExpenseRow>, Self::Error>> + Send;

    /// Counted spend, grouped; only one app's when `app` is given
    /// (case-insensitive), which with [`GroupBy::Employee`] says who
    /// expenses it.
    fn spend(
        &self,
        by: GroupBy,
        app: Option<&str>,
    ) -> impl Future<Output = Result<Vec<SpendRow>, Self::Error>> + Send;

    /// Every user rule, oldest first.
    fn rules(&self) -> impl Future<Output = Result<Vec<UserRule>, Self::Error>> + Send;

    /// Store a rule; returns its id.
    fn add_rule(&self, rule: &UserRule) -> impl Future<Output = Result<i64, Self::Error>> + Send;

    /// Remove a rule; `false` if there was none with that id.
    fn remove_rule(&self, id: i64) -> impl Future<Output = Result<bool, Self::Error>> + Send;

    /// One stored expense by its storage id.
    fn expense(
        &self,
        id: i64,
    ) -> impl Future<Output = Result<Option<ExpenseRow>, Self::Error>> + Send;

    /// Every correction made by hand.
    fn corrections(&self) -> impl Future<Output = Result<Vec<Correction>, Self::Error>> + Send;

    /// Store a correction, replacing an earlier one of the same expense.
    fn set_correction(
        &self,
        correction: &Correction,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;
}
