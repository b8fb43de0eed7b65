//! The v3.0 expense list endpoints, and the faults wrapped around them.

use std::io;
use std::time::Duration;

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header::{ACCEPT, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use futures_util::{StreamExt, stream};
use rust_decimal::Decimal;
use serde_json::json;

use crate::config::{Fault, Role};
use crate::mint::{scramble, splitmix};
use crate::paging::{ListKind, decode_offset, encode_offset, next_page_url};
use crate::server::{Site, lock};
use crate::tenant::{SimEntry, SimReport};
use crate::token::find_user;
use crate::wire::{Listing, Record, Value, amount, concur_datetime};

const REPORTS_PATH: &str = "/api/v3.0/expense/reports";
const ENTRIES_PATH: &str = "/api/v3.0/expense/entries";
const DEFAULT_LIMIT: usize = 25;
const MAX_LIMIT: usize = 100;

/// How long a dropped response hangs after its first half, so the headers
/// and that half really reach the client before the connection dies.
const DROP_PAUSE: Duration = Duration::from_millis(50);

/// Why an API request was refused; the body is Concur's `{"Message": ...}`.
#[derive(Clone, Debug, thiserror::Error)]
pub(crate) enum ApiError {
    #[error("Invalid or expired access token")]
    Unauthorized,
    #[error("User does not have the Web Services Administrator role")]
    NotAdmin,
    #[error("{0}")]
    BadRequest(String),
    #[error("The requested resource does not exist")]
    NotFound,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = match self {
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::NotAdmin => StatusCode::FORBIDDEN,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound => StatusCode::NOT_FOUND,
        };
        (status, Json(json!({ "Message": self.to_string() }))).into_response()
    }
}

/// Query parameters in the order sent.
type Params = Vec<(String, String)>;

/// The owner of the access token a request carries.
struct Caller {
    login: String,
    role: Role,
}

/// Whose reports a request may see.
enum Owners {
    All,
    One(String),
}

impl Owners {
    fn admits(&self, login: &str) -> bool {
        match self {
            Owners::All => true,
            Owners::One(owner) => owner.eq_ignore_ascii_case(login),
        }
    }
}

/// `GET /api/v3.0/expense/reports`
pub(crate) async fn reports(
    State(site): State<Site>,
    headers: HeaderMap,
    query: Result<Query<Params>, QueryRejection>,
) -> Response {
    let params = query.map(|Query(p)| p).map_err(|e| ApiError::BadRequest(e.body_text()));
    serve_api(&site, &headers, ListKind::Reports, |caller| list_reports(&site, caller, &params?))
        .await
}

/// `GET /api/v3.0/expense/entries`
pub(crate) async fn entries(
    State(site): State<Site>,
    headers: HeaderMap,
    query: Result<Query<Params>, QueryRejection>,
) -> Response {
    let params = query.map(|Query(p)| p).map_err(|e| ApiError::BadRequest(e.body_text()));
    serve_api(&site, &headers, ListKind::Entries, |caller| list_entries(&site, caller, &params?))
        .await
}

/// Anything else.
pub(crate) async fn not_found() -> Response {
    ApiError::NotFound.into_response()
}

/// Counts the request, applies latency and faults, checks the token, then
/// lets `answer` build the page.
async fn serve_api(
    site: &Site,
    headers: &HeaderMap,
    kind: ListKind,
    answer: impl FnOnce(&Caller) -> Result<Listing, ApiError>,
) -> Response {
    let n = site.shared.next_api_request();
    let _in_flight = site.shared.enter();
    let faults = site.shared.faults();
    pause(faults.latency_ms).await;

    let fault = faults.pick(n);
    if fault.is_some() {
        site.shared.bump(|s| s.faults_injected += 1);
    }
    match fault {
        Some(Fault::RateLimit) => return rate_limited(faults.retry_after),
        Some(Fault::Unavailable) => return unavailable(),
        Some(Fault::Slow) => pause(faults.slow_ms).await,
        Some(Fault::Drop) | None => {}
    }

    let listing = match authorize(site, headers).and_then(|caller| answer(&caller)) {
        Ok(listing) => listing,
        Err(error) => return error.into_response(),
    };
    let response = render(&listing, wants_json(headers));
    if fault == Some(Fault::Drop) {
        return cut_short(response).await;
    }
    site.shared.bump(|s| match kind {
        ListKind::Reports => s.report_pages += 1,
        ListKind::Entries => s.entry_pages += 1,
    });
    response
}

