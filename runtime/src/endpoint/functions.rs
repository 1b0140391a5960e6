//! The rules-engine standard library and the AWS extension functions, on borrowed strings.
//!
//! `booleanEquals`, `stringEquals`, `not`, `isSet`, `coalesce`, `ite` and `getAttr` are plain
//! Rust expressions in the generated code; the functions here are the ones with real work.

use std::borrow::Cow;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// `substring(input, start, stop, reverse)`: bytes `start..stop` of an ASCII `input`, counted
/// from the end when `reverse` is set. `None` if the input is not ASCII or too short, or if
/// `start >= stop`.
pub fn substring(input: &str, start: usize, stop: usize, reverse: bool) -> Option<&str> {
    if start >= stop || input.len() < stop || !input.is_ascii() {
        return None;
    }
    let len = input.len();
    // ASCII: every byte index is a char boundary.
    Some(if reverse {
        &input[len - stop..len - start]
    } else {
        &input[start..stop]
    })
}

/// `isValidHostLabel(value, allowSubDomains)`: whether `value` is an RFC 1123 host label (1 to
/// 63 ASCII letters, digits and hyphens, not starting with a hyphen), or with
/// `allow_subdomains`, such labels joined by dots.
pub fn is_valid_host_label(value: &str, allow_subdomains: bool) -> bool {
    if allow_subdomains {
        value.split('.').all(is_host_label)
    } else {
        is_host_label(value)
    }
}

fn is_host_label(label: &str) -> bool {
    let bytes = label.as_bytes();
    (1..=63).contains(&bytes.len())
        && bytes[0] != b'-'
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
}

/// `aws.isVirtualHostableS3Bucket(value, allowSubDomains)`: whether the bucket can be the first
/// label(s) of a host name. Each label (the whole value unless `allow_subdomains`) must have 3
/// to 63 lowercase letters, digits and hyphens, and start and end with a letter or digit.
///
/// The reference implementation also rejects IPv4-like values; no such value passes the label
/// rules above (a label never contains a dot), so that check is not repeated here.
pub fn is_virtual_hostable_s3_bucket(value: &str, allow_subdomains: bool) -> bool {
    if allow_subdomains {
        value.split('.').all(is_bucket_label)
    } else {
        is_bucket_label(value)
    }
}

fn is_bucket_label(label: &str) -> bool {
    let bytes = label.as_bytes();
    let edge = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    (3..=63).contains(&bytes.len())
        && bytes.first().is_some_and(edge)
        && bytes.last().is_some_and(edge)
        && bytes.iter().all(|b| edge(b) || *b == b'-')
}

/// Everything but the RFC 3986 unreserved characters `A-Z a-z 0-9 - _ . ~`.
const URI_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// `uriEncode(value)`: RFC 3986 percent-encoding with uppercase hex digits; borrows when
/// nothing needs encoding.
pub fn uri_encode(value: &str) -> Cow<'_, str> {
    utf8_percent_encode(value, URI_ENCODE).into()
}

/// The result of [`parse_url`]: the `URL` structure of the rules engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Url<'a> {
    /// `http` or `https`.
    pub scheme: &'a str,
    /// Host and port as written, without user information.
    pub authority: &'a str,
    /// The path as written; empty when the URL has none.
    pub path: &'a str,
    /// Whether the host is an IPv4 or IPv6 address.
    pub is_ip: bool,
}

impl<'a> Url<'a> {
    /// The path with a leading and a trailing `/`.
    pub fn normalized_path(&self) -> Cow<'a, str> {
        match self.path {
            "" => Cow::Borrowed("/"),
            path if path.ends_with('/') => Cow::Borrowed(path),
            path => Cow::Owned(format!("{path}/")),
        }
    }
}

/// `parseURL(value)`: splits an `http` or `https` URL into its parts. `None` for other schemes,
/// a query or fragment, user information, an empty host, or characters that cannot appear in
/// a host or port.
pub fn parse_url(value: &str) -> Option<Url<'_>> {
    let (scheme, rest) = value.split_once("://")?;
    if !matches!(scheme, "http" | "https") || rest.contains(['?', '#']) {
        return None;
    }
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let (host, port) = match authority.rfind(':') {
        Some(i) if !authority[i..].contains(']') => (&authority[..i], Some(&authority[i + 1..])),
        _ => (authority, None),
    };
    if port.is_some_and(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let is_ip = if let Some(inner) = host.strip_prefix('[') {
        let inner = inner.strip_suffix(']')?;
        if inner.is_empty()
            || !inner
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        {
            return None;
        }
        true
    } else {
        if host.is_empty()
            || !host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
        {
            return None;
        }
        is_ipv4(host)
    };
    Some(Url {
        scheme,
        authority,
        path,
        is_ip,
    })
}

