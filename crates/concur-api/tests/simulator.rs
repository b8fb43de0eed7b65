//! The client against the Concur simulator, one behaviour per test: the
//! library as another program would use it, with short retry delays so
//! that faults cost milliseconds, not seconds.

use spendmap_concur_api::{
    BaseUri, ClientConfig, ConcurClient, Credentials, ErrorKind, Report, RetryPolicy, SaveResult,
    SavedTokens, SecretString, TokenSink,
};
use spendmap_concur_sim::{Faults, SimConfig, Simulator, Tenant};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const CLIENT_ID: &str = "spendmap-demo-client";
const SECRET: &str = "sim-client-secret-0000";
const ADMIN: &str = "wsadmin@example.test";
const PASSWORD: &str = "sim-password-1";

fn quick() -> ClientConfig {
    ClientConfig {
        timeout: Duration::from_millis(500),
        retry: RetryPolicy {
            max_attempts: 6,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(100),
            max_retry_after: Duration::from_secs(2),
        },
        page_size: 5,
        ..ClientConfig::default()
    }
}

fn credentials(secret: &str) -> Credentials {
    Credentials { client_id: CLIENT_ID.to_owned(), client_secret: SecretString::from(secret) }
}

async fn simulator(tenant: Tenant) -> Simulator {
    Simulator::start(SimConfig::default(), tenant).await.expect("simulator starts")
}

async fn sign_in(sim: &Simulator, config: ClientConfig) -> ConcurClient {
    let base = BaseUri::parse(&sim.base_url()).expect("loopback base");
    let password = SecretString::from(PASSWORD);
    ConcurClient::connect(&base, credentials(SECRET), ADMIN, &password, config)
        .await
        .expect("signs in")
}

/// Every report, following `NextPage`, and every entry of each.
async fn everything(client: &ConcurClient) -> (Vec<Report>, usize) {
    let mut reports = Vec::new();
    let mut next = Some(client.reports_url(None).await.to_string());
    while let Some(url) = next {
        let page = client.reports_page(&url).await.expect("a page of reports");
        next = page.next().map(str::to_owned);
        reports.extend(page.items);
    }
    let entries = client.entries_of(&reports).await.expect("entries");
    let count = entries.iter().map(Vec::len).sum();
    (reports, count)
}

#[tokio::test]
async fn pages_are_followed_through_dollar_offsets_and_empty_pages() {
    let tenant = Tenant::generated(23, 3, 5);
    let expected_entries = tenant.entry_count();
    let sim = simulator(tenant).await;
    let client = sign_in(&sim, quick()).await;

    let (reports, entries) = everything(&client).await;

    assert_eq!(reports.len(), 23);
    assert_eq!(entries, expected_entries);
    let stats = sim.stats();
    assert_eq!(stats.report_pages, 5, "23 reports in pages of 5");
    assert!(stats.entry_pages > 23, "some first entry pages were empty: {stats:?}");
}

#[tokio::test]
async fn eight_decimal_amounts_stay_exact() {
    let sim = simulator(Tenant::fixture()).await;
    let client = sign_in(&sim, quick()).await;
    let mut expected: Vec<_> = sim.with_tenant(|tenant| {
        let entries = tenant.reports.iter().flat_map(|report| &report.entries);
        entries.filter(|entry| !entry.without_content).map(|entry| entry.approved_amount).collect()
    });

    let (reports, _) = everything(&client).await;
    let entries = client.entries_of(&reports).await.expect("entries");

    let mut got: Vec<_> = entries.iter().flatten().filter_map(|e| e.approved_amount).collect();
    got.sort();
    expected.sort();
    assert!(!got.is_empty());
    assert_eq!(got, expected, "sent with eight decimals, read back to the cent and beyond");
}

#[tokio::test]
async fn entries_are_fetched_in_parallel_within_the_bound() {
    let sim = simulator(Tenant::generated(24, 2, 9)).await;
    sim.set_faults(Faults { latency_ms: 30, ..Faults::default() });

    // The simulator keeps the highest number of requests it answered at
    // once over its whole life: 1 after the first run, 3 after the second.
    for bound in [1, 3] {
        let client = sign_in(&sim, ClientConfig { concurrency: bound, ..quick() }).await;
        let (reports, _) = everything(&client).await;

        assert_eq!(reports.len(), 24);
        assert_eq!(sim.stats().max_in_flight, bound as u64, "never more, and really parallel");
    }
}

#[tokio::test]
async fn rate_limits_outages_cut_bodies_and_time_outs_are_retried() {
    let tenant = Tenant::generated(15, 2, 4);
    let expected_entries = tenant.entry_count();
    let sim = simulator(tenant).await;
    let client = sign_in(&sim, quick()).await;

    for faults in [
        Faults { rate_limit_every: 8, retry_after: Some(1), ..Faults::default() },
        Faults { rate_limit_every: 4, retry_after: Some(0), ..Faults::default() },
        Faults { rate_limit_every: 4, retry_after: None, ..Faults::default() },
        Faults { unavailable_every: 3, ..Faults::default() },
        Faults { drop_every: 3, ..Faults::default() },
        Faults { slow_every: 7, slow_ms: 1200, ..Faults::default() },
    ] {
        let before = sim.stats().faults_injected;
        sim.set_faults(faults.clone());

        let (reports, entries) = everything(&client).await;

        assert_eq!((reports.len(), entries), (15, expected_entries), "{faults:?}");
        assert!(sim.stats().faults_injected >= before + 3, "{faults:?} were injected");
    }
}

