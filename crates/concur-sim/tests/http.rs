//! The simulator over real HTTP, driven by a deliberately tiny HTTP/1.1
//! client on a raw `TcpStream` so these tests add no dependencies and see
//! exactly the bytes a real client would. The socket work is blocking and
//! runs on tokio's blocking pool (the workspace's tokio has no `io-util`).

use serde_json::Value;
use spendmap_concur_sim::{Faults, SimConfig, Simulator, Tenant};
use std::io::{Read, Write};
use std::net::TcpStream;

/// One HTTP exchange as the client saw it.
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
    /// False when the connection ended before the body did.
    complete: bool,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        let found = self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name));
        found.map(|(_, value)| value.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

async fn request(url: &str, method: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    let rest = url.strip_prefix("http://").expect("plain http URL");
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut text = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));

    let host = host.to_owned();
    let exchange = move || {
        let mut stream = TcpStream::connect(&host).expect("simulator accepts");
        stream.write_all(text.as_bytes()).expect("request sent");
        let mut raw = Vec::new();
        // A reset is what a dropped connection looks like; keep what arrived.
        let reset = stream.read_to_end(&mut raw).is_err();
        parse_reply(&raw, reset)
    };
    tokio::task::spawn_blocking(exchange).await.expect("exchange finished")
}

fn parse_reply(raw: &[u8], reset: bool) -> Reply {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n").expect("headers arrived");
    let mut lines = head.lines();
    let status_line = lines.next().expect("status line");
    let status = status_line.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("status");
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();

    let chunked =
        headers.iter().any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v == "chunked");
    let (body, complete) = if chunked { dechunk(body) } else { (body.to_owned(), true) };
    Reply { status, headers, body, complete: complete && !reset }
}

/// Joins chunked-encoding pieces; incomplete if the final empty chunk is missing.
fn dechunk(mut rest: &str) -> (String, bool) {
    let mut body = String::new();
    loop {
        let Some((size, after)) = rest.split_once("\r\n") else { return (body, false) };
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else { return (body, false) };
        if size == 0 {
            return (body, true);
        }
        if after.len() < size {
            body.push_str(after);
            return (body, false);
        }
        body.push_str(&after[..size]);
        rest = after[size..].trim_start_matches("\r\n");
    }
}

fn form(fields: &[(&str, &str)]) -> String {
    let encode = |v: &str| {
        v.bytes()
            .map(|b| match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    char::from(b).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    let pairs: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect();
    pairs.join("&")
}

async fn token_request(base: &str, fields: &[(&str, &str)]) -> Reply {
    let content_type = [("Content-Type", "application/x-www-form-urlencoded")];
    request(&format!("{base}/oauth2/v0/token"), "POST", &content_type, &form(fields)).await
}

async fn password_grant(base: &str, username: &str, password: &str) -> Reply {
    let fields = [
        ("client_id", "spendmap-demo-client"),
        ("client_secret", "sim-client-secret-0000"),
        ("grant_type", "password"),
        ("username", username),
        ("password", password),
    ];
    token_request(base, &fields).await
}

async fn access_token(sim: &Simulator, username: &str, password: &str) -> String {
    let reply = password_grant(&sim.base_url(), username, password).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["access_token"].as_str().expect("access token").to_owned()
}

async fn admin_token(sim: &Simulator) -> String {
    access_token(sim, "wsadmin@example.test", "sim-password-1").await
}

async fn get_json(url: &str, token: &str) -> Reply {
    let auth = format!("Bearer {token}");
    request(url, "GET", &[("Authorization", &auth), ("Accept", "application/json")], "").await
}

async fn fixture_sim() -> Simulator {
    Simulator::start(SimConfig::default(), Tenant::fixture()).await.expect("simulator starts")
}

/// Follows `NextPage` from `url` and returns every item.
async fn all_items(url: String, token: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut next = Some(url);
    while let Some(url) = next {
        let reply = get_json(&url, token).await;
        assert_eq!(reply.status, 200, "{url}: {}", reply.body);
        let page = reply.json();
        items.extend(page["Items"].as_array().expect("Items").iter().cloned());
        next = page["NextPage"].as_str().map(str::to_owned);
    }
    items
}

#[tokio::test]
async fn password_grant_looks_like_concur() {
    let sim = fixture_sim().await;
    let reply = password_grant(&sim.base_url(), "wsadmin@example.test", "sim-password-1").await;
    let body = reply.json();

    assert_eq!(reply.status, 200);
    assert!(reply.header("concur-correlationid").is_some());
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], "3600");
    assert_eq!(body["geolocation"], format!("{}/", sim.base_url()));
    assert!(body["refresh_expires_in"].as_u64().expect("epoch seconds") > 1_700_000_000);
    assert!(body["id_token"].as_str().expect("id token").split('.').count() == 3);

    let issued = sim.issued_tokens();
    assert!(issued.iter().any(|t| body["access_token"] == t.as_str()));
    assert!(issued.iter().any(|t| body["refresh_token"] == t.as_str()));
    assert_eq!(sim.stats().password_grants, 1);
}

