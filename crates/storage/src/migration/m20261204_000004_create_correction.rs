//! Creates the `correction` table: decisions a person made about single
//! expenses, keyed like the expenses themselves so that they outlive
//! re-imports and re-syncs.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("correction")
                    .if_not_exists()
                    .col(string("source"))
                    .col(string("source_id"))
                    .col(string_null("app"))
                    .col(string_null("vendor"))
                    .primary_key(Index::create().col("source").col("source_id"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("correction").to_owned()).await
    }
}
