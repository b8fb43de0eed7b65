//! Read queries and rule edits. Aggregates run in SQL, not in Rust loops.

use crate::convert::{from_row, rule_from_row};
use crate::entity::{correction, expense, rule};
use crate::money::from_e4;
use crate::{StorageError, db_err};
use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait, Func, OnConflict};
use sea_orm::{
    ActiveModelTrait, ActiveValue, ColumnTrait, DatabaseConnection, DbBackend, EntityTrait,
    FromQueryResult, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Statement,
};
use spendmap_core::{
    Correction, ExpenseFilter, ExpenseRow, GroupBy, RuleKind, SourceKind, SpendRow, UserRule,
};
use std::str::FromStr;

pub(crate) async fn count_expenses(db: &DatabaseConnection) -> Result<u64, StorageError> {
    expense::Entity::find().count(db).await.map_err(db_err("counting expenses"))
}

pub(crate) async fn expenses(
    db: &DatabaseConnection,
    filter: &ExpenseFilter,
) -> Result<Vec<ExpenseRow>, StorageError> {
    let mut query = expense::Entity::find().order_by_asc(expense::Column::Id);
    if filter.unmatched {
        // Personal expenses are not company spend: nothing to review.
        query = query
            .filter(expense::Column::MatchedBy.is_null())
            .filter(expense::Column::Personal.eq(false));
    }
    if let Some(app) = &filter.app {
        let lowered = Func::lower(Expr::col(expense::Column::App));
        query = query.filter(ExprTrait::eq(lowered, app.to_lowercase()));
    }
    if let Some(vendor) = &filter.vendor {
        let lowered = Func::lower(Expr::col(expense::Column::AppVendor));
        query = query.filter(ExprTrait::eq(lowered, vendor.to_lowercase()));
    }
    if let Some(after) = filter.after_id {
        query = query.filter(expense::Column::Id.gt(after));
    }
    if let Some(limit) = filter.limit {
        query = query.limit(limit);
    }

    let models = query.all(db).await.map_err(db_err("listing expenses"))?;
    models.into_iter().map(from_row).collect()
}

/// One aggregated group as SQL returns it.
#[derive(Debug, FromQueryResult)]
struct SpendGroup {
    key: String,
    app: Option<String>,
    vendor: Option<String>,
    employee_id: Option<String>,
    currency: String,
    total_e4: i64,
    expenses: i64,
    employees: i64,
    first_date: NaiveDate,
    last_date: NaiveDate,
}

pub(crate) async fn spend(
    db: &DatabaseConnection,
    by: GroupBy,
    app: Option<&str>,
) -> Result<Vec<SpendRow>, StorageError> {
    let backend = db.get_database_backend();
    let statement = match app {
        None => Statement::from_string(backend, spend_sql(by, "")),
        Some(app) => {
            // The app is the user's text: bound, never spliced into SQL.
            let placeholder = if backend == DbBackend::Postgres { "$1" } else { "?" };
            let only_app = format!("AND LOWER(app) = LOWER({placeholder})");
            Statement::from_sql_and_values(backend, spend_sql(by, &only_app), [app.into()])
        }
    };
    let groups =
        SpendGroup::find_by_statement(statement).all(db).await.map_err(db_err("summing spend"))?;

    Ok(groups
        .into_iter()
        .map(|group| SpendRow {
            key: group.key,
            app: group.app,
            vendor: group.vendor,
            employee_id: group.employee_id,
            currency: group.currency,
            total: from_e4(group.total_e4),
            expenses: u64::try_from(group.expenses).unwrap_or(0),
            employees: u64::try_from(group.employees).unwrap_or(0),
            first_date: group.first_date,
            last_date: group.last_date,
        })
        .collect())
}

