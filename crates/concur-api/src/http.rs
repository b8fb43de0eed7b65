//! One HTTP exchange with Concur, and the retry policy around it.
//!
//! Nothing here logs a header or a body: the `Authorization` header and the
//! token form hold secrets, and entry bodies hold who spent what.

use crate::error::{ConcurError, ErrorKind};
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use reqwest::{StatusCode, Url};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use std::time::Duration;

/// How hard to try before giving up on one request.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    /// Sends of one request at most, the first included.
    pub max_attempts: u32,
    /// The first back-off; it doubles with every retry.
    pub base_delay: Duration,
    /// No back-off is longer than this.
    pub max_delay: Duration,
    /// A `Retry-After` longer than this is cut to it.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 6,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
            max_retry_after: Duration::from_secs(300),
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `attempt + 1`: exponential, capped, with
    /// "equal jitter" so that parallel requests do not retry in step.
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        let doubling = 2u32.saturating_pow(attempt.saturating_sub(1));
        let ceiling = self.base_delay.saturating_mul(doubling).min(self.max_delay);
        let half = ceiling / 2;
        half + half.mul_f64(fastrand::f64())
    }

    /// The wait a 429 asks for. A `Retry-After` of zero or none still
    /// backs off: Concur's own example answers `retry-after: 0`.
    pub(crate) fn after_rate_limit(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        match retry_after {
            Some(wait) if !wait.is_zero() => wait.min(self.max_retry_after),
            _ => self.backoff(attempt),
        }
    }
}

/// The HTTP client: one connection pool, a per-request time-out.
#[derive(Clone, Debug)]
pub(crate) struct Http {
    client: reqwest::Client,
}

/// A complete answer: status, the headers we use, the body.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) correlation_id: Option<String>,
    pub(crate) content_type: String,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) body: Vec<u8>,
}