/// Four dot-separated decimal numbers from 0 to 255.
fn is_ipv4(host: &str) -> bool {
    let mut parts = 0;
    for part in host.split('.') {
        parts += 1;
        if part.is_empty() || part.len() > 3 || part.parse::<u8>().is_err() {
            return false;
        }
    }
    parts == 4
}

/// The result of [`parse_arn`]: the `ARN` structure of the AWS rules-engine extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arn<'a> {
    /// `aws`, `aws-cn`, ...
    pub partition: &'a str,
    /// The service namespace, such as `s3-outposts`.
    pub service: &'a str,
    /// The region; may be empty.
    pub region: &'a str,
    /// The account ID; may be empty.
    pub account_id: &'a str,
    resource: &'a str,
}

impl<'a> Arn<'a> {
    /// The resource part split on `:` and `/` (the `resourceId` attribute).
    pub fn resource_id(&self) -> Segments<'a> {
        Segments {
            input: self.resource,
            delimiter: Delimiter::ArnResource,
            limit: 0,
        }
    }
}

/// `aws.parseArn(value)`: `arn:partition:service:region:account-id:resource`, with non-empty
/// partition, service and resource.
pub fn parse_arn(value: &str) -> Option<Arn<'_>> {
    let mut parts = value.splitn(6, ':');
    let mut next = || parts.next();
    let (arn, partition, service, region, account_id, resource) =
        (next()?, next()?, next()?, next()?, next()?, next()?);
    if arn != "arn" || partition.is_empty() || service.is_empty() || resource.is_empty() {
        return None;
    }
    Some(Arn {
        partition,
        service,
        region,
        account_id,
        resource,
    })
}

/// `split(value, delimiter, limit)`: the parts of `value` between occurrences of `delimiter`,
/// at most `limit` of them (the last takes the rest), or all of them when `limit` is 0.
/// An empty delimiter does not split.
pub fn split<'a>(value: &'a str, delimiter: &'a str, limit: usize) -> Segments<'a> {
    Segments {
        input: value,
        delimiter: Delimiter::Text(delimiter),
        limit,
    }
}

/// A list of strings cut lazily from one string: the array values of the rules engine
/// (`split` results and ARN resource IDs). Indexing it allocates nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segments<'a> {
    input: &'a str,
    delimiter: Delimiter<'a>,
    limit: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Delimiter<'a> {
    Text(&'a str),
    ArnResource,
}

impl<'a> Segments<'a> {
    /// The segments in order.
    pub fn iter(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        let Segments {
            mut input,
            delimiter,
            limit,
        } = *self;
        let mut left = if limit == 0 { usize::MAX } else { limit };
        let mut done = false;
        std::iter::from_fn(move || {
            if done {
                return None;
            }
            left -= 1;
            let found = match delimiter {
                _ if left == 0 => None,
                Delimiter::Text("") => None,
                Delimiter::Text(d) => input.find(d).map(|i| (i, d.len())),
                Delimiter::ArnResource => input.find([':', '/']).map(|i| (i, 1)),
            };
            Some(match found {
                Some((at, len)) => {
                    let segment = &input[..at];
                    input = &input[at + len..];
                    segment
                }
                None => {
                    done = true;
                    input
                }
            })
        })
    }

