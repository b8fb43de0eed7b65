//! The client: tokens kept fresh, requests retried, pages followed.

use crate::auth::{self, Credentials, Grant, SavedTokens, Tokens};
use crate::error::{ConcurError, ErrorKind};
use crate::http::{Answer, Http, RetryPolicy};
use crate::models::{Entry, Page, Report};
use crate::{BaseUri, base_uri};
use chrono::NaiveDateTime;
use futures_util::{StreamExt, TryStreamExt, stream};
use reqwest::Url;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// Access tokens are refreshed this long before they expire, so that a
/// request never races the expiry.
const REFRESH_EARLY: Duration = Duration::from_secs(60);

/// Refreshes one request may make after 401s. One is the normal case (a
/// token revoked early); a second covers a fresh token that parallel
/// requests used up before this one got to it. A token refused right
/// after a refresh a third time means the refresh does not help.
const MAX_REFRESHES_PER_REQUEST: u32 = 2;

/// How the client behaves; the defaults suit a real tenant.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// Time-out of one request, connect to last byte.
    pub timeout: Duration,
    /// Retries of one request.
    pub retry: RetryPolicy,
    /// Reports whose entries are fetched at the same time.
    pub concurrency: usize,
    /// Items per page asked for (Concur's v3 lists cap at 100).
    pub page_size: u32,
    /// Pages of one list at most: a guard against a `NextPage` that never
    /// ends.
    pub max_pages: u32,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            concurrency: 4,
            page_size: 100,
            max_pages: 100_000,
        }
    }
}

/// What a saved-token callback returns.
pub type SaveResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// Where the client puts every new refresh token and geolocation the
/// moment it gets them: Concur may rotate refresh tokens, and a process
/// that dies holding the only copy of the newest one strands the
/// connection.
pub trait TokenSink: Send + Sync {
    /// Persist `tokens`; an error stops the client.
    fn save<'a>(
        &'a self,
        tokens: &'a SavedTokens,
    ) -> Pin<Box<dyn Future<Output = SaveResult> + Send + 'a>>;
}

/// A signed-in Concur client.
pub struct ConcurClient {
    http: Http,
    credentials: Credentials,
    tokens: Mutex<Tokens>,
    sink: Option<Arc<dyn TokenSink>>,
    config: ClientConfig,
    /// Set once `user=ALL` on entries was refused and the owner's login
    /// worked instead.
    entries_by_owner: AtomicBool,
}

impl std::fmt::Debug for ConcurClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConcurClient")
            .field("client_id", &self.credentials.client_id)
            .finish_non_exhaustive()
    }
}

/// Which user's data a list asks for.
enum Owner<'a> {
    All,
    Login(&'a str),
}

impl ConcurClient {
    /// Sign in with the password grant at `base` (following Concur to the
    /// user's own data centre if needed). The password is used for this
    /// one request and not kept.
    pub async fn connect(
        base: &BaseUri,
        credentials: Credentials,
        username: &str,
        password: &SecretString,
        config: ClientConfig,
    ) -> Result<ConcurClient, ConcurError> {
        let http = Http::new(config.timeout)?;
        let grant = Grant::Password { username, password };
        let tokens = auth::request_tokens(&http, base, &credentials, &grant).await?;
        tracing::info!(geolocation = %tokens.geolocation, "signed in to Concur");
        Ok(ConcurClient::with_tokens(http, credentials, tokens, None, config))
    }

    /// Pick up a stored connection: refresh at once (Concur recommends a
    /// fresh token before work, and a dead refresh token should fail
    /// before anything else happens). The new tokens go to `sink`.
    pub async fn resume(
        saved: SavedTokens,
        credentials: Credentials,
        sink: Option<Arc<dyn TokenSink>>,
        config: ClientConfig,
    ) -> Result<ConcurClient, ConcurError> {
        let http = Http::new(config.timeout)?;
        let expired = Tokens {
            access_token: SecretString::from(String::new()),
            refresh_token: saved.refresh_token,
            access_expires_at: Instant::now(),
            refresh_expires_at: saved.refresh_expires_at,
            geolocation: saved.geolocation,
        };
        let client = ConcurClient::with_tokens(http, credentials, expired, sink, config);
        client.access_token().await?;
        Ok(client)
    }

    fn with_tokens(
        http: Http,
        credentials: Credentials,
        tokens: Tokens,
        sink: Option<Arc<dyn TokenSink>>,
        config: ClientConfig,
    ) -> ConcurClient {
        ConcurClient {
            http,
            credentials,
            tokens: Mutex::new(tokens),
            sink,
            config,
            entries_by_owner: AtomicBool::new(false),
        }
    }