#[tokio::test]
async fn token_errors_carry_concur_codes() {
    let sim = fixture_sim().await;
    let base = sim.base_url();
    let code = |reply: &Reply| reply.json()["code"].as_u64().expect("code");

    let bad_password = password_grant(&base, "wsadmin@example.test", "nope").await;
    assert_eq!((bad_password.status, code(&bad_password)), (400, 5));
    assert!(bad_password.header("concur-correlationid").is_some());
    assert_eq!(code(&password_grant(&base, "locked@example.test", "x").await), 14);
    assert_eq!(code(&password_grant(&base, "sso@example.test", "x").await), 21);
    assert_eq!(code(&password_grant(&base, "wsadmin@example.test", "").await), 52);

    let wrong_secret =
        [("client_id", "spendmap-demo-client"), ("client_secret", "x"), ("grant_type", "password")];
    let reply = token_request(&base, &wrong_secret).await;
    assert_eq!((reply.status, code(&reply)), (401, 64));
    let unknown_client = [("client_id", "someone-else"), ("client_secret", "x")];
    assert_eq!(code(&token_request(&base, &unknown_client).await), 61);

    let elsewhere =
        password_grant(&sim.wrong_dc_url(), "wsadmin@example.test", "sim-password-1").await;
    let body = elsewhere.json();
    assert_eq!((elsewhere.status, code(&elsewhere)), (400, 16));
    assert_eq!(body["error_description"], "user lives elsewhere");
    assert_eq!(body["geolocation"], base.as_str());
}

#[tokio::test]
async fn refresh_tokens_rotate() {
    let sim = fixture_sim().await;
    let base = sim.base_url();
    let first = password_grant(&base, "wsadmin@example.test", "sim-password-1").await.json();
    let refresh = |token: String| {
        let base = base.clone();
        async move {
            let fields = [
                ("client_id", "spendmap-demo-client"),
                ("client_secret", "sim-client-secret-0000"),
                ("grant_type", "refresh_token"),
                ("refresh_token", token.as_str()),
            ];
            token_request(&base, &fields).await
        }
    };
    let old = first["refresh_token"].as_str().expect("refresh token").to_owned();

    let second = refresh(old.clone()).await;
    assert_eq!(second.status, 200);
    let newer = second.json()["refresh_token"].as_str().expect("rotated").to_owned();
    assert_ne!(newer, old);

    let replay = refresh(old).await;
    assert_eq!(replay.json()["code"], 108);
    assert_eq!(refresh(newer).await.status, 200);
}