async fn pause(millis: u64) {
    if millis > 0 {
        tokio::time::sleep(Duration::from_millis(millis)).await;
    }
}

fn rate_limited(retry_after: Option<u64>) -> Response {
    let body = Json(json!({ "Message": "Too Many Requests" }));
    let mut response = (StatusCode::TOO_MANY_REQUESTS, body).into_response();
    if let Some(seconds) = retry_after {
        response.headers_mut().insert(RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

fn unavailable() -> Response {
    let html = [(CONTENT_TYPE, "text/html")];
    (StatusCode::SERVICE_UNAVAILABLE, html, "Service Unavailable").into_response()
}

/// Keeps the status and headers but sends only the first half of the body,
/// then fails the stream so the connection drops mid-body.
async fn cut_short(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    parts.headers.remove(CONTENT_LENGTH);

    let half = bytes.slice(..bytes.len() / 2);
    let head = stream::once(async move { Ok::<Bytes, io::Error>(half) });
    let failure = stream::once(async {
        tokio::time::sleep(DROP_PAUSE).await;
        Err(io::Error::new(io::ErrorKind::ConnectionReset, "simulated connection drop"))
    });
    Response::from_parts(parts, Body::from_stream(head.chain(failure)))
}

/// Finds the caller behind the bearer token and counts the call against it.
/// Tokens are only valid on the data centre that issued them.
fn authorize(site: &Site, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let refused = || {
        site.shared.bump(|s| s.unauthorized += 1);
        ApiError::Unauthorized
    };
    let token = bearer_token(headers).ok_or_else(refused)?;
    if !site.is_home {
        return Err(refused());
    }

    let config = lock(&site.shared.config).clone();
    let ttl = Duration::from_secs(config.access_token_ttl_secs);
    let max_calls = config.faults.token_expires_after_calls;
    let login =
        lock(&site.shared.sessions).use_access(token, ttl, max_calls).map_err(|_| refused())?;

    let role = find_user(&config, &login).map(|user| user.role).ok_or_else(refused)?;
    Ok(Caller { login, role })
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

fn wants_json(headers: &HeaderMap) -> bool {
    let accepts = headers.get_all(ACCEPT).iter().filter_map(|v| v.to_str().ok());
    accepts.map(str::to_ascii_lowercase).any(|v| v.contains("application/json"))
}

fn render(listing: &Listing, json: bool) -> Response {
    if json {
        let content_type = [(CONTENT_TYPE, "application/json; charset=utf-8")];
        (content_type, listing.to_json()).into_response()
    } else {
        ([(CONTENT_TYPE, "application/xml")], listing.to_xml()).into_response()
    }
}

fn list_reports(site: &Site, caller: &Caller, params: &Params) -> Result<Listing, ApiError> {
    let owners = owners(caller, param(params, "user"))?;
    let limit = page_size(param(params, "limit"))?;
    let after = param(params, "modifiedDateAfter").map(parse_after).transpose()?;
    let start = start_position(ListKind::Reports, param(params, "offset"))?.unwrap_or(0);

    let tenant = lock(&site.shared.tenant);
    let modified = |r: &&SimReport| after.is_none_or(|after| r.last_modified > after);
    let matching: Vec<&SimReport> = tenant
        .sorted_reports()
        .into_iter()
        .filter(|r| owners.admits(&r.owner_login))
        .filter(modified)
        .collect();

    let items = matching.iter().skip(start).take(limit).map(|r| report_record(site, r)).collect();
    let next_page = (start + limit < matching.len()).then(|| {
        let filters = carried(params, &["user", "limit", "modifiedDateAfter"]);
        let token = encode_offset(ListKind::Reports, start + limit);
        next_page_url(&site.base_url, REPORTS_PATH, &filters, &token)
    });
    Ok(Listing { root: "Reports", item: "Report", items, next_page })
}

fn list_entries(site: &Site, caller: &Caller, params: &Params) -> Result<Listing, ApiError> {
    let report_id = param(params, "reportID");
    let owners = owners(caller, param(params, "user"))?;
    let limit = page_size(param(params, "limit"))?;
    let start = start_position(ListKind::Entries, param(params, "offset"))?;
    let empty_first = lock(&site.shared.config).empty_first_entries_page;

    let tenant = lock(&site.shared.tenant);
    let sorted = tenant.sorted_reports();
    let found = sorted
        .iter()
        .enumerate()
        .find(|(_, r)| Some(r.id.as_str()) == report_id && owners.admits(&r.owner_login));
    let Some((index, report)) = found else {
        return Ok(Listing { root: "Entries", item: "Entry", items: Vec::new(), next_page: None });
    };

    let next_url = |position| {
        let filters = carried(params, &["reportID", "user", "limit"]);
        let token = encode_offset(ListKind::Entries, position);
        next_page_url(&site.base_url, ENTRIES_PATH, &filters, &token)
    };
    // The quirk: an empty first page that is not the last one.
    if empty_first && start.is_none() && index % 3 == 0 {
        return Ok(Listing {
            root: "Entries",
            item: "Entry",
            items: Vec::new(),
            next_page: Some(next_url(0)),
        });
    }

    let start = start.unwrap_or(0);
    let page = report.entries.iter().skip(start).take(limit);
    let items = page.map(|e| entry_record(site, report, e)).collect();
    let next_page = (start + limit < report.entries.len()).then(|| next_url(start + limit));
    Ok(Listing { root: "Entries", item: "Entry", items, next_page })
}

/// The value of a query parameter; names match without regard to case and
/// an empty value counts as absent.
fn param<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    let (_, value) = params.iter().find(|(key, _)| key.eq_ignore_ascii_case(name))?;
    Some(value.as_str()).filter(|v| !v.is_empty())
}

/// The caller's own filters, repeated in `NextPage` as Concur does.
fn carried<'a>(params: &Params, names: &[&'a str]) -> Vec<(&'a str, String)> {
    let present = names.iter().filter_map(|&name| Some((name, param(params, name)?.to_owned())));
    present.collect()
}

fn owners(caller: &Caller, user: Option<&str>) -> Result<Owners, ApiError> {
    match user {
        None => Ok(Owners::One(caller.login.clone())),
        Some(user) if user.eq_ignore_ascii_case(&caller.login) => {
            Ok(Owners::One(caller.login.clone()))
        }
        Some(_) if caller.role != Role::WebServicesAdmin => Err(ApiError::NotAdmin),
        Some(user) if user.eq_ignore_ascii_case("ALL") => Ok(Owners::All),
        Some(user) => Ok(Owners::One(user.to_owned())),
    }
}

fn page_size(text: Option<&str>) -> Result<usize, ApiError> {
    let Some(text) = text else {
        return Ok(DEFAULT_LIMIT);
    };
    match text.parse::<usize>() {
        Ok(0) | Err(_) => {
            Err(ApiError::BadRequest(format!("The value '{text}' is not valid for limit.")))
        }
        Ok(limit) => Ok(limit.min(MAX_LIMIT)),
    }
}

/// `yyyy-MM-dd` or `yyyy-MM-ddTHH:mm:ss` with an optional fraction.
fn parse_after(text: &str) -> Result<NaiveDateTime, ApiError> {
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(date.and_time(NaiveTime::MIN));
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").map_err(|_| {
        ApiError::BadRequest(format!("The value '{text}' is not valid for modifiedDateAfter."))
    })
}

