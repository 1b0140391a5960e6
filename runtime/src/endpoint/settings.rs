//! Checks of the client settings that feed the endpoint rules, so that a bad value is refused
//! before any I/O with an error saying which value and why, rather than the rules' generic
//! answer (`Invalid region`) or a request sent somewhere else (a port the URL parser ignored).

use super::functions::{parse_url, Url};
use crate::error::BuildError;

/// The endpoint URL setting (the `SDK::Endpoint` built-in), read once when the configuration is
/// built: a configuration cannot change afterwards, so every request reuses what is found here
/// rather than checking and parsing the URL again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointUrl {
    text: String,
    /// What [`parse_url`] finds in `text`, as positions: a struct cannot borrow from itself.
    parts: Option<UrlParts>,
    /// Whether [`check_endpoint_url`] accepts `text`.
    usable: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct UrlParts {
    scheme: &'static str,
    /// Where the path starts in `text` (its length when there is no path).
    path_start: usize,
    is_ip: bool,
}

impl EndpointUrl {
    /// Checks and parses `text`; a URL that fails either is kept, to fail where it is used.
    pub fn new(text: impl Into<String>) -> Self {
        let text = text.into();
        let parts = parse_url(&text).map(|url| UrlParts {
            scheme: url.scheme,
            path_start: text.len() - url.path.len(),
            is_ip: url.is_ip,
        });
        let usable = check_endpoint_url(&text).is_ok();
        Self {
            text,
            parts,
            usable,
        }
    }

    /// The URL as configured.
    #[inline]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The rules' `parseURL` of the URL: the same as [`parse_url`] of [`as_str`](Self::as_str).
    #[inline]
    pub fn url(&self) -> Option<Url<'_>> {
        let UrlParts {
            scheme,
            path_start,
            is_ip,
        } = self.parts?;
        let (before_path, path) = self.text.split_at_checked(path_start)?;
        Some(Url {
            scheme,
            authority: before_path.get(scheme.len() + "://".len()..)?,
            path,
            is_ip,
        })
    }

    /// [`check_endpoint_url`] of the URL; its error is built again only when it fails.
    #[inline]
    pub fn check(&self) -> Result<(), BuildError> {
        if self.usable {
            Ok(())
        } else {
            check_endpoint_url(&self.text)
        }
    }
}

impl From<String> for EndpointUrl {
    fn from(text: String) -> Self {
        Self::new(text)
    }
}

impl From<&str> for EndpointUrl {
    fn from(text: &str) -> Self {
        Self::new(text)
    }
}

/// A region is one DNS label: 1 to 63 letters, digits and hyphens, not starting or ending with
/// a hyphen (`us-east-1`).
pub fn check_region(region: &str) -> Result<(), BuildError> {
    let valid = (1..=63).contains(&region.len())
        && region
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !region.starts_with('-')
        && !region.ends_with('-');
    if valid {
        return Ok(());
    }
    Err(BuildError::invalid_value(
        "region",
        format!("{region:?} is not a region: a region is one DNS label such as `us-east-1`"),
    ))
}

/// An endpoint URL is `http` or `https`, a host, an optional port from 1 to 65535 and an optional
/// path: no user info, query or fragment, which the client would drop or misplace.
pub fn check_endpoint_url(url: &str) -> Result<(), BuildError> {
    let refuse = |why: &str| {
        Err(BuildError::invalid_value(
            "endpoint_url",
            format!("{url:?} is not a usable endpoint URL: {why}"),
        ))
    };
    let Some((scheme, rest)) = url.split_once("://") else {
        return refuse("it has no `http://` or `https://` scheme");
    };
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return refuse("the scheme must be `http` or `https`");
    }
    if url.contains('?') {
        return refuse("it has a query");
    }
    if url.contains('#') {
        return refuse("it has a fragment");
    }
    let authority = rest.split('/').next().unwrap_or_default();
    if authority.contains('@') {
        return refuse("it has user info; credentials go in the credentials provider");
    }
    if url.chars().any(|c| c.is_ascii_control() || c == ' ') {
        return refuse("it has spaces or control characters");
    }
    // The port follows the last colon, except inside an IPv6 literal (`[::1]:9000`).
    let (host, port) = match authority.rfind(':') {
        Some(colon) if !authority[colon..].contains(']') => {
            (&authority[..colon], Some(&authority[colon + 1..]))
        }
        _ => (authority, None),
    };
    if host.is_empty() || host == "[]" {
        return refuse("it has no host");
    }
    if let Some(port) = port {
        let valid = !port.is_empty()
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u32>().is_ok_and(|p| (1..=65535).contains(&p));
        if !valid {
            return refuse("the port must be a number from 1 to 65535");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions() {
        for good in ["us-east-1", "eu-west-2", "local", "a"] {
            assert!(check_region(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "-us",
            "us-",
            "us east",
            "us.east.1",
            "us/east",
            "us\u{1b}[31m",
        ] {
            let error = check_region(bad).unwrap_err();
            assert_eq!(error.member(), Some("region"));
            assert!(!error.to_string().contains('\u{1b}'), "{error}");
        }
        assert!(check_region(&"a".repeat(64)).is_err());
    }

    #[test]
    fn endpoint_urls() {
        for good in [
            "http://127.0.0.1:9000",
            "https://s3.example.com",
            "http://localhost:1/",
            "http://[::1]:65535/base/path",
            "HTTPS://S3.EXAMPLE.COM",
        ] {
            assert!(check_endpoint_url(good).is_ok(), "{good}");
        }
        for (bad, says) in [
            ("127.0.0.1:9000", "scheme"),
            ("ftp://host", "scheme"),
            ("http://host:99999", "port"),
            ("http://host:65536", "port"),
            ("http://host:0", "port"),
            ("http://host:", "port"),
            ("http://host:9x", "port"),
            ("http://host/?a=b", "query"),
            ("http://host/#top", "fragment"),
            ("http://user:pass@host", "user info"),
            ("http://", "no host"),
            ("http://ho st", "spaces"),
        ] {
            let error = check_endpoint_url(bad).unwrap_err();
            assert_eq!(error.member(), Some("endpoint_url"));
            assert!(error.to_string().contains(says), "{bad}: {error}");
        }
    }

    #[test]
    fn an_endpoint_url_is_checked_and_parsed_once_with_the_same_answers() {
        for text in [
            "http://127.0.0.1:9000",
            "https://s3.example.com/base/path/",
            "http://[::1]:65535/base",
            "HTTPS://S3.EXAMPLE.COM",
            "http://host:99999",
            "ftp://host",
            "https://example.com?x=1",
            "http://",
            "http://ho st",
        ] {
            let url = EndpointUrl::new(text);
            assert_eq!(url.as_str(), text);
            assert_eq!(url.url(), parse_url(text), "{text}");
            assert_eq!(url.check(), check_endpoint_url(text), "{text}");
        }
    }
}
