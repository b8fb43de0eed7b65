//! Schema migrations, run at every start-up (they are idempotent).
//!
//! Each migration lives in its own file because sea-orm names a migration
//! after the file that defines it.

use sea_orm_migration::prelude::*;

mod m20261203_000001_create_expense;
mod m20261203_000002_create_rule;
mod m20261204_000003_create_connection;
mod m20261204_000004_create_correction;
mod m20261204_000005_add_content_hash;

/// All migrations, oldest first.
pub(crate) struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261203_000001_create_expense::Migration),
            Box::new(m20261203_000002_create_rule::Migration),
            Box::new(m20261204_000003_create_connection::Migration),
            Box::new(m20261204_000004_create_correction::Migration),
            Box::new(m20261204_000005_add_content_hash::Migration),
        ]
    }
}
