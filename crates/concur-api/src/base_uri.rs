//! The base URI of a Concur data centre: parsed, normalised and named.

use reqwest::Url;
use std::fmt;

/// Domains Concur serves its APIs from. Hosts outside them are allowed
/// (a proxy, a new data centre) but warned about.
const CONCUR_DOMAINS: [&str; 2] = [".concursolutions.com", ".concurcdc.cn"];

/// A normalised base URI: scheme and lower-case host (and port), no path,
/// no trailing slash. `https` unless the host is loopback.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct BaseUri {
    url: Url,
}

/// Why a base URI was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BaseUriError {
    /// Not a URL at all.
    #[error("`{0}` is not a URL (expected something like `https://us2.api.concursolutions.com`)")]
    NotAUrl(String),
    /// Plain `http` to a host that is not loopback.
    #[error("`{0}` must use https (plain http is only allowed for loopback hosts)")]
    NotHttps(String),
    /// A scheme other than `https` (or `http` on loopback).
    #[error("`{0}` must start with https:// (such as `https://us2.api.concursolutions.com`)")]
    WrongScheme(String),
    /// A path, query or credentials after the host.
    #[error("`{0}` has more than a scheme and host; give the data centre's base URI only")]
    NotABase(String),
}

impl BaseUri {
    /// Parse and normalise what a user or a token response gave.
    pub fn parse(text: &str) -> Result<BaseUri, BaseUriError> {
        let trimmed = text.trim().trim_end_matches('/');
        let url = Url::parse(trimmed).map_err(|_| BaseUriError::NotAUrl(text.to_owned()))?;
        let Some(host) = url.host_str() else {
            return Err(BaseUriError::NotAUrl(text.to_owned()));
        };

        if url.path() != "/" || url.query().is_some() || !url.username().is_empty() {
            return Err(BaseUriError::NotABase(text.to_owned()));
        }
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(host) => {}
            "http" => return Err(BaseUriError::NotHttps(text.to_owned())),
            _ => return Err(BaseUriError::WrongScheme(text.to_owned())),
        }

        // `Url` lower-cases the host already; the token response's
        // `https://us.api.Concursolutions.com` compares equal after parsing.
        Ok(BaseUri { url })
    }

    /// The host, lower-case.
    pub fn host(&self) -> &str {
        self.url.host_str().unwrap_or_default()
    }

    /// Whether the host is one of Concur's own.
    pub fn is_concur_host(&self) -> bool {
        is_concur_host(self.host())
    }

    /// Whether the host is this machine (the simulator, a test).
    pub fn is_loopback(&self) -> bool {
        is_loopback(self.host())
    }

    /// The URL of a path on this base (`/oauth2/v0/token`).
    pub fn join(&self, path: &str) -> Url {
        let mut url = self.url.clone();
        url.set_path(path);
        url
    }

    /// The data centre a person would name: `US2`, `EU2 (EMEA)`, ...
    pub fn data_centre(&self) -> String {
        let host = self.host();
        if self.is_loopback() {
            return "local simulator".to_owned();
        }
        let label = host.strip_prefix("www-").unwrap_or(host);
        let label = label.split('.').next().unwrap_or(label);
        let name = match label {
            "us2" => "US2 (North America)",
            "eu2" => "EU2 (EMEA)",
            "apj1" => "APJ1 (Asia Pacific)",
            "usg" => "CCPS (US public sector)",
            "glz" => "GLZ (global landing zone)",
            "us" => "US (legacy North America host)",
            "emea" | "eu" => "EMEA (legacy host)",
            "cn" => "China",
            "us-impl" => "US implementation",
            "emea-impl" => "EMEA implementation",
            _ => return host.to_owned(),
        };
        name.to_owned()
    }
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare == "localhost"
        || bare.parse::<std::net::IpAddr>().is_ok_and(|address| address.is_loopback())
}

/// Whether a host belongs to Concur.
pub(crate) fn is_concur_host(host: &str) -> bool {
    CONCUR_DOMAINS.iter().any(|domain| host.ends_with(domain))
}

impl fmt::Display for BaseUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.url.as_str().trim_end_matches('/'))
    }
}

impl fmt::Debug for BaseUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BaseUri({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalised(text: &str) -> String {
        BaseUri::parse(text).map(|base| base.to_string()).unwrap_or_else(|err| err.to_string())
    }

    #[test]
    fn case_and_trailing_slashes_are_normalised() {
        assert_eq!(
            normalised("https://us.api.Concursolutions.com/"),
            "https://us.api.concursolutions.com"
        );
        assert_eq!(
            normalised(" HTTPS://EU2.API.CONCURSOLUTIONS.COM// "),
            "https://eu2.api.concursolutions.com"
        );
    }

    #[test]
    fn http_is_refused_except_on_loopback() {
        assert!(matches!(
            BaseUri::parse("http://us2.api.concursolutions.com"),
            Err(BaseUriError::NotHttps(_))
        ));
        assert_eq!(normalised("http://127.0.0.1:8080/"), "http://127.0.0.1:8080");
        assert_eq!(normalised("http://localhost:9"), "http://localhost:9");
        assert_eq!(normalised("http://[::1]:9"), "http://[::1]:9");
    }

    #[test]
    fn paths_queries_and_garbage_are_refused() {
        assert!(matches!(
            BaseUri::parse("https://us2.api.concursolutions.com/oauth2/v0/token"),
            Err(BaseUriError::NotABase(_))
        ));
        assert!(BaseUri::parse("us2.api.concursolutions.com").is_err());
        assert!(BaseUri::parse("ftp://x.concursolutions.com").is_err());
    }

    #[test]
    fn data_centres_are_named_and_foreign_hosts_noticed() {
        let name = |text: &str| BaseUri::parse(text).map(|base| base.data_centre()).ok();
        assert_eq!(
            name("https://www-us2.api.concursolutions.com").as_deref(),
            Some("US2 (North America)")
        );
        assert_eq!(
            name("https://eu.api.concursolutions.com").as_deref(),
            Some("EMEA (legacy host)")
        );
        assert_eq!(
            name("https://usg.api.concursolutions.com").as_deref(),
            Some("CCPS (US public sector)")
        );

        let foreign = BaseUri::parse("https://concur.example.com").ok();
        assert_eq!(foreign.map(|base| base.is_concur_host()), Some(false));
        let china = BaseUri::parse("https://cn.api.concurcdc.cn").ok();
        assert_eq!(china.map(|base| base.is_concur_host()), Some(true));
    }
}
