//! The expense record every source produces and every store keeps.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Where an expense came from. Together with [`Expense::source_id`] it is the
/// identity of an expense: storing the same pair twice updates, never adds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// The Concur web-services API.
    Concur,
    /// A Concur report export (CSV or Excel "Unicode text").
    Csv,
    /// A Concur Standard Accounting Extract file.
    Sae,
}

impl SourceKind {
    /// The lowercase name used in storage, JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Concur => "concur",
            SourceKind::Csv => "csv",
            SourceKind::Sae => "sae",
        }
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SourceKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "concur" => Ok(SourceKind::Concur),
            "csv" => Ok(SourceKind::Csv),
            "sae" => Ok(SourceKind::Sae),
            other => Err(format!("unknown source `{other}`")),
        }
    }
}

/// One expense entry, as close to what Concur knows as the source allows.
///
/// Text fields are kept exactly as the source wrote them (trimmed); the
/// matcher normalises its own copy. Empty means "the source did not say".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expense {
    /// Which kind of source produced this record.
    pub source: SourceKind,
    /// Stable id within the source: the Concur entry id, an export's entry
    /// key, or a content hash with an occurrence index for files without ids.
    pub source_id: String,
    /// Concur report id or key, if known.
    pub report_id: String,
    /// Report name (title), if known.
    pub report_name: String,
    /// Employee login or id, if known.
    pub employee_id: String,
    /// Employee display name, if known.
    pub employee_name: String,
    /// The transaction date.
    pub date: NaiveDate,
    /// `VendorDescription`: the merchant text, typed or from the card feed.
    pub vendor_description: String,
    /// `BusinessPurpose`: free text the employee typed.
    pub business_purpose: String,
    /// `ExpenseTypeName`, in whatever language the export was made in.
    pub expense_type: String,
    /// `ExpenseTypeCode`, when the source carries it (`SUBSC`, `LUNCH`...).
    pub expense_type_code: String,
    /// `SpendCategory` name or code, as the source gives it.
    pub spend_category: String,
    /// Payment type name (company card, cash...), if known.
    pub payment_type: String,
    /// What the company paid, in [`Expense::currency`]: the approved amount,
    /// else posted, else the transaction amount. Refunds are negative.
    pub amount: Decimal,
    /// ISO currency code of [`Expense::amount`] (may be empty if unknown).
    pub currency: String,
    /// The amount in the currency of the original transaction, if known.
    pub transaction_amount: Option<Decimal>,
    /// Currency of [`Expense::transaction_amount`].
    pub transaction_currency: String,
    /// Personal expenses are stored but never counted as company spend.
    pub personal: bool,
}

impl Expense {
    /// An expense with only its identity, date and amount set; the rest
    /// empty. Sources fill in what they know.
    pub fn new(source: SourceKind, source_id: String, date: NaiveDate, amount: Decimal) -> Self {
        Expense {
            source,
            source_id,
            report_id: String::new(),
            report_name: String::new(),
            employee_id: String::new(),
            employee_name: String::new(),
            date,
            vendor_description: String::new(),
            business_purpose: String::new(),
            expense_type: String::new(),
            expense_type_code: String::new(),
            spend_category: String::new(),
            payment_type: String::new(),
            amount,
            currency: String::new(),
            transaction_amount: None,
            transaction_currency: String::new(),
            personal: false,
        }
    }

    /// The employee as reports show them: the name when known, else the id.
    pub fn employee(&self) -> &str {
        if self.employee_name.is_empty() { &self.employee_id } else { &self.employee_name }
    }
}
