//! `spendmap expenses`: stored expenses with their decision and reasons.

use crate::cli::{ExpensesArgs, OutputFormat};
use crate::context;
use crate::output::{Records, text_or_null};
use anyhow::Context;
use serde_json::Value;
use spendmap_core::{ExpenseFilter, ExpenseRow, ExpenseStore};
use spendmap_storage::Store;

/// Every column, as the JSON and CSV formats show them.
const COLUMNS: [&str; 18] = [
    "id",
    "source",
    "source_id",
    "date",
    "employee",
    "vendor_description",
    "purpose",
    "expense_type",
    "spend_category",
    "amount",
    "currency",
    "personal",
    "app",
    "app_vendor",
    "matched_by",
    "matched_field",
    "matched_term",
    "match_reason",
];

/// The narrower set a terminal can show.
const TABLE_COLUMNS: [&str; 8] =
    ["id", "date", "employee", "vendor_description", "amount", "currency", "app", "matched_by"];

/// In the review queue app and decision are empty; what helps decide is
/// what the employee said it was.
const REVIEW_COLUMNS: [&str; 8] = [
    "id",
    "date",
    "employee",
    "vendor_description",
    "purpose",
    "expense_type",
    "amount",
    "currency",
];

pub(crate) async fn run(store: &Store, args: &ExpensesArgs) -> anyhow::Result<()> {
    let filter = ExpenseFilter {
        unmatched: args.unmatched,
        app: args.app.clone(),
        vendor: args.vendor.clone(),
        ..ExpenseFilter::default()
    };
    let rows = store.expenses(&filter).await.context("could not list expenses")?;

    let columns: Vec<&'static str> = match args.format {
        OutputFormat::Table if args.unmatched => REVIEW_COLUMNS.to_vec(),
        OutputFormat::Table => TABLE_COLUMNS.to_vec(),
        OutputFormat::Json | OutputFormat::Csv => COLUMNS.to_vec(),
    };
    let mut records = Records::new(columns.clone(), vec!["id", "amount"]);
    for row in &rows {
        records.push(columns.iter().map(|column| value(row, column)).collect());
    }

    if records.is_empty() && args.format == OutputFormat::Table {
        let stored = store.count_expenses().await.context("could not count the expenses")?;
        eprintln!("{}", nothing_found(args, stored)?);
        return Ok(());
    }
    records.print(args.format)
}

fn value(row: &ExpenseRow, column: &str) -> Value {
    let expense = &row.expense;
    let decision = row.decision.as_ref();
    match column {
        "id" => Value::from(row.id),
        "source" => Value::String(expense.source.to_string()),
        "source_id" => Value::String(expense.source_id.clone()),
        "date" => Value::String(expense.date.to_string()),
        "employee" => text_or_null(Some(expense.employee())),
        "vendor_description" => Value::String(expense.vendor_description.clone()),
        "purpose" => Value::String(expense.business_purpose.clone()),
        "expense_type" => Value::String(expense.expense_type.clone()),
        "spend_category" => Value::String(expense.spend_category.clone()),
        "amount" => Value::String(expense.amount.to_string()),
        "currency" => Value::String(expense.currency.clone()),
        "personal" => Value::Bool(expense.personal),
        "app" => text_or_null(decision.and_then(|m| m.app.as_deref())),
        "app_vendor" => text_or_null(decision.and_then(|m| m.vendor.as_deref())),
        "matched_by" => text_or_null(decision.map(|m| m.rule.as_str())),
        "matched_field" => text_or_null(decision.map(|m| m.field.as_str())),
        "matched_term" => text_or_null(decision.map(|m| m.term.as_str())),
        "match_reason" => text_or_null(decision.map(|m| m.reason.as_str())),
        _ => Value::Null,
    }
}

/// What an empty database says, here and in reports.
pub(crate) const NOTHING_STORED: &str = "no expenses stored yet: import a file with \
     `spendmap import FILE`, or sync Concur with `spendmap sync` after `spendmap connect concur`";

/// Why the list is empty, with the next thing to try.
fn nothing_found(args: &ExpensesArgs, stored: u64) -> anyhow::Result<String> {
    if stored == 0 {
        return Ok(NOTHING_STORED.to_owned());
    }
    if let Some(vendor) = &args.vendor {
        return Ok(format!("no stored expense is matched to vendor `{vendor}`"));
    }
    let Some(app) = &args.app else {
        return Ok("nothing waits for review: every expense is matched or ignored".to_owned());
    };
    let known = context::catalog()?.find_app(app).is_some();
    Ok(if known {
        format!("no stored expense is matched to `{app}`")
    } else {
        format!(
            "no stored expense is matched to `{app}`, and the catalog has no such app; `spendmap apps {app}` searches it"
        )
    })
}
