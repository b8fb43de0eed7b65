//! Between domain values and table rows.

use crate::StorageError;
use crate::entity::{expense, rule};
use crate::money::{from_e4, to_e4};
use spendmap_core::{Expense, ExpenseRow, Field, Match, RuleKind, StoredMatch, UserRule};
use std::collections::HashMap;
use std::str::FromStr;

/// Every column an upsert overwrites: all but the id and the key.
pub(crate) const UPDATED_COLUMNS: [expense::Column; 23] = [
    expense::Column::ReportId,
    expense::Column::ReportName,
    expense::Column::EmployeeId,
    expense::Column::EmployeeName,
    expense::Column::Date,
    expense::Column::VendorDescription,
    expense::Column::BusinessPurpose,
    expense::Column::ExpenseType,
    expense::Column::ExpenseTypeCode,
    expense::Column::SpendCategory,
    expense::Column::PaymentType,
    expense::Column::AmountE4,
    expense::Column::Currency,
    expense::Column::TransactionAmountE4,
    expense::Column::TransactionCurrency,
    expense::Column::Personal,
    expense::Column::App,
    expense::Column::AppVendor,
    expense::Column::MatchedBy,
    expense::Column::MatchedField,
    expense::Column::MatchedTerm,
    expense::Column::Confidence,
    expense::Column::MatchReason,
];

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

    Ok(expense::Model {
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
    })
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
