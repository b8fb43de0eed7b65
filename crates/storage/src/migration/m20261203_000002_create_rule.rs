//! Creates the `rule` table for user match and ignore rules.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("rule")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(string("term"))
                    .col(string("field"))
                    .col(string_null("app"))
                    .col(string_null("vendor"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("rule").to_owned()).await
    }
}