/// The aggregate for one grouping. The same text runs on SQLite and
/// PostgreSQL: `CAST(date AS TEXT)` is `YYYY-MM-DD` on both, and the sum is
/// cast back to an integer because PostgreSQL widens `SUM(bigint)` to
/// `numeric`. Totals are never mixed across currencies, so groups are
/// listed currency by currency.
fn spend_sql(by: GroupBy, only_app: &str) -> String {
    let employee_key = "CASE WHEN employee_id <> '' THEN employee_id ELSE employee_name END";
    let employee_name = "CASE WHEN employee_name <> '' THEN employee_name ELSE employee_id END";
    let (key, app, vendor, employee_id, group_by) = match by {
        GroupBy::App => {
            ("COALESCE(app, app_vendor)", "app", "app_vendor", "NULL", "app, app_vendor")
        }
        GroupBy::Month => ("SUBSTR(CAST(date AS TEXT), 1, 7)", "NULL", "NULL", "NULL", "key"),
        GroupBy::Employee => {
            (employee_name, "NULL", "NULL", "employee_id", "employee_id, employee_name")
        }
        GroupBy::Vendor => ("app_vendor", "NULL", "app_vendor", "NULL", "app_vendor"),
    };
    // The currency with the most spend first, then each currency's groups
    // largest first: the top of the table is the biggest item.
    let order = match by {
        GroupBy::Month => "key, currency",
        _ => "SUM(SUM(amount_e4)) OVER (PARTITION BY currency) DESC, currency, total_e4 DESC, key",
    };
    let vendor_known = if by == GroupBy::Vendor { "AND app_vendor IS NOT NULL" } else { "" };

    format!(
        "SELECT {key} AS key, {app} AS app, {vendor} AS vendor, {employee_id} AS employee_id, \
         currency, CAST(SUM(amount_e4) AS BIGINT) AS total_e4, COUNT(*) AS expenses, \
         COUNT(DISTINCT {employee_key}) AS employees, \
         MIN(date) AS first_date, MAX(date) AS last_date \
         FROM expense \
         WHERE matched_by IN ('{dictionary}', '{user_rule}') \
         AND personal = FALSE {vendor_known} {only_app} \
         GROUP BY {group_by}, currency ORDER BY {order}",
        dictionary = RuleKind::Dictionary.as_str(),
        user_rule = RuleKind::UserRule.as_str(),
    )
}

pub(crate) async fn rules(db: &DatabaseConnection) -> Result<Vec<UserRule>, StorageError> {
    let models = rule::Entity::find()
        .order_by_asc(rule::Column::Id)
        .all(db)
        .await
        .map_err(db_err("listing rules"))?;
    models.into_iter().map(rule_from_row).collect()
}

pub(crate) async fn add_rule(db: &DatabaseConnection, new: &UserRule) -> Result<i64, StorageError> {
    let model = rule::ActiveModel {
        id: ActiveValue::NotSet,
        term: ActiveValue::Set(new.term.clone()),
        field: ActiveValue::Set(new.field.as_str().to_owned()),
        app: ActiveValue::Set(new.app.clone()),
        vendor: ActiveValue::Set(new.vendor.clone()),
    };
    let stored = model.insert(db).await.map_err(db_err("adding a rule"))?;
    Ok(stored.id)
}

pub(crate) async fn remove_rule(db: &DatabaseConnection, id: i64) -> Result<bool, StorageError> {
    let result =
        rule::Entity::delete_by_id(id).exec(db).await.map_err(db_err("removing a rule"))?;
    Ok(result.rows_affected > 0)
}

pub(crate) async fn expense(
    db: &DatabaseConnection,
    id: i64,
) -> Result<Option<ExpenseRow>, StorageError> {
    let model =
        expense::Entity::find_by_id(id).one(db).await.map_err(db_err("reading an expense"))?;
    model.map(from_row).transpose()
}

pub(crate) async fn corrections(db: &DatabaseConnection) -> Result<Vec<Correction>, StorageError> {
    let models = correction::Entity::find().all(db).await.map_err(db_err("listing corrections"))?;
    models
        .into_iter()
        .map(|model| {
            let source = SourceKind::from_str(&model.source).map_err(|_| {
                StorageError::Corrupt { column: "correction.source", value: model.source.clone() }
            })?;
            Ok(Correction {
                source,
                source_id: model.source_id,
                app: model.app,
                vendor: model.vendor,
            })
        })
        .collect()
}

pub(crate) async fn set_correction(
    db: &DatabaseConnection,
    correction: &Correction,
) -> Result<(), StorageError> {
    let model = correction::ActiveModel {
        source: ActiveValue::Set(correction.source.as_str().to_owned()),
        source_id: ActiveValue::Set(correction.source_id.clone()),
        app: ActiveValue::Set(correction.app.clone()),
        vendor: ActiveValue::Set(correction.vendor.clone()),
    };
    let on_conflict =
        OnConflict::columns([correction::Column::Source, correction::Column::SourceId])
            .update_columns([correction::Column::App, correction::Column::Vendor])
            .to_owned();
    correction::Entity::insert(model)
        .on_conflict(on_conflict)
        .exec_without_returning(db)
        .await
        .map_err(db_err("storing a correction"))?;
    Ok(())
}
