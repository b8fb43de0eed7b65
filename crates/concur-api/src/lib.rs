//! A read-only client for SAP Concur's web services: sign in, keep tokens
//! fresh, list expense reports and their entries.
//!
//! # Signing in
//!
//! [`ConcurClient::connect`] sends the OAuth2 password grant (form-encoded
//! `POST {base}/oauth2/v0/token`) once. When the user lives in another data
//! centre Concur answers code 16 with a `geolocation`; the client retries
//! there once and from then on talks only to that geolocation.
//! [`ConcurClient::resume`] starts from a stored refresh token instead.
//! Every token response may rotate the refresh token and move the
//! geolocation, so each one is handed to a [`TokenSink`] at once. Access
//! tokens are refreshed a minute before they expire and again on a 401
//! (at most twice per request, unless another request refreshed first).
//! `expires_in` may be a number or a string; `refresh_expires_in` is an
//! absolute Unix time; unknown fields are ignored. Concur's numbered
//! refusals become messages an admin can act on ([`ErrorKind::Token`]).
//!
//! # Reading
//!
//! Reports come from `GET /api/v3.0/expense/reports?user=ALL&limit=100`,
//! with `modifiedDateAfter` for incremental runs; entries per report from
//! `GET /api/v3.0/expense/entries?reportID=..`. `NextPage` links are
//! followed verbatim (their offset tokens carry `$`), as long as they stay
//! on Concur's hosts; an empty page with a `NextPage` is not the end, and a
//! link seen twice is an error rather than a loop. Entries of several
//! reports are fetched in parallel, [`ClientConfig::concurrency`] at a time.
//! Amounts are exact decimals read from the JSON text; dates come with or
//! without fractions and zones ([`parse_date_time`]).
//!
//! [`SyncCursor`] is where a sync stands between runs: the next page of an
//! unfinished run, or the watermark a finished one left.
//!
//! # Faults
//!
//! `Accept: application/json` is always sent and anything else back is an
//! error. 429 waits for `Retry-After` (and still backs off when it is zero
//! or absent); 5xx, time-outs and cut-off bodies retry with capped
//! exponential back-off and jitter ([`RetryPolicy`]); a 403 on `user=ALL`
//! says the Web Services Administrator role is missing. Every
//! [`ConcurError`] carries the HTTP status and `concur-correlationid`.
//!
//! # Secrets
//!
//! The client secret, password and tokens are [`secrecy::SecretString`]s:
//! their `Debug` is redacted, the `Authorization` header is marked
//! sensitive, and no log line or error includes a request body.
//!
//! The only crate of spendmap that touches the network.

#![deny(missing_docs)]

mod auth;
mod base_uri;
mod client;
mod cursor;
mod error;
mod http;
mod models;

pub use auth::{Credentials, SavedTokens, Tokens};
pub use base_uri::{BaseUri, BaseUriError};
pub use client::{ClientConfig, ConcurClient, SaveResult, TokenSink};
pub use cursor::{OVERLAP, RunCursor, SyncCursor};
pub use error::{ConcurError, ErrorKind};
pub use http::RetryPolicy;
pub use models::{Entry, Page, Report, SkipReason, parse_date_time};
pub use secrecy::{ExposeSecret, SecretString};
