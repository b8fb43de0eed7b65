//! The `correction` table: one person's decision about one expense.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "correction")]
pub(crate) struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub(crate) source: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub(crate) source_id: String,
    /// `None` says "not SaaS".
    pub(crate) app: Option<String>,
    pub(crate) vendor: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub(crate) enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
