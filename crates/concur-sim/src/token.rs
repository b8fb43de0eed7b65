//! `POST /oauth2/v0/token`: the password and refresh-token grants, Concur's
//! numbered error codes, rotating refresh tokens and the wrong-data-centre
//! answer.

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Json;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::config::{SimConfig, SimUser, UserState};
use crate::server::{Site, lock};

/// Refresh tokens are said to live at least six months.
const REFRESH_LIFETIME: Duration = Duration::from_secs(180 * 24 * 60 * 60);

/// Legacy upper-case scopes mixed with dotted ones, as real tokens carry.
const SCOPE: &str =
    "EXPRPT user_read CCARD EXTRCT INVPMT INVVEN COMPANY expense.report.read user.read";

/// Why the token endpoint refused; each maps to a Concur code.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TokenError {
    #[error("the request body is not a form")]
    UnsupportedFormat,
    #[error("client_id is missing")]
    MissingClientId,
    #[error("client not found")]
    UnknownClient,
    #[error("client_secret is missing")]
    MissingSecret,
    #[error("client_secret is wrong")]
    WrongSecret,
    #[error("grant_type is missing")]
    MissingGrantType,
    #[error("grant type not allowed for this client")]
    UnsupportedGrant,
    #[error("username is missing")]
    MissingUsername,
    #[error("password is missing")]
    MissingPassword,
    #[error("credtype is not supported")]
    UnsupportedCredtype,
    #[error("incorrect credentials")]
    BadCredentials,
    #[error("account is locked")]
    Locked,
    #[error("company requires single sign-on")]
    SsoOnly,
    #[error("user lives elsewhere")]
    LivesElsewhere,
    #[error("refresh_token is missing")]
    MissingRefreshToken,
    #[error("refresh token is invalid or expired")]
    BadRefreshToken,
}

impl TokenError {
    /// HTTP status, Concur code and OAuth error name.
    fn wire(&self) -> (StatusCode, u32, &'static str) {
        use TokenError::*;
        let bad = StatusCode::BAD_REQUEST;
        match self {
            UnsupportedFormat => (bad, 135, "invalid_request"),
            MissingClientId => (bad, 62, "invalid_request"),
            UnknownClient => (bad, 61, "invalid_client"),
            MissingSecret => (bad, 63, "invalid_request"),
            WrongSecret => (StatusCode::UNAUTHORIZED, 64, "invalid_client"),
            MissingGrantType => (bad, 65, "invalid_request"),
            UnsupportedGrant => (bad, 60, "unauthorized_client"),
            MissingUsername => (bad, 51, "invalid_request"),
            MissingPassword => (bad, 52, "invalid_request"),
            UnsupportedCredtype => (bad, 120, "invalid_request"),
            BadCredentials => (bad, 5, "invalid_grant"),
            Locked => (bad, 14, "invalid_grant"),
            SsoOnly => (bad, 21, "invalid_grant"),
            LivesElsewhere => (bad, 16, "invalid_request"),
            MissingRefreshToken => (bad, 106, "invalid_request"),
            BadRefreshToken => (bad, 108, "invalid_grant"),
        }
    }

    /// Concur's 4xx body; `geolocation` always names the home data centre.
    fn into_response_for(self, home_url: &str) -> Response {
        let (status, code, error) = self.wire();
        let body = json!({
            "code": code,
            "error": error,
            "error_description": self.to_string(),
            "geolocation": home_url,
        });
        (status, Json(body)).into_response()
    }
}

/// Issued tokens and who they belong to.
#[derive(Default)]
pub(crate) struct Sessions {
    access: HashMap<String, AccessGrant>,
    /// Only the newest refresh token of each chain is here.
    refresh: HashMap<String, String>,
    issued: Vec<String>,
}

struct AccessGrant {
    login: String,
    issued_at: Instant,
    calls: u32,
}

/// Why an access token was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum AccessRefused {
    Unknown,
    Expired,
}

impl Sessions {
    pub(crate) fn issued(&self) -> &[String] {
        &self.issued
    }

    fn record(&mut self, login: &str, access: String, refresh: String) {
        let grant = AccessGrant { login: login.to_owned(), issued_at: Instant::now(), calls: 0 };
        self.access.insert(access.clone(), grant);
        self.refresh.insert(refresh.clone(), login.to_owned());
        self.issued.push(access);
        self.issued.push(refresh);
    }

    /// Whose refresh token this is, if it is still the current one.
    fn refresh_owner(&self, token: &str) -> Option<&str> {
        self.refresh.get(token).map(String::as_str)
    }

    /// Retires a refresh token: rotation means it works exactly once.
    fn retire_refresh(&mut self, token: &str) {
        self.refresh.remove(token);
    }

    /// Counts one API call on `token` and names its owner, unless the token
    /// is unknown, older than `ttl`, or already used `max_calls` times.
    pub(crate) fn use_access(
        &mut self,
        token: &str,
        ttl: Duration,
        max_calls: u32,
    ) -> Result<String, AccessRefused> {
        let grant = self.access.get_mut(token).ok_or(AccessRefused::Unknown)?;
        let worn_out = max_calls != 0 && grant.calls >= max_calls;
        if grant.issued_at.elapsed() >= ttl || worn_out {
            return Err(AccessRefused::Expired);
        }
        grant.calls += 1;
        Ok(grant.login.clone())
    }
}

/// The token endpoint handler.
pub(crate) async fn token(
    State(site): State<Site>,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let outcome = match form {
        Ok(Form(fields)) => {
            count_request(&site, fields.get("grant_type").map(String::as_str));
            grant(&site, &fields)
        }
        Err(_) => {
            count_request(&site, None);
            Err(TokenError::UnsupportedFormat)
        }
    };
    match outcome {
        Ok(body) => (StatusCode::OK, Json(body)).into_response(),
        Err(error) => error.into_response_for(&site.shared.home_url),
    }
}

