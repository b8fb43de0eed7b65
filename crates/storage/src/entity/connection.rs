//! The `connection` table: one row per live source, secrets sealed.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "connection")]
pub(crate) struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub(crate) name: String,
    pub(crate) client_id: String,
    pub(crate) username: String,
    pub(crate) base_uri: String,
    pub(crate) data_centre: String,
    pub(crate) sealed_client_secret: String,
    pub(crate) sealed_refresh_token: String,
    /// RFC 3339.
    pub(crate) refresh_expires_at: Option<String>,
    /// RFC 3339.
    pub(crate) connected_at: String,
    /// RFC 3339.
    pub(crate) last_synced_at: Option<String>,
    pub(crate) sync_cursor: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub(crate) enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