#[tokio::test]
async fn reports_page_with_dollar_offsets_and_eight_decimals() {
    let sim = fixture_sim().await;
    let token = admin_token(&sim).await;
    let first_url = format!("{}/api/v3.0/expense/reports?user=ALL&limit=5", sim.base_url());

    let first = get_json(&first_url, &token).await;
    assert!(first.body.contains("\"Total\":"), "{}", first.body);
    let total =
        first.body.split("\"Total\":").nth(1).and_then(|t| t.split(',').next()).expect("Total");
    assert_eq!(total.split('.').nth(1).map(str::len), Some(8), "{total}");
    let next = first.json()["NextPage"].as_str().expect("more pages").to_owned();
    assert!(next.starts_with(&sim.base_url()) && next.contains("user=ALL&limit=5&offset=gWq"));
    assert!(next.contains('$'));

    let reports = all_items(first_url, &token).await;
    let ids: Vec<_> = reports.iter().map(|r| r["ID"].as_str().expect("ID").to_owned()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(reports.len(), 12);
    assert_eq!(ids, sorted);
    assert_eq!(sim.stats().report_pages, 4);
}

#[tokio::test]
async fn roles_decide_whose_reports_are_visible() {
    let sim = fixture_sim().await;
    let plain = access_token(&sim, "plainuser@example.test", "sim-password-2").await;
    let reports = format!("{}/api/v3.0/expense/reports", sim.base_url());

    let all = get_json(&format!("{reports}?user=ALL"), &plain).await;
    assert_eq!(all.status, 403);
    assert_eq!(all.json()["Message"], "User does not have the Web Services Administrator role");

    let own = get_json(&reports, &plain).await.json();
    let owners: Vec<_> =
        own["Items"].as_array().expect("Items").iter().map(|r| r["OwnerLoginID"].clone()).collect();
    assert_eq!(owners, ["plainuser@example.test"]);
}

#[tokio::test]
async fn entries_have_the_empty_first_page_and_hollow_entries() {
    let sim = fixture_sim().await;
    let token = admin_token(&sim).await;
    let base = sim.base_url();
    let mut ids: Vec<String> =
        sim.with_tenant(|t| t.reports.iter().map(|r| r.id.clone()).collect());
    ids.sort();

    let first_url = format!("{base}/api/v3.0/expense/entries?reportID={}&user=ALL", ids[0]);
    let first = get_json(&first_url, &token).await.json();
    assert_eq!(first["Items"].as_array().map(Vec::len), Some(0));
    assert!(first["NextPage"].is_string(), "an empty page that is not the end");

    let mut entries = Vec::new();
    for id in &ids {
        let url = format!("{base}/api/v3.0/expense/entries?reportID={id}&user=ALL&limit=2");
        entries.extend(all_items(url, &token).await);
    }
    assert_eq!(entries.len(), 44);
    let hollow: Vec<_> = entries.iter().filter(|e| e["VendorDescription"].is_null()).collect();
    assert_eq!(hollow.len(), 1);
    assert!(hollow[0]["ID"].is_string() && hollow[0]["ExpenseTypeCode"].is_null());
}

#[tokio::test]
async fn xml_unless_json_is_asked_for() {
    let sim = fixture_sim().await;
    let token = admin_token(&sim).await;
    let url = format!("{}/api/v3.0/expense/reports?user=ALL&limit=1", sim.base_url());
    let auth = format!("Bearer {token}");

    let reply = request(&url, "GET", &[("Authorization", &auth)], "").await;
    assert_eq!(reply.header("content-type"), Some("application/xml"));
    assert!(reply.body.contains("<Reports><Items><Report><ID>"), "{}", reply.body);
}

#[tokio::test]
async fn bad_queries_and_tokens_are_refused() {
    let sim = fixture_sim().await;
    let token = admin_token(&sim).await;
    let reports = format!("{}/api/v3.0/expense/reports?user=ALL", sim.base_url());

    assert_eq!(get_json(&format!("{reports}&limit=ten"), &token).await.status, 400);
    assert_eq!(get_json(&format!("{reports}&offset=gWq0$0"), &token).await.status, 400);
    assert_eq!(get_json(&reports, "not-a-token").await.status, 401);
    assert_eq!(
        get_json(&format!("{}/api/v3.0/expense/reports", sim.wrong_dc_url()), &token).await.status,
        401
    );

    let recent =
        get_json(&format!("{reports}&modifiedDateAfter=2026-11-18T07:30:00.04"), &token).await;
    let names: Vec<_> = recent.json()["Items"]
        .as_array()
        .expect("Items")
        .iter()
        .map(|r| r["Name"].clone())
        .collect();
    assert_eq!(names.len(), 2, "strictly after: {names:?}");
    assert_eq!(sim.stats().unauthorized, 2);
}

#[tokio::test]
async fn faults_follow_the_shared_counter() {
    let sim = fixture_sim().await;
    let token = admin_token(&sim).await;
    let url = format!("{}/api/v3.0/expense/reports?user=ALL", sim.base_url());

    sim.set_faults(Faults {
        rate_limit_every: 2,
        retry_after: Some(0),
        unavailable_every: 3,
        ..Faults::default()
    });
    let statuses =
        [get_json(&url, &token).await, get_json(&url, &token).await, get_json(&url, &token).await];
    assert_eq!(statuses.iter().map(|r| r.status).collect::<Vec<_>>(), [200, 429, 503]);
    assert_eq!(statuses[1].header("retry-after"), Some("0"));
    assert_eq!(statuses[2].header("content-type"), Some("text/html"));

    sim.set_faults(Faults { drop_every: 4, ..Faults::default() });
    let dropped = get_json(&url, &token).await;
    assert_eq!(dropped.status, 200);
    assert!(!dropped.complete && !dropped.body.is_empty(), "part of the body, then nothing");

    sim.set_faults(Faults { token_expires_after_calls: 2, ..Faults::default() });
    let fresh = admin_token(&sim).await;
    assert_eq!(get_json(&url, &fresh).await.status, 200);
    assert_eq!(get_json(&url, &fresh).await.status, 200);
    assert_eq!(get_json(&url, &fresh).await.status, 401);

    let stats = sim.stats();
    assert_eq!((stats.api_requests, stats.faults_injected, stats.unauthorized), (7, 3, 1));
}

#[tokio::test]
async fn edits_while_running_show_up_in_incremental_syncs() {
    let sim = fixture_sim().await;
    let token = admin_token(&sim).await;
    let (entry_id, when) = sim.with_tenant(|t| {
        t.rebase_to("2027-03-10".parse().expect("date"));
        (t.reports[0].entries[0].id.clone(), "2027-03-10T06:00:00".parse().expect("time"))
    });
    let url = format!(
        "{}/api/v3.0/expense/reports?user=ALL&modifiedDateAfter=2027-03-09T12:00:00",
        sim.base_url()
    );
    let before = all_items(url.clone(), &token).await.len();

    assert!(sim.with_tenant(|t| t.edit_entry_amount(
        &entry_id,
        "1.5".parse().expect("amount"),
        when
    )));
    assert_eq!(all_items(url, &token).await.len(), before + 1);
    sim.shutdown().await;
}