#[tokio::test]
async fn a_lasting_outage_gives_up_with_the_status_and_correlation_id() {
    let sim = simulator(Tenant::generated(3, 1, 2)).await;
    let client = sign_in(&sim, quick()).await;
    sim.set_faults(Faults { unavailable_every: 1, ..Faults::default() });

    let url = client.reports_url(None).await.to_string();
    let err = client.reports_page(&url).await.expect_err("never answers");

    assert_eq!(err.status(), Some(503));
    assert!(err.correlation_id().is_some_and(|id| !id.is_empty()));
    assert_eq!(err.attempts(), 6);
    assert!(err.to_string().contains("HTTP 503"), "{err}");
}

/// Keeps every refresh token it is given, as the app's store does.
#[derive(Default)]
struct Kept(Mutex<Vec<String>>);

impl TokenSink for Kept {
    fn save<'a>(
        &'a self,
        tokens: &'a SavedTokens,
    ) -> Pin<Box<dyn Future<Output = SaveResult> + Send + 'a>> {
        use spendmap_concur_api::ExposeSecret;
        let token = tokens.refresh_token.expose_secret().to_owned();
        Box::pin(async move {
            self.0.lock().expect("lock").push(token);
            Ok(())
        })
    }
}

#[tokio::test]
async fn tokens_worn_out_mid_run_are_refreshed_and_every_rotation_is_saved() {
    let tenant = Tenant::generated(20, 2, 3);
    let expected_entries = tenant.entry_count();
    let sim = simulator(tenant).await;
    let first = sign_in(&sim, quick()).await;
    let saved = first.saved_tokens().await;
    sim.set_faults(Faults { token_expires_after_calls: 3, ..Faults::default() });

    let kept = Arc::new(Kept::default());
    let client = ConcurClient::resume(saved, credentials(SECRET), Some(kept.clone()), quick())
        .await
        .expect("resumes");
    let (_, entries) = everything(&client).await;

    assert_eq!(entries, expected_entries);
    let kept = kept.0.lock().expect("lock").clone();
    assert!(kept.len() >= 5, "refreshed many times: {}", kept.len());
    let newest = client.saved_tokens().await;
    use spendmap_concur_api::ExposeSecret;
    assert_eq!(kept.last().map(String::as_str), Some(newest.refresh_token.expose_secret()));

    // Rotation: the first refresh token is dead, the newest works.
    let stale =
        SavedTokens { refresh_token: SecretString::from(kept[0].clone()), ..newest.clone() };
    let refused = ConcurClient::resume(stale, credentials(SECRET), None, quick()).await;
    assert!(refused.is_err(), "a rotated-out refresh token is refused");
    ConcurClient::resume(newest, credentials(SECRET), None, quick()).await.expect("newest works");
}

#[tokio::test]
async fn the_wrong_data_centre_sends_the_client_home() {
    let sim = simulator(Tenant::fixture()).await;
    let wrong = BaseUri::parse(&sim.wrong_dc_url()).expect("loopback base");
    let password = SecretString::from(PASSWORD);

    let client = ConcurClient::connect(&wrong, credentials(SECRET), ADMIN, &password, quick())
        .await
        .expect("signs in");

    assert_eq!(client.geolocation().await, BaseUri::parse(&sim.base_url()).expect("home"));
    assert!(client.reports_url(None).await.as_str().starts_with(&sim.base_url()));
}

#[tokio::test]
async fn refusals_name_what_to_fix() {
    let sim = simulator(Tenant::fixture()).await;
    let base = BaseUri::parse(&sim.base_url()).expect("loopback base");
    let attempt = |secret: &'static str, user: &'static str, password: &'static str| {
        let base = base.clone();
        async move {
            let password = SecretString::from(password);
            ConcurClient::connect(&base, credentials(secret), user, &password, quick())
                .await
                .expect_err("refused")
        }
    };

    let wrong_password = attempt(SECRET, ADMIN, "nope").await;
    let locked = attempt(SECRET, "locked@example.test", "x").await;
    let wrong_secret = attempt("not-it", ADMIN, PASSWORD).await;

    assert!(wrong_password.to_string().contains("username or password is wrong"));
    assert!(locked.to_string().contains("locked"), "{locked}");
    assert!(wrong_secret.to_string().contains("client secret is wrong"), "{wrong_secret}");
    for err in [&wrong_password, &locked, &wrong_secret] {
        assert!(matches!(err.kind(), ErrorKind::Token { .. }), "{err}");
        assert!(!err.to_string().contains("nope") && !err.to_string().contains(SECRET));
    }
}
