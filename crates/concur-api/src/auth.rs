//! OAuth2 with Concur's token endpoint: the password grant once at connect,
//! refresh grants afterwards, and the geolocation dance in between.

use crate::error::{ConcurError, ErrorKind, token_advice};
use crate::{BaseUri, http};
use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::time::{Duration, Instant};

/// The app's credentials: what the app registration gave.
#[derive(Clone, Debug)]
pub struct Credentials {
    /// The Client ID (not secret, but not shown needlessly either).
    pub client_id: String,
    /// The Client Secret.
    pub client_secret: SecretString,
}

/// A token response, kept.
#[derive(Clone, Debug)]
pub struct Tokens {
    /// The bearer token for API calls.
    pub access_token: SecretString,
    /// The token to get the next access token with; it may rotate.
    pub refresh_token: SecretString,
    /// When the access token stops working.
    pub access_expires_at: Instant,
    /// When the refresh token stops working, if Concur said.
    pub refresh_expires_at: Option<DateTime<Utc>>,
    /// Where the user lives: the base for every later call.
    pub geolocation: BaseUri,
}

/// What survives a process: enough to get new access tokens later.
#[derive(Clone, Debug)]
pub struct SavedTokens {
    /// The newest refresh token.
    pub refresh_token: SecretString,
    /// The newest geolocation.
    pub geolocation: BaseUri,
    /// When the refresh token expires, if known.
    pub refresh_expires_at: Option<DateTime<Utc>>,
}

impl Tokens {
    /// The part worth persisting.
    pub fn saved(&self) -> SavedTokens {
        SavedTokens {
            refresh_token: self.refresh_token.clone(),
            geolocation: self.geolocation.clone(),
            refresh_expires_at: self.refresh_expires_at,
        }
    }
}

/// The token endpoint's answer. Unknown fields are ignored: Concur adds
/// them (`id_token`, `scope`...) and real responses carry extras.
#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(deserialize_with = "number_or_string")]
    expires_in: u64,
    /// An absolute Unix time, not a duration.
    #[serde(default, deserialize_with = "optional_number_or_string")]
    refresh_expires_in: Option<u64>,
    #[serde(default)]
    geolocation: Option<String>,
}

/// The token endpoint's refusal.
#[derive(Deserialize, Default)]
struct TokenRefusal {
    #[serde(default, deserialize_with = "optional_number_or_string")]
    code: Option<u64>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
    #[serde(default)]
    geolocation: Option<String>,
}

/// One grant's form fields, secrets included; never logged.
pub(crate) enum Grant<'a> {
    Password { username: &'a str, password: &'a SecretString },
    Refresh { refresh_token: &'a SecretString },
}

impl Grant<'_> {
    fn name(&self) -> &'static str {
        match self {
            Grant::Password { .. } => "password",
            Grant::Refresh { .. } => "refresh_token",
        }
    }
}

/// Ask for tokens at `base`. A refusal with code 16 ("the user lives
/// elsewhere") is retried once at the geolocation it names.
pub(crate) async fn request_tokens(
    http: &http::Http,
    base: &BaseUri,
    credentials: &Credentials,
    grant: &Grant<'_>,
) -> Result<Tokens, ConcurError> {
    match request_once(http, base, credentials, grant).await {
        Err(Refused::ElsewhereAt(home)) => {
            tracing::info!(from = %base, to = %home, "Concur says the user lives in another data centre");
            match request_once(http, &home, credentials, grant).await {
                Ok(tokens) => Ok(tokens),
                Err(Refused::ElsewhereAt(_)) => Err(ConcurError::new(ErrorKind::Token {
                    code: 16,
                    advice: "Concur sent spendmap from one data centre to another and back",
                    description: format!("user lives elsewhere (tried {base} and {home})"),
                })),
                Err(Refused::Error(err)) => Err(err),
            }
        }
        Err(Refused::Error(err)) => Err(err),
        Ok(tokens) => Ok(tokens),
    }
}

enum Refused {
    ElsewhereAt(BaseUri),
    Error(ConcurError),
}

impl From<ConcurError> for Refused {
    fn from(err: ConcurError) -> Self {
        Refused::Error(err)
    }
}

