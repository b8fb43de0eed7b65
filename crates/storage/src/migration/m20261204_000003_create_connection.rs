//! Creates the `connection` table (live sources, sealed secrets, sync
//! cursors) and the index that finds one report's stored entries.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Times are RFC 3339 text: the same on both backends, and never
        // used in arithmetic.
        manager
            .create_table(
                Table::create()
                    .table("connection")
                    .if_not_exists()
                    .col(string("name").primary_key())
                    .col(string("client_id"))
                    .col(string("username"))
                    .col(string("base_uri"))
                    .col(string("data_centre"))
                    .col(text("sealed_client_secret"))
                    .col(text("sealed_refresh_token"))
                    .col(string_null("refresh_expires_at"))
                    .col(string("connected_at"))
                    .col(string_null("last_synced_at"))
                    .col(text_null("sync_cursor"))
                    .to_owned(),
            )
            .await?;

        // A re-synced report drops the entries Concur no longer has.
        manager
            .create_index(
                Index::create()
                    .name("expense_report")
                    .table("expense")
                    .if_not_exists()
                    .col("source")
                    .col("report_id")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("expense_report").table("expense").to_owned())
            .await?;
        manager.drop_table(Table::drop().table("connection").to_owned()).await
    }
}