    /// What to persist to resume later.
    pub async fn saved_tokens(&self) -> SavedTokens {
        self.tokens.lock().await.saved()
    }

    /// The data centre the user lives in.
    pub async fn geolocation(&self) -> BaseUri {
        self.tokens.lock().await.geolocation.clone()
    }

    /// The first page of every user's reports modified after `after`
    /// (all reports when `None`).
    pub async fn reports_url(&self, modified_after: Option<NaiveDateTime>) -> Url {
        let mut url = self.geolocation().await.join("/api/v3.0/expense/reports");
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("user", "ALL")
                .append_pair("limit", &self.config.page_size.to_string());
            if let Some(after) = modified_after {
                query.append_pair(
                    "modifiedDateAfter",
                    &after.format("%Y-%m-%dT%H:%M:%S").to_string(),
                );
            }
        }
        url
    }

    /// One page of reports: the first from [`ConcurClient::reports_url`],
    /// the next from the previous page's `NextPage`, verbatim.
    pub async fn reports_page(&self, url: &str) -> Result<Page<Report>, ConcurError> {
        let url = self.checked_link(url).await?;
        self.get_json(url, "a page of reports").await
    }

    /// Every entry of `report`, all pages. An empty page with a
    /// `NextPage` is not the end.
    pub async fn entries(&self, report: &Report) -> Result<Vec<Entry>, ConcurError> {
        let id = report.id.as_deref().unwrap_or_default();
        let owner = report.owner_login_id.as_deref().filter(|login| !login.is_empty());

        if !self.entries_by_owner.load(Ordering::Relaxed) {
            match self.entries_as(id, Owner::All).await {
                Err(err) if matches!(err.kind(), ErrorKind::MissingRole) && owner.is_some() => {
                    // `user=ALL` is documented for reports only; a tenant
                    // that refuses it for entries takes the owner's login.
                    tracing::info!("entries refused for user=ALL; asking per report owner");
                    self.entries_by_owner.store(true, Ordering::Relaxed);
                }
                other => return other,
            }
        }
        match owner {
            Some(login) => self.entries_as(id, Owner::Login(login)).await,
            None => self.entries_as(id, Owner::All).await,
        }
    }

    /// The entries of several reports, at most
    /// [`ClientConfig::concurrency`] at a time, in the order given.
    pub async fn entries_of(&self, reports: &[Report]) -> Result<Vec<Vec<Entry>>, ConcurError> {
        let bound = self.config.concurrency.max(1);
        stream::iter(reports).map(|report| self.entries(report)).buffered(bound).try_collect().await
    }

    async fn entries_as(
        &self,
        report_id: &str,
        owner: Owner<'_>,
    ) -> Result<Vec<Entry>, ConcurError> {
        let mut url = self.geolocation().await.join("/api/v3.0/expense/entries");
        url.query_pairs_mut()
            .append_pair("reportID", report_id)
            .append_pair("limit", &self.config.page_size.to_string())
            .append_pair(
                "user",
                match owner {
                    Owner::All => "ALL",
                    Owner::Login(login) => login,
                },
            );

        let mut entries = Vec::new();
        let mut seen = HashSet::new();
        loop {
            let page: Page<Entry> = self.get_json(url.clone(), "a page of entries").await?;
            entries.extend(page.items.iter().cloned());
            let Some(next) = page.next() else { return Ok(entries) };

            if !seen.insert(next.to_owned()) || seen.len() > self.config.max_pages as usize {
                return Err(ConcurError::new(ErrorKind::Paging {
                    problem: "repeats or never ends",
                    url: next.to_owned(),
                }));
            }
            url = self.checked_link(next).await?;
        }
    }

    /// A `NextPage` (or first-page) link, refused when it leaves Concur:
    /// the bearer token goes wherever it points.
    async fn checked_link(&self, link: &str) -> Result<Url, ConcurError> {
        let paging =
            |problem| ConcurError::new(ErrorKind::Paging { problem, url: link.to_owned() });
        let url = Url::parse(link).map_err(|_| paging("is not a URL"))?;
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let home = self.geolocation().await;

        let same_host = host == home.host()
            && url.port_or_known_default() == home.join("/").port_or_known_default();
        let concur = url.scheme() == "https" && base_uri::is_concur_host(&host);
        if same_host || concur {
            return Ok(url);
        }
        Err(paging("points outside Concur"))
    }

    /// GET with a fresh token, retrying what is worth retrying.
    async fn get_json<T: DeserializeOwned>(
        &self,
        url: Url,
        what: &'static str,
    ) -> Result<T, ConcurError> {
        let asks_for_all = url.query_pairs().any(|(key, value)| key == "user" && value == "ALL");
        let mut attempt = 0;
        let mut refreshes = 0;

        loop {
            attempt += 1;
            let token = self.access_token().await?;
            let sent = self.http.get(url.clone(), &token).await;
            let verdict = judge(sent, asks_for_all, &self.config.retry, attempt);
            match verdict {
                Verdict::Done(answer) => {
                    tracing::debug!(path = url.path(), attempt, "Concur answered");
                    return answer.json(what).map_err(|err| err.after_attempts(attempt));
                }
                Verdict::Refresh(err) if refreshes < MAX_REFRESHES_PER_REQUEST => {
                    drop(err);
                    if self.refresh_unless_changed(&token).await? {
                        tracing::info!("access token refused; refreshed it");
                        refreshes += 1;
                        attempt -= 1;
                    } else {
                        // Another request refreshed meanwhile: try its
                        // token, as one more attempt of this request.
                        tracing::debug!("access token refused; another request has a new one");
                    }
                }
                Verdict::Retry(wait, err) if attempt < self.config.retry.max_attempts => {
                    tracing::info!(path = url.path(), attempt, wait_ms = wait.as_millis() as u64, error = %err, "retrying");
                    tokio::time::sleep(wait).await;
                }
                Verdict::Refresh(err) | Verdict::Retry(_, err) | Verdict::Fail(err) => {
                    return Err(err.after_attempts(attempt));
                }
            }
        }
    }

    /// The current access token, refreshed first when it is about to
    /// expire. The lock is held across the refresh so that parallel
    /// requests refresh once, not once each (which rotation would punish).
    async fn access_token(&self) -> Result<SecretString, ConcurError> {
        let mut tokens = self.tokens.lock().await;
        if Instant::now() + REFRESH_EARLY >= tokens.access_expires_at {
            self.refresh(&mut tokens).await?;
        }
        Ok(tokens.access_token.clone())
    }

    /// Refresh after a 401, unless another request already has; says
    /// whether this call refreshed.
    async fn refresh_unless_changed(&self, refused: &SecretString) -> Result<bool, ConcurError> {
        let mut tokens = self.tokens.lock().await;
        if tokens.access_token.expose_secret() != refused.expose_secret() {
            return Ok(false);
        }
        self.refresh(&mut tokens).await?;
        Ok(true)
    }

    async fn refresh(&self, tokens: &mut Tokens) -> Result<(), ConcurError> {
        let grant = Grant::Refresh { refresh_token: &tokens.refresh_token };
        let fresh =
            auth::request_tokens(&self.http, &tokens.geolocation, &self.credentials, &grant)
                .await?;
        if fresh.geolocation != tokens.geolocation {
            tracing::info!(from = %tokens.geolocation, to = %fresh.geolocation, "Concur moved the geolocation");
        }
        *tokens = fresh;
        tracing::debug!("access token refreshed");

        if let Some(sink) = &self.sink {
            sink.save(&tokens.saved())
                .await
                .map_err(|err| ConcurError::new(ErrorKind::SaveTokens(err)))?;
        }
        Ok(())
    }
}

