//! `spendmap report`: counted spend, grouped.

use crate::cli::{OutputFormat, ReportArgs, ReportBy};
use crate::commands::expenses::NOTHING_STORED;
use crate::output::{Records, say, text_or_null};
use anyhow::Context;
use serde_json::Value;
use spendmap_core::{Decimal, ExpenseStore, GroupBy, SpendRow};
use spendmap_storage::Store;
use std::collections::BTreeMap;

/// Shown in place of an app when spend is a vendor's but no single app's.
const APP_UNKNOWN: &str = "(app unknown)";

pub(crate) async fn run(store: &Store, args: &ReportArgs) -> anyhow::Result<()> {
    let by = group_by(args.by);
    let rows = store.spend(by, args.app.as_deref()).await.context("could not build the report")?;

    let records = records(by, &rows, args.format);
    if records.is_empty() && args.format == OutputFormat::Table {
        match &args.app {
            Some(app) => eprintln!("no counted spend for app `{app}`"),
            None if store.count_expenses().await? == 0 => eprintln!("{NOTHING_STORED}"),
            None => eprintln!(
                "no matched spend yet: `spendmap expenses --unmatched` lists what waits for review"
            ),
        }
        return Ok(());
    }
    records.print(args.format)?;

    if args.format == OutputFormat::Table {
        say(&totals_line(&rows))?;
    }
    Ok(())
}

/// `total: 1234.56 USD in 40 expenses, 99.00 EUR in 3 expenses`, one
/// amount per currency because totals are never converted.
fn totals_line(rows: &[SpendRow]) -> String {
    let mut totals: BTreeMap<&str, (Decimal, u64)> = BTreeMap::new();
    for row in rows {
        let entry = totals.entry(&row.currency).or_default();
        entry.0 += row.total;
        entry.1 += row.expenses;
    }
    let parts: Vec<String> = totals
        .iter()
        .map(|(currency, (total, count))| {
            let expenses = if *count == 1 { "expense" } else { "expenses" };
            format!("{} {currency} in {count} {expenses}", tidy(*total))
        })
        .collect();
    format!("total: {}", parts.join(", "))
}

/// A sum written the way stored amounts are: no trailing zeros past the
/// cents (a sum keeps its terms' four decimals, `781.8440`).
fn tidy(amount: Decimal) -> Decimal {
    let mut amount = amount.normalize();
    if amount.scale() < 2 {
        amount.rescale(2);
    }
    amount
}

fn group_by(by: ReportBy) -> GroupBy {
    match by {
        ReportBy::App => GroupBy::App,
        ReportBy::Month => GroupBy::Month,
        ReportBy::Employee => GroupBy::Employee,
        ReportBy::Vendor => GroupBy::Vendor,
    }
}

fn records(by: GroupBy, rows: &[SpendRow], format: OutputFormat) -> Records {
    // One employee's group always has one employee; the column says
    // nothing there.
    let count_employees = by != GroupBy::Employee;
    let mut columns: Vec<&'static str> = match by {
        GroupBy::App => vec!["app", "vendor"],
        GroupBy::Month => vec!["month"],
        GroupBy::Employee => vec!["employee", "employee_id"],
        GroupBy::Vendor => vec!["vendor"],
    };
    columns.extend(["currency", "total", "expenses"]);
    if count_employees {
        columns.push("employees");
    }
    columns.extend(["first_date", "last_date"]);
    let mut records = Records::new(columns, vec!["total", "expenses", "employees"]);

    for row in rows {
        let mut values: Vec<Value> = match by {
            GroupBy::App => vec![app_value(row, format), text_or_null(row.vendor.as_deref())],
            GroupBy::Vendor => vec![text_or_null(row.vendor.as_deref())],
            GroupBy::Month => vec![Value::String(row.key.clone())],
            GroupBy::Employee => {
                vec![Value::String(row.key.clone()), text_or_null(row.employee_id.as_deref())]
            }
        };
        values.extend([
            Value::String(row.currency.clone()),
            Value::String(row.total.to_string()),
            Value::from(row.expenses),
        ]);
        if count_employees {
            values.push(Value::from(row.employees));
        }
        values.extend([
            Value::String(row.first_date.to_string()),
            Value::String(row.last_date.to_string()),
        ]);
        records.push(values);
    }
    records
}

/// Machines get null for "app unknown"; people get words.
fn app_value(row: &SpendRow, format: OutputFormat) -> Value {
    match (&row.app, format) {
        (Some(app), _) => Value::String(app.clone()),
        (None, OutputFormat::Table) => Value::String(APP_UNKNOWN.to_owned()),
        (None, _) => Value::Null,
    }
}