fn count_request(site: &Site, grant_type: Option<&str>) {
    site.shared.bump(|stats| {
        stats.token_requests += 1;
        match grant_type {
            Some("password") => stats.password_grants += 1,
            Some("refresh_token") => stats.refresh_grants += 1,
            _ => {}
        }
    });
}

fn grant(site: &Site, fields: &HashMap<String, String>) -> Result<serde_json::Value, TokenError> {
    let field = |name: &str| fields.get(name).map(String::as_str).filter(|v| !v.is_empty());
    let config = lock(&site.shared.config).clone();

    check_client(&config, field("client_id"), field("client_secret"))?;

    let login = match field("grant_type") {
        None => return Err(TokenError::MissingGrantType),
        Some("password") => password_grant(site, &config, fields)?,
        Some("refresh_token") => refresh_grant(site, &config, field("refresh_token"))?,
        Some(_) => return Err(TokenError::UnsupportedGrant),
    };
    Ok(issue(site, &config, &login))
}

fn check_client(
    config: &SimConfig,
    client_id: Option<&str>,
    secret: Option<&str>,
) -> Result<(), TokenError> {
    let client_id = client_id.ok_or(TokenError::MissingClientId)?;
    if client_id != config.client_id {
        return Err(TokenError::UnknownClient);
    }
    let secret = secret.ok_or(TokenError::MissingSecret)?;
    if secret != config.client_secret {
        return Err(TokenError::WrongSecret);
    }
    Ok(())
}

/// Checks a password grant and returns the user's login.
fn password_grant(
    site: &Site,
    config: &SimConfig,
    fields: &HashMap<String, String>,
) -> Result<String, TokenError> {
    let field = |name: &str| fields.get(name).map(String::as_str).filter(|v| !v.is_empty());
    let username = field("username").ok_or(TokenError::MissingUsername)?;
    let password = field("password").ok_or(TokenError::MissingPassword)?;
    if !matches!(field("credtype"), None | Some("password")) {
        return Err(TokenError::UnsupportedCredtype);
    }

    let user = find_user(config, username).ok_or(TokenError::BadCredentials)?;
    // A known user on the other data centre is told where to go, before
    // anything about their password is revealed.
    if !site.is_home {
        return Err(TokenError::LivesElsewhere);
    }
    match user.state {
        UserState::Locked => Err(TokenError::Locked),
        UserState::SsoOnly => Err(TokenError::SsoOnly),
        UserState::Active if user.password == password => Ok(user.username.clone()),
        UserState::Active => Err(TokenError::BadCredentials),
    }
}

/// Checks and retires a refresh token and returns its owner's login. On the
/// wrong data centre a valid token is answered with code 16 and stays valid,
/// so a client that refreshes against the stored geolocation is unharmed.
fn refresh_grant(
    site: &Site,
    config: &SimConfig,
    token: Option<&str>,
) -> Result<String, TokenError> {
    let token = token.ok_or(TokenError::MissingRefreshToken)?;
    let mut sessions = lock(&site.shared.sessions);
    let login = sessions.refresh_owner(token).ok_or(TokenError::BadRefreshToken)?.to_owned();
    if !site.is_home {
        return Err(TokenError::LivesElsewhere);
    }
    if find_user(config, &login).is_none_or(|user| user.state != UserState::Active) {
        return Err(TokenError::BadRefreshToken);
    }
    sessions.retire_refresh(token);
    Ok(login)
}

pub(crate) fn find_user<'a>(config: &'a SimConfig, login: &str) -> Option<&'a SimUser> {
    config.users.iter().find(|u| u.username.eq_ignore_ascii_case(login))
}

/// Mints and records a new access and refresh token for `login`.
fn issue(site: &Site, config: &SimConfig, login: &str) -> serde_json::Value {
    let mint = &site.shared.mint;
    let access = mint.access_token();
    let refresh = mint.refresh_token();
    lock(&site.shared.sessions).record(login, access.clone(), refresh.clone());

    json!({
        "access_token": access,
        "token_type": "Bearer",
        // A string, as in Concur's own examples.
        "expires_in": config.access_token_ttl_secs.to_string(),
        "refresh_token": refresh,
        // An absolute Unix time, not a duration.
        "refresh_expires_in": unix_now() + REFRESH_LIFETIME.as_secs(),
        "scope": SCOPE,
        "geolocation": format!("{}/", site.shared.home_url),
        "id_token": mint.id_token(),
        "unexpected_future_field": { "x": 1 },
    })
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_tokens_wear_out_after_their_call_budget() {
        let mut sessions = Sessions::default();
        sessions.record("a@example.test", "tok".to_owned(), "ref".to_owned());
        let hour = Duration::from_secs(3600);

        assert_eq!(sessions.use_access("tok", hour, 2), Ok("a@example.test".to_owned()));
        assert!(sessions.use_access("tok", hour, 2).is_ok());
        assert_eq!(sessions.use_access("tok", hour, 2), Err(AccessRefused::Expired));
        assert_eq!(sessions.use_access("nope", hour, 2), Err(AccessRefused::Unknown));
        assert_eq!(sessions.use_access("tok", Duration::ZERO, 0), Err(AccessRefused::Expired));
    }

    #[test]
    fn every_error_has_its_documented_code() {
        assert_eq!(TokenError::LivesElsewhere.wire().1, 16);
        assert_eq!(TokenError::WrongSecret.wire().0, StatusCode::UNAUTHORIZED);
        assert_eq!(TokenError::BadRefreshToken.wire().1, 108);
        assert_eq!(TokenError::LivesElsewhere.to_string(), "user lives elsewhere");
    }
}
