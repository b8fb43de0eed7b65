//! Between domain values and table rows.

use crate::StorageError;
use crate::entity::{expense, rule};
use crate::money::{from_e4, to_e4};
use spendmap_core::{Expense, ExpenseRow, Field, Match, RuleKind, StoredMatch, UserRule};
use std::collections::HashMap;
use std::str::FromStr;

/// Rows for a batch, one per key: when a key repeats, the later record
/// wins, as it would have if it came in a later batch. (A single statement
/// may not touch the same row twice on PostgreSQL.)
pub(crate) fn unique_rows(batch: &[StoredMatch]) -> Result<Vec<expense::Model>, StorageError> {
    let mut position: HashMap<(&str, &str), usize> = HashMap::with_capacity(batch.len());
    let mut rows: Vec<expense::Model> = Vec::with_capacity(batch.len());

    for (expense, decision) in batch {
        let row = to_row(expense, decision.as_ref())?;
        let key = (expense.source.as_str(), expense.source_id.as_str());
        match position.get(&key) {
            Some(&idx) => rows[idx] = row,
            None => {
                position.insert(key, rows.len());
                rows.push(row);
            }
        }
    }
    Ok(rows)
}

fn to_row(expense: &Expense, decision: Option<&Match>) -> Result<expense::Model, StorageError> {
    let e4 = |amount| {
        to_e4(amount).ok_or_else(|| StorageError::AmountOutOfRange {
            amount: amount.to_string(),
            source_id: expense.source_id.clone(),
        })
    };

    Ok(with_content_hash(expense::Model {
        id: 0,
        source: expense.source.as_str().to_owned(),
        source_id: expense.source_id.clone(),
        report_id: expense.report_id.clone(),
        report_name: expense.report_name.clone(),
        employee_id: expense.employee_id.clone(),
        employee_name: expense.employee_name.clone(),
        date: expense.date,
        vendor_description: expense.vendor_description.clone(),
        business_purpose: expense.business_purpose.clone(),
        expense_type: expense.expense_type.clone(),
        expense_type_code: expense.expense_type_code.clone(),
        spend_category: expense.spend_category.clone(),
        payment_type: expense.payment_type.clone(),
        amount_e4: e4(expense.amount)?,
        currency: expense.currency.clone(),
        transaction_amount_e4: expense.transaction_amount.map(e4).transpose()?,
        transaction_currency: expense.transaction_currency.clone(),
        personal: expense.personal,
        app: decision.and_then(|m| m.app.clone()),
        app_vendor: decision.and_then(|m| m.vendor.clone()),
        matched_by: decision.map(|m| m.rule.as_str().to_owned()),
        matched_field: decision.map(|m| m.field.as_str().to_owned()),
        matched_term: decision.map(|m| m.term.clone()),
        confidence: decision.map(|m| i16::from(m.confidence)),
        match_reason: decision.map(|m| m.reason.clone()),
        content_hash: 0,
    }))
}

/// The row with its fingerprint: FNV-1a (64-bit) over every column but the
/// id and the hash itself, each preceded by its length so that no two
/// different rows feed the same bytes. Written out here rather than taken
/// from `std::hash` because stored fingerprints must not change with the
/// compiler version.
fn with_content_hash(mut row: expense::Model) -> expense::Model {
    let mut hash = Fnv::new();
    for text in [
        &row.source,
        &row.source_id,
        &row.report_id,
        &row.report_name,
        &row.employee_id,
        &row.employee_name,
        &row.vendor_description,
        &row.business_purpose,
        &row.expense_type,
        &row.expense_type_code,
        &row.spend_category,
        &row.payment_type,
        &row.currency,
        &row.transaction_currency,
    ] {
        hash.text(Some(text));
    }
    hash.bytes(row.date.to_string().as_bytes());
    hash.bytes(&row.amount_e4.to_le_bytes());
    hash.bytes(&row.transaction_amount_e4.map_or([0xff; 8], i64::to_le_bytes));
    hash.bytes(&[u8::from(row.personal)]);
    for text in [&row.app, &row.app_vendor, &row.matched_by, &row.matched_field, &row.matched_term]
    {
        hash.text(text.as_ref());
    }
    hash.bytes(&row.confidence.map_or([0xff; 2], i16::to_le_bytes));
    hash.text(row.match_reason.as_ref());
    row.content_hash = i64::from_le_bytes(hash.0.to_le_bytes());
    row
}

/// FNV-1a, 64-bit.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn bytes(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 ^= u64::from(byte);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    /// Length first (with a marker for "none"), then the bytes.
    fn text(&mut self, text: Option<&String>) {
        match text {
            Some(text) => {
                self.bytes(&(text.len() as u64).to_le_bytes());
                self.bytes(text.as_bytes());
            }
            None => self.bytes(&u64::MAX.to_le_bytes()),
        }
    }
}

/// A stored row back as a domain value.
pub(crate) fn from_row(row: expense::Model) -> Result<ExpenseRow, StorageError> {
    let decision = decision_of(&row)?;
    let source = spendmap_core::SourceKind::from_str(&row.source)
        .map_err(|_| StorageError::Corrupt { column: "source", value: row.source.clone() })?;

    let mut expense = Expense::new(source, row.source_id, row.date, from_e4(row.amount_e4));
    expense.report_id = row.report_id;
    expense.report_name = row.report_name;
    expense.employee_id = row.employee_id;
    expense.employee_name = row.employee_name;
    expense.vendor_description = row.vendor_description;
    expense.business_purpose = row.business_purpose;
    expense.expense_type = row.expense_type;
    expense.expense_type_code = row.expense_type_code;
    expense.spend_category = row.spend_category;
    expense.payment_type = row.payment_type;
    expense.currency = row.currency;
    expense.transaction_amount = row.transaction_amount_e4.map(from_e4);
    expense.transaction_currency = row.transaction_currency;
    expense.personal = row.personal;

    Ok(ExpenseRow { id: row.id, expense, decision })
}

fn decision_of(row: &expense::Model) -> Result<Option<Match>, StorageError> {
    let Some(matched_by) = &row.matched_by else {
        return Ok(None);
    };
    let rule = RuleKind::from_str(matched_by)
        .map_err(|_| StorageError::Corrupt { column: "matched_by", value: matched_by.clone() })?;
    let field_text = row.matched_field.clone().unwrap_or_default();
    let field = Field::from_str(&field_text)
        .map_err(|_| StorageError::Corrupt { column: "matched_field", value: field_text })?;

    Ok(Some(Match {
        app: row.app.clone(),
        vendor: row.app_vendor.clone(),
        rule,
        field,
        term: row.matched_term.clone().unwrap_or_default(),
        confidence: row.confidence.and_then(|c| u8::try_from(c).ok()).unwrap_or(0),
        reason: row.match_reason.clone().unwrap_or_default(),
    }))
}

/// A stored rule back as a domain value.
pub(crate) fn rule_from_row(row: rule::Model) -> Result<UserRule, StorageError> {
    let field = Field::from_str(&row.field)
        .map_err(|_| StorageError::Corrupt { column: "rule.field", value: row.field.clone() })?;
    Ok(UserRule { id: row.id, term: row.term, field, app: row.app, vendor: row.vendor })
}
