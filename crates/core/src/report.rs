//! What the reports ask a store for, and what comes back.

use crate::{Expense, Match};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

/// How to group spend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupBy {
    /// One row per app (and vendor-only spend per vendor) and currency.
    App,
    /// One row per calendar month and currency.
    Month,
    /// One row per employee and currency.
    Employee,
    /// One row per vendor and currency.
    Vendor,
}

/// One line of a spend report. Only counted spend (matched, not ignored,
/// not personal) goes into it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SpendRow {
    /// The group's value: app name, `YYYY-MM`, employee name (else id) or
    /// vendor.
    pub key: String,
    /// The app, when grouping by app (`None` for vendor-only spend).
    pub app: Option<String>,
    /// The vendor, when grouping by app or vendor.
    pub vendor: Option<String>,
    /// The employee's id, when grouping by employee (the key is the name).
    pub employee_id: Option<String>,
    /// Currency of `total`; totals are never mixed across currencies.
    pub currency: String,
    /// Exact sum of the amounts (refunds included).
    pub total: Decimal,
    /// Number of expenses.
    pub expenses: u64,
    /// Number of distinct employees.
    pub employees: u64,
    /// Earliest transaction date.
    pub first_date: NaiveDate,
    /// Latest transaction date.
    pub last_date: NaiveDate,
}

/// Which stored expenses to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExpenseFilter {
    /// Only those nothing decided yet, personal ones left out (the review
    /// queue).
    pub unmatched: bool,
    /// Only those matched to this app (case-insensitive).
    pub app: Option<String>,
    /// Only those whose app belongs to this vendor, or that are the
    /// vendor's with the app unknown (case-insensitive).
    pub vendor: Option<String>,
    /// Only rows with a storage id above this (for paging).
    pub after_id: Option<i64>,
    /// At most this many rows.
    pub limit: Option<u64>,
}

/// A stored expense with its current decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpenseRow {
    /// Storage id, stable for the life of the row.
    pub id: i64,
    /// The expense as stored.
    pub expense: Expense,
    /// The current decision, if any.
    pub decision: Option<Match>,
}
