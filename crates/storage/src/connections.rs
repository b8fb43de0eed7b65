//! Connections: stored, listed, removed, their tokens and cursors updated.

use crate::entity::connection;
use crate::{StorageError, db_err};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use spendmap_core::Connection;

pub(crate) async fn save(db: &impl ConnectionTrait, new: &Connection) -> Result<(), StorageError> {
    let old = connection::Entity::find_by_id(new.name.clone())
        .one(db)
        .await
        .map_err(db_err("reading a connection"))?;
    let same_tenant = old
        .as_ref()
        .is_some_and(|old| old.client_id == new.client_id && old.base_uri == new.base_uri);
    let cursor = old.filter(|_| same_tenant).and_then(|old| old.sync_cursor);

    let row = connection::ActiveModel {
        name: ActiveValue::Set(new.name.clone()),
        client_id: ActiveValue::Set(new.client_id.clone()),
        username: ActiveValue::Set(new.username.clone()),
        base_uri: ActiveValue::Set(new.base_uri.clone()),
        data_centre: ActiveValue::Set(new.data_centre.clone()),
        sealed_client_secret: ActiveValue::Set(new.sealed_client_secret.clone()),
        sealed_refresh_token: ActiveValue::Set(new.sealed_refresh_token.clone()),
        refresh_expires_at: ActiveValue::Set(new.refresh_expires_at.map(|t| t.to_rfc3339())),
        connected_at: ActiveValue::Set(new.connected_at.to_rfc3339()),
        last_synced_at: ActiveValue::Set(new.last_synced_at.map(|t| t.to_rfc3339())),
        sync_cursor: ActiveValue::Set(cursor),
    };
    let every_column = [
        connection::Column::ClientId,
        connection::Column::Username,
        connection::Column::BaseUri,
        connection::Column::DataCentre,
        connection::Column::SealedClientSecret,
        connection::Column::SealedRefreshToken,
        connection::Column::RefreshExpiresAt,
        connection::Column::ConnectedAt,
        connection::Column::LastSyncedAt,
        connection::Column::SyncCursor,
    ];
    connection::Entity::insert(row)
        .on_conflict(
            OnConflict::column(connection::Column::Name).update_columns(every_column).to_owned(),
        )
        .exec_without_returning(db)
        .await
        .map_err(db_err("saving a connection"))?;
    Ok(())
}

pub(crate) async fn one(
    db: &impl ConnectionTrait,
    name: &str,
) -> Result<Option<Connection>, StorageError> {
    let row = connection::Entity::find_by_id(name.to_owned())
        .one(db)
        .await
        .map_err(db_err("reading a connection"))?;
    row.map(from_row).transpose()
}

pub(crate) async fn all(db: &impl ConnectionTrait) -> Result<Vec<Connection>, StorageError> {
    let rows = connection::Entity::find()
        .order_by_asc(connection::Column::Name)
        .all(db)
        .await
        .map_err(db_err("listing connections"))?;
    rows.into_iter().map(from_row).collect()
}

pub(crate) async fn remove(db: &impl ConnectionTrait, name: &str) -> Result<bool, StorageError> {
    let done = connection::Entity::delete_by_id(name.to_owned())
        .exec(db)
        .await
        .map_err(db_err("removing a connection"))?;
    Ok(done.rows_affected > 0)
}

pub(crate) async fn save_tokens(
    db: &impl ConnectionTrait,
    name: &str,
    sealed_refresh_token: &str,
    base_uri: &str,
    refresh_expires_at: Option<DateTime<Utc>>,
) -> Result<(), StorageError> {
    let done = connection::Entity::update_many()
        .col_expr(connection::Column::SealedRefreshToken, Expr::value(sealed_refresh_token))
        .col_expr(connection::Column::BaseUri, Expr::value(base_uri))
        .col_expr(
            connection::Column::RefreshExpiresAt,
            Expr::value(refresh_expires_at.map(|t| t.to_rfc3339())),
        )
        .filter(connection::Column::Name.eq(name))
        .exec(db)
        .await
        .map_err(db_err("saving new tokens"))?;
    if done.rows_affected == 0 {
        return Err(StorageError::NoSuchConnection(name.to_owned()));
    }
    Ok(())
}

pub(crate) async fn cursor(
    db: &impl ConnectionTrait,
    name: &str,
) -> Result<Option<String>, StorageError> {
    let row = connection::Entity::find_by_id(name.to_owned())
        .one(db)
        .await
        .map_err(db_err("reading a sync cursor"))?;
    Ok(row.and_then(|row| row.sync_cursor))
}

/// Set the cursor, and the time of the last sync with it.
pub(crate) async fn set_cursor(
    db: &impl ConnectionTrait,
    name: &str,
    cursor: &str,
) -> Result<(), StorageError> {
    let done = connection::Entity::update_many()
        .col_expr(connection::Column::SyncCursor, Expr::value(cursor))
        .col_expr(connection::Column::LastSyncedAt, Expr::value(Utc::now().to_rfc3339()))
        .filter(connection::Column::Name.eq(name))
        .exec(db)
        .await
        .map_err(db_err("saving the sync cursor"))?;
    if done.rows_affected == 0 {
        return Err(StorageError::NoSuchConnection(name.to_owned()));
    }
    Ok(())
}

fn from_row(row: connection::Model) -> Result<Connection, StorageError> {
    Ok(Connection {
        refresh_expires_at: row
            .refresh_expires_at
            .as_deref()
            .map(|t| time("refresh_expires_at", t))
            .transpose()?,
        connected_at: time("connected_at", &row.connected_at)?,
        last_synced_at: row
            .last_synced_at
            .as_deref()
            .map(|t| time("last_synced_at", t))
            .transpose()?,
        name: row.name,
        client_id: row.client_id,
        username: row.username,
        base_uri: row.base_uri,
        data_centre: row.data_centre,
        sealed_client_secret: row.sealed_client_secret,
        sealed_refresh_token: row.sealed_refresh_token,
    })
}

fn time(column: &'static str, text: &str) -> Result<DateTime<Utc>, StorageError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| StorageError::Corrupt { column, value: text.to_owned() })
}
