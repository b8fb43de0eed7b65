//! Creates the `expense` table and the indexes the reports need.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("expense")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(string("source"))
                    .col(string("source_id"))
                    .col(string("report_id"))
                    .col(string("report_name"))
                    .col(string("employee_id"))
                    .col(string("employee_name"))
                    .col(date("date"))
                    .col(string("vendor_description"))
                    .col(string("business_purpose"))
                    .col(string("expense_type"))
                    .col(string("expense_type_code"))
                    .col(string("spend_category"))
                    .col(string("payment_type"))
                    .col(big_integer("amount_e4"))
                    .col(string("currency"))
                    .col(big_integer_null("transaction_amount_e4"))
                    .col(string("transaction_currency"))
                    .col(boolean("personal"))
                    .col(string_null("app"))
                    .col(string_null("app_vendor"))
                    .col(string_null("matched_by"))
                    .col(string_null("matched_field"))
                    .col(string_null("matched_term"))
                    .col(small_integer_null("confidence"))
                    .col(text_null("match_reason"))
                    .to_owned(),
            )
            .await?;

        // The identity of an expense: every write is an upsert on it.
        manager
            .create_index(
                Index::create()
                    .name("expense_source_key")
                    .table("expense")
                    .if_not_exists()
                    .unique()
                    .col("source")
                    .col("source_id")
                    .to_owned(),
            )
            .await?;

        // Spend per app and the `--app` filter.
        manager
            .create_index(
                Index::create()
                    .name("expense_app")
                    .table("expense")
                    .if_not_exists()
                    .col("app")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("expense").to_owned()).await
    }
}