/// What to do with one attempt's outcome.
enum Verdict {
    Done(Answer),
    Retry(Duration, ConcurError),
    Refresh(ConcurError),
    Fail(ConcurError),
}

fn judge(
    sent: Result<Answer, ConcurError>,
    asks_for_all: bool,
    policy: &RetryPolicy,
    attempt: u32,
) -> Verdict {
    let answer = match sent {
        Ok(answer) => answer,
        // No complete answer (refused connection, time-out, a body cut
        // short): worth another try.
        Err(err) => return Verdict::Retry(policy.backoff(attempt), err),
    };

    let api_error = |answer: &Answer| answer.error(ErrorKind::Api { message: answer.message() });
    match answer.status {
        200..=299 => Verdict::Done(answer),
        401 => {
            Verdict::Refresh(answer.error(ErrorKind::Unauthorized { message: answer.message() }))
        }
        403 if asks_for_all => Verdict::Fail(answer.error(ErrorKind::MissingRole)),
        429 => {
            Verdict::Retry(policy.after_rate_limit(attempt, answer.retry_after), api_error(&answer))
        }
        500 | 502 | 503 | 504 => Verdict::Retry(policy.backoff(attempt), api_error(&answer)),
        // Concur's legacy guidance: a 400 can mean "request limit
        // exceeded" or a database deadlock, both gone on a later try.
        400 if is_transient_400(&answer.message()) => {
            Verdict::Retry(policy.backoff(attempt), api_error(&answer))
        }
        _ => Verdict::Fail(api_error(&answer)),
    }
}

fn is_transient_400(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    message.contains("deadlock") || message.contains("request limit")
}
