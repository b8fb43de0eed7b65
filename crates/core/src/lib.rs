//! The vocabulary of spendmap: what an expense is, what a match says, and
//! the three seams the other crates plug into.
//!
//! This crate is deliberately small. It depends on `chrono`, `rust_decimal`
//! and `serde` only, does no I/O and knows nothing about Concur, CSV, SQL or
//! Aho-Corasick. Everything else meets here:
//!
//! * [`ExpenseSource`] yields [`Expense`] records from somewhere (an exported
//!   file today, a Concur tenant later) together with a resume cursor.
//! * [`Matcher`] decides for one expense whether it is SaaS spend and for
//!   which app, returning a [`Match`] that says why.
//! * [`ExpenseStore`] keeps expenses and matches idempotently and answers the
//!   questions the reports ask; [`ConnectionStore`] keeps connections to
//!   live sources (sealed secrets, sync cursors).
//!
//! Money is always [`rust_decimal::Decimal`] with its currency code next to
//! it; there is no float anywhere on the path from a file to a total.

#![deny(missing_docs)]

mod connection;
mod expense;
mod matching;
mod report;
mod store;

pub use connection::{Connection, ConnectionStore};
pub use expense::{Expense, SourceKind};
pub use matching::{Correction, Field, Match, Matcher, RuleKind, UserRule};
pub use report::{ExpenseFilter, ExpenseRow, GroupBy, SpendRow};
pub use store::{ExpenseSource, ExpenseStore, ExpenseWriter, StoredMatch, WriteCounts};

pub use chrono::NaiveDate;
pub use rust_decimal::Decimal;