    /// The segment at `index`; a negative index counts from the end (`-1` is the last).
    pub fn get(&self, index: isize) -> Option<&'a str> {
        let index = if index < 0 {
            self.iter().count().checked_sub(index.unsigned_abs())?
        } else {
            index as usize
        };
        self.iter().nth(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substring_counts_from_either_end() {
        assert_eq!(substring("abcdefg", 0, 4, false), Some("abcd"));
        assert_eq!(substring("abcdefg", 0, 4, true), Some("defg"));
        assert_eq!(substring("mybucket--x-s3", 0, 6, true), Some("--x-s3"));
        assert_eq!(substring("abc", 0, 4, false), None);
        assert_eq!(substring("abc", 2, 2, false), None);
        assert_eq!(substring("abcdé", 0, 2, false), None);
    }

    #[test]
    fn host_labels() {
        assert!(is_valid_host_label("us-east-1", false));
        assert!(is_valid_host_label("a-", false));
        assert!(!is_valid_host_label("-a", false));
        assert!(!is_valid_host_label("", false));
        assert!(!is_valid_host_label("a b", false));
        assert!(!is_valid_host_label(&"a".repeat(64), false));
        assert!(!is_valid_host_label("a.b", false));
        assert!(is_valid_host_label("a.b", true));
        assert!(!is_valid_host_label("a..b", true));
        assert!(!is_valid_host_label("a.-b", true));
    }

    #[test]
    fn virtual_hostable_buckets() {
        assert!(is_virtual_hostable_s3_bucket("bucket-1", false));
        assert!(!is_virtual_hostable_s3_bucket("Bucket", false));
        assert!(!is_virtual_hostable_s3_bucket("ab", false));
        assert!(!is_virtual_hostable_s3_bucket("bucket-", false));
        assert!(!is_virtual_hostable_s3_bucket("bucket.name", false));
        assert!(is_virtual_hostable_s3_bucket("bucket.name", true));
        assert!(!is_virtual_hostable_s3_bucket("bucket.-name", true));
        assert!(!is_virtual_hostable_s3_bucket("192.168.1.1", true));
        assert!(!is_virtual_hostable_s3_bucket(&"a".repeat(64), false));
    }

    #[test]
    fn uri_encode_keeps_unreserved_only() {
        assert!(matches!(
            uri_encode("bucket-name_1.~"),
            Cow::Borrowed("bucket-name_1.~")
        ));
        assert_eq!(uri_encode("a b/c:é%"), "a%20b%2Fc%3A%C3%A9%25");
    }

    #[test]
    fn urls() {
        let url = parse_url("http://beta.example.com:1234/path").unwrap();
        assert_eq!(
            url,
            Url {
                scheme: "http",
                authority: "beta.example.com:1234",
                path: "/path",
                is_ip: false
            }
        );
        assert_eq!(url.normalized_path(), "/path/");
        let url = parse_url("https://example.com").unwrap();
        assert_eq!((url.path, &*url.normalized_path()), ("", "/"));
        assert_eq!(
            parse_url("https://example.com/a/")
                .unwrap()
                .normalized_path(),
            "/a/"
        );
        assert!(parse_url("https://10.0.1.12:433").unwrap().is_ip);
        assert!(parse_url("https://[fe80::1]").unwrap().is_ip);
        assert!(!parse_url("https://10.0.1.256").unwrap().is_ip);
        assert!(!parse_url("https://1.2.3").unwrap().is_ip);
        for bad in [
            "abcde://nota#url",
            "https://example.com?x=1",
            "https://example.com#f",
            "https://",
            "https://user@example.com",
            "https://a b.com",
            "https://example.com:x",
            "https://[fe80::1",
            "example.com",
        ] {
            assert_eq!(parse_url(bad), None, "{bad}");
        }
    }

    #[test]
    fn arns() {
        let arn = parse_arn("arn:aws:s3:us-west-2:123456789012:accesspoint/my-ap:x").unwrap();
        assert_eq!(
            (arn.partition, arn.service, arn.region, arn.account_id),
            ("aws", "s3", "us-west-2", "123456789012")
        );
        let ids = arn.resource_id();
        assert_eq!(
            ids.iter().collect::<Vec<_>>(),
            ["accesspoint", "my-ap", "x"]
        );
        assert_eq!(ids.get(1), Some("my-ap"));
        assert_eq!(ids.get(3), None);
        assert_eq!(
            parse_arn("arn:aws:s3:::bucket")
                .unwrap()
                .resource_id()
                .get(0),
            Some("bucket")
        );
        assert_eq!(parse_arn("arn:aws:s3:::"), None);
        assert_eq!(parse_arn("arn::s3:::x"), None);
        assert_eq!(parse_arn("arn:aws:s3:x"), None);
        assert_eq!(parse_arn("nope:aws:s3:::x"), None);
    }

    #[test]
    fn split_with_limits_and_negative_indexes() {
        let parts = split("mybucket--usw2-az1--x-s3", "--", 0);
        assert_eq!(
            parts.iter().collect::<Vec<_>>(),
            ["mybucket", "usw2-az1", "x-s3"]
        );
        assert_eq!(parts.get(-2), Some("usw2-az1"));
        assert_eq!(parts.get(-3), Some("mybucket"));
        assert_eq!(parts.get(-4), None);
        let parts = split("a--b--c", "--", 2);
        assert_eq!(parts.iter().collect::<Vec<_>>(), ["a", "b--c"]);
        assert_eq!(split("a--b", "--", 1).iter().collect::<Vec<_>>(), ["a--b"]);
        assert_eq!(split("", "--", 0).iter().collect::<Vec<_>>(), [""]);
        assert_eq!(split("--x", "--", 0).iter().collect::<Vec<_>>(), ["", "x"]);
        assert_eq!(split("abc", "", 0).iter().collect::<Vec<_>>(), ["abc"]);
    }
}
