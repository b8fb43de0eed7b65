//! The `expense` table: one row per (source, source id), with its current
//! match decision alongside.

use sea_orm::entity::prelude::*;

/// Money is kept as integer ten-thousandths (`*_e4`) so that sums in SQL
/// are exact on SQLite as well as PostgreSQL; see `crate::money`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "expense")]
pub(crate) struct Model {
    #[sea_orm(primary_key)]
    pub(crate) id: i64,
    pub(crate) source: String,
    pub(crate) source_id: String,
    pub(crate) report_id: String,
    pub(crate) report_name: String,
    pub(crate) employee_id: String,
    pub(crate) employee_name: String,
    pub(crate) date: Date,
    pub(crate) vendor_description: String,
    pub(crate) business_purpose: String,
    pub(crate) expense_type: String,
    pub(crate) expense_type_code: String,
    pub(crate) spend_category: String,
    pub(crate) payment_type: String,
    pub(crate) amount_e4: i64,
    pub(crate) currency: String,
    pub(crate) transaction_amount_e4: Option<i64>,
    pub(crate) transaction_currency: String,
    pub(crate) personal: bool,
    pub(crate) app: Option<String>,
    pub(crate) app_vendor: Option<String>,
    pub(crate) matched_by: Option<String>,
    pub(crate) matched_field: Option<String>,
    pub(crate) matched_term: Option<String>,
    pub(crate) confidence: Option<i16>,
    pub(crate) match_reason: Option<String>,
    /// A fingerprint of every other column but the id (see `convert`).
    pub(crate) content_hash: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub(crate) enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