fn start_position(kind: ListKind, token: Option<&str>) -> Result<Option<usize>, ApiError> {
    let decode = |token: &str| {
        decode_offset(kind, token)
            .ok_or_else(|| ApiError::BadRequest("The offset is not valid.".to_owned()))
    };
    token.map(decode).transpose()
}

fn report_record(site: &Site, report: &SimReport) -> Record {
    let total: Decimal = report.entries.iter().map(|e| e.approved_amount).sum();
    let submitted = report.approval_status_code != "A_NOTF";
    let submit_date = submitted.then(|| concur_datetime(report.last_modified - TimeDelta::days(1)));
    vec![
        ("ID", Value::text(&report.id)),
        ("URI", Value::Text(format!("{}{REPORTS_PATH}/{}", site.base_url, report.id))),
        ("Name", Value::text(&report.name)),
        ("Total", amount(total)),
        ("CurrencyCode", Value::text(&report.currency)),
        ("Country", Value::text("US")),
        ("CreateDate", Value::Text(concur_datetime(report.last_modified - TimeDelta::days(3)))),
        ("SubmitDate", submit_date.map_or(Value::Null, Value::Text)),
        ("LastModifiedDate", Value::Text(concur_datetime(report.last_modified))),
        ("OwnerLoginID", Value::text(&report.owner_login)),
        ("OwnerName", Value::text(&report.owner_name)),
        ("ApprovalStatusCode", Value::text(&report.approval_status_code)),
        ("ApprovalStatusName", Value::text(approval_name(&report.approval_status_code))),
        ("PaymentStatusCode", Value::text(&report.payment_status_code)),
        ("PaymentStatusName", Value::text(payment_name(&report.payment_status_code))),
        ("HasException", Value::Bool(false)),
        ("Custom1", Value::Null),
        ("OrgUnit1", Value::Null),
    ]
}

