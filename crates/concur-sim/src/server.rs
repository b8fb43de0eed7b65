//! The running simulator: two loopback listeners (the user's "home" data
//! centre and a "wrong" one) over one shared state.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::{Faults, SimConfig};
use crate::mint::Mint;
use crate::tenant::Tenant;
use crate::token::Sessions;
use crate::{api, token};

/// How long [`Simulator::shutdown`] lets open connections finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// Counters a test can assert on. Grants count requests, successful or not.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    /// Every request to the token endpoint, on either listener.
    pub token_requests: u64,
    /// Token requests with `grant_type=password`.
    pub password_grants: u64,
    /// Token requests with `grant_type=refresh_token`.
    pub refresh_grants: u64,
    /// Every request to an API path, faulted or not.
    pub api_requests: u64,
    /// Report pages answered with 200 (not counting dropped ones).
    pub report_pages: u64,
    /// Entry pages answered with 200, the quirky empty ones included.
    pub entry_pages: u64,
    /// Requests that got a 429, a 503, a dropped body or a delay.
    pub faults_injected: u64,
    /// API requests answered 401.
    pub unauthorized: u64,
    /// The most API requests ever being answered at the same moment: how
    /// parallel the client really was.
    pub max_in_flight: u64,
}

/// State both listeners share.
pub(crate) struct Shared {
    pub(crate) config: Mutex<SimConfig>,
    pub(crate) tenant: Mutex<Tenant>,
    pub(crate) sessions: Mutex<Sessions>,
    pub(crate) stats: Mutex<Stats>,
    /// The one counter all `*_every` faults are keyed on.
    api_requests: AtomicU64,
    /// API requests being answered right now.
    in_flight: AtomicU64,
    pub(crate) mint: Mint,
    /// Where users live; the token endpoint's `geolocation`.
    pub(crate) home_url: String,
}

impl Shared {
    /// Counts an API request and returns its 1-based number.
    pub(crate) fn next_api_request(&self) -> u64 {
        self.bump(|s| s.api_requests += 1);
        self.api_requests.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Marks an API request as being answered until the guard drops.
    pub(crate) fn enter(&self) -> InFlight<'_> {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.bump(|s| s.max_in_flight = s.max_in_flight.max(now));
        InFlight { shared: self }
    }

    pub(crate) fn bump(&self, change: impl FnOnce(&mut Stats)) {
        change(&mut lock(&self.stats));
    }

    pub(crate) fn faults(&self) -> Faults {
        lock(&self.config).faults.clone()
    }
}

/// One API request being answered; see [`Shared::enter`].
pub(crate) struct InFlight<'a> {
    shared: &'a Shared,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.shared.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Locks without caring about poisoning: the state is plain data, and one
/// panicking test thread should not take every later request down with it.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What a handler knows about the listener it runs on.
#[derive(Clone)]
pub(crate) struct Site {
    pub(crate) shared: Arc<Shared>,
    /// This listener's own base URL, used in `URI` and `NextPage`.
    pub(crate) base_url: Arc<str>,
    /// False on the data centre where no user lives.
    pub(crate) is_home: bool,
}

/// A running simulator. Dropping it stops both listeners at once;
/// [`Simulator::shutdown`] lets open requests finish first.
pub struct Simulator {
    shared: Arc<Shared>,
    home: SocketAddr,
    wrong: SocketAddr,
    stop: watch::Sender<bool>,
    servers: Vec<JoinHandle<()>>,
}

impl Simulator {
    /// Starts on two free loopback ports.
    pub async fn start(config: SimConfig, tenant: Tenant) -> std::io::Result<Simulator> {
        Simulator::start_on(config, tenant, 0).await
    }