async fn request_once(
    http: &http::Http,
    base: &BaseUri,
    credentials: &Credentials,
    grant: &Grant<'_>,
) -> Result<Tokens, Refused> {
    let mut form: Vec<(&str, &str)> = vec![
        ("client_id", &credentials.client_id),
        ("client_secret", credentials.client_secret.expose_secret()),
        ("grant_type", grant.name()),
    ];
    match grant {
        Grant::Password { username, password } => {
            form.extend([("username", *username), ("password", password.expose_secret())]);
            form.push(("credtype", "password"));
        }
        Grant::Refresh { refresh_token } => {
            form.push(("refresh_token", refresh_token.expose_secret()));
        }
    }

    let sent_at = Instant::now();
    let answer = http.post_form(base.join("/oauth2/v0/token"), &form).await?;
    if answer.status == 200 {
        return Ok(tokens_from(&answer, base, sent_at)?);
    }
    Err(refusal(&answer))
}

fn tokens_from(
    answer: &http::Answer,
    base: &BaseUri,
    sent_at: Instant,
) -> Result<Tokens, ConcurError> {
    let response: TokenResponse = answer.json("the token response")?;
    let geolocation = match &response.geolocation {
        Some(geolocation) if !geolocation.trim().is_empty() => {
            BaseUri::parse(geolocation).map_err(|err| answer.error(ErrorKind::BaseUri(err)))?
        }
        _ => base.clone(),
    };
    let Some(refresh_token) = response.refresh_token else {
        return Err(answer.error(ErrorKind::Api {
            message: "the token response has no refresh token (is this a password-grant app?)"
                .to_owned(),
        }));
    };

    Ok(Tokens {
        access_token: SecretString::from(response.access_token),
        refresh_token: SecretString::from(refresh_token),
        access_expires_at: sent_at + Duration::from_secs(response.expires_in),
        refresh_expires_at: response
            .refresh_expires_in
            .and_then(|epoch| DateTime::from_timestamp(i64::try_from(epoch).ok()?, 0)),
        geolocation,
    })
}

fn refusal(answer: &http::Answer) -> Refused {
    let body: TokenRefusal = answer.json("the token error").unwrap_or_default();
    let code = body.code.and_then(|code| u32::try_from(code).ok()).unwrap_or(0);

    if code == 16
        && let Some(home) = body.geolocation.as_deref().and_then(|g| BaseUri::parse(g).ok())
    {
        return Refused::ElsewhereAt(home);
    }

    let description =
        body.error_description.or(body.error).unwrap_or_else(|| answer.reason().to_owned());
    let advice = match (code, answer.status) {
        (0, 401) => "the client id or secret is wrong",
        (0, _) => "see Concur's description",
        (code, _) => token_advice(code),
    };
    Refused::Error(answer.error(ErrorKind::Token { code, advice, description }))
}

fn number_or_string<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    optional_number_or_string(deserializer)?
        .ok_or_else(|| serde::de::Error::custom("expected a number of seconds"))
}

/// `3600` or `"3600"`: Concur's documentation shows one, its servers the
/// other.
fn optional_number_or_string<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Seconds {
        Number(u64),
        Float(f64),
        Text(String),
    }

    match Option::<Seconds>::deserialize(deserializer)? {
        None => Ok(None),
        Some(Seconds::Number(n)) => Ok(Some(n)),
        Some(Seconds::Float(f)) if f >= 0.0 => Ok(Some(f as u64)),
        Some(Seconds::Float(_)) => Err(serde::de::Error::custom("expected a positive number")),
        Some(Seconds::Text(text)) => text
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom(format!("expected a number, found `{text}`"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expires_in_is_read_as_number_or_string_and_extras_are_ignored() {
        let text = r#"{"access_token":"a","refresh_token":"r","expires_in":"3600",
            "refresh_expires_in":1798761600,"geolocation":"https://us.api.Concursolutions.com/",
            "id_token":"x.y.z","something_new":{"a":1}}"#;
        let parsed: TokenResponse = serde_json::from_str(text).expect("parses");
        assert_eq!(parsed.expires_in, 3600);
        assert_eq!(parsed.refresh_expires_in, Some(1_798_761_600));

        let numeric: TokenResponse =
            serde_json::from_str(r#"{"access_token":"a","expires_in":1800}"#).expect("parses");
        assert_eq!(numeric.expires_in, 1800);
        assert!(numeric.refresh_token.is_none());
    }

    #[test]
    fn a_nonsense_lifetime_is_an_error() {
        let parsed =
            serde_json::from_str::<TokenResponse>(r#"{"access_token":"a","expires_in":"soon"}"#);
        assert!(parsed.is_err());
    }

    #[test]
    fn refusal_codes_may_be_strings() {
        let body: TokenRefusal =
            serde_json::from_str(r#"{"code":"14","error":"invalid_grant"}"#).expect("parses");
        assert_eq!(body.code, Some(14));
    }
}
