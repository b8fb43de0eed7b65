//! `spendmap connect concur`, `connections` and `disconnect`: a Concur
//! connection made once, listed without its secrets, removed.

use crate::cli::{ConnectCommand, ConnectConcurArgs, OutputFormat, SourceName};
use crate::context;
use crate::output::{Records, say, text_or_null};
use crate::secrets::Sealer;
use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use serde_json::Value;
use spendmap_concur_api::{
    BaseUri, ClientConfig, ConcurClient, Credentials, SaveResult, SavedTokens, SecretString,
    TokenSink,
};
use spendmap_core::{Connection, ConnectionStore};
use spendmap_storage::Store;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// The one Concur connection's name.
pub(crate) const CONCUR: &str = "concur";

const SECRET_VARIABLE: &str = "CONCUR_CLIENT_SECRET";
const PASSWORD_VARIABLE: &str = "CONCUR_PASSWORD";

pub(crate) async fn run(db: Option<&str>, command: &ConnectCommand) -> anyhow::Result<()> {
    match command {
        ConnectCommand::Concur(args) => connect_concur(db, args).await,
    }
}

async fn connect_concur(db: Option<&str>, args: &ConnectConcurArgs) -> anyhow::Result<()> {
    let base = BaseUri::parse(&args.base_uri).context("--base-uri")?;
    if !base.is_concur_host() && !base.is_loopback() {
        eprintln!(
            "warning: `{}` is not one of Concur's hosts (*.api.concursolutions.com); \
             going on, but check the base URI",
            base.host()
        );
    }
    let client_secret = secret(SECRET_VARIABLE, "Concur client secret: ")?;
    let password = secret(PASSWORD_VARIABLE, &format!("Concur password for {}: ", args.username))?;

    let credentials = Credentials {
        client_id: args.client_id.trim().to_owned(),
        client_secret: client_secret.clone(),
    };
    let config =
        ClientConfig { timeout: Duration::from_secs(args.timeout), ..ClientConfig::default() };
    let client = ConcurClient::connect(&base, credentials, args.username.trim(), &password, config)
        .await
        .context("could not connect to Concur")?;
    drop(password);

    // Only now: a failed sign-in should leave no key file behind.
    let sealer = Sealer::load(true)?;

    let store = context::open_store(db).await?;
    let earlier = store.connection(CONCUR).await.context("could not read the connection")?;
    let tokens = client.saved_tokens().await;
    let connection = Connection {
        name: CONCUR.to_owned(),
        client_id: args.client_id.trim().to_owned(),
        username: args.username.trim().to_owned(),
        base_uri: tokens.geolocation.to_string(),
        data_centre: tokens.geolocation.data_centre(),
        sealed_client_secret: sealer.seal(CONCUR, "client secret", &client_secret)?,
        sealed_refresh_token: sealer.seal(CONCUR, "refresh token", &tokens.refresh_token)?,
        refresh_expires_at: tokens.refresh_expires_at,
        connected_at: Utc::now(),
        // The sync position is kept too: the expenses stored so far are
        // still there, so the next sync goes on from them.
        last_synced_at: earlier.as_ref().and_then(|earlier| earlier.last_synced_at),
    };
    store.save_connection(&connection).await.context("could not store the connection")?;

    if earlier.is_some() {
        eprintln!(
            "replaced the stored Concur connection; the next sync goes on where the last one stopped"
        );
    }
    if tokens.geolocation != base {
        eprintln!(
            "Concur sent the sign-in from {base} to the user's own data centre, {}",
            tokens.geolocation
        );
    }
    say(&format!(
        "connected to Concur as {} in data centre {} ({}){}; run `spendmap sync` to pull expense reports",
        connection.username,
        connection.data_centre,
        connection.base_uri,
        valid_until(tokens.refresh_expires_at),
    ))
}

fn valid_until(expires: Option<DateTime<Utc>>) -> String {
    expires
        .map(|at| format!("; the connection is good until {}", at.format("%Y-%m-%d")))
        .unwrap_or_default()
}

