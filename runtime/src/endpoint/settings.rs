//! Checks of the client settings that feed the endpoint rules, so that a bad value is refused
//! before any I/O with an error saying which value and why, rather than the rules' generic
//! answer (`Invalid region`) or a request sent somewhere else (a port the URL parser ignored).

use crate::error::BuildError;

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
}
