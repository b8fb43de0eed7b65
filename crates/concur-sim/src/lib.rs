//! A loopback stand-in for SAP Concur, for spendmap's tests, benchmarks and
//! demos: the OAuth2 token endpoint and the v3.0 expense reports and
//! entries lists, served from a [`Tenant`] of fixture or generated data.
//!
//! [`Simulator::start`] binds two listeners on 127.0.0.1: the *home* data
//! centre, where every user lives, and a *wrong* one, which behaves like a
//! data centre the user does not belong to.
//!
//! # Quirks Concur has, reproduced on purpose
//!
//! * Token errors are `{code, error, error_description, geolocation}` with
//!   Concur's numbers (5, 14, 16, 21, 51, 52, 60–65, 106, 108, ...).
//! * A password grant on the wrong data centre answers code 16 "user lives
//!   elsewhere" with `geolocation` naming the home one. A valid refresh
//!   token sent there gets the same answer and stays valid. Access tokens
//!   are not accepted there at all (401).
//! * `expires_in` is a JSON *string*; `refresh_expires_in` is an absolute
//!   Unix time; `geolocation` ends in `/`; the response has an unknown
//!   extra field.
//! * Refresh tokens rotate: each refresh issues a new one and the old one
//!   stops working at once.
//! * Every response carries a fresh `concur-correlationid` header.
//! * Without `application/json` in `Accept`, lists come back as XML (error
//!   bodies stay JSON).
//! * `user=ALL` and other people's reports need the Web Services
//!   Administrator role (403 otherwise); no `user` means the token owner.
//! * `NextPage` is an absolute URL repeating the caller's filters, with an
//!   opaque `offset` token containing a raw `$`. Damaged tokens get a 400.
//! * Amounts are JSON numbers with exactly eight decimals; timestamps have
//!   no zone and as many fractional digits as the value has.
//! * With [`SimConfig::empty_first_entries_page`], the first entries page of
//!   every third report (by id order) is empty yet has a `NextPage`.
//! * Entries marked `without_content` come back with everything but `ID`,
//!   `URI` and `ReportID` null.
//!
//! # Faults, switched with [`Faults`] and [`Simulator::set_faults`]
//!
//! 429 with or without `Retry-After`, 503 with an HTML body, a connection
//! dropped mid-body, slow answers, constant latency, and access tokens that
//! expire after a number of calls. They apply to API requests only, keyed on
//! one request counter (see [`Faults`]).
//!
//! To poke at it by hand, `cargo xtask sim` runs one until Ctrl-C and
//! prints the credentials and a `spendmap connect concur` line.
//!
//! Handlers log each exchange at debug level; tokens, passwords and query
//! strings are never logged.

mod api;
mod config;
mod generate;
mod mint;
mod paging;
mod server;
mod tenant;
mod token;
mod wire;

pub use config::{Faults, Role, SimConfig, SimUser, UserState};
pub use server::{Simulator, Stats};
pub use tenant::{SimEntry, SimReport, Tenant};
