//! What can go wrong talking to Concur, said so an admin can act on it.
//!
//! Every error from the network carries the HTTP status (when there was a
//! response) and Concur's `concur-correlationid`, which SAP support asks
//! for. No error ever carries a secret: request bodies are never kept, and
//! URLs hold only ids and paging tokens.

use crate::BaseUriError;
use std::fmt;

/// An error from the Concur client.
#[derive(Debug)]
pub struct ConcurError {
    kind: ErrorKind,
    status: Option<u16>,
    correlation_id: Option<String>,
    attempts: u32,
}

/// What went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The base URI (given, or returned as a geolocation) is unusable.
    #[error(transparent)]
    BaseUri(#[from] BaseUriError),
    /// The token endpoint refused; `advice` says what to do.
    #[error("Concur refused the sign-in: {advice} (Concur error code {code}: {description})")]
    Token {
        /// Concur's numbered code (0 when it sent none).
        code: u32,
        /// What the admin should do about it.
        advice: &'static str,
        /// Concur's own description.
        description: String,
    },
    /// `user=ALL` needs the Web Services Administrator role.
    #[error(
        "Concur refused to list every user's reports: the Concur user needs the Web Services \
         Administrator role (ask a Concur admin to grant it, then run `spendmap sync` again)"
    )]
    MissingRole,
    /// The access token was refused again right after a refresh.
    #[error("Concur refused the access token even after refreshing it: {message}")]
    Unauthorized {
        /// Concur's message.
        message: String,
    },
    /// Any other refusal from the API.
    #[error("Concur answered with an error: {message}")]
    Api {
        /// Concur's `Message`, or the reason phrase.
        message: String,
    },
    /// A body that is not JSON, though JSON was asked for.
    #[error("Concur answered `{content_type}` where JSON was asked for")]
    NotJson {
        /// The `Content-Type` it sent.
        content_type: String,
    },
    /// JSON that does not have the expected shape.
    #[error("could not read Concur's answer for {what}")]
    Decode {
        /// What was being read.
        what: &'static str,
        /// The parser's complaint.
        #[source]
        source: serde_json::Error,
    },
    /// The request never got a complete answer.
    #[error("{what}")]
    Transport {
        /// What failed, as a sentence: could not reach Concur, no answer
        /// in time, the answer cut off.
        what: &'static str,
        /// The HTTP library's error, without its URL.
        #[source]
        source: reqwest::Error,
    },
    /// A `NextPage` that points away from Concur, or back to a page seen.
    #[error("Concur's next-page link {problem}: `{url}`")]
    Paging {
        /// What is wrong with it.
        problem: &'static str,
        /// The link.
        url: String,
    },
    /// Saving the newest refresh token failed; going on would strand it.
    #[error("could not save the new refresh token")]
    SaveTokens(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ConcurError {
    pub(crate) fn new(kind: ErrorKind) -> ConcurError {
        ConcurError { kind, status: None, correlation_id: None, attempts: 1 }
    }

    pub(crate) fn with_response(mut self, status: u16, correlation_id: Option<String>) -> Self {
        self.status = Some(status);
        self.correlation_id = correlation_id;
        self
    }

    pub(crate) fn after_attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts;
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The HTTP status of Concur's answer, if there was one.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The `concur-correlationid` of Concur's answer, for SAP support.
    pub fn correlation_id(&self) -> Option<&str> {
        self.correlation_id.as_deref()
    }

    /// How many times the request was sent.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

impl fmt::Display for ConcurError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind)?;
        let mut notes = Vec::new();
        if let Some(status) = self.status {
            notes.push(format!("HTTP {status}"));
        }
        if let Some(id) = &self.correlation_id {
            notes.push(format!("correlation id {id}"));
        }
        if self.attempts > 1 {
            notes.push(format!("after {} attempts", self.attempts));
        }
        if !notes.is_empty() {
            write!(f, " [{}]", notes.join(", "))?;
        }
        Ok(())
    }
}

impl std::error::Error for ConcurError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.kind)
    }
}

impl From<ErrorKind> for ConcurError {
    fn from(kind: ErrorKind) -> Self {
        ConcurError::new(kind)
    }
}

impl From<BaseUriError> for ConcurError {
    fn from(err: BaseUriError) -> Self {
        ConcurError::new(ErrorKind::BaseUri(err))
    }
}

/// What an admin should do about one of the token endpoint's codes.
pub(crate) fn token_advice(code: u32) -> &'static str {
    match code {
        5 | 19 => "the username or password is wrong",
        10 | 11 | 123 => "the Concur account is disabled; ask a Concur admin to enable it",
        12 | 13 => "Concur denied this logon; check the user's permissions in Concur",
        14 => "the Concur account is locked; ask a Concur admin to unlock it",
        16 => "the user lives in another data centre",
        20 => {
            "Concur denied the logon, usually because of an IP address restriction for this company"
        }
        21 => {
            "the company signs in through SSO only; use a Concur user allowed to sign in with a password"
        }
        51 | 52 => "the username or password is missing",
        53 => {
            "the company is not enabled for this client id; ask SAP Concur to enable the app for your company"
        }
        54 => {
            "the app asked for scopes it was not granted; ask SAP Concur to grant the EXPRPT scope"
        }
        59 => "this client (app) is disabled in Concur",
        60 => "this client is not allowed the password grant; ask SAP Concur to allow it",
        61 | 62 => "the client id is unknown here (check it, and the base URI's data centre)",
        63 | 64 => "the client secret is wrong",
        106 | 108 => {
            "the stored refresh token has expired or was revoked; run `spendmap connect concur` again"
        }
        107 => "this app may not refresh tokens; ask SAP Concur to allow the refresh grant",
        139 => "the password must be changed in Concur to meet the password policy",
        _ => "see Concur's description",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_status_correlation_and_attempts() {
        let err = ConcurError::new(ErrorKind::Api { message: "Service Unavailable".into() })
            .with_response(503, Some("abc-123".into()))
            .after_attempts(4);
        assert_eq!(
            err.to_string(),
            "Concur answered with an error: Service Unavailable \
             [HTTP 503, correlation id abc-123, after 4 attempts]"
        );
    }

    #[test]
    fn codes_map_to_advice() {
        assert!(token_advice(5).contains("password is wrong"));
        assert!(token_advice(14).contains("locked"));
        assert!(token_advice(21).contains("SSO"));
        assert!(token_advice(64).contains("client secret"));
        assert!(token_advice(54).contains("scope"));
        assert!(token_advice(108).contains("connect concur"));
        assert!(token_advice(20).contains("IP address"));
        assert_eq!(token_advice(9999), "see Concur's description");
    }
}