fn entry_record(site: &Site, report: &SimReport, entry: &SimEntry) -> Record {
    let date = entry.transaction_date.and_time(NaiveTime::MIN);
    let record = vec![
        ("ID", Value::text(&entry.id)),
        ("URI", Value::Text(format!("{}{ENTRIES_PATH}/{}", site.base_url, entry.id))),
        ("ReportID", Value::text(&report.id)),
        ("ReportOwnerID", Value::text(&report.owner_login)),
        ("ExpenseTypeCode", Value::text(&entry.expense_type_code)),
        ("ExpenseTypeName", Value::text(&entry.expense_type_name)),
        ("SpendCategoryCode", Value::text(&entry.spend_category_code)),
        ("SpendCategoryName", Value::text(&entry.spend_category_name)),
        ("PaymentTypeID", Value::Text(payment_type_id(&entry.payment_type_name))),
        ("PaymentTypeName", Value::text(&entry.payment_type_name)),
        ("TransactionDate", Value::Text(date.format("%Y-%m-%dT%H:%M:%S").to_string())),
        ("TransactionCurrencyCode", Value::text(&entry.transaction_currency)),
        ("TransactionAmount", amount(entry.transaction_amount)),
        ("ExchangeRate", amount(exchange_rate(entry))),
        ("PostedAmount", amount(entry.posted_amount)),
        ("ApprovedAmount", amount(entry.approved_amount)),
        ("VendorDescription", Value::text(&entry.vendor_description)),
        ("VendorListItemName", Value::Null),
        ("Description", Value::text(&entry.description)),
        ("LocationName", Value::Null),
        ("IsPersonal", Value::Bool(entry.is_personal)),
        ("IsBillable", Value::Bool(false)),
        ("HasImage", Value::Bool(true)),
        (
            "LastModified",
            Value::Text(report.last_modified.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
        ),
        ("Custom1", Value::Null),
    ];
    if entry.without_content { hollow(record) } else { record }
}

/// What Concur sent for entries it could not fill: only the identity.
fn hollow(record: Record) -> Record {
    let keeps = |key: &str| matches!(key, "ID" | "URI" | "ReportID");
    let hollowed =
        record.into_iter().map(|(key, value)| (key, if keeps(key) { value } else { Value::Null }));
    hollowed.collect()
}

/// Posted per transaction unit; 1 when there is nothing to divide.
fn exchange_rate(entry: &SimEntry) -> Decimal {
    if entry.transaction_amount.is_zero() {
        return Decimal::ONE;
    }
    (entry.posted_amount / entry.transaction_amount).round_dp(8)
}

/// A stable opaque id per payment type, shaped like Concur's `nQ...` ones.
fn payment_type_id(name: &str) -> String {
    let seed = name.bytes().fold(0u64, |hash, byte| splitmix(hash ^ u64::from(byte)));
    format!("nQ{}", scramble(seed, 26))
}

fn approval_name(code: &str) -> &'static str {
    match code {
        "A_NOTF" => "Not Submitted",
        "A_PEND" => "Submitted & Pending Approval",
        "A_APPR" => "Approved",
        "A_ACCO" => "Approved by Cost Object Approver",
        "A_PVAL" => "Pending Validation",
        "A_RESU" => "Sent Back to Employee",
        "A_EXTV" => "Pending External Validation",
        _ => "Other",
    }
}

fn payment_name(code: &str) -> &'static str {
    match code {
        "P_NOTP" => "Not Paid",
        "P_PROC" => "Processing Payment",
        "P_PAID" => "Paid",
        "P_PAYC" => "Payment Confirmed",
        "P_HOLD" => "Payment Hold",
        _ => "Other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modified_after_accepts_dates_and_times() {
        let cases = ["2026-10-01", "2026-10-01T08:00:00", "2026-10-01T08:00:00.687"];
        for text in cases {
            assert!(parse_after(text).is_ok(), "{text}");
        }
        assert!(parse_after("01/10/2026").is_err());
    }

    #[test]
    fn limit_defaults_caps_and_refuses_junk() {
        assert_eq!(page_size(None).ok(), Some(25));
        assert_eq!(page_size(Some("500")).ok(), Some(100));
        assert!(page_size(Some("ten")).is_err());
        assert!(page_size(Some("0")).is_err());
    }
}