    /// Starts with the home data centre on `home_port` (0 picks a free one);
    /// the wrong data centre always gets a free port.
    pub async fn start_on(
        config: SimConfig,
        tenant: Tenant,
        home_port: u16,
    ) -> std::io::Result<Simulator> {
        let home_listener = TcpListener::bind((Ipv4Addr::LOCALHOST, home_port)).await?;
        let wrong_listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let home = home_listener.local_addr()?;
        let wrong = wrong_listener.local_addr()?;

        let shared = Arc::new(Shared {
            config: Mutex::new(config),
            tenant: Mutex::new(tenant),
            sessions: Mutex::new(Sessions::default()),
            stats: Mutex::new(Stats::default()),
            api_requests: AtomicU64::new(0),
            in_flight: AtomicU64::new(0),
            mint: Mint::new(),
            home_url: url_of(home),
        });

        let (stop, _) = watch::channel(false);
        let site =
            |addr, is_home| Site { shared: shared.clone(), base_url: url_of(addr).into(), is_home };
        let servers = vec![
            serve(home_listener, site(home, true), stop.subscribe()),
            serve(wrong_listener, site(wrong, false), stop.subscribe()),
        ];
        tracing::debug!(%home, %wrong, "concur simulator listening");
        Ok(Simulator { shared, home, wrong, stop, servers })
    }

    /// `http://127.0.0.1:PORT` of the home data centre, no trailing slash.
    pub fn base_url(&self) -> String {
        url_of(self.home)
    }

    /// The data centre where no user lives: password grants there answer
    /// code 16 naming [`Simulator::base_url`], and API calls answer 401.
    pub fn wrong_dc_url(&self) -> String {
        url_of(self.wrong)
    }

    /// Replaces the faults; applies from the next request on.
    pub fn set_faults(&self, faults: Faults) {
        lock(&self.shared.config).faults = faults;
    }

    /// Reads or edits the data while the servers run. Requests wait while
    /// `f` runs, so `f` must not itself call the simulator over HTTP.
    pub fn with_tenant<R>(&self, f: impl FnOnce(&mut Tenant) -> R) -> R {
        f(&mut lock(&self.shared.tenant))
    }

    /// Every access and refresh token issued so far, oldest first, so tests
    /// can check that none of them leaks into logs or files.
    pub fn issued_tokens(&self) -> Vec<String> {
        lock(&self.shared.sessions).issued().to_vec()
    }

    pub fn stats(&self) -> Stats {
        lock(&self.shared.stats).clone()
    }

    /// Stops accepting, waits briefly for open requests, then stops.
    pub async fn shutdown(mut self) {
        self.stop.send_replace(true);
        for server in std::mem::take(&mut self.servers) {
            let abort = server.abort_handle();
            if tokio::time::timeout(SHUTDOWN_GRACE, server).await.is_err() {
                abort.abort();
            }
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.stop.send_replace(true);
        for server in &self.servers {
            server.abort();
        }
    }
}

fn url_of(addr: SocketAddr) -> String {
    format!("http://{addr}")
}

fn serve(listener: TcpListener, site: Site, mut stop: watch::Receiver<bool>) -> JoinHandle<()> {
    let app = router(site);
    tokio::spawn(async move {
        let stopped = async move {
            // An error means the simulator is gone, which is also a stop.
            let _ = stop.wait_for(|stopped| *stopped).await;
        };
        if let Err(error) = axum::serve(listener, app).with_graceful_shutdown(stopped).await {
            tracing::warn!(%error, "concur simulator listener failed");
        }
    })
}

fn router(site: Site) -> Router {
    Router::new()
        .route("/oauth2/v0/token", post(token::token))
        .route("/api/v3.0/expense/reports", get(api::reports))
        .route("/api/v3.0/expense/entries", get(api::entries))
        .fallback(api::not_found)
        .layer(middleware::from_fn_with_state(site.clone(), correlate))
        .with_state(site)
}

/// Gives every response, errors included, a fresh `concur-correlationid`
/// and logs the exchange. Queries and bodies are not logged: they carry
/// passwords and tokens.
async fn correlate(State(site): State<Site>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let id = site.shared.mint.correlation_id();

    let mut response = next.run(request).await;

    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("concur-correlationid", value);
    }
    let status = response.status().as_u16();
    tracing::debug!(%method, %path, status, correlation_id = %id, home = site.is_home, "concur sim");
    response
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_handle_can_be_shared_between_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<super::Simulator>();
    }
}
