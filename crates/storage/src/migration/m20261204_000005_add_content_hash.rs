//! Adds `expense.content_hash`: a fingerprint of everything a row says, so
//! that a re-import compares one integer per row instead of reading every
//! column back. Rows stored before it have 0, which matches no fingerprint:
//! the next import of them rewrites them once with their real one.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("expense")
                    .add_column(big_integer("content_hash").default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table("expense").drop_column("content_hash").to_owned())
            .await
    }
}
