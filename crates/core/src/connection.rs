//! A stored connection to a live source, and the seam that keeps it.

use chrono::{DateTime, Utc};
use std::future::Future;

/// What spendmap keeps about one connection (today: Concur). Secrets are
/// sealed by the caller before they get here; a store sees only opaque
/// text and never a key.
#[derive(Clone, PartialEq, Eq)]
pub struct Connection {
    /// The name commands use (`concur`).
    pub name: String,
    /// The client id of the app registration.
    pub client_id: String,
    /// The user the connection was made as (shown, never used to sign in).
    pub username: String,
    /// Where the user lives: the base URI every call goes to.
    pub base_uri: String,
    /// The data centre as a person would name it.
    pub data_centre: String,
    /// The client secret, sealed.
    pub sealed_client_secret: String,
    /// The newest refresh token, sealed.
    pub sealed_refresh_token: String,
    /// When the refresh token expires, if the source said.
    pub refresh_expires_at: Option<DateTime<Utc>>,
    /// When the connection was made.
    pub connected_at: DateTime<Utc>,
    /// When a sync last stored a page, if one has.
    pub last_synced_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Sealed values are safe to store but pointless to print.
        f.debug_struct("Connection")
            .field("name", &self.name)
            .field("client_id", &self.client_id)
            .field("username", &self.username)
            .field("base_uri", &self.base_uri)
            .field("refresh_expires_at", &self.refresh_expires_at)
            .finish_non_exhaustive()
    }
}

/// Keeps connections and where each one's sync stands.
pub trait ConnectionStore: Sync {
    /// What can go wrong talking to the store.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Store a connection, replacing one of the same name. The sync
    /// cursor is kept when the client id and base URI stay the same (the
    /// same tenant, signed in again) and cleared otherwise.
    fn save_connection(
        &self,
        connection: &Connection,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;

    /// One connection by name.
    fn connection(
        &self,
        name: &str,
    ) -> impl Future<Output = Result<Option<Connection>, Self::Error>> + Send;

    /// Every connection, by name.
    fn connections(&self) -> impl Future<Output = Result<Vec<Connection>, Self::Error>> + Send;

    /// Remove a connection with its secrets and cursor; `false` if there
    /// was none. Expenses it brought in stay.
    fn remove_connection(
        &self,
        name: &str,
    ) -> impl Future<Output = Result<bool, Self::Error>> + Send;

    /// Replace the sealed refresh token and base URI after a token
    /// response, at once and on its own: it must survive a crash of
    /// whatever else is going on.
    fn save_tokens(
        &self,
        name: &str,
        sealed_refresh_token: &str,
        base_uri: &str,
        refresh_expires_at: Option<DateTime<Utc>>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;

    /// Where the connection's sync stands (opaque to the store).
    fn sync_cursor(
        &self,
        name: &str,
    ) -> impl Future<Output = Result<Option<String>, Self::Error>> + Send;
}