impl Http {
    pub(crate) fn new(timeout: Duration) -> Result<Http, ConcurError> {
        // reqwest is built without a crypto provider so that only ring is
        // compiled (sqlx brings it anyway). Installing twice is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(15)))
            .user_agent(concat!("spendmap/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|source| ErrorKind::Transport { what: "could not set up HTTP", source })?;
        Ok(Http { client })
    }

    pub(crate) async fn post_form(
        &self,
        url: Url,
        form: &[(&str, &str)],
    ) -> Result<Answer, ConcurError> {
        let request = self.client.post(url).header(ACCEPT, "application/json").form(form);
        read(request).await
    }

    pub(crate) async fn get(&self, url: Url, token: &SecretString) -> Result<Answer, ConcurError> {
        let mut bearer = HeaderValue::try_from(format!("Bearer {}", token.expose_secret()))
            .map_err(|_| {
                ConcurError::new(ErrorKind::Api {
                    message: "the access token is not valid header text".to_owned(),
                })
            })?;
        // Marked sensitive so that no debug output of the request shows it.
        bearer.set_sensitive(true);
        let request =
            self.client.get(url).header(ACCEPT, "application/json").header(AUTHORIZATION, bearer);
        read(request).await
    }
}

async fn read(request: reqwest::RequestBuilder) -> Result<Answer, ConcurError> {
    let response = request.send().await.map_err(transport("could not reach Concur"))?;
    let status = response.status().as_u16();
    let header = |name| response.headers().get(name).and_then(|v: &HeaderValue| v.to_str().ok());
    let correlation_id = header("concur-correlationid").map(str::to_owned);
    let content_type = header(CONTENT_TYPE.as_str()).unwrap_or_default().to_owned();
    let retry_after = header(RETRY_AFTER.as_str())
        .and_then(|value| value.trim().parse::<u64>().ok())
        .map(Duration::from_secs);

    let body = response.bytes().await.map_err(|err| {
        transport("the connection to Concur broke off in the middle of an answer")(err)
            .with_response(status, correlation_id.clone())
    })?;
    Ok(Answer { status, correlation_id, content_type, retry_after, body: body.to_vec() })
}

fn transport(what: &'static str) -> impl FnOnce(reqwest::Error) -> ConcurError {
    move |source| {
        let what = if source.is_timeout() { "Concur did not answer in time" } else { what };
        ConcurError::new(ErrorKind::Transport { what, source: source.without_url() })
    }
}

impl Answer {
    pub(crate) fn is_json(&self) -> bool {
        self.content_type.to_ascii_lowercase().contains("json")
    }

    /// The body as `T`, refusing anything that is not JSON.
    pub(crate) fn json<T: DeserializeOwned>(&self, what: &'static str) -> Result<T, ConcurError> {
        if !self.is_json() {
            let content_type = if self.content_type.is_empty() {
                "no content type".to_owned()
            } else {
                self.content_type.clone()
            };
            return Err(self.error(ErrorKind::NotJson { content_type }));
        }
        serde_json::from_slice(&self.body)
            .map_err(|source| self.error(ErrorKind::Decode { what, source }))
    }

    /// An error that names this answer's status and correlation id.
    pub(crate) fn error(&self, kind: ErrorKind) -> ConcurError {
        ConcurError::new(kind).with_response(self.status, self.correlation_id.clone())
    }

    pub(crate) fn reason(&self) -> &'static str {
        StatusCode::from_u16(self.status)
            .ok()
            .and_then(|status| status.canonical_reason())
            .unwrap_or("unexpected status")
    }

    /// Concur's own words about an error: the v3 `Message`, the v4
    /// `errorMessage`, or the status's reason phrase.
    pub(crate) fn message(&self) -> String {
        #[derive(serde::Deserialize)]
        struct Body {
            #[serde(alias = "Message", alias = "errorMessage", alias = "error_description")]
            message: Option<String>,
        }
        let said = self.is_json().then(|| serde_json::from_slice::<Body>(&self.body).ok());
        said.flatten()
            .and_then(|body| body.message)
            .filter(|message| !message.trim().is_empty())
            .unwrap_or_else(|| self.reason().to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(1000),
            max_retry_after: Duration::from_secs(10),
        }
    }

    #[test]
    fn backoff_doubles_within_jitter_and_is_capped() {
        let policy = policy();
        for attempt in 1..=10 {
            let ceiling = (100u64 << (attempt - 1)).min(1000);
            let wait = policy.backoff(attempt).as_millis() as u64;
            assert!(wait >= ceiling / 2 && wait <= ceiling, "attempt {attempt}: {wait} ms");
        }
    }

    #[test]
    fn retry_after_is_honoured_capped_and_zero_still_backs_off() {
        let policy = policy();
        assert_eq!(
            policy.after_rate_limit(1, Some(Duration::from_secs(3))),
            Duration::from_secs(3)
        );
        assert_eq!(
            policy.after_rate_limit(1, Some(Duration::from_secs(99))),
            Duration::from_secs(10)
        );
        assert!(policy.after_rate_limit(1, Some(Duration::ZERO)) >= Duration::from_millis(50));
        assert!(policy.after_rate_limit(2, None) >= Duration::from_millis(100));
    }

    #[test]
    fn messages_come_from_v3_or_v4_bodies_or_the_status() {
        let answer = |content_type: &str, body: &str| Answer {
            status: 403,
            correlation_id: None,
            content_type: content_type.to_owned(),
            retry_after: None,
            body: body.as_bytes().to_vec(),
        };
        assert_eq!(answer("application/json", r#"{"Message":"No role"}"#).message(), "No role");
        assert_eq!(
            answer("application/json", r#"{"errorMessage":"v4 says"}"#).message(),
            "v4 says"
        );
        assert_eq!(answer("text/html", "<h1>nope</h1>").message(), "Forbidden");
        assert!(matches!(
            answer("application/xml", "<Reports/>").json::<serde_json::Value>("reports"),
            Err(err) if matches!(err.kind(), ErrorKind::NotJson { .. })
        ));
    }
}