/// A secret from its environment variable, else a hidden prompt.
fn secret(variable: &str, prompt: &str) -> anyhow::Result<SecretString> {
    let set = std::env::var(variable).ok();
    if let Some(value) = set.as_ref().filter(|value| !value.is_empty()) {
        return Ok(SecretString::from(value.clone()));
    }
    if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        let state = if set.is_some() { "is empty" } else { "is not set" };
        bail!("{variable} {state} and there is no terminal to ask on; set it in the environment");
    }
    let typed = rpassword::prompt_password(prompt).context("could not read the hidden prompt")?;
    if typed.is_empty() {
        bail!("nothing was typed for {variable}");
    }
    Ok(SecretString::from(typed))
}

/// A client for the stored connection, refreshed and ready. New refresh
/// tokens are sealed and stored the moment Concur hands them out.
pub(crate) async fn resume(
    store: &Store,
    mut config: ClientConfig,
) -> anyhow::Result<(ConcurClient, Connection)> {
    let Some(connection) =
        store.connection(CONCUR).await.context("could not read the connection")?
    else {
        bail!("no Concur connection is stored; run `spendmap connect concur` first");
    };
    let sealer = Arc::new(Sealer::load(false)?);
    let credentials = Credentials {
        client_id: connection.client_id.clone(),
        client_secret: sealer.open(CONCUR, "client secret", &connection.sealed_client_secret)?,
    };
    let saved = SavedTokens {
        refresh_token: sealer.open(CONCUR, "refresh token", &connection.sealed_refresh_token)?,
        geolocation: BaseUri::parse(&connection.base_uri).context("the stored base URI")?,
        refresh_expires_at: connection.refresh_expires_at,
    };

    config.timeout = config.timeout.max(Duration::from_secs(1));
    let sink: Arc<dyn TokenSink> = Arc::new(StoreTokens { store: store.clone(), sealer });
    let client = ConcurClient::resume(saved, credentials, Some(sink), config)
        .await
        .context("could not sign in to Concur with the stored connection")?;
    Ok((client, connection))
}

/// Puts each new refresh token, sealed, in the store.
struct StoreTokens {
    store: Store,
    sealer: Arc<Sealer>,
}

impl TokenSink for StoreTokens {
    fn save<'a>(
        &'a self,
        tokens: &'a SavedTokens,
    ) -> Pin<Box<dyn Future<Output = SaveResult> + Send + 'a>> {
        Box::pin(async move {
            let sealed = self.sealer.seal(CONCUR, "refresh token", &tokens.refresh_token)?;
            let base_uri = tokens.geolocation.to_string();
            self.store.save_tokens(CONCUR, &sealed, &base_uri, tokens.refresh_expires_at).await?;
            Ok(())
        })
    }
}

pub(crate) async fn list(store: &Store, format: OutputFormat) -> anyhow::Result<()> {
    let connections = store.connections().await.context("could not list connections")?;
    if connections.is_empty() && format == OutputFormat::Table {
        return say("no connections; run `spendmap connect concur` to make one");
    }

    let mut records = Records::new(
        vec![
            "name",
            "username",
            "client_id",
            "data_centre",
            "base_uri",
            "connected",
            "last_sync",
            "good_until",
        ],
        vec![],
    );
    let time = |at: Option<DateTime<Utc>>| {
        text_or_null(at.map(|at| at.format("%Y-%m-%d %H:%M UTC").to_string()).as_deref())
    };
    for connection in connections {
        records.push(vec![
            Value::String(connection.name),
            Value::String(connection.username),
            Value::String(connection.client_id),
            Value::String(connection.data_centre),
            Value::String(connection.base_uri),
            time(Some(connection.connected_at)),
            time(connection.last_synced_at),
            time(connection.refresh_expires_at),
        ]);
    }
    records.print(format)
}

pub(crate) async fn disconnect(store: &Store, source: SourceName) -> anyhow::Result<()> {
    let SourceName::Concur = source;
    if !store.remove_connection(CONCUR).await.context("could not remove the connection")? {
        bail!("no Concur connection is stored");
    }
    say("Concur connection removed with its stored secrets; the expenses it brought in stay \
         (revoke the app's access in Concur too if you no longer use it)")
}
